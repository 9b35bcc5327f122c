//! `kb sync`: fetch, archive, parse, clean, upsert; one commit; validators saved after it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use kb_clean::Article;
use kb_fetch::{FetchJob, FetchOptions, FetchOutcome, Fetcher, RawFeed, Validators};
use kb_store::{FeedState, FeedStates, Kb, KbWriter, UpsertReport, WriteLock};
use serde::Serialize;

use super::Ctx;
use crate::Reported;
use crate::args::SyncArgs;
use crate::out::safe;
use crate::pipeline::to_articles;

/// Where a feed document comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A local file.
    File(PathBuf),
    /// An http(s) URL.
    Url(String),
}

impl Source {
    /// `http://` and `https://` are URLs; anything else is a path.
    pub fn from_arg(s: &str) -> Source {
        let lower = s.trim().to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Source::Url(s.trim().to_string())
        } else {
            Source::File(PathBuf::from(s))
        }
    }

    fn display(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Url(u) => u.clone(),
        }
    }
}

/// The fetch options the config asks for.
pub fn fetch_options(ctx: &Ctx) -> FetchOptions {
    let mut o = FetchOptions::default();
    let f = &ctx.config.fetch;
    if let Some(s) = f.connect_timeout_secs {
        o.connect_timeout = Duration::from_secs(s);
    }
    if let Some(s) = f.timeout_secs {
        o.total_timeout = Duration::from_secs(s);
    }
    if let Some(b) = f.max_body_bytes {
        o.max_body_bytes = b;
    }
    o
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Read one document from a file or a URL (used by `kb parse` and `kb sync --from`).
pub fn read_source(ctx: &Ctx, source: &Source) -> Result<RawFeed> {
    let opts = fetch_options(ctx);
    match source {
        Source::File(p) => Ok(kb_fetch::read_file(p, opts.max_body_bytes)?),
        Source::Url(u) => {
            let fetcher = Fetcher::new(opts)?;
            let outcome = runtime()?.block_on(fetcher.fetch(u, &Validators::default()))?;
            match outcome {
                FetchOutcome::Fetched(raw) => Ok(raw),
                // Unconditional requests can't get a 304, but a broken server might send one.
                FetchOutcome::NotModified { .. } => {
                    anyhow::bail!("{u} answered 304 Not Modified to an unconditional request")
                }
            }
        }
    }
}

struct Job {
    /// Config name; None for `--from` sources that are not in the config.
    name: Option<String>,
    source: Source,
    validators: Validators,
    timeout: Option<Duration>,
}

#[derive(Debug, Serialize)]
struct FeedSummary {
    name: String,
    source: String,
    /// ok, not-modified, failed, skipped
    status: &'static str,
    new: usize,
    updated: usize,
    unchanged: usize,
    warnings: usize,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct SyncJson<'a> {
    feeds: &'a [FeedSummary],
    new: usize,
    updated: usize,
    unchanged: usize,
    failed: usize,
    committed: bool,
}

fn plan(
    ctx: &Ctx,
    a: &SyncArgs,
    states: &FeedStates,
    notes: &mut Vec<FeedSummary>,
) -> Result<Vec<Job>> {
    if let Some(from) = &a.from {
        let source = Source::from_arg(from);
        // A source that is a configured feed (its url or its fixture) keeps the feed's name,
        // so `--from fixtures/x.xml` and `--offline` file articles under the same feed.
        let name = ctx.config.feeds.iter().find(|f| match &source {
            Source::Url(u) => f.url == *u,
            Source::File(p) => f
                .fixture
                .as_ref()
                .is_some_and(|fx| same_file(&ctx.config.resolve(fx), p)),
        });
        return Ok(vec![Job {
            name: name.map(|f| f.name.clone()),
            source,
            validators: Validators::default(),
            timeout: None,
        }]);
    }
    if ctx.config.feeds.is_empty() {
        anyhow::bail!(
            "no feeds to sync in {}: add a [[feed]] table with name and url, or use `kb sync --from PATH_OR_URL`",
            ctx.config.dir.join("kb.toml").display()
        );
    }
    let mut jobs = Vec::new();
    for f in &ctx.config.feeds {
        let state = states.feeds.get(&f.name).cloned().unwrap_or_default();
        if a.offline {
            match &f.fixture {
                Some(fx) => jobs.push(Job {
                    name: Some(f.name.clone()),
                    source: Source::File(ctx.config.resolve(fx)),
                    validators: Validators::default(),
                    timeout: None,
                }),
                None => notes.push(skipped(&f.name, &f.url, "no fixture for --offline")),
            }
            continue;
        }
        if state.dead {
            notes.push(skipped(
                &f.name,
                &f.url,
                "marked dead after 410 Gone; re-enable with `kb feed enable`",
            ));
            continue;
        }
        jobs.push(Job {
            name: Some(f.name.clone()),
            source: Source::Url(f.url.clone()),
            validators: Validators {
                etag: state.etag.clone(),
                last_modified: state.last_modified.clone(),
            },
            timeout: f.timeout_secs.map(Duration::from_secs),
        });
    }
    Ok(jobs)
}

fn skipped(name: &str, source: &str, why: &str) -> FeedSummary {
    FeedSummary {
        name: name.to_string(),
        source: source.to_string(),
        status: "skipped",
        new: 0,
        updated: 0,
        unchanged: 0,
        warnings: 0,
        error: Some(why.to_string()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Archive the raw document, then upsert its articles: the archive entry is durable before
/// the index commit that uses it, so `kb reindex` can always reproduce the index.
fn store(
    kb: &Kb,
    writer: &mut KbWriter,
    name: &str,
    raw: &RawFeed,
    articles: &[Article],
) -> Result<UpsertReport> {
    kb.archive()
        .put(
            name,
            raw.final_url.as_deref().unwrap_or(&raw.source),
            raw.content_type.as_deref(),
            &raw.bytes,
        )
        .context("cannot archive the feed document")?;
    let mut report = UpsertReport::default();
    for art in articles {
        report.add(writer.upsert(art)?);
    }
    Ok(report)
}

struct Progress {
    bar: Option<ProgressBar>,
    new: usize,
    updated: usize,
    failed: usize,
}

impl Progress {
    fn new(ctx: &Ctx, total: usize) -> Progress {
        use std::io::IsTerminal;
        let bar = (!ctx.out.quiet && std::io::stderr().is_terminal() && total > 1).then(|| {
            let b = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} feeds  {msg}") {
                b.set_style(style);
            }
            b
        });
        Progress {
            bar,
            new: 0,
            updated: 0,
            failed: 0,
        }
    }

    fn done(&mut self, s: &FeedSummary) {
        self.new += s.new;
        self.updated += s.updated;
        if s.status == "failed" {
            self.failed += 1;
        }
        if let Some(b) = &self.bar {
            b.inc(1);
            b.set_message(format!(
                "{} new, {} updated, {} failed",
                self.new, self.updated, self.failed
            ));
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

pub fn run(ctx: &Ctx, a: SyncArgs) -> Result<()> {
    let rules = Arc::new(ctx.rules()?);
    std::fs::create_dir_all(&ctx.index).with_context(|| {
        format!(
            "cannot create the knowledge base directory {}",
            ctx.index.display()
        )
    })?;
    let lock = WriteLock::acquire(&ctx.index, Duration::from_secs(a.wait))?;
    let kb = Kb::open_or_create(&ctx.index, &lock)?;
    let mut states = FeedStates::load(&ctx.index)?;
    let mut summaries = Vec::new();
    let jobs = plan(ctx, &a, &states, &mut summaries)?;
    let mut writer = kb.writer(&lock)?;
    let mut progress = Progress::new(ctx, jobs.len());
    // State changes wait for the commit: validators must never vouch for uncommitted articles.
    let mut pending: Vec<(String, FeedState)> = Vec::new();

    let (files, urls): (Vec<Job>, Vec<Job>) = jobs
        .into_iter()
        .partition(|j| matches!(j.source, Source::File(_)));
    for job in files {
        let Source::File(path) = &job.source else {
            continue;
        };
        let src = job.source.display();
        let result = kb_fetch::read_file(path, fetch_options(ctx).max_body_bytes)
            .map_err(anyhow::Error::from)
            .and_then(|raw| {
                let (feed, arts, name) =
                    to_articles(job.name.as_deref(), &raw.bytes, None, None, &rules)
                        .with_context(|| format!("cannot parse {src}"))?;
                let report = store(&kb, &mut writer, &name, &raw, &arts)?;
                Ok((name, report, feed.warnings.len()))
            });
        let s = summarize(job.name.as_deref(), &src, result);
        if let Some(n) = &job.name {
            let mut st = states.feeds.get(n).cloned().unwrap_or_default();
            st.last_fetched = Some(Utc::now());
            st.last_status = Some(if s.status == "failed" { 0 } else { 200 });
            st.last_error = s.error.clone();
            pending.push((n.clone(), st));
        }
        progress.done(&s);
        summaries.push(s);
    }

    if !urls.is_empty() {
        let rt = runtime()?;
        rt.block_on(async {
            let fetcher = Fetcher::new(fetch_options(ctx))?;
            let fetch_jobs = urls
                .iter()
                .map(|j| {
                    let Source::Url(u) = &j.source else {
                        unreachable_source()
                    };
                    FetchJob {
                        url: u.clone(),
                        validators: j.validators.clone(),
                        timeout: j.timeout,
                    }
                })
                .collect();
            let mut all = fetcher.fetch_all(fetch_jobs, kb_fetch::ConcurrencyLimits::default());
            while let Some((i, outcome)) = all.recv().await {
                let Some(job) = urls.get(i) else { continue };
                let src = job.source.display();
                if ctx.verbose > 0 {
                    ctx.note(&format!(
                        "fetched {src}: {}",
                        match &outcome {
                            Ok(FetchOutcome::Fetched(r)) =>
                                format!("{} ({} bytes)", r.status, r.bytes.len()),
                            Ok(FetchOutcome::NotModified { .. }) => "304 not modified".into(),
                            Err(e) => e.to_string(),
                        }
                    ));
                }
                let mut st = job
                    .name
                    .as_ref()
                    .and_then(|n| states.feeds.get(n).cloned())
                    .unwrap_or_default();
                st.last_fetched = Some(Utc::now());
                let s = match outcome {
                    Ok(FetchOutcome::NotModified { validators, .. }) => {
                        st.etag = validators.etag;
                        st.last_modified = validators.last_modified;
                        st.last_status = Some(304);
                        st.last_error = None;
                        FeedSummary {
                            name: job.name.clone().unwrap_or_else(|| src.clone()),
                            source: src.clone(),
                            status: "not-modified",
                            new: 0,
                            updated: 0,
                            unchanged: 0,
                            warnings: 0,
                            error: None,
                        }
                    }
                    Ok(FetchOutcome::Fetched(raw)) => {
                        let (rules, name) = (Arc::clone(&rules), job.name.clone());
                        let raw = Arc::new(raw);
                        let raw2 = Arc::clone(&raw);
                        // Parsing and cleaning are CPU work: keep them off the runtime's workers
                        // so other downloads keep flowing.
                        let parsed = tokio::task::spawn_blocking(move || {
                            to_articles(
                                name.as_deref(),
                                &raw2.bytes,
                                raw2.final_url.as_deref(),
                                raw2.content_type.as_deref(),
                                &rules,
                            )
                        })
                        .await;
                        let result = match parsed {
                            Ok(Ok((feed, arts, name))) => {
                                store(&kb, &mut writer, &name, &raw, &arts)
                                    .map(|r| (name, r, feed.warnings.len()))
                            }
                            Ok(Err(e)) => {
                                Err(anyhow::Error::from(e).context(format!("cannot parse {src}")))
                            }
                            Err(e) => Err(anyhow::anyhow!("parsing {src} failed: {e}")),
                        };
                        st.last_status = Some(raw.status);
                        if result.is_ok() {
                            st.etag = raw.validators.etag.clone();
                            st.last_modified = raw.validators.last_modified.clone();
                        }
                        let s = summarize(job.name.as_deref(), &src, result);
                        st.last_error = s.error.clone();
                        s
                    }
                    Err(e) => {
                        st.last_status = e.status().or(Some(0));
                        if matches!(e, kb_fetch::FetchError::Gone { .. }) {
                            st.dead = true;
                        }
                        let s = summarize(job.name.as_deref(), &src, Err(anyhow::Error::from(e)));
                        st.last_error = s.error.clone();
                        s
                    }
                };
                if let Some(n) = &job.name {
                    pending.push((n.clone(), st));
                }
                progress.done(&s);
                summaries.push(s);
            }
            anyhow::Ok(())
        })?;
    }
    progress.finish();

    let total = writer.commit().context("cannot commit the index")?;
    let committed = total.new + total.updated > 0;
    for (name, st) in pending {
        states.feeds.insert(name, st);
    }
    states.save(&ctx.index)?;
    drop(lock);

    let failed = summaries.iter().filter(|s| s.status == "failed").count();
    if a.json {
        ctx.out.json(&SyncJson {
            feeds: &summaries,
            new: total.new,
            updated: total.updated,
            unchanged: total.unchanged,
            failed,
            committed,
        })?;
    } else if !ctx.out.quiet {
        let mut out = String::new();
        for s in &summaries {
            let name = safe(&s.name, false);
            match s.status {
                "ok" => out.push_str(&format!(
                    "{name}: {} new, {} updated, {} unchanged{}\n",
                    s.new,
                    s.updated,
                    s.unchanged,
                    if s.warnings > 0 {
                        format!(" ({} warnings: see `kb parse`)", s.warnings)
                    } else {
                        String::new()
                    }
                )),
                "not-modified" => out.push_str(&format!("{name}: not modified\n")),
                _ => out.push_str(&format!(
                    "{name}: {}: {}\n",
                    s.status,
                    safe(s.error.as_deref().unwrap_or(""), false)
                )),
            }
        }
        out.push_str(&format!(
            "{} new, {} updated, {} unchanged{}; {} articles in {}\n",
            total.new,
            total.updated,
            total.unchanged,
            if failed > 0 {
                format!(", {failed} feeds failed")
            } else {
                String::new()
            },
            Kb::open(&ctx.index).map(|k| k.count()).unwrap_or(0),
            ctx.index.display()
        ));
        ctx.out.text(&out)?;
    }
    if failed > 0 {
        for s in summaries.iter().filter(|s| s.status == "failed") {
            eprintln!(
                "kb: error: {}: {}",
                safe(&s.name, false),
                safe(s.error.as_deref().unwrap_or(""), false)
            );
        }
        return Err(Reported.into());
    }
    Ok(())
}

fn unreachable_source() -> ! {
    // `urls` holds only URL jobs by construction (see the partition above).
    panic!("file job among URL jobs")
}

fn summarize(
    name: Option<&str>,
    src: &str,
    result: Result<(String, UpsertReport, usize)>,
) -> FeedSummary {
    match result {
        Ok((n, r, w)) => FeedSummary {
            name: n,
            source: src.to_string(),
            status: "ok",
            new: r.new,
            updated: r.updated,
            unchanged: r.unchanged,
            warnings: w,
            error: None,
        },
        Err(e) => FeedSummary {
            name: name.unwrap_or(src).to_string(),
            source: src.to_string(),
            status: "failed",
            new: 0,
            updated: 0,
            unchanged: 0,
            warnings: 0,
            error: Some(format!("{e:#}")),
        },
    }
}
