//! The guard in front of html5ever: caps on input size, nesting depth and open formatting
//! elements, applied by a cheap linear pre-scan before the tree builder sees the input.
//!
//! Why (issue 5.7): html5ever has no limits of its own. Its tree builder scans the stack of open
//! elements for many start tags, so 100 000 nested `<div>`s cost O(n²); every unclosed
//! formatting element (`<b>`, `<font>`, …) stays on the "active formatting elements" list and is
//! cloned into each following paragraph, so a few kilobytes of `<p><b id=N></p>` grow a tree
//! many times the input. The pre-scan models just enough of the HTML tokenizer and tree builder
//! (tags, attributes, comments, raw-text elements, the common implied end tags) to count what
//! html5ever will hold open, and drops start tags beyond the caps. Dropping a tag keeps its
//! text: the document gets flatter, never shorter.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::names::{listed, position};
use serde::{Deserialize, Serialize};

/// Caps on what the cleaner hands to the HTML parser. Input past a cap degrades (is cut or
/// flattened); it never fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Longest HTML input, in bytes; longer input is cut at a character boundary.
    /// Default 1 MiB: long articles are ~100 KiB of HTML.
    pub max_input_bytes: usize,
    /// Deepest element nesting; deeper start tags are dropped, their text kept. Default 256.
    pub max_depth: usize,
    /// Most formatting elements (`a`, `b`, `font`, `i`, …) open at once; more start tags of that
    /// kind are dropped. Default 8: hand-written HTML nests two or three, Word exports a few
    /// more. Each one left open is cloned into every later paragraph, so this bounds the tree.
    pub max_open_formatting: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 1024 * 1024,
            max_depth: 256,
            max_open_formatting: 8,
        }
    }
}

/// The HTML spec's "formatting" elements: those html5ever keeps on its list of active
/// formatting elements and reconstructs after an implied close.
pub(crate) const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Void elements never have content, so their start tags never open anything.
pub(crate) const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// Elements whose content is raw text up to their end tag: no tags inside.
pub(crate) const RAW_TEXT: &[&str] = &[
    "iframe", "noembed", "noframes", "noscript", "script", "style", "textarea", "title", "xmp",
];

/// Start tags that close an open `p` (HTML spec, "in body" insertion mode).
pub(crate) const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
];

/// Elements that bound the search for an element "in scope" (HTML spec, "has an element in
/// scope"), plus the table parts that bound cell and row closing.
pub(crate) const SCOPE: &[&str] = &[
    "applet", "button", "caption", "html", "marquee", "math", "object", "svg", "table", "td",
    "template", "th",
];

/// The spec's "special" elements that matter here: a formatting end tag does not pop through
/// them (the adoption agency keeps them open).
pub(crate) const SPECIAL: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Longest tag name kept for comparison; longer names are compared by this prefix.
const MAX_NAME: usize = 32;

/// Cut `html` to the size cap and flatten it past the nesting caps. Borrowed when nothing
/// had to change (the common case).
pub(crate) fn guard<'a>(html: &'a str, limits: &Limits) -> Cow<'a, str> {
    let html = truncate(html, limits.max_input_bytes);
    Scan::new(html, *limits).run()
}

/// The longest prefix of `s` no longer than `max` bytes that ends on a char boundary.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// One pass over the input: a model of html5ever's stack of open elements, and the
/// start tags to drop.
struct Scan<'a> {
    src: &'a str,
    bytes: &'a [u8],
    limits: Limits,
    /// Open elements, innermost last.
    stack: Vec<Open>,
    /// How many elements of each name are open: most end tags and implied closes find
    /// nothing to close, and this answers that without scanning the stack.
    open_by_name: HashMap<String, usize>,
    /// Formatting elements opened and not yet closed by a matching end tag, wherever they are:
    /// html5ever reconstructs them even after an implied close popped them off the stack.
    open_formatting: usize,
    /// Per formatting element name, how many are open (index into `FORMATTING`).
    formatting_by_name: [usize; FORMATTING.len()],
    /// How many `svg`/`math` elements are open: inside them the tokenizer rules differ.
    foreign: usize,
    /// Output, built only once a tag is dropped.
    out: Option<String>,
    /// Bytes of `src` before this index are already in `out`.
    copied: usize,
}

