//! [`SlotCache`]: CPython 3.11's `LOAD_GLOBAL_MODULE` / `LOAD_GLOBAL_BUILTIN`. Remembers
//! keys versions and the slot a name lives in; a hit reads the value from that slot.

use super::backoff::{OnMiss, SiteCounters};
use super::{find_global, lookup_global_with_hash, CacheStats, Home, NameError, Namespaces};
use crate::dict::EntryRef;
use crate::{Dict, Version};
use equivalent::Equivalent;
use std::cell::Cell;
use std::hash::{BuildHasher, Hash};

/// CPython 3.11's `LOAD_GLOBAL_MODULE` / `LOAD_GLOBAL_BUILTIN`: remembers keys versions and
/// the slot the name lives in, and reads the value from that slot on a hit.
///
/// A module hit checks the globals' keys version; a builtin hit checks both keys versions
/// (the globals' one proves the name has not been defined in globals since), or through a
/// [`PairVersion`](super::PairVersion)'s [`Namespaces`] ([`hit_in`](Self::hit_in)) one
/// version standing for both. Overwriting a value leaves keys versions alone, so a global
/// rebound in a loop keeps hitting.
///
/// One site serves one name (see the [module docs](super)): keep one per `LOAD_GLOBAL` (or
/// `STORE_GLOBAL`) instruction.
///
/// It holds no value, only integers, so it keeps nothing alive; and every call takes `&self`
/// (its state is in [`Cell`]s), so sites can live in a shared code object. It is not `Sync`.
///
/// A hit reads the value without a bounds check or a hole test: equal keys versions prove the
/// slot live (see [`Dict::keys_version`]), so the read costs what `LOAD_FAST`'s index of a
/// local costs.
#[derive(Debug, Clone)]
pub struct SlotCache {
    /// The globals' keys version when the name was found in globals, else [`Version::NEVER`]:
    /// a module hit is this one compare.
    module_globals_keys_version: Cell<Version>,
    /// The globals' keys version when the name was found in builtins (it proves the name has
    /// not been defined in globals since), else `NEVER`.
    builtin_globals_keys_version: Cell<Version>,
    /// The builtins' keys version when the name was found there, else `NEVER`.
    builtin_builtins_keys_version: Cell<Version>,
    /// Where the value lies in its dict's entries array, in bytes (`Dict::value_offset`):
    /// one addition to the array's start finds it, with no multiplication by the entry size.
    value_offset: Cell<usize>,
    /// When the name was found in builtins by a fill through [`Namespaces`]: the
    /// [`PairVersion`](super::PairVersion) of the two dicts' keys then (marked until the first
    /// hit); else `NEVER`. A builtin's hit through `Namespaces` compares this one version
    /// instead of the two keys versions.
    builtin_pair_version: Cell<Version>,
    counters: SiteCounters,
}

impl Default for SlotCache {
    fn default() -> Self {
        SlotCache::new()
    }
}

impl SlotCache {
    /// An empty cache: its first load misses. It does not count its hits (a hit writes
    /// nothing): [`stats`](Self::stats) has `hits: None`.
    pub const fn new() -> Self {
        SlotCache::with_counters(SiteCounters::new())
    }

    /// An empty cache that counts every hit, for statistics. Counting costs a write of the
    /// site on every hit: about 0.2 x `LOAD_FAST` in the reference VM (see the [module
    /// docs](super#statistics)).
    pub const fn counting_hits() -> Self {
        SlotCache::with_counters(SiteCounters::counting_hits())
    }

    const fn with_counters(counters: SiteCounters) -> Self {
        SlotCache {
            module_globals_keys_version: Cell::new(Version::NEVER),
            builtin_globals_keys_version: Cell::new(Version::NEVER),
            builtin_builtins_keys_version: Cell::new(Version::NEVER),
            value_offset: Cell::new(0),
            builtin_pair_version: Cell::new(Version::NEVER),
            counters,
        }
    }

