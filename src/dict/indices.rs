//! The sparse half of the dict: the index table, an open-addressing hash table of small integers.
//!
//! Each cell holds one of
//!
//! ```text
//!     EMPTY (-1)   never used since the last rebuild: a probe that meets it stops
//!     DUMMY (-2)   its entry was deleted: a probe walks past it
//!     live  (>= 0) the position of a live entry in the dense entries array (its slot),
//!                  with a few bits of the entry's hash (its tag) above it
//! ```
//!
//! A slot is always below the table size `2^k`, so it needs only the low `k` bits of a cell;
//! the bits between it and the sign bit are free, and hold the top bits of the key's hash
//! ([`CellCode`]). A lookup compares the tag before it touches the entries array, so most
//! cells of other keys on its probe path, and most cells a missing key meets, cost no entry
//! read (a cache miss in a big table).
//!
//! As in CPython 3.6, the cells are narrow, their width chosen by the table size; unlike
//! CPython, a width must hold four bits of tag beside the slot ([`cell_bytes_for_size`]): a
//! table of 8 cells stores `i8`s, of at most 2,048 cells `i16`s, of at most 2^27 cells `i32`s,
//! and `i64`s beyond. A 100-key dict's whole index is 512 bytes. The [`IndexCell`] trait lets
//! the probing code be written once and compiled once per width.

/// The cell value of a cell never used since the last rebuild.
pub(crate) const EMPTY: isize = -1;
/// The cell value of a cell whose entry was deleted.
pub(crate) const DUMMY: isize = -2;

/// One cell width: how a cell value (EMPTY, DUMMY or a slot) is stored in that many bytes.
pub(crate) trait IndexCell: Copy {
    /// The stored form of [`EMPTY`].
    const EMPTY: Self;
    /// Widens the stored cell to its value.
    fn load(self) -> isize;
    /// Narrows a value to its stored form; the table's size guarantees that it fits.
    fn store(value: isize) -> Self;
}

macro_rules! index_cell {
    ($($int:ty),*) => {$(
        impl IndexCell for $int {
            const EMPTY: Self = EMPTY as $int;
            #[inline(always)]
            fn load(self) -> isize {
                self as isize
            }
            #[inline(always)]
            fn store(value: isize) -> Self {
                debug_assert!(<$int>::try_from(value).is_ok(), "{value} does not fit a cell");
                value as $int
            }
        }
    )*};
}
index_cell!(i8, i16, i32, i64);

/// How a live cell packs an entry's slot (low bits) with its hash's tag (the bits above, up to
/// the sign bit), for one table size and cell width.
///
/// The tag is the hash's top bits, so it is cut out with one shift and one AND
/// ([`tag_in_cell`](Self::tag_in_cell)): shifting the hash right by `65 - cell bits` brings its
/// top `cell bits - 1` bits down below the cell's sign bit, and the mask keeps the part above
/// the slot. The shift and masks are computed once per table (the table keeps its code), not
/// once per lookup; a lookup, compiled once per width, takes the shift as a constant instead
/// ([`tag_match_for`](Self::tag_match_for)). A cell on a probe path is tested with one XOR and
/// one compare, which also give its slot when the tag matches ([`TagMatch::slot_if_tagged`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CellCode {
    slot_bits: u32,
    /// `65 - cell bits`: how far right a hash moves to bring its top bits under the sign bit.
    tag_shift: u32,
    /// The low `slot_bits` bits: where the slot is.
    slot_mask: usize,
    /// The tag field in place: the bits between the slot and the cell's sign bit.
    tag_field: u64,
}

impl CellCode {
    /// The code of a table of `size` cells (a power of two) that are `cell_bits` wide.
    #[inline(always)]
    pub(crate) fn new(cell_bits: u32, size: usize) -> CellCode {
        let slot_bits = size.trailing_zeros().min(cell_bits - 1);
        let slot_mask = (1usize << slot_bits) - 1;
        let below_sign = (1u64 << (cell_bits - 1)) - 1;
        CellCode {
            slot_bits,
            tag_shift: 65 - cell_bits,
            slot_mask,
            tag_field: below_sign & !(slot_mask as u64),
        }
    }

    /// The tag of `hash`: its top bits, as many as fit above the slot. 0 when there is no room
    /// for a tag.
    #[inline(always)]
    pub(crate) fn tag(self, hash: u64) -> isize {
        self.tag_in_cell(hash) >> self.slot_bits
    }

