//! A cheap necessary condition in front of a noise rule's CSS selector.
//!
//! Full selector matching costs a matching context per element, and every rule is tried on
//! every element of every article: it was an eighth of ingest time. Most rules name what they
//! want in the selector's last compound (`div.sharedaddy`, `a[href*="twitter.com/home"]`), so
//! a quick look at the element's name, classes, id and attributes rules out nearly every
//! element first. The check only ever says "no" when the selector cannot match: it compares
//! case-insensitively where the selector would not, and any syntax it does not model (pseudo
//! classes, escapes, namespaces) turns it off for that alternative.

use std::borrow::Cow;
use std::cell::OnceCell;

use aho_corasick::AhoCorasick;
use scraper::node::Element;

use crate::dispatch::Key;

/// Per alternative of a selector list: what its subject element must have, or `None` when the
/// alternative is not understood (every element is then a candidate).
#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    alternatives: Vec<Option<Need>>,
    /// The element name every alternative needs, when they agree: checked once, so a long
    /// list like the sixteen `a[href*=...]` of share-links costs one comparison on the many
    /// elements that are not links.
    tag: Option<String>,
    /// When every alternative is `tag[attr*="..."]` on the same attribute (share-links): the
    /// substrings in one automaton, so a link's href is searched once, not once per service.
    any_of: Option<(usize, AhoCorasick)>,
    /// What [`Prefilter::keys`] gives.
    keys: Option<Vec<Key>>,
}

/// What the subject of one alternative needs: all names ASCII-lowercased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Need {
    tag: Option<String>,
    classes: Vec<String>,
    ids: Vec<String>,
    attributes: Vec<AttributeNeed>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AttributeNeed {
    name: String,
    /// Its index in [`CASE_SENSITIVE_VALUES`], whose values [`Facts`] keeps.
    slot: Option<usize>,
    /// The operator and lowercased value, checked only for attributes whose values selectors
    /// compare case-sensitively in HTML (so a case-insensitive check is a superset).
    value: Option<(Op, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equals,
    Word,
    DashPrefix,
    Prefix,
    Suffix,
    Contains,
}

/// Attributes whose values are matched case-sensitively by selectors in HTML documents.
const CASE_SENSITIVE_VALUES: [&str; 4] = ["class", "href", "id", "src"];
const CLASS: usize = 0;
const ID: usize = 2;

impl Prefilter {
    /// The prefilter of a selector list as written (already known to parse).
    pub(crate) fn new(selector: &str) -> Prefilter {
        let alternatives = match split_top_level(selector, |c| c == ',') {
            Some(parts) => parts
                .into_iter()
                .map(|alt| last_compound(alt).and_then(need))
                .collect(),
            None => vec![None],
        };
        let first = alternatives.first().and_then(|a| a.as_ref()?.tag.clone());
        let tag = first.filter(|t| {
            alternatives
                .iter()
                .all(|a| a.as_ref().is_some_and(|n| n.tag.as_ref() == Some(t)))
        });
        let any_of = tag.as_ref().and_then(|_| contains_any(&alternatives));
        // A pseudo-class turns the prefilter off, but what comes before it is still needed
        // (`.kg-cta-card:has(...)` is a `.kg-cta-card`).
        let keys = split_top_level(selector, |c| c == ',').and_then(|parts| {
            parts
                .into_iter()
                .map(|alt| {
                    let compound = last_compound(alt)?;
                    let before = split_top_level(compound, |c| c == ':')?
                        .into_iter()
                        .next()?;
                    need(before)?.key()
                })
                .collect()
        });
        Prefilter {
            alternatives,
            tag,
            any_of,
            keys,
        }
    }

    /// False only when no alternative of the selector can match `element`.
    #[cfg(test)]
    pub(crate) fn may_match(&self, element: &Element) -> bool {
        self.may_match_facts(&Facts::of(element))
    }

    /// What the selector's subject must have, one [`Key`] per alternative (see
    /// [`crate::dispatch`]); `None` when some alternative may match any element.
    pub(crate) fn keys(&self) -> Option<Vec<Key>> {
        self.keys.clone()
    }

    /// [`Prefilter::may_match`] with the element's facts gathered once for every rule.
    pub(crate) fn may_match_facts(&self, facts: &Facts<'_>) -> bool {
        if let Some(tag) = &self.tag
            && !facts.element.name().eq_ignore_ascii_case(tag)
        {
            return false;
        }
        if let Some((slot, automaton)) = &self.any_of {
            return facts.values[*slot].is_some_and(|v| automaton.is_match(v));
        }
        self.alternatives.iter().any(|alt| match alt {
            None => true,
            Some(need) => need.met_by(facts),
        })
    }
}

/// The automaton of [`Prefilter::any_of`], when every alternative (all of one tag) needs only
/// that one attribute to contain a value; `None` otherwise.
fn contains_any(alternatives: &[Option<Need>]) -> Option<(usize, AhoCorasick)> {
    let mut slot = None;
    let mut wants = Vec::new();
    for need in alternatives {
        let need = need.as_ref()?;
        let ([attribute], true, true) = (
            need.attributes.as_slice(),
            need.classes.is_empty(),
            need.ids.is_empty(),
        ) else {
            return None;
        };
        let (Some(s), Some((Op::Contains, want))) = (attribute.slot, &attribute.value) else {
            return None;
        };
        if *slot.get_or_insert(s) != s {
            return None;
        }
        wants.push(want.as_str());
    }
    // Selectors compare these values case-sensitively: ignoring case can only say "maybe"
    // more often, never "no" wrongly.
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&wants)
        .ok()?;
    Some((slot?, automaton))
}

