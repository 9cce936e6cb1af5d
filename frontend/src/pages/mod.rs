//! The app's top-level pages; the wizard has its own module.

pub mod configure;
pub mod connect;
pub mod home;
pub mod job;
pub mod vch;
