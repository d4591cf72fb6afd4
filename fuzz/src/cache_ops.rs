//! The `cache_ops` target: random mutations of a globals and a builtins dict interleaved with
//! loads through [`VersionCache`] and [`SlotCache`] (one of each per name, as one
//! `LOAD_GLOBAL` site per name would have); every load must equal a plain uncached lookup.
//!
//! The mutations cover every way a global can change under a cache: rebinding, deleting,
//! shadowing a builtin and deleting the shadow, changing builtins, `pop_last`, `clear`,
//! rebuilds that move slots, and replacing the globals dict by a copy or a fresh dict with the
//! same content. Stores go through a slot-cache store site per name (`store_with_hash`), and
//! must land where a plain insert would. Loads go through every way the caches offer (`load`,
//! `load_with_hash`, a `hit` or `hit_versions` then a `fill` or a `miss_with_hash`, and the
//! slot cache's `load_in`, `hit_in` and `miss_in` through a `PairVersion`'s `Namespaces`,
//! of either of two `PairVersion`s kept for the whole process, and a quickening loop's
//! `backing_off` / `take_skip` then a lookup of its own); the slot caches only ever
//! through `&`, as sites in a shared code object are used. `Hammer` rebinds
//! a name between loads many times over, which drives a site deep into its back-off and out
//! again. And a namespace can be rebuilt with another hasher: then a load may panic with the
//! caches' hasher-mismatch message (caught here), but never answers wrongly, and the caches
//! answer rightly once the hashers agree again.

use super::hashers::Switchable;
use arbitrary::{Arbitrary, Unstructured};
use std::panic::{catch_unwind, AssertUnwindSafe};
use vdict::cache::{lookup_global, CacheStats, PairVersion, SlotCache, VersionCache};
use vdict::Dict;

/// The names loads and mutations pick from: globals, builtins, and both.
pub const NAMES: [&str; 6] = ["a", "b", "c", "x", "len", "abs"];

/// An index into [`NAMES`], for `#[arbitrary(with = name_index)]`.
pub fn name_index(u: &mut Unstructured) -> arbitrary::Result<usize> {
    u.choose_index(NAMES.len())
}

/// A namespace whose hasher is the default one until a step switches it.
pub type Namespace = Dict<String, i64, Switchable>;

/// Globals and builtins with the default hasher, builtins holding `len` and `abs`.
pub fn namespaces() -> (Namespace, Namespace) {
    let globals = Namespace::default();
    let mut builtins = Namespace::default();
    builtins.insert("len".into(), 100);
    builtins.insert("abs".into(), 200);
    (globals, builtins)
}

/// Which call a load goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum How {
    /// `load`: the cache hashes with globals' hasher on a miss.
    Load,
    /// `load_with_hash`, with the process's default hash of the name (`vdict::hash_key`).
    WithDefaultHash,
    /// `load_with_hash`, with globals' own hash of the name.
    WithGlobalsHash,
    /// `hit`, then on a miss `fill` (which never backs off).
    HitThenFill,
    /// The version cache's `hit_versions` with the dicts' versions, then `fill`; the slot
    /// cache's `hit`, then `fill`.
    HitVersionsThenFill,
    /// The version cache's `hit_versions`, the slot cache's `hit`, then on a miss
    /// `miss_with_hash` (which backs off): the reference VM's shape.
    HitThenMiss,
    /// The slot cache's `load_in`, through the first [`PairVersion`]; the version cache's
    /// `load_with_hash`.
    LoadIn,
    /// The slot cache's `hit_in`, then on a miss `miss_in`, through the first `PairVersion`:
    /// the reference VM's shape; the version cache as for `HitThenMiss`.
    HitInThenMissIn,
    /// As `HitInThenMissIn`, through the second `PairVersion` (sites filled through one miss
    /// once through the other).
    HitInThenMissInOther,
    /// The slot cache's `hit_builtin_in` (whatever the site holds: it must answer rightly or
    /// not at all), then `hit_in`, then `miss_in`, through the first `PairVersion`: an
    /// interpreter that specialises a builtin's `LOAD_GLOBAL`; the version cache as for
    /// `HitThenMiss`.
    HitBuiltinInThenHitIn,
    /// As `HitBuiltinInThenHitIn` with `hit_module_in`: an interpreter that specialises a
    /// module global's `LOAD_GLOBAL`.
    HitModuleInThenHitIn,
    /// An interpreter that quickens, as CPython's adaptive `LOAD_GLOBAL` does: while the site
    /// is backing off, `take_skip` and a plain lookup (the site must then hold nothing a hit
    /// could return); otherwise `load_with_hash`.
    Quickened,
}

