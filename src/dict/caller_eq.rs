//! Keys the caller compares: lookups and writes that take the key's hash from the caller and
//! let the caller decide equality, for interpreters whose keys hash and compare by running
//! user code (a Python's `__hash__` and `__eq__`), which may fail, needs the interpreter, and
//! may change the very dict being searched.
//!
//! Nothing here needs `K: Hash` or `K: Eq`: a dict used only through these methods may hold
//! keys that implement neither, as `hashbrown::HashTable` does. The dict never hashes such a
//! key; it keeps the hash it was given beside the entry, and asks the caller about a stored key
//! only when the stored hash equals the hash sought.
//!
//! Two ways to look up:
//! - [`Dict::find_with`]: the caller's equality runs while the dict is borrowed. For compares
//!   that cannot reach the dict (most keys: strings, numbers); an error ends the lookup and
//!   comes back unchanged, the dict as it was.
//! - [`Dict::probe`] and [`Dict::next_candidate`]: the candidates one at a time, each handed
//!   out with no borrow held while the caller compares, so the compare may run code that reads
//!   or changes the dict. The dict's keys version tells the caller when it must start again
//!   (see [`Probe`] for the protocol, CPython's `lookdict` in Rust).
//!
//! Both ask the stored hash before the caller's equality; `caller_identity.rs` has the same
//! lookups with an identity test asked first, CPython's exact order
//! ([`Dict::find_with_identity`]).
//!
//! And [`SlotCursor`] iterates by slot across user code, reporting "dictionary changed size
//! during iteration" as CPython does.

use super::entries::{SoughtHash, StoredHash};
use super::entry::OccupiedEntry;
use super::table::{Found, Table};
use super::{Dict, Tags};
use crate::version::Version;
use std::fmt;

/// A lookup in progress, walked with [`Dict::next_candidate`] while the caller holds no borrow
/// of the dict. It owns its state (the hash, the slot after the last candidate it handed out,
/// the keys version it started from), so the caller may run user code, which may change the dict,
/// between steps.
///
/// # The protocol
///
/// ```text
/// 'restart: loop {
///     let mut probe = dict.probe(hash);                  // borrow, release
///     loop {
///         match dict.next_candidate(&mut probe) {        // borrow, release
///             Candidate::Absent => return None,
///             Candidate::Changed => continue 'restart,   // the dict changed: start again
///             Candidate::Key { slot, key } => {
///                 let stored = key.clone();               // e.g. an Rc: no borrow kept
///                 let equal = user_eq(&stored, &sought)?; // may run code that changes the dict
///                 if equal {
///                     if dict.keys_version() != probe.keys_version() {
///                         continue 'restart;             // the slot may not be the key's now
///                     }
///                     return Some(slot);
///                 }
///             }
///         }
///     }
/// }
/// ```
///
/// - A candidate is a live entry whose stored hash equals the hash sought, in slot order
///   (the order the live entries were inserted in); entries of other hashes are never handed
///   out, so the caller's `__eq__` runs only where CPython's would. Slot order, not the order
///   of the index's buckets: the index may be rehashed in place (by an insert that overwrites,
///   a `reserve`, a `shrink_to_fit`) without any key or slot changing, so without the keys
///   version changing; slots stand still while it does. (One exception: the dict stores every
///   hash with bit 56 set, so keys whose hashes differ in that bit alone are candidates for
///   each other. An interpreter that must never compare two such keys, as CPython never
///   would, can compare the full hashes in its `__eq__` step, when its objects keep them.)
/// - `next_candidate` answers [`Candidate::Changed`] once the dict's keys version differs
///   from the one the probe started from: a key came or went, or slots moved, so what the
///   probe has walked may no longer be the dict's. The caller starts a new probe.
/// - After a compare that said "equal", the caller checks [`Probe::keys_version`] against the
///   dict's once more before trusting the slot: the compare itself may have changed the dict.
/// - An error from the compare is the caller's to return; the dict is as the compare left it.
///
/// CPython restarts only when the entry compared or the table itself changed; vdict restarts
/// on any change of the key set. Both return the same answer (a restart looks the key up in
/// the dict as it now is), but a compare that adds or removes other keys runs again under
/// vdict where CPython would carry on.
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    hash: StoredHash,
    /// The next candidate is the first at this slot or after it.
    next_slot: usize,
    keys_version: Version,
}

