//! indexmap's opt-in traits for keys changed in place (`MutableKeys`, `MutableEntryKey`,
//! and the set's `MutableValues`): what they lend, on dicts with holes, and the version rule
//! that lending a stored key mutably bumps both tags.

use vdict::dict::{MutableEntryKey, MutableKeys};
use vdict::set::MutableValues;
use vdict::{Dict, Entry, Set, Version};

/// A key whose identity is its name; `hits` is baggage that may change in place.
#[derive(Debug, Clone)]
struct Name {
    name: &'static str,
    hits: u32,
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.name == other.name
    }
}
impl Eq for Name {}
impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state)
    }
}

fn name(name: &'static str) -> Name {
    Name { name, hits: 0 }
}

/// "a".."f" with "b" removed (a hole before the rest).
fn holey() -> Dict<Name, u32> {
    let mut d: Dict<Name, u32> = ["a", "b", "c", "d", "e", "f"]
        .into_iter()
        .enumerate()
        .map(|(i, n)| (name(n), i as u32))
        .collect();
    d.remove(&name("b"));
    d
}

fn tags<K, V>(d: &Dict<K, V>) -> (Version, Version) {
    (d.version(), d.keys_version())
}

fn both_moved(before: (Version, Version), after: (Version, Version)) -> bool {
    before.0 != after.0 && before.1 != after.1
}

#[test]
fn get_full_mut2_and_get_index_mut2_lend_key_and_value_past_holes() {
    let mut d = holey();
    let before = tags(&d);
    let (position, key, value) = d.get_full_mut2(&name("d")).unwrap();
    assert_eq!((position, key.name, *value), (2, "d", 3));
    key.hits += 1;
    *value += 10;
    let after = tags(&d);
    assert!(both_moved(before, after));
    assert_eq!(
        d.get_key_value(&name("d")).map(|(k, v)| (k.hits, *v)),
        Some((1, 13))
    );

    assert!(d.get_full_mut2(&name("b")).is_none());
    assert!(d.get_index_mut2(d.len()).is_none());
    assert_eq!(tags(&d), after, "a miss lends nothing and moves nothing");

    let (key, value) = d.get_index_mut2(3).unwrap();
    assert_eq!((key.name, *value), ("e", 4));
    key.hits = 7;
    assert!(both_moved(after, tags(&d)));
    assert_eq!(d.get_index(3).map(|(k, _)| k.hits), Some(7));
    d.check_invariants().unwrap();
}

#[test]
fn iter_mut2_visits_every_entry_in_order_and_retain2_keeps_the_order() {
    let mut d = holey();
    let before = tags(&d);
    for (key, value) in d.iter_mut2() {
        key.hits = *value;
        *value *= 2;
    }
    assert!(both_moved(before, tags(&d)));
    let seen: Vec<(&str, u32, u32)> = d.iter().map(|(k, v)| (k.name, k.hits, *v)).collect();
    assert_eq!(
        seen,
        [
            ("a", 0, 0),
            ("c", 2, 4),
            ("d", 3, 6),
            ("e", 4, 8),
            ("f", 5, 10)
        ]
    );

    let before = tags(&d);
    d.retain2(|key, value| {
        key.hits += 100;
        *value % 4 == 0
    });
    assert!(both_moved(before, tags(&d)));
    let kept: Vec<(&str, u32)> = d.iter().map(|(k, _)| (k.name, k.hits)).collect();
    assert_eq!(kept, [("a", 100), ("c", 102), ("e", 104)]);
    assert_eq!(d.get_index_of(&name("e")), Some(2));
    d.check_invariants().unwrap();

    let mut empty: Dict<Name, u32> = Dict::new();
    let before = tags(&empty);
    assert_eq!(empty.iter_mut2().count(), 0);
    empty.retain2(|_, _| true);
    assert_eq!(tags(&empty), before, "an empty dict lends nothing");
}

#[test]
fn entry_key_mut_moves_both_tags_only_for_a_stored_key() {
    let mut d = holey();
    let before = tags(&d);
    match d.entry(name("zz")) {
        Entry::Vacant(mut entry) => {
            entry.key_mut().hits = 9;
            assert_eq!(entry.key().hits, 9);
        }
        Entry::Occupied(_) => unreachable!(),
    }
    assert_eq!(tags(&d), before, "a vacant entry's key is not in the dict");

    d.entry(name("c")).key_mut().hits = 5;
    assert!(both_moved(before, tags(&d)));
    assert_eq!(d.get_key_value(&name("c")).map(|(k, _)| k.hits), Some(5));

    let mut entry = d.entry(name("zz"));
    entry.key_mut().hits = 3;
    entry.or_insert(99);
    assert_eq!(
        d.get_key_value(&name("zz")).map(|(k, v)| (k.hits, *v)),
        Some((3, 99))
    );
}

#[test]
fn set_mutable_values_lend_elements_and_move_both_tags() {
    let mut s: Set<Name> = ["x", "y", "z", "w"].into_iter().map(name).collect();
    s.remove(&name("x"));
    let before = (s.version(), s.keys_version());
    let (position, element) = s.get_full_mut2(&name("z")).unwrap();
    assert_eq!((position, element.name), (1, "z"));
    element.hits = 1;
    assert!(both_moved(before, (s.version(), s.keys_version())));
    s.get_index_mut2(2).unwrap().hits = 2;
    assert!(s.get_index_mut2(3).is_none());
    s.retain2(|element| {
        element.hits += 10;
        element.name != "y"
    });
    let left: Vec<(&str, u32)> = s.iter().map(|e| (e.name, e.hits)).collect();
    assert_eq!(left, [("z", 11), ("w", 12)]);
}
