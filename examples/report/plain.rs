//! The plain-caller table: lookups as a user's own code makes them, for each map.
//!
//! The dict table measures many workloads through one big routine, in which the compiler
//! calls every map's `get` out of line; a user's small loop over `get` may have it inlined
//! instead, which helps a map whose lookup is small enough and not one whose lookup is not.
//! So here every map is called through one small generic function ([`get`]), marked neither
//! `#[inline]` nor `#[inline(never)]`, from a timed loop compiled once per map ([`sum_hits`],
//! [`sum_misses`], kept out of line so that each map's loop is its own function and none
//! shares another's registers): what inlining happens is the compiler's choice, as in any
//! caller's code.
//!
//! Keys are random (a 64-bit xorshift generator), `u64`s and short `String`s made from them.
//! Each map is built from `new()` by inserts. Hits look the keys up in reverse insertion
//! order; misses look up as many keys from another seed. Rounds interleave the maps, in a new
//! order each round (`order.rs` says why), after a few untimed samples of each map (`warm.rs`
//! says why); each cost is the median over rounds of ns per lookup.

use crate::caller_compared::{self, BY_REFERENCE, BY_VALUE, IDENTITY_FIRST};
use crate::json::Row;
use crate::order::RoundOrder;
use crate::random_key::RandomKey;
use crate::warm::WARM_UP_SAMPLES;
use crate::Options;
use std::hash::Hash;
use std::hint::black_box;
use std::time::Instant;
use vdict::DefaultHashBuilder;

/// Lookups per timed sample, at least: small maps repeat their keys to reach it.
const LOOKUPS_PER_SAMPLE: usize = 50_000;

/// How this table reads a map: one lookup. Each impl forwards to the map's own method and is
/// small enough that the compiler sees straight through it.
trait PlainLookup<K> {
    fn lookup(&self, key: &K) -> Option<&u64>;
}

/// A map as this table builds it: from `new()`, by inserts.
trait PlainMap<K>: PlainLookup<K> + Sized {
    const NAME: &'static str;
    fn new_map() -> Self;
    fn put(&mut self, key: K, value: u64);
}

macro_rules! plain_map {
    ($name:literal, $map:ty, $new:expr, $get:ident) => {
        impl<K: Hash + Eq> PlainMap<K> for $map {
            const NAME: &'static str = $name;
            fn new_map() -> Self {
                $new
            }
            fn put(&mut self, key: K, value: u64) {
                self.insert(key, value);
            }
        }

        impl<K: Hash + Eq> PlainLookup<K> for $map {
            fn lookup(&self, key: &K) -> Option<&u64> {
                self.$get(key)
            }
        }
    };
}

plain_map!("vdict", vdict::Dict<K, u64>, vdict::Dict::new(), get);
plain_map!(
    "indexmap",
    indexmap::IndexMap<K, u64, DefaultHashBuilder>,
    indexmap::IndexMap::with_hasher(DefaultHashBuilder::default()),
    get
);
plain_map!(
    "hashbrown",
    hashbrown::HashMap<K, u64, DefaultHashBuilder>,
    hashbrown::HashMap::with_hasher(DefaultHashBuilder::default()),
    get
);
plain_map!(
    "std",
    std::collections::HashMap<K, u64, DefaultHashBuilder>,
    std::collections::HashMap::with_hasher(DefaultHashBuilder::default()),
    get
);
plain_map!(
    "hashlink",
    hashlink::LinkedHashMap<K, u64, DefaultHashBuilder>,
    hashlink::LinkedHashMap::with_hasher(DefaultHashBuilder::default()),
    get
);

