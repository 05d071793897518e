//! Allocation, string and printing shims (mm/slab, lib/string.c, printk).

use super::{int, ptr, void, Args, Shim};
use crate::env::KernelEnv;
use crate::format::format_c;
use devlife_c::env::Trap;
use devlife_c::interp::Interp;
use devlife_c::value::Value;
use devlife_model::mm::kmalloc_size;
use devlife_model::{Addr, AllocKind};

/// Sorted by name.
pub(super) static SHIMS: &[(&str, Shim)] = &[
    ("kcalloc", kcalloc),
    ("kfree", kfree),
    ("kmalloc", kzalloc),
    ("kstrdup", kstrdup),
    ("kzalloc", kzalloc),
    ("memcmp", memcmp),
    ("memcpy", memcpy),
    ("memset", memset),
    ("printk", printk),
    ("snprintf", snprintf),
    ("strcmp", strcmp),
    ("strlen", strlen),
    ("strncmp", strncmp),
];

fn alloc(env: &mut KernelEnv<'_>, size: u64) -> Result<Value, Trap> {
    match kmalloc_size(size) {
        Some(0) => ptr(Addr(16)),
        Some(n) => ptr(env.kernel.kmalloc(n, AllocKind::Kmalloc, "kmalloc")),
        None => ptr(Addr::NULL),
    }
}

fn kzalloc(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    alloc(env, a.bits(0))
}

fn kcalloc(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    match a.bits(0).checked_mul(a.bits(1)) {
        Some(n) => alloc(env, n),
        None => ptr(Addr::NULL),
    }
}

fn kfree(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let p = a.ptr(0);
    env.model(a.site, |k| k.kfree(p))?;
    void()
}

fn kstrdup(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    if a.ptr(0).is_null() {
        return ptr(Addr::NULL);
    }
    let s = env.read_str(a.ptr(0), a.site)?;
    let p = env
        .kernel
        .kmalloc(s.len() as u32 + 1, AllocKind::Kmalloc, "kstrdup");
    env.kernel
        .mm
        .write(p, s.as_bytes())
        .map_err(|f| env.mem_trap(f, a.site))?;
    ptr(p)
}

fn read_bytes(env: &mut KernelEnv<'_>, p: Addr, n: u64, a: &Args<'_>) -> Result<Vec<u8>, Trap> {
    let mut buf = vec![0u8; n.min(1 << 24) as usize];
    env.kernel
        .mm
        .read(p, &mut buf)
        .map_err(|f| env.mem_trap(f, a.site))?;
    Ok(buf)
}

fn memset(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let buf = vec![a.bits(1) as u8; a.bits(2).min(1 << 24) as usize];
    env.kernel
        .mm
        .write(a.ptr(0), &buf)
        .map_err(|f| env.mem_trap(f, a.site))?;
    ptr(a.ptr(0))
}

fn memcpy(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let buf = read_bytes(env, a.ptr(1), a.bits(2), a)?;
    env.kernel
        .mm
        .write(a.ptr(0), &buf)
        .map_err(|f| env.mem_trap(f, a.site))?;
    ptr(a.ptr(0))
}

fn memcmp(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let x = read_bytes(env, a.ptr(0), a.bits(2), a)?;
    let y = read_bytes(env, a.ptr(1), a.bits(2), a)?;
    int(x.cmp(&y) as i64)
}

fn strcmp(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let x = env.read_str(a.ptr(0), a.site)?;
    let y = env.read_str(a.ptr(1), a.site)?;
    int(x.cmp(&y) as i64)
}

fn strncmp(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let n = a.bits(2) as usize;
    let x: Vec<u8> = env.read_str(a.ptr(0), a.site)?.bytes().take(n).collect();
    let y: Vec<u8> = env.read_str(a.ptr(1), a.site)?.bytes().take(n).collect();
    int(x.cmp(&y) as i64)
}

fn strlen(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let s = env.read_str(a.ptr(0), a.site)?;
    Ok(Value::ulong(s.len() as u64))
}

fn snprintf(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let s = format_c(env, a.ptr(2), a.rest(3), a.site)?;
    let cap = a.bits(1) as usize;
    if cap > 0 {
        let mut bytes: Vec<u8> = s.bytes().take(cap - 1).collect();
        bytes.push(0);
        env.kernel
            .mm
            .write(a.ptr(0), &bytes)
            .map_err(|f| env.mem_trap(f, a.site))?;
    }
    int(s.len() as i64)
}

/// Splits a kernel log level prefix (`"\x01" "6"`) off a message.
pub(crate) fn strip_level(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == 1 {
        &s[2..]
    } else {
        s
    }
}

fn printk(env: &mut KernelEnv<'_>, _: &mut Interp, a: &Args<'_>) -> Result<Value, Trap> {
    let s = format_c(env, a.ptr(0), a.rest(1), a.site)?;
    let text = strip_level(&s).trim_end_matches('\n').to_string();
    env.print(text);
    int(s.len() as i64)
}
