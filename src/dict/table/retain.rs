//! `retain`: the first few deletions one at a time, as `remove` makes them, then the rest in
//! bulk, one `Vec::retain_mut` and one rebuild of the index (see [`Table::retain`] for where
//! the line is and why). Refused entries' slots are unlinked from the index a batch at a
//! time, through the [`Unlinking`] guard, which keeps the table consistent if `keep` or a
//! `Drop` panics.

use super::holes::unlink_slot_from;
use super::*;

/// [`Table::retain`] deletes one entry at a time, each found by a probe, up to this fraction
/// (1 / `RETAIN_ONE_BY_ONE`) of the live entries it started with; past it, it rebuilds the
/// index once at the end.
const RETAIN_ONE_BY_ONE: usize = 32;

/// ... and always this many: a retain that deletes a handful of entries never rebuilds the
/// index (and the fuzzers' dicts, of at most 24 keys, go through both phases).
const RETAIN_ONE_BY_ONE_AT_LEAST: usize = 4;

/// How many refused entries [`Table::retain`] takes out of the array before unlinking their
/// slots from the index, a probe each ([`Unlinking`]): a retain that goes on in bulk within
/// that many deletions has spent no probe on them. (32 saved 1 instruction an entry more at
/// 1,000 keys and cost 2 at 16, in clearing the larger batch.)
const RETAIN_REFUSED_BATCH: usize = 16;

impl<K, V> Table<K, V> {
    /// Keeps the live entries `keep` accepts, in order, and deletes the others (the dict's
    /// `retain`). `before_first_deletion` runs once, before the first entry is deleted (the
    /// dict bumps its tags there, so that they have changed even if a later `keep` or `Drop`
    /// panics). Returns whether slots moved.
    ///
    /// The first deletions are made one at a time, as `remove` makes them: a probe finds each
    /// one's bucket and takes it out of the index, and nothing else moves (each entry is
    /// dropped when `keep` refuses it, its probe made later, a batch at a time: see
    /// [`Unlinking`]). Past
    /// 1 / [`RETAIN_ONE_BY_ONE`] of the entries the walk started with (and at least
    /// [`RETAIN_ONE_BY_ONE_AT_LEAST`]), it goes on in bulk
    /// ([`retain_in_bulk`](Table::retain_in_bulk)): one `Vec::retain_mut` moves the
    /// survivors down over the holes, and the index is rebuilt once at the end. A probe per
    /// deletion costs more than putting a survivor back once deletions are more than a few
    /// in a hundred; a rebuild costs every survivor, which a retain that deletes a few
    /// entries of a large dict should not pay. Callgrind, `VDICT_HASH_SEED=1
    /// examples/profile vdict retain_half u64 <n>`, per entry, all deletions one at a time
    /// (as until 2026-12-05) -> now: 95.2 -> 46.4 at 1,000 keys, 101.8 -> 48.7 at 100,000
    /// (indexmap 29.7, 28.8, its `retain` a `Vec::retain` and a rebuild); `String` keys
    /// 157.8 -> 80.4 and 114.5 -> 54.4 (indexmap 58.3, 34.3). Deleting one entry in 64 of
    /// 1,000 stays one at a time: 11.6 per entry, where indexmap's rebuild costs 51.6 (a
    /// scratch program, the same build).
    ///
    /// Since 2026-12-06 the probes of the first deletions wait for a batch
    /// ([`RETAIN_REFUSED_BATCH`]) to fill, and a retain that goes on in bulk first skips
    /// them; the walk up to the first deletion and the walk between deletions are loops of
    /// their own. Callgrind, per entry, before -> after (`examples/profile_api vdict
    /// <operation> <n>`, indexmap in brackets): `retain_half` 83.8 -> 63.1 at 16 keys (31.6),
    /// 52.3 -> 43.2 at 64 (26.3), 45.5 -> 42.9 at 1,000 (28.1), 46.2 -> 44.6 at 100,000
    /// (28.5); `retain_most`, one key in 64 deleted, 14.0 -> 12.4 (9.1), 10.4 -> 9.2 (6.8),
    /// 11.1 -> 10.7 (51.7), 11.0 -> 10.7 (51.3). Later that day the bulk walk became a
    /// `Vec::retain_mut` (see [`retain_in_bulk`](Table::retain_in_bulk)): `retain_half` 63.1
    /// -> 57.2 at 16 keys, 43.2 -> 37.2 at 64, 42.9 -> 36.7 at 1,000, 44.6 -> 38.2 at
    /// 100,000. What is left against indexmap's is the walk's test for holes and its test of
    /// which side of the first refusal an entry is on (2 instructions an entry each), the
    /// first deletions' probes and the stretch before the bulk walk walked twice (about 3 an
    /// entry), and at 16 keys the fixed costs (the batch cleared, the version taken); the
    /// rebuild costs what indexmap's does.
    ///
    /// If `keep` or a deleted entry's `Drop` panics, the table is left consistent, holding
    /// the entries not deleted yet.
    pub(crate) fn retain(
        &mut self,
        mut keep: impl FnMut(&mut K, &mut V) -> bool,
        mut before_first_deletion: impl FnMut(),
    ) -> bool {
        // Up to the first entry `keep` refuses, nothing changes.
        let mut slot = 0;
        loop {
            let Some(entry) = self.entries.get_mut(slot) else {
                return false;
            };
            if let Some(bucket) = entry {
                if !keep(&mut bucket.key, &mut bucket.value) {
                    break;
                }
            }
            slot += 1;
        }
        before_first_deletion();
        self.retain_from_refused(slot, keep)
    }

