//! Defects found by probe round 11 (feed shapes against feedparser 6.0.14): each input written
//! small here, with what feedparser reads from it.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use kb_parse::{ParseOptions, ParsedFeed, parse};

fn read(xml: &str) -> ParsedFeed {
    parse(xml.as_bytes(), &ParseOptions::default()).unwrap()
}

fn rss(items: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:foo="http://foo.example/ns"><channel><title>Pod</title>
<link>https://pod.example/</link><description>d</description>
{items}
</channel></rss>"#
    )
}

/// WordPress writes one `<enclosure>` per attached media file; the `rss` crate keeps the last
/// of them, README and feedparser say the item's enclosure is the first. One with an empty
/// `url` (or none) is no enclosure, and a namespaced `foo:enclosure` is not RSS's.
#[test]
fn rss_item_enclosure_is_the_first_one() {
    let feed = read(&rss(
        r#"<item><title>Two</title><guid>https://pod.example/1</guid>
  <enclosure url="https://cdn.example/opstalk/42.mp3" length="45678901" type="audio/mpeg"/>
  <enclosure url="https://cdn.example/opstalk/42.m4a" length="45678902" type="audio/mp4"/>
</item>
<item><title>Empty first</title><guid>https://pod.example/2</guid>
  <enclosure url="" type="audio/mpeg"/><enclosure type="audio/mpeg"/>
  <enclosure url="https://cdn.example/2a.mp3"/><enclosure url="https://cdn.example/2b.mp3"/>
</item>
<item><title>Namespaced</title><guid>https://pod.example/3</guid>
  <foo:enclosure url="https://cdn.example/ns.mp3"/><enclosure url="https://cdn.example/3.mp3"/>
</item>
<item><title>Long form</title><guid>https://pod.example/4</guid>
  <enclosure url="https://cdn.example/4a.mp3"></enclosure><enclosure url="https://cdn.example/4b.mp3"/>
</item>
<item><title>Relative</title><guid>https://pod.example/5</guid>
  <enclosure url="uploads/5a.mp3"/><enclosure url="uploads/5b.mp3"/>
</item>
<item><title>One</title><guid>https://pod.example/6</guid>
  <enclosure url="https://cdn.example/6.mp3"/>
</item>"#,
    ));
    let enclosures: Vec<_> = feed.items.iter().map(|i| i.enclosure.as_deref()).collect();
    assert_eq!(
        enclosures,
        [
            Some("https://cdn.example/opstalk/42.mp3"),
            Some("https://cdn.example/2a.mp3"),
            Some("https://cdn.example/3.mp3"),
            Some("https://cdn.example/4a.mp3"),
            Some("https://pod.example/uploads/5a.mp3"),
            Some("https://cdn.example/6.mp3"),
        ]
    );
}

