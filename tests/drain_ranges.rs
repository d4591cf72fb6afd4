//! `drain(range)`, `truncate` and `split_off` at every place in the order and at every size,
//! against a `Vec` of the pairs.
//!
//! A drain of at most a third of the dict takes its entries' slots out of the index one by
//! one. Then its slots join the gap after the live prefix when they can (the dict has no
//! holes, or the range touches its gap, and the entries array has room past its end or can
//! make it, for up to an eighth of the array), a suffix is cut off, or else the entries after
//! the range move down over it. A larger range rebuilds the index from what stays
//! (`drain_positions` in `src/dict/table/order.rs`). All of these are driven here: small and
//! large ranges at the front, the middle and the back, in dicts with room in their entries
//! array and without, without holes and with them, across the width of the index's slots (2
//! bytes up to 65,536 entries, 4 beyond). After each drain the dict must hand out exactly the
//! range, hold exactly the rest in order, find every key it holds by key and by position, find
//! none it gave up, pass `check_invariants`, and take new keys.

use vdict::Dict;

/// How a test's dict is built: collected (its entries array just big enough), or with room
/// for twice its keys.
#[derive(Clone, Copy, Debug)]
enum Room {
    Tight,
    Twice,
}

/// A dict of `size` keys (0, 3, 6, ...) and the same pairs in a `Vec`, with every
/// `hole_every`-th key removed when that is not 0 (so the dict has holes to squeeze first).
fn dict_and_model(size: u64, hole_every: u64, room: Room) -> (Dict<u64, u64>, Vec<(u64, u64)>) {
    let mut dict: Dict<u64, u64> = match room {
        Room::Tight => (0..size).map(|i| (i * 3, i)).collect(),
        Room::Twice => {
            let mut dict = Dict::with_capacity(2 * size as usize);
            dict.extend((0..size).map(|i| (i * 3, i)));
            dict
        }
    };
    let mut model: Vec<(u64, u64)> = (0..size).map(|i| (i * 3, i)).collect();
    if hole_every != 0 {
        for i in (0..size).step_by(hole_every as usize) {
            assert_eq!(dict.remove(&(i * 3)), Some(i));
        }
        model.retain(|&(_, i)| i % hole_every != 0);
    }
    (dict, model)
}

/// Everything the dict should say of itself when it holds `model`, in order, and has given
/// up `gone`.
fn check(dict: &Dict<u64, u64>, model: &[(u64, u64)], gone: &[(u64, u64)], at: &str) {
    if let Err(broken) = dict.check_invariants() {
        panic!("{at}: {broken}");
    }
    assert_eq!(dict.len(), model.len(), "{at}: len");
    assert!(
        dict.iter().map(|(&k, &v)| (k, v)).eq(model.iter().copied()),
        "{at}: the entries left, in order"
    );
    for (position, &(key, value)) in model.iter().enumerate() {
        assert_eq!(dict.get(&key), Some(&value), "{at}: get({key})");
        assert_eq!(
            dict.get_index_of(&key),
            Some(position),
            "{at}: get_index_of({key})"
        );
    }
    for &(key, _) in gone {
        assert_eq!(dict.get(&key), None, "{at}: {key} was drained");
    }
}

/// Drains `start..end` from a dict of `size` keys (holes every `hole_every`-th, 0 for none),
/// checks it, then inserts keys it never held, and checks again.
fn drain_and_check(size: u64, hole_every: u64, room: Room, start: usize, end: usize) {
    let (mut dict, mut model) = dict_and_model(size, hole_every, room);
    let at = format!("{size} keys, holes every {hole_every}, {room:?}, drain({start}..{end})");
    let before = dict.keys_version();
    let drained: Vec<(u64, u64)> = dict.drain(start..end).collect();
    let expected: Vec<(u64, u64)> = model.drain(start..end).collect();
    assert_eq!(drained, expected, "{at}: what the drain handed out");
    assert_eq!(
        start == end,
        dict.keys_version() == before,
        "{at}: keys version"
    );
    check(&dict, &model, &drained, &at);
    for new in 0..20u64 {
        let key = size * 3 + 1 + new * 3;
        dict.insert(key, new);
        model.push((key, new));
    }
    check(&dict, &model, &drained, &format!("{at}, then 20 inserts"));
}

