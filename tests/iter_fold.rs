//! Internal iteration (`fold`, and everything built on it: `for_each`, `sum`, `collect`...)
//! against external iteration (`next` / `next_back`), over every hole pattern of small dicts
//! and every way of consuming the ends first.
//!
//! An iterator made over a dict with no holes hands out its entries without testing the
//! slots (an `unsafe` read, `LiveEntries` in `dict/iter.rs`); otherwise a borrowed iterator's
//! fold reads the slots before the table's first hole (its live prefix) the same way, steps
//! over the gap after it, and takes the rest 64 slots at a time by the positions of their live
//! ones, the last (fewer than 64) by a mask of them (`FoldLive`); `next` takes the slots past
//! the live front by such masks too. These tests reach every shape: no holes (folds of 8 to 19
//! slots: one or two rounds of eight and a remainder), holes in any position of a small dict,
//! the live prefix shifted by items taken with `next` / `next_back` first, holes made front to
//! back and back to front (the prefix is lowered by each deletion before it), dicts of 65 to
//! 464 slots with holes at random and windows cut short by `next_back`, for borrowed, mutable,
//! owned and draining iterators, with heap-owning keys and values so a read of a hole, a double
//! drop or a leak would show (AddressSanitizer).

use vdict::Dict;

/// A dict of `n` String -> String entries with the entries whose bit is set in `holes` removed
/// (leaving holes: `remove` keeps the slots of the others), and the live pairs it should yield.
fn dict_with_holes(n: usize, holes: u32) -> (Dict<String, String>, Vec<(String, String)>) {
    dict_with_holes_made(n, holes, Order::FrontToBack)
}

/// The order `dict_with_holes_made` removes entries in.
#[derive(Clone, Copy, Debug)]
enum Order {
    FrontToBack,
    BackToFront,
}

fn dict_with_holes_made(
    n: usize,
    holes: u32,
    order: Order,
) -> (Dict<String, String>, Vec<(String, String)>) {
    let removed: Vec<usize> = (0..n).filter(|i| holes & (1 << i) != 0).collect();
    let removal_order: Vec<usize> = match order {
        Order::FrontToBack => removed,
        Order::BackToFront => removed.into_iter().rev().collect(),
    };
    dict_with_removed(n, removal_order)
}

/// A dict of `n` String -> String entries with the entries `removed` names removed, in that
/// order (leaving holes), and the live pairs it should yield.
fn dict_with_removed(
    n: usize,
    removed: impl IntoIterator<Item = usize>,
) -> (Dict<String, String>, Vec<(String, String)>) {
    let mut dict = Dict::new();
    for i in 0..n {
        dict.insert(format!("key{i}"), format!("value{i}"));
    }
    let mut gone = vec![false; n];
    for i in removed {
        assert!(dict.remove(&format!("key{i}")).is_some());
        gone[i] = true;
    }
    dict.check_invariants().unwrap();
    let live = (0..n)
        .filter(|&i| !gone[i])
        .map(|i| (format!("key{i}"), format!("value{i}")))
        .collect();
    (dict, live)
}

/// Every (size, hole pattern) with up to 7 slots (one pattern makes every slot a hole); then,
/// for 8 to 19 slots (the no-hole fold goes eight slots at a time: one or two rounds and a
/// remainder), no hole, one hole in each position, and holes at both ends.
fn every_case() -> impl Iterator<Item = (usize, u32)> {
    let small = (0..=7usize).flat_map(|n| (0..(1u32 << n)).map(move |holes| (n, holes)));
    let longer = (8..=19usize).flat_map(|n| {
        let one_hole = (0..n).map(|i| 1u32 << i);
        [0, 1 | 1 << (n - 1), 0b11 | 0b11 << (n - 2)]
            .into_iter()
            .chain(one_hole)
            .map(move |holes| (n, holes))
    });
    small.chain(longer)
}

/// How many items to take from the front and from the back before folding the rest.
fn every_split(live: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..=live).flat_map(move |front| (0..=live - front).map(move |back| (front, back)))
}

