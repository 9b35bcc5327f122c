//! Publisher HTML in, [`CleanedHtml`] out: the one pass every body and summary goes through.
//!
//! The steps: [`guard`](crate::guard) caps the input, scraper (html5ever) parses it as a body
//! fragment (or [`fast`](crate::fast) builds the same tree when the markup is simple), the noise [`Rules`] pick widgets and they are detached (with any container they
//! leave empty, each leaving the break it made: [`gap`]), then one tree gives the
//! text layout, the outbound links and the sanitized HTML.

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};
use url::Url;

use crate::gap;
use crate::guard::guard_reporting;
use crate::names::listed;
use crate::rules::Rules;
use crate::sanitize::sanitize;
use crate::stray::escape_stray_lt;
use crate::text::{BLOCKS, ZWSP, is_invisible, is_ruby_annotation, layout, lead, visible_chars};
use crate::walk::{Event, Step, walk};

/// One HTML body, cleaned three ways.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanedHtml {
    /// Plain text: one paragraph per line, list items on their own lines, no empty lines but
    /// those inside a `pre`.
    pub text: String,
    /// Sanitized HTML for display: allow-listed tags and attributes, URLs made absolute.
    pub html: String,
    /// Absolute http(s) links of the body, in order, without duplicates.
    pub links: Vec<String>,
    /// What the input [`Limits`](crate::Limits) cut or dropped, one line each; empty for
    /// ordinary input.
    pub warnings: Vec<String>,
}

/// Clean `html` with the built-in noise rules. `base` resolves relative links and images.
///
/// ```
/// let cleaned = kb_clean::clean_html(
///     "<p>Read <a href=\"/more\">more</a>&hellip;</p><script>x()</script>",
///     Some("http://example.com/post/"),
/// );
/// assert_eq!(cleaned.text, "Read more\u{2026}");
/// assert_eq!(cleaned.links, ["http://example.com/more"]);
/// ```
pub fn clean_html(html: &str, base: Option<&str>) -> CleanedHtml {
    clean_html_with(html, base, Rules::builtin())
}

/// Clean `html` with the given noise rules and limits. `base` is also taken as the page's own
/// address: a "Continue reading" link to it is the feed's, not the author's.
pub fn clean_html_with(html: &str, base: Option<&str>, rules: &Rules) -> CleanedHtml {
    let mut warnings = Vec::new();
    let url = base.and_then(|b| Url::parse(b.trim()).ok());
    let page = url.as_ref().map(|url| Page {
        url,
        base: Some(url),
    });
    let doc = denoised(&escape_stray_lt(html).0, rules, page, &mut warnings);
    CleanedHtml {
        warnings,
        ..cleaned(&doc, base)
    }
}

/// [`clean_html_with`] and the body's [`lead`] line (with its list marker's length), from one
/// parse: what an article's missing summary and title are made from. `html` has been through
/// [`escape_stray_lt`].
pub(crate) fn clean_html_and_lead(
    html: &str,
    base: Option<&str>,
    page: Option<Page<'_>>,
    rules: &Rules,
) -> (CleanedHtml, (String, usize)) {
    let mut warnings = Vec::new();
    let doc = denoised(html, rules, page, &mut warnings);
    let cleaned = CleanedHtml {
        warnings,
        ..cleaned(&doc, base)
    };
    (cleaned, lead(doc.tree.root()))
}

fn cleaned(doc: &Html, base: Option<&str>) -> CleanedHtml {
    let base = base.and_then(|b| Url::parse(b.trim()).ok());
    let root = doc.tree.root();
    CleanedHtml {
        text: layout(root),
        html: sanitize(root, base.as_ref()),
        links: links(root, base.as_ref()),
        warnings: Vec::new(),
    }
}

/// Only the plain text of [`clean_html_with`]: for a summary next to a full body, whose
/// sanitized HTML and links nobody keeps. `html` has been through [`escape_stray_lt`].
pub(crate) fn clean_text_with(
    html: &str,
    rules: &Rules,
    page: Option<Page<'_>>,
    warnings: &mut Vec<String>,
) -> String {
    layout(denoised(html, rules, page, warnings).tree.root())
}

/// The article's own address, which some rules look for among links (a "Continue reading"
/// link to the post itself), and the base its relative links resolve against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page<'a> {
    pub(crate) url: &'a Url,
    pub(crate) base: Option<&'a Url>,
}

