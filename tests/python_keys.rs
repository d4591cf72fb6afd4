//! Keys the caller compares (`src/dict/caller_eq.rs`), tested the way CPython's
//! `Lib/test/test_dict.py` tests its dict with keys whose `__eq__` raises or mutates: through
//! the small VM of `examples/python_keys.rs`, and against a real CPython running
//! `examples/python_keys.py` (the same scenarios), whose output must be the same.

#[path = "../examples/python_keys.rs"]
mod python_keys;

use python_keys::{nasty, Mutation, Obj, PyErr, PySet, Vm};
use std::cell::RefCell;
use std::process::Command;
use std::rc::Rc;
use vdict::dict::{Candidate, EntryWith, IterationError};
use vdict::{Dict, Set};

fn new_dict() -> python_keys::PyDict {
    Rc::new(RefCell::new(Dict::new()))
}

fn new_set() -> PySet {
    Rc::new(RefCell::new(Set::new()))
}

fn int(obj: &Obj) -> i64 {
    match obj {
        Obj::Int(i) => *i,
        _ => panic!("not an int"),
    }
}

#[test]
fn cpython_prints_what_the_example_prints() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/python_keys.py");
    let output = match Command::new("python3").arg(script).output() {
        Ok(output) => output,
        Err(error) if std::env::var_os("CI").is_none() => {
            eprintln!("python3 not runnable ({error}): skipping the differential check");
            return;
        }
        Err(error) => panic!("CI needs python3 for the differential check: {error}"),
    };
    assert!(
        output.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cpython = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(python_keys::scenarios(), cpython);
}

#[test]
fn an_eq_that_raises_surfaces_its_error_and_changes_nothing() {
    let vm = Vm::default();
    let d = new_dict();
    for i in 0..20 {
        vm.setitem(&d, nasty(i, i % 3), Obj::Int(i)).unwrap();
    }
    let (version, keys_version) = (d.borrow().version(), d.borrow().keys_version());
    vm.on_next_eq(&d, Mutation::Raise("ValueError"));
    assert_eq!(
        vm.getitem(&d, &nasty(100, 1)).err(),
        Some(PyErr("ValueError".into()))
    );
    vm.on_next_eq(&d, Mutation::Raise("ValueError"));
    assert!(vm.setitem(&d, nasty(100, 1), Obj::Int(0)).is_err());
    assert_eq!(d.borrow().version(), version);
    assert_eq!(d.borrow().keys_version(), keys_version);
    assert_eq!(d.borrow().len(), 20);

    // The closure form: the error comes back as it is, and the dict is as it was.
    let before = d.borrow().version();
    let result = d.borrow().find_with(1, |_| Err::<bool, _>("boom"));
    assert_eq!(result, Err("boom"));
    assert_eq!(d.borrow().version(), before);
    d.borrow_mut()
        .check_invariants_with(|k| vm.hash(k))
        .unwrap();
}

#[test]
fn compares_that_insert_delete_or_clear_restart_the_lookup() {
    let vm = Vm::default();
    // Every mutation at every position of a chain of equal hashes: the lookup ends, and its
    // answer is what a lookup in the dict as it is afterwards gives.
    for n in 1..12 {
        for victim in 0..n {
            for kind in 0..4 {
                let d = new_dict();
                let keys: Vec<Obj> = (0..n).map(|i| nasty(i, 5)).collect();
                for (i, key) in keys.iter().enumerate() {
                    vm.setitem(&d, key.clone(), Obj::Int(i as i64)).unwrap();
                }
                let mutation = match kind {
                    0 => Mutation::Delete(keys[victim as usize].clone()),
                    1 => Mutation::Insert(nasty(100 + victim, 5), Obj::Int(-1)),
                    2 => Mutation::Insert(Obj::Int(victim), Obj::Int(-2)),
                    _ => Mutation::Clear,
                };
                vm.on_next_eq(&d, mutation);
                let sought = nasty(n - 1, 5); // equal to the last key, not identical
                let got = vm.lookup(&d, &sought).unwrap();
                // What a plain lookup now says (no mutation armed any more).
                let again = vm.lookup(&d, &sought).unwrap();
                assert_eq!(got, again, "n {n}, victim {victim}, kind {kind}");
                if let Some(slot) = got {
                    let dict = d.borrow();
                    let (key, _) = dict.slot(slot).expect("a found slot is live");
                    assert!(matches!(key, Obj::Nasty(k) if k.value == n - 1));
                }
                d.borrow().check_invariants_with(|k| vm.hash(k)).unwrap();
            }
        }
    }
}

