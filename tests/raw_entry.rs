//! indexmap's raw entry API (`vdict::dict::RawEntryApiV1`): the two examples of indexmap's
//! own documentation (indexmap 2.14, `src/map/raw_entry_v1.rs`, MIT/Apache-2.0, ported by
//! renaming), then what vdict adds: positions past holes, the version rules, and inserts at
//! a position.

use std::hash::BuildHasher;
use vdict::dict::{RawEntryApiV1, RawEntryMut};
use vdict::Dict;

#[test]
fn indexmap_raw_entry_v1_example() {
    let mut map = Dict::new();
    map.extend([("a", 100), ("b", 200), ("c", 300)]);

    for k in ["a", "b", "c", "d", "e", "f"] {
        let hash = map.hasher().hash_one(k);
        let i = map.get_index_of(k);
        let kv = map.get_key_value(k);
        let ikv = map.get_full(k);
        assert_eq!(map.raw_entry_v1().from_key(k), kv);
        assert_eq!(map.raw_entry_v1().from_hash(hash, |q| *q == k), kv);
        assert_eq!(map.raw_entry_v1().from_key_hashed_nocheck(hash, k), kv);
        assert_eq!(map.raw_entry_v1().from_hash_full(hash, |q| *q == k), ikv);
        assert_eq!(map.raw_entry_v1().index_from_hash(hash, |q| *q == k), i);
    }
}

#[test]
fn indexmap_raw_entry_mut_v1_example() {
    let mut map = Dict::new();
    map.extend([("a", 100), ("b", 200), ("c", 300)]);

    // Existing key (insert and update)
    match map.raw_entry_mut_v1().from_key("a") {
        RawEntryMut::Vacant(_) => unreachable!(),
        RawEntryMut::Occupied(mut view) => {
            assert_eq!(view.index(), 0);
            assert_eq!(view.get(), &100);
            let v = view.get_mut();
            let new_v = (*v) * 10;
            *v = new_v;
            assert_eq!(view.insert(1111), 1000);
        }
    }
    assert_eq!(map["a"], 1111);
    assert_eq!(map.len(), 3);

    // Existing key (take)
    let hash = map.hasher().hash_one("c");
    match map.raw_entry_mut_v1().from_key_hashed_nocheck(hash, "c") {
        RawEntryMut::Vacant(_) => unreachable!(),
        RawEntryMut::Occupied(view) => {
            assert_eq!(view.index(), 2);
            assert_eq!(view.shift_remove_entry(), ("c", 300));
        }
    }
    assert_eq!(map.raw_entry_v1().from_key("c"), None);
    assert_eq!(map.len(), 2);

    // Nonexistent key (insert and update)
    let key = "d";
    let hash = map.hasher().hash_one(key);
    match map.raw_entry_mut_v1().from_hash(hash, |q| *q == key) {
        RawEntryMut::Occupied(_) => unreachable!(),
        RawEntryMut::Vacant(view) => {
            assert_eq!(view.index(), 2);
            let (k, value) = view.insert("d", 4000);
            assert_eq!((*k, *value), ("d", 4000));
            *value = 40000;
        }
    }
    assert_eq!(map["d"], 40000);
    assert_eq!(map.len(), 3);

    match map.raw_entry_mut_v1().from_hash(hash, |q| *q == key) {
        RawEntryMut::Vacant(_) => unreachable!(),
        RawEntryMut::Occupied(view) => {
            assert_eq!(view.index(), 2);
            assert_eq!(view.swap_remove_entry(), ("d", 40000));
        }
    }
    assert_eq!(map.get("d"), None);
    assert_eq!(map.len(), 2);
}

/// 0..100 with every third key removed: positions and slots differ past the first hole.
fn holey() -> Dict<u32, u32> {
    let mut d: Dict<u32, u32> = (0..100).map(|k| (k, k * 10)).collect();
    for k in (0..100).step_by(3) {
        d.remove(&k);
    }
    d
}

#[test]
fn positions_past_holes_are_positions_not_slots() {
    let d = holey();
    for (position, (key, value)) in d.iter().enumerate() {
        let hash = d.hash_key(key);
        assert_eq!(
            d.raw_entry_v1().from_hash_full(hash, |k| k == key),
            Some((position, key, value))
        );
        assert_eq!(
            d.raw_entry_v1().index_from_hash(hash, |k| k == key),
            Some(position)
        );
    }
    let mut d = d;
    let last = *d.keys().next_back().unwrap();
    match d.raw_entry_mut_v1().from_key(&last) {
        RawEntryMut::Occupied(entry) => assert_eq!(entry.index(), d.len() - 1),
        RawEntryMut::Vacant(_) => unreachable!(),
    }
    let len = d.len();
    match d.raw_entry_mut_v1().from_key(&0) {
        RawEntryMut::Vacant(entry) => assert_eq!(entry.index(), len),
        RawEntryMut::Occupied(_) => unreachable!(),
    }
}

