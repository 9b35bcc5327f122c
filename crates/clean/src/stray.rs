//! Which `<` of publisher HTML start markup, and which are text.
//!
//! Feeds carry plain text where HTML is expected: an RSS description is HTML by the spec, yet
//! arXiv writes abstracts with `for all n&lt;m`, changelogs `i&lt;len` and `Vec&lt;T&gt;`,
//! escaped once. To an HTML parser `<m the bound holds, …` is a start tag running to the next
//! `>`, or to the end, where it is dropped whole: a browser, html5ever and so the cleaner lose
//! the rest of the abstract, silently. feedparser's SGML parser keeps a `<` whose tag never
//! ends (and loses `a<b and c>d` to a `b` element); the rule here keeps every `<` that cannot
//! be meant as markup, so text keeps every character while HTML (`<p>`, `<a href>`, `<br>`, a
//! comment) stays HTML, a stray `<` inside it kept as text too.
//!
//! A `<` followed by a letter starts markup when its tag is complete (a `>` comes before any
//! other `<` outside a quoted value) and either
//! - names an HTML element, with attributes that are attributes: each has a value
//!   (`href="…"`), is one HTML writes bare (`controls`, `nowrap`), or has a `-` or `:` in its
//!   name (`data-id`, `xml:lang`); `a<b and c>d` names `b` with "attributes" `and` and `c`,
//!   and is text; but not an element glued to a word, without attributes, that needs an end
//!   tag and has none anywhere (`List<b>`, a type parameter);
//! - or is written the way only markup is, whatever its name: an attribute with a value, a
//!   `/>` end, a `-` or `:` in the name (a custom element, Word's `o:p`), or a matching end tag
//!   anywhere in the input (`<mi>x</mi>` in MathML, `<g>…</g>` in SVG).
//!
//! An end tag (`</` and a letter) is markup when complete; `</` before anything else is text.
//! `<!…` and `<?…` are left to the parser (comments, a doctype), as is a `<` before anything
//! but a letter, `/`, `!` or `?`, which the parser reads as text already. The content of a
//! raw-text element (`script`, `style`, `xmp`, …) is never looked at, as the parser does not.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::guard::{RAW_TEXT, comment_end, raw_text_end, skip_to_gt};
use crate::names::listed;

/// `html` with every `<` that starts no markup written `&lt;` (borrowed when there is none),
/// and whether it holds any markup at all: without, it is plain text.
pub(crate) fn escape_stray_lt(html: &str) -> (Cow<'_, str>, bool) {
    let mut scan = Scan {
        b: html.as_bytes(),
        closed: None,
        last_quote: [
            memchr::memrchr(b'"', html.as_bytes()),
            memchr::memrchr(b'\'', html.as_bytes()),
        ],
        foreign: 0,
    };
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut markup = false;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &html.as_bytes()[i..]) {
        let lt = i + off;
        match scan.at(html, lt) {
            Lt::Markup(end) => {
                markup = true;
                i = end.max(lt + 1);
            }
            Lt::Text => {
                let out = out.get_or_insert_with(|| String::with_capacity(html.len() + 16));
                out.push_str(&html[copied..lt]);
                out.push_str("&lt;");
                copied = lt + 1;
                i = lt + 1;
            }
            Lt::Parser => i = lt + 1,
        }
    }
    let html = match out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(&html[copied..]);
            Cow::Owned(out)
        }
    };
    (html, markup)
}

/// What a `<` is.
enum Lt {
    /// It starts markup; scanning goes on at this index.
    Markup(usize),
    /// It is text the parser would take for markup: to be escaped.
    Text,
    /// The parser reads it as text already (`a < b`, `<3`).
    Parser,
}

struct Scan<'a> {
    b: &'a [u8],
    /// Lowercase names of every end tag in the input, gathered when first needed.
    closed: Option<HashSet<Vec<u8>>>,
    /// The last `"` and `'`: a quoted value opened after it never closes, known without a
    /// search to the end (which, per tag, would make the scan quadratic).
    last_quote: [Option<usize>; 2],
    /// How many `svg` and `math` elements are open: their `style` or `title` is no raw text.
    foreign: usize,
}

