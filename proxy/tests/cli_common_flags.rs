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
