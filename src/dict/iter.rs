//! Iterators over a dict, all in insertion order.
//!
//! Each walks the entries array and skips its holes. Every iterator knows how many live
//! entries remain, so all of them are exact-size, double-ended and fused. The holes a walk
//! must test are never more than half as many as the live entries, and the others lie in one
//! run after the live prefix, the table's *gap*, which the borrowing iterators step over (the
//! table compacts and slides to keep it so; see `table/holes.rs`).
//!
//! [`LiveEntries`] does the walking for any underlying iterator of entry slots; the public
//! iterators below are thin maps over it. Over a dict with no holes (one that never had a
//! deletion, or was compacted since: the common case) it hands out entries without testing the
//! slots, so that a loop over a dict compiles to what it does over a slice; over a dict with
//! holes, `fold` does the same for the slots before the first deletion (the table keeps that
//! live prefix), steps over the gap after it, and takes the rest 64 slots at a time by the
//! positions of their live ones, read without a branch per slot (`live_positions`); `next`
//! hands out the live front one slot at a time, steps over the gap, and takes the rest up to
//! 64 slots at a time by a mask of their live ones (`live_mask`), and `next_back` takes the
//! slots from the back the same way (`live_mask_back`). The
//! untested reads are `unsafe`, and so are those of [`clone_slots`], which copies a hole-free
//! entries array for `Dict::clone` the same way; the argument for both is on [`LiveEntries`].
//! Neither the positions nor the masks are trusted: each slot they name is tested again.

use super::entries::{Bucket, EntrySlot};
use std::iter::FusedIterator;
use std::{slice, vec};

/// Walks an iterator of entry slots, skipping holes, counting the live entries left.
///
/// A walker that starts with no hole among its slots (a dict that never had a deletion, or
/// was compacted since: the common case) hands out every slot's entry without testing it
/// for a hole. Whether it does is decided once, when it is made, and never changes, so the
/// compiler takes the test out of the loop and compiles a `for` loop over a dict to what it
/// does over a slice (callgrind, `examples/profile ... iterate_for_loop u64 1000`: 9.0
/// instructions per entry testing each slot, 1.43 untested, as for indexmap).
///
/// Why `no_holes` is true only when no slot is a hole, which the untested reads rely on
/// (they would read a hole as an entry otherwise): it is set when the slots are exactly as
/// many as the live entries the table counts, and `Table` keeps its count equal to its live
/// entries at every return (`check_invariants` audits it after every step of the model tests
/// and fuzzers, and after every panic in the panic-safety tests); while the walker exists
/// the table is borrowed (or given up), so no hole is made, and the walker only ever hands
/// slots out.
///
/// A walker over a dict with holes still knows how many slots at the front are live
/// (`live_front`, from the table's live prefix: the slots before its first deletion), and
/// `fold` walks those untested too: holes made by deleting recent entries, or by deleting
/// after a compaction, leave most of a dict before them. `live_front` stays true of the front
/// of `slots` because `next` takes exactly one slot off the front while `live_front` is
/// positive and lowers it by one (it takes slots by windows only once it is 0), and
/// `next_back` takes slots off the back only (`fold` clamps `live_front` to what is left, all
/// of which is then live). `check_invariants` audits the table's live prefix after every step
/// of the model tests and fuzzers.
///
/// A walk of at most [`SHORT_WALK`] slots with holes forgets its live front and its gap, and
/// takes all its slots by one mask of their live ones: the length of the live front is where the
/// first deletion fell, so a loop over it ends at a point that changes from one small dict to
/// the next, a mispredicted branch or two for a walk of a dozen entries. Report,
/// `iterate_random_holes`, 16 keys with a random third removed, each pass over a dict of its
/// own: u64 3.0 -> 2.0 ns an entry, `String` 3.5 -> 2.5; the `for` loop 3.0 -> 2.35 (u64).
#[derive(Clone, Debug)]
struct LiveEntries<I> {
    slots: I,
    remaining: usize,
    no_holes: bool,
    live_front: usize,
    /// Holes that follow the live front (the table's gap), which `fold` steps over without
    /// testing them. Only a matter of speed: were one of them live, `fold` would miss it, but
    /// nothing unsafe relies on it.
    gap: usize,
    /// The slots `next` takes next, a window of up to [`WINDOW`] (see
    /// [`next`](LiveEntries::next)); only a matter of speed too: each slot a window names is
    /// still tested when handed out, and `slots` stays the truth of what is left.
    front: Window,
    /// The same at the back, for `next_back`.
    back: Window,
}

