//! The `rayon` feature: parallel iteration, sorting, collecting and extending give what the
//! sequential forms give, on dicts and sets with holes, and follow the version rules.
#![cfg(feature = "rayon")]

use rayon::prelude::*;
use vdict::{Dict, Set};

/// A dict of 10,000 entries with every third removed (holes all through it), in a shuffled
/// insertion order.
fn holey() -> Dict<u64, u64> {
    let mut d: Dict<u64, u64> = (0..10_000u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 100_003, i))
        .collect();
    let doomed: Vec<u64> = d.keys().copied().step_by(3).collect();
    for key in &doomed {
        d.remove(key);
    }
    d
}

#[test]
fn parallel_iteration_sees_what_sequential_iteration_sees_in_order() {
    let d = holey();
    let sequential: Vec<(&u64, &u64)> = d.iter().collect();
    let parallel: Vec<(&u64, &u64)> = d.par_iter().collect();
    assert_eq!(parallel, sequential);
    assert_eq!(
        d.par_keys().copied().collect::<Vec<_>>(),
        d.keys().copied().collect::<Vec<_>>()
    );
    assert_eq!(d.par_values().sum::<u64>(), d.values().sum::<u64>());
    let owned: Vec<(u64, u64)> = d.clone().into_par_iter().collect();
    assert!(owned.iter().map(|(k, v)| (k, v)).eq(d.iter()));
}

#[test]
fn parallel_mutation_bumps_the_version_and_changes_every_value() {
    let mut d = holey();
    let (version, keys_version) = (d.version(), d.keys_version());
    d.par_values_mut().for_each(|v| *v += 1);
    assert_ne!(d.version(), version);
    assert_eq!(d.keys_version(), keys_version);
    assert!(d.iter().all(|(_, v)| *v >= 1));
    let expected: u64 = holey().values().map(|v| v + 1).sum();
    assert_eq!(d.values().sum::<u64>(), expected);
}

#[test]
fn parallel_sorts_agree_with_sequential_ones_and_move_both_tags() {
    let mut parallel = holey();
    let mut sequential = holey();
    let keys_version = parallel.keys_version();
    parallel.par_sort_keys();
    sequential.sort_keys();
    assert!(parallel.iter().eq(sequential.iter()));
    assert_ne!(parallel.keys_version(), keys_version);
    parallel.par_sort_by(|_, a, _, b| b.cmp(a));
    sequential.sort_by(|_, a, _, b| b.cmp(a));
    assert!(parallel.iter().eq(sequential.iter()));
    assert_eq!(parallel.check_invariants(), Ok(()));
    for key in sequential.keys() {
        assert_eq!(parallel.get(key), sequential.get(key));
    }
}

#[test]
fn collecting_and_extending_in_parallel_keep_the_iterators_order() {
    let d: Dict<u64, u64> = (0..5_000u64)
        .into_par_iter()
        .map(|i| (i % 3_000, i))
        .collect();
    let sequential: Dict<u64, u64> = (0..5_000u64).map(|i| (i % 3_000, i)).collect();
    assert!(d.iter().eq(sequential.iter()));
    let mut s: Set<u64> = Set::new();
    s.par_extend((0..4_000u64).into_par_iter().map(|i| i % 1_000));
    assert!(s.iter().copied().eq(0..1_000));
    let mut sorted = s.clone();
    sorted.par_sort_by(|a, b| b.cmp(a));
    assert!(sorted.iter().copied().eq((0..1_000).rev()));
    assert_eq!(s.par_iter().copied().sum::<u64>(), (0..1_000).sum());
    let owned: Vec<u64> = s.into_par_iter().collect();
    assert_eq!(owned, (0..1_000).collect::<Vec<u64>>());
}
