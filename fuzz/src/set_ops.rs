//! The `set_ops` target: a sequence of `Set` operations run on a `vdict::Set` and on an
//! `indexmap::IndexSet` (the model, with order-keeping `shift_remove`), compared after every
//! step (content, order, every position), together with `check_invariants()` on the dict
//! underneath, and the four set operations and three comparisons against a second set made
//! from a mask of the key space; and the caller-compared API an interpreter's `set` uses
//! (`find_with` and `insert_with` with compares that fail, `insert_unique`, `remove_at`, and a
//! `slot_cursor` walk that adds an element midway).
//!
//! Elements come from a small space ([`KEY_SPACE`] values) so that repeats, holes and squeezes
//! happen all the time; the input picks the hasher (one with only a few hash values makes
//! every lookup wade through collisions). Each input runs with `u8` and with `String`
//! elements, as `dict_ops` does.

use super::caller::failing_at;
use super::dict_ops::{HasherChoice, Key, KEY_SPACE};
use super::hashers::FewHashes;
use arbitrary::{Arbitrary, Unstructured};
use indexmap::IndexSet;
use std::hash::BuildHasher;
use vdict::Set;

/// One fuzz input: the hasher, then the operations.
#[derive(Debug, Clone, Arbitrary)]
pub struct Input {
    pub hasher: HasherChoice,
    pub ops: Vec<SetOp>,
}

fn small(u: &mut Unstructured) -> arbitrary::Result<u8> {
    u.int_in_range(0..=KEY_SPACE - 1)
}

fn small_elements(u: &mut Unstructured) -> arbitrary::Result<Vec<u8>> {
    let len = u.int_in_range(0..=12)?;
    (0..len).map(|_| small(u)).collect()
}

