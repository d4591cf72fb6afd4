//! Iterators over a dict, all in insertion order.
//!
//! Each walks the entries array and skips its holes. Every iterator knows how many live
//! entries remain, so all of them are exact-size, double-ended and fused. Holes are never more
//! than half as many as the live entries (the table compacts when they would; see `table.rs`).
//!
//! [`LiveEntries`] does the walking for any underlying iterator of entry slots; the public
//! iterators below are thin maps over it. Internal iteration (`fold`, which `for_each`, `sum`
//! and most adapters use) over borrowed entries tests no slot when there is no hole, and four
//! slots at a time when there are (see [`FoldLive`]).

use super::entries::{Bucket, EntrySlot};
use std::iter::FusedIterator;
use std::{slice, vec};

/// Walks an iterator of entry slots, skipping holes, counting the live entries left.
#[derive(Clone, Debug)]
struct LiveEntries<I> {
    slots: I,
    remaining: usize,
}

/// What a live entry is, as the slots iterator hands it out: a `Bucket`, a `&Bucket` or a
/// `&mut Bucket` (the `Some` inside an owned, shared or mutable `EntrySlot`).
type Live<I> = <<I as Iterator>::Item as IntoIterator>::Item;

impl<I> LiveEntries<I>
where
    I: DoubleEndedIterator,
    I::Item: IntoIterator,
{
    /// The next live entry. (No early test of `remaining`: once the live entries are out, the
    /// walk over what is left — holes only — ends by itself.)
    #[inline]
    fn next(&mut self) -> Option<Live<I>> {
        let bucket = self.slots.find_map(|slot| slot.into_iter().next())?;
        self.remaining -= 1;
        Some(bucket)
    }

    /// Internal iteration (what `for_each`, `sum`, `count` and most adapters use): one pass
    /// over the slots with no count to keep.
    #[inline]
    fn fold<B>(self, init: B, f: impl FnMut(B, Live<I>) -> B) -> B
    where
        I: FoldLive,
    {
        self.slots.fold_live(self.remaining, init, f)
    }

    #[inline]
    fn next_back(&mut self) -> Option<Live<I>> {
        let bucket = self
            .slots
            .by_ref()
            .rev()
            .find_map(|slot| slot.into_iter().next())?;
        self.remaining -= 1;
        Some(bucket)
    }
}

/// How an iterator of entry slots folds over the live entries among them, given how many
/// live entries it holds.
///
/// The plain way tests each slot and calls `f` only for live ones; that conditional call keeps
/// the compiler from unrolling the loop. Borrowed slots are a slice, so they do better:
///
/// - With no hole among them (as many slots as live entries: a dict that never had a
///   deletion, or was compacted since), no slot is tested at all, and the loop is the plain
///   slice fold indexmap's is. This is the crate's one `unsafe` block (see
///   `fold_all_live`, below).
/// - Otherwise four at a time: one pattern match proves four slots live, and the four calls
///   that follow are straight-line code the compiler can schedule together (a group with a
///   hole takes the slot-by-slot way).
///
/// Callgrind, summing the values of a 1,000-entry u64 dict (`examples/profile`, `iterate`):
/// 5.6 instructions per entry slot by slot, 4.1 four at a time, 1.4 with no test, as for
/// indexmap.
trait FoldLive: Iterator + Sized
where
    Self::Item: IntoIterator,
{
    #[inline]
    fn fold_live<B>(self, _live: usize, init: B, mut f: impl FnMut(B, Live<Self>) -> B) -> B {
        self.fold(init, |acc, slot| slot.into_iter().fold(acc, &mut f))
    }
}

