//! `vdict::sync` with real threads: cached loads agree with locked lookups while another
//! thread rebinds, deletes and re-adds globals; a panic in a user's `Hash`, `Eq` or `Clone`
//! under the lock leaves the shared dict usable and its published tags right. (The
//! interleavings themselves are model-checked in `tests/loom.rs`.) Last, the single-threaded
//! walks: a proptest of its own, and the `shared_cache_ops` fuzz target's check on random
//! steps.

mod common;

use common::checks::shared_cache_ops;
use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use vdict::sync::{SharedDict, SharedVersionCache};

/// A namespace shared between the threads of a test.
type Namespace = Arc<SharedDict<String, u64>>;

/// A module's globals holding `x = x_value`, and builtins holding `len = 7`, to share.
fn namespaces(x_value: u64) -> (Namespace, Namespace) {
    let globals = Arc::new(SharedDict::new());
    let builtins = Arc::new(SharedDict::new());
    globals.write().insert("x".into(), x_value);
    builtins.write().insert("len".into(), 7);
    (globals, builtins)
}

#[test]
fn cached_loads_never_go_back_in_time_while_a_writer_rebinds() {
    let (globals, builtins) = namespaces(0);
    let last_written = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (globals, last_written, stop) = (globals.clone(), last_written.clone(), stop.clone());
        std::thread::spawn(move || {
            for i in 1..=20_000u64 {
                globals.write().insert("x".into(), i);
                last_written.store(i, Ordering::Release);
                if i % 1000 == 0 {
                    // A delete and a re-add of another name: keys change too.
                    globals.write().insert(format!("tmp{i}"), i);
                    globals.write().remove(&format!("tmp{i}"));
                }
            }
            stop.store(true, Ordering::Release);
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (globals, builtins, last_written, stop) = (
                globals.clone(),
                builtins.clone(),
                last_written.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || {
                let (mut x_site, mut len_site) =
                    (SharedVersionCache::new(), SharedVersionCache::new());
                let mut previous = 0;
                while !stop.load(Ordering::Acquire) {
                    let floor = last_written.load(Ordering::Acquire);
                    let x = *x_site.load(&globals, &builtins, "x").unwrap();
                    assert!(x >= previous, "went back in time: {previous} then {x}");
                    assert!(x >= floor, "stale: {x}, though {floor} was written before");
                    previous = x;
                    assert_eq!(*len_site.load(&globals, &builtins, "len").unwrap(), 7);
                }
            })
        })
        .collect();
    writer.join().unwrap();
    for reader in readers {
        reader.join().unwrap();
    }
    let mut site = SharedVersionCache::new();
    assert_eq!(*site.load(&globals, &builtins, "x").unwrap(), 20_000);
    assert!(site.hit(&globals, &builtins).is_some());
    globals.write().remove("x");
    assert!(site.hit(&globals, &builtins).is_none());
    assert!(site.load(&globals, &builtins, "x").is_err());
}

thread_local! {
    static PANIC_IN_HASH: Cell<bool> = const { Cell::new(false) };
    static PANIC_IN_EQ: Cell<bool> = const { Cell::new(false) };
    static PANIC_IN_CLONE: Cell<bool> = const { Cell::new(false) };
}

#[derive(Debug, PartialEq, Eq)]
struct Touchy(u32);

impl Hash for Touchy {
    fn hash<H: Hasher>(&self, state: &mut H) {
        if PANIC_IN_HASH.with(Cell::get) {
            panic!("user Hash panicked");
        }
        (self.0 % 3).hash(state); // collisions, so Eq runs
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Value(u32);

impl Clone for Value {
    fn clone(&self) -> Self {
        if PANIC_IN_CLONE.with(Cell::get) {
            panic!("user Clone panicked");
        }
        Value(self.0)
    }
}

fn eq_panics(a: &Touchy, b: &Touchy) -> bool {
    if PANIC_IN_EQ.with(Cell::get) {
        panic!("user Eq panicked");
    }
    a.0 == b.0
}

#[test]
fn a_panic_in_user_code_under_the_lock_leaves_the_shared_dict_usable() {
    let shared: SharedDict<Touchy, Value> = SharedDict::new();
    for i in 0..30 {
        shared.write().insert(Touchy(i), Value(i));
    }
    let builtins: SharedDict<Touchy, Value> = SharedDict::new();

    // Hash panics inside a write.
    PANIC_IN_HASH.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| {
        shared.write().insert(Touchy(100), Value(100));
    }));
    PANIC_IN_HASH.with(|c| c.set(false));
    assert!(result.is_err());

