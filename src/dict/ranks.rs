//! Positions past the first hole: which slot holds the `n`th live entry, and the reverse.
//!
//! An entry's *position* (what indexmap calls its index) is its rank among the live entries;
//! its *slot* is where it sits in the entries array, holes included. Before the first hole the
//! two agree, and the table answers by itself. Past it, [`Ranks`] answers in O(log n): a bitmap
//! with one bit per slot (set for a live entry) and a Fenwick tree (a binary indexed tree)
//! counting the set bits of each 64-slot word. The rank of a slot is the tree's prefix sum of
//! the words before it plus a popcount within its word; the slot of a position is a descent of
//! the tree to the word holding it, then a select within that word. Marking a slot live or a
//! hole changes one bit and the O(log n) tree nodes that cover its word.
//!
//! Reads that outnumber changes get one step faster: once a sixteenth of the slots' worth of
//! positional reads have gone through the tree since the last change, the next builds a flat
//! table holding the slot of every position (4 bytes per entry), and reads are then one load
//! there (`get_index` inlines that path). An append, or removing the last entry, keeps the
//! table; any other change drops it, and the count starts again. So a workload that alternates
//! removals and positional reads pays O(log n) per read, and one that reads many positions
//! between changes pays O(1) amortised (the O(n) build spread over the reads that earned it).
//! Measured (callgrind, random positions, 1,000 u64 entries with a hole every 10 slots): about
//! 200 instructions a read through the first form of the tree (a branchy descent, and a
//! select within the word), 26 with the flat table inside the ranks, 19 with it beside them
//! (one `OnceLock` tested instead of two) and read unchecked, 18 with the `OnceLock`'s test
//! and the vector's pointer replaced by one pointer to the table's elements, against 7.5 for
//! indexmap's `get_index`.
//!
//! The table builds a `Ranks` only when a positional question first needs one (so a dict that
//! is never asked for positions, or has no holes, pays nothing for it), keeps it up to date on
//! every change of a slot's state from then on, and drops it when a squeeze removes the holes.
//! Its memory: two words per 64 slots, a quarter of a byte per entry, plus the flat table's
//! 4 bytes per entry while it stands. An entries array of at most [`SCANNED_UP_TO`] slots keeps
//! none of this: it answers by counting its live slots, and a small dict's deletions allocate
//! nothing.

use super::entries::EntrySlot;
use std::ptr;
use std::sync::atomic::{
    AtomicPtr, AtomicUsize, Ordering::Acquire, Ordering::Relaxed, Ordering::Release,
};
use std::sync::OnceLock;

/// The live slots of an entries array, as a bitmap and a Fenwick tree over its words, and,
/// once positional reads outnumber changes, a flat table of the slot of every position.
/// Bits at or past the entries array's length are 0.
#[derive(Debug, Default)]
pub(crate) struct Ranks {
    /// Bit `s % 64` of word `s / 64` is set when slot `s` holds a live entry.
    live: Vec<u64>,
    /// The Fenwick tree over the words' popcounts, 1-based: `tree[i]` counts the live slots of
    /// words `i - lowbit(i) .. i` (0-based, end excluded). `tree[0]` is unused; `tree.len() ==
    /// live.len() + 1`.
    tree: Vec<usize>,
    /// Reads through the tree since the flat table was last dropped.
    tree_reads: AtomicUsize,
}

/// What the table keeps for positions past the first hole, while it has holes: the
/// [`PositionCells`] behind a pointer, or nothing.
///
/// Why behind a pointer: the cells are built lazily through `&self` (a positional read may
/// build them), so they are interior mutability, and an `UnsafeCell` held inline anywhere in
/// a `Dict` costs every caller: rustc then cannot tell LLVM that a `&Dict` points at memory
/// nothing changes (no `noalias`, no `dereferenceable`), so a caller's loop of lookups
/// reloaded the dict's fields (the hasher's seed, the index's pointers) on every iteration
/// instead of once. Callgrind (`examples/profile_plain.rs`), u64 keys looked up in a
/// caller's loop: 40.1 -> 35.1 instructions a hit and 33.9 -> 27.9 a miss at 1,000 keys,
/// 41.9 -> 37.7 and 35.9 -> 30.6 at 16 (hashbrown: 32.1, 27.8, 34.1, 29.9).
///
/// The pointer is allocated while the entries have holes in an array of more than
/// [`SCANNED_UP_TO`] slots (the table calls [`holes_exist`](Positions::holes_exist) after
/// every change that can leave one or grow the array, or [`hole_made`](Positions::hole_made)
/// for a deletion short of the last entry) and freed by [`forget`](Positions::forget) when
/// they go, so a dict that never had a hole allocates nothing for it. Positions and slots
/// differ only past a hole, so every question that needs the cells comes while they exist,
/// or, with no cells, in an array small enough to count ([`select`](Positions::select) and
/// [`rank`](Positions::rank) do; they are right either way, and only slower if a big array
/// were ever left without cells, which the audit reports).
#[derive(Debug, Default, Clone)]
pub(crate) struct Positions {
    cells: Option<Box<PositionCells>>,
}

