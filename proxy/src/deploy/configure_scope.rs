//! What `configure` does with the TLS, operations-user and VM-group options: each either changes
//! the VCH (the tree written back, a login check, the DRS VM group) or is refused with a finding
//! before anything is touched. Nothing a request names is accepted and then ignored.

use std::collections::BTreeMap;
use std::net::IpAddr;

use shared::config::{SecurityConfig, VchConfig};
use shared::extraconfig::{self, CertificatePair, VirtualContainerHostConfigSpec};
use shared::{Finding, Report};

use crate::vsphere::vm::VmInfo;
use crate::vsphere::{Client, MoRef, TargetSpec};

use super::certs::{self, TlsMaterial};
use super::journal::Journal;
use super::opsuser;
use super::plan::Plan;
use super::progress::Step;
use super::{DeployError, StepError};

/// Options `configure` cannot carry out, as error findings.
pub fn refused(request: &VchConfig, old: &VirtualContainerHostConfigSpec) -> Vec<Finding> {
    let mut out = Vec::new();
    let s = &request.security;
    let regenerating = regenerates(request);
    if regenerating && (s.tls_server_cert.is_some() || s.tls_server_key.is_some()) {
        out.push(Finding::error(
            "CF1",
            "tls-cname",
            "security.tls_cname",
            "--tls-cname/--organization regenerate the server certificate; they cannot go with --tls-server-cert/--tls-server-key",
        ));
    }
    if regenerating && (s.no_tls || old.certificate.host_certificate.is_none()) {
        out.push(Finding::error(
            "CF1",
            "tls-cname",
            "security.tls_cname",
            "the VCH runs without TLS: there is no server certificate to regenerate; give --tls-server-cert and --tls-server-key",
        ));
    }
    if s.certificate_key_size.is_some() && !regenerating {
        out.push(Finding::error(
            "CF1",
            "certificate-key-size",
            "security.certificate_key_size",
            "configure generates keys only when --tls-cname or --organization regenerate the certificates",
        ));
    }
    let t = &request.target;
    for (option, path, given) in [
        ("appliance-iso", "target.appliance_iso", &t.appliance_iso),
        ("bootstrap-iso", "target.bootstrap_iso", &t.bootstrap_iso),
    ] {
        if given.as_deref().is_some_and(|g| !g.trim().is_empty()) {
            out.push(Finding::error(
                "CF2",
                option,
                path,
                "configure keeps the appliance's ISOs; changing them is an upgrade",
            ));
        }
    }
    if s.no_tls && (s.tls_server_cert.is_some() || !s.tls_ca.is_empty()) {
        out.push(Finding::error(
            "CF4",
            "no-tls",
            "security.no_tls",
            "--no-tls turns TLS off; it cannot go with a server certificate or client CAs",
        ));
    }
    out
}

/// The refusals as the report a configure fails with, or nothing.
pub fn check(request: &VchConfig, old: &VirtualContainerHostConfigSpec) -> Option<Report> {
    let findings = refused(request, old);
    (!findings.is_empty()).then(|| Report::new(findings))
}

/// Whether the request asks for a new server certificate (`--tls-cname`, `--organization`).
pub fn regenerates(request: &VchConfig) -> bool {
    let s = &request.security;
    s.tls_cname.as_deref().is_some_and(|c| !c.trim().is_empty()) || !s.organization.is_empty()
}

/// `--tls-cname`/`--organization`: a new server certificate signed by a new CA, as create makes
/// them (same code, same bounded validity), and a client certificate from that CA. The new CA is
/// added to the client CA list the VCH keeps, so existing client certificates go on working.
pub fn regenerate(
    request: &VchConfig,
    merged: &VchConfig,
    name: &str,
) -> Result<Option<TlsMaterial>, StepError> {
    if !regenerates(request) {
        return Ok(None);
    }
    let mut fresh = merged.resolved();
    fresh.security.tls_ca.clear();
    fresh.security.tls_server_cert = None;
    fresh.security.tls_server_key = None;
    let ips: Vec<IpAddr> = [&fresh.network.client.ip, &fresh.network.public.ip]
        .into_iter()
        .flatten()
        .filter_map(|cidr| shared::address::parse_cidr(cidr))
        .map(|net| IpAddr::V4(net.addr()))
        .collect();
    certs::prepare(&fresh, name, &ips)
        .map(Some)
        .map_err(|e| StepError::Other(e.to_string()))
}

