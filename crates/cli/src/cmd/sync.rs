//! `kb sync`: fetch, archive, parse, clean, upsert; one commit; validators saved after it.
//!
//! Over HTTP (issue 4): feeds are fetched concurrently (`[fetch] concurrency`,
//! `concurrency_per_host`), parsed and cleaned on blocking threads, and written by the one
//! index writer of this process. One failing feed never spoils the others: each gets its line
//! in the summary, what succeeded is committed, and the exit code is 1 if any failed. A 301 or
//! 308 moves the feed's `url` in kb.toml (edited in place), a 410 marks it dead, and
//! `--backfill` then walks each feed's older pages.
//!
//! A file or download holding the document its feed last stored is not parsed again, when
//! parsing it could change nothing ([`Known`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use kb_clean::{Article, Rules};
use kb_fetch::{
    ConcurrencyLimits, FetchError, FetchJob, FetchOptions, FetchOutcome, Fetcher, Limiter, RawFeed,
    Validators,
};
use kb_store::{
    Archive, FeedState, FeedStates, Kb, KbWriter, SeenDocument, StoreError, UpsertReport, WriteLock,
};
use serde::Serialize;
use tokio::task::JoinSet;

use super::Ctx;
use crate::Reported;
use crate::args::SyncArgs;
use crate::config::edit::ConfigFile;
use crate::out::{plural, safe};
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
    /// `http://` and `https://` are URLs, and `feed:` ones as http (`feed://host/x`); `-` is
    /// standard input, as Unix tools read it; anything else is a path, in any bytes.
    pub fn from_arg(arg: &std::ffi::OsStr) -> Source {
        match arg.to_str() {
            Some("-") => Source::File(PathBuf::from(STDIN)),
            Some(s)
                if ["http://", "https://", "feed:"].iter().any(|scheme| {
                    s.trim()
                        .get(..scheme.len())
                        .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
                }) =>
            {
                Source::Url(kb_fetch::from_feed_scheme(s.trim()).into_owned())
            }
            _ => Source::File(PathBuf::from(arg)),
        }
    }

    pub fn display(&self) -> String {
        match self {
            // What `-` stands for, named as the user knows it.
            Source::File(p) if p == Path::new(STDIN) => "standard input".to_string(),
            Source::File(p) => p.display().to_string(),
            Source::Url(u) => u.clone(),
        }
    }
}

/// The fetch options the config's `[fetch]` asks for.
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
    if let Some(r) = f.max_retries {
        o.max_retries = r;
    }
    o
}

/// The concurrency limits the config's `[fetch]` asks for.
fn limits(ctx: &Ctx) -> ConcurrencyLimits {
    let d = ConcurrencyLimits::default();
    let f = &ctx.config.fetch;
    ConcurrencyLimits {
        global: f.concurrency.unwrap_or(d.global),
        per_host: f.concurrency_per_host.unwrap_or(d.per_host),
    }
}

/// The async runtime for HTTP work.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
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
            let outcome = runtime()?.block_on(waiting(
                ctx,
                &fetcher,
                u,
                fetcher.fetch(u, &Validators::default()),
            ))?;
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

/// Where `-` is read from.
const STDIN: &str = "/dev/stdin";

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
    /// ok, not-modified, failed, skipped, archived (the index is damaged: stored in the archive
    /// only)
    status: &'static str,
    new: usize,
    updated: usize,
    unchanged: usize,
    warnings: usize,
    /// Older pages read by `--backfill`.
    backfill_pages: usize,
    /// Why a `--backfill` walk stopped before its archive's end (a page that was not a feed,
    /// a server error), if it did: a warning, not a failure of the feed.
    backfill_stopped: Option<String>,
    /// The walk was cut short by a signal (`backfill_stopped` says so): not warned about
    /// feed by feed, the sync's last line says it once.
    #[serde(skip)]
    walk_cut: bool,
    /// The feed's new URL after a permanent redirect (kb.toml is updated to it).
    moved_to: Option<String>,
    /// The other feed of kb.toml whose URL the redirect leads to: kb.toml is left as it is
    /// (two feeds of one URL would be fetched twice), and this feed is a duplicate to remove.
    moved_onto: Option<String>,
    /// Why kb.toml was not updated after the permanent redirect: the user changed the feed's
    /// url, or removed the feed, while the sync ran.
    moved_kept: Option<String>,
    error: Option<String>,
}

impl FeedSummary {
    fn new(name: String, source: String, status: &'static str) -> FeedSummary {
        FeedSummary {
            name,
            source,
            status,
            new: 0,
            updated: 0,
            unchanged: 0,
            warnings: 0,
            backfill_pages: 0,
            backfill_stopped: None,
            walk_cut: false,
            moved_to: None,
            moved_onto: None,
            moved_kept: None,
            error: None,
        }
    }

    fn add(&mut self, r: UpsertReport) {
        self.new += r.new;
        self.updated += r.updated;
        self.unchanged += r.unchanged;
    }

    fn fail(&mut self, error: String) {
        self.status = "failed";
        self.error = Some(error);
    }

    /// The feed's line in the text summary.
    fn line(&self) -> String {
        let name = safe(&self.name, false);
        let mut line = match self.status {
            "ok" => format!(
                "{name}: {} new, {} updated, {} unchanged",
                self.new, self.updated, self.unchanged
            ),
            "not-modified" => format!("{name}: not modified"),
            "archived" => format!(
                "{name}: archived only (the index is damaged; `kb reindex` adds its articles)"
            ),
            _ => format!(
                "{name}: {}: {}",
                self.status,
                safe(self.error.as_deref().unwrap_or(""), false)
            ),
        };
        if self.backfill_pages > 0 {
            line.push_str(&format!(
                "; backfill read {}",
                plural(self.backfill_pages, "older page")
            ));
        }
        if let Some(why) = &self.backfill_stopped {
            line.push_str(&format!("; {}", safe(why, false)));
        }
        if self.warnings > 0 {
            line.push_str(&format!(
                " ({}: see `kb parse`)",
                plural(self.warnings, "warning")
            ));
        }
        match (&self.moved_to, &self.moved_onto) {
            (Some(to), Some(other)) => line.push_str(&format!(
                " (moved permanently to {}, the URL of feed {}: kb.toml is unchanged; `kb feed rm {}` removes this duplicate)",
                safe(to, false),
                safe(other, false),
                safe(&self.name, false)
            )),
            (Some(to), None) => match &self.moved_kept {
                Some(why) => line.push_str(&format!(
                    " (moved permanently to {}; kb.toml not updated: {})",
                    safe(to, false),
                    safe(why, false)
                )),
                None => line.push_str(&format!(
                    " (moved permanently to {}; config updated)",
                    safe(to, false)
                )),
            },
            _ => {}
        }
        // A feed URL's password stays in kb.toml: cron mail and CI logs must not carry it.
        kb_fetch::redact_credentials(&line).into_owned()
    }
}

#[derive(Debug, Serialize)]
struct SyncJson<'a> {
    feeds: &'a [FeedSummary],
    new: usize,
    updated: usize,
    unchanged: usize,
    failed: usize,
    committed: bool,
    /// Stopped by SIGINT or SIGTERM: the feeds it did not fetch are listed as skipped.
    interrupted: bool,
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
            Source::Url(u) => kb_fetch::from_feed_scheme(&f.url) == u.as_str(),
            Source::File(p) => f
                .fixture
                .as_ref()
                .is_some_and(|fx| same_file(&ctx.config.resolve(fx), p)),
        });
        return Ok(vec![Job {
            name: name.map(|f| f.name.clone()),
            source,
            validators: Validators::default(),
            timeout: name.and_then(|f| f.timeout_secs).map(Duration::from_secs),
        }]);
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
        if state.dead_at(&f.url) {
            notes.push(skipped(
                &f.name,
                &f.url,
                &format!(
                    "marked dead after 410 Gone; re-enable with `kb feed enable {}`",
                    f.name
                ),
            ));
            continue;
        }
        // A backfill needs the first page's content (its prev-archive link, its articles as
        // the baseline), so it asks unconditionally.
        let validators = if a.backfill {
            Validators::default()
        } else {
            // With the URL that answered them (a temporary redirect's target, say): the fetcher
            // sends them only to it. Without one (an older kb's feeds.json) they are not trusted.
            match state.url.as_deref() {
                Some(url) => {
                    let (etag, last_modified) = state.validators_for(url);
                    Validators {
                        etag: etag.map(str::to_string),
                        last_modified: last_modified.map(str::to_string),
                        url: Some(url.to_string()),
                    }
                }
                None => Validators::default(),
            }
        };
        jobs.push(Job {
            name: Some(f.name.clone()),
            source: Source::Url(f.url.clone()),
            validators,
            timeout: f.timeout_secs.map(Duration::from_secs),
        });
    }
    Ok(jobs)
}

