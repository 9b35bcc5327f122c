//! RSS 0.91, 0.92, 2.0 and RSS 0.90 / 1.0 (RDF) through the `rss` crate, mapped into the model.
//!
//! The `rss` crate reads the elements of the RSS 2.0 specification
//! (<https://www.rssboard.org/rss-specification>) and keeps every namespaced element as an
//! extension; this adapter picks the modules feeds use: `content:encoded` (RSS content module),
//! Dublin Core (`dc:creator`, `dc:date`, `dc:subject`), `wfw:commentRss` (Well-Formed Web
//! CommentAPI), `slash:comments` (Slash module), and Atom's `atom:link rel="prev-archive"`
//! (RFC 5005) and `atom:updated`.
//! The raw `rss` types never leave this module.

use ::rss::extension::{Extension, ExtensionMap};
use ::rss::{Channel, Item};
use std::collections::BTreeMap;

use crate::dates::parse_date;
use crate::model::{FeedFormat, ParsedFeed, ParsedItem};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const WFW_NS: &str = "http://wellformedweb.org/CommentAPI/";
const DCTERMS_NS: &str = "http://purl.org/dc/terms/";
const SLASH_NS: &str = "http://purl.org/rss/1.0/modules/slash/";

/// Read a well-formed RSS or RDF document. `Err` carries the `rss` crate's reason.
pub(crate) fn read(
    xml: &str,
    format: FeedFormat,
    warnings: Vec<String>,
) -> Result<ParsedFeed, String> {
    match Channel::read_from(xml.as_bytes()) {
        Ok(channel) => Ok(to_feed(&channel, format, warnings)),
        // A root with no channel (`<rss></rss>`) is an empty feed, not a broken one.
        Err(::rss::Error::Eof) if !xml.contains("<channel") => {
            let mut warnings = warnings;
            warnings.push("no <channel> element: the feed is empty".into());
            Ok(ParsedFeed {
                format,
                title: None,
                link: None,
                description: None,
                language: None,
                prev_archive: None,
                items: Vec::new(),
                warnings,
            })
        }
        Err(err) => Err(format!("rss: {err}")),
    }
}

fn to_feed(channel: &Channel, format: FeedFormat, mut warnings: Vec<String>) -> ParsedFeed {
    let ns = channel.namespaces();
    let prev_archive = extensions(channel.extensions(), ns, ATOM_NS, "link")
        .find(|link| link.attrs.get("rel").map(String::as_str) == Some("prev-archive"))
        .and_then(|link| link.attrs.get("href").cloned());
    let language = non_empty(channel.language()).or_else(|| {
        channel
            .dublin_core_ext()
            .and_then(|dc| dc.languages().first().cloned())
    });
    let items = channel
        .items()
        .iter()
        .enumerate()
        .map(|(i, item)| to_item(item, ns, i + 1, &mut warnings))
        .collect();
    ParsedFeed {
        format,
        title: non_empty(Some(channel.title())),
        link: non_empty(Some(channel.link())),
        description: non_empty(Some(channel.description())),
        language,
        prev_archive,
        items,
        warnings,
    }
}

