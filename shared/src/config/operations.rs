//! Wizard page "Operations user".

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OperationsConfig {
    pub ops_user: Option<String>,
    #[serde(skip_serializing)]
    pub ops_password: Option<Secret>,
    pub ops_grant_perms: bool,
}