impl Probe {
    /// The dict's keys version when the probe started.
    pub fn keys_version(&self) -> Version {
        self.keys_version
    }

    /// The hash sought, as the dict stores it (with bit 56 set).
    pub fn hash(&self) -> u64 {
        self.hash.get()
    }
}

/// One step of a [`Probe`].
#[derive(Debug, PartialEq, Eq)]
pub enum Candidate<'d, K> {
    /// A live entry whose stored hash is the one sought: compare its key.
    Key {
        /// Where the entry lives.
        slot: usize,
        /// Its key, to clone (or otherwise copy out) before comparing without a borrow.
        key: &'d K,
    },
    /// No candidate is left: the key is absent.
    Absent,
    /// The dict's keys changed since the probe started: start a new probe.
    Changed,
}

/// The place of a key looked up with [`Dict::entry_with`].
pub enum EntryWith<'a, K, V> {
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V>),
    /// The key is absent.
    Vacant(VacantEntryWith<'a, K, V>),
}

/// An absent key's place, found with the caller's equality: inserting takes the key.
pub struct VacantEntryWith<'a, K, V> {
    table: &'a mut Table<K, V>,
    tags: &'a mut Tags,
    hash: StoredHash,
}

impl<'a, K, V> VacantEntryWith<'a, K, V> {
    /// Inserts `key` (which the caller's equality found absent) with `value`, at the end of
    /// the order, under the hash the lookup was given. Bumps both tags.
    pub fn insert(self, key: K, value: V) -> &'a mut V {
        let (table, slot) = self.push(key, value);
        &mut table.entries_mut()[slot]
            .as_mut()
            .expect("vdict: a just-pushed slot is live")
            .value
    }

    /// [`insert`](VacantEntryWith::insert), answering the new entry's slot.
    pub(crate) fn insert_slot(self, key: K, value: V) -> usize {
        self.push(key, value).1
    }

    /// Appends the entry and bumps both tags; hands back the table and the new slot.
    fn push(self, key: K, value: V) -> (&'a mut Table<K, V>, usize) {
        let slot = self
            .table
            .push_vacant(super::table::Vacant, self.hash, key, value);
        self.tags.keys_changed();
        (self.table, slot)
    }
}

impl<K, V> fmt::Debug for EntryWith<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryWith::Occupied(entry) => f
                .debug_struct("Occupied")
                .field("slot", &entry.slot())
                .finish(),
            EntryWith::Vacant(_) => f.write_str("Vacant"),
        }
    }
}

/// Why a [`SlotCursor`] stopped: the dict changed under it, as CPython's dict iterator
/// reports with `RuntimeError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IterationError {
    /// Keys were added or removed: "dictionary changed size during iteration".
    ChangedSize,
    /// The number of keys is the same but the keys (or their slots) changed: "dictionary keys
    /// changed during iteration".
    KeysChanged,
}

impl fmt::Display for IterationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IterationError::ChangedSize => "dictionary changed size during iteration",
            IterationError::KeysChanged => "dictionary keys changed during iteration",
        })
    }
}

impl std::error::Error for IterationError {}

/// Iteration by slot that holds no borrow between steps, for an interpreter whose loop body
/// runs user code that may change the dict: each [`next`](SlotCursor::next) borrows the dict
/// only for the step, and fails once the dict's keys changed since the cursor started (values
/// may change freely: CPython allows `d[k] = v` for a key already present while iterating).
#[derive(Clone, Copy, Debug)]
pub struct SlotCursor {
    next_slot: usize,
    len: usize,
    keys_version: Version,
}

impl SlotCursor {
    /// The next live entry in order: its slot, key and value; `Ok(None)` at the end.
    pub fn next<'d, K, V, S>(
        &mut self,
        dict: &'d Dict<K, V, S>,
    ) -> Result<Option<(usize, &'d K, &'d V)>, IterationError> {
        if dict.keys_version() != self.keys_version {
            return Err(if dict.len() != self.len {
                IterationError::ChangedSize
            } else {
                IterationError::KeysChanged
            });
        }
        while self.next_slot < dict.slot_count() {
            let slot = self.next_slot;
            self.next_slot += 1;
            if let Some((key, value)) = dict.slot(slot) {
                return Ok(Some((slot, key, value)));
            }
        }
        Ok(None)
    }
}

