//! The streaming guard and repair pass every XML document goes through before a reader sees it
//! (issue 5 points 3 and 7).
//!
//! One linear walk with quick-xml's pull reader (no tree, no recursion) does three things:
//!
//! - **Guards.** An element nested deeper than `max_depth` is dropped with everything inside
//!   it, with one warning (the `rss` crate reads extension elements recursively, so unbounded
//!   depth would overflow the stack); the rest of its item and of the feed is kept, as a cap
//!   on an HTML body cuts only what is over it. Items beyond
//!   `max_items` are skipped without being copied, so a million-item feed costs one scan.
//!   A DOCTYPE is dropped: its entities are never expanded (billion laughs) and external ones
//!   never fetched (XXE); a reference to them stays literal text, with a warning.
//! - **Checks.** Every deviation from XML 1.0 well-formedness that we can see is recorded.
//! - **Repairs**, each with a warning (never silent): a bare `&` or `<` in text is escaped;
//!   HTML entities undefined in XML (`&nbsp;`, `&eacute;`, `&mdash;`) become their characters
//!   (HTML5 named character references, as publishers meant them); a misnested end tag closes
//!   the elements left open inside it; a stray end tag is dropped; a document that ends early
//!   (truncated, or a syntax error quick-xml cannot read past) is cut back to its last complete
//!   item, and the open elements are closed (a document that ends inside its last end tag,
//!   only the `>` missing, is read whole); HTML written unescaped inside an RSS `title`,
//!   `description`, `content:encoded`, `author` or `dc:creator` ("naked" markup) is escaped,
//!   so it reaches the cleaner as the HTML the publisher meant instead of being dropped as
//!   unknown child elements by the `rss` crate (found by the golden fixture
//!   malformed-unescaped-html).
//!   Under Netscape's RSS 0.91 DOCTYPE the ISO 8859-1 entities are the DTD's own, read
//!   without a warning.
//!
//! The output is a well-formed UTF-8 document without XML declaration (the text is already
//! decoded), at most a small constant factor larger than the input (an escaped `&` grows by
//! four bytes). Strict and lenient are the same pass: on a well-formed feed no repair fires and
//! no warning is added.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use quick_xml::Reader;
use quick_xml::escape::{escape, resolve_xml_entity};
use quick_xml::events::{BytesStart, Event};

use crate::ParseOptions;
use crate::model::FeedFormat;

/// The result of the pass.
pub(crate) struct Wellformed {
    /// The repaired document.
    pub xml: String,
    /// Why the document ended early or could not be read to the end, if it did.
    pub cut: Option<Cut>,
}

/// Why a document was read only in part.
pub(crate) enum Cut {
    /// It ends with elements open (a download cut short): the open elements, as a message
    /// shows them.
    Truncated(String),
    /// A syntax error quick-xml cannot read past, outside any item: where and what.
    Unreadable(String),
}

/// How many elements of a part dropped for its depth are held by name (`Walk::deep`): enough
/// to match the end tags of any real document's misnesting, few enough to cost nothing.
const DEEP_NAMED: usize = 4096;

/// Check, guard and repair one decoded XML document.
pub(crate) fn wellform(
    body: &str,
    format: FeedFormat,
    opts: &ParseOptions,
    warnings: &mut Vec<String>,
) -> Wellformed {
    let escaped = escape_stray_markup(body, warnings);
    let mut walk = Walk::new(format, opts, warnings);
    walk.out.reserve(escaped.len() + 64);
    let cut = walk.run(&escaped);
    walk.report_entities();
    for (name, n) in std::mem::take(&mut walk.naked_counts) {
        walk.warnings.push(format!(
            "HTML markup inside <{name}> was not escaped; read as HTML ({n}x)"
        ));
    }
    for prefix in std::mem::take(&mut walk.guessed_prefixes) {
        walk.warnings.push(format!(
            "prefix {prefix}: used without declaring its namespace; read as the usual one"
        ));
    }
    for (what, n) in std::mem::take(&mut walk.recased) {
        walk.warnings
            .push(format!("{what} (XML names are case-sensitive) ({n}x)"));
    }
    if walk.empty_items_inside > 0 {
        walk.warnings.push(format!(
            "an empty <item/> or <entry/> inside an item dropped: it holds nothing ({}x)",
            walk.empty_items_inside
        ));
    }
    if walk.merged_channels > 0 {
        walk.warnings.push(format!(
            "a second <channel> read into the first: its items kept, its title and other \
             elements ignored ({}x)",
            walk.merged_channels
        ));
    }
    if let Some(first) = walk.deep_first.take() {
        let n = walk.deep_cut;
        walk.warnings.push(format!(
            "{n} element{} nested deeper than max_depth {} dropped with everything inside \
             (the first at {first})",
            if n == 1 { "" } else { "s" },
            walk.max_depth
        ));
    }
    walk.declare_on_root();
    Wellformed { xml: walk.out, cut }
}

/// What became of an entity reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EntityFate {
    Html,
    Unknown,
    Control,
    BadChar,
}

struct Walk<'w> {
    out: String,
    /// The open elements: (name as published, name as written).
    stack: Vec<(String, String)>,
    /// Namespace prefixes declared so far (prefix -> URI); feeds declare them on the root.
    prefixes: std::collections::HashMap<String, String>,
    /// The open item (`item`/`entry`): its depth and where its markup starts in `out`.
    open_item: Option<(usize, usize)>,
    items: usize,
    /// Skipping an item beyond `max_items`, which started at this depth.
    skip_from_depth: Option<usize>,
    root_closed: bool,
    entity_counts: BTreeMap<(EntityFate, String), usize>,
    /// The DOCTYPE is Netscape's RSS 0.91 DTD, which declares the ISO 8859-1 entities
    /// (`&eacute;`, `&nbsp;`): those are defined for this document, nothing to warn about.
    netscape_dtd: bool,
    /// The depth of the last element opened outside naked markup, when it carries RDF's
    /// `parseType="Literal"`: markup inside it is XML by design, escaped as naked markup is
    /// but no repair to report.
    literal_at: Option<usize>,
    /// Inside naked markup: the depth of its outermost element, whose tags (and those of
    /// everything inside it) are written escaped, as text of the enclosing RSS element.
    naked_from: Option<usize>,
    /// Naked markup seen, per enclosing element name, for one warning each.
    naked_counts: BTreeMap<String, usize>,
    /// Empty `<item/>`s (or `<entry/>`s) met inside an open item, dropped.
    empty_items_inside: usize,
    /// The depth of an open RSS `author` or `dc:creator` written as an Atom person (a
    /// `name`, `email` or `uri` opened in it): its other children are the person's too.
    person_at: Option<usize>,
    /// The depth of an open element that is empty by nature (an Atom `link`, an `enclosure`)
    /// and has held nothing but whitespace so far: if a start tag comes next, its slash was
    /// forgotten (`<link href="...">`), and it is closed rather than left to swallow its
    /// siblings.
    open_void: Option<usize>,
    /// RSS or RDF: element names are matched in any case (feedparser lowercases them), and
    /// module elements whose namespace is declared on themselves get a prefix declared on the
    /// root, the only declarations the `rss` crate's extension map is keyed by.
    rss_names: bool,
    /// Default namespaces (`xmlns="..."`) declared below the root: (depth, URI).
    defaults: Vec<(usize, String)>,
    /// The prefixes the root element declares, once it has been read.
    root_prefixes: Option<std::collections::HashMap<String, String>>,
    /// Where in `out` the root start tag's attributes end, for `declare_on_root`.
    root_decl_at: Option<usize>,
    /// Module prefixes given to elements whose namespace the root does not declare.
    undeclared: BTreeMap<&'static str, &'static str>,
    /// The RSS root declared Atom's namespace as its default (dropped; see `start`).
    atom_default_on_rss: bool,
    /// Module prefixes used without any declaration, read by their usual meaning.
    guessed_prefixes: std::collections::BTreeSet<&'static str>,
    /// Names read in another case: "element <PubDate> read as <pubDate>" and how often.
    recased: BTreeMap<String, usize>,
    /// RSS: a second channel's items are read into the first (feedparser keeps both).
    merge_channels: bool,
    /// Where in `out` the last `</channel>` under the root was written.
    channel_end_at: Option<usize>,
    /// The depth of a second channel being read into the first.
    merging: Option<usize>,
    merged_channels: usize,
    /// The open elements of a part nested deeper than `max_depth`, being dropped: kept apart
    /// from `stack` so that it stays `max_depth` long and an end tag is matched in constant
    /// time however deep the dropped part goes.
    deep: Vec<String>,
    /// How many elements of each name are open in `deep`.
    deep_open: HashMap<String, usize>,
    /// Elements open below the [`DEEP_NAMED`] innermost of `deep`, counted, not named: a
    /// hostile feed of millions of nested tags must not cost a string each. Each end tag
    /// closes one of them, whatever its name.
    deep_unnamed: usize,
    /// Elements dropped for being too deep (not counting what is inside them).
    deep_cut: usize,
    /// Where the first of them was, as a message shows it.
    deep_first: Option<String>,
    max_depth: usize,
    max_items: usize,
    warnings: &'w mut Vec<String>,
}

