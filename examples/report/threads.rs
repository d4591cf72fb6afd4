//! The threads table: what a read of a shared module global costs per load, for 1 and 2
//! reader threads, with no writes (the hit alone) and while another thread rebinds a
//! *different* global of the same module every 1,000 loads or every 10 loads (counted over all
//! readers).
//!
//! Three ways to share the namespace:
//! - `shared_cache`: a `vdict::sync::SharedDict`, each reader with its own
//!   `SharedVersionCache` site: a hit is an atomic load and a compare per namespace, no lock;
//! - `rwlock_indexmap`: a `std::sync::RwLock<IndexMap>` looked up under the read lock, what a
//!   Rust user writes today (RustPython keeps each dict behind an `RwLock` too);
//! - `mutex_dict`: a `std::sync::Mutex<vdict::Dict>` looked up under the lock.
//!
//! Each reader loads the global a fixed number of times and reports ns per load; the row is the
//! median over rounds of the slowest reader's figure. Every reader runs one loop shape, eight
//! loads a trip with a `black_box` between two loads ([`timed_loads`]). The cached loads run
//! 32 times as many loads per round as the locked ones, so that a round lasts 10-20 ms, long
//! enough for the scheduler's hiccups to average out. All threads of a round start together
//! on a spinning start line (a writer still asleep in a `Barrier` made no rebinds at all in
//! some short rounds). Readers publish their progress every 8 loads in a counter of their own
//! (its own cache line); the writer polls those counters and rebinds when their sum crosses
//! the next multiple of the interval, yielding its core between polls: with 2 readers on a
//! 2-core machine three threads share two cores, and a writer spinning in between took a
//! reader's core for whole time slices (the shared cache at 1.6 x the single-threaded hit
//! instead of 1.0-1.2, in the loop of that time, with every rebind made either way). The table
//! says how many of the asked-for rebinds the writer made.
//!
//! For scale it measures the single-threaded `VersionCache` hit on a plain `Dict` in the same
//! loop, the dicts' versions kept in locals as a single-threaded interpreter keeps them
//! (`hit_versions`; a shared namespace's must be loaded on every hit, since other threads
//! write them: that difference is what sharing costs), just before and just after the shared
//! cache's run in each round; the `cache / 1-thread` column is the median over rounds of the
//! cache's figure over the mean of those two, so the machine's drift (a third, over seconds,
//! on this VM) cancels. With 2 readers and no writer it also runs that single-threaded loop on
//! 2 threads at once, each with dicts of its own, nothing shared: what two busy cores cost
//! each other on this machine, apart from sharing (what it read is in INTERNALS.md,
//! "Threads").

use crate::json::Row;
use crate::Options;
use indexmap::IndexMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
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

