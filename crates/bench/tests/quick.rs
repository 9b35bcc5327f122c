//! Keeps the benchmark from rotting: the whole `kb-bench run` path on a tiny corpus (generate,
//! six ingests in child processes, every query kind on kb, FTS5 and the scan, the table).
//! Checks that it runs and agrees with itself, never how fast it is.

use std::ffi::OsStr;
use std::process::Command;

/// Run kb-bench with `args`; its stdout, once it has exited 0 (else its stderr, failing).
fn kb_bench<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> String {
    kb_bench_both(args).0
}

/// [`kb_bench`], with its stderr too.
fn kb_bench_both<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kb-bench"))
        .args(args)
        .output()
        .expect("kb-bench runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "stderr: {stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

#[test]
fn tiny_run_prints_the_table() {
    let work = tempfile::tempdir().expect("temp dir");
    let stdout = kb_bench(
        [
            "run",
            "--articles",
            "120",
            "--quick",
            "--reps",
            "3",
            "--scan-reps",
            "1",
            "--process-runs",
            "0",
            "--work",
        ]
        .map(OsStr::new)
        .into_iter()
        .chain([work.path().as_os_str()]),
    );
    for row in [
        "| ingest, 1 thread (articles/s) |",
        "| store only: upsert/INSERT + commit (articles/s) |",
        "| index size (MB per MB of article text) |",
        "| rare word p50 (ms) |",
        "| date-filtered p99 (ms) |",
    ] {
        assert!(stdout.contains(row), "missing {row} in\n{stdout}");
    }
    // The planted marker has a known number of hits, and both engines find exactly those.
    let want = kb_bench::marker_hits(0, 120);
    let rare = format!(
        "| rare word | `{}` | {want} | {want} | {want} |",
        kb_bench::MARKERS[0]
    );
    assert!(stdout.contains(&rare), "missing {rare} in\n{stdout}");
}

#[test]
fn gen_is_deterministic() {
    let (a, b) = (
        tempfile::tempdir().expect("temp"),
        tempfile::tempdir().expect("temp"),
    );
    for d in [a.path(), b.path()] {
        let st = Command::new(env!("CARGO_BIN_EXE_kb-bench"))
            .args([
                "gen",
                "--articles",
                "50",
                "--feeds",
                "2",
                "--seed",
                "7",
                "--out",
            ])
            .arg(d)
            .status()
            .expect("kb-bench gen runs");
        assert!(st.success());
    }
    for f in ["feed-00000.xml", "feed-00001.xml", "corpus.json"] {
        let x = std::fs::read(a.path().join(f)).expect("generated");
        let y = std::fs::read(b.path().join(f)).expect("generated");
        assert!(x == y, "{f} differs between two runs");
    }
}

/// The recall path on a tiny corpus: every kind of query is drawn and asked of both engines.
/// The shares are not checked (a tiny corpus's are noise); that titles typed right are found
/// at all is.
#[test]
fn tiny_recall_prints_the_table() {
    let work = tempfile::tempdir().expect("temp dir");
    let stdout = kb_bench(
        ["recall", "--articles", "150", "--queries", "20", "--work"]
            .map(OsStr::new)
            .into_iter()
            .chain([work.path().as_os_str()]),
    );
    for kind in [
        "| title words (2-3 of them, any order) | 20 |",
        "| title words, one mistyped | 20 |",
        "| title words, one plural for singular or back | 20 |",
        "| 4 words in a row from the text | 20 |",
        "| 3 words of a sentence, its little words left out | 20 |",
    ] {
        assert!(stdout.contains(kind), "missing {kind} in\n{stdout}");
    }
    let titles = stdout
        .lines()
        .find(|l| l.starts_with("| title words (2-3"))
        .expect("row");
    assert!(!titles.contains("| 0% | 0% |"), "{titles}");

    // The same, drawn from an existing KB (the one the run left), naming the misses.
    let kb = work.path().join("recall-150/kb");
    let again = tempfile::tempdir().expect("temp dir");
    let (stdout, stderr) = kb_bench_both([
        OsStr::new("recall"),
        OsStr::new("--queries"),
        OsStr::new("20"),
        OsStr::new("--misses"),
        OsStr::new("--index"),
        kb.as_os_str(),
        OsStr::new("--work"),
        again.path().as_os_str(),
    ]);
    // 150 generated articles share their words: some sentence is always found elsewhere first.
    assert!(
        stderr.contains("miss [4 words in a row from the text] \""),
        "{stderr}"
    );
    assert!(
        stdout.contains("Known-item recall, 150 articles, the KB at"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| 4 words in a row from the text | 20 |"),
        "{stdout}"
    );
}
