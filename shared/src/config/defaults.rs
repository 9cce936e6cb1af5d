//! The original's defaults (`lib/constants`), in one place so docs, resolution and the wizard agree.

pub const DEFAULT_NAME: &str = "virtual-container-host";
pub const DEFAULT_PUBLIC_NETWORK: &str = "VM Network";
pub const DEFAULT_BRIDGE_RANGE: &str = "172.16.0.0/12";
pub const DEFAULT_BRIDGE_WIDTH: u8 = 16;
pub const DEFAULT_ENDPOINT_CPU: u32 = 1;
pub const DEFAULT_ENDPOINT_MEMORY_MB: u32 = 2048;
pub const DEFAULT_BASE_IMAGE_SIZE: &str = "8GB";
pub const DEFAULT_TIMEOUT: &str = "3m";
pub const DEFAULT_CERTIFICATE_KEY_SIZE: u32 = 2048;
/// Used when public, client and management are all static and no DNS server is given.
pub const DEFAULT_DNS_SERVERS: [&str; 2] = ["8.8.8.8", "8.8.4.4"];
/// One limit for the CLI, the API and the wizard (the original's UI allowed 80).
pub const MAX_NAME_LENGTH: usize = 31;
/// Only this many DNS servers reach the appliance.
pub const MAX_DNS_SERVERS: usize = 3;
/// Length of a container name convention, not counting its token, must stay below this.
pub const MAX_NAME_CONVENTION_LENGTH: usize = 68;
