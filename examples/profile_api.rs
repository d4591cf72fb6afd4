//! Fixed work for counting instructions: one of indexmap's API calls, made the way a user's
//! code makes it, on vdict's `Dict`/`Set` or on indexmap's `IndexMap`/`IndexSet`, so that
//! `valgrind --tool=callgrind` compares the two call for call. `examples/profile.rs` does the
//! same for the dict table's workloads (lookups, inserts, iteration, removal); this one covers
//! the rest of the drop-in API: the entry API, the calls that answer with a position, the
//! positional edits, the whole-dict edits (sort, retain, reverse, truncate) and the set
//! operations.
//!
//! ```text
//! cargo build --release --example profile_api
//! valgrind --tool=callgrind target/release/examples/profile_api vdict entry_count 1000 20
//! valgrind --tool=callgrind target/release/examples/profile_api vdict entry_count 1000 20 --setup-only
//! ```
//!
//! Instructions per operation are (Ir of the run − Ir of the `--setup-only` run) /
//! operations, the count the program prints. `--setup-only` makes the keys and builds the map
//! (by `collect`, each round) and drops it, so the difference is the operation alone. Keys are
//! `u64`s from `support/random_keys.rs` (random, not tidy); values are the keys' positions.
//!
//! `profile_api clock <operation> <size> [rounds]` times the same rounds instead, vdict's and
//! indexmap's interleaved, and prints each one's median per operation and their ratio (a
//! shared machine's clock moves by 10-20% from run to run; the ratio within a run is what to
//! read).
//!
//! Each operation's loop is a small generic function of its own, called once per round, with
//! the map's methods reached through a trait whose methods forward with `#[inline]`: the
//! compiler is left to inline or not, as in a user's own helper. (A loop written inside one
//! large function measured differently for both maps: there a `for` loop over a dict's values
//! kept its test for holes in the loop, 9 instructions an entry against indexmap's 1.4, where
//! a small function's loop is 1.4 for both.)

#[path = "support/random_keys.rs"]
mod random_keys;

use indexmap::{IndexMap, IndexSet};
use std::hint::black_box;
use std::process::exit;
use std::time::Instant;
use vdict::{Dict, Set};

type Hasher = foldhash::fast::FixedState;

const USAGE: &str = "usage: profile_api <vdict|indexmap|clock> <operation> <size> \
                     [rounds, default 100] [--setup-only]";

/// The operations: name, what one round does, and how many operations a round counts.
const OPERATIONS: &[(&str, &str)] = &[
    (
        "entry_count",
        "`*entry(k).or_insert(0) += 1` for every key (present): n",
    ),
    (
        "entry_build",
        "a new map filled by `entry(k).or_insert(v)`: n",
    ),
    ("insert_full_hit", "`insert_full` of every key (present): n"),
    ("insert_full_new", "a new map filled by `insert_full`: n"),
    ("get_index_of", "`get_index_of` of every key: n"),
    ("get_full", "`get_full` of every key: n"),
    ("get_mut", "`get_mut` of every key, adding one: n"),
    (
        "get_index_mut",
        "`get_index_mut` of every position, adding one: n",
    ),
    (
        "swap_indices",
        "`swap_indices(i, n - 1 - i)` for the first half: n / 2",
    ),
    (
        "swap_remove_front",
        "`swap_remove_index(0)`, n / 2 times: n / 2",
    ),
    ("pop_half", "`pop`, n / 2 times: n / 2"),
    ("move_index", "`move_index(0, n - 1)`: n (per entry moved)"),
    (
        "shift_insert",
        "`shift_insert(0, new key, 0)`: n (per entry moved)",
    ),
    ("sort_unstable_keys", "`sort_unstable_keys`: n (per entry)"),
    ("retain_half", "`retain` of the even keys: n (per entry)"),
    (
        "retain_most",
        "`retain` of the keys not a multiple of 64 (about one deleted in 64): n (per entry)",
    ),
    ("reverse", "`reverse`: n (per entry)"),
    ("truncate_half", "`truncate(n / 2)`: n (per entry)"),
    (
        "set_build",
        "a set of the keys by `collect` (beside the two the setup builds): n",
    ),
    (
        "set_intersection",
        "`a.intersection(&b).count()`, b sharing half of a: n",
    ),
    ("set_union", "`a.union(&b).count()`: n"),
    ("set_difference", "`a.difference(&b).count()`: n"),
    (
        "set_symmetric_difference",
        "`a.symmetric_difference(&b).count()`: n",
    ),
];