/// vdict looked up with the caller's hash and equality, as an interpreter whose keys compare
/// by running its own code does: measured on vdict's own dict, between two samples of its
/// `get` (see [`measure_caller_compared`]).
///
/// Three ways a caller writes it, all measured (`FORM`): `get_with` with the closure capturing
/// the key sought by reference (`|stored| ... == key`, [`BY_REFERENCE`]: what the compiler
/// infers) and by value (`move |stored| ...`, [`BY_VALUE`]; the key is a reference either
/// way); and `get_with_identity` ([`IDENTITY_FIRST`]), asking [`RandomKey::is_same`] before the
/// stored hash, as CPython's `lookdict` tests `ep->me_key == key` first. By reference, the
/// closure holds the address of the caller's variable `key`, which must then live in memory
/// for the out-of-line half that probes a wide index, and that puts the lookup just over
/// LLVM's budget for inlining it into the timed loop (INTERNALS.md §3); by value it stays
/// under, and the lookup is inlined, as `get` is.
///
/// It owns the dict, and `get` is timed on `&self.0`, so that both loops are handed a
/// reference to the dict itself. A wrapper holding a `&Dict` hands its loop a reference to a
/// reference: the compiler may then not assume the dict unchanged across a call, and where it
/// inlines the lookup, that loop reloads the hasher's seed and re-tests the index's width on
/// every lookup while `get`'s loop does both once (callgrind, 1,000 u64 keys, a loop with the
/// lookup inlined: `get_with` 48.1 instructions a hit through a `&Dict` wrapper, 41.1 through
/// this one, `get` 35.1).
struct CallerCompared<K, const FORM: u8>(vdict::Dict<K, u64>);

/// The names of the caller-compared lookups' rows, by `FORM`.
const CALLER_COMPARED: [&str; 3] = [
    "vdict get_with",
    "vdict get_with move",
    "vdict get_with_identity",
];

impl<K: RandomKey, const FORM: u8> PlainLookup<K> for CallerCompared<K, FORM> {
    fn lookup(&self, key: &K) -> Option<&u64> {
        caller_compared::lookup::<K, _, FORM>(&self.0, key)
    }
}

/// The one function every lookup goes through: generic, and left to the compiler to inline
/// or not.
fn get<'m, K, M: PlainLookup<K>>(map: &'m M, key: &K) -> Option<&'m u64> {
    map.lookup(key)
}

/// Looks up every key, which must all be present; returns a checksum.
#[inline(never)]
fn sum_hits<K, M: PlainLookup<K>>(map: &M, keys: &[K]) -> u64 {
    let mut sum = 0u64;
    for key in keys {
        if let Some(value) = get(map, key) {
            sum = sum.wrapping_add(*value);
        }
    }
    sum
}

/// Looks up every key, which must all be absent; returns how many were (all of them).
#[inline(never)]
fn sum_misses<K, M: PlainLookup<K>>(map: &M, keys: &[K]) -> u64 {
    let mut absent = 0u64;
    for key in keys {
        if get(map, key).is_none() {
            absent += 1;
        }
    }
    absent
}

/// xorshift64: fast, and random enough that no hasher gets an easy ride.
/// (Also the positions table's.)
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// `n` distinct keys from `seed`, none in `avoid`.
fn distinct_keys<K: RandomKey>(n: usize, seed: u64, avoid: &hashbrown::HashSet<K>) -> Vec<K> {
    let mut random = XorShift(seed);
    let mut seen = hashbrown::HashSet::new();
    let mut keys = Vec::with_capacity(n);
    while keys.len() < n {
        let key = K::from_random(random.next());
        if !avoid.contains(&key) && seen.insert(key.clone()) {
            keys.push(key);
        }
    }
    keys
}

/// One map of one case: built, with its samples.
struct Subject<K, M> {
    map: M,
    hits_ns: Vec<f64>,
    misses_ns: Vec<f64>,
    _key: std::marker::PhantomData<K>,
}

/// Everything one row of the table needs, for any map.
trait Measured {
    fn name(&self) -> &'static str;
    fn sample(&mut self, hits: &dyn std::any::Any, misses: &dyn std::any::Any, reps: usize);
    fn medians(&self) -> (f64, f64);

