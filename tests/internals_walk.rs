//! The step-by-step walk in INTERNALS.md ("The dict, step by step") is this test's output.
//!
//! The test runs one insert, lookups (one through a collision, one of a missing key), a
//! delete and a rebuild on a real 8-cell table, narrates each probe from the table's own
//! state (`Dict::index_cells`, `vdict::dict::probe_sequence`), checks every conclusion of the
//! narration against what the dict actually did, and compares the text with the block in
//! INTERNALS.md. If the code changes, the test fails until the walk is regenerated:
//!
//! ```sh
//! UPDATE_INTERNALS=1 cargo test --test internals_walk
//! ```

use std::fmt::Write;
use std::hash::{BuildHasher, Hasher};
use vdict::dict::{probe_sequence, IndexCellView};
use vdict::Dict;

/// A hasher under which a `u64` key is its own hash, so the reader can follow every bit.
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

type Walked = Dict<u64, &'static str, KeyIsHash>;

/// Tag bits for a table of `cells` cells: the bits above the slot, below the sign, of the
/// narrowest cell (of the two the walk uses, one or two bytes) that keeps at least 4 of them.
fn tag_bits(cells: usize) -> u32 {
    let slot_bits = cells.trailing_zeros();
    let cell_bits = if slot_bits + 4 < 8 { 8 } else { 16 };
    cell_bits - 1 - slot_bits
}

fn tag(hash: u64, cells: usize) -> u64 {
    match tag_bits(cells) {
        0 => 0,
        bits => hash >> (64 - bits),
    }
}

fn show_table(out: &mut String, d: &Walked) {
    let cells = d.index_cells();
    let _ = writeln!(out, "    index ({} cells):", cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let text = match cell {
            IndexCellView::Empty => "EMPTY".to_string(),
            IndexCellView::Dummy => "DUMMY".to_string(),
            IndexCellView::Live { slot, tag } => format!("slot {slot}, tag {tag:#x}"),
        };
        let _ = writeln!(out, "      cell {i:>2}: {text}");
    }
    let _ = writeln!(out, "    entries:");
    for slot in 0..d.slot_count() {
        match d.slot(slot) {
            Some((key, value)) => {
                let _ = writeln!(
                    out,
                    "      slot {slot}: hash {key:#018x}, key {key:#x}, value {value:?}"
                );
            }
            None => {
                let _ = writeln!(out, "      slot {slot}: (hole)");
            }
        }
    }
}

/// Narrates a lookup of `key` from the table's state; returns the slot it finds.
fn narrate_lookup(out: &mut String, d: &Walked, key: u64) -> Option<usize> {
    let cells = d.index_cells();
    let n = cells.len();
    if n == 0 {
        let _ = writeln!(
            out,
            "    the dict has no table yet: absent, without hashing"
        );
        return None;
    }
    let my_tag = tag(key, n);
    let _ = writeln!(
        out,
        "    hash {key:#018x}: first cell = hash & {} = {}, tag = top {} bits = {my_tag:#x}",
        n - 1,
        key as usize & (n - 1),
        tag_bits(n)
    );
    for cell in probe_sequence(key, n).take(4 * n) {
        match cells[cell] {
            IndexCellView::Empty => {
                let _ = writeln!(out, "      cell {cell}: EMPTY -> the key is absent");
                return None;
            }
            IndexCellView::Dummy => {
                let _ = writeln!(
                    out,
                    "      cell {cell}: DUMMY -> a deleted entry, keep walking"
                );
            }
            IndexCellView::Live { slot, tag } if tag != my_tag => {
                let _ = writeln!(
                    out,
                    "      cell {cell}: slot {slot}, tag {tag:#x} != {my_tag:#x} -> another key, no entry read"
                );
            }
            IndexCellView::Live { slot, tag } => {
                let (stored, _) = d.slot(slot).expect("a live cell points at a live entry");
                if *stored == key {
                    let _ = writeln!(
                        out,
                        "      cell {cell}: slot {slot}, tag {tag:#x} matches; entry's hash and key match -> found"
                    );
                    return Some(slot);
                }
                let _ = writeln!(
                    out,
                    "      cell {cell}: slot {slot}, tag {tag:#x} matches; entry's hash {stored:#x} differs -> keep walking"
                );
            }
        }
    }
    panic!("the walk never ended");
}