/// One operation. Positions are taken modulo `len + 2`, so some are out of bounds; an
/// operation that would panic out of bounds is skipped. A `u32` mask picks elements by
/// number (bit `n % 32`).
#[derive(Debug, Clone, Arbitrary)]
pub enum SetOp {
    Insert(#[arbitrary(with = small)] u8),
    InsertFull(#[arbitrary(with = small)] u8),
    Replace(#[arbitrary(with = small)] u8),
    Remove(#[arbitrary(with = small)] u8),
    SwapRemove(#[arbitrary(with = small)] u8),
    Take(#[arbitrary(with = small)] u8),
    SwapTake(#[arbitrary(with = small)] u8),
    ShiftRemoveIndex(u8),
    SwapRemoveIndex(u8),
    Pop,
    Clear,
    Retain(u32),
    /// `drain(start..end)`, consuming only this many before dropping the iterator.
    Drain(u8, u8, u8),
    /// `extract_if(start..end, mask)`, consuming only this many.
    ExtractIf(u8, u8, u32, u8),
    Splice(u8, u8, #[arbitrary(with = small_elements)] Vec<u8>),
    Extend(#[arbitrary(with = small_elements)] Vec<u8>),
    Truncate(u8),
    SplitOff(u8),
    MoveIndex(u8, u8),
    SwapIndices(u8, u8),
    ShiftInsert(u8, #[arbitrary(with = small)] u8),
    InsertBefore(u8, #[arbitrary(with = small)] u8),
    ReplaceIndex(u8, #[arbitrary(with = small)] u8),
    Sort,
    SortByReverse,
    Reverse,
    ShrinkToFit,
    /// The set operations and comparisons against the set of the numbers in the mask (in
    /// increasing order, with the ones in `drop_mask` removed again, to give it holes).
    Against(u32, u32),
    // The caller-compared API (`set/caller_eq.rs`), as an interpreter's `set` uses it.
    /// `find_with` / `get_with`, the caller's equality failing at its `fail_at`-th call (from
    /// 1; 0 never).
    FindWith(#[arbitrary(with = small)] u8, u8),
    /// `insert_with`, failing as above: adds the element if it is absent, in one probe.
    InsertWith(#[arbitrary(with = small)] u8, u8),
    /// `find_with_identity` / `get_with_identity` and `insert_with_identity`: `is_same`
    /// accepts the element sought itself when the `bool` says so, nothing otherwise; the
    /// equality fails as above.
    WithIdentity(#[arbitrary(with = small)] u8, bool, u8),
    /// `insert_unique` of the element if it is absent.
    InsertUnique(#[arbitrary(with = small)] u8),
    /// `remove_at(slot)` (a hole or past the end is `None`).
    RemoveAt(u8),
    /// Iterate with a `slot_cursor`, adding the element (new or not) after `at` steps.
    CursorInsert(u8, #[arbitrary(with = small)] u8),
}

/// Runs `input` with each element type, panicking on the first disagreement.
pub fn check(input: &Input) {
    match input.hasher {
        HasherChoice::Default => run_both(&input.ops, vdict::DefaultHashBuilder::default()),
        HasherChoice::OneHash => run_both(&input.ops, super::hashers::OneHash),
        HasherChoice::FewHashes(n) => run_both(
            &input.ops,
            FewHashes {
                buckets: 1 + u64::from(n % 8),
            },
        ),
    }
}

/// Runs `ops` with `u8` elements, then with `String` ones.
pub fn run_both<S: BuildHasher + Clone + Default>(ops: &[SetOp], hasher: S) {
    run::<u8, S>(ops, hasher.clone());
    run::<String, S>(ops, hasher);
}

fn picked(mask: u32, n: u8) -> bool {
    mask & (1 << (n % 32)) != 0
}

/// `start..end` within `0..=len` from two input bytes.
fn range(start: u8, end: u8, len: usize) -> (usize, usize) {
    let start = usize::from(start) % (len + 1);
    (start, start + usize::from(end) % (len - start + 1))
}

fn position(p: u8, len: usize) -> usize {
    usize::from(p) % (len + 2)
}

/// Applies `op` to both sets and checks what each returned.
/// Checks what `insert_with` (or its identity form) of `x` did against the model, which it
/// brings along: a failure changed nothing; otherwise the element is where the answer says,
/// added exactly when the model adds it. `before` is the set's (version, keys version).
fn settle_insert<T: Key, S: BuildHasher>(
    set: &Set<T, S>,
    model: &mut IndexSet<T>,
    x: &T,
    fail_at: u8,
    result: Result<(usize, bool), u8>,
    before: (vdict::Version, vdict::Version),
) {
    match result {
        Err(at) => {
            assert_eq!(at, fail_at);
            assert_eq!((set.version(), set.keys_version()), before);
        }
        Ok((slot, added)) => {
            let (position, model_added) = model.insert_full(x.clone());
            assert_eq!(added, model_added);
            assert_eq!(set.slot(slot), Some(x));
            assert_eq!(set.get_index_of(x), Some(position));
            assert_eq!(set.keys_version() != before.1, added);
        }
    }
}

pub fn apply<T: Key, S: BuildHasher + Clone + Default>(
    op: &SetOp,
    set: &mut Set<T, S>,
    model: &mut IndexSet<T>,
) {
    let elt = T::from_number;
    let len = model.len();
    match *op {
        SetOp::Insert(n) => assert_eq!(set.insert(elt(n)), model.insert(elt(n))),
        SetOp::InsertFull(n) => assert_eq!(set.insert_full(elt(n)), model.insert_full(elt(n))),
        SetOp::Replace(n) => assert_eq!(set.replace(elt(n)), model.replace(elt(n))),
        SetOp::Remove(n) => assert_eq!(set.remove(&elt(n)), model.shift_remove(&elt(n))),
        SetOp::SwapRemove(n) => assert_eq!(set.swap_remove(&elt(n)), model.swap_remove(&elt(n))),
        SetOp::Take(n) => assert_eq!(set.take(&elt(n)), model.shift_take(&elt(n))),
        SetOp::SwapTake(n) => assert_eq!(set.swap_take(&elt(n)), model.swap_take(&elt(n))),
        SetOp::ShiftRemoveIndex(p) => {
            let p = position(p, len);
            assert_eq!(set.shift_remove_index(p), model.shift_remove_index(p));
        }
        SetOp::SwapRemoveIndex(p) => {
            let p = position(p, len);
            assert_eq!(set.swap_remove_index(p), model.swap_remove_index(p));
        }
        SetOp::Pop => assert_eq!(set.pop(), model.pop()),
        SetOp::Clear => {
            set.clear();
            model.clear();
        }
        SetOp::Retain(mask) => {
            set.retain(|x| picked(mask, x.number()));
            model.retain(|x| picked(mask, x.number()));
        }
        SetOp::Drain(start, end, consume) => {
            let (start, end) = range(start, end, len);
            let expected: Vec<T> = model.drain(start..end).collect();
            let mut drain = set.drain(start..end);
            assert_eq!(drain.len(), expected.len());
            let taken: Vec<T> = drain.by_ref().take(usize::from(consume)).collect();
            assert_eq!(taken[..], expected[..taken.len()]);
        }
        SetOp::ExtractIf(start, end, mask, consume) => {
            let (start, end) = range(start, end, len);
            let expected: Vec<T> = model
                .extract_if(start..end, |x| picked(mask, x.number()))
                .take(usize::from(consume))
                .collect();
            let taken: Vec<T> = set
                .extract_if(start..end, |x| picked(mask, x.number()))
                .take(usize::from(consume))
                .collect();
            assert_eq!(taken, expected);
        }
        SetOp::Splice(start, end, ref elements) => {
            let (start, end) = range(start, end, len);
            let elements: Vec<T> = elements.iter().map(|&n| elt(n)).collect();
            let expected: Vec<T> = model.splice(start..end, elements.clone()).collect();
            let removed: Vec<T> = set.splice(start..end, elements).collect();
            assert_eq!(removed, expected);
        }
        SetOp::Extend(ref elements) => {
            set.extend(elements.iter().map(|&n| elt(n)));
            model.extend(elements.iter().map(|&n| elt(n)));
        }
        SetOp::Truncate(n) => {
            set.truncate(usize::from(n));
            model.truncate(usize::from(n));
        }
        SetOp::SplitOff(at) => {
            let at = usize::from(at) % (len + 1);
            let tail = set.split_off(at);
            let tail_model = model.split_off(at);
            assert!(tail.iter().eq(tail_model.iter()));
            if let Err(broken) = tail.as_dict().check_invariants() {
                panic!("split_off's tail: {broken}");
            }
        }
        SetOp::MoveIndex(from, to) => {
            let (from, to) = (position(from, len), position(to, len));
            if from < len && to < len {
                set.move_index(from, to);
                model.move_index(from, to);
            }
        }
        SetOp::SwapIndices(a, b) => {
            let (a, b) = (position(a, len), position(b, len));
            if a < len && b < len {
                set.swap_indices(a, b);
                model.swap_indices(a, b);
            }
        }
        SetOp::ShiftInsert(p, n) => {
            let p = position(p, len);
            let limit = if model.contains(&elt(n)) {
                len
            } else {
                len + 1
            };
            if p < limit {
                assert_eq!(set.shift_insert(p, elt(n)), model.shift_insert(p, elt(n)));
            }
        }
        SetOp::InsertBefore(p, n) => {
            let p = position(p, len);
            if p <= len {
                assert_eq!(set.insert_before(p, elt(n)), model.insert_before(p, elt(n)));
            }
        }
        SetOp::ReplaceIndex(p, n) => {
            let p = position(p, len);
            if p < len {
                assert_eq!(set.replace_index(p, elt(n)), model.replace_index(p, elt(n)));
            }
        }
        SetOp::Sort => {
            set.sort();
            model.sort();
        }
        SetOp::SortByReverse => {
            set.sort_by(|a, b| b.cmp(a));
            model.sort_by(|a, b| b.cmp(a));
        }
        SetOp::Reverse => {
            set.reverse();
            model.reverse();
        }
        SetOp::ShrinkToFit => set.shrink_to_fit(),
        SetOp::Against(mask, drop_mask) => {
            let mut other: Set<T, S> = Set::default();
            let mut other_model: IndexSet<T> = IndexSet::new();
            for n in (0..KEY_SPACE).filter(|&n| picked(mask, n)) {
                other.insert(elt(n));
                other_model.insert(elt(n));
            }
            for n in (0..KEY_SPACE).filter(|&n| picked(drop_mask, n)) {
                other.remove(&elt(n));
                other_model.shift_remove(&elt(n));
            }
            assert!(set.union(&other).eq(model.union(&other_model)));
            assert!(set
                .intersection(&other)
                .eq(model.intersection(&other_model)));
            assert!(set.difference(&other).eq(model.difference(&other_model)));
            assert!(set
                .symmetric_difference(&other)
                .eq(model.symmetric_difference(&other_model)));
            assert!(set.union(&other).rev().eq(model.union(&other_model).rev()));
            assert_eq!(set.is_subset(&other), model.is_subset(&other_model));
            assert_eq!(set.is_superset(&other), model.is_superset(&other_model));
            assert_eq!(set.is_disjoint(&other), model.is_disjoint(&other_model));
            assert_eq!(*set == other, *model == other_model);
            let union: Set<T, S> = &*set | &other;
            assert!(union.iter().eq(&(&*model | &other_model)));
            let symmetric: Set<T, S> = &*set ^ &other;
            assert!(symmetric.iter().eq(&(&*model ^ &other_model)));
        }
        SetOp::FindWith(n, fail_at) => {
            let x = elt(n);
            let hash = set.as_dict().hash_key(&x);
            match set.find_with(hash, failing_at(&x, fail_at)) {
                Ok(slot) => assert_eq!(slot.and_then(|s| set.slot(s)), model.get(&x)),
                Err(at) => assert_eq!(at, fail_at),
            }
            if let Ok(got) = set.get_with(hash, failing_at(&x, fail_at)) {
                assert_eq!(got, model.get(&x));
            }
        }
        SetOp::InsertWith(n, fail_at) => {
            let x = elt(n);
            let hash = set.as_dict().hash_key(&x);
            let (version, keys_version) = (set.version(), set.keys_version());
            let result = set.insert_with(hash, failing_at(&x, fail_at), || x.clone());
            settle_insert(set, model, &x, fail_at, result, (version, keys_version));
        }
        SetOp::WithIdentity(n, by_identity, fail_at) => {
            let x = elt(n);
            let hash = set.as_dict().hash_key(&x);
            let is_same = |stored: &T| by_identity && *stored == x;
            match set.find_with_identity(hash, is_same, failing_at(&x, fail_at)) {
                Ok(slot) => assert_eq!(slot.and_then(|s| set.slot(s)), model.get(&x)),
                Err(at) => assert_eq!(at, fail_at),
            }
            if let Ok(got) = set.get_with_identity(hash, is_same, failing_at(&x, fail_at)) {
                assert_eq!(got, model.get(&x));
            }
            let (version, keys_version) = (set.version(), set.keys_version());
            let result =
                set.insert_with_identity(hash, is_same, failing_at(&x, fail_at), || x.clone());
            settle_insert(set, model, &x, fail_at, result, (version, keys_version));
        }
        SetOp::InsertUnique(n) => {
            let x = elt(n);
            if !model.contains(&x) {
                let hash = set.as_dict().hash_key(&x);
                let slot = set.insert_unique(hash, x.clone());
                model.insert(x.clone());
                assert_eq!(set.slot(slot), Some(&x));
                assert_eq!(set.slot_count(), slot + 1);
            }
        }
        SetOp::RemoveAt(slot) => {
            let slot = usize::from(slot);
            let in_slot = set.slot(slot).cloned();
            assert_eq!(set.remove_at(slot), in_slot);
            if let Some(x) = &in_slot {
                model.shift_remove(x);
            }
        }
        SetOp::CursorInsert(at, n) => {
            let x = elt(n);
            let at = usize::from(at);
            let new = !model.contains(&x);
            let mut cursor = set.slot_cursor();
            let mut seen = Vec::new();
            let mut inserted = false;
            let stopped = loop {
                if seen.len() == at {
                    set.insert(x.clone());
                    model.insert(x.clone());
                    inserted = true;
                }
                match cursor.next_value(set) {
                    Ok(Some((slot, value))) => {
                        assert_eq!(set.slot(slot), Some(value));
                        seen.push(value.clone());
                    }
                    Ok(None) => break None,
                    Err(error) => break Some(error),
                }
            };
            match stopped {
                // The walk ran to its end: nothing new was added on the way (the element was
                // there already, or the walk was shorter than `at`), and it saw every element
                // in order.
                None => {
                    assert!(!(new && inserted));
                    assert!(seen.iter().eq(model.iter()));
                }
                // Adding a new element stops the walk at its next step.
                Some(error) => {
                    assert!(
                        new && inserted,
                        "stopped by {error} though nothing was added"
                    );
                    assert_eq!(error, vdict::dict::IterationError::ChangedSize);
                    assert_eq!(seen.len(), at);
                }
            }
            if !inserted {
                set.insert(x.clone());
                model.insert(x);
            }
        }
    }
}

/// Runs `ops` with elements of type `T`, checking everything after every step.
pub fn run<T: Key, S: BuildHasher + Clone + Default>(ops: &[SetOp], hasher: S) {
    let mut set: Set<T, S> = Set::with_hasher(hasher);
    let mut model: IndexSet<T> = IndexSet::new();
    for (step, op) in ops.iter().enumerate() {
        apply(op, &mut set, &mut model);
        let at = format!("step {step}: {op:?}");
        assert!(set.iter().eq(model.iter()), "{at}: {set:?} != {model:?}");
        assert_eq!(set.len(), model.len(), "{at}");
        for p in 0..=model.len() {
            assert_eq!(set.get_index(p), model.get_index(p), "{at}: get_index({p})");
            let (slice, expected) = (set.get_range(p..), model.get_range(p..));
            assert!(
                slice.unwrap().iter().eq(expected.unwrap().iter()),
                "{at}: get_range({p}..)"
            );
        }
        assert!(set.get_range(model.len() + 1..).is_none());
        for n in 0..KEY_SPACE {
            let x = T::from_number(n);
            assert_eq!(
                set.get_full(&x),
                model.get_full(&x),
                "{at}: get_full({x:?})"
            );
        }
        if let Err(broken) = set.as_dict().check_invariants() {
            panic!("{at}: {broken}");
        }
    }
}