fn skipped(name: &str, source: &str, why: &str) -> FeedSummary {
    let mut s = FeedSummary::new(name.to_string(), source.to_string(), "skipped");
    s.error = Some(why.to_string());
    s
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// What a sync read from a feed's file: parsed (the document, its warnings, its articles and
/// the feed's name), or seen before: the document whose articles the index last committed
/// for the feed, archive object intact, read by this kb with these rules. Parsing that again
/// gives the same articles, and when the index still holds each as it gave them, all are
/// unchanged: it is not parsed. The writer is then not told which articles the document
/// carries, as for a feed that answered 304: it reads them from the archive log if it needs
/// them.
enum Read {
    Parsed(RawFeed, usize, Vec<Article>, String),
    Seen(RawFeed, SeenDocument),
}

/// What tells a document a sync stored before ([`SeenDocument`]) from one to parse.
struct Known {
    /// What reads documents into articles now: kb's version and a digest of the cleaning
    /// rules, which kb.toml may change between syncs.
    read_with: String,
    /// The session's archive, which answers `committed`; None without a writer: nothing is
    /// indexed then, so nothing may be taken as indexed either.
    archive: Option<Archive>,
    /// Feed name -> its last document, for those the index holds as committed
    /// ([`Archive::committed_last`]). Read from the log when a feed with a record first
    /// asks: a sync whose feeds all answer 304 reads no log.
    committed: std::sync::OnceLock<HashMap<String, String>>,
}

impl Known {
    fn new(ctx: &Ctx, archive: &Archive, indexed: bool) -> Known {
        let clean = &ctx.config.clean;
        let rules = serde_json::to_vec(&(&clean.rules, clean.max_input_bytes)).unwrap_or_default();
        Known {
            read_with: format!(
                "kb {} rules {}",
                env!("CARGO_PKG_VERSION"),
                &Archive::hash(&rules)[..16]
            ),
            archive: indexed.then(|| archive.clone()),
            committed: std::sync::OnceLock::new(),
        }
    }

    /// The document the feed `name` last stored, if the index holds it as committed and it
    /// was read as one from `url` (None for a file) served as `content_type` would be now, by
    /// this kb with these rules. Its bytes are yet to be compared ([`same_document`]).
    fn candidate(
        &self,
        states: &FeedStates,
        name: Option<&str>,
        url: Option<&str>,
        content_type: Option<&str>,
    ) -> Option<SeenDocument> {
        let name = name?;
        let seen = states.feeds.get(name)?.document.as_ref()?;
        if seen.read_with != self.read_with
            || seen.url.as_deref() != url
            || seen.content_type.as_deref() != content_type
        {
            return None;
        }
        let archive = self.archive.as_ref()?;
        let committed = self
            .committed
            .get_or_init(|| archive.committed_last().unwrap_or_default());
        (committed.get(name) == Some(&seen.sha256)).then(|| seen.clone())
    }

    /// The record of a document just stored with `articles` and `warnings` (its own, not the
    /// response's).
    fn record(
        &self,
        sha256: String,
        articles: &[Article],
        warnings: usize,
        raw: &RawFeed,
    ) -> SeenDocument {
        SeenDocument {
            sha256,
            ids: articles.iter().map(|a| a.id.clone()).collect(),
            hashes: SeenDocument::digest(articles.iter().map(|a| a.content_hash.as_str())),
            warnings,
            read_with: self.read_with.clone(),
            url: raw.final_url.clone(),
            content_type: raw.content_type.clone(),
        }
    }
}

/// Whether `bytes` are the document `seen`, and its archive object is intact: storing the
/// same bytes again is how a damaged one heals. Hashing and reading: not on the async workers.
fn same_document(seen: &SeenDocument, bytes: &[u8], archive: &Archive) -> bool {
    Archive::hash(bytes) == seen.sha256 && archive.intact(&seen.sha256)
}

/// Whether the index still holds each article of `seen` as the document gave it: another
/// feed's version of one may have been stored since, which the document's may now replace, so
/// it is parsed after all.
fn still_held(writer: Option<&KbWriter>, seen: &SeenDocument) -> bool {
    writer.is_some_and(|w| {
        SeenDocument::digest(seen.ids.iter().map(|id| w.held_hash(id).unwrap_or(""))) == seen.hashes
    })
}

/// Archive the raw document, then upsert its articles: the archive entry is durable before
/// the index commit that uses it, so `kb reindex` can always reproduce the index. Without a
/// writer (the index is damaged) the document is only archived. The writer hears which
/// articles the feed's latest document carries before their upserts, as a replay of the log
/// does (see `kb_store::next_version`).
fn store(
    archive: &Archive,
    writer: Option<&mut KbWriter>,
    name: &str,
    raw: &RawFeed,
    articles: &[Article],
) -> Result<(UpsertReport, String)> {
    let (entry, logged) = archive
        .put_logged(
            name,
            raw.final_url.as_deref().unwrap_or(&raw.source),
            raw.content_type.as_deref(),
            &raw.bytes,
        )
        .context("cannot archive the feed document")?;
    let report = match writer {
        Some(writer) => writer.upsert_document(name, articles)?,
        None => UpsertReport::default(),
    };
    // The feed's document as last logged, yet it changed articles now (the first-listed feed
    // dropped one it held): a replay meets it here too, or it would rebuild the older version.
    if !logged && report.new + report.updated > 0 {
        archive
            .log_again(&entry)
            .context("cannot archive the feed document")?;
    }
    Ok((report, entry.sha256))
}

/// Index what an earlier sync archived but did not commit (killed, or failed at its commit):
/// the archive log is replayed from the live index's mark, in order, as `kb reindex` would, so
/// articles that have left their feeds since are not left in the archive only. Said in one
/// note; the sync's totals count them once, and the line of the feed that carries them again
/// counts them as new or updated ([`KbWriter::carry_document`]).
fn catch_up(ctx: &Ctx, writer: &mut KbWriter, rules: &Rules) -> Result<()> {
    let archive = Archive::at(&ctx.index);
    let entries = match archive.unindexed() {
        Ok(entries) => entries,
        Err(e) => {
            ctx.note(&format!(
                "kb: warning: cannot tell what an earlier sync left unindexed ({e}); `kb doctor` checks, `kb reindex` indexes everything"
            ));
            return Ok(());
        }
    };
    if entries.is_empty() {
        return Ok(());
    }
    let mut documents = 0;
    let (mut new, mut updated) = (0, 0);
    for e in &entries {
        // An object lost or unparsable is `kb doctor`'s to report, as in a rebuild.
        let Ok(articles) = crate::pipeline::logged_articles(&archive, e, rules) else {
            continue;
        };
        // Counted in the sync's totals once, and in the line of the feed that carries them
        // again, as new or updated since the last sync that committed.
        let report = writer.carry_document(&e.feed, &articles)?;
        new += report.new;
        updated += report.updated;
        documents += 1;
    }
    if new + updated > 0 {
        ctx.note(&format!(
            "kb: indexed {} an earlier sync archived and did not commit (it was interrupted or failed): {new} new, {updated} updated",
            plural(documents, "document")
        ));
    }
    Ok(())
}

/// Reads the ids of a feed's latest logged document that this sync did not store: the last
/// one of the log that still parses, as a replay of the log would have it (one whose object is
/// lost or no longer parses is skipped by the replay too). The log is read once, up to where
/// the live index held it when the sync began: the catch-up replays what comes after in order,
/// telling the writer of each document as it goes, so a feed's later document must not answer
/// for it before its turn (a replay from the start would not have seen it yet either).
fn latest_logged(archive: Archive, rules: Arc<Rules>) -> kb_store::LatestLoader {
    let mut entries: Option<Vec<kb_store::ArchiveEntry>> = None;
    Box::new(move |feed: &str| {
        let entries = entries.get_or_insert_with(|| archive.indexed_entries().unwrap_or_default());
        entries
            .iter()
            .rev()
            .filter(|e| e.feed == feed)
            .find_map(|e| {
                let articles = crate::pipeline::logged_articles(&archive, e, &rules).ok()?;
                Some(articles.into_iter().map(|a| a.id).collect())
            })
            .unwrap_or_default()
    })
}

/// Feeds that arrived before an earlier-listed one are stored out of order once they hold this
/// many bytes of documents ([`Session::sync_urls`]).
const HOLD_BYTES: usize = 4 << 20;

/// ... or once one of them has waited this long.
const HOLD_WAIT: Duration = Duration::from_secs(1);

/// A feed's answer, waiting for its turn to be stored: a download with its parse under way, or
/// anything else (not modified, a failure).
enum Arrived {
    Fetched(Arc<RawFeed>, tokio::task::JoinHandle<Result<Doc>>),
    /// Boxed: an outcome is over 200 bytes, a download 16, and arrivals wait in a map.
    Other(Box<Result<FetchOutcome, FetchError>>),
}

/// A downloaded document, read: parsed and cleaned (the feed, its articles, the feed's name),
/// or the one the feed last stored ([`Known::candidate`]), not parsed again if the index
/// still holds its articles as it gave them ([`still_held`], asked in turn).
enum Doc {
    Parsed(kb_parse::ParsedFeed, Vec<Article>, String),
    Seen(SeenDocument),
}

/// [`parse_blocking`], unless the document is `candidate` ([`same_document`]).
async fn read_blocking(
    name: Option<String>,
    raw: Arc<RawFeed>,
    rules: Arc<Rules>,
    candidate: Option<(SeenDocument, Archive)>,
) -> Result<Doc> {
    if let Some((seen, archive)) = candidate {
        let doc = Arc::clone(&raw);
        let same = tokio::task::spawn_blocking(move || {
            same_document(&seen, &doc.bytes, &archive).then_some(seen)
        })
        .await;
        if let Ok(Some(seen)) = same {
            return Ok(Doc::Seen(seen));
        }
    }
    let (feed, articles, name) = parse_blocking(name, raw, rules).await?;
    Ok(Doc::Parsed(feed, articles, name))
}

/// Parse and clean off the async runtime's workers: it is CPU work, and other downloads should
/// keep flowing meanwhile.
async fn parse_blocking(
    name: Option<String>,
    raw: Arc<RawFeed>,
    rules: Arc<Rules>,
) -> Result<(kb_parse::ParsedFeed, Vec<Article>, String)> {
    let src = raw.final_url.clone().unwrap_or_else(|| raw.source.clone());
    let parsed = tokio::task::spawn_blocking(move || {
        to_articles(
            name.as_deref(),
            &raw.bytes,
            raw.final_url.as_deref(),
            raw.content_type.as_deref(),
            &rules,
        )
    })
    .await;
    match parsed {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(anyhow::Error::from(e).context(format!("cannot parse {src}"))),
        Err(e) => Err(anyhow::anyhow!("parsing {src} failed: {e}")),
    }
}

/// Progress on stderr: a bar on a terminal, else nothing there; per-feed lines on stdout as
/// each feed finishes when there is no bar (cron logs), all at the end when there is one.
struct Progress {
    bar: Option<ProgressBar>,
    /// Print each feed's line as it finishes.
    stream: bool,
    verbose: u8,
    new: usize,
    updated: usize,
    failed: usize,
    /// The first failed write to stdout. Printing is the least of a sync's work: a reader that
    /// went away (`kb sync | head -1`) or a full disk must not cost the fetched articles, so
    /// the sync goes on and commits, prints nothing more, and says so at the end.
    out_error: Option<anyhow::Error>,
    /// The feeds in kb.toml's order, where lines are printed.
    order: Vec<String>,
    /// Lines of feeds not fetched (dead, no fixture), each with its place in `order`: printed
    /// when the feeds before it are, not all first.
    noted: Vec<(usize, String)>,
}

impl Progress {
    fn new(ctx: &Ctx, total: usize, json: bool) -> Progress {
        use std::io::IsTerminal;
        let bar = (!ctx.out.quiet && std::io::stderr().is_terminal() && total > 1).then(|| {
            let b = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} feeds  {msg}  [{elapsed_precise}]",
            ) {
                b.set_style(style);
            }
            b
        });
        // kb-fetch's -v lines (retries, redirects) go above the bar too.
        crate::log::set_bar(bar.clone());
        Progress {
            stream: bar.is_none() && !ctx.out.quiet && !json,
            bar,
            verbose: ctx.verbose,
            new: 0,
            updated: 0,
            failed: 0,
            out_error: None,
            order: ctx.config.feeds.iter().map(|f| f.name.clone()).collect(),
            noted: Vec::new(),
        }
    }

    /// Where `name` stands in kb.toml (a feed it does not list: after all).
    fn place(&self, name: &str) -> usize {
        self.order
            .iter()
            .position(|n| n == name)
            .unwrap_or(usize::MAX)
    }

    /// Print the lines of feeds not fetched that kb.toml lists before `place`.
    fn print_noted_before(&mut self, place: usize) {
        while let Some(at) = self.noted.iter().position(|(p, _)| *p < place) {
            let (_, line) = self.noted.remove(at);
            self.print(&line);
        }
    }

    /// Print on stdout unless a write there failed already; a failure is kept for the end.
    fn print(&mut self, text: &str) {
        if self.out_error.is_none()
            && let Err(e) = crate::out::Out::new(false).text(text)
        {
            self.out_error = Some(e);
        }
    }

    /// A `-v` log line, on stderr, above the bar if there is one.
    fn log(&self, level: u8, msg: &str) {
        if self.verbose < level {
            return;
        }
        let msg = safe(&kb_fetch::redact_credentials(msg), false);
        match &self.bar {
            Some(b) => b.println(format!("kb: {msg}")),
            // Not eprintln!, which panics when stderr cannot be written: a log line must not
            // abort the sync either.
            None => {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "kb: {msg}");
            }
        }
    }

    /// A feed that is not fetched (dead, no fixture): its line, but no step of the bar.
    fn note(&mut self, s: &FeedSummary) {
        if self.stream {
            let place = self.place(&s.name);
            self.noted.push((place, s.line()));
            self.noted.sort_by_key(|(p, _)| *p);
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
        if self.stream {
            self.print_noted_before(self.place(&s.name));
            self.print(&s.line());
        }
    }

    fn finish(&mut self) {
        self.print_noted_before(usize::MAX);
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        crate::log::set_bar(None);
    }
}

