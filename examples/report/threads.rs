//! The threads table: what a read of a shared module global costs per load, for 1 and 2
//! reader threads, while another thread rebinds a *different* global of the same module every
//! 1,000 loads or every 10 loads (counted over all readers).
//!
//! Three ways to share the namespace:
//! - `shared_cache`: a `vdict::sync::SharedDict`, each reader with its own
//!   `SharedVersionCache` site: a hit is an atomic load and a compare per namespace, no lock;
//! - `rwlock_indexmap`: a `std::sync::RwLock<IndexMap>` looked up under the read lock, what a
//!   Rust user writes today (RustPython keeps each dict behind an `RwLock` too);
//! - `mutex_dict`: a `std::sync::Mutex<vdict::Dict>` looked up under the lock.
//!
//! Each reader loads the global a fixed number of times and reports ns per load; the row is the
//! median over rounds of the slowest reader's figure. Readers publish their progress every
//! 8 loads in a counter of their own (its own cache line); the writer spins on those counters
//! and rebinds when their sum crosses the next multiple of the interval. The writer is a busy
//! thread: with 2 readers on a 2-core machine, three threads share two cores, and the table
//! says so. For scale it also measures the single-threaded `VersionCache` hit on a plain
//! `Dict` in the same loop.

use crate::json::Row;
use crate::Options;
use indexmap::IndexMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex, RwLock};
use std::time::Instant;
use vdict::cache::VersionCache;
use vdict::sync::{SharedDict, SharedVersionCache};
use vdict::{DefaultHashBuilder, Dict};

type Name = Arc<str>;

/// A counter alone on its cache line.
#[repr(align(128))]
#[derive(Default)]
struct Padded(AtomicU64);

/// The namespace, shared one of three ways. (Made once per round, behind an `Arc`: the size
/// of its largest variant, the shared dicts with their cache-line-aligned tags, costs nothing.)
#[allow(clippy::large_enum_variant)]
enum Shared {
    Cache(SharedDict<Name, u64>, SharedDict<Name, u64>),
    RwLockIndexMap(RwLock<IndexMap<Name, u64, DefaultHashBuilder>>),
    MutexDict(Mutex<Dict<Name, u64>>),
}

const IMPLS: [&str; 3] = ["shared_cache", "rwlock_indexmap", "mutex_dict"];

/// A module's globals: 100 names, among them `x` (read) and `y` (rebound).
fn globals() -> Vec<(Name, u64)> {
    let mut names: Vec<(Name, u64)> = (0..98).map(|i| (format!("g{i}").into(), i)).collect();
    names.push(("x".into(), 7));
    names.push(("y".into(), 0));
    names
}

fn share(implementation: &str) -> Shared {
    match implementation {
        "shared_cache" => {
            let dict: Dict<Name, u64> = globals().into_iter().collect();
            let builtins: Dict<Name, u64> = [("len".into(), 1)].into_iter().collect();
            Shared::Cache(SharedDict::from(dict), SharedDict::from(builtins))
        }
        "rwlock_indexmap" => Shared::RwLockIndexMap(RwLock::new(globals().into_iter().collect())),
        _ => Shared::MutexDict(Mutex::new(globals().into_iter().collect())),
    }
}

fn rebind(shared: &Shared, y: &Name, value: u64) {
    match shared {
        Shared::Cache(globals, _) => {
            globals.write().insert(y.clone(), value);
        }
        Shared::RwLockIndexMap(map) => {
            map.write().unwrap().insert(y.clone(), value);
        }
        Shared::MutexDict(dict) => {
            dict.lock().unwrap().insert(y.clone(), value);
        }
    }
}

/// One reader: `loads` loads of `x`, progress published every 8; returns ns per load.
#[inline(never)]
fn read(shared: &Shared, loads: u64, progress: &AtomicU64) -> f64 {
    let x: Name = "x".into();
    let hash = vdict::hash_key(&*x);
    let mut sum = 0u64;
    let start = Instant::now();
    match shared {
        Shared::Cache(globals, builtins) => {
            let mut site = SharedVersionCache::new();
            for i in 0..loads {
                sum = sum.wrapping_add(*site.load_with_hash(globals, builtins, &x, hash).unwrap());
                if i % 8 == 7 {
                    progress.store(i + 1, Ordering::Relaxed);
                }
            }
        }
        Shared::RwLockIndexMap(map) => {
            for i in 0..loads {
                sum = sum.wrapping_add(*map.read().unwrap().get(&x).unwrap());
                if i % 8 == 7 {
                    progress.store(i + 1, Ordering::Relaxed);
                }
            }
        }
        Shared::MutexDict(dict) => {
            for i in 0..loads {
                sum = sum.wrapping_add(*dict.lock().unwrap().get(&x).unwrap());
                if i % 8 == 7 {
                    progress.store(i + 1, Ordering::Relaxed);
                }
            }
        }
    }
    let ns = start.elapsed().as_nanos() as f64 / loads as f64;
    black_box(sum);
    ns
}

