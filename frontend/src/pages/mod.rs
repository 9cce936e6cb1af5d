//! The app's top-level pages; the wizard has its own module.

pub mod connect;
pub mod home;
pub mod job;