    /// Runs [`WARM_UP_SAMPLES`] untimed samples.
    fn warm_up(&mut self, hits: &dyn std::any::Any, misses: &dyn std::any::Any, reps: usize) {
        for _ in 0..WARM_UP_SAMPLES {
            self.sample(hits, misses, reps);
        }
        self.forget_samples();
    }

    /// Drops the samples taken so far.
    fn forget_samples(&mut self);
}

impl<K: RandomKey + 'static, M: PlainMap<K>> Measured for Subject<K, M> {
    fn name(&self) -> &'static str {
        M::NAME
    }

    fn sample(&mut self, hits: &dyn std::any::Any, misses: &dyn std::any::Any, reps: usize) {
        let hits: &Vec<K> = hits.downcast_ref().expect("keys of this case's type");
        let misses: &Vec<K> = misses.downcast_ref().expect("keys of this case's type");
        let (hit, miss) = time_lookups(&self.map, hits, misses, reps, M::NAME);
        self.hits_ns.push(hit);
        self.misses_ns.push(miss);
    }

    fn medians(&self) -> (f64, f64) {
        (median(&self.hits_ns), median(&self.misses_ns))
    }

    fn forget_samples(&mut self) {
        self.hits_ns.clear();
        self.misses_ns.clear();
    }
}

/// ns per hit and per miss of `map`: `reps` passes over `hits`, then over `misses`.
fn time_lookups<K, M: PlainLookup<K>>(
    map: &M,
    hits: &[K],
    misses: &[K],
    reps: usize,
    name: &str,
) -> (f64, f64) {
    let start = Instant::now();
    let mut checksum = 0u64;
    for _ in 0..reps {
        checksum = checksum.wrapping_add(sum_hits(map, hits));
    }
    let hit = start.elapsed().as_nanos() as f64 / (reps * hits.len()) as f64;
    let start = Instant::now();
    let mut absent = 0u64;
    for _ in 0..reps {
        absent += sum_misses(map, misses);
    }
    let miss = start.elapsed().as_nanos() as f64 / (reps * misses.len()) as f64;
    assert_eq!(absent, (reps * misses.len()) as u64, "{name}: a miss hit");
    black_box(checksum);
    (hit, miss)
}

/// What [`measure_caller_compared`] measured for one way of writing the closure: ns per hit
/// and per miss of `get_with` (medians), and its ratios to `get` (medians of paired ratios).
struct CallerComparedCost {
    ns: (f64, f64),
    ratios: (f64, f64),
}

/// Each caller-compared lookup against `get` on one dict ([`CallerCompared`], in the order of
/// its `FORM`s), each round's three samples taken between two `get` samples: the ratios are to
/// the mean of the two `get` samples around them. One dict for all (moved from one wrapper to
/// the next: its heap stays where it is), so that none gains from where its memory happens to
/// lie; a sample on each side, so that the machine's drift cancels (with a single `get` sample
/// several maps away, the u64 ratios ranged 0.97-1.13 from run to run).
fn measure_caller_compared<K: RandomKey>(
    keys: &[K],
    hits: &[K],
    misses: &[K],
    reps: usize,
    rounds: usize,
) -> [CallerComparedCost; 3] {
    let mut dict = vdict::Dict::new();
    for (i, key) in keys.iter().enumerate() {
        dict.insert(key.clone(), i as u64);
    }
    for _ in 0..WARM_UP_SAMPLES {
        time_lookups(&dict, hits, misses, reps, "vdict");
    }
    // Per form: ns per hit and miss, and the ratios to `get`.
    let mut samples: [[Vec<f64>; 4]; 3] = Default::default();
    for _ in 0..rounds {
        let before = time_lookups(&dict, hits, misses, reps, "vdict");
        let by_reference = CallerCompared::<K, BY_REFERENCE>(dict);
        let reference = time_lookups(&by_reference, hits, misses, reps, CALLER_COMPARED[0]);
        let by_value = CallerCompared::<K, BY_VALUE>(by_reference.0);
        let value = time_lookups(&by_value, hits, misses, reps, CALLER_COMPARED[1]);
        let identity_first = CallerCompared::<K, IDENTITY_FIRST>(by_value.0);
        let identity = time_lookups(&identity_first, hits, misses, reps, CALLER_COMPARED[2]);
        dict = identity_first.0;
        let after = time_lookups(&dict, hits, misses, reps, "vdict");
        let get = ((before.0 + after.0) / 2.0, (before.1 + after.1) / 2.0);
        for (samples, with) in samples.iter_mut().zip([reference, value, identity]) {
            for (sample, value) in
                samples
                    .iter_mut()
                    .zip([with.0, with.1, with.0 / get.0, with.1 / get.1])
            {
                sample.push(value);
            }
        }
    }
    samples.map(
        |[hits, misses, hit_ratios, miss_ratios]| CallerComparedCost {
            ns: (median(&hits), median(&misses)),
            ratios: (median(&hit_ratios), median(&miss_ratios)),
        },
    )
}

fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn subject<K: RandomKey + 'static, M: PlainMap<K> + 'static>(keys: &[K]) -> Box<dyn Measured> {
    let mut map = M::new_map();
    for (i, key) in keys.iter().enumerate() {
        map.put(key.clone(), i as u64);
    }
    Box::new(Subject::<K, M> {
        map,
        hits_ns: Vec::new(),
        misses_ns: Vec::new(),
        _key: std::marker::PhantomData,
    })
}

/// Each caller-compared lookup over `get` (hit, miss), in the order of their `FORM`s.
type CallerComparedRatios = [(f64, f64); 3];

/// What one key type at one size measured: each map's (name, hit ns, miss ns), vdict's
/// caller-compared rows last, and each caller-compared lookup over `get` on vdict's dict
/// (hit, miss), as paired ratios, in the order of their `FORM`s.
struct Measured1 {
    maps: Vec<(&'static str, f64, f64)>,
    caller_compared: CallerComparedRatios,
}

/// Measures one key type at one size.
fn measure<K: RandomKey + 'static>(size: usize, rounds: usize) -> Measured1 {
    let keys: Vec<K> = distinct_keys(size, 0x2545_f491_4f6c_dd1d, &hashbrown::HashSet::new());
    let present: hashbrown::HashSet<K> = keys.iter().cloned().collect();
    let missing: Vec<K> = distinct_keys(size, 0x9e37_79b9_7f4a_7c15, &present);
    let hits: Vec<K> = keys.iter().rev().cloned().collect();
    let mut subjects = [
        subject::<K, vdict::Dict<K, u64>>(&keys),
        subject::<K, indexmap::IndexMap<K, u64, DefaultHashBuilder>>(&keys),
        subject::<K, hashbrown::HashMap<K, u64, DefaultHashBuilder>>(&keys),
        subject::<K, std::collections::HashMap<K, u64, DefaultHashBuilder>>(&keys),
        subject::<K, hashlink::LinkedHashMap<K, u64, DefaultHashBuilder>>(&keys),
    ];
    let reps = (LOOKUPS_PER_SAMPLE / size).max(1);
    for subject in &mut subjects {
        subject.warm_up(&hits, &missing, reps);
    }
    let mut order = RoundOrder::new(subjects.len(), size as u64);
    for _ in 0..rounds {
        for &i in order.next_round() {
            subjects[i].sample(&hits, &missing, reps);
        }
    }
    let costs = measure_caller_compared(&keys, &hits, &missing, reps, rounds);
    let mut maps: Vec<_> = subjects
        .iter()
        .map(|subject| {
            let (hit, miss) = subject.medians();
            (subject.name(), hit, miss)
        })
        .collect();
    for (name, cost) in CALLER_COMPARED.iter().zip(&costs) {
        maps.push((name, cost.ns.0, cost.ns.1));
    }
    Measured1 {
        maps,
        caller_compared: costs.map(|cost| cost.ratios),
    }
}

