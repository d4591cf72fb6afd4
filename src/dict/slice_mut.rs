//! [`SliceMut`]: a view of the entries at a range of positions whose values may be written,
//! the closest vdict has to indexmap's `&mut Slice<K, V>`.
//!
//! It holds the part of the entries array its positions cover (so two halves of a split hold
//! disjoint parts, as two `&mut [T]` do) and what translates a position to a slot (the rank
//! structure, read only). It moves no entry, so keys and slots stay put: making one bumps the
//! dict's version (it lends `&mut V`), never its keys version.

use super::entries::EntrySlot;
use super::iter::{Iter, IterMut, Keys, Values, ValuesMut};
use super::positions::{buckets_at_mut, disjoint_slots, try_resolve_range};
use super::table::SlotsOf;
use super::Dict;
use super::GetDisjointMutError;
use std::fmt;
use std::ops::{Index, IndexMut, RangeBounds};

/// The entries at a range of positions of a [`Dict`], values mutable: [`Dict::as_mut_slice`],
/// [`Dict::get_range_mut`]. Its positions count from the start of the range.
///
/// ```
/// let mut d = vdict::Dict::from([("a", 1), ("b", 2), ("c", 3), ("d", 4)]);
/// d.remove("b");
/// let mut tail = d.get_range_mut(1..).unwrap();
/// for (_, value) in tail.iter_mut() {
///     *value *= 10;
/// }
/// let (mut first, _) = tail.split_at_mut(1);
/// *first.get_index_mut(0).unwrap().1 += 1;
/// assert_eq!(d.values().copied().collect::<Vec<_>>(), [1, 31, 40]);
/// ```
pub struct SliceMut<'a, K, V> {
    /// The slots from the one of the first position to the one of the last.
    slots: &'a mut [EntrySlot<K, V>],
    /// The slot `slots[0]` is.
    base_slot: usize,
    slots_of: SlotsOf<'a>,
    start: usize,
    len: usize,
}

impl<K, V, S> Dict<K, V, S> {
    /// All the entries, values mutable, as a [`SliceMut`] (indexmap's `as_mut_slice`). Bumps
    /// the version of a non-empty dict.
    pub fn as_mut_slice(&mut self) -> SliceMut<'_, K, V> {
        let len = self.len();
        if len > 0 {
            self.tags.values_changed();
        }
        let (entries, slots_of) = self.table.entries_with_positions();
        SliceMut::new(entries, slots_of, 0, len)
    }

    /// The entries at the positions in `range`, values mutable, or `None` if the range is out
    /// of bounds or backwards (indexmap's `get_range_mut`). Bumps the version if the range is
    /// not empty.
    pub fn get_range_mut<R: RangeBounds<usize>>(&mut self, range: R) -> Option<SliceMut<'_, K, V>> {
        let (start, end) = try_resolve_range(range, self.len())?;
        if start < end {
            self.tags.values_changed();
        }
        let (entries, slots_of) = self.table.entries_with_positions();
        Some(SliceMut::new(entries, slots_of, start, end - start))
    }
}

/// One entry, its value mutable, and a view of the others: what `split_first_mut` and
/// `split_last_mut` hand out.
pub type EntryAndRest<'s, K, V> = ((&'s K, &'s mut V), SliceMut<'s, K, V>);

