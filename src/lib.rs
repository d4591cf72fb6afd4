//! # vdict: CPython's compact dict, with version tags, for interpreters
//!
//! vdict is the dictionary an interpreter keeps its namespaces in. [`Dict`] is an
//! insertion-ordered hash map laid out like CPython 3.6's dict, and it carries PEP 509
//! [`Version`] tags: a cache that remembers a tag can later prove, with one integer compare,
//! that nothing it looked up has changed.
//!
//! ## The layout
//!
//! A dict is two arrays. The *entries* array holds `(hash, key, value)` in insertion order. The
//! *index* is a hash table of *slots* (positions in the entries array), 2 bytes each while the
//! entries number at most 65,536, 4 beyond: hashbrown's SwissTable, in which each bucket has a
//! control byte holding the top 7 bits of its key's hash, or "free".
//!
//! ```text
//!   index (8 buckets)                         entries (insertion order)
//!   control | -- | 0x2c | -- | 0x51 | ...     slot 0: (hash("x"), "x", 1)
//!   slot    |    |  1   |    |  0   | ---->   slot 1: (hash("y"), "y", 2)
//!                                             slot 2: (hash("z"), "z", 3)
//! ```
//!
//! The index is narrow (a 100-key dict's is under 400 bytes); the entries are dense, so
//! iteration walks one compact array in order.
//!
//! **Insert** `"w" -> 4`: hash `"w"`, and probe the index: compare the 7 bits sought with a
//! group of 16 control bytes at once, read the entry of each bucket that matches, stop at a
//! group with a free bucket. Absent: append `(hash, "w", 4)` as slot 3 and write 3 into a free
//! bucket. An existing key would instead be found and its value replaced in place: it keeps
//! its slot, hence its position in the order.
//!
//! **Lookup** `"y"`: the same probe. A bucket whose control byte matches is a candidate: read
//! its entry, compare the stored hash, and call `Eq` only when the hashes match.
//!
//! **Delete** `"x"`: find it, free its bucket and turn slot 0 into a hole. Nothing moves, so
//! delete is O(1) and the order of the rest is kept. When holes pile up they are *squeezed*
//! out: the live entries slide down in order, and each bucket gets its entry's new slot (no
//! key is hashed or compared again).
//!
//! ## What a version tag is for
//!
//! Every dict takes a fresh [`Version`] when it is created and whenever its content may
//! change; versions come from one process-wide supply and never repeat. A second tag, the
//! keys version, changes only when keys come or go or slots move. An interpreter caching a
//! global lookup remembers `(dict.version(), value)`: while the version is the same, the
//! value is too, with no hashing and no probing. Or it remembers `(dict.keys_version(), slot)`,
//! which survives value overwrites and reads the value straight from the slot. The exact
//! rules are on [`Dict`].
//!
//! ```
//! use vdict::Dict;
//!
//! let mut globals: Dict<&str, i64> = Dict::new();
//! globals.insert("counter", 0);
//!
//! // What an inline cache would remember after the first lookup:
//! let (version, keys_version) = (globals.version(), globals.keys_version());
//! let slot = globals.get_slot("counter").unwrap();
//!
//! // Reads change nothing, so the cache stays valid.
//! assert_eq!(globals["counter"], 0);
//! assert_eq!(globals.version(), version);
//!
//! // A write: the version moves on, the keys version does not, the slot still answers.
//! *globals.get_mut("counter").unwrap() += 1;
//! assert_ne!(globals.version(), version);
//! assert_eq!(globals.keys_version(), keys_version);
//! assert_eq!(globals.slot(slot), Some((&"counter", &1)));
//! ```
//!
//! ## Caches, and names hashed once
//!
//! [`cache::VersionCache`] and [`cache::SlotCache`] are the inline caches of `LOAD_GLOBAL`
//! (CPython 3.8's and 3.11's): one per instruction, a hit costs a compare or two. Every dict
//! built with the default hasher hashes alike within a process ([`DefaultHashBuilder`]: random
//! per process, like CPython's string hash), so an interpreter hashes each name once, with
//! [`hash_key`], and uses that hash in every namespace. The [`cache`] module shows the shape of
//! an interpreter loop whose cached global load costs about what a local load costs.
//!
//! Keys that a Python compares by running its own code (`__hash__`, `__eq__`, which may fail
//! or change the dict) go through [`Dict::find_with`], [`Dict::probe`] and friends: the caller
//! supplies the hash and the equality, and the keys version tells it when to start again.
//! Namespaces shared between threads are [`sync::SharedDict`]s, whose cached loads hit
//! without a lock.
//!
//! ## A drop-in for indexmap
//!
//! `Dict` has `IndexMap`'s API under the same names (positions, `swap_remove` and
//! `shift_remove`, sorting, `extract_if`, `splice`, the entry API's positional methods), and
//! [`Set`] has `IndexSet`'s; [`dict!`] and [`set!`] write them out. Two things differ, both
//! from the holes: `shift_remove` is O(1) here (it leaves a hole instead of shifting), and a
//! position past a hole costs O(log n) to find until positional reads outnumber changes (then
//! O(1): see `dict/ranks.rs`). Their slices ([`dict::Slice`], [`dict::SliceMut`],
//! [`set::Slice`]) are views held by value rather than `&[_]`s (a dict with holes is not
//! contiguous).
//! The `serde` feature reads and writes both in order, refusing repeated keys; the
//! `arbitrary` feature lets a fuzzer build them; the `rayon` feature iterates, sorts and
//! collects them in parallel.
//!
//! INTERNALS.md walks through all of this on a real table, with the numbers the code computes.
//!
//! ## Checking it
//!
//! [`Dict::check_invariants`] audits the whole table; the tests run it after every step of
//! random operation sequences compared against `indexmap`. See README.md for the commands.

// Four places use `unsafe`, each allowed where it is and each measured to pay (numbers beside
// them): `live_entry` in `dict/table/mod.rs` reads the entry whose slot the index holds without
// a bounds check or a hole test; `LiveEntries` in `dict/iter.rs` (with `FoldLive` beside it)
// iterates a dict with no holes, and the live prefix of one with holes, without testing each
// slot; `Dict::get_index` in `dict/positions.rs` reads a position of a dict with no holes
// without a hole test, on the same proof, and a position past a hole through the flat table
// of positions (`dict/ranks.rs`, which holds exactly the live slots) without a bounds check
// or a hole test; and `SlotCache::hit` and `SlotCache::store_with_hash` in `cache/slot_cache.rs` read and write
// the value at a remembered offset through `Dict::value_at_live_offset(_mut)` without a
// bounds check or a hole test, on the proof its keys-version compare gives (the rule is written on `dict::Tags`). Anywhere else `unsafe` is
// an error.
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod macros;
#[cfg(feature = "arbitrary")]
mod arbitrary;
pub mod cache;
pub mod dict;
mod hasher;
#[cfg(feature = "serde")]
mod serde;
pub mod set;
pub mod sync;
mod version;
pub mod vm;

pub use dict::{Dict, Entry, GetDisjointMutError, TryReserveError};
pub use equivalent::Equivalent;
pub use hasher::{hash_key, DefaultHashBuilder, HASH_SEED_VARIABLE};
pub use set::Set;
pub use version::{Version, VERSIONS_PER_BLOCK};

/// README.md's examples, compiled and run as doc tests so they cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../INTERNALS.md")]
struct InternalsDoctests;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
