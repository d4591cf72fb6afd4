//! The `shared_cache_ops` target: `vdict::sync`'s shared namespaces and their cache sites,
//! driven by one thread through random writes and loads; every load must equal a locked
//! lookup (globals, then builtins), and so must every hit any site would give, checked after
//! every step.
//!
//! What threads add is model-checked in `tests/loom.rs`; this target is for what one thread
//! can already get wrong, over far longer sequences than the proptest in `tests/sync.rs`: a
//! site whose remembered versions outlive its value (the hit reads the value without testing
//! for it: `SharedVersionCache`'s one `unsafe`), a write guard that publishes the wrong tags,
//! or none, when the write panics, a site that hits after a fill whose `Clone` panicked, a
//! namespace rebuilt with another hasher (a load may then panic with the caches'
//! hasher-mismatch message, caught here, but never answers wrongly), a namespace used as its
//! own builtins (the miss's path that takes one lock), and namespaces rewrapped: the same dict
//! moved into a new `SharedDict` (the same versions, published anew) or a clone shared.

// The names (globals, builtins, and both) are `cache_ops`'s, and so are the writes of `Step`
// (its first eight variants), here through a write guard.
use super::cache_ops::{name_index, panic_message, NAMES};
use super::hashers::Switchable;
use arbitrary::Arbitrary;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use vdict::sync::{SharedDict, SharedVersionCache};
use vdict::Dict;

/// An empty namespace with the default hasher.
fn empty_namespace() -> Namespace {
    SharedDict::from_dict(Dict::default())
}

thread_local! {
    /// While set, cloning an [`Obj`] panics: what a user's value whose `Clone` fails does to a
    /// site's fill.
    static CLONE_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// The panic message of a clone made while [`CLONE_PANICS`] is set.
const CLONE_PANIC: &str = "an Obj's clone panics";

/// The panic message of a write that panics while it holds the write guard.
const WRITE_PANIC: &str = "a write panics";

/// A namespace's value: an integer whose `Clone` panics on demand (a site clones the value it
/// remembers).
#[derive(Debug, PartialEq, Eq)]
pub struct Obj(pub i64);

impl Clone for Obj {
    fn clone(&self) -> Obj {
        if CLONE_PANICS.with(Cell::get) {
            panic!("{CLONE_PANIC}");
        }
        Obj(self.0)
    }
}

/// A shared namespace whose hasher is the default one until a step switches it.
pub type Namespace = SharedDict<String, Obj, Switchable>;

/// Which call a load goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum How {
    /// `load`: globals' hasher hashes the name on a miss.
    Load,
    /// `load_with_hash` with globals' own hash of the name.
    WithGlobalsHash,
    /// `load_with_hash` with the process's default hash of the name (`vdict::hash_key`).
    WithDefaultHash,
    /// `hit`, then `load` when it misses.
    HitThenLoad,
}