/// Which of up to [`WINDOW`] slots at one end of a walk are live: bit `i` of `mask` for the
/// slot `i` places from that end, over the `left` slots it covers. The other end may have
/// taken some of those since, always the farthest: their bits are then stale, the highest,
/// and the first of them that this end reaches finds no slot there, when nothing is left to
/// hand out.
#[derive(Clone, Copy, Debug, Default)]
struct Window {
    mask: u64,
    left: usize,
}

impl Window {
    /// How many slots from the end the next live one lies, taken off the window with those
    /// before it; `None` when the mask is spent.
    #[inline(always)]
    fn take(&mut self) -> Option<usize> {
        if self.mask == 0 {
            return None;
        }
        let lowest = take_lowest_bit(&mut self.mask);
        self.left -= lowest + 1;
        Some(lowest)
    }

    /// The slots the window still covers, all holes once the mask is spent; the window is
    /// then empty.
    #[inline(always)]
    fn rest(&mut self) -> usize {
        std::mem::take(&mut self.left)
    }
}

/// What a live entry is, as the slots iterator hands it out: a `Bucket`, a `&Bucket` or a
/// `&mut Bucket` (the `Some` inside an owned, shared or mutable `EntrySlot`).
type Live<I> = <<I as Iterator>::Item as IntoIterator>::Item;

/// The entry in a slot known to be live, without testing it.
///
/// # Safety
///
/// `slot` must not be a hole.
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn live_unchecked<S: IntoIterator>(slot: S) -> S::Item {
    // SAFETY: the caller guarantees that the slot holds an entry, so it yields one.
    unsafe { slot.into_iter().next().unwrap_unchecked() }
}

