//! The instruction set and the code object that holds a program.
//!
//! An [`Op`] is one instruction with its argument already resolved to an index: into the
//! constants, the locals, the names, or the instructions (a jump target). Each `LOAD_GLOBAL` in
//! the program has a cache site of its own, as in CPython; so does `STORE_GLOBAL`, which the
//! slot-cached VM stores through (`SlotCache::store_with_hash`). A [`Code`] holds the
//! instructions, the tables they index, and the cache sites, which live with the code and so
//! stay warm from one run to the next.
//!
//! A site lives beside its instruction: the loop runs an array of instructions each with its
//! site (`interp::Instruction`), as CPython 3.11 keeps a `LOAD_GLOBAL`'s cache inline in the
//! bytecode right after the instruction. The loop's fetch of the instruction at offset `pc`
//! already has the site's address in hand, so a hit's loads start without waiting for the
//! decode, need no bounds check of their own, and need no second array's start. Two layouts
//! came before it: sites numbered by an operand (until 2026-12-04), then an array of sites
//! as long as the instructions, the site of the instruction at `pc` being element `pc` (until
//! 2026-12-07). Callgrind, per `LOAD_GLOBAL; POP_TOP` pair against the same loop's
//! `LOAD_FAST`, slot cache: 73 against 72, then 72 against 71, now 76 against 80; the
//! clock is in INTERNALS.md ("The reference VM") and the [`cache`](crate::cache) module's
//! docs. The array of instructions with sites belongs to the mode the code last ran in;
//! `Code`'s own copy of the instructions is what [`Code::ops`] shows, and the loop writes
//! every rewrite of an instruction to both. The price: a site for every instruction, most of
//! them never used, and in the cached modes each pair starts a cache line (128 bytes an
//! instruction: a 72-byte site, the instruction, padding; `interp::Instruction` says why);
//! an interpreter that lays its caches out in the bytecode, as CPython does, reserves them
//! only after the instructions that use them.

use super::interp::CacheSites;
use super::value::Value;
use std::rc::Rc;

/// One instruction. Arguments are indices, resolved by the assembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Push `consts[i]`.
    LoadConst(u32),
    /// Push local `i` (an error if it was never stored).
    LoadFast(u32),
    /// Pop into local `i`.
    StoreFast(u32),
    /// Push the global `names[i]` (globals, then builtins), through this instruction's cache
    /// site.
    LoadGlobal(u32),
    /// `LOAD_GLOBAL` specialised for a site that holds a module global, as CPython 3.11
    /// specialises it: the slot-cached VM rewrites a `LOAD_GLOBAL` into this form when a miss
    /// finds its name in globals (and into [`LoadGlobalBuiltin`](Op::LoadGlobalBuiltin) when
    /// it finds it in builtins), so that a hit compares the globals' keys version alone, with
    /// no second compare for a builtin behind it
    /// ([`SlotCache::hit_module_in`](crate::cache::SlotCache::hit_module_in)). It does what
    /// `LOAD_GLOBAL` does in every mode, errors included (they name `LOAD_GLOBAL`, the
    /// instruction as written). The assembler does not accept it: it is the VM's to write
    /// (a hand-built [`Code`] may hold it, and runs as if it held `LOAD_GLOBAL`).
    LoadGlobalModule(u32),
    /// `LOAD_GLOBAL` specialised for a site that holds a builtin, as CPython 3.11 specialises
    /// it: the slot-cached VM rewrites a `LOAD_GLOBAL` into this form when a miss finds its
    /// name in builtins, so that a builtin's hit compares one version without first failing
    /// the module global's compare
    /// ([`SlotCache::hit_builtin_in`](crate::cache::SlotCache::hit_builtin_in)). Otherwise
    /// as [`LoadGlobalModule`](Op::LoadGlobalModule).
    LoadGlobalBuiltin(u32),
    /// `LOAD_GLOBAL` at a site that is backing off, as CPython 3.11's adaptive `LOAD_GLOBAL`
    /// counts down its back-off: the version-cached VM rewrites a `LOAD_GLOBAL` into this
    /// form when a load leaves its site backing off
    /// ([`VersionCache::backing_off`](crate::cache::VersionCache::backing_off)), so that the
    /// loads that follow take a skip and look the name up without first testing a cache that
    /// cannot hit, and back into `LOAD_GLOBAL` when the site's skips run out. Otherwise as
    /// [`LoadGlobalModule`](Op::LoadGlobalModule).
    LoadGlobalBackingOff(u32),
    /// Pop into global `names[i]`, through this instruction's cache site (used in the slot
    /// mode).
    StoreGlobal(u32),
    /// Delete global `names[i]` (a NameError if absent).
    DeleteGlobal(u32),
    /// Pop and discard.
    PopTop,
    /// Pop b, pop a, push a + b (ints, or strings concatenated).
    BinaryAdd,
    /// Pop b, pop a, push a - b (ints).
    BinarySub,
    /// Pop b, pop a, push a < b (ints, or strings).
    CompareLt,
    /// Continue at instruction `i`.
    Jump(u32),
    /// Pop; continue at instruction `i` if the value is false.
    PopJumpIfFalse(u32),
    /// Pop n arguments and the function below them; push the call's result.
    Call(u32),
    /// Pop and return the value.
    ReturnValue,
}

