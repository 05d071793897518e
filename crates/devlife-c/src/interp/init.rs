//! Initializers: of globals, of memory locals, of compound literals.

use super::code::InitFn;
use super::compile::{trap, Cc};
use super::Fallible;
use crate::ast::{Init, InitOp};
use crate::env::{Env, Trap};
use crate::memory::MAX_ALLOC_SIZE;
use crate::source::Site;
use crate::types::TypeId;
use crate::value::Addr;

/// Zeros written over an aggregate before its initializer runs.
static ZEROS: [u8; 4096] = [0; 4096];

impl Cc<'_> {
    /// Compiles an initializer of an object of type `ty`.
    pub(crate) fn init(&self, init: &Init, ty: TypeId, site: Site) -> InitFn {
        match init {
            Init::Scalar(e) => {
                let v = self.operand(e);
                let Some(int) = self.int_ty(ty) else {
                    let what = self.non_scalar("store", ty);
                    return Box::new(move |_, _, _, _| {
                        Err(trap(Trap::Unsupported {
                            what: what.to_string(),
                            site,
                        }))
                    });
                };
                Box::new(move |c, it, env, a| {
                    let x = v.get(c, it, env)?;
                    Ok(env.write_scalar(a, int.size, x, site)?)
                })
            }
            Init::Aggregate(ops) => {
                let size = self.p.types.size_of(ty).unwrap_or(0);
                let steps: Vec<InitFn> = ops.iter().map(|op| self.init_op(op, site)).collect();
                Box::new(move |c, it, env, a| {
                    zero(env, a, size, site)?;
                    steps.iter().try_for_each(|s| s(c, it, env, a))
                })
            }
        }
    }

    fn init_op(&self, op: &InitOp, site: Site) -> InitFn {
        match op {
            InitOp::Scalar(off, e) => {
                let (off, v, esite) = (*off, self.operand(e), e.site);
                let Some(int) = self.int_ty(e.ty) else {
                    let what = self.non_scalar("store", e.ty);
                    return Box::new(move |_, _, _, _| {
                        Err(trap(Trap::Unsupported {
                            what: what.to_string(),
                            site: esite,
                        }))
                    });
                };
                Box::new(move |c, it, env, a| {
                    let x = v.get(c, it, env)?;
                    Ok(env.write_scalar(a.wrapping_add(off), int.size, x, esite)?)
                })
            }
            InitOp::Copy(off, e, n) => {
                let (off, n, esite) = (*off, *n, e.site);
                let src = self.address(self.place(e));
                Box::new(move |c, it, env, a| {
                    let s = Addr(src(c, it, env)?);
                    copy_mem(env, a.wrapping_add(off), s, n, esite)
                })
            }
            InitOp::Bytes(off, bytes) => {
                let (off, bytes) = (*off, bytes.clone());
                Box::new(move |_, _, env, a| Ok(env.write(a.wrapping_add(off), &bytes, site)?))
            }
        }
    }
}

/// Writes `size` zero bytes at `a`.
fn zero(env: &mut dyn Env, a: Addr, size: u64, site: Site) -> Fallible<()> {
    let mut done = 0u64;
    while done < size {
        let n = (size - done).min(ZEROS.len() as u64);
        env.write(a.wrapping_add(done), &ZEROS[..n as usize], site)?;
        done += n;
    }
    Ok(())
}

/// Copies `n` bytes (memmove semantics).
pub(crate) fn copy_mem(
    env: &mut dyn Env,
    dst: Addr,
    src: Addr,
    n: u64,
    site: Site,
) -> Fallible<()> {
    if n > MAX_ALLOC_SIZE {
        return Err(trap(Trap::AllocFailed { size: n, site }));
    }
    let mut buf = vec![0u8; n as usize];
    env.read(src, &mut buf, site)?;
    Ok(env.write(dst, &buf, site)?)
}