#[allow(unsafe_code)]
impl<I> LiveEntries<I>
where
    I: DoubleEndedIterator + ExactSizeIterator,
    I::Item: IntoIterator,
{
    /// A walker over `slots`, `live` of which are live entries, the first `live_front` among
    /// them.
    fn new(slots: I, live: usize, live_front: usize) -> LiveEntries<I> {
        debug_assert!(live_front <= live);
        let no_holes = slots.len() == live;
        LiveEntries {
            // A short walk with holes goes by one mask from its first slot: see the type.
            live_front: if no_holes || slots.len() > SHORT_WALK {
                live_front
            } else {
                0
            },
            no_holes,
            remaining: live,
            gap: 0,
            front: Window::default(),
            back: Window::default(),
            slots,
        }
    }

    /// This walker, told that `gap` holes follow its live front.
    fn past_gap(mut self, gap: usize) -> LiveEntries<I> {
        if self.slots.len() > SHORT_WALK {
            self.gap = gap;
        }
        self
    }

    /// The next live entry. (No early test of `remaining`: once the live entries are out, the
    /// walk over what is left — holes only — ends by itself.)
    ///
    /// Over a dict with holes, the slots are taken up to [`WINDOW`] at a time: a mask of which
    /// of them are live is read with no branch on a slot ([`FoldLive::live_mask_ahead`]), and
    /// each call hands out the entry at the mask's lowest set bit. Testing each slot instead,
    /// a hole in a random place is a mispredicted branch (see [`live_positions`]). The live
    /// front is handed out slot by slot before the first window, and the gap stepped over
    /// after it.
    #[inline]
    fn next(&mut self) -> Option<Live<I>>
    where
        I: FoldLive,
    {
        let bucket = if self.no_holes {
            // SAFETY: no slot is a hole (see the type).
            unsafe { live_unchecked(self.slots.next()?) }
        } else {
            loop {
                if let Some(ahead) = self.front.take() {
                    // Always live (the mask says so); tested all the same, a branch always
                    // taken, so that nothing unsafe relies on the mask. No slot there: the bit
                    // is stale, and nothing is left.
                    if let Some(bucket) = self.slots.nth(ahead)?.into_iter().next() {
                        break bucket;
                    }
                    continue;
                }
                if self.live_front > 0 {
                    // The live front: its slots are live, one at a time (tested all the same).
                    self.live_front -= 1;
                    if let Some(bucket) = self.slots.next()?.into_iter().next() {
                        break bucket;
                    }
                    continue;
                }
                // Step over the rest of the window (holes, the mask being spent) and the gap
                // (all holes, right after the live front; only before the first window) at
                // once.
                let holes = self.front.rest() + std::mem::take(&mut self.gap);
                if holes > 0 {
                    let _ = self.slots.nth(holes - 1);
                }
                let (mask, left) = self.slots.live_mask_ahead()?;
                self.front = Window { mask, left };
            }
        };
        self.remaining -= 1;
        Some(bucket)
    }

    /// `next` from the back: up to [`WINDOW`] slots at a time by a mask of the live ones
    /// ([`FoldLive::live_mask_behind`]). The live front and the gap are `next`'s concern: a
    /// window at the back may cover them, which costs only the reading of their slots.
    #[inline]
    fn next_back(&mut self) -> Option<Live<I>>
    where
        I: FoldLive,
    {
        let bucket = if self.no_holes {
            // SAFETY: no slot is a hole (see the type).
            unsafe { live_unchecked(self.slots.next_back()?) }
        } else {
            loop {
                if let Some(behind) = self.back.take() {
                    // As in `next`: tested all the same; no slot there, nothing is left.
                    if let Some(bucket) = self.slots.nth_back(behind)?.into_iter().next() {
                        break bucket;
                    }
                    continue;
                }
                let holes = self.back.rest();
                if holes > 0 {
                    let _ = self.slots.nth_back(holes - 1);
                }
                let (mask, left) = self.slots.live_mask_behind()?;
                self.back = Window { mask, left };
            }
        };
        self.remaining -= 1;
        Some(bucket)
    }

    /// Internal iteration (what `for_each`, `sum`, `count` and most adapters use): one pass
    /// over the slots with no count to keep.
    #[inline]
    fn fold<B>(self, init: B, mut f: impl FnMut(B, Live<I>) -> B) -> B
    where
        I: FoldLive,
    {
        // No hole is the live front covering every slot, but it gets its own way: through the
        // split below, a fold over a hole-free 16-entry dict ran 15 instructions more (5.3
        // instead of 4.4 per entry, callgrind, `examples/profile ... iterate u64 16`).
        if self.no_holes {
            // SAFETY: no slot is a hole (see the type).
            let f = move |acc, slot| f(acc, unsafe { live_unchecked(slot) });
            return self.slots.fold_all_live(init, f);
        }
        // The windows `next` and `next_back` left need no care: `slots` is the truth of what
        // is left, and `next` takes a window only once the live front is spent and the gap
        // stepped over (both 0 then).
        let live_front = self.live_front.min(self.slots.len());
        let gap = self.gap.min(self.slots.len() - live_front);
        // SAFETY: the first `live_front` slots are live (see the type).
        unsafe { self.slots.fold_with_holes(live_front, gap, init, f) }
    }
}

/// A slot-for-slot copy of `slots`, `live` of which are live entries (the table's count, as
/// `LiveEntries` takes it): `Table::clone`.
///
/// With no hole among them (`live == slots.len()`, the common case) every entry is cloned
/// without its slot being tested, as a walk over a hole-free dict reads them; the safety
/// argument is `LiveEntries`'s. Callgrind, `examples/profile vdict clone <key> <n> <rounds>`
/// (50 rounds at 1,000 keys, 1,000 at 16), instructions an entry, every slot's `Option`
/// cloned -> untested: u64 24.3 -> 22.3 at 1,000 keys (indexmap 22.4), 55.4 -> 53.6 at 16
/// (56.9); `String` 432.1 -> 421.1 and 308.4 -> 297.1 (indexmap 451.3, 384.3). Each slot unwrapped by `expect` instead read 25.3 and 425.1 at
/// 1,000. With holes, each slot is cloned as it is, holes included. (Both ways go through an
/// iterator rather than `Vec::clone`, whose loop tests each `Option` and its own two bounds:
/// u64 29.3 at 1,000 keys. Clippy's `to_vec` is that loop. Nor does `to_vec` of a
/// `repr(transparent)` wrapper that is `Copy` when the key and value are get the standard
/// library's `memcpy` for `Copy` types: its specialization takes the element-wise path for a
/// type whose `Copy` is conditional, checked on a scratch program, 2026-12-07.)
#[allow(unsafe_code, clippy::iter_cloned_collect)]
pub(super) fn clone_slots<K: Clone, V: Clone>(
    slots: &[EntrySlot<K, V>],
    live: usize,
) -> Vec<EntrySlot<K, V>> {
    if live != slots.len() {
        return slots.iter().cloned().collect();
    }
    slots
        .iter()
        // SAFETY: no slot is a hole: the slots are exactly as many as the live entries the
        // table counts (see `LiveEntries`).
        .map(|slot| Some(unsafe { live_unchecked(slot) }.clone()))
        .collect()
}

