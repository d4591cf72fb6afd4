//! The interpreter loop: fetch, match, execute, with a cache site per `LOAD_GLOBAL`.
//!
//! The loop is written once, generic over how `LOAD_GLOBAL` is served ([`GlobalLoad`]), and
//! compiled once per cache mode, so the mode costs nothing per instruction: [`Vm::run`] picks
//! the compiled loop when it starts. A `LOAD_GLOBAL` asks its site for a hit (compares of
//! version tags, no hashing); only on a miss does it hash-free look the name up (the hash was
//! computed once per run, as an interpreter computes it once per interned name) and refill.
//! In the slot mode a miss also specialises the instruction, as CPython 3.11 does: a
//! `LOAD_GLOBAL` that found a module global becomes `LOAD_GLOBAL_MODULE`, whose hit is one
//! compare with no builtin's compare to jump over, and one that found a builtin becomes
//! `LOAD_GLOBAL_BUILTIN`, whose hit compares one version without first failing the module
//! global's compare; a later miss rewrites it again by where it finds the name.
//!
//! Everything that can go wrong at run time comes back as `Err(VmError)` naming the
//! instruction's offset and line; nothing panics on a bad program.

use super::ops::{Code, Op};
use super::value::{ErrorKind, Value, BUILTINS};
use crate::cache::{CacheStats, Namespaces, PairVersion, SlotCache, VersionCache};
use crate::dict::EntryRef;
use crate::{Dict, Version};
use std::fmt;
use std::rc::Rc;

/// A namespace: globals or builtins.
pub type Namespace = Dict<Rc<str>, Value>;

/// Globals and builtins, borrowed together with the version of their keys as a pair: what a
/// cache hit looks at ([`PairVersion`]).
type Scope<'a> = Namespaces<'a, Rc<str>, Value, crate::DefaultHashBuilder>;

/// How `LOAD_GLOBAL` is served; chosen when the VM is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheMode {
    /// Every load looks the name up: globals, then builtins (hash precomputed).
    None,
    /// CPython 3.8's opcache: [`VersionCache`], keyed on both dicts' versions.
    Version,
    /// CPython 3.11's specialised loads: [`SlotCache`], keyed on keys versions.
    Slot,
}

impl CacheMode {
    /// All three, in the order the report prints them.
    pub const ALL: [CacheMode; 3] = [CacheMode::None, CacheMode::Version, CacheMode::Slot];

    /// The mode's name in reports: `none`, `version`, `slot`.
    pub fn name(&self) -> &'static str {
        match self {
            CacheMode::None => "none",
            CacheMode::Version => "version",
            CacheMode::Slot => "slot",
        }
    }
}

/// An instruction and its cache site side by side: the array the interpreter loop runs.
///
/// CPython 3.11 keeps a `LOAD_GLOBAL`'s inline cache in the bytecode, right after the
/// instruction; this is the same idea with one site per instruction. The loop's fetch of
/// `instructions[pc]` already holds the address the site is at, so a hit reads the site through
/// a pointer it has in hand, where a separate array of sites needed its start loaded too (from
/// the stack: a loop this size keeps little in registers). Callgrind, a `LOAD; POP_TOP` pair
/// (`examples/profile_vm.rs`) over its own loop's `LOAD_FAST` pair, separate array -> side by
/// side: the slot cache's module hit 72 / 71 -> 76 / 80 (1.01 -> 0.95), the version cache's
/// 69 / 69 -> 73 / 75 (1.00 -> 0.97), the slot cache's rebinding loop 83.9 / 71 -> 87.9 / 80
/// a load (1.18 -> 1.10); back-off 204.0 / 196.2 -> 206.3 / 196.3 a load over the uncached
/// one (1.040 -> 1.051). (Each mode's loop is compiled apart, and its register allocation
/// moves every count in it.) On the clock, INTERNALS.md ("The reference VM", 2026-12-07).
///
/// In the cached modes each pair starts a cache line of its own (`A` = [`CacheLine`]; the
/// uncached mode's pairs are its instructions alone, 8 bytes each). Pairs 80 bytes apart,
/// sharing lines, read alike for hits and worse for the version cache's back-off loop, in
/// the same batch of runs (loops aligned, four alternating runs: 1.14-1.22 × the uncached
/// load, against 1.08-1.16 on lines of their own); but that row moves by ±0.1 from one batch
/// to the next of the same binary, so this is a lean, not a proof. The site comes before the
/// instruction (`repr(C)`): the other way round, 80 bytes apart, back-off read 1.18-1.23
/// (loops aligned, three alternating runs).
#[derive(Debug, Clone)]
#[repr(C)]
pub(crate) struct Instruction<L, A = ()> {
    site: L,
    op: Op,
    /// Aligns the pair as `A` is aligned, taking no room.
    alignment: [A; 0],
}