impl Positions {
    /// Nothing allocated.
    pub(crate) const fn new() -> Positions {
        Positions { cells: None }
    }

    /// The entries, in an array of `capacity` slots, have holes: makes room for the cells
    /// if the array is past [`SCANNED_UP_TO`] slots and there is none yet.
    #[inline]
    pub(crate) fn holes_exist(&mut self, capacity: usize) {
        if self.cells.is_none() && capacity > SCANNED_UP_TO {
            self.make_room();
        }
    }

    /// The entries have holes, and a caller needs the ranks built whatever the array's size
    /// (a mutable view of positions, which cannot scan the entries it lends out).
    pub(crate) fn holes_exist_with_ranks<K, V>(&mut self, entries: &[EntrySlot<K, V>]) {
        if self.cells.is_none() {
            self.make_room();
        }
        self.ranks(entries);
    }

    /// The cells, which exist while there are holes: every caller asks past a hole.
    #[inline]
    fn cells(&self) -> &PositionCells {
        self.cells
            .as_deref()
            .expect("vdict: a position past a hole, but no ranks for it (corrupt table)")
    }

    /// Forgets whatever is built, and frees the cells (slots moved, or no hole is left).
    #[inline]
    pub(crate) fn forget(&mut self) {
        if self.cells.is_some() {
            self.cells = None;
        }
    }

    /// The ranks of `entries`, built now if they are not.
    #[inline]
    pub(crate) fn ranks<K, V>(&self, entries: &[EntrySlot<K, V>]) -> &Ranks {
        self.cells().ranks(entries)
    }

    /// The position of the live entry in `slot` of `entries`, past a hole: from the ranks,
    /// or, in an array small enough to have no cells, by counting the live slots before it.
    pub(crate) fn rank<K, V>(&self, entries: &[EntrySlot<K, V>], slot: usize) -> usize {
        match &self.cells {
            Some(cells) => cells.ranks(entries).rank(slot),
            None => entries[..slot]
                .iter()
                .filter(|entry| entry.is_some())
                .count(),
        }
    }

    /// The ranks, if a positional question has built them.
    pub(crate) fn built_ranks(&self) -> Option<&Ranks> {
        self.cells.as_deref()?.built_ranks()
    }

    /// The flat table of the slot of every position, if it is built.
    #[inline]
    pub(crate) fn flat(&self) -> Option<&[u32]> {
        self.cells.as_deref()?.flat()
    }

    /// [`PositionCells::flat_slot_unchecked`], `None` if there are no cells.
    ///
    /// # Safety
    /// As there.
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn flat_slot_unchecked(&self, position: usize) -> Option<usize> {
        // SAFETY: the caller's promise, passed on.
        unsafe { self.cells.as_deref()?.flat_slot_unchecked(position) }
    }

    /// The slot of the live entry at `position` of `entries`, past a hole: from the cells,
    /// or, in an array small enough to have none, by counting live slots up to it.
    #[inline]
    pub(crate) fn select<K, V>(&self, entries: &[EntrySlot<K, V>], position: usize) -> usize {
        match &self.cells {
            Some(cells) => cells.select(entries, position),
            None => select_by_scan(entries, position),
        }
    }

    /// Slot `slot`, a hole or past the end until now, holds a live entry. (Inline: the test
    /// of whether anything is built sits in every insert.)
    #[inline]
    pub(crate) fn mark_live(&mut self, slot: usize) {
        if let Some(cells) = &mut self.cells {
            cells.mark_live(slot);
        }
    }

    /// Slot `slot`, live until now, is a hole (or gone off the end).
    #[inline]
    pub(crate) fn mark_hole(&mut self, slot: usize) {
        if let Some(cells) = &mut self.cells {
            cells.mark_hole(slot);
        }
    }

    /// The live entry in slot `from` moved down to slot `to`, a hole until now, over holes
    /// only (its position is unchanged).
    #[inline]
    pub(crate) fn slot_moved(&mut self, from: usize, to: usize) {
        if let Some(cells) = &mut self.cells {
            cells.slot_moved(from, to);
        }
    }

