//! Article identity, decided here and nowhere else (the store upserts by it).
//!
//! # The rule
//!
//! 1. **Key.** The trimmed guid (RSS `guid`, Atom `id`, JSON Feed `id`) when present and not
//!    empty; else the item's link (after URL resolution); else its first enclosure's URL (a
//!    podcast episode without guid or link is its audio file, whatever its notes say, as
//!    podcast apps take it); else `"sha256:" + hex(sha256(title + "\n" + content))`, where
//!    content is `content_html`, else `summary_html`, else empty.
//!    A guid is the publisher's own promise of identity (RSS 2.0: "a string that uniquely
//!    identifies the item"; Atom RFC 4287 §4.2.6: "a permanent, universally unique identifier"),
//!    so it wins over the link, which may change with a permalink scheme.
//!    RSS 1.0 is the exception: its guid is `rdf:about`, which §5.5 says SHOULD equal the link,
//!    and its items were keyed by their link before kb read `rdf:about`; so there the link
//!    comes first and `rdf:about` keys only an item without one, and no id changed.
//! 2. **Scope.** `""` when the key is an absolute http(s) URL (already globally unique);
//!    otherwise the feed's link, else the feed's title, else `""`. Scoping keeps the WordPress
//!    guid "42" of one blog apart from the "42" of another.
//! 3. **Id.** The first 16 lowercase hex digits of `sha256(scope + "\n" + key)`: 64 bits, short
//!    enough to type as a prefix, far from colliding for any one person's knowledge base.
//!
//! # Duplicated keys within one document
//!
//! Feeds do repeat guids (copied templates, syndicated reposts). Within one document:
//!
//! - an **exact duplicate** (same guid, link, title and content; for an item with neither
//!   guid nor link, also the same enclosure and publication date) is dropped, with a warning;
//! - **different items sharing a key** (a press office giving every item the same link, a
//!   template repeating one guid, a daily show's episodes with one title) all get what tells
//!   each from the others appended, the first one too: `"#" + link` when its link is its
//!   own in the group, else its title, else its enclosure, else its publication date, else
//!   its content hash; with a warning. Keeping the plain key for the first item gave it, in a
//!   newest-first feed, to a different article on every sync, which overwrote the one before.
//!
//! Should an extended key still collide, its position in the document is appended as a last
//! resort (with a warning), so every id in a `ParsedFeed` is unique.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::model::ParsedItem;

