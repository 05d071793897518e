//! Initializers: scalars, strings, struct copies and brace lists with
//! designators and brace elision.

use smallvec::SmallVec;

use crate::syntax::{Field, Kind, Node};

use super::{LResult, Lowerer};
use crate::ast::{Init, InitOp};
use crate::types::{TypeId, TypeKind};

/// An element of a braced initializer list.
struct Item<'t> {
    designators: SmallVec<[Node<'t>; 2]>,
    value: Node<'t>,
}

impl Lowerer {
    /// Lowers the initializer of an object of type `ty`; returns the
    /// initialization and the (possibly completed) type.
    pub(crate) fn initializer(&mut self, ty: TypeId, n: Node<'_>) -> LResult<(Init, TypeId)> {
        if !self.types.is_aggregate(ty) {
            let v = self.scalar_init(ty, n)?;
            return Ok((Init::Scalar(v), ty));
        }
        let mut ops = Vec::new();
        let ty = self.aggregate_value(ty, 0, n, &mut ops)?;
        Ok((Init::Aggregate(ops), ty))
    }

    fn scalar_init(&mut self, ty: TypeId, n: Node<'_>) -> LResult<crate::ast::Expr> {
        self.nested(n, |l| l.scalar_init_inner(ty, n))
    }

    fn scalar_init_inner(&mut self, ty: TypeId, n: Node<'_>) -> LResult<crate::ast::Expr> {
        if n.kind() == Kind::InitializerList {
            let items = self.kids(n);
            return match items.first() {
                None => {
                    let site = self.site(n);
                    let z = self.mk(crate::ast::ExprKind::Const(0), TypeId::LONG, site);
                    self.convert(z, ty, n)
                }
                Some(first) if first.kind() == Kind::InitializerPair => {
                    self.err(*first, "designator for a scalar")
                }
                Some(first) => self.scalar_init(ty, *first),
            };
        }
        let v = self.rexpr(n)?;
        self.convert(v, ty, n)
    }

    /// Initializes an aggregate at `off` from one value node (list, string
    /// or struct expression); returns the completed type.
    fn aggregate_value(
        &mut self,
        ty: TypeId,
        off: u64,
        n: Node<'_>,
        ops: &mut Vec<InitOp>,
    ) -> LResult<TypeId> {
        self.nested(n, |l| l.aggregate_value_inner(ty, off, n, ops))
    }

    fn aggregate_value_inner(
        &mut self,
        ty: TypeId,
        off: u64,
        n: Node<'_>,
        ops: &mut Vec<InitOp>,
    ) -> LResult<TypeId> {
        if n.kind() == Kind::InitializerList {
            let items = self.items(n);
            if items.is_empty() {
                // `= {}` of an incomplete struct: reported at the braces.
                if let Some(tn) = self.incomplete_struct_name(ty) {
                    return self.err(n, format!("initializer for incomplete type `{tn}`"));
                }
            }
            let mut pos = 0;
            return self.fill(ty, off, &items, &mut pos, ops, true);
        }
        if let Some(t) = self.string_into_array(ty, off, n, ops)? {
            return Ok(t);
        }
        let e = self.expr(n)?;
        if e.ty == ty && e.is_place() {
            let size = self.types.size_of(ty).unwrap_or(0);
            ops.push(InitOp::Copy(off, e, size));
            return Ok(ty);
        }
        let (a, b) = (self.types.name(e.ty), self.types.name(ty));
        self.err(n, format!("cannot initialize `{b}` from `{a}`"))
    }

    /// `char buf[] = "..."`; returns `None` if this is not that case.
    fn string_into_array(
        &mut self,
        ty: TypeId,
        off: u64,
        n: Node<'_>,
        ops: &mut Vec<InitOp>,
    ) -> LResult<Option<TypeId>> {
        let TypeKind::Array { elem, len } = *self.types.kind(ty) else {
            return Ok(None);
        };
        let is_char = matches!(self.types.kind(elem), TypeKind::Int(it) if it.size == 1);
        if !is_char || !matches!(n.kind(), Kind::StringLiteral | Kind::ConcatenatedString) {
            return Ok(None);
        }
        let e = self.expr(n)?;
        let crate::ast::ExprKind::Str(id) = e.kind else {
            return Ok(None);
        };
        let mut bytes = self.strings.get(id as usize).cloned().unwrap_or_default();
        bytes.push(0);
        let n_len = len.unwrap_or(bytes.len() as u64);
        bytes.truncate(n_len as usize);
        ops.push(InitOp::Bytes(off, bytes));
        Ok(Some(self.types.array(elem, Some(n_len))))
    }

