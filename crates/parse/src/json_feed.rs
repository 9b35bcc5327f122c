//! JSON Feed 1.0 and 1.1 (<https://www.jsonfeed.org/version/1.1/>) mapped into the model.
//!
//! Read through `serde_json::Value` rather than strict structs, so one field of the wrong type
//! (an `id` given as a number, a `tags` string) costs that field, not the feed. serde_json
//! refuses nesting deeper than 128 levels, which bounds its recursion.
//!
//! Mapping: `id` -> guid (JSON Feed: "unique for that item for that feed over time"), `url` ->
//! link (else `external_url`), `content_html` over `content_text` (escaped), `summary` (plain
//! text, escaped) -> summary, `date_published` / `date_modified` (RFC 3339), `authors` (1.1) or
//! `author` (1.0) names, else the feed's, `tags` -> categories, `language` (1.1).

use serde_json::Value;

use crate::dates::parse_date_or_warn;
use crate::model::{FeedFormat, ParsedFeed, ParsedItem};
use crate::plain::escaped;

/// Read a JSON Feed. `Err` says why the document is not one.
pub(crate) fn read(text: &str, mut warnings: Vec<String>) -> Result<ParsedFeed, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("invalid json: {e}"))?;
    let version = string(&root, "version").unwrap_or_default();
    // The spec writes https://jsonfeed.org/version/1.1; publishers also write http:// and
    // www, or the number alone ("1.1", as gofeed's tests do: it was warned of as unknown, and
    // read as 1.1 all the same). A JSON document with an `items` list is read too, with a
    // warning: what else would a feed URL serve?
    let bare = matches!(version.trim(), "1" | "1.0" | "1.1");
    let known = bare
        || version
            .to_ascii_lowercase()
            .split_once("://")
            .is_some_and(|(scheme, rest)| {
                matches!(scheme, "http" | "https")
                    && rest
                        .trim_start_matches("www.")
                        .starts_with("jsonfeed.org/version/")
            });
    if !known {
        if !root.get("items").is_some_and(Value::is_array) {
            return Err(format!(
                "json without a JSON Feed version (got {version:?}) and no items list"
            ));
        }
        warnings.push(format!(
            "JSON Feed version {version:?} unknown; read as JSON Feed 1.1"
        ));
    }
    let feed_authors = authors(&root);
    // A relative item `url` resolves against the home page (in `finish`, as for every
    // format); a feed without one still says where it lives in `feed_url`.
    let feed_url = string(&root, "home_page_url")
        .is_none()
        .then(|| crate::urls::parse_base(string(&root, "feed_url").as_deref()))
        .flatten();
    // One item written as an object instead of a list of one is read, with a warning; any
    // other `items` is reported, never dropped silently.
    let one: Vec<Value>;
    let list: &[Value] = match root.get("items") {
        Some(Value::Array(list)) => list,
        Some(item @ Value::Object(_)) => {
            warnings.push("\"items\" is an object, not a list: read as a list of one item".into());
            one = vec![item.clone()];
            &one
        }
        Some(other) => {
            warnings.push(format!(
                "\"items\" is {}, not a list of items: no items read",
                json_kind(other)
            ));
            &[]
        }
        None => {
            warnings.push("no \"items\" list: the feed is empty".into());
            &[]
        }
    };
    let mut items = Vec::with_capacity(list.len());
    for (i, entry) in list.iter().enumerate() {
        // An entry that is no object is no item (not an empty article with an id of its
        // own): skipped with a warning, as an unreadable XML item is.
        if !entry.is_object() {
            warnings.push(format!(
                "item {} is {}, not an object: skipped",
                i + 1,
                json_kind(entry)
            ));
            continue;
        }
        let mut item = to_item(entry, &feed_authors, i + 1, &mut warnings);
        if let Some(base) = &feed_url {
            item.link = item.link.map(|l| crate::urls::resolve(Some(base), &l));
        }
        items.push(item);
    }
    Ok(ParsedFeed {
        format: FeedFormat::JsonFeed,
        title: string(&root, "title"),
        link: string(&root, "home_page_url"),
        description: string(&root, "description"),
        language: string(&root, "language"),
        prev_archive: None,
        items,
        warnings,
    })
}

fn to_item(
    item: &Value,
    feed_authors: &[String],
    position: usize,
    warnings: &mut Vec<String>,
) -> ParsedItem {
    let place = format!("item {position}");
    let mut date = |field: &str| parse_date_or_warn(&string(item, field)?, &place, field, warnings);
    let published = date("date_published");
    let updated = date("date_modified");
    // JSON Feed 1.1: the top-level authors are an item's only when it has none of its own;
    // an own author without a name (a `url` alone) stays unnamed.
    let own = match (item.get("authors"), item.get("author")) {
        (Some(Value::Array(list)), _) => !list.is_empty(),
        (Some(Value::Object(_)), _) | (_, Some(Value::Object(_))) => true,
        _ => false,
    };
    let mut authors = authors(item);
    if authors.is_empty() && !own {
        authors = feed_authors.to_vec();
    }
    ParsedItem {
        id: String::new(),
        guid: string(item, "id"),
        guid_is_permalink: false,
        title: string(item, "title"),
        link: link(item, position, warnings),
        enclosure: item
            .get("attachments")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find_map(|att| string(att, "url"))),
        author: (!authors.is_empty()).then(|| authors.join(", ")),
        // A single tag written as a string, not a list of one, is still the item's tag.
        categories: match item.get("tags") {
            Some(Value::Array(tags)) => tags.iter().filter_map(scalar).collect(),
            Some(tag @ Value::String(_)) => scalar(tag).into_iter().collect(),
            _ => Vec::new(),
        },
        published,
        updated,
        comments_url: None,
        comments_feed: None,
        original_link: None,
        comments_count: None,
        summary_html: string(item, "summary").map(escaped),
        content_html: string(item, "content_html")
            .or_else(|| string(item, "content_text").map(crate::plain::text_as_html)),
        base_url: None,
    }
}

/// `url`, else `external_url`. A `url` that is not a web address (`javascript:`) gives way to
/// an `external_url` that is, with a warning; left alone, `finish` drops it with its own.
fn link(item: &Value, position: usize, warnings: &mut Vec<String>) -> Option<String> {
    let url = string(item, "url");
    let external = string(item, "external_url");
    match (url, external) {
        (Some(url), Some(external))
            if crate::urls::non_web_scheme(&url).is_some()
                && crate::urls::non_web_scheme(&external).is_none() =>
        {
            warnings.push(format!(
                "item {position}: url {} is not an http(s) address, external_url used",
                crate::quoted(&url)
            ));
            Some(external)
        }
        (url, external) => url.or(external),
    }
}

/// `authors[].name` (1.1) or `author.name` (1.0).
fn authors(v: &Value) -> Vec<String> {
    // `authors` written as one object, not a list of one, is that author.
    let list = match (v.get("authors"), v.get("author")) {
        (Some(Value::Array(list)), _) => list.iter().collect(),
        (Some(one @ Value::Object(_)), _) | (_, Some(one)) => vec![one],
        _ => vec![],
    };
    list.into_iter().filter_map(|a| string(a, "name")).collect()
}

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(scalar).filter(|s| !s.trim().is_empty())
}

/// What kind of JSON value `v` is, for a warning.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Strings as they are; numbers as their decimal form (ids are sometimes numbers).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
