//! Fixed work for counting instructions in the reference VM: one of the report's LOAD loops,
//! in one cache mode, for a given number of iterations, so that
//! `valgrind --tool=callgrind` gives the same count every time (the report's wall-clock
//! ratios move with the machine and with code placement; an instruction count does not).
//!
//! ```text
//! cargo build --release --example profile_vm
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/profile_vm slot module 1000
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/profile_vm slot module 11000
//! ```
//!
//! The difference of the two runs is 10,000 iterations of the loop alone (setup cancels).
//! Instructions per `LOAD_x; POP_TOP` pair are that difference less the same difference for
//! the `empty` body (the loop's own counting), over 10,000 iterations × 10 pairs. For the
//! rebinding loop (`rebind`: a store, then 10 loads of the global) the same quotient is per
//! load, store included. Modes: `none`, `version`, `slot`; bodies: `empty`, `fast` (LOAD_FAST),
//! `module`, `builtin`, `rebind`. INTERNALS.md ("The reference VM") quotes these counts.

use std::process::exit;
use vdict::vm::workloads::{self, LoadBody};
use vdict::vm::{assemble, CacheMode, Vm};

/// Loads per iteration of every loop this program runs.
const PAIRS: usize = 10;

const USAGE: &str =
    "usage: profile_vm <none|version|slot> <empty|fast|module|builtin|rebind> <iterations>";

fn fail(message: &str) -> ! {
    eprintln!("{message}\n{USAGE}");
    exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, body, iterations] = args.as_slice() else {
        fail("expected three arguments")
    };
    let mode = CacheMode::ALL
        .into_iter()
        .find(|m| m.name() == mode)
        .unwrap_or_else(|| fail(&format!("unknown mode {mode:?}")));
    let iterations: i64 = iterations
        .parse()
        .unwrap_or_else(|_| fail(&format!("iterations must be a number, not {iterations:?}")));
    let load = |body| workloads::load_loop(body, PAIRS, iterations);
    let source = match body.as_str() {
        "empty" => load(LoadBody::Empty),
        "fast" => load(LoadBody::LoadFast),
        "module" => load(LoadBody::LoadGlobalModule),
        "builtin" => load(LoadBody::LoadGlobalBuiltin),
        "rebind" => workloads::store_then_load_global(PAIRS, iterations),
        other => fail(&format!("unknown body {other:?}")),
    };
    let mut vm = Vm::new(mode);
    workloads::define_workload_globals(&mut vm);
    let mut code = assemble(&source).expect("the workloads assemble");
    let result = vm.run(&mut code).expect("the workloads run");
    println!("{} {body} {iterations}: {result:?}", mode.name());
}
