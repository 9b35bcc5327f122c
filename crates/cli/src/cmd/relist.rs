//! Listing again the archive objects whose log lines were lost (a truncated, damaged or deleted
//! `archive/log.jsonl`): `kb doctor --fix` does it, and so does `kb reindex` before it replays
//! the log, since a rebuild without them would put older versions of their articles back.
//!
//! The store finds them and says in which order they were stored ([`Archive::unlisted`]); what
//! only parse + clean can say is which feed each came from, which a log line records and the
//! object does not: the feed the index files the document's articles under, else the name a
//! document without a feed name gets (as `kb parse` derives it).

use std::collections::HashMap;

use anyhow::Result;
use kb_store::{Archive, ArchiveEntry, FeedStates, Kb, WriteLock};

use super::Ctx;
use crate::pipeline::{site_of, to_articles};

/// List the unlisted objects of the KB again; returns how many were listed. `old` is the
/// index as it is, if it can be read: it knows the feed of every article it holds.
pub fn relist_lost(ctx: &Ctx, lock: &WriteLock, old: Option<&Kb>) -> Result<usize> {
    let archive = Archive::at(&ctx.index);
    let (entries, _) = archive.entries()?;
    let listed = entries.iter().map(|e| e.sha256.as_str()).collect();
    let unlisted = archive.unlisted(&listed)?;
    if unlisted.is_empty() {
        return Ok(0);
    }
    let rules = ctx.rules()?;
    // Where each feed's documents came from and their Content-Type, as its last surviving
    // line says: the base of relative links and the charset, so the articles come out as the
    // sync made them.
    let mut last_of: HashMap<&str, &ArchiveEntry> = HashMap::new();
    for e in &entries {
        last_of.insert(e.feed.as_str(), e);
    }
    let states = FeedStates::load(&ctx.index).ok();
    let mut relisted = Vec::new();
    for hash in unlisted {
        // A damaged unlisted object has nothing to replay: `kb sync` stores it again.
        let Ok(raw) = archive.get(&hash) else {
            continue;
        };
        let (articles, site, derived) = match to_articles(None, &raw, None, None, &rules) {
            Ok((parsed, articles, name)) => {
                (articles, parsed.link.as_deref().and_then(site_of), name)
            }
            // Listed anyway under a plain name: reindex then names it as not parsing.
            Err(_) => (Vec::new(), None, "unknown".to_string()),
        };
        let feed = old
            .and_then(|kb| articles.iter().find_map(|a| kb.get(&a.id).ok()))
            .map(|a| a.feed)
            .or_else(|| site.and_then(|site| feed_of_site(ctx, states.as_ref(), &site)))
            .unwrap_or(derived);
        let last = last_of.get(feed.as_str());
        let source = last
            .map(|e| e.source.clone())
            .or_else(|| {
                let state = states.as_ref()?.feeds.get(&feed)?;
                state.url.clone()
            })
            .or_else(|| {
                let f = ctx.config.feeds.iter().find(|f| f.name == feed)?;
                Some(f.url.clone())
            })
            .unwrap_or_else(|| "unknown".to_string());
        relisted.push(ArchiveEntry {
            feed,
            source,
            fetched_at: archive.stored_at(&hash).unwrap_or_else(chrono::Utc::now),
            content_type: last.and_then(|e| e.content_type.clone()),
            bytes: raw.len() as u64,
            sha256: hash,
            relisted: true,
            lost: false,
        });
    }
    archive.relist(&relisted, lock)?;
    Ok(relisted.len())
}

/// Without an index to ask, the feed a document of the site `site` most likely came from: the
/// first feed of kb.toml (else of the order the index was last written with) whose URL is on
/// that site. A main feed and its category feeds share a host; the first listed is the one a
/// sync files their shared articles under. `None` when no feed is on that site (a feed served
/// from another host, as FeedBurner did): then the document keeps a name of its own.
fn feed_of_site(ctx: &Ctx, states: Option<&FeedStates>, site: &str) -> Option<String> {
    let on_site = |url: &str| site_of(url).is_some_and(|h| h == site);
    if let Some(f) = ctx.config.feeds.iter().find(|f| on_site(&f.url)) {
        return Some(f.name.clone());
    }
    let states = states?;
    states
        .feed_order
        .iter()
        .chain(states.feeds.keys())
        .find(|name| {
            states
                .feeds
                .get(*name)
                .and_then(|s| s.url.as_deref())
                .is_some_and(on_site)
        })
        .cloned()
}