impl<'w> Walk<'w> {
    fn new(format: FeedFormat, opts: &ParseOptions, warnings: &'w mut Vec<String>) -> Walk<'w> {
        Walk {
            out: String::new(),
            stack: Vec::new(),
            prefixes: std::collections::HashMap::new(),
            open_item: None,
            items: 0,
            skip_from_depth: None,
            root_closed: false,
            entity_counts: BTreeMap::new(),
            netscape_dtd: false,
            naked_from: None,
            literal_at: None,
            naked_counts: BTreeMap::new(),
            person_at: None,
            empty_items_inside: 0,
            open_void: None,
            rss_names: matches!(format, FeedFormat::Rss | FeedFormat::Rdf),
            defaults: Vec::new(),
            root_prefixes: None,
            root_decl_at: None,
            undeclared: BTreeMap::new(),
            guessed_prefixes: std::collections::BTreeSet::new(),
            atom_default_on_rss: false,
            recased: BTreeMap::new(),
            merge_channels: format == FeedFormat::Rss,
            channel_end_at: None,
            merging: None,
            merged_channels: 0,
            deep: Vec::new(),
            deep_open: HashMap::new(),
            deep_unnamed: 0,
            deep_cut: 0,
            deep_first: None,
            max_depth: opts.max_depth,
            max_items: opts.max_items,
            warnings,
        }
    }
}

impl Walk<'_> {
    /// Walk the whole document; why it ended early, if it did.
    fn run(&mut self, text: &str) -> Option<Cut> {
        let mut offset = 0;
        let mut reader = reader(text);
        loop {
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(err) => {
                    let at = offset + usize::try_from(reader.error_position()).unwrap_or(0);
                    // The document ends inside an end tag, only its `>` missing (`</feed` as
                    // the last bytes, in feedparser's suite): that tag is read as written.
                    if let Some(name) = end_tag_cut_at_end(text, at) {
                        self.warnings.push(format!(
                            "the document ends inside the end tag </{}>, its > missing; read as closed",
                            crate::shown_name(name)
                        ));
                        self.end(name);
                        return self.end_of_document();
                    }
                    // A syntax error quick-xml cannot read past (an attribute with a stray
                    // quote) spoils its item, not the items after it: drop the item and read
                    // on from the next one, as a feed reader's user would want.
                    match next_item_start(text, at.max(offset + 1)) {
                        Some(next) if self.open_item.is_some() || self.items > 0 => {
                            self.warnings.push(format!(
                                "xml error at byte {at}: {err}; read on from the next item at byte {next}"
                            ));
                            self.drop_open_item();
                            offset = next;
                            reader = self::reader(&text[next..]);
                            continue;
                        }
                        _ => {
                            let error = format!("xml error at byte {at}: {err}");
                            self.warnings
                                .push(format!("{error}; the rest of the document is ignored"));
                            self.close_all();
                            return Some(Cut::Unreadable(error));
                        }
                    }
                }
            };
            if self.open_void.is_some() {
                match &event {
                    Event::Text(t) if t.trim().is_empty() => {}
                    // A start tag decides in `start`.
                    Event::Start(_) | Event::Empty(_) => {}
                    _ => self.open_void = None,
                }
            }
            if self.root_closed {
                match event {
                    Event::Eof => return None,
                    Event::Start(_) | Event::Empty(_) => {
                        self.warnings
                            .push("content after the root element ignored".into());
                        return None;
                    }
                    _ => continue,
                }
            }
            match event {
                Event::Start(start) => self.start(&start, false),
                Event::Empty(start) => self.start(&start, true),
                Event::End(end) => {
                    let name = end.name().as_ref().to_owned();
                    self.end(name.trim());
                }
                Event::Text(text) => {
                    if self.copying() {
                        // `escape_stray_markup` left only well-formed references, which quick-xml
                        // reports separately, so the raw text can be copied as is.
                        self.out.push_str(&text);
                    }
                }
                Event::CData(data) => {
                    if self.copying() {
                        self.out.push_str("<![CDATA[");
                        self.out.push_str(&data);
                        self.out.push_str("]]>");
                    }
                }
                Event::GeneralRef(reference) => {
                    if self.copying() {
                        let name = reference.to_string();
                        let resolved = self.reference(&name);
                        self.out.push_str(&resolved);
                    }
                }
                Event::DocType(doctype) => {
                    self.netscape_dtd = doctype
                        .to_ascii_lowercase()
                        .contains("-//netscape communications//dtd rss 0.91//en");
                    if doctype.contains("<!ENTITY") {
                        self.warnings.push(
                            "DOCTYPE declares entities; they are never expanded or fetched".into(),
                        );
                    }
                }
                // The declaration was read by `decode`; comments and processing instructions
                // carry nothing a feed reader uses.
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return self.end_of_document(),
            }
        }
    }

    /// The document has ended: complete, or cut short inside the elements still open, which
    /// are closed.
    fn end_of_document(&mut self) -> Option<Cut> {
        if self.stack.is_empty() {
            return None;
        }
        let path = crate::element_path(self.stack.iter().map(|(n, _)| n.as_str()));
        self.warnings
            .push(format!("document ends inside {path} (truncated?)"));
        self.close_all();
        Some(Cut::Truncated(path))
    }

    /// Text read now belongs in the output: inside the root, not in a skipped item or a part
    /// dropped for its depth.
    fn copying(&self) -> bool {
        !self.stack.is_empty() && self.skip_from_depth.is_none() && self.deep.is_empty()
    }

    fn start(&mut self, start: &BytesStart<'_>, empty: bool) {
        let name = start.name().as_ref().to_owned();
        if !self.deep.is_empty() {
            if empty {
            } else if self.deep.len() >= DEEP_NAMED || self.deep_unnamed > 0 {
                self.deep_unnamed += 1;
            } else {
                *self.deep_open.entry(name.clone()).or_default() += 1;
                self.deep.push(name);
            }
            return;
        }
        let mut own_default = None;
        for attr in start.html_attributes().with_checks(false).flatten() {
            let key = attr.key.as_ref();
            if let Some(prefix) = key.strip_prefix("xmlns:") {
                self.prefixes
                    .insert(prefix.to_owned(), attr.value.to_string());
            } else if key == "xmlns" {
                own_default = Some(attr.value.to_string());
            }
        }
        // `<rss xmlns="http://www.w3.org/2005/Atom">` (GeoRSS's samples, generators that copy
        // Atom's declaration onto RSS): the document is RSS all the same, as feedparser reads
        // it. The declaration is dropped; RSS's own names stay RSS's, the others (`summary`,
        // `updated`, `id`) are read as Atom's.
        let atom_root = self.stack.is_empty()
            && self.rss_names
            && name.eq_ignore_ascii_case("rss")
            && own_default.as_deref() == Some(ATOM_NS);
        if atom_root {
            self.atom_default_on_rss = true;
            own_default = None;
            self.warnings.push(
                "the RSS root declares Atom's namespace as its default: read as RSS, with Atom's \
                 elements in it read as Atom's"
                    .to_owned(),
            );
        }
        let (canonical, module) = self.canonical_name(&name, own_default.as_deref());
        // An empty `<item/>` inside an open item (FeedBurner's PCMag feeds wrote one after
        // each description) holds nothing: dropped. Taken as the next item's start, it cut the
        // item it stood in short (its `feedburner:origLink` lost) and became an item with no
        // title, link or text, which kb would have filed as an article.
        if empty
            && self.skip_from_depth.is_none()
            && self.naked_from.is_none()
            && self.open_item.is_some()
            && matches!(
                canonical.rsplit(':').next().unwrap_or(&canonical),
                "item" | "entry"
            )
        {
            self.empty_items_inside += 1;
            return;
        }
        if self.skip_from_depth.is_none() {
            self.close_left_open(&canonical);
        }
        let depth = self.stack.len() + 1;
        if depth > self.max_depth {
            if self.skip_from_depth.is_none() {
                self.deep_cut += 1;
                if self.deep_first.is_none() {
                    let path = self.stack.iter().map(|(n, _)| n.as_str());
                    self.deep_first = Some(crate::element_path(
                        path.chain(std::iter::once(name.as_str()))
                            .collect::<Vec<_>>()
                            .into_iter(),
                    ));
                }
            }
            if !empty {
                *self.deep_open.entry(name.clone()).or_default() += 1;
                self.deep.push(name);
            }
            return;
        }
        if let Some(uri) = own_default.filter(|_| !empty && self.rss_names) {
            self.defaults.push((depth, uri));
        }
        if self.skip_from_depth.is_some() {
            if !empty {
                self.stack.push((name.clone(), name));
            }
            return;
        }
        if self.merge_channels && self.naked_from.is_none() && depth == 2 {
            if canonical == "channel"
                && let Some(at) = self.channel_end_at.take()
                && self
                    .out
                    .get(at..)
                    .is_some_and(|rest| rest.starts_with("</channel>"))
            {
                // Reopen the first channel: the second one's items follow the first one's.
                self.out.replace_range(at..at + "</channel>".len(), "");
                self.merged_channels += 1;
                if !empty {
                    self.merging = Some(depth);
                    self.stack.push((name, canonical));
                } else {
                    self.channel_end_at = Some(self.out.len());
                    self.out.push_str("</channel>");
                }
                return;
            }
        } else if self.merging.is_some_and(|m| depth == m + 1) && canonical != "item" {
            // The second channel's own title, link and the rest: the first one's are kept.
            if !empty {
                self.skip_from_depth = Some(depth);
                self.stack.push((name.clone(), name));
            }
            return;
        }
        if self.naked_from.is_none()
            && PERSON_PARTS.contains(&canonical.as_str())
            && self
                .stack
                .last()
                .is_some_and(|(_, holder)| PERSON_HOLDERS.contains(&holder.as_str()))
        {
            self.person_at = Some(depth - 1);
        }
        if self.naked_from.is_none()
            && let Some(holder) = self.text_holder(&canonical)
        {
            if self.literal_at != Some(depth - 1) {
                *self.naked_counts.entry(holder).or_default() += 1;
            }
            self.naked_from = Some(depth);
        }
        let naked = self.naked_from.is_some();
        let local = canonical.rsplit(':').next().unwrap_or(&canonical);
        // An `<item>` inside naked markup is HTML text, not a feed item.
        let is_item = !naked && matches!(local, "item" | "entry") && self.open_item.is_none();
        if is_item {
            self.items += 1;
            if self.items > self.max_items {
                if self.items == self.max_items + 1 {
                    self.warnings.push(format!(
                        "more than max_items {} items; the rest are skipped",
                        self.max_items
                    ));
                }
                if !empty {
                    self.skip_from_depth = Some(depth);
                    self.stack.push((name.clone(), name));
                }
                return;
            }
        }
        if is_item && !empty {
            self.open_item = Some((depth, self.out.len()));
        }

        // Naked markup keeps its names as published: it is HTML, not RSS.
        let written = if naked {
            name.clone()
        } else {
            if canonical != name && canonical.eq_ignore_ascii_case(&name) {
                *self
                    .recased
                    .entry(format!("element <{name}> read as <{canonical}>"))
                    .or_default() += 1;
            }
            if let Some((prefix, uri)) = module
                && self
                    .root_prefixes
                    .as_ref()
                    .is_none_or(|root| root.get(prefix).is_none_or(|bound| bound != uri))
            {
                self.undeclared.insert(prefix, uri);
                // A prefix never declared at all, read by its usual meaning: said once.
                if name
                    .split_once(':')
                    .is_some_and(|(written, _)| !self.prefixes.contains_key(written))
                {
                    self.guessed_prefixes.insert(prefix);
                }
            }
            canonical
        };
        // Attribute names of RSS's own elements are matched in any case too (`ispermalink`).
        let recase_attributes = self.rss_names && !naked && !written.contains(':');
        let mut tag = String::from("<");
        tag.push_str(&written);
        // Vec for the usual handful of attributes; a set once there are many, so that a
        // hostile element with 100 000 attributes costs linear time, not quadratic.
        let mut seen: Vec<String> = Vec::new();
        let mut seen_set: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut literal = false;
        // `html_attributes` tolerates unquoted and valueless attributes.
        for attr in start.html_attributes().with_checks(false) {
            let Ok(attr) = attr else {
                self.warnings
                    .push(format!("unreadable attribute in <{name}> dropped"));
                continue;
            };
            let mut key = attr.key.as_ref().to_owned();
            if atom_root && key == "xmlns" {
                continue;
            }
            if recase_attributes && let Some(canonical) = recase(&key, &RSS_ATTRIBUTES) {
                *self
                    .recased
                    .entry(format!("attribute {key} read as {canonical}"))
                    .or_default() += 1;
                canonical.clone_into(&mut key);
            }
            let duplicate = if seen.len() < 16 {
                seen.contains(&key)
            } else {
                if seen_set.is_empty() {
                    seen_set.extend(seen.iter().cloned());
                }
                !seen_set.insert(key.clone())
            };
            if duplicate {
                self.warnings
                    .push(format!("duplicate attribute {key:?} in <{name}> dropped"));
                continue;
            }
            let raw = attr.value.to_string();
            let value = self.unescape_lenient(&raw);
            // RDF/XML §2.11: `rdf:parseType="Literal"`, under whatever prefix.
            literal |= key.rsplit(':').next() == Some("parseType")
                && key.contains(':')
                && value.trim() == "Literal";
            // Writing to a String cannot fail.
            let _ = write!(tag, " {key}=\"{}\"", escape(value.as_str()));
            if seen.len() < 16 {
                seen.push(key);
            }
        }
        if self.stack.is_empty() && self.root_prefixes.is_none() {
            self.root_prefixes = Some(self.prefixes.clone());
            self.root_decl_at = Some(self.out.len() + tag.len());
        }
        tag.push_str(if empty { "/>" } else { ">" });
        if !naked {
            // Only the holder's own children (its first naked start) ask, and nothing outside
            // naked markup opens between it and them: no stale depth is ever compared.
            self.literal_at = (literal && !empty).then_some(depth);
        }
        if !empty
            && !naked
            && is_void_by_nature(written.rsplit(':').next().unwrap_or(&written), &seen)
        {
            self.open_void = Some(depth);
        }
        if naked {
            self.out.push_str(&escape(tag.as_str()));
        } else {
            self.out.push_str(&tag);
        }
        if empty {
            if self.naked_from == Some(depth) {
                self.naked_from = None;
            }
            if self.stack.is_empty() {
                self.root_closed = true;
            }
        } else {
            self.stack.push((name, written));
        }
    }

    fn end(&mut self, name: &str) {
        if !self.deep.is_empty() {
            if self.deep_unnamed > 0 {
                self.deep_unnamed -= 1;
                return;
            }
            if self.deep_open.contains_key(name) {
                // Close up to the innermost element of that name, as below.
                while let Some(closed) = self.deep_pop() {
                    if closed == name {
                        break;
                    }
                }
                return;
            }
            if !self.stack.iter().any(|(open, _)| open == name) {
                // A stray end tag inside what is dropped anyway.
                return;
            }
            // The end of an element above the dropped part: it ends there too.
            self.end_deep();
        }
        let Some(position) = self.stack.iter().rposition(|(open, _)| open == name) else {
            if self.skip_from_depth.is_none() {
                self.warnings
                    .push(format!("stray end tag </{name}> dropped"));
            }
            return;
        };
        while self.stack.len() > position + 1 {
            let unclosed = self.pop_and_close();
            if self.skip_from_depth.is_none() {
                self.warnings
                    .push(format!("<{unclosed}> closed by </{name}> (misnested tags)"));
            }
        }
        self.pop_and_close();
    }

    /// Pop the innermost open element and write its end tag (unless it is being skipped).
    fn pop_and_close(&mut self) -> String {
        let depth = self.stack.len();
        let (name, written) = self.stack.pop().unwrap_or_default();
        if self.person_at == Some(depth) {
            self.person_at = None;
        }
        match self.skip_from_depth {
            Some(skip) if depth > skip => {}
            Some(_) => self.skip_from_depth = None,
            None => match self.naked_from {
                Some(naked) if depth >= naked => {
                    self.out.push_str("&lt;/");
                    self.out.push_str(&escape(written.as_str()));
                    self.out.push_str("&gt;");
                    if depth == naked {
                        self.naked_from = None;
                    }
                }
                _ => {
                    if self.merge_channels && depth == 2 && written == "channel" {
                        self.channel_end_at = Some(self.out.len());
                        if self.merging == Some(depth) {
                            self.merging = None;
                        }
                    }
                    self.out.push_str("</");
                    self.out.push_str(&written);
                    self.out.push('>');
                }
            },
        }
        if self.defaults.last().is_some_and(|(d, _)| *d == depth) {
            self.defaults.pop();
        }
        if self
            .open_item
            .is_some_and(|(item_depth, _)| item_depth == depth)
        {
            self.open_item = None;
        }
        if self.stack.is_empty() {
            self.root_closed = true;
        }
        name
    }

    /// Before the start tag `name`: close the elements whose end tag was forgotten, when the
    /// new tag shows it (feedparser's loose parser is blind to nesting, so it never loses an
    /// item to a missing end tag; closing here keeps the items apart in the same cases).
    ///
    /// - an element empty by nature still open (see `open_void`);
    /// - an `item`/`entry` start closes whatever is open inside the innermost channel, `rss`,
    ///   `rdf:RDF` or `feed` (an unclosed `item`, `description` or `image`): items never nest;
    /// - inside an RSS text element (`title`, `description`), the start of an item field HTML
    ///   has no element for (`guid`, `pubDate`, ...) closes the text element.
    fn close_left_open(&mut self, name: &str) {
        let local = name.rsplit(':').next().unwrap_or(name);
        if let Some(depth) = self.open_void.take()
            && depth == self.stack.len()
        {
            let unclosed = self.pop_and_close();
            self.warnings
                .push(format!("<{unclosed}> not closed; closed before <{name}>"));
        }
        let keep = if matches!(local, "item" | "entry") {
            self.stack
                .iter()
                .rposition(|(open, _)| {
                    matches!(
                        open.rsplit(':').next().unwrap_or(open),
                        "channel" | "rss" | "RDF" | "feed"
                    )
                })
                .map(|container| container + 1)
        } else if RSS_ITEM_FIELDS.contains(&name) {
            self.stack
                .iter()
                .rposition(|(_, written)| matches!(written.as_str(), "title" | "description"))
                .filter(|&holder| {
                    holder > 0
                        && matches!(
                            self.stack[holder - 1].1.rsplit(':').next(),
                            Some("item" | "channel")
                        )
                })
        } else {
            None
        };
        if let Some(keep) = keep {
            while self.stack.len() > keep {
                let unclosed = self.pop_and_close();
                self.warnings
                    .push(format!("<{unclosed}> not closed; closed before <{name}>"));
            }
        }
    }

    /// Close the innermost element of a part dropped for its depth.
    fn deep_pop(&mut self) -> Option<String> {
        let closed = self.deep.pop()?;
        match self.deep_open.get_mut(&closed) {
            Some(n) if *n > 1 => *n -= 1,
            _ => {
                self.deep_open.remove(&closed);
            }
        }
        Some(closed)
    }

    /// Leave a part dropped for its depth.
    fn end_deep(&mut self) {
        self.deep.clear();
        self.deep_open.clear();
        self.deep_unnamed = 0;
    }

    /// A syntax error inside an item: drop what was written of it.
    fn drop_open_item(&mut self) {
        self.end_deep();
        if let Some((depth, at)) = self.open_item.take() {
            self.warnings
                .push(format!("item {} dropped (xml error inside it)", self.items));
            self.out.truncate(at);
            self.stack.truncate(depth - 1);
            let open = self.stack.len();
            self.defaults.retain(|(d, _)| *d <= open);
        }
        self.open_void = None;
        if self
            .skip_from_depth
            .is_some_and(|skip| skip > self.stack.len())
        {
            self.skip_from_depth = None;
        }
        if self
            .naked_from
            .is_some_and(|naked| naked > self.stack.len())
        {
            self.naked_from = None;
        }
    }

    /// End of input with elements still open: drop the incomplete item, close the rest.
    fn close_all(&mut self) {
        self.end_deep();
        if let Some((depth, at)) = self.open_item.take() {
            self.warnings.push(format!(
                "incomplete item {} at the end of the document dropped",
                self.items
            ));
            self.out.truncate(at);
            self.stack.truncate(depth - 1);
            let open = self.stack.len();
            self.defaults.retain(|(d, _)| *d <= open);
        }
        self.skip_from_depth = None;
        if self
            .naked_from
            .is_some_and(|naked| naked > self.stack.len())
        {
            self.naked_from = None;
        }
        while !self.stack.is_empty() {
            self.pop_and_close();
        }
    }

    /// The innermost open element, when it is an RSS element whose content is text or escaped
    /// HTML (a `title`, `description`, `content:encoded`, `author` or `dc:creator` of an item
    /// or the channel; a byline's link, `by <a href="/author/x">X</a>`, is written naked in
    /// the last two): a start tag `child` inside it is naked HTML. Atom's parents are
    /// `entry`/`feed`, so Atom, which keeps naked markup itself (atom.rs), never matches. An
    /// author's `<name>`, `<email>` or `<uri>` is no HTML but an Atom person written into RSS
    /// (`<author><name>Jane</name></author>`), which `rss::read` takes as one; so is any
    /// other child of that person (Google's Cloud blog adds `<title>`, `<department>` and
    /// `<company>` after the name), which was escaped and warned of as HTML.
    fn text_holder(&self, child: &str) -> Option<String> {
        let [.., (_, parent), (_, holder)] = self.stack.as_slice() else {
            return None;
        };
        let parent = parent.rsplit(':').next().unwrap_or(parent);
        let person = PERSON_HOLDERS.contains(&holder.as_str());
        let atom_person = self.person_at == Some(self.stack.len());
        (matches!(parent, "item" | "channel")
            && (matches!(holder.as_str(), "title" | "description" | "content:encoded")
                || (person && !atom_person && !PERSON_PARTS.contains(&child))))
        .then(|| holder.clone())
    }

    /// The name the `rss` crate understands, and the module prefix and namespace it was given
    /// when the root does not declare it. The crate matches names literally ("item",
    /// "content:encoded", "rdf:RDF"), so elements in the RSS namespaces under a prefix
    /// (`<r:item>`, `<rss:item>`) lose it and the content/RDF namespaces get their usual
    /// prefix. In RSS and RDF documents also: names in another case get RSS's (`<PubDate>`,
    /// `<GUID>`, `<RSS>`), and a module element whose namespace is declared on itself or
    /// an ancestor below the root (`<atom:link xmlns:atom=...>`, `<creator xmlns=...dc...>`)
    /// gets the module's usual prefix, which `declare_on_root` declares.
    fn canonical_name(
        &self,
        name: &str,
        own_default: Option<&str>,
    ) -> (String, Option<(&'static str, &'static str)>) {
        const RSS_NAMESPACES: [&str; 5] = [
            "http://purl.org/rss/1.0/",
            "http://backend.userland.com/rss2",
            "http://backend.userland.com/rss",
            "http://my.netscape.com/rdf/simple/0.9/",
            crate::detect::RSS11_NS,
        ];
        let recased = |local: &str| -> String {
            match self.rss_names.then(|| recase(local, &RSS_NAMES)).flatten() {
                Some(canonical) => canonical.to_owned(),
                None => local.to_owned(),
            }
        };
        let Some((prefix, local)) = name.split_once(':') else {
            if !self.rss_names {
                return (name.to_owned(), None);
            }
            let default = own_default.or_else(|| self.defaults.last().map(|(_, d)| d.as_str()));
            return match default {
                None if self.atom_default_on_rss
                    && !RSS_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)) =>
                {
                    (format!("atom:{name}"), Some(("atom", ATOM_NS)))
                }
                None => (recased(name), None),
                Some(ns) if RSS_NAMESPACES.contains(&ns) => (recased(name), None),
                // `<RDF xmlns="...rdf-syntax-ns#">`: the crate knows the root only as `rdf:RDF`.
                Some(RDF_NS) => (format!("rdf:{name}"), Some(("rdf", RDF_NS))),
                Some(ns) => match module(ns) {
                    Some((prefix, uri)) => (format!("{prefix}:{name}"), Some((prefix, uri))),
                    // XHTML or another vocabulary: its names are its own.
                    None => (name.to_owned(), None),
                },
            };
        };
        match self.prefixes.get(prefix).map(String::as_str) {
            Some(ns) if RSS_NAMESPACES.contains(&ns) => (recased(local), None),
            Some("http://purl.org/rss/1.0/modules/content/") => (format!("content:{local}"), None),
            Some(RDF_NS) => (format!("rdf:{local}"), None),
            Some(ns) if self.rss_names => {
                let root = self.root_prefixes.as_ref();
                let declared_on_root = |p: &str| root.and_then(|r| r.get(p)).map(String::as_str);
                // The usual case, a prefix the root declares, costs one lookup.
                if declared_on_root(prefix) == Some(ns) {
                    return (name.to_owned(), None);
                }
                match module(ns) {
                    Some((canonical, uri))
                        if declared_on_root(canonical).is_none_or(|bound| bound == uri) =>
                    {
                        (format!("{canonical}:{local}"), Some((canonical, uri)))
                    }
                    _ => (name.to_owned(), None),
                }
            }
            // `itunes:author` in a podcast feed that never declared `xmlns:itunes` (feedparser
            // reads a module by its usual prefix): declared on the root for the readers. Not
            // `content:`, which the `rss` crate reads by its written name, declared or not.
            None if self.rss_names && prefix != "content" => {
                let bound_on_root = self.root_prefixes.as_ref().and_then(|r| r.get(prefix));
                match module_of_prefix(prefix) {
                    Some(module) if bound_on_root.is_none() => (name.to_owned(), Some(module)),
                    _ => (name.to_owned(), None),
                }
            }
            _ => (name.to_owned(), None),
        }
    }

    /// Declare on the root the module prefixes `canonical_name` gave to elements whose
    /// namespace was declared further down.
    fn declare_on_root(&mut self) {
        let Some(at) = self.root_decl_at else { return };
        if self.undeclared.is_empty() {
            return;
        }
        let mut declarations = String::new();
        for (prefix, uri) in std::mem::take(&mut self.undeclared) {
            let _ = write!(declarations, " xmlns:{prefix}=\"{uri}\"");
        }
        if self.out.is_char_boundary(at) {
            self.out.insert_str(at, &declarations);
        }
    }

    /// Resolve one entity reference (name without `&` and `;`) to well-formed output text.
    fn reference(&mut self, name: &str) -> String {
        if let Some(number) = name.strip_prefix('#') {
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse().ok(),
            };
            return match code.map(windows_1252_c1).and_then(char::from_u32) {
                // Written back in decimal: XML has no "&#X41;" (uppercase X).
                Some(c) if is_xml_char(c) => format!("&#{};", u32::from(c)),
                // A control character means nothing in text, written raw or as a reference: a
                // raw one is dropped, so is this (U+FFFD would show a character went missing).
                Some(c) if c.is_control() => {
                    self.count(EntityFate::Control, name);
                    String::new()
                }
                _ => {
                    self.count(EntityFate::BadChar, name);
                    char::REPLACEMENT_CHARACTER.to_string()
                }
            };
        }
        if resolve_xml_entity(name).is_some() {
            return format!("&{name};");
        }
        if let Some(text) = html_entity(name) {
            let declared_by_dtd =
                self.netscape_dtd && text.chars().all(|c| ('\u{a0}'..='\u{ff}').contains(&c));
            if !declared_by_dtd {
                self.count(EntityFate::Html, name);
            }
            return escape(text.as_str()).into_owned();
        }
        self.count(EntityFate::Unknown, name);
        format!("&amp;{name};")
    }

    /// Attribute values: the same rules as text, then unescaped for re-escaping.
    fn unescape_lenient(&mut self, raw: &str) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let after = &rest[amp + 1..];
            match after
                .find(';')
                .filter(|&end| is_reference_name(&after[..end]))
            {
                Some(end) => {
                    let name = &after[..end];
                    let resolved = self.reference(name);
                    out.push_str(&unescape_basic(&resolved));
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('&');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn count(&mut self, fate: EntityFate, name: &str) {
        *self
            .entity_counts
            .entry((fate, name.to_owned()))
            .or_default() += 1;
    }

    /// One warning per distinct entity, with how often it occurred.
    fn report_entities(&mut self) {
        for ((fate, name), n) in std::mem::take(&mut self.entity_counts) {
            let what = match fate {
                EntityFate::Html => "undefined in XML, read as the HTML entity",
                EntityFate::Unknown => "unknown, kept as literal text",
                EntityFate::Control => "a control character, not allowed in XML: dropped",
                EntityFate::BadChar => "not an XML character, replaced with U+FFFD",
            };
            self.warnings.push(format!("entity &{name}; {what} ({n}x)"));
        }
    }
}

/// A pull reader configured for repair: we match end names ourselves, so that we can repair
/// instead of failing.
fn reader(text: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    config.check_comments = false;
    config.trim_text(false);
    reader
}

/// Where the next `<item` or `<entry` start tag (any prefix) begins at or after `from`.
fn next_item_start(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = text.get(at..)?.find('<') {
        let tag = &text[at + i + 1..];
        let end = tag
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(tag.len());
        let name = &tag[..end];
        if matches!(name.rsplit(':').next(), Some("item" | "entry")) {
            return Some(at + i);
        }
        at += i + 1;
    }
    None
}

/// Item fields of RSS and its common modules that are no HTML element: inside a `title` or
/// `description`, their start tag means the text element's end tag was forgotten.
const RSS_ITEM_FIELDS: [&str; 11] = [
    "guid",
    "pubDate",
    "category",
    "comments",
    "enclosure",
    "description",
    "content:encoded",
    "dc:creator",
    "dc:date",
    "wfw:commentRss",
    "slash:comments",
];

/// The names of RSS 0.9x/1.0/2.0 elements, as the `rss` crate matches them.
const RSS_NAMES: [&str; 37] = [
    "rss",
    "channel",
    "item",
    "items",
    "title",
    "link",
    "description",
    "language",
    "copyright",
    "managingEditor",
    "webMaster",
    "pubDate",
    "lastBuildDate",
    "category",
    "generator",
    "docs",
    "cloud",
    "ttl",
    "image",
    "url",
    "width",
    "height",
    "rating",
    "textInput",
    "textinput",
    "skipHours",
    "skipDays",
    "hour",
    "day",
    "name",
    "author",
    "comments",
    "enclosure",
    "guid",
    "source",
    "updated",
    "tags",
];

/// The attributes of RSS elements, as the `rss` crate matches them.
const RSS_ATTRIBUTES: [&str; 10] = [
    "isPermaLink",
    "url",
    "length",
    "type",
    "domain",
    "port",
    "path",
    "registerProcedure",
    "protocol",
    "version",
];

/// `name` as spelled in `known`, when it is spelled otherwise there (`None` when it is spelled
/// the same, the usual case, or is not there at all).
fn recase<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    if known.contains(&name) {
        return None;
    }
    known.iter().find(|k| k.eq_ignore_ascii_case(name)).copied()
}

