//! A dict used as a queue: new keys go in at the back, the oldest come out at the front, so
//! the dict keeps its size while every entry it holds is replaced, again and again. This is
//! what a cache that evicts its oldest entries does, and the pattern that exercises two
//! shortcuts of the table: when every hole is in the gap at the front, a squeeze closes the
//! gap by moving the rest down at once (`close_gap` in `src/dict/table/holes.rs`), and a position
//! past the gap is its slot less the gap's length, with no rank structure. Each run is checked
//! against a `VecDeque` of the keys, with `check_invariants`, at sizes past those that are
//! only ever squeezed (64 slots) and across the growth from 2-byte to 4-byte slots in the
//! index (65,536 entries).
//!
//! Then an order of use, as a cache keeps it: each hit moves its key to the end, which leaves
//! a hole and appends the entry (`Table::move_slot_to_end`) rather than shifting the entries
//! after it, and the least recently used key is evicted from the front.

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

/// An order of use, as a cache keeps it: every hit moves its key to the end
/// (`move_index(.., len - 1)`, O(1) amortised: the hole it leaves stands in for the shift),
/// and when the dict is over `size` the least recently used key, at the front, is evicted.
/// Checked against a `Vec` of the keys in order of use.
fn run_order_of_use(size: usize, steps: u64, by_entry: bool) {
    let mut dict: Dict<u64, String> = Dict::new();
    let mut order: Vec<u64> = Vec::new();
    let mut random = 0x2545_f491_4f6c_dd1d_u64;
    for step in 0..steps {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        // Keys from a space twice the size: about half the lookups hit.
        let key = random % (2 * size as u64);
        let last = dict.len().saturating_sub(1);
        match order.iter().position(|&k| k == key) {
            Some(at) => {
                let used = order.remove(at);
                order.push(used);
                if by_entry {
                    match dict.entry(key) {
                        vdict::Entry::Occupied(entry) => entry.move_index(last),
                        vdict::Entry::Vacant(_) => panic!("step {step}: {key} is in the dict"),
                    }
                } else {
                    let from = dict.get_index_of(&key).expect("a hit");
                    assert_eq!(from, at, "step {step}: get_index_of({key})");
                    dict.move_index(from, last);
                }
            }
            None => {
                dict.insert(key, key.to_string());
                order.push(key);
                if order.len() > size {
                    let evicted = order.remove(0);
                    assert_eq!(
                        dict.shift_remove_index(0),
                        Some((evicted, evicted.to_string())),
                        "step {step}"
                    );
                }
            }
        }
        if step % 61 == 0 || size < 10 {
            if let Err(broken) = dict.check_invariants() {
                panic!("size {size}, step {step}: {broken}");
            }
            assert!(dict.keys().eq(order.iter()), "size {size}, step {step}");
        }
    }
    dict.check_invariants().unwrap();
    assert!(dict.keys().eq(order.iter()), "size {size}, the end");
    for (position, key) in order.iter().enumerate() {
        assert_eq!(dict.get_index_of(key), Some(position));
    }
}

#[test]
fn an_order_of_use_moves_hits_to_the_end() {
    for size in [1, 2, 5, 40, 100, 1000] {
        run_order_of_use(size, 20 * size as u64 + 100, true);
        run_order_of_use(size, 20 * size as u64 + 100, false);
    }
}

/// Queue steps, moves to the end and removals anywhere, mixed at random on a dict of a few
/// hundred keys (past the 64 slots below which the table only squeezes, so its gap slides
/// too), against an `IndexMap` doing the same with `shift_remove` and `move_index`.
#[test]
fn queue_moves_and_removals_mixed_match_indexmap() {
    let mut dict: Dict<u64, u64> = Dict::new();
    let mut model: indexmap::IndexMap<u64, u64> = indexmap::IndexMap::new();
    let mut random = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next_key = 0u64;
    for step in 0..40_000u64 {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        let len = model.len();
        let choice = random % 8;
        if len < 300 || choice < 2 {
            dict.insert(next_key, step);
            model.insert(next_key, step);
            next_key += 1;
        } else if choice < 4 {
            // The oldest out.
            assert_eq!(dict.shift_remove_index(0), model.shift_remove_index(0));
        } else if choice < 6 {
            // A random key to the end, by position or by entry.
            let from = (random >> 8) as usize % len;
            let key = *model.get_index(from).unwrap().0;
            model.move_index(from, len - 1);
            if choice == 4 {
                dict.move_index(from, len - 1);
            } else if let vdict::Entry::Occupied(entry) = dict.entry(key) {
                entry.move_index(len - 1);
            }
        } else {
            // A random key removed, keeping order.
            let key = *model.get_index((random >> 8) as usize % len).unwrap().0;
            assert_eq!(dict.remove(&key), model.shift_remove(&key));
        }
        if step % 97 == 0 {
            if let Err(broken) = dict.check_invariants() {
                panic!("step {step}: {broken}");
            }
            assert!(dict.iter().eq(model.iter()), "step {step}: order");
            let len = model.len();
            for position in [0, len / 4, len / 2, len - 1] {
                assert_eq!(dict.get_index(position), model.get_index(position));
            }
        }
    }
}
