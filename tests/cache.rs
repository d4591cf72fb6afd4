//! The caches never return a stale value: named scenarios for each way a global can change
//! under a cache, then a proptest that interleaves random mutations of both dicts with loads
//! through both caches and compares every load with a plain uncached lookup.

mod common;

use common::checks::cache_ops::{check, namespaces, AnyCache, How, Namespace, Step, NAMES};
use proptest::prelude::*;
use vdict::cache::{CacheStats, PairVersion, SlotCache, VersionCache};

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
            // Every fill wasted: by the back-off rule, fills at loads 1, 2, 4 and 8.
            AnyCache::Version(_) => assert_eq!(
                stats,
                CacheStats {
                    hits: Some(0),
                    misses: 11,
                    skipped_fills: 7,
                }
            ),
            AnyCache::Slot(_) => assert_eq!(
                stats,
                CacheStats {
                    hits: Some(10),
                    misses: 1,
                    skipped_fills: 0,
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
        assert_eq!(cache.stats().hits, Some(expected_hits));
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
    let cache = SlotCache::new();
    let error = cache.load(&globals, &builtins, "nope").unwrap_err();
    assert_eq!(error.name, "nope");
    assert_eq!(error.to_string(), "NameError: name 'nope' is not defined");
    let mut cache = VersionCache::new();
    assert_eq!(
        cache.load(&globals, &builtins, "nope").unwrap_err().name,
        "nope"
    );
}

/// An empty version cache holds no value, so no versions may pass its compares: not even
/// `Version::NEVER`, the one tag a caller can name without a dict (its hit reads the value
/// without testing for it once the compares pass).
#[test]
fn an_empty_version_cache_misses_even_on_never() {
    use vdict::Version;
    let (globals, builtins) = namespaces();
    let mut new = VersionCache::<i64>::new();
    assert_eq!(new.hit_versions(Version::NEVER, Version::NEVER), None);
    assert!(new.load(&globals, &builtins, "nope").is_err());
    assert_eq!(new.hit_versions(Version::NEVER, Version::NEVER), None);
    assert_eq!(
        new.hit_versions(globals.version(), builtins.version()),
        None
    );
    let mut cleared = VersionCache::counting_hits();
    cleared.load(&globals, &builtins, "len").unwrap();
    assert!(cleared
        .hit_versions(globals.version(), builtins.version())
        .is_some());
    cleared.clear();
    assert_eq!(cleared.hit_versions(Version::NEVER, Version::NEVER), None);
    assert_eq!(
        cleared.hit_versions(globals.version(), builtins.version()),
        None
    );
}

#[test]
fn clear_forces_a_miss_and_keeps_counting() {
    let (globals, builtins) = namespaces();
    let slot = SlotCache::counting_hits();
    let mut version = VersionCache::counting_hits();
    for _ in 0..2 {
        slot.load(&globals, &builtins, "len").unwrap();
        version.load(&globals, &builtins, "len").unwrap();
    }
    slot.clear();
    version.clear();
    assert!(slot.hit(&globals, &builtins).is_none());
    assert!(version.hit(&globals, &builtins).is_none());
    assert_eq!(
        slot.stats(),
        CacheStats {
            hits: Some(1),
            misses: 1,
            skipped_fills: 0
        }
    );
    assert_eq!(version.stats().hit_rate(), Some(0.5));
    assert_eq!(CacheStats::default().hit_rate(), None);
}

#[test]
fn the_version_cache_holds_a_value_only_while_it_is_fresh_and_until_cleared() {
    use std::rc::Rc;
    // Dicts of every age: fresh, written, emptied again. None of them may hit an empty cache.
    let mut globals: vdict::Dict<String, Rc<str>> = vdict::Dict::new();
    let mut builtins: vdict::Dict<String, Rc<str>> = vdict::Dict::new();
    let mut cache: VersionCache<Rc<str>> = VersionCache::new();
    assert_eq!(cache.hit(&globals, &builtins), None);
    globals.insert("x".into(), "one".into());
    builtins.insert("len".into(), "builtin".into());
    assert_eq!(cache.hit(&globals, &builtins), None);

    // Filled: the cache holds a clone. Cleared: it drops it, and misses again.
    let value = cache.load(&globals, &builtins, "x").unwrap().clone();
    assert_eq!(Rc::strong_count(&value), 3); // the dict, the cache, `value`
    cache.clear();
    assert_eq!(Rc::strong_count(&value), 2);
    assert_eq!(cache.remembered(), None);
    assert_eq!(cache.hit(&globals, &builtins), None);

    // A deleted global's value is held until the site misses, and dropped by that miss.
    cache.load(&globals, &builtins, "x").unwrap();
    globals.remove("x");
    assert_eq!(Rc::strong_count(&value), 2); // `value` and the cache: the stale clone
    assert!(cache.load(&globals, &builtins, "x").is_err());
    assert_eq!(Rc::strong_count(&value), 1);
    globals.clear();
    assert_eq!(cache.hit(&globals, &builtins), None);
    assert_eq!(
        cache.stats().hits,
        None,
        "a site made by new() does not count hits"
    );
}

/// The silent wrong answer of 0.1: two namespaces from `Dict::new()` had different random
/// hashers, so a builtin looked up with the globals' hash was a `NameError`.
#[test]
fn two_new_dicts_serve_one_precomputed_hash() {
    let mut globals: vdict::Dict<String, i64> = vdict::Dict::new();
    let mut builtins: vdict::Dict<String, i64> = vdict::Dict::new();
    builtins.insert("len".into(), 1);
    globals.insert("x".into(), 2);
    let (len, x) = (vdict::hash_key("len"), vdict::hash_key("x"));
    let slot = SlotCache::new();
    let mut version = VersionCache::new();
    for _ in 0..3 {
        assert_eq!(slot.load_with_hash(&globals, &builtins, "len", len), Ok(&1));
        assert_eq!(
            version.load_with_hash(&globals, &builtins, "len", len),
            Ok(&1)
        );
        assert_eq!(
            SlotCache::new().load_with_hash(&globals, &builtins, "x", x),
            Ok(&2)
        );
    }
}

type StdNamespace = vdict::Dict<String, i64, std::collections::hash_map::RandomState>;

/// Two std `RandomState`s hash differently: a cache given such dicts must not answer wrongly.
fn namespaces_with_different_hashers() -> (StdNamespace, StdNamespace) {
    let mut globals = StdNamespace::with_hasher(Default::default());
    let mut builtins = StdNamespace::with_hasher(Default::default());
    globals.insert("x".into(), 1);
    builtins.insert("len".into(), 100);
    assert_ne!(globals.hash_key("len"), builtins.hash_key("len"));
    (globals, builtins)
}

/// A lookup with another dict's hash usually misses a name that is there, and then the cache
/// must panic rather than answer wrongly. It may also find the name (the probe can reach the
/// name's slot, and the key then compares equal), and that answer is right. So over many pairs
/// of hashers, `load` must either answer `expected` or panic naming `which` dict, and most
/// loads must panic.
fn with_another_hash_loads_answer_right_or_panic(
    which: &str,
    expected: i64,
    load: impl Fn(&StdNamespace, &StdNamespace) -> Option<i64>,
) {
    const TRIALS: usize = 64;
    let mut panics = 0;
    for _ in 0..TRIALS {
        let (mut globals, builtins) = namespaces_with_different_hashers();
        if which == "globals" {
            globals.insert("len".into(), 1); // shadows the builtin
        }
        let answer =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load(&globals, &builtins)));
        match answer {
            Ok(answer) => assert_eq!(answer, Some(expected), "a name found must be the right one"),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .expect("the cache panics with a formatted message");
                let expected_message = format!("is not the {which} dict's hash of the name");
                assert!(
                    message.contains(&expected_message),
                    "unexpected panic: {message}"
                );
                panics += 1;
            }
        }
    }
    assert!(
        panics > TRIALS / 2,
        "only {panics} of {TRIALS} loads saw the wrong hash"
    );
}

