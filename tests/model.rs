//! The model test: random operation sequences run on a `Dict` and on an `indexmap::IndexMap`
//! (the model, with order-keeping `shift_remove`), compared after every step, together with
//! `check_invariants()` and the version rules.
//!
//! Keys come from a small space (24 values) so that overwrites, holes, DUMMY reuse, rebuilds
//! and compactions happen all the time; a second run uses a hasher with only three distinct
//! hashes, so every lookup also wades through full-hash collisions. Each sequence runs with
//! `u8` keys and with `String` keys (see `fuzz/src/dict_ops.rs` for why both).

mod common;

use common::checks::dict_ops::{run_with_each_key_type, Op, KEY_SPACE};
use common::FewHashes;
use proptest::prelude::*;

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
        3 => key.prop_map(Op::Get),
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