/// A SIGINT or SIGTERM during a sync (Ctrl-C, `timeout`, a service stopping): the sync stops
/// taking feeds, commits the ones it has stored, and exits 130 or 143. Killed outright at the
/// first signal, it printed "10 new" for articles it never committed and left them for the
/// next full sync. A second signal ends it at once (which is as safe as any crash), saying so.
pub(crate) struct Interrupt(Arc<std::sync::atomic::AtomicUsize>);

impl Interrupt {
    /// `second`: what a second signal, which ends the process at once, leaves (said after
    /// "stopped at once").
    pub(crate) fn install(second: &'static str) -> Interrupt {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let signal = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let first = Arc::new(std::sync::Mutex::new(None));
        for sig in [SIGINT, SIGTERM] {
            // A signal the parent set to be ignored stays ignored (`kb sync &` from a script:
            // the shell ignores SIGINT for it, and a stray Ctrl-C must not stop it).
            if ignored_at_start(sig) {
                continue;
            }
            // Without handlers the signals keep their default action: the sync dies as before,
            // which loses nothing either.
            let _ = signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize);
            if !watch_for_second(sig, Arc::clone(&first), second) {
                // No thread to say it: a second signal still ends the sync at once, silently.
                let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let _ = signal_hook::flag::register_conditional_shutdown(
                    sig,
                    128 + sig,
                    Arc::clone(&armed),
                );
                let _ = signal_hook::flag::register(sig, armed);
            }
        }
        Interrupt(signal)
    }

    /// The signal that arrived, if one did.
    fn received(&self) -> Option<Interrupted> {
        self.signal().map(|sig| {
            Interrupted(
                sig,
                Stopped::Sync {
                    listed: 0,
                    walks_cut: 0,
                },
            )
        })
    }

    /// The signal that arrived, if one did.
    pub(crate) fn signal(&self) -> Option<i32> {
        match self.0.load(std::sync::atomic::Ordering::SeqCst) {
            0 => None,
            sig => Some(i32::try_from(sig).unwrap_or(signal_hook::consts::SIGTERM)),
        }
    }
}

/// A signal arriving again this soon after the first is the same one sent twice, not a second:
/// GNU `timeout` sends its signal to kb and then to kb's whole process group, and a service
/// manager may signal the process and its group alike; a person who means "stop now" presses
/// Ctrl-C again later than this.
const SAME_SIGNAL_WITHIN: Duration = Duration::from_millis(100);

/// Watches the arrivals of `sig` on a thread of its own (`first`: which signal came first and
/// when, shared with the other signal's watcher); at the second, says on stderr that the sync
/// stops at once, and exits 128 + `sig`. It used to exit in the signal handler, where nothing
/// can be printed safely: two quick signals ended the sync without a word. False when the
/// thread cannot be set up.
fn watch_for_second(
    sig: i32,
    first: Arc<std::sync::Mutex<Option<(i32, Instant)>>>,
    second: &'static str,
) -> bool {
    use std::io::{Read, Write};
    let Ok((mut read, write)) = std::os::unix::net::UnixStream::pair() else {
        return false;
    };
    // One byte written by the handler per signal delivered.
    if signal_hook::low_level::pipe::register(sig, write).is_err() {
        return false;
    }
    let spawned = std::thread::Builder::new()
        .name("kb-signals".into())
        .spawn(move || {
            let mut byte = [0u8; 1];
            loop {
                match read.read(&mut byte) {
                    Ok(0) => return,
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => return,
                }
                let now = Instant::now();
                let mut first = first.lock().unwrap_or_else(|e| e.into_inner());
                match *first {
                    None => {
                        *first = Some((sig, now));
                        continue;
                    }
                    Some((s, at)) if s == sig && now.duration_since(at) < SAME_SIGNAL_WITHIN => {
                        continue;
                    }
                    Some(_) => {}
                }
                let _ = writeln!(
                    std::io::stderr(),
                    "kb: interrupted by a second {}: stopped at once, {second}",
                    signal_name(sig)
                );
                signal_hook::low_level::exit(128 + sig);
            }
        });
    spawned.is_ok()
}

pub(crate) fn signal_name(sig: i32) -> &'static str {
    if sig == signal_hook::consts::SIGINT {
        "SIGINT"
    } else {
        "SIGTERM"
    }
}

/// Whether this process started with `sig` ignored, as Linux's /proc says (no unsafe code to
/// ask the kernel; elsewhere the answer is no, and the signal is caught as usual).
fn ignored_at_start(sig: i32) -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .zip(u32::try_from(sig - 1).ok())
        .is_some_and(|(mask, bit)| bit < 64 && mask & (1 << bit) != 0)
}

/// A command stopped at a signal, cleanly (what it leaves is in [`Stopped`]); `main` says
/// so in one line and exits 128 + the signal.
#[derive(Debug, Clone, Copy)]
pub struct Interrupted(pub i32, pub Stopped);