    /// Slot `slot`, live until now, is a hole, and the entries (in an array of `capacity`
    /// slots) go on past it: marks it in the cells, or makes room for them if this is the
    /// first hole (no cells, so no ranks built that would need to know) and the array is
    /// too big to count.
    #[inline]
    pub(crate) fn hole_made(&mut self, slot: usize, capacity: usize) {
        match &mut self.cells {
            Some(cells) => cells.mark_hole(slot),
            None if capacity <= SCANNED_UP_TO => {}
            None => self.make_room(),
        }
    }

    /// The first hole: allocates the cells, out of line (once per hole-free spell, and the
    /// construction inline made every deletion set up a stack frame for it).
    #[cold]
    #[inline(never)]
    fn make_room(&mut self) {
        self.cells = Some(Box::new(PositionCells::new()));
    }

    /// Checks the cells against `entries` (in an array of `capacity` slots), and that they
    /// exist while holes do in an array past [`SCANNED_UP_TO`] slots.
    pub(crate) fn audit<K, V>(
        &self,
        entries: &[EntrySlot<K, V>],
        capacity: usize,
    ) -> Result<(), String> {
        match &self.cells {
            Some(_) if entries.iter().all(Option::is_some) => {
                Err("no hole is left, but the position cells were kept".to_string())
            }
            Some(cells) => cells.audit(entries),
            None if capacity > SCANNED_UP_TO && entries.iter().any(Option::is_none) => {
                Err(format!(
                    "the entries have holes and room for {capacity}, but no room for their ranks"
                ))
            }
            None => Ok(()),
        }
    }
}

/// The largest entries array (in slots of capacity) whose positions past a hole are found by
/// counting live slots rather than kept in [`PositionCells`]. Such an array makes no cells for
/// its holes, so a small dict's deletions allocate nothing: every spell of holes in a dict of
/// a few keys had cost a `malloc` and a `free` of the cells. Callgrind, half of 16 `u64` keys
/// removed (`examples/profile vdict remove_half_ordered u64 16`): 240 -> 200 instructions
/// a removal. The price is a positional read past a hole that counts up to this many slots
/// (a test each) where the ranks would answer in a few dozen instructions, in a dict this
/// small.
pub(crate) const SCANNED_UP_TO: usize = 32;

/// The slot of the live entry at `position` of `entries`, counting live slots from the first;
/// for arrays of at most [`SCANNED_UP_TO`] slots. Panics, as a corrupt table, if there are
/// not that many live entries.
fn select_by_scan<K, V>(entries: &[EntrySlot<K, V>], position: usize) -> usize {
    let mut live = entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| entry.is_some());
    match live.nth(position) {
        Some((slot, _)) => slot,
        None => panic!("vdict: no live entry at position {position} (corrupt table)"),
    }
}

/// What the table keeps for positions past the first hole: the [`Ranks`], built by the first
/// positional question that needs them, and the flat table of the slot of every position,
/// built from them once reads outnumber changes (see the module comment).
///
/// The flat table sits here, beside the ranks rather than inside them, so that the fast path
/// of a read (`get_index` past a hole) tests one pointer ([`PositionCells::flat_start`]) rather
/// than a `OnceLock` inside a `OnceLock`. It is built only from built ranks, and dropped
/// whenever they are: `flat` set implies `ranks` set.
#[derive(Debug, Default)]
pub(crate) struct PositionCells {
    /// The slot of each position, in order: a read in one load. Built by the read that finds
    /// [`Ranks::reads_before_flat`] reads since the last change (so its O(slots) cost is
    /// spread over that many O(log n) reads), kept by appends and by removals of the last
    /// entry, dropped by any other change. A `OnceLock` so that `&self` reads may build it.
    flat: OnceLock<Vec<u32>>,
    /// Where `flat`'s elements start while it is built; null while it is not. A read past a
    /// hole loads this one word, tests it and indexes it, where going through the `OnceLock`
    /// loads its state, then the vector's pointer (callgrind, random positions in a 1,000-entry
    /// u64 dict with a hole every 10 slots, through a generic caller: 19 -> 18 instructions a
    /// read, and the report's ratio to indexmap from 2.9-4.3 to 2.4-2.9). Stored with
    /// `Release` by the read that builds `flat` (after `OnceLock` has made its elements),
    /// loaded with `Acquire`; rewritten through `&mut self` whenever `flat` grows (and may
    /// move) or is dropped.
    flat_start: AtomicPtr<u32>,
    /// The bitmap and tree. A `OnceLock` so that `&self` reads may build it (and the dict
    /// stays `Sync`).
    ranks: OnceLock<Ranks>,
}