/// Measures both key types at each size, adds rows, prints the table unless `--json`.
pub fn run(options: &Options, rows: &mut Vec<Row>) {
    let (sizes, rounds): (&[usize], usize) = if options.quick {
        (&[16, 1_000, 100_000], 7)
    } else {
        (&[16, 1_000, 100_000, 1_000_000], 11)
    };
    let mut table = Vec::new();
    for key in ["u64", "String"] {
        for &size in sizes {
            eprintln!("report: plain caller, {key} keys, {size}");
            let Measured1 {
                maps: measured,
                caller_compared,
            } = match key {
                "u64" => measure::<u64>(size, rounds),
                _ => measure::<String>(size, rounds),
            };
            for &(name, hit, miss) in &measured {
                for (workload, ns) in [("plain_lookup_hit", hit), ("plain_lookup_miss", miss)] {
                    rows.push(Row {
                        table: "plain",
                        workload: workload.to_string(),
                        key: Some(if key == "u64" { "u64" } else { "String" }),
                        size: Some(size),
                        implementation: name.to_string(),
                        ns_per_op: Some(ns),
                        ..Row::default()
                    });
                }
            }
            table.push((key, size, measured, caller_compared));
        }
    }
    if options.json {
        return;
    }
    // The caller-compared lookup is not a peer: its own lines below the table.
    let caller_compared: Vec<(&str, usize, CallerComparedRatios)> = table
        .iter_mut()
        .map(|(key, size, measured, ratios)| {
            measured.retain(|m| !CALLER_COMPARED.contains(&m.0));
            (*key, *size, *ratios)
        })
        .collect();
    println!("== Lookups from a plain caller: ns per lookup, and vdict's ratio to each peer ==");
    println!(
        "   (each map called through one generic function the compiler may inline; random keys;\n    \
         maps built from new() by inserts; median of {rounds} interleaved rounds)\n"
    );
    let names: Vec<&str> = table[0].2.iter().map(|(name, _, _)| *name).collect();
    print!("{:<6} {:>8} {:<5} |", "key", "size", "");
    for name in &names {
        print!(" {name:>9}");
    }
    print!(" |");
    for name in names.iter().skip(1) {
        print!(" {:>8}", format!("/{}", &name[..name.len().min(5)]));
    }
    println!();
    for (key, size, measured, _) in &table {
        for (label, pick) in [("hit", 1usize), ("miss", 2)] {
            let ns: Vec<f64> = measured
                .iter()
                .map(|m| if pick == 1 { m.1 } else { m.2 })
                .collect();
            print!("{key:<6} {size:>8} {label:<5} |");
            for value in &ns {
                print!(" {value:>9.2}");
            }
            print!(" |");
            for value in ns.iter().skip(1) {
                print!(" {:>8.2}", ns[0] / value);
            }
            println!();
        }
    }
    println!(
        "\nvdict's caller-compared lookups (the caller's hash and equality) / its get, on one dict, median over rounds \
         of each round's ratio (get timed just before and just after them):\n\
         get_with with the closure capturing the key sought by reference (`|k| ...`) and by value (`move |k| ...`, \
         which is inlined), and get_with_identity,\nwhich asks first whether the stored key is the very object sought, \
         as CPython does (a u64 is its own object: found so; each String sought is a copy: found by equality):"
    );
    for (key, size, [(hit, miss), (move_hit, move_miss), (same_hit, same_miss)]) in &caller_compared
    {
        println!(
            "  {key:<6} {size:>8}: hit {hit:.2}, miss {miss:.2}; move: hit {move_hit:.2}, miss {move_miss:.2}; \
             identity first: hit {same_hit:.2}, miss {same_miss:.2}"
        );
    }
    println!("  (goal: <= 1.05 for u64 keys)");
    println!(
        "\n(goals: hit <= 1.0 x indexmap at 16 and 1,000, <= 0.9 x at 100,000 and 1,000,000, \
         <= 1.25 x hashbrown up to 100,000;\n miss <= 1.0 x indexmap at every size, <= 1.25 x \
         hashbrown up to 100,000)\n"
    );
}
