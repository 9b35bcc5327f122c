//! Every fixture under `fixtures/feeds/` against its golden file
//! `fixtures/golden/parse/<stem>.json` (issue 5 point 9): one per format, character set,
//! malformation, date form, URL base and small hostile case.
//!
//! The golden JSON has the shape of `kb parse --json` (crates/cli/src/cmd/parse.rs), built here
//! from `ParsedFeed` and `kb_clean::to_article`, so a golden shows what a user sees: decoded
//! characters, dates in UTC, absolute links, cleaned text and every warning. A parse that fails
//! is golden too, as `{"error": "..."}`.
//!
//! `UPDATE_GOLDEN=1 cargo test -p kb-parse --test golden` rewrites the goldens; review the diff
//! by eye like code: a golden must be right, not just what the code produced.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use kb_parse::{FeedFormat, ParseOptions, parse};
use serde::Serialize;
use serde_json::json;

/// What a fixture was "fetched" with, for the cases that need HTTP context. A file has none,
/// so this table is the one place it is given; every other fixture parses with the defaults.
const FETCHED: &[(&str, Option<&str>, Option<&str>)] = &[
    // (stem, Content-Type header, fetched-from URL)
    (
        "charset-http-overrides-declaration",
        Some("application/rss+xml; charset=ISO-8859-1"),
        None,
    ),
    (
        "urls-source-url",
        None,
        Some("http://example.com/blog/feed/"),
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn options(stem: &str) -> ParseOptions {
    let mut opts = ParseOptions::default();
    if let Some((_, content_type, source_url)) = FETCHED.iter().find(|(s, ..)| *s == stem) {
        opts.content_type = content_type.map(str::to_owned);
        opts.source_url = source_url.map(str::to_owned);
    }
    opts
}

/// `kb parse --json` for one document, field for field and in its order (cmd/parse.rs).
#[derive(Serialize)]
struct ParseJson {
    feed: FeedJson,
    items: Vec<ItemJson>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct FeedJson {
    title: Option<String>,
    link: Option<String>,
    description: Option<String>,
    language: Option<String>,
    format: FeedFormat,
}

#[derive(Serialize)]
struct ItemJson {
    id: String,
    guid: Option<String>,
    title: String,
    link: Option<String>,
    original_link: Option<String>,
    author: Option<String>,
    categories: Vec<String>,
    published: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
    comments: Option<u64>,
    comments_url: Option<String>,
    summary: String,
    text: String,
    links: Vec<String>,
}

fn parse_json(bytes: &[u8], opts: &ParseOptions) -> String {
    let feed = match parse(bytes, opts) {
        Ok(feed) => feed,
        Err(err) => {
            return serde_json::to_string_pretty(&json!({ "error": err.to_string() })).unwrap();
        }
    };
    let items = feed
        .items
        .iter()
        .map(|item| {
            let a = kb_clean::to_article("parse", item);
            // As the CLI shows them: the link as published, the article's URL beside it
            // where that is the address behind a redirect.
            let behind = item.original_link.is_some();
            ItemJson {
                id: a.id,
                guid: a.guid,
                title: a.title,
                link: if behind {
                    item.link.clone()
                } else {
                    a.url.clone()
                },
                original_link: a.url.filter(|_| behind),
                author: a.author,
                categories: a.categories,
                published: a.published,
                updated: a.updated,
                comments: a.comments,
                comments_url: a.comments_url,
                summary: a.summary,
                text: a.text,
                links: a.links,
            }
        })
        .collect();
    let json = ParseJson {
        feed: FeedJson {
            title: feed.title.as_deref().map(kb_clean::clean_inline),
            link: feed.link,
            description: feed.description.as_deref().map(kb_clean::clean_inline),
            language: feed.language,
            format: feed.format,
        },
        items,
        warnings: feed.warnings,
    };
    // Straight from the structs: a `Value` would sort the keys, the CLI does not.
    serde_json::to_string_pretty(&json).unwrap()
}

#[test]
fn every_fixture_matches_its_golden() {
    let feeds = root().join("fixtures/feeds");
    let golden_dir = root().join("fixtures/golden/parse");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut paths: Vec<PathBuf> = fs::read_dir(&feeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 30, "fixtures missing from {feeds:?}");
    for (stem, ..) in FETCHED {
        assert!(
            paths.iter().any(|p| p.file_stem().unwrap() == *stem),
            "FETCHED names a missing fixture {stem}"
        );
    }

    let mut failures = Vec::new();
    for path in &paths {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let mut text = parse_json(&fs::read(path).unwrap(), &options(stem));
        text.push('\n');
        let golden = golden_dir.join(format!("{stem}.json"));
        if update {
            fs::write(&golden, &text).unwrap();
            continue;
        }
        match fs::read_to_string(&golden) {
            Ok(want) if want == text => {}
            Ok(want) => failures.push(format!(
                "{stem}: output differs from {}\n--- want\n{want}\n--- got\n{text}",
                golden.display()
            )),
            Err(_) => failures.push(format!("{stem}: no golden at {}", golden.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ (UPDATE_GOLDEN=1 rewrites, then review the diff):\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
