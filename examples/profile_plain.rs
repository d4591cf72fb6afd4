//! Fixed work for counting the instructions of a lookup in a user's own loop: the report's
//! plain-caller table (`examples/report/plain.rs`) as a program that runs a fixed number of
//! rounds, so that `valgrind --tool=callgrind` counts the same every time.
//!
//! Each map is called through one small generic function the compiler may inline or not (as
//! in any caller's code), from a loop compiled once per map. Keys are random `u64`s (a 64-bit
//! xorshift generator); the map is built from `new()` by inserts; hits look the keys up in
//! reverse insertion order, misses look up as many keys from the generator's next outputs.
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
//! Instructions per lookup: (Ir of the 30-round run − Ir of the 10-round run) / (20 × size),
//! which cancels the set-up. Maps: `vdict`, `vdict-get-with` (`get_with`, the
//! caller's hash and equality, as the report's `get_with move` row), `indexmap`, `hashbrown`; `hit` or `miss`.

#[path = "support/random_keys.rs"]
mod random_keys;

use std::hash::BuildHasher;
use std::hint::black_box;
use std::process::exit;

const USAGE: &str =
    "usage: profile_plain <vdict|vdict-get-with|indexmap|hashbrown> <hit|miss> <size> <rounds>";

/// A map as this program uses it: built by inserts, then one lookup at a time, as the
/// report's plain caller makes it.
trait Lookup {
    fn insert_one(&mut self, key: u64, value: u64);
    fn lookup(&self, key: &u64) -> Option<&u64>;
}

impl<S: BuildHasher> Lookup for vdict::Dict<u64, u64, S> {
    fn insert_one(&mut self, key: u64, value: u64) {
        self.insert(key, value);
    }

    fn lookup(&self, key: &u64) -> Option<&u64> {
        self.get(key)
    }
}

/// vdict looked up with the caller's hash and equality, as the report's `get_with move` row.
struct CallerCompared<S>(vdict::Dict<u64, u64, S>);

impl<S: BuildHasher> Lookup for CallerCompared<S> {
    fn insert_one(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }

    fn lookup(&self, key: &u64) -> Option<&u64> {
        let hash = self.0.hash_key(key);
        let found = self
            .0
            .get_with(hash, move |stored| Ok::<_, ()>(stored == key));
        found.ok().flatten().map(|(_, value)| value)
    }
}

impl<S: BuildHasher> Lookup for indexmap::IndexMap<u64, u64, S> {
    fn insert_one(&mut self, key: u64, value: u64) {
        self.insert(key, value);
    }

    fn lookup(&self, key: &u64) -> Option<&u64> {
        self.get(key)
    }
}

impl<S: BuildHasher> Lookup for hashbrown::HashMap<u64, u64, S> {
    fn insert_one(&mut self, key: u64, value: u64) {
        self.insert(key, value);
    }

    fn lookup(&self, key: &u64) -> Option<&u64> {
        self.get(key)
    }
}

/// The timed loop, one function per map: the values found, summed.
#[inline(never)]
fn sum_found<M: Lookup>(map: &M, keys: &[u64]) -> u64 {
    let mut sum = 0u64;
    for key in keys {
        if let Some(value) = map.lookup(key) {
            sum = sum.wrapping_add(*value);
        }
    }
    sum
}

/// Builds `M` from `keys` by inserts and looks `probes` up `rounds` times.
fn run<M: Lookup>(mut map: M, keys: &[u64], probes: &[u64], rounds: usize) -> u64 {
    for (i, &key) in keys.iter().enumerate() {
        map.insert_one(key, i as u64);
    }
    (0..rounds).fold(0, |total, _| {
        total.wrapping_add(sum_found(&map, black_box(probes)))
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [map, kind, size, rounds] = args.as_slice() else {
        eprintln!("{USAGE}");
        exit(2)
    };
    let (Ok(size), Ok(rounds)) = (size.parse::<usize>(), rounds.parse::<usize>()) else {
        eprintln!("size and rounds are numbers\n{USAGE}");
        exit(2)
    };
    let (keys, misses) = random_keys::keys_and_misses(size);
    let probes: Vec<u64> = match kind.as_str() {
        "hit" => keys.iter().rev().copied().collect(),
        "miss" => misses,
        _ => {
            eprintln!("{USAGE}");
            exit(2)
        }
    };
    let hasher = foldhash::fast::FixedState::with_seed(1);
    let sum = match map.as_str() {
        "vdict" => run(vdict::Dict::with_hasher(hasher), &keys, &probes, rounds),
        "vdict-get-with" => run(
            CallerCompared(vdict::Dict::with_hasher(hasher)),
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
    };
    println!(
        "{map} {kind} {size}: {} lookups (checksum {sum})",
        size * rounds
    );
}