/// Takes `front` items with `next`, then `back` with `next_back`; returns them as taken.
fn take_ends<I: DoubleEndedIterator>(
    iter: &mut I,
    front: usize,
    back: usize,
) -> (Vec<I::Item>, Vec<I::Item>) {
    let taken_front = (0..front)
        .map(|_| iter.next().expect("enough items in front"))
        .collect();
    let taken_back = (0..back)
        .map(|_| iter.next_back().expect("enough items behind"))
        .collect();
    (taken_front, taken_back)
}

#[test]
fn borrowed_fold_yields_what_next_yields() {
    let orders = [Order::FrontToBack, Order::BackToFront];
    for ((n, holes), order) in every_case().flat_map(|case| orders.map(|order| (case, order))) {
        let (dict, live) = dict_with_holes_made(n, holes, order);
        for (front, back) in every_split(live.len()) {
            let mut iter = dict.iter();
            take_ends(&mut iter, front, back);
            assert_eq!(iter.len(), live.len() - front - back);
            let folded: Vec<(String, String)> = iter.fold(Vec::new(), |mut all, (key, value)| {
                all.push((key.clone(), value.clone()));
                all
            });
            assert_eq!(
                folded,
                live[front..live.len() - back],
                "{n} slots, holes {holes:#b} made {order:?}, {front} taken in front, {back} behind"
            );
        }
    }
}

#[test]
fn keys_values_and_mutable_folds_agree_with_the_live_entries() {
    for (n, holes) in every_case() {
        let (mut dict, live) = dict_with_holes(n, holes);
        let keys: Vec<&String> = dict.keys().collect();
        assert!(keys.iter().copied().eq(live.iter().map(|(k, _)| k)));
        let total_len: usize = dict.values().map(|v| v.len()).sum();
        assert_eq!(total_len, live.iter().map(|(_, v)| v.len()).sum::<usize>());

        dict.values_mut().for_each(|value| value.push('!'));
        dict.iter_mut()
            .skip(1)
            .for_each(|(_, value)| value.push('?'));
        for (i, ((key, value), (live_key, live_value))) in dict.iter().zip(&live).enumerate() {
            assert_eq!(key, live_key);
            let expected = if i == 0 {
                format!("{live_value}!")
            } else {
                format!("{live_value}!?")
            };
            assert_eq!(*value, expected);
        }
        dict.check_invariants().unwrap();
    }
}

#[test]
fn mutable_fold_after_taking_the_ends_changes_just_the_rest() {
    for (n, holes) in every_case() {
        let (dict, live) = dict_with_holes(n, holes);
        for (front, back) in every_split(live.len()) {
            let mut dict = dict.clone();
            let mut iter = dict.iter_mut();
            take_ends(&mut iter, front, back);
            iter.for_each(|(_, value)| value.push('!'));
            for (i, ((key, value), (live_key, live_value))) in dict.iter().zip(&live).enumerate() {
                assert_eq!(key, live_key);
                let changed = i >= front && i < live.len() - back;
                let expected = if changed {
                    format!("{live_value}!")
                } else {
                    live_value.clone()
                };
                assert_eq!(
                    *value, expected,
                    "{n} slots, holes {holes:#b}, {front} taken in front, {back} behind"
                );
            }
        }
    }
}

#[test]
fn owned_fold_moves_out_each_live_entry_once() {
    for (n, holes) in every_case() {
        let (dict, live) = dict_with_holes(n, holes);
        for (front, back) in every_split(live.len()) {
            let mut iter = dict.clone().into_iter();
            let (taken_front, taken_back) = take_ends(&mut iter, front, back);
            let rest: Vec<(String, String)> = iter.fold(Vec::new(), |mut all, pair| {
                all.push(pair);
                all
            });
            assert_eq!(taken_front, live[..front]);
            assert!(taken_back.iter().rev().eq(&live[live.len() - back..]));
            assert_eq!(rest, live[front..live.len() - back]);
        }
        let values: Vec<String> = dict.clone().into_values().collect();
        assert!(values.iter().eq(live.iter().map(|(_, v)| v)));
    }
}