/// What a command stopped by a signal leaves.
#[derive(Debug, Clone, Copy)]
pub enum Stopped {
    /// A sync, after committing the feeds it had stored; `listed`: how many of their lines
    /// were printed (none when the signal came first, or with --quiet or --json).
    Sync { listed: usize, walks_cut: usize },
    /// A reindex, before its switch: the new index is removed, the old one stays live.
    Reindex,
    /// An export to a file, before its move into place: the partial copy is removed.
    Export,
}

/// What a second signal leaves of a sync: it ends without a commit.
pub(crate) const SYNC_SECOND_SIGNAL: &str = "without a commit; nothing is lost (every document fetched is archived first), the next sync stores it";

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sig = signal_name(self.0);
        match self.1 {
            Stopped::Sync { listed, walks_cut } => {
                let which = if listed == 0 {
                    "stored before it"
                } else {
                    "listed above"
                };
                write!(
                    f,
                    "interrupted by {sig}: the feeds {which} are committed, the others are synced next time"
                )?;
                if walks_cut > 0 {
                    write!(
                        f,
                        "; {walks_cut} archive {} cut short, the older pages read so far committed: a new `kb sync --backfill` does not go on from there",
                        if walks_cut == 1 {
                            "walk was"
                        } else {
                            "walks were"
                        }
                    )?;
                }
                Ok(())
            }
            Stopped::Reindex => write!(
                f,
                "interrupted by {sig}: the rebuild is stopped and its new index removed; nothing changed, the old index stays live"
            ),
            Stopped::Export => write!(
                f,
                "interrupted by {sig}: the export is stopped and its partial copy removed; the output file is as it was"
            ),
        }
    }
}

impl std::error::Error for Interrupted {}

impl Interrupted {
    fn listed(self, listed: usize, walks_cut: usize) -> Interrupted {
        Interrupted(self.0, Stopped::Sync { listed, walks_cut })
    }
}

/// What one sync holds while it runs: the single writer, and what waits for the commit.
struct Session<'a> {
    ctx: &'a Ctx,
    interrupt: Interrupt,
    archive: Archive,
    /// None when the index is damaged: the feeds' documents are then only archived.
    writer: Option<KbWriter>,
    rules: Arc<Rules>,
    states: FeedStates,
    summaries: Vec<FeedSummary>,
    /// State changes wait for the commit: validators must never vouch for uncommitted articles.
    pending: Vec<(String, FeedState)>,
    /// Permanent redirects to write into kb.toml: (feed name, url fetched, new url).
    moved: Vec<(String, String, String)>,
    progress: Progress,
    /// Articles of the documents not parsed again ([`Read::Seen`]): unchanged, but no upsert
    /// counted them.
    unread: usize,
    known: Known,
}

/// A `--backfill` walk through one feed's older pages.
struct Walk {
    /// Index of the feed's summary.
    summary: usize,
    /// Feed name the pages are filed under.
    name: String,
    /// The feed's URL, which WordPress page URLs are made from.
    feed_url: String,
    /// Follow RFC 5005 prev-archive links rather than WordPress `?paged=N`.
    archive: bool,
    /// Pages read so far (the feed itself is page 1).
    pages: u32,
    timeout: Option<Duration>,
    visited: HashSet<String>,
}

impl Walk {
    /// The URL of the next older page, if the walk goes on.
    fn next(&mut self, prev_archive: Option<&str>, max_pages: u32) -> Option<String> {
        if self.pages >= max_pages {
            return None;
        }
        let url = if self.archive {
            prev_archive?.to_string()
        } else {
            kb_fetch::wordpress_page_url(&self.feed_url, self.pages + 2)
        };
        // A prev-archive chain that loops back is a publisher's bug; stop rather than spin.
        self.visited.insert(url.clone()).then_some(url)
    }
}

type PageResult = (Walk, String, Result<FetchOutcome, FetchError>);