/// A complete tag, as [`Scan::tag`] read it.
struct Tag {
    /// The index after its `>`.
    end: usize,
    /// Whether it ends in `/>`.
    self_closing: bool,
    /// Whether some attribute has a value.
    valued: bool,
    /// Whether it has any attribute.
    any: bool,
    /// Whether every attribute without a value is one HTML writes bare.
    bare_ok: bool,
}

impl Scan<'_> {
    fn at(&mut self, html: &str, lt: usize) -> Lt {
        let b = self.b;
        match b.get(lt + 1) {
            Some(b'!') if b[lt..].starts_with(b"<!--") => Lt::Markup(comment_end(b, lt + 4)),
            Some(b'!' | b'?') => Lt::Markup(skip_to_gt(b, lt + 2)),
            Some(b'/') => match b.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let (name, after) = name(b, lt + 2);
                    match self.tag(after) {
                        Some(tag) => {
                            if is_foreign_root(&name) {
                                self.foreign = self.foreign.saturating_sub(1);
                            }
                            Lt::Markup(tag.end)
                        }
                        None => Lt::Text,
                    }
                }
                // `</` before anything but a letter starts a bogus comment, to the next `>`.
                _ => Lt::Text,
            },
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, after) = name(b, lt + 1);
                let Some(tag) = self.tag(after) else {
                    return Lt::Text;
                };
                if !self.is_markup(html, lt, &name, &tag) {
                    return Lt::Text;
                }
                let name = String::from_utf8_lossy(&name);
                if self.foreign == 0 && (listed(RAW_TEXT, &name) || name == "plaintext") {
                    return Lt::Markup(if name == "plaintext" {
                        b.len()
                    } else {
                        raw_text_end(b, tag.end, &name)
                    });
                }
                if is_foreign_root(name.as_bytes()) && !tag.self_closing {
                    self.foreign += 1;
                }
                Lt::Markup(tag.end)
            }
            _ => Lt::Parser,
        }
    }

    /// Whether a complete start tag named `name` at `lt` is meant as markup (module doc).
    fn is_markup(&mut self, html: &str, lt: usize, name: &[u8], tag: &Tag) -> bool {
        let name_str = std::str::from_utf8(name).unwrap_or_default();
        if listed(ELEMENTS, name_str) && tag.bare_ok {
            let glued = html[..lt]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            return !(glued && !tag.any && !listed(ENDLESS, name_str) && !self.is_closed(name));
        }
        tag.valued || tag.self_closing || is_compound_name(name) || self.is_closed(name)
    }

    fn is_closed(&mut self, name: &[u8]) -> bool {
        let b = self.b;
        self.closed
            .get_or_insert_with(|| {
                let mut set = HashSet::new();
                let mut i = 0;
                while let Some(off) = memchr::memmem::find(&b[i..], b"</") {
                    let at = i + off + 2;
                    if b.get(at).is_some_and(u8::is_ascii_alphabetic) {
                        let (name, after) = self::name(b, at);
                        set.insert(name);
                        i = after;
                    } else {
                        i = at;
                    }
                }
                set
            })
            .contains(name)
    }

    /// The rest of a tag from `i` (after its name): `None` unless a `>` ends it before any `<`
    /// outside a quoted value.
    fn tag(&self, mut i: usize) -> Option<Tag> {
        let b = self.b;
        let mut tag = Tag {
            end: 0,
            self_closing: false,
            valued: false,
            any: false,
            bare_ok: true,
        };
        loop {
            while b
                .get(i)
                .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
            {
                tag.self_closing = b[i] == b'/';
                i += 1;
            }
            match b.get(i)? {
                b'>' => {
                    tag.end = i + 1;
                    return Some(tag);
                }
                b'<' => return None,
                _ => tag.self_closing = false,
            }
            // An attribute's name; its first character may be `=`.
            let start = i;
            i += 1;
            while b.get(i).is_some_and(|c| {
                !c.is_ascii_whitespace() && !matches!(c, b'/' | b'>' | b'=' | b'<')
            }) {
                i += 1;
            }
            let attr = &b[start..i];
            tag.any = true;
            while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if b.get(i) != Some(&b'=') {
                let lower = String::from_utf8_lossy(attr).to_ascii_lowercase();
                tag.bare_ok &= listed(BARE, &lower) || attr.contains(&b'-') || attr.contains(&b':');
                continue;
            }
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            tag.valued = true;
            match b.get(i)? {
                &q @ (b'"' | b'\'') => {
                    let last = self.last_quote[usize::from(q == b'\'')]?;
                    if last <= i {
                        return None;
                    }
                    i += 1 + memchr::memchr(q, &b[i + 1..])?;
                    i += 1;
                }
                _ => {
                    while b
                        .get(i)
                        .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'>')
                    {
                        if b[i] == b'<' {
                            return None;
                        }
                        i += 1;
                    }
                }
            }
        }
    }
}

