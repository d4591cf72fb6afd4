//! [`VersionCache`]: CPython 3.8's opcache for `LOAD_GLOBAL`. Remembers both dicts'
//! versions and a clone of the value found; a hit is two compares.

use super::backoff::{OnMiss, SiteCounters};
use super::{find_global, lookup_global_with_hash, CacheStats, NameError};
use crate::{Dict, Version};
use equivalent::Equivalent;
use std::cell::Cell;
use std::hash::{BuildHasher, Hash};

/// CPython 3.8's opcache: remembers both dicts' versions and the value found.
///
/// A hit is two compares and hands out a reference to the remembered value. Any write to
/// either dict — even to another name — changes a version and costs one miss; a site that
/// keeps missing backs off (see the [module docs](super)).
///
/// **It holds a clone of the value.** CPython 3.8 kept a borrowed pointer, valid while the
/// versions matched; Rust cannot keep a borrow of a dict that the program goes on writing,
/// so the cache owns a clone (for an interpreter's values, a reference count). That clone
/// outlives the global it was read from until the site misses (a miss drops it at once, fill
/// or not) or the cache is [`clear`](VersionCache::clear)ed: a deleted global's object is
/// dropped late, and a finaliser runs late. Clear a namespace's caches when the namespace is
/// cleared or torn down if that matters, or use [`SlotCache`](super::SlotCache), which holds
/// no value at all.
///
/// One site serves one name (see the [module docs](super)): keep one per `LOAD_GLOBAL`
/// instruction.
///
/// Hits work through `&self`; fills need `&mut self`, because a fill replaces the value that
/// a hit lends out by reference.
#[derive(Debug, Clone)]
pub struct VersionCache<V> {
    /// The globals' version, marked by a fill until the first hit (see `cache::backoff`), and
    /// kept marked by a site that counts hits. In a `Cell` so hits (`&self`) can unmark it.
    globals_version: Cell<Version>,
    builtins_version: Version,
    /// The remembered value; `None` while nothing is (the versions are then `NEVER`).
    value: Option<V>,
    counters: SiteCounters,
}

/// An empty site's builtins version: one no dict and no caller ever has (see
/// `VersionCache::empty`).
const EMPTY_BUILTINS_VERSION: Version = Version::NEVER.marked();

impl<V> Default for VersionCache<V> {
    fn default() -> Self {
        VersionCache::new()
    }
}

impl<V> VersionCache<V> {
    /// An empty cache: its first load misses. It does not count its hits (a hit writes
    /// nothing): [`stats`](Self::stats) has `hits: None`.
    pub const fn new() -> Self {
        VersionCache::with_counters(SiteCounters::new())
    }

    /// An empty cache that counts every hit, for statistics. Counting costs a write of the
    /// site on every hit: about 0.2 x `LOAD_FAST` in the reference VM (see the [module
    /// docs](super#statistics)).
    pub const fn counting_hits() -> Self {
        VersionCache::with_counters(SiteCounters::counting_hits())
    }

    const fn with_counters(counters: SiteCounters) -> Self {
        VersionCache {
            globals_version: Cell::new(Version::NEVER),
            builtins_version: EMPTY_BUILTINS_VERSION,
            value: None,
            counters,
        }
    }

    /// The remembered value, if neither dict has changed since it was remembered.
    #[inline]
    pub fn hit<K, S>(&self, globals: &Dict<K, V, S>, builtins: &Dict<K, V, S>) -> Option<&V> {
        self.hit_versions(globals.version(), builtins.version())
    }

