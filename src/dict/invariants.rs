//! `check_invariants`: a full, independent audit of the table, for tests and fuzzers.
//!
//! It re-derives every count from the arrays themselves rather than trusting the table's
//! bookkeeping, then checks each fact the lookup, insert and delete code relies on. It is
//! O(n) plus one index probe and one `Eq`-based lookup per key: far too slow for production
//! paths, cheap enough to run after every step of a model test.

use super::entries::StoredHash;
use super::index::slot_bytes_for;
use super::Dict;
use std::hash::{BuildHasher, Hash};

impl<K: Hash + Eq, V, S: BuildHasher> Dict<K, V, S> {
    /// Checks the whole table and returns the first broken invariant, described.
    ///
    /// What it proves: everything [`check_invariants_with`](Dict::check_invariants_with)
    /// proves, with the dict's own hasher; and that a lookup of each key by `Eq` finds its own
    /// entry and no other (so no key is stored twice).
    ///
    /// ```
    /// let mut d: vdict::Dict<u32, u32> = (0..100).map(|i| (i, i)).collect();
    /// d.retain(|k, _| k % 3 == 0);
    /// assert_eq!(d.check_invariants(), Ok(()));
    /// ```
    pub fn check_invariants(&self) -> Result<(), String> {
        self.check_invariants_with(|key| self.hash_builder.hash_one(key))?;
        for (slot, bucket) in self.table.entries().iter().enumerate() {
            let Some(bucket) = bucket else { continue };
            match self
                .table
                .find(bucket.hash.into(), |key| key == &bucket.key)
            {
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

impl<K, V, S> Dict<K, V, S> {
    /// [`check_invariants`](Dict::check_invariants) for a dict whose keys the caller hashes
    /// (see [`find_with`](Dict::find_with)): `hash_of` gives a key's hash, and keys are not
    /// compared (they need not be `Eq`).
    ///
    /// What it proves:
    /// - the index's slots are as wide as the entries array's capacity calls for (2, 4 or 8
    ///   bytes), and it holds exactly `len()` slots;
    /// - every slot the index holds is that of a live entry, and no slot is held twice;
    /// - the counts add up: the live entries number `len()`, the entries array is within its
    ///   capacity, and `capacity()` is at least `len()`;
    /// - the last entry, if any, is live, and so is every entry of the prefix that iteration
    ///   walks without testing for holes;
    /// - every live entry is found by a probe of its stored hash;
    /// - every stored hash is `hash_of` its key.
    pub fn check_invariants_with(&self, hash_of: impl Fn(&K) -> u64) -> Result<(), String> {
        let table = &self.table;
        let index = table.index();
        let entries = table.entries();

        if index.slot_bytes() != slot_bytes_for(table.entries_capacity()) {
            return Err(format!(
                "the index stores {}-byte slots, but an entries array of capacity {} calls for {}",
                index.slot_bytes(),
                table.entries_capacity(),
                slot_bytes_for(table.entries_capacity())
            ));
        }
        let live_entries = entries.iter().filter(|slot| slot.is_some()).count();
        if live_entries != table.len() {
            return Err(format!(
                "{live_entries} live entries, but len() is {}",
                table.len()
            ));
        }
        if index.len() != table.len() {
            return Err(format!(
                "the index holds {} slots, but len() is {}",
                index.len(),
                table.len()
            ));
        }
        if table.capacity() < table.len() {
            return Err(format!(
                "capacity() {} is below len() {}",
                table.capacity(),
                table.len()
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
        // Iteration steps over the gap that follows it without testing its slots.
        let gap = table.gap_after_live_prefix();
        if gap > entries.len() - live_prefix {
            return Err(format!(
                "the gap of {gap} holes after the live prefix of {live_prefix} slots runs past \
                 the {} slots",
                entries.len()
            ));
        }
        if let Some(live) = entries[live_prefix..live_prefix + gap]
            .iter()
            .position(Option::is_some)
        {
            return Err(format!(
                "slot {} is live, inside the gap of {gap} holes after the live prefix",
                live_prefix + live
            ));
        }

        // Positions past the first hole come from the rank structure and its flat table, if
        // they are kept.
        table
            .built_positions()
            .audit(entries, table.entries_capacity())?;

        // Every bucket: which slot it holds. Lookups read the entry of a held slot unchecked.
        let mut held = vec![false; entries.len()];
        for bucket in 0..index.buckets() {
            let Some(slot) = index.slot_in_bucket(bucket) else {
                continue;
            };
            if !matches!(entries.get(slot), Some(Some(_))) {
                return Err(format!(
                    "the index holds slot {slot} (bucket {bucket}), which is not a live entry"
                ));
            }
            if std::mem::replace(&mut held[slot], true) {
                return Err(format!("the index holds slot {slot} more than once"));
            }
        }

        // Every live entry: its hash and its place in the index.
        for (slot, bucket) in entries.iter().enumerate() {
            let Some(bucket) = bucket else { continue };
            let expected = StoredHash::new(hash_of(&bucket.key));
            if bucket.hash != expected {
                return Err(format!(
                    "slot {slot} stores hash {:#x}, but its key hashes to {:#x}",
                    bucket.hash.get(),
                    expected.get()
                ));
            }
            if !held[slot] {
                return Err(format!(
                    "slot {slot} is live but the index does not hold it"
                ));
            }
            let reached = table.first_candidate_from(bucket.hash, slot) == Some(slot);
            if !reached {
                return Err(format!(
                    "slot {slot} is not reached by a probe of its stored hash"
                ));
            }
        }
        Ok(())
    }
}
