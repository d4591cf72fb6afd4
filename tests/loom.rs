//! Model checking of the version supply with loom: over every interleaving loom explores,
//! versions handed to two or three threads never collide, also across block refills (blocks
//! are two versions long under `cfg(loom)`), and a dict made on one thread and mutated on
//! another keeps taking unique versions.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test --release --test loom`
//!
//! No other type in vdict is `Sync` with interior mutability: the caches and the dict change
//! only through `&mut self`, so the borrow checker, not a model checker, keeps them sound.

#![cfg(loom)]

use loom::thread;
use std::collections::HashSet;
use vdict::{Dict, Version, VERSIONS_PER_BLOCK};

/// Every version in `batches` is non-zero, distinct from every other, and increasing within
/// its own thread's batch.
fn assert_unique(batches: &[Vec<Version>]) {
    let mut seen = HashSet::new();
    for batch in batches {
        for pair in batch.windows(2) {
            assert!(pair[0] < pair[1], "not increasing on one thread: {batch:?}");
        }
        for &version in batch {
            assert_ne!(version, Version::NEVER);
            assert!(
                seen.insert(version),
                "{version:?} handed out twice: {batches:?}"
            );
        }
    }
}

fn take(count: u64) -> Vec<Version> {
    (0..count).map(|_| Version::fresh()).collect()
}

fn model(body: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(body);
}

#[test]
fn two_threads_across_a_block_refill() {
    // Each thread takes more than a block, so each reserves twice while the other runs.
    let per_thread = VERSIONS_PER_BLOCK + 1;
    model(move || {
        let other = thread::spawn(move || take(per_thread));
        let mine = take(per_thread);
        assert_unique(&[mine, other.join().unwrap()]);
    });
}

#[test]
fn three_threads() {
    let per_thread = VERSIONS_PER_BLOCK;
    model(move || {
        let a = thread::spawn(move || take(per_thread));
        let b = thread::spawn(move || take(per_thread));
        let mine = take(per_thread);
        assert_unique(&[mine, a.join().unwrap(), b.join().unwrap()]);
    });
}

#[test]
fn a_dict_made_on_one_thread_and_mutated_on_another() {
    model(|| {
        let mut dict: Dict<u8, u8> = Dict::new();
        dict.insert(1, 1);
        let made_here = vec![dict.version()];
        let mutator = thread::spawn(move || {
            let mut seen = vec![dict.version()];
            dict.insert(2, 2); // a new key: both tags move
            seen.push(dict.version());
            dict.insert(2, 3); // an overwrite: the version moves
            seen.push(dict.version());
            let copy = dict.clone(); // a clone: a fresh version of its own
            seen.push(copy.version());
            (seen, dict.keys_version())
        });
        // Meanwhile this thread takes versions of its own, in a dict and directly.
        let mut other: Dict<u8, u8> = Dict::new();
        other.insert(9, 9);
        let mine = vec![other.version(), Version::fresh()];
        let (theirs, keys_version) = mutator.join().unwrap();
        assert_ne!(keys_version, Version::NEVER);
        // `theirs[0]` is the version made here, carried over: only the rest are new.
        assert_eq!(theirs[0], made_here[0]);
        assert_unique(&[made_here, theirs[1..].to_vec(), mine]);
    });
}
