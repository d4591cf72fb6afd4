//! One test per row of CPython 3.11's measured version table (INTERNALS.md section 8) that has
//! a Rust counterpart, plus vdict's keys-version rules. Each names the Python it mirrors.

use std::collections::HashSet;
use vdict::{Dict, Version};

/// A dict `{"a": 1, "b": 2, "c": 3}`.
fn abc() -> Dict<String, i32> {
    [("a", 1), ("b", 2), ("c", 3)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// Runs `op` on `dict` and reports whether the version and the keys version changed.
fn changes<K, V>(dict: &mut Dict<K, V>, op: impl FnOnce(&mut Dict<K, V>)) -> (bool, bool) {
    let (version, keys_version) = (dict.version(), dict.keys_version());
    op(dict);
    (
        dict.version() != version,
        dict.keys_version() != keys_version,
    )
}

#[test]
fn set_new_key_bumps() {
    // d[k] = v, new key
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.insert("z".into(), 9), None)),
        (true, true)
    );
}

#[test]
fn set_existing_key_to_another_value_bumps_version_only() {
    // d[k] = v, existing key, another object
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.insert("a".into(), 10), Some(1))),
        (true, false)
    );
}

#[test]
fn set_existing_key_to_an_equal_value_still_bumps() {
    // d[k] = d[k]: CPython skips the bump (same object); Rust cannot see identity, so we bump.
    let mut d = abc();
    let same = d["a"];
    assert_eq!(
        changes(&mut d, |d| assert_eq!(
            d.insert("a".into(), same),
            Some(same)
        )),
        (true, false)
    );
}

#[test]
fn del_present_bumps() {
    // del d[k], present
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.remove("b"), Some(2))),
        (true, true)
    );
}

#[test]
fn del_missing_changes_nothing() {
    // del d[k], missing -> KeyError
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.remove("nope"), None)),
        (false, false)
    );
}

#[test]
fn pop_present_bumps() {
    // d.pop(k), present
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(
            d.remove_entry("c"),
            Some(("c".into(), 3))
        )),
        (true, true)
    );
}

#[test]
fn pop_missing_with_default_changes_nothing() {
    // d.pop(k, default), missing
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.remove("nope").unwrap_or(0), 0)),
        (false, false)
    );
}

#[test]
fn popitem_non_empty_bumps_and_is_lifo() {
    // d.popitem(), non-empty
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.pop_last(), Some(("c".into(), 3)))),
        (true, true)
    );
    assert_eq!(d.pop_last(), Some(("b".into(), 2)));
}

#[test]
fn popitem_empty_changes_nothing() {
    // d.popitem(), empty -> KeyError
    let mut d: Dict<String, i32> = Dict::new();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.pop_last(), None)),
        (false, false)
    );
}

#[test]
fn setdefault_missing_bumps() {
    // d.setdefault(k, v), missing
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(*d.entry("z".into()).or_insert(7), 7)),
        (true, true)
    );
}

#[test]
fn setdefault_present_by_get_changes_nothing() {
    // d.setdefault(k, v), present: done with get, no bump
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| {
            let value = match d.get("a") {
                Some(v) => *v,
                None => unreachable!(),
            };
            assert_eq!(value, 1);
        }),
        (false, false)
    );
}

#[test]
fn setdefault_present_through_entry_bumps_because_it_hands_out_mut() {
    // d.setdefault(k, v), present, through the Entry API: `&mut V` escapes, so we bump.
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(*d.entry("a".into()).or_insert(7), 1)),
        (true, false)
    );
}

#[test]
fn clear_non_empty_bumps() {
    // d.clear(), non-empty
    let mut d = abc();
    assert_eq!(changes(&mut d, |d| d.clear()), (true, true));
    assert!(d.is_empty());
}

#[test]
fn clear_never_filled_changes_nothing() {
    // d.clear(), never-filled dict
    let mut d: Dict<String, i32> = Dict::new();
    assert_eq!(changes(&mut d, |d| d.clear()), (false, false));
}

#[test]
fn clear_cleared_changes_nothing() {
    // d.clear(), already cleared dict
    let mut d = abc();
    d.clear();
    assert_eq!(changes(&mut d, |d| d.clear()), (false, false));
}

