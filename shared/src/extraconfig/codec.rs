//! The generic encoder and decoder: how values of each Go kind become extraConfig strings (§1.6–1.11).
//!
//! Every type of the configuration tree implements [`Node`]. Structs write their fields through
//! [`Encoder::field`] and read them through [`Decoder::field`], naming each field with its [`Tag`];
//! scalars, slices, maps and optional values are handled here once.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::DecodeError;
use super::keys::{Tag, element_key, field_key, joined_key};

/// More elements than this in one slice cannot come from a real VCH; refusing them keeps a corrupt length
/// key from making the decoder loop for a very long time.
pub const MAX_SLICE_ELEMENTS: i64 = 10_000;

/// A value that can be written to and read from extraConfig at a given key.
pub trait Node: Sized + Default {
    /// Scalars (strings, ints, bools, floats) are joined with `|` under `key~` when they are slice elements;
    /// everything else is stored element by element under `key|i`.
    const SCALAR: bool = false;

    /// Writes `self` at `key`, which is already the full key of this value.
    fn encode(&self, enc: &mut Encoder, key: &str);

    /// Reads a value at `key`. `Ok(None)` means no key of this value was present at all, which is how VIC
    /// leaves pointers nil.
    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError>;

    /// The text of a scalar. Only called when `SCALAR` is true.
    fn to_text(&self) -> String {
        String::new()
    }

    /// Parses a scalar from its text. Only called when `SCALAR` is true.
    fn from_text(_key: &str, _text: &str) -> Result<Self, DecodeError> {
        Ok(Self::default())
    }
}

/// Collects the plaintext key/value pairs of an encoding, sorted by key.
#[derive(Debug, Default, Clone)]
pub struct Encoder {
    out: BTreeMap<String, String>,
}

impl Encoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores one raw value. Empty strings are kept as they are; `<nil>` escaping happens on output.
    pub fn put(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.out.insert(key.into(), value.into());
    }

    /// Encodes one field of a struct whose own key is `parent`.
    pub fn field<T: Node>(&mut self, parent: &str, tag: Tag, value: &T) {
        if let Some(key) = field_key(parent, tag) {
            value.encode(self, &key);
        }
    }

    /// Encodes `value` as the root of a tree (VIC's `Encode(sink, v)`).
    pub fn encode_root<T: Node>(value: &T) -> BTreeMap<String, String> {
        let mut enc = Encoder::new();
        value.encode(&mut enc, "");
        enc.out
    }

    pub fn into_map(self) -> BTreeMap<String, String> {
        self.out
    }
}

/// Reads values from a map of plaintext (already `<nil>`-unescaped, already decrypted) extraConfig.
#[derive(Debug)]
pub struct Decoder<'a> {
    values: &'a BTreeMap<String, String>,
    hits: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(values: &'a BTreeMap<String, String>) -> Self {
        Self { values, hits: 0 }
    }

    /// The raw value at `key`, counting the lookup as a hit when the key exists.
    pub fn get(&mut self, key: &str) -> Option<&'a str> {
        let value = self.values.get(key).map(String::as_str);
        if value.is_some() {
            self.hits += 1;
        }
        value
    }

    /// How many keys have been found so far; a struct compares it before and after reading its fields to
    /// know whether it was present at all.
    pub fn hits(&self) -> usize {
        self.hits
    }

    /// Decodes one field of a struct whose own key is `parent`; `None` when absent.
    pub fn field<T: Node>(&mut self, parent: &str, tag: Tag) -> Result<Option<T>, DecodeError> {
        match field_key(parent, tag) {
            Some(key) => T::decode(self, &key),
            None => Ok(None),
        }
    }

    /// Decodes one field, giving its zero value when absent.
    pub fn value<T: Node>(&mut self, parent: &str, tag: Tag) -> Result<T, DecodeError> {
        Ok(self.field(parent, tag)?.unwrap_or_default())
    }

    /// Decodes `T` as the root of a tree.
    pub fn decode_root<T: Node>(values: &BTreeMap<String, String>) -> Result<T, DecodeError> {
        let mut dec = Decoder::new(values);
        Ok(T::decode(&mut dec, "")?.unwrap_or_default())
    }
}