/// Implements [`FoldLive`] for a borrowed slots iterator; the shared and the mutable one
/// differ only in the slice methods they call.
macro_rules! fold_live_borrowed {
    (
        $iter:ident, $bucket:ty, $slice:ident, $chunks:ident, $each:ident, $rest:ident,
        $as_live:ident
    ) => {
        impl<'a, K, V> FoldLive for slice::$iter<'a, EntrySlot<K, V>> {
            #[inline]
            fn fold_live<B>(self, live: usize, init: B, mut f: impl FnMut(B, $bucket) -> B) -> B {
                let slots = self.$slice();
                if live == slots.len() {
                    return fold_all_live!(slots, init, f, $chunks, $each, $rest, $as_live);
                }
                let mut groups = slots.$chunks(4);
                let mut acc = init;
                for group in &mut groups {
                    acc = match group {
                        [Some(a), Some(b), Some(c), Some(d)] => {
                            let acc = f(acc, a);
                            let acc = f(acc, b);
                            let acc = f(acc, c);
                            f(acc, d)
                        }
                        _ => group.$each().flatten().fold(acc, &mut f),
                    };
                }
                groups.$rest().$each().flatten().fold(acc, f)
            }
        }
    };
}

/// Folds `f` over `slots`, a slice of entry slots none of which is a hole, without testing
/// them: eight slots per round of the outer loop, which the compiler unrolls as it does
/// indexmap's (with the plain `iter().fold` it unrolled four, 2.0 instructions per entry
/// instead of 1.4).
///
/// Only `FoldLive::fold_live` expands it, and only when the slice is as long as the count of
/// live entries the iterator carries. That count starts as the table's `len()`, which
/// `Table` keeps equal to its live entries at every return (`check_invariants` audits it
/// after every step of the model tests, and after every panic in the panic-safety tests), and
/// the iterators lower it exactly when they hand out a live entry; so a slice as long as the
/// count holds no hole. Nothing can make a hole while the slice is borrowed.
macro_rules! fold_all_live {
    ($slots:ident, $init:ident, $f:ident, $chunks:ident, $each:ident, $rest:ident, $as_live:ident) => {{
        #[allow(unsafe_code)]
        let live = |slot| {
            // SAFETY: every slot of `$slots` is `Some`: the caller checked that there are as
            // many slots as live entries (see the comment on this macro).
            unsafe { Option::$as_live(slot).unwrap_unchecked() }
        };
        let mut acc = $init;
        let mut eights = $slots.$chunks(8);
        for eight in &mut eights {
            for slot in eight {
                acc = $f(acc, live(slot));
            }
        }
        eights.$rest().$each().map(live).fold(acc, $f)
    }};
}

fold_live_borrowed!(
    Iter,
    &'a Bucket<K, V>,
    as_slice,
    chunks_exact,
    iter,
    remainder,
    as_ref
);
fold_live_borrowed!(
    IterMut,
    &'a mut Bucket<K, V>,
    into_slice,
    chunks_exact_mut,
    iter_mut,
    into_remainder,
    as_mut
);

impl<K, V> FoldLive for vec::IntoIter<EntrySlot<K, V>> {}
impl<K, V> FoldLive for vec::Drain<'_, EntrySlot<K, V>> {}

/// Defines a public iterator as a map over `LiveEntries`, with the std iterator traits.
macro_rules! live_iterator {
    (
        $(#[$doc:meta])*
        $name:ident<$($lt:lifetime,)? K, V>: $slots:ty => $item:ty, |$bucket:ident| $map:expr
    ) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, V> {
            live: LiveEntries<$slots>,
        }

        impl<$($lt,)? K, V> $name<$($lt,)? K, V> {
            pub(super) fn new(slots: $slots, remaining: usize) -> Self {
                $name { live: LiveEntries { slots, remaining } }
            }
        }

        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;
            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                self.live.next().map(|$bucket| $map)
            }
            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                (self.live.remaining, Some(self.live.remaining))
            }
            #[inline]
            fn fold<B, F>(self, init: B, mut f: F) -> B
            where
                F: FnMut(B, Self::Item) -> B,
            {
                self.live.fold(init, |acc, $bucket| f(acc, $map))
            }
        }

        impl<$($lt,)? K, V> DoubleEndedIterator for $name<$($lt,)? K, V> {
            #[inline]
            fn next_back(&mut self) -> Option<Self::Item> {
                self.live.next_back().map(|$bucket| $map)
            }
        }

        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}
        impl<$($lt,)? K, V> FusedIterator for $name<$($lt,)? K, V> {}
    };
}

