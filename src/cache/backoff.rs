//! A cache site's counters, and its back-off.
//!
//! A site whose fills are never used (every time it runs, a namespace has changed since the
//! last time, as for a global rebound between any two loads of it) would pay for a fill on
//! every load and get nothing back: the version cache then cost twice an uncached load. So a
//! site backs off, as CPython's specialising interpreter does (`adaptive_counter_backoff` in
//! `Python/specialize.c`): a fill that is followed by a miss before any hit was *wasted*, and
//! each wasted fill doubles the number of misses the site then answers by a plain lookup
//! without filling (1, 3, 7, ... up to 4,095, CPython's cap), before it tries again. One fill
//! that is used resets the back-off.
//!
//! A hit reads its site and writes nothing, as a hit of CPython's specialised instructions
//! writes nothing, and it tests nothing but the versions either. The back-off still learns
//! whether a fill was used: a fill stores the first version the hit compares *marked*
//! ([`Version::marked`](crate::Version), the top bit, which no dict's version has), so the
//! first hit after a fill fails the fast compare on purpose; the caches' out-of-line second
//! look finds the marked version equal, calls [`SiteCounters::on_marked_hit`] (the fill was
//! used), stores the version unmarked, and answers the hit. Every later hit is the bare
//! compare. In the reference VM, counting every hit instead (a read-modify-write of the site)
//! cost a slot-cache hit 0.2 x `LOAD_FAST` (1.00 -> 1.20), and testing a "fill unused" flag
//! on every hit about 0.1 x. A site that counts its hits for statistics
//! ([`SiteCounters::counting_hits`], as CPython counts them only in a `Py_STATS` build) keeps
//! its versions marked, so that every hit takes the second look and is counted there.
//!
//! Everything is in [`Cell`]s, so that hits, and the slot cache's fills, work through `&self`
//! (cache sites can live in shared code objects). A site is therefore not `Sync`.

use super::CacheStats;
use crate::Version;
use std::cell::Cell;

/// The largest back-off exponent: at most `2^12 - 1` misses skip the fill in a row.
pub(crate) const MAX_BACKOFF_EXPONENT: u8 = 12;

/// A bit of [`SiteCounters::flags`]: the last fill has not been hit yet (a miss that finds it
/// set proves that fill wasted).
const FILL_UNUSED: u8 = 1;
/// A bit of [`SiteCounters::flags`]: the site counts every hit.
const COUNT_HITS: u8 = 2;

/// Counters and back-off state of one cache site.
///
/// While a site backs off, its cache is kept empty (a cache that cannot hit), and `skips_left`
/// is nonzero only then, so the caches tell "skip this fill" from that one field inline
/// ([`SiteCounters::take_skip`]), and only the miss that decides, [`SiteCounters::on_miss`],
/// is out of line.
#[derive(Debug, Clone)]
pub(crate) struct SiteCounters {
    /// Loads answered from the cache, counted only by a site made with
    /// [`SiteCounters::counting_hits`].
    hits: Cell<u64>,
    /// Misses that filled (or tried to: a `NameError` fills nothing).
    fills: Cell<u64>,
    /// Skips handed to the back-off periods so far, less those a period did not use (it was
    /// ended early): the misses answered without a fill are this less `skips_left`. Counted
    /// a period at a time so that a skip writes one field, not two.
    skips_granted: Cell<u64>,
    /// [`FILL_UNUSED`] and [`COUNT_HITS`]: read and written only on the caches' slow paths.
    flags: Cell<u8>,
    /// The current back-off: each wasted fill adds one, a used one resets it to 0.
    exponent: Cell<u8>,
    /// Whether the last fill was made backing off (a nonzero `exponent`): if it proves wasted,
    /// the miss that finds so starts a period of `2^exponent - 1` skips.
    armed: Cell<bool>,
    /// Misses left to answer without a fill before the site fills again: nonzero only while
    /// the site backs off, when its cache is empty.
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
    /// A site that has not loaded yet, and does not count its hits.
    pub(crate) const fn new() -> SiteCounters {
        SiteCounters::with_flags(0)
    }

    /// A site that has not loaded yet, and counts every hit.
    pub(crate) const fn counting_hits() -> SiteCounters {
        SiteCounters::with_flags(COUNT_HITS)
    }

    const fn with_flags(flags: u8) -> SiteCounters {
        SiteCounters {
            hits: Cell::new(0),
            fills: Cell::new(0),
            skips_granted: Cell::new(0),
            flags: Cell::new(flags),
            exponent: Cell::new(0),
            armed: Cell::new(false),
            skips_left: Cell::new(0),
        }
    }

    /// Whether the site counts its hits.
    pub(crate) fn counts_hits(&self) -> bool {
        self.flags.get() & COUNT_HITS != 0
    }

    /// A hit found by the caches' second look, against `version`, the site's remembered
    /// version as a fill stores it, marked: the first hit after a fill, or any hit of a site
    /// that counts them. Records that the fill was used, counts the hit if the site counts
    /// hits, and otherwise unmarks `version`, so that later hits are the bare compare (a site
    /// that counts keeps it marked: every hit must come here).
    pub(crate) fn on_marked_hit(&self, version: &Cell<Version>) {
        let flags = self.flags.get();
        self.flags.set(flags & !FILL_UNUSED);
        if flags & COUNT_HITS != 0 {
            self.hits.set(self.hits.get().wrapping_add(1));
        } else {
            version.set(version.get().unmarked());
        }
    }

