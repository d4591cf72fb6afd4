//! Panic safety: a key whose `Hash` or `Eq` panics, or a value whose `Drop` panics, never
//! leaves the dict inconsistent, and nothing is leaked or dropped twice.
//!
//! The rigged types read thread-local switches, so each test arms exactly the failure it wants
//! and disarms it before checking the dict.

use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use vdict::Dict;

thread_local! {
    /// Calls to `Hash`/`Eq` allowed before they panic; `None` means never panic.
    static HASH_CALLS_LEFT: Cell<Option<u32>> = const { Cell::new(None) };
    static EQ_CALLS_LEFT: Cell<Option<u32>> = const { Cell::new(None) };
    static DROP_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// Counts down the switch and panics when it reaches zero.
fn tick(switch: &'static std::thread::LocalKey<Cell<Option<u32>>>, what: &str) {
    switch.with(|left| match left.get() {
        Some(0) => panic!("rigged {what} panics"),
        Some(n) => left.set(Some(n - 1)),
        None => {}
    });
}

fn disarm() {
    HASH_CALLS_LEFT.with(|c| c.set(None));
    EQ_CALLS_LEFT.with(|c| c.set(None));
    DROP_PANICS.with(|c| c.set(false));
}

/// A key whose `Hash` and `Eq` can be rigged to panic. Its hash is `id % 4`-heavy so that
/// keys collide and lookups call `Eq` a lot. It holds an `Rc` so leaks and double drops show.
#[derive(Clone)]
struct Rigged {
    id: u32,
    _token: Rc<()>,
}

impl Hash for Rigged {
    fn hash<H: Hasher>(&self, state: &mut H) {
        tick(&HASH_CALLS_LEFT, "Hash");
        (self.id % 4).hash(state);
    }
}

impl PartialEq for Rigged {
    fn eq(&self, other: &Self) -> bool {
        tick(&EQ_CALLS_LEFT, "Eq");
        self.id == other.id
    }
}
impl Eq for Rigged {}

/// A value whose `Drop` panics once when `DROP_PANICS` is set (once: a second panic while
/// unwinding would abort the test process).
struct Bomb {
    _token: Rc<()>,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if DROP_PANICS.with(|c| c.replace(false)) {
            panic!("rigged Drop panics");
        }
    }
}

fn key(id: u32, token: &Rc<()>) -> Rigged {
    Rigged {
        id,
        _token: token.clone(),
    }
}

fn ids(d: &Dict<Rigged, u32>) -> Vec<u32> {
    d.keys().map(|k| k.id).collect()
}

/// Fills a dict with keys `0..n`, then removes every third to leave holes and tombstones.
fn holey_dict(token: &Rc<()>, n: u32) -> Dict<Rigged, u32> {
    let mut d = Dict::new();
    for id in 0..n {
        d.insert(key(id, token), id);
    }
    for id in (0..n).step_by(3) {
        d.remove(&key(id, token));
    }
    d
}

#[test]
fn panicking_hash_mid_insert_changes_nothing() {
    let token = Rc::new(());
    let mut d = holey_dict(&token, 40);
    let before = ids(&d);
    let version = d.version();
    HASH_CALLS_LEFT.with(|c| c.set(Some(0)));
    let result = catch_unwind(AssertUnwindSafe(|| d.insert(key(1000, &token), 1)));
    disarm();
    assert!(result.is_err());
    assert_eq!(d.check_invariants(), Ok(()));
    assert_eq!(ids(&d), before);
    assert_eq!(d.version(), version);
    drop(d);
    assert_eq!(
        Rc::strong_count(&token),
        1,
        "a key leaked or was dropped twice"
    );
}