/// How an iterator of entry slots folds over the live entries among them.
///
/// With no hole among them, `fold_all_live` calls `f` on every slot (the caller unwraps them
/// untested). Borrowed slots are a slice, and go eight per round of an outer loop, which the
/// compiler unrolls as it does indexmap's (with the plain `fold` it unrolled four: 2.0
/// instructions per entry instead of 1.4, callgrind, summing the values of a 1,000-entry u64
/// dict, `examples/profile ... iterate`).
///
/// With holes, the plain way tests each slot and calls `f` only for live ones. Borrowed slots
/// instead fold the live front untested, step over the gap, and take the rest
/// [`WINDOW`] slots at a time by the positions of their live ones ([`live_positions`]), so
/// that no hole costs a branch. (Until 2026-12-06 they went four per round, a test and a
/// branch per slot, which cost 5.1 instructions an entry where the holes alternate with live
/// entries and the branch is predicted, but a mispredicted branch per hole where the holes lie
/// at random; see [`live_positions`].) The last slots, fewer than a window (all of them in a
/// dict of fewer than 64 slots), are folded by a mask of their live ones ([`fold_by_mask`]).
#[allow(unsafe_code)]
trait FoldLive: Iterator + Sized
where
    Self::Item: IntoIterator,
{
    #[inline]
    fn fold_all_live<B>(self, init: B, f: impl FnMut(B, Self::Item) -> B) -> B {
        self.fold(init, f)
    }

    /// Which of the next [`WINDOW`] slots (or of all that are left, if fewer) are live, bit
    /// `i` for the slot `i` places ahead ([`live_mask`]), and how many slots that is; `None`
    /// if none is left.
    fn live_mask_ahead(&self) -> Option<(u64, usize)>;

    /// The same for the last [`WINDOW`] slots, bit `i` for the slot `i` places from the back
    /// ([`live_mask_back`]).
    fn live_mask_behind(&self) -> Option<(u64, usize)>;

    /// Folds over the live entries, testing every slot (owned slots; the borrowed ones first
    /// fold the `live_front` slots untested).
    ///
    /// # Safety
    ///
    /// The first `live_front` slots must be live.
    #[inline]
    unsafe fn fold_with_holes<B>(
        self,
        _live_front: usize,
        _gap: usize,
        init: B,
        mut f: impl FnMut(B, Live<Self>) -> B,
    ) -> B {
        self.fold(init, |acc, slot| slot.into_iter().fold(acc, &mut f))
    }
}

/// How many slots a fold past the live front and the gap takes in at a time: see
/// [`live_positions`].
const WINDOW: usize = 64;

/// A walk over at most this many slots with holes takes them all by one mask, forgetting its
/// live front and gap (see [`LiveEntries`]): a window's worth. The fuzzers' dicts hold at
/// most 24 keys, so under `cfg(fuzzing)` only walks of up to 8 slots do, and the live front
/// and the gap are walked too.
const SHORT_WALK: usize = if cfg!(fuzzing) { 8 } else { WINDOW };

/// The positions of the live slots in `window`, in order, and how many there are, read with
/// no branch on a slot: each slot's position is written to the next free place, and kept (the
/// count moves on) only if the slot is live. A fold then calls its closure on each live entry
/// in a loop whose every branch is predicted, wherever the holes lie. Testing each slot
/// instead, holes left by random removals cost a mispredicted branch each (about one slot in
/// three): the report's `iterate_random_holes` row read 3.7-3.8 ns an entry that way, u64 or
/// `String` keys, 1,000 or 100,000 of them, 12 x indexmap's for u64; 1.5-2.7 this way (u64
/// 1.5-1.7, 4.5-5 x indexmap's).
#[inline]
fn live_positions<K, V>(window: &[EntrySlot<K, V>; WINDOW]) -> ([u8; WINDOW], usize) {
    let mut live = [0u8; WINDOW];
    let mut count = 0;
    for (at, slot) in window.iter().enumerate() {
        // `count <= at < WINDOW`: the `%` only tells the compiler so.
        live[count % WINDOW] = at as u8;
        count += usize::from(slot.is_some());
    }
    (live, count)
}