#[test]
fn clear_emptied_by_del_changes_nothing_unlike_cpython() {
    // d.clear(), dict emptied by del (table still allocated): CPython bumps, we do not —
    // the content did not change.
    let mut d = abc();
    for k in ["a", "b", "c"] {
        d.remove(k);
    }
    assert_eq!(changes(&mut d, |d| d.clear()), (false, false));
}

#[test]
fn update_with_nothing_changes_nothing() {
    // d.update({})
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| d.extend(std::iter::empty())),
        (false, false)
    );
}

#[test]
fn update_with_pairs_bumps() {
    // d.update(pairs)
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| d.extend([("z".to_string(), 26)])),
        (true, true)
    );
    assert_eq!(
        changes(&mut d, |d| d.extend([("a".to_string(), 0)])),
        (true, false)
    );
}

#[test]
fn reads_iteration_and_copy_change_nothing() {
    // d.get, in, len, iteration, d.copy() on the original
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| {
            assert_eq!(d.get("a"), Some(&1));
            assert!(d.contains_key("b"));
            assert_eq!(d.len(), 3);
            assert_eq!(d.iter().count(), 3);
            assert_eq!(d.keys().count() + d.values().count(), 6);
            let copy = d.clone();
            assert_eq!(&copy, &*d);
        }),
        (false, false)
    );
}

#[test]
fn new_dicts_and_copies_get_fresh_distinct_versions() {
    // a new dict; the result of d.copy()
    let d = abc();
    let mut seen = HashSet::new();
    assert!(seen.insert(d.version()));
    for _ in 0..100 {
        assert!(seen.insert(Dict::<u8, u8>::new().version()));
        assert!(seen.insert(d.clone().version()));
        assert!(seen.insert(Dict::<u8, u8>::with_capacity(10).version()));
    }
}

#[test]
fn a_copy_keeps_the_keys_version_and_the_slots() {
    // CPython, smaller facts: a copy keeps dk_version; its slots are the original's.
    let mut d = abc();
    d.remove("a"); // leave a hole, so the copy must copy it too
    let copy = d.clone();
    assert_eq!(copy.keys_version(), d.keys_version());
    for k in ["b", "c"] {
        assert_eq!(copy.get_slot(k), d.get_slot(k));
    }
}

#[test]
fn versions_from_many_threads_never_collide() {
    let handles: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let mut d = Dict::new();
                let mut seen = vec![d.version()];
                for i in 0..3000u32 {
                    d.insert(i % 50, t);
                    seen.push(d.version());
                }
                seen
            })
        })
        .collect();
    let mut all: HashSet<Version> = HashSet::new();
    for h in handles {
        for v in h.join().unwrap() {
            assert!(all.insert(v), "{v:?} seen twice");
        }
    }
}

#[test]
fn every_mut_access_bumps_the_version_but_not_the_keys_version() {
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| *d.get_mut("a").unwrap() += 1),
        (true, false)
    );
    assert_eq!(
        changes(&mut d, |d| assert!(d.get_mut("nope").is_none())),
        (false, false)
    );
    assert_eq!(
        changes(&mut d, |d| d.iter_mut().for_each(|(_, v)| *v += 1)),
        (true, false)
    );
    assert_eq!(
        changes(&mut d, |d| d.values_mut().for_each(|v| *v += 1)),
        (true, false)
    );
    assert_eq!(
        changes(&mut d, |d| d.retain_mut(|_, _| true)),
        (true, false)
    );
    assert_eq!(
        changes(&mut d, |d| *d.slot_mut(0).unwrap().1 += 1),
        (true, false)
    );
    assert_eq!(
        changes(&mut d, |d| *d.entry("b".into()).or_default() += 1),
        (true, false)
    );
    assert_eq!(
        changes(&mut d, |d| drop(
            d.entry("b".into()).and_modify(|v| *v += 1)
        )),
        (true, false)
    );
    assert_eq!(
        changes(&mut d, |d| {
            d.entry("nope".into());
        }),
        (false, false)
    );
    let mut empty: Dict<String, i32> = Dict::new();
    assert_eq!(
        changes(&mut empty, |d| d.iter_mut().for_each(|_| ())),
        (false, false)
    );
}