/// A type aligned to a cache line (64 bytes), for [`Instruction`]'s alignment.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
pub(crate) struct CacheLine;

/// The instructions of a [`Code`] with their cache sites (see [`Instruction`]), for the mode
/// it last ran in. [`Code::ops`] stays the program's own copy of the instructions: the loop
/// writes every rewrite of an instruction (a specialisation) to both.
#[derive(Debug, Clone, Default)]
pub(crate) enum CacheSites {
    /// Not run yet since it was assembled or its caches were reset.
    #[default]
    Cold,
    /// Run uncached: the instructions alone (an `Uncached` site takes no room).
    Uncached(Vec<Instruction<Uncached>>),
    Version(Vec<Instruction<VersionCache<Value>, CacheLine>>),
    Slot(Vec<Instruction<SlotCache, CacheLine>>),
}

/// `ops`, each with a site made by `site`.
fn with_sites<L, A>(ops: &[Op], mut site: impl FnMut() -> L) -> Vec<Instruction<L, A>> {
    ops.iter()
        .map(|&op| Instruction {
            site: site(),
            op,
            alignment: [],
        })
        .collect()
}

impl CacheSites {
    /// Empty sites for `mode` beside `ops`, counting hits if `count_hits`.
    fn new(mode: CacheMode, count_hits: bool, ops: &[Op]) -> CacheSites {
        match (mode, count_hits) {
            (CacheMode::None, _) => CacheSites::Uncached(with_sites(ops, || Uncached)),
            (CacheMode::Version, false) => CacheSites::Version(with_sites(ops, VersionCache::new)),
            (CacheMode::Version, true) => {
                CacheSites::Version(with_sites(ops, VersionCache::counting_hits))
            }
            (CacheMode::Slot, false) => CacheSites::Slot(with_sites(ops, SlotCache::new)),
            (CacheMode::Slot, true) => CacheSites::Slot(with_sites(ops, SlotCache::counting_hits)),
        }
    }

    /// Whether these sites were made for `mode`, counting hits as `count_hits` says (so a
    /// run keeps them warm rather than remaking them).
    fn suit(&self, mode: CacheMode, count_hits: bool) -> bool {
        match self {
            CacheSites::Cold => false,
            CacheSites::Uncached(_) => mode == CacheMode::None,
            CacheSites::Version(instructions) => {
                mode == CacheMode::Version
                    && instructions
                        .iter()
                        .all(|i| i.site.counts_hits() == count_hits)
            }
            CacheSites::Slot(instructions) => {
                mode == CacheMode::Slot
                    && instructions
                        .iter()
                        .all(|i| i.site.counts_hits() == count_hits)
            }
        }
    }

    pub(crate) fn stats(&self) -> Option<CacheStats> {
        let mut total = CacheStats::default();
        match self {
            CacheSites::Cold | CacheSites::Uncached(_) => return None,
            CacheSites::Version(instructions) => {
                instructions.iter().for_each(|i| total += i.site.stats())
            }
            CacheSites::Slot(instructions) => {
                instructions.iter().for_each(|i| total += i.site.stats())
            }
        }
        Some(total)
    }
}

/// A runtime error and where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmError {
    /// The offset (instruction index) of the failing instruction.
    pub offset: usize,
    /// Its source line.
    pub line: u32,
    /// Its opcode's name.
    pub opcode: &'static str,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for VmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, offset {} ({}): {}",
            self.line, self.offset, self.opcode, self.kind
        )
    }
}

impl std::error::Error for VmError {}