/// A lookup by key through the raw entries finds what `get` finds, present or absent, in dicts
/// with holes and with each width of index slot up to 4 bytes (past 65,536 entries).
#[test]
fn lookups_by_key_find_what_get_finds() {
    let big: Dict<u32, u32> = (0..70_000).map(|k| (k * 7, k)).collect();
    for mut d in [holey(), big] {
        let probes: Vec<u32> = (0..300).chain((0..300).map(|k| k * 7 * 233)).collect();
        for k in probes {
            let expected = d.get_key_value(&k);
            assert_eq!(d.raw_entry_v1().from_key(&k), expected, "{k}");
            let hash = d.hash_key(&k);
            assert_eq!(
                d.raw_entry_v1().from_key_hashed_nocheck(hash, &k),
                expected,
                "{k}"
            );
            let expected = expected.map(|(_, v)| *v);
            match d.raw_entry_mut_v1().from_key(&k) {
                RawEntryMut::Occupied(entry) => assert_eq!(Some(*entry.get()), expected),
                RawEntryMut::Vacant(_) => assert_eq!(None, expected, "{k}"),
            }
        }
    }
}

/// A hasher under which every `u32` key gets the same probe start and the same 7-bit tag
/// (the low 20 bits and the top bits are zero) but its own full hash: the index hands every
/// key of the dict to a lookup as a candidate, and only the stored hash tells them apart.
#[derive(Default, Clone)]
struct SameBucket(u64);

impl std::hash::Hasher for SameBucket {
    fn finish(&self) -> u64 {
        self.0 << 20
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u32 keys")
    }
    fn write_u32(&mut self, key: u32) {
        self.0 = u64::from(key);
    }
}

#[test]
fn the_match_sees_only_keys_stored_under_the_hash() {
    type Build = std::hash::BuildHasherDefault<SameBucket>;
    let mut d: Dict<u32, u32, Build> = Dict::default();
    for k in 1..40 {
        d.insert(k, k);
    }
    d.remove(&5);
    let mut asked = Vec::new();
    let hash = d.hash_key(&7);
    let found = d.raw_entry_v1().from_hash(hash, |k| {
        asked.push(*k);
        *k == 7
    });
    assert_eq!(found, Some((&7, &7)));
    assert_eq!(asked, [7], "asked only about the key stored under the hash");
    asked.clear();
    let absent = d.hash_key(&1000);
    let found = d.raw_entry_v1().from_hash(absent, |k| {
        asked.push(*k);
        true
    });
    assert_eq!(found, None);
    assert!(asked.is_empty(), "{asked:?}");
}

#[test]
fn reads_bump_nothing_and_writes_follow_the_version_rules() {
    let mut d = holey();
    let tags = |d: &Dict<u32, u32>| (d.version(), d.keys_version());

    let before = tags(&d);
    assert_eq!(d.raw_entry_v1().from_key(&1), Some((&1, &10)));
    match d.raw_entry_mut_v1().from_key(&1) {
        RawEntryMut::Occupied(entry) => assert_eq!(entry.get_key_value(), (&1, &10)),
        RawEntryMut::Vacant(_) => unreachable!(),
    }
    assert_eq!(tags(&d), before, "reading moves no tag");

    // A mutable value: the version moves, the keys version does not.
    match d.raw_entry_mut_v1().from_key(&1) {
        RawEntryMut::Occupied(mut entry) => *entry.get_mut() += 1,
        RawEntryMut::Vacant(_) => unreachable!(),
    }
    let after_value = tags(&d);
    assert_ne!(after_value.0, before.0);
    assert_eq!(after_value.1, before.1);

    // A mutable key: both move (a key changed in place is a key replaced).
    match d.raw_entry_mut_v1().from_key(&1) {
        RawEntryMut::Occupied(mut entry) => {
            let _ = entry.key_mut();
        }
        RawEntryMut::Vacant(_) => unreachable!(),
    }
    let after_key = tags(&d);
    assert_ne!(after_key.0, after_value.0);
    assert_ne!(after_key.1, after_value.1);

    // and_modify hands out both.
    let entry = d.raw_entry_mut_v1().from_key(&2).and_modify(|_, v| *v = 7);
    assert_eq!(entry.index(), 1);
    assert_ne!(tags(&d).1, after_key.1);
    assert_eq!(d[&2], 7);

    // An insert moves both; a vacant and_modify changes nothing.
    let before_insert = tags(&d);
    let entry = d
        .raw_entry_mut_v1()
        .from_key(&1000)
        .and_modify(|_, v| *v = 0);
    assert!(matches!(entry, RawEntryMut::Vacant(_)));
    assert_eq!(tags(&d), before_insert);
    let (k, v) = d.raw_entry_mut_v1().from_key(&1000).or_insert(1000, 1);
    *v += 1;
    assert_eq!(*k, 1000);
    assert_eq!(d[&1000], 2);
    assert_ne!(tags(&d).1, before_insert.1);
    d.check_invariants().unwrap();
}

