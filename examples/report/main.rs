//! The report README's first command prints: `cargo run --release --example report`.
//!
//! Each section measures one thing side by side in this one run (machines here are noisy,
//! so only ratios within a run mean much) and prints a table; a progress line per row goes to
//! stderr. `--quick` runs a smaller sweep; `--only dict|plain|positions|memory|load|threads` runs one section;
//! `--json` prints, instead of the tables, one JSON array of rows on stdout (see `json.rs` for
//! the row shape); `--plot DIR` also writes SVG charts of the rows (`plot.rs`).
//!
//! - `dict.rs`: the dict table: vdict against indexmap, hashbrown and std on the workloads of
//!   `benches/support/maps.rs`, ns per operation and vdict's ratio to each.
//! - `plain.rs`: lookups from a plain caller: each map called through one small generic
//!   function, inlining left to the compiler, random keys; hashlink joins the peers.
//! - `memory.rs`: heap bytes per entry over a sweep of sizes, measured with a counting global
//!   allocator.
//! - `positions.rs`: indexmap's positional API: `get_index` with and without holes, and
//!   order-keeping removal against indexmap's `shift_remove`.
//! - `load.rs`: the LOAD_* table from the reference VM: ns per `LOAD_x; POP_TOP` pair and the
//!   ratio to LOAD_FAST, per cache mode, with hit rates.
//! - `versions.rs`: the dict's two version tags through a short session of edits.
//! - `order.rs`: the order a round times its maps in, shuffled anew each round.
//! - `warm.rs`: holds glibc's freed memory warm, so every map is timed on reused pages, and says
//!   how many untimed samples warm a map that is built once before its timed rounds.

#[path = "../support/caller_compared.rs"]
mod caller_compared;
#[path = "../support/counting_alloc.rs"]
mod counting_alloc;
mod dict;
mod json;
mod load;
#[path = "../../benches/support/maps.rs"]
mod maps;
mod memory;
mod order;
mod plain;
mod plot;
mod positions;
#[path = "../support/random_key.rs"]
mod random_key;
mod threads;
mod versions;
mod warm;

#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;

use json::Row;

/// What the command line asked for.
pub struct Options {
    /// A smaller, faster sweep.
    pub quick: bool,
    /// Rows as JSON on stdout instead of tables.
    pub json: bool,
    /// Write SVG charts of the rows into this directory (`--plot DIR`).
    pub plot: Option<std::path::PathBuf>,
    /// Run only this section (`dict`, `plain`, `positions`, `memory`, `load` or `threads`); all of them when
    /// `None`.
    pub only: Option<Section>,
}

/// The report's sections, in the order they run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dict,
    Plain,
    Positions,
    Memory,
    Load,
    Threads,
}

impl Options {
    fn runs(&self, section: Section) -> bool {
        self.only.is_none_or(|only| only == section)
    }
}

fn parse_args() -> Options {
    let mut options = Options {
        quick: false,
        json: false,
        plot: None,
        only: None,
    };
    let usage = "usage: cargo run --release --example report -- [--quick] [--json] [--plot DIR] [--only dict|plain|positions|memory|load|threads]";
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--json" => options.json = true,
            "--plot" => match args.next() {
                Some(dir) => options.plot = Some(dir.into()),
                None => {
                    eprintln!("report: --plot takes a directory\n{usage}");
                    std::process::exit(2);
                }
            },
            "--only" => {
                options.only = Some(match args.next().as_deref() {
                    Some("dict") => Section::Dict,
                    Some("plain") => Section::Plain,
                    Some("positions") => Section::Positions,
                    Some("memory") => Section::Memory,
                    Some("load") => Section::Load,
                    Some("threads") => Section::Threads,
                    other => {
                        eprintln!(
                            "report: --only takes dict, plain, positions, memory, load or threads, not {other:?}\n{usage}"
                        );
                        std::process::exit(2);
                    }
                })
            }
            "--help" | "-h" => {
                println!("{usage}");
                std::process::exit(0);
            }
            other => {
                eprintln!("report: unknown argument `{other}`\n{usage}");
                std::process::exit(2);
            }
        }
    }
    options
}

fn main() {
    let options = parse_args();
    warm::keep_allocator_warm();
    if cfg!(debug_assertions) {
        eprintln!("report: this is a debug build; run with --release for meaningful numbers");
    }
    let mut rows: Vec<Row> = Vec::new();
    let started = std::time::Instant::now();

    if options.runs(Section::Dict) {
        dict::run(&options, &mut rows);
    }
    if options.runs(Section::Plain) {
        plain::run(&options, &mut rows);
    }
    if options.runs(Section::Positions) {
        positions::run(&options, &mut rows);
    }
    if options.runs(Section::Memory) {
        memory::run(&options, &mut rows);
    }
    if options.runs(Section::Load) {
        load::run(&options, &mut rows);
    }
    if options.runs(Section::Threads) {
        threads::run(&options, &mut rows);
    }
    if !options.json && options.only.is_none() {
        versions::print();
    }

    if options.json {
        println!("{}", json::rows_to_json(&rows));
    }
    if let Some(dir) = &options.plot {
        match plot::write(dir, &rows) {
            Ok(files) => files
                .iter()
                .for_each(|file| eprintln!("report: wrote {}", file.display())),
            Err(error) => {
                eprintln!("report: --plot {}: {error}", dir.display());
                std::process::exit(1);
            }
        }
    }
    eprintln!("report: done in {:.1} s", started.elapsed().as_secs_f64());
}
