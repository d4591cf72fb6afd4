//! Elements the caller compares: the set's side of the dict's caller-compared API
//! (`dict/caller_eq.rs`), for an interpreter whose `set` holds objects that hash and compare by
//! running user code (a Python's `__hash__` and `__eq__`).
//!
//! A `Set<T>` is a `Dict<T, ()>`, so each method here is the dict's, with the element in the
//! key's place: the caller supplies the hash and decides equality; nothing needs `T: Hash` or
//! `T: Eq`; the stored hash is compared before the caller is asked about an element (after
//! the caller's identity test, in the `_identity` forms). The
//! step-by-step probe follows the dict's protocol (see [`Probe`]), and an interpreter may
//! follow CPython's set exactly where it differs from its dict: `set.add` treats an element its
//! `__eq__` found equal as present even if that `__eq__` changed the set, where a dict lookup
//! starts again (`examples/python_keys.rs` does both, and prints what CPython 3.11 prints).

use super::Set;
use crate::dict::{Candidate, EntryWith, IterationError, Probe, SlotCursor};

impl<T, S> Set<T, S> {
    /// How many slots the elements occupy, holes included: slots run from 0 to this, in
    /// insertion order. A slot names an element until it is removed, or until a squeeze or a
    /// reordering moves the elements (the keys version changes whenever slots move).
    pub fn slot_count(&self) -> usize {
        self.map.slot_count()
    }

    /// The element in `slot`, or `None` for a hole or a slot past the end.
    pub fn slot(&self, slot: usize) -> Option<&T> {
        self.map.slot(slot).map(|(value, ())| value)
    }

    /// The slot of the element the caller's `is_value` accepts among those stored under
    /// `hash` (the hash the element was inserted with), asking about no other: the set's
    /// [`Dict::find_with`](crate::Dict::find_with). An error from `is_value` ends the lookup and
    /// comes back unchanged; the set is as it was. `is_value` runs while the set is borrowed;
    /// for compares that may change the set, walk the candidates with
    /// [`probe`](Set::probe) instead.
    ///
    /// ```
    /// use vdict::Set;
    ///
    /// // Elements that are neither `Hash` nor `Eq`: the caller hashes and compares.
    /// struct Point(f64, f64);
    /// let hash_of = |p: &Point| vdict::hash_key(&(p.0.to_bits(), p.1.to_bits()));
    ///
    /// let mut points: Set<Point> = Set::new();
    /// let p = Point(1.0, 2.0);
    /// points.insert_unique(hash_of(&p), p);
    /// let sought = Point(1.0, 2.0);
    /// let found = points.find_with(hash_of(&sought), |q| Ok::<_, ()>(q.0 == sought.0 && q.1 == sought.1));
    /// assert_eq!(found, Ok(Some(0)));
    /// ```
    #[inline]
    pub fn find_with<E>(
        &self,
        hash: u64,
        is_value: impl FnMut(&T) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        self.map.find_with(hash, is_value)
    }

    /// [`find_with`](Set::find_with), handing out the stored element.
    #[inline]
    pub fn get_with<E>(
        &self,
        hash: u64,
        is_value: impl FnMut(&T) -> Result<bool, E>,
    ) -> Result<Option<&T>, E> {
        Ok(self.map.get_with(hash, is_value)?.map(|(value, ())| value))
    }

    /// The slot of the element sought, asking of each element the probe for `hash` meets, in
    /// CPython's order: `is_same` (is it the very object sought?), then, if its stored hash
    /// is `hash`, `is_value` (are they equal?): the set's
    /// [`Dict::find_with_identity`](crate::Dict::find_with_identity), whose doc says what
    /// `is_same` must be.
    #[inline]
    pub fn find_with_identity<E>(
        &self,
        hash: u64,
        is_same: impl Fn(&T) -> bool,
        is_value: impl FnMut(&T) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        self.map.find_with_identity(hash, is_same, is_value)
    }

    /// [`find_with_identity`](Set::find_with_identity), handing out the stored element.
    #[inline]
    pub fn get_with_identity<E>(
        &self,
        hash: u64,
        is_same: impl Fn(&T) -> bool,
        is_value: impl FnMut(&T) -> Result<bool, E>,
    ) -> Result<Option<&T>, E> {
        let found = self.map.get_with_identity(hash, is_same, is_value)?;
        Ok(found.map(|(value, ())| value))
    }

    /// Starts a lookup of `hash` whose candidates the caller compares one by one, holding no
    /// borrow of the set while it does: see [`Probe`] for the protocol.
    pub fn probe(&self, hash: u64) -> Probe {
        self.map.probe(hash)
    }

