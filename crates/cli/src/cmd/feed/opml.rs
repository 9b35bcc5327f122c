//! OPML 2.0 (<http://opml.org/spec2.opml>) in and out, for `kb feed import` / `kb feed export`.
//!
//! quick-xml, not the `opml` crate: quick-xml is already in kb's tree (kb-parse reads feeds with
//! it), it is streaming and well kept, and OPML needs one element; the `opml` crate would add a
//! second XML stack (hard-xml) and a strict schema that rejects the sloppy OPML many readers
//! export (unknown attributes, `xmlurl` in lower case, missing `text`).
//!
//! Folders are outlines without `xmlUrl`; a feed's category is the path of folder titles above
//! it, joined with `/`, and export turns that path back into nested outlines.
//!
//! Export followed by import gives back every name, URL and category a kb.toml can hold, and a
//! second export the same bytes: names are read exactly as written (inner runs of spaces, tabs,
//! line breaks and padding included, which XML carries as character references); a category
//! the folders cannot say exactly (`A / B`, `/Lead/`) and a feed's `timeout_secs` travel in
//! kb's own attributes ([`KB_NS`]), which other readers ignore. `fixture` is not exported: it
//! is a path on the exporting machine. A character XML 1.0 cannot carry (a control character
//! other than tab, line feed and carriage return) is written as U+FFFD: the file stays
//! well-formed for strict readers, and the loss is visible.

use std::borrow::Cow;

use anyhow::{Result, bail};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::{NamespaceResolver, ResolveResult};
use quick_xml::reader::NsReader;

use crate::config::edit::FeedEntry;

/// The namespace of kb's attributes on exported outlines (`kb:category`, `kb:timeoutSecs`).
pub const KB_NS: &str = "https://github.com/kb-rss/kb/opml";

/// What an OPML document holds for kb.
pub struct Parsed {
    /// The feeds, in document order. `name` is empty when the outline has neither `text` nor
    /// `title` (the caller names it).
    pub feeds: Vec<FeedEntry>,
    /// Outlines that are neither feeds nor folders (no `xmlUrl`, no outlines inside: a bare
    /// title, a web page's `htmlUrl`), each as its `htmlUrl` or its title.
    pub no_feed_url: Vec<String>,
}

/// The feeds of an OPML document, and the outlines without a feed URL.
pub fn parse(text: &str) -> Result<Parsed> {
    let mut reader = NsReader::from_str(text.strip_prefix('\u{feff}').unwrap_or(text));
    // Folder titles of the open outlines; `None` for an open feed outline with children.
    let mut folders: Vec<Option<String>> = Vec::new();
    // For each open outline: how it is named if it turns out to be an empty folder (None for a
    // feed), and whether an outline was seen inside it.
    let mut open: Vec<(Option<String>, bool)> = Vec::new();
    let mut no_feed_url = Vec::new();
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
                let o = Outline::read(e, reader.resolver())?;
                if let Some(parent) = open.last_mut() {
                    parent.1 = true;
                }
                let label = o
                    .html_url
                    .clone()
                    .or_else(|| o.title.clone())
                    .unwrap_or_else(|| "(untitled)".to_string());
                if is_start {
                    open.push((o.xml_url.is_none().then_some(label), false));
                } else if o.xml_url.is_none() {
                    no_feed_url.push(label);
                }
                match o.xml_url {
                    Some(url) => {
                        let mut category = folders.iter().flatten().cloned().collect::<Vec<_>>();
                        if let Some(exact) = o.kb_category {
                            category = vec![exact];
                        } else if category.is_empty() {
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
                            timeout_secs: o.kb_timeout_secs,
                        });
                        if is_start {
                            folders.push(None);
                        }
                    }
                    // A folder title is one step of a category path: its padding is layout.
                    None if is_start => folders.push(
                        o.title
                            .map(|t| t.trim().to_string())
                            .filter(|t| !t.is_empty()),
                    ),
                    None => {}
                }
            }
            Event::End(e) if e.local_name().as_ref().eq_ignore_ascii_case("outline") => {
                folders.pop();
                if let Some((Some(label), false)) = open.pop() {
                    no_feed_url.push(label);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_opml {
        bail!("it has no <opml> element");
    }
    Ok(Parsed { feeds, no_feed_url })
}

/// What kb reads of one `<outline>`.
struct Outline {
    title: Option<String>,
    xml_url: Option<String>,
    html_url: Option<String>,
    category: Option<String>,
    /// `kb:category`: the category exactly, when the folders cannot say it.
    kb_category: Option<String>,
    /// `kb:timeoutSecs`.
    kb_timeout_secs: Option<u64>,
}

impl Outline {
    fn read(e: &BytesStart<'_>, ns: &NamespaceResolver) -> Result<Outline> {
        let mut o = Outline {
            title: None,
            xml_url: None,
            html_url: None,
            category: None,
            kb_category: None,
            kb_timeout_secs: None,
        };
        let mut text = None;
        for attr in e.attributes() {
            let attr = attr.map_err(|err| anyhow::anyhow!("bad attribute: {err}"))?;
            // Values are kept as written (after XML's own attribute normalization): a name's
            // inner and outer whitespace is part of it, and kb's export relies on that.
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| anyhow::anyhow!("bad attribute value: {err}"))?
                .into_owned();
            if value.trim().is_empty() {
                continue;
            }
            let (space, local) = ns.resolve_attribute(attr.key);
            if let ResolveResult::Bound(space) = space {
                if space.as_ref() == KB_NS {
                    match local.as_ref() {
                        "category" => o.kb_category = Some(value),
                        // A value kb cannot read is left out: the feed then uses the default.
                        "timeoutSecs" => o.kb_timeout_secs = value.trim().parse().ok(),
                        _ => {}
                    }
                }
                continue;
            }
            // Attribute names are case-sensitive in XML, but real exports write `xmlurl` too.
            let key = local.as_ref().to_ascii_lowercase();
            match key.as_str() {
                "text" => text = Some(value),
                "title" => o.title = Some(value),
                // Spaces around a URL are no part of it (URL parsers strip them too).
                "xmlurl" => o.xml_url = Some(value.trim().to_string()),
                "htmlurl" => o.html_url = Some(value.trim().to_string()),
                "category" => o.category = Some(value),
                _ => {}
            }
        }
        // OPML 2.0 makes `text` the required label; `title` is the older habit.
        o.title = text.or(o.title);
        Ok(o)
    }
}