#[test]
fn panicking_eq_at_every_point_of_a_colliding_insert_changes_nothing() {
    let token = Rc::new(());
    // Try the panic at the first, second, ... Eq call of the insert.
    for allowed in 0..12 {
        let mut d = holey_dict(&token, 40);
        let before = ids(&d);
        EQ_CALLS_LEFT.with(|c| c.set(Some(allowed)));
        let result = catch_unwind(AssertUnwindSafe(|| {
            d.insert(key(4000 + allowed, &token), 1)
        }));
        disarm();
        assert_eq!(
            d.check_invariants(),
            Ok(()),
            "Eq panicked after {allowed} calls"
        );
        match result {
            Err(_) => assert_eq!(ids(&d), before),
            Ok(_) => assert_eq!(d.len(), before.len() + 1), // fewer Eq calls than allowed
        }
    }
    assert_eq!(Rc::strong_count(&token), 1);
}

#[test]
fn panicking_eq_mid_remove_changes_nothing() {
    let token = Rc::new(());
    let mut d = holey_dict(&token, 40);
    let before = ids(&d);
    EQ_CALLS_LEFT.with(|c| c.set(Some(2)));
    let result = catch_unwind(AssertUnwindSafe(|| d.remove(&key(38, &token))));
    disarm();
    assert!(
        result.is_err(),
        "a colliding remove must compare keys more than twice"
    );
    assert_eq!(d.check_invariants(), Ok(()));
    assert_eq!(ids(&d), before);
}

#[test]
fn a_rebuild_calls_neither_hash_nor_eq() {
    let token = Rc::new(());
    let mut d = Dict::new();
    // Insert until the next insert must rebuild, then allow that insert exactly one Hash call
    // (its own key's) and no Eq at all beyond its lookup's.
    let mut id = 0;
    while d.is_empty() || d.len() < d.capacity() {
        d.insert(key(id * 4 + 1, &token), id); // all share hash 1: a long chain
        id += 1;
    }
    let full = d.capacity();
    let new_key = key(2, &token); // hash 2: no Eq call on a lookup of a distinct hash
    HASH_CALLS_LEFT.with(|c| c.set(Some(1)));
    EQ_CALLS_LEFT.with(|c| c.set(Some(0)));
    d.insert(new_key, 99); // would panic if the rebuild hashed or compared anything
    disarm();
    assert!(
        d.capacity() > full,
        "the insert was meant to grow the table"
    );
    assert_eq!(d.check_invariants(), Ok(()));
    assert_eq!(d.len(), full + 1);
}

#[test]
fn panicking_drop_during_clear_leaves_an_empty_dict_and_drops_the_rest() {
    let token = Rc::new(());
    let mut d = Dict::new();
    for i in 0..20u32 {
        d.insert(
            i,
            Bomb {
                _token: token.clone(),
            },
        );
    }
    DROP_PANICS.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| d.clear()));
    disarm();
    assert!(result.is_err());
    assert!(d.is_empty());
    assert_eq!(d.check_invariants(), Ok(()));
    // The rest were still dropped: only the token's own count remains.
    assert_eq!(Rc::strong_count(&token), 1);
    d.insert(
        1,
        Bomb {
            _token: token.clone(),
        },
    );
    assert_eq!(d.len(), 1);
}

#[test]
fn panicking_drop_during_retain_leaves_a_consistent_dict() {
    let token = Rc::new(());
    let mut d = Dict::new();
    for i in 0..30u32 {
        d.insert(
            i,
            Bomb {
                _token: token.clone(),
            },
        );
    }
    let version = d.version();
    DROP_PANICS.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| d.retain(|k, _| k % 5 != 2)));
    disarm();
    assert!(result.is_err());
    assert_eq!(d.check_invariants(), Ok(()));
    assert_ne!(
        d.version(),
        version,
        "an entry left, so the version must have moved"
    );
    // Key 2 was dropped (its Drop panicked, but it is gone); the rest is intact, in order.
    let mut expected: Vec<u32> = (0..30).collect();
    expected.retain(|&k| k != 2);
    assert_eq!(d.keys().copied().collect::<Vec<_>>(), expected);
    drop(d);
    assert_eq!(Rc::strong_count(&token), 1);
}

