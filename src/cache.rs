//! Inline caches for `LOAD_GLOBAL`: remember what the last lookup of a name found, and prove
//! it still holds with an integer compare or two instead of hashing and probing again.
//!
//! An interpreter keeps one cache beside each `LOAD_GLOBAL` instruction. A global name is
//! looked up in the module's globals, then in the builtins; both are [`Dict`]s whose version
//! tags say when a remembered answer may have gone stale. Two designs, from CPython's history:
//!
//! | | [`VersionCache`] (CPython 3.8 opcache) | [`SlotCache`] (CPython 3.11 `LOAD_GLOBAL_MODULE` / `_BUILTIN`) |
//! |---|---|---|
//! | remembers | globals' and builtins' [`version`](Dict::version), and the value | globals' (and for a builtin, builtins') [`keys_version`](Dict::keys_version), which dict, and the slot |
//! | a hit costs | two compares, then a copy of the remembered value | one compare (module) or two (builtin), then a read of the slot |
//! | invalidated by | *any* write to either dict, even to another name | a key added to or removed from the dict(s) checked, or a rebuild |
//! | wins when | the namespaces are written rarely | a global is rebound while others are read (a counter in a loop) |
//!
//! Both are exact: a hit returns what a plain lookup would return now. The version cache is
//! right because any change of content changes the version. The slot cache is right because
//! while a dict's keys version is unchanged every key keeps its slot, so the slot holds the
//! name's current value; and a builtin hit also checks the globals' keys version, which would
//! have moved had the name since been defined in globals (shadowing the builtin).
//!
//! Wiring one in (see `vm::interp` for the full loop):
//!
//! ```
//! use vdict::{cache::SlotCache, Dict};
//!
//! let mut globals: Dict<String, i64> = Dict::new();
//! let mut builtins: Dict<String, i64> = Dict::with_hasher(globals.hasher().clone());
//! builtins.insert("answer".into(), 42);
//!
//! let name = "answer";
//! let hash = globals.hash_key(name); // once, when the name is interned
//! let mut cache = SlotCache::new();  // one per LOAD_GLOBAL instruction
//! for _ in 0..3 {
//!     let value = match cache.hit(&globals, &builtins) {
//!         Some(value) => value,                                     // the fast path
//!         None => cache.fill(&globals, &builtins, name, hash).unwrap(), // look up, remember
//!     };
//!     assert_eq!(*value, 42);
//! }
//! globals.insert("answer".into(), 7); // shadow the builtin: seen on the very next load
//! assert_eq!(cache.load(&globals, &builtins, name), Ok(&7));
//! assert_eq!((cache.stats().hits, cache.stats().misses), (2, 2));
//! ```

use crate::{Dict, Version};
use std::borrow::Borrow;
use std::fmt;
use std::hash::{BuildHasher, Hash};

/// The name was in neither globals nor builtins (Python's `NameError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameError<'n, Q: ?Sized> {
    /// The name that was looked up.
    pub name: &'n Q,
}

impl<Q: fmt::Display + ?Sized> fmt::Display for NameError<'_, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NameError: name '{}' is not defined", self.name)
    }
}

impl<Q: fmt::Display + fmt::Debug + ?Sized> std::error::Error for NameError<'_, Q> {}

/// How often a cache answered from memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Loads answered by the cache.
    pub hits: u64,
    /// Loads that had to look the name up (and refilled the cache if it was found).
    pub misses: u64,
}

impl CacheStats {
    /// Hits over all loads; `None` before the first load.
    pub fn hit_rate(&self) -> Option<f64> {
        let loads = self.hits + self.misses;
        (loads > 0).then(|| self.hits as f64 / loads as f64)
    }
}

impl std::ops::AddAssign for CacheStats {
    fn add_assign(&mut self, other: CacheStats) {
        self.hits += other.hits;
        self.misses += other.misses;
    }
}

/// Looks `name` up in globals, then builtins, reporting which dict and which slot.
fn find_global<K, V, S, Q>(
    globals: &Dict<K, V, S>,
    builtins: &Dict<K, V, S>,
    name: &Q,
    hash: u64,
) -> Option<(Home, usize)>
where
    K: Borrow<Q> + Hash + Eq,
    Q: Hash + Eq + ?Sized,
    S: BuildHasher,
{
    if let Some(slot) = globals.get_slot_with_hash(hash, name) {
        return Some((Home::Globals, slot));
    }
    builtins
        .get_slot_with_hash(hash, name)
        .map(|slot| (Home::Builtins, slot))
}

/// Which dict a name was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Home {
    Globals,
    Builtins,
}

