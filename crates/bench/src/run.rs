//! `kb-bench run`: generate (or reuse) a corpus, ingest it into kb and FTS5 in child processes,
//! time the query workload on kb, FTS5 and the scan interleaved, time whole `kb search`
//! processes, and print one markdown table with the ratio kb/FTS5 for each figure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use kb_bench::{BenchQuery, CorpusSpec, Manifest, QueryKind, generate, queries};
use kb_store::{Kb, SearchRequest};

use crate::ingest::{self, Engine, IngestArgs, IngestStats};
use crate::measure::{self, p50_95_99};
use crate::{fts, scan};

/// Arguments of `kb-bench run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Number of articles in the corpus.
    #[arg(long, default_value_t = 10_000)]
    articles: usize,
    /// Number of feed files [default: one per 100 articles].
    #[arg(long)]
    feeds: Option<usize>,
    /// PRNG seed of the corpus.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Working directory for the corpus and the indexes [default: $CARGO_TARGET_DIR or
    /// ./target, then kb-bench/].
    #[arg(long)]
    work: Option<PathBuf>,
    /// Timed repetitions of each query kind per engine.
    #[arg(long, default_value_t = 300)]
    reps: usize,
    /// Timed repetitions of each query kind for the (slow) scan.
    #[arg(long, default_value_t = 20)]
    scan_reps: usize,
    /// Whole `kb search` processes to time (0 to skip).
    #[arg(long, default_value_t = 30)]
    process_runs: usize,
    /// The `kb` binary for whole-process runs [default: next to kb-bench].
    #[arg(long)]
    kb_bin: Option<PathBuf>,
    /// Skip the two store-only ingests (each parses the whole corpus first, untimed: minutes at
    /// 100k articles).
    #[arg(long)]
    skip_store_only: bool,
    /// Few repetitions, for CI: checks every path runs, figures are rough.
    #[arg(long)]
    quick: bool,
}

pub(crate) fn default_work() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("kb-bench")
}