#[test]
fn panicking_predicate_during_retain_keeps_what_it_had_not_dropped() {
    let mut d: Dict<u32, u32> = (0..30).map(|i| (i, i)).collect();
    let result = catch_unwind(AssertUnwindSafe(|| {
        d.retain(|&k, _| {
            assert!(k < 20, "rigged predicate panics");
            k % 2 == 0
        })
    }));
    assert!(result.is_err());
    assert_eq!(d.check_invariants(), Ok(()));
    let expected: Vec<u32> = (0..30).filter(|&k| k >= 20 || k % 2 == 0).collect();
    assert_eq!(d.keys().copied().collect::<Vec<_>>(), expected);
}

/// `retain` deletes its first entries one at a time (a probe each) and, past a few in a
/// hundred, the rest in bulk (survivors slide down, the index is rebuilt once at the end). A
/// panic in either phase, from the predicate or from a deleted value's `Drop`, leaves the dict
/// consistent and in order, holding every entry it had not deleted, each value dropped once.
#[test]
fn a_panic_in_either_phase_of_retain_leaves_a_consistent_dict() {
    // Every third key is deleted; of 1,000 entries the first 31 deletions go one at a time,
    // so key 15 (the 6th deletion) panics in the first phase and the others in the second.
    for panic_key in [15u32, 120, 900, 999] {
        for from_drop in [false, true] {
            let token = Rc::new(());
            let mut d: Dict<u32, Bomb> = (0..1_000)
                .map(|k| {
                    let bomb = Bomb {
                        _token: token.clone(),
                    };
                    (k, bomb)
                })
                .collect();
            // A hole before the walk starts, which the bulk phase must squeeze out too.
            d.remove(&500);
            let keys_version = d.keys_version();
            let result = catch_unwind(AssertUnwindSafe(|| {
                d.retain(|&k, _| {
                    if k == panic_key {
                        if from_drop {
                            // The next value dropped is this key's own.
                            DROP_PANICS.with(|c| c.set(true));
                        } else {
                            panic!("rigged predicate panics");
                        }
                    }
                    k % 3 != 0
                })
            }));
            disarm();
            let at = format!("panic at key {panic_key}, from Drop: {from_drop}");
            assert!(result.is_err(), "{at}");
            assert_eq!(d.check_invariants(), Ok(()), "{at}");
            assert_ne!(d.keys_version(), keys_version, "{at}");
            let deleted = |k: u32| k % 3 == 0 && (k < panic_key || (from_drop && k == panic_key));
            let expected: Vec<u32> = (0..1_000).filter(|&k| k != 500 && !deleted(k)).collect();
            assert_eq!(d.keys().copied().collect::<Vec<_>>(), expected, "{at}");
            for (position, k) in expected.iter().enumerate() {
                assert_eq!(d.get_index_of(k), Some(position), "{at}: key {k}");
            }
            drop(d);
            assert_eq!(
                Rc::strong_count(&token),
                1,
                "{at}: a value leaked or was dropped twice"
            );
        }
    }
}

#[test]
fn panicking_drop_of_a_value_in_the_dicts_own_drop_drops_the_rest() {
    let token = Rc::new(());
    let mut d = Dict::new();
    for i in 0..10u32 {
        d.insert(
            i,
            Bomb {
                _token: token.clone(),
            },
        );
    }
    DROP_PANICS.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(move || drop(d)));
    disarm();
    assert!(result.is_err());
    assert_eq!(Rc::strong_count(&token), 1);
}

#[test]
fn panicking_predicate_during_extract_if_keeps_what_it_had_not_taken() {
    let mut d: Dict<u32, u32> = (0..30).map(|i| (i, i)).collect();
    d.remove(&3);
    let mut taken = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        for (k, _) in d.extract_if(.., |&k, _| {
            assert!(k < 20, "rigged predicate panics");
            k % 2 == 0
        }) {
            taken.push(k);
        }
    }));
    assert!(result.is_err());
    assert_eq!(d.check_invariants(), Ok(()));
    assert_eq!(taken, (0..20).step_by(2).collect::<Vec<u32>>());
    let kept: Vec<u32> = (0..30)
        .filter(|&k| k != 3 && (k >= 20 || k % 2 == 1))
        .collect();
    assert_eq!(d.keys().copied().collect::<Vec<_>>(), kept);
}

