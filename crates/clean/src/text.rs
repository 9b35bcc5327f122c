//! Plain-text layout of a cleaned tree: one paragraph per line, list items on their own lines
//! with `- ` or `1. ` markers, whitespace collapsed (but inside `pre` and a gist's `td.blob-code`,
//! whose lines, blank lines, indentation and tabs are kept, and for `&nbsp;` in `code`, which
//! browsers never collapse), and nothing a terminal would interpret.
//!
//! Words never glue to markup that is not theirs: a footnote reference reads `[2]` and its
//! note's back-link arrow goes, so does a heading's permalink anchor (`¶`, `#`), a numeric superscript glued to a word is an exponent (`x^2`;
//! other sup and sub text reads as written, "10th", "H2O"), an emoji image is its alt text,
//! and an image or other box between two words separates them. Without any text, the alt
//! texts of the images that have real ones are the text.
//!
//! Text goes to terminals (issue 3.7), so every character passes [`visible_chars`]: C0
//! controls and ANSI escape sequences are dropped, whatever the feed put in, and C1 controls
//! become the printable windows-1252 characters they nearly always stand for.

use ego_tree::NodeRef;
use scraper::Node;

use crate::names::listed;
use crate::sanitize::is_hidden_foreign_text;
use crate::walk::{Event, Step, walk};

/// Elements whose content is never text: code, styling, embedded documents and form state.
/// Media fallbacks, `select`, MathML and the `svg` root are text (see `sanitize`'s module doc);
/// an SVG picture's labels and a formula's annotations are not
/// ([`is_hidden_foreign_text`]).
pub(crate) const SKIPPED: &[&str] = &[
    "datalist", "embed", "head", "iframe", "noembed", "noframes", "noscript", "script", "style",
    "template", "textarea", "title",
];

/// Elements that start and end a line of text.
pub(crate) const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
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
    "hr",
    "legend",
    "li",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "search",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
    "xmp",
];

/// Elements a browser draws as a box in the line: between two words they separate them
/// ("Text<img>more" is two words), whether or not their content is text.
pub(crate) const BOXES: &[&str] = &[
    "audio", "canvas", "embed", "iframe", "img", "input", "math", "object", "picture", "select",
    "svg", "textarea", "video",
];

/// Nested lists are indented two spaces per level, up to this many levels.
const MAX_INDENT: usize = 6;

/// Non-breaking spaces in code written out in a row at most: indentation is a few, and a
/// hostile run of thousands stays a short one.
const MAX_HARD_SPACES: usize = 64;

/// The text of the tree under `root`, laid out as described in the module doc.
///
/// An article with no text but images that say something is their alt texts, one a line.
pub(crate) fn layout(root: NodeRef<'_, Node>) -> String {
    let text = lay_out(root, false).finish();
    if text.is_empty() {
        alt_texts(root).finish()
    } else {
        text
    }
}

/// The line a summary or title made from the body starts from: the first line of
/// [`layout`]'s text, image captions left out (Medium posts open with a photo captioned
/// "Photo by … on Unsplash", which says nothing of the article), and the byte length of its
/// list marker (`- `, `1. `, indented when nested; 0 when the line is no list item), so a
/// title can drop the marker while a paragraph that merely starts with "1. " keeps it.
/// Empty when all the text is in captions.
pub(crate) fn lead(root: NodeRef<'_, Node>) -> (String, usize) {
    let mut out = lay_out(root, true);
    out.break_line();
    if out.out.is_empty() && !has_caption(root) {
        out = alt_texts(root);
        out.break_line();
    }
    // One text node (of a `pre`, or with `<br>`-less newlines there) can hold several lines.
    if let Some(end) = out.out.find('\n') {
        out.out.truncate(end);
    }
    (out.out, out.lead_marker)
}

fn lay_out(root: NodeRef<'_, Node>, lead: bool) -> Layout {
    let mut out = Layout::default();
    walk(root, |event| {
        match event {
            Event::Enter(node) => {
                // The lead is one line: once it is done, nothing else is read.
                if lead && !out.out.is_empty() {
                    return Step::Skip;
                }
                match node.value() {
                    Node::Text(text) => out.text(text),
                    Node::Element(element) if lead && is_caption(element) => return Step::Skip,
                    Node::Element(element) => return out.open(node, element),
                    _ => {}
                }
            }
            Event::Leave(node) => {
                if let Node::Element(element) = node.value()
                    // A skipped caption was never opened.
                    && !(lead && is_caption(element))
                {
                    out.close(element);
                }
            }
        }
        Step::Descend
    });
    out
}

/// Whether `node` is a ruby annotation: a reading (`rt`, or an `rtc` of them) of a ruby's
/// base text, or the parentheses (`rp`) around one. Not words of the article: 東京 annotated
/// とうきょう is 東京, and a phrase search for 東京に行く finds it. The sanitized HTML keeps
/// them, for display.
pub(crate) fn is_ruby_annotation(
    node: NodeRef<'_, Node>,
    element: &scraper::node::Element,
) -> bool {
    matches!(element.name(), "rp" | "rt" | "rtc")
        && node
            .ancestors()
            .any(|a| matches!(a.value(), Node::Element(e) if e.name() == "ruby"))
}

/// Whether the tree holds a caption (whose text [`lead`] leaves out, and with it the images'
/// alt texts).
fn has_caption(root: NodeRef<'_, Node>) -> bool {
    root.descendants()
        .any(|n| matches!(n.value(), Node::Element(e) if is_caption(e)))
}

/// An image's caption: `figcaption`, or WordPress's caption paragraph (`p.wp-caption-text`
/// in `div.wp-caption`, from the `[caption]` shortcode).
fn is_caption(element: &scraper::node::Element) -> bool {
    element.name() == "figcaption"
        || element.attr("class").is_some_and(|class| {
            class
                .split_ascii_whitespace()
                .any(|c| c.eq_ignore_ascii_case("wp-caption-text"))
        })
}

/// The alt text of an emoji drawn as an image (WordPress's `img.wp-smiley` for every emoji
/// of its feeds, `img.emoji` of Twemoji and forums): the emoji itself, or ":)" of an old
/// smiley.
fn emoji(element: &scraper::node::Element) -> Option<&str> {
    const MAX_EMOJI: usize = 32;
    let is_emoji = element.attr("class").is_some_and(|class| {
        class
            .split_ascii_whitespace()
            .any(|c| c.eq_ignore_ascii_case("wp-smiley") || c.eq_ignore_ascii_case("emoji"))
    });
    let alt = element.attr("alt")?.trim();
    (is_emoji && !alt.is_empty() && alt.chars().count() <= MAX_EMOJI).then_some(alt)
}

/// The alt texts of an article's images that say something, one a line: what a post made
/// only of images (a photo post, a comic) is known by when it has no text. Decorative
/// images (no alt, or an alt that is the file's name) and tracking pixels say nothing.
fn alt_texts(root: NodeRef<'_, Node>) -> Layout {
    let mut out = Layout::default();
    walk(root, |event| {
        if let Event::Enter(node) = event
            && let Node::Element(e) = node.value()
        {
            if listed(SKIPPED, e.name()) {
                return Step::Skip;
            }
            if e.name() == "img"
                && let Some(alt) = e.attr("alt").map(str::trim)
                && !alt.is_empty()
                && !is_file_name(alt, e.attr("src").unwrap_or_default())
            {
                out.text(alt);
                out.break_line();
            }
        }
        Step::Descend
    });
    out
}

