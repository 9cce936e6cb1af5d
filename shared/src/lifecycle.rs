//! Version decisions for a VCH's life after create (upgrade, rollback, configure): which build a
//! version text names, whether an upgrade may run, and how the life-cycle snapshots are named.
//! The rules follow vic-machine 1.5.8 as `docs/lifecycle.md` describes them. Pure code.

use crate::extraconfig::Build;

/// Prefix of the snapshot `upgrade` takes before it changes the appliance.
pub const UPGRADE_SNAPSHOT_PREFIX: &str = "upgrade for ";
/// Prefix of the snapshot `configure` takes before it changes the appliance.
pub const CONFIGURE_SNAPSHOT_PREFIX: &str = "reconfigure for ";

/// `v1.5.8-12345-2c978fe` (any case) → its build; `None` unless it has the three parts, a
/// `vX.Y.Z` version, a numeric build number and an alphanumeric commit.
pub fn parse_build(word: &str) -> Option<Build> {
    let mut parts = word.splitn(3, '-');
    let version = parts.next()?.to_ascii_lowercase();
    let build_number = parts.next()?.to_owned();
    let commit = parts.next()?.to_ascii_lowercase();
    let numeric = version.strip_prefix('v')?;
    let fields: Vec<&str> = numeric.split('.').collect();
    if fields.len() != 3
        || fields
            .iter()
            .any(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
        || build_number.is_empty()
        || !build_number.bytes().all(|b| b.is_ascii_digit())
        || commit.is_empty()
        || !commit.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    // vic-machine 1.5.x records plugin version 10 (docs/appliance-extraconfig.md §3.1).
    let plugin_version = if version.starts_with("v1.5.") { 10 } else { 0 };
    Some(Build {
        version,
        git_commit: commit,
        build_number,
        plugin_version,
        ..Build::default()
    })
}

/// The name of the snapshot an upgrade to `installer` takes.
pub fn upgrade_snapshot_name(installer: &Build) -> String {
    format!("{UPGRADE_SNAPSHOT_PREFIX}{}", installer.short_version())
}

/// The name of the snapshot a configure of a VCH at `current` takes.
pub fn configure_snapshot_name(current: &Build) -> String {
    format!("{CONFIGURE_SNAPSHOT_PREFIX}{}", current.short_version())
}

/// Whether a snapshot was taken by upgrade or configure: only these are rolled back to, and the
/// older one is removed when a newer change succeeds. Snapshots an administrator took are not.
pub fn is_lifecycle_snapshot(name: &str) -> bool {
    name.starts_with(UPGRADE_SNAPSHOT_PREFIX) || name.starts_with(CONFIGURE_SNAPSHOT_PREFIX)
}

/// Why an upgrade is refused (`--force` overrides all of them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpgradeRefusal {
    #[error(
        "the VCH already runs {vch}, the version this installer deploys: no upgrade is available (--force reinstalls it)"
    )]
    SameVersion { vch: String },
    #[error(
        "the VCH runs {vch}, newer than this installer's {installer}: no upgrade is available; use a newer installer (--force downgrades it)"
    )]
    VchNewer { vch: String, installer: String },
    #[error(
        "the VCH records no version, so it cannot be compared with this installer's {installer} (--force upgrades it anyway)"
    )]
    NoVersion { installer: String },
    #[error(
        "the VCH's version {vch} cannot be compared with this installer's {installer}: {why} (--force upgrades it anyway)"
    )]
    Incomparable {
        vch: String,
        installer: String,
        why: String,
    },
}

