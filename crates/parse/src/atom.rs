//! Atom 1.0 (RFC 4287) and Atom 0.3 (draft-ietf-atompub-format-03 / the Mark Pilgrim draft),
//! read from the element tree and mapped into the model.
//!
//! Not the `atom_syndication` crate: it fails a whole feed on one unparsable date, turns a
//! missing `updated` into 1970, only knows the 1.0 names, and matches element names literally
//! (`<atom:feed>` is refused). Mapping, following RFC 4287:
//!
//! - text constructs (§3.1), titles too: `type="text"` is escaped to HTML so the cleaner sees
//!   text; `html` is passed on as published; `xhtml` passes the markup inside the wrapping `div`.
//!   Atom 0.3 `mode="escaped"` is html, `mode="xml"` is markup. Base64 (0.3 `mode="base64"`;
//!   §4.1.3.3: a MIME type neither XML nor `text/*`) is decoded; if that gives no UTF-8 text
//!   (an image, say) content is skipped with a warning and a title is kept as published.
//! - `link` (§4.2.7): `rel="alternate"` (or no rel) is the item link, text/html preferred;
//!   without one, an `id` that is an http(s) address stands in (as feedparser does);
//!   `rel="replies"` (RFC 4685) gives the comments feed/page and `thr:count`; `rel="prev-archive"`
//!   on the feed is the RFC 5005 archive link; `rel="enclosure"` the first enclosure. Relative
//!   hrefs (and `wfw:commentRss`) resolve against `xml:base` in scope at the link: the feed's,
//!   the entry's, the link's own, never the one on the entry's `content` or `summary`, which
//!   applies inside that element only (XML Base §4.2) and is the base of its HTML.
//! - `author` (§4.2.1): entry authors, else the `source`'s, else the feed's (inherited only by
//!   an entry with no author element: an unnamed one of its own stays unnamed).
//! - entries: `<entry>`, and `<item>` as feedparser reads it (an RSS habit in an Atom feed).
//! - `category` (§4.2.2): `term`, else the element's text (a term misplaced there), else
//!   `label`; Media RSS `media:category` and comma-separated `media:keywords`, direct or in a
//!   `media:group`, are categories too.
//! - dates (§3.3): `published` (0.3 `issued`, then `created`), `updated` (0.3 `modified`).
//!   When an entry has no publication date its `updated` stands in (Atom only requires
//!   `updated`), so every Atom entry is dated.
//! - `content` (§4.1.3) over `summary` (§4.2.13); out-of-line content (`src`) gives none;
//!   Atom 0.3 `multipart/alternative` content gives its first part.

use url::Url;

use crate::dates::parse_date_or_warn;
use crate::model::{FeedFormat, ParsedFeed, ParsedItem};
use crate::tree::{self, Element};
use crate::urls::{self, link_rel, parse_base, resolve};

const ATOM10: &str = "http://www.w3.org/2005/Atom";
const ATOM03: &str = "http://purl.org/atom/ns#";
/// Atom elements: either version, or unbound (feeds that forget the xmlns).
const A: &[Option<&str>] = &[Some(ATOM10), Some(ATOM03), None];
const DC: &[Option<&str>] = &[Some("http://purl.org/dc/elements/1.1/")];
const THR: &[Option<&str>] = &[Some("http://purl.org/syndication/thread/1.0")];
const DCTERMS: &[Option<&str>] = &[Some("http://purl.org/dc/terms/")];
const ITUNES: &[Option<&str>] = &[Some("http://www.itunes.com/dtds/podcast-1.0.dtd")];
const SLASH: &[Option<&str>] = &[Some("http://purl.org/rss/1.0/modules/slash/")];
const WFW: &[Option<&str>] = &[Some("http://wellformedweb.org/CommentAPI/")];
/// The modules of click-tracking services that put the article's own address beside their
/// redirect (`origLink`): FeedBurner's and Pheedo's.
const ORIGINAL_LINK: &[Option<&str>] = &[
    Some("http://rssnamespace.org/feedburner/ext/1.0"),
    Some("http://www.pheedo.com/namespace/pheedo"),
];
/// Media RSS, which YouTube's Atom feeds use for a video's description.
const MEDIA: &[Option<&str>] = &[
    Some("http://search.yahoo.com/mrss/"),
    Some("http://search.yahoo.com/mrss"),
];