/// Which of the first [`WINDOW`] slots of `slots` (or of all, if fewer) are live, bit `i` for
/// slot `i`, read with no branch on a slot (as [`live_positions`] reads their positions), and
/// how many slots that is: what `next` walks a window by; `None` if `slots` is empty.
///
/// Out of line: called once a window, it keeps `next` small enough to be inlined into a
/// caller's loop, and it takes and gives back words, so that the walker's state can stay in
/// registers across the call.
///
/// The pass is a loop the compiler keeps rolled (it unrolls it by two): one or two load
/// instructions stepping through memory at a fixed stride, which the processor's stride
/// prefetcher follows from one window into the next. Unrolled into 64 loads (each eight
/// slots' byte built with constant shifts), the prefetcher lost track, and a `for` loop over
/// 100,000 `String` keys with random holes read 2.2-5.9 ns an entry from one run to the next
/// where the rolled loop reads 2.2-3.0 (`u64` keys, and dicts that fit in the cache, did not
/// care).
#[inline(never)]
fn live_mask<K, V>(slots: &[EntrySlot<K, V>]) -> Option<(u64, usize)> {
    let window = slots.get(..WINDOW).unwrap_or(slots);
    (!window.is_empty()).then(|| (mask_of(window.iter()), window.len()))
}

/// [`live_mask`] for the last [`WINDOW`] slots of `slots` (or all, if fewer), bit `i` for the
/// slot `i` places from the back: what `next_back` walks a window by. It reads them from the
/// back, so that from one window to the next the loads keep stepping the same way.
#[inline(never)]
fn live_mask_back<K, V>(slots: &[EntrySlot<K, V>]) -> Option<(u64, usize)> {
    let window = &slots[slots.len().saturating_sub(WINDOW)..];
    (!window.is_empty()).then(|| (mask_of(window.iter().rev()), window.len()))
}

/// The mask of `window` (at most [`WINDOW`] slots, in the order their bits go, from bit 0):
/// each slot's bit is put in at the bottom and rotated to the top as the mask turns down one
/// place, then the first slot's is brought down to bit 0. (Shifting the bit to the top,
/// `mask >> 1 | bit << 63`, the compiler made `bit << 63` a choice between two constants,
/// and, for `String` keys read from the back, that choice a branch: a mispredicted one per
/// hole in a random place, 6.2 ns an entry where the rotation reads 2.4.)
#[inline(always)]
fn mask_of<'s, K: 's, V: 's>(window: impl ExactSizeIterator<Item = &'s EntrySlot<K, V>>) -> u64 {
    let slots = window.len();
    let mask = window.fold(0, |mask, slot| {
        (mask | u64::from(slot.is_some())).rotate_right(1)
    });
    mask >> (WINDOW - slots)
}

/// The position of `mask`'s lowest set bit, taken off with the bits below it (the mask then
/// starts at the slot after it): how many slots ahead of a window's start (or behind its
/// end) the next live one lies.
#[inline(always)]
fn take_lowest_bit(mask: &mut u64) -> usize {
    let lowest = mask.trailing_zeros() as usize;
    // Two shifts: `lowest + 1` may be 64.
    *mask = (*mask >> lowest) >> 1;
    lowest
}

/// Folds `f` over the live entries of `slots` (at most [`WINDOW`]) that `mask` names, bit `i`
/// for slot `i`: the last slots of a fold, fewer than a window, and all of a short dict's.
/// The loop runs once per live entry, wherever the holes lie, so that a walk over a 16-entry
/// dict with holes at random has no branch that depends on where they are.
#[inline]
fn fold_by_mask<'a, K, V, B>(
    slots: &'a [EntrySlot<K, V>],
    mut mask: u64,
    init: B,
    f: &mut impl FnMut(B, &'a Bucket<K, V>) -> B,
) -> B {
    let mut acc = init;
    while mask != 0 {
        let at = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        // Always live (the mask says so); tested all the same.
        if let Some(Some(bucket)) = slots.get(at) {
            acc = f(acc, bucket);
        }
    }
    acc
}