/// The namespaces' versions as the interpreter loop last read them.
///
/// While code runs, the namespaces change only through its `STORE_GLOBAL` and `DELETE_GLOBAL`
/// (a builtin sees only its arguments), so the loop reads both versions when it starts and
/// again after each of those two instructions, and a version-cache hit compares against this
/// copy ([`VersionCache::hit_versions`]) rather than reaching through the VM to the dicts.
#[derive(Clone, Copy)]
struct NamespaceVersions {
    globals: Version,
    builtins: Version,
}

impl NamespaceVersions {
    /// The namespaces' versions, if sites of kind `L` compare them, else `NEVER` twice: only
    /// the version cache's hit compares them, so only its loop keeps them. (Reading them in
    /// every mode costs little now that a tag is a plain word: one instruction an iteration
    /// of the uncached rebinding loop, callgrind, `examples/profile_vm none rebind`. While tags
    /// were taken lazily, a read was an atomic load and a test the compiler could not drop,
    /// and it cost the slot cache's rebinding loop 3 instructions a load.)
    #[inline(always)]
    fn for_sites<L: GlobalLoad>(vm: &Vm) -> NamespaceVersions {
        if L::COMPARES_VERSIONS {
            NamespaceVersions {
                globals: vm.globals.version(),
                builtins: vm.builtins.version(),
            }
        } else {
            NamespaceVersions {
                globals: Version::NEVER,
                builtins: Version::NEVER,
            }
        }
    }
}

/// How one cache mode serves `LOAD_GLOBAL`, in the shape an interpreter loop should take:
/// `hit` is the fast path, inline, and hands back a reference to push a clone of, exactly as
/// `LOAD_FAST` pushes a clone of a local; only when it misses does the loop fetch the name and
/// its hash (two more array reads) for `load`, the caches' `miss_with_hash`, whose slow path
/// is out of line. Fetching the name before knowing it is needed measured 20 instructions per
/// hit instead of 2 over `LOAD_FAST`: the two bounds checks cannot be moved into the miss path.
/// (`load_with_hash` in `load` tested the versions again: 12 instructions more a load where
/// every load misses, callgrind, the report's rebinding workload in the version mode.)
trait GlobalLoad {
    /// The value, if this site can answer without a lookup. `scope` is the namespaces with
    /// their pair version, and `versions` their versions, both as the loop keeps them.
    fn hit<'a>(&'a self, scope: &Scope<'a>, versions: NamespaceVersions) -> Option<&'a Value>;
    /// The value of `name` (its `hash` precomputed, as an interpreter computes it once per
    /// interned name), or `None` for a `NameError`. (An `Option` of a reference is one
    /// register; a `Result` carrying the error's `String` would go through memory.)
    fn load<'a>(&'a mut self, scope: &Scope<'a>, name: &str, hash: u64) -> Option<&'a Value>;

    /// Whether this kind of site has faster hits for a module global and for a builtin, so
    /// that the loop rewrites a `LOAD_GLOBAL` into `LOAD_GLOBAL_MODULE` or
    /// `LOAD_GLOBAL_BUILTIN` by what it found (only the slot cache does; the others run those
    /// instructions as `LOAD_GLOBAL`, and the loop never writes an instruction for them).
    const SPECIALISES: bool = false;

    /// Whether this kind of site's [`hit`](GlobalLoad::hit) compares the `versions` it is
    /// given (only the version cache's does): the loop reads them only then.
    const COMPARES_VERSIONS: bool = false;

