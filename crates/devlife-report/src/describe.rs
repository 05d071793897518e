//! Words for the model's things: object labels, holders, what returns a
//! reference, sites and call chains. The only place that turns model values
//! into prose; every format reuses these sentences.

use crate::explanation::Origin;
use crate::input::{CaseRun, SiteNamer, Step};
use crate::replay::{chain, RefState, Replay, ResPhase};
use devlife_model::drivers::base::bus::BusId;
use devlife_model::drivers::base::class::ClassId;
use devlife_model::drivers::base::core::{DevKind, Device};
use devlife_model::trace::EventId;
use devlife_model::{
    Body, Event, Holder, Kernel, ObjId, ObjKind, ResId, ResKind, ResList, Site, Switch,
};
use std::collections::BTreeMap;

/// Who a reference's holder is, as a node of the reference graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Owner {
    /// An object.
    Obj(ObjId),
    /// The test (or driver) code.
    Code,
    /// A kernel call that did not finish.
    InFlight,
    /// A bus's device list.
    Bus(BusId),
    /// A class's device list.
    Class(ClassId),
    /// Nobody recorded.
    Unknown,
}

/// Everything needed to describe one case.
pub(crate) struct Ctx<'a> {
    /// The kernel after the case.
    pub kernel: &'a Kernel,
    /// The log, cut at the case's end.
    pub events: &'a [Event],
    /// The case's first event.
    pub first: EventId,
    /// The case's end (exclusive).
    pub end: EventId,
    /// The steps, sorted by event.
    pub steps: Vec<Step>,
    site_name: SiteNamer<'a>,
    labels: BTreeMap<ObjId, String>,
}

impl<'a> Ctx<'a> {
    /// Prepares descriptions for `run`; `scope` are the objects whose labels
    /// must tell apart (the case's own and the tracked ones).
    pub fn new(run: &CaseRun<'a>, scope: &[ObjId]) -> Self {
        let all = run.kernel.log.events();
        let end = run.end_event.min(all.len() as EventId);
        let mut steps = run.steps.clone();
        steps.sort_by_key(|s| s.event);
        Self {
            kernel: run.kernel,
            events: &all[..end as usize],
            first: run.first_event.min(end),
            end,
            steps,
            site_name: run.site_name,
            labels: unique_labels(run.kernel, scope),
        }
    }

    /// The object's label, unique within the case.
    pub fn label(&self, id: ObjId) -> String {
        self.labels
            .get(&id)
            .cloned()
            .unwrap_or_else(|| base_label(self.kernel, id))
    }

    /// A host site as text.
    pub fn site(&self, site: Site) -> String {
        (self.site_name)(site)
    }

    /// The step an event belongs to, by its call.
    pub fn step_call(&self, id: EventId) -> String {
        self.step_at(id)
            .map(|s| self.kernel.name(s.call).to_string())
            .unwrap_or_default()
    }

    /// The step event `id` belongs to, if it is inside the case.
    fn step_at(&self, id: EventId) -> Option<&crate::Step> {
        if id < self.first || id >= self.end {
            return None;
        }
        let i = self.steps.partition_point(|s| s.event <= id);
        i.checked_sub(1).and_then(|i| self.steps.get(i))
    }

    /// Where event `id` happened.
    pub fn origin(&self, id: EventId) -> Origin {
        let Some(e) = self.events.get(id as usize) else {
            return Origin::default();
        };
        Origin {
            call: self.step_call(id),
            site: self.site(e.site),
            via: chain(self.events, id).join(" → "),
        }
    }

    /// Where something at host site `site` happened, during the step of `id`.
    /// Where a fault the host caught in its own code happened: the step is
    /// named only when the access is on that statement's line (an access
    /// between kernel calls belongs to no call).
    pub fn host_origin(&self, id: EventId, site: Site) -> Origin {
        let step = self.step_at(id).filter(|s| s.line == site.line);
        Origin {
            call: step
                .map(|s| self.kernel.name(s.call).to_string())
                .unwrap_or_default(),
            site: self.site(site),
            via: String::new(),
        }
    }