/// The ranges tried on a dict of `len` entries: few and many, at the front, the middle and
/// the back, at and around the line between the two ways (a third of the dict).
fn ranges(len: usize) -> Vec<(usize, usize)> {
    let few = (len / 20).max(1);
    let third = len / 3;
    let mut ranges = vec![
        (0, 0),
        (len / 2, len / 2),
        (0, 1),
        (len - 1, len),
        (0, few),
        (len / 2, len / 2 + few),
        (len - few, len),
        (0, third),
        (0, third + 1),
        (len - third, len),
        (len - third - 1, len),
        (len / 4, len / 4 + third),
        (len / 4, len / 4 + third + 1),
        (0, len - 1),
        (1, len),
        (0, len),
    ];
    ranges.retain(|&(start, end)| start <= end && end <= len);
    ranges
}

#[test]
fn drain_ranges_of_small_and_mid_sized_dicts() {
    for size in [1u64, 2, 5, 16, 63, 64, 65, 100, 1_000] {
        for hole_every in [0u64, 2, 7] {
            for room in [Room::Tight, Room::Twice] {
                let len = dict_and_model(size, hole_every, room).1.len();
                if len == 0 {
                    continue;
                }
                for (start, end) in ranges(len) {
                    drain_and_check(size, hole_every, room, start, end);
                }
            }
        }
    }
}

#[test]
fn drain_ranges_past_two_byte_slots() {
    // 70,000 entries need 4-byte slots in the index.
    let size = 70_000u64;
    let len = size as usize;
    for room in [Room::Tight, Room::Twice] {
        for (start, end) in [
            (0, 100),
            (len / 2, len / 2 + 100),
            (len - 100, len),
            (0, len / 2),
        ] {
            drain_and_check(size, 0, room, start, end);
        }
        let holed = dict_and_model(size, 5, room).1.len();
        drain_and_check(size, 5, room, holed / 3, holed / 3 + 1_000);
    }
}

#[test]
fn truncate_and_split_off_keep_the_rest_findable() {
    for size in [10u64, 100, 1_000] {
        for hole_every in [0u64, 3] {
            let (dict, model) = dict_and_model(size, hole_every, Room::Tight);
            let len = model.len();
            for keep in [0, 1, len / 2, len - len / 10, len - 1, len] {
                let at = format!("{size} keys, holes every {hole_every}, keep {keep}");
                let mut truncated = dict.clone();
                truncated.truncate(keep);
                // Cut off where it is: a full entries array is not grown to make room.
                assert!(
                    truncated.heap_bytes() <= dict.heap_bytes(),
                    "{at}: truncate grew"
                );
                check(
                    &truncated,
                    &model[..keep],
                    &model[keep..],
                    &format!("{at}: truncate"),
                );

                let mut head = dict.clone();
                let tail = head.split_off(keep);
                check(
                    &head,
                    &model[..keep],
                    &model[keep..],
                    &format!("{at}: split_off, head"),
                );
                check(
                    &tail,
                    &model[keep..],
                    &model[..keep],
                    &format!("{at}: split_off, tail"),
                );
            }
        }
    }
}

#[test]
fn a_drain_dropped_early_or_leaked_leaves_the_rest_whole() {
    for (start, end) in [(0, 10), (45, 55), (90, 100), (10, 90)] {
        let (mut dict, mut model) = dict_and_model(100, 0, Room::Twice);
        let mut drain = dict.drain(start..end);
        let first = drain.next();
        drop(drain);
        let expected: Vec<(u64, u64)> = model.drain(start..end).collect();
        assert_eq!(first, expected.first().copied());
        check(
            &dict,
            &model,
            &expected,
            &format!("drain({start}..{end}) dropped after one"),
        );

        let (mut dict, mut model) = dict_and_model(100, 0, Room::Twice);
        std::mem::forget(dict.drain(start..end));
        let lost: Vec<(u64, u64)> = model.drain(start..end).collect();
        check(
            &dict,
            &model,
            &lost,
            &format!("drain({start}..{end}) leaked"),
        );
    }
}

