//! Device-managed resources (drivers/base/devres.c): actions, memory and
//! groups on a per-device list, released newest first.

use crate::mm::{Addr, AllocKind};
use crate::resource::{Action, ResKind, ResList, ResState};
use crate::{DevId, EventKind, FnRef, Host, KResult, Kernel, ResId, Resource, Warning};

/// `ZERO_SIZE_PTR`: what a zero-sized allocation returns.
pub const ZERO_SIZE_PTR: Addr = Addr(16);

impl Kernel {
    /// Adds a resource to an owner's list and records it.
    pub(crate) fn res_new(
        &mut self,
        list: ResList,
        owner: crate::ObjId,
        kind: ResKind,
        name: &str,
    ) -> ResId {
        let name = self.names.intern(name);
        let id = ResId(self.resources.len() as u32);
        self.resources.push(Resource {
            list,
            owner,
            kind,
            name,
            added: self.log.next_id(),
            state: ResState::Listed,
        });
        let site = self.site;
        self.log.push(site, EventKind::ResourceAdded(id));
        id
    }

    fn devres_add(&mut self, dev: DevId, kind: ResKind, name: &str) -> ResId {
        let id = self.res_new(ResList::Devres, dev, kind, name);
        self.dev_mut(dev).devres.push(id);
        id
    }

    /// Unlinks a resource without releasing it (`devres_remove`, `devres_destroy`).
    pub(crate) fn res_unlink(&mut self, id: ResId) {
        let at = self.log.next_id();
        self.resources[id.0 as usize].state = ResState::Removed(at);
        let site = self.site;
        self.log.push(site, EventKind::ResourceRemoved(id));
    }

    /// Releases one resource: runs its action or frees its memory.
    pub(crate) fn res_release(&mut self, host: &mut dyn Host, id: ResId) -> KResult<()> {
        let at = self.log.next_id();
        self.resources[id.0 as usize].state = ResState::Released(at);
        let site = self.site;
        self.log.push(site, EventKind::ResourceReleased(id));
        let r = &self.resources[id.0 as usize];
        let (list, owner, kind) = (r.list, r.owner, r.kind.clone());
        match kind {
            ResKind::Action { action, data } => {
                self.run_action(host, list, owner, action, data, id)
            }
            ResKind::Memory { alloc } => self.kfree(Addr::new(alloc, 0)),
            ResKind::GroupOpen { group, .. } => self.kfree(Addr::new(group, 0)),
            ResKind::GroupClose { .. } => Ok(()),
            ResKind::KunitResource { free, .. } => self.kunit_resource_free(host, id, free),
        }
    }

    /// `devm_add_action`: `action(data)` will run when the device's devres is released.
    pub fn devm_add_action(
        &mut self,
        dev: DevId,
        action: FnRef,
        data: u64,
        name: &str,
    ) -> KResult<i32> {
        self.check_live(dev, "devm_add_action")?;
        self.devres_add(
            dev,
            ResKind::Action {
                action: Action::User(action),
                data,
            },
            name,
        );
        Ok(0)
    }

    /// `devm_add_action_or_reset`: as `devm_add_action`; the model never runs
    /// out of memory, so the reset path is not taken.
    pub fn devm_add_action_or_reset(
        &mut self,
        dev: DevId,
        action: FnRef,
        data: u64,
        name: &str,
    ) -> KResult<i32> {
        self.devm_add_action(dev, action, data, name)
    }

    /// Adds a kernel-owned action to a device's devres (`devm_drm_dev_init_release`, ...).
    pub(crate) fn devm_add_kernel_action(
        &mut self,
        dev: DevId,
        action: crate::KernelAction,
        data: u64,
    ) -> ResId {
        self.devres_add(
            dev,
            ResKind::Action {
                action: Action::Kernel(action),
                data,
            },
            action.name(),
        )
    }

    /// The newest listed devres entry of `dev` satisfying `pred`.
    fn devres_find_newest(&self, dev: DevId, pred: impl Fn(&ResKind) -> bool) -> Option<usize> {
        self.dev(dev)
            .devres
            .iter()
            .rposition(|r| pred(&self.resource(*r).kind))
    }

    fn action_matches(kind: &ResKind, action: FnRef, data: u64) -> bool {
        matches!(kind, ResKind::Action { action: Action::User(f), data: d } if *f == action && *d == data)
    }

