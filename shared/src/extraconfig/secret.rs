//! `@secret` values (§2): NaCl secretbox under a 32-byte key that travels base64 in `guestinfo.ovfEnv`.
//!
//! Pure: the caller supplies the key and every nonce (from the proxy's RNG). A nonce must never repeat
//! under one key; vic-machine draws a fresh key for every encode and a fresh nonce for every value.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_secretbox::aead::{AeadInPlace, KeyInit};
use crypto_secretbox::{Key, Nonce, Tag, XSalsa20Poly1305};

use super::error::SecretError;
use super::keys::{SECRET_SUFFIX, has_suffix};

/// The extraConfig key that holds the secret key, base64. vSphere hides it from the API on real servers.
pub const OVF_ENV_KEY: &str = "guestinfo.ovfEnv";

pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// The per-encode secret key.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; KEY_LEN]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// The value of `guestinfo.ovfEnv`: standard padded base64 of the 32 bytes.
    pub fn to_ovf_env(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Reads `guestinfo.ovfEnv` (or the value from a `.vmx` line, already unquoted). Surrounding spaces and
    /// quotes are tolerated because vic-machine strips them too.
    pub fn from_ovf_env(text: &str) -> Result<Self, SecretError> {
        let cleaned: String = text.chars().filter(|c| *c != ' ' && *c != '"').collect();
        let bytes = STANDARD
            .decode(cleaned.trim())
            .map_err(|_| SecretError::InvalidKey)?;
        let bytes: [u8; KEY_LEN] = bytes.try_into().map_err(|_| SecretError::InvalidKey)?;
        Ok(Self(bytes))
    }

    /// Finds the `guestinfo.ovfEnv` line in a `.vmx` file, as vic-machine's `GuestInfoSecret` does.
    pub fn from_vmx(vmx: &str) -> Result<Self, SecretError> {
        for line in vmx.lines() {
            if !line.starts_with(OVF_ENV_KEY) {
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            if name.trim() == OVF_ENV_KEY {
                return Self::from_ovf_env(value);
            }
        }
        Err(SecretError::MissingKey)
    }

    fn cipher(&self) -> XSalsa20Poly1305 {
        XSalsa20Poly1305::new(Key::from_slice(&self.0))
    }

    /// base64(nonce ‖ tag ‖ ciphertext): the NaCl "combined" layout VIC uses.
    pub fn seal(
        &self,
        key_name: &str,
        nonce: [u8; NONCE_LEN],
        plaintext: &str,
    ) -> Result<String, SecretError> {
        let mut buffer = plaintext.as_bytes().to_vec();
        let tag = self
            .cipher()
            .encrypt_in_place_detached(Nonce::from_slice(&nonce), b"", &mut buffer)
            .map_err(|_| SecretError::Seal {
                key: key_name.to_string(),
            })?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + TAG_LEN + buffer.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&tag);
        sealed.extend_from_slice(&buffer);
        Ok(STANDARD.encode(sealed))
    }

    /// Opens a value made by [`SecretKey::seal`] (or by VIC).
    pub fn open(&self, key_name: &str, value: &str) -> Result<String, SecretError> {
        let raw = STANDARD
            .decode(value.trim())
            .map_err(|_| SecretError::NotBase64 {
                key: key_name.to_string(),
            })?;
        if raw.len() < NONCE_LEN + TAG_LEN {
            return Err(SecretError::TooShort {
                key: key_name.to_string(),
            });
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let (tag, ciphertext) = rest.split_at(TAG_LEN);
        let mut buffer = ciphertext.to_vec();
        self.cipher()
            .decrypt_in_place_detached(
                Nonce::from_slice(nonce),
                b"",
                &mut buffer,
                Tag::from_slice(tag),
            )
            .map_err(|_| SecretError::Authentication {
                key: key_name.to_string(),
            })?;
        String::from_utf8(buffer).map_err(|_| SecretError::NotUtf8 {
            key: key_name.to_string(),
        })
    }
}

/// Whether an extraConfig key carries the `@secret` suffix.
pub fn is_secret_key(key: &str) -> bool {
    has_suffix(key, SECRET_SUFFIX)
}

/// Seals every `@secret` value of a plaintext encoding and adds `guestinfo.ovfEnv`: VIC's secret sink.
/// `nonce` is called once per secret, in key order.
pub fn seal_all(
    plain: &BTreeMap<String, String>,
    key: &SecretKey,
    nonce: &mut dyn FnMut() -> [u8; NONCE_LEN],
) -> Result<BTreeMap<String, String>, SecretError> {
    let mut out = BTreeMap::new();
    out.insert(OVF_ENV_KEY.to_string(), key.to_ovf_env());
    for (name, value) in plain {
        let value = if is_secret_key(name) {
            key.seal(name, nonce(), value)?
        } else {
            value.clone()
        };
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// Replaces every `@secret` value with its plaintext.
pub fn open_all(
    values: &BTreeMap<String, String>,
    key: &SecretKey,
) -> Result<BTreeMap<String, String>, SecretError> {
    values
        .iter()
        .map(|(name, value)| {
            let value = if is_secret_key(name) {
                key.open(name, value)?
            } else {
                value.clone()
            };
            Ok((name.clone(), value))
        })
        .collect()
}

/// Drops every `@secret` key: vic-machine's no-secret read (`ls`, `inspect`, `delete`, `isVCH`).
pub fn without_secrets(values: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    values
        .iter()
        .filter(|(name, _)| !is_secret_key(name))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector_key() -> SecretKey {
        SecretKey::from_bytes(std::array::from_fn(|i| i as u8))
    }

    fn vector_nonce() -> [u8; NONCE_LEN] {
        std::array::from_fn(|i| 0xa0 + i as u8)
    }

    // Test vector of §2.1.
    #[test]
    fn secretbox_vector() {
        let key = vector_key();
        assert_eq!(
            key.to_ovf_env(),
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
        );
        assert_eq!(
            key.seal("k", vector_nonce(), "Admin!23").unwrap(),
            "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3eJWjaYiyKhPw1SEBPkR0z3fx2nPsR9Wd"
        );
        assert_eq!(
            key.seal("k", vector_nonce(), "").unwrap(),
            "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3Z4tm26tQsv9iXrVxjaNUxA=="
        );
        let pem_b64 = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpLRVkKLS0tLS1FTkQgUlNBIFBSSVZBVEUgS0VZLS0tLS0K";
        let sealed = "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3NBFPHR9GXPRZwlzlQk6bu3rGh27ONdbtJX5fAaLBNJUBq5XJbM1CdWYgFYEYMK1Knbwg0GIXUVGzGhB6Xb1iuyxI6jHA4WVXa4eYS0lU5TVVxw39BdStWW6aWWfS8Vm+QKVX/3Ko+f0=";
        assert_eq!(key.seal("k", vector_nonce(), pem_b64).unwrap(), sealed);
        assert_eq!(key.open("k", sealed).unwrap(), pem_b64);
    }

    #[test]
    fn tampered_value_fails_authentication() {
        let key = vector_key();
        let sealed = "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3eJWjaYiyKhPw1SEBPkR0z3fx2nPsR9Wc";
        assert!(matches!(
            key.open("k", sealed),
            Err(SecretError::Authentication { .. })
        ));
        assert!(matches!(
            key.open("k", "AAAA"),
            Err(SecretError::TooShort { .. })
        ));
        assert!(matches!(
            key.open("k", "!!"),
            Err(SecretError::NotBase64 { .. })
        ));
    }

    #[test]
    fn key_from_vmx_line() {
        let vmx = "displayName = \"vch1\"\nguestinfo.ovfEnvX = \"nope\"\nguestinfo.ovfEnv = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"\n";
        assert_eq!(SecretKey::from_vmx(vmx).unwrap(), vector_key());
        assert_eq!(SecretKey::from_vmx("a = b\n"), Err(SecretError::MissingKey));
        assert_eq!(
            SecretKey::from_ovf_env("AAAA"),
            Err(SecretError::InvalidKey)
        );
    }
}
