//! The caches never return a stale value: named scenarios for each way a global can change
//! under a cache, then a proptest that interleaves random mutations of both dicts with loads
//! through both caches and compares every load with a plain uncached lookup.

mod common;

use common::checks::cache_ops::{check, namespaces, AnyCache, Namespace, Step, NAMES};
use proptest::prelude::*;
use vdict::cache::{CacheStats, SlotCache, VersionCache};

#[test]
fn a_global_shadowing_a_builtin_is_seen_at_once_and_so_is_its_deletion() {
    for mut cache in AnyCache::both() {
        let (mut globals, builtins) = namespaces();
        assert_eq!(cache.load(&globals, &builtins, "len"), Ok(100));
        assert_eq!(cache.load(&globals, &builtins, "len"), Ok(100));
        globals.insert("len".into(), 1);
        assert_eq!(cache.load(&globals, &builtins, "len"), Ok(1));
        globals.remove("len");
        assert_eq!(cache.load(&globals, &builtins, "len"), Ok(100));
    }
}

#[test]
fn an_overwritten_global_is_seen_and_the_slot_cache_keeps_hitting() {
    for mut cache in AnyCache::both() {
        let (mut globals, builtins) = namespaces();
        globals.insert("x".into(), 1);
        assert_eq!(cache.load(&globals, &builtins, "x"), Ok(1));
        for i in 2..12 {
            globals.insert("x".into(), i);
            assert_eq!(cache.load(&globals, &builtins, "x"), Ok(i));
        }
        let stats = cache.stats();
        match cache {
            AnyCache::Version(_) => assert_eq!(
                stats,
                CacheStats {
                    hits: 0,
                    misses: 11
                }
            ),
            AnyCache::Slot(_) => assert_eq!(
                stats,
                CacheStats {
                    hits: 10,
                    misses: 1
                }
            ),
        }
    }
}

#[test]
fn writes_to_other_names_cost_the_version_cache_a_miss_but_not_the_slot_cache() {
    for mut cache in AnyCache::both() {
        let (mut globals, builtins) = namespaces();
        globals.insert("x".into(), 1);
        globals.insert("counter".into(), 0);
        cache.load(&globals, &builtins, "x").unwrap();
        for i in 0..10 {
            globals.insert("counter".into(), i);
            assert_eq!(cache.load(&globals, &builtins, "x"), Ok(1));
        }
        let expected_hits = if matches!(cache, AnyCache::Slot(_)) {
            10
        } else {
            0
        };
        assert_eq!(cache.stats().hits, expected_hits);
    }
}

#[test]
fn builtins_changing_under_a_cached_builtin_are_seen() {
    for mut cache in AnyCache::both() {
        let (globals, mut builtins) = namespaces();
        assert_eq!(cache.load(&globals, &builtins, "abs"), Ok(200));
        builtins.insert("abs".into(), 201);
        assert_eq!(cache.load(&globals, &builtins, "abs"), Ok(201));
        builtins.remove("abs");
        assert_eq!(
            cache.load(&globals, &builtins, "abs"),
            Err("NameError: name 'abs' is not defined".to_string())
        );
    }
}

#[test]
fn clearing_globals_is_seen() {
    for mut cache in AnyCache::both() {
        let (mut globals, builtins) = namespaces();
        globals.insert("x".into(), 1);
        globals.insert("len".into(), 2);
        assert_eq!(cache.load(&globals, &builtins, "x"), Ok(1));
        globals.clear();
        assert!(cache.load(&globals, &builtins, "x").is_err());
        assert_eq!(cache.load(&globals, &builtins, "len"), Ok(100));
    }
}

#[test]
fn replacing_globals_by_another_dict_with_the_same_keys_is_seen() {
    for mut cache in AnyCache::both() {
        let (mut globals, builtins) = namespaces();
        globals.insert("x".into(), 1);
        globals.insert("y".into(), 2);
        assert_eq!(cache.load(&globals, &builtins, "y"), Ok(2));
        // Same keys, same order, same hasher, other values: a different dict.
        let mut other = Namespace::with_hasher(globals.hasher().clone());
        other.insert("x".into(), 10);
        other.insert("y".into(), 20);
        assert_eq!(cache.load(&other, &builtins, "y"), Ok(20));
        // Same keys, other order: the slots differ.
        let mut swapped = Namespace::with_hasher(globals.hasher().clone());
        swapped.insert("y".into(), 30);
        swapped.insert("x".into(), 40);
        assert_eq!(cache.load(&swapped, &builtins, "y"), Ok(30));
        assert_eq!(cache.load(&globals, &builtins, "y"), Ok(2));
        // A copy shares the keys version (same slots); its own writes are seen.
        let mut copy = globals.clone();
        *copy.get_mut("y").unwrap() = 99;
        assert_eq!(cache.load(&copy, &builtins, "y"), Ok(99));
        assert_eq!(cache.load(&globals, &builtins, "y"), Ok(2));
        globals.insert("y".into(), 3);
        assert_eq!(cache.load(&globals, &builtins, "y"), Ok(3));
    }
}