/// The lowercase tag name from `start` (a letter), and the index after it. It ends where the
/// tokenizer's does (whitespace, `/`, `>`) or at a `<`, which makes the tag no tag here.
fn name(b: &[u8], start: usize) -> (Vec<u8>, usize) {
    let mut end = start;
    while b
        .get(end)
        .is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'/' | b'>' | b'<'))
    {
        end += 1;
    }
    (b[start..end].to_ascii_lowercase(), end)
}

/// A custom element's name (`my-widget`) or a prefixed one (`o:p`, `st1:place`): name
/// characters with a `-` or one `:` between them. Not `https:` (from `<https://…>`) nor
/// `john@example.com`.
fn is_compound_name(name: &[u8]) -> bool {
    let part = |p: &[u8]| {
        p.first().is_some_and(u8::is_ascii_alphabetic)
            && p.last().is_some_and(u8::is_ascii_alphanumeric)
            && p.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    };
    let mut parts = name.split(|&c| c == b':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), None, None) => part(local) && local.contains(&b'-'),
        (Some(prefix), Some(local), None) => part(prefix) && part(local),
        _ => false,
    }
}

fn is_foreign_root(name: &[u8]) -> bool {
    name == b"svg" || name == b"math"
}

/// HTML's elements, current and obsolete ones still written (`center`, `font`, `tt`), and the
/// roots of SVG and MathML; elements inside those two are known by how they are written.
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

/// Elements HTML writes without an end tag: void ones, and those whose end tag may be left out.
const ENDLESS: &[&str] = &[
    "area", "base", "basefont", "bgsound", "body", "br", "caption", "col", "colgroup", "dd", "dt",
    "embed", "frame", "head", "hr", "html", "image", "img", "input", "isindex", "keygen", "li",
    "link", "meta", "optgroup", "option", "p", "param", "rb", "rp", "rt", "rtc", "source",
    "spacer", "tbody", "td", "tfoot", "th", "thead", "tr", "track", "wbr",
];

/// Attributes HTML writes without a value.
const BARE: &[&str] = &[
    "allowfullscreen",
    "async",
    "autofocus",
    "autoplay",
    "border",
    "checked",
    "compact",
    "controls",
    "declare",
    "default",
    "defer",
    "disabled",
    "download",
    "formnovalidate",
    "hidden",
    "inert",
    "ismap",
    "itemscope",
    "loop",
    "mozallowfullscreen",
    "multiple",
    "muted",
    "nohref",
    "noresize",
    "noshade",
    "novalidate",
    "nowrap",
    "open",
    "playsinline",
    "readonly",
    "required",
    "reversed",
    "selected",
    "webkitallowfullscreen",
];

#[cfg(test)]
pub(crate) const LISTS: [(&str, &[&str]); 3] = [
    ("stray::ELEMENTS", ELEMENTS),
    ("stray::ENDLESS", ENDLESS),
    ("stray::BARE", BARE),
];

#[cfg(test)]
mod tests {
    use super::escape_stray_lt;

    fn escaped(s: &str) -> String {
        escape_stray_lt(s).0.into_owned()
    }

