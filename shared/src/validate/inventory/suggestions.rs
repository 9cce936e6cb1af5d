//! Suggestion lists as the original builds them (short names, the inventory path when a name is
//! not unique), ordered so the likeliest fix comes first.

use std::collections::{HashMap, HashSet};

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

/// What to offer for an object: its name, unless another object of the same list has that name
/// too, then its inventory path (a name would be ambiguous). Built once per list: O(n).
pub(super) struct Labels<'a> {
    same_name: HashMap<&'a str, usize>,
}

impl<'a> Labels<'a> {
    pub(super) fn new<T: Named>(all: &'a [T]) -> Labels<'a> {
        let mut same_name: HashMap<&'a str, usize> = HashMap::new();
        for item in all {
            *same_name.entry(item.name()).or_default() += 1;
        }
        Labels { same_name }
    }

    pub(super) fn label<T: Named>(&self, item: &T) -> String {
        if self.same_name.get(item.name()).copied().unwrap_or(0) > 1 {
            item.path().to_owned()
        } else {
            item.name().to_owned()
        }
    }
}

/// Labels of `items` (each once), the ones closest to what the user typed first; ties keep the
/// snapshot's order.
pub(super) fn ranked<'a, T: Named + 'a>(
    typed: &str,
    items: impl IntoIterator<Item = &'a T>,
    all: &[T],
) -> Vec<String> {
    ranked_up_to(typed, items, all, MAX_SUGGESTIONS)
}

/// [`ranked`] with one more than the list shows, for a list that must then leave out one object
/// (see [`leave_out`]): the ranking no longer depends on that object, so it is memoised without
/// it and typing in another field never ranks this list again.
pub(super) fn ranked_with_spare<'a, T: Named + 'a>(
    typed: &str,
    items: impl IntoIterator<Item = &'a T>,
    all: &[T],
) -> Vec<String> {
    ranked_up_to(typed, items, all, MAX_SUGGESTIONS + 1)
}

/// A list from [`ranked_with_spare`] without the labels `drop` names, at most the usual length.
pub(super) fn leave_out(mut list: Vec<String>, drop: impl Fn(&str) -> bool) -> Vec<String> {
    list.retain(|label| !drop(label));
    list.truncate(MAX_SUGGESTIONS);
    list
}

fn ranked_up_to<'a, T: Named + 'a>(
    typed: &str,
    items: impl IntoIterator<Item = &'a T>,
    all: &[T],
    cap: usize,
) -> Vec<String> {
    let labels = Labels::new(all);
    let mut seen: HashSet<String> = HashSet::new();
    let mut unique: Vec<String> = Vec::new();
    for item in items {
        let l = labels.label(item);
        if seen.insert(l.clone()) {
            unique.push(l);
        }
    }
    by_closeness_up_to(typed, unique, cap)
}

/// `values` sorted by edit distance to `typed` (case-insensitive, stable), capped. A path is
/// compared by its last element, so a duplicated name offered as a path ranks like the name.
/// Only the first [`MAX_SUGGESTIONS`] are sorted: O(n) distances plus a partial selection.
pub(super) fn by_closeness(typed: &str, values: Vec<String>) -> Vec<String> {
    by_closeness_up_to(typed, values, MAX_SUGGESTIONS)
}

fn by_closeness_up_to(typed: &str, values: Vec<String>, cap: usize) -> Vec<String> {
    let typed = typed.to_lowercase();
    let mut keyed: Vec<(usize, usize)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let name = v.rsplit('/').next().unwrap_or(v);
            (strsim::levenshtein(&typed, &name.to_lowercase()), i)
        })
        .collect();
    if keyed.len() > cap {
        keyed.select_nth_unstable(cap - 1);
        keyed.truncate(cap);
    }
    keyed.sort_unstable();
    let mut values: Vec<Option<String>> = values.into_iter().map(Some).collect();
    keyed
        .into_iter()
        .filter_map(|(_, i)| values.get_mut(i).and_then(Option::take))
        .collect()
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
            hosts: Default::default(),
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
