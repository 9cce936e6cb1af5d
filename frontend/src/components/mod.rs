//! Reusable view pieces; none of them knows about the wizard's steps.

pub mod alert;
pub mod datacenters;
pub mod field;
pub mod status;
