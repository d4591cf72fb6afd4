//! The default hasher: one hash function per process, as CPython has one string hash.
//!
//! An interpreter hashes each name once, when it interns it, and then looks that name up in
//! several namespaces (a module's globals, the builtins) with the one hash. That works only if
//! every namespace hashes a key the same way. So [`DefaultHashBuilder`] is not seeded per dict
//! (as std's `RandomState` and foldhash's are) but per process: every instance, in every
//! thread, builds the same hasher, whose secret seed is drawn once per process from the
//! operating system's randomness (through std's `RandomState`, the source std's own maps
//! use). Another program cannot predict it, so it cannot precompute keys that all collide
//! (HashDoS), yet two `Dict::new()`s agree on every hash, and [`hash_key`] gives that hash
//! before any dict exists.
//!
//! The function itself is foldhash's fast hasher: several times faster than SipHash on short
//! keys, and of the quality hashbrown relies on.

use foldhash::fast::FoldHasher;
use foldhash::SharedSeed;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::sync::OnceLock;

/// The per-hasher part of foldhash's seed. Fixed, so that every instance hashes alike; the
/// secret is the process-wide shared seed beside it. (An arbitrary odd constant: the
/// fractional digits of the golden ratio.)
const PER_HASHER_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// The process's secret: drawn on first use, then the same for every hasher of the process.
static PROCESS_SEED: OnceLock<SharedSeed> = OnceLock::new();

/// The environment variable that fixes the process seed, as `PYTHONHASHSEED` does CPython's:
/// a decimal `u64`. For reproducible runs (instruction counts under callgrind, replaying a
/// failure whose probe chains matter); never set it where keys come from an adversary.
pub const HASH_SEED_VARIABLE: &str = "VDICT_HASH_SEED";

/// 64 bits from the operating system's randomness (std's `RandomState` keys SipHash with
/// them; hashing a constant under those keys hands back 64 unpredictable bits), or from
/// [`HASH_SEED_VARIABLE`] if it is set, spread by foldhash over the six words of its seed.
///
/// Panics if the variable is set to something other than a decimal `u64` (a seed silently
/// ignored would make a "reproducible" run random).
#[cold]
fn draw_process_seed() -> SharedSeed {
    let seed = match std::env::var(HASH_SEED_VARIABLE) {
        Ok(text) => text.trim().parse::<u64>().unwrap_or_else(|_| {
            panic!("vdict: {HASH_SEED_VARIABLE}={text:?} is not a decimal 64-bit seed")
        }),
        Err(_) => RandomState::new().hash_one(PER_HASHER_SEED),
    };
    SharedSeed::from_u64(seed)
}

/// The hasher a [`Dict`](crate::Dict) uses unless told otherwise: foldhash's fast hasher, with
/// one random seed per process.
///
/// Every `DefaultHashBuilder` in a process hashes alike, so a hash computed once (by
/// [`hash_key`], or any dict's [`hash_key`](crate::Dict::hash_key)) serves every dict built
/// with the default hasher: what an interpreter's interned names need. Across processes the
/// seed differs, so hashes (and hence the order of the index, never the order of iteration)
/// are not reproducible from run to run, and keys that collide cannot be precomputed; set
/// `VDICT_HASH_SEED` (see [`HASH_SEED_VARIABLE`]) to fix it for a reproducible run.
///
/// ```
/// use vdict::{hash_key, Dict};
///
/// let hash = hash_key("print"); // before any dict exists
/// let mut globals: Dict<&str, i32> = Dict::new();
/// let mut builtins: Dict<&str, i32> = Dict::new();
/// builtins.insert("print", 1);
/// assert_eq!(globals.hash_key("print"), hash);
/// assert_eq!(builtins.get_with_hash(hash, "print"), Some(&1));
/// assert_eq!(globals.get_with_hash(hash, "print"), None);
/// ```
#[derive(Clone)]
pub struct DefaultHashBuilder {
    /// The process's seed, fetched once per builder so that building a hasher (once per hash)
    /// is two register moves, with no test of whether the seed has been drawn yet.
    shared_seed: &'static SharedSeed,
}

impl DefaultHashBuilder {
    /// The process's hasher (every instance is the same).
    #[inline]
    pub fn new() -> DefaultHashBuilder {
        DefaultHashBuilder {
            shared_seed: PROCESS_SEED.get_or_init(draw_process_seed),
        }
    }
}

impl Default for DefaultHashBuilder {
    #[inline]
    fn default() -> DefaultHashBuilder {
        DefaultHashBuilder::new()
    }
}

impl BuildHasher for DefaultHashBuilder {
    type Hasher = FoldHasher<'static>;

    #[inline(always)]
    fn build_hasher(&self) -> FoldHasher<'static> {
        FoldHasher::with_seed(PER_HASHER_SEED, self.shared_seed)
    }
}

impl fmt::Debug for DefaultHashBuilder {
    /// Does not print the seed: it is the process's secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DefaultHashBuilder")
    }
}

/// The hash every dict built with the default hasher computes for `key`, in this process.
///
/// For interning: hash a name once, before or after any dict exists, and pass the hash to
/// [`get_with_hash`](crate::Dict::get_with_hash), the caches'
/// [`load_with_hash`](crate::cache::SlotCache::load_with_hash) and the other `_with_hash`
/// calls of every namespace. A `String` and the `&str` it holds hash alike, as `Borrow`
/// requires.
///
/// ```
/// let key = String::from("len");
/// assert_eq!(vdict::hash_key(&key), vdict::hash_key("len"));
/// ```
#[inline]
pub fn hash_key<Q: Hash + ?Sized>(key: &Q) -> u64 {
    DefaultHashBuilder::new().hash_one(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instance_hashes_alike_on_every_thread() {
        let here = DefaultHashBuilder::new().hash_one("answer");
        let there = std::thread::spawn(|| DefaultHashBuilder::default().hash_one("answer"))
            .join()
            .unwrap();
        assert_eq!(here, there);
        assert_eq!(hash_key("answer"), here);
    }

    #[test]
    fn the_seed_is_not_foldhashs_fixed_one() {
        // With the fixed seed every process would hash alike and collisions could be
        // precomputed. (Equal by chance with probability 2^-64.)
        let mut fixed = FoldHasher::with_seed(PER_HASHER_SEED, SharedSeed::global_fixed());
        "answer".hash(&mut fixed);
        assert_ne!(hash_key("answer"), std::hash::Hasher::finish(&fixed));
    }
}
