//! [`Slice`]: a read-only view of the entries at a range of positions, the closest vdict has
//! to indexmap's `&Slice<K, V>`.
//!
//! indexmap's slice is a `&[Bucket]`: its entries are contiguous. vdict's are not once a hole
//! lies among them, so its slice is a small value instead (the table, the first position and
//! the length), `Copy`, which answers the same questions: `len`, `get_index`, `first`,
//! `get_range`, `split_at`, iteration, binary search, comparison. Positions inside it are
//! translated as the dict's are (O(1) before the first hole, O(log n) past it), and iterating
//! it walks just its range of slots. What it cannot be: a `&Slice` (so there is no
//! `Index<Range>`, use [`Slice::get_range`]), a `&mut Slice`, or a `Box<Slice>`.

use super::entries::{Bucket, EntrySlot};
use super::iter::{Iter, Keys, Values};
use super::positions::try_resolve_range;
use super::table::Table;
use super::Dict;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Index, RangeBounds};

/// The entries at a range of positions of a [`Dict`], in order: [`Dict::as_slice`],
/// [`Dict::get_range`]. Its positions count from the start of the range.
///
/// ```
/// let mut d = vdict::Dict::from([(1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')]);
/// d.remove(&2); // a hole: the slice still reads positions
/// let middle = d.get_range(1..3).unwrap();
/// assert_eq!(middle, [(3, 'c'), (4, 'd')]);
/// assert_eq!(middle.get_index(1), Some((&4, &'d')));
/// assert_eq!(d.as_slice().split_first().unwrap().0, (&1, &'a'));
/// ```
pub struct Slice<'a, K, V> {
    table: &'a Table<K, V>,
    start: usize,
    len: usize,
}

impl<K, V> Clone for Slice<'_, K, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V> Copy for Slice<'_, K, V> {}

impl<K, V, S> Dict<K, V, S> {
    /// All the entries, as a [`Slice`] (indexmap's `as_slice`; here a view, not a `&[_]`).
    pub fn as_slice(&self) -> Slice<'_, K, V> {
        Slice::of_table(&self.table)
    }

    /// The entries at the positions in `range`, or `None` if the range is out of bounds or
    /// backwards (indexmap's `get_range`).
    pub fn get_range<R: RangeBounds<usize>>(&self, range: R) -> Option<Slice<'_, K, V>> {
        self.as_slice().get_range(range)
    }
}

impl<'a, K, V> Slice<'a, K, V> {
    /// All the live entries of `table`.
    pub(crate) fn of_table(table: &'a Table<K, V>) -> Self {
        Slice {
            table,
            start: 0,
            len: table.len(),
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

    fn bucket(&self, position: usize) -> Option<&'a Bucket<K, V>> {
        if position >= self.len {
            return None;
        }
        let slot = self.table.slot_of_position(self.start + position)?;
        Some(self.table.bucket_at(slot))
    }

    /// The entry at `position` (from the start of the slice).
    pub fn get_index(&self, position: usize) -> Option<(&'a K, &'a V)> {
        self.bucket(position)
            .map(|bucket| (&bucket.key, &bucket.value))
    }

    /// The first entry.
    pub fn first(&self) -> Option<(&'a K, &'a V)> {
        self.get_index(0)
    }

    /// The last entry.
    pub fn last(&self) -> Option<(&'a K, &'a V)> {
        self.get_index(self.len.checked_sub(1)?)
    }

    /// The entries at the positions in `range` of this slice, or `None` if it is out of
    /// bounds or backwards.
    pub fn get_range<R: RangeBounds<usize>>(&self, range: R) -> Option<Self> {
        let len = self.len;
        let (start, end) = try_resolve_range(range, len)?;
        Some(Slice {
            table: self.table,
            start: self.start + start,
            len: end - start,
        })
    }

    /// The slice cut in two at `mid`. Panics if `mid > len`.
    pub fn split_at(&self, mid: usize) -> (Self, Self) {
        self.split_at_checked(mid).unwrap_or_else(|| {
            panic!(
                "vdict: Slice::split_at: index out of bounds: the len is {} but the index is {mid}",
                self.len
            )
        })
    }

    /// The slice cut in two at `mid`, or `None` if `mid > len`.
    pub fn split_at_checked(&self, mid: usize) -> Option<(Self, Self)> {
        if mid > self.len {
            return None;
        }
        let head = Slice { len: mid, ..*self };
        let tail = Slice {
            start: self.start + mid,
            len: self.len - mid,
            ..*self
        };
        Some((head, tail))
    }

    /// The first entry and the rest.
    pub fn split_first(&self) -> Option<((&'a K, &'a V), Self)> {
        let first = self.first()?;
        Some((first, self.split_at(1).1))
    }

    /// The last entry and the rest.
    pub fn split_last(&self) -> Option<((&'a K, &'a V), Self)> {
        let last = self.last()?;
        Some((last, self.split_at(self.len - 1).0))
    }

    /// The slots from the one of the first position to the one of the last (holes among
    /// them), and the first of them.
    pub(crate) fn slots(&self) -> (&'a [EntrySlot<K, V>], usize) {
        if self.len == 0 {
            return (&[], 0);
        }
        let first = self
            .table
            .slot_of_position(self.start)
            .expect("a slice's start is a live position");
        let last = self
            .table
            .slot_of_position(self.start + self.len - 1)
            .expect("a slice's end is a live position");
        (&self.table.entries()[first..=last], first)
    }

    /// The entries in order.
    pub fn iter(&self) -> Iter<'a, K, V> {
        let (slots, first) = self.slots();
        let live_front = self
            .table
            .live_prefix()
            .min(first + slots.len())
            .saturating_sub(first);
        Iter::new(slots.iter(), self.len, live_front)
    }