/// The calls the operations make, on a map of `u64 -> u64`. Each forwards to the method of
/// the same name (vdict's names are indexmap's).
trait ApiMap: FromIterator<(u64, u64)> + Default {
    fn entry_add(&mut self, key: u64, by: u64);
    fn entry_or_insert(&mut self, key: u64, value: u64);
    fn insert_full(&mut self, key: u64, value: u64) -> usize;
    fn get_index_of(&self, key: &u64) -> Option<usize>;
    fn get_full_position(&self, key: &u64) -> Option<usize>;
    fn add_to(&mut self, key: &u64);
    fn add_at(&mut self, position: usize);
    fn swap_indices(&mut self, a: usize, b: usize);
    fn swap_remove_index(&mut self, position: usize);
    fn pop(&mut self);
    fn move_index(&mut self, from: usize, to: usize);
    fn shift_insert(&mut self, position: usize, key: u64);
    fn sort_unstable_keys(&mut self);
    fn retain_even_keys(&mut self);
    fn retain_keys_not_multiple_of_64(&mut self);
    fn reverse(&mut self);
    fn truncate(&mut self, len: usize);
    fn len(&self) -> usize;
}

/// [`ApiMap`] for one map type: the two share every method name.
macro_rules! api_map {
    ($map:ty) => {
        impl ApiMap for $map {
            #[inline]
            fn entry_add(&mut self, key: u64, by: u64) {
                *self.entry(key).or_insert(0) += by;
            }
            #[inline]
            fn entry_or_insert(&mut self, key: u64, value: u64) {
                self.entry(key).or_insert(value);
            }
            #[inline]
            fn insert_full(&mut self, key: u64, value: u64) -> usize {
                <$map>::insert_full(self, key, value).0
            }
            #[inline]
            fn get_index_of(&self, key: &u64) -> Option<usize> {
                <$map>::get_index_of(self, key)
            }
            #[inline]
            fn get_full_position(&self, key: &u64) -> Option<usize> {
                self.get_full(key).map(|(position, _, _)| position)
            }
            #[inline]
            fn add_to(&mut self, key: &u64) {
                if let Some(value) = self.get_mut(key) {
                    *value += 1;
                }
            }
            #[inline]
            fn add_at(&mut self, position: usize) {
                if let Some((_, value)) = self.get_index_mut(position) {
                    *value += 1;
                }
            }
            #[inline]
            fn swap_indices(&mut self, a: usize, b: usize) {
                <$map>::swap_indices(self, a, b)
            }
            #[inline]
            fn swap_remove_index(&mut self, position: usize) {
                black_box(<$map>::swap_remove_index(self, position));
            }
            #[inline]
            fn pop(&mut self) {
                black_box(<$map>::pop(self));
            }
            #[inline]
            fn move_index(&mut self, from: usize, to: usize) {
                <$map>::move_index(self, from, to)
            }
            #[inline]
            fn shift_insert(&mut self, position: usize, key: u64) {
                black_box(<$map>::shift_insert(self, position, key, 0));
            }
            #[inline]
            fn sort_unstable_keys(&mut self) {
                <$map>::sort_unstable_keys(self)
            }
            #[inline]
            fn retain_even_keys(&mut self) {
                self.retain(|key, _| key % 2 == 0)
            }
            #[inline]
            fn retain_keys_not_multiple_of_64(&mut self) {
                self.retain(|key, _| key % 64 != 0)
            }
            #[inline]
            fn reverse(&mut self) {
                <$map>::reverse(self)
            }
            #[inline]
            fn truncate(&mut self, len: usize) {
                <$map>::truncate(self, len)
            }
            #[inline]
            fn len(&self) -> usize {
                <$map>::len(self)
            }
        }
    };
}