/// CPython 3.8's opcache: remembers both dicts' versions and the value found.
///
/// A hit is two compares and a clone of the remembered value (`V` is meant to be a small
/// handle, as an interpreter's values are). Any write to either dict — even to another name —
/// changes a version and costs one miss.
///
/// An empty cache holds `V::default()` (an interpreter's `None`) as a placeholder, which it
/// never hands out: its versions are [`Version::NEVER`], which match no dict. So a hit is the
/// two compares and nothing else, with no "is anything remembered?" test; in the reference
/// VM that test was a third of the hit's cost over `LOAD_FAST` (callgrind: 5.1 extra
/// instructions per hit with it, 2.1 without).
#[derive(Debug, Clone)]
pub struct VersionCache<V> {
    globals_version: Version,
    builtins_version: Version,
    /// The remembered value; `V::default()` while nothing is remembered.
    value: V,
    stats: CacheStats,
}

impl<V: Default> Default for VersionCache<V> {
    fn default() -> Self {
        VersionCache::new()
    }
}

impl<V: Default> VersionCache<V> {
    /// An empty cache: its first load misses.
    pub fn new() -> Self {
        VersionCache {
            globals_version: Version::NEVER,
            builtins_version: Version::NEVER,
            value: V::default(),
            stats: CacheStats { hits: 0, misses: 0 },
        }
    }

    /// Forgets the remembered value, dropping it (the next load misses); keeps the counters.
    pub fn invalidate(&mut self) {
        self.globals_version = Version::NEVER;
        self.builtins_version = Version::NEVER;
        self.value = V::default();
    }
}

impl<V> VersionCache<V> {
    /// The remembered value, if neither dict has changed since it was remembered.
    #[inline]
    pub fn hit<K, S>(&mut self, globals: &Dict<K, V, S>, builtins: &Dict<K, V, S>) -> Option<&V> {
        self.hit_versions(globals.version(), builtins.version())
    }

    /// [`hit`](Self::hit), given the dicts' current versions instead of the dicts.
    ///
    /// For an interpreter loop that keeps `globals.version()` and `builtins.version()` in
    /// locals and reads them again only after its own writes to the namespaces (the only
    /// writes while it runs): a hit is then two compares against values already in
    /// registers. Versions that are not the dicts' current ones make the answer as stale as
    /// they are (and two [`Version::NEVER`]s match an empty cache's placeholder) — a logic
    /// error, never memory unsafety — so pass what the dicts say now.
    ///
    /// ```
    /// use vdict::{cache::VersionCache, Dict};
    ///
    /// let mut globals: Dict<String, i64> = Dict::new();
    /// let builtins: Dict<String, i64> = Dict::with_hasher(globals.hasher().clone());
    /// globals.insert("x".into(), 1);
    /// let mut cache = VersionCache::new();
    /// cache.fill(&globals, &builtins, "x", globals.hash_key("x")).unwrap();
    ///
    /// let versions = (globals.version(), builtins.version()); // kept by the loop
    /// assert_eq!(cache.hit_versions(versions.0, versions.1), Some(&1));
    /// globals.insert("y".into(), 2); // the loop's own write: it refreshes its copy
    /// let versions = (globals.version(), builtins.version());
    /// assert_eq!(cache.hit_versions(versions.0, versions.1), None);
    /// ```
    #[inline]
    pub fn hit_versions(
        &mut self,
        globals_version: Version,
        builtins_version: Version,
    ) -> Option<&V> {
        if self.is_fresh(globals_version, builtins_version) {
            self.stats.hits += 1;
            return Some(&self.value);
        }
        None
    }

    /// Whether the remembered value is still the answer: the dicts, whose current versions are
    /// given, are in the very state they were in when it was remembered. (`NEVER` matches no
    /// dict, so an empty or invalidated cache is never fresh.) `load` tests this itself rather
    /// than calling `hit`, whose borrow it could not follow with `fill`.
    #[inline]
    fn is_fresh(&self, globals_version: Version, builtins_version: Version) -> bool {
        self.globals_version == globals_version && self.builtins_version == builtins_version
    }