    /// The keys in order.
    pub fn keys(&self) -> Keys<'a, K, V> {
        Keys::new(self.iter())
    }

    /// The values in order.
    pub fn values(&self) -> Values<'a, K, V> {
        Values::new(self.iter())
    }

    /// Binary search by `compare` over a slice sorted by it: `Ok` with a match's position,
    /// or `Err` with where it would go.
    pub fn binary_search_by(
        &self,
        mut compare: impl FnMut(&'a K, &'a V) -> Ordering,
    ) -> Result<usize, usize> {
        let (mut low, mut high) = (0, self.len);
        while low < high {
            let middle = low + (high - low) / 2;
            let (key, value) = self.get_index(middle).expect("in bounds");
            match compare(key, value) {
                Ordering::Less => low = middle + 1,
                Ordering::Greater => high = middle,
                Ordering::Equal => return Ok(middle),
            }
        }
        Err(low)
    }

    /// Binary search by a key extracted from each entry.
    pub fn binary_search_by_key<B: Ord>(
        &self,
        sought: &B,
        mut key_of: impl FnMut(&'a K, &'a V) -> B,
    ) -> Result<usize, usize> {
        self.binary_search_by(|k, v| key_of(k, v).cmp(sought))
    }

    /// Binary search for `key` in a slice sorted by key.
    pub fn binary_search_keys(&self, key: &K) -> Result<usize, usize>
    where
        K: Ord,
    {
        self.binary_search_by(|k, _| k.cmp(key))
    }

    /// Whether the entries are in order by `compare` (true for each neighbouring pair).
    pub fn is_sorted_by(
        &self,
        mut compare: impl FnMut(&'a K, &'a V, &'a K, &'a V) -> bool,
    ) -> bool {
        let mut entries = self.iter();
        let Some(mut previous) = entries.next() else {
            return true;
        };
        entries.all(|next| {
            let in_order = compare(previous.0, previous.1, next.0, next.1);
            previous = next;
            in_order
        })
    }

    /// Whether the entries are in order by a key extracted from each.
    pub fn is_sorted_by_key<T: PartialOrd>(
        &self,
        mut key_of: impl FnMut(&'a K, &'a V) -> T,
    ) -> bool {
        let mut keys = self.iter().map(|(k, v)| key_of(k, v));
        let Some(mut previous) = keys.next() else {
            return true;
        };
        keys.all(|next| {
            let in_order = previous <= next;
            previous = next;
            in_order
        })
    }

    /// Whether the entries are in ascending order by key.
    pub fn is_sorted(&self) -> bool
    where
        K: PartialOrd,
    {
        self.is_sorted_by(|k1, _, k2, _| k1 <= k2)
    }

    /// The position of the first entry for which `predicate` is false, in a slice
    /// partitioned by it.
    pub fn partition_point(&self, mut predicate: impl FnMut(&K, &V) -> bool) -> usize {
        self.binary_search_by(|k, v| {
            if predicate(k, v) {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        })
        .unwrap_or_else(|position| position)
    }
}

