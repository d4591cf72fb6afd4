//! The `cache_ops` target: random mutations of a globals and a builtins dict interleaved with
//! loads through [`VersionCache`] and [`SlotCache`] (one of each per name, as one
//! `LOAD_GLOBAL` site per name would have); every load must equal a plain uncached lookup.
//!
//! The mutations cover every way a global can change under a cache: rebinding, deleting,
//! shadowing a builtin and deleting the shadow, changing builtins, `pop_last`, `clear`,
//! rebuilds that move slots, and replacing the globals dict by a copy or a fresh dict with the
//! same content.

use arbitrary::{Arbitrary, Unstructured};
use vdict::cache::{lookup_global, CacheStats, SlotCache, VersionCache};
use vdict::Dict;

/// The names loads and mutations pick from: globals, builtins, and both.
pub const NAMES: [&str; 6] = ["a", "b", "c", "x", "len", "abs"];

fn name_index(u: &mut Unstructured) -> arbitrary::Result<usize> {
    u.choose_index(NAMES.len())
}

pub type Namespace = Dict<String, i64>;

/// Globals and builtins sharing one hasher, builtins holding `len` and `abs`.
pub fn namespaces() -> (Namespace, Namespace) {
    let globals = Namespace::new();
    let mut builtins = Namespace::with_hasher(globals.hasher().clone());
    builtins.insert("len".into(), 100);
    builtins.insert("abs".into(), 200);
    (globals, builtins)
}

/// Either cache, behind one interface, so each scenario runs against both.
pub enum AnyCache {
    Version(VersionCache<i64>),
    Slot(SlotCache),
}

impl AnyCache {
    pub fn both() -> [AnyCache; 2] {
        [
            AnyCache::Version(VersionCache::new()),
            AnyCache::Slot(SlotCache::new()),
        ]
    }

    pub fn load(
        &mut self,
        globals: &Namespace,
        builtins: &Namespace,
        name: &str,
    ) -> Result<i64, String> {
        let hash = globals.hash_key(name);
        let result = match self {
            AnyCache::Version(cache) => match cache.hit(globals, builtins) {
                Some(v) => Ok(*v),
                None => cache.fill(globals, builtins, name, hash).copied(),
            },
            AnyCache::Slot(cache) => match cache.hit(globals, builtins) {
                Some(v) => Ok(*v),
                None => cache.fill(globals, builtins, name, hash).copied(),
            },
        };
        let expected = lookup_global(globals, builtins, name).copied();
        assert_eq!(
            result, expected,
            "cached load of {name} differs from a plain lookup"
        );
        result.map_err(|e| e.to_string())
    }

    pub fn stats(&self) -> CacheStats {
        match self {
            AnyCache::Version(cache) => cache.stats(),
            AnyCache::Slot(cache) => cache.stats(),
        }
    }
}

/// One step; loads check themselves (see [`AnyCache::load`]).
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
    Load(#[arbitrary(with = name_index)] usize),
}

/// Runs `steps` from fresh namespaces, panicking on the first load that differs from a plain
/// lookup.
pub fn check(steps: &[Step]) {
    let (mut globals, mut builtins) = namespaces();
    // One cache of each kind per name, as one LOAD_GLOBAL site per name would have.
    let mut caches: Vec<[AnyCache; 2]> = NAMES.iter().map(|_| AnyCache::both()).collect();
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
            Step::RebuildGlobalsFresh => {
                let mut fresh = Namespace::with_hasher(globals.hasher().clone());
                fresh.extend(globals.iter().map(|(k, v)| (k.clone(), *v)));
                globals = fresh;
            }
            Step::Load(n) => {
                for cache in caches[n].iter_mut() {
                    // `load` asserts equality with lookup_global.
                    let _ = cache.load(&globals, &builtins, NAMES[n]);
                }
            }
        }
    }
}