/// Whether an image's alt text is only its file's name ("IMG_1234.jpg", or the `src`'s last
/// segment with or without its extension), as CMSs fill it in when the author gave none.
fn is_file_name(alt: &str, src: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif", ".heic",
    ];
    let lower = alt.to_ascii_lowercase();
    if !alt.contains(char::is_whitespace) && EXTENSIONS.iter().any(|e| lower.ends_with(e)) {
        return true;
    }
    let file = src.split(['?', '#']).next().unwrap_or_default();
    let file = file
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let stem = file
        .rsplit_once('.')
        .map_or(file.as_str(), |(stem, _)| stem);
    !file.is_empty() && (lower == file || lower == stem)
}

/// What a footnote's markup is in the text.
enum Footnote {
    /// A reference in the prose (`throughput<sup><a href="#fn:2">2</a></sup>`): `[2]`.
    Reference(String),
    /// The note's own number, a link back to its reference (Substack's
    /// `a.footnote-number`): `[2]` before the note's text.
    Number(String),
    /// A back-link arrow after the note (`↩︎`): nothing.
    BackArrow,
}

/// The footnote markup `node` is, if any. A reference is a `sup` whose whole text is one
/// link to a place in the page, or a link marked as one (`footnote-ref`, `footnote-anchor`,
/// `footnote-reference`, `role="doc-noteref"`); a back-link is marked (`footnote-backref`,
/// `reversefootnote`, `footnote-back`, `footnote-number`, `role="doc-backlink"`) or points
/// at a reference (`#fnref…`, `#footnote-anchor…`, WordPress's `#ID-link` from note `ID`). Labels are short: a link in a sup
/// that says more is text.
fn footnote(node: NodeRef<'_, Node>, element: &scraper::node::Element) -> Option<Footnote> {
    const MAX_LABEL: usize = 12;
    let label = |node| {
        let text = small_text(node)?;
        let text = text
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim();
        (!text.is_empty() && text.chars().count() <= MAX_LABEL).then(|| text.to_owned())
    };
    let marked = |e: &scraper::node::Element, marks: &[&str], role: &str| {
        e.attr("role") == Some(role)
            || e.attr("class").is_some_and(|class| {
                class
                    .split_ascii_whitespace()
                    .any(|c| marks.iter().any(|m| c.eq_ignore_ascii_case(m)))
            })
    };
    match element.name() {
        "a" if marked(element, BACK_CLASSES, "doc-backlink")
            || element.attr("href").is_some_and(|h| {
                let h = h.trim_start();
                h.starts_with("#fnref")
                    || h.starts_with("#footnote-anchor")
                    || is_wordpress_backlink(node, h)
            }) =>
        {
            let text = node_text(node);
            if !text.chars().any(char::is_alphanumeric) {
                Some(Footnote::BackArrow)
            } else {
                label(node).map(Footnote::Number)
            }
        }
        // Marked as a reference, whatever the href: feeds often make same-page links absolute.
        "a" if marked(element, REF_CLASSES, "doc-noteref") => label(node).map(Footnote::Reference),
        "sup" => {
            // A superscript link is a reference (a footnote, a citation), not an exponent: its
            // whole text must be one link's, and the sup small (nested sups, hostile or not,
            // would otherwise be walked again for each one).
            let (mut link, mut count) = (None, 0usize);
            let mut not_one = false;
            walk(node, |event| {
                let Event::Enter(n) = event else {
                    return Step::Descend;
                };
                count += 1;
                match n.value() {
                    _ if count > MAX_SMALL_NODES => not_one = true,
                    Node::Element(e) if e.name() == "a" && link.is_none() => {
                        link = Some(n);
                        return Step::Skip;
                    }
                    Node::Element(e) if e.name() == "a" => not_one = true,
                    Node::Element(e) if listed(SKIPPED, e.name()) => return Step::Skip,
                    Node::Text(t) if !t.trim().is_empty() => not_one = true,
                    _ => return Step::Descend,
                }
                if not_one { Step::Stop } else { Step::Descend }
            });
            let link = link.filter(|_| !not_one)?;
            let label = label(link)?;
            // A same-page link is a note whatever its label; one to elsewhere is a citation
            // only when it is numbered (`claim<sup><a href="paper.pdf">2</a></sup>`), not a
            // word that happens to be raised.
            let same_page = matches!(link.value(), Node::Element(e)
                if e.attr("href").is_some_and(|h| h.trim_start().starts_with('#')));
            (same_page || is_exponent(&label) || is_citation(&label))
                .then_some(Footnote::Reference(label))
        }
        _ => None,
    }
}

/// Classes of a heading's permalink anchor: Sphinx (`headerlink`, "¶"), markdown-it-anchor as
/// Eleventy uses it (`header-anchor`, "Jump to heading" for screen readers), Hugo themes and
/// GitHub (`anchor`), and others' `heading-anchor`, `anchor-link`, `hash-link`.
const HEADING_ANCHOR_CLASSES: &[&str] = &[
    "headerlink",
    "header-anchor",
    "anchor",
    "heading-anchor",
    "anchor-link",
    "hash-link",
];

/// Whether the link is a heading's permalink anchor (`<h2 id="x">Usage <a href="#x">#</a></h2>`):
/// a same-page link in a heading, marked as an anchor or with no letters or digits (`¶`, `#`,
/// `§`, an icon), beside words of the heading's own. A heading whose words are the link stays.
fn is_heading_anchor(node: NodeRef<'_, Node>, element: &scraper::node::Element) -> bool {
    const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];
    if !element
        .attr("href")
        .is_some_and(|h| h.trim_start().starts_with('#'))
    {
        return false;
    }
    let Some(heading) = node
        .ancestors()
        .take(3)
        .find(|a| matches!(a.value(), Node::Element(e) if listed(HEADINGS, e.name())))
    else {
        return false;
    };
    let marked = element.attr("class").is_some_and(|class| {
        class.split_ascii_whitespace().any(|c| {
            HEADING_ANCHOR_CLASSES
                .iter()
                .any(|m| c.eq_ignore_ascii_case(m))
        })
    });
    if !marked && small_text(node).is_none_or(|t| t.chars().any(char::is_alphanumeric)) {
        return false;
    }
    // The heading's words outside the link, within a heading's few nodes.
    let mut words = false;
    let mut count = 0usize;
    walk(heading, |event| {
        let Event::Enter(n) = event else {
            return Step::Descend;
        };
        count += 1;
        if count > MAX_SMALL_NODES {
            return Step::Stop;
        }
        if n.id() == node.id() {
            return Step::Skip;
        }
        match n.value() {
            Node::Element(e) if listed(SKIPPED, e.name()) => Step::Skip,
            Node::Text(t) if t.chars().any(char::is_alphanumeric) => {
                words = true;
                Step::Stop
            }
            _ => Step::Descend,
        }
    });
    words
}

