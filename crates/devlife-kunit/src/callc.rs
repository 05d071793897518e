//! The one place that talks to the front end's interpreter: compiling the
//! test file on the saved prelude, reading struct layouts, calling C functions,
//! finding the registered suites and rendering traps.

use crate::env::{BindState, KernelEnv, Stop};
use crate::layout::{KobjectLayout, Layouts, ResLayout, StreamLayout, TryCatchLayout};
use crate::{prelude, Limits, LoadError};
use devlife_c::env::Trap;
use devlife_c::interp::{Interp, LoadError as CLoadError};
use devlife_c::source::Site as CSite;
use devlife_c::value::{Addr as CAddr, Value};
use devlife_c::{Program, Source};
use devlife_model::{Addr, AllocKind, Fault, Kernel};

/// Offset of member `path` in `struct tag`, from the prelude's declarations.
fn offset(p: &Program, tag: &str, path: &str) -> u32 {
    p.field_offset(tag, path).map_or(0, |(o, _)| o as u32)
}

/// [`offset`] as a pointer displacement.
fn member(p: &Program, tag: &str, path: &str) -> i64 {
    i64::from(offset(p, tag, path))
}

/// Size of `struct tag` (64 if the prelude does not declare it).
fn size(p: &Program, tag: &str) -> u32 {
    p.struct_type(tag)
        .and_then(|t| p.size_of(t))
        .map_or(64, |s| s as u32)
}

/// Member offsets of the prelude's kernel structures.
fn layouts(p: &Program) -> Layouts {
    Layouts {
        device_driver: offset(p, "device", "driver"),
        device_driver_data: offset(p, "device", "driver_data"),
        device_parent: offset(p, "device", "parent"),
        device_release: offset(p, "device", "release"),
        device_init_name: offset(p, "device", "init_name"),
        device_bus: offset(p, "device", "bus"),
        driver_bus: offset(p, "device_driver", "bus"),
        bus_ops: ["match", "probe", "remove"].map(|m| offset(p, "bus_type", m)),
        device_platform_data: offset(p, "device", "platform_data"),
        device_kref: offset(p, "device", "kobj.kref"),
        kunit_resource_kref: offset(p, "kunit_resource", "refcount"),
        kobject: KobjectLayout {
            name: member(p, "kobject", "name"),
            parent: member(p, "kobject", "parent"),
            ktype: member(p, "kobject", "ktype"),
            kref: member(p, "kobject", "kref"),
            state_initialized: member(p, "kobject", "state_initialized"),
            state_in_sysfs: member(p, "kobject", "state_in_sysfs"),
            ktype_release: member(p, "kobj_type", "release"),
        },
        driver_name: offset(p, "device_driver", "name"),
        driver_probe: offset(p, "device_driver", "probe"),
        driver_remove: offset(p, "device_driver", "remove"),
        pdrv_probe: offset(p, "platform_driver", "probe"),
        pdrv_remove: offset(p, "platform_driver", "remove"),
        pdrv_driver: offset(p, "platform_driver", "driver"),
        pdev_name: offset(p, "platform_device", "name"),
        pdev_id: offset(p, "platform_device", "id"),
        pdev_dev: offset(p, "platform_device", "dev"),
        pdev_size: size(p, "platform_device"),
        device_size: size(p, "device"),
        driver_size: size(p, "device_driver"),
        kunit_priv: offset(p, "kunit", "priv"),
        kunit_name: offset(p, "kunit", "name"),
        kunit_status: offset(p, "kunit", "status"),
        kunit_size: size(p, "kunit"),
        kunit_log: offset(p, "kunit", "log"),
        kunit_status_comment: offset(p, "kunit", "status_comment"),
        kunit_resources: offset(p, "kunit", "resources"),
        list_prev: offset(p, "list_head", "prev"),
        suite_name: offset(p, "kunit_suite", "name"),
        suite_suite_init: offset(p, "kunit_suite", "suite_init"),
        suite_suite_exit: offset(p, "kunit_suite", "suite_exit"),
        suite_init: offset(p, "kunit_suite", "init"),
        suite_exit: offset(p, "kunit_suite", "exit"),
        suite_cases: offset(p, "kunit_suite", "test_cases"),
        case_run: offset(p, "kunit_case", "run_case"),
        case_name: offset(p, "kunit_case", "name"),
        case_size: size(p, "kunit_case"),
        task_kunit_test: offset(p, "task_struct", "kunit_test"),
        task_size: size(p, "task_struct"),
        task_seen_test: offset(p, "task_struct", "__devlife_seen_test"),
        task_seen_changes: offset(p, "task_struct", "__devlife_seen_changes"),
        drm_dev: offset(p, "drm_device", "dev"),
        drm_driver: offset(p, "drm_device", "driver"),
        drm_size: size(p, "drm_device"),
        drm_minors: ["primary", "render", "accel"].map(|m| offset(p, "drm_device", m)),
        minor_fields: ["index", "type", "kdev", "dev"].map(|m| offset(p, "drm_minor", m)),
        file_size: size(p, "file"),
        drmdrv_name: offset(p, "drm_driver", "name"),
        drmdrv_version: offset(p, "drm_driver", "major"),
        drmdrv_features: offset(p, "drm_driver", "driver_features"),
        drmdrv_release: offset(p, "drm_driver", "release"),
        drmdrv_size: size(p, "drm_driver"),
        res: ResLayout {
            data: member(p, "kunit_resource", "data"),
            name: member(p, "kunit_resource", "name"),
            free: member(p, "kunit_resource", "free"),
            should_kfree: member(p, "kunit_resource", "should_kfree"),
            node: member(p, "kunit_resource", "node"),
            size: size(p, "kunit_resource"),
        },
        stream: StreamLayout {
            length: member(p, "string_stream", "length"),
            buf: member(p, "string_stream", "buf"),
            capacity: member(p, "string_stream", "capacity"),
            test: member(p, "string_stream", "test"),
            append_newlines: member(p, "string_stream", "append_newlines"),
            size: size(p, "string_stream"),
        },
        try_catch: TryCatchLayout {
            result: member(p, "kunit_try_catch", "try_result"),
            try_fn: member(p, "kunit_try_catch", "try"),
            catch_fn: member(p, "kunit_try_catch", "catch"),
            context: member(p, "kunit_try_catch", "context"),
        },
    }
}

