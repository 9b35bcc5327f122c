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
//! - a **different item reusing the key** gets `"#" + link` appended to its key, else
//!   `"#" + enclosure`, else `"#" + content hash`, else `"#" + publication date` (a daily
//!   show's episodes may share title and notes): the first of them that differs from the
//!   earlier item's, with a warning. The first item keeps the plain key, so an id never changes when
//!   a later duplicate appears or goes away.
//!
//! Should an extended key still collide, its position in the document is appended as a last
//! resort (with a warning), so every id in a `ParsedFeed` is unique.

use std::collections::HashMap;
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
    // key -> index in `kept` of the first item that used it.
    let mut first_by_key: HashMap<String, usize> = HashMap::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut kept: Vec<ParsedItem> = Vec::with_capacity(items.len());

    for (position, mut item) in items.into_iter().enumerate() {
        let mut key = base_key(&item, link_first);
        if let Some(&first) = first_by_key.get(&key) {
            let earlier = &kept[first];
            if is_exact_duplicate(earlier, &item) {
                warnings.push(format!(
                    "item {}: exact duplicate of an earlier item with key {key:?}, dropped",
                    position + 1
                ));
                continue;
            }
            let hash = content_hash(&item);
            let extended = match (&item.link, &item.enclosure, item.published) {
                (Some(link), ..) if earlier.link.as_ref() != Some(link) => format!("{key}#{link}"),
                (_, Some(enclosure), _) if earlier.enclosure.as_ref() != Some(enclosure) => {
                    format!("{key}#{enclosure}")
                }
                (.., Some(date))
                    if hash == content_hash(earlier) && earlier.published != Some(date) =>
                {
                    format!("{key}#{}", date.to_rfc3339())
                }
                _ => format!("{key}#{hash}"),
            };
            warnings.push(format!(
                "item {}: key {key:?} reused by a different item, using {extended:?}",
                position + 1
            ));
            key = extended;
        } else {
            first_by_key.insert(key.clone(), kept.len());
        }

        let mut id = derive_id(scope_for(&key, scope_fallback), &key);
        if seen_ids.contains_key(&id) {
            let fallback = format!("{key}#{}", position + 1);
            warnings.push(format!(
                "item {}: key {key:?} still collides, using {fallback:?}",
                position + 1
            ));
            id = derive_id(scope_for(&fallback, scope_fallback), &fallback);
        }
        seen_ids.insert(id.clone(), kept.len());
        item.id = id;
        kept.push(item);
    }
    kept
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

/// Same guid, link, title and content; and for items the publisher gave neither guid nor link,
/// the same enclosure and date too: a daily show's episodes may share everything else.
fn is_exact_duplicate(a: &ParsedItem, b: &ParsedItem) -> bool {
    let unnamed = a.guid.is_none() && a.link.is_none();
    a.guid == b.guid
        && a.link == b.link
        && (!unnamed || (a.enclosure == b.enclosure && a.published == b.published))
        && a.title == b.title
        && a.content_html == b.content_html
        && a.summary_html == b.summary_html
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
        assert!(w.iter().all(|w| w.contains("reused")), "{w:?}");
        // The same item twice is still one.
        let (a, w) = ids(vec![day(4, None), day(4, None)]);
        assert_eq!(a.len(), 1);
        assert!(w[0].contains("exact duplicate"), "{w:?}");
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
        assert!(w[0].contains("exact duplicate"), "{w:?}");
    }

    #[test]
    fn reused_guid_with_other_link_extends_key_with_link() {
        let (a, w) = ids(vec![
            item(Some("g"), Some("http://x.example/a"), "t", "c"),
            item(Some("g"), Some("http://x.example/b"), "u", "d"),
        ]);
        assert_eq!(a[0], derive_id("http://blog.example/", "g"));
        assert_eq!(
            a[1],
            derive_id("http://blog.example/", "g#http://x.example/b")
        );
        assert!(w[0].contains("reused"), "{w:?}");
    }

    #[test]
    fn reused_guid_with_same_link_extends_key_with_content_hash() {
        let second = item(Some("g"), Some("http://x.example/a"), "u", "d");
        let key = format!("g#{}", content_hash(&second));
        let (a, w) = ids(vec![
            item(Some("g"), Some("http://x.example/a"), "t", "c"),
            second,
        ]);
        assert_eq!(a[1], derive_id("http://blog.example/", &key));
        assert_eq!(w.len(), 1);
        assert_ne!(a[0], a[1]);
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
        assert_eq!(w.len(), 2, "{w:?}");
    }
}
