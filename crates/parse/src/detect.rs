//! Which format a decoded document is, from its first element (or its first `{`).

use std::borrow::Cow;

use crate::ParseError;
use crate::model::FeedFormat;

/// What `detect` found.
pub(crate) enum Detected<'a> {
    /// A JSON document (JSON Feed is the only JSON format kb reads).
    Json,
    /// An XML feed; `body` starts at the first markup after any leading garbage and the XML
    /// declaration (the text is already decoded, so the declared encoding must not be re-read).
    Xml {
        format: FeedFormat,
        body: Cow<'a, str>,
        /// Whatever came before the first `<` (a PHP warning, a stray byte), skipped.
        skipped: &'a str,
        /// What was done to `body` to read it, for the warnings.
        rewritten: Option<String>,
    },
}

/// Detect the format of a decoded document.
pub(crate) fn detect(text: &str) -> Result<Detected<'_>, ParseError> {
    if text.trim_start().starts_with('{') {
        return Ok(Detected::Json);
    }
    let start = text.find('<').ok_or_else(|| not_a_feed(text))?;
    match xml_at(text, start) {
        Err(e) => {
            // PHP prints its warnings as HTML (`<br />\n<b>Warning</b>: ...`) before the feed
            // when a WordPress plugin misbehaves: the feed starts at its XML declaration.
            let declaration = text[start..]
                .find("<?xml")
                .map(|at| start + at)
                .filter(|&at| at > start);
            declaration.map_or(Err(e), |at| xml_at(text, at))
        }
        found => found,
    }
}

/// The XML feed whose markup starts at `start`.
fn xml_at(text: &str, start: usize) -> Result<Detected<'_>, ParseError> {
    let mut body = &text[start..];
    if body.starts_with("<?xml") {
        body = body.find("?>").map_or("", |end| &body[end + 2..]);
    }
    let root = root_name(body).ok_or_else(|| not_a_feed(text))?;
    if root.rsplit(':').next() == Some("Channel") && root_tag(body).contains(RSS11_NS) {
        return Ok(rss11(body, root, &text[..start]));
    }
    if root.eq_ignore_ascii_case("channel") {
        return Ok(channel_root(body, &text[..start]));
    }
    let format = match root.rsplit(':').next().unwrap_or(root) {
        // XML names are case-sensitive, but feedparser reads `<RSS>` (wellform recases it).
        rss if rss.eq_ignore_ascii_case("rss") => FeedFormat::Rss,
        // RSS 0.90 is an RDF document too, but in Netscape's namespace; the model files it
        // under RSS.
        "RDF" if root_tag(body).contains("my.netscape.com/rdf/simple/0.9") => FeedFormat::Rss,
        "RDF" => FeedFormat::Rdf,
        "feed" => FeedFormat::Atom,
        _ => return other_root(body, root, &text[..start]),
    };
    Ok(Detected::Xml {
        format,
        body: Cow::Borrowed(body),
        skipped: &text[..start],
        rewritten: None,
    })
}

