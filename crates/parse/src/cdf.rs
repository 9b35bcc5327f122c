//! CDF, Microsoft's Channel Definition Format of 1997 (W3C NOTE-CDFsubmit-19970309), read
//! as feedparser reads it: Internet Explorer 4's "active channels", still found in old
//! archives and in feedparser's own suite.
//!
//! A `<CHANNEL>` holds `<ITEM>`s and may nest further channels (a site's sections); every
//! item, at any depth, is one article, in document order. Mapping:
//!
//! - channel and item `HREF` (attribute): the link, resolved against the nearest `BASE`
//!   attribute (CDF's own xml:base), then the document's address;
//! - `<TITLE>`: the title, its type guessed as RSS's is (`plain::as_html`, in `finish`); a
//!   `TITLE` attribute stands in for a missing element;
//! - `<ABSTRACT>`: the channel's description, an item's summary (plain text by the note, so
//!   its line breaks are kept);
//! - item `LASTMOD`: the item's update time, as feedparser has it; CDF has no publication
//!   date, so it dates the item too, as an Atom entry's `updated` does when it has no
//!   `published` (an undated article would sort last and fall out of `--since`). An
//!   unparsable one is left empty with a warning.
//!
//! Element and attribute names are matched without regard to case, as feedparser does: the
//! note writes them in capitals, hand-written channels often do not. `LOGO`, `USAGE`,
//! `SCHEDULE` and the other delivery instructions say nothing an archive keeps.

use url::Url;

use crate::dates::parse_date_or_warn;
use crate::model::{FeedFormat, ParsedFeed, ParsedItem};
use crate::plain;
use crate::tree::{self, Element};
use crate::urls::{parse_base, resolve};

/// Read a CDF document that `wellform` has checked.
pub(crate) fn read(
    xml: &str,
    source_url: Option<&str>,
    mut warnings: Vec<String>,
) -> Result<ParsedFeed, String> {
    let root = tree::build(xml)?;
    let base = with_base(parse_base(source_url), &root);
    let mut items = Vec::new();
    collect_items(&root, base.as_ref(), &mut items, &mut warnings);
    Ok(ParsedFeed {
        format: FeedFormat::Cdf,
        title: title(&root),
        link: attr(&root, "href").map(|h| resolve(base.as_ref(), h)),
        description: child(&root, "abstract").map(|a| plain::text_as_html(a.text())),
        language: attr(&root, "xml:lang").map(str::to_owned),
        prev_archive: None,
        items,
        warnings,
    })
}

/// Every item under `channel`, nested channels included, in document order. Recursive,
/// bounded by the depth `wellform` allows.
fn collect_items(
    channel: &Element,
    base: Option<&Url>,
    items: &mut Vec<ParsedItem>,
    warnings: &mut Vec<String>,
) {
    for el in channel.elements() {
        if is(el, "item") {
            let position = items.len() + 1;
            items.push(to_item(
                el,
                with_base(base.cloned(), el).as_ref(),
                position,
                warnings,
            ));
        } else if is(el, "channel") {
            collect_items(el, with_base(base.cloned(), el).as_ref(), items, warnings);
        }
    }
}

fn to_item(
    item: &Element,
    base: Option<&Url>,
    position: usize,
    warnings: &mut Vec<String>,
) -> ParsedItem {
    let updated = attr(item, "lastmod")
        .and_then(|d| parse_date_or_warn(d, &format!("item {position}"), "LASTMOD", warnings));
    ParsedItem {
        id: String::new(),
        guid: None,
        guid_is_permalink: false,
        title: title(item),
        link: attr(item, "href").map(|h| resolve(base, h)),
        enclosure: None,
        author: None,
        categories: Vec::new(),
        published: updated,
        updated,
        comments_url: None,
        comments_feed: None,
        original_link: None,
        comments_count: None,
        summary_html: child(item, "abstract").map(|a| plain::text_as_html(a.text())),
        content_html: None,
        base_url: base.map(Url::to_string),
    }
}

/// The `<TITLE>` child's text, else the `TITLE` attribute; `None` when both are blank.
fn title(el: &Element) -> Option<String> {
    child(el, "title")
        .map(Element::text)
        .or_else(|| attr(el, "title").map(str::to_owned))
        .filter(|t| !t.trim().is_empty())
}

/// Whether `el` is the CDF element `name` (lower case), in any case and no namespace.
fn is(el: &Element, name: &str) -> bool {
    el.ns.is_none() && el.local.eq_ignore_ascii_case(name)
}

fn child<'a>(el: &'a Element, name: &str) -> Option<&'a Element> {
    el.elements().find(|c| is(c, name))
}

/// The attribute `name` (lower case) in any case; blank counts as absent.
fn attr<'a>(el: &'a Element, name: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// `base` moved by the element's `BASE` attribute, if it has one that resolves.
fn with_base(base: Option<Url>, el: &Element) -> Option<Url> {
    match attr(el, "base") {
        Some(b) => parse_base(Some(&resolve(base.as_ref(), b))).or(base),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(xml: &str) -> ParsedFeed {
        read(xml, None, Vec::new()).expect("a CDF document")
    }

    #[test]
    fn items_at_any_depth_in_document_order_with_their_links_titles_and_dates() {
        let feed = parsed(
            r#"<CHANNEL HREF="http://example.test/" BASE="http://example.test/news/">
                 <TITLE>Example</TITLE><ABSTRACT>All the news</ABSTRACT>
                 <ITEM HREF="one.htm" LASTMOD="1998-11-05T22:12"><TITLE>One</TITLE>
                   <ABSTRACT>First</ABSTRACT></ITEM>
                 <CHANNEL BASE="http://example.test/sport/"><TITLE>Sport</TITLE>
                   <ITEM HREF="two.htm" LASTMOD="2004-04-06T23:05:43-05:00"><TITLE>Two</TITLE></ITEM>
                 </CHANNEL>
                 <item href="/three.htm" title="Three"/>
               </CHANNEL>"#,
        );
        assert_eq!(feed.format, FeedFormat::Cdf);
        assert_eq!(feed.title.as_deref(), Some("Example"));
        assert_eq!(feed.link.as_deref(), Some("http://example.test/"));
        assert_eq!(feed.description.as_deref(), Some("All the news"));
        let got: Vec<_> = feed
            .items
            .iter()
            .map(|i| (i.title.as_deref(), i.link.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (Some("One"), Some("http://example.test/news/one.htm")),
                (Some("Two"), Some("http://example.test/sport/two.htm")),
                (Some("Three"), Some("http://example.test/three.htm")),
            ]
        );
        assert_eq!(
            feed.items[1].updated.map(|d| d.to_rfc3339()),
            Some("2004-04-07T04:05:43+00:00".to_owned())
        );
        assert!(feed.items[0].updated.is_some(), "a date without seconds");
        assert_eq!(feed.items[0].summary_html.as_deref(), Some("First"));
    }

    #[test]
    fn an_unparsable_lastmod_is_left_empty_with_a_warning() {
        let feed = parsed(r#"<CHANNEL><ITEM HREF="http://e.test/" LASTMOD="soon"/></CHANNEL>"#);
        assert_eq!(feed.items[0].updated, None);
        assert!(
            feed.warnings.iter().any(|w| w.contains("LASTMOD")),
            "{:?}",
            feed.warnings
        );
    }
}
