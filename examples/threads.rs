//! A module's globals shared by worker threads, each with its own cache sites: the shape to
//! copy into an interpreter whose threads share namespaces (as free-threaded CPython's do).
//!
//! ```text
//! cargo run --release --example threads
//! ```
//!
//! The module's globals and the builtins are `SharedDict`s behind `Arc`s. Each worker runs
//! "its function" — a loop that reads the global `scale` and the builtin `len` through
//! `LOAD_GLOBAL` sites of its own (`SharedVersionCache`s: they are per thread, like an
//! interpreter's per-thread copy of the inline caches, or a code object's caches in a
//! free-threaded runtime that keeps them thread-local) — while the main thread rebinds
//! `scale` now and then, through a write guard. A cached load takes no lock: it checks the
//! versions the namespaces publish. A load after a rebind misses once, refills under the read
//! lock, and hits again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vdict::sync::{SharedDict, SharedVersionCache};
use vdict::{hash_key, Dict};

/// An interpreter's value: cheap to clone (a reference count), as the cache keeps a clone.
type Value = Arc<i64>;
/// An interned name.
type Name = Arc<str>;

/// The names a worker's code loads, interned and hashed once.
struct Names {
    scale: (Name, u64),
    len: (Name, u64),
}

fn intern(name: &str) -> (Name, u64) {
    (Name::from(name), hash_key(name))
}

/// A worker: its own two `LOAD_GLOBAL` sites, a loop over them; returns (loads, last scale
/// seen, misses).
fn worker(
    globals: &SharedDict<Name, Value>,
    builtins: &SharedDict<Name, Value>,
    names: &Names,
    stop: &AtomicBool,
) -> (u64, i64, u64) {
    let mut scale_site = SharedVersionCache::new();
    let mut len_site = SharedVersionCache::new();
    let (mut loads, mut misses, mut sum) = (0u64, 0u64, 0i64);
    while !stop.load(Ordering::Acquire) {
        for _ in 0..1000 {
            if scale_site.hit(globals, builtins).is_none() {
                misses += 1;
            }
            let scale = scale_site
                .load_with_hash(globals, builtins, &names.scale.0, names.scale.1)
                .expect("scale is defined");
            let len = len_site
                .load_with_hash(globals, builtins, &names.len.0, names.len.1)
                .expect("len is a builtin");
            sum = sum.wrapping_add(**scale * **len);
            loads += 2;
        }
    }
    // One more load once the main thread said "stop", which it says after its last rebind
    // (the `Release` store and the `Acquire` load above order the two): it sees that rebind.
    let scale = scale_site
        .load_with_hash(globals, builtins, &names.scale.0, names.scale.1)
        .expect("scale is defined");
    let scale = **scale;
    let len = len_site
        .load_with_hash(globals, builtins, &names.len.0, names.len.1)
        .expect("len is a builtin");
    std::hint::black_box(sum);
    (loads + 2, scale * **len, misses)
}

fn main() {
    let mut module: Dict<Name, Value> = Dict::new();
    module.insert("scale".into(), Arc::new(1));
    module.insert("__name__".into(), Arc::new(0));
    let mut builtin_names: Dict<Name, Value> = Dict::new();
    builtin_names.insert("len".into(), Arc::new(2));
    let globals = Arc::new(SharedDict::from(module));
    let builtins = Arc::new(SharedDict::from(builtin_names));
    let names = Arc::new(Names {
        scale: intern("scale"),
        len: intern("len"),
    });
    let stop = Arc::new(AtomicBool::new(false));

    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (globals, builtins, names, stop) = (
                globals.clone(),
                builtins.clone(),
                names.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || worker(&globals, &builtins, &names, &stop))
        })
        .collect();

    // The main thread rebinds `scale` ten times, a millisecond apart.
    let started = Instant::now();
    for value in 2..=11 {
        std::thread::sleep(Duration::from_millis(1));
        globals.write().insert("scale".into(), Arc::new(value));
    }
    std::thread::sleep(Duration::from_millis(1));
    stop.store(true, Ordering::Release);
    let elapsed = started.elapsed();

    for (i, worker) in workers.into_iter().enumerate() {
        let (loads, last, misses) = worker.join().expect("a worker panicked");
        println!(
            "worker {i}: {loads} cached LOAD_GLOBALs in {elapsed:.1?}, {misses} misses of `scale` \
             (one per rebind it saw), last scale * len = {last}"
        );
        assert_eq!(
            last,
            11 * 2,
            "the last rebind is seen once the writer is done"
        );
    }
    println!(
        "globals' published version: {:?} (the dict's own: {:?})",
        globals.version(),
        globals.read().version()
    );
}
