//! The step-by-step walk in INTERNALS.md ("The dict, step by step") is this test's output.
//!
//! The test runs inserts, lookups (one through a tag collision, one of a missing key), a
//! delete, a growth and a squeeze on a real dict, narrates each from the dict's own state
//! (`Dict::index_cells`, `Dict::slot`) and from the key comparisons the lookups actually made
//! (the keys record every `Eq` call), checks every conclusion of the narration against what
//! the dict did, and compares the text with the block in INTERNALS.md. Nothing in it is a
//! constant copied from the code: table sizes, buckets and slots are read off the dict, so a
//! change of the smallest table or of the growth rule changes the text, not the test. If the
//! code changes, the test fails until the walk is regenerated:
//!
//! ```sh
//! UPDATE_INTERNALS=1 cargo test --test internals_walk
//! ```

use std::cell::RefCell;
use std::fmt::Write;
use std::hash::{BuildHasher, Hash, Hasher};
use vdict::dict::IndexCellView;
use vdict::Dict;

/// A hasher under which a key is its own hash, so the reader can follow every bit.
#[derive(Clone, Copy, Default)]
struct KeyIsHash;

struct KeyIsHashHasher(u64);

impl BuildHasher for KeyIsHash {
    type Hasher = KeyIsHashHasher;
    fn build_hasher(&self) -> KeyIsHashHasher {
        KeyIsHashHasher(0)
    }
}

impl Hasher for KeyIsHashHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys are hashed here")
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

thread_local! {
    /// The stored keys each `Eq` call compared with, in order.
    static COMPARED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// A `u64` key that records the comparisons made with it. The dict compares as
/// `stored == sought`, so `self` is the stored key.
#[derive(Clone, Copy, Debug)]
struct Key(u64);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        // A lookup compares the key sought (`self`, through `Equivalent`) with a stored one.
        COMPARED.with(|c| c.borrow_mut().push(other.0));
        self.0 == other.0
    }
}
impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0);
    }
}

type Walked = Dict<Key, &'static str, KeyIsHash>;

/// The 7 bits of a hash that the index keeps in a full bucket's control byte.
fn tag(hash: u64) -> u8 {
    (hash >> 57) as u8
}

fn show_table(out: &mut String, d: &Walked) {
    let cells = d.index_cells();
    let _ = writeln!(
        out,
        "    index ({} buckets, {} full):",
        cells.len(),
        d.len()
    );
    for (i, cell) in cells.iter().enumerate() {
        let text = match cell {
            IndexCellView::Free => "free".to_string(),
            IndexCellView::Live { slot, tag } => format!("slot {slot}, control byte {tag:#04x}"),
        };
        let _ = writeln!(out, "      bucket {i}: {text}");
    }
    let _ = writeln!(out, "    entries:");
    for slot in 0..d.slot_count() {
        match d.slot(slot) {
            Some((key, value)) => {
                let _ = writeln!(
                    out,
                    "      slot {slot}: hash {:#018x}, key {:#x}, value {value:?}",
                    key.0, key.0
                );
            }
            None => {
                let _ = writeln!(out, "      slot {slot}: (hole)");
            }
        }
    }
}

/// The slot the index holds in the bucket whose slot is `slot`'s, if any.
fn bucket_of_slot(d: &Walked, slot: usize) -> Option<usize> {
    d.index_cells()
        .iter()
        .position(|cell| matches!(cell, IndexCellView::Live { slot: s, .. } if *s == slot))
}

