//! One self-contained binary: `vch` copied alone into an empty directory and started there
//! serves the wizard that was built into it (or, when built without one, a page saying how to
//! build it); `--ui-dir` overrides the embedded copy.

use std::process::Stdio;
use std::time::Duration;

use proxy::http::UiSource;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Starts the copied `vch serve` in `cwd` and returns its base URL.
async fn serve_from(
    exe: &std::path::Path,
    cwd: &std::path::Path,
    extra: &[&str],
) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(exe)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .current_dir(cwd)
        .env_remove("VCH_UI_DIR")
        .env_remove("VCH_LISTEN")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the copied vch starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("vch serve prints its URL")
            .unwrap()
            .expect("vch serve is running");
        if let Some(url) = line.strip_prefix("vch is serving the wizard at ") {
            return (child, url.trim().trim_end_matches('/').to_owned());
        }
    }
}

#[tokio::test]
async fn a_copied_binary_serves_its_embedded_wizard_from_any_directory() {
    // reqwest is built without a default crypto provider; a second install is a no-op error.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("vch");
    std::fs::copy(env!("CARGO_BIN_EXE_vch"), &exe).unwrap();
    let (mut child, base) = serve_from(&exe, dir.path(), &[]).await;
    let response = reqwest::get(format!("{base}/some/client/route"))
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    let checkout_index =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../dist/index.html")).ok();
    if UiSource::embedded_available() {
        assert_eq!(status, 200);
        assert_eq!(
            Some(body),
            checkout_index,
            "the embedded index.html is dist's"
        );
    } else {
        // Built without the wizard: the checkout's dist if it appeared since, else the page.
        match checkout_index {
            Some(index) => assert_eq!(body, index),
            None => {
                assert_eq!(status, 404);
                assert!(body.contains("scripts/build-ui.sh"), "{body}");
            }
        }
    }
    child.kill().await.unwrap();

    // --ui-dir wins over the embedded copy.
    let ui = dir.path().join("ui");
    std::fs::create_dir(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<html>from --ui-dir</html>").unwrap();
    let (mut child, base) = serve_from(&exe, dir.path(), &["--ui-dir", ui.to_str().unwrap()]).await;
    let body = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "<html>from --ui-dir</html>");
    child.kill().await.unwrap();
}