/// Read an Atom document that `wellform` has checked.
pub(crate) fn read(
    xml: &str,
    source_url: Option<&str>,
    mut warnings: Vec<String>,
) -> Result<ParsedFeed, String> {
    let mut root = tree::build(xml)?;
    // A `<feed>` in a namespace that is no Atom's (near-misses were corrected in `ns`): its
    // elements are read as Atom's, as feedparser reads an unknown default namespace, rather
    // than the feed being read as empty.
    if let Some(other) = root.ns.clone().filter(|n| !A.contains(&Some(n.as_str()))) {
        warnings.push(format!(
            "root <feed> is in namespace {}, not Atom's: its elements read as Atom",
            crate::quoted(&other)
        ));
        root.rename_namespace(&other, ATOM10);
    }
    let base = with_base(parse_base(source_url), &root);
    let feed_authors = authors(&root);
    let mut items = Vec::new();
    // An `<item>` under an Atom feed is an entry misnamed after RSS's, as feedparser reads it.
    let entries = root
        .elements()
        .filter(|e| matches!(e.local.as_str(), "entry" | "item") && A.contains(&e.ns.as_deref()));
    for (i, entry) in entries.enumerate() {
        if entry.local == "item" {
            warnings.push(format!("entry {}: <item> read as an Atom <entry>", i + 1));
        }
        items.push(to_item(
            entry,
            base.as_ref(),
            &feed_authors,
            i + 1,
            &mut warnings,
        ));
    }
    let links: Vec<&Element> = root.all(A, "link").collect();
    Ok(ParsedFeed {
        format: FeedFormat::Atom,
        title: root.first(A, "title").map(text_construct),
        link: alternate(&links)
            .and_then(href)
            .map(|h| resolve(base.as_ref(), &h)),
        description: root
            .first(A, "subtitle")
            .or_else(|| root.first(A, "tagline"))
            .map(text_construct),
        language: root
            .attr("xml:lang")
            .map(str::to_owned)
            .or_else(|| root.first(DC, "language").map(Element::text)),
        prev_archive: links
            .iter()
            .find(|l| rel(l).as_deref() == Some("prev-archive"))
            .and_then(|l| l.attr("href"))
            .map(|href| resolve(base.as_ref(), href)),
        items,
        warnings,
    })
}

