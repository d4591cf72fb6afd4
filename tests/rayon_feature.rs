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

#[test]
fn parallel_sorts_by_key_and_sorted_iterators_agree_with_sequential_sorting() {
    let d = holey();
    // Sort key with ties (value % 7), so stable and unstable sorts are told apart by order.
    let mut stable = d.clone();
    stable.sort_by_key(|_, v| v % 7);
    let mut parallel = d.clone();
    let keys_version = parallel.keys_version();
    parallel.par_sort_by_key(|_, v| v % 7);
    assert!(parallel.iter().eq(stable.iter()));
    assert_ne!(parallel.keys_version(), keys_version);
    let mut cached = d.clone();
    cached.par_sort_by_cached_key(|_, v| v % 7);
    assert!(cached.iter().eq(stable.iter()));
    let mut unstable = d.clone();
    unstable.par_sort_unstable_by_key(|_, v| v % 7);
    let sort_keys: Vec<u64> = unstable.values().map(|v| v % 7).collect();
    assert!(sort_keys.windows(2).all(|w| w[0] <= w[1]));
    assert!(unstable.par_eq(&d));

    let by_key_descending: Vec<(u64, u64)> =
        d.clone().par_sorted_by(|a, _, b, _| b.cmp(a)).collect();
    let mut expected: Vec<(u64, u64)> = d.iter().map(|(k, v)| (*k, *v)).collect();
    expected.sort_by_key(|pair| std::cmp::Reverse(pair.0));
    assert_eq!(by_key_descending, expected);
    let unstable_sorted: Vec<(u64, u64)> = d
        .clone()
        .par_sorted_unstable_by(|a, _, b, _| b.cmp(a))
        .collect();
    assert_eq!(unstable_sorted, expected);
}

#[test]
fn par_eq_ignores_order_and_compares_values() {
    let d = holey();
    let mut reversed = d.clone();
    reversed.reverse();
    assert!(d.par_eq(&reversed) && d == reversed);
    let mut changed = d.clone();
    *changed.values_mut().last().unwrap() += 1;
    assert!(!d.par_eq(&changed));
    let mut shorter = d.clone();
    shorter.pop_last();
    assert!(!d.par_eq(&shorter) && !shorter.par_eq(&d));
}

#[test]
fn parallel_set_operations_agree_with_the_sequential_ones_in_order() {
    let a: Set<u64> = holey().keys().copied().collect();
    let mut b: Set<u64> = (0..60_000u64).step_by(5).collect();
    for gone in (0..60_000u64).step_by(15) {
        b.remove(&gone);
    }
    let seq = |it: &mut dyn Iterator<Item = &u64>| it.copied().collect::<Vec<u64>>();
    assert_eq!(
        a.par_difference(&b).copied().collect::<Vec<_>>(),
        seq(&mut a.difference(&b))
    );
    assert_eq!(
        a.par_intersection(&b).copied().collect::<Vec<_>>(),
        seq(&mut a.intersection(&b))
    );
    assert_eq!(
        a.par_symmetric_difference(&b).copied().collect::<Vec<_>>(),
        seq(&mut a.symmetric_difference(&b))
    );
    assert_eq!(
        a.par_union(&b).copied().collect::<Vec<_>>(),
        seq(&mut a.union(&b))
    );
    assert!(!a
        .par_intersection(&b)
        .copied()
        .collect::<Vec<_>>()
        .is_empty());

    assert_eq!(a.par_is_disjoint(&b), a.is_disjoint(&b));
    let inner: Set<u64> = a.iter().copied().step_by(4).collect();
    assert!(inner.par_is_subset(&a) && a.par_is_superset(&inner));
    assert!(!a.par_is_subset(&inner) && !inner.par_is_superset(&a));
    let far: Set<u64> = (1_000_000..1_000_100).collect();
    assert!(a.par_is_disjoint(&far) && far.par_is_disjoint(&a));
    let mut shuffled = a.clone();
    shuffled.reverse();
    assert!(a.par_eq(&shuffled) && !a.par_eq(&inner));
}