    /// [`hit`](GlobalLoad::hit) for a `LOAD_GLOBAL_MODULE`: a site that held a module global
    /// when the instruction was specialised (it may hold anything now: the VM can change
    /// mode).
    #[inline(always)]
    fn hit_module<'a>(
        &'a self,
        scope: &Scope<'a>,
        versions: NamespaceVersions,
    ) -> Option<&'a Value> {
        self.hit(scope, versions)
    }

    /// Whether the site holds a module global that [`hit_module`](GlobalLoad::hit_module)
    /// can hit: asked after a load, to choose the instruction's form.
    #[inline(always)]
    fn holds_module_global(&self) -> bool {
        false
    }

    /// [`hit`](GlobalLoad::hit) for a `LOAD_GLOBAL_BUILTIN`: a site that held a builtin when
    /// the instruction was specialised (it may hold anything now: the VM can change mode).
    #[inline(always)]
    fn hit_builtin<'a>(
        &'a self,
        scope: &Scope<'a>,
        versions: NamespaceVersions,
    ) -> Option<&'a Value> {
        self.hit(scope, versions)
    }

    /// Whether the site holds a builtin that [`hit_builtin`](GlobalLoad::hit_builtin) can
    /// hit: asked after a load, to choose the instruction's form.
    #[inline(always)]
    fn holds_builtin(&self) -> bool {
        false
    }

    /// Whether this kind of site backs off in a way the loop can see, so that the loop
    /// rewrites a `LOAD_GLOBAL` whose site is backing off into `LOAD_GLOBAL_BACKING_OFF`,
    /// whose loads take a skip and look up without testing the site's (empty) cache: the
    /// version cache's, as CPython 3.11's adaptive `LOAD_GLOBAL` counts down its back-off.
    const QUICKENS_BACK_OFF: bool = false;

    /// Whether the site is backing off (asked after a load, when
    /// [`QUICKENS_BACK_OFF`](GlobalLoad::QUICKENS_BACK_OFF)).
    #[inline(always)]
    fn backing_off(&self) -> bool {
        false
    }

    /// Takes one of a backing-off site's skips (`false`: none left, load through the site).
    #[inline(always)]
    fn take_skip(&self) -> bool {
        false
    }

    /// `STORE_GLOBAL`'s fast path: stores `value` without the name if the site can, else
    /// hands it back for [`store`](GlobalLoad::store). Only the slot cache can.
    #[inline(always)]
    fn store_hit(&mut self, _vm: &mut Vm, value: Value) -> Result<(), Value> {
        Err(value)
    }

    /// `STORE_GLOBAL`: binds `name` (hash `hash`) to `value` in globals. Only the slot cache
    /// has a store of its own; the others insert by reference to the interned name (which
    /// clones nothing when the name is there), out of line: compiled into the interpreter
    /// loop, the dict's insert made the loop's layout (and so the LOAD ratios the report
    /// measures, to a few percent) move with every change to the dict's code.
    #[inline(never)]
    fn store(&mut self, vm: &mut Vm, name: &Rc<str>, hash: u64, value: Value) {
        match vm.globals.entry_ref_with_hash(hash, &**name) {
            EntryRef::Occupied(mut entry) => drop(entry.insert(value)),
            EntryRef::Vacant(entry) => drop(entry.insert_with_key(name.clone(), value)),
        }
    }
}

/// The uncached mode's (empty) site: every load is the full lookup.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Uncached;

impl GlobalLoad for Uncached {
    #[inline(always)]
    fn hit<'a>(&'a self, _scope: &Scope<'a>, _versions: NamespaceVersions) -> Option<&'a Value> {
        None
    }

    #[inline(always)]
    fn load<'a>(&'a mut self, scope: &Scope<'a>, name: &str, hash: u64) -> Option<&'a Value> {
        match scope.globals().get_with_hash(hash, name) {
            Some(value) => Some(value),
            None => scope.builtins().get_with_hash(hash, name),
        }
    }
}

impl GlobalLoad for VersionCache<Value> {
    const COMPARES_VERSIONS: bool = true;

    #[inline(always)]
    fn hit<'a>(&'a self, _scope: &Scope<'a>, versions: NamespaceVersions) -> Option<&'a Value> {
        self.hit_versions(versions.globals, versions.builtins)
    }

    #[inline(always)]
    fn load<'a>(&'a mut self, scope: &Scope<'a>, name: &str, hash: u64) -> Option<&'a Value> {
        self.miss_with_hash(scope.globals(), scope.builtins(), name, hash)
            .ok()
    }

    const QUICKENS_BACK_OFF: bool = true;

    #[inline(always)]
    fn backing_off(&self) -> bool {
        VersionCache::backing_off(self)
    }

    #[inline(always)]
    fn take_skip(&self) -> bool {
        VersionCache::take_skip(self)
    }
}

impl GlobalLoad for SlotCache {
    /// A store through the site's remembered slot, inline: while the globals' keys are
    /// unchanged, a compare and a write, with no name, hash, probe or key compare (the loop
    /// that rebinds a global in the report). Only this half is inline, and the loop fetches
    /// the name and its hash only when it fails: callgrind, the rebinding workload, 96 -> 89
    /// instructions per load (a whole `store_with_hash` inlined had cost the loop's cached
    /// loads 5% on the clock in 0.1: its registers and layout).
    #[inline(always)]
    fn store_hit(&mut self, vm: &mut Vm, value: Value) -> Result<(), Value> {
        SlotCache::store_hit_dropping_old(self, &mut vm.globals, value)
    }