fn to_item(
    entry: &Element,
    feed_base: Option<&Url>,
    feed_authors: &[String],
    position: usize,
    warnings: &mut Vec<String>,
) -> ParsedItem {
    let base = with_base(feed_base.cloned(), entry);
    let links: Vec<&Element> = entry.all(A, "link").collect();
    let link_href = |l: &Element| {
        let own = with_base(base.clone(), l);
        href(l).map(|h| resolve(own.as_ref(), &h))
    };
    let replies: Vec<&Element> = links
        .iter()
        .copied()
        .filter(|l| rel(l).as_deref() == Some("replies"))
        .collect();
    let replies_of = |html: bool| {
        replies
            .iter()
            .find(|l| l.attr("type").is_some_and(|t| t.contains("html")) == html)
            .and_then(|l| link_href(l))
    };

    // RFC 4287 §4.2.1: the feed's authors (or the source's) are the entry's only when it has
    // no author element. One without a name (a `uri` alone) is still the entry's own author,
    // unnamed: crediting it to the feed's author would name someone else.
    let has_author = |el: &Element| el.all(A, "author").next().is_some();
    let mut authors = authors(entry);
    let mut own = has_author(entry);
    if let Some(source) = entry.first(A, "source").filter(|_| !own) {
        authors = self::authors(source);
        own = has_author(source);
    }
    if authors.is_empty() {
        authors = entry.all(DC, "creator").map(Element::text).collect();
    }
    if authors.is_empty() && !own {
        authors = feed_authors.to_vec();
    }

    // A term written as the element's text (`<category>Rust</category>`, a generator's
    // mistake) is read as feedparser reads it, before the label.
    let mut categories: Vec<String> = entry
        .all(A, "category")
        .filter_map(|c| {
            c.attr("term")
                .map(str::to_owned)
                .filter(|t| !t.trim().is_empty())
                .or_else(|| Some(c.text()).filter(|t| !t.trim().is_empty()))
                .or_else(|| c.attr("label").map(str::to_owned))
        })
        .collect();
    categories.extend(entry.all(DC, "subject").map(Element::text));
    media_categories(entry, &mut categories, 0);
    // A podcast episode's `itunes:keywords` are its tags, as in RSS.
    let keywords = entry.first(ITUNES, "keywords").map(Element::text);
    categories.extend(crate::rss::split_keywords(keywords.as_deref()));

    let place = format!("entry {position}");
    // The first of `names` that reads as a date; one that does not is reported and the next
    // is tried, so a garbled `issued` does not hide a valid `created`.
    let mut date = |names: &[&str], ns: &[Option<&str>]| {
        names.iter().find_map(|n| {
            let el = entry.first(ns, n)?;
            let text = el.text();
            if text.trim().is_empty() {
                return None;
            }
            parse_date_or_warn(&text, &place, &el.local, warnings)
        })
    };
    // `dc:date` stands in for either, and Dublin Core's terms for their kind, as in RSS
    // (feedparser reports `dc:date` as `updated`).
    let dc_date = date(&["date"], DC);
    let updated = date(&["updated", "modified"], A)
        .or_else(|| date(&["modified"], DCTERMS))
        .or(dc_date);
    let published = date(&["published", "issued", "created"], A)
        .or(dc_date)
        .or_else(|| date(&["issued", "created"], DCTERMS))
        .or(updated);

    let comments_count = replies
        .iter()
        .find_map(|l| l.attr("thr:count"))
        .map(str::to_owned)
        .or_else(|| entry.first(THR, "total").map(Element::text))
        .or_else(|| entry.first(SLASH, "comments").map(Element::text))
        .and_then(|n| n.trim().parse().ok());

    let content = entry.first(A, "content");
    let guid = entry.first(A, "id").map(Element::text);
    // An entry without a link whose id is a web address: that address is, in practice, the
    // entry's page (feedparser takes it the same way; RSS's permalink guid is the same habit).
    let id_link = || {
        guid.as_deref()
            .map(str::trim)
            .filter(|g| urls::is_web_address(g))
    };
    let link = alternate(&links)
        .and_then(link_href)
        .or_else(|| id_link().map(str::to_owned));
    ParsedItem {
        id: String::new(),
        guid,
        guid_is_permalink: false,
        // Without its own title, an entry is named by `dc:title` or, in video feeds, a
        // `media:title` (plain text unless it says html), as feedparser names it.
        title: entry
            .first(A, "title")
            .map(text_construct)
            .or_else(|| {
                entry
                    .first(DC, "title")
                    .map(|t| crate::plain::escaped(t.text()))
            })
            .or_else(|| {
                let t = media_element(entry, "title")?;
                Some(match t.attr("type").map(str::trim) {
                    Some(kind) if kind.eq_ignore_ascii_case("html") => t.text(),
                    _ => crate::plain::escaped(t.text()),
                })
            }),
        link,
        enclosure: links
            .iter()
            .filter(|l| rel(l).as_deref() == Some("enclosure"))
            .find_map(|l| link_href(l)),
        author: (!authors.is_empty()).then(|| authors.join(", ")),
        categories,
        published,
        updated,
        comments_url: replies_of(true),
        comments_feed: replies_of(false).or_else(|| {
            let el = entry.first(WFW, "commentRss")?;
            Some(resolve(with_base(base.clone(), el).as_ref(), &el.text()))
        }),
        comments_count,
        original_link: entry
            .first(ORIGINAL_LINK, "origLink")
            .map(|el| resolve(with_base(base.clone(), el).as_ref(), &el.text()))
            .filter(|l| !l.trim().is_empty()),
        // YouTube's entries have no summary or content: the video's description is in
        // `media:group/media:description` (plain text unless it says otherwise).
        summary_html: entry
            .first(A, "summary")
            .map(text_construct)
            .or_else(|| media_description(entry)),
        content_html: content
            .filter(|c| c.attr("src").is_none())
            .and_then(|c| content_html(c, position, warnings)),
        // XML Base §4.2: an xml:base on <content> or <summary> applies to the HTML inside it,
        // and that HTML is what base_url resolves: the content, else the summary (found by the
        // golden fixture urls-xml-base).
        base_url: content
            .filter(|c| c.attr("src").is_none())
            .or_else(|| entry.first(A, "summary"))
            .map_or(base.clone(), |body| with_base(base.clone(), body))
            .map(|b| b.to_string()),
    }
}