    /// The value in the remembered slot, if the keys it depends on have not changed since.
    ///
    /// Reads the site and writes nothing (except on the first hit after a fill, and on every
    /// hit of a site that [counts hits](Self::counting_hits)).
    #[inline]
    pub fn hit<'d, K, V, S>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
    ) -> Option<&'d V> {
        // Which dict the name lives in is folded into the compares (a `NEVER` matches no
        // dict), so a module hit tests one keys version and nothing else.
        let dict = if self.module_globals_keys_version.get() == globals.keys_version() {
            globals
        } else if self.builtin_globals_keys_version.get() == globals.keys_version()
            && self.builtin_builtins_keys_version.get() == builtins.keys_version()
        {
            builtins
        } else if self.module_globals_keys_version.get().is_marked()
            || self.builtin_globals_keys_version.get().is_marked()
        {
            // The first hit after a fill, or a hit of a site that counts hits: rare, and out
            // of line (a miss pays only the two compares).
            return self.marked_hit(globals, builtins);
        } else {
            return None;
        };
        // SAFETY: `dict`'s keys version is the one stored for it (just compared).
        #[allow(unsafe_code)]
        let value = unsafe { self.remembered_value_in(dict) };
        Some(value)
    }

    /// The second look of a [`hit`](Self::hit) whose compares failed: against the versions
    /// as a fill stores them, marked (see `cache::backoff`). A match is the first hit after a
    /// fill, or a hit of a site that counts hits; it records itself, unmarks the version
    /// unless the site counts hits, and answers.
    #[cold]
    #[inline(never)]
    fn marked_hit<'d, K, V, S>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
    ) -> Option<&'d V> {
        let marked = globals.keys_version().marked();
        let (dict, field) = if self.module_globals_keys_version.get() == marked {
            (globals, &self.module_globals_keys_version)
        } else if self.builtin_globals_keys_version.get() == marked
            && self.builtin_builtins_keys_version.get() == builtins.keys_version()
        {
            (builtins, &self.builtin_globals_keys_version)
        } else {
            return None;
        };
        self.counters.on_marked_hit(field);
        // SAFETY: `dict`'s keys version is the one stored for it (just compared, marked).
        #[allow(unsafe_code)]
        let value = unsafe { self.remembered_value_in(dict) };
        Some(value)
    }

    /// [`hit`](Self::hit) through [`Namespaces`]: a module global's hit is the same one
    /// compare of the globals' keys version; a builtin's is one compare of the pair version
    /// (see [`PairVersion`](super::PairVersion)) instead of two keys versions. A builtin's
    /// site hits this way once filled through `Namespaces` ([`load_in`](Self::load_in),
    /// [`miss_in`](Self::miss_in)); filled otherwise, it misses here once and refills.
    #[inline]
    pub fn hit_in<'d, K, V, S>(&self, namespaces: &Namespaces<'d, K, V, S>) -> Option<&'d V> {
        let values = if self.module_globals_keys_version.get() == namespaces.globals_keys_version()
        {
            namespaces.globals_values()
        } else if self.builtin_pair_version.get() == namespaces.pair_version() {
            namespaces.builtins_values()
        } else if self.module_globals_keys_version.get().is_marked()
            || self.builtin_pair_version.get().is_marked()
        {
            return self.marked_hit_in(namespaces);
        } else {
            return None;
        };
        // SAFETY: the version stored for the dict `values` belongs to (the globals' keys
        // version, or for builtins the pair version) was just compared: see
        // `remembered_value_in`.
        #[allow(unsafe_code)]
        let value = unsafe { values.value_at_live_offset(self.value_offset.get()) };
        Some(value)
    }

    /// [`hit_in`](Self::hit_in) for a site known to hold a module global
    /// ([`holds_module_global`](Self::holds_module_global)): the globals' keys version's
    /// compare alone, the hit its fall-through, with no builtin's compare behind it.
    ///
    /// For an interpreter that specialises its instructions, as CPython 3.11 rewrites a
    /// `LOAD_GLOBAL` that found a module global into `LOAD_GLOBAL_MODULE`. `hit_in` tests the
    /// same version first, so a module hit costs the same number of instructions either way
    /// (callgrind, the reference VM: 74 -> 73 per `LOAD_GLOBAL; POP_TOP`, against `LOAD_FAST`'s
    /// 72), but there the hit jumps over the builtin's compare, a taken branch on every hit;
    /// here it runs straight on. Like [`hit_builtin_in`](Self::hit_builtin_in) it is only
    /// faster, never required: on any site it answers a value only where `hit_in` would
    /// answer the same one (a site that holds a builtin, or nothing, gets `None`, and should
    /// then load through [`miss_in`](Self::miss_in) and be specialised again).
    ///
    /// ```
    /// use vdict::cache::{PairVersion, SlotCache};
    /// use vdict::{hash_key, Dict};
    ///
    /// let mut globals: Dict<String, i64> = Dict::new();
    /// let mut builtins: Dict<String, i64> = Dict::new();
    /// builtins.insert("len".into(), 1);
    /// globals.insert("x".into(), 7);
    /// let pair = PairVersion::new();
    /// let (len_site, x_site) = (SlotCache::new(), SlotCache::new());
    /// let ns = pair.namespaces(&globals, &builtins);
    /// assert_eq!(len_site.miss_in(&ns, "len", hash_key("len")), Ok(&1));
    /// assert_eq!(x_site.miss_in(&ns, "x", hash_key("x")), Ok(&7));
    /// assert!(x_site.holds_module_global() && !len_site.holds_module_global());
    /// assert_eq!(x_site.hit_module_in(&ns), Some(&7));
    /// assert_eq!(len_site.hit_module_in(&ns), None); // a builtin: use hit_builtin_in
    /// ```
    #[inline]
    pub fn hit_module_in<'d, K, V, S>(
        &self,
        namespaces: &Namespaces<'d, K, V, S>,
    ) -> Option<&'d V> {
        if self.module_globals_keys_version.get() == namespaces.globals_keys_version() {
            // SAFETY: the globals' keys version stored for the module global was just
            // compared: see `remembered_value_in`.
            #[allow(unsafe_code)]
            let value = unsafe {
                namespaces
                    .globals_values()
                    .value_at_live_offset(self.value_offset.get())
            };
            Some(value)
        } else if self.module_globals_keys_version.get().is_marked() {
            self.marked_hit_in(namespaces)
        } else {
            None
        }
    }

    /// Whether the site's last fill found its name in globals, so that
    /// [`hit_module_in`](Self::hit_module_in) can hit: with
    /// [`holds_builtin`](Self::holds_builtin), what an interpreter that specialises its
    /// instructions asks after a miss. (A site emptied by [`clear`](Self::clear), or backing
    /// off after misses, holds nothing.)
    #[inline]
    pub fn holds_module_global(&self) -> bool {
        self.module_globals_keys_version.get() != Version::NEVER
    }

    /// [`hit_in`](Self::hit_in) for a site known to hold a builtin
    /// ([`holds_builtin`](Self::holds_builtin)): the pair version's compare alone, without
    /// the module field's compare that fails first in `hit_in`.
    ///
    /// For an interpreter that specialises its instructions, as CPython 3.11 rewrites a
    /// `LOAD_GLOBAL` that found a builtin into `LOAD_GLOBAL_BUILTIN`: the opcode's dispatch
    /// has already chosen the kind of site, so the hit need not test it again. It is only
    /// faster, never required: on any site it answers a value only where `hit_in` would
    /// answer the same one (a site that holds a module global, or nothing, gets `None`, and
    /// should then load through [`miss_in`](Self::miss_in) and be specialised again).
    ///
    /// ```
    /// use vdict::cache::{PairVersion, SlotCache};
    /// use vdict::{hash_key, Dict};
    ///
    /// let mut globals: Dict<String, i64> = Dict::new();
    /// let mut builtins: Dict<String, i64> = Dict::new();
    /// builtins.insert("len".into(), 1);
    /// globals.insert("x".into(), 7);
    /// let pair = PairVersion::new();
    /// let (len_site, x_site) = (SlotCache::new(), SlotCache::new());
    /// let ns = pair.namespaces(&globals, &builtins);
    /// assert_eq!(len_site.miss_in(&ns, "len", hash_key("len")), Ok(&1));
    /// assert_eq!(x_site.miss_in(&ns, "x", hash_key("x")), Ok(&7));
    /// assert!(len_site.holds_builtin() && !x_site.holds_builtin());
    /// assert_eq!(len_site.hit_builtin_in(&ns), Some(&1));
    /// assert_eq!(x_site.hit_builtin_in(&ns), None); // a module global: use hit_in
    /// ```
    #[inline]
    pub fn hit_builtin_in<'d, K, V, S>(
        &self,
        namespaces: &Namespaces<'d, K, V, S>,
    ) -> Option<&'d V> {
        if self.builtin_pair_version.get() == namespaces.pair_version() {
            // SAFETY: the pair version stored for the builtin was just compared: see
            // `remembered_value_in`.
            #[allow(unsafe_code)]
            let value = unsafe {
                namespaces
                    .builtins_values()
                    .value_at_live_offset(self.value_offset.get())
            };
            Some(value)
        } else if self.builtin_pair_version.get().is_marked() {
            self.marked_hit_in(namespaces)
        } else {
            None
        }
    }

    /// Whether the site's last fill went through [`Namespaces`] and found its name in
    /// builtins, so that [`hit_builtin_in`](Self::hit_builtin_in) can hit: what an
    /// interpreter that specialises its instructions asks after a miss, to choose the
    /// instruction's specialised form. (A site emptied by [`clear`](Self::clear), or backing
    /// off after misses, holds nothing.)
    #[inline]
    pub fn holds_builtin(&self) -> bool {
        self.builtin_pair_version.get() != Version::NEVER
    }

    /// [`marked_hit`](Self::marked_hit) for [`hit_in`](Self::hit_in).
    #[cold]
    #[inline(never)]
    fn marked_hit_in<'d, K, V, S>(&self, namespaces: &Namespaces<'d, K, V, S>) -> Option<&'d V> {
        let globals = namespaces.globals();
        let (dict, field) =
            if self.module_globals_keys_version.get() == globals.keys_version().marked() {
                (globals, &self.module_globals_keys_version)
            } else if self.builtin_pair_version.get() == namespaces.pair_version().marked() {
                (namespaces.builtins(), &self.builtin_pair_version)
            } else {
                return None;
            };
        self.counters.on_marked_hit(field);
        // SAFETY: the version stored for `dict` was just compared, marked.
        #[allow(unsafe_code)]
        let value = unsafe { self.remembered_value_in(dict) };
        Some(value)
    }

    /// The value at the remembered offset in `dict`.
    ///
    /// Why it is live: `fill_uncounted` and `store_miss` are the only writers of the version
    /// fields and the offset (with `empty`, which writes NEVER, a keys version no dict has,
    /// and the hits, which only unmark a version). They store the offset of the value a lookup
    /// found, and the keys versions the dicts had at that moment, and they store them after
    /// a lookup that succeeded (they write NEVER there first, so a fill that fails or panics
    /// leaves a cache that cannot hit). If `dict`'s keys version equals the one stored for it
    /// (for a builtin, both were compared), `dict` is the dict that lookup searched, or a
    /// clone of it (versions are unique in the process, so it has the same type too), and its
    /// keys have not changed since: every change of keys or layout takes a keys version never
    /// handed out before. While a dict's keys version is unchanged every key keeps its live
    /// slot (the rule on `dict::Tags`), so the offset still names a live value. A builtin's
    /// pair version (stored only by a fill through `Namespaces` that found the name in
    /// builtins, with the offset, after the lookup) stands for both dicts' keys versions at
    /// once (see `Namespaces`): equal pair versions, equal keys versions of both dicts.
    ///
    /// # Safety
    ///
    /// `dict`'s keys version must equal the version stored for the dict the name was found
    /// in (marked or not), and for a builtin the globals' must have matched too; or `dict`
    /// must be the builtins of a `Namespaces` whose pair version equals the builtin pair
    /// version stored (marked or not).
    #[inline(always)]
    #[allow(unsafe_code)]
    unsafe fn remembered_value_in<'d, K, V, S>(&self, dict: &'d Dict<K, V, S>) -> &'d V {
        // SAFETY: the caller's compare proves the offset live (above).
        unsafe { dict.value_at_live_offset(self.value_offset.get()) }
    }

    /// Looks `name` up (globals, then builtins) and remembers where it was, whatever the
    /// back-off says. `hash` is the dicts' hash of `name` ([`hash_key`](crate::hash_key)).
    ///
    /// # Panics
    ///
    /// If a dict that does not hold `name` hashes it to something other than `hash` (dicts
    /// with different hashers): see the [module docs](super#hashers).
    pub fn fill<'d, 'n, K, V, S, Q>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        self.counters.on_explicit_fill();
        self.fill_uncounted(globals, builtins, name, hash, Version::NEVER)
    }

    /// Fills; `pair` is the dicts' pair version when the fill comes through [`Namespaces`],
    /// else `NEVER`.
    fn fill_uncounted<'d, 'n, K, V, S, Q>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
        pair: Version,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        // Unable to hit from here on until the end, whatever happens in between (the lookup
        // runs the key's `Eq`, which may panic, or even load through this very cache).
        self.empty();
        let (home, slot, value) =
            find_global(globals, builtins, name, hash).ok_or(NameError { name })?;
        match home {
            Home::Globals => self.remember_module(globals, slot),
            Home::Builtins => {
                self.value_offset.set(builtins.live_value_offset(slot));
                self.builtin_builtins_keys_version
                    .set(builtins.keys_version());
                // Marked: the first hit records that the fill was used (`cache::backoff`).
                self.builtin_globals_keys_version
                    .set(globals.keys_version().marked());
                if pair != Version::NEVER {
                    // Marked too: either first hit records the fill's use.
                    self.builtin_pair_version.set(pair.marked());
                }
            }
        }
        Ok(value)
    }

    /// The value of `name`: read from the remembered slot on a hit, else looked up (and
    /// remembered, unless the site is backing off). `hash` is the dicts' hash of `name`,
    /// computed once when the name was interned ([`hash_key`](crate::hash_key)).
    ///
    /// The one call an interpreter loop needs (see the [module docs](super)): it returns a
    /// reference into the dict either way, to push a clone of. The hit is inline; the miss is
    /// out of line.
    ///
    /// # Panics
    ///
    /// As [`fill`](Self::fill), on a hasher mismatch.
    #[inline]
    pub fn load_with_hash<'d, 'n, K, V, S, Q>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        self.load_hashing(globals, builtins, name, || hash)
    }

    /// [`load_with_hash`](Self::load_with_hash), hashing `name` with globals' hasher only
    /// when the cache misses.
    #[inline]
    pub fn load<'d, 'n, K, V, S, Q>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        self.load_hashing(globals, builtins, name, || globals.hash_key(name))
    }

    /// Both loads: `hash` gives the name's hash, asked only when the cache misses.
    #[inline(always)]
    fn load_hashing<'d, 'n, K, V, S, Q>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
        hash: impl FnOnce() -> u64,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        if let Some(value) = self.hit(globals, builtins) {
            return Ok(value);
        }
        self.miss_with_hash(globals, builtins, name, hash())
    }

    /// What [`load_with_hash`](Self::load_with_hash) does once its hit test has failed: looks
    /// `name` up and remembers where it was, or, while the site backs off, looks it up and
    /// remembers nothing.
    ///
    /// For a loop that tests [`hit`](Self::hit) itself and fetches the name and its hash only
    /// when that fails, as `vdict::vm` does: `load_with_hash` there would test the keys
    /// versions a second time. Called when a hit was possible, it still answers right: it
    /// looks the name up again, and counts a miss.
    ///
    /// ```
    /// use vdict::{cache::SlotCache, hash_key, Dict};
    ///
    /// let mut globals: Dict<&str, i32> = Dict::new();
    /// let builtins: Dict<&str, i32> = Dict::new();
    /// globals.insert("x", 1);
    /// let site = SlotCache::counting_hits();
    /// for _ in 0..3 {
    ///     let value = match site.hit(&globals, &builtins) {
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
    pub fn miss_with_hash<'d, 'n, K, V, S, Q>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        self.miss(globals, builtins, name, hash, Version::NEVER)
    }

    /// Both misses: `pair` is the dicts' pair version for [`miss_in`](Self::miss_in), else
    /// `NEVER`.
    #[inline(always)]
    fn miss<'d, 'n, K, V, S, Q>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
        pair: Version,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        // Backing off: the cache is empty, and a plain lookup answers.
        // (Skips are left only while the cache is empty: see `SiteCounters::take_skip`.)
        if self.counters.take_skip() {
            debug_assert!(self.is_empty(), "a site backing off remembers a slot");
            return lookup_global_with_hash(globals, builtins, name, hash);
        }
        self.fill_or_back_off(globals, builtins, name, hash, pair)
    }

    /// `STORE_GLOBAL` through a cache site of its own: binds `name` to `value` in `globals`
    /// and returns the value it replaced, if any. `hash` is `name`'s hash; `make_key` makes
    /// the owned key, and is called only when the name is new to `globals`.
    ///
    /// A site remembers the slot the name lives in, as a load's does; while the globals' keys
    /// version is unchanged (rebinding a name changes values, never keys), a store writes that
    /// slot directly, with no hashing, probing or key compare. That is what makes a loop that
    /// rebinds a global cheap end to end: its loads keep hitting, and so do its stores. The
    /// dict's version changes on every store, as any write's does. A store site never backs
    /// off (a miss costs what an uncached store costs, plus remembering the slot).
    ///
    /// ```
    /// use std::rc::Rc;
    /// use vdict::{cache::SlotCache, hash_key, Dict};
    ///
    /// let mut globals: Dict<Rc<str>, i64> = Dict::new();
    /// let name: Rc<str> = "counter".into();
    /// let hash = hash_key(&*name);
    /// let store = SlotCache::counting_hits(); // one per STORE_GLOBAL instruction
    /// for i in 0..3 {
    ///     store.store_with_hash(&mut globals, &*name, hash, i, || name.clone());
    /// }
    /// assert_eq!(globals["counter"], 2);
    /// assert_eq!((store.stats().hits, store.stats().misses), (Some(2), 1));
    /// ```
    ///
    /// # Panics
    ///
    /// Debug builds panic if `hash` is not `globals`' hash of `name`, or if `make_key` makes a
    /// key other than `name` (either would store an entry that lookups cannot find).
    #[inline]
    pub fn store_with_hash<K, V, S, Q>(
        &self,
        globals: &mut Dict<K, V, S>,
        name: &Q,
        hash: u64,
        value: V,
        make_key: impl FnOnce() -> K,
    ) -> Option<V>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        match self.store_hit(globals, value) {
            Ok(old) => Some(old),
            Err(value) => self.store_miss(globals, name, hash, value, make_key),
        }
    }

    /// The first half of [`store_with_hash`](Self::store_with_hash): if the globals' keys
    /// are unchanged since this site remembered its slot, writes `value` there and returns
    /// the value it replaced; if not, hands `value` back, for `store_with_hash` to store.
    ///
    /// For a loop that fetches the name and its hash only when the fast path fails, as
    /// `vdict::vm` does for `STORE_GLOBAL` (as [`hit`](Self::hit) is for loads).
    ///
    /// ```
    /// use vdict::{cache::SlotCache, hash_key, Dict};
    ///
    /// let mut globals: Dict<String, i64> = Dict::new();
    /// let store = SlotCache::new();
    /// for i in 0..3 {
    ///     if let Err(value) = store.store_hit(&mut globals, i) {
    ///         store.store_with_hash(&mut globals, "n", hash_key("n"), value, || "n".into());
    ///     }
    /// }
    /// assert_eq!(globals["n"], 2);
    /// assert_eq!(store.stats().misses, 1); // the new name
    /// ```
    #[inline]
    pub fn store_hit<K, V, S>(&self, globals: &mut Dict<K, V, S>, value: V) -> Result<V, V> {
        match self.remembered_global_mut(globals) {
            Some(slot) => Ok(std::mem::replace(slot, value)),
            None => Err(value),
        }
    }

    /// [`store_hit`](Self::store_hit) for a caller that would drop the replaced value at once:
    /// the new value is written over the old one, which is dropped where it lies.
    ///
    /// Use it for `STORE_GLOBAL` unless the old value must outlive the store (a finaliser run
    /// at a time of the interpreter's choosing). Handing the old value back costs more than
    /// it seems: in the reference VM, with `store_hit`'s result dropped at once, LLVM moved the
    /// old value out through a stack temporary, a byte off its alignment, and read it back
    /// before the two stores that wrote it had both landed, a stall the core takes or not
    /// by where the loop falls: the report's rebinding row read 1.65-2.01 × `LOAD_FAST` in
    /// one build of the loop and 1.11-1.32 in another (2026-12-07); with this call, 0.93-1.03
    /// in both.
    ///
    /// ```
    /// use vdict::{cache::SlotCache, hash_key, Dict};
    /// use std::rc::Rc;
    ///
    /// let mut globals: Dict<String, Rc<str>> = Dict::new();
    /// let store = SlotCache::new();
    /// let [a, b, c]: [Rc<str>; 3] = ["a".into(), "b".into(), "c".into()];
    /// let h = hash_key("s");
    /// store.store_with_hash(&mut globals, "s", h, a.clone(), || "s".into()); // inserts, fills
    /// store.store_with_hash(&mut globals, "s", h, b.clone(), || "s".into()); // uses the fill
    /// assert_eq!(Rc::strong_count(&b), 2);
    /// assert_eq!(store.store_hit_dropping_old(&mut globals, c.clone()), Ok(())); // a hit
    /// assert_eq!(Rc::strong_count(&b), 1); // the old value was dropped
    /// assert_eq!(&*globals["s"], "c");
    /// ```
    #[inline]
    pub fn store_hit_dropping_old<K, V, S>(
        &self,
        globals: &mut Dict<K, V, S>,
        value: V,
    ) -> Result<(), V> {
        match self.remembered_global_mut(globals) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(value),
        }
    }

    /// The value of the module global this site remembers, for writing, if the globals' keys
    /// are unchanged since it remembered it; bumps the globals' version when it is `Some`.
    #[inline(always)]
    fn remembered_global_mut<'g, K, V, S>(
        &self,
        globals: &'g mut Dict<K, V, S>,
    ) -> Option<&'g mut V> {
        if self.module_globals_keys_version.get() != globals.keys_version() {
            return None;
        }
        // SAFETY: equal keys versions: the remembered offset is still that of the name's
        // live value (as in `remembered_value_in`; only a name found in globals sets this
        // version). The write bumps the version.
        #[allow(unsafe_code)]
        let slot = unsafe { globals.value_at_live_offset_mut(self.value_offset.get()) };
        Some(slot)
    }

    /// The slow path of a store: an insert by reference, then remember where the name is.
    #[cold]
    #[inline(never)]
    fn store_miss<K, V, S, Q>(
        &self,
        globals: &mut Dict<K, V, S>,
        name: &Q,
        hash: u64,
        value: V,
        make_key: impl FnOnce() -> K,
    ) -> Option<V>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        // The second look, against the version as a fill stores it, marked (as `marked_hit`).
        let marked = globals.keys_version().marked();
        if self.module_globals_keys_version.get() == marked {
            self.counters
                .on_marked_hit(&self.module_globals_keys_version);
            // SAFETY: as in `store_with_hash`: the keys version matched, marked.
            #[allow(unsafe_code)]
            let slot = unsafe { globals.value_at_live_offset_mut(self.value_offset.get()) };
            return Some(std::mem::replace(slot, value));
        }
        self.counters.on_explicit_fill();
        self.empty();
        let (slot, old) = match globals.entry_ref_with_hash(hash, name) {
            EntryRef::Occupied(mut entry) => (entry.slot(), Some(entry.insert(value))),
            EntryRef::Vacant(entry) => {
                let key = make_key();
                debug_assert!(
                    name.equivalent(&key),
                    "vdict: store_with_hash's make_key made a key other than the name stored"
                );
                entry.insert_with_key(key, value);
                let slot = globals.slot_count() - 1; // a new key takes the last slot
                (slot, None)
            }
        };
        self.remember_module(globals, slot);
        old
    }

    /// Remembers that the name lives in `globals`' live slot `slot`.
    fn remember_module<K, V, S>(&self, globals: &Dict<K, V, S>, slot: usize) {
        self.value_offset.set(globals.live_value_offset(slot));
        // Marked: the first hit records that the fill was used (`cache::backoff`).
        self.module_globals_keys_version
            .set(globals.keys_version().marked());
    }

    /// The slow path of a miss: fill (remembering the pair version `pair` unless it is
    /// `NEVER`), or (starting to back off) look up without remembering.
    #[cold]
    #[inline(never)]
    fn fill_or_back_off<'d, 'n, K, V, S, Q>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
        name: &'n Q,
        hash: u64,
        pair: Version,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        match self.counters.on_miss() {
            OnMiss::Fill => self.fill_uncounted(globals, builtins, name, hash, pair),
            OnMiss::LookUpOnly => {
                self.empty();
                lookup_global_with_hash(globals, builtins, name, hash)
            }
        }
    }

    /// [`miss_with_hash`](Self::miss_with_hash) through [`Namespaces`]: a fill remembers the
    /// pair version too, for [`hit_in`](Self::hit_in).
    ///
    /// # Panics
    ///
    /// As [`fill`](Self::fill), on a hasher mismatch.
    #[inline]
    pub fn miss_in<'d, 'n, K, V, S, Q>(
        &self,
        namespaces: &Namespaces<'d, K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        self.miss(
            namespaces.globals(),
            namespaces.builtins(),
            name,
            hash,
            namespaces.pair_version(),
        )
    }

    /// [`load_with_hash`](Self::load_with_hash) through [`Namespaces`]:
    /// [`hit_in`](Self::hit_in), else [`miss_in`](Self::miss_in).
    ///
    /// # Panics
    ///
    /// As [`fill`](Self::fill), on a hasher mismatch.
    #[inline]
    pub fn load_in<'d, 'n, K, V, S, Q>(
        &self,
        namespaces: &Namespaces<'d, K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'d V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
    {
        if let Some(value) = self.hit_in(namespaces) {
            return Ok(value);
        }
        self.miss_in(namespaces, name, hash)
    }

    /// Whether the site is backing off (it then remembers no slot), for an interpreter that
    /// quickens: as [`VersionCache::backing_off`](super::VersionCache::backing_off).
    #[inline]
    pub fn backing_off(&self) -> bool {
        self.counters.backing_off()
    }

    /// Takes one of a backing-off site's skips, or says there is none left: as
    /// [`VersionCache::take_skip`](super::VersionCache::take_skip).
    #[inline]
    pub fn take_skip(&self) -> bool {
        self.counters.take_skip()
    }

    /// Forgets the remembered slot (the next load misses, and fills); keeps the counters.
    pub fn clear(&self) {
        self.empty();
        self.counters.end_skips();
    }

    /// Empties the cache: keys versions that match no dict.
    fn empty(&self) {
        self.module_globals_keys_version.set(Version::NEVER);
        self.builtin_globals_keys_version.set(Version::NEVER);
        self.builtin_builtins_keys_version.set(Version::NEVER);
        self.builtin_pair_version.set(Version::NEVER);
    }

    /// Whether the cache is empty (it cannot hit): the state a site backing off keeps it in.
    #[inline(always)]
    fn is_empty(&self) -> bool {
        self.module_globals_keys_version.get() == Version::NEVER
            && self.builtin_globals_keys_version.get() == Version::NEVER
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