#[test]
fn a_builtin_looked_up_with_another_dicts_hash_panics_rather_than_answer_name_error() {
    // `load` hashes with globals' hasher: right for globals, wrong for builtins.
    with_another_hash_loads_answer_right_or_panic("builtins", 100, |globals, builtins| {
        SlotCache::new()
            .load(globals, builtins, "len")
            .ok()
            .copied()
    });
}

#[test]
fn a_shadowing_global_looked_up_with_another_hash_panics_rather_than_answer_the_builtin() {
    with_another_hash_loads_answer_right_or_panic("globals", 1, |globals, builtins| {
        let hash = builtins.hash_key("len"); // not globals' hash: globals may miss its "len"
        VersionCache::new()
            .load_with_hash(globals, builtins, "len", hash)
            .ok()
            .copied()
    });
}

#[test]
fn with_different_hashers_a_name_found_is_still_answered() {
    let (globals, builtins) = namespaces_with_different_hashers();
    assert_eq!(SlotCache::new().load(&globals, &builtins, "x"), Ok(&1));
    assert_eq!(VersionCache::new().load(&globals, &builtins, "x"), Ok(&1));
}

/// A global rebound between every two loads: every version-cache fill is wasted, so the site
/// backs off, answering by plain lookups, and returns to caching once the writes stop.
#[test]
fn a_site_that_keeps_missing_backs_off_and_recovers() {
    // A site that counts its hits and one that does not (whose hits write nothing once the
    // fill is known used) back off alike.
    for counting in [true, false] {
        let (mut globals, builtins) = namespaces();
        let mut cache = if counting {
            VersionCache::counting_hits()
        } else {
            VersionCache::new()
        };
        for i in 0..10_000 {
            globals.insert("x".into(), i);
            assert_eq!(cache.load(&globals, &builtins, "x"), Ok(&i));
        }
        let stats = cache.stats();
        assert_eq!(stats.misses, 10_000);
        // Fills at 1, 2, 4, ..., 4096 (13 of them), then one every 4,096 misses: 14 in all.
        assert_eq!(stats.misses - stats.skipped_fills, 14, "{stats:?}");
        // The writes stop: within one back-off period the site fills again, then hits.
        let mut loads_until_hit = 0;
        while cache.hit(&globals, &builtins).is_none() {
            assert_eq!(cache.load(&globals, &builtins, "x"), Ok(&9_999));
            loads_until_hit += 1;
        }
        assert!(loads_until_hit <= 4096, "{loads_until_hit}");
        for _ in 0..10 {
            assert_eq!(cache.load(&globals, &builtins, "x"), Ok(&9_999));
        }
        let after = cache.stats();
        assert_eq!(after.hits, counting.then_some(11));
        assert_eq!(after.misses, stats.misses + loads_until_hit);
        // A used fill reset the back-off: the next miss fills at once.
        globals.insert("y".into(), 0);
        cache.load(&globals, &builtins, "x").unwrap();
        assert_eq!(cache.stats().skipped_fills, after.skipped_fills);
    }
}