#[test]
fn an_eq_inconsistent_with_hash_is_never_asked_about_other_hashes() {
    let vm = Vm::default();
    let d = new_dict();
    // Equal values, 50 hashes, none differing from another in bit 56 alone (see `Probe`).
    for i in 2..52 {
        vm.setitem(&d, nasty(7, i), Obj::Int(i)).unwrap();
    }
    assert_eq!(d.borrow().len(), 50);
    let calls = vm.eq_calls.get();
    assert_eq!(int(&vm.getitem(&d, &nasty(7, 31)).unwrap()), 31);
    // Only the entry stored under hash 31 was compared, whatever the 7-bit tags matched.
    assert_eq!(vm.eq_calls.get() - calls, 1);
}

#[test]
fn iteration_raises_at_the_next_step_after_a_change_of_keys() {
    let mut d: Dict<u64, u64> = (0..10).map(|i| (i, i)).collect();
    let mut cursor = d.slot_cursor();
    assert_eq!(cursor.next(&d), Ok(Some((0, &0, &0))));
    *d.get_mut(&5).unwrap() = 50; // a value: allowed
    assert_eq!(cursor.next(&d), Ok(Some((1, &1, &1))));
    d.insert(10, 10);
    assert_eq!(cursor.next(&d), Err(IterationError::ChangedSize));
    let mut cursor = d.slot_cursor();
    d.remove(&3);
    d.insert(11, 11); // same size, other keys
    assert_eq!(cursor.next(&d), Err(IterationError::KeysChanged));
    assert_eq!(
        IterationError::ChangedSize.to_string(),
        "dictionary changed size during iteration"
    );
    // A cursor walks the live entries in order, past holes.
    let mut cursor = d.slot_cursor();
    let mut keys = Vec::new();
    while let Some((_, key, _)) = cursor.next(&d).unwrap() {
        keys.push(*key);
    }
    assert_eq!(keys, d.keys().copied().collect::<Vec<_>>());
}

/// A key that is neither `Hash` nor `Eq`.
struct Opaque {
    id: u32,
}

#[test]
fn keys_without_hash_or_eq_live_in_a_dict_used_through_the_caller_api() {
    let hash = |id: u32| u64::from(id % 7); // many collisions
    let mut d: Dict<Opaque, String> = Dict::new();
    for id in 0..100 {
        let found = d.find_with(hash(id), |k| Ok::<_, ()>(k.id == id)).unwrap();
        assert_eq!(found, None);
        d.insert_unique(hash(id), Opaque { id }, format!("v{id}"));
    }
    for id in (0..100).step_by(3) {
        let slot = d.find_with(hash(id), |k| Ok::<_, ()>(k.id == id)).unwrap();
        let (key, value) = d.remove_at(slot.unwrap()).unwrap();
        assert_eq!((key.id, value), (id, format!("v{id}")));
    }
    for id in 0..100 {
        let got = d.get_with(hash(id), |k| Ok::<_, ()>(k.id == id)).unwrap();
        assert_eq!(
            got.map(|(_, v)| v.clone()),
            (id % 3 != 0).then(|| format!("v{id}"))
        );
    }
    // Overwrite by slot, entry_with both ways.
    let slot = d
        .find_with(hash(1), |k| Ok::<_, ()>(k.id == 1))
        .unwrap()
        .unwrap();
    assert_eq!(d.replace_at(slot, "one".into()), Ok("v1".to_string()));
    assert_eq!(d.replace_at(usize::MAX, "x".into()), Err("x".to_string()));
    match d.entry_with(hash(1), |k| Ok::<_, ()>(k.id == 1)).unwrap() {
        EntryWith::Occupied(entry) => assert_eq!(entry.get(), "one"),
        EntryWith::Vacant(_) => panic!("1 is present"),
    }
    match d.entry_with(hash(0), |k| Ok::<_, ()>(k.id == 0)).unwrap() {
        EntryWith::Occupied(_) => panic!("0 was removed"),
        EntryWith::Vacant(entry) => {
            entry.insert(Opaque { id: 0 }, "zero".into());
        }
    }
    assert_eq!(d.keys().next_back().map(|k| k.id), Some(0));
    d.check_invariants_with(|k| hash(k.id)).unwrap();
}

