//! Version tags (PEP 509): one process-wide supply of never-repeating 64-bit numbers.
//!
//! Every [`Dict`](crate::Dict) carries two tags taken from this supply: its version, which
//! changes whenever its content may have changed, and its keys version, which changes only when
//! its key set or key-to-slot layout changes. A cache that remembers a tag can later compare one
//! integer instead of repeating a lookup: equal tags mean the same dict in the same state,
//! because no tag is ever handed out twice, to any dict, on any thread.
//!
//! How the supply works: one global atomic counter hands out *blocks* of
//! [`VERSIONS_PER_BLOCK`] numbers; each thread keeps the rest of its current block in a
//! thread-local cell, so taking a version is a thread-local increment and the shared counter is
//! touched once per block (free-threaded CPython 3.13 does the same). Within one thread versions
//! only grow, because each new block starts above every block handed out before it. Across
//! threads they are unique but not ordered.
//!
//! Under `cfg(loom)` the counter and the thread-local come from loom, and blocks are two
//! versions long, so that `tests/loom.rs` can explore every interleaving of threads taking
//! versions across block refills in a few steps.

use std::cell::Cell;
use std::fmt;
use supply::{Ordering, NEXT_BLOCK_START, THREAD_BLOCK};

/// How many versions a thread reserves from the global counter at a time (2 under loom).
pub const VERSIONS_PER_BLOCK: u64 = if cfg!(loom) { 2 } else { 1024 };

/// The shared counter and the per-thread block. `NEXT_BLOCK_START` is the start of the next
/// unreserved block; version 0 is never handed out, so a cache can use it as "nothing
/// remembered yet". `THREAD_BLOCK` is the unused part of this thread's block.
#[cfg(not(loom))]
mod supply {
    use super::Block;
    use std::sync::atomic::AtomicU64;
    pub use std::sync::atomic::Ordering;

    pub static NEXT_BLOCK_START: AtomicU64 = AtomicU64::new(1);

    thread_local! {
        pub static THREAD_BLOCK: Block = const { Block::empty() };
    }
}

#[cfg(loom)]
mod supply {
    use super::Block;
    use loom::sync::atomic::AtomicU64;
    pub use loom::sync::atomic::Ordering;

    loom::lazy_static! {
        pub static ref NEXT_BLOCK_START: AtomicU64 = AtomicU64::new(1);
    }

    loom::thread_local! {
        pub static THREAD_BLOCK: Block = Block::empty();
    }
}

/// The unused part of a thread's block of versions, `next..end` (empty when `next == end`).
/// Two cells rather than one cell of a pair, so that taking a version writes back only `next`.
struct Block {
    next: Cell<u64>,
    end: Cell<u64>,
}

impl Block {
    const fn empty() -> Block {
        Block {
            next: Cell::new(0),
            end: Cell::new(0),
        }
    }
}

/// A version tag: a number handed out once per process, never again.
///
/// Two dicts never share a version, and a dict's version changes on every change of content,
/// so `dict.version() == remembered` proves that `dict` is the dict the tag was read from and
/// that nothing was written to it since. See the version rules on [`Dict`](crate::Dict).
///
/// ```
/// use vdict::Dict;
/// let mut d = Dict::new();
/// let before = d.version();
/// d.insert("x", 1);
/// assert_ne!(d.version(), before);
/// assert!(d.version() > before); // same thread: later versions are greater
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(u64);

impl Version {
    /// A tag no dict ever carries (the supply starts at 1). A cache that starts out holding
    /// `Version::NEVER` misses on its first lookup without needing an "empty" flag.
    pub const NEVER: Version = Version(0);

    /// Takes a fresh version from the process-wide supply.
    ///
    /// The result differs from every version handed out before, on any thread, and is greater
    /// than every version handed out before on this thread.
    #[inline]
    pub fn fresh() -> Version {
        THREAD_BLOCK
            .try_with(|block| {
                let next = block.next.get();
                if next < block.end.get() {
                    block.next.set(next + 1);
                    Version(next)
                } else {
                    let start = reserve_block(VERSIONS_PER_BLOCK);
                    block.next.set(start + 1);
                    block.end.set(start + VERSIONS_PER_BLOCK);
                    Version(start)
                }
            })
            // The thread-local is gone only while this thread is being torn down; take a
            // block of one from the shared counter then.
            .unwrap_or_else(|_| Version(reserve_block(1)))
    }

