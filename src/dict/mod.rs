//! `Dict`: the public, safe façade over the compact table.
//!
//! The table (`table/`) knows cells, entries and hashes. This file adds what a user sees:
//! the hasher, lookups by any `Equivalent` form of the key, and the two version tags, bumped by the rules on
//! [`Dict`]. Every method here follows one pattern: hash the key (user code), find it (user
//! code: `Eq`), then change the table (no user code), then bump the versions; anything that
//! drops a user's key or value does so last, once the dict is consistent again. So a panic in
//! `Hash`, `Eq` or `Drop` can never leave the table half changed.

mod bulk;
mod caller_eq;
mod caller_identity;
mod entries;
mod entry;
mod entry_ref;
pub(crate) mod index;
mod invariants;
mod iter;
mod mutable;
mod positions;
mod ranks;
mod raw_entry;
#[cfg(feature = "rayon")]
mod rayon;
#[cfg(feature = "serde")]
pub mod serde_seq;
mod slice;
mod slice_mut;
mod table;
mod tags;
mod traits;

#[cfg(feature = "rayon")]
pub use self::rayon::{IntoParIter, ParDrain, ParIter, ParIterMut};
pub use bulk::{ExtractIf, Splice};
pub use caller_eq::{Candidate, EntryWith, IterationError, Probe, SlotCursor, VacantEntryWith};
pub use entry::{Entry, OccupiedEntry, VacantEntry};
pub use mutable::{MutableEntryKey, MutableKeys};
pub use raw_entry::{
    RawEntryApiV1, RawEntryBuilder, RawEntryBuilderMut, RawEntryMut, RawOccupiedEntryMut,
    RawVacantEntryMut,
};
pub use slice::Slice;
pub use slice_mut::{EntryAndRest, SliceMut};

/// indexmap's `IndexedEntry` (what `get_index_entry` returns): here the same type as an
/// [`OccupiedEntry`], which already knows its position.
pub type IndexedEntry<'a, K, V> = OccupiedEntry<'a, K, V>;
pub use entry_ref::{EntryRef, VacantEntryRef};
pub use iter::{
    Drain, IntoIter, IntoKeys, IntoValues, Iter, IterMut, IterMut2, Keys, Values, ValuesMut,
};

pub use crate::hasher::DefaultHashBuilder;
use crate::version::Version;
use entries::{EntrySlot, SoughtHash, StoredHash};
use equivalent::Equivalent;
use std::hash::{BuildHasher, Hash};
use table::{Inserted, Table};
pub(crate) use tags::Tags;

/// Why [`Dict::try_reserve`] could not make room: the capacity asked for does not fit in the
/// address space, or the allocator refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TryReserveError {
    cause: ReserveFailure,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum ReserveFailure {
    Entries(std::collections::TryReserveError),
    Index(hashbrown::TryReserveError),
}

impl TryReserveError {
    pub(crate) fn entries(error: std::collections::TryReserveError) -> Self {
        TryReserveError {
            cause: ReserveFailure::Entries(error),
        }
    }

    pub(crate) fn index(error: hashbrown::TryReserveError) -> Self {
        TryReserveError {
            cause: ReserveFailure::Index(error),
        }
    }
}

impl std::fmt::Display for TryReserveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            ReserveFailure::Entries(error) => write!(f, "vdict: entries array: {error}"),
            ReserveFailure::Index(hashbrown::TryReserveError::CapacityOverflow) => {
                f.write_str("vdict: index: capacity overflow")
            }
            ReserveFailure::Index(hashbrown::TryReserveError::AllocError { layout }) => write!(
                f,
                "vdict: index: memory allocation of {} bytes failed",
                layout.size()
            ),
        }
    }
}

impl std::error::Error for TryReserveError {}

/// Why [`Dict::get_disjoint_indices_mut`] refused (indexmap's error of the same name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetDisjointMutError {
    /// A position was not below the length.
    IndexOutOfBounds,
    /// The same position was asked for twice.
    OverlappingIndices,
}

impl std::fmt::Display for GetDisjointMutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GetDisjointMutError::IndexOutOfBounds => "a position is out of bounds",
            GetDisjointMutError::OverlappingIndices => "the same position was given twice",
        })
    }
}

impl std::error::Error for GetDisjointMutError {}

/// One bucket of the index, as [`Dict::index_cells`] shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexCellView {
    /// Holds no slot: never used, or left by a deletion (hashbrown's EMPTY and DELETED control
    /// bytes, which its public API does not tell apart).
    Free,
    /// Holds the slot of a live entry.
    Live {
        /// The entry's position in the entries array.
        slot: usize,
        /// The top 7 bits of the entry's hash, which the bucket's control byte holds: what a
        /// lookup compares, 16 buckets at a time, before it reads any entry.
        tag: u8,
    },
}

