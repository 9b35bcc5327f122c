//! `kb parse`: what the parser and cleaner extract from one document; nothing is stored.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Ctx;
use super::sync::{Source, read_source};
use crate::args::ParseArgs;
use crate::pipeline::to_articles;

#[derive(Serialize)]
struct ParseJson<'a> {
    feed: FeedJson<'a>,
    items: Vec<ItemJson<'a>>,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct FeedJson<'a> {
    title: Option<String>,
    link: Option<&'a str>,
    description: Option<String>,
    language: Option<&'a str>,
    format: kb_parse::FeedFormat,
}

#[derive(Serialize)]
struct ItemJson<'a> {
    id: &'a str,
    guid: Option<&'a str>,
    title: &'a str,
    /// The link as the feed gives it (what feedparser calls the link).
    link: Option<&'a str>,
    /// The address behind a click-tracking redirect (`feedburner:origLink`): what kb stores
    /// as the article's URL.
    original_link: Option<&'a str>,
    author: Option<&'a str>,
    categories: &'a [String],
    #[serde(serialize_with = "super::json_date")]
    published: Option<DateTime<Utc>>,
    #[serde(serialize_with = "super::json_date")]
    updated: Option<DateTime<Utc>>,
    comments: Option<u64>,
    comments_url: Option<&'a str>,
    summary: &'a str,
    text: &'a str,
    links: &'a [String],
    enclosure: Option<&'a str>,
}

pub fn run(ctx: &Ctx, a: ParseArgs) -> Result<()> {
    let rules = ctx.rules()?;
    let source = Source::from_arg(&a.source);
    let raw = read_source(ctx, &source)?;
    let (feed, articles, _) = to_articles(
        Some("parse"),
        &raw.bytes,
        raw.final_url.as_deref(),
        raw.content_type.as_deref(),
        &rules,
    )
    .with_context(|| format!("cannot parse {}", source.display()))?;
    // What the response got wrong (a lying Content-Encoding) comes first: it came first.
    let warnings: Vec<String> = raw.warnings.iter().chain(&feed.warnings).cloned().collect();
    // The items as parsed, by id (unique within a document): the article's URL is the
    // address behind FeedBurner's redirect where the feed gives one, and the link as
    // published is shown beside it.
    let parsed: HashMap<&str, &kb_parse::ParsedItem> =
        feed.items.iter().map(|i| (i.id.as_str(), i)).collect();
    let items = articles
        .iter()
        .map(|x| {
            let item = parsed.get(x.id.as_str());
            let behind = item.is_some_and(|i| i.original_link.is_some());
            ItemJson {
                id: &x.id,
                guid: x.guid.as_deref(),
                title: &x.title,
                link: match behind {
                    true => item.and_then(|i| i.link.as_deref()),
                    false => x.url.as_deref(),
                },
                original_link: x.url.as_deref().filter(|_| behind),
                author: x.author.as_deref(),
                categories: &x.categories,
                published: x.published,
                updated: x.updated,
                comments: x.comments,
                comments_url: x.comments_url.as_deref(),
                summary: &x.summary,
                text: &x.text,
                links: &x.links,
                enclosure: x.enclosure.as_deref(),
            }
        })
        .collect();
    let json = ParseJson {
        feed: FeedJson {
            title: feed.title.as_deref().map(kb_clean::clean_inline),
            link: feed.link.as_deref(),
            description: feed.description.as_deref().map(kb_clean::clean_inline),
            language: feed.language.as_deref(),
            format: feed.format,
        },
        items,
        warnings: &warnings,
    };
    ctx.out.json(&json)
}
