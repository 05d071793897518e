//! Expressions: name resolution, typing, usual arithmetic conversions,
//! pointer arithmetic and explicit conversions.

use crate::syntax::{Field, Kind, Node};

use super::{LResult, Lowerer, Sym};
use crate::ast::{BinOp, Callee, CastOp, Expr, ExprKind, UnOp};
use crate::source::Site;
use crate::types::{IntTy, TypeId, TypeKind};

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn bin_op(op: &str) -> Option<BinOp> {
    Some(match op {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Rem,
        "<<" => BinOp::Shl,
        ">>" => BinOp::Shr,
        "&" => BinOp::And,
        "|" => BinOp::Or,
        "^" => BinOp::Xor,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        _ => return None,
    })
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

impl Lowerer {
    /// Lowers an expression (possibly a place).
    pub(crate) fn expr(&mut self, n: Node<'_>) -> LResult<Expr> {
        self.nested(n, |l| l.expr_inner(n))
    }

    /// Lowers an expression and converts it to a value.
    pub(crate) fn rexpr(&mut self, n: Node<'_>) -> LResult<Expr> {
        let e = self.expr(n)?;
        self.rv(e)
    }

    /// Lowers an expression that must be a scalar value.
    pub(crate) fn scalar(&mut self, n: Node<'_>) -> LResult<Expr> {
        let e = self.rexpr(n)?;
        if !self.types.is_scalar(e.ty) {
            let tn = self.types.name(e.ty);
            return self.err(n, format!("expected a scalar value, found `{tn}`"));
        }
        Ok(e)
    }

    fn expr_inner(&mut self, n: Node<'_>) -> LResult<Expr> {
        let site = self.site(n);
        match n.kind() {
            Kind::Identifier => self.expr_ident(n),
            Kind::NumberLiteral => self.number(n),
            Kind::CharLiteral => match super::lit::parse_char(self.text(n)) {
                Ok(v) => Ok(self.mk(ExprKind::Const(v as u64), TypeId::INT, site)),
                Err(m) => self.err(n, m),
            },
            Kind::StringLiteral | Kind::ConcatenatedString => self.string(n),
            Kind::True => Ok(self.mk(ExprKind::Const(1), TypeId::INT, site)),
            Kind::False => Ok(self.mk(ExprKind::Const(0), TypeId::INT, site)),
            Kind::Null => Ok(self.mk(ExprKind::Const(0), TypeId::VOID_PTR, site)),
            Kind::ParenthesizedExpression => self.paren(n),
            Kind::CommaExpression => self.comma(n),
            Kind::BinaryExpression => self.binary(n),
            Kind::UnaryExpression => self.unary(n),
            Kind::PointerExpression => self.pointer_expr(n),
            Kind::UpdateExpression => self.update(n),
            Kind::AssignmentExpression => self.assignment(n),
            Kind::CallExpression => self.call(n),
            Kind::FieldExpression => self.field(n),
            Kind::SubscriptExpression => self.subscript(n),
            Kind::ConditionalExpression => self.conditional(n),
            Kind::CastExpression => self.cast_expr(n),
            Kind::SizeofExpression => self.sizeof(n),
            Kind::AlignofExpression => self.alignof(n),
            Kind::OffsetofExpression => self.offsetof(n),
            Kind::CompoundLiteralExpression => self.compound_literal(n),
            Kind::GenericExpression => self.unsupported(n, "_Generic"),
            Kind::GnuAsmExpression => self.unsupported(n, "asm"),
            k => self.unsupported(n, k.name()),
        }
    }

    /// An identifier in expression position.
    pub(crate) fn expr_ident(&mut self, n: Node<'_>) -> LResult<Expr> {
        let name = self.text(n);
        let site = self.site(n);
        match self.lookup(name) {
            Some(Sym::Local(id)) => {
                let ty = self
                    .fctx
                    .as_ref()
                    .and_then(|f| f.locals.get(id as usize))
                    .map_or(TypeId::INT, |l| l.ty);
                if self.fctx.is_none() {
                    return self.err(n, format!("local `{name}` used outside its function"));
                }
                Ok(self.mk(ExprKind::LocalReg(id), ty, site))
            }
            Some(Sym::Global(g)) => {
                let ty = self
                    .globals
                    .get(g.0 as usize)
                    .map_or(TypeId::INT, |gl| gl.ty);
                Ok(self.mk(ExprKind::Global(g), ty, site))
            }
            Some(Sym::Func(f)) => {
                let ty = self
                    .funcs
                    .get(f.0 as usize)
                    .map_or(TypeId::VOID, |func| func.ty);
                Ok(self.mk(ExprKind::Func(f), ty, site))
            }
            Some(Sym::Enum(v, ty)) => Ok(self.mk(ExprKind::Const(v), ty, site)),
            Some(Sym::Typedef(_)) => {
                self.err(n, format!("type name `{name}` used as an expression"))
            }
            None if matches!(name, "__func__" | "__FUNCTION__") => {
                let fname = self
                    .fctx
                    .as_ref()
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                Ok(self.string_expr(fname.into_bytes(), site))
            }
            None => self.err(n, format!("undeclared identifier `{name}`")),
        }
    }

    fn number(&mut self, n: Node<'_>) -> LResult<Expr> {
        match super::lit::parse_int_literal(self.text(n)) {
            Ok(l) => {
                let v = self
                    .types
                    .int_ty(l.ty)
                    .map_or(l.value, |it| it.norm(l.value));
                Ok(self.mk(ExprKind::Const(v), l.ty, self.site(n)))
            }
            Err(m) => {
                let what = if m.contains("floating") {
                    "floating-point literal".to_string()
                } else {
                    m
                };
                if what.starts_with("floating") {
                    self.unsupported(n, &what)
                } else {
                    self.err(n, what)
                }
            }
        }
    }

    fn string(&mut self, n: Node<'_>) -> LResult<Expr> {
        let parts = if n.kind() == Kind::ConcatenatedString {
            self.kids(n)
        } else {
            smallvec::smallvec![n]
        };
        let mut bytes = Vec::new();
        for p in parts {
            if p.kind() != Kind::StringLiteral {
                let t = self.text(p).to_string();
                return self.err(
                    p,
                    format!("unexpected `{t}` in string concatenation (undefined macro?)"),
                );
            }
            match super::lit::parse_string(self.text(p)) {
                Ok(b) => bytes.extend(b),
                Err(m) => return self.err(p, m),
            }
        }
        Ok(self.string_expr(bytes, self.site(n)))
    }

    /// A string literal place of type `char[len + 1]`.
    pub(crate) fn string_expr(&mut self, bytes: Vec<u8>, site: Site) -> Expr {
        let len = bytes.len() as u64 + 1;
        let id = self.intern_string(bytes, site);
        let ty = self.types.array(TypeId::CHAR, Some(len));
        self.mk(ExprKind::Str(id), ty, site)
    }

    fn paren(&mut self, n: Node<'_>) -> LResult<Expr> {
        let Some(inner) = n.named_child(0) else {
            return self.err(n, "empty parentheses");
        };
        if inner.kind() == Kind::CompoundStatement {
            return self.stmt_expr(inner);
        }
        self.expr(inner)
    }

    fn stmt_expr(&mut self, n: Node<'_>) -> LResult<Expr> {
        if self.fctx.is_none() {
            return self.err(n, "statement expression outside of a function");
        }
        let block = self.block(n, true)?;
        let ty = block.result.as_ref().map_or(TypeId::VOID, |e| e.ty);
        if self.types.is_aggregate(ty) {
            return self.unsupported(n, "statement expression yielding a struct");
        }
        Ok(self.mk(ExprKind::StmtExpr(Box::new(block)), ty, self.site(n)))
    }

    fn comma(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(l), Some(r)) = (n.child(Field::Left), n.child(Field::Right)) else {
            return self.err(n, "malformed comma expression");
        };
        let a = self.rexpr(l)?;
        let b = self.rexpr(r)?;
        let ty = b.ty;
        Ok(self.mk(ExprKind::Comma(bx(a), bx(b)), ty, self.site(n)))
    }

    /// Value conversion: arrays decay, functions become pointers, scalar places are loaded.
    pub(crate) fn rv(&mut self, e: Expr) -> LResult<Expr> {
        /// What value conversion does to an expression of a type.
        enum Conv {
            Decay(TypeId),
            Function,
            Keep,
            Load,
        }
        let conv = match self.types.kind(e.ty) {
            TypeKind::Array { elem, .. } if e.is_place() => Conv::Decay(*elem),
            TypeKind::Func(_) => Conv::Function,
            TypeKind::Struct(_) | TypeKind::Void | TypeKind::Array { .. } => Conv::Keep,
            _ if e.is_place() => Conv::Load,
            _ => Conv::Keep,
        };
        match conv {
            Conv::Decay(elem) => {
                if let ExprKind::LocalReg(_) = e.kind {
                    self.mark_addr_taken(&e);
                }
                let ty = self.types.ptr(elem);
                let site = e.site;
                Ok(Expr {
                    kind: ExprKind::AddrOf(bx(e)),
                    ty,
                    site,
                })
            }
            Conv::Function => {
                let ty = self.types.ptr(e.ty);
                match e.kind {
                    ExprKind::Deref(p) => Ok(Expr { ty, ..*p }),
                    kind => Ok(Expr {
                        kind,
                        ty,
                        site: e.site,
                    }),
                }
            }
            Conv::Keep => Ok(e),
            Conv::Load => {
                let (ty, site) = (e.ty, e.site);
                Ok(Expr {
                    kind: ExprKind::Load(bx(e)),
                    ty,
                    site,
                })
            }
        }
    }

    /// Integer promotion.
    pub(crate) fn promote(&self, ty: TypeId) -> TypeId {
        match self.types.kind(ty) {
            TypeKind::Bool => TypeId::INT,
            TypeKind::Int(it) if it.size < 4 => TypeId::INT,
            _ => ty,
        }
    }

    /// The usual arithmetic conversions.
    pub(crate) fn common(&mut self, a: TypeId, b: TypeId) -> TypeId {
        let (pa, pb) = (self.promote(a), self.promote(b));
        if pa == pb {
            return pa;
        }
        let (Some(ia), Some(ib)) = (self.types.int_ty(pa), self.types.int_ty(pb)) else {
            return pa;
        };
        if ia.signed == ib.signed {
            return if ia.size >= ib.size { pa } else { pb };
        }
        let (u, s, ut, st) = if ia.signed {
            (ib, ia, pb, pa)
        } else {
            (ia, ib, pa, pb)
        };
        if u.size >= s.size {
            ut
        } else {
            let _ = ut;
            st
        }
    }

    /// Converts a value to `to` (explicit cast semantics; folds constants).
    pub(crate) fn cast_to(&mut self, e: Expr, to: TypeId, n: Node<'_>) -> LResult<Expr> {
        if e.ty == to {
            return Ok(e);
        }
        let site = e.site;
        if to == TypeId::VOID {
            return Ok(self.mk(ExprKind::Cast(CastOp::Nop, bx(e)), to, site));
        }
        if !self.types.is_scalar(to) || !self.types.is_scalar(e.ty) {
            let (from, tn) = (self.types.name(e.ty), self.types.name(to));
            return self.err(n, format!("cannot convert `{from}` to `{tn}`"));
        }
        let op = self.cast_op(e.ty, to);
        if let ExprKind::Const(v) = e.kind {
            return Ok(self.mk(ExprKind::Const(crate::ops::cast(op, v)), to, site));
        }
        // Loads and calls use their own type at run time: keep them intact.
        if op == CastOp::Nop && !matches!(e.kind, ExprKind::Load(_) | ExprKind::Call(..)) {
            return Ok(Expr { ty: to, ..e });
        }
        Ok(self.mk(ExprKind::Cast(op, bx(e)), to, site))
    }

    /// The conversion between two scalar types.
    pub(crate) fn cast_op(&self, from: TypeId, to: TypeId) -> CastOp {
        match self.types.kind(to) {
            TypeKind::Bool => CastOp::Bool,
            TypeKind::Int(it) => {
                let nop = self.types.int_ty(from).is_some_and(|f| {
                    f.size <= it.size
                        && (f.signed == it.signed
                            || (!f.signed && f.size < it.size)
                            || (f.signed && !it.signed && it.size == 8))
                });
                if nop {
                    CastOp::Nop
                } else {
                    CastOp::Int(*it)
                }
            }
            _ => CastOp::Nop,
        }
    }

    /// Implicit conversion (assignment, argument, return, initializer).
    pub(crate) fn convert(&mut self, e: Expr, to: TypeId, n: Node<'_>) -> LResult<Expr> {
        if self.types.is_aggregate(to) || self.types.is_aggregate(e.ty) {
            if e.ty == to {
                return Ok(e);
            }
            let (from, tn) = (self.types.name(e.ty), self.types.name(to));
            return self.err(n, format!("incompatible types: `{from}` to `{tn}`"));
        }
        if e.ty == TypeId::VOID && to != TypeId::VOID {
            return self.err(n, "void value used where a value is required");
        }
        self.cast_to(e, to, n)
    }

    fn binary(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(l), Some(r), Some(o)) = (
            n.child(Field::Left),
            n.child(Field::Right),
            n.child(Field::Operator),
        ) else {
            return self.err(n, "malformed binary expression");
        };
        let op = self.text(o);
        match op {
            "&&" | "||" => {
                let a = self.scalar(l)?;
                let b = self.scalar(r)?;
                let k = if op == "&&" {
                    ExprKind::LogAnd(bx(a), bx(b))
                } else {
                    ExprKind::LogOr(bx(a), bx(b))
                };
                Ok(self.mk(k, TypeId::INT, self.site(n)))
            }
            _ => {
                let Some(bop) = bin_op(op) else {
                    return self.unsupported(o, op);
                };
                let a = self.rexpr(l)?;
                let b = self.rexpr(r)?;
                self.arith(bop, a, b, n)
            }
        }
    }

    /// Binary arithmetic, comparison and pointer arithmetic.
    pub(crate) fn arith(&mut self, op: BinOp, a: Expr, b: Expr, n: Node<'_>) -> LResult<Expr> {
        let site = self.site(n);
        let (ap, bp) = (self.types.is_pointer(a.ty), self.types.is_pointer(b.ty));
        let (ai, bi) = (self.types.is_integer(a.ty), self.types.is_integer(b.ty));
        if is_comparison(op) && (ap || bp) && (ap || ai) && (bp || bi) {
            let a = self.cast_to(a, TypeId::ULONG, n)?;
            let b = self.cast_to(b, TypeId::ULONG, n)?;
            return Ok(self.mk(
                ExprKind::Binary(op, IntTy::ULONG, bx(a), bx(b)),
                TypeId::INT,
                site,
            ));
        }
        match (op, ap, bp) {
            (BinOp::Add, true, false) if bi => return self.ptr_add(a, b, false, n),
            (BinOp::Add, false, true) if ai => return self.ptr_add(b, a, false, n),
            (BinOp::Sub, true, false) if bi => return self.ptr_add(a, b, true, n),
            (BinOp::Sub, true, true) => return self.ptr_diff(a, b, n),
            _ => {}
        }
        if !ai || !bi {
            let (x, y) = (self.types.name(a.ty), self.types.name(b.ty));
            return self.err(
                n,
                format!("invalid operands to binary operator (`{x}` and `{y}`)"),
            );
        }
        let ty = if matches!(op, BinOp::Shl | BinOp::Shr) {
            self.promote(a.ty)
        } else {
            self.common(a.ty, b.ty)
        };
        let it = self.types.int_ty(ty).unwrap_or(IntTy::INT);
        let a = self.cast_to(a, ty, n)?;
        let b = self.cast_to(b, ty, n)?;
        let rty = if is_comparison(op) { TypeId::INT } else { ty };
        if let (ExprKind::Const(x), ExprKind::Const(y)) = (&a.kind, &b.kind) {
            if let Some(v) = crate::ops::binop(op, it, *x, *y) {
                return Ok(self.mk(ExprKind::Const(v), rty, site));
            }
        }
        Ok(self.mk(ExprKind::Binary(op, it, bx(a), bx(b)), rty, site))
    }

    /// Element size for pointer arithmetic (`void *` and function pointers: 1).
    fn elem_size(&mut self, ptr: TypeId, n: Node<'_>) -> LResult<i64> {
        let pointee = self.types.pointee(ptr).unwrap_or(TypeId::VOID);
        match self.types.kind(pointee) {
            TypeKind::Void | TypeKind::Func(_) => Ok(1),
            _ => match self.types.size_of(pointee) {
                Some(s) => Ok(s as i64),
                None => {
                    let tn = self.types.name(pointee);
                    self.err(
                        n,
                        format!("arithmetic on pointer to incomplete type `{tn}`"),
                    )
                }
            },
        }
    }

    fn ptr_add(&mut self, p: Expr, i: Expr, neg: bool, n: Node<'_>) -> LResult<Expr> {
        let scale = self.elem_size(p.ty, n)?;
        let mut idx = self.cast_to(i, TypeId::LONG, n)?;
        if neg {
            idx = self.negate(idx);
        }
        let (ty, site) = (p.ty, self.site(n));
        Ok(self.mk(ExprKind::PtrAdd(bx(p), bx(idx), scale), ty, site))
    }

    fn negate(&mut self, e: Expr) -> Expr {
        let site = e.site;
        if let ExprKind::Const(v) = e.kind {
            return self.mk(ExprKind::Const(v.wrapping_neg()), TypeId::LONG, site);
        }
        self.mk(
            ExprKind::Unary(UnOp::Neg, IntTy::LONG, bx(e)),
            TypeId::LONG,
            site,
        )
    }

    fn ptr_diff(&mut self, a: Expr, b: Expr, n: Node<'_>) -> LResult<Expr> {
        let scale = self.elem_size(a.ty, n)?.max(1);
        let site = self.site(n);
        Ok(self.mk(ExprKind::PtrDiff(bx(a), bx(b), scale), TypeId::LONG, site))
    }

    fn unary(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(o), Some(arg)) = (n.child(Field::Operator), n.child(Field::Argument)) else {
            return self.err(n, "malformed unary expression");
        };
        let op = self.text(o);
        let v = self.scalar(arg)?;
        let site = self.site(n);
        let e = match op {
            "-" => self.unary_arith(Some(UnOp::Neg), v, arg)?,
            "+" => self.unary_arith(None, v, arg)?,
            "~" => self.unary_arith(Some(UnOp::BitNot), v, arg)?,
            "!" => {
                let it = self.types.int_ty(v.ty).unwrap_or(IntTy::ULONG);
                if let ExprKind::Const(c) = v.kind {
                    self.mk(ExprKind::Const(u64::from(c == 0)), TypeId::INT, site)
                } else {
                    self.mk(ExprKind::Unary(UnOp::Not, it, bx(v)), TypeId::INT, site)
                }
            }
            _ => return self.unsupported(o, op),
        };
        Ok(Expr { site, ..e })
    }

    fn unary_arith(&mut self, op: Option<UnOp>, v: Expr, n: Node<'_>) -> LResult<Expr> {
        if !self.types.is_integer(v.ty) {
            let tn = self.types.name(v.ty);
            return self.err(
                n,
                format!("invalid operand of type `{tn}` to unary operator"),
            );
        }
        let ty = self.promote(v.ty);
        let v = self.cast_to(v, ty, n)?;
        let Some(op) = op else { return Ok(v) };
        let it = self.types.int_ty(ty).unwrap_or(IntTy::INT);
        let site = v.site;
        if let ExprKind::Const(c) = v.kind {
            return Ok(self.mk(ExprKind::Const(crate::ops::unop(op, it, c)), ty, site));
        }
        Ok(self.mk(ExprKind::Unary(op, it, bx(v)), ty, site))
    }

    fn pointer_expr(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(o), Some(arg)) = (n.child(Field::Operator), n.child(Field::Argument)) else {
            return self.err(n, "malformed pointer expression");
        };
        let site = self.site(n);
        if self.text(o) == "*" {
            let p = self.rexpr(arg)?;
            let e = self.deref(p, arg)?;
            return Ok(Expr { site, ..e });
        }
        let e = self.expr(arg)?;
        self.address_of(e, n)
    }

    /// `*p` as a place.
    pub(crate) fn deref(&mut self, p: Expr, n: Node<'_>) -> LResult<Expr> {
        let Some(pointee) = self.types.pointee(p.ty) else {
            let tn = self.types.name(p.ty);
            return self.err(n, format!("cannot dereference a value of type `{tn}`"));
        };
        let site = p.site;
        Ok(self.mk(ExprKind::Deref(bx(p)), pointee, site))
    }

    /// `&e`.
    pub(crate) fn address_of(&mut self, e: Expr, n: Node<'_>) -> LResult<Expr> {
        let site = self.site(n);
        if matches!(self.types.kind(e.ty), TypeKind::Func(_)) {
            let e = self.rv(e)?;
            return Ok(Expr { site, ..e });
        }
        let ty = self.types.ptr(e.ty);
        match e.kind {
            ExprKind::Deref(p) => Ok(Expr { ty, site, ..*p }),
            _ if e.is_place() => {
                self.mark_addr_taken(&e);
                Ok(self.mk(ExprKind::AddrOf(bx(e)), ty, site))
            }
            _ => self.err(n, "cannot take the address of an rvalue"),
        }
    }

    fn update(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(o), Some(arg)) = (n.child(Field::Operator), n.child(Field::Argument)) else {
            return self.err(n, "malformed increment");
        };
        let post = o.token_range().start > arg.token_range().start;
        let inc = self.text(o) == "++";
        let lhs = self.expr(arg)?;
        self.check_assignable(&lhs, arg)?;
        let (delta, norm) = if self.types.is_pointer(lhs.ty) {
            (self.elem_size(lhs.ty, n)?, CastOp::Nop)
        } else if self.types.is_integer(lhs.ty) {
            (1, self.cast_op(TypeId::LONG, lhs.ty))
        } else {
            return self.err(n, "invalid operand to increment/decrement");
        };
        let delta = if inc { delta } else { -delta };
        let ty = lhs.ty;
        Ok(self.mk(
            ExprKind::IncDec {
                lhs: bx(lhs),
                delta,
                norm,
                post,
            },
            ty,
            self.site(n),
        ))
    }

    fn check_assignable(&mut self, e: &Expr, n: Node<'_>) -> LResult<()> {
        let ok = e.is_place() && !matches!(e.kind, ExprKind::Str(_));
        if !ok
            || matches!(
                self.types.kind(e.ty),
                TypeKind::Array { .. } | TypeKind::Func(_) | TypeKind::Void
            )
        {
            return self.err(n, "expression is not assignable");
        }
        Ok(())
    }

    fn assignment(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(l), Some(r), Some(o)) = (
            n.child(Field::Left),
            n.child(Field::Right),
            n.child(Field::Operator),
        ) else {
            return self.err(n, "malformed assignment");
        };
        let lhs = self.expr(l)?;
        self.check_assignable(&lhs, l)?;
        let site = self.site(n);
        let op = self.text(o);
        let ty = lhs.ty;
        if op == "=" {
            if self.types.is_aggregate(lhs.ty) {
                let rhs = self.expr(r)?;
                if rhs.ty != lhs.ty || !rhs.is_place() {
                    return self.err(r, "incompatible struct assignment");
                }
                let size = self.types.size_of(ty).unwrap_or(0);
                return Ok(self.mk(ExprKind::Copy(bx(lhs), bx(rhs), size), ty, site));
            }
            let rhs = self.rexpr(r)?;
            let rhs = self.convert(rhs, ty, r)?;
            return Ok(self.mk(ExprKind::Assign(bx(lhs), bx(rhs)), ty, site));
        }
        let Some(bop) = bin_op(op.trim_end_matches('=')) else {
            return self.unsupported(o, op);
        };
        let rhs = self.rexpr(r)?;
        self.compound_assign(bop, lhs, rhs, n)
    }

    fn compound_assign(&mut self, op: BinOp, lhs: Expr, rhs: Expr, n: Node<'_>) -> LResult<Expr> {
        let (ty, site) = (lhs.ty, self.site(n));
        if self.types.is_pointer(ty)
            && matches!(op, BinOp::Add | BinOp::Sub)
            && self.types.is_integer(rhs.ty)
        {
            let scale = self.elem_size(ty, n)?;
            let mut idx = self.cast_to(rhs, TypeId::LONG, n)?;
            if op == BinOp::Sub {
                idx = self.negate(idx);
            }
            return Ok(self.mk(ExprKind::PtrAddAssign(bx(lhs), bx(idx), scale), ty, site));
        }
        if !self.types.is_integer(ty) || !self.types.is_integer(rhs.ty) {
            return self.err(n, "invalid operands to compound assignment");
        }
        let cty = if matches!(op, BinOp::Shl | BinOp::Shr) {
            self.promote(ty)
        } else {
            self.common(ty, rhs.ty)
        };
        let ity = self.types.int_ty(cty).unwrap_or(IntTy::INT);
        let rhs = self.cast_to(rhs, cty, n)?;
        let kind = ExprKind::CompoundAssign {
            op,
            ity,
            to_op: self.cast_op(ty, cty),
            back: self.cast_op(cty, ty),
            lhs: bx(lhs),
            rhs: bx(rhs),
        };
        Ok(self.mk(kind, ty, site))
    }

    fn call(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(f), Some(al)) = (n.child(Field::Function), n.child(Field::Arguments)) else {
            return self.err(n, "malformed call");
        };
        let args = self.kids(al);
        if f.kind() == Kind::Identifier {
            if let Some(e) = self.builtin_call(self.text(f), &args, n)? {
                return Ok(e);
            }
        }
        let callee = self.rexpr(f)?;
        let Some(sig) = self.types.func_sig(callee.ty) else {
            let tn = self.types.name(callee.ty);
            return self.err(f, format!("called object of type `{tn}` is not a function"));
        };
        let ret = sig.ret;
        if self.types.is_aggregate(ret) {
            return self.unsupported(n, "call of a function returning a struct by value");
        }
        let lowered = self.call_args(callee.ty, &args, n)?;
        let callee = match callee.kind {
            ExprKind::Func(id) => Callee::Direct(id),
            _ => Callee::Indirect(bx(callee)),
        };
        Ok(self.mk(ExprKind::Call(callee, lowered), ret, self.site(n)))
    }

    /// The arguments of a call of a function of type `fty`, converted to
    /// its parameter types.
    fn call_args(&mut self, fty: TypeId, args: &[Node<'_>], n: Node<'_>) -> LResult<Vec<Expr>> {
        let (nparams, variadic) = self
            .types
            .func_sig(fty)
            .map_or((0, true), |s| (s.params.len(), s.variadic));
        if args.len() < nparams || (args.len() > nparams && !variadic) {
            let msg = format!(
                "function takes {nparams} arguments but {} were given",
                args.len()
            );
            return self.err(n, msg);
        }
        let mut out = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            if a.kind() == Kind::CompoundStatement {
                return self.unsupported(*a, "block as function argument");
            }
            let v = self.rexpr(*a)?;
            let param = self.types.func_sig(fty).and_then(|s| s.params.get(i));
            let v = match param.copied() {
                Some(pt) => {
                    if self.types.is_aggregate(pt) {
                        return self.unsupported(*a, "struct argument passed by value");
                    }
                    self.convert(v, pt, *a)?
                }
                None => {
                    if !self.types.is_scalar(v.ty) {
                        return self.unsupported(*a, "non-scalar variadic argument");
                    }
                    let p = self.promote(v.ty);
                    self.cast_to(v, p, *a)?
                }
            };
            out.push(v);
        }
        Ok(out)
    }

    /// GCC builtins handled inline.
    fn builtin_call(
        &mut self,
        name: &str,
        args: &[Node<'_>],
        n: Node<'_>,
    ) -> LResult<Option<Expr>> {
        if self.lookup(name).is_some() {
            return Ok(None);
        }
        let site = self.site(n);
        match (name, args) {
            ("__builtin_expect", [a, _]) => Ok(Some(self.rexpr(*a)?)),
            ("__builtin_constant_p", [_]) => {
                Ok(Some(self.mk(ExprKind::Const(0), TypeId::INT, site)))
            }
            ("__builtin_unreachable", []) => {
                Ok(Some(self.mk(ExprKind::Const(0), TypeId::VOID, site)))
            }
            _ => Ok(None),
        }
    }

    fn field(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(arg), Some(fld), Some(o)) = (
            n.child(Field::Argument),
            n.child(Field::Field),
            n.child(Field::Operator),
        ) else {
            return self.err(n, "malformed member access");
        };
        let base = if self.text(o) == "->" {
            let p = self.rexpr(arg)?;
            self.deref(p, arg)?
        } else {
            self.expr(arg)?
        };
        let name = self.text(fld);
        self.member(base, name, n)
    }

    /// Member `name` of a struct place.
    pub(crate) fn member(&mut self, base: Expr, name: &str, n: Node<'_>) -> LResult<Expr> {
        let TypeKind::Struct(sid) = *self.types.kind(base.ty) else {
            let tn = self.types.name(base.ty);
            return self.err(n, format!("member `{name}` of non-struct type `{tn}`"));
        };
        if !self.types.struct_def(sid).is_some_and(|d| d.complete) {
            let tn = self.types.name(base.ty);
            return self.err(n, format!("member access into incomplete type `{tn}`"));
        }
        let Some((off, ty)) = self.types.find_member(sid, name) else {
            let tn = self.types.name(base.ty);
            return self.err(n, format!("no member named `{name}` in `{tn}`"));
        };
        if !base.is_place() {
            return self.unsupported(n, "member of a struct rvalue");
        }
        let site = self.site(n);
        Ok(match base.kind {
            ExprKind::Member(inner, o2) => self.mk(ExprKind::Member(inner, o2 + off), ty, site),
            _ => self.mk(ExprKind::Member(bx(base), off), ty, site),
        })
    }

    fn subscript(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(a), Some(i)) = (n.child(Field::Argument), n.child(Field::Index)) else {
            return self.err(n, "malformed subscript");
        };
        let mut p = self.rexpr(a)?;
        let mut idx = self.rexpr(i)?;
        if !self.types.is_pointer(p.ty) && self.types.is_pointer(idx.ty) {
            std::mem::swap(&mut p, &mut idx);
        }
        if !self.types.is_pointer(p.ty) || !self.types.is_integer(idx.ty) {
            return self.err(n, "subscripted value is not an array or pointer");
        }
        let pointee = self.types.pointee(p.ty).unwrap_or(TypeId::VOID);
        if self.types.size_of(pointee).is_none() {
            return self.err(n, "subscript of pointer to incomplete type");
        }
        let sum = self.ptr_add(p, idx, false, n)?;
        let site = self.site(n);
        Ok(self.mk(ExprKind::Deref(bx(sum)), pointee, site))
    }

    fn conditional(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(c), Some(b)) = (n.child(Field::Condition), n.child(Field::Alternative)) else {
            return self.err(n, "malformed conditional expression");
        };
        let Some(a) = n.child(Field::Consequence) else {
            return self.elvis(c, b, n);
        };
        let c = self.scalar(c)?;
        let x = self.rexpr(a)?;
        let y = self.rexpr(b)?;
        let ty = self.cond_type(&x, &y, n)?;
        let x = self.convert(x, ty, a)?;
        let y = self.convert(y, ty, b)?;
        Ok(self.mk(ExprKind::Cond(bx(c), bx(x), bx(y)), ty, self.site(n)))
    }

    /// GNU `x ?: y`: `x` is evaluated once, into a temporary.
    fn elvis(&mut self, c: Node<'_>, b: Node<'_>, n: Node<'_>) -> LResult<Expr> {
        if self.fctx.is_none() {
            return self.unsupported(n, "?: with omitted operand outside of a function");
        }
        let x = self.scalar(c)?;
        let y = self.rexpr(b)?;
        let ty = self.cond_type(&x, &y, n)?;
        let x = self.convert(x, ty, c)?;
        let y = self.convert(y, ty, b)?;
        let site = self.site(n);
        let Some(tmp) = self.new_local("<?: temporary>", ty, site) else {
            return self.err(n, "too many locals");
        };
        let place = self.mk(ExprKind::LocalReg(tmp), ty, site);
        let load = self.mk(ExprKind::Load(bx(place.clone())), ty, site);
        let set = self.mk(ExprKind::Assign(bx(place), bx(x)), ty, site);
        let pick = self.mk(ExprKind::Cond(bx(load.clone()), bx(load), bx(y)), ty, site);
        Ok(self.mk(ExprKind::Comma(bx(set), bx(pick)), ty, site))
    }

    fn cond_type(&mut self, x: &Expr, y: &Expr, n: Node<'_>) -> LResult<TypeId> {
        let t = &self.types;
        if t.is_integer(x.ty) && t.is_integer(y.ty) {
            return Ok(self.common(x.ty, y.ty));
        }
        if x.ty == y.ty && !t.is_aggregate(x.ty) {
            return Ok(x.ty);
        }
        match (t.is_pointer(x.ty), t.is_pointer(y.ty)) {
            (true, true) if y.ty == TypeId::VOID_PTR => Ok(y.ty),
            (true, _) => Ok(x.ty),
            (_, true) => Ok(y.ty),
            _ => {
                let (a, b) = (t.name(x.ty), t.name(y.ty));
                self.err(
                    n,
                    format!("incompatible operand types `{a}` and `{b}` in conditional"),
                )
            }
        }
    }

    fn cast_expr(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(t), Some(v)) = (n.child(Field::Type), n.child(Field::Value)) else {
            return self.err(n, "malformed cast");
        };
        let ty = self.type_descriptor(t)?;
        if v.kind() == Kind::InitializerList {
            return self.unsupported(n, "compound literal");
        }
        let e = self.rexpr(v)?;
        let mut r = self.cast_to(e, ty, n)?;
        r.site = self.site(n);
        Ok(r)
    }

    fn sizeof(&mut self, n: Node<'_>) -> LResult<Expr> {
        let ty = if let Some(t) = n.child(Field::Type) {
            self.type_descriptor(t)?
        } else if let Some(v) = n.child(Field::Value) {
            self.expr(v)?.ty
        } else {
            return self.err(n, "malformed sizeof");
        };
        let size = match self.types.kind(ty) {
            TypeKind::Void | TypeKind::Func(_) => Some(1),
            _ => self.types.size_of(ty),
        };
        let Some(size) = size else {
            let tn = self.types.name(ty);
            return self.err(n, format!("sizeof of incomplete type `{tn}`"));
        };
        Ok(self.mk(ExprKind::Const(size), TypeId::ULONG, self.site(n)))
    }

    fn alignof(&mut self, n: Node<'_>) -> LResult<Expr> {
        let Some(t) = n.child(Field::Type) else {
            return self.err(n, "malformed alignof");
        };
        let ty = self.type_descriptor(t)?;
        let a = self.types.align_of(ty);
        Ok(self.mk(ExprKind::Const(a), TypeId::ULONG, self.site(n)))
    }

    fn offsetof(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(t), Some(m)) = (n.child(Field::Type), n.child(Field::Member)) else {
            return self.err(n, "malformed offsetof");
        };
        let ty = self.type_descriptor(t)?;
        let name = self.text(m);
        match self.types.member_path(ty, name) {
            Some((off, _)) => Ok(self.mk(ExprKind::Const(off), TypeId::ULONG, self.site(n))),
            None => self.err(m, format!("no member named `{name}`")),
        }
    }

    fn compound_literal(&mut self, n: Node<'_>) -> LResult<Expr> {
        let (Some(t), Some(v)) = (n.child(Field::Type), n.child(Field::Value)) else {
            return self.err(n, "malformed compound literal");
        };
        if self.fctx.is_none() {
            return self.unsupported(n, "compound literal outside of a function");
        }
        let ty = self.type_descriptor(t)?;
        let site = self.site(n);
        let (init, ty) = self.initializer(ty, v)?;
        let Some(id) = self.new_local("<compound literal>", ty, site) else {
            return self.err(n, "too many locals");
        };
        if let Some(f) = self.fctx.as_mut() {
            if let Some(slot) = f.addr_taken.get_mut(id as usize) {
                *slot = true;
            }
        }
        Ok(self.mk(ExprKind::CompoundLit(id, Box::new(init)), ty, site))
    }

    /// Lowers an integer constant expression; `None` if not constant.
    pub(crate) fn const_int(&mut self, n: Node<'_>) -> LResult<Option<i64>> {
        let e = self.rexpr(n)?;
        if !self.types.is_integer(e.ty) {
            return self.err(n, "expected an integer constant expression");
        }
        Ok(super::consteval::const_value(&e).map(|v| v as i64))
    }
}
