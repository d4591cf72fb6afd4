//! What a dict used as a queue holds on the heap: its squeezes grow the entries array when they
//! would leave room for fewer appends than half the live entries (`Table::make_room`), so a
//! queue never squeezes often, and this bounds what that growth costs. Measured with a
//! counting allocator, in a test binary of its own so that nothing else allocates meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use vdict::Dict;

/// The system allocator, counting live bytes.
struct Counting;

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

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

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
