//! Drop accounting: every value handed to a dict is dropped exactly once, whatever path it
//! leaves by (remove, overwrite, clear, drain, a partly consumed `into_iter`, drop of the dict).

use std::cell::RefCell;
use std::rc::Rc;
use vdict::Dict;

/// Counts, per id, how many times a `Tracked` with that id was dropped.
#[derive(Clone, Default)]
struct Ledger(Rc<RefCell<Vec<u32>>>);

impl Ledger {
    fn make(&self) -> Tracked {
        let mut drops = self.0.borrow_mut();
        drops.push(0);
        Tracked {
            id: drops.len() - 1,
            ledger: self.clone(),
        }
    }

    fn drops(&self) -> Vec<u32> {
        self.0.borrow().clone()
    }

    /// Every value made so far was dropped exactly once.
    fn assert_all_dropped_once(&self) {
        let drops = self.drops();
        for (id, &n) in drops.iter().enumerate() {
            assert_eq!(n, 1, "value {id} dropped {n} times");
        }
    }
}

struct Tracked {
    id: usize,
    ledger: Ledger,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.ledger.0.borrow_mut()[self.id] += 1;
    }
}

/// A dict of `n` tracked values under keys `0..n`.
fn filled(ledger: &Ledger, n: u32) -> Dict<u32, Tracked> {
    (0..n).map(|k| (k, ledger.make())).collect()
}

#[test]
fn remove_hands_the_value_out_and_the_dict_never_drops_it_again() {
    let ledger = Ledger::default();
    let mut d = filled(&ledger, 50);
    for k in (0..50).step_by(2) {
        let value = d.remove(&k).expect("present");
        assert_eq!(ledger.drops()[value.id], 0);
        drop(value);
    }
    let (k, v) = d.pop_last().unwrap();
    assert_eq!(k, 49);
    drop(v);
    drop(d);
    ledger.assert_all_dropped_once();
}

#[test]
fn overwrite_returns_the_old_value_undropped() {
    let ledger = Ledger::default();
    let mut d = filled(&ledger, 20);
    for k in 0..20 {
        let old = d.insert(k, ledger.make()).expect("present");
        assert_eq!(ledger.drops()[old.id], 0);
    }
    assert_eq!(ledger.drops().iter().filter(|&&n| n == 1).count(), 20);
    drop(d);
    ledger.assert_all_dropped_once();
}

#[test]
fn clear_drops_everything_once_and_the_dict_stays_usable() {
    let ledger = Ledger::default();
    let mut d = filled(&ledger, 100);
    d.remove(&3);
    d.clear();
    ledger.assert_all_dropped_once();
    d.insert(1, ledger.make());
    d.check_invariants().unwrap();
    drop(d);
    ledger.assert_all_dropped_once();
}

#[test]
fn drain_drops_what_it_does_not_hand_out() {
    let ledger = Ledger::default();
    let mut d = filled(&ledger, 30);
    let taken: Vec<_> = d.drain(..).take(10).collect();
    assert!(d.is_empty());
    assert_eq!(ledger.drops().iter().sum::<u32>(), 20);
    drop(taken);
    ledger.assert_all_dropped_once();
}

#[test]
fn a_leaked_drain_leaves_an_empty_consistent_dict() {
    // Plain values: what a leaked drain leaks must not be heap, or LeakSanitizer (rightly)
    // reports it when the tests run under AddressSanitizer.
    let mut d: Dict<u32, u32> = (0..30).map(|k| (k, k)).collect();
    std::mem::forget(d.drain(..));
    assert!(d.is_empty());
    d.check_invariants().unwrap();
    d.insert(7, 7);
    assert_eq!(d.len(), 1);
    assert_eq!(d.get(&7), Some(&7));
}

#[test]
fn a_partly_consumed_into_iter_drops_the_rest() {
    let ledger = Ledger::default();
    let mut d = filled(&ledger, 40);
    for k in 10..20 {
        d.remove(&k); // holes in the middle
    }
    let mut iter = d.into_iter();
    let first: Vec<_> = iter.by_ref().take(5).collect();
    let last = iter.next_back().unwrap();
    assert_eq!(last.0, 39);
    drop(iter);
    drop(first);
    drop(last);
    ledger.assert_all_dropped_once();
}

#[test]
fn retain_drops_exactly_what_it_rejects() {
    // Few deletions (one at a time only), many (one at a time, then in bulk), all, in dicts
    // small and large.
    for (n, every) in [(64, 4), (64, 1), (1_000, 100), (1_000, 3), (1_000, 1)] {
        let ledger = Ledger::default();
        let mut d = filled(&ledger, n);
        d.retain(|k, _| k % every != 0);
        let drops = ledger.drops();
        let kept: Vec<u32> = (0..n).filter(|k| k % every != 0).collect();
        assert_eq!(
            d.keys().copied().collect::<Vec<_>>(),
            kept,
            "{n} keys, every {every}"
        );
        for (k, v) in d.iter() {
            assert_eq!(drops[v.id], 0, "key {k} kept but dropped");
        }
        assert_eq!(drops.iter().sum::<u32>() as usize, n as usize - kept.len());
        d.check_invariants().unwrap();
        drop(d);
        ledger.assert_all_dropped_once();
    }
}

#[test]
fn dropping_the_dict_and_its_clone_drops_each_once() {
    #[derive(Clone)]
    struct Cloned {
        _token: Rc<()>,
    }
    let token = Rc::new(());
    let mut d: Dict<u32, Cloned> = (0..100)
        .map(|k| {
            (
                k,
                Cloned {
                    _token: token.clone(),
                },
            )
        })
        .collect();
    d.remove(&50);
    let copy = d.clone();
    assert_eq!(Rc::strong_count(&token), 1 + 99 * 2);
    drop(d);
    drop(copy);
    assert_eq!(Rc::strong_count(&token), 1);
}

#[test]
fn keys_are_dropped_once_too() {
    let token = Rc::new(());
    #[derive(PartialEq, Eq, Hash)]
    struct Key(u32, Rc<()>);
    let mut d = Dict::new();
    for i in 0..50 {
        d.insert(Key(i, token.clone()), i);
    }
    // Overwrite: the dict keeps its stored key and drops the one passed in.
    for i in 0..50 {
        d.insert(Key(i, token.clone()), i + 1);
    }
    assert_eq!(Rc::strong_count(&token), 51);
    let (key, _) = d.remove_entry(&Key(3, token.clone())).unwrap();
    drop(key);
    assert_eq!(Rc::strong_count(&token), 50);
    drop(d);
    assert_eq!(Rc::strong_count(&token), 1);
}

#[test]
fn truncate_drops_the_rest_in_order_as_vec_does() {
    struct Logged(u32, Rc<RefCell<Vec<u32>>>);
    impl Drop for Logged {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0);
        }
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut d: Dict<u32, Logged> = (0..10).map(|k| (k, Logged(k, log.clone()))).collect();
    d.remove(&7); // a hole among the entries truncated
    log.borrow_mut().clear();
    let keys_version = d.keys_version();
    d.truncate(4);
    assert_eq!(*log.borrow(), [4, 5, 6, 8, 9]);
    assert_eq!(d.keys().copied().collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_ne!(d.keys_version(), keys_version);
    d.check_invariants().unwrap();
    let version = d.version();
    d.truncate(4);
    assert_eq!(d.version(), version, "nothing to drop, nothing changes");
}
