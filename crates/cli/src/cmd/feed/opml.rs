//! OPML 2.0 (<http://opml.org/spec2.opml>) in and out, for `kb feed import` / `kb feed export`.
//!
//! quick-xml, not the `opml` crate: quick-xml is already in kb's tree (kb-parse reads feeds with
//! it), it is streaming and well kept, and OPML needs one element; the `opml` crate would add a
//! second XML stack (hard-xml) and a strict schema that rejects the sloppy OPML many readers
//! export (unknown attributes, `xmlurl` in lower case, missing `text`).
//!
//! Folders are outlines without `xmlUrl`; a feed's category is the path of folder titles above
//! it, joined with `/`, and export turns that path back into nested outlines, so export followed
//! by import gives the same names, URLs and categories.

use std::borrow::Cow;

use anyhow::{Result, bail};
use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::config::edit::FeedEntry;

/// The feeds of an OPML document, in document order. `name` is empty when the outline has
/// neither `text` nor `title` (the caller names it).
pub fn parse(text: &str) -> Result<Vec<FeedEntry>> {
    let mut reader = Reader::from_str(text.strip_prefix('\u{feff}').unwrap_or(text));
    // Folder titles of the open outlines; `None` for an open feed outline with children.
    let mut folders: Vec<Option<String>> = Vec::new();
    let mut feeds = Vec::new();
    let mut saw_opml = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            anyhow::anyhow!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref().eq_ignore_ascii_case("opml") =>
            {
                saw_opml = true;
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if e.local_name().as_ref().eq_ignore_ascii_case("outline") =>
            {
                let is_start = matches!(event, Event::Start(_));
                let o = Outline::read(e)?;
                match o.xml_url {
                    Some(url) => {
                        let mut category = folders.iter().flatten().cloned().collect::<Vec<_>>();
                        if category.is_empty() {
                            // OPML 2.0 `category`: comma-separated slash-delimited paths.
                            if let Some(c) = o.category.as_deref().and_then(|c| c.split(',').next())
                            {
                                category.extend(
                                    c.split('/')
                                        .map(str::trim)
                                        .filter(|s| !s.is_empty())
                                        .map(String::from),
                                );
                            }
                        }
                        feeds.push(FeedEntry {
                            name: o.title.unwrap_or_default(),
                            url,
                            category: (!category.is_empty()).then(|| category.join("/")),
                        });
                        if is_start {
                            folders.push(None);
                        }
                    }
                    None if is_start => folders.push(o.title),
                    None => {}
                }
            }
            Event::End(e) if e.local_name().as_ref().eq_ignore_ascii_case("outline") => {
                folders.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_opml {
        bail!("it has no <opml> element");
    }
    Ok(feeds)
}

/// What kb reads of one `<outline>`.
struct Outline {
    title: Option<String>,
    xml_url: Option<String>,
    category: Option<String>,
}

impl Outline {
    fn read(e: &BytesStart<'_>) -> Result<Outline> {
        let (mut text, mut title, mut xml_url, mut category) = (None, None, None, None);
        for attr in e.attributes() {
            let attr = attr.map_err(|err| anyhow::anyhow!("bad attribute: {err}"))?;
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| anyhow::anyhow!("bad attribute value: {err}"))?;
            let value = tidy(&value);
            if value.is_empty() {
                continue;
            }
            // Attribute names are case-sensitive in XML, but real exports write `xmlurl` too.
            let key = attr.key.local_name();
            let key = key.as_ref().to_ascii_lowercase();
            match key.as_str() {
                "text" => text = Some(value),
                "title" => title = Some(value),
                "xmlurl" => xml_url = Some(value),
                "category" => category = Some(value),
                _ => {}
            }
        }
        Ok(Outline {
            // OPML 2.0 makes `text` the required label; `title` is the older habit.
            title: text.or(title),
            xml_url,
            category,
        })
    }
}

/// One line, trimmed, inner whitespace collapsed: names and URLs never span lines.
fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A folder or a feed in the export tree.
enum Node<'a> {
    Feed(&'a FeedEntry),
    Folder(String, Vec<Node<'a>>),
}

fn insert<'a>(nodes: &mut Vec<Node<'a>>, path: &[&str], feed: &'a FeedEntry) {
    let Some((first, rest)) = path.split_first() else {
        nodes.push(Node::Feed(feed));
        return;
    };
    let pos = nodes
        .iter()
        .position(|n| matches!(n, Node::Folder(name, _) if name == first));
    let i = match pos {
        Some(i) => i,
        None => {
            nodes.push(Node::Folder((*first).to_string(), Vec::new()));
            nodes.len() - 1
        }
    };
    if let Some(Node::Folder(_, children)) = nodes.get_mut(i) {
        insert(children, rest, feed);
    }
}

/// An OPML 2.0 document of `feeds`: folders in order of first appearance, feeds in config
/// order within them. No date in the head, so the same config always exports the same bytes.
pub fn write(feeds: &[FeedEntry]) -> std::io::Result<String> {
    let mut tree = Vec::new();
    for f in feeds {
        let path: Vec<&str> = f
            .category
            .as_deref()
            .unwrap_or("")
            .split('/')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        insert(&mut tree, &path, f);
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(
        BytesStart::new("opml").with_attributes([("version", "2.0")]),
    ))?;
    w.write_event(Event::Start(BytesStart::new("head")))?;
    w.write_event(Event::Start(BytesStart::new("title")))?;
    w.write_event(Event::Text(BytesText::new("kb feeds")))?;
    w.write_event(Event::End(BytesEnd::new("title")))?;
    w.write_event(Event::End(BytesEnd::new("head")))?;
    w.write_event(Event::Start(BytesStart::new("body")))?;
    write_nodes(&mut w, &tree)?;
    w.write_event(Event::End(BytesEnd::new("body")))?;
    w.write_event(Event::End(BytesEnd::new("opml")))?;
    let mut out = String::from_utf8_lossy(&w.into_inner()).into_owned();
    out.push('\n');
    Ok(out)
}

fn write_nodes(w: &mut Writer<Vec<u8>>, nodes: &[Node<'_>]) -> std::io::Result<()> {
    for n in nodes {
        match n {
            Node::Feed(f) => {
                let attrs: [(&str, Cow<'_, str>); 4] = [
                    ("type", "rss".into()),
                    ("text", f.name.as_str().into()),
                    ("title", f.name.as_str().into()),
                    ("xmlUrl", f.url.as_str().into()),
                ];
                w.write_event(Event::Empty(
                    BytesStart::new("outline")
                        .with_attributes(attrs.iter().map(|(k, v)| (*k, v.as_ref()))),
                ))?;
            }
            Node::Folder(name, children) => {
                w.write_event(Event::Start(
                    BytesStart::new("outline")
                        .with_attributes([("text", name.as_str()), ("title", name.as_str())]),
                ))?;
                write_nodes(w, children)?;
                w.write_event(Event::End(BytesEnd::new("outline")))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn feed(name: &str, url: &str, category: Option<&str>) -> FeedEntry {
        FeedEntry {
            name: name.into(),
            url: url.into(),
            category: category.map(String::from),
        }
    }

    #[test]
    fn nested_outlines_become_categories() {
        let opml = r#"<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="Tech">
    <outline text="Rust"><outline type="rss" text="This Week" xmlUrl="https://this-week-in-rust.org/rss.xml"/></outline>
    <outline type="rss" title="Old style" xmlurl="http://old.example/rss"/>
  </outline>
  <outline type="rss" text="Top &amp; level" xmlUrl="http://top.example/feed?a=1&amp;b=2" category="/News/World,/Other"/>
  <outline type="rss" xmlUrl="http://nameless.example/feed"/>
</body></opml>"#;
        assert_eq!(
            parse(opml).unwrap(),
            [
                feed(
                    "This Week",
                    "https://this-week-in-rust.org/rss.xml",
                    Some("Tech/Rust")
                ),
                feed("Old style", "http://old.example/rss", Some("Tech")),
                feed(
                    "Top & level",
                    "http://top.example/feed?a=1&b=2",
                    Some("News/World")
                ),
                feed("", "http://nameless.example/feed", None),
            ]
        );
    }

    #[test]
    fn export_then_import_is_the_identity() {
        let feeds = [
            feed("a", "http://a.example/feed", Some("Tech/Rust")),
            feed("b <&> \"q\"", "http://b.example/?x=1&y=2", None),
            feed("c", "http://c.example/", Some("Tech")),
            feed("d", "http://d.example/", Some("Tech/Rust")),
        ];
        let text = write(&feeds).unwrap();
        assert!(text.contains("<opml version=\"2.0\">"), "{text}");
        let mut back = parse(&text).unwrap();
        // Export groups by folder; compare as sets of entries.
        back.sort_by(|x, y| x.name.cmp(&y.name));
        assert_eq!(back, feeds);
        assert_eq!(write(&feeds).unwrap(), text, "export is deterministic");
    }

    #[test]
    fn garbage_is_refused() {
        assert!(parse("<html><body>hi</body></html>").is_err());
        assert!(parse("<opml><body><outline text=\"x\"></body>").is_err());
    }
}