/// Narrates a lookup of `key` from the table's state and the comparisons it made; returns the
/// slot it found.
fn narrate_lookup(out: &mut String, d: &Walked, key: u64) -> Option<usize> {
    let cells = d.index_cells();
    let sought = tag(key);
    let candidates: Vec<usize> = (cells.iter().enumerate())
        .filter(|(_, cell)| matches!(cell, IndexCellView::Live { tag, .. } if *tag == sought))
        .map(|(bucket, _)| bucket)
        .collect();
    COMPARED.with(|c| c.borrow_mut().clear());
    let found = d.get_slot(&Key(key));
    let compared = COMPARED.with(|c| c.take());
    let _ = writeln!(
        out,
        "    hash {key:#018x}: control byte sought = top 7 bits = {sought:#04x}; start at bucket hash & {} = {}",
        cells.len() - 1,
        key as usize & (cells.len() - 1)
    );
    let _ = writeln!(
        out,
        "      one compare of the group: buckets holding {sought:#04x}: {candidates:?}"
    );
    for stored in &compared {
        let slot = d.get_slot(&Key(*stored)).expect("a compared key is stored");
        let verdict = if *stored == key {
            "the key -> found"
        } else {
            "another key (its hash shares the top 7 bits) -> keep looking"
        };
        let _ = writeln!(
            out,
            "      bucket {}: slot {slot}, key {stored:#x}: {verdict}",
            bucket_of_slot(d, slot).expect("a stored key's slot is in the index")
        );
        assert!(
            candidates.contains(&bucket_of_slot(d, slot).unwrap()),
            "the lookup read an entry whose control byte did not match"
        );
    }
    if found.is_none() {
        let _ = writeln!(
            out,
            "      no other candidate, and the group has a free bucket -> absent"
        );
        // A table of one group: a miss reads every candidate's entry, and no other.
        if cells.len() <= 16 {
            assert_eq!(compared.len(), candidates.len());
        }
    }
    found
}

