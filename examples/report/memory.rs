//! The memory table: heap bytes per entry of each map holding `n` entries `u64 -> u64`, built
//! by inserting one at a time (so each map's own growth policy decides its capacity).
//!
//! Measured, not computed: the report's global allocator (`Counting`, in
//! `support/counting_alloc.rs`) keeps a running total of live heap bytes; a map's size is the
//! total after building it minus the total before. Nothing else allocates in between (the keys
//! are `u64`s, made on the fly).

use crate::counting_alloc::live_bytes;
use crate::json::Row;
use crate::Options;

use crate::maps::{BenchKey, BenchMap, HashbrownMap, IndexMap, StdMap, VDict};

/// Heap bytes per entry of a map `M` built by `n` inserts.
fn bytes_per_entry<M: BenchMap<u64>>(n: usize) -> f64 {
    let before = live_bytes();
    let mut map = M::with_capacity(0);
    for i in 0..n as u64 {
        map.insert(u64::make(i), i);
    }
    let bytes = live_bytes() - before;
    assert_eq!(map.len(), n);
    drop(map);
    bytes as f64 / n as f64
}

/// The sizes of the sweep: 16, then × `step` (rounded), up to and including `last`.
fn sweep(step: f64, last: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut size = 16.0f64;
    while (size.round() as usize) < last {
        let n = size.round() as usize;
        if sizes.last() != Some(&n) {
            sizes.push(n);
        }
        size *= step;
    }
    sizes.push(last);
    sizes
}

/// Measures each map at each size of a sweep (× 1.2 from 16 to 1,000,000; × 1.5 to 100,000
/// with `--quick`), adds a row per map and size, and prints, unless `--json`, every fifth
/// size and each map's worst and geometric-mean ratio against vdict.
///
/// Why a sweep: each map grows its arrays in steps, so bytes per entry saw-tooth with the
/// size, and a few chosen sizes can all fall on one phase of the teeth (0.1's four did).
pub fn run(options: &Options, rows: &mut Vec<Row>) {
    let sizes = if options.quick {
        sweep(1.5, 100_000)
    } else {
        sweep(1.2, 1_000_000)
    };
    type Measure = fn(usize) -> f64;
    let maps: [(&str, Measure); 4] = [
        ("vdict", bytes_per_entry::<VDict<u64>>),
        ("indexmap", bytes_per_entry::<IndexMap<u64>>),
        ("hashbrown", bytes_per_entry::<HashbrownMap<u64>>),
        ("std", bytes_per_entry::<StdMap<u64>>),
    ];
    eprintln!("report: memory, {} sizes", sizes.len());
    let mut table = Vec::new();
    for &size in &sizes {
        let measured: Vec<f64> = maps.iter().map(|(_, measure)| measure(size)).collect();
        for ((name, _), bytes) in maps.iter().zip(&measured) {
            rows.push(Row {
                table: "memory",
                workload: "build".to_string(),
                key: Some("u64"),
                size: Some(size),
                implementation: name.to_string(),
                bytes_per_entry: Some(*bytes),
                ..Row::default()
            });
        }
        table.push((size, measured));
    }
    if options.json {
        return;
    }
    println!(
        "== Memory: heap bytes per entry, u64 -> u64, built by inserts (counting allocator) ==\n"
    );
    println!(
        "   ({} sizes from {} to {}, each × {} the last; every fifth shown)\n",
        sizes.len(),
        sizes[0],
        sizes[sizes.len() - 1],
        if options.quick { 1.5 } else { 1.2 }
    );
    println!(
        "{:>9} | {:>8} {:>8} {:>9} {:>8} | {:>14}",
        "entries", "vdict", "indexmap", "hashbrown", "std", "vdict/indexmap"
    );
    for (i, (size, measured)) in table.iter().enumerate() {
        if i % 5 == 0 || i == table.len() - 1 {
            println!(
                "{size:>9} | {:>8.1} {:>8.1} {:>9.1} {:>8.1} | {:>14.2}",
                measured[0],
                measured[1],
                measured[2],
                measured[3],
                measured[0] / measured[1]
            );
        }
    }
    println!();
    for (peer, (name, _)) in maps.iter().enumerate().skip(1) {
        let ratios: Vec<(usize, f64)> = table
            .iter()
            .map(|(size, measured)| (*size, measured[0] / measured[peer]))
            .collect();
        let (worst_size, worst) = ratios
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("at least one size");
        let geometric_mean =
            (ratios.iter().map(|(_, r)| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
        println!(
            "vdict / {name:<9}: worst {worst:.2} (at {worst_size} entries), geometric mean {geometric_mean:.2}"
        );
    }
    println!(
        "\n(goals: vdict never above indexmap (worst <= 1.0), geometric mean <= 0.75 x indexmap's \
         and <= 1.2 x hashbrown's)\n"
    );
}
