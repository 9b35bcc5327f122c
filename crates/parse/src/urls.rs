//! URL resolution for links in a feed (issue 5 point 5).
//!
//! Relative references are resolved per RFC 3986 §5 against, in order: the `xml:base` in scope
//! (XML Base, and RFC 4287 §2 for Atom), the feed's own link, then the URL the document was
//! fetched from. A reference that cannot be resolved is kept as published rather than dropped:
//! a relative item link is still better than none (and it keys the item's id). The feed's own
//! link is the exception (`finish`): left relative it is dropped with a warning.

use url::Url;

/// Resolve `href` against `base`, keeping `href` unchanged when either is unusable.
pub(crate) fn resolve(base: Option<&Url>, href: &str) -> String {
    let href = href.trim();
    // An absolute URL is kept byte for byte: ids and the store compare it as published.
    if Url::parse(href).is_ok() {
        return href.to_owned();
    }
    match base.and_then(|b| b.join(href).ok()) {
        Some(joined) => joined.to_string(),
        None => href.to_owned(),
    }
}

/// The scheme of `href` when it names one that is not http(s) (`javascript:`, `data:`,
/// `vbscript:`, `mailto:`...): such a link is never handed on as an article's address, since
/// a viewer that makes it a link would run it. A relative reference has no scheme.
pub(crate) fn non_web_scheme(href: &str) -> Option<String> {
    let scheme = match Url::parse(href.trim()) {
        Ok(url) => url.scheme().to_owned(),
        // What the URL parser refuses may still start like a scheme ("javascript:%"); one
        // with a slash, `?` or `#` before its first colon is a path, not a scheme.
        Err(_) => {
            let (before, _) = href.trim().split_once(':')?;
            let is_scheme = before.starts_with(|c: char| c.is_ascii_alphabetic())
                && before
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
            if !is_scheme {
                return None;
            }
            before.to_ascii_lowercase()
        }
    };
    (!matches!(scheme.as_str(), "http" | "https")).then_some(scheme)
}

/// Whether an identifier (an Atom `id`) is an absolute http(s) address: in practice the page
/// of an entry that has no link. RFC 4287 §4.2.6 only says an id identifies, so a `tag:` URI
/// or a URN opens nothing and is no link.
pub(crate) fn is_web_address(id: &str) -> bool {
    let scheme = id
        .trim()
        .split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase());
    matches!(scheme.as_deref(), Some("http" | "https"))
}

/// A link relation as RFC 4287 §4.2.7.2 compares it: trimmed, case-insensitive, and the IANA
/// registry's URI form (`http://www.iana.org/assignments/relation/alternate`) the same as the
/// bare name. An empty rel is no rel.
pub(crate) fn link_rel(rel: Option<&str>) -> Option<String> {
    let rel = rel?.trim().to_ascii_lowercase();
    let rel = rel
        .strip_prefix("http://www.iana.org/assignments/relation/")
        .map(str::to_owned)
        .unwrap_or(rel);
    (!rel.is_empty()).then_some(rel)
}

/// Parse a base URL candidate; only absolute URLs can serve as a base.
pub(crate) fn parse_base(candidate: Option<&str>) -> Option<Url> {
    Url::parse(candidate?.trim())
        .ok()
        .filter(|u| !u.cannot_be_a_base())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_resolves_against_base() {
        let base = parse_base(Some("http://example.com/blog/feed/"));
        assert_eq!(
            resolve(base.as_ref(), "../post/1"),
            "http://example.com/blog/post/1"
        );
        assert_eq!(resolve(base.as_ref(), "/a?b=1"), "http://example.com/a?b=1");
    }

    #[test]
    fn absolute_is_kept_as_published() {
        assert_eq!(resolve(None, " http://Example.com "), "http://Example.com");
    }

    #[test]
    fn schemes_other_than_http_are_named() {
        for href in [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "mailto:a@b.c",
        ] {
            assert!(non_web_scheme(href).is_some(), "{href:?}");
        }
        for href in [
            "http://a.example/",
            "HTTPS://a.example/",
            "/p/1",
            "p/1:2",
            "?a=b:c",
        ] {
            assert_eq!(non_web_scheme(href), None, "{href:?}");
        }
    }

    #[test]
    fn unresolvable_is_kept_as_published() {
        assert_eq!(resolve(None, "post/1"), "post/1");
        assert_eq!(parse_base(Some("mailto:a@b.c")), None);
    }
}