    /// The tag of `hash` shifted to where a live cell keeps it.
    #[inline(always)]
    pub(crate) fn tag_in_cell(self, hash: u64) -> isize {
        ((hash >> self.tag_shift) & self.tag_field) as isize
    }

    /// What a probe for `hash` tests each cell with: see [`TagMatch`]. `slot_mask` is this
    /// code's slot mask, passed in: in every table vdict builds it equals the probe's mask,
    /// `size - 1` (a width is used only with room for a tag above every slot, see
    /// [`cell_bytes_for_size`]), which the probe loops hold in a register already. Reading the
    /// code's own copy instead costs a register in loops that are short of them: a push and a
    /// pop per lookup, and a load. Callgrind, u64 keys: 1,000, hit 58.1 -> 55.8 instructions,
    /// miss 66.0 -> 63.2; 16 (means of 5 runs), hit 62.0 -> 58.1, miss 70.6 -> 65.7; inserts,
    /// overwrites and removals -2 to -3. `String` keys: hit -1.2 to -1.6, miss +0.6 to +1.1.
    #[inline(always)]
    pub(crate) fn tag_match(self, hash: u64, slot_mask: usize) -> TagMatch {
        self.tag_match_shifted(hash, self.tag_shift, slot_mask)
    }

    /// [`tag_match`](Self::tag_match) for a probe loop compiled for cells of type `C`, which
    /// must be this code's width: the shift is then a constant, and the loop has one register
    /// more to work with. Lookups use it (callgrind, 1,000 `String` keys: hit 119.2 -> 117.1
    /// instructions, miss 93.7 -> 89.7; u64 unchanged); in the insert probe it made inserts
    /// 3 to 9 instructions slower, so that one keeps `tag_match`.
    #[inline(always)]
    pub(crate) fn tag_match_for<C: IndexCell>(self, hash: u64, slot_mask: usize) -> TagMatch {
        let tag_shift = 65 - 8 * std::mem::size_of::<C>() as u32;
        debug_assert_eq!(tag_shift, self.tag_shift, "not this code's cell width");
        self.tag_match_shifted(hash, tag_shift, slot_mask)
    }

    /// The two above, given the shift (this code's, or the same as a constant).
    #[inline(always)]
    fn tag_match_shifted(self, hash: u64, tag_shift: u32, slot_mask: usize) -> TagMatch {
        debug_assert_eq!(slot_mask, self.slot_mask, "not this code's slot mask");
        TagMatch {
            tag_in_cell: ((hash >> tag_shift) & self.tag_field) as isize,
            slot_mask,
        }
    }

    /// The cell value of an entry at `slot` whose stored hash is `hash`.
    #[inline(always)]
    pub(crate) fn encode(self, slot: usize, hash: u64) -> isize {
        debug_assert!(slot <= self.slot_mask, "slot {slot} does not fit its cell");
        slot as isize | self.tag_in_cell(hash)
    }

    /// The slot of a live cell value.
    #[inline(always)]
    pub(crate) fn slot(self, value: isize) -> usize {
        value as usize & self.slot_mask
    }

    /// The tag of a live cell value.
    #[inline(always)]
    pub(crate) fn tag_of(self, value: isize) -> isize {
        value >> self.slot_bits
    }
}

/// The test a probe for one hash applies to each cell on its path: the hash's tag, shifted to
/// where a live cell keeps it, and the slot mask. Made once per lookup by
/// [`CellCode::tag_match`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TagMatch {
    tag_in_cell: isize,
    slot_mask: usize,
}

impl TagMatch {
    /// The slot of the cell value `value` if it is a live cell carrying the tag sought. EMPTY
    /// and DUMMY never do.
    ///
    /// One XOR does both jobs: it clears the tag bits when they agree, leaving just the slot,
    /// so the result is at most the slot mask exactly when the tags agree, and is then the
    /// slot. A tag bit that differs stays set above the slot; EMPTY and DUMMY are negative, so
    /// their sign-extended high bits survive the XOR with a tag (which has none) and make the
    /// result huge. (Against masking the slot off, comparing what is left with the tag, and
    /// masking again for the slot: callgrind, 1,000 u64 keys, 67.2 -> 62.6 instructions per
    /// hit, 75.6 -> 71.3 per miss.)
    #[inline(always)]
    pub(crate) fn slot_if_tagged(self, value: isize) -> Option<usize> {
        let slot = (value ^ self.tag_in_cell) as usize;
        (slot <= self.slot_mask).then_some(slot)
    }
}

