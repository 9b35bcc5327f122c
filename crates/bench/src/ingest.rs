//! Ingest: feed files -> parse -> clean -> kb's writer or FTS5 -> commit, timed by stage.
//!
//! Each ingest runs in a child process (`kb-bench ingest ...`, spawned by `run`), so the peak
//! memory it reports (VmHWM) is that ingest's alone, and one engine's caches never warm the
//! other's heap.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use kb_clean::Article;
use kb_store::{Kb, KbWriter, WriteLock};
use serde::{Deserialize, Serialize};

use crate::fts;
use crate::measure;

/// Which store an ingest feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
pub enum Engine {
    /// kb-store: tantivy.
    Kb,
    /// SQLite FTS5.
    Fts5,
}

/// Arguments of the hidden `ingest` subcommand.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Engine to feed.
    #[arg(long, value_enum)]
    pub engine: Engine,
    /// Corpus directory (with corpus.json).
    #[arg(long)]
    pub corpus: PathBuf,
    /// Where the index goes (a KB directory, or an SQLite file); must not exist.
    #[arg(long)]
    pub out: PathBuf,
    /// Parse+clean threads (1: everything on one thread).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Parse and clean everything first, untimed, then time only the store.
    #[arg(long)]
    pub store_only: bool,
}

/// What one ingest measured. Printed as one JSON line by the child.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IngestStats {
    pub engine: Engine,
    pub threads: usize,
    pub store_only: bool,
    pub articles: usize,
    pub xml_bytes: u64,
    /// Title, text, categories and author of every cleaned article: the text both engines index.
    pub text_bytes: u64,
    /// Wall time of the timed part.
    pub wall_secs: f64,
    /// Reading, parsing and cleaning, summed over threads.
    pub parse_clean_secs: f64,
    /// Upserts or INSERTs.
    pub store_secs: f64,
    /// The final commit.
    pub commit_secs: f64,
    pub peak_rss_kib: u64,
}

/// One store being written.
pub(crate) enum Sink {
    Kb {
        // Boxed: the writer is large and the enum lives once per ingest anyway.
        writer: Box<KbWriter>,
        // Held until the commit: the writer lock of the KB directory.
        _lock: WriteLock,
    },
    Fts5(rusqlite::Connection),
}

impl Sink {
    pub(crate) fn open(engine: Engine, out: &Path) -> Result<Sink> {
        match engine {
            Engine::Kb => {
                std::fs::create_dir_all(out)?;
                let lock = WriteLock::acquire(out, Duration::ZERO)?;
                let kb = Kb::open_or_create(out, &lock)?;
                let writer = Box::new(kb.writer(&lock)?);
                Ok(Sink::Kb {
                    writer,
                    _lock: lock,
                })
            }
            Engine::Fts5 => Ok(Sink::Fts5(fts::create(out)?)),
        }
    }

    pub(crate) fn put(&mut self, a: &Article) -> Result<()> {
        match self {
            Sink::Kb { writer, .. } => {
                writer.upsert(a)?;
            }
            Sink::Fts5(c) => fts::insert(c, a)?,
        }
        Ok(())
    }

    pub(crate) fn commit(self) -> Result<()> {
        match self {
            Sink::Kb { writer, _lock } => {
                writer.commit()?;
                drop(_lock);
            }
            Sink::Fts5(c) => fts::commit(c)?,
        }
        Ok(())
    }
}

/// Read, parse and clean one feed file. The feed name is the file stem, as `kb sync --from`
/// would name a feed without a config entry.
pub fn articles_of(path: &Path) -> Result<(u64, Vec<Article>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let feed = kb_parse::parse(&bytes, &kb_parse::ParseOptions::default())
        .with_context(|| format!("cannot parse {}", path.display()))?;
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("feed");
    let arts = feed
        .items
        .iter()
        .map(|i| kb_clean::to_article(name, i))
        .collect();
    Ok((bytes.len() as u64, arts))
}

pub fn text_len(a: &Article) -> u64 {
    (a.title.len()
        + a.text.len()
        + a.categories.iter().map(|c| c.len() + 1).sum::<usize>()
        + a.author.as_ref().map_or(0, |s| s.len())) as u64
}

