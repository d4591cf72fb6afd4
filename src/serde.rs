//! `Serialize` and `Deserialize` for [`Dict`] and [`Set`] (the `serde` feature).
//!
//! A dict is written as a map and a set as a sequence, in iteration order, so a round trip
//! keeps the order. Reading is stricter than indexmap's: a key (or element) that appears
//! twice is an error naming its position, not a silent overwrite, because an ordered
//! namespace read back from a file with a repeated name is almost always a corrupt file.

use crate::{dict, set, Dict, Entry, Set};
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

impl<K: Serialize, V: Serialize, S> Serialize for Dict<K, V, S> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<T: Serialize, S> Serialize for Set<T, S> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for element in self {
            seq.serialize_element(element)?;
        }
        seq.end()
    }
}

impl<K: Serialize, V: Serialize> Serialize for dict::Slice<'_, K, V> {
    /// A slice of a dict is written as a map of its entries, in order, as the dict is.
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self.iter() {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<T: Serialize> Serialize for set::Slice<'_, T> {
    /// A slice of a set is written as a sequence, in order, as the set is.
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for element in self.iter() {
            seq.serialize_element(element)?;
        }
        seq.end()
    }
}

impl<'de, K, V, S, E> IntoDeserializer<'de, E> for Dict<K, V, S>
where
    K: IntoDeserializer<'de, E>,
    V: IntoDeserializer<'de, E>,
    E: de::Error,
{
    /// The dict's entries as a serde map, in order: to deserialize a value from a dict.
    type Deserializer = MapDeserializer<'de, crate::dict::IntoIter<K, V>, E>;

    fn into_deserializer(self) -> Self::Deserializer {
        MapDeserializer::new(self.into_iter())
    }
}

impl<'de, T, S, E> IntoDeserializer<'de, E> for Set<T, S>
where
    T: IntoDeserializer<'de, E>,
    E: de::Error,
{
    /// The set's elements as a serde sequence, in order.
    type Deserializer = SeqDeserializer<crate::set::IntoIter<T>, E>;

    fn into_deserializer(self) -> Self::Deserializer {
        SeqDeserializer::new(self.into_iter())
    }
}

/// At most this many entries are reserved ahead of a reader's size hint, so that a hostile
/// input claiming a huge length cannot make us allocate it before sending the entries.
const MAX_PREALLOCATED: usize = 4096;

/// The empty dict a reader fills: room for the input's claimed length, up to
/// [`MAX_PREALLOCATED`].
pub(crate) fn dict_for_reading<K, V, S: Default>(size_hint: Option<usize>) -> Dict<K, V, S> {
    Dict::with_capacity_and_hasher(size_hint.unwrap_or(0).min(MAX_PREALLOCATED), S::default())
}

/// Inserts a pair just read; a key read before is an error naming both (`item`: what the
/// input calls a pair, `container`: what it calls the whole).
pub(crate) fn insert_distinct<K, V, S, E>(
    dict: &mut Dict<K, V, S>,
    key: K,
    value: V,
    item: &str,
    container: &str,
) -> Result<(), E>
where
    K: Hash + Eq,
    S: BuildHasher,
    E: de::Error,
{
    let position = dict.len();
    match dict.entry(key) {
        Entry::Vacant(entry) => {
            entry.insert(value);
            Ok(())
        }
        Entry::Occupied(entry) => Err(E::custom(format_args!(
            "duplicate key in {container}: {item} {position} repeats the key of {item} {}",
            entry.index()
        ))),
    }
}

/// Makes a `Dict` (a `fn` in the marker, so the visitor owns no `K`, `V` or `S`).
pub(crate) type Makes<K, V, S> = PhantomData<fn() -> Dict<K, V, S>>;

struct DictVisitor<K, V, S>(Makes<K, V, S>);

impl<'de, K, V, S> Visitor<'de> for DictVisitor<K, V, S>
where
    K: Deserialize<'de> + Hash + Eq,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
{
    type Value = Dict<K, V, S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map with distinct keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut dict = dict_for_reading(access.size_hint());
        while let Some((key, value)) = access.next_entry()? {
            insert_distinct(&mut dict, key, value, "entry", "a map")?;
        }
        Ok(dict)
    }
}

impl<'de, K, V, S> Deserialize<'de> for Dict<K, V, S>
where
    K: Deserialize<'de> + Hash + Eq,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DictVisitor(PhantomData))
    }
}

struct SetVisitor<T, S>(PhantomData<fn() -> Set<T, S>>);

impl<'de, T, S> Visitor<'de> for SetVisitor<T, S>
where
    T: Deserialize<'de> + Hash + Eq,
    S: BuildHasher + Default,
{
    type Value = Set<T, S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence of distinct elements")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let capacity = access.size_hint().unwrap_or(0).min(MAX_PREALLOCATED);
        let mut set = Set::with_capacity_and_hasher(capacity, S::default());
        while let Some(element) = access.next_element()? {
            let position = set.len();
            let (existing, added) = set.insert_full(element);
            if !added {
                return Err(de::Error::custom(format_args!(
                    "duplicate element in a set: element {position} repeats element {existing}"
                )));
            }
        }
        Ok(set)
    }
}

impl<'de, T, S> Deserialize<'de> for Set<T, S>
where
    T: Deserialize<'de> + Hash + Eq,
    S: BuildHasher + Default,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(SetVisitor(PhantomData))
    }
}