    /// The site of event `id`, as text.
    fn event_site(&self, id: EventId) -> String {
        self.events
            .get(id as usize)
            .map(|e| self.site(e.site))
            .unwrap_or_else(|| "<unknown>".into())
    }

    /// The innermost modelled function of event `id`.
    fn innermost(&self, id: EventId) -> String {
        chain(self.events, id)
            .last()
            .map(|s| (*s).to_string())
            .unwrap_or_else(|| "the test code".into())
    }

    /// Who holds a reference on `target`, in full.
    pub fn holder_text(&self, target: ObjId, r: &RefState) -> String {
        let Some(holder) = r.holder else {
            return format!(
                "reference taken in {} ({})",
                self.innermost(r.taken),
                self.event_site(r.taken)
            );
        };
        match holder {
            Holder::Caller(f) if r.initial => {
                format!("initial reference from {f} ({})", self.event_site(r.taken))
            }
            Holder::Caller(f) => format!("reference from {f} ({})", self.event_site(r.taken)),
            Holder::Transient(f) => format!("temporary reference held by {f} while it runs"),
            Holder::ChildrenList { parent } => {
                format!("node in the children list of {}", self.label(parent))
            }
            Holder::BusList { bus } => format!("node in the device list of {}", self.bus(bus)),
            Holder::ClassList { class } => {
                format!("node in the device list of {}", self.class(class))
            }
            Holder::Child { child } => self.child_text(target, child),
            Holder::KobjectParent { child } => self.sysfs_text(child),
            Holder::Resource(res) => self.resource_text(res),
            Holder::File(f) => format!("open {}", self.label(f)),
        }
    }

    fn child_text(&self, target: ObjId, child: ObjId) -> String {
        if self.kind(target) == Some(ObjKind::GlueDir) {
            format!("child {} inside it (get_device_parent)", self.label(child))
        } else {
            format!(
                "parent reference of child {} (device_add)",
                self.label(child)
            )
        }
    }

    fn sysfs_text(&self, child: ObjId) -> String {
        if self.kind(child) == Some(ObjKind::GlueDir) {
            format!("sysfs link of {}", self.label(child))
        } else {
            format!("sysfs link of child {} (kobject_add)", self.label(child))
        }
    }

    /// Who holds a reference on `target`, briefly (for graph edges and cycles).
    pub fn holder_short(&self, target: ObjId, r: &RefState) -> String {
        let Some(holder) = r.holder else {
            return format!("reference taken in {}", self.innermost(r.taken));
        };
        match holder {
            Holder::Caller(f) if r.initial => format!("initial reference from {f}"),
            Holder::Caller(f) => format!("reference from {f}"),
            Holder::Transient(f) => format!("{f} (in flight)"),
            Holder::ChildrenList { .. } => "children list node".into(),
            Holder::BusList { .. } | Holder::ClassList { .. } => "device list node".into(),
            Holder::Child { .. } if self.kind(target) == Some(ObjKind::GlueDir) => {
                "child in it".into()
            }
            Holder::Child { .. } => "parent reference (device_add)".into(),
            Holder::KobjectParent { .. } => "sysfs link".into(),
            Holder::Resource(res) => self.resource_short(res),
            Holder::File(_) => "open file".into(),
        }
    }

    /// The graph node that holds a reference.
    pub fn owner(&self, holder: Option<Holder>) -> Owner {
        match holder {
            None => Owner::Unknown,
            Some(Holder::Caller(_)) => Owner::Code,
            Some(Holder::Transient(_)) => Owner::InFlight,
            Some(Holder::ChildrenList { parent }) => Owner::Obj(parent),
            Some(Holder::BusList { bus }) => Owner::Bus(bus),
            Some(Holder::ClassList { class }) => Owner::Class(class),
            Some(Holder::Child { child } | Holder::KobjectParent { child }) => Owner::Obj(child),
            Some(Holder::Resource(res)) => self
                .kernel
                .try_resource(res)
                .map_or(Owner::Unknown, |r| Owner::Obj(r.owner)),
            Some(Holder::File(f)) => Owner::Obj(f),
        }
    }