/// Media RSS terms under `el` in document order: `media:category` text and the comma-split
/// `media:keywords`, direct or inside `media:group`/`media:content` (YouTube, Vimeo). The
/// depth bound keeps a hostile nesting of groups cheap.
fn media_categories(el: &Element, out: &mut Vec<String>, depth: usize) {
    if depth > 2 {
        return;
    }
    for child in el.elements().filter(|c| MEDIA.contains(&c.ns.as_deref())) {
        match child.local.as_str() {
            "category" => out.push(child.text()),
            "keywords" => out.extend(crate::rss::split_keywords(Some(&child.text()))),
            "group" | "content" => media_categories(child, out, depth + 1),
            _ => {}
        }
    }
}

/// `media:description` of the entry or of a `media:group`/`media:content` in it, as HTML.
fn media_description(entry: &Element) -> Option<String> {
    let el = media_element(entry, "description")?;
    Some(crate::plain::media_description(el.attr("type"), el.text()))
}

/// An entry's Media RSS element `local` (`title`, `description`) that is not blank: its own,
/// else one in a `media:group` or `media:content`, or in a `media:content` of a group (as
/// video feeds nest them).
fn media_element<'e>(entry: &'e Element, local: &'e str) -> Option<&'e Element> {
    let filled = |el: &&Element| !el.text().trim().is_empty();
    let within = |parent: &'e Element| parent.all(MEDIA, local).find(filled);
    within(entry).or_else(|| {
        ["group", "content"].iter().find_map(|name| {
            entry
                .all(MEDIA, name)
                .find_map(|g| within(g).or_else(|| g.all(MEDIA, "content").find_map(within)))
        })
    })
}

/// The alternate link: `rel="alternate"` or no rel (RFC 4287 §4.2.7.2), HTML first; links
/// without a URL are passed over.
fn alternate<'a>(links: &[&'a Element]) -> Option<&'a Element> {
    let alternates: Vec<&Element> = links
        .iter()
        .copied()
        .filter(|l| matches!(rel(l).as_deref(), None | Some("alternate")) && href(l).is_some())
        .collect();
    alternates
        .iter()
        .find(|l| l.attr("type").is_none_or(|t| t.contains("html")))
        .or(alternates.first())
        .copied()
}

/// A link's relation, normalized (`urls::link_rel`).
fn rel(link: &Element) -> Option<String> {
    link_rel(link.attr("rel"))
}

/// A link's URL: `href` (RFC 4287 §4.2.7.1), else the element's text, where some feeds put it
/// (feedparser reads it there too).
fn href(link: &Element) -> Option<String> {
    match link.attr("href") {
        Some(h) => Some(h.to_owned()),
        None => Some(link.text().trim().to_owned()).filter(|t| !t.is_empty()),
    }
}

