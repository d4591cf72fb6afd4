//! `cargo +nightly fuzz run shared_cache_ops`: see `src/shared_cache_ops.rs` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|steps: Vec<vdict_fuzz::shared_cache_ops::Step>| {
    vdict_fuzz::shared_cache_ops::check(&steps);
});
