//! `vic-machine create` arguments → [`VchConfig`] plus the findings only a command line can have
//! (stray quotes, repeated options, options naming an unmapped container network, ...).

use std::collections::HashMap;

use super::ParseError;
use super::options::{Kind, Lookup, Opt, OptSpec, lookup, suggest};
use super::target_url::split_target;
use super::words::{StrayQuote, split_posix, split_windows};
use crate::config::{ContainerNetwork, PemFile, VchConfig};
use crate::finding::{Finding, Severity};
use crate::secret::Secret;

/// A parsed command line. `findings` come before validation's in a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub config: VchConfig,
    pub findings: Vec<Finding>,
}

/// Parses one string as pasted from documentation or a terminal: optional prompt, optional
/// `vic-machine-<os> create` (also `./...`), line continuations, either shell's quoting.
pub fn parse_command_line(line: &str) -> Result<Parsed, ParseError> {
    if line.len() > crate::limits::MAX_COMMAND_LINE_BYTES {
        return Err(ParseError::TooLong {
            bytes: line.len(),
            limit: crate::limits::MAX_COMMAND_LINE_BYTES,
        });
    }
    let mut findings = Vec::new();
    // Only the program word decides; a value that merely mentions it must not switch the rules.
    let head = line.split(" -").next().unwrap_or("");
    let words = if head.contains("vic-machine-windows") {
        split_windows(line)
    } else {
        let (words, strays) = split_posix(line);
        findings.extend(strays.into_iter().map(stray_finding));
        words
    };
    let mut parsed = parse_args(words)?;
    findings.append(&mut parsed.findings);
    parsed.findings = findings;
    Ok(parsed)
}

fn stray_finding(s: StrayQuote) -> Finding {
    Finding::new(
        Severity::Warning,
        "CL1",
        None,
        "",
        format!(
            "The {} quote in \"{}\" is never closed; it was ignored. Check that the value is what you meant.",
            s.quote, s.context
        ),
    )
}

/// Parses an argv (with or without the program name and `create`).
pub fn parse_args<I, S>(argv: I) -> Result<Parsed, ParseError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let words: Vec<String> = argv.into_iter().map(|s| s.as_ref().to_owned()).collect();
    let args = strip_program(&words)?;
    let mut builder = Builder::default();
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        i += 1;
        if word == "--" {
            for rest in &args[i..] {
                builder.positional(rest);
            }
            break;
        }
        let Some(body) = word
            .strip_prefix("--")
            .or_else(|| word.strip_prefix('-'))
            .filter(|b| !b.is_empty())
        else {
            builder.positional(word);
            continue;
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (body, None),
        };
        let spec = match lookup(name) {
            Some(Lookup::Current(spec)) => spec,
            Some(Lookup::Old(spec)) => {
                builder.findings.push(Finding::info(
                    "CL3",
                    spec.long,
                    "",
                    format!("--{name} is the old name of --{}; read as such.", spec.long),
                ));
                spec
            }
            None => {
                return Err(ParseError::UnknownOption {
                    option: name.to_owned(),
                    suggestion: suggest(name).map(str::to_owned),
                });
            }
        };
        let value = match spec.kind {
            Kind::Flag => match inline.as_deref().map(parse_bool) {
                None => Some(String::from("true")),
                Some(Some(b)) => Some(b.to_string()),
                Some(None) => {
                    return Err(ParseError::BadFlagValue {
                        option: spec.long.to_owned(),
                        value: inline.unwrap_or_default(),
                    });
                }
            },
            Kind::Value => match inline {
                Some(v) => Some(v),
                None => {
                    let next = args.get(i).filter(|n| !looks_like_option(n));
                    let Some(next) = next else {
                        return Err(ParseError::MissingValue {
                            option: spec.long.to_owned(),
                        });
                    };
                    i += 1;
                    Some(next.clone())
                }
            },
            Kind::OptionalValue => match inline {
                Some(v) => Some(v),
                None => match args.get(i).filter(|n| !n.starts_with('-')) {
                    Some(next) => {
                        i += 1;
                        Some(next.clone())
                    }
                    None => None,
                },
            },
        };
        builder.apply(spec, value);
    }
    Ok(builder.finish())
}

