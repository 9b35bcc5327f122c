//! RSS 0.91, 0.92, 2.0 and RSS 0.90 / 1.0 (RDF) through the `rss` crate, mapped into the model.
//!
//! The `rss` crate reads the elements of the RSS 2.0 specification
//! (<https://www.rssboard.org/rss-specification>) and keeps every namespaced element as an
//! extension; this adapter picks the modules feeds use: `content:encoded` (RSS content module),
//! Dublin Core (`dc:creator`, `dc:date`, `dc:subject`, `dc:title`), Media RSS (`media:title`,
//! `media:category`, `media:keywords`), `wfw:commentRss` (Well-Formed Web CommentAPI), `slash:comments` (Slash
//! module), and Atom's `atom:link rel="prev-archive"` (RFC 5005), `atom:updated`,
//! `atom:category`, `atom:id` where the item has no `guid`, link or enclosure, and
//! `atom:title`/`atom:summary` where RSS's own are missing.
//! Items straight under `<rss>` with no `<channel>` are read as the channel's.
//! The raw `rss` types never leave this module.

use ::rss::extension::{Extension, ExtensionMap};
use ::rss::{Channel, Item};
use std::collections::BTreeMap;

use crate::dates::parse_date_or_warn;
use crate::model::{FeedFormat, ParsedFeed, ParsedItem};
use crate::plain;
use crate::urls;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const WFW_NS: &str = "http://wellformedweb.org/CommentAPI/";
/// The modules of click-tracking services that put the article's own address beside their
/// redirect: FeedBurner's and Pheedo's, each with an `origLink`.
const ORIGINAL_LINK_NS: [&str; 2] = [
    "http://rssnamespace.org/feedburner/ext/1.0",
    "http://www.pheedo.com/namespace/pheedo",
];
const DCTERMS_NS: &str = "http://purl.org/dc/terms/";
const SLASH_NS: &str = "http://purl.org/rss/1.0/modules/slash/";
/// Atom threading (RFC 4685) `thr:total`, and LiveJournal's `lj:reply-count`: comment counts.
const THREAD_NS: &str = "http://purl.org/syndication/thread/1.0";
const LJ_NS: &str = "http://www.livejournal.org/rss/lj/1.0/";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
/// Apple's podcast namespace; feeds capitalise it both ways (`DTDs/Podcast`, `dtds/podcast`).
const ITUNES_NS: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
/// Media RSS (<https://www.rssboard.org/media-rss>); feeds write it with and without the slash.
const MEDIA_NS: [&str; 2] = [
    "http://search.yahoo.com/mrss/",
    "http://search.yahoo.com/mrss",
];

/// Read a well-formed RSS or RDF document. `Err` carries the `rss` crate's reason.
/// `source_url` is the document's address, against which a relative `xml:base` resolves.
pub(crate) fn read(
    xml: &str,
    format: FeedFormat,
    source_url: Option<&str>,
    warnings: Vec<String>,
) -> Result<ParsedFeed, String> {
    let read = |channel: &Channel, warnings| {
        let feed = with_dropped(to_feed(channel, format, warnings), xml);
        with_channel_base(feed, xml, source_url)
    };
    match Channel::read_from(xml.as_bytes()) {
        Ok(channel) => Ok(read(&channel, warnings)),
        // A root with no channel (`<rss></rss>`) is an empty feed, not a broken one.
        Err(::rss::Error::Eof) if !xml.contains("<channel") => {
            let mut warnings = warnings;
            // Items straight under the root (`<rss><item>…</item></rss>`, as in feedparser's
            // suite) are read as the channel's, like feedparser does.
            let wrapped = xml
                .contains("<item")
                .then(|| wrap_in_channel(xml))
                .flatten();
            if let Some(Ok(channel)) = wrapped.map(|w| Channel::read_from(w.as_bytes())) {
                warnings.push("no <channel> element: items read from the root".into());
                return Ok(read(&channel, warnings));
            }
            warnings.push("no <channel> element: the feed is empty".into());
            Ok(ParsedFeed {
                format,
                title: None,
                link: None,
                description: None,
                language: None,
                prev_archive: None,
                items: Vec::new(),
                warnings,
            })
        }
        Err(err) => Err(format!("rss: {err}")),
    }
}

/// The channel's `<link>` resolved against the `xml:base` in scope where it is written (on the
/// root, the channel, the link itself: XML Base §4.2), which the `rss` crate does not keep.
/// Without it a relative channel link resolved against the document's URL, another host.
fn with_channel_base(mut feed: ParsedFeed, xml: &str, source_url: Option<&str>) -> ParsedFeed {
    if !xml.contains("xml:base") {
        return feed;
    }
    let Some(link) = feed.link.as_deref() else {
        return feed;
    };
    if let Some(base) = channel_link_base(xml, source_url) {
        feed.link = Some(urls::resolve(urls::parse_base(Some(&base)).as_ref(), link));
    }
    feed
}