#[test]
fn the_probe_hands_out_only_entries_of_the_hash_sought_in_probe_order() {
    let mut d: Dict<u64, u64> = Dict::new();
    // Keys 0..40 under 4 hashes.
    for key in 0..40u64 {
        d.insert_unique(key % 4, key, key);
    }
    let mut probe = d.probe(2);
    let mut seen = Vec::new();
    loop {
        match d.next_candidate(&mut probe) {
            Candidate::Key { slot, key } => {
                assert_eq!(d.slot(slot).map(|(k, _)| k), Some(key));
                seen.push(*key);
            }
            Candidate::Absent => break,
            Candidate::Changed => panic!("nothing changed"),
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..40).filter(|k| k % 4 == 2).collect::<Vec<_>>());
    // A change between steps is reported, and stays reported.
    let mut probe = d.probe(1);
    assert!(matches!(
        d.next_candidate(&mut probe),
        Candidate::Key { .. }
    ));
    d.insert_unique(1, 1000, 0);
    assert_eq!(d.next_candidate(&mut probe), Candidate::Changed);
    assert_eq!(d.next_candidate(&mut probe), Candidate::Changed);
}

#[test]
fn the_closure_lookup_agrees_with_get() {
    let d: Dict<u64, u64> = (0..5000u64).map(|i| (i * 7919, i)).collect();
    for probe in 0..20_000u64 {
        let hash = d.hash_key(&probe);
        let with = d
            .get_with(hash, |k| Ok::<_, ()>(*k == probe))
            .unwrap()
            .map(|(_, v)| v);
        assert_eq!(with, d.get(&probe));
    }
}

// The set's side of the API (`src/set/caller_eq.rs`), through the same VM.

#[test]
fn a_set_whose_eq_raises_surfaces_the_error_and_changes_nothing() {
    let vm = Vm::default();
    let s = new_set();
    for i in 0..20 {
        vm.add(&s, nasty(i, i % 3)).unwrap();
    }
    let (version, keys_version) = (s.borrow().version(), s.borrow().keys_version());
    vm.on_next_eq_in_set(&s, Mutation::Raise("ValueError"));
    assert_eq!(
        vm.contains(&s, &nasty(100, 1)).err(),
        Some(PyErr("ValueError".into()))
    );
    vm.on_next_eq_in_set(&s, Mutation::Raise("ValueError"));
    assert!(vm.add(&s, nasty(100, 1)).is_err());
    assert_eq!(s.borrow().version(), version);
    assert_eq!(s.borrow().keys_version(), keys_version);
    assert_eq!(s.borrow().len(), 20);
    // The closure forms: the error comes back as it is, and the set is as it was.
    assert_eq!(
        s.borrow().find_with(1, |_| Err::<bool, _>("boom")),
        Err("boom")
    );
    let added = s
        .borrow_mut()
        .insert_with(1, |_| Err::<bool, _>("boom"), || Obj::Int(0));
    assert_eq!(added, Err("boom"));
    assert_eq!(s.borrow().version(), version);
    s.borrow()
        .as_dict()
        .check_invariants_with(|k| vm.hash(k))
        .unwrap();
}

#[test]
fn set_compares_that_add_discard_or_clear_restart_the_lookup() {
    let vm = Vm::default();
    // Every mutation at every position of a chain of equal hashes: `in` ends, and its answer
    // is what it gives in the set as it is afterwards.
    for n in 1..10 {
        for victim in 0..n {
            for kind in 0..3 {
                let s = new_set();
                let elems: Vec<Obj> = (0..n).map(|i| nasty(i, 5)).collect();
                for elem in &elems {
                    vm.add(&s, elem.clone()).unwrap();
                }
                let mutation = match kind {
                    0 => Mutation::Delete(elems[victim as usize].clone()),
                    1 => Mutation::Insert(nasty(100 + victim, 5), Obj::Int(0)),
                    _ => Mutation::Clear,
                };
                vm.on_next_eq_in_set(&s, mutation);
                let sought = nasty(n - 1, 5); // equal to the last element, not identical
                let got = vm.contains(&s, &sought).unwrap();
                let again = vm.contains(&s, &sought).unwrap();
                assert_eq!(got, again, "n {n}, victim {victim}, kind {kind}");
                s.borrow()
                    .as_dict()
                    .check_invariants_with(|k| vm.hash(k))
                    .unwrap();
            }
        }
    }
}