/// vic-machine's version assertion before an upgrade: the VCH's build number must be lower than
/// the installer's (numbers compared as integers, as `ls` does).
pub fn check_upgrade(installer: &Build, vch: Option<&Build>) -> Result<(), UpgradeRefusal> {
    let Some(vch) = vch else {
        return Err(UpgradeRefusal::NoVersion {
            installer: installer.short_version(),
        });
    };
    if vch.build_number == installer.build_number {
        return Err(UpgradeRefusal::SameVersion {
            vch: vch.short_version(),
        });
    }
    let number = |b: &Build| {
        b.build_number
            .parse::<u64>()
            .map_err(|_| format!("build number {:?} is not a number", b.build_number))
    };
    match (number(installer), number(vch)) {
        (Ok(ours), Ok(theirs)) if ours > theirs => Ok(()),
        (Ok(_), Ok(_)) => Err(UpgradeRefusal::VchNewer {
            vch: vch.short_version(),
            installer: installer.short_version(),
        }),
        (Err(why), _) | (_, Err(why)) => Err(UpgradeRefusal::Incomparable {
            vch: vch.short_version(),
            installer: installer.short_version(),
            why,
        }),
    }
}

/// The build a VCH records after an upgrade: the installer's version, with the plugin
/// (configuration schema) version kept, since every 1.5.x appliance reads the same keys.
pub fn upgraded_build(installer: &Build, vch: Option<&Build>) -> Build {
    Build {
        plugin_version: vch.map_or(installer.plugin_version, |b| {
            b.plugin_version.max(installer.plugin_version)
        }),
        ..installer.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Build {
        parse_build(text).expect("a build")
    }

    #[test]
    fn parses_builds() {
        let b = build("V1.5.8-12345-2C978FE");
        assert_eq!(
            (b.version.as_str(), b.build_number.as_str()),
            ("v1.5.8", "12345")
        );
        assert_eq!(b.git_commit, "2c978fe");
        for bad in ["v1.5-1-a", "1.5.8-1-a", "", "v1.5.8-x-a", "v1.5.8-1-"] {
            assert!(parse_build(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn upgrade_needs_an_older_vch() {
        let installer = build("v1.5.8-12345-2c978fe");
        assert_eq!(
            check_upgrade(&installer, Some(&build("v1.5.7-12000-abcdef0"))),
            Ok(())
        );
        let same = check_upgrade(&installer, Some(&installer)).unwrap_err();
        assert!(same.to_string().contains("no upgrade is available"));
        assert!(matches!(
            check_upgrade(&installer, Some(&build("v1.5.9-20000-1234567"))),
            Err(UpgradeRefusal::VchNewer { .. })
        ));
        assert!(matches!(
            check_upgrade(&installer, None),
            Err(UpgradeRefusal::NoVersion { .. })
        ));
        let odd = Build {
            build_number: "dev".into(),
            ..installer.clone()
        };
        assert!(matches!(
            check_upgrade(&installer, Some(&odd)),
            Err(UpgradeRefusal::Incomparable { .. })
        ));
    }

    #[test]
    fn snapshot_names() {
        let b = build("v1.5.8-12345-2c978fe");
        assert_eq!(
            upgrade_snapshot_name(&b),
            "upgrade for v1.5.8-12345-2c978fe"
        );
        assert!(is_lifecycle_snapshot(&configure_snapshot_name(&b)));
        assert!(!is_lifecycle_snapshot("before patching"));
    }

    #[test]
    fn upgraded_build_never_lowers_the_plugin_version() {
        // Every 1.5.x installer writes plugin version 10, as vic-machine 1.5.8 does.
        let installer = build("v1.5.8-12345-2c978fe");
        assert_eq!(installer.plugin_version, 10);
        let older = Build {
            plugin_version: 7,
            ..build("v1.5.7-12000-abcdef0")
        };
        let new = upgraded_build(&installer, Some(&older));
        assert_eq!(new.short_version(), "v1.5.8-12345-2c978fe");
        assert_eq!(new.plugin_version, 10);
        // A VCH whose data already migrated further keeps its plugin version.
        let migrated = Build {
            plugin_version: 12,
            ..older
        };
        assert_eq!(
            upgraded_build(&installer, Some(&migrated)).plugin_version,
            12
        );
    }
}
