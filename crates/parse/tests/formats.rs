//! One small document per format through the public entry point: the mapping rules of each
//! reader (atom.rs, json_feed.rs, rss.rs) as seen from outside.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use kb_parse::{FeedFormat, ParseOptions, parse};

#[test]
fn atom_10_text_constructs_links_authors_dates() {
    let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0"
      xml:base="http://example.org/blog/" xml:lang="en">
  <title type="html">A &amp;lt;b&amp;gt; blog</title>
  <link href="http://example.org/blog/"/>
  <link rel="prev-archive" href="archive/2009"/>
  <author><name>Feed Author</name></author>
  <entry>
    <id>tag:example.org,2010:1</id>
    <title>Plain &lt; text</title>
    <link rel="alternate" type="text/html" href="posts/1"/>
    <link rel="enclosure" href="a.mp3"/>
    <link rel="replies" type="application/atom+xml" href="posts/1/comments.atom" thr:count="3"/>
    <category term="rust" label="Rust"/><category term="Rust"/><category label="Only label"/>
    <updated>2010-03-17T07:58:07+02:00</updated>
    <summary type="text">1 &lt; 2</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <b>there</b></p></div></content>
  </entry>
</feed>"#;
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.format, FeedFormat::Atom);
    assert_eq!(feed.title.as_deref(), Some("A &lt;b&gt; blog"));
    assert_eq!(feed.language.as_deref(), Some("en"));
    assert_eq!(
        feed.prev_archive.as_deref(),
        Some("http://example.org/blog/archive/2009")
    );
    let item = &feed.items[0];
    assert_eq!(item.guid.as_deref(), Some("tag:example.org,2010:1"));
    // A text title is escaped to HTML like every text construct: the cleaner reads titles as
    // HTML (see atom.rs and fixtures/feeds/atom-10-text-constructs.xml).
    assert_eq!(item.title.as_deref(), Some("Plain &lt; text"));
    assert_eq!(
        item.link.as_deref(),
        Some("http://example.org/blog/posts/1")
    );
    assert_eq!(item.author.as_deref(), Some("Feed Author"));
    assert_eq!(item.categories, ["rust", "Only label"]);
    assert_eq!(
        item.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2010-03-17T05:58:07+00:00")
    );
    assert_eq!(item.comments_count, Some(3));
    assert_eq!(
        item.comments_feed.as_deref(),
        Some("http://example.org/blog/posts/1/comments.atom")
    );
    assert_eq!(item.summary_html.as_deref(), Some("1 &lt; 2"));
    assert_eq!(item.content_html.as_deref(), Some("<p>Hi <b>there</b></p>"));
    assert_eq!(item.base_url.as_deref(), Some("http://example.org/blog/"));
}

#[test]
fn atom_03_names() {
    let xml = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old</title><tagline>Tag line</tagline>
  <entry><title>E</title><id>urn:1</id><issued>2003-12-31T10:14:55Z</issued>
    <modified>2004-01-01T00:00:00Z</modified>
    <content type="text/html" mode="escaped">&lt;p&gt;x&lt;/p&gt;</content></entry>
</feed>"#;
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.description.as_deref(), Some("Tag line"));
    let item = &feed.items[0];
    assert_eq!(
        item.published.unwrap().to_rfc3339(),
        "2003-12-31T10:14:55+00:00"
    );
    assert_eq!(
        item.updated.unwrap().to_rfc3339(),
        "2004-01-01T00:00:00+00:00"
    );
    assert_eq!(item.content_html.as_deref(), Some("<p>x</p>"));
}