/// The fragment's tree with the noise rules' finds removed.
fn denoised(html: &str, rules: &Rules, page: Option<Page<'_>>, warnings: &mut Vec<String>) -> Html {
    let mut doc = parse_fragment(html, rules, warnings);
    let noise = rules.noise(&doc, page);
    unwrap(&mut doc, &noise.unwrap);
    remove(&mut doc, &noise.remove);
    doc
}

/// The body fragment's tree: by the fast path when the markup is simple (and within the
/// guard's caps, so the guard would change nothing), else guarded and parsed by html5ever.
fn parse_fragment(html: &str, rules: &Rules, warnings: &mut Vec<String>) -> Html {
    crate::fast::parse_fragment(html, rules.limits())
        .unwrap_or_else(|| Html::parse_fragment(&guard_reporting(html, rules.limits(), warnings)))
}

/// Plain text for a title or an author name: tags stripped, entities decoded, whitespace
/// collapsed to single spaces, controls dropped, trimmed.
///
/// ```
/// assert_eq!(kb_clean::clean_inline(" Q&amp;A: <b>the</b>\n&#8220;best&#8221; "), "Q&A: the \u{201c}best\u{201d}");
/// ```
pub fn clean_inline(s: &str) -> String {
    let rules = Rules::builtin();
    // Plain text needs no parser; markup or entities do.
    let text = if s.contains(['<', '&']) {
        // A title or a name has no place to report a cut: it is cut quietly.
        let doc = parse_fragment(&escape_stray_lt(s).0, rules, &mut Vec::new());
        let mut text = String::new();
        walk(doc.tree.root(), |event| {
            match event {
                Event::Enter(node) => match node.value() {
                    Node::Text(t) => text.push_str(t),
                    Node::Element(e)
                        if matches!(e.name(), "script" | "style")
                            || is_ruby_annotation(node, e) =>
                    {
                        return Step::Skip;
                    }
                    Node::Element(e) if is_break(e.name()) => text.push(' '),
                    _ => {}
                },
                // Block boundaries in a title still separate words; inline ones do not.
                Event::Leave(node) => {
                    if matches!(node.value(), Node::Element(e) if is_break(e.name())) {
                        text.push(' ');
                    }
                }
            }
            Step::Descend
        });
        text
    } else {
        crate::guard::cut(s, rules.limits().max_input_bytes).to_owned()
    };
    let mut out = String::with_capacity(text.len());
    // A zero-width space parts words in a title as in the text.
    let text = if text.contains(ZWSP) {
        text.replace(ZWSP, " ")
    } else {
        text
    };
    for c in visible_chars(&text) {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    // Marks that draw nothing (`&rlm;` alone) are no title: it is empty, as a blank one is.
    if out.chars().all(|c| is_invisible(c) || c == ' ') {
        out.clear();
    }
    out
}

fn is_break(name: &str) -> bool {
    name == "br" || listed(BLOCKS, name)
}

/// Elements that may be left empty by a removal and should then go too: the containers
/// widgets are wrapped in (`<p align="left"><a class="tt">…</a></p>` in the seed), and a
/// link whose only content was a removed tracking pixel or ad image (its address would
/// otherwise stay among the article's links).
pub(crate) const EMPTIABLE: &[&str] = &[
    "a",
    "aside",
    "b",
    "blockquote",
    "center",
    "dd",
    "div",
    "dl",
    "em",
    "figure",
    "font",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "i",
    "li",
    "nav",
    "ol",
    "p",
    "section",
    "small",
    "span",
    "strong",
    "ul",
];

/// Elements that are content even without text.
pub(crate) const MEDIA: &[&str] = &["audio", "hr", "img", "picture", "svg", "table", "video"];

/// Replace each of `ids` by its children: a share link in a sentence leaves its words. Runs
/// before [`remove`], so a removed container still takes the words with it.
fn unwrap(doc: &mut Html, ids: &[NodeId]) {
    for &id in ids {
        let Some(node) = doc.tree.get(id) else {
            continue;
        };
        if node.parent().is_none() {
            continue;
        }
        let children: Vec<NodeId> = node.children().map(|c| c.id()).collect();
        if let Some(mut node) = doc.tree.get_mut(id) {
            for child in children {
                node.insert_id_before(child);
            }
            node.detach();
        }
    }
}

/// Detach `ids` from the tree, then every container the removals left empty, each leaving
/// the break it made between the words around it ([`gap`]). A container
/// that lost a link (share buttons are links) is empty also when only the separators between
/// those links are left ("Tweet | Share" leaves "|"); one that lost only an image keeps them,
/// and a paragraph nothing was removed from is never looked at, so a "—" or "* * *" the
/// publisher wrote as a section break stays.
fn remove(doc: &mut Html, ids: &[NodeId]) {
    // Each parent once (a bar of thousands of links has one), with whether it lost a link:
    // looking at a container costs a walk of what it holds.
    let mut parents: Vec<(NodeId, bool)> = Vec::new();
    let mut at: std::collections::HashMap<NodeId, usize> = std::collections::HashMap::new();
    let mut gaps = Vec::new();
    for &id in ids {
        gaps.extend(gap::leave(doc, id));
        if let Some(mut node) = doc.tree.get_mut(id) {
            let lost_link = node.as_ref().descendants().any(|n| is_link(n.value()));
            if let Some(parent) = node.parent() {
                match at.get(&parent.id()) {
                    Some(&i) => parents[i].1 |= lost_link,
                    None => {
                        at.insert(parent.id(), parents.len());
                        parents.push((parent.id(), lost_link));
                    }
                }
            }
            node.detach();
        }
    }
    for &(parent, lost_link) in &parents {
        if lost_link {
            drop_edge_separators(doc, parent);
        }
    }
    // A container found to keep its content keeps it for every later climb that reaches it
    // (removing emptied containers changes no text): each is looked at once.
    let mut kept: std::collections::HashSet<NodeId> = std::collections::HashSet::new();
    // Where a bar of links went whole, the element before it, which may be its label.
    let mut labels = Vec::new();
    for (mut id, lost_link) in parents {
        let mut label = None;
        while let Some(node) = doc.tree.get(id)
            && let Some(parent) = node.parent()
        {
            if kept.contains(&id) {
                break;
            }
            if !is_emptiable(node) || (has_content(node, lost_link) && !label_only(node, lost_link))
            {
                kept.insert(id);
                break;
            }
            // Looked up while the node is in the tree: detached, it has no siblings.
            label = label_before(doc, id);
            let parent = parent.id();
            gaps.extend(gap::leave(doc, id));
            if let Some(mut node) = doc.tree.get_mut(id) {
                node.detach();
            }
            id = parent;
        }
        if lost_link && let Some(label) = label {
            labels.push(label);
        }
    }
    // A share bar's label in an element of its own (`<h3>Share this:</h3><ul>…</ul>`)
    // labels nothing once the bar is gone.
    for id in labels {
        if let Some(node) = doc.tree.get(id)
            && node.parent().is_some()
            && label_only(node, true)
        {
            gaps.extend(gap::leave(doc, id));
            if let Some(mut node) = doc.tree.get_mut(id) {
                node.detach();
            }
        }
    }
    gap::mend(doc, &gaps);
}

/// The element right before `id` (past whitespace, comments and gap markers), when it is a
/// heading or a paragraph-like container that may be a share bar's label.
fn label_before(doc: &Html, id: NodeId) -> Option<NodeId> {
    let node = doc.tree.get(id)?;
    let start = node.prev_sibling()?;
    let label = std::iter::successors(Some(start), |n| n.prev_sibling()).find(|n| {
        !(gap::is_gap(*n)
            || matches!(n.value(), Node::Comment(_))
            || matches!(n.value(), Node::Text(t) if t.trim().is_empty()))
    })?;
    let Node::Element(e) = label.value() else {
        return None;
    };
    matches!(
        e.name(),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "p" | "div" | "strong" | "b" | "span"
    )
    .then(|| label.id())
}

/// In a container that lost share links, the separators that stood between them and now
/// stand at its start or end, with nothing but removed links beyond them: "Then Tweet |
/// Facebook | LinkedIn" read "Then | |". Separators with words on both sides stay.
fn drop_edge_separators(doc: &mut Html, parent: NodeId) {
    let Some(node) = doc.tree.get(parent) else {
        return;
    };
    let children: Vec<NodeId> = node.children().map(|c| c.id()).collect();
    let only_separators = |t: &str| {
        t.chars()
            .all(|c| c.is_whitespace() || SEPARATORS.contains(&c))
    };
    let mut doomed: Vec<NodeId> = Vec::new();
    // (text node, trim its end) when words stop the walk right after a gap.
    let mut trims: Vec<(NodeId, bool)> = Vec::new();
    for from_end in [true, false] {
        let order: Box<dyn Iterator<Item = &NodeId>> = if from_end {
            Box::new(children.iter().rev())
        } else {
            Box::new(children.iter())
        };
        let mut run = Vec::new();
        let mut gap_seen = false;
        for &id in order {
            let Some(child) = doc.tree.get(id) else {
                continue;
            };
            match child.value() {
                _ if gap::is_gap(child) => gap_seen = true,
                // Whitespace is the gap's to mend; a separator goes.
                Node::Text(t) if t.trim().is_empty() => {}
                Node::Text(t) if only_separators(t) => run.push(id),
                Node::Text(_) => {
                    if gap_seen {
                        trims.push((id, from_end));
                    }
                    break;
                }
                _ => break,
            }
        }
        if gap_seen {
            doomed.extend(run);
        }
    }
    for id in doomed {
        if let Some(mut n) = doc.tree.get_mut(id) {
            n.detach();
        }
    }
    for (id, end) in trims {
        if let Some(mut n) = doc.tree.get_mut(id)
            && let Node::Text(t) = n.value()
        {
            let trimmed = if end {
                t.trim_end_matches(|c: char| c.is_whitespace() || SEPARATORS.contains(&c))
            } else {
                t.trim_start_matches(|c: char| c.is_whitespace() || SEPARATORS.contains(&c))
            };
            if trimmed.len() != t.len() {
                // The space between the words and what follows is the gap's to mend.
                let keep = if end {
                    format!("{trimmed} ")
                } else {
                    format!(" {trimmed}")
                };
                t.text = keep.into();
            }
        }
    }
}

fn is_emptiable(node: NodeRef<'_, Node>) -> bool {
    matches!(node.value(), Node::Element(e) if listed(EMPTIABLE, e.name()))
}

fn is_link(node: &Node) -> bool {
    matches!(node, Node::Element(e) if e.name() == "a")
}

/// Whether the subtree holds visible text or media; with `lost_link`, text of nothing but
/// [`SEPARATORS`] does not count.
fn has_content(node: NodeRef<'_, Node>, lost_link: bool) -> bool {
    node.descendants().any(|n| match n.value() {
        Node::Text(t) => t
            .chars()
            .any(|c| !(c.is_whitespace() || lost_link && SEPARATORS.contains(&c))),
        Node::Element(e) => listed(MEDIA, e.name()),
        _ => false,
    })
}

/// Whether a container that lost a link holds nothing but a share bar's label ("Share this:",
/// "Follow us on:") and separators: a few words ending in a colon, which label nothing now.
fn label_only(node: NodeRef<'_, Node>, lost_link: bool) -> bool {
    const MAX_LABEL_CHARS: usize = 40;
    const MAX_LABEL_WORDS: usize = 4;
    if !lost_link {
        return false;
    }
    let mut label = String::new();
    for n in node.descendants() {
        match n.value() {
            Node::Text(t) => {
                label.extend(t.chars().filter(|c| !SEPARATORS.contains(c)));
                label.push(' ');
                if label.len() > MAX_LABEL_CHARS * 4 {
                    return false;
                }
            }
            Node::Element(e) if listed(MEDIA, e.name()) => return false,
            _ => {}
        }
    }
    let label = label.trim();
    label.ends_with(':')
        && label.chars().count() <= MAX_LABEL_CHARS
        && label.split_whitespace().count() <= MAX_LABEL_WORDS
}

/// What share bars put between their links.
const SEPARATORS: &[char] = &[
    '|', '\u{a6}', '\u{b7}', '\u{2022}', '-', '\u{2013}', '\u{2014}', '/',
];

/// Absolute http(s) `a href`s in document order, first occurrence kept. Fragment-only links
/// (`#top`) point into the article itself and are not outbound.
fn links(root: NodeRef<'_, Node>, base: Option<&Url>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    walk(root, |event| {
        if let Event::Enter(node) = event
            && let Node::Element(e) = node.value()
            && e.name() == "a"
            && let Some(url) = resolve(e.attr("href").map(str::trim).unwrap_or_default(), base)
            && seen.insert(url.clone())
        {
            out.push(url);
        }
        Step::Descend
    });
    out
}

