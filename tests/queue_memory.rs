//! What a dict used as a queue holds on the heap: its squeezes grow the entries array when they
//! would leave room for fewer appends than half the live entries (`Table::make_room`), so a
//! queue never squeezes often, and this bounds what that growth costs. Measured with the
//! counting allocator the report's memory table uses (`examples/support/counting_alloc.rs`),
//! in a test binary of its own, as one test, so that nothing else allocates meanwhile (the
//! count is of the whole process, and the test harness runs each test on a thread of its own).

#[path = "../examples/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{live_bytes, Counting};
use vdict::Dict;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A queue of `size` keys, run for ten times its length, holds at most twice the heap of a
/// dict of the same keys built by inserts (whose entries array has its growth's slack).
#[test]
fn queues_hold_at_most_twice_a_fresh_dicts_memory() {
    a_queue_holds_at_most_twice_a_fresh_dicts_memory();
    a_queue_drained_in_batches_holds_at_most_twice_a_fresh_dicts_memory();
}

fn a_queue_holds_at_most_twice_a_fresh_dicts_memory() {
    for size in [100u64, 1000, 50_000] {
        let ratio = peak_over_fresh(size, |dict, sample| {
            for step in 0..10 * size {
                dict.insert(size + step, step);
                dict.remove(&step);
                sample();
            }
        });
        assert!(
            ratio <= 2.0,
            "a queue of {size} keys held {ratio:.2} x a fresh dict's heap"
        );
    }
}

/// The same for a queue drained in batches (`drain(..batch)` of the oldest, as many keys
/// inserted): each batch's slots join the gap at the front, and the array is grown for them
/// as an append would grow it (`drain_into_gap` in `Table::drain_positions`), so the same
/// bound holds. (Measured 1.12-1.78 × on these sizes and batches.)
fn a_queue_drained_in_batches_holds_at_most_twice_a_fresh_dicts_memory() {
    for size in [100u64, 1000, 50_000] {
        for batch in [1, size / 100, size / 8, size / 3] {
            let batch = batch.max(1);
            let ratio = peak_over_fresh(size, |dict, sample| {
                let mut next = size;
                for _ in 0..(10 * size / batch).max(50) {
                    // Counted while the drain is alive: the batch sits past the array's end.
                    let mut drain = dict.drain(..batch as usize);
                    sample();
                    assert!(drain.next().is_some());
                    drop(drain);
                    for _ in 0..batch {
                        dict.insert(next, next);
                        next += 1;
                    }
                    sample();
                }
            });
            assert!(
                ratio <= 2.0,
                "a queue of {size} keys drained {batch} at a time held {ratio:.2} x a fresh \
                 dict's heap"
            );
        }
    }
}

/// Builds a dict of `size` keys by inserts, runs `work` on it (which calls `sample` wherever
/// the heap is to be counted), and returns the most heap it held at a sample over what it held
/// fresh; checks that `work` kept the dict's size and that the dict gives back all it held.
fn peak_over_fresh(size: u64, work: impl FnOnce(&mut Dict<u64, u64>, &mut dyn FnMut())) -> f64 {
    let before = live_bytes();
    let mut dict: Dict<u64, u64> = Dict::new();
    for key in 0..size {
        dict.insert(key, key);
    }
    let fresh = live_bytes() - before;
    let mut most = fresh;
    work(&mut dict, &mut || most = most.max(live_bytes() - before));
    assert_eq!(dict.len(), size as usize);
    drop(dict);
    assert_eq!(live_bytes(), before, "the dict gave back all it held");
    most as f64 / fresh as f64
}
