//! Timings and peak memory for hostile input (issue 5.7), against a baseline measured in the
//! same run: cleaning an ordinary article of the same size. Prints figures; asserts nothing.
//!
//! `cargo bench -p kb-clean --bench hostile` (optionally a case name to run only that case).

use std::hint::black_box;
use std::time::{Duration, Instant};

use kb_clean::{Limits, Rules, clean_html, clean_html_with};

fn time(html: &str, rules: &Rules) -> Duration {
    let start = Instant::now();
    black_box(clean_html_with(black_box(html), None, rules));
    start.elapsed()
}

/// Reset the peak-memory mark (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory of this process since the last reset (Linux), in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

type Make = fn() -> String;

const PARAGRAPH: &str = "<p>Most salespeople are limited in their <b>effectiveness</b> at \
                         getting <a href=\"http://example.com/r\">referrals</a> for three \
                         reasons.</p>\n";

const CASES: &[(&str, Make)] = &[
    ("baseline-article-1MiB", || {
        PARAGRAPH.repeat(1024 * 1024 / PARAGRAPH.len())
    }),
    ("nested-div-100k", || {
        format!("{}x{}", "<div>".repeat(100_000), "</div>".repeat(100_000))
    }),
    ("unclosed-b-50k", || format!("{}x", "<b>".repeat(50_000))),
    ("reopened-b-20k", || {
        (0..20_000)
            .map(|n| format!("<p><b id=b{n}>x</p>"))
            .collect()
    }),
    ("nested-table-30k", || "<table><tr><td>".repeat(30_000)),
    ("nested-li-50k", || "<ul><li>".repeat(50_000)),
    ("b-div-50k", || "<b><div>".repeat(50_000)),
    ("lt-flood-100k", || "<".repeat(100_000)),
    // html5ever's duplicate-attribute check is quadratic; the guard keeps 256 per tag.
    ("attributes-200k", || {
        let attrs: String = (0..200_000).map(|n| format!(" a{n}")).collect();
        format!("<p{attrs}>x</p>")
    }),
    ("inline-image-1MB", || {
        format!(
            "<p><img src=\"data:image/png;base64,{}\"></p>{}",
            "A".repeat(1 << 20),
            PARAGRAPH.repeat(100)
        )
    }),
    ("escapes-200k", || "\u{ab}&amp;".repeat(200_000)),
    ("text-node-100MiB", || {
        format!("<p>{}</p>", "a".repeat(100 * 1024 * 1024))
    }),
];

fn main() {
    let only = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let rules = Rules::builtin();
    let baseline = time(&(CASES[0].1)(), rules);
    println!(
        "{:<22} {:>10} {:>10} {:>8} {:>10}",
        "case", "input", "time", "ratio", "peak MiB"
    );
    for (name, make) in CASES {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let html = make();
        reset_peak();
        let before = peak_mib().unwrap_or(f64::NAN);
        let elapsed = time(&html, rules);
        // Peak growth while cleaning, over the input already held.
        println!(
            "{:<22} {:>9}K {:>8.1}ms {:>8.2} {:>10.1}",
            name,
            html.len() / 1024,
            elapsed.as_secs_f64() * 1e3,
            elapsed.as_secs_f64() / baseline.as_secs_f64(),
            peak_mib().unwrap_or(f64::NAN) - before,
        );
    }
    // Without the guard's nesting caps, html5ever's cost grows quadratically with depth.
    let unguarded = Rules::builtin().clone().with_limits(Limits {
        max_depth: usize::MAX,
        max_open_formatting: usize::MAX,
        ..Limits::default()
    });
    for depth in [5_000, 10_000, 20_000] {
        if only.as_deref().is_some_and(|o| !"unguarded".contains(o)) {
            continue;
        }
        let html = "<div>".repeat(depth);
        println!(
            "unguarded-div-{depth:<8} {:>9}K {:>8.1}ms   guarded {:>6.1}ms",
            html.len() / 1024,
            time(&html, &unguarded).as_secs_f64() * 1e3,
            time(&html, rules).as_secs_f64() * 1e3,
        );
    }
    black_box(clean_html("", None));
}
