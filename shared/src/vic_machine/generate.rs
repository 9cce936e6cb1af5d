//! [`VchConfig`] → a `vic-machine create` command line. Passwords are never written; everything
//! else is, so `parse_command_line(generate(c)) == c.without_secrets()`.

use super::Os;
use super::options::{Opt, spec_of};
use super::words::{quote_posix, quote_windows};
use crate::config::{PemFile, VchConfig};

struct Args(Vec<(&'static str, Option<String>)>);

impl Args {
    fn value(&mut self, opt: Opt, v: &Option<String>) {
        if let Some(v) = v {
            self.0.push((spec_of(opt).long, Some(v.clone())));
        }
    }
    fn values<'a>(&mut self, opt: Opt, vs: impl IntoIterator<Item = &'a String>) {
        for v in vs {
            self.0.push((spec_of(opt).long, Some(v.clone())));
        }
    }
    fn files<'a>(&mut self, opt: Opt, fs: impl IntoIterator<Item = &'a PemFile>) {
        // Contents without a path (read back from a VCH) have no file to name.
        for f in fs
            .into_iter()
            .filter(|f| !(f.path.is_empty() && f.pem.is_some()))
        {
            self.0.push((spec_of(opt).long, Some(f.path.clone())));
        }
    }
    fn flag(&mut self, opt: Opt, on: bool) {
        if on {
            self.0.push((spec_of(opt).long, None));
        }
    }
}

/// The command line for `os`, in the wizard's order, one option per line on POSIX shells.
pub fn generate(config: &VchConfig, os: Os) -> String {
    let args = collect(config);
    let quote: fn(&str) -> String = match os {
        Os::Windows => quote_windows,
        Os::Linux | Os::Darwin => quote_posix,
    };
    let mut parts = vec![os.program().to_owned(), String::from("create")];
    for (long, value) in args.0 {
        parts.push(match value {
            None => format!("--{long}"),
            // A value starting with '-' would read as an option; `=` keeps it attached.
            Some(v) if v.starts_with('-') => format!("--{long}={}", quote(&v)),
            Some(v) => format!("--{long} {}", quote(&v)),
        });
    }
    match os {
        Os::Windows => parts.join(" "),
        Os::Linux | Os::Darwin => {
            let head = parts[..2].join(" ");
            std::iter::once(head)
                .chain(parts.into_iter().skip(2))
                .collect::<Vec<_>>()
                .join(" \\\n    ")
        }
    }
}

/// `https://vc.example.com/sdk` → `https://vc.example.com`: the vim25 endpoint path is implied.
fn strip_sdk_path(server: &str) -> &str {
    let trimmed = server.trim_end_matches('/');
    trimmed
        .strip_suffix("/sdk")
        .filter(|host| !host.is_empty() && !host.ends_with('/'))
        .unwrap_or(server)
}

/// The server as a person types it in `--target`, from the SDK URL a session connects to:
/// `https://vc.example.com/sdk` → `vc.example.com`, `https://127.0.0.1:8989/sdk` →
/// `127.0.0.1:8989`. https is vic-machine's default scheme and 443 its default port, so both are
/// dropped; any other scheme stays. Credentials in the URL are never kept.
pub fn server_as_typed(sdk_url: &str) -> String {
    let url = strip_sdk_path(sdk_url.trim());
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
        None => (None, url),
    };
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let rest = rest.trim_end_matches('/');
    match scheme.as_deref() {
        None | Some("https") => rest.strip_suffix(":443").unwrap_or(rest).to_owned(),
        Some(s) => format!("{s}://{rest}"),
    }
}

