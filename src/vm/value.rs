//! The VM's values, its runtime errors, and the builtins written in Rust.
//!
//! Values are small and cheap to clone, as an interpreter's are: integers and booleans are
//! copied, strings are reference-counted, a builtin is a reference to its static definition. The builtins dict
//! that [`Vm::new`](super::Vm::new) starts from holds [`BUILTINS`].

use std::fmt;
use std::rc::Rc;

/// A value on the VM's stack, in a local, or in a namespace.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// Python's `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// A 64-bit integer (arithmetic that overflows is an error, not a bigint).
    Int(i64),
    /// An immutable string.
    Str(Rc<str>),
    /// A function written in Rust (a reference, so that a `Value` stays three words).
    Builtin(&'static Builtin),
}

impl Default for Value {
    /// `None`, as in Python: what an empty [`VersionCache`](crate::cache::VersionCache) site
    /// holds until its first fill.
    fn default() -> Value {
        Value::None
    }
}

/// A builtin function: a name and a Rust function over the call's arguments.
#[derive(Clone, Copy)]
pub struct Builtin {
    /// The name it is bound to in the builtins dict.
    pub name: &'static str,
    /// The function itself.
    pub call: fn(&[Value]) -> Result<Value, ErrorKind>,
}

impl PartialEq for Builtin {
    /// Builtins are equal when they have the same name (function pointers do not compare
    /// reliably across codegen units).
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Value {
    /// The type's name as Python prints it in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Str(_) => "str",
            Value::Builtin(_) => "builtin_function_or_method",
        }
    }

    /// Python's truth value: `None`, `False`, `0` and `""` are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Str(s) => !s.is_empty(),
            Value::Builtin(_) => true,
        }
    }
}

impl fmt::Debug for Value {
    /// Python's `repr`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("None"),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "{:?}", &**s),
            Value::Builtin(b) => write!(f, "<built-in function {}>", b.name),
        }
    }
}

impl fmt::Display for Value {
    /// Python's `str`: like `repr`, but strings print bare.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            other => fmt::Debug::fmt(other, f),
        }
    }
}

/// What went wrong at run time (the VM adds where: see [`VmError`](super::VmError)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A global name was in neither globals nor builtins, or `DELETE_GLOBAL` of a missing one.
    NameError(String),
    /// A local was read before any store to it.
    UnboundLocalError(String),
    /// An operation on values of the wrong types, or a call of a non-function.
    TypeError(String),
    /// An argument of the right type but a wrong value (`min()` of nothing).
    ValueError(String),
    /// Integer arithmetic overflowed 64 bits.
    OverflowError(String),
    /// A string would have grown past the VM's limit ([`Vm::with_string_limit`](super::Vm::with_string_limit)).
    MemoryError(String),
    /// An instruction needed more values than the stack held (the assembler's stack check
    /// rules this out for assembled code; a hand-built [`Code`](super::Code) may still do it).
    StackUnderflow,
    /// The program took more jumps than the VM's limit allows.
    JumpLimitExceeded(u64),
    /// Control ran past the last instruction.
    FellOffTheEnd,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::NameError(name) => write!(f, "NameError: name '{name}' is not defined"),
            ErrorKind::UnboundLocalError(name) => {
                write!(
                    f,
                    "UnboundLocalError: local variable '{name}' referenced before assignment"
                )
            }
            ErrorKind::TypeError(message) => write!(f, "TypeError: {message}"),
            ErrorKind::ValueError(message) => write!(f, "ValueError: {message}"),
            ErrorKind::OverflowError(message) => write!(f, "OverflowError: {message}"),
            ErrorKind::MemoryError(message) => write!(f, "MemoryError: {message}"),
            ErrorKind::StackUnderflow => f.write_str("stack underflow"),
            ErrorKind::JumpLimitExceeded(limit) => {
                write!(f, "stopped after {limit} jumps (the VM's jump limit)")
            }
            ErrorKind::FellOffTheEnd => f.write_str("ran past the last instruction"),
        }
    }
}