fn to_item(
    item: &Item,
    ns: &BTreeMap<String, String>,
    position: usize,
    warnings: &mut Vec<String>,
) -> ParsedItem {
    let dc = item.dublin_core_ext();
    let dc_first = |pick: fn(&::rss::extension::dublincore::DublinCoreExtension) -> &[String]| {
        dc.and_then(|dc| pick(dc).iter().find(|v| !v.trim().is_empty()).cloned())
    };

    // RSS 2.0: `author` is an email address ("lawyer@boyer.net (Lawyer Boyer)"); WordPress and
    // most blogs put the display name in `dc:creator`, which is preferred.
    let author = dc
        .map(|dc| {
            dc.creators()
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|a| !a.is_empty())
        .map(|a| display_name(&a))
        .or_else(|| item.author().map(display_name))
        .or_else(|| item.itunes_ext().and_then(|i| i.author()).map(display_name));

    let mut categories: Vec<String> = item.categories().iter().map(|c| c.name.clone()).collect();
    if let Some(dc) = dc {
        categories.extend(dc.subjects().iter().cloned());
    }

    let mut date = |field: &str, raw: Option<String>| {
        let raw = raw?;
        let parsed = parse_date(&raw);
        if parsed.is_none() {
            warnings.push(format!(
                "item {position}: unparsable {field} {raw:?}, left empty"
            ));
        }
        parsed
    };
    let published = match non_empty(item.pub_date()) {
        Some(raw) => date("pubDate", Some(raw)),
        None => match dc_first(|dc| dc.dates()) {
            Some(raw) => date("dc:date", Some(raw)),
            None => date(
                "dcterms:issued",
                extension_value(item.extensions(), ns, DCTERMS_NS, "issued")
                    .or_else(|| extension_value(item.extensions(), ns, DCTERMS_NS, "created")),
            ),
        },
    };
    let updated = match extension_value(item.extensions(), ns, ATOM_NS, "updated") {
        Some(raw) => date("atom:updated", Some(raw)),
        None => date(
            "dcterms:modified",
            extension_value(item.extensions(), ns, DCTERMS_NS, "modified"),
        ),
    };

    let comments_count = extension_value(item.extensions(), ns, SLASH_NS, "comments")
        .and_then(|n| n.trim().parse::<u64>().ok());

    // RSS 2.0: "isPermaLink is optional, its default value is true".
    let guid = item.guid().map(|g| g.value().to_owned());
    let guid_is_permalink = item.guid().is_some_and(|g| g.is_permalink());
    // RSS 2.0: with isPermaLink true the guid is the item's URL; use it when `link` is missing.
    let link = non_empty(item.link()).or_else(|| {
        guid.as_deref()
            .filter(|g| guid_is_permalink && g.trim().starts_with("http"))
            .map(str::to_owned)
    });

    ParsedItem {
        id: String::new(),
        guid,
        guid_is_permalink,
        title: item.title().map(str::to_owned),
        link,
        author,
        categories,
        published,
        updated,
        comments_url: non_empty(item.comments()),
        comments_feed: extension_value(item.extensions(), ns, WFW_NS, "commentRss"),
        comments_count,
        summary_html: item.description().map(str::to_owned),
        content_html: item.content().map(str::to_owned),
        base_url: None,
    }
}

/// The name in `"lawyer@boyer.net (Lawyer Boyer)"`, `"Lawyer Boyer (lawyer@boyer.net)"` or
/// `"Lawyer Boyer <lawyer@boyer.net>"`; anything else as published.
fn display_name(author: &str) -> String {
    let author = author.trim();
    for (open, close) in [('(', ')'), ('<', '>')] {
        if let (Some(at), Some(rest)) = (author.find(open), author.strip_suffix(close)) {
            let (outside, inside) = (author[..at].trim(), rest[at + 1..].trim());
            match (outside.contains('@'), inside.contains('@')) {
                (true, false) if !inside.is_empty() => return inside.to_owned(),
                (false, true) if !outside.is_empty() => return outside.to_owned(),
                _ => {}
            }
        }
    }
    author.to_owned()
}

/// Extensions named `name` whose prefix maps to `namespace` (the `rss` crate keys unknown
/// extensions by prefix, so the prefix a feed chose must be looked up).
fn extensions<'a>(
    map: &'a ExtensionMap,
    ns: &'a BTreeMap<String, String>,
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'a Extension> + 'a {
    map.iter()
        .filter(move |(prefix, _)| ns.get(*prefix).map(String::as_str) == Some(namespace))
        .filter_map(move |(_, by_name)| by_name.get(name))
        .flatten()
}

fn extension_value(
    map: &ExtensionMap,
    ns: &BTreeMap<String, String>,
    namespace: &str,
    name: &str,
) -> Option<String> {
    extensions(map, ns, namespace, name)
        .find_map(|e| e.value.clone())
        .filter(|v| !v.trim().is_empty())
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_email_with_name_gives_name() {
        assert_eq!(
            display_name("lawyer@boyer.net (Lawyer Boyer)"),
            "Lawyer Boyer"
        );
        assert_eq!(display_name("Mike"), "Mike");
        assert_eq!(display_name("Mike (the admin)"), "Mike (the admin)");
        assert_eq!(
            display_name("Lawyer Boyer (lawyer@boyer.net)"),
            "Lawyer Boyer"
        );
        assert_eq!(
            display_name("Lawyer Boyer <lawyer@boyer.net>"),
            "Lawyer Boyer"
        );
    }
}