/// Assign `id` to every item, dropping exact duplicates. Warnings go to `warnings`.
pub(crate) fn assign_ids(
    items: Vec<ParsedItem>,
    feed_link: Option<&str>,
    feed_title: Option<&str>,
    link_first: bool,
    warnings: &mut Vec<String>,
) -> Vec<ParsedItem> {
    let scope_fallback = feed_link
        .filter(|l| !l.trim().is_empty())
        .or(feed_title.filter(|t| !t.trim().is_empty()))
        .unwrap_or("");
    // Pass 1: each item's key; an exact duplicate of an earlier item goes.
    let mut kept: Vec<(ParsedItem, String, usize)> = Vec::with_capacity(items.len());
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (position, item) in items.into_iter().enumerate() {
        let key = base_key(&item, link_first);
        if !seen.insert((key.clone(), fingerprint(&item))) {
            warnings.push(format!(
                // Saying what is the same: a date, author or category may differ (two people
                // bookmarking one page in a Pinboard feed), and "exact" misled.
                "item {}: a duplicate of an earlier item (the same key {}, title and content), dropped",
                position + 1,
                crate::quoted(&key)
            ));
            continue;
        }
        by_key.entry(key.clone()).or_default().push(kept.len());
        kept.push((item, key, position));
    }
    // Pass 2: a key several different items share identifies none of them, so every one of
    // them, the first included, gets what tells it from the others. Keeping the plain key for
    // the first made it the newest item's in a newest-first feed: the next sync gave an older
    // article's id to a new one, and the older article was overwritten.
    let mut keys: Vec<String> = kept.iter().map(|k| k.1.clone()).collect();
    let mut groups: Vec<&Vec<usize>> = by_key.values().filter(|g| g.len() > 1).collect();
    groups.sort_unstable_by_key(|g| g[0]);
    for group in groups {
        let discriminators: [Discriminator; 4] = [
            &|i| i.link.clone(),
            &|i| i.title.clone(),
            &|i| i.enclosure.clone(),
            &|i| i.published.map(|d| d.to_rfc3339()),
        ];
        // How often each value of each discriminator occurs in the group: one pass each.
        let counts: Vec<HashMap<Option<String>, usize>> = discriminators
            .iter()
            .map(|f| {
                let mut c = HashMap::new();
                for &k in group {
                    *c.entry(f(&kept[k].0)).or_insert(0) += 1;
                }
                c
            })
            .collect();
        for &k in group {
            let (item, key, position) = &kept[k];
            let tells = discriminators
                .iter()
                .zip(&counts)
                .find_map(|(f, c)| f(item).filter(|v| c.get(&Some(v.clone())) == Some(&1)))
                .unwrap_or_else(|| content_hash(item));
            keys[k] = format!("{key}#{tells}");
            warnings.push(format!(
                "item {}: key {} is shared by {} different items, using {}",
                position + 1,
                crate::quoted(key),
                group.len(),
                crate::quoted(&keys[k])
            ));
        }
    }
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(kept.len());
    for ((mut item, _, position), key) in kept.into_iter().zip(keys) {
        let mut id = derive_id(scope_for(&key, scope_fallback), &key);
        if seen_ids.contains(&id) {
            let fallback = format!("{key}#{}", position + 1);
            warnings.push(format!(
                "item {}: key {} still collides, using {}",
                position + 1,
                crate::quoted(&key),
                crate::quoted(&fallback)
            ));
            id = derive_id(scope_for(&fallback, scope_fallback), &fallback);
        }
        seen_ids.insert(id.clone());
        item.id = id;
        out.push(item);
    }
    out
}

/// One way of telling items that share a key apart (their link, title, ...).
type Discriminator<'a> = &'a dyn Fn(&ParsedItem) -> Option<String>;

/// What makes an item an exact duplicate of another with its key (see the module doc), as
/// one hash: duplicates are found in one pass, however many items share a key.
fn fingerprint(item: &ParsedItem) -> String {
    let unnamed = item.guid.is_none() && item.link.is_none();
    let date = item.published.map(|d| d.to_rfc3339());
    let mut fields = vec![
        item.guid.as_deref(),
        item.link.as_deref(),
        item.title.as_deref(),
        item.content_html.as_deref(),
        item.summary_html.as_deref(),
    ];
    if unnamed {
        fields.extend([item.enclosure.as_deref(), date.as_deref()]);
    }
    let mut all = String::new();
    for field in fields {
        // Lengths first, so no two different field lists give one string.
        let _ = write!(
            all,
            "{}:{}|",
            field.map_or(0, str::len) + usize::from(field.is_some()),
            field.unwrap_or("")
        );
    }
    hex_sha256(&all)
}

/// Step 1 of the rule: guid, else link, else enclosure, else content hash (link first for
/// RSS 1.0).
fn base_key(item: &ParsedItem, link_first: bool) -> String {
    let non_empty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (first, second) = if link_first {
        (&item.link, &item.guid)
    } else {
        (&item.guid, &item.link)
    };
    non_empty(first)
        .or_else(|| non_empty(second))
        .or_else(|| non_empty(&item.enclosure))
        .unwrap_or_else(|| content_hash(item))
}

/// `"sha256:" + hex(sha256(title + "\n" + content))`.
fn content_hash(item: &ParsedItem) -> String {
    let title = item.title.as_deref().unwrap_or("");
    let content = item
        .content_html
        .as_deref()
        .or(item.summary_html.as_deref())
        .unwrap_or("");
    format!("sha256:{}", hex_sha256(&format!("{title}\n{content}")))
}

