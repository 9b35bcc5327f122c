//! `kb feed`: the feeds of the config file (issue 4.1). The list lives in kb.toml, edited in
//! place (see `config::edit`); what kb learned about each feed (validators, last status, the
//! dead flag) lives in the KB directory's feeds.json, next to the articles.

mod opml;

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use kb_fetch::{FetchOutcome, Fetcher, RawFeed, Validators, from_feed_scheme};
use kb_parse::{ParseOptions, ParsedFeed};
use kb_store::{FeedStates, Kb, StoreError, WriteLock};
use serde::Serialize;

use super::Ctx;
use super::sync::{fetch_options, runtime, waiting};
use crate::args::{FeedAddArgs, FeedArgs, FeedCommand};
use crate::config::edit::{ConfigFile, FeedEntry, same_url};
use crate::out::safe;
use crate::pipeline::derive_name;

/// How long `rm` and `enable` wait for a running sync to release the KB.
const LOCK_WAIT: Duration = Duration::from_secs(30);

pub fn run(ctx: &Ctx, a: FeedArgs) -> Result<()> {
    match a.command {
        FeedCommand::Add(a) => add(ctx, a),
        FeedCommand::Rm(k) => rm(ctx, &k.feed, k.json),
        FeedCommand::List(j) => list(ctx, j.json),
        FeedCommand::Enable(k) => enable(ctx, &k.feed, k.json),
        FeedCommand::Import(a) => import(ctx, &a.file, a.json),
        FeedCommand::Export => export(ctx),
    }
}

/// A URL checked to serve a feed.
struct Probed {
    /// The feed's URL to store (after a permanent redirect, its new home).
    url: String,
    /// The URL that answered with the feed, when a redirect led there: a temporary redirect
    /// keeps `url` as asked, but may lead to a feed kb.toml already has.
    answered: Option<String>,
    /// What it parsed to.
    feed: ParsedFeed,
    /// The web page it was discovered on, when the user gave a page.
    page: Option<String>,
    /// The page's other feeds, not added.
    others: Vec<String>,
}

fn add(ctx: &Ctx, a: FeedAddArgs) -> Result<()> {
    let file = ConfigFile::open(&ctx.config.path)?;
    // Before the feed is fetched: a config kb may not write is said at once.
    file.check_writable()?;
    let existing = file.feeds()?;
    // Not held while the feed is fetched (seconds): other edits go on meanwhile, and the
    // file is read again below to add the feed to what it holds then.
    drop(file);
    let given = from_feed_scheme(&a.url);
    let given = given.trim();
    if let Some(f) = existing.iter().find(|f| same_url(&f.url, given)) {
        bail!(
            "{given} is already in {} as feed {:?}",
            ctx.config.path.display(),
            f.name
        );
    }
    let probed = probe(ctx, given)?;
    if let Some(f) = existing.iter().find(|f| same_url(&f.url, &probed.url)) {
        bail!(
            "{} is already in {} as feed {:?}",
            probed.url,
            ctx.config.path.display(),
            f.name
        );
    }
    // Added, it would be the same feed fetched twice, its articles stored under both names.
    if let Some(answered) = &probed.answered
        && let Some(f) = existing.iter().find(|f| same_url(&f.url, answered))
    {
        bail!(
            "{} redirects to {answered}, which is already in {} as feed {:?}",
            probed.url,
            ctx.config.path.display(),
            f.name
        );
    }
    // Another command may have edited the file while the feed was fetched (another `kb feed
    // add`, a `kb feed rm`, a sync's 301 rewrite): the feed is added to the file as it is now,
    // not saved over it from the copy read before, which lost their changes; and checked, and
    // named, against what the file holds now.
    let mut file = ConfigFile::open(&ctx.config.path)?;
    let now = file.feeds()?;
    if let Some(f) = now.iter().find(|f| {
        same_url(&f.url, &probed.url)
            || probed
                .answered
                .as_deref()
                .is_some_and(|answered| same_url(&f.url, answered))
    }) {
        bail!(
            "{} was added to {} as feed {:?} while kb checked it; nothing changed",
            f.url,
            ctx.config.path.display(),
            f.name
        );
    }
    // Without --name, the site's name; a second feed of the site gets one of its own.
    let (name, site_name) = match &a.name {
        Some(n) => (n.trim().to_string(), None),
        None => {
            let site = derive_name(&probed.feed, Some(&probed.url));
            let name = default_name(&site, &probed.url, &now);
            (name.clone(), (name != site).then_some(site))
        }
    };
    if name.is_empty() {
        bail!("the feed name must not be empty: pass --name NAME");
    }
    if now.iter().any(|f| f.name == name) {
        let when = if existing.iter().any(|f| f.name == name) {
            "is already in"
        } else {
            "was added to"
        };
        bail!(
            "a feed named {name:?} {when} {}: choose another with --name",
            ctx.config.path.display()
        );
    }
    let category = a
        .category
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let entry = FeedEntry {
        name: name.clone(),
        url: probed.url.clone(),
        category,
        timeout_secs: None,
    };
    file.add(&entry)?;
    file.save()?;
    if a.json {
        return ctx.out.json(&Added {
            feed: &entry,
            found_on: probed.page.as_deref(),
            items: probed.feed.items.len(),
            other_feeds: &probed.others,
        });
    }
    if !ctx.out.quiet {
        let via = match (&probed.page, probed.others.as_slice()) {
            (Some(p), []) => format!(" (found on {p})"),
            (Some(p), others) => format!(
                " (found on {p}, which also announces {}; add one with `kb feed add URL --name NAME`)",
                others.join(", ")
            ),
            (None, _) => String::new(),
        };
        let named = site_name
            .map(|site| {
                format!(
                    " (named {name}: feed {site:?} has the site's name; `--name` chooses another)"
                )
            })
            .unwrap_or_default();
        ctx.out.text(&safe(
            &kb_fetch::redact_credentials(&format!(
                "added {name}: {}{via}, {} now{named}; run `kb sync` to fetch it",
                probed.url,
                crate::out::plural(probed.feed.items.len(), "item")
            )),
            false,
        ))?;
    }
    Ok(())
}