impl Session<'_> {
    /// Read the local files (`--offline`, `--from FILE`): read, parsed and cleaned on every
    /// core, stored one after the other in the order given. A feed's file that holds the same
    /// bytes as the document whose articles the index last committed for it, read by the same
    /// kb with the same rules, is not parsed again: its articles are as they were, as a 304
    /// says of a URL ([`Read::Seen`]).
    fn sync_files(&mut self, jobs: Vec<Job>) -> Result<()> {
        let max = fetch_options(self.ctx).max_body_bytes;
        let rules = &self.rules;
        let (archive, states, known) = (&self.archive, &self.states, &self.known);
        let parse = |job: &Job, raw: RawFeed| -> Result<Read> {
            let (feed, arts, name) =
                to_articles(job.name.as_deref(), &raw.bytes, None, None, rules)
                    .with_context(|| format!("cannot parse {}", job.source.display()))?;
            Ok(Read::Parsed(raw, feed.warnings.len(), arts, name))
        };
        let prepare = |job: &Job| {
            let Source::File(path) = &job.source else {
                return None;
            };
            Some(
                kb_fetch::read_file(path, max)
                    .map_err(anyhow::Error::from)
                    .and_then(|raw| {
                        match known.candidate(states, job.name.as_deref(), None, None) {
                            Some(seen) if same_document(&seen, &raw.bytes, archive) => {
                                Ok(Read::Seen(raw, seen))
                            }
                            _ => parse(job, raw),
                        }
                    }),
            )
        };
        let writer = &mut self.writer;
        let (pending, progress) = (&mut self.pending, &mut self.progress);
        let (summaries, unread) = (&mut self.summaries, &mut self.unread);
        let interrupt = &self.interrupt;
        crate::pipeline::map_in_order(&jobs, prepare, |job, prepared| -> Result<()> {
            if let Some(stop) = interrupt.received() {
                return Err(stop.into());
            }
            let Some(prepared) = prepared else {
                return Ok(());
            };
            let src = job.source.display();
            let prepared = prepared.and_then(|read| match read {
                Read::Seen(raw, seen) if !still_held(writer.as_ref(), &seen) => parse(job, raw),
                read => Ok(read),
            });
            match &prepared {
                Ok(Read::Parsed(raw, ..)) => progress.log(
                    1,
                    &format!("read {src}: {}", plural(raw.bytes.len(), "byte")),
                ),
                Ok(Read::Seen(_, seen)) => progress.log(
                    1,
                    &format!(
                        "read {src}: unchanged since the last sync ({}): not parsed again",
                        plural(seen.ids.len(), "article")
                    ),
                ),
                Err(_) => {}
            }
            let mut document = job
                .name
                .as_ref()
                .and_then(|n| states.feeds.get(n)?.document.clone());
            let result = prepared.and_then(|read| match read {
                Read::Parsed(raw, warnings, arts, name) => {
                    let (report, sha256) = store(archive, writer.as_mut(), &name, &raw, &arts)?;
                    if writer.is_some() {
                        document = Some(known.record(sha256, &arts, warnings, &raw));
                    }
                    Ok((name, report, warnings))
                }
                Read::Seen(_, seen) => {
                    let report = UpsertReport {
                        unchanged: seen.ids.len(),
                        ..UpsertReport::default()
                    };
                    *unread += seen.ids.len();
                    let name = job.name.clone().unwrap_or_default();
                    Ok((name, report, seen.warnings))
                }
            });
            let s = summarize(job.name.as_deref(), &src, result, writer.is_some());
            if let Some(n) = &job.name {
                let mut st = states.feeds.get(n).cloned().unwrap_or_default();
                st.last_fetched = Some(Utc::now());
                // A file has no HTTP status; `last_error` says whether it could be read.
                st.last_status = None;
                st.last_error = s.error.clone();
                st.document = document;
                pending.push((n.clone(), st));
            }
            progress.done(&s);
            summaries.push(s);
            Ok(())
        })
    }

    /// Fetch the URL jobs concurrently and ingest each as it arrives; then backfill.
    async fn sync_urls(&mut self, jobs: Vec<Job>, a: &SyncArgs) -> Result<()> {
        let fetcher = Fetcher::new(fetch_options(self.ctx))?;
        let limits = limits(self.ctx);
        // One set of permits for the feeds and their older pages: `concurrency_per_host` is
        // what a host is promised, whichever kind of request it gets.
        let limiter = Limiter::new(limits);
        // A host that asked an earlier sync to come back later than a sync waits is not asked
        // before then: its feeds are skipped, saying until when.
        for st in self.states.feeds.values() {
            if let (Some(until), Some(url)) = (st.wait_until, st.wait_url.as_deref()) {
                limiter.hold_until(url, until.into());
            }
        }
        let fetch_jobs = jobs
            .iter()
            .map(|j| {
                let url = j.source.display();
                if !j.validators.is_empty() {
                    let to = match j.validators.url.as_deref() {
                        Some(to) if !j.validators.applies_to(&url, &url) => {
                            format!(" (on the request to {to})")
                        }
                        _ => String::new(),
                    };
                    self.progress.log(
                        2,
                        &format!(
                            "GET {url} if-none-match={} if-modified-since={}{to}",
                            j.validators.etag.as_deref().unwrap_or("-"),
                            j.validators.last_modified.as_deref().unwrap_or("-")
                        ),
                    );
                }
                FetchJob {
                    url,
                    validators: j.validators.clone(),
                    timeout: j.timeout,
                }
            })
            .collect();
        let mut walks = VecDeque::new();
        let mut all = fetcher.fetch_all_limited(fetch_jobs, &limiter);
        // Feeds are parsed as they arrive (as many at once as there are cores) and stored in
        // the order kb.toml lists them: when two feeds carry the same articles, the first
        // listed keeps them, and storing in arrival order made the counts ("10 new" here, "10
        // updated" there) depend on which download finished first. The order is kept only
        // while it costs little: feeds waiting for an earlier one are stored anyway once they
        // hold HOLD_BYTES of documents or one has waited HOLD_WAIT, so a slow or stalled feed
        // listed first neither holds every other one's articles in memory nor delays them.
        let parsers = Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        ));
        // Each waiting answer with when it came and its document's size.
        let mut held: BTreeMap<usize, (Arrived, std::time::Instant, usize)> = BTreeMap::new();
        let mut held_bytes = 0usize;
        let mut done = vec![false; jobs.len()];
        let mut next = 0;
        let mut answered = true;
        loop {
            // A signal is looked for between answers, and at least every 100 ms while none come.
            let received = if answered {
                tokio::select! {
                    r = all.recv() => Some(r),
                    () = tokio::time::sleep(Duration::from_millis(100)) => None,
                }
            } else {
                Some(None)
            };
            let interrupted = self.interrupt.received().is_some();
            match received {
                Some(Some((i, outcome))) if !interrupted => {
                    let mut size = 0;
                    let arrived = match outcome {
                        Ok(FetchOutcome::Fetched(raw)) => {
                            size = raw.bytes.len();
                            held_bytes += size;
                            let raw = Arc::new(raw);
                            let name = jobs.get(i).and_then(|j| j.name.clone());
                            let (rules, parsers) = (Arc::clone(&self.rules), Arc::clone(&parsers));
                            let doc = Arc::clone(&raw);
                            // A walk through the archive starts from the feed's links, so a
                            // backfill parses the feed.
                            let candidate = (!a.backfill)
                                .then(|| {
                                    self.known.candidate(
                                        &self.states,
                                        name.as_deref(),
                                        raw.final_url.as_deref(),
                                        raw.content_type.as_deref(),
                                    )
                                })
                                .flatten()
                                .map(|seen| (seen, self.archive.clone()));
                            let parsing = tokio::spawn(async move {
                                let _permit = parsers.acquire_owned().await;
                                read_blocking(name, doc, rules, candidate).await
                            });
                            Arrived::Fetched(raw, parsing)
                        }
                        other => Arrived::Other(Box::new(other)),
                    };
                    held.insert(i, (arrived, std::time::Instant::now(), size));
                }
                // Every download has answered.
                Some(None) => answered = false,
                _ => {}
            }
            while let Some((arrived, _, size)) = held.remove(&next) {
                held_bytes -= size;
                self.ingest(&jobs, next, arrived, a, &mut walks).await;
                done[next] = true;
                while done.get(next) == Some(&true) {
                    next += 1;
                }
            }
            // What has to go now: everything held, once every download has answered or a
            // signal came (its feeds are committed, in order; the ones still out are not), or
            // once waiting costs too much.
            let overdue = held
                .values()
                .any(|(_, since, _)| since.elapsed() >= HOLD_WAIT);
            if !answered || interrupted || held_bytes >= HOLD_BYTES || overdue {
                while let Some((i, (arrived, _, _))) = held.pop_first() {
                    self.ingest(&jobs, i, arrived, a, &mut walks).await;
                    done[i] = true;
                }
                held_bytes = 0;
                while done.get(next) == Some(&true) {
                    next += 1;
                }
            }
            if interrupted || (!answered && held.is_empty()) {
                break;
            }
        }
        if let Some(sig) = self.interrupt.signal() {
            self.cut_walks(sig, walks.iter().map(|(w, _)| w.summary).collect());
            return Ok(());
        }
        self.backfill(&fetcher, &limiter, walks, limits.global.max(1), a.max_pages)
            .await
    }

    /// Store one feed's download (or record its failure), with its state and summary line.
    async fn ingest(
        &mut self,
        jobs: &[Job],
        i: usize,
        arrived: Arrived,
        a: &SyncArgs,
        walks: &mut VecDeque<(Walk, String)>,
    ) {
        {
            let Some(job) = jobs.get(i) else { return };
            let outcome = match arrived {
                Arrived::Fetched(raw, parsing) => Ok((raw, parsing)),
                Arrived::Other(other) => match *other {
                    Ok(FetchOutcome::Fetched(_)) => return,
                    Ok(o) => Err(Ok(o)),
                    Err(e) => Err(Err(e)),
                },
            };
            let src = job.source.display();
            self.progress.log(
                1,
                &format!(
                    "GET {src}: {}",
                    match &outcome {
                        Ok((raw, _)) => describe_fetched(raw),
                        Err(o) => describe(o),
                    }
                ),
            );
            let mut st = job
                .name
                .as_ref()
                .and_then(|n| self.states.feeds.get(n).cloned())
                .unwrap_or_default();
            // What the feed's host asked for when it answered 429 or 503 with a wait longer than
            // a sync makes, or still asks from an earlier sync: kept for the next syncs.
            let wait = match &outcome {
                Err(Err(e)) => e.host_wait().map(|(url, until)| (url.to_string(), until)),
                _ => None,
            };
            st.wait_until = wait.as_ref().map(|(_, until)| (*until).into());
            st.wait_url = wait.map(|(url, _)| url);
            if let Err(Err(e @ FetchError::HostWaiting { .. })) = outcome {
                // Not asked: the state of its last request stays as it was.
                let s = skipped(job.name.as_deref().unwrap_or(&src), &src, &e.to_string());
                if let Some(n) = &job.name {
                    self.pending.push((n.clone(), st));
                }
                self.progress.done(&s);
                self.summaries.push(s);
                return;
            }
            st.last_fetched = Some(Utc::now());
            let mut moved_to = None;
            let mut walk = None;
            let mut s = match outcome {
                // No validators were sent, so the 304 vouches for nothing: taken as success it
                // would hold the feed at no articles on every sync, silently.
                Err(Ok(FetchOutcome::NotModified { ref final_url, .. }))
                    if !job.validators.applies_to(&src, final_url) =>
                {
                    st.last_status = Some(304);
                    let mut s = FeedSummary::new(
                        job.name.clone().unwrap_or_else(|| src.clone()),
                        src.clone(),
                        "ok",
                    );
                    s.fail(format!(
                        "{src} answered 304 Not Modified to a request without validators (kb sent no ETag or date to compare), so it sends no feed: the server is misconfigured; tell its owner, or use another URL for the feed"
                    ));
                    st.last_error = s.error.clone();
                    s
                }
                Err(Ok(FetchOutcome::NotModified {
                    validators,
                    permanent_redirect,
                    ..
                })) => {
                    st.clear_dead();
                    // A 304 at the new address: it serves the feed kb holds.
                    moved_to = permanent_redirect;
                    // Filed under the URL that answered: after a temporary redirect, not the
                    // feed's own, which may redirect elsewhere next time.
                    st.set_validators(
                        validators
                            .url
                            .as_deref()
                            .or(moved_to.as_deref())
                            .unwrap_or(&src),
                        validators.etag,
                        validators.last_modified,
                    );
                    st.last_status = Some(304);
                    st.last_error = None;
                    FeedSummary::new(
                        job.name.clone().unwrap_or_else(|| src.clone()),
                        src.clone(),
                        "not-modified",
                    )
                }
                Ok((raw, parsing)) => {
                    st.clear_dead();
                    // The new address replaces the old one in kb.toml only once it proved to
                    // serve a feed (below): a site migration that sends every old URL to its
                    // home page must not lose the feed's address.
                    let redirect = raw.permanent_redirect.clone();
                    let parsed = match parsing.await {
                        Ok(Ok(Doc::Seen(seen))) if !still_held(self.writer.as_ref(), &seen) => {
                            parse_blocking(
                                job.name.clone(),
                                Arc::clone(&raw),
                                Arc::clone(&self.rules),
                            )
                            .await
                            .map(|(feed, arts, name)| Doc::Parsed(feed, arts, name))
                        }
                        Ok(parsed) => parsed,
                        Err(e) => Err(anyhow::anyhow!("parsing {src} failed: {e}")),
                    };
                    let result = match parsed {
                        Ok(Doc::Seen(seen)) => {
                            self.progress.log(
                                1,
                                &format!(
                                    "{src}: unchanged since the last sync ({}): not parsed again",
                                    plural(seen.ids.len(), "article")
                                ),
                            );
                            self.unread += seen.ids.len();
                            let report = UpsertReport {
                                unchanged: seen.ids.len(),
                                ..UpsertReport::default()
                            };
                            let name = job.name.clone().unwrap_or_else(|| src.clone());
                            Ok((name, report, seen.warnings + raw.warnings.len()))
                        }
                        Ok(Doc::Parsed(feed, arts, name)) => {
                            let stored =
                                store(&self.archive, self.writer.as_mut(), &name, &raw, &arts);
                            if let (Ok((_, sha256)), Some(_)) = (&stored, &self.writer) {
                                st.document = Some(self.known.record(
                                    sha256.clone(),
                                    &arts,
                                    feed.warnings.len(),
                                    &raw,
                                ));
                            }
                            if stored.is_ok() && a.backfill {
                                let mut w = Walk {
                                    summary: 0,
                                    name: name.clone(),
                                    feed_url: redirect.clone().unwrap_or_else(|| src.clone()),
                                    archive: feed.prev_archive.is_some(),
                                    pages: 0,
                                    timeout: job.timeout,
                                    visited: HashSet::from([src.clone()]),
                                };
                                let next = w.next(feed.prev_archive.as_deref(), a.max_pages);
                                walk = Some((next, w));
                            }
                            // The response's own warnings (a lying Content-Encoding) count too.
                            stored.map(|(r, _)| (name, r, feed.warnings.len() + raw.warnings.len()))
                        }
                        Err(e) => Err(match page_hint(job.name.as_deref(), &src, &raw) {
                            // The hint says the cause too ("is a web page"), and the fix.
                            Some(hint) => anyhow::anyhow!(hint),
                            None => e,
                        }),
                    };
                    st.last_status = Some(raw.status);
                    if result.is_ok() {
                        moved_to = redirect;
                        st.set_validators(
                            raw.validators
                                .url
                                .as_deref()
                                .or(moved_to.as_deref())
                                .unwrap_or(&src),
                            raw.validators.etag.clone(),
                            raw.validators.last_modified.clone(),
                        );
                    }
                    let s = summarize(job.name.as_deref(), &src, result, self.writer.is_some());
                    st.last_error = s.error.clone();
                    s
                }
                // Only a download is parsed; any other outcome arrived as such.
                Err(Ok(_)) => return,
                Err(Err(e)) => {
                    st.last_status = e.status().or(Some(0));
                    // A 410 from the feed's own URL (or where 301s led): a 410 behind a 302
                    // is the redirect target's, and the feed just fails this time.
                    let error = if e.is_gone() {
                        st.mark_dead(&src);
                        anyhow::anyhow!(
                            "{e}: the feed is marked dead, and later syncs skip it until `kb feed enable {}`",
                            job.name.as_deref().unwrap_or("NAME")
                        )
                    } else {
                        anyhow::Error::from(e)
                    };
                    let s = summarize(job.name.as_deref(), &src, Err(error), self.writer.is_some());
                    st.last_error = s.error.clone();
                    s
                }
            };
            if let (Some(n), Some(to)) = (&job.name, &moved_to) {
                // Rewritten onto another feed's URL, kb.toml would list one feed twice (a blog
                // subscribed at its http and its https address, the old one now a 301). So
                // would a second feed moved in this sync to where another was moved already
                // (a blog's two old addresses, both now a 301 to its new one).
                let same = |url: &str| crate::config::edit::same_url(url, to);
                let onto = self
                    .ctx
                    .config
                    .feeds
                    .iter()
                    .find(|f| &f.name != n && same(&f.url))
                    .map(|f| &f.name)
                    .or_else(|| {
                        self.moved
                            .iter()
                            .find(|(other, _, url)| other != n && same(url))
                            .map(|(other, _, _)| other)
                    });
                match onto {
                    Some(other) => s.moved_onto = Some(other.clone()),
                    // The file as it is now, not as the sync read it: a url the user edited
                    // meanwhile (or a feed removed) is not rewritten, and the line says so.
                    // Checked again when the file is written, after the commit.
                    None => match why_not_moved(self.ctx, n, &src) {
                        Some(why) => s.moved_kept = Some(why),
                        None => self.moved.push((n.clone(), src.clone(), to.clone())),
                    },
                }
                s.moved_to = Some(to.clone());
            }
            if let Some(n) = &job.name {
                self.pending.push((n.clone(), st));
            }
            match walk {
                Some((Some(url), mut w)) => {
                    // The feed's line waits until its walk is over.
                    w.summary = self.summaries.len();
                    walks.push_back((w, url));
                }
                _ => self.progress.done(&s),
            }
            self.summaries.push(s);
        }
    }

    /// Walk the older pages of each feed, one page at a time per feed and up to `global` feeds
    /// at once; every page goes through the same archive + upsert as the feed itself. A walk
    /// ends at a 404, an empty page, a page with nothing new, the last prev-archive link, or
    /// `max_pages`; and, with a warning but no failure, at any other page it cannot read.
    async fn backfill(
        &mut self,
        fetcher: &Fetcher,
        limiter: &Limiter,
        mut queue: VecDeque<(Walk, String)>,
        global: usize,
        max_pages: u32,
    ) -> Result<()> {
        // The walks not over yet, by their summaries: a signal cuts them short.
        let mut open: BTreeSet<usize> = queue.iter().map(|(w, _)| w.summary).collect();
        if let Some(sig) = self.interrupt.signal() {
            self.cut_walks(sig, open);
            return Ok(());
        }
        let mut running: JoinSet<PageResult> = JoinSet::new();
        let spawn = |running: &mut JoinSet<PageResult>, walk: Walk, url: String| {
            let (fetcher, limiter) = (fetcher.clone(), limiter.clone());
            running.spawn(async move {
                let timeout = walk.timeout.unwrap_or(fetcher.options().total_timeout);
                let result = fetcher
                    .fetch_limited(&url, &Validators::default(), timeout, &limiter)
                    .await;
                (walk, url, result)
            });
        };
        while running.len() < global {
            let Some((w, url)) = queue.pop_front() else {
                break;
            };
            spawn(&mut running, w, url);
        }
        while let Some(joined) = running.join_next().await {
            if let Some(sig) = self.interrupt.signal() {
                self.cut_walks(sig, open);
                return Ok(());
            }
            let (mut walk, url, result) = joined.context("a backfill task died")?;
            self.progress
                .log(1, &format!("GET {url}: {}", describe(&result)));
            let page = walk.pages + 2;
            let next = match result {
                // WordPress answers 404 past its last page: the normal end of the walk.
                Err(FetchError::NotFound { .. }) if !walk.archive => None,
                // Any other answer past the pages read is the walk's end too (a site that sends
                // its home page, a server error, a broken prev-archive link): the pages before
                // it were read and stored, so the feed did not fail; the user hears why the
                // walk stopped where it did.
                Err(e) => {
                    self.stop_walk(
                        &walk,
                        format!("backfill stopped at page {page} ({url}): {e}"),
                    );
                    None
                }
                Ok(FetchOutcome::NotModified { .. }) => None,
                Ok(FetchOutcome::Fetched(raw)) => {
                    let raw = Arc::new(raw);
                    let parsed = parse_blocking(
                        Some(walk.name.clone()),
                        Arc::clone(&raw),
                        Arc::clone(&self.rules),
                    )
                    .await;
                    match parsed {
                        Err(e) => {
                            self.stop_walk(
                                &walk,
                                format!("backfill stopped at page {page}: {e:#}"),
                            );
                            None
                        }
                        Ok((feed, _, _)) if feed.items.is_empty() => None,
                        Ok((feed, arts, _)) => {
                            match store(
                                &self.archive,
                                self.writer.as_mut(),
                                &walk.name,
                                &raw,
                                &arts,
                            ) {
                                Err(e) => {
                                    self.fail_walk(&walk, format!("backfill page {page}: {e:#}"));
                                    None
                                }
                                Ok((report, _)) => {
                                    walk.pages += 1;
                                    if let Some(s) = self.summaries.get_mut(walk.summary) {
                                        s.add(report);
                                        s.backfill_pages += 1;
                                    }
                                    // Nothing new: the rest of the archive was read before.
                                    if report.new == 0 {
                                        None
                                    } else {
                                        walk.next(feed.prev_archive.as_deref(), max_pages)
                                    }
                                }
                            }
                        }
                    }
                }
            };
            match next {
                Some(url) => spawn(&mut running, walk, url),
                None => {
                    open.remove(&walk.summary);
                    if let Some(s) = self.summaries.get(walk.summary) {
                        self.progress.done(s);
                    }
                    if let Some((w, url)) = queue.pop_front() {
                        spawn(&mut running, w, url);
                    }
                }
            }
        }
        Ok(())
    }

    /// Walks a signal cut short (by their summaries): each feed's line, held back until its
    /// walk was over, says so and is printed now; the feeds' pages read so far are committed.
    /// A SIGTERM printed no line for them, and `--json` said `"backfill_stopped": null`.
    fn cut_walks(&mut self, sig: i32, open: BTreeSet<usize>) {
        for i in open {
            if let Some(s) = self.summaries.get_mut(i) {
                s.backfill_stopped = Some(format!(
                    "backfill interrupted by {} after {}; a new `kb sync --backfill` does not go on from there (a walk stops at the first older page it already has)",
                    signal_name(sig),
                    plural(s.backfill_pages, "older page")
                ));
                s.walk_cut = true;
                self.progress.done(s);
            }
        }
    }

    /// A walk that ended before its archive did: noted on the feed's line, not a failure.
    fn stop_walk(&mut self, walk: &Walk, why: String) {
        if let Some(s) = self.summaries.get_mut(walk.summary) {
            s.backfill_stopped = Some(why);
        }
    }

    /// A page that was read but could not be stored (the archive or the index could not be
    /// written): that fails the feed.
    fn fail_walk(&mut self, walk: &Walk, error: String) {
        if let Some(s) = self.summaries.get_mut(walk.summary) {
            s.fail(error.clone());
        }
        if let Some((_, st)) = self.pending.iter_mut().rev().find(|(n, _)| *n == walk.name) {
            st.last_error = Some(error);
        }
    }
}

