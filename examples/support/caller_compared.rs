//! The three ways the lookup examples call vdict's caller-compared lookups, written once: the
//! report's plain table (`report/plain.rs`) times them and `profile_plain.rs` counts their
//! instructions, so that a count and a timing are of the same code.

use crate::random_key::RandomKey;
use std::hash::BuildHasher;

/// `get_with`, the closure capturing the key sought by reference (`|stored| ... == key`: what
/// the compiler infers when nothing says `move`).
pub const BY_REFERENCE: u8 = 0;
/// `get_with`, the closure capturing the key sought by value (`move |stored| ...`; the key is
/// a reference either way).
pub const BY_VALUE: u8 = 1;
/// `get_with_identity`, asking [`RandomKey::is_same`] before the stored hash, as CPython's
/// `lookdict` tests `ep->me_key == key` first.
pub const IDENTITY_FIRST: u8 = 2;

/// The value of `key` in `dict`, looked up with the caller's hash and equality the way `FORM`
/// names. Inline always, so that each caller's code is what a user would write in its place.
#[inline(always)]
pub fn lookup<'d, K: RandomKey, S: BuildHasher, const FORM: u8>(
    dict: &'d vdict::Dict<K, u64, S>,
    key: &K,
) -> Option<&'d u64> {
    let hash = dict.hash_key(key);
    let found = match FORM {
        BY_REFERENCE => dict.get_with(hash, |stored| Ok::<_, ()>(stored == key)),
        BY_VALUE => dict.get_with(hash, move |stored| Ok::<_, ()>(stored == key)),
        _ => dict.get_with_identity(
            hash,
            move |stored| K::is_same(stored, key),
            move |stored| Ok::<_, ()>(stored == key),
        ),
    };
    found.ok().flatten().map(|(_, value)| value)
}