    /// The rest of a store: the site's second look, or an insert (`store_with_hash`).
    #[inline(never)]
    fn store(&mut self, vm: &mut Vm, name: &Rc<str>, hash: u64, value: Value) {
        drop(self.store_with_hash(&mut vm.globals, &**name, hash, value, || name.clone()));
    }

    /// Through the loop's [`Scope`]: one compare of the pair version, for a builtin as for a
    /// module global.
    #[inline(always)]
    fn hit<'a>(&'a self, scope: &Scope<'a>, _versions: NamespaceVersions) -> Option<&'a Value> {
        SlotCache::hit_in(self, scope)
    }

    #[inline(always)]
    fn load<'a>(&'a mut self, scope: &Scope<'a>, name: &str, hash: u64) -> Option<&'a Value> {
        self.miss_in(scope, name, hash).ok()
    }

    /// CPython 3.11's `LOAD_GLOBAL_MODULE` and `LOAD_GLOBAL_BUILTIN`: one version's compare
    /// each.
    const SPECIALISES: bool = true;

    #[inline(always)]
    fn hit_module<'a>(
        &'a self,
        scope: &Scope<'a>,
        _versions: NamespaceVersions,
    ) -> Option<&'a Value> {
        SlotCache::hit_module_in(self, scope)
    }

    #[inline(always)]
    fn holds_module_global(&self) -> bool {
        SlotCache::holds_module_global(self)
    }

    #[inline(always)]
    fn hit_builtin<'a>(
        &'a self,
        scope: &Scope<'a>,
        _versions: NamespaceVersions,
    ) -> Option<&'a Value> {
        SlotCache::hit_builtin_in(self, scope)
    }

    #[inline(always)]
    fn holds_builtin(&self) -> bool {
        SlotCache::holds_builtin(self)
    }
}

/// The reference VM: a globals and a builtins namespace, and a cache mode.
///
/// ```
/// use vdict::vm::{assemble, CacheMode, Value, Vm};
///
/// let mut code = assemble("
///     LOAD_GLOBAL max      # a builtin
///     LOAD_CONST 3
///     LOAD_GLOBAL x        # a global
///     CALL 2
///     RETURN_VALUE
/// ").unwrap();
/// let mut vm = Vm::new(CacheMode::Slot);
/// vm.globals_mut().insert("x".into(), Value::Int(5));
/// assert_eq!(vm.run(&mut code), Ok(Value::Int(5)));
/// ```
pub struct Vm {
    globals: Namespace,
    builtins: Namespace,
    /// The version of globals' and builtins' keys as a pair, for the slot cache's hits.
    pair: PairVersion,
    mode: CacheMode,
    count_cache_hits: bool,
    jump_limit: u64,
    string_limit: usize,
}

impl Vm {
    /// A VM with empty globals, builtins holding [`BUILTINS`] (`len`, `abs`, `min`, `max`), and
    /// `LOAD_GLOBAL` served in `mode`. Both namespaces use the default hasher, one per
    /// process, so one precomputed hash serves a lookup in either.
    pub fn new(mode: CacheMode) -> Vm {
        let mut builtins = Namespace::new();
        for builtin in &BUILTINS {
            builtins.insert(builtin.name.into(), Value::Builtin(builtin));
        }
        Vm {
            globals: Namespace::new(),
            builtins,
            pair: PairVersion::new(),
            mode,
            count_cache_hits: false,
            jump_limit: u64::MAX,
            string_limit: usize::MAX,
        }
    }

    /// Stops any run that takes more than `limit` jumps with [`ErrorKind::JumpLimitExceeded`].
    /// Every loop jumps, so this bounds the run of any program (for fuzzing, or untrusted code).
    pub fn with_jump_limit(mut self, limit: u64) -> Vm {
        self.jump_limit = limit;
        self
    }

