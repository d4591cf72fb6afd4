//! `cargo +nightly fuzz run dict_ops`: see `src/dict_ops.rs` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: vdict_fuzz::dict_ops::Input| {
    vdict_fuzz::dict_ops::check(&input);
});
