//! Compiling lowered statements, blocks and function bodies into closures
//! ([`super::code`]). A statement counts the steps of the nodes it
//! evaluates when it starts; a loop counts one step per iteration besides.

use super::code::{CFunc, Code, Ev, Flow, MemLocal, MemParam, Norm, Param, St};
use super::compile::Cc;
use super::operand::Op;
use super::steps::{count, count_init};
use crate::ast::{Block, Expr, ExprKind, FuncId, Init, Stmt};
use crate::env::Trap;
use crate::source::Site;
use crate::types::TypeId;
use crate::value::Addr;

/// Compiles function `f` of `code`'s program; `None` if C does not
/// define it.
pub(crate) fn function(code: &Code, f: FuncId) -> Option<CFunc> {
    let p = &*code.prog;
    let func = p.funcs.get(f.0 as usize)?;
    let body = func.body.as_ref()?;
    let cc = Cc {
        code,
        p,
        locals: &body.locals,
    };
    let params: Box<[Param]> = body.params.iter().map(|&id| cc.param(id)).collect();
    let sig = p.types.func_sig(func.ty);
    let ret_ty = sig.map_or(TypeId::VOID, |s| s.ret);
    let ret = sig.map_or(Norm::Keep, |s| Norm::of(&p.types, s.ret));
    let arg_norms = (0..params.len())
        .map(|i| {
            sig.and_then(|s| s.params.get(i))
                .map(|&t| Norm::of(&p.types, t))
        })
        .collect();
    Some(CFunc {
        nlocals: body.locals.len(),
        mem_params: params.iter().any(|p| p.mem.is_some()),
        params,
        arg_norms,
        ret_ty,
        site: func.site,
        body: cc.block(&body.block),
        end: body.block.end,
        ret,
    })
}

/// A statement inside a block: the common kinds are run by the block itself.
enum Piece {
    /// An expression statement: its steps, site and expression.
    Eval(u32, Site, Ev),
    /// A register local's declaration with its initial value.
    Set(u32, Site, u32, Op),
    /// Any other statement.
    Other(St),
}

fn normal() -> St {
    Box::new(|_, _, _| Ok(Flow::Normal))
}