    /// Fails any `BINARY_ADD` whose string result would be longer than `bytes` with
    /// [`ErrorKind::MemoryError`]. With the jump limit, this bounds the time *and* memory of any
    /// run: a loop that doubles a string would otherwise exhaust memory in a few dozen jumps.
    pub fn with_string_limit(mut self, bytes: usize) -> Vm {
        self.string_limit = bytes;
        self
    }

    /// Makes cache sites that count their hits, so that [`Code::cache_stats`] has a hit rate
    /// (by default sites count only misses: a counted hit costs the loop about 0.2 x
    /// `LOAD_FAST`; see [`crate::cache`'s statistics](crate::cache#statistics)).
    pub fn with_cache_hits_counted(mut self) -> Vm {
        self.count_cache_hits = true;
        self
    }

    /// The cache mode.
    pub fn mode(&self) -> CacheMode {
        self.mode
    }

    /// The globals namespace.
    pub fn globals(&self) -> &Namespace {
        &self.globals
    }

    /// The globals namespace, to define or change globals between runs.
    pub fn globals_mut(&mut self) -> &mut Namespace {
        &mut self.globals
    }

    /// The builtins namespace.
    pub fn builtins(&self) -> &Namespace {
        &self.builtins
    }

    /// The builtins namespace, to add or replace builtins.
    pub fn builtins_mut(&mut self) -> &mut Namespace {
        &mut self.builtins
    }

    /// Runs `code` to its `RETURN_VALUE` and returns the value, or the first error.
    ///
    /// The code's cache sites are (re)made for this VM's mode (and way of counting hits) if
    /// they were made for another, and otherwise kept warm from the previous run.
    pub fn run(&mut self, code: &mut Code) -> Result<Value, VmError> {
        // Interned names carry their hash: computed once per run, not once per load.
        let hashes: Vec<u64> = code
            .names
            .iter()
            .map(|name| self.globals.hash_key(&**name))
            .collect();
        // One site per instruction, beside it.
        let mut caches = std::mem::take(&mut code.caches);
        if !caches.suit(self.mode, self.count_cache_hits) {
            caches = CacheSites::new(self.mode, self.count_cache_hits, &code.ops);
        }
        let result = match &mut caches {
            CacheSites::Uncached(instructions) => self.execute(code, instructions, &hashes),
            CacheSites::Version(instructions) => self.execute(code, instructions, &hashes),
            CacheSites::Slot(instructions) => self.execute(code, instructions, &hashes),
            CacheSites::Cold => unreachable!("sites were just made"),
        };
        code.caches = caches;
        result
    }

    /// `DELETE_GLOBAL`'s removal (out of line, as an uncached store): whether the name was
    /// there.
    #[inline(never)]
    fn delete_global(&mut self, hash: u64, name: &Rc<str>) -> bool {
        self.globals.remove_with_hash(hash, &**name).is_some()
    }