/// What every rule's prefilter looks at, read once per element: most elements of an article
/// (`p`, `li`, `em`) have no attributes at all, and the rest have a class or an id that each
/// rule would otherwise look up again.
pub(crate) struct Facts<'a> {
    element: &'a Element,
    bare: bool,
    /// The values of the [`CASE_SENSITIVE_VALUES`] attributes, in that order...
    values: [Option<&'a str>; CASE_SENSITIVE_VALUES.len()],
    /// ...and each lowercased once, when a rule first compares it (share-links alone compares
    /// a link's href sixteen times).
    lowered: [OnceCell<Cow<'a, str>>; CASE_SENSITIVE_VALUES.len()],
}

impl<'a> Facts<'a> {
    pub(crate) fn of(element: &'a Element) -> Facts<'a> {
        let mut facts = Facts {
            element,
            bare: true,
            values: [None; CASE_SENSITIVE_VALUES.len()],
            lowered: Default::default(),
        };
        for (name, value) in element.attrs() {
            facts.bare = false;
            if let Some(i) = CASE_SENSITIVE_VALUES
                .iter()
                .position(|n| name.eq_ignore_ascii_case(n))
            {
                facts.values[i] = Some(value);
            }
        }
        facts
    }

    pub(crate) fn element(&self) -> &'a Element {
        self.element
    }

    pub(crate) fn class(&self) -> Option<&'a str> {
        self.values[CLASS]
    }

    pub(crate) fn id(&self) -> Option<&'a str> {
        self.values[ID]
    }

    fn lowered(&self, slot: usize, value: &'a str) -> &str {
        self.lowered[slot].get_or_init(|| {
            if value.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(value.to_ascii_lowercase())
            } else {
                Cow::Borrowed(value)
            }
        })
    }
}

impl Need {
    /// The most telling fact every match has: an id, else a class, else the element's name,
    /// else an attribute's name (`class` and `href` are on many elements).
    fn key(&self) -> Option<Key> {
        if let Some(id) = self.ids.first() {
            return Some(Key::Id(id.clone()));
        }
        if let Some(class) = self.classes.first() {
            return Some(Key::Class(class.clone()));
        }
        if let Some(tag) = &self.tag {
            return Some(Key::Tag(tag.clone()));
        }
        self.attributes
            .first()
            .map(|attribute| Key::Attribute(attribute.name.clone()))
    }

