//! A cache site's counters, and its back-off.
//!
//! A site whose fills are never used (every time it runs, a namespace has changed since the
//! last time, as for a global rebound between any two loads of it) would pay for a fill on
//! every load and get nothing back: the version cache then cost twice an uncached load. So a
//! site backs off, as CPython's specialising interpreter does (`adaptive_counter_backoff` in
//! `Python/specialize.c`): a fill that is followed by a miss before any hit was *wasted*, and
//! each wasted fill doubles the number of misses the site then answers by a plain lookup
//! without filling (1, 3, 7, ... up to 4,095, CPython's cap), before it tries again. One fill
//! that is used resets the back-off. A hit never touches the back-off state: it only counts
//! itself, so the fast path stays a compare and an increment.
//!
//! Everything is in [`Cell`]s, so that hits, and the slot cache's fills, work through `&self`
//! (cache sites can live in shared code objects). A site is therefore not `Sync`.

use super::CacheStats;
use std::cell::Cell;

/// The largest back-off exponent: at most `2^12 - 1` misses skip the fill in a row.
pub(crate) const MAX_BACKOFF_EXPONENT: u8 = 12;

/// `hits_at_last_fill` before the first fill. (A site that has filled and then hit 2^32 - 1
/// times, exactly, looks unfilled: its next fill is not counted as wasted, which is harmless.)
const NEVER_FILLED: u32 = u32::MAX;

/// Counters and back-off state of one cache site.
///
/// While a site backs off, its cache is kept empty (a cache that cannot hit), so the caches
/// can tell "skip this fill" from two fields inline ([`SiteCounters::take_skip`], after their
/// own "am I empty?" test), and only the miss that decides, [`SiteCounters::on_miss`], is out
/// of line.
#[derive(Debug, Clone)]
pub(crate) struct SiteCounters {
    /// Loads answered from the cache: the one counter the fast path writes.
    hits: Cell<u64>,
    /// Misses that filled (or tried to: a `NameError` fills nothing).
    fills: Cell<u64>,
    /// Misses answered without a fill because the site was backing off.
    skipped_fills: Cell<u64>,
    /// The low 32 bits of `hits` when the site last filled ([`NEVER_FILLED`] before its first
    /// fill): a miss that finds them unchanged proves that fill wasted. (32 bits keep a slot
    /// cache site at 64 bytes, so that indexing an array of sites is a shift; exactly a
    /// multiple of 2^32 hits between two misses would pass for none, and cost one needless
    /// back-off step.)
    hits_at_last_fill: Cell<u32>,
    /// The current back-off: each wasted fill adds one, a used one resets it to 0.
    exponent: Cell<u8>,
    /// Misses left to answer without a fill before the site fills again.
    skips_left: Cell<u16>,
}

/// What a miss should do, as [`SiteCounters::on_miss`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnMiss {
    /// Look the name up and remember where (or what) it is.
    Fill,
    /// Empty the cache, then look the name up and remember nothing: the site is backing off.
    LookUpOnly,
}

impl SiteCounters {
    /// A site that has not loaded yet.
    pub(crate) const fn new() -> SiteCounters {
        SiteCounters {
            hits: Cell::new(0),
            fills: Cell::new(0),
            skipped_fills: Cell::new(0),
            hits_at_last_fill: Cell::new(NEVER_FILLED),
            exponent: Cell::new(0),
            skips_left: Cell::new(0),
        }
    }

    /// Counts a hit.
    #[inline(always)]
    pub(crate) fn count_hit(&self) {
        self.hits.set(self.hits.get().wrapping_add(1));
    }

    /// For a miss of a cache that is empty: if the site is backing off, counts a skipped fill
    /// and says so (the caller looks the name up and remembers nothing).
    ///
    /// An empty cache with skips left is one that [`on_miss`](SiteCounters::on_miss) emptied
    /// when it found the last fill wasted (or whose fill found nothing): no hit has happened
    /// since, so the back-off still holds. ([`SiteCounters::end_skips`] runs when a user
    /// empties a cache, so that is never mistaken for it.)
    #[inline(always)]
    pub(crate) fn take_skip(&self) -> bool {
        let skips_left = self.skips_left.get();
        if skips_left == 0 {
            return false;
        }
        self.skips_left.set(skips_left - 1);
        self.skipped_fills
            .set(self.skipped_fills.get().wrapping_add(1));
        true
    }

