//! The caches when a key's `Eq` (user code, run by the lookup inside a fill) panics, or loads
//! through the very cache that is filling. Neither may leave a cache that answers wrongly or
//! reads a slot it has no proof for (the slot cache's read is unchecked: under
//! AddressSanitizer, CI runs these too).

mod common;

use common::OneHash;
use std::cell::{Cell, RefCell};
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use vdict::cache::{lookup_global, SlotCache, VersionCache};
use vdict::Dict;

thread_local! {
    /// `Eq` calls left before one panics; `None`: never.
    static EQ_CALLS_LEFT: Cell<Option<u32>> = const { Cell::new(None) };
    /// Run once, from inside the next `Eq`.
    static FROM_INSIDE_EQ: RefCell<Option<Box<dyn FnOnce()>>> = const { RefCell::new(None) };
}

/// A name whose `Eq` can be rigged to panic, or to run a closure first.
#[derive(Clone, Debug)]
struct Name(&'static str);

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        if let Some(inside) = FROM_INSIDE_EQ.with(|hook| hook.borrow_mut().take()) {
            inside();
        }
        EQ_CALLS_LEFT.with(|left| match left.get() {
            Some(0) => {
                left.set(None);
                panic!("rigged Eq panics")
            }
            Some(n) => left.set(Some(n - 1)),
            None => {}
        });
        self.0 == other.0
    }
}
impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// All names hash alike (`OneHash`), so every lookup compares keys: `Eq` runs on every probe.
type Namespace = Dict<Name, i64, OneHash>;

fn namespaces() -> (Namespace, Namespace) {
    let mut globals = Namespace::default();
    let mut builtins = Namespace::default();
    for (i, name) in ["a", "b", "c", "d"].into_iter().enumerate() {
        globals.insert(Name(name), i as i64);
    }
    builtins.insert(Name("len"), 100);
    builtins.insert(Name("abs"), 200);
    (globals, builtins)
}

fn expect(globals: &Namespace, builtins: &Namespace, name: &'static str) -> Option<i64> {
    lookup_global(globals, builtins, &Name(name)).ok().copied()
}

#[test]
fn a_panicking_eq_during_a_fill_leaves_caches_that_answer_rightly() {
    for calls_before_panic in 0..8 {
        let (mut globals, builtins) = namespaces();
        for name in ["len", "d", "a", "zzz"] {
            let hash = globals.hash_key(&Name(name));
            let slot = SlotCache::new();
            let mut version = VersionCache::new();
            // Warm both, then change the dicts, so that the fill has something to replace.
            let _ = slot.load(&globals, &builtins, &Name(name));
            let _ = version.load(&globals, &builtins, &Name(name));
            globals.insert(Name("d"), 30 + calls_before_panic as i64);
            globals.insert(Name("new"), 0);
            EQ_CALLS_LEFT.with(|left| left.set(Some(calls_before_panic)));
            let _ = catch_unwind(AssertUnwindSafe(|| {
                slot.fill(&globals, &builtins, &Name(name), hash)
                    .ok()
                    .copied()
            }));
            EQ_CALLS_LEFT.with(|left| left.set(Some(calls_before_panic)));
            let _ = catch_unwind(AssertUnwindSafe(|| {
                version
                    .fill(&globals, &builtins, &Name(name), hash)
                    .ok()
                    .copied()
            }));
            EQ_CALLS_LEFT.with(|left| left.set(None));
            // Whatever the panic interrupted, the next loads are right.
            let want = expect(&globals, &builtins, name);
            for _ in 0..2 {
                let got = slot.load(&globals, &builtins, &Name(name)).ok().copied();
                assert_eq!(
                    got, want,
                    "slot cache, {name}, panic at Eq call {calls_before_panic}"
                );
                let got = version.load(&globals, &builtins, &Name(name)).ok().copied();
                assert_eq!(
                    got, want,
                    "version cache, {name}, panic at call {calls_before_panic}"
                );
            }
            globals.remove(&Name("new"));
        }
        globals.check_invariants().unwrap();
        builtins.check_invariants().unwrap();
    }
}

/// Recursion through user code: a key's `Eq`, run by a fill, calls a function whose
/// `LOAD_GLOBAL` is this very site.
#[test]
fn an_eq_that_loads_through_the_filling_cache_leaves_it_right() {
    let (globals, builtins) = namespaces();
    let (globals, builtins) = (Rc::new(globals), Rc::new(builtins));
    for name in ["len", "c", "abs", "zzz", "a"] {
        let site = Rc::new(SlotCache::new());
        let (g, b, s) = (Rc::clone(&globals), Rc::clone(&builtins), Rc::clone(&site));
        FROM_INSIDE_EQ.with(|hook| {
            *hook.borrow_mut() = Some(Box::new(move || {
                let got = s.load(&g, &b, &Name(name)).ok().copied();
                assert_eq!(got, expect(&g, &b, name), "the inner load of {name}");
            }))
        });
        let got = site.load(&globals, &builtins, &Name(name)).ok().copied();
        assert!(
            FROM_INSIDE_EQ.with(|hook| hook.borrow().is_none()),
            "Eq ran the hook"
        );
        assert_eq!(
            got,
            expect(&globals, &builtins, name),
            "the outer load of {name}"
        );
        for _ in 0..2 {
            let got = site.load(&globals, &builtins, &Name(name)).ok().copied();
            assert_eq!(
                got,
                expect(&globals, &builtins, name),
                "{name} after the recursion"
            );
        }
    }
}
