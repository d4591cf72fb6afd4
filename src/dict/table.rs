//! The core of the dict: the index table and the entries array kept in step.
//!
//! This is CPython's `PyDictKeysObject` without the hasher and without versions: it takes
//! hashes already computed and a closure that says whether a stored key is the one sought, so
//! it never calls user code except that closure, and the façade in `mod.rs` owns the rest.
//!
//! - **Lookup** walks the probe sequence of the hash. A cell holding a slot whose tag (the hash
//!   bits kept beside the slot, see `indices.rs`) matches the hash sought is a candidate: if the
//!   entry's stored hash equals it too and the closure accepts its key, it is found.
//!   DUMMY cells are walked past. An EMPTY cell ends the search: the key is absent.
//! - **Insert** of a key known to be absent appends its entry and writes the new slot (and its
//!   tag) into the first EMPTY or DUMMY cell of its probe sequence.
//! - **Delete** turns the entry into a hole and its cell into DUMMY (the cell must not become
//!   EMPTY: keys that probed past it to their own cells would be lost).
//! - **Rebuild** makes a fresh index table and a fresh entries array, moves the live entries
//!   over in order (squeezing out the holes) and re-indexes them from their stored hashes.
//!
//! Bookkeeping, as in CPython: `inserts_left` (CPython's `dk_usable`) counts the appends left
//! before the entries array is full; it goes down by one per insert and only a rebuild restores
//! it. Every non-EMPTY cell was written by an insert since the last rebuild, so live cells plus
//! DUMMY cells never exceed `usable`, which is 2/3 of the table size: at least a third of the
//! cells are always EMPTY, and every probe ends.
//!
//! Four additions to CPython's scheme: the tags; trailing holes are trimmed right away (so
//! the last entry is always live and `pop_last` is O(1)); the table remembers a live prefix
//! (no hole before it) that iteration walks untested; and when holes exceed half the live
//! entries the table is compacted, so iteration never walks more than 1.5 slots per live
//! entry. Each compaction costs O(live) and follows at least `live / 2` deletions, so delete
//! stays O(1) amortised (at most two entry moves per deletion); a compaction that keeps the
//! table's size happens in place, with no allocation.

use super::entries::{Bucket, EntrySlot, StoredHash};
use super::indices::{with_cells, CellCode, IndexCell, Indices, TagMatch, EMPTY};
use super::probe::ProbeSeq;
use std::mem;

/// The smallest index table: 8 cells, 5 usable entries (CPython's `PyDict_MINSIZE`).
pub(crate) const MIN_SIZE: usize = 8;

/// Holes are squeezed out early only when there are at least this many of them and they
/// exceed half the live entries; below this a small dict keeps CPython's plain behaviour.
pub(crate) const COMPACT_MIN_HOLES: usize = 8;

/// How many entries a table of `size` cells may hold: 2/3 of it (CPython's `USABLE_FRACTION`).
#[inline]
pub(crate) fn usable_for_size(size: usize) -> usize {
    (size << 1) / 3
}

/// The smallest table size (a power of two, at least [`MIN_SIZE`]) whose usable fraction holds
/// `entries` entries. Panics with a clear message when no such size fits in `usize`.
pub(crate) fn size_for_usable(entries: usize) -> usize {
    let min_cells = entries
        .checked_mul(3)
        .map(|n| n.div_ceil(2))
        .expect("vdict: capacity overflow");
    let size = min_cells
        .max(MIN_SIZE)
        .checked_next_power_of_two()
        .expect("vdict: capacity overflow");
    debug_assert!(usable_for_size(size) >= entries);
    size
}

/// The size to rebuild at when the entries array is full: at least three cells per live entry
/// (CPython 3.11's `GROWTH_RATE`), which leaves room for as many inserts again as there are
/// live entries before the next rebuild.
fn size_for_growth(used: usize) -> usize {
    used.checked_mul(3)
        .and_then(|cells| cells.max(MIN_SIZE).checked_next_power_of_two())
        .expect("vdict: capacity overflow")
}

/// Where a key lives: its index cell and its entry slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) cell: usize,
    pub(crate) slot: usize,
}

/// Where an absent key would go: the first free (EMPTY or DUMMY) cell on its probe path, as
/// the probe that found it absent saw it. Valid until the table next changes; an insert uses
/// it unless the insert must rebuild first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Vacant {
    cell: usize,
}

