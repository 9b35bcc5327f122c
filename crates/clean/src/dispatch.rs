//! Which noise rules a node can meet at all, looked up once per node instead of asking every
//! rule.
//!
//! Every rule was tried on every element and text node of every article: even with the
//! [prefilter](crate::prefilter) in front of each selector, asking forty rules about each `<p>`
//! and `<em>` was a fifth of cleaning time. Each rule is filed instead under a fact its every
//! match must have: per alternative of its selector, an id, else a class, else the element's
//! name, else an attribute's name; a run of text under the first letter of its pattern. A node
//! then meets the rules filed under the facts it has, plus those that could not be filed.
//!
//! Like the prefilter, this only ever rules out: a rule it offers still makes its full check,
//! so the rules' finds are the same with it or without it. Two tests in `rules.rs` hold it to
//! that: `one_pass_finds_what_a_select_per_rule_finds` on every HTML body the repository and
//! the shared corpus hold, `dispatch_never_hides_a_match_of_random_rules` on random rules.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::prefilter::Facts;

/// A fact of an element that a rule can be filed under; names and values ASCII-lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key {
    Tag(String),
    Class(String),
    Id(String),
    Attribute(String),
}

/// The rules filed by what they need, as indexes into the rule table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dispatch {
    tags: HashMap<String, Vec<usize>>,
    classes: HashMap<String, Vec<usize>>,
    ids: HashMap<String, Vec<usize>>,
    attributes: HashMap<String, Vec<usize>>,
    /// Element rules with an alternative that any element may meet.
    every_element: Vec<usize>,
    /// Text-node rules by the first letter (ASCII, lowercased) their text must start with.
    text_by_first: HashMap<u8, Vec<usize>>,
    /// Text-node rules whose pattern does not start with an ASCII letter.
    every_text: Vec<usize>,
}

impl Dispatch {
    /// File rule `rule` for elements: under each of `keys` (one per alternative of its
    /// selector), or for every element when some alternative has none (`None`).
    pub(crate) fn file_element_rule(&mut self, rule: usize, keys: Option<Vec<Key>>) {
        let Some(keys) = keys else {
            self.every_element.push(rule);
            return;
        };
        for key in keys {
            let (map, name) = match key {
                Key::Tag(n) => (&mut self.tags, n),
                Key::Class(n) => (&mut self.classes, n),
                Key::Id(n) => (&mut self.ids, n),
                Key::Attribute(n) => (&mut self.attributes, n),
            };
            let rules = map.entry(name).or_default();
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
    }

    /// File rule `rule` for text nodes whose text starts with `first` (see [`first_letter`]),
    /// or for every text node.
    pub(crate) fn file_text_rule(&mut self, rule: usize, first: Option<u8>) {
        match first {
            Some(b) => self.text_by_first.entry(b).or_default().push(rule),
            None => self.every_text.push(rule),
        }
    }

    /// The rules the element of `facts` may meet, into `out` (cleared first), in table order.
    pub(crate) fn element_rules(&self, facts: &Facts<'_>, out: &mut Vec<usize>) {
        out.clear();
        out.extend_from_slice(&self.every_element);
        let mut add = |map: &HashMap<String, Vec<usize>>, name: &str| {
            if map.is_empty() {
                return;
            }
            if let Some(rules) = map.get(lower(name).as_ref()) {
                out.extend_from_slice(rules);
            }
        };
        let element = facts.element();
        add(&self.tags, element.name());
        if let Some(id) = facts.id() {
            add(&self.ids, id);
        }
        if let Some(class) = facts.class() {
            for token in class.split_ascii_whitespace() {
                add(&self.classes, token);
            }
        }
        if !self.attributes.is_empty() {
            for (name, _) in element.attrs() {
                add(&self.attributes, name);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// The rules a text node starting with `first` (see [`first_letter`]) may meet: those
    /// filed under that letter and those filed under none, or every text rule when `first` is
    /// `None`.
    pub(crate) fn text_rules(&self, first: Option<u8>, out: &mut Vec<usize>) {
        out.clear();
        out.extend_from_slice(&self.every_text);
        match first {
            Some(b) => {
                if let Some(rules) = self.text_by_first.get(&b) {
                    out.extend_from_slice(rules);
                }
            }
            None => out.extend(self.text_by_first.values().flatten()),
        }
        out.sort_unstable();
    }

    /// Whether any rule is filed for text nodes.
    pub(crate) fn has_text_rules(&self) -> bool {
        !(self.every_text.is_empty() && self.text_by_first.is_empty())
    }
}

/// The first character of `text` that is not whitespace (as `char::is_whitespace` has it, which
/// the full check skips), ASCII-lowercased, when it is ASCII; `None` when the text is blank or
/// starts with another character (whose lowercase form may take several letters, so it rules
/// nothing out).
pub(crate) fn first_letter(text: &str) -> Option<u8> {
    text.chars()
        .find(|c| !c.is_whitespace())
        .filter(char::is_ascii)
        .map(|c| c.to_ascii_lowercase() as u8)
}

/// The letter a text must start with to match `pattern` (normalised, see
/// `normalise_for_match`): the first byte of its text before any wildcard or link, when that
/// text is ASCII and does not start with a space; `None` (no letter rules anything out)
/// otherwise.
pub(crate) fn pattern_letter(prefix: &str) -> Option<u8> {
    let first = *prefix.as_bytes().first()?;
    (prefix.is_ascii() && !(first as char).is_whitespace()).then_some(first)
}

fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_letter_skips_space_and_gives_up_on_other_characters() {
        assert_eq!(first_letter("  \n The post"), Some(b't'));
        assert_eq!(first_letter("   "), None);
        assert_eq!(first_letter("\u{2019}Tis"), None);
        assert_eq!(first_letter("\u{e9}t\u{e9}"), None);
        // A no-break space and a vertical tab are whitespace to the full check, though not
        // to `is_ascii_whitespace`.
        assert_eq!(first_letter("\u{a0}The"), Some(b't'));
        assert_eq!(first_letter("\u{b}Tis"), Some(b't'));
        assert_eq!(pattern_letter("the post "), Some(b't'));
        assert_eq!(pattern_letter(" the"), None);
        assert_eq!(pattern_letter("l\u{2019}article "), None);
        assert_eq!(pattern_letter(""), None);
    }

    #[test]
    fn text_rules_without_a_letter_offer_every_text_rule() {
        let mut d = Dispatch::default();
        d.file_text_rule(0, Some(b't'));
        d.file_text_rule(1, None);
        d.file_text_rule(2, Some(b'd'));
        let mut out = Vec::new();
        d.text_rules(Some(b't'), &mut out);
        assert_eq!(out, [0, 1]);
        d.text_rules(Some(b'x'), &mut out);
        assert_eq!(out, [1]);
        d.text_rules(None, &mut out);
        assert_eq!(out, [0, 1, 2]);
    }
}