/// A root that is no feed format's. feedparser reads elements by their names wherever they
/// stand, and so reads these; kb reads them too, with a warning:
///
/// - a lone `<entry>`, an Atom Entry Document (RFC 4287 §4.1.2), as a feed of that entry;
/// - `<item>`s at the top of the document, with no `<rss>` or `<channel>` around them (one,
///   or several side by side, which no XML root allows), as a feed of those items;
/// - a root holding RSS `<item>`s (`<rdf>` without RDF's namespace, a home-made wrapper) as
///   if it were `<rss>`, and one holding Atom `<entry>`s as if it were `<feed>`.
///
/// An HTML page is never read as a feed: `kb feed add` looks for its feed links instead. Nor is
/// markup before an XML declaration.
fn other_root<'a>(body: &'a str, root: &str, skipped: &'a str) -> Result<Detected<'a>, ParseError> {
    let local = root.rsplit(':').next().unwrap_or(root);
    let at = root_at(body).map_or(0, |(at, _)| at);
    let (format, body, rewritten) = if local == "entry" {
        let wrapped = format!("{}<feed>{}</feed>", &body[..at], &body[at..]);
        let why = "the document is one Atom entry (an Atom Entry Document): read as a feed of it"
            .to_owned();
        (FeedFormat::Atom, wrapped, why)
    } else if local == "item" {
        // Renaming the root (below) would make the first item the channel, its title the
        // feed's, and leave a lone item no items at all.
        let wrapped = format!(
            "{}<rss><channel>{}</channel></rss>",
            &body[..at],
            &body[at..]
        );
        let why = "the document is RSS <item> elements without <rss> or <channel>: read as a \
                   feed of them"
            .to_owned();
        (FeedFormat::Rss, wrapped, why)
    } else if local.eq_ignore_ascii_case("html") {
        return match embedded_atom(body) {
            Some(feed) => Ok(Detected::Xml {
                format: FeedFormat::Atom,
                body: Cow::Borrowed(feed),
                skipped,
                rewritten: Some(
                    "the document is an XHTML page holding an Atom <feed>: read that feed"
                        .to_owned(),
                ),
            }),
            None => Err(not_a_feed_root(root)),
        };
    } else if body[at..].contains("<?xml") {
        // An XML declaration further on: what stands before it is no root but noise (PHP's
        // `<br />` warnings), and the feed starts at the declaration (`detect`).
        return Err(not_a_feed_root(root));
    } else if let Some((format, name, holding, read_as)) = [
        (FeedFormat::Rss, "rss", "item", "RSS"),
        (FeedFormat::Atom, "feed", "entry", "Atom"),
    ]
    .into_iter()
    .find(|(_, _, holding, _)| holds(body, holding))
    {
        // The root renamed where it opens and where it closes; its attributes (namespace
        // declarations) stay. A root left unclosed is closed by `wellform`, as any other.
        let tail = &body[at + 1 + root.len()..];
        let renamed = match tail.rfind(&format!("</{root}")) {
            Some(end) => format!(
                "{}<{name}{}</{name}{}",
                &body[..at],
                &tail[..end],
                &tail[end + 2 + root.len()..]
            ),
            None => format!("{}<{name}{tail}", &body[..at]),
        };
        let why = format!(
            "root element <{}> is no feed format's: read as {read_as}, for the <{holding}> \
             elements it holds",
            crate::shown_name(root)
        );
        (format, renamed, why)
    } else {
        return Err(not_a_feed_root(root));
    };
    Ok(Detected::Xml {
        format,
        body: Cow::Owned(body),
        skipped,
        rewritten: Some(rewritten),
    })
}

/// The Atom `<feed>` element an XHTML page holds, declared in Atom's namespace on its own
/// tag, from its start to its last end tag (to the end of the page when it has none, for
/// `wellform` to close). feedparser reads such a feed (feedjira keeps one among its samples);
/// a page merely named in a feed, or holding `<item>`s of its own, is still no feed.
fn embedded_atom(body: &str) -> Option<&str> {
    let start = body.match_indices("<feed").map(|(at, _)| at).find(|&at| {
        let tag = &body[at + "<feed".len()..];
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        tag.starts_with(|c: char| c.is_ascii_whitespace())
            && [
                "xmlns=\"http://www.w3.org/2005/Atom\"",
                "xmlns='http://www.w3.org/2005/Atom'",
            ]
            .iter()
            .any(|ns| tag.contains(ns))
    })?;
    let feed = &body[start..];
    Some(match feed.rfind("</feed>") {
        Some(end) => &feed[..end + "</feed>".len()],
        None => feed,
    })
}

/// Whether `body` has an element named `name` (unprefixed) anywhere.
fn holds(body: &str, name: &str) -> bool {
    body.match_indices('<').any(|(at, _)| {
        body[at + 1..].strip_prefix(name).is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        })
    })
}

fn not_a_feed_root(root: &str) -> ParseError {
    ParseError::NotAFeed(format!("root element <{}>", crate::shown_name(root)))
}

/// A document whose root is a `<channel>`: CDF when it is CDF's (the note's capitals, or a
/// channel or item with an `HREF` or `LASTMOD`, which RSS has not); otherwise an RSS channel
/// whose `<rss>` was left off, read as RSS inside one, as feedparser reads it. The root's
/// attributes move to the `<rss>` so its namespace declarations stay in scope for the reader.
fn channel_root<'a>(body: &'a str, skipped: &'a str) -> Detected<'a> {
    let tag = root_tag(body);
    let upper = |s: &str| s.to_ascii_uppercase();
    let cdf = !tag.starts_with("<channel")
        || upper(tag).contains("HREF=")
        || body.contains("<ITEM")
        || upper(body).contains("LASTMOD=");
    if cdf {
        return Detected::Xml {
            format: FeedFormat::Cdf,
            body: Cow::Borrowed(body),
            skipped,
            rewritten: None,
        };
    }
    let at = root_at(body).map_or(0, |(at, _)| at);
    let attrs = &tag["<channel".len()..];
    let rest = &body[at + tag.len()..];
    let wrapped = match attrs.strip_suffix('/') {
        // `<channel/>`: an empty channel, and its `>` still follows in `rest`.
        Some(attrs) => format!("{}<rss{attrs}/{rest}", &body[..at]),
        None => format!("{}<rss{attrs}><channel{rest}</rss>", &body[..at]),
    };
    Detected::Xml {
        format: FeedFormat::Rss,
        body: Cow::Owned(wrapped),
        skipped,
        rewritten: Some("root element <channel> without <rss>: read as an RSS channel".to_owned()),
    }
}

