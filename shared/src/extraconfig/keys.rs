//! Key construction: how a field's scope and its parent's key become an extraConfig key (§1.2–1.5).
//!
//! VIC derives every key from the Go struct tags by reflection. We describe each field with a [`Tag`]
//! instead and run the same string algorithm, so the quirks (separator swapping inside map keys,
//! hidden keys losing their prefix, suffixes moving to the end) come out identical.

/// `guestinfo.` + `vice.`: every guest-visible key starts with this.
pub const GUESTINFO_PREFIX: &str = "guestinfo.vice.";

/// The part of the prefix that makes a key visible to the guest.
const VISIBLE_MARK: &str = "guestinfo.";

pub const SECRET_SUFFIX: &str = "secret";
pub const NON_PERSISTENT_SUFFIX: &str = "non-persistent";

/// Scope flags of one field (§1.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    pub hidden: bool,
    pub read_only: bool,
    pub read_write: bool,
    pub volatile: bool,
    pub non_persistent: bool,
    pub secret: bool,
}

impl Scope {
    /// Parses the comma-separated words of a `scope:"…"` tag. `None` means an unknown word, which makes
    /// VIC skip the field.
    pub fn parse(words: &str) -> Option<Scope> {
        let mut scope = Scope::default();
        let mut any = false;
        for word in words.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            any = true;
            match word {
                "hidden" => scope.hidden = true,
                "read-only" => scope.read_only = true,
                "read-write" => scope.read_write = true,
                "volatile" => scope.volatile = true,
                "non-persistent" => scope.non_persistent = true,
                "secret" => {
                    scope.secret = true;
                    scope.read_only = true;
                }
                _ => return None,
            }
        }
        if !any {
            scope.hidden = true;
            scope.read_only = true;
        }
        Some(scope)
    }

    /// The scope an untagged field inherits from its parent's key (`calculateScopeFromKey`).
    pub fn inherited_from(parent_key: &str) -> Scope {
        let mut scope = Scope::default();
        if !parent_key.starts_with(VISIBLE_MARK) {
            scope.hidden = true;
        }
        if parent_key.contains('/') {
            scope.read_only = true;
        } else {
            scope.read_write = true;
        }
        scope.secret = has_suffix(parent_key, SECRET_SUFFIX);
        scope.non_persistent = has_suffix(parent_key, NON_PERSISTENT_SUFFIX);
        scope
    }
}

/// How one struct field is declared: with a `vic` tag (scope words and key segment) or without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// A tagged field: `scope:"…"` words and the key segment (the tag's `key`, or the Go field name when
    /// the tag has none).
    Tagged {
        scope: &'static str,
        key: &'static str,
    },
    /// An untagged field (or embedded struct): it inherits its scope from the parent key, and its segment
    /// is the Go field (or type) name.
    Untagged(&'static str),
}

/// Shorthand for a read-only tagged field.
pub const fn ro(key: &'static str) -> Tag {
    Tag::Tagged {
        scope: "read-only",
        key,
    }
}

/// Shorthand for a read-write tagged field.
pub const fn rw(key: &'static str) -> Tag {
    Tag::Tagged {
        scope: "read-write",
        key,
    }
}

/// Shorthand for a hidden tagged field.
pub const fn hidden(key: &'static str) -> Tag {
    Tag::Tagged {
        scope: "hidden",
        key,
    }
}

/// Shorthand for a secret tagged field.
pub const fn secret(key: &'static str) -> Tag {
    Tag::Tagged {
        scope: "secret",
        key,
    }
}

/// Shorthand for an untagged field.
pub const fn untagged(name: &'static str) -> Tag {
    Tag::Untagged(name)
}

/// Whether any `@`-separated suffix of `key` equals `suffix` (VIC's `isSecret` test, generalised).
pub fn has_suffix(key: &str, suffix: &str) -> bool {
    key.split('@').skip(1).any(|s| s == suffix)
}

/// The key of a field declared with `tag` under `parent`, or `None` when VIC would skip the field
/// (unknown scope word, empty key, hidden + non-persistent).
pub fn field_key(parent: &str, tag: Tag) -> Option<String> {
    let (mut scope, segment) = match tag {
        Tag::Tagged { scope, key } => (Scope::parse(scope)?, key),
        Tag::Untagged(name) => (Scope::inherited_from(parent), name),
    };
    // Non-persistence is contagious even for tagged children; secrecy is not (§1.3, fixture F3).
    if has_suffix(parent, NON_PERSISTENT_SUFFIX) {
        scope.non_persistent = true;
    }
    let key = calculate_key(scope, parent, segment)?;
    (!key.is_empty()).then_some(key)
}

