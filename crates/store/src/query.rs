//! From the user's query string and filters to a tantivy query.
//!
//! The query language is parsed by [`syntax`] (our own parser: tantivy's `QueryParser` rejects
//! ordinary input such as `C++`, `isn't` or an unbalanced quote, and its messages do not point
//! at the problem). This module turns the syntax tree into tantivy queries:
//!
//! - plain words and phrases go through `kb_en`, the analyzer indexing used, so `referrals`
//!   finds `referral`, `isn't` finds `ISN’T` and `é` finds `e`; a word that analyses to several
//!   tokens (`isn't` -> `isn` `t`, `東京の` -> `東京` `京の`) must match them adjacent, like a
//!   phrase; a hyphenated word also matches its joined form (`e-mail` as `email`), a word
//!   of letters and digits them apart (`office365` as the phrase `offic 365`), a word
//!   that articles also write as two its halves in a row (`castiron` as `cast iron`,
//!   [`read_apart`]), and two adjacent words that articles also write as one (`open vpn` as
//!   either the two or `openvpn`, [`join_alternatives`]), and a word its other British or
//!   American spelling that some article holds (`color` as `colour`, [`crate::spelling`]);
//! - unscoped text is looked for in title (boosted), body, categories and author;
//! - `author:` / `category:` match the exact name (keyword field) or a word inside it (text
//!   field); `feed:` matches the exact feed name, else the feeds it is a word of
//!   ([`resolve_feeds`]);
//! - prefixes and fuzzy words are tried both stemmed and as typed (`proces~` is one edit from
//!   `process` only before stemming; `referal~` is one edit from `referr`, the stem of
//!   `referral`, only after);
//! - several plain words also earn a bonus when they stand close together (a sloppy phrase as
//!   an optional clause), so "first position" ranks the article with that phrase first;
//! - a query that matches nothing as typed has wider readings ([`relaxations`]) for the search
//!   to try: words typed apart read joined (or respelled joined), misspelled words respelled
//!   (by the word as typed, not only its stem), a number nothing holds read as the codes
//!   ending with it, dotted numbers read as the beginning of longer ones, month names and
//!   years read as dates, fewer words (down to any one of them, a rare word counting as
//!   several toward how many, each word a hit holds adding its rarity to its score).
//!
//! It also records what to highlight ([`Mark`]s): the positive terms, prefixes and fuzzy words,
//! expanded against the body's term dictionary for snippets by [`snippet_terms`].

mod syntax;

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, ExistsQuery, Explanation,
    FuzzyTermQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery, RegexQuery, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader, Term};

use crate::conjunction::{Part, WordQuery};
use crate::pairs::{FrequentPairs, PairPhraseQuery};
use crate::schema::{Fields, en_analyzer, kw_term, readings, tokens, unstemmed_analyzer};
use crate::search::{Compound, Relaxed, Respelling};
use crate::vocabulary::Vocabulary;
use crate::{Kb, StoreError};
use syntax::{Node, Scope, Text};

/// Title matches weigh this much more than body matches.
const TITLE_BOOST: f32 = 2.5;
/// Weight of a match in the words of an article's URL, relative to the body.
const URL_BOOST: f32 = 0.3;
/// Weight of a word a widened search respelled (one no article holds, read as the closest
/// ones some do), relative to the same word typed right: a guess counts, but less than any
/// word typed as articles write it (`best bakeries paris`, "bakeries" read as "bayern", put a
/// post saying Bayern four times above the one saying Paris).
const RESPELLED_WEIGHT: f32 = 0.3;
/// A word typed with at least this many letters, one edit from the one word articles hold
/// that is that close, is a slip, not a guess (see [`sure_respelling`]).
const SURE_RESPELLING_LETTERS: usize = 8;
/// Query words count as "close together" when they stand at most this many positions out of
/// place per gap between them (all gaps together: a phrase's slop): words remembered from one
/// sentence, its little words left out (`companies referral minutes` of "companies that win
/// referrals in minutes"). Two words then have at most two others between them: "be a ninja
/// on the phone: one call" is no `ninja one`.
const PROXIMITY_SLOP_PER_GAP: u32 = 2;
/// Weight of the closeness bonus, relative to one ordinary term match. At 1.5, a title holding
/// one of a remembered passage's words outranked the article holding them all in a row
/// (`kb-bench recall` on 10 000 generated articles: 4 words in a row from an article's text
/// found it first 21% of the time, 34% at 3; three words of a sentence 35%, then 49%). More
/// finds more (51% and 64% at 5) but costs the searches of common words their speed: each
/// article holding them all may then reach the page, and must be scored (`kb-bench profile`,
/// `vendor pricing` over 100 000 articles: p50 1.4 ms at 3, 3.8 ms at 5).
const PROXIMITY_BOOST: f32 = 3.0;
/// Weight of three words or more typed as the body runs (no word between them, in order), on
/// top of the closeness bonus, which weighs a run as it weighs words merely close together. A
/// title holding the rarest of them outranked the article whose text they were copied from
/// (`kb-bench recall`, 10 000 generated articles: 4 words in a row found their article first
/// 34% of the time, 59% with this at 3, 71% at 6; a KB of the shared corpus's real feeds: 99%,
/// then 100%). Weighed more, common words' runs cost more to rule out (over 100 000 articles,
/// 3 to 5 common words took 0-20% longer at 3, 30-60% at 6). Two words are left out: a pair is
/// as often two words that happen to meet, and two-word searches are the commonest.
const RUN_BOOST: f32 = 3.0;
/// A prefix also matches the stems it would have if up to this many letters were cut off...
const STEM_CUT: usize = 3;
/// ...as long as at least this many letters remain: shorter stems match too many words.
const MIN_CUT_LEN: usize = 4;
/// At most this many dictionary terms are highlighted per prefix or fuzzy word: enough for any
/// snippet, and bounded however short the prefix.
const MAX_EXPANSIONS: usize = 50;

/// A query that matches nothing is tried with at most this many smaller numbers of its words
/// before the last try, with any one of them ([`widenings`]).
const MAX_WIDENINGS: usize = 4;

/// In a widened query, a word held adds this many times its rarity (its idf among all articles)
/// to a hit's score, on top of how well it matches ([`SomeClause::rarity`]).
const RARITY_WEIGHT: f32 = 3.0;

/// Filters shared by search and list. Values within one filter are alternatives (OR); filters
/// combine with AND.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters<'a> {
    pub categories: &'a [String],
    pub authors: &'a [String],
    pub feeds: &'a [String],
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

impl Filters<'_> {
    /// No filter at all: [`with_filters`] would add no clause.
    pub(crate) fn is_empty(&self) -> bool {
        self.categories.is_empty()
            && self.authors.is_empty()
            && self.feeds.is_empty()
            && self.since.is_none()
            && self.until.is_none()
    }
}

/// Something a snippet should highlight, in the analyzed form the body's terms have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mark {
    /// This exact term.
    Term(String),
    /// This exact term, a one-letter piece of a longer typed word (`isn't` -> `isn` `t`,
    /// `e-mail` -> `e` `mail`): lit up wherever it stands ("don’t", "e.g.") it would drown
    /// the real match, so it counts only when nothing longer is highlighted.
    Piece(String),
    /// Any term starting with this.
    Prefix(String),
    /// Any term within this many edits.
    Fuzzy(String, u8),
}

/// A compiled query string.
pub(crate) struct TextQuery {
    /// What to match and how to score.
    pub query: Box<dyn Query>,
    /// What to highlight (never the excluded words).
    pub marks: Vec<Mark>,
    /// When `query` carries the closeness bonus: the same query taken apart, so a search can
    /// skip the bonus's position reads where it cannot change the top hits.
    pub split: Option<Split>,
    /// The query was blank, and `query` matches every article: a search only with a filter.
    pub blank: bool,
    /// Words no article writes as typed, also read as the words they may be slips for
    /// ([`slips_held`]), each once, with those words as articles write them (lowercased).
    pub slips: Vec<Respelling>,
}

/// `query` = `main` plus, optionally, each of `bonus` (tantivy sums the scores).
pub(crate) struct Split {
    /// What to match, and its score without the bonus.
    pub main: Box<dyn Query>,
    /// The optional clauses: they add to the score, never to the matching set.
    pub bonus: Vec<Bonus>,
}

/// One optional phrase clause of the closeness bonus: sloppy, or the exact run.
pub(crate) struct Bonus {
    /// The boosted phrase query, the very clause `query` holds.
    pub query: Box<dyn Query>,
    /// Its terms, in phrase order.
    pub terms: Vec<Term>,
    /// Its boost.
    pub boost: f32,
    /// Whether the phrase is exact (no slop): each of its matches then uses one occurrence
    /// of every word, which bounds its score more tightly.
    pub exact: bool,
    /// An exact phrase's pair terms and the list's marker ([`PairPhraseQuery::pair_terms`]),
    /// when the list holds every pair of it: where a segment is covered, a document without
    /// one of the pairs cannot match, which spares reading positions there.
    pub pairs: Option<(Vec<Term>, Term)>,
}

impl std::fmt::Debug for TextQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextQuery")
            .field("query", &self.query)
            .field("marks", &self.marks)
            .field("split", &self.split.is_some())
            .field("blank", &self.blank)
            .field("slips", &self.slips)
            .finish()
    }
}

/// Parse and compile a query string, as a search does (for tests of what a query compiles to).
#[cfg(test)]
pub(crate) fn text_query(kb: &Kb, text: &str) -> Result<TextQuery, StoreError> {
    let read = read_query(kb, &kb.reader.searcher(), text)?;
    compile_read(kb, &read)
}

/// A query string parsed, with the closed compounds that articles write apart read apart
/// ([`read_apart`]): what the search compiles ([`compile_read`]) and, when that matches
/// nothing, what it widens ([`relaxations`]), so the dictionary and phrase lookups are made
/// once per search.
#[derive(Debug, Clone)]
pub(crate) struct ReadQuery {
    /// The top level's items (one, unless the query is several).
    items: Vec<Node>,
    /// Adjacent plain words that some article writes as one (`open vpn` -> "OpenVPN"): the
    /// index of the first of the two items, and the joined word, which the search as typed
    /// takes as an alternative to the two ([`join_alternatives`]).
    joins: Vec<(usize, String)>,
    /// The query as typed, for the error when it holds nothing searchable.
    text: String,
}

/// Parse a query string and read its closed compounds apart, against `searcher`.
pub(crate) fn read_query(
    kb: &Kb,
    searcher: &Searcher,
    text: &str,
) -> Result<ReadQuery, StoreError> {
    let mut items = match parse(text)? {
        Node::And(items) => items,
        single => vec![single],
    };
    let mut lk = Lookup::new(kb, searcher);
    read_apart(&mut lk, &mut items)?;
    let joins = join_alternatives(&mut lk, &items)?;
    Ok(ReadQuery {
        items,
        joins,
        text: text.to_string(),
    })
}

impl ReadQuery {
    /// The query without its top-level exclusions, and each exclusion as it may be typed
    /// (`-u`, `-"draft post"`, `NOT …`): what a search that matched nothing asks of the rest
    /// (see [`crate::Excluded`]). `None` when it has no exclusion, or nothing besides.
    pub(crate) fn without_exclusions(&self) -> Option<(ReadQuery, Vec<String>)> {
        let (nots, rest): (Vec<&Node>, Vec<&Node>) =
            self.items.iter().partition(|n| matches!(n, Node::Not(_)));
        if nots.is_empty() || rest.is_empty() {
            return None;
        }
        let typed = nots
            .iter()
            .map(|n| match n {
                Node::Not(inner) => match inner.as_ref() {
                    Node::Text(Scope::Any, Text::Word(w)) => format!("-{w}"),
                    Node::Text(Scope::Any, Text::Phrase(p, _)) => format!("-\"{p}\""),
                    _ => "NOT …".to_string(),
                },
                _ => String::new(),
            })
            .collect();
        // The joined pairs stay pairs (both plain words), a place earlier by each exclusion
        // before them.
        let joins = self
            .joins
            .iter()
            .map(|(i, joined)| {
                let nots = self.items[..*i]
                    .iter()
                    .filter(|n| matches!(n, Node::Not(_)))
                    .count();
                (i - nots, joined.clone())
            })
            .collect();
        Some((
            ReadQuery {
                items: rest.into_iter().cloned().collect(),
                joins,
                text: self.text.clone(),
            },
            typed,
        ))
    }
}

/// Compile a read query as typed. A blank query matches everything (`blank`: the search takes
/// it only with a filter); a query whose words hold nothing searchable (`!!!`, `++`) is
/// refused, as no article could match it.
pub(crate) fn compile_read(kb: &Kb, read: &ReadQuery) -> Result<TextQuery, StoreError> {
    // One item compiles as itself, not as a one-item conjunction: the closeness bonus and
    // the blank query read the shape.
    let node = match read.items.as_slice() {
        [single] => single.clone(),
        items => Node::And(items.to_vec()),
    };
    if read.joins.is_empty() {
        return compile(kb, &node, None)?.ok_or_else(|| StoreError::NoWords(read.text.clone()));
    }
    // Each joined pair is the two words, or the one (`open vpn`: both, or "OpenVPN"); the
    // closeness bonus still reads the words as typed.
    let mut items = Vec::with_capacity(read.items.len());
    let mut i = 0;
    while i < read.items.len() {
        match read.joins.iter().find(|(at, _)| *at == i) {
            Some((_, joined)) if i + 1 < read.items.len() => {
                items.push(Node::Or(vec![
                    Node::And(read.items[i..i + 2].to_vec()),
                    Node::Text(Scope::Any, Text::Word(joined.clone())),
                ]));
                i += 2;
            }
            _ => {
                items.push(read.items[i].clone());
                i += 1;
            }
        }
    }
    let joined = match items.len() {
        1 => items.remove(0),
        _ => Node::And(items),
    };
    compile_with(kb, &joined, &node, None)?.ok_or_else(|| StoreError::NoWords(read.text.clone()))
}

/// The most words a query may have. Each word is looked up in several fields and readings,
/// and a query that matches nothing is widened word by word: a pasted page of 2000 words took
/// 6 GiB and 9 s. What a person types, even a whole remembered sentence, is far shorter; to
/// find articles like a long text, `kb related` takes an article.
const MAX_QUERY_WORDS: usize = 64;

fn parse(text: &str) -> Result<Node, StoreError> {
    let node = syntax::parse(text).map_err(|e| StoreError::BadQuery(e.message))?;
    // The words, not the operators: `a OR b OR ... ` of 33 words counted as 65 (parsing is
    // linear; it is the lookups and widenings per word that the limit bounds).
    let words = count_words(&node);
    if words > MAX_QUERY_WORDS {
        return Err(StoreError::BadQuery(format!(
            "the query has {words} words, more than the {MAX_QUERY_WORDS} kb takes: keep the words that matter most (to find articles like another, use `kb related ID`)"
        )));
    }
    Ok(node)
}

/// The words a parsed query searches for (a phrase counts its words).
fn count_words(node: &Node) -> usize {
    match node {
        Node::And(items) | Node::Or(items) => items.iter().map(count_words).sum(),
        Node::Not(inner) => count_words(inner),
        Node::Text(_, Text::Phrase(p, _)) => p.split_whitespace().count().max(1),
        Node::Text(..) => 1,
        Node::Published(..) => 0,
    }
}

/// How a widened query's plain words must match: per item of the top level, whether it is one
/// of them, the rarity it adds to a hit's score ([`SomeClause::rarity`]) and its weight toward
/// [`Widening::k`] ([`weight_of`]).
pub(crate) struct Widening<'a> {
    widen: &'a [bool],
    rarity: &'a [f32],
    weight: &'a [f32],
    /// A hit holds `k` of the words, or rarer ones that weigh as much as the `k` lightest.
    k: usize,
}

/// Compile a parsed query; with `at_least`, only that many of the top level's items marked
/// widenable need match. `None` when it has text but none that analyses to a term.
fn compile(
    kb: &Kb,
    node: &Node,
    at_least: Option<&Widening<'_>>,
) -> Result<Option<TextQuery>, StoreError> {
    compile_with(kb, node, node, at_least)
}

/// [`compile`], with the closeness bonus read from `words` (the query as typed, where `node`
/// has alternatives in place of some of its words).
fn compile_with(
    kb: &Kb,
    node: &Node,
    words: &Node,
    at_least: Option<&Widening<'_>>,
) -> Result<Option<TextQuery>, StoreError> {
    let mut c = Compiler {
        lk: Lookup::new(kb, &kb.reader.searcher()),
        marks: Vec::new(),
        has_text: false,
        pairs: kb.frequent_pairs.clone(),
        slips: Vec::new(),
    };
    let compiled = match (node, at_least) {
        (Node::And(items), Some(w)) => c.some_of(items, w)?,
        _ => c.node(node, false)?,
    };
    let (query, split) = match compiled {
        Some(q) => c.with_proximity(words, q),
        None if c.has_text => return Ok(None),
        None => (Box::new(AllQuery) as Box<dyn Query>, None),
    };
    Ok(Some(TextQuery {
        query,
        marks: c.marks,
        split,
        blank: !c.has_text,
        slips: c.slips,
    }))
}

