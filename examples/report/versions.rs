//! The report's last section: a short session of edits on a globals dict, the kind an
//! interpreter makes, printing after each one the dict's version, its keys version, and
//! whether each moved — the two tags an inline cache keys on.

use vdict::Dict;

/// Prints the session.
pub fn print() {
    let mut globals: Dict<String, i64> = Dict::new();
    println!("\n== Version tags through a session of edits ==\n");
    println!(
        "{:<34} {:>9} {:>13}  {:<8} {:<12} contents",
        "operation", "version", "keys_version", "version", "keys_version"
    );
    println!(
        "{:<34} {:>9} {:>13}  {:<8} {:<12}",
        "", "", "", "moved?", "moved?"
    );

    type Edit = (&'static str, fn(&mut Dict<String, i64>));
    let session: [Edit; 12] = [
        ("x = 1", |d| {
            let _ = d.insert("x".into(), 1);
        }),
        ("y = 2", |d| {
            let _ = d.insert("y".into(), 2);
        }),
        ("x = 10        (overwrite)", |d| {
            let _ = d.insert("x".into(), 10);
        }),
        ("x             (read)", |d| {
            let _ = d.get("x");
        }),
        ("x += 1        (get_mut)", |d| *d.get_mut("x").unwrap() += 1),
        ("del z         (missing)", |d| {
            let _ = d.remove("z");
        }),
        ("del x", |d| {
            let _ = d.remove("x");
        }),
        ("x = 3         (back, at the end)", |d| {
            let _ = d.insert("x".into(), 3);
        }),
        ("d.setdefault('y', 0) via get", |d| {
            let _ = d.get("y");
        }),
        ("d.popitem()", |d| {
            let _ = d.pop_last();
        }),
        ("d.clear()", |d| d.clear()),
        ("d.clear()     (already empty)", |d| d.clear()),
    ];

    let row =
        |what: &str, d: &Dict<String, i64>, before: Option<(vdict::Version, vdict::Version)>| {
            let moved = |now, then: Option<vdict::Version>| match then {
                None => "",
                Some(then) if then == now => "no",
                Some(_) => "yes",
            };
            println!(
                "{:<34} {:>9} {:>13}  {:<8} {:<12} {:?}",
                what,
                d.version(),
                d.keys_version(),
                moved(d.version(), before.map(|b| b.0)),
                moved(d.keys_version(), before.map(|b| b.1)),
                d
            );
        };
    row("globals = {}", &globals, None);
    for (what, edit) in session {
        let before = (globals.version(), globals.keys_version());
        edit(&mut globals);
        row(what, &globals, Some(before));
    }
    let copy = globals.clone();
    row(
        "copy = globals.copy()",
        &copy,
        Some((globals.version(), globals.keys_version())),
    );
    println!("\nVersions come from one process-wide supply and never repeat; see the rules on vdict::Dict.");
}
