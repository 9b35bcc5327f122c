//! Defects found by comparing `kb parse` with feedparser 6.0.14 on feeds written for the
//! purpose (the parse probe): each reproduced here by a small inline document.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use kb_parse::{ParseOptions, ParsedFeed, parse};

fn read(doc: &str) -> ParsedFeed {
    parse(doc.as_bytes(), &ParseOptions::default()).unwrap()
}

fn warned(feed: &ParsedFeed, needle: &str) -> bool {
    feed.warnings.iter().any(|w| w.contains(needle))
}

fn atom_in(namespace: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="{namespace}"><title>Off namespace</title><id>urn:f</id>
<updated>2024-01-01T00:00:00Z</updated><link href="http://wa.example/"/>
<entry><title>E</title><id>http://wa.example/1</id><link href="http://wa.example/1"/>
<updated>2024-01-02T00:00:00Z</updated><content>c</content></entry></feed>"#
    )
}

/// §1: an Atom namespace off by a trailing slash, the scheme or case is Atom's; one that is
/// not Atom's at all is read as Atom with a warning, never as an empty feed without a word.
#[test]
fn atom_namespace_misspelt_is_still_atom() {
    for namespace in [
        "http://www.w3.org/2005/Atom/",
        "https://www.w3.org/2005/Atom",
        "http://www.w3.org/2005/atom",
        "http://example.com/not-atom",
    ] {
        let feed = read(&atom_in(namespace));
        assert_eq!(feed.title.as_deref(), Some("Off namespace"), "{namespace}");
        assert_eq!(feed.items.len(), 1, "{namespace}");
        assert_eq!(
            feed.items[0].link.as_deref(),
            Some("http://wa.example/1"),
            "{namespace}"
        );
        assert!(
            warned(&feed, "namespace"),
            "{namespace}: {:?}",
            feed.warnings
        );
    }
    let exact = read(&atom_in("http://www.w3.org/2005/Atom"));
    assert!(exact.warnings.is_empty(), "{:?}", exact.warnings);
}

/// §1: the content and Dublin Core modules under a misspelt namespace are still read.
#[test]
fn module_namespaces_misspelt_are_still_read() {
    let feed = read(
        r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content"
  xmlns:dc="HTTPS://purl.org/dc/elements/1.1"><channel><title>t</title>
<item><title>i</title><link>http://x.example/1</link><dc:creator>Ann</dc:creator>
<content:encoded>&lt;p>Body&lt;/p></content:encoded></item></channel></rss>"#,
    );
    assert_eq!(feed.items[0].author.as_deref(), Some("Ann"));
    assert_eq!(feed.items[0].content_html.as_deref(), Some("<p>Body</p>"));
}

/// §1: a root that names a feed with nothing readable under it is reported.
#[test]
fn nothing_read_is_never_silent() {
    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><x:title xmlns:x="urn:x">t</x:title></feed>"#,
    );
    assert!(feed.items.is_empty());
    assert!(warned(&feed, "nothing read"), "{:?}", feed.warnings);
    // An empty feed that has a title is just empty.
    let feed = read(r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>"#);
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
}