/// `kb feed add --json`.
#[derive(Debug, Serialize)]
struct Added<'a> {
    #[serde(flatten)]
    feed: &'a FeedEntry,
    /// The web page the feed was discovered on, when the user gave a page.
    found_on: Option<&'a str>,
    /// Items the feed holds now.
    items: usize,
    /// The other feeds the page announces, not added (empty when a feed URL was given).
    other_feeds: &'a [String],
}

/// Only http(s) addresses are feeds kb fetches; an OPML file may carry anything (`javascript:`,
/// `file:`).
fn is_http_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// `blog.example/feed/` as `https://blog.example/feed/`: what a host and path typed without a
/// scheme mean. `None` when it has a scheme already, names no host with a dot, or names a file
/// (`feed.xml`, missing here) rather than a host.
fn with_scheme(typed: &str) -> Option<String> {
    const FILE_ENDINGS: [&str; 8] = ["xml", "rss", "atom", "rdf", "json", "opml", "html", "txt"];
    if typed.contains("://") {
        return None;
    }
    let guess = format!("https://{typed}");
    let url = url::Url::parse(&guess).ok()?;
    let host = url.host_str()?;
    let last = host.rsplit('.').next().unwrap_or_default();
    (host.contains('.') && !last.is_empty() && !FILE_ENDINGS.contains(&last)).then_some(guess)
}