/// Where an unscoped word is looked for, and its weight there: title (boosted), body,
/// categories, author, and the words of the article's URL (light: a slug mostly repeats the
/// title; it is there so a site or a link typed into a search finds its articles).
fn unscoped(f: &Fields) -> [(Field, f32); 5] {
    [
        (f.title, TITLE_BOOST),
        (f.body, 1.0),
        (f.category_text, 1.0),
        (f.author_text, 1.0),
        (f.url_text, URL_BOOST),
    ]
}

/// A plain word of the top level, unscoped: what a person types from memory, and so what a
/// search that found nothing may respell, read as a date, or do without. Phrases, prefixes,
/// scopes, dates and exclusions say exactly what the user wants and stay as written. A word of
/// punctuation only (the `&` of `backup & restore`, a lone `/` or `-`) is none: it analyses to
/// no term, so the query ignores it as it ignores a comma, and counting it among the words
/// that must match would ask for one that no article can hold.
fn widenable(en: &mut TextAnalyzer, node: &Node) -> bool {
    match node {
        Node::Text(Scope::Any, Text::Word(w)) => !tokens(en, w).is_empty(),
        // Two words typed apart, respelled as one ([`respell_joined`]).
        Node::Text(Scope::Any, Text::Respelled(..)) => true,
        _ => false,
    }
}

/// The years a word may name when it means a publication date.
const YEARS: std::ops::RangeInclusive<i32> = 1970..=2099;

/// The publication periods a plain word may mean: a year (`2010`), or a month name (`March`)
/// in each year of `years` (the years the archive spans). Empty for any other word.
fn periods_of(word: &str, years: Option<(i32, i32)>) -> Vec<Node> {
    let published =
        |p: &str| syntax::period(p).map(|(from, to)| Node::Published(Some(from), Some(to)));
    if word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()) {
        return published(word)
            .filter(|_| word.parse().is_ok_and(|y: i32| YEARS.contains(&y)))
            .into_iter()
            .collect();
    }
    match (month_named(word), years) {
        // A feed's wrong dates (year 1 or 9999) must not make a month thousands of periods.
        (Some(m), Some((first, last))) => (first.max(*YEARS.start())..=last.min(*YEARS.end()))
            .filter_map(|y| published(&format!("{y:04}-{m:02}")))
            .collect(),
        _ => Vec::new(),
    }
}

/// The month (1-12) a word names in full, as a person recalls when something appeared ("that
/// post from March"); abbreviations are left alone ("mar", "jan" are words too).
fn month_named(word: &str) -> Option<u8> {
    (1..=12u8).find(|m| {
        chrono::Month::try_from(*m).is_ok_and(|month| month.name().eq_ignore_ascii_case(word))
    })
}

/// The first and last year an article of the archive was published in.
fn published_years(searcher: &Searcher) -> Result<Option<(i32, i32)>, StoreError> {
    let mut span: Option<(i64, i64)> = None;
    for seg in searcher.segment_readers() {
        let col = seg.fast_fields().i64("published")?;
        if col.values.num_vals() == 0 {
            continue;
        }
        let (lo, hi) = (col.min_value(), col.max_value());
        span = Some(span.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
    }
    let year =
        |secs: i64| chrono::DateTime::from_timestamp(secs, 0).map(|d| chrono::Datelike::year(&d));
    Ok(span.and_then(|(lo, hi)| Some((year(lo)?, year(hi)?))))
}

/// How many edits a word no article holds may be from one that some article does, by the
/// length of its stem (as search engines do): none for one or two letters, where any edit
/// makes another common word.
/// Whether a respelling is no guess: one word of at least [`SURE_RESPELLING_LETTERS`]
/// letters typed, read as the one word articles hold one edit from its stem (`champolion` ->
/// "champollion"). Long words one letter apart are seldom two real words, so the name a reader
/// half-remembers weighs as typed right (`Champolion stone` put every article on stones
/// first); two edits, a short word or several close words stay a guess (`bakeries` read as
/// "bayern").
fn sure_respelling(en: &mut TextAnalyzer, typed: &str, terms: &[String]) -> bool {
    let [term] = terms else {
        return false;
    };
    if typed.chars().count() < SURE_RESPELLING_LETTERS || typed.contains(char::is_whitespace) {
        return false;
    }
    matches!(tokens(en, typed).as_slice(), [stem] if within_edits(term, stem, 1))
}

fn edits_for(stem: &str) -> Option<u8> {
    match stem.chars().count() {
        0..=2 => None,
        3..=5 => Some(1),
        _ => Some(2),
    }
}

/// How many of `words` plain words a widened query requires, in the order tried: all but one,
/// all but two, all but three, then half, then one, so a long query that matches nothing costs
/// a few more searches, not one per word. The last step is one word because a query
/// remembered around one rare word (`Salt & Ember sourdough`: a blog's name and the dish) has
/// no article holding half of it; any of its words, ranked as usual, puts the articles holding
/// the rarest and the most of them first, which beats no answer.
fn widenings(words: usize) -> Vec<usize> {
    let mut ks: Vec<usize> = (words.div_ceil(2)..words).rev().collect();
    if ks.len() > MAX_WIDENINGS {
        ks.drain(MAX_WIDENINGS - 1..ks.len() - 1);
    }
    if ks.last().is_some_and(|&k| k > 1) {
        ks.push(1);
    }
    ks
}

/// Wider readings of a query that matched nothing, to try in order until one matches: first
/// each plain word that no article holds at all is matched by similar spelling instead
/// (`referel` as `referel~2`), a dotted number no article holds as typed by the longer ones it
/// begins (`802.11` as `802.11*`: "802.11be"), and a month name or a year may also mean when the article was
/// published (`March` matches the word, or articles of any March); then fewer of the plain
/// words must match: all but one, all but two, ... down to half of them, and last any one
/// ([`widenings`]), ranked as usual, so the articles with the most and the rarest of the words
/// come first. Empty when the query has nothing to widen. `reach` stops the fewer words at
/// all but one for near matches ([`Reach`]).
pub(crate) fn relaxations(
    kb: &Kb,
    searcher: &Searcher,
    read: &ReadQuery,
    reach: Reach,
) -> Result<Vec<(TextQuery, Relaxed)>, StoreError> {
    // As the search as typed read them: a widening only adds readings.
    let mut items = read.items.clone();
    let mut lk = Lookup::new(kb, searcher);
    let mut respellings = Vec::new();
    let mut compounds = join_compounds(&mut lk, &mut items, &mut respellings)?;
    compounds.extend(join_dotted(kb, &mut lk, &mut items)?);
    let widen: Vec<bool> = items
        .iter()
        .map(|item| widenable(&mut lk.en, item))
        .collect();
    // Little words (`a`, `by`, `of`, `vs`) say nothing of what an article is about, and most
    // articles hold them: counted as words a hit must hold, an article holding three of them
    // and one word that matters beat the one holding every word that does (`honored by a
    // university`). Beside a word that matters, they are never required, nor counted; they
    // still rank. A query of little words alone counts them as words like any other.
    let little: Vec<bool> = items
        .iter()
        .zip(&widen)
        .map(|(item, w)| *w && little_word(item))
        .collect();
    let content = widen
        .iter()
        .zip(&little)
        .filter(|(w, l)| **w && !**l)
        .count();
    let unrequired: Vec<String> = match content {
        0 => Vec::new(),
        _ => items
            .iter()
            .zip(&little)
            .filter_map(|(item, l)| match item {
                Node::Text(_, Text::Word(w)) if *l => Some(w.clone()),
                _ => None,
            })
            .collect(),
    };
    let counted: Vec<bool> = widen
        .iter()
        .zip(&little)
        .map(|(w, l)| *w && (unrequired.is_empty() || !l))
        .collect();
    let words = counted.iter().filter(|c| **c).count();
    if reach == Reach::Near && words > MAX_NEAR_WORDS {
        return Ok(Vec::new());
    }
    let mut respelled: Vec<String> = respellings.iter().map(|r| r.typed.clone()).collect();
    let mut prefixed = Vec::new();
    let mut dated = Vec::new();
    let mut years = None;
    let mut code_walks = 0;
    for item in &mut items {
        let Node::Text(Scope::Any, Text::Word(w)) = item else {
            continue;
        };
        if dotted_number(w) && !matches_as_typed(kb, searcher, w)? {
            prefixed.push(w.clone());
            *item = Node::Text(Scope::Any, Text::Prefix(std::mem::take(w)));
            continue;
        }
        if w.len() == 4 || month_named(w).is_some() {
            if years.is_none() {
                years = Some(published_years(searcher)?);
            }
            let periods = periods_of(w, years.flatten());
            if !periods.is_empty() {
                dated.push(w.clone());
                let word = std::mem::replace(item, Node::And(Vec::new()));
                *item = Node::Or(std::iter::once(word).chain(periods).collect());
                continue;
            }
        }
        // A word with a digit is a number, a version or a code: one digit off is another
        // one (`50000` respelled `5000`, `7000` the `000` of every grouped number, `e0503`
        // `e0502`), never what the reader meant. Its letters may be off (`0502` for "E0502",
        // `rtx4090` for "RTX 4090ti"), its digits must stay as typed.
        let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
        let typed_digits = digits(w);
        let stems = tokens(&mut lk.en, w);
        let (stem, raw) = match stems.as_slice() {
            [stem] => (stem.clone(), tokens(&mut lk.raw, w)),
            // A compound (`Mittag-Lefler`) is respelled whole, as its joined form, which
            // articles hold whether they write it hyphenated or closed; a part alone would
            // be a guess at half a name.
            [_, _, ..] => match misspelled_compound(&mut lk, w)? {
                Some(joined) => joined,
                None => continue,
            },
            [] => continue,
        };
        let stem = &stem;
        let mut held = held_by(&lk, stem)?;
        // A word some article spells the other way (`color`: "colour") is no misspelling.
        held += other_spellings_held(&mut lk, w)?.len() as u64;
        // `exchange2010`, which no article holds joined, may be held apart ("Exchange 2010"):
        // respelled, it would lose that reading.
        for apart in readings(&mut lk.en, w).iter().skip(1) {
            for (field, _) in unscoped(&lk.f) {
                let mut all = true;
                for t in apart {
                    all &= searcher.doc_freq(&Term::from_field_text(field, t))? > 0;
                }
                held += u64::from(all);
            }
        }
        if let (0, Some(edits)) = (held, edits_for(stem)) {
            let mut terms = respell(&mut lk, stem, raw.first(), edits, Typed::Word)?;
            if !typed_digits.is_empty() {
                terms.retain(|t| digits(t) == typed_digits);
            }
            // A number that nothing holds may be a code's number without its prefix, as tools
            // print it (`80070005` for "0x80070005", `50076` for "AADSTS50076").
            if terms.is_empty()
                && w.len() >= MIN_CODE_DIGITS
                && w.chars().all(|c| c.is_ascii_digit())
                && code_walks < MAX_CODE_WALKS
            {
                code_walks += 1;
                terms = codes_ending_with(&lk, w)?;
            }
            // Nothing close: the word stays as typed, matching nothing, for the widenings
            // below to do without (the note must not claim a respelling).
            if terms.is_empty() {
                continue;
            }
            respelled.push(w.clone());
            respellings.push(Respelling {
                typed: w.clone(),
                read_as: terms.clone(),
            });
            *item = Node::Text(Scope::Any, Text::Respelled(std::mem::take(w), terms));
        }
    }
    let node = Node::And(items);
    let relaxed = |at_least, widened: bool| Relaxed {
        compounds: compounds.clone(),
        respelled: respelled.clone(),
        respellings: respellings.clone(),
        dated: dated.clone(),
        prefixed: prefixed.clone(),
        unrequired: match widened {
            true => unrequired.clone(),
            false => Vec::new(),
        },
        at_least,
        words,
    };
    let mut out = Vec::new();
    // The query as typed compiled to something, so its wider readings do too; were one not
    // to, it would have nothing to add.
    if !respelled.is_empty() || !dated.is_empty() || !compounds.is_empty() || !prefixed.is_empty() {
        out.extend(compile(kb, &node, None)?.map(|q| (q, relaxed(words, false))));
    }
    // Without its little words, all the others first.
    let mut ks = match unrequired.is_empty() {
        true => Vec::new(),
        false => vec![words],
    };
    ks.extend(widenings(words));
    if reach == Reach::Near {
        ks.retain(|&k| near(k, words));
    }
    if !ks.is_empty() {
        // Once for all the widenings: a respelled word's count walks the term dictionaries.
        let Node::And(items) = &node else {
            return Ok(out);
        };
        let mut rarity = Vec::with_capacity(items.len());
        let mut weight = Vec::with_capacity(items.len());
        let articles = searcher.num_docs();
        for ((item, widen), counted) in items.iter().zip(&widen).zip(&counted) {
            // Read once for both: counting a word's articles looks up its readings and slips.
            let heft = match widen {
                true => Some(heft_of(&mut lk, item)?),
                false => None,
            };
            rarity.push(heft.as_ref().map_or(0.0, |h| rarity_of(h, articles)));
            weight.push(match (&heft, counted) {
                (Some(h), true) => weight_of(h, articles),
                // A little word beside words that count: optional, and it weighs nothing.
                (Some(_), false) => Some(0.0),
                (None, _) => None,
            });
        }
        // What cannot be counted by a few lookups (a date, a prefix) weighs as the others do
        // on average: it neither lowers nor raises the bar.
        let known: Vec<f32> = weight
            .iter()
            .zip(&counted)
            .filter_map(|(w, c)| w.filter(|_| *c))
            .collect();
        let average = match known.len() {
            0 => 1.0,
            n => known.iter().sum::<f32>() / n as f32,
        };
        let weight: Vec<f32> = weight.into_iter().map(|w| w.unwrap_or(average)).collect();
        for k in ks {
            let w = Widening {
                widen: &widen,
                rarity: &rarity,
                weight: &weight,
                k,
            };
            out.extend(compile(kb, &node, Some(&w))?.map(|q| (q, relaxed(k, true))));
        }
    }
    Ok(out)
}

/// How far [`relaxations`] reads a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Down to any one of its words: a query that matched nothing.
    Widest,
    /// Only the readings that miss at most one word ([`near`]): a query that matched a few
    /// articles, whose page near matches fill. A pasted passage of 60 words spent 100 ms on
    /// readings down to one word that were never run.
    Near,
}

/// A query of more plain words than this has no near matches: it is a passage pasted, whose
/// matches missing one word are no nearer to it, and walking them cost 16 ms at 20 words (100k
/// articles).
const MAX_NEAR_WORDS: usize = 12;

/// Whether requiring `at_least` of a query's `words` plain words is a near reading of it: it
/// misses one at most, and of two words keeps both ("either word" is another search).
pub(crate) fn near(at_least: usize, words: usize) -> bool {
    at_least + 1 >= words && at_least >= words.min(2)
}

/// What [`respell`] is given: one word as typed, or two typed apart and joined (whose
/// neighbours one edit away are not looked up: a guess at a compound already, and a long word's
/// are many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Typed {
    Word,
    Joined,
}

/// At most this many words are taken for one respelled word: the most frequent of the
/// closest. A short word may be one edit from dozens; past a handful they find articles about
/// anything.
const MAX_RESPELLINGS: usize = 8;