impl<'a> Scan<'a> {
    fn new(src: &'a str, limits: Limits) -> Self {
        Scan {
            src,
            bytes: src.as_bytes(),
            limits,
            stack: Vec::new(),
            open_by_name: HashMap::new(),
            open_formatting: 0,
            formatting_by_name: [0; FORMATTING.len()],
            foreign: 0,
            out: None,
            copied: 0,
        }
    }

    fn run(mut self) -> Cow<'a, str> {
        let mut i = 0;
        while let Some(off) = find_byte(&self.bytes[i..], b'<') {
            let lt = i + off;
            i = self.markup(lt);
        }
        match self.out {
            None => Cow::Borrowed(self.src),
            Some(mut out) => {
                out.push_str(&self.src[self.copied..]);
                Cow::Owned(out)
            }
        }
    }

    /// Handle the markup starting at `lt` (a `<`); returns where scanning goes on.
    fn markup(&mut self, lt: usize) -> usize {
        let b = self.bytes;
        let next = b.get(lt + 1).copied();
        match next {
            Some(b'!') => {
                if b[lt..].starts_with(b"<!--") {
                    comment_end(b, lt + 4)
                } else {
                    skip_to_gt(b, lt + 2)
                }
            }
            Some(b'?') => skip_to_gt(b, lt + 2),
            Some(b'/') if b.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) => {
                let (name, after) = tag_name(b, lt + 2);
                let end = skip_to_gt(b, after);
                self.end_tag(&name);
                end
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, after) = tag_name(b, lt + 1);
                let (end, self_closing) = skip_attributes(b, after);
                self.start_tag(lt, end, &name, self_closing)
            }
            // Anything else is text to the tokenizer.
            _ => lt + 1,
        }
    }

    /// A start tag spanning `lt..end`; returns where scanning goes on.
    fn start_tag(&mut self, lt: usize, end: usize, name: &str, self_closing: bool) -> usize {
        if matches!(name, "html" | "head" | "body") || listed(VOID, name) {
            return end;
        }
        // Foreign content (svg, math) honours `/>`; HTML elements ignore it.
        let foreign = self.foreign > 0;
        if self_closing && foreign {
            return end;
        }
        if name == "plaintext" {
            // Everything after <plaintext> is text: nothing more to scan.
            return self.bytes.len();
        }
        let formatting = position(FORMATTING, name);
        let too_deep = self.stack.len() >= self.limits.max_depth;
        let too_much_formatting =
            formatting.is_some() && self.open_formatting >= self.limits.max_open_formatting;
        if too_deep || too_much_formatting {
            // A dropped tag implies no end tags either: html5ever never sees it.
            self.drop_range(lt, end);
            return end;
        }
        self.implied_end_tags(name);
        if let Some(k) = formatting {
            self.open_formatting += 1;
            self.formatting_by_name[k] += 1;
        }
        // Raw text runs to the matching end tag; the element opens and closes here. Not in
        // foreign content, where `<svg><title>` holds markup: skipping it would hide tags.
        if listed(RAW_TEXT, name) && !foreign {
            return raw_text_end(self.bytes, end, name);
        }
        if is_foreign_root(name) {
            self.foreign += 1;
        }
        *self.open_by_name.entry(name.to_owned()).or_default() += 1;
        self.stack.push(Open::new(name));
        end
    }

    /// Model the end tags the tree builder implies before this start tag.
    fn implied_end_tags(&mut self, name: &str) {
        if listed(CLOSES_P, name) {
            self.close_in_scope("p", &[]);
        }
        match name {
            "li" => self.close_in_scope("li", &["ol", "ul"]),
            "dd" | "dt" => {
                self.close_in_scope("dd", &["dl"]);
                self.close_in_scope("dt", &["dl"]);
            }
            "td" | "th" => {
                self.close_in_scope("td", &["tr"]);
                self.close_in_scope("th", &["tr"]);
            }
            "tr" => self.close_in_scope("tr", &["table", "tbody", "thead", "tfoot"]),
            "option" => self.close_in_scope("option", &["select"]),
            _ => {}
        }
    }

    /// Pop up to and including the innermost open `name`, if it is found before a scope
    /// boundary or one of `also_bounded_by`.
    fn close_in_scope(&mut self, name: &str, also_bounded_by: &[&str]) {
        if !self.is_open(name) {
            return;
        }
        for k in (0..self.stack.len()).rev() {
            let open = &self.stack[k];
            if open.name == name {
                self.pop_to(k);
                return;
            }
            if open.scope || also_bounded_by.contains(&open.name.as_str()) {
                return;
            }
        }
    }

    fn is_open(&self, name: &str) -> bool {
        self.open_by_name.get(name).is_some_and(|&n| n > 0)
    }

    fn end_tag(&mut self, name: &str) {
        if let Some(k) = position(FORMATTING, name)
            && self.formatting_by_name[k] > 0
        {
            self.formatting_by_name[k] -= 1;
            self.open_formatting -= 1;
        }
        if !self.is_open(name) {
            return;
        }
        // A formatting end tag pops only when no special element sits above it: otherwise the
        // adoption agency keeps that block open and the depth does not shrink. Any other end
        // tag pops to its element unless a scope boundary is in the way.
        let formatting = listed(FORMATTING, name);
        for j in (0..self.stack.len()).rev() {
            let open = &self.stack[j];
            if open.name == name {
                self.pop_to(j);
                return;
            }
            if open.scope || (formatting && open.special) {
                return;
            }
        }
    }

    /// Pop the open elements from index `k` on.
    fn pop_to(&mut self, k: usize) {
        for open in self.stack.drain(k..) {
            if is_foreign_root(&open.name) {
                self.foreign -= 1;
            }
            if let Some(n) = self.open_by_name.get_mut(&open.name) {
                *n -= 1;
            }
        }
    }

    /// Leave `lt..end` out of the output.
    fn drop_range(&mut self, lt: usize, end: usize) {
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(self.src.len()));
        out.push_str(&self.src[self.copied..lt]);
        self.copied = end;
    }
}

