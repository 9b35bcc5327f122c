//! How RSS element names and namespaces are read where feedparser 6.0.14 read more than kb
//! did: names in another case, namespaces declared on the element itself, and a second
//! channel.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use kb_parse::{ParseOptions, ParsedFeed, parse};

fn read(xml: &str) -> ParsedFeed {
    parse(xml.as_bytes(), &ParseOptions::default()).unwrap()
}

fn date(feed: &ParsedFeed, i: usize) -> Option<String> {
    feed.items[i].published.map(|d| d.to_rfc3339())
}

/// `<pubdate>`, `<PubDate>` and `<GUID>` were dropped without a word, and
/// `ispermalink="false"` was not read, so a non-link guid became the link.
#[test]
fn rss_element_and_attribute_names_in_another_case_are_read() {
    let feed = read(
        r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Case variants</title><link>http://cv.example/</link><description>d</description>
<item><title>0</title><link>http://cv.example/0</link><pubdate>Mon, 04 Mar 2024 10:00:00 GMT</pubdate></item>
<item><title>1</title><guid ispermalink="false">http://cv.example/not-a-link/1</guid></item>
<item><title>2</title><link>http://cv.example/2</link><PubDate>Mon, 04 Mar 2024 10:00:00 GMT</PubDate></item>
<item><title>3</title><GUID>http://cv.example/3</GUID></item>
</channel></rss>"#,
    );
    assert_eq!(feed.items.len(), 4);
    assert_eq!(date(&feed, 0).as_deref(), Some("2024-03-04T10:00:00+00:00"));
    assert_eq!(date(&feed, 2).as_deref(), Some("2024-03-04T10:00:00+00:00"));
    assert_eq!(
        feed.items[1].guid.as_deref(),
        Some("http://cv.example/not-a-link/1")
    );
    assert!(!feed.items[1].guid_is_permalink);
    assert_eq!(feed.items[1].link, None);
    assert_eq!(feed.items[3].guid.as_deref(), Some("http://cv.example/3"));
    assert_eq!(feed.items[3].link.as_deref(), Some("http://cv.example/3"));
    // A repair, so reported like the others.
    for name in ["pubdate", "PubDate", "GUID", "ispermalink"] {
        assert!(
            feed.warnings.iter().any(|w| w.contains(name)),
            "{name}: {:?}",
            feed.warnings
        );
    }
}

/// `<Item>` was dropped, and an item of `<Title>`/`<Link>`/`<PubDate>` came out empty.
#[test]
fn mixed_case_items_and_fields_are_read() {
    let feed = read(
        r#"<?xml version="1.0"?>
<rss version="2.0">
<channel><title>Mixed</title><link>http://mc.example/</link><description>d</description>
<item><Title>Mixed Title</Title><Link>http://mc.example/1</Link><PubDate>Mon, 01 Jan 2024 00:00:00 GMT</PubDate><Description>body <b>bold</b></Description><Guid>http://mc.example/1</Guid></item>
<Item><title>Capital Item</title><link>http://mc.example/2</link></Item>
</channel></rss>"#,
    );
    assert_eq!(feed.items.len(), 2);
    let first = &feed.items[0];
    assert_eq!(first.title.as_deref(), Some("Mixed Title"));
    assert_eq!(first.link.as_deref(), Some("http://mc.example/1"));
    assert_eq!(date(&feed, 0).as_deref(), Some("2024-01-01T00:00:00+00:00"));
    assert_eq!(first.summary_html.as_deref(), Some("body <b>bold</b>"));
    assert_eq!(first.guid.as_deref(), Some("http://mc.example/1"));
    assert_eq!(feed.items[1].title.as_deref(), Some("Capital Item"));
}

/// an upper-case document (`<RSS><CHANNEL>`) was refused as "not a feed".
#[test]
fn an_upper_case_rss_document_is_read() {
    let feed = read(
        r#"<?xml version="1.0"?>
<RSS VERSION="2.0">
<CHANNEL><TITLE>Upper</TITLE><LINK>http://up.example/</LINK><DESCRIPTION>d</DESCRIPTION>
<ITEM><TITLE>Upper item</TITLE><LINK>http://up.example/1</LINK><PUBDATE>Mon, 01 Jan 2024 00:00:00 GMT</PUBDATE><DESCRIPTION>body</DESCRIPTION></ITEM>
</CHANNEL></RSS>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("Upper"));
    assert_eq!(feed.link.as_deref(), Some("http://up.example/"));
    assert_eq!(feed.items.len(), 1);
    assert_eq!(feed.items[0].title.as_deref(), Some("Upper item"));
    assert_eq!(feed.items[0].link.as_deref(), Some("http://up.example/1"));
    assert_eq!(date(&feed, 0).as_deref(), Some("2024-01-01T00:00:00+00:00"));
    assert_eq!(feed.items[0].summary_html.as_deref(), Some("body"));
}

/// A correctly cased feed gets no case warning (the common path is untouched).
#[test]
fn a_well_cased_feed_gets_no_warning() {
    let feed = read(
        r#"<rss version="2.0"><channel><title>t</title><link>http://w.example/</link>
<description>d</description><lastBuildDate>Mon, 01 Jan 2024 00:00:00 GMT</lastBuildDate>
<textInput><title>s</title><description>d</description><name>q</name><link>http://w.example/s</link></textInput>
<item><title>a</title><guid isPermaLink="true">http://w.example/a</guid>
<enclosure url="http://w.example/a.mp3" length="1" type="audio/mpeg"/>
<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item></channel></rss>"#,
    );
    assert_eq!(feed.items.len(), 1);
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
}