    /// [`retain`](Table::retain) from `first`, the first entry `keep` refused (live, not yet
    /// deleted), to the end. Returns whether slots moved.
    ///
    /// A refused entry is taken out of the array (and dropped) at once, but its slot is
    /// unlinked from the index later, a batch at a time ([`Unlinking`]): a retain that goes
    /// on in bulk within the batch has spent no probe on them, since the bulk walk rebuilds
    /// the index anyway.
    fn retain_from_refused(
        &mut self,
        first: usize,
        mut keep: impl FnMut(&mut K, &mut V) -> bool,
    ) -> bool {
        let one_by_one = (self.used / RETAIN_ONE_BY_ONE).max(RETAIN_ONE_BY_ONE_AT_LEAST);
        let len = self.entries.len();
        let mut unlinking = Unlinking {
            table: self,
            taken: [(0, 0); RETAIN_REFUSED_BATCH],
            count: 0,
        };
        unlinking.take(first);
        let mut deleted = 1;
        // The array's length stays as it is until the end: a batch's trim of trailing holes
        // stops at the live entry the walk is at.
        let mut from = first + 1;
        while let Some(refused) = next_refused(&mut unlinking.table.entries[from..len], &mut keep) {
            let slot = from + refused;
            from = slot + 1;
            if deleted == one_by_one {
                // The entries taken and not yet unlinked are holes to the bulk walk, which
                // rebuilds the index.
                unlinking.count = 0;
                unlinking.table.retain_in_bulk(slot, keep);
                return true;
            }
            deleted += 1;
            if unlinking.count == RETAIN_REFUSED_BATCH {
                unlinking.finish();
            }
            unlinking.take(slot);
        }
        drop(unlinking);
        self.compact_if_sparse()
    }

