//! Statement execution.

use super::{Cx, Fallible, Interp};
use crate::ast::{Block, Stmt};
use crate::env::{Env, Trap};
use crate::source::Site;
use crate::value::Addr;

/// How a statement completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
    Return(u64),
}

impl Interp {
    /// Runs a block: allocates its memory locals, runs the statements, frees them.
    pub(crate) fn exec_block<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        b: &Block,
    ) -> Fallible<Flow> {
        self.enter_block(env, cx, b)?;
        let r = self.exec_stmts(env, cx, &b.stmts);
        self.leave_block(env, cx, b);
        r
    }

    fn exec_stmts<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        stmts: &[Stmt],
    ) -> Fallible<Flow> {
        for s in stmts {
            let f = self.exec(env, cx, s)?;
            if f != Flow::Normal {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    fn enter_block<E: Env + ?Sized>(&mut self, env: &mut E, cx: Cx<'_>, b: &Block) -> Fallible<()> {
        for (k, &id) in b.locals.iter().enumerate() {
            let Some(l) = cx.locals.get(id as usize) else {
                continue;
            };
            match self.alloc_local(env, l) {
                Ok(a) => self.set_slot(cx.fp + id as usize, a.0),
                Err(t) => {
                    for &done in b.locals[..k].iter().rev() {
                        env.free_stack(Addr(self.slot(cx.fp + done as usize)), b.end);
                    }
                    return Err(Box::new(t));
                }
            }
        }
        Ok(())
    }

    fn leave_block<E: Env + ?Sized>(&mut self, env: &mut E, cx: Cx<'_>, b: &Block) {
        for &id in b.locals.iter().rev() {
            env.free_stack(Addr(self.slot(cx.fp + id as usize)), b.end);
        }
    }

    /// Runs a statement expression and returns its value.
    pub(crate) fn exec_stmt_expr<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        b: &Block,
        site: Site,
    ) -> Fallible<u64> {
        self.enter_block(env, cx, b)?;
        let r = self.exec_stmts(env, cx, &b.stmts).and_then(|f| match f {
            Flow::Normal => match &b.result {
                Some(e) => self.eval(env, cx, e),
                None => Ok(0),
            },
            _ => Err(Box::new(Trap::Unsupported {
                what: "`return`, `break` or `continue` leaving a statement expression".into(),
                site,
            })),
        });
        self.leave_block(env, cx, b);
        r
    }

    /// Runs a statement. Expression statements, declarations and blocks
    /// without memory locals, the most common kinds, are run here, inlined
    /// into the caller; the rest go through [`Interp::exec_inner`].
    #[inline(always)]
    fn exec<E: Env + ?Sized>(&mut self, env: &mut E, cx: Cx<'_>, s: &Stmt) -> Fallible<Flow> {
        match s {
            Stmt::Expr(e) => {
                self.eval(env, cx, e)?;
                Ok(Flow::Normal)
            }
            Stmt::Init(id, init, site) => {
                self.exec_init(env, cx, *id, init, *site)?;
                Ok(Flow::Normal)
            }
            Stmt::Block(b) if b.locals.is_empty() => self.exec_stmts(env, cx, &b.stmts),
            _ => self.deeper(|it| it.exec_inner(env, cx, s)),
        }
    }

    /// Runs any statement; [`Interp::exec`] sends here those it does not run
    /// itself. Never inlined: its frame is large.
    #[inline(never)]
    fn exec_inner<E: Env + ?Sized>(&mut self, env: &mut E, cx: Cx<'_>, s: &Stmt) -> Fallible<Flow> {
        match s {
            Stmt::Expr(e) => {
                self.eval(env, cx, e)?;
                Ok(Flow::Normal)
            }
            Stmt::Init(id, init, site) => {
                self.exec_init(env, cx, *id, init, *site)?;
                Ok(Flow::Normal)
            }
            Stmt::If(c, t, e) => {
                if self.eval(env, cx, c)? != 0 {
                    self.exec(env, cx, t)
                } else if let Some(e) = e {
                    self.exec(env, cx, e)
                } else {
                    Ok(Flow::Normal)
                }
            }
            Stmt::While(c, body, site) => {
                loop {
                    self.step(*site)?;
                    if self.eval(env, cx, c)? == 0 {
                        break;
                    }
                    match self.exec(env, cx, body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::DoWhile(body, c, site) => {
                loop {
                    self.step(*site)?;
                    match self.exec(env, cx, body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                    if self.eval(env, cx, c)? == 0 {
                        break;
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::For(c, step, body, site) => {
                self.exec_for(env, cx, c.as_ref(), step.as_ref(), body, *site)
            }
            Stmt::Block(b) => self.exec_block(env, cx, b),
            Stmt::Switch(c, cases, default, body) => {
                let v = self.eval(env, cx, c)?;
                let start = cases
                    .iter()
                    .find(|(cv, _)| *cv == v)
                    .map(|c| c.1)
                    .or(*default);
                let Some(start) = start else {
                    return Ok(Flow::Normal);
                };
                self.enter_block(env, cx, body)?;
                let r = self.exec_stmts(env, cx, body.stmts.get(start..).unwrap_or(&[]));
                self.leave_block(env, cx, body);
                match r? {
                    Flow::Break => Ok(Flow::Normal),
                    f => Ok(f),
                }
            }
            Stmt::Break => Ok(Flow::Break),
            Stmt::Continue => Ok(Flow::Continue),
            Stmt::Return(e, _) => match e {
                Some(e) => Ok(Flow::Return(self.eval(env, cx, e)?)),
                None => Ok(Flow::Return(0)),
            },
            Stmt::Empty => Ok(Flow::Normal),
        }
    }

    fn exec_for<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        c: Option<&crate::ast::Expr>,
        step: Option<&crate::ast::Expr>,
        body: &Stmt,
        site: Site,
    ) -> Fallible<Flow> {
        loop {
            self.step(site)?;
            if let Some(c) = c {
                if self.eval(env, cx, c)? == 0 {
                    break;
                }
            }
            match self.exec(env, cx, body)? {
                Flow::Break => break,
                Flow::Return(v) => return Ok(Flow::Return(v)),
                _ => {}
            }
            if let Some(s) = step {
                self.eval(env, cx, s)?;
            }
        }
        Ok(Flow::Normal)
    }

    fn exec_init<E: Env + ?Sized>(
        &mut self,
        env: &mut E,
        cx: Cx<'_>,
        id: u32,
        init: &crate::ast::Init,
        site: Site,
    ) -> Fallible<()> {
        let Some(l) = cx.locals.get(id as usize) else {
            return Ok(());
        };
        let slot = cx.fp + id as usize;
        if l.in_memory {
            let a = Addr(self.slot(slot));
            return self.run_init(env, cx, init, a, l.ty, site);
        }
        if let crate::ast::Init::Scalar(e) = init {
            let v = self.eval(env, cx, e)?;
            self.set_slot(slot, v);
        }
        Ok(())
    }
}
