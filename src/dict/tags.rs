//! The dict's two version tags, taken lazily when keys change.
//!
//! A change of keys (an insert of a new key, a removal, a squeeze, `clear`...) does not take
//! fresh versions from the process-wide supply: it marks both tags *pending* (two stores). The
//! first read of a tag after it takes a fresh version and keeps it (the other tag, if still
//! pending, gets the same number), so reads between two changes all see one value, and a tag
//! still proves what it proved before (equal tags: the same dict in the same state). A dict
//! that takes a thousand keys between two reads takes one version, not a thousand, and an
//! insert or a removal costs two stores instead of a take from the thread's block of versions:
//! callgrind, 1,000 `u64` keys, 8 instructions less a reserved insert (116.5 -> 108.5, indexmap
//! 105.6), 6 a removal or `pop`, 7 a `swap_remove`.
//!
//! A change of values only (an overwrite, `get_mut`...) takes its fresh version at once. Lazy
//! there too, it saved an overwrite 8 instructions, but it cost the reference VM's rebinding
//! loop (`STORE_GLOBAL` to an existing name, then ten slot-cache loads, which read no version
//! at all) 1.1-1.4 ns a load on the clock, in builds aligned to rule out code placement
//! (`report --only load`, three runs of each build: 1.30-1.36 × `LOAD_FAST` against 1.15-1.22
//! before). Not the store itself, as far as can be seen: the VM's loop is one large function,
//! and the smaller bump changed how the compiler allocates registers in all of it (built
//! against today's code, the lazy form runs 14 instructions more an iteration, in opcodes that
//! touch no tag; callgrind, `examples/profile_vm slot rebind`). Overwrites are what an
//! interpreter's namespaces see most, so they keep the eager bump.
//!
//! Reads take `&self`, and a `Dict` is shared between threads by `&`, so a tag is an atomic
//! word: two threads that read a pending tag at once may each take a version and store it, and
//! whichever store comes last stays. Both versions are fresh and tag the same state, so a cache
//! that remembered the one that lost misses once and never answers wrongly. Changes take
//! `&mut self`, which no reader can hold at the same time, so no reader's store can overwrite a
//! change's "pending". Relaxed order is enough: the tag carries no data for another thread; the
//! lock or join that hands a dict between threads orders everything else.

use crate::version::{Version, SUPPLY_END};
#[cfg(loom)]
use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicU64, Ordering};

/// The raw value of a tag waiting for its first read: a value no version and no cache word
/// ever holds. Versions stop below 2^63 - 1 ([`SUPPLY_END`]); a cache's word holds a version,
/// a version with its top bit set (marked), or 0 (empty), and none of those is all ones.
const PENDING: u64 = u64::MAX;
const _: () = assert!((SUPPLY_END - 1) | (1 << 63) != PENDING);

/// One lazily taken version tag: a version, or [`PENDING`].
struct Tag(AtomicU64);

impl Tag {
    fn pending() -> Tag {
        Tag(AtomicU64::new(PENDING))
    }

    fn holding(version: Version) -> Tag {
        Tag(AtomicU64::new(version.as_u64()))
    }

    #[inline(always)]
    fn raw(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    #[inline(always)]
    fn store(&self, version: Version) {
        self.0.store(version.as_u64(), Ordering::Relaxed);
    }

    /// Stores `raw` through `&mut`: a plain store (loom's atomics have no `get_mut`).
    #[inline(always)]
    fn set_raw(&mut self, raw: u64) {
        #[cfg(not(loom))]
        {
            *self.0.get_mut() = raw;
        }
        #[cfg(loom)]
        self.0.with_mut(|word| *word = raw);
    }
}

/// The two version tags of a dict, kept together so the Entry API can bump them. A change of
/// keys marks both pending, their fresh versions taken when next read; a change of values takes
/// a fresh version at once (see the module docs).
///
/// The rule the slot cache's unchecked reads and writes stand on (`Dict::value_at_live_offset`): **while
/// `keys_version` is unchanged, every key keeps its live slot.** Every code path that adds or
/// removes a key, or moves an entry to another slot (a squeeze of the holes: from an insert, a
/// removal, `reserve`, `shrink_to_fit`), or empties the entries (`clear`, `drain`, `pop_last`), marks the keys
/// version pending, so that its next read takes a fresh one, and a fresh version is one no dict
/// has carried before (a pending tag equals no remembered version meanwhile). The one way two dicts share
/// a keys version is `clone`, which copies the table slot for slot; the first change of keys
/// to either gives it a fresh one. So equal keys versions prove equal key layouts. Breaking
/// this rule in a new code path would be memory unsafety, not just a stale answer: the model
/// test and the `cache_ops` fuzzer check it through the slot cache after every step.
pub(crate) struct Tags {
    /// Changes whenever the content may have changed (PEP 509's `ma_version_tag`).
    version: Tag,
    /// Changes whenever the key set or the key-to-slot layout changes (CPython's `dk_version`).
    keys_version: Tag,
}

impl Tags {
    /// Tags that take fresh versions when first read.
    #[inline]
    pub(crate) fn fresh() -> Tags {
        Tags {
            version: Tag::pending(),
            keys_version: Tag::pending(),
        }
    }

