//! Adversarial keys: with a hasher that sends every key to one hash, every operation walks one
//! probe chain and compares keys all the way. The dict must stay correct (and finish).

mod common;

use common::OneHash;
use vdict::Dict;

const N: u32 = 2000;

#[test]
fn two_thousand_keys_with_one_hash_stay_correct() {
    let mut d: Dict<u32, u32, OneHash> = Dict::with_hasher(OneHash);
    for k in 0..N {
        assert_eq!(d.insert(k, k * 2), None);
    }
    assert_eq!(d.len(), N as usize);
    d.check_invariants().unwrap();

    for k in 0..N {
        assert_eq!(d.get(&k), Some(&(k * 2)), "key {k}");
    }
    for k in N..N + 100 {
        assert_eq!(d.get(&k), None, "missing key {k} must be reported missing");
    }

    // Remove the odd keys, then check the even ones, the order, and the table.
    for k in (1..N).step_by(2) {
        assert_eq!(d.remove(&k), Some(k * 2));
    }
    for k in 0..N {
        assert_eq!(d.contains_key(&k), k % 2 == 0, "key {k}");
    }
    assert!(d.keys().copied().eq((0..N).step_by(2)));
    d.check_invariants().unwrap();

    // Reinsert and overwrite through the long run of tombstones.
    for k in (1..N).step_by(2) {
        assert_eq!(d.insert(k, 1), None);
    }
    for k in (0..N).step_by(2) {
        assert_eq!(d.insert(k, 0), Some(k * 2));
    }
    assert_eq!(d.len(), N as usize);
    d.check_invariants().unwrap();

    while let Some((k, _)) = d.pop_last() {
        assert!(!d.contains_key(&k));
    }
    assert!(d.is_empty());
    assert_eq!(d.get(&0), None);
    d.check_invariants().unwrap();
}

#[test]
fn string_keys_with_one_hash_look_up_by_str() {
    let mut d: Dict<String, usize, OneHash> = Dict::with_hasher(OneHash);
    let names: Vec<String> = (0..300).map(|i| format!("name_{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        d.insert(name.clone(), i);
    }
    for (i, name) in names.iter().enumerate() {
        assert_eq!(d.get(name.as_str()), Some(&i));
    }
    assert_eq!(d.get("name_300"), None);
    d.check_invariants().unwrap();
}

/// Keys wider than a machine word take their own branch of the lookup (`entry_is_key` marks
/// "equal hashes, unequal keys" rare for them), so `String` keys get the same workout as the
/// `u32` keys above, checked against indexmap after inserts, order-keeping removals and
/// overwrites: with one hash for every key (every probe compares keys whose hashes are
/// equal), with three, and with the default hasher.
#[test]
fn string_keys_agree_with_indexmap_through_collisions_removals_and_overwrites() {
    fn exercise<S: std::hash::BuildHasher>(mut d: Dict<String, usize, S>) {
        let mut model: indexmap::IndexMap<String, usize> = indexmap::IndexMap::new();
        let name = |i: usize| format!("global_name_{i}");
        for i in 0..400 {
            assert_eq!(d.insert(name(i), i), model.insert(name(i), i));
        }
        for i in (0..400).step_by(3) {
            assert_eq!(d.remove(name(i).as_str()), model.shift_remove(&name(i)));
        }
        for i in (0..420).step_by(2) {
            assert_eq!(d.insert(name(i), i + 1000), model.insert(name(i), i + 1000));
        }
        for i in 0..450 {
            assert_eq!(d.get(name(i).as_str()), model.get(&name(i)), "{}", name(i));
        }
        assert!(d.iter().eq(model.iter()), "order differs from the model");
        d.check_invariants().unwrap();
    }
    exercise(Dict::with_hasher(OneHash));
    exercise(Dict::with_hasher(common::FewHashes::default()));
    exercise(Dict::new());
}