/// Tells the model how big the containers it allocates are.
fn set_model_layout(kernel: &mut Kernel, l: &Layouts) {
    let m = &mut kernel.layout;
    m.device_size = l.device_size;
    m.root_device_size = l.device_size + 8;
    m.kunit_device_size = l.device_size + 16;
    m.platform_device_size = l.pdev_size + 32;
    m.platform_device_dev_offset = l.pdev_dev;
    m.drm_device_size = l.drm_size;
    m.device_driver_size = l.driver_size;
}

/// Compiles the prelude and the file, and loads the program into a kernel.
pub(crate) fn load(
    kernel: &mut Kernel,
    name: &str,
    text: &str,
    limits: Limits,
) -> Result<(Interp, BindState, Vec<String>), LoadError> {
    let library = prelude::library().map_err(|e| {
        LoadError::Diagnostics(vec![format!(
            "error: devlife's saved kernel prelude does not load ({e}); rebuild devlife"
        )])
    })?;
    let program = library
        .compile_unit(&[Source::new(name, text)])
        .map_err(|diags| LoadError::Diagnostics(diags.iter().map(|d| d.to_string()).collect()))?;
    let files: Vec<String> = (0..program.files().len())
        .map(|i| {
            program
                .files()
                .name(devlife_c::FileId(i as u32))
                .to_string()
        })
        .collect();
    let layouts = layouts(&program);
    set_model_layout(kernel, &layouts);
    kernel.set_max_nesting(limits.nesting);
    let task = kernel.kmalloc(layouts.task_size, AllocKind::Global, "current task");
    let mut state = BindState {
        layouts,
        limits,
        output_bytes: 0,
        alloc_base: 0,
        task,
        pending: None,
        case: None,
        stray_log: Vec::new(),
        printed_events: kernel.log.next_id(),
        strings: Default::default(),
        entered: Vec::new(),
        probe_waiters: Vec::new(),
        files: Default::default(),
        externals: crate::shims::resolve_externals(&program, kernel),
    };
    let climits = devlife_c::Limits {
        max_steps: limits.steps,
        max_depth: limits.depth,
    };
    let interp = {
        let mut env = KernelEnv {
            kernel,
            state: &mut state,
        };
        Interp::load(program, &mut env, climits).map_err(|e| match e {
            CLoadError::Unresolved(diags) => {
                LoadError::Diagnostics(diags.iter().map(|d| d.to_string()).collect())
            }
            CLoadError::Trap(t) => {
                LoadError::Diagnostics(vec![format!("error: a global initializer failed: {t:?}")])
            }
        })?
    };
    Ok((interp, state, files))
}