    fn met_by(&self, facts: &Facts<'_>) -> bool {
        let e = facts.element;
        if let Some(tag) = &self.tag
            && !e.name().eq_ignore_ascii_case(tag)
        {
            return false;
        }
        if facts.bare
            && !(self.ids.is_empty() && self.classes.is_empty() && self.attributes.is_empty())
        {
            return false;
        }
        let attr = |name: &str| {
            e.attrs()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        };
        if !self.ids.is_empty() {
            let Some(id) = facts.values[ID] else {
                return false;
            };
            if !self.ids.iter().all(|want| id.eq_ignore_ascii_case(want)) {
                return false;
            }
        }
        if !self.classes.is_empty() {
            let Some(class) = facts.values[CLASS] else {
                return false;
            };
            let has = |want: &str| {
                class
                    .split_ascii_whitespace()
                    .any(|c| c.eq_ignore_ascii_case(want))
            };
            if !self.classes.iter().all(|want| has(want)) {
                return false;
            }
        }
        self.attributes.iter().all(|need| {
            let value = match need.slot {
                Some(slot) => facts.values[slot],
                None => attr(&need.name),
            };
            match (value, need.slot, &need.value) {
                (None, ..) => false,
                (Some(value), Some(slot), Some((op, want))) => {
                    op.holds(facts.lowered(slot, value), want)
                }
                (Some(_), ..) => true,
            }
        })
    }
}

impl Op {
    fn holds(self, value: &str, want: &str) -> bool {
        match self {
            Op::Equals => value == want,
            Op::Word => value.split_ascii_whitespace().any(|w| w == want),
            Op::DashPrefix => {
                value == want
                    || value
                        .strip_prefix(want)
                        .is_some_and(|rest| rest.starts_with('-'))
            }
            Op::Prefix => value.starts_with(want),
            Op::Suffix => value.ends_with(want),
            Op::Contains => value.contains(want),
        }
    }
}

/// Split at `sep` outside brackets, parentheses and quotes; `None` if they don't balance.
fn split_top_level(s: &str, sep: impl Fn(char) -> bool) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None, 0);
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth = depth.checked_sub(1)?,
            (None, c) if depth == 0 && sep(c) => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    (depth == 0 && quote.is_none()).then(|| {
        parts.push(&s[start..]);
        parts
    })
}

/// The compound selector after the last combinator: the element the alternative selects.
fn last_compound(alternative: &str) -> Option<&str> {
    let parts = split_top_level(alternative.trim(), |c| {
        c.is_whitespace() || matches!(c, '>' | '+' | '~')
    })?;
    parts
        .into_iter()
        .rev()
        .find(|p| !p.is_empty())
        .map(str::trim)
}

fn need(compound: &str) -> Option<Need> {
    let mut need = Need::default();
    let mut rest = compound;
    if let Some(r) = rest.strip_prefix('*') {
        rest = r;
    } else if let Some((tag, r)) = ident(rest) {
        need.tag = Some(tag);
        rest = r;
    }
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let (class, r) = ident(r)?;
            need.classes.push(class);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('#') {
            let (id, r) = ident(r)?;
            need.ids.push(id);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('[') {
            let (attribute, r) = attribute(r)?;
            need.attributes.push(attribute);
            rest = r;
        } else {
            // Pseudo-classes, escapes, namespaces: not modelled.
            return None;
        }
    }
    Some(need)
}

/// A CSS identifier of ASCII letters, digits, `-` and `_`, lowercased, and what follows it.
fn ident(s: &str) -> Option<(String, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| (s[..end].to_ascii_lowercase(), &s[end..]))
}

/// The inside of `[...]` (after the `[`) and what follows the `]`.
fn attribute(s: &str) -> Option<(AttributeNeed, &str)> {
    let (name, rest) = ident(s.trim_start())?;
    let rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix(']') {
        let slot = slot_of(&name);
        return Some((
            AttributeNeed {
                name,
                slot,
                value: None,
            },
            after,
        ));
    }
    let (op, rest) = [
        ("~=", Op::Word),
        ("|=", Op::DashPrefix),
        ("^=", Op::Prefix),
        ("$=", Op::Suffix),
        ("*=", Op::Contains),
        ("=", Op::Equals),
    ]
    .into_iter()
    .find_map(|(token, op)| rest.strip_prefix(token).map(|r| (op, r)))?;
    let rest = rest.trim_start();
    let (value, rest) = match rest.chars().next()? {
        q @ ('"' | '\'') => {
            let body = &rest[1..];
            let end = body.find(q)?;
            let value = &body[..end];
            if value.contains('\\') {
                return None;
            }
            (value.to_ascii_lowercase(), &body[end + 1..])
        }
        _ => ident(rest)?,
    };
    // An optional `i` or `s` flag, then the bracket.
    let mut rest = rest.trim_start();
    if let Some((flag, r)) = ident(rest)
        && (flag == "i" || flag == "s")
    {
        rest = r.trim_start();
    }
    let rest = rest.strip_prefix(']')?;
    // An empty value matches nothing for ^= $= *=, and its other cases are rare: presence
    // is still a necessary condition.
    let slot = slot_of(&name);
    let value = (slot.is_some() && !value.is_empty()).then_some((op, value));
    Some((AttributeNeed { name, slot, value }, rest))
}