/// The words articles hold that a word no article holds (`stem`, and `raw` as typed) is
/// respelled as: those fewest edits away, up to `edits` (`munich` is `munch` where an article
/// holds it, and `much` only where none holds a word one edit away), most frequent first, at
/// most [`MAX_RESPELLINGS`]; number words as their numbers (`thre` -> `3`). Empty when none
/// is within `edits`. The term dictionaries are walked by the same automata a fuzzy query
/// runs, once per search rather than once per widened query.
fn respell(
    lk: &mut Lookup,
    stem: &str,
    raw: Option<&String>,
    edits: u8,
    given: Typed,
) -> Result<Vec<String>, StoreError> {
    if let (Some(r), Typed::Word) = (raw, given)
        && let Some(terms) = respell_as_written(lk, r, edits)?
    {
        return Ok(terms);
    }
    let mut typed = vec![stem];
    if let Some(r) = raw.filter(|r| *r != stem) {
        typed.push(r);
    }
    // What the stemmer cut off the word typed (`connectwize` -> `connectw`): a term close to
    // the stem only is that much further from what was typed (`connect`, one edit from the
    // stem, is four from `connectwize`; `connectwis`, the stem of "ConnectWise", two from
    // either), so the word typed decides between them.
    let cut = raw.filter(|r| *r != stem).map_or(0, |r| {
        r.chars()
            .count()
            .saturating_sub(stem.chars().count())
            .max(1)
    });
    let cut = u8::try_from(cut).unwrap_or(u8::MAX);
    // Each term found, with its fewest edits from what was typed and its document frequency.
    let mut found: BTreeMap<String, (u8, u64)> = BTreeMap::new();
    for (n, word) in typed.iter().enumerate() {
        if is_number_of(stem, word) {
            continue;
        }
        let penalty = if n == 0 { cut } else { 0 };
        let fields: Vec<Field> = unscoped(&lk.f)
            .into_iter()
            .map(|(field, _)| field)
            .filter(|field| *field != lk.f.url_text)
            .collect();
        fuzzy_terms(&lk.searcher, &fields, word, edits, |t, doc_freq| {
            let d = (1..edits)
                .find(|&d| within_edits(t, word, d))
                .unwrap_or(edits)
                .saturating_add(penalty);
            let entry = found.entry(t.to_string()).or_insert((d, 0));
            entry.0 = entry.0.min(d);
            entry.1 += u64::from(doc_freq);
            Ok(true)
        })?;
    }
    // A typo in a word whose stem the stemmer cuts short is far from that stem (`postion` is
    // three edits from `posit`, of "position", and one from `option`; `organizaton` six from
    // `organ`): the words one edit from the word as typed, stemmed, are found as one edit away.
    if let (Some(r), Typed::Word) = (raw, given) {
        for (stem, held) in stems_one_edit_from(lk, r)? {
            let entry = found.entry(stem).or_insert((1, held));
            entry.0 = entry.0.min(1);
        }
    }
    if let Some(r) = raw {
        for d in 1..=edits {
            for n in crate::stem::numbers_of_words(|word| within_edits(word, r, d)) {
                found.entry(n.to_string()).or_insert((d, 0)).0 = d;
            }
        }
    }
    Ok(closest_most_frequent(found))
}

/// Of terms found with (edits, articles holding them): those fewest edits away, most frequent
/// first (ties by term), at most [`MAX_RESPELLINGS`].
fn closest_most_frequent(found: BTreeMap<String, (u8, u64)>) -> Vec<String> {
    let Some(closest) = found.values().map(|(d, _)| *d).min() else {
        return Vec::new();
    };
    let mut terms: Vec<(String, u64)> = found
        .into_iter()
        .filter(|(_, (d, _))| *d == closest)
        .map(|(t, (_, n))| (t, n))
        .collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(MAX_RESPELLINGS);
    terms.into_iter().map(|(t, _)| t).collect()
}

/// [`respell`] by the words articles write ([`Vocabulary`]) rather than by stems: the stems of
/// the written words fewest edits from the word as typed, up to `edits`, that articles hold,
/// most frequent first, at most [`MAX_RESPELLINGS`]. Stems are measured against each other
/// where the stemmer cut the typed word and the word meant at different places: `refferal`
/// (stem `reffer`) is one edit from `refer` and two from `referr`, of "referral", which is two
/// letters from it as written and "refer" three. `None` when no written word is that close
/// (a typo in the first letter, which [`Vocabulary::near`] does not compare) or the word is
/// not one of letters only: the stems decide then, as without a list.
fn respell_as_written(
    lk: &mut Lookup,
    raw: &str,
    edits: u8,
) -> Result<Option<Vec<String>>, StoreError> {
    let Some(vocabulary) = lk.vocabulary.clone() else {
        return Ok(None);
    };
    if raw.len() < MIN_WRITTEN_RESPELLING || !raw.bytes().all(|b| b.is_ascii_lowercase()) {
        return Ok(None);
    }
    // Each stem with its fewest edits and how many articles hold it.
    let mut found: BTreeMap<String, (u8, u64)> = BTreeMap::new();
    for (word, d) in vocabulary.near(raw, edits) {
        let [stem] = tokens(&mut lk.en, &word).try_into().unwrap_or_default();
        if stem.is_empty() {
            continue;
        }
        if let Some(entry) = found.get_mut(&stem) {
            entry.0 = entry.0.min(d);
            continue;
        }
        let held = held_by(lk, &stem)?;
        if held > 0 {
            found.insert(stem, (d, held));
        }
    }
    Ok(match found.is_empty() {
        true => None,
        false => Some(closest_most_frequent(found)),
    })
}

/// Words this short are respelled by their stems: one or two edits from a short word are
/// too many written words.
const MIN_WRITTEN_RESPELLING: usize = 4;

/// How many letters shorter than a word its stem must be for [`stems_one_edit_from`] to take
/// it: "position" is `posit`, "organization" `organ`.
const MIN_STEM_CUT: usize = 3;

/// The longest word typed whose one-edit neighbours [`stems_one_edit_from`] looks up (about 54
/// per letter): longer ones are codes or names, and their stems are not cut much.
const MAX_EDITED_LETTERS: usize = 20;

/// The stems of the words one edit (a letter deleted, inserted, replaced, or two swapped) from
/// `raw`, a word of letters as typed, that articles hold in their text and that one of them
/// writes as that word, with how many articles hold each: `postion` gives `posit`
/// ("position"), `manageemnt` `manag` ("management"). The fuzzy walk of the term dictionaries
/// compares stems, so it misses these where the stemmer cuts the word short ([`MIN_STEM_CUT`]
/// letters or more). Empty for a word of fewer than four letters (one edit from too many
/// words) or more than [`MAX_EDITED_LETTERS`].
fn stems_one_edit_from(lk: &mut Lookup, raw: &str) -> Result<Vec<(String, u64)>, StoreError> {
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() < 4
        || chars.len() > MAX_EDITED_LETTERS
        || !chars.iter().all(|c| c.is_alphabetic())
    {
        return Ok(Vec::new());
    }
    let edited = one_edit(raw);
    // Each stem with the edits that give it. Only where the stemmer cuts the word by three
    // letters or more: nearer, the walk of the stems finds it.
    let mut stems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in edited {
        if let [stem] = tokens(&mut lk.en, &e).as_slice()
            && e.chars().count() >= stem.chars().count() + MIN_STEM_CUT
        {
            stems.entry(stem.clone()).or_default().push(e);
        }
    }
    // Each segment's body dictionary, opened once for the few hundred lookups (the body's
    // alone: a word of an article's title is nearly always in its text too, and each field
    // doubles the lookups).
    let mut bodies = Vec::new();
    for seg in lk.searcher.segment_readers() {
        bodies.push(seg.inverted_index(lk.f.body)?);
    }
    let mut out = Vec::new();
    for (stem, surfaces) in stems {
        let term = Term::from_field_text(lk.f.body, &stem);
        let mut held = 0u64;
        for inv in &bodies {
            held += u64::from(inv.doc_freq(&term).map_err(tantivy::TantivyError::from)?);
        }
        // An edit that is no word at all may stem to a word's stem (`referel` less its `l`,
        // "refereli", is `refer`, ahead of "referral", the word meant): one of the first
        // articles holding the stem must write the edit as a word.
        if held > 0 && written_somewhere(lk, &bodies, &term, &surfaces)? {
            out.push((stem, held));
        }
    }
    Ok(out)
}

/// How many articles holding a stem [`written_somewhere`] reads, at most.
const MAX_WRITTEN_LOOKS: usize = 48;

/// Whether one of the first articles holding `term` (a stem) in its text (at most
/// [`MAX_WRITTEN_LOOKS`]) writes one of `words` (lowercase) as a word of its own. `bodies`:
/// each segment's body dictionary, in the searcher's order.
fn written_somewhere(
    lk: &Lookup,
    bodies: &[std::sync::Arc<tantivy::InvertedIndexReader>],
    term: &Term,
    words: &[String],
) -> Result<bool, StoreError> {
    let mut looked = 0;
    for (ord, (seg, inv)) in lk.searcher.segment_readers().iter().zip(bodies).enumerate() {
        let Some(info) = inv
            .get_term_info(term)
            .map_err(tantivy::TantivyError::from)?
        else {
            continue;
        };
        let mut docs = inv
            .read_postings_from_terminfo(&info, IndexRecordOption::Basic)
            .map_err(tantivy::TantivyError::from)?;
        let alive = seg.alive_bitset();
        let mut doc = docs.doc();
        while doc != tantivy::TERMINATED {
            if looked >= MAX_WRITTEN_LOOKS {
                return Ok(false);
            }
            if alive.is_none_or(|a| a.is_alive(doc)) {
                looked += 1;
                let stored: tantivy::TantivyDocument =
                    lk.searcher.doc(tantivy::DocAddress::new(ord as u32, doc))?;
                let text = stored
                    .get_first(lk.f.article)
                    .and_then(|v| tantivy::schema::Value::as_str(&v))
                    .unwrap_or("")
                    .to_lowercase();
                if words.iter().any(|w| holds_word(&text, w)) {
                    return Ok(true);
                }
            }
            doc = docs.advance();
        }
    }
    Ok(false)
}

/// Whether `text` holds `word` with no letter or digit on either side.
fn holds_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(crate::words::is_alnum) && !after.is_some_and(crate::words::is_alnum)
    })
}

/// The fewest digits of a number that [`codes_ending_with`] looks for: shorter ones end too
/// many codes and versions.
const MIN_CODE_DIGITS: usize = 4;

/// How many numbers of one search are looked for as codes' endings: each walks the title and
/// body dictionaries whole, and a pasted list of numbers must not cost a walk each.
const MAX_CODE_WALKS: usize = 2;