#[test]
fn draining_fold_empties_the_dict() {
    for (n, holes) in every_case() {
        let (mut dict, live) = dict_with_holes(n, holes);
        let drained: Vec<(String, String)> = dict.drain(..).fold(Vec::new(), |mut all, pair| {
            all.push(pair);
            all
        });
        assert_eq!(drained, live);
        assert!(dict.is_empty());
        dict.check_invariants().unwrap();
        dict.insert("again".into(), "works".into());
        assert_eq!(dict.len(), 1);
    }
}

/// The set operations' iterators fold in one loop (`Intersection::fold` and the others in
/// `set/iter.rs`); each folds to what `next` hands out, in the same order, after items taken
/// from the front first, over sets with holes in both operands.
#[test]
fn set_operations_fold_as_they_step() {
    use vdict::Set;
    // `a` holds 0..40 but every multiple of 3, `b` the even numbers 0..60 but multiples of 5
    // (removals leave holes in both).
    let mut a: Set<String> = (0..40).map(|i| i.to_string()).collect();
    let mut b: Set<String> = (0..60).step_by(2).map(|i| i.to_string()).collect();
    for i in (0..40).step_by(3) {
        assert!(a.remove(&i.to_string()));
    }
    for i in (0..60).step_by(10) {
        assert!(b.remove(&i.to_string()));
    }
    fn folded<'a>(iter: impl Iterator<Item = &'a String>) -> Vec<String> {
        iter.fold(Vec::new(), |mut out, x| {
            out.push(x.clone());
            out
        })
    }
    fn stepped<'a>(iter: impl Iterator<Item = &'a String>) -> Vec<String> {
        let mut out = Vec::new();
        // A `for` loop calls `next` per element.
        for x in iter {
            out.push(x.clone());
        }
        out
    }
    /// An operation's name, its elements by `fold`, by `next`, and as computed here.
    type Case = (&'static str, Vec<String>, Vec<String>, Vec<String>);
    let is_in = |s: &Set<String>, x: &String| s.contains(x);
    for skip in [0, 1, 5, 100] {
        let cases: [Case; 4] = [
            (
                "intersection",
                folded(a.intersection(&b).skip(skip)),
                stepped(a.intersection(&b).skip(skip)),
                a.iter()
                    .filter(|x| is_in(&b, x))
                    .skip(skip)
                    .cloned()
                    .collect(),
            ),
            (
                "difference",
                folded(a.difference(&b).skip(skip)),
                stepped(a.difference(&b).skip(skip)),
                a.iter()
                    .filter(|x| !is_in(&b, x))
                    .skip(skip)
                    .cloned()
                    .collect(),
            ),
            (
                "union",
                folded(a.union(&b).skip(skip)),
                stepped(a.union(&b).skip(skip)),
                (a.iter().chain(b.iter().filter(|x| !is_in(&a, x))))
                    .skip(skip)
                    .cloned()
                    .collect(),
            ),
            (
                "symmetric_difference",
                folded(a.symmetric_difference(&b).skip(skip)),
                stepped(a.symmetric_difference(&b).skip(skip)),
                (a.iter().filter(|x| !is_in(&b, x)))
                    .chain(b.iter().filter(|x| !is_in(&a, x)))
                    .skip(skip)
                    .cloned()
                    .collect(),
            ),
        ];
        for (name, folded, stepped, expected) in cases {
            assert_eq!(folded, expected, "{name} folded, {skip} skipped");
            assert_eq!(stepped, expected, "{name} stepped, {skip} skipped");
        }
    }
    // Some of each: the test would pass vacuously on empty results.
    assert!(a.intersection(&b).count() > 3 && a.difference(&b).count() > 3);
}