/// An element on the modelled stack, with its kind worked out once.
struct Open {
    name: String,
    /// Bounds searches for an element "in scope".
    scope: bool,
    /// A "special" element: formatting end tags do not pop through it.
    special: bool,
}

impl Open {
    fn new(name: &str) -> Self {
        Open {
            name: name.to_owned(),
            scope: listed(SCOPE, name),
            special: listed(SPECIAL, name),
        }
    }
}

fn is_foreign_root(name: &str) -> bool {
    name == "svg" || name == "math"
}

/// The lowercase tag name starting at `start`, and the index after it. Tag names end at
/// whitespace, `/` or `>` (HTML tokenizer, "tag name state").
fn tag_name(b: &[u8], start: usize) -> (String, usize) {
    let mut end = start;
    while end < b.len() && !matches!(b[end], b'\t' | b'\n' | b'\x0c' | b' ' | b'\r' | b'/' | b'>') {
        end += 1;
    }
    let kept = &b[start..end.min(start + MAX_NAME)];
    (String::from_utf8_lossy(kept).to_ascii_lowercase(), end)
}

/// Skip a start tag's attributes from `i`; returns the index after its `>` and whether the
/// tag ended in `/>`. Quotes count only as attribute-value delimiters, as in the tokenizer,
/// so a stray quote elsewhere cannot hide tags from this scan.
fn skip_attributes(b: &[u8], mut i: usize) -> (usize, bool) {
    let mut self_closing = false;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return (b.len(), false),
            Some(b'>') => return (i + 1, self_closing),
            Some(b'/') => {
                self_closing = true;
                i += 1;
                continue;
            }
            Some(_) => self_closing = false,
        }
        // Attribute name: the first character may be `=`.
        i += 1;
        while i < b.len()
            && !matches!(
                b[i],
                b'\t' | b'\n' | b'\x0c' | b' ' | b'\r' | b'/' | b'>' | b'='
            )
        {
            i += 1;
        }
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                i = match find_byte(&b[i + 1..], q) {
                    Some(off) => i + 1 + off + 1,
                    None => return (b.len(), false),
                };
            }
            _ => {
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
            }
        }
    }
}