fn rebind_y(shared: &Shared, y: &Name, value: u64) {
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
fn read(shared: &Shared, loads: u64, progress: &AtomicU64) -> f64 {
    let x: Name = "x".into();
    let hash = vdict::hash_key(&*x);
    let start = Instant::now();
    let sum = match shared {
        Shared::Cache(globals, builtins) => {
            read_shared_cache(globals, builtins, &x, hash, loads, progress)
        }
        Shared::RwLockIndexMap(map) => read_rwlock_indexmap(map, &x, loads, progress),
        Shared::MutexDict(dict) => read_mutex_dict(dict, &x, loads, progress),
    };
    let ns = start.elapsed().as_nanos() as f64 / loads as f64;
    black_box(sum);
    ns
}

/// [`read`] through a `SharedVersionCache` site: the hit inline, anything else
/// [`out_of_line`]. Each way of sharing has its timed loop in a function of its own, so that
/// the loop's registers are its own.
#[inline(never)]
fn read_shared_cache(
    globals: &SharedDict<Name, u64>,
    builtins: &SharedDict<Name, u64>,
    x: &Name,
    hash: u64,
    loads: u64,
    progress: &AtomicU64,
) -> u64 {
    let mut site = SharedVersionCache::new();
    timed_loads(loads, progress, || match site.hit(globals, builtins) {
        Some(&value) => value,
        None => out_of_line(|| *site.load_with_hash(globals, builtins, x, hash).unwrap()),
    })
}

/// Runs `load` in a function of its own: a cached loop's load that its hit test did not
/// answer, kept out of the loop.
#[inline(never)]
fn out_of_line(load: impl FnOnce() -> u64) -> u64 {
    load()
}

/// The timed loop of every reader and of the single-threaded baseline: `loads` calls of
/// `load` (a multiple of 8), eight to a trip, the progress published after each trip.
///
/// The eight loads of a trip are unrolled, so that the loop's own work (its count, its test,
/// the progress's store) is an eighth a load, and between two loads stands a `black_box`, the
/// least an interpreter does between two `LOAD_GLOBAL`s: something the compiler cannot see
/// through, so that each load reads its site again rather than reusing the reads of the load
/// before (the eight hits would fold into one). The cached loops test the hit inline and take
/// anything else out of line, so that the two compare hits and nothing else.
///
/// Why this shape (2026-12-07): the loop it replaced took one load a trip, storing the
/// progress every eighth, and its timing hung on where the loop lay in memory. The shared
/// cache's hit read 0.52-0.56 ns in one build and 0.96-0.98 in another whose machine code
/// differed only in where that loop started (48 bytes past a 64-byte boundary, or on one),
/// against 0.55 for the single-threaded hit: 0.94-1.12 × or 1.73-1.77 ×, build to build.
/// This one reads the same in both layouts (see INTERNALS.md, "Threads").
#[inline(always)]
fn timed_loads(loads: u64, progress: &AtomicU64, mut load: impl FnMut() -> u64) -> u64 {
    assert!(loads % 8 == 0, "the loads are taken eight at a time");
    let mut sum = 0u64;
    let mut done = 0;
    while done < loads {
        for _ in 0..8 {
            sum = sum.wrapping_add(load());
            black_box(()); // between two loads: see above
        }
        done += 8;
        progress.store(done, Ordering::Relaxed);
    }
    sum
}

/// [`read`] under a `RwLock`'s read lock.
#[inline(never)]
fn read_rwlock_indexmap(
    map: &RwLock<IndexMap<Name, u64, DefaultHashBuilder>>,
    x: &Name,
    loads: u64,
    progress: &AtomicU64,
) -> u64 {
    timed_loads(loads, progress, || *map.read().unwrap().get(x).unwrap())
}

/// [`read`] under a `Mutex`.
#[inline(never)]
fn read_mutex_dict(
    dict: &Mutex<Dict<Name, u64>>,
    x: &Name,
    loads: u64,
    progress: &AtomicU64,
) -> u64 {
    timed_loads(loads, progress, || *dict.lock().unwrap().get(x).unwrap())
}

/// Where a round's threads wait for each other. Unlike `std::sync::Barrier`, which puts
/// waiters to sleep, it spins until every thread has arrived: all of them are then running,
/// and none starts its work while another is still waiting to be woken (a writer woken late
/// made no rebinds at all in some rounds of a few milliseconds).
struct StartLine {
    arrived: AtomicU64,
    expected: u64,
}

impl StartLine {
    fn new(expected: usize) -> Self {
        StartLine {
            arrived: AtomicU64::new(0),
            expected: expected as u64,
        }
    }

    fn wait(&self) {
        self.arrived.fetch_add(1, Ordering::AcqRel);
        while self.arrived.load(Ordering::Acquire) < self.expected {
            std::hint::spin_loop();
        }
    }
}

/// One round: `threads` readers and, unless `rebind` is `Never`, the writer; the slowest
/// reader's ns per load, and how many rebinds the writer made.
fn round(implementation: &str, threads: usize, rebind: Rebind, loads: u64) -> (f64, u64) {
    let shared = Arc::new(share(implementation));
    let progress: Arc<Vec<Padded>> = Arc::new((0..threads).map(|_| Padded::default()).collect());
    let done = Arc::new(AtomicBool::new(false));
    let writers = usize::from(matches!(rebind, Rebind::Every(_)));
    let start = Arc::new(StartLine::new(threads + writers));
    let writer = match rebind {
        Rebind::Never => None,
        Rebind::Every(interval) => {
            let (shared, progress, done, start) = (
                shared.clone(),
                progress.clone(),
                done.clone(),
                start.clone(),
            );
            Some(std::thread::spawn(move || {
                let y: Name = "y".into();
                start.wait();
                let mut written = 0u64;
                while !done.load(Ordering::Relaxed) {
                    let total: u64 = progress.iter().map(|p| p.0.load(Ordering::Relaxed)).sum();
                    while (written + 1) * interval <= total {
                        written += 1;
                        rebind_y(&shared, &y, written);
                    }
                    std::thread::yield_now();
                }
                written
            }))
        }
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
    let slowest_reader = slowest(readers);
    done.store(true, Ordering::Relaxed);
    (
        slowest_reader,
        writer.map_or(0, |writer| writer.join().unwrap()),
    )
}

/// The single-threaded version cache hit on a plain dict, in the same loop shape, the dicts'
/// versions read once, before the loop.
#[inline(never)]
fn single_thread_version_cache(loads: u64) -> f64 {
    let dict: Dict<Name, u64> = globals().into_iter().collect();
    let builtins: Dict<Name, u64> = [("len".into(), 1)].into_iter().collect();
    let x: Name = "x".into();
    let hash = vdict::hash_key(&*x);
    let progress = AtomicU64::new(0);
    let mut site = VersionCache::new();
    let start = Instant::now();
    // The versions kept in locals, as a single-threaded interpreter keeps them between its
    // own writes (`vdict::vm`'s `NamespaceVersions`): what sharing the namespaces takes away.
    let versions = (dict.version(), builtins.version());
    let sum = timed_loads(loads, &progress, || {
        match site.hit_versions(versions.0, versions.1) {
            Some(&value) => value,
            None => out_of_line(|| *site.load_with_hash(&dict, &builtins, &x, hash).unwrap()),
        }
    });
    let ns = start.elapsed().as_nanos() as f64 / loads as f64;
    black_box((sum, progress.load(Ordering::Relaxed)));
    ns
}

/// The single-threaded loop of [`single_thread_version_cache`] on `threads` threads at once,
/// each with dicts of its own (nothing shared): the slowest thread's ns per load. Against the
/// loop alone it shows what busy cores cost each other on this machine, apart from any
/// sharing.
fn concurrent_single_thread_version_cache(threads: usize, loads: u64) -> f64 {
    let start = Arc::new(StartLine::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                single_thread_version_cache(loads)
            })
        })
        .collect();
    slowest(workers)
}

