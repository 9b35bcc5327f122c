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
        // A damaged unlisted object has nothing to replay, and nothing says whose it was: listed
        // as lost, or doctor would advise listing it again forever. A sync that fetches the
        // same document stores it anew.
        let Ok(raw) = archive.get(&hash) else {
            relisted.push(ArchiveEntry {
                feed: "unknown".to_string(),
                source: "unknown".to_string(),
                fetched_at: archive.stored_at(&hash).unwrap_or_else(chrono::Utc::now),
                content_type: None,
                bytes: 0,
                sha256: hash,
                relisted: true,
                lost: true,
            });
            continue;
        };
        let (articles, link, derived) = match to_articles(None, &raw, None, None, &rules) {
            Ok((parsed, articles, name)) => (articles, parsed.link, name),
            // Listed anyway under a plain name: reindex then names it as not parsing.
            Err(_) => (Vec::new(), None, "unknown".to_string()),
        };
        let feed = old
            .and_then(|kb| articles.iter().find_map(|a| kb.get(&a.id).ok()))
            .map(|a| a.feed)
            .or_else(|| link.and_then(|link| feed_of_site(ctx, states.as_ref(), &link)))
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

/// Without an index to ask, the feed a document whose channel links to `link` most likely came
/// from: of the feeds of kb.toml (else of the order feeds.json keeps) whose URL is on that
/// site, the one whose URL's path shares most with the link's (a category feed at
/// `/c/even/feed/` for a channel linking to `/c/even`), the first listed among equals (a main
/// feed, which a sync files the articles its category feeds share under). `None` when no feed
/// is on that site (a feed served from another host, as FeedBurner did): then the document
/// keeps a name of its own.
fn feed_of_site(ctx: &Ctx, states: Option<&FeedStates>, link: &str) -> Option<String> {
    let configured = ctx
        .config
        .feeds
        .iter()
        .map(|f| (f.name.as_str(), f.url.as_str()));
    if let Some(name) = closest_feed(link, configured) {
        return Some(name);
    }
    let states = states?;
    let known = states
        .feed_order
        .iter()
        .chain(states.feeds.keys())
        .filter_map(|name| Some((name.as_str(), states.feeds.get(name)?.url.as_deref()?)));
    closest_feed(link, known)
}

/// Of `feeds` (name, URL), the first of those on the site of `link` whose URL's path shares the
/// most leading segments with the link's.
fn closest_feed<'a>(link: &str, feeds: impl Iterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let site = site_of(link)?;
    let segments = |u: &str| -> Vec<String> {
        url::Url::parse(u)
            .ok()
            .map(|u| {
                u.path()
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let want = segments(link);
    let mut best: Option<(usize, &str)> = None;
    for (name, url) in feeds {
        if site_of(url).as_deref() != Some(site.as_str()) {
            continue;
        }
        let shared = segments(url)
            .iter()
            .zip(&want)
            .take_while(|(a, b)| a == b)
            .count();
        if best.is_none_or(|(most, _)| shared > most) {
            best = Some((shared, name));
        }
    }
    best.map(|(_, name)| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::closest_feed;

    #[test]
    fn a_document_goes_to_the_feed_on_its_site_whose_path_is_closest() {
        let feeds = [
            ("main", "http://ex.test/feed/"),
            ("even", "http://ex.test/c/even/feed/"),
            ("odd", "https://www.ex.test/c/odd/feed/"),
            ("other", "http://other.test/feed"),
        ];
        let of = |link: &str| closest_feed(link, feeds.iter().copied());
        assert_eq!(of("http://ex.test/").as_deref(), Some("main"));
        assert_eq!(of("http://ex.test/c/even").as_deref(), Some("even"));
        assert_eq!(of("http://www.ex.test/c/odd/").as_deref(), Some("odd"));
        assert_eq!(of("http://ex.test/c/").as_deref(), Some("even"));
        // Equals: the first listed.
        assert_eq!(of("http://ex.test/about").as_deref(), Some("main"));
        assert_eq!(of("http://other.test/blog").as_deref(), Some("other"));
        assert_eq!(of("http://nowhere.test/"), None);
    }
}
