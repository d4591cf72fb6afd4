//! vdict's `Dict` against `indexmap::IndexMap`, `hashbrown::HashMap` and
//! `std::collections::HashMap`, all with the same hasher (foldhash), on the workloads of
//! `benches/support/maps.rs`, for `u64` and short `String` keys at 16, 1,000, 100,000 and
//! 1,000,000 entries.
//!
//! Each benchmark is `dict/<workload>/<key>/<size>/<impl>`; throughput is in operations
//! (lookups, inserts, entries visited, removals...), so criterion's `elem/s` compare directly.
//! Workloads that change the map get a fresh one per iteration (`iter_batched_ref`, setup not
//! timed); the rest run on one map built beforehand. The report
//! (`cargo run --release --example report`) runs the same workloads and prints the ratios.
//!
//! The full sweep takes a while; filter it like any criterion run, e.g.
//! `cargo bench --bench dict -- 'lookup_hit/u64'`.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

#[path = "support/maps.rs"]
mod maps;

use maps::{
    BenchKey, BenchMap, Case, HashbrownMap, HashlinkMap, IndexMap, StdMap, VDict, Workload,
};

const SIZES: [usize; 4] = [16, 1_000, 100_000, 1_000_000];

fn bench_map<K: BenchKey, M: BenchMap<K>>(c: &mut Criterion, workload: Workload, case: &Case<K>) {
    let size = case.size();
    if !workload.applies::<K, M>(size) {
        return;
    }
    let mut group = c.benchmark_group(format!("dict/{}/{}", workload.name(), K::NAME));
    group.throughput(Throughput::Elements(workload.elements::<K, M>(case) as u64));
    if size >= 100_000 {
        group.sample_size(10);
    }
    let id = BenchmarkId::new(size.to_string(), workload.impl_name(M::NAME));
    if workload.consumes_setup() {
        group.bench_function(id, |b| {
            b.iter_batched_ref(
                || workload.setup::<K, M>(case),
                |map| workload.routine(map, case),
                BatchSize::LargeInput,
            )
        });
    } else {
        let mut map: M = workload.setup(case);
        group.bench_function(id, |b| b.iter(|| workload.routine(&mut map, case)));
    }
    group.finish();
}

fn bench_key<K: BenchKey>(c: &mut Criterion) {
    for size in SIZES {
        let case: Case<K> = Case::new(size);
        for workload in Workload::ALL {
            bench_map::<K, VDict<K>>(c, workload, &case);
            bench_map::<K, IndexMap<K>>(c, workload, &case);
            bench_map::<K, HashbrownMap<K>>(c, workload, &case);
            bench_map::<K, StdMap<K>>(c, workload, &case);
            bench_map::<K, HashlinkMap<K>>(c, workload, &case);
        }
    }
}

fn u64_keys(c: &mut Criterion) {
    bench_key::<u64>(c);
}

fn string_keys(c: &mut Criterion) {
    bench_key::<String>(c);
}

criterion_group!(benches, u64_keys, string_keys);
criterion_main!(benches);
