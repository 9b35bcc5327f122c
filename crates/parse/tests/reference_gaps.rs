//! Where kb read less than feedparser 6.0.14 (the reference parser) on feeds written to find
//! out, each by a small inline document: misspelt namespaces, RSS 1.0's `rdf:about`, a bad date
//! hiding a good one, `GMT+0200` offsets, script links, nameless authors, link selection,
//! zoneless dates, Atom 0.3 multipart content.

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

/// an Atom namespace off by a trailing slash, the scheme or case is Atom's; one that is
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

/// the content and Dublin Core modules under a misspelt namespace are still read.
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

/// a root that names a feed with nothing readable under it is reported.
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

fn rdf(items: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="http://r.example/rss"><title>R</title><link>http://r.example/</link>
<description>d</description></channel>{items}</rdf:RDF>"#
    )
}

/// RSS 1.0 `rdf:about` is the item's guid, so an edited item without a link keeps its id
/// instead of becoming a second article. It is not the link (feedparser leaves that empty).
#[test]
fn rdf_about_is_the_guid() {
    let first = read(&rdf(r#"
<item rdf:about="http://r.example/a?from=rss"><title>A</title><link>http://r.example/a</link></item>
<item rdf:about="http://r.example/b"><title>B</title><description>first</description></item>
<item rdf:about="urn:r:c"><title>C</title><description>c</description></item>"#));
    let a = &first.items[0];
    assert_eq!(a.guid.as_deref(), Some("http://r.example/a?from=rss"));
    assert_eq!(a.link.as_deref(), Some("http://r.example/a"));
    let b = &first.items[1];
    assert_eq!(b.guid.as_deref(), Some("http://r.example/b"));
    assert_eq!(b.link, None);
    assert_eq!(first.items[2].guid.as_deref(), Some("urn:r:c"));
    assert_eq!(first.items[2].link, None);

    let edited = read(&rdf(r#"
<item rdf:about="http://r.example/b"><title>B</title><description>edited</description></item>"#));
    assert_eq!(edited.items[0].id, b.id);

    // RSS 1.0 items were keyed by their link before rdf:about was read: an item with a link
    // keeps the id it had.
    let without_about = read(&rdf(
        r#"<item><title>A</title><link>http://r.example/a</link></item>"#,
    ));
    assert_eq!(without_about.items[0].id, a.id);
}

/// an unparsable `pubDate` does not hide a valid `dc:date` (or the next date element):
/// the warning stays, the item keeps the date it has.
#[test]
fn unparsable_date_falls_back_to_the_next_date_element() {
    let feed = read(
        r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:dcterms="http://purl.org/dc/terms/"><channel><title>t</title>
<item><title>a</title><link>http://d.example/a</link>
<pubDate>Mo, 04 Mär 2024 10:00:00 +0100</pubDate><dc:date>2024-03-04T10:00:00+01:00</dc:date></item>
<item><title>b</title><link>http://d.example/b</link>
<pubDate>yesterday</pubDate><dcterms:issued>2024-03-05T00:00:00Z</dcterms:issued></item>
</channel></rss>"#,
    );
    let date = |i: usize| feed.items[i].published.map(|d| d.to_rfc3339());
    assert_eq!(date(0).as_deref(), Some("2024-03-04T09:00:00+00:00"));
    assert_eq!(date(1).as_deref(), Some("2024-03-05T00:00:00+00:00"));
    assert!(
        warned(&feed, "item 1: unparsable pubDate"),
        "{:?}",
        feed.warnings
    );
    assert!(
        warned(&feed, "item 2: unparsable pubDate"),
        "{:?}",
        feed.warnings
    );

    let feed = read(
        r#"<feed xmlns="http://purl.org/atom/ns#" version="0.3"><title>t</title>
<entry><title>e</title><id>urn:e</id><issued>soon</issued><created>2004-05-01T07:00:00Z</created></entry></feed>"#,
    );
    assert_eq!(
        feed.items[0].published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2004-05-01T07:00:00+00:00")
    );
    assert!(
        warned(&feed, "entry 1: unparsable issued"),
        "{:?}",
        feed.warnings
    );
}

/// kb never plants script: a link that is not http(s) once resolved (javascript:, data:,
/// vbscript:, any other scheme) is dropped with a warning, for items, comments and the feed.
#[test]
fn links_that_are_not_web_addresses_are_dropped() {
    let feed = read(
        r#"<rss version="2.0" xmlns:wfw="http://wellformedweb.org/CommentAPI/"><channel>
<title>t</title><link>javascript:alert(1)</link>
<item><title>a</title><link>javascript:alert(document.cookie)</link>
<comments>vbscript:msgbox(1)</comments><wfw:commentRss>data:text/html,x</wfw:commentRss></item>
<item><title>b</title><link> JaVaScRiPt:alert(1)</link></item>
<item><title>c</title><link>java&#x09;script:alert(1)</link></item>
<item><title>d</title><link>data:text/html;base64,PHNjcmlwdD4=</link></item>
<item><title>e</title><link>/relative/e</link><comments>https://s.example/e#c</comments></item>
</channel></rss>"#,
    );
    assert_eq!(feed.link, None);
    for item in &feed.items[..4] {
        assert_eq!(item.link, None, "{:?}", item.title);
    }
    assert_eq!(feed.items[0].comments_url, None);
    assert_eq!(feed.items[0].comments_feed, None);
    // Unresolvable (no base) but not a scheme: kept as published.
    assert_eq!(feed.items[4].link.as_deref(), Some("/relative/e"));
    assert_eq!(
        feed.items[4].comments_url.as_deref(),
        Some("https://s.example/e#c")
    );
    assert!(warned(&feed, "item 1: link"), "{:?}", feed.warnings);
    assert!(warned(&feed, "not an http(s)"), "{:?}", feed.warnings);

    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>a</title><id>urn:a</id><link href="javascript:alert(1)"/></entry></feed>"#,
    );
    assert_eq!(feed.items[0].link, None);

    let feed = read(
        r#"{"version":"https://jsonfeed.org/version/1.1","title":"j","home_page_url":"vbscript:x",
"items":[{"id":"1","url":"javascript:alert(1)","external_url":"https://j.example/1"},
{"id":"2","url":"data:text/html,x"}]}"#,
    );
    assert_eq!(feed.link, None);
    assert_eq!(feed.items[0].link.as_deref(), Some("https://j.example/1"));
    assert_eq!(feed.items[1].link, None);
    assert!(warned(&feed, "item 1: url"), "{:?}", feed.warnings);
}

/// an entry's own author without a name is not credited to the feed's author: the
/// feed's authors are inherited only by an entry with no author element at all.
#[test]
fn unnamed_own_author_is_not_the_feeds() {
    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<author><name>Feed Level</name></author>
<entry><title>uri</title><id>urn:1</id><author><uri>http://aa.example/</uri></author></entry>
<entry><title>empty</title><id>urn:2</id><author><name></name></author></entry>
<entry><title>email</title><id>urn:3</id><author><email>me@aa.example</email></author></entry>
<entry><title>none</title><id>urn:4</id></entry>
<entry><title>source</title><id>urn:5</id><source><author><uri>http://s.example/</uri></author></source></entry>
</feed>"#,
    );
    let authors: Vec<Option<&str>> = feed.items.iter().map(|i| i.author.as_deref()).collect();
    assert_eq!(
        authors,
        [None, None, Some("me@aa.example"), Some("Feed Level"), None]
    );

    let feed = read(
        r#"{"version":"https://jsonfeed.org/version/1.1","title":"j",
"authors":[{"name":"Feed A"},{"name":"Feed B"}],
"items":[{"id":"1","authors":[{"url":"https://z.example"}]},{"id":"2","author":{"url":"https://z.example"}},
{"id":"3"},{"id":"4","authors":[{"name":"Own"}]}]}"#,
    );
    let authors: Vec<Option<&str>> = feed.items.iter().map(|i| i.author.as_deref()).collect();
    assert_eq!(authors, [None, None, Some("Feed A, Feed B"), Some("Own")]);
}

