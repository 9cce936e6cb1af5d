use super::*;

fn error(path: &str) -> Issue {
    Issue {
        path: path.to_owned(),
        message: format!("{path} is wrong"),
        blocking: true,
        ..Issue::default()
    }
}

fn warning(path: &str) -> Issue {
    Issue {
        blocking: false,
        ..error(path)
    }
}

/// A wizard that reached `step` through Next with no errors.
fn at(step: Step) -> WizardState {
    let mut w = WizardState::new();
    while w.current() != step {
        assert!(matches!(w.advance(&[]), Advance::Moved(_)));
    }
    w
}

#[test]
fn steps_are_the_eight_of_the_original_in_order() {
    let titles: Vec<_> = Step::ALL.iter().map(|s| s.title()).collect();
    assert_eq!(
        titles,
        [
            "General",
            "Compute capacity",
            "Storage capacity",
            "Networks",
            "Security",
            "Registry access",
            "Operations user",
            "Summary"
        ]
    );
    assert_eq!(Step::General.previous(), None);
    assert_eq!(Step::Summary.next(), None);
    assert_eq!(Step::Networks.number(), 4);
}

#[test]
fn paths_map_to_the_step_that_shows_them() {
    for (path, step) in [
        ("general.name", Step::General),
        ("target.url", Step::General),
        ("", Step::General),
        ("compute.cpu_limit", Step::Compute),
        ("target.compute_resource", Step::Compute),
        ("target.timeout", Step::General),
        ("storage.volume_stores[2].label", Step::Storage),
        ("network.bridge.ip_range", Step::Networks),
        ("network", Step::Networks),
        ("security.tls_ca[0]", Step::Security),
        ("registry.insecure", Step::Registry),
        ("operations.ops_user", Step::OpsUser),
    ] {
        assert_eq!(Step::of_path(path), step, "{path}");
    }
}

#[test]
fn an_issue_concerns_its_field_and_what_is_inside_it_only() {
    let issue = error("network.bridge.ip_range");
    assert!(issue.concerns("network.bridge.ip_range"));
    assert!(issue.concerns("network.bridge"));
    assert!(!issue.concerns("network.bridge.ip"));
    assert!(!issue.concerns("network.bridge.ip_range_x"));
    assert!(error("storage.volume_stores[1].label").concerns("storage.volume_stores"));
}

#[test]
fn next_moves_forward_when_the_current_step_has_no_errors() {
    let mut w = WizardState::new();
    // Problems elsewhere, and warnings here, don't block this step.
    let issues = [error("network.bridge.ip_range"), warning("general.name")];
    assert_eq!(w.advance(&issues), Advance::Moved(Step::Compute));
    assert_eq!(w.current(), Step::Compute);
}

#[test]
fn next_is_refused_while_the_current_step_has_errors_and_reveals_them() {
    let mut w = WizardState::new();
    let issues = [error("general.name")];
    assert_eq!(w.visible_message("general.name", &issues), None);
    assert_eq!(w.visible_error_count(Step::General, &issues), 0);

    assert_eq!(w.advance(&issues), Advance::Blocked(Step::General));
    assert_eq!(w.current(), Step::General);
    assert_eq!(w.visible_message("general.name", &issues), Some(&issues[0]));
    assert_eq!(w.visible_error_count(Step::General, &issues), 1);
    assert!(!w.can_visit(Step::Compute));
}

#[test]
fn back_never_validates() {
    let mut w = at(Step::Storage);
    let issues = [error("storage.image_store"), error("compute.cpu_limit")];
    assert_eq!(w.back(), Some(Step::Compute));
    assert_eq!(w.back(), Some(Step::General));
    assert_eq!(w.back(), None);
    assert_eq!(w.current(), Step::General);
    assert_eq!(w.visible_error_count(Step::Storage, &issues), 0);
}

#[test]
fn the_step_list_reaches_visited_steps_only() {
    let mut w = at(Step::Networks);
    assert!(w.go_to(Step::General));
    assert!(
        w.go_to(Step::Networks),
        "the furthest step stays reachable after going back"
    );
    assert!(!w.go_to(Step::Security));
    assert_eq!(w.current(), Step::Networks);
    assert!(w.is_visited(Step::Compute));
    assert!(
        !w.is_visited(Step::Networks),
        "the current step is not shown as completed"
    );
}

#[test]
fn touching_a_field_reveals_its_problems_only() {
    let mut w = WizardState::new();
    let issues = [error("general.name"), error("general.syslog.host")];
    w.touch("general.name");
    assert_eq!(w.visible_message("general.name", &issues), Some(&issues[0]));
    assert_eq!(w.visible_message("general.syslog.host", &issues), None);
    assert_eq!(w.visible_error_count(Step::General, &issues), 1);
}

#[test]
fn an_error_is_shown_before_a_warning_on_the_same_field() {
    let mut w = WizardState::new();
    let issues = [warning("general.name"), error("general.name")];
    w.touch("general.name");
    assert_eq!(w.visible_message("general.name", &issues), Some(&issues[1]));
    let only_warning = [warning("general.name")];
    assert_eq!(
        w.visible_message("general.name", &only_warning),
        Some(&only_warning[0])
    );
    assert_eq!(w.visible_error_count(Step::General, &only_warning), 0);
}

#[test]
fn finish_goes_to_the_first_step_with_errors() {
    let mut w = at(Step::Summary);
    let issues = [error("registry.insecure[0]"), error("compute.cpu_limit")];
    assert_eq!(w.advance(&issues), Advance::Blocked(Step::Compute));
    assert_eq!(w.current(), Step::Compute);
    assert_eq!(w.visible_error_count(Step::Compute, &issues), 1);
    // Only the step shown is revealed; the registry error waits until the user gets there.
    assert_eq!(w.visible_error_count(Step::Registry, &issues), 0);
    assert!(w.can_visit(Step::Summary));
}

#[test]
fn finish_succeeds_with_warnings_only() {
    let mut w = at(Step::Summary);
    assert_eq!(w.advance(&[warning("general.name")]), Advance::Finished);
    assert_eq!(w.current(), Step::Summary);
}

#[test]
fn an_issue_shows_on_the_fields_it_also_concerns() {
    let mut w = WizardState::new();
    let issue = Issue {
        also: vec!["network.public.port_group".into()],
        ..error("network.bridge.port_group")
    };
    let issues = [issue];
    assert_eq!(
        w.visible_message("network.public.port_group", &issues),
        None
    );
    w.touch("network.public.port_group");
    assert_eq!(
        w.visible_message("network.bridge.port_group", &issues),
        Some(&issues[0]),
        "touching either field reveals it on both"
    );
    assert_eq!(
        w.visible_message("network.public.port_group", &issues),
        Some(&issues[0])
    );
    assert_eq!(w.visible_error_count(Step::Networks, &issues), 1);
}

#[test]
fn an_import_reveals_every_step() {
    let mut w = WizardState::new();
    let issues = [
        error("registry.insecure_registries[0]"),
        warning("general.name"),
    ];
    w.reveal_all();
    assert!(w.can_visit(Step::Summary));
    assert_eq!(w.visible_error_count(Step::Registry, &issues), 1);
    assert_eq!(w.visible_on_step(Step::General, &issues).len(), 1);
}