/// The index table and the entries array. See the module comment for how they work together.
pub(crate) struct Table<K, V> {
    /// The sparse hash table of slots; 0 cells until the first insert.
    indices: Indices,
    /// How `indices`' live cells pack slot and tag: `indices.code()`, kept here so a lookup
    /// does not recompute it (set wherever `indices` is replaced).
    code: CellCode,
    /// Live entries and holes, in insertion order; the last one, if any, is live.
    entries: Vec<EntrySlot<K, V>>,
    /// Live entries.
    used: usize,
    /// Appends left before the entries array is full and the table must be rebuilt.
    inserts_left: usize,
    /// Every slot below this one is live (so it is at most the first hole, if any; `usize::MAX`
    /// when no slot was deleted since the last rebuild). Iteration walks that prefix without
    /// testing for holes. Only a deletion makes a hole, and it lowers this to its slot; a
    /// rebuild, which squeezes out every hole, and `clear` and `drain` raise it back. (It can
    /// end up lower than it need be, e.g. after trailing holes are trimmed: still true, just
    /// less useful.)
    live_prefix: usize,
}

impl<K: Clone, V: Clone> Clone for Table<K, V> {
    /// Cell for cell and slot for slot. The copy's entries array gets room for every entry its
    /// index size allows, as every entries array has: an insert relies on it (see
    /// `entry_if_key`), and `Vec::clone` would give it room for its length only.
    fn clone(&self) -> Self {
        let mut entries = Vec::with_capacity(self.usable());
        entries.extend(self.entries.iter().cloned());
        Table {
            indices: self.indices.clone(),
            code: self.code,
            entries,
            used: self.used,
            inserts_left: self.inserts_left,
            live_prefix: self.live_prefix,
        }
    }
}

impl<K, V> Table<K, V> {
    /// An empty table that owns no heap memory.
    pub(crate) fn new() -> Self {
        let indices = Indices::new(0);
        Table {
            code: indices.code(),
            indices,
            entries: Vec::new(),
            used: 0,
            inserts_left: 0,
            live_prefix: usize::MAX,
        }
    }

