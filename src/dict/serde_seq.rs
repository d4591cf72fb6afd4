//! A [`Dict`] as a sequence of `(key, value)` pairs rather than a map (the `serde` feature),
//! for formats whose maps lose order or take only string keys: use it with
//! `#[serde(with = "vdict::dict::serde_seq")]`, as indexmap's `map::serde_seq`.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Module {
//!     #[serde(with = "vdict::dict::serde_seq")]
//!     globals: vdict::Dict<i32, String>,
//! }
//! # }
//! ```
//!
//! Reading rejects a repeated key, as the map form does.

use super::Dict;
use crate::serde::{dict_for_reading, insert_distinct, Makes};
use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

/// Writes `dict` as a sequence of `(key, value)` pairs in order.
pub fn serialize<K, V, S, Z>(dict: &Dict<K, V, S>, serializer: Z) -> Result<Z::Ok, Z::Error>
where
    K: Serialize,
    V: Serialize,
    Z: Serializer,
{
    serializer.collect_seq(dict)
}

/// Reads a dict from a sequence of `(key, value)` pairs, in order; a repeated key is an
/// error.
pub fn deserialize<'de, D, K, V, S>(deserializer: D) -> Result<Dict<K, V, S>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Hash + Eq,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
{
    deserializer.deserialize_seq(PairsVisitor(PhantomData))
}

struct PairsVisitor<K, V, S>(Makes<K, V, S>);

impl<'de, K, V, S> Visitor<'de> for PairsVisitor<K, V, S>
where
    K: Deserialize<'de> + Hash + Eq,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
{
    type Value = Dict<K, V, S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence of (key, value) pairs with distinct keys")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut dict = dict_for_reading(access.size_hint());
        while let Some((key, value)) = access.next_element()? {
            insert_distinct(&mut dict, key, value, "pair", "a sequence of pairs")?;
        }
        Ok(dict)
    }
}
