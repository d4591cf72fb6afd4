//! Identity first: the caller-compared lookups (`caller_eq.rs`) in CPython's exact order, for
//! an interpreter whose objects have an identity (a pointer) as well as an `__eq__`.
//!
//! CPython's `lookdict` asks three questions of every entry its probe meets: is the stored
//! key the very object sought (`ep->me_key == key`)? if not, is its stored hash the hash
//! sought? and only then, does `__eq__` say they are equal? The first costs a pointer compare
//! and runs no user code, and it is how almost every lookup in a running Python ends: names
//! are interned strings, and a global, an attribute or a keyword argument is looked up by the
//! very string object the dict holds.
//!
//! The `_identity` methods take the first question as a closure of its own, `is_same`, asked
//! before the stored hash is read; `is_key` (the `__eq__`) is asked as by
//! [`Dict::find_with`]. A key found by identity then costs what [`Dict::get`] of a
//! plain-word key costs, where `find_with` must compare stored hashes first (INTERNALS.md,
//! "Keys the caller compares"). Nothing here needs `K: Hash` or `K: Eq`.

use super::caller_eq::EntryWith;
use super::entries::SoughtHash;
use super::Dict;

impl<K, V, S> Dict<K, V, S> {
    /// The slot of the key sought, asking of each entry the probe for `hash` meets, in
    /// CPython's order: `is_same` (is it the very object sought?), then, if its stored hash
    /// is `hash`, `is_key` (are they equal?). The first entry either accepts is the answer;
    /// the first error of `is_key` ends the lookup and is returned as it is, the dict
    /// unchanged.
    ///
    /// `is_same` must be a test that implies equality and runs no user code: pointer
    /// identity (`Rc::ptr_eq`), or the key itself for keys that are plain values. It is asked
    /// about stored keys of other hashes too (the probe meets them), and may be asked more
    /// than once about one key, so it must answer the same each time. A key it accepts is found even if
    /// its stored hash is not `hash` (as in CPython, where an object whose hash changed is
    /// still found by identity wherever the probe meets it).
    ///
    /// Both closures run while the dict is borrowed; for an `__eq__` that may change the
    /// dict, ask `is_same` through this lookup with an `is_key` that answers `Ok(false)`,
    /// then walk the candidates with [`probe`](Dict::probe).
    ///
    /// ```
    /// use std::rc::Rc;
    /// use vdict::Dict;
    ///
    /// // Interpreter strings: compared by identity first, by content after.
    /// let mut globals: Dict<Rc<str>, i64> = Dict::new();
    /// let name: Rc<str> = Rc::from("counter");
    /// let hash = vdict::hash_key(&*name);
    /// globals.insert_unique(hash, Rc::clone(&name), 1);
    ///
    /// let mut eq_calls = 0;
    /// let mut eq = |stored: &Rc<str>, sought: &Rc<str>| {
    ///     eq_calls += 1;
    ///     Ok::<_, ()>(stored == sought)
    /// };
    /// // The interned name itself: found by identity, no `__eq__`.
    /// let found = globals.find_with_identity(hash, |k| Rc::ptr_eq(k, &name), |k| eq(k, &name));
    /// assert_eq!(found, Ok(Some(0)));
    /// // An equal string that is another object: found by equality.
    /// let copy: Rc<str> = Rc::from("counter");
    /// let found = globals.find_with_identity(hash, |k| Rc::ptr_eq(k, &copy), |k| eq(k, &copy));
    /// assert_eq!(found, Ok(Some(0)));
    /// assert_eq!(eq_calls, 1);
    /// ```
    #[inline]
    pub fn find_with_identity<E>(
        &self,
        hash: u64,
        is_same: impl Fn(&K) -> bool,
        is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        self.table
            .find_slot_fallible(SoughtHash::new(hash), is_same, is_key)
    }

    /// [`find_with_identity`](Dict::find_with_identity), handing out the stored key and the
    /// value.
    ///
    /// # Speed
    ///
    /// A key found by identity costs about what [`get`](Dict::get) costs, where
    /// [`get_with`](Dict::get_with) must compare stored hashes before it may call its closure.
    /// Callgrind, `u64` keys (each a plain value, its own identity), a small caller's loop,
    /// both closures written with `move` (`examples/profile_plain`): 38.6 instructions a hit
    /// against `get`'s 37.6 at 16 keys and 36.1 against 35.1 at 1,000 (`get_with`: 42.6 and
    /// 40.1), a miss as `get`'s. Past 65,536 entries the probe is a call, as `get`'s is, but a
    /// bigger one: 69.6 against 52.5 a hit at 100,000 keys. On the clock (the report's plain
    /// table, four runs): 1.01-1.02 x `get` for hits at 16 and 1,000 keys, 1.10-1.19 at
    /// 100,000 and 1,000,000.
    #[inline]
    pub fn get_with_identity<E>(
        &self,
        hash: u64,
        is_same: impl Fn(&K) -> bool,
        is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<(&K, &V)>, E> {
        let found = self
            .table
            .find_bucket_fallible(SoughtHash::new(hash), is_same, is_key)?;
        Ok(found.map(|bucket| (&bucket.key, &bucket.value)))
    }

    /// The entry for the key sought, looked up as by
    /// [`find_with_identity`](Dict::find_with_identity): occupied, or vacant, to insert the
    /// key under `hash` (as [`entry_with`](Dict::entry_with) does).
    ///
    /// ```
    /// use std::rc::Rc;
    /// use vdict::dict::EntryWith;
    ///
    /// let mut d: vdict::Dict<Rc<str>, i32> = vdict::Dict::new();
    /// let x: Rc<str> = Rc::from("x");
    /// let hash = vdict::hash_key(&*x);
    /// for _ in 0..3 {
    ///     let same = |k: &Rc<str>| Rc::ptr_eq(k, &x);
    ///     match d.entry_with_identity(hash, same, |k| Ok::<_, ()>(*k == x)).unwrap() {
    ///         EntryWith::Occupied(mut entry) => *entry.get_mut() += 1,
    ///         EntryWith::Vacant(entry) => {
    ///             entry.insert(Rc::clone(&x), 1);
    ///         }
    ///     }
    /// }
    /// assert_eq!(d.get_with_identity(hash, |k| Rc::ptr_eq(k, &x), |_| Ok::<_, ()>(false)), Ok(Some((&x, &3))));
    /// ```
    pub fn entry_with_identity<E>(
        &mut self,
        hash: u64,
        is_same: impl Fn(&K) -> bool,
        is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<EntryWith<'_, K, V>, E> {
        let found = self
            .table
            .find_fallible(SoughtHash::new(hash), is_same, is_key)?;
        Ok(self.entry_found(hash, found))
    }
}
