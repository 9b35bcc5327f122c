//! The rules every format shares once its elements are mapped into the model: URL resolution,
//! the base URL handed to the cleaner, category clean-up and cap, the item cap, identity, and
//! text encoded as UTF-8 twice read as meant.
//!
//! Format readers fill `ParsedItem`s with values as published (an item's `base_url` holds its
//! `xml:base`, possibly relative) and leave `id` empty; `finish` does the rest, so the rules
//! are written once.

use crate::ParseOptions;
use crate::identity;
use crate::model::{FeedFormat, ParsedFeed, ParsedItem};
use crate::plain;
use crate::urls::{non_web_scheme, parse_base, resolve};

/// Apply the shared rules to a freshly mapped feed.
pub(crate) fn finish(mut feed: ParsedFeed, opts: &ParseOptions, utf8: bool) -> ParsedFeed {
    let source = parse_base(opts.source_url.as_deref());
    feed.title = trimmed(feed.title);
    feed.description = trimmed(feed.description);
    feed.language = trimmed(feed.language);
    let warnings = &mut feed.warnings;
    let link = trimmed(feed.link).map(|l| resolve(source.as_ref(), &l));
    // A feed link still relative once resolved (`/`, read from a file with no xml:base) leads
    // nowhere: dropped with a warning, like one with another scheme. It still scopes ids as
    // it did before it was dropped, so no id changes.
    let relative_link = link
        .clone()
        .filter(|l| parse_base(Some(l)).is_none() && non_web_scheme(l).is_none());
    feed.link = match relative_link.as_deref() {
        Some(shown) => {
            warnings.push(format!(
                "feed link {} is relative and there is no base to resolve it against, dropped",
                crate::quoted(shown)
            ));
            None
        }
        None => web_only(link, "feed link", warnings),
    };
    feed.prev_archive = web_only(
        trimmed(feed.prev_archive).map(|l| resolve(source.as_ref(), &l)),
        "feed prev-archive link",
        warnings,
    );
    // Relative item links are resolved against the site (like miniflux does), falling back to
    // the document URL.
    let feed_base = parse_base(feed.link.as_deref()).or(source);

    if feed.items.len() > opts.max_items {
        feed.warnings.push(format!(
            "{} items, only the first {} kept (max_items)",
            feed.items.len(),
            opts.max_items
        ));
        feed.items.truncate(opts.max_items);
    }

    let items = std::mem::take(&mut feed.items);
    let items: Vec<ParsedItem> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            finish_item(
                item,
                feed_base.as_ref(),
                feed.format,
                i + 1,
                opts.max_categories,
                &mut feed.warnings,
            )
        })
        .collect();
    feed.items = identity::assign_ids(
        items,
        feed.link.as_deref().or(relative_link.as_deref()),
        feed.title.as_deref(),
        feed.format == FeedFormat::Rdf,
        &mut feed.warnings,
    );
    // Titles become HTML for the cleaner only now: identity hashes the feed title (as a scope)
    // and item titles (for items without guid or link) as they were before this rule existed,
    // and ids must never change.
    let as_html: fn(String) -> String = match feed.format {
        // RSS leaves the type of a title open: guess, as feedparser does.
        FeedFormat::Rss | FeedFormat::Rdf | FeedFormat::Cdf => plain::as_html,
        // JSON Feed titles are plain text by the spec.
        FeedFormat::JsonFeed => plain::escaped,
        // Atom text constructs were made HTML by their stated type.
        FeedFormat::Atom => |s| s,
    };
    feed.title = feed.title.map(as_html);
    for item in &mut feed.items {
        item.title = item.title.take().map(as_html);
    }
    if utf8 {
        undo_double_utf8(&mut feed);
    }
    feed
}

/// UTF-8 encoded twice ("ordenÃ³"), undone in each text a reader sees, as feedparser undoes
/// it in every element of a document read as UTF-8 (see [`crate::decode::undo_double_utf8`]),
/// with one warning for them all. After identity, like the titles' HTML: an id hashed from a
/// title or the feed's title stays what it was.
fn undo_double_utf8(feed: &mut ParsedFeed) {
    let undo = |text: &mut String| match crate::decode::undo_double_utf8(text) {
        Some(meant) => {
            *text = meant;
            1
        }
        None => 0,
    };
    let mut undone: usize = [&mut feed.title, &mut feed.description]
        .into_iter()
        .flatten()
        .map(undo)
        .sum();
    for item in &mut feed.items {
        let texts = [
            &mut item.title,
            &mut item.author,
            &mut item.summary_html,
            &mut item.content_html,
        ];
        undone += texts.into_iter().flatten().map(undo).sum::<usize>();
        undone += item.categories.iter_mut().map(undo).sum::<usize>();
    }
    if undone > 0 {
        feed.warnings.push(format!(
            "{undone} texts were UTF-8 encoded twice (\"Ã©\" for \"é\"), read as meant"
        ));
    }
}

