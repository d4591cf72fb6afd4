//! Positions past the first hole: which slot holds the `n`th live entry, and the reverse.
//!
//! An entry's *position* (what indexmap calls its index) is its rank among the live entries;
//! its *slot* is where it sits in the entries array, holes included. Before the first hole the
//! two agree, and the table answers by itself. Past it, [`Ranks`] answers in O(log n): a bitmap
//! with one bit per slot (set for a live entry) and a Fenwick tree (a binary indexed tree)
//! counting the set bits of each 64-slot word. The rank of a slot is the tree's prefix sum of
//! the words before it plus a popcount within its word; the slot of a position is a descent of
//! the tree to the word holding it, then a select within that word. Marking a slot live or a
//! hole changes one bit and the O(log n) tree nodes that cover its word.
//!
//! The table builds a `Ranks` only when a positional question first needs one (so a dict that
//! is never asked for positions, or has no holes, pays nothing for it), keeps it up to date on
//! every change of a slot's state from then on, and drops it when a squeeze removes the holes.
//! Its memory: two words per 64 slots, a quarter of a byte per entry.

use super::entries::EntrySlot;

/// The live slots of an entries array, as a bitmap and a Fenwick tree over its words. Bits at
/// or past the entries array's length are 0.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ranks {
    /// Bit `s % 64` of word `s / 64` is set when slot `s` holds a live entry.
    live: Vec<u64>,
    /// The Fenwick tree over the words' popcounts, 1-based: `tree[i]` counts the live slots of
    /// words `i - lowbit(i) .. i` (0-based, end excluded). `tree[0]` is unused; `tree.len() ==
    /// live.len() + 1`.
    tree: Vec<usize>,
}

const WORD_BITS: usize = 64;

/// The lowest set bit of `i` (Fenwick's step).
#[inline(always)]
fn lowbit(i: usize) -> usize {
    i & i.wrapping_neg()
}

impl Ranks {
    /// The ranks of `entries` as they stand: O(slots).
    pub(crate) fn build<K, V>(entries: &[EntrySlot<K, V>]) -> Ranks {
        let words = entries.len().div_ceil(WORD_BITS);
        let mut live = vec![0u64; words];
        for (slot, entry) in entries.iter().enumerate() {
            if entry.is_some() {
                live[slot / WORD_BITS] |= 1 << (slot % WORD_BITS);
            }
        }
        // The linear-time Fenwick build: each node passes its total up to its parent.
        let mut tree = vec![0usize; words + 1];
        for i in 1..=words {
            tree[i] += live[i - 1].count_ones() as usize;
            let parent = i + lowbit(i);
            if parent <= words {
                tree[parent] += tree[i];
            }
        }
        Ranks { live, tree }
    }

    /// Live slots in words `0..words`.
    #[inline]
    fn live_in_words(&self, words: usize) -> usize {
        let mut i = words;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i &= i - 1;
        }
        sum
    }

    /// Adds `delta` (±1) to word `word`'s count.
    fn add(&mut self, word: usize, delta: isize) {
        let mut i = word + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].wrapping_add_signed(delta);
            i += lowbit(i);
        }
    }

    /// Appends an empty word; its tree node covers words the tree already counts.
    fn push_word(&mut self) {
        self.live.push(0);
        let i = self.live.len();
        let covered = self.live_in_words(i - 1) - self.live_in_words(i - lowbit(i));
        self.tree.push(covered);
    }

    /// Slot `slot`, a hole or past the end until now, holds a live entry.
    pub(crate) fn mark_live(&mut self, slot: usize) {
        let word = slot / WORD_BITS;
        while word >= self.live.len() {
            self.push_word();
        }
        let bit = 1u64 << (slot % WORD_BITS);
        debug_assert!(self.live[word] & bit == 0, "slot {slot} was already live");
        self.live[word] |= bit;
        self.add(word, 1);
    }

    /// Slot `slot`, live until now, is a hole (or gone off the end).
    pub(crate) fn mark_hole(&mut self, slot: usize) {
        let word = slot / WORD_BITS;
        let bit = 1u64 << (slot % WORD_BITS);
        debug_assert!(
            self.live.get(word).is_some_and(|w| w & bit != 0),
            "slot {slot} was not live"
        );
        self.live[word] &= !bit;
        self.add(word, -1);
    }

    /// Live slots before `slot`: the position of the entry in `slot`, if it is live.
    pub(crate) fn rank(&self, slot: usize) -> usize {
        let word = slot / WORD_BITS;
        if word >= self.live.len() {
            return self.live_in_words(self.live.len());
        }
        let below = (1u64 << (slot % WORD_BITS)) - 1;
        self.live_in_words(word) + (self.live[word] & below).count_ones() as usize
    }

    /// The slot of the live entry at `position`, which must be below the number of live
    /// entries.
    pub(crate) fn select(&self, position: usize) -> usize {
        let words = self.live.len();
        // Descend the tree to the last word count `w` with live_in_words(w) <= position: word
        // `w` then holds the entry.
        let mut word = 0;
        let mut remaining = position;
        let mut step = if words == 0 {
            0
        } else {
            1 << (usize::BITS - 1 - words.leading_zeros())
        };
        while step > 0 {
            let next = word + step;
            if next <= words && self.tree[next] <= remaining {
                word = next;
                remaining -= self.tree[next];
            }
            step >>= 1;
        }
        debug_assert!(word < words, "position {position} is past the live entries");
        word * WORD_BITS + select_in_word(self.live[word], remaining as u32) as usize
    }
}

