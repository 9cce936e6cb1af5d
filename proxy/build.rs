//! Embeds the built wizard (Trunk's `dist/`) into `vch`, so the binary serves it from anywhere.
//!
//! `VCH_EMBED_UI_DIR` names another folder. When the folder has no `index.html` (a plain
//! `cargo build`/`cargo test` without a UI build) nothing is embedded and `vch serve` falls back
//! to a `dist/` folder on disk or a page saying how to build the UI (see `src/http/ui.rs`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=VCH_EMBED_UI_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dist = std::env::var_os("VCH_EMBED_UI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("../dist"));
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        // A directory is watched recursively; a missing path would rerun this script on every
        // build, so only an existing one is watched.
        println!("cargo:rerun-if-changed={}", dist.display());
        collect(&dist, &dist, &mut files);
        files.sort();
    }
    let mut out = String::from("/// Built wizard files by path relative to `dist/`.\n");
    out.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for (relative, absolute) in &files {
        let _ = writeln!(out, "    ({relative:?}, include_bytes!({absolute:?})),");
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out_dir.join("ui_assets.rs"), out).expect("write ui_assets.rs");
}

/// Every regular file under `dir`, as (path relative to `root` with `/`, absolute path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        // Trunk's staging folder is a build leftover, not part of the site.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.is_file() {
            let relative = path
                .strip_prefix(root)
                .expect("under root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let absolute = path
                .canonicalize()
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned();
            files.push((relative, absolute));
        }
    }
}
