//! Namespaces shared between threads: a [`SharedDict`] whose cached global loads hit without
//! taking a lock or writing to shared memory.
//!
//! A [`SharedDict`] is a [`Dict`](crate::Dict) behind a readers-writer lock, plus its two
//! version tags published in atomic words. Writes and cache misses take the lock; a write
//! publishes the dict's new tags with `Release` stores *after* it has finished changing the
//! dict and *before* it lets go of the lock (the [`WriteGuard`]'s drop does it, on every path,
//! unwinding included). A [`SharedVersionCache`] remembers the tags it read under the lock
//! together with a clone of the value; its hit is one `Acquire` load per namespace and a
//! compare, then the remembered value, which the cache owns: no lock, no store, so the cache
//! line of the shared dict stays shared between the cores that read it.
//!
//! Why a hit is right (linearizable: it returns what a locked lookup would have returned at
//! the moment of its load): a version is published only for a dict state that is complete,
//! and a version names one state of one dict, never reused. So a hit that loads the version
//! it remembered reads the state in which it filled, and no write has been published since;
//! the write in progress, if any, takes effect (is linearized) at its publish, and no locked
//! lookup can observe it before then, since the writer holds the lock until after the publish.
//! A miss takes the read lock and reads the version from the dict itself, under the lock, so
//! what it remembers is always a pair that existed. (A name found in globals does not depend
//! on builtins; for it the miss takes no lock of builtins' and remembers their published
//! word, loaded while globals' lock is held: still a state of builtins that existed beside
//! the state of globals the lookup saw.) `tests/loom.rs` checks all of it over every
//! interleaving loom explores; the two shared-namespace cache tests fail when the publish
//! is moved before the write (the published version then lags the dict, and hits return the
//! value from before the write forever).
//!
//! The stores are `Release` and the loads `Acquire`, as the contract says, but it is worth
//! knowing what carries the proof of a hit: the lock and the uniqueness of versions, not those
//! orderings. A hit reads nothing shared but the version word (the value is the cache's own),
//! and a miss reads under the lock, which orders it after the write it waits for; and a
//! reader that has learned of a write through any other synchronisation cannot then load an
//! older value of the version word (coherence holds for `Relaxed` too). So the two cache
//! tests in `tests/loom.rs` pass with `Relaxed` as well (tried). What the pair does carry is
//! the contract's other half: a reader whose [`SharedDict::version`] returns a write's version
//! sees everything the writer did before that write, with no lock taken (an interpreter may
//! keep side tables beside its globals and rely on that);
//! `a_reader_that_sees_a_published_version_sees_what_came_before_the_write` checks exactly
//! this, and fails when either the store or the load is weakened to `Relaxed` (tried). On x86
//! the pair costs nothing over `Relaxed`.

mod cache;
mod shared_dict;

pub use cache::SharedVersionCache;
pub use shared_dict::{ReadGuard, SharedDict, WriteGuard};

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicU64, Ordering},
    RwLock, RwLockReadGuard, RwLockWriteGuard,
};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicU64, Ordering},
    RwLock, RwLockReadGuard, RwLockWriteGuard,
};
