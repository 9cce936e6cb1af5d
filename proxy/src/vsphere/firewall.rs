//! Opening and closing the VCH port (2377/tcp outbound) in host firewalls, the way
//! `vic-machine update firewall --allow/--deny` does: toggle the `vic-engine` ruleset (ESXi 6.7+)
//! on every host of a compute resource, falling back to `vSPC` (all outbound TCP) where
//! `vic-engine` does not exist.
//!
//! Each host gets its own result: one host failing does not stop the others. (In the simulator all
//! hosts share one ruleset table, so enabling on one host shows on all of them.)

use serde::Serialize;

use super::envelope::Request;
use super::property_collector::{self, Objects, PropertySpec};
use super::{Client, FaultKind, MoRef, VsphereError};

/// The ruleset VIC ships for the VCH port.
pub const VIC_ENGINE_RULESET: &str = "vic-engine";
/// The fallback: ESXi's "VM serial port connected to vSPC", outbound TCP to any port.
pub const VSPC_RULESET: &str = "vSPC";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FirewallAction {
    /// Enable the ruleset (`--allow`).
    Allow,
    /// Disable it (`--deny`).
    Deny,
}

/// What happened on one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostFirewallChange {
    /// Host name.
    pub host: String,
    /// The ruleset that was changed (`vic-engine` or `vSPC`); `None` when neither could be.
    pub ruleset: Option<String>,
    /// Why the host could not be changed.
    pub error: Option<String>,
}

impl HostFirewallChange {
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

impl Client {
    /// Allows or denies the VCH port on every host of the compute resource at `compute_path`
    /// (`/DC0/host/DC0_C0`, or `DC0/host/DC0_H0`; a leading `/` is optional).
    pub async fn update_firewall(
        &self,
        compute_path: &str,
        action: FirewallAction,
    ) -> Result<Vec<HostFirewallChange>, VsphereError> {
        let compute = self
            .find_by_inventory_path(compute_path)
            .await?
            .ok_or_else(|| {
                VsphereError::NotFound(format!("no compute resource at {compute_path}"))
            })?;
        if !matches!(
            compute.kind.as_str(),
            "ComputeResource" | "ClusterComputeResource"
        ) {
            return Err(VsphereError::NotFound(format!(
                "{compute_path} is a {}, not a cluster or host",
                compute.kind
            )));
        }
        let hosts = self
            .with_session(|| async {
                let compute = property_collector::retrieve(
                    self.transport(),
                    self.content(),
                    &[PropertySpec {
                        kind: "ComputeResource",
                        paths: &["host"],
                    }],
                    Objects::List(std::slice::from_ref(&compute)),
                )
                .await?;
                let host_refs: Vec<MoRef> = compute
                    .first()
                    .map(|c| c.morefs("host"))
                    .unwrap_or_default();
                if host_refs.is_empty() {
                    return Ok(Vec::new());
                }
                property_collector::retrieve(
                    self.transport(),
                    self.content(),
                    &[PropertySpec {
                        kind: "HostSystem",
                        paths: &["name", "configManager.firewallSystem"],
                    }],
                    Objects::List(&host_refs),
                )
                .await
            })
            .await?;

        let mut changes = Vec::with_capacity(hosts.len());
        for host in hosts {
            let name = host.text("name").unwrap_or(&host.obj.value).to_owned();
            let change = match host.moref("configManager.firewallSystem") {
                None => HostFirewallChange {
                    host: name,
                    ruleset: None,
                    error: Some("the host has no firewall system".into()),
                },
                Some(firewall) => self.toggle_vch_ruleset(name, &firewall, action).await,
            };
            changes.push(change);
        }
        changes.sort_by(|a, b| a.host.cmp(&b.host));
        Ok(changes)
    }

    async fn toggle_vch_ruleset(
        &self,
        host: String,
        firewall: &MoRef,
        action: FirewallAction,
    ) -> HostFirewallChange {
        let mut last_error = None;
        for ruleset in [VIC_ENGINE_RULESET, VSPC_RULESET] {
            match self.set_ruleset(firewall, ruleset, action).await {
                Ok(()) => {
                    return HostFirewallChange {
                        host,
                        ruleset: Some(ruleset.to_owned()),
                        error: None,
                    };
                }
                Err(e) if matches!(e.fault_kind(), Some(FaultKind::NotFound)) => {
                    last_error = Some(format!("no {ruleset} ruleset"));
                }
                Err(e) => {
                    return HostFirewallChange {
                        host,
                        ruleset: None,
                        error: Some(e.to_string()),
                    };
                }
            }
        }
        HostFirewallChange {
            host,
            ruleset: None,
            error: last_error,
        }
    }

    /// `EnableRuleset` / `DisableRuleset` on one host firewall system.
    pub async fn set_ruleset(
        &self,
        firewall: &MoRef,
        ruleset: &str,
        action: FirewallAction,
    ) -> Result<(), VsphereError> {
        let method = match action {
            FirewallAction::Allow => "EnableRuleset",
            FirewallAction::Deny => "DisableRuleset",
        };
        self.with_session(|| async {
            let mut request = Request::new(method, firewall);
            request.text("id", ruleset);
            self.transport().call(request).await.map(|_| ())
        })
        .await
    }

    /// `SearchIndex.FindByInventoryPath`: `None` when nothing is at that path.
    pub async fn find_by_inventory_path(&self, path: &str) -> Result<Option<MoRef>, VsphereError> {
        let Some(search_index) = self.content().search_index.clone() else {
            return Err(VsphereError::NotFound(
                "the server has no SearchIndex".into(),
            ));
        };
        let path = path.trim_start_matches('/').to_owned();
        self.with_session(|| async {
            let mut request = Request::new("FindByInventoryPath", &search_index);
            request.text("inventoryPath", &path);
            let response = self.transport().call(request).await?;
            Ok(response.child_moref("returnval"))
        })
        .await
    }
}
