//! Where versions come from: a block reserved per thread (what vdict does, as free-threaded
//! CPython does) against one global `fetch_add` per version (the obvious alternative).
//!
//! - `take/1_thread`: one thread takes versions back to back.
//! - `take/2_threads`: two threads take versions at once; with one shared counter every
//!   `fetch_add` bounces the counter's cache line between the cores, with blocks the shared
//!   counter is touched once per 1024 versions.
//! - `dict_overwrites/2_threads`: two threads each overwrite a key of their own dict in a loop
//!   (every overwrite takes a fresh version). The `fetch_add` arm does the same overwrites plus
//!   one shared-counter `fetch_add` each, a dict whose versions came from a global counter; it
//!   still takes its block version too, so the arm overstates that design by one thread-local
//!   increment (about a nanosecond) per overwrite.
//!
//! Elements are versions (or overwrites) per thread. `cargo bench --bench versions`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};
use vdict::{Dict, Version};

/// The alternative design's single shared counter.
static GLOBAL_COUNTER: AtomicU64 = AtomicU64::new(1);

fn global_fetch_add() -> u64 {
    GLOBAL_COUNTER.fetch_add(1, Ordering::Relaxed)
}

fn thread_local_block() -> u64 {
    Version::fresh().as_u64()
}

/// Runs `work(per_thread)` on `threads` threads started together; the time until all finish.
fn on_threads(threads: usize, per_thread: u64, work: fn(u64)) -> Duration {
    let barrier = Barrier::new(threads + 1);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                barrier.wait();
                work(per_thread);
                barrier.wait();
            });
        }
        barrier.wait();
        let start = Instant::now();
        barrier.wait();
        start.elapsed()
    })
}

const BATCH: u64 = 100_000;

/// A named arm of a two-thread comparison: what each thread runs, given its element count.
type Arm = (&'static str, fn(u64));

fn take_versions(c: &mut Criterion) {
    let mut group = c.benchmark_group("take");
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("1_thread", "thread_local_block"), |b| {
        b.iter(|| black_box(thread_local_block()))
    });
    group.bench_function(BenchmarkId::new("1_thread", "global_fetch_add"), |b| {
        b.iter(|| black_box(global_fetch_add()))
    });

    group.throughput(Throughput::Elements(BATCH));
    let arms: [Arm; 2] = [
        ("thread_local_block", |n| {
            for _ in 0..n {
                black_box(thread_local_block());
            }
        }),
        ("global_fetch_add", |n| {
            for _ in 0..n {
                black_box(global_fetch_add());
            }
        }),
    ];
    for (name, work) in arms {
        group.bench_function(BenchmarkId::new("2_threads", name), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| on_threads(2, BATCH, work)).sum())
        });
    }
    group.finish();
}

fn overwrite_loop(n: u64, also_fetch_add: bool) {
    let mut dict: Dict<u32, u64> = Dict::new();
    dict.insert(7, 0);
    for i in 0..n {
        dict.insert(7, i);
        if also_fetch_add {
            black_box(global_fetch_add());
        }
    }
    black_box(dict.version());
}

fn dict_overwrites(c: &mut Criterion) {
    let mut group = c.benchmark_group("dict_overwrites");
    group.throughput(Throughput::Elements(BATCH));
    let arms: [Arm; 2] = [
        ("thread_local_block", |n| overwrite_loop(n, false)),
        ("global_fetch_add", |n| overwrite_loop(n, true)),
    ];
    for (name, work) in arms {
        group.bench_function(BenchmarkId::new("2_threads", name), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| on_threads(2, BATCH, work)).sum())
        });
    }
    group.finish();
}

criterion_group!(benches, take_versions, dict_overwrites);
criterion_main!(benches);
