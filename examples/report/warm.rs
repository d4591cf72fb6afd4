//! Keeps the allocator's memory warm, so that every map is timed on memory in the same state.
//!
//! Why: the consuming workloads (inserts into fresh maps) build a sample's maps, time them, and
//! free them all at once. With glibc's defaults, freeing that much at the top of the heap
//! hands the pages back to the kernel (its trim threshold starts at 128 KiB), and allocations
//! of 128 KiB or more get pages of their own (its mmap threshold): the next sample then pays a
//! page fault per 4 KiB it touches, which on this project's 2-core VMs cost about as much as
//! the inserts themselves (1,000 `u64` inserts reserved: ~15 ns each on fresh pages, 5-7 on
//! reused ones). Worse, it did not cost every map alike: a map timed just after hashlink,
//! whose thousands of small nodes are freed into bins that are not trimmed, got warm pages
//! while the others got fresh ones, and the dict table read vdict's reserved insert at 0.4 ×
//! indexmap's where a plain loop reads 1.2-1.4 ×.
//!
//! A long-running program sees warm memory: glibc raises both thresholds itself once it
//! frees a large mapped block, so its steady state reuses pages. The report asks for that
//! state from the start, so a sample measures the map and not the allocator's history. The
//! memory table is not affected: it counts the bytes requested, not pages.
//!
//! The same goes for a map that is built once and then read round after round (lookups,
//! iteration, clone): its first few passes after it was built run slower than the rest, for
//! every map, by up to twice at 100,000 keys. The report times such a map only after
//! [`WARM_UP_SAMPLES`] untimed samples, as criterion warms up before it measures.

/// How many samples a map that is built once and read in place runs, untimed, before its
/// timed rounds.
///
/// Why: on a 2-core Intel Xeon VM (2026-12-07) the first passes over a map just built were
/// slow, and settled after two to five (a scratch program, 100,000 `u64` keys, ns per hit on
/// successive passes over the keys: vdict 9.0, 7.5, 4.7, 4.6, ..., hashbrown 6.7, 4.3, 4.1,
/// 4.0, ...; iterating over 100,000 `String` keys, 2.40, 1.57, 1.26, 1.25, ...; a map warmed
/// first did not warm the next one built). The plain table runs 11 rounds and the
/// dict table 5 at 100,000 keys and 3 at 1,000,000, so the median of a map's samples could
/// fall on one of those slow first passes or not, depending on the round order: the plain
/// table's samples of vdict's hits at 100,000 `u64` keys read 9.4, 7.9, 7.3, 5.7, 5.1, 4.9,
/// then 4.8-5.6 (2026-12-07). Warming each map first leaves the rounds to the steady state.
/// Three full runs without and three with it (same source, a 2-core Intel Xeon VM), ranges of
/// vdict's ratios: iteration over 100,000 `String` keys / indexmap 1.25-1.47 -> 0.98-1.08,
/// the `for` loop over them 1.20-1.40 -> 1.02-1.16; the plain table's `u64` hits at 100,000 /
/// hashbrown 0.95-1.24 -> 1.19-1.30 (its steady state: the scratch program's 4.5 ns against
/// 3.8). The report takes about 5% longer (81 -> 86 s).
pub const WARM_UP_SAMPLES: usize = 5;

/// Raises glibc's trim and mmap thresholds (a no-op with other allocators and platforms).
pub fn keep_allocator_warm() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::ffi::c_int;
        extern "C" {
            fn mallopt(param: c_int, value: c_int) -> c_int;
        }
        const M_TRIM_THRESHOLD: c_int = -1;
        const M_MMAP_THRESHOLD: c_int = -3;
        // glibc's largest mmap threshold on 64-bit targets (`DEFAULT_MMAP_THRESHOLD_MAX`): blocks
        // up to 32 MiB come from the heap, which covers every map the consuming workloads build.
        const MMAP_THRESHOLD_MAX: c_int = 32 << 20;
        // SAFETY: `mallopt` is glibc's (this block is compiled only for linux-gnu), takes two
        // ints and only adjusts the allocator's tuning; it is called before any thread starts.
        // A refused value returns 0 and leaves the default, which costs only warmth.
        unsafe {
            mallopt(M_TRIM_THRESHOLD, 1 << 30);
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX);
        }
    }
}
