//! Suggestion lists as the original builds them (short names, the inventory path when a name is
//! not unique), ordered so the likeliest fix comes first.

use crate::inventory::{ComputeResource, Datacenter, Datastore, Network};

/// The wizard turns each suggestion into a button; a long list of them helps nobody.
const MAX_SUGGESTIONS: usize = 10;

/// Inventory objects a user names by name or by path.
pub(super) trait Named {
    fn name(&self) -> &str;
    fn path(&self) -> &str;
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn name(&self) -> &str {
                &self.name
            }
            fn path(&self) -> &str {
                &self.path
            }
        }
    )*};
}
named!(ComputeResource, Datacenter, Datastore, Network);

/// What to offer for `item`: its name, unless another object of `all` has that name too, then its
/// inventory path (a name would be ambiguous).
pub(super) fn label<T: Named>(item: &T, all: &[T]) -> String {
    let same_name = all.iter().filter(|o| o.name() == item.name()).count();
    if same_name > 1 {
        item.path().to_owned()
    } else {
        item.name().to_owned()
    }
}

/// Labels of `items` (each once), the ones closest to what the user typed first; ties keep the
/// snapshot's order.
pub(super) fn ranked<'a, T: Named + 'a>(
    typed: &str,
    items: impl IntoIterator<Item = &'a T>,
    all: &[T],
) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for item in items {
        let l = label(item, all);
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    by_closeness(typed, labels)
}

/// `values` sorted by edit distance to `typed` (case-insensitive, stable), capped. A path is
/// compared by its last element, so a duplicated name offered as a path ranks like the name.
pub(super) fn by_closeness(typed: &str, mut values: Vec<String>) -> Vec<String> {
    let typed = typed.to_lowercase();
    values.sort_by_cached_key(|v| {
        let name = v.rsplit('/').next().unwrap_or(v);
        strsim::levenshtein(&typed, &name.to_lowercase())
    });
    values.truncate(MAX_SUGGESTIONS);
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(name: &str, folder: &str) -> Datastore {
        Datastore {
            name: name.into(),
            path: format!("/DC0/datastore/{folder}{name}"),
            id: format!("{folder}{name}"),
            kind: "VMFS".into(),
            capacity_bytes: 0,
            free_bytes: 0,
            accessible: true,
            maintenance_mode: None,
            hosts: Vec::new(),
        }
    }

    #[test]
    fn duplicated_names_become_paths_and_close_names_come_first() {
        let all = [ds("a", ""), ds("b", "F1/"), ds("b", "F2/"), ds("local", "")];
        assert_eq!(
            ranked("locl", all.iter(), &all),
            ["local", "a", "/DC0/datastore/F1/b", "/DC0/datastore/F2/b"]
        );
    }
}