/// The largest ns per load among threads that each return their own.
fn slowest(threads: Vec<std::thread::JoinHandle<f64>>) -> f64 {
    threads
        .into_iter()
        .map(|thread| thread.join().unwrap())
        .fold(0.0f64, f64::max)
}

/// The median of `samples` (also the positions table's).
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// How often the writer rebinds `y`: never (the readers' hits alone, no writer thread), or
/// every so many loads counted over all readers.
#[derive(Clone, Copy)]
enum Rebind {
    Never,
    Every(u64),
}

impl Rebind {
    fn label(self) -> String {
        match self {
            Rebind::Never => "never".to_string(),
            Rebind::Every(n) => format!("{n} loads"),
        }
    }

    /// The `rebind_every` of the JSON rows: 0 for no writer.
    fn every(self) -> u64 {
        match self {
            Rebind::Never => 0,
            Rebind::Every(n) => n,
        }
    }
}

/// One measured configuration of the table.
struct Measured {
    rebind: Rebind,
    threads: usize,
    /// Median ns per load of each of `IMPLS`.
    ns: Vec<f64>,
    /// Median over rounds of the shared cache's ns over the mean of the single-threaded hit's
    /// ns timed just before and just after it.
    cache_over_single: f64,
    /// The median over rounds of the rebinds the writer made for the shared cache, over the
    /// number the interval asks for (1 when it kept pace); `None` with no writer.
    rebinds_made: Option<f64>,
    /// With no writer and more than one reader: the median over rounds of the single-threaded
    /// loop run on as many threads at once (nothing shared) over the loop alone, and of the
    /// shared cache over that concurrent loop.
    concurrent: Option<(f64, f64)>,
}

