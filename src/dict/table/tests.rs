//! Unit tests of the table's internals (the public behaviour is tested under `tests/`).

use super::holes::COMPACT_MIN_HOLES;
use super::*;

/// `retain_in_bulk` tells the entries `keep` has seen from the rest by their address when
/// `Vec::retain_mut` hands them over, which holds only while it hands each one over where
/// it lies, before moving it. Its docs promise the order of the visits, not that; this
/// fails if a new `std` moves elements first (`retain` would then skip asking `keep`).
#[test]
fn vec_retain_mut_hands_each_element_over_where_it_lies() {
    let mut v: Vec<u64> = (0..64).collect();
    let addresses: Vec<*const u64> = v.iter().map(|x| x as *const u64).collect();
    let mut visited = 0;
    v.retain_mut(|x| {
        assert_eq!(
            x as *const u64, addresses[visited],
            "element {visited} moved"
        );
        visited += 1;
        *x % 3 == 0
    });
    assert_eq!(visited, 64);
    assert_eq!(v, (0..64).filter(|x| x % 3 == 0).collect::<Vec<_>>());
}

#[test]
fn entries_grow_by_a_quarter_and_at_least_four() {
    assert_eq!(grown_capacity(0), 4);
    assert_eq!(grown_capacity(4), 8);
    assert_eq!(grown_capacity(16), 20);
    assert_eq!(grown_capacity(1000), 1250);
}

#[test]
#[should_panic(expected = "capacity overflow")]
fn impossible_capacity_panics_clearly() {
    grown_capacity(usize::MAX - 1);
}

/// A dict growing from empty past what 2-byte slots can name widens them in the same
/// rebuild that grows the index: every change of the index's shape is a growth of its
/// buckets. (Until 2026-12-05 the widening came 33 inserts after hashbrown had doubled
/// the 2-byte index, a second rebuild of all 57,000 slots.)
#[test]
fn widening_the_slots_is_one_rebuild_with_growing_the_index() {
    let mut table: Table<u64, u64> = Table::new();
    let shape = |table: &Table<u64, u64>| (table.index.buckets(), table.index.slot_bytes());
    let mut last = shape(&table);
    for k in 0..70_000u64 {
        table.insert(spread_hash(k).into(), k, k);
        let now = shape(&table);
        if now != last {
            assert!(
                now.0 > last.0,
                "after {} inserts the index went from {last:?} to {now:?} (buckets, slot \
                 bytes) without growing: a rebuild of its own",
                k + 1
            );
            last = now;
        }
    }
    assert_eq!(last.1, 4, "70,000 entries need 4-byte slots");
}