fn slot_of(name: &str) -> Option<usize> {
    CASE_SENSITIVE_VALUES.iter().position(|n| *n == name)
}

#[cfg(test)]
mod tests {
    use scraper::{ElementRef, Html, Selector};

    use super::Prefilter;

    const SELECTORS: &[&str] = &[
        // One tag, one attribute, many substrings: the automaton path (share-links).
        "a[href*=\"twitter.com/intent/tweet\"], a[href*=\"reddit.com/submit\"], a[href*='Digg.com/submit']",
        ".addtoany_share_save_container, .addtoany_share, .a2a_kit, a.a2a_dd, a[href*=\"addtoany.com/share\"]",
        "div.feedflare, a[href*=\"feeds.feedburner.com/~ff/\"]",
        "img[src*=\"feeds.feedburner.com/\"], img[src*=\"feedburner.com/~r/\"]",
        "img[width=\"1\"][height=\"1\"], img[width=\"0\"][height=\"0\"]",
        ".jp-relatedposts, #jp-relatedposts, .yarpp-related",
        "div.sexy-bookmarks",
        ".sharethis, span[class^=\"st_\"], span[class*=\" st_\"]",
        "a.tt[href*=\"twitter.com/home\"]",
        "p",
        "DIV.Share",
        "div > p.note + ul li a[href$='.pdf' i]",
        "ul li:first-child",
        "*",
        "[data-share]",
        "a[rel~=nofollow]",
        "p[lang|=en]",
        "div:not(.keep) span",
        "#top",
        "section  >  div.x",
    ];

    const DOCS: &[&str] = &[
        r#"<div class="sexy-bookmarks sexy-x"><ul><li><a href="http://del.icio.us/x">d</a></li></ul></div>
           <p align="left"><a class="tt" href="http://twitter.com/home?status=x"><img src="a.png"></a></p>"#,
        r#"<div class="addtoany_share_save_container"><a class="a2a_dd" href="https://www.addtoany.com/share#url=x">s</a></div>
           <div class="feedflare"><a href="http://feeds.feedburner.com/~ff/x?a=1"><img src="http://feeds.feedburner.com/~ff/x?d=2"></a></div>
           <img src="http://feeds.feedburner.com/~r/x/~4/abc" width="1" height="1">"#,
        r#"<div id="jp-relatedposts" class="jp-relatedposts"><p>r</p></div><span class="st_facebook_large">f</span>
           <span class="x st_twitter">t</span><div class="Share"><p class="note">n</p><ul><li><a href="X.PDF">p</a></li></ul></div>"#,
        r#"<p><a href="HTTPS://Twitter.com/intent/tweet?text=x">t</a> <a href="http://www.reddit.com/submit?url=x">r</a>
           <a href="http://digg.com/submit?url=x">d</a></p>"#,
        r#"<section><div class="x"><span data-share="1">s</span><a rel="nofollow me">n</a><p lang="en-GB">e</p></div></section>
           <div class="keep"><span>k</span></div><p id="top">t</p><IMG WIDTH="0" HEIGHT="0" SRC="x">"#,
    ];

    #[test]
    fn never_rejects_an_element_the_selector_matches() {
        for selector in SELECTORS {
            let full = Selector::parse(selector).expect("test selectors parse");
            let quick = Prefilter::new(selector);
            let mut matched = 0;
            for doc in DOCS {
                let html = Html::parse_fragment(doc);
                for node in html.tree.nodes() {
                    if let Some(e) = ElementRef::wrap(node)
                        && full.matches(&e)
                    {
                        matched += 1;
                        assert!(quick.may_match(e.value()), "{selector} on {:?}", e.html());
                    }
                }
            }
            assert!(
                matched > 0,
                "{selector} matches something in the test documents"
            );
        }
    }

