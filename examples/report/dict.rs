//! The dict table: each workload of `benches/support/maps.rs` at each size, for vdict and the
//! maps a Rust user would pick instead, all with the same hasher, side by side in this run.
//!
//! Method: for each (key type, size, workload), rounds of: every map in turn, in a new order
//! each round (`order.rs` says why), sets up (not timed), runs the routine `reps` times
//! (timed; small sizes repeat so one sample is long enough to time), and drops what it built
//! (not timed). Each map's cost is the median over rounds of ns per operation; the ratio
//! columns divide vdict's median by each peer's. Interleaving the maps within a round means a
//! burst of machine noise hits all of them. A map that is built once and read in place
//! (lookups, iteration, clone) first runs a few untimed samples (`warm.rs` says why).

use crate::json::Row;
use crate::order::RoundOrder;
use crate::warm::WARM_UP_SAMPLES;
use crate::Options;
use std::time::Instant;

use crate::maps::{
    BenchKey, BenchMap, Case, HashbrownMap, HashlinkMap, IndexMap, StdMap, VDict, Workload,
};

/// Operations per timed sample, at least: small maps repeat the routine to reach it.
const OPS_PER_SAMPLE: usize = 20_000;

/// How many fresh maps one sample of a consuming workload runs on: enough for
/// [`OPS_PER_SAMPLE`] keys' worth of work (by map size, not by operations: a workload that
/// does few but costly operations, like indexmap's sampled `shift_remove`, must not be
/// repeated to make up their number). Read-only workloads repeat by operations instead, so
/// that iterating the few survivors of a mass delete is timed warm, like any other iteration.
fn reps_for<K: BenchKey>(case: &Case<K>) -> usize {
    (OPS_PER_SAMPLE / case.size().max(1)).max(1)
}

/// Runs the routine `reps` times on `map` (for workloads that leave the map as it was);
/// ns per operation.
fn time_in_place<K: BenchKey, M: BenchMap<K>>(
    workload: Workload,
    map: &mut M,
    case: &Case<K>,
) -> f64 {
    let elements = workload.elements::<K, M>(case);
    let reps = (OPS_PER_SAMPLE / elements.max(1)).max(1);
    let mut checksum = 0u64;
    let start = Instant::now();
    for _ in 0..reps {
        checksum = checksum.wrapping_add(workload.routine(map, case));
    }
    let nanos = start.elapsed().as_nanos();
    std::hint::black_box(checksum);
    nanos as f64 / (reps * elements) as f64
}

/// Sets up `reps` fresh maps (not timed), runs the routine once on each (timed), drops them
/// (not timed); ns per operation.
fn time_consuming<K: BenchKey, M: BenchMap<K>>(workload: Workload, case: &Case<K>) -> f64 {
    let elements = workload.elements::<K, M>(case);
    let reps = reps_for(case);
    let mut maps: Vec<M> = (0..reps).map(|_| workload.setup(case)).collect();
    let mut checksum = 0u64;
    let start = Instant::now();
    for map in maps.iter_mut() {
        checksum = checksum.wrapping_add(workload.routine(map, case));
    }
    let nanos = start.elapsed().as_nanos();
    drop(maps);
    std::hint::black_box(checksum);
    nanos as f64 / (reps * elements) as f64
}

/// One map's part in a measurement: its own state between rounds.
struct Column<K: BenchKey, M: BenchMap<K>> {
    /// The map a read-only workload runs on, built once (`None` if it does not apply).
    built: Option<M>,
    applies: bool,
    samples: Vec<f64>,
    _key: std::marker::PhantomData<K>,
}

/// A column as a round sees it: something to sample, whatever its map's type.
trait Sampled<K: BenchKey> {
    fn sample(&mut self, workload: Workload, case: &Case<K>);

    /// Runs [`WARM_UP_SAMPLES`] untimed samples on a map built once (nothing for a workload
    /// that builds fresh maps for each sample).
    fn warm_up(&mut self, workload: Workload, case: &Case<K>);
}

impl<K: BenchKey, M: BenchMap<K>> Sampled<K> for Column<K, M> {
    fn sample(&mut self, workload: Workload, case: &Case<K>) {
        if !self.applies {
            return;
        }
        let ns = match &mut self.built {
            Some(map) => time_in_place(workload, map, case),
            None => time_consuming::<K, M>(workload, case),
        };
        self.samples.push(ns);
    }

    fn warm_up(&mut self, workload: Workload, case: &Case<K>) {
        if let Some(map) = &mut self.built {
            for _ in 0..WARM_UP_SAMPLES {
                time_in_place(workload, map, case);
            }
        }
    }
}

