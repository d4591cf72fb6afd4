//! The dict's two version tags, taken lazily.
//!
//! A change of content does not take a fresh version from the process-wide supply: it marks
//! the tag *pending* (one store). The first read after it takes the fresh version and keeps it,
//! so reads between two changes all see one value, and a tag still proves what it proved before
//! (equal tags: the same dict in the same state). A dict changed a thousand times between two
//! reads takes one version, not a thousand; a change costs a store instead of a take from the
//! thread's block of versions (callgrind, inserting 1,000 `u64` keys into a reserved dict:
//! see `Tags`).
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

/// One lazily taken version tag.
pub(crate) struct Tag(AtomicU64);

impl Tag {
    /// A tag that takes a fresh version when it is first read.
    #[inline]
    pub(crate) fn pending() -> Tag {
        Tag(AtomicU64::new(PENDING))
    }

    /// A tag holding `version` already.
    #[inline]
    pub(crate) fn holding(version: Version) -> Tag {
        Tag(AtomicU64::new(version.as_u64()))
    }

    /// The tag's version, taken now if it is pending.
    #[inline]
    pub(crate) fn get(&self) -> Version {
        let raw = self.0.load(Ordering::Relaxed);
        if raw != PENDING {
            Version::from_u64(raw)
        } else {
            self.take_fresh()
        }
    }

    /// The tag as a cache's hit test compares it: see [`TagReading`]. Never takes a version.
    #[inline]
    pub(crate) fn reading(&self) -> TagReading {
        TagReading(self.0.load(Ordering::Relaxed))
    }

    /// Marks the tag pending: the content changed.
    #[inline]
    pub(crate) fn set_pending(&mut self) {
        #[cfg(not(loom))]
        {
            *self.0.get_mut() = PENDING;
        }
        #[cfg(loom)]
        self.0.with_mut(|raw| *raw = PENDING);
    }

    /// Takes a fresh version for a pending tag and keeps it. Inline: an interpreter reads its
    /// namespaces' versions right after its own writes (the reference VM does), and a call
    /// here cost its rebinding loop 3 instructions a load (callgrind, `examples/profile_vm
    /// slot rebind`).
    #[inline]
    fn take_fresh(&self) -> Version {
        let version = Version::fresh();
        self.0.store(version.as_u64(), Ordering::Relaxed);
        version
    }
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
        let mut tag = Tag::holding(Version::fresh());
        tag.set_pending();
        let pending = tag.reading();
        let last = Version::from_u64(SUPPLY_END - 1);
        let fresh = Version::fresh();
        for remembered in [Version::NEVER, fresh, fresh.marked(), last, last.marked()] {
            assert!(
                remembered != pending,
                "{remembered:?} matches a pending tag"
            );
        }
        // Its first read takes a version, which the next reads and the reading agree with.
        let taken = tag.get();
        assert!(taken > fresh);
        assert_eq!(tag.get(), taken);
        assert!(taken == tag.reading());
    }
}