thread_local! {
    /// Two pair versions, each kept for the whole process, as an interpreter keeps one per
    /// module: every load through `Namespaces` uses one of them.
    static PAIRS: [PairVersion; 2] = const { [PairVersion::new(), PairVersion::new()] };
}

/// Either cache, behind one interface, so each scenario runs against both.
pub enum AnyCache {
    Version(VersionCache<i64>),
    Slot(SlotCache),
}

impl AnyCache {
    /// One cache of each kind, both counting their hits.
    pub fn both() -> [AnyCache; 2] {
        [
            AnyCache::Version(VersionCache::counting_hits()),
            AnyCache::Slot(SlotCache::counting_hits()),
        ]
    }

    /// [`both`](AnyCache::both), then the same two kinds not counting hits: their answers and
    /// their misses must be the same (a hit that writes nothing still tells the back-off that
    /// a fill was used).
    pub fn all() -> [AnyCache; 4] {
        let [version, slot] = AnyCache::both();
        [
            version,
            slot,
            AnyCache::Version(VersionCache::new()),
            AnyCache::Slot(SlotCache::new()),
        ]
    }

    /// Loads `name` through the cache by `how`, asserting that the answer equals a plain
    /// lookup's. A hasher mismatch may panic instead (with the caches' message, checked by
    /// the caller); it must never produce another answer.
    pub fn load_by(
        &mut self,
        how: How,
        globals: &Namespace,
        builtins: &Namespace,
        name: &str,
    ) -> Result<i64, String> {
        let hash = match how {
            How::WithDefaultHash => vdict::hash_key(name),
            _ => globals.hash_key(name),
        };
        let result = match self {
            AnyCache::Version(cache) => match how {
                How::Load => cache.load(globals, builtins, name).copied(),
                How::WithDefaultHash | How::WithGlobalsHash => {
                    cache.load_with_hash(globals, builtins, name, hash).copied()
                }
                How::HitThenFill => match cache.hit(globals, builtins) {
                    Some(value) => Ok(*value),
                    None => cache.fill(globals, builtins, name, hash).copied(),
                },
                How::HitVersionsThenFill => {
                    match cache.hit_versions(globals.version(), builtins.version()) {
                        Some(value) => Ok(*value),
                        None => cache.fill(globals, builtins, name, hash).copied(),
                    }
                }
                How::HitThenMiss
                | How::HitInThenMissIn
                | How::HitInThenMissInOther
                | How::HitBuiltinInThenHitIn
                | How::HitModuleInThenHitIn => {
                    match cache.hit_versions(globals.version(), builtins.version()) {
                        Some(value) => Ok(*value),
                        None => cache.miss_with_hash(globals, builtins, name, hash).copied(),
                    }
                }
                How::LoadIn => cache.load_with_hash(globals, builtins, name, hash).copied(),
                How::Quickened => {
                    if cache.backing_off() && cache.take_skip() {
                        assert!(
                            cache.remembered().is_none(),
                            "a site backing off holds a value"
                        );
                        assert!(cache.hit(globals, builtins).is_none());
                        lookup_global(globals, builtins, name).copied()
                    } else {
                        cache.load_with_hash(globals, builtins, name, hash).copied()
                    }
                }
            },
            AnyCache::Slot(cache) => {
                let cache: &SlotCache = cache; // every call through a shared reference
                match how {
                    How::Load => cache.load(globals, builtins, name).copied(),
                    How::WithDefaultHash | How::WithGlobalsHash => {
                        cache.load_with_hash(globals, builtins, name, hash).copied()
                    }
                    How::HitThenFill | How::HitVersionsThenFill => {
                        match cache.hit(globals, builtins) {
                            Some(value) => Ok(*value),
                            None => cache.fill(globals, builtins, name, hash).copied(),
                        }
                    }
                    How::HitThenMiss => match cache.hit(globals, builtins) {
                        Some(value) => Ok(*value),
                        None => cache.miss_with_hash(globals, builtins, name, hash).copied(),
                    },
                    How::LoadIn => PAIRS.with(|pairs| {
                        let namespaces = pairs[0].namespaces(globals, builtins);
                        cache.load_in(&namespaces, name, hash).copied()
                    }),
                    How::HitBuiltinInThenHitIn => PAIRS.with(|pairs| {
                        let namespaces = pairs[0].namespaces(globals, builtins);
                        let holds_builtin = cache.holds_builtin();
                        match cache.hit_builtin_in(&namespaces) {
                            Some(value) => {
                                assert!(holds_builtin, "hit_builtin_in hit a site not holding one");
                                Ok(*value)
                            }
                            None => match cache.hit_in(&namespaces) {
                                Some(value) => Ok(*value),
                                None => cache.miss_in(&namespaces, name, hash).copied(),
                            },
                        }
                    }),
                    How::HitModuleInThenHitIn => PAIRS.with(|pairs| {
                        let namespaces = pairs[0].namespaces(globals, builtins);
                        let holds_module_global = cache.holds_module_global();
                        match cache.hit_module_in(&namespaces) {
                            Some(value) => {
                                assert!(
                                    holds_module_global,
                                    "hit_module_in hit a site not holding a module global"
                                );
                                Ok(*value)
                            }
                            None => match cache.hit_in(&namespaces) {
                                Some(value) => Ok(*value),
                                None => cache.miss_in(&namespaces, name, hash).copied(),
                            },
                        }
                    }),
                    How::Quickened => {
                        if cache.backing_off() && cache.take_skip() {
                            assert!(
                                cache.hit(globals, builtins).is_none(),
                                "a site backing off hit"
                            );
                            lookup_global(globals, builtins, name).copied()
                        } else {
                            cache.load_with_hash(globals, builtins, name, hash).copied()
                        }
                    }
                    How::HitInThenMissIn | How::HitInThenMissInOther => PAIRS.with(|pairs| {
                        let pair = &pairs[usize::from(how == How::HitInThenMissInOther)];
                        let namespaces = pair.namespaces(globals, builtins);
                        match cache.hit_in(&namespaces) {
                            Some(value) => Ok(*value),
                            None => cache.miss_in(&namespaces, name, hash).copied(),
                        }
                    }),
                }
            }
        };
        let expected = lookup_global(globals, builtins, name).copied();
        assert_eq!(
            result, expected,
            "cached load of {name} ({how:?}) differs from a plain lookup"
        );
        result.map_err(|e| e.to_string())
    }

