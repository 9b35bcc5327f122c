//! Parse and clean every feed file of a directory N times, timing the two stages apart: the
//! part of ingest that kb and the FTS5 baseline share (crates/bench).
//!
//! `cargo run --release -p kb-clean --example stages -- DIR [PASSES]`

#![allow(clippy::print_stdout)] // A measuring tool: it reports.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: stages DIR [PASSES]")?);
    let passes: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    paths.sort();
    let files: Vec<Vec<u8>> = paths.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let (mut parse, mut clean, mut articles) = (0.0, 0.0, 0usize);
    for _ in 0..passes {
        for bytes in &files {
            let t = Instant::now();
            let feed = kb_parse::parse(bytes, &kb_parse::ParseOptions::default())?;
            parse += t.elapsed().as_secs_f64();
            let t = Instant::now();
            for item in &feed.items {
                std::hint::black_box(kb_clean::to_article("feed", item));
                articles += 1;
            }
            clean += t.elapsed().as_secs_f64();
        }
    }
    println!(
        "{articles} articles: parse {parse:.3} s, clean {clean:.3} s ({:.1} us/article)",
        (parse + clean) * 1e6 / articles.max(1) as f64
    );
    Ok(())
}
