//! Just enough PEM reading to tell whether a file the edge loaded holds what it should. No crypto:
//! whether a key matches its certificate is checked by the proxy (K8).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The labels of the PEM blocks in `text` whose base64 body decodes to a DER sequence.
/// `None` when a block is malformed or there is no block at all.
pub fn block_labels(text: &str) -> Option<Vec<String>> {
    let mut labels = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let label_end = after.find("-----")?;
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let body_end = body_start.find(&end_marker)?;
        let body: String = body_start[..body_end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // Encrypted legacy keys carry "Proc-Type:" headers; their body is not plain DER.
        if !body.contains(':') {
            let der = STANDARD.decode(body.as_bytes()).ok()?;
            if der.first() != Some(&0x30) {
                return None;
            }
        }
        labels.push(label.to_owned());
        rest = &body_start[body_end + end_marker.len()..];
    }
    (!labels.is_empty()).then_some(labels)
}

/// At least one certificate and nothing malformed.
pub fn has_certificates(text: &str) -> bool {
    block_labels(text).is_some_and(|l| l.iter().any(|l| l == "CERTIFICATE"))
}

/// An unencrypted private key block (PKCS#8, PKCS#1 or SEC1).
pub fn has_private_key(text: &str) -> bool {
    block_labels(text).is_some_and(|l| {
        l.iter().any(|l| {
            matches!(
                l.as_str(),
                "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY"
            )
        })
    })
}

#[cfg(test)]
pub(crate) const TEST_CERT: &str =
    "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks() {
        assert!(has_certificates(TEST_CERT));
        assert!(!has_certificates("hello"));
        assert!(!has_certificates(
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"
        ));
        let key = "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----";
        assert!(has_private_key(key));
        assert!(!has_private_key(TEST_CERT));
    }
}
