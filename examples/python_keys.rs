//! Keys a Python compares: a dict whose keys are interpreter objects, hashed and compared by a
//! small "VM" whose `__eq__` may raise or change the dict being searched.
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
//! version checked before the answer is trusted; a changed dict means starting again.
//! `tests/python_keys.rs` runs both programs and compares what they print.

use std::cell::{Cell, RefCell};
use std::fmt::{self, Write};
use std::rc::Rc;
use vdict::dict::{Candidate, IterationError};
use vdict::Dict;

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
/// `NastyKey.mutate_dict`.
pub enum Mutation {
    Raise(&'static str),
    Insert(Obj, Obj),
    Delete(Obj),
    Clear,
}

/// A Python exception, as the VM raises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyErr(pub String);

pub type PyDict = Rc<RefCell<Dict<Obj, Obj>>>;

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
    armed: RefCell<Option<(PyDict, Mutation)>>,
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
        *self.armed.borrow_mut() = Some((dict.clone(), mutation));
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
                if let Some((dict, mutation)) = armed {
                    match mutation {
                        Mutation::Raise(message) => return Err(PyErr(message.to_string())),
                        Mutation::Insert(key, value) => self.setitem(&dict, key, value)?,
                        Mutation::Delete(key) => self.delitem(&dict, &key)?,
                        Mutation::Clear => dict.borrow_mut().clear(),
                    }
                }
                Ok(!a.never_equal && a.value == b.value)
            }
            _ => Ok(false),
        }
    }

    /// CPython's `lookdict`: the slot of `key`, or `None`. Candidates (entries whose stored
    /// hash is `key`'s) are compared with no borrow of the dict held; a compare that changed
    /// the dict's keys sends the lookup back to the start.
    pub fn lookup(&self, dict: &PyDict, key: &Obj) -> Result<Option<usize>, PyErr> {
        let hash = self.hash(key);
        'restart: loop {
            let mut probe = dict.borrow().probe(hash);
            loop {
                let (slot, stored) = match dict.borrow().next_candidate(&mut probe) {
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
                    if dict.borrow().keys_version() != probe.keys_version() {
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
    out
}

#[allow(dead_code)] // a function of the test that includes this file
fn main() {
    print!("{}", scenarios());
}
