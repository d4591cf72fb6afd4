//! The public API as a user of std's `HashMap` or indexmap would exercise it: order, entries,
//! iterators, traits, slots, capacity and memory.

use vdict::{Dict, Entry};

fn order<K: Clone, V, S>(d: &Dict<K, V, S>) -> Vec<K> {
    d.keys().cloned().collect()
}

#[test]
fn insertion_order_overwrite_keeps_place_reinsert_goes_last() {
    let mut d = Dict::new();
    for k in ["x", "y", "z"] {
        d.insert(k, 0);
    }
    d.insert("x", 1);
    assert_eq!(order(&d), ["x", "y", "z"]);
    d.remove("x");
    d.insert("x", 2);
    assert_eq!(order(&d), ["y", "z", "x"]);
    assert_eq!(d.first(), Some((&"y", &0)));
    assert_eq!(d.last(), Some((&"x", &2)));
}

#[test]
fn string_keys_are_found_by_str() {
    let mut d: Dict<String, u32> = Dict::new();
    d.insert("len".to_string(), 1);
    assert_eq!(d.get("len"), Some(&1));
    assert_eq!(d.get_key_value("len"), Some((&"len".to_string(), &1)));
    assert!(d.contains_key("len"));
    assert_eq!(d.remove("len"), Some(1));
    assert!(d.is_empty());
}

#[test]
fn entry_api_covers_both_cases() {
    let mut d: Dict<&str, Vec<u32>> = Dict::new();
    d.entry("a").or_default().push(1);
    d.entry("a").or_default().push(2);
    d.entry("b").or_insert_with(|| vec![0]).push(3);
    assert_eq!(
        *d.entry("c").or_insert_with_key(|k| vec![k.len() as u32]),
        vec![1]
    );
    assert_eq!(d["a"], vec![1, 2]);
    match d.entry("a") {
        Entry::Occupied(mut e) => {
            assert_eq!(e.key(), &"a");
            assert_eq!(e.slot(), 0);
            assert_eq!(e.get(), &vec![1, 2]);
            e.get_mut().push(4);
            assert_eq!(e.insert(vec![9]), vec![1, 2, 4]);
            assert_eq!(e.remove_entry(), ("a", vec![9]));
        }
        Entry::Vacant(_) => panic!("a is present"),
    }
    match d.entry("zz") {
        Entry::Vacant(e) => {
            assert_eq!(e.key(), &"zz");
            e.insert(vec![]).push(5);
        }
        Entry::Occupied(_) => panic!("zz is absent"),
    }
    assert_eq!(order(&d), ["b", "c", "zz"]);
    assert_eq!(d.entry("b").key(), &"b");
    assert!(format!("{:?}", d.entry("b").and_modify(|v| v.clear())).starts_with("Occupied"));
    assert!(d["b"].is_empty());
}