/// An insertion-ordered hash map laid out like CPython 3.6's dict, carrying PEP 509 version tags.
///
/// Iteration follows insertion order; overwriting a key keeps its place; removing a key is O(1)
/// and keeps the order of the rest. Lookups take any borrowed form of the key, as in std.
///
/// # Version rules
///
/// [`version`](Dict::version) is a tag that changes whenever the content may have changed, and
/// [`keys_version`](Dict::keys_version) one that changes whenever the set of keys, or the slot
/// each key lives in, may have changed. Both come from a process-wide supply that never repeats.
///
/// | operation | `version` | `keys_version` |
/// |---|---|---|
/// | `new`, `with_*`, `default`, `from_iter` | fresh | fresh |
/// | `clone` | fresh | kept: the clone has the very same slots |
/// | `insert` of a new key, `Entry` insert of a vacant key | bumped | bumped |
/// | `insert` over an existing key | bumped | unchanged |
/// | `remove` / `remove_entry` of a present key, `pop_last` of a non-empty dict | bumped | bumped |
/// | `clear`, `drain` of a non-empty dict | bumped | bumped |
/// | `retain` that drops something | bumped | bumped |
/// | anything handing out `&mut V`: `get_mut` (key present), `iter_mut` and `values_mut` and `retain_mut` (non-empty dict), an occupied `Entry`'s `get_mut` / `into_mut` / `insert`, `or_insert*` | bumped | unchanged unless a key was added |
/// | `reserve`, `shrink_to_fit` | unchanged | bumped if they squeezed out holes (slots moved) |
/// | reads, iteration, `remove` of a missing key, `clear` of an empty dict | unchanged | unchanged |
///
/// Where CPython skips the bump because the old and new value are the same object, vdict
/// bumps: Rust moves a new value in and cannot observe identity. A spurious bump costs a cache
/// one miss; a missing bump would let it return a stale value.
///
/// ```
/// use vdict::Dict;
///
/// let mut globals = Dict::new();
/// globals.insert("x", 1);
/// globals.insert("y", 2);
/// let (v, kv) = (globals.version(), globals.keys_version());
///
/// globals.insert("x", 10); // overwrite: content changed, keys did not
/// assert_ne!(globals.version(), v);
/// assert_eq!(globals.keys_version(), kv);
///
/// globals.remove("x"); // delete: both change; the order of the rest is kept
/// assert_ne!(globals.keys_version(), kv);
/// globals.insert("x", 3); // back in, at the end
/// assert_eq!(globals.keys().copied().collect::<Vec<_>>(), ["y", "x"]);
/// ```
pub struct Dict<K, V, S = DefaultHashBuilder> {
    table: Table<K, V>,
    hash_builder: S,
    tags: Tags,
}

impl<K, V> Dict<K, V> {
    /// An empty dict. It allocates nothing until the first insert.
    pub fn new() -> Self {
        Dict::with_hasher(DefaultHashBuilder::default())
    }

    /// An empty dict that takes `capacity` inserts without allocating.
    ///
    /// Panics with "capacity overflow" if that many entries cannot be addressed.
    pub fn with_capacity(capacity: usize) -> Self {
        Dict::with_capacity_and_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> Dict<K, V, S> {
    /// An empty dict hashing with `hash_builder`.
    ///
    /// Dicts that share interned, pre-hashed names (see [`get_with_hash`](Dict::get_with_hash))
    /// must hash alike. Every [`DefaultHashBuilder`] of a process does; with another hasher,
    /// build them all from clones of one `hash_builder`. (The caches check this where a
    /// mismatch could change an answer, and panic rather than answer wrongly.)
    pub fn with_hasher(hash_builder: S) -> Self {
        Dict::with_capacity_and_hasher(0, hash_builder)
    }

    /// An empty dict hashing with `hash_builder` that takes `capacity` inserts without
    /// allocating.
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        Dict {
            table: Table::with_capacity(capacity),
            hash_builder,
            tags: Tags::fresh(),
        }
    }

    /// The dict's hasher.
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Number of live entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether the dict holds no entry.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    /// How many entries the dict holds without allocating: `capacity() - len()` more inserts
    /// allocate nothing (indexmap's meaning). Holes that deletions left in the entries array
    /// count against it until they are squeezed out.
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// The dict's version tag (PEP 509's `ma_version_tag`): see the rules on [`Dict`].
    #[inline]
    pub fn version(&self) -> Version {
        self.tags.version()
    }

    /// The dict's keys version (CPython 3.11's `dk_version`): changes whenever a key is added or
    /// removed, on `clear` of a non-empty dict, and whenever holes are squeezed out (slots move), and never on
    /// a value overwrite. While it is unchanged, [`get_slot`](Dict::get_slot) answers for
    /// every key are unchanged too, which is what a slot cache relies on.
    #[inline]
    pub fn keys_version(&self) -> Version {
        self.tags.keys_version()
    }

    /// Removes every entry, keeping the table's memory. Bumps both tags if the dict held
    /// anything; a dict that is already empty is left alone (its tags included).
    ///
    /// The dict is empty before the first value is dropped, so a panicking `Drop` leaves it
    /// empty and consistent (the remaining values are still dropped).
    pub fn clear(&mut self) {
        if !self.is_empty() {
            self.tags.keys_changed();
            self.table.clear();
        }
    }

    /// Makes room for `additional` more inserts without allocating. If the entries array must
    /// grow and has holes, they are squeezed out first, which moves slots and bumps
    /// [`keys_version`](Dict::keys_version); never the version.
    ///
    /// Panics with "capacity overflow" if that many entries cannot be addressed.
    pub fn reserve(&mut self, additional: usize) {
        if self.table.reserve(additional) {
            self.tags.layout_changed();
        }
    }

    /// The same as [`reserve`](Dict::reserve): the entries array already grows by exactly what
    /// is asked. (indexmap's name, kept for a drop-in.)
    pub fn reserve_exact(&mut self, additional: usize) {
        self.reserve(additional);
    }

    /// [`reserve`](Dict::reserve) that returns an error instead of panicking or aborting when
    /// the capacity overflows or the allocator fails. The dict is unchanged by a failure,
    /// except that its holes may have been squeezed out (bumping
    /// [`keys_version`](Dict::keys_version), as `reserve` would).
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        let (squeezed, outcome) = self.table.try_reserve(additional, false);
        if squeezed {
            self.tags.layout_changed();
        }
        outcome
    }