/// Dicts past the size at which removals slide the gap (more than 64 slots), with keys
/// removed in a random order (so the live prefix, the gap and the holes after it all occur;
/// in half the cases past a random point, leaving a long live prefix), walked by random
/// interleavings of `next` and `next_back`, then folded or walked on by a `for` loop: every
/// step agrees with the live entries in order, and so does `Debug` in mid-walk. Past the live
/// front and the gap, a fold takes the slots 64 at a time by the positions of their live ones
/// (`live_positions` in `src/dict/iter.rs`) and `next` by a mask of them (`live_mask`), which
/// `next_back` must cut short. The owning iterators are walked the same way; `Keys[i]` is read
/// after a random number of `next`s; then a mutable fold after a random number of steps marks
/// each value left exactly once.
#[test]
fn random_removals_and_interleaved_ends_agree_with_the_live_entries() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for case in 0..300 {
        let n = 65 + (random() % 400) as usize;
        // Remove a random share (up to 90%) of the keys, in a random order; in half the
        // cases only keys past a random point, which leaves a live front (the slots before
        // the first deletion) before the holes and the gap.
        let kept_front = if case % 2 == 0 {
            0
        } else {
            (random() % n as u64) as usize
        };
        let mut order: Vec<usize> = (kept_front..n).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (random() % (i as u64 + 1)) as usize);
        }
        let removed = (random() % (order.len() as u64 * 9 / 10 + 1)) as usize;
        let (mut dict, live) = dict_with_removed(n, order[..removed].iter().copied());
        for fold_the_rest in [false, true] {
            let mut iter = dict.iter();
            let same =
                |(k, v): &(&String, &String), (lk, lv): &(String, String)| *k == lk && *v == lv;
            let (front, back) =
                take_random_ends(&mut iter, &live, &mut random, same, &format!("case {case}"));
            // What is left, as `Debug` shows it (read from the slots, whatever window `next`
            // is in the middle of).
            let left: Vec<(&String, &String)> =
                live[front..back].iter().map(|(k, v)| (k, v)).collect();
            assert_eq!(format!("{iter:?}"), format!("{left:?}"), "case {case}");
            let rest: Vec<(String, String)> = if fold_the_rest {
                iter.fold(Vec::new(), |mut all, (k, v)| {
                    all.push((k.clone(), v.clone()));
                    all
                })
            } else {
                let mut all = Vec::new();
                for (k, v) in iter {
                    all.push((k.clone(), v.clone()));
                }
                all
            };
            assert_eq!(
                rest,
                live[front..back],
                "case {case}: {n} slots, {removed} removed"
            );
        }
        // From the back all the way, by `next_back` (by masks of the last slots too).
        let live_backwards = live.iter().rev().map(|(k, v)| (k, v));
        assert!(
            dict.iter().rev().eq(live_backwards),
            "case {case}: reversed"
        );
        let owned_backwards: Vec<(String, String)> = dict.clone().into_iter().rev().collect();
        assert!(
            owned_backwards.iter().eq(live.iter().rev()),
            "case {case}: owned, reversed"
        );
        // The owning iterators, walked the same way.
        for fold_the_rest in [false, true] {
            let what = format!("case {case}: into_iter, fold {fold_the_rest}");
            walk_ends(
                dict.clone().into_iter(),
                &live,
                fold_the_rest,
                &mut random,
                &what,
            );
            let mut drained = dict.clone();
            let what = format!("case {case}: drain, fold {fold_the_rest}");
            walk_ends(drained.drain(..), &live, fold_the_rest, &mut random, &what);
            assert!(drained.is_empty());
        }
        // `Keys` indexes what it has left, after a random number of `next`s.
        let mut keys = dict.keys();
        let skipped = (random() % (live.len() as u64 + 1)) as usize;
        for _ in 0..skipped {
            keys.next().expect("a key left");
        }
        for (at, (key, _)) in live[skipped..].iter().enumerate().step_by(7) {
            assert_eq!(
                &keys[at], key,
                "case {case}: keys[{at}] after {skipped} taken"
            );
        }
        // The mutable fold: after a random number of `next`s, it marks every value left,
        // each once.
        let skipped = (random() % (live.len() as u64 + 1)) as usize;
        let mut iter = dict.iter_mut();
        for _ in 0..skipped {
            iter.next().expect("an item left");
        }
        iter.for_each(|(_, value)| value.push('!'));
        let marked: Vec<(String, String)> = (live.iter().enumerate())
            .map(|(at, (k, v))| {
                (
                    k.clone(),
                    if at < skipped {
                        v.clone()
                    } else {
                        format!("{v}!")
                    },
                )
            })
            .collect();
        let seen: Vec<(String, String)> =
            dict.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(
            seen, marked,
            "case {case}: mutable fold after {skipped} taken"
        );
    }
}

