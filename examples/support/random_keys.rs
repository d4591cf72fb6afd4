//! The random `u64` keys of the counting examples (`profile_plain.rs`, `call_cost.rs`,
//! `profile_api.rs`): a 64-bit xorshift generator from one fixed seed, so that every run and
//! every map sees the same keys.

/// `size` keys to insert, then `size` more from the generator's next outputs, to look up as
/// misses (a repeat among 2 × `size` 64-bit outputs is as good as impossible).
pub fn keys_and_misses(size: usize) -> (Vec<u64>, Vec<u64>) {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let keys = (0..size).map(|_| next()).collect();
    let misses = (0..size).map(|_| next()).collect();
    (keys, misses)
}
