//! Keys a Python compares: a dict whose keys (and a set whose elements) are interpreter
//! objects, hashed and compared by a small "VM" whose `__eq__` may raise or change the dict or
//! set being searched.
//!
//! ```text
//! cargo run --example python_keys
//! python3 examples/python_keys.py     # the same scenarios in a real CPython: same output
//! ```
//!
//! The dict lives behind `Rc<RefCell<..>>`, as an interpreter holds it, and `Obj` implements
//! neither `Hash` nor `Eq`: the VM hashes a key itself and compares keys through
//! [`Vm::eq`], which runs "user code" (a [`Nasty`] key's `__eq__`). A lookup follows CPython's
//! `lookdict`, through vdict's step-by-step probe ([`vdict::dict::Probe`]): each candidate's
//! key is copied out, the dict's borrow released, the compare run, and the dict's keys
//! version checked before the answer is trusted; a changed dict means starting again. A set
//! is looked up the same way, except where CPython's set differs from its dict: `set.add`
//! takes an element its `__eq__` found equal as present even if that `__eq__` changed the
//! set (CPython's `set_add_entry`), and only a change of size stops a `for` loop over a set.
//! `tests/python_keys.rs` runs both programs and compares what they print.

use std::cell::{Cell, RefCell};
use std::fmt::{self, Write};
use std::rc::Rc;
use vdict::dict::{Candidate, IterationError, Probe};
use vdict::{Dict, Set, Version};

/// An interpreter object.
#[derive(Clone)]
pub enum Obj {
    Int(i64),
    Str(Rc<str>),
    Nasty(Rc<Nasty>),
}

/// A user-defined class whose `__hash__` returns `hash` and whose `__eq__` compares `value`,
/// after running whatever [`Vm::on_next_eq`] asks of the next `__eq__` call (once).
pub struct Nasty {
    pub value: i64,
    pub hash: i64,
    /// An `__eq__` that never says equal (as `float('nan')`'s), except by identity.
    pub never_equal: bool,
}

/// What the next `__eq__` of a [`Nasty`] key does before comparing: CPython's test suite's
/// `NastyKey.mutate_dict`. Done to a set, `Insert` adds the key (its value unused) and
/// `Delete` discards it.
pub enum Mutation {
    Raise(&'static str),
    Insert(Obj, Obj),
    Delete(Obj),
    Clear,
}

/// What an armed [`Mutation`] changes.
enum Target {
    Dict(PyDict),
    Set(PySet),
}

/// A Python exception, as the VM raises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyErr(pub String);

pub type PyDict = Rc<RefCell<Dict<Obj, Obj>>>;
pub type PySet = Rc<RefCell<Set<Obj>>>;

/// What a lookup needs of a dict or a set: vdict's step-by-step probe, the same for both.
pub trait Probed {
    fn probe(&self, hash: u64) -> Probe;
    fn next_candidate(&self, probe: &mut Probe) -> Candidate<'_, Obj>;
    fn keys_version(&self) -> Version;
}

impl Probed for Dict<Obj, Obj> {
    fn probe(&self, hash: u64) -> Probe {
        Dict::probe(self, hash)
    }
    fn next_candidate(&self, probe: &mut Probe) -> Candidate<'_, Obj> {
        Dict::next_candidate(self, probe)
    }
    fn keys_version(&self) -> Version {
        Dict::keys_version(self)
    }
}

impl Probed for Set<Obj> {
    fn probe(&self, hash: u64) -> Probe {
        Set::probe(self, hash)
    }
    fn next_candidate(&self, probe: &mut Probe) -> Candidate<'_, Obj> {
        Set::next_candidate(self, probe)
    }
    fn keys_version(&self) -> Version {
        Set::keys_version(self)
    }
}

impl fmt::Display for Obj {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Obj::Int(i) => write!(f, "{i}"),
            Obj::Str(s) => write!(f, "'{s}'"),
            Obj::Nasty(n) => write!(f, "N({})", n.value),
        }
    }
}

/// The interpreter: its one piece of state is the mutation armed for the next `__eq__`.
pub struct Vm {
    armed: RefCell<Option<(Target, Mutation)>>,
    pub eq_calls: Cell<usize>,
}

impl Default for Vm {
    fn default() -> Self {
        Vm {
            armed: RefCell::new(None),
            eq_calls: Cell::new(0),
        }
    }
}

impl Vm {
    /// Arms `mutation` of `dict` for the next `__eq__` call of a `Nasty` key.
    pub fn on_next_eq(&self, dict: &PyDict, mutation: Mutation) {
        *self.armed.borrow_mut() = Some((Target::Dict(dict.clone()), mutation));
    }

