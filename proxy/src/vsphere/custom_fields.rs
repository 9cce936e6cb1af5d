//! Custom attributes (`CustomFieldsManager`): how a create marks the resource pool and folder it
//! makes, so a create that died half-way can be recognised from vSphere alone
//! (docs/crash-safety.md). vCenter only: a standalone ESXi host has no `CustomFieldsManager`.
//!
//! `SetField` on the manager rather than the entities' own `setCustomValue`: the simulator
//! implements the latter for VMs only.

use super::envelope::Request;
use super::fault::FaultKind;

use super::xml_tree::Node;
use super::{Client, MoRef, VsphereError};

/// The custom attribute a create sets on its pool and folder; its value is the VCH name.
pub const VCH_MARKER: &str = "vch-deploy.vch";

impl Client {
    /// Whether the endpoint has custom attributes (vCenter does, a standalone ESXi host does not).
    pub fn has_custom_fields(&self) -> bool {
        self.content().custom_fields_manager.is_some()
    }

    /// Remembers the marker's key from an inventory read, which saves a round trip per create.
    pub(crate) fn remember_marker_key(&self, key: Option<i32>) {
        if let (Some(key), Ok(mut cached)) = (key, self.inner.marker_key.lock()) {
            *cached = Some(key);
        }
    }

    fn cached_marker_key(&self) -> Option<i32> {
        self.inner.marker_key.lock().ok().and_then(|k| *k)
    }

    /// Sets [`VCH_MARKER`] of `entity` to `vch`: one round trip once the attribute's key is known
    /// (an inventory read tells it), one more on the vCenter's very first create, which defines
    /// the attribute.
    pub async fn set_vch_marker(&self, entity: &MoRef, vch: &str) -> Result<(), VsphereError> {
        let manager = self.custom_fields_manager()?;
        let key = match self.cached_marker_key() {
            Some(key) => key,
            None => self.define_marker(&manager).await?,
        };
        match self.set_field(&manager, key, entity, vch).await {
            // The attribute was removed since its key was read: define it again.
            Err(e) if matches!(e.fault_kind(), Some(FaultKind::InvalidArgument { .. })) => {
                let key = self.define_marker(&manager).await?;
                self.set_field(&manager, key, entity, vch).await
            }
            other => other,
        }
    }

    fn custom_fields_manager(&self) -> Result<MoRef, VsphereError> {
        self.content()
            .custom_fields_manager
            .clone()
            .ok_or_else(|| VsphereError::NotFound("a CustomFieldsManager (ESXi has none)".into()))
    }

    async fn set_field(
        &self,
        manager: &MoRef,
        key: i32,
        entity: &MoRef,
        value: &str,
    ) -> Result<(), VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("SetField", manager);
            request
                .moref("entity", entity)
                .text("key", &key.to_string())
                .text("value", value);
            self.transport().call(request).await.map(|_| ())
        })
        .await
    }

    /// `AddCustomFieldDef` for every object type, or, when someone defined it already, its key
    /// from `CustomFieldsManager.field`.
    async fn define_marker(&self, manager: &MoRef) -> Result<i32, VsphereError> {
        let added = self
            .with_session(|| async {
                let mut request = Request::new("AddCustomFieldDef", manager);
                request.text("name", VCH_MARKER);
                self.transport().call(request).await
            })
            .await;
        let key = match added {
            Ok(response) => response
                .child("returnval")
                .and_then(|def| def.child_i64("key"))
                .and_then(|k| i32::try_from(k).ok()),
            Err(e) if matches!(e.fault_kind(), Some(FaultKind::DuplicateName { .. })) => {
                let objects = self
                    .properties_of(manager, "CustomFieldsManager", &["field"])
                    .await?;
                objects
                    .as_ref()
                    .and_then(|o| o.get("field"))
                    .and_then(|defs| field_key(defs, VCH_MARKER))
            }
            Err(e) => return Err(e),
        };
        let key = key.ok_or_else(|| {
            VsphereError::malformed("AddCustomFieldDef", format!("no key for {VCH_MARKER}"))
        })?;
        self.remember_marker_key(Some(key));
        Ok(key)
    }
}

/// The key of the attribute named `name` in a `CustomFieldsManager.field` array.
pub(crate) fn field_key(definitions: &Node, name: &str) -> Option<i32> {
    definitions
        .children
        .iter()
        .find(|def| def.child_text("name") == Some(name))
        .and_then(|def| def.child_i64("key"))
        .and_then(|key| i32::try_from(key).ok())
}

/// An entity's value for the attribute `key` in its `customValue` array; the last one wins (the
/// simulator appends rather than replaces) and an empty value means unset.
pub(crate) fn value_of(values: &Node, key: i32) -> Option<String> {
    values
        .children
        .iter()
        .filter(|v| v.child_i64("key") == Some(i64::from(key)))
        .filter_map(|v| v.child_text("value"))
        .next_back()
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vsphere::xml_tree::parse;

    #[test]
    fn finds_the_marker_key_by_name() {
        let defs = parse(
            "<val><CustomFieldDef><key>100</key><name>owner</name></CustomFieldDef>\
             <CustomFieldDef><key>101</key><name>vch-deploy.vch</name></CustomFieldDef></val>",
        )
        .unwrap();
        assert_eq!(field_key(&defs, VCH_MARKER), Some(101));
        assert_eq!(field_key(&defs, "missing"), None);
    }

    #[test]
    fn the_last_value_of_a_key_wins_and_empty_is_unset() {
        let values = parse(
            "<val><CustomFieldValue><key>101</key><value>old</value></CustomFieldValue>\
             <CustomFieldValue><key>100</key><value>other</value></CustomFieldValue>\
             <CustomFieldValue><key>101</key><value>vch1</value></CustomFieldValue></val>",
        )
        .unwrap();
        assert_eq!(value_of(&values, 101).as_deref(), Some("vch1"));
        assert_eq!(value_of(&values, 102), None);
        let cleared = parse(
            "<val><CustomFieldValue><key>101</key><value>vch1</value></CustomFieldValue>\
             <CustomFieldValue><key>101</key><value></value></CustomFieldValue></val>",
        )
        .unwrap();
        assert_eq!(value_of(&cleared, 101), None);
    }
}