/// One step; loads check themselves, and every site is checked after every step.
#[derive(Debug, Clone, Arbitrary)]
pub enum Step {
    SetGlobal(#[arbitrary(with = name_index)] usize, i64),
    DelGlobal(#[arbitrary(with = name_index)] usize),
    SetBuiltin(#[arbitrary(with = name_index)] usize, i64),
    DelBuiltin(#[arbitrary(with = name_index)] usize),
    PopLastGlobal,
    ClearGlobals,
    ShrinkGlobals,
    /// Pad globals with throwaway names and delete them again: rebuilds, moved slots.
    ChurnGlobals(u8),
    /// Keep the globals whose value is even (`true`) or odd.
    RetainGlobals(bool),
    /// A write that inserts the name, then panics while it holds the write guard: the guard
    /// must publish the insert's tags as it unwinds.
    WritePanics {
        builtins: bool,
        #[arbitrary(with = name_index)]
        name: usize,
        value: i64,
    },
    /// Globals' dict moved into a new `SharedDict` (`into_inner`, `from_dict`): the same
    /// versions, published by another namespace.
    RewrapGlobals,
    /// Globals replaced by a shared clone of its dict (the clone's own version, the same keys
    /// version).
    ShareCloneOfGlobals,
    /// Rebuild globals (`false`) or builtins (`true`) with the hasher seeded by `seed`, or
    /// with the default hasher again for `None`.
    SwitchHasher {
        builtins: bool,
        seed: Option<u8>,
    },
    /// From now on load with globals as its own builtins (`true`), or with builtins again.
    GlobalsAsBuiltins(bool),
    Load(#[arbitrary(with = name_index)] usize, How),
    /// A load whose fill, if it fills, panics cloning the value: the site must be left
    /// holding nothing.
    LoadCloneFails(#[arbitrary(with = name_index)] usize, How),
    /// The name's site forgets what it remembers.
    ClearSite(#[arbitrary(with = name_index)] usize),
    /// The name's site is replaced by a clone of itself, which must hit as it did.
    CloneSite(#[arbitrary(with = name_index)] usize),
}

/// The namespaces and the sites, one per name, as one `LOAD_GLOBAL` site per name would
/// have (a thread's own, so `&mut`).
struct World {
    globals: Namespace,
    builtins: Namespace,
    globals_as_builtins: bool,
    sites: Vec<SharedVersionCache<Obj>>,
}

impl World {
    fn new() -> World {
        let builtins = empty_namespace();
        {
            let mut dict = builtins.write();
            dict.insert("len".into(), Obj(100));
            dict.insert("abs".into(), Obj(200));
        }
        World {
            globals: empty_namespace(),
            builtins,
            globals_as_builtins: false,
            sites: NAMES.iter().map(|_| SharedVersionCache::new()).collect(),
        }
    }

    /// The builtins loads go through: builtins, or globals itself.
    fn builtins(&self) -> &Namespace {
        if self.globals_as_builtins {
            &self.globals
        } else {
            &self.builtins
        }
    }

    /// What a locked lookup of `name` gives: globals, then builtins.
    fn expected(&self, name: &str) -> Option<i64> {
        let in_globals = self.globals.read().get(name).map(|obj| obj.0);
        in_globals.or_else(|| self.builtins().read().get(name).map(|obj| obj.0))
    }

    /// The hash a load by `how` gives, and whether it is both namespaces' own hash of `name`
    /// (when it is not, a miss may panic with the hasher-mismatch message).
    fn given_hash(&self, how: How, name: &str) -> (u64, bool) {
        let own_globals = self.globals.read().hash_key(name);
        let own_builtins = self.builtins().read().hash_key(name);
        let given = match how {
            How::WithDefaultHash => vdict::hash_key(name),
            _ => own_globals,
        };
        (given, given == own_globals && given == own_builtins)
    }

    /// Loads NAMES[n] through its site by `how` (`hash` for the loads given one); the answer
    /// (`None` for a NameError).
    fn load(&mut self, n: usize, how: How, hash: u64) -> Option<i64> {
        let name = NAMES[n];
        let builtins = if self.globals_as_builtins {
            &self.globals
        } else {
            &self.builtins
        };
        let site = &mut self.sites[n];
        let result = match how {
            How::Load => site.load(&self.globals, builtins, name),
            How::WithGlobalsHash | How::WithDefaultHash => {
                site.load_with_hash(&self.globals, builtins, name, hash)
            }
            How::HitThenLoad => {
                if let Some(hit) = site.hit(&self.globals, builtins) {
                    return Some(hit.0);
                }
                site.load(&self.globals, builtins, name)
            }
        };
        result.ok().map(|obj| obj.0)
    }

    /// A load that must equal a locked lookup, or (when the hashers disagree, or the value's
    /// clone is set to panic) panic with the expected message. Returns whether it panicked
    /// cloning the value.
    fn load_checked(&mut self, n: usize, how: How, clone_fails: bool) -> bool {
        let name = NAMES[n];
        let expected = self.expected(name);
        let (hash, hashes_agree) = self.given_hash(how, name);
        if hashes_agree && !clone_fails {
            // Any panic is a bug, and reaches the fuzzer.
            assert_eq!(
                self.load(n, how, hash),
                expected,
                "a shared cached load of {name} ({how:?}) differs from a locked lookup"
            );
            return false;
        }
        // libFuzzer's panic hook aborts the process; the panics expected here are caught, so
        // the hook is set aside for this one call.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        CLONE_PANICS.with(|flag| flag.set(clone_fails));
        let outcome = catch_unwind(AssertUnwindSafe(|| self.load(n, how, hash)));
        CLONE_PANICS.with(|flag| flag.set(false));
        std::panic::set_hook(hook);
        match outcome {
            Ok(answer) => {
                assert_eq!(
                    answer, expected,
                    "a shared cached load of {name} ({how:?}) differs from a locked lookup"
                );
                false
            }
            Err(payload) => {
                let message = panic_message(payload);
                if message == CLONE_PANIC {
                    assert!(clone_fails, "a clone panicked unasked");
                    return true;
                }
                assert!(
                    !hashes_agree
                        && message.contains("is not the")
                        && message.contains("hash of the name"),
                    "a load panicked with another message than the hasher mismatch: {message}"
                );
                false
            }
        }
    }

    /// Every site's hit, if it has one, is what a locked lookup gives; and each namespace
    /// publishes its dict's own tags.
    fn check_sites_and_tags(&self) {
        for (n, site) in self.sites.iter().enumerate() {
            if let Some(hit) = site.hit(&self.globals, self.builtins()) {
                assert_eq!(
                    Some(hit.0),
                    self.expected(NAMES[n]),
                    "a stale hit of {}",
                    NAMES[n]
                );
                assert_eq!(
                    site.remembered().map(|obj| obj.0),
                    Some(hit.0),
                    "a hit returned something else than the site remembers"
                );
            }
        }
        for (which, namespace) in [("globals", &self.globals), ("builtins", &self.builtins)] {
            let dict = namespace.read();
            assert_eq!(
                namespace.version(),
                dict.version(),
                "{which} publishes another version than its dict's"
            );
            assert_eq!(
                namespace.keys_version(),
                dict.keys_version(),
                "{which} publishes another keys version than its dict's"
            );
            if let Err(problem) = dict.check_invariants() {
                panic!("{which} is broken: {problem}");
            }
        }
    }
}

/// Runs `steps` from fresh namespaces, panicking on the first load or hit that differs from a
/// locked lookup (or that panics with anything but an expected message).
pub fn check(steps: &[Step]) {
    let mut world = World::new();
    for step in steps.iter().cloned() {
        match step {
            Step::SetGlobal(n, v) => drop(world.globals.write().insert(NAMES[n].into(), Obj(v))),
            Step::DelGlobal(n) => drop(world.globals.write().remove(NAMES[n])),
            Step::SetBuiltin(n, v) => drop(world.builtins.write().insert(NAMES[n].into(), Obj(v))),
            Step::DelBuiltin(n) => drop(world.builtins.write().remove(NAMES[n])),
            Step::PopLastGlobal => drop(world.globals.write().pop_last()),
            Step::ClearGlobals => world.globals.write().clear(),
            Step::ShrinkGlobals => world.globals.write().shrink_to_fit(),
            Step::ChurnGlobals(count) => {
                let mut globals = world.globals.write();
                for i in 0..count {
                    globals.insert(format!("tmp{i}"), Obj(0));
                }
                for i in 0..count {
                    globals.remove(&format!("tmp{i}"));
                }
            }
            Step::RetainGlobals(even) => world
                .globals
                .write()
                .retain(|_, obj| (obj.0 % 2 == 0) == even),
            Step::WritePanics {
                builtins,
                name,
                value,
            } => {
                let namespace = if builtins {
                    &world.builtins
                } else {
                    &world.globals
                };
                let hook = std::panic::take_hook();
                std::panic::set_hook(Box::new(|_| {}));
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    let mut dict = namespace.write();
                    dict.insert(NAMES[name].into(), Obj(value));
                    panic!("{WRITE_PANIC}");
                }));
                std::panic::set_hook(hook);
                let message = panic_message(outcome.expect_err("the write panics"));
                assert_eq!(message, WRITE_PANIC);
                assert_eq!(
                    namespace.read().get(NAMES[name]),
                    Some(&Obj(value)),
                    "the panicking write's insert is lost"
                );
            }
            Step::RewrapGlobals => {
                let dict = std::mem::replace(&mut world.globals, empty_namespace()).into_inner();
                world.globals = SharedDict::from_dict(dict);
            }
            Step::ShareCloneOfGlobals => {
                let copy = world.globals.read().clone();
                world.globals = SharedDict::from_dict(copy);
            }
            Step::SwitchHasher {
                builtins: which,
                seed,
            } => {
                let namespace = if which {
                    &mut world.builtins
                } else {
                    &mut world.globals
                };
                let mut fresh = Dict::with_hasher(Switchable::from_seed(seed));
                fresh.extend(
                    namespace
                        .read()
                        .iter()
                        .map(|(key, obj)| (key.clone(), obj.clone())),
                );
                *namespace = SharedDict::from_dict(fresh);
            }
            Step::GlobalsAsBuiltins(on) => world.globals_as_builtins = on,
            Step::Load(n, how) => {
                world.load_checked(n, how, false);
            }
            Step::LoadCloneFails(n, how) => {
                if world.load_checked(n, how, true) {
                    let site = &world.sites[n];
                    assert!(
                        site.remembered().is_none(),
                        "a fill whose clone panicked left a value"
                    );
                    assert!(
                        site.hit(&world.globals, world.builtins()).is_none(),
                        "a fill whose clone panicked left a hit"
                    );
                }
            }
            Step::ClearSite(n) => {
                world.sites[n].clear();
                assert!(world.sites[n].remembered().is_none());
                assert!(world.sites[n]
                    .hit(&world.globals, world.builtins())
                    .is_none());
            }
            Step::CloneSite(n) => {
                let copy = world.sites[n].clone();
                assert_eq!(
                    copy.hit(&world.globals, world.builtins()),
                    world.sites[n].hit(&world.globals, world.builtins()),
                    "a clone of a site hits otherwise"
                );
                world.sites[n] = copy;
            }
        }
        world.check_sites_and_tags();
    }
}