api_map!(Dict<u64, u64, Hasher>);
api_map!(IndexMap<u64, u64, Hasher>);

/// The set operations, on a set of `u64`.
trait ApiSet: FromIterator<u64> {
    fn intersection_count(&self, other: &Self) -> usize;
    fn union_count(&self, other: &Self) -> usize;
    fn difference_count(&self, other: &Self) -> usize;
    fn symmetric_difference_count(&self, other: &Self) -> usize;
    fn len(&self) -> usize;
}

macro_rules! api_set {
    ($set:ty) => {
        impl ApiSet for $set {
            #[inline]
            fn intersection_count(&self, other: &Self) -> usize {
                self.intersection(other).count()
            }
            #[inline]
            fn union_count(&self, other: &Self) -> usize {
                self.union(other).count()
            }
            #[inline]
            fn difference_count(&self, other: &Self) -> usize {
                self.difference(other).count()
            }
            #[inline]
            fn symmetric_difference_count(&self, other: &Self) -> usize {
                self.symmetric_difference(other).count()
            }
            #[inline]
            fn len(&self) -> usize {
                <$set>::len(self)
            }
        }
    };
}

api_set!(Set<u64, Hasher>);
api_set!(IndexSet<u64, Hasher>);

/// The map operations' entries: `n` random keys (`support/random_keys.rs`), each with its
/// position as its value.
fn map_pairs(n: usize) -> Vec<(u64, u64)> {
    random_keys::keys_and_misses(n)
        .0
        .into_iter()
        .zip(0..)
        .collect()
}

/// The set operations' two sets of `n` keys: `b` holds every other key of `a` and as many
/// keys of its own.
fn set_keys(n: usize) -> (Vec<u64>, Vec<u64>) {
    let (a, mut b) = random_keys::keys_and_misses(n);
    for (i, key) in a.iter().step_by(2).enumerate() {
        b[i] = *key;
    }
    (a, b)
}

/// Runs `body` on `map` as a function of its own: each operation's loop is compiled alone,
/// as in a small helper of a user's (a closure's type is its own, so every call site makes
/// another copy of this function).
#[inline(never)]
fn alone<M>(map: &mut M, body: impl FnOnce(&mut M) -> u64) -> u64 {
    body(map)
}

