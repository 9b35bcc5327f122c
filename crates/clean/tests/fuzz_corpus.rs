//! The committed fuzz corpus of the `clean_html` target (`fuzz/corpus/clean_html/`) and the
//! HTML regressions found by fuzzing (`fixtures/regressions/*.html`), run as plain tests with
//! the target's checks (fuzz/fuzz_targets/clean_html.rs), so CI, which does not fuzz, still
//! replays every input the fuzzer found interesting (issue 5 point 8).

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn inputs() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(root().join("fuzz/corpus/clean_html")).unwrap() {
        paths.push(entry.unwrap().path());
    }
    for entry in fs::read_dir(root().join("fixtures/regressions")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
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
fn committed_corpus_and_regressions_keep_the_cleaner_promises() {
    let paths = inputs();
    assert!(paths.len() >= 20, "corpus missing: {} inputs", paths.len());
    for path in &paths {
        let bytes = fs::read(path).unwrap();
        // The target only sees UTF-8; other inputs are the fuzzer's dead ends.
        if let Ok(html) = std::str::from_utf8(&bytes) {
            let result = std::panic::catch_unwind(|| check(html));
            assert!(result.is_ok(), "{} broke a promise", path.display());
        }
    }
}

/// Issue 5, found by fuzzing: an invisible character (U+FEFF, U+200B, U+00AD, a C0 control)
/// inside or before `javascript:` hid the scheme from the URL check; escaping then dropped the
/// character and wrote a live `href="javascript:…"`.
#[test]
fn regression_5_invisible_char_in_javascript_url() {
    let html = fs::read_to_string(
        root().join("fixtures/regressions/5-invisible-char-in-javascript-url.html"),
    )
    .unwrap();
    for base in [None, Some("http://example.com/")] {
        let cleaned = kb_clean::clean_html(&html, base);
        assert!(
            !cleaned.html.to_ascii_lowercase().contains("javascript"),
            "{base:?}: {}",
            cleaned.html
        );
    }
    check(&html);
}
