//! Which `<` of text that may be HTML start markup, and which are text.
//!
//! Feeds carry plain text where HTML is expected: an RSS description is HTML by the spec, yet
//! arXiv writes abstracts with `for all n&lt;m`, changelogs `i&lt;len` and `Vec&lt;T&gt;`,
//! escaped once. To an HTML parser `<m the bound holds, …` is a start tag running to the next
//! `>`, or to the end, where it is dropped whole: a browser, html5ever and so the cleaner lose
//! the rest of the abstract, silently.
//!
//! A `<` starts markup when what follows is markup HTML has: the tag of an HTML element
//! (`<p>`, `<a href=…>`, `<br/>`, `</b>`, any case; its name then ends with `>`, `/` or a
//! space), of a custom or prefixed element (`<my-card>`, `<o:p>`), a comment, a doctype or a
//! CDATA section. Every other `<` is written `&lt;`, so the parser keeps it as text: `n<m`,
//! `i<len`, `Vec<T>`, `a[i]<b[i]`, `John Doe <john@example.com>`, in plain text and inside
//! HTML alike. The content of a comment and of a raw-text element (`script`, `style`, `xmp`,
//! …) is left as it is, as the parser reads it. One pass, a few bytes looked at after each
//! `<`: linear in the text.
//!
//! What it does not do: read `a<b and c>d` or `List<b>` as text (`<b ` and `<b>` are tags of
//! the element `b`; a browser and feedparser read them so too).

use std::borrow::Cow;

use crate::guard::{RAW_TEXT, comment_end, raw_text_end, skip_to_gt};

/// `text` ready for the HTML parser, every `<` that starts no markup written `&lt;` (borrowed
/// when there is none), and whether any `<` starts markup: without, it is plain text.
pub(crate) fn escape_stray_lt(text: &str) -> (Cow<'_, str>, bool) {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut markup = false;
    // How many `math`/`svg` elements are open: inside, every name is an element's (`mi`,
    // `path`), as HTML's parser reads foreign content.
    let mut foreign = 0usize;
    // A tag needs its `>`: a `<b ` or `<br` with none after it (`Let a<b and the claim
    // follows`) is text, which the parser would drop to the end.
    let last_gt = memchr::memrchr(b'>', b);
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        i = lt + 1;
        let closed = last_gt.is_some_and(|gt| gt > lt);
        match starts_markup(&b[lt + 1..], foreign > 0).filter(|m| closed || !m.needs_gt()) {
            Some(Markup::Comment) => {
                markup = true;
                i = comment_end(b, lt + 4);
            }
            Some(Markup::Tag {
                raw_text,
                opens_foreign,
            }) => {
                markup = true;
                // Past the tag: a `<` in an attribute's value is the parser's to read.
                i = skip_to_gt(b, lt + 1);
                if let Some(name) = raw_text.filter(|_| foreign == 0) {
                    i = raw_text_end(b, i, name);
                }
                match opens_foreign {
                    Some(true) => foreign += 1,
                    Some(false) => foreign = foreign.saturating_sub(1),
                    None => {}
                }
            }
            Some(Markup::Other) => markup = true,
            None => {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
                out.push_str(&text[copied..lt]);
                out.push_str("&lt;");
                copied = lt + 1;
            }
        }
    }
    let text = match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    };
    (text, markup)
}

impl Markup {
    /// Whether it is markup only with a `>` after it: a tag (a comment, doctype or CDATA
    /// section runs to the end unclosed, as the parser reads it).
    fn needs_gt(&self) -> bool {
        matches!(self, Markup::Tag { .. })
    }
}

/// What a `<` starts.
enum Markup {
    /// `<!--`.
    Comment,
    /// An element's start or end tag.
    Tag {
        /// For a start tag of a raw-text element, its name.
        raw_text: Option<&'static str>,
        /// For a `math` or `svg` tag: whether it opens (`Some(true)`) or closes one.
        opens_foreign: Option<bool>,
    },
    /// A doctype or a CDATA section.
    Other,
}

