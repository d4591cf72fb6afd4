//! [`SharedVersionCache`]: the version cache of `LOAD_GLOBAL` for namespaces shared between
//! threads (see the module docs of [`crate::sync`] for why its hit needs no lock).

use super::SharedDict;
use crate::cache::{assert_own_hash, NameError};
use crate::Version;
use equivalent::Equivalent;
use std::hash::{BuildHasher, Hash};

/// A `LOAD_GLOBAL` cache site over [`SharedDict`] namespaces: remembers both namespaces'
/// published versions and a clone of the value found (for an interpreter's values, an `Arc`).
///
/// A hit is one `Acquire` load per namespace, two compares, and a reference to the remembered
/// value: no lock, no write to memory another thread reads. A miss takes globals' read lock,
/// and builtins' too when the name is not in globals; it remembers what it found with the
/// versions it depends on read under those locks.
///
/// **The contract**: a hit returns the value a locked lookup (globals, then builtins) would
/// have returned at the moment of its first version load; a miss returns what it finds under
/// the locks. Writes become visible to hits when they complete (see [`crate::sync`]).
///
/// One site serves one name, as with the single-thread caches: keep one per `LOAD_GLOBAL`
/// instruction, per thread (a site asked about another name while the versions are unchanged
/// answers with the value it remembers).
///
/// Each thread keeps its own sites (the cache is `Send`, filled through `&mut self`); unlike
/// the single-thread [`VersionCache`](crate::cache::VersionCache) it has no back-off: a site
/// that keeps missing takes the read locks on every load, as an uncached load does.
///
/// A thread must not hold one namespace's [`write`](SharedDict::write) guard while it takes
/// another's, in the order builtins then globals: a miss holds globals' read lock while it
/// takes builtins', and the two orders together can deadlock.
#[derive(Debug, Clone)]
pub struct SharedVersionCache<V> {
    globals_version: Version,
    builtins_version: Version,
    value: Option<V>,
}

impl<V> Default for SharedVersionCache<V> {
    fn default() -> Self {
        SharedVersionCache::new()
    }
}

impl<V> SharedVersionCache<V> {
    /// An empty site: its first load misses.
    pub const fn new() -> Self {
        SharedVersionCache {
            globals_version: Version::NEVER,
            builtins_version: Version::NEVER,
            value: None,
        }
    }

    /// The remembered value, if neither namespace has published a write since it was
    /// remembered. No lock.
    #[inline]
    pub fn hit<K, S>(
        &self,
        globals: &SharedDict<K, V, S>,
        builtins: &SharedDict<K, V, S>,
    ) -> Option<&V> {
        self.remembered_if(globals.version(), builtins.version())
    }

    /// The remembered value if the remembered versions are these, published by the
    /// namespaces now.
    #[inline(always)]
    #[allow(unsafe_code)]
    fn remembered_if(&self, globals_version: Version, builtins_version: Version) -> Option<&V> {
        if globals_version == self.globals_version && builtins_version == self.builtins_version {
            debug_assert!(
                self.value.is_some(),
                "vdict: remembered versions without a value"
            );
            // SAFETY: the versions matched versions a namespace published, and no namespace
            // publishes `Version::NEVER` (the supply starts at 1), so the site's versions are
            // not `NEVER`; and the site holds versions other than `NEVER` only with a value:
            // `new` and `clear` set both versions to `NEVER` with no value, and `fill` clears
            // the site first and stores the versions only after the value (a panic between,
            // in the value's `clone` or a hash check, leaves it cleared). Testing for the
            // value here made the threads table's shared hit 0.50-0.51 ns a load where it is
            // 0.42-0.46 without (report, `--only threads`, three alternating runs of each
            // build; the single-threaded `VersionCache`, which skips the test the same way,
            // 0.32-0.35).
            return Some(unsafe { self.value.as_ref().unwrap_unchecked() });
        }
        None
    }

