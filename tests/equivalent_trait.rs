//! Lookups by the `equivalent` crate's trait, the one indexmap and hashbrown share.
//!
//! Ported from indexmap's `tests/equivalent_trait.rs` (indexmap-rs/indexmap, MIT/Apache-2.0):
//! `indexmap!` became `Dict::from`, `swap_remove` keeps its name.

use std::hash::Hash;
use vdict::{Dict, Equivalent};

#[derive(Debug, Hash)]
pub struct Pair<A, B>(pub A, pub B);

impl<A, B, C, D> PartialEq<(A, B)> for Pair<C, D>
where
    C: PartialEq<A>,
    D: PartialEq<B>,
{
    fn eq(&self, rhs: &(A, B)) -> bool {
        self.0 == rhs.0 && self.1 == rhs.1
    }
}

impl<A, B, X> Equivalent<X> for Pair<A, B>
where
    Pair<A, B>: PartialEq<X>,
    A: Hash + Eq,
    B: Hash + Eq,
{
    fn equivalent(&self, other: &X) -> bool {
        *self == *other
    }
}

#[test]
fn test_lookup() {
    let s = String::from;
    let map = Dict::from([((s("a"), s("b")), 1), ((s("a"), s("x")), 2)]);

    assert!(map.contains_key(&Pair("a", "b")));
    assert!(!map.contains_key(&Pair("b", "a")));
    assert_eq!(map.get(&Pair("a", "x")), Some(&2));
}

#[test]
fn test_string_str() {
    let s = String::from;
    let mut map = Dict::from([(s("a"), 1), (s("b"), 2), (s("x"), 3), (s("y"), 4)]);

    assert!(map.contains_key("a"));
    assert!(!map.contains_key("z"));
    assert_eq!(map.remove("b"), Some(2));
}