    /// A graph node's label.
    pub fn owner_label(&self, owner: Owner) -> String {
        match owner {
            Owner::Obj(o) => self.label(o),
            Owner::Code => "test code".into(),
            Owner::InFlight => "unfinished kernel call".into(),
            Owner::Bus(b) => self.bus(b),
            Owner::Class(c) => self.class(c),
            Owner::Unknown => "unknown holder".into(),
        }
    }

    /// A graph node's stable key.
    pub fn owner_key(owner: Owner) -> String {
        match owner {
            Owner::Obj(o) => format!("obj{}", o.0),
            Owner::Code => "code".into(),
            Owner::InFlight => "inflight".into(),
            Owner::Bus(b) => format!("bus{}", b.0),
            Owner::Class(c) => format!("class{}", c.0),
            Owner::Unknown => "unknown".into(),
        }
    }

    fn bus(&self, bus: BusId) -> String {
        format!("bus '{}'", self.kernel.bus_name(bus).unwrap_or("?"))
    }

    fn class(&self, class: ClassId) -> String {
        format!("class '{}'", self.kernel.class_name(class).unwrap_or("?"))
    }

    fn kind(&self, obj: ObjId) -> Option<ObjKind> {
        self.kernel.try_obj(obj).map(|o| o.kind)
    }

    /// A managed resource in full: `devm action X on root device 'test'`.
    pub fn resource_text(&self, res: ResId) -> String {
        let Some(r) = self.kernel.try_resource(res) else {
            return format!("unknown resource #{}", res.0);
        };
        let owner = self.label(r.owner);
        let what = self.resource_short(res);
        match r.list {
            ResList::Devres => format!("{what} on {owner}"),
            ResList::Drmres | ResList::Kunit => format!("{what} of {owner}"),
        }
    }

    /// A managed resource briefly: `devm action X`, `drmm memory 'minor'`.
    pub fn resource_short(&self, res: ResId) -> String {
        let Some(r) = self.kernel.try_resource(res) else {
            return format!("unknown resource #{}", res.0);
        };
        let list = match r.list {
            ResList::Devres => "devm",
            ResList::Drmres => "drmm",
            ResList::Kunit => "KUnit",
        };
        match &r.kind {
            ResKind::Action { .. } => format!("{list} action {}", self.kernel.name(r.name)),
            ResKind::Memory { alloc } => {
                let label = self.kernel.mm.get(*alloc).map(|a| a.label.to_string());
                format!(
                    "{list} memory ({})",
                    label.unwrap_or_else(|| self.kernel.name(r.name).to_string())
                )
            }
            ResKind::GroupOpen { id, .. } => format!("devres group {id:#x} (open)"),
            ResKind::GroupClose { id } => format!("devres group {id:#x} (close)"),
            ResKind::KunitResource { .. } => {
                format!("KUnit resource {}", self.kernel.name(r.name))
            }
            ResKind::Devres { .. } => format!("devres {}", self.kernel.name(r.name)),
        }
    }

    /// What would return a reference still held on `target` at the end.
    pub fn returned_by(&self, target: ObjId, r: &RefState, replay: &Replay<'_>) -> String {
        let Some(holder) = r.holder else {
            return format!(
                "returned only when {} finishes with it",
                self.innermost(r.taken)
            );
        };
        let t = self.label(target);
        match holder {
            Holder::Caller(_) => format!(
                "returned only by an explicit {} from the test code",
                put_for(self.kind(target))
            ),
            Holder::Transient(f) => format!("returned when {f} returns (it was cut short)"),
            Holder::ChildrenList { .. } | Holder::BusList { .. } | Holder::ClassList { .. } => {
                format!("returned by device_del() of {t}")
            }
            Holder::Child { child } if self.kind(target) == Some(ObjKind::GlueDir) => {
                format!("returned when {} leaves it (device_del)", self.label(child))
            }
            Holder::Child { child } => format!("returned by device_del() of {}", self.label(child)),
            Holder::KobjectParent { child } if self.kind(child) == Some(ObjKind::GlueDir) => {
                format!(
                    "returned when {} is removed, once its last child device is deleted",
                    self.label(child)
                )
            }
            Holder::KobjectParent { child } => format!(
                "returned by device_del() of {}, or at its release",
                self.label(child)
            ),
            Holder::Resource(res) => format!(
                "dropped by {}, {}",
                self.resource_text(res),
                self.resource_trigger(res, replay)
            ),
            Holder::File(f) => format!("returned when {} is closed (drm_release)", self.label(f)),
        }
    }