/// The codes articles hold that end with the number `digits` after a letter or letters and
/// digits (`0x80070005`, `aadsts50076`, `kb5034441`; not `150076`, another number), most
/// frequent first, at most [`MAX_RESPELLINGS`]. Walks the whole term dictionaries of title and
/// body (a suffix has no order there), so only for a number nothing holds as typed.
fn codes_ending_with(lk: &Lookup, digits: &str) -> Result<Vec<String>, StoreError> {
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    for field in [lk.f.title, lk.f.body] {
        for seg in lk.searcher.segment_readers() {
            let inv = seg.inverted_index(field)?;
            let mut stream = inv.terms().stream().map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let Ok(t) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let Some(head) = t.strip_suffix(digits) else {
                    continue;
                };
                if head.ends_with(|c: char| c.is_ascii_alphabetic())
                    && head.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    *found.entry(t.to_string()).or_insert(0) += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    let mut terms: Vec<(String, u64)> = found.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(MAX_RESPELLINGS);
    Ok(terms.into_iter().map(|(t, _)| t).collect())
}

/// Hand each term of `fields` within `edits` of `word` (in every segment, with its document
/// frequency there) to `each`, until it answers `false`. The automaton, the costly part, is
/// the same in every field: built once.
fn fuzzy_terms(
    searcher: &Searcher,
    fields: &[Field],
    word: &str,
    edits: u8,
    mut each: impl FnMut(&str, u32) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    let Some(&first) = fields.first() else {
        return Ok(());
    };
    let automaton =
        FuzzyTermQuery::new(Term::from_field_text(first, word), edits, true).automaton()?;
    for &field in fields {
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(field)?;
            let mut stream = inv
                .terms()
                .search(&automaton)
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                if let Ok(t) = std::str::from_utf8(stream.key())
                    && !each(t, stream.value().doc_freq)?
                {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// Whether a plain word is a dotted number or version (`802.11`, `3.12`, `v2.4`): parts of
/// letters and digits, each with a digit, joined by single dots. Indexed text splits at the
/// dots ("802.11be" is `802` `11be`), so the number typed is a phrase whose last word may be
/// only the beginning of the article's (`802.11` of "802.11be", `3.1` of "3.10").
fn dotted_number(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars().all(char::is_alphanumeric)
                && p.chars().any(|c| c.is_ascii_digit())
        })
}

/// A dotted number and the plain word after it that some article writes as one (`802.11 be`
/// -> "802.11be"): the word alone matched everything holding "be", not the standard.
fn join_dotted(
    kb: &Kb,
    lk: &mut Lookup,
    items: &mut Vec<Node>,
) -> Result<Vec<Compound>, StoreError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < items.len() {
        if let (Node::Text(Scope::Any, Text::Word(number)), Some(word)) =
            (&items[i], simple_word(&mut lk.en, &items[i + 1]))
            && dotted_number(number)
        {
            let joined = format!("{number}{word}");
            if matches_as_typed(kb, &lk.searcher, &joined)? {
                out.push(Compound {
                    typed: format!("{number} {word}"),
                    read_as: joined.clone(),
                });
                items.splice(i..i + 2, [Node::Text(Scope::Any, Text::Word(joined))]);
            }
        }
        i += 1;
    }
    Ok(out)
}

/// Whether a plain word alone matches some article, as the search as typed reads it.
fn matches_as_typed(kb: &Kb, searcher: &Searcher, word: &str) -> Result<bool, StoreError> {
    let node = Node::Text(Scope::Any, Text::Word(word.to_string()));
    Ok(match compile(kb, &node, None)? {
        Some(q) => searcher.search(&*q.query, &tantivy::collector::Count)? > 0,
        None => false,
    })
}

/// The longest run of adjacent plain words [`join_compounds`] tries as one word.
const MAX_JOINED: usize = 4;

/// The longest word [`split_compound`] cuts in two.
const MAX_SPLIT: usize = 24;
/// At most this many words of a query are looked for cut in two: each costs phrase lookups, and
/// a long query is no list of compounds typed closed.
const MAX_SPLITS: usize = 3;
/// Halves a word is never cut into: `therapist` is no "the rapist", `notice` no "not ice".
const NO_HALVES: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "he", "her", "his", "if", "in",
    "into", "is", "it", "its", "no", "not", "of", "on", "or", "our", "she", "so", "that", "the",
    "their", "them", "then", "there", "they", "this", "to", "us", "was", "we", "were", "with",
    "you", "your",
];

/// What a query's words are read against, carried as one value by the functions that read
/// them: the searcher whose term dictionaries say which articles hold a term, the schema's
/// fields, the list of words as articles write them ([`Vocabulary`]; none in an index an older
/// kb wrote), and the two analyzers a word is read with, stemmed (`en`) and as typed (`raw`).
struct Lookup {
    searcher: Searcher,
    f: Fields,
    vocabulary: Option<std::sync::Arc<Vocabulary>>,
    en: TextAnalyzer,
    raw: TextAnalyzer,
}

impl Lookup {
    /// Reading against `searcher`, one generation of `kb`'s index.
    fn new(kb: &Kb, searcher: &Searcher) -> Lookup {
        Lookup {
            searcher: searcher.clone(),
            f: kb.fields,
            vocabulary: kb.vocabulary(),
            en: en_analyzer(),
            raw: unstemmed_analyzer(),
        }
    }
}

/// How many articles hold `stem` anywhere a plain word is looked for.
fn held_by(lk: &Lookup, stem: &str) -> Result<u64, StoreError> {
    let mut held = 0;
    for (field, _) in unscoped(&lk.f) {
        held += lk.searcher.doc_freq(&Term::from_field_text(field, stem))?;
    }
    Ok(held)
}

/// The joined form of a compound word no article holds either way (`Mittag-Lefler`: no
/// "Mittag Lefler" in a row, no `mittaglefler`), stemmed and as typed (lowercased, folded),
/// for [`respell`] to find the word meant (`mittagleffl`, of "Mittag-Leffler"). `None` for a
/// word that is no compound (CJK, several words of a phrase), or one some article holds.
fn misspelled_compound(
    lk: &mut Lookup,
    word: &str,
) -> Result<Option<(String, Vec<String>)>, StoreError> {
    if !word.chars().any(crate::words::is_joiner) {
        return Ok(None);
    }
    let (Some(stem), Some(raw)) = (
        crate::schema::joined_form(&mut lk.en, word),
        crate::schema::joined_form(&mut lk.raw, word),
    ) else {
        return Ok(None);
    };
    let parts = tokens(&mut lk.en, word);
    for (field, _) in unscoped(&lk.f) {
        let terms: Vec<Term> = parts
            .iter()
            .map(|p| Term::from_field_text(field, p))
            .collect();
        let mut each = true;
        for t in &terms {
            each &= lk.searcher.doc_freq(t)? > 0;
        }
        if each && phrase_held(&lk.searcher, &terms)? {
            return Ok(None);
        }
    }
    Ok(Some((stem, vec![raw])))
}

/// The terms of the other spellings of the word `w` ([`crate::spelling`]: `colour` for
/// `color`) that some article holds, in title, body, categories or author; none that is the
/// word's own term (`organize` and `organise` may stem alike).
fn other_spellings_held(lk: &mut Lookup, w: &str) -> Result<Vec<String>, StoreError> {
    let own = tokens(&mut lk.en, w);
    let mut out: Vec<String> = Vec::new();
    for other in crate::spelling::other_spellings(w) {
        if let [t] = tokens(&mut lk.en, &other).as_slice()
            && !own.contains(t)
            && !out.contains(t)
            && held_by(lk, t)? > 0
        {
            out.push(t.clone());
        }
    }
    Ok(out)
}

/// The terms of the other ways to read the word `w` that some article holds: its other
/// spellings ([`other_spellings_held`]), then what it may be a slip for ([`slips_held`]);
/// and the words articles write that those slips stand for, for the search's note.
fn other_readings_held(lk: &mut Lookup, w: &str) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let mut terms = other_spellings_held(lk, w)?;
    let mut written = Vec::new();
    for (t, word) in slips_held(lk, w)? {
        written.push(word);
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
    Ok((terms, written))
}

/// A slip is looked for in words of at least this many letters: a shorter word is one edit
/// from too many others.
const MIN_SLIP_LETTERS: usize = 5;
/// At most this many words are read for one slip, the most frequent first.
const MAX_SLIPS: usize = 3;

/// The terms of the words one edit from `w` that articles hold, when none holds `w` as
/// written ([`Vocabulary`]) though some hold its stem: a misspelling that stems as another
/// word is also read as the word it misses (`referal`, which stems as `refer`, also as
/// "referral"). Only a word whose stem begins as the typed word's does, or the other way
/// round (`referr`, `refer`): a slip keeps a word's beginning and trips on its ending, where
/// the stemmer cuts. A word articles only hold inflected another way (`baking` where they say
/// "baked") is no slip for its neighbours `backing` or `making`. At most [`MAX_SLIPS`], the
/// most frequent first. Empty without a list (an index an older kb wrote), for a word of
/// fewer than [`MIN_SLIP_LETTERS`] letters or not all letters, and for one no article holds
/// even stemmed (what a widened search respells). Each as (term, the word articles write).
fn slips_held(lk: &mut Lookup, w: &str) -> Result<Vec<(String, String)>, StoreError> {
    let Some(vocabulary) = lk.vocabulary.clone() else {
        return Ok(Vec::new());
    };
    let (typed, own) = match (
        tokens(&mut lk.raw, w).as_slice(),
        tokens(&mut lk.en, w).as_slice(),
    ) {
        ([typed], [own]) => (typed.clone(), own.clone()),
        _ => return Ok(Vec::new()),
    };
    if typed.len() < MIN_SLIP_LETTERS
        || !typed.bytes().all(|b| b.is_ascii_lowercase())
        || vocabulary.holds(&typed)
        || held_by(lk, &own)? == 0
    {
        return Ok(Vec::new());
    }
    let mut found: Vec<(u64, String, String)> = Vec::new();
    for near in one_edit(&typed) {
        if !vocabulary.holds(&near) {
            continue;
        }
        let [stem] = tokens(&mut lk.en, &near).try_into().unwrap_or_default();
        if stem.is_empty()
            || stem == own
            || !(stem.starts_with(own.as_str()) || own.starts_with(stem.as_str()))
            || found.iter().any(|(_, t, _)| *t == stem)
        {
            continue;
        }
        let held = held_by(lk, &stem)?;
        if held > 0 {
            found.push((held, stem, near));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(found
        .into_iter()
        .take(MAX_SLIPS)
        .map(|(_, t, w)| (t, w))
        .collect())
}

/// The words one edit from `word`: a letter left out, two side by side swapped, one changed
/// or one added (from `a`-`z` and the word's own letters), each once, in that order, position
/// by position; `word` itself is not among them.
fn one_edit(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut letters: Vec<char> = ('a'..='z').chain(chars.iter().copied()).collect();
    letters.sort_unstable();
    letters.dedup();
    let mut seen: HashSet<String> = HashSet::from([word.to_string()]);
    let mut out = Vec::with_capacity(2 * letters.len() * (chars.len() + 1));
    let mut push = |cs: &[char]| {
        let w: String = cs.iter().collect();
        if seen.insert(w.clone()) {
            out.push(w);
        }
    };
    for i in 0..chars.len() {
        let mut cs = chars.clone();
        cs.remove(i);
        push(&cs);
        if i + 1 < chars.len() {
            let mut cs = chars.clone();
            cs.swap(i, i + 1);
            push(&cs);
        }
        for &c in &letters {
            let mut cs = chars.clone();
            cs[i] = c;
            push(&cs);
        }
    }
    for i in 0..=chars.len() {
        for &c in &letters {
            let mut cs = chars.clone();
            cs.insert(i, c);
            push(&cs);
        }
    }
    out
}

/// A plain word of letters and digits only, and its one term: what may be joined to a
/// neighbour or cut in two.
fn simple_word(en: &mut TextAnalyzer, node: &Node) -> Option<String> {
    match node {
        Node::Text(Scope::Any, Text::Word(w)) if w.chars().all(char::is_alphanumeric) => {
            match tokens(en, w).as_slice() {
                [_] => Some(w.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Adjacent plain words that some article holds written as one (`life time` -> "lifetime",
/// `open rc` -> "OpenRC", `get user name` -> "getUserName") become one hyphenated word, which
/// matches both the words in a row and the joined form (see [`readings`]): people split
/// compounds that articles write closed. Runs of up to [`MAX_JOINED`] words, longest first,
/// none holding a little word ([`NO_HALVES`]).
fn join_compounds(
    lk: &mut Lookup,
    items: &mut Vec<Node>,
    respelled: &mut Vec<Respelling>,
) -> Result<Vec<Compound>, StoreError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        for len in (2..=MAX_JOINED).rev() {
            let Some(run) = items.get(i..i + len) else {
                continue;
            };
            let Some(words) = run
                .iter()
                .map(|n| simple_word(&mut lk.en, n))
                .collect::<Option<Vec<String>>>()
            else {
                continue;
            };
            // No little word is joined, as in the search as typed ([`join_alternatives`]):
            // `part is` is no French "partis", `in to` no "into".
            if words
                .iter()
                .any(|w| NO_HALVES.contains(&w.to_lowercase().as_str()))
            {
                continue;
            }
            let joined = tokens(&mut lk.en, &words.concat());
            let [stem] = joined.as_slice() else {
                continue;
            };
            if held_by(lk, stem)? == 0 {
                // Two words, one of them held nowhere (a misspelling), may be a compound
                // misspelled (`sentinal one` -> "SentinelOne"): respelled joined, as the
                // words alone would be respelled into other words (`sentinal` as "sent").
                if len == 2
                    && let Some(read_as) = respell_joined(lk, &words, stem)?
                {
                    respelled.push(Respelling {
                        typed: words.join(" "),
                        read_as: read_as.clone(),
                    });
                    items.splice(
                        i..i + len,
                        [Node::Text(
                            Scope::Any,
                            Text::Respelled(words.join(" "), read_as),
                        )],
                    );
                    break;
                }
                continue;
            }
            let hyphenated = words.join("-");
            out.push(Compound {
                typed: words.join(" "),
                read_as: words.concat(),
            });
            items.splice(i..i + len, [Node::Text(Scope::Any, Text::Word(hyphenated))]);
            break;
        }
        // A joined run is one item now: the next run starts after it.
        i += 1;
    }
    Ok(out)
}

/// At most this many pairs of adjacent words of a query are looked up joined by the search as
/// typed ([`join_alternatives`]): a lookup each, in the term dictionaries.
const MAX_JOINS: usize = 8;

/// Adjacent plain words that some article writes as one word (`open vpn` -> "OpenVPN", `ninja
/// one` -> "NinjaOne"): the index of the first, and the two joined, for the search as typed to
/// take as an alternative to the two words. The two words are common alone ("open" and "one"
/// stand in many articles), so an article holding them apart by chance made the whole answer,
/// and the joined reading the widening offers was never tried. The mirror of [`read_apart`],
/// with its bounds: words of letters and digits of two letters or more, no little word
/// ([`NO_HALVES`]: `in to` is no "into"), one pair joined per word.
fn join_alternatives(lk: &mut Lookup, items: &[Node]) -> Result<Vec<(usize, String)>, StoreError> {
    let mut out = Vec::new();
    let mut looked_up = 0;
    let mut i = 0;
    while i + 1 < items.len() && looked_up < MAX_JOINS {
        let pair = (
            simple_word(&mut lk.en, &items[i]),
            simple_word(&mut lk.en, &items[i + 1]),
        );
        let (Some(a), Some(b)) = pair else {
            i += 1;
            continue;
        };
        let half =
            |w: &str| w.chars().count() >= 2 && !NO_HALVES.contains(&w.to_lowercase().as_str());
        if !half(&a) || !half(&b) {
            i += 1;
            continue;
        }
        looked_up += 1;
        let joined = format!("{a}{b}");
        if let [stem] = tokens(&mut lk.en, &joined).as_slice()
            && held_by(lk, stem)? > 0
        {
            out.push((i, joined));
            i += 2;
        } else {
            i += 1;
        }
    }
    Ok(out)
}

/// The words articles hold that two adjacent words typed, one of them held nowhere, joined
/// (`stem`) are a misspelling of (`sentinal one` -> "sentinelone"), as [`respell`] finds
/// them; `None` when both words are held, or nothing is close.
fn respell_joined(
    lk: &mut Lookup,
    words: &[String],
    stem: &str,
) -> Result<Option<Vec<String>>, StoreError> {
    let mut unheld = false;
    for w in words {
        if let [s] = tokens(&mut lk.en, w).as_slice() {
            unheld |= held_by(lk, s)? == 0;
        }
    }
    let Some(edits) = edits_for(stem).filter(|_| unheld) else {
        return Ok(None);
    };
    // A word with a digit is a number or a code, one of two letters an acronym (`IR plan`,
    // `MS Teams`): no half of a misspelled compound.
    if words
        .iter()
        .any(|w| w.chars().count() < 3 || w.chars().any(|c| c.is_ascii_digit()))
    {
        return Ok(None);
    }
    let raw = tokens(&mut lk.raw, &words.concat());
    let mut terms = respell(lk, stem, raw.first(), edits, Typed::Joined)?;
    // Reading two words as one is a guess already: the compound starts as the first word
    // does, or it is some other word (`ten tips`, `tentip`, was read as "entire").
    terms.retain(|t| t.chars().next() == stem.chars().next());
    Ok((!terms.is_empty()).then_some(terms))
}

/// Plain words typed closed that articles also write as two (`redhat` -> "Red Hat",
/// `castiron` -> "Cast Iron") become hyphenated words (`red-hat`), which match both the words
/// in a row and the closed form (see [`readings`]), as `office365` also finds "Office 365".
/// Tried before anything else, on the search as typed: an article that writes the compound
/// hyphenated ("cast-iron") holds the closed form too, and the ones writing it apart would be
/// missed. Words of letters only (a word with digits is read apart at them already), at most
/// [`MAX_SPLITS`] of them with a cut to look up.
fn read_apart(lk: &mut Lookup, items: &mut [Node]) -> Result<(), StoreError> {
    let mut tried = 0;
    for item in items {
        if tried >= MAX_SPLITS {
            break;
        }
        let Node::Text(Scope::Any, Text::Word(w)) = item else {
            continue;
        };
        if !w.chars().all(char::is_alphabetic) || tokens(&mut lk.en, w).len() != 1 {
            continue;
        }
        let (apart, looked_up) = split_compound(lk, w)?;
        tried += usize::from(looked_up);
        if let Some(apart) = apart {
            *w = apart;
        }
    }
    Ok(())
}

/// A word that articles write as two (`redhat` -> "Red Hat"; `dotnet` is not cut: "dot net" is
/// held nowhere): the cut whose two halves stand in a row in the most articles, as a
/// hyphenated word (`red-hat`), and whether any cut had to be looked up as a phrase. Halves of
/// two letters at least and no little word ([`NO_HALVES`]: `therapist` is no "the rapist");
/// `None` when no cut is held as a phrase.
fn split_compound(lk: &mut Lookup, word: &str) -> Result<(Option<String>, bool), StoreError> {
    // Longer runs are ids and hashes, not two words typed closed; each cut costs a phrase lookup.
    if !word.chars().all(char::is_alphanumeric) || word.chars().count() > MAX_SPLIT {
        return Ok((None, false));
    }
    let lower = word.to_lowercase();
    let half = |h: &str| h.chars().count() >= 2 && !NO_HALVES.contains(&h);
    let cuts: Vec<usize> = lower
        .char_indices()
        .map(|(at, _)| at)
        .filter(|&at| at > 0 && half(&lower[..at]) && half(&lower[at..]))
        .collect();
    let mut looked_up = false;
    let mut held: Vec<(usize, [Term; 2], [Term; 2])> = Vec::new();
    for at in cuts {
        let (a, b) = (
            tokens(&mut lk.en, &lower[..at]),
            tokens(&mut lk.en, &lower[at..]),
        );
        let ([a], [b]) = (a.as_slice(), b.as_slice()) else {
            continue;
        };
        let in_title = [
            Term::from_field_text(lk.f.title, a),
            Term::from_field_text(lk.f.title, b),
        ];
        let in_body = [
            Term::from_field_text(lk.f.body, a),
            Term::from_field_text(lk.f.body, b),
        ];
        let mut found = false;
        for pair in [&in_body, &in_title] {
            if lk.searcher.doc_freq(&pair[0])? == 0 || lk.searcher.doc_freq(&pair[1])? == 0 {
                continue;
            }
            looked_up = true;
            if phrase_held(&lk.searcher, pair)? {
                found = true;
                break;
            }
        }
        if found {
            held.push((at, in_title, in_body));
        }
    }
    if held.is_empty() {
        // Its phrase counts are lookups too: `MAX_SPLITS` bounds them.
        let (cut, counted) = little_cut(lk, &lower)?;
        if cut.is_some() {
            return Ok((cut, true));
        }
        looked_up |= counted;
    }
    // Most words have one cut held, or none: counting is only needed to choose between several.
    let best = match held.as_slice() {
        [] => None,
        [(at, ..)] => Some(*at),
        _ => {
            let mut best: Option<(usize, usize)> = None;
            for (at, in_title, in_body) in &held {
                let mut in_a_row = 0;
                for pair in [in_title, in_body] {
                    let phrase = PhraseQuery::new(pair.to_vec());
                    in_a_row += lk.searcher.search(&phrase, &tantivy::collector::Count)?;
                }
                if in_a_row > best.map_or(0, |(_, n)| n) {
                    best = Some((*at, in_a_row));
                }
            }
            best.map(|(at, _)| at)
        }
    };
    Ok((
        best.map(|at| format!("{}-{}", &lower[..at], &lower[at..])),
        looked_up,
    ))
}

/// The cut of a word no article holds into a two-letter little word and a longer word
/// (`itglue` -> "IT Glue"), as a hyphenated word: where most of the articles holding the longer
/// word hold the two in a row, so the little word is part of a name there ("IT Glue" in every
/// article on it), not a word that happens to stand before it (`island` is no "is land" where
/// "land" stands in other articles too, `item` no "it em"). At most one such cut, or none; and
/// whether a phrase had to be counted.
fn little_cut(lk: &mut Lookup, lower: &str) -> Result<(Option<String>, bool), StoreError> {
    if let [stem] = tokens(&mut lk.en, lower).as_slice()
        && held_by(lk, stem)? > 0
    {
        return Ok((None, false));
    }
    let mut counted = false;
    let little = |h: &str| h.chars().count() == 2 && NO_HALVES.contains(&h);
    let long = |h: &str| h.chars().count() >= 4 && !NO_HALVES.contains(&h);
    let mut found = None;
    for (at, _) in lower.char_indices().skip(1) {
        let (a, b) = (&lower[..at], &lower[at..]);
        let word = match (little(a) && long(b), long(a) && little(b)) {
            (true, _) => b,
            (_, true) => a,
            _ => continue,
        };
        let (ta, tb, tw) = (
            tokens(&mut lk.en, a),
            tokens(&mut lk.en, b),
            tokens(&mut lk.en, word),
        );
        let ([ta], [tb], [tw]) = (ta.as_slice(), tb.as_slice(), tw.as_slice()) else {
            continue;
        };
        let (mut in_a_row, mut holding) = (0, 0);
        for field in [lk.f.title, lk.f.body] {
            holding = holding.max(lk.searcher.doc_freq(&Term::from_field_text(field, tw))?);
            if holding == 0 {
                continue;
            }
            let phrase = PhraseQuery::new(vec![
                Term::from_field_text(field, ta),
                Term::from_field_text(field, tb),
            ]);
            counted = true;
            in_a_row = in_a_row.max(lk.searcher.search(&phrase, &tantivy::collector::Count)?);
        }
        if in_a_row * 2 > holding as usize {
            if found.is_some() {
                return Ok((None, counted));
            }
            found = Some(format!("{a}-{b}"));
        }
    }
    Ok((found, counted))
}

/// Whether some live article holds the terms (two or more, of one field) in a row: the first
/// match ends the search, where counting them all would read the positions of every article
/// holding them.
fn phrase_held(searcher: &Searcher, terms: &[Term]) -> Result<bool, StoreError> {
    let phrase = PhraseQuery::new(terms.to_vec());
    let weight = phrase.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for seg in searcher.segment_readers() {
        let mut scorer = weight.scorer(seg, 1.0)?;
        let mut doc = scorer.doc();
        while doc != tantivy::TERMINATED {
            if seg.alive_bitset().is_none_or(|alive| alive.is_alive(doc)) {
                return Ok(true);
            }
            doc = scorer.advance();
        }
    }
    Ok(false)
}

struct Compiler {
    /// The index and analyzers words are read against; its searcher also gives the names a
    /// `feed:` value stands for ([`resolve_feeds`]), its list the slips ([`slips_held`]).
    lk: Lookup,
    marks: Vec<Mark>,
    /// Whether the query held any text at all (as opposed to being blank).
    has_text: bool,
    /// The index's frequent word pairs, by which phrases of them go.
    pairs: Option<std::sync::Arc<FrequentPairs>>,
    /// The slips read so far.
    slips: Vec<Respelling>,
}

type Clause = (Occur, Box<dyn Query>);

/// `clauses` as one query, its required ones intersected two at a time in their order
/// (`a b c` as `(a b) c`).
///
/// Why: tantivy adds the scores of an intersection's clauses in an order its cost estimates
/// pick, and with three or more that order changes a sum's last bits; two add alike either
/// way. Intersected in pairs, every sum is fixed by the query, so `crate::conjunction`, which
/// walks plain words from their postings, can give the same score to the bit.
fn required_in_pairs(clauses: Vec<Clause>) -> Box<dyn Query> {
    let (required, rest): (Vec<Clause>, Vec<Clause>) = clauses
        .into_iter()
        .partition(|(occur, _)| *occur == Occur::Must);
    let required = required.into_iter().map(|(_, q)| q).reduce(|a, b| {
        Box::new(BooleanQuery::new(vec![(Occur::Must, a), (Occur::Must, b)])) as Box<dyn Query>
    });
    match required {
        Some(q) if rest.is_empty() => q,
        Some(q) => Box::new(BooleanQuery::new(
            std::iter::once((Occur::Must, q)).chain(rest).collect(),
        )),
        None => Box::new(BooleanQuery::new(rest)),
    }
}

fn all() -> Box<dyn Query> {
    Box::new(AllQuery)
}

pub(crate) fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// The slop of the closeness bonus's phrase of `words` words ([`PROXIMITY_SLOP_PER_GAP`]).
fn proximity_slop(words: usize) -> u32 {
    let gaps = u32::try_from(words.saturating_sub(1)).unwrap_or(u32::MAX);
    gaps.saturating_mul(PROXIMITY_SLOP_PER_GAP)
}

/// One query, or the disjunction of several; `None` for none.
fn any(mut qs: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match qs.len() {
        0 => None,
        1 => qs.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            qs.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))),
    }
}

/// The best-scoring of several queries; `None` for none.
fn best_of(mut qs: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match qs.len() {
        0 | 1 => qs.pop(),
        _ => Some(Box::new(tantivy::query::DisjunctionMaxQuery::new(qs))),
    }
}

/// The term, or the phrase of several terms, on one field.
fn term_or_phrase(field: Field, toks: &[String], slop: u32) -> Option<Box<dyn Query>> {
    match toks {
        [] => None,
        [t] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        ))),
        _ => Some(Box::new(PhraseQuery::new_with_offset_and_slop(
            toks.iter()
                .enumerate()
                .map(|(i, t)| (i, Term::from_field_text(field, t)))
                .collect(),
            slop,
        ))),
    }
}

/// [`term_or_phrase`] for analyzed text: on the body, an exact phrase of frequent pairs goes by
/// their pairs ([`crate::pairs`]); the results are the same as by positions.
fn text_phrase(
    f: &Fields,
    pairs: Option<&FrequentPairs>,
    field: Field,
    toks: &[String],
    slop: u32,
) -> Option<Box<dyn Query>> {
    match by_pairs(f, pairs, field, toks, slop) {
        Some(q) => Some(Box::new(q)),
        None => term_or_phrase(field, toks, slop),
    }
}

/// The phrase as its pairs, where it may go by them: exact, on the body, every pair listed.
fn by_pairs(
    f: &Fields,
    pairs: Option<&FrequentPairs>,
    field: Field,
    toks: &[String],
    slop: u32,
) -> Option<PairPhraseQuery> {
    pairs
        .filter(|list| slop == 0 && field == f.body && list.covers(toks))
        .map(|list| PairPhraseQuery::new(f.body, f.body_pairs, toks, list))
}

/// Whether `q` is a phrase of two words that goes by its pair term ([`crate::pairs`]).
fn is_pair_term(q: &dyn Query) -> bool {
    q.downcast_ref::<PairPhraseQuery>()
        .and_then(PairPhraseQuery::as_pair_term)
        .is_some()
}

/// The one-word readings of `text` besides the first (a hyphenated compound written closed:
/// `wi-f` -> `wif`), for prefix and fuzzy words, which work on one word.
fn joined_forms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    readings(analyzer, text)
        .into_iter()
        .skip(1)
        .filter_map(|r| match r.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        })
        .collect()
}