impl<'a, K, V> IntoIterator for Slice<'a, K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<K, V> Index<usize> for Slice<'_, K, V> {
    type Output = V;

    /// The value at `position`. Panics if it is out of bounds.
    fn index(&self, position: usize) -> &V {
        match self.bucket(position) {
            Some(bucket) => &bucket.value,
            None => panic!(
                "vdict: Slice[position]: index out of bounds: the len is {} but the index is {position}",
                self.len
            ),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Slice<'_, K, V> {
    /// A list of `(key, value)` pairs, as indexmap prints its slices.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<K1, V1, K2, V2> PartialEq<Slice<'_, K2, V2>> for Slice<'_, K1, V1>
where
    K1: PartialEq<K2>,
    V1: PartialEq<V2>,
{
    /// Equal when the entries are equal in order (as slices compare, unlike dicts).
    fn eq(&self, other: &Slice<'_, K2, V2>) -> bool {
        self.len == other.len
            && self
                .iter()
                .zip(other.iter())
                .all(|((k1, v1), (k2, v2))| *k1 == *k2 && *v1 == *v2)
    }
}

impl<K: Eq, V: Eq> Eq for Slice<'_, K, V> {}

impl<K1, V1, K2, V2> PartialEq<[(K2, V2)]> for Slice<'_, K1, V1>
where
    K1: PartialEq<K2>,
    V1: PartialEq<V2>,
{
    fn eq(&self, other: &[(K2, V2)]) -> bool {
        self.len == other.len()
            && self
                .iter()
                .zip(other)
                .all(|((k1, v1), (k2, v2))| *k1 == *k2 && *v1 == *v2)
    }
}

impl<K1, V1, K2, V2, const N: usize> PartialEq<[(K2, V2); N]> for Slice<'_, K1, V1>
where
    K1: PartialEq<K2>,
    V1: PartialEq<V2>,
{
    fn eq(&self, other: &[(K2, V2); N]) -> bool {
        *self == other[..]
    }
}

impl<K1, V1, K2, V2, const N: usize> PartialEq<&[(K2, V2); N]> for Slice<'_, K1, V1>
where
    K1: PartialEq<K2>,
    V1: PartialEq<V2>,
{
    fn eq(&self, other: &&[(K2, V2); N]) -> bool {
        *self == other[..]
    }
}

impl<K1, V1, K2, V2> PartialEq<&[(K2, V2)]> for Slice<'_, K1, V1>
where
    K1: PartialEq<K2>,
    V1: PartialEq<V2>,
{
    fn eq(&self, other: &&[(K2, V2)]) -> bool {
        *self == **other
    }
}

impl<K: PartialOrd, V: PartialOrd> PartialOrd for Slice<'_, K, V> {
    /// Lexicographic over the entries in order, as slices of pairs compare.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.iter().partial_cmp(other.iter())
    }
}

impl<K: Ord, V: Ord> Ord for Slice<'_, K, V> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.iter().cmp(other.iter())
    }
}

impl<K: Hash, V: Hash> Hash for Slice<'_, K, V> {
    /// Hashes the length and each entry in order, as a slice of pairs does.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.len.hash(state);
        for (key, value) in self.iter() {
            key.hash(state);
            value.hash(state);
        }
    }
}

impl<K1, V1, K2, V2> PartialEq<Slice<'_, K2, V2>> for [(K1, V1)]
where
    K1: PartialEq<K2>,
    V1: PartialEq<V2>,
{
    fn eq(&self, other: &Slice<'_, K2, V2>) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((k1, v1), (k2, v2))| *k1 == *k2 && *v1 == *v2)
    }
}

impl<K1, V1, K2, V2, const N: usize> PartialEq<Slice<'_, K2, V2>> for [(K1, V1); N]
where
    K1: PartialEq<K2>,
    V1: PartialEq<V2>,
{
    fn eq(&self, other: &Slice<'_, K2, V2>) -> bool {
        self[..] == *other
    }
}