impl PositionCells {
    /// Nothing built.
    pub(crate) const fn new() -> PositionCells {
        PositionCells {
            flat: OnceLock::new(),
            flat_start: AtomicPtr::new(ptr::null_mut()),
            ranks: OnceLock::new(),
        }
    }

    /// Points `flat_start` at the flat table, if it is built (after it was built or moved).
    fn publish_flat(&self) {
        if let Some(flat) = self.flat.get() {
            self.flat_start.store(flat.as_ptr().cast_mut(), Release);
        }
    }

    /// The ranks of `entries`, built now if they are not.
    #[inline]
    pub(crate) fn ranks<K, V>(&self, entries: &[EntrySlot<K, V>]) -> &Ranks {
        self.ranks.get_or_init(|| Ranks::build(entries))
    }

    /// The ranks, if a positional question has built them.
    pub(crate) fn built_ranks(&self) -> Option<&Ranks> {
        self.ranks.get()
    }

    /// The flat table of the slot of every position, if it is built.
    #[inline]
    pub(crate) fn flat(&self) -> Option<&[u32]> {
        self.flat.get().map(Vec::as_slice)
    }

    /// The slot of the live entry at `position`, read from the flat table without a bounds
    /// check, if the table is built; `None` if it is not.
    ///
    /// # Safety
    /// `position` is below the number of live entries of the entries array these positions
    /// describe (the table's `len`).
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn flat_slot_unchecked(&self, position: usize) -> Option<usize> {
        let start = self.flat_start.load(Acquire);
        if start.is_null() {
            return None;
        }
        // SAFETY: a non-null `flat_start` points at the elements of the built flat table
        // (`publish_flat` stores it from the table `OnceLock` holds, with `Release` after the
        // `OnceLock` made them, and this load is `Acquire`; `mark_live_in_built` rewrites it
        // when a push may move them, `drop_flat` and `forget` null it before the table goes).
        // That table has one element per live entry (it follows every slot that turns live
        // or hole; `audit` checks it), so `position`, below that count, is in its bounds.
        Some(unsafe { *start.add(position) } as usize)
    }

    /// The slot of the live entry at `position` of `entries`, which must be below the number
    /// of live entries: one load once the flat table is built; O(log n) before.
    #[inline]
    pub(crate) fn select<K, V>(&self, entries: &[EntrySlot<K, V>], position: usize) -> usize {
        if let Some(flat) = self.flat.get() {
            return flat[position] as usize;
        }
        self.select_slowly(entries, position)
    }

    /// `select` without the flat table: through the tree, or by building the table when
    /// enough reads have come since the last change.
    #[cold]
    fn select_slowly<K, V>(&self, entries: &[EntrySlot<K, V>], position: usize) -> usize {
        let ranks = self.ranks(entries);
        if ranks.flat_is_due() {
            let flat = self.flat.get_or_init(|| ranks.flat_table());
            self.publish_flat();
            return flat[position] as usize;
        }
        ranks.select_through_tree(position)
    }

    /// Slot `slot`, a hole or past the end until now, holds a live entry. (Inline, as the
    /// test of whether anything is built sits in every insert.)
    #[inline]
    pub(crate) fn mark_live(&mut self, slot: usize) {
        if self.ranks.get_mut().is_some() {
            self.mark_live_in_built(slot);
        }
    }

    fn mark_live_in_built(&mut self, slot: usize) {
        let Some(ranks) = self.ranks.get_mut() else {
            return;
        };
        ranks.mark_live(slot);
        // An append keeps the flat table (its new position is the last); anything else
        // renumbers the positions after it.
        match self.flat.get_mut() {
            Some(flat) if flat.last().is_none_or(|&last| (last as usize) < slot) => {
                match u32::try_from(slot) {
                    Ok(slot) => {
                        flat.push(slot);
                        // The push may have moved the elements.
                        *self.flat_start.get_mut() = flat.as_mut_ptr();
                    }
                    Err(_) => self.drop_flat(),
                }
            }
            _ => self.drop_flat(),
        }
    }

    /// Slot `slot`, live until now, is a hole (or gone off the end).
    #[inline]
    pub(crate) fn mark_hole(&mut self, slot: usize) {
        if self.ranks.get_mut().is_some() {
            self.mark_hole_in_built(slot);
        }
    }

    fn mark_hole_in_built(&mut self, slot: usize) {
        let Some(ranks) = self.ranks.get_mut() else {
            return;
        };
        ranks.mark_hole(slot);
        // Removing the last entry keeps the flat table; anything else renumbers.
        match self.flat.get_mut() {
            Some(flat) if flat.last() == Some(&(slot as u32)) => {
                flat.pop();
            }
            _ => self.drop_flat(),
        }
    }