    // Eq panics inside a write (a find through a collision chain).
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut dict = shared.write();
        dict.retain(|k, _| {
            if k.0 == 5 {
                PANIC_IN_EQ.with(|c| c.set(true));
                let _ = eq_panics(k, k);
            }
            true
        });
    }));
    PANIC_IN_EQ.with(|c| c.set(false));
    assert!(result.is_err());

    // Clone panics inside a cache fill (under the read locks).
    let mut site = SharedVersionCache::new();
    PANIC_IN_CLONE.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| {
        let _ = site.load(&shared, &builtins, &Touchy(3));
    }));
    PANIC_IN_CLONE.with(|c| c.set(false));
    assert!(result.is_err());

    // The site whose fill panicked holds nothing: its hit test says so (its hit reads the
    // value without testing for one once the versions match, so versions must not be left
    // behind without it).
    assert!(site.hit(&shared, &builtins).is_none());
    assert!(site.remembered().is_none());

    // Usable: reads, writes, a fresh fill; the published tags are the dict's own.
    assert_eq!(shared.read().check_invariants(), Ok(()));
    assert_eq!(shared.read().len(), 30);
    shared.write().insert(Touchy(100), Value(100));
    assert_eq!(shared.version(), shared.read().version());
    assert_eq!(shared.keys_version(), shared.read().keys_version());
    let mut site = SharedVersionCache::new();
    assert_eq!(
        site.load(&shared, &builtins, &Touchy(100)).unwrap(),
        &Value(100)
    );
    assert!(site.hit(&shared, &builtins).is_some());
}

#[test]
fn a_site_hits_only_while_it_remembers_a_value_for_the_published_versions() {
    let (globals, builtins) = namespaces(3);
    let mut site = SharedVersionCache::new();
    assert_eq!(site.hit(&globals, &builtins), None, "a new site");
    assert_eq!(site.load(&globals, &builtins, "x"), Ok(&3));
    assert_eq!(site.hit(&globals, &builtins), Some(&3));
    let copy = site.clone();
    assert_eq!(
        copy.hit(&globals, &builtins),
        Some(&3),
        "a clone remembers the same"
    );
    site.clear();
    assert_eq!(site.hit(&globals, &builtins), None, "a cleared site");
    assert_eq!(copy.hit(&globals, &builtins), Some(&3));
    globals.write().insert("x".into(), 4);
    assert_eq!(
        copy.hit(&globals, &builtins),
        None,
        "after a write to globals"
    );
    // A failed fill (the name is nowhere) leaves nothing to hit, even with the namespaces
    // unchanged since.
    let mut missing = SharedVersionCache::<u64>::new();
    assert!(missing.load(&globals, &builtins, "nowhere").is_err());
    assert_eq!(missing.hit(&globals, &builtins), None, "after a NameError");
}

#[test]
fn the_same_namespace_as_globals_and_builtins_takes_its_lock_once() {
    let shared: SharedDict<&str, i32> = SharedDict::new();
    shared.write().insert("print", 1);
    let (mut print_site, mut missing_site) = (SharedVersionCache::new(), SharedVersionCache::new());
    assert_eq!(print_site.load(&shared, &shared, "print"), Ok(&1));
    assert!(print_site.hit(&shared, &shared).is_some());
    // (One site serves one name, as with the single-thread caches.)
    assert!(missing_site.load(&shared, &shared, "missing").is_err());
}

#[test]
fn a_module_global_fills_while_builtins_are_being_written() {
    // A name found in globals does not depend on builtins: its miss takes no lock of theirs,
    // so a writer holding builtins (a long `update` of them, say) does not hold it up.
    let (globals, builtins) = namespaces(1);
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = {
        let builtins = builtins.clone();
        std::thread::spawn(move || {
            let mut guard = builtins.write();
            guard.insert("print".into(), 8);
            held_tx.send(()).unwrap();
            release_rx.recv().unwrap();
        })
    };
    held_rx.recv().unwrap();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let loader = {
        let (globals, builtins) = (globals.clone(), builtins.clone());
        std::thread::spawn(move || {
            let mut site = SharedVersionCache::new();
            let x = site.load(&globals, &builtins, "x").ok().copied();
            done_tx.send(x).unwrap();
        })
    };
    // Generous: the load takes microseconds; it only fails here if it waits for the writer.
    let loaded = done_rx.recv_timeout(std::time::Duration::from_secs(60));
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    loader.join().unwrap();
    assert_eq!(
        loaded,
        Ok(Some(1)),
        "a module global's miss waited for builtins' writer"
    );
}