/// The base in scope at the channel's first `<link>` (the document's URL, then each
/// `xml:base` down to the link's own, joined), if any `xml:base` applies there.
fn channel_link_base(xml: &str, source_url: Option<&str>) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    // (depth, joined base) of each open element declaring one; the channel's depth once open.
    let mut bases: Vec<(usize, String)> = Vec::new();
    let mut channel_depth = None;
    let mut depth = 0usize;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                depth += 1;
                if let Ok(Some(base)) = e.try_get_attribute("xml:base")
                    && let Ok(base) = base.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                {
                    let outer = bases.last().map(|(_, b)| b.as_str()).or(source_url);
                    let joined = urls::resolve(urls::parse_base(outer).as_ref(), &base);
                    bases.push((depth, joined));
                }
                let name = e.name();
                let name: &str = name.as_ref();
                match (channel_depth, name) {
                    (None, "channel") => channel_depth = Some(depth),
                    (Some(c), "link") if depth == c + 1 => {
                        return bases.pop().map(|(_, b)| b);
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                if bases.last().is_some_and(|(d, _)| *d == depth) {
                    bases.pop();
                }
                if channel_depth == Some(depth) {
                    return None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The document with the root element's content wrapped in `<channel>`, or `None` when it
/// has no root with content. The input has been through `wellform`, so it is well-formed.
fn wrap_in_channel(xml: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    let mut open_end = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).ok()?;
        match reader.read_event().ok()? {
            Event::Start(_) => {
                depth += 1;
                if depth == 1 {
                    open_end = Some(usize::try_from(reader.buffer_position()).ok()?);
                }
            }
            Event::End(_) => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let open_end = open_end?;
                    let (head, rest) = xml.split_at_checked(open_end)?;
                    let (body, tail) = rest.split_at_checked(before.checked_sub(open_end)?)?;
                    return Some(format!("{head}<channel>{body}</channel>{tail}"));
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// What the `rss` crate drops from one item: it turns the Dublin Core and iTunes namespaces
/// into fixed structs and discards their names it does not list, and it ignores elements that
/// are not RSS, which feeds written with Atom habits use without a namespace.
#[derive(Default)]
struct Dropped {
    /// `dc:author`: not a Dublin Core element, but written by feeds meaning `dc:creator`.
    authors: Vec<String>,
    /// `<name>` in an RSS `<author>` written as an Atom person: the author, whatever other
    /// children the person has (a job title, a company), whose text the crate runs together
    /// with the name's ("Product Manager, Office of the CTO", for Google's Cloud blog).
    person_names: Vec<String>,
    /// `atom:author/atom:email`: names the author when no author has a name (.NET's
    /// `a10:author` often carries only the email).
    author_emails: Vec<String>,
    /// Item-level `itunes:category text="..."`, nested ones included (Apple defines them on
    /// the channel; podcast feeds put them on episodes too).
    categories: Vec<String>,
    /// `<link href="..."/>` (Atom's form, no namespace, no `rel` or `rel="alternate"`).
    link: Option<String>,
    /// `<updated>` (Atom's name, no namespace), or Atom 0.3's `<modified>`.
    updated: Option<String>,
    /// `<category>`s not directly in the item, which the crate does not see: IDG's feeds
    /// (Macworld, TechHive) group them in a `<categories>`.
    nested_categories: Vec<String>,
    /// `<tags>a, b</tags>`: comma-separated tags, read by feedparser.
    tags: Vec<String>,
    /// The item's `xml:base` (its own or an ancestor's, nested ones joined), which the crate
    /// does not keep: relative links in the item resolve against it (XML Base §4.2).
    base: Option<String>,
    /// RSS 1.0 `rdf:about` (§5.5): the item's URI, which the crate does not keep.
    about: Option<String>,
    /// An Atom `id` (`atom:id`, or `<id>` without a prefix) of the item's own, which the crate
    /// does not keep: what feedparser reads as the id of an item without `guid`.
    id: Option<String>,
    /// The `guid`'s `isPermaLink` as written: the crate takes any value but "false" (`FALSE`
    /// too) as true.
    permalink: Option<String>,
    /// `itunes:title`, which the crate drops: an Apple podcast trailer's only title.
    itunes_title: Option<String>,
    /// The text of an `atom:title type="xhtml"`, which the crate keeps as child elements.
    xhtml_title: Option<String>,
    /// The first `<enclosure>` with a `url`: the crate keeps the last of an item's enclosures,
    /// and WordPress writes one per attached media file.
    enclosure: Option<String>,
    /// The base in scope at a `<link>` that has an `xml:base` of its own (XML Base §4.2:
    /// it applies to the link's text), outer bases joined in.
    link_base: Option<String>,
    /// What each tag-like element of the item writes (`category`, `subject`, `keywords`,
    /// `tags`, of any namespace and depth: its text, the parts of a comma list, its `term`,
    /// `text` or `label`), in document order. The crate groups tags by kind; this puts them
    /// back in the order the publisher wrote them, which feedparser keeps.
    tag_order: Vec<String>,
}

/// Which text of an item [`scan_dropped`] is collecting.
#[derive(Clone, Copy)]
enum Capture {
    DcAuthor,
    PersonName,
    NestedCategory,
    AtomEmail,
    Id,
    Updated,
    Tags,
    ItunesTitle,
    XhtmlTitle,
}

/// Add what the `rss` crate dropped (see [`Dropped`]) to the feed's items: `dc:author` as the
/// author when the item has none, `<tags>`, iTunes and nested categories among the others, all
/// in the order the item writes them, the `link href` and `updated` when the item has none,
/// the first enclosure in place of the crate's last. A second, streaming pass over the
/// document, taken only when it mentions those elements; when its item count differs from the
/// crate's, the items cannot be paired and nothing is added. Last, a permalink guid is the
/// link of an item that has none.
fn with_dropped(mut feed: ParsedFeed, xml: &str) -> ParsedFeed {
    // More enclosure elements than items with an enclosure: some item has several (or one
    // without a url), and the crate kept its last. A podcast feed of one file per episode
    // does not pay for the second pass.
    let several_enclosures = xml.matches("<enclosure").count()
        > feed.items.iter().filter(|i| i.enclosure.is_some()).count();
    let needed = several_enclosures
        || [
            ":author",
            ":category",
            // Tags of other kinds, put in the order written among the categories.
            ":subject",
            ":keywords",
            "<link ",
            "<updated",
            "<modified",
            "<tags",
            // `<categories><category>…</category></categories>` (IDG's feeds).
            "<categories",
            "xml:base",
            "about=",
            "isPermaLink=",
            ":id>",
            "<id>",
            ":title",
            // An Atom person in an RSS `<author>`, written without the prefix.
            "<name",
            "<email",
        ]
        .iter()
        .any(|needle| xml.contains(needle));
    let mut scanned = needed
        .then(|| scan_dropped(xml))
        .flatten()
        .filter(|d| d.len() == feed.items.len())
        .unwrap_or_default()
        .into_iter();
    for (position, item) in feed.items.iter_mut().enumerate() {
        let Some(dropped) = scanned.next() else {
            guid_as_link(item, None);
            continue;
        };
        let permalink = dropped.permalink;
        // An `<author>` holding an Atom person gives the crate only the blanks between its
        // children.
        if item.author.as_deref().is_some_and(|a| a.trim().is_empty()) {
            item.author = None;
        }
        if !dropped.person_names.is_empty() {
            item.author = Some(display_name(&dropped.person_names.join(", ")));
        }
        if item.author.is_none() && !dropped.authors.is_empty() {
            item.author = Some(display_name(&dropped.authors.join(", ")));
        }
        if item.author.is_none() && !dropped.author_emails.is_empty() {
            item.author = Some(dropped.author_emails.join(", "));
        }
        if !dropped.tags.is_empty() {
            item.categories.splice(0..0, dropped.tags);
        }
        item.categories.extend(dropped.categories);
        item.categories.extend(dropped.nested_categories);
        in_written_order(&mut item.categories, &dropped.tag_order);
        match (item.link.as_deref(), dropped.link_base.as_deref()) {
            (None, _) => item.link = dropped.link,
            (Some(link), Some(base)) => {
                item.link = Some(urls::resolve(urls::parse_base(Some(base)).as_ref(), link));
            }
            (Some(_), None) => {}
        }
        if item.base_url.is_none() {
            item.base_url = dropped.base;
        }
        // RSS 1.0 has no guid: `rdf:about` is the item's identifier (feedparser's `id`), so an
        // item without a link keeps its id when edited. It is not taken as the link, which
        // feedparser leaves empty too. Identity keys RSS 1.0 items by their link first
        // (identity.rs), so an item with a link keeps the id it had before rdf:about was read.
        if let Some(about) = dropped.about.filter(|a| !a.trim().is_empty())
            && item.guid.is_none()
        {
            item.guid = Some(about);
            item.guid_is_permalink = false;
        }
        // An Atom id in an RSS item (feeds converted from Atom, .NET's SyndicationFeed): the
        // publisher's identifier, which feedparser reads as the item's id. Taken where the item
        // has nothing else to be known by (no guid, link or enclosure), which kept no id across
        // an edit of its text (identity.rs hashes it); an item with a link or an enclosure keeps
        // the id kb gave it before it read this one, so no archive files it again. As in Atom
        // (atom.rs), an id is the link of an item without one only when it is a web address.
        if let Some(id) = dropped.id
            && item.guid.is_none()
            && item.link.is_none()
            && item.enclosure.is_none()
        {
            if urls::is_web_address(&id) {
                item.link = Some(id.clone());
            }
            item.guid = Some(id);
            item.guid_is_permalink = false;
        }
        if item.title.is_none() {
            item.title = dropped.xhtml_title.or(dropped.itunes_title);
        }
        if dropped.enclosure.is_some() {
            item.enclosure = dropped.enclosure;
        }
        if let (None, Some(raw)) = (item.updated, dropped.updated) {
            let place = format!("item {}", position + 1);
            item.updated = parse_date_or_warn(&raw, &place, "updated", &mut feed.warnings);
        }
        guid_as_link(item, permalink.as_deref());
    }
    with_bodies(&mut feed, xml);
    feed
}

/// The texts [`scan_dropped`] is collecting: a capture's and an open tag-like element's.
fn collecting<'a>(
    capture: &'a mut Option<(Capture, usize, String)>,
    tag_text: &'a mut Option<(usize, String)>,
) -> impl Iterator<Item = &'a mut String> {
    [
        capture.as_mut().map(|c| &mut c.2),
        tag_text.as_mut().map(|t| &mut t.1),
    ]
    .into_iter()
    .flatten()
}

/// Put `tags` in the order of the first element that writes each (`written`, see
/// [`Dropped::tag_order`]); one no element writes as it is (a tag the crate trimmed
/// differently) keeps its place among those after the others. The sort is stable: tags
/// from one element stay in its order.
fn in_written_order(tags: &mut [String], written: &[String]) {
    if tags.len() < 2 || written.is_empty() {
        return;
    }
    let mut first: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(written.len());
    for (at, tag) in written.iter().enumerate() {
        first.entry(tag.as_str()).or_insert(at);
    }
    tags.sort_by_key(|t| first.get(t.trim()).copied().unwrap_or(usize::MAX));
}

/// XHTML's namespace, in which an RSS item's `<body>` holds its whole text.
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// Items whose text is in an element the `rss` crate does not know get it as their content:
/// an XHTML `<body>` (prefixed or default-namespaced, or a bare `<body>`), the convention of
/// early RSS 2.0 feeds for a full post, or `<fullitem>` (escaped HTML). feedparser reads
/// both as content; without this such an item came out empty, silently. Only documents that
/// mention those elements pay for the second reading, a streaming one that holds only the
/// bodies (a tree of the whole document cost about 100 times its size).
fn with_bodies(feed: &mut ParsedFeed, xml: &str) {
    let mentioned = ["<body", ":body", "<fullitem"]
        .iter()
        .any(|needle| xml.contains(needle));
    if !mentioned || feed.items.iter().all(|i| i.content_html.is_some()) {
        return;
    }
    // Paired by position, as `scan_dropped`'s: when the counts differ they cannot be.
    let Some(bodies) = scan_bodies(xml).filter(|b| b.len() == feed.items.len()) else {
        return;
    };
    for (item, body) in feed.items.iter_mut().zip(bodies) {
        if item.content_html.is_none()
            && let Some(body) = body.filter(|b| !b.trim().is_empty())
        {
            item.content_html = Some(body);
        }
    }
}

/// Text of the body being read (see [`scan_bodies`]): as it is in a `fullitem`, which holds
/// escaped HTML; escaped in an XHTML body, whose markup is written out.
fn push_body_text(capture: &mut Option<(usize, bool, String)>, text: &str) {
    if let Some((_, fullitem, buf)) = capture.as_mut() {
        if *fullitem {
            buf.push_str(text);
        } else {
            buf.push_str(&quick_xml::escape::escape(text));
        }
    }
}

/// Elements HTML writes without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// One entry per outermost `item`, in document order: its XHTML `<body>` as markup (prefixes
/// and namespace declarations dropped, so the cleaner sees plain HTML), else its
/// `<fullitem>`'s text; `None` if the document cannot be read (it has been through
/// `wellform`, so that is not expected).
fn scan_bodies(xml: &str) -> Option<Vec<Option<String>>> {
    use quick_xml::escape::escape;
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut out: Vec<Option<String>> = Vec::new();
    let mut depth = 0usize;
    let mut item_depth: Option<usize> = None;
    // The body being read: (its depth, whether it is a `fullitem` of text, what it holds).
    let mut capture: Option<(usize, bool, String)> = None;
    let start_tag = |buf: &mut String, e: &quick_xml::events::BytesStart<'_>| {
        let name = e.local_name().into_inner().to_owned();
        buf.push('<');
        buf.push_str(&name);
        for attr in e.attributes().flatten() {
            let key: String = attr.key.as_ref().to_owned();
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default();
            buf.push_str(&format!(" {key}=\"{}\"", escape(value.as_str())));
        }
        buf.push('>');
        name
    };
    loop {
        let (ns, event) = reader.read_resolved_event().ok()?;
        let in_body_ns = matches!(ns, ResolveResult::Unbound)
            || matches!(ns, ResolveResult::Bound(n) if n.into_inner() == XHTML_NS);
        let unbound = matches!(ns, ResolveResult::Unbound);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                depth += usize::from(is_start);
                if let Some((_, fullitem, buf)) = capture.as_mut() {
                    if !*fullitem {
                        let name = start_tag(buf, e);
                        if !is_start && !VOID.contains(&name.as_str()) {
                            buf.push_str(&format!("</{name}>"));
                        }
                    }
                    continue;
                }
                let local = e.local_name();
                let local = local.into_inner();
                match item_depth {
                    None if local.eq_ignore_ascii_case("item") => {
                        out.push(None);
                        if is_start {
                            item_depth = Some(depth);
                        }
                    }
                    Some(d)
                        if is_start
                            && depth == d + 1
                            && out.last().is_some_and(Option::is_none) =>
                    {
                        if local == "body" && in_body_ns {
                            capture = Some((depth, false, String::new()));
                        } else if local == "fullitem" && unbound {
                            capture = Some((depth, true, String::new()));
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(ref t) => push_body_text(&mut capture, &t.xml10_content()),
            Event::CData(ref t) => push_body_text(&mut capture, &t.xml10_content()),
            Event::GeneralRef(ref r) if capture.is_some() => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_xml_entity(r)
                        .unwrap_or("")
                        .to_string(),
                };
                push_body_text(&mut capture, &text);
            }
            Event::End(ref e) => {
                match capture.as_mut() {
                    Some((d, _, _)) if *d == depth => {
                        if let (Some((_, _, buf)), Some(last)) = (capture.take(), out.last_mut()) {
                            *last = Some(buf);
                        }
                    }
                    Some((_, false, buf)) => {
                        let local = e.local_name();
                        buf.push_str(&format!("</{}>", local.into_inner()));
                    }
                    _ => {}
                }
                if item_depth == Some(depth) {
                    item_depth = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

/// RSS 2.0: `isPermaLink` "is optional, its default value is true", and then the guid is the
/// item's URL: the link of an item without one (after every explicit link). Its value is read
/// as feedparser reads it, true only when it says "true" (in any case). A guid that is only
/// permalink by default must look like a web address (many feeds write `<guid>1234</guid>`
/// meaning no URL); one declared a permalink may be relative, and resolves like any link.
fn guid_as_link(item: &mut ParsedItem, permalink: Option<&str>) {
    if let Some(value) = permalink {
        item.guid_is_permalink = value.trim().eq_ignore_ascii_case("true");
    }
    if item.link.is_some() || !item.guid_is_permalink {
        return;
    }
    let Some(guid) = item.guid.as_deref().map(str::trim) else {
        return;
    };
    // A relative path (`posts/6.html`, `/p/6`) is a permalink by default too; a bare number
    // or a `tag:`/`urn:` id is not.
    let relative_path =
        || guid.contains('/') && !guid.contains(':') && !guid.contains(char::is_whitespace);
    let usable = match permalink {
        Some(_) => !guid.is_empty() && !guid.contains(char::is_whitespace),
        None => guid.starts_with("http") || relative_path(),
    };
    if usable {
        item.link = Some(guid.to_owned());
    }
}

/// One [`Dropped`] per `item` element (outermost items only, in document order); `None` if
/// the document cannot be read (it has been through `wellform`, so that is not expected).
fn scan_dropped(xml: &str) -> Option<Vec<Dropped>> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut items: Vec<Dropped> = Vec::new();
    let mut depth = 0usize;
    // Depth of the open item, and the text being collected inside it.
    let mut item_depth: Option<usize> = None;
    // What is being collected, from the element opened at which depth (it may hold markup:
    // an xhtml `atom:title`).
    let mut capture: Option<(Capture, usize, String)> = None;
    // The xml:base in force: (depth of the element declaring it, the joined base).
    let mut bases: Vec<(usize, String)> = Vec::new();
    // Depth of an open `<atom:author>`, or an RSS `<author>` written as an Atom person: its
    // `name` and `email` children are Atom's even when written without the prefix, as
    // feedparser reads them.
    let mut atom_author: Option<usize> = None;
    // Whether that author is RSS's own `<author>` (no namespace), which the crate reads as text.
    let mut rss_person = false;
    // A tag-like element open in an item (its depth) and its text so far, for `tag_order`.
    let mut tag_text: Option<(usize, String)> = None;
    loop {
        let (ns, event) = reader.read_resolved_event().ok()?;
        let ns = match ns {
            ResolveResult::Bound(ns) => Some(ns.into_inner()),
            _ => None,
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                depth += usize::from(is_start);
                let local = e.local_name();
                if is_start
                    && let Ok(Some(base)) = e.try_get_attribute("xml:base")
                    && let Ok(base) = base.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                {
                    let outer = bases.last().map(|(_, b)| b.as_str());
                    let joined = urls::resolve(urls::parse_base(outer).as_ref(), &base);
                    bases.push((depth, joined));
                }
                // A child of the item itself, not of an element inside it (`media:group`).
                let child = item_depth.is_some_and(|d| depth == d + usize::from(is_start));
                let attr = |name: &str| {
                    e.try_get_attribute(name).ok().flatten().and_then(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()
                            .map(|v| v.into_owned())
                    })
                };
                if item_depth.is_some()
                    && matches!(
                        local.into_inner(),
                        "category" | "subject" | "keywords" | "tags"
                    )
                    && let Some(item) = items.last_mut()
                {
                    item.tag_order.extend(
                        ["term", "text", "label"]
                            .into_iter()
                            .filter_map(attr)
                            .map(|v| v.trim().to_owned()),
                    );
                    if is_start && tag_text.is_none() {
                        tag_text = Some((depth, String::new()));
                    }
                }
                match (item_depth, local.into_inner()) {
                    (None, "item") if is_start => {
                        items.push(Dropped {
                            base: bases.last().map(|(_, b)| b.clone()),
                            about: attr("rdf:about").or_else(|| attr("about")),
                            ..Dropped::default()
                        });
                        item_depth = Some(depth);
                    }
                    (Some(_), "author") if is_start && ns == Some(DC_NS) => {
                        capture = Some((Capture::DcAuthor, depth, String::new()));
                    }
                    // Atom's `<atom:author><atom:name>` in an RSS item, which feedparser reads.
                    (Some(_), "author") if is_start && (ns == Some(ATOM_NS) || ns.is_none()) => {
                        atom_author = Some(depth);
                        rss_person = ns.is_none();
                    }
                    // A name or email of the author's own: an `atom:contributor`'s is no
                    // author's (RSS feeds with Atom habits write both, with the same name:
                    // "Lorem Ipsum, Lorem Ipsum").
                    (Some(_), part @ ("name" | "email"))
                        if is_start
                            && (ns == Some(ATOM_NS) || ns.is_none())
                            && atom_author == Some(depth - 1) =>
                    {
                        let kind = match (part, rss_person) {
                            ("email", _) => Capture::AtomEmail,
                            (_, true) => Capture::PersonName,
                            (_, false) => Capture::DcAuthor,
                        };
                        capture = Some((kind, depth, String::new()));
                    }
                    // In a wrapper of the item's (not in an extension's element: those have
                    // a namespace, and `media:category` is no article's topic).
                    (Some(_), "category")
                        if is_start && !child && ns.is_none() && capture.is_none() =>
                    {
                        capture = Some((Capture::NestedCategory, depth, String::new()));
                    }
                    // Atom 0.3 named it `modified` (AOL's HuffPost feeds write it in RSS).
                    (Some(_), "updated" | "modified") if is_start && child && ns.is_none() => {
                        capture = Some((Capture::Updated, depth, String::new()));
                    }
                    (Some(_), "id")
                        if is_start && child && (ns == Some(ATOM_NS) || ns.is_none()) =>
                    {
                        capture = Some((Capture::Id, depth, String::new()));
                    }
                    (Some(_), "tags") if is_start && child && ns.is_none() => {
                        capture = Some((Capture::Tags, depth, String::new()));
                    }
                    (Some(_), "title")
                        if is_start
                            && child
                            && ns.is_some_and(|n| n.eq_ignore_ascii_case(ITUNES_NS)) =>
                    {
                        capture = Some((Capture::ItunesTitle, depth, String::new()));
                    }
                    // Its text in document order: the crate hands the markup over as child
                    // elements grouped by name.
                    (Some(_), "title")
                        if is_start
                            && child
                            && ns == Some(ATOM_NS)
                            && attr("type")
                                .is_some_and(|t| t.trim().eq_ignore_ascii_case("xhtml")) =>
                    {
                        capture = Some((Capture::XhtmlTitle, depth, String::new()));
                    }
                    (Some(_), "guid") if child && ns.is_none() => {
                        if let Some(item) = items.last_mut().filter(|i| i.permalink.is_none()) {
                            item.permalink = attr("isPermaLink");
                        }
                    }
                    (Some(_), "link") if child && ns.is_none() => {
                        if let (true, Some(item)) = (is_start, items.last_mut())
                            && attr("xml:base").is_some()
                            && item.link_base.is_none()
                        {
                            item.link_base = bases.last().map(|(_, b)| b.clone());
                        }
                        let rel = urls::link_rel(attr("rel").as_deref());
                        let alternate = rel.is_none_or(|r| r == "alternate");
                        if let (true, Some(href), Some(item)) =
                            (alternate, attr("href"), items.last_mut())
                        {
                            item.link.get_or_insert(href);
                        }
                    }
                    (Some(_), "enclosure") if child && ns.is_none() => {
                        if let (Some(url), Some(item)) = (
                            attr("url").filter(|u| !u.trim().is_empty()),
                            items.last_mut(),
                        ) {
                            item.enclosure.get_or_insert(url);
                        }
                    }
                    (Some(_), "category")
                        if ns.is_some_and(|n| n.eq_ignore_ascii_case(ITUNES_NS)) =>
                    {
                        if let (Some(text), Some(item)) = (attr("text"), items.last_mut()) {
                            item.categories.push(text);
                        }
                    }
                    (None, "item") => items.push(Dropped::default()),
                    _ => {}
                }
            }
            Event::Text(t) => {
                for a in collecting(&mut capture, &mut tag_text) {
                    a.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                for a in collecting(&mut capture, &mut tag_text) {
                    a.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                for a in collecting(&mut capture, &mut tag_text) {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => a.push(c),
                        _ => a.push_str(quick_xml::escape::resolve_xml_entity(&r).unwrap_or("")),
                    }
                }
            }
            Event::End(_) => {
                if let (Some((_, text)), Some(item)) =
                    (tag_text.take_if(|(at, _)| *at == depth), items.last_mut())
                {
                    let text = text.trim();
                    item.tag_order.push(text.to_owned());
                    if text.contains(',') {
                        item.tag_order
                            .extend(text.split(',').map(|t| t.trim().to_owned()));
                    }
                }
                if let (Some((kind, _, text)), Some(item)) =
                    (capture.take_if(|(_, at, _)| *at == depth), items.last_mut())
                {
                    let text = text.trim();
                    match kind {
                        Capture::DcAuthor if !text.is_empty() => {
                            item.authors.push(text.to_owned());
                        }
                        Capture::PersonName if !text.is_empty() => {
                            item.person_names.push(text.to_owned());
                        }
                        Capture::NestedCategory if !text.is_empty() => {
                            item.nested_categories.push(text.to_owned());
                        }
                        Capture::AtomEmail if !text.is_empty() => {
                            item.author_emails.push(text.to_owned());
                        }
                        Capture::Id if !text.is_empty() => {
                            item.id.get_or_insert_with(|| text.to_owned());
                        }
                        Capture::Updated if !text.is_empty() => {
                            item.updated.get_or_insert_with(|| text.to_owned());
                        }
                        Capture::ItunesTitle if !text.is_empty() => {
                            item.itunes_title.get_or_insert_with(|| text.to_owned());
                        }
                        Capture::XhtmlTitle if !text.is_empty() => {
                            let words: Vec<&str> = text.split_whitespace().collect();
                            item.xhtml_title.get_or_insert_with(|| words.join(" "));
                        }
                        Capture::Tags => item.tags.extend(
                            text.split(',')
                                .map(str::trim)
                                .filter(|t| !t.is_empty())
                                .map(str::to_owned),
                        ),
                        _ => {}
                    }
                }
                if item_depth == Some(depth) {
                    item_depth = None;
                }
                if atom_author == Some(depth) {
                    atom_author = None;
                }
                if bases.last().is_some_and(|(d, _)| *d == depth) {
                    bases.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => return Some(items),
            _ => {}
        }
    }
}

fn to_feed(channel: &Channel, format: FeedFormat, mut warnings: Vec<String>) -> ParsedFeed {
    let ns = channel.namespaces();
    let prev_archive = extensions(channel.extensions(), ns, ATOM_NS, "link")
        .find(|link| {
            urls::link_rel(link.attrs.get("rel").map(String::as_str)).as_deref()
                == Some("prev-archive")
        })
        .and_then(|link| link.attrs.get("href").cloned());
    let language = non_empty(channel.language()).or_else(|| {
        channel
            .dublin_core_ext()
            .and_then(|dc| dc.languages().first().cloned())
    });
    let items = channel
        .items()
        .iter()
        .enumerate()
        .map(|(i, item)| to_item(item, ns, i + 1, &mut warnings))
        .collect();
    ParsedFeed {
        format,
        title: non_empty(Some(channel.title())),
        link: non_empty(Some(channel.link())),
        description: non_empty(Some(channel.description())),
        language,
        prev_archive,
        items,
        warnings,
    }
}

fn to_item(
    item: &Item,
    ns: &BTreeMap<String, String>,
    position: usize,
    warnings: &mut Vec<String>,
) -> ParsedItem {
    let dc = item.dublin_core_ext();
    let dc_first = |pick: fn(&::rss::extension::dublincore::DublinCoreExtension) -> &[String]| {
        dc.and_then(|dc| pick(dc).iter().find(|v| !v.trim().is_empty()).cloned())
    };

    // RSS 2.0: `author` is an email address ("lawyer@boyer.net (Lawyer Boyer)"); WordPress and
    // most blogs put the display name in `dc:creator`, which is preferred.
    let author = dc
        .map(|dc| {
            dc.creators()
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|a| !a.is_empty())
        .map(|a| display_name(&a))
        .or_else(|| {
            // A bare address gives way to a name in `itunes:author` (feedparser keeps the
            // last of the two, which in podcast feeds is mostly the name).
            let itunes = || {
                item.itunes_ext()
                    .and_then(|i| non_empty(i.author()))
                    .map(|a| display_name(&a))
            };
            match item.author().map(display_name) {
                Some(a) if is_bare_address(&a) => itunes().or(Some(a)),
                Some(a) => Some(a),
                None => itunes(),
            }
        });

    let mut categories: Vec<String> = item.categories().iter().map(|c| c.name.clone()).collect();
    if let Some(dc) = dc {
        categories.extend(dc.subjects().iter().cloned());
    }
    // Media RSS: `media:category` holds a term (its `label` is a display form of the same),
    // on the item or inside its `media:content` / `media:group` (Vimeo), as feedparser reads.
    // `media:keywords` ("storm, coast") are tags split at commas, as feedparser splits them.
    categories.extend(
        MEDIA_NS
            .iter()
            .flat_map(|media| extensions(item.extensions(), ns, media, "category"))
            .filter_map(|c| c.value.clone()),
    );
    for media in MEDIA_NS {
        for keywords in extensions(item.extensions(), ns, media, "keywords") {
            categories.extend(split_keywords(keywords.value.as_deref()));
        }
    }
    // Atom's `category` in an RSS item (feedparser reads it): its term, else its text (the
    // common mistake of writing the term as content), else its label.
    categories.extend(
        extensions(item.extensions(), ns, ATOM_NS, "category").filter_map(|c| {
            [c.attrs.get("term"), c.value.as_ref(), c.attrs.get("label")]
                .into_iter()
                .flatten()
                .find(|v| !v.trim().is_empty())
                .cloned()
        }),
    );
    for media in MEDIA_NS {
        for outer in ["content", "group"] {
            for e in extensions(item.extensions(), ns, media, outer) {
                nested_media_categories(e, &mut categories, 0);
            }
        }
    }

    let place = format!("item {position}");
    let mut date =
        |field: &str, raw: Option<String>| parse_date_or_warn(&raw?, &place, field, warnings);
    // Every date element the item has, in order of preference: one that cannot be read is
    // reported and the next is tried, so a garbled `pubDate` does not hide a valid `dc:date`.
    let ext = |space: &str, name: &str| extension_value(item.extensions(), ns, space, name);
    let pub_date = date("pubDate", non_empty(item.pub_date()));
    // `dc:date` says when the item was last dated, which feedparser reports as `updated`; it
    // stands in for the publication date when the item has no readable `pubDate`.
    let dc_date = date("dc:date", dc_first(|dc| dc.dates()));
    let published = pub_date.or(dc_date).or_else(|| {
        [
            ("atom:published", ext(ATOM_NS, "published")),
            ("dcterms:issued", ext(DCTERMS_NS, "issued")),
            ("dcterms:created", ext(DCTERMS_NS, "created")),
        ]
        .into_iter()
        .find_map(|(field, raw)| date(field, raw))
    });
    let updated = [
        ("atom:updated", ext(ATOM_NS, "updated")),
        ("dcterms:modified", ext(DCTERMS_NS, "modified")),
    ]
    .into_iter()
    .find_map(|(field, raw)| date(field, raw))
    .or(dc_date);

    let comments_count = [
        (SLASH_NS, "comments"),
        (THREAD_NS, "total"),
        (LJ_NS, "reply-count"),
    ]
    .iter()
    .find_map(|(space, name)| {
        extension_value(item.extensions(), ns, space, name)
            .and_then(|n| n.trim().parse::<u64>().ok())
    });

    // RSS 2.0: "isPermaLink is optional, its default value is true".
    let guid = item.guid().map(|g| g.value().to_owned());
    let guid_is_permalink = item.guid().is_some_and(|g| g.is_permalink());
    // A permalink guid stands in for a missing link once every explicit link is known
    // (`guid_as_link`).
    // `&amp;amp;` (escaped twice, as WordPress plugins do) means a query's `&`: a URL with
    // `&amp;` in it names a parameter `amp;c`. One escape is undone, as feedparser does.
    let link = non_empty(item.link())
        .map(|l| l.replace("&amp;", "&"))
        // Atom's alternate link inside an RSS item (feedparser reads it too).
        .or_else(|| {
            extensions(item.extensions(), ns, ATOM_NS, "link")
                .filter(|l| {
                    urls::link_rel(l.attrs.get("rel").map(String::as_str))
                        .is_none_or(|r| r == "alternate")
                })
                .find_map(|l| {
                    l.attrs
                        .get("href")
                        .filter(|h| !h.trim().is_empty())
                        .cloned()
                })
        });

    // Where an item keeps its text when it has no `description`: Dublin Core's, a podcast
    // episode's `itunes:summary`, a video's or image post's `media:description` (YouTube,
    // Mastodon), directly or in its `media:content`/`media:group`. feedparser reads each.
    // The last two say nothing of their type (podcast hosts write HTML in them, YouTube plain
    // text with line breaks): it is guessed as a title's is.
    let summary_html = non_empty(item.description())
        .or_else(|| dc_first(|dc| dc.descriptions()))
        .or_else(|| {
            item.itunes_ext()
                .and_then(|i| non_empty(i.summary()))
                .map(plain::guessed)
        })
        .or_else(|| media_description(item, ns))
        .or_else(|| atom_text(item, ns, "summary"));
    // `itunes:keywords` ("tomatoes, blight, rain") are an episode's tags.
    categories.extend(split_keywords(item.itunes_ext().and_then(|i| i.keywords())));

    ParsedItem {
        id: String::new(),
        guid,
        guid_is_permalink,
        // Without `title`, an item is often named by `dc:title` (RSS 1.0 habits) or, in
        // video and podcast feeds, `media:title`; feedparser falls back the same way.
        title: non_empty(item.title())
            .or_else(|| dc_first(|dc| dc.titles()))
            .or_else(|| media_element(item, ns, "title").and_then(|t| t.value.clone()))
            // Atom's own title in an RSS item, as feedparser reads it.
            .or_else(|| atom_text(item, ns, "title"))
            .or_else(|| item.title().map(str::to_owned)),
        link,
        enclosure: item.enclosure().and_then(|e| non_empty(Some(e.url()))),
        author,
        categories,
        published,
        updated,
        comments_url: non_empty(item.comments()),
        comments_feed: extension_value(item.extensions(), ns, WFW_NS, "commentRss"),
        original_link: ORIGINAL_LINK_NS
            .iter()
            .find_map(|origin| extension_value(item.extensions(), ns, origin, "origLink")),
        comments_count,
        summary_html,
        // .NET's SyndicationFeed writes the full post as Atom content in RSS (`a10:content`).
        content_html: item
            .content()
            .map(str::to_owned)
            .or_else(|| atom_content(item, ns)),
        base_url: None,
    }
}

/// An Atom text construct (`title`, `summary`) inside an RSS item, as HTML: escaped HTML as
/// it is, text escaped; xhtml, whose markup the `rss` crate takes apart, as its text.
fn atom_text(item: &Item, ns: &BTreeMap<String, String>, name: &str) -> Option<String> {
    let el = extensions(item.extensions(), ns, ATOM_NS, name)
        .find(|e| e.value.as_deref().is_some_and(|v| !v.trim().is_empty()))?;
    let value = el.value.clone()?;
    let ty = el.attrs.get("type").map(|t| t.trim().to_ascii_lowercase());
    Some(match ty.as_deref() {
        Some("html") => value,
        _ => quick_xml::escape::escape(value.as_str()).into_owned(),
    })
}

/// An Atom `content` element inside an RSS item, as HTML: escaped HTML as it is, text as
/// text. (Atom xhtml content comes to the `rss` crate as child elements, out of order with its
/// text: not read here.)
fn atom_content(item: &Item, ns: &BTreeMap<String, String>) -> Option<String> {
    let content = extensions(item.extensions(), ns, ATOM_NS, "content").next()?;
    let value = content.value.as_deref().filter(|v| !v.trim().is_empty())?;
    match content
        .attrs
        .get("type")
        .map(|t| t.trim().to_ascii_lowercase())
    {
        Some(t) if t == "html" || t.contains("html") => Some(value.to_owned()),
        _ => Some(plain::text_as_html(value.to_owned())),
    }
}

/// The name in `"lawyer@boyer.net (Lawyer Boyer)"`, `"Lawyer Boyer (lawyer@boyer.net)"` or
/// `"Lawyer Boyer <lawyer@boyer.net>"`; anything else as published.
fn display_name(author: &str) -> String {
    let author = author.trim();
    for (open, close) in [('(', ')'), ('<', '>')] {
        if let (Some(at), Some(rest)) = (author.find(open), author.strip_suffix(close)) {
            let (outside, inside) = (author[..at].trim(), rest[at + 1..].trim());
            match (outside.contains('@'), inside.contains('@')) {
                (true, false) if !inside.is_empty() => return inside.to_owned(),
                (false, true) if !outside.is_empty() => return outside.to_owned(),
                _ => {}
            }
        }
    }
    author.to_owned()
}

/// Whether an author is an email address and nothing else (`host@example.com`).
fn is_bare_address(author: &str) -> bool {
    let author = author.trim().trim_start_matches("mailto:");
    author.contains('@') && !author.contains(char::is_whitespace)
}

/// Extensions named `name` whose prefix maps to `namespace` (the `rss` crate keys unknown
/// extensions by prefix, so the prefix a feed chose must be looked up).
/// `media:description` of the item, or of a `media:content` or `media:group` in it (nested
/// groups included), as HTML for the cleaner.
/// The `media:category` values inside a `media:content` or `media:group` (a group holds
/// contents; the depth bound keeps a hostile nesting cheap).
fn nested_media_categories(ext: &Extension, out: &mut Vec<String>, depth: usize) {
    if depth > 2 {
        return;
    }
    for (name, children) in &ext.children {
        let local = name.rsplit(':').next().unwrap_or(name);
        for child in children {
            match local {
                "category" => out.extend(child.value.clone().filter(|v| !v.trim().is_empty())),
                "keywords" => out.extend(split_keywords(child.value.as_deref())),
                "content" => nested_media_categories(child, out, depth + 1),
                _ => {}
            }
        }
    }
}

/// The terms of a `media:keywords` (or `itunes:keywords`) list: split at commas and trimmed,
/// empty ones dropped.
pub(crate) fn split_keywords(list: Option<&str>) -> impl Iterator<Item = String> + '_ {
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
}

fn media_description(item: &Item, ns: &BTreeMap<String, String>) -> Option<String> {
    let found = media_element(item, ns, "description")?;
    let text = found.value.clone()?;
    Some(plain::media_description(
        found.attrs.get("type").map(String::as_str),
        text,
    ))
}

/// An item's Media RSS element `local` (`title`, `description`) that is not blank: its own,
/// else one in a `media:group` or `media:content`, at any depth (`group/content/title`, as
/// video feeds nest them), in document order within each.
fn media_element<'a>(
    item: &'a Item,
    ns: &'a BTreeMap<String, String>,
    local: &'a str,
) -> Option<&'a Extension> {
    fn find<'e>(ext: &'e Extension, wanted: &str) -> Option<&'e Extension> {
        ext.children.iter().find_map(|(name, children)| {
            let local = name.rsplit(':').next().unwrap_or(name);
            children.iter().find_map(|child| match local {
                _ if local == wanted => child
                    .value
                    .as_deref()
                    .is_some_and(|v| !v.trim().is_empty())
                    .then_some(child),
                "content" | "group" => find(child, wanted),
                _ => None,
            })
        })
    }
    MEDIA_NS.iter().find_map(|media| {
        extensions(item.extensions(), ns, media, local)
            .find(|d| d.value.as_deref().is_some_and(|v| !v.trim().is_empty()))
            .or_else(|| {
                ["group", "content"]
                    .iter()
                    .flat_map(|name| extensions(item.extensions(), ns, media, name))
                    .find_map(|ext| find(ext, local))
            })
    })
}

fn extensions<'a>(
    map: &'a ExtensionMap,
    ns: &'a BTreeMap<String, String>,
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'a Extension> + 'a {
    map.iter()
        .filter(move |(prefix, _)| ns.get(*prefix).map(String::as_str) == Some(namespace))
        .filter_map(move |(_, by_name)| by_name.get(name))
        .flatten()
}

fn extension_value(
    map: &ExtensionMap,
    ns: &BTreeMap<String, String>,
    namespace: &str,
    name: &str,
) -> Option<String> {
    extensions(map, ns, namespace, name)
        .find_map(|e| e.value.clone())
        .filter(|v| !v.trim().is_empty())
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_email_with_name_gives_name() {
        assert_eq!(
            display_name("lawyer@boyer.net (Lawyer Boyer)"),
            "Lawyer Boyer"
        );
        assert_eq!(display_name("Mike"), "Mike");
        assert_eq!(display_name("Mike (the admin)"), "Mike (the admin)");
        assert_eq!(
            display_name("Lawyer Boyer (lawyer@boyer.net)"),
            "Lawyer Boyer"
        );
        assert_eq!(
            display_name("Lawyer Boyer <lawyer@boyer.net>"),
            "Lawyer Boyer"
        );
    }
}
