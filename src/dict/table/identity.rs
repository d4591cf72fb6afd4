//! Lookups that ask the caller's identity test first, as CPython's `lookdict` does.
//!
//! For every entry its probe meets, CPython tests `ep->me_key == key` (the very object
//! sought) before it compares stored hashes and, only when those are equal, runs the key's
//! `__eq__`. An interpreter on vdict gets the same order from these lookups: the caller's
//! `is_same` (pointer identity: infallible, no user code) is asked about each stored key the
//! probe meets, whatever its stored hash; failing that, the stored hash is compared, and only
//! then is the caller's fallible `is_key` (the interpreter's `__eq__`) asked.
//!
//! A key looked up by the very object stored (an interned name, a small integer) is then
//! found by `is_same` alone, with no stored hash read: for a plain-word key, the same work as
//! `get`'s probe, which compares the key alone. The probe is `find_with`'s
//! (`lookup.rs`'s `probe_slot_fallible`, which asks `is_same` first, `|_| false` there), and so
//! is the shape: for plain-word keys the probe of a 2-byte-slot index is inline and a wider one
//! a call, so that a small caller's loop gets the lookup inlined, as it gets `get`.
//! `is_same` is an `Fn`: an identity test has no state, and the dict may ask it about one key
//! more than once.
//!
//! Tried and not kept (callgrind, `examples/profile_plain vdict-get-with-identity`, u64 keys,
//! instructions a hit at 16 / 100,000 keys; `get`: 37.6 / 52.5; this: 38.6 / 69.6): two passes
//! for a 4-byte-slot index, a first that asks `is_same` and compares hashes only, and a second,
//! from the probe's start, only when the first stopped at another key of the hash sought.
//! Inside the out-of-line half, the second pass's closures kept alive across the first made it
//! push five registers (73.6); with the first pass a call of its own, 85.6; with the caller
//! making the second call, 58.6, but that call put the lookup over LLVM's inline budget
//! (cost 335 of 250 in the report's loops), so that the 2-byte-slot case was no longer inlined.
//! A cold out-of-line call for `is_key` inside the one-pass probe: 81.6.

use super::lookup::probe_slot_fallible;
use super::*;

impl<K, V> Table<K, V> {
    /// The slot of the key sought: the first entry on the probe that `is_same` accepts
    /// (whatever its stored hash), or that is stored under `hash` and `is_key` accepts. The
    /// first error of `is_key` ends the lookup and comes back unchanged. Changes nothing.
    #[inline]
    pub(crate) fn find_slot_identity_first<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        let bucket = self.find_bucket_identity_first(hash, is_same, is_key)?;
        Ok(bucket.map(|bucket| self.slot_of_bucket(bucket)))
    }

    /// The entry [`find_slot_identity_first`](Table::find_slot_identity_first) finds: for
    /// `get_with_identity`. One pass, inline, in a 2-byte-slot index (and in any for keys
    /// that are not plain words); a call otherwise.
    #[inline]
    pub(crate) fn find_bucket_identity_first<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<&Bucket<K, V>>, E> {
        let slot = match &self.index {
            Index::Narrow(table) => {
                probe_slot_fallible(table, &self.entries, hash, &is_same, &mut is_key)?
            }
            index if !is_plain_word::<K>() => with_index!(index, table =>
                probe_slot_fallible(table, &self.entries, hash, &is_same, &mut is_key))?,
            _ => return self.find_bucket_identity_first_in_wide_index(hash, is_same, is_key),
        };
        Ok(slot.map(|slot| live_entry(&self.entries, slot)))
    }

    /// [`find_bucket_identity_first`](Table::find_bucket_identity_first) in a 4- or
    /// 8-byte-slot index, out of line (see [`find_in_wide_index`](Table::find_in_wide_index)).
    #[inline(never)]
    fn find_bucket_identity_first_in_wide_index<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<&Bucket<K, V>>, E> {
        let slot = match &self.index {
            Index::Wide(table) => {
                probe_slot_fallible(table, &self.entries, hash, &is_same, &mut is_key)?
            }
            _ => self.find_slot_identity_first_in_any_index(hash, is_same, is_key)?,
        };
        Ok(slot.map(|slot| live_entry(&self.entries, slot)))
    }

    /// [`find_slot_identity_first`](Table::find_slot_identity_first) in an 8-byte-slot index
    /// (past 2^32 entries), out of line and cold.
    #[cold]
    #[inline(never)]
    fn find_slot_identity_first_in_any_index<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        Ok(self
            .find_identity_first(hash, is_same, is_key)?
            .map(|found| found.slot))
    }

    /// The slot of `bucket`, a live entry of this table: its distance from the array's start
    /// in slots (an entry lies within its slot, wherever `Option` places it, so the division
    /// rounds down to the slot; a slot is never zero-sized: it holds a hash).
    fn slot_of_bucket(&self, bucket: &Bucket<K, V>) -> usize {
        let bytes = bucket as *const Bucket<K, V> as usize - self.entries.as_ptr() as usize;
        let slot = bytes / mem::size_of::<EntrySlot<K, V>>();
        debug_assert!(std::ptr::eq(live_entry(&self.entries, slot), bucket));
        slot
    }

    /// Where the key sought lives (its bucket and slot), asking, entry by entry along the
    /// probe, `is_same`, then (for an entry stored under `hash`) `is_key`: the lookup of
    /// `entry_with_identity`, and of the others past 2^32 entries. Changes nothing.
    pub(crate) fn find_identity_first<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<Found>, E> {
        let entries = &self.entries;
        let mut failure = None;
        let mut compare = |slot: usize| {
            let bucket = live_entry(entries, slot);
            if is_same(&bucket.key) {
                return true;
            }
            if bucket.hash != hash.stored() {
                return false;
            }
            is_key(&bucket.key).unwrap_or_else(|error| {
                // Stop the probe here; the error is what the caller gets.
                failure = Some(error);
                true
            })
        };
        let found = with_index!(&self.index, table => {
            table
                .find_bucket_index(hash.probe(), |slot| compare(slot.get()))
                .and_then(|bucket| Some(Found { bucket, slot: table.get_bucket(bucket)?.get() }))
        });
        match failure {
            Some(error) => Err(error),
            None => Ok(found),
        }
    }
}