/// One round of a map operation on `map` (built from `pairs`); returns a checksum.
fn map_round<M: ApiMap>(operation: &str, map: &mut M, pairs: &[(u64, u64)]) -> u64 {
    let n = pairs.len();
    let sum = match operation {
        "entry_count" => alone(map, |map| {
            pairs.iter().for_each(|&(key, _)| map.entry_add(key, 1));
            0
        }),
        "entry_build" => alone(map, |_| {
            let mut fresh = M::default();
            pairs
                .iter()
                .for_each(|&(key, value)| fresh.entry_or_insert(key, value));
            black_box(&fresh).len() as u64
        }),
        "insert_full_hit" => alone(map, |map| {
            (pairs.iter()).fold(0, |sum, &(key, value)| {
                sum + map.insert_full(key, value) as u64
            })
        }),
        "insert_full_new" => alone(map, |_| {
            let mut fresh = M::default();
            let sum = (pairs.iter()).fold(0, |sum, &(key, value)| {
                sum + fresh.insert_full(key, value) as u64
            });
            sum + black_box(&fresh).len() as u64
        }),
        "get_index_of" => alone(map, |map| {
            (pairs.iter()).fold(0, |sum, (key, _)| {
                sum + map.get_index_of(key).unwrap_or(0) as u64
            })
        }),
        "get_full" => alone(map, |map| {
            (pairs.iter()).fold(0, |sum, (key, _)| {
                sum + map.get_full_position(key).unwrap_or(0) as u64
            })
        }),
        "get_mut" => alone(map, |map| {
            pairs.iter().for_each(|(key, _)| map.add_to(key));
            0
        }),
        "get_index_mut" => alone(map, |map| {
            (0..n).for_each(|position| map.add_at(position));
            0
        }),
        "swap_indices" => alone(map, |map| {
            (0..n / 2).for_each(|i| map.swap_indices(i, n - 1 - i));
            0
        }),
        "swap_remove_front" => alone(map, |map| {
            (0..n / 2).for_each(|_| map.swap_remove_index(0));
            0
        }),
        "pop_half" => alone(map, |map| {
            (0..n / 2).for_each(|_| map.pop());
            0
        }),
        "move_index" => alone(map, |map| {
            map.move_index(0, n - 1);
            0
        }),
        "shift_insert" => alone(map, |map| {
            map.shift_insert(0, u64::MAX);
            0
        }),
        "sort_unstable_keys" => alone(map, |map| {
            map.sort_unstable_keys();
            0
        }),
        "retain_half" => alone(map, |map| {
            map.retain_even_keys();
            0
        }),
        "retain_most" => alone(map, |map| {
            map.retain_keys_not_multiple_of_64();
            0
        }),
        "reverse" => alone(map, |map| {
            map.reverse();
            0
        }),
        "truncate_half" => alone(map, |map| {
            map.truncate(n / 2);
            0
        }),
        _ => unreachable!("checked in main"),
    };
    sum + map.len() as u64
}

/// One round of a set operation on `a` and `b`; returns a checksum.
fn set_round<S: ApiSet>(operation: &str, a: &S, b: &S, a_keys: &[u64]) -> u64 {
    let count = match operation {
        "set_build" => alone(&mut (), |_| {
            black_box(a_keys.iter().copied().collect::<S>()).len() as u64
        }),
        "set_intersection" => alone(&mut (), |_| a.intersection_count(b) as u64),
        "set_union" => alone(&mut (), |_| a.union_count(b) as u64),
        "set_difference" => alone(&mut (), |_| a.difference_count(b) as u64),
        "set_symmetric_difference" => alone(&mut (), |_| a.symmetric_difference_count(b) as u64),
        _ => unreachable!("checked in main"),
    };
    count + a.len() as u64
}

/// What one run asked for.
struct Run<'a> {
    operation: &'a str,
    size: usize,
    rounds: usize,
    setup_only: bool,
}

fn run_map<M: ApiMap>(run: &Run) -> u64 {
    let pairs = map_pairs(run.size);
    let mut checksum = 0u64;
    for _ in 0..run.rounds {
        let mut map: M = pairs.iter().copied().collect();
        if !run.setup_only {
            checksum = checksum.wrapping_add(map_round(run.operation, &mut map, &pairs));
        }
        checksum = checksum.wrapping_add(black_box(&map).len() as u64);
    }
    checksum
}

fn run_set<S: ApiSet>(run: &Run) -> u64 {
    let (a_keys, b_keys) = set_keys(run.size);
    let mut checksum = 0u64;
    for _ in 0..run.rounds {
        let a: S = a_keys.iter().copied().collect();
        let b: S = b_keys.iter().copied().collect();
        if !run.setup_only {
            checksum = checksum.wrapping_add(set_round(run.operation, &a, &b, &a_keys));
        }
        checksum = checksum.wrapping_add(black_box(&a).len() as u64);
    }
    checksum
}

/// One timed round of a map operation (the map's build untimed): nanoseconds.
fn time_map_round<M: ApiMap>(run: &Run, pairs: &[(u64, u64)]) -> f64 {
    let mut map: M = pairs.iter().copied().collect();
    let start = Instant::now();
    black_box(map_round(run.operation, &mut map, pairs));
    let elapsed = start.elapsed().as_nanos() as f64;
    drop(black_box(map));
    elapsed
}