/// The loop's own hit test, then `miss_with_hash`: the same back-off as `load`, and the same
/// answers, for both caches (a slot-cache site backs off when its name keeps being deleted).
#[test]
fn hit_then_miss_with_hash_backs_off_as_load_does() {
    let (mut globals, builtins) = namespaces();
    let hash = vdict::hash_key("x");
    let mut version = VersionCache::new();
    let slot = SlotCache::new();
    for i in 0..10_000 {
        globals.remove("x");
        globals.insert("x".into(), i);
        let by_version = match version.hit_versions(globals.version(), builtins.version()) {
            Some(&value) => Ok(value),
            None => version
                .miss_with_hash(&globals, &builtins, "x", hash)
                .copied(),
        };
        let by_slot = match slot.hit(&globals, &builtins) {
            Some(&value) => Ok(value),
            None => slot.miss_with_hash(&globals, &builtins, "x", hash).copied(),
        };
        assert_eq!((by_version, by_slot), (Ok(i), Ok(i)));
    }
    for stats in [version.stats(), slot.stats()] {
        assert_eq!(stats.misses, 10_000);
        // Fills at 1, 2, 4, ..., 4096 (13 of them), then one every 4,096 misses: 14 in all.
        assert_eq!(stats.misses - stats.skipped_fills, 14, "{stats:?}");
    }
    // Called when a hit was possible, it answers right and counts a miss.
    assert_eq!(
        slot.load_with_hash(&globals, &builtins, "x", hash),
        Ok(&9_999)
    );
    let misses = slot.stats().misses;
    assert_eq!(
        slot.miss_with_hash(&globals, &builtins, "x", hash),
        Ok(&9_999)
    );
    assert_eq!(slot.stats().misses, misses + 1);
}