#[test]
fn retain_bumps_the_version_and_the_keys_version_only_when_it_drops_something() {
    // `retain` lends `&mut V` (as std's and indexmap's do), so the version moves either way.
    let mut d = abc();
    assert_eq!(changes(&mut d, |d| d.retain(|_, _| true)), (true, false));
    assert_eq!(changes(&mut d, |d| d.retain(|k, _| k != "b")), (true, true));
    let mut empty: Dict<String, i32> = Dict::new();
    assert_eq!(
        changes(&mut empty, |d| d.retain(|_, _| false)),
        (false, false)
    );
}

/// A dict with a hole before its last entries: `{"a", "c", "d", "e"}` once "b" is removed,
/// so that positions and slots differ.
fn with_a_hole() -> Dict<String, i32> {
    let mut d = abc();
    d.insert("d".into(), 4);
    d.insert("e".into(), 5);
    d.remove("b");
    d
}

#[test]
fn positional_reads_bump_nothing_and_mutable_ones_bump_the_version() {
    let mut d = with_a_hole();
    assert_eq!(
        changes(&mut d, |d| {
            assert_eq!(d.get_index(1), Some((&"c".to_string(), &3)));
            assert_eq!(d.get_index_of("d"), Some(2));
            assert_eq!(d.get_full("e").map(|(p, _, _)| p), Some(3));
            assert_eq!(d[3], 5);
        }),
        (false, false)
    );
    assert_eq!(
        changes(&mut d, |d| *d.get_index_mut(2).unwrap().1 = 40),
        (true, false)
    );
    assert_eq!(changes(&mut d, |d| d[0] = 10), (true, false));
    assert_eq!(
        changes(&mut d, |d| assert!(d.get_index_mut(9).is_none())),
        (false, false)
    );
    assert_eq!(
        changes(&mut d, |d| assert!(d.first_mut().is_some())),
        (true, false)
    );
}

#[test]
fn positional_operations_that_move_or_remove_keys_bump_both_tags() {
    type Op = fn(&mut Dict<String, i32>);
    let moving: [(&str, Op); 11] = [
        ("swap_remove_index", |d| {
            assert!(d.swap_remove_index(0).is_some())
        }),
        ("shift_remove_index", |d| {
            assert!(d.shift_remove_index(1).is_some())
        }),
        ("swap_remove", |d| assert_eq!(d.swap_remove("c"), Some(3))),
        ("swap_indices", |d| d.swap_indices(0, 3)),
        ("move_index", |d| d.move_index(3, 1)),
        ("shift_insert", |d| {
            assert_eq!(d.shift_insert(0, "z".into(), 0), None)
        }),
        ("truncate", |d| d.truncate(2)),
        ("drain", |d| assert_eq!(d.drain(1..3).count(), 2)),
        ("sort_keys", |d| d.sort_by(|a, _, b, _| b.cmp(a))),
        ("reverse", |d| d.reverse()),
        ("replace_index", |d| {
            assert_eq!(d.replace_index(1, "y".into()), Ok("c".into()))
        }),
    ];
    for (name, op) in moving {
        let mut d = with_a_hole();
        assert_eq!(changes(&mut d, op), (true, true), "{name}");
        if let Err(broken) = d.check_invariants() {
            panic!("{name}: {broken}");
        }
    }
    // Nothing to do: nothing bumped.
    let mut d = with_a_hole();
    assert_eq!(changes(&mut d, |d| d.truncate(10)), (false, false));
    assert_eq!(changes(&mut d, |d| d.move_index(2, 2)), (false, false));
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.drain(2..2).count(), 0)),
        (false, false)
    );
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.swap_remove_index(4), None)),
        (false, false)
    );
}

#[test]
fn drain_bumps_when_non_empty() {
    let mut d = abc();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.drain(..).count(), 3)),
        (true, true)
    );
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.drain(..).count(), 0)),
        (false, false)
    );
}

#[test]
fn squeezing_out_holes_bumps_only_the_keys_version() {
    let mut d = abc();
    // No hole: growing or shrinking the arrays moves no slot.
    assert_eq!(changes(&mut d, |d| d.reserve(1000)), (false, false));
    assert_eq!(changes(&mut d, |d| d.shrink_to_fit()), (false, false));
    d.insert("d".to_string(), 4);
    d.remove("b");
    let slot_of_c = d.get_slot("c");
    // A hole: reserving past the entries array's room squeezes it out, and `c` moves.
    assert_eq!(changes(&mut d, |d| d.reserve(1000)), (false, true));
    assert_ne!(d.get_slot("c"), slot_of_c);
    assert_eq!(changes(&mut d, |d| d.reserve(10)), (false, false)); // room already there
    d.remove("a");
    assert_eq!(changes(&mut d, |d| d.shrink_to_fit()), (false, true));
    assert_eq!(changes(&mut d, |d| d.shrink_to_fit()), (false, false)); // already tight
    assert_eq!(
        d.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(),
        [("c", 3), ("d", 4)]
    );
}