/// RSS items written with Atom habits and no namespace (`<link href=.../>`, `<updated>`), and
/// a comma-separated `<tags>` element: the `rss` crate drops them, feedparser reads them.
#[test]
fn rss_items_with_atom_habits_and_a_tags_element() {
    let xml = r#"<rss version="2.0"><channel><title>P</title><link>http://example.org/</link>
  <item>
    <title>Atom-ish</title>
    <link rel="enclosure" type="audio/mpeg" href="http://example.org/files/1.mp3"/>
    <link href="http://example.org/episode/1"/>
    <updated>2012-03-26T23:25:19Z</updated>
    <tags>tag one, tag two,, </tags>
    <category>category one</category>
    <enclosure url="http://example.org/x.mp3" length="1" type="audio/mpeg"/>
    <media:group xmlns:media="http://search.yahoo.com/mrss/"><updated>1999-01-01T00:00:00Z</updated></media:group>
  </item>
  <item>
    <title>Plain</title>
    <link>http://example.org/2</link>
    <link href="http://example.org/not-this"/>
    <pubDate>Mon, 26 Mar 2012 10:00:00 GMT</pubDate>
    <updated>not a date</updated>
  </item>
</channel></rss>"#;
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    let (a, b) = (&feed.items[0], &feed.items[1]);
    assert_eq!(a.link.as_deref(), Some("http://example.org/episode/1"));
    assert_eq!(a.updated.unwrap().to_rfc3339(), "2012-03-26T23:25:19+00:00");
    assert_eq!(a.categories, ["tag one", "tag two", "category one"]);
    // An item's own `link` text wins; an unparsable `updated` is left empty with a warning.
    assert_eq!(b.link.as_deref(), Some("http://example.org/2"));
    assert!(b.published.is_some());
    assert_eq!(b.updated, None);
    assert!(
        feed.warnings.iter().any(|w| w.contains("not a date")),
        "{:?}",
        feed.warnings
    );
}

#[test]
fn rss_items_keyed_by_their_atom_id() {
    let feed_of = |body: &str| {
        let xml = format!(
            r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>P</title>
  <link>http://example.org/</link>
  <item><title>Tagged</title><atom:id>tag:example.org,2020:1</atom:id><description>{body}</description></item>
  <item><title>Addressed</title><atom:id> https://example.org/2 </atom:id></item>
  <item><title>Unprefixed</title><id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>
    <link>http://example.org/3</link></item>
  <item><title>Both</title><guid isPermaLink="false">g-4</guid><atom:id>tag:x,2020:4</atom:id></item>
  <item><title>Nested</title><atom:source><atom:id>tag:elsewhere,1:1</atom:id></atom:source></item>
</channel></rss>"#
        );
        parse(xml.as_bytes(), &ParseOptions::default()).unwrap()
    };
    let (before, after) = (feed_of("first text"), feed_of("edited text"));
    let guids: Vec<_> = before.items.iter().map(|i| i.guid.as_deref()).collect();
    assert_eq!(
        guids,
        [
            Some("tag:example.org,2020:1"),
            Some("https://example.org/2"),
            // An item with a link is known by it, as before kb read Atom ids: an archive made
            // then must not file it again under a new id.
            None,
            // The item's own guid wins; an id inside another element is not the item's.
            Some("g-4"),
            None,
        ]
    );
    // An id keeps an item without guid or link the same article when its text is edited.
    assert_eq!(before.items[0].id, after.items[0].id);
    // An id is the link of an item without one only when it is a web address.
    let links: Vec<_> = before.items.iter().map(|i| i.link.as_deref()).collect();
    assert_eq!(
        links,
        [
            None,
            Some("https://example.org/2"),
            Some("http://example.org/3"),
            None,
            None
        ]
    );
    assert!(before.items.iter().all(|i| !i.guid_is_permalink));
}

#[test]
fn rss_10_rdf() {
    let xml = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.org/"><title>R</title><link>http://example.org/</link></channel>
  <item rdf:about="http://example.org/1"><title>One</title><link>http://example.org/1</link>
    <dc:date>2003-12-31T10:14:55-05:00</dc:date><dc:creator>Ann</dc:creator><dc:subject>s</dc:subject></item>
</rdf:RDF>"#;
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.format, FeedFormat::Rdf);
    let item = &feed.items[0];
    assert_eq!(item.title.as_deref(), Some("One"));
    assert_eq!(item.author.as_deref(), Some("Ann"));
    assert_eq!(item.categories, ["s"]);
    assert_eq!(
        item.published.unwrap().to_rfc3339(),
        "2003-12-31T15:14:55+00:00"
    );
}

