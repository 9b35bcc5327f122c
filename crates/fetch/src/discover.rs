//! Telling a web page from a feed, and finding the feeds a page links to
//! (issue 4.1: `kb feed add` accepts a blog's home page).

use scraper::{Html, Selector};
use url::Url;

use crate::RawFeed;

/// The `type`s of `<link rel="alternate">` that announce a feed and nothing
/// else: RSS, Atom and JSON Feed (jsonfeed.org/version/1.1 names
/// application/feed+json).
const FEED_TYPES: [&str; 3] = [
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
];

/// Types that announce feeds too, but not only feeds: RSS 1.0
/// (application/rdf+xml), JSON Feed 1.0 (whose spec said application/json,
/// still used by micro.blog and many Hugo themes), and XML in general.
/// Candidates of these types come after those of `FEED_TYPES`.
const OTHER_FEED_TYPES: [&str; 4] = [
    "application/json",
    "text/xml",
    "application/xml",
    "application/rdf+xml",
];

/// The feeds an HTML page announces with `<link rel="alternate" href>` of
/// type application/rss+xml, atom+xml or feed+json, or of a type that also
/// names other documents (application/json, application/rdf+xml, text/xml,
/// application/xml), as absolute http(s) URLs, in document order, without
/// duplicates.
///
/// Relative `href`s resolve against the page's `<base href>` if it has one
/// (HTML Living Standard §4.2.3), else against `base`, the page's own URL.
pub fn discover_feeds(html: &str, base: &str) -> Vec<String> {
    links(html, base).into_iter().map(|(_, l)| l.url).collect()
}

/// One feed a web page announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    /// Absolute http(s) URL.
    pub url: String,
    /// The link's `title`, trimmed, if it has a non-empty one.
    pub title: Option<String>,
}

impl FeedLink {
    /// How much of a side feed this looks like: 0 for the site's main feed,
    /// 1 for a category or tag feed, 2 for a comments feed. WordPress and most
    /// blog engines announce "Comments Feed" and category feeds next to the
    /// main one, and not always after it.
    fn rank(&self) -> u8 {
        let title = self.title.as_deref().unwrap_or_default().to_lowercase();
        let path = url::Url::parse(&self.url)
            .map(|u| format!("{}?{}", u.path(), u.query().unwrap_or_default()).to_lowercase())
            .unwrap_or_default();
        let has = |words: &[&str]| words.iter().any(|w| title.contains(w) || path.contains(w));
        // Whole words of the title: "Vintage" is no tag feed.
        let title_says = |words: &[&str]| {
            title
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| words.contains(&w))
        };
        if has(&["comment", "kommentar", "commentaire", "comentario"]) {
            2
        } else if has(&["/category/", "/tag/", "/tags/", "cat="])
            || title_says(&["category", "categories", "tag", "tags"])
        {
            1
        } else {
            0
        }
    }
}

/// The feeds an HTML page announces (as `discover_feeds` finds them), the
/// likeliest first: those typed RSS, Atom or JSON Feed before those of a type
/// that also names other documents (application/json, text/xml, ...); within
/// each, the main ones first: a link whose title or URL says it is a comments
/// feed comes last, a category or tag feed before those; document order
/// otherwise. `kb feed add` takes the first that reads.
pub fn discover_feed_links(html: &str, base: &str) -> Vec<FeedLink> {
    let mut links = links(html, base);
    // Stable: document order within each kind and rank.
    links.sort_by_key(|(generic, link)| (*generic, link.rank()));
    links.into_iter().map(|(_, link)| link).collect()
}

/// Which kind of feed type `type` names, if any: false for one of
/// `FEED_TYPES`, true for one of `OTHER_FEED_TYPES`.
fn feed_type(t: &str) -> Option<bool> {
    // A type may carry parameters such as "; charset=utf-8".
    let essence = t.split(';').next().unwrap_or_default().trim();
    let is = |types: &[&str]| types.iter().any(|f| essence.eq_ignore_ascii_case(f));
    if is(&FEED_TYPES) {
        Some(false)
    } else if is(&OTHER_FEED_TYPES) {
        Some(true)
    } else {
        None
    }
}

/// WordPress (4.4 and later) announces each page's REST API document as an
/// application/json alternate: JSON, but never a feed.
fn is_wordpress_api(url: &Url) -> bool {
    url.path().contains("/wp-json/")
        || url
            .query_pairs()
            .any(|(k, _)| k.eq_ignore_ascii_case("rest_route"))
}