fn finish_item(
    mut item: ParsedItem,
    feed_base: Option<&url::Url>,
    format: FeedFormat,
    position: usize,
    max_categories: usize,
    warnings: &mut Vec<String>,
) -> ParsedItem {
    // xml:base may itself be relative (XML Base §4.1): resolve it against the feed's base.
    let xml_base = trimmed(item.base_url.take()).map(|b| resolve(feed_base, &b));
    let base = parse_base(xml_base.as_deref()).or_else(|| feed_base.cloned());
    // An Atom item's base is its content's (or summary's), which scopes only the HTML in that
    // element; the reader has resolved the entry's links against every xml:base that applies
    // to them, so what is still relative takes the feed's base.
    let links_base = if format == FeedFormat::Atom {
        feed_base
    } else {
        base.as_ref()
    };
    let mut resolve_opt = |v: Option<String>, what: &str| {
        let resolved = trimmed(v).map(|l| resolve(links_base, &l));
        web_only(resolved, &format!("item {position}: {what}"), warnings)
    };
    item.link = resolve_opt(item.link.take(), "link");
    item.comments_url = resolve_opt(item.comments_url.take(), "comments link");
    item.comments_feed = resolve_opt(item.comments_feed.take(), "comments feed link");
    item.original_link = resolve_opt(item.original_link.take(), "original link")
        .filter(|original| item.link.as_ref() != Some(original));
    // An enclosure only identifies (no one is sent to it), so one that is not a web address
    // is dropped without a word.
    item.enclosure = trimmed(item.enclosure.take())
        .map(|e| resolve(links_base, &e))
        .filter(|e| e.starts_with("http://") || e.starts_with("https://"));
    // An RSS or JSON item's HTML was written for its own page: a relative link in it
    // (`attachment.pdf` in a Hugo page bundle, `/2024/04/post/` in a planet's copy of
    // someone's post) means what it means there, as a browser reads it and miniflux resolves
    // it. Atom says the base is xml:base or the document's address (RFC 4287 §2), and
    // xml:base given anywhere says so explicitly: those stay. The page is the article's own
    // address, not FeedBurner's redirect in front of it.
    let page = (format != FeedFormat::Atom && xml_base.is_none())
        .then(|| parse_base(item.original_link.as_deref().or(item.link.as_deref())))
        .flatten()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    item.base_url = page.or(base).map(|b| b.to_string()).or(xml_base);
    item.title = trimmed(item.title);
    item.author = trimmed(item.author);
    item.guid = item.guid.filter(|g| !g.trim().is_empty());
    item.categories = clean_categories(std::mem::take(&mut item.categories));
    if item.categories.len() > max_categories {
        warnings.push(format!(
            "item {position}: {} categories, only the first {max_categories} kept (max_categories)",
            item.categories.len()
        ));
        item.categories.truncate(max_categories);
    }
    item
}

/// `link` unless it has a scheme other than http(s) once resolved, which is dropped with a
/// warning: kb promises never to plant script, and a `javascript:` article URL would be one
/// wherever a viewer makes it a link.
fn web_only(link: Option<String>, what: &str, warnings: &mut Vec<String>) -> Option<String> {
    let link = link?;
    match non_web_scheme(&link) {
        Some(scheme) => {
            warnings.push(format!(
                "{what} {} is not an http(s) address ({scheme}:), dropped",
                crate::quoted(&link)
            ));
            None
        }
        None => Some(link),
    }
}

/// Categories: order kept, trimmed, empty dropped, case-insensitive duplicates removed keeping
/// the first spelling.
fn clean_categories(categories: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    categories
        .into_iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty() && seen.insert(c.to_lowercase()))
        .collect()
}

fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_trimmed_deduplicated_in_order() {
        let got = clean_categories(
            ["MSP", " Sales ", "", "msp", "  ", "Sales", "Zeta"]
                .map(String::from)
                .to_vec(),
        );
        assert_eq!(got, ["MSP", "Sales", "Zeta"]);
    }
}