    /// [`try_reserve`](Dict::try_reserve) asking for no more than `additional`.
    pub fn try_reserve_exact(&mut self, additional: usize) -> Result<(), TryReserveError> {
        let (squeezed, outcome) = self.table.try_reserve(additional, true);
        if squeezed {
            self.tags.layout_changed();
        }
        outcome
    }

    /// Shrinks the entries array and the index toward `min_capacity`, never below what the
    /// live entries need, squeezing out the holes (which bumps
    /// [`keys_version`](Dict::keys_version) if there were any).
    pub fn shrink_to(&mut self, min_capacity: usize) {
        if self.table.shrink_to(min_capacity) {
            self.tags.layout_changed();
        }
    }

    /// Shrinks the entries array and the index to the smallest that hold the live entries,
    /// squeezing out the holes; an empty dict frees all its memory. Bumps
    /// [`keys_version`](Dict::keys_version) if it squeezed out holes (slots moved); never the
    /// version.
    pub fn shrink_to_fit(&mut self) {
        if self.table.shrink_to_fit() {
            self.tags.layout_changed();
        }
    }

    /// Removes and returns the last inserted entry, like Python's `dict.popitem()`. O(1).
    /// Bumps both tags when it removes something.
    pub fn pop_last(&mut self) -> Option<(K, V)> {
        let bucket = self.table.pop_last()?;
        self.tags.keys_changed();
        Some((bucket.key, bucket.value))
    }

    /// The last inserted entry (the one [`pop_last`](Dict::pop_last) would remove).
    pub fn last(&self) -> Option<(&K, &V)> {
        let bucket = self.table.entries().last()?.as_ref()?;
        Some((&bucket.key, &bucket.value))
    }

    /// The first entry in iteration order.
    pub fn first(&self) -> Option<(&K, &V)> {
        self.iter().next()
    }

    /// Reads entry slot `slot` directly: `None` for a hole or past the end. Slots are stable
    /// while [`keys_version`](Dict::keys_version) is; see [`get_slot`](Dict::get_slot).
    #[inline]
    pub fn slot(&self, slot: usize) -> Option<(&K, &V)> {
        let bucket = self.table.entries().get(slot)?.as_ref()?;
        Some((&bucket.key, &bucket.value))
    }

    /// Where the value of live slot `slot` lies, in bytes from the start of the entries
    /// array: what the slot cache remembers, so that a hit finds the value with one addition
    /// instead of a multiplication by the entry's size. `None` for a hole or past the end.
    pub(crate) fn value_offset(&self, slot: usize) -> Option<usize> {
        self.live_values().value_offset(slot)
    }

    /// [`value_offset`](Self::value_offset) of a slot the caller knows is live.
    ///
    /// # Panics
    ///
    /// If `slot` is a hole or past the end.
    pub(crate) fn live_value_offset(&self, slot: usize) -> usize {
        self.value_offset(slot)
            .expect("vdict: live_value_offset of a hole or past the end")
    }

