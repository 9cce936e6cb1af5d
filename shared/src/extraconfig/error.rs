//! Errors from reading extraConfig and from sealing or opening secrets.

use thiserror::Error;

/// Why a set of extraConfig values could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("extraConfig key {key}: {value:?} is not an integer")]
    InvalidInt { key: String, value: String },
    #[error("extraConfig key {key}: {value:?} is not a boolean")]
    InvalidBool { key: String, value: String },
    #[error("extraConfig key {key}: {value:?} is not a floating-point number")]
    InvalidFloat { key: String, value: String },
    #[error("extraConfig key {key}: value is not valid base64")]
    InvalidBase64 { key: String },
    #[error("extraConfig key {key}: a slice of {length} elements is beyond any real configuration")]
    SliceTooLong { key: String, length: i64 },
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// Why a secret could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SecretError {
    #[error("guestinfo.ovfEnv is missing, so the configuration's secrets cannot be read")]
    MissingKey,
    #[error("the secret key is not base64 of exactly 32 bytes")]
    InvalidKey,
    #[error("secret {key}: value is not base64")]
    NotBase64 { key: String },
    #[error("secret {key}: value is shorter than a nonce and an authentication tag")]
    TooShort { key: String },
    #[error("secret {key}: authentication failed (wrong key or altered value)")]
    Authentication { key: String },
    #[error("secret {key}: the decrypted value is not UTF-8")]
    NotUtf8 { key: String },
    #[error("sealing secret {key} failed")]
    Seal { key: String },
}