    /// Arms `mutation` of `set` for the next `__eq__` call of a `Nasty` key.
    pub fn on_next_eq_in_set(&self, set: &PySet, mutation: Mutation) {
        *self.armed.borrow_mut() = Some((Target::Set(set.clone()), mutation));
    }

    /// `hash(obj)`.
    pub fn hash(&self, obj: &Obj) -> u64 {
        match obj {
            Obj::Int(i) => *i as u64,
            Obj::Str(s) => vdict::hash_key(&**s),
            Obj::Nasty(n) => n.hash as u64,
        }
    }

    /// `stored == sought`, as CPython's lookup asks it: the stored key's `__eq__`, which may
    /// run user code.
    pub fn eq(&self, stored: &Obj, sought: &Obj) -> Result<bool, PyErr> {
        match (stored, sought) {
            (Obj::Int(a), Obj::Int(b)) => Ok(a == b),
            (Obj::Str(a), Obj::Str(b)) => Ok(a == b),
            (Obj::Nasty(a), Obj::Nasty(b)) => {
                self.eq_calls.set(self.eq_calls.get() + 1);
                let armed = self.armed.borrow_mut().take();
                match armed {
                    None => {}
                    Some((_, Mutation::Raise(message))) => return Err(PyErr(message.to_string())),
                    Some((Target::Dict(dict), mutation)) => match mutation {
                        Mutation::Insert(key, value) => self.setitem(&dict, key, value)?,
                        Mutation::Delete(key) => self.delitem(&dict, &key)?,
                        Mutation::Clear => dict.borrow_mut().clear(),
                        Mutation::Raise(_) => unreachable!("matched above"),
                    },
                    Some((Target::Set(set), mutation)) => match mutation {
                        Mutation::Insert(key, _) => self.add(&set, key)?,
                        Mutation::Delete(key) => self.discard(&set, &key)?,
                        Mutation::Clear => set.borrow_mut().clear(),
                        Mutation::Raise(_) => unreachable!("matched above"),
                    },
                }
                Ok(!a.never_equal && a.value == b.value)
            }
            _ => Ok(false),
        }
    }

    /// CPython's `lookdict` (and its set's `set_lookkey`): the slot of `key` in a dict or a
    /// set, or `None`. Candidates (entries whose stored hash is `key`'s) are compared with no
    /// borrow held; a compare that changed the keys sends the lookup back to the start.
    pub fn lookup<C: Probed>(
        &self,
        table: &Rc<RefCell<C>>,
        key: &Obj,
    ) -> Result<Option<usize>, PyErr> {
        self.lookup_as(table, key, false)
    }

    /// [`lookup`](Vm::lookup), and with `trust_equal` as CPython's `set_add_entry` looks: a
    /// compare that says "equal" ends the lookup even if it changed the set (the slot is then
    /// not to be used; `add` does not use it).
    fn lookup_as<C: Probed>(
        &self,
        table: &Rc<RefCell<C>>,
        key: &Obj,
        trust_equal: bool,
    ) -> Result<Option<usize>, PyErr> {
        let hash = self.hash(key);
        'restart: loop {
            let mut probe = table.borrow().probe(hash);
            loop {
                let (slot, stored) = match table.borrow().next_candidate(&mut probe) {
                    Candidate::Absent => return Ok(None),
                    Candidate::Changed => continue 'restart,
                    Candidate::Key { slot, key } => (slot, key.clone()),
                };
                // Identity first, as CPython does: an object is always its own key.
                let identical = match (&stored, key) {
                    (Obj::Nasty(a), Obj::Nasty(b)) => Rc::ptr_eq(a, b),
                    _ => false,
                };
                if identical || self.eq(&stored, key)? {
                    if !trust_equal && table.borrow().keys_version() != probe.keys_version() {
                        continue 'restart;
                    }
                    return Ok(Some(slot));
                }
            }
        }
    }

    /// `d[key]`.
    pub fn getitem(&self, dict: &PyDict, key: &Obj) -> Result<Obj, PyErr> {
        match self.lookup(dict, key)? {
            Some(slot) => Ok(dict.borrow().slot(slot).expect("a found slot").1.clone()),
            None => Err(PyErr(format!("KeyError: {key}"))),
        }
    }

    /// `d[key] = value`.
    pub fn setitem(&self, dict: &PyDict, key: Obj, value: Obj) -> Result<(), PyErr> {
        let hash = self.hash(&key);
        match self.lookup(dict, &key)? {
            Some(slot) => {
                // The lookup just proved the slot current; nothing ran since.
                let _old = dict.borrow_mut().replace_at(slot, value);
            }
            None => {
                dict.borrow_mut().insert_unique(hash, key, value);
            }
        }
        Ok(())
    }

    /// `del d[key]`.
    pub fn delitem(&self, dict: &PyDict, key: &Obj) -> Result<(), PyErr> {
        match self.lookup(dict, key)? {
            Some(slot) => {
                // Dropping the entry runs no user code here; an interpreter whose objects
                // have finalisers would drop it after releasing the borrow, as this does.
                let removed = dict.borrow_mut().remove_at(slot);
                drop(removed);
                Ok(())
            }
            None => Err(PyErr(format!("KeyError: {key}"))),
        }
    }

    /// `repr(d)`.
    pub fn repr(&self, dict: &PyDict) -> String {
        let dict = dict.borrow();
        let items: Vec<String> = dict.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{{{}}}", items.join(", "))
    }

    /// `for key in d: body(key)`, with the body free to change `d`: CPython's dict iterator,
    /// which raises at the next step once the keys changed.
    pub fn for_each_key(
        &self,
        dict: &PyDict,
        mut body: impl FnMut(&Obj) -> Result<(), PyErr>,
    ) -> Result<(), PyErr> {
        let mut cursor = dict.borrow().slot_cursor();
        loop {
            let key = match cursor.next(&dict.borrow()) {
                Ok(Some((_, key, _))) => key.clone(),
                Ok(None) => return Ok(()),
                Err(error @ (IterationError::ChangedSize | IterationError::KeysChanged)) => {
                    return Err(PyErr(format!("RuntimeError: {error}")));
                }
            };
            body(&key)?;
        }
    }
}