/// WordPress's footnotes block (WP 6.3+) links a note (`<li id="ID">`) back to its reference
/// (`<a id="ID-link">`) by `href="#ID-link"`, with no class: the note's own id names the link.
fn is_wordpress_backlink(node: NodeRef<'_, Node>, href: &str) -> bool {
    let Some(target) = href.strip_prefix('#').and_then(|h| h.strip_suffix("-link")) else {
        return false;
    };
    node.ancestors()
        .find(|a| matches!(a.value(), Node::Element(e) if e.name() == "li"))
        .is_some_and(|li| matches!(li.value(), Node::Element(e) if e.id() == Some(target)))
}

/// Nodes [`small_text`] reads before it gives up: a footnote reference or an exponent is a
/// handful.
const MAX_SMALL_NODES: usize = 32;

/// The text of a small subtree as the layout reads it (skipped elements, a script, left out),
/// or `None` past [`MAX_SMALL_NODES`] nodes.
fn small_text(node: NodeRef<'_, Node>) -> Option<String> {
    let (mut text, mut count, mut over) = (String::new(), 0usize, false);
    walk(node, |event| {
        let Event::Enter(n) = event else {
            return Step::Descend;
        };
        count += 1;
        if count > MAX_SMALL_NODES {
            over = true;
            return Step::Stop;
        }
        match n.value() {
            Node::Text(t) => text.push_str(t),
            Node::Element(e) if listed(SKIPPED, e.name()) => return Step::Skip,
            _ => {}
        }
        Step::Descend
    });
    (!over).then_some(text)
}

/// A superscript citation list glued to a word: numbers joined by commas or dashes
/// (`citations<sup>1,2</sup>`, `range<sup>3-5</sup>`).
fn is_citation(text: &str) -> bool {
    let text = text.trim();
    text.contains([',', '-', '\u{2013}'])
        && text.starts_with(|c: char| c.is_ascii_digit())
        && text.ends_with(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '-' | '\u{2013}' | ' '))
}

/// Classes of footnote references: Substack, kramdown/Pandoc/Hugo, docutils.
const REF_CLASSES: &[&str] = &["footnote-anchor", "footnote-ref", "footnote-reference"];

/// Classes of links from a note back to its reference: Python-Markdown, kramdown, Pandoc,
/// Substack (its note's number).
const BACK_CLASSES: &[&str] = &[
    "footnote-backref",
    "reversefootnote",
    "footnote-back",
    "footnote-number",
];

/// The text of the subtree, as it is.
fn node_text(node: NodeRef<'_, Node>) -> String {
    node.descendants()
        .filter_map(|n| match n.value() {
            Node::Text(t) => Some(&**t),
            _ => None,
        })
        .collect()
}