    /// An empty table that takes `capacity` inserts before its first rebuild.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        if capacity == 0 {
            Table::new()
        } else {
            Table::allocate(size_for_usable(capacity))
        }
    }

    fn allocate(size: usize) -> Self {
        let usable = usable_for_size(size);
        let indices = Indices::new(size);
        Table {
            code: indices.code(),
            indices,
            entries: Vec::with_capacity(usable),
            used: 0,
            inserts_left: usable,
            live_prefix: usize::MAX,
        }
    }

    /// Live entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.used
    }

    /// Cells in the index table (0 or a power of two).
    pub(crate) fn size(&self) -> usize {
        self.indices.size()
    }

    /// Entries the table holds, live and holes, before it must be rebuilt.
    pub(crate) fn usable(&self) -> usize {
        usable_for_size(self.size())
    }

    /// Appends left before the next rebuild.
    pub(crate) fn inserts_left(&self) -> usize {
        self.inserts_left
    }

    pub(crate) fn indices(&self) -> &Indices {
        &self.indices
    }

    /// The cell code lookups use (must equal `indices().code()`).
    pub(crate) fn code(&self) -> CellCode {
        self.code
    }

    /// How many slots at the start of the entries array are known to be live: all of them
    /// when there is no hole, else a prefix that ends at or before the first hole (every hole
    /// left was made by a deletion since the last reset, which lowered `live_prefix` to its
    /// slot, so then it is below the length).
    #[inline]
    pub(crate) fn live_prefix(&self) -> usize {
        if self.entries.len() == self.used {
            self.entries.len()
        } else {
            self.live_prefix
        }
    }

    /// The entries array, holes included.
    #[inline]
    pub(crate) fn entries(&self) -> &[EntrySlot<K, V>] {
        &self.entries
    }

    /// The entries array for in-place value updates. Callers must not change keys or make or
    /// fill holes through it (lookups read the entry a live cell points at without testing it
    /// for a hole: see `entry_if_key`).
    #[inline]
    pub(crate) fn entries_mut(&mut self) -> &mut [EntrySlot<K, V>] {
        &mut self.entries
    }

    /// How many entries the entries array holds without reallocating.
    pub(crate) fn entries_capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// Bytes of heap owned by the table itself (not by its keys and values).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.indices.heap_bytes() + self.entries.capacity() * mem::size_of::<EntrySlot<K, V>>()
    }

    /// Finds the live entry whose stored hash is `hash` and whose key `is_key` accepts.
    #[inline]
    pub(crate) fn find(&self, hash: StoredHash, is_key: impl FnMut(&K) -> bool) -> Option<Found> {
        if self.size() == 0 {
            return None;
        }
        with_cells!(&self.indices, cells => find_in(&cells[..], self.code, &self.entries, hash, is_key))
            .map(|(cell, slot, _)| Found { cell, slot })
    }

    /// Like [`find`](Table::find), but when the key is absent says where it would go, so that
    /// inserting it does not probe a second time (what CPython's `insertdict` does, with
    /// `find_empty_slot`). The free cell is the one a fresh probe would pick: the first EMPTY
    /// or DUMMY cell on the key's path.
    #[inline]
    pub(crate) fn find_or_vacant(
        &self,
        hash: StoredHash,
        is_key: impl FnMut(&K) -> bool,
    ) -> Result<Found, Vacant> {
        if self.size() == 0 {
            // Nothing allocated: any insert rebuilds first (`inserts_left` is 0), so the cell
            // is never used.
            return Err(Vacant { cell: 0 });
        }
        with_cells!(&self.indices, cells => find_or_vacant_in(&cells[..], self.code, &self.entries, hash, is_key))
    }

    /// Like [`find`](Table::find), but hands out the entry itself: what read-only lookups
    /// want, without indexing the entries array a second time.
    #[inline]
    pub(crate) fn find_bucket(
        &self,
        hash: StoredHash,
        is_key: impl FnMut(&K) -> bool,
    ) -> Option<&Bucket<K, V>> {
        if self.size() == 0 {
            return None;
        }
        with_cells!(&self.indices, cells => find_in(&cells[..], self.code, &self.entries, hash, is_key))
            .map(|(_, _, bucket)| bucket)
    }

    /// Like [`find_bucket`](Table::find_bucket), with the entry's slot too (for the caches,
    /// which remember it).
    #[inline]
    pub(crate) fn find_slot_and_bucket(
        &self,
        hash: StoredHash,
        is_key: impl FnMut(&K) -> bool,
    ) -> Option<(usize, &Bucket<K, V>)> {
        if self.size() == 0 {
            return None;
        }
        with_cells!(&self.indices, cells => find_in(&cells[..], self.code, &self.entries, hash, is_key))
            .map(|(_, slot, bucket)| (slot, bucket))
    }

    /// Turns the index cell that points at `slot` (a live entry whose stored hash is `hash`)
    /// into DUMMY. Never calls user code: it compares cell values, not keys (CPython's
    /// `lookdict_index`).
    fn unlink_slot(&mut self, hash: StoredHash, slot: usize) {
        let code = self.code;
        with_cells!(&mut self.indices, cells => {
            let cell = cell_of_slot_in(&cells[..], code, hash, slot);
            cells[cell] = IndexCell::store(super::indices::DUMMY);
        })
    }

    /// Finds `key` (whose stored hash is `hash`), or appends it with `value`: what
    /// [`find_or_vacant`](Table::find_or_vacant) then [`push_vacant`](Table::push_vacant) do,
    /// but when the entries array has room, the probe and the write of the vacant cell share
    /// one dispatch on the cell width instead of two (callgrind, 1,000 u64 keys: 117.9 -> 104.9
    /// instructions per insert into a reserved dict, 184.3 -> 171.4 into a growing one). `Eq`
    /// (user code) runs before anything changes.
    #[inline]
    pub(crate) fn insert(&mut self, hash: StoredHash, key: K, value: V) -> Inserted<K, V>
    where
        K: Eq,
    {
        if self.inserts_left == 0 {
            return match self.find_or_vacant(hash, |stored| *stored == key) {
                Ok(found) => Inserted::Present {
                    slot: found.slot,
                    key,
                    value,
                },
                Err(vacant) => {
                    self.push_vacant(vacant, hash, key, value);
                    Inserted::Added
                }
            };
        }
        let Table {
            indices,
            code,
            entries,
            ..
        } = self;
        let code = *code;
        let new_slot = entries.len();
        let present = with_cells!(indices, cells => {
            match find_or_vacant_in(&cells[..], code, entries, hash, |stored| *stored == key) {
                Ok(found) => Some(found.slot),
                Err(vacant) => {
                    cells[vacant.cell] = IndexCell::store(code.encode(new_slot, hash.get()));
                    None
                }
            }
        });
        if let Some(slot) = present {
            return Inserted::Present { slot, key, value };
        }
        // The cell now points at `new_slot`, one past the last entry, until the append below.
        // Appending first and writing the cell after measured 7 instructions more per insert
        // (the push moved into each width's copy of the code).
        self.append(hash, key, value);
        Inserted::Added
    }

    /// Appends the entry a cell was just pointed at, one past the last. The push cannot fail
    /// or reallocate: the array has room for `inserts_left` more entries (see `entry_if_key`
    /// for why that matters).
    #[inline(always)]
    fn append(&mut self, hash: StoredHash, key: K, value: V) {
        debug_assert!(self.inserts_left > 0 && self.entries.len() < self.entries.capacity());
        self.entries.push(Some(Bucket { hash, key, value }));
        self.used += 1;
        self.inserts_left -= 1;
    }

    /// Appends an entry for a key that [`find_or_vacant`](Table::find_or_vacant) found absent
    /// at `vacant`, the table unchanged since, and points the vacant cell at it. If the entries
    /// array is full it rebuilds first, and then the key goes to the first free cell of its
    /// path in the new table instead. Returns the new entry's slot.
    #[inline]
    pub(crate) fn push_vacant(
        &mut self,
        vacant: Vacant,
        hash: StoredHash,
        key: K,
        value: V,
    ) -> usize {
        let cell = if self.inserts_left == 0 {
            self.rebuild(size_for_growth(self.used));
            with_cells!(&self.indices, cells => free_cell_in(&cells[..], hash))
        } else {
            debug_assert!(
                self.indices.get(vacant.cell) < 0,
                "vdict: a vacant cell is live (table changed since the probe?)"
            );
            vacant.cell
        };
        let slot = self.entries.len();
        self.indices.set(cell, self.code.encode(slot, hash.get()));
        self.append(hash, key, value);
        slot
    }

    /// Deletes the entry at `found`, leaving a hole (trimmed if it is the last entry).
    /// Consistent at return; does not compact (see [`Table::compact_if_sparse`]).
    pub(crate) fn take(&mut self, found: Found) -> Bucket<K, V> {
        self.indices.set(found.cell, super::indices::DUMMY);
        self.take_entry(found.slot)
    }

    /// Deletes the live entry at `slot` (for deletions that walk the entries, like `retain`).
    pub(crate) fn take_slot(&mut self, slot: usize) -> Bucket<K, V> {
        let hash = self.entries[slot]
            .as_ref()
            .expect("vdict: take_slot of a hole")
            .hash;
        self.unlink_slot(hash, slot);
        self.take_entry(slot)
    }

    /// The second half of a deletion, once the entry's cell is DUMMY: the entry becomes a
    /// hole, and trailing holes are trimmed.
    fn take_entry(&mut self, slot: usize) -> Bucket<K, V> {
        let bucket = self.entries[slot]
            .take()
            .expect("vdict: a live cell points at a hole (corrupt table)");
        self.live_prefix = self.live_prefix.min(slot);
        self.used -= 1;
        self.trim_trailing_holes();
        bucket
    }

    /// Drops the holes at the end of the entries array, so that the last entry is live.
    fn trim_trailing_holes(&mut self) {
        while let Some(None) = self.entries.last() {
            self.entries.pop();
        }
    }

    /// Deletes the last live entry (Python's `popitem`). The last entry is always live (trailing
    /// holes are trimmed), so it is popped off the array rather than turned into a hole and
    /// trimmed (which `take_slot` would do: 5 more instructions per pop, callgrind).
    pub(crate) fn pop_last(&mut self) -> Option<Bucket<K, V>> {
        let last = self.entries.last()?;
        let hash = last
            .as_ref()
            .expect("vdict: the last entry is a hole (corrupt table)")
            .hash;
        self.unlink_slot(hash, self.entries.len() - 1);
        self.used -= 1;
        let bucket = self.entries.pop().flatten();
        self.trim_trailing_holes();
        bucket
    }

    /// Rebuilds when holes exceed half the live entries (and there are enough of them to
    /// matter), so holes are never more than a third of the slots an iteration walks.
    ///
    /// Why half: with holes allowed up to the live count (the first rule tried), iterating
    /// the survivors of a mass deletion measured 1.2-2.4 x a fresh dict of them, run to run
    /// (two slots per entry, in an irregular pattern); at half, 1.5 slots per entry at most.
    /// The price is at most two entry moves per deletion instead of one.
    /// Returns whether it rebuilt.
    pub(crate) fn compact_if_sparse(&mut self) -> bool {
        let holes = self.entries.len() - self.used;
        let sparse = holes >= COMPACT_MIN_HOLES && 2 * holes > self.used;
        if sparse {
            self.rebuild(size_for_growth(self.used));
        }
        sparse
    }

    /// Makes sure `additional` more inserts fit without a rebuild. Returns whether it rebuilt.
    pub(crate) fn reserve(&mut self, additional: usize) -> bool {
        if additional <= self.inserts_left {
            return false;
        }
        let wanted = self
            .used
            .checked_add(additional)
            .expect("vdict: capacity overflow");
        self.rebuild(size_for_usable(wanted));
        true
    }

    /// Rebuilds at the smallest size that holds the live entries, dropping every hole; an empty
    /// table gives back all its memory. Returns whether anything changed.
    pub(crate) fn shrink_to_fit(&mut self) -> bool {
        if self.used == 0 {
            let allocated = self.size() != 0;
            if allocated {
                *self = Table::new();
            }
            return allocated;
        }
        let target = size_for_usable(self.used);
        let has_holes = self.entries.len() > self.used;
        let oversized = target < self.size() || self.entries.capacity() > usable_for_size(target);
        if has_holes || oversized {
            self.rebuild(target);
        }
        has_holes || oversized
    }

    /// Drops every entry, keeping the allocation. Consistent even if a value's `Drop` panics:
    /// the table is emptied before any entry is dropped.
    pub(crate) fn clear(&mut self) {
        self.indices.fill_empty();
        self.used = 0;
        self.inserts_left = self.usable();
        self.live_prefix = usize::MAX;
        self.entries.clear();
    }

    /// Empties the table and hands out the entries, holes included, in order. The table is
    /// consistent (and empty) before the first entry is handed out, and stays so if the drain
    /// is leaked.
    pub(crate) fn drain(&mut self) -> std::vec::Drain<'_, EntrySlot<K, V>> {
        self.indices.fill_empty();
        self.used = 0;
        self.inserts_left = self.usable();
        self.live_prefix = usize::MAX;
        self.entries.drain(..)
    }

    /// Takes the entries out, leaving an empty table that owns no memory.
    pub(crate) fn into_entries(self) -> Vec<EntrySlot<K, V>> {
        self.entries
    }

    /// Moves the live entries into a table of `new_size` cells, in order, and indexes them from
    /// their stored hashes. When the table already has that size (a compaction, or growth that
    /// only squeezes out holes), it is done in place: the entries slide down over the holes
    /// and the same index is refilled, with no allocation. Otherwise into two fresh arrays.
    /// Either way it calls no user code (no key or value is dropped or compared) and cannot
    /// panic once the arrays are allocated, so the table is never seen half rebuilt.
    fn rebuild(&mut self, new_size: usize) {
        let usable = usable_for_size(new_size);
        debug_assert!(usable > self.used || (usable == self.used && self.used > 0));
        if new_size == self.size() && self.entries.capacity() == usable {
            self.entries.retain(Option::is_some);
            self.indices.fill_empty();
            let code = self.code;
            with_cells!(&mut self.indices, cells => {
                for (slot, bucket) in self.entries.iter().flatten().enumerate() {
                    place_in(&mut cells[..], code, slot, bucket.hash);
                }
            });
        } else {
            let mut indices = Indices::new(new_size);
            let mut entries = Vec::with_capacity(usable);
            let old_entries = mem::take(&mut self.entries);
            let code = indices.code();
            with_cells!(&mut indices, cells => {
                for bucket in old_entries.into_iter().flatten() {
                    place_in(&mut cells[..], code, entries.len(), bucket.hash);
                    entries.push(Some(bucket));
                }
            });
            self.code = indices.code();
            self.indices = indices;
            self.entries = entries;
        }
        self.inserts_left = usable - self.used;
        self.live_prefix = usize::MAX;
    }
}

