//! Kernel-version profiles.
//!
//! Every behavioural difference between the modelled kernel versions is one
//! [`Switch`], listed once in [`SWITCHES`] with the upstream version that
//! introduced the newer behaviour. Model code asks `profile.has(Switch::X)`;
//! it never compares version numbers itself. APIs that appeared after a
//! profile's version stay usable, but the first use of each one is recorded as
//! an anachronism warning naming the version that added it ([`API_SINCE`]).

use std::fmt;

/// An upstream kernel version, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KernelVersion {
    /// Major number (the 6 in 6.12).
    pub major: u8,
    /// Minor number (the 12 in 6.12).
    pub minor: u8,
}

impl KernelVersion {
    /// Builds `major.minor`.
    pub const fn new(major: u8, minor: u8) -> Self {
        Self { major, minor }
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.major, self.minor)
    }
}

/// One behaviour that changed between kernel versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Switch {
    /// `device_del()` calls `devres_release_all()` itself, so a device with no
    /// driver releases its devres when unregistered, not only when its last
    /// reference goes. Upstream commit 699fb50d9903 ("drivers: base: Free devm
    /// resources when unregistering a device"), merged for v6.6.
    DeviceDelReleasesDevres,
}

/// The switches, each with the first upstream version that has the new behaviour.
pub const SWITCHES: &[(Switch, KernelVersion)] =
    &[(Switch::DeviceDelReleasesDevres, KernelVersion::new(6, 6))];

/// APIs newer than some profile, with the upstream version that added them.
///
/// Versions follow `../shared/spec/kernel-lifetimes.md` §3.3; the ones the spec
/// marks approximate are the mainline release the API first shipped in.
pub const API_SINCE: &[(&str, KernelVersion)] = &[
    ("kunit_add_action", KernelVersion::new(6, 5)),
    ("kunit_add_action_or_reset", KernelVersion::new(6, 5)),
    ("kunit_remove_action", KernelVersion::new(6, 5)),
    ("kunit_release_action", KernelVersion::new(6, 5)),
    ("KUNIT_DEFINE_ACTION_WRAPPER", KernelVersion::new(6, 8)),
    ("kunit_device_register", KernelVersion::new(6, 8)),
    (
        "kunit_device_register_with_driver",
        KernelVersion::new(6, 8),
    ),
    ("kunit_device_unregister", KernelVersion::new(6, 8)),
    ("kunit_driver_create", KernelVersion::new(6, 8)),
    ("drmm_release_action", KernelVersion::new(6, 8)),
    ("kunit_kstrdup", KernelVersion::new(6, 8)),
    ("kunit_kstrdup_const", KernelVersion::new(6, 8)),
    ("kunit_kfree_const", KernelVersion::new(6, 8)),
    ("kunit_get_current_test", KernelVersion::new(6, 3)),
    ("kunit_platform_device_alloc", KernelVersion::new(6, 9)),
    ("kunit_platform_device_add", KernelVersion::new(6, 9)),
    ("kunit_platform_driver_register", KernelVersion::new(6, 9)),
    (
        "kunit_platform_device_prepare_wait_for_probe",
        KernelVersion::new(6, 9),
    ),
    ("drm_kunit_helper_alloc_device", KernelVersion::new(6, 3)),
    ("drm_kunit_helper_free_device", KernelVersion::new(6, 3)),
];

/// A modelled kernel version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The upstream version this profile behaves like.
    pub version: KernelVersion,
}

impl Profile {
    /// Upstream v6.1, the kernel of the Nov 2022 thread.
    pub const V6_1: Profile = Profile {
        version: KernelVersion::new(6, 1),
    };
    /// v6.12, the default.
    pub const V6_12: Profile = Profile {
        version: KernelVersion::new(6, 12),
    };
    /// Every profile the tool offers, by its command-line name.
    pub const ALL: &'static [(&'static str, Profile)] =
        &[("v6.1", Self::V6_1), ("v6.12", Self::V6_12)];

    /// Looks a profile up by its command-line name (`v6.1`, `6.12`, ...).
    pub fn by_name(name: &str) -> Option<Profile> {
        let name = name.strip_prefix('v').unwrap_or(name);
        Self::ALL
            .iter()
            .find(|(n, _)| &n[1..] == name)
            .map(|(_, p)| *p)
    }

    /// The profile's command-line name.
    pub fn name(&self) -> String {
        self.version.to_string()
    }

    /// Whether this profile has the newer behaviour of `switch`.
    pub fn has(&self, switch: Switch) -> bool {
        SWITCHES
            .iter()
            .find(|(s, _)| *s == switch)
            .is_some_and(|(_, since)| self.version >= *since)
    }

    /// The version that added `api`, if it is newer than this profile.
    pub fn anachronism(&self, api: &str) -> Option<KernelVersion> {
        API_SINCE
            .iter()
            .find(|(name, _)| *name == api)
            .map(|(_, since)| *since)
            .filter(|since| self.version < *since)
    }
}

impl Default for Profile {
    fn default() -> Self {
        Self::V6_12
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_del_switch_splits_the_two_profiles() {
        assert!(!Profile::V6_1.has(Switch::DeviceDelReleasesDevres));
        assert!(Profile::V6_12.has(Switch::DeviceDelReleasesDevres));
    }

    #[test]
    fn profiles_are_found_by_name() {
        assert_eq!(Profile::by_name("v6.1"), Some(Profile::V6_1));
        assert_eq!(Profile::by_name("6.12"), Some(Profile::V6_12));
        assert_eq!(Profile::by_name("v5.4"), None);
    }

    #[test]
    fn anachronisms_name_the_version() {
        assert_eq!(
            Profile::V6_1.anachronism("kunit_device_register"),
            Some(KernelVersion::new(6, 8))
        );
        assert_eq!(Profile::V6_12.anachronism("kunit_device_register"), None);
        assert_eq!(Profile::V6_1.anachronism("put_device"), None);
    }
}
