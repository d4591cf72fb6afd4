//! Model checking of the version supply with loom: over every interleaving loom explores,
//! versions handed to two or three threads never collide, also across block refills (blocks
//! are two versions long under `cfg(loom)`), and a dict made on one thread and mutated on
//! another keeps taking unique versions.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test --release --test loom`
//!
//! And `vdict::sync`: a writer rebinding and deleting a global of a `SharedDict` while a reader
//! loads it through its `SharedVersionCache`; in no interleaving does the reader see an older
//! state after a newer one, a state from before a write it has synchronised with, or a
//! deleted global after the writer is done; and a reader that loads a write's published
//! version sees everything the writer did before it (the `Release`/`Acquire` pair: that test
//! fails when either is weakened to `Relaxed`).
//!
//! The single-thread caches are not `Sync`. The dict changes its entries only through
//! `&mut self`; what it builds through `&self` (the rank structure and the flat table of
//! positions that positional reads past a hole build lazily) goes through `std`'s `OnceLock`,
//! which loom cannot model, and a pointer published with `Release` after it and read with
//! `Acquire`; `tests/api.rs` reads positions from several threads at once against a scan.

#![cfg(loom)]

use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use loom::sync::Arc;
use loom::thread;
use std::collections::HashSet;
use vdict::sync::{SharedDict, SharedVersionCache};
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

/// The states a global goes through in the shared-namespace tests, in order: 10, then 20,
/// then deleted (`None`). Returns a state's position in that order.
fn state_index(state: Option<u64>) -> usize {
    match state {
        Some(10) => 0,
        Some(20) => 1,
        None => 2,
        Some(other) => panic!("a value never written: {other}"),
    }
}

fn load(
    site: &mut SharedVersionCache<u64>,
    globals: &SharedDict<u64, u64>,
    builtins: &SharedDict<u64, u64>,
) -> Option<u64> {
    site.load(globals, builtins, &1).ok().copied()
}

#[test]
fn a_cached_reader_never_goes_back_in_time_nor_misses_a_write_it_synchronised_with() {
    model(|| {
        let globals = Arc::new(SharedDict::new());
        let builtins = Arc::new(SharedDict::new());
        globals.write().insert(1u64, 10u64);
        let rebound = Arc::new(AtomicBool::new(false));
        let writer = {
            let (globals, rebound) = (Arc::clone(&globals), Arc::clone(&rebound));
            thread::spawn(move || {
                globals.write().insert(1, 20);
                rebound.store(true, Ordering::Release);
                globals.write().remove(&1);
            })
        };
        let mut site = SharedVersionCache::new();
        let first = load(&mut site, &globals, &builtins);
        let saw_rebind = rebound.load(Ordering::Acquire);
        let second = load(&mut site, &globals, &builtins); // a hit, or a refill
        assert!(
            state_index(second) >= state_index(first),
            "went back in time: {first:?} then {second:?}"
        );
        if saw_rebind {
            assert_ne!(second, Some(10), "a stale value after the rebind was seen");
        }
        writer.join().unwrap();
        assert_eq!(
            load(&mut site, &globals, &builtins),
            None,
            "the deletion was missed"
        );
    });
}

#[test]
fn a_hit_agrees_with_the_published_version() {
    // Whatever the interleaving, a load that returns the remembered value returns the value
    // of the state whose version is published: compare with a locked lookup made just after
    // the load, when no write can have been published in between (the writer is done or has
    // not started publishing a state the reader could tell apart).
    model(|| {
        let globals = Arc::new(SharedDict::new());
        let builtins = Arc::new(SharedDict::new());
        globals.write().insert(1u64, 10u64);
        let writer = {
            let globals = Arc::clone(&globals);
            thread::spawn(move || {
                globals.write().insert(1, 20);
            })
        };
        let mut site = SharedVersionCache::new();
        let _ = load(&mut site, &globals, &builtins);
        let version = globals.version();
        let got = load(&mut site, &globals, &builtins);
        let locked = globals.read().get(&1).copied();
        if globals.version() == version {
            assert_eq!(
                got, locked,
                "the hit disagrees with the dict at its version"
            );
        }
        writer.join().unwrap();
        assert_eq!(load(&mut site, &globals, &builtins), Some(20));
    });
}

#[test]
fn a_reader_that_sees_a_published_version_sees_what_came_before_the_write() {
    // The contract's message-passing half: the writer records something of its own (here a
    // side table entry, as an interpreter might keep beside its globals), then writes the
    // dict; a reader whose `version()` returns the version of that write must see the record,
    // with no lock taken. It holds only because the publish is a `Release` store and
    // `version()` an `Acquire` load: with either `Relaxed`, loom finds the interleaving where
    // the reader sees the new version and the old record.
    model(|| {
        let globals = Arc::new(SharedDict::new());
        globals.write().insert(1u64, 10u64);
        let before = globals.version();
        let side_table = Arc::new(AtomicU64::new(0));
        let writer = {
            let (globals, side_table) = (Arc::clone(&globals), Arc::clone(&side_table));
            thread::spawn(move || {
                side_table.store(1, Ordering::Relaxed);
                globals.write().insert(1, 20);
            })
        };
        if globals.version() != before {
            assert_eq!(
                side_table.load(Ordering::Relaxed),
                1,
                "saw the write's version but not what the writer did before the write"
            );
        }
        writer.join().unwrap();
    });
}