    /// See [`Positions::slot_moved`].
    #[inline]
    fn slot_moved(&mut self, from: usize, to: usize) {
        if let Some(ranks) = self.ranks.get_mut() {
            ranks.mark_live(to);
            ranks.mark_hole(from);
            // The moved entry's position now has another slot.
            self.drop_flat();
        }
    }

    /// Forgets the flat table (positions moved), and starts counting reads again.
    fn drop_flat(&mut self) {
        *self.flat_start.get_mut() = ptr::null_mut();
        self.flat = OnceLock::new();
        if let Some(ranks) = self.ranks.get_mut() {
            *ranks.tree_reads.get_mut() = 0;
        }
    }

    /// Checks the ranks and the flat table against `entries` (see [`Ranks::audit`]).
    pub(crate) fn audit<K, V>(&self, entries: &[EntrySlot<K, V>]) -> Result<(), String> {
        let start = self.flat_start.load(Relaxed).cast_const();
        let expected = self.flat.get().map_or(ptr::null(), |flat| flat.as_ptr());
        if start != expected {
            return Err("the pointer to the flat table of positions is stale".to_string());
        }
        match (self.ranks.get(), self.flat.get()) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err("a flat table of positions without ranks".to_string()),
            (Some(ranks), flat) => {
                ranks.audit(entries)?;
                match flat {
                    Some(flat) if *flat != Ranks::build(entries).flat_table() => {
                        Err("the flat table of positions disagrees with the entries".to_string())
                    }
                    _ => Ok(()),
                }
            }
        }
    }
}

impl Clone for PositionCells {
    /// A copy with its own flat table, and `flat_start` pointing at it (a derived `Clone`
    /// would copy the pointer into the original's).
    fn clone(&self) -> Self {
        let copy = PositionCells {
            flat: self.flat.clone(),
            flat_start: AtomicPtr::new(ptr::null_mut()),
            ranks: self.ranks.clone(),
        };
        copy.publish_flat();
        copy
    }
}

impl Clone for Ranks {
    fn clone(&self) -> Self {
        Ranks {
            live: self.live.clone(),
            tree: self.tree.clone(),
            tree_reads: AtomicUsize::new(self.tree_reads.load(Relaxed)),
        }
    }
}

const WORD_BITS: usize = 64;

/// The lowest set bit of `i` (Fenwick's step).
#[inline(always)]
fn lowbit(i: usize) -> usize {
    i & i.wrapping_neg()
}

impl Ranks {
    /// The ranks of `entries` as they stand: O(slots).
    pub(crate) fn build<K, V>(entries: &[EntrySlot<K, V>]) -> Ranks {
        let words = entries.len().div_ceil(WORD_BITS);
        let mut live = vec![0u64; words];
        for (slot, entry) in entries.iter().enumerate() {
            if entry.is_some() {
                live[slot / WORD_BITS] |= 1 << (slot % WORD_BITS);
            }
        }
        // The linear-time Fenwick build: each node passes its total up to its parent.
        let mut tree = vec![0usize; words + 1];
        for i in 1..=words {
            tree[i] += live[i - 1].count_ones() as usize;
            let parent = i + lowbit(i);
            if parent <= words {
                tree[parent] += tree[i];
            }
        }
        Ranks {
            live,
            tree,
            ..Ranks::default()
        }
    }

