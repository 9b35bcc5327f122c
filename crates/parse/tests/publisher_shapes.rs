//! Publisher shapes where kb disagreed with feedparser 6.0.14 (probe round 10): each input
//! written small here, with what feedparser reads from it.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use kb_parse::{ParseOptions, ParsedFeed, parse};

fn read(xml: &str) -> ParsedFeed {
    parse(xml.as_bytes(), &ParseOptions::default()).unwrap()
}

fn read_from(xml: &str, url: &str) -> ParsedFeed {
    let opts = ParseOptions {
        source_url: Some(url.to_owned()),
        ..ParseOptions::default()
    };
    parse(xml.as_bytes(), &opts).unwrap()
}

fn title(feed: &ParsedFeed, i: usize) -> String {
    kb_clean::clean_inline(feed.items[i].title.as_deref().unwrap_or_default())
}

/// RSS 1.0 whose root takes the RDF namespace as its default (`<RDF xmlns="...rdf-syntax-ns#">`)
/// and whose RSS elements carry an `rss:` prefix: elements are known by namespace, not prefix.
#[test]
fn rdf_root_in_the_default_namespace() {
    let feed = read(
        r#"<?xml version="1.0"?>
<RDF xmlns="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rss="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <rss:channel about="http://rdfns.example.com/">
    <rss:title>RDF with prefixed RSS</rss:title>
    <rss:link>http://rdfns.example.com/</rss:link>
  </rss:channel>
  <rss:item about="http://rdfns.example.com/1">
    <rss:title>Prefixed rss item</rss:title>
    <rss:link>http://rdfns.example.com/1</rss:link>
    <dc:date>2024-03-01T00:00:00Z</dc:date>
    <dc:creator>P Author</dc:creator>
  </rss:item>
  <rss:item about="http://rdfns.example.com/2"><rss:title>Second</rss:title><rss:link>http://rdfns.example.com/2</rss:link></rss:item>
</RDF>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("RDF with prefixed RSS"));
    assert_eq!(feed.items.len(), 2);
    assert_eq!(title(&feed, 0), "Prefixed rss item");
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("http://rdfns.example.com/1")
    );
    assert_eq!(feed.items[0].author.as_deref(), Some("P Author"));
    assert!(feed.items[0].published.is_some());
    // The same under any prefix for RDF, and RSS as the default namespace.
    let feed = read(
        r#"<r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel r:about="http://x.example.com/"><title>T</title><link>http://x.example.com/</link></channel>
  <item r:about="http://x.example.com/1"><title>One</title><link>http://x.example.com/1</link></item>
</r:RDF>"#,
    );
    assert_eq!(feed.items.len(), 1);
    assert_eq!(title(&feed, 0), "One");
}