/// One timed round of a set operation (the sets' builds untimed): nanoseconds.
fn time_set_round<S: ApiSet>(run: &Run, a_keys: &[u64], b_keys: &[u64]) -> f64 {
    let a: S = a_keys.iter().copied().collect();
    let b: S = b_keys.iter().copied().collect();
    let start = Instant::now();
    black_box(set_round(run.operation, &a, &b, a_keys));
    start.elapsed().as_nanos() as f64
}

/// `clock`: vdict's and indexmap's rounds interleaved (which goes first alternates), and the
/// median of each, per operation: the wall-clock ratio beside callgrind's count.
fn clock(run: &Run) {
    let pairs = map_pairs(run.size);
    let (a_keys, b_keys) = set_keys(run.size);
    let is_set = run.operation.starts_with("set_");
    let one = |vdict: bool| match (vdict, is_set) {
        (true, false) => time_map_round::<Dict<u64, u64, Hasher>>(run, &pairs),
        (false, false) => time_map_round::<IndexMap<u64, u64, Hasher>>(run, &pairs),
        (true, true) => time_set_round::<Set<u64, Hasher>>(run, &a_keys, &b_keys),
        (false, true) => time_set_round::<IndexSet<u64, Hasher>>(run, &a_keys, &b_keys),
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..run.rounds {
        let first_ours = round % 2 == 0;
        let first = one(first_ours);
        let second = one(!first_ours);
        let (o, t) = if first_ours {
            (first, second)
        } else {
            (second, first)
        };
        ours.push(o);
        theirs.push(t);
    }
    let median = |mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let per_op = operations_per_round(run.operation, run.size) as f64;
    let (ours, theirs) = (median(ours) / per_op, median(theirs) / per_op);
    println!(
        "{} {}: vdict {ours:.2} ns, indexmap {theirs:.2} ns per operation, ratio {:.2}",
        run.operation,
        run.size,
        ours / theirs
    );
}

/// How many operations a round of `operation` counts on `n` keys.
fn operations_per_round(operation: &str, n: usize) -> usize {
    match operation {
        "swap_indices" | "swap_remove_front" | "pop_half" => n / 2,
        _ => n,
    }
}

fn fail(message: &str) -> ! {
    eprintln!("{message}\n{USAGE}\noperations:");
    for (name, what) in OPERATIONS {
        eprintln!("  {name:<26} {what}");
    }
    exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let setup_only = args.iter().any(|a| a == "--setup-only");
    let positional: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let [map, operation, size, rest @ ..] = positional.as_slice() else {
        fail("missing arguments")
    };
    if !OPERATIONS.iter().any(|(name, _)| name == operation) {
        fail(&format!("unknown operation {operation:?}"));
    }
    let number = |text: &str, what: &str| -> usize {
        text.parse()
            .unwrap_or_else(|_| fail(&format!("{what} must be a number, not {text:?}")))
    };
    let run = Run {
        operation,
        size: number(size, "size"),
        rounds: rest.first().map_or(100, |r| number(r, "rounds")),
        setup_only,
    };
    if run.size < 2 || run.rounds == 0 {
        fail("size must be at least 2 and rounds at least 1");
    }
    if *map == "clock" {
        return clock(&run);
    }
    let is_set = operation.starts_with("set_");
    let checksum = match (*map, is_set) {
        ("vdict", false) => run_map::<Dict<u64, u64, Hasher>>(&run),
        ("indexmap", false) => run_map::<IndexMap<u64, u64, Hasher>>(&run),
        ("vdict", true) => run_set::<Set<u64, Hasher>>(&run),
        ("indexmap", true) => run_set::<IndexSet<u64, Hasher>>(&run),
        (other, _) => fail(&format!("unknown map {other:?}")),
    };
    println!(
        "{} operations (checksum {checksum})",
        operations_per_round(operation, run.size) * run.rounds
    );
}