/// Fetch `url`; a feed is taken as is, a web page is searched for the feeds it announces and
/// the first that fetches and parses is taken.
fn probe(ctx: &Ctx, url: &str) -> Result<Probed> {
    if !is_http_url(url) {
        // The two slips people make: a saved feed file, and an address typed without its scheme.
        if std::path::Path::new(url).is_file() {
            bail!(
                "{url:?} is a file, not an http(s) URL: `kb sync --from {url}` reads it once, or \
                 give it as a feed's `fixture` in the config for `kb sync --offline`"
            );
        }
        if let Some(guess) = with_scheme(url) {
            bail!("{url:?} is not an http(s) URL: give the full address, {guess}");
        }
        bail!("{url:?} is not an http(s) URL: give the feed's or the site's full address");
    }
    let fetcher = Fetcher::new(fetch_options(ctx))?;
    let rt = runtime()?;
    let raw = rt.block_on(waiting(ctx, &fetcher, url, get(&fetcher, url)))?;
    if !kb_fetch::looks_like_html(&raw) {
        let feed = parse(&raw).map_err(|e| {
            anyhow::anyhow!(
                "{url} is neither a feed nor a web page that links to one ({e:#}): check the address"
            )
        })?;
        return Ok(Probed {
            url: stored_url(url, &raw),
            answered: raw.final_url.clone(),
            feed,
            page: None,
            others: Vec::new(),
        });
    }
    let page = raw.final_url.as_deref().unwrap_or(url);
    // Main feeds first: a page's "Comments Feed" link often comes before its main feed.
    let candidates: Vec<String> =
        kb_fetch::discover_feed_links(&String::from_utf8_lossy(&raw.bytes), page)
            .into_iter()
            .map(|l| l.url)
            .collect();
    if candidates.is_empty() {
        bail!(
            "{} is a web page that announces no feed (no <link rel=\"alternate\" type=\"application/rss+xml\">): give the feed's own URL",
            match super::sync::redirected(url, &raw).as_str() {
                "" => url.to_string(),
                via => format!("{page}{via}"),
            }
        );
    }
    let mut last_err = None;
    // Not named as other feeds of the page: kb just could not read them.
    let mut unreadable = Vec::new();
    for candidate in &candidates {
        let result = rt
            .block_on(waiting(ctx, &fetcher, candidate, get(&fetcher, candidate)))
            .and_then(|raw| {
                Ok((
                    parse(&raw)?,
                    stored_url(candidate, &raw),
                    raw.final_url.clone(),
                ))
            });
        match result {
            Ok((feed, url, answered)) => {
                let others = candidates
                    .iter()
                    .filter(|c| *c != candidate && !unreadable.contains(c))
                    .cloned()
                    .collect();
                return Ok(Probed {
                    url,
                    answered,
                    feed,
                    page: Some(page.to_string()),
                    others,
                });
            }
            Err(e) => {
                last_err = Some(format!("{candidate}: {e:#}"));
                unreadable.push(candidate);
            }
        }
    }
    bail!(
        "{url} links to {} feed(s) but none could be read (last: {}): give the feed's own URL",
        candidates.len(),
        last_err.unwrap_or_default()
    )
}

async fn get(fetcher: &Fetcher, url: &str) -> Result<RawFeed> {
    match fetcher.fetch(url, &Validators::default()).await? {
        FetchOutcome::Fetched(raw) => Ok(raw),
        FetchOutcome::NotModified { .. } => {
            bail!("{url} answered 304 Not Modified to an unconditional request")
        }
    }
}

fn parse(raw: &RawFeed) -> Result<ParsedFeed> {
    let opts = ParseOptions {
        source_url: raw.final_url.clone(),
        content_type: raw.content_type.clone(),
        ..ParseOptions::default()
    };
    Ok(kb_parse::parse(&raw.bytes, &opts)?)
}

/// A permanent redirect moves the feed for good (RFC 9110 §15.4.2): store where it went.
fn stored_url(asked: &str, raw: &RawFeed) -> String {
    raw.permanent_redirect
        .clone()
        .unwrap_or_else(|| asked.to_string())
}

fn rm(ctx: &Ctx, key: &str, json: bool) -> Result<()> {
    let mut file = ConfigFile::open(&ctx.config.path)?;
    let Some(removed) = file.remove(key)? else {
        bail!(
            "no feed {key:?} in {}: see `kb feed list`",
            ctx.config.path.display()
        );
    };
    // The KB's part first, kb.toml last: an error then means nothing changed (it used to leave
    // the feed gone from kb.toml and the command failed, so a retry said "no feed"). What can
    // fail on kb.toml is checked before the KB is touched; if saving fails after all, the
    // feed's state is put back. (Lost, it would cost one unconditional download: feeds.json
    // only caches validators and status.)
    file.check_writable()?;
    if ctx.index.is_dir() {
        let _lock = WriteLock::acquire(&ctx.index, LOCK_WAIT)?;
        let before = FeedStates::load(&ctx.index)?;
        let mut states = before.clone();
        // Forget its validators and dead flag too, so adding it again starts afresh, and its
        // place in the feed order.
        states.feeds.remove(&removed.name);
        states.feed_order.retain(|name| *name != removed.name);
        if states != before {
            states.save(&ctx.index)?;
            if let Err(e) = file.save() {
                let _ = before.save(&ctx.index);
                return Err(e);
            }
        } else {
            file.save()?;
        }
    } else {
        file.save()?;
    }
    if json {
        return ctx.out.json(&removed);
    }
    if !ctx.out.quiet {
        ctx.out.text(&safe(
            &format!(
                "removed {}: {} (its articles stay in the knowledge base)",
                removed.name,
                kb_fetch::redact_credentials(&removed.url)
            ),
            false,
        ))?;
    }
    Ok(())
}

/// `kb feed enable --json`.
#[derive(Debug, Serialize)]
struct Enabled<'a> {
    name: &'a str,
    /// Whether it was marked dead (false: nothing changed).
    was_dead: bool,
}