/// What [`Table::insert`] did.
pub(crate) enum Inserted<K, V> {
    /// The key was present at `slot`; the key and value given come back unused.
    Present { slot: usize, key: K, value: V },
    /// The key was absent and now has the last entry.
    Added,
}

/// The largest index (in bytes) for which a lookup loads its second cell with its first:
/// 2 MiB, about what stays in this class of machine's caches between lookups (see `find_in`).
const TWO_CELL_START_MAX_BYTES: usize = 2 << 20;

/// The probe loop of a lookup, compiled once per cell width: the cell, the slot and the
/// entry of the key, if present.
#[inline(always)]
fn find_in<'e, C: IndexCell, K, V>(
    cells: &[C],
    code: CellCode,
    entries: &'e [EntrySlot<K, V>],
    hash: StoredHash,
    mut is_key: impl FnMut(&K) -> bool,
) -> Option<(usize, usize, &'e Bucket<K, V>)> {
    let mask = cells.len() - 1;
    let sought = code.tag_match_for::<C>(hash.get(), mask);
    let mut probe = ProbeSeq::new(hash.get(), mask);
    let mut is_ours =
        |cell: usize, value: isize| entry_if_key(sought, entries, hash, &mut is_key, cell, value);
    let first = probe.cell();
    let first_value = cells[first].load();
    if let Some(found) = is_ours(first, first_value) {
        return Some(found);
    }
    // The first cell was not the key's. Most misses end at the first or the second cell, but
    // *which* is a coin toss at the table's load, so a branch on "is the first cell EMPTY?"
    // mispredicts about half of all misses. Where the index fits in the caches, the second
    // cell is loaded too (its address depends only on the hash) and one branch asks whether
    // the probe ended at either; a present key has no EMPTY cell before its own, so an EMPTY
    // first cell ends it whatever the second holds. Callgrind's branch simulator, 10M misses
    // in a 1,000-key u64 dict: 1.06 -> 0.62 mispredicts per miss; wall clock, misses 8-20%
    // faster at 1,000 keys and 35% at 100,000 (a 1 MiB index). In a bigger index the extra
    // load is a trip to memory more often than not, and costs more than the mispredict
    // (1,000,000 keys, an 8 MiB index: 15% slower), so there the walk goes cell by cell.
    // (`either_is_empty` needs cells of at most 32 bits; 64-bit cells only come with tables
    // far above the size limit anyway. An index of 1- or 2-byte cells is at most 2,048 cells,
    // always under the limit: said first, so that the compiler drops the size test from
    // their loops, 2 instructions per miss at 1,000 u64 keys.)
    let mut value;
    if mem::size_of::<C>() <= 2
        || (mem::size_of::<C>() <= 4 && mem::size_of_val(cells) <= TWO_CELL_START_MAX_BYTES)
    {
        probe.advance();
        let second_value = cells[probe.cell()].load();
        if either_is_empty(first_value, second_value) {
            return None;
        }
        value = second_value;
    } else {
        if first_value == EMPTY {
            return None;
        }
        probe.advance();
        value = cells[probe.cell()].load();
        if value == EMPTY {
            return None;
        }
    }
    // The rest of the walk; `value` is the current cell's, neither EMPTY nor checked yet.
    loop {
        if let Some(found) = is_ours(probe.cell(), value) {
            return Some(found);
        }
        probe.advance();
        value = cells[probe.cell()].load();
        if value == EMPTY {
            return None;
        }
    }
}

