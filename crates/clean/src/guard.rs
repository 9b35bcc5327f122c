//! The guard in front of html5ever: caps on input size, nesting depth, open formatting
//! elements and attributes per tag, applied by a cheap linear pre-scan before the tree builder
//! sees the input. What a cap changed is reported as a warning, never silently.
//!
//! Why (issue 5.7): html5ever has no limits of its own. Its tree builder scans the stack of open
//! elements for many start tags, so 100 000 nested `<div>`s cost O(n²); every unclosed
//! formatting element (`<b>`, `<font>`, …) stays on the "active formatting elements" list and is
//! cloned into each following paragraph, so a few kilobytes of `<p><b id=N></p>` grow a tree
//! many times the input. The pre-scan models just enough of the HTML tokenizer and tree builder
//! (tags, attributes, comments, raw-text elements, the common implied end tags) to count what
//! html5ever will hold open, and drops start tags beyond the caps. Dropping a tag keeps its
//! text: the document gets flatter, never shorter.
//!
//! html5ever's tokenizer also checks every attribute of a tag against all earlier ones for a
//! duplicate, so one tag with 200 000 attributes costs O(n²) (over ten seconds for 1 MiB);
//! attributes past [`Limits::max_attributes`] are dropped here. And `<html>` or `<body>` tags
//! in a body add their attributes to one element, kept sorted by insertion, so theirs all go
//! (nothing reads them). Long `data:` URIs in attribute values (an inline base64 image) are
//! shortened to `data:` before the size is counted: the sanitizer drops them anyway, and a
//! 1 MB image must not push the article's text past the size cap.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::names::{listed, position};
use serde::{Deserialize, Serialize};

/// Caps on what the cleaner hands to the HTML parser. Input past a cap degrades (is cut or
/// flattened); it never fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Longest HTML input, in bytes, not counting inline `data:` URIs; longer input is cut at
    /// a tag or word boundary, with a warning. Default 1 MiB: long articles are ~100 KiB of
    /// HTML.
    pub max_input_bytes: usize,
    /// Deepest element nesting; deeper start tags are dropped, their text kept. Default 256.
    pub max_depth: usize,
    /// Most formatting elements (`a`, `b`, `font`, `i`, …) open at once; more start tags of that
    /// kind are dropped. Default 8: hand-written HTML nests two or three, Word exports a few
    /// more. Each one left open is cloned into every later paragraph, so this bounds the tree.
    pub max_open_formatting: usize,
    /// Most attributes kept on one tag; the rest of that tag's attributes are dropped. Default
    /// 256: real markup has a dozen at most, and html5ever's duplicate check costs the square.
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 1024 * 1024,
            max_depth: 256,
            max_open_formatting: 8,
            max_attributes: 256,
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

/// An attribute value starting with `data:` and longer than this is shortened to `data:`.
/// Short ones (lazy-loading placeholders of a few dozen bytes) are left as they are.
const LONG_DATA_URI: usize = 1024;

/// How far back from the size cap a cut looks for a tag or word boundary; a "word" longer than
/// this (a base64 blob in the text) is cut at a character boundary.
const MAX_WORD: usize = 1024;

/// Cut `html` to the size cap and flatten it past the nesting caps. Borrowed when nothing
/// had to change (the common case).
#[cfg(test)]
pub(crate) fn guard<'a>(html: &'a str, limits: &Limits) -> Cow<'a, str> {
    guard_reporting(html, limits, &mut Vec::new())
}