/// One round: `threads` readers and the writer; the slowest reader's ns per load, and how many
/// rebinds the writer made.
fn round(implementation: &str, threads: usize, rebind_every: u64, loads: u64) -> (f64, u64) {
    let shared = Arc::new(share(implementation));
    let progress: Arc<Vec<Padded>> = Arc::new((0..threads).map(|_| Padded::default()).collect());
    let done = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(threads + 1));
    let writer = {
        let (shared, progress, done, start) = (
            shared.clone(),
            progress.clone(),
            done.clone(),
            start.clone(),
        );
        std::thread::spawn(move || {
            let y: Name = "y".into();
            start.wait();
            let mut written = 0u64;
            while !done.load(Ordering::Relaxed) {
                let total: u64 = progress.iter().map(|p| p.0.load(Ordering::Relaxed)).sum();
                while (written + 1) * rebind_every <= total {
                    written += 1;
                    rebind(&shared, &y, written);
                }
                std::hint::spin_loop();
            }
            written
        })
    };
    let readers: Vec<_> = (0..threads)
        .map(|t| {
            let (shared, progress, start) = (shared.clone(), progress.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                read(&shared, loads, &progress[t].0)
            })
        })
        .collect();
    let slowest = readers
        .into_iter()
        .map(|reader| reader.join().unwrap())
        .fold(0.0f64, f64::max);
    done.store(true, Ordering::Relaxed);
    (slowest, writer.join().unwrap())
}

/// The single-threaded version cache hit on a plain dict, in the same loop shape.
#[inline(never)]
fn single_thread_version_cache(loads: u64) -> f64 {
    let dict: Dict<Name, u64> = globals().into_iter().collect();
    let builtins: Dict<Name, u64> = [("len".into(), 1)].into_iter().collect();
    let x: Name = "x".into();
    let hash = vdict::hash_key(&*x);
    let progress = AtomicU64::new(0);
    let mut site = VersionCache::new();
    let mut sum = 0u64;
    let start = Instant::now();
    for i in 0..loads {
        sum = sum.wrapping_add(*site.load_with_hash(&dict, &builtins, &x, hash).unwrap());
        if i % 8 == 7 {
            progress.store(i + 1, Ordering::Relaxed);
        }
    }
    let ns = start.elapsed().as_nanos() as f64 / loads as f64;
    black_box((sum, progress.load(Ordering::Relaxed)));
    ns
}

/// The median of `samples` (also the positions table's).
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Measures every implementation at 1 and 2 readers and both write rates; adds rows; prints.
pub fn run(options: &Options, rows: &mut Vec<Row>) {
    let (loads, rounds) = if options.quick {
        (200_000, 3)
    } else {
        (1_000_000, 7)
    };
    let reader_counts = [1usize, 2];
    let mut table = Vec::new();
    // The single-threaded baseline is sampled in every round, beside the threaded runs.
    let mut single_samples = Vec::new();
    for rebind_every in [1000u64, 10] {
        for &threads in &reader_counts {
            eprintln!("report: threads, {threads} readers, a rebind every {rebind_every} loads");
            let mut samples: Vec<Vec<f64>> = vec![Vec::new(); IMPLS.len()];
            let mut rebinds = vec![0u64; IMPLS.len()];
            for _ in 0..rounds {
                single_samples.push(single_thread_version_cache(loads));
                for (i, implementation) in IMPLS.iter().enumerate() {
                    let (ns, written) = round(implementation, threads, rebind_every, loads);
                    samples[i].push(ns);
                    rebinds[i] += written;
                }
            }
            // The writer keeps pace with the readers' published progress, but a round can end
            // before it catches up: say how close it came.
            let wanted = rounds as u64 * threads as u64 * loads / rebind_every;
            let made = rebinds.iter().min().copied().unwrap_or(0);
            if made * 10 < wanted * 9 {
                eprintln!(
                    "report: threads: the writer made {made} of {wanted} rebinds in some rounds"
                );
            }
            let ns: Vec<f64> = samples.into_iter().map(median).collect();
            for (implementation, &ns) in IMPLS.iter().zip(&ns) {
                rows.push(Row {
                    table: "threads",
                    workload: format!("load_global_shared_rebind_every_{rebind_every}"),
                    threads: Some(threads),
                    implementation: implementation.to_string(),
                    ns_per_op: Some(ns),
                    ..Row::default()
                });
            }
            table.push((rebind_every, threads, ns));
        }
    }
    let single = median(single_samples);
    rows.push(Row {
        table: "threads",
        workload: "load_global_single_thread".to_string(),
        threads: Some(1),
        implementation: "version_cache".to_string(),
        ns_per_op: Some(single),
        ..Row::default()
    });
    if options.json {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("== A shared module global read by 1 and 2 threads while another rebinds a different global ==");
    println!(
        "   ({loads} loads per reader per round, median of {rounds} rounds of the slowest reader; \
         {cores} cores here, and the writer spins on one of them)\n"
    );
    println!(
        "{:<18} {:>8} | {:>13} {:>16} {:>11} | {:>14}",
        "rebind every",
        "readers",
        "shared_cache",
        "rwlock_indexmap",
        "mutex_dict",
        "rwlock / cache"
    );
    for (rebind_every, threads, ns) in &table {
        println!(
            "{:<18} {:>8} | {:>10.2} ns {:>13.2} ns {:>8.2} ns | {:>14.1}",
            format!("{rebind_every} loads"),
            threads,
            ns[0],
            ns[1],
            ns[2],
            ns[1] / ns[0]
        );
    }
    println!("\nsingle-threaded VersionCache hit, same loop: {single:.2} ns");
    for (rebind_every, threads, ns) in &table {
        if *threads == 2 {
            println!(
                "2 readers, a rebind every {rebind_every} loads: RwLock / shared cache {:.1} (goal >= 10), \
                 shared cache / single-threaded hit {:.2} (goal <= 1.1)",
                ns[1] / ns[0],
                ns[0] / single
            );
        }
    }
    println!();
}