/// The feed links of a page, in document order, each with whether its type
/// is a generic one (see `feed_type`).
fn links(html: &str, base: &str) -> Vec<(bool, FeedLink)> {
    let document = Html::parse_document(html);
    let page = Url::parse(base).ok();
    let base = selector("base[href]")
        .and_then(|s| document.select(&s).next())
        .and_then(|el| el.value().attr("href"))
        .and_then(|href| match &page {
            Some(page) => page.join(href.trim()).ok(),
            None => Url::parse(href.trim()).ok(),
        })
        .or(page);
    let Some(links) = selector("link[rel][href][type]") else {
        return Vec::new();
    };
    let mut feeds: Vec<(bool, FeedLink)> = Vec::new();
    for link in document.select(&links) {
        // A template's content is no part of the document (HTML §4.12.3): browsers neither
        // render nor apply it until a script copies it in.
        let in_template = link.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| e.name() == "template")
        });
        if in_template {
            continue;
        }
        let el = link.value();
        // rel is a space-separated, case-insensitive token list (HTML §4.6.7).
        let alternate = el.attr("rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|t| t.eq_ignore_ascii_case("alternate"))
        });
        let Some(generic) = el.attr("type").and_then(feed_type) else {
            continue;
        };
        if !alternate {
            continue;
        }
        let href = el.attr("href").unwrap_or_default().trim();
        let resolved = match &base {
            Some(base) => base.join(href),
            None => Url::parse(href),
        };
        let Ok(url) = resolved else { continue };
        if !matches!(url.scheme(), "http" | "https") || generic && is_wordpress_api(&url) {
            continue;
        }
        let url = url.to_string();
        if !feeds.iter().any(|(_, f)| f.url == url) {
            let title = el
                .attr("title")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            feeds.push((generic, FeedLink { url, title }));
        }
    }
    feeds
}

/// True when `raw` holds a web page rather than a feed.
///
/// The bytes decide first, because feeds are often served with the wrong
/// `Content-Type` (text/html, text/plain): the first markup after any BOM,
/// XML declaration, processing instruction or comment is looked at. Only when
/// that is inconclusive does the `Content-Type` decide.
pub fn looks_like_html(raw: &RawFeed) -> bool {
    match sniff(&raw.bytes) {
        Some(Sniffed::Html) => true,
        Some(Sniffed::Feed) => false,
        None => raw.content_type.as_deref().is_some_and(|ct| {
            let essence = ct.split(';').next().unwrap_or_default().trim();
            essence.eq_ignore_ascii_case("text/html")
                || essence.eq_ignore_ascii_case("application/xhtml+xml")
        }),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Sniffed {
    Html,
    Feed,
}

/// Looks at the start of a document, the way browsers sniff (WHATWG MIME
/// Sniffing §7.1), but only for the two answers kb needs.
fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    let mut rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Enough to get past a long comment or stylesheet instruction; a page
    // whose first tag comes later than this is left to the Content-Type.
    for _ in 0..32 {
        rest = rest.trim_ascii_start();
        if rest.starts_with(b"<?") {
            rest = skip_past(rest, b"?>")?;
        } else if rest.starts_with(b"<!--") {
            rest = skip_past(rest, b"-->")?;
        } else if rest.len() >= 9
            && rest[..9].eq_ignore_ascii_case(b"<!doctype")
            && !starts_with_ignore_case(rest[9..].trim_ascii_start(), b"html")
        {
            // RSS 0.91's `<!DOCTYPE rss PUBLIC ...>`: the root element comes next.
            rest = skip_past(rest, b">")?;
        } else {
            break;
        }
    }
    if rest.first() == Some(&b'{') {
        return Some(Sniffed::Feed); // JSON Feed
    }
    let head: Vec<u8> = rest.iter().take(16).map(u8::to_ascii_lowercase).collect();
    let starts = |tag: &[u8]| {
        head.starts_with(tag)
            && head
                .get(tag.len())
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b':')
    };
    if starts(b"<!doctype html") || starts(b"<html") || starts(b"<head") || starts(b"<body") {
        Some(Sniffed::Html)
    } else if starts(b"<rss") || starts(b"<feed") || starts(b"<rdf") {
        Some(Sniffed::Feed)
    } else if has_xml_declaration_soon(rest) {
        // PHP prints a warning as HTML (`<br />\n<b>Warning</b>: ...`) before a WordPress
        // feed, and the server then calls it text/html: the feed starts at its declaration.
        Some(Sniffed::Feed)
    } else {
        None
    }
}