/// A superscript that is a number: digits, a sign before them, nothing else.
fn is_exponent(text: &str) -> bool {
    let text = text.trim();
    let digits = text.strip_prefix(['-', '+', '\u{2212}']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A list being laid out: bullets or numbers, with the next number and the step to the one
/// after it (-1 in a reversed list).
enum List {
    Bullets,
    Numbers { next: i64, step: i64 },
}

#[derive(Default)]
struct Layout {
    /// Finished lines, joined by `\n`.
    out: String,
    /// The line being built, without its marker.
    line: String,
    /// Whitespace was seen since the last character of `line`.
    space: bool,
    /// The marker (indent and `- ` or `N. `) for the next line that gets text.
    marker: Option<String>,
    /// Open lists, innermost last.
    lists: Vec<List>,
    /// Depth of open `pre` elements: there the source's lines are kept as they are (see
    /// [`Layout::pre_whitespace`]).
    pre: usize,
    /// In `pre`: the spaces and tabs written since the last character of `line`; written out
    /// before the next character, so trailing whitespace goes.
    pre_space: String,
    /// Outside `pre`: non-breaking spaces in `code` since the last character of `line`, which
    /// browsers never collapse (code indented with `&nbsp;`); written out before the next
    /// character, so trailing ones go.
    hard_spaces: usize,
    /// Depth of open `code` elements.
    code: usize,
    /// In `pre`: blank lines seen since the last line with text, written out before the next
    /// one, so the block neither starts nor ends with one.
    pre_blank: usize,
    /// In `pre`: the block has had a line with text.
    pre_lines: bool,
    /// Invisible characters ([`is_invisible`]) met before the first visible one of a line:
    /// written out with it, or dropped with the line when none comes (`<p>&rlm;</p>`, a
    /// spacer paragraph of RTL sites, is an empty line).
    invisible: String,
    /// The byte length of the marker that starts `line`, 0 without one.
    line_marker: usize,
    /// The byte length of the marker that starts the first finished line.
    lead_marker: usize,
}

impl Layout {
    fn open(&mut self, node: NodeRef<'_, Node>, element: &scraper::node::Element) -> Step {
        let name = element.name();
        // Counted before anything can skip the element: `close` sees every element.
        if name == "code" {
            self.code += 1;
        }
        if is_code_line_cell(element) {
            self.enter_pre();
        }
        if listed(SKIPPED, name)
            || is_hidden_foreign_text(element)
            || is_ruby_annotation(node, element)
        {
            if listed(BOXES, name) {
                self.space = true;
            }
            return Step::Skip;
        }
        match footnote(node, element) {
            Some(Footnote::Reference(label)) => {
                self.word(&format!("[{label}]"));
                return Step::Skip;
            }
            Some(Footnote::Number(label)) if self.line.is_empty() => {
                // The note's own number starts its text, as a list item's marker does.
                self.marker = Some(format!("[{label}] "));
                return Step::Skip;
            }
            Some(Footnote::Number(label)) => {
                self.space = true;
                self.word(&format!("[{label}]"));
                return Step::Skip;
            }
            Some(Footnote::BackArrow) => return Step::Skip,
            None => {}
        }
        if name == "a" && is_heading_anchor(node, element) {
            return Step::Skip;
        }
        if name == "sup"
            && self.pre == 0
            && let Some(step) = self.superscript(node)
        {
            return step;
        }
        // A formula is its linear reading (`a/b`, `x^2`), a box between words before it and
        // read on into its punctuation after (see `close`).
        if name == "math" && element.name.ns == html5ever::ns!(mathml) {
            self.space = true;
            self.text(&crate::math::linear(node));
            return Step::Skip;
        }
        match name {
            // An emoji image is text, as the character would be: no space added around it
            // ("won🎉!" stays so; the tokenizer parts words from it all the same). Any other
            // image is a box between words.
            "img" => match emoji(element) {
                Some(alt) => self.word(alt),
                None => self.space = true,
            },
            name if listed(BOXES, name) => self.space = true,
            "br" if self.pre > 0 => self.pre_whitespace('\n'),
            "br" => self.break_line(),
            "td" | "th" | "option" => self.space = true,
            "ul" | "menu" | "dir" => self.lists.push(List::Bullets),
            "ol" => {
                // HTML: `start` gives the first number (garbage falls back to the default); a
                // `reversed` list counts down, by default from its number of items.
                let reversed = element.attr("reversed").is_some();
                let start = element
                    .attr("start")
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .unwrap_or_else(|| if reversed { own_items(node) } else { 1 });
                self.lists.push(List::Numbers {
                    next: start,
                    step: if reversed { -1 } else { 1 },
                });
            }
            // `listing` and `xmp` are old spellings of `pre`, still found in old code posts.
            "pre" | "listing" | "xmp" => self.enter_pre(),
            _ => {}
        }
        if listed(BLOCKS, name) {
            self.break_line();
        }
        if name == "li" {
            // HTML: an item's `value` is its number, and the next items go on from it.
            let value = element
                .attr("value")
                .and_then(|v| v.trim().parse::<i64>().ok());
            if let (Some(value), Some(List::Numbers { next, .. })) = (value, self.lists.last_mut())
            {
                *next = value;
            }
            self.marker = Some(self.next_marker());
        }
        Step::Descend
    }

    fn close(&mut self, element: &scraper::node::Element) {
        let name = element.name();
        if is_code_line_cell(element) {
            self.leave_pre();
        }
        match name {
            "ul" | "menu" | "dir" | "ol" => {
                self.lists.pop();
            }
            "pre" | "listing" | "xmp" => self.leave_pre(),
            "code" => self.code = self.code.saturating_sub(1),
            // Table cells and a select's options are words of their own ("RedGreenBlue").
            "td" | "th" | "option" => self.space = true,
            // An emoji image is text: nothing after it but what the source has.
            "img" if emoji(element).is_some() => {}
            // A box's fallback text (a video's "Your browser cannot play it") is a word of
            // its own on both sides; a formula reads on into its punctuation ("x=2.").
            name if name != "math" && listed(BOXES, name) => self.space = true,
            _ => {}
        }
        if listed(BLOCKS, name) {
            self.break_line();
            // An item without text leaves no marker behind.
            self.marker = None;
        }
    }

    fn enter_pre(&mut self) {
        if self.pre == 0 {
            self.pre_blank = 0;
            self.pre_lines = false;
        }
        self.pre += 1;
    }

    fn leave_pre(&mut self) {
        self.pre = self.pre.saturating_sub(1);
        // Blank lines at the end of the block are not the code's.
        self.pre_blank = 0;
    }

    /// A superscript's number, read once: a reference when a link holds it (WordPress's Easy
    /// Footnotes: `<a href="#easy-footnote-bottom-1"><sup>1</sup></a>`), an exponent when glued
    /// to a word (x² is "x^2" and 10⁻³ "10^-3": glued, the number would change the word, "mc2",
    /// "so1"), a citation list when glued (`citations<sup>1,2</sup>`: glued, it would hide the
    /// word from search). A word in a sup ("10th", "TM") reads as it is. `Some` when written
    /// whole here, the step to take.
    fn superscript(&mut self, node: NodeRef<'_, Node>) -> Option<Step> {
        let text = small_text(node)?;
        let in_link = node
            .parent()
            .is_some_and(|p| matches!(p.value(), Node::Element(e) if e.name() == "a"));
        let glued = !self.space && !self.line.is_empty();
        if in_link && is_exponent(&text) {
            self.word(&format!("[{}]", text.trim()));
            Some(Step::Skip)
        } else if glued && is_exponent(&text) {
            // The digits follow as the sup's own text.
            self.word("^");
            None
        } else if glued && is_citation(&text) {
            self.word(&format!(
                "[{}]",
                text.split_whitespace().collect::<String>()
            ));
            Some(Step::Skip)
        } else {
            None
        }
    }

    /// The marker for a new list item: indented by nesting, numbered in `ol`.
    fn next_marker(&mut self) -> String {
        let indent = "  ".repeat(self.lists.len().saturating_sub(1).min(MAX_INDENT));
        match self.lists.last_mut() {
            Some(List::Numbers { next, step }) => {
                let marker = format!("{indent}{next}. ");
                *next = next.saturating_add(*step);
                marker
            }
            Some(List::Bullets) | None => format!("{indent}- "),
        }
    }

    fn text(&mut self, text: &str) {
        // A zero-width space is where a line may break between two words (Thai, Khmer and Lao
        // separate words with it): a space between them, so each is a word of its own to a
        // search. In `pre` it is no space of the code's, and goes as [`visible_chars`] drops it.
        for (i, part) in text.split(ZWSP).enumerate() {
            if i > 0 && self.pre == 0 {
                self.space = true;
            }
            for_each_visible(part, |piece| match piece {
                Piece::Plain(run) => self.plain(run),
                Piece::Char(c) => self.char(c),
            });
        }
    }

    /// A run of plain ASCII, taken a word at a time: the common case, and the hot loop of
    /// every ingest.
    fn plain(&mut self, run: &str) {
        let bytes = run.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if is_ascii_space(bytes[i]) {
                if self.pre > 0 {
                    self.pre_whitespace(char::from(bytes[i]));
                } else {
                    self.space = true;
                }
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && !is_ascii_space(bytes[i]) {
                i += 1;
            }
            self.word(&run[start..i]);
        }
    }

    fn char(&mut self, c: char) {
        if c.is_whitespace() && self.pre > 0 {
            self.pre_whitespace(c);
        } else if c == '\u{a0}' && self.code > 0 {
            self.hard_spaces += 1;
        } else if c.is_whitespace() {
            self.space = true;
        } else {
            let mut buf = [0; 4];
            self.word(c.encode_utf8(&mut buf));
        }
    }

    /// Whitespace inside `pre`, where code and commit messages keep their layout: a newline
    /// (or `<br>`) ends the line even when it is blank, a tab stays a tab (the code's own: a
    /// Makefile's recipe; a terminal shows it at its tab stop, as a browser does), any other
    /// whitespace is one space.
    fn pre_whitespace(&mut self, c: char) {
        match c {
            '\n' => {
                self.pre_space.clear();
                if !self.line.is_empty() {
                    self.break_line();
                } else if self.pre_lines {
                    self.pre_blank += 1;
                }
            }
            '\t' => self.pre_space.push('\t'),
            _ => self.pre_space.push(' '),
        }
    }

    /// Append non-whitespace text, after the line's marker or a pending space.
    fn word(&mut self, word: &str) {
        let starts_line = self.line.is_empty();
        if starts_line && self.pre == 0 && word.chars().all(is_invisible) {
            if self.space && !self.invisible.is_empty() {
                self.invisible.push(' ');
            }
            self.invisible.push_str(word);
            self.space = false;
            return;
        }
        let invisible = starts_line && !self.invisible.is_empty();
        if starts_line {
            if self.pre > 0 && self.pre_blank > 0 && !self.out.is_empty() {
                for _ in 0..self.pre_blank {
                    self.out.push('\n');
                }
            }
            self.pre_blank = 0;
            if let Some(marker) = self.marker.take() {
                self.line.push_str(&marker);
                self.line_marker = marker.len();
            }
            self.line.push_str(&self.invisible);
            self.invisible.clear();
        }
        if self.pre > 0 {
            self.line.push_str(&self.pre_space);
            self.pre_space.clear();
            self.pre_lines = true;
        } else if self.hard_spaces > 0 {
            // `&nbsp;` in code is the code's spacing; a collapsible space after words adds one.
            let spaces = self.hard_spaces + usize::from(self.space && !starts_line);
            self.line
                .extend(std::iter::repeat_n(' ', spaces.min(MAX_HARD_SPACES)));
        } else if self.space && (!starts_line || invisible) {
            self.line.push(' ');
        }
        self.space = false;
        self.hard_spaces = 0;
        self.line.push_str(word);
    }

    /// End the current line, if it has text.
    fn break_line(&mut self) {
        if !self.line.is_empty() {
            if self.out.is_empty() {
                self.lead_marker = self.line_marker;
            } else {
                self.out.push('\n');
            }
            self.out.push_str(&self.line);
            self.line.clear();
        }
        self.invisible.clear();
        self.line_marker = 0;
        self.hard_spaces = 0;
        self.space = false;
    }

    fn finish(mut self) -> String {
        self.break_line();
        self.out
    }
}

/// A table cell that holds one line of code shown as preformatted: GitHub's `td.blob-code`
/// (gist embeds, their file tables), whose leading spaces are the line's indentation.
fn is_code_line_cell(element: &scraper::node::Element) -> bool {
    element.name() == "td"
        && element
            .attr("class")
            .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == "blob-code"))
}