#[test]
fn insert_key_replaces_the_stored_key_with_an_equal_one() {
    // Keys equal by their first field only, as `Equivalent` lookups allow.
    #[derive(Debug)]
    struct Named(&'static str, u32);
    impl PartialEq for Named {
        fn eq(&self, other: &Named) -> bool {
            self.0 == other.0
        }
    }
    impl Eq for Named {}
    impl std::hash::Hash for Named {
        fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
            self.0.hash(state)
        }
    }
    let mut d: Dict<Named, u32> = Dict::new();
    d.insert(Named("x", 1), 10);
    let hash = d.hash_key(&Named("x", 0));
    match d.raw_entry_mut_v1().from_hash(hash, |k| k.0 == "x") {
        RawEntryMut::Occupied(mut entry) => {
            let old = entry.insert_key(Named("x", 2));
            assert_eq!(old.1, 1);
            assert_eq!(entry.key().1, 2);
            assert_eq!(entry.into_key().1, 2);
        }
        RawEntryMut::Vacant(_) => unreachable!(),
    }
    assert_eq!(
        d.get_key_value(&Named("x", 9)).map(|(k, v)| (k.1, *v)),
        Some((2, 10))
    );
    d.check_invariants().unwrap();
}

#[test]
fn vacant_inserts_go_where_asked_and_are_found_by_key() {
    let mut d = holey();
    let mut expected: Vec<(u32, u32)> = d.iter().map(|(k, v)| (*k, *v)).collect();

    match d.raw_entry_mut_v1().from_key(&500) {
        RawEntryMut::Vacant(entry) => {
            let (k, v) = entry.shift_insert(5, 500, 5000);
            assert_eq!((*k, *v), (500, 5000));
        }
        RawEntryMut::Occupied(_) => unreachable!(),
    }
    expected.insert(5, (500, 5000));
    let hash = d.hash_key(&501);
    match d.raw_entry_mut_v1().from_key_hashed_nocheck(hash, &501) {
        RawEntryMut::Vacant(entry) => {
            entry.shift_insert_hashed_nocheck(0, hash, 501, 5010);
        }
        RawEntryMut::Occupied(_) => unreachable!(),
    }
    expected.insert(0, (501, 5010));
    let (k, v) = d
        .raw_entry_mut_v1()
        .from_key(&502)
        .or_insert_with(|| (502, 5020));
    assert_eq!((*k, *v), (502, 5020));
    expected.push((502, 5020));

    assert!(d.iter().map(|(k, v)| (*k, *v)).eq(expected.iter().copied()));
    for (position, (key, _)) in expected.iter().enumerate() {
        assert_eq!(d.get_index_of(key), Some(position));
    }
    d.check_invariants().unwrap();
}

#[test]
#[should_panic(expected = "index out of bounds")]
fn shift_insert_past_the_end_panics_and_inserts_nothing() {
    let mut d = holey();
    let len = d.len();
    match d.raw_entry_mut_v1().from_key(&500) {
        RawEntryMut::Vacant(entry) => {
            entry.shift_insert(len + 1, 500, 0);
        }
        RawEntryMut::Occupied(_) => unreachable!(),
    }
}

#[test]
fn removals_through_raw_entries_keep_or_swap_the_order() {
    let mut d = holey();
    let mut expected: Vec<(u32, u32)> = d.iter().map(|(k, v)| (*k, *v)).collect();
    match d.raw_entry_mut_v1().from_key(&4) {
        RawEntryMut::Occupied(entry) => assert_eq!(entry.remove(), 40),
        RawEntryMut::Vacant(_) => unreachable!(),
    }
    expected.retain(|&(k, _)| k != 4);
    let at = expected.iter().position(|&(k, _)| k == 5).unwrap();
    match d.raw_entry_mut_v1().from_key(&5) {
        RawEntryMut::Occupied(entry) => assert_eq!(entry.swap_remove(), 50),
        RawEntryMut::Vacant(_) => unreachable!(),
    }
    expected.swap_remove(at);
    match d.raw_entry_mut_v1().from_key(&7) {
        RawEntryMut::Occupied(entry) => assert_eq!(entry.remove_entry(), (7, 70)),
        RawEntryMut::Vacant(_) => unreachable!(),
    }
    expected.retain(|&(k, _)| k != 7);
    match d.raw_entry_mut_v1().from_key(&8) {
        RawEntryMut::Occupied(entry) => assert_eq!(entry.shift_remove(), 80),
        RawEntryMut::Vacant(_) => unreachable!(),
    }
    expected.retain(|&(k, _)| k != 8);
    assert!(d.iter().map(|(k, v)| (*k, *v)).eq(expected.iter().copied()));
    d.check_invariants().unwrap();
}
