//! Inline caches for `LOAD_GLOBAL`: remember what the last lookup of a name found, and prove
//! it still holds with an integer compare or two instead of hashing and probing again.
//!
//! An interpreter keeps one cache beside each `LOAD_GLOBAL` instruction (a *site*). A global
//! name is looked up in the module's globals, then in the builtins; both are [`Dict`]s whose
//! version tags say when a remembered answer may have gone stale. Two designs, from CPython's
//! history:
//!
//! | | [`VersionCache`] (CPython 3.8 opcache) | [`SlotCache`] (CPython 3.11 `LOAD_GLOBAL_MODULE` / `_BUILTIN`) |
//! |---|---|---|
//! | remembers | globals' and builtins' [`version`](Dict::version), and a clone of the value | globals' (and for a builtin, builtins') [`keys_version`](Dict::keys_version), which dict, and the slot |
//! | a hit costs | two compares, then a reference to the remembered value | one compare (module) or two (builtin; one through a [`PairVersion`], or in a specialised instruction), then a read of the slot |
//! | invalidated by | *any* write to either dict, even to another name | a key added to or removed from the dict(s) checked, or a squeeze that moves slots |
//! | wins when | the namespaces are written rarely | a global is rebound while others are read (a counter in a loop) |
//! | hits through | `&self` (fills need `&mut self`: they replace the value a hit lends) | `&self`, fills too |
//!
//! Both are exact: a hit returns what a plain lookup would return now. The version cache is
//! right because any change of content changes the version. The slot cache is right because
//! while a dict's keys version is unchanged every key keeps its slot, so the slot holds the
//! name's current value; and a builtin hit also checks the globals' keys version, which would
//! have moved had the name since been defined in globals (shadowing the builtin).
//!
//! # Wiring one in
//!
//! Hash each name once, when it is interned ([`hash_key`](crate::hash_key): every dict built
//! with the default hasher hashes alike), keep a cache per `LOAD_GLOBAL`, and let
//! [`load_with_hash`](SlotCache::load_with_hash) hit or fill. It hands back a reference, which
//! the loop clones onto its stack exactly as `LOAD_FAST` clones a local; the miss path is out
//! of line. That is the whole shape of an interpreter loop whose cached `LOAD_GLOBAL` costs
//! what `LOAD_FAST` costs (the report's LOAD table measures it in `vdict::vm`). A loop that
//! would rather fetch the name and its hash only on a miss calls `hit` (or the version cache's
//! `hit_versions`) itself, then [`miss_with_hash`](SlotCache::miss_with_hash) when it fails,
//! as `vdict::vm` does:
//!
//! ```
//! use std::rc::Rc;
//! use vdict::{cache::SlotCache, hash_key, Dict};
//!
//! #[derive(Clone, Debug, PartialEq)]
//! enum Value { Int(i64), Str(Rc<str>) }
//!
//! enum Op { LoadFast(usize), LoadGlobal { name: usize, site: usize }, Add }
//!
//! struct Code {
//!     ops: Vec<Op>,
//!     names: Vec<(Rc<str>, u64)>, // interned names and their hashes
//!     sites: Vec<SlotCache>,      // one per LOAD_GLOBAL; hits and fills take &self,
//! }                               // so a Code can be shared (Rc<Code>)
//!
//! fn run(code: &Code, globals: &Dict<Rc<str>, Value>, builtins: &Dict<Rc<str>, Value>,
//!        locals: &[Value]) -> Result<Value, String> {
//!     let mut stack = Vec::new();
//!     for op in &code.ops {
//!         match *op {
//!             Op::LoadFast(i) => stack.push(locals[i].clone()),
//!             Op::LoadGlobal { name, site } => {
//!                 let (name, hash) = &code.names[name];
//!                 let value = code.sites[site]
//!                     .load_with_hash(globals, builtins, &**name, *hash)
//!                     .map_err(|e| e.to_string())?;
//!                 stack.push(value.clone());
//!             }
//!             Op::Add => {
//!                 let (Some(Value::Int(b)), Some(Value::Int(a))) = (stack.pop(), stack.pop())
//!                     else { return Err("TypeError".into()) };
//!                 stack.push(Value::Int(a + b));
//!             }
//!         }
//!     }
//!     stack.pop().ok_or_else(|| "empty stack".into())
//! }
//!
//! let intern = |s: &str| (Rc::<str>::from(s), hash_key(s));
//! let code = Rc::new(Code {
//!     ops: vec![Op::LoadGlobal { name: 0, site: 0 }, Op::LoadFast(0), Op::Add],
//!     names: vec![intern("offset")],
//!     sites: vec![SlotCache::new()],
//! });
//! let mut globals: Dict<Rc<str>, Value> = Dict::new(); // two new()s hash alike
//! let builtins: Dict<Rc<str>, Value> = Dict::new();
//! globals.insert("offset".into(), Value::Int(40));
//! for _ in 0..3 {
//!     assert_eq!(run(&code, &globals, &builtins, &[Value::Int(2)]), Ok(Value::Int(42)));
//! }
//! globals.insert("offset".into(), Value::Int(1)); // a rebinding: still a hit
//! assert_eq!(run(&code, &globals, &builtins, &[Value::Int(2)]), Ok(Value::Int(3)));
//! assert_eq!(code.sites[0].stats().misses, 1); // hits are not counted: see below
//! ```
//!
//! Where the site lives matters to a hit's cost as much as the hit itself. Above, the site's
//! index is an operand: the loop must decode the instruction before it can read the site, and
//! the slot cache's value, found through the site, is a third load in a row. `vdict::vm` keeps
//! each site beside its instruction, in one array of (site, instruction) pairs, as CPython
//! 3.11 keeps a `LOAD_GLOBAL`'s cache inline right after the instruction: the fetch of the
//! instruction at `pc` has the site's address in hand, so the site's loads start at once and
//! need neither a bounds check nor a second array's start (which a loop this size keeps on the
//! stack). In the report's LOAD table, each build run beside the one before it: an array of
//! sites indexed by `pc` instead of by an operand took a slot-cache hit from 1.10-1.16 ×
//! `LOAD_FAST` to 1.06-1.08 and a version-cache hit (whose value is in the site) from
//! 1.09-1.10 to 1.01-1.02 (2026-12-04); the sites beside their instructions, on a host where
//! the array read 1.09-1.15 and 1.04-1.06, read 1.04-1.06 and 1.01-1.04 (2026-12-07, loops
//! aligned, alternating runs).
//!
//! # A builtin's hit in one compare
//!
//! A builtin's slot cache hit compares two keys versions (the globals', which proves the name
//! has not been defined in globals since, and the builtins'), after the module field's compare
//! has failed. [`PairVersion`] makes it one: it keeps a version of its own for the *pair* of
//! keys versions, taken fresh whenever either changes, and hands it out inside a
//! [`Namespaces`], which borrows both dicts, so that it is current for as long as it exists.
//! The loop makes a `Namespaces` when it starts and again after each of its own writes to
//! globals or builtins (two compares per write, none per load), and loads through it with
//! [`SlotCache::hit_in`] / [`miss_in`](SlotCache::miss_in) / [`load_in`](SlotCache::load_in).
//! A module global's hit is the same compare of the globals' keys version as before; a
//! builtin's site also misses, once, when either dict's keys change, as before.
//!
//! `hit_in` still compares the module field first, and fails it, for a builtin; and a module
//! hit jumps over the builtin's compare. An interpreter that specialises its instructions,
//! as CPython 3.11 does, knows the kind of site from the opcode: after a miss it asks
//! [`SlotCache::holds_module_global`] and [`SlotCache::holds_builtin`], rewrites the
//! instruction into the matching form, and that form hits through
//! [`SlotCache::hit_module_in`] (the globals' keys version's compare alone) or
//! [`SlotCache::hit_builtin_in`] (the pair version's compare alone). Each answers `None` for
//! a site that holds anything else, so a stale specialisation costs a miss, never a wrong
//! answer. The reference VM does so (`LOAD_GLOBAL_MODULE`, `LOAD_GLOBAL_BUILTIN`). There a
//! builtin's hit went from 86 instructions a `LOAD; POP_TOP` pair (two keys versions) to 81
//! (`hit_in`) to 73 (specialised), and a module global's from 74 to 73, against
//! `LOAD_FAST`'s 72 in the same build (callgrind, `examples/profile_vm.rs`).
//!
//! What to avoid: a helper that returns an owned value (`Result<Value, _>`) from the cache,
//! which moves the value through memory on every load; in the interpreter this crate was
//! tried in, that made a cached load cost 4 × `LOAD_FAST`. The same goes for stores: a
//! `STORE_GLOBAL` that takes the old value back from [`SlotCache::store_hit`] only to drop
//! it moves it through memory too, and in `vdict::vm` that cost the rebinding loop up to
//! 1.7 × `LOAD_FAST` a load; [`SlotCache::store_hit_dropping_old`] drops it in place. And
//! sharing a site between names: **a site serves one name.** It does not remember which name
//! filled it (a hit compares versions, never names: that is what makes it cheap, and in
//! CPython the instruction fixes the name), so a load of another name through it hands back
//! the first name's value.
//!
//! # Sites that keep missing back off
//!
//! A fill that is never used before the next miss is wasted; each wasted fill doubles how many
//! misses the site then answers by a plain lookup without filling (up to 4,095), as CPython's
//! specialising interpreter does. See [`CacheStats::skipped_fills`]. A load through the site
//! takes care of it; an interpreter that quickens its instructions, as CPython 3.11 does, can
//! ask [`VersionCache::backing_off`] after a load, run the instruction in a form that calls
//! [`VersionCache::take_skip`] and looks the name up itself (no hit test: the site is empty),
//! and go back to the cached form when `take_skip` says the period is over. The reference
//! VM does (`Op::LoadGlobalBackingOff`); `SlotCache` has the same two calls.
//!
//! # Statistics
//!
//! A site counts its misses, and the fills it skipped backing off ([`CacheStats`]). It counts
//! its hits only when made to ([`SlotCache::counting_hits`], [`VersionCache::counting_hits`]):
//! in the steady state an uncounted hit reads its site and writes nothing, as a hit of
//! CPython's specialised instructions writes nothing (CPython counts hits only in a
//! `Py_STATS` build). Counting them is a read-modify-write of the site on every hit, and in
//! the reference VM it made a slot-cache hit cost 1.20 x `LOAD_FAST` instead of 1.00 (the
//! report's LOAD table, module global). The back-off needs to know only whether a fill was
//! used, which the first hit after a fill records.
//!
//! ```
//! use vdict::{cache::SlotCache, hash_key, Dict};
//!
//! let mut globals: Dict<&str, i32> = Dict::new();
//! let builtins: Dict<&str, i32> = Dict::new();
//! globals.insert("x", 1);
//! let (fast, counting) = (SlotCache::new(), SlotCache::counting_hits());
//! for _ in 0..4 {
//!     fast.load_with_hash(&globals, &builtins, "x", hash_key("x")).unwrap();
//!     counting.load_with_hash(&globals, &builtins, "x", hash_key("x")).unwrap();
//! }
//! assert_eq!((fast.stats().hits, fast.stats().misses), (None, 1));
//! assert_eq!((counting.stats().hits, counting.stats().misses), (Some(3), 1));
//! assert_eq!(counting.stats().hit_rate(), Some(0.75));
//! ```
//!
//! # Hashers
//!
//! A cache looks a name up in two dicts with one hash, so the dicts must hash alike: every
//! dict built with [`DefaultHashBuilder`](crate::DefaultHashBuilder) does (one hasher per
//! process). With other hashers, a mismatch cannot give a wrong answer: whenever a dict does
//! not have the name, the cache checks that the hash it was given is that dict's own hash of
//! the name, and panics with a clear message if it is not (a found name needs no check: it
//! compared equal).

