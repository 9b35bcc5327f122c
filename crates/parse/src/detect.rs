//! Which format a decoded document is, from its first element (or its first `{`).

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
        body: &'a str,
        /// Whatever came before the first `<` (a PHP warning, a stray byte), skipped.
        skipped: &'a str,
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
    let format = match root.rsplit(':').next().unwrap_or(root) {
        // XML names are case-sensitive, but feedparser reads `<RSS>` (wellform recases it).
        rss if rss.eq_ignore_ascii_case("rss") => FeedFormat::Rss,
        // RSS 0.90 is an RDF document too, but in Netscape's namespace; the model files it
        // under RSS.
        "RDF" if root_tag(body).contains("my.netscape.com/rdf/simple/0.9") => FeedFormat::Rss,
        "RDF" => FeedFormat::Rdf,
        "feed" => FeedFormat::Atom,
        _ => {
            return Err(ParseError::NotAFeed(format!(
                "root element <{}>",
                crate::shown_name(root)
            )));
        }
    };
    Ok(Detected::Xml {
        format,
        body,
        skipped: &text[..start],
    })
}

/// The name of the first element, skipping comments, processing instructions and doctype.
fn root_name(mut s: &str) -> Option<&str> {
    loop {
        s = &s[s.find('<')?..];
        if let Some(rest) = s.strip_prefix("<!--") {
            s = &rest[rest.find("-->")? + 3..];
        } else if s.starts_with("<?") || s.starts_with("<!") {
            s = &s[s.find('>')? + 1..];
        } else {
            let name = &s[1..];
            let end = name
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(name.len());
            return Some(&name[..end]);
        }
    }
}

/// The text of the root start tag (for its namespace declarations).
fn root_tag(body: &str) -> &str {
    let Some(name) = root_name(body) else {
        return "";
    };
    let Some(at) = body.find(&format!("<{name}")) else {
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