/// The request's TLS switches merged into the current security settings.
pub fn merge_security(current: &mut SecurityConfig, request: &SecurityConfig) {
    if request.tls_cname.is_some() {
        current.tls_cname.clone_from(&request.tls_cname);
    }
    if !request.organization.is_empty() {
        current.organization.clone_from(&request.organization);
    }
    if request.tls_server_cert.is_some() || request.tls_server_key.is_some() {
        current.tls_server_cert.clone_from(&request.tls_server_cert);
        current.tls_server_key.clone_from(&request.tls_server_key);
        current.no_tls = false;
    }
    if !request.tls_ca.is_empty() {
        current.tls_ca.clone_from(&request.tls_ca);
        current.no_tlsverify = false;
    }
    if request.no_tlsverify {
        current.no_tlsverify = true;
        current.tls_ca.clear();
    }
    if request.no_tls {
        current.no_tls = true;
        current.no_tlsverify = false;
        current.tls_ca.clear();
        current.tls_server_cert = None;
        current.tls_server_key = None;
    }
}

/// The server certificate and client CA list the new tree carries: what the request gives, else
/// what the VCH has; `--no-tls` drops both, `--no-tlsverify` the CA list.
pub fn certificates(
    request: &VchConfig,
    old: &VirtualContainerHostConfigSpec,
    regenerated: Option<&TlsMaterial>,
) -> Result<(Option<CertificatePair>, String), StepError> {
    let s = &request.security;
    if s.no_tls {
        return Ok((None, String::new()));
    }
    if let Some(new) = regenerated {
        let mut cas = if s.tls_ca.is_empty() {
            String::from_utf8_lossy(&old.certificate.certificate_authorities.0).into_owned()
        } else {
            extraconfig::certificates::client_ca_pem(request)
        };
        if !new.client_ca_pem.is_empty() {
            cas.push_str(&new.client_ca_pem);
        }
        return Ok((new.server.clone(), cas));
    }
    let pem = |f: &Option<shared::config::PemFile>| f.as_ref().and_then(|f| f.pem.clone());
    let server = match (pem(&s.tls_server_cert), pem(&s.tls_server_key)) {
        (Some(cert_pem), Some(key_pem)) => Some(CertificatePair { cert_pem, key_pem }),
        (None, None) => old
            .certificate
            .host_certificate
            .as_ref()
            .map(|c| CertificatePair {
                cert_pem: String::from_utf8_lossy(&c.cert.0).into_owned(),
                key_pem: String::from_utf8_lossy(&c.key.0).into_owned(),
            }),
        _ => {
            return Err(StepError::Other(
                "--tls-server-cert and --tls-server-key go together".into(),
            ));
        }
    };
    let client_ca = if s.no_tlsverify {
        String::new()
    } else if s.tls_ca.is_empty() {
        String::from_utf8_lossy(&old.certificate.certificate_authorities.0).into_owned()
    } else {
        extraconfig::certificates::client_ca_pem(request)
    };
    if server.is_none() && !client_ca.is_empty() {
        return Err(StepError::Other(
            "the VCH runs without TLS: client CAs need --tls-server-cert and --tls-server-key too"
                .into(),
        ));
    }
    Ok((server, client_ca))
}

/// `--ops-user`/`--ops-password` on configure: the new credentials must log in (T13), as on
/// create, before anything changes. A new user needs its password (T14).
pub async fn check_ops_credentials(
    target: &TargetSpec,
    request: &VchConfig,
    merged: &VchConfig,
) -> Result<(), DeployError> {
    let r = &request.operations;
    let new_user = r.ops_user.as_deref().filter(|u| !u.trim().is_empty());
    let new_password = r.ops_password.as_ref().map(|p| p.expose().to_owned());
    if new_user.is_none() && new_password.is_none() {
        return Ok(());
    }
    let Some(password) = new_password.filter(|p| !p.is_empty()) else {
        return Err(DeployError::Refused(
            "user/password for the operations user has not been set: pass --ops-password with --ops-user; nothing was changed".into(),
        ));
    };
    let user = merged
        .operations
        .ops_user
        .clone()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            DeployError::Refused(
                "--ops-password needs an operations user (--ops-user); nothing was changed".into(),
            )
        })?;
    super::opsuser::check_login(target, &user, &password)
        .await
        .map_err(|cause| DeployError::Refused(format!("{cause}; nothing was changed")))
}

/// What configure changes outside the appliance before the snapshot: the DRS VM group and the
/// operations user's permissions, journalled so a failed configure takes them back.
pub struct Access<'a> {
    pub plan: &'a Plan,
    pub datastores: &'a BTreeMap<String, MoRef>,
    pub request: &'a VchConfig,
    pub merged: &'a VchConfig,
    pub old: &'a VirtualContainerHostConfigSpec,
    pub vm: &'a VmInfo,
}

