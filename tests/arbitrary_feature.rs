//! The `arbitrary` feature: a fuzzer can build a `Dict` or a `Set` the way a program would
//! (pairs inserted in order), and what it builds is consistent and matches that program.
#![cfg(feature = "arbitrary")]

use arbitrary::{Arbitrary, Unstructured};
use vdict::{Dict, Set};

/// Deterministic bytes, so each run checks the same inputs.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[test]
fn an_arbitrary_dict_is_the_pairs_inserted_in_order() {
    for seed in 0..200 {
        let data = bytes(seed, 64 + seed as usize * 7);
        let dict = Dict::<u8, u16>::arbitrary(&mut Unstructured::new(&data)).unwrap();
        // The same bytes read as a vector of pairs, inserted by hand, give the same dict.
        let pairs = Vec::<(u8, u16)>::arbitrary(&mut Unstructured::new(&data)).unwrap();
        let mut expected = indexmap::IndexMap::new();
        for (k, v) in pairs {
            expected.insert(k, v);
        }
        assert!(dict.iter().eq(expected.iter()), "seed {seed}");
        dict.check_invariants().unwrap();
    }
}

#[test]
fn an_arbitrary_set_is_the_elements_in_order_of_first_appearance() {
    for seed in 0..200 {
        let data = bytes(seed, 32 + seed as usize * 3);
        let set = Set::<u8>::arbitrary_take_rest(Unstructured::new(&data)).unwrap();
        let elements = Vec::<u8>::arbitrary_take_rest(Unstructured::new(&data)).unwrap();
        let expected: indexmap::IndexSet<u8> = elements.into_iter().collect();
        assert!(set.iter().eq(expected.iter()), "seed {seed}");
    }
}