    /// Looks `name` up (globals, then builtins) and remembers the answer. `hash` is the dicts'
    /// hash of `name` ([`Dict::hash_key`]); both dicts must use the same hasher.
    #[cold]
    pub fn fill<'n, K, S, Q>(
        &mut self,
        globals: &Dict<K, V, S>,
        builtins: &Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&V, NameError<'n, Q>>
    where
        K: Borrow<Q> + Hash + Eq,
        Q: Hash + Eq + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        self.stats.misses += 1;
        let (home, slot) = find_global(globals, builtins, name, hash).ok_or(NameError { name })?;
        let dict = match home {
            Home::Globals => globals,
            Home::Builtins => builtins,
        };
        let (_, value) = dict.slot(slot).expect("a slot just found is live");
        self.globals_version = globals.version();
        self.builtins_version = builtins.version();
        self.value = value.clone();
        Ok(&self.value)
    }

    /// [`hit`](Self::hit), else [`fill`](Self::fill), hashing `name` with globals' hasher.
    pub fn load<'n, K, S, Q>(
        &mut self,
        globals: &Dict<K, V, S>,
        builtins: &Dict<K, V, S>,
        name: &'n Q,
    ) -> Result<&V, NameError<'n, Q>>
    where
        K: Borrow<Q> + Hash + Eq,
        Q: Hash + Eq + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        if self.is_fresh(globals.version(), builtins.version()) {
            self.stats.hits += 1;
            return Ok(&self.value);
        }
        let hash = globals.hash_key(name);
        self.fill(globals, builtins, name, hash)
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> CacheStats {
        self.stats
    }
}

/// CPython 3.11's `LOAD_GLOBAL_MODULE` / `LOAD_GLOBAL_BUILTIN`: remembers keys versions and
/// the slot the name lives in, and reads the value from that slot on a hit.
///
/// A module hit checks the globals' keys version; a builtin hit checks both keys versions
/// (the globals' one proves the name has not been defined in globals since). Overwriting a
/// value leaves keys versions alone, so a global rebound in a loop keeps hitting.
#[derive(Debug, Clone)]
pub struct SlotCache {
    globals_keys_version: Version,
    builtins_keys_version: Version,
    home: Home,
    slot: usize,
    stats: CacheStats,
}

impl Default for SlotCache {
    fn default() -> Self {
        SlotCache::new()
    }
}

impl SlotCache {
    /// An empty cache: its first load misses.
    pub const fn new() -> Self {
        SlotCache {
            globals_keys_version: Version::NEVER,
            builtins_keys_version: Version::NEVER,
            home: Home::Globals,
            slot: 0,
            stats: CacheStats { hits: 0, misses: 0 },
        }
    }

    /// The value in the remembered slot, if the keys it depends on have not changed since.
    #[inline]
    pub fn hit<'d, K, V, S>(
        &mut self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
    ) -> Option<&'d V> {
        if self.globals_keys_version != globals.keys_version() {
            return None;
        }
        let dict = match self.home {
            Home::Globals => globals,
            Home::Builtins if self.builtins_keys_version == builtins.keys_version() => builtins,
            Home::Builtins => return None,
        };
        let (_, value) = dict.slot(self.slot)?;
        self.stats.hits += 1;
        Some(value)
    }

    /// Looks `name` up (globals, then builtins) and remembers where it was. `hash` is the
    /// dicts' hash of `name` ([`Dict::hash_key`]); both dicts must use the same hasher.
    #[cold]
    pub fn fill<'d, 'n, K, V, S, Q>(
        &mut self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Borrow<Q> + Hash + Eq,
        Q: Hash + Eq + ?Sized,
        S: BuildHasher,
    {
        self.stats.misses += 1;
        let (home, slot) = find_global(globals, builtins, name, hash).ok_or(NameError { name })?;
        self.globals_keys_version = globals.keys_version();
        self.builtins_keys_version = builtins.keys_version();
        self.home = home;
        self.slot = slot;
        let dict = match home {
            Home::Globals => globals,
            Home::Builtins => builtins,
        };
        Ok(dict.slot(slot).expect("a slot just found is live").1)
    }

    /// [`hit`](Self::hit), else [`fill`](Self::fill), hashing `name` with globals' hasher.
    pub fn load<'d, 'n, K, V, S, Q>(
        &mut self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Borrow<Q> + Hash + Eq,
        Q: Hash + Eq + ?Sized,
        S: BuildHasher,
    {
        if let Some(value) = self.hit(globals, builtins) {
            return Ok(value);
        }
        self.fill(globals, builtins, name, globals.hash_key(name))
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// Forgets the remembered slot (the next load misses); keeps the counters.
    pub fn invalidate(&mut self) {
        self.globals_keys_version = Version::NEVER;
        self.builtins_keys_version = Version::NEVER;
    }
}

/// A plain lookup, globals then builtins, with no cache: what every cached load must equal.
pub fn lookup_global<'d, 'n, K, V, S, Q>(
    globals: &'d Dict<K, V, S>,
    builtins: &'d Dict<K, V, S>,
    name: &'n Q,
) -> Result<&'d V, NameError<'n, Q>>
where
    K: Borrow<Q> + Hash + Eq,
    Q: Hash + Eq + ?Sized,
    S: BuildHasher,
{
    globals
        .get(name)
        .or_else(|| builtins.get(name))
        .ok_or(NameError { name })
}
