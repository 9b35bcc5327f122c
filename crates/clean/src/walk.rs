//! Iterative depth-first traversal of a scraper tree, with subtrees skippable.
//!
//! Why not recursion: documents can nest thousands of levels deep (issue 5.7), and a recursive
//! walk would overflow the stack. This one keeps no stack at all: it moves through the tree's
//! first-child, next-sibling and parent links.

use ego_tree::NodeRef;
use scraper::Node;

/// What the walk reports: entering a node, and leaving it after its subtree.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event<'a> {
    Enter(NodeRef<'a, Node>),
    Leave(NodeRef<'a, Node>),
}

/// The visitor's answer to [`Event::Enter`]: walk into the node's children, skip them, or end
/// the walk there (no more events, not even the `Leave`s of the open nodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Descend,
    Skip,
    Stop,
}

/// Visit the descendants of `root` (not `root` itself) in document order. Every `Enter` is
/// followed by its `Leave`; `Leave`'s return value is ignored.
pub(crate) fn walk<'a>(root: NodeRef<'a, Node>, mut visit: impl FnMut(Event<'a>) -> Step) {
    let mut next = root.first_child();
    while let Some(node) = next {
        let step = visit(Event::Enter(node));
        if step == Step::Stop {
            return;
        }
        if step == Step::Descend
            && let Some(child) = node.first_child()
        {
            next = Some(child);
            continue;
        }
        // Leave this node, then every ancestor whose last child it was, up to `root`.
        let mut current = node;
        visit(Event::Leave(current));
        next = loop {
            if let Some(sibling) = current.next_sibling() {
                break Some(sibling);
            }
            match current.parent() {
                Some(parent) if parent != root => {
                    visit(Event::Leave(parent));
                    current = parent;
                }
                _ => break None,
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn trace(html: &str, skip: &str) -> String {
        let doc = Html::parse_fragment(html);
        let mut out = String::new();
        walk(doc.tree.root(), |event| match event {
            Event::Enter(n) => match n.value() {
                Node::Element(e) => {
                    out.push_str(&format!("<{}>", e.name()));
                    if e.name() == skip {
                        Step::Skip
                    } else {
                        Step::Descend
                    }
                }
                Node::Text(t) => {
                    out.push_str(t);
                    Step::Descend
                }
                _ => Step::Descend,
            },
            Event::Leave(n) => {
                if let Node::Element(e) = n.value() {
                    out.push_str(&format!("</{}>", e.name()));
                }
                Step::Descend
            }
        });
        out
    }

    #[test]
    fn visits_in_document_order() {
        assert_eq!(
            trace("<p>a<b>b</b></p><p>c</p>", ""),
            "<html><p>a<b>b</b></p><p>c</p></html>"
        );
    }

    #[test]
    fn skips_subtrees() {
        assert_eq!(
            trace("<p>a<b>b</b>c</p>", "b"),
            "<html><p>a<b></b>c</p></html>"
        );
    }

    #[test]
    fn deep_trees_do_not_overflow_the_stack() {
        let mut tree = ego_tree::Tree::new(Node::Document);
        let mut id = tree.root().id();
        for _ in 0..200_000 {
            let Some(mut node) = tree.get_mut(id) else {
                break;
            };
            id = node.append(Node::Document).id();
        }
        let mut count = 0;
        walk(tree.root(), |_| {
            count += 1;
            Step::Descend
        });
        assert_eq!(count, 400_000);
    }
}
