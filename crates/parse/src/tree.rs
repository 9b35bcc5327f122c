//! A small element tree of a document that `wellform` has already checked, for the readers
//! that need to look around (Atom's text constructs, inherited authors, xml:base).
//!
//! Built iteratively (no recursion while building); depth is already capped by `wellform`, so
//! the recursive helpers below are bounded. Element names carry their resolved namespace
//! (Namespaces in XML 1.0), so `atom:entry` and a default-namespace `entry` are the same.

use std::fmt::Write as _;

use quick_xml::NsReader;
use quick_xml::escape::{escape, resolve_xml_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

/// One element with its resolved namespace.
#[derive(Debug, Default)]
pub(crate) struct Element {
    /// Namespace URI, if bound.
    pub ns: Option<String>,
    /// Local name.
    pub local: String,
    /// Attributes by qualified name, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// Children in document order.
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

/// Build the tree of a well-formed document; the error says why there is none (no root
/// element, or what the reader refused: more than 128 namespace declarations on one element).
pub(crate) fn build(xml: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    // `wellform` produced this document, so errors are rare; stop at one, and say it if it
    // leaves no tree.
    let mut failure = None;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok(read) => read,
            Err(quick_xml::Error::Namespace(quick_xml::name::NamespaceError::TooManyBindings(
                limit,
            ))) => {
                // The reader's bound on untrusted input (prefix lookups scan every binding).
                failure = Some(format!(
                    "more than {limit} namespace declarations in scope, more than kb reads"
                ));
                break;
            }
            Err(e) => {
                failure = Some(e.to_string());
                break;
            }
        };
        let ns = namespace(ns);
        match event {
            Event::Start(start) => stack.push(element(ns, &start)),
            Event::Empty(start) => {
                let el = element(ns, &start);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else { break };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => return Ok(el),
                }
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content()),
            Event::CData(data) => push_text(&mut stack, &data.xml10_content()),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => resolve_xml_entity(&reference).unwrap_or("").to_owned(),
                };
                push_text(&mut stack, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // Unclosed elements cannot happen after `wellform`; fold them up anyway.
    let Some(mut root) = stack.pop() else {
        return Err(failure.unwrap_or_else(|| "no root element".to_owned()));
    };
    while let Some(mut parent) = stack.pop() {
        parent.children.push(Node::Element(root));
        root = parent;
    }
    Ok(root)
}

/// An element's namespace: the one its prefix is bound to, or, for a prefix never declared,
/// the module kb reads under that prefix (`media:`, `itunes:`, `dc:`), as RSS documents are
/// read (wellform.rs) and as feedparser reads any document: a feed that forgot to declare
/// `media:` means Media RSS.
fn namespace(ns: ResolveResult<'_>) -> Option<String> {
    match ns {
        ResolveResult::Bound(ns) => Some(ns.as_ref().to_owned()),
        ResolveResult::Unknown(prefix) => {
            crate::wellform::module_of_prefix(&prefix).map(|(_, uri)| uri.to_owned())
        }
        ResolveResult::Unbound => None,
    }
}

fn element(ns: Option<String>, start: &BytesStart<'_>) -> Element {
    let qname = start.name();
    let qname: &str = qname.as_ref();
    let local = qname.rsplit(':').next().unwrap_or(qname).to_owned();
    let attrs = start
        .attributes()
        .with_checks(false)
        .flatten()
        .map(|a| {
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string());
            (a.key.as_ref().to_owned(), value)
        })
        .collect();
    Element {
        ns,
        local,
        attrs,
        children: Vec::new(),
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    let Some(top) = stack.last_mut() else { return };
    match top.children.last_mut() {
        Some(Node::Text(prev)) => prev.push_str(text),
        _ => top.children.push(Node::Text(text.to_owned())),
    }
}

impl Element {
    /// The value of the attribute with this qualified name (or this local name, any prefix).
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .or_else(|| {
                self.attrs
                    .iter()
                    .find(|(k, _)| k.rsplit(':').next() == Some(name) && k.contains(':'))
            })
            .map(|(_, v)| v.as_str())
    }

    /// Child elements in document order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Child elements with this local name in one of `namespaces` (`None` matches unbound).
    pub(crate) fn all<'a>(
        &'a self,
        namespaces: &'a [Option<&'a str>],
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements()
            .filter(move |e| e.local == local && namespaces.contains(&e.ns.as_deref()))
    }

    /// The first such child.
    pub(crate) fn first(&self, namespaces: &[Option<&str>], local: &str) -> Option<&Element> {
        self.elements()
            .find(|e| e.local == local && namespaces.contains(&e.ns.as_deref()))
    }

    /// Put this element and its descendants in namespace `to` where they are in `from`.
    /// Recursive, bounded by the depth `wellform` allows.
    pub(crate) fn rename_namespace(&mut self, from: &str, to: &str) {
        if self.ns.as_deref() == Some(from) {
            self.ns = Some(to.to_owned());
        }
        for child in &mut self.children {
            if let Node::Element(e) = child {
                e.rename_namespace(from, to);
            }
        }
    }

    /// All descendant text, concatenated.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for child in &self.children {
            match child {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.collect_text(out),
            }
        }
    }

    /// The children serialized as markup (for Atom xhtml constructs), prefixes and namespace
    /// declarations dropped so the cleaner sees plain HTML.
    pub(crate) fn inner_markup(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            serialize(child, &mut out);
        }
        out
    }
}