#[test]
fn panicking_hash_of_a_splice_replacement_leaves_a_consistent_dict_and_leaks_nothing() {
    let token = Rc::new(());
    let mut d = holey_dict(&token, 20);
    let before = ids(&d);
    let replacements = vec![key(100, &token), key(101, &token), key(102, &token)];
    // The second replacement's `Hash` panics: the first is in (at the end), the range is out.
    HASH_CALLS_LEFT.with(|c| c.set(Some(1)));
    let result = catch_unwind(AssertUnwindSafe(|| {
        drop(d.splice(2..5, replacements.into_iter().map(|k| (k, 0))));
    }));
    disarm();
    assert!(result.is_err());
    assert_eq!(d.check_invariants(), Ok(()));
    let mut expected: Vec<u32> = before[..2].iter().chain(&before[5..]).copied().collect();
    expected.push(100);
    assert_eq!(ids(&d), expected);
    drop(d);
    assert_eq!(
        Rc::strong_count(&token),
        1,
        "a key leaked or was dropped twice"
    );
}

/// A sort hands the comparator the live entries as plain buckets, moved out of the entries
/// array and back. A comparator that panics part-way leaves the dict consistent, holding every
/// entry it had (each key and value once: nothing dropped, nothing leaked), in some order,
/// with its room kept; for each sort, from a dict with holes, at early and late compares.
#[test]
fn a_panicking_comparator_leaves_every_entry_in_a_consistent_dict() {
    type Sort = fn(&mut Dict<Rigged, Rc<()>>, &mut dyn FnMut() -> bool);
    let sorts: [(&str, Sort); 4] = [
        ("sort_by", |d, tick| {
            d.sort_by(|a, _, b, _| {
                assert!(tick(), "rigged comparator panics");
                b.id.cmp(&a.id)
            })
        }),
        ("sort_unstable_by", |d, tick| {
            d.sort_unstable_by(|a, _, b, _| {
                assert!(tick(), "rigged comparator panics");
                b.id.cmp(&a.id)
            })
        }),
        ("sort_by_cached_key", |d, tick| {
            d.sort_by_cached_key(|k, _| {
                assert!(tick(), "rigged key function panics");
                u32::MAX - k.id
            })
        }),
        ("sort_unstable_by_key", |d, tick| {
            d.sort_unstable_by_key(|k, _| {
                assert!(tick(), "rigged key function panics");
                u32::MAX - k.id
            })
        }),
    ];
    for (name, sort) in sorts {
        // The dict holds 257 entries: every sort calls the rig at least that often.
        for panic_at in [0, 1, 7, 100, 250] {
            let keys = Rc::new(());
            let values = Rc::new(());
            let mut d: Dict<Rigged, Rc<()>> = Dict::new();
            for i in 0..300 {
                // Scrambled, so that every sort moves entries before it panics.
                d.insert(key(i * 37 % 300, &keys), values.clone());
            }
            for id in (0..300).step_by(7) {
                d.shift_remove(&key(id, &keys));
            }
            let before: std::collections::BTreeSet<u32> = d.keys().map(|k| k.id).collect();
            let capacity = d.capacity();
            let mut calls = 0;
            let mut tick = || {
                calls += 1;
                calls <= panic_at
            };
            let result = catch_unwind(AssertUnwindSafe(|| sort(&mut d, &mut tick)));
            assert!(
                result.is_err(),
                "{name} at {panic_at}: the rig did not fire"
            );
            assert_eq!(d.check_invariants(), Ok(()), "{name} at {panic_at}");
            let after: std::collections::BTreeSet<u32> = d.keys().map(|k| k.id).collect();
            assert_eq!(after, before, "{name} at {panic_at}: entries lost");
            assert_eq!(d.len(), before.len(), "{name} at {panic_at}");
            // One `Rc` per key and per value in the dict, plus the test's own.
            assert_eq!(
                Rc::strong_count(&keys),
                before.len() + 1,
                "{name} at {panic_at}"
            );
            assert_eq!(
                Rc::strong_count(&values),
                before.len() + 1,
                "{name} at {panic_at}"
            );
            assert!(
                d.capacity() >= capacity.min(d.len()),
                "{name} at {panic_at}"
            );
            for &id in &before {
                assert!(
                    d.contains_key(&key(id, &keys)),
                    "{name} at {panic_at}: {id}"
                );
            }
            // And a sort that completes still sorts.
            d.sort_by(|a, _, b, _| a.id.cmp(&b.id));
            assert!(d.keys().map(|k| k.id).eq(before.iter().copied()), "{name}");
        }
    }
}

