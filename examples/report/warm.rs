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