/// Whether either of two cell values (of cells at most 32 bits wide) is EMPTY, computed so
/// that it takes one branch: written as `a == EMPTY || b == EMPTY`, or even with `|`, the
/// compiler may test the two apart, and the first test is the coin toss the two-cell start is
/// there to avoid. A product is zero only if a factor is: `v - EMPTY` is 0 for EMPTY, odd
/// (`u64::MAX`) for DUMMY, and at most 2^31 for a live 32-bit cell (slot and tag), so two
/// nonzero factors have at most 62 factors of two between them and cannot wrap to zero. (The compiler, which
/// knows the ranges too, turns it into two compares combined without a branch.) Callgrind,
/// against the `black_box((a == EMPTY) | (b == EMPTY))` it replaces, which went through
/// memory: 3.5-17 fewer instructions per miss.
#[inline(always)]
fn either_is_empty(a: isize, b: isize) -> bool {
    ((a - EMPTY) as u64).wrapping_mul((b - EMPTY) as u64) == 0
}

/// Whether the cell at `cell`, holding `value`, is the key's: another key's cell unless the
/// tags agree (EMPTY and DUMMY never carry a tag), and then the entry is read to be sure.
/// `sought` holds the tag sought and the slot mask, which is also the probe's mask (see
/// [`CellCode::tag_match`]).
#[inline(always)]
fn entry_if_key<'e, K, V>(
    sought: TagMatch,
    entries: &'e [EntrySlot<K, V>],
    hash: StoredHash,
    is_key: &mut impl FnMut(&K) -> bool,
    cell: usize,
    value: isize,
) -> Option<(usize, usize, &'e Bucket<K, V>)> {
    if let Some(slot) = sought.slot_if_tagged(value) {
        debug_assert!(
            entries.get(slot).is_some_and(Option::is_some),
            "vdict: cell {cell} points past the entries or at a hole"
        );
        // SAFETY: `slot_if_tagged` gives a slot only for a live cell (EMPTY and DUMMY are negative,
        // and their high bits survive the XOR), and then the slot that cell holds, as long as the
        // mask `tag_match` was given is the code's slot mask; the probe's mask is, for every cell
        // width the table picks (`cell_bytes_for_size` leaves room for a tag above every slot;
        // its test checks that the masks agree at every size; `tag_match` debug-asserts it).
        // A live cell holds the slot of a live entry, so `slot` is in bounds and not a hole. The
        // table keeps that at every return: a cell is made live only by `insert` and
        // `push_vacant`, pointing at the entry they push next (into an array with room: its
        // capacity is at least `usable()`, which the entries plus `inserts_left` never exceed,
        // so the push cannot fail and leave the cell pointing past the end), and by `rebuild`,
        // pointing at the entries it places; an entry becomes a hole only in `take_entry`, whose
        // callers make its cell DUMMY first (no other code writes a hole: `entries_mut` is
        // borrowed only to reach a live entry's value); the entries array shrinks only by
        // `pop_last`, after its cell is made DUMMY, by trimming holes, and by `clear`, `drain`
        // and `rebuild`, which refill every cell first. `check_invariants` audits all of it (the
        // capacity, and "cell .. points at slot .., which is not a live entry") after every step
        // of the model tests and the fuzzers, and after every panic of the panic-safety tests.
        // Unchecked, a lookup runs 4.5 fewer instructions per hit and 3 fewer per miss
        // (callgrind, 1,000 u64 keys: 71.6 -> 67.1, 79.3 -> 76.2), the length no longer holding
        // a register; and with the hole test gone too, 2.3 fewer per u64 hit (53.8 -> 51.5), 4
        // per `String` hit (115.6 -> 111.6), 3 per u64 overwrite (89.3 -> 86.2).
        #[allow(unsafe_code)]
        let bucket = unsafe { entries.get_unchecked(slot).as_ref().unwrap_unchecked() };
        // A plain-word key compares as cheaply as a hash does, so its stored hash is not
        // compared first: the hash sought is then needed only to start the probe, and the
        // loop has its register. Callgrind, 1,000 u64 keys: hit 56.2 -> 53.0 instructions,
        // miss 63.3 -> 60.2; 100,000: hit 54.2 -> 52.0, miss 62.6 -> 59.4; inserts
        // unchanged. (A reference to a string, `&String`, passes for a plain word and
        // compares strings where a tag matches by chance, about one in 16 of the other
        // keys' cells a probe passes, where it would have compared hashes.)
        if is_plain_word::<K>() {
            return is_key(&bucket.key).then_some((cell, slot, bucket));
        }
        if bucket.hash != hash {
            return None;
        }
        if is_key(&bucket.key) {
            return Some((cell, slot, bucket));
        }
        // Equal hashes with unequal keys almost never happen, and saying so pays for the
        // other keys: a `String` or `&str` compares through a call to `memcmp`, and unless
        // that call's failure is marked rare the compiler keeps the probe's state safe
        // across it by saving registers at the start of *every* lookup, the misses that
        // never make the call included. Callgrind, `String` keys, 1,000: hit 124.7 -> 119.7
        // instructions, miss 101.0 -> 93.2; 16: hit 130.6 -> 123.8, miss 106.3 -> 94.9;
        // overwrite -4 to -5. (For u64 keys the marker cost registers on every lookup: hit
        // 58.7 -> 66.9, miss 66.1 -> 74.9. Plain words have returned above.)
        equal_hashes_unequal_keys();
    }
    None
}