/// [`fold_by_mask`] for mutable slots, which cannot be lent out one at a time by index:
/// stepping to each live slot with `nth`.
#[inline]
fn fold_by_mask_mut<'a, K, V, B>(
    slots: &'a mut [EntrySlot<K, V>],
    mask: u64,
    init: B,
    f: &mut impl FnMut(B, &'a mut Bucket<K, V>) -> B,
) -> B {
    let mut window = Window {
        mask,
        left: slots.len(),
    };
    let mut slots = slots.iter_mut();
    let mut acc = init;
    while let Some(ahead) = window.take() {
        // As in `fold_by_mask`.
        if let Some(Some(bucket)) = slots.nth(ahead) {
            acc = f(acc, bucket);
        }
    }
    acc
}

/// Folds `f` over the live entries of `window`, found by [`live_positions`].
#[inline]
fn fold_window<'a, K, V, B>(
    window: &'a [EntrySlot<K, V>; WINDOW],
    init: B,
    f: &mut impl FnMut(B, &'a Bucket<K, V>) -> B,
) -> B {
    let (live, count) = live_positions(window);
    let mut acc = init;
    for &at in &live[..count] {
        // Always live (a branch always taken costs next to nothing): no unsafe code relies
        // on the positions.
        if let Some(bucket) = &window[usize::from(at) % WINDOW] {
            acc = f(acc, bucket);
        }
    }
    acc
}

/// [`fold_window`] for mutable slots, which a window cannot lend out one at a time by index:
/// `nth` steps to each live slot instead. (The shared fold could do the same, but indexing its
/// window counts 22 instructions an entry where stepping counted 34: callgrind,
/// `examples/profile vdict iterate_random_holes u64 1000`.)
#[inline]
fn fold_window_mut<'a, K, V, B>(
    window: &'a mut [EntrySlot<K, V>; WINDOW],
    init: B,
    f: &mut impl FnMut(B, &'a mut Bucket<K, V>) -> B,
) -> B {
    let (live, count) = live_positions(window);
    let mut acc = init;
    let mut slots = window.iter_mut();
    let mut next = 0;
    for &at in &live[..count] {
        // The positions ascend: `at` is the next slot or lies past it (`nth` steps over the
        // holes between).
        let at = usize::from(at);
        if let Some(Some(bucket)) = slots.nth(at - next) {
            acc = f(acc, bucket);
        }
        next = at + 1;
    }
    acc
}

/// [`FoldLive`]'s masks of the slots at either end, for a slots iterator with `as_slice`.
macro_rules! live_masks {
    () => {
        #[inline]
        fn live_mask_ahead(&self) -> Option<(u64, usize)> {
            live_mask(self.as_slice())
        }

        #[inline]
        fn live_mask_behind(&self) -> Option<(u64, usize)> {
            live_mask_back(self.as_slice())
        }
    };
}

/// Implements [`FoldLive`] for a borrowed slots iterator; the shared and the mutable one
/// differ only in the slice methods they call and in how they fold a window of slots.
macro_rules! fold_live_borrowed {
    (
        $iter:ident, $bucket:ty,
        $slice:ident, $split:ident, $chunks:ident, $each:ident, $rest:ident, $fold_window:ident,
        $fold_by_mask:ident
    ) => {
        #[allow(unsafe_code)]
        impl<'a, K, V> FoldLive for slice::$iter<'a, EntrySlot<K, V>> {
            live_masks!();

            #[inline]
            fn fold_all_live<B>(self, init: B, mut f: impl FnMut(B, Self::Item) -> B) -> B {
                let mut acc = init;
                let mut eights = self.$slice().$chunks(8);
                for eight in &mut eights {
                    for slot in eight {
                        acc = f(acc, slot);
                    }
                }
                eights.$rest().$each().fold(acc, f)
            }

            // Out of line: a fold over a hole-free dict (the common case) then holds only
            // its own unrolled loop, which needs no saved register, and a caller's fold of a
            // small dict is a few instructions shorter (callgrind, `examples/profile vdict
            // iterate u64 16`: 5.41 -> 4.85 instructions an entry, indexmap 4.61; report, 16
            // keys, u64 and `String`, 1.24-1.33 -> 1.09-1.29 x indexmap's). A call per fold
            // costs a dict with holes next to nothing.
            #[inline(never)]
            unsafe fn fold_with_holes<B>(
                self,
                live_front: usize,
                gap: usize,
                init: B,
                mut f: impl FnMut(B, $bucket) -> B,
            ) -> B {
                let (front, rest) = self.$slice().$split(live_front);
                let (_, rest) = rest.$split(gap);
                // SAFETY: the caller guarantees that the first `live_front` slots are live.
                let untested = |acc, slot| f(acc, unsafe { live_unchecked(slot) });
                let mut acc = front.$each().fold_all_live(init, untested);
                let mut windows = rest.$chunks(WINDOW);
                for window in &mut windows {
                    let window = window.try_into().expect("chunks of WINDOW slots");
                    acc = $fold_window(window, acc, &mut f);
                }
                let rest = windows.$rest();
                match live_mask(rest) {
                    Some((mask, _)) => $fold_by_mask(rest, mask, acc, &mut f),
                    None => acc,
                }
            }
        }
    };
}

