//! `check_invariants`: a full, independent audit of the table, for tests and fuzzers.
//!
//! It re-derives every count from the arrays themselves rather than trusting the table's
//! bookkeeping, then checks each fact the lookup, insert and delete code relies on. It is
//! O(n) plus one probe walk and one `Eq`-based lookup per key: far too slow for production
//! paths, cheap enough to run after every step of a model test.

use super::entries::StoredHash;
use super::indices::{cell_bytes_for_size, DUMMY, EMPTY};
use super::probe::ProbeSeq;
use super::table::{usable_for_size, MIN_SIZE};
use super::Dict;
use std::hash::{BuildHasher, Hash};

impl<K: Hash + Eq, V, S: BuildHasher> Dict<K, V, S> {
    /// Checks the whole table and returns the first broken invariant, described.
    ///
    /// What it proves:
    /// - the index has 0 cells or a power of two of at least 8, at the cell width its size
    ///   calls for (1, 2, 4 or 8 bytes);
    /// - every cell is EMPTY, DUMMY, or the slot of a live entry, no two cells share a slot,
    ///   and the live cells number exactly `len()`;
    /// - the counts add up: live entries plus holes is the entries array's length; live cells
    ///   plus DUMMY cells, and the entries array, fit in what was inserted since the last
    ///   rebuild, so at least a third of the cells are EMPTY and every probe ends; the entries
    ///   array has room for `usable` entries without reallocating;
    /// - the last entry, if any, is live, and so is every entry of the prefix that iteration
    ///   walks without testing for holes;
    /// - every live entry is reached along its own probe sequence before any EMPTY cell, and
    ///   a lookup of its key by `Eq` finds this entry and no other (so no key is stored twice);
    /// - every stored hash is the dict's hash of its key.
    ///
    /// ```
    /// let mut d: vdict::Dict<u32, u32> = (0..100).map(|i| (i, i)).collect();
    /// d.retain(|k, _| k % 3 == 0);
    /// assert_eq!(d.check_invariants(), Ok(()));
    /// ```
    pub fn check_invariants(&self) -> Result<(), String> {
        let table = &self.table;
        let indices = table.indices();
        let entries = table.entries();
        let size = indices.size();

        if size != 0 && (!size.is_power_of_two() || size < MIN_SIZE) {
            return Err(format!(
                "index size {size} is not 0 or a power of two >= {MIN_SIZE}"
            ));
        }
        if size != 0 && indices.cell_bytes() != cell_bytes_for_size(size) {
            return Err(format!(
                "index of {size} cells uses {}-byte cells, expected {}",
                indices.cell_bytes(),
                cell_bytes_for_size(size)
            ));
        }
        if table.code() != indices.code() {
            return Err(format!(
                "the table decodes cells with {:?}, but its {size} cells of {} bytes call for {:?}",
                table.code(),
                indices.cell_bytes(),
                indices.code()
            ));
        }
        let usable = usable_for_size(size);
        if table.inserts_left() > usable {
            return Err(format!(
                "{} inserts left exceeds usable {usable}",
                table.inserts_left()
            ));
        }
        let inserted_since_rebuild = usable - table.inserts_left();
        // An insert writes the new entry's cell before it pushes the entry; that is sound only
        // because the push cannot reallocate (see `entry_if_key` in table.rs).
        if table.entries_capacity() < usable {
            return Err(format!(
                "the entries array has room for {} without reallocating, less than usable {usable}",
                table.entries_capacity()
            ));
        }

        let live_entries = entries.iter().filter(|slot| slot.is_some()).count();
        if live_entries != table.len() {
            return Err(format!(
                "{live_entries} live entries, but len() is {}",
                table.len()
            ));
        }
        if entries.len() > inserted_since_rebuild {
            return Err(format!(
                "{} entry slots, but only {inserted_since_rebuild} inserts since the last rebuild",
                entries.len()
            ));
        }
        if let Some(None) = entries.last() {
            return Err("the last entry is a hole".to_string());
        }
        // Iteration reads the slots of the live prefix without testing them (see iter.rs).
        let live_prefix = table.live_prefix();
        if live_prefix > entries.len() {
            return Err(format!(
                "the live prefix is {live_prefix} slots, but there are only {}",
                entries.len()
            ));
        }
        if let Some(hole) = entries[..live_prefix].iter().position(Option::is_none) {
            return Err(format!(
                "slot {hole} is a hole, inside the live prefix of {live_prefix} slots"
            ));
        }

        // Every cell: what it holds, and which slots are pointed at.
        let mut pointed_at = vec![false; entries.len()];
        let (mut live_cells, mut dummy_cells) = (0usize, 0usize);
        let code = indices.code();
        for cell in 0..size {
            match indices.get(cell) {
                EMPTY => {}
                DUMMY => dummy_cells += 1,
                value if value >= 0 => {
                    let slot = code.slot(value);
                    let Some(Some(bucket)) = entries.get(slot) else {
                        return Err(format!(
                            "cell {cell} points at slot {slot}, which is not a live entry"
                        ));
                    };
                    if code.tag_of(value) != code.tag(bucket.hash.get()) {
                        return Err(format!(
                            "cell {cell} holds tag {:#x} for slot {slot}, whose hash's tag is {:#x}",
                            code.tag_of(value),
                            code.tag(bucket.hash.get())
                        ));
                    }
                    if std::mem::replace(&mut pointed_at[slot], true) {
                        return Err(format!("slot {slot} is pointed at by more than one cell"));
                    }
                    live_cells += 1;
                }
                other => return Err(format!("cell {cell} holds the invalid value {other}")),
            }
        }
        if live_cells != table.len() {
            return Err(format!(
                "{live_cells} cells point at entries, but len() is {}",
                table.len()
            ));
        }
        if live_cells + dummy_cells > inserted_since_rebuild {
            return Err(format!(
                "{live_cells} live + {dummy_cells} DUMMY cells exceed the {inserted_since_rebuild} inserts since the last rebuild"
            ));
        }
        if size != 0 && live_cells + dummy_cells >= size {
            return Err("no EMPTY cell is left: a missing key's probe would never end".to_string());
        }

        // Every live entry: its hash, its probe path, and the uniqueness of its key.
        for (slot, bucket) in entries.iter().enumerate() {
            let Some(bucket) = bucket else { continue };
            let expected = StoredHash::new(self.hash_builder.hash_one(&bucket.key));
            if bucket.hash != expected {
                return Err(format!(
                    "slot {slot} stores hash {:#x}, but its key hashes to {:#x}",
                    bucket.hash.get(),
                    expected.get()
                ));
            }
            let mut probe = ProbeSeq::new(bucket.hash.get(), size - 1);
            for step in 0.. {
                let value = indices.get(probe.cell());
                if value >= 0 && code.slot(value) == slot {
                    break;
                }
                if value == EMPTY || step > size + 64 {
                    return Err(format!(
                        "slot {slot} is not reachable along its probe sequence"
                    ));
                }
                probe.advance();
            }
            match table.find(bucket.hash, |key| key == &bucket.key) {
                Some(found) if found.slot == slot => {}
                Some(found) => {
                    return Err(format!(
                        "the key in slot {slot} is also stored in slot {}",
                        found.slot
                    ));
                }
                None => return Err(format!("the key in slot {slot} cannot be found by lookup")),
            }
        }
        Ok(())
    }
}