impl<K: BenchKey, M: BenchMap<K>> Column<K, M> {
    fn new(workload: Workload, case: &Case<K>) -> Self {
        let applies = workload.applies::<K, M>(case.size());
        let built = (applies && !workload.consumes_setup()).then(|| workload.setup(case));
        Column {
            built,
            applies,
            samples: Vec::new(),
            _key: std::marker::PhantomData,
        }
    }

    fn median(self) -> Option<f64> {
        median(self.samples)
    }
}

/// Medians of ns per operation, each with the `impl` its row is filed under: vdict,
/// indexmap, hashbrown, std, hashlink, in that order, for the maps the workload applies to;
/// rounds interleave them, each round in an order of its own. The mass-delete workload also
/// samples, in the same rounds, its baseline (a
/// fresh vdict holding just the survivors, `vdict_fresh`): its goal is a ratio of the two, and
/// taken from rows measured minutes apart it moved with the machine's phases (1.3-2.0 across
/// one day's runs for dicts whose iteration loops are identical).
fn measure<K: BenchKey>(
    workload: Workload,
    case: &Case<K>,
    rounds: usize,
) -> Vec<(&'static str, f64)> {
    let mut vdict = Column::<K, VDict<K>>::new(workload, case);
    let mut indexmap = Column::<K, IndexMap<K>>::new(workload, case);
    let mut hashbrown = Column::<K, HashbrownMap<K>>::new(workload, case);
    let mut std = Column::<K, StdMap<K>>::new(workload, case);
    let mut hashlink = Column::<K, HashlinkMap<K>>::new(workload, case);
    let baseline = Workload::IterateSurvivorsFresh;
    let mut fresh = (workload == Workload::IterateAfterMassDelete)
        .then(|| Column::<K, VDict<K>>::new(baseline, case));
    {
        let mut columns: Vec<(&mut dyn Sampled<K>, Workload)> = vec![
            (&mut vdict, workload),
            (&mut indexmap, workload),
            (&mut hashbrown, workload),
            (&mut std, workload),
            (&mut hashlink, workload),
        ];
        if let Some(fresh) = &mut fresh {
            columns.push((fresh, baseline));
        }
        for (column, workload) in columns.iter_mut() {
            column.warm_up(*workload, case);
        }
        let mut order = RoundOrder::new(columns.len(), case.size() as u64);
        for _ in 0..rounds {
            for &i in order.next_round() {
                let (column, workload) = &mut columns[i];
                column.sample(*workload, case);
            }
        }
    }
    let medians = [
        (workload.impl_name("vdict"), vdict.median()),
        (workload.impl_name("indexmap"), indexmap.median()),
        (workload.impl_name("hashbrown"), hashbrown.median()),
        (workload.impl_name("std"), std.median()),
        (workload.impl_name("hashlink"), hashlink.median()),
        (baseline.impl_name("vdict"), fresh.and_then(Column::median)),
    ];
    (medians.into_iter())
        .filter_map(|(name, ns)| Some((name, ns?)))
        .collect()
}

fn rounds_for(size: usize, quick: bool) -> usize {
    let rounds = match size {
        0..=1_000 => 15,
        1_001..=100_000 => 5,
        _ => 3,
    };
    if quick {
        rounds.min(3)
    } else {
        rounds
    }
}

/// Whether the report runs `workload` at `size` for key type `K`. At 1,000,000 entries it
/// runs only what keeps it under a minute: lookups and iteration for `u64` keys, and the
/// mass-delete iteration (whose goal names that size) for both; `cargo bench --bench dict`
/// runs every workload at every size. The fresh survivors' baseline is sampled within its
/// mass-delete workload's rounds (see [`measure`]), not on its own.
fn in_report<K: BenchKey>(workload: Workload, size: usize) -> bool {
    if workload == Workload::IterateSurvivorsFresh {
        return false;
    }
    size < 1_000_000
        || workload == Workload::IterateAfterMassDelete
        || (K::NAME == "u64"
            && matches!(
                workload,
                Workload::LookupHit | Workload::LookupMiss | Workload::Iterate
            ))
}

fn median(mut samples: Vec<f64>) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_by(f64::total_cmp);
    Some(samples[samples.len() / 2])
}