    /// Whether the site is backing off: skips are left.
    #[inline(always)]
    pub(crate) fn backing_off(&self) -> bool {
        self.skips_left.get() != 0
    }

    /// For any miss, first: if the site is backing off, takes a skip and says so (the caller
    /// looks the name up and remembers nothing); if not, the caller goes on to
    /// [`on_miss`](SiteCounters::on_miss).
    ///
    /// Skips are left only in a period that [`on_miss`](SiteCounters::on_miss) started when it
    /// found the last fill wasted, and emptied the cache for: no hit has happened since, so
    /// the back-off still holds. (Every fill, and [`SiteCounters::end_skips`] when a user
    /// empties a cache, ends a period; so skips left imply an empty cache, and the caches need
    /// not test theirs.)
    #[inline(always)]
    pub(crate) fn take_skip(&self) -> bool {
        let skips_left = self.skips_left.get();
        if skips_left == 0 {
            return false;
        }
        self.skips_left.set(skips_left - 1);
        true
    }

    /// The out-of-line miss, when no skip is left: starts a period of skips if the last fill
    /// was wasted and made backing off (the caller empties the cache); otherwise fills,
    /// growing the back-off if the last fill was wasted, resetting it if not.
    pub(crate) fn on_miss(&self) -> OnMiss {
        debug_assert_eq!(self.skips_left.get(), 0, "on_miss with skips left");
        // No hit since the last fill. (Before the first fill the mark is clear: not wasted.)
        let wasted = self.flags.get() & FILL_UNUSED != 0;
        if wasted && self.armed.get() {
            // This miss takes the first of the period's skips.
            let period = (1u16 << self.exponent.get()) - 1;
            self.armed.set(false);
            self.skips_granted
                .set(self.skips_granted.get().wrapping_add(u64::from(period)));
            self.skips_left.set(period - 1);
            return OnMiss::LookUpOnly;
        }
        let exponent = if wasted {
            (self.exponent.get() + 1).min(MAX_BACKOFF_EXPONENT)
        } else {
            0
        };
        self.exponent.set(exponent);
        self.armed.set(exponent > 0);
        self.count_fill();
        OnMiss::Fill
    }

    /// Counts a fill that the caller asked for directly (not through a load): it starts a
    /// fresh round, as a used fill does, so an explicit fill is never skipped.
    pub(crate) fn on_explicit_fill(&self) {
        self.end_skips();
        self.exponent.set(0);
        self.count_fill();
    }

    fn count_fill(&self) {
        self.fills.set(self.fills.get().wrapping_add(1));
        self.flags.set(self.flags.get() | FILL_UNUSED);
    }

    /// Ends the current run of skipped fills, and disarms the next (the back-off exponent
    /// stays): for a cache that a user empties, which must not pass for one emptied by the
    /// back-off, and before a fill.
    pub(crate) fn end_skips(&self) {
        let unused = u64::from(self.skips_left.get());
        self.skips_granted
            .set(self.skips_granted.get().wrapping_sub(unused));
        self.skips_left.set(0);
        self.armed.set(false);
    }

    /// Misses answered without a fill because the site was backing off.
    fn skipped_fills(&self) -> u64 {
        self.skips_granted
            .get()
            .wrapping_sub(u64::from(self.skips_left.get()))
    }

    /// The current back-off exponent (0: not backing off).
    #[cfg(test)]
    pub(crate) fn exponent(&self) -> u8 {
        self.exponent.get()
    }

    /// The counts so far.
    pub(crate) fn stats(&self) -> CacheStats {
        let skipped_fills = self.skipped_fills();
        CacheStats {
            hits: self.counts_hits().then(|| self.hits.get()),
            misses: self.fills.get().wrapping_add(skipped_fills),
            skipped_fills,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A miss as the caches make it: a skip if one is left, else `on_miss`.
    fn miss(site: &SiteCounters) -> OnMiss {
        if site.take_skip() {
            OnMiss::LookUpOnly
        } else {
            site.on_miss()
        }
    }

    /// A site whose every fill is wasted: the fills it makes over `loads` misses.
    fn fills_over(loads: u32) -> u32 {
        let site = SiteCounters::new();
        let fills = (0..loads).filter(|_| miss(&site) == OnMiss::Fill).count() as u32;
        assert_eq!(site.stats().misses, u64::from(loads));
        assert_eq!(site.stats().skipped_fills, u64::from(loads - fills));
        fills
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
            miss(&site);
        }
        assert!(site.exponent() > 3);
        while miss(&site) != OnMiss::Fill {}
        let version = Cell::new(Version::fresh().marked());
        site.on_marked_hit(&version);
        assert!(
            !version.get().is_marked(),
            "a site that does not count unmarks"
        );
        assert_eq!(miss(&site), OnMiss::Fill);
        assert_eq!(site.exponent(), 0);
        // And a site whose fills are always used never skips one.
        let skipped = site.stats().skipped_fills;
        assert_eq!(
            skipped,
            64 - 7,
            "fills at misses 1, 2, 4, ..., 64 and skips between"
        );
        for _ in 0..100 {
            assert_eq!(miss(&site), OnMiss::Fill);
            site.on_marked_hit(&Cell::new(Version::fresh().marked()));
        }
        assert_eq!(site.stats().skipped_fills, skipped);
    }
}