    /// [`load_by`](AnyCache::load_by) with `load`.
    pub fn load(
        &mut self,
        globals: &Namespace,
        builtins: &Namespace,
        name: &str,
    ) -> Result<i64, String> {
        self.load_by(How::Load, globals, builtins, name)
    }

    pub fn stats(&self) -> CacheStats {
        match self {
            AnyCache::Version(cache) => cache.stats(),
            AnyCache::Slot(cache) => cache.stats(),
        }
    }
}

/// One step; loads check themselves (see [`AnyCache::load_by`]).
#[derive(Debug, Clone, Arbitrary)]
pub enum Step {
    SetGlobal(#[arbitrary(with = name_index)] usize, i64),
    DelGlobal(#[arbitrary(with = name_index)] usize),
    SetBuiltin(#[arbitrary(with = name_index)] usize, i64),
    DelBuiltin(#[arbitrary(with = name_index)] usize),
    PopLastGlobal,
    ClearGlobals,
    ShrinkGlobals,
    /// Pad globals with throwaway names and delete them again: rebuilds, moved slots.
    ChurnGlobals(u8),
    /// Replace globals by a copy (same keys version), then keep using the copy.
    CopyGlobals,
    /// Replace globals by a freshly built dict with the same content.
    RebuildGlobalsFresh,
    Load(#[arbitrary(with = name_index)] usize, How),
    /// Load the first name, then rebind (or delete and restore) the second, `count` times:
    /// a version-cache site that always misses backs off; so does a slot-cache site whose
    /// name keeps being deleted.
    Hammer {
        #[arbitrary(with = name_index)]
        load: usize,
        #[arbitrary(with = name_index)]
        write: usize,
        delete: bool,
        count: u8,
        how: How,
    },
    /// Rebuild globals (`false`) or builtins (`true`) with the hasher seeded by `seed`, or
    /// with the default hasher again for `None`.
    SwitchHasher {
        builtins: bool,
        seed: Option<u8>,
    },
    /// Forget what every cache of a name remembers.
    Clear(#[arbitrary(with = name_index)] usize),
    /// `STORE_GLOBAL` through the name's slot-cache store site.
    Store(#[arbitrary(with = name_index)] usize, i64),
    /// `STORE_GLOBAL` as the reference VM makes it: the site's fast half that drops the old
    /// value in place (`store_hit_dropping_old`), then `store_with_hash` if it declines.
    StoreDroppingOld(#[arbitrary(with = name_index)] usize, i64),
}

/// Runs `steps` from fresh namespaces, panicking on the first load that differs from a plain
/// lookup (or that panics with anything but the hasher-mismatch message).
pub fn check(steps: &[Step]) {
    let (mut globals, mut builtins) = namespaces();
    // One cache of each kind per name (counting hits and not), as one LOAD_GLOBAL site per
    // name would have.
    let mut caches: Vec<[AnyCache; 4]> = NAMES.iter().map(|_| AnyCache::all()).collect();
    let mut loads = vec![0u64; NAMES.len()];
    // One STORE_GLOBAL site per name, stored through only by `Step::Store`.
    let store_sites: Vec<SlotCache> = NAMES.iter().map(|_| SlotCache::new()).collect();
    for step in steps.iter().cloned() {
        match step {
            Step::SetGlobal(n, v) => drop(globals.insert(NAMES[n].into(), v)),
            Step::DelGlobal(n) => drop(globals.remove(NAMES[n])),
            Step::SetBuiltin(n, v) => drop(builtins.insert(NAMES[n].into(), v)),
            Step::DelBuiltin(n) => drop(builtins.remove(NAMES[n])),
            Step::PopLastGlobal => drop(globals.pop_last()),
            Step::ClearGlobals => globals.clear(),
            Step::ShrinkGlobals => globals.shrink_to_fit(),
            Step::ChurnGlobals(count) => {
                for i in 0..count {
                    globals.insert(format!("tmp{i}"), 0);
                }
                for i in 0..count {
                    globals.remove(&format!("tmp{i}"));
                }
            }
            Step::CopyGlobals => globals = globals.clone(),
            Step::RebuildGlobalsFresh => globals = rebuilt(&globals, globals.hasher().clone()),
            Step::Load(n, how) => {
                loads[n] += 1;
                for cache in caches[n].iter_mut() {
                    load_checked(cache, how, &globals, &builtins, NAMES[n]);
                }
            }
            Step::Hammer {
                load,
                write,
                delete,
                count,
                how,
            } => {
                for i in 0..count {
                    loads[load] += 1;
                    for cache in caches[load].iter_mut() {
                        load_checked(cache, how, &globals, &builtins, NAMES[load]);
                    }
                    let name = NAMES[write];
                    match globals.remove(name) {
                        Some(value) if delete => drop(globals.insert(name.into(), value)),
                        _ => drop(globals.insert(name.into(), i.into())),
                    }
                }
            }
            Step::SwitchHasher {
                builtins: which,
                seed,
            } => {
                let hasher = Switchable::from_seed(seed);
                if which {
                    builtins = rebuilt(&builtins, hasher);
                } else {
                    globals = rebuilt(&globals, hasher);
                }
            }
            Step::Store(n, value) => {
                let name = NAMES[n];
                let before = globals.get(name).copied();
                let hash = globals.hash_key(name);
                let old = store_sites[n]
                    .store_with_hash(&mut globals, name, hash, value, || name.to_string());
                assert_eq!(old, before, "a store returned another old value");
                assert_eq!(globals.get(name), Some(&value), "a store did not land");
                if let Err(problem) = globals.check_invariants() {
                    panic!("a store broke the table: {problem}");
                }
            }
            Step::StoreDroppingOld(n, value) => {
                let name = NAMES[n];
                let keys_before: Vec<String> = globals.keys().cloned().collect();
                let site = &store_sites[n];
                match site.store_hit_dropping_old(&mut globals, value) {
                    Ok(()) => assert_eq!(
                        globals.keys().cloned().collect::<Vec<_>>(),
                        keys_before,
                        "a store's fast half changed the keys"
                    ),
                    Err(value) => {
                        let hash = globals.hash_key(name);
                        let _old = site
                            .store_with_hash(&mut globals, name, hash, value, || name.to_string());
                    }
                }
                assert_eq!(globals.get(name), Some(&value), "a store did not land");
                if let Err(problem) = globals.check_invariants() {
                    panic!("a store broke the table: {problem}");
                }
            }
            Step::Clear(n) => {
                for cache in caches[n].iter_mut() {
                    match cache {
                        AnyCache::Version(cache) => cache.clear(),
                        AnyCache::Slot(cache) => cache.clear(),
                    }
                }
            }
        }
    }
    for (n, [counting_version, counting_slot, version, slot]) in caches.iter().enumerate() {
        for (counting, fast) in [(counting_version, version), (counting_slot, slot)] {
            let stats = counting.stats();
            assert_eq!(
                stats.hits.expect("a counting site counts hits") + stats.misses,
                loads[n],
                "every load counted once"
            );
            assert!(stats.skipped_fills <= stats.misses, "{stats:?}");
            assert_eq!(
                fast.stats(),
                CacheStats {
                    hits: None,
                    ..stats
                },
                "a site that does not count hits misses and backs off as one that does"
            );
        }
    }
}

/// A load that must equal a plain lookup; or, when the hash it gives is not both dicts' own
/// hash of the name, panic with the hasher-mismatch message instead (and nothing else).
fn load_checked(
    cache: &mut AnyCache,
    how: How,
    globals: &Namespace,
    builtins: &Namespace,
    name: &str,
) {
    let given = match how {
        How::WithDefaultHash => vdict::hash_key(name),
        _ => globals.hash_key(name),
    };
    if given == globals.hash_key(name) && given == builtins.hash_key(name) {
        // The hashers agree: any panic is a bug, and reaches the fuzzer.
        let _ = cache.load_by(how, globals, builtins, name);
        return;
    }
    // libFuzzer's panic hook aborts the process; a mismatch panic is expected here, so the
    // hook is set aside for this one call.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        cache.load_by(how, globals, builtins, name)
    }));
    std::panic::set_hook(hook);
    if let Err(payload) = outcome {
        let message = panic_message(payload);
        assert!(
            message.contains("is not the") && message.contains("hash of the name"),
            "a load panicked with another message than the hasher mismatch: {message}"
        );
    }
}

/// The message a caught panic carried (empty if it was not a string).
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// A fresh dict with `namespace`'s content, in order, hashing with `hasher`.
fn rebuilt(namespace: &Namespace, hasher: Switchable) -> Namespace {
    let mut fresh = Namespace::with_hasher(hasher);
    fresh.extend(namespace.iter().map(|(k, v)| (k.clone(), *v)));
    fresh
}
