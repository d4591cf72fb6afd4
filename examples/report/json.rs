//! The report's rows, and their JSON form (written by hand: no serde for one array).
//!
//! Every row has every field, `null` where it does not apply:
//! `{"table", "workload", "key", "size", "threads", "rebind_every", "impl", "ns_per_op",
//! "bytes_per_entry", "hit_rate"}`.

/// One measurement.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// `dict`, `plain`, `positions`, `memory`, `load` or `threads`.
    pub table: &'static str,
    pub workload: String,
    /// `u64` or `String` for dict and memory rows.
    pub key: Option<&'static str>,
    pub size: Option<usize>,
    /// Reader threads, for threads rows.
    pub threads: Option<usize>,
    /// For threads rows: the writer rebinds every so many loads; 0 when there is no writer.
    pub rebind_every: Option<u64>,
    /// Which implementation: a map's name, or a VM cache mode (`vm` for loads with no cache).
    pub implementation: String,
    pub ns_per_op: Option<f64>,
    pub bytes_per_entry: Option<f64>,
    pub hit_rate: Option<f64>,
}

fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn number(x: Option<f64>) -> String {
    match x {
        Some(x) if x.is_finite() => format!("{x:.4}"),
        _ => "null".to_string(),
    }
}

/// The rows as one JSON array, a row per line.
pub fn rows_to_json(rows: &[Row]) -> String {
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            format!(
                "  {{\"table\": {}, \"workload\": {}, \"key\": {}, \"size\": {}, \"threads\": {}, \"rebind_every\": {}, \"impl\": {}, \"ns_per_op\": {}, \"bytes_per_entry\": {}, \"hit_rate\": {}}}",
                string(row.table),
                string(&row.workload),
                row.key.map_or("null".to_string(), string),
                row.size.map_or("null".to_string(), |n| n.to_string()),
                row.threads.map_or("null".to_string(), |n| n.to_string()),
                row.rebind_every.map_or("null".to_string(), |n| n.to_string()),
                string(&row.implementation),
                number(row.ns_per_op),
                number(row.bytes_per_entry),
                number(row.hit_rate),
            )
        })
        .collect();
    format!("[\n{}\n]", lines.join(",\n"))
}
