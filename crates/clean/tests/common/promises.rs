//! What `kb_clean::clean_html` and `clean_inline` promise for any UTF-8: plain text is lines of
//! visible characters without blank lines (but those of a `pre`), links are absolute http(s)
//! URLs, and the sanitized HTML, parsed again, holds no script-capable element or attribute.
//!
//! One file for both users: the `clean_html` fuzz target (fuzz/fuzz_targets/clean_html.rs)
//! and the test that replays its committed corpus (tests/fuzz_corpus.rs) include it by path,
//! since the fuzz crate is a workspace of its own.

/// The fuzz target's body: what `clean_html` and `clean_inline` promise for any UTF-8.
pub fn check(html: &str) {
    for base in [None, Some("http://example.com/a/b.html")] {
        let cleaned = kb_clean::clean_html(html, base);
        let text = &cleaned.text;
        // A tab stays only in preformatted text, as the code's own (text.rs).
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "control in text {text:?}"
        );
        // A blank line only ever comes from inside a `pre` or its old spellings `xmp` and
        // `listing` (code keeps its blank lines).
        let lower = html.to_ascii_lowercase();
        assert!(
            !text.contains("\n\n")
                || ["<pre", "<xmp", "<listing"]
                    .iter()
                    .any(|t| lower.contains(t)),
            "blank line in text {text:?}"
        );
        // Likewise a tab, or GitHub's one-line code cells (`td.blob-code`).
        assert!(
            !text.contains('\t')
                || ["<pre", "<xmp", "<listing", "<plaintext", "blob-code"]
                    .iter()
                    .any(|t| lower.contains(t)),
            "tab outside preformatted text {text:?}"
        );
        assert!(
            !text.starts_with('\n') && !text.ends_with('\n'),
            "text not trimmed {text:?}"
        );
        for link in &cleaned.links {
            assert!(
                link.starts_with("http://") || link.starts_with("https://"),
                "link not http(s): {link:?}"
            );
        }
        check_sanitized(&cleaned.html);
        let inline = kb_clean::clean_inline(html);
        assert!(
            !inline.chars().any(char::is_control),
            "control in inline {inline:?}"
        );
    }
}

/// Parse the sanitized HTML the way a browser would and look for what must never survive.
/// (A substring check is not enough: `<script` inside a quoted attribute value is inert text.)
fn check_sanitized(html: &str) {
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        let scraper::Node::Element(e) = node.value() else {
            continue;
        };
        assert!(
            !matches!(
                e.name(),
                "script" | "style" | "iframe" | "object" | "embed" | "base" | "form" | "meta"
            ),
            "<{}> survived: {html:?}",
            e.name()
        );
        for (name, value) in e.attrs() {
            assert!(!name.starts_with("on"), "handler {name} survived: {html:?}");
            // Browsers drop tabs and newlines anywhere in a URL (WHATWG URL parser), so
            // "java\tscript:" is still a script URL.
            let value = value
                .trim_start()
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(
                !value.starts_with("javascript:") && !value.starts_with("vbscript:"),
                "script URL in {name} survived: {html:?}"
            );
        }
    }
}