/// link relations compare as RFC 4287 says (case-insensitively, and the IANA URI form is
/// the same relation); `isPermaLink` is read case-insensitively; a relative permalink guid is
/// resolved like any link; a JSON Feed item's relative `url` resolves against `feed_url`.
#[test]
fn link_selection_gaps() {
    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<link rel="ALTERNATE" href="http://al.example/"/>
<entry><title>a</title><id>urn:1</id><link rel="ALTERNATE" href="http://al.example/1"/></entry>
<entry><title>b</title><id>urn:2</id>
<link rel="http://www.iana.org/assignments/relation/alternate" href="http://al.example/2"/></entry>
<entry><title>c</title><id>urn:3</id><link rel="edit" href="http://al.example/edit/3"/>
<link rel=" Replies " type="text/html" href="http://al.example/3#comments"/></entry>
</feed>"#,
    );
    assert_eq!(feed.link.as_deref(), Some("http://al.example/"));
    assert_eq!(feed.items[0].link.as_deref(), Some("http://al.example/1"));
    assert_eq!(feed.items[1].link.as_deref(), Some("http://al.example/2"));
    assert_eq!(feed.items[2].link, None);
    assert_eq!(
        feed.items[2].comments_url.as_deref(),
        Some("http://al.example/3#comments")
    );

    let feed = read(
        r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
<link>http://g.example/</link>
<item><title>11</title><guid isPermaLink="FALSE">http://g.example/p/11</guid></item>
<item><title>12</title><guid isPermaLink="true">/p/12</guid></item>
<item><title>13</title><guid>http://g.example/p/13</guid></item>
<item><title>14</title><guid>abc-14</guid></item>
<item><title>15</title><guid isPermaLink="True">http://g.example/p/15</guid></item>
<item><title>16</title><atom:link rel="Alternate" href="http://g.example/p/16"/></item>
<item><title>17</title><link>http://g.example/p/17</link><guid isPermaLink="true">/p/other</guid></item>
</channel></rss>"#,
    );
    let links: Vec<Option<&str>> = feed.items.iter().map(|i| i.link.as_deref()).collect();
    assert_eq!(
        links,
        [
            None,
            Some("http://g.example/p/12"),
            Some("http://g.example/p/13"),
            None,
            Some("http://g.example/p/15"),
            Some("http://g.example/p/16"),
            Some("http://g.example/p/17"),
        ]
    );
    assert!(!feed.items[0].guid_is_permalink);
    assert!(feed.items[1].guid_is_permalink);

    let feed = read(
        r#"{"version":"https://jsonfeed.org/version/1.1","title":"j",
"feed_url":"https://j.example/blog/feed.json","items":[{"id":"a","url":"rel/a.html"}]}"#,
    );
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("https://j.example/blog/rel/a.html")
    );
}