/// Run one ingest in this process.
pub fn ingest(a: &IngestArgs) -> Result<IngestStats> {
    let manifest = kb_bench::Manifest::load(&a.corpus)?;
    let files = manifest.paths(&a.corpus);
    let mut stats = IngestStats {
        engine: a.engine,
        threads: a.threads,
        store_only: a.store_only,
        articles: 0,
        xml_bytes: 0,
        text_bytes: 0,
        wall_secs: 0.0,
        parse_clean_secs: 0.0,
        store_secs: 0.0,
        commit_secs: 0.0,
        peak_rss_kib: 0,
    };
    let count = |stats: &mut IngestStats, xml: u64, arts: &[Article]| {
        stats.xml_bytes += xml;
        stats.articles += arts.len();
        stats.text_bytes += arts.iter().map(text_len).sum::<u64>();
    };

    if a.store_only {
        let mut all = Vec::new();
        for f in &files {
            let (xml, arts) = articles_of(f)?;
            count(&mut stats, xml, &arts);
            all.extend(arts);
        }
        let start = Instant::now();
        let mut sink = Sink::open(a.engine, &a.out)?;
        for art in &all {
            sink.put(art)?;
        }
        stats.store_secs = start.elapsed().as_secs_f64();
        let t = Instant::now();
        sink.commit()?;
        stats.commit_secs = t.elapsed().as_secs_f64();
        stats.wall_secs = start.elapsed().as_secs_f64();
        stats.peak_rss_kib = measure::peak_rss_kib();
        return Ok(stats);
    }

    let start = Instant::now();
    let mut sink = Sink::open(a.engine, &a.out)?;
    if a.threads <= 1 {
        for f in &files {
            let t = Instant::now();
            let (xml, arts) = articles_of(f)?;
            stats.parse_clean_secs += t.elapsed().as_secs_f64();
            count(&mut stats, xml, &arts);
            let t = Instant::now();
            for art in &arts {
                sink.put(art)?;
            }
            stats.store_secs += t.elapsed().as_secs_f64();
        }
    } else {
        // Workers parse and clean whole files; the one writer (this thread) stores them. The
        // channel is bounded so a slow writer holds back the parsers instead of buffering the
        // corpus in memory.
        let next = AtomicUsize::new(0);
        let (tx, rx) = mpsc::sync_channel::<Result<(u64, Vec<Article>, Duration)>>(a.threads * 2);
        std::thread::scope(|s| -> Result<()> {
            for _ in 0..a.threads {
                let tx = tx.clone();
                let (next, files) = (&next, &files);
                s.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(f) = files.get(i) else { return };
                        let t = Instant::now();
                        let r = articles_of(f).map(|(x, arts)| (x, arts, t.elapsed()));
                        if tx.send(r).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            for r in rx {
                let (xml, arts, took) = r?;
                stats.parse_clean_secs += took.as_secs_f64();
                count(&mut stats, xml, &arts);
                let t = Instant::now();
                for art in &arts {
                    sink.put(art)?;
                }
                stats.store_secs += t.elapsed().as_secs_f64();
            }
            Ok(())
        })?;
    }
    let t = Instant::now();
    sink.commit()?;
    stats.commit_secs = t.elapsed().as_secs_f64();
    stats.wall_secs = start.elapsed().as_secs_f64();
    stats.peak_rss_kib = measure::peak_rss_kib();
    Ok(stats)
}

/// The child's entry point: ingest, then print the stats as one JSON line.
pub fn child(a: IngestArgs) -> Result<()> {
    let stats = ingest(&a)?;
    println!("{}", serde_json::to_string(&stats)?);
    Ok(())
}

/// Spawn a child ingest and read its stats.
pub fn spawn(a: &IngestArgs) -> Result<IngestStats> {
    let exe = std::env::current_exe().context("cannot find the kb-bench executable")?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("ingest")
        .arg("--engine")
        .arg(match a.engine {
            Engine::Kb => "kb",
            Engine::Fts5 => "fts5",
        })
        .arg("--corpus")
        .arg(&a.corpus)
        .arg("--out")
        .arg(&a.out)
        .arg("--threads")
        .arg(a.threads.to_string());
    if a.store_only {
        cmd.arg("--store-only");
    }
    let out = cmd.output().context("cannot start an ingest child")?;
    if !out.status.success() {
        anyhow::bail!(
            "ingest child failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let line = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(line.trim()).context("ingest child printed no stats")
}