    fn items<'t>(&self, list: Node<'t>) -> Vec<Item<'t>> {
        let mut out = Vec::new();
        for k in self.kids(list) {
            if k.kind() == Kind::InitializerPair {
                let designators = k.children_by(Field::Designator).collect();
                if let Some(value) = k.child(Field::Value) {
                    out.push(Item { designators, value });
                }
            } else {
                out.push(Item {
                    designators: SmallVec::new(),
                    value: k,
                });
            }
        }
        out
    }

    /// Fills the aggregate `ty` at `off` from `items[*pos..]`. A braced
    /// (`top`) level consumes all items; an elided level stops when full or
    /// at a designator. Returns the (completed) type.
    fn fill(
        &mut self,
        ty: TypeId,
        off: u64,
        items: &[Item<'_>],
        pos: &mut usize,
        ops: &mut Vec<InitOp>,
        top: bool,
    ) -> LResult<TypeId> {
        match self.types.kind(ty).clone() {
            TypeKind::Struct(sid) => {
                let (nfields, is_union) = match self.types.struct_def(sid) {
                    Some(d) if d.complete => (d.fields.len(), d.is_union),
                    _ => {
                        let tn = self.types.name(ty);
                        // An empty list never gets here (the caller reports
                        // it at its braces): the item at `pos` is the
                        // first this level would take.
                        let at = items.get(*pos).or(items.first());
                        let site = at.map_or(crate::source::Site::NONE, |i| self.site(i.value));
                        return self
                            .err_at(site, format!("initializer for incomplete type `{tn}`"));
                    }
                };
                let limit = if is_union { nfields.min(1) } else { nfields };
                let mut fi = 0;
                while let Some(item) = items.get(*pos) {
                    if !item.designators.is_empty() {
                        if !top {
                            break;
                        }
                        fi = self.designated(ty, off, item, ops)? + 1;
                        *pos += 1;
                        continue;
                    }
                    if fi >= limit {
                        if top {
                            return self.err(item.value, "excess elements in struct initializer");
                        }
                        break;
                    }
                    let field = self.types.struct_def(sid).and_then(|d| d.fields.get(fi));
                    let (fty, foff) = field.map_or((TypeId::VOID, 0), |f| (f.ty, f.offset));
                    self.member_init(fty, off + foff, items, pos, ops)?;
                    fi += 1;
                }
                Ok(ty)
            }
            TypeKind::Array { elem, len } => self.fill_array(elem, len, off, items, pos, ops, top),
            _ => {
                self.member_init(ty, off, items, pos, ops)?;
                Ok(ty)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn fill_array(
        &mut self,
        elem: TypeId,
        len: Option<u64>,
        off: u64,
        items: &[Item<'_>],
        pos: &mut usize,
        ops: &mut Vec<InitOp>,
        top: bool,
    ) -> LResult<TypeId> {
        let esize = self.types.size_of(elem).unwrap_or(0);
        let mut idx: u64 = 0;
        let mut max: u64 = 0;
        while let Some(item) = items.get(*pos) {
            if !item.designators.is_empty() {
                if !top {
                    break;
                }
                let d = item.designators[0];
                let Some(i) = self.array_designator(d, len)? else {
                    return self.err(d, "field designator in array initializer");
                };
                let sub_off = off + i * esize;
                self.designate(elem, sub_off, &item.designators[1..], item.value, ops)?;
                idx = i + 1;
                max = max.max(idx);
                *pos += 1;
                continue;
            }
            if len.is_some_and(|l| idx >= l) {
                if top {
                    return self.err(item.value, "excess elements in array initializer");
                }
                break;
            }
            if idx > (1 << 24) {
                return self.err(item.value, "array initializer too large");
            }
            self.member_init(elem, off + idx * esize, items, pos, ops)?;
            idx += 1;
            max = max.max(idx);
        }
        Ok(self.types.array(elem, Some(len.unwrap_or(max))))
    }

    fn array_designator(&mut self, d: Node<'_>, len: Option<u64>) -> LResult<Option<u64>> {
        if d.kind() != Kind::SubscriptDesignator {
            if d.kind() == Kind::SubscriptRangeDesignator {
                return self.unsupported(d, "range designator");
            }
            return Ok(None);
        }
        let Some(e) = d.named_child(0) else {
            return self.err(d, "malformed designator");
        };
        match self.const_int(e)? {
            Some(i) if i >= 0 && len.is_none_or(|l| (i as u64) < l) && i < (1 << 24) => {
                Ok(Some(i as u64))
            }
            Some(_) => self.err(e, "array designator index out of bounds"),
            None => self.err(e, "array designator is not an integer constant"),
        }
    }

    /// Initializes one positional member of type `ty` at `off`.
    fn member_init(
        &mut self,
        ty: TypeId,
        off: u64,
        items: &[Item<'_>],
        pos: &mut usize,
        ops: &mut Vec<InitOp>,
    ) -> LResult<()> {
        let Some(item) = items.get(*pos) else {
            return Ok(());
        };
        let v = item.value;
        if !self.types.is_aggregate(ty) {
            let e = self.scalar_init(ty, v)?;
            ops.push(InitOp::Scalar(off, e));
            *pos += 1;
            return Ok(());
        }
        if v.kind() == Kind::InitializerList {
            self.aggregate_value(ty, off, v, ops)?;
            *pos += 1;
            return Ok(());
        }
        if self.string_into_array(ty, off, v, ops)?.is_some() {
            *pos += 1;
            return Ok(());
        }
        if matches!(self.types.kind(ty), TypeKind::Struct(_)) && self.is_struct_value(v, ty) {
            self.aggregate_value(ty, off, v, ops)?;
            *pos += 1;
            return Ok(());
        }
        self.fill(ty, off, items, pos, ops, false).map(drop)
    }

    /// The name of `ty` if it is a struct or union declared but not defined.
    fn incomplete_struct_name(&self, ty: TypeId) -> Option<String> {
        let TypeKind::Struct(sid) = self.types.kind(ty) else {
            return None;
        };
        let complete = self.types.struct_def(*sid).is_some_and(|d| d.complete);
        (!complete).then(|| self.types.name(ty))
    }

    /// Whether `v` (an expression) has exactly struct type `ty`.
    fn is_struct_value(&mut self, v: Node<'_>, ty: TypeId) -> bool {
        let saved = self.errors.len();
        let r = self.expr(v).map(|e| e.ty == ty);
        self.errors.truncate(saved);
        r.unwrap_or(false)
    }

    /// A designated item at a braced level of struct type `ty`; returns the
    /// index of the top-level field it designates.
    fn designated(
        &mut self,
        ty: TypeId,
        off: u64,
        item: &Item<'_>,
        ops: &mut Vec<InitOp>,
    ) -> LResult<usize> {
        let d = item.designators[0];
        let TypeKind::Struct(sid) = *self.types.kind(ty) else {
            return self.err(d, "designator for a non-struct");
        };
        if d.kind() != Kind::FieldDesignator {
            return self.err(d, "array designator in struct initializer");
        }
        let name = d.named_child(0).map(|c| self.text(c)).unwrap_or("");
        let Some((moff, mty)) = self.types.find_member(sid, name) else {
            let tn = self.types.name(ty);
            return self.err(d, format!("no member named `{name}` in `{tn}`"));
        };
        let index = self.field_index(sid, moff, name);
        self.designate(mty, off + moff, &item.designators[1..], item.value, ops)?;
        Ok(index)
    }

    fn field_index(&self, sid: crate::types::StructId, moff: u64, name: &str) -> usize {
        let Some(def) = self.types.struct_def(sid) else {
            return 0;
        };
        if let Some(i) = def
            .fields
            .iter()
            .position(|f| f.name.as_deref() == Some(name))
        {
            return i;
        }
        def.fields
            .iter()
            .rposition(|f| f.name.is_none() && f.offset <= moff)
            .unwrap_or(0)
    }

    /// Applies the remaining designators, then the value.
    fn designate(
        &mut self,
        ty: TypeId,
        off: u64,
        rest: &[Node<'_>],
        value: Node<'_>,
        ops: &mut Vec<InitOp>,
    ) -> LResult<()> {
        let Some((d, more)) = rest.split_first() else {
            if self.types.is_aggregate(ty) {
                return self.aggregate_value(ty, off, value, ops).map(drop);
            }
            let e = self.scalar_init(ty, value)?;
            ops.push(InitOp::Scalar(off, e));
            return Ok(());
        };
        match self.types.kind(ty).clone() {
            TypeKind::Struct(sid) if d.kind() == Kind::FieldDesignator => {
                let name = d.named_child(0).map(|c| self.text(c)).unwrap_or("");
                let Some((moff, mty)) = self.types.find_member(sid, name) else {
                    return self.err(*d, format!("no member named `{name}`"));
                };
                self.designate(mty, off + moff, more, value, ops)
            }
            TypeKind::Array { elem, len } => {
                let Some(i) = self.array_designator(*d, len)? else {
                    return self.err(*d, "field designator for an array");
                };
                let esize = self.types.size_of(elem).unwrap_or(0);
                self.designate(elem, off + i * esize, more, value, ops)
            }
            _ => self.err(*d, "designator does not match the initialized type"),
        }
    }
}