fold_live_borrowed!(
    Iter,
    &'a Bucket<K, V>,
    as_slice,
    split_at,
    chunks_exact,
    iter,
    remainder,
    fold_window,
    fold_by_mask
);
fold_live_borrowed!(
    IterMut,
    &'a mut Bucket<K, V>,
    into_slice,
    split_at_mut,
    chunks_exact_mut,
    iter_mut,
    into_remainder,
    fold_window_mut,
    fold_by_mask_mut
);

impl<K, V> FoldLive for vec::IntoIter<EntrySlot<K, V>> {
    live_masks!();
}
impl<K, V> FoldLive for vec::Drain<'_, EntrySlot<K, V>> {
    live_masks!();
}

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
            /// An iterator over `slots`, `live` of which are live entries, the first
            /// `live_front` among them (see [`LiveEntries`]).
            pub(super) fn new(slots: $slots, live: usize, live_front: usize) -> Self {
                $name { live: LiveEntries::new(slots, live, live_front) }
            }

            /// [`new`](Self::new), with `gap` holes known to follow the live front. (The
            /// owning iterators do not use it: their fold tests every slot.)
            #[allow(dead_code)]
            pub(super) fn past_gap(slots: $slots, live: usize, live_front: usize, gap: usize) -> Self {
                $name { live: LiveEntries::new(slots, live, live_front).past_gap(gap) }
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
                // `move`: the closure owns the caller's `f` rather than borrowing it, so that a
                // fold whose `f` holds nothing needs no stack frame for its address (the
                // out-of-line fold past holes took that address, and the compiler made the
                // frame on every fold). Callgrind, `examples/profile vdict iterate u64 16`:
                // 4.85 -> 4.47 instructions an entry (indexmap 4.61).
                self.live.fold(init, move |acc, $bucket| f(acc, $map))
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
    /// `(&mut K, &mut V)` in insertion order:
    /// [`MutableKeys::iter_mut2`](crate::dict::MutableKeys::iter_mut2).
    IterMut2<'a, K, V>: slice::IterMut<'a, EntrySlot<K, V>> => (&'a mut K, &'a mut V),
        |bucket| (&mut bucket.key, &mut bucket.value)
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
                // `move`: see `live_iterator!`.
                self.inner.fold(init, move |acc, $kv| f(acc, $part))
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

/// The slots an iterator of entry slots has not handed out yet, seen without advancing it:
/// what `Debug` prints.
trait SlotsLeft<K, V> {
    fn slots_left(&self) -> &[EntrySlot<K, V>];
}

impl<K, V> SlotsLeft<K, V> for slice::Iter<'_, EntrySlot<K, V>> {
    fn slots_left(&self) -> &[EntrySlot<K, V>] {
        self.as_slice()
    }
}
impl<K, V> SlotsLeft<K, V> for slice::IterMut<'_, EntrySlot<K, V>> {
    fn slots_left(&self) -> &[EntrySlot<K, V>] {
        self.as_slice()
    }
}
impl<K, V> SlotsLeft<K, V> for vec::IntoIter<EntrySlot<K, V>> {
    fn slots_left(&self) -> &[EntrySlot<K, V>] {
        self.as_slice()
    }
}
impl<K, V> SlotsLeft<K, V> for vec::Drain<'_, EntrySlot<K, V>> {
    fn slots_left(&self) -> &[EntrySlot<K, V>] {
        self.as_slice()
    }
}

impl<I> LiveEntries<I> {
    /// The live entries not handed out yet, without advancing.
    fn buckets_left<'s, K: 's, V: 's>(&'s self) -> impl Iterator<Item = &'s Bucket<K, V>>
    where
        I: SlotsLeft<K, V>,
    {
        self.slots.slots_left().iter().flatten()
    }
}

