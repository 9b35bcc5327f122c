//! The committed fuzz corpus of the `parse_feed` target (`fuzz/corpus/parse_feed/`) and the
//! feed regressions (`fixtures/regressions/*.xml`, `*.json`), run as plain tests with the
//! target's code path and checks (fuzz/fuzz_targets/parse_feed.rs): CI does not fuzz, but it
//! replays every input the fuzzer kept (issue 5 point 8).

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn inputs() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(root().join("fuzz/corpus/parse_feed")).unwrap() {
        paths.push(entry.unwrap().path());
    }
    for entry in fs::read_dir(root().join("fixtures/regressions")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "xml" || e == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    paths
}

#[path = "common/promises.rs"]
mod promises;

use promises::check;

#[test]
fn committed_corpus_and_regressions_parse_and_clean_without_panic() {
    let paths = inputs();
    assert!(paths.len() >= 20, "corpus missing: {} inputs", paths.len());
    let started = Instant::now();
    for path in &paths {
        let bytes = fs::read(path).unwrap();
        let result = std::panic::catch_unwind(|| check(&bytes));
        assert!(
            result.is_ok(),
            "{} broke the parse_feed checks",
            path.display()
        );
    }
    // Each input is under 8 KiB; seconds for all of them would mean something went quadratic.
    // Generous, because debug builds on a shared CI machine are slow.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{} inputs took {:?}",
        paths.len(),
        started.elapsed()
    );
}
