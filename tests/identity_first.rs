//! The identity-first lookups (`src/dict/caller_identity.rs`): `find_with_identity`,
//! `get_with_identity`, `entry_with_identity` and the set's, checked for CPython's order of
//! questions (identity, then stored hash, then `__eq__`).
//!
//! Keys are interpreter objects of two kinds, neither `Hash` nor `Eq`: an `Rc` of a string,
//! and a handle (a `u32` naming a string in an arena, as an interpreter with a garbage
//! collector might hold its objects). A handle is a plain word, so its lookups take the path
//! whose probe is inline for a 2-byte-slot index and an out-of-line call for a wider one; an
//! `Rc` needs dropping, and its lookups probe every width inline. Each test
//! runs with both, in a dict of 1,000 keys and one of 70,000 (4-byte slots). The test
//! supplies each key's hash, so that it can make keys share one.

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::rc::Rc;
use vdict::dict::EntryWith;
use vdict::{Dict, Set};

/// An interpreter object, as the tests use it.
trait Key: Debug + Sized {
    /// A new object holding `text` (another object than any before, whatever its text).
    fn new(text: &str) -> Self;
    /// Its text, which `__eq__` compares.
    fn text(&self) -> String;
    /// Whether the two are the same object.
    fn same(&self, other: &Self) -> bool;
    /// Another reference to the same object.
    fn share(&self) -> Self;
}

/// An object behind an `Rc`.
#[derive(Debug)]
struct Str(String);

impl Key for Rc<Str> {
    fn new(text: &str) -> Self {
        Rc::new(Str(text.to_string()))
    }
    fn text(&self) -> String {
        self.0.clone()
    }
    fn same(&self, other: &Self) -> bool {
        Rc::ptr_eq(self, other)
    }
    fn share(&self) -> Self {
        Rc::clone(self)
    }
}