impl Access<'_> {
    /// Both changes, as change lines; a failure names its step.
    pub async fn apply(
        &self,
        client: &Client,
        journal: &mut Journal,
    ) -> Result<Vec<String>, (Step, StepError)> {
        let mut changes = Vec::new();
        changes.extend(
            self.add_vm_group(client, journal)
                .await
                .map_err(|e| (Step::VmGroup, e))?,
        );
        changes.extend(
            self.grant_perms(client, journal)
                .await
                .map_err(|e| (Step::Permissions, e))?,
        );
        Ok(changes)
    }

    /// `--affinity-vm-group` on a VCH without one: the group named after it, holding the
    /// appliance.
    async fn add_vm_group(
        &self,
        client: &Client,
        journal: &mut Journal,
    ) -> Result<Option<String>, StepError> {
        if !self.request.compute.affinity_vm_group || self.old.container.use_vm_group {
            return Ok(None);
        }
        let (plan, name) = (self.plan, self.vm.name.as_str());
        if plan.compute.kind != "ClusterComputeResource" {
            return Err(StepError::Other(
                "DRS VM groups need a vCenter cluster (C6)".into(),
            ));
        }
        let groups = client.cluster_groups(&plan.compute).await?;
        if groups.iter().any(|g| g.name == name) {
            return Err(StepError::Other(format!(
                "a DRS VM group named {name:?} already exists in cluster {}",
                plan.compute_path
            )));
        }
        let pending = journal.pending_vm_group(&plan.compute, name);
        if let Err(e) = client
            .add_vm_group(&plan.compute, name, std::slice::from_ref(&self.vm.moref))
            .await
        {
            journal.settle(pending, &e);
            return Err(StepError::Vsphere(e));
        }
        Ok(Some(format!("DRS VM group {name} created")))
    }

    /// `--ops-grant-perms` on a VCH created without it: the roles and permissions create grants.
    async fn grant_perms(
        &self,
        client: &Client,
        journal: &mut Journal,
    ) -> Result<Option<String>, StepError> {
        if !self.request.operations.ops_grant_perms || self.old.grant_perms_level == "ADD" {
            return Ok(None);
        }
        let user = self
            .merged
            .operations
            .ops_user
            .clone()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| StepError::Other("--ops-grant-perms needs --ops-user (T11)".into()))?;
        let Some(manager) =
            opsuser::grant_read_only(client, journal, &user, &self.plan.datacenter).await?
        else {
            return Ok(Some(format!(
                "{user} is an administrator (Admin on the vCenter root); its permissions are left as they are"
            )));
        };
        // The endpoints as create grants them: the VCH's pool, and its VM folder when it has
        // its own (not the datacenter's VM folder itself).
        let mut endpoints: Vec<MoRef> = self.vm.resource_pool.iter().cloned().collect();
        let dc_folder = client.datacenter_vm_folder(&self.plan.datacenter).await?;
        endpoints.extend(self.vm.parent.iter().filter(|p| **p != dc_folder).cloned());
        let place = opsuser::VchPlace {
            plan: self.plan,
            datastores: self.datastores,
            endpoints,
            vm_group: self.merged.compute.affinity_vm_group,
        };
        let (changed, objects) =
            opsuser::grant_vch(client, &manager, journal, &user, &place).await?;
        Ok(Some(format!(
            "{user}: {changed} permission(s) set on {objects} object(s)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_tls_and_no_tlsverify_change_the_tree_inputs() {
        let mut old = VirtualContainerHostConfigSpec::default();
        old.certificate.host_certificate = Some(shared::extraconfig::RawCertificate {
            key: shared::extraconfig::Bytes(b"key".to_vec()),
            cert: shared::extraconfig::Bytes(b"cert".to_vec()),
        });
        old.certificate.certificate_authorities = shared::extraconfig::Bytes(b"ca".to_vec());
        let mut request = VchConfig::default();
        let (server, ca) = certificates(&request, &old, None).unwrap();
        assert_eq!(server.unwrap().cert_pem, "cert");
        assert_eq!(ca, "ca");
        request.security.no_tlsverify = true;
        let (server, ca) = certificates(&request, &old, None).unwrap();
        assert!(server.is_some() && ca.is_empty());
        request.security.no_tls = true;
        let (server, ca) = certificates(&request, &old, None).unwrap();
        assert!(server.is_none() && ca.is_empty());
    }

    #[test]
    fn options_configure_cannot_apply_are_refused() {
        let old = VirtualContainerHostConfigSpec::default();
        let mut request = VchConfig::default();
        assert!(refused(&request, &old).is_empty());
        request.security.certificate_key_size = Some("2048".into());
        request.target.appliance_iso = Some("a.iso".into());
        let codes: Vec<_> = refused(&request, &old)
            .into_iter()
            .filter_map(|f| f.option)
            .collect();
        assert_eq!(codes, ["certificate-key-size", "appliance-iso"]);
        // A VCH without TLS has no certificate to regenerate.
        let mut cname = VchConfig::default();
        cname.security.tls_cname = Some("vch.example.com".into());
        assert!(refused(&cname, &old).iter().any(|f| f.code == "CF1"));
    }
}