/// Whether keys of type `K` are plain words: no wider than a `usize`, with nothing to drop (an
/// integer, a `char`, a symbol id), so that comparing two costs what comparing two hashes
/// costs. See `entry_if_key`.
const fn is_plain_word<K>() -> bool {
    mem::size_of::<K>() <= mem::size_of::<usize>() && !mem::needs_drop::<K>()
}

/// Called where a stored hash equals the one sought but the keys differ, to tell the compiler
/// that this path is rare (an out-of-line call to a `#[cold]` function is the way to say so
/// before Rust 1.95's `std::hint::cold_path`). See `entry_if_key`.
#[cold]
#[inline(never)]
fn equal_hashes_unequal_keys() {}

/// [`find_in`], remembering the first free cell on the way: the key's place if present,
/// else where it would go (the first DUMMY before the EMPTY that ends the probe, or that EMPTY).
/// (The two-cell start of `find_in` was tried here too: inserts did not get faster.)
#[inline(always)]
fn find_or_vacant_in<C: IndexCell, K, V>(
    cells: &[C],
    code: CellCode,
    entries: &[EntrySlot<K, V>],
    hash: StoredHash,
    mut is_key: impl FnMut(&K) -> bool,
) -> Result<Found, Vacant> {
    let mask = cells.len() - 1;
    let sought = code.tag_match(hash.get(), mask);
    let mut probe = ProbeSeq::new(hash.get(), mask);
    // The first DUMMY cell met, or `NONE_YET`: one register rather than an `Option`'s two,
    // which the loop is short of (callgrind, u64 keys: overwrite 94.3 -> 91.2 instructions at
    // 1,000 keys, 96.4 -> 93.3 at 16; inserts of new keys unchanged).
    const NONE_YET: usize = usize::MAX;
    let mut first_dummy = NONE_YET;
    loop {
        let cell = probe.cell();
        let value = cells[cell].load();
        if value >= 0 {
            if let Some((cell, slot, _)) =
                entry_if_key(sought, entries, hash, &mut is_key, cell, value)
            {
                return Ok(Found { cell, slot });
            }
        } else if value == EMPTY {
            let cell = if first_dummy == NONE_YET {
                cell
            } else {
                first_dummy
            };
            return Err(Vacant { cell });
        } else if first_dummy == NONE_YET {
            first_dummy = cell;
        }
        probe.advance();
    }
}