/// Drops a shell prompt, the program name and `create`; refuses other sub-commands.
fn strip_program(words: &[String]) -> Result<&[String], ParseError> {
    let first_option = words
        .iter()
        .position(|w| w.starts_with('-'))
        .unwrap_or(words.len());
    let program = words[..first_option].iter().position(|w| {
        let base = w.rsplit(['/', '\\']).next().unwrap_or(w);
        base.starts_with("vic-machine") && !w.starts_with('-')
    });
    let rest = match program {
        Some(p) => &words[p + 1..],
        None => words,
    };
    match rest.first().map(String::as_str) {
        Some("create") => Ok(&rest[1..]),
        Some(cmd) if program.is_some() || !cmd.starts_with('-') && is_other_command(cmd) => {
            Err(ParseError::NotCreate {
                command: cmd.to_owned(),
            })
        }
        None if program.is_some() => Err(ParseError::NotCreate {
            command: String::new(),
        }),
        _ => Ok(rest),
    }
}

fn is_other_command(word: &str) -> bool {
    matches!(
        word,
        "configure" | "delete" | "ls" | "inspect" | "upgrade" | "update" | "debug" | "version"
    )
}

/// A following word that is itself a known long option is not taken as a value: `--name --force`
/// is far more likely a forgotten value than a VCH called "--force".
fn looks_like_option(word: &str) -> bool {
    word.strip_prefix("--")
        .map(|b| b.split('=').next().unwrap_or(b))
        .is_some_and(|n| lookup(n).is_some())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "t" | "true" => Some(true),
        "0" | "f" | "false" => Some(false),
        _ => None,
    }
}

/// A `--container-network-*` value `network:setting`, kept in command-line order.
struct NetworkSetting {
    option: &'static str,
    network: String,
    value: String,
}

#[derive(Default)]
struct Builder {
    config: VchConfig,
    findings: Vec<Finding>,
    seen_single: Vec<&'static str>,
    flag_user: Option<String>,
    url_user: Option<String>,
    flag_password: Option<Secret>,
    url_password: Option<Secret>,
    settings: Vec<NetworkSetting>,
    positionals: Vec<String>,
}

impl Builder {
    fn positional(&mut self, word: &str) {
        self.positionals.push(word.to_owned());
    }

    fn single(
        &mut self,
        spec: &'static OptSpec,
        slot: fn(&mut VchConfig) -> &mut Option<String>,
        v: String,
    ) {
        if self.seen_single.contains(&spec.long) {
            self.findings.push(Finding::warning(
                "CL2",
                spec.long,
                "",
                format!(
                    "--{} is given more than once; the last value, \"{v}\", is used.",
                    spec.long
                ),
            ));
        }
        self.seen_single.push(spec.long);
        *slot(&mut self.config) = Some(v);
    }

    /// CL4: `--bridge-network ''` or `--bridge-network=` is reported rather than silently read as
    /// "not given". The value is still kept, so the configuration says what was typed. Options
    /// where empty has a meaning are left alone: a proxy (none, as the VIC docs use it to clear
    /// one), passwords, and the name (G16 reports it).
    fn empty_value(&mut self, spec: &'static OptSpec) {
        if matches!(
            spec.opt,
            Opt::HttpsProxy
                | Opt::HttpProxy
                | Opt::NoProxy
                | Opt::Password
                | Opt::OpsPassword
                | Opt::Name
        ) {
            return;
        }
        self.findings.push(Finding::error(
            "CL4",
            spec.long,
            "",
            format!(
                "--{} is given with an empty value; give a value, or leave the option out to use its default.",
                spec.long
            ),
        ));
    }