/// RDF's namespace, whose root element the `rss` crate knows only as `rdf:RDF`.
const RDF_NS: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// The modules kb reads, by their usual prefix and URI.
const MODULES: [(&str, &str); 10] = [
    ("atom", ATOM_NS),
    ("content", "http://purl.org/rss/1.0/modules/content/"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("media", "http://search.yahoo.com/mrss/"),
    ("media", "http://search.yahoo.com/mrss"),
    ("wfw", "http://wellformedweb.org/CommentAPI/"),
    ("slash", "http://purl.org/rss/1.0/modules/slash/"),
    ("thr", "http://purl.org/syndication/thread/1.0"),
    ("itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"),
];

/// The usual prefix of a namespace the RSS reader looks elements up in.
fn module(ns: &str) -> Option<(&'static str, &'static str)> {
    MODULES
        .iter()
        .find(|(_, uri)| uri.eq_ignore_ascii_case(ns))
        .copied()
}

/// The module whose usual prefix is `prefix` (the first of [`module`]'s URIs for it).
pub(crate) fn module_of_prefix(prefix: &str) -> Option<(&'static str, &'static str)> {
    MODULES.iter().find(|(p, _)| *p == prefix).copied()
}

/// Elements that are empty by nature when written with these attributes: Atom's `link`,
/// `category` and out-of-line `content`, RSS `enclosure`, Media RSS and iTunes images. Not
/// `media:content`, which may hold `media:title` and the like.
fn is_void_by_nature(local: &str, attributes: &[String]) -> bool {
    let has = |key: &str| attributes.iter().any(|a| a == key);
    match local {
        "link" => has("href"),
        "enclosure" => has("url"),
        "category" => has("term"),
        "content" => has("src"),
        "thumbnail" | "player" => has("url"),
        "image" => has("href"),
        _ => false,
    }
}

/// An HTML named character reference (WHATWG list, via `web_atoms` from the html5ever
/// project; quick-xml's own `escape-html` table maps 444 of its 2026 names to wrong characters,
/// e.g. `&delta;` to ";").
fn html_entity(name: &str) -> Option<String> {
    let (first, second) = web_atoms::NAMED_ENTITIES.get(format!("{name};").as_str())?;
    let mut out = String::new();
    out.push(char::from_u32(*first)?);
    if *second != 0 {
        out.push(char::from_u32(*second)?);
    }
    Some(out)
}

/// HTML's numeric reference rule (WHATWG "numeric character reference end state"): code points
/// 0x80-0x9F mean their windows-1252 characters, the way publishers who typed `&#146;` meant.
fn windows_1252_c1(code: u32) -> u32 {
    match u8::try_from(code) {
        // WHATWG's windows-1252 (encoding_rs), which maps the five undefined bytes to
        // themselves, as the numeric-reference rule wants too.
        Ok(byte @ 0x80..=0x9f) => {
            let bytes = [byte];
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
            text.chars().next().map_or(code, u32::from)
        }
        _ => code,
    }
}

/// Undo our own escaping of one resolved reference (only the five predefined entities and
/// numeric references can occur).
fn unescape_basic(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let inner = s.trim_start_matches('&').trim_end_matches(';');
    if let Some(text) = resolve_xml_entity(inner) {
        return text.to_owned();
    }
    if let Some(number) = inner.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        if let Some(c) = code.and_then(char::from_u32) {
            return c.to_string();
        }
    }
    // "&amp;name;" for an unknown entity: the literal text "&name;".
    s.replacen("&amp;", "&", 1)
}

