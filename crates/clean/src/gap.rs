//! What a removed widget leaves behind: the break it made between the words around it.
//!
//! A block (a share box, a form, a related-posts list) between two runs of bare text ends one
//! line and starts another; detached alone, it would glue the last word before it to the first
//! after it ("reading" and "See" became "readingSee", a word no search finds). An inline
//! widget between two words glues them the same way. So each removal first leaves a gap
//! marker, and once every removal is done, [`mend`] turns each gap that stands between text of
//! one line into a `<br>` (after a block) or a space (after an inline widget), and drops the
//! others: a widget between two paragraphs, or at the end of one, leaves nothing.
//!
//! The markers are done in two steps because removals come in runs (the comments, text and
//! div between SexyBookmarks' markers; a link, then the paragraph it emptied): only when all
//! are gone can one tell what a gap stands between.

use ego_tree::{NodeId, NodeRef};
use html5ever::tendril::StrTendril;
use html5ever::{LocalName, QualName, ns};
use scraper::node::{Comment, Element, Text};
use scraper::{Html, Node};

use crate::names::listed;
use crate::sanitize::is_hidden_foreign_text;
use crate::text::{BLOCKS, BOXES, SKIPPED, is_invisible};

/// The marker comments. No parser makes a comment with NUL in it (html5ever replaces it, the
/// fast path declines input that holds one), so a publisher's comment is never taken for one.
const BLOCK_GAP: &str = "\0kb:block-gap";
const INLINE_GAP: &str = "\0kb:inline-gap";

/// Nodes a gap's look at one side of it passes before it gives up (and leaves nothing): the
/// next word is a few nodes away, and the bound keeps a paragraph of thousands of removed share
/// links linear to mend.
const NEAR_NODES: usize = 64;

/// Put a gap marker before the node `id`, which is about to be detached, when it made a break
/// a reader would see: a block, or inline content with text (a link's words). Comments,
/// scripts, whitespace and an inline element without text (a 1×1 tracking pixel, an icon
/// inside `Win<img>dows`) made none. Returns the marker's id.
pub(crate) fn leave(doc: &mut Html, id: NodeId) -> Option<NodeId> {
    let node = doc.tree.get(id)?;
    node.parent()?;
    let kind = match node.value() {
        Node::Text(t) if t.chars().all(|c| c.is_whitespace() || is_invisible(c)) => return None,
        Node::Text(_) => INLINE_GAP,
        Node::Element(e) if listed(SKIPPED, e.name()) || is_hidden_foreign_text(e) => {
            return None;
        }
        Node::Element(_) if node.descendants().any(is_block) => BLOCK_GAP,
        // A container emptied by an earlier removal carries that removal's gap out with it.
        Node::Element(_) if node.descendants().any(|n| has_visible_text(n) || is_gap(n)) => {
            INLINE_GAP
        }
        Node::Element(_) => return None,
        _ => return None,
    };
    let mut node = doc.tree.get_mut(id)?;
    let gap = node.insert_before(Node::Comment(Comment {
        comment: StrTendril::from(kind),
    }));
    Some(gap.id())
}

/// Turn each of `gaps` still in the tree into a `<br>`, a space or nothing (see the module
/// doc), and remove the markers.
pub(crate) fn mend(doc: &mut Html, gaps: &[NodeId]) {
    // Blocks first: a line break next to an inline gap leaves that one nothing to separate.
    let (blocks, inline): (Vec<NodeId>, Vec<NodeId>) = gaps.iter().partition(|&&id| {
        doc.tree
            .get(id)
            .is_some_and(|gap| matches!(gap.value(), Node::Comment(c) if &*c.comment == BLOCK_GAP))
    });
    for id in blocks.into_iter().chain(inline) {
        let Some(gap) = doc.tree.get(id) else {
            continue;
        };
        // A gap inside a container removed later went with it.
        if gap.ancestors().last().map(|root| root.id()) != Some(doc.tree.root().id()) {
            continue;
        }
        let Node::Comment(c) = gap.value() else {
            continue;
        };
        let fill = if &*c.comment == BLOCK_GAP {
            let before = look(gap, Dir::Back, true);
            let after = look(gap, Dir::Forward, true);
            matches!(before, Seen::Char(_) | Seen::Box)
                && matches!(after, Seen::Char(_) | Seen::Box)
        } else {
            match (look(gap, Dir::Back, false), look(gap, Dir::Forward, false)) {
                (Seen::Char(before), Seen::Char(after)) => {
                    !before.is_whitespace()
                        && !after.is_whitespace()
                        && !OPENING.contains(&before)
                        && !CLOSING.contains(&after)
                }
                _ => false,
            }
        };
        let is_block = &*c.comment == BLOCK_GAP;
        if let Some(mut gap) = doc.tree.get_mut(id) {
            if fill && is_block {
                gap.insert_before(Node::Element(Element::new(
                    QualName::new(None, ns!(html), LocalName::from("br")),
                    Vec::new(),
                )));
            } else if fill {
                gap.insert_before(Node::Text(Text {
                    text: StrTendril::from(" "),
                }));
            }
            gap.detach();
        }
    }
}

