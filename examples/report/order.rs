//! The order in which a round times its maps: a new shuffle every round.
//!
//! Why not a fixed order: what a map's sample measures can depend on what ran just before it
//! (the allocator's free lists, the caches), and with a fixed order every round gives each map
//! the same predecessor, so that dependence is the same in every sample and the median keeps
//! it. A shuffle per round gives each map a mix of predecessors.
//!
//! What it changed, measured on one binary that could run either way (an environment switch
//! added for the test only; three alternating runs of each, `--only dict` and `--only plain`,
//! 2026-12-07): 6 of the dict table's 452 ratios moved by more than 5% beyond both ranges,
//! four of them `String` rows whose work allocates (vdict / std, reserved insert at 1,000 keys:
//! 1.00-1.03 fixed, 0.73-0.75 shuffled; vdict / indexmap, overwrite at 100,000: 1.09-1.31,
//! 0.71-0.95), and none of the plain table's 96. It did not narrow the spread from run to run
//! (the ratio of a row's highest to lowest reading, geometric mean over the rows: 1.084 fixed,
//! 1.093 shuffled); the machine and where the compiler places each map's loop decide that.
//! (An earlier try of rotating the order compared two builds, so its differences were partly
//! where their loops landed: the same rows on one binary did not move.)
//!
//! The shuffles come from a fixed seed: the same rounds see the same orders from one run to
//! the next, so two runs differ only by the machine.

/// The orders of successive rounds over `n` maps.
pub struct RoundOrder {
    state: u64,
    order: Vec<usize>,
}

impl RoundOrder {
    /// Orders over `n` maps, the first round's drawn from `seed` (any value; 0 is replaced).
    pub fn new(n: usize, seed: u64) -> RoundOrder {
        RoundOrder {
            state: seed.max(1),
            order: (0..n).collect(),
        }
    }

    /// The next round's order: a permutation of `0..n`, each one equally likely (a
    /// Fisher-Yates shuffle of the last round's).
    pub fn next_round(&mut self) -> &[usize] {
        for i in (1..self.order.len()).rev() {
            let j = (self.next_random() % (i as u64 + 1)) as usize;
            self.order.swap(i, j);
        }
        &self.order
    }

    /// xorshift64*: plenty for choosing among a handful of maps.
    fn next_random(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
