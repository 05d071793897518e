//! Device-managed resources (drivers/base/devres.c): actions, memory, raw
//! `devres_alloc()` entries and groups on a per-device list, released
//! newest first.

use crate::mm::{kmalloc_size, Addr, AllocId, AllocKind};
use crate::names::{IntoName, NameId};
use crate::resource::{Action, ResKind, ResList, ResState};
use crate::warning::Fault;
use crate::{DevId, EventKind, FnRef, Host, KResult, Kernel, ResId, Resource, Warning};

/// `ZERO_SIZE_PTR`: what a zero-sized allocation returns.
pub const ZERO_SIZE_PTR: Addr = Addr(16);

/// A node made by `devres_alloc()`: its release callback and name, and the
/// list entry it is on, if any. The caller holds the node's data pointer.
#[derive(Debug, Clone)]
pub(crate) struct DevresNode {
    release: FnRef,
    name: NameId,
    listed: Option<(DevId, ResId)>,
}

/// What to do with the entry `devres_find`'s search found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// Leave it listed (`devres_find`).
    Keep,
    /// Unlink it and hand it to the caller (`devres_remove`).
    Unlink,
}

impl Kernel {
    /// Adds a resource to an owner's list and records it.
    pub(crate) fn res_new(
        &mut self,
        list: ResList,
        owner: crate::ObjId,
        kind: ResKind,
        name: impl IntoName,
    ) -> ResId {
        let name = name.into_name(&mut self.names);
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

    fn devres_append(&mut self, dev: DevId, kind: ResKind, name: impl IntoName) -> ResId {
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
            ResKind::Devres { release, alloc } => {
                self.devres_node_release(host, owner, release, alloc)
            }
        }
    }