/// Measures every workload for key type `K`, adding rows and printing its part of the table.
fn run_key<K: BenchKey>(options: &Options, sizes: &[usize], rows: &mut Vec<Row>) {
    for &size in sizes {
        let case: Case<K> = Case::new(size);
        for workload in Workload::ALL {
            if !in_report::<K>(workload, size) {
                continue;
            }
            eprintln!("report: dict {} {size} {}", K::NAME, workload.name());
            for (implementation, ns) in measure(workload, &case, rounds_for(size, options.quick)) {
                rows.push(Row {
                    table: "dict",
                    workload: workload.name().to_string(),
                    key: Some(K::NAME),
                    size: Some(size),
                    implementation: implementation.to_string(),
                    ns_per_op: Some(ns),
                    ..Row::default()
                });
            }
        }
    }
}

/// Runs the sweep and prints the dict table unless `--json`.
pub fn run(options: &Options, rows: &mut Vec<Row>) {
    let sizes: &[usize] = if options.quick {
        &[1_000, 100_000]
    } else {
        &[16, 1_000, 100_000, 1_000_000]
    };
    let first = rows.len();
    run_key::<u64>(options, sizes, rows);
    run_key::<String>(options, sizes, rows);
    if !options.json {
        print_table(&rows[first..]);
    }
}

fn find<'r>(
    rows: &'r [Row],
    key: &str,
    size: usize,
    workload: &str,
    implementation: &str,
) -> Option<&'r Row> {
    rows.iter().find(|r| {
        r.key == Some(key)
            && r.size == Some(size)
            && r.workload == workload
            && r.implementation == implementation
    })
}

fn print_table(rows: &[Row]) {
    println!(
        "== The dict: ns per operation, and vdict's ratio to each peer (same hasher, one run) =="
    );
    println!("   (median of interleaved rounds; ratio < 1 means vdict is faster)\n");
    println!(
        "{:<26} {:>6} {:>9} | {:>8} {:>8} {:>9} {:>8} {:>8} | {:>6} {:>6} {:>6} {:>6}",
        "workload",
        "key",
        "size",
        "vdict",
        "indexmap",
        "hashbrown",
        "std",
        "hashlink",
        "/idxm",
        "/hbrwn",
        "/std",
        "/hlink"
    );
    let mut seen = Vec::new();
    for row in rows {
        let id = (row.workload.clone(), row.key, row.size);
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let (key, size) = (row.key.unwrap_or("-"), row.size.unwrap_or(0));
        let ns = |implementation: &str| {
            find(rows, key, size, &row.workload, implementation).and_then(|r| r.ns_per_op)
        };
        let vdict = ns("vdict");
        let cell = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.2}"));
        let ratio = |peer: Option<f64>| match (vdict, peer) {
            (Some(v), Some(p)) => format!("{:.2}", v / p),
            _ => "-".to_string(),
        };
        println!(
            "{:<26} {:>6} {:>9} | {:>8} {:>8} {:>9} {:>8} {:>8} | {:>6} {:>6} {:>6} {:>6}",
            row.workload,
            key,
            size,
            cell(vdict),
            cell(ns("indexmap")),
            cell(ns("hashbrown")),
            cell(ns("std")),
            cell(ns("hashlink")),
            ratio(ns("indexmap")),
            ratio(ns("hashbrown")),
            ratio(ns("std")),
            ratio(ns("hashlink")),
        );
        if row.workload == "remove_half_ordered" {
            // vdict's order-keeping removal against indexmap's cheap one, which reorders.
            let swap = find(rows, key, size, "swap_remove_half", "indexmap");
            if let Some(swap) = swap.and_then(|r| r.ns_per_op) {
                println!(
                    "{:<26} {:>6} {:>9} | {:>8} {:>8} {:>9} {:>8} {:>8} | {:>6}",
                    "  (indexmap swap_remove)",
                    key,
                    size,
                    "",
                    format!("{swap:.2}"),
                    "",
                    "",
                    "",
                    format!("{:.2}", vdict.unwrap_or(f64::NAN) / swap)
                );
            }
        }
    }
    // The mass-delete goal: survivors of 99.9% deletion vs a fresh dict of just them,
    // sampled in the same rounds.
    println!();
    for row in rows
        .iter()
        .filter(|row| row.implementation == "vdict_fresh")
    {
        let (key, size) = (row.key.unwrap_or("-"), row.size.unwrap_or(0));
        let after = find(rows, key, size, &row.workload, "vdict").and_then(|r| r.ns_per_op);
        if let (Some(after), Some(fresh)) = (after, row.ns_per_op) {
            println!(
                "iterating the {} survivors of {size} {key} keys: {after:.2} ns per entry; a fresh \
                 vdict of just them, same rounds: {fresh:.2}; ratio {:.2} (goal <= 2)",
                size.div_ceil(1000),
                after / fresh
            );
        }
    }
    println!();
}