impl Cc<'_> {
    fn param(&self, id: u32) -> Param {
        let Some(l) = self.locals.get(id as usize) else {
            return Param {
                slot: id,
                norm: Norm::Keep,
                mem: None,
            };
        };
        let types = &self.p.types;
        let mem = l.in_memory.then(|| MemParam {
            local: self.mem_local(id).unwrap_or_else(|| MemLocal {
                slot: id,
                size: l.size,
                name: l.name.as_str().into(),
                site: l.site,
            }),
            store: types
                .int_ty(l.ty)
                .ok_or_else(|| format!("store of non-scalar type `{}`", types.name(l.ty)).into()),
        });
        Param {
            slot: id,
            norm: Norm::of(types, l.ty),
            mem,
        }
    }

    fn mem_local(&self, id: u32) -> Option<MemLocal> {
        let l = self.locals.get(id as usize)?;
        Some(MemLocal {
            slot: id,
            size: l.size,
            name: l.name.as_str().into(),
            site: l.site,
        })
    }

    fn mem_locals(&self, ids: &[u32]) -> Box<[MemLocal]> {
        ids.iter().filter_map(|&id| self.mem_local(id)).collect()
    }

    /// A block: its memory locals live while its statements run.
    pub(crate) fn block(&self, b: &Block) -> St {
        let body = self.seq(&b.stmts);
        let locals = self.mem_locals(&b.locals);
        if locals.is_empty() {
            return body;
        }
        let end = b.end;
        Box::new(move |c, it, env| {
            it.alloc_locals(env, &locals, end)?;
            let r = body(c, it, env);
            it.free_locals(env, &locals, end);
            r
        })
    }

    /// Statements run in order until one does not complete normally.
    /// Expression statements and register declarations, most of any
    /// block, run inline in the block's loop, without a call of their own.
    fn seq(&self, stmts: &[Stmt]) -> St {
        if stmts.len() <= 1 {
            return stmts.first().map_or_else(normal, |s| self.stmt(s));
        }
        let all: Vec<Piece> = stmts.iter().map(|s| self.piece(s)).collect();
        Box::new(move |c, it, env| {
            for p in &all {
                match p {
                    Piece::Eval(n, site, ev) => {
                        it.tick(*n, *site)?;
                        ev(c, it, env)?;
                    }
                    Piece::Set(n, site, slot, op) => {
                        it.tick(*n, *site)?;
                        let v = op.get(c, it, env)?;
                        it.set_reg(*slot, v);
                    }
                    Piece::Other(s) => {
                        let f = s(c, it, env)?;
                        if f != Flow::Normal {
                            return Ok(f);
                        }
                    }
                }
            }
            Ok(Flow::Normal)
        })
    }

    /// A statement as a piece of a block.
    fn piece(&self, s: &Stmt) -> Piece {
        match s {
            Stmt::Expr(e) => Piece::Eval(count(e), e.site, self.value(e)),
            Stmt::Init(id, Init::Scalar(e), site)
                if self.locals.get(*id as usize).is_some_and(|l| !l.in_memory) =>
            {
                Piece::Set(count(e), *site, *id, self.operand(e))
            }
            s => Piece::Other(self.stmt(s)),
        }
    }

    /// Compiles a statement.
    pub(crate) fn stmt(&self, s: &Stmt) -> St {
        match s {
            Stmt::Expr(e) => {
                let (n, site, ev) = (count(e), e.site, self.value(e));
                Box::new(move |c, it, env| {
                    it.tick(n, site)?;
                    ev(c, it, env)?;
                    Ok(Flow::Normal)
                })
            }
            Stmt::Init(id, init, site) => self.local_init(*id, init, *site),
            Stmt::If(k, t, e) => {
                let (n, site, k) = (count(k), k.site, self.test(k));
                let t = self.stmt(t);
                let e = e.as_deref().map_or_else(normal, |e| self.stmt(e));
                Box::new(move |c, it, env| {
                    it.tick(n, site)?;
                    if k.holds(c, it, env)? {
                        t(c, it, env)
                    } else {
                        e(c, it, env)
                    }
                })
            }
            Stmt::While(k, body, site) => self.for_loop(Some(k), None, body, *site),
            Stmt::For(k, step, body, site) => self.for_loop(k.as_ref(), step.as_ref(), body, *site),
            Stmt::DoWhile(body, k, site) => self.do_while(body, k, *site),
            Stmt::Block(b) => self.block(b),
            Stmt::Switch(k, cases, default, body) => self.switch(k, cases, *default, body),
            Stmt::Break => Box::new(|_, _, _| Ok(Flow::Break)),
            Stmt::Continue => Box::new(|_, _, _| Ok(Flow::Continue)),
            Stmt::Return(None, _) => Box::new(|_, _, _| Ok(Flow::Return(0))),
            Stmt::Return(Some(e), _) => {
                let (n, site, ev) = (count(e), e.site, self.operand(e));
                Box::new(move |c, it, env| {
                    it.tick(n, site)?;
                    Ok(Flow::Return(ev.get(c, it, env)?))
                })
            }
            Stmt::Empty => normal(),
        }
    }

    /// The declaration of local `id` with an initializer.
    fn local_init(&self, id: u32, init: &Init, site: Site) -> St {
        let Some(l) = self.locals.get(id as usize) else {
            return normal();
        };
        let n = count_init(init);
        if l.in_memory {
            let run = self.init(init, l.ty, site);
            return Box::new(move |c, it, env| {
                it.tick(n, site)?;
                run(c, it, env, Addr(it.reg(id)))?;
                Ok(Flow::Normal)
            });
        }
        let Init::Scalar(e) = init else {
            return normal();
        };
        let ev = self.operand(e);
        Box::new(move |c, it, env| {
            it.tick(n, site)?;
            let v = ev.get(c, it, env)?;
            it.set_reg(id, v);
            Ok(Flow::Normal)
        })
    }

    /// `while (k) body` and `for (; k; step) body`: each iteration is a
    /// step, besides the nodes of the test and of the step expression.
    fn for_loop(&self, k: Option<&Expr>, step: Option<&Expr>, body: &Stmt, site: Site) -> St {
        let n = 1u32.saturating_add(k.map_or(0, count));
        let k = k.map(|k| self.test(k));
        let step = step.map(|s| (count(s), s.site, self.value(s)));
        let body = self.stmt(body);
        Box::new(move |c, it, env| {
            loop {
                it.tick(n, site)?;
                if let Some(k) = &k {
                    if !k.holds(c, it, env)? {
                        break;
                    }
                }
                match body(c, it, env)? {
                    Flow::Break => break,
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    Flow::Normal | Flow::Continue => {}
                }
                if let Some((n, site, s)) = &step {
                    it.tick(*n, *site)?;
                    s(c, it, env)?;
                }
            }
            Ok(Flow::Normal)
        })
    }

    fn do_while(&self, body: &Stmt, k: &Expr, site: Site) -> St {
        if let ExprKind::Const(0) = k.kind {
            return self.do_once(body, count(k), site);
        }
        let (n, ksite, k) = (count(k), k.site, self.test(k));
        let body = self.stmt(body);
        Box::new(move |c, it, env| {
            loop {
                it.tick(1, site)?;
                match body(c, it, env)? {
                    Flow::Break => break,
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    Flow::Normal | Flow::Continue => {}
                }
                it.tick(n, ksite)?;
                if !k.holds(c, it, env)? {
                    break;
                }
            }
            Ok(Flow::Normal)
        })
    }

    /// `do { ... } while (0)`, the macro writer's statement: the body runs
    /// once, and its test (counted, never looping) is not evaluated.
    fn do_once(&self, body: &Stmt, n: u32, site: Site) -> St {
        let body = self.stmt(body);
        let n = n.saturating_add(1);
        Box::new(move |c, it, env| {
            it.tick(n, site)?;
            match body(c, it, env)? {
                Flow::Return(v) => Ok(Flow::Return(v)),
                Flow::Normal | Flow::Break | Flow::Continue => Ok(Flow::Normal),
            }
        })
    }

    /// `switch`: runs the body's statements from the matching label on.
    fn switch(&self, k: &Expr, cases: &[(u64, usize)], default: Option<usize>, body: &Block) -> St {
        let (n, site, k) = (count(k), k.site, self.value(k));
        let cases = cases.to_vec();
        let stmts: Vec<St> = body.stmts.iter().map(|s| self.stmt(s)).collect();
        let locals = self.mem_locals(&body.locals);
        let end = body.end;
        Box::new(move |c, it, env| {
            it.tick(n, site)?;
            let v = k(c, it, env)?;
            let start = cases.iter().find(|(cv, _)| *cv == v).map(|c| c.1);
            let Some(start) = start.or(default) else {
                return Ok(Flow::Normal);
            };
            it.alloc_locals(env, &locals, end)?;
            let mut r = Ok(Flow::Normal);
            for s in stmts.get(start..).unwrap_or(&[]) {
                r = s(c, it, env);
                if !matches!(r, Ok(Flow::Normal)) {
                    break;
                }
            }
            it.free_locals(env, &locals, end);
            match r? {
                Flow::Break => Ok(Flow::Normal),
                f => Ok(f),
            }
        })
    }

    /// A GNU statement expression: the block's value is its last
    /// expression's.
    pub(crate) fn stmt_expr(&self, b: &Block, site: Site) -> Ev {
        let body = self.seq(&b.stmts);
        let locals = self.mem_locals(&b.locals);
        let result = b.result.as_ref().map(|e| (count(e), e.site, self.value(e)));
        let end = b.end;
        Box::new(move |c, it, env| {
            it.alloc_locals(env, &locals, end)?;
            let r = body(c, it, env).and_then(|f| match f {
                Flow::Normal => match &result {
                    Some((n, rsite, e)) => {
                        it.tick(*n, *rsite)?;
                        e(c, it, env)
                    }
                    None => Ok(0),
                },
                _ => Err(Box::new(Trap::Unsupported {
                    what: "`return`, `break` or `continue` leaving a statement expression".into(),
                    site,
                })),
            });
            it.free_locals(env, &locals, end);
            r
        })
    }
}