    /// A clone's tags: a version of its own, taken when first read, and the original's keys
    /// version (`keys_version`, read from it, so not pending).
    pub(crate) fn sharing_keys_version(keys_version: Version) -> Tags {
        Tags {
            version: Tag::pending(),
            keys_version: Tag::holding(keys_version),
        }
    }

    /// A value may have changed, the keys did not: a fresh version now (see the module docs
    /// for why not lazily).
    #[inline]
    pub(crate) fn values_changed(&mut self) {
        self.version.set_raw(Version::fresh().as_u64());
    }

    /// Keys were added or removed, or slots moved: both tags pending.
    #[inline]
    pub(crate) fn keys_changed(&mut self) {
        self.version.set_raw(PENDING);
        self.keys_version.set_raw(PENDING);
    }

    /// Slots moved (a squeeze), content unchanged: the keys version pending.
    #[inline]
    pub(crate) fn layout_changed(&mut self) {
        self.keys_version.set_raw(PENDING);
    }

    /// The version, taken now if it is pending.
    #[inline]
    pub(crate) fn version(&self) -> Version {
        read(&self.version, &self.keys_version)
    }

    /// The keys version, taken now if it is pending.
    #[inline]
    pub(crate) fn keys_version(&self) -> Version {
        read(&self.keys_version, &self.version)
    }

    /// The version as a cache's hit test compares it: see [`TagReading`]. Takes none.
    #[inline]
    pub(crate) fn version_reading(&self) -> TagReading {
        TagReading(self.version.raw())
    }

    /// The keys version as a cache's hit test compares it: see [`TagReading`]. Takes none.
    #[inline]
    pub(crate) fn keys_version_reading(&self) -> TagReading {
        TagReading(self.keys_version.raw())
    }
}

/// The version in `tag`, taken now if it is pending, and then kept; `other`, the dict's other
/// tag, gets the same number if it is pending too (a change of keys moved both, and one number
/// serves both: it is new to the whole process, which is all either needs). Inline, take and
/// all, as the eager take it replaces was: an interpreter reads its namespaces' versions right
/// after its own writes, and with the take out of line (cold) the reference VM's version mode
/// measured worse while overwrites were lazy too (`report --only load`, aligned builds,
/// rebinding with the version cache over uncached: 1.15-1.20 against 1.03-1.07).
#[inline]
fn read(tag: &Tag, other: &Tag) -> Version {
    let raw = tag.raw();
    if raw != PENDING {
        return Version::from_u64(raw);
    }
    let version = Version::fresh();
    tag.store(version);
    if other.raw() == PENDING {
        other.store(version);
    }
    version
}

/// A tag as read for a cache's hit test, without taking a version: equal to a remembered
/// [`Version`] exactly when the tag holds that version, and, while the tag is pending, equal to
/// none (the dict changed since any version of it was read, so a hit test must fail). Not a
/// `Version`, so that a pending tag cannot be remembered by mistake: a cache remembers what
/// `Dict::version` or `Dict::keys_version` answer.
#[derive(Clone, Copy)]
pub(crate) struct TagReading(u64);

impl PartialEq<TagReading> for Version {
    #[inline(always)]
    fn eq(&self, reading: &TagReading) -> bool {
        self.as_u64() == reading.0
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_pending_tag_equals_nothing_a_cache_can_remember() {
        let mut tags = Tags::sharing_keys_version(Version::fresh());
        let _ = tags.version();
        tags.keys_changed();
        let pending = tags.version_reading();
        assert_eq!(tags.keys_version_reading().0, pending.0);
        let last = Version::from_u64(SUPPLY_END - 1);
        let fresh = Version::fresh();
        for remembered in [Version::NEVER, fresh, fresh.marked(), last, last.marked()] {
            assert!(
                remembered != pending,
                "{remembered:?} matches a pending tag"
            );
        }
        // Its first read takes a version, which the next reads and the reading agree with,
        // and which the other pending tag gets too.
        let taken = tags.keys_version();
        assert!(taken > fresh);
        assert_eq!(tags.keys_version(), taken);
        assert!(taken == tags.keys_version_reading());
        assert_eq!(tags.version(), taken);
        // A value change alone moves only the version.
        tags.values_changed();
        assert!(tags.version() > taken);
        assert_eq!(tags.keys_version(), taken);
    }
}