#[test]
fn rebuilds_that_move_slots_are_seen() {
    for mut cache in AnyCache::both() {
        let (mut globals, builtins) = namespaces();
        for i in 0..100 {
            globals.insert(format!("g{i}"), i);
        }
        assert_eq!(cache.load(&globals, &builtins, "g99"), Ok(99));
        let slot_before = globals.get_slot("g99");
        for i in 0..90 {
            globals.remove(&format!("g{i}")); // compaction moves g99 forward
        }
        assert_ne!(
            globals.get_slot("g99"),
            slot_before,
            "the test meant to move the slot"
        );
        assert_eq!(cache.load(&globals, &builtins, "g99"), Ok(99));
        globals.shrink_to_fit();
        assert_eq!(cache.load(&globals, &builtins, "g99"), Ok(99));
        for i in 100..1000 {
            globals.insert(format!("g{i}"), i); // growth rebuilds
        }
        assert_eq!(cache.load(&globals, &builtins, "g99"), Ok(99));
    }
}

#[test]
fn a_missing_name_is_a_name_error_that_names_it() {
    let (globals, builtins) = namespaces();
    let mut cache = SlotCache::new();
    let error = cache.load(&globals, &builtins, "nope").unwrap_err();
    assert_eq!(error.name, "nope");
    assert_eq!(error.to_string(), "NameError: name 'nope' is not defined");
    let mut cache = VersionCache::new();
    assert_eq!(
        cache.load(&globals, &builtins, "nope").unwrap_err().name,
        "nope"
    );
}

#[test]
fn invalidate_forces_a_miss_and_keeps_counting() {
    let (globals, builtins) = namespaces();
    let mut slot = SlotCache::new();
    let mut version = VersionCache::new();
    for _ in 0..2 {
        slot.load(&globals, &builtins, "len").unwrap();
        version.load(&globals, &builtins, "len").unwrap();
    }
    slot.invalidate();
    version.invalidate();
    assert!(slot.hit(&globals, &builtins).is_none());
    assert!(version.hit(&globals, &builtins).is_none());
    assert_eq!(slot.stats(), CacheStats { hits: 1, misses: 1 });
    assert_eq!(version.stats().hit_rate(), Some(0.5));
    assert_eq!(CacheStats::default().hit_rate(), None);
}

#[test]
fn an_empty_version_cache_never_hands_out_its_placeholder() {
    use std::rc::Rc;
    // Dicts of every age: fresh, written, emptied again. None of them may hit an empty cache,
    // whose placeholder (`V::default()`) is not a value any lookup found.
    let mut globals: vdict::Dict<String, Rc<str>> = vdict::Dict::new();
    let mut builtins: vdict::Dict<String, Rc<str>> =
        vdict::Dict::with_hasher(globals.hasher().clone());
    let mut cache: VersionCache<Rc<str>> = VersionCache::new();
    assert_eq!(cache.hit(&globals, &builtins), None);
    globals.insert("x".into(), "one".into());
    builtins.insert("len".into(), "builtin".into());
    assert_eq!(cache.hit(&globals, &builtins), None);

    // Filled, then invalidated: misses again, and the remembered value is dropped, not kept
    // alive by the cache.
    let value = cache.load(&globals, &builtins, "x").unwrap().clone();
    assert_eq!(Rc::strong_count(&value), 3); // the dict, the cache, `value`
    cache.invalidate();
    assert_eq!(Rc::strong_count(&value), 2);
    assert_eq!(cache.hit(&globals, &builtins), None);
    globals.clear();
    assert_eq!(cache.hit(&globals, &builtins), None);
    assert_eq!(cache.stats(), CacheStats { hits: 0, misses: 1 });
}

// ---- random interleavings ------------------------------------------------------------------

fn step() -> impl Strategy<Value = Step> {
    let name = 0..NAMES.len();
    prop_oneof![
        4 => (name.clone(), -5i64..5).prop_map(|(n, v)| Step::SetGlobal(n, v)),
        2 => name.clone().prop_map(Step::DelGlobal),
        1 => (name.clone(), -5i64..5).prop_map(|(n, v)| Step::SetBuiltin(n, v)),
        1 => name.clone().prop_map(Step::DelBuiltin),
        1 => Just(Step::PopLastGlobal),
        1 => Just(Step::ClearGlobals),
        1 => Just(Step::ShrinkGlobals),
        1 => any::<u8>().prop_map(Step::ChurnGlobals),
        1 => Just(Step::CopyGlobals),
        1 => Just(Step::RebuildGlobalsFresh),
        10 => name.prop_map(Step::Load),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_cached_load_equals_a_plain_lookup(steps in proptest::collection::vec(step(), 0..150)) {
        check(&steps);
    }
}