#[test]
fn json_feed_11() {
    let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "J",
      "home_page_url": "https://example.org/", "authors": [{"name": "Jo"}],
      "items": [{"id": 1, "url": "https://example.org/1", "title": "T",
                 "content_text": "a < b", "date_published": "2020-01-02T03:04:05Z",
                 "tags": ["x", "X", " y "]}]}"#;
    let feed = parse(json.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.format, FeedFormat::JsonFeed);
    let item = &feed.items[0];
    assert_eq!(item.guid.as_deref(), Some("1"));
    assert_eq!(item.author.as_deref(), Some("Jo"));
    assert_eq!(item.content_html.as_deref(), Some("a &lt; b"));
    assert_eq!(item.categories, ["x", "y"]);
}

/// RSS 1.1 under a prefix of its own, its `<items>` list empty or holding items: read as RSS
/// (it was taken for CDF, whose root is a `<CHANNEL>` too, and gave nothing).
#[test]
fn rss_11_under_any_prefix() {
    let feed = parse(
        br#"<r:Channel xmlns:r="http://purl.org/net/rss1.1#"
              xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about="http://e.test/">
            <r:title>Eleven</r:title><r:link>http://e.test/</r:link>
            <r:items rdf:parseType="Collection">
              <r:item rdf:about="http://e.test/1"><r:title>One</r:title>
                <r:link>http://e.test/1</r:link></r:item>
            </r:items></r:Channel>"#,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(feed.format, FeedFormat::Rss);
    assert_eq!(feed.title.as_deref(), Some("Eleven"));
    let items: Vec<_> = feed
        .items
        .iter()
        .map(|i| (i.title.as_deref(), i.link.as_deref()))
        .collect();
    assert_eq!(items, [(Some("One"), Some("http://e.test/1"))]);
    let empty = parse(
        br#"<Channel xmlns="http://purl.org/net/rss1.1#"><title>None yet</title>
            <link>http://e.test/</link><items/></Channel>"#,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(
        (empty.format, empty.title.as_deref(), empty.items.len()),
        (FeedFormat::Rss, Some("None yet"), 0)
    );
}

/// The version as a bare number (`"1.1"`, as gofeed's tests write it) was warned of as
/// "version \"1.1\" unknown; read as JSON Feed 1.1"; a version kb does not know still is.
#[test]
fn json_feed_version_as_a_bare_number_is_known() {
    let feed_of = |version: &str| {
        let json = format!(
            r#"{{"version": "{version}", "title": "J",
              "items": [{{"id": "1", "url": "https://example.org/1", "content_text": "x"}}]}}"#
        );
        parse(json.as_bytes(), &ParseOptions::default()).unwrap()
    };
    for version in ["1", "1.0", "1.1", "http://www.jsonfeed.org/version/1"] {
        let feed = feed_of(version);
        assert_eq!(feed.items.len(), 1);
        assert!(feed.warnings.is_empty(), "{version}: {:?}", feed.warnings);
    }
    let feed = feed_of("2.0");
    assert_eq!(feed.items.len(), 1);
    assert_eq!(
        feed.warnings,
        ["JSON Feed version \"2.0\" unknown; read as JSON Feed 1.1"]
    );
}

/// An entry of `items` that is no object (a string, a number, null, a list) is no item: it
/// was read as an empty article with an id of its own, stored by sync, without a word. It is
/// skipped with a warning naming its place, as an unreadable XML item is.
#[test]
fn json_feed_items_that_are_not_objects_are_skipped_with_a_warning() {
    let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "J",
      "items": [{"id": "a", "url": "https://example.org/a", "content_text": "x"},
                "not an object", 42, null, [{"id": "b"}],
                {"id": "c", "url": "https://example.org/c", "date_published": "yesterday"}]}"#;
    let feed = parse(json.as_bytes(), &ParseOptions::default()).unwrap();
    let guids: Vec<_> = feed.items.iter().map(|i| i.guid.as_deref()).collect();
    assert_eq!(guids, [Some("a"), Some("c")]);
    for (place, kind) in [(2, "a string"), (3, "a number"), (4, "null"), (5, "a list")] {
        let want = format!("item {place} is {kind}, not an object: skipped");
        assert!(
            feed.warnings.contains(&want),
            "{want:?} in {:?}",
            feed.warnings
        );
    }
    // Later items keep their place in the document in warnings.
    assert!(
        feed.warnings
            .iter()
            .any(|w| w.starts_with("item 6:") && w.contains("yesterday")),
        "{:?}",
        feed.warnings
    );
}