    /// The value of `name`: the remembered one on a hit, else looked up under the read locks
    /// and remembered. `hash` is the namespaces' hash of `name` ([`crate::hash_key`]).
    ///
    /// # Panics
    ///
    /// If `hash` is not both namespaces' hash of `name` and the lookup misses in either (as
    /// the single-thread caches do: a wrong hash must not become a wrong answer).
    #[inline]
    pub fn load_with_hash<'a, 'n, K, S, Q>(
        &'a mut self,
        globals: &SharedDict<K, V, S>,
        builtins: &SharedDict<K, V, S>,
        name: &'n Q,
        hash: u64,
    ) -> Result<&'a V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        self.load_hashing(globals, builtins, name, Some(hash))
    }

    /// [`load_with_hash`](Self::load_with_hash), hashing `name` (with globals' hasher) only
    /// when the cache misses.
    #[inline]
    pub fn load<'a, 'n, K, S, Q>(
        &'a mut self,
        globals: &SharedDict<K, V, S>,
        builtins: &SharedDict<K, V, S>,
        name: &'n Q,
    ) -> Result<&'a V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        self.load_hashing(globals, builtins, name, None)
    }

    /// Both loads: the hit inline, the fill out of line (given `hash`, or hashing `name` with
    /// globals' hasher when it is `None`).
    #[inline(always)]
    fn load_hashing<'a, 'n, K, S, Q>(
        &'a mut self,
        globals: &SharedDict<K, V, S>,
        builtins: &SharedDict<K, V, S>,
        name: &'n Q,
        hash: Option<u64>,
    ) -> Result<&'a V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        let versions = (globals.version(), builtins.version());
        if self.remembered_if(versions.0, versions.1).is_some() {
            // Asked again to borrow the answer for `'a` (a borrow returned from a branch that
            // does not fill is one the borrow checker does not yet allow); the compiler knows
            // the answer and folds the second test away.
            return Ok(self
                .remembered_if(versions.0, versions.1)
                .expect("the same versions, the same answer"));
        }
        self.fill(globals, builtins, name, hash)
    }

    /// The miss: globals' read lock, and builtins' only when the name is not in globals; the
    /// lookup, and the versions, remembered with a clone of the value.
    #[cold]
    #[inline(never)]
    fn fill<'a, 'n, K, S, Q>(
        &'a mut self,
        globals: &SharedDict<K, V, S>,
        builtins: &SharedDict<K, V, S>,
        name: &'n Q,
        hash: Option<u64>,
    ) -> Result<&'a V, NameError<'n, Q>>
    where
        K: Hash + Eq,
        Q: Hash + Equivalent<K> + ?Sized,
        S: BuildHasher,
        V: Clone,
    {
        // Drop the stale value first: a deleted global's object goes now, not at the next fill.
        // Until a value is remembered again the versions are `NEVER`, which no dict publishes.
        self.clear();
        let globals_dict = globals.read();
        let hash = hash.unwrap_or_else(|| globals_dict.hash_key(name));
        if let Some((_, value)) = globals_dict.slot_and_value_with_hash(hash, name) {
            self.value = Some(value.clone());
            // Read under the lock: the version of the very state the lookup saw.
            self.globals_version = globals_dict.version();
            // A name globals hold does not depend on builtins at all, so any version builtins
            // have published will do (a hit then also wants builtins unchanged, which is more
            // than it needs): the published word, without taking builtins' lock. A miss of a
            // module global thus takes one lock, not two: on a rebind each reader's miss takes
            // turns on one lock word fewer.
            self.builtins_version = builtins.version();
            return Ok(self.value.as_ref().expect("just remembered"));
        }
        assert_own_hash(&globals_dict, name, hash, "globals");
        // The same namespace twice (a module run as its own builtins) takes its lock once:
        // a second read lock on one lock can deadlock behind a waiting writer.
        let builtins_guard;
        let builtins_dict = if std::ptr::eq(globals, builtins) {
            &*globals_dict
        } else {
            builtins_guard = builtins.read();
            &*builtins_guard
        };
        let Some((_, value)) = builtins_dict.slot_and_value_with_hash(hash, name) else {
            assert_own_hash(builtins_dict, name, hash, "builtins");
            return Err(NameError { name });
        };
        self.value = Some(value.clone());
        // Read under both locks (globals' still held): the versions of the states the lookup
        // saw, the name absent from the one and found in the other.
        self.globals_version = globals_dict.version();
        self.builtins_version = builtins_dict.version();
        Ok(self.value.as_ref().expect("just remembered"))
    }

    /// Forgets and drops the remembered value; the next load misses.
    pub fn clear(&mut self) {
        self.value = None;
        self.globals_version = Version::NEVER;
        self.builtins_version = Version::NEVER;
    }

    /// The remembered value, fresh or not.
    pub fn remembered(&self) -> Option<&V> {
        self.value.as_ref()
    }
}
