//! `Arbitrary` for [`Dict`] and [`Set`] (the `arbitrary` feature), so that users who fuzz
//! their own code can put vdict inside the structures a fuzzer builds.
//!
//! A dict is built the way a program builds one: from a sequence of arbitrary pairs
//! inserted in order (a repeated key keeps its first place and takes its last value), so
//! every dict a fuzzer makes is one a program could have made. Removals are not generated:
//! code under test that wants holes can remove what it likes.

use crate::{Dict, Set};
use arbitrary::{Arbitrary, Result, Unstructured};
use std::hash::{BuildHasher, Hash};

impl<'a, K, V, S> Arbitrary<'a> for Dict<K, V, S>
where
    K: Arbitrary<'a> + Hash + Eq,
    V: Arbitrary<'a>,
    S: BuildHasher + Default,
{
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.arbitrary_iter()?.collect()
    }

    fn arbitrary_take_rest(u: Unstructured<'a>) -> Result<Self> {
        u.arbitrary_take_rest_iter()?.collect()
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        <Vec<(K, V)> as Arbitrary>::size_hint(depth)
    }
}

impl<'a, T, S> Arbitrary<'a> for Set<T, S>
where
    T: Arbitrary<'a> + Hash + Eq,
    S: BuildHasher + Default,
{
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.arbitrary_iter()?.collect()
    }

    fn arbitrary_take_rest(u: Unstructured<'a>) -> Result<Self> {
        u.arbitrary_take_rest_iter()?.collect()
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        <Vec<T> as Arbitrary>::size_hint(depth)
    }
}
