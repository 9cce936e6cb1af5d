//! The vSphere Client remote plugin manifest: its shape (docs/vsphere-notes.md §4.1) and that every URI
//! in it resolves, relative to `/plugin/plugin.json`, on the real router over real HTTP.

use std::collections::BTreeSet;
use std::path::PathBuf;

use proxy::http::plugin::MANIFEST;
use proxy::http::{AppState, router};
use serde_json::Value;
use url::Url;

const API_VERSIONS: [&str; 4] = ["1.0.0", "1.0.1", "1.1.0", "1.2.0"];
const ENVIRONMENTS: [&str; 3] = ["onprem", "cloud", "gateway"];
const SPRITE_CELL: u64 = 16;

fn manifest() -> Value {
    serde_json::from_str(MANIFEST).expect("plugin.json is valid JSON")
}

/// Every object (JSON value) anywhere in the manifest, depth first.
fn all_objects(value: &Value) -> Vec<&serde_json::Map<String, Value>> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                out.push(map);
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// The URIs vsphere-ui loads: views, cards and action triggers (not the i18n or sprite sections).
fn ui_uris(manifest: &Value) -> Vec<String> {
    let mut uris = vec![
        manifest["global"]["view"]["uri"]
            .as_str()
            .unwrap()
            .to_owned(),
    ];
    for object in all_objects(&manifest["objects"]) {
        if let Some(uri) = object.get("uri").and_then(Value::as_str) {
            uris.push(uri.to_owned());
        }
    }
    uris
}

#[test]
fn required_fields_and_versions() {
    let m = manifest();
    assert!(API_VERSIONS.contains(&m["manifestVersion"].as_str().unwrap()));
    let req = &m["requirements"];
    assert!(API_VERSIONS.contains(&req["plugin.api.version"].as_str().unwrap()));
    for product in ["vcenter.server", "vsphere.client"] {
        let version = req[product]["version"].as_str().expect(product);
        assert!(version.starts_with("[7.0"), "{product}: {version}");
        let envs = req[product]["environments"].as_array().expect(product);
        assert!(!envs.is_empty());
        for env in envs {
            assert!(ENVIRONMENTS.contains(&env.as_str().unwrap()), "{env}");
        }
    }
    assert_eq!(m["configuration"]["nameKey"], "plugin.name");
    assert_eq!(m["global"]["view"]["navigationVisible"], true);
    assert!(m["global"]["view"]["navigationId"].is_string());
}

#[test]
fn create_action_on_every_placement_target_opens_the_wizard_in_a_modal() {
    let m = manifest();
    for kind in [
        "Datacenter",
        "ClusterComputeResource",
        "HostSystem",
        "ResourcePool",
    ] {
        let actions = m["objects"][kind]["menu"]["actions"]
            .as_array()
            .unwrap_or_else(|| panic!("{kind} has no actions"));
        let create = actions
            .iter()
            .find(|a| a["labelKey"] == "vch.create")
            .unwrap_or_else(|| panic!("{kind} has no create action"));
        let trigger = &create["trigger"];
        assert_eq!(trigger["type"], "modal", "{kind}");
        assert!(
            trigger["uri"]
                .as_str()
                .unwrap()
                .starts_with("index.html#/create"),
            "{kind}"
        );
        assert!(trigger["size"]["width"].as_u64().unwrap() >= 1000, "{kind}");
        assert!(trigger["size"]["height"].as_u64().unwrap() >= 700, "{kind}");
    }
    for kind in ["ClusterComputeResource", "HostSystem"] {
        let object = &m["objects"][kind];
        let views: Vec<&Value> = ["monitor", "configure"]
            .iter()
            .filter_map(|c| object[c]["views"].as_array())
            .flatten()
            .collect();
        assert!(
            views
                .iter()
                .any(|v| v["uri"].as_str().unwrap().starts_with("index.html#/vchs")),
            "{kind} has no VCH list view"
        );
    }
}

