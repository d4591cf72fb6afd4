//! The `dict_ops` target: a sequence of `Dict` operations run on a `Dict` and on an
//! `indexmap::IndexMap` (the model, with order-keeping `shift_remove`), compared after every
//! step, together with `check_invariants()` and the version rules (each tag changes exactly
//! when the rules say, versions only grow on one thread and are never reused, and an unchanged
//! keys version means no key moved slot).
//!
//! Keys come from a small space ([`KEY_SPACE`] values) so that overwrites, holes, tombstone reuse,
//! rebuilds and compactions happen all the time; the input also picks the hasher, among them
//! ones with a single hash value or a few, so lookups wade through full-hash collisions.
//!
//! Every input runs twice, once per [`Key`] type: `u8` keys, and `String` keys (identifiers
//! of a few lengths) made from the same small numbers. The two take different paths through
//! the dict: a `u8` is a plain word, whose lookups compare keys only and whose holes are told
//! apart by the stored hash; a `String` owns heap memory: its lookups compare keys at once in
//! the 2-byte-slot index the fuzzed dicts have (stored hashes first only past 65,536 entries,
//! which the table's unit tests cover), its caller-compared lookups compare stored hashes
//! first (and, with the colliding hashers, reach the "equal hashes, unequal keys" path), a
//! hole among its entries is marked by the spare value the compiler picks in the
//! `String` (its capacity's) rather than in the stored hash, and every removal, overwrite,
//! `clear`, `drain` and `retain` drops one (which AddressSanitizer, running the corpus replay,
//! checks for leaks and double frees).

use super::caller::failing_at;
use super::hashers::{FewHashes, OneHash};
use arbitrary::{Arbitrary, Unstructured};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::hash::{BuildHasher, Hash};
use vdict::{Dict, Entry, Version};

/// Keys are made from the numbers `0..KEY_SPACE`.
pub const KEY_SPACE: u8 = 24;

/// A key type the operations run with, made from a number below [`KEY_SPACE`].
pub trait Key: Clone + Eq + Ord + Hash + Debug {
    /// The key numbered `n`; distinct numbers give distinct keys.
    fn from_number(n: u8) -> Self;
    /// The number this key was made from.
    fn number(&self) -> u8;
}

impl Key for u8 {
    fn from_number(n: u8) -> u8 {
        n
    }
    fn number(&self) -> u8 {
        *self
    }
}

/// Names such as `v0`, `vvvv3`, `vv11`: one to five `v`s, then the number, so that names of
/// different lengths and names sharing a prefix meet in one probe chain.
impl Key for String {
    fn from_number(n: u8) -> String {
        format!("{}{n}", "v".repeat(1 + usize::from(n % 5)))
    }
    fn number(&self) -> u8 {
        self.trim_start_matches('v')
            .parse()
            .expect("a key made by from_number")
    }
}

/// One fuzz input: the hasher, then the operations.
#[derive(Debug, Clone, Arbitrary)]
pub struct Input {
    pub hasher: HasherChoice,
    pub ops: Vec<Op>,
}

/// Which hasher the dict is built with.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum HasherChoice {
    /// The crate's default (randomly seeded foldhash).
    Default,
    /// Every key hashes alike: one probe chain holds everything.
    OneHash,
    /// `1 + n % 8` distinct hashes.
    FewHashes(u8),
}

/// Runs `input` with each key type, panicking on the first disagreement.
pub fn check(input: &Input) {
    match input.hasher {
        HasherChoice::Default => {
            run_with_each_key_type(&input.ops, vdict::DefaultHashBuilder::default())
        }
        HasherChoice::OneHash => run_with_each_key_type(&input.ops, OneHash),
        HasherChoice::FewHashes(n) => run_with_each_key_type(
            &input.ops,
            FewHashes {
                buckets: 1 + u64::from(n % 8),
            },
        ),
    }
}

/// Runs `ops` with `u8` keys, then with `String` keys (see the module comment for why both).
pub fn run_with_each_key_type<S: BuildHasher + Clone>(ops: &[Op], hasher: S) {
    run::<u8, S>(ops, hasher.clone());
    run::<String, S>(ops, hasher);
}

fn small_key(u: &mut Unstructured) -> arbitrary::Result<u8> {
    u.int_in_range(0..=KEY_SPACE - 1)
}

fn small_pairs(u: &mut Unstructured) -> arbitrary::Result<Vec<(u8, u32)>> {
    let len = u.int_in_range(0..=16)?;
    (0..len)
        .map(|_| Ok((small_key(u)?, u32::arbitrary(u)?)))
        .collect()
}