impl<K, V, S> Dict<K, V, S> {
    /// The slot of the key the caller's `is_key` accepts among the entries stored under
    /// `hash`, or `None`. `is_key` is asked only about stored keys whose stored hash equals
    /// `hash` (as CPython calls `__eq__` only then); its first error ends the lookup and is
    /// returned as it is, the dict unchanged. `hash` is the caller's: any `u64`, as long as
    /// equal keys get equal hashes.
    ///
    /// `is_key` runs while the dict is borrowed; for a compare that may need to change the dict,
    /// walk the candidates with [`probe`](Dict::probe) instead.
    ///
    /// ```
    /// use vdict::Dict;
    ///
    /// // Keys that are neither Hash nor Eq: the interpreter hashes and compares them.
    /// struct Obj(f64);
    /// let hash_of = |x: f64| x.to_bits();
    /// let mut d: Dict<Obj, &str> = Dict::new();
    /// d.insert_unique(hash_of(1.5), Obj(1.5), "one and a half");
    ///
    /// let found = d.find_with(hash_of(1.5), |k| Ok::<_, String>(k.0 == 1.5));
    /// assert_eq!(found, Ok(Some(0)));
    /// let failed = d.find_with(hash_of(1.5), |_| Err("TypeError: unhashable".to_string()));
    /// assert_eq!(failed, Err("TypeError: unhashable".to_string()));
    /// ```
    #[inline]
    pub fn find_with<E>(
        &self,
        hash: u64,
        is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        self.table
            .find_slot_fallible(SoughtHash::new(hash), |_| false, is_key)
    }

    /// [`find_with`](Dict::find_with), handing out the stored key and the value.
    ///
    /// # Speed
    ///
    /// For a key the closure compares as a plain word (an integer, a symbol id), write the
    /// closure with `move` (`move |stored| Ok(stored == key)`, `key` being a reference): it
    /// then holds the key's address rather than the address of the variable holding it, which
    /// need not be put in memory, and a small caller's loop gets the lookup inlined, as it gets
    /// [`get`](Dict::get). Measured (callgrind, 1,000 `u64` keys, a lookup through a small
    /// generic function): 40.1 instructions a hit with `move`, 57.1 without (the lookup then
    /// stays a call), against `get`'s 35.1; the difference that remains is the compare of
    /// stored hashes, which `get` of a plain-word key skips and this cannot.
    #[inline]
    pub fn get_with<E>(
        &self,
        hash: u64,
        is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<(&K, &V)>, E> {
        let found = self
            .table
            .find_bucket_fallible(SoughtHash::new(hash), |_| false, is_key)?;
        Ok(found.map(|bucket| (&bucket.key, &bucket.value)))
    }

    /// Starts a lookup of `hash` whose candidates the caller compares one by one, holding no
    /// borrow of the dict while it does: see [`Probe`] for the protocol.
    pub fn probe(&self, hash: u64) -> Probe {
        Probe {
            hash: StoredHash::new(hash),
            next_slot: 0,
            keys_version: self.keys_version(),
        }
    }

    /// The next candidate of `probe`: a live entry whose stored hash is the one sought, or the
    /// news that there is none left, or that the dict's keys changed since the probe started.
    /// Calls no user code.
    pub fn next_candidate(&self, probe: &mut Probe) -> Candidate<'_, K> {
        if self.keys_version() != probe.keys_version {
            return Candidate::Changed;
        }
        match self.table.first_candidate_from(probe.hash, probe.next_slot) {
            Some(slot) => {
                probe.next_slot = slot + 1;
                let key = self.slot(slot).map(|(key, _)| key);
                Candidate::Key {
                    slot,
                    key: key.expect("vdict: a candidate slot is live"),
                }
            }
            None => Candidate::Absent,
        }
    }