fn resolve(href: &str, base: Option<&Url>) -> Option<String> {
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let url = match base {
        Some(base) => base.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_absolute_deduplicated_and_http_only() {
        let html = r##"<p><a href="/a">a</a> <a href="http://example.com/a">again</a>
            <a href="https://other.org/x?y=1&amp;z=2">x</a> <a href="mailto:me@x.com">m</a>
            <a href="javascript:alert(1)">j</a> <a href="#top">top</a> <a>none</a>
            <a href="relative">r</a></p>"##;
        let cleaned = clean_html(html, Some("http://example.com/post/"));
        assert_eq!(
            cleaned.links,
            [
                "http://example.com/a",
                "https://other.org/x?y=1&z=2",
                "http://example.com/post/relative"
            ]
        );
    }

    #[test]
    fn relative_links_without_base_are_dropped() {
        assert!(clean_html("<a href='/a'>a</a>", None).links.is_empty());
    }

    #[test]
    fn inline_strips_tags_and_collapses() {
        assert_eq!(clean_inline("  Hello\n\t<em>World</em>  "), "Hello World");
        assert_eq!(clean_inline("ISN&#8217;T"), "ISN\u{2019}T");
        assert_eq!(clean_inline("plain  text"), "plain text");
        assert_eq!(clean_inline("a<p>b</p>c"), "a b c");
        assert_eq!(clean_inline("x<script>alert(1)</script>"), "x");
        assert_eq!(clean_inline(""), "");
        assert_eq!(clean_inline("&rlm; &lrm;\u{2066}"), "");
        assert_eq!(clean_inline("&rlm;\u{5e9}"), "\u{200f}\u{5e9}");
    }

    #[test]
    fn inline_strips_escape_sequences() {
        assert_eq!(
            clean_inline("\u{1b}[2J\u{1b}[31mRed\u{1b}[0m title\u{7}"),
            "Red title"
        );
        assert_eq!(clean_inline("a&#27;[31mb"), "ab");
    }

    #[test]
    fn containers_left_empty_by_a_removal_go_too() {
        let html = r#"<div class="post"><p>Keep</p></div><div><p><span><a class="tt" href="http://twitter.com/home?s=1">t</a></span></p></div><p><img src="http://x/i.png"> <a class="tt" href="http://twitter.com/home">t</a></p>"#;
        let cleaned = clean_html(html, None);
        assert_eq!(
            cleaned.html,
            "<div><p>Keep</p></div><p><img src=\"http://x/i.png\"> </p>"
        );
    }

    #[test]
    fn separators_left_between_removed_share_links_go_too() {
        let html = r#"<p>Body.</p><p><a href="https://twitter.com/intent/tweet?u=x">Tweet this</a> | <a href="https://www.facebook.com/sharer/sharer.php?u=x">Share on Facebook</a></p><div><span>&middot; <a href="http://reddit.com/submit?u=x">Reddit</a> &bull; </span> / - &#8211;</div><p>After.</p>"#;
        let cleaned = clean_html(html, None);
        assert_eq!(cleaned.text, "Body.\nAfter.");
        assert_eq!(cleaned.html, "<p>Body.</p><p>After.</p>");
    }

    /// A share bar after words that are no label: its links went, its separators stayed
    /// ("Then | |"). Separators between words stay.
    #[test]
    fn separators_left_at_a_containers_edge_by_removed_share_links_go() {
        for (html, text) in [
            (
                r#"<p>Great post. Then <a href="https://twitter.com/intent/tweet?url=x">Tweet</a> | <a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a> | <a href="https://www.linkedin.com/shareArticle?url=x">LinkedIn</a></p><p>Next.</p>"#,
                "Great post. Then\nNext.",
            ),
            (
                r#"<p>Read on · <a href="https://twitter.com/intent/tweet?url=x">Tweet</a></p>"#,
                "Read on",
            ),
            (
                r#"<p><a href="https://twitter.com/intent/tweet?url=x">Tweet</a> | <a href="https://example.com/">Home</a> | About us</p>"#,
                "Home | About us",
            ),
        ] {
            assert_eq!(clean_html(html, None).text, text, "{html}");
        }
    }

    #[test]
    fn thousands_of_emptied_containers_in_one_block_are_looked_at_once() {
        // Each emptied span climbed to the paragraph, and each look at the paragraph walked
        // all it holds: quadratic. Once kept, a container is not looked at again.
        let spans: String = (0..10_000)
            .map(|i| {
                format!(
                    "<span><a href=\"https://twitter.com/intent/tweet?u={i}\">t</a></span><b></b>"
                )
            })
            .collect();
        let cleaned = clean_html(&format!("<p>start {spans} end</p>"), None);
        assert_eq!(cleaned.text, "start end");
    }

    #[test]
    fn a_share_bars_label_goes_with_it() {
        let html = r#"<p>Body.</p><p>Share this: <a href="https://twitter.com/share?u=1">Twitter</a> | <a href="https://www.facebook.com/sharer/sharer.php?u=1">Facebook</a></p><div><strong>Follow us on:</strong> <a href="https://twitter.com/intent/tweet?u=2">X</a></div><p>After.</p>"#;
        let cleaned = clean_html(html, None);
        assert_eq!(
            cleaned.text,
            "Body.
After."
        );
    }

    /// The label in an element of its own before the bar's list (Jetpack's markup without its
    /// classes, themes' "Share this:" headings) goes with the bar; a heading before anything
    /// else, or a sentence before a bar, stays.
    #[test]
    fn a_share_bars_label_in_its_own_element_goes_with_it() {
        let bar = r#"<ul><li><a href="https://twitter.com/intent/tweet?u=1">Twitter</a></li><li><a href="https://www.facebook.com/sharer/sharer.php?u=1">Facebook</a></li></ul>"#;
        for (html, text) in [
            (
                format!("<p>Body.</p><h3>Share this:</h3>\n{bar}<p>After.</p>"),
                "Body.\nAfter.",
            ),
            (
                format!("<p>Body.</p><p><strong>Share:</strong></p>{bar}"),
                "Body.",
            ),
            (
                "<p>Body.</p><h3>Share this:</h3><ul><li>one</li></ul>".to_string(),
                "Body.\nShare this:\n- one",
            ),
            (
                format!("<p>Body.</p><p>Here is what I think about all of this:</p>{bar}"),
                "Body.\nHere is what I think about all of this:",
            ),
            (
                format!("<h3>Share this:</h3><p>Body.</p>{bar}"),
                "Share this:\nBody.",
            ),
        ] {
            assert_eq!(clean_html(&html, None).text, text, "{html}");
        }
    }

    #[test]
    fn separators_that_are_content_stay() {
        for (html, text) in [
            // A section break the publisher wrote: nothing was removed from it.
            (
                "<p>One.</p><p>\u{2014}</p><p>***</p><p>* * *</p><p>-</p><p>Two.</p>",
                "One.\n\u{2014}\n***\n* * *\n-\nTwo.",
            ),
            // Something is left besides separators; the one that led to the removed link goes.
            (
                r#"<p>Via <a href="https://x.com/a">X</a> | <a href="https://twitter.com/intent/tweet?u=x">Tweet</a></p>"#,
                "Via X",
            ),
            // A paragraph nothing went from keeps its colon; a label with words after it is
            // prose (and the share link in it keeps its words).
            (
                r#"<p>Notes:</p><p>Read this: <a href="https://twitter.com/intent/tweet?u=x">Tweet</a> and more</p>"#,
                "Notes:\nRead this: Tweet and more",
            ),
            (
                r#"<p>1 / 2 <a href="https://twitter.com/intent/tweet?u=x">Tweet</a></p>"#,
                "1 / 2",
            ),
            // A tracking pixel is no share link: the section break it was put in stays.
            (
                r#"<p>One.</p><p>&mdash; <img src="http://x/p.gif" width="1" height="1"></p>"#,
                "One.\n\u{2014}",
            ),
        ] {
            assert_eq!(clean_html(html, None).text, text, "{html}");
        }
    }

    /// A removed tracking pixel made no break a reader saw, and leaves none: it split "Win" and
    /// "dows" once every removed inline element left a space.
    #[test]
    fn a_removed_pixel_leaves_nothing_between_the_words_around_it() {
        let pixel = r#"<img src="http://t.example/p.gif" width="1" height="1">"#;
        for (html, text) in [
            (format!("<p>Win{pixel}dows rocks.</p>"), "Windows rocks."),
            (format!("<p>He said \"hi{pixel}\" and 5{pixel}%.</p>"), "He said \"hi\" and 5%."),
            // A removed link with words still leaves a space between the words around it.
            (
                r#"<p>Thanks for reading<a class="tt" href="http://twitter.com/home?status=x">Tweet this</a>see you.</p>"#
                    .to_string(),
                "Thanks for reading see you.",
            ),
        ] {
            assert_eq!(clean_html(&html, None).text, text, "{html}");
        }
    }

    #[test]
    fn a_removed_block_between_bare_text_leaves_a_line_break() {
        for (html, text, sanitized) in [
            // A selector rule's block.
            (
                r#"Thanks for reading<div class="sharedaddy"><h3>Share this:</h3></div>See you"#,
                "Thanks for reading\nSee you",
                "Thanks for reading<br>See you",
            ),
            // Whitespace around it stays as it was.
            (
                "Thanks <form><input></form> See",
                "Thanks\nSee",
                "Thanks <br> See",
            ),
            // Inside inline markup on either side, and nested in an inline element.
            (
                r#"<div><b>Thanks</b><span><div class="sharedaddy">x</div></span><i>See</i></div>"#,
                "Thanks\nSee",
                "<div><b>Thanks</b><br><i>See</i></div>",
            ),
            // Between comment markers, with text of its own.
            (
                "Read<!-- Begin SexyBookmarks --> Share: <div>x</div> more<!-- End SexyBookmarks -->On",
                "Read\nOn",
                "Read<br>On",
            ),
            // A paragraph a text rule removes.
            (
                r#"Intro<p>The post <a href="/a">A</a> appeared first on <a href="/">B</a>.</p>Outro"#,
                "Intro\nOutro",
                "Intro<br>Outro",
            ),
            // A paragraph emptied by the removal of its only link.
            (
                r#"Thanks<p class="button-wrapper"><a class="button" href="https://x.substack.com/subscribe">Subscribe</a></p>See"#,
                "Thanks\nSee",
                "Thanks<br>See",
            ),
            // Two removed blocks in a row make one break.
            (
                r#"A<form></form><div class="sharedaddy">x</div>B"#,
                "A\nB",
                "A<br>B",
            ),
        ] {
            let cleaned = clean_html(html, None);
            assert_eq!(cleaned.text, text, "{html}");
            assert_eq!(cleaned.html, sanitized, "{html}");
        }
    }

    #[test]
    fn a_removed_block_next_to_a_break_leaves_nothing() {
        for (html, sanitized) in [
            (
                r#"<p>A</p><div class="sharedaddy">x</div><p>B</p>"#,
                "<p>A</p><p>B</p>",
            ),
            ("Thanks<form></form>", "Thanks"),
            ("<form></form>Thanks", "Thanks"),
            ("A<br><form></form>B", "A<br>B"),
            ("<div>A<form></form></div>", "<div>A</div>"),
            (
                r#"<ul><li>A<div class="sharedaddy">x</div></li><li>B</li></ul>"#,
                "<ul><li>A</li><li>B</li></ul>",
            ),
            // Across a table cell's edge.
            (
                "<table><tr><td>A<form></form></td><td>B</td></tr></table>",
                "<table><tbody><tr><td>A</td><td>B</td></tr></tbody></table>",
            ),
        ] {
            assert_eq!(clean_html(html, None).html, sanitized, "{html}");
        }
    }

    #[test]
    fn a_removed_inline_widget_between_two_words_leaves_a_space() {
        for (html, text) in [
            (
                r#"<p>One<a class="tt" href="http://twitter.com/home?status=x">t</a>Two</p>"#,
                "One Two",
            ),
            // A link-only container emptied by the removal.
            (
                r#"<p>One<span><a class="more-link" href="/p#more-1">Continue</a></span>Two</p>"#,
                "One Two",
            ),
            // Text between comment markers.
            (
                "<p>Word<!-- Begin SexyBookmarks -->x<!-- End SexyBookmarks -->more</p>",
                "Word more",
            ),
            // No space where there was one already, nor before punctuation.
            (
                r#"<p>One <a class="more-link" href="/p#more-1">Continue</a> two</p>"#,
                "One two",
            ),
            (
                r#"<p>Done<img src="http://feeds.feedburner.com/~r/x/~4/a" height="1" width="1">.</p>"#,
                "Done.",
            ),
            (
                r#"<p>(<a class="more-link" href="/p#more-1">Continue</a>see)</p>"#,
                "(see)",
            ),
        ] {
            let cleaned = clean_html(html, None);
            assert_eq!(cleaned.text, text, "{html}");
            assert!(!cleaned.html.contains("<br>"), "{html}: {}", cleaned.html);
        }
    }

    #[test]
    fn empty_input() {
        assert_eq!(clean_html("", None), CleanedHtml::default());
    }
}
