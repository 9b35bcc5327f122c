//! The seed feed (smbITpros.com, WordPress 2.8.5, RSS 2.0; issue 3): exact metadata of all ten
//! items against `fixtures/golden/parse/smbitpros-metadata.json`, which was written from the
//! feed by an independent reader (Python's ElementTree and email.utils), not by this crate.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use kb_parse::{FeedFormat, ParseOptions, parse};
use serde_json::Value;

const SEED: &[u8] = include_bytes!("../../../fixtures/smbitpros.xml");
const GOLDEN: &str = include_str!("../../../fixtures/golden/parse/smbitpros-metadata.json");

/// The fields the golden file pins, in its order.
const FIELDS: [&str; 10] = [
    "title",
    "link",
    "guid",
    "guid_is_permalink",
    "author",
    "categories",
    "published",
    "comments_url",
    "comments_feed",
    "comments_count",
];

#[test]
fn seed_items_match_golden_metadata() {
    let feed = parse(SEED, &ParseOptions::default()).unwrap();
    let golden: Vec<Value> = serde_json::from_str(GOLDEN).unwrap();
    assert_eq!(feed.items.len(), 10);
    assert_eq!(golden.len(), 10);
    for (i, (item, want)) in feed.items.iter().zip(&golden).enumerate() {
        let got = serde_json::to_value(item).unwrap();
        for field in FIELDS {
            assert_eq!(got[field], want[field], "item {i} field {field}");
        }
    }
}

#[test]
fn seed_channel_metadata() {
    let feed = parse(SEED, &ParseOptions::default()).unwrap();
    assert_eq!(feed.format, FeedFormat::Rss);
    assert_eq!(feed.title.as_deref(), Some("smbITpros.com"));
    assert_eq!(feed.link.as_deref(), Some("http://smbitpros.com"));
    assert_eq!(
        feed.description.as_deref(),
        Some(
            "a resource for managed service providers, msp's, and other small business IT professionals"
        )
    );
    assert_eq!(feed.language.as_deref(), Some("en"));
    assert_eq!(feed.prev_archive, None);
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
}

#[test]
fn seed_items_carry_html_and_base() {
    let feed = parse(SEED, &ParseOptions::default()).unwrap();
    for item in &feed.items {
        let content = item.content_html.as_deref().unwrap();
        assert!(content.starts_with("<p>"), "{content:.40}");
        // CDATA is passed through as published; character references stay for the cleaner.
        assert!(item.summary_html.as_deref().unwrap().len() > 100);
        // Relative links in an item's HTML mean its own page.
        assert_eq!(item.base_url.as_deref(), item.link.as_deref());
    }
    let first = &feed.items[0];
    assert!(
        first
            .content_html
            .as_deref()
            .unwrap()
            .contains("&#8220;do you know")
    );
}

#[test]
fn seed_ids_are_stable_and_unique() {
    let a = parse(SEED, &ParseOptions::default()).unwrap();
    let b = parse(SEED, &ParseOptions::default()).unwrap();
    let ids: Vec<&str> = a.items.iter().map(|i| i.id.as_str()).collect();
    let again: Vec<&str> = b.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, again);
    let unique: std::collections::HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), 10);
    // The guid is an absolute URL, so the id does not depend on the feed (identity.rs rule 2).
    let moved = parse(
        SEED,
        &ParseOptions {
            source_url: Some("http://mirror.example/feed".into()),
            ..ParseOptions::default()
        },
    )
    .unwrap();
    assert_eq!(moved.items[0].id, a.items[0].id);
}
