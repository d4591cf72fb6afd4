//! The positions table: indexmap's positional API, on vdict and on indexmap.
//!
//! - `get_index`: random positions looked up through one small generic function the
//!   compiler may inline (as in `plain.rs`), on a map with no holes and on one with a hole
//!   every 10 slots (vdict: every 10th key removed, leaving holes, so each lookup past the
//!   first hole goes through the rank structure; indexmap: built from the keys that stay, so
//!   both hold the same entries in the same order).
//! - Ordered removal: removing random keys while keeping the order of the rest, vdict's
//!   `remove` (O(1): a hole) against indexmap's `shift_remove` (O(n): the entries after it
//!   shift down). Each sample removes the same keys from a fresh copy of the same map.
//!
//! `u64` keys from a xorshift generator; medians of interleaved rounds.

use crate::json::Row;
use crate::plain::XorShift;
use crate::threads::median;
use crate::warm::WARM_UP_SAMPLES;
use crate::Options;
use indexmap::IndexMap;
use std::hint::black_box;
use std::time::Instant;
use vdict::{DefaultHashBuilder, Dict};

/// Position lookups per timed sample.
const LOOKUPS_PER_SAMPLE: usize = 100_000;

/// How each map answers a positional lookup: its own `get_index`, through a trait so that
/// both are called the same way.
trait Positional {
    fn at(&self, position: usize) -> Option<(&u64, &u64)>;
}

impl Positional for Dict<u64, u64> {
    fn at(&self, position: usize) -> Option<(&u64, &u64)> {
        self.get_index(position)
    }
}

impl Positional for IndexMap<u64, u64, DefaultHashBuilder> {
    fn at(&self, position: usize) -> Option<(&u64, &u64)> {
        self.get_index(position)
    }
}

/// The one function every positional lookup goes through, left to the compiler to inline.
fn get_index<M: Positional>(map: &M, position: usize) -> Option<(&u64, &u64)> {
    map.at(position)
}

/// Looks up every position; returns a checksum.
#[inline(never)]
fn sum_at<M: Positional>(map: &M, positions: &[usize]) -> u64 {
    let mut sum = 0u64;
    for &position in positions {
        if let Some((_, value)) = get_index(map, position) {
            sum = sum.wrapping_add(*value);
        }
    }
    sum
}

/// Distinct random keys.
fn keys(n: usize, seed: u64) -> Vec<u64> {
    let mut random = XorShift(seed);
    let mut seen = hashbrown::HashSet::new();
    let mut keys = Vec::with_capacity(n);
    while keys.len() < n {
        let key = random.next();
        if seen.insert(key) {
            keys.push(key);
        }
    }
    keys
}

/// ns per `get_index` for (vdict, indexmap), each map holding `size` entries, with or
/// without a hole every 10 slots.
fn measure_get_index(size: usize, holes: bool, rounds: usize) -> (f64, f64) {
    let all = keys(
        size + if holes { size / 9 + 1 } else { 0 },
        0x2545_f491_4f6c_dd1d,
    );
    let mut dict: Dict<u64, u64> = Dict::new();
    let mut peer: IndexMap<u64, u64, DefaultHashBuilder> = IndexMap::default();
    for (i, &key) in all.iter().enumerate() {
        dict.insert(key, i as u64);
        // indexmap gets the survivors only: the same entries in the same order, without the
        // O(n) `shift_remove` per removed key (a quarter of an hour at 1,000,000 keys).
        if !holes || i % 10 != 0 {
            peer.insert(key, i as u64);
        }
    }
    if holes {
        for key in all.iter().step_by(10) {
            dict.remove(key);
        }
    }
    let len = dict.len();
    assert!(dict.iter().eq(peer.iter()));
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
    let positions: Vec<usize> = (0..LOOKUPS_PER_SAMPLE)
        .map(|_| (random.next() % len as u64) as usize)
        .collect();
    // The first positional question past a hole builds the rank structure: not timed; nor
    // are the passes after it that warm both maps (`warm.rs`).
    assert_eq!(sum_at(&dict, &positions), sum_at(&peer, &positions));
    for _ in 1..WARM_UP_SAMPLES {
        black_box((sum_at(&dict, &positions), sum_at(&peer, &positions)));
    }
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let start = Instant::now();
        black_box(sum_at(&dict, &positions));
        ours.push(start.elapsed().as_nanos() as f64 / positions.len() as f64);
        let start = Instant::now();
        black_box(sum_at(&peer, &positions));
        theirs.push(start.elapsed().as_nanos() as f64 / positions.len() as f64);
    }
    (median(ours), median(theirs))
}