/// Implements [`Node`] for a struct by listing its fields once: `field => tag`.
/// The struct is reported absent when none of its keys exist.
#[macro_export]
#[doc(hidden)]
macro_rules! extraconfig_struct {
    ($ty:ty { $($field:ident => $tag:expr),* $(,)? }) => {
        impl $crate::extraconfig::codec::Node for $ty {
            fn encode(&self, enc: &mut $crate::extraconfig::codec::Encoder, key: &str) {
                $( enc.field(key, $tag, &self.$field); )*
            }

            fn decode(
                dec: &mut $crate::extraconfig::codec::Decoder<'_>,
                key: &str,
            ) -> Result<Option<Self>, $crate::extraconfig::error::DecodeError> {
                let start = dec.hits();
                let value = Self {
                    $( $field: dec.value(key, $tag)?, )*
                };
                Ok((dec.hits() > start).then_some(value))
            }
        }
    };
}
pub use extraconfig_struct;

fn decode_scalar<T: Node>(dec: &mut Decoder<'_>, key: &str) -> Result<Option<T>, DecodeError> {
    match dec.get(key) {
        Some(text) => T::from_text(key, text).map(Some),
        None => Ok(None),
    }
}

impl Node for String {
    const SCALAR: bool = true;

    fn encode(&self, enc: &mut Encoder, key: &str) {
        enc.put(key, self.clone());
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        decode_scalar(dec, key)
    }

    fn to_text(&self) -> String {
        self.clone()
    }

    fn from_text(_key: &str, text: &str) -> Result<Self, DecodeError> {
        Ok(text.to_string())
    }
}

impl Node for i64 {
    const SCALAR: bool = true;

    fn encode(&self, enc: &mut Encoder, key: &str) {
        enc.put(key, self.to_string());
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        decode_scalar(dec, key)
    }

    fn to_text(&self) -> String {
        self.to_string()
    }

    fn from_text(key: &str, text: &str) -> Result<Self, DecodeError> {
        if text.is_empty() {
            return Ok(0);
        }
        text.parse().map_err(|_| DecodeError::InvalidInt {
            key: key.to_string(),
            value: text.to_string(),
        })
    }
}

impl Node for bool {
    const SCALAR: bool = true;

    fn encode(&self, enc: &mut Encoder, key: &str) {
        enc.put(key, self.to_string());
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        decode_scalar(dec, key)
    }

    fn to_text(&self) -> String {
        self.to_string()
    }

    // The spellings Go's strconv.ParseBool accepts.
    fn from_text(key: &str, text: &str) -> Result<Self, DecodeError> {
        match text {
            "" | "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
            _ => Err(DecodeError::InvalidBool {
                key: key.to_string(),
                value: text.to_string(),
            }),
        }
    }
}

impl Node for f64 {
    const SCALAR: bool = true;

    fn encode(&self, enc: &mut Encoder, key: &str) {
        enc.put(key, self.to_text());
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        decode_scalar(dec, key)
    }

    fn to_text(&self) -> String {
        format_go_float(*self)
    }

    fn from_text(key: &str, text: &str) -> Result<Self, DecodeError> {
        if text.is_empty() {
            return Ok(0.0);
        }
        let parsed = match text {
            "+Inf" | "Inf" => Ok(f64::INFINITY),
            "-Inf" => Ok(f64::NEG_INFINITY),
            _ => text.parse::<f64>(),
        };
        parsed.map_err(|_| DecodeError::InvalidFloat {
            key: key.to_string(),
            value: text.to_string(),
        })
    }
}

/// Go's `strconv.FormatFloat(v, 'E', -1, 64)`: shortest round-trip digits, exponent with a sign and at
/// least two digits (`3.14E+00`).
pub fn format_go_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    // Rust's `{:E}` already picks the shortest round-trip digits; only the exponent style differs.
    let text = format!("{v:E}");
    let Some((mantissa, exponent)) = text.split_once('E') else {
        return text;
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exponent),
    };
    format!("{mantissa}E{sign}{digits:0>2}")
}

/// Go's `[]byte`: standard padded base64; an empty slice writes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bytes(pub Vec<u8>);

impl Node for Bytes {
    fn encode(&self, enc: &mut Encoder, key: &str) {
        if !self.0.is_empty() {
            enc.put(key, STANDARD.encode(&self.0));
        }
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        match dec.get(key) {
            Some(text) => STANDARD
                .decode(text.trim())
                .map(|b| Some(Bytes(b)))
                .map_err(|_| DecodeError::InvalidBase64 {
                    key: key.to_string(),
                }),
            None => Ok(None),
        }
    }
}