/// Escape regex metacharacters (tantivy's regex syntax follows `regex-syntax`), so a prefix is
/// matched literally whatever it holds.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether `stem` is the number that the letters `typed` were read as (`2` for `two`).
fn is_number_of(stem: &str, typed: &str) -> bool {
    stem.starts_with(|c: char| c.is_ascii_digit())
        && !typed.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether `a` and `b` are at most `k` edits apart (insertions, deletions, substitutions, and
/// transpositions of neighbours, as the fuzzy queries count them). For short words only.
fn within_edits(a: &str, b: &str, k: u8) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let k = usize::from(k);
    if a.len().abs_diff(b.len()) > k {
        return false;
    }
    // Optimal string alignment distance, row by row.
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()] <= k
}

fn prefix_query(field: Field, prefix: &str) -> Result<Box<dyn Query>, StoreError> {
    let pattern = format!("{}.*", regex_escape(prefix));
    RegexQuery::from_pattern(&pattern, field)
        .map(|q| Box::new(q) as Box<dyn Query>)
        .map_err(|e| StoreError::BadQuery(format!("cannot search for prefix {prefix:?}: {e}")))
}

fn fuzzy_query(field: Field, word: &str, edits: u8) -> Box<dyn Query> {
    // Transpositions count as one edit: "recieve" is one typo away from "receive".
    Box::new(FuzzyTermQuery::new(
        Term::from_field_text(field, word),
        edits,
        true,
    ))
}

/// A query as an exclusion (`-"beta gamma"`). Tantivy asks an excluded scorer about each
/// candidate in turn with `seek_danger`, which may leave it past the next candidate; its
/// phrase scorer then asserts (in debug builds) that it is never asked about a document before
/// the one it stands on, and an exclusion whose words run out before the candidates do asks
/// exactly that (found as a flaky test). This wrapper answers with plain `seek`, which never
/// leaves a scorer past a document it is then asked about: same results, a few more position
/// reads for excluded phrases.
#[derive(Debug)]
struct Excluded(Box<dyn Query>);

impl Clone for Excluded {
    fn clone(&self) -> Self {
        Excluded(self.0.box_clone())
    }
}

fn excluded(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(Excluded(q))
}

impl Query for Excluded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ExcludedWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ExcludedWeight(Box<dyn Weight>);

impl Weight for ExcludedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ExcludedScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct ExcludedScorer(Box<dyn Scorer>);

impl DocSet for ExcludedScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        let mut doc = self.0.doc();
        if doc < target {
            doc = self.0.seek(target);
        }
        if doc == target {
            SeekDangerResult::Found
        } else {
            SeekDangerResult::SeekLowerBound(doc)
        }
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for ExcludedScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

/// Optional clauses of which a document must hold enough, counted by weight (a rare word
/// weighs more than a common one): the sum of the weights of those it holds must reach
/// `threshold`, or it must hold `count` of them, and any one it holds must weigh something (a
/// document holding only words most articles hold is no hit of a query that has a rarer one).
/// Scores as the sum, in the clauses' order, of each clause held plus its rarity.
#[derive(Debug)]
pub(crate) struct WeightedSome {
    clauses: Vec<SomeClause>,
    rule: Enough,
}

/// How many of a [`WeightedSome`]'s clauses a hit must hold: `count`, or fewer whose weights
/// reach `threshold`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Enough {
    threshold: f32,
    count: usize,
}

impl Enough {
    /// Whether `count` clauses weighing `weight` in all (added in the clauses' order) are
    /// enough for a hit.
    pub(crate) fn holds(self, count: usize, weight: f32) -> bool {
        count >= self.count || (count > 0 && weight >= self.threshold)
    }
}

/// One clause of a [`WeightedSome`].
#[derive(Debug)]
pub(crate) struct SomeClause {
    pub query: Box<dyn Query>,
    /// Toward the count ([`weight_of`]); 0 for a word that only ranks (a little word).
    pub weight: f32,
    /// Added to the clause's score where it matches ([`rarity_of`]): hits hold different words
    /// of the query, and BM25 sums a word's score over title, body, URL and its repetitions,
    /// so a common word in a short title and again in the body outscored the one rare word the
    /// query was remembered by (`godfather part 2` put "Dune: Part Two" first, `vinicius jr` a
    /// rail pass with "JR" in its title). With it, the articles holding the rarest and the
    /// most of the words come first, and how well each matches decides among them.
    pub rarity: f32,
}

impl Clone for SomeClause {
    fn clone(&self) -> Self {
        SomeClause {
            query: self.query.box_clone(),
            weight: self.weight,
            rarity: self.rarity,
        }
    }
}

impl Clone for WeightedSome {
    fn clone(&self) -> Self {
        WeightedSome {
            clauses: self.clauses.clone(),
            rule: self.rule,
        }
    }
}

impl WeightedSome {
    /// Its clauses, in order.
    pub(crate) fn clauses(&self) -> &[SomeClause] {
        &self.clauses
    }

    /// How many of them a hit must hold.
    pub(crate) fn rule(&self) -> Enough {
        self.rule
    }
}

impl Query for WeightedSome {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut clauses = Vec::with_capacity(self.clauses.len());
        for c in &self.clauses {
            clauses.push((c.query.weight(enable_scoring)?, c.weight, c.rarity));
        }
        Ok(Box::new(WeightedSomeWeight {
            clauses,
            rule: self.rule,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for c in &self.clauses {
            c.query.query_terms(visitor);
        }
    }
}

struct WeightedSomeWeight {
    /// Each clause's weight, its weight toward the count and its rarity.
    clauses: Vec<(Box<dyn Weight>, f32, f32)>,
    rule: Enough,
}

impl Weight for WeightedSomeWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.clauses.len());
        for (w, weight, rarity) in &self.clauses {
            scorers.push((w.scorer(reader, boost)?, *weight, *rarity));
        }
        Ok(Box::new(WeightedSomeScorer::new(scorers, self.rule)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("enough of the words", scorer.score()))
    }
}

struct WeightedSomeScorer {
    /// Every clause with its weight toward the count and its rarity, in the query's order
    /// (the order scores are added in).
    scorers: Vec<(Box<dyn Scorer>, f32, f32)>,
    /// The clauses a hit is counted by: those that weigh something, as (index into `scorers`,
    /// weight, where it stands). The others (little words) only rank, so they are never
    /// walked, only sought to a hit when it is scored: `the` or `my` is in nearly every
    /// article, and walking them cost most of a widened search. Where each stands is kept
    /// here, not asked of its scorer each time: the walk compares them at every step.
    counted: Vec<(usize, f32, DocId)>,
    rule: Enough,
    doc: DocId,
}

impl WeightedSomeScorer {
    fn new(scorers: Vec<(Box<dyn Scorer>, f32, f32)>, rule: Enough) -> Self {
        let counted = scorers
            .iter()
            .enumerate()
            .filter(|(_, (_, w, _))| *w > 0.0)
            .map(|(at, (s, w, _))| (at, *w, s.doc()))
            .collect();
        let mut scorer = WeightedSomeScorer {
            scorers,
            counted,
            rule,
            doc: 0,
        };
        scorer.doc = scorer.settle();
        scorer
    }

    /// Move every counted clause standing on `doc` to its next document.
    fn step_past(&mut self, doc: DocId) {
        for (at, _, stands) in &mut self.counted {
            if *stands == doc {
                *stands = self.scorers[*at].0.advance();
            }
        }
    }

    /// The first document from where the counted clauses stand that holds enough of them.
    fn settle(&mut self) -> DocId {
        loop {
            // Once the clauses not yet at their end cannot hold enough together, nothing
            // further can: a word no article holds (the reason to widen) ends at once, so a
            // widening that needs it ends before walking the others (`k` of `n` with `n - k`
            // words unknown anywhere was a walk of every document holding the rest).
            // One pass: the clauses still live, and those on the first document they stand
            // on (the weights added in the clauses' order).
            let (mut live, mut live_weight) = (0, 0.0);
            let (mut doc, mut count, mut held) = (tantivy::TERMINATED, 0, 0.0);
            for (_, w, stands) in &self.counted {
                if *stands == tantivy::TERMINATED {
                    continue;
                }
                live += 1;
                live_weight += *w;
                if *stands < doc {
                    (doc, count, held) = (*stands, 1, *w);
                } else if *stands == doc {
                    count += 1;
                    held += *w;
                }
            }
            if !self.rule.holds(live, live_weight) {
                return tantivy::TERMINATED;
            }
            if self.rule.holds(count, held) {
                return doc;
            }
            self.step_past(doc);
        }
    }
}

impl DocSet for WeightedSomeScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == tantivy::TERMINATED {
            return self.doc;
        }
        self.step_past(self.doc);
        self.doc = self.settle();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for (at, _, stands) in &mut self.counted {
            if *stands < target {
                *stands = self.scorers[*at].0.seek(target);
            }
        }
        self.doc = self.settle();
        self.doc
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        let doc = self.seek(target);
        if doc == target {
            SeekDangerResult::Found
        } else {
            SeekDangerResult::SeekLowerBound(doc)
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.counted
            .iter()
            .map(|(at, _, _)| self.scorers[*at].0.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for WeightedSomeScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut sum = 0.0;
        // In the clauses' order, each clause's score and then its rarity (`x + 0.0` is `x`).
        for (s, w, rarity) in &mut self.scorers {
            if *w <= 0.0 && s.doc() < doc {
                s.seek(doc);
            }
            if s.doc() == doc {
                sum += s.score() + *rarity;
            }
        }
        sum
    }
}

