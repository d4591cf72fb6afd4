//! `cargo +nightly fuzz run set_ops`: see `src/set_ops.rs` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: vdict_fuzz::set_ops::Input| {
    vdict_fuzz::set_ops::check(&input);
});
