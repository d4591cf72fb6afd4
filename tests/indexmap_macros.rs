//! indexmap's tests of its macros (indexmap 2.14, `tests/tests.rs` and
//! `tests/macros_full_path.rs`, MIT/Apache-2.0), ported to `vdict::dict!` and `vdict::set!`
//! by renaming, with the full-path tests checking the built contents too.

use vdict::{dict, set};

#[test]
fn test_sort() {
    let m = dict! {
        1 => 2,
        7 => 1,
        2 => 2,
        3 => 3,
    };

    itertools::assert_equal(
        m.sorted_by(|_k1, v1, _k2, v2| v1.cmp(v2)),
        vec![(7, 1), (1, 2), (2, 2), (3, 3)],
    );
}

#[test]
fn test_sort_set() {
    let s = set! {
        1,
        7,
        2,
        3,
    };

    itertools::assert_equal(s.sorted_by(|v1, v2| v1.cmp(v2)), vec![1, 2, 3, 7]);
}

#[test]
fn test_create_map() {
    let m = vdict::dict! {
        1 => 2,
        7 => 1,
        2 => 2,
        3 => 3,
    };
    assert!(m.into_iter().eq([(1, 2), (7, 1), (2, 2), (3, 3)]));
}

#[test]
fn test_create_set() {
    let s = vdict::set! {
        1,
        7,
        2,
        3,
    };
    assert!(s.into_iter().eq([1, 7, 2, 3]));
}

#[test]
fn empty_and_repeated() {
    let empty: vdict::Dict<u8, u8> = dict! {};
    assert!(empty.is_empty());
    let repeated = dict! { "a" => 1, "b" => 2, "a" => 3 };
    assert!(repeated.into_iter().eq([("a", 3), ("b", 2)]));
    let with_default = vdict::set_with_default! { fnv::FnvHasher; 3, 1, 3 };
    assert!(with_default.into_iter().eq([3, 1]));
}
