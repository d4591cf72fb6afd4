//! The model test: random operation sequences run on a `Dict` and on an `indexmap::IndexMap`
//! (the model, with order-keeping `shift_remove`), compared after every step, together with
//! `check_invariants()` and the version rules.
//!
//! Keys come from a small space (24 values) so that overwrites, holes, tombstone reuse, rebuilds
//! and compactions happen all the time; the keys the caller compares (`find_with`, the
//! step-by-step probe with compares that change the dict, `slot_cursor`) and indexmap's positional
//! operations (with positions past holes) are driven the same way; a second run uses a hasher with only three distinct
//! hashes, so every lookup also wades through full-hash collisions. Each sequence runs with
//! `u8` keys and with `String` keys (see `fuzz/src/dict_ops.rs` for why both).

mod common;

use common::checks::dict_ops::{run_with_each_key_type, Mutation, Op, KEY_SPACE};
use common::FewHashes;
use proptest::prelude::*;

/// What a compare of `Op::ProbeMutating` does to the dict.
fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0..KEY_SPACE, any::<u32>()).prop_map(|(k, v)| Mutation::Insert(k, v)),
        (0..KEY_SPACE).prop_map(Mutation::Remove),
        Just(Mutation::Clear),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0..KEY_SPACE;
    prop_oneof![
        8 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
        2 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::InsertWithHash(k, v)),
        4 => key.clone().prop_map(Op::Remove),
        1 => key.clone().prop_map(Op::RemoveWithHash),
        1 => key.clone().prop_map(Op::RemoveEntry),
        2 => Just(Op::PopLast),
        1 => Just(Op::Clear),
        1 => any::<u32>().prop_map(Op::Retain),
        1 => any::<u32>().prop_map(Op::RetainMut),
        2 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::EntryOrInsert(k, v)),
        1 => key.clone().prop_map(Op::EntryAndModify),
        1 => key.clone().prop_map(Op::EntryRemove),
        1 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::EntryInsert(k, v)),
        2 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::GetMut(k, v)),
        1 => any::<u32>().prop_map(Op::ValuesMutAdd),
        1 => proptest::collection::vec((key.clone(), any::<u32>()), 0..12).prop_map(Op::Extend),
        1 => Just(Op::ShrinkToFit),
        1 => any::<u8>().prop_map(Op::Reserve),
        1 => Just(Op::Clone),
        1 => any::<u8>().prop_map(Op::Drain),
        1 => Just(Op::FirstLast),
        1 => (0..(KEY_SPACE + 4), any::<u32>()).prop_map(|(slot, v)| Op::SlotMut(slot, v)),
        1 => any::<u32>().prop_map(Op::IterMutAdd),
        1 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::GetMutWithHash(k, v)),
        1 => (key.clone(), 0..4u8).prop_map(|(k, fail_at)| Op::FindWith(k, fail_at)),
        1 => (key.clone(), any::<u32>(), 0..4u8).prop_map(|(k, v, f)| Op::EntryWith(k, v, f)),
        2 => (key.clone(), 0..4u8, mutation()).prop_map(|(k, at, m)| Op::ProbeMutating(k, at, m)),
        1 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::InsertUnique(k, v)),
        1 => (0..(KEY_SPACE + 4)).prop_map(Op::RemoveAt),
        1 => (0..(KEY_SPACE + 4), any::<u32>()).prop_map(|(slot, v)| Op::ReplaceAt(slot, v)),
        1 => (0..(KEY_SPACE + 4), key.clone()).prop_map(|(at, k)| Op::CursorInsert(at, k)),
        3 => key.clone().prop_map(Op::Get),
        2 => (any::<u8>(), key.clone()).prop_map(|(p, k)| Op::GetIndex(p, k)),
        1 => (any::<u8>(), any::<u32>()).prop_map(|(p, v)| Op::GetIndexMut(p, v)),
        1 => any::<u8>().prop_map(Op::SwapRemoveIndex),
        2 => any::<u8>().prop_map(Op::ShiftRemoveIndex),
        1 => key.clone().prop_map(Op::SwapRemove),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::SwapIndices(a, b)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::MoveIndex(a, b)),
        1 => (any::<u8>(), key.clone(), any::<u32>()).prop_map(|(p, k, v)| Op::ShiftInsert(p, k, v)),
        1 => (any::<u8>(), key.clone(), any::<u32>()).prop_map(|(p, k, v)| Op::InsertBefore(p, k, v)),
        1 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::InsertFull(k, v)),
        1 => any::<u8>().prop_map(Op::Truncate),
        1 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(a, b, n)| Op::DrainRange(a, b, n)),
        1 => any::<u8>().prop_map(Op::SplitOff),
        1 => Just(Op::SortKeys),
        1 => Just(Op::SortByValue),
        1 => Just(Op::Reverse),
        1 => (any::<u8>(), key.clone()).prop_map(|(p, k)| Op::ReplaceIndex(p, k)),
        1 => (any::<u8>(), any::<u8>(), any::<u32>(), 0..6u8)
            .prop_map(|(a, b, mask, n)| Op::ExtractIf(a, b, mask, n)),
        1 => (any::<u8>(), any::<u8>(), proptest::collection::vec((key.clone(), any::<u32>()), 0..6))
            .prop_map(|(a, b, pairs)| Op::Splice(a, b, pairs)),
        1 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::InsertEntry(k, v)),
        1 => (key.clone(), any::<u8>()).prop_map(|(k, p)| Op::EntryMoveIndex(k, p)),
        1 => (key.clone(), any::<u8>()).prop_map(|(k, p)| Op::EntrySwapIndices(k, p)),
        1 => (key.clone(), any::<u8>(), any::<u32>()).prop_map(|(k, p, v)| Op::VacantShiftInsert(k, p, v)),
        2 => (key, any::<u8>(), any::<u8>(), any::<u32>())
            .prop_map(|(k, a, p, v)| Op::RawEntry(k, a, p, v)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, m)| Op::ReserveShrink(a, m)),
        2 => any::<u8>().prop_map(Op::Rotate),
        2 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(a, b, m)| Op::Slice(a, b, m)),
        2 => (any::<u8>(), any::<u8>(), any::<u8>(), any::<u32>())
            .prop_map(|(a, b, m, add)| Op::SliceMut(a, b, m, add)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dict_matches_indexmap_with_the_default_hasher(ops in proptest::collection::vec(op(), 0..200)) {
        run_with_each_key_type(&ops, vdict::DefaultHashBuilder::default());
    }

    #[test]
    fn dict_matches_indexmap_with_three_hash_values(ops in proptest::collection::vec(op(), 0..200)) {
        run_with_each_key_type(&ops, FewHashes::default());
    }
}

/// Found by the model test: a step-by-step lookup whose compare overwrites a key. The
/// overwrite leaves every key and slot where it was (no keys-version change), but the insert
/// behind it may rehash the index in place, which reorders the index's buckets; the probe
/// counted candidates in bucket order, so after the rehash it skipped the key sought and
/// answered "absent". Candidates now come in slot order, which a rehash does not touch.
#[test]
fn a_probe_survives_a_rehash_of_the_index_under_an_unchanged_keys_version() {
    use common::checks::dict_ops::Mutation;
    let ops = vec![
        Op::EntryOrInsert(16, 0),
        Op::EntryOrInsert(0, 0),
        Op::Retain(36249872),
        Op::Insert(7, 0),
        Op::Insert(17, 0),
        Op::InsertUnique(6, 0),
        Op::InsertFull(10, 0),
        Op::InsertWithHash(13, 0),
        Op::SortKeys,
        Op::Insert(0, 0),
        Op::ProbeMutating(16, 1, Mutation::Insert(6, 0)),
    ];
    run_with_each_key_type(&ops, FewHashes::default());
}