    /// `devm_add_action`: `action(data)` will run when the device's devres is released.
    pub fn devm_add_action(
        &mut self,
        dev: DevId,
        action: FnRef,
        data: u64,
        name: impl IntoName,
    ) -> KResult<i32> {
        self.check_live(dev, "devm_add_action")?;
        self.devres_append(
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
        name: impl IntoName,
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
        self.devres_append(
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
        self.devres_append(
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
        self.devres_append(dev, kind, "devres group");
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
                self.devres_append(dev, ResKind::GroupClose { id: gid }, "devres group");
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

    /// `devres_alloc`: a zeroed node of `size` bytes whose `release(dev,
    /// data)` will run when it is released, on no list yet. NULL when the
    /// size is too large.
    pub fn devres_alloc(&mut self, release: FnRef, size: u64, name: impl IntoName) -> Addr {
        let Some(size) = kmalloc_size(size) else {
            return Addr::NULL;
        };
        let name = name.into_name(&mut self.names);
        let label = format!("devres_alloc({})", self.names.get(name));
        // The data is a field of the node, never ZERO_SIZE_PTR; a
        // zero-sized one still has its own address.
        let data = self.kmalloc(size.max(1), AllocKind::Devm, label);
        let node = DevresNode {
            release,
            name,
            listed: None,
        };
        self.devres_nodes.insert(data.alloc(), node);
        data
    }

    /// The node whose data is at `data`, or the fault of handing `api`
    /// something `devres_alloc()` did not return.
    fn devres_node(&mut self, data: Addr, api: &'static str) -> KResult<AllocId> {
        let alloc = data.alloc();
        if data.offset() == 0 && self.devres_nodes.contains_key(&alloc) {
            return Ok(alloc);
        }
        let fault = Fault::NotAnObject {
            addr: data,
            expected: "devres_alloc() data",
            api,
        };
        Err(self.fault(fault))
    }

    /// The node `devres_alloc()` made for `node`, or the fault of one freed
    /// meanwhile (by a matcher that freed it, say).
    fn devres_node_state(&mut self, node: AllocId, api: &'static str) -> KResult<DevresNode> {
        match self.devres_nodes.get(&node) {
            Some(n) => Ok(n.clone()),
            None => {
                let fault = Fault::NotAnObject {
                    addr: Addr::new(node, 0),
                    expected: "devres_alloc() data",
                    api,
                };
                Err(self.fault(fault))
            }
        }
    }

    /// The kernel's `BUG_ON` for a node that is already on a list.
    fn devres_check_unlisted(&mut self, node: AllocId) -> KResult<()> {
        if self.devres_node_state(node, "devres_add")?.listed.is_some() {
            let what = "devres node is already on a devres list";
            return Err(self.fault(Fault::Bug { what }));
        }
        Ok(())
    }

    /// `devres_free`: frees a node that is on no list. NULL is ignored.
    pub fn devres_free(&mut self, data: Addr) -> KResult<()> {
        if data.is_null() {
            return Ok(());
        }
        let node = self.devres_node(data, "devres_free")?;
        self.devres_check_unlisted(node)?;
        self.devres_nodes.remove(&node);
        self.kfree(data)
    }

    /// `devres_add`: appends a node to `dev`'s list. Adding after
    /// `device_del()` is allowed; the entry then waits for `device_release()`.
    pub fn devres_add(&mut self, dev: DevId, data: Addr) -> KResult<()> {
        self.check_live(dev, "devres_add")?;
        let node = self.devres_node(data, "devres_add")?;
        self.devres_check_unlisted(node)?;
        self.devres_add_node(dev, node)
    }

    fn devres_add_node(&mut self, dev: DevId, node: AllocId) -> KResult<()> {
        let DevresNode { release, name, .. } = self.devres_node_state(node, "devres_add")?;
        let kind = ResKind::Devres {
            release,
            alloc: node,
        };
        let id = self.devres_append(dev, kind, name);
        if let Some(n) = self.devres_nodes.get_mut(&node) {
            n.listed = Some((dev, id));
        }
        Ok(())
    }

    /// `devres_find`: the data of the newest entry of `dev` made by
    /// `devres_alloc(release, ...)` that `matcher(dev, data, match_data)`
    /// accepts (no matcher accepts all); NULL if none.
    pub fn devres_find(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        release: FnRef,
        matcher: Option<FnRef>,
        match_data: u64,
    ) -> KResult<Addr> {
        self.check_live(dev, "devres_find")?;
        let found = self.devres_search(host, dev, release, matcher, match_data, Found::Keep)?;
        Ok(found.map_or(Addr::NULL, |node| Addr::new(node, 0)))
    }

    /// `devres_get`: the data of an entry matching `new`'s release and
    /// `matcher`; when there is one, `new` is freed, otherwise `new` is
    /// added and returned.
    pub fn devres_get(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        new: Addr,
        matcher: Option<FnRef>,
        match_data: u64,
    ) -> KResult<Addr> {
        self.check_live(dev, "devres_get")?;
        let node = self.devres_node(new, "devres_get")?;
        let release = self.devres_node_state(node, "devres_get")?.release;
        match self.devres_search(host, dev, release, matcher, match_data, Found::Keep)? {
            Some(old) => {
                self.devres_free(new)?;
                Ok(Addr::new(old, 0))
            }
            None => {
                self.devres_check_unlisted(node)?;
                self.devres_add_node(dev, node)?;
                Ok(new)
            }
        }
    }

    /// `devres_remove`: unlinks the newest matching entry without
    /// releasing it and returns its data, which the caller now owns; NULL
    /// if none.
    pub fn devres_remove(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        release: FnRef,
        matcher: Option<FnRef>,
        match_data: u64,
    ) -> KResult<Addr> {
        self.check_live(dev, "devres_remove")?;
        let found = self.devres_search(host, dev, release, matcher, match_data, Found::Unlink)?;
        Ok(found.map_or(Addr::NULL, |node| Addr::new(node, 0)))
    }

    /// `devres_destroy`: `devres_remove`, then `devres_free`; the release
    /// does not run. 0, or `-ENOENT`.
    pub fn devres_destroy(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        release: FnRef,
        matcher: Option<FnRef>,
        match_data: u64,
    ) -> KResult<i32> {
        let data = self.devres_remove(host, dev, release, matcher, match_data)?;
        if data.is_null() {
            return Ok(-crate::errno::ENOENT);
        }
        self.devres_free(data)?;
        Ok(0)
    }

    /// `devres_release`: `devres_remove`, then `release(dev, data)`, then
    /// `devres_free`. 0, or `-ENOENT`.
    pub fn devres_release(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        release: FnRef,
        matcher: Option<FnRef>,
        match_data: u64,
    ) -> KResult<i32> {
        let data = self.devres_remove(host, dev, release, matcher, match_data)?;
        if data.is_null() {
            return Ok(-crate::errno::ENOENT);
        }
        let dev_addr = self.obj(dev).addr.0;
        self.callback(host, release, &[dev_addr, data.0])?;
        self.devres_free(data)?;
        Ok(0)
    }

    /// The newest listed raw entry of `dev` with this release that the
    /// matcher accepts; unlinked from the list when `then` says so. The
    /// kernel holds the devres lock across the search, so the candidates
    /// are taken before the first matcher runs.
    fn devres_search(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        release: FnRef,
        matcher: Option<FnRef>,
        match_data: u64,
        then: Found,
    ) -> KResult<Option<AllocId>> {
        let candidates: Vec<(ResId, AllocId)> = self
            .dev(dev)
            .devres
            .iter()
            .rev()
            .filter_map(|r| match self.resource(*r).kind {
                ResKind::Devres { release: f, alloc } if f == release => Some((*r, alloc)),
                _ => None,
            })
            .collect();
        let dev_addr = self.obj(dev).addr.0;
        for (id, node) in candidates {
            if let Some(m) = matcher {
                let data = Addr::new(node, 0).0;
                if self.callback(host, m, &[dev_addr, data, match_data])? as u32 == 0 {
                    continue;
                }
            }
            if then == Found::Unlink {
                self.dev_mut(dev).devres.retain(|r| *r != id);
                self.res_unlink(id);
                if let Some(n) = self.devres_nodes.get_mut(&node) {
                    n.listed = None;
                }
            }
            return Ok(Some(node));
        }
        Ok(None)
    }

    /// Releases a raw entry: `release(dev, data)`, then the node is freed.
    fn devres_node_release(
        &mut self,
        host: &mut dyn Host,
        dev: DevId,
        release: FnRef,
        node: AllocId,
    ) -> KResult<()> {
        let (dev_addr, data) = (self.obj(dev).addr.0, Addr::new(node, 0));
        self.devres_nodes.remove(&node);
        self.callback(host, release, &[dev_addr, data.0])?;
        self.kfree(data)
    }

    /// The device's devres entries still listed, oldest first.
    pub fn devres_list(&self, dev: DevId) -> &[ResId] {
        &self.dev(dev).devres
    }
}

#[cfg(test)]
mod tests {
    use crate::warning::Fault;
    use crate::{Abort, Addr, DevId, FnRef, Kernel, Profile, RustHost};
    use std::cell::RefCell;
    use std::rc::Rc;

    /// What the release callbacks saw: (callback name, dev, data).
    type Seen = Rc<RefCell<Vec<(&'static str, u64, u64)>>>;

    struct Rig {
        k: Kernel,
        host: RustHost,
        dev: DevId,
        seen: Seen,
        release: FnRef,
        other_release: FnRef,
        /// Matches an entry whose first 8 bytes equal the match data.
        holds: FnRef,
    }

    fn rig(profile: Profile) -> Rig {
        let mut k = Kernel::new(profile);
        let mut host = RustHost::new();
        let seen = Seen::default();
        let mut recorder = |name: &'static str| {
            let seen = seen.clone();
            host.register(name, move |_, _, args| {
                seen.borrow_mut().push((name, args[0], args[1]));
                Ok(0)
            })
        };
        let release = recorder("my_release");
        let other_release = recorder("other_release");
        let holds = host.register("holds", |k, _, args| {
            Ok(u64::from(k.mm.read_u64(Addr(args[1])) == Ok(args[2])))
        });
        let dev = k.root_device_register(&mut host, "raw").unwrap().unwrap();
        Rig {
            k,
            host,
            dev,
            seen,
            release,
            other_release,
            holds,
        }
    }

    impl Rig {
        /// A listed node of `release` holding `value`.
        fn add(&mut self, release: FnRef, value: u64) -> Addr {
            let data = self.k.devres_alloc(release, 8, "my_release");
            self.k.mm.write_u64(data, value).unwrap();
            self.k.devres_add(self.dev, data).unwrap();
            data
        }

        fn find(&mut self, value: Option<u64>) -> Addr {
            let m = value.map(|_| self.holds);
            let (dev, release) = (self.dev, self.release);
            let v = value.unwrap_or(0);
            self.k
                .devres_find(&mut self.host, dev, release, m, v)
                .unwrap()
        }
    }

    #[test]
    fn entries_release_newest_first_among_actions_with_dev_and_data() {
        for profile in [Profile::V6_1, Profile::V6_12] {
            let mut r = rig(profile);
            let a = r.add(r.release, 1);
            let action = r.host.register("my_action", |_, _, _| Ok(0));
            r.k.devm_add_action(r.dev, action, 7, "my_action").unwrap();
            let b = r.add(r.other_release, 2);
            let dev_addr = r.k.obj(r.dev).addr.0;
            r.k.root_device_unregister(&mut r.host, r.dev).unwrap();
            let seen = r.seen.borrow().clone();
            assert_eq!(
                seen,
                [
                    ("other_release", dev_addr, b.0),
                    ("my_release", dev_addr, a.0)
                ]
            );
            let calls = r.host.called();
            let at = |f: FnRef| calls.iter().position(|c| *c == f);
            assert!(at(r.other_release) < at(action) && at(action) < at(r.release));
            assert!(!r.k.mm.is_live(a.alloc()) && !r.k.mm.is_live(b.alloc()));
        }
    }

    #[test]
    fn find_takes_the_newest_match_and_leaves_it_listed() {
        let mut r = rig(Profile::V6_12);
        let a = r.add(r.release, 1);
        let b = r.add(r.release, 2);
        r.add(r.other_release, 1);
        assert_eq!(r.find(None), b);
        assert_eq!(r.find(Some(1)), a);
        assert_eq!(r.find(Some(3)), Addr::NULL);
        assert_eq!(r.find(Some(1)), a, "a find does not unlink");
        assert!(r.seen.borrow().is_empty());
    }

    #[test]
    fn remove_hands_the_node_back_unreleased_and_it_can_be_added_again() {
        let mut r = rig(Profile::V6_12);
        let a = r.add(r.release, 1);
        let (dev, release, holds) = (r.dev, r.release, r.holds);
        let got = r.k.devres_remove(&mut r.host, dev, release, Some(holds), 1);
        assert_eq!(got, Ok(a));
        assert_eq!(r.find(None), Addr::NULL);
        assert!(r.seen.borrow().is_empty() && r.k.mm.is_live(a.alloc()));
        r.k.devres_add(dev, a).unwrap();
        assert_eq!(r.find(Some(1)), a);
        assert_eq!(
            r.k.devres_release(&mut r.host, dev, release, None, 0),
            Ok(0)
        );
        assert_eq!(r.seen.borrow().len(), 1);
        assert!(!r.k.mm.is_live(a.alloc()));
        let enoent = Ok(-crate::errno::ENOENT);
        assert_eq!(
            r.k.devres_release(&mut r.host, dev, release, None, 0),
            enoent
        );
        assert_eq!(
            r.k.devres_destroy(&mut r.host, dev, release, None, 0),
            enoent
        );
    }

    #[test]
    fn destroy_frees_without_running_the_release() {
        let mut r = rig(Profile::V6_12);
        let a = r.add(r.release, 1);
        let (dev, release) = (r.dev, r.release);
        assert_eq!(
            r.k.devres_destroy(&mut r.host, dev, release, None, 0),
            Ok(0)
        );
        assert!(r.seen.borrow().is_empty() && !r.k.mm.is_live(a.alloc()));
        r.k.root_device_unregister(&mut r.host, dev).unwrap();
        assert!(r.seen.borrow().is_empty());
    }

    #[test]
    fn get_returns_the_listed_match_and_frees_the_new_node() {
        let mut r = rig(Profile::V6_12);
        let first = r.k.devres_alloc(r.release, 8, "my_release");
        let dev = r.dev;
        assert_eq!(r.k.devres_get(&mut r.host, dev, first, None, 0), Ok(first));
        let second = r.k.devres_alloc(r.release, 8, "my_release");
        assert_eq!(r.k.devres_get(&mut r.host, dev, second, None, 0), Ok(first));
        assert!(!r.k.mm.is_live(second.alloc()));
        assert_eq!(r.k.devres_list(dev).len(), 1);
    }

    #[test]
    fn adding_a_listed_node_twice_or_freeing_it_is_a_kernel_bug() {
        let mut r = rig(Profile::V6_12);
        let a = r.add(r.release, 1);
        let bug = |res: Result<(), Abort>| matches!(res, Err(Abort::Fault(Fault::Bug { .. })));
        assert!(bug(r.k.devres_add(r.dev, a)));
        assert!(bug(r.k.devres_free(a)));
        assert_eq!(r.k.devres_free(Addr::NULL), Ok(()));
        let not_a_node = r.k.kmalloc(8, crate::AllocKind::Kmalloc, "x");
        assert!(matches!(
            r.k.devres_add(r.dev, not_a_node),
            Err(Abort::Fault(Fault::NotAnObject { .. }))
        ));
    }

    #[test]
    fn a_node_a_matcher_freed_is_not_added_by_devres_get() {
        let mut r = rig(Profile::V6_12);
        r.add(r.release, 1);
        let new = r.k.devres_alloc(r.release, 8, "my_release");
        let frees_new = r.host.register("frees_new", move |k, _, _| {
            k.devres_free(new)?;
            Ok(0)
        });
        let dev = r.dev;
        let got = r.k.devres_get(&mut r.host, dev, new, Some(frees_new), 0);
        assert!(
            matches!(got, Err(Abort::Fault(Fault::NotAnObject { .. }))),
            "{got:?}"
        );
        assert_eq!(r.k.devres_list(dev).len(), 1);
    }

    #[test]
    fn an_allocation_past_kmalloc_max_size_is_null() {
        let mut r = rig(Profile::V6_12);
        let too_big = crate::mm::KMALLOC_MAX_SIZE + 1;
        assert_eq!(
            r.k.devres_alloc(r.release, too_big, "my_release"),
            Addr::NULL
        );
        assert_ne!(r.k.devres_alloc(r.release, 0, "my_release"), Addr::NULL);
    }
}
