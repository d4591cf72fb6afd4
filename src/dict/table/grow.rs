//! Adding entries and making room: insert, the entries array's growth, and the index's width.
//!
//! An insert probes once (hashbrown's `entry`): a present key is reported back, an absent one
//! appended to the entries array and its slot put in the index. A full array first squeezes
//! out its holes, if they are an eighth of it, or grows by a quarter, lined up with the index
//! so that one rebuild both widens its slots and doubles it ([`Table::entries_growth`]).

use super::lookup::entry_is_key;
use super::*;

impl<K, V> Table<K, V> {
    /// Finds `key` (whose hash is `hash`), or appends it with `value`. `Eq` (user code)
    /// runs before anything changes that a caller could see: the index may have grown (its
    /// slots unmoved), nothing else.
    ///
    /// One probe, hashbrown's `entry`, serves both outcomes. When the key is absent and the
    /// entries array is full, the vacant entry is let go unused and the key goes in through
    /// [`push_vacant`](Table::push_vacant), which makes room first (a squeeze moves slots, so
    /// it cannot happen while the probe's result is held). Testing for a full array before the
    /// probe instead sent every overwrite of a full dict (a 16-key dict built by inserts has
    /// a full array) down a slower path: callgrind, u64 keys, overwrite 140.7 -> 93.8
    /// instructions at 16 keys, 97.1 -> 91.1 at 1,000.
    ///
    /// The stored form of the hash is made only on the way to appending (it probes as the
    /// hash itself does): an overwrite does not pay for it (callgrind, u64 keys, 1,000:
    /// 84.1 -> 82.1 instructions an overwrite).
    #[inline]
    pub(crate) fn insert(&mut self, hash: SoughtHash, key: K, value: V) -> Inserted<K, V>
    where
        K: Eq,
    {
        let Table {
            index,
            entries,
            used,
            positions,
            ..
        } = self;
        with_index!(index, table => {
            let entry = table.entry(
                hash.probe(),
                |slot| entry_is_key(entries, *slot, hash, &mut |stored: &K| *stored == key),
                |slot| hash_at(entries, slot.get()),
            );
            match entry {
                hash_table::Entry::Occupied(occupied) => {
                    return Inserted::Present { slot: occupied.get().get(), key, value };
                }
                // Whether the array has room is read here, after the probe, and the entry is
                // pushed before its slot goes in the index: read before the probe, the two
                // words were kept live across the probe loop and spilled, and a push after
                // the index's write tested the capacity again (callgrind, u64 keys, 1,000:
                // 126.4 -> 117.5 instructions a reserved insert).
                hash_table::Entry::Vacant(vacant) if entries.len() < entries.capacity() => {
                    // The slot fits the index's width: the width is chosen for the entries
                    // array's capacity, and the array has room.
                    let slot = append_entry(entries, used, positions, hash.stored(), key, value);
                    vacant.insert(SlotWord::new(slot));
                    return Inserted::Added;
                }
                hash_table::Entry::Vacant(_) => {}
            }
        });
        self.push_vacant(Vacant, hash.stored(), key, value);
        Inserted::Added
    }

