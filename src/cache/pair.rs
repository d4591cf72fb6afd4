//! [`PairVersion`] and [`Namespaces`]: one version standing for the keys of a globals dict
//! and a builtins dict together, so that a [`SlotCache`](super::SlotCache) hit of a builtin
//! is one compare, as a module global's is.
//!
//! A builtin's slot is valid while neither dict's keys change: the globals' keys version
//! proves the name has not been defined in globals since (it would shadow the builtin), the
//! builtins' proves the slot. Compared separately that is two compares after the module
//! field's failed one. A `PairVersion` remembers the two keys versions it last saw and a
//! version of its own for that pair, taken fresh whenever either changes; a site filled
//! through it remembers that one version, and a hit compares just it.
//!
//! The pair version is handed out only inside a [`Namespaces`], which borrows both dicts: no
//! dict can change while a `Namespaces` made from it exists, so its pair version is always the
//! dicts' current one. The interpreter loop makes a `Namespaces` when it starts and again
//! after each of its own writes to globals or builtins, and passes it to every hit; making one
//! is two compares, paid per write instead of per load.

use crate::dict::LiveValues;
use crate::{Dict, Version};
use std::cell::Cell;
use std::fmt;

/// The version of a (globals, builtins) pair's keys, so that a builtin's
/// [`SlotCache`](super::SlotCache) hit is one compare: see the [cache module
/// docs](super#a-builtins-hit-in-one-compare).
///
/// It remembers the two keys versions it last saw and a version of its own for that pair,
/// taken fresh whenever either changes; a site filled through it remembers that one version.
/// It hands the pair version out only inside a [`Namespaces`], which borrows both dicts, so
/// the version cannot go stale while in use.
///
/// Keep one per pair of namespaces (one per module, say), for as long as the caches filled
/// through it live: another `PairVersion` hands out other versions, so sites filled through
/// one miss (once) when used through another. It is not `Sync`.
///
/// ```
/// use vdict::cache::{PairVersion, SlotCache};
/// use vdict::{hash_key, Dict};
///
/// let mut globals: Dict<String, i64> = Dict::new();
/// let mut builtins: Dict<String, i64> = Dict::new();
/// builtins.insert("len".into(), 1);
/// let pair = PairVersion::new();
/// let site = SlotCache::new();
///
/// let ns = pair.namespaces(&globals, &builtins);
/// assert_eq!(site.load_in(&ns, "len", hash_key("len")), Ok(&1)); // a miss: fills
/// assert_eq!(site.hit_in(&ns), Some(&1)); // one compare
///
/// globals.insert("len".into(), 2); // shadows the builtin: globals' keys changed
/// let ns = pair.namespaces(&globals, &builtins); // a new pair version
/// assert_eq!(site.hit_in(&ns), None);
/// assert_eq!(site.load_in(&ns, "len", hash_key("len")), Ok(&2));
/// ```
pub struct PairVersion {
    globals_keys_version: Cell<Version>,
    builtins_keys_version: Cell<Version>,
    pair: Cell<Version>,
}

impl PairVersion {
    /// A pair version that has seen no dicts: its first [`namespaces`](Self::namespaces)
    /// takes a fresh version.
    pub const fn new() -> PairVersion {
        PairVersion {
            // No dict's keys version is NEVER, so the first `namespaces` takes a fresh one.
            globals_keys_version: Cell::new(Version::NEVER),
            builtins_keys_version: Cell::new(Version::NEVER),
            pair: Cell::new(Version::NEVER),
        }
    }

    /// `globals` and `builtins` with the version of their keys as a pair: the same version
    /// as last time if neither dict's keys version has changed since, else a fresh one.
    #[inline]
    pub fn namespaces<'d, K, V, S>(
        &self,
        globals: &'d Dict<K, V, S>,
        builtins: &'d Dict<K, V, S>,
    ) -> Namespaces<'d, K, V, S> {
        if self.globals_keys_version.get() != globals.keys_version()
            || self.builtins_keys_version.get() != builtins.keys_version()
        {
            self.take_fresh_pair(globals, builtins);
        }
        Namespaces {
            globals,
            builtins,
            pair: self.pair.get(),
            // The current keys version: equal to the tag just compared, or just taken.
            globals_keys_version: self.globals_keys_version.get(),
            globals_values: globals.live_values(),
            builtins_values: builtins.live_values(),
        }
    }

    /// Remembers the dicts' current keys versions under a fresh pair version. Out of line
    /// and cold: a pair changes only when a namespace's keys do, and inline it can make
    /// `namespaces` too big to inline into an interpreter's loop (in the reference VM it once
    /// did: the loop then called `namespaces` after every `STORE_GLOBAL` and copied the
    /// 64-byte `Namespaces` back through memory, read off the disassembly of
    /// `examples/profile_vm`).
    #[cold]
    #[inline(never)]
    fn take_fresh_pair<K, V, S>(&self, globals: &Dict<K, V, S>, builtins: &Dict<K, V, S>) {
        self.globals_keys_version.set(globals.keys_version());
        self.builtins_keys_version.set(builtins.keys_version());
        self.pair.set(Version::fresh());
    }
}