thread_local! {
    /// The strings handles name.
    static ARENA: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// An object named by its index in [`ARENA`].
#[derive(Debug, Clone, Copy)]
struct Handle(u32);

impl Key for Handle {
    fn new(text: &str) -> Self {
        ARENA.with_borrow_mut(|arena| {
            arena.push(text.to_string());
            Handle(u32::try_from(arena.len() - 1).expect("a small arena"))
        })
    }
    fn text(&self) -> String {
        ARENA.with_borrow(|arena| arena[self.0 as usize].clone())
    }
    fn same(&self, other: &Self) -> bool {
        self.0 == other.0
    }
    fn share(&self) -> Self {
        *self
    }
}

/// The hash the tests give a key: its text's, except for texts starting with `=`, which
/// all share one hash (full collisions).
fn hash_of<K: Key>(key: &K) -> u64 {
    let text = key.text();
    if text.starts_with('=') {
        0x5eed_5eed_5eed_5eed
    } else {
        vdict::hash_key(&text)
    }
}

/// Runs a generic test with both kinds of key.
macro_rules! with_both_keys {
    ($($(#[doc = $doc:literal])* fn $name:ident() $body:block)*) => {$(
        $(#[doc = $doc])*
        mod $name {
            use super::*;
            fn run<K: Key>() $body
            #[test]
            fn rc() {
                run::<Rc<Str>>();
            }
            #[test]
            fn handle() {
                run::<Handle>();
            }
        }
    )*};
}

/// Records what a lookup asked: how many identity tests, and the texts `__eq__` was asked
/// about, in order.
#[derive(Default)]
struct Asked {
    same: Cell<usize>,
    eq: RefCell<Vec<String>>,
}

impl Asked {
    fn is_same<'a, K: Key>(&'a self, sought: &'a K) -> impl Fn(&K) -> bool + 'a {
        move |stored| {
            self.same.set(self.same.get() + 1);
            stored.same(sought)
        }
    }

    /// `__eq__` by content, asserting it is only asked about keys stored under `hash`.
    fn eq<'a, K: Key>(
        &'a self,
        sought: &'a K,
        hash: u64,
    ) -> impl FnMut(&K) -> Result<bool, String> + 'a {
        move |stored| {
            assert_eq!(
                hash_of(stored),
                hash,
                "__eq__ asked about {stored:?}, of another hash"
            );
            self.eq.borrow_mut().push(stored.text());
            Ok(stored.text() == sought.text())
        }
    }

    fn eq_asked(&self) -> Vec<String> {
        self.eq.borrow().clone()
    }
}

/// Whether a lookup's answer is `key` itself with `value` (`None`: that it found nothing).
fn is_pair<K: Key, V: PartialEq + Debug, E: Debug>(
    found: Result<Option<(&K, &V)>, E>,
    expected: Option<(&K, V)>,
) -> bool {
    match (found.expect("no error"), expected) {
        (None, None) => true,
        (Some((key, value)), Some((expected_key, expected_value))) => {
            key.same(expected_key) && *value == expected_value
        }
        _ => false,
    }
}

/// A dict of `n` keys `k0`, `k1`, ... (values their numbers), with `extra` appended, and the
/// keys themselves.
fn dict_of<K: Key>(n: usize, extra: &[&str]) -> (Dict<K, usize>, Vec<K>) {
    let mut dict = Dict::new();
    let mut keys = Vec::new();
    for i in 0..n {
        keys.push(K::new(&format!("k{i}")));
    }
    for text in extra {
        keys.push(K::new(text));
    }
    for (i, key) in keys.iter().enumerate() {
        dict.insert_unique(hash_of(key), key.share(), i);
    }
    (dict, keys)
}

/// Sizes with a 2-byte-slot index and with a 4-byte one.
const SIZES: [usize; 2] = [1_000, 70_000];

with_both_keys! {
    fn a_stored_object_is_found_by_identity_without_asking_eq() {
        for n in SIZES {
            let (dict, keys) = dict_of::<K>(n, &[]);
            let asked = Asked::default();
            for (i, key) in keys.iter().enumerate().step_by(7) {
                let hash = hash_of(key);
                let found = dict.find_with_identity(hash, asked.is_same(key), asked.eq(key, hash));
                assert_eq!(found, Ok(Some(i)));
                let got = dict.get_with_identity(hash, asked.is_same(key), asked.eq(key, hash));
                assert!(is_pair(got, Some((key, i))));
            }
            assert!(asked.eq_asked().is_empty(), "__eq__ asked: {:?}", asked.eq_asked());
            assert!(asked.same.get() > 0);
        }
    }

    fn an_equal_object_is_found_by_equality_and_an_absent_one_is_not_found() {
        for n in SIZES {
            let (dict, keys) = dict_of::<K>(n, &[]);
            let asked = Asked::default();
            for (i, key) in keys.iter().enumerate().step_by(11) {
                let copy = K::new(&key.text());
                let hash = hash_of(&copy);
                let found = dict.find_with_identity(hash, asked.is_same(&copy), asked.eq(&copy, hash));
                assert_eq!(found, Ok(Some(i)));
                let got = dict.get_with_identity(hash, asked.is_same(&copy), asked.eq(&copy, hash));
                assert!(is_pair(got, Some((key, i))));
            }
            assert!(!asked.eq_asked().is_empty());
            for absent in ["absent", "k-1", "=absent"] {
                let absent = K::new(absent);
                let hash = hash_of(&absent);
                let found =
                    dict.find_with_identity(hash, asked.is_same(&absent), asked.eq(&absent, hash));
                assert_eq!(found, Ok(None));
                let got = dict.get_with_identity(hash, asked.is_same(&absent), asked.eq(&absent, hash));
                assert!(is_pair(got, None));
            }
        }
    }

    /// CPython's `lookdict` asks, entry by entry along the probe: identity, then hash, then
    /// `__eq__`. Keys sharing one hash lie on one probe in insertion order (each took the
    /// first free bucket of it), so an earlier key of the same hash is asked `__eq__` before a
    /// later one is tested for identity, and an `__eq__` that says "equal" ends the lookup.
    fn the_questions_come_in_cpythons_order() {
        for n in SIZES {
            let (dict, keys) = dict_of::<K>(n, &["=a", "=b", "=c"]);
            let (a, c) = (&keys[n], &keys[n + 2]);
            let hash = hash_of(c);

            // `c` itself: `a` and `b` come first on the probe, share its hash and are not it.
            let asked = Asked::default();
            let found = dict.find_with_identity(hash, asked.is_same(c), asked.eq(c, hash));
            assert_eq!(found, Ok(Some(n + 2)));
            assert_eq!(asked.eq_asked(), ["=a", "=b"]);
            let asked = Asked::default();
            let got = dict.get_with_identity(hash, asked.is_same(c), asked.eq(c, hash));
            assert!(is_pair(got, Some((c, n + 2))));
            assert_eq!(asked.eq_asked(), ["=a", "=b"]);

            // `a` itself: found before any `__eq__`.
            let asked = Asked::default();
            let found = dict.find_with_identity(hash, asked.is_same(a), asked.eq(a, hash));
            assert_eq!(found, Ok(Some(n)));
            assert!(asked.eq_asked().is_empty());

            // An `__eq__` that says "equal" to everything ends the lookup at `a`, as CPython's
            // would, though `c` itself is stored further on.
            let mut eq_calls = 0;
            let found = dict.find_with_identity(hash, |k| k.same(c), |_| {
                eq_calls += 1;
                Ok::<_, ()>(true)
            });
            assert_eq!((found, eq_calls), (Ok(Some(n)), 1));

            // A copy of `b`: `a` asked and refused, `b` asked and accepted.
            let b_copy = K::new("=b");
            let asked = Asked::default();
            let found = dict.find_with_identity(hash, asked.is_same(&b_copy), asked.eq(&b_copy, hash));
            assert_eq!(found, Ok(Some(n + 1)));
            assert_eq!(asked.eq_asked(), ["=a", "=b"]);
        }
    }

    fn an_eq_error_comes_back_unchanged_and_changes_nothing() {
        for n in SIZES {
            let (mut dict, keys) = dict_of::<K>(n, &["=a", "=b"]);
            let b = &keys[n + 1];
            let b_copy = K::new("=b");
            let hash = hash_of(b);
            let (version, keys_version) = (dict.version(), dict.keys_version());
            let raise = |stored: &K| Err::<bool, _>(format!("TypeError from {}", stored.text()));
            let error = "TypeError from =a".to_string();
            let found = dict.find_with_identity(hash, |k| k.same(&b_copy), raise);
            assert_eq!(found, Err(error.clone()));
            let got = dict.get_with_identity(hash, |k| k.same(&b_copy), raise);
            assert_eq!(got.map(|found| found.is_some()), Err(error.clone()));
            let entry = dict.entry_with_identity(hash, |k| k.same(&b_copy), raise);
            assert_eq!(entry.map(|_| ()), Err(error.clone()));
            // By identity, `a`'s `__eq__` still runs first (it is earlier on the probe).
            assert_eq!(dict.find_with_identity(hash, |k| k.same(b), raise), Err(error));
            assert_eq!((dict.version(), dict.keys_version()), (version, keys_version));
            assert_eq!(dict.len(), n + 2);
            assert_eq!(dict.check_invariants_with(hash_of), Ok(()));
        }
    }

    fn entry_with_identity_inserts_an_absent_key_and_finds_a_present_one() {
        for n in SIZES {
            let (mut dict, mut keys) = dict_of::<K>(n, &[]);
            let names: Vec<K> = ["spam", "eggs", "=a", "=b"].into_iter().map(K::new).collect();
            let spam_copy = K::new("spam");
            let b = names[3].share();
            for name in names.iter().chain([&spam_copy, &b]) {
                let hash = hash_of(name);
                let keys_version = dict.keys_version();
                let entry = dict.entry_with_identity(hash, |k| k.same(name), |k| {
                    Ok::<_, ()>(k.text() == name.text())
                });
                match entry.expect("no error") {
                    EntryWith::Occupied(mut entry) => {
                        *entry.get_mut() += 100;
                        assert_eq!(dict.keys_version(), keys_version);
                    }
                    EntryWith::Vacant(entry) => {
                        entry.insert(name.share(), keys.len());
                        keys.push(name.share());
                        assert_ne!(dict.keys_version(), keys_version);
                    }
                }
            }
            let tail: Vec<(String, usize)> =
                dict.iter().skip(n).map(|(k, v)| (k.text(), *v)).collect();
            let expected = [("spam", n + 100), ("eggs", n + 1), ("=a", n + 2), ("=b", n + 103)];
            assert_eq!(tail, expected.map(|(k, v)| (k.to_string(), v)));
            // The second "spam" was another object, found by equality: the first is stored.
            assert!(dict.get_index(n).expect("present").0.same(&names[0]));
            assert_eq!(dict.check_invariants_with(hash_of), Ok(()));
        }
    }

    fn the_sets_identity_first_calls() {
        for n in SIZES {
            let mut set: Set<K> = Set::new();
            for i in 0..n {
                let key = K::new(&format!("k{i}"));
                set.insert_unique(hash_of(&key), key);
            }
            let (a, b) = (K::new("=a"), K::new("=b"));
            let hash = hash_of(&a);
            let eq = |sought: &K| {
                let sought = sought.text();
                move |stored: &K| Ok::<_, ()>(stored.text() == sought)
            };
            let same = |sought: &K| {
                let sought = sought.share();
                move |stored: &K| stored.same(&sought)
            };
            assert_eq!(set.insert_with_identity(hash, same(&a), eq(&a), || a.share()), Ok((n, true)));
            assert_eq!(set.insert_with_identity(hash, same(&b), eq(&b), || b.share()), Ok((n + 1, true)));
            assert_eq!(set.insert_with_identity(hash, same(&b), eq(&b), || unreachable!()), Ok((n + 1, false)));
            let b_copy = K::new("=b");
            assert_eq!(set.find_with_identity(hash, same(&b_copy), eq(&b_copy)), Ok(Some(n + 1)));
            let got = set.get_with_identity(hash, same(&a), eq(&a)).expect("no error");
            assert!(got.expect("present").same(&a));
            let c = K::new("=c");
            assert_eq!(set.find_with_identity(hash, same(&c), eq(&c)), Ok(None));
            assert_eq!(set.len(), n + 2);
        }
    }

    /// After removals (holes, slides, squeezes that move slots), every lookup still finds its
    /// key by identity and by equality.
    fn lookups_after_removals() {
        for n in SIZES {
            let (mut dict, keys) = dict_of::<K>(n, &["=a", "=b", "=c"]);
            let mut removed = vec![false; keys.len()];
            for (i, flag) in removed.iter_mut().enumerate() {
                if i % 3 != 1 && i != n + 2 {
                    let hash = hash_of(&keys[i]);
                    let slot = dict
                        .find_with_identity(hash, |k| k.same(&keys[i]), |_| Ok::<_, ()>(false))
                        .expect("no error")
                        .expect("present");
                    dict.remove_at(slot).expect("a live slot");
                    *flag = true;
                }
            }
            assert_eq!(dict.check_invariants_with(hash_of), Ok(()));
            for (i, key) in keys.iter().enumerate() {
                let hash = hash_of(key);
                let expected = (!removed[i]).then_some((key, i));
                let by_identity =
                    dict.get_with_identity(hash, |k| k.same(key), |_| Ok::<_, ()>(false));
                assert!(is_pair(by_identity, expected));
                let copy = K::new(&key.text());
                let by_equality = dict.get_with_identity(hash, |k| k.same(&copy), |k| {
                    Ok::<_, ()>(k.text() == copy.text())
                });
                assert!(is_pair(by_equality, expected));
            }
        }
    }
}

/// `is_same` is asked about stored keys whatever their hash (CPython tests identity before it
/// compares hashes), so a key it accepts is found even under another hash; `__eq__` is never
/// asked about a key of another hash. Two keys of other hashes are put in a dict of two
/// entries, whose probe meets every entry (one group of control bytes); their hashes share
/// the top 7 bits (the control byte), so the probe tests both.
#[test]
fn identity_is_tested_before_the_hash() {
    fn run<K: Key>() {
        let x = K::new("x");
        let y = K::new("y");
        let (hx, hy) = (0xab00_0000_0000_0001_u64, 0xab00_0000_0000_0002_u64);
        let mut dict: Dict<K, &str> = Dict::new();
        dict.insert_unique(hx, x.share(), "x");
        dict.insert_unique(hy, y.share(), "y");
        let mut eq_asked = Vec::new();
        let found = dict.get_with_identity(
            hx,
            |k| k.same(&y),
            |k| {
                eq_asked.push(k.text());
                Ok::<_, ()>(false)
            },
        );
        assert!(is_pair(found, Some((&y, "y"))));
        assert!(eq_asked.iter().all(|text| text == "x"), "{eq_asked:?}");
    }
    run::<Rc<Str>>();
    run::<Handle>();
}
