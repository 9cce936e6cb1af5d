//! The JSON entry point used by the wasm export and `vch validate --config`.

use serde_json::Value;

#[test]
fn report_json_has_exactly_the_contract_fields() {
    let out = shared::validate_json(r#"{"network":{"bridge":{"port_group":"VM Network"}}}"#);
    let v: Value = serde_json::from_str(&out).unwrap();
    let top: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(top, ["findings", "valid"]);
    assert_eq!(v["valid"], false);
    let nv10 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "NV10")
        .unwrap();
    assert_eq!(nv10["severity"], "error");
    assert_eq!(nv10["option"], "bridge-network");
    assert_eq!(nv10["path"], "network.bridge.port_group");
    assert!(nv10["suggestions"].is_array());
    assert!(nv10["message"].as_str().unwrap().contains("VM Network"));
}

#[test]
fn unreadable_json_is_one_sc2_error() {
    for bad in ["{", r#"{"nmae": "x"}"#, r#"{"general": {"name": 5}}"#] {
        let v: Value = serde_json::from_str(&shared::validate_json(bad)).unwrap();
        assert_eq!(v["valid"], false);
        assert_eq!(v["findings"][0]["code"], "SC2");
        assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn future_schema_versions_are_refused() {
    let v: Value =
        serde_json::from_str(&shared::validate_json(r#"{"schema_version": 2}"#)).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "SC1")
    );
}