/// `s` with every character XML 1.0 does not allow (`Char` production: C0 controls other than
/// tab, line feed and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD. A kb.toml name may
/// hold `\u0007`; written raw it makes the whole file unreadable to a strict XML parser.
fn xml_safe(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

/// The folder path of a category: `/`-separated, each title trimmed, empty ones left out.
fn folder_path(category: Option<&str>) -> Vec<&str> {
    category
        .unwrap_or("")
        .split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The category to write as `kb:category`: one the folder path does not give back exactly.
/// A blank category is no category, in kb.toml as on import.
fn exact_category(f: &FeedEntry) -> Option<&str> {
    let c = f.category.as_deref()?;
    (!c.trim().is_empty() && folder_path(Some(c)).join("/") != c).then_some(c)
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
    let feeds: Vec<FeedEntry> = feeds
        .iter()
        .map(|f| FeedEntry {
            name: xml_safe(&f.name).into_owned(),
            // Spaces around a URL are no part of it; import drops them too.
            url: xml_safe(f.url.trim()).into_owned(),
            category: f.category.as_deref().map(|c| xml_safe(c).into_owned()),
            timeout_secs: f.timeout_secs,
        })
        .collect();
    let mut tree = Vec::new();
    for f in &feeds {
        insert(&mut tree, &folder_path(f.category.as_deref()), f);
    }
    let mut opml = BytesStart::new("opml").with_attributes([("version", "2.0")]);
    // Declared only when used, so an export of plain feeds is plain OPML.
    if feeds
        .iter()
        .any(|f| exact_category(f).is_some() || f.timeout_secs.is_some())
    {
        opml.push_attribute(("xmlns:kb", KB_NS));
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(opml))?;
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
                let mut attrs: Vec<(&str, Cow<'_, str>)> = vec![
                    ("type", "rss".into()),
                    ("text", f.name.as_str().into()),
                    ("title", f.name.as_str().into()),
                    ("xmlUrl", f.url.as_str().into()),
                ];
                if let Some(c) = exact_category(f) {
                    attrs.push(("kb:category", c.into()));
                }
                if let Some(secs) = f.timeout_secs {
                    attrs.push(("kb:timeoutSecs", secs.to_string().into()));
                }
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
            timeout_secs: None,
        }
    }

    /// Found by probing `kb feed import`: outlines without `xmlUrl` were dropped without a word.
    #[test]
    fn outlines_without_a_feed_url_are_named() {
        let opml = r#"<opml version="2.0"><body>
  <outline text="Folder"><outline text="Feed" xmlUrl="http://a.example/rss"/></outline>
  <outline text="Just a site" htmlUrl="http://site.example/"/>
  <outline text="Bare title"/>
  <outline text="Page with body" htmlUrl="http://page.example/"></outline>
</body></opml>"#;
        let parsed = parse(opml).unwrap();
        assert_eq!(parsed.feeds.len(), 1);
        assert_eq!(
            parsed.no_feed_url,
            ["http://site.example/", "Bare title", "http://page.example/"]
        );
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
            parse(opml).unwrap().feeds,
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
        let mut back = parse(&text).unwrap().feeds;
        // Export groups by folder; compare as sets of entries.
        back.sort_by(|x, y| x.name.cmp(&y.name));
        assert_eq!(back, feeds);
        assert_eq!(write(&feeds).unwrap(), text, "export is deterministic");
    }

    /// export -> import -> export is a fixed point for whatever a kb.toml can hold.
    #[test]
    fn a_second_export_of_an_imported_export_is_the_same() {
        let mut odd = feed(
            " two  spaces\tand\r\nbreaks ",
            " http://a.example/x y ",
            Some(" / A /  B/"),
        );
        odd.timeout_secs = Some(9);
        let feeds = [
            odd,
            feed("bell\u{7}\u{FFFE}", "http://b.example/", Some("/")),
            feed("blank category", "http://c.example/", Some("  ")),
            feed("comma", "http://d.example/", Some("Fun,Games")),
        ];
        let first = write(&feeds).unwrap();
        assert!(
            !first.contains('\u{7}') && !first.contains('\u{FFFE}'),
            "{first}"
        );
        let back = parse(&first).unwrap().feeds;
        assert_eq!(write(&back).unwrap(), first);
        let odd = back.iter().find(|f| f.timeout_secs.is_some()).unwrap();
        assert_eq!(odd.name, " two  spaces\tand\r\nbreaks ");
        assert_eq!(odd.url, "http://a.example/x y");
        assert_eq!(odd.category.as_deref(), Some(" / A /  B/"));
        assert_eq!(odd.timeout_secs, Some(9));
        assert!(back.iter().any(|f| f.name == "bell\u{FFFD}\u{FFFD}"));
    }

    #[test]
    fn garbage_is_refused() {
        assert!(parse("<html><body>hi</body></html>").is_err());
        assert!(parse("<opml><body><outline text=\"x\"></body>").is_err());
    }
}
