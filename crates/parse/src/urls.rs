//! URL resolution for links in a feed (issue 5 point 5).
//!
//! Relative references are resolved per RFC 3986 §5 against, in order: the `xml:base` in scope
//! (XML Base, and RFC 4287 §2 for Atom), the feed's own link, then the URL the document was
//! fetched from. A reference that cannot be resolved is kept as published rather than dropped:
//! a relative link is still better than none.

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
    fn unresolvable_is_kept_as_published() {
        assert_eq!(resolve(None, "post/1"), "post/1");
        assert_eq!(parse_base(Some("mailto:a@b.c")), None);
    }
}