/// RSS 1.1's namespace (2005; its items stand in an `<items>` list inside the `<Channel>`).
pub(crate) const RSS11_NS: &str = "http://purl.org/net/rss1.1#";

/// An RSS 1.1 document, read as RSS, as feedparser reads it: the root `<Channel>` (under any
/// prefix) becomes `<rss><channel>`, its namespace declarations kept on the `<rss>`, and the
/// `<items>` list around the items goes, so that they stand in the channel. Its names are
/// RSS's (`wellform` takes RSS 1.1's namespace as one of RSS's).
fn rss11<'a>(body: &'a str, root: &str, skipped: &'a str) -> Detected<'a> {
    let at = root_at(body).map_or(0, |(at, _)| at);
    let tag = root_tag(body);
    let attrs = &tag[1 + root.len()..];
    let rest = &body[at + tag.len()..];
    let (empty, rest) = match rest.strip_prefix('>') {
        Some(rest) => (attrs.strip_suffix('/'), rest),
        None => (None, rest),
    };
    let open = match empty {
        // `<Channel/>`: an empty channel.
        Some(attrs) => format!("<rss version=\"1.1\"{attrs}><channel/></rss>"),
        None => format!("<rss version=\"1.1\"{attrs}><channel>"),
    };
    let mut out = String::with_capacity(body.len() + 32);
    out.push_str(&body[..at]);
    out.push_str(&open);
    let mut rest = rest;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tail = &rest[lt..];
        // Comments and CDATA sections are copied whole: what they hold is no markup.
        let closer = [("<!--", "-->"), ("<![CDATA[", "]]>")]
            .into_iter()
            .find(|(open, _)| tail.starts_with(open))
            .map(|(_, close)| close);
        let end = match closer {
            Some(close) => tail.find(close).map_or(tail.len(), |e| e + close.len()),
            None => tail.find('>').map_or(tail.len(), |e| e + 1),
        };
        let closing = tail[1..].starts_with('/');
        let name = &tail[1 + usize::from(closing)..];
        let name = &name[..name
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(name.len())];
        let local = name.rsplit(':').next().unwrap_or(name);
        match (closer, closing, local) {
            // The list's tags go; what they hold stays.
            (None, _, "items") => {}
            (None, true, "Channel") => out.push_str("</channel></rss>"),
            _ => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    Detected::Xml {
        format: FeedFormat::Rss,
        body: Cow::Owned(out),
        skipped,
        rewritten: Some("RSS 1.1 (its <Channel> and <items> list): read as RSS".to_owned()),
    }
}

/// The name of the first element, skipping comments, processing instructions and doctype.
fn root_name(s: &str) -> Option<&str> {
    root_at(s).map(|(_, name)| name)
}

/// Where the first element starts in `s` (its `<`), skipping comments, processing
/// instructions and doctype (a comment may well mention the root), and its name.
fn root_at(s: &str) -> Option<(usize, &str)> {
    let mut at = 0;
    loop {
        at += s[at..].find('<')?;
        let rest = &s[at..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            at += 4 + comment.find("-->")? + 3;
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            at += rest.find('>')? + 1;
        } else {
            let name = &rest[1..];
            let end = name
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(name.len());
            return Some((at, &name[..end]));
        }
    }
}

/// The text of the root start tag (for its namespace declarations), without its `>`.
fn root_tag(body: &str) -> &str {
    let Some((at, _)) = root_at(body) else {
        return "";
    };
    let tag = &body[at..];
    &tag[..tag.find('>').unwrap_or(tag.len())]
}

fn not_a_feed(text: &str) -> ParseError {
    let head = text.trim_start();
    if head.is_empty() {
        return ParseError::NotAFeed("the document is empty".into());
    }
    // Bytes a server forgot to decompress (decoded as text on the way here).
    if head.starts_with('\u{1f}') {
        return ParseError::NotAFeed(
            "the document is compressed data (gzip?), not text: the server's Content-Encoding \
             did not say so"
                .into(),
        );
    }
    let head: String = head.chars().take(40).collect();
    ParseError::NotAFeed(format!("document starts with {head:?}"))
}