    /// [`retain`](Table::retain) in bulk from `first`, a live entry `keep` has refused, to
    /// the end; the slots before `first` hold entries `keep` has kept and holes (some of them
    /// not yet counted: see [`Unlinking`]). One `Vec::retain_mut` walks the whole array: it
    /// drops the holes (`first` made one first) and every entry `keep` refuses past `first`,
    /// and moves each survivor down over what it dropped (the order is kept). Then, or when
    /// `keep` or a `Drop` panics, a guard squeezes out any holes left and rebuilds the index
    /// from the stored hashes, which also settles the holes not yet counted. The index holds
    /// stale slots meanwhile, which nothing reads: the table is borrowed for the whole walk,
    /// and `keep` sees only the entry it is given.
    ///
    /// Until 2026-12-06 a loop of its own moved each survivor down as it met it
    /// (`entries[free] = entries[slot].take()`: through the stack, a `None` written behind
    /// it): callgrind, `VDICT_HASH_SEED=1 examples/profile vdict retain_half <key> <n> 20`,
    /// per entry, before -> after, indexmap in brackets: u64 66.5 -> 59.1 at 16 keys (33.9),
    /// 46.0 -> 38.5 at 1,000 (29.7), 49.4 -> 41.9 at 100,000 (28.8); `String` 67.6 -> 53.3
    /// (30.9), 80.2 -> 67.2 (58.3), 55.3 -> 42.3 (34.3). On the clock it is not a clean win:
    /// the report's `retain_half` (every other entry kept) went 1.23-1.28 -> 1.17 x indexmap
    /// at 1,000 u64 keys and 1.18-1.26 -> 1.05-1.09 at 100,000, but with a random half kept
    /// (`examples/profile_api clock retain_half`) 1.17-1.31 -> 1.29-1.41 at 1,000 (1.24-1.25
    /// -> 1.19-1.21 at 100,000). Making refused entries holes in one walk and squeezing them
    /// out with `Vec::retain` in a second counted fewer still (38.9 at 1,000 u64 keys, by
    /// `examples/profile_api`) but ran slower (`examples/profile_api clock retain_half`,
    /// vdict / indexmap 1.21-1.23 -> 1.41-1.47 at 1,000 keys, 1.25 -> 1.74 at 100,000): each
    /// walk branches on which entries `keep` refused, and with a
    /// random half refused each of those branches is a coin toss the predictor misses half
    /// the time; one walk tosses once an entry.
    fn retain_in_bulk(&mut self, first: usize, mut keep: impl FnMut(&mut K, &mut V) -> bool) {
        /// Settles the table when dropped, on return or unwinding.
        struct Rebuild<'t, K, V> {
            table: &'t mut Table<K, V>,
            /// Whether the walk finished: every entry is then live.
            walked: bool,
        }
        impl<K, V> Drop for Rebuild<'_, K, V> {
            fn drop(&mut self) {
                let table = &mut *self.table;
                if !self.walked {
                    // `Vec::retain_mut` unwound with the entries it had not reached in
                    // place, holes among them.
                    table.entries.retain(Option::is_some);
                }
                table.used = table.entries.len();
                table.holes_gone();
                table.reindex();
            }
        }
        let mut guard = Rebuild {
            table: self,
            walked: false,
        };
        // `retain_mut` hands each entry over where it lies, before moving it, so its address
        // says which side of `first` it is on (a count of the calls, which the closure keeps
        // in memory, cost 5 instructions an entry more). `std` does not promise that; a unit
        // test, `vec_retain_mut_hands_each_element_over_where_it_lies`, checks it.
        let first_entry: *const EntrySlot<K, V> = &guard.table.entries[first];
        drop(guard.table.entries[first].take());
        guard.table.entries.retain_mut(|entry| {
            let at: *const EntrySlot<K, V> = entry;
            match entry {
                None => false,
                Some(bucket) => at < first_entry || keep(&mut bucket.key, &mut bucket.value),
            }
        });
        guard.walked = true;
    }
}

/// The position in `entries` of the first live entry `keep` refuses, asking `keep` about
/// each live entry up to it. (A loop of its own over a slice, which holds the array's start
/// in a register: walked through the table, it was reloaded for every entry.)
#[inline(always)]
fn next_refused<K, V>(
    entries: &mut [EntrySlot<K, V>],
    keep: &mut impl FnMut(&mut K, &mut V) -> bool,
) -> Option<usize> {
    entries.iter_mut().position(|entry| match entry {
        Some(bucket) => !keep(&mut bucket.key, &mut bucket.value),
        None => false,
    })
}

/// The entries [`Table::retain`] has refused and taken out of the array, whose slots are
/// still in the index: until [`finish`](Unlinking::finish) unlinks them, the table is not
/// consistent (its count and index still hold them), so it is reached only through this
/// guard, which finishes when dropped, on unwinding from `keep` or a `Drop` too. Finishing
/// calls no user code: it finds each bucket by its slot, not its key.
struct Unlinking<'t, K, V> {
    table: &'t mut Table<K, V>,
    /// The slots taken, in order, each with its entry's stored hash.
    taken: [(usize, u64); RETAIN_REFUSED_BATCH],
    count: usize,
}

impl<K, V> Unlinking<'_, K, V> {
    /// Takes the live entry at `slot` out of the array and drops it (which may panic: the
    /// slot is written down first). There must be room for one more.
    fn take(&mut self, slot: usize) {
        let bucket = self.table.entries[slot]
            .take()
            .expect("vdict: retain refused a hole");
        self.taken[self.count] = (slot, bucket.hash.get());
        self.count += 1;
        drop(bucket);
    }

    /// Unlinks every slot taken from the index and counts its hole, in order, as deleting
    /// each one at the time would have.
    fn finish(&mut self) {
        let table = &mut *self.table;
        for &(slot, hash) in &self.taken[..self.count] {
            with_index!(&mut table.index, index => unlink_slot_from(index, hash, slot));
            table.count_hole(slot);
        }
        self.count = 0;
    }
}

impl<K, V> Drop for Unlinking<'_, K, V> {
    fn drop(&mut self) {
        self.finish();
    }
}