    /// When a managed resource would be released, given the end state.
    pub fn resource_trigger(&self, res: ResId, replay: &Replay<'_>) -> String {
        let Some(r) = self.kernel.try_resource(res) else {
            return "which is unknown to the model".into();
        };
        match replay.resource(res) {
            Some(ResPhase::Released(at)) => {
                return format!(
                    "which was already released ({}) without returning it",
                    self.event_site(at)
                )
            }
            Some(ResPhase::Removed(at)) => {
                return format!(
                    "which was removed without running ({})",
                    self.event_site(at)
                )
            }
            _ => {}
        }
        let owner = self.label(r.owner);
        match r.list {
            ResList::Devres => self.devres_trigger(r.owner, &self.name(r.owner)),
            ResList::Drmres => {
                format!("which only runs when the last reference to {owner} goes (drm_dev_release)")
            }
            ResList::Kunit => "which runs at test cleanup (kunit_cleanup)".into(),
        }
    }

    /// What outside the objects' own releases would drop a reference held by
    /// `holder` on `target`: an unregister, a driver unbind, test cleanup or a
    /// close. `None` when only a release can (a drmres action, the devres of
    /// a device that is no longer registered).
    pub fn breaker(&self, target: ObjId, holder: Option<Holder>) -> Option<String> {
        match holder? {
            Holder::ChildrenList { .. } => Some(format!("device_del() of {}", self.label(target))),
            Holder::Child { child } => Some(format!("device_del() of {}", self.label(child))),
            Holder::KobjectParent { child } if self.kind(child) == Some(ObjKind::GlueDir) => Some(
                format!("device_del() of the last device in {}", self.label(child)),
            ),
            Holder::KobjectParent { child } => {
                Some(format!("device_del() of {}", self.label(child)))
            }
            Holder::Resource(res) => self.resource_breaker(res),
            Holder::File(f) => Some(format!("closing {}", self.label(f))),
            Holder::Caller(_)
            | Holder::Transient(_)
            | Holder::BusList { .. }
            | Holder::ClassList { .. } => None,
        }
    }

    fn resource_breaker(&self, res: ResId) -> Option<String> {
        let r = self.kernel.try_resource(res)?;
        match r.list {
            ResList::Drmres => None,
            ResList::Kunit => Some("test cleanup (kunit_cleanup)".into()),
            ResList::Devres => {
                let d = device(self.kernel, r.owner)?;
                let del = self.kernel.profile.has(Switch::DeviceDelReleasesDevres);
                let owner = self.label(r.owner);
                match (d.in_sysfs, del, d.driver.is_some()) {
                    (true, true, _) => Some(format!("device_del() of {owner}")),
                    (true, false, true) => Some(format!("unbinding the driver of {owner}")),
                    _ => None,
                }
            }
        }
    }

    /// When a device's devres runs, given whether it is still registered
    /// and bound, and the profile.
    fn devres_trigger(&self, dev: ObjId, name: &str) -> String {
        let Some(d) = device(self.kernel, dev) else {
            return format!("which only runs when '{name}' is released");
        };
        let registered = d.in_sysfs;
        let del_releases = self.kernel.profile.has(Switch::DeviceDelReleasesDevres);
        if !registered {
            return format!(
                "which only runs when '{name}' is released (its last reference goes), since '{name}' is no longer registered"
            );
        }
        if del_releases {
            return format!("which runs when '{name}' is unregistered (device_del) or released");
        }
        if d.driver.is_some() {
            return format!(
                "which runs when the driver of '{name}' unbinds, or when '{name}' is released"
            );
        }
        format!(
            "which only runs when '{name}' is released: before v6.6 device_del() does not release devres"
        )
    }