    /// The interpreter loop, compiled once per cache mode.
    fn execute<L: GlobalLoad, A>(
        &mut self,
        code: &mut Code,
        instructions: &mut [Instruction<L, A>],
        hashes: &[u64],
    ) -> Result<Value, VmError> {
        let mut stack: Vec<Value> = Vec::with_capacity(code.max_stack_depth);
        let mut locals: Vec<Option<Value>> = vec![None; code.local_names.len()];
        let mut jumps_left = self.jump_limit;
        let mut pc = 0usize;
        let mut versions = NamespaceVersions::for_sites::<L>(self);
        // Remade after each of the loop's own writes to the namespaces, as `versions` is (it
        // borrows them, so nothing else can write them meanwhile).
        let mut scope = self.pair.namespaces(&self.globals, &self.builtins);
        loop {
            let Some(&Instruction { op, .. }) = instructions.get(pc) else {
                return Err(error(code, pc.saturating_sub(1), ErrorKind::FellOffTheEnd));
            };
            let offset = pc;
            pc += 1;

            macro_rules! fail {
                ($kind:expr) => {
                    return Err(error(code, offset, $kind))
                };
            }
            macro_rules! pop {
                () => {
                    match stack.pop() {
                        Some(value) => value,
                        None => fail!(ErrorKind::StackUnderflow),
                    }
                };
            }
            macro_rules! jump {
                ($target:expr) => {{
                    if jumps_left == 0 {
                        fail!(ErrorKind::JumpLimitExceeded(self.jump_limit));
                    }
                    jumps_left -= 1;
                    pc = $target as usize;
                }};
            }

            // Rewrites the instruction at `offset` (a specialisation), in the array the loop
            // runs and in the program's own copy, which `Code::ops` shows.
            macro_rules! rewrite {
                ($op:expr) => {{
                    let op = $op;
                    instructions[offset].op = op;
                    code.ops[offset] = op;
                }};
            }

            // A `LOAD_GLOBAL`'s miss: the lookup (and fill), then, for a site that has faster
            // hits, the instruction rewritten into the form that suits what the site now
            // holds, as CPython 3.11 specialises (and respecialises) it.
            macro_rules! load_global {
                ($site:expr, $name:expr) => {{
                    let (site, name) = ($site, $name);
                    let index = name as usize;
                    match site.load(&scope, &code.names[index], hashes[index]) {
                        Some(value) => stack.push(value.clone()),
                        None => fail!(ErrorKind::NameError(code.names[index].to_string())),
                    }
                    let rewritten = if L::SPECIALISES {
                        Some(if site.holds_module_global() {
                            Op::LoadGlobalModule(name)
                        } else if site.holds_builtin() {
                            Op::LoadGlobalBuiltin(name)
                        } else {
                            Op::LoadGlobal(name)
                        })
                    } else if L::QUICKENS_BACK_OFF && site.backing_off() {
                        Some(Op::LoadGlobalBackingOff(name))
                    } else {
                        None
                    };
                    if let Some(op) = rewritten {
                        rewrite!(op);
                    }
                }};
            }

            match op {
                Op::LoadConst(index) => stack.push(code.consts[index as usize].clone()),
                Op::LoadFast(index) => match &locals[index as usize] {
                    Some(value) => stack.push(value.clone()),
                    None => fail!(ErrorKind::UnboundLocalError(
                        code.local_names[index as usize].to_string()
                    )),
                },
                Op::StoreFast(index) => locals[index as usize] = Some(pop!()),
                // Arms of their own only where the site has faster hits: elsewhere one arm,
                // and one call of the miss path (two made LLVM stop inlining the version
                // cache's: 234 -> 261 instructions a load where every load misses, callgrind,
                // the rebinding workload).
                Op::LoadGlobalModule(name) if L::SPECIALISES => {
                    let site = &mut instructions[offset].site;
                    match site.hit_module(&scope, versions) {
                        Some(value) => stack.push(value.clone()),
                        None => load_global!(site, name),
                    }
                }
                Op::LoadGlobalBuiltin(name) if L::SPECIALISES => {
                    let site = &mut instructions[offset].site;
                    match site.hit_builtin(&scope, versions) {
                        Some(value) => stack.push(value.clone()),
                        None => load_global!(site, name),
                    }
                }
                Op::LoadGlobalBackingOff(name) if L::QUICKENS_BACK_OFF => {
                    if instructions[offset].site.take_skip() {
                        let index = name as usize;
                        match Uncached.load(&scope, &code.names[index], hashes[index]) {
                            Some(value) => stack.push(value.clone()),
                            None => fail!(ErrorKind::NameError(code.names[index].to_string())),
                        }
                    } else {
                        // The back-off is over: back to `LOAD_GLOBAL`, which runs next and
                        // fills (one call site of the miss path, not two: see above).
                        rewrite!(Op::LoadGlobal(name));
                        pc = offset;
                    }
                }
                Op::LoadGlobal(name)
                | Op::LoadGlobalModule(name)
                | Op::LoadGlobalBuiltin(name)
                | Op::LoadGlobalBackingOff(name) => {
                    let site = &mut instructions[offset].site;
                    match site.hit(&scope, versions) {
                        Some(value) => stack.push(value.clone()),
                        None => load_global!(site, name),
                    }
                }
                Op::StoreGlobal(name) => {
                    let value = pop!();
                    let site = &mut instructions[offset].site;
                    if let Err(value) = site.store_hit(self, value) {
                        let name = name as usize;
                        site.store(self, &code.names[name], hashes[name], value);
                    }
                    versions = NamespaceVersions::for_sites::<L>(self);
                    scope = self.pair.namespaces(&self.globals, &self.builtins);
                }
                Op::DeleteGlobal(index) => {
                    let index = index as usize;
                    if !self.delete_global(hashes[index], &code.names[index]) {
                        fail!(ErrorKind::NameError(code.names[index].to_string()));
                    }
                    versions = NamespaceVersions::for_sites::<L>(self);
                    scope = self.pair.namespaces(&self.globals, &self.builtins);
                }
                Op::PopTop => drop(pop!()),
                Op::BinaryAdd => {
                    let (right, left) = (pop!(), pop!());
                    match binary_add(left, right, self.string_limit) {
                        Ok(value) => stack.push(value),
                        Err(kind) => fail!(kind),
                    }
                }
                Op::BinarySub => {
                    let (right, left) = (pop!(), pop!());
                    match binary_sub(left, right) {
                        Ok(value) => stack.push(value),
                        Err(kind) => fail!(kind),
                    }
                }
                Op::CompareLt => {
                    let (right, left) = (pop!(), pop!());
                    match compare_lt(&left, &right) {
                        Ok(value) => stack.push(Value::Bool(value)),
                        Err(kind) => fail!(kind),
                    }
                }
                Op::Jump(target) => jump!(target),
                Op::PopJumpIfFalse(target) => {
                    if !pop!().is_truthy() {
                        jump!(target);
                    }
                }
                Op::Call(argc) => {
                    let argc = argc as usize;
                    let Some(function_at) = stack.len().checked_sub(argc + 1) else {
                        fail!(ErrorKind::StackUnderflow)
                    };
                    let result = match &stack[function_at] {
                        Value::Builtin(builtin) => (builtin.call)(&stack[function_at + 1..]),
                        other => Err(ErrorKind::TypeError(format!(
                            "'{}' object is not callable",
                            other.type_name()
                        ))),
                    };
                    stack.truncate(function_at);
                    match result {
                        Ok(value) => stack.push(value),
                        Err(kind) => fail!(kind),
                    }
                }
                Op::ReturnValue => return Ok(pop!()),
            }
        }
    }
}