/// The index table, its cells stored at the width its size calls for.
#[derive(Clone)]
pub(crate) enum Indices {
    /// 8 cells.
    Bytes(Box<[i8]>),
    /// Up to 2,048 cells.
    Shorts(Box<[i16]>),
    /// Up to 2^27 cells.
    Ints(Box<[i32]>),
    /// Anything larger.
    Longs(Box<[i64]>),
}

/// Runs `$body` with `$cells` bound to the table's cell slice, whatever its width. The body is
/// compiled once per width, so the probe loops inside it work on plain `i8`/`i16`/... slices.
macro_rules! with_cells {
    ($indices:expr, $cells:ident => $body:expr) => {
        match $indices {
            $crate::dict::indices::Indices::Bytes($cells) => $body,
            $crate::dict::indices::Indices::Shorts($cells) => $body,
            $crate::dict::indices::Indices::Ints($cells) => $body,
            $crate::dict::indices::Indices::Longs($cells) => $body,
        }
    };
}
pub(crate) use with_cells;

impl Indices {
    /// A table of `size` cells (0, or a power of two), all EMPTY, at the width `size` calls for.
    pub(crate) fn new(size: usize) -> Indices {
        debug_assert!(size == 0 || size.is_power_of_two());
        fn cells<C: IndexCell>(size: usize) -> Box<[C]> {
            vec![C::EMPTY; size].into_boxed_slice()
        }
        match cell_bytes_for_size(size) {
            1 => Indices::Bytes(cells(size)),
            2 => Indices::Shorts(cells(size)),
            4 => Indices::Ints(cells(size)),
            _ => Indices::Longs(cells(size)),
        }
    }

    /// How many cells the table has.
    #[inline]
    pub(crate) fn size(&self) -> usize {
        with_cells!(self, cells => cells.len())
    }

    /// How many bytes one cell takes.
    pub(crate) fn cell_bytes(&self) -> usize {
        match self {
            Indices::Bytes(_) => 1,
            Indices::Shorts(_) => 2,
            Indices::Ints(_) => 4,
            Indices::Longs(_) => 8,
        }
    }

    /// The value of cell `cell`.
    #[inline]
    pub(crate) fn get(&self, cell: usize) -> isize {
        with_cells!(self, cells => cells[cell].load())
    }

    /// Sets cell `cell` to `value` (EMPTY, DUMMY or a slot).
    #[inline]
    pub(crate) fn set(&mut self, cell: usize, value: isize) {
        with_cells!(self, cells => cells[cell] = IndexCell::store(value))
    }

    /// Sets every cell to EMPTY, keeping the allocation.
    pub(crate) fn fill_empty(&mut self) {
        with_cells!(self, cells => cells.fill(IndexCell::EMPTY))
    }

    /// How this table's live cells pack slot and tag.
    pub(crate) fn code(&self) -> CellCode {
        CellCode::new(self.cell_bytes() as u32 * 8, self.size())
    }

    /// Bytes of heap the cells occupy.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.size() * self.cell_bytes()
    }
}

/// The fewest tag bits a live cell keeps (see [`cell_bytes_for_size`]).
pub(crate) const MIN_TAG_BITS: u32 = 4;

