//! The report README's first command prints: `cargo run --release --example report`.
//!
//! Each section measures one thing side by side in this one run (machines here are noisy,
//! so only ratios within a run mean much) and prints a table; a progress line per row goes to
//! stderr. `--quick` runs a smaller sweep; `--json` prints, instead of the tables, one JSON
//! array of rows on stdout (see `json.rs` for the row shape).
//!
//! - `dict.rs`: the dict table: vdict against indexmap, hashbrown and std on the workloads of
//!   `benches/support/maps.rs`, ns per operation and vdict's ratio to each.
//! - `memory.rs`: heap bytes per entry, measured with a counting global allocator.
//! - `load.rs`: the LOAD_* table from the reference VM: ns per `LOAD_x; POP_TOP` pair and the
//!   ratio to LOAD_FAST, per cache mode, with hit rates.
//! - `versions.rs`: the dict's two version tags through a short session of edits.

mod dict;
mod json;
mod load;
#[path = "../../benches/support/maps.rs"]
mod maps;
mod memory;
mod versions;

#[global_allocator]
static ALLOCATOR: memory::Counting = memory::Counting;

use json::Row;

/// What the command line asked for.
pub struct Options {
    /// A smaller, faster sweep.
    pub quick: bool,
    /// Rows as JSON on stdout instead of tables.
    pub json: bool,
}

fn parse_args() -> Options {
    let mut options = Options {
        quick: false,
        json: false,
    };
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--json" => options.json = true,
            "--help" | "-h" => {
                println!("usage: cargo run --release --example report [-- --quick] [-- --json]");
                std::process::exit(0);
            }
            other => {
                eprintln!(
                    "report: unknown argument `{other}` (expected --quick, --json or --help)"
                );
                std::process::exit(2);
            }
        }
    }
    options
}

fn main() {
    let options = parse_args();
    if cfg!(debug_assertions) {
        eprintln!("report: this is a debug build; run with --release for meaningful numbers");
    }
    let mut rows: Vec<Row> = Vec::new();
    let started = std::time::Instant::now();

    dict::run(&options, &mut rows);
    memory::run(&options, &mut rows);
    load::run(&options, &mut rows);
    if !options.json {
        versions::print();
    }

    if options.json {
        println!("{}", json::rows_to_json(&rows));
    }
    eprintln!("report: done in {:.1} s", started.elapsed().as_secs_f64());
}