mod backoff;
mod pair;
mod slot_cache;
mod version_cache;

pub use pair::{Namespaces, PairVersion};
pub use slot_cache::SlotCache;
pub use version_cache::VersionCache;

use crate::Dict;
use equivalent::Equivalent;
use std::fmt;
use std::hash::{BuildHasher, Hash};

/// The name was in neither globals nor builtins (Python's `NameError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameError<'n, Q: ?Sized> {
    /// The name that was looked up.
    pub name: &'n Q,
}

impl<Q: fmt::Display + ?Sized> fmt::Display for NameError<'_, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NameError: name '{}' is not defined", self.name)
    }
}

impl<Q: fmt::Display + fmt::Debug + ?Sized> std::error::Error for NameError<'_, Q> {}

/// How often a cache answered from memory.
///
/// Misses are always counted (they are the slow path). Hits are counted only by a site made
/// to count them ([`SlotCache::counting_hits`], [`VersionCache::counting_hits`]): counting is
/// a read-modify-write of the site on every hit, which measured 0.2 x `LOAD_FAST` in the
/// reference VM, where an uncounted hit writes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Loads answered by the cache; `None` when the site does not count its hits (or, in a
    /// sum, when any of the summed sites does not).
    pub hits: Option<u64>,
    /// Loads that had to look the name up (and refilled the cache, unless backing off).
    pub misses: u64,
    /// Of the misses, those answered by a plain lookup without refilling the cache, because
    /// the site was backing off after fills that were never used.
    pub skipped_fills: u64,
}