/// The `struct kunit_suite` addresses registered by `kunit_test_suite(s)`,
/// in declaration order.
pub(crate) fn registered_suites(interp: &mut Interp, kernel: &mut Kernel) -> Vec<Addr> {
    let arrays: Vec<(CAddr, u64)> = interp
        .globals()
        .filter(|(_, name, _, _)| name.starts_with("__devlife_suites_"))
        .map(|(_, _, addr, ty)| (addr, interp.program().size_of(ty).unwrap_or(0)))
        .collect();
    let mut suites = Vec::new();
    for (array, size) in arrays {
        for i in 0..size / 8 {
            match kernel.mm.read_u64(Addr(array.0).offset_by(i as i64 * 8)) {
                Ok(p) if p != 0 => suites.push(Addr(p)),
                _ => break,
            }
        }
    }
    suites
}

/// Calls the C function `fp` points to.
pub(crate) fn call_pointer(
    interp: &mut Interp,
    env: &mut KernelEnv<'_>,
    fp: CAddr,
    args: &[Value],
    site: CSite,
) -> Result<Value, Trap> {
    interp.call_pointer(env, fp, args, site)
}

/// The name of the function at `fp`, if it is one.
pub(crate) fn function_name(interp: &Interp, fp: CAddr) -> Option<String> {
    interp
        .function_at(fp)
        .map(|f| interp.function_name(f).to_string())
}

/// The lines a trap prints in a case's log.
pub(crate) fn render_trap(interp: &Interp, kernel: &Kernel, trap: &Trap) -> Vec<String> {
    match trap.payload::<Stop>() {
        Some(Stop::Fault(f)) => vec![describe_fault(kernel, f)],
        Some(Stop::Limit(msg)) => vec![msg.clone()],
        _ => {
            let mut lines: Vec<String> = interp
                .render_trap(trap)
                .lines()
                .map(str::to_string)
                .collect();
            let flag = match trap {
                Trap::StepLimit { .. } => Some("--max-steps"),
                Trap::DepthLimit { .. } => Some("--max-depth"),
                _ => None,
            };
            if let (Some(flag), Some(first)) = (flag, lines.first_mut()) {
                first.push_str(&format!(" (raise it with {flag})"));
            }
            lines
        }
    }
}

/// One line describing a fault the model caught.
fn describe_fault(kernel: &Kernel, f: &Fault) -> String {
    match f {
        Fault::UseAfterRelease { obj, api, .. } => {
            format!(
                "BUG: use-after-free: {api}() on {}, which was already released",
                kernel.obj(*obj).label()
            )
        }
        Fault::DoubleFree { alloc, .. } => {
            let label = kernel
                .mm
                .get(*alloc)
                .map_or_else(String::new, |a| a.label.to_string());
            format!("BUG: double free of {label}")
        }
        Fault::InvalidFree { addr } => format!(
            "BUG: kfree of {:#x}, which is not the start of an allocation",
            addr.0
        ),
        Fault::NotAnObject {
            addr,
            expected,
            api,
        } => {
            format!(
                "BUG: {api}() was handed {:#x}, which is not a live {expected}",
                addr.0
            )
        }
        Fault::NullDeref { api } => format!("BUG: kernel NULL pointer dereference in {api}()"),
        Fault::BadCallback { func } => {
            format!("BUG: call through a bad function pointer {:#x}", func.0)
        }
        Fault::Deadlock { api } => format!("BUG: deadlock: {api}"),
        Fault::Bug { what } => format!("kernel BUG: {what}"),
    }
}