/// A `VmError` for the instruction at `offset`.
#[cold]
fn error(code: &Code, offset: usize, kind: ErrorKind) -> VmError {
    VmError {
        offset,
        line: code.line_of(offset).unwrap_or(0),
        opcode: code
            .ops
            .get(offset)
            .map_or("?", |op| op.as_written().name()),
        kind,
    }
}

fn unsupported(operator: &str, left: &Value, right: &Value) -> ErrorKind {
    ErrorKind::TypeError(format!(
        "unsupported operand type(s) for {operator}: '{}' and '{}'",
        left.type_name(),
        right.type_name()
    ))
}

fn binary_add(left: Value, right: Value, string_limit: usize) -> Result<Value, ErrorKind> {
    match (&left, &right) {
        (Value::Int(a), Value::Int(b)) => a
            .checked_add(*b)
            .map(Value::Int)
            .ok_or_else(|| ErrorKind::OverflowError(format!("{a} + {b} overflows 64 bits"))),
        (Value::Str(a), Value::Str(b)) => match a.len().checked_add(b.len()) {
            Some(len) if len <= string_limit => Ok(Value::Str(format!("{a}{b}").into())),
            _ => Err(ErrorKind::MemoryError(format!(
                "a string of {} + {} bytes is over the VM's limit of {string_limit}",
                a.len(),
                b.len()
            ))),
        },
        _ => Err(unsupported("+", &left, &right)),
    }
}

fn binary_sub(left: Value, right: Value) -> Result<Value, ErrorKind> {
    match (&left, &right) {
        (Value::Int(a), Value::Int(b)) => a
            .checked_sub(*b)
            .map(Value::Int)
            .ok_or_else(|| ErrorKind::OverflowError(format!("{a} - {b} overflows 64 bits"))),
        _ => Err(unsupported("-", &left, &right)),
    }
}

fn compare_lt(left: &Value, right: &Value) -> Result<bool, ErrorKind> {
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => Ok(a < b),
        (Value::Str(a), Value::Str(b)) => Ok(a < b),
        _ => Err(ErrorKind::TypeError(format!(
            "'<' not supported between instances of '{}' and '{}'",
            left.type_name(),
            right.type_name()
        ))),
    }
}