/// An episode with neither guid nor link is keyed by its first enclosure, as identity.rs
/// says: the same id as the episode carrying only that file.
#[test]
fn rss_item_without_guid_or_link_is_keyed_by_its_first_enclosure() {
    let two = read(&rss(r#"<item><title>Ep</title>
  <enclosure url="https://cdn.example/ep.mp3"/><enclosure url="https://cdn.example/ep.m4a"/></item>"#));
    let first = read(&rss(
        r#"<item><title>Ep</title><enclosure url="https://cdn.example/ep.mp3"/></item>"#,
    ));
    assert_eq!(two.items[0].id, first.items[0].id);
}

/// XML Base §4.2: an `xml:base` on an entry's `<content>` or `<summary>` applies inside that
/// element only. The entry's links (enclosure, replies, `wfw:commentRss`) resolve against the
/// entry's own base, as its alternate link did, wherever they stand (Jekyll writes
/// `xml:base` on every `<content>`).
#[test]
fn atom_entry_links_ignore_the_base_of_its_content() {
    let feed = read(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xml:base="https://site.example/blog/">
  <title>Base scope</title><link href="./"/><id>urn:x:base</id><updated>2024-03-04T10:00:00Z</updated>
  <entry>
    <title>Enclosure before content</title>
    <link rel="enclosure" type="audio/mpeg" length="1" href="media/ep1.mp3"/>
    <link rel="alternate" href="ep1"/>
    <id>urn:x:1</id><updated>2024-03-04T10:00:00Z</updated>
    <content type="html" xml:base="https://cdn.example/posts/ep1.html">&lt;p&gt;&lt;a href="notes"&gt;notes&lt;/a&gt;&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Links after content</title>
    <id>urn:x:2</id><updated>2024-03-04T09:00:00Z</updated>
    <content type="html" xml:base="https://cdn.example/posts/ep2.html">&lt;p&gt;x&lt;/p&gt;</content>
    <link rel="alternate" href="ep2"/>
    <link rel="enclosure" type="audio/mpeg" length="1" href="media/ep2.mp3"/>
    <link rel="replies" type="text/html" href="ep2#comments"/>
    <wfw:commentRss>ep2/feed/</wfw:commentRss>
  </entry>
  <entry xml:base="posts/">
    <title>Summary base</title>
    <link rel="alternate" href="ep3"/>
    <link rel="enclosure" type="audio/mpeg" length="1" href="media/ep3.mp3" xml:base="/files/"/>
    <id>urn:x:3</id><updated>2024-03-04T08:00:00Z</updated>
    <summary type="html" xml:base="https://sum.example/x/">s</summary>
    <wfw:commentRss>ep3/feed/</wfw:commentRss>
  </entry>
</feed>"#,
    );
    let got: Vec<_> = feed
        .items
        .iter()
        .map(|i| {
            (
                i.link.as_deref(),
                i.enclosure.as_deref(),
                i.comments_url.as_deref(),
                i.comments_feed.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                Some("https://site.example/blog/ep1"),
                Some("https://site.example/blog/media/ep1.mp3"),
                None,
                None,
            ),
            (
                Some("https://site.example/blog/ep2"),
                Some("https://site.example/blog/media/ep2.mp3"),
                Some("https://site.example/blog/ep2#comments"),
                Some("https://site.example/blog/ep2/feed/"),
            ),
            (
                Some("https://site.example/blog/posts/ep3"),
                Some("https://site.example/files/media/ep3.mp3"),
                None,
                Some("https://site.example/blog/posts/ep3/feed/"),
            ),
        ]
    );
    // The HTML inside still resolves against the content's own base.
    assert_eq!(
        feed.items[0].base_url.as_deref(),
        Some("https://cdn.example/posts/ep1.html")
    );
    assert_eq!(
        feed.items[2].base_url.as_deref(),
        Some("https://sum.example/x/")
    );
}

/// With no base above the entry (a file read with no `xml:base` on the feed), relative links
/// fall back to the feed's link as everywhere else, never to the content's `xml:base`.
#[test]
fn atom_entry_links_without_a_base_skip_the_content_base() {
    let feed = read(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:wfw="http://wellformedweb.org/CommentAPI/">
  <title>No base</title><link href="https://site.example/blog/"/><id>urn:x:base</id>
  <updated>2024-03-04T10:00:00Z</updated>
  <entry>
    <title>e</title>
    <link rel="alternate" href="ep1"/>
    <link rel="enclosure" href="media/ep1.mp3"/>
    <link rel="replies" type="text/html" href="ep1#comments"/>
    <wfw:commentRss>ep1/feed/</wfw:commentRss>
    <id>urn:x:1</id><updated>2024-03-04T10:00:00Z</updated>
    <content type="html" xml:base="https://cdn.example/posts/ep1.html">&lt;p&gt;x&lt;/p&gt;</content>
  </entry>
</feed>"#,
    );
    let item = &feed.items[0];
    assert_eq!(item.link.as_deref(), Some("https://site.example/blog/ep1"));
    assert_eq!(
        item.enclosure.as_deref(),
        Some("https://site.example/blog/media/ep1.mp3")
    );
    assert_eq!(
        item.comments_url.as_deref(),
        Some("https://site.example/blog/ep1#comments")
    );
    assert_eq!(
        item.comments_feed.as_deref(),
        Some("https://site.example/blog/ep1/feed/")
    );
    assert_eq!(
        item.base_url.as_deref(),
        Some("https://cdn.example/posts/ep1.html")
    );
}

/// Found by probing: an RSS item whose only title is an `atom:title type="xhtml"` got its link
/// as its title (the `rss` crate hands xhtml over as child elements grouped by name, without
/// the text's order). Its text is read in document order; text and html ones were read before.
#[test]
fn an_xhtml_atom_title_in_an_rss_item_is_its_title() {
    let feed = read(
        r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
<link>https://t.example/</link><description>d</description>
<item><atom:title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Why <i>zebras</i>
  have <b>stripes</b></div></atom:title><link>https://t.example/4</link></item>
<item><atom:title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">  </div></atom:title>
<link>https://t.example/5</link><description>Body</description></item>
</channel></rss>"#,
    );
    assert_eq!(
        feed.items[0].title.as_deref(),
        Some("Why zebras have stripes")
    );
    assert_ne!(feed.items[1].title.as_deref(), Some(""));
}