/// What `rest`, the text after a `<`, starts, if it is markup (see the module documentation).
/// Inside `math` or `svg` (`foreign`), any name is an element's.
fn starts_markup(rest: &[u8], foreign: bool) -> Option<Markup> {
    let starts = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"!--") {
        return Some(Markup::Comment);
    }
    if starts(b"!doctype") || starts(b"![cdata[") {
        return Some(Markup::Other);
    }
    let (name_at, end_tag) = match rest.first() {
        Some(b'/') => (1, true),
        _ => (0, false),
    };
    let tail = &rest[name_at..];
    if !tail.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let len = tail
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b':')))
        .unwrap_or(tail.len());
    // What may follow an element's name in a tag: its end, `/>`, or a space before attributes.
    match tail.get(len) {
        Some(b'>' | b'/') => {}
        Some(c) if c.is_ascii_whitespace() => {}
        _ => return None,
    }
    let name = &tail[..len];
    // A custom element (`my-card`) or a prefixed one (`o:p`, `svg:rect`) has `-` or `:` inside.
    let custom = name[1..].iter().any(|c| matches!(c, b'-' | b':'))
        && !name.ends_with(b"-")
        && !name.ends_with(b":");
    let lower = name.to_ascii_lowercase();
    let lower = std::str::from_utf8(&lower).ok()?;
    if !custom && !foreign && ELEMENTS.binary_search(&lower).is_err() {
        return None;
    }
    let raw_text = match end_tag {
        true => None,
        false => RAW_TEXT.iter().find(|r| **r == lower).copied(),
    };
    // `<math/>` opens nothing.
    let self_closing = tail[len..].starts_with(b"/>");
    let opens_foreign = (matches!(lower, "math" | "svg") && !self_closing).then_some(!end_tag);
    Some(Markup::Tag {
        raw_text,
        opens_foreign,
    })
}

/// HTML's elements, current and obsolete ones still written (`center`, `font`, `tt`), and the
/// roots of SVG and MathML (inside those two, any name is an element's).
const ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "basefont",
    "bdi",
    "bdo",
    "bgsound",
    "big",
    "blink",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "image",
    "img",
    "input",
    "ins",
    "isindex",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "link",
    "listing",
    "main",
    "map",
    "mark",
    "marquee",
    "math",
    "menu",
    "menuitem",
    "meta",
    "meter",
    "multicol",
    "nav",
    "nobr",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "plaintext",
    "pre",
    "progress",
    "q",
    "rb",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
    "xmp",
];

#[cfg(test)]
pub(crate) const LISTS: [(&str, &[&str]); 1] = [("stray::ELEMENTS", ELEMENTS)];

#[cfg(test)]
mod tests {
    use super::escape_stray_lt;

    #[test]
    fn text_keeps_every_less_than_sign() {
        for (text, want) in [
            (
                "for all n<m the bound holds. O(n log n).",
                "for all n&lt;m the bound holds. O(n log n).",
            ),
            ("i<len loops.", "i&lt;len loops."),
            ("x<y>z", "x&lt;y>z"),
            ("$a<b$ and {x<y}", "$a&lt;b$ and {x&lt;y}"),
            (
                "Vec<T> and Option<String>",
                "Vec&lt;T> and Option&lt;String>",
            ),
            ("HashMap<String, Vec<u8>>", "HashMap&lt;String, Vec&lt;u8>>"),
            ("for (i=0;i<n;i++)", "for (i=0;i&lt;n;i++)"),
            ("a </ b and </3", "a &lt;/ b and &lt;/3"),
            ("<b", "&lt;b"),
            (
                "John Doe <john@example.com>, see <https://bugs.example.org/1>",
                "John Doe &lt;john@example.com>, see &lt;https://bugs.example.org/1>",
            ),
            ("the range <x-> ok", "the range &lt;x-> ok"),
            // An element's name, but no `>` after it (found by the last probe).
            (
                "Let a<b and the claim follows.",
                "Let a&lt;b and the claim follows.",
            ),
            ("if a<br then we stop", "if a&lt;br then we stop"),
            ("a < b, I <3 it, x <= y", "a &lt; b, I &lt;3 it, x &lt;= y"),
        ] {
            let (got, markup) = escape_stray_lt(text);
            assert_eq!(got, want, "{text}");
            assert!(!markup, "{text}");
        }
        for text in ["plain", ""] {
            assert_eq!(escape_stray_lt(text), (text.into(), false));
        }
    }