impl Op {
    /// The opcode's name, as the assembly spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Op::LoadConst(_) => "LOAD_CONST",
            Op::LoadFast(_) => "LOAD_FAST",
            Op::StoreFast(_) => "STORE_FAST",
            Op::LoadGlobal(_) => "LOAD_GLOBAL",
            Op::LoadGlobalModule(_) => "LOAD_GLOBAL_MODULE",
            Op::LoadGlobalBuiltin(_) => "LOAD_GLOBAL_BUILTIN",
            Op::LoadGlobalBackingOff(_) => "LOAD_GLOBAL_BACKING_OFF",
            Op::StoreGlobal(_) => "STORE_GLOBAL",
            Op::DeleteGlobal(_) => "DELETE_GLOBAL",
            Op::PopTop => "POP_TOP",
            Op::BinaryAdd => "BINARY_ADD",
            Op::BinarySub => "BINARY_SUB",
            Op::CompareLt => "COMPARE_LT",
            Op::Jump(_) => "JUMP",
            Op::PopJumpIfFalse(_) => "POP_JUMP_IF_FALSE",
            Op::Call(_) => "CALL",
            Op::ReturnValue => "RETURN_VALUE",
        }
    }

    /// How many values the instruction pops, and how many it pushes.
    pub fn stack_effect(&self) -> (usize, usize) {
        match *self {
            Op::LoadConst(_)
            | Op::LoadFast(_)
            | Op::LoadGlobal(_)
            | Op::LoadGlobalModule(_)
            | Op::LoadGlobalBuiltin(_)
            | Op::LoadGlobalBackingOff(_) => (0, 1),
            Op::StoreFast(_) | Op::StoreGlobal(_) | Op::PopTop | Op::PopJumpIfFalse(_) => (1, 0),
            Op::DeleteGlobal(_) | Op::Jump(_) => (0, 0),
            Op::BinaryAdd | Op::BinarySub | Op::CompareLt => (2, 1),
            Op::Call(argc) => (argc as usize + 1, 1),
            Op::ReturnValue => (1, 0),
        }
    }

    /// The instruction as the program wrote it: a specialised form
    /// ([`LoadGlobalModule`](Op::LoadGlobalModule), [`LoadGlobalBuiltin`](Op::LoadGlobalBuiltin),
    /// [`LoadGlobalBackingOff`](Op::LoadGlobalBackingOff)) as the `LOAD_GLOBAL` it stands
    /// for, anything else as itself.
    pub fn as_written(&self) -> Op {
        match *self {
            Op::LoadGlobalModule(name)
            | Op::LoadGlobalBuiltin(name)
            | Op::LoadGlobalBackingOff(name) => Op::LoadGlobal(name),
            op => op,
        }
    }

    /// Where control can go next: the following instruction, a jump target, both, or neither.
    pub fn successors(&self, offset: usize) -> (Option<usize>, Option<usize>) {
        match *self {
            Op::Jump(target) => (None, Some(target as usize)),
            Op::PopJumpIfFalse(target) => (Some(offset + 1), Some(target as usize)),
            Op::ReturnValue => (None, None),
            _ => (Some(offset + 1), None),
        }
    }
}

/// A program: instructions, the tables their arguments index, and the cache sites.
///
/// Build one with [`assemble`](super::assemble). It is run with [`Vm::run`](super::Vm::run),
/// which takes `&mut Code` because running fills the cache sites.
#[derive(Debug, Clone)]
pub struct Code {
    pub(crate) ops: Vec<Op>,
    /// The source line of each instruction, for error messages.
    pub(crate) lines: Vec<u32>,
    pub(crate) consts: Vec<Value>,
    pub(crate) names: Vec<Rc<str>>,
    pub(crate) local_names: Vec<Rc<str>>,
    /// The deepest the stack can get, computed by the assembler's stack check.
    pub(crate) max_stack_depth: usize,
    /// The instructions again, each with its cache site, for the mode the code last ran in.
    pub(crate) caches: CacheSites,
}

