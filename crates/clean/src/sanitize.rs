//! Sanitized HTML for display, through ammonia's allow-list.
//!
//! ammonia keeps only known-safe tags and attributes (no script, style, iframe, object, form,
//! event handlers), allows only http, https and mailto URLs (so no javascript:, data: or
//! vbscript:), and rewrites relative URLs against the base. Widgets are already gone: the noise
//! rules ran on the tree this HTML was serialized from.

use std::collections::HashSet;

use ammonia::{Builder, UrlRelative};
use url::Url;

use crate::text::visible_chars;

/// Elements dropped together with their content. (ammonia would keep the content of an
/// element it does not allow, and for these that content is code or fallback text.)
/// None of them is on ammonia's tag allow-list, which ammonia requires.
const DROP_WITH_CONTENT: &[&str] = &[
    "applet", "audio", "button", "canvas", "embed", "form", "frameset", "iframe", "math",
    "noembed", "noframes", "noscript", "object", "script", "select", "style", "svg", "template",
    "textarea", "title", "video",
];

/// `html`, sanitized; relative URLs resolved against `base` when there is one.
pub(crate) fn sanitize(html: &str, base: Option<&Url>) -> String {
    let mut builder = Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .url_relative(match base {
            Some(base) => UrlRelative::RewriteWithBase(base.clone()),
            None => UrlRelative::PassThrough,
        });
    let clean = builder.clean(html).to_string();
    // Terminals may show this HTML too: drop control characters and escape sequences.
    if clean.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        visible_chars(&clean).collect()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean_html;

    fn html(input: &str) -> String {
        clean_html(input, Some("http://example.com/post/")).html
    }

    #[test]
    fn drop_list_is_disjoint_from_the_allow_list() {
        // ammonia panics if a tag is both allowed and dropped with its content.
        let allowed = Builder::default().clone_tags();
        for tag in DROP_WITH_CONTENT {
            assert!(!allowed.contains(tag), "{tag}");
        }
    }

    #[test]
    fn scripts_styles_and_handlers_go() {
        let out = html(
            "<p onclick=\"x()\" style=\"color:red\">a<script>alert(1)</script><style>p{}</style></p>\
             <iframe src=\"http://evil\">f</iframe><object data=\"x\">o</object><form><input>b</form>",
        );
        assert_eq!(out, "<p>a</p>");
    }

    #[test]
    fn dangerous_urls_go() {
        let out = html(
            "<a href=\"javascript:alert(1)\">j</a><a href=\"vbscript:x\">v</a>\
             <img src=\"data:image/png;base64,AAAA\"><a href=\" JaVaScRiPt:alert(1)\">k</a>",
        );
        assert!(!out.to_lowercase().contains("script:"), "{out}");
        assert!(!out.contains("data:"), "{out}");
    }

    #[test]
    fn relative_urls_are_resolved() {
        let out = html("<p><a href=\"../other/\">o</a><img src=\"/i.png\" alt=\"i\"></p>");
        assert_eq!(
            out,
            "<p><a href=\"http://example.com/other/\" rel=\"noopener noreferrer\">o</a>\
             <img alt=\"i\" src=\"http://example.com/i.png\"></p>"
        );
    }

    #[test]
    fn controls_are_dropped() {
        assert_eq!(html("<p>a\u{1b}[31mb</p>"), "<p>ab</p>");
    }
}
