//! Reading and writing `vic-machine create` command lines: names, values, errors.

use shared::vic_machine::{Os, ParseError, generate, parse_args, parse_command_line};

#[test]
fn long_short_old_and_equals_forms_agree() {
    let a = parse_args([
        "--target",
        "vc",
        "--name=vch",
        "--bnr",
        "10.0.0.0/12",
        "-cn",
        "pg:net",
        "--image-datastore",
        "ds1",
        "--cert-path",
        "certs",
        "-k",
    ])
    .unwrap();
    let b = parse_args([
        "-t=vc",
        "-n",
        "vch",
        "--bridge-network-range=10.0.0.0/12",
        "--container-network",
        "pg:net",
        "--image-store=ds1",
        "--tls-cert-path",
        "certs",
        "--no-tls=true",
    ])
    .unwrap();
    assert_eq!(a.config, b.config);
    assert_eq!(
        a.config.network.container_networks[0].alias.as_deref(),
        Some("net")
    );
    assert!(a.config.security.no_tls);
}

#[test]
fn repeated_options_accumulate() {
    let p = parse_args([
        "--dns-server",
        "1.1.1.1",
        "--dns-server",
        "8.8.8.8",
        "--vs",
        "a/b:x",
        "--vs",
        "c:y",
    ])
    .unwrap();
    assert_eq!(p.config.network.dns_servers, ["1.1.1.1", "8.8.8.8"]);
    assert_eq!(p.config.storage.volume_stores.len(), 2);
}

#[test]
fn unknown_option_suggests_the_closest() {
    let e = parse_args(["--bridge-netwrok", "x"]).unwrap_err();
    assert_eq!(
        e,
        ParseError::UnknownOption {
            option: "bridge-netwrok".into(),
            suggestion: Some("bridge-network".into())
        }
    );
    assert!(e.to_string().contains("did you mean --bridge-network"));
    assert_eq!(e.option(), Some("bridge-netwrok"));
}

#[test]
fn missing_values_are_errors() {
    assert_eq!(
        parse_args(["--name"]).unwrap_err(),
        ParseError::MissingValue {
            option: "name".into()
        }
    );
    assert_eq!(
        parse_args(["--name", "--no-tls"]).unwrap_err(),
        ParseError::MissingValue {
            option: "name".into()
        }
    );
    assert!(matches!(
        parse_args(["--no-tls=maybe"]).unwrap_err(),
        ParseError::BadFlagValue { .. }
    ));
}

#[test]
fn password_flag_may_stand_alone() {
    let p = parse_args(["-t", "u@vc", "-p", "--no-tls"]).unwrap();
    assert!(p.config.target.password.is_none());
    let p = parse_args(["-t", "u@vc", "-p", "pw"]).unwrap();
    assert_eq!(p.config.target.password.unwrap().expose(), "pw");
}

#[test]
fn flag_false_turns_off() {
    let p = parse_args(["--no-tls", "--no-tls=false"]).unwrap();
    assert!(!p.config.security.no_tls);
}

#[test]
fn generated_lines_per_os() {
    let p = parse_command_line(
        "create -t vc/dc --name 'my vch' --cn 'VM Network:vmnet' --cnf 'VM Network:open'",
    )
    .unwrap();
    let linux = generate(&p.config, Os::Linux);
    assert!(linux.starts_with("./vic-machine-linux create \\\n"));
    assert!(linux.contains("--name 'my vch'"));
    let windows = generate(&p.config, Os::Windows);
    assert!(windows.starts_with("vic-machine-windows create --target vc/dc"));
    assert!(windows.contains("--name \"my vch\""));
    assert!(windows.contains("--container-network-firewall \"VM Network:open\""));
    for line in [linux, windows, generate(&p.config, Os::Darwin)] {
        assert_eq!(parse_command_line(&line).unwrap().config, p.config);
    }
}

#[test]
fn values_starting_with_a_dash_survive() {
    let p = parse_args(["--name=-odd"]).unwrap();
    let line = generate(&p.config, Os::Linux);
    assert!(line.contains("--name=-odd"));
    assert_eq!(
        parse_command_line(&line)
            .unwrap()
            .config
            .general
            .name
            .as_deref(),
        Some("-odd")
    );
}

#[test]
fn windows_continuations_and_quotes() {
    let p = parse_command_line("vic-machine-windows.exe create ^\n--target vc ^\n--name \"a b\"")
        .unwrap();
    assert_eq!(p.config.general.name.as_deref(), Some("a b"));
    assert_eq!(p.config.target.server.as_deref(), Some("vc"));
}

#[test]
fn a_line_over_the_limit_is_refused_naming_it() {
    let limit = shared::limits::MAX_COMMAND_LINE_BYTES;
    let long = format!("--name {}", "a".repeat(limit));
    let err = parse_command_line(&long).unwrap_err();
    assert!(matches!(err, ParseError::TooLong { limit: l, .. } if l == limit));
    assert!(err.to_string().contains(&limit.to_string()));
}

#[test]
fn settings_find_their_network_among_thousands() {
    let mut line = String::from("-t u@vc");
    for n in 0..3000 {
        line.push_str(&format!(
            " --cn pg{n}:net{n} --cng pg{n}:10.{}.{}.1/24",
            n / 250,
            n % 250
        ));
    }
    line.push_str(" --cng net7:10.0.7.1/24");
    let parsed = parse_command_line(&line).unwrap();
    let nets = &parsed.config.network.container_networks;
    assert_eq!(nets.len(), 3000);
    assert_eq!(nets[2999].gateway.as_deref(), Some("10.11.249.1/24"));
    let n21 = parsed.findings.iter().find(|f| f.code == "N21").unwrap();
    assert_eq!(n21.suggestions, ["pg7:10.0.7.1/24"]);
}