/// XML 1.0 §2.2 `Char`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `#123`, `#x1F`, or an XML Name (XML 1.0 §2.3, ASCII subset plus any non-ASCII letter),
/// at most 40 characters (the longest HTML entity name is 31).
fn is_reference_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 40 {
        return false;
    }
    if let Some(number) = name.strip_prefix('#') {
        return match number.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            None => !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
        };
    }
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

/// Escape `&` that does not start a reference and `<` that does not start markup, outside
/// CDATA sections and comments. quick-xml would read "AT&T; more" as the reference "T" and
/// "a < b" as a tag.
fn escape_stray_markup<'t>(text: &'t str, warnings: &mut Vec<String>) -> std::borrow::Cow<'t, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let (mut amps, mut lts) = (0usize, 0usize);
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let rest = &text[i..];
                let skip_to = if rest.starts_with("<![CDATA[") {
                    rest.find("]]>").map(|e| e + 3)
                } else if rest.starts_with("<!--") {
                    rest.find("-->").map(|e| e + 3)
                } else {
                    None
                };
                if rest.starts_with("<![CDATA[") || rest.starts_with("<!--") {
                    // An unterminated section runs to the end; quick-xml reports it.
                    i += skip_to.unwrap_or(rest.len());
                    continue;
                }
                let starts_markup = rest[1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || matches!(c, '_' | ':' | '/' | '!' | '?'));
                if !starts_markup {
                    let buf = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
                    buf.push_str(&text[copied..i]);
                    buf.push_str("&lt;");
                    copied = i + 1;
                    lts += 1;
                }
                if starts_markup {
                    // Skip the tag itself so that `&` in attribute values is handled by the
                    // attribute reader and `>` inside quotes does not confuse us.
                    i += tag_len(rest);
                    continue;
                }
            }
            b'&' => {
                let rest = &text[i + 1..];
                let mut end = rest.len().min(42);
                // The window must end on a character boundary (found by the corpus: koi8r.xml).
                while !rest.is_char_boundary(end) {
                    end -= 1;
                }
                let window = &rest[..end];
                let ok = window
                    .find(';')
                    .is_some_and(|end| is_reference_name(&window[..end]));
                if !ok {
                    let buf = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
                    buf.push_str(&text[copied..i]);
                    buf.push_str("&amp;");
                    copied = i + 1;
                    amps += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if amps > 0 {
        warnings.push(format!("{amps} bare '&' escaped"));
    }
    if lts > 0 {
        warnings.push(format!("{lts} stray '<' escaped"));
    }
    match out {
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            std::borrow::Cow::Owned(buf)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// Length of the tag starting at `s[0] == '<'`, honouring quoted attribute values.
fn tag_len(s: &str) -> usize {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return i + 1,
            // A new tag before this one closed: the '<' was not markup after all.
            (None, b'<') => return i,
            _ => {}
        }
    }
    s.len()
}

/// The RSS elements that name a person, whose naked markup is a byline's HTML
/// ([`Walk::text_holder`]) unless they hold an Atom person.
const PERSON_HOLDERS: [&str; 2] = ["author", "dc:creator"];

/// An Atom person's parts: one of them inside a [`PERSON_HOLDERS`] element makes it a person.
const PERSON_PARTS: [&str; 3] = ["name", "email", "uri"];

/// The name of an end tag that the document ends inside (`</feed` and maybe blanks, no `>`),
/// when the reader's error at `at` is in it.
fn end_tag_cut_at_end(text: &str, at: usize) -> Option<&str> {
    let tail = text.trim_end();
    let lt = tail.rfind('<')?;
    let name = tail[lt..].strip_prefix("</")?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '.'));
    (valid && at >= lt).then_some(name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn run(xml: &str) -> (String, Vec<String>) {
        let mut w = vec![];
        let out = wellform(xml, FeedFormat::Rss, &ParseOptions::default(), &mut w);
        (out.xml, w)
    }

    #[test]
    fn wellformed_input_passes_unchanged_without_warnings() {
        let xml = r#"<rss version="2.0"><channel><title>a &amp; b &#8220;</title><item><description><![CDATA[<p>x & y</p>]]></description></item></channel></rss>"#;
        let (out, w) = run(xml);
        assert_eq!(out, xml);
        assert!(w.is_empty(), "{w:?}");
    }

    /// The repairs for forgotten end tags must never fire on what is allowed: elements empty
    /// by nature written with an end tag (or whitespace inside), `media:content` holding
    /// `media:title`, an RSS category with a domain.
    #[test]
    fn elements_empty_by_nature_written_in_full_pass_unchanged() {
        let xml = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom"><channel><atom:link href="http://x/feed" rel="self"></atom:link><item><title>t</title><enclosure url="http://x/a.mp3" type="audio/mpeg">
</enclosure><media:content url="http://x/v.mp4"><media:title>v</media:title><media:thumbnail url="http://x/t.jpg"></media:thumbnail></media:content><category domain="http://x/">c</category><atom:link href="http://x/1"> </atom:link></item></channel></rss>"#;
        let (out, w) = run(xml);
        assert_eq!(out, xml);
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn html_entities_become_characters() {
        let (out, w) = run("<a>caf&eacute;&nbsp;&mdash; &lt;&delta;&sigmaf;</a>");
        assert_eq!(out, "<a>caf\u{e9}\u{a0}\u{2014} &lt;\u{3b4}\u{3c2}</a>");
        assert_eq!(w.len(), 5, "{w:?}");
    }

    #[test]
    fn unknown_entity_stays_literal() {
        let (out, w) = run("<a>&lol9;</a>");
        assert_eq!(out, "<a>&amp;lol9;</a>");
        assert!(w[0].contains("&lol9;"), "{w:?}");
    }

    #[test]
    fn bare_ampersand_and_less_than_escaped() {
        // "&T;" is a well-formed reference to an unknown entity; both ways it stays literal.
        let (out, w) = run("<a>AT&T; x < y & z</a>");
        assert_eq!(out, "<a>AT&amp;T; x &lt; y &amp; z</a>");
        assert_eq!(w.len(), 3, "{w:?}");
    }

    #[test]
    fn attribute_values_are_repaired() {
        let (out, _) = run(r#"<a href="?a=1&b=2&amp;c=&eacute;"/>"#);
        assert_eq!(out, "<a href=\"?a=1&amp;b=2&amp;c=\u{e9}\"/>");
    }

    #[test]
    fn misnested_and_stray_end_tags() {
        let (out, w) = run("<a><b><c>x</b></d></a>");
        assert_eq!(out, "<a><b><c>x</c></b></a>");
        assert_eq!(w.len(), 2, "{w:?}");
    }

    #[test]
    fn truncated_document_keeps_complete_items_only() {
        let (out, w) = run("<rss><channel><item><title>1</title></item><item><title>2</ti");
        assert_eq!(
            out,
            "<rss><channel><item><title>1</title></item></channel></rss>"
        );
        assert!(w.iter().any(|w| w.contains("incomplete item")), "{w:?}");
    }

    #[test]
    fn a_document_ending_inside_its_last_end_tag_is_read_whole() {
        // feedparser's suite ends three documents with `</feed` or `</rss`: the feed's link
        // was all they held, and kb refused them as read before anything.
        let mut w = vec![];
        let out = wellform(
            "<rss><channel><link>http://e.test/</link></channel></rss \n",
            FeedFormat::Rss,
            &ParseOptions::default(),
            &mut w,
        );
        assert_eq!(
            out.xml,
            "<rss><channel><link>http://e.test/</link></channel></rss>"
        );
        assert!(out.cut.is_none(), "{w:?}");
        assert!(w.iter().any(|w| w.contains("its > missing")), "{w:?}");
        // An inner end tag cut short: the elements around it are still cut off.
        let mut w = vec![];
        let out = wellform(
            "<rss><channel><item><title>1</title></item",
            FeedFormat::Rss,
            &ParseOptions::default(),
            &mut w,
        );
        assert_eq!(
            out.xml,
            "<rss><channel><item><title>1</title></item></channel></rss>"
        );
        assert!(out.cut.is_some(), "{w:?}");
        // Not an end tag's name: the error stands.
        let (_, w) = run("<rss><channel></chan nel");
        assert!(!w.iter().any(|w| w.contains("its > missing")), "{w:?}");
    }

    #[test]
    fn doctype_entities_are_never_expanded() {
        let xml = r#"<!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;"><!ENTITY x SYSTEM "file:///etc/passwd">]><r>&b;&x;</r>"#;
        let (out, w) = run(xml);
        assert_eq!(out, "<r>&amp;b;&amp;x;</r>");
        assert!(w.iter().any(|w| w.contains("DOCTYPE")), "{w:?}");
    }

    #[test]
    fn too_deep_is_dropped_with_a_warning() {
        let xml = format!(
            "<r>{}x{}<b>y</b></r>",
            "<a>".repeat(300),
            "</a>".repeat(300)
        );
        let mut w = vec![];
        let out = wellform(&xml, FeedFormat::Rss, &ParseOptions::default(), &mut w);
        let want = format!("<r>{}{}<b>y</b></r>", "<a>".repeat(255), "</a>".repeat(255));
        assert_eq!(out.xml, want);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("1 element nested deeper than max_depth 256"),
            "{w:?}"
        );
    }

    #[test]
    fn a_dropped_part_millions_deep_costs_no_string_per_element() {
        // Found by reading the code: every element of the dropped part kept its name, 3 bytes
        // of input costing ~60 of memory, so a 50 MB feed of `<a>` took gigabytes.
        let depth = 300_000;
        let opts = ParseOptions::default();
        let mut w = vec![];
        let mut walk = Walk::new(FeedFormat::Rss, &opts, &mut w);
        for _ in 0..depth {
            walk.start(&BytesStart::new("a"), false);
        }
        assert!(
            walk.deep.len() <= DEEP_NAMED,
            "{} names held",
            walk.deep.len()
        );
        for _ in 0..depth - 1 {
            walk.end("a");
        }
        assert!(walk.deep.is_empty() && walk.deep_unnamed == 0);
        assert_eq!(walk.stack.len(), 1);
        // And the document around such a part is read as before.
        let xml = format!(
            "<r><i>{}x{}</i><b>y</b></r>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        let mut w = vec![];
        let out = wellform(&xml, FeedFormat::Rss, &opts, &mut w);
        let want = format!(
            "<r><i>{}{}</i><b>y</b></r>",
            "<a>".repeat(254),
            "</a>".repeat(254)
        );
        assert_eq!(out.xml, want);
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn misnested_tags_inside_a_dropped_part() {
        let opts = ParseOptions {
            max_depth: 2,
            ..ParseOptions::default()
        };
        let mut w = vec![];
        // In the dropped part `</x>` is stray, `</c>` closes the unclosed `<d>` too, and `</f>`,
        // an element above it, ends it.
        let xml = "<a><b><c><d>1</x></c>2</b><e>3</e><f><g/><h><i>4</f></a>";
        let out = wellform(xml, FeedFormat::Atom, &opts, &mut w);
        assert_eq!(out.xml, "<a><b>2</b><e>3</e><f></f></a>");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("3 elements"), "{w:?}");
    }

    #[test]
    fn items_beyond_max_items_are_skipped() {
        let opts = ParseOptions {
            max_items: 2,
            ..ParseOptions::default()
        };
        let xml = "<rss><channel><item><t>1</t></item><item/><item><t>3</t></item></channel></rss>";
        let mut w = vec![];
        let out = wellform(xml, FeedFormat::Rss, &opts, &mut w);
        assert_eq!(
            out.xml,
            "<rss><channel><item><t>1</t></item><item/></channel></rss>"
        );
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn bare_ampersand_before_multibyte_text() {
        let text = format!("<a>&{}</a>", "\u{442}".repeat(30));
        let (out, w) = run(&text);
        assert!(out.starts_with("<a>&amp;\u{442}"), "{out}");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn bad_character_references_become_replacement() {
        let (out, w) = run("<a>&#xD800;&#x41;&#X42;&#146;&#1114112;</a>");
        assert_eq!(out, "<a>\u{fffd}&#65;&#66;&#8217;\u{fffd}</a>");
        assert_eq!(w.len(), 2);
    }

    /// A control character is dropped whether written raw or as a reference: `&#x1a;` became
    /// U+FFFD in a title where a raw one left nothing.
    #[test]
    fn control_character_references_are_dropped() {
        let (out, w) = run("<a>&#0;x&#x1a;y&#8;&#9;&#127;</a>");
        assert_eq!(out, "<a>xy&#9;&#127;</a>");
        assert_eq!(w.len(), 3);
        assert!(w[0].contains("a control character"), "{w:?}");
    }
}
