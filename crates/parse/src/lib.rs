//! kb-parse: bytes in, [`ParsedFeed`] out.
//!
//! Owns: format detection (RSS 0.9x/2.0, RSS 1.0/RDF, Atom 0.3/1.0, JSON Feed, and CDF, the
//! 1997 format feedparser also reads), character-set
//! decoding, lenient recovery from malformed XML, date parsing, URL resolution, and the
//! article identity (`ParsedItem::id`), which is decided here and nowhere else.
//!
//! Does not own: fetching (kb-fetch), HTML cleaning (kb-clean), storage (kb-store). It never does
//! I/O: it takes a byte slice, so the same code runs for files, HTTP bodies and the archive.
//!
//! The pipeline: decode the bytes to text (BOM, HTTP charset, XML declaration); detect the
//! format; for XML, one streaming pass checks limits and repairs what is malformed (each repair
//! a warning); the format's reader maps elements into the model (`rss` crate for RSS/RDF, an
//! element tree for Atom, `serde_json` for JSON Feed); then the shared rules (URLs, categories,
//! identity) are applied in one place.
//!
//! ```
//! let xml = br#"<rss version="2.0"><channel><title>t</title>
//!   <item><title>Hello</title><link>http://example.com/a</link></item></channel></rss>"#;
//! let feed = kb_parse::parse(xml, &kb_parse::ParseOptions::default()).unwrap();
//! assert_eq!(feed.items[0].title.as_deref(), Some("Hello"));
//! ```

mod atom;
mod cdf;
mod dates;
mod decode;
mod detect;
mod finish;
mod identity;
mod json_feed;
mod model;
mod ns;
mod plain;
mod rss;
mod tree;
mod urls;
mod wellform;

pub use model::{FeedFormat, ParsedFeed, ParsedItem};

/// `value` quoted for a warning, cut to 80 characters with an ellipsis: a warning names what
/// it is about, and an input value (a 40 KB "date", a hostile guid) can be any length.
pub(crate) fn quoted(value: &str) -> String {
    const MAX: usize = 80;
    match value.char_indices().nth(MAX) {
        Some((at, _)) => format!("{:?}", format!("{}…", &value[..at])),
        None => format!("{value:?}"),
    }
}

/// An element name as a message shows it: control characters escaped (a NUL in `<r\0ss>`
/// vanished on the terminal and the message read "root element <rss>"), cut to 80 characters
/// with an ellipsis (a name is whatever runs up to the next space or `>`).
pub(crate) fn shown_name(name: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Open elements as a message shows them, `<rss><channel><item>`; a long path keeps its first
/// and last three elements around an ellipsis, so a 256-level path stays one short line.
pub(crate) fn element_path<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    const ENDS: usize = 3;
    let len = names.len();
    let mut out = String::new();
    for (i, name) in names.enumerate() {
        if len > 2 * ENDS + 1 && (ENDS..len - ENDS).contains(&i) {
            if i == ENDS {
                out.push_str(&format!("…({} more)…", len - 2 * ENDS));
            }
            continue;
        }
        out.push('<');
        out.push_str(&shown_name(name));
        out.push('>');
    }
    out
}

/// Limits and context for one parse.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// The URL the document was fetched from, used as the last-resort base for relative links.
    pub source_url: Option<String>,
    /// The HTTP `Content-Type` header, whose charset parameter takes part in decoding.
    pub content_type: Option<String>,
    /// Refuse documents larger than this many bytes.
    pub max_bytes: usize,
    /// Drop XML elements nested deeper than this, with what is inside them (with a warning).
    pub max_depth: usize,
    /// Keep at most this many items (the rest are dropped with a warning).
    pub max_items: usize,
    /// Keep at most this many categories per item, counted after duplicates are removed (the
    /// rest are dropped with a warning): a tag-spamming item stays cheap to index and to show.
    pub max_categories: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            source_url: None,
            content_type: None,
            max_bytes: 50 * 1024 * 1024,
            max_depth: 256,
            max_items: 100_000,
            max_categories: 1_000,
        }
    }
}

/// Why a document could not be read as a feed at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The bytes are not any feed format kb knows.
    #[error("not a feed: {0}")]
    NotAFeed(String),
    /// The document is a feed but so broken that no item could be salvaged.
    #[error("malformed feed: {0}")]
    Malformed(String),
    /// The document exceeds a configured limit.
    #[error("feed too large: {0}")]
    TooLarge(String),
}