    /// Live slots in words `0..words`.
    #[inline]
    fn live_in_words(&self, words: usize) -> usize {
        let mut i = words;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i &= i - 1;
        }
        sum
    }

    /// Adds `delta` (±1) to word `word`'s count.
    fn add(&mut self, word: usize, delta: isize) {
        let mut i = word + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].wrapping_add_signed(delta);
            i += lowbit(i);
        }
    }

    /// Appends an empty word; its tree node covers words the tree already counts.
    fn push_word(&mut self) {
        self.live.push(0);
        let i = self.live.len();
        let covered = self.live_in_words(i - 1) - self.live_in_words(i - lowbit(i));
        self.tree.push(covered);
    }

    /// Slot `slot`, a hole or past the end until now, holds a live entry.
    pub(crate) fn mark_live(&mut self, slot: usize) {
        let word = slot / WORD_BITS;
        while word >= self.live.len() {
            self.push_word();
        }
        let bit = 1u64 << (slot % WORD_BITS);
        debug_assert!(self.live[word] & bit == 0, "slot {slot} was already live");
        self.live[word] |= bit;
        self.add(word, 1);
    }

    /// Slot `slot`, live until now, is a hole (or gone off the end).
    pub(crate) fn mark_hole(&mut self, slot: usize) {
        let word = slot / WORD_BITS;
        let bit = 1u64 << (slot % WORD_BITS);
        debug_assert!(
            self.live.get(word).is_some_and(|w| w & bit != 0),
            "slot {slot} was not live"
        );
        self.live[word] &= !bit;
        self.add(word, -1);
    }

    /// Live slots before `slot`: the position of the entry in `slot`, if it is live.
    pub(crate) fn rank(&self, slot: usize) -> usize {
        let word = slot / WORD_BITS;
        if word >= self.live.len() {
            return self.live_in_words(self.live.len());
        }
        let below = (1u64 << (slot % WORD_BITS)) - 1;
        self.live_in_words(word) + (self.live[word] & below).count_ones() as usize
    }

    /// How many reads go through the tree before one builds the flat table: a sixteenth of
    /// the slots (and at least 8), so building it, O(slots), costs a read at most 16 word
    /// visits more on average.
    fn reads_before_flat(&self) -> usize {
        8 + self.live.len() * (WORD_BITS / 16)
    }

    /// Counts a read through the tree; whether enough have come since the last change for
    /// the flat table to pay for itself (and the slots fit its `u32`s).
    fn flat_is_due(&self) -> bool {
        // A plain load and store, not a read-modify-write: a count lost to a race between
        // two readers only delays the build.
        let reads = self.tree_reads.load(Relaxed) + 1;
        self.tree_reads.store(reads, Relaxed);
        let fits = self.live.len() * WORD_BITS <= u32::MAX as usize;
        reads >= self.reads_before_flat() && fits
    }

    /// The slot of the live entry at `position` (below the number of live entries), through
    /// the tree alone: what `PositionCells::select` does before the flat table is built, and
    /// what a mutable slice asks when it is not.
    pub(crate) fn select(&self, position: usize) -> usize {
        self.select_through_tree(position)
    }

    /// Every live slot, in order.
    fn flat_table(&self) -> Vec<u32> {
        let mut flat = Vec::with_capacity(self.live_in_words(self.live.len()));
        for (word_index, &word) in self.live.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let bit = bits.trailing_zeros() as usize;
                flat.push((word_index * WORD_BITS + bit) as u32);
                bits &= bits - 1;
            }
        }
        flat
    }

    /// `select` by descending the tree to the word holding the position, then within it.
    /// The descent has no data-dependent branch (whether a step is taken is arithmetic), so a
    /// random position costs no mispredicted branches.
    fn select_through_tree(&self, position: usize) -> usize {
        let words = self.live.len();
        // Descend the tree to the last word count `w` with live_in_words(w) <= position: word
        // `w` then holds the entry.
        let mut word = 0;
        let mut remaining = position;
        let mut step = if words == 0 {
            0
        } else {
            1 << (usize::BITS - 1 - words.leading_zeros())
        };
        while step > 0 {
            let next = word + step;
            let count = self.tree.get(next).copied().unwrap_or(usize::MAX);
            let take = usize::from(count <= remaining);
            word += step * take;
            remaining -= count.wrapping_mul(take);
            step >>= 1;
        }
        debug_assert!(word < words, "position {position} is past the live entries");
        word * WORD_BITS + select_in_word(self.live[word], remaining as u32) as usize
    }
}

impl Ranks {
    /// Checks that these ranks describe `entries`: every live slot's bit set and every other
    /// bit clear, and the tree's counts and answers those of a scan.
    pub(crate) fn audit<K, V>(&self, entries: &[EntrySlot<K, V>]) -> Result<(), String> {
        let fresh = Ranks::build(entries);
        let words = fresh.live.len();
        if self.live.len() < words || self.live[..words] != fresh.live[..] {
            return Err("the rank bitmap disagrees with the entries".to_string());
        }
        if self.live[words..].iter().any(|&word| word != 0) {
            return Err("the rank bitmap has a live bit past the entries".to_string());
        }
        let mut position = 0;
        for (slot, entry) in entries.iter().enumerate() {
            if entry.is_some() {
                if self.rank(slot) != position || self.select_through_tree(position) != slot {
                    return Err(format!(
                        "ranks: slot {slot} should be at position {position}, the tree says \
                         rank {} and select {}",
                        self.rank(slot),
                        self.select_through_tree(position)
                    ));
                }
                position += 1;
            }
        }
        Ok(())
    }
}