#[test]
fn parallel_set_sorts_agree_with_sequential_ones() {
    let a: Set<u64> = holey().keys().copied().collect();
    let mut expected: Vec<u64> = a.iter().copied().collect();
    expected.sort_by_key(|x| x % 11);
    let mut by_key = a.clone();
    by_key.par_sort_by_key(|x| x % 11);
    assert!(by_key.iter().copied().eq(expected.iter().copied()));
    let mut cached = a.clone();
    cached.par_sort_by_cached_key(|x| x % 11);
    assert!(cached.iter().copied().eq(expected.iter().copied()));
    let mut unstable = a.clone();
    unstable.par_sort_unstable_by_key(|x| x % 11);
    let keys: Vec<u64> = unstable.iter().map(|x| x % 11).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));

    let mut descending: Vec<u64> = a.iter().copied().collect();
    descending.sort_by(|x, y| y.cmp(x));
    let sorted: Vec<u64> = a.clone().par_sorted_by(|x, y| y.cmp(x)).collect();
    assert_eq!(sorted, descending);
    let sorted: Vec<u64> = a.clone().par_sorted_unstable_by(|x, y| y.cmp(x)).collect();
    assert_eq!(sorted, descending);
}

#[test]
fn par_drain_removes_the_range_in_order_and_hands_it_out() {
    let mut d = holey();
    let mut sequential = d.clone();
    let expected: Vec<(u64, u64)> = sequential.drain(100..250).collect();
    let keys_version = d.keys_version();
    let drained: Vec<(u64, u64)> = d.par_drain(100..250).collect();
    assert_eq!(drained, expected);
    assert_eq!(drained.len(), 150);
    assert!(d.iter().eq(sequential.iter()));
    assert_ne!(d.keys_version(), keys_version);
    d.check_invariants().unwrap();
    // Dropped unused: the range is gone all the same.
    let before = d.len();
    drop(d.par_drain(..10));
    assert_eq!(d.len(), before - 10);

    let mut s: Set<u64> = holey().keys().copied().collect();
    let mut sequential = s.clone();
    let expected: Vec<u64> = sequential.drain(5..).collect();
    assert_eq!(s.par_drain(5..).collect::<Vec<_>>(), expected);
    assert!(s.iter().eq(sequential.iter()));
}

#[test]
fn a_mutable_dict_iterates_in_parallel_with_mutable_values() {
    let mut d = holey();
    let version = d.version();
    (&mut d).into_par_iter().for_each(|(_, v)| *v += 1);
    assert_ne!(d.version(), version);
    assert!(d
        .iter()
        .zip(holey().iter())
        .all(|(a, b)| a.0 == b.0 && *a.1 == *b.1 + 1));
}

#[test]
fn slices_iterate_in_parallel_over_just_their_range() {
    let mut d = holey();
    let slice = d.get_range(100..2_000).unwrap();
    let sequential: Vec<(&u64, &u64)> = slice.iter().collect();
    assert_eq!(slice.par_iter().collect::<Vec<_>>(), sequential);
    assert_eq!(slice.into_par_iter().count(), 1_900);
    assert_eq!(
        slice.par_keys().copied().collect::<Vec<_>>(),
        slice.keys().copied().collect::<Vec<_>>()
    );
    assert_eq!(slice.par_values().sum::<u64>(), slice.values().sum::<u64>());
    assert_eq!(d.get_range(5..5).unwrap().par_iter().count(), 0);

    let before: Vec<(u64, u64)> = d.iter().map(|(k, v)| (*k, *v)).collect();
    let mut middle = d.get_range_mut(100..2_000).unwrap();
    middle.par_values_mut().for_each(|v| *v += 1);
    middle.into_par_iter().for_each(|(_, v)| *v += 1);
    for (position, ((k, v), (k0, v0))) in d.iter().zip(&before).enumerate() {
        let added = if (100..2_000).contains(&position) {
            2
        } else {
            0
        };
        assert_eq!((*k, *v), (*k0, v0 + added), "position {position}");
    }
}