    #[test]
    fn text_keeps_every_less_than_sign() {
        for (text, want) in [
            (
                "for all n<m the bound holds. O(n log n).",
                "for all n&lt;m the bound holds. O(n log n).",
            ),
            ("Let a<b and c>d.", "Let a&lt;b and c>d."),
            ("i<len loops.", "i&lt;len loops."),
            ("x<y>z", "x&lt;y>z"),
            ("$a<b$ and {x<y}", "$a&lt;b$ and {x&lt;y}"),
            (
                "Vec<T> and Option<String>",
                "Vec&lt;T> and Option&lt;String>",
            ),
            ("HashMap<String, Vec<u8>>", "HashMap&lt;String, Vec&lt;u8>>"),
            ("List<b> of bytes", "List&lt;b> of bytes"),
            ("for (i=0;i<n;i++)", "for (i=0;i&lt;n;i++)"),
            ("a </ b and </3", "a &lt;/ b and &lt;/3"),
            ("<b", "&lt;b"),
            ("<a href=\"x", "&lt;a href=\"x"),
            (
                "John Doe <john@example.com>, see <https://bugs.example.org/1>",
                "John Doe &lt;john@example.com>, see &lt;https://bugs.example.org/1>",
            ),
            (
                "the range <x-> and <a:b:c>",
                "the range &lt;x-> and &lt;a:b:c>",
            ),
        ] {
            let (got, markup) = escape_stray_lt(text);
            assert_eq!(got, want, "{text}");
            assert!(!markup, "{text}");
        }
    }

    #[test]
    fn text_the_parser_reads_as_text_is_left_alone() {
        for text in ["a < b", "I <3 it", "x <= y", "plain", ""] {
            let (got, markup) = escape_stray_lt(text);
            assert_eq!(got, text);
            assert!(!markup);
        }
    }

    #[test]
    fn markup_stays_markup() {
        for html in [
            "<p>x</p>",
            "Line one<br>Line two",
            "<P CLASS=x>shouting</P>",
            "<img src=\"a.png\" alt=\"a < b\">",
            "<a href='x'>y</a>",
            "<video controls src=v.mp4></video>",
            "<td nowrap>x",
            "<p>truncated <b>bold",
            "<p>Hello<b>World</b>",
            "word<br/>",
            "<p data-x>y</p>",
            "<o:p></o:p>",
            "<my-widget>x</my-widget>",
            "<math><mi>x</mi><mo>=</mo><mn>2</mn><mspace width=\"1em\"/><none/></math>",
            "<svg viewBox=\"0 0 1 1\"><g><path d=\"M0 0\"/></g></svg>",
            "<!-- a < b --><!DOCTYPE html><?xml version=\"1.0\"?>",
            "</p>",
        ] {
            let (got, markup) = escape_stray_lt(html);
            assert_eq!(got, html);
            assert!(markup, "{html}");
        }
    }

    #[test]
    fn a_stray_less_than_sign_in_html_is_text() {
        assert_eq!(
            escaped("<p>while <code>i<len</code> holds</p>"),
            "<p>while <code>i&lt;len</code> holds</p>"
        );
        assert_eq!(
            escaped("<p>a<b and c>d</p><p>Vec<T></p>"),
            "<p>a&lt;b and c>d</p><p>Vec&lt;T></p>"
        );
        assert_eq!(
            escaped("<pre>if (a<b) x<y;</pre>"),
            "<pre>if (a&lt;b) x&lt;y;</pre>"
        );
    }

    #[test]
    fn raw_text_is_not_looked_at() {
        for html in [
            "<xmp>while (x<y) x++;</xmp>",
            "<script>if (a<b) c()</script>",
            "<style>a<b{}</style>",
            "<textarea>n<m</textarea>",
        ] {
            assert_eq!(escaped(html), html);
        }
        // Inside svg, `title` holds markup (and text).
        assert_eq!(
            escaped("<svg><title>a<b</title></svg>"),
            "<svg><title>a&lt;b</title></svg>"
        );
        // A comment's content is no markup either.
        assert_eq!(escaped("<!-- n<m -->x<y"), "<!-- n<m -->x&lt;y");
    }

    #[test]
    fn many_unclosed_quotes_cost_linear_time() {
        let hostile = "<a x=\"".repeat(50_000) + &"<b y='".repeat(50_000);
        let start = std::time::Instant::now();
        let (_, _) = escape_stray_lt(&hostile);
        let hostile = "<p ".repeat(100_000) + &"</".repeat(100_000);
        let _ = escape_stray_lt(&hostile);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