    /// Whether `offset` is what [`value_offset`](Self::value_offset) gives for some live
    /// slot: the proof the unchecked reads rely on, checked in debug builds.
    fn is_live_value_offset(&self, offset: usize) -> bool {
        self.live_values().is_live_value_offset(offset)
    }

    /// The value at `offset` (from [`value_offset`](Self::value_offset)), read without a
    /// bounds check or a hole test: for the slot cache, whose keys-version compare has
    /// already proved the slot live (see `cache::SlotCache::hit`). A debug build checks the
    /// proof anyway.
    ///
    /// # Safety
    ///
    /// As [`LiveValues::value_at_live_offset`]: `offset` is a live value's offset in this
    /// dict (or in one it is a clone of) taken under its current keys version.
    #[inline]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn value_at_live_offset(&self, offset: usize) -> &V {
        // SAFETY: the caller's guarantee is the one `LiveValues` asks for.
        unsafe { self.live_values().value_at_live_offset(offset) }
    }

    /// The entries array, borrowed, for reads at offsets from
    /// [`value_offset`](Self::value_offset) (`cache::Namespaces` keeps one per dict, so a
    /// hit reads the array's start from the token rather than through the dict).
    #[inline]
    pub(crate) fn live_values(&self) -> LiveValues<'_, K, V> {
        LiveValues {
            entries: self.table.entries(),
        }
    }

    /// [`value_at_live_offset`](Self::value_at_live_offset) for writing: the slot cache's
    /// store. Bumps the version, as every write does.
    ///
    /// # Safety
    ///
    /// As [`value_at_live_offset`](Self::value_at_live_offset).
    #[inline]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn value_at_live_offset_mut(&mut self, offset: usize) -> &mut V {
        debug_assert!(
            self.is_live_value_offset(offset),
            "vdict: value_at_live_offset_mut({offset}) is not a live value's offset"
        );
        self.tags.values_changed();
        let entries = self.table.entries_mut().as_mut_ptr();
        // SAFETY: as in `value_at_live_offset`; `&mut self` makes the access unique.
        unsafe { &mut *entries.cast::<u8>().add(offset).cast::<V>() }
    }

    /// Mutable access to entry slot `slot`. Bumps the version when it hands out a value.
    pub fn slot_mut(&mut self, slot: usize) -> Option<(&K, &mut V)> {
        let bucket = self.table.entries_mut().get_mut(slot)?.as_mut()?;
        self.tags.values_changed();
        Some((&bucket.key, &mut bucket.value))
    }

    /// The number of slots in use, live or holes: every `slot(i)` with `i >= slot_count()` is
    /// `None`.
    pub fn slot_count(&self) -> usize {
        self.table.entries().len()
    }

    /// The index, bucket by bucket: for teaching, debugging and tests (INTERNALS.md walks a
    /// table with it). O(buckets); one free bucket for a dict that has not allocated yet.
    ///
    /// ```
    /// use vdict::dict::IndexCellView;
    /// let mut d = vdict::Dict::new();
    /// d.insert("a", 1);
    /// let cells = d.index_cells();
    /// assert!(cells.len().is_power_of_two());
    /// assert_eq!(cells.iter().filter(|c| matches!(c, IndexCellView::Live { slot: 0, .. })).count(), 1);
    /// ```
    pub fn index_cells(&self) -> Vec<IndexCellView> {
        let index = self.table.index();
        let entries = self.table.entries();
        (0..index.buckets())
            .map(|bucket| match index.slot_in_bucket(bucket) {
                None => IndexCellView::Free,
                Some(slot) => IndexCellView::Live {
                    slot,
                    tag: entries[slot]
                        .as_ref()
                        .map_or(0, |entry| index::control_tag(entry.hash.get())),
                },
            })
            .collect()
    }

    /// Bytes of heap this dict owns: its index and its entries array (by capacity). The
    /// heap its keys and values own themselves (a `String`'s buffer) is not counted.
    pub fn heap_bytes(&self) -> usize {
        self.table.heap_bytes()
    }

    /// Keeps the entries for which `keep` returns true, in order, and drops the others; `keep`
    /// may change the values on the way (as in std and indexmap). Because it hands out `&mut
    /// V`, it bumps the version of any non-empty dict; both tags if it drops anything.
    ///
    /// O(n): its first deletions are made one at a time, as by [`remove`](Dict::remove); once
    /// they pass a few in a hundred, the survivors slide down over the holes as it goes and
    /// the index is rebuilt once at the end (so slots move).
    ///
    /// A panic in `keep` or in a dropped entry's `Drop` leaves the dict consistent, holding
    /// the entries not yet dropped.
    pub fn retain(&mut self, keep: impl FnMut(&K, &mut V) -> bool) {
        if !self.is_empty() {
            self.tags.values_changed();
        }
        let mut keep = keep;
        self.retain_slots(|key, value| keep(key, value));
    }

    /// The same as [`retain`](Dict::retain) (its name in earlier versions of vdict, when
    /// `retain` lent `&V`).
    pub fn retain_mut(&mut self, keep: impl FnMut(&K, &mut V) -> bool) {
        self.retain(keep);
    }

    /// `retain`'s walk, lending the key mutably too (for `MutableKeys::retain2`); the caller
    /// bumps the tags that lending calls for.
    pub(crate) fn retain_slots(&mut self, keep: impl FnMut(&mut K, &mut V) -> bool) {
        let tags = &mut self.tags;
        if self.table.retain(keep, || tags.keys_changed()) {
            self.tags.layout_changed();
        }
    }

    /// Iterates over `(&K, &V)` in insertion order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        let table = &self.table;
        let (live, live_front, gap) = table.walk_shape();
        Iter::past_gap(table.entries().iter(), live, live_front, gap)
    }

    /// Iterates over `(&K, &mut V)` in insertion order. Bumps the version of a non-empty dict.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        if !self.is_empty() {
            self.tags.values_changed();
        }
        let (live, live_front, gap) = self.table.walk_shape();
        IterMut::past_gap(self.table.entries_mut().iter_mut(), live, live_front, gap)
    }

    /// Iterates over the keys in insertion order.
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys::new(self.iter())
    }

    /// Iterates over the values in insertion order.
    pub fn values(&self) -> Values<'_, K, V> {
        Values::new(self.iter())
    }

    /// Iterates over `&mut V` in insertion order. Bumps the version of a non-empty dict.
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut::new(self.iter_mut())
    }

    /// Consumes the dict, handing out its keys in insertion order.
    pub fn into_keys(self) -> IntoKeys<K, V> {
        IntoKeys::new(self.into_iter())
    }

    /// Consumes the dict, handing out its values in insertion order.
    pub fn into_values(self) -> IntoValues<K, V> {
        IntoValues::new(self.into_iter())
    }
}