/// A stored hash for test key `k`, its bits spread by a multiply.
fn spread_hash(k: u64) -> StoredHash {
    StoredHash::new(k.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A table of keys `0..n`, key `k` holding `k * 10`, hashed by [`spread_hash`].
fn table_of_keys(n: u64) -> Table<u64, u64> {
    let mut table = Table::new();
    for k in 0..n {
        assert!(matches!(
            table.insert(spread_hash(k).into(), k, k * 10),
            Inserted::Added
        ));
    }
    table
}

/// Rebuilds `table`'s index with `width`-byte slots, whatever its entries call for (an
/// 8-byte index honestly takes 2^32 entries).
fn set_index_width<K, V>(table: &mut Table<K, V>, width: usize) {
    let capacity = table.index.capacity();
    table.index = match width {
        2 => Index::Narrow(HashTable::with_capacity(capacity)),
        4 => Index::Wide(HashTable::with_capacity(capacity)),
        _ => Index::Huge(HashTable::with_capacity(capacity)),
    };
    table.reindex();
    assert_eq!(table.index().slot_bytes(), width);
}

/// `find` and `find_slot_and_bucket` of the key `is_k` accepts under `hash` both find
/// `expected` (its slot and value), or both nothing.
fn assert_lookups_find<K>(
    table: &Table<K, u64>,
    hash: StoredHash,
    is_k: impl Fn(&K) -> bool + Copy,
    expected: Option<(usize, u64)>,
    label: &str,
) {
    let slot = expected.map(|(slot, _)| slot);
    assert_eq!(
        table.find(hash.into(), is_k).map(|f| f.slot),
        slot,
        "{label}"
    );
    let found = table.find_slot_and_bucket(hash.into(), is_k);
    assert_eq!(found.map(|(slot, b)| (slot, b.value)), expected, "{label}");
}

/// Every lookup of a plain-word key, in an index of each width: the 2-byte one is probed
/// inline, the 4-byte one by the out-of-line halves, the 8-byte one (made here by hand: it
/// takes 2^32 entries to get one honestly) by their cold fallbacks.
#[test]
fn every_lookup_finds_the_same_slots_at_every_index_width() {
    let mut table = table_of_keys(1_000);
    for width in [2, 4, 8] {
        set_index_width(&mut table, width);
        for k in 0..1_100u64 {
            let hash = spread_hash(k);
            let slot = (k < 1_000).then_some(k as usize);
            let is_k = |stored: &u64| *stored == k;
            let fallible = |stored: &u64| Ok::<_, ()>(*stored == k);
            let label = format!("{width} {k}");
            assert_lookups_find(&table, hash, is_k, slot.map(|s| (s, k * 10)), &label);
            assert_eq!(
                table.find_slot_fallible(hash.into(), |_| false, fallible),
                Ok(slot)
            );
            let bucket = table.find_bucket_fallible(hash.into(), |_| false, fallible);
            assert_eq!(bucket.map(|b| b.map(|b| b.key)), Ok(slot.map(|_| k)));
            // A failing compare comes back unchanged from every width.
            let failing = |_: &u64| Err::<bool, _>(k);
            if slot.is_some() {
                assert_eq!(
                    table.find_slot_fallible(hash.into(), |_| false, failing),
                    Err(k)
                );
                let bucket = table.find_bucket_fallible(hash.into(), |_| false, failing);
                assert_eq!(bucket.map(|b| b.map(|b| b.key)), Err(k));
            }
        }
    }
}

/// Keys that are not plain words, in an index of each width: compared at once in the 2-byte
/// index and after their stored hash in the wider ones (`compares_stored_hash`). Keys `2i`
/// and `2i + 1` share one full hash, so that the wider indexes take the path of equal hashes
/// with unequal keys, and every wrong key a tag match reaches in the 2-byte one is compared.
#[test]
fn keys_sharing_full_hashes_are_told_apart_at_every_index_width() {
    let name = |k: u64| format!("name_{k}");
    let mut table: Table<String, u64> = Table::new();
    for k in 0..1_000u64 {
        let added = table.insert(spread_hash(k / 2).into(), name(k), k * 10);
        assert!(matches!(added, Inserted::Added));
    }
    for width in [2, 4, 8] {
        set_index_width(&mut table, width);
        for k in 0..1_100u64 {
            let sought = name(k);
            let hash = spread_hash(k / 2);
            let slot = (k < 1_000).then_some(k as usize);
            let is_k = |stored: &String| *stored == sought;
            let label = format!("{width} {k}");
            assert_lookups_find(&table, hash, is_k, slot.map(|s| (s, k * 10)), &label);
            // The caller-compared lookups see only the keys under the full hash sought.
            let mut shown = Vec::new();
            let fallible = |stored: &String| {
                shown.push(stored.clone());
                Ok::<_, ()>(*stored == sought)
            };
            assert_eq!(
                table.find_slot_fallible(hash.into(), |_| false, fallible),
                Ok(slot)
            );
            assert!(
                shown
                    .iter()
                    .all(|key| *key == name(k & !1) || *key == name(k | 1)),
                "{width} {k}: shown {shown:?}"
            );
        }
        // Each key of a pair removed by key leaves its twin where it was.
        let mut copy = Table::new();
        for k in 0..1_000u64 {
            copy.insert(spread_hash(k / 2).into(), name(k), k * 10);
        }
        set_index_width(&mut copy, width);
        for k in (0..1_000u64).step_by(2) {
            let sought = name(k);
            let taken = copy.remove_key(spread_hash(k / 2).into(), |stored| *stored == sought);
            assert_eq!(taken.map(|b| b.value), Some(k * 10), "{width} {k}");
            let twin = name(k + 1);
            let found = copy.find_slot_and_bucket(spread_hash(k / 2).into(), |s| *s == twin);
            assert_eq!(
                found.map(|(_, b)| b.value),
                Some((k + 1) * 10),
                "{width} {k}"
            );
        }
    }
}

/// `pop_last` at every index width (each probed by its own path: 2- and 4-byte inline,
/// 8-byte out of line), before and past holes: every pop hands back the last live entry,
/// and every key left is still found at its slot.
#[test]
fn pop_last_unlinks_the_last_slot_at_every_index_width() {
    for width in [2, 4, 8] {
        let mut table = table_of_keys(300);
        set_index_width(&mut table, width);
        // Holes in the middle and just before the end, so that some pops trim them.
        let removed = |k: u64| k % 7 == 3 || (280..290).contains(&k);
        for k in (0..300u64).filter(|&k| removed(k)) {
            let bucket = table.remove_key(spread_hash(k).into(), |&stored| stored == k);
            assert_eq!(bucket.map(|b| b.key), Some(k));
        }
        let mut expected: Vec<u64> = (0..300u64).filter(|&k| !removed(k)).collect();
        while let Some(last) = expected.pop() {
            let bucket = table.pop_last().expect("a live entry is left");
            assert_eq!(
                (bucket.key, bucket.value),
                (last, last * 10),
                "width {width}"
            );
            assert_eq!(table.len(), expected.len());
            assert_eq!(table.index().len(), expected.len());
            assert!(matches!(table.entries().last(), None | Some(Some(_))));
            if expected.len() % 23 == 0 {
                for &k in &expected {
                    let found = table.find_slot_and_bucket(spread_hash(k).into(), |&s| s == k);
                    assert_eq!(found.map(|(_, b)| b.key), Some(k), "width {width}");
                }
                assert!(table
                    .find(spread_hash(last).into(), |&s| s == last)
                    .is_none());
            }
        }
        assert!(table.pop_last().is_none());
    }
}

#[test]
fn the_index_widens_with_the_entries_array_and_keeps_every_slot() {
    let mut table: Table<u64, u64> = Table::new();
    let n = 70_000u64;
    for k in 0..n {
        let hash = spread_hash(k);
        assert!(matches!(table.insert(hash.into(), k, k), Inserted::Added));
    }
    assert_eq!(table.index().slot_bytes(), 4);
    for k in (0..n).step_by(997) {
        let hash = spread_hash(k);
        let found = table
            .find(hash.into(), |&stored| stored == k)
            .expect("present");
        assert_eq!(found.slot, k as usize);
    }
}

/// Removes key `k` from a table made by [`table_of_keys`], as `Dict::remove` does (the
/// compaction step after it), and checks the holes' bounds: the holes an iteration must
/// test (those not in the gap) at most half the live entries (or under
/// `COMPACT_MIN_HOLES`), all holes at most twice the live entries (plus
/// `2 * COMPACT_MIN_HOLES`), and the gap all holes.
fn remove_and_check(table: &mut Table<u64, u64>, k: u64) {
    let bucket = table
        .remove_key(spread_hash(k).into(), |stored| *stored == k)
        .expect("present");
    assert_eq!(bucket.value, k * 10);
    table.compact_if_sparse();
    let (len, used) = (table.entries.len(), table.used);
    let holes = len - used;
    let gap = table.gap_after_live_prefix();
    let prefix = table.live_prefix();
    assert!(prefix + gap <= len, "gap past the end after removing {k}");
    assert!(table.entries[..prefix].iter().all(Option::is_some), "{k}");
    assert!(
        table.entries[prefix..prefix + gap]
            .iter()
            .all(Option::is_none),
        "{k}"
    );
    let scattered = holes - gap;
    assert!(
        2 * scattered <= used.max(2 * COMPACT_MIN_HOLES - 1),
        "{scattered} holes outside the gap for {used} live entries after removing {k}"
    );
    assert!(
        holes <= 2 * (used + COMPACT_MIN_HOLES),
        "{holes} holes for {used}"
    );
}

/// Every key of `keys` that is still in `table` is found at a live slot, and the entries
/// are in the order of `keys`.
fn check_keys(table: &Table<u64, u64>, keys: &[u64]) {
    let in_order: Vec<u64> = table.entries.iter().flatten().map(|b| b.key).collect();
    assert_eq!(in_order, keys);
    for &k in keys {
        let found = table.find(spread_hash(k).into(), |stored| *stored == k);
        let slot = found.expect("a key left is found").slot;
        assert_eq!(table.entries[slot].as_ref().map(|b| b.key), Some(k));
    }
}

/// Removal patterns (every other key, front to back, back to front, a random order, and
/// first every third key then the rest of the front half): the holes stay within their
/// bounds after every removal, at every index width (each probed by its own path when the
/// gap slides an entry down), and every key left is found, in order.
#[test]
fn removals_keep_the_holes_few_and_the_gap_all_holes() {
    let n = 600u64;
    let mut random = 0x2545_f491_4f6c_dd1du64;
    let mut shuffled: Vec<u64> = (0..n).collect();
    for i in (1..shuffled.len()).rev() {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        shuffled.swap(i, (random % (i as u64 + 1)) as usize);
    }
    let patterns: Vec<Vec<u64>> = vec![
        (0..n).step_by(2).collect(),
        (0..n).collect(),
        (0..n).rev().collect(),
        shuffled,
        (0..n)
            .step_by(3)
            .chain((0..n / 2).filter(|k| k % 3 != 0))
            .collect(),
    ];
    for width in [2, 4, 8] {
        for removals in &patterns {
            let mut table = table_of_keys(n);
            set_index_width(&mut table, width);
            let mut left: Vec<u64> = (0..n).collect();
            for (i, &k) in removals.iter().enumerate() {
                remove_and_check(&mut table, k);
                left.retain(|&x| x != k);
                if i % 50 == 0 {
                    check_keys(&table, &left);
                }
            }
            check_keys(&table, &left);
        }
    }
}

/// Removing every other key leaves its holes in one gap, which iteration steps over: the
/// removals slide the live entries down as they go, so that nearly no hole lies among them
/// (without the slide, every hole would: one every other slot).
#[test]
fn removing_every_other_key_gathers_the_holes_in_the_gap() {
    for n in [200u64, 1_000, 5_000] {
        let mut table = table_of_keys(n);
        for k in (0..n).step_by(2) {
            remove_and_check(&mut table, k);
        }
        let holes = table.entries.len() - table.used;
        let gap = table.gap_after_live_prefix();
        assert!(
            holes - gap <= 2,
            "{n} keys: {holes} holes, {gap} of them in the gap"
        );
        check_keys(&table, &(1..n).step_by(2).collect::<Vec<_>>());
    }
}

/// A hole made far past the gap does not slide it: no entry moves, the hole waits among the
/// live entries for a squeeze (a slide there would move one entry and gather nothing, since
/// holes made at random keep landing out of the gap's reach). One made just past the gap
/// slides it: the entry between them moves down, and the new hole is next to the gap, which
/// takes it in at its next step.
#[test]
fn only_a_hole_just_past_the_gap_slides_it() {
    let mut table = table_of_keys(1_000);
    let slot_of = |table: &Table<u64, u64>, k: u64| {
        table
            .entries
            .iter()
            .position(|e| e.as_ref().is_some_and(|b| b.key == k))
            .expect("present")
    };
    remove_and_check(&mut table, 100); // the gap: slot 100
    assert_eq!(
        (table.live_prefix(), table.gap_after_live_prefix()),
        (100, 1)
    );
    remove_and_check(&mut table, 600); // far past it
    assert_eq!(
        (table.live_prefix(), table.gap_after_live_prefix()),
        (100, 1)
    );
    assert_eq!(slot_of(&table, 101), 101, "a far hole moved an entry");
    remove_and_check(&mut table, 102); // one live entry past the gap
    assert_eq!(
        slot_of(&table, 101),
        100,
        "a near hole did not slide the gap"
    );
    assert_eq!(
        (table.live_prefix(), table.gap_after_live_prefix()),
        (101, 1)
    );
    assert!(table.entries[102].is_none());
    check_keys(
        &table,
        &(0..1_000)
            .filter(|k| ![100, 102, 600].contains(k))
            .collect::<Vec<_>>(),
    );
}