fn collect(c: &VchConfig) -> Args {
    let mut a = Args(Vec::new());
    let t = &c.target;
    // `--target` takes a path after the host as the datacenter, so an SDK URL's `/sdk` must not
    // reach it: `https://vc/sdk` with DC0 would read back as datacenter `sdk/DC0`.
    let server = t.server.as_deref().map(strip_sdk_path);
    let target = match (server, &t.datacenter) {
        (None, None) => None,
        (s, None) => s.map(str::to_owned),
        (s, Some(dc)) => Some(format!("{}/{dc}", s.unwrap_or(""))),
    };
    a.value(Opt::Target, &target);
    a.value(Opt::User, &t.user);
    a.value(Opt::Thumbprint, &t.thumbprint);
    a.flag(Opt::Force, t.force);
    a.value(Opt::Timeout, &t.timeout);
    a.value(Opt::ApplianceIso, &t.appliance_iso);
    a.value(Opt::BootstrapIso, &t.bootstrap_iso);

    let g = &c.general;
    a.value(Opt::Name, &g.name);
    a.value(Opt::ContainerNameConvention, &g.container_name_convention);
    a.value(Opt::Debug, &g.debug);
    a.value(Opt::SyslogAddress, &g.syslog_address);

    let m = &c.compute;
    a.value(Opt::ComputeResource, &t.compute_resource);
    a.value(Opt::Cpu, &m.cpu_limit);
    a.value(Opt::CpuReservation, &m.cpu_reservation);
    a.value(Opt::CpuShares, &m.cpu_shares);
    a.value(Opt::Memory, &m.memory_limit);
    a.value(Opt::MemoryReservation, &m.memory_reservation);
    a.value(Opt::MemoryShares, &m.memory_shares);
    a.value(Opt::EndpointCpu, &m.endpoint_cpu);
    a.value(Opt::EndpointMemory, &m.endpoint_memory);
    a.flag(Opt::AffinityVmGroup, m.affinity_vm_group);

    let s = &c.storage;
    a.value(Opt::ImageStore, &s.image_store);
    a.values(Opt::VolumeStore, &s.volume_stores);
    a.value(Opt::BaseImageSize, &s.base_image_size);
    a.value(Opt::StorageQuota, &s.storage_quota);
    a.value(Opt::Containers, &s.containers);

    let n = &c.network;
    a.value(Opt::BridgeNetwork, &n.bridge.port_group);
    a.value(Opt::BridgeNetworkRange, &n.bridge.ip_range);
    a.value(Opt::BridgeNetworkWidth, &n.bridge.width);
    a.value(Opt::PublicNetwork, &n.public.port_group);
    a.value(Opt::PublicNetworkIp, &n.public.ip);
    a.value(Opt::PublicNetworkGateway, &n.public.gateway);
    a.value(Opt::ClientNetwork, &n.client.port_group);
    a.value(Opt::ClientNetworkIp, &n.client.ip);
    a.value(Opt::ClientNetworkGateway, &n.client.gateway);
    a.value(Opt::ManagementNetwork, &n.management.port_group);
    a.value(Opt::ManagementNetworkIp, &n.management.ip);
    a.value(Opt::ManagementNetworkGateway, &n.management.gateway);
    a.values(Opt::DnsServer, &n.dns_servers);
    for cn in &n.container_networks {
        let pg = &cn.port_group;
        let mapping = match &cn.alias {
            Some(alias) => format!("{pg}:{alias}"),
            None => pg.clone(),
        };
        a.value(Opt::ContainerNetwork, &Some(mapping));
        let with_pg = |v: &String| Some(format!("{pg}:{v}"));
        a.value(
            Opt::ContainerNetworkGateway,
            &cn.gateway.as_ref().and_then(with_pg),
        );
        for r in &cn.ip_ranges {
            a.value(Opt::ContainerNetworkIpRange, &with_pg(r));
        }
        for d in &cn.dns {
            a.value(Opt::ContainerNetworkDns, &with_pg(d));
        }
        a.value(
            Opt::ContainerNetworkFirewall,
            &cn.firewall.as_ref().and_then(with_pg),
        );
    }
    a.flag(Opt::AsymmetricRoutes, n.asymmetric_routes);
    a.value(Opt::HttpProxy, &n.proxy.http_proxy);
    a.value(Opt::HttpsProxy, &n.proxy.https_proxy);
    a.value(Opt::NoProxy, &n.proxy.no_proxy);

    let sec = &c.security;
    a.flag(Opt::NoTls, sec.no_tls);
    a.flag(Opt::NoTlsverify, sec.no_tlsverify);
    a.value(Opt::TlsCname, &sec.tls_cname);
    a.files(Opt::TlsCa, &sec.tls_ca);
    a.values(Opt::Organization, &sec.organization);
    a.value(Opt::CertificateKeySize, &sec.certificate_key_size);
    a.files(Opt::TlsServerCert, &sec.tls_server_cert);
    a.files(Opt::TlsServerKey, &sec.tls_server_key);
    a.value(Opt::TlsCertPath, &sec.tls_cert_path);

    let r = &c.registry;
    a.files(Opt::RegistryCa, &r.registry_ca);
    a.values(Opt::InsecureRegistry, &r.insecure_registries);
    a.values(Opt::WhitelistRegistry, &r.whitelist_registries);

    let o = &c.operations;
    a.value(Opt::OpsUser, &o.ops_user);
    a.flag(Opt::OpsGrantPerms, o.ops_grant_perms);
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vic_machine::parse_command_line;

    #[test]
    fn sdk_urls_become_typed_targets() {
        assert_eq!(
            server_as_typed("https://vc.example.com/sdk"),
            "vc.example.com"
        );
        assert_eq!(
            server_as_typed("https://vc.example.com:443/sdk/"),
            "vc.example.com"
        );
        assert_eq!(
            server_as_typed("https://127.0.0.1:8989/sdk"),
            "127.0.0.1:8989"
        );
        assert_eq!(
            server_as_typed("http://127.0.0.1:8989/sdk"),
            "http://127.0.0.1:8989"
        );
        assert_eq!(server_as_typed("https://u:p@vc/sdk"), "vc");
        assert_eq!(server_as_typed("vc.example.com"), "vc.example.com");
    }

    #[test]
    fn an_sdk_url_in_the_server_never_becomes_part_of_the_datacenter() {
        let mut c = VchConfig::default();
        c.target.server = Some("https://127.0.0.1:8989/sdk".into());
        c.target.datacenter = Some("DC0".into());
        c.target.thumbprint = Some("AA:BB".into());
        let line = generate(&c, Os::Linux);
        assert!(
            line.contains("--target https://127.0.0.1:8989/DC0"),
            "{line}"
        );
        assert!(line.contains("--thumbprint AA:BB"), "{line}");
        let back = parse_command_line(&line).unwrap().config;
        assert_eq!(back.target.datacenter.as_deref(), Some("DC0"));
        assert_eq!(
            back.target.server.as_deref(),
            Some("https://127.0.0.1:8989")
        );
        assert_eq!(back.target.thumbprint.as_deref(), Some("AA:BB"));
    }
}