#[test]
fn ids_are_unique_and_every_key_is_translated_in_every_locale() {
    let m = manifest();
    let i18n = &m["definitions"]["i18n"];
    let locales: Vec<&str> = i18n["locales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(locales.contains(&"en-US"));
    for locale in &locales {
        let (lang, region) = locale.split_once('-').expect(locale);
        assert!(
            lang.len() == 2
                && lang.chars().all(|c| c.is_ascii_lowercase())
                && region.len() == 2
                && region.chars().all(|c| c.is_ascii_uppercase()),
            "{locale}"
        );
    }
    let definitions = i18n["definitions"].as_object().unwrap();
    let mut used = BTreeSet::new();
    let mut ids = Vec::new();
    for object in all_objects(&m) {
        for key in ["labelKey", "nameKey", "titleKey"] {
            if let Some(k) = object.get(key).and_then(Value::as_str) {
                used.insert(k.to_owned());
            }
        }
        for key in ["navigationId", "id"] {
            if let Some(id) = object.get(key).and_then(Value::as_str) {
                ids.push(id.to_owned());
            }
        }
    }
    for key in &used {
        let entry = definitions
            .get(key)
            .unwrap_or_else(|| panic!("{key} is not defined"));
        for locale in &locales {
            let text = entry[*locale].as_str().unwrap_or_default();
            assert!(!text.trim().is_empty(), "{key} has no {locale} text");
        }
    }
    for (key, entry) in definitions {
        assert!(used.contains(key), "{key} is defined but never used");
        assert_eq!(
            entry.as_object().unwrap().len(),
            locales.len(),
            "{key} has texts for unlisted locales"
        );
    }
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");

    // Every icon name refers to a sprite.
    let sprites = m["definitions"]["iconSpriteSheet"]["definitions"]
        .as_object()
        .unwrap();
    for object in all_objects(&m["objects"])
        .into_iter()
        .chain([m["configuration"].as_object().unwrap()])
    {
        if let Some(name) = object.get("icon").and_then(|i| i["name"].as_str()) {
            assert!(sprites.contains_key(name), "icon {name} has no sprite");
        }
    }
}

#[test]
fn uris_are_relative_to_the_manifest() {
    let m = manifest();
    let mut uris = ui_uris(&m);
    uris.push(
        m["definitions"]["iconSpriteSheet"]["uri"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    for uri in uris {
        // vsphere-ui serves the plugin under its own proxy prefix: absolute paths or other
        // origins would escape it.
        assert!(
            !uri.starts_with('/') && !uri.contains("://") && !uri.contains(".."),
            "{uri}"
        );
    }
}

/// Serves the real router on a free loopback port with a wizard build of two files.
async fn serve() -> (String, PathBuf) {
    let ui_dir = std::env::temp_dir().join(format!("vch-plugin-ui-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&ui_dir).unwrap();
    std::fs::write(
        ui_dir.join("index.html"),
        "<!doctype html><title>wizard</title>",
    )
    .unwrap();
    std::fs::write(ui_dir.join("frontend-0123.js"), "export default 1;").unwrap();
    let state = AppState::new(ui_dir.clone(), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    (format!("http://{addr}"), ui_dir)
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

#[tokio::test]
async fn every_uri_in_the_manifest_is_served() {
    let (base, ui_dir) = serve().await;
    let http = http();
    let manifest_url = Url::parse(&format!("{base}/plugin/plugin.json")).unwrap();

    let response = http.get(manifest_url.clone()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let served: Value = response.json().await.unwrap();
    assert_eq!(served, manifest());

    for uri in ui_uris(&served) {
        let mut url = manifest_url.join(&uri).unwrap();
        // The fragment is the wizard's route; browsers never send it.
        url.set_fragment(None);
        assert_eq!(url.path(), "/plugin/index.html", "{uri}");
        let response = http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{uri}");
        assert_eq!(
            response.text().await.unwrap(),
            "<!doctype html><title>wizard</title>",
            "{uri}"
        );
    }

    let sprite_uri = served["definitions"]["iconSpriteSheet"]["uri"]
        .as_str()
        .unwrap();
    let response = http
        .get(manifest_url.join(sprite_uri).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let png = response.bytes().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u64::from(u32::from_be_bytes(png[16..20].try_into().unwrap()));
    let height = u64::from(u32::from_be_bytes(png[20..24].try_into().unwrap()));
    for (name, cell) in served["definitions"]["iconSpriteSheet"]["definitions"]
        .as_object()
        .unwrap()
    {
        let (x, y) = (cell["x"].as_u64().unwrap(), cell["y"].as_u64().unwrap());
        assert!(
            x + SPRITE_CELL <= width && y + SPRITE_CELL <= height,
            "sprite {name} at {x},{y} is outside the {width}x{height} sheet"
        );
    }

    let svg = http
        .get(format!("{base}/plugin/assets/vch-plugin-icon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");

    // The wizard's own files and its relative `./api` calls work under the plugin prefix too.
    let js = http
        .get(format!("{base}/plugin/frontend-0123.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    assert_eq!(js.text().await.unwrap(), "export default 1;");
    let health = http
        .get(format!("{base}/plugin/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let missing = http
        .get(format!("{base}/plugin/api/no-such-endpoint"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404, "API misses stay JSON errors");

    let _ = std::fs::remove_dir_all(ui_dir);
}
