//! Adversarial keys: with a hasher that sends every key to one hash, every operation walks one
//! probe chain and compares keys all the way. The dict must stay correct (and finish).

mod common;

use common::OneHash;
use vdict::dict::Candidate;
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

/// A hasher under which one key hashes to 0 and another to `1 << 56` (the dict stores both as
/// `1 << 56`: it sets bit 56 of every hash), and every other key to its hasher state times an odd constant. The state is
/// a `u64` key itself, or for a string a fold of its bytes.
#[derive(Clone, Copy, Default)]
struct ZeroAndItsStoredForm;

struct ZeroAndItsStoredFormHasher(u64);

/// The hasher state of a `str` (its bytes, then the 0xff that `str`'s `Hash` writes).
fn state_of(s: &str) -> u64 {
    s.bytes()
        .chain([0xff])
        .fold(0, |state, b| state.wrapping_mul(31).wrapping_add(b as u64))
}

impl std::hash::BuildHasher for ZeroAndItsStoredForm {
    type Hasher = ZeroAndItsStoredFormHasher;
    fn build_hasher(&self) -> ZeroAndItsStoredFormHasher {
        ZeroAndItsStoredFormHasher(0)
    }
}

impl std::hash::Hasher for ZeroAndItsStoredFormHasher {
    fn finish(&self) -> u64 {
        if self.0 == state_of("zero") {
            0
        } else if self.0 == state_of("stored") {
            1 << 56
        } else {
            self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        }
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.wrapping_mul(31).wrapping_add(b as u64);
        }
    }
    fn write_u64(&mut self, k: u64) {
        self.0 = k;
    }
}

/// Lookups probe with the hasher's output and the index is laid out by stored hashes; a hash of
/// 0 is stored as `1 << 56`, as is `1 << 56` itself. Both keys must be found, by every kind of lookup, at every index
/// width (2-byte slots up to 65,536 entries, 4-byte beyond), plain-word keys (compared without
/// their stored hashes) and strings (stored hashes compared first) alike.
#[test]
fn a_key_hashing_to_zero_and_one_hashing_to_its_stored_form_are_both_found() {
    let special = [state_of("zero"), state_of("stored")];
    let mut d: Dict<u64, u64, ZeroAndItsStoredForm> = Dict::with_hasher(ZeroAndItsStoredForm);
    assert_eq!(d.hash_key(&special[0]), 0);
    assert_eq!(d.hash_key(&special[1]), 1 << 56);
    for (i, key) in special.into_iter().chain(1000..71_000).enumerate() {
        d.insert(key, i as u64);
        if i == 5 || i == 70_001 {
            for (position, key) in special.into_iter().enumerate() {
                assert_eq!(d.get(&key), Some(&(position as u64)), "at {} keys", d.len());
                assert_eq!(d.get_index_of(&key), Some(position));
                let hash = d.hash_key(&key);
                let found = d.get_with(hash, |stored| Ok::<_, ()>(*stored == key));
                assert_eq!(found, Ok(Some((&key, &(position as u64)))));
                let slot = d.find_with(hash, |stored| Ok::<_, ()>(*stored == key));
                assert_eq!(slot, Ok(Some(position)));
            }
            assert_eq!(d.get(&999), None);
        }
    }
    d.check_invariants().unwrap();
    assert_eq!(d.remove(&special[0]), Some(0));
    assert_eq!(d.get(&special[1]), Some(&1));
    assert_eq!(d.get(&special[0]), None);
    d.check_invariants().unwrap();

    let mut s: Dict<String, u64, ZeroAndItsStoredForm> = Dict::with_hasher(ZeroAndItsStoredForm);
    assert_eq!(s.hash_key("zero"), 0);
    for (i, key) in ["zero", "stored", "other"].into_iter().enumerate() {
        s.insert(key.to_string(), i as u64);
    }
    for (i, key) in ["zero", "stored", "other"].into_iter().enumerate() {
        assert_eq!(s.get(key), Some(&(i as u64)));
        let found = s.get_with(s.hash_key(key), |stored| Ok::<_, ()>(stored == key));
        assert_eq!(found.unwrap().map(|(_, v)| *v), Some(i as u64));
    }
    assert_eq!(s.get("absent"), None);
    s.check_invariants().unwrap();
}