/// A loop that quickens, as CPython's adaptive `LOAD_GLOBAL` does: while a site is backing
/// off it takes a skip and looks the name up itself, never testing the cache; once the skips
/// run out it loads through the site. The same fills, skips and answers as `load`, for both
/// caches.
#[test]
fn a_quickening_loop_backs_off_as_load_does() {
    let (mut globals, builtins) = namespaces();
    let hash = vdict::hash_key("x");
    let mut version = VersionCache::new();
    let slot = SlotCache::new();
    let (mut version_skips, mut slot_skips) = (0, 0);
    for i in 0..10_000 {
        // Deleted and added back: every fill of either cache goes unused.
        globals.remove("x");
        globals.insert("x".into(), i);
        let plain = || *globals.get_with_hash(hash, "x").unwrap();
        let by_version = if version.backing_off() && version.take_skip() {
            version_skips += 1;
            assert!(
                version.remembered().is_none(),
                "a site backing off holds nothing"
            );
            plain()
        } else {
            *version
                .load_with_hash(&globals, &builtins, "x", hash)
                .unwrap()
        };
        let by_slot = if slot.backing_off() && slot.take_skip() {
            slot_skips += 1;
            plain()
        } else {
            *slot.load_with_hash(&globals, &builtins, "x", hash).unwrap()
        };
        assert_eq!((by_version, by_slot), (i, i));
    }
    for (stats, skips) in [(version.stats(), version_skips), (slot.stats(), slot_skips)] {
        assert_eq!(stats.misses, 10_000);
        // Fills at 1, 2, 4, ..., 4096 (13 of them), then one every 4,096 misses: 14 in all.
        assert_eq!(stats.misses - stats.skipped_fills, 14, "{stats:?}");
        // Every skip is counted: the loop's own, and the first of each of the 13 periods,
        // which the load that found a fill wasted took itself.
        assert_eq!(stats.skipped_fills, skips + 13, "{stats:?}");
    }
    // `take_skip` on a site that is not backing off takes nothing and counts nothing.
    version.clear();
    slot.clear();
    assert!(
        !version.backing_off() && !slot.backing_off(),
        "clear ends the back-off"
    );
    let before = (version.stats(), slot.stats());
    assert!(!version.take_skip() && !slot.take_skip());
    assert_eq!((version.stats(), slot.stats()), before);
}

/// Cache sites in a shared code object: every slot-cache call and every hit take `&self`.
#[test]
fn caches_work_from_shared_code() {
    use std::rc::Rc;
    struct Code {
        slot_sites: Vec<SlotCache>,
        version_sites: Vec<VersionCache<NoDefault>>,
    }
    #[derive(Clone, Debug, PartialEq)]
    struct NoDefault(i64); // VersionCache no longer asks values for a Default
    let mut globals: vdict::Dict<String, NoDefault> = vdict::Dict::new();
    let builtins: vdict::Dict<String, NoDefault> = vdict::Dict::new();
    globals.insert("x".into(), NoDefault(7));
    let mut version_site = VersionCache::counting_hits();
    version_site.load(&globals, &builtins, "x").unwrap();
    let code = Rc::new(Code {
        slot_sites: vec![SlotCache::counting_hits()],
        version_sites: vec![version_site],
    });
    let shared = Rc::clone(&code);
    for _ in 0..3 {
        assert_eq!(
            shared.slot_sites[0].load(&globals, &builtins, "x"),
            Ok(&NoDefault(7))
        );
        assert_eq!(
            code.version_sites[0].hit(&globals, &builtins),
            Some(&NoDefault(7))
        );
    }
    assert_eq!(code.slot_sites[0].stats().hits, Some(2));
    assert_eq!(code.version_sites[0].stats().hits, Some(3));
}

