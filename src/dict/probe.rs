//! The probe sequence: which index cells a hash visits, in order (CPython's recurrence).
//!
//! The first cell is `hash & mask`. After it, each step mixes in five more high bits of the
//! hash and moves with the linear congruential recurrence
//!
//! ```text
//!     perturb >>= 5;
//!     cell = (cell * 5 + perturb + 1) & mask;
//! ```
//!
//! While `perturb` is non-zero, the high bits of the hash steer the walk, so keys that share
//! their low bits part ways after a step or two. Once `perturb` reaches zero the recurrence is
//! `cell = (5 * cell + 1) mod 2^k`, which by the Hull–Dobell theorem (increment 1 is odd, and
//! 5 - 1 = 4 is divisible by 4) visits every one of the 2^k cells before repeating. So a walk
//! always reaches an EMPTY cell as long as one exists, and the table keeps one (the usable
//! fraction is 2/3): a lookup of a missing key always ends.

/// How many bits of the hash each step mixes in (CPython's `PERTURB_SHIFT`).
pub(crate) const PERTURB_SHIFT: u32 = 5;

/// An endless walk over the cells of a table of `mask + 1` cells (a power of two).
#[derive(Clone, Debug)]
pub(crate) struct ProbeSeq {
    cell: u64,
    perturb: u64,
    mask: u64,
}

impl ProbeSeq {
    /// Starts the walk for `hash` in a table whose cell count is `mask + 1`.
    #[inline]
    pub(crate) fn new(hash: u64, mask: usize) -> ProbeSeq {
        let mask = mask as u64;
        ProbeSeq {
            cell: hash & mask,
            perturb: hash,
            mask,
        }
    }

    /// The cell the walk is on.
    #[inline]
    pub(crate) fn cell(&self) -> usize {
        self.cell as usize
    }

    /// Steps to the next cell.
    #[inline]
    pub(crate) fn advance(&mut self) {
        self.perturb >>= PERTURB_SHIFT;
        self.cell = (self.cell.wrapping_mul(5))
            .wrapping_add(self.perturb)
            .wrapping_add(1)
            & self.mask;
    }
}

/// The cells a lookup of `hash` visits in a table of `cells` cells (a power of two), in
/// order: CPython's probe sequence, endless (it cycles once the hash's bits are spent).
/// For teaching and tests; see INTERNALS.md.
///
/// ```
/// // hash 0x12 in 8 cells: cell 0x12 & 7 = 2, then (2*5 + (0x12 >> 5) + 1) & 7 = 3, ...
/// let cells: Vec<usize> = vdict::dict::probe_sequence(0x12, 8).take(3).collect();
/// assert_eq!(cells, [2, 3, 0]);
/// ```
pub fn probe_sequence(hash: u64, cells: usize) -> impl Iterator<Item = usize> {
    assert!(
        cells.is_power_of_two(),
        "a table has a power-of-two number of cells, not {cells}"
    );
    let mut probe = ProbeSeq::new(hash, cells - 1);
    std::iter::from_fn(move || {
        let cell = probe.cell();
        probe.advance();
        Some(cell)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_cell_is_the_low_bits_and_steps_follow_cpython() {
        // Worked by hand from CPython's recurrence, table of 8 cells.
        let hash = 0b1011_0110_1101u64;
        let mut probe = ProbeSeq::new(hash, 7);
        assert_eq!(probe.cell(), (hash & 7) as usize);
        let mut perturb = hash;
        let mut cell = hash & 7;
        for _ in 0..20 {
            probe.advance();
            perturb >>= 5;
            cell = (cell * 5 + perturb + 1) & 7;
            assert_eq!(probe.cell(), cell as usize);
        }
    }

    #[test]
    fn every_cell_is_visited_for_every_start() {
        for log2_size in 3..12 {
            let size = 1usize << log2_size;
            for hash in [0u64, 1, 7, 12345, u64::MAX, 0xdead_beef_cafe_f00d] {
                let mut seen = vec![false; size];
                let mut probe = ProbeSeq::new(hash, size - 1);
                // The high bits are spent after at most 13 steps; then a full cycle follows.
                for _ in 0..(size + 64) {
                    seen[probe.cell()] = true;
                    probe.advance();
                }
                assert!(seen.iter().all(|&s| s), "size {size}, hash {hash:#x}");
            }
        }
    }
}