/// When a feed's URL serves a web page: what to do about it, naming the feed the page
/// announces if it does (the choice `kb feed add` would make). The URL is not switched: the
/// user chose it, and a page can link to a feed other than the one they meant.
fn page_hint(name: Option<&str>, src: &str, raw: &RawFeed) -> Option<String> {
    if !kb_fetch::looks_like_html(raw) {
        return None;
    }
    let page = raw.final_url.as_deref().unwrap_or(src);
    let links = kb_fetch::discover_feed_links(&String::from_utf8_lossy(&raw.bytes), page);
    let name = name.unwrap_or("NAME");
    // The page that answered, and how the feed's url led there: "<the feed's url> is a web
    // page" was said of a url that answered 301, and the page served was not named.
    let via = redirected(src, raw);
    let src = if via.is_empty() {
        src.to_string()
    } else {
        format!("{page}{via}")
    };
    Some(match links.first() {
        Some(best) => {
            let others = if links.len() > 1 {
                format!(" (it announces {} feeds)", links.len())
            } else {
                String::new()
            };
            format!(
                "{src} is a web page, not a feed; it announces the feed {}{others}: use that URL (`kb feed rm {name} && kb feed add {}`, or edit the url in kb.toml)",
                best.url, best.url
            )
        }
        None => {
            format!("{src} is a web page that announces no feed: set the feed's own URL in kb.toml")
        }
    })
}