/// The number of items of the list `node` itself (not of lists nested in them): where a
/// reversed list's count starts.
fn own_items(node: NodeRef<'_, Node>) -> i64 {
    let items = node
        .children()
        .filter(|c| matches!(c.value(), Node::Element(e) if e.name() == "li"))
        .count();
    i64::try_from(items).unwrap_or(i64::MAX)
}

/// ZERO WIDTH SPACE: a word break that draws nothing (see `Layout::text`).
pub(crate) const ZWSP: char = '\u{200b}';

/// The characters of `s` a terminal shows as text: C0 controls other than whitespace, DEL, ANSI
/// escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ESC \`, and
/// two-byte `ESC x`), zero-width spaces (which the layout reads as spaces first), soft hyphens
/// and byte-order marks are dropped; C1
/// controls become the windows-1252 characters of the same byte (U+0092 is "’"), or are
/// dropped where it has none. Whitespace controls (tab, newline, …) are kept: callers
/// collapse them.
pub(crate) fn visible_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = s.chars();
    std::iter::from_fn(move || next_visible(&mut chars))
}

/// The next character [`visible_chars`] lets through, consuming whatever it drops before it.
fn next_visible(chars: &mut std::str::Chars<'_>) -> Option<char> {
    loop {
        let c = chars.next()?;
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(chars),
                Some(']') => skip_osc(chars),
                _ => {}
            },
            // A C1 code point in a feed is nearly always a windows-1252 byte that a lenient
            // decoder took for Latin-1 (or text pasted from such a page): U+0092 was "’".
            // Its windows-1252 character is printable, so a terminal shows it as text; the
            // five bytes windows-1252 leaves undefined (among them U+009D, the OSC introducer,
            // which ends the mojibake of a UTF-8 "”") are dropped alone, and the words after
            // them stay. The C1 CSI, U+009B, becomes "›" and starts no escape sequence.
            '\u{80}'..='\u{9f}' => {
                if let Some(c) = windows_1252(c) {
                    return Some(c);
                }
            }
            '\u{200b}' | '\u{00ad}' | '\u{feff}' => {}
            c if c.is_whitespace() => return Some(c),
            c if c.is_control() => {}
            c => return Some(c),
        }
    }
}

/// Whether `c` draws nothing and takes no room: Unicode's default-ignorable code points (soft
/// hyphen, zero-width space, joiners, left-to-right and right-to-left marks and the other bidi
/// controls, word joiner, variation selectors, byte-order mark, Hangul fillers, tags). Inside
/// a word they matter (ZWNJ and ZWJ shape Persian and Indic words) and stay; a line of
/// nothing else is an empty line.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}'
        | '\u{34f}'
        | '\u{61c}'
        | '\u{115f}'..='\u{1160}'
        | '\u{17b4}'..='\u{17b5}'
        | '\u{180b}'..='\u{180f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}'
        | '\u{3164}'
        | '\u{fe00}'..='\u{fe0f}'
        | '\u{feff}'
        | '\u{ffa0}'
        | '\u{fff0}'..='\u{fff8}'
        | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e0fff}')
}

/// The windows-1252 character of the byte a C1 code point (U+0080..=U+009F) stands for, or
/// `None` for the five bytes windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D),
/// which the WHATWG encoding (encoding_rs, as kb-parse decodes feeds) maps to themselves.
fn windows_1252(c: char) -> Option<char> {
    let byte = u8::try_from(u32::from(c))
        .ok()
        .filter(|b| (0x80..=0x9f).contains(b))?;
    let bytes = [byte];
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
    text.chars().next().filter(|&decoded| decoded != c)
}

/// What [`for_each_visible`] hands out: a run of [`is_plain`] bytes, or one other visible
/// character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Plain(&'a str),
    Char(char),
}

/// The same characters as [`visible_chars`], with runs of printable ASCII and ASCII
/// whitespace handed out whole: those pass the filter unchanged, and they are nearly all of
/// an English article, so the callers' per-character work shrinks to a per-run copy.
pub(crate) fn for_each_visible<'a>(s: &'a str, mut visit: impl FnMut(Piece<'a>)) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && is_plain(bytes[i]) {
            i += 1;
        }
        if i > start {
            visit(Piece::Plain(&s[start..i]));
        }
        if i == bytes.len() {
            break;
        }
        // `i` is on a char boundary: plain bytes are ASCII, so a run never ends mid-character.
        let mut chars = s[i..].chars();
        if let Some(c) = next_visible(&mut chars) {
            visit(Piece::Char(c));
        }
        i = s.len() - chars.as_str().len();
    }
}

/// Bytes [`visible_chars`] always passes as they are: printable ASCII and ASCII whitespace.
pub(crate) fn is_plain(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || is_ascii_space(b)
}