/// Punctuation that belongs to the word after it: no space is put after it.
const OPENING: &[char] = &[
    '(', '[', '{', '\u{201c}', '\u{2018}', '\u{ab}', '\u{bf}', '\u{a1}',
];

/// Punctuation that belongs to the word before it: no space is put before it.
const CLOSING: &[char] = &[
    '.', ',', ';', ':', '!', '?', ')', ']', '}', '\u{201d}', '\u{2019}', '\u{bb}', '\u{2026}',
];

fn has_visible_text(node: NodeRef<'_, Node>) -> bool {
    matches!(node.value(), Node::Text(t) if t.chars().any(|c| !(c.is_whitespace() || is_invisible(c))))
}

/// Whether `node` is a gap marker [`leave`] put.
pub(crate) fn is_gap(node: NodeRef<'_, Node>) -> bool {
    matches!(node.value(), Node::Comment(c) if &*c.comment == BLOCK_GAP || &*c.comment == INLINE_GAP)
}

fn is_block(node: NodeRef<'_, Node>) -> bool {
    match node.value() {
        Node::Element(e) => e.name() == "br" || listed(BLOCKS, e.name()),
        Node::Comment(c) => &*c.comment == BLOCK_GAP,
        _ => false,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Dir {
    Back,
    Forward,
}

/// What a gap's neighbour on one side is, within its line.
#[derive(Debug, PartialEq)]
enum Seen {
    /// A visible character of the line (with `skip_space`, the nearest that is no whitespace).
    Char(char),
    /// An image or other box of the line.
    Box,
    /// The line ends first: a block, a `<br>`, a table cell or the document; or the look gave
    /// up.
    Edge,
}

/// Walk from `gap` in `dir`, through inline elements (into them, and out of those around the
/// gap), to the first thing of the line: see [`Seen`]. Other gaps are passed over.
fn look(gap: NodeRef<'_, Node>, dir: Dir, skip_space: bool) -> Seen {
    let mut budget = NEAR_NODES;
    let mut at = gap;
    let mut enter = false;
    loop {
        let child = if enter {
            match dir {
                Dir::Back => at.last_child(),
                Dir::Forward => at.first_child(),
            }
        } else {
            None
        };
        let next = match child.or_else(|| sibling(at, dir)) {
            Some(next) => next,
            None => {
                // Out of `at`'s parent, which the line goes on through only if it is inline.
                let mut up = at;
                loop {
                    let Some(parent) = up.parent() else {
                        return Seen::Edge;
                    };
                    if !is_inline(parent) {
                        return Seen::Edge;
                    }
                    if let Some(next) = sibling(parent, dir) {
                        break next;
                    }
                    up = parent;
                }
            }
        };
        budget -= 1;
        if budget == 0 {
            return Seen::Edge;
        }
        at = next;
        enter = false;
        match at.value() {
            Node::Text(t) => {
                let visible =
                    |c: &char| !((c.is_control() && !c.is_whitespace()) || is_invisible(*c));
                let found = match dir {
                    Dir::Back => t
                        .chars()
                        .rev()
                        .filter(visible)
                        .find(|c| !(skip_space && c.is_whitespace())),
                    Dir::Forward => t
                        .chars()
                        .filter(visible)
                        .find(|c| !(skip_space && c.is_whitespace())),
                };
                if let Some(c) = found {
                    return Seen::Char(c);
                }
            }
            Node::Element(e) if e.name() == "br" || listed(BLOCKS, e.name()) => return Seen::Edge,
            Node::Element(e) if matches!(e.name(), "td" | "th") => return Seen::Edge,
            Node::Element(e) if listed(SKIPPED, e.name()) || is_hidden_foreign_text(e) => {}
            Node::Element(e) if e.name() == "img" || listed(BOXES, e.name()) => return Seen::Box,
            Node::Element(_) => enter = true,
            _ => {}
        }
    }
}

fn sibling(node: NodeRef<'_, Node>, dir: Dir) -> Option<NodeRef<'_, Node>> {
    match dir {
        Dir::Back => node.prev_sibling(),
        Dir::Forward => node.next_sibling(),
    }
}

/// An element the line runs through: not a block, a cell, or the fragment's root.
fn is_inline(node: NodeRef<'_, Node>) -> bool {
    matches!(node.value(), Node::Element(e)
        if !(listed(BLOCKS, e.name()) || matches!(e.name(), "td" | "th" | "html" | "body")))
}