#[test]
fn a_growing_insert_moves_slots_and_bumps_the_keys_version() {
    let mut d: Dict<u32, u32> = Dict::new();
    let mut last_keys_version = d.keys_version();
    for i in 0..1000 {
        d.insert(i, i);
        assert_ne!(d.keys_version(), last_keys_version);
        last_keys_version = d.keys_version();
    }
    // Overwrites never touch it, however many.
    for i in 0..1000 {
        d.insert(i, i + 1);
    }
    assert_eq!(d.keys_version(), last_keys_version);
}

#[test]
fn range_edits_and_entry_moves_bump_both_tags_when_they_change_keys() {
    use vdict::Entry;
    type Op = fn(&mut Dict<String, i32>);
    let moving: [(&str, Op); 7] = [
        ("extract_if", |d| {
            assert_eq!(d.extract_if(.., |k, _| k == "c").count(), 1)
        }),
        ("splice", |d| {
            assert_eq!(d.splice(1..2, [("z".to_string(), 9)]).count(), 1)
        }),
        ("insert_entry (new key)", |d| {
            assert_eq!(d.entry("z".into()).insert_entry(9).index(), 4)
        }),
        ("OccupiedEntry::move_index", |d| match d.entry("e".into()) {
            Entry::Occupied(e) => e.move_index(0),
            Entry::Vacant(_) => unreachable!(),
        }),
        ("OccupiedEntry::swap_indices", |d| {
            match d.entry("a".into()) {
                Entry::Occupied(e) => e.swap_indices(3),
                Entry::Vacant(_) => unreachable!(),
            }
        }),
        ("VacantEntry::shift_insert", |d| match d.entry("z".into()) {
            Entry::Vacant(e) => assert_eq!(*e.shift_insert(1, 9), 9),
            Entry::Occupied(_) => unreachable!(),
        }),
        ("VacantEntry::replace_index", |d| {
            match d.entry("z".into()) {
                Entry::Vacant(e) => assert_eq!(e.replace_index(1).0, "c"),
                Entry::Occupied(_) => unreachable!(),
            }
        }),
    ];
    for (name, op) in moving {
        let mut d = with_a_hole();
        assert_eq!(changes(&mut d, op), (true, true), "{name}");
        if let Err(broken) = d.check_invariants() {
            panic!("{name}: {broken}");
        }
    }
}

#[test]
fn range_edits_that_only_lend_or_overwrite_bump_the_version_only() {
    // `extract_if` lends `&mut V` over its range: the version moves even if nothing goes.
    let mut d = with_a_hole();
    assert_eq!(
        changes(&mut d, |d| assert_eq!(
            d.extract_if(.., |_, _| false).count(),
            0
        )),
        (true, false)
    );
    // Over an empty range it lends nothing.
    assert_eq!(
        changes(&mut d, |d| assert_eq!(
            d.extract_if(2..2, |_, _| true).count(),
            0
        )),
        (false, false)
    );
    // A splice of nothing into nothing changes nothing; one that only overwrites a key
    // outside the range changes a value, not the keys.
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.splice(1..1, []).count(), 0)),
        (false, false)
    );
    assert_eq!(
        changes(&mut d, |d| {
            assert_eq!(d.splice(1..1, [("a".to_string(), 7)]).count(), 0)
        }),
        (true, false)
    );
    assert_eq!(d["a"], 7);
    // insert_entry of a present key overwrites: the version only.
    assert_eq!(
        changes(&mut d, |d| assert_eq!(
            *d.entry("a".into()).insert_entry(8).get(),
            8
        )),
        (true, false)
    );
}

