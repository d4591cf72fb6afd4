//! `dict!` and `set!`: a dict or a set written out, as indexmap's `indexmap!` and `indexset!`
//! (and the `_with_default` forms for a hasher built by `Default`). Each counts its items at
//! compile time and allocates once.

/// A [`Dict`](crate::Dict) with the default hasher, from `key => value` pairs in order (a
/// repeated key keeps its first place and takes its last value).
///
/// ```
/// let globals = vdict::dict! {
///     "x" => 1,
///     "y" => 2,
/// };
/// assert_eq!(globals["y"], 2);
/// assert_eq!(globals.keys().next(), Some(&"x"));
/// ```
#[macro_export]
macro_rules! dict {
    ($($key:expr => $value:expr,)+) => { $crate::dict!($($key => $value),+) };
    ($($key:expr => $value:expr),*) => {{
        // `stringify!` only makes one `()` per pair to count; it leaves nothing behind.
        const CAPACITY: usize = <[()]>::len(&[$({ stringify!($key); }),*]);
        #[allow(unused_mut)]
        let mut dict = $crate::Dict::with_capacity(CAPACITY);
        $(
            dict.insert($key, $value);
        )*
        dict
    }};
}

/// A [`Dict`](crate::Dict) hashing with `BuildHasherDefault<H>`, from `key => value` pairs.
///
/// ```
/// use std::collections::hash_map::DefaultHasher;
///
/// let d = vdict::dict_with_default! { DefaultHasher; 1 => "one", 2 => "two" };
/// assert_eq!(d[&2], "two");
/// ```
#[macro_export]
macro_rules! dict_with_default {
    ($hasher:ty; $($key:expr => $value:expr,)+) => {
        $crate::dict_with_default!($hasher; $($key => $value),+)
    };
    ($hasher:ty; $($key:expr => $value:expr),*) => {{
        const CAPACITY: usize = <[()]>::len(&[$({ stringify!($key); }),*]);
        #[allow(unused_mut)]
        let mut dict = $crate::Dict::with_capacity_and_hasher(
            CAPACITY,
            ::core::hash::BuildHasherDefault::<$hasher>::default(),
        );
        $(
            dict.insert($key, $value);
        )*
        dict
    }};
}

/// A [`Set`](crate::Set) with the default hasher, from elements in order (a repeated one
/// keeps its first place).
///
/// ```
/// let s = vdict::set! { "b", "a", "b" };
/// assert_eq!(s.iter().copied().collect::<Vec<_>>(), ["b", "a"]);
/// ```
#[macro_export]
macro_rules! set {
    ($($element:expr,)+) => { $crate::set!($($element),+) };
    ($($element:expr),*) => {{
        const CAPACITY: usize = <[()]>::len(&[$({ stringify!($element); }),*]);
        #[allow(unused_mut)]
        let mut set = $crate::Set::with_capacity(CAPACITY);
        $(
            set.insert($element);
        )*
        set
    }};
}

/// A [`Set`](crate::Set) hashing with `BuildHasherDefault<H>`, from elements in order.
///
/// ```
/// use std::collections::hash_map::DefaultHasher;
///
/// let s = vdict::set_with_default! { DefaultHasher; 3, 1, 3 };
/// assert_eq!(s.iter().copied().collect::<Vec<_>>(), [3, 1]);
/// ```
#[macro_export]
macro_rules! set_with_default {
    ($hasher:ty; $($element:expr,)+) => { $crate::set_with_default!($hasher; $($element),+) };
    ($hasher:ty; $($element:expr),*) => {{
        const CAPACITY: usize = <[()]>::len(&[$({ stringify!($element); }),*]);
        #[allow(unused_mut)]
        let mut set = $crate::Set::with_capacity_and_hasher(
            CAPACITY,
            ::core::hash::BuildHasherDefault::<$hasher>::default(),
        );
        $(
            set.insert($element);
        )*
        set
    }};
}
