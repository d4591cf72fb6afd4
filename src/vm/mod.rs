//! The reference VM: a small stack bytecode interpreter, to measure the `LOAD_GLOBAL` caches
//! where they live and to show an interpreter author how to wire one in.
//!
//! - `ops.rs`: the instruction set ([`Op`]) and the code object ([`Code`]), which holds the
//!   cache sites, one per instruction, found by the instruction's offset (`ops.rs` says why).
//! - `asm.rs`: [`assemble`], text in the shape of `dis` output to checked code.
//! - `interp.rs`: the [`Vm`] and its loop, compiled once per [`CacheMode`].
//! - `value.rs`: [`Value`], runtime errors, and the builtins (`len`, `abs`, `min`, `max`).
//! - `workloads.rs`: the benchmark programs the report and `benches/load_global.rs` run.
//!
//! # How a `LOAD_GLOBAL` is served, per mode
//!
//! The three modes differ only in what `LOAD_GLOBAL` does (see [`crate::cache`] for the two
//! cache designs side by side):
//!
//! - [`CacheMode::None`]: hash-free lookups (the name's hash was computed once per run) in
//!   globals, then builtins. A builtin costs two probes.
//! - [`CacheMode::Version`]: the site compares the versions it remembered with both dicts'
//!   current versions; equal means nothing was written since, and the remembered value is
//!   pushed. Any store to a global — any global — makes every site miss once. A site whose
//!   fills keep going unused backs off, and the miss that leaves it backing off rewrites the
//!   instruction into [`Op::LoadGlobalBackingOff`], which takes the site's skips and looks
//!   the name up without testing a cache that cannot hit, until the skips run out and it is
//!   `LOAD_GLOBAL` again (CPython 3.11's adaptive `LOAD_GLOBAL` counting down its back-off).
//! - [`CacheMode::Slot`]: the site compares the globals' keys version (for a builtin, one
//!   version standing for both dicts' keys, [`PairVersion`](crate::cache::PairVersion)) and
//!   reads the value straight out of the remembered slot. Stores that rebind a name keep the
//!   keys versions, so they do not cost a miss. A miss rewrites the instruction by where it
//!   found the name, as CPython 3.11 specialises `LOAD_GLOBAL`: into [`Op::LoadGlobalModule`]
//!   (one compare, no builtin's compare to jump over) or [`Op::LoadGlobalBuiltin`] (which
//!   skips the module global's compare); so after a slot-cached run [`Code::ops`] may show
//!   those forms.
//!
//! Wiring a cache into your own interpreter takes three things: a cache per `LOAD_GLOBAL`
//! instruction (kept with the code object, so it stays warm, and found from the instruction's
//! offset rather than from an operand, so that a hit need not wait for the decode), the name's
//! hash computed once
//! when the name is interned, and the `hit` / `fill` split of the cache API so the fast path
//! inlines into the dispatch loop and the slow path stays out of it (`interp.rs` shows it).
//!
//! ```
//! use vdict::vm::{assemble, CacheMode, Value, Vm};
//!
//! let source = std::fs::read_to_string(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/examples/programs/global_counter.vasm"
//! ))
//! .unwrap();
//! let mut code = assemble(&source).unwrap();
//! let mut vm = Vm::new(CacheMode::Slot).with_cache_hits_counted();
//! assert_eq!(vm.run(&mut code), Ok(Value::Int(100)));
//! let stats = code.cache_stats().unwrap();
//! assert!(stats.hit_rate().unwrap() > 0.9);
//! ```

mod asm;
mod interp;
mod ops;
mod value;
pub mod workloads;

pub use asm::{assemble, AsmError};
pub use interp::{CacheMode, Namespace, Vm, VmError};
pub use ops::{Code, Op};
pub use value::{Builtin, ErrorKind, Value, BUILTINS};
