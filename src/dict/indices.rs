//! The sparse half of the dict: the index table, an open-addressing hash table of small integers.
//!
//! Each cell holds one of
//!
//! ```text
//!     EMPTY (-1)   never used since the last rebuild: a probe that meets it stops
//!     DUMMY (-2)   its entry was deleted: a probe walks past it
//!     slot  (>= 0) the position of a live entry in the dense entries array
//! ```
//!
//! As in CPython 3.6, the cells are as narrow as the table allows: a slot is always below the
//! table size, so a table of at most 128 cells stores `i8`s, at most 2^15 cells `i16`s, at most
//! 2^31 cells `i32`s, and `i64`s beyond. A 100-key dict's whole index is 256 bytes. The
//! [`IndexCell`] trait lets the probing code be written once and compiled once per width.

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

/// The index table, its cells stored at the width its size calls for.
#[derive(Clone)]
pub(crate) enum Indices {
    /// Up to 128 cells.
    Bytes(Box<[i8]>),
    /// Up to 2^15 cells.
    Shorts(Box<[i16]>),
    /// Up to 2^31 cells.
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

    /// Bytes of heap the cells occupy.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.size() * self.cell_bytes()
    }
}

/// The cell width, in bytes, for a table of `size` cells: the narrowest signed integer that
/// holds every slot below `size` as well as EMPTY and DUMMY (CPython's `DK_IXSIZE`).
pub(crate) fn cell_bytes_for_size(size: usize) -> usize {
    if size <= 1 << 7 {
        1
    } else if size <= 1 << 15 {
        2
    } else if size as u64 <= 1 << 31 {
        4
    } else {
        8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_follows_size_like_cpython() {
        assert_eq!(Indices::new(8).cell_bytes(), 1);
        assert_eq!(Indices::new(128).cell_bytes(), 1);
        assert_eq!(Indices::new(256).cell_bytes(), 2);
        assert_eq!(Indices::new(1 << 15).cell_bytes(), 2);
        assert_eq!(Indices::new(1 << 16).cell_bytes(), 4);
        assert_eq!(cell_bytes_for_size(1 << 31), 4);
        assert_eq!(cell_bytes_for_size(1 << 32), 8);
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
}