/// Atom 0.3 `multipart/alternative` content is read from its first part, not taken for
/// Base64.
#[test]
fn atom03_multipart_alternative_reads_the_first_part() {
    let feed = read(
        r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>t</title>
<entry><title>e</title><id>urn:e</id><summary>Esc summary</summary>
<content type="multipart/alternative">
  <content type="text/plain">Plain &lt;alternative&gt;</content>
  <content type="text/html" mode="escaped">&lt;p&gt;HTML alternative&lt;/p&gt;</content>
</content></entry></feed>"#,
    );
    assert_eq!(
        feed.items[0].content_html.as_deref(),
        Some("Plain &lt;alternative&gt;")
    );
    assert!(!warned(&feed, "base64"), "{:?}", feed.warnings);
}

/// A root with more namespace declarations than the XML reader binds (128) said "no root
/// element"; it names the cause now.
#[test]
fn too_many_namespace_declarations_are_named() {
    let decls: String = (0..150)
        .map(|i| format!(" xmlns:a{i}=\"urn:x:{i}\""))
        .collect();
    let xml = format!("<feed xmlns=\"http://www.w3.org/2005/Atom\"{decls}><title>T</title></feed>");
    let err = parse(xml.as_bytes(), &ParseOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(!err.contains("no root element"), "{err}");
    assert!(
        err.to_lowercase().contains("namespace") || err.to_lowercase().contains("binding"),
        "{err}"
    );
}

/// An RSS item whose text is in an XHTML `<body>` (prefixed, default-namespaced or bare) or
/// in `<fullitem>` came out empty without a warning; feedparser reads each as the content.
#[test]
fn xhtml_body_and_fullitem_are_the_content() {
    let feed = read(
        r#"<rss version="2.0" xmlns:xhtml="http://www.w3.org/1999/xhtml"><channel><title>B</title>
<item><title>Prefixed</title><guid>1</guid><xhtml:body><xhtml:p>The whole article lives in
<xhtml:em>xhtml:body</xhtml:em>.</xhtml:p><xhtml:p>Second paragraph.</xhtml:p></xhtml:body></item>
<item><title>Default</title><guid>2</guid><body xmlns="http://www.w3.org/1999/xhtml"><p>In a
default namespace.</p></body></item>
<item><title>Bare</title><guid>3</guid><body>safe<b>bold</b> body</body></item>
<item><title>Full</title><guid>4</guid><fullitem><![CDATA[<p>Escaped <em>HTML</em>.</p>]]></fullitem></item>
<item><title>Both</title><guid>5</guid><description>Short.</description><body>Long body.</body></item>
</channel></rss>"#,
    );
    let content: Vec<_> = feed
        .items
        .iter()
        .map(|i| i.content_html.as_deref())
        .collect();
    assert_eq!(
        content,
        [
            Some("<p>The whole article lives in\n<em>xhtml:body</em>.</p><p>Second paragraph.</p>"),
            Some("<p>In a\ndefault namespace.</p>"),
            Some("safe<b>bold</b> body"),
            Some("<p>Escaped <em>HTML</em>.</p>"),
            Some("Long body."),
        ]
    );
    assert_eq!(feed.items[4].summary_html.as_deref(), Some("Short."));
}

/// A radio show's episodes with no guid or link, the same title and notes, each with its own
/// date and audio file: feedparser finds three, kb kept one ("exact duplicate").
#[test]
fn episodes_without_guid_or_link_are_told_apart() {
    let episode = |day: u32| {
        format!(
            r#"<item><title>Morning briefing</title><description>The day's headlines.</description>
<pubDate>Mon, 0{day} Mar 2024 06:00:00 GMT</pubDate><enclosure url="audio/a{day}.mp3" length="1" type="audio/mpeg"/></item>"#
        )
    };
    let with = |enclosures: bool| {
        let items: String = (4..=6)
            .map(|d| {
                let e = episode(d);
                if enclosures {
                    e
                } else {
                    e.replace(
                        &format!(
                            r#"<enclosure url="audio/a{d}.mp3" length="1" type="audio/mpeg"/>"#
                        ),
                        "",
                    )
                }
            })
            .collect();
        read(&format!(
            r#"<rss version="2.0"><channel><title>Radio</title><link>http://radio.example/</link>{items}</channel></rss>"#
        ))
    };
    let feed = with(true);
    assert_eq!(feed.items.len(), 3, "{:?}", feed.warnings);
    assert_eq!(
        feed.items[0].enclosure.as_deref(),
        Some("http://radio.example/audio/a4.mp3")
    );
    let feed = with(false);
    assert_eq!(feed.items.len(), 3, "{:?}", feed.warnings);
    let mut ids: Vec<_> = feed.items.iter().map(|i| &i.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3);
}

/// Shapes where kb read less than feedparser, found with real publishers' feeds: .NET's
/// `a10:content` (the full post) in RSS, a relative guid that is a permalink by default, an
/// Apple podcast trailer's `itunes:title`, Vimeo's `media:category` inside `media:content`.
#[test]
fn rss_items_read_what_real_generators_write() {
    let feed = read(
        r#"<rss version="2.0" xmlns:a10="http://www.w3.org/2005/Atom"
  xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Gen</title><link>https://g.example/blog/</link>
<item><guid isPermaLink="false">1</guid><link>https://g.example/1</link><title>Minimal APIs</title>
<description>Short desc</description><a10:content type="html">&lt;p&gt;Full &lt;b&gt;content&lt;/b&gt; of post one.&lt;/p&gt;</a10:content></item>
<item><title>Default permalink guid</title><guid>posts/6.html</guid><description>six</description></item>
<item><guid>tr</guid><itunes:title>Season 2 trailer</itunes:title><itunes:summary>Trailer summary only.</itunes:summary></item>
<item><title>Rain</title><guid>v</guid><media:content url="https://v.example/1.mp4"><media:category label="Tags">rain,short</media:category></media:content></item>
</channel></rss>"#,
    );
    let items = &feed.items;
    assert_eq!(
        items[0].content_html.as_deref(),
        Some("<p>Full <b>content</b> of post one.</p>")
    );
    assert_eq!(
        items[1].link.as_deref(),
        Some("https://g.example/blog/posts/6.html")
    );
    assert_eq!(items[2].title.as_deref(), Some("Season 2 trailer"));
    assert_eq!(items[3].categories, ["rain,short"]);
}

/// An Atom author with an empty name and an email is the email, as in RSS; JSON Feed's
/// `items` or `authors` written as one object and `tags` as one string are read, with a
/// warning where the document is wrong, never dropped silently.
#[test]
fn sloppy_authors_items_and_tags_are_read() {
    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>
<updated>2024-01-01T00:00:00Z</updated>
<entry><title>E</title><id>urn:e</id><updated>2024-01-02T00:00:00Z</updated>
<author><name></name><email>only@ao.example</email></author></entry></feed>"#,
    );
    assert_eq!(feed.items[0].author.as_deref(), Some("only@ao.example"));
    let feed = read(
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "J",
            "items": {"id": "1", "title": "x", "tags": "single", "authors": {"name": "Obj Author"}}}"#,
    );
    assert_eq!(feed.items.len(), 1);
    assert!(
        warned(&feed, "\"items\" is an object"),
        "{:?}",
        feed.warnings
    );
    assert_eq!(feed.items[0].categories, ["single"]);
    assert_eq!(feed.items[0].author.as_deref(), Some("Obj Author"));
    let feed = read(r#"{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": 5}"#);
    assert!(feed.items.is_empty());
    assert!(
        warned(&feed, "\"items\" is a number"),
        "{:?}",
        feed.warnings
    );
}