impl<K, V, S> Dict<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    /// The hash this dict computes for `key`: what [`get_with_hash`](Dict::get_with_hash) and
    /// friends expect. An interpreter computes it once per interned name.
    #[inline]
    pub fn hash_key<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.hash_builder.hash_one(key)
    }

    #[inline]
    fn stored_hash<Q: Hash + ?Sized>(&self, key: &Q) -> StoredHash {
        StoredHash::new(self.hash_builder.hash_one(key))
    }

    #[inline]
    fn find<Q>(&self, hash: SoughtHash, key: &Q) -> Option<table::Found>
    where
        Q: Equivalent<K> + ?Sized,
    {
        self.table.find(hash, |stored| key.equivalent(stored))
    }

    /// The slot `key` lives in, hashing it only when the dict has entries. The probe reads
    /// no index bucket's number (which only a removal needs), and is inlined where a `get`
    /// is: callgrind, `examples/profile_api <map> get_index_of 1000`, 68.1 -> 39.2
    /// instructions a lookup with it (indexmap 60.2).
    #[inline]
    fn slot_of_key<Q>(&self, key: &Q) -> Option<usize>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        if self.table.len() == 0 {
            return None;
        }
        self.table
            .find_slot_and_bucket(SoughtHash::new(self.hash_key(key)), |stored| {
                key.equivalent(stored)
            })
            .map(|(slot, _)| slot)
    }

    /// The entry for `key`, for read-only lookups (one pass: no second index of the entries).
    #[inline]
    fn bucket_of<Q>(&self, key: &Q) -> Option<&entries::Bucket<K, V>>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.table
            .find_bucket(SoughtHash::new(self.hash_key(key)), |stored| {
                key.equivalent(stored)
            })
    }

    /// The value for `key`.
    ///
    /// ```
    /// let mut d = vdict::Dict::new();
    /// d.insert(String::from("len"), 1);
    /// assert_eq!(d.get("len"), Some(&1)); // look up a String key with a &str
    /// assert_eq!(d.get("abs"), None);
    /// ```
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.bucket_of(key).map(|bucket| &bucket.value)
    }

    /// The stored key and the value for `key`.
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let bucket = self.bucket_of(key)?;
        Some((&bucket.key, &bucket.value))
    }

    /// Whether `key` is present.
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.bucket_of(key).is_some()
    }

    /// The entry slot `key` lives in. It stays right while
    /// [`keys_version`](Dict::keys_version) is unchanged; read it with [`slot`](Dict::slot).
    ///
    /// ```
    /// let mut d = vdict::Dict::new();
    /// d.insert("a", 1);
    /// d.insert("b", 2);
    /// assert_eq!(d.get_slot("b"), Some(1));
    /// assert_eq!(d.slot(1), Some((&"b", &2)));
    /// ```
    #[inline]
    pub fn get_slot<Q>(&self, key: &Q) -> Option<usize>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.slot_of_key(key)
    }

    /// Mutable access to the value for `key`. Bumps the version when the key is present,
    /// because the caller may write through the reference.
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let slot = self.slot_of_key(key)?;
        self.value_mut_at(slot)
    }

    #[inline]
    fn value_mut_at(&mut self, slot: usize) -> Option<&mut V> {
        self.tags.values_changed();
        self.table.entries_mut()[slot]
            .as_mut()
            .map(|bucket| &mut bucket.value)
    }

    /// Inserts `key -> value`. A new key goes to the end of the order; an existing key keeps
    /// its place and its stored key, gets the new value, and the old value is returned.
    /// Bumps the version; bumps the keys version when the key is new.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = SoughtHash::new(self.hash_key(&key));
        self.insert_hashed(hash, key, value)
    }

    fn insert_hashed(&mut self, hash: SoughtHash, key: K, value: V) -> Option<V> {
        match self.table.insert(hash, key, value) {
            Inserted::Present { slot, key, value } => {
                // Checked access here: reached unchecked (`Table::present_bucket_mut`), a
                // `String` overwrite took 4 instructions fewer and a `u64` one 2 more (the
                // probe loop was laid out anew), so `insert_full` alone reaches it that way.
                let slot = &mut self.table.entries_mut()[slot];
                let bucket = slot.as_mut().expect("vdict: a found slot is live");
                let old = std::mem::replace(&mut bucket.value, value);
                self.tags.values_changed();
                // `key` (the caller's copy) is dropped here, after the dict is consistent.
                drop(key);
                Some(old)
            }
            Inserted::Added => {
                self.tags.keys_changed();
                None
            }
        }
    }

    /// [`insert_full`](Dict::insert_full) (`replace_value`), and a set's insert (not
    /// `replace_value`: a present key keeps its value, the caller's key and value are dropped,
    /// and nothing is bumped): the position of `key`, and `Some` of the old value (or, not
    /// replacing, of the caller's) if it was present. One probe, as `insert`, where going
    /// through the entry API probes twice for an absent key (a find, then a find of room).
    /// Callgrind, `examples/profile_api <map> <operation> 1000`, u64 keys, per key: `Set`
    /// built by `collect` (`set_build`) 165.4 -> 94.5 instructions (indexmap's `IndexSet`
    /// 97.4); a `Dict` by `insert_full` (`insert_full_new`) 287.1 -> 212.1 (`IndexMap`
    /// 225.1). A present key's probe also looks for room, as `insert`'s does:
    /// `insert_full_hit` 96.2 (91.2 since its entry is reached unchecked:
    /// `Table::present_bucket_mut`), where the entry API's probe, also inlined, made it 84
    /// (indexmap 80.2).
    #[inline]
    pub(crate) fn insert_locating(
        &mut self,
        key: K,
        value: V,
        replace_value: bool,
    ) -> (usize, Option<V>) {
        let hash = SoughtHash::new(self.hash_key(&key));
        match self.table.insert(hash, key, value) {
            Inserted::Present { slot, key, value } => {
                let position = self.table.position_of_slot(slot);
                if !replace_value {
                    return (position, Some(value));
                }
                #[allow(unsafe_code)]
                // SAFETY: `slot` is the `Present` the insert returned, the table unchanged.
                let bucket = unsafe { self.table.present_bucket_mut(slot) };
                let old = std::mem::replace(&mut bucket.value, value);
                self.tags.values_changed();
                drop(key);
                (position, Some(old))
            }
            Inserted::Added => {
                self.tags.keys_changed();
                (self.table.len() - 1, None)
            }
        }
    }

    /// Removes `key` and returns its value. O(1): the entry becomes a hole and the order of
    /// the rest is kept. Bumps both tags when the key was present, neither when it was not.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.remove_entry(key).map(|(_, value)| value)
    }

    /// Removes `key` and returns the stored key and its value. See [`remove`](Dict::remove).
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        if self.table.len() == 0 {
            return None;
        }
        self.remove_hashed(SoughtHash::new(self.hash_key(key)), key)
    }

    /// Removes the key equivalent to `key` under `hash`, keeping the order of the rest.
    fn remove_hashed<Q>(&mut self, hash: SoughtHash, key: &Q) -> Option<(K, V)>
    where
        Q: Equivalent<K> + ?Sized,
    {
        let bucket = self
            .table
            .remove_key(hash, |stored| key.equivalent(stored))?;
        // The squeeze's test before the version bump: after it, the compiler reloaded the
        // table's counts (the bump stores through a thread-local pointer).
        self.table.compact_if_sparse();
        self.tags.keys_changed();
        Some((bucket.key, bucket.value))
    }

    /// The entry for `key`, to read, insert or change in place (std's and indexmap's Entry API).
    ///
    /// ```
    /// let mut counts = vdict::Dict::new();
    /// for word in ["a", "b", "a"] {
    ///     *counts.entry(word).or_insert(0) += 1;
    /// }
    /// assert_eq!(counts["a"], 2);
    /// ```
    #[inline]
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        // The stored form is made for a vacant entry only (see `Table::insert`).
        let hash = SoughtHash::new(self.hash_key(&key));
        match self.table.find_or_vacant(hash, |stored| *stored == key) {
            Ok(found) => {
                // The dict keeps its stored key; the caller's copy goes now, before anything
                // changes (a panicking `Drop` finds the dict as it was).
                drop(key);
                Entry::Occupied(OccupiedEntry::new(&mut self.table, &mut self.tags, found))
            }
            Err(vacant) => Entry::Vacant(VacantEntry::new(
                &mut self.table,
                &mut self.tags,
                hash.stored(),
                vacant,
                key,
            )),
        }
    }

    /// The entry for a borrowed form of a key, with its hash in hand: an interpreter's
    /// `STORE_GLOBAL`, which holds an interned name and its hash, overwrites a present name
    /// without cloning the name (and dropping the clone); only a vacant entry's insert takes
    /// an owned key. `hash` must be this dict's hash of `key` ([`hash_key`](Dict::hash_key),
    /// [`crate::hash_key`]); debug builds check it and panic on a wrong one.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use vdict::dict::EntryRef;
    ///
    /// let mut globals: vdict::Dict<Rc<str>, i64> = vdict::Dict::new();
    /// let name: Rc<str> = "counter".into();
    /// let hash = vdict::hash_key(&*name);
    /// for i in 0..3 {
    ///     match globals.entry_ref_with_hash(hash, &*name) {
    ///         EntryRef::Occupied(mut entry) => {
    ///             entry.insert(i); // no clone of `name`
    ///         }
    ///         EntryRef::Vacant(entry) => {
    ///             entry.insert_with_key(name.clone(), i);
    ///         }
    ///     }
    /// }
    /// assert_eq!(globals["counter"], 2);
    /// assert_eq!(Rc::strong_count(&name), 2); // one clone, stored by the first insert
    /// ```
    pub fn entry_ref_with_hash<'a, 'q, Q>(
        &'a mut self,
        hash: u64,
        key: &'q Q,
    ) -> EntryRef<'a, 'q, K, V, Q>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        debug_assert_eq!(
            hash,
            self.hash_key(key),
            "vdict: entry_ref_with_hash was given a hash that is not this dict's hash of the key"
        );
        // The stored form is made for a vacant entry only, as in `entry`.
        let hash = SoughtHash::new(hash);
        match self
            .table
            .find_or_vacant(hash, |stored| key.equivalent(stored))
        {
            Ok(found) => {
                EntryRef::Occupied(OccupiedEntry::new(&mut self.table, &mut self.tags, found))
            }
            Err(vacant) => EntryRef::Vacant(VacantEntryRef::new(
                &mut self.table,
                &mut self.tags,
                hash.stored(),
                vacant,
                key,
            )),
        }
    }

    /// [`entry_ref_with_hash`](Dict::entry_ref_with_hash), hashing `key` itself: the entry
    /// for a borrowed key, which takes an owned key only to insert.
    ///
    /// ```
    /// let mut counts: vdict::Dict<String, u32> = vdict::Dict::new();
    /// for word in ["a", "b", "a"] {
    ///     *counts.entry_ref(word).or_insert(0) += 1; // a String is made for "a" once
    /// }
    /// assert_eq!(counts["a"], 2);
    /// ```
    pub fn entry_ref<'a, 'q, Q>(&'a mut self, key: &'q Q) -> EntryRef<'a, 'q, K, V, Q>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let hash = self.hash_key(key);
        self.entry_ref_with_hash(hash, key)
    }

    /// [`get`](Dict::get) for a caller that already has the key's hash, as computed by
    /// [`hash_key`](Dict::hash_key) (or the same hasher). A hash computed otherwise makes the
    /// lookup miss; it never makes it return another key's value.
    ///
    /// ```
    /// let mut d = vdict::Dict::new();
    /// d.insert("print", 1);
    /// let h = d.hash_key("print"); // once, when the name is interned
    /// assert_eq!(d.get_with_hash(h, "print"), Some(&1));
    /// ```
    #[inline]
    pub fn get_with_hash<Q>(&self, hash: u64, key: &Q) -> Option<&V>
    where
        Q: Equivalent<K> + ?Sized,
    {
        self.table
            .find_bucket(SoughtHash::new(hash), |k| key.equivalent(k))
            .map(|bucket| &bucket.value)
    }

    /// [`get_mut`](Dict::get_mut) with a precomputed hash; see [`get_with_hash`](Dict::get_with_hash).
    pub fn get_mut_with_hash<Q>(&mut self, hash: u64, key: &Q) -> Option<&mut V>
    where
        Q: Equivalent<K> + ?Sized,
    {
        let found = self.find(SoughtHash::new(hash), key)?;
        self.value_mut_at(found.slot)
    }

    /// [`contains_key`](Dict::contains_key) with a precomputed hash.
    pub fn contains_key_with_hash<Q>(&self, hash: u64, key: &Q) -> bool
    where
        Q: Equivalent<K> + ?Sized,
    {
        self.find(SoughtHash::new(hash), key).is_some()
    }

    /// The slot and the value of `key`, given its hash: one probe for what a cache fill
    /// remembers and what it answers.
    #[inline]
    pub(crate) fn slot_and_value_with_hash<Q>(&self, hash: u64, key: &Q) -> Option<(usize, &V)>
    where
        Q: Equivalent<K> + ?Sized,
    {
        self.table
            .find_slot_and_bucket(SoughtHash::new(hash), |k| key.equivalent(k))
            .map(|(slot, bucket)| (slot, &bucket.value))
    }

    /// [`get_slot`](Dict::get_slot) with a precomputed hash.
    #[inline]
    pub fn get_slot_with_hash<Q>(&self, hash: u64, key: &Q) -> Option<usize>
    where
        Q: Equivalent<K> + ?Sized,
    {
        self.find(SoughtHash::new(hash), key)
            .map(|found| found.slot)
    }

    /// [`insert`](Dict::insert) with a precomputed hash.
    ///
    /// The hash must be this dict's hash of `key` ([`hash_key`](Dict::hash_key)): an entry
    /// stored under another hash is unreachable by plain lookups, and
    /// [`check_invariants`](Dict::check_invariants) reports it. Debug builds check the hash and
    /// panic on a wrong one.
    pub fn insert_with_hash(&mut self, hash: u64, key: K, value: V) -> Option<V> {
        debug_assert_eq!(
            hash,
            self.hash_key(&key),
            "vdict: insert_with_hash was given a hash that is not this dict's hash of the key"
        );
        self.insert_hashed(SoughtHash::new(hash), key, value)
    }

    /// [`remove`](Dict::remove) with a precomputed hash.
    pub fn remove_with_hash<Q>(&mut self, hash: u64, key: &Q) -> Option<V>
    where
        Q: Equivalent<K> + ?Sized,
    {
        self.remove_hashed(SoughtHash::new(hash), key)
            .map(|(_, value)| value)
    }
}

