//! `cargo +nightly fuzz run vm_asm`: see `src/vm_asm.rs` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|source: &str| {
    vdict_fuzz::vm_asm::check(source);
});