/// The set's half of the VM: `set.add`, `in`, `set.discard`, `repr`, and `for`.
impl Vm {
    /// `s.add(elem)`: nothing if an equal element is there, as CPython's `set_add_entry`
    /// decides it (see [`lookup_as`](Vm::lookup_as)).
    pub fn add(&self, set: &PySet, elem: Obj) -> Result<(), PyErr> {
        let hash = self.hash(&elem);
        if self.lookup_as(set, &elem, true)?.is_none() {
            set.borrow_mut().insert_unique(hash, elem);
        }
        Ok(())
    }

    /// `elem in s`.
    pub fn contains(&self, set: &PySet, elem: &Obj) -> Result<bool, PyErr> {
        Ok(self.lookup(set, elem)?.is_some())
    }

    /// `s.discard(elem)`.
    pub fn discard(&self, set: &PySet, elem: &Obj) -> Result<(), PyErr> {
        if let Some(slot) = self.lookup(set, elem)? {
            let removed = set.borrow_mut().remove_at(slot);
            drop(removed);
        }
        Ok(())
    }

    /// `repr(s)`, its elements sorted by their reprs: a CPython set's order depends on the
    /// hashes (a `str`'s differ from run to run), and these scenarios compare the elements.
    pub fn repr_set(&self, set: &PySet) -> String {
        let mut elems: Vec<String> = set.borrow().iter().map(|e| e.to_string()).collect();
        if elems.is_empty() {
            return "set()".to_string();
        }
        elems.sort();
        format!("{{{}}}", elems.join(", "))
    }

    /// `for elem in s: body(elem)`, with the body free to change `s`: CPython's set iterator,
    /// which raises at the next step once the size changed. (vdict's cursor also stops when
    /// the size is the same but the elements changed, which CPython's set iterator does not
    /// notice; these scenarios do not do that.)
    pub fn for_each_elem(
        &self,
        set: &PySet,
        mut body: impl FnMut(&Obj) -> Result<(), PyErr>,
    ) -> Result<(), PyErr> {
        let mut cursor = set.borrow().slot_cursor();
        loop {
            let elem = match cursor.next_value(&set.borrow()) {
                Ok(Some((_, elem))) => elem.clone(),
                Ok(None) => return Ok(()),
                Err(IterationError::ChangedSize) => {
                    return Err(PyErr(
                        "RuntimeError: Set changed size during iteration".into(),
                    ));
                }
                Err(error @ IterationError::KeysChanged) => {
                    return Err(PyErr(format!("RuntimeError: {error}")));
                }
            };
            body(&elem)?;
        }
    }
}

/// A `Nasty` key.
pub fn nasty(value: i64, hash: i64) -> Obj {
    Obj::Nasty(Rc::new(Nasty {
        value,
        hash,
        never_equal: false,
    }))
}

fn new_dict() -> PyDict {
    Rc::new(RefCell::new(Dict::new()))
}

fn new_set() -> PySet {
    Rc::new(RefCell::new(Set::new()))
}

