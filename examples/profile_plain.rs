//! Fixed work for counting the instructions of a lookup in a user's own loop: the report's
//! plain-caller table (`examples/report/plain.rs`) as a program that runs a fixed number of
//! rounds, so that `valgrind --tool=callgrind` counts the same every time.
//!
//! Each map is called through one small generic function the compiler may inline or not (as
//! in any caller's code), from a loop compiled once per map. Keys are random `u64`s (a 64-bit
//! xorshift generator), or `String`s made from them as the report's plain table makes them
//! (`support/random_key.rs`: identifier-like, 6 to 13 characters); the map is built from `new()` by inserts; hits look
//! the keys up in reverse insertion order, misses look up as many keys from the generator's
//! next outputs.
//! Every map hashes with foldhash's fast hasher at one fixed seed, so that each count is the
//! map's own work and the same from run to run.
//!
//! ```text
//! cargo build --release --example profile_plain
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/profile_plain vdict hit 1000 10
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/profile_plain vdict hit 1000 30
//! ```
//!
//! A fifth argument, `String`, takes string keys instead (`u64` when left out). The few that
//! repeat are inserted once and looked up as often as they were drawn.
//!
//! Instructions per lookup: (Ir of the 30-round run − Ir of the 10-round run) / (20 × size),
//! which cancels the set-up. Maps: `vdict`, `vdict-get-with` (`get_with`, the
//! caller's hash and equality, as the report's `get_with move` row), `vdict-get-with-ref` (the
//! same with the closure capturing the key by reference, as its `get_with` row),
//! `vdict-get-with-identity` (`get_with_identity`, as its `get_with_identity` row), `indexmap`,
//! `hashbrown`; `hit` or `miss`.

#[path = "support/caller_compared.rs"]
mod caller_compared;
#[path = "support/random_key.rs"]
mod random_key;
#[path = "support/random_keys.rs"]
mod random_keys;

use caller_compared::{BY_REFERENCE, BY_VALUE, IDENTITY_FIRST};
use random_key::RandomKey;
use std::hash::BuildHasher;
use std::hint::black_box;
use std::process::exit;

const USAGE: &str =
    "usage: profile_plain <vdict|vdict-get-with|vdict-get-with-ref|vdict-get-with-identity|indexmap|hashbrown> <hit|miss> \
<size> <rounds> [u64|String]";

/// A map as this program uses it: built by inserts, then one lookup at a time, as the
/// report's plain caller makes it.
trait Lookup<K> {
    fn insert_one(&mut self, key: K, value: u64);
    fn lookup(&self, key: &K) -> Option<&u64>;
}

impl<K: RandomKey, S: BuildHasher> Lookup<K> for vdict::Dict<K, u64, S> {
    fn insert_one(&mut self, key: K, value: u64) {
        self.insert(key, value);
    }

    fn lookup(&self, key: &K) -> Option<&u64> {
        self.get(key)
    }
}

/// vdict looked up with the caller's hash and equality, as the report's `get_with move` row
/// (`FORM` [`BY_VALUE`]: the closure captures the key sought by value), its `get_with` row
/// ([`BY_REFERENCE`]: by reference, what the compiler infers) and its `get_with_identity` row
/// ([`IDENTITY_FIRST`]); see `support/caller_compared.rs`.
struct CallerCompared<K, S, const FORM: u8>(vdict::Dict<K, u64, S>);

impl<K: RandomKey, S: BuildHasher, const FORM: u8> Lookup<K> for CallerCompared<K, S, FORM> {
    fn insert_one(&mut self, key: K, value: u64) {
        self.0.insert(key, value);
    }

    fn lookup(&self, key: &K) -> Option<&u64> {
        caller_compared::lookup::<K, S, FORM>(&self.0, key)
    }
}

impl<K: RandomKey, S: BuildHasher> Lookup<K> for indexmap::IndexMap<K, u64, S> {
    fn insert_one(&mut self, key: K, value: u64) {
        self.insert(key, value);
    }

    fn lookup(&self, key: &K) -> Option<&u64> {
        self.get(key)
    }
}

impl<K: RandomKey, S: BuildHasher> Lookup<K> for hashbrown::HashMap<K, u64, S> {
    fn insert_one(&mut self, key: K, value: u64) {
        self.insert(key, value);
    }

