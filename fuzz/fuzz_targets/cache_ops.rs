//! `cargo +nightly fuzz run cache_ops`: see `src/cache_ops.rs` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|steps: Vec<vdict_fuzz::cache_ops::Step>| {
    vdict_fuzz::cache_ops::check(&steps);
});