    /// [`hit`](Self::hit), given the dicts' current versions instead of the dicts.
    ///
    /// For an interpreter loop that keeps `globals.version()` and `builtins.version()` in
    /// locals and reads them again only after its own writes to the namespaces (the only
    /// writes while it runs): a hit is then two compares against values already in
    /// registers. Versions that are not the dicts' current ones make the answer as stale as
    /// they are — a logic error, never memory unsafety — so pass what the dicts say now.
    ///
    /// ```
    /// use vdict::{cache::VersionCache, Dict};
    ///
    /// let mut globals: Dict<String, i64> = Dict::new();
    /// let builtins: Dict<String, i64> = Dict::new();
    /// globals.insert("x".into(), 1);
    /// let mut cache = VersionCache::new();
    /// cache.fill(&globals, &builtins, "x", vdict::hash_key("x")).unwrap();
    ///
    /// let versions = (globals.version(), builtins.version()); // kept by the loop
    /// assert_eq!(cache.hit_versions(versions.0, versions.1), Some(&1));
    /// globals.insert("y".into(), 2); // the loop's own write: it refreshes its copy
    /// let versions = (globals.version(), builtins.version());
    /// assert_eq!(cache.hit_versions(versions.0, versions.1), None);
    /// ```
    #[inline]
    #[allow(unsafe_code)]
    pub fn hit_versions(&self, globals_version: Version, builtins_version: Version) -> Option<&V> {
        if self.globals_version.get() == globals_version
            && self.builtins_version == builtins_version
        {
            debug_assert!(
                self.value.is_some(),
                "vdict: a fresh version cache holds no value"
            );
            // SAFETY: the compares passed, so the site holds a value: an empty site's
            // builtins version is marked (see `empty`), and no version a caller can pass is
            // (dicts never carry one, and `Version::marked` is private to the crate); a fill
            // stores the value with the versions; only `empty` takes the value away, and it
            // marks the builtins version. Testing for the value here too cost every hit 4
            // instructions (callgrind, `examples/profile_vm version module`: 89 against 85 a
            // hit, `LOAD_FAST` 81).
            return Some(unsafe { self.value.as_ref().unwrap_unchecked() });
        }
        // The one test a miss adds, inline: is the remembered version marked at all (a sign
        // test of a value already loaded; a call here on every miss measured 10
        // instructions a load where every load misses, and a compare with the marked
        // current version 5).
        if self.globals_version.get().is_marked() {
            return self.marked_hit(globals_version, builtins_version);
        }
        None
    }

    /// Whether the remembered value is still the answer: the dicts, whose current versions are
    /// given, are in the very state they were in when it was remembered. (An empty cache's
    /// versions match no dict's, so it is never fresh; the value test is a second guard, on
    /// the cold path that uses this: the hit's fast path does without it.)
    #[inline(always)]
    fn is_fresh(&self, globals_version: Version, builtins_version: Version) -> bool {
        self.globals_version.get() == globals_version
            && self.builtins_version == builtins_version
            && self.value.is_some()
    }

    /// The second look of a hit whose compares failed: against the globals' version as a
    /// fill stores it, marked (see `cache::backoff`). A match is the first hit after a fill,
    /// or a hit of a site that counts hits; it records itself, unmarks the version unless the
    /// site counts hits, and answers.
    #[cold]
    #[inline(never)]
    fn marked_hit(&self, globals_version: Version, builtins_version: Version) -> Option<&V> {
        let marked = globals_version.marked();
        if !self.is_fresh(marked, builtins_version) {
            return None;
        }
        self.counters.on_marked_hit(&self.globals_version);
        self.value.as_ref()
    }