impl Compiler {
    fn node(&mut self, node: &Node, negated: bool) -> Result<Option<Box<dyn Query>>, StoreError> {
        Ok(match node {
            Node::And(items) => {
                let mut clauses: Vec<Clause> = Vec::new();
                let mut positive = false;
                for item in items {
                    if let Node::Not(inner) = item {
                        if let Some(q) = self.node(inner, !negated)? {
                            clauses.push((Occur::MustNot, excluded(q)));
                        }
                    } else if let Some(q) = self.node(item, negated)? {
                        clauses.push((Occur::Must, q));
                        positive = true;
                    }
                }
                if clauses.is_empty() {
                    None
                } else if clauses.len() == 1 && positive {
                    clauses.pop().map(|c| c.1)
                } else {
                    if !positive {
                        // Only exclusions (`-sales`): everything except them.
                        clauses.push((Occur::Must, all()));
                    }
                    Some(required_in_pairs(clauses))
                }
            }
            Node::Or(items) => {
                let mut qs = Vec::new();
                for item in items {
                    qs.extend(self.node(item, negated)?);
                }
                any(qs)
            }
            Node::Not(inner) => self.node(inner, !negated)?.map(|q| {
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, all()),
                    (Occur::MustNot, excluded(q)),
                ])) as Box<dyn Query>
            }),
            Node::Text(scope, text) => {
                self.has_text = true;
                self.text(*scope, text, negated)?
            }
            Node::Published(lo, hi) => {
                self.has_text = true;
                let term = |d: &chrono::DateTime<chrono::Utc>| {
                    Term::from_field_i64(self.lk.f.published, d.timestamp())
                };
                if lo.is_none() && hi.is_none() {
                    // `[* TO *]`: any date at all. tantivy's RangeQuery needs one bound.
                    return Ok(Some(Box::new(ExistsQuery::new("published".into(), false))));
                }
                // Periods are half-open: `hi` is the first second after the last day.
                let lo = lo
                    .as_ref()
                    .map_or(Bound::Unbounded, |d| Bound::Included(term(d)));
                let hi = hi
                    .as_ref()
                    .map_or(Bound::Unbounded, |d| Bound::Excluded(term(d)));
                Some(Box::new(RangeQuery::new(lo, hi)))
            }
        })
    }

    /// The terms of `numbers` in each of `fields`, found by a prefix or a misspelling of their
    /// words (see [`crate::stem::numbers_of_words`]), and highlighted when `mark`.
    fn numbers(
        &mut self,
        qs: &mut Vec<Box<dyn Query>>,
        fields: &[(Field, f32)],
        numbers: &[&str],
        mark: bool,
    ) {
        for &(field, boost) in fields {
            for n in numbers {
                qs.extend(term_or_phrase(field, &[n.to_string()], 0).map(|q| boosted(q, boost)));
            }
        }
        if mark {
            self.marks
                .extend(numbers.iter().map(|n| Mark::Term(n.to_string())));
        }
    }

    fn text(
        &mut self,
        scope: Scope,
        text: &Text,
        negated: bool,
    ) -> Result<Option<Box<dyn Query>>, StoreError> {
        let f = self.lk.f;
        let everywhere = unscoped(&f);
        let analyzed: &[(Field, f32)] = match scope {
            Scope::Any => &everywhere,
            Scope::Title => &[(f.title, 1.0)],
            Scope::Author => &[(f.author_text, 1.0)],
            Scope::Category => &[(f.category_text, 1.0)],
            Scope::Feed => &[],
        };
        // A URL is no place for a misspelling or a word's beginning: a fuzzy or prefix
        // automaton over its words costs a widened search much (each word respelled) and finds
        // links, not text.
        let no_url: Vec<(Field, f32)>;
        let analyzed = match text {
            Text::Prefix(_) | Text::Fuzzy(..) | Text::Respelled(..) => {
                no_url = analyzed
                    .iter()
                    .filter(|(field, _)| *field != f.url_text)
                    .copied()
                    .collect();
                &no_url[..]
            }
            _ => analyzed,
        };
        let keyword = match scope {
            Scope::Author => Some(f.author),
            Scope::Category => Some(f.category),
            Scope::Feed => Some(f.feed),
            Scope::Any | Scope::Title => None,
        };
        // Only unscoped and title words are highlighted in body snippets; a matched author or
        // category name says nothing about the body.
        let mark = !negated && matches!(scope, Scope::Any | Scope::Title);
        let mut qs: Vec<Box<dyn Query>> = Vec::new();
        let mut plain: Option<Vec<Part>> = None;
        match text {
            Text::Word(w) | Text::Phrase(w, _) => {
                let slop = match text {
                    Text::Phrase(_, s) => *s,
                    _ => 0,
                };
                // A pasted link: the words of it that an article's URL is indexed with.
                let w = match crate::schema::looks_like_url(w) {
                    true => crate::schema::url_words(w),
                    false => w.as_str(),
                };
                // `e-mail` is also `email` (`crate::words`), `240000` also "240,000": the
                // best reading scores, so one word is not counted twice where text holds both
                // forms.
                let mut readings = number_readings(&mut self.lk.en, w);
                // `color` is also "colour" (`crate::spelling`): one word, read its other way.
                // A slip that stems as another word (`referal`) is also the word it misses.
                let mut spellings = Vec::new();
                if let Scope::Any | Scope::Title = scope {
                    let written;
                    (spellings, written) = other_readings_held(&mut self.lk, w)?;
                    if !written.is_empty() && !self.slips.iter().any(|s| s.typed == w) {
                        self.slips.push(Respelling {
                            typed: w.to_string(),
                            read_as: written,
                        });
                    }
                }
                readings.extend(spellings.iter().map(|t| vec![t.clone()]));
                // No name field and no slop: the clauses below are, in each field, a term
                // (or exact phrase) boosted, or the best of several readings' (`backup` or
                // "back up"), which a search may score from their postings
                // (`crate::conjunction`). A phrase only when its body clause is one pair term:
                // a longer one reads the body's positions, which tantivy reads only where the
                // other words already matched, and the walk would read everywhere.
                let walkable = keyword.is_none() && slop == 0;
                plain = walkable.then(|| Vec::with_capacity(analyzed.len()));
                for &(field, boost) in analyzed {
                    let ways: Vec<(&[String], Box<dyn Query>)> = readings
                        .iter()
                        .filter_map(|toks| {
                            text_phrase(&f, self.pairs.as_deref(), field, toks, slop)
                                .map(|q| (toks.as_slice(), q))
                        })
                        .collect();
                    if let Some(parts) = plain.as_mut() {
                        // Each reading's clause as the union holds it, before its boost (the
                        // boost reaches each reading's scorer, under the best-of as under a
                        // lone clause).
                        let each: Option<Vec<Part>> = ways
                            .iter()
                            .map(|(toks, q)| match toks {
                                [tok] => Some(Part::Term(Term::from_field_text(field, tok), boost)),
                                _ if field != f.body || is_pair_term(&**q) => {
                                    Some(Part::Phrase(q.box_clone(), boost))
                                }
                                _ => None,
                            })
                            .collect();
                        match each {
                            Some(mut each) if each.len() == 1 => parts.extend(each.pop()),
                            Some(each) if !each.is_empty() => parts.push(Part::Best(each)),
                            Some(_) => {}
                            None => plain = None,
                        }
                    }
                    let clause = best_of(ways.into_iter().map(|(_, q)| q).collect());
                    qs.extend(clause.map(|q| boosted(q, boost)));
                }
                match keyword {
                    // `author:""` names no one, as `title:""` holds no word: no clause, so a
                    // query of nothing else is refused as one of symbols only.
                    Some(_) if kw_term(w).is_empty() => {}
                    Some(k) if k == f.feed => {
                        let names = resolve_feeds(&self.lk.searcher, k, &[w.to_string()])?;
                        qs.extend(
                            names
                                .iter()
                                .filter_map(|n| term_or_phrase(k, std::slice::from_ref(n), 0)),
                        );
                    }
                    // The names `--author`/`--category` would take for it (closed or apart,
                    // a word of a name, a typo away): `category:homelab` missed "Home Lab".
                    Some(k) => {
                        let names = resolve_keywords(&self.lk.searcher, k, &[w.to_string()])?;
                        qs.extend(
                            names
                                .iter()
                                .filter_map(|n| term_or_phrase(k, std::slice::from_ref(n), 0)),
                        );
                    }
                    None => {}
                }
                if mark {
                    self.marks.extend(word_marks(&mut self.lk.en, w));
                    self.marks.extend(spellings.into_iter().map(Mark::Term));
                }
            }
            Text::Prefix(p) => {
                let raw = tokens(&mut self.lk.raw, p);
                let stemmed = tokens(&mut self.lk.en, p);
                if let Some(last) = raw.last() {
                    // The stem of a partial word may be shorter than what was typed
                    // (`services*` -> `servic`): try both.
                    let mut lasts = vec![last.clone()];
                    // A number word's stem is its number: `one*` is no prefix of `1`.
                    if let Some(s) = stemmed
                        .last()
                        .filter(|s| *s != last && !is_number_of(s, last))
                    {
                        lasts.push(s.clone());
                    }
                    // The number words it begins (`tw*`: two, twelve, twenty) are indexed as
                    // their numbers.
                    if raw.len() == 1 && last.chars().count() >= 2 {
                        let numbers =
                            crate::stem::numbers_of_words(|word| word.starts_with(last.as_str()));
                        self.numbers(&mut qs, analyzed, &numbers, mark);
                    }
                    // The index holds stems, which may be shorter than the typed prefix:
                    // `compensat*` must find `compens` (compensate, compensated). So a single
                    // word also matches its own first letters, down to STEM_CUT fewer.
                    let cuts: Vec<String> = if raw.len() == 1 {
                        let chars: Vec<char> = last.chars().collect();
                        (1..=STEM_CUT)
                            .filter(|cut| chars.len() >= MIN_CUT_LEN + cut)
                            .map(|cut| chars[..chars.len() - cut].iter().collect())
                            .collect()
                    } else {
                        Vec::new()
                    };
                    for &(field, boost) in analyzed {
                        for cut in &cuts {
                            qs.extend(
                                term_or_phrase(field, std::slice::from_ref(cut), 0)
                                    .map(|q| boosted(q, boost)),
                            );
                        }
                    }
                    if mark {
                        self.marks.extend(cuts.into_iter().map(Mark::Term));
                    }
                    for &(field, boost) in analyzed {
                        for l in &lasts {
                            let q = if raw.len() == 1 {
                                prefix_query(field, l)?
                            } else {
                                // `e-mai*`: the words before the last must precede it.
                                let mut terms: Vec<Term> = stemmed
                                    [..stemmed.len().saturating_sub(1)]
                                    .iter()
                                    .map(|t| Term::from_field_text(field, t))
                                    .collect();
                                terms.push(Term::from_field_text(field, l));
                                Box::new(PhrasePrefixQuery::new(terms))
                            };
                            qs.push(boosted(q, boost));
                        }
                    }
                    if mark {
                        // The last part of `wi-f*` alone would light every word starting
                        // with f: a part that short is highlighted through the compound's
                        // joined form (below), not on its own. A prefix of several words
                        // with no joined form (`802.11*`, read `802` `11*`) has only itself.
                        let alone = raw.len() == 1 || joined_forms(&mut self.lk.raw, p).is_empty();
                        self.marks.extend(
                            lasts
                                .into_iter()
                                .filter(|l| alone || l.chars().count() >= 3)
                                .map(Mark::Prefix),
                        );
                        // The words before the last match as typed: highlighted as a word's
                        // are, one letter as a piece (`e` of `e-mai*`).
                        for t in &stemmed[..stemmed.len().saturating_sub(1)] {
                            self.marks.push(match t.chars().count() {
                                1 => Mark::Piece(t.clone()),
                                _ => Mark::Term(t.clone()),
                            });
                        }
                    }
                }
                // A hyphenated prefix also begins the compound written closed: `wi-f*` finds
                // "WiFi" as `wi-fi` does (the joined reading of the typed parts).
                let joined = joined_forms(&mut self.lk.raw, p);
                for j in &joined {
                    for &(field, boost) in analyzed {
                        qs.push(boosted(prefix_query(field, j)?, boost));
                    }
                }
                if mark {
                    self.marks.extend(joined.into_iter().map(Mark::Prefix));
                }
                if let Some(k) = keyword {
                    qs.push(prefix_query(k, &kw_term(p))?);
                }
            }
            Text::Respelled(typed, terms) => {
                let weight = if sure_respelling(&mut self.lk.en, typed, terms) {
                    1.0
                } else {
                    RESPELLED_WEIGHT
                };
                for &(field, boost) in analyzed {
                    let each = terms
                        .iter()
                        .filter_map(|t| term_or_phrase(field, std::slice::from_ref(t), 0));
                    qs.extend(best_of(each.collect()).map(|q| boosted(q, boost * weight)));
                }
                if mark {
                    self.marks.extend(terms.iter().cloned().map(Mark::Term));
                }
            }
            Text::Fuzzy(w, edits) => {
                let stemmed = tokens(&mut self.lk.en, w);
                let raw = tokens(&mut self.lk.raw, w);
                if let ([s], [r]) = (stemmed.as_slice(), raw.as_slice()) {
                    // A number word is its number, exactly: one edit from `2` is every short
                    // term. The number words it may be a misspelling of (`tow~`: two) are
                    // their numbers too.
                    let numbers =
                        crate::stem::numbers_of_words(|word| within_edits(word, r, *edits));
                    let mut words = Vec::new();
                    if !is_number_of(s, r) {
                        words.push(s.clone());
                    }
                    if r != s {
                        words.push(r.clone());
                    }
                    for &(field, boost) in analyzed {
                        for word in &words {
                            qs.push(boosted(fuzzy_query(field, word, *edits), boost));
                        }
                    }
                    self.numbers(&mut qs, analyzed, &numbers, mark);
                    if mark {
                        self.marks
                            .extend(words.into_iter().map(|w| Mark::Fuzzy(w, *edits)));
                    }
                } else {
                    // Several tokens (`isn't~`): typo tolerance has no single word to work on,
                    // so the words must match as written; a hyphenated compound's joined form
                    // is one word, tolerant as any (`e-mail~` finds "emial" as `email~` does).
                    for &(field, boost) in analyzed {
                        qs.extend(
                            text_phrase(&f, self.pairs.as_deref(), field, &stemmed, 0)
                                .map(|q| boosted(q, boost)),
                        );
                    }
                    let joined = joined_forms(&mut self.lk.en, w);
                    for j in &joined {
                        for &(field, boost) in analyzed {
                            qs.push(boosted(fuzzy_query(field, j, *edits), boost));
                        }
                    }
                    if mark {
                        self.marks.extend(word_marks(&mut self.lk.en, w));
                        self.marks
                            .extend(joined.into_iter().map(|j| Mark::Fuzzy(j, *edits)));
                    }
                }
                if let Some(k) = keyword {
                    qs.push(fuzzy_query(k, &kw_term(w), *edits));
                }
            }
        }
        let clauses = qs.len();
        Ok(match (plain, any(qs)) {
            (Some(parts), Some(union)) => {
                debug_assert_eq!(parts.len(), clauses, "one clause per field");
                Some(Box::new(WordQuery::new(parts, union)))
            }
            (_, union) => union,
        })
    }

    /// The top level of a widened query: its widenable words are optional clauses of which a
    /// hit must hold `k`, or fewer that weigh as much ([`WeightedSome`]: the weight of the
    /// `k` lightest); everything else keeps its place (required, or excluded).
    fn some_of(
        &mut self,
        items: &[Node],
        w: &Widening<'_>,
    ) -> Result<Option<Box<dyn Query>>, StoreError> {
        let mut clauses: Vec<Clause> = Vec::new();
        let mut some: Vec<SomeClause> = Vec::new();
        let mut weights: Vec<f32> = Vec::new();
        for (((item, widen), rarity), weight) in
            items.iter().zip(w.widen).zip(w.rarity).zip(w.weight)
        {
            let compiled = match item {
                Node::Not(inner) => self.node(inner, true)?,
                _ => self.node(item, false)?,
            };
            // A word that analyses to nothing still counts among the words, as it did when the
            // words were counted: it matches nothing, so it holds the bar. One that weighs
            // nothing (a little word) is not counted.
            if *widen && !matches!(item, Node::Not(_)) && *weight > 0.0 {
                weights.push(*weight);
            }
            let Some(q) = compiled else { continue };
            match item {
                Node::Not(_) => clauses.push((Occur::MustNot, excluded(q))),
                _ if *widen => some.push(SomeClause {
                    query: q,
                    weight: *weight,
                    rarity: rarity.max(0.0),
                }),
                _ => clauses.push((Occur::Must, q)),
            }
        }
        weights.sort_by(f32::total_cmp);
        let threshold: f32 = weights.iter().take(w.k).sum();
        if !some.is_empty() {
            clauses.push((
                Occur::Must,
                Box::new(WeightedSome {
                    clauses: some,
                    rule: Enough {
                        threshold,
                        count: w.k,
                    },
                }),
            ));
        }
        if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
            return Ok(None);
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }

    /// Add the closeness bonus for the plain words of the top level (`first position`): an
    /// optional sloppy phrase on body and title, and for three words or more their exact run
    /// in the body, so it changes ranking, never the matching set.
    fn with_proximity(
        &mut self,
        node: &Node,
        main: Box<dyn Query>,
    ) -> (Box<dyn Query>, Option<Split>) {
        let Node::And(items) = node else {
            return (main, None);
        };
        let mut toks = Vec::new();
        for item in items {
            if let Node::Text(Scope::Any, Text::Word(w)) = item {
                toks.extend(tokens(&mut self.lk.en, w));
            }
        }
        if toks.len() < 2 {
            return (main, None);
        }
        let mut clauses: Vec<Clause> = vec![(Occur::Must, main.box_clone())];
        let mut bonus = Vec::new();
        let (body, title) = (self.lk.f.body, self.lk.f.title);
        // The run right after the sloppy phrase of the body, whose matches hold its own: the
        // walk reads it only where that one matched (`search.rs`, `Scoring::offer`).
        let mut kinds = vec![(body, PROXIMITY_BOOST, false)];
        if toks.len() >= 3 {
            kinds.push((body, RUN_BOOST, true));
        }
        kinds.push((title, PROXIMITY_BOOST * TITLE_BOOST, false));
        let f = self.lk.f;
        for (field, boost, exact) in kinds {
            let slop = if exact { 0 } else { proximity_slop(toks.len()) };
            // A run of frequent pairs goes by them (as in `text_phrase`), and they bound it.
            let by_pairs = by_pairs(&f, self.pairs.as_deref(), field, &toks, slop);
            let pairs = by_pairs.as_ref().map(|q| {
                let (pairs, marker) = q.pair_terms();
                (pairs.to_vec(), marker.clone())
            });
            let q = match by_pairs {
                Some(q) => Some(Box::new(q) as Box<dyn Query>),
                None => term_or_phrase(field, &toks, slop),
            };
            if let Some(q) = q {
                let q = boosted(q, boost);
                bonus.push(Bonus {
                    query: q.box_clone(),
                    terms: toks
                        .iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                    boost,
                    exact,
                    pairs,
                });
                clauses.push((Occur::Should, q));
            }
        }
        (
            Box::new(BooleanQuery::new(clauses)),
            Some(Split { main, bonus }),
        )
    }
}