live_iterator! {
    /// `(&K, &V)` in insertion order: [`Dict::iter`](crate::Dict::iter).
    Iter<'a, K, V>: slice::Iter<'a, EntrySlot<K, V>> => (&'a K, &'a V),
        |bucket| (&bucket.key, &bucket.value)
}

live_iterator! {
    /// `(&K, &mut V)` in insertion order: [`Dict::iter_mut`](crate::Dict::iter_mut).
    IterMut<'a, K, V>: slice::IterMut<'a, EntrySlot<K, V>> => (&'a K, &'a mut V),
        |bucket| (&bucket.key, &mut bucket.value)
}

live_iterator! {
    /// Owned `(K, V)` in insertion order: `Dict::into_iter`. Entries not handed out are
    /// dropped with the iterator.
    IntoIter<K, V>: vec::IntoIter<EntrySlot<K, V>> => (K, V),
        |bucket| (bucket.key, bucket.value)
}

live_iterator! {
    /// Owned `(K, V)` in insertion order: [`Dict::drain`](crate::Dict::drain). Entries not
    /// handed out are dropped with the iterator.
    Drain<'a, K, V>: vec::Drain<'a, EntrySlot<K, V>> => (K, V),
        |bucket| (bucket.key, bucket.value)
}

impl<'a, K, V> Clone for Iter<'a, K, V> {
    fn clone(&self) -> Self {
        Iter {
            live: self.live.clone(),
        }
    }
}

impl<K: std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// Defines an iterator that projects one part of another iterator's items.
macro_rules! projection {
    (
        $(#[$doc:meta])*
        $name:ident<$($lt:lifetime,)? K, V> over $inner:ident => $item:ty, |$kv:pat_param| $part:expr
    ) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, V> {
            inner: $inner<$($lt,)? K, V>,
        }

        impl<$($lt,)? K, V> $name<$($lt,)? K, V> {
            pub(super) fn new(inner: $inner<$($lt,)? K, V>) -> Self {
                $name { inner }
            }
        }

        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;
            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                self.inner.next().map(|$kv| $part)
            }
            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
            #[inline]
            fn fold<B, F>(self, init: B, mut f: F) -> B
            where
                F: FnMut(B, Self::Item) -> B,
            {
                self.inner.fold(init, |acc, $kv| f(acc, $part))
            }
        }

        impl<$($lt,)? K, V> DoubleEndedIterator for $name<$($lt,)? K, V> {
            #[inline]
            fn next_back(&mut self) -> Option<Self::Item> {
                self.inner.next_back().map(|$kv| $part)
            }
        }

        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}
        impl<$($lt,)? K, V> FusedIterator for $name<$($lt,)? K, V> {}
    };
}

projection! {
    /// Keys in insertion order: [`Dict::keys`](crate::Dict::keys).
    Keys<'a, K, V> over Iter => &'a K, |(key, _)| key
}
projection! {
    /// Values in insertion order: [`Dict::values`](crate::Dict::values).
    Values<'a, K, V> over Iter => &'a V, |(_, value)| value
}
projection! {
    /// Mutable values in insertion order: [`Dict::values_mut`](crate::Dict::values_mut).
    ValuesMut<'a, K, V> over IterMut => &'a mut V, |(_, value)| value
}
projection! {
    /// Owned keys in insertion order: [`Dict::into_keys`](crate::Dict::into_keys).
    IntoKeys<K, V> over IntoIter => K, |(key, _)| key
}
projection! {
    /// Owned values in insertion order: [`Dict::into_values`](crate::Dict::into_values).
    IntoValues<K, V> over IntoIter => V, |(_, value)| value
}

impl<K, V> Clone for Keys<'_, K, V> {
    fn clone(&self) -> Self {
        Keys {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V> Clone for Values<'_, K, V> {
    fn clone(&self) -> Self {
        Values {
            inner: self.inner.clone(),
        }
    }
}