    /// Unlinks the newest devres entry of `dev` matching `pred`; when there
    /// is none, the kernel's WARN for `api`.
    fn devres_take_newest(
        &mut self,
        dev: DevId,
        api: &'static str,
        pred: impl Fn(&ResKind) -> bool,
    ) -> Option<ResId> {
        match self.devres_find_newest(dev, pred) {
            Some(pos) => Some(self.dev_mut(dev).devres.remove(pos)),
            None => {
                self.warn(Warning::DevresNotFound { dev, api });
                None
            }
        }
    }

    /// `devm_remove_action`: forgets the newest matching action without running it.
    pub fn devm_remove_action(&mut self, dev: DevId, action: FnRef, data: u64) -> KResult<()> {
        self.check_live(dev, "devm_remove_action")?;
        let matches = |k: &ResKind| Self::action_matches(k, action, data);
        if let Some(id) = self.devres_take_newest(dev, "devm_remove_action", matches) {
            self.res_unlink(id);
        }
        Ok(())
    }

    /// `devm_release_action`: runs the newest matching action now.
    pub fn devm_release_action(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        action: FnRef,
        data: u64,
    ) -> KResult<()> {
        self.check_live(dev, "devm_release_action")?;
        let matches = |k: &ResKind| Self::action_matches(k, action, data);
        if let Some(id) = self.devres_take_newest(dev, "devm_release_action", matches) {
            self.traced(&"devm_release_action", host, |k, host| {
                k.res_release(host, id)
            })?;
        }
        Ok(())
    }

    /// `devm_kzalloc`: zeroed memory freed with the device's devres.
    /// Size 0 gives `ZERO_SIZE_PTR` and no entry.
    pub fn devm_kzalloc(&mut self, dev: DevId, size: u32) -> KResult<Addr> {
        self.check_live(dev, "devm_kzalloc")?;
        if size == 0 {
            return Ok(ZERO_SIZE_PTR);
        }
        let name = format!("devm_kzalloc on '{}'", self.dev_name(dev));
        let addr = self.kmalloc(size, AllocKind::Devm, name);
        self.devres_add(
            dev,
            ResKind::Memory {
                alloc: addr.alloc(),
            },
            "devm_kzalloc",
        );
        Ok(addr)
    }

    /// `devm_kfree`: frees devres memory early. NULL and `ZERO_SIZE_PTR` are ignored.
    pub fn devm_kfree(&mut self, dev: DevId, addr: Addr) -> KResult<()> {
        self.check_live(dev, "devm_kfree")?;
        if addr.0 <= ZERO_SIZE_PTR.0 {
            return Ok(());
        }
        let is_it =
            |k: &ResKind| matches!(k, ResKind::Memory { alloc } if addr == Addr::new(*alloc, 0));
        if let Some(id) = self.devres_take_newest(dev, "devm_kfree", is_it) {
            self.res_unlink(id);
            self.kfree(addr)?;
        }
        Ok(())
    }

    /// `devres_open_group`: opens a group; `id` 0 means "use the group's own address".
    pub fn devres_open_group(&mut self, dev: DevId, id: u64) -> KResult<u64> {
        self.check_live(dev, "devres_open_group")?;
        let group = self.kmalloc(16, AllocKind::Kmalloc, "devres group");
        let id = if id == 0 { group.0 } else { id };
        let kind = ResKind::GroupOpen {
            id,
            group: group.alloc(),
        };
        self.devres_add(dev, kind, "devres group");
        Ok(id)
    }

    /// The position of the open marker of group `id` (0 = the newest group still open).
    fn devres_find_group(&self, dev: DevId, id: u64) -> Option<usize> {
        let list = &self.dev(dev).devres;
        let closed = |gid: u64| {
            list.iter()
                .any(|r| self.resource(*r).kind == ResKind::GroupClose { id: gid })
        };
        list.iter().rposition(|r| match self.resource(*r).kind {
            ResKind::GroupOpen { id: gid, .. } => {
                if id == 0 {
                    !closed(gid)
                } else {
                    gid == id
                }
            }
            _ => false,
        })
    }

    fn group_id_at(&self, dev: DevId, pos: usize) -> u64 {
        match self.resource(self.dev(dev).devres[pos]).kind {
            ResKind::GroupOpen { id, .. } => id,
            _ => 0,
        }
    }

    /// `devres_close_group`.
    pub fn devres_close_group(&mut self, dev: DevId, id: u64) -> KResult<()> {
        self.check_live(dev, "devres_close_group")?;
        match self.devres_find_group(dev, id) {
            Some(pos) => {
                let gid = self.group_id_at(dev, pos);
                self.devres_add(dev, ResKind::GroupClose { id: gid }, "devres group");
            }
            None => self.warn(Warning::DevresNotFound {
                dev,
                api: "devres_close_group",
            }),
        }
        Ok(())
    }

