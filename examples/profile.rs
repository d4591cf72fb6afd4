//! Fixed work for counting instructions: one dict workload, one map, one key type, one size,
//! run a fixed number of rounds, so that `valgrind --tool=callgrind` gives the same count
//! every time. Wall-clock times on a shared machine move by 10-20% from run to run; an
//! instruction count (and callgrind's branch-mispredict estimate) does not, which makes it the
//! way to compare two versions of a hot path. The workloads are the report's and the
//! criterion bench's (`benches/support/maps.rs`), so the counts explain their rows.
//!
//! ```text
//! cargo build --release --example profile
//! valgrind --tool=callgrind --branch-sim=yes target/release/examples/profile vdict lookup_miss u64 1000 2000
//! valgrind --tool=callgrind --branch-sim=yes target/release/examples/profile vdict lookup_miss u64 1000 2000 --setup-only
//! ```
//!
//! The program prints how many operations the timed part performs. Instructions per operation
//! are (Ir of the run − Ir of the `--setup-only` run) / operations: `--setup-only` does
//! everything but the timed routine (making the keys, building the maps), so the difference
//! is the routine alone. `callgrind_annotate` on the first run shows where the instructions
//! go. Maps: `vdict`, `indexmap`, `hashbrown`, `std`, `hashlink`; keys: `u64`, `String`; workloads: the
//! report's names, with `iterate_survivors_fresh` for the fresh survivors' row.

#[path = "../benches/support/maps.rs"]
mod maps;

use maps::{
    BenchKey, BenchMap, Case, HashbrownMap, HashlinkMap, IndexMap, StdMap, VDict, Workload,
};
use std::hint::black_box;
use std::process::exit;

const USAGE: &str =
    "usage: profile <vdict|indexmap|hashbrown|std|hashlink> <workload> <u64|String> <size> \
                     [rounds, default 1000] [--setup-only]";

/// What the command line asked for.
struct Run {
    workload: Workload,
    size: usize,
    rounds: usize,
    setup_only: bool,
}

fn fail(message: &str) -> ! {
    eprintln!("{message}\n{USAGE}");
    exit(2)
}

/// A workload's name on this command line: the report's, except for the one that shares
/// another's name there: the fresh survivors (under `iterate_after_mass_delete`) are
/// `iterate_survivors_fresh`.
fn label(workload: Workload) -> &'static str {
    match workload {
        Workload::IterateSurvivorsFresh => "iterate_survivors_fresh",
        other => other.name(),
    }
}

fn workload_named(name: &str) -> Workload {
    Workload::ALL
        .into_iter()
        .find(|w| label(*w) == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = Workload::ALL.into_iter().map(label).collect();
            fail(&format!("unknown workload {name:?}; one of {names:?}"))
        })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let setup_only = args.iter().any(|a| a == "--setup-only");
    let positional: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let [map, workload, key, size, rest @ ..] = positional.as_slice() else {
        fail("missing arguments")
    };
    let number = |text: &str, what: &str| -> usize {
        text.parse()
            .unwrap_or_else(|_| fail(&format!("{what} must be a number, not {text:?}")))
    };
    let run = Run {
        workload: workload_named(workload),
        size: number(size, "size"),
        rounds: rest.first().map_or(1000, |r| number(r, "rounds")),
        setup_only,
    };
    if run.size == 0 || run.rounds == 0 {
        fail("size and rounds must be at least 1");
    }
    match *key {
        "u64" => run_key::<u64>(map, &run),
        "String" => run_key::<String>(map, &run),
        other => fail(&format!("unknown key type {other:?}")),
    }
}

fn run_key<K: BenchKey>(map: &str, run: &Run) {
    let case = Case::<K>::new(run.size);
    match map {
        "vdict" => run_map::<K, VDict<K>>(&case, run),
        "indexmap" => run_map::<K, IndexMap<K>>(&case, run),
        "hashbrown" => run_map::<K, HashbrownMap<K>>(&case, run),
        "std" => run_map::<K, StdMap<K>>(&case, run),
        "hashlink" => run_map::<K, HashlinkMap<K>>(&case, run),
        other => fail(&format!("unknown map {other:?}")),
    }
}

/// Runs the workload's routine `rounds` times, each on a fresh setup when the routine changes
/// the map, else all on one; with `--setup-only`, everything but the routine.
fn run_map<K: BenchKey, M: BenchMap<K>>(case: &Case<K>, run: &Run) {
    let workload = run.workload;
    if !workload.applies::<K, M>(run.size) {
        fail(&format!(
            "{} does not apply to {} at {} keys",
            label(workload),
            M::NAME,
            run.size
        ));
    }
    let mut checksum = 0u64;
    let mut routine = |map: &mut M| {
        if !run.setup_only {
            checksum = checksum.wrapping_add(workload.routine(black_box(map), case));
        }
    };
    if workload.consumes_setup() {
        for _ in 0..run.rounds {
            let mut map: M = workload.setup(case);
            routine(&mut map);
            black_box(map);
        }
    } else {
        let mut map: M = workload.setup(case);
        for _ in 0..run.rounds {
            routine(&mut map);
        }
        black_box(map);
    }
    let operations = if run.setup_only {
        0
    } else {
        run.rounds * workload.elements::<K, M>(case)
    };
    println!(
        "{} {} {} {}: {operations} operations (checksum {checksum})",
        M::NAME,
        label(workload),
        K::NAME,
        run.size
    );
}