impl<'a, K, V> SliceMut<'a, K, V> {
    /// The view of positions `start..start + len`, given the whole entries array.
    fn new(
        entries: &'a mut [EntrySlot<K, V>],
        slots_of: SlotsOf<'a>,
        start: usize,
        len: usize,
    ) -> Self {
        let (base_slot, end_slot) = if len == 0 {
            (0, 0)
        } else {
            (slots_of.slot(start), slots_of.slot(start + len - 1) + 1)
        };
        SliceMut {
            slots: &mut entries[base_slot..end_slot],
            base_slot,
            slots_of,
            start,
            len,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slots the view covers (holes among them), mutable.
    #[cfg(feature = "rayon")]
    pub(crate) fn slots_mut(&mut self) -> &mut [EntrySlot<K, V>] {
        self.slots
    }

    /// The slots the view covers, for as long as the view's borrow lasts.
    #[cfg(feature = "rayon")]
    pub(crate) fn into_slots(self) -> &'a mut [EntrySlot<K, V>] {
        self.slots
    }

    /// Where in `slots` the entry at `position` (from the start of the view) is.
    fn local_slot(&self, position: usize) -> Option<usize> {
        (position < self.len).then(|| self.slots_of.slot(self.start + position) - self.base_slot)
    }

    /// The entry at `position`.
    pub fn get_index(&self, position: usize) -> Option<(&K, &V)> {
        let bucket = self.slots[self.local_slot(position)?].as_ref()?;
        Some((&bucket.key, &bucket.value))
    }

    /// The entry at `position`, its value mutable.
    pub fn get_index_mut(&mut self, position: usize) -> Option<(&K, &mut V)> {
        let slot = self.local_slot(position)?;
        let bucket = self.slots[slot].as_mut()?;
        Some((&bucket.key, &mut bucket.value))
    }

    /// Several entries at once, values mutable, by position in the view (indexmap's
    /// `Slice::get_disjoint_mut`): an error if a position is out of bounds or given twice.
    ///
    /// ```
    /// let mut d = vdict::Dict::from([("a", 1), ("b", 2), ("c", 3), ("d", 4)]);
    /// d.remove("b");
    /// let mut tail = d.get_range_mut(1..).unwrap();
    /// let [(kd, d_value), (kc, c_value)] = tail.get_disjoint_mut([1, 0]).unwrap();
    /// assert_eq!((*kc, *kd), ("c", "d"));
    /// std::mem::swap(c_value, d_value);
    /// assert!(tail.get_disjoint_mut([0, 0]).is_err());
    /// assert!(tail.get_disjoint_mut([2]).is_err());
    /// assert_eq!(d["c"], 4);
    /// ```
    pub fn get_disjoint_mut<const N: usize>(
        &mut self,
        positions: [usize; N],
    ) -> Result<[(&K, &mut V); N], GetDisjointMutError> {
        let slots = disjoint_slots(positions, |position| self.local_slot(position))?;
        let buckets = buckets_at_mut(self.slots, slots.map(Some));
        Ok(buckets.map(|bucket| {
            let bucket = bucket.expect("every slot was given");
            (&bucket.key, &mut bucket.value)
        }))
    }

    /// The first entry.
    pub fn first(&self) -> Option<(&K, &V)> {
        self.get_index(0)
    }

    /// The first entry, its value mutable.
    pub fn first_mut(&mut self) -> Option<(&K, &mut V)> {
        self.get_index_mut(0)
    }

    /// The last entry.
    pub fn last(&self) -> Option<(&K, &V)> {
        self.get_index(self.len.checked_sub(1)?)
    }

    /// The last entry, its value mutable.
    pub fn last_mut(&mut self) -> Option<(&K, &mut V)> {
        self.get_index_mut(self.len.checked_sub(1)?)
    }

    /// How many of the view's first slots are surely live (for the iterators).
    fn live_front(&self) -> usize {
        self.slots_of
            .live_prefix()
            .min(self.base_slot + self.slots.len())
            .saturating_sub(self.base_slot)
    }

    /// The entries in order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter::new(self.slots.iter(), self.len, self.live_front())
    }