#[test]
fn malformed_rss_is_salvaged_with_warnings() {
    let xml = "  junk <?xml version=\"1.0\" encoding=\"windows-1252\"?>\
<rss version=\"2.0\"><channel><title>Caf\u{e9} &amp; AT&T</title>\
<item><title>One&nbsp;&mdash; \u{93}q\u{94}</title><pubDate>Wed, 17 Mar 10 05:58 EST</pubDate></item>\
<item><title>Two</title><pubDate>someday</pubDate><b></item>\
<item><title>Thr";
    let bytes: Vec<u8> = xml.chars().map(|c| c as u32 as u8).collect();
    let feed = parse(&bytes, &ParseOptions::default()).unwrap();
    // Titles reach the cleaner as HTML: a plain-text one arrives escaped.
    assert_eq!(feed.title.as_deref(), Some("Caf\u{e9} &amp; AT&amp;T"));
    assert_eq!(feed.items.len(), 2);
    assert_eq!(
        feed.items[0].title.as_deref(),
        Some("One\u{a0}\u{2014} \u{201c}q\u{201d}")
    );
    assert_eq!(
        feed.items[0].published.unwrap().to_rfc3339(),
        "2010-03-17T10:58:00+00:00"
    );
    assert_eq!(feed.items[1].published, None);
    let w = feed.warnings.join("\n");
    for expected in [
        "bare '&'",
        "&nbsp;",
        "someday",
        "misnested",
        "incomplete item",
    ] {
        assert!(w.contains(expected), "missing {expected:?} in:\n{w}");
    }
}

#[test]
fn atom_xhtml_void_elements_are_one_element_each_once_cleaned() {
    // `<br/>` was written `<br></br>`, which an HTML parser reads as two breaks.
    let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>
<entry><title>x</title><id>urn:x</id><link href="https://ex.com/x"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Line one<br/>Line two<br />Line three</p><p>Next<hr/>after</p><p><img src="https://ex.com/i.png" alt="pic"/> tail</p></div></content></entry></feed>"#;
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    let article = kb_clean::to_article("f", &feed.items[0]);
    assert_eq!(
        article.html,
        // An `hr` in a `p` ends it in HTML, as it does in a browser.
        "<p>Line one<br>Line two<br>Line three</p><p>Next</p><hr>after<p></p>\
         <p><img alt=\"pic\" src=\"https://ex.com/i.png\"> tail</p>"
    );
    assert_eq!(
        article.text,
        "Line one\nLine two\nLine three\nNext\nafter\ntail"
    );
}

#[test]
fn atom_authors_listed_twice_are_named_once() {
    // Found in miniflux's Atom tests: three feed-level authors, Bob twice, gave "Alice, Bob,
    // Bob" to every entry without its own.
    let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
  <author><name>Alice</name></author><author><name>Bob</name></author>
  <author><name>Bob</name></author>
  <entry><id>http://example.org/1</id><updated>2003-12-13T18:30:02Z</updated></entry>
  <entry><id>http://example.org/2</id><updated>2003-12-13T18:30:02Z</updated>
    <author><name>Carol</name></author><author><name>Carol</name></author></entry>
</feed>"#;
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    let authors: Vec<_> = feed.items.iter().map(|i| i.author.as_deref()).collect();
    assert_eq!(authors, [Some("Alice, Bob"), Some("Carol")]);
}