#[test]
fn iterators_are_exact_double_ended_and_skip_holes() {
    let mut d: Dict<u32, u32> = (0..10).map(|i| (i, i * 10)).collect();
    for k in [0, 3, 9] {
        d.remove(&k);
    }
    let expected: Vec<u32> = vec![1, 2, 4, 5, 6, 7, 8];
    let mut it = d.iter();
    assert_eq!(it.len(), 7);
    assert_eq!(it.next(), Some((&1, &10)));
    assert_eq!(it.next_back(), Some((&8, &80)));
    assert_eq!(it.len(), 5);
    assert_eq!(
        d.keys().rev().copied().collect::<Vec<_>>(),
        expected.iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!(
        d.values().copied().collect::<Vec<_>>(),
        expected.iter().map(|k| k * 10).collect::<Vec<_>>()
    );
    for (k, v) in &mut d {
        *v += k;
    }
    for v in d.values_mut() {
        *v += 1;
    }
    assert_eq!(d[&4], 45);
    assert_eq!(d.clone().into_keys().collect::<Vec<_>>(), expected);
    assert_eq!(d.clone().into_values().len(), 7);
    let pairs: Vec<(u32, u32)> = d.into_iter().collect();
    assert_eq!(pairs.len(), 7);
    assert_eq!(pairs[0], (1, 12));
}

#[test]
fn equality_ignores_order_like_python() {
    let a: Dict<&str, i32> = Dict::from([("x", 1), ("y", 2)]);
    let b: Dict<&str, i32> = Dict::from([("y", 2), ("x", 1)]);
    let c: Dict<&str, i32> = Dict::from([("y", 2), ("x", 3)]);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(a, Dict::from([("x", 1)]));
}

#[test]
fn debug_prints_like_a_map_in_order() {
    let mut d = Dict::new();
    d.insert("b", 2);
    d.insert("a", 1);
    assert_eq!(format!("{d:?}"), r#"{"b": 2, "a": 1}"#);
    assert_eq!(format!("{:?}", d.iter()), r#"[("b", 2), ("a", 1)]"#);
}

#[test]
#[should_panic(expected = "key not found")]
fn index_of_a_missing_key_panics_clearly() {
    let d: Dict<&str, i32> = Dict::new();
    let _ = d["missing"];
}

#[test]
fn extend_from_pairs_and_references() {
    let mut d: Dict<u32, u32> = Dict::new();
    d.extend([(1, 1), (2, 2)]);
    let more = [(3, 3), (1, 10)];
    d.extend(more.iter().map(|(k, v)| (k, v)));
    assert_eq!(
        d.iter().map(|(&k, &v)| (k, v)).collect::<Vec<_>>(),
        [(1, 10), (2, 2), (3, 3)]
    );
}

/// A clone is its original slot for slot, holes included (what lets the two share a keys
/// version), whether it was copied untested (no holes) or slot by slot (holes).
#[test]
fn a_clone_has_its_originals_slots_with_or_without_holes() {
    let same_slots = |a: &Dict<String, String>, b: &Dict<String, String>| {
        assert_eq!(a.slot_count(), b.slot_count());
        for slot in 0..a.slot_count() {
            assert_eq!(a.slot(slot), b.slot(slot), "slot {slot}");
        }
        assert_eq!(a.keys_version(), b.keys_version());
        assert_eq!(a.len(), b.len());
    };
    let mut d: Dict<String, String> = (0..40).map(|i| (i.to_string(), format!("v{i}"))).collect();
    let copy = d.clone();
    same_slots(&d, &copy);
    d.insert("40".into(), "v40".into());
    assert_ne!(d.keys_version(), copy.keys_version());
    drop(copy);

    for i in (3..40).step_by(7) {
        d.remove(&i.to_string());
    }
    assert!(d.slot_count() > d.len(), "holes remain to be copied");
    let mut copy = d.clone();
    same_slots(&d, &copy);
    // Each is a dict of its own from here.
    copy.insert("new".into(), "n".into());
    assert!(!d.contains_key("new"));
    assert_eq!(copy.get("5").map(String::as_str), Some("v5"));
}

#[test]
fn slots_are_stable_until_the_keys_version_moves() {
    let mut d: Dict<&str, u32> = Dict::new();
    d.insert("a", 1);
    d.insert("b", 2);
    d.insert("c", 3);
    d.remove("b");
    assert_eq!(d.get_slot("c"), Some(2));
    assert_eq!(d.slot(1), None, "a hole reads as None");
    assert_eq!(d.slot(2), Some((&"c", &3)));
    assert_eq!(d.slot(99), None);
    assert_eq!(d.slot_count(), 3);
    d.shrink_to_fit(); // squeezes the hole out: "c" moves to slot 1
    assert_eq!(d.get_slot("c"), Some(1));
    assert_eq!(d.slot_count(), 2);
}

#[test]
fn pop_last_on_a_dict_with_holes_is_lifo_over_live_entries() {
    let mut d: Dict<u32, ()> = (0..10).map(|k| (k, ())).collect();
    d.remove(&9);
    d.remove(&8);
    d.remove(&5);
    let popped: Vec<u32> = std::iter::from_fn(|| d.pop_last().map(|(k, _)| k)).collect();
    assert_eq!(popped, [7, 6, 4, 3, 2, 1, 0]);
}

#[test]
fn with_capacity_holds_that_many_without_rebuilding() {
    let mut d: Dict<u32, u32> = Dict::with_capacity(1000);
    assert!(d.capacity() >= 1000);
    let keys_version = d.keys_version();
    let heap = d.heap_bytes();
    for i in 0..1000 {
        d.insert(i, i);
    }
    assert_eq!(d.heap_bytes(), heap, "no reallocation");
    // Each insert bumps the keys version, but none of them moved a slot:
    assert_ne!(d.keys_version(), keys_version);
    assert!((0..1000).all(|i| d.get_slot(&i) == Some(i as usize)));
}

#[test]
fn a_new_dict_owns_no_heap_and_shrink_to_fit_gives_it_back() {
    let mut d: Dict<u64, u64> = Dict::new();
    assert_eq!(d.heap_bytes(), 0);
    assert_eq!(d.capacity(), 0);
    d.insert(1, 1);
    // The first entries array holds 4 entries of 24 bytes; the index, a few buckets of a
    // 2-byte slot and a control byte each, plus one group (16) of trailing control bytes.
    let buckets = d.index_cells().len();
    assert!(d.capacity() >= 1);
    assert!(
        (4 * 24 + buckets * 3..=4 * 24 + buckets * 3 + 32).contains(&d.heap_bytes()),
        "{} bytes",
        d.heap_bytes()
    );
    d.remove(&1);
    d.shrink_to_fit();
    assert_eq!(d.heap_bytes(), 0);
    d.insert(2, 2);
    assert_eq!(d.get(&2), Some(&2));
}

#[test]
fn slot_width_grows_with_the_entries_array() {
    // (entries, bytes per slot): 2-byte slots while the entries array holds at most 65,536
    // entries, 4-byte slots beyond.
    for (n, slot_bytes) in [(50_000usize, 2usize), (100_000, 4)] {
        let d: Dict<u64, u64> = (0..n as u64).map(|i| (i, i)).collect();
        let buckets = d.index_cells().len();
        // hashbrown keeps at most 7/8 of the buckets full, in a power of two of buckets.
        assert_eq!(buckets, (n * 8 / 7).next_power_of_two(), "{n} entries");
        let index_bytes = buckets * (slot_bytes + 1);
        // The entries array grows by a quarter: between n and 1.25 n entries of 24 bytes.
        let low = n * 24 + index_bytes;
        let high = n * 24 * 5 / 4 + index_bytes + 64;
        assert!(
            (low..=high).contains(&d.heap_bytes()),
            "{n} entries: {} bytes, expected {low}..={high}",
            d.heap_bytes()
        );
        d.check_invariants().unwrap();
    }
}

#[test]
fn big_tables_with_deletions_find_every_key() {
    // Tables on both sides of the slot-width change, with a third of their keys removed
    // (tombstones in the index, holes in the entries): every key left is found, every
    // absent one missed.
    for n in [50_000u64, 400_000] {
        let mut d: Dict<u64, u64> = (0..n).map(|i| (i * 7, i)).collect();
        for i in (0..n).step_by(3) {
            assert_eq!(d.remove(&(i * 7)), Some(i));
        }
        for i in 0..n {
            let expected = (i % 3 != 0).then_some(i);
            assert_eq!(
                d.get(&(i * 7)).copied(),
                expected,
                "{n} keys, key {}",
                i * 7
            );
            assert_eq!(d.get(&(i * 7 + 1)), None);
        }
        d.check_invariants().unwrap();
    }
}

#[test]
fn a_squeeze_past_a_live_prefix_renumbers_a_wide_index() {
    // 4-byte slots (more than 65,536 entries), and holes only past the first 60,000 entries:
    // the squeeze moves (and renumbers) only the slots after that live prefix, and every key
    // must still be found at its new slot.
    let n = 100_000u64;
    let mut d: Dict<u64, u64> = (0..n).map(|i| (i * 3, i)).collect();
    let kept = |i: u64| i < 60_000 || i % 10 == 0;
    let mut squeezes = 0;
    for i in (60_000..n).filter(|&i| !kept(i)) {
        let slots_before = d.slot_count();
        assert_eq!(d.remove(&(i * 3)), Some(i));
        if d.slot_count() < slots_before - 1 {
            squeezes += 1;
            d.check_invariants().unwrap();
        }
    }
    assert!(squeezes > 0, "the removals never squeezed");
    let expected: Vec<u64> = (0..n).filter(|&i| kept(i)).collect();
    assert!(d.values().copied().eq(expected.iter().copied()));
    for (position, &i) in expected.iter().enumerate() {
        assert_eq!(d.get(&(i * 3)), Some(&i));
        assert_eq!(d.get_index_of(&(i * 3)), Some(position));
        assert_eq!(d.get(&(i * 3 + 1)), None);
    }
    d.check_invariants().unwrap();
}

#[test]
fn mass_deletion_compacts_so_iteration_stays_cheap() {
    let mut d: Dict<u64, u64> = (0..100_000).map(|i| (i, i)).collect();
    for i in 0..100_000 {
        if i % 1000 != 0 {
            d.remove(&i);
        }
    }
    assert_eq!(d.len(), 100);
    // Holes never exceed half the live entries by much (compaction), so slot_count stays small.
    assert!(
        d.slot_count() <= d.len() + d.len() / 2 + 8,
        "slot_count {}",
        d.slot_count()
    );
    assert!(d.keys().copied().eq((0..100_000).step_by(1000)));
    d.check_invariants().unwrap();
}

/// Every position of `d` (whose values equal their keys) holds the key `model` has there,
/// both ways: `get_index` and `get_index_of`.
fn assert_positions_match(d: &Dict<u32, u32>, model: &[u32]) {
    for (position, key) in model.iter().enumerate() {
        assert_eq!(
            d.get_index(position),
            Some((key, key)),
            "position {position}"
        );
        assert_eq!(d.get_index_of(key), Some(position));
    }
}

/// Both ways a removal ends (the last entry popped with the holes before it, or a hole made
/// in the middle), each with the positions' ranks already built by a positional read: the
/// positions must follow, checked against a `Vec` kept in order.
#[test]
fn removals_at_the_end_and_in_the_middle_keep_positions_right() {
    let mut d: Dict<u32, u32> = (0..40).map(|k| (k, k)).collect();
    let mut model: Vec<u32> = (0..40).collect();
    // Middle, middle, the last entry (with a hole before it), the new last entry, middle...
    for key in [5, 20, 39, 38, 10, 37, 36, 0, 35] {
        assert_eq!(
            d.get_index(model.len() / 2).map(|(k, _)| *k),
            Some(model[model.len() / 2])
        );
        assert_eq!(d.remove(&key), Some(key));
        model.retain(|&k| k != key);
        d.check_invariants().unwrap();
        assert_positions_match(&d, &model);
    }
}

#[test]
fn a_small_dict_counts_positions_past_its_holes_and_keeps_them_as_it_grows() {
    // A dict of a few keys answers positional questions past a hole by counting live slots
    // (it keeps no ranks); once appends grow its entries array past that size with the holes
    // still in it, it must keep ranks (`check_invariants` audits that they exist), and every
    // answer stays the same.
    let mut d: Dict<u32, u32> = Dict::new();
    let mut model: Vec<u32> = Vec::new();
    for key in 0..200u32 {
        d.insert(key, key);
        model.push(key);
        // Now and then a deletion in the middle, few enough that growing never squeezes.
        if key % 23 == 11 {
            let gone = model.remove(model.len() / 2);
            assert_eq!(d.remove(&gone), Some(gone));
        }
        d.check_invariants().unwrap();
        assert_positions_match(&d, &model);
        assert_eq!(d.get_index(model.len()), None);
    }
    assert!(
        d.slot_count() > d.len(),
        "the holes were squeezed out: the test lost its point"
    );
}

#[test]
fn holes_never_exceed_twice_the_live_entries_after_a_removal() {
    // Removal patterns that leave holes everywhere: every other key, two of every three, and
    // from the front. After each removal the entries array holds at most two holes per live
    // entry (plus the few a small dict keeps; the holes an iteration tests are fewer still:
    // see `src/dict/table/holes.rs`), and the compaction in place keeps every key reachable.
    for (size, keep_every) in [(1_000u64, 2u64), (3_000, 3), (500, 1_000), (40, 2)] {
        let mut d: Dict<u64, u64> = (0..size).map(|i| (i, i)).collect();
        for i in (0..size).filter(|i| i % keep_every != 0) {
            assert_eq!(d.remove(&i), Some(i));
            let bound = 3 * d.len() + 16;
            assert!(
                d.slot_count() <= bound,
                "{} slots for {} live entries after removing {i}",
                d.slot_count(),
                d.len()
            );
        }
        assert!(d.keys().copied().eq((0..size).step_by(keep_every as usize)));
        assert!((0..size)
            .step_by(keep_every as usize)
            .all(|i| d.get(&i) == Some(&i)));
        d.check_invariants().unwrap();
    }
}

#[test]
fn precomputed_hashes_match_plain_calls() {
    let mut d: Dict<String, u32> = Dict::new();
    let h = d.hash_key("name");
    assert_eq!(d.insert_with_hash(h, "name".to_string(), 1), None);
    assert_eq!(d.get("name"), Some(&1));
    assert_eq!(d.get_with_hash(h, "name"), Some(&1));
    assert!(d.contains_key_with_hash(h, "name"));
    assert_eq!(d.get_slot_with_hash(h, "name"), Some(0));
    *d.get_mut_with_hash(h, "name").unwrap() = 5;
    assert_eq!(d.remove_with_hash(h, "name"), Some(5));
    // A wrong hash misses; it never finds another key.
    d.insert("other".to_string(), 2);
    assert_eq!(d.get_with_hash(h ^ 1, "other"), None);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "not this dict's hash")]
fn insert_with_a_wrong_hash_panics_in_debug_builds() {
    let mut d: Dict<String, u32> = Dict::new();
    let wrong = d.hash_key("a") ^ 1;
    d.insert_with_hash(wrong, "a".to_string(), 1);
}

#[test]
fn dicts_sharing_a_hasher_share_precomputed_hashes() {
    let hasher = vdict::DefaultHashBuilder::default();
    let mut globals: Dict<&str, u32> = Dict::with_hasher(hasher.clone());
    let mut builtins: Dict<&str, u32> = Dict::with_hasher(hasher);
    globals.insert("x", 1);
    builtins.insert("len", 2);
    let h = globals.hash_key("len");
    assert_eq!(globals.get_with_hash(h, "len"), None);
    assert_eq!(builtins.get_with_hash(h, "len"), Some(&2));
}

#[test]
fn zero_sized_keys_and_values_work() {
    let mut d: Dict<(), ()> = Dict::new();
    assert_eq!(d.insert((), ()), None);
    assert_eq!(d.insert((), ()), Some(()));
    assert_eq!(d.len(), 1);
    assert_eq!(d.remove(&()), Some(()));
    d.check_invariants().unwrap();
}

/// A dict is `Sync`, and its positional reads build their lookup structures (the rank tree,
/// then the flat table of positions) lazily through `&self`: several threads asking at once
/// must build them once, publish them whole, and every answer must be a scan's.
#[test]
fn positional_reads_from_several_threads_agree_with_a_scan() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    for round in 0..20u64 {
        let mut d: Dict<u64, u64> = (0..2_000).map(|k| (k, k * 3)).collect();
        // Holes at a stride that changes each round, made one at a time (a `retain` that
        // deletes more than a few in a hundred squeezes them out at once), and too few to be
        // squeezed out.
        for k in (3..2_000).step_by(7 + round as usize) {
            d.remove(&k);
        }
        let scan: Vec<(u64, u64)> = d.iter().map(|(&k, &v)| (k, v)).collect();
        assert!(d.slot_count() > d.len(), "no holes to read past");
        assert_send_sync(&d);
        std::thread::scope(|s| {
            for t in 0..4usize {
                let (d, scan) = (&d, &scan);
                s.spawn(move || {
                    // Enough reads that the flat table gets built part way through, by
                    // whichever thread gets there first.
                    for i in 0..4 * scan.len() {
                        let position = (i * 7919 + t * 104_729) % scan.len();
                        let (k, v) = d.get_index(position).expect("in bounds");
                        assert_eq!((*k, *v), scan[position], "position {position}");
                        assert_eq!(d.get_index_of(k), Some(position));
                    }
                    assert_eq!(d.get_index(scan.len()), None);
                });
            }
        });
        d.check_invariants().unwrap();
    }
}

/// Dicts big enough for removals to slide the gap of holes (past 64 slots), driven by a random
/// mix of inserts, order-keeping removals (of random keys, and of every other key in short
/// runs front to back, which slide the gap), `pop_last`, `extract_if` and `retain`, against
/// indexmap as the model: after every step the same entries in the same order, every key
/// found, and the table's invariants (which audit the gap) hold. (The fuzzers' and the
/// proptest model's dicts hold at most 24 keys: too few to slide outside `cfg(fuzzing)`.)
#[test]
fn big_dicts_with_holes_match_indexmap_through_removals_that_slide() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut random = move |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    let mut d: Dict<u64, u64> = Dict::new();
    let mut model: indexmap::IndexMap<u64, u64> = indexmap::IndexMap::new();
    // The mix keeps about 100 live keys in over 64 slots with holes, most of the steps.
    for step in 0..6_000u64 {
        match random(40) {
            0..=21 => {
                let k = random(400);
                assert_eq!(d.insert(k, step), model.insert(k, step));
            }
            22..=35 => {
                let k = random(400);
                assert_eq!(d.remove(&k), model.shift_remove(&k));
            }
            36 => {
                // A run of removals in order: every other key from a random position on,
                // each hole just past the one before, where a removal slides the gap
                // (random holes mostly do not).
                let start = random(model.len() as u64 + 1) as usize;
                let run = random(12) as usize + 1;
                for at in start..start + run {
                    let Some((&k, _)) = model.get_index(at) else {
                        break;
                    };
                    assert_eq!(d.remove(&k), model.shift_remove(&k));
                }
            }
            37 => assert_eq!(d.pop_last(), model.pop()),
            38 => {
                let (at, every) = (random(3), random(8) + 6);
                let taken: Vec<_> = d.extract_if(.., |k, _| k % every == at).collect();
                let expected: Vec<_> = model.extract_if(.., |k, _| k % every == at).collect();
                assert_eq!(taken, expected);
            }
            _ => {
                let drop_every = random(8) + 6;
                d.retain(|k, _| k % drop_every != 0);
                model.retain(|k, _| k % drop_every != 0);
            }
        }
        d.check_invariants().unwrap();
        assert!(d.iter().eq(model.iter()), "step {step}");
        assert!(d.values().rev().eq(model.values().rev()), "step {step}");
        if step % 97 == 0 {
            assert!(model.iter().all(|(k, v)| d.get(k) == Some(v)));
        }
    }
}