/// The cell width, in bytes, for a table of `size` cells: the narrowest signed integer that
/// holds every slot below `size`, EMPTY and DUMMY, and [`MIN_TAG_BITS`] bits of tag.
///
/// CPython picks the narrowest width that holds the slots (`DK_IXSIZE`). That leaves the
/// tables that just fill a width with no room for a tag: a 128-cell table of `i8`s (43 to 85
/// keys, the size of many a module's globals) or a 32,768-cell table of `i16`s would read the
/// entry of every cell on a probe path, where a tag would have ruled out 15 in 16 of them. So
/// a width is used only while it also keeps four tag bits: `i8` for 8 cells, `i16` up to
/// 2,048 cells, `i32` up to 2^27, `i64` beyond. The price is one step wider cells for the
/// tables in between, which have 1.5 to 3 cells per entry: 1.5 to 6 more bytes per entry
/// beside the entry's own 24 or more.
pub(crate) fn cell_bytes_for_size(size: usize) -> usize {
    let slot_bits = size.max(1).trailing_zeros();
    let fits = |cell_bits: u32| slot_bits + MIN_TAG_BITS < cell_bits;
    if fits(8) {
        1
    } else if fits(16) {
        2
    } else if fits(32) {
        4
    } else {
        8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_holds_the_slots_and_four_tag_bits() {
        assert_eq!(Indices::new(8).cell_bytes(), 1);
        assert_eq!(Indices::new(16).cell_bytes(), 2);
        assert_eq!(Indices::new(2048).cell_bytes(), 2);
        assert_eq!(Indices::new(4096).cell_bytes(), 4);
        assert_eq!(cell_bytes_for_size(1 << 27), 4);
        assert_eq!(cell_bytes_for_size(1 << 28), 8);
        for log2_size in 3..40 {
            let size = 1usize << log2_size;
            let bits = cell_bytes_for_size(size) as u32 * 8;
            let code = CellCode::new(bits, size);
            // Every slot fits, with at least four bits of tag, and no narrower width would do.
            // The slot mask is the probe's mask (`tag_match` is handed the latter).
            assert_eq!(code.slot_mask, size - 1, "{size} cells");
            assert_eq!(code.slot(size as isize - 1), size - 1);
            assert!(
                code.tag(u64::MAX) >= (1 << MIN_TAG_BITS) - 1,
                "{size} cells"
            );
            assert!(
                bits == 8 || log2_size + MIN_TAG_BITS >= bits / 2,
                "{size} cells"
            );
        }
    }

    #[test]
    fn tag_match_for_a_width_is_tag_match() {
        fn check<C: IndexCell>(size: usize) {
            let code = CellCode::new(8 * std::mem::size_of::<C>() as u32, size);
            assert_eq!(8 * std::mem::size_of::<C>(), cell_bytes_for_size(size) * 8);
            for hash in [
                0u64,
                1,
                u64::MAX,
                0xdead_beef_0bad_f00d,
                1 << 63,
                0x8000_0001,
            ] {
                assert_eq!(
                    code.tag_match_for::<C>(hash, size - 1),
                    code.tag_match(hash, size - 1),
                    "{size} cells, hash {hash:#x}"
                );
            }
        }
        check::<i8>(8);
        check::<i16>(16);
        check::<i16>(2048);
        check::<i32>(4096);
        check::<i32>(1 << 27);
        check::<i64>(1 << 28);
        check::<i64>(1 << 40);
    }

    #[test]
    fn cells_round_trip_their_extreme_values() {
        for size in [128usize, 1 << 15, 1 << 16] {
            let mut indices = Indices::new(size);
            assert!((0..size).all(|c| indices.get(c) == EMPTY));
            indices.set(0, DUMMY);
            indices.set(1, size as isize - 1);
            assert_eq!(indices.get(0), DUMMY);
            assert_eq!(indices.get(1), size as isize - 1);
            assert_eq!(indices.heap_bytes(), size * indices.cell_bytes());
        }
    }

    #[test]
    fn cells_pack_slot_and_tag_without_touching_the_sign() {
        // (cell bits, table size, expected tag bits)
        for (bits, size, tag_bits) in [
            (8, 8, 4),
            (8, 128, 0),
            (16, 2048, 4),
            (16, 1 << 15, 0),
            (32, 1 << 21, 10),
            (64, 8, 60),
        ] {
            let code = CellCode::new(bits, size);
            for hash in [0u64, 1, u64::MAX, 0xdead_beef_0bad_f00d, 1 << 63] {
                let tag = code.tag(hash);
                assert!(
                    (0..1 << tag_bits).contains(&tag),
                    "tag {tag:#x} for {bits}-bit cells of {size}"
                );
                // The tag is the hash's top bits.
                let expected = if tag_bits == 0 {
                    0
                } else {
                    (hash >> (64 - tag_bits)) as isize
                };
                assert_eq!(tag, expected);
                for slot in [0, 1, size / 2, size - 1] {
                    let value = code.encode(slot, hash);
                    assert!(value >= 0, "a live cell must stay non-negative");
                    assert!(
                        (value as i128) < 1i128 << (bits - 1),
                        "{value:#x} overflows {bits}-bit cells"
                    );
                    assert_eq!((code.slot(value), code.tag_of(value)), (slot, tag));
                    let sought = code.tag_match(hash, size - 1);
                    assert_eq!(sought.slot_if_tagged(value), Some(slot));
                    if tag_bits > 0 {
                        // Any other tag is told apart, whatever the slot.
                        let other = code.tag_match(!hash, size - 1);
                        assert_eq!(other.slot_if_tagged(value), None);
                    }
                    // EMPTY and DUMMY carry no tag.
                    assert_eq!(sought.slot_if_tagged(EMPTY), None);
                    assert_eq!(sought.slot_if_tagged(DUMMY), None);
                }
            }
        }
    }
}
