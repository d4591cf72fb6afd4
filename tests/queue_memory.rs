//! What a dict used as a queue holds on the heap: its squeezes grow the entries array when they
//! would leave room for fewer appends than half the live entries (`Table::make_room`), so a
//! queue never squeezes often, and this bounds what that growth costs. Measured with the
//! counting allocator the report's memory table uses (`examples/support/counting_alloc.rs`),
//! in a test binary of its own so that nothing else allocates meanwhile.

#[path = "../examples/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{live_bytes, Counting};
use vdict::Dict;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A queue of `size` keys, run for ten times its length, holds at most twice the heap of a
/// dict of the same keys built by inserts (whose entries array has its growth's slack).
#[test]
fn a_queue_holds_at_most_twice_a_fresh_dicts_memory() {
    for size in [100u64, 1000, 50_000] {
        let before = live_bytes();
        let mut dict: Dict<u64, u64> = Dict::new();
        for key in 0..size {
            dict.insert(key, key);
        }
        let fresh = live_bytes() - before;
        let mut most = fresh;
        for step in 0..10 * size {
            dict.insert(size + step, step);
            dict.remove(&step);
            most = most.max(live_bytes() - before);
        }
        assert_eq!(dict.len(), size as usize);
        let ratio = most as f64 / fresh as f64;
        assert!(
            ratio <= 2.0,
            "a queue of {size} keys held {most} bytes, {ratio:.2} x a fresh dict's {fresh}"
        );
        drop(dict);
        assert_eq!(live_bytes(), before, "the dict gave back all it held");
    }
}