/// The dict keeps bit 56 set in every stored hash, so keys whose hashes differ in that bit
/// alone share a stored hash: each is still found by every caller-compared lookup (the
/// caller's equality tells them apart), and a step-by-step probe offers both as candidates,
/// as `Probe`'s documentation says.
#[test]
fn keys_whose_hashes_differ_only_in_bit_56_are_told_apart_by_the_callers_equality() {
    const BIT_56: u64 = 1 << 56;
    let low = 0x0123_4567_89ab_cdef & !BIT_56;
    let mut d: Dict<&str, u64> = Dict::new();
    assert_eq!(d.insert_unique(low, "low", 1), 0);
    assert_eq!(d.insert_unique(low | BIT_56, "high", 2), 1);
    d.check_invariants_with(|key| if *key == "low" { low } else { low | BIT_56 })
        .unwrap();
    for (hash, key, value) in [(low, "low", 1), (low | BIT_56, "high", 2)] {
        let found = d.get_with(hash, |stored| Ok::<_, ()>(*stored == key));
        assert_eq!(found, Ok(Some((&key, &value))));
        let mut probe = d.probe(hash);
        let mut candidates = Vec::new();
        while let Candidate::Key { key, .. } = d.next_candidate(&mut probe) {
            candidates.push(*key);
        }
        assert_eq!(candidates, ["low", "high"], "hash {hash:#x}");
    }
    let absent = d.get_with(low, |stored| Ok::<_, ()>(*stored == "neither"));
    assert_eq!(absent, Ok(None));
}

/// `move_index` renumbers the index in place: the moved entry's bucket first, then each
/// shifted entry's bucket found by its hash, or, past half the index's capacity, a sweep of
/// every bucket. With every key under one hash (so every bucket a lookup of a number may
/// meet holds the same 7-bit tag) and with a few hashes, over short and long moves both
/// ways, with and without holes, each move agrees with a `Vec`'s and leaves a sound table.
#[test]
fn moves_renumber_the_index_through_collisions() {
    fn check<S: std::hash::BuildHasher>(mut d: Dict<u32, u32, S>, name: &str) {
        let n = 300u32;
        for k in 0..n {
            d.insert(k, k);
        }
        // Holes: the move squeezes them out first.
        for k in (0..n).step_by(7) {
            d.remove(&k);
        }
        let mut model: Vec<u32> = d.keys().copied().collect();
        let len = model.len();
        let moves = [
            (0, len - 1),
            (len - 1, 0),
            (3, 5),
            (5, 3),
            (10, 200),
            (200, 10),
            (len - 2, len - 1),
            (len / 2, len / 2 + 1),
            (7, 7),
        ];
        for (from, to) in moves {
            d.move_index(from, to);
            let moved = model.remove(from);
            model.insert(to, moved);
            assert_eq!(d.check_invariants(), Ok(()), "{name}: move {from} -> {to}");
            assert!(d.keys().eq(model.iter()), "{name}: move {from} -> {to}");
            for (position, key) in model.iter().enumerate() {
                assert_eq!(d.get_index_of(key), Some(position), "{name}: key {key}");
            }
        }
        // `shift_insert` of a new key goes in through the same move, from the end.
        d.shift_insert(4, 10_000, 0);
        model.insert(4, 10_000);
        assert_eq!(d.check_invariants(), Ok(()), "{name}: shift_insert");
        assert!(d.keys().eq(model.iter()), "{name}: shift_insert");
    }
    check(Dict::with_hasher(OneHash), "one hash");
    check(
        Dict::with_hasher(common::FewHashes { buckets: 5 }),
        "five hashes",
    );
    check(Dict::new(), "the default hasher");
}
