//! Statements and blocks.

use crate::syntax::{Field, Kind, Node};

use super::{LResult, Lowerer, Reported};
use crate::ast::{Block, Expr, Stmt};
use crate::types::IntTy;

impl Lowerer {
    /// A `{ ... }` block with its own scope; for statement expressions the
    /// last expression statement becomes the block's result.
    pub(crate) fn block(&mut self, n: Node<'_>, stmt_expr: bool) -> LResult<Block> {
        self.push_scope();
        if let Some(f) = self.fctx.as_mut() {
            f.blocks.push(Vec::new());
        }
        let r = self.block_items(n, stmt_expr);
        let locals = self
            .fctx
            .as_mut()
            .and_then(|f| f.blocks.pop())
            .unwrap_or_default();
        self.pop_scope();
        let (stmts, result) = r?;
        let end = n.end_site();
        Ok(Block {
            stmts,
            locals,
            result,
            end,
        })
    }

    fn block_items(&mut self, n: Node<'_>, stmt_expr: bool) -> LResult<(Vec<Stmt>, Option<Expr>)> {
        let kids = self.kids(n);
        let mut stmts = Vec::new();
        let mut result = None;
        let mut failed = false;
        let count = kids.len();
        for (i, k) in kids.into_iter().enumerate() {
            if stmt_expr && i + 1 == count && k.kind() == Kind::ExpressionStatement {
                if let Some(e) = k.named_child(0) {
                    match self.rexpr(e) {
                        Ok(v) => result = Some(v),
                        Err(Reported) => failed = true,
                    }
                }
                continue;
            }
            match self.stmt_list(k) {
                Ok(v) => stmts.extend(v),
                Err(Reported) => failed = true,
            }
        }
        if failed {
            return Err(Reported);
        }
        Ok((stmts, result))
    }

    /// A block item, which may expand to several statements (declarations).
    fn stmt_list(&mut self, n: Node<'_>) -> LResult<Vec<Stmt>> {
        match n.kind() {
            Kind::Declaration => self.declaration(n),
            _ => Ok(vec![self.stmt(n)?]),
        }
    }

    /// A single statement.
    pub(crate) fn stmt(&mut self, n: Node<'_>) -> LResult<Stmt> {
        self.nested(n, |l| l.stmt_inner(n))
    }

    fn stmt_inner(&mut self, n: Node<'_>) -> LResult<Stmt> {
        match n.kind() {
            Kind::CompoundStatement => Ok(Stmt::Block(self.block(n, false)?)),
            Kind::Declaration => {
                let v = self.declaration(n)?;
                Ok(Stmt::Block(Block {
                    stmts: v,
                    ..Block::default()
                }))
            }
            Kind::TypeDefinition => self.type_definition(n).map(|()| Stmt::Empty),
            Kind::StructSpecifier | Kind::UnionSpecifier | Kind::EnumSpecifier => {
                self.type_spec(n).map(|_| Stmt::Empty)
            }
            Kind::ExpressionStatement => match n.named_child(0) {
                None => Ok(Stmt::Empty),
                Some(e) => Ok(Stmt::Expr(self.rexpr(e)?)),
            },
            Kind::IfStatement => self.if_stmt(n),
            Kind::WhileStatement => {
                let c = self.condition(n)?;
                let body = self.loop_body(n)?;
                Ok(Stmt::While(c, Box::new(body), self.site(n)))
            }
            Kind::DoStatement => {
                let body = self.loop_body(n)?;
                let c = self.condition(n)?;
                Ok(Stmt::DoWhile(Box::new(body), c, self.site(n)))
            }
            Kind::ForStatement => self.for_stmt(n),
            Kind::ReturnStatement => self.return_stmt(n),
            Kind::BreakStatement => self.jump(n, false),
            Kind::ContinueStatement => self.jump(n, true),
            Kind::SwitchStatement => self.switch(n),
            Kind::CaseStatement => self.err(n, "`case` label not directly inside a switch body"),
            Kind::GotoStatement => self.unsupported(n, "goto"),
            Kind::LabeledStatement => self.unsupported(n, "label"),
            Kind::GnuAsmExpression => self.unsupported(n, "asm"),
            k => self.unsupported(n, k.name()),
        }
    }

    fn condition(&mut self, n: Node<'_>) -> LResult<Expr> {
        let Some(c) = n.child(Field::Condition) else {
            return self.err(n, "missing condition");
        };
        let c = if c.kind() == Kind::ParenthesizedExpression {
            match c.named_child(0) {
                Some(inner) if inner.kind() != Kind::CompoundStatement => inner,
                _ => c,
            }
        } else {
            c
        };
        self.scalar(c)
    }

    fn if_stmt(&mut self, n: Node<'_>) -> LResult<Stmt> {
        let c = self.condition(n)?;
        let Some(then) = n.child(Field::Consequence) else {
            return self.err(n, "missing `if` body");
        };
        let then = self.stmt(then)?;
        let els = match n.child(Field::Alternative) {
            Some(a) => {
                let s = if a.kind() == Kind::ElseClause {
                    a.named_child(0)
                } else {
                    Some(a)
                };
                match s {
                    Some(s) => Some(Box::new(self.stmt(s)?)),
                    None => None,
                }
            }
            None => None,
        };
        Ok(Stmt::If(c, Box::new(then), els))
    }

    fn loop_body(&mut self, n: Node<'_>) -> LResult<Stmt> {
        let Some(b) = n.child(Field::Body) else {
            return self.err(n, "missing loop body");
        };
        if let Some(f) = self.fctx.as_mut() {
            f.breakable.push(true);
        }
        let r = self.stmt(b);
        if let Some(f) = self.fctx.as_mut() {
            f.breakable.pop();
        }
        r
    }