/// Author names (`author/name`; Atom 0.3 too), falling back to the email when unnamed, in
/// document order and each once (a feed that lists an author twice has not two of them).
fn authors(parent: &Element) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let each = parent.all(A, "author").filter_map(|a| {
        // An empty `<name/>` beside an `<email>` names no one: the email does.
        let text = |local: &str| {
            a.first(A, local)
                .map(Element::text)
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
        };
        text("name").or_else(|| text("email"))
    });
    for name in each {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// `base` updated by the element's `xml:base`, if any (XML Base §4.2).
fn with_base(base: Option<Url>, el: &Element) -> Option<Url> {
    match el.attr("xml:base") {
        Some(b) => parse_base(Some(&resolve(base.as_ref(), b))).or(base),
        None => base,
    }
}

/// The value of a text construct (RFC 4287 §3.1, Atom 0.3 `mode`), always as HTML: titles
/// included, because the cleaner reads every title as HTML (`clean_inline` strips tags and
/// decodes entities). A `type="text"` title `a &lt;b&gt; c` is the literal text `a <b> c`;
/// passed on unescaped, the cleaner would strip `<b>` as a tag (found by the golden fixture
/// atom-10-text-constructs).
fn text_construct(el: &Element) -> String {
    let ty = el.attr("type").unwrap_or("text").to_ascii_lowercase();
    let mode = el.attr("mode").unwrap_or("").to_ascii_lowercase();
    let is_markup = ty == "xhtml" || ty == "application/xhtml+xml" || mode == "xml";
    // Child elements in a text or html construct are "naked" markup the publisher forgot to
    // escape; keep it as markup rather than silently dropping the tags.
    if el.elements().next().is_some() {
        // RFC 4287 §3.1.1.3: the wrapping xhtml div is not part of the content.
        let mut elements = el.elements();
        return match (elements.next(), elements.next()) {
            (Some(div), None) if div.local == "div" && ty == "xhtml" => div.inner_markup(),
            _ => el.inner_markup(),
        };
    }
    let mut text = el.text();
    if is_base64(el) {
        text = decode_base64(&text).unwrap_or(text);
    }
    // XHTML without elements is its text alone (a publisher that left out the div): its
    // `&lt;br&gt;` is the letters `<br>`, escaped again so the cleaner shows them. Atom 0.3's
    // `mode="xml"` is read as feedparser reads it, as markup.
    let xhtml = ty == "xhtml" || ty == "application/xhtml+xml";
    let is_html = ty == "html" || ty == "text/html" || mode == "escaped" || (is_markup && !xhtml);
    if is_html {
        text
    } else {
        quick_xml::escape::escape(text.as_str()).into_owned()
    }
}

fn content_html(el: &Element, position: usize, warnings: &mut Vec<String>) -> Option<String> {
    // Atom 0.3 §3.1.1 (the Pilgrim draft): `multipart/alternative` holds its alternatives as
    // child `content` elements; the first is read, as feedparser reads it.
    let ty = el.attr("type").unwrap_or("").to_ascii_lowercase();
    if ty.starts_with("multipart/") {
        let Some(part) = el.first(A, "content") else {
            warnings.push(format!(
                "entry {position}: {ty} content without a content part, skipped"
            ));
            return None;
        };
        return content_html(part, position, warnings);
    }
    if is_base64(el) && decode_base64(&el.text()).is_none() {
        let ty = el.attr("type").unwrap_or("");
        warnings.push(format!(
            "entry {position}: base64 content of type {} is not text, skipped",
            crate::quoted(ty)
        ));
        return None;
    }
    Some(text_construct(el))
}

/// Whether a text construct carries Base64: Atom 0.3 `mode="base64"`, or RFC 4287 §4.1.3.3
/// ("if the value of type ... does not begin with text/ ... [and is not] an XML media type,
/// the content MUST be a valid Base64 encoding").
fn is_base64(el: &Element) -> bool {
    let ty = el.attr("type").unwrap_or("").to_ascii_lowercase();
    let is_xml = ty.ends_with("/xml") || ty.ends_with("+xml");
    let is_multipart = ty.starts_with("multipart/");
    el.attr("mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("base64"))
        || (ty.contains('/') && !ty.starts_with("text/") && !is_xml && !is_multipart)
}

/// Base64 (whitespace and missing padding tolerated) that decodes to UTF-8 text; `None` for
/// invalid Base64 or binary data, which kb cannot show.
fn decode_base64(text: &str) -> Option<String> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: String = text.split_ascii_whitespace().collect();
    String::from_utf8(LENIENT.decode(compact).ok()?).ok()
}
