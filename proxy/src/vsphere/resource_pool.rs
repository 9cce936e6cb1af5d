//! Resource pools: create one with CPU/memory allocations, change them, read one back.
//!
//! Pools are created with `CreateResourcePool` (synchronous, returns the pool) and removed with
//! [`Client::destroy_entity`](super::entity). vcsim shares and stales a pool's `summary`, so only
//! `config` is read.

use super::envelope::Request;
use super::xml_tree::Node;
use super::{Client, MoRef, VsphereError};

/// `SharesInfo`: a level, or a custom number of shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shares {
    Low,
    Normal,
    High,
    Custom(i64),
}

impl Shares {
    fn level(self) -> &'static str {
        match self {
            Shares::Low => "low",
            Shares::Normal => "normal",
            Shares::High => "high",
            Shares::Custom(_) => "custom",
        }
    }

    /// The `shares` number to send: vSphere ignores it unless the level is `custom`, but the
    /// schema requires it, so send the pool defaults of each level.
    fn number(self, memory: bool) -> i64 {
        let normal = if memory { 163_840 } else { 4000 };
        match self {
            Shares::Low => normal / 2,
            Shares::Normal => normal,
            Shares::High => normal * 2,
            Shares::Custom(n) => n,
        }
    }

    fn parse(node: &Node) -> Shares {
        match node.child_text("level") {
            Some("low") => Shares::Low,
            Some("high") => Shares::High,
            Some("custom") => Shares::Custom(node.child_i64("shares").unwrap_or(0)),
            _ => Shares::Normal,
        }
    }
}

/// `ResourceAllocationInfo` of one resource (MHz for CPU, MB for memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    pub reservation: i64,
    pub expandable_reservation: bool,
    /// `-1` is unlimited.
    pub limit: i64,
    pub shares: Shares,
}

impl Default for Allocation {
    fn default() -> Self {
        Allocation {
            reservation: 0,
            expandable_reservation: true,
            limit: -1,
            shares: Shares::Normal,
        }
    }
}

/// `ResourceConfigSpec` of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResourceSpec {
    pub cpu: Allocation,
    pub memory: Allocation,
}

/// What a pool holds and how it is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolInfo {
    pub moref: MoRef,
    pub name: String,
    pub parent: Option<MoRef>,
    pub vms: Vec<MoRef>,
    pub child_pools: Vec<MoRef>,
    pub spec: ResourceSpec,
}

fn write_allocation(request: &mut Request, tag: &str, allocation: &Allocation, memory: bool) {
    // WSDL order: reservation, expandableReservation, limit, shares. vcsim rejects the spec
    // (InvalidArgument) unless all four are present.
    request
        .open(tag)
        .text("reservation", &allocation.reservation.to_string())
        .bool("expandableReservation", allocation.expandable_reservation)
        .text("limit", &allocation.limit.to_string())
        .open("shares")
        .text("shares", &allocation.shares.number(memory).to_string())
        .text("level", allocation.shares.level())
        .close("shares")
        .close(tag);
}

fn read_allocation(node: Option<&Node>) -> Allocation {
    let Some(node) = node else {
        return Allocation::default();
    };
    Allocation {
        reservation: node.child_i64("reservation").unwrap_or(0),
        expandable_reservation: node.child_bool("expandableReservation").unwrap_or(true),
        limit: node.child_i64("limit").unwrap_or(-1),
        shares: node.child("shares").map_or(Shares::Normal, Shares::parse),
    }
}

impl Client {
    /// `CreateResourcePool` under `parent`. A taken name comes back as the `DuplicateName` fault.
    pub async fn create_resource_pool(
        &self,
        parent: &MoRef,
        name: &str,
        spec: &ResourceSpec,
    ) -> Result<MoRef, VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("CreateResourcePool", parent);
            request.text("name", name).open("spec");
            write_allocation(&mut request, "cpuAllocation", &spec.cpu, false);
            write_allocation(&mut request, "memoryAllocation", &spec.memory, true);
            request.close("spec");
            let response = self.transport().call(request).await?;
            response
                .child_moref("returnval")
                .ok_or_else(|| VsphereError::malformed("CreateResourcePool", "no pool returned"))
        })
        .await
    }

    /// `ResourcePool.UpdateConfig`: replaces both allocations (vcsim wants every field of each,
    /// so the whole spec is always sent; read the pool first to change only part of it).
    pub async fn update_resource_pool(
        &self,
        pool: &MoRef,
        spec: &ResourceSpec,
    ) -> Result<(), VsphereError> {
        self.with_session(|| async {
            let mut request = Request::new("UpdateConfig", pool);
            request.open("config");
            write_allocation(&mut request, "cpuAllocation", &spec.cpu, false);
            write_allocation(&mut request, "memoryAllocation", &spec.memory, true);
            request.close("config");
            self.transport().call(request).await.map(|_| ())
        })
        .await
    }

    /// A pool's name, parent, VMs, child pools and allocations; `None` if it no longer exists.
    pub async fn resource_pool_info(&self, pool: &MoRef) -> Result<Option<PoolInfo>, VsphereError> {
        let objects = self
            .properties_of(
                pool,
                "ResourcePool",
                &[
                    "name",
                    "parent",
                    "vm",
                    "resourcePool",
                    "config.cpuAllocation",
                    "config.memoryAllocation",
                ],
            )
            .await
            .map(Vec::from_iter);
        let objects = match objects {
            Ok(objects) => objects,
            Err(e) if super::entity::is_gone(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(o) = objects.into_iter().next() else {
            return Ok(None);
        };
        if o.text("name").is_none() {
            return Ok(None);
        }
        Ok(Some(PoolInfo {
            moref: o.obj.clone(),
            name: o.text("name").unwrap_or_default().to_owned(),
            parent: o.moref("parent"),
            vms: o.morefs("vm"),
            child_pools: o.morefs("resourcePool"),
            spec: ResourceSpec {
                cpu: read_allocation(o.get("config.cpuAllocation")),
                memory: read_allocation(o.get("config.memoryAllocation")),
            },
        }))
    }
}
