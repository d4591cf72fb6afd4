//! A dict used as a queue: new keys go in at the back, the oldest come out at the front, so
//! the dict keeps its size while every entry it holds is replaced, again and again. This is
//! what a cache that evicts its oldest entries does, and the pattern that exercises two
//! shortcuts of the table: when every hole is in the gap at the front, a squeeze closes the
//! gap by moving the rest down at once (`close_gap` in `src/dict/table.rs`), and a position
//! past the gap is its slot less the gap's length, with no rank structure. Each run is checked
//! against a `VecDeque` of the keys, with `check_invariants`, at sizes past those that are
//! only ever squeezed (64 slots) and across the growth from 2-byte to 4-byte slots in the
//! index (65,536 entries).

use std::collections::VecDeque;
use vdict::Dict;

/// The dict against the queue of its keys: length, order, positions both ways, values, and
/// the table's own invariants.
fn check_matches(dict: &Dict<u64, String>, queue: &VecDeque<u64>, at: &str) {
    assert_eq!(dict.len(), queue.len(), "{at}: len");
    if let Err(broken) = dict.check_invariants() {
        panic!("{at}: {broken}");
    }
    assert!(dict.keys().eq(queue.iter()), "{at}: keys out of order");
    let len = queue.len();
    for position in [
        0,
        1,
        len / 3,
        len / 2,
        len.saturating_sub(2),
        len.saturating_sub(1),
    ] {
        let Some(&key) = queue.get(position) else {
            continue;
        };
        assert_eq!(
            dict.get_index(position),
            Some((&key, &key.to_string())),
            "{at}: get_index({position})"
        );
        assert_eq!(
            dict.get_index_of(&key),
            Some(position),
            "{at}: get_index_of({key})"
        );
    }
    assert_eq!(dict.get_index(len), None, "{at}: get_index past the end");
}

/// `steps` queue steps on a dict of `size` keys, checked every `check_every` steps. The oldest
/// key is taken out by key (`remove`), or by position (`shift_remove_index(0)`). Returns the
/// most room the dict had along the way (its largest `capacity()`).
fn run_queue(size: u64, steps: u64, check_every: u64, by_position: bool) -> usize {
    let mut most = 0;
    let mut dict: Dict<u64, String> = (0..size).map(|key| (key, key.to_string())).collect();
    let mut queue: VecDeque<u64> = (0..size).collect();
    for step in 0..steps {
        let new = size + step;
        assert_eq!(dict.insert(new, new.to_string()), None);
        queue.push_back(new);
        let oldest = queue.pop_front().expect("the queue is never empty");
        if by_position {
            assert_eq!(
                dict.shift_remove_index(0),
                Some((oldest, oldest.to_string())),
                "step {step}"
            );
        } else {
            assert_eq!(
                dict.remove(&oldest),
                Some(oldest.to_string()),
                "step {step}"
            );
        }
        most = most.max(dict.capacity());
        if step % check_every == 0 {
            check_matches(&dict, &queue, &format!("size {size}, step {step}"));
        }
    }
    check_matches(&dict, &queue, &format!("size {size}, the end"));
    most
}

#[test]
fn a_queue_keeps_its_order_and_positions_at_every_size() {
    for size in [1, 2, 7, 64, 65, 300, 1000] {
        run_queue(size, 4 * size + 50, 7, false);
        run_queue(size, 4 * size + 50, 7, true);
    }
}

#[test]
fn a_queue_crosses_to_wider_index_slots() {
    // 50,000 keys replaced twice: the entries array, grown by a squeeze that left too little
    // room (at about 57,000 slots, after some 7,000 steps), passes the 65,536 slots that
    // 2-byte index slots can name, so the index is rebuilt with 4-byte slots mid-queue.
    let most = run_queue(50_000, 100_000, 9_973, false);
    assert!(
        most > 65_536,
        "the queue never needed wider slots (room for {most})"
    );
}

#[test]
fn a_queue_does_not_grow_without_bound() {
    // A squeeze that leaves room for fewer appends than half the live entries also grows the
    // array, so that squeezes stay at least that far apart; the room it leaves is what the
    // next squeeze reclaims, so the array stops growing once that is enough: below twice
    // the live entries.
    for size in [100u64, 1000, 50_000] {
        let mut dict: Dict<u64, u64> = (0..size).map(|key| (key, key)).collect();
        let mut most = 0;
        for step in 0..10 * size {
            dict.insert(size + step, step);
            dict.remove(&step);
            most = most.max(dict.capacity());
        }
        assert_eq!(dict.len(), size as usize);
        assert!(
            most < 2 * size as usize,
            "a queue of {size} keys made room for {most}"
        );
        dict.check_invariants().unwrap();
    }
}