fn walk() -> String {
    let mut out = String::new();
    let mut d: Walked = Dict::with_hasher(KeyIsHash);
    let (a, b, c) = (
        0x3000_0000_0000_000a_u64,
        0x3000_0000_0000_0012,
        0x9000_0000_0000_0005,
    );
    assert_eq!(d.heap_bytes(), 0);

    let _ = writeln!(
        out,
        "1. Insert three keys into an empty dict, which owns no memory until the first insert."
    );
    let _ = writeln!(
        out,
        "   The hasher here makes each key its own hash. {a:#x} and {b:#x} share their top 7"
    );
    let _ = writeln!(
        out,
        "   bits, the part of a hash a bucket's control byte keeps."
    );
    for (key, value) in [(a, "a"), (b, "b"), (c, "c")] {
        let _ = writeln!(out, "  insert {key:#x} -> {value:?}");
        d.insert(Key(key), value);
        let slot = d.get_slot(&Key(key)).unwrap();
        let bucket = bucket_of_slot(&d, slot).unwrap();
        assert_eq!(
            d.index_cells()[bucket],
            IndexCellView::Live {
                slot,
                tag: tag(key)
            }
        );
        let _ = writeln!(
            out,
            "    append the entry as slot {slot}; bucket {bucket} of the index holds slot {slot}, its control byte {:#04x}",
            tag(key)
        );
    }
    let _ = writeln!(
        out,
        "  The index has {} buckets, 2 bytes a slot plus a control byte each; the entries array",
        d.index_cells().len()
    );
    let _ = writeln!(
        out,
        "  has room for {} entries before it grows.",
        d.capacity()
    );
    show_table(&mut out, &d);

    let _ = writeln!(
        out,
        "\n2. Look up {b:#x}. Its control byte is also {a:#x}'s, so two entries are candidates."
    );
    let found = narrate_lookup(&mut out, &d, b);
    assert_eq!(found, Some(1));

    let missing = 0x3000_0000_0000_001a_u64;
    let _ = writeln!(
        out,
        "\n3. Look up {missing:#x}, which is absent but has the same top 7 bits:"
    );
    assert_eq!(narrate_lookup(&mut out, &d, missing), None);
    let other = 0x5000_0000_0000_000a_u64;
    let _ = writeln!(
        out,
        "   and {other:#x}, absent with a control byte no bucket holds: no entry is read."
    );
    assert_eq!(narrate_lookup(&mut out, &d, other), None);

    let _ = writeln!(
        out,
        "\n4. Delete {a:#x}: its bucket is freed (hashbrown marks it DELETED if a probe may have"
    );
    let _ = writeln!(
        out,
        "   to walk past it, else EMPTY), its entry becomes a hole. Nothing moves: O(1), the"
    );
    let _ = writeln!(out, "   order of the rest kept.");
    let keys_version = d.keys_version();
    assert_eq!(d.remove(&Key(a)), Some("a"));
    assert_ne!(d.keys_version(), keys_version);
    assert_eq!(d.get_slot(&Key(b)), Some(1));
    show_table(&mut out, &d);

    let (e, f, g) = (
        0x7000_0000_0000_0002_u64,
        0xb000_0000_0000_0006,
        0xd000_0000_0000_0001,
    );
    let _ = writeln!(out, "\n5. Insert {e:#x}, {f:#x} and {g:#x}.");
    for (key, value) in [(e, "e"), (f, "f"), (g, "g")] {
        let slots_before = d.slot_count();
        let holes_before = slots_before - d.len();
        let capacity_before = d.capacity();
        let buckets_before = d.index_cells().len();
        let keys_before: Vec<_> = d.keys().map(|k| (k.0, d.get_slot(k))).collect();
        d.insert(Key(key), value);
        let moved = keys_before
            .iter()
            .any(|&(k, slot)| d.get_slot(&Key(k)) != slot);
        let _ = writeln!(
            out,
            "  insert {key:#x}: slot {}",
            d.get_slot(&Key(key)).unwrap()
        );
        if moved {
            assert!(holes_before > 0, "only a squeeze moves slots");
            assert_eq!(d.slot_count(), d.len(), "a squeeze leaves no hole");
            let _ = writeln!(
                out,
                "    the entries array was full ({slots_before} slots, {holes_before} a hole: at least an eighth),"
            );
            let _ = writeln!(
                out,
                "    so it was squeezed: the live entries slid down over the hole, in order, and"
            );
            let _ = writeln!(
                out,
                "    each bucket of the index was given its entry's new slot (no key hashed or"
            );
            let _ = writeln!(
                out,
                "    compared). Slots moved, so the keys version changed."
            );
            if d.capacity() > capacity_before + holes_before {
                let _ = writeln!(
                    out,
                    "    The squeeze left room for fewer appends than half the live entries, so the"
                );
                let _ = writeln!(
                    out,
                    "    array grew as well (by a quarter, at least 4 entries): capacity() {capacity_before} -> {}.",
                    d.capacity()
                );
            }
        } else if slots_before == capacity_before + holes_before {
            let buckets = d.index_cells().len();
            let index = if buckets == buckets_before {
                format!("the index kept its {buckets} buckets")
            } else {
                format!("the index grew from {buckets_before} to {buckets} buckets")
            };
            let _ = writeln!(
                out,
                "    the entries array was full, with no hole to squeeze: it grew (by a quarter, at"
            );
            let _ = writeln!(
                out,
                "    least 4 entries), capacity() {capacity_before} -> {}; {index}; no slot moved.",
                d.capacity()
            );
        }
    }
    show_table(&mut out, &d);
    d.check_invariants().unwrap();
    out
}

#[test]
fn internals_md_shows_what_the_code_does() {
    let walk = walk();
    print!("{walk}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/INTERNALS.md");
    let text = std::fs::read_to_string(path).expect("INTERNALS.md exists");
    let (begin, end) = ("<!-- walk:begin -->\n```text\n", "```\n<!-- walk:end -->");
    let start = text
        .find(begin)
        .expect("INTERNALS.md has a walk:begin marker")
        + begin.len();
    let stop = text.find(end).expect("INTERNALS.md has a walk:end marker");
    if std::env::var_os("UPDATE_INTERNALS").is_some() {
        let updated = format!("{}{walk}{}", &text[..start], &text[stop..]);
        std::fs::write(path, updated).expect("INTERNALS.md is writable");
        return;
    }
    assert_eq!(
        &text[start..stop],
        walk,
        "INTERNALS.md's walk is out of date: run UPDATE_INTERNALS=1 cargo test --test internals_walk"
    );
}
