//! indexmap's opt-in trait for changing a set's elements in place: [`MutableValues`].
//!
//! The dict's `MutableKeys` (`dict/mutable.rs`), element by element, with the same contract:
//! a changed element must keep its hash and its equality with the old one, and lending one
//! mutably bumps both tags.

use super::Set;
use crate::dict::MutableKeys;
use equivalent::Equivalent;
use std::hash::{BuildHasher, Hash};

mod private {
    pub trait Sealed {}
}

impl<T, S> private::Sealed for Set<T, S> {}

/// Access to a set's elements as `&mut T` (indexmap's `MutableValues`).
///
/// ```
/// use vdict::set::MutableValues;
///
/// let mut s: vdict::Set<String> = ["a", "b"].into_iter().map(String::from).collect();
/// let (position, element) = s.get_full_mut2("b").unwrap();
/// element.reserve(10); // what an element carries beyond its identity
/// assert_eq!(position, 1);
/// s.retain2(|element| element != "a");
/// assert_eq!(s.len(), 1);
/// ```
pub trait MutableValues: private::Sealed {
    /// The element type.
    type Value;

    /// The position and the stored element equal to `value`, mutable. Bumps both tags when
    /// it is present.
    fn get_full_mut2<Q>(&mut self, value: &Q) -> Option<(usize, &mut Self::Value)>
    where
        Q: ?Sized + Hash + Equivalent<Self::Value>;

    /// The element at `position`, mutable. Bumps both tags when there is one.
    fn get_index_mut2(&mut self, position: usize) -> Option<&mut Self::Value>;

    /// Keeps the elements `keep` returns `true` for, in order, lending each mutably. Bumps
    /// both tags of a non-empty set.
    fn retain2<F>(&mut self, keep: F)
    where
        F: FnMut(&mut Self::Value) -> bool;
}

impl<T, S> MutableValues for Set<T, S>
where
    S: BuildHasher,
{
    type Value = T;

    fn get_full_mut2<Q>(&mut self, value: &Q) -> Option<(usize, &mut T)>
    where
        Q: ?Sized + Hash + Equivalent<T>,
    {
        let (position, element, ()) = self.map.get_full_mut2(value)?;
        Some((position, element))
    }

    fn get_index_mut2(&mut self, position: usize) -> Option<&mut T> {
        let (element, ()) = self.map.get_index_mut2(position)?;
        Some(element)
    }

    fn retain2<F>(&mut self, mut keep: F)
    where
        F: FnMut(&mut T) -> bool,
    {
        self.map.retain2(|element, ()| keep(element));
    }
}
