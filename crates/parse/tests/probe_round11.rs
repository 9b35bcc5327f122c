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