fn enable(ctx: &Ctx, key: &str, json: bool) -> Result<()> {
    let Some(feed) = ctx
        .config
        .feeds
        .iter()
        .find(|f| f.name == key)
        .or_else(|| ctx.config.feeds.iter().find(|f| f.url == key))
    else {
        bail!(
            "no feed {key:?} in {}: see `kb feed list`",
            ctx.config.path.display()
        );
    };
    let mut was_dead = false;
    if ctx.index.is_dir() {
        update_states(ctx, |states| {
            if let Some(st) = states.feeds.get_mut(&feed.name) {
                was_dead = st.dead;
                st.clear_dead();
            }
        })?;
    }
    if json {
        return ctx.out.json(&Enabled {
            name: &feed.name,
            was_dead,
        });
    }
    if !ctx.out.quiet {
        let msg = if was_dead {
            format!("enabled {}: the next `kb sync` fetches it again", feed.name)
        } else {
            format!("{} was not marked dead; nothing to do", feed.name)
        };
        ctx.out.text(&safe(&msg, false))?;
    }
    Ok(())
}

/// Change feeds.json under the KB's write lock, so a running sync cannot overwrite the change.
fn update_states(ctx: &Ctx, change: impl FnOnce(&mut FeedStates)) -> Result<()> {
    let _lock = WriteLock::acquire(&ctx.index, LOCK_WAIT)?;
    let mut states = FeedStates::load(&ctx.index)?;
    change(&mut states);
    states.save(&ctx.index)?;
    Ok(())
}

/// One row of `kb feed list --json`.
#[derive(Debug, Serialize)]
struct FeedRow<'a> {
    name: &'a str,
    /// Without its password, if it has one (kb.toml keeps it).
    url: Cow<'a, str>,
    category: Option<&'a str>,
    #[serde(serialize_with = "super::json_date")]
    last_fetched: Option<DateTime<Utc>>,
    last_status: Option<u16>,
    articles: u64,
    last_error: Option<Cow<'a, str>>,
    dead: bool,
    /// A server's `Retry-After` that outlasted a sync: no request to the feed's host before
    /// this time (null when there is none, or it has passed).
    #[serde(serialize_with = "super::json_date")]
    waiting_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
struct FeedList<'a> {
    feeds: Vec<FeedRow<'a>>,
}