/// Step 2 of the rule: absolute http(s) URLs need no scope.
fn scope_for<'a>(key: &str, fallback: &'a str) -> &'a str {
    let is_absolute_http = url::Url::parse(key)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .unwrap_or(false);
    if is_absolute_http { "" } else { fallback }
}

/// Step 3 of the rule.
fn derive_id(scope: &str, key: &str) -> String {
    let mut hex = hex_sha256(&format!("{scope}\n{key}"));
    hex.truncate(16);
    hex
}

fn hex_sha256(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(guid: Option<&str>, link: Option<&str>, title: &str, content: &str) -> ParsedItem {
        ParsedItem {
            id: String::new(),
            guid: guid.map(Into::into),
            guid_is_permalink: false,
            title: Some(title.into()),
            link: link.map(Into::into),
            enclosure: None,
            author: None,
            categories: vec![],
            published: None,
            updated: None,
            comments_url: None,
            comments_feed: None,
            original_link: None,
            comments_count: None,
            summary_html: None,
            content_html: Some(content.into()),
            base_url: None,
        }
    }

    fn ids(items: Vec<ParsedItem>) -> (Vec<String>, Vec<String>) {
        let mut warnings = vec![];
        let out = assign_ids(
            items,
            Some("http://blog.example/"),
            Some("Blog"),
            false,
            &mut warnings,
        );
        (out.into_iter().map(|i| i.id).collect(), warnings)
    }

    #[test]
    fn guid_is_the_key_and_is_trimmed() {
        let (a, _) = ids(vec![item(Some(" http://x.example/?p=1 "), None, "t", "c")]);
        assert_eq!(a[0], derive_id("", "http://x.example/?p=1"));
        assert_eq!(a[0].len(), 16);
        assert!(
            a[0].bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }

    #[test]
    fn non_url_guid_is_scoped_by_feed_link() {
        let (a, _) = ids(vec![item(Some("42"), Some("http://x.example/a"), "t", "c")]);
        assert_eq!(a[0], derive_id("http://blog.example/", "42"));
    }

    #[test]
    fn scope_falls_back_to_feed_title() {
        let mut w = vec![];
        let out = assign_ids(
            vec![item(Some("42"), None, "t", "c")],
            None,
            Some("Blog"),
            false,
            &mut w,
        );
        assert_eq!(out[0].id, derive_id("Blog", "42"));
    }

    #[test]
    fn empty_guid_falls_back_to_link() {
        let (a, _) = ids(vec![item(Some("  "), Some("http://x.example/a"), "t", "c")]);
        assert_eq!(a[0], derive_id("", "http://x.example/a"));
    }

    #[test]
    fn no_guid_no_link_hashes_title_and_content() {
        let (a, _) = ids(vec![item(None, None, "t", "c")]);
        let key = format!("sha256:{}", hex_sha256("t\nc"));
        assert_eq!(a[0], derive_id("http://blog.example/", &key));
    }

    #[test]
    fn an_episode_without_guid_or_link_is_its_enclosure() {
        let mut episode = item(None, None, "Morning briefing", "Today's news.");
        episode.enclosure = Some("http://x.example/a4.mp3".into());
        let (a, _) = ids(vec![episode]);
        assert_eq!(a[0], derive_id("", "http://x.example/a4.mp3"));
    }

    /// Found by a podcast feed whose episodes had no guid or link, the same title and notes,
    /// and their own date: all but the first were dropped as "exact duplicates".
    #[test]
    fn unnamed_items_differing_only_in_date_or_enclosure_are_all_kept() {
        let day = |d: u32, enclosure: Option<&str>| {
            let mut it = item(None, None, "Morning briefing", "The day's headlines.");
            it.published =
                chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2024, 3, d, 6, 0, 0).single();
            it.enclosure = enclosure.map(Into::into);
            it
        };
        let (a, w) = ids(vec![day(4, None), day(5, None), day(6, None)]);
        assert_eq!(a.len(), 3, "{w:?}");
        assert!(a[0] != a[1] && a[1] != a[2] && a[0] != a[2]);
        assert!(w.iter().all(|w| w.contains("shared by 3")), "{w:?}");
        // The same item twice is still one.
        let (a, w) = ids(vec![day(4, None), day(4, None)]);
        assert_eq!(a.len(), 1);
        assert!(w[0].contains("a duplicate of an earlier item"), "{w:?}");
        // With enclosures, each episode is its own file and nothing is even reused.
        let (a, w) = ids(vec![
            day(4, Some("http://x.example/a4.mp3")),
            day(5, Some("http://x.example/a5.mp3")),
        ]);
        assert_eq!(a.len(), 2);
        assert!(w.is_empty(), "{w:?}");
        // An item with a guid repeated with another date is still a duplicate: the guid says
        // it is the same item.
        let mut again = item(Some("g"), None, "t", "c");
        let first = again.clone();
        again.published = day(5, None).published;
        let (a, _) = ids(vec![first, again]);
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn exact_duplicate_is_dropped_with_warning() {
        let it = item(Some("g"), Some("http://x.example/a"), "t", "c");
        let (a, w) = ids(vec![it.clone(), it]);
        assert_eq!(a.len(), 1);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("a duplicate of an earlier item"), "{w:?}");
    }

    #[test]
    fn a_shared_guid_is_extended_by_each_items_own_link_the_first_too() {
        let (a, w) = ids(vec![
            item(Some("g"), Some("http://x.example/a"), "t", "c"),
            item(Some("g"), Some("http://x.example/b"), "u", "d"),
        ]);
        assert_eq!(
            a[0],
            derive_id("http://blog.example/", "g#http://x.example/a")
        );
        assert_eq!(
            a[1],
            derive_id("http://blog.example/", "g#http://x.example/b")
        );
        assert!(w[0].contains("shared by 2"), "{w:?}");
    }

    #[test]
    fn a_shared_guid_and_link_are_extended_by_title_else_content_hash() {
        let (a, _) = ids(vec![
            item(Some("g"), Some("http://x.example/a"), "t", "c"),
            item(Some("g"), Some("http://x.example/a"), "u", "d"),
        ]);
        assert_eq!(a[0], derive_id("http://blog.example/", "g#t"));
        assert_eq!(a[1], derive_id("http://blog.example/", "g#u"));
        let second = item(Some("g"), Some("http://x.example/a"), "t", "d");
        let key = format!("g#{}", content_hash(&second));
        let (a, w) = ids(vec![
            item(Some("g"), Some("http://x.example/a"), "t", "c"),
            second,
        ]);
        assert_eq!(a[1], derive_id("http://blog.example/", &key));
        assert_eq!(w.len(), 2);
        assert_ne!(a[0], a[1]);
    }

    /// A press office gives every item the same link and no guid, newest first. The first
    /// item kept the plain link as its key: the next day's newest item took that id, and the
    /// article it had named was overwritten.
    #[test]
    fn an_id_stays_with_its_item_when_newer_items_share_its_link() {
        let link = Some("https://press.example/news");
        let day1 = vec![
            item(None, link, "Minister visits school", "a"),
            item(None, link, "Budget announced", "b"),
        ];
        let day2 = vec![
            item(None, link, "Flood warning lifted", "c"),
            item(None, link, "New bridge opens", "d"),
            item(None, link, "Minister visits school", "a"),
            item(None, link, "Budget announced", "b"),
        ];
        let (a1, _) = ids(day1);
        let (a2, _) = ids(day2);
        assert_eq!(&a2[2..], &a1[..]);
        assert!(!a1.contains(&a2[0]) && !a1.contains(&a2[1]));
    }

    #[test]
    fn ids_are_unique_even_when_extended_keys_collide() {
        // The third item's extended key equals the second item's guid.
        let (a, w) = ids(vec![
            item(Some("g"), Some("http://x.example/a"), "t", "c"),
            item(Some("g#http://x.example/b"), None, "v", "e"),
            item(Some("g"), Some("http://x.example/b"), "u", "d"),
        ]);
        assert_eq!(a.len(), 3);
        assert!(a[2] != a[1] && a[2] != a[0]);
        assert!(w.iter().any(|w| w.contains("still collides")), "{w:?}");
    }
}
