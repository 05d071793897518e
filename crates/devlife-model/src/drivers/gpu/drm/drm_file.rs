//! Open DRM files (drivers/gpu/drm/drm_file.c): an open file holds a
//! drm_device reference until it is closed, so the drmm actions of an
//! unplugged device run at the last close.

use crate::lib::kref::{Holder, PutOf};
use crate::mm::Addr;
use crate::{errno, Body, Host, KResult, Kernel, ObjId, ObjKind};

/// The model's side of an open DRM file.
#[derive(Debug, Clone)]
pub struct DrmFile {
    /// The drm_device it was opened on.
    pub drm: ObjId,
    /// Whether it went through `drm_open` (counted in `open_count`).
    pub counted: bool,
}

impl Kernel {
    /// `drm_open` on the device's primary minor: fails with -ENODEV when the
    /// minor is not registered or the device is unplugged. Returns the file.
    pub fn drm_open(&mut self, drm: ObjId) -> KResult<Result<ObjId, i32>> {
        self.check_live(drm, "drm_open")?;
        let registered = self.drm(drm).minors.iter().any(|m| m.registered);
        if !registered {
            return Ok(Err(-errno::ENODEV));
        }
        Ok(self.drm_file_new(drm, true))
    }

    /// `mock_drm_getfile`: a file without `drm_open`'s `open_count`.
    pub fn mock_drm_getfile(&mut self, drm: ObjId) -> KResult<Result<ObjId, i32>> {
        self.check_live(drm, "mock_drm_getfile")?;
        Ok(self.drm_file_new(drm, false))
    }

    fn drm_file_new(&mut self, drm: ObjId, counted: bool) -> Result<ObjId, i32> {
        let name = format!("file on {}", self.obj(drm).name);
        let file = self.new_object(ObjKind::DrmFile, name, Body::File(DrmFile { drm, counted }));
        self.place(file, Addr::NULL, None);
        self.kref_init(file, Holder::Caller(&"drm_open"));
        let r = self.kref_get(drm, Holder::File(file));
        if counted && self.drm(drm).unplugged {
            self.drm_file_drop(file);
            return Err(-errno::ENODEV);
        }
        let _ = r;
        self.drm_mut(drm).open_count += i32::from(counted);
        Ok(file)
    }

    fn drm_file_drop(&mut self, file: ObjId) {
        if self.kref_put(file, PutOf::OldestCaller) {
            let at = self.log.next_id();
            self.obj_mut(file).released = Some(at);
        }
    }

    /// `drm_release` (the file's last `fput`): the file's drm reference goes,
    /// possibly the last one.
    pub fn drm_release(&mut self, host: &mut dyn Host, file: ObjId) -> KResult<()> {
        self.check_live(file, "drm_release")?;
        let Body::File(f) = &self.obj(file).body else {
            return Ok(());
        };
        let drm = f.drm;
        self.traced(&"drm_release", host, |k, host| {
            k.drm_mut(drm).open_count -= 1;
            let which = k
                .ref_held_by(drm, Holder::File(file))
                .map_or(PutOf::NewestCaller, PutOf::Ref);
            k.drm_file_drop(file);
            k.drm_dev_put_as(host, drm, which)
        })
    }
}