    /// `devres_remove_group`: drops the group's markers (of the newest group
    /// with this id); its resources stay and merge into the enclosing scope.
    pub fn devres_remove_group(&mut self, dev: DevId, id: u64) -> KResult<()> {
        self.check_live(dev, "devres_remove_group")?;
        let Some(open) = self.devres_find_group(dev, id) else {
            self.warn(Warning::DevresNotFound {
                dev,
                api: "devres_remove_group",
            });
            return Ok(());
        };
        let gid = self.group_id_at(dev, open);
        let list = &self.dev(dev).devres;
        let close = list[open..]
            .iter()
            .position(|r| self.resource(*r).kind == ResKind::GroupClose { id: gid })
            .map(|p| open + p);
        let markers: Vec<ResId> = std::iter::once(open)
            .chain(close)
            .map(|p| list[p])
            .collect();
        self.dev_mut(dev).devres.retain(|r| !markers.contains(r));
        for m in markers {
            self.res_unlink(m);
            if let ResKind::GroupOpen { group, .. } = self.resource(m).kind {
                self.kfree(Addr::new(group, 0))?;
            }
        }
        Ok(())
    }

    /// `devres_release_group`: releases the group's resources newest first,
    /// with groups nested wholly inside it. Returns how many were released.
    pub fn devres_release_group(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        id: u64,
    ) -> KResult<i32> {
        self.check_live(dev, "devres_release_group")?;
        let Some(start) = self.devres_find_group(dev, id) else {
            if !self.dev(dev).devres.is_empty() {
                self.warn(Warning::DevresNotFound {
                    dev,
                    api: "devres_release_group",
                });
            }
            return Ok(0);
        };
        let gid = self.group_id_at(dev, start);
        let list = &self.dev(dev).devres;
        let end = list[start..]
            .iter()
            .position(|r| self.resource(*r).kind == ResKind::GroupClose { id: gid })
            .map_or(list.len(), |p| start + p + 1);
        let range: Vec<ResId> = list[start..end].to_vec();
        let taken = self.devres_group_range(&range);
        self.dev_mut(dev).devres.retain(|r| !taken.contains(r));
        self.traced(&"devres_release_group", host, |k, host| {
            k.release_list(host, &taken)
        })
    }

    /// The entries of `range` a group release takes: ordinary entries, and
    /// markers of groups wholly inside it.
    fn devres_group_range(&self, range: &[ResId]) -> Vec<ResId> {
        let opens: Vec<u64> = range
            .iter()
            .filter_map(|r| match self.resource(*r).kind {
                ResKind::GroupOpen { id, .. } => Some(id),
                _ => None,
            })
            .collect();
        let closes: Vec<u64> = range
            .iter()
            .filter_map(|r| match self.resource(*r).kind {
                ResKind::GroupClose { id } => Some(id),
                _ => None,
            })
            .collect();
        let whole = |g: u64| opens.contains(&g) && (closes.contains(&g) || g == opens[0]);
        range
            .iter()
            .copied()
            .filter(|r| match self.resource(*r).kind {
                ResKind::GroupOpen { id, .. } | ResKind::GroupClose { id } => whole(id),
                _ => true,
            })
            .collect()
    }

    /// Releases `list` newest first and counts the ordinary entries.
    fn release_list(&mut self, host: &mut dyn Host, list: &[ResId]) -> KResult<i32> {
        let mut count = 0;
        for id in list.iter().rev() {
            if !matches!(
                self.resource(*id).kind,
                ResKind::GroupOpen { .. } | ResKind::GroupClose { .. }
            ) {
                count += 1;
            }
            self.res_release(host, *id)?;
        }
        Ok(count)
    }

    /// `devres_release_all`: detaches every entry at once and releases them
    /// newest first. Entries added meanwhile wait for the next call.
    pub fn devres_release_all(&mut self, host: &mut dyn Host, dev: DevId) -> KResult<i32> {
        if self.dev(dev).devres.is_empty() {
            return Ok(0);
        }
        let list = std::mem::take(&mut self.dev_mut(dev).devres);
        self.traced(&"devres_release_all", host, |k, host| {
            k.release_list(host, &list)
        })
    }

    /// The device's devres entries still listed, oldest first.
    pub fn devres_list(&self, dev: DevId) -> &[ResId] {
        &self.dev(dev).devres
    }
}
