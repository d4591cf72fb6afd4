//! Finding a key: the probes behind every lookup, removal by key and entry.
//!
//! Each probe asks the index (hashbrown's `HashTable` of slots) for the buckets whose control
//! byte matches the hash sought, reads the entry each one names (without a bounds check or a
//! hole test: see [`live_entry`]), and asks the caller's closure whether its key is the one
//! sought: the infallible forms for `Eq` keys, the fallible ones for an interpreter's own
//! equality, which may fail and is shown only keys whose full stored hash matches (after the
//! interpreter's identity test, asked first where it gives one, as CPython's `lookdict`
//! does). (An `Eq` key is compared at once in an index of up to 65,536 entries, and after its
//! stored hash in a wider one: see [`compares_stored_hash`].)
//!
//! For keys that are plain words the probe of a 2-byte-slot index is inline and a wider one
//! out of line, so that a user's loop holds one probe loop, small enough to inline (see
//! [`Table::find`]).

use super::*;

impl<K, V> Table<K, V> {
    /// Finds the live entry whose stored hash is `hash` and whose key `is_key` accepts.
    ///
    /// For plain-word keys (see `is_plain_word`) this and the other lookups probe a
    /// 2-byte-slot index inline and a wider one out of line, so that a caller holds one
    /// probe loop, not three: small enough for the compiler to inline a lookup into a
    /// user's loop, as it inlines hashbrown's. Measured (plain caller, 1,000 `u64` keys,
    /// INTERNALS.md §7): 44 instructions a hit and 37 a miss, against 56 and 48 with all
    /// three widths inline, which kept `get` out of line; on the clock hits 20-30% faster.
    /// Past 65,536 entries the call is the price: the same probe called rather than inlined
    /// measured 1.3-1.5 x on the clock (INTERNALS.md, "The goals it does not meet"), as
    /// indexmap's lookup, never inlined, pays too. The out-of-line half takes the caller's `is_key` as it is:
    /// building the probe's closure before the call put enough set-up in the caller to keep
    /// it from being inlined.
    ///
    /// Other keys keep every width inline: hashing a string or comparing one is a call, so
    /// their lookup is never small enough to inline, and a second call for a wide index
    /// cost 30 instructions a hit (1,000,000 `String` keys: 154 against 124).
    #[inline]
    pub(crate) fn find(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<Found> {
        match &self.index {
            Index::Narrow(table) => probe_bucket(table, &self.entries, hash, &mut is_key),
            index if !is_plain_word::<K>() => {
                with_index!(index, table => probe_bucket(table, &self.entries, hash, &mut is_key))
            }
            _ => self.find_in_wide_index(hash, is_key),
        }
    }

    /// [`find`](Table::find) in a 4- or 8-byte-slot index, out of line.
    ///
    /// Each out-of-line half probes a 4-byte-slot index in place and leaves an 8-byte one
    /// (past 2^32 entries) to a cold call that serves any width. Probing both widths in place
    /// made the half test the width twice and hold more registers: callgrind, 100,000 u64
    /// keys, `get` from a caller's loop, 55.5 -> 52.5 instructions a hit, 50.1 -> 47.2 a miss.
    #[inline(never)]
    fn find_in_wide_index(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<Found> {
        match &self.index {
            Index::Wide(table) => probe_bucket(table, &self.entries, hash, &mut is_key),
            _ => self.find_in_any_index(hash, is_key),
        }
    }

    /// [`find`](Table::find) in an index of any width, out of line and cold.
    #[cold]
    #[inline(never)]
    fn find_in_any_index(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<Found> {
        with_index!(&self.index, table => probe_bucket(table, &self.entries, hash, &mut is_key))
    }

    /// [`find`](Table::find) with an equality that may fail, for keys the caller compares:
    /// asks, of each entry the probe meets, `is_same` (the caller's identity test, asked
    /// whatever the entry's stored hash; `|_| false` where there is none), then, if its stored
    /// hash is `hash`, `is_key`, which so never sees keys that merely share 7 bits of it (the
    /// caller's equality may have side effects). The first entry either accepts is found; the
    /// first error of `is_key` ends the probe and comes back unchanged. Changes nothing. This
    /// is CPython's `lookdict` order: identity, hash, `__eq__`.
    pub(crate) fn find_fallible<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<Found>, E> {
        let entries = &self.entries;
        let mut failure = None;
        let mut ends_here = |slot: usize| {
            ends_probe(
                live_entry(entries, slot),
                hash,
                &is_same,
                &mut is_key,
                &mut failure,
            )
        };
        let found = with_index!(&self.index, table => {
            table
                .find_bucket_index(hash.probe(), |slot| ends_here(slot.get()))
                .and_then(|bucket| Some(Found { bucket, slot: table.get_bucket(bucket)?.get() }))
        });
        match failure {
            Some(error) => Err(error),
            None => Ok(found),
        }
    }

    /// The slot of [`find_fallible`](Table::find_fallible)'s entry: for `find_with`. Inline
    /// for a 2-byte-slot index only, as [`find`](Table::find).
    #[inline]
    pub(crate) fn find_slot_fallible<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        match &self.index {
            Index::Narrow(table) => {
                probe_slot_fallible(table, &self.entries, hash, &is_same, &mut is_key)
            }
            index if !is_plain_word::<K>() => with_index!(index, table =>
                probe_slot_fallible(table, &self.entries, hash, &is_same, &mut is_key)),
            _ => self.find_slot_fallible_in_wide_index(hash, is_same, is_key),
        }
    }

    /// [`find_slot_fallible`](Table::find_slot_fallible) in a 4- or 8-byte-slot index, out of
    /// line (see [`find_in_wide_index`](Table::find_in_wide_index)).
    #[inline(never)]
    fn find_slot_fallible_in_wide_index<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        match &self.index {
            Index::Wide(table) => {
                probe_slot_fallible(table, &self.entries, hash, &is_same, &mut is_key)
            }
            _ => self.find_slot_fallible_in_any_index(hash, is_same, is_key),
        }
    }

    /// [`find_slot_fallible`](Table::find_slot_fallible) in an index of any width, out of line
    /// and cold.
    #[cold]
    #[inline(never)]
    fn find_slot_fallible_in_any_index<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        with_index!(&self.index, table =>
            probe_slot_fallible(table, &self.entries, hash, &is_same, &mut is_key))
    }

