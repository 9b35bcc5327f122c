//! Whether a text field of unknown type holds HTML or plain text.
//!
//! RSS says nothing about the type of `title`: publishers write plain text (`Vec<String> vs
//! &str`, `Using the <canvas> element`, escaped once in the XML) as often as HTML
//! (`<b>new</b>`, `&#8217;` escaped twice). The cleaner reads what it gets as HTML, so a plain
//! title must reach it escaped, or `<canvas>` vanishes as an unknown tag. The guess is
//! feedparser's (`_FeedParserMixin.lookslikehtml`), so kb and the reference parser agree on
//! the same feeds: HTML only when there is a closing tag or a character reference, every tag
//! is one an article may hold, and every named reference is an HTML entity.
//!
//! Fields whose type a format states (Atom text constructs, JSON Feed's plain `title`) do not
//! come here. The same guess serves the other text fields that leave their type open: a
//! podcast's `itunes:summary`, a `media:description` without a `type`.

use quick_xml::escape::escape;

/// `s` as HTML for the cleaner: unchanged when it looks like HTML, escaped when it is text.
pub(crate) fn as_html(s: String) -> String {
    if looks_like_html(&s) {
        s
    } else {
        escape(s.as_str()).into_owned()
    }
}

/// A text field of unknown type as HTML for the cleaner: unchanged when it looks like HTML,
/// else text with its lines kept ([`text_as_html`]). For a podcast's `itunes:summary` or a
/// `media:description` without a type, which publishers fill with either.
pub(crate) fn guessed(s: String) -> String {
    if looks_like_html(&s) {
        s
    } else {
        text_as_html(s)
    }
}

/// A `media:description` as HTML: as its `type` says (Media RSS: `plain` or `html`), guessed
/// without one (Media RSS's default is plain, but podcast hosts write HTML there unlabelled).
pub(crate) fn media_description(kind: Option<&str>, text: String) -> String {
    match kind.map(str::trim) {
        Some(t) if t.eq_ignore_ascii_case("html") => text,
        Some(t) if t.eq_ignore_ascii_case("plain") => text_as_html(text),
        _ => guessed(text),
    }
}

/// Plain text made HTML for the cleaner (`<` stays a `<`).
pub(crate) fn escaped(s: String) -> String {
    escape(s.as_str()).into_owned()
}

/// Plain text with line breaks made HTML for the cleaner: escaped, a blank line a paragraph
/// break, a single newline a `<br>` (a video description's chapter list keeps its lines).
pub(crate) fn text_as_html(s: String) -> String {
    if !s.contains('\n') {
        return escaped(s);
    }
    let s = s.replace("\r\n", "\n");
    let mut out = String::with_capacity(s.len() + 16);
    for paragraph in s.split("\n\n").filter(|p| !p.trim().is_empty()) {
        out.push_str("<p>");
        let lines: Vec<String> = paragraph.lines().map(|l| escape(l).into_owned()).collect();
        out.push_str(&lines.join("<br>"));
        out.push_str("</p>");
    }
    out
}

fn looks_like_html(s: &str) -> bool {
    if !s.contains(['<', '&']) {
        return false;
    }
    let tags = tag_names(s);
    let refs = references(s);
    let closes = tags.iter().any(|(closing, _)| *closing);
    if !closes && refs.is_empty() {
        return false;
    }
    tags.iter().all(|(_, name)| {
        ALLOWED
            .binary_search(&name.to_ascii_lowercase().as_str())
            .is_ok()
    }) && refs.iter().all(|r| {
        r.starts_with('#')
            || web_atoms::NAMED_ENTITIES
                .get(format!("{r};").as_str())
                .is_some()
    })
}

/// `(closing, name)` of every `<name` and `</name` (name: word characters, as feedparser's
/// `</?(\w+)`).
fn tag_names(s: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let (closing, after) = match rest.strip_prefix('/') {
            Some(a) => (true, a),
            None => (false, rest),
        };
        let len = word_len(after);
        if len > 0 {
            // feedparser's closing-tag test wants `</name>` exactly.
            let closed = !closing || after[len..].starts_with('>');
            out.push((closing && closed, &after[..len]));
        }
    }
    out
}

/// The names of `&name;` and `&#123;` references (without `&` and `;`).
fn references(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        rest = &rest[i + 1..];
        let hash = usize::from(rest.starts_with('#'));
        let len = word_len(&rest[hash..]);
        if len > 0 && rest[hash + len..].starts_with(';') {
            out.push(&rest[..hash + len]);
        }
    }
    out
}

fn word_len(s: &str) -> usize {
    s.char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(s.len(), |(i, _)| i)
}

/// feedparser's `_HTMLSanitizer.acceptable_elements`, sorted: the tags an article may hold.
/// `script`, `style` and unknown words (`canvas`... is here, `T` in `Vec<T>` is not) make a
/// title text.
const ALLOWED: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "big",
    "blockquote",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "command",
    "datagrid",
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
    "event-source",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "m",
    "map",
    "menu",
    "meter",
    "multicol",
    "nav",
    "nextid",
    "noscript",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "pre",
    "progress",
    "q",
    "s",
    "samp",
    "section",
    "select",
    "small",
    "sound",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "video",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowed_list_is_sorted_for_binary_search() {
        assert!(ALLOWED.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn text_with_angle_brackets_is_escaped() {
        for (plain, html) in [
            ("Vec<String> vs &str", "Vec&lt;String&gt; vs &amp;str"),
            (
                "Using the <canvas> element",
                "Using the &lt;canvas&gt; element",
            ),
            (
                "How to use the <script> tag",
                "How to use the &lt;script&gt; tag",
            ),
            ("Q&A: tips", "Q&amp;A: tips"),
            ("a <b> for bold", "a &lt;b&gt; for bold"),
            // A closing tag of something no article holds: text.
            ("<T></T> generics", "&lt;T&gt;&lt;/T&gt; generics"),
            ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
            // An unknown named reference: text.
            ("AT&T; and &foo;", "AT&amp;T; and &amp;foo;"),
        ] {
            assert_eq!(as_html(plain.to_string()), html, "{plain}");
        }
    }

    #[test]
    fn text_keeps_its_paragraphs_and_lines() {
        assert_eq!(
            text_as_html("Intro & more\n\nChapters:\n00:00 <Start>\n".to_string()),
            "<p>Intro &amp; more</p><p>Chapters:<br>00:00 &lt;Start&gt;</p>"
        );
        assert_eq!(text_as_html("one line".to_string()), "one line");
    }

    #[test]
    fn a_field_of_unknown_type_is_html_or_text_with_its_lines() {
        let html = "<p>About <a href=\"x\">the book</a>.</p>";
        assert_eq!(guessed(html.to_string()), html);
        assert_eq!(
            guessed("Q&A <3\nline two".to_string()),
            "<p>Q&amp;A &lt;3<br>line two</p>"
        );
    }

    #[test]
    fn html_stays_html() {
        for html in [
            "Hello <b>World</b>",
            "Don&#8217;t panic",
            "caf&eacute; &amp; more",
            "<em>x</em> &lt; y",
            "plain words",
        ] {
            assert_eq!(as_html(html.to_string()), html);
        }
    }
}
