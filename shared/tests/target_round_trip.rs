//! The wizard's command line names the target as a person types it: whatever SDK URL the session
//! connected to, import → generate → import keeps the server, datacenter, user and thumbprint.

use proptest::prelude::*;
use shared::VchConfig;
use shared::vic_machine::{Os, generate, parse_command_line, server_as_typed};

fn sdk_url() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(vec!["https", "http"]),
        "[a-z][a-z0-9.-]{0,12}",
        proptest::option::of(1u16..),
        proptest::bool::ANY,
    )
        .prop_map(|(scheme, host, port, slash)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let end = if slash { "/" } else { "" };
            format!("{scheme}://{host}{port}/sdk{end}")
        })
}

fn thumbprint() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<u8>(), 20).prop_map(|b| {
        b.iter()
            .map(|x| format!("{x:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn import_generate_import_is_lossless(
        url in sdk_url(),
        dc in proptest::option::of("[A-Za-z0-9_-]{1,10}"),
        thumb in proptest::option::of(thumbprint()),
        os_pick in 0u8..3,
    ) {
        let os = [Os::Linux, Os::Darwin, Os::Windows][os_pick as usize];
        // The wizard's draft: the SDK URL as the session reports it.
        let mut wizard = VchConfig::default();
        wizard.target.server = Some(url.clone());
        wizard.target.datacenter = dc.clone();
        wizard.target.user = Some("administrator@vsphere.local".into());
        wizard.target.thumbprint = thumb.clone();
        wizard.general.name = Some("vch-1".into());
        let line = generate(&wizard, os);
        prop_assert!(!line.contains("/sdk"), "{}", line);
        let imported = parse_command_line(&line).map_err(|e| TestCaseError::fail(format!("{e}\n{line}")))?.config;
        prop_assert_eq!(&imported.target.datacenter, &dc, "{}", line);
        prop_assert_eq!(&imported.target.thumbprint, &thumb);
        prop_assert_eq!(imported.target.user.as_deref(), Some("administrator@vsphere.local"));
        // Once imported, generating again gives the same line and reads back the same.
        let again = generate(&imported, os);
        prop_assert_eq!(&again, &line);
        prop_assert_eq!(&parse_command_line(&again).unwrap().config, &imported);
        // The typed form the wizard shows names the same server the line carries.
        let typed = server_as_typed(&url);
        let mut typed_config = wizard.clone();
        typed_config.target.server = Some(typed.clone());
        let typed_line = generate(&typed_config, os);
        let back = parse_command_line(&typed_line).unwrap().config;
        prop_assert_eq!(back.target.server.as_deref(), Some(typed.as_str()));
        prop_assert_eq!(&back.target.datacenter, &dc);
    }
}
