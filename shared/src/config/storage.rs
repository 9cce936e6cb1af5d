//! Wizard page "Storage capacity".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// `datastore[/path]` or `ds://datastore[/path]`.
    pub image_store: Option<String>,
    /// Each `datastore/path:label`, `ds://datastore/path:label` or `nfs://host/path?opts:label`.
    pub volume_stores: Vec<String>,
    /// Human size such as `8GB` or `8000MB`.
    pub base_image_size: Option<String>,
    /// GB; 0 means unlimited.
    pub storage_quota: Option<String>,
    /// Maximum number of containers; 0 means unlimited.
    pub containers: Option<String>,
}
