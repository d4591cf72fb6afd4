//! Replays every committed fuzz input (`fuzz/corpus/<target>/*`) through the same check the
//! fuzz target runs, decoded the same way (`arbitrary`, as libfuzzer-sys decodes it), so that
//! plain `cargo test` keeps every input that ever found a bug, and the seeds, passing.

mod common;

use arbitrary::{Arbitrary, Unstructured};
use common::checks::{cache_ops, dict_ops, set_ops, shared_cache_ops, vm_asm};
use std::path::PathBuf;

/// Every file of `fuzz/corpus/<target>`, sorted, with its bytes.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("readable corpus directory").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("readable corpus file");
            (path, bytes)
        })
        .collect()
}

/// Decodes `bytes` as `fuzz_target!(|input: T| ...)` does: the whole input, taking the rest
/// for the last field. Inputs that do not decode are skipped by the fuzzer too.
fn decode<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}

/// Runs `check` on every input, naming the file of the first that fails.
fn replay(target: &str, check: impl Fn(&[u8])) -> usize {
    let inputs = corpus(target);
    for (path, bytes) in &inputs {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(bytes)));
        if let Err(panic) = outcome {
            eprintln!("{target}: {} fails", path.display());
            std::panic::resume_unwind(panic);
        }
    }
    inputs.len()
}

/// Replays `target`'s corpus through `check`, each input decoded as `T`, as its fuzz target
/// decodes it; fails if none decoded (the check would then have run on nothing).
fn replay_decoded<T: for<'a> Arbitrary<'a>>(target: &str, check: impl Fn(&T)) {
    let decoded = std::cell::Cell::new(0);
    replay(target, |bytes| {
        if let Some(input) = decode::<T>(bytes) {
            decoded.set(decoded.get() + 1);
            check(&input);
        }
    });
    assert!(decoded.get() > 0, "no {target} input decoded");
}

#[test]
fn dict_ops_corpus_passes() {
    replay_decoded("dict_ops", dict_ops::check);
}

#[test]
fn set_ops_corpus_passes() {
    replay_decoded("set_ops", set_ops::check);
}

#[test]
fn cache_ops_corpus_passes() {
    replay_decoded("cache_ops", |steps: &Vec<cache_ops::Step>| {
        cache_ops::check(steps)
    });
}

#[test]
fn shared_cache_ops_corpus_passes() {
    replay_decoded("shared_cache_ops", |steps: &Vec<shared_cache_ops::Step>| {
        shared_cache_ops::check(steps)
    });
}

#[test]
fn vm_asm_corpus_passes() {
    let replayed = replay("vm_asm", |bytes| {
        // libfuzzer-sys hands `&str` targets only inputs that are UTF-8.
        if let Ok(source) = std::str::from_utf8(bytes) {
            vm_asm::check(source);
        }
    });
    assert!(replayed >= 5);
}