/// VIC's `calculateKey` (§1.4). Returns `None` for a hidden non-persistent field.
pub fn calculate_key(scope: Scope, prefix: &str, segment: &str) -> Option<String> {
    let hide = scope.hidden;
    let write = scope.read_write;
    let visible = prefix.starts_with(VISIBLE_MARK);
    let (new, old) = if !hide && write {
        ('.', '/')
    } else {
        ('/', '.')
    };

    let base = prefix.split('@').next().unwrap_or_default();
    let segment = segment.trim();
    let mut out = if base.is_empty() {
        segment.to_string()
    } else {
        format!("{base}{new}{segment}")
    };
    if scope.secret {
        out.push('@');
        out.push_str(SECRET_SUFFIX);
    }
    if scope.non_persistent {
        if hide {
            return None;
        }
        out.push('@');
        out.push_str(NON_PERSISTENT_SUFFIX);
    }

    if hide {
        if !visible {
            return Some(out);
        }
        // Drop `guestinfo.vice.` and the separator that follows it.
        return Some(
            out.get(GUESTINFO_PREFIX.len() + 1..)
                .unwrap_or_default()
                .to_string(),
        );
    }

    // The replacement also mangles the prefix text (and any map keys inside it); the prefix is rebuilt below.
    let out = out.replace(old, &new.to_string());
    if !visible {
        Some(format!("{GUESTINFO_PREFIX}{new}{out}"))
    } else {
        let rest = out.get(GUESTINFO_PREFIX.len()..).unwrap_or_default();
        Some(format!("{GUESTINFO_PREFIX}{rest}"))
    }
}

/// VIC's `appendToPrefix`: inserts `sep` + `value` before any `@` suffix of `prefix`.
pub fn append_to_prefix(prefix: &str, sep: &str, value: &str) -> String {
    match prefix.find('@') {
        Some(at) => format!("{}{sep}{value}{}", &prefix[..at], &prefix[at..]),
        None => format!("{prefix}{sep}{value}"),
    }
}

/// Key of element `index` (or map entry `index`) of a slice or map stored at `key`.
pub fn element_key(key: &str, index: &str) -> String {
    append_to_prefix(key, "|", index)
}

/// Key holding the `|`-joined elements of a primitive slice stored at `key`.
pub fn joined_key(key: &str) -> String {
    append_to_prefix(key, "", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    // The rows of the §1.4 results table.
    #[test]
    fn key_table_of_the_spec() {
        let ro_scope = Scope::parse("read-only").unwrap();
        let rw_scope = Scope::parse("read-write").unwrap();
        let hid = Scope::parse("hidden").unwrap();
        let sec = Scope::parse("secret").unwrap();
        let k = |s, p, seg| calculate_key(s, p, seg).unwrap();
        assert_eq!(k(ro_scope, "", "seg"), "guestinfo.vice./seg");
        assert_eq!(
            k(ro_scope, "guestinfo.vice./a/b", "seg"),
            "guestinfo.vice./a/b/seg"
        );
        assert_eq!(
            k(ro_scope, "guestinfo.vice..a.b", "seg"),
            "guestinfo.vice./a/b/seg"
        );
        assert_eq!(k(rw_scope, "", "seg"), "guestinfo.vice..seg");
        assert_eq!(
            k(rw_scope, "guestinfo.vice./a/b", "seg"),
            "guestinfo.vice..a.b.seg"
        );
        assert_eq!(
            k(rw_scope, "guestinfo.vice..a.b", "seg"),
            "guestinfo.vice..a.b.seg"
        );
        assert_eq!(k(hid, "", "seg"), "seg");
        assert_eq!(k(hid, "guestinfo.vice./a/b", "seg"), "a/b/seg");
        assert_eq!(k(hid, "a/b", "seg"), "a/b/seg");
        assert_eq!(k(ro_scope, "a/b", "seg"), "guestinfo.vice./a/b/seg");
        assert_eq!(
            k(sec, "guestinfo.vice./connect", "token"),
            "guestinfo.vice./connect/token@secret"
        );
    }

    #[test]
    fn unknown_scope_word_skips_the_field() {
        assert_eq!(
            field_key(
                "",
                Tag::Tagged {
                    scope: "read-only,bogus",
                    key: "x"
                }
            ),
            None
        );
    }

    #[test]
    fn untagged_field_at_the_root_is_hidden() {
        assert_eq!(field_key("", untagged("Untag")).as_deref(), Some("Untag"));
    }

    #[test]
    fn suffix_stays_at_the_end() {
        assert_eq!(append_to_prefix("a/b@secret", "|", "0"), "a/b|0@secret");
        assert_eq!(joined_key("a/b@secret"), "a/b~@secret");
    }
}
