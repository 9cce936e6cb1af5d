//! Minimal ISO 9660 images for `vch serve --simulator`: the simulator boots nothing, but a deploy
//! still reads the version from the primary volume descriptor and uploads the files, so the whole
//! create path runs without a real VIC appliance ISO.

use std::io::Write;
use std::path::Path;

/// The appliance version the stand-ins declare: a VIC 1.5 build our encoder supports.
pub const STAND_IN_VERSION: &str = "v1.5.8-0-0000000";

const SECTOR: usize = 2048;
/// ISO 9660: sectors 0–15 are the system area, 16 the primary volume descriptor, 17 the terminator.
const PVD_SECTOR: usize = 16;
const PUBLISHER_OFFSET: usize = 318;
const PUBLISHER_LEN: usize = 128;

/// Writes a small, valid-enough ISO 9660 image whose publisher names `version` (as VIC's build does:
/// `<vendor> <version>`), padded to `size_kib` KiB so an upload has something to move.
pub fn write(path: &Path, volume_id: &str, version: &str, size_kib: usize) -> std::io::Result<()> {
    let sectors = (size_kib * 1024).div_ceil(SECTOR).max(PVD_SECTOR + 2);
    let mut image = vec![0u8; sectors * SECTOR];

    let pvd = &mut image[PVD_SECTOR * SECTOR..(PVD_SECTOR + 1) * SECTOR];
    pvd[0] = 1;
    pvd[1..6].copy_from_slice(b"CD001");
    pvd[6] = 1;
    pad_a_chars(&mut pvd[40..72], volume_id);
    let total = u32::try_from(sectors).unwrap_or(u32::MAX);
    pvd[80..84].copy_from_slice(&total.to_le_bytes());
    pvd[84..88].copy_from_slice(&total.to_be_bytes());
    pvd[128..130].copy_from_slice(&(SECTOR as u16).to_le_bytes());
    pvd[130..132].copy_from_slice(&(SECTOR as u16).to_be_bytes());
    pad_a_chars(
        &mut pvd[PUBLISHER_OFFSET..PUBLISHER_OFFSET + PUBLISHER_LEN],
        &format!("VCH-DEPLOY STAND-IN {version}"),
    );
    pvd[881] = 1;

    let terminator = &mut image[(PVD_SECTOR + 1) * SECTOR..(PVD_SECTOR + 2) * SECTOR];
    terminator[0] = 255;
    terminator[1..6].copy_from_slice(b"CD001");
    terminator[6] = 1;

    let mut file = std::fs::File::create(path)?;
    file.write_all(&image)?;
    file.sync_all()
}

/// ISO 9660 text fields are space-padded.
fn pad_a_chars(field: &mut [u8], text: &str) {
    field.fill(b' ');
    let bytes = text.as_bytes();
    let n = bytes.len().min(field.len());
    field[..n].copy_from_slice(&bytes[..n]);
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_deployer_reads_the_stand_in_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("appliance.iso");
        super::write(&path, "APPLIANCE", super::STAND_IN_VERSION, 64).unwrap();
        let iso = crate::deploy::iso::read_iso(&path).await.unwrap();
        assert_eq!(iso.version, super::STAND_IN_VERSION);
        assert!(iso.is_supported());
        assert_eq!(iso.size, 64 * 1024);
    }
}