fn serialize(node: &Node, out: &mut String) {
    match node {
        Node::Text(t) => out.push_str(&escape(t.as_str())),
        Node::Element(e) => {
            out.push('<');
            out.push_str(&e.local);
            for (k, v) in &e.attrs {
                if k == "xmlns" || k.starts_with("xmlns:") {
                    continue;
                }
                // Writing to a String cannot fail.
                let _ = write!(out, " {k}=\"{}\"", escape(v.as_str()));
            }
            out.push('>');
            for child in &e.children {
                serialize(child, out);
            }
            // An HTML parser reads `</br>` as a second `<br>` (and `</p>` with no `<p>` open as
            // an empty paragraph): a void element gets no end tag. XML may give it content,
            // which HTML cannot; written after it, that content is kept.
            if !VOID.contains(&e.local.as_str()) {
                let _ = write!(out, "</{}>", e.local);
            }
        }
    }
}

/// HTML's void elements (WHATWG HTML 13.1.2, with the obsolete ones its parser still knows):
/// written as a start tag alone.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_resolved_and_text_joined() {
        let root = build(r#"<a:feed xmlns:a="urn:x"><a:t>x &amp; <![CDATA[<y>]]></a:t></a:feed>"#)
            .unwrap();
        assert_eq!(root.ns.as_deref(), Some("urn:x"));
        let t = root.first(&[Some("urn:x")], "t").unwrap();
        assert_eq!(t.text(), "x & <y>");
    }

    #[test]
    fn inner_markup_drops_prefixes() {
        let root = build(
            r#"<c><x:div xmlns:x="http://www.w3.org/1999/xhtml"><x:p class="a">1 &lt; 2</x:p></x:div></c>"#,
        )
        .unwrap();
        assert_eq!(
            root.inner_markup(),
            r#"<div><p class="a">1 &lt; 2</p></div>"#
        );
    }

    #[test]
    fn void_elements_have_no_end_tag() {
        // `<br></br>` is two line breaks to an HTML parser.
        let root = build(
            r#"<c><div xmlns="http://www.w3.org/1999/xhtml"><p>one<br/>two<br />three</p><hr/><p><img src="i.png" alt="i"/> tail<wbr/>x</p><p/><table><col span="2"/></table></div></c>"#,
        )
        .unwrap();
        assert_eq!(
            root.inner_markup(),
            r#"<div><p>one<br>two<br>three</p><hr><p><img src="i.png" alt="i"> tail<wbr>x</p><p></p><table><col span="2"></table></div>"#
        );
    }
}