    #[test]
    fn one_automaton_serves_a_list_of_substrings_of_one_attribute() {
        assert!(Prefilter::new(SELECTORS[0]).any_of.is_some());
        for mixed in [
            ".tweetmeme_button, a[href*=\"api.tweetmeme.com/share\"]",
            "a[href*=\"x\"], a[src*=\"y\"]",
            "a[href*=\"x\"], img[href*=\"y\"]",
            "a[href*=\"x\"], a[href^=\"y\"]",
            "a[href*=\"x\"], a.tt[href*=\"y\"]",
        ] {
            assert!(Prefilter::new(mixed).any_of.is_none(), "{mixed}");
        }
    }

    #[test]
    fn rejects_most_elements_of_an_ordinary_article() {
        let html = Html::parse_fragment(
            "<p>One <a href=\"http://x.com/\">link</a> and <em>more</em>.</p><ul><li>a</li></ul><img src=\"x.png\">",
        );
        for selector in &SELECTORS[..9] {
            let quick = Prefilter::new(selector);
            let passed = html
                .tree
                .nodes()
                .filter_map(ElementRef::wrap)
                .filter(|e| quick.may_match(e.value()))
                .count();
            assert_eq!(passed, 0, "{selector}");
        }
        assert!(
            Prefilter::new("ul li:first-child").may_match(
                html.tree
                    .nodes()
                    .filter_map(ElementRef::wrap)
                    .next_back()
                    .expect("elements")
                    .value()
            )
        );
    }

    /// Random selectors (tags, classes, ids, attribute tests with every operator and flag,
    /// combinators, pseudo-classes) against random elements: the prefilter never rejects an
    /// element the selector matches.
    #[test]
    fn random_selectors_never_lose_a_match() {
        const SIMPLE: &[&str] = &[
            "div",
            "p",
            "a",
            "SPAN",
            "img",
            "*",
            ".x",
            ".X",
            ".share-this",
            "#top",
            "#Top",
            "[href]",
            "[HREF]",
            "[href*=\"twitter.com\"]",
            "[href^='http']",
            "[href$=\".pdf\" i]",
            "[class~=x]",
            "[lang|=en]",
            "[width=\"1\"]",
            "[src*=feedburner]",
            "[data-x]",
            "[href*=\"\"]",
            ":first-child",
            ":not(.x)",
            ":empty",
        ];
        const COMBINATORS: &[&str] = &[" ", " > ", " + ", " ~ ", ", "];
        const DOCS: &[&str] = &[
            r#"<div class="x share-this" id="top"><p lang="en-US"><a href="http://twitter.com/home?s=1" class="X">t</a></p>
               <span data-x="1"><img src="http://feeds.feedburner.com/~r/x" width="1"></span></div>
               <p><a href="HTTP://A/B.PDF">pdf</a><a HREF="http://x.com/">x</a></p><div id="Top" class="X"></div>"#,
        ];
        let docs: Vec<Html> = DOCS.iter().map(|d| Html::parse_fragment(d)).collect();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut tried, mut matched) = (0, 0);
        for _ in 0..3000 {
            let mut selector = String::new();
            for part in 0..1 + next(3) {
                if part > 0 {
                    selector.push_str(COMBINATORS[next(COMBINATORS.len())]);
                }
                for _ in 0..1 + next(3) {
                    let simple = SIMPLE[next(SIMPLE.len())];
                    // A type selector only leads a compound.
                    let leads = !simple.starts_with(['.', '#', '[', ':']);
                    if leads && !(selector.is_empty() || selector.ends_with(' ')) {
                        continue;
                    }
                    selector.push_str(simple);
                }
            }
            let Ok(full) = Selector::parse(&selector) else {
                continue;
            };
            tried += 1;
            let quick = Prefilter::new(&selector);
            for doc in &docs {
                for e in doc.tree.nodes().filter_map(ElementRef::wrap) {
                    if full.matches(&e) {
                        matched += 1;
                        assert!(quick.may_match(e.value()), "{selector:?} on {:?}", e.html());
                    }
                }
            }
        }
        assert!(
            tried > 1000 && matched > 1000,
            "{tried} selectors, {matched} matches"
        );
    }
}