    /// The out-of-line miss: skips the fill if the last one was wasted and skips are left;
    /// otherwise fills, growing the back-off if the last fill was wasted, resetting it if not.
    pub(crate) fn on_miss(&self) -> OnMiss {
        let hits = self.hits.get();
        // No hit since the last fill. (Before the first fill: `NEVER_FILLED`, not wasted.)
        let wasted = self.hits_at_last_fill.get() == low_bits(hits);
        if wasted && self.take_skip() {
            return OnMiss::LookUpOnly;
        }
        let exponent = if wasted {
            (self.exponent.get() + 1).min(MAX_BACKOFF_EXPONENT)
        } else {
            0
        };
        self.exponent.set(exponent);
        self.skips_left.set((1u16 << exponent) - 1);
        self.count_fill(hits);
        OnMiss::Fill
    }

    /// Counts a fill that the caller asked for directly (not through a load): it starts a
    /// fresh round, as a used fill does, so an explicit fill is never skipped.
    pub(crate) fn on_explicit_fill(&self) {
        self.exponent.set(0);
        self.skips_left.set(0);
        self.count_fill(self.hits.get());
    }

    fn count_fill(&self, hits: u64) {
        self.fills.set(self.fills.get().wrapping_add(1));
        self.hits_at_last_fill.set(low_bits(hits));
    }

    /// Ends the current run of skipped fills (the back-off exponent stays): for a cache that a
    /// user empties, which must not pass for one emptied by the back-off.
    pub(crate) fn end_skips(&self) {
        self.skips_left.set(0);
    }

    /// The current back-off exponent (0: not backing off).
    #[cfg(test)]
    pub(crate) fn exponent(&self) -> u8 {
        self.exponent.get()
    }

    /// The counts so far.
    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.get(),
            misses: self.fills.get().wrapping_add(self.skipped_fills.get()),
            skipped_fills: self.skipped_fills.get(),
        }
    }
}

/// The low 32 bits of a hit count.
fn low_bits(hits: u64) -> u32 {
    hits as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site whose every fill is wasted: the fills it makes over `loads` misses.
    fn fills_over(loads: u32) -> u32 {
        let site = SiteCounters::new();
        (0..loads)
            .filter(|_| site.on_miss() == OnMiss::Fill)
            .count() as u32
    }

    #[test]
    fn wasted_fills_back_off_exponentially_up_to_the_cap() {
        // Fills at miss 1, 2, 4, 8, ...: the k-th fill is followed by 2^(k-1) - 1 skips.
        assert_eq!(fills_over(1), 1);
        assert_eq!(fills_over(2), 2);
        assert_eq!(fills_over(3), 2);
        assert_eq!(fills_over(4), 3);
        assert_eq!(fills_over(8), 4);
        assert_eq!(fills_over(1 << 12), 13);
        // Past the cap, one fill per 4,096 misses.
        let at_cap = fills_over((1 << 12) + 10 * 4096);
        assert_eq!(at_cap, 13 + 10);
    }

    #[test]
    fn a_used_fill_resets_the_back_off() {
        let site = SiteCounters::new();
        for _ in 0..50 {
            site.on_miss();
        }
        assert!(site.exponent() > 3);
        while site.on_miss() != OnMiss::Fill {}
        site.count_hit();
        assert_eq!(site.on_miss(), OnMiss::Fill);
        assert_eq!(site.exponent(), 0);
        // And a site whose fills are always used never skips one.
        let skipped = site.stats().skipped_fills;
        assert_eq!(
            skipped,
            64 - 7,
            "fills at misses 1, 2, 4, ..., 64 and skips between"
        );
        for _ in 0..100 {
            assert_eq!(site.on_miss(), OnMiss::Fill);
            site.count_hit();
        }
        assert_eq!(site.stats().skipped_fills, skipped);
    }
}