/// An XML declaration within the first 4 KiB: a page never has one after other markup.
fn has_xml_declaration_soon(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(4096)]
        .windows(5)
        .any(|w| w == b"<?xml")
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn skip_past<'a>(bytes: &'a [u8], end: &[u8]) -> Option<&'a [u8]> {
    bytes
        .windows(end.len())
        .position(|w| w == end)
        .map(|i| &bytes[i + end.len()..])
}

fn selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Validators;

    fn raw(bytes: &str, content_type: Option<&str>) -> RawFeed {
        RawFeed {
            source: "t".into(),
            final_url: None,
            bytes: bytes.as_bytes().to_vec(),
            content_type: content_type.map(str::to_string),
            validators: Validators::default(),
            status: 200,
            permanent_redirect: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn discovers_rss_atom_and_json_in_order() {
        let html = r#"<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="/style.css" type="text/css">
            <link rel="alternate" type="application/rss+xml" title="Posts" href="/feed/">
            <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="atom.xml">
            <link rel="alternate" type="application/feed+json" href="https://cdn.example/feed.json">
            <link rel="alternate" type="application/rss+xml" href="/feed/">
            <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            </head><body></body></html>"#;
        assert_eq!(
            discover_feeds(html, "http://blog.example/2024/post/"),
            [
                "http://blog.example/feed/",
                "http://blog.example/2024/post/atom.xml",
                "https://cdn.example/feed.json",
            ]
        );
    }

    /// Found by probing `kb feed add`: a page announcing "Comments", then Atom, then the main
    /// RSS feed had its comments feed added.
    #[test]
    fn main_feeds_come_before_comments_and_category_feeds() {
        let html = r#"<html><head>
            <link rel="alternate" type="application/rss+xml" title="Blog &raquo; Comments Feed" href="/comments/feed/">
            <link rel="alternate" type="application/rss+xml" title="Blog &raquo; Rust Category Feed" href="/category/rust/feed/">
            <link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">
            <link rel="alternate" type="application/rss+xml" title="Blog &raquo; Feed" href="/feed/">
            </head></html>"#;
        let links = discover_feed_links(html, "http://blog.example/");
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://blog.example/atom.xml",
                "http://blog.example/feed/",
                "http://blog.example/category/rust/feed/",
                "http://blog.example/comments/feed/",
            ]
        );
        assert_eq!(links[0].title.as_deref(), Some("Atom"));
        // discover_feeds keeps document order.
        assert_eq!(
            discover_feeds(html, "http://blog.example/")[0],
            "http://blog.example/comments/feed/"
        );
    }

    /// Found by probing `kb feed add`: a page announcing its feed only as RSS 1.0
    /// (application/rdf+xml), JSON Feed 1.0 (application/json) or generic XML had "no feed".
    #[test]
    fn rdf_json_feed_1_and_generic_xml_alternates_are_feeds_too() {
        for kind in [
            "application/rdf+xml",
            "application/json",
            "text/xml",
            "Application/XML; charset=utf-8",
        ] {
            let html = format!(
                r#"<html><head><link rel="alternate" type="{kind}" href="/index.rdf"></head></html>"#
            );
            assert_eq!(
                discover_feeds(&html, "http://blog.example/"),
                ["http://blog.example/index.rdf"],
                "{kind}"
            );
        }
    }

    /// The types that name a feed and nothing else come first, whatever the document order;
    /// within each kind, main feeds still come before comments and category feeds.
    #[test]
    fn rss_atom_and_feed_json_are_preferred_to_the_generic_types() {
        let html = r#"<html><head>
            <link rel="alternate" type="application/json" title="JSON Feed" href="/feed.json">
            <link rel="alternate" type="text/xml" title="Posts" href="/posts.xml">
            <link rel="alternate" type="application/rdf+xml" title="RSS 1.0" href="/index.rdf">
            <link rel="alternate" type="application/rss+xml" title="Comments Feed" href="/comments/">
            <link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">
            </head></html>"#;
        let urls: Vec<String> = discover_feed_links(html, "http://blog.example/")
            .into_iter()
            .map(|l| l.url)
            .collect();
        assert_eq!(
            urls,
            [
                "http://blog.example/atom.xml",
                "http://blog.example/comments/",
                "http://blog.example/feed.json",
                "http://blog.example/posts.xml",
                "http://blog.example/index.rdf",
            ]
        );
    }

    /// WordPress announces each page's REST API document as an application/json alternate:
    /// JSON, but no feed, on millions of pages.
    #[test]
    fn the_wordpress_rest_api_is_no_feed() {
        let html = r#"<html><head>
            <link rel="alternate" type="application/json" href="https://blog.example/wp-json/wp/v2/pages/2">
            <link rel="alternate" type="application/json" href="https://blog.example/?rest_route=/wp/v2/posts/9">
            <link rel="alternate" type="application/rss+xml" title="Blog &raquo; Feed" href="/feed/">
            </head></html>"#;
        assert_eq!(
            discover_feeds(html, "https://blog.example/"),
            ["https://blog.example/feed/"]
        );
    }

    #[test]
    fn discovery_honours_base_href() {
        let html = r#"<html><head><base href="https://static.example/site/">
            <link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>"#;
        assert_eq!(
            discover_feeds(html, "http://blog.example/"),
            ["https://static.example/site/rss.xml"]
        );
    }

    /// Found by probing `kb feed add`: a link inside `<template>` was named as a feed the page
    /// also announces.
    #[test]
    fn links_inside_a_template_are_not_announced() {
        let html = r#"<html><head>
            <link rel="alternate" type="application/rss+xml" href="/feed.xml">
            <template><link rel="alternate" type="application/rss+xml" href="/nonexistent.xml"></template>
            </head><body><template id="t"><div><link rel="alternate" type="application/atom+xml" href="/a.xml"></div></template></body></html>"#;
        assert_eq!(
            discover_feeds(html, "http://blog.example/"),
            ["http://blog.example/feed.xml"]
        );
    }

    #[test]
    fn a_page_without_feed_links_has_none() {
        assert!(discover_feeds("<html><head></head></html>", "http://x/").is_empty());
        assert!(discover_feeds("not html at all", "http://x/").is_empty());
    }

    #[test]
    fn sniffing_beats_a_wrong_content_type() {
        let rss = "\u{feff}<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"s.xsl\"?>\n<!-- generator -->\n<rss version=\"2.0\"><channel/></rss>";
        assert!(!looks_like_html(&raw(
            rss,
            Some("text/html; charset=UTF-8")
        )));
        assert!(!looks_like_html(&raw(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>",
            Some("text/html")
        )));
        assert!(!looks_like_html(&raw("<rdf:RDF/>", Some("text/html"))));
        assert!(!looks_like_html(&raw(
            "{\"version\":\"https://jsonfeed.org/version/1.1\"}",
            Some("text/html")
        )));
        assert!(looks_like_html(&raw(
            "<!DOCTYPE html>\n<html lang=en>",
            Some("application/rss+xml")
        )));
        assert!(looks_like_html(&raw(
            "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">",
            None
        )));
    }

    #[test]
    fn content_type_decides_when_the_bytes_do_not() {
        assert!(looks_like_html(&raw(
            "<div>hi</div>",
            Some("Text/HTML; charset=utf-8")
        )));
        assert!(!looks_like_html(&raw(
            "<div>hi</div>",
            Some("application/xml")
        )));
        assert!(!looks_like_html(&raw("", None)));
    }

    /// Found by probing `kb feed add`: RSS 0.91 with its DOCTYPE, and a WordPress feed after a
    /// PHP notice, both served as text/html, were taken for web pages.
    #[test]
    fn feeds_behind_a_doctype_or_a_php_notice_are_feeds() {
        let html = Some("text/html; charset=UTF-8");
        assert!(!looks_like_html(&raw(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n<rss version=\"0.91\"><channel/></rss>",
            html
        )));
        assert!(!looks_like_html(&raw(
            "<br />\n<b>Deprecated</b>: Function create_function() is deprecated in <b>/x.php</b> on line <b>3</b><br />\n<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel/></rss>",
            html
        )));
        assert!(looks_like_html(&raw(
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"><title>x</title>",
            html
        )));
    }
}
