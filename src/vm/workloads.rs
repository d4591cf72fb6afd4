//! The programs the benchmarks run, generated as assembly text so anyone can read, run and
//! change them.
//!
//! Per-instruction cost is measured as CPython 3.11's were (INTERNALS.md section 8): a counted
//! loop whose body is `repeat` copies of `LOAD_x; POP_TOP`, minus the same loop with an empty body, divided
//! by `iterations * repeat`. What is left is the cost of one `LOAD_x; POP_TOP` pair; dividing by
//! the `LOAD_FAST; POP_TOP` pair's cost gives the ratio the report prints.

use super::interp::Vm;
use super::value::Value;

/// What the body of a measuring loop repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadBody {
    /// Nothing: the loop's own cost, subtracted from the others.
    Empty,
    /// `LOAD_CONST 7; POP_TOP`.
    LoadConst,
    /// `LOAD_FAST local; POP_TOP`.
    LoadFast,
    /// `LOAD_GLOBAL module_global; POP_TOP`: found in globals.
    LoadGlobalModule,
    /// `LOAD_GLOBAL len; POP_TOP`: found in builtins, after missing in globals.
    LoadGlobalBuiltin,
}

impl LoadBody {
    /// The workload's name in the report: `load_const`, `load_fast`, ...
    pub fn name(self) -> &'static str {
        match self {
            LoadBody::Empty => "empty",
            LoadBody::LoadConst => "load_const",
            LoadBody::LoadFast => "load_fast",
            LoadBody::LoadGlobalModule => "load_global_module",
            LoadBody::LoadGlobalBuiltin => "load_global_builtin",
        }
    }

    fn instruction(self) -> Option<&'static str> {
        match self {
            LoadBody::Empty => None,
            LoadBody::LoadConst => Some("LOAD_CONST 7"),
            LoadBody::LoadFast => Some("LOAD_FAST local"),
            LoadBody::LoadGlobalModule => Some("LOAD_GLOBAL module_global"),
            LoadBody::LoadGlobalBuiltin => Some("LOAD_GLOBAL len"),
        }
    }
}

/// A counted loop around `body`: `iterations` times, run `body_text` (assembly lines).
fn counted_loop(iterations: i64, body_text: &str) -> String {
    format!(
        "# {iterations} iterations of the body, counted in a local
        LOAD_CONST 7
        STORE_FAST local
        LOAD_CONST 0
        STORE_FAST i
    loop:
        LOAD_FAST i
        LOAD_CONST {iterations}
        COMPARE_LT
        POP_JUMP_IF_FALSE done
{body_text}
        LOAD_FAST i
        LOAD_CONST 1
        BINARY_ADD
        STORE_FAST i
        JUMP loop
    done:
        LOAD_CONST None
        RETURN_VALUE
"
    )
}

/// The measuring loop: `iterations` times, `repeat` copies of `body` followed by `POP_TOP`.
pub fn load_loop(body: LoadBody, repeat: usize, iterations: i64) -> String {
    let body_text = match body.instruction() {
        None => String::new(),
        Some(load) => format!("        {load}\n        POP_TOP\n").repeat(repeat),
    };
    counted_loop(iterations, &body_text)
}

/// The rebinding workload: each iteration stores to the global `counter`, then loads it
/// `loads_per_store` times. Every store changes the globals' version (a version cache misses
/// on every load) but not its keys version (a slot cache keeps hitting).
pub fn store_then_load_global(loads_per_store: usize, iterations: i64) -> String {
    let body_text = format!(
        "        LOAD_FAST i\n        STORE_GLOBAL counter\n{}",
        "        LOAD_GLOBAL counter\n        POP_TOP\n".repeat(loads_per_store)
    );
    counted_loop(iterations, &body_text)
}

/// Defines the globals the workloads read (`module_global`, `counter`), among a few dozen
/// others so the globals dict is the size of a real module's.
pub fn define_workload_globals(vm: &mut Vm) {
    let globals = vm.globals_mut();
    for i in 0..40 {
        globals.insert(format!("padding_{i}").into(), Value::Int(i));
    }
    globals.insert("module_global".into(), Value::Int(1));
    globals.insert("counter".into(), Value::Int(0));
}