    /// The next candidate of `probe`: a live element whose stored hash is the one sought, or
    /// the news that there is none left, or that the set's elements changed since the probe
    /// started. Calls no user code.
    ///
    /// ```
    /// use vdict::dict::Candidate;
    /// use vdict::Set;
    ///
    /// let mut s: Set<&str> = Set::new();
    /// s.insert_unique(7, "a");
    /// s.insert_unique(7, "b"); // the same hash: a second candidate
    /// let mut probe = s.probe(7);
    /// assert_eq!(s.next_candidate(&mut probe), Candidate::Key { slot: 0, key: &"a" });
    /// assert_eq!(s.next_candidate(&mut probe), Candidate::Key { slot: 1, key: &"b" });
    /// assert_eq!(s.next_candidate(&mut probe), Candidate::Absent);
    /// s.insert_unique(8, "c");
    /// assert_eq!(s.next_candidate(&mut probe), Candidate::Changed);
    /// ```
    pub fn next_candidate(&self, probe: &mut Probe) -> Candidate<'_, T> {
        self.map.next_candidate(probe)
    }

    /// Inserts `value` under `hash`, for an element the caller knows to be absent (it looked
    /// it up with its own equality). Returns the new element's slot; bumps both tags.
    ///
    /// Nothing checks that the element is absent: inserting one twice stores it twice, both
    /// reachable by the caller's lookups, neither corrupting the set. In a set also used
    /// through its own hasher (`contains`, `insert`), `hash` must be the set's hash of the
    /// element ([`Dict::hash_key`](crate::Dict::hash_key) of [`as_dict`](Set::as_dict)), or
    /// those lookups will not find it.
    pub fn insert_unique(&mut self, hash: u64, value: T) -> usize {
        self.map.insert_unique(hash, value, ())
    }

    /// Adds `value` under `hash` unless an element that the caller's `is_value` accepts is
    /// stored under `hash` already, in one probe: `(slot, true)` for the new element, `(slot,
    /// false)` for the one found (whose place `value` does not take: `make` is not called). An
    /// error from `is_value` comes back unchanged, the set as it was. For compares that may
    /// change the set, look up with [`probe`](Set::probe), then
    /// [`insert_unique`](Set::insert_unique).
    ///
    /// ```
    /// let mut words: vdict::Set<String> = vdict::Set::new();
    /// let mut added = Vec::new();
    /// for word in ["spam", "eggs", "spam"] {
    ///     let hash = vdict::hash_key(word);
    ///     added.push(words.insert_with(hash, |w| Ok::<_, ()>(w == word), || word.to_string()));
    /// }
    /// assert_eq!(added, [Ok((0, true)), Ok((1, true)), Ok((0, false))]);
    /// assert_eq!(words.iter().collect::<Vec<_>>(), ["spam", "eggs"]);
    /// assert!(words.contains("eggs")); // the caller's hash was the set's own
    /// ```
    pub fn insert_with<E>(
        &mut self,
        hash: u64,
        is_value: impl FnMut(&T) -> Result<bool, E>,
        make: impl FnOnce() -> T,
    ) -> Result<(usize, bool), E> {
        let entry = self.map.entry_with(hash, is_value)?;
        Ok(Self::insert_at_entry(entry, make))
    }

    /// What [`insert_with`](Set::insert_with) answers, once its lookup gave `entry`.
    fn insert_at_entry(entry: EntryWith<'_, T, ()>, make: impl FnOnce() -> T) -> (usize, bool) {
        match entry {
            EntryWith::Occupied(entry) => (entry.slot(), false),
            EntryWith::Vacant(entry) => {
                let slot = entry.insert_slot(make(), ());
                (slot, true)
            }
        }
    }

    /// [`insert_with`](Set::insert_with), looking the element up as
    /// [`find_with_identity`](Set::find_with_identity) does: `is_same` first, then the stored
    /// hash, then `is_value`.
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// let mut seen: vdict::Set<Rc<str>> = vdict::Set::new();
    /// let a: Rc<str> = Rc::from("a");
    /// let hash = vdict::hash_key(&*a);
    /// let add = |set: &mut vdict::Set<Rc<str>>, x: &Rc<str>| {
    ///     set.insert_with_identity(hash, |k| Rc::ptr_eq(k, x), |k| Ok::<_, ()>(k == x), || Rc::clone(x))
    /// };
    /// assert_eq!(add(&mut seen, &a), Ok((0, true)));
    /// assert_eq!(add(&mut seen, &a), Ok((0, false))); // found by identity
    /// assert_eq!(add(&mut seen, &Rc::from("a")), Ok((0, false))); // found by equality
    /// assert_eq!(seen.len(), 1);
    /// ```
    pub fn insert_with_identity<E>(
        &mut self,
        hash: u64,
        is_same: impl Fn(&T) -> bool,
        is_value: impl FnMut(&T) -> Result<bool, E>,
        make: impl FnOnce() -> T,
    ) -> Result<(usize, bool), E> {
        let entry = self.map.entry_with_identity(hash, is_same, is_value)?;
        Ok(Self::insert_at_entry(entry, make))
    }

    /// Removes the element in `slot` (O(1), the order of the rest kept) and returns it; `None`
    /// for a hole or past the end. Bumps both tags when it removes.
    pub fn remove_at(&mut self, slot: usize) -> Option<T> {
        self.map.remove_at(slot).map(|(value, ())| value)
    }

    /// A cursor over the live elements in order, for iteration across user code: see
    /// [`SlotCursor`], and [`SlotCursor::next_value`] for a set. (CPython raises
    /// "Set changed size during iteration" where the cursor answers
    /// [`IterationError::ChangedSize`].)
    pub fn slot_cursor(&self) -> SlotCursor {
        self.map.slot_cursor()
    }
}

impl SlotCursor {
    /// The next live element of `set` in order, with its slot; `Ok(None)` at the end. Fails,
    /// as [`next`](SlotCursor::next) does for a dict, once the set's elements changed since
    /// the cursor started.
    ///
    /// ```
    /// use vdict::dict::IterationError;
    ///
    /// let mut s: vdict::Set<i32> = [1, 2].into_iter().collect();
    /// let mut cursor = s.slot_cursor();
    /// assert_eq!(cursor.next_value(&s), Ok(Some((0, &1))));
    /// s.insert(3); // what a loop body may do
    /// assert_eq!(cursor.next_value(&s), Err(IterationError::ChangedSize));
    /// ```
    pub fn next_value<'s, T, S>(
        &mut self,
        set: &'s Set<T, S>,
    ) -> Result<Option<(usize, &'s T)>, IterationError> {
        Ok(self
            .next(set.as_dict())?
            .map(|(slot, value, ())| (slot, value)))
    }
}
