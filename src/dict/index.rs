//! The sparse half of the dict: a hash table of entry slots, `hashbrown::HashTable` holding
//! narrow integers.
//!
//! The index answers one question: which slot of the entries array holds the key with this
//! hash? It stores nothing but slots. Everything else (the key, the value, the full hash) is in
//! the entry the slot names, so the index can be narrow, as CPython 3.6's is: a slot takes 2
//! bytes while the entries array holds at most 65,536 entries, 4 bytes up to 2^32, and a
//! machine word beyond ([`Index::Narrow`], [`Index::Wide`], [`Index::Huge`]).
//!
//! The probing is hashbrown's SwissTable, not CPython's scalar walk: beside each bucket is a
//! control byte holding either EMPTY, DELETED (hashbrown's tombstone, CPython's DUMMY) or the
//! top 7 bits of the hash of the key whose slot the bucket holds. A lookup starts at the group
//! of 16 buckets the hash's low bits pick, compares all 16 control bytes with the 7 bits
//! sought in one SSE2 instruction (8 at a time with a portable fallback), reads the entry of
//! each bucket that matches (one in 128 of the others does by chance), and stops at the first
//! group that has an EMPTY byte. Misses end in the first group almost always, without the
//! branch mispredict a cell-by-cell walk takes. The table keeps at most 7/8 of its buckets
//! full and doubles when it must; hashbrown does all of that, and vdict only says how to
//! re-hash a slot (read its entry's stored hash, never the key).
//!
//! Why hashbrown's table: it replaced vdict 0.1's own index (CPython's scalar probe over
//! 1- to 8-byte cells with hash tags), against which it was measured side by side (INTERNALS.md,
//! "Choosing the index"); a well-kept library doing the hard part beats our copy of it.

use hashbrown::HashTable;

/// A slot as the index stores it: an unsigned integer narrow enough for the entries array.
pub(crate) trait SlotWord: Copy + Eq {
    /// How many entries an entries array may hold for its slots to fit this width.
    const MAX_ENTRIES: usize;
    /// The slot, widened.
    fn get(self) -> usize;
    /// The slot, narrowed; the caller has checked that it fits.
    fn new(slot: usize) -> Self;
}

macro_rules! slot_word {
    ($($word:ty),*) => {$(
        impl SlotWord for $word {
            const MAX_ENTRIES: usize = if (<$word>::MAX as u128) < usize::MAX as u128 {
                <$word>::MAX as usize + 1
            } else {
                usize::MAX
            };
            #[inline(always)]
            fn get(self) -> usize {
                self as usize
            }
            #[inline(always)]
            fn new(slot: usize) -> Self {
                debug_assert!(<$word>::try_from(slot).is_ok(), "slot {slot} does not fit");
                slot as $word
            }
        }
    )*};
}
slot_word!(u16, u32, usize);

/// The index, its slots stored at the width the entries array's capacity calls for.
#[derive(Clone)]
pub(crate) enum Index {
    /// Entries arrays of at most 65,536 entries.
    Narrow(HashTable<u16>),
    /// Up to 2^32 entries.
    Wide(HashTable<u32>),
    /// Anything larger.
    Huge(HashTable<usize>),
}

/// Runs `$body` with `$table` bound to the index's `HashTable`, whatever its slot width. The
/// body is compiled once per width.
macro_rules! with_index {
    ($index:expr, $table:ident => $body:expr) => {
        match $index {
            $crate::dict::index::Index::Narrow($table) => $body,
            $crate::dict::index::Index::Wide($table) => $body,
            $crate::dict::index::Index::Huge($table) => $body,
        }
    };
}
pub(crate) use with_index;

impl Index {
    /// An empty index that owns no memory.
    pub(crate) const fn new() -> Index {
        Index::Narrow(HashTable::new())
    }

    /// An empty index with room for `capacity` slots, wide enough for an entries array of
    /// `entries_capacity` entries.
    pub(crate) fn with_capacity(capacity: usize, entries_capacity: usize) -> Index {
        match slot_bytes_for(entries_capacity) {
            2 => Index::Narrow(HashTable::with_capacity(capacity)),
            4 => Index::Wide(HashTable::with_capacity(capacity)),
            _ => Index::Huge(HashTable::with_capacity(capacity)),
        }
    }

    /// How many bytes one slot takes.
    pub(crate) fn slot_bytes(&self) -> usize {
        match self {
            Index::Narrow(_) => 2,
            Index::Wide(_) => 4,
            Index::Huge(_) => std::mem::size_of::<usize>(),
        }
    }

    /// Slots held.
    pub(crate) fn len(&self) -> usize {
        with_index!(self, table => table.len())
    }

    /// Slots it holds before it must grow (hashbrown's 7/8 of its buckets, less tombstones).
    pub(crate) fn capacity(&self) -> usize {
        with_index!(self, table => table.capacity())
    }

    /// Buckets, full or not (1 for an index that has not allocated).
    pub(crate) fn buckets(&self) -> usize {
        with_index!(self, table => table.num_buckets())
    }

    /// Bytes of heap the index occupies: buckets and control bytes.
    pub(crate) fn heap_bytes(&self) -> usize {
        with_index!(self, table => table.allocation_size())
    }

    /// The slot in bucket `bucket`, if that bucket is full.
    pub(crate) fn slot_in_bucket(&self, bucket: usize) -> Option<usize> {
        with_index!(self, table => table.get_bucket(bucket).map(|slot| slot.get()))
    }
}

/// The slot width, in bytes, for an entries array of `entries_capacity` entries.
pub(crate) fn slot_bytes_for(entries_capacity: usize) -> usize {
    if entries_capacity <= u16::MAX_ENTRIES {
        2
    } else if entries_capacity <= u32::MAX_ENTRIES {
        4
    } else {
        std::mem::size_of::<usize>()
    }
}

/// The 7 bits of `hash` that hashbrown keeps in a full bucket's control byte: its top bits
/// (for teaching: see `Dict::index_cells`).
pub(crate) fn control_tag(hash: u64) -> u8 {
    // hashbrown takes the top 7 of the hash's bits that it keeps: all 64 on a 64-bit target,
    // the low 32 on a 32-bit one.
    let kept_bits = usize::BITS.min(64);
    ((hash >> (kept_bits - 7)) & 0x7f) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_hold_every_slot_of_their_entries_array() {
        assert_eq!(slot_bytes_for(0), 2);
        assert_eq!(slot_bytes_for(65_536), 2);
        assert_eq!(slot_bytes_for(65_537), 4);
        assert_eq!(u16::new(65_535).get(), 65_535);
        assert_eq!(u32::MAX_ENTRIES, 1 << 32);
        assert_eq!(u32::new(u32::MAX as usize).get(), u32::MAX as usize);
        if usize::BITS == 64 {
            assert_eq!(slot_bytes_for(1 << 32), 4);
            assert_eq!(slot_bytes_for((1 << 32) + 1), 8);
        }
        assert_eq!(Index::with_capacity(10, 70_000).slot_bytes(), 4);
        assert_eq!(Index::with_capacity(10, 10).slot_bytes(), 2);
    }
}
