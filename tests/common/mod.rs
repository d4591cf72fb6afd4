//! What the integration tests share: the check functions behind the fuzz targets (so that the
//! proptests, the corpus replay and the fuzzers check one and the same thing), and the
//! colliding hashers.

#![allow(dead_code)]

#[path = "../../fuzz/src/lib.rs"]
pub mod checks;

#[allow(unused_imports)]
pub use checks::hashers::{FewHashes, OneHash};