#[test]
fn elements_without_hash_or_eq_live_in_a_set_used_through_the_caller_api() {
    let hash = |id: u32| u64::from(id % 7); // many collisions
    let mut s: Set<Opaque> = Set::new();
    for id in 0..100 {
        let added = s.insert_with(hash(id), |e| Ok::<_, ()>(e.id == id), || Opaque { id });
        assert_eq!(added, Ok((id as usize, true)));
    }
    // Adding again finds the element, and makes nothing.
    let again = s.insert_with(hash(5), |e| Ok::<_, ()>(e.id == 5), || panic!("made"));
    assert_eq!(again, Ok((5, false)));
    for id in (0..100).step_by(3) {
        let slot = s.find_with(hash(id), |e| Ok::<_, ()>(e.id == id)).unwrap();
        let keys_version = s.keys_version();
        assert_eq!(s.remove_at(slot.unwrap()).map(|e| e.id), Some(id));
        // The removal may have moved another element into the slot (the set compacts as it
        // goes): the keys version says so, and the slot is to be found again.
        assert_ne!(s.keys_version(), keys_version);
        assert_eq!(s.find_with(hash(id), |e| Ok::<_, ()>(e.id == id)), Ok(None));
    }
    for id in 0..100 {
        let got = s.get_with(hash(id), |e| Ok::<_, ()>(e.id == id)).unwrap();
        assert_eq!(got.map(|e| e.id), (id % 3 != 0).then_some(id));
    }
    // The elements left, in insertion order, slot by slot past the holes.
    let by_slot: Vec<u32> = (0..s.slot_count())
        .filter_map(|slot| s.slot(slot).map(|e| e.id))
        .collect();
    assert_eq!(
        by_slot,
        (0..100).filter(|id| id % 3 != 0).collect::<Vec<_>>()
    );
    let slot = s.insert_unique(hash(0), Opaque { id: 0 });
    assert_eq!(s.slot(slot).map(|e| e.id), Some(0));
    assert_eq!(s.iter().next_back().map(|e| e.id), Some(0));
    s.as_dict().check_invariants_with(|e| hash(e.id)).unwrap();
}

#[test]
fn insert_with_agrees_with_insert() {
    // The same words added both ways: the same elements in the same order, and each set's
    // own lookups find what the other way added.
    let words: Vec<String> = (0..3000u64)
        .map(|i| format!("w{}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15) % 1000))
        .collect();
    let mut plain: Set<String> = Set::new();
    let mut with: Set<String> = Set::new();
    for word in &words {
        let (position, added) = plain.insert_full(word.clone());
        let hash = with.as_dict().hash_key(word);
        let result = with.insert_with(hash, |w| Ok::<_, ()>(w == word), || word.clone());
        assert_eq!(result, Ok((position, added)), "{word}");
    }
    assert!(plain.iter().eq(with.iter()));
    assert!(words.iter().all(|word| with.contains(word)));
}

#[test]
fn a_set_cursor_stops_once_the_elements_changed() {
    let mut s: Set<u64> = (0..10).collect();
    let mut cursor = s.slot_cursor();
    assert_eq!(cursor.next_value(&s), Ok(Some((0, &0))));
    s.insert(5); // already there: nothing changes
    assert_eq!(cursor.next_value(&s), Ok(Some((1, &1))));
    s.insert(10);
    assert_eq!(cursor.next_value(&s), Err(IterationError::ChangedSize));
    let mut cursor = s.slot_cursor();
    s.remove(&3);
    s.insert(11); // same size, other elements
    assert_eq!(cursor.next_value(&s), Err(IterationError::KeysChanged));
    // A cursor walks the live elements in order, past holes.
    let mut cursor = s.slot_cursor();
    let mut seen = Vec::new();
    while let Some((slot, elem)) = cursor.next_value(&s).unwrap() {
        assert_eq!(s.slot(slot), Some(elem));
        seen.push(*elem);
    }
    assert_eq!(seen, s.iter().copied().collect::<Vec<_>>());
}