/// ", reached by a permanent redirect from SRC," when `raw` came from another URL than `src`,
/// the one asked for; else nothing.
pub fn redirected(src: &str, raw: &RawFeed) -> String {
    match raw.final_url.as_deref() {
        Some(page) if !crate::config::edit::same_url(page, src) => {
            let via = kb_fetch::Redirected {
                from: src.to_string(),
                permanent: raw.permanent_redirect.is_some(),
            };
            format!("{via},")
        }
        _ => String::new(),
    }
}

/// How long an interactive command (`kb feed add`, `kb parse`) waits for an answer before it
/// says on stderr what it waits for.
const WAIT_NOTE: Duration = Duration::from_secs(3);

/// `fetch` of `url`, saying on stderr, once it has taken `WAIT_NOTE`, what it waits for and
/// which setting bounds the wait: an interactive command silent for a minute looks hung.
pub async fn waiting<T>(
    ctx: &Ctx,
    fetcher: &Fetcher,
    url: &str,
    fetch: impl std::future::Future<Output = T>,
) -> T {
    let mut fetch = std::pin::pin!(fetch);
    tokio::select! {
        done = &mut fetch => return done,
        () = tokio::time::sleep(WAIT_NOTE) => {}
    }
    ctx.note(&safe(
        &kb_fetch::redact_credentials(&format!(
            "kb: waiting for {url} (up to {} s an attempt, {}: timeout_secs and max_retries in kb.toml [fetch]; -v shows each)",
            fetcher.options().total_timeout.as_secs_f64(),
            attempts(fetcher.options())
        )),
        false,
    ));
    fetch.await
}

/// How many attempts a fetch makes at most, as the waiting note says it: a host that never
/// answers is given up on sooner (`host_silence_limit`; 0 never gives up).
fn attempts(o: &kb_fetch::FetchOptions) -> String {
    let most = o.max_retries + 1;
    match o.host_silence_limit {
        silent if silent > 0 && silent < most => {
            format!("{most} attempts at most, {silent} if the host never answers")
        }
        _ => format!("{} at most", plural(most as usize, "attempt")),
    }
}

/// One line for `-v`: what a request came back with.
fn describe(outcome: &Result<FetchOutcome, FetchError>) -> String {
    match outcome {
        Ok(FetchOutcome::Fetched(r)) => describe_fetched(r),
        Ok(FetchOutcome::NotModified { .. }) => "304 not modified".into(),
        Err(e) => e.to_string(),
    }
}

/// A download as `-v` logs it.
fn describe_fetched(r: &RawFeed) -> String {
    let moved = r
        .permanent_redirect
        .as_deref()
        .map(|u| format!(", moved permanently to {u}"))
        .unwrap_or_default();
    format!(
        "{} ({} bytes, {}){moved}",
        r.status,
        r.bytes.len(),
        r.content_type.as_deref().unwrap_or("no content-type")
    )
}

/// A KB written by an older kb (an older index format) gets its index rebuilt from the archive
/// first. Refusing instead, as the reading commands do, would leave a sync from cron failing
/// until someone runs `kb reindex`, and feeds would drop articles nobody archived meanwhile.
fn upgrade_if_older(ctx: &Ctx, wait: u64) -> Result<()> {
    if let Err(kb_store::StoreError::SchemaMismatch {
        found, expected, ..
    }) = Kb::open(&ctx.index)
        && found < expected
    {
        ctx.note(&format!(
            "kb: {} has index format {found}, this kb writes format {expected}: rebuilding the index from the archive first",
            ctx.index.display()
        ));
        super::reindex::rebuild(ctx, wait, super::reindex::Report::None, None)
            .context("cannot upgrade the knowledge base (`kb reindex` says more)")?;
    }
    Ok(())
}

/// Refuse a sync with nothing to sync before anything is created: a failed first sync must not
/// leave an empty knowledge base behind.
fn check_something_to_sync(ctx: &Ctx, a: &SyncArgs) -> Result<()> {
    if a.from.is_some() || !ctx.config.feeds.is_empty() {
        return Ok(());
    }
    let path = ctx.config.path.display();
    if ctx.config.exists {
        anyhow::bail!(
            "no feeds to sync in {path}: add one with `kb feed add URL`, or use `kb sync --from PATH_OR_URL`"
        );
    }
    anyhow::bail!(
        "no feeds to sync: the config file {path} does not exist (`kb feed add URL` creates it), or use `kb sync --from PATH_OR_URL`"
    );
}

pub fn run(ctx: &Ctx, a: SyncArgs) -> Result<()> {
    check_something_to_sync(ctx, &a)?;
    let rules = Arc::new(ctx.rules()?);
    std::fs::create_dir_all(&ctx.index).with_context(|| {
        format!(
            "cannot create the knowledge base directory {}",
            ctx.index.display()
        )
    })?;
    upgrade_if_older(ctx, a.wait)?;
    let lock = WriteLock::acquire(&ctx.index, Duration::from_secs(a.wait))?;
    let (mut writer, damaged) = open_writer(&ctx.index, &lock)?;
    if let Some(w) = writer.as_mut() {
        w.set_feed_precedence(ctx.config.feed_precedence());
        w.set_latest_loader(latest_logged(Archive::at(&ctx.index), Arc::clone(&rules)));
        catch_up(ctx, w, &rules)?;
        if let Err(e) = Archive::at(&ctx.index).mark_if_new(&lock) {
            ctx.note(&format!("kb: warning: {e}"));
        }
    }
    // feeds.json only caches validators and feed status: a damaged one must not stop a sync
    // from cron archiving, or articles that leave the feeds meanwhile are lost. Set aside as
    // `kb reindex` does, it costs one unconditional download per feed.
    if let Some(p) = FeedStates::set_aside_if_damaged(&ctx.index)? {
        ctx.note(&format!(
            "kb: warning: feeds.json was unreadable and is set aside as {}; every feed is downloaded in full this time",
            p.display()
        ));
    }
    let states = FeedStates::load(&ctx.index)?;
    let mut notes = Vec::new();
    let jobs = plan(ctx, &a, &states, &mut notes)?;
    // (name, source) of each feed to fetch: those an interrupted sync did not get to are
    // listed in its JSON.
    let planned: Vec<(Option<String>, String)> = jobs
        .iter()
        .map(|j| (j.name.clone(), j.source.display()))
        .collect();
    let mut progress = Progress::new(ctx, jobs.len(), a.json);
    for n in &notes {
        progress.note(n);
    }
    // One archive for the session: it reads the log once for all it is asked.
    let archive = Archive::at(&ctx.index);
    let known = Known::new(ctx, &archive, writer.is_some());
    let mut session = Session {
        ctx,
        interrupt: Interrupt::install(SYNC_SECOND_SIGNAL),
        archive,
        writer,
        rules,
        states,
        summaries: notes,
        pending: Vec::new(),
        moved: Vec::new(),
        progress,
        unread: 0,
        known,
    };

    let (files, urls): (Vec<Job>, Vec<Job>) = jobs
        .into_iter()
        .partition(|j| matches!(j.source, Source::File(_)));
    match session.sync_files(files) {
        Err(e) if e.is::<Interrupted>() => {}
        other => other?,
    }
    if !urls.is_empty() && session.interrupt.received().is_none() {
        runtime()?.block_on(session.sync_urls(urls, &a))?;
    }
    let interrupted = session.interrupt.received();
    session.progress.finish();

    let Session {
        writer,
        mut states,
        mut summaries,
        pending,
        moved,
        progress,
        unread,
        ..
    } = session;
    // A script reading only the JSON must not take an interrupted sync for a clean one.
    if let (Some(stop), true) = (interrupted, a.json) {
        for (name, src) in planned {
            let done = summaries
                .iter()
                .any(|s| s.source == src && name.as_ref().is_none_or(|n| *n == s.name));
            if !done {
                summaries.push(skipped(
                    name.as_deref().unwrap_or(&src),
                    &src,
                    &format!(
                        "not fetched: the sync was interrupted by {}; the next sync fetches it",
                        signal_name(stop.0)
                    ),
                ));
            }
        }
    }
    // In kb.toml's order, as the lines are printed (a slow feed's, stored late, and the
    // unfetched ones, dead or left by a signal, take their places among them, not the end).
    summaries.sort_by_key(|s| progress.place(&s.name));
    let Some(writer) = writer else {
        let reported = report(
            ctx,
            &a,
            &summaries,
            UpsertReport::default(),
            progress,
            damaged,
            interrupted.is_some(),
        );
        return match interrupted {
            Some(stop) => Err(stopped(stop, ctx, &a, &summaries)),
            None => reported,
        };
    };
    let total = match writer.commit() {
        Ok(total) => UpsertReport {
            unchanged: total.unchanged + unread,
            ..total
        },
        // Damage found before a merge: the commit went through, and the message says so.
        Err(e @ kb_store::StoreError::Corrupt { .. }) => return Err(e.into()),
        Err(e) => return Err(anyhow::Error::from(e).context("cannot commit the index")),
    };
    // Not marked, the next sync replays this one's documents again: their articles are then
    // unchanged, so a failure here costs time, not articles.
    if let Err(e) = Archive::at(&ctx.index).mark_indexed(&lock) {
        ctx.note(&format!("kb: warning: {e}"));
    }
    for (name, st) in pending {
        states.feeds.insert(name, st);
    }
    states.feed_order = ctx.config.feed_order();
    states.save(&ctx.index)?;
    drop(lock);
    // After the commit, like the validators: the new URL serves what was just indexed. The
    // articles are committed whatever happens here, so a kb.toml kb cannot edit is a warning,
    // not a failed sync: the old URL answers 301 again next time, and failing would repeat on
    // every sync.
    if !moved.is_empty() {
        let mut kept = Vec::new();
        let recorded = ConfigFile::open(&ctx.config.path).and_then(|mut file| {
            let mut changed = false;
            for (name, from, to) in &moved {
                match file.move_url(name, from, to)? {
                    None => changed = true,
                    Some(why) => kept.push((name, to, why)),
                }
            }
            if changed { file.save() } else { Ok(()) }
        });
        // An edit made after the feed's line was printed: the warning corrects it. Lines and
        // JSON printed at the end say it themselves.
        for (name, to, why) in kept {
            if progress.stream {
                ctx.note(&safe(
                    &format!(
                        "kb: warning: kb.toml not updated for {name}, moved permanently to {to}: {why}"
                    ),
                    false,
                ));
            }
            for s in summaries.iter_mut().filter(|s| &s.name == name) {
                s.moved_kept = Some(why.clone());
            }
        }
        if let Err(e) = recorded {
            let moves: Vec<String> = moved
                .iter()
                .map(|(n, _, u)| format!("{n} -> {u}"))
                .collect();
            ctx.note(&safe(
                &format!(
                    "kb: warning: kb.toml NOT updated after a 301/308 ({e:#}); edit it by hand: {}",
                    moves.join(", ")
                ),
                false,
            ));
        }
    }
    let reported = report(
        ctx,
        &a,
        &summaries,
        total,
        progress,
        None,
        interrupted.is_some(),
    );
    match interrupted {
        Some(stop) => Err(stopped(stop, ctx, &a, &summaries)),
        None => reported,
    }
}