#[test]
fn a_few_entries_drained_leave_a_gap_and_move_nothing_else() {
    // The O(taken) way: the range's slots become holes (`slot_count` counts them), no entry
    // after it moves, and the next squeeze closes the gap. A dict with no room in its entries
    // array makes room for up to an eighth of it, as an append would; for more, the entries
    // after the range move down at once: no holes.
    for (room, range, holes) in [
        (Room::Twice, 200..300, 100),
        (Room::Tight, 200..300, 100),
        (Room::Tight, 200..400, 0),
    ] {
        let (mut dict, mut model) = dict_and_model(1_000, 0, room);
        let drained: Vec<(u64, u64)> = dict.drain(range.clone()).collect();
        model.drain(range.clone());
        let at = format!("{room:?}, drain({range:?})");
        assert_eq!(dict.slot_count(), dict.len() + holes, "{at}");
        check(&dict, &model, &drained, &at);
        // Then a queue's worth of work over it: removals from the front, inserts at the back.
        for step in 0..2_000u64 {
            let (key, value) = dict.shift_remove_index(0).expect("not empty");
            assert_eq!((key, value), model.remove(0));
            let new = 10_000 + step;
            dict.insert(new, step);
            model.push((new, step));
        }
        check(&dict, &model, &drained, &format!("{at}, then 2,000 steps"));
    }
}

#[test]
fn a_queue_drained_in_batches_grows_its_gap_and_stays_whole() {
    // Batches of the oldest entries drained from the front, as many new keys appended: each
    // drain's slots join the gap the last one left (no squeeze, no entry moved), until an
    // append finds the array full and the squeeze closes the gap.
    let (mut dict, mut model) = dict_and_model(1_000, 0, Room::Twice);
    let mut next = 10_000u64;
    let mut most_holes = 0;
    for round in 0..200 {
        let at = format!("round {round}");
        let drained: Vec<(u64, u64)> = dict.drain(..20).collect();
        let expected: Vec<(u64, u64)> = model.drain(..20).collect();
        assert_eq!(drained, expected, "{at}: the oldest 20");
        most_holes = most_holes.max(dict.slot_count() - dict.len());
        check(&dict, &model, &drained, &at);
        for _ in 0..20 {
            dict.insert(next, next);
            model.push((next, next));
            next += 1;
        }
    }
    assert!(
        most_holes >= 100,
        "the drains joined one gap: {most_holes} holes at most"
    );
}

#[test]
fn a_drain_across_the_gap_takes_the_live_entries_on_both_sides() {
    // Positions 150..250 of a dict whose gap holds the 100 slots after position 200: 50
    // entries before the gap and 50 after it, which join it.
    let (mut dict, mut model) = dict_and_model(1_000, 0, Room::Twice);
    let first: Vec<(u64, u64)> = dict.drain(200..300).collect();
    model.drain(200..300);
    let drained: Vec<(u64, u64)> = dict.drain(150..250).collect();
    let expected: Vec<(u64, u64)> = model.drain(150..250).collect();
    assert_eq!(drained, expected);
    assert_eq!(
        dict.slot_count(),
        dict.len() + 200,
        "one gap of both drains' slots"
    );
    check(
        &dict,
        &model,
        &[first, drained].concat(),
        "drain(150..250) across the gap",
    );
    // A range apart from the gap squeezes the holes out first.
    let apart: Vec<(u64, u64)> = dict.drain(700..710).collect();
    assert_eq!(apart, model.drain(700..710).collect::<Vec<_>>());
    check(&dict, &model, &apart, "drain(700..710) apart from the gap");
}

#[test]
fn a_drain_after_every_hole_was_trimmed_starts_a_gap_of_its_own() {
    // Removing the back half from its first key on leaves holes that are all trimmed off the
    // end, and the table's record of where its holes began behind; keys inserted after it put
    // live entries past that record. A drain there must start a gap of its own (in a debug
    // build `drain_into_gap` asserts it; found by the `set_ops` fuzzer, whose input is in its
    // seed corpus).
    let (mut dict, mut model) = dict_and_model(100, 0, Room::Twice);
    for i in 50..100u64 {
        assert_eq!(dict.remove(&(i * 3)), Some(i));
    }
    model.truncate(50);
    assert_eq!(dict.slot_count(), 50, "the holes were trimmed");
    for i in 100..150u64 {
        dict.insert(i * 3, i);
        model.push((i * 3, i));
    }
    let drained: Vec<(u64, u64)> = dict.drain(70..71).collect();
    assert_eq!(drained, model.drain(70..71).collect::<Vec<_>>());
    check(&dict, &model, &drained, "drain(70..71) after trimmed holes");
}