impl Code {
    /// Builds code from instructions made by hand (a compiler emitting [`Op`]s directly).
    ///
    /// Every index is checked against its table, and every jump target against the
    /// instructions, so running the result cannot index out of bounds; the stack check the
    /// assembler runs is *not* run, so an underflow surfaces at run time as
    /// [`ErrorKind::StackUnderflow`](super::ErrorKind::StackUnderflow).
    ///
    /// ```
    /// use vdict::vm::{Code, ErrorKind, Op, Value, Vm, CacheMode};
    /// let mut code = Code::from_parts(vec![Op::PopTop, Op::ReturnValue], vec![], vec![], vec![]).unwrap();
    /// let error = Vm::new(CacheMode::Slot).run(&mut code).unwrap_err();
    /// assert_eq!((error.offset, error.kind), (0, ErrorKind::StackUnderflow));
    /// ```
    pub fn from_parts(
        ops: Vec<Op>,
        consts: Vec<Value>,
        names: Vec<Rc<str>>,
        local_names: Vec<Rc<str>>,
    ) -> Result<Code, String> {
        for (offset, op) in ops.iter().enumerate() {
            let (index, bound, table) = match *op {
                Op::LoadConst(i) => (i, consts.len(), "constants"),
                Op::LoadFast(i) | Op::StoreFast(i) => (i, local_names.len(), "locals"),
                Op::LoadGlobal(i)
                | Op::LoadGlobalModule(i)
                | Op::LoadGlobalBuiltin(i)
                | Op::LoadGlobalBackingOff(i)
                | Op::StoreGlobal(i)
                | Op::DeleteGlobal(i) => (i, names.len(), "names"),
                Op::Jump(target) | Op::PopJumpIfFalse(target) => {
                    (target, ops.len(), "instructions")
                }
                _ => continue,
            };
            if index as usize >= bound {
                return Err(format!(
                    "instruction {offset} ({}) refers to entry {index} of the {table}, which has {bound}",
                    op.name()
                ));
            }
        }
        let max_stack_depth = check_stack(&ops).map_or(0, |deepest| deepest);
        Ok(Code {
            lines: vec![0; ops.len()],
            ops,
            consts,
            names,
            local_names,
            max_stack_depth,
            caches: CacheSites::Cold,
        })
    }

    /// The instructions, as last run: a slot-cached run specialises a `LOAD_GLOBAL` into
    /// [`Op::LoadGlobalModule`] or [`Op::LoadGlobalBuiltin`] by where its name was found, a
    /// version-cached run into [`Op::LoadGlobalBackingOff`] while its site backs off
    /// (CPython's `dis(adaptive=True)` shows the same); [`Op::as_written`] gives the
    /// instruction the program wrote.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// The constants `LOAD_CONST` indexes.
    pub fn consts(&self) -> &[Value] {
        &self.consts
    }

    /// The global names `LOAD_GLOBAL`, `STORE_GLOBAL` and `DELETE_GLOBAL` index.
    pub fn names(&self) -> &[Rc<str>] {
        &self.names
    }

    /// The local variable names `LOAD_FAST` and `STORE_FAST` index.
    pub fn local_names(&self) -> &[Rc<str>] {
        &self.local_names
    }

    /// The deepest the value stack can get.
    pub fn max_stack_depth(&self) -> usize {
        self.max_stack_depth
    }

    /// The source line instruction `offset` came from.
    pub fn line_of(&self, offset: usize) -> Option<u32> {
        self.lines.get(offset).copied()
    }

    /// Hit and miss counts of every cache site (`LOAD_GLOBAL`s, and in the slot mode the
    /// `STORE_GLOBAL`s too), summed, since the code was assembled or the cache mode last
    /// changed. `None` when the VM ran it uncached. Hits are `None` unless the VM counts them
    /// ([`Vm::with_cache_hits_counted`](super::Vm::with_cache_hits_counted)).
    pub fn cache_stats(&self) -> Option<crate::cache::CacheStats> {
        self.caches.stats()
    }

    /// Empties every cache site (the counters too): the next run starts cold.
    pub fn reset_caches(&mut self) {
        self.caches = CacheSites::Cold;
    }
}

/// Walks every path from the first instruction, tracking the stack depth. Returns the deepest
/// the stack gets, or the first instruction (by index) that would pop more than the stack can
/// hold, that two paths reach with different depths, or after which control runs past the end.
pub(crate) fn check_stack(ops: &[Op]) -> Result<usize, (usize, String)> {
    if ops.is_empty() {
        return Ok(0);
    }
    let mut depth_at: Vec<Option<usize>> = vec![None; ops.len()];
    depth_at[0] = Some(0);
    let mut to_visit = vec![0usize];
    let mut deepest = 0;
    while let Some(index) = to_visit.pop() {
        let op = ops[index];
        let depth = depth_at[index].expect("only visited instructions are queued");
        let (pops, pushes) = op.stack_effect();
        if depth < pops {
            let plural = if pops == 1 { "value" } else { "values" };
            return Err((
                index,
                format!(
                    "{} needs {pops} {plural} on the stack, but only {depth} can be there",
                    op.name()
                ),
            ));
        }
        let after = depth - pops + pushes;
        deepest = deepest.max(after);
        let (next, target) = op.successors(index);
        for successor in [next, target].into_iter().flatten() {
            if successor >= ops.len() {
                return Err((
                    index,
                    format!(
                        "control can run past the last instruction after this {}: expected a RETURN_VALUE or JUMP to end the program",
                        op.name()
                    ),
                ));
            }
            match depth_at[successor] {
                None => {
                    depth_at[successor] = Some(after);
                    to_visit.push(successor);
                }
                Some(known) if known != after => {
                    return Err((
                        successor,
                        format!("the stack holds {known} values on one path into this instruction and {after} on another"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(deepest)
}