    fn name(&self, obj: ObjId) -> String {
        self.kernel
            .try_obj(obj)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    }
}

/// The put an explicit holder must call for an object of this kind.
fn put_for(kind: Option<ObjKind>) -> &'static str {
    match kind {
        Some(ObjKind::DrmDevice) => "drm_dev_put()",
        Some(ObjKind::DrmFile) => "drm_release()",
        Some(ObjKind::GlueDir | ObjKind::Kobject) => "kobject_put()",
        Some(ObjKind::Kref) => "kref_put()",
        _ => "put_device()",
    }
}

/// The device state of `obj`, if it is a device.
pub(crate) fn device(kernel: &Kernel, obj: ObjId) -> Option<&Device> {
    match &kernel.try_obj(obj)?.body {
        Body::Device(d) => Some(d),
        _ => None,
    }
}

/// An object's label before disambiguation: `root device 'test'`,
/// `drm_device on 'test'`, `class glue directory 'drm'`.
pub(crate) fn base_label(kernel: &Kernel, id: ObjId) -> String {
    let Some(o) = kernel.try_obj(id) else {
        return format!("unknown object #{}", id.0);
    };
    let name = &o.name;
    match o.kind {
        ObjKind::Device => format!("{} '{name}'", device_word(kernel, id)),
        ObjKind::GlueDir => format!("class glue directory '{name}'"),
        ObjKind::DrmDevice => match name.strip_prefix("drm ") {
            Some(rest) if !rest.is_empty() => format!("drm_device {rest}"),
            _ if name.is_empty() => format!("drm_device #{}", id.0),
            _ => format!("drm_device '{name}'"),
        },
        ObjKind::DrmFile => match name.strip_prefix("file on drm ") {
            Some(rest) => format!("drm file {rest}"),
            None => format!("drm file '{name}'"),
        },
        ObjKind::KunitTest => format!("kunit test '{name}'"),
        ObjKind::Kref => format!("kref '{name}'"),
        ObjKind::Kobject => format!("kobject '{name}'"),
    }
}

fn device_word(kernel: &Kernel, id: ObjId) -> &'static str {
    match device(kernel, id).map(|d| &d.kind) {
        Some(DevKind::Root) => "root device",
        Some(DevKind::Platform { .. }) => "platform device",
        Some(DevKind::Kunit { .. }) => "kunit device",
        Some(DevKind::BusRoot) => "bus device",
        _ => "device",
    }
}

/// Labels for `scope`, with ` #n` appended where two objects share one.
fn unique_labels(kernel: &Kernel, scope: &[ObjId]) -> BTreeMap<ObjId, String> {
    let mut ids: Vec<ObjId> = scope.to_vec();
    ids.sort();
    ids.dedup();
    let mut by_label: BTreeMap<String, Vec<ObjId>> = BTreeMap::new();
    for id in ids {
        by_label.entry(base_label(kernel, id)).or_default().push(id);
    }
    let mut out = BTreeMap::new();
    for (label, ids) in by_label {
        let shared = ids.len() > 1;
        for (n, id) in ids.into_iter().enumerate() {
            let text = if shared {
                format!("{label} #{}", n + 1)
            } else {
                label.clone()
            };
            out.insert(id, text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use devlife_model::{Profile, RustHost};

    #[test]
    fn labels_name_the_kind_and_disambiguate() {
        let mut k = Kernel::new(Profile::V6_12);
        let mut host = RustHost::new();
        let a = k.root_device_register(&mut host, "r").unwrap().unwrap();
        k.root_device_unregister(&mut host, a).unwrap();
        let b = k.root_device_register(&mut host, "r").unwrap().unwrap();
        assert_eq!(base_label(&k, a), "root device 'r'");
        let labels = unique_labels(&k, &[b, a]);
        assert_eq!(labels[&a], "root device 'r' #1");
        assert_eq!(labels[&b], "root device 'r' #2");
        assert_eq!(base_label(&k, ObjId(9999)), "unknown object #9999");
    }
}