    /// The entry [`find_fallible`](Table::find_fallible) finds: for `get_with` and
    /// `get_with_identity`. Inline for a 2-byte-slot index only, as [`find`](Table::find);
    /// each half hands back what fits in two registers (with the slot as well, the
    /// out-of-line half's answer went through memory, and that set-up kept `get_with` from
    /// being inlined into a caller's loop).
    ///
    /// With an identity test, a key found by it costs what `get`'s probe costs for a
    /// plain-word key (no stored hash read). Past 65,536 entries the out-of-line half holds
    /// both closures and the error across the probe, and costs more than `get`'s. Tried there
    /// and not kept (callgrind, `examples/profile_plain vdict-get-with-identity`, u64 keys,
    /// instructions a hit at 16 / 100,000 keys; `get`: 37.6 / 52.5; this: 38.6 / 69.6): two
    /// passes, a first that asks `is_same` and compares hashes only, and a second, from the
    /// probe's start, only when the first stopped at another key of the hash sought. Inside
    /// the out-of-line half, the second pass's closures kept alive across the first made it
    /// push five registers (73.6); with the first pass a call of its own, 85.6; with the
    /// caller making the second call, 58.6, but that call put the lookup over LLVM's inline
    /// budget (cost 335 of 250 in the report's loops), so that the 2-byte-slot case was no
    /// longer inlined. A cold out-of-line call for `is_key` inside the one-pass probe: 81.6.
    #[inline]
    pub(crate) fn find_bucket_fallible<E>(
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
            _ => return self.find_bucket_fallible_in_wide_index(hash, is_same, is_key),
        };
        Ok(slot.map(|slot| live_entry(&self.entries, slot)))
    }

    /// [`find_bucket_fallible`](Table::find_bucket_fallible) in a 4- or 8-byte-slot index, out
    /// of line (see [`find_in_wide_index`](Table::find_in_wide_index)).
    #[inline(never)]
    fn find_bucket_fallible_in_wide_index<E>(
        &self,
        hash: SoughtHash,
        is_same: impl Fn(&K) -> bool,
        mut is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<&Bucket<K, V>>, E> {
        let slot = match &self.index {
            Index::Wide(table) => {
                probe_slot_fallible(table, &self.entries, hash, &is_same, &mut is_key)?
            }
            _ => self.find_slot_fallible_in_any_index(hash, is_same, is_key)?,
        };
        Ok(slot.map(|slot| live_entry(&self.entries, slot)))
    }

    /// The first live slot at or after `from` whose entry is stored under `hash`: the
    /// candidates of a step-by-step lookup, in slot order (which an in-place rehash of the
    /// index, unlike the order of its buckets, leaves alone). O(candidates): it looks at
    /// every slot the index holds under `hash`'s control byte.
    pub(crate) fn first_candidate_from(&self, hash: StoredHash, from: usize) -> Option<usize> {
        let entries = &self.entries;
        with_index!(&self.index, table => {
            table
                .iter_hash(hash.get())
                .map(|slot| slot.get())
                .filter(|&slot| slot >= from && live_entry(entries, slot).hash == hash)
                .min()
        })
    }

    /// [`find`](Table::find), saying [`Vacant`] rather than `None`: for the entry API, whose
    /// vacant entry inserts later.
    #[inline]
    pub(crate) fn find_or_vacant(
        &self,
        hash: SoughtHash,
        is_key: impl FnMut(&K) -> bool,
    ) -> Result<Found, Vacant> {
        self.find(hash, is_key).ok_or(Vacant)
    }

    /// Like [`find`](Table::find), but hands out the entry itself: what read-only lookups
    /// want.
    #[inline]
    pub(crate) fn find_bucket(
        &self,
        hash: SoughtHash,
        is_key: impl FnMut(&K) -> bool,
    ) -> Option<&Bucket<K, V>> {
        self.find_slot_and_bucket(hash, is_key)
            .map(|(_, bucket)| bucket)
    }

    /// Like [`find_bucket`](Table::find_bucket), with the entry's slot too (for the caches,
    /// which remember it): what `get` probes with. Inline for a 2-byte-slot index only, as
    /// [`find`](Table::find), for plain-word keys; for other keys inline for 2- and 4-byte
    /// slots, and out of line for an 8-byte-slot index (past 2^32 entries). With all three
    /// widths inline, as `find` has them, a `String` lookup kept one more compare of the
    /// index's width and more registers (callgrind, `examples/profile_plain vdict <hit|miss>
    /// <n> 30 String`, hit 115.4 -> 113.4 at 16 keys and 114.2 -> 112.2 at 1,000, miss 75.3
    /// -> 72.1 and 76.0 -> 73.1; at 100,000, a 4-byte-slot index, 120.3 -> 121.3 and 81.1
    /// -> 80.1).
    #[inline]
    pub(crate) fn find_slot_and_bucket(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<(usize, &Bucket<K, V>)> {
        let slot = match &self.index {
            Index::Narrow(table) => probe_slot(table, &self.entries, hash, &mut is_key)?,
            Index::Wide(table) if !is_plain_word::<K>() => {
                probe_slot(table, &self.entries, hash, &mut is_key)?
            }
            _ => return self.find_slot_and_bucket_in_wide_index(hash, is_key),
        };
        Some((slot, live_entry(&self.entries, slot)))
    }

    /// [`find_slot_and_bucket`](Table::find_slot_and_bucket) in a 4- or 8-byte-slot index,
    /// out of line (see [`find_in_wide_index`](Table::find_in_wide_index)).
    #[inline(never)]
    fn find_slot_and_bucket_in_wide_index(
        &self,
        hash: SoughtHash,
        mut is_key: impl FnMut(&K) -> bool,
    ) -> Option<(usize, &Bucket<K, V>)> {
        let slot = match &self.index {
            Index::Wide(table) => probe_slot(table, &self.entries, hash, &mut is_key)?,
            // Cold: through the fallible probe, whose answer comes back in registers (the
            // stored hash it compares first is the key's own whenever the keys are equal).
            _ => {
                let mut is_key = is_key;
                let found = self.find_slot_fallible_in_any_index(
                    hash,
                    |_| false,
                    |key| Ok::<_, std::convert::Infallible>(is_key(key)),
                );
                match found {
                    Ok(slot) => slot?,
                    Err(never) => match never {},
                }
            }
        };
        Some((slot, live_entry(&self.entries, slot)))
    }

    /// Where the live entry in `slot` is: its index bucket and its slot. Calls no user code.
    pub(crate) fn found_of_slot(&self, slot: usize) -> Found {
        let hash = hash_at(&self.entries, slot);
        let bucket = with_index!(&self.index, table => {
            table.find_bucket_index(hash, |stored| stored.get() == slot)
        })
        .unwrap_or_else(|| panic!("vdict: slot {slot} is missing from the index (corrupt table)"));
        Found { bucket, slot }
    }
}

/// The slot of the live entry whose key `is_key` accepts, probing `table` for `hash`.
#[inline(always)]
fn probe_slot<K, V, W: SlotWord>(
    table: &HashTable<W>,
    entries: &[EntrySlot<K, V>],
    hash: SoughtHash,
    is_key: &mut impl FnMut(&K) -> bool,
) -> Option<usize> {
    table
        .find(hash.probe(), |slot| {
            entry_is_key(entries, *slot, hash, is_key)
        })
        .map(|slot| slot.get())
}

/// [`probe_slot`] with the bucket that holds the slot.
#[inline(always)]
fn probe_bucket<K, V, W: SlotWord>(
    table: &HashTable<W>,
    entries: &[EntrySlot<K, V>],
    hash: SoughtHash,
    is_key: &mut impl FnMut(&K) -> bool,
) -> Option<Found> {
    // The slot is kept as the probe accepts it, rather than read back from the bucket (which
    // hashbrown bounds-checks and tests for a full control byte again).
    let mut found_slot = 0;
    let bucket = table.find_bucket_index(hash.probe(), |slot| {
        let accepted = entry_is_key(entries, *slot, hash, is_key);
        if accepted {
            found_slot = slot.get();
        }
        accepted
    })?;
    Some(Found {
        bucket,
        slot: found_slot,
    })
}

/// [`probe_slot`] with an equality that may fail: for each entry the probe meets, `is_same`
/// (the identity-first lookups' test, `|_| false` for the others), then, for an entry stored
/// under `hash` itself, `is_key`, whose first error ends the probe and comes back unchanged.
#[inline(always)]
fn probe_slot_fallible<K, V, W: SlotWord, E>(
    table: &HashTable<W>,
    entries: &[EntrySlot<K, V>],
    hash: SoughtHash,
    is_same: &impl Fn(&K) -> bool,
    is_key: &mut impl FnMut(&K) -> Result<bool, E>,
) -> Result<Option<usize>, E> {
    let mut failure = None;
    let slot = table.find(hash.probe(), |slot| {
        ends_probe(
            live_entry(entries, slot.get()),
            hash,
            is_same,
            is_key,
            &mut failure,
        )
    });
    match failure {
        Some(error) => Err(error),
        None => Ok(slot.map(|slot| slot.get())),
    }
}

/// Whether a caller-compared probe ends at `bucket`: `is_same` accepts its key, or its stored
/// hash is the one sought and `is_key` accepts the key or fails (the error then goes into
/// `failure`, for the caller to return).
#[inline(always)]
fn ends_probe<K, V, E>(
    bucket: &Bucket<K, V>,
    hash: SoughtHash,
    is_same: &impl Fn(&K) -> bool,
    is_key: &mut impl FnMut(&K) -> Result<bool, E>,
    failure: &mut Option<E>,
) -> bool {
    if is_same(&bucket.key) {
        return true;
    }
    if bucket.hash != hash.stored() {
        return false;
    }
    is_key(&bucket.key).unwrap_or_else(|error| {
        // Stop the probe here; the error is what the caller gets.
        *failure = Some(error);
        true
    })
}

/// Whether the entry in `slot` (which the index holds) is the key sought: its key accepted by
/// `is_key`, after its stored hash is compared with the one sought where that pays (see
/// [`compares_stored_hash`]).
#[inline(always)]
pub(super) fn entry_is_key<K, V, W: SlotWord>(
    entries: &[EntrySlot<K, V>],
    slot: W,
    hash: SoughtHash,
    is_key: &mut impl FnMut(&K) -> bool,
) -> bool {
    let bucket = live_entry(entries, slot.get());
    if !compares_stored_hash::<K, W>() {
        return is_key(&bucket.key);
    }
    if bucket.hash != hash.stored() {
        return false;
    }
    if is_key(&bucket.key) {
        return true;
    }
    // Equal hashes with unequal keys almost never happen, and saying so pays for the other
    // keys: a `String` or `&str` compares through a call to `memcmp`, and unless that call's
    // failure is marked rare the compiler keeps the probe's state safe across it by saving
    // registers at the start of *every* lookup, the misses that never make the call included.
    // (A hit still stores the probe's state before the call: 6 stores. Comparing the key after
    // the probe instead, the probe stopping at the first entry stored under the hash and an
    // out-of-line second probe for the rare unequal key, traded them for as many register
    // moves and a check of the bucket found: callgrind, 1,000 `String` keys, 118.0 -> 121.1
    // instructions a hit, 76.0 -> 80.3 a miss; the report's plain table, two alternating runs,
    // no better. Dropped, 2026-12-05.)
    equal_hashes_unequal_keys();
    false
}

/// Whether a lookup of a `K` key in an index of `W` slots compares an entry's stored hash
/// before its key, when the index's 7-bit tag has matched.
///
/// Not for plain-word keys (see `is_plain_word`): comparing two costs what comparing two hashes
/// costs. Not in a 2-byte-slot index either (at most 65,536 entries): there a tag matches a
/// wrong key about once in ten misses, and comparing that key (a length, then a `memcmp` for a
/// `String` of the same length) costs less than what the compare of hashes costs every
/// lookup: the stored form of the hash sought made before the probe, and a load, a compare and
/// a branch on the hit's path. Callgrind, `examples/profile_plain vdict <hit|miss> <n> 30
/// String`, hashes compared -> not: hit 120.4 -> 117.4 at 16 keys and 119.2 -> 116.2 at 1,000,
/// miss 76.9 -> 74.3 and 76.8 -> 75.2 (indexmap, whose lookups never compare hashes: hit
/// 122.4 and 121.0, miss 74.0 and 75.5). In a wider index the entries and the keys' own memory
/// no longer sit in the cache, and a wrong key's compare is a cache miss where its stored
/// hash, in the entry already read, is not: at 100,000 `String` keys, not comparing hashes
/// read misses 0.80-0.86 -> 0.95 x indexmap and 1.15-1.17 -> 1.21-1.29 x hashbrown in the
/// report's plain table (two alternating runs, 2026-12-07), so there the hashes are compared.
#[inline(always)]
const fn compares_stored_hash<K, W: SlotWord>() -> bool {
    !is_plain_word::<K>() && W::MAX_ENTRIES > u16::MAX as usize + 1
}

/// Called where a stored hash equals the one sought but the keys differ, to tell the compiler
/// that this path is rare (an out-of-line call to a `#[cold]` function is the way to say so
/// before Rust 1.95's `std::hint::cold_path`). See `entry_is_key`.
#[cold]
#[inline(never)]
fn equal_hashes_unequal_keys() {}