impl Default for PairVersion {
    fn default() -> Self {
        PairVersion::new()
    }
}

impl fmt::Debug for PairVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PairVersion")
            .field("globals_keys_version", &self.globals_keys_version.get())
            .field("builtins_keys_version", &self.builtins_keys_version.get())
            .field("pair", &self.pair.get())
            .finish()
    }
}

/// A globals and a builtins dict, borrowed, with the version of their keys as a pair (made
/// by [`PairVersion::namespaces`]). What [`SlotCache::hit_in`](super::SlotCache::hit_in)
/// compares against.
///
/// Why its pair version is the dicts' current one, which a hit's unchecked read relies on:
/// it borrows both dicts for as long as it lives, so neither changes meanwhile; when it was
/// made the `PairVersion` compared both keys versions with those its pair version was taken
/// for, and took a fresh one if either differed. A pair version is never handed out for two
/// different pairs of keys versions (each is fresh from the process-wide supply), so equal
/// pair versions mean equal keys versions of both dicts, and so (see [`Dict::keys_version`])
/// both dicts laid out slot for slot as when the site was filled.
pub struct Namespaces<'d, K, V, S> {
    globals: &'d Dict<K, V, S>,
    builtins: &'d Dict<K, V, S>,
    pair: Version,
    // Copies of what a hit reads, taken when the token was made (neither dict can change
    // while it lives): a hit reads them from the token, which the loop keeps at hand, not
    // through the dicts, which is a load shorter.
    globals_keys_version: Version,
    globals_values: LiveValues<'d, K, V>,
    builtins_values: LiveValues<'d, K, V>,
}

impl<'d, K, V, S> Namespaces<'d, K, V, S> {
    /// The globals.
    #[inline]
    pub fn globals(&self) -> &'d Dict<K, V, S> {
        self.globals
    }

    /// The builtins.
    #[inline]
    pub fn builtins(&self) -> &'d Dict<K, V, S> {
        self.builtins
    }

    /// The version of the two dicts' keys as a pair.
    #[inline]
    pub fn pair_version(&self) -> Version {
        self.pair
    }

    /// The globals' keys version (the globals cannot change while this lives).
    #[inline]
    pub(crate) fn globals_keys_version(&self) -> Version {
        self.globals_keys_version
    }

    /// The globals' entries, for a hit's read.
    #[inline]
    pub(crate) fn globals_values(&self) -> LiveValues<'d, K, V> {
        self.globals_values
    }

    /// The builtins' entries, for a hit's read.
    #[inline]
    pub(crate) fn builtins_values(&self) -> LiveValues<'d, K, V> {
        self.builtins_values
    }
}

impl<K, V, S> Clone for Namespaces<'_, K, V, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V, S> Copy for Namespaces<'_, K, V, S> {}

impl<K, V, S> fmt::Debug for Namespaces<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Namespaces")
            .field("pair", &self.pair)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_version_changes_exactly_when_either_dicts_keys_do() {
        let mut globals: Dict<&str, i32> = Dict::new();
        let mut builtins: Dict<&str, i32> = Dict::new();
        let pair = PairVersion::new();
        let first = pair.namespaces(&globals, &builtins).pair_version();
        assert_ne!(first, Version::NEVER);
        assert_eq!(pair.namespaces(&globals, &builtins).pair_version(), first);
        globals.insert("x", 1);
        let second = pair.namespaces(&globals, &builtins).pair_version();
        assert_ne!(second, first);
        globals.insert("x", 2); // a value, not a key
        assert_eq!(pair.namespaces(&globals, &builtins).pair_version(), second);
        builtins.insert("len", 0);
        let third = pair.namespaces(&globals, &builtins).pair_version();
        assert_ne!(third, second);
        assert_ne!(third, first);
        // Another PairVersion never hands out the same version for the same dicts.
        assert_ne!(
            PairVersion::new()
                .namespaces(&globals, &builtins)
                .pair_version(),
            third
        );
    }
}