#[test]
fn a_set_changes_its_tags_as_its_dict_does() {
    let mut s: vdict::Set<String> = ["a", "b", "c"].iter().map(|x| x.to_string()).collect();
    let tags = |s: &vdict::Set<String>| (s.version(), s.keys_version());
    let before = tags(&s);
    // Inserting a present element changes nothing (unlike a dict insert, which overwrites).
    assert!(!s.insert("b".into()));
    assert_eq!(tags(&s), before);
    assert!(s.contains("a") && s.get_index_of("c") == Some(2));
    assert_eq!(tags(&s), before);
    assert!(s.remove("a"));
    let after_remove = tags(&s);
    assert!(after_remove.0 != before.0 && after_remove.1 != before.1);
    // Replacing an element with an equal one swaps the stored element: both tags.
    assert_eq!(s.replace("b".into()), Some("b".into()));
    assert!(tags(&s).0 != after_remove.0 && tags(&s).1 != after_remove.1);
}

#[test]
fn mutable_slices_bump_the_version_only_and_empty_ones_nothing() {
    let mut d = with_a_hole();
    assert_eq!(changes(&mut d, |d| d.as_mut_slice()[1] += 1), (true, false));
    assert_eq!(
        changes(&mut d, |d| assert_eq!(
            d.get_range_mut(1..3).unwrap().len(),
            2
        )),
        (true, false)
    );
    assert_eq!(
        changes(&mut d, |d| assert!(d
            .get_range_mut(2..2)
            .unwrap()
            .is_empty())),
        (false, false)
    );
    assert_eq!(
        changes(&mut d, |d| assert!(d.get_range_mut(3..9).is_none())),
        (false, false)
    );
    // Reading through a shared slice changes nothing.
    assert_eq!(
        changes(&mut d, |d| assert_eq!(d.as_slice().len(), 4)),
        (false, false)
    );
}

#[test]
fn tags_move_with_changes_nobody_read_and_reads_move_nothing() {
    // vdict's own rules (no CPython row): tags read after a run of unread changes differ from
    // those before it, reading them moves nothing, and versions grow on one thread.
    let mut d: Dict<u32, u32> = Dict::new();
    let (v0, k0) = (d.version(), d.keys_version());
    for i in 0..50 {
        d.insert(i, i); // no read between the changes
    }
    d.insert(7, 70);
    let (v1, k1) = (d.version(), d.keys_version());
    assert_ne!(v1, v0);
    assert_ne!(k1, k0);
    assert_eq!(
        (d.version(), d.keys_version()),
        (v1, k1),
        "a read moved a tag"
    );
    // Another dict changed and read meanwhile takes a version of its own.
    let mut other: Dict<u32, u32> = Dict::new();
    other.insert(1, 1);
    assert!(![v0, v1, k0, k1].contains(&other.version()));
    // On one thread, a later change takes a greater version.
    d.insert(99, 99);
    assert!(d.version() > other.version());
}

#[test]
fn caches_miss_after_changes_nobody_read() {
    use vdict::cache::{SlotCache, VersionCache};
    use vdict::hash_key;
    let mut globals: Dict<String, i32> = Dict::new();
    let builtins: Dict<String, i32> = Dict::new();
    globals.insert("x".into(), 1);
    let mut version_site = VersionCache::new();
    let slot_site = SlotCache::new();
    version_site
        .fill(&globals, &builtins, "x", hash_key("x"))
        .unwrap();
    slot_site
        .fill(&globals, &builtins, "x", hash_key("x"))
        .unwrap();
    assert_eq!(version_site.hit(&globals, &builtins), Some(&1));
    assert_eq!(slot_site.hit(&globals, &builtins), Some(&1));

    // An overwrite nobody reads the version of: the version site misses, the slot site
    // (keys unchanged) reads the new value.
    globals.insert("x".into(), 2);
    assert_eq!(version_site.hit(&globals, &builtins), None);
    assert_eq!(slot_site.hit(&globals, &builtins), Some(&2));

    // `x` deleted and bound again (another slot), again unread: both miss.
    version_site
        .fill(&globals, &builtins, "x", hash_key("x"))
        .unwrap();
    globals.insert("y".into(), 0);
    globals.remove("x");
    globals.insert("x".into(), 3);
    assert_eq!(version_site.hit(&globals, &builtins), None);
    assert_eq!(slot_site.hit(&globals, &builtins), None);
    assert_eq!(
        slot_site.fill(&globals, &builtins, "x", hash_key("x")),
        Ok(&3)
    );
    assert_eq!(slot_site.hit(&globals, &builtins), Some(&3));
}
