//! `vch ls`, `inspect` and `delete` accept vic-machine's common flags, so admins' scripts run:
//! `--compute-resource` narrows the VCHs, `--timeout` bounds the command, `--debug` logs; and
//! `delete --help` says what `--force` does there. The real binary against the simulator.

mod deploy_support;

use deploy_support::*;
use proxy::deploy::{self, CreateOptions, Progress};
use tokio_util::sync::CancellationToken;

async fn vch(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vch"))
        .args(args)
        .env_remove("VCH_TARGET")
        .env_remove("RUST_LOG")
        .output()
        .await
        .expect("vch runs")
}

#[tokio::test]
async fn ls_inspect_and_delete_take_the_common_flags() {
    let (sim, client, spec) = simulator().await;
    let isos = isos(VERSION_PUBLISHER);
    let config = config_from(&small_args(&sim, &isos, "scripted"));
    let mut options = CreateOptions::from_config(&config, spec);
    options.wait_for_ip = false;
    let created = deploy::create(
        &client,
        &config,
        &options,
        &Progress::new(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("create failed: {e}"));
    let target = sim.url().to_string();
    let auth = [
        "--target",
        target.as_str(),
        "--user",
        sim.username(),
        "--password",
        sim.password(),
    ];
    let run = |extra: &[&str]| {
        let args: Vec<String> = extra
            .iter()
            .copied()
            .chain(auth)
            .map(str::to_owned)
            .collect();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            vch(&args).await
        }
    };

    let out = run(&[
        "ls",
        "--compute-resource",
        "DC0_C0",
        "--timeout",
        "2m",
        "--debug",
        "1",
    ])
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("scripted") && text.contains(&created.id),
        "{text}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("DEBUG"),
        "--debug logs"
    );
    let out = run(&["ls", "--compute-resource", "DC0_C1"]).await;
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("scripted"));

    let out = run(&[
        "inspect",
        "--name",
        "scripted",
        "--compute-resource",
        "DC0_C1",
    ])
    .await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no VCH named \"scripted\" in compute resource"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["ls", "--timeout", "soon"]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--timeout \"soon\""));

    let help = vch(&["delete", "--help"]).await;
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("delete the volume stores"),
        "{}",
        String::from_utf8_lossy(&help.stdout)
    );

    let out = run(&[
        "delete",
        "--name",
        "scripted",
        "--compute-resource",
        "/DC0/host/DC0_C0",
        "--timeout",
        "2m",
    ])
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(leftovers(&client, "scripted").await.is_empty());
    sim.stop().await;
}

/// `vch inventory`, `vch plugin register|unregister|status` and `vch update firewall` take the
/// same flags: `--timeout` bounds them and `--debug` logs; `--compute-resource` narrows the
/// firewall change and is refused, by name, where there is nothing to narrow.
#[tokio::test]
async fn inventory_plugin_and_firewall_take_the_common_flags() {
    let (sim, _client, _spec) = simulator().await;
    let target = sim.url().to_string();
    let auth = [
        "--target",
        target.as_str(),
        "--user",
        sim.username(),
        "--password",
        sim.password(),
    ];
    let run = |extra: &[&str]| {
        let args: Vec<String> = extra
            .iter()
            .copied()
            .chain(auth)
            .map(str::to_owned)
            .collect();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            vch(&args).await
        }
    };
    // Holds every connection open without a byte of answer.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = format!("http://{}/sdk", listener.local_addr().unwrap());
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let text = |out: &std::process::Output| {
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // Taking effect: the command runs within the timeout and logs at debug level.
    let commands: [&[&str]; 4] = [
        &["inventory", "--format", "json"],
        &["plugin", "unregister"],
        &["plugin", "status"],
        &[
            "update",
            "firewall",
            "--allow",
            "--compute-resource",
            "/DC0/host/DC0_C0",
        ],
    ];
    for command in commands {
        let args: Vec<&str> = command
            .iter()
            .copied()
            .chain(["--timeout", "2m", "--debug", "1"])
            .collect();
        let out = run(&args).await;
        let (stdout, stderr) = text(&out);
        assert!(
            stderr.contains("DEBUG"),
            "{command:?} --debug logs: {stderr}"
        );
        match command[..2] {
            // Nothing registered on the simulator: status says so with exit code 1.
            ["plugin", "status"] => {
                assert_eq!(out.status.code(), Some(1), "{stderr}");
                assert!(stdout.contains("is not registered"), "{stdout}");
            }
            ["inventory", _] => {
                assert!(out.status.success(), "{stderr}");
                assert!(stdout.contains("DC0_C0"), "{stdout}");
            }
            ["update", _] => {
                assert!(out.status.success(), "{stderr}");
                assert!(stdout.contains("outbound 2377/tcp"), "{stdout}");
            }
            _ => assert!(out.status.success(), "{command:?}: {stderr}"),
        }

        // A target that accepts and never answers: only --timeout ends the command.
        let args: Vec<&str> = command
            .iter()
            .copied()
            .chain(["--timeout", "1s", "--target", silent.as_str()])
            .chain(["--user", "u", "--password", "p"])
            .collect();
        let out = vch(&args).await;
        assert!(!out.status.success());
        assert!(
            text(&out).1.contains("gave up after --timeout 1s"),
            "{command:?}: {}",
            text(&out).1
        );
        let args: Vec<&str> = command
            .iter()
            .copied()
            .chain(["--timeout", "soon"])
            .collect();
        let out = run(&args).await;
        assert!(!out.status.success());
        assert!(text(&out).1.contains("--timeout \"soon\""), "{command:?}");
    }

    // Refused where it cannot take effect, naming the flag and the command.
    let refused: [&[&str]; 4] = [
        &["inventory"],
        &["plugin", "status"],
        &["plugin", "unregister"],
        &[
            "plugin",
            "register",
            "--url",
            "https://127.0.0.1:9/plugin/plugin.json",
            "--no-check",
        ],
    ];
    for command in refused {
        let args: Vec<&str> = command
            .iter()
            .copied()
            .chain(["--compute-resource", "DC0_C0"])
            .collect();
        let out = run(&args).await;
        let stderr = text(&out).1;
        assert!(!out.status.success(), "{command:?}");
        assert!(
            stderr.contains("--compute-resource \"DC0_C0\" does not apply to `vch")
                && stderr.contains(command[..command.len().min(2)].join(" ").as_str()),
            "{command:?}: {stderr}"
        );
    }
    holder.abort();
    sim.stop().await;
}
