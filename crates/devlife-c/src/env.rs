//! The [`Env`] trait (everything the embedder supplies) and [`Trap`].

use std::any::Any;

use crate::ast::FuncId;
use crate::interp::Interp;
use crate::source::Site;
use crate::value::{Addr, Value};

/// What an allocation requested through [`Env::alloc`] is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AllocKind {
    /// A global or `static` variable (lives forever).
    Global,
    /// A local variable whose address is taken, or an aggregate local;
    /// released with [`Env::free_stack`] when its scope ends.
    Stack,
    /// A string literal (lives forever, allocated once per literal).
    StringLiteral,
    /// Heap memory allocated by an embedder's external (never requested by
    /// the interpreter itself; available for [`crate::Memory`] users).
    Heap,
}

/// A runtime error, with the [`Site`] of the C code that caused it.
pub enum Trap {
    /// Access through a null (or near-null: allocation id 0) pointer.
    NullDeref {
        /// The address accessed.
        addr: Addr,
        /// Where.
        site: Site,
    },
    /// Access through an address that is not in any allocation
    /// (`ERR_PTR` values, function addresses, garbage).
    InvalidAddress {
        /// The address accessed.
        addr: Addr,
        /// Where.
        site: Site,
    },
    /// Access to freed memory.
    UseAfterFree {
        /// The address accessed.
        addr: Addr,
        /// Label of the allocation.
        label: String,
        /// Where it was allocated.
        alloc_site: Site,
        /// Where it was freed.
        free_site: Site,
        /// Where the access happened.
        site: Site,
    },
    /// Access outside the bounds of a live allocation.
    OutOfBounds {
        /// The address accessed.
        addr: Addr,
        /// Bytes accessed.
        len: u64,
        /// Size of the allocation.
        size: u64,
        /// Label of the allocation.
        label: String,
        /// Where it was allocated.
        alloc_site: Site,
        /// Where the access happened.
        site: Site,
    },
    /// Freeing memory twice.
    DoubleFree {
        /// The address freed.
        addr: Addr,
        /// Label of the allocation.
        label: String,
        /// Where it was allocated.
        alloc_site: Site,
        /// Where it was first freed.
        free_site: Site,
        /// Where the second free happened.
        site: Site,
    },
    /// Freeing an address that is not the start of an allocation.
    InvalidFree {
        /// The address freed.
        addr: Addr,
        /// Where.
        site: Site,
    },
    /// An allocation could not be made (too large, or ids exhausted).
    AllocFailed {
        /// Requested size.
        size: u64,
        /// Where.
        site: Site,
    },
    /// Integer division or remainder by zero.
    DivByZero {
        /// Where.
        site: Site,
    },
    /// The step budget of [`crate::Limits`] was exhausted.
    StepLimit {
        /// The limit.
        limit: u64,
        /// Where execution was.
        site: Site,
    },
    /// The call-depth limit of [`crate::Limits`] was exceeded.
    DepthLimit {
        /// The limit.
        limit: u32,
        /// The call that went too deep.
        site: Site,
    },
    /// A call through a pointer that does not point to a function.
    BadFunctionPointer {
        /// The pointer value.
        addr: Addr,
        /// Where.
        site: Site,
    },
    /// A call to a function that is neither defined in C nor provided by the env.
    UnknownFunction {
        /// The function name.
        name: String,
        /// Where.
        site: Site,
    },
    /// A construct that is only detected as unsupported at run time.
    Unsupported {
        /// What is unsupported.
        what: String,
        /// Where.
        site: Site,
    },
    /// An error raised by the embedder (for example a failed KUnit assertion
    /// unwinding the test); the payload is opaque to this crate.
    Env {
        /// The embedder's payload.
        payload: Box<dyn Any + Send>,
        /// Where.
        site: Site,
    },
}

impl Trap {
    /// Wraps an embedder payload.
    pub fn env(payload: impl Any + Send, site: Site) -> Trap {
        Trap::Env {
            payload: Box::new(payload),
            site,
        }
    }

    /// The site of the C code responsible.
    pub fn site(&self) -> Site {
        match self {
            Trap::NullDeref { site, .. }
            | Trap::InvalidAddress { site, .. }
            | Trap::UseAfterFree { site, .. }
            | Trap::OutOfBounds { site, .. }
            | Trap::DoubleFree { site, .. }
            | Trap::InvalidFree { site, .. }
            | Trap::AllocFailed { site, .. }
            | Trap::DivByZero { site }
            | Trap::StepLimit { site, .. }
            | Trap::DepthLimit { site, .. }
            | Trap::BadFunctionPointer { site, .. }
            | Trap::UnknownFunction { site, .. }
            | Trap::Unsupported { site, .. }
            | Trap::Env { site, .. } => *site,
        }
    }

