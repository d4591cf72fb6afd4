//! The dict's two version tags, and when they change.
//!
//! Every change takes its fresh version at once, from the thread's block of versions (a
//! thread-local increment: `crate::version`): an insert of a new key, a removal, a squeeze or
//! `clear` gives both tags one new number; a change of values only (an overwrite, `get_mut`...)
//! gives one to `version`. The tags are two plain words inside the `Dict`.
//!
//! Why not lazily. For a few hours on 2026-12-06 a change of keys only marked
//! the tags *pending*, and the first read took the version (an insert or a removal cost two
//! stores instead of a take: callgrind, 1,000 `u64` keys, reserved insert 116.5 -> 108.5
//! instructions, removal 239.7 -> 233.7). A read through `&Dict` then had to store, so the
//! tags became atomic words, and an `UnsafeCell` anywhere in a `Dict`'s own bytes costs every
//! lookup made from a caller's loop: rustc gives `&Dict` neither `noalias` nor `readonly`, so
//! the compiler must assume that any call in the loop (the out-of-line probe of a wide index,
//! present in every inlined `get`) may change the dict, and it reloads the hasher's seed and the
//! table's fields on every lookup. Callgrind, `examples/profile_plain vdict <hit|miss> <n>`,
//! lazy -> eager: hit 41.8 -> 37.6 at 16 keys, 40.1 -> 35.1 at 1,000, 54.5 -> 52.5 at 100,000;
//! miss 35.8 -> 30.5, 33.9 -> 27.9, 51.2 -> 47.2 (hashbrown 32.1 a hit and 27.8 a miss at
//! 1,000). Lookups are what a map is for, so the tags stay plain words, and keep out of
//! `Dict` anything with interior mutability (the positions' cells are boxed for the same
//! reason: `dict/ranks.rs`).

use crate::version::Version;

/// The two version tags of a dict, kept together so the Entry API can bump them.
///
/// The rule the slot cache's unchecked reads and writes stand on (`Dict::value_at_live_offset`):
/// **while `keys_version` is unchanged, every key keeps its live slot.** Every code path that
/// adds or removes a key, or moves an entry to another slot (a squeeze of the holes: from an
/// insert, a removal, `reserve`, `shrink_to_fit`), or empties the entries (`clear`, `drain`,
/// `pop_last`), takes a fresh keys version, and a fresh version is one no dict has carried
/// before. The one way two dicts share a keys version is `clone`, which copies the table slot
/// for slot; the first change of keys to either gives it a fresh one. So equal keys versions
/// prove equal key layouts. Breaking this rule in a new code path would be memory unsafety, not
/// just a stale answer: the model test and the `cache_ops` fuzzer check it through the slot
/// cache after every step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tags {
    /// Changes whenever the content may have changed (PEP 509's `ma_version_tag`).
    version: Version,
    /// Changes whenever the key set or the key-to-slot layout changes (CPython's `dk_version`).
    keys_version: Version,
}

impl Tags {
    /// A new dict's tags: one fresh number for both.
    #[inline]
    pub(crate) fn fresh() -> Tags {
        let version = Version::fresh();
        Tags {
            version,
            keys_version: version,
        }
    }

    /// A clone's tags: a version of its own, and the original's keys version (the clone has
    /// the very same slots).
    #[inline]
    pub(crate) fn sharing_keys_version(keys_version: Version) -> Tags {
        Tags {
            version: Version::fresh(),
            keys_version,
        }
    }

    /// A value may have changed, the keys did not.
    #[inline]
    pub(crate) fn values_changed(&mut self) {
        self.version = Version::fresh();
    }

    /// Keys were added or removed, or slots moved. One fresh number serves both tags: it is
    /// new to the whole process, which is all either tag needs.
    #[inline]
    pub(crate) fn keys_changed(&mut self) {
        *self = Tags::fresh();
    }

    /// Slots moved (a squeeze), content unchanged.
    #[inline]
    pub(crate) fn layout_changed(&mut self) {
        self.keys_version = Version::fresh();
    }

    /// The version: see the rules on `Dict`.
    #[inline]
    pub(crate) fn version(&self) -> Version {
        self.version
    }

    /// The keys version: see the rules on `Dict`.
    #[inline]
    pub(crate) fn keys_version(&self) -> Version {
        self.keys_version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_moves_the_tags_it_should_and_reads_move_none() {
        let mut tags = Tags::fresh();
        let first = tags.version();
        assert_eq!(
            tags.keys_version(),
            first,
            "a new dict's tags share one number"
        );
        assert_eq!(tags.version(), first, "a read moved a tag");

        tags.values_changed();
        let after_value = tags.version();
        assert!(after_value > first);
        assert_eq!(
            tags.keys_version(),
            first,
            "a change of values moved the keys version"
        );

        tags.layout_changed();
        assert_eq!(tags.version(), after_value, "a squeeze moved the version");
        assert!(tags.keys_version() > after_value);

        let keys_before = tags.keys_version();
        tags.keys_changed();
        let after_keys = tags.version();
        assert!(after_keys > keys_before);
        assert_eq!(
            tags.keys_version(),
            after_keys,
            "a change of keys moves both to one number"
        );

        let clone = Tags::sharing_keys_version(tags.keys_version());
        assert_eq!(clone.keys_version(), tags.keys_version());
        assert!(clone.version() > after_keys);
    }
}