/// A dict's entries array, borrowed: the values at the byte offsets the slot cache remembers
/// ([`Dict::value_offset`]), read without a bounds check or a hole test once a keys-version
/// compare has proved the offset live.
pub(crate) struct LiveValues<'d, K, V> {
    entries: &'d [EntrySlot<K, V>],
}

impl<K, V> Clone for LiveValues<'_, K, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V> Copy for LiveValues<'_, K, V> {}

impl<'d, K, V> LiveValues<'d, K, V> {
    /// Where the value of live slot `slot` lies, in bytes from the array's start.
    fn value_offset(self, slot: usize) -> Option<usize> {
        let bucket = self.entries.get(slot)?.as_ref()?;
        Some(std::ptr::from_ref(&bucket.value) as usize - self.entries.as_ptr() as usize)
    }

    /// Whether `offset` is [`value_offset`](Self::value_offset) of some live slot.
    fn is_live_value_offset(self, offset: usize) -> bool {
        let slot = offset / std::mem::size_of::<EntrySlot<K, V>>();
        self.value_offset(slot) == Some(offset)
    }

    /// The value at `offset`, read without a bounds check or a hole test. A debug build
    /// checks the proof anyway.
    ///
    /// # Safety
    ///
    /// `offset` must be `value_offset(slot)` for a slot of the dict this array belongs to (or
    /// of a dict it is a clone of) taken when its [`keys_version`](Dict::keys_version) was
    /// what it is now. That suffices because of the rule on `Tags`: every change of the key
    /// set or of the key-to-slot layout gives the dict a keys version never seen before, so
    /// the slot is still live; and the entries of a dict and of its clones have one type and
    /// one layout.
    #[inline]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn value_at_live_offset(self, offset: usize) -> &'d V {
        debug_assert!(
            self.is_live_value_offset(offset),
            "vdict: value_at_live_offset({offset}) is not a live value's offset"
        );
        // SAFETY: the caller guarantees `offset` is the offset of a live entry's value in
        // this array (see above), so the pointer is in bounds, aligned and initialised, and
        // the value lives as long as the borrow of the array.
        unsafe { &*self.entries.as_ptr().cast::<u8>().add(offset).cast::<V>() }
    }
}