/// Measures every implementation at 1 and 2 readers and each write rate; adds rows; prints.
pub fn run(options: &Options, rows: &mut Vec<Row>) {
    // The cached loads take under a nanosecond, the locked ones 10-100: the cache's rounds
    // run 32 times as many loads, so that every round lasts long enough (10-20 ms) for the
    // scheduler's hiccups to average out and for the writer, which yields its core between
    // polls, to be given one (with 8 times as many, rounds of 3-4 ms, some rounds of two
    // readers and a rebind every 1,000 loads saw no rebind at all).
    let (loads, rounds) = if options.quick {
        (200_000, 3)
    } else {
        (1_000_000, 9)
    };
    let cached_loads = loads * 32;
    let reader_counts = [1usize, 2];
    let mut table: Vec<Measured> = Vec::new();
    let mut single_samples = Vec::new();
    for rebind in [Rebind::Never, Rebind::Every(1000), Rebind::Every(10)] {
        for &threads in &reader_counts {
            eprintln!(
                "report: threads, {threads} readers, rebind {}",
                rebind.label()
            );
            let mut samples: Vec<Vec<f64>> = vec![Vec::new(); IMPLS.len()];
            let mut ratios = Vec::new();
            let mut made = Vec::new();
            let measure_concurrent = threads > 1 && matches!(rebind, Rebind::Never);
            let (mut concurrent_over_single, mut cache_over_concurrent) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                // The single-threaded baseline just before and just after the shared cache's
                // run, its ratio against their mean: this machine's speed drifts by a third
                // over seconds (a fixed loop read 1.5 to 2.6 ns), and a baseline on one side
                // only carried that drift into the ratio.
                let before = single_thread_version_cache(cached_loads);
                let (ns, written) = round(IMPLS[0], threads, rebind, cached_loads);
                let after = single_thread_version_cache(cached_loads);
                single_samples.extend([before, after]);
                samples[0].push(ns);
                ratios.push(ns / ((before + after) / 2.0));
                made.push(written as f64);
                if measure_concurrent {
                    let concurrent = concurrent_single_thread_version_cache(threads, cached_loads);
                    concurrent_over_single.push(concurrent / ((before + after) / 2.0));
                    cache_over_concurrent.push(ns / concurrent);
                }
                for (i, implementation) in IMPLS.iter().enumerate().skip(1) {
                    samples[i].push(round(implementation, threads, rebind, loads).0);
                }
            }
            let rebinds_made = match rebind {
                Rebind::Never => None,
                Rebind::Every(n) => Some(median(made) / (threads as u64 * cached_loads / n) as f64),
            };
            let ns: Vec<f64> = samples.into_iter().map(median).collect();
            for (implementation, &ns) in IMPLS.iter().zip(&ns) {
                rows.push(Row {
                    table: "threads",
                    workload: "load_global_shared".to_string(),
                    threads: Some(threads),
                    rebind_every: Some(rebind.every()),
                    implementation: implementation.to_string(),
                    ns_per_op: Some(ns),
                    ..Row::default()
                });
            }
            table.push(Measured {
                rebind,
                threads,
                ns,
                cache_over_single: median(ratios),
                rebinds_made,
                concurrent: measure_concurrent.then(|| {
                    (
                        median(concurrent_over_single),
                        median(cache_over_concurrent),
                    )
                }),
            });
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
    println!(
        "== A shared module global read by 1 and 2 threads, alone and while another rebinds a different global =="
    );
    println!(
        "   ({cached_loads} cached and {loads} locked loads per reader per round, median of {rounds} rounds of the slowest reader; \
         {cores} cores here, and the writer yields between polls;"
    );
    println!(
        "   cache / 1-thread: the shared cache over the single-threaded VersionCache hit measured \
         just before and after it in each round, median of the rounds)\n"
    );
    println!(
        "{:<14} {:>7} | {:>12} {:>15} {:>11} | {:>14} {:>16} {:>13}",
        "rebind every",
        "readers",
        "shared_cache",
        "rwlock_indexmap",
        "mutex_dict",
        "rwlock / cache",
        "cache / 1-thread",
        "rebinds made"
    );
    for measured in &table {
        let made = measured
            .rebinds_made
            .map_or("-".to_string(), |made| format!("{:.0}%", made * 100.0));
        println!(
            "{:<14} {:>7} | {:>9.2} ns {:>12.2} ns {:>8.2} ns | {:>14.1} {:>16.2} {:>13}",
            measured.rebind.label(),
            measured.threads,
            measured.ns[0],
            measured.ns[1],
            measured.ns[2],
            measured.ns[1] / measured.ns[0],
            measured.cache_over_single,
            made
        );
    }
    println!(
        "\nsingle-threaded VersionCache hit, same loop: {single:.2} ns (median of all rounds)"
    );
    for measured in table.iter().filter(|m| m.threads == 2) {
        match measured.rebind {
            Rebind::Never => {
                println!(
                    "2 readers, hits only: RwLock / shared cache {:.1} (goal >= 10), shared cache hit / \
                     single-threaded hit {:.2} (goal <= 1.1)",
                    measured.ns[1] / measured.ns[0],
                    measured.cache_over_single
                );
                if let Some((concurrent_over_single, cache_over_concurrent)) = measured.concurrent {
                    println!(
                        "  for scale: the single-threaded hit's loop run on 2 threads at once, each with dicts of its \
                         own (nothing shared), slowest thread / the loop alone {concurrent_over_single:.2}: what two \
                         busy cores cost each other here; shared cache hit / that concurrent loop {cache_over_concurrent:.2}"
                    );
                }
            }
            Rebind::Every(1000) => println!(
                "2 readers, a rebind every 1000 loads (1 load in 500 of each reader misses): RwLock / \
                 shared cache {:.1} (goal >= 10), shared cache / single-threaded hit {:.2} (each miss \
                 takes globals' read lock and fetches the lines the writer changed)",
                measured.ns[1] / measured.ns[0],
                measured.cache_over_single
            ),
            Rebind::Every(n) => println!(
                "2 readers, a rebind every {n} loads (1 load in {} of each reader misses and takes the \
                 read lock): RwLock / shared cache {:.1} (goal >= 10); shared cache / single-threaded hit {:.2}",
                n / 2,
                measured.ns[1] / measured.ns[0],
                measured.cache_over_single
            ),
        }
    }
    if table
        .iter()
        .any(|m| m.rebinds_made.is_some_and(|made| made < 0.9))
    {
        println!(
            "(rebinds made below 100%: the writer, sharing a core with a reader, fell behind; \
             those readers missed less often than the interval asks)"
        );
    }
    println!();
}
