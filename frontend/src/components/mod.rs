//! Reusable view pieces; none of them knows about the wizard's steps.

pub mod alert;
pub mod command_line;
pub mod dialog;
pub mod field;