/// The cell that points at `slot`, a live entry whose stored hash is `hash`: the walk along
/// `hash`'s probe sequence compares slots, not keys. Panics (the table is corrupt) if an EMPTY
/// cell comes first.
#[inline(always)]
fn cell_of_slot_in<C: IndexCell>(
    cells: &[C],
    code: CellCode,
    hash: StoredHash,
    slot: usize,
) -> usize {
    let mut probe = ProbeSeq::new(hash.get(), cells.len() - 1);
    loop {
        let value = cells[probe.cell()].load();
        if value >= 0 && code.slot(value) == slot {
            return probe.cell();
        }
        assert!(
            value != EMPTY,
            "vdict: slot {slot} is missing from the index (corrupt table)"
        );
        probe.advance();
    }
}

/// The first EMPTY or DUMMY cell on `hash`'s probe sequence: where a key known to be absent
/// goes. Ends because at least a third of the cells are EMPTY.
#[inline(always)]
fn free_cell_in<C: IndexCell>(cells: &[C], hash: StoredHash) -> usize {
    let mut probe = ProbeSeq::new(hash.get(), cells.len() - 1);
    while cells[probe.cell()].load() >= 0 {
        probe.advance();
    }
    probe.cell()
}

/// Points the first free cell on `hash`'s probe sequence at `slot` (tag included).
#[inline(always)]
fn place_in<C: IndexCell>(cells: &mut [C], code: CellCode, slot: usize, hash: StoredHash) {
    let cell = free_cell_in(cells, hash);
    cells[cell] = IndexCell::store(code.encode(slot, hash.get()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_cpython() {
        assert_eq!(usable_for_size(8), 5);
        assert_eq!(usable_for_size(16), 10);
        assert_eq!(size_for_usable(0), 8);
        assert_eq!(size_for_usable(5), 8);
        assert_eq!(size_for_usable(6), 16);
        assert_eq!(size_for_usable(1000), 2048);
        // GROWTH_RATE: used * 3, rounded up to a power of two.
        assert_eq!(size_for_growth(0), 8);
        assert_eq!(size_for_growth(5), 16);
        assert_eq!(size_for_growth(10), 32);
        assert_eq!(size_for_growth(21), 64);
    }

    #[test]
    fn either_is_empty_is_exact_for_every_cell_value_up_to_32_bits() {
        // Slots whose `value - EMPTY` is a power of two are the ones a product could wrap on.
        let mut values = vec![EMPTY, super::super::indices::DUMMY, 0, 1, 2, 3];
        for bits in 1..31 {
            values.extend([(1isize << bits) - 1, 1 << bits, (1 << bits) + 1]);
        }
        values.push(i32::MAX as isize);
        for &a in &values {
            for &b in &values {
                assert_eq!(
                    either_is_empty(a, b),
                    a == EMPTY || b == EMPTY,
                    "either_is_empty({a}, {b})"
                );
            }
        }
    }

    #[test]
    #[should_panic(expected = "capacity overflow")]
    fn impossible_capacity_panics_clearly() {
        size_for_usable(usize::MAX / 2);
    }
}