/// Decode an XML document to text as [`parse`] does: a byte order mark, else the XML
/// declaration's `encoding`, else UTF-8, else (bytes plainly not UTF-8) a detector's guess.
/// For the other XML kb reads, such as OPML subscription lists. The second value lists the
/// guesses and repairs made (a label ignored, bytes replaced with U+FFFD).
pub fn decode_xml(bytes: &[u8]) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let text = decode::decode(bytes, None, &mut warnings);
    (text, warnings)
}

/// A decoded XML document that is no feed (an OPML subscription list) through the guards and
/// repairs every feed goes through: a bare `&` or `<`, an HTML entity undefined in XML
/// (`&ndash;`), a misnested or unclosed tag. Hand-edited and old exports have them, and one
/// should not lose a whole list. The second value lists the repairs, and what the guards cut
/// (elements nested too deep). No guard refuses a whole document today; the `Result` leaves
/// room for one without changing callers.
pub fn repair_xml(text: &str) -> Result<(String, Vec<String>), ParseError> {
    let mut warnings = Vec::new();
    let body = text.trim_start_matches('\u{feff}');
    // Atom's rules are XML's own: no RSS element renamed or merged.
    let doc = wellform::wellform(
        body,
        FeedFormat::Atom,
        &ParseOptions::default(),
        &mut warnings,
    );
    Ok((doc.xml, warnings))
}

/// Why nothing could be read from a document cut short, and what to do about it.
fn unreadable(cut: &wellform::Cut) -> String {
    const NOTHING: &str = "before any complete item or a feed title";
    match cut {
        wellform::Cut::Truncated(path) => format!(
            "the document ends inside {path}, {NOTHING}: the file is cut short (an interrupted \
             download?); download it again"
        ),
        wellform::Cut::Unreadable(error) => format!(
            "{error}, {NOTHING}: the document is damaged there; download it again, and if \
             the error stays, the publisher's feed is broken"
        ),
    }
}

/// Parse one feed document.
pub fn parse(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedFeed, ParseError> {
    if bytes.len() > opts.max_bytes {
        return Err(ParseError::TooLarge(format!(
            "{} bytes, more than max_bytes {}",
            bytes.len(),
            opts.max_bytes
        )));
    }
    let mut warnings = Vec::new();
    let text = decode::decode(bytes, opts.content_type.as_deref(), &mut warnings);
    let feed = match detect::detect(&text)? {
        detect::Detected::Json => json_feed::read(&text, warnings).map_err(ParseError::NotAFeed)?,
        detect::Detected::Xml {
            format,
            body,
            skipped,
            rewritten,
        } => {
            // Issue 5.3: what is skipped is reported, never silent. Leading whitespace is not
            // worth a warning (XML forbids it before the declaration, but it loses nothing).
            if !skipped.trim().is_empty() {
                warnings.push(format!(
                    "{} bytes of text before the first tag skipped",
                    skipped.len()
                ));
            }
            warnings.extend(rewritten);
            let doc = wellform::wellform(&body, format, opts, &mut warnings);
            let xml = ns::canonical_declarations(&doc.xml, &mut warnings);
            let read = match format {
                FeedFormat::Atom => atom::read(&xml, opts.source_url.as_deref(), warnings),
                FeedFormat::Cdf => cdf::read(&xml, opts.source_url.as_deref(), warnings),
                _ => rss::read(&xml, format, opts.source_url.as_deref(), warnings),
            };
            let mut feed = read.map_err(ParseError::Malformed)?;
            // "So broken that no item could be salvaged" (ParseError::Malformed). The reason
            // is the cut, not the first warning: that is often a harmless repair made before
            // it (a bare `&` escaped, a character set guessed), which sent users looking for
            // the wrong fault.
            if let Some(cut) = doc
                .cut
                .filter(|_| feed.items.is_empty() && feed.title.is_none())
            {
                return Err(ParseError::Malformed(unreadable(&cut)));
            }
            // Issue 5.3, never silent: a root that says "feed" with nothing readable under it
            // (elements in a namespace kb does not read, say) is reported, not passed off as
            // a feed that happens to be empty.
            let nothing_read = feed.items.is_empty()
                && [&feed.title, &feed.link, &feed.description]
                    .iter()
                    .all(|v| v.as_deref().is_none_or(|v| v.trim().is_empty()));
            if nothing_read && !feed.warnings.iter().any(|w| w.contains("empty")) {
                feed.warnings.push(format!(
                    "nothing read: no title, link or item found under the root element of this \
                     {} document, so the feed is empty",
                    format.name()
                ));
            }
            feed
        }
    };
    Ok(finish::finish(
        feed,
        opts,
        decode::read_as_utf8(bytes, &text),
    ))
}