/// A Go pointer: nil writes nothing; a set value is written under the same key.
impl<T: Node> Node for Option<T> {
    fn encode(&self, enc: &mut Encoder, key: &str) {
        if let Some(value) = self {
            value.encode(enc, key);
        }
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        Ok(T::decode(dec, key)?.map(Some))
    }
}

/// A Go slice: `key` holds len−1; scalars are joined under `key~`, other elements go under `key|i`.
impl<T: Node> Node for Vec<T> {
    fn encode(&self, enc: &mut Encoder, key: &str) {
        if self.is_empty() {
            return;
        }
        if T::SCALAR {
            let joined: Vec<String> = self.iter().map(Node::to_text).collect();
            enc.put(joined_key(key), joined.join("|"));
        } else {
            for (i, element) in self.iter().enumerate() {
                element.encode(enc, &element_key(key, &i.to_string()));
            }
        }
        enc.put(key, (self.len() - 1).to_string());
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        let Some(last) = dec.get(key) else {
            return Ok(None);
        };
        let last = i64::from_text(key, last)?;
        if last >= MAX_SLICE_ELEMENTS {
            return Err(DecodeError::SliceTooLong {
                key: key.to_string(),
                length: last.saturating_add(1),
            });
        }
        // A negative length can only come from a hand-edited VM; treat it as empty.
        let count = usize::try_from(last.saturating_add(1)).unwrap_or(0);
        let mut out = Vec::with_capacity(count);
        if T::SCALAR {
            let joined = dec.get(&joined_key(key)).unwrap_or_default();
            // Go indexes the split without checking; we take what is there instead of failing.
            for part in joined.split('|').take(count) {
                out.push(T::from_text(key, part)?);
            }
        } else {
            for i in 0..count {
                let element = T::decode(dec, &element_key(key, &i.to_string()))?;
                out.push(element.unwrap_or_default());
            }
        }
        Ok(Some(out))
    }
}

/// A Go map with string keys: `key` holds the sorted map keys joined with `|`, entries go under `key|K`.
impl<V: Node> Node for BTreeMap<String, V> {
    fn encode(&self, enc: &mut Encoder, key: &str) {
        if self.is_empty() {
            return;
        }
        // BTreeMap<String, _> iterates in byte order, which is Go's sort.Strings order.
        let names: Vec<&str> = self.keys().map(String::as_str).collect();
        enc.put(key, names.join("|"));
        for (name, value) in self {
            value.encode(enc, &element_key(key, name));
        }
    }

    fn decode(dec: &mut Decoder<'_>, key: &str) -> Result<Option<Self>, DecodeError> {
        let Some(names) = dec.get(key) else {
            return Ok(None);
        };
        let mut out = BTreeMap::new();
        if names.is_empty() {
            return Ok(Some(out));
        }
        for name in names.split('|') {
            let value = V::decode(dec, &element_key(key, name))?;
            out.insert(name.to_string(), value.unwrap_or_default());
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 3.14 is the fixture value of §1.12, not an approximation of π.
    #[allow(clippy::approx_constant)]
    #[test]
    fn go_float_format() {
        assert_eq!(format_go_float(3.14), "3.14E+00");
        assert_eq!(format_go_float(3.5), "3.5E+00");
        assert_eq!(format_go_float(f64::from(0.1f32)), "1.0000000149011612E-01");
        assert_eq!(format_go_float(0.0), "0E+00");
        assert_eq!(format_go_float(1e21), "1E+21");
        assert_eq!(format_go_float(1.5e-300), "1.5E-300");
    }

    #[test]
    fn negative_slice_length_reads_as_empty() {
        let values = BTreeMap::from([("s".to_string(), "-1".to_string())]);
        let mut dec = Decoder::new(&values);
        assert_eq!(Vec::<String>::decode(&mut dec, "s"), Ok(Some(vec![])));
    }

    #[test]
    fn huge_slice_length_is_an_error() {
        let values = BTreeMap::from([("s".to_string(), "99999999999".to_string())]);
        let mut dec = Decoder::new(&values);
        assert!(matches!(
            Vec::<Bytes>::decode(&mut dec, "s"),
            Err(DecodeError::SliceTooLong { .. })
        ));
    }
}