    /// The entries in order, values mutable.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        let live_front = self.live_front();
        IterMut::new(self.slots.iter_mut(), self.len, live_front)
    }

    /// The keys in order.
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys::new(self.iter())
    }

    /// The values in order.
    pub fn values(&self) -> Values<'_, K, V> {
        Values::new(self.iter())
    }

    /// The values in order, mutable.
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut::new(self.iter_mut())
    }

    /// The entries at the positions in `range` of this view, or `None` if it is out of
    /// bounds or backwards.
    pub fn get_range_mut<R: RangeBounds<usize>>(&mut self, range: R) -> Option<SliceMut<'_, K, V>> {
        let (start, end) = try_resolve_range(range, self.len)?;
        Some(self.sub_view(start, end))
    }

    /// Positions `start..end` of this view (in bounds), as a view of their own.
    fn sub_view(&mut self, start: usize, end: usize) -> SliceMut<'_, K, V> {
        let (base, slots_of) = (self.base_slot, self.slots_of);
        let (from, to) = if start == end {
            (0, 0)
        } else {
            (
                slots_of.slot(self.start + start) - base,
                slots_of.slot(self.start + end - 1) - base + 1,
            )
        };
        SliceMut {
            slots: &mut self.slots[from..to],
            base_slot: base + from,
            slots_of,
            start: self.start + start,
            len: end - start,
        }
    }

    /// The view cut in two at `mid`, both mutable. Panics if `mid > len`.
    pub fn split_at_mut(&mut self, mid: usize) -> (SliceMut<'_, K, V>, SliceMut<'_, K, V>) {
        let len = self.len;
        self.split_at_mut_checked(mid).unwrap_or_else(|| {
            panic!("vdict: SliceMut::split_at_mut: index out of bounds: the len is {len} but the index is {mid}")
        })
    }

    /// The view cut in two at `mid`, or `None` if `mid > len`.
    pub fn split_at_mut_checked(
        &mut self,
        mid: usize,
    ) -> Option<(SliceMut<'_, K, V>, SliceMut<'_, K, V>)> {
        if mid > self.len {
            return None;
        }
        let (base, slots_of, start, len) = (self.base_slot, self.slots_of, self.start, self.len);
        // The cut goes just before the slot of position `mid` (or at the end).
        let cut = if mid == len {
            self.slots.len()
        } else {
            slots_of.slot(start + mid) - base
        };
        let (head, tail) = self.slots.split_at_mut(cut);
        let head_view = SliceMut {
            slots: head,
            base_slot: base,
            slots_of,
            start,
            len: mid,
        };
        let tail_view = SliceMut {
            slots: tail,
            base_slot: base + cut,
            slots_of,
            start: start + mid,
            len: len - mid,
        };
        Some((head_view, tail_view))
    }

    /// The first entry, its value mutable, and the rest.
    pub fn split_first_mut(&mut self) -> Option<EntryAndRest<'_, K, V>> {
        let at = self.local_slot(0)?;
        let (base, slots_of, start, len) = (self.base_slot, self.slots_of, self.start, self.len);
        let (through_first, after) = self.slots.split_at_mut(at + 1);
        let bucket = through_first[at].as_mut()?;
        let rest = SliceMut {
            slots: after,
            base_slot: base + at + 1,
            slots_of,
            start: start + 1,
            len: len - 1,
        };
        Some(((&bucket.key, &mut bucket.value), rest))
    }

    /// The last entry, its value mutable, and the rest.
    pub fn split_last_mut(&mut self) -> Option<EntryAndRest<'_, K, V>> {
        let at = self.local_slot(self.len.checked_sub(1)?)?;
        let (base, slots_of, start, len) = (self.base_slot, self.slots_of, self.start, self.len);
        let (before, from_last) = self.slots.split_at_mut(at);
        let bucket = from_last[0].as_mut()?;
        let rest = SliceMut {
            slots: before,
            base_slot: base,
            slots_of,
            start,
            len: len - 1,
        };
        Some(((&bucket.key, &mut bucket.value), rest))
    }
}

impl<K, V> Index<usize> for SliceMut<'_, K, V> {
    type Output = V;

    /// The value at `position`. Panics if it is out of bounds.
    fn index(&self, position: usize) -> &V {
        let len = self.len;
        self.get_index(position)
            .unwrap_or_else(|| panic!("vdict: SliceMut[position]: index out of bounds: the len is {len} but the index is {position}"))
            .1
    }
}

impl<K, V> IndexMut<usize> for SliceMut<'_, K, V> {
    /// The value at `position`, mutable. Panics if it is out of bounds.
    fn index_mut(&mut self, position: usize) -> &mut V {
        let len = self.len;
        self.get_index_mut(position)
            .unwrap_or_else(|| panic!("vdict: SliceMut[position]: index out of bounds: the len is {len} but the index is {position}"))
            .1
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SliceMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// `PartialEq` of a view with a slice or array of pairs, in order.
macro_rules! eq_with_pairs {
    ($($other:ty $(, const $n:ident)?);* $(;)?) => {$(
        impl<K1, V1, K2, V2 $(, const $n: usize)?> PartialEq<$other> for SliceMut<'_, K1, V1>
        where
            K1: PartialEq<K2>,
            V1: PartialEq<V2>,
        {
            fn eq(&self, other: &$other) -> bool {
                let other: &[(K2, V2)] = &other[..];
                self.len == other.len()
                    && self
                        .iter()
                        .zip(other)
                        .all(|((k1, v1), (k2, v2))| *k1 == *k2 && *v1 == *v2)
            }
        }
    )*};
}

eq_with_pairs! {
    [(K2, V2)];
    [(K2, V2); N], const N;
    &[(K2, V2); N], const N;
    &mut [(K2, V2); N], const N;
}