fn walk() -> String {
    let mut out = String::new();
    let mut d: Walked = Dict::with_hasher(KeyIsHash);
    let (a, b, c) = (
        0x3000_0000_0000_000a_u64,
        0x5000_0000_0000_0012,
        0x9000_0000_0000_0005,
    );

    let _ = writeln!(
        out,
        "1. Insert three keys into an empty dict. The first insert allocates the smallest"
    );
    let _ = writeln!(
        out,
        "   table: 8 one-byte cells, room for 5 entries (2/3 of 8). A slot needs 3 bits, so"
    );
    let _ = writeln!(
        out,
        "   each live cell keeps 4 bits of its hash (the top ones) as a tag."
    );
    for (key, value) in [(a, "a"), (b, "b"), (c, "c")] {
        let _ = writeln!(out, "  insert {key:#x} -> {value:?}: look it up first");
        assert_eq!(narrate_lookup(&mut out, &d, key), None);
        let before = d.index_cells();
        let free = if before.is_empty() {
            key as usize & 7 // the table does not exist yet: the first cell of the fresh one
        } else {
            probe_sequence(key, before.len())
                .find(|&cell| !matches!(before[cell], IndexCellView::Live { .. }))
                .unwrap()
        };
        d.insert(key, value);
        let slot = d.get_slot(&key).unwrap();
        assert_eq!(
            d.index_cells()[free],
            IndexCellView::Live {
                slot,
                tag: tag(key, 8)
            },
            "the narration's free cell is where the dict put {key:#x}"
        );
        let _ = writeln!(out, "    append the entry as slot {slot}; cell {free} (the first free cell on the walk) points at it");
    }
    show_table(&mut out, &d);

    let _ = writeln!(
        out,
        "\n2. Look up {b:#x}: it collides with {a:#x} in cell 2; the tags tell them apart."
    );
    let found = narrate_lookup(&mut out, &d, b);
    assert_eq!(found, d.get_slot(&b));

    let missing = 0x3000_0000_0000_001a_u64;
    let _ = writeln!(
        out,
        "\n3. Look up {missing:#x}, which is absent but has {a:#x}'s first cell and tag:"
    );
    assert_eq!(narrate_lookup(&mut out, &d, missing), None);
    assert_eq!(d.get(&missing), None);

    let _ = writeln!(
        out,
        "\n4. Delete {a:#x}: its cell becomes DUMMY (a probe must still walk past it to"
    );
    let _ = writeln!(
        out,
        "   reach {b:#x}), its entry a hole. Nothing moves: O(1), the order of the rest kept."
    );
    let before = (d.version(), d.keys_version());
    assert_eq!(d.remove(&a), Some("a"));
    assert_ne!(d.keys_version(), before.1);
    show_table(&mut out, &d);
    let _ = writeln!(out, "  and {b:#x} is still found through the DUMMY:");
    assert_eq!(narrate_lookup(&mut out, &d, b), d.get_slot(&b));

    let (e, f, g) = (
        0x7000_0000_0000_0002_u64,
        0xb000_0000_0000_0006,
        0xd000_0000_0000_0001,
    );
    let _ = writeln!(
        out,
        "\n5. Insert {e:#x} and {f:#x}: the first reuses the DUMMY cell on its walk; after the"
    );
    let _ = writeln!(
        out,
        "   second the entries array is full (5 slots, one a hole)."
    );
    d.insert(e, "e");
    d.insert(f, "f");
    show_table(&mut out, &d);

    let _ = writeln!(
        out,
        "\n6. Insert {g:#x}: no room, so the table is rebuilt first. 4 live entries x 3 = 12,"
    );
    let _ = writeln!(
        out,
        "   rounded up to 16 cells (room for 10). The live entries move over in order, the hole"
    );
    let _ = writeln!(
        out,
        "   is squeezed out, and each is placed by its stored hash (no key is hashed again)."
    );
    let _ = writeln!(
        out,
        "   Slots need 4 bits now; a byte would leave only 3 for the tag, fewer than the 4 a cell\n   must keep, so the cells become two bytes wide, with 11 bits of tag. The keys version\n   changes."
    );
    let keys_version = d.keys_version();
    d.insert(g, "g");
    assert_ne!(d.keys_version(), keys_version);
    assert_eq!(d.index_cells().len(), 16);
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