    fn lookup(&self, key: &K) -> Option<&u64> {
        self.get(key)
    }
}

/// The timed loop, one function per map: the values found, summed.
#[inline(never)]
fn sum_found<K, M: Lookup<K>>(map: &M, keys: &[K]) -> u64 {
    let mut sum = 0u64;
    for key in keys {
        if let Some(value) = map.lookup(key) {
            sum = sum.wrapping_add(*value);
        }
    }
    sum
}

/// Builds `M` from `keys` by inserts and looks `probes` up `rounds` times.
fn run<K: RandomKey, M: Lookup<K>>(mut map: M, keys: &[K], probes: &[K], rounds: usize) -> u64 {
    for (i, key) in keys.iter().enumerate() {
        map.insert_one(key.clone(), i as u64);
    }
    (0..rounds).fold(0, |total, _| {
        total.wrapping_add(sum_found(&map, black_box(probes)))
    })
}

/// Runs `map` on keys of type `K`: the checksum of the found values.
fn run_keys<K: RandomKey>(map: &str, kind: &str, size: usize, rounds: usize) -> u64 {
    let (keys, misses) = random_keys::keys_and_misses(size);
    let keys: Vec<K> = keys.into_iter().map(K::from_random).collect();
    let probes: Vec<K> = match kind {
        "hit" => keys.iter().rev().cloned().collect(),
        // Made from other outputs of the generator (and, for spares, those outputs rotated);
        // a string key made from one may still equal an inserted one (it keeps only some of
        // the output's bits), so those are left out, and `size` are kept.
        "miss" => {
            let inserted: std::collections::HashSet<&K> = keys.iter().collect();
            let spares: Vec<u64> = misses.iter().map(|x| x.rotate_left(29)).collect();
            let probes: Vec<K> = misses
                .into_iter()
                .chain(spares)
                .map(K::from_random)
                .filter(|key| !inserted.contains(key))
                .take(size)
                .collect();
            assert_eq!(probes.len(), size, "too few keys absent from the map");
            probes
        }
        _ => {
            eprintln!("{USAGE}");
            exit(2)
        }
    };
    let hasher = foldhash::fast::FixedState::with_seed(1);
    match map {
        "vdict" => run(vdict::Dict::with_hasher(hasher), &keys, &probes, rounds),
        "vdict-get-with" => run(
            CallerCompared::<_, _, BY_VALUE>(vdict::Dict::with_hasher(hasher)),
            &keys,
            &probes,
            rounds,
        ),
        "vdict-get-with-ref" => run(
            CallerCompared::<_, _, BY_REFERENCE>(vdict::Dict::with_hasher(hasher)),
            &keys,
            &probes,
            rounds,
        ),
        "vdict-get-with-identity" => run(
            CallerCompared::<_, _, IDENTITY_FIRST>(vdict::Dict::with_hasher(hasher)),
            &keys,
            &probes,
            rounds,
        ),
        "indexmap" => run(
            indexmap::IndexMap::with_hasher(hasher),
            &keys,
            &probes,
            rounds,
        ),
        "hashbrown" => run(
            hashbrown::HashMap::with_hasher(hasher),
            &keys,
            &probes,
            rounds,
        ),
        _ => {
            eprintln!("{USAGE}");
            exit(2)
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (map, kind, size, rounds, key) = match args.as_slice() {
        [map, kind, size, rounds] => (map, kind, size, rounds, "u64"),
        [map, kind, size, rounds, key] => (map, kind, size, rounds, key.as_str()),
        _ => {
            eprintln!("{USAGE}");
            exit(2)
        }
    };
    let (Ok(size), Ok(rounds)) = (size.parse::<usize>(), rounds.parse::<usize>()) else {
        eprintln!("size and rounds are numbers\n{USAGE}");
        exit(2)
    };
    let sum = match key {
        "u64" => run_keys::<u64>(map, kind, size, rounds),
        "String" => run_keys::<String>(map, kind, size, rounds),
        _ => {
            eprintln!("{USAGE}");
            exit(2)
        }
    };
    println!(
        "{map} {kind} {size} {key}: {} lookups (checksum {sum})",
        size * rounds
    );
}
