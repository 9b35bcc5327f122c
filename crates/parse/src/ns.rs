//! Namespace URIs as publishers misspell them.
//!
//! Namespaces in XML compare URIs byte for byte, so `http://www.w3.org/2005/Atom/` is not
//! Atom's and every element under it would be passed over: a feed read as empty, without a
//! word. feedparser compares known namespaces case-insensitively (and reads elements of an
//! unknown default namespace by their local name), so such feeds read there. Before a reader
//! sees the document, a declaration whose URI differs from a known namespace only in case, in
//! `http`/`https` or in a trailing slash is rewritten to the known spelling, with a warning, so
//! every reader (the `rss` crate and the element tree alike) sees the namespace it expects.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::Event;

/// The namespaces kb reads, spelled as their specifications spell them. Media RSS and
/// iTunes are not here: their readers already accept both spellings publishers use.
const KNOWN: &[&str] = &[
    "http://www.w3.org/2005/Atom",
    "http://purl.org/atom/ns#",
    "http://purl.org/rss/1.0/",
    "http://my.netscape.com/rdf/simple/0.9/",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/rss/1.0/modules/content/",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
    "http://purl.org/rss/1.0/modules/slash/",
    "http://purl.org/rss/1.0/modules/syndication/",
    "http://wellformedweb.org/CommentAPI/",
    "http://purl.org/syndication/thread/1.0",
    "http://www.livejournal.org/rss/lj/1.0/",
    "http://www.w3.org/1999/xhtml",
];

/// Earlier versions of a known namespace whose elements mean what the known one's do, read as
/// it: Dublin Core 1.0 (1998), whose fifteen elements 1.1 only defined more clearly
/// (`dc:creator`, `dc:date`, `dc:subject` in feeds of its day; feedparser reads them by their
/// `dc:` prefix).
const EARLIER: &[(&str, &str)] = &[(
    "http://purl.org/dc/elements/1.0/",
    "http://purl.org/dc/elements/1.1/",
)];

/// What is left of a URI once case, scheme and a trailing slash no longer count.
fn loose(uri: &str) -> String {
    let lower = uri.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
        .unwrap_or(&lower);
    rest.trim_end_matches('/').to_owned()
}

/// The known namespace `uri` misspells, if it misspells one (`None` when it is exact or not
/// one kb knows).
pub(crate) fn correction(uri: &str) -> Option<&'static str> {
    if KNOWN.contains(&uri) {
        return None;
    }
    let key = loose(uri);
    KNOWN.iter().copied().find(|k| loose(k) == key).or_else(|| {
        EARLIER
            .iter()
            .find(|(earlier, _)| loose(earlier) == key)
            .map(|(_, known)| *known)
    })
}

/// `xml` with every namespace declaration that misspells a known namespace rewritten to its
/// spelling, one warning per distinct misspelling. The cheap textual test comes first: a
/// document whose declarations are all exact (nearly all) is returned as is, unscanned.
pub(crate) fn canonical_declarations<'a>(xml: &'a str, warnings: &mut Vec<String>) -> Cow<'a, str> {
    if !declared_values(xml).any(|v| correction(v).is_some()) {
        return Cow::Borrowed(xml);
    }
    // (start, end, replacement) of each attribute value to rewrite, found by the XML reader
    // so that text which merely mentions `xmlns="..."` (an article about Atom) is left alone.
    let mut edits: Vec<(usize, usize, &'static str)> = Vec::new();
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                for attr in e.attributes().with_checks(false).flatten() {
                    let key: &str = attr.key.as_ref();
                    if key != "xmlns" && !key.starts_with("xmlns:") {
                        continue;
                    }
                    let value: &str = &attr.value;
                    let Some(known) = correction(value) else {
                        continue;
                    };
                    // The value borrows from `xml` (no entity in it to unescape): its offset
                    // is where it sits in the document.
                    let start = (value.as_ptr() as usize).wrapping_sub(xml.as_ptr() as usize);
                    if start < xml.len() && xml.get(start..start + value.len()) == Some(value) {
                        edits.push((start, start + value.len(), known));
                        let warning =
                            format!("namespace {} read as {known:?}", crate::quoted(value));
                        if !warnings.contains(&warning) {
                            warnings.push(warning);
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    if edits.is_empty() {
        return Cow::Borrowed(xml);
    }
    let mut out = String::with_capacity(xml.len() + 16);
    let mut at = 0;
    for (start, end, known) in edits {
        out.push_str(&xml[at..start]);
        out.push_str(known);
        at = end;
    }
    out.push_str(&xml[at..]);
    Cow::Owned(out)
}

/// Longest namespace prefix [`declared_values`] looks at: far beyond any real one.
const MAX_PREFIX: usize = 64;

/// The quoted values after every `xmlns` in the text (a superset of the declarations).
fn declared_values(xml: &str) -> impl Iterator<Item = &str> {
    xml.match_indices("xmlns").filter_map(move |(at, _)| {
        let rest = &xml[at + 5..];
        // A prefix is a short name: looking for the `=` only that far keeps a document full
        // of the bare word "xmlns" (hostile or not) linear.
        let eq = rest.bytes().take(MAX_PREFIX + 2).position(|b| b == b'=')?;
        let (name, after) = rest.split_at(eq);
        if !(name.is_empty() || name.starts_with(':')) || name.contains(char::is_whitespace) {
            return None;
        }
        let after = after[1..].trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = &after[1..];
        value.find(quote).map(|end| &value[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dublin_core_10_is_read_as_11() {
        for uri in [
            "http://purl.org/dc/elements/1.0/",
            "http://purl.org/dc/elements/1.0",
        ] {
            assert_eq!(correction(uri), Some("http://purl.org/dc/elements/1.1/"));
        }
        assert_eq!(correction("http://purl.org/dc/elements/1.2/"), None);
    }

    #[test]
    fn misspellings_of_known_namespaces_are_corrected() {
        for uri in [
            "http://www.w3.org/2005/Atom/",
            "https://www.w3.org/2005/Atom",
            "http://www.w3.org/2005/atom",
            "HTTP://WWW.W3.ORG/2005/ATOM/",
        ] {
            assert_eq!(
                correction(uri),
                Some("http://www.w3.org/2005/Atom"),
                "{uri}"
            );
        }
        assert_eq!(
            correction("http://purl.org/rss/1.0/modules/content"),
            Some("http://purl.org/rss/1.0/modules/content/")
        );
        assert_eq!(correction("http://www.w3.org/2005/Atom"), None);
        assert_eq!(correction("http://example.com/ns"), None);
    }

    #[test]
    fn a_document_of_bare_xmlns_words_is_scanned_in_linear_time() {
        // Each "xmlns" used to look for the next "=" to the end of the document: quadratic.
        let xml = format!(
            "<rss><channel><title>{}</title></channel></rss>=",
            "xmlns ".repeat(200_000)
        );
        let mut warnings = Vec::new();
        assert!(matches!(
            canonical_declarations(&xml, &mut warnings),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn only_declarations_are_rewritten() {
        let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom/"><content>xmlns="http://www.w3.org/2005/Atom/"</content></feed>"#;
        let mut warnings = Vec::new();
        let out = canonical_declarations(xml, &mut warnings);
        assert_eq!(
            out,
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><content>xmlns="http://www.w3.org/2005/Atom/"</content></feed>"#
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let exact = r#"<feed xmlns="http://www.w3.org/2005/Atom"/>"#;
        assert!(matches!(
            canonical_declarations(exact, &mut warnings),
            Cow::Borrowed(_)
        ));
    }
}