impl Default for CacheStats {
    /// No loads yet, and hits counted (zero of them): the start of a sum.
    fn default() -> Self {
        CacheStats {
            hits: Some(0),
            misses: 0,
            skipped_fills: 0,
        }
    }
}

impl CacheStats {
    /// Hits over all loads; `None` before the first load, or when hits are not counted.
    pub fn hit_rate(&self) -> Option<f64> {
        let hits = self.hits?;
        let loads = hits + self.misses;
        (loads > 0).then(|| hits as f64 / loads as f64)
    }
}

impl std::ops::AddAssign for CacheStats {
    fn add_assign(&mut self, other: CacheStats) {
        self.hits = self.hits.zip(other.hits).map(|(a, b)| a + b);
        self.misses += other.misses;
        self.skipped_fills += other.skipped_fills;
    }
}

/// Which dict a name was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Home {
    Globals,
    Builtins,
}

/// Looks `name` up in globals, then builtins, with `hash`: which dict, which slot, and the
/// value. What a fill remembers, and what a site that is backing off answers with.
///
/// A name found is the right answer whatever the hash (its key compared equal). A name not
/// found might be a hash from another hasher; so each dict that does not have the name is
/// asked for its own hash of it, and a different one panics (see [`assert_own_hash`]).
#[inline]
fn find_global<'d, K, V, S, Q>(
    globals: &'d Dict<K, V, S>,
    builtins: &'d Dict<K, V, S>,
    name: &Q,
    hash: u64,
) -> Option<(Home, usize, &'d V)>
where
    K: Hash + Eq,
    Q: Hash + Equivalent<K> + ?Sized,
    S: BuildHasher,
{
    if let Some((slot, value)) = globals.slot_and_value_with_hash(hash, name) {
        return Some((Home::Globals, slot, value));
    }
    assert_own_hash(globals, name, hash, "globals");
    if let Some((slot, value)) = builtins.slot_and_value_with_hash(hash, name) {
        return Some((Home::Builtins, slot, value));
    }
    assert_own_hash(builtins, name, hash, "builtins");
    None
}

/// Panics unless `hash` is `dict`'s own hash of `name`: a lookup with another hash may miss a
/// name that is there, and a cache must not turn that into a wrong answer.
#[inline]
pub(crate) fn assert_own_hash<K, V, S, Q>(dict: &Dict<K, V, S>, name: &Q, hash: u64, which: &str)
where
    K: Hash + Eq,
    Q: Hash + ?Sized,
    S: BuildHasher,
{
    if dict.hash_key(name) != hash {
        hasher_mismatch(which);
    }
}

#[cold]
#[inline(never)]
fn hasher_mismatch(which: &str) -> ! {
    panic!(
        "vdict: a cache was given a hash that is not the {which} dict's hash of the name, so it \
         could miss a name that is there. Dicts that share pre-hashed names must hash alike: \
         build them with the default hasher (one per process) or from clones of one hasher, \
         and hash names with vdict::hash_key or the dicts' own hash_key"
    )
}

/// A plain lookup, globals then builtins, with no cache: what every cached load must equal.
pub fn lookup_global<'d, 'n, K, V, S, Q>(
    globals: &'d Dict<K, V, S>,
    builtins: &'d Dict<K, V, S>,
    name: &'n Q,
) -> Result<&'d V, NameError<'n, Q>>
where
    K: Hash + Eq,
    Q: Hash + Equivalent<K> + ?Sized,
    S: BuildHasher,
{
    globals
        .get(name)
        .or_else(|| builtins.get(name))
        .ok_or(NameError { name })
}

/// [`lookup_global`] with the name's hash in hand (and the cache's check of it): what a site
/// that is backing off answers with.
#[inline]
pub(crate) fn lookup_global_with_hash<'d, 'n, K, V, S, Q>(
    globals: &'d Dict<K, V, S>,
    builtins: &'d Dict<K, V, S>,
    name: &'n Q,
    hash: u64,
) -> Result<&'d V, NameError<'n, Q>>
where
    K: Hash + Eq,
    Q: Hash + Equivalent<K> + ?Sized,
    S: BuildHasher,
{
    match find_global(globals, builtins, name, hash) {
        Some((_, _, value)) => Ok(value),
        None => Err(NameError { name }),
    }
}