    /// Looks `name` up (globals, then builtins) and remembers the answer, whatever the
    /// back-off says. `hash` is the dicts' hash of `name` ([`hash_key`](crate::hash_key)).
    ///
    /// # Panics
    ///
    /// If a dict that does not hold `name` hashes it to something other than `hash` (dicts
    /// with different hashers): see the [module docs](super#hashers).
    pub fn fill<'n, K, S, Q>(
        &mut self,
        globals: &Dict<K, V, S>,
        builtins: &Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        self.counters.on_explicit_fill();
        self.fill_uncounted(globals, builtins, name, hash)
    }

    fn fill_uncounted<'n, K, S, Q>(
        &mut self,
        globals: &Dict<K, V, S>,
        builtins: &Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        // Drop the stale value first: forgotten even if the lookup fails or panics.
        self.empty();
        let (_, _, value) = find_global(globals, builtins, name, hash).ok_or(NameError { name })?;
        let value = value.clone();
        // Marked: the first hit records that the fill was used (`cache::backoff`).
        self.globals_version.set(globals.version().marked());
        self.builtins_version = builtins.version();
        Ok(self.value.insert(value))
    }

    /// The value of `name`: the remembered one on a hit, else looked up (and remembered,
    /// unless the site is backing off). `hash` is the dicts' hash of `name`, computed once
    /// when the name was interned ([`hash_key`](crate::hash_key)).
    ///
    /// The one call an interpreter loop needs: it returns a reference either way, to push a
    /// clone of. The hit is inline; the miss is out of line.
    ///
    /// # Panics
    ///
    /// As [`fill`](Self::fill), on a hasher mismatch.
    #[inline]
    pub fn load_with_hash<'a, 'n, K, S, Q>(
        &'a mut self,
        globals: &'a Dict<K, V, S>,
        builtins: &'a Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'a V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        self.load_hashing(globals, builtins, name, || hash)
    }

    /// [`load_with_hash`](Self::load_with_hash), hashing `name` with globals' hasher only
    /// when the cache misses.
    #[inline]
    pub fn load<'a, 'n, K, S, Q>(
        &'a mut self,
        globals: &'a Dict<K, V, S>,
        builtins: &'a Dict<K, V, S>,
        name: &'n Q,
    ) -> Result<&'a V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        self.load_hashing(globals, builtins, name, || globals.hash_key(name))
    }

    /// Both loads: `hash` gives the name's hash, asked only when the cache misses.
    #[inline(always)]
    fn load_hashing<'a, 'n, K, S, Q>(
        &'a mut self,
        globals: &'a Dict<K, V, S>,
        builtins: &'a Dict<K, V, S>,
        name: &'n Q,
        hash: impl FnOnce() -> u64,
    ) -> Result<&'a V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        if self.hit(globals, builtins).is_some() {
            return Ok(self.value.as_ref().expect("a hit has a value"));
        }
        self.miss_with_hash(globals, builtins, name, hash())
    }

    /// What [`load_with_hash`](Self::load_with_hash) does once its hit test has failed: looks
    /// `name` up and remembers the answer, or, while the site backs off, looks it up and
    /// remembers nothing.
    ///
    /// For a loop that tests [`hit_versions`](Self::hit_versions) (or [`hit`](Self::hit))
    /// itself and fetches the name and its hash only when that fails, as `vdict::vm` does:
    /// `load_with_hash` there would test the versions a second time (callgrind: 12
    /// instructions a load in the report's rebinding workload, where every load misses).
    /// Called when a hit was possible, it still answers right: it looks the name up again,
    /// and counts a miss.
    ///
    /// ```
    /// use vdict::{cache::VersionCache, hash_key, Dict};
    ///
    /// let mut globals: Dict<&str, i32> = Dict::new();
    /// let builtins: Dict<&str, i32> = Dict::new();
    /// globals.insert("x", 1);
    /// let mut site = VersionCache::counting_hits();
    /// for _ in 0..3 {
    ///     let versions = (globals.version(), builtins.version()); // as the loop keeps them
    ///     let value = match site.hit_versions(versions.0, versions.1) {
    ///         Some(&value) => value,
    ///         None => *site.miss_with_hash(&globals, &builtins, "x", hash_key("x")).unwrap(),
    ///     };
    ///     assert_eq!(value, 1);
    /// }
    /// assert_eq!((site.stats().hits, site.stats().misses), (Some(2), 1));
    /// ```
    ///
    /// # Panics
    ///
    /// As [`fill`](Self::fill), on a hasher mismatch.
    #[inline]
    pub fn miss_with_hash<'a, 'n, K, S, Q>(
        &'a mut self,
        globals: &'a Dict<K, V, S>,
        builtins: &'a Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'a V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        // Backing off: the cache is empty, and a plain lookup answers.
        // (Skips are left only while the cache is empty: see `SiteCounters::take_skip`.)
        if self.counters.take_skip() {
            debug_assert!(self.value.is_none(), "a site backing off holds a value");
            return lookup_global_with_hash(globals, builtins, name, hash);
        }
        self.fill_or_back_off(globals, builtins, name, hash)
    }

    /// Whether the site is backing off: its cache is empty, and the misses to come (up to
    /// 4,095 of them) will be answered by a plain lookup, without a fill.
    ///
    /// For an interpreter that quickens, as CPython 3.11 does: once a load through the site
    /// leaves it backing off, the loop rewrites the instruction into a form that skips the
    /// cache's hit test (it cannot hit) and calls [`take_skip`](Self::take_skip) before its
    /// own lookup, and back into the cached form when `take_skip` says the period is over.
    /// The reference VM does this (`LOAD_GLOBAL_BACKING_OFF`); a loop that always calls
    /// [`load_with_hash`](Self::load_with_hash) gets the same answers and back-off, for a
    /// version compare more a load while the site backs off.
    ///
    /// ```
    /// use vdict::{cache::VersionCache, hash_key, Dict};
    ///
    /// let mut globals: Dict<&str, i32> = Dict::new();
    /// let builtins: Dict<&str, i32> = Dict::new();
    /// let mut site = VersionCache::new();
    /// let mut loads_past_the_cache = 0;
    /// for i in 0..100 {
    ///     globals.insert("x", i); // rebound before every load: no fill is ever used
    ///     let value = if site.backing_off() && site.take_skip() {
    ///         loads_past_the_cache += 1;
    ///         *globals.get_with_hash(hash_key("x"), "x").unwrap()
    ///     } else {
    ///         *site.load_with_hash(&globals, &builtins, "x", hash_key("x")).unwrap()
    ///     };
    ///     assert_eq!(value, i);
    /// }
    /// // All but the 7 fills (loads 1, 2, 4, ..., 64) and the first skip of each period,
    /// // which the load that found the last fill wasted took itself.
    /// assert_eq!(loads_past_the_cache, 100 - 7 - 6);
    /// assert_eq!(site.stats().misses, 100);
    /// ```
    #[inline]
    pub fn backing_off(&self) -> bool {
        self.counters.backing_off()
    }

    /// Takes one of a backing-off site's skips: counts a load that the caller answers itself,
    /// by a plain lookup, and returns `true`; or returns `false` if the site is not backing
    /// off (any more), and the caller should load through the cache
    /// ([`load_with_hash`](Self::load_with_hash) or [`miss_with_hash`](Self::miss_with_hash)),
    /// which then fills. See [`backing_off`](Self::backing_off). Through `&self`: the count
    /// is in a `Cell`.
    #[inline]
    pub fn take_skip(&self) -> bool {
        self.counters.take_skip()
    }

    /// The slow path of a miss: fill, or (starting to back off) drop the stale value and look
    /// up.
    #[cold]
    #[inline(never)]
    fn fill_or_back_off<'a, 'n, K, S, Q>(
        &'a mut self,
        globals: &'a Dict<K, V, S>,
        builtins: &'a Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'a V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        match self.counters.on_miss() {
            OnMiss::Fill => self.fill_uncounted(globals, builtins, name, hash),
            OnMiss::LookUpOnly => {
                self.empty();
                lookup_global_with_hash(globals, builtins, name, hash)
            }
        }
    }

    /// Forgets and drops the remembered value (the next load misses, and fills); keeps the
    /// counters. For when a namespace is cleared or dropped and its objects should go now.
    pub fn clear(&mut self) {
        self.empty();
        self.counters.end_skips();
    }

    /// Empties the cache: no value, versions that match no dict. The builtins version is
    /// marked, so that not even `Version::NEVER`, which a caller can pass to
    /// [`hit_versions`](Self::hit_versions), matches it: the hit's fast path relies on it. The
    /// globals version is left unmarked, so a miss of an empty site (every load of a site
    /// backing off) does not go out of line to look for a marked hit.
    fn empty(&mut self) {
        self.globals_version.set(Version::NEVER);
        self.builtins_version = EMPTY_BUILTINS_VERSION;
        self.value = None;
    }

    /// The value the cache holds, if any (stale or not): what [`clear`](Self::clear) drops.
    pub fn remembered(&self) -> Option<&V> {
        self.value.as_ref()
    }

    /// Whether the site counts its hits (made by [`counting_hits`](Self::counting_hits)).
    pub fn counts_hits(&self) -> bool {
        self.counters.counts_hits()
    }

    /// Hits (if counted) and misses so far.
    pub fn stats(&self) -> CacheStats {
        self.counters.stats()
    }
}