/// The index after the comment whose text starts at `i` (just after `<!--`). Like the
/// tokenizer: `<!-->` and `<!--->` close at once, `-->` and `--!>` close, and an unclosed
/// comment runs to the end.
fn comment_end(b: &[u8], i: usize) -> usize {
    let rest = &b[i.min(b.len())..];
    if rest.starts_with(b">") {
        return i + 1;
    }
    if rest.starts_with(b"->") {
        return i + 2;
    }
    let mut from = 0;
    while let Some(off) = find(&rest[from..], b"--") {
        let at = from + off + 2;
        if rest[at..].starts_with(b">") {
            return i + at + 1;
        }
        if rest[at..].starts_with(b"!>") {
            return i + at + 2;
        }
        from = from + off + 1;
    }
    b.len()
}

/// The index after the next `>` at or after `i`.
fn skip_to_gt(b: &[u8], i: usize) -> usize {
    match find_byte(&b[i.min(b.len())..], b'>') {
        Some(off) => i + off + 1,
        None => b.len(),
    }
}

/// Where the raw text of element `name`, starting at `i`, ends: after `</name`, matched
/// without regard to case.
fn raw_text_end(b: &[u8], mut i: usize, name: &str) -> usize {
    while let Some(off) = find(&b[i..], b"</") {
        let at = i + off + 2;
        let candidate = &b[at..(at + name.len()).min(b.len())];
        if candidate.eq_ignore_ascii_case(name.as_bytes()) {
            return skip_to_gt(b, at + name.len());
        }
        i = at;
    }
    b.len()
}

fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(depth: usize, formatting: usize) -> Limits {
        Limits {
            max_input_bytes: 1 << 20,
            max_depth: depth,
            max_open_formatting: formatting,
        }
    }

    #[test]
    fn well_formed_input_is_borrowed() {
        let html = "<p>One <b>two</b> <a href='x>y'>three</a></p><ul><li>a<li>b</ul>";
        assert!(matches!(guard(html, &Limits::default()), Cow::Borrowed(_)));
    }

    #[test]
    fn truncates_at_a_char_boundary() {
        assert_eq!(truncate("aé", 2), "a");
        assert_eq!(truncate("aé", 3), "aé");
        assert_eq!(truncate("", 0), "");
    }

    #[test]
    fn drops_start_tags_past_the_depth_cap_and_keeps_text() {
        let html = "<div><div><div>deep</div></div></div>";
        assert_eq!(
            guard(html, &limits(2, 12)),
            "<div><div>deep</div></div></div>"
        );
    }

    #[test]
    fn closed_siblings_do_not_add_depth() {
        let html = "<div></div>".repeat(100);
        assert!(matches!(guard(&html, &limits(2, 12)), Cow::Borrowed(_)));
    }

    #[test]
    fn implied_paragraph_and_item_ends_do_not_add_depth() {
        let html = format!("{}<ul><li>a", "<p>x".repeat(50));
        assert!(matches!(guard(&html, &limits(3, 12)), Cow::Borrowed(_)));
        let items = format!("<ul>{}</ul>", "<li>a".repeat(50));
        assert!(matches!(guard(&items, &limits(3, 12)), Cow::Borrowed(_)));
    }

    #[test]
    fn caps_formatting_left_open_by_implied_closes() {
        // Each `</p>` pops the <b>, but html5ever would reconstruct every one of them.
        let html: String = (0..10).map(|n| format!("<p><b id={n}>x</p>")).collect();
        let out = guard(&html, &limits(256, 3));
        assert_eq!(out.matches("<b").count(), 3);
    }

    #[test]
    fn tags_inside_comments_and_scripts_are_not_counted() {
        let html = "<!-- <div><div><div> --><script>'<div><div><div>'</script><p>ok</p>";
        assert!(matches!(guard(html, &limits(1, 12)), Cow::Borrowed(_)));
    }

    #[test]
    fn abrupt_comment_ends_hide_nothing() {
        let html = "<!--><div><div>x<!--->y<!-- a --!><div>-->";
        assert_eq!(
            guard(html, &limits(1, 12)),
            "<!--><div>x<!--->y<!-- a --!>-->"
        );
    }

    #[test]
    fn raw_text_inside_svg_is_markup() {
        let html = "<svg><title><div><div>x</div></div></title></svg>";
        assert_eq!(
            guard(html, &limits(3, 12)),
            "<svg><title><div>x</div></div></title></svg>"
        );
    }

    #[test]
    fn a_stray_quote_outside_a_value_hides_nothing() {
        let html = "<div a\"b><div><div>x";
        assert_eq!(guard(html, &limits(1, 12)), "<div a\"b>x");
    }
}