/// namespaces declared on the element itself: `atom:link` with its own `xmlns:atom`, and
/// `encoded`/`creator` under a default namespace of their own.
#[test]
fn namespaces_declared_on_the_element_are_applied() {
    let feed = read(
        r#"<?xml version="1.0"?>
<rss version="2.0">
<channel><title>Local ns decls</title><link>http://ld.example/</link><description>d</description>
<item><title>0</title><guid isPermaLink="false">x0</guid><atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="alternate" href="http://ld.example/0"/></item>
<item><title>1</title><guid>http://ld.example/1</guid><c:encoded xmlns:c="http://purl.org/rss/1.0/modules/content/"><![CDATA[<p>Body declared on element</p>]]></c:encoded><d:creator xmlns:d="http://purl.org/dc/elements/1.1/">Elem Scoped</d:creator></item>
<item><title>2</title><guid>http://ld.example/2</guid><encoded xmlns="http://purl.org/rss/1.0/modules/content/"><![CDATA[<p>Body default ns</p>]]></encoded><creator xmlns="http://purl.org/dc/elements/1.1/">Default Scoped</creator><m:title xmlns:m="http://search.yahoo.com/mrss/">unused</m:title></item>
<item><title>3</title><guid>http://ld.example/3</guid><description>after</description><encoded>not content</encoded></item>
</channel></rss>"#,
    );
    assert_eq!(feed.items.len(), 4);
    assert_eq!(feed.items[0].link.as_deref(), Some("http://ld.example/0"));
    assert_eq!(
        feed.items[1].content_html.as_deref(),
        Some("<p>Body declared on element</p>")
    );
    assert_eq!(feed.items[1].author.as_deref(), Some("Elem Scoped"));
    assert_eq!(
        feed.items[2].content_html.as_deref(),
        Some("<p>Body default ns</p>")
    );
    assert_eq!(feed.items[2].author.as_deref(), Some("Default Scoped"));
    // The default namespace ends with its element: a later `<encoded>` is not content.
    assert_eq!(feed.items[3].content_html, None);
    assert_eq!(feed.items[3].author, None);
}

/// a second `<channel>` replaced the first one's items and title, silently.
#[test]
fn a_second_channel_adds_its_items_to_the_first() {
    let feed = read(
        r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Ch1</title><link>http://tc.example/</link><description>d</description>
<item><title>c1 item</title><link>http://tc.example/1</link></item>
</channel>
<channel><title>Ch2</title><link>http://tc2.example/</link><description>d</description>
<item><title>c2 item</title><link>http://tc.example/2</link></item>
</channel></rss>"#,
    );
    let titles: Vec<_> = feed.items.iter().map(|i| i.title.as_deref()).collect();
    assert_eq!(titles, [Some("c1 item"), Some("c2 item")]);
    assert_eq!(feed.title.as_deref(), Some("Ch1"));
    assert_eq!(feed.link.as_deref(), Some("http://tc.example/"));
    assert!(
        feed.warnings.iter().any(|w| w.contains("second <channel>")),
        "{:?}",
        feed.warnings
    );
}

/// Three channels, one of them empty: every item kept, in order, the first title.
#[test]
fn more_channels_are_read_into_the_first() {
    let feed = read(
        r#"<rss version="2.0"><channel><title>A</title><item><title>a</title></item></channel>
<channel/><channel><title>C</title><item><title>c1</title></item><item><title>c2</title></item></channel>
<channel><item><title>d</title></item></channel></rss>"#,
    );
    let titles: Vec<_> = feed.items.iter().map(|i| i.title.as_deref()).collect();
    assert_eq!(titles, [Some("a"), Some("c1"), Some("c2"), Some("d")]);
    assert_eq!(feed.title.as_deref(), Some("A"));
}

/// RSS 1.0 `rdf:parseType="Literal"` holds XML markup by design (W3C-style feeds write XHTML
/// in `description` and `content:encoded` so): valid RDF, no repair. It was read right but
/// reported as "HTML markup inside <description> was not escaped", which sync counts against
/// the feed. Markup in an element without it is still reported.
#[test]
fn rdf_parse_type_literal_is_no_repair() {
    let feed = read(
        r#"<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel rdf:about="https://w3.example/news"><title>W3 News</title><link>https://w3.example/</link><description>News</description></channel>
<item rdf:about="https://w3.example/n1"><title>One</title><link>https://w3.example/n1</link>
<description rdf:parseType="Literal"><p xmlns="http://www.w3.org/1999/xhtml">Inline <b>XHTML</b>.</p><p xmlns="http://www.w3.org/1999/xhtml">Second.</p></description></item>
<item rdf:about="https://w3.example/n2"><title>Two</title><link>https://w3.example/n2</link>
<content:encoded rdf:parseType="Literal"><div xmlns="http://www.w3.org/1999/xhtml"><p>Encoded <em>literal</em>.</p></div></content:encoded></item>
<item rdf:about="https://w3.example/n3"><title>Three</title><link>https://w3.example/n3</link>
<description>Not <b>literal</b>.</description></item>
</rdf:RDF>"#,
    );
    let summary = feed.items[0].summary_html.as_deref().unwrap_or_default();
    assert!(
        summary.contains("<b>XHTML</b>") && summary.contains("Second."),
        "{summary}"
    );
    let content = feed.items[1].content_html.as_deref().unwrap_or_default();
    assert!(content.contains("<em>literal</em>"), "{content}");
    assert_eq!(
        feed.warnings,
        ["HTML markup inside <description> was not escaped; read as HTML (1x)"]
    );
}