/// The builtins every VM starts with.
pub static BUILTINS: [Builtin; 4] = [
    Builtin {
        name: "len",
        call: builtin_len,
    },
    Builtin {
        name: "abs",
        call: builtin_abs,
    },
    Builtin {
        name: "min",
        call: builtin_min,
    },
    Builtin {
        name: "max",
        call: builtin_max,
    },
];

fn arity(name: &str, args: &[Value], expected: usize) -> Result<(), ErrorKind> {
    if args.len() == expected {
        Ok(())
    } else {
        Err(ErrorKind::TypeError(format!(
            "{name}() takes exactly {expected} argument ({} given)",
            args.len()
        )))
    }
}

/// `len(s)`: the number of characters in a string.
fn builtin_len(args: &[Value]) -> Result<Value, ErrorKind> {
    arity("len", args, 1)?;
    match &args[0] {
        Value::Str(s) => Ok(Value::Int(s.chars().count() as i64)),
        other => Err(ErrorKind::TypeError(format!(
            "object of type '{}' has no len()",
            other.type_name()
        ))),
    }
}

/// `abs(i)`.
fn builtin_abs(args: &[Value]) -> Result<Value, ErrorKind> {
    arity("abs", args, 1)?;
    match &args[0] {
        Value::Int(i) => i
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| ErrorKind::OverflowError("abs() of the smallest int".into())),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        other => Err(ErrorKind::TypeError(format!(
            "bad operand type for abs(): '{}'",
            other.type_name()
        ))),
    }
}

/// The integer in `value`, or a TypeError naming `function`.
fn int_arg(function: &str, value: &Value) -> Result<i64, ErrorKind> {
    match value {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        other => Err(ErrorKind::TypeError(format!(
            "{function}() arguments must be int, not '{}'",
            other.type_name()
        ))),
    }
}

/// `min` / `max` over one or more integers.
fn extreme(name: &str, args: &[Value], pick: fn(i64, i64) -> i64) -> Result<Value, ErrorKind> {
    let (first, rest) = args.split_first().ok_or_else(|| {
        ErrorKind::ValueError(format!("{name}() expected at least 1 argument, got 0"))
    })?;
    let mut best = int_arg(name, first)?;
    for arg in rest {
        best = pick(best, int_arg(name, arg)?);
    }
    Ok(Value::Int(best))
}

/// `min(a, b, ...)`.
fn builtin_min(args: &[Value]) -> Result<Value, ErrorKind> {
    extreme("min", args, i64::min)
}

/// `max(a, b, ...)`.
fn builtin_max(args: &[Value]) -> Result<Value, ErrorKind> {
    extreme("max", args, i64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_compute_and_reject_bad_arguments() {
        let s = Value::Str("héllo".into());
        assert_eq!(builtin_len(&[s]), Ok(Value::Int(5)));
        assert_eq!(builtin_abs(&[Value::Int(-3)]), Ok(Value::Int(3)));
        assert_eq!(
            builtin_min(&[Value::Int(3), Value::Int(-1), Value::Int(2)]),
            Ok(Value::Int(-1))
        );
        assert_eq!(
            builtin_max(&[Value::Int(3), Value::Int(9)]),
            Ok(Value::Int(9))
        );
        assert!(matches!(
            builtin_len(&[Value::Int(1)]),
            Err(ErrorKind::TypeError(_))
        ));
        assert!(matches!(builtin_len(&[]), Err(ErrorKind::TypeError(_))));
        assert!(matches!(builtin_min(&[]), Err(ErrorKind::ValueError(_))));
        assert!(matches!(
            builtin_abs(&[Value::Int(i64::MIN)]),
            Err(ErrorKind::OverflowError(_))
        ));
    }

    #[test]
    fn values_print_like_python() {
        assert_eq!(format!("{:?}", Value::Str("a".into())), "\"a\"");
        assert_eq!(format!("{}", Value::Str("a".into())), "a");
        assert_eq!(format!("{:?}", Value::Bool(true)), "True");
        assert_eq!(
            format!("{:?}", Value::Builtin(&BUILTINS[0])),
            "<built-in function len>"
        );
    }
}