    fn apply(&mut self, spec: &'static OptSpec, value: Option<String>) {
        if spec.kind != Kind::Flag && value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            self.empty_value(spec);
        }
        let c = &mut self.config;
        let Some(v) = value else {
            // `--password` alone: the original prompts; nothing to record here.
            return;
        };
        let flag = v == "true";
        match spec.opt {
            Opt::Target => {
                let parts = split_target(&v);
                c.target.server = parts.server;
                c.target.datacenter = parts.datacenter;
                self.url_user = parts.user;
                self.url_password = parts.password;
            }
            Opt::User => self.flag_user = Some(v),
            Opt::Password => self.flag_password = Some(Secret::new(v)),
            Opt::OpsPassword => c.operations.ops_password = Some(Secret::new(v)),
            Opt::Thumbprint => self.single(spec, |c| &mut c.target.thumbprint, v),
            Opt::ComputeResource => self.single(spec, |c| &mut c.target.compute_resource, v),
            Opt::Name => self.single(spec, |c| &mut c.general.name, v),
            Opt::OpsUser => self.single(spec, |c| &mut c.operations.ops_user, v),
            Opt::OpsGrantPerms => c.operations.ops_grant_perms = flag,
            Opt::AffinityVmGroup => c.compute.affinity_vm_group = flag,
            Opt::Force => c.target.force = flag,
            Opt::Timeout => self.single(spec, |c| &mut c.target.timeout, v),
            Opt::BridgeNetwork => self.single(spec, |c| &mut c.network.bridge.port_group, v),
            Opt::BridgeNetworkRange => self.single(spec, |c| &mut c.network.bridge.ip_range, v),
            Opt::BridgeNetworkWidth => self.single(spec, |c| &mut c.network.bridge.width, v),
            Opt::PublicNetwork => self.single(spec, |c| &mut c.network.public.port_group, v),
            Opt::PublicNetworkIp => self.single(spec, |c| &mut c.network.public.ip, v),
            Opt::PublicNetworkGateway => self.single(spec, |c| &mut c.network.public.gateway, v),
            Opt::ClientNetwork => self.single(spec, |c| &mut c.network.client.port_group, v),
            Opt::ClientNetworkIp => self.single(spec, |c| &mut c.network.client.ip, v),
            Opt::ClientNetworkGateway => self.single(spec, |c| &mut c.network.client.gateway, v),
            Opt::ManagementNetwork => {
                self.single(spec, |c| &mut c.network.management.port_group, v)
            }
            Opt::ManagementNetworkIp => self.single(spec, |c| &mut c.network.management.ip, v),
            Opt::ManagementNetworkGateway => {
                self.single(spec, |c| &mut c.network.management.gateway, v)
            }
            Opt::DnsServer => c.network.dns_servers.push(v),
            Opt::ContainerNetwork => self.container_network(v),
            Opt::ContainerNetworkGateway
            | Opt::ContainerNetworkIpRange
            | Opt::ContainerNetworkDns
            | Opt::ContainerNetworkFirewall => self.network_setting(spec.long, v),
            Opt::AsymmetricRoutes => c.network.asymmetric_routes = flag,
            Opt::HttpsProxy => self.single(spec, |c| &mut c.network.proxy.https_proxy, v),
            Opt::HttpProxy => self.single(spec, |c| &mut c.network.proxy.http_proxy, v),
            Opt::NoProxy => self.single(spec, |c| &mut c.network.proxy.no_proxy, v),
            Opt::ImageStore => self.single(spec, |c| &mut c.storage.image_store, v),
            Opt::VolumeStore => c.storage.volume_stores.push(v),
            Opt::BaseImageSize => self.single(spec, |c| &mut c.storage.base_image_size, v),
            Opt::StorageQuota => self.single(spec, |c| &mut c.storage.storage_quota, v),
            Opt::Cpu => self.single(spec, |c| &mut c.compute.cpu_limit, v),
            Opt::CpuReservation => self.single(spec, |c| &mut c.compute.cpu_reservation, v),
            Opt::CpuShares => self.single(spec, |c| &mut c.compute.cpu_shares, v),
            Opt::Memory => self.single(spec, |c| &mut c.compute.memory_limit, v),
            Opt::MemoryReservation => self.single(spec, |c| &mut c.compute.memory_reservation, v),
            Opt::MemoryShares => self.single(spec, |c| &mut c.compute.memory_shares, v),
            Opt::EndpointCpu => self.single(spec, |c| &mut c.compute.endpoint_cpu, v),
            Opt::EndpointMemory => self.single(spec, |c| &mut c.compute.endpoint_memory, v),
            Opt::Containers => self.single(spec, |c| &mut c.storage.containers, v),
            Opt::NoTls => c.security.no_tls = flag,
            Opt::NoTlsverify => c.security.no_tlsverify = flag,
            Opt::TlsCname => self.single(spec, |c| &mut c.security.tls_cname, v),
            Opt::TlsCa => c.security.tls_ca.push(PemFile::from_path(v)),
            Opt::Organization => c.security.organization.push(v),
            Opt::CertificateKeySize => {
                self.single(spec, |c| &mut c.security.certificate_key_size, v)
            }
            Opt::TlsServerKey => c.security.tls_server_key = Some(PemFile::from_path(v)),
            Opt::TlsServerCert => c.security.tls_server_cert = Some(PemFile::from_path(v)),
            Opt::TlsCertPath => self.single(spec, |c| &mut c.security.tls_cert_path, v),
            Opt::RegistryCa => c.registry.registry_ca.push(PemFile::from_path(v)),
            Opt::InsecureRegistry => c.registry.insecure_registries.push(v),
            Opt::WhitelistRegistry => c.registry.whitelist_registries.push(v),
            Opt::ContainerNameConvention => {
                self.single(spec, |c| &mut c.general.container_name_convention, v)
            }
            Opt::SyslogAddress => self.single(spec, |c| &mut c.general.syslog_address, v),
            Opt::Debug => self.single(spec, |c| &mut c.general.debug, v),
            Opt::ApplianceIso => self.single(spec, |c| &mut c.target.appliance_iso, v),
            Opt::BootstrapIso => self.single(spec, |c| &mut c.target.bootstrap_iso, v),
            Opt::ExtendedHelp => {}
        }
    }

    fn container_network(&mut self, v: String) {
        let path = format!(
            "network.container_networks[{}]",
            self.config.network.container_networks.len()
        );
        let mut parts = v.splitn(3, ':');
        let pg = parts.next().unwrap_or("").to_owned();
        let alias = parts.next().map(str::to_owned);
        if parts.next().is_some() {
            self.findings.push(Finding::error(
                "N12",
                "container-network",
                path,
                format!("\"{v}\" has more than one ':'; write it as port-group[:alias]."),
            ));
            return;
        }
        self.config
            .network
            .container_networks
            .push(ContainerNetwork {
                port_group: pg,
                alias,
                ..ContainerNetwork::default()
            });
    }

    fn network_setting(&mut self, option: &'static str, v: String) {
        let parts: Vec<&str> = v.split(':').collect();
        match parts.as_slice() {
            [network, value] if !network.trim().is_empty() => self.settings.push(NetworkSetting {
                option,
                network: (*network).to_owned(),
                value: (*value).to_owned(),
            }),
            [_] | [_, _] => self.findings.push(Finding::error(
                "N13",
                option,
                "network.container_networks",
                format!("\"{v}\" names no container network; write it as port-group:value."),
            )),
            _ => self.findings.push(Finding::error(
                "N12",
                option,
                "network.container_networks",
                format!("\"{v}\" has more than one ':'; write it as port-group:value (IPv6 is not supported)."),
            )),
        }
    }

    fn finish(mut self) -> Parsed {
        self.resolve_credentials();
        self.assign_network_settings();
        if !self.positionals.is_empty() {
            self.findings.push(Finding::new(
                Severity::Error,
                "G3",
                None,
                "",
                format!(
                    "Unexpected argument(s) {}: every value must follow its --option. Quote values that contain spaces.",
                    self.positionals.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        Parsed {
            config: self.config,
            findings: self.findings,
        }
    }

    fn resolve_credentials(&mut self) {
        if let (Some(flag), Some(url)) = (&self.flag_user, &self.url_user)
            && flag != url
        {
            self.findings.push(Finding::warning(
                "T17",
                "user",
                "target.user",
                format!(
                    "--user \"{flag}\" and the user \"{url}\" in --target differ; --user is used."
                ),
            ));
        }
        self.config.target.user = self.flag_user.take().or(self.url_user.take());
        self.config.target.password = self.flag_password.take().or(self.url_password.take());
    }

    fn assign_network_settings(&mut self) {
        let nets = &mut self.config.network.container_networks;
        // First entry per port group and per alias: one lookup per setting, not a scan.
        let mut by_port_group: HashMap<String, usize> = HashMap::new();
        let mut by_alias: HashMap<String, usize> = HashMap::new();
        for (i, cn) in nets.iter().enumerate() {
            by_port_group.entry(cn.port_group.clone()).or_insert(i);
            if let Some(alias) = &cn.alias {
                by_alias.entry(alias.clone()).or_insert(i);
            }
        }
        for s in std::mem::take(&mut self.settings) {
            let Some((i, cn)) = by_port_group.get(&s.network).map(|&i| (i, &mut nets[i])) else {
                let mut f = Finding::error(
                    "N21",
                    s.option,
                    "network.container_networks",
                    format!(
                        "--{} names \"{}\", which is not mapped with --container-network. Use the vSphere network name \
                         given to --container-network, or add --container-network {}.",
                        s.option, s.network, s.network
                    ),
                );
                if let Some(by_alias) = by_alias.get(&s.network).map(|&i| &nets[i]) {
                    f = f.with_suggestion(format!("{}:{}", by_alias.port_group, s.value));
                }
                self.findings.push(f);
                continue;
            };
            match s.option {
                "container-network-gateway" => {
                    if cn.gateway.is_some() {
                        self.findings.push(Finding::error(
                            "N17",
                            s.option,
                            format!("network.container_networks[{i}].gateway"),
                            format!(
                                "Container network \"{}\" is given two gateways; keep one.",
                                s.network
                            ),
                        ));
                    } else {
                        cn.gateway = Some(s.value);
                    }
                }
                "container-network-ip-range" => cn.ip_ranges.push(s.value),
                "container-network-dns" => cn.dns.push(s.value),
                _ => {
                    if cn.firewall.is_some() {
                        self.findings.push(Finding::warning(
                            "CL2",
                            s.option,
                            format!("network.container_networks[{i}].firewall"),
                            format!("Container network \"{}\" is given two firewall levels; the last is used.", s.network),
                        ));
                    }
                    cn.firewall = Some(s.value);
                }
            }
        }
    }
}