    /// The embedder payload, if this is [`Trap::Env`] holding a `T`.
    pub fn payload<T: Any>(&self) -> Option<&T> {
        match self {
            Trap::Env { payload, .. } => payload.downcast_ref::<T>(),
            _ => None,
        }
    }

    /// Takes the embedder payload out of a [`Trap::Env`].
    pub fn into_payload(self) -> Option<Box<dyn Any + Send>> {
        match self {
            Trap::Env { payload, .. } => Some(payload),
            _ => None,
        }
    }

    /// A short name of the trap kind (stable, for tests and logs).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Trap::NullDeref { .. } => "null-deref",
            Trap::InvalidAddress { .. } => "invalid-address",
            Trap::UseAfterFree { .. } => "use-after-free",
            Trap::OutOfBounds { .. } => "out-of-bounds",
            Trap::DoubleFree { .. } => "double-free",
            Trap::InvalidFree { .. } => "invalid-free",
            Trap::AllocFailed { .. } => "alloc-failed",
            Trap::DivByZero { .. } => "div-by-zero",
            Trap::StepLimit { .. } => "step-limit",
            Trap::DepthLimit { .. } => "depth-limit",
            Trap::BadFunctionPointer { .. } => "bad-function-pointer",
            Trap::UnknownFunction { .. } => "unknown-function",
            Trap::Unsupported { .. } => "unsupported",
            Trap::Env { .. } => "env",
        }
    }
}

impl std::fmt::Debug for Trap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.site();
        write!(
            f,
            "Trap::{}({}) at file#{}:{}:{}",
            self.kind_name(),
            crate::diagnostics::trap_message(self),
            s.file.0,
            s.line,
            s.column
        )
    }
}

/// Everything the interpreter needs from its embedder: memory and external
/// functions. All memory traffic of C code goes through `alloc`, `read`,
/// `write` and `free_stack`, so the embedder can free objects C code still
/// points to and report use-after-free with both sites.
pub trait Env {
    /// Allocates `size` zero-filled bytes. `label` names the object (variable
    /// name or string literal) and `site` where it is allocated.
    fn alloc(&mut self, size: u64, kind: AllocKind, label: &str, site: Site) -> Result<Addr, Trap>;

    /// Releases an [`AllocKind::Stack`] allocation whose scope ended at `site`.
    fn free_stack(&mut self, addr: Addr, site: Site);

    /// Reads `buf.len()` bytes at `addr`.
    fn read(&mut self, addr: Addr, buf: &mut [u8], site: Site) -> Result<(), Trap>;

    /// Writes `bytes` at `addr`.
    fn write(&mut self, addr: Addr, bytes: &[u8], site: Site) -> Result<(), Trap>;

    /// Reads a little-endian scalar of `size` bytes (1 to 8) at `addr`,
    /// zero-extended. Every load of C code comes here; an env whose
    /// memory can read a word without a byte buffer should override it.
    fn read_scalar(&mut self, addr: Addr, size: u8, site: Site) -> Result<u64, Trap> {
        let mut b = [0u8; 8];
        let n = usize::from(size.min(8));
        self.read(addr, &mut b[..n], site)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Writes the low `size` bytes (1 to 8) of `value` at `addr`,
    /// little-endian. Every store of C code comes here.
    fn write_scalar(&mut self, addr: Addr, size: u8, value: u64, site: Site) -> Result<(), Trap> {
        let n = usize::from(size.min(8));
        self.write(addr, &value.to_le_bytes()[..n], site)
    }

    /// Calls the external function `f` (its name is
    /// [`Interp::function_name`]; an env that calls often can resolve its
    /// externals by id once, after load). `args` have their C types (after
    /// conversion to the declared parameter types, default promotions for
    /// variadic arguments). The result is converted to the declared return
    /// type. The env may re-enter C through `interp`.
    fn call_external(
        &mut self,
        interp: &mut Interp,
        f: FuncId,
        args: &[Value],
        site: Site,
    ) -> Result<Value, Trap>;

    /// Whether `name` is provided by [`Env::call_external`]; checked at load
    /// time for every function that C code declares, uses and does not define.
    fn is_external(&self, name: &str) -> bool;
}

/// Maximum length read by [`read_c_string`].
pub const MAX_C_STRING: usize = 1 << 20;

/// Reads a NUL-terminated string at `addr` through the env (lossy UTF-8).
pub fn read_c_string<E: Env + ?Sized>(env: &mut E, addr: Addr, site: Site) -> Result<String, Trap> {
    let bytes = read_c_bytes(env, addr, site)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads the bytes of a NUL-terminated string at `addr` (without the NUL).
pub fn read_c_bytes<E: Env + ?Sized>(env: &mut E, addr: Addr, site: Site) -> Result<Vec<u8>, Trap> {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    while out.len() < MAX_C_STRING {
        env.read(addr.wrapping_add(out.len() as u64), &mut b, site)?;
        if b[0] == 0 {
            break;
        }
        out.push(b[0]);
    }
    Ok(out)
}