/// [`guard`], with one line per cap that changed something pushed to `warnings`.
pub(crate) fn guard_reporting<'a>(
    html: &'a str,
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Cow<'a, str> {
    let mut scan = Scan::new(html, *limits);
    scan.run();
    let over_size = scan.over_size;
    let Dropped {
        deep,
        formatting,
        attributes,
    } = scan.dropped;
    let max = limits.max_input_bytes;
    let out = match scan.out {
        None => Cow::Borrowed(cut(html, max)),
        Some(mut out) => {
            let keep = cut(&out, max).len();
            out.truncate(keep);
            Cow::Owned(out)
        }
    };
    if over_size {
        warnings.push(format!(
            "HTML of {} bytes is over the {max}-byte cap (max_input_bytes): cut at a tag or \
             word boundary after {} bytes, the rest left out",
            html.len(),
            out.len()
        ));
    }
    if attributes > 0 {
        warnings.push(format!(
            "{attributes} {} had more than {} attributes: the rest of their attributes were \
             dropped (max_attributes)",
            plural(attributes, "tag"),
            limits.max_attributes
        ));
    }
    if deep > 0 {
        warnings.push(format!(
            "{deep} {} nested deeper than {} levels dropped, their text kept (max_depth)",
            plural(deep, "start tag"),
            limits.max_depth
        ));
    }
    if formatting > 0 {
        warnings.push(format!(
            "{formatting} formatting {} past {} open at once dropped, their text kept \
             (max_open_formatting)",
            plural(formatting, "tag"),
            limits.max_open_formatting
        ));
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
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

/// `s` cut to at most `max` bytes before a tag or between words: before the last `<` or
/// whitespace, or after the last `>`, within [`MAX_WORD`] bytes of the cap; else at a char
/// boundary.
pub(crate) fn cut(s: &str, max: usize) -> &str {
    let prefix = truncate(s, max);
    let end = prefix.len();
    if end == s.len() {
        return s;
    }
    let b = s.as_bytes();
    // The cap falls just before a boundary: the word before it is whole.
    if b[end].is_ascii_whitespace() || b[end] == b'<' {
        return prefix;
    }
    let from = end.saturating_sub(MAX_WORD);
    let at = match (from..end)
        .rev()
        .find(|&k| b[k].is_ascii_whitespace() || b[k] == b'>' || opens_tag(b, k))
    {
        Some(k) if b[k] == b'>' => return &s[..k + 1],
        Some(k) => k,
        None => return prefix,
    };
    // A space between attributes is inside a tag: cut before the tag instead.
    match (from..at).rev().find(|&k| b[k] == b'>' || opens_tag(b, k)) {
        Some(k) if b[k] == b'<' => &s[..k],
        _ => &s[..at],
    }
}

/// Whether the `<` at `k` starts markup for the tokenizer (`a < b` is text).
fn opens_tag(b: &[u8], k: usize) -> bool {
    b[k] == b'<'
        && b.get(k + 1)
            .is_some_and(|&c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
}

/// Counts of start tags the caps dropped, and of tags that lost attributes.
#[derive(Default)]
struct Dropped {
    deep: usize,
    formatting: usize,
    attributes: usize,
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
    /// Bytes left out of the output so far, less those put in instead.
    shrink: usize,
    /// What the caps dropped.
    dropped: Dropped,
    /// Whether the output (before the cut) is longer than the size cap.
    over_size: bool,
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
            shrink: 0,
            dropped: Dropped::default(),
            over_size: false,
        }
    }

    /// Scan up to the size cap; leaves in `out` (if anything changed) the output up to
    /// `copied`.
    fn run(&mut self) {
        let max = self.limits.max_input_bytes;
        let mut i = 0;
        while let Some(off) = find_byte(&self.bytes[i..], b'<') {
            let lt = i + off;
            // Past the cap nothing is kept: what follows cannot change the output.
            if lt - self.shrink > max {
                break;
            }
            i = self.markup(lt);
        }
        self.over_size = self.src.len() - self.shrink > max;
        // The cut needs the output up to one byte past the cap, no more: the rest of a long
        // input is never copied.
        if let Some(out) = &mut self.out {
            let rest = &self.src[self.copied..];
            let mut need = (max + 1).saturating_sub(out.len()).min(rest.len());
            while !rest.is_char_boundary(need) {
                need += 1;
            }
            out.push_str(&rest[..need]);
            self.copied += need;
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
                // An end tag's attributes mean nothing, but html5ever checks them for
                // duplicates all the same.
                let tag = skip_attributes(b, after, 0);
                self.end_tag(&name);
                self.edit_attributes(&tag);
                tag.end
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, after) = tag_name(b, lt + 1);
                // Attributes of `html`, `head` and `body` in a body are never read (see the
                // module doc for why they all go).
                let unread = matches!(name.as_str(), "html" | "head" | "body");
                let max = if unread {
                    0
                } else {
                    self.limits.max_attributes
                };
                let tag = skip_attributes(b, after, max);
                let (next, kept) = self.start_tag(lt, tag.end, &name, tag.self_closing);
                if kept {
                    self.edit_attributes(&tag);
                    if tag.extra.is_some() && !unread {
                        self.dropped.attributes += 1;
                    }
                }
                next
            }
            // Anything else is text to the tokenizer.
            _ => lt + 1,
        }
    }

    /// Shorten the tag's long `data:` values and drop its attributes past the cap.
    fn edit_attributes(&mut self, tag: &TagEnd) {
        for &(from, to) in &tag.long_data {
            self.replace_range(from, to, "data:");
        }
        if let Some((from, to)) = tag.extra {
            self.replace_range(from, to, "");
        }
    }

    /// A start tag spanning `lt..end`; returns where scanning goes on, and whether the tag
    /// was kept.
    fn start_tag(
        &mut self,
        lt: usize,
        end: usize,
        name: &str,
        self_closing: bool,
    ) -> (usize, bool) {
        if matches!(name, "html" | "head" | "body") || listed(VOID, name) {
            return (end, true);
        }
        // Foreign content (svg, math) honours `/>`; HTML elements ignore it.
        let foreign = self.foreign > 0;
        if self_closing && foreign {
            return (end, true);
        }
        if name == "plaintext" {
            // Everything after <plaintext> is text: nothing more to scan.
            return (self.bytes.len(), true);
        }
        let formatting = position(FORMATTING, name);
        let too_deep = self.stack.len() >= self.limits.max_depth;
        let too_much_formatting =
            formatting.is_some() && self.open_formatting >= self.limits.max_open_formatting;
        if too_deep || too_much_formatting {
            if too_deep {
                self.dropped.deep += 1;
            } else {
                self.dropped.formatting += 1;
            }
            // A dropped tag implies no end tags either: html5ever never sees it.
            self.replace_range(lt, end, "");
            return (end, false);
        }
        self.implied_end_tags(name);
        if let Some(k) = formatting {
            self.open_formatting += 1;
            self.formatting_by_name[k] += 1;
        }
        // Raw text runs to the matching end tag; the element opens and closes here. Not in
        // foreign content, where `<svg><title>` holds markup: skipping it would hide tags.
        if listed(RAW_TEXT, name) && !foreign {
            return (raw_text_end(self.bytes, end, name), true);
        }
        if is_foreign_root(name) {
            self.foreign += 1;
        }
        *self.open_by_name.entry(name.to_owned()).or_default() += 1;
        self.stack.push(Open::new(name));
        (end, true)
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

    /// Put `with` in the output instead of `from..to` (which `with` is never longer than).
    fn replace_range(&mut self, from: usize, to: usize, with: &str) {
        let capacity = self.src.len().min(self.limits.max_input_bytes + 1);
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(capacity));
        out.push_str(&self.src[self.copied..from]);
        out.push_str(with);
        self.copied = to;
        self.shrink += (to - from).saturating_sub(with.len());
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

/// Where a tag ends, as [`skip_attributes`] found it.
struct TagEnd {
    /// The index after its `>` (or the end of the input).
    end: usize,
    /// Whether it ended in `/>`.
    self_closing: bool,
    /// The attributes past the cap: from the first one's name to the end of the last one.
    extra: Option<(usize, usize)>,
    /// Values of kept attributes that are long `data:` URIs.
    long_data: Vec<(usize, usize)>,
}

/// Skip a tag's attributes from `i`, noting those past the first `max` and the long `data:`
/// values among the first `max`. Quotes count only as attribute-value delimiters, as in the
/// tokenizer, so a stray quote elsewhere cannot hide tags from this scan.
fn skip_attributes(b: &[u8], mut i: usize, max: usize) -> TagEnd {
    let mut self_closing = false;
    let mut count = 0;
    let mut extra_from = None;
    let mut last_end = i;
    let mut long_data = Vec::new();
    let done = |end, self_closing, extra_from: Option<usize>, last_end, long_data| TagEnd {
        end,
        self_closing,
        extra: extra_from.map(|from| (from, last_end)),
        long_data,
    };
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return done(b.len(), false, extra_from, b.len(), long_data),
            Some(b'>') => return done(i + 1, self_closing, extra_from, last_end, long_data),
            Some(b'/') => {
                self_closing = true;
                i += 1;
                continue;
            }
            Some(_) => self_closing = false,
        }
        count += 1;
        if count == max + 1 {
            extra_from = Some(i);
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
        last_end = i;
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
        let value = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => match find_byte(&b[i + 1..], q) {
                Some(off) => {
                    let value = (i + 1, i + 1 + off);
                    i = value.1 + 1;
                    value
                }
                None => return done(b.len(), false, extra_from, b.len(), long_data),
            },
            _ => {
                let start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                (start, i)
            }
        };
        last_end = i;
        if count <= max && is_long_data_uri(&b[value.0..value.1]) {
            long_data.push(value);
        }
    }
}