#[test]
fn roots_that_are_no_feed_format_are_read_for_their_items_but_never_a_page() {
    let parsed = |xml: &str| parse(xml.as_bytes(), &ParseOptions::default());
    // A comment that mentions the root before it does not move where the root starts.
    let feed = parsed(
        "<!-- a <rdf> without RDF's namespace --><rdf><item><title>One</title>\
         <link>http://e.test/1</link></item></rdf>",
    )
    .unwrap();
    assert_eq!(feed.format, FeedFormat::Rss);
    assert_eq!(feed.items[0].title.as_deref(), Some("One"));
    assert!(
        feed.warnings.iter().any(|w| w.contains("<rdf>")),
        "{:?}",
        feed.warnings
    );
    // Entries under an unknown root are Atom's.
    let feed = parsed(
        r#"<entries xmlns="http://www.w3.org/2005/Atom"><entry><id>http://e.test/2</id>
           <title>Two</title><updated>2024-01-01T00:00:00Z</updated></entry></entries>"#,
    )
    .unwrap();
    assert_eq!(feed.format, FeedFormat::Atom);
    assert_eq!(feed.items[0].link.as_deref(), Some("http://e.test/2"));
    // A page, even one with an <item> in it, and a root holding no item are no feeds.
    for page in [
        "<html><body><item>x</item></body></html>",
        "<!DOCTYPE html><html><head><title>t</title></head></html>",
        "<opml version=\"2.0\"><body><outline text=\"a\"/></body></opml>",
        "<root><itemize>x</itemize></root>",
        // A page holding a `<feed>` outside Atom's namespace, or naming it only in text.
        "<html><body><feed><entry><title>x</title></entry></feed></body></html>",
        "<html><body><p>xmlns=\"http://www.w3.org/2005/Atom\"</p><feed/></body></html>",
    ] {
        let err = parsed(page).unwrap_err().to_string();
        assert!(err.starts_with("not a feed: root element"), "{page}: {err}");
    }
    // An XHTML page holding an Atom feed in Atom's namespace: that feed (feedjira's samples).
    let feed = parsed(
        r#"<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Preview</p>
           <feed xmlns="http://www.w3.org/2005/Atom"><title>Notes</title>
           <entry><id>http://e.test/3</id><title>Three</title>
           <updated>2024-01-01T00:00:00Z</updated></entry></feed></body></html>"#,
    )
    .unwrap();
    assert_eq!(feed.format, FeedFormat::Atom);
    assert_eq!(feed.items.len(), 1);
    assert_eq!(feed.items[0].title.as_deref(), Some("Three"));
}

#[test]
fn rss_items_without_a_channel_or_root_are_a_feed_of_them() {
    // Found in osmosfeed's test feed (jsmisc set): `<item>`s at the top of the document, no
    // `<rss>` or `<channel>`. feedparser reads every one; kb took the first for the channel
    // (its title the feed's) or, for a lone item, read none.
    let parsed = |xml: &str| parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    let lone = parsed("<item><title>One</title><link>http://e.test/1</link></item>");
    assert_eq!(lone.format, FeedFormat::Rss);
    let titles: Vec<_> = lone.items.iter().map(|i| i.title.as_deref()).collect();
    assert_eq!(titles, [Some("One")]);
    assert_eq!(lone.title, None);
    assert!(
        lone.warnings.iter().any(|w| w.contains("<item>")),
        "{:?}",
        lone.warnings
    );
    let two = parsed(
        "<?xml version=\"1.0\"?>\n<item><title>One</title><link>http://e.test/1</link></item>\n\
         <item xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><title>Two</title>\
         <link>http://e.test/2</link><dc:creator>Ann</dc:creator></item>\n",
    );
    let got: Vec<_> = two
        .items
        .iter()
        .map(|i| (i.title.as_deref(), i.link.as_deref(), i.author.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("One"), Some("http://e.test/1"), None),
            (Some("Two"), Some("http://e.test/2"), Some("Ann"))
        ]
    );
    assert_eq!(two.title, None);
}