/// The readings of `text` ([`readings`]), and those of its numbers grouped the other way
/// ([`regrouped`]): `240000` also as "240,000", `5,000` also as "5000".
fn number_readings(en: &mut TextAnalyzer, text: &str) -> Vec<Vec<String>> {
    let mut out = readings(en, text);
    if let Some(other) = regrouped(text) {
        for r in readings(en, &other) {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// Characters that group a number's thousands in text (`240,000`, `5.000`, `1'000`). Commas
/// make one word of the number ("240,000" is indexed as `240000`, see `crate::words`); a dot
/// ends a word ("5.000" is `5` `000`, two words in a row), and an apostrophe gives both.
const DIGIT_GROUPING: [char; 4] = [',', '.', '\'', '’'];

/// `text` with its numbers written the other way: a number of four digits or more typed
/// without grouping as its groups of three (`240000` -> `240 000`, the phrase "240.000" and
/// "240 000" are indexed as; "240,000" is indexed as typed so), a number typed grouped by
/// commas as its groups apart (`240,000` -> `240 000`) and one grouped otherwise as its
/// digits (`5.000` -> `5000`, as "5,000" and "5000" are indexed). `None` when it holds no such number. A digit run inside a word
/// or code (`e0502`, `CVE-2024-3094`, `v1.2000`), after a decimal point (`3.14159`) or with a
/// leading zero (`0500`, `0.500`) is no number to regroup.
fn regrouped(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    // Whether the character at `i` ties the run next to it into a word, a code or a decimal:
    // a letter or digit, or a hyphen, dot or comma with one on its other side.
    let ties = |i: Option<usize>, outward: isize| {
        let Some(i) = i else { return false };
        let Some(&c) = chars.get(i) else { return false };
        let beyond = i
            .checked_add_signed(outward)
            .and_then(|j| chars.get(j))
            .is_some_and(|c| c.is_alphanumeric());
        c.is_alphanumeric() || (matches!(c, '-' | '.' | ',') && beyond)
    };
    let mut out = String::with_capacity(text.len() + 8);
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        if !digit(i) || (i > 0 && chars[i - 1].is_alphanumeric()) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run of digits, and its groups of three after grouping characters, if any.
        let start = i;
        while digit(i) {
            i += 1;
        }
        let mut groups = vec![(start, i)];
        while chars.get(i).is_some_and(|c| DIGIT_GROUPING.contains(c))
            && (i + 1..i + 4).all(digit)
            && !digit(i + 4)
        {
            groups.push((i + 1, i + 4));
            i += 4;
        }
        let before = start.checked_sub(1);
        let free = !ties(before, -1) && !ties(Some(i), 1) && chars[start] != '0';
        let first = groups[0].1 - groups[0].0;
        let run: String = chars[start..i].iter().collect();
        if free && groups.len() > 1 && first <= 3 {
            // Commas join the groups into one word already (`crate::words`): the other way
            // is the groups apart, as "5.000" and "5 000" are indexed.
            let commas = groups[1..].iter().all(|&(a, _)| chars[a - 1] == ',');
            for (n, &(a, b)) in groups.iter().enumerate() {
                if commas && n > 0 {
                    out.push(' ');
                }
                out.extend(&chars[a..b]);
            }
            changed = true;
        } else if free && groups.len() == 1 && first >= 4 {
            let head = first % 3;
            for (n, c) in run.chars().enumerate() {
                if n > 0 && (n + 3 - head) % 3 == 0 {
                    out.push(' ');
                }
                out.push(c);
            }
            changed = true;
        } else {
            out.push_str(&run);
        }
    }
    changed.then_some(out)
}

/// What a widenable word adds to the score of a hit holding it: [`RARITY_WEIGHT`] times BM25's
/// idf of about how many articles hold it ([`held_of`]); a respelled word adds none. 0 for
/// anything else (a date, a prefix): what it matches is not counted by a few lookups.
fn rarity_of(heft: &Heft, articles: u64) -> f32 {
    // A respelled word that is a guess at what was meant ([`sure_respelling`]) adds no
    // rarity, or a rare word it may stand for (`bakeries` read as "bayern") puts that word's
    // articles above those holding the query's other words as typed (`best bakeries paris`:
    // two football posts above the Paris bakeries).
    let Heft::Held(Some(held)) = *heft else {
        return 0.0;
    };
    let held = held.min(articles) as f32;
    RARITY_WEIGHT * (1.0 + (articles as f32 - held + 0.5) / (held + 0.5)).ln()
}

/// What [`rarity_of`] and [`weight_of`] read of a widenable word: a word of [`COMPARISONS`],
/// a respelling that is a guess ([`sure_respelling`]), or about how many articles hold it
/// ([`held_of`]).
enum Heft {
    Comparison,
    Guess,
    Held(Option<u64>),
}

fn heft_of(lk: &mut Lookup, item: &Node) -> Result<Heft, StoreError> {
    if comparison(item) {
        return Ok(Heft::Comparison);
    }
    let guess = matches!(item, Node::Text(Scope::Any, Text::Respelled(typed, terms))
        if !sure_respelling(&mut lk.en, typed, terms));
    if guess {
        return Ok(Heft::Guess);
    }
    Ok(Heft::Held(held_of(lk, item)?))
}

/// Words that hold a comparison together (`server vs cloud`): every comparison's title has
/// one, so they say nothing of which comparison was meant, and add no rarity to a widened
/// hit's score.
const COMPARISONS: &[&str] = &["vs", "versus"];

/// Whether an item is a little word typed plain ([`NO_HALVES`], [`COMPARISONS`]): never
/// required beside a word that says what the query is about.
fn little_word(item: &Node) -> bool {
    matches!(item, Node::Text(Scope::Any, Text::Word(w)) if {
        let w = w.to_lowercase();
        NO_HALVES.contains(&w.as_str()) || COMPARISONS.contains(&w.as_str())
    })
}

/// Whether an item is a plain word of [`COMPARISONS`].
fn comparison(item: &Node) -> bool {
    matches!(item, Node::Text(Scope::Any, Text::Word(w)) if COMPARISONS.contains(&w.to_lowercase().as_str()))
}

/// How much a widenable word weighs toward the number of words a widened hit must hold: one
/// word's worth, or for a rarer word than one in four articles hold, the classic idf of about
/// how many articles hold it ([`held_of`]), `ln((N - n) / n)`, so a rare word counts for
/// several common ones (`compensation plan technicians`: the article on compensation holds
/// none of the two others, which most articles hold); 0 for `vs` ([`COMPARISONS`]), which
/// must not raise the bar at all (`pricing per seat vs per device` required 5 of its 6
/// words, and the article on per-device pricing holds no "vs"). `None` where that is not
/// counted by a few lookups (a date, a prefix).
fn weight_of(heft: &Heft, articles: u64) -> Option<f32> {
    let held = match *heft {
        Heft::Comparison => return Some(0.0),
        // A respelling that is a guess ([`sure_respelling`]): were it to weigh the rarity of
        // the word it was read as, it alone could clear the bar meant for two words typed
        // right (`best bakeries paris`, "bakeries" read as "bayern", let every football post
        // in).
        Heft::Guess => return Some(1.0),
        Heft::Held(held) => held?,
    };
    let held = held.min(articles) as f32;
    Some(
        ((articles as f32 - held + 0.5) / (held + 0.5))
            .ln()
            .max(1.0),
    )
}

/// About how many articles hold a widenable word: the most that hold one of its readings (in
/// title, body, categories or author: at least the larger of the counts), a reading of
/// several words counted by its rarest; a respelled or fuzzy word by the most common word it
/// may be (`munich~` as "much" is no rare word). `None` for anything else (a date, a prefix).
fn held_of(lk: &mut Lookup, item: &Node) -> Result<Option<u64>, StoreError> {
    // The most articles holding `t` in one of the fields [`held_of`] counts.
    fn df(lk: &Lookup, t: &str) -> Result<u64, StoreError> {
        let f = lk.f;
        let mut most = 0;
        for field in [f.title, f.body, f.category_text, f.author_text] {
            most = most.max(lk.searcher.doc_freq(&Term::from_field_text(field, t))?);
        }
        Ok(most)
    }
    Ok(Some(match item {
        Node::Text(Scope::Any, Text::Word(w)) => {
            let mut most = 0;
            let mut ways = readings(&mut lk.en, w);
            ways.extend(other_readings_held(lk, w)?.0.into_iter().map(|t| vec![t]));
            for reading in ways {
                let mut least = u64::MAX;
                for t in &reading {
                    least = least.min(df(lk, t)?);
                }
                if least != u64::MAX {
                    most = most.max(least);
                }
            }
            most
        }
        Node::Text(Scope::Any, Text::Respelled(_, terms)) => {
            let mut most = 0;
            for t in terms {
                most = most.max(df(lk, t)?);
            }
            most
        }
        Node::Text(Scope::Any, Text::Fuzzy(w, edits)) => {
            let mut words = tokens(&mut lk.en, w);
            words.extend(tokens(&mut lk.raw, w));
            words.dedup();
            let lk = &*lk;
            let mut most = 0;
            for word in words {
                let mut n = 0;
                fuzzy_terms(
                    &lk.searcher,
                    &[lk.f.title, lk.f.body],
                    &word,
                    *edits,
                    |t, _| {
                        most = most.max(df(lk, t)?);
                        n += 1;
                        Ok(n < MAX_EXPANSIONS)
                    },
                )?;
            }
            most
        }
        _ => return Ok(None),
    }))
}

/// What to highlight for the typed text `text` (a word, or a phrase's words): each of its
/// whitespace-separated words' terms, a one-letter term standing for the whole word (`7`,
/// `B`) or for one digit of a number (`2.0` -> `2` `0`) as it is, a one-letter piece of a
/// longer word (`isn't` -> `t`, `e-mail` -> `e`) as a [`Mark::Piece`].
fn word_marks(en: &mut TextAnalyzer, text: &str) -> Vec<Mark> {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        // Every reading: a hyphenated word's parts and its joined form (`wi`, `fi`, `wifi`),
        // which is what highlights "Wi-Fi" whole; a number's groups (`240` `000`).
        let readings = number_readings(en, word);
        // The word typed, when it is one term: one letter of it is no piece (`b` of `plan b`);
        // one letter of a word read apart is (`o` of `o365`).
        let whole = readings.first().and_then(|split| match split.as_slice() {
            [t] => Some(t.clone()),
            _ => None,
        });
        let mut seen = HashSet::new();
        for t in readings.into_iter().flatten() {
            if !seen.insert(t.clone()) {
                continue;
            }
            let mut chars = t.chars();
            out.push(match (chars.next(), chars.next()) {
                (Some(c), None) if whole.as_ref() != Some(&t) && !c.is_ascii_digit() => {
                    Mark::Piece(t)
                }
                _ => Mark::Term(t),
            });
        }
    }
    out
}

/// The terms a body snippet should highlight, each with tantivy's snippet weight (rarer terms
/// weigh more): marks expanded against the body's term dictionary, so a prefix or a fuzzy word
/// highlights the words it actually matched.
pub(crate) fn snippet_terms(
    searcher: &Searcher,
    body: Field,
    marks: &[Mark],
) -> Result<BTreeMap<String, f32>, StoreError> {
    let mut found: Vec<String> = Vec::new();
    let mut pieces: Vec<&str> = Vec::new();
    for mark in marks {
        match mark {
            Mark::Term(t) => found.push(t.clone()),
            Mark::Piece(t) => pieces.push(t),
            Mark::Prefix(p) => {
                let mut n = 0;
                for seg in searcher.segment_readers() {
                    let inv = seg.inverted_index(body)?;
                    let mut stream = inv
                        .terms()
                        .range()
                        .ge(p.as_bytes())
                        .into_stream()
                        .map_err(tantivy::TantivyError::from)?;
                    while n < MAX_EXPANSIONS && stream.advance() {
                        match std::str::from_utf8(stream.key()) {
                            Ok(t) if t.starts_with(p.as_str()) => {
                                found.push(t.to_string());
                                n += 1;
                            }
                            _ => break,
                        }
                    }
                }
            }
            Mark::Fuzzy(w, edits) => {
                let mut n = 0;
                fuzzy_terms(searcher, &[body], w, *edits, |t, _| {
                    found.push(t.to_string());
                    n += 1;
                    Ok(n < MAX_EXPANSIONS)
                })?;
            }
        }
    }
    // A one-letter piece of a word counts only when nothing longer is highlighted; a word the
    // user typed, however short (the `7` of `windows 7`), always does.
    if !found
        .iter()
        .map(String::as_str)
        .chain(pieces.iter().copied())
        .any(|t| t.chars().count() > 1)
    {
        found.extend(pieces.into_iter().map(str::to_string));
    }
    let mut out = BTreeMap::new();
    for t in found {
        if out.contains_key(&t) {
            continue;
        }
        let df = searcher.doc_freq(&Term::from_field_text(body, &t))?;
        if df > 0 {
            out.insert(t, 1.0 / (1.0 + df as f32));
        }
    }
    Ok(out)
}

/// The keyword terms a `--category`/`--author` value stands for: the terms of the field that
/// differ from it (as `kb_kw` lowercases it) at most in accents and in how its words are
/// joined, so "anna muller" finds both "Anna Müller" and "Anna Muller", as the full-text fields
/// would, and `homelab`, `home lab` and `home-lab` are one category. A value that matches
/// nothing stays, and matches nothing. The field's distinct names are few (authors,
/// categories), so reading its term list costs little. A value that is no name at all stands
/// for the names that hold its words, in a row or (several) in any order ([`names_holding`]):
/// `--author gruber` finds "John Gruber", as `author:gruber` does, and `--author "gruber,
/// john"` finds him too; and when none does, for the names that hold them
/// with a letter wrong or an umlaut spelled out ([`names_near`]).
pub(crate) fn resolve_keywords(
    searcher: &tantivy::Searcher,
    field: tantivy::schema::Field,
    values: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::with_capacity(values.len());
    let mut names: Option<Vec<String>> = None;
    let mut en = en_analyzer();
    let mut plain = unstemmed_analyzer();
    let mut folder =
        tantivy::tokenizer::TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
            .filter(tantivy::tokenizer::AsciiFoldingFilter)
            .build();
    for value in values {
        let term = kw_term(value);
        let wanted = closed(&folded(&mut folder, &term));
        let before = out.len();
        // A term that folds to `wanted` starts with its first byte, or with a non-ASCII
        // letter (which may fold to it): two ranges of the sorted term list, not all of it.
        let first = wanted.as_bytes().first().copied().unwrap_or(0);
        let ranges: [(Vec<u8>, Option<Vec<u8>>); 2] = [
            (vec![first], first.checked_add(1).map(|next| vec![next])),
            (vec![0x80], None),
        ];
        for seg in searcher.segment_readers() {
            let inverted = seg.inverted_index(field)?;
            for (from, to) in &ranges {
                let mut range = inverted.terms().range().ge(from);
                if let Some(to) = to {
                    range = range.lt(to);
                }
                let mut stream = range.into_stream().map_err(tantivy::TantivyError::from)?;
                while stream.advance() {
                    let Ok(t) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    // Folding leaves ASCII as it is: most names compare without it.
                    let same = if t.is_ascii() {
                        closed(t) == wanted
                    } else {
                        closed(&folded(&mut folder, t)) == wanted
                    };
                    if same && !out[before..].iter().any(|o| o == t) {
                        out.push(t.to_string());
                    }
                }
            }
        }
        if out.len() == before {
            let names = match &mut names {
                Some(names) => names,
                None => names.insert(keyword_terms(searcher, field)?),
            };
            out.extend(names_holding(&mut en, names, &term, true));
            // Only when the value names nobody as typed: a name that exists is not widened to
            // its neighbours (`anna` is not also "Hanna").
            if out.len() == before {
                out.extend(names_near(&mut plain, names, &term));
            }
        }
        if out.len() == before {
            out.push(term);
        }
    }
    Ok(out)
}

/// A name without the spaces and hyphens between its words: `home lab` and `home-lab` are
/// `homelab`.
fn closed(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !crate::words::is_hyphen(*c))
        .collect()
}

/// The names among `names` that hold the words of `value` in a row, compared as the full-text
/// fields compare words (stemmed, folded): `gruber` is a word of "john gruber", `book review`
/// of "book_reviews", `smbitpros` of "smbitpros.com"; also written closed or apart
/// (`homelabs` of "Home Lab Builds", `home lab` of "homelab builds"); and with `any_order`, of
/// several words, all of them in any order (`herrera tomas` and `Nwosu, Amara` of "Tomás Herrera" and "Amara
/// Nwosu": surname first, as bibliographies and many languages write a name).
fn names_holding(
    en: &mut TextAnalyzer,
    names: &[String],
    value: &str,
    any_order: bool,
) -> Vec<String> {
    let wanted = tokens(en, value);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut raw = unstemmed_analyzer();
    let typed = tokens(&mut raw, value);
    let wanted_closed = closed_stem(en, &typed);
    // A stem is never longer than its word, and a suffix is a few letters: longer runs of a
    // name's words cannot be the value written closed.
    let longest = typed.iter().map(String::len).sum::<usize>() + 8;
    names
        .iter()
        .filter(|name| {
            let stems = tokens(en, name);
            if stems.windows(wanted.len()).any(|w| w == wanted.as_slice())
                || (any_order && wanted.len() > 1 && holds_each(&stems, &wanted, |t, w| t == w))
            {
                return true;
            }
            let words = tokens(&mut raw, name);
            (0..words.len()).any(|from| {
                let mut len = 0;
                words[from..].iter().enumerate().any(|(n, w)| {
                    len += w.len();
                    len <= longest && closed_stem(en, &words[from..=from + n]) == wanted_closed
                })
            })
        })
        .cloned()
        .collect()
}

