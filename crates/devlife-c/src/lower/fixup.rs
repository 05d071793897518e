//! Post-pass over a lowered function: decides which locals live in memory,
//! rewrites local references accordingly and keeps only memory locals in
//! each block's allocation list.

use super::FnCtx;
use crate::ast::{Block, Body, Expr, ExprKind};
use crate::visit::{walk_block_mut, walk_expr_mut, VisitMut};

/// Builds the function body from the lowering context.
pub(crate) fn finish_body(params: Vec<u32>, mut ctx: FnCtx, mut block: Block) -> Body {
    for (l, taken) in ctx.locals.iter_mut().zip(&ctx.addr_taken) {
        l.in_memory |= *taken;
    }
    let mem: Vec<bool> = ctx.locals.iter().map(|l| l.in_memory).collect();
    Fixer { mem: &mem }.visit_block(&mut block);
    Body {
        params,
        locals: ctx.locals,
        block,
    }
}

struct Fixer<'m> {
    mem: &'m [bool],
}

impl Fixer<'_> {
    fn is_mem(&self, id: u32) -> bool {
        self.mem.get(id as usize).copied().unwrap_or(false)
    }
}

impl VisitMut for Fixer<'_> {
    fn visit_block(&mut self, b: &mut Block) {
        b.locals.retain(|id| self.is_mem(*id));
        walk_block_mut(self, b);
    }

    fn visit_expr(&mut self, e: &mut Expr) {
        if let ExprKind::LocalReg(id) = e.kind {
            if self.is_mem(id) {
                e.kind = ExprKind::LocalMem(id);
            }
        }
        walk_expr_mut(self, e);
    }
}