/// A `bool` as Python prints it.
fn py_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

fn show<T: fmt::Display>(result: Result<T, PyErr>) -> String {
    match result {
        Ok(value) => value.to_string(),
        Err(PyErr(message)) => message,
    }
}

/// The scenarios `examples/python_keys.py` runs in CPython, each printing what it saw.
pub fn scenarios() -> String {
    let mut out = String::new();
    let vm = Vm::default();

    // 1. An __eq__ that raises: the error surfaces, the dict is unchanged.
    let d = new_dict();
    vm.setitem(&d, nasty(1, 7), Obj::Int(1)).unwrap();
    let version = d.borrow().version();
    vm.on_next_eq(&d, Mutation::Raise("ValueError: eq failed"));
    let _ = writeln!(out, "raise: {}", show(vm.getitem(&d, &nasty(2, 7))));
    let _ = writeln!(
        out,
        "raise: {} unchanged: {}",
        vm.repr(&d),
        if d.borrow().version() == version {
            "yes"
        } else {
            "no"
        }
    );

    // 2. CPython's test_mutating_lookup: the compare deletes the key it is compared with.
    let d = new_dict();
    let key1 = nasty(1, 1);
    vm.setitem(&d, key1.clone(), Obj::Int(1)).unwrap();
    vm.on_next_eq(&d, Mutation::Delete(key1.clone()));
    vm.setitem(&d, nasty(2, 1), Obj::Int(2)).unwrap();
    let _ = writeln!(out, "delete during lookup: {}", vm.repr(&d));

    // 3. The compare inserts another key (another hash), then says "not equal".
    let d = new_dict();
    vm.setitem(&d, nasty(1, 1), Obj::Int(1)).unwrap();
    vm.on_next_eq(&d, Mutation::Insert(Obj::Str("x".into()), Obj::Int(3)));
    let got = vm.getitem(&d, &nasty(2, 1));
    let _ = writeln!(out, "insert during lookup: {} {}", show(got), vm.repr(&d));

    // 4. The compare inserts another key and says "equal": the answer is the entry compared.
    let d = new_dict();
    vm.setitem(&d, nasty(1, 1), Obj::Int(1)).unwrap();
    vm.on_next_eq(&d, Mutation::Insert(Obj::Int(100), Obj::Int(4)));
    let got = vm.getitem(&d, &nasty(1, 1));
    let _ = writeln!(out, "insert, then equal: {} {}", show(got), vm.repr(&d));

    // 5. The compare clears the dict: the key is gone, so the store adds it afresh.
    let d = new_dict();
    vm.setitem(&d, nasty(1, 1), Obj::Int(1)).unwrap();
    vm.setitem(&d, Obj::Str("y".into()), Obj::Int(2)).unwrap();
    vm.on_next_eq(&d, Mutation::Clear);
    vm.setitem(&d, nasty(1, 1), Obj::Int(5)).unwrap();
    let _ = writeln!(out, "clear during store: {}", vm.repr(&d));
    // (A fresh dict here: CPython 3.11 leaves the one above unable to find a key equal to
    // N(1) by `__eq__` — its emptied table is the str-only kind, which compares non-str keys
    // by identity alone — where vdict finds it. See INTERNALS.md, section 8.)
    let d = new_dict();
    vm.setitem(&d, nasty(1, 1), Obj::Int(5)).unwrap();
    vm.on_next_eq(&d, Mutation::Clear);
    let got = vm.getitem(&d, &nasty(1, 1));
    let _ = writeln!(out, "clear during lookup: {} {}", show(got), vm.repr(&d));

    // 6. __eq__ inconsistent with __hash__: equal values, different hashes are never compared;
    //    a key that is never equal, not even to itself, is found only by identity.
    let d = new_dict();
    vm.setitem(&d, nasty(1, 1), Obj::Int(1)).unwrap();
    let _ = writeln!(
        out,
        "equal but other hash: {}",
        show(vm.getitem(&d, &nasty(1, 2)))
    );
    let nan = Obj::Nasty(Rc::new(Nasty {
        value: 9,
        hash: 9,
        never_equal: true,
    }));
    vm.setitem(&d, nan.clone(), Obj::Int(9)).unwrap();
    let twin = Obj::Nasty(Rc::new(Nasty {
        value: 9,
        hash: 9,
        never_equal: true,
    }));
    let _ = writeln!(
        out,
        "never equal: itself {}, a twin {}",
        show(vm.getitem(&d, &nan)),
        show(vm.getitem(&d, &twin))
    );
    vm.setitem(&d, twin, Obj::Int(10)).unwrap();
    let _ = writeln!(out, "never equal: {}", vm.repr(&d));

    // 7. Iteration while the body changes the dict: overwrites are fine, an insert or a
    //    delete raises at the next step.
    let d = new_dict();
    for i in 0..4 {
        vm.setitem(&d, Obj::Int(i), Obj::Int(i * 10)).unwrap();
    }
    let mut seen = Vec::new();
    let result = vm.for_each_key(&d, |key| {
        seen.push(key.to_string());
        vm.setitem(&d, key.clone(), Obj::Int(-1))
    });
    let _ = writeln!(
        out,
        "overwrite while iterating: {} seen [{}] {}",
        show(result.map(|()| "ok")),
        seen.join(", "),
        vm.repr(&d)
    );
    for (label, change) in [("insert", 0), ("delete", 1)] {
        let mut seen = Vec::new();
        let result = vm.for_each_key(&d, |key| {
            seen.push(key.to_string());
            if seen.len() == 2 {
                if change == 0 {
                    vm.setitem(&d, Obj::Int(50), Obj::Int(50))?;
                } else {
                    vm.delitem(&d, &Obj::Int(0))?;
                }
            }
            Ok(())
        });
        let _ = writeln!(
            out,
            "{label} while iterating: {} seen [{}]",
            show(result.map(|()| "ok")),
            seen.join(", ")
        );
    }
    let _ = writeln!(out, "after: {}", vm.repr(&d));

    // 8. A set, through the same probe.
    let s = new_set();
    vm.add(&s, nasty(1, 7)).unwrap();
    vm.on_next_eq_in_set(&s, Mutation::Raise("ValueError: eq failed"));
    let got = vm.contains(&s, &nasty(2, 7)).map(py_bool);
    let _ = writeln!(out, "set raise: {} {}", show(got), vm.repr_set(&s));
    // The compare discards the element it is compared with, during an add.
    let s = new_set();
    let key1 = nasty(1, 1);
    vm.add(&s, key1.clone()).unwrap();
    vm.on_next_eq_in_set(&s, Mutation::Delete(key1));
    vm.add(&s, nasty(2, 1)).unwrap();
    let _ = writeln!(out, "set discard during add: {}", vm.repr_set(&s));
    // The compare adds another element, then says "not equal" / "equal".
    for (label, sought) in [("not equal", 2), ("equal", 1)] {
        let s = new_set();
        vm.add(&s, nasty(1, 1)).unwrap();
        vm.on_next_eq_in_set(&s, Mutation::Insert(Obj::Str("x".into()), Obj::Int(0)));
        let got = vm.contains(&s, &nasty(sought, 1)).map(py_bool);
        let _ = writeln!(
            out,
            "set add during lookup, {label}: {} {}",
            show(got),
            vm.repr_set(&s)
        );
    }
    // The compare clears the set and says "equal": `in` starts again and finds nothing; `add`
    // takes the element as present (CPython's set, unlike its dict), so the set stays empty.
    for label in ["in", "add"] {
        let s = new_set();
        vm.add(&s, nasty(1, 1)).unwrap();
        vm.add(&s, Obj::Str("y".into())).unwrap();
        vm.on_next_eq_in_set(&s, Mutation::Clear);
        let got = if label == "in" {
            vm.contains(&s, &nasty(1, 1))
                .map(|found| py_bool(found).to_string())
        } else {
            vm.add(&s, nasty(1, 1)).map(|()| "None".to_string())
        };
        let _ = writeln!(
            out,
            "set clear during {label}: {} {}",
            show(got),
            vm.repr_set(&s)
        );
    }
    // A `for` loop over a set: adding elements already there is fine; adding a new one or
    // discarding one raises at the next step.
    let s = new_set();
    for i in 0..4 {
        vm.add(&s, Obj::Int(i)).unwrap();
    }
    for (label, change) in [("re-add", 0), ("add", 1), ("discard", 2)] {
        let mut seen = Vec::new();
        let result = vm.for_each_elem(&s, |elem| {
            seen.push(elem.to_string());
            match change {
                0 => vm.add(&s, elem.clone()),
                1 if seen.len() == 2 => vm.add(&s, Obj::Int(50)),
                2 if seen.len() == 2 => vm.discard(&s, &Obj::Int(0)),
                _ => Ok(()),
            }
        });
        let _ = writeln!(
            out,
            "set {label} while iterating: {} seen [{}]",
            show(result.map(|()| "ok")),
            seen.join(", ")
        );
    }
    let _ = writeln!(out, "set after: {}", vm.repr_set(&s));
    out
}

#[allow(dead_code)] // a function of the test that includes this file
fn main() {
    print!("{}", scenarios());
}