    /// The entry in `slot`, which [`insert`](Table::insert) has just reported
    /// [`Present`](Inserted::Present), read without a bounds check or a hole test, as a
    /// lookup reads the entries the index names. Callgrind, `examples/profile_api vdict
    /// <operation> 1000`, `insert_full` of a present key (`insert_full_hit`) 96.2 -> 91.2
    /// instructions (indexmap 80.2), of an absent one (`insert_full_new`) 212.1 -> 214.2
    /// (225.1).
    ///
    /// # Safety
    ///
    /// `slot` is the slot of an `Inserted::Present` this table returned, and the table has
    /// not changed since (it was read from the index, which holds only live slots: see
    /// [`live_entry`]).
    #[inline]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn present_bucket_mut(&mut self, slot: usize) -> &mut Bucket<K, V> {
        live_entry_mut(&mut self.entries, slot)
    }

    /// Appends an entry for a key that a probe found absent, the table unchanged since, and
    /// puts its slot in the index; makes room first if the entries array is full (which may
    /// squeeze out holes, moving slots). Returns the new entry's slot.
    pub(crate) fn push_vacant(
        &mut self,
        _vacant: Vacant,
        hash: StoredHash,
        key: K,
        value: V,
    ) -> usize {
        if self.entries.len() == self.entries.capacity() {
            self.make_room();
        }
        let slot = self.entries.len();
        let Table { index, entries, .. } = self;
        with_index!(index, table => {
            table.insert_unique(hash.get(), SlotWord::new(slot), |slot| hash_at(entries, slot.get()));
        });
        append_entry(
            &mut self.entries,
            &mut self.used,
            &mut self.positions,
            hash,
            key,
            value,
        );
        slot
    }

    /// Makes room for one more entry in a full entries array: squeezes out the holes if they
    /// are at least an eighth of it (so the next squeeze is at least that many appends
    /// away), else grows it (by [`entries_growth`](Table::entries_growth)), widening the
    /// index's slots if the new capacity calls for it. Slots move only in the first case,
    /// and the answer says whether they did.
    ///
    /// A squeeze that leaves room for fewer appends than half the live entries grows the
    /// array too. Without that, a queue (insert at the back, remove the oldest) of 1,000 keys
    /// filled its array every 294 steps and paid a squeeze of the whole dict each time, 143
    /// instructions a step amortised of its 401 (callgrind, u64 keys); growing once, it
    /// squeezes every 616 steps. What it costs: its entries array holds up to about twice
    /// its live entries, where it held 1.3 times; its heap peaks at 1.45-1.8 × a
    /// fresh dict's of the same keys built by inserts (100 to 50,000 u64 keys,
    /// `tests/queue_memory.rs`, which holds it under 2).
    pub(super) fn make_room(&mut self) -> bool {
        let len = self.entries.len();
        let holes = len - self.used;
        let squeezed = holes > 0 && holes * 8 >= len;
        if squeezed {
            self.squeeze();
            // The squeeze left room for `holes` appends. If that is fewer than half the live
            // entries, grow as well, so that a dict whose removals keep pace with its inserts
            // (a queue, a cache that evicts) squeezes at most once per that many appends.
            if holes * 2 >= self.used {
                return true;
            }
        }
        self.entries
            .reserve_exact(self.entries_growth(len) - self.entries.len());
        self.fit_index_width();
        // Holes kept in an array that may now be too big to scan for positions.
        self.positions_follow_holes();
        squeezed
    }

    /// The capacity a full entries array of `len` entries grows to: a quarter more
    /// ([`grown_capacity`]), except when the index would fill up within that quarter and the
    /// growth after it would need wider slots. Then it grows only to one short of what the
    /// index holds, so that the next growth rebuilds the index at the new width and the new
    /// size at once, before hashbrown grows it (an insert's probe, which comes before the
    /// entries array is asked for room, grows a full index).
    ///
    /// Without that, a dict growing past 57,344 entries rebuilt its index twice within 33
    /// inserts: hashbrown doubled the 2-byte-slot index when it was full, at 57,344 entries,
    /// and the entries array, full at 57,377, grew past the 65,536 entries 2-byte slots can
    /// name, which rebuilt the index with 4-byte slots (callgrind, `examples/profile vdict
    /// insert_grow u64 100000`: 199.1 instructions an insert, about 21 of them that second
    /// rebuild).
    fn entries_growth(&self, len: usize) -> usize {
        let grown = grown_capacity(len);
        if grown_capacity(grown) <= u16::MAX_ENTRIES {
            // The next two growths keep 2-byte slots: nothing to line up. Every small dict
            // leaves here on one compare with a constant; asking the index its width instead
            // (which would cover the 4-to-8-byte limit too, 2^32 entries away) cost a
            // growing insert at 16 u64 keys 7 instructions, 321.5 -> 328.4.
            return grown;
        }
        let last_before_index_grows = self.index.capacity().saturating_sub(1);
        let index_fills_first = len < last_before_index_grows && last_before_index_grows < grown;
        if index_fills_first
            && slot_bytes_for(grown_capacity(last_before_index_grows)) > self.index.slot_bytes()
        {
            last_before_index_grows
        } else {
            grown
        }
    }

    /// Rebuilds the index at the slot width the entries array's capacity calls for, if it is
    /// not at that width already (slots unmoved). The new index is sized for the whole
    /// entries array, which bounds the slots it can hold: sized for the slots it held, it was
    /// often full, and hashbrown rebuilt it again at the next insert to grow it.
    fn fit_index_width(&mut self) {
        if slot_bytes_for(self.entries.capacity()) != self.index.slot_bytes() {
            self.index = Index::with_capacity(
                self.index.capacity().max(self.entries.capacity()),
                self.entries.capacity(),
            );
            self.reindex();
        }
    }

    /// Empties the index and puts every live entry's slot back in, from the stored hashes.
    /// Calls no user code; the index has room for them all, so it does not allocate.
    pub(super) fn reindex(&mut self) {
        let Table { index, entries, .. } = self;
        with_index!(index, table => {
            table.clear();
            for (slot, bucket) in entries.iter().enumerate() {
                if let Some(bucket) = bucket {
                    table.insert_unique(bucket.hash.get(), SlotWord::new(slot), |slot| {
                        hash_at(entries, slot.get())
                    });
                }
            }
        });
    }

    /// Makes sure `additional` more inserts fit without allocating. Returns whether slots moved
    /// (holes are squeezed out when the entries array lacks room).
    pub(crate) fn reserve(&mut self, additional: usize) -> bool {
        let mut squeezed = false;
        if self.entries.capacity() - self.entries.len() < additional {
            if self.has_holes() {
                self.squeeze();
                squeezed = true;
            }
            self.entries.reserve_exact(additional);
            self.fit_index_width();
        }
        let Table { index, entries, .. } = self;
        with_index!(index, table => table.reserve(additional, |slot| hash_at(entries, slot.get())));
        squeezed
    }

    /// [`reserve`](Table::reserve) that reports a failed allocation instead of aborting.
    /// `exact` asks the entries array for exactly `additional` more (else it may take more,
    /// as `Vec::try_reserve` does). Returns whether slots moved (true even on failure, if the
    /// holes were squeezed out first) and the outcome. The squeeze's renumbering table, one
    /// slot-width word per entry past the live prefix, is still allocated the ordinary way.
    pub(crate) fn try_reserve(
        &mut self,
        additional: usize,
        exact: bool,
    ) -> (bool, Result<(), TryReserveError>) {
        let mut squeezed = false;
        if self.entries.capacity() - self.entries.len() < additional {
            if self.has_holes() {
                self.squeeze();
                squeezed = true;
            }
            let grown = if exact {
                self.entries.try_reserve_exact(additional)
            } else {
                self.entries.try_reserve(additional)
            };
            if let Err(error) = grown.map_err(TryReserveError::entries) {
                return (squeezed, Err(error));
            }
            if slot_bytes_for(self.entries.capacity()) != self.index.slot_bytes() {
                // An empty index of the new width allocates nothing until asked.
                let mut wider = Index::with_capacity(0, self.entries.capacity());
                let room = self.index.capacity().max(self.used);
                let made = with_index!(&mut wider, table => table.try_reserve(room, |_| 0));
                if let Err(error) = made.map_err(TryReserveError::index) {
                    return (squeezed, Err(error));
                }
                self.index = wider;
                self.reindex();
            }
        }
        let Table { index, entries, .. } = self;
        let made = with_index!(index, table =>
            table.try_reserve(additional, |slot| hash_at(entries, slot.get())));
        (squeezed, made.map_err(TryReserveError::index))
    }

    /// Shrinks the entries array and the index toward `min_capacity` (never below what the
    /// live entries need), squeezing out the holes first. Returns whether slots moved.
    pub(crate) fn shrink_to(&mut self, min_capacity: usize) -> bool {
        if min_capacity == 0 {
            return self.shrink_to_fit();
        }
        let squeezed = self.has_holes();
        if squeezed {
            self.squeeze();
        }
        self.entries.shrink_to(min_capacity);
        if slot_bytes_for(self.entries.capacity()) != self.index.slot_bytes() {
            self.index = Index::with_capacity(min_capacity.max(self.used), self.entries.capacity());
            self.reindex();
        } else {
            let keep = min_capacity.max(self.used);
            let Table { index, entries, .. } = self;
            with_index!(index, table => table.shrink_to(keep, |slot| hash_at(entries, slot.get())));
        }
        squeezed
    }

    /// Gives back what memory it can: drops every hole, then shrinks the entries array to its
    /// length and the index to the smallest that holds it (at the narrowest width that fits).
    /// An empty table gives back everything. Returns whether slots moved.
    pub(crate) fn shrink_to_fit(&mut self) -> bool {
        if self.used == 0 {
            let had_entries = !self.entries.is_empty();
            *self = Table::new();
            return had_entries;
        }
        let squeezed = self.has_holes();
        if squeezed {
            self.squeeze();
        }
        self.entries.shrink_to_fit();
        if slot_bytes_for(self.entries.capacity()) != self.index.slot_bytes() {
            self.index = Index::with_capacity(self.used, self.entries.capacity());
            self.reindex();
        } else {
            let Table { index, entries, .. } = self;
            with_index!(index, table => table.shrink_to_fit(|slot| hash_at(entries, slot.get())));
        }
        squeezed
    }
}

/// Appends an entry to an entries array that has room, counting it live; returns its slot,
/// which the caller puts in the index (before or after: nothing here can fail). A function of
/// the table's fields rather than a method, so that [`Table::insert`] can call it while the
/// index is still borrowed by its probe's vacant entry.
#[inline(always)]
fn append_entry<K, V>(
    entries: &mut Vec<EntrySlot<K, V>>,
    used: &mut usize,
    positions: &mut Positions,
    hash: StoredHash,
    key: K,
    value: V,
) -> usize {
    debug_assert!(entries.len() < entries.capacity());
    let slot = entries.len();
    entries.push(Some(Bucket { hash, key, value }));
    *used += 1;
    positions.mark_live(slot);
    slot
}