/// The bit index of the `rank`th (from 0) set bit of `word`, which has more than `rank`.
fn select_in_word(mut word: u64, mut rank: u32) -> u32 {
    let mut base = 0;
    for half in [32u32, 16, 8] {
        let low_mask = (1u64 << half) - 1;
        let low = (word & low_mask).count_ones();
        if rank >= low {
            rank -= low;
            word >>= half;
            base += half;
        } else {
            word &= low_mask;
        }
    }
    for _ in 0..rank {
        word &= word - 1;
    }
    base + word.trailing_zeros()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots with `live[s]`, as an entries array.
    fn entries(live: &[bool]) -> Vec<EntrySlot<u8, u8>> {
        live.iter()
            .map(|&l| {
                l.then(|| super::super::entries::Bucket {
                    value: 0,
                    key: 0,
                    hash: super::super::entries::StoredHash::new(1),
                })
            })
            .collect()
    }

    fn check(ranks: &Ranks, live: &[bool]) {
        let live_slots: Vec<usize> = (0..live.len()).filter(|&s| live[s]).collect();
        for (position, &slot) in live_slots.iter().enumerate() {
            assert_eq!(ranks.select(position), slot, "select({position})");
            assert_eq!(ranks.rank(slot), position, "rank({slot})");
        }
        assert_eq!(ranks.rank(live.len()), live_slots.len());
    }

    #[test]
    fn select_in_word_finds_every_bit() {
        for word in [1u64, u64::MAX, 0x8000_0000_0000_0001, 0xF0F0_1234_0000_FF00] {
            let bits: Vec<u32> = (0..64).filter(|b| word >> b & 1 == 1).collect();
            for (rank, &bit) in bits.iter().enumerate() {
                assert_eq!(select_in_word(word, rank as u32), bit);
            }
        }
    }

    #[test]
    fn built_and_updated_ranks_agree_with_a_scan() {
        // A pseudo-random pattern over several words, changed slot by slot.
        let mut live: Vec<bool> = (0..1000u32)
            .map(|i| i.wrapping_mul(2654435761) % 7 != 0)
            .collect();
        let mut ranks = Ranks::build(&entries(&live));
        check(&ranks, &live);
        for slot in (0..1000).step_by(13) {
            if live[slot] {
                ranks.mark_hole(slot);
            } else {
                ranks.mark_live(slot);
            }
            live[slot] = !live[slot];
        }
        check(&ranks, &live);
        // Appends past the end grow the tree a word at a time.
        for slot in 1000..1300 {
            ranks.mark_live(slot);
            live.push(true);
        }
        check(&ranks, &live);
        assert_eq!(ranks.tree.len(), ranks.live.len() + 1);
        let rebuilt = Ranks::build(&entries(&live));
        assert_eq!(rebuilt.tree, ranks.tree);
    }

    /// `positions` answers for `live` as a scan does, through its flat table if built.
    fn check_positions(positions: &PositionCells, live: &[bool]) {
        let slots = entries(live);
        let live_slots: Vec<usize> = (0..live.len()).filter(|&s| live[s]).collect();
        for (position, &slot) in live_slots.iter().enumerate() {
            assert_eq!(
                positions.select(&slots, position),
                slot,
                "select({position})"
            );
        }
        assert!(positions.audit(&slots).is_ok());
    }

    #[test]
    fn the_flat_table_is_built_by_enough_reads_kept_by_appends_and_dropped_by_other_changes() {
        let mut live: Vec<bool> = (0..500u32).map(|i| i % 10 != 3).collect();
        let slots = entries(&live);
        let mut positions = PositionCells::new();
        let due = positions.ranks(&slots).reads_before_flat();
        for position in 0..due - 1 {
            positions.select(&slots, position % 400);
        }
        assert!(positions.flat().is_none(), "built too early");
        positions.select(&slots, 0);
        assert!(positions.flat().is_some(), "not built after enough reads");
        check_positions(&positions, &live);
        // An append and a removal of the last entry keep it, and it stays right.
        positions.mark_live(500);
        live.push(true);
        check_positions(&positions, &live);
        positions.mark_hole(500);
        live[500] = false;
        assert!(positions.flat().is_some());
        live.pop();
        check_positions(&positions, &live);
        live.push(false);
        // A removal in the middle drops it; the tree still answers.
        positions.mark_hole(100);
        live[100] = false;
        assert!(positions.flat().is_none());
        live.pop();
        check_positions(&positions, &live);
    }

    /// Every position's slot as the unchecked read of the flat table gives it.
    fn flat_reads(positions: &PositionCells, live: &[bool]) -> Vec<Option<usize>> {
        let count = live.iter().filter(|&&l| l).count();
        #[allow(unsafe_code)]
        // SAFETY: every position read is below the count of live slots.
        (0..count)
            .map(|position| unsafe { positions.flat_slot_unchecked(position) })
            .collect()
    }

    /// Builds the flat table of `positions` over `live` by reading enough positions.
    fn build_flat(positions: &PositionCells, live: &[bool]) {
        let slots = entries(live);
        let due = positions.ranks(&slots).reads_before_flat();
        for _ in 0..due {
            positions.select(&slots, 0);
        }
        assert!(positions.flat().is_some());
    }

    #[test]
    fn the_published_pointer_follows_the_flat_table_through_growth_clones_and_drops() {
        let mut live: Vec<bool> = (0..300u32).map(|i| i % 10 != 3).collect();
        let mut positions = PositionCells::new();
        let expected = |live: &[bool]| -> Vec<Option<usize>> {
            (0..live.len()).filter(|&s| live[s]).map(Some).collect()
        };
        assert!(flat_reads(&positions, &live).iter().all(Option::is_none));
        build_flat(&positions, &live);
        assert_eq!(flat_reads(&positions, &live), expected(&live));
        // Appends grow the table's vector well past any capacity it started with, so it
        // moves: reads must follow it (AddressSanitizer catches a read of the old block).
        for slot in 300..5000 {
            positions.mark_live(slot);
            live.push(true);
        }
        assert_eq!(flat_reads(&positions, &live), expected(&live));
        assert!(positions.audit(&entries(&live)).is_ok());
        // A clone reads its own table, and still does once the original is gone.
        let copy = positions.clone();
        drop(positions);
        assert_eq!(flat_reads(&copy, &live), expected(&live));
        assert!(copy.audit(&entries(&live)).is_ok());
        // A change that renumbers positions drops the table and the pointer with it.
        let mut copy = copy;
        copy.mark_hole(10);
        live[10] = false;
        assert!(copy.flat().is_none());
        assert!(flat_reads(&copy, &live).iter().all(Option::is_none));
        assert!(copy.audit(&entries(&live)).is_ok());
    }

    #[test]
    fn positions_hold_their_cells_behind_one_pointer() {
        // Inline, their `OnceLock`s would make every `&Dict` lose `noalias` (see `Positions`).
        assert_eq!(
            std::mem::size_of::<Positions>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn positions_make_room_for_their_cells_only_while_holes_exist() {
        let mut positions = Positions::new();
        let mut live = vec![true; 100];
        assert!(positions.audit(&entries(&live), 100).is_ok());
        live[10] = false;
        positions.mark_hole(10);
        assert!(
            positions.audit(&entries(&live), 100).is_err(),
            "holes without cells must fail the audit"
        );
        positions.holes_exist(100);
        assert!(positions.audit(&entries(&live), 100).is_ok());
        assert_eq!(positions.select(&entries(&live), 10), 11);
        assert_eq!(positions.rank(&entries(&live), 11), 10);
        positions.forget();
        assert!(positions.built_ranks().is_none() && positions.flat().is_none());
        live[10] = true;
        assert!(positions.audit(&entries(&live), 100).is_ok());
    }

    #[test]
    fn a_small_array_counts_its_positions_and_makes_no_cells() {
        let mut positions = Positions::new();
        let live: Vec<bool> = (0..SCANNED_UP_TO).map(|slot| slot % 3 != 1).collect();
        let slots = entries(&live);
        for slot in (0..live.len()).filter(|&slot| !live[slot]) {
            positions.hole_made(slot, SCANNED_UP_TO);
        }
        positions.holes_exist(SCANNED_UP_TO);
        assert!(positions.cells.is_none(), "a small array made cells");
        assert!(positions.audit(&slots, SCANNED_UP_TO).is_ok());
        let live_slots: Vec<usize> = (0..live.len()).filter(|&slot| live[slot]).collect();
        for (position, &slot) in live_slots.iter().enumerate() {
            assert_eq!(positions.select(&slots, position), slot);
            assert_eq!(positions.rank(&slots, slot), position);
        }
        // One slot more of capacity, and the same holes need cells.
        assert!(positions.audit(&slots, SCANNED_UP_TO + 1).is_err());
        positions.holes_exist(SCANNED_UP_TO + 1);
        assert!(positions.audit(&slots, SCANNED_UP_TO + 1).is_ok());
        for (position, &slot) in live_slots.iter().enumerate() {
            assert_eq!(positions.select(&slots, position), slot);
            assert_eq!(positions.rank(&slots, slot), position);
        }
    }

    #[test]
    fn marks_on_unbuilt_positions_build_nothing() {
        let mut positions = PositionCells::new();
        positions.mark_live(3);
        positions.mark_hole(3);
        assert!(positions.built_ranks().is_none() && positions.flat().is_none());
    }
}
