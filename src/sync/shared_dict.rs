//! [`SharedDict`]: a dict behind a readers-writer lock, its version tags published in atomics
//! for lock-free cache hits (see the module docs of [`crate::sync`]).

use super::{AtomicU64, Ordering, RwLock, RwLockReadGuard, RwLockWriteGuard};
use crate::{DefaultHashBuilder, Dict, Version};
use std::ops::{Deref, DerefMut};
use std::sync::PoisonError;

/// A [`Dict`] shared between threads: read under a read lock, written under a write lock,
/// with its version and keys version published in atomic words so that a
/// [`SharedVersionCache`](super::SharedVersionCache) can check them without the lock.
///
/// A panic in a user's `Hash`, `Eq`, `Clone` or `Drop` while the lock is held does not tear
/// the dict: a `Dict` is consistent after any such panic (vdict's panic-safety guarantee),
/// so `SharedDict` recovers the lock from poisoning instead of failing every later access,
/// and the write guard publishes the tags of whatever the dict holds as it unwinds.
///
/// ```
/// use std::sync::Arc;
/// use vdict::sync::{SharedDict, SharedVersionCache};
///
/// let globals: Arc<SharedDict<&str, i64>> = Arc::new(SharedDict::new());
/// globals.write().insert("x", 1);
/// let worker = {
///     let globals = Arc::clone(&globals);
///     std::thread::spawn(move || {
///         let builtins: SharedDict<&str, i64> = SharedDict::new();
///         let mut site = SharedVersionCache::new(); // one per LOAD_GLOBAL, per thread
///         *site.load(&globals, &builtins, "x").unwrap()
///     })
/// };
/// assert_eq!(worker.join().unwrap(), 1);
/// ```
pub struct SharedDict<K, V, S = DefaultHashBuilder> {
    dict: RwLock<Dict<K, V, S>>,
    /// The tags as last published, on a cache line of their own.
    published: Published,
}

/// The published tags. Alone on their cache line (128 bytes: two 64-byte lines, as adjacent
/// lines are fetched in pairs on common x86 parts): the lock's state and the dict's own fields
/// are written by every lock, unlock and write, and if the tags shared a line with them,
/// every such write would take the line away from the cores whose hits read the tags.
#[repr(align(128))]
struct Published {
    /// The dict's version, stored (`Release`) after every write, while the write lock is still
    /// held; loaded (`Acquire`) by cache hits.
    version: AtomicU64,
    /// The dict's keys version, published alike.
    keys_version: AtomicU64,
}

impl<K, V> SharedDict<K, V> {
    /// An empty shared dict with the default hasher.
    pub fn new() -> Self {
        SharedDict::from_dict(Dict::new())
    }
}

impl<K, V> Default for SharedDict<K, V> {
    fn default() -> Self {
        SharedDict::new()
    }
}

impl<K, V, S> From<Dict<K, V, S>> for SharedDict<K, V, S> {
    fn from(dict: Dict<K, V, S>) -> Self {
        SharedDict::from_dict(dict)
    }
}

impl<K, V, S> SharedDict<K, V, S> {
    /// Shares `dict`.
    pub fn from_dict(dict: Dict<K, V, S>) -> Self {
        SharedDict {
            published: Published {
                version: AtomicU64::new(dict.version().as_u64()),
                keys_version: AtomicU64::new(dict.keys_version().as_u64()),
            },
            dict: RwLock::new(dict),
        }
    }

    /// The dict, for reading, under the read lock.
    pub fn read(&self) -> ReadGuard<'_, K, V, S> {
        ReadGuard {
            guard: self.dict.read().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// The dict, for writing, under the write lock. Dropping the guard publishes the dict's
    /// tags (then releases the lock).
    pub fn write(&self) -> WriteGuard<'_, K, V, S> {
        WriteGuard {
            guard: self.dict.write().unwrap_or_else(PoisonError::into_inner),
            shared: self,
        }
    }

    /// The dict's version as last published: the version of its state after the last write
    /// that has completed. One `Acquire` load; no lock.
    #[inline]
    pub fn version(&self) -> Version {
        Version::from_u64(self.published.version.load(Ordering::Acquire))
    }

    /// The dict's keys version as last published.
    #[inline]
    pub fn keys_version(&self) -> Version {
        Version::from_u64(self.published.keys_version.load(Ordering::Acquire))
    }

    /// The dict, no longer shared.
    pub fn into_inner(self) -> Dict<K, V, S> {
        self.dict
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K, V, S> std::fmt::Debug for SharedDict<K, V, S>
where
    K: std::fmt::Debug,
    V: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedDict").field(&*self.read()).finish()
    }
}

/// Read access to a [`SharedDict`]'s dict, holding the read lock.
pub struct ReadGuard<'a, K, V, S> {
    guard: RwLockReadGuard<'a, Dict<K, V, S>>,
}

impl<K, V, S> Deref for ReadGuard<'_, K, V, S> {
    type Target = Dict<K, V, S>;
    fn deref(&self) -> &Dict<K, V, S> {
        &self.guard
    }
}

/// Write access to a [`SharedDict`]'s dict, holding the write lock. Its drop publishes the
/// dict's tags, then releases the lock.
pub struct WriteGuard<'a, K, V, S> {
    guard: RwLockWriteGuard<'a, Dict<K, V, S>>,
    shared: &'a SharedDict<K, V, S>,
}

impl<K, V, S> Deref for WriteGuard<'_, K, V, S> {
    type Target = Dict<K, V, S>;
    fn deref(&self) -> &Dict<K, V, S> {
        &self.guard
    }
}

impl<K, V, S> DerefMut for WriteGuard<'_, K, V, S> {
    fn deref_mut(&mut self) -> &mut Dict<K, V, S> {
        &mut self.guard
    }
}

impl<K, V, S> Drop for WriteGuard<'_, K, V, S> {
    /// Publishes the tags of the dict as this write leaves it: after every change the write
    /// made (they are sequenced before this), before the lock is released (the guard field
    /// drops after this body). `Release`: a thread whose `Acquire` load sees one of these
    /// values sees everything the write did.
    fn drop(&mut self) {
        let dict: &Dict<K, V, S> = &self.guard;
        let published = &self.shared.published;
        published
            .keys_version
            .store(dict.keys_version().as_u64(), Ordering::Release);
        published
            .version
            .store(dict.version().as_u64(), Ordering::Release);
    }
}
