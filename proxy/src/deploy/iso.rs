//! Appliance and bootstrap ISO versions, read from the ISO 9660 primary volume descriptor's
//! publisher field as vic-machine does (`lib/install/data/images.go`): the version is its last word,
//! e.g. `VMware v1.5.8-12345-2c978fe` → `v1.5.8-12345-2c978fe`.

use std::path::{Path, PathBuf};

use shared::extraconfig::Build;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// Sector 16: the first volume descriptor.
const PVD_OFFSET: u64 = 16 * 2048;
const PUBLISHER_OFFSET: usize = 318;
/// Volume creation date in the primary volume descriptor (ISO 9660 dec-datetime, 17 bytes).
const CREATION_DATE_OFFSET: usize = 813;
const PUBLISHER_LEN: usize = 128;
/// Versions our extraConfig encoder writes (VIC 1.5.x appliances).
pub const SUPPORTED_SERIES: &str = "v1.5";

#[derive(Debug, thiserror::Error)]
pub enum IsoError {
    #[error("cannot read the ISO image {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} is not an ISO 9660 image (no primary volume descriptor at sector 16); give the VIC appliance or bootstrap ISO",
        path.display()
    )]
    NotIso9660 { path: PathBuf },
    #[error(
        "the ISO image {} has no version in its publisher field; rebuild it with a publisher such as \"VMware v1.5.8-12345-2c978fe\"",
        path.display()
    )]
    NoVersion { path: PathBuf },
}

/// An ISO and the version it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsoImage {
    pub path: PathBuf,
    /// The publisher's last word, as found (case kept).
    pub version: String,
    pub size: u64,
    /// The volume's creation time (`YYYY/MM/DD@HH:MM:SS`, as `init/version/BuildDate` holds
    /// it): the ISOs are built with the installer, so it stands for the build date.
    pub build_date: String,
}

impl IsoImage {
    /// Whether our encoder supports this version (VIC 1.5.x).
    pub fn is_supported(&self) -> bool {
        parse_build(&self.version).is_some_and(|b| {
            b.version
                .to_ascii_lowercase()
                .starts_with(&format!("{SUPPORTED_SERIES}."))
        })
    }

    /// The build the version names; an unparseable version keeps the whole word as the version.
    pub fn build(&self) -> Build {
        let mut build = parse_build(&self.version).unwrap_or_else(|| Build {
            version: self.version.clone(),
            ..Build::default()
        });
        build.build_date.clone_from(&self.build_date);
        build
    }

    /// The file name on the datastore: `<version>-appliance.iso` / `<version>-bootstrap.iso`.
    pub fn datastore_name(&self, role: &str) -> String {
        format!("{}-{role}.iso", self.version)
    }
}

/// `v1.5.8-12345-2c978fe` (any case) → Build; `None` unless it has the three parts.
pub use shared::lifecycle::parse_build;

/// ISO 9660 dec-datetime `YYYYMMDDHHMMSScc` (+ zone byte) → `YYYY/MM/DD@HH:MM:SS`; empty when
/// unset (all zeros or blanks).
fn iso_date(field: &[u8]) -> String {
    let digits = &field[..field.len().min(14)];
    if digits.len() < 14
        || !digits.iter().all(u8::is_ascii_digit)
        || digits.iter().all(|b| *b == b'0')
    {
        return String::new();
    }
    let d = |r: std::ops::Range<usize>| String::from_utf8_lossy(&digits[r]).into_owned();
    format!(
        "{}/{}/{}@{}:{}:{}",
        d(0..4),
        d(4..6),
        d(6..8),
        d(8..10),
        d(10..12),
        d(12..14)
    )
}

/// Reads the version from an ISO's primary volume descriptor (2 KB read, whatever the ISO's size).
pub async fn read_iso(path: &Path) -> Result<IsoImage, IsoError> {
    let read = |source| IsoError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = tokio::fs::File::open(path).await.map_err(read)?;
    let size = file.metadata().await.map_err(read)?.len();
    if size < PVD_OFFSET + 2048 {
        return Err(IsoError::NotIso9660 {
            path: path.to_owned(),
        });
    }
    file.seek(std::io::SeekFrom::Start(PVD_OFFSET))
        .await
        .map_err(read)?;
    let mut sector = vec![0u8; 2048];
    file.read_exact(&mut sector).await.map_err(read)?;
    if sector[0] != 1 || &sector[1..6] != b"CD001" {
        return Err(IsoError::NotIso9660 {
            path: path.to_owned(),
        });
    }
    let publisher = &sector[PUBLISHER_OFFSET..PUBLISHER_OFFSET + PUBLISHER_LEN];
    let text = String::from_utf8_lossy(publisher);
    let version = text
        .split_whitespace()
        .last()
        .map(str::to_owned)
        .ok_or_else(|| IsoError::NoVersion {
            path: path.to_owned(),
        })?;
    Ok(IsoImage {
        path: path.to_owned(),
        version,
        size,
        build_date: iso_date(&sector[CREATION_DATE_OFFSET..CREATION_DATE_OFFSET + 17]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vic_versions() {
        let b = parse_build("V1.5.8-12345-2C978FE").unwrap();
        assert_eq!(b.version, "v1.5.8");
        assert_eq!(b.build_number, "12345");
        assert_eq!(b.git_commit, "2c978fe");
        assert!(parse_build("v1.5-1-a").is_none());
        assert!(parse_build("1.5.8-1-a").is_none());
        assert!(parse_build("").is_none());
        let image = IsoImage {
            path: PathBuf::new(),
            version: "v1.4.3-100-abc".into(),
            size: 0,
            build_date: String::new(),
        };
        assert!(!image.is_supported());
        assert_eq!(b.plugin_version, 10);
        assert_eq!(iso_date(b"2021061503072900\0"), "2021/06/15@03:07:29");
        assert_eq!(iso_date(b"0000000000000000\0"), "");
    }
}
