//! The memory table: heap bytes per entry of each map holding `n` entries `u64 -> u64`, built
//! by inserting one at a time (so each map's own growth policy decides its capacity).
//!
//! Measured, not computed: the report's global allocator ([`Counting`]) keeps a running total
//! of live heap bytes; a map's size is the total after building it minus the total before.
//! Nothing else allocates in between (the keys are `u64`s, made on the fly).

use crate::json::Row;
use crate::Options;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::maps::{BenchKey, BenchMap, HashbrownMap, IndexMap, StdMap, VDict};

/// The system allocator, counting live bytes.
pub struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// caller's obligations are `System`'s; the counter is only arithmetic on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; see the impl's comment.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is; see the impl's comment.
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is; see the impl's comment.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
        }
        new
    }
}

/// Heap bytes per entry of a map `M` built by `n` inserts.
fn bytes_per_entry<M: BenchMap<u64>>(n: usize) -> f64 {
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let mut map = M::with_capacity(0);
    for i in 0..n as u64 {
        map.insert(u64::make(i), i);
    }
    let bytes = LIVE_BYTES.load(Ordering::Relaxed) - before;
    assert_eq!(map.len(), n);
    drop(map);
    bytes as f64 / n as f64
}

/// Measures each map at each size, adds rows, prints the table unless `--json`.
pub fn run(options: &Options, rows: &mut Vec<Row>) {
    let sizes = [16, 1_000, 100_000, 1_000_000];
    type Measure = fn(usize) -> f64;
    let maps: [(&str, Measure); 4] = [
        ("vdict", bytes_per_entry::<VDict<u64>>),
        ("indexmap", bytes_per_entry::<IndexMap<u64>>),
        ("hashbrown", bytes_per_entry::<HashbrownMap<u64>>),
        ("std", bytes_per_entry::<StdMap<u64>>),
    ];
    let mut table = Vec::new();
    for size in sizes {
        eprintln!("report: memory {size}");
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
        "{:>9} | {:>8} {:>8} {:>9} {:>8} | {:>14}",
        "entries", "vdict", "indexmap", "hashbrown", "std", "vdict/indexmap"
    );
    for (size, measured) in table {
        println!(
            "{size:>9} | {:>8.1} {:>8.1} {:>9.1} {:>8.1} | {:>14.2}",
            measured[0],
            measured[1],
            measured[2],
            measured[3],
            measured[0] / measured[1]
        );
    }
    println!("\n(goal: vdict <= 0.8 x indexmap at 1,000 and 1,000,000 entries)\n");
}
