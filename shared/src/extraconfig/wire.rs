//! The step between a configuration tree and the `OptionValue` list vSphere stores: `<nil>` escaping,
//! sealing and opening secrets, and tolerating what real VMs hold (duplicates, foreign keys).

use std::collections::BTreeMap;

use super::codec::{Decoder, Encoder, Node};
use super::error::{DecodeError, SecretError};
use super::secret::{NONCE_LEN, OVF_ENV_KEY, SecretKey, open_all, seal_all, without_secrets};

/// vic-machine writes this for every empty value, because an empty value deletes the key in vSphere.
pub const NIL: &str = "<nil>";

/// How secrets are treated when reading.
#[derive(Debug, Clone, Copy)]
pub enum Secrets<'a> {
    /// Leave every `@secret` field empty, as vic-machine's `ls`/`inspect`/`delete` do.
    Ignore,
    /// Decrypt with this key (read from the `.vmx` file when vSphere hides `guestinfo.ovfEnv`).
    Key(&'a SecretKey),
    /// Decrypt with the key found in `guestinfo.ovfEnv` among the values (the simulator exposes it).
    FromOvfEnv,
}

/// Plaintext encoding of a tree: secrets unsealed, empty values still empty.
pub fn encode_plain<T: Node>(value: &T) -> BTreeMap<String, String> {
    Encoder::encode_root(value)
}

/// The exact `extraConfig` a vic-machine would send for `value`: secrets sealed under `key` with one
/// `nonce()` per secret (in key order), `guestinfo.ovfEnv` added, empty values sent as `<nil>`, sorted by key.
pub fn encode_extra_config<T: Node>(
    value: &T,
    key: &SecretKey,
    nonce: &mut dyn FnMut() -> [u8; NONCE_LEN],
) -> Result<Vec<(String, String)>, SecretError> {
    let sealed = seal_all(&encode_plain(value), key, nonce)?;
    Ok(escape_nil(sealed))
}

/// Replaces every empty value with `<nil>`.
pub fn escape_nil(values: BTreeMap<String, String>) -> Vec<(String, String)> {
    values
        .into_iter()
        .map(|(k, v)| {
            if v.is_empty() {
                (k, NIL.to_string())
            } else {
                (k, v)
            }
        })
        .collect()
}

/// Collects raw extraConfig pairs the way a reader must: the last of duplicate keys wins (vcsim appends
/// duplicates on reconfigure) and `<nil>` becomes the empty string.
pub fn collect_extra_config<K, V, I>(pairs: I) -> BTreeMap<String, String>
where
    K: Into<String>,
    V: Into<String>,
    I: IntoIterator<Item = (K, V)>,
{
    let mut out = BTreeMap::new();
    for (key, value) in pairs {
        let value: String = value.into();
        let value = if value == NIL { String::new() } else { value };
        out.insert(key.into(), value);
    }
    out
}

/// Resolves secrets in collected values: drops, or decrypts, every `@secret` value.
pub fn open_secrets(
    values: &BTreeMap<String, String>,
    secrets: Secrets<'_>,
) -> Result<BTreeMap<String, String>, SecretError> {
    match secrets {
        Secrets::Ignore => Ok(without_secrets(values)),
        Secrets::Key(key) => open_all(values, key),
        Secrets::FromOvfEnv => {
            let text = values.get(OVF_ENV_KEY).ok_or(SecretError::MissingKey)?;
            open_all(values, &SecretKey::from_ovf_env(text)?)
        }
    }
}

/// Decodes a tree from collected (see [`collect_extra_config`]) values. Unknown keys are ignored and
/// missing ones give zero values.
pub fn decode_values<T: Node>(
    values: &BTreeMap<String, String>,
    secrets: Secrets<'_>,
) -> Result<T, DecodeError> {
    let plain = open_secrets(values, secrets)?;
    Decoder::decode_root(&plain)
}

/// Decodes a tree straight from raw extraConfig pairs.
pub fn decode_extra_config<K, V, I, T>(pairs: I, secrets: Secrets<'_>) -> Result<T, DecodeError>
where
    K: Into<String>,
    V: Into<String>,
    I: IntoIterator<Item = (K, V)>,
    T: Node,
{
    decode_values(&collect_extra_config(pairs), secrets)
}