/// The ASCII characters `char::is_whitespace` accepts.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Skip a CSI sequence's parameters and intermediates up to its final byte (0x40..=0x7E).
fn skip_csi(chars: &mut std::str::Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// Skip an OSC sequence up to BEL or `ESC \`.
fn skip_osc(chars: &mut std::str::Chars<'_>) {
    while let Some(c) = chars.next() {
        if c == '\u{7}' || c == '\u{9c}' {
            break;
        }
        if c == '\u{1b}' {
            chars.next();
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Piece, for_each_visible, visible_chars};
    use crate::clean_html;

    #[test]
    fn plain_runs_give_the_same_characters_as_visible_chars() {
        let cases = [
            "",
            "plain ascii, with\ttabs\nand\x0bvertical\x0cfeeds\r",
            "caf\u{e9} \u{2019}quotes\u{201d} \u{a0}nbsp",
            "a\u{1b}[31mred\u{1b}[0m b\u{1b}]0;title\u{7}c\u{1b}]8;;x\u{1b}\\d",
            "\u{1b}",
            "x\u{1b}",
            "\u{9b}1;2mC1 csi\u{9d}osc\u{9c}after",
            "c1 \u{80}\u{81}\u{85}\u{92}\u{9f}: windows-1252",
            "zero\u{200b}width\u{ad}soft\u{feff}bom\u{7f}del\u{1}ctl\u{85}nel",
            "\u{1}&\u{2}<\u{3}\"",
        ];
        for case in cases {
            let mut got = String::new();
            for_each_visible(case, |piece| match piece {
                Piece::Plain(run) => {
                    assert!(run.bytes().all(super::is_plain), "{run:?}");
                    got.push_str(run);
                }
                Piece::Char(c) => got.push(c),
            });
            assert_eq!(got, visible_chars(case).collect::<String>(), "{case:?}");
        }
    }

    fn text(html: &str) -> String {
        clean_html(html, None).text
    }

    /// Without captions the lead is the text's first line, and its marker a list marker.
    #[test]
    fn lead_is_the_first_line_of_the_text_without_captions() {
        let mut checked = 0;
        for (path, html) in crate::testdata::html_bodies() {
            if html.contains("figcaption") || html.contains("wp-caption-text") {
                continue;
            }
            let doc = scraper::Html::parse_fragment(&html);
            let (line, marker) = super::lead(doc.tree.root());
            let text = super::layout(doc.tree.root());
            assert_eq!(line, text.lines().next().unwrap_or_default(), "{path:?}");
            let (indent, rest) =
                line[..marker].split_at(line[..marker].len() - line[..marker].trim_start().len());
            assert!(indent.bytes().all(|b| b == b' '), "{path:?}");
            assert!(
                marker == 0
                    || rest == "- "
                    || rest
                        .strip_suffix(". ")
                        .is_some_and(|n| n.parse::<i64>().is_ok()),
                "{path:?}: {line:?}"
            );
            checked += 1;
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn paragraphs_are_lines() {
        assert_eq!(text("<p>One</p><p>Two</p>"), "One\nTwo");
        assert_eq!(text("<div>One<div>Two</div>Three</div>"), "One\nTwo\nThree");
        assert_eq!(text("<h2>Head</h2>Body"), "Head\nBody");
    }

    #[test]
    fn br_breaks_a_line_and_empty_lines_vanish() {
        assert_eq!(
            text("<p>One<br>Two<br><br>Three</p><p> </p><p>Four</p>"),
            "One\nTwo\nThree\nFour"
        );
    }

    #[test]
    fn unordered_items_get_dashes() {
        assert_eq!(
            text("<p>List:</p><ul><li>a</li><li>b</li></ul>"),
            "List:\n- a\n- b"
        );
    }

    #[test]
    fn ordered_items_get_numbers_from_start() {
        assert_eq!(text("<ol><li>a<li>b</ol>"), "1. a\n2. b");
        assert_eq!(text("<ol start=\"4\"><li>a<li>b</ol>"), "4. a\n5. b");
        assert_eq!(text("<ol start=\"x\"><li>a</ol>"), "1. a");
    }

    #[test]
    fn a_box_with_fallback_text_is_words_of_its_own() {
        assert_eq!(
            text("<p>Text<video>no video here</video>more</p>"),
            "Text no video here more"
        );
    }

    #[test]
    fn reversed_lists_count_down_and_item_values_set_the_number() {
        // HTML: a reversed list starts at its number of items and counts down.
        assert_eq!(
            text("<ol reversed><li>a<li>b<li>c</ol>"),
            "3. a\n2. b\n1. c"
        );
        assert_eq!(
            text("<ol reversed start=\"10\"><li>a<li>b</ol>"),
            "10. a\n9. b"
        );
        // Only the list's own items count, not those of a list nested in one.
        assert_eq!(
            text("<ol reversed><li>a<ol><li>x<li>y</ol><li>b</ol>"),
            "2. a\n  1. x\n  2. y\n1. b"
        );
        // `value` numbers its item, and the ones after it go on from there.
        assert_eq!(
            text("<ol><li>a<li value=\"10\">b<li>c</ol>"),
            "1. a\n10. b\n11. c"
        );
        assert_eq!(
            text("<ol reversed><li value=\"7\">a<li>b</ol>"),
            "7. a\n6. b"
        );
        // A bullet list has no numbers to set; garbage is ignored.
        assert_eq!(text("<ul><li value=\"3\">a</ul>"), "- a");
        assert_eq!(text("<ol><li value=\"x\">a<li>b</ol>"), "1. a\n2. b");
    }

    #[test]
    fn nested_lists_are_indented() {
        assert_eq!(
            text("<ul><li>a<ol><li>b</li></ol></li><li>c</li></ul>"),
            "- a\n  1. b\n- c"
        );
    }

    #[test]
    fn items_with_blocks_inside_keep_their_marker() {
        assert_eq!(
            text("<ul><li><p>a</p><p>b</p></li><li></li></ul><p>c</p>"),
            "- a\nb\nc"
        );
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            text("<p>&#8220;Hi&#8221; it&#8217;s 1&#8211;2 &amp; &lt;b&gt;&hellip;</p>"),
            "\u{201c}Hi\u{201d} it\u{2019}s 1\u{2013}2 & <b>\u{2026}"
        );
    }

    #[test]
    fn lines_of_invisible_characters_are_empty_lines() {
        for mark in [
            "&zwnj;",
            "&zwj;",
            "&lrm;",
            "&rlm;",
            "\u{61c}",
            "\u{2066}",
            "\u{2069}",
            "\u{202b}",
            "\u{202c}",
            "\u{2060}",
            "\u{fe0f}",
            "\u{200e}\u{200f}",
            "&rlm; &lrm;",
        ] {
            for html in [
                format!("<p>Start.</p><p>{mark}</p><p>End.</p>"),
                format!("Start.<br>{mark}<br>End."),
                format!("<p>Start.</p><p><b>{mark}</b> </p><p>End.</p>"),
            ] {
                assert_eq!(text(&html), "Start.\nEnd.", "{html:?}");
            }
            // A list item of nothing else leaves no marker behind.
            let html = format!("<ul><li>a</li><li>{mark}</li><li>b</li></ul>");
            assert_eq!(text(&html), "- a\n- b", "{html:?}");
        }
        // With words, the marks stay where they are: at a line's start (an RLM before a
        // Hebrew paragraph), inside words (ZWNJ in Persian), and at its end.
        assert_eq!(
            text(
                "<p>&rlm;\u{5e9}\u{5dc}\u{5d5}\u{5dd} <b>&rlm;</b>!</p><p>\u{645}\u{6cc}&zwnj;\u{62e}&lrm;</p>"
            ),
            "\u{200f}\u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{200f}!\n\u{645}\u{6cc}\u{200c}\u{62e}\u{200e}"
        );
        assert_eq!(text("<ul><li>&lrm; a</li></ul>"), "- \u{200e} a");
    }

    /// A zero-width space is where a line may break between words (Thai, Khmer and Lao write
    /// it between words; sites put it in long words): the words on each side stay two words,
    /// as a search finds them. A soft hyphen, a word joiner and ZWJ/ZWNJ are inside a word
    /// and join it; in `pre` a ZWSP is no space of the code's.
    #[test]
    fn a_zero_width_space_separates_words_and_a_soft_hyphen_joins_them() {
        assert_eq!(
            text("<p>non&nbsp;breaking&#8203;zero&#8203;width</p>"),
            "non breaking zero width"
        );
        assert_eq!(
            text(
                "<p>\u{e20}\u{e32}\u{e29}\u{e32}\u{200b}\u{e44}\u{e17}\u{e22} and &#8203;x&#8203; y</p>"
            ),
            "\u{e20}\u{e32}\u{e29}\u{e32} \u{e44}\u{e17}\u{e22} and x y"
        );
        assert_eq!(
            text("<p>inter&shy;national join&#8288;er</p>"),
            "international join\u{2060}er"
        );
        assert_eq!(text("<pre>let a\u{200b}b = 1;</pre>"), "let ab = 1;");
        assert_eq!(
            crate::clean_inline("zero&#8203;width title"),
            "zero width title"
        );
    }

    #[test]
    fn whitespace_is_collapsed_and_nbsp_is_a_space() {
        assert_eq!(text("<p>  a \n\t b&nbsp;&nbsp;c  </p>"), "a b c");
        assert_eq!(
            text("<p><b>bold</b>, <a href='x'>link</a> text</p>"),
            "bold, link text"
        );
    }

    #[test]
    fn inline_boundaries_do_not_add_spaces() {
        assert_eq!(text("<p>un<em>believ</em>able</p>"), "unbelievable");
    }

    #[test]
    fn code_and_embeds_are_never_text() {
        let html = "<p>a<script>alert(1)</script><style>p{}</style><noscript>ns</noscript>\
                    <iframe>frame</iframe><img alt='pic' src='x.png'>b</p>";
        // The iframe and the image are boxes between the two words.
        assert_eq!(text(html), "a b");
    }

    #[test]
    fn footnote_references_are_bracketed_and_back_links_dropped() {
        // Substack: a reference, and the note's number before its text.
        assert_eq!(
            text(
                r##"<p>The throughput<sup><a class="footnote-anchor" href="#footnote-2" id="footnote-anchor-2">2</a></sup> of it; prices rose 3%<sup><a class="footnote-anchor" href="#footnote-1">1</a></sup> last year.</p><div class="footnote"><a id="footnote-2" href="#footnote-anchor-2" class="footnote-number">2</a><div class="footnote-content"><p>Measured in requests per second.</p></div></div>"##
            ),
            "The throughput[2] of it; prices rose 3%[1] last year.\n[2] Measured in requests per second."
        );
        // kramdown, Pandoc, Hugo, Python-Markdown: references and back-link arrows.
        assert_eq!(
            text(
                r##"<p>The latency<sup id="fnref:3"><a href="#fn:3" class="footnote-ref">3</a></sup> and note<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">[1]</a></sup> and<sup class="footnote-ref"><a href="#fn2" id="fnref2">2</a></sup>.</p><div class="footnotes"><hr><ol><li id="fn:1"><p>The first note.&#160;<a href="#fnref:1" class="reversefootnote" role="doc-backlink">&#8617;&#xfe0e;</a></p></li><li id="fn2"><p>Second note. <a href="#fnref2" class="footnote-back">↩︎</a></p></li><li><p>Third. <a href="#fnref:4" title="Jump back">&#8617;</a></p></li></ol></div>"##
            ),
            "The latency[3] and note[1] and[2].\n1. The first note.\n2. Second note.\n3. Third."
        );
        // A reference without a sup, by its class; a sup linking elsewhere or saying more
        // stays text.
        assert_eq!(
            text(
                r##"<p>Word<a href="#fn7" class="footnote-ref">7</a> and x<sup><a href="https://x.com/">link</a></sup>, y<sup><a href="#a">see</a> also</sup>.</p>"##
            ),
            "Word[7] and xlink, ysee also."
        );
    }

    #[test]
    fn references_in_every_shape_are_bracketed_and_citations_never_glue() {
        assert_eq!(
            text(
                r##"<p>The throughput<sup><a href="https://blog.example.com/p/#fn:1" class="footnote-ref">1</a></sup>, footnotes<a href="https://blog.example.com/p/#easy-footnote-bottom-1-42"><sup>1</sup></a>, claim<sup><a href="https://source.example/paper.pdf">2</a></sup>, citations<sup>1,2</sup> and range<sup>3-5</sup>; hidden<sup><script>1</script></sup> here.</p>"##
            ),
            "The throughput[1], footnotes[1], claim[2], citations[1,2] and range[3-5]; hidden here."
        );
    }

    #[test]
    fn nested_superscripts_are_laid_out_in_linear_time() {
        // Each sup used to walk its whole subtree, and each node its ancestors: 250 nested
        // sups around 145k elements took 45 s. A sup of more than a few nodes is no
        // reference; the nodes inside are laid out once.
        let html = format!(
            "<p>x{}<a href=\"#f\">1</a>{}y{}</p>",
            "<sup>".repeat(200),
            "<i></i>".repeat(50_000),
            "</sup>".repeat(200)
        );
        assert_eq!(text(&html), "x1y");
    }

    #[test]
    fn numeric_superscripts_are_exponents() {
        assert_eq!(
            text(
                "<p>E=mc<sup>2</sup>, 10<sup>-3</sup> m, x <sup>2</sup>, the 10<sup>th</sup>, H<sub>2</sub>O, said so<sup>1</sup>.</p>"
            ),
            "E=mc^2, 10^-3 m, x 2, the 10th, H2O, said so^1."
        );
    }

    #[test]
    fn emoji_images_are_their_alt_and_boxes_break_words() {
        assert_eq!(
            text(
                r#"<p>We shipped it <img src="https://s.w.org/images/core/emoji/15.0.3/72x72/1f389.png" alt="🎉" class="wp-smiley" style="height: 1em;" /> and were happy<img src="https://s.w.org/1f642.png" alt="🙂" class="wp-smiley" />Next week <img class="emoji" alt=":)" src="/s.gif">.</p>"#
            ),
            "We shipped it \u{1f389} and were happy\u{1f642}Next week :)."
        );
        assert_eq!(
            text(
                r#"<p>Text<img src="/a.png" alt="A chart">more, <video src="v.mp4">x</video>end</p>"#
            ),
            "Text more, x end"
        );
    }

    #[test]
    fn image_only_posts_are_their_alt_texts() {
        let html = r#"<p><img src="/diagram.png" alt="Diagram of the three tiers"></p><p><img src="/photos/IMG_1234.JPG" alt="IMG_1234"><img src="/x.png" alt="photo.jpg"><img src="/y.png" alt=" "><img src="/z.png"></p><a href="/full.png"><img src="/t.png" alt="The chart, large"></a>"#;
        assert_eq!(text(html), "Diagram of the three tiers\nThe chart, large");
        let doc = scraper::Html::parse_fragment(html);
        assert_eq!(super::lead(doc.tree.root()).0, "Diagram of the three tiers");
        // With text, alt texts stay out.
        assert_eq!(
            text(r#"<p>Words.</p><p><img src="/d.png" alt="Diagram"></p>"#),
            "Words."
        );
    }

    #[test]
    fn table_cells_are_separated() {
        assert_eq!(
            text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"),
            "a b\nc"
        );
    }

    #[test]
    fn pre_keeps_its_lines() {
        assert_eq!(
            text("<pre>line one\n  line two</pre>"),
            "line one\n  line two"
        );
        // Blank lines and indentation inside are kept, spaces within a line too; trailing
        // spaces, and blank lines at the start or end of the block, go.
        assert_eq!(
            text(
                "<p>Before</p><pre>\n\nfn main() {\n    let  x = 1;   \n\n\n    x\n}\n\n</pre><p>After</p>"
            ),
            "Before\nfn main() {\n    let  x = 1;\n\n\n    x\n}\nAfter"
        );
        // A commit message: subject, blank line, body, indented list.
        assert_eq!(
            text("<pre>Fix the thing\n\nIt broke because:\n  * one\n  * two</pre>"),
            "Fix the thing\n\nIt broke because:\n  * one\n  * two"
        );
        // Highlighted code: the spaces between spans are the code's.
        assert_eq!(
            text(
                "<pre><code><span>if</span> <span>x</span>\n\t<span>y</span>()\n  \t z</code></pre>"
            ),
            "if x\n\ty()\n  \t z"
        );
        // Medium writes code lines with <br>.
        assert_eq!(
            text("<pre>SELECT *<br>FROM users<br><br>WHERE id = $1;</pre>"),
            "SELECT *\nFROM users\n\nWHERE id = $1;"
        );
        // In a list item, the marker comes first.
        assert_eq!(
            text("<ul><li><pre>  a\n\n  b</pre></li></ul>"),
            "-   a\n\n  b"
        );
        // Outside pre nothing changes.
        assert_eq!(text("<p>  a\n\n   b  </p>"), "a b");
    }

    /// A tab in `pre` is the code's (a Makefile's recipe, Go's indentation): kept as written,
    /// and a terminal shows it at its tab stop as a browser does.
    #[test]
    fn pre_keeps_its_tabs() {
        assert_eq!(
            text("<pre>all:\n\tcc -o x x.c\n\n\tif x {\n\t\treturn\n\t}</pre>"),
            "all:\n\tcc -o x x.c\n\n\tif x {\n\t\treturn\n\t}"
        );
        // Trailing whitespace still goes.
        assert_eq!(text("<pre>a\t \nb</pre>"), "a\nb");
    }

    /// Code written outside `pre`: WordPress's visual editor makes a `<code>` block of lines
    /// with `<br>` and indents them with `&nbsp;`, which browsers never collapse; a GitHub gist
    /// embedded as a table has a line of code per `td.blob-code`, shown with white-space: pre.
    #[test]
    fn code_indentation_outside_pre_is_kept() {
        assert_eq!(
            text(
                "<p>Config:</p><p><code>server {<br>&nbsp;&nbsp;listen 80;<br>\n&nbsp;&nbsp;&nbsp;&nbsp;root /var/www;<br>}</code></p>"
            ),
            "Config:\nserver {\n  listen 80;\n    root /var/www;\n}"
        );
        assert_eq!(
            text(
                "<table class=\"highlight tab-size js-file-line-container\"><tr><td id=\"L1\" class=\"blob-num js-line-number\" data-line-number=\"1\"></td><td id=\"LC1\" class=\"blob-code blob-code-inner js-file-line\">for i in range(3):</td></tr><tr><td id=\"L2\" class=\"blob-num js-line-number\" data-line-number=\"2\"></td><td id=\"LC2\" class=\"blob-code blob-code-inner js-file-line\">    print(i)</td></tr></table>"
            ),
            "for i in range(3):\n    print(i)"
        );
        // Prose keeps collapsing its non-breaking spaces, and inline code reads as before.
        assert_eq!(
            text("<p>a&nbsp;&nbsp;b <code>x = 1</code>&nbsp; c</p>"),
            "a b x = 1 c"
        );
    }

    #[test]
    fn xmp_and_listing_are_preformatted_blocks_and_search_a_block() {
        // `xmp` is raw text: its markup is characters.
        assert_eq!(
            text("Before<xmp>\nfn  main() {\n\n    <b>x</b>\n}</xmp>After"),
            "Before\nfn  main() {\n\n    <b>x</b>\n}\nAfter"
        );
        assert_eq!(
            text("Before<listing>\nline  one\n\n  <i>two</i></listing>After"),
            "Before\nline  one\n\n  two\nAfter"
        );
        assert_eq!(text("A<search>B <b>c</b></search>D"), "A\nB c\nD");
    }

    #[test]
    fn ruby_is_its_base_text() {
        assert_eq!(
            text("<p><ruby>東京<rt>とうきょう</rt></ruby>に行く。</p>"),
            "東京に行く。"
        );
        assert_eq!(
            text(
                "<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp>字<rp>(</rp><rt>ji</rt><rp>)</rp></ruby>を勉強</p>"
            ),
            "漢字を勉強"
        );
        // A second level of annotation, and a base in inline markup.
        assert_eq!(
            text("<ruby><b>明日</b><rtc><rt>あした</rt></rtc><rtc><rt>tomorrow</rt></rtc></ruby>"),
            "明日"
        );
        let doc =
            scraper::Html::parse_fragment("<p><ruby>東京<rt>とうきょう</rt></ruby>に行く。</p>");
        assert_eq!(super::lead(doc.tree.root()).0, "東京に行く。");
        // Out of a ruby, an rt is no annotation of anything: its text stays.
        assert_eq!(text("<p>a<rt>b</rt>c</p>"), "abc");
        assert_eq!(
            crate::clean_inline("<ruby>東京<rt>とうきょう</rt></ruby>へ"),
            "東京へ"
        );
    }

    #[test]
    fn controls_and_escape_sequences_are_stripped() {
        let html = "<p>red\u{1b}[31mtext\u{1b}[0m \u{1b}]0;title\u{7}bell\u{7}\u{0}ok\u{1f}x</p>";
        assert_eq!(text(html), "redtext bellokx");
        // Mojibake of a closing quote (UTF-8 read as windows-1252) ends in U+009D: the words
        // after it stay.
        assert_eq!(
            text("<p>\u{e2}\u{20ac}\u{153}Great\u{e2}\u{20ac}\u{9d}, said Ren\u{e9}e.</p>"),
            "\u{e2}\u{20ac}\u{153}Great\u{e2}\u{20ac}, said Ren\u{e9}e."
        );
        assert_eq!(text("<p>&#27;[1mbold&#27;[0m</p>"), "bold");
    }

    #[test]
    fn c1_controls_are_their_windows_1252_characters() {
        assert_eq!(
            text("<p>It\u{92}s \u{93}quoted\u{94} \u{96} dash</p>"),
            "It\u{2019}s \u{201c}quoted\u{201d} \u{2013} dash"
        );
        assert_eq!(
            text("<p>\u{80}5 \u{95} x\u{85} \u{99} \u{9c}uvre</p>"),
            "\u{20ac}5 \u{2022} x\u{2026} \u{2122} \u{153}uvre"
        );
        // The five code points windows-1252 leaves undefined are dropped, as before; U+009B
        // (CSI in C1) is "›" there, printable, so no escape sequence can start with it.
        assert_eq!(
            text("<p>a\u{81}b\u{8d}c\u{8f}d\u{90}e\u{9d}f \u{9b}2J</p>"),
            "abcdef \u{203a}2J"
        );
        // Every C1 code point becomes a printable character or nothing.
        let all: String = ('\u{80}'..='\u{9f}').collect();
        let mapped: String = visible_chars(&all).collect();
        assert_eq!(mapped.chars().count(), 27);
        assert!(!mapped.chars().any(|c| c.is_control() || c.is_whitespace()));
    }
}
