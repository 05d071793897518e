//! Scenarios driven through the model's Rust API, with their steps recorded
//! by hand, shared by the report tests.

#![allow(dead_code)]

use devlife_model::drivers::gpu::drm::drm_drv::{DrmDriver, DRIVER_MODESET};
use devlife_model::{Addr, Kernel, ObjId, Profile, RustHost, Site};
use devlife_report::{Recorder, Status};

/// Names sites as if the test were `test.c`.
pub fn site_name(site: Site) -> String {
    if site.line == 0 {
        return "<unknown>".into();
    }
    format!("test.c:{}:{}", site.line, site.column)
}

/// Marks the statement at `line` calling `call`: the step and the site.
pub fn at(k: &mut Kernel, rec: &mut Recorder, line: u32, call: &str) {
    k.set_site(Site {
        file: 0,
        line,
        column: 5,
    });
    rec.step(k, line, call);
}

/// A finished scenario: the kernel, its recorded steps, and its objects.
pub struct Scenario {
    pub kernel: Kernel,
    pub rec: Recorder,
    pub root: ObjId,
    pub drm: Option<ObjId>,
    pub extra: Option<Addr>,
}

impl Scenario {
    /// The case run to explain, with test.c site names.
    pub fn run<'a>(
        &'a self,
        case: &str,
        names: &'a dyn Fn(Site) -> String,
    ) -> devlife_report::CaseRun<'a> {
        let mut run = self
            .rec
            .clone()
            .finish(&self.kernel, "drm_lifetime", case, Status::Pass);
        run.site_name = names;
        run
    }
}

fn drm_action(host: &mut RustHost) -> devlife_model::FnRef {
    host.register("drm_action", |_, _, _| Ok(0))
}

/// The seed scenario of the Nov 2022 thread.
pub fn seed(profile: Profile) -> Scenario {
    let mut k = Kernel::new(profile);
    let mut host = RustHost::new();
    let action = drm_action(&mut host);
    let mut rec = Recorder::start(&k);
    at(&mut k, &mut rec, 12, "root_device_register");
    let root = k.root_device_register(&mut host, "test").unwrap().unwrap();
    at(&mut k, &mut rec, 13, "devm_drm_dev_alloc");
    let driver = DrmDriver {
        features: DRIVER_MODESET,
        ..Default::default()
    };
    let drm = k
        .devm_drm_dev_alloc(&mut host, root, driver, 256, 0)
        .unwrap()
        .unwrap();
    at(&mut k, &mut rec, 14, "drmm_add_action_or_reset");
    k.drmm_add_action_or_reset(drm, action, 0, "drm_action")
        .unwrap();
    at(&mut k, &mut rec, 15, "drm_dev_register");
    k.drm_dev_register(&mut host, drm, 0).unwrap();
    at(&mut k, &mut rec, 16, "drm_dev_unregister");
    k.drm_dev_unregister(&mut host, drm).unwrap();
    at(&mut k, &mut rec, 17, "root_device_unregister");
    k.root_device_unregister(&mut host, root).unwrap();
    Scenario {
        kernel: k,
        rec,
        root,
        drm: Some(drm),
        extra: None,
    }
}

/// The control scenario: drm_dev_alloc and an explicit drm_dev_put.
pub fn control(profile: Profile) -> Scenario {
    let mut k = Kernel::new(profile);
    let mut host = RustHost::new();
    let action = drm_action(&mut host);
    let mut rec = Recorder::start(&k);
    at(&mut k, &mut rec, 12, "root_device_register");
    let root = k.root_device_register(&mut host, "test").unwrap().unwrap();
    at(&mut k, &mut rec, 13, "drm_dev_alloc");
    let drm = k
        .drm_dev_alloc(&mut host, DrmDriver::default(), Some(root))
        .unwrap()
        .unwrap();
    at(&mut k, &mut rec, 14, "drmm_add_action_or_reset");
    k.drmm_add_action_or_reset(drm, action, 0, "drm_action")
        .unwrap();
    at(&mut k, &mut rec, 15, "drm_dev_register");
    k.drm_dev_register(&mut host, drm, 0).unwrap();
    at(&mut k, &mut rec, 16, "drm_dev_unregister");
    k.drm_dev_unregister(&mut host, drm).unwrap();
    at(&mut k, &mut rec, 17, "drm_dev_put");
    k.drm_dev_put(&mut host, drm).unwrap();
    at(&mut k, &mut rec, 18, "root_device_unregister");
    k.root_device_unregister(&mut host, root).unwrap();
    Scenario {
        kernel: k,
        rec,
        root,
        drm: Some(drm),
        extra: None,
    }
}

/// get_device on a root device, a devm buffer on it, then unregister: the
/// test still holds the device, but is the buffer still there?
pub fn devm_buffer_after_unregister(profile: Profile) -> Scenario {
    let mut k = Kernel::new(profile);
    let mut host = RustHost::new();
    let mut rec = Recorder::start(&k);
    at(&mut k, &mut rec, 20, "root_device_register");
    let root = k.root_device_register(&mut host, "test").unwrap().unwrap();
    at(&mut k, &mut rec, 21, "get_device");
    k.get_device(root).unwrap();
    at(&mut k, &mut rec, 22, "devm_kzalloc");
    let buf = k.devm_kzalloc(root, 16).unwrap();
    at(&mut k, &mut rec, 23, "root_device_unregister");
    k.root_device_unregister(&mut host, root).unwrap();
    k.set_site(Site {
        file: 0,
        line: 24,
        column: 9,
    });
    Scenario {
        kernel: k,
        rec,
        root,
        drm: None,
        extra: Some(buf),
    }
}
