//! Character-set checks shared by the name, image-store and volume-store rules.

/// Characters the original refuses in `--name` (G1).
pub const NAME_FORBIDDEN: &[char] = &[
    '%', '&', '*', '$', '#', '@', '!', '\\', '/', ':', '?', '"', '<', '>', ';', '\'', '|',
];

/// Characters refused in datastore paths (S1, S5): the name set minus `/` and `:`.
pub const DATASTORE_FORBIDDEN: &[char] = &[
    '%', '&', '*', '$', '#', '@', '!', '\\', '?', '"', '<', '>', ';', '\'', '|',
];

/// The forbidden characters found, each once, in order of appearance.
pub fn forbidden_chars(text: &str, set: &[char]) -> Vec<char> {
    let mut found = Vec::new();
    for c in text.chars() {
        if set.contains(&c) && !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

pub fn join_chars(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