/// `Debug` for an iterator: the items it has left, as a list (indexmap prints its iterators
/// the same way). `$show` turns a bucket into what is printed.
macro_rules! debug_as_list {
    ($name:ident<$($lt:lifetime,)? K, V> where $($bound:ident: Debug),* ; |$this:ident| $buckets:expr, |$b:ident| $show:expr) => {
        impl<$($lt,)? K, V> std::fmt::Debug for $name<$($lt,)? K, V>
        where
            $($bound: std::fmt::Debug,)*
        {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let $this = self;
                f.debug_list().entries($buckets.map(|$b| $show)).finish()
            }
        }
    };
}

debug_as_list!(IterMut<'a, K, V> where K: Debug, V: Debug; |it| it.live.buckets_left(), |b| (&b.key, &b.value));
debug_as_list!(IterMut2<'a, K, V> where K: Debug, V: Debug; |it| it.live.buckets_left(), |b| (&b.key, &b.value));
debug_as_list!(IntoIter<K, V> where K: Debug, V: Debug; |it| it.live.buckets_left(), |b| (&b.key, &b.value));
debug_as_list!(Drain<'a, K, V> where K: Debug, V: Debug; |it| it.live.buckets_left(), |b| (&b.key, &b.value));
debug_as_list!(Keys<'a, K, V> where K: Debug; |it| it.inner.live.buckets_left(), |b| &b.key);
debug_as_list!(Values<'a, K, V> where V: Debug; |it| it.inner.live.buckets_left(), |b| &b.value);
debug_as_list!(ValuesMut<'a, K, V> where V: Debug; |it| it.inner.live.buckets_left(), |b| &b.value);
debug_as_list!(IntoKeys<K, V> where K: Debug; |it| it.inner.live.buckets_left(), |b| &b.key);
debug_as_list!(IntoValues<K, V> where V: Debug; |it| it.inner.live.buckets_left(), |b| &b.value);

impl<K: Clone, V: Clone> Clone for IntoIter<K, V> {
    fn clone(&self) -> Self {
        IntoIter {
            live: self.live.clone(),
        }
    }
}

impl<K: Clone, V: Clone> Clone for IntoKeys<K, V> {
    fn clone(&self) -> Self {
        IntoKeys {
            inner: self.inner.clone(),
        }
    }
}

impl<K: Clone, V: Clone> Clone for IntoValues<K, V> {
    fn clone(&self) -> Self {
        IntoValues {
            inner: self.inner.clone(),
        }
    }
}

/// `Default`: an iterator over nothing, as indexmap's iterators have (`Drain` has none, as in
/// indexmap: it borrows a dict).
macro_rules! empty_by_default {
    ($($name:ident<$($lt:lifetime,)? K, V>),* $(,)?) => {$(
        impl<$($lt,)? K, V> Default for $name<$($lt,)? K, V> {
            fn default() -> Self {
                $name::new(Default::default(), 0, 0)
            }
        }
    )*};
}
empty_by_default!(Iter<'a, K, V>, IterMut<'a, K, V>, IterMut2<'a, K, V>, IntoIter<K, V>);

macro_rules! projection_by_default {
    ($($name:ident<$($lt:lifetime,)? K, V>),* $(,)?) => {$(
        impl<$($lt,)? K, V> Default for $name<$($lt,)? K, V> {
            fn default() -> Self {
                $name::new(Default::default())
            }
        }
    )*};
}
projection_by_default!(
    Keys<'a, K, V>,
    Values<'a, K, V>,
    ValuesMut<'a, K, V>,
    IntoKeys<K, V>,
    IntoValues<K, V>,
);

impl<K, V> std::ops::Index<usize> for Keys<'_, K, V> {
    type Output = K;

    /// The key `position` places ahead among those the iterator has left (indexmap's
    /// `Keys` indexes the same way). O(1) over a dict with no holes, O(n) past a hole.
    /// Panics if there are not that many left.
    fn index(&self, position: usize) -> &K {
        let live = &self.inner.live;
        let bucket = if live.no_holes {
            live.slots.as_slice().get(position).and_then(Option::as_ref)
        } else {
            live.buckets_left().nth(position)
        };
        let left = live.remaining;
        &bucket
            .unwrap_or_else(|| {
                panic!("vdict: Keys[{position}]: index out of bounds: {left} keys left")
            })
            .key
    }
}