/// Reuse a corpus generated earlier with the same spec; generating 100k articles takes a while.
pub(crate) fn corpus(spec: &CorpusSpec, dir: &Path) -> Result<Manifest> {
    if let Ok(m) = Manifest::load(dir)
        && m.spec == *spec
        && m.generator == kb_bench::GENERATOR_VERSION
        && m.paths(dir).iter().all(|p| p.exists())
    {
        eprintln!("corpus: reusing {}", dir.display());
        return Ok(m);
    }
    let t = Instant::now();
    let m = generate(spec, dir, measure::cores())?;
    eprintln!(
        "corpus: generated {} articles, {:.1} MB of XML in {:.1}s",
        spec.articles,
        m.xml_bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    Ok(m)
}

/// Per kind and engine: the measured latencies.
#[derive(Default)]
struct Latencies {
    kb: Vec<Duration>,
    fts: Vec<Duration>,
    scan: Vec<Duration>,
}

fn request(q: &BenchQuery) -> SearchRequest {
    let mut r = SearchRequest::new(&q.text());
    r.categories = q.category.iter().cloned().collect();
    if let Some((lo, hi)) = q.dates {
        r.since = Some(lo);
        r.until = Some(hi);
    }
    r
}

fn kb_args(index: &Path, q: &BenchQuery) -> Vec<String> {
    let mut v = vec![
        "--index".to_string(),
        index.display().to_string(),
        "search".into(),
        q.text(),
    ];
    if let Some(c) = &q.category {
        v.extend(["--category".into(), c.clone()]);
    }
    if let Some((lo, hi)) = q.dates {
        v.extend(["--since".into(), lo.format("%Y-%m-%d").to_string()]);
        v.extend(["--until".into(), hi.format("%Y-%m-%d").to_string()]);
    }
    v
}

/// A whole process, timed from spawn to exit; its output goes to a pipe we drain.
fn time_process(cmd: &mut Command) -> Result<Duration> {
    let t = Instant::now();
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .context("cannot start process")?;
    let took = t.elapsed();
    if !out.status.success() {
        anyhow::bail!(
            "{:?} failed ({}): {}",
            cmd.get_program(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(took)
}

fn sqlite3_has_fts5() -> bool {
    Command::new("sqlite3")
        .args([":memory:", "CREATE VIRTUAL TABLE t USING fts5(a);"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn sqlite3_sql(q: &BenchQuery) -> String {
    let (m, sql) = fts::sql(q);
    let mut sql = sql.replace("?1", &format!("'{}'", m.replace('\'', "''")));
    if let Some((lo, hi)) = q.dates {
        sql = sql
            .replace("?2", &lo.timestamp().to_string())
            .replace("?3", &hi.timestamp().to_string());
    }
    sql
}

pub fn run(mut a: RunArgs) -> Result<()> {
    if a.quick {
        a.reps = a.reps.min(20);
        a.scan_reps = a.scan_reps.min(3);
        a.process_runs = a.process_runs.min(6);
    }
    let load_before = measure::load();
    let mut spec = CorpusSpec::new(a.articles, a.seed);
    if let Some(f) = a.feeds {
        spec.feeds = f;
    }
    // Absolute, because the whole-process runs start `kb` in another directory.
    let work = std::path::absolute(a.work.clone().unwrap_or_else(default_work))?;
    let cdir = work.join(format!(
        "corpus-{}-{}-{}",
        spec.articles, spec.feeds, spec.seed
    ));
    let manifest = corpus(&spec, &cdir)?;
    let idx = work.join(format!("indexes-{}", spec.articles));
    if idx.exists() {
        std::fs::remove_dir_all(&idx).with_context(|| format!("cannot clear {}", idx.display()))?;
    }
    std::fs::create_dir_all(&idx)?;

    // Ingest: kb and FTS5 alternate, so a burst of load from other processes hits both.
    let cores = measure::cores();
    let plan = [
        (Engine::Kb, 1, false, "kb-1"),
        (Engine::Fts5, 1, false, "fts-1.db"),
        (Engine::Kb, cores, false, "kb-all"),
        (Engine::Fts5, cores, false, "fts-all.db"),
        (Engine::Kb, 1, true, "kb-store"),
        (Engine::Fts5, 1, true, "fts-store.db"),
    ];
    let mut runs: BTreeMap<&str, IngestStats> = BTreeMap::new();
    for (engine, threads, store_only, name) in plan {
        if store_only && a.skip_store_only {
            continue;
        }
        let args = IngestArgs {
            engine,
            corpus: cdir.clone(),
            out: idx.join(name),
            threads,
            store_only,
        };
        let s = ingest::spawn(&args)?;
        eprintln!(
            "ingest {name}: {} articles in {:.2}s (parse+clean {:.2}s, store {:.2}s, commit {:.2}s), peak {} MiB",
            s.articles,
            s.wall_secs,
            s.parse_clean_secs,
            s.store_secs,
            s.commit_secs,
            s.peak_rss_kib / 1024
        );
        runs.insert(name, s);
    }
    let kb_dir = idx.join("kb-all");
    let fts_db = idx.join("fts-all.db");
    let text_mb = runs["kb-all"].text_bytes as f64 / 1e6;
    let kb_index_bytes = measure::dir_size(&kb_dir);
    let fts_bytes = measure::dir_size(&fts_db)
        + measure::dir_size(&idx.join("fts-all.db-wal"))
        + measure::dir_size(&idx.join("fts-all.db-shm"));

    // Queries, warm, interleaved.
    let kb = Kb::open(&kb_dir)?;
    let conn = fts::open(&fts_db)?;
    let docs: Vec<scan::ScanDoc> = fts::all_text(&conn)?
        .iter()
        .map(|(t, b, c, au, p)| scan::ScanDoc::new(t, b, c, au, *p))
        .collect();
    let qs = queries(&manifest);
    let by_kind = |k: QueryKind| qs.iter().filter(|q| q.kind == k).collect::<Vec<_>>();
    let mut counts = Vec::new();
    for k in QueryKind::ALL {
        let q = by_kind(k)[0];
        // A query kb had to widen (it matched nothing as typed) is not the same work as
        // FTS5's empty answer: say so next to the count.
        let res = kb.search(&request(q))?;
        let kb_total = match res.relaxed {
            Some(_) => format!("{} (widened)", res.total),
            None => res.total.to_string(),
        };
        let fts_total = fts::count(&conn, q)?;
        let (scan_total, _) = scan::search(&docs, q);
        counts.push((k, q.text(), kb_total, fts_total, scan_total));
    }
    for q in &qs {
        kb.search(&request(q))?;
        fts::search(&conn, q)?;
    }
    let mut lat: BTreeMap<usize, Latencies> = BTreeMap::new();
    let mut sink = 0usize;
    let mut order: Vec<usize> = (0..QueryKind::ALL.len()).collect();
    for r in 0..a.reps {
        // A query right after a heavy one of the other engine runs slower (FTS5's date window
        // reads most of its 1 GB index through the page cache; after it a kb search that takes
        // 0.3 ms in a loop took 1-1.5 ms, as after the machine idled: `kb-bench profile
        // --after-fts`, `--idle-ms`). In a fixed order one kind always came right after the
        // date windows, and its median measured that; each round now takes the kinds in an
        // order of its own (the same in every run), so that no kind always follows the
        // heaviest query.
        kb_bench::Rng::stream(a.seed, r as u64).shuffle(&mut order);
        for &ki in &order {
            let inst = by_kind(QueryKind::ALL[ki]);
            let q = inst[r % inst.len()];
            let l = lat.entry(ki).or_default();
            let req = request(q);
            // Engines take turns going first (ABBA): the one going second follows the other's
            // query of the same kind, the first the other's query of the kind before, and
            // neither should always be the same engine.
            for kb_turn in [r % 2 == 0, r % 2 != 0] {
                if kb_turn {
                    let t = Instant::now();
                    let res = kb.search(&req)?;
                    l.kb.push(t.elapsed());
                    sink += res.hits.len();
                } else {
                    let t = Instant::now();
                    let hits = fts::search(&conn, q)?;
                    l.fts.push(t.elapsed());
                    sink += hits.len();
                }
            }
            if r < a.scan_reps {
                let t = Instant::now();
                let (n, _) = scan::search(&docs, q);
                l.scan.push(t.elapsed());
                sink += n;
            }
        }
    }
    std::hint::black_box(sink);
    drop(docs);

    // Whole processes.
    let kb_bin = a.kb_bin.clone().unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(|p| p.join("kb")))
            .unwrap_or_else(|| PathBuf::from("kb"))
    });
    let mut kb_proc = Vec::new();
    let mut sql_proc = Vec::new();
    let mut notes = Vec::new();
    if a.process_runs > 0 {
        if kb_bin.exists() {
            let use_sqlite3 = sqlite3_has_fts5();
            for i in 0..a.process_runs + 3 {
                let k = QueryKind::ALL[i % QueryKind::ALL.len()];
                let inst = by_kind(k);
                let q = inst[(i / QueryKind::ALL.len()) % inst.len()];
                let d = time_process(
                    Command::new(&kb_bin)
                        .args(kb_args(&kb_dir, q))
                        .current_dir(&idx)
                        .env_remove("KB_INDEX")
                        .env_remove("KB_CONFIG"),
                )?;
                // The first three runs only warm the page cache and the binary.
                if i >= 3 {
                    kb_proc.push(d);
                }
                if use_sqlite3 {
                    let d = time_process(
                        Command::new("sqlite3")
                            .arg("-readonly")
                            .arg(&fts_db)
                            .arg(sqlite3_sql(q)),
                    )?;
                    if i >= 3 {
                        sql_proc.push(d);
                    }
                }
            }
            if !use_sqlite3 {
                notes.push(
                    "no sqlite3 CLI with FTS5 on PATH: whole-process baseline skipped".to_string(),
                );
            }
        } else {
            notes.push(format!(
                "no kb binary at {}: build it with `cargo build --release -p kb` (same target dir) for the whole-process figure",
                kb_bin.display()
            ));
        }
    }

    report(&Report {
        manifest: &manifest,
        runs: &runs,
        lat: &lat,
        counts: &counts,
        kb_proc,
        sql_proc,
        text_mb,
        kb_index_bytes,
        fts_bytes,
        reps: a.reps,
        scan_reps: a.scan_reps,
        load_before,
        notes,
    });
    Ok(())
}

struct Report<'a> {
    manifest: &'a Manifest,
    runs: &'a BTreeMap<&'a str, IngestStats>,
    lat: &'a BTreeMap<usize, Latencies>,
    counts: &'a [(QueryKind, String, String, usize, usize)],
    kb_proc: Vec<Duration>,
    sql_proc: Vec<Duration>,
    text_mb: f64,
    kb_index_bytes: u64,
    fts_bytes: u64,
    reps: usize,
    scan_reps: usize,
    load_before: String,
    notes: Vec<String>,
}

fn f(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn report(r: &Report<'_>) {
    let m = r.manifest;
    let mut out = String::new();
    let mut row = |name: &str, kb: f64, fts: f64, scan: f64, target: &str, met: Option<bool>| {
        out.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {target} | {} |\n",
            f(kb),
            f(fts),
            f(kb / fts),
            f(scan),
            match met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            }
        ));
    };
    let rate = |s: &IngestStats| s.articles as f64 / s.wall_secs;
    let mbs = |s: &IngestStats| s.xml_bytes as f64 / 1e6 / s.wall_secs;
    let (k1, f1, ka, fa) = (
        &r.runs["kb-1"],
        &r.runs["fts-1.db"],
        &r.runs["kb-all"],
        &r.runs["fts-all.db"],
    );
    let nan = f64::NAN;
    row(
        "ingest, 1 thread (articles/s)",
        rate(k1),
        rate(f1),
        nan,
        "≥ 3×",
        Some(rate(k1) >= 3.0 * rate(f1)),
    );
    row(
        "ingest, 1 thread (MB/s of XML)",
        mbs(k1),
        mbs(f1),
        nan,
        "",
        None,
    );
    row(
        &format!("ingest, {} threads (articles/s)", ka.threads),
        rate(ka),
        rate(fa),
        nan,
        "≥ 3×",
        Some(rate(ka) >= 3.0 * rate(fa)),
    );
    row(
        &format!("ingest, {} threads (MB/s of XML)", ka.threads),
        mbs(ka),
        mbs(fa),
        nan,
        "",
        None,
    );
    if let (Some(ks), Some(fs)) = (r.runs.get("kb-store"), r.runs.get("fts-store.db")) {
        row(
            "store only: upsert/INSERT + commit (articles/s)",
            rate(ks),
            rate(fs),
            nan,
            "",
            None,
        );
    }
    let peak = |s: &IngestStats| s.peak_rss_kib as f64 / 1024.0;
    row(
        "peak ingest memory, 1 thread (MiB)",
        peak(k1),
        peak(f1),
        nan,
        "< 1024",
        Some(peak(k1) < 1024.0),
    );
    row(
        &format!("peak ingest memory, {} threads (MiB)", ka.threads),
        peak(ka),
        peak(fa),
        nan,
        "< 1024",
        Some(peak(ka) < 1024.0),
    );
    row(
        "index size (MB per MB of article text)",
        r.kb_index_bytes as f64 / 1e6 / r.text_mb,
        r.fts_bytes as f64 / 1e6 / r.text_mb,
        nan,
        "",
        None,
    );
    for (ki, k) in QueryKind::ALL.iter().enumerate() {
        let Some(l) = r.lat.get(&ki) else { continue };
        let kb = p50_95_99(l.kb.clone());
        let fts = p50_95_99(l.fts.clone());
        let sc = p50_95_99(l.scan.clone());
        row(
            &format!("{} p50 (ms)", k.label()),
            kb[0],
            fts[0],
            sc[0],
            "≤ 0.33×",
            Some(kb[0] <= fts[0] / 3.0),
        );
        row(
            &format!("{} p95 (ms)", k.label()),
            kb[1],
            fts[1],
            sc[1],
            "",
            None,
        );
        row(
            &format!("{} p99 (ms)", k.label()),
            kb[2],
            fts[2],
            sc[2],
            "< 10 ms",
            Some(kb[2] < 10.0),
        );
    }
    if !r.kb_proc.is_empty() {
        let kb = p50_95_99(r.kb_proc.clone());
        let sq = p50_95_99(r.sql_proc.clone());
        row(
            &format!(
                "whole `kb search` process p50 (ms, {} runs; FTS5: sqlite3 CLI)",
                r.kb_proc.len()
            ),
            kb[0],
            sq[0],
            nan,
            "< 20 ms",
            Some(kb[0] < 20.0),
        );
        row("whole process p95 (ms)", kb[1], sq[1], nan, "", None);
    }

    let mut s = String::new();
    s.push_str(&format!(
        "\n## kb vs SQLite FTS5: {} articles in {} feeds ({:.1} MB of XML, {:.1} MB of article text), seed {}\n\n",
        m.spec.articles,
        m.spec.feeds,
        m.xml_bytes as f64 / 1e6,
        r.text_mb,
        m.spec.seed
    ));
    s.push_str(&format!(
        "Machine: {}; load average {} before, {} after.\n",
        measure::machine(),
        r.load_before,
        measure::load()
    ));
    s.push_str(&format!(
        "Queries: top 10 with snippets, warm, {} repetitions per kind (scan: {}), kb/FTS5/scan interleaved, kb and FTS5 taking turns first, the kinds in a new order each round.\n\n",
        r.reps, r.scan_reps
    ));
    s.push_str("| figure | kb | FTS5 | kb/FTS5 | scan | target | met |\n|---|---:|---:|---:|---:|---|---|\n");
    s.push_str(&out);
    s.push_str("\nIngest stages (seconds; parse+clean summed over threads):\n\n| run | articles | wall | parse+clean | store | commit |\n|---|---:|---:|---:|---:|---:|\n");
    for (name, st) in r.runs {
        s.push_str(&format!(
            "| {name} | {} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
            st.articles, st.wall_secs, st.parse_clean_secs, st.store_secs, st.commit_secs
        ));
    }
    s.push_str("\nHits of the first query of each kind (kb and FTS5 stem, the scan matches words exactly):\n\n| kind | query | kb | FTS5 | scan |\n|---|---|---:|---:|---:|\n");
    for (k, q, a, b, c) in r.counts {
        s.push_str(&format!("| {} | `{q}` | {a} | {b} | {c} |\n", k.label()));
    }
    s.push_str(&format!(
        "\nIndex on disk: kb {:.1} MB (tantivy directory), FTS5 {:.1} MB (database file).\n",
        r.kb_index_bytes as f64 / 1e6,
        r.fts_bytes as f64 / 1e6
    ));
    for n in &r.notes {
        s.push_str(&format!("\nNote: {n}\n"));
    }
    println!("{s}");
}