/// A dict of keys `0..n` with `Bomb` values; `holes` removes every seventh key first, so that
/// drains meet scattered holes as well as a hole-free array.
fn bomb_dict(token: &Rc<()>, n: u32, holes: bool) -> Dict<u32, Bomb> {
    let mut d = Dict::new();
    for i in 0..n {
        d.insert(
            i,
            Bomb {
                _token: token.clone(),
            },
        );
    }
    if holes {
        for i in (3..n).step_by(7) {
            d.remove(&i);
        }
    }
    d
}

#[test]
fn panicking_drop_during_a_drain_of_a_range_or_a_truncate_leaves_a_consistent_dict() {
    type Cut = fn(&mut Dict<u32, Bomb>, usize);
    // Every way a range leaves: joining the gap (a small batch from the front or the middle),
    // cut off the end, moved down over, or with the index rebuilt (a large range).
    let cuts: [(&str, Cut); 6] = [
        ("drain the first few", |d, len| {
            drop(d.drain(..len / 20 + 1))
        }),
        ("drain a few from the middle", |d, len| {
            drop(d.drain(len / 2..len / 2 + 3))
        }),
        ("drain half from the front", |d, len| {
            drop(d.drain(..len / 2))
        }),
        ("drain the last few", |d, len| drop(d.drain(len - 3..))),
        ("truncate", |d, len| d.truncate(len - len / 4)),
        ("split off the tail", |d, len| drop(d.split_off(len - 5))),
    ];
    for n in [12u32, 40, 300] {
        for holes in [false, true] {
            for (name, cut) in cuts {
                let token = Rc::new(());
                let mut d = bomb_dict(&token, n, holes);
                let len = d.len();
                let before: Vec<u32> = d.keys().copied().collect();
                // The entries the same cut leaves in a twin dict whose drops do not panic.
                let mut twin = bomb_dict(&token, n, holes);
                cut(&mut twin, len);
                let expected: Vec<u32> = twin.keys().copied().collect();
                drop(twin);
                assert!(
                    expected.len() < before.len(),
                    "{name}: the cut takes something"
                );

                DROP_PANICS.with(|c| c.set(true));
                let result = catch_unwind(AssertUnwindSafe(|| cut(&mut d, len)));
                disarm();
                assert!(result.is_err(), "{name}, {n} keys: the rig did not fire");
                assert_eq!(
                    d.check_invariants(),
                    Ok(()),
                    "{name}, {n} keys, holes {holes}"
                );
                assert_eq!(
                    d.keys().copied().collect::<Vec<_>>(),
                    expected,
                    "{name}, {n} keys, holes {holes}"
                );
                for (position, id) in expected.iter().enumerate() {
                    assert_eq!(d.get_index_of(id), Some(position), "{name}: key {id}");
                }
                // Every taken value was dropped, once: one `Rc` per value left, and the test's.
                assert_eq!(Rc::strong_count(&token), d.len() + 1, "{name}, {n} keys");
                d.insert(
                    n,
                    Bomb {
                        _token: token.clone(),
                    },
                );
                assert_eq!(d.get_index_of(&n), Some(expected.len()), "{name}");
                assert_eq!(d.check_invariants(), Ok(()), "{name}");
                drop(d);
                assert_eq!(Rc::strong_count(&token), 1, "{name}");
            }
        }
    }
}