/// One operation; its doc says what it does when the name does not.
#[derive(Debug, Clone, Arbitrary)]
pub enum Op {
    Insert(#[arbitrary(with = small_key)] u8, u32),
    InsertWithHash(#[arbitrary(with = small_key)] u8, u32),
    Remove(#[arbitrary(with = small_key)] u8),
    RemoveWithHash(#[arbitrary(with = small_key)] u8),
    RemoveEntry(#[arbitrary(with = small_key)] u8),
    PopLast,
    Clear,
    /// Keep the keys whose bit is set in the mask.
    Retain(u32),
    /// Keep the keys whose bit is set, adding 1 to the values kept.
    RetainMut(u32),
    EntryOrInsert(#[arbitrary(with = small_key)] u8, u32),
    EntryAndModify(#[arbitrary(with = small_key)] u8),
    EntryRemove(#[arbitrary(with = small_key)] u8),
    EntryInsert(#[arbitrary(with = small_key)] u8, u32),
    GetMut(#[arbitrary(with = small_key)] u8, u32),
    ValuesMutAdd(u32),
    Extend(#[arbitrary(with = small_pairs)] Vec<(u8, u32)>),
    ShrinkToFit,
    Reserve(u8),
    Clone,
    /// Drain, consuming only this many entries before dropping the iterator.
    Drain(u8),
    Get(#[arbitrary(with = small_key)] u8),
    /// `first()` and `last()`.
    FirstLast,
    /// Overwrite through `slot_mut(slot)` (a slot past the end or a hole is `None`).
    SlotMut(u8, u32),
    /// Add to every value through `iter_mut()`.
    IterMutAdd(u32),
    /// `get_mut_with_hash`.
    GetMutWithHash(#[arbitrary(with = small_key)] u8, u32),
    /// `find_with` / `get_with`, the caller's equality failing at its `fail_at`-th call (from
    /// 1; 0 never).
    FindWith(#[arbitrary(with = small_key)] u8, u8),
    /// `entry_with`, failing as above; inserts or overwrites with the value when it succeeds.
    EntryWith(#[arbitrary(with = small_key)] u8, u32, u8),
    /// `find_with_identity` / `get_with_identity`: `is_same` accepts the key sought itself
    /// when the `bool` says so (as a stored object is its own key) and nothing otherwise; the
    /// equality fails as above, and may be asked only about keys stored under the hash sought.
    FindWithIdentity(#[arbitrary(with = small_key)] u8, bool, u8),
    /// `entry_with_identity`, as `EntryWith` with `is_same` as in `FindWithIdentity`.
    EntryWithIdentity(#[arbitrary(with = small_key)] u8, u32, bool, u8),
    /// A step-by-step lookup whose `mutate_at`-th compare first changes the dict (see
    /// [`Mutation`]); it must end on the answer of the dict as it is afterwards.
    ProbeMutating(#[arbitrary(with = small_key)] u8, u8, Mutation),
    /// `insert_unique` of the key if it is absent.
    InsertUnique(#[arbitrary(with = small_key)] u8, u32),
    /// `remove_at(slot)` (a hole or past the end is `None`).
    RemoveAt(u8),
    /// `replace_at(slot, value)`.
    ReplaceAt(u8, u32),
    /// Iterate with a `slot_cursor`, inserting the key (new or not) after `at` steps.
    CursorInsert(u8, #[arbitrary(with = small_key)] u8),
    // Positions (indexmap's indices). A position `p` is taken modulo `len + 2`, so that some
    // are out of bounds; operations that panic out of bounds are then skipped.
    /// `get_index(p)`, `get_index_of(k)`, `get_full(k)`, `Index<usize>` and `Entry::index`.
    GetIndex(u8, #[arbitrary(with = small_key)] u8),
    /// `get_index_mut(p)`, writing the value.
    GetIndexMut(u8, u32),
    SwapRemoveIndex(u8),
    ShiftRemoveIndex(u8),
    SwapRemove(#[arbitrary(with = small_key)] u8),
    SwapIndices(u8, u8),
    MoveIndex(u8, u8),
    ShiftInsert(u8, #[arbitrary(with = small_key)] u8, u32),
    InsertBefore(u8, #[arbitrary(with = small_key)] u8, u32),
    InsertFull(#[arbitrary(with = small_key)] u8, u32),
    Truncate(u8),
    /// `drain(start..end)`, consuming only this many entries before dropping the iterator.
    DrainRange(u8, u8, u8),
    SplitOff(u8),
    SortKeys,
    /// `sort_by` on the values (stably, so equal values keep their order).
    SortByValue,
    Reverse,
    ReplaceIndex(u8, #[arbitrary(with = small_key)] u8),
    /// `extract_if(start..end, keys in the mask)`, consuming only this many before dropping
    /// the iterator (the rest stay).
    ExtractIf(u8, u8, u32, u8),
    /// `splice(start..end, pairs)`.
    Splice(u8, u8, #[arbitrary(with = small_pairs)] Vec<(u8, u32)>),
    /// `entry(k).insert_entry(v)`, checking the entry it hands back.
    InsertEntry(#[arbitrary(with = small_key)] u8, u32),
    /// `OccupiedEntry::move_index(p)` of a present key.
    EntryMoveIndex(#[arbitrary(with = small_key)] u8, u8),
    /// `OccupiedEntry::swap_indices(p)` of a present key.
    EntrySwapIndices(#[arbitrary(with = small_key)] u8, u8),
    /// `VacantEntry::shift_insert(p, v)` of an absent key.
    VacantShiftInsert(#[arbitrary(with = small_key)] u8, u8, u32),
    /// `try_reserve(n)` then `shrink_to(m)`.
    ReserveShrink(u8, u8),
    /// `get_range(start..end)` (some out of bounds or backwards), read every way a `Slice`
    /// can be, then split at `mid`.
    Slice(u8, u8, u8),
    /// `get_range_mut(start..end)`, split at `mid`: adds `add` to every value of the head
    /// (`values_mut`) and twice to the tail (`iter_mut`, then its first and last by
    /// `split_first_mut` and `split_last_mut`).
    SliceMut(u8, u8, u8, u32),
    /// Up to 31 steps of a queue that rotates: the oldest entry is removed by key and
    /// inserted again, at the back. Its holes gather at the front, where a squeeze closes
    /// them up by moving the rest down at once, and where positions past them are their
    /// slots less the gap.
    Rotate(u8),
    /// The raw entry API: `raw_entry_v1().from_hash_full` checked against `get_full`, then
    /// `raw_entry_mut_v1().from_key`, whose entry does what `action` says (occupied: insert,
    /// remove, swap_remove, move_index(p), and_modify, swap_indices(p); vacant: insert or
    /// shift_insert(p)).
    RawEntry(#[arbitrary(with = small_key)] u8, u8, u8, u32),
}

/// What a compare of [`Op::ProbeMutating`] does to the dict before answering.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Mutation {
    Insert(#[arbitrary(with = small_key)] u8, u32),
    Remove(#[arbitrary(with = small_key)] u8),
    Clear,
}

/// What the version rules say an operation does to the two tags.
pub struct Expected {
    pub version_changes: bool,
    /// `None`: the rules allow either (a rebuild may or may not have happened).
    pub keys_version_changes: Option<bool>,
}

fn expect(version_changes: bool, keys_version_changes: bool) -> Expected {
    Expected {
        version_changes,
        keys_version_changes: Some(keys_version_changes),
    }
}

/// Finishes `entry_with` (or its identity form) of `k`: overwrites or inserts `v` in the dict
/// and the model alike, unless the lookup failed.
fn settle_entry<K: Key>(
    entry: Result<vdict::dict::EntryWith<'_, K, u32>, u8>,
    k: K,
    v: u32,
    model: &mut IndexMap<K, u32>,
) -> Expected {
    match entry {
        Err(_) => expect(false, false),
        Ok(vdict::dict::EntryWith::Occupied(mut entry)) => {
            assert_eq!(entry.key(), &k);
            assert_eq!(Some(entry.insert(v)), model.insert(k, v));
            expect(true, false)
        }
        Ok(vdict::dict::EntryWith::Vacant(entry)) => {
            assert_eq!(model.insert(k.clone(), v), None);
            entry.insert(k, v);
            expect(true, true)
        }
    }
}

/// A position from the input: below `len + 2`, so that some are out of bounds.
fn position(p: u8, len: usize) -> usize {
    usize::from(p) % (len + 2)
}

fn keep(mask: u32, key: u8) -> bool {
    mask & (1 << (key % 32)) != 0
}

/// Applies `op` to both maps, checks what it returned, and says what the tags must do.
pub fn apply<K: Key, S: BuildHasher + Clone>(
    op: &Op,
    dict: &mut Dict<K, u32, S>,
    model: &mut IndexMap<K, u32>,
) -> Expected {
    let was_empty = model.is_empty();
    let key = K::from_number;
    match *op {
        Op::Insert(k, v) => {
            let k = key(k);
            let is_new = !model.contains_key(&k);
            assert_eq!(dict.insert(k.clone(), v), model.insert(k, v));
            expect(true, is_new)
        }
        Op::InsertWithHash(k, v) => {
            let k = key(k);
            let is_new = !model.contains_key(&k);
            let hash = dict.hash_key(&k);
            assert_eq!(
                dict.insert_with_hash(hash, k.clone(), v),
                model.insert(k, v)
            );
            expect(true, is_new)
        }
        Op::Remove(k) => {
            let k = key(k);
            let removed = model.shift_remove(&k);
            assert_eq!(dict.remove(&k), removed);
            expect(removed.is_some(), removed.is_some())
        }
        Op::RemoveWithHash(k) => {
            let k = key(k);
            let removed = model.shift_remove(&k);
            let hash = dict.hash_key(&k);
            assert_eq!(dict.remove_with_hash(hash, &k), removed);
            expect(removed.is_some(), removed.is_some())
        }
        Op::RemoveEntry(k) => {
            let k = key(k);
            let removed = model.shift_remove_entry(&k);
            let present = removed.is_some();
            assert_eq!(dict.remove_entry(&k), removed);
            expect(present, present)
        }
        Op::PopLast => {
            let popped = model.pop();
            let present = popped.is_some();
            assert_eq!(dict.pop_last(), popped);
            expect(present, present)
        }
        Op::Clear => {
            model.clear();
            dict.clear();
            expect(!was_empty, !was_empty)
        }
        Op::Retain(mask) => {
            let before = model.len();
            model.retain(|k, _| keep(mask, k.number()));
            dict.retain(|k, _| keep(mask, k.number()));
            let dropped = model.len() != before;
            // `retain` lends `&mut V`: it bumps the version of any non-empty dict.
            expect(!was_empty, dropped)
        }
        Op::RetainMut(mask) => {
            let before = model.len();
            let bump = |k: &K, v: &mut u32| {
                *v = v.wrapping_add(1);
                keep(mask, k.number())
            };
            model.retain(bump);
            dict.retain_mut(bump);
            let dropped = model.len() != before;
            expect(!was_empty, dropped)
        }
        Op::EntryOrInsert(k, v) => {
            let k = key(k);
            let is_new = !model.contains_key(&k);
            assert_eq!(
                *dict.entry(k.clone()).or_insert(v),
                *model.entry(k).or_insert(v)
            );
            expect(true, is_new)
        }
        Op::EntryAndModify(k) => {
            let k = key(k);
            let present = model.contains_key(&k);
            if let Some(v) = model.get_mut(&k) {
                *v = v.wrapping_add(7);
            }
            let entry = dict.entry(k).and_modify(|v| *v = v.wrapping_add(7));
            assert_eq!(matches!(entry, Entry::Occupied(_)), present);
            expect(present, false)
        }
        Op::EntryRemove(k) => {
            let k = key(k);
            let removed = model.shift_remove(&k);
            let present = removed.is_some();
            match dict.entry(k.clone()) {
                Entry::Occupied(entry) => {
                    assert_eq!(entry.key(), &k);
                    assert_eq!(Some(entry.remove()), removed);
                }
                Entry::Vacant(entry) => {
                    assert_eq!(removed, None);
                    assert_eq!(entry.into_key(), k);
                }
            }
            expect(present, present)
        }
        Op::EntryInsert(k, v) => {
            let k = key(k);
            let old = model.insert(k.clone(), v);
            match dict.entry(k) {
                Entry::Occupied(mut entry) => assert_eq!(Some(entry.insert(v)), old),
                Entry::Vacant(entry) => {
                    assert_eq!(old, None);
                    assert_eq!(*entry.insert(v), v);
                }
            }
            expect(true, old.is_none())
        }
        Op::GetMut(k, v) => {
            let k = key(k);
            let present = model.contains_key(&k);
            if let Some(slot) = model.get_mut(&k) {
                *slot = v;
            }
            match dict.get_mut(&k) {
                Some(slot) => *slot = v,
                None => assert!(!present),
            }
            expect(present, false)
        }
        Op::ValuesMutAdd(d) => {
            model.values_mut().for_each(|v| *v = v.wrapping_add(d));
            dict.values_mut().for_each(|v| *v = v.wrapping_add(d));
            expect(!was_empty, false)
        }
        Op::Extend(ref pairs) => {
            let pairs: Vec<(K, u32)> = pairs.iter().map(|&(k, v)| (key(k), v)).collect();
            let any_new = pairs.iter().any(|(k, _)| !model.contains_key(k));
            model.extend(pairs.iter().cloned());
            dict.extend(pairs.iter().cloned());
            Expected {
                version_changes: !pairs.is_empty(),
                // Extend reserves room first; that rebuild may move slots even when every
                // pair overwrites.
                keys_version_changes: if any_new { Some(true) } else { None },
            }
        }
        Op::ShrinkToFit => {
            dict.shrink_to_fit();
            Expected {
                version_changes: false,
                keys_version_changes: None,
            }
        }
        Op::Reserve(n) => {
            dict.reserve(n as usize);
            assert!(dict.capacity() >= dict.len() + n as usize);
            Expected {
                version_changes: false,
                keys_version_changes: None,
            }
        }
        Op::Clone => {
            let copy = dict.clone();
            assert_eq!(copy.keys_version(), dict.keys_version());
            assert_ne!(copy.version(), dict.version());
            *dict = copy;
            expect(true, false)
        }
        Op::Drain(n) => {
            let expected: Vec<_> = model.drain(..).collect();
            let mut drain = dict.drain(..);
            assert_eq!(drain.len(), expected.len());
            let taken: Vec<_> = drain.by_ref().take(n as usize).collect();
            assert_eq!(taken[..], expected[..taken.len()]);
            drop(drain);
            expect(!was_empty, !was_empty)
        }
        Op::FirstLast => {
            assert_eq!(dict.first(), model.first());
            assert_eq!(dict.last(), model.last());
            expect(false, false)
        }
        Op::SlotMut(slot, v) => {
            let slot = slot as usize;
            let key_in_slot = dict.slot(slot).map(|(k, _)| k.clone());
            match (dict.slot_mut(slot), key_in_slot) {
                (Some((k, value)), Some(key_in_slot)) => {
                    assert_eq!(*k, key_in_slot);
                    *value = v;
                    *model
                        .get_mut(&key_in_slot)
                        .expect("a live slot's key is in the model") = v;
                    expect(true, false)
                }
                (None, None) => expect(false, false),
                (got, key_in_slot) => {
                    panic!("slot_mut({slot}) = {got:?} but slot({slot}) has key {key_in_slot:?}")
                }
            }
        }
        Op::IterMutAdd(d) => {
            model.iter_mut().for_each(|(_, v)| *v = v.wrapping_add(d));
            dict.iter_mut().for_each(|(_, v)| *v = v.wrapping_add(d));
            expect(!was_empty, false)
        }
        Op::GetMutWithHash(k, v) => {
            let k = key(k);
            let present = model.contains_key(&k);
            if let Some(slot) = model.get_mut(&k) {
                *slot = v;
            }
            let hash = dict.hash_key(&k);
            match dict.get_mut_with_hash(hash, &k) {
                Some(slot) => *slot = v,
                None => assert!(!present),
            }
            expect(present, false)
        }
        Op::FindWith(k, fail_at) => {
            let k = key(k);
            let hash = dict.hash_key(&k);
            match dict.find_with(hash, failing_at(&k, fail_at)) {
                Ok(slot) => assert_eq!(slot.and_then(|s| dict.slot(s)), model.get_key_value(&k)),
                Err(at) => assert_eq!(at, fail_at),
            }
            if let Ok(got) = dict.get_with(hash, failing_at(&k, fail_at)) {
                assert_eq!(got, model.get_key_value(&k));
            }
            expect(false, false)
        }
        Op::EntryWith(k, v, fail_at) => {
            let k = key(k);
            let hash = dict.hash_key(&k);
            let entry = dict.entry_with(hash, failing_at(&k, fail_at));
            settle_entry(entry, k, v, model)
        }
        Op::FindWithIdentity(k, by_identity, fail_at) => {
            let k = key(k);
            let hash = dict.hash_key(&k);
            let is_same = |stored: &K| by_identity && *stored == k;
            let mut compare = failing_at(&k, fail_at);
            let compare = |stored: &K| {
                // Only keys stored under the hash sought (bit 56 aside: see `Probe`).
                assert_eq!((dict.hash_key(stored) ^ hash) & !(1 << 56), 0);
                compare(stored)
            };
            match dict.find_with_identity(hash, is_same, compare) {
                Ok(slot) => assert_eq!(slot.and_then(|s| dict.slot(s)), model.get_key_value(&k)),
                Err(at) => assert_eq!(at, fail_at),
            }
            if let Ok(got) = dict.get_with_identity(hash, is_same, failing_at(&k, fail_at)) {
                assert_eq!(got, model.get_key_value(&k));
            }
            expect(false, false)
        }
        Op::EntryWithIdentity(k, v, by_identity, fail_at) => {
            let k = key(k);
            let hash = dict.hash_key(&k);
            let hasher = dict.hasher().clone();
            let mut compare = failing_at(&k, fail_at);
            let entry = dict.entry_with_identity(
                hash,
                |stored| by_identity && *stored == k,
                move |stored| {
                    assert_eq!((hasher.hash_one(stored) ^ hash) & !(1 << 56), 0);
                    compare(stored)
                },
            );
            settle_entry(entry, k, v, model)
        }
        Op::ProbeMutating(k, mutate_at, mutation) => {
            let k = key(k);
            let hash = dict.hash_key(&k);
            let (version, keys_version) = (dict.version(), dict.keys_version());
            let mut calls = 0u8;
            let found = 'restart: loop {
                let mut probe = dict.probe(hash);
                loop {
                    let (slot, stored) = match dict.next_candidate(&mut probe) {
                        vdict::dict::Candidate::Absent => break 'restart None,
                        vdict::dict::Candidate::Changed => continue 'restart,
                        vdict::dict::Candidate::Key { slot, key } => (slot, key.clone()),
                    };
                    calls = calls.wrapping_add(1);
                    if calls == mutate_at {
                        // The compare changes the dict (and the model alike) before answering.
                        match mutation {
                            Mutation::Insert(m, v) => {
                                dict.insert(key(m), v);
                                model.insert(key(m), v);
                            }
                            Mutation::Remove(m) => {
                                dict.remove(&key(m));
                                model.shift_remove(&key(m));
                            }
                            Mutation::Clear => {
                                dict.clear();
                                model.clear();
                            }
                        }
                    }
                    if stored == k {
                        if dict.keys_version() != probe.keys_version() {
                            continue 'restart;
                        }
                        break 'restart Some(slot);
                    }
                }
            };
            assert_eq!(found.and_then(|s| dict.slot(s)), model.get_key_value(&k));
            // The mutation may or may not have run, and may or may not have changed anything:
            // the tags must have changed exactly when a plain call would have changed them,
            // which the harness cannot tell apart here; it checks they did not go backwards.
            assert!(dict.version() >= version);
            Expected {
                version_changes: dict.version() != version,
                keys_version_changes: Some(dict.keys_version() != keys_version),
            }
        }
        Op::InsertUnique(k, v) => {
            let k = key(k);
            if model.contains_key(&k) {
                return expect(false, false);
            }
            let hash = dict.hash_key(&k);
            let slot = dict.insert_unique(hash, k.clone(), v);
            model.insert(k.clone(), v);
            assert_eq!(dict.get_slot(&k), Some(slot));
            expect(true, true)
        }
        Op::RemoveAt(slot) => {
            let slot = slot as usize;
            let in_slot = dict.slot(slot).map(|(k, v)| (k.clone(), *v));
            assert_eq!(dict.remove_at(slot), in_slot);
            if let Some((k, _)) = &in_slot {
                model.shift_remove(k);
            }
            expect(in_slot.is_some(), in_slot.is_some())
        }
        Op::ReplaceAt(slot, v) => {
            let slot = slot as usize;
            let in_slot = dict.slot(slot).map(|(k, v)| (k.clone(), *v));
            match (dict.replace_at(slot, v), in_slot) {
                (Ok(old), Some((k, value))) => {
                    assert_eq!(old, value);
                    model.insert(k, v);
                    expect(true, false)
                }
                (Err(back), None) => {
                    assert_eq!(back, v);
                    expect(false, false)
                }
                (got, in_slot) => panic!("replace_at({slot}) = {got:?}, slot held {in_slot:?}"),
            }
        }
        Op::CursorInsert(at, k) => {
            let k = key(k);
            let is_new = !model.contains_key(&k);
            let mut cursor = dict.slot_cursor();
            let mut seen = Vec::new();
            let mut inserted = false;
            loop {
                if seen.len() == at as usize && !inserted {
                    dict.insert(k.clone(), 0);
                    model.insert(k.clone(), 0);
                    inserted = true;
                }
                match cursor.next(dict) {
                    Ok(Some((_, key, _))) => seen.push(key.clone()),
                    Ok(None) => break,
                    Err(error) => {
                        assert!(inserted && is_new, "{error} without a new key");
                        assert_eq!(error, vdict::dict::IterationError::ChangedSize);
                        break;
                    }
                }
            }
            let in_order: Vec<K> = model.keys().cloned().collect();
            assert_eq!(seen[..], in_order[..seen.len()]);
            expect(inserted, inserted && is_new)
        }
        Op::GetIndex(p, k) => {
            let p = position(p, model.len());
            assert_eq!(dict.get_index(p), model.get_index(p));
            if p < model.len() {
                assert_eq!(dict[p], model[p]);
            }
            let k = key(k);
            assert_eq!(dict.get_index_of(&k), model.get_index_of(&k));
            assert_eq!(dict.get_full(&k), model.get_full(&k));
            assert_eq!(dict.entry(k.clone()).index(), model.entry(k).index());
            expect(false, false)
        }
        Op::GetIndexMut(p, v) => {
            let p = position(p, model.len());
            let present = p < model.len();
            if let Some((k, value)) = dict.get_index_mut(p) {
                assert_eq!(Some(k), model.get_index(p).map(|(k, _)| k));
                *value = v;
            }
            if let Some((_, value)) = model.get_index_mut(p) {
                *value = v;
            }
            expect(present, false)
        }
        Op::SwapRemoveIndex(p) => {
            let p = position(p, model.len());
            let removed = model.swap_remove_index(p);
            let present = removed.is_some();
            assert_eq!(dict.swap_remove_index(p), removed);
            expect(present, present)
        }
        Op::Rotate(steps) => {
            let steps = steps % 32;
            for _ in 0..steps {
                let Some((k, v)) = model.shift_remove_index(0) else {
                    break;
                };
                assert_eq!(dict.remove(&k), Some(v));
                model.insert(k.clone(), v);
                assert_eq!(dict.insert(k, v), None);
            }
            let moved = steps > 0 && !model.is_empty();
            expect(moved, moved)
        }
        Op::ShiftRemoveIndex(p) => {
            let p = position(p, model.len());
            let removed = model.shift_remove_index(p);
            let present = removed.is_some();
            assert_eq!(dict.shift_remove_index(p), removed);
            expect(present, present)
        }
        Op::SwapRemove(k) => {
            let k = key(k);
            let removed = model.swap_remove_full(&k);
            let present = removed.is_some();
            assert_eq!(dict.swap_remove_full(&k), removed);
            expect(present, present)
        }
        Op::SwapIndices(a, b) => {
            let (a, b) = (position(a, model.len()), position(b, model.len()));
            if a < model.len() && b < model.len() {
                model.swap_indices(a, b);
                dict.swap_indices(a, b);
                expect(true, true)
            } else {
                expect(false, false)
            }
        }
        Op::MoveIndex(from, to) => {
            let (from, to) = (position(from, model.len()), position(to, model.len()));
            if from < model.len() && to < model.len() {
                model.move_index(from, to);
                dict.move_index(from, to);
                expect(from != to, from != to)
            } else {
                expect(false, false)
            }
        }
        Op::ShiftInsert(p, k, v) => {
            let p = position(p, model.len());
            let k = key(k);
            let from = model.get_index_of(&k);
            let limit = if from.is_some() {
                model.len()
            } else {
                model.len() + 1
            };
            if p < limit {
                assert_eq!(
                    dict.shift_insert(p, k.clone(), v),
                    model.shift_insert(p, k, v)
                );
                expect(true, from != Some(p))
            } else {
                expect(false, false)
            }
        }
        Op::InsertBefore(p, k, v) => {
            let p = position(p, model.len());
            let k = key(k);
            if p <= model.len() {
                let from = model.get_index_of(&k);
                let (to, old) = model.insert_before(p, k.clone(), v);
                assert_eq!(dict.insert_before(p, k, v), (to, old));
                expect(true, from != Some(to))
            } else {
                expect(false, false)
            }
        }
        Op::InsertFull(k, v) => {
            let k = key(k);
            let is_new = !model.contains_key(&k);
            assert_eq!(dict.insert_full(k.clone(), v), model.insert_full(k, v));
            expect(true, is_new)
        }
        Op::Truncate(n) => {
            let n = position(n, model.len());
            let dropped = n < model.len();
            model.truncate(n);
            dict.truncate(n);
            expect(dropped, dropped)
        }
        Op::DrainRange(start, end, consume) => {
            let len = model.len();
            let start = usize::from(start) % (len + 1);
            let end = start + usize::from(end) % (len - start + 1);
            let expected: Vec<_> = model.drain(start..end).collect();
            let mut drain = dict.drain(start..end);
            assert_eq!(drain.len(), expected.len());
            let taken: Vec<_> = drain.by_ref().take(usize::from(consume)).collect();
            assert_eq!(taken[..], expected[..taken.len()]);
            drop(drain);
            expect(start < end, start < end)
        }
        Op::SplitOff(at) => {
            let at = usize::from(at) % (model.len() + 1);
            let tail_model = model.split_off(at);
            let tail = dict.split_off(at);
            assert_eq!(
                tail.iter().collect::<Vec<_>>(),
                tail_model.iter().collect::<Vec<_>>()
            );
            if let Err(broken) = tail.check_invariants() {
                panic!("split_off's tail: {broken}");
            }
            let removed = !tail_model.is_empty();
            expect(removed, removed)
        }
        Op::SortKeys => {
            model.sort_by(|a, _, b, _| a.cmp(b));
            dict.sort_keys();
            expect(model.len() >= 2, model.len() >= 2)
        }
        Op::SortByValue => {
            model.sort_by(|_, a, _, b| a.cmp(b));
            dict.sort_by(|_, a, _, b| a.cmp(b));
            expect(model.len() >= 2, model.len() >= 2)
        }
        Op::Reverse => {
            model.reverse();
            dict.reverse();
            expect(model.len() >= 2, model.len() >= 2)
        }
        Op::ReplaceIndex(p, k) => {
            let p = position(p, model.len());
            if p < model.len() {
                let k = key(k);
                let result = model.replace_index(p, k.clone());
                let changed = result.is_ok();
                assert_eq!(dict.replace_index(p, k), result);
                expect(changed, changed)
            } else {
                expect(false, false)
            }
        }
        Op::ExtractIf(start, end, mask, consume) => {
            let len = model.len();
            let start = usize::from(start) % (len + 1);
            let end = start + usize::from(end) % (len - start + 1);
            let picked = |k: &K| keep(mask, k.number());
            // What the model loses: the first `consume` picked keys of the range.
            let expected: Vec<(K, u32)> = model
                .extract_if(start..end, |k, _| picked(k))
                .take(usize::from(consume))
                .collect();
            let taken: Vec<(K, u32)> = dict
                .extract_if(start..end, |k, _| picked(k))
                .take(usize::from(consume))
                .collect();
            assert_eq!(taken, expected);
            // It lends `&mut V` over a non-empty range.
            expect(start < end, !taken.is_empty())
        }
        Op::Splice(start, end, ref pairs) => {
            let len = model.len();
            let start = usize::from(start) % (len + 1);
            let end = start + usize::from(end) % (len - start + 1);
            let pairs: Vec<(K, u32)> = pairs.iter().map(|&(k, v)| (key(k), v)).collect();
            let outside: HashSet<K> = model
                .keys()
                .enumerate()
                .filter(|&(p, _)| p < start || p >= end)
                .map(|(_, k)| k.clone())
                .collect();
            let adds_a_key = pairs.iter().any(|(k, _)| !outside.contains(k));
            let expected: Vec<(K, u32)> = model.splice(start..end, pairs.clone()).collect();
            let removed: Vec<(K, u32)> = dict.splice(start..end, pairs.clone()).collect();
            assert_eq!(removed, expected);
            expect(start < end || !pairs.is_empty(), start < end || adds_a_key)
        }
        Op::InsertEntry(k, v) => {
            let k = key(k);
            let is_new = !model.contains_key(&k);
            let model_entry = model.entry(k.clone()).insert_entry(v);
            let (position, stored) = (model_entry.index(), model_entry.key().clone());
            let entry = dict.entry(k).insert_entry(v);
            assert_eq!(
                (entry.index(), entry.key(), *entry.get()),
                (position, &stored, v)
            );
            expect(true, is_new)
        }
        Op::EntryMoveIndex(k, to) => {
            let k = key(k);
            let to = position(to, model.len());
            match model.get_index_of(&k) {
                Some(from) if to < model.len() => {
                    model.move_index(from, to);
                    match dict.entry(k) {
                        Entry::Occupied(entry) => entry.move_index(to),
                        Entry::Vacant(_) => panic!("the key is present"),
                    }
                    expect(from != to, from != to)
                }
                _ => expect(false, false),
            }
        }
        Op::EntrySwapIndices(k, other) => {
            let k = key(k);
            let other = position(other, model.len());
            match model.get_index_of(&k) {
                Some(from) if other < model.len() => {
                    model.swap_indices(from, other);
                    match dict.entry(k) {
                        Entry::Occupied(entry) => entry.swap_indices(other),
                        Entry::Vacant(_) => panic!("the key is present"),
                    }
                    expect(true, true)
                }
                _ => expect(false, false),
            }
        }
        Op::VacantShiftInsert(k, p, v) => {
            let k = key(k);
            let p = position(p, model.len());
            if model.contains_key(&k) || p > model.len() {
                return expect(false, false);
            }
            model.shift_insert(p, k.clone(), v);
            match dict.entry(k) {
                Entry::Vacant(entry) => assert_eq!(*entry.shift_insert(p, v), v),
                Entry::Occupied(_) => panic!("the key is absent"),
            }
            expect(true, true)
        }
        Op::RawEntry(k, action, p, v) => {
            use vdict::dict::{RawEntryApiV1, RawEntryMut};
            let k = key(k);
            let hash = dict.hash_key(&k);
            let full = dict
                .raw_entry_v1()
                .from_hash_full(hash, |stored| *stored == k)
                .map(|(i, k, v)| (i, k.clone(), *v));
            let expected = model.get_full(&k).map(|(i, k, v)| (i, k.clone(), *v));
            assert_eq!(full, expected);
            let len = model.len();
            let p = position(p, len);
            match (dict.raw_entry_mut_v1().from_key(&k), model.get_index_of(&k)) {
                (RawEntryMut::Occupied(mut entry), Some(at)) => {
                    assert_eq!(entry.index(), at);
                    match action % 6 {
                        0 => {
                            assert_eq!(entry.insert(v), model.insert(k, v).unwrap());
                            expect(true, false)
                        }
                        1 => {
                            assert_eq!(entry.remove_entry(), model.shift_remove_entry(&k).unwrap());
                            expect(true, true)
                        }
                        2 => {
                            assert_eq!(entry.swap_remove(), model.swap_remove(&k).unwrap());
                            expect(true, true)
                        }
                        3 if p < len => {
                            entry.move_index(p);
                            model.move_index(at, p);
                            expect(at != p, at != p)
                        }
                        5 if p < len => {
                            entry.swap_indices(p);
                            model.swap_indices(at, p);
                            expect(true, true)
                        }
                        _ => {
                            RawEntryMut::Occupied(entry).and_modify(|_, value| *value = v);
                            model.insert(k, v);
                            expect(true, true)
                        }
                    }
                }
                (RawEntryMut::Vacant(entry), None) => {
                    assert_eq!(entry.index(), len);
                    if action % 2 == 1 && p <= len {
                        let (stored, value) = entry.shift_insert(p, k.clone(), v);
                        assert_eq!((&*stored, *value), (&k, v));
                        model.shift_insert(p, k, v);
                    } else {
                        let (stored, value) = entry.insert(k.clone(), v);
                        assert_eq!((&*stored, *value), (&k, v));
                        model.insert(k, v);
                    }
                    expect(true, true)
                }
                (entry, at) => panic!("raw entry {:?} for a key at {at:?}", entry.index()),
            }
        }
        Op::ReserveShrink(additional, min) => {
            dict.try_reserve(usize::from(additional))
                .expect("a small reserve succeeds");
            dict.shrink_to(usize::from(min));
            // Either may squeeze out holes (slots move); neither changes content.
            Expected {
                version_changes: false,
                keys_version_changes: None,
            }
        }
        Op::Slice(start, end, mid) => {
            let (start, end) = (position(start, model.len()), position(end, model.len()));
            let slice = dict.get_range(start..end);
            let expected = model.get_range(start..end);
            assert_eq!(
                slice.is_some(),
                expected.is_some(),
                "get_range({start}..{end})"
            );
            if let (Some(slice), Some(expected)) = (slice, expected) {
                assert_eq!(slice.len(), expected.len());
                assert!(slice.iter().eq(expected.iter()));
                assert!(slice.iter().rev().eq(expected.iter().rev()));
                assert!(slice.keys().eq(expected.keys()));
                for p in 0..=slice.len() {
                    assert_eq!(slice.get_index(p), expected.get_index(p));
                }
                assert_eq!(
                    (slice.first(), slice.last()),
                    (expected.first(), expected.last())
                );
                let mid = usize::from(mid) % (slice.len() + 1);
                let (head, tail) = slice.split_at(mid);
                let (expected_head, expected_tail) = expected.split_at(mid);
                assert!(head.iter().eq(expected_head.iter()));
                assert!(tail.iter().eq(expected_tail.iter()));
                let sub = slice.get_range(mid..).expect("in bounds");
                assert!(sub.iter().eq(expected.get_range(mid..).unwrap().iter()));
            }
            expect(false, false)
        }
        Op::SliceMut(start, end, mid, add) => {
            let (start, end) = (position(start, model.len()), position(end, model.len()));
            let in_bounds = start <= end && end <= model.len();
            match (
                dict.get_range_mut(start..end),
                model.get_range_mut(start..end),
            ) {
                (Some(mut slice), Some(expected)) => {
                    assert_eq!(slice.len(), expected.len());
                    let mid = usize::from(mid) % (slice.len() + 1);
                    let (mut head, mut tail) = slice.split_at_mut(mid);
                    let (expected_head, expected_tail) = expected.split_at_mut(mid);
                    head.values_mut().for_each(|v| *v = v.wrapping_add(add));
                    expected_head
                        .values_mut()
                        .for_each(|v| *v = v.wrapping_add(add));
                    tail.iter_mut().for_each(|(_, v)| *v = v.wrapping_add(add));
                    expected_tail
                        .iter_mut()
                        .for_each(|(_, v)| *v = v.wrapping_add(add));
                    if let (Some(((k, v), _)), Some(((ek, ev), _))) =
                        (tail.split_first_mut(), expected_tail.split_first_mut())
                    {
                        assert_eq!(k, ek);
                        *v = v.wrapping_add(1);
                        *ev = ev.wrapping_add(1);
                    }
                    if let (Some(((k, v), rest)), Some(((ek, ev), expected_rest))) =
                        (tail.split_last_mut(), expected_tail.split_last_mut())
                    {
                        assert_eq!(k, ek);
                        assert!(rest.iter().eq(expected_rest.iter()));
                        *v = v.wrapping_add(1);
                        *ev = ev.wrapping_add(1);
                    }
                    assert!(head.iter().eq(expected_head.iter()));
                    for p in 0..=tail.len() {
                        assert_eq!(tail.get_index(p), expected_tail.get_index(p));
                    }
                }
                (None, None) => assert!(!in_bounds),
                (ours, theirs) => panic!(
                    "get_range_mut({start}..{end}): vdict {}, indexmap {}",
                    ours.is_some(),
                    theirs.is_some()
                ),
            }
            expect(in_bounds && start < end, false)
        }
        Op::Get(k) => {
            let k = key(k);
            assert_eq!(dict.get(&k), model.get(&k));
            assert_eq!(dict.get_key_value(&k), model.get_key_value(&k));
            assert_eq!(dict.contains_key(&k), model.contains_key(&k));
            let hash = dict.hash_key(&k);
            assert_eq!(dict.get_with_hash(hash, &k), model.get(&k));
            if let Some(slot) = dict.get_slot(&k) {
                assert_eq!(dict.slot(slot), model.get_key_value(&k));
            }
            expect(false, false)
        }
    }
}

/// Runs `ops` with keys of type `K`, checking everything after every step.
pub fn run<K: Key, S: BuildHasher + Clone>(ops: &[Op], hasher: S) {
    let mut dict: Dict<K, u32, S> = Dict::with_hasher(hasher);
    let mut model: IndexMap<K, u32> = IndexMap::new();
    let mut versions_seen: HashSet<Version> = HashSet::from([dict.version()]);

    for (step, op) in ops.iter().enumerate() {
        let (version, keys_version) = (dict.version(), dict.keys_version());
        let slots_before: HashMap<K, usize> = dict
            .keys()
            .map(|k| (k.clone(), dict.get_slot(k).unwrap()))
            .collect();

        let expected = apply(op, &mut dict, &mut model);
        let at = format!("step {step}: {op:?}");

        // Content and order, through `next` (what `collect` calls) and through `fold` (what
        // `for_each` calls: the path that skips the hole test when there are no holes, and
        // before the first hole when there are).
        let model_pairs: Vec<(&K, &u32)> = model.iter().collect();
        assert_eq!(dict.iter().collect::<Vec<_>>(), model_pairs, "{at}");
        let mut folded = Vec::with_capacity(dict.len());
        dict.iter().for_each(|pair| folded.push(pair));
        assert_eq!(folded, model_pairs, "{at}: fold");
        assert_eq!(dict.len(), model.len(), "{at}");
        assert_eq!(dict.iter().rev().count(), model.len(), "{at}");
        // `next` and `next_back` interleaved (every third step from the back, the first a
        // different one each step), stopping a step-dependent way in, then the rest folded:
        // `next` walks by a mask of the live slots, which `next_back` must trim.
        let mut iter = dict.iter();
        let (mut front, mut back) = (0, model_pairs.len());
        while front < back && (front + model_pairs.len() - back) < step % 29 {
            let (pair, expected) = if (front + back + step) % 3 == 0 {
                back -= 1;
                (iter.next_back(), model_pairs[back])
            } else {
                front += 1;
                (iter.next(), model_pairs[front - 1])
            };
            assert_eq!(pair, Some(expected), "{at}: interleaved ends");
        }
        let rest: Vec<_> = iter.fold(Vec::new(), |mut rest, pair| {
            rest.push(pair);
            rest
        });
        assert_eq!(
            rest,
            model_pairs[front..back],
            "{at}: fold after interleaved ends"
        );
        for n in 0..KEY_SPACE {
            let k = K::from_number(n);
            assert_eq!(dict.get(&k), model.get(&k), "{at}: key {k:?}");
        }
        if let Err(broken) = dict.check_invariants() {
            panic!("{at}: {broken}");
        }
        // Every position, every few steps: the first check past a hole builds the rank
        // structure, which the steps between keep up to date (or drop, on a squeeze).
        if step % 4 == 3 {
            for p in 0..=model.len() {
                assert_eq!(
                    dict.get_index(p),
                    model.get_index(p),
                    "{at}: get_index({p})"
                );
            }
            for (p, k) in model.keys().enumerate() {
                assert_eq!(dict.get_index_of(k), Some(p), "{at}: get_index_of({k:?})");
            }
            if let Err(broken) = dict.check_invariants() {
                panic!("{at}: after positional reads: {broken}");
            }
        }

        // Version rules.
        if expected.version_changes {
            assert_ne!(dict.version(), version, "{at}: version must change");
            assert!(
                dict.version() > version,
                "{at}: versions grow on one thread"
            );
            assert!(versions_seen.insert(dict.version()), "{at}: version reused");
        } else {
            assert_eq!(dict.version(), version, "{at}: version must not change");
        }
        match expected.keys_version_changes {
            Some(true) => assert_ne!(
                dict.keys_version(),
                keys_version,
                "{at}: keys version must change"
            ),
            Some(false) => assert_eq!(
                dict.keys_version(),
                keys_version,
                "{at}: keys version must not change"
            ),
            None => {}
        }
        // The contract a slot cache relies on: same keys version, same key -> slot map.
        if dict.keys_version() == keys_version {
            let slots_after: HashMap<K, usize> = dict
                .keys()
                .map(|k| (k.clone(), dict.get_slot(k).unwrap()))
                .collect();
            assert_eq!(
                slots_after, slots_before,
                "{at}: slots moved under an unchanged keys version"
            );
        }
    }
}
