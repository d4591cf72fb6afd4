//! # vdict: CPython's compact dict, with version tags, for interpreters
//!
//! vdict is the dictionary an interpreter keeps its namespaces in. [`Dict`] is an
//! insertion-ordered hash map laid out like CPython 3.6's dict, and it carries PEP 509
//! [`Version`] tags: a cache that remembers a tag can later prove, with one integer compare,
//! that nothing it looked up has changed.
//!
//! ## The layout
//!
//! A dict is two arrays. The *index* is a small open-addressing hash table whose cells are
//! 1, 2, 4 or 8 bytes wide, chosen by its size; each cell is EMPTY (-1), DUMMY (-2), or the
//! *slot* of an entry, with a few top bits of the entry's hash (a *tag*) in the bits above the
//! slot. The *entries* array holds `(hash, key, value)` in insertion order.
//!
//! ```text
//!   index (8 cells, i8)            entries (insertion order)
//!   +----+----+----+----+          slot 0: (hash("x"), "x", 1)
//!   | -1 |  1 | -1 |  0 |  ---->   slot 1: (hash("y"), "y", 2)
//!   +----+----+----+----+          slot 2: (hash("z"), "z", 3)
//!   | -1 | -1 |  2 | -1 |
//!   +----+----+----+----+
//! ```
//!
//! The index is sparse (at most 2/3 full) but tiny; the entries are dense, so iteration walks
//! one compact array in order, and a 100-key dict's whole index is 512 bytes.
//!
//! **Insert** `"w" -> 4`: hash `"w"`, start at cell `hash & 7`, and walk CPython's probe
//! sequence (`perturb >>= 5; cell = (cell * 5 + perturb + 1) & 7`) until an EMPTY cell proves
//! `"w"` absent. Append `(hash, "w", 4)` as slot 3 and write 3 into the first free cell the
//! walk passed. An existing key would instead be found on the way and its value replaced in
//! place: it keeps its slot, hence its position in the order.
//!
//! **Lookup** `"y"`: walk the same sequence. A cell whose tag matches `"y"`'s is a candidate:
//! read its entry, compare the stored hash, and call `Eq` only when the hashes match. Another key in the way (a
//! collision) just means one more step; an EMPTY cell means "absent".
//!
//! **Delete** `"x"`: find it, write DUMMY into its cell (not EMPTY: keys that probed past it
//! must stay reachable) and turn slot 0 into a hole. Nothing moves, so delete is O(1) and the
//! order of the rest is kept. When the entries array fills up, the table is *rebuilt*: new
//! arrays, live entries moved over in order, holes squeezed out, cells recomputed from the
//! stored hashes (no key is hashed twice).
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
//! INTERNALS.md walks through all of this on a real table, with the numbers the code computes.
//!
//! ## Checking it
//!
//! [`Dict::check_invariants`] audits the whole table; the tests run it after every step of
//! random operation sequences compared against `indexmap`. See README.md for the commands.

// Three places use `unsafe`, each allowed where it is and each measured to pay (numbers beside
// them): `entry_if_key` in `dict/table.rs` reads the entry a live index cell points at without
// a bounds check or a hole test; `LiveEntries` in `dict/iter.rs` (with `FoldLive` beside it)
// iterates a dict with no holes, and the live prefix of one with holes, without testing each
// slot; and `SlotCache::hit` in `cache/slot_cache.rs` reads a remembered slot through
// `Dict::value_in_live_slot` without a bounds check or a hole test, on the proof its
// keys-version compare gives (the rule is written on `dict::Tags`). Anywhere else `unsafe` is
// an error.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod cache;
pub mod dict;
mod hasher;
mod version;
pub mod vm;

pub use dict::{Dict, Entry};
pub use hasher::{hash_key, DefaultHashBuilder, HASH_SEED_VARIABLE};
pub use version::{Version, VERSIONS_PER_BLOCK};

/// README.md's examples, compiled and run as doc tests so they cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../INTERNALS.md")]
struct InternalsDoctests;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