    /// Inserts `key` with `value` under `hash`, for a key the caller knows to be absent (it
    /// looked it up with its own equality). Returns the new entry's slot; bumps both tags.
    ///
    /// Nothing checks that the key is absent: inserting a key twice stores it twice, both
    /// reachable by the caller's lookups (which one a lookup finds first is unspecified),
    /// neither corrupting the dict. In a dict also used through its own hasher (`get`, `insert`), `hash` must be
    /// the dict's hash of the key ([`hash_key`](Dict::hash_key)), or those lookups will not
    /// find it (`check_invariants` reports such an entry).
    pub fn insert_unique(&mut self, hash: u64, key: K, value: V) -> usize {
        let slot = self
            .table
            .push_vacant(super::table::Vacant, StoredHash::new(hash), key, value);
        self.tags.keys_changed();
        slot
    }

    /// Replaces the value in `slot`, returning the old one; gives `value` back if the slot is a
    /// hole or past the end. Bumps the version when it replaces.
    pub fn replace_at(&mut self, slot: usize, value: V) -> Result<V, V> {
        match self.slot_mut(slot) {
            Some((_, stored)) => Ok(std::mem::replace(stored, value)),
            None => Err(value),
        }
    }

    /// Removes the entry in `slot` (O(1), the order of the rest kept), returning its key and
    /// value; `None` for a hole or past the end. Bumps both tags when it removes.
    pub fn remove_at(&mut self, slot: usize) -> Option<(K, V)> {
        self.slot(slot)?;
        let bucket = self.table.take_slot(slot);
        self.tags.keys_changed();
        self.table.compact_if_sparse();
        Some((bucket.key, bucket.value))
    }

    /// The entry for the key that the caller's `is_key` accepts among those stored under
    /// `hash` (see [`find_with`](Dict::find_with)): occupied, to read, change or remove in
    /// place; or vacant, to insert the key, which the caller hands over then.
    ///
    /// ```
    /// use vdict::dict::EntryWith;
    ///
    /// let mut counts: vdict::Dict<String, u32> = vdict::Dict::new();
    /// for word in ["spam", "eggs", "spam"] {
    ///     let hash = vdict::hash_key(word);
    ///     match counts.entry_with(hash, |k| Ok::<_, ()>(k == word)).unwrap() {
    ///         EntryWith::Occupied(mut entry) => *entry.get_mut() += 1,
    ///         EntryWith::Vacant(entry) => {
    ///             entry.insert(word.to_string(), 1);
    ///         }
    ///     }
    /// }
    /// assert_eq!(counts["spam"], 2);
    /// ```
    pub fn entry_with<E>(
        &mut self,
        hash: u64,
        is_key: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<EntryWith<'_, K, V>, E> {
        let found = self
            .table
            .find_fallible(SoughtHash::new(hash), |_| false, is_key)?;
        Ok(self.entry_found(hash, found))
    }

    /// The entry at `found` (a lookup of `hash`): occupied there, or vacant.
    pub(super) fn entry_found(&mut self, hash: u64, found: Option<Found>) -> EntryWith<'_, K, V> {
        match found {
            Some(found) => {
                EntryWith::Occupied(OccupiedEntry::new(&mut self.table, &mut self.tags, found))
            }
            None => EntryWith::Vacant(VacantEntryWith {
                table: &mut self.table,
                tags: &mut self.tags,
                hash: StoredHash::new(hash),
            }),
        }
    }

    /// A cursor over the live entries in order, for iteration across user code: see
    /// [`SlotCursor`].
    ///
    /// ```
    /// use vdict::dict::IterationError;
    ///
    /// let mut d: vdict::Dict<&str, i32> = [("a", 1), ("b", 2)].into_iter().collect();
    /// let mut cursor = d.slot_cursor();
    /// assert_eq!(cursor.next(&d), Ok(Some((0, &"a", &1))));
    /// d.insert("c", 3); // what a loop body may do
    /// assert_eq!(cursor.next(&d), Err(IterationError::ChangedSize));
    /// ```
    pub fn slot_cursor(&self) -> SlotCursor {
        SlotCursor {
            next_slot: 0,
            len: self.len(),
            keys_version: self.keys_version(),
        }
    }
}