/// The names (keyword terms) holding the words of `value` in a row, or in any order, as a
/// person may type them from memory: each word of five letters or more within one edit of the name's (a letter
/// missing, extra, wrong, or two swapped: `whitfeld`, `okonkow`), and an umlaut spelled out
/// (`mueller` for "Müller", `baer` for "Bär", as German writes them without umlauts; `ß` is
/// already `ss`). Shorter words must match as they are: one edit from a short name is another
/// name (`mike`, "Mika"). Words are compared unstemmed: a stem cuts a name's ending (`vasques`
/// would be `vasqu`).
pub(crate) fn names_near(plain: &mut TextAnalyzer, names: &[String], value: &str) -> Vec<String> {
    let wanted = tokens(plain, value);
    if wanted.is_empty() {
        return Vec::new();
    }
    let near = |typed: &str, word: &str| {
        typed == word || (typed.chars().count() >= 5 && edit_distance(typed, word) <= 1)
    };
    names
        .iter()
        .filter(|name| {
            [
                tokens(plain, name),
                tokens(plain, &umlauts_spelled_out(name)),
            ]
            .iter()
            .any(|words| {
                words
                    .windows(wanted.len())
                    .any(|w| w.iter().zip(&wanted).all(|(n, t)| near(t, n)))
                    || (wanted.len() > 1 && holds_each(words, &wanted, near))
            })
        })
        .cloned()
        .collect()
}

/// Whether each of `wanted` is `same` as its own word of `words`, in any order. Words equal
/// as typed are paired first, so a word merely near another does not take the one a later
/// word is exactly (a name has a few words: pairing them greedily is enough).
fn holds_each(words: &[String], wanted: &[String], same: impl Fn(&str, &str) -> bool) -> bool {
    let mut used = vec![false; words.len()];
    let mut rest = Vec::new();
    for t in wanted {
        match (0..words.len()).find(|&i| !used[i] && words[i] == *t) {
            Some(i) => used[i] = true,
            None => rest.push(t),
        }
    }
    rest.into_iter().all(
        |t| match (0..words.len()).find(|&i| !used[i] && same(t, &words[i])) {
            Some(i) => {
                used[i] = true;
                true
            }
            None => false,
        },
    )
}

/// Of `known` names, the (at most three) closest in spelling to `value`, for a value that names
/// nobody: each of its words must be at most half its letters (rounded up), and three, from
/// a word of the name (umlauts read either way), and the name with the fewest edits in all
/// comes first, then the one with more articles.
pub(crate) fn closest_names(
    plain: &mut TextAnalyzer,
    known: &[crate::search::FacetCount],
    value: &str,
) -> Vec<String> {
    let wanted = tokens(plain, value);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, u64, &str)> = Vec::new();
    'names: for k in known {
        let mut words = tokens(plain, &k.name);
        words.extend(tokens(plain, &umlauts_spelled_out(&k.name.to_lowercase())));
        let mut edits = 0;
        for t in &wanted {
            let nearest = words.iter().map(|w| edit_distance(t, w)).min();
            match nearest {
                Some(n) if n <= t.chars().count().div_ceil(2).min(3) => edits += n,
                _ => continue 'names,
            }
        }
        scored.push((edits, k.count, &k.name));
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    scored
        .into_iter()
        .take(3)
        .map(|s| s.2.to_string())
        .collect()
}

/// Of `known` feed names, the (at most three) closest to `value`, a `--feed` value that names
/// none: those it begins or is part of (`pixel` of "pixelarchive": feed names are often words
/// written closed), or that begin it, first; then those at most half its letters (and three)
/// away in spelling, fewest edits first. Case is ignored.
pub fn closest_feed_names(known: &[String], value: &str) -> Vec<String> {
    let wanted = value.trim().to_lowercase();
    let len = wanted.chars().count();
    if len == 0 {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &str)> = known
        .iter()
        .filter_map(|name| {
            let lower = name.trim().to_lowercase();
            let edits = if lower.starts_with(&wanted)
                || (len >= 3 && lower.contains(&wanted))
                || (!lower.is_empty() && wanted.starts_with(&lower))
            {
                0
            } else {
                edit_distance(&wanted, &lower)
            };
            (edits <= len.div_ceil(2).min(3)).then_some((edits, name.as_str()))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|s| s.1.to_string())
        .collect()
}

/// `name` with German umlauts written as their two letters (`müller` -> `mueller`).
fn umlauts_spelled_out(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'Ä' => out.push_str("Ae"),
            'Ö' => out.push_str("Oe"),
            'Ü' => out.push_str("Ue"),
            c => out.push(c),
        }
    }
    out
}

/// Edits from `a` to `b`: letters inserted, deleted, replaced, or two neighbours swapped
/// (optimal string alignment, as typo tolerance counts a transposition as one edit).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous is needed for a swap.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A run of words written closed, as one stem: `home lab` and `homelabs` are `homelab`.
fn closed_stem(en: &mut TextAnalyzer, words: &[String]) -> String {
    tokens(en, &words.concat()).concat()
}

/// The feed names a `--feed`/`feed:` value stands for: the name itself when a feed has it (as
/// `kb_kw` lowercases it), else every feed whose name holds its words in a row
/// ([`names_holding`]: `smbitpros` and `smbitpros.com` both find the feed `smbitpros.com`,
/// named after its host by `kb sync --from`), as `category:` finds a word of a category. A value that matches nothing stays, and matches nothing. Feeds are few, so
/// reading all their names costs little.
pub(crate) fn resolve_feeds(
    searcher: &Searcher,
    field: Field,
    values: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut names: Option<Vec<String>> = None;
    let mut en = en_analyzer();
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        let term = kw_term(value);
        if searcher.doc_freq(&Term::from_field_text(field, &term))? > 0 {
            out.push(term);
            continue;
        }
        let names = match &mut names {
            Some(names) => names,
            None => names.insert(keyword_terms(searcher, field)?),
        };
        let before = out.len();
        // A feed's name is mostly a host: its words in another order name another host.
        for name in names_holding(&mut en, names, &term, false) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        if out.len() == before {
            out.push(term);
        }
    }
    Ok(out)
}

/// Every distinct term of a keyword field, over all segments.
fn keyword_terms(searcher: &Searcher, field: Field) -> Result<Vec<String>, StoreError> {
    let mut out = std::collections::BTreeSet::new();
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        while stream.advance() {
            if let Ok(t) = std::str::from_utf8(stream.key()) {
                out.insert(t.to_string());
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// `s` without its accents (tantivy's ASCII folding, as the full-text fields index).
fn folded(folder: &mut TextAnalyzer, s: &str) -> String {
    let mut stream = folder.token_stream(s);
    let mut out = String::new();
    while stream.advance() {
        out.push_str(&stream.token().text);
    }
    out
}

fn any_of(field: tantivy::schema::Field, values: &[String]) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| {
            // Already `kb_kw`'s form when resolved; lowercasing again changes nothing.
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, &kw_term(v)),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// `base`, narrowed by `filters` ([`filter_clauses`]).
pub(crate) fn with_filters(
    fields: &Fields,
    base: Box<dyn Query>,
    filters: &Filters<'_>,
) -> Box<dyn Query> {
    narrowed(base, &filter_clauses(fields, filters))
}

/// `base`, narrowed by filter clauses already built ([`filter_clauses`]); `base` itself when
/// there are none. They score 0, so the scores are `base`'s.
pub(crate) fn narrowed(base: Box<dyn Query>, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    if filters.is_empty() {
        return base;
    }
    let clauses = std::iter::once(base)
        .chain(filters.iter().map(|f| f.box_clone()))
        .map(|q| (Occur::Must, q))
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// One query per filter, each matching what it lets through and scoring 0: a filter only
/// narrows. Scored, it added its own BM25 to every hit (more for an article with fewer
/// categories), so `--category MSP` reordered hits when it excluded none; at 0 it leaves every
/// score as it was, to the bit, whatever order tantivy adds them in.
pub(crate) fn filter_clauses(fields: &Fields, filters: &Filters<'_>) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let filter = |q: Box<dyn Query>| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(q, 0.0)) };
    if !filters.categories.is_empty() {
        out.push(filter(any_of(fields.category, filters.categories)));
    }
    if !filters.authors.is_empty() {
        out.push(filter(any_of(fields.author, filters.authors)));
    }
    if !filters.feeds.is_empty() {
        out.push(filter(any_of(fields.feed, filters.feeds)));
    }
    if filters.since.is_some() || filters.until.is_some() {
        let term = |d: &chrono::DateTime<chrono::Utc>| {
            Term::from_field_i64(fields.published, d.timestamp())
        };
        let lo = filters
            .since
            .as_ref()
            .map_or(Bound::Unbounded, |d| Bound::Included(term(d)));
        let hi = filters
            .until
            .as_ref()
            .map_or(Bound::Unbounded, |d| Bound::Included(term(d)));
        out.push(filter(Box::new(RangeQuery::new(lo, hi))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Mark, Node, periods_of, regrouped, widenings, word_marks};
    use crate::schema::en_analyzer;

    /// Found by the search probe: `240000` did not find "240,000" (indexed `240` `000`).
    #[test]
    fn numbers_are_regrouped_both_ways_and_codes_are_left_alone() {
        let r = |t: &str| regrouped(t);
        assert_eq!(r("240000").as_deref(), Some("240 000"));
        assert_eq!(r("5000").as_deref(), Some("5 000"));
        assert_eq!(r("1234567").as_deref(), Some("1 234 567"));
        assert_eq!(r("$5000").as_deref(), Some("$5 000"));
        assert_eq!(r("-240000").as_deref(), Some("-240 000"));
        assert_eq!(r("240,000").as_deref(), Some("240 000"));
        assert_eq!(r("1,234,567").as_deref(), Some("1 234 567"));
        assert_eq!(r("5.000").as_deref(), Some("5000"));
        assert_eq!(r("1'234'567").as_deref(), Some("1234567"));
        assert_eq!(r("vitamin 50000 iu").as_deref(), Some("vitamin 50 000 iu"));
        for same in [
            "500",
            "e0502",
            "v1.2000",
            "3.14159",
            "0500",
            "0.500",
            "CVE-2024-3094",
            "5000mg",
            "1,23",
            "12,3456",
            "1.2.3",
            "-273.15",
            "abc",
        ] {
            assert_eq!(r(same), None, "{same}");
        }
    }

    #[test]
    fn a_word_read_apart_marks_its_parts_and_one_letter_is_a_piece() {
        let marks = |w: &str| word_marks(&mut en_analyzer(), w);
        let term = |t: &str| Mark::Term(t.into());
        let piece = |t: &str| Mark::Piece(t.into());
        assert_eq!(
            marks("office365"),
            [term("office365"), term("offic"), term("365")]
        );
        assert_eq!(marks("o365"), [term("o365"), piece("o"), term("365")]);
        assert_eq!(marks("b"), [term("b")]);
        assert_eq!(marks("isn't"), [term("isn"), piece("t"), term("isnt")]);
    }

    fn spans(nodes: &[Node]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| match n {
                Node::Published(Some(from), Some(to)) => {
                    format!("{}..{}", from.format("%Y-%m-%d"), to.format("%Y-%m-%d"))
                }
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_month_name_or_a_year_may_mean_when_an_article_appeared() {
        let years = Some((2009, 2011));
        assert_eq!(
            spans(&periods_of("March", years)),
            [
                "2009-03-01..2009-04-01",
                "2010-03-01..2010-04-01",
                "2011-03-01..2011-04-01"
            ]
        );
        assert_eq!(
            spans(&periods_of("december", Some((2010, 2010)))),
            ["2010-12-01..2011-01-01"]
        );
        assert_eq!(
            spans(&periods_of("2010", years)),
            ["2010-01-01..2011-01-01"]
        );
        // A year needs no archive span; a month does (an empty archive has no years).
        assert_eq!(spans(&periods_of("2010", None)).len(), 1);
        assert!(periods_of("March", None).is_empty());
        assert_eq!(periods_of("may", Some((1, 9999))).len(), 130);
        for word in [
            "marching", "mar", "1234", "2100", "20100", "referral", "1969",
        ] {
            assert!(periods_of(word, years).is_empty(), "{word}");
        }
    }

    /// A widened query's "enough of the words" against the rule counted by hand on every
    /// document, for clauses that weigh nothing (ranking only, never walked), a word no
    /// document holds (whose end ends a widening that needs it) and weights that let fewer,
    /// rarer words stand for more; its scores against the plain sum of the clauses' own.
    #[test]
    fn weighted_some_holds_what_the_rule_counts_and_scores_the_sum() {
        use super::{Enough, SomeClause, WeightedSome};
        use tantivy::collector::TopDocs;
        use tantivy::query::{Query, TermQuery};
        use tantivy::schema::{IndexRecordOption, STRING, Schema};
        use tantivy::{Index, TantivyDocument, Term};

        let mut schema = Schema::builder();
        let field = schema.add_text_field("w", STRING);
        let index = Index::create_in_ram(schema.build());
        let vocab = ["a", "b", "c", "d", "e"];
        let mut writer = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        let mut held = Vec::new();
        let mut seed = 7u64;
        for _ in 0..400 {
            let mut doc = TantivyDocument::new();
            let mut words = Vec::new();
            for w in vocab {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Some words in most documents, some in few, as real words are.
                let share = match w {
                    "a" => 90,
                    "b" => 60,
                    "c" => 30,
                    _ => 8,
                };
                if (seed >> 33) % 100 < share {
                    doc.add_text(field, w);
                    words.push(w);
                }
            }
            writer.add_document(doc).expect("add");
            held.push(words);
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        // (word, weight): "a" weighs nothing (a little word), "z" no document holds.
        type Case<'a> = (&'a [(&'a str, f32)], f32, usize);
        let cases: [Case; 5] = [
            (&[("a", 0.0), ("b", 1.0), ("c", 1.0), ("z", 1.0)], 2.0, 2),
            (&[("a", 0.0), ("z", 1.0), ("b", 1.0)], 2.0, 2),
            (&[("b", 1.0), ("d", 3.0), ("c", 1.0), ("e", 3.0)], 2.0, 2),
            (
                &[("a", 1.0), ("b", 1.0), ("c", 1.0), ("d", 1.0), ("z", 1.0)],
                4.0,
                4,
            ),
            (&[("a", 0.0), ("z", 1.0)], 1.0, 1),
        ];
        for (clauses, threshold, count) in cases {
            let query = WeightedSome {
                clauses: clauses
                    .iter()
                    .map(|(w, x)| SomeClause {
                        query: term(w),
                        weight: *x,
                        rarity: 0.0,
                    })
                    .collect(),
                rule: Enough { threshold, count },
            };
            let want: Vec<u32> = (0..held.len() as u32)
                .filter(|doc| {
                    let holds: Vec<f32> = clauses
                        .iter()
                        .filter(|(w, x)| *x > 0.0 && held[*doc as usize].contains(w))
                        .map(|(_, x)| *x)
                        .collect();
                    holds.len() >= count
                        || (!holds.is_empty() && holds.iter().sum::<f32>() >= threshold)
                })
                .collect();
            let hits = searcher
                .search(&query, &TopDocs::with_limit(held.len()).order_by_score())
                .expect("search");
            let mut got: Vec<u32> = hits.iter().map(|(_, a)| a.doc_id).collect();
            got.sort_unstable();
            assert_eq!(got, want, "{clauses:?}");
            for (score, addr) in hits {
                let mut sum = 0.0;
                for (w, _) in clauses {
                    if held[addr.doc_id as usize].contains(w) {
                        let one = TermQuery::new(
                            Term::from_field_text(field, w),
                            IndexRecordOption::WithFreqs,
                        );
                        sum += one.explain(&searcher, addr).expect("explain").value();
                    }
                }
                assert!((score - sum).abs() < 1e-4, "{clauses:?}: {score} != {sum}");
            }
        }
    }

    #[test]
    fn widenings_drop_one_word_at_a_time_then_jump_to_half_then_one() {
        assert_eq!(widenings(0), Vec::<usize>::new());
        assert_eq!(widenings(1), Vec::<usize>::new());
        assert_eq!(widenings(2), vec![1]);
        assert_eq!(widenings(3), vec![2, 1]);
        assert_eq!(widenings(4), vec![3, 2, 1]);
        assert_eq!(widenings(6), vec![5, 4, 3, 1]);
        assert_eq!(widenings(9), vec![8, 7, 6, 5, 1]);
        assert_eq!(widenings(10), vec![9, 8, 7, 5, 1]);
        assert_eq!(widenings(30), vec![29, 28, 27, 15, 1]);
    }
}
