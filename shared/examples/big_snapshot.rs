//! Prints the vCenter-scale inventory snapshot (40 clusters x 25 hosts, 2,000 port groups, 200
//! datastores, existing VCHs) as the JSON `GET /api/inventory` answers, for the browser bench
//! (tests/e2e/bench/inventory.bench.mjs). `cargo run -p shared --example big_snapshot [VCHS]`;
//! VCHS defaults to 2,100, one row per VM of the bench's large size.

#[path = "../tests/support/vcenter_scale.rs"]
mod vcenter_scale;

fn main() {
    let vchs = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2100);
    let snapshot = vcenter_scale::vcenter_scale(vchs);
    let json = serde_json::to_string(&snapshot).expect("a snapshot always serialises");
    println!("{json}");
}