impl Ranks {
    /// Checks that these ranks describe `entries`: every live slot's bit set and every other
    /// bit clear, and the tree's counts and answers those of a scan.
    pub(crate) fn audit<K, V>(&self, entries: &[EntrySlot<K, V>]) -> Result<(), String> {
        let fresh = Ranks::build(entries);
        let words = fresh.live.len();
        if self.live.len() < words || self.live[..words] != fresh.live[..] {
            return Err("the rank bitmap disagrees with the entries".to_string());
        }
        if self.live[words..].iter().any(|&word| word != 0) {
            return Err("the rank bitmap has a live bit past the entries".to_string());
        }
        let mut position = 0;
        for (slot, entry) in entries.iter().enumerate() {
            if entry.is_some() {
                if self.rank(slot) != position || self.select(position) != slot {
                    return Err(format!(
                        "ranks: slot {slot} should be at position {position}, the tree says \
                         rank {} and select {}",
                        self.rank(slot),
                        self.select(position)
                    ));
                }
                position += 1;
            }
        }
        Ok(())
    }
}

/// The bit index of the `rank`th (from 0) set bit of `word`, which has more than `rank`.
fn select_in_word(mut word: u64, mut rank: u32) -> u32 {
    let mut base = 0;
    for half in [32u32, 16, 8] {
        let low_mask = (1u64 << half) - 1;
        let low = (word & low_mask).count_ones();
        if rank >= low {
            rank -= low;
            word >>= half;
            base += half;
        } else {
            word &= low_mask;
        }
    }
    for _ in 0..rank {
        word &= word - 1;
    }
    base + word.trailing_zeros()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots with `live[s]`, as an entries array.
    fn entries(live: &[bool]) -> Vec<EntrySlot<u8, u8>> {
        live.iter()
            .map(|&l| {
                l.then(|| super::super::entries::Bucket {
                    value: 0,
                    key: 0,
                    hash: super::super::entries::StoredHash::new(1),
                })
            })
            .collect()
    }

    fn check(ranks: &Ranks, live: &[bool]) {
        let live_slots: Vec<usize> = (0..live.len()).filter(|&s| live[s]).collect();
        for (position, &slot) in live_slots.iter().enumerate() {
            assert_eq!(ranks.select(position), slot, "select({position})");
            assert_eq!(ranks.rank(slot), position, "rank({slot})");
        }
        assert_eq!(ranks.rank(live.len()), live_slots.len());
    }

    #[test]
    fn select_in_word_finds_every_bit() {
        for word in [1u64, u64::MAX, 0x8000_0000_0000_0001, 0xF0F0_1234_0000_FF00] {
            let bits: Vec<u32> = (0..64).filter(|b| word >> b & 1 == 1).collect();
            for (rank, &bit) in bits.iter().enumerate() {
                assert_eq!(select_in_word(word, rank as u32), bit);
            }
        }
    }

    #[test]
    fn built_and_updated_ranks_agree_with_a_scan() {
        // A pseudo-random pattern over several words, changed slot by slot.
        let mut live: Vec<bool> = (0..1000u32)
            .map(|i| i.wrapping_mul(2654435761) % 7 != 0)
            .collect();
        let mut ranks = Ranks::build(&entries(&live));
        check(&ranks, &live);
        for slot in (0..1000).step_by(13) {
            if live[slot] {
                ranks.mark_hole(slot);
            } else {
                ranks.mark_live(slot);
            }
            live[slot] = !live[slot];
        }
        check(&ranks, &live);
        // Appends past the end grow the tree a word at a time.
        for slot in 1000..1300 {
            ranks.mark_live(slot);
            live.push(true);
        }
        check(&ranks, &live);
        assert_eq!(ranks.tree.len(), ranks.live.len() + 1);
        let rebuilt = Ranks::build(&entries(&live));
        assert_eq!(rebuilt.tree, ranks.tree);
    }
}