/// Takes random items off both ends of `iter` (an iterator over the entries `live`, owned),
/// checking each, then the rest by a `for` loop or by `fold`.
fn walk_ends<I>(
    mut iter: I,
    live: &[(String, String)],
    fold_the_rest: bool,
    random: &mut impl FnMut() -> u64,
    what: &str,
) where
    I: DoubleEndedIterator<Item = (String, String)> + ExactSizeIterator,
{
    let (front, back) = take_random_ends(&mut iter, live, random, |pair, l| pair == l, what);
    let rest: Vec<(String, String)> = if fold_the_rest {
        iter.fold(Vec::new(), |mut all, pair| {
            all.push(pair);
            all
        })
    } else {
        let mut all = Vec::new();
        for pair in iter {
            all.push(pair);
        }
        all
    };
    assert_eq!(rest, live[front..back], "{what}");
}

/// Takes random items off both ends of `iter` (an iterator over the entries `live`), checking
/// each against its entry with `same`, and the length left; returns the range of `live` left.
fn take_random_ends<I>(
    iter: &mut I,
    live: &[(String, String)],
    random: &mut impl FnMut() -> u64,
    same: impl Fn(&I::Item, &(String, String)) -> bool,
    what: &str,
) -> (usize, usize)
where
    I: DoubleEndedIterator + ExactSizeIterator,
{
    let (mut front, mut back) = (0, live.len());
    while front < back && random() % 16 != 0 {
        let (item, expected) = if random() % 3 == 0 {
            back -= 1;
            (iter.next_back(), &live[back])
        } else {
            front += 1;
            (iter.next(), &live[front - 1])
        };
        let item = item.unwrap_or_else(|| panic!("{what}: an item left"));
        assert!(
            same(&item, expected),
            "{what}: item {front} from the front, {back} behind"
        );
        assert_eq!(iter.len(), back - front, "{what}");
    }
    (front, back)
}

/// A live front longer than a window (64 slots), then a gap (every other key removed front
/// to back past it, which slides the holes into one run), then scattered holes: after every
/// number of items taken by `next` up to past the gap, and some taken by `next_back`, the
/// rest by `fold` and by a `for` loop agrees with the live entries. (A fold reads the live
/// front it is told of untested and steps over the gap untested: what `next` took from either
/// must not be read, or stepped over, again.)
#[test]
fn a_fold_after_next_in_a_long_live_front_and_past_its_gap() {
    for (n, kept_front) in [(200, 130), (200, 64), (300, 65), (120, 1)] {
        // Every other key from `kept_front` on, front to back, for 80 keys (the gap), then a
        // few scattered holes past it.
        let gap = (kept_front..n.min(kept_front + 160)).step_by(2);
        let scattered = (kept_front + 170..n).step_by(7);
        let (dict, live) = dict_with_removed(n, gap.chain(scattered));
        for taken in 0..live.len().min(kept_front + 90) {
            for taken_back in [0, 1, 70] {
                if taken + taken_back > live.len() {
                    continue;
                }
                let what =
                    format!("{n} slots, live front {kept_front}, {taken} + {taken_back} taken");
                let mut iter = dict.iter();
                for (at, (k, v)) in iter.by_ref().take(taken).enumerate() {
                    assert_eq!((k, v), (&live[at].0, &live[at].1), "{what}: next");
                }
                for at in (live.len() - taken_back..live.len()).rev() {
                    let (k, v) = iter.next_back().expect("an item left");
                    assert_eq!((k, v), (&live[at].0, &live[at].1), "{what}: next_back");
                }
                let expected = &live[taken..live.len() - taken_back];
                let mut by_loop = Vec::new();
                for (k, v) in iter.clone() {
                    by_loop.push((k.clone(), v.clone()));
                }
                assert_eq!(by_loop, expected, "{what}: for loop");
                let folded = iter.fold(Vec::new(), |mut all, (k, v)| {
                    all.push((k.clone(), v.clone()));
                    all
                });
                assert_eq!(folded, expected, "{what}: fold");
            }
        }
    }
}
