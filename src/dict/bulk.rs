//! Edits of a range of positions that hand out what they remove, lazily: [`ExtractIf`]
//! (remove the entries a predicate picks) and [`Splice`] (replace a range with new entries).
//!
//! `extract_if` is where O(1) removal pays: each entry it takes becomes a hole where it
//! stood (no shifting), so taking k entries of n costs O(n) for the walk and O(1) per entry;
//! the holes are squeezed out, if there are enough of them, when the iterator is dropped.
//! Slots do not move while it runs, so it walks them directly.

use super::entries::Bucket;
use super::positions::resolve_range;
use super::table::Table;
use super::{Dict, Tags};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::iter::FusedIterator;
use std::ops::RangeBounds;

/// The entries of a range that a predicate picks, removed as they are handed out:
/// [`Dict::extract_if`].
pub struct ExtractIf<'a, K, V, F> {
    table: &'a mut Table<K, V>,
    tags: &'a mut Tags,
    /// The next slot to look at, and the end of the range in slots.
    next_slot: usize,
    end_slot: usize,
    predicate: F,
    /// Whether it has removed anything (only then may dropping it move slots).
    removed_any: bool,
}

impl<K, V, S> Dict<K, V, S> {
    /// Removes, in order, the entries at positions in `range` for which `predicate` returns
    /// true, handing each out as the iterator reaches it (indexmap's `extract_if`). Entries
    /// the iterator does not reach (it is dropped early) stay. Each removal is O(1) and keeps
    /// the order of the rest.
    ///
    /// `predicate` gets `&mut V`, so a non-empty range bumps the version; each removal bumps
    /// both tags. Panics if the range is out of bounds.
    ///
    /// ```
    /// let mut d: vdict::Dict<i32, i32> = (0..8).map(|x| (x, x)).collect();
    /// let evens: Vec<_> = d.extract_if(.., |k, _| k % 2 == 0).map(|(k, _)| k).collect();
    /// assert_eq!(evens, [0, 2, 4, 6]);
    /// assert_eq!(d.keys().copied().collect::<Vec<_>>(), [1, 3, 5, 7]);
    /// ```
    pub fn extract_if<F, R>(&mut self, range: R, predicate: F) -> ExtractIf<'_, K, V, F>
    where
        F: FnMut(&K, &mut V) -> bool,
        R: RangeBounds<usize>,
    {
        let (start, end) = resolve_range(range, self.len());
        let slot_of = |table: &Table<K, V>, position| {
            table
                .slot_of_position(position)
                .unwrap_or(table.entries().len())
        };
        let next_slot = slot_of(&self.table, start);
        let end_slot = slot_of(&self.table, end);
        if start < end {
            self.tags.values_changed();
        }
        ExtractIf {
            table: &mut self.table,
            tags: &mut self.tags,
            next_slot,
            end_slot,
            predicate,
            removed_any: false,
        }
    }
}

impl<K, V, F> Iterator for ExtractIf<'_, K, V, F>
where
    F: FnMut(&K, &mut V) -> bool,
{
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        // Removing the last entry trims the array, so the range's end is clamped each time.
        while self.next_slot < self.end_slot.min(self.table.entries().len()) {
            let slot = self.next_slot;
            self.next_slot += 1;
            let Some(Bucket { key, value, .. }) = self.table.entries_mut()[slot].as_mut() else {
                continue;
            };
            if (self.predicate)(key, value) {
                let bucket = self.table.take_slot(slot);
                self.tags.keys_changed();
                self.removed_any = true;
                return Some((bucket.key, bucket.value));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.end_slot.saturating_sub(self.next_slot)))
    }
}

impl<K, V, F> FusedIterator for ExtractIf<'_, K, V, F> where F: FnMut(&K, &mut V) -> bool {}

impl<K, V, F> Drop for ExtractIf<'_, K, V, F> {
    /// Compacts as a removal does (slides the gap, or squeezes out the holes if there are
    /// now too many), if it removed anything: an extraction that took nothing changes nothing.
    fn drop(&mut self) {
        if self.removed_any && self.table.compact_if_sparse() {
            self.tags.layout_changed();
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, F> fmt::Debug for ExtractIf<'_, K, V, F> {
    /// The entries of the range not looked at yet (some of which the predicate may keep).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = self.end_slot.min(self.table.entries().len());
        let rest = self.table.entries()[self.next_slot.min(end)..end].iter();
        f.debug_list()
            .entries(rest.flatten().map(|bucket| (&bucket.key, &bucket.value)))
            .finish()
    }
}

