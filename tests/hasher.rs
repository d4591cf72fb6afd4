//! The default hasher is one per process: alike in every dict of a process, different from
//! one process to the next (so colliding keys cannot be precomputed). The second half needs
//! two processes: the test runs this test binary again, twice, and compares what they print.

use std::process::Command;
use vdict::{hash_key, DefaultHashBuilder, Dict};

#[test]
fn two_new_dicts_hash_alike() {
    let a: Dict<String, i32> = Dict::new();
    let b: Dict<String, i32> = Dict::with_capacity(100);
    let c: Dict<String, i32> = Dict::with_hasher(DefaultHashBuilder::default());
    for name in ["len", "print", "", "a_much_longer_name_than_most"] {
        assert_eq!(a.hash_key(name), b.hash_key(name));
        assert_eq!(a.hash_key(name), c.hash_key(name));
        assert_eq!(a.hash_key(name), hash_key(name));
    }
}

const CHILD: &str = "VDICT_HASHER_TEST_CHILD";

/// In a child process (the environment variable set), prints this process's hash of a name.
#[test]
fn child_prints_its_hash() {
    if std::env::var_os(CHILD).is_some() {
        println!("\nhash={};", hash_key("print"));
    }
}

fn hash_in_a_new_process(seed: Option<&str>) -> u64 {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "child_prints_its_hash",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env_remove(vdict::HASH_SEED_VARIABLE);
    if let Some(seed) = seed {
        command.env(vdict::HASH_SEED_VARIABLE, seed);
    }
    let output = command.output().expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let hash = stdout
        .split("hash=")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("the child printed no hash:\n{stdout}"));
    hash.parse().unwrap()
}

#[test]
fn each_process_draws_its_own_seed() {
    // Two processes agreeing by chance: probability 2^-64.
    assert_ne!(hash_in_a_new_process(None), hash_in_a_new_process(None));
}

#[test]
fn a_seed_in_the_environment_makes_hashes_reproducible() {
    let a = hash_in_a_new_process(Some("12345"));
    assert_eq!(a, hash_in_a_new_process(Some("12345")));
    assert_ne!(a, hash_in_a_new_process(Some("12346")));
}