/// Through a `PairVersion`'s `Namespaces`, a builtin's site compares one pair version: it
/// hits while neither dict's keys change, and sees every change that matters (a shadowing
/// global, its deletion, a builtin deleted or rebound), as a module global's site does.
#[test]
fn through_namespaces_a_builtin_hits_on_one_version_and_sees_every_change() {
    let (mut globals, mut builtins) = namespaces();
    globals.insert("x".into(), 1);
    let pair = PairVersion::new();
    let len = SlotCache::counting_hits();
    let x = SlotCache::counting_hits();
    let hash = vdict::hash_key("len");
    let load = |site: &SlotCache, globals: &Namespace, builtins: &Namespace, name: &str| {
        let namespaces = pair.namespaces(globals, builtins);
        site.load_in(&namespaces, name, vdict::hash_key(name))
            .copied()
            .map_err(|error| error.to_string())
    };
    for _ in 0..3 {
        assert_eq!(load(&len, &globals, &builtins, "len"), Ok(100));
        assert_eq!(load(&x, &globals, &builtins, "x"), Ok(1));
    }
    assert_eq!((len.stats().hits, len.stats().misses), (Some(2), 1));
    // A rebound builtin: values, not keys. Still a hit, of the new value.
    builtins.insert("len".into(), 101);
    assert_eq!(load(&len, &globals, &builtins, "len"), Ok(101));
    assert_eq!(len.stats().misses, 1);
    // A global that shadows it; then its deletion.
    globals.insert("len".into(), 7);
    assert_eq!(load(&len, &globals, &builtins, "len"), Ok(7));
    globals.remove("len");
    assert_eq!(load(&len, &globals, &builtins, "len"), Ok(101));
    assert_eq!(len.stats().misses, 3);
    // A builtin added elsewhere changes the builtins' keys: the builtin's site misses once,
    // the module global's does not (it compares the globals' keys version only).
    assert_eq!(load(&x, &globals, &builtins, "x"), Ok(1)); // globals' keys changed above
    assert_eq!(x.stats().misses, 2);
    builtins.insert("max".into(), 300);
    assert_eq!(load(&len, &globals, &builtins, "len"), Ok(101));
    assert_eq!(load(&x, &globals, &builtins, "x"), Ok(1));
    assert_eq!((len.stats().misses, x.stats().misses), (4, 2));
    // The builtin deleted: a NameError, every time.
    builtins.remove("len");
    for _ in 0..2 {
        let namespaces = pair.namespaces(&globals, &builtins);
        assert_eq!(
            len.load_in(&namespaces, "len", hash).unwrap_err().name,
            "len"
        );
        assert_eq!(len.hit_in(&namespaces), None);
    }
}

/// A site filled without `Namespaces` (or through another `PairVersion`) answers rightly
/// through them: a module global's at once, a builtin's after one miss.
#[test]
fn sites_move_between_ways_of_loading_and_pair_versions() {
    let (mut globals, builtins) = namespaces();
    globals.insert("x".into(), 1);
    let (first, second) = (PairVersion::new(), PairVersion::new());
    let len = SlotCache::counting_hits();
    let x = SlotCache::counting_hits();
    assert_eq!(len.load(&globals, &builtins, "len"), Ok(&100));
    assert_eq!(x.load(&globals, &builtins, "x"), Ok(&1));
    let one = first.namespaces(&globals, &builtins);
    assert_eq!(x.hit_in(&one), Some(&1));
    assert_eq!(len.hit_in(&one), None);
    assert_eq!(len.load_in(&one, "len", vdict::hash_key("len")), Ok(&100));
    assert_eq!(len.hit_in(&one), Some(&100));
    let other = second.namespaces(&globals, &builtins);
    assert_ne!(one.pair_version(), other.pair_version());
    assert_eq!(len.hit_in(&other), None);
    assert_eq!(len.load_in(&other, "len", vdict::hash_key("len")), Ok(&100));
    assert_eq!(len.hit_in(&other), Some(&100));
    assert_eq!(len.hit_in(&first.namespaces(&globals, &builtins)), None);
    // The plain hit still works for a site filled through `Namespaces`.
    assert_eq!(len.hit(&globals, &builtins), Some(&100));
}

/// STORE_GLOBAL through a slot-cache site: it writes the remembered slot while the keys hold,
/// and falls back to an insert (and remembers again) when they change.
#[test]
fn a_store_site_rebinds_through_its_slot_and_follows_key_changes() {
    let (mut globals, builtins) = namespaces();
    let store = SlotCache::counting_hits();
    let load = SlotCache::new();
    let name = "x";
    let hash = vdict::hash_key(name);
    let key = || name.to_string();
    assert_eq!(
        store.store_with_hash(&mut globals, name, hash, 1, key),
        None
    ); // new key
    for i in 2..10 {
        assert_eq!(
            store.store_with_hash(&mut globals, name, hash, i, key),
            Some(i - 1)
        );
        assert_eq!(load.load_with_hash(&globals, &builtins, name, hash), Ok(&i));
    }
    assert_eq!(store.stats().hits, Some(8));
    assert_eq!(
        load.stats().misses,
        1,
        "stores change no keys: the load site kept hitting"
    );
    // Keys change under the site: it misses once, then hits again. Its fast half declines,
    // handing the value back and writing nothing.
    globals.insert("y".into(), 0);
    globals.remove(name);
    assert_eq!(store.store_hit(&mut globals, 99), Err(99));
    assert_eq!(globals.get(name), None);
    assert_eq!(
        store.store_with_hash(&mut globals, name, hash, 20, key),
        None
    );
    assert_eq!(
        store.store_with_hash(&mut globals, name, hash, 21, key),
        Some(20)
    );
    assert_eq!(globals[name], 21);
    assert_eq!(
        globals.keys().map(String::as_str).collect::<Vec<_>>(),
        ["y", "x"]
    );
    // A copy has the same layout: the site's slot is right in it too.
    let mut copy = globals.clone();
    assert_eq!(
        store.store_with_hash(&mut copy, name, hash, 22, key),
        Some(21)
    );
    assert_eq!((copy[name], globals[name]), (22, 21));
    assert_eq!(
        store.stats(),
        CacheStats {
            hits: Some(10),
            misses: 2,
            skipped_fills: 0
        }
    );
    globals.check_invariants().unwrap();
    copy.check_invariants().unwrap();
}