/// Whether an attribute value is a `data:` URI longer than [`LONG_DATA_URI`].
pub(crate) fn is_long_data_uri(value: &[u8]) -> bool {
    let start = value
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(value.len());
    let value = &value[start..];
    value.len() > LONG_DATA_URI && value[..5].eq_ignore_ascii_case(b"data:")
}

/// The index after the comment whose text starts at `i` (just after `<!--`). Like the
/// tokenizer: `<!-->` and `<!--->` close at once, `-->` and `--!>` close, and an unclosed
/// comment runs to the end.
pub(crate) fn comment_end(b: &[u8], i: usize) -> usize {
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
pub(crate) fn skip_to_gt(b: &[u8], i: usize) -> usize {
    match find_byte(&b[i.min(b.len())..], b'>') {
        Some(off) => i + off + 1,
        None => b.len(),
    }
}

/// Where the raw text of element `name`, starting at `i`, ends: after `</name`, matched
/// without regard to case.
pub(crate) fn raw_text_end(b: &[u8], mut i: usize, name: &str) -> usize {
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
    memchr::memchr(needle, hay)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(depth: usize, formatting: usize) -> Limits {
        Limits {
            max_input_bytes: 1 << 20,
            max_depth: depth,
            max_open_formatting: formatting,
            ..Limits::default()
        }
    }

    fn reported(html: &str, limits: &Limits) -> (String, Vec<String>) {
        let mut warnings = Vec::new();
        let out = guard_reporting(html, limits, &mut warnings).into_owned();
        (out, warnings)
    }

    #[test]
    fn attributes_past_the_cap_are_dropped_with_a_warning() {
        let limits = Limits {
            max_attributes: 3,
            ..Limits::default()
        };
        let (out, warnings) = reported(
            "<p a b=1 c='2' d e=\"f\">x</p><p a b c>y</p><br a b c d/>",
            &limits,
        );
        assert_eq!(out, "<p a b=1 c='2' >x</p><p a b c>y</p><br a b c />");
        assert_eq!(
            warnings,
            [
                "2 tags had more than 3 attributes: the rest of their attributes were dropped \
              (max_attributes)"
            ]
        );
    }

    #[test]
    fn end_tag_and_body_attributes_go_without_a_warning() {
        let (out, warnings) = reported(
            "<html lang=en><body class=x><p>a</p a=1 b=\">\"><div>b</div>",
            &Limits::default(),
        );
        assert_eq!(out, "<html ><body ><p>a</p ><div>b</div>");
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn two_hundred_thousand_attributes_keep_the_cap() {
        let attrs: String = (0..200_000).map(|n| format!(" a{n}")).collect();
        let html = format!("<p{attrs}>x</p>");
        let (out, warnings) = reported(&html, &Limits::default());
        let kept = Limits::default().max_attributes;
        let want: String = (0..kept).map(|n| format!(" a{n}")).collect();
        assert_eq!(out, format!("<p{want} >x</p>"));
        assert_eq!(warnings.len(), 1);
        // The same in an unclosed tag, which html5ever would tokenize all the same.
        let (out, _) = reported(&html[..html.len() - 6], &Limits::default());
        assert_eq!(out, format!("<p{want} "));
    }

    #[test]
    fn long_data_uris_are_shortened_before_the_size_is_counted() {
        let limits = Limits {
            max_input_bytes: 100,
            ..Limits::default()
        };
        let image = format!("data:image/png;base64,{}", "A".repeat(5000));
        let small = "data:image/gif;base64,R0lGOD";
        let html = format!(
            "<p>One.</p><img src=\"{image}\" alt=a><img src={image}><img src='{small}'><p>Two.</p>"
        );
        let (out, warnings) = reported(&html, &limits);
        assert_eq!(
            out,
            format!(
                "<p>One.</p><img src=\"data:\" alt=a><img src=data:><img src='{small}'><p>Two.</p>"
            )
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_cut_is_reported_and_falls_between_words_or_tags() {
        let limits = Limits {
            max_input_bytes: 20,
            ..Limits::default()
        };
        let (out, warnings) = reported("<p>alpha beta gamma delta</p>", &limits);
        assert_eq!(out, "<p>alpha beta gamma");
        assert_eq!(
            warnings,
            [
                "HTML of 29 bytes is over the 20-byte cap (max_input_bytes): cut at a tag or word \
              boundary after 19 bytes, the rest left out"
            ]
        );
        // Inside a tag: the cut goes before it.
        let (out, _) = reported("<p>alpha</p><p class=\"long-name\">b</p>", &limits);
        assert_eq!(out, "<p>alpha</p>");
        // Also when the guard changed something before the cut.
        let limits = Limits {
            max_depth: 1,
            ..limits
        };
        let (out, warnings) = reported("<div><div>alpha beta gamma delta", &limits);
        assert_eq!(out, "<div>alpha beta");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        // Nothing over the cap, nothing reported.
        let (out, warnings) = reported("<p>alpha</p>", &limits);
        assert_eq!(out, "<p>alpha</p>");
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_word_longer_than_the_search_window_is_cut_at_a_char_boundary() {
        let text = "é".repeat(MAX_WORD);
        assert_eq!(cut(&text, MAX_WORD + 1), "é".repeat(MAX_WORD / 2));
        assert_eq!(cut("ab cd", 4), "ab");
        assert_eq!(cut("ab cd", 2), "ab");
        assert_eq!(cut("ab cd", 5), "ab cd");
        assert_eq!(cut("<b>abcd", 5), "<b>");
        assert_eq!(cut("a <b c=d e=f>", 10), "a ");
        assert_eq!(cut("a < b c", 6), "a < b");
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
