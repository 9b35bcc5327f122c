//! `kb-bench`: generate a corpus, or measure kb against SQLite FTS5 and a plain scan on it.
//!
//! ```text
//! kb-bench gen --articles 10000 --seed 42 --out target/corpus-10k
//! kb-bench run --articles 100000          # the whole benchmark; prints a markdown table
//! kb-bench run --articles 1000 --quick    # the CI smoke run, well under a minute
//! kb-bench recall --articles 10000        # how often a half-remembered query finds its article
//! ```
//!
//! Figures are printed, never asserted: the machine is shared and noisy.
#![allow(clippy::print_stdout)]

mod fts;
mod ingest;
mod measure;
mod recall;
mod run;
mod scan;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use kb_bench::{CorpusSpec, generate};

#[derive(Debug, Parser)]
#[command(name = "kb-bench", about = "kb's corpus generator and benchmark")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a deterministic corpus of WordPress-style RSS feeds.
    Gen {
        /// Number of articles.
        #[arg(long, default_value_t = 1000)]
        articles: usize,
        /// Number of feed files [default: one per 100 articles].
        #[arg(long)]
        feeds: Option<usize>,
        /// PRNG seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Run the benchmark and print the table.
    Run(run::RunArgs),
    /// Known-item recall: how often kb and FTS5 find first the article a query was drawn from
    /// (title words, with a slip or a plural; words of a sentence of the text).
    Recall(recall::RecallArgs),
    /// Repeat one kb search in a loop, for `perf record` (prints the mean latency).
    Profile {
        /// The KB directory (an index the benchmark left, e.g. target/kb-bench/indexes-10000/kb-all).
        #[arg(long)]
        index: PathBuf,
        /// The query.
        #[arg(long)]
        query: String,
        /// Repetitions.
        #[arg(long, default_value_t = 2000)]
        n: usize,
        /// Write over this many MB of memory before each search (untimed), so each starts with
        /// cold CPU caches, as a search does after other work (the benchmark's FTS5 queries).
        #[arg(long, default_value_t = 0)]
        cold_mb: usize,
        /// Before each search (untimed), run a common word over every date with FTS5 on this
        /// SQLite file: heavier than any FTS5 query a kb search follows in the benchmark.
        #[arg(long)]
        after_fts: Option<PathBuf>,
        /// Sleep this long before each search (untimed): a search after the machine idled, as
        /// most of a person's searches are.
        #[arg(long, default_value_t = 0)]
        idle_ms: u64,
    },
    /// Internal: one ingest run in a child process, so its peak memory is its own.
    #[command(hide = true)]
    Ingest(ingest::IngestArgs),
}

fn main() {
    if let Err(e) = real_main() {
        eprintln!("kb-bench: error: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    match Cli::parse().command {
        Command::Gen {
            articles,
            feeds,
            seed,
            out,
        } => {
            let mut spec = CorpusSpec::new(articles, seed);
            if let Some(f) = feeds {
                spec.feeds = f;
            }
            let t = std::time::Instant::now();
            let m = generate(&spec, &out, measure::cores())
                .with_context(|| format!("cannot generate the corpus in {}", out.display()))?;
            println!(
                "{} articles in {} feeds, {:.1} MB of XML, in {} ({:.1}s)",
                articles,
                m.files.len(),
                m.xml_bytes as f64 / 1e6,
                out.display(),
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Run(a) => run::run(a),
        Command::Recall(a) => recall::recall(a),
        Command::Profile {
            index,
            query,
            n,
            cold_mb,
            after_fts,
            idle_ms,
        } => {
            let kb = kb_store::Kb::open(&index)?;
            let req = kb_store::SearchRequest::new(&query);
            let fts = after_fts.as_deref().map(fts::open).transpose()?;
            let heavy = kb_bench::BenchQuery {
                kind: kb_bench::QueryKind::Date,
                terms: vec!["business".into()],
                phrase: false,
                category: None,
                dates: Some((chrono::DateTime::UNIX_EPOCH, chrono::Utc::now())),
            };
            let mut sweep = vec![0u8; cold_mb << 20];
            let mut took = Vec::with_capacity(n);
            let mut hits = 0;
            for i in 0..n {
                if !sweep.is_empty() {
                    sweep
                        .iter_mut()
                        .step_by(64)
                        .for_each(|b| *b = b.wrapping_add(i as u8));
                    std::hint::black_box(&sweep);
                }
                if let Some(c) = &fts {
                    std::hint::black_box(fts::search(c, &heavy)?);
                }
                if idle_ms > 0 {
                    std::thread::sleep(std::time::Duration::from_millis(idle_ms));
                }
                let t = std::time::Instant::now();
                hits += kb.search(&req)?.hits.len();
                took.push(t.elapsed());
            }
            let mean = took.iter().sum::<std::time::Duration>().as_secs_f64() * 1e3;
            // The benchmark table's percentiles, so a figure here compares with one there.
            let [p50, _, p99] = measure::p50_95_99(took);
            println!(
                "{n} searches, {hits} hits, mean {:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms",
                mean / n.max(1) as f64
            );
            Ok(())
        }
        Command::Ingest(a) => ingest::child(a),
    }
}
