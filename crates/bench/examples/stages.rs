//! Parse and clean a corpus N times, timing the two stages apart (the shared part of ingest).
//! `cargo run --release -p kb-bench --example stages -- DIR [REPS]`
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/corpus".into()));
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let manifest = kb_bench::Manifest::load(&dir)?;
    let files: Vec<Vec<u8>> = manifest
        .paths(&dir)
        .iter()
        .map(std::fs::read)
        .collect::<Result<_, _>>()?;
    let (mut parse, mut clean, mut n) = (0.0, 0.0, 0usize);
    for _ in 0..reps {
        for bytes in &files {
            let t = Instant::now();
            let feed = kb_parse::parse(bytes, &kb_parse::ParseOptions::default())?;
            parse += t.elapsed().as_secs_f64();
            let t = Instant::now();
            for item in &feed.items {
                let a = kb_clean::to_article("feed", item);
                n += a.text.len().min(1);
            }
            clean += t.elapsed().as_secs_f64();
        }
    }
    println!(
        "{n} articles: parse {parse:.3} s, clean {clean:.3} s ({:.1} us/article)",
        (parse + clean) * 1e6 / n as f64
    );
    Ok(())
}
