//! The checks behind vdict's fuzz targets, one module per target, shared with `cargo test`.
//!
//! Each target decodes its input with `arbitrary` into a structured value (a sequence of dict
//! operations, of namespace mutations and loads, or assembly text) and hands it to the check
//! here, which panics on any disagreement. The fuzz targets in `fuzz_targets/` are one line
//! each; `tests/fuzz_corpus.rs` replays every file of `corpus/<target>/` through the same
//! functions, and the proptests in `tests/model.rs` and `tests/cache.rs` generate the same
//! input types. (The tests include this file with `#[path]`, so it must build both as this
//! crate's root and as a module: paths go through `super::`, never `crate::`.)
//!
//! - [`dict_ops`]: every `Dict` operation against an `indexmap` model, `check_invariants()`
//!   and the version rules, with a hasher the input picks, once with `u8` keys and once with
//!   `String` keys.
//! - [`cache_ops`]: mutations of globals and builtins interleaved with loads through both
//!   caches; every load equals a plain lookup.
//! - [`shared_cache_ops`]: writes to shared namespaces (`vdict::sync`) interleaved with loads
//!   through their cache sites, one thread; every load and every site's hit equals a locked
//!   lookup, and each namespace publishes its dict's own tags.
//! - [`set_ops`]: every `Set` operation against an `indexmap::IndexSet` model, with the set
//!   operations and comparisons against a second set, and `check_invariants()`.
//! - [`vm_asm`]: text into the assembler and the VM; errors are `Err`, and every cache mode
//!   gives the same answer as the uncached one.

pub mod cache_ops;
pub mod caller;
pub mod dict_ops;
pub mod hashers;
pub mod set_ops;
pub mod shared_cache_ops;
pub mod vm_asm;