/// ns per order-keeping removal for (vdict `remove`, indexmap `shift_remove`): `removals`
/// random keys out of `size`, from a fresh copy of the map each sample.
fn measure_ordered_removal(size: usize, removals: usize, rounds: usize) -> (f64, f64) {
    let all = keys(size, 0x1234_5678_9abc_def1);
    let dict: Dict<u64, u64> = all.iter().map(|&k| (k, k)).collect();
    let peer: IndexMap<u64, u64, DefaultHashBuilder> = all.iter().map(|&k| (k, k)).collect();
    let mut random = XorShift(0x0bad_cafe_f00d_beef);
    let mut doomed: Vec<u64> = Vec::with_capacity(removals);
    let mut chosen = hashbrown::HashSet::new();
    while doomed.len() < removals {
        let key = all[(random.next() % size as u64) as usize];
        if chosen.insert(key) {
            doomed.push(key);
        }
    }
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let mut d = dict.clone();
        let start = Instant::now();
        for key in &doomed {
            black_box(d.remove(key));
        }
        ours.push(start.elapsed().as_nanos() as f64 / removals as f64);
        let mut m = peer.clone();
        let start = Instant::now();
        for key in &doomed {
            black_box(m.shift_remove(key));
        }
        theirs.push(start.elapsed().as_nanos() as f64 / removals as f64);
        assert!(d.iter().eq(m.iter()), "both removed the same keys in order");
    }
    (median(ours), median(theirs))
}

/// Measures, adds rows, prints the table unless `--json`.
pub fn run(options: &Options, rows: &mut Vec<Row>) {
    let (sizes, rounds): (&[usize], usize) = if options.quick {
        (&[1_000, 100_000], 7)
    } else {
        (&[1_000, 100_000, 1_000_000], 11)
    };
    let mut lines = Vec::new();
    for &size in sizes {
        for holes in [false, true] {
            let workload = if holes {
                "get_index_hole_every_10"
            } else {
                "get_index_no_holes"
            };
            eprintln!("report: positions, {workload}, {size}");
            let (ours, theirs) = measure_get_index(size, holes, rounds);
            for (implementation, ns) in [("vdict", ours), ("indexmap", theirs)] {
                rows.push(Row {
                    table: "positions",
                    workload: workload.to_string(),
                    key: Some("u64"),
                    size: Some(size),
                    implementation: implementation.to_string(),
                    ns_per_op: Some(ns),
                    ..Row::default()
                });
            }
            lines.push((workload, size, ours, theirs));
        }
    }
    let removal_sizes: &[usize] = if options.quick {
        &[100_000]
    } else {
        &[10_000, 100_000]
    };
    for &size in removal_sizes {
        eprintln!("report: positions, ordered removal, {size}");
        let (ours, theirs) = measure_ordered_removal(size, 500, rounds.min(7));
        rows.push(Row {
            table: "positions",
            workload: "ordered_remove".to_string(),
            key: Some("u64"),
            size: Some(size),
            implementation: "vdict remove".to_string(),
            ns_per_op: Some(ours),
            ..Row::default()
        });
        rows.push(Row {
            table: "positions",
            workload: "ordered_remove".to_string(),
            key: Some("u64"),
            size: Some(size),
            implementation: "indexmap shift_remove".to_string(),
            ns_per_op: Some(theirs),
            ..Row::default()
        });
        lines.push(("ordered_remove", size, ours, theirs));
    }
    if options.json {
        return;
    }
    println!("== Positions: indexmap's positional API, ns per operation ==");
    println!(
        "   (u64 keys; get_index at random positions through one generic function; ordered\n    \
         removal of 500 random keys from a fresh copy; median of interleaved rounds)\n"
    );
    println!(
        "{:<24} {:>9} | {:>10} {:>10} | {:>12}",
        "workload", "size", "vdict", "indexmap", "vdict/indexmap"
    );
    for (workload, size, ours, theirs) in &lines {
        let ratio = if *workload == "ordered_remove" {
            format!("1/{:.0}", theirs / ours)
        } else {
            format!("{:.2}", ours / theirs)
        };
        println!("{workload:<24} {size:>9} | {ours:>10.2} {theirs:>10.2} | {ratio:>12}");
    }
    println!(
        "\n(goals: get_index <= 1.0 x indexmap with no holes, <= 3 x with a hole every 10;\n \
         ordered removal >= 100 x faster than shift_remove at 100,000 keys)\n"
    );
}