    fn for_stmt(&mut self, n: Node<'_>) -> LResult<Stmt> {
        self.push_scope();
        if let Some(f) = self.fctx.as_mut() {
            f.blocks.push(Vec::new());
        }
        let r = self.for_parts(n);
        let locals = self
            .fctx
            .as_mut()
            .and_then(|f| f.blocks.pop())
            .unwrap_or_default();
        self.pop_scope();
        let (init, stmt) = r?;
        let end = n.end_site();
        let mut stmts = init;
        stmts.push(stmt);
        Ok(Stmt::Block(Block {
            stmts,
            locals,
            result: None,
            end,
        }))
    }

    fn for_parts(&mut self, n: Node<'_>) -> LResult<(Vec<Stmt>, Stmt)> {
        let init = match n.child(Field::Initializer) {
            Some(i) if i.kind() == Kind::Declaration => self.declaration(i)?,
            Some(i) => vec![Stmt::Expr(self.rexpr(i)?)],
            None => Vec::new(),
        };
        let cond = match n.child(Field::Condition) {
            Some(c) => Some(self.scalar(c)?),
            None => None,
        };
        let step = match n.child(Field::Update) {
            Some(u) => Some(self.rexpr(u)?),
            None => None,
        };
        let body = self.loop_body(n)?;
        Ok((init, Stmt::For(cond, step, Box::new(body), self.site(n))))
    }

    fn return_stmt(&mut self, n: Node<'_>) -> LResult<Stmt> {
        let site = self.site(n);
        let ret = self
            .fctx
            .as_ref()
            .map_or(crate::types::TypeId::VOID, |f| f.ret);
        match n.named_child(0) {
            None => Ok(Stmt::Return(None, site)),
            Some(e) => {
                let v = self.rexpr(e)?;
                if ret == crate::types::TypeId::VOID {
                    return Ok(Stmt::Return(Some(v), site));
                }
                let v = self.convert(v, ret, e)?;
                Ok(Stmt::Return(Some(v), site))
            }
        }
    }

    fn jump(&mut self, n: Node<'_>, is_continue: bool) -> LResult<Stmt> {
        let stack = self
            .fctx
            .as_ref()
            .map(|f| f.breakable.clone())
            .unwrap_or_default();
        if is_continue {
            if !stack.contains(&true) {
                return self.err(n, "`continue` outside of a loop");
            }
            return Ok(Stmt::Continue);
        }
        if stack.is_empty() {
            return self.err(n, "`break` outside of a loop or switch");
        }
        Ok(Stmt::Break)
    }

    fn switch(&mut self, n: Node<'_>) -> LResult<Stmt> {
        let c = self.condition(n)?;
        if !self.types.is_integer(c.ty) {
            return self.err(n, "switch on a non-integer value");
        }
        let ty = self.promote(c.ty);
        let c = self.cast_to(c, ty, n)?;
        let it = self.types.int_ty(ty).unwrap_or(IntTy::INT);
        let Some(body) = n.child(Field::Body) else {
            return self.err(n, "missing switch body");
        };
        if body.kind() != Kind::CompoundStatement {
            return self.unsupported(body, "switch body that is not a block");
        }
        self.push_scope();
        if let Some(f) = self.fctx.as_mut() {
            f.blocks.push(Vec::new());
            f.breakable.push(false);
        }
        let r = self.switch_body(body, it);
        let locals = self.fctx.as_mut().and_then(|f| {
            f.breakable.pop();
            f.blocks.pop()
        });
        self.pop_scope();
        let (stmts, cases, default) = r?;
        let end = body.end_site();
        let block = Block {
            stmts,
            locals: locals.unwrap_or_default(),
            result: None,
            end,
        };
        Ok(Stmt::Switch(c, cases, default, block))
    }

    #[allow(clippy::type_complexity)]
    fn switch_body(
        &mut self,
        body: Node<'_>,
        it: IntTy,
    ) -> LResult<(Vec<Stmt>, Vec<(u64, usize)>, Option<usize>)> {
        let mut stmts = Vec::new();
        let mut cases: Vec<(u64, usize)> = Vec::new();
        let mut default = None;
        let mut failed = false;
        for k in self.kids(body) {
            if k.kind() != Kind::CaseStatement {
                match self.stmt_list(k) {
                    Ok(v) => stmts.extend(v),
                    Err(Reported) => failed = true,
                }
                continue;
            }
            let value = k.child(Field::Value);
            match value {
                Some(v) => match self.const_int(v) {
                    Ok(Some(x)) => {
                        let x = it.norm(x as u64);
                        if cases.iter().any(|c| c.0 == x) {
                            failed |= self.err::<()>(v, "duplicate case value").is_err();
                        }
                        cases.push((x, stmts.len()));
                    }
                    Ok(None) => {
                        failed |= self
                            .err::<()>(v, "case value is not an integer constant")
                            .is_err()
                    }
                    Err(Reported) => failed = true,
                },
                None => {
                    if default.is_some() {
                        failed |= self.err::<()>(k, "multiple default labels").is_err();
                    }
                    default = Some(stmts.len());
                }
            }
            for s in self.kids(k) {
                if value.is_some_and(|v| v.id() == s.id()) {
                    continue;
                }
                match self.stmt_list(s) {
                    Ok(v) => stmts.extend(v),
                    Err(Reported) => failed = true,
                }
            }
        }
        if failed {
            return Err(Reported);
        }
        Ok((stmts, cases, default))
    }
}