    /// The tag as a plain integer (never 0), for storing it in a cache word or printing it.
    #[inline]
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// The tag whose [`as_u64`](Version::as_u64) is `raw`: for reading a tag back out of an
    /// atomic word it was published in (`vdict::sync`).
    #[inline]
    pub(crate) const fn from_u64(raw: u64) -> Version {
        Version(raw)
    }

    /// This tag with [`MARK_BIT`] set: a value no dict's tag ever has, which a cache stores to
    /// make its fast compare fail on purpose while still remembering the tag (see
    /// `cache::backoff`: the hit after a fill must record that the fill was used).
    #[inline]
    pub(crate) const fn marked(self) -> Version {
        Version(self.0 | MARK_BIT)
    }

    /// Whether this tag has [`MARK_BIT`] set: a sign test, cheaper on a miss path than
    /// comparing with another tag [`marked`](Version::marked).
    #[inline]
    pub(crate) const fn is_marked(self) -> bool {
        self.0 & MARK_BIT != 0
    }

    /// This tag without [`MARK_BIT`].
    #[inline]
    pub(crate) const fn unmarked(self) -> Version {
        Version(self.0 & !MARK_BIT)
    }
}

/// The top bit of a tag, which no handed-out version has (the supply stops at 2^63): free for
/// caches to mark a remembered tag with ([`Version::marked`]).
const MARK_BIT: u64 = 1 << 63;

/// Reserves `count` consecutive versions from the global counter and returns the first.
///
/// Panics if the supply runs out: versions stop below 2^63 (the top bit is [`MARK_BIT`]),
/// which at one version per nanosecond takes 292 years.
#[cold]
fn reserve_block(count: u64) -> u64 {
    let start = NEXT_BLOCK_START.fetch_add(count, Ordering::Relaxed);
    assert!(
        block_fits(start, count),
        "vdict: the 63-bit version supply is exhausted"
    );
    start
}

/// Whether versions `start..start + count` are all below [`MARK_BIT`] (so none is marked).
fn block_fits(start: u64, count: u64) -> bool {
    start.checked_add(count).is_some_and(|end| end <= MARK_BIT)
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({})", self.0)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn no_version_handed_out_is_marked_and_marking_round_trips() {
        // The supply stops below the mark bit: the last block that fits ends at 2^63.
        assert!(block_fits(
            MARK_BIT - VERSIONS_PER_BLOCK,
            VERSIONS_PER_BLOCK
        ));
        assert!(!block_fits(
            MARK_BIT - VERSIONS_PER_BLOCK + 1,
            VERSIONS_PER_BLOCK
        ));
        assert!(!block_fits(u64::MAX - 1, VERSIONS_PER_BLOCK));
        for version in [Version::NEVER, Version::fresh(), Version(MARK_BIT - 1)] {
            assert!(!version.is_marked());
            let marked = version.marked();
            assert!(marked.is_marked());
            assert_ne!(marked, version, "a marked version matches no unmarked one");
            assert_eq!(marked.unmarked(), version);
        }
    }

    #[test]
    fn versions_grow_on_one_thread_across_block_refills() {
        let mut last = Version::fresh();
        for _ in 0..3 * VERSIONS_PER_BLOCK {
            let next = Version::fresh();
            assert!(next > last, "{next:?} after {last:?}");
            last = next;
        }
    }

    #[test]
    fn versions_never_repeat_across_threads() {
        let per_thread = 5 * VERSIONS_PER_BLOCK as usize + 7;
        let handles: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(move || {
                    (0..per_thread)
                        .map(|_| Version::fresh())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut seen = HashSet::new();
        for handle in handles {
            for version in handle.join().unwrap() {
                assert_ne!(version.as_u64(), 0);
                assert!(seen.insert(version), "{version:?} handed out twice");
            }
        }
    }
}