/// `store_hit_dropping_old`, the store's fast half that drops the old value where it lies:
/// it writes only while the keys hold (never into a slot that moved), and the value it
/// replaces is dropped, once, by the write.
#[test]
fn a_store_that_drops_the_old_value_writes_only_while_the_keys_hold() {
    use std::rc::Rc;
    let mut globals: vdict::Dict<String, Rc<i64>> = vdict::Dict::new();
    let store = SlotCache::new();
    let (name, hash) = ("x", vdict::hash_key("x"));
    let key = || name.to_string();
    let values: Vec<Rc<i64>> = (0..6).map(Rc::new).collect();
    // Not filled yet: declines and writes nothing.
    assert_eq!(
        store.store_hit_dropping_old(&mut globals, values[0].clone()),
        Err(values[0].clone())
    );
    assert!(globals.is_empty());
    drop(store.store_with_hash(&mut globals, name, hash, values[0].clone(), key)); // fills
    drop(store.store_with_hash(&mut globals, name, hash, values[1].clone(), key)); // uses it
    assert_eq!(
        Rc::strong_count(&values[0]),
        1,
        "the first value was dropped"
    );
    for i in 2..4 {
        assert_eq!(
            store.store_hit_dropping_old(&mut globals, values[i].clone()),
            Ok(())
        );
        assert_eq!(*globals[name], i as i64);
        assert_eq!(Rc::strong_count(&values[i - 1]), 1, "value {} kept", i - 1);
        assert_eq!(Rc::strong_count(&values[i]), 2);
    }
    // The keys change and the name's slot moves (a squeeze): the site declines, hands the
    // value back, and the dict is as it was.
    globals.insert("a".into(), values[5].clone());
    globals.shift_remove(name);
    globals.insert(name.into(), values[3].clone());
    globals.shrink_to_fit();
    let before: Vec<(String, i64)> = globals.iter().map(|(k, v)| (k.clone(), **v)).collect();
    assert_eq!(
        store.store_hit_dropping_old(&mut globals, values[4].clone()),
        Err(values[4].clone())
    );
    let after: Vec<(String, i64)> = globals.iter().map(|(k, v)| (k.clone(), **v)).collect();
    assert_eq!(before, after);
    assert_eq!(Rc::strong_count(&values[4]), 1);
    globals.check_invariants().unwrap();
}

// ---- random interleavings ------------------------------------------------------------------

fn how() -> impl Strategy<Value = How> {
    prop_oneof![
        Just(How::Load),
        Just(How::WithDefaultHash),
        Just(How::WithGlobalsHash),
        Just(How::HitThenFill),
        Just(How::HitVersionsThenFill),
        Just(How::HitThenMiss),
        Just(How::LoadIn),
        Just(How::HitInThenMissIn),
        Just(How::HitInThenMissInOther),
        Just(How::HitBuiltinInThenHitIn),
        Just(How::HitModuleInThenHitIn),
        Just(How::Quickened),
    ]
}

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
        10 => (name.clone(), how()).prop_map(|(n, how)| Step::Load(n, how)),
        1 => (name.clone(), name.clone(), any::<bool>(), any::<u8>(), how()).prop_map(
            |(load, write, delete, count, how)| Step::Hammer { load, write, delete, count, how }
        ),
        1 => (any::<bool>(), proptest::option::of(any::<u8>()))
            .prop_map(|(builtins, seed)| Step::SwitchHasher { builtins, seed }),
        1 => name.clone().prop_map(Step::Clear),
        3 => (name.clone(), -5i64..5).prop_map(|(n, v)| Step::Store(n, v)),
        3 => (name, -5i64..5).prop_map(|(n, v)| Step::StoreDroppingOld(n, v)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_cached_load_equals_a_plain_lookup(steps in proptest::collection::vec(step(), 0..150)) {
        check(&steps);
    }
}