/// One step of the random single-threaded walk below.
#[derive(Debug, Clone)]
enum Step {
    SetGlobal(usize, u64),
    DelGlobal(usize),
    SetBuiltin(usize, u64),
    DelBuiltin(usize),
    ClearGlobals,
    /// A load of a name through its own cache site.
    Load(usize),
    /// The name's site forgets what it remembers.
    ClearSite(usize),
    /// The name's site is replaced by a clone of itself.
    CloneSite(usize),
}

const NAMES: [&str; 4] = ["a", "b", "len", "print"];

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    let name = 0..NAMES.len();
    prop_oneof![
        3 => (name.clone(), 0u64..5).prop_map(|(n, v)| Step::SetGlobal(n, v)),
        2 => name.clone().prop_map(Step::DelGlobal),
        2 => (name.clone(), 0u64..5).prop_map(|(n, v)| Step::SetBuiltin(n, v)),
        1 => name.clone().prop_map(Step::DelBuiltin),
        1 => Just(Step::ClearGlobals),
        8 => name.clone().prop_map(Step::Load),
        1 => name.clone().prop_map(Step::ClearSite),
        1 => name.prop_map(Step::CloneSite),
    ]
}

proptest::proptest! {
    /// Every load through a shared cache site answers what a locked lookup (globals, then
    /// builtins) answers, whichever namespace the site's name was found in before; a hit
    /// never answers otherwise, nor a site just cleared, and a clone hits as its original.
    #[test]
    fn every_shared_cached_load_equals_a_locked_lookup(
        steps in proptest::collection::vec(step(), 0..120)
    ) {
        let globals: SharedDict<String, u64> = SharedDict::new();
        let builtins: SharedDict<String, u64> = SharedDict::new();
        let mut sites: Vec<SharedVersionCache<u64>> =
            NAMES.iter().map(|_| SharedVersionCache::new()).collect();
        for step in steps {
            match step {
                Step::SetGlobal(n, v) => { globals.write().insert(NAMES[n].into(), v); }
                Step::DelGlobal(n) => { globals.write().remove(NAMES[n]); }
                Step::SetBuiltin(n, v) => { builtins.write().insert(NAMES[n].into(), v); }
                Step::DelBuiltin(n) => { builtins.write().remove(NAMES[n]); }
                Step::ClearGlobals => globals.write().clear(),
                Step::Load(n) => {
                    let name = NAMES[n];
                    let in_globals = globals.read().get(name).copied();
                    let locked = in_globals.or_else(|| builtins.read().get(name).copied());
                    let hit = sites[n].hit(&globals, &builtins).copied();
                    let cached = sites[n].load(&globals, &builtins, name).ok().copied();
                    proptest::prop_assert_eq!(cached, locked);
                    if let Some(hit) = hit {
                        proptest::prop_assert_eq!(Some(hit), locked, "a stale hit");
                    }
                }
                Step::ClearSite(n) => {
                    sites[n].clear();
                    proptest::prop_assert_eq!(sites[n].hit(&globals, &builtins), None);
                }
                Step::CloneSite(n) => {
                    let copy = sites[n].clone();
                    proptest::prop_assert_eq!(
                        copy.hit(&globals, &builtins),
                        sites[n].hit(&globals, &builtins)
                    );
                    sites[n] = copy;
                }
            }
        }
    }
}

proptest::proptest! {
    /// The `shared_cache_ops` fuzz target's check (every load and every site's hit against a
    /// locked lookup, through panicking writes and clones, rewrapped and rehashed namespaces, a
    /// namespace as its own builtins), on steps decoded from random bytes one at a time, as
    /// many as they hold.
    #[test]
    fn shared_cache_ops_holds_on_random_steps(
        bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)
    ) {
        use arbitrary::Arbitrary;
        let mut input = arbitrary::Unstructured::new(&bytes);
        let mut steps = Vec::new();
        while let Ok(step) = shared_cache_ops::Step::arbitrary(&mut input) {
            // Once the bytes run out, `arbitrary` makes every further step of defaults.
            if input.is_empty() {
                break;
            }
            steps.push(step);
        }
        shared_cache_ops::check(&steps);
    }
}