fn list(ctx: &Ctx, json: bool) -> Result<()> {
    let states = FeedStates::load(&ctx.index)?;
    let counts = match Kb::open(&ctx.index) {
        Ok(kb) => kb.feed_counts()?,
        // No KB yet: every feed simply has no articles.
        Err(StoreError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let now = Utc::now();
    let rows: Vec<FeedRow<'_>> = ctx
        .config
        .feeds
        .iter()
        .map(|f| {
            let st = states.feeds.get(&f.name);
            FeedRow {
                name: &f.name,
                url: kb_fetch::redact_credentials(&f.url),
                category: f.category.as_deref(),
                last_fetched: st.and_then(|s| s.last_fetched),
                last_status: st.and_then(|s| s.last_status),
                articles: counts
                    .iter()
                    .find(|c| c.name == f.name)
                    .map_or(0, |c| c.count),
                // An older kb stored its errors with the password in.
                last_error: st
                    .and_then(|s| s.last_error.as_deref())
                    .map(kb_fetch::redact_credentials),
                dead: st.is_some_and(|s| s.dead_at(&f.url)),
                waiting_until: st.and_then(|s| s.wait_until).filter(|t| *t > now),
            }
        })
        .collect();
    if json {
        return ctx.out.json(&FeedList { feeds: rows });
    }
    if rows.is_empty() {
        ctx.note(&format!(
            "no feeds in {}: add one with `kb feed add URL`",
            ctx.config.path.display()
        ));
        return Ok(());
    }
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for r in &rows {
        let status = match (r.dead, r.last_status) {
            (true, _) => "DEAD".to_string(),
            // A file read (`--offline`, `--from FILE`) has no HTTP status to show.
            (false, None) if r.last_fetched.is_none() => "never fetched".to_string(),
            (false, None) if r.last_error.is_some() => "failed".to_string(),
            (false, None) => "read from file".to_string(),
            (false, Some(0)) => "failed".to_string(),
            (false, Some(s)) => s.to_string(),
        };
        let mut when = r
            .last_fetched
            .map(|t| format!(" at {} UTC", t.format("%Y-%m-%d %H:%M")))
            .unwrap_or_default();
        // Otherwise a feed skipped for its host's wait reads as never tried, or as fine.
        if let Some(t) = r.waiting_until {
            when.push_str(&format!(
                ", waiting until {} UTC (the server's Retry-After)",
                t.format("%Y-%m-%d %H:%M")
            ));
        }
        let noun = if r.articles == 1 {
            "article "
        } else {
            "articles"
        };
        let line = format!(
            "{:width$}  {:>5} {noun}  {status}{when}  {}",
            r.name, r.articles, r.url
        );
        out.push_str(&safe(&line, false));
        out.push('\n');
        if let Some(e) = &r.last_error {
            out.push_str(&safe(&format!("{:width$}  last error: {e}", ""), false));
            out.push('\n');
        }
    }
    ctx.out.text(&out)
}

/// `kb feed import --json`.
#[derive(Debug, Serialize)]
struct Imported<'a> {
    file: String,
    added: &'a [FeedEntry],
    already_present: &'a [String],
    /// Entries that are not http(s) addresses.
    skipped: &'a [String],
    /// Outlines without a feed URL (`xmlUrl`): a site's `htmlUrl`, or a bare title.
    no_feed_url: &'a [String],
}

fn import(ctx: &Ctx, path: &Path, json: bool) -> Result<()> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read OPML file {}", path.display()))?;
    // OPML is XML: its byte order mark or its declaration says how it is encoded (exports in
    // ISO-8859-1 or UTF-16 exist), as for feeds.
    let (text, warnings) = kb_parse::decode_xml(&bytes);
    for w in &warnings {
        ctx.note(&safe(
            &format!("kb: warning: {}: {w}", path.display()),
            false,
        ));
    }
    // A list that is not well-formed XML (a bare `&` in a URL, `&ndash;` in a title: old
    // exporters and hand edits) is read again after the repairs a feed would get, with a
    // warning for each, rather than refused whole.
    let parsed = opml::parse(&text).or_else(|first| {
        let Ok((repaired, repairs)) = kb_parse::repair_xml(&text) else {
            return Err(first);
        };
        let parsed = opml::parse(&repaired).map_err(|_| first)?;
        for r in &repairs {
            ctx.note(&safe(
                &format!("kb: warning: {}: {r}", path.display()),
                false,
            ));
        }
        Ok(parsed)
    });
    let opml::Parsed {
        feeds: entries,
        no_feed_url,
    } = parsed.map_err(|e| {
        anyhow::anyhow!("{} is not an OPML file kb can read: {e:#}", path.display())
    })?;
    let mut file = ConfigFile::open(&ctx.config.path)?;
    let mut known = file.feeds()?;
    let mut added = Vec::new();
    let mut present = Vec::new();
    let mut skipped = Vec::new();
    for mut e in entries {
        e.url = from_feed_scheme(&e.url).into_owned();
        if !is_http_url(&e.url) {
            skipped.push(e.url);
            continue;
        }
        if known.iter().any(|k| same_url(&k.url, &e.url)) {
            present.push(e.url);
            continue;
        }
        // Feeds are not fetched here: importing hundreds of feeds should not take minutes.
        // `kb sync` reports the ones that do not work.
        if e.name.is_empty() {
            e.name = url::Url::parse(&e.url)
                .ok()
                .and_then(|u| {
                    u.host_str()
                        .map(|h| h.trim_start_matches("www.").to_string())
                })
                .unwrap_or_else(|| e.url.clone());
        }
        e.name = unique_name(&e.name, &known);
        file.add(&e)?;
        known.push(e.clone());
        added.push(e);
    }
    if !added.is_empty() {
        file.save()?;
    }
    if json {
        return ctx.out.json(&Imported {
            file: path.display().to_string(),
            added: &added,
            already_present: &present,
            skipped: &skipped,
            no_feed_url: &no_feed_url,
        });
    }
    if !ctx.out.quiet {
        let mut notes = Vec::new();
        if !present.is_empty() {
            notes.push(format!("{} already present", present.len()));
        }
        if !skipped.is_empty() {
            notes.push(format!(
                "{} skipped, not http(s) addresses: {}",
                skipped.len(),
                skipped.join(", ")
            ));
        }
        if !no_feed_url.is_empty() {
            notes.push(format!(
                "{} skipped, no feed URL (xmlUrl): {}",
                no_feed_url.len(),
                no_feed_url.join(", ")
            ));
        }
        // The skipped addresses come from the OPML file: no escape sequences to the terminal.
        ctx.out.text(&safe(
            &format!(
                "imported {} from {}{}",
                crate::out::plural(added.len(), "feed"),
                path.display(),
                if notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", notes.join("; "))
                }
            ),
            false,
        ))?;
    }
    Ok(())
}