/// The error a sync stopped by a signal ends with, saying how many feed lines it printed on
/// stdout and how many archive walks it cut short.
fn stopped(stop: Interrupted, ctx: &Ctx, a: &SyncArgs, summaries: &[FeedSummary]) -> anyhow::Error {
    let listed = if a.json || ctx.out.quiet {
        0
    } else {
        summaries.len()
    };
    stop.listed(listed, summaries.iter().filter(|s| s.walk_cut).count())
        .into()
}

/// Why the feed `name` is not to be moved from `fetched` in kb.toml as it is now (see
/// [`ConfigFile::changed_since`]); None also when the file cannot be read now: writing it,
/// after the commit, says why.
fn why_not_moved(ctx: &Ctx, name: &str, fetched: &str) -> Option<String> {
    ConfigFile::peek(&ctx.config.path)
        .and_then(|f| f.changed_since(name, fetched))
        .ok()
        .flatten()
}

/// The index writer, or why there is none: a damaged index (or a lost kb.json) leaves the
/// sync archiving only, so what the feeds hold now is kept for `kb reindex`.
fn open_writer(dir: &Path, lock: &WriteLock) -> Result<(Option<KbWriter>, Option<StoreError>)> {
    let kb = match Kb::open_or_create(dir, lock) {
        Ok(kb) => kb,
        Err(e @ StoreError::Corrupt { .. }) => return Ok((None, Some(e))),
        Err(e) => return Err(e.into()),
    };
    match kb.writer(lock) {
        Ok(w) => Ok((Some(w), None)),
        Err(e @ StoreError::Corrupt { .. }) => Ok((None, Some(e))),
        Err(e) => Err(e.into()),
    }
}

/// The end of a sync: its report on stdout, its failed feeds on stderr, and its outcome.
/// `damaged`: the index could not be written, so the feeds were only archived and nothing was
/// committed (and the caller saved no feed states or kb.toml redirects: they would vouch for
/// articles the index does not hold, and the next sync fetches everything again).
///
/// Called after the commit, so a report that cannot be written costs nothing but the report:
/// a reader that closed the pipe (`kb sync | head -1`) chose not to read it, and the exit
/// status then says how the sync went, as it would have; any other write error (a full disk)
/// is said on stderr and makes the exit status 1, so a cron job that lost its log hears of it.
fn report(
    ctx: &Ctx,
    a: &SyncArgs,
    summaries: &[FeedSummary],
    total: UpsertReport,
    mut progress: Progress,
    damaged: Option<StoreError>,
    interrupted: bool,
) -> Result<()> {
    let failed = summaries.iter().filter(|s| s.status == "failed").count();
    if a.json {
        let json = SyncJson {
            feeds: summaries,
            new: total.new,
            updated: total.updated,
            unchanged: total.unchanged,
            failed,
            committed: damaged.is_none() && total.new + total.updated > 0,
            interrupted,
        };
        if progress.out_error.is_none()
            && let Err(e) = ctx.out.json(&without_passwords(&json))
        {
            progress.out_error = Some(e);
        }
    } else if !ctx.out.quiet {
        let mut out = String::new();
        if !progress.stream {
            for s in summaries {
                out.push_str(&s.line());
                out.push('\n');
            }
        }
        if damaged.is_none() {
            out.push_str(&format!(
                "{} new, {} updated, {} unchanged{}; {} in {}\n",
                total.new,
                total.updated,
                total.unchanged,
                if failed > 0 {
                    format!(", {} failed", plural(failed, "feed"))
                } else {
                    String::new()
                },
                plural(
                    Kb::open(&ctx.index)
                        .map_or(0, |k| usize::try_from(k.count()).unwrap_or(usize::MAX)),
                    "article"
                ),
                ctx.index.display()
            ));
        }
        if !out.is_empty() {
            progress.print(&out);
        }
    }
    let mut stderr = std::io::stderr();
    let mut warn = |line: String| {
        use std::io::Write;
        // Nowhere left to say it when stderr fails too; the exit status still does.
        let _ = writeln!(
            stderr,
            "{}",
            safe(&kb_fetch::redact_credentials(&line), false)
        );
    };
    for s in summaries.iter().filter(|s| s.status == "failed") {
        warn(format!(
            "kb: error: {}: {}",
            s.name,
            s.error.as_deref().unwrap_or("")
        ));
    }
    // On stderr too: a cron job's mail is its stderr, and an archive walk that keeps stopping
    // early is something to look at, though not a failure.
    if !ctx.out.quiet {
        for s in summaries {
            if let Some(why) = s.backfill_stopped.as_ref().filter(|_| !s.walk_cut) {
                warn(format!("kb: warning: {}: {why}", s.name));
            }
        }
    }
    let out_failed = progress
        .out_error
        .take()
        .filter(|e| !crate::is_broken_pipe(e));
    if let Some(e) = &out_failed {
        let what = if damaged.is_some() {
            "the feeds' documents were archived all the same"
        } else {
            "the sync went on and committed its articles all the same"
        };
        // `e` already says it was standard output (crate::out adds it).
        warn(format!("kb: error: {e:#} ({what})"));
    }
    if let Some(damage) = damaged {
        anyhow::bail!(
            "{damage} (this sync archived the feeds' documents all the same: the rebuilt index will hold their articles)"
        );
    }
    if failed > 0 || out_failed.is_some() {
        return Err(Reported.into());
    }
    Ok(())
}

/// `value` as JSON, with the password of every URL in its strings hidden.
fn without_passwords(value: &impl Serialize) -> serde_json::Value {
    fn redact(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                if let std::borrow::Cow::Owned(r) = kb_fetch::redact_credentials(s) {
                    *s = r;
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(redact),
            serde_json::Value::Object(o) => o.values_mut().for_each(redact),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    redact(&mut v);
    v
}

/// A feed's summary line from what storing it gave; `indexed`: whether the session had an
/// index writer (without one, a stored feed was only archived).
fn summarize(
    name: Option<&str>,
    src: &str,
    result: Result<(String, UpsertReport, usize)>,
    indexed: bool,
) -> FeedSummary {
    match result {
        Ok((n, r, w)) => {
            let status = if indexed { "ok" } else { "archived" };
            let mut s = FeedSummary::new(n, src.to_string(), status);
            s.add(r);
            s.warnings = w;
            s
        }
        Err(e) => {
            let mut s = FeedSummary::new(name.unwrap_or(src).to_string(), src.to_string(), "ok");
            s.fail(format!("{e:#}"));
            s
        }
    }
}
