//! C12–C14: the numbers of the "Compute capacity" page.

use crate::config::VchConfig;
use crate::finding::Finding;
use crate::quantity::{is_valid_shares, parse_uint};

pub(super) fn check(config: &VchConfig, out: &mut Vec<Finding>) {
    let c = &config.compute;
    let integers = [
        (&c.cpu_limit, "cpu", "compute.cpu_limit", "MHz"),
        (
            &c.cpu_reservation,
            "cpu-reservation",
            "compute.cpu_reservation",
            "MHz",
        ),
        (&c.memory_limit, "memory", "compute.memory_limit", "MB"),
        (
            &c.memory_reservation,
            "memory-reservation",
            "compute.memory_reservation",
            "MB",
        ),
        (
            &c.endpoint_cpu,
            "endpoint-cpu",
            "compute.endpoint_cpu",
            "vCPUs",
        ),
        (
            &c.endpoint_memory,
            "endpoint-memory",
            "compute.endpoint_memory",
            "MB",
        ),
        (
            &config.storage.containers,
            "containers",
            "storage.containers",
            "containers",
        ),
    ];
    for (value, option, path, unit) in integers {
        if let Some(v) = value.as_deref()
            && parse_uint(v).is_none()
        {
            out.push(Finding::error(
                "C12",
                option,
                path,
                format!("--{option} \"{v}\" is not a whole number of {unit}."),
            ));
        }
    }
    for (value, option, path) in [
        (&c.cpu_shares, "cpu-shares", "compute.cpu_shares"),
        (&c.memory_shares, "memory-shares", "compute.memory_shares"),
    ] {
        if let Some(v) = value.as_deref()
            && !is_valid_shares(v)
        {
            out.push(
                    Finding::error(
                        "C13",
                        option,
                        path,
                        format!("--{option} \"{v}\" is not a share level. Use low, normal, high or a positive number of shares."),
                    )
                    .with_suggestion("normal"),
                );
        }
    }
    for (value, option, path) in [
        (&c.endpoint_cpu, "endpoint-cpu", "compute.endpoint_cpu"),
        (
            &c.endpoint_memory,
            "endpoint-memory",
            "compute.endpoint_memory",
        ),
    ] {
        if value.as_deref().and_then(parse_uint) == Some(0) {
            out.push(Finding::error(
                "C14",
                option,
                path,
                format!("--{option} 0 would give the appliance VM nothing; leave it out for the default."),
            ));
        }
    }
}
