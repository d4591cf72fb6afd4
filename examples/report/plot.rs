//! `--plot DIR`: the report's rows as SVG charts, for those who would rather look than read.
//!
//! From the plain-caller table, ns per lookup against the number of entries, one line per map,
//! for hits and misses and each key type (`lookup_hit_u64.svg`, `lookup_miss_String.svg`, ...);
//! from the memory sweep, heap bytes per entry against the number of entries
//! (`memory.svg`). Both axes of the lookup charts are logarithmic, as is the memory chart's x
//! axis. A chart is drawn only when its rows were measured (`--only memory` draws just the
//! memory chart). Drawn with plotters' SVG backend, which needs no system library.

use crate::json::Row;
use plotters::prelude::*;
use std::path::Path;

type Error = Box<dyn std::error::Error>;

/// The maps in a fixed order, so that each keeps its colour from chart to chart.
const MAPS: [&str; 5] = ["vdict", "indexmap", "hashbrown", "std", "hashlink"];

fn colour(map: &str) -> RGBColor {
    match map {
        "vdict" => RGBColor(200, 30, 30),
        "indexmap" => RGBColor(30, 90, 200),
        "hashbrown" => RGBColor(30, 150, 60),
        "std" => RGBColor(120, 120, 120),
        _ => RGBColor(200, 130, 0),
    }
}

/// One line per map: (size, value) points, sorted by size.
fn series(
    rows: &[&Row],
    value: impl Fn(&Row) -> Option<f64>,
) -> Vec<(&'static str, Vec<(f64, f64)>)> {
    MAPS.iter()
        .filter_map(|&map| {
            let mut points: Vec<(f64, f64)> = rows
                .iter()
                .filter(|row| row.implementation == map)
                .filter_map(|row| Some((row.size? as f64, value(row)?)))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            (!points.is_empty()).then_some((map, points))
        })
        .collect()
}

/// Draws one chart of `lines` into `path`.
fn chart(
    path: &Path,
    title: &str,
    y_label: &str,
    y_log: bool,
    lines: &[(&'static str, Vec<(f64, f64)>)],
) -> Result<(), Error> {
    let points = lines.iter().flat_map(|(_, points)| points.iter());
    let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, 0f64, f64::MAX, 0f64);
    for &(x, y) in points {
        (x_min, x_max) = (x_min.min(x), x_max.max(x));
        (y_min, y_max) = (y_min.min(y), y_max.max(y));
    }
    let root = SVGBackend::new(path, (900, 540)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(65);
    let x_range = (x_min * 0.9..x_max * 1.1).log_scale();
    // The two y axes are different types in plotters, so one body serves both as a macro.
    macro_rules! draw {
        ($y_range:expr, $point_size:expr) => {{
            let mut chart = builder.build_cartesian_2d(x_range, $y_range)?;
            chart
                .configure_mesh()
                .x_desc("entries")
                .y_desc(y_label)
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_labels(12)
                .y_label_formatter(&|y| format!("{y:.1}"))
                .draw()?;
            for (map, points) in lines {
                let style = colour(map).stroke_width(2);
                chart
                    .draw_series(
                        LineSeries::new(points.iter().copied(), style).point_size($point_size),
                    )?
                    .label(*map)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .draw()?;
        }};
    }
    if y_log {
        // Few sizes: mark each measured point.
        draw!((y_min * 0.8..y_max * 1.25).log_scale(), 3);
    } else {
        draw!(0f64..y_max * 1.1, 0);
    }
    root.present()?;
    Ok(())
}

/// Writes every chart whose rows are in `rows` into `dir` (created if need be); returns the
/// files written.
pub fn write(dir: &Path, rows: &[Row]) -> Result<Vec<std::path::PathBuf>, Error> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for key in ["u64", "String"] {
        for (workload, what) in [("plain_lookup_hit", "hit"), ("plain_lookup_miss", "miss")] {
            let selected: Vec<&Row> = rows
                .iter()
                .filter(|row| row.table == "plain" && row.workload == workload)
                .filter(|row| row.key == Some(key))
                .collect();
            if selected.is_empty() {
                continue;
            }
            let path = dir.join(format!("lookup_{what}_{key}.svg"));
            let title = format!("Lookup {what}, {key} keys, from a plain caller");
            chart(
                &path,
                &title,
                "ns per lookup",
                true,
                &series(&selected, |r| r.ns_per_op),
            )?;
            written.push(path);
        }
    }
    let memory: Vec<&Row> = rows.iter().filter(|row| row.table == "memory").collect();
    if !memory.is_empty() {
        let path = dir.join("memory.svg");
        let title = "Heap bytes per entry, u64 -> u64, built by inserts";
        chart(
            &path,
            title,
            "bytes per entry",
            false,
            &series(&memory, |r| r.bytes_per_entry),
        )?;
        written.push(path);
    }
    Ok(written)
}