/// The entries a [`Dict::splice`] removed, handed out in order; dropping it puts the
/// replacements in.
pub struct Splice<'a, I, K, V, S>
where
    I: Iterator<Item = (K, V)>,
    K: Hash + Eq,
    S: BuildHasher,
{
    dict: &'a mut Dict<K, V, S>,
    position: usize,
    removed: std::vec::IntoIter<(K, V)>,
    replace_with: I,
}

impl<K: Hash + Eq, V, S: BuildHasher> Dict<K, V, S> {
    /// Replaces the entries at positions in `range` with those of `replace_with`, handing
    /// out the removed ones (indexmap's `splice`). The range is removed at once; the
    /// replacements go in when the returned iterator is dropped: a key already in the dict
    /// (outside the range) gets the new value where it stands, any other goes into the
    /// range's place, in order. O(n). Bumps both tags (if anything changed).
    ///
    /// If `replace_with` panics, the dict is consistent, holding the replacements inserted so
    /// far at its end. Panics if the range is out of bounds.
    ///
    /// ```
    /// let mut d = vdict::Dict::from([(0, '_'), (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')]);
    /// let new = [(5, 'E'), (4, 'D'), (3, 'C'), (2, 'B'), (1, 'A')];
    /// let removed: Vec<_> = d.splice(2..4, new).collect();
    /// assert_eq!(removed, [(2, 'b'), (3, 'c')]);
    /// assert!(d.into_iter().eq([(0, '_'), (1, 'A'), (5, 'E'), (3, 'C'), (2, 'B'), (4, 'D')]));
    /// ```
    pub fn splice<R, I>(&mut self, range: R, replace_with: I) -> Splice<'_, I::IntoIter, K, V, S>
    where
        R: RangeBounds<usize>,
        I: IntoIterator<Item = (K, V)>,
    {
        let (position, end) = resolve_range(range, self.len());
        let removed: Vec<(K, V)> = self.drain(position..end).collect();
        Splice {
            dict: self,
            position,
            removed: removed.into_iter(),
            replace_with: replace_with.into_iter(),
        }
    }
}

impl<I, K, V, S> Iterator for Splice<'_, I, K, V, S>
where
    I: Iterator<Item = (K, V)>,
    K: Hash + Eq,
    S: BuildHasher,
{
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        self.removed.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.removed.size_hint()
    }
}

impl<I, K, V, S> DoubleEndedIterator for Splice<'_, I, K, V, S>
where
    I: Iterator<Item = (K, V)>,
    K: Hash + Eq,
    S: BuildHasher,
{
    fn next_back(&mut self) -> Option<(K, V)> {
        self.removed.next_back()
    }
}

impl<I, K, V, S> ExactSizeIterator for Splice<'_, I, K, V, S>
where
    I: Iterator<Item = (K, V)>,
    K: Hash + Eq,
    S: BuildHasher,
{
}

impl<I, K, V, S> FusedIterator for Splice<'_, I, K, V, S>
where
    I: Iterator<Item = (K, V)>,
    K: Hash + Eq,
    S: BuildHasher,
{
}

impl<I, K, V, S> Drop for Splice<'_, I, K, V, S>
where
    I: Iterator<Item = (K, V)>,
    K: Hash + Eq,
    S: BuildHasher,
{
    /// Inserts the replacements: each new key is appended, then the new ones are rotated
    /// from the end into the range's place in one O(n) move.
    fn drop(&mut self) {
        let before = self.dict.len();
        for (key, value) in &mut self.replace_with {
            self.dict.insert(key, value);
        }
        let added = self.dict.len() - before;
        let position = self.position;
        if added > 0 && position < before {
            self.dict
                .table
                .rearrange(|entries| entries[position..].rotate_right(added));
            self.dict.tags.keys_changed();
        }
    }
}

impl<I, K, V, S> fmt::Debug for Splice<'_, I, K, V, S>
where
    I: Iterator<Item = (K, V)> + fmt::Debug,
    K: Hash + Eq + fmt::Debug,
    V: fmt::Debug,
    S: BuildHasher,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Splice")
            .field("removed", &self.removed.as_slice())
            .field("replace_with", &self.replace_with)
            .finish()
    }
}