/// The name of a feed added without `--name`: `site`, the site's, or when another feed has it
/// (a blog's posts and comments feeds, feeds of one server), `site` with the last telling
/// segment of the feed's path (`blog.example-comments`, `127.0.0.1-atom`), else numbered.
fn default_name(site: &str, url: &str, known: &[FeedEntry]) -> String {
    let taken = |n: &str| known.iter().any(|k| k.name == n);
    if taken(site) {
        // Words every feed path has say nothing of which feed it is.
        const GENERIC: [&str; 9] = [
            "feed", "feeds", "rss", "rss2", "atom", "index", "xml", "rdf", "wp-rss2",
        ];
        let segments: Vec<String> = url::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.path_segments().map(|s| {
                    s.filter(|s| !s.is_empty())
                        .map(|s| {
                            let stem = s.rsplit_once('.').map_or(s, |(stem, _)| stem);
                            if stem.is_empty() { s } else { stem }.to_lowercase()
                        })
                        .collect()
                })
            })
            .unwrap_or_default();
        let telling = segments
            .iter()
            .rev()
            .find(|s| !GENERIC.contains(&s.as_str()))
            .or(segments.last());
        if let Some(name) = telling.map(|s| format!("{site}-{s}"))
            && !taken(&name)
        {
            return name;
        }
    }
    unique_name(site, known)
}

/// `name`, or `name-2`, `name-3`, ... if the config already has it: names are the feeds' keys.
fn unique_name(name: &str, known: &[FeedEntry]) -> String {
    let taken = |n: &str| known.iter().any(|k| k.name == n);
    if !taken(name) {
        return name.to_string();
    }
    (2..)
        .map(|i| format!("{name}-{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| name.to_string())
}

fn export(ctx: &Ctx) -> Result<()> {
    let feeds: Vec<FeedEntry> = ctx
        .config
        .feeds
        .iter()
        .map(|f| FeedEntry {
            name: f.name.clone(),
            url: f.url.clone(),
            category: f.category.clone(),
            timeout_secs: f.timeout_secs,
        })
        .collect();
    ctx.out.text(&opml::write(&feeds)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> FeedEntry {
        FeedEntry {
            name: name.to_string(),
            url: format!("http://{name}/"),
            category: None,
            timeout_secs: None,
        }
    }

    /// Found by probing `kb feed add`: a second feed of a site was refused, both named after
    /// the host ("choose another with --name").
    #[test]
    fn a_second_feed_of_a_site_gets_a_name_of_its_own() {
        let known = [entry("blog.example"), entry("127.0.0.1")];
        let name = |site, url| default_name(site, url, &known);
        assert_eq!(
            name("new.example", "http://new.example/feed/"),
            "new.example"
        );
        assert_eq!(
            name("blog.example", "http://blog.example/comments/feed/"),
            "blog.example-comments"
        );
        assert_eq!(
            name(
                "blog.example",
                "http://blog.example/category/rust/feed/atom.xml"
            ),
            "blog.example-rust"
        );
        assert_eq!(
            name("127.0.0.1", "http://127.0.0.1:8000/atom"),
            "127.0.0.1-atom"
        );
        assert_eq!(
            name("127.0.0.1", "http://127.0.0.1/feed.xml"),
            "127.0.0.1-feed"
        );
        // Nothing in the path to tell it by, or that name taken too: numbered.
        assert_eq!(
            name("blog.example", "http://blog.example/?feed=rss2"),
            "blog.example-2"
        );
        let known = [entry("blog.example"), entry("blog.example-feed")];
        assert_eq!(
            default_name("blog.example", "http://blog.example/feed/", &known),
            "blog.example-2"
        );
    }

    #[test]
    fn an_address_without_its_scheme_is_guessed_but_a_file_name_is_not() {
        assert_eq!(
            with_scheme("blog.example/feed/").as_deref(),
            Some("https://blog.example/feed/")
        );
        assert_eq!(
            with_scheme("www.example.com").as_deref(),
            Some("https://www.example.com")
        );
        for no in [
            "feed.xml",
            "saved.rss",
            "localhost/feed",
            "ftp://x.example/",
            "",
            "a b",
        ] {
            assert_eq!(with_scheme(no), None, "{no}");
        }
    }
}
