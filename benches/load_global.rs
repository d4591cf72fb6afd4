//! What one `LOAD_x; POP_TOP` pair costs in the reference VM, per cache mode.
//!
//! Method (the one CPython 3.11 was measured with, INTERNALS.md section 8): a counted loop
//! whose body is 100 copies of `LOAD_x; POP_TOP`, and the same loop with an empty body. Each
//! criterion iteration runs both, back to back, and counts only the difference, so what
//! criterion reports is the cost of the pairs alone; its throughput (elements = pairs) reads
//! directly as ns per pair. LOAD_CONST and LOAD_FAST touch no cache, but every mode compiles its own
//! interpreter loop, so they are measured in each mode, and each mode's LOAD_GLOBAL is compared
//! with the LOAD_FAST of the same loop.
//!
//! `store_then_load_global` stores to a global and loads it 10 times per iteration: a version
//! cache misses on every load (the store changed the globals' version), a slot cache keeps
//! hitting (the keys did not change). Its elements are the loads, the store's share included.
//!
//! The `programs` group runs `examples/programs/*.vasm` whole, per mode.
//!
//! `cargo bench --bench load_global`; the report (`cargo run --release --example report`)
//! prints the same numbers as ratios in one table.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::{Duration, Instant};
use vdict::vm::workloads::{self, LoadBody};
use vdict::vm::{assemble, CacheMode, Code, Vm};

const REPEAT: usize = 100;
const ITERATIONS: i64 = 1_000;
const LOADS_PER_STORE: usize = 10;

/// A VM in `mode` with the workloads' globals, and `source` assembled and run once (warm).
fn prepare(mode: CacheMode, source: &str) -> (Vm, Code) {
    let mut vm = Vm::new(mode);
    workloads::define_workload_globals(&mut vm);
    let mut code = assemble(source).expect("workloads assemble");
    vm.run(&mut code).expect("workloads run");
    (vm, code)
}

/// Criterion's `iter_custom` body: `iters` runs of `body`, minus as many of `empty`.
fn time_difference(iters: u64, body: &mut (Vm, Code), empty: &mut (Vm, Code)) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        body.0.run(&mut body.1).expect("workloads run");
        let body_time = start.elapsed();
        let start = Instant::now();
        empty.0.run(&mut empty.1).expect("workloads run");
        total += body_time.saturating_sub(start.elapsed());
    }
    total
}

fn load_pairs(c: &mut Criterion) {
    let bodies = [
        LoadBody::LoadConst,
        LoadBody::LoadFast,
        LoadBody::LoadGlobalModule,
        LoadBody::LoadGlobalBuiltin,
    ];
    for mode in CacheMode::ALL {
        let mut group = c.benchmark_group(format!("load/{}", mode.name()));
        let empty_loop = workloads::load_loop(LoadBody::Empty, REPEAT, ITERATIONS);
        let mut empty = prepare(mode, &empty_loop);

        group.throughput(Throughput::Elements(ITERATIONS as u64 * REPEAT as u64));
        for body in bodies {
            let mut subject = prepare(mode, &workloads::load_loop(body, REPEAT, ITERATIONS));
            group.bench_function(body.name(), |b| {
                b.iter_custom(|iters| time_difference(iters, &mut subject, &mut empty))
            });
        }

        group.throughput(Throughput::Elements(
            ITERATIONS as u64 * LOADS_PER_STORE as u64,
        ));
        let rebinding = workloads::store_then_load_global(LOADS_PER_STORE, ITERATIONS);
        let mut subject = prepare(mode, &rebinding);
        group.bench_function("store_then_load_global", |b| {
            b.iter_custom(|iters| time_difference(iters, &mut subject, &mut empty))
        });
        group.finish();
    }
}

fn programs(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/programs");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("examples/programs exists")
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "vasm"))
        .collect();
    paths.sort();
    let mut group = c.benchmark_group("programs");
    for path in paths {
        let name = path
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let source = std::fs::read_to_string(&path).expect("readable program");
        for mode in CacheMode::ALL {
            let mut code = assemble(&source).expect("example programs assemble");
            let mut vm = Vm::new(mode);
            group.bench_with_input(BenchmarkId::new(&name, mode.name()), &(), |b, ()| {
                b.iter(|| vm.run(&mut code).expect("example programs run"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, load_pairs, programs);
criterion_main!(benches);