    #[test]
    fn a_stray_less_than_sign_in_html_is_text() {
        for (html, want) in [
            (
                "<p>while <code>i<len</code> holds</p>",
                "<p>while <code>i&lt;len</code> holds</p>",
            ),
            (
                "<pre>for (i = 0; i<n; i++) if (a[i]<b[i]) x<y;</pre>",
                "<pre>for (i = 0; i&lt;n; i++) if (a[i]&lt;b[i]) x&lt;y;</pre>",
            ),
            ("<p>Vec<T></p>", "<p>Vec&lt;T></p>"),
        ] {
            assert_eq!(escape_stray_lt(html), (want.into(), true), "{html}");
        }
    }

    #[test]
    fn raw_text_and_comments_are_not_looked_at() {
        for html in [
            "<xmp>while (x<y) x++;</xmp>",
            "<script>if (a<b) c()</script>",
            "<STYLE>a<b{}</STYLE>",
            "<textarea>n<m</textarea>",
            "<!-- n<m -->",
        ] {
            assert_eq!(escape_stray_lt(html), (html.into(), true), "{html}");
        }
        assert_eq!(escape_stray_lt("<!-- n<m -->x<y").0, "<!-- n<m -->x&lt;y");
    }

    #[test]
    fn inside_math_and_svg_every_name_is_an_element() {
        for html in [
            "<math><mi>x</mi><mo>=</mo><mn>2</mn><mspace width=\"1em\"/><none/></math>",
            "<svg viewBox=\"0 0 1 1\"><g><path d=\"M0 0\"/></g></svg>",
        ] {
            assert_eq!(escape_stray_lt(html), (html.into(), true), "{html}");
        }
        // Closed again: back to HTML's names.
        assert_eq!(
            escape_stray_lt("<svg><g/></svg> n<m").0,
            "<svg><g/></svg> n&lt;m"
        );
    }

    /// Found by the regression probe: tags glued to a word and never closed (a truncated
    /// excerpt, CJK text) were shown as text by an earlier rule; an element's tag is markup.
    #[test]
    fn html_is_left_to_the_parser() {
        for html in [
            "<p>x</p>",
            "Line one<br>Line two",
            "<P CLASS=x>shouting</P>",
            "<img src=\"a.png\" alt=\"a < b\">",
            "<a href='x'>y</a>",
            "text<span>truncated…",
            "这是一篇关于<strong>网络",
            "word<br/>",
            "<o:p></o:p>",
            "<my-widget>x</my-widget>",
            "<!-- a comment -->",
            "<!DOCTYPE html><html>",
            "</p>",
            "Let a<b and c>d.",
        ] {
            let (got, markup) = escape_stray_lt(html);
            assert_eq!(got, html);
            assert!(markup, "{html}");
        }
    }

    /// Against a baseline in the same test, not a clock limit (a loaded machine failed a 5 s
    /// limit): plain text of the same length with as many `<`, which is linear. A quadratic
    /// scan of the hostile input costs some 10^5 times the baseline; the margin is 200.
    #[test]
    fn hostile_input_costs_linear_time() {
        let hostile = "<a x='<b'".repeat(300_000) + &"n<m ".repeat(300_000);
        let closed = hostile.clone() + ">";
        let text = "n<m ".repeat(closed.len() / 4);
        let timed = |html: &str| {
            let start = std::time::Instant::now();
            let markup = escape_stray_lt(html).1;
            (markup, start.elapsed())
        };
        let (markup, baseline) = timed(&text);
        assert!(!markup);
        let (markup, open) = timed(&hostile);
        assert!(!markup);
        let (markup, closed) = timed(&closed);
        assert!(markup);
        let limit = baseline * 200 + std::time::Duration::from_millis(500);
        assert!(
            open < limit && closed < limit,
            "{open:?} and {closed:?} against {baseline:?}"
        );
    }
}
