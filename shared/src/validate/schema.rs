//! The config file itself: a schema version we understand.

use crate::config::{SCHEMA_VERSION, VchConfig};
use crate::finding::{Finding, Severity};

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    if config.schema_version == 0 || config.schema_version > SCHEMA_VERSION {
        out.push(Finding::new(
            Severity::Error,
            "SC1",
            None,
            "schema_version",
            format!(
                "schema_version {} is not supported; this build reads version {SCHEMA_VERSION}. \
                 Convert the file with a matching vch release or set schema_version to {SCHEMA_VERSION}.",
                config.schema_version
            ),
        ));
    }
}
