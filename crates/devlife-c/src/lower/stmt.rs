//! Statements and blocks.

use tree_sitter::Node;

use super::{fld, LResult, Lowerer, Reported};
use crate::ast::{Block, Expr, Stmt};
use crate::types::IntTy;

impl<'a> Lowerer<'a> {
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
        let end = self.r.site_at(n.end_byte().saturating_sub(1));
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
            if stmt_expr && i + 1 == count && k.kind() == "expression_statement" {
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
            "declaration" => self.declaration(n),
            _ => Ok(vec![self.stmt(n)?]),
        }
    }

    /// A single statement.
    pub(crate) fn stmt(&mut self, n: Node<'_>) -> LResult<Stmt> {
        self.nested(n, |l| l.stmt_inner(n))
    }

    fn stmt_inner(&mut self, n: Node<'_>) -> LResult<Stmt> {
        match n.kind() {
            "compound_statement" => Ok(Stmt::Block(self.block(n, false)?)),
            "declaration" => {
                let v = self.declaration(n)?;
                Ok(Stmt::Block(Block {
                    stmts: v,
                    ..Block::default()
                }))
            }
            "type_definition" => self.type_definition(n).map(|()| Stmt::Empty),
            "struct_specifier" | "union_specifier" | "enum_specifier" => {
                self.type_spec(n).map(|_| Stmt::Empty)
            }
            "expression_statement" => match n.named_child(0) {
                None => Ok(Stmt::Empty),
                Some(e) => Ok(Stmt::Expr(self.rexpr(e)?)),
            },
            "if_statement" => self.if_stmt(n),
            "while_statement" => {
                let c = self.condition(n)?;
                let body = self.loop_body(n)?;
                Ok(Stmt::While(c, Box::new(body), self.site(n)))
            }
            "do_statement" => {
                let body = self.loop_body(n)?;
                let c = self.condition(n)?;
                Ok(Stmt::DoWhile(Box::new(body), c, self.site(n)))
            }
            "for_statement" => self.for_stmt(n),
            "return_statement" => self.return_stmt(n),
            "break_statement" => self.jump(n, false),
            "continue_statement" => self.jump(n, true),
            "switch_statement" => self.switch(n),
            "case_statement" => self.err(n, "`case` label not directly inside a switch body"),
            "attributed_statement" => match self
                .kids(n)
                .into_iter()
                .find(|k| k.kind() != "attribute_declaration")
            {
                Some(s) => self.stmt(s),
                None => Ok(Stmt::Empty),
            },
            "goto_statement" => self.unsupported(n, "goto"),
            "labeled_statement" => self.unsupported(n, "label"),
            "gnu_asm_expression" | "asm_statement" => self.unsupported(n, "asm"),
            "ERROR" => self.err(n, "syntax error"),
            ";" => Ok(Stmt::Empty),
            k => self.unsupported(n, k),
        }
    }

    fn condition(&mut self, n: Node<'_>) -> LResult<Expr> {
        let Some(c) = n.child_by_field_id(fld().condition) else {
            return self.err(n, "missing condition");
        };
        let c = if c.kind() == "parenthesized_expression" {
            match c.named_child(0) {
                Some(inner) if inner.kind() != "compound_statement" => inner,
                _ => c,
            }
        } else {
            c
        };
        self.scalar(c)
    }

    fn if_stmt(&mut self, n: Node<'_>) -> LResult<Stmt> {
        let c = self.condition(n)?;
        let Some(then) = n.child_by_field_id(fld().consequence) else {
            return self.err(n, "missing `if` body");
        };
        let then = self.stmt(then)?;
        let els = match n.child_by_field_id(fld().alternative) {
            Some(a) => {
                let s = if a.kind() == "else_clause" {
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
        let Some(b) = n.child_by_field_id(fld().body) else {
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
        let end = self.r.site_at(n.end_byte().saturating_sub(1));
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
        let init = match n.child_by_field_id(fld().initializer) {
            Some(i) if i.kind() == "declaration" => self.declaration(i)?,
            Some(i) => vec![Stmt::Expr(self.rexpr(i)?)],
            None => Vec::new(),
        };
        let cond = match n.child_by_field_id(fld().condition) {
            Some(c) => Some(self.scalar(c)?),
            None => None,
        };
        let step = match n.child_by_field_id(fld().update) {
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
        let Some(body) = n.child_by_field_id(fld().body) else {
            return self.err(n, "missing switch body");
        };
        if body.kind() != "compound_statement" {
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
        let end = self.r.site_at(body.end_byte().saturating_sub(1));
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
            if k.kind() != "case_statement" {
                match self.stmt_list(k) {
                    Ok(v) => stmts.extend(v),
                    Err(Reported) => failed = true,
                }
                continue;
            }
            let value = k.child_by_field_id(fld().value);
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
