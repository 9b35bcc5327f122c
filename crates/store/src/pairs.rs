//! Frequent word pairs: the terms that make exact phrases of common words cheap.
//!
//! A phrase query reads the positions of every document that holds all its words. For words
//! most articles use, that is most of the index: at 100k articles, `"remote monitoring"` read
//! positions in 33k documents, 70% of its time (kb-bench, `perf`). So the body is also indexed
//! as the adjacent stem pairs the archive uses often (`remot monitor`, at the position of the
//! first word), and a phrase made of such pairs becomes one pair term (two words) or a phrase
//! of pairs (more): no word positions read.
//!
//! Only frequent pairs are indexed. Every pair was tried first: twice the index and 2.5x the
//! ingest time, since nearly every pair in a large archive is distinct; every pair of frequent
//! words still cost +60% ingest CPU at 100k articles. The phrases people look for are the
//! archive's collocations ("remote monitoring", "service level agreement"), and those are the
//! frequent pairs. Which they are is the archive's own business, so each index chooses its list
//! once, from its first [`SAMPLE_DOCS`] articles (see `KbWriter`), and keeps it in the payload
//! of its commits.
//!
//! Exactness never depends on that bookkeeping. Every document indexed with a list also holds
//! that list's *marker* term, and a query uses pairs in a segment only when every document of
//! the segment holds the marker of the list the query knows; elsewhere it reads positions, as
//! before. Both ways score with the same BM25 weight (the phrase's words, the body's field
//! length, the phrase count), so results are identical, only faster.
//!
//! Phrases with an unlisted pair, sloppy phrases (`"a b"~2`), prefixes, titles and the
//! closeness bonus still use word positions.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, EmptyScorer, EnableScoring, Explanation, PhraseQuery, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Separates the two stems of a pair term. Stems never hold it: the tokenizer splits on it.
const SEPARATOR: char = ' ';

/// An index chooses its frequent pairs once it has seen this many articles.
pub(crate) const SAMPLE_DOCS: usize = 1000;
/// A pair is frequent when at least this share of the sampled articles hold it...
const MIN_DOC_SHARE: f64 = 0.05;
/// ...and among this many most frequent: bounds the list every search reads.
const MAX_PAIRS: usize = 2000;

fn pair_key(first: u32, second: u32) -> u64 {
    (u64::from(first) << 32) | u64::from(second)
}

/// The pair term of two adjacent stems.
fn pair(first: &str, second: &str) -> String {
    let mut s = String::with_capacity(first.len() + 1 + second.len());
    s.push_str(first);
    s.push(SEPARATOR);
    s.push_str(second);
    s
}

/// An index's list of frequent adjacent pairs, and its marker term.
#[derive(Debug, Clone)]
pub(crate) struct FrequentPairs {
    /// The pair terms, sorted: what the payload and the marker are made of.
    sorted: Vec<String>,
    /// Every word of a listed pair, numbered, and the listed pairs as pairs of numbers: one
    /// word lookup per token tells whether it pairs with the one before, without building
    /// the pair's text.
    word_ids: HashMap<String, u32, foldhash::fast::RandomState>,
    id_pairs: HashSet<u64, foldhash::fast::RandomState>,
    marker: String,
}

impl PartialEq for FrequentPairs {
    fn eq(&self, other: &Self) -> bool {
        self.marker == other.marker
    }
}

/// How the list travels in a commit's payload.
#[derive(Serialize, Deserialize)]
struct Payload {
    frequent_pairs: Vec<String>,
}

impl FrequentPairs {
    /// The list of these pair terms (`first second`).
    pub(crate) fn new(pairs: impl IntoIterator<Item = String>) -> FrequentPairs {
        let mut sorted: Vec<String> = pairs.into_iter().collect();
        sorted.sort_unstable();
        sorted.dedup();
        // Named by its content: a segment indexed with another list never passes for this one.
        let digest = Sha256::digest(sorted.join("\n").as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let mut word_ids: HashMap<String, u32, foldhash::fast::RandomState> = HashMap::default();
        let mut id_pairs = HashSet::default();
        for (a, b) in sorted.iter().filter_map(|p| p.split_once(SEPARATOR)) {
            let mut id = |w: &str| {
                let next = word_ids.len() as u32;
                *word_ids.entry(w.to_string()).or_insert(next)
            };
            id_pairs.insert(pair_key(id(a), id(b)));
        }
        FrequentPairs {
            sorted,
            word_ids,
            id_pairs,
            marker: format!("\u{1}{hex}"),
        }
    }

    /// Choose the frequent pairs of a sample of article bodies.
    pub(crate) fn choose<'a>(texts: impl IntoIterator<Item = &'a str>) -> FrequentPairs {
        let mut analyzer = crate::schema::en_analyzer();
        // Pair -> (documents holding it, last document counted). Only distinct pairs allocate.
        let mut df: HashMap<String, (usize, usize), foldhash::fast::RandomState> =
            HashMap::default();
        let mut docs = 0usize;
        let mut buf = String::new();
        // The stems at the previous position and at the current one: a compound's last part
        // shares its position with the joined form (`crate::words`), and each pairs with both
        // neighbours, as `Pairs::word` indexes them.
        let (mut before, mut current): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for text in texts {
            docs += 1;
            let mut current_pos: Option<usize> = None;
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                let t = stream.token();
                if current_pos != Some(t.position) {
                    std::mem::swap(&mut before, &mut current);
                    if current_pos.is_none_or(|p| p + 1 != t.position) {
                        before.clear();
                    }
                    current.clear();
                    current_pos = Some(t.position);
                }
                for prev in &before {
                    buf.clear();
                    buf.push_str(prev);
                    buf.push(SEPARATOR);
                    buf.push_str(&t.text);
                    match df.get_mut(buf.as_str()) {
                        Some(e) if e.1 == docs => {}
                        Some(e) => *e = (e.0 + 1, docs),
                        None => {
                            df.insert(buf.clone(), (1, docs));
                        }
                    }
                }
                current.push(t.text.clone());
            }
        }
        let min = ((docs as f64 * MIN_DOC_SHARE).ceil() as usize).max(2);
        let mut frequent: Vec<(usize, String)> = df
            .into_iter()
            .filter(|&(_, (n, _))| n >= min)
            .map(|(p, (n, _))| (n, p))
            .collect();
        // Most frequent first; ties by the pair, so the same sample always gives the same list.
        frequent.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        frequent.truncate(MAX_PAIRS);
        FrequentPairs::new(frequent.into_iter().map(|(_, p)| p))
    }

    /// The number of a word of some listed pair.
    fn word_id(&self, stem: &str) -> Option<u32> {
        self.word_ids.get(stem).copied()
    }

    /// Whether the pair of these two word numbers is listed.
    fn holds_ids(&self, first: u32, second: u32) -> bool {
        self.id_pairs.contains(&pair_key(first, second))
    }

    /// Whether every adjacent pair of a phrase is listed (and it has one).
    pub(crate) fn covers(&self, stems: &[String]) -> bool {
        stems.len() >= 2
            && stems
                .windows(2)
                .all(|w| match (self.word_id(&w[0]), self.word_id(&w[1])) {
                    (Some(a), Some(b)) => self.holds_ids(a, b),
                    _ => false,
                })
    }

    pub(crate) fn len(&self) -> usize {
        self.sorted.len()
    }

    pub(crate) fn marker(&self) -> &str {
        &self.marker
    }

    pub(crate) fn to_payload(&self) -> String {
        serde_json::to_string(&Payload {
            frequent_pairs: self.sorted.clone(),
        })
        .unwrap_or_default()
    }

    /// The list a commit's payload holds; `None` for none or one kb cannot read (then no
    /// segment passes for covered, and phrases read positions: slower, never wrong).
    pub(crate) fn from_payload(payload: Option<&str>) -> Option<FrequentPairs> {
        let p: Payload = serde_json::from_str(payload?).ok()?;
        Some(FrequentPairs::new(p.frequent_pairs))
    }
}

/// The list an index writer indexes with: unset until the writer has chosen it, and read by
/// the pairs analyzer of every indexing thread.
pub(crate) type SharedFrequentPairs = Arc<OnceLock<Arc<FrequentPairs>>>;

/// `kb_pairs`: the stems of `kb_en`, as their adjacent pairs that the list holds, after the
/// list's marker. Emits nothing while the list is unset.
pub(crate) fn pairs_analyzer(list: SharedFrequentPairs) -> TextAnalyzer {
    // The chain of `kb_en` (`schema::en_analyzer`), so pairs are of the body's stems.
    crate::schema::en_words()
        .filter(crate::stem::CachedEnglishStemmer::default())
        .filter(AdjacentPairs { list })
        .build()
}

/// A token filter turning a stream of words into the stream of their adjacent listed pairs.
#[derive(Clone, Debug)]
pub(crate) struct AdjacentPairs {
    list: SharedFrequentPairs,
}

impl TokenFilter for AdjacentPairs {
    type Tokenizer<T: Tokenizer> = PairsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PairsFilter<T> {
        PairsFilter {
            inner: tokenizer,
            list: self.list,
            texts: String::new(),
            spans: Vec::new(),
        }
    }
}

/// The tokenizer [`AdjacentPairs`] wraps around another.
#[derive(Clone)]
pub(crate) struct PairsFilter<T> {
    inner: T,
    list: SharedFrequentPairs,
    /// The pair terms of the current text, one after the other...
    texts: String,
    /// ...and (position, start offset, end offset, end in `texts`) of each.
    spans: Vec<(usize, usize, usize, usize)>,
}

impl<T: Tokenizer> Tokenizer for PairsFilter<T> {
    type TokenStream<'a> = PairsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairsStream<'a> {
        let PairsFilter {
            inner,
            list,
            texts,
            spans,
        } = self;
        texts.clear();
        spans.clear();
        if let Some(list) = list.get() {
            let mut pairs = Pairs {
                list,
                texts,
                spans,
                before: Group::new(),
                current: Group::new(),
            };
            pairs.emit(list.marker(), 0, 0, 0);
            // The body's own analyzer has just stemmed this very text on this thread: replay
            // its stems rather than tokenize and stem it all again.
            let replayed = crate::stem::LAST_STREAM.with(|r| {
                let r = r.borrow();
                let tokens = r.of(text);
                let found = tokens.is_some();
                for (stem, pos, from, to) in tokens.into_iter().flatten() {
                    pairs.word(stem, pos, from, to);
                }
                found
            });
            if !replayed {
                let mut stream = inner.token_stream(text);
                while stream.advance() {
                    let t = stream.token();
                    pairs.word(&t.text, t.position, t.offset_from, t.offset_to);
                }
            }
        }
        PairsStream {
            texts,
            spans,
            i: 0,
            token: Token::default(),
        }
    }
}

/// Builds the pair terms of one text from its words.
///
/// Pairs are of every stem at a position with every stem at the next: a compound's last part
/// and its joined form share a position (`crate::words`), and a phrase by positions matches
/// either of them there. So the pair term `a b` stands at `p` exactly when `a` is at `p` and `b`
/// at `p + 1`, and a phrase of pairs finds what the phrase of words finds, as often.
struct Pairs<'a> {
    list: &'a FrequentPairs,
    texts: &'a mut String,
    spans: &'a mut Vec<(usize, usize, usize, usize)>,
    /// The listed words at the position before the current one...
    before: Group,
    /// ...and at the current one.
    current: Group,
}

/// The words of some listed pair that stand at one position: (number, start offset, stem),
/// the first `len` of `words` (the rest are kept for their buffers).
struct Group {
    pos: Option<usize>,
    words: Vec<(u32, usize, String)>,
    len: usize,
}

impl Group {
    fn new() -> Group {
        Group {
            pos: None,
            words: Vec::new(),
            len: 0,
        }
    }

    fn reset(&mut self, pos: Option<usize>) {
        self.pos = pos;
        self.len = 0;
    }

    fn push(&mut self, id: u32, from: usize, stem: &str) {
        if self.len == self.words.len() {
            self.words.push((id, from, stem.to_string()));
        } else {
            let w = &mut self.words[self.len];
            (w.0, w.1) = (id, from);
            w.2.clear();
            w.2.push_str(stem);
        }
        self.len += 1;
    }

    fn words(&self) -> &[(u32, usize, String)] {
        &self.words[..self.len]
    }
}

impl Pairs<'_> {
    fn emit(&mut self, text: &str, pos: usize, from: usize, to: usize) {
        self.texts.push_str(text);
        self.spans.push((pos, from, to, self.texts.len()));
    }

    fn word(&mut self, stem: &str, pos: usize, from: usize, to: usize) {
        if self.current.pos != Some(pos) {
            std::mem::swap(&mut self.before, &mut self.current);
            // Adjacent: no over-long token was dropped between them.
            if self.before.pos.is_none_or(|p| p + 1 != pos) {
                self.before.reset(None);
            }
            self.current.reset(Some(pos));
        }
        let Some(id) = self.list.word_id(stem) else {
            return;
        };
        if let Some(prev_pos) = self.before.pos {
            for (prev_id, prev_from, prev_text) in self.before.words() {
                if self.list.holds_ids(*prev_id, id) {
                    self.texts.push_str(prev_text);
                    self.texts.push(SEPARATOR);
                    self.texts.push_str(stem);
                    self.spans
                        .push((prev_pos, *prev_from, to, self.texts.len()));
                }
            }
        }
        self.current.push(id, from, stem);
    }
}

/// The token stream of [`PairsFilter`]: the marker, then the pairs.
pub(crate) struct PairsStream<'a> {
    texts: &'a str,
    spans: &'a [(usize, usize, usize, usize)],
    i: usize,
    token: Token,
}

impl TokenStream for PairsStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(&(pos, from, to, end)) = self.spans.get(self.i) else {
            return false;
        };
        let start = match self.i {
            0 => 0,
            i => self.spans[i - 1].3,
        };
        self.i += 1;
        self.token.text.clear();
        self.token.text.push_str(&self.texts[start..end]);
        self.token.position = pos;
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// An exact phrase on the body: by its pairs in segments the list covers, by word positions
/// elsewhere, with identical scores. Build it only when the list holds every pair of it.
#[derive(Clone, Debug)]
pub(crate) struct PairPhraseQuery {
    /// The phrase as words: the fallback, and the BM25 weight of both ways.
    words: PhraseQuery,
    /// The same phrase as pair terms, in order.
    pairs: Vec<Term>,
    marker: Term,
    body: Field,
}

impl PairPhraseQuery {
    /// `stems` (at least two, every pair listed) on `body`, whose pairs are in `pairs_field`.
    pub(crate) fn new(
        body: Field,
        pairs_field: Field,
        stems: &[String],
        list: &FrequentPairs,
    ) -> PairPhraseQuery {
        PairPhraseQuery {
            words: PhraseQuery::new(
                stems
                    .iter()
                    .map(|s| Term::from_field_text(body, s))
                    .collect(),
            ),
            pairs: stems
                .windows(2)
                .map(|w| Term::from_field_text(pairs_field, &pair(&w[0], &w[1])))
                .collect(),
            marker: Term::from_field_text(pairs_field, list.marker()),
            body,
        }
    }
}

/// A two-word [`PairPhraseQuery`] as one term: where its segment is covered ([`covered`]), the
/// phrase's documents are those of `pair`, and each scores BM25 with the phrase's weight (from
/// `words`), the pair's frequency and the field length of `body`.
pub(crate) struct PairTerm<'q> {
    pub(crate) pair: &'q Term,
    pub(crate) marker: &'q Term,
    pub(crate) body: Field,
    pub(crate) words: Vec<Term>,
}

impl PairPhraseQuery {
    /// Its pair terms in order, and the term marking the documents indexed with the list:
    /// in a segment the list covers ([`covered`]), each occurrence of the phrase holds one of
    /// every pair, so the fewest of any pair in a document bound the phrase's there.
    pub(crate) fn pair_terms(&self) -> (&[Term], &Term) {
        (&self.pairs, &self.marker)
    }

    /// The phrase as one pair term, when it has two words.
    pub(crate) fn as_pair_term(&self) -> Option<PairTerm<'_>> {
        match self.pairs.as_slice() {
            [pair] => Some(PairTerm {
                pair,
                marker: &self.marker,
                body: self.body,
                words: self.words.phrase_terms(),
            }),
            _ => None,
        }
    }
}

/// Whether every document of the segment was indexed with the list whose marker is `marker`:
/// only then do its pair terms stand for the phrases.
pub(crate) fn covered(reader: &SegmentReader, marker: &Term) -> tantivy::Result<bool> {
    let index = reader.inverted_index(marker.field())?;
    Ok(index
        .get_term_info(marker)?
        .is_some_and(|info| info.doc_freq == reader.max_doc()))
}

impl Query for PairPhraseQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(
                statistics_provider,
                &self.words.phrase_terms(),
            )?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PairPhraseWeight {
            fallback: self.words.weight(enable_scoring)?,
            pairs: self.pairs.clone(),
            marker: self.marker.clone(),
            body: self.body,
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        // The words, as a phrase reads them: a segment the list does not cover reads their
        // positions.
        self.words.query_terms(visitor);
    }
}

struct PairPhraseWeight {
    fallback: Box<dyn Weight>,
    pairs: Vec<Term>,
    marker: Term,
    body: Field,
    bm25: Option<Bm25Weight>,
}

impl PairPhraseWeight {
    /// Whether every document of the segment was indexed with the list.
    fn covered(&self, reader: &SegmentReader) -> tantivy::Result<bool> {
        covered(reader, &self.marker)
    }

    fn pair_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PairScorer>> {
        let option = if self.pairs.len() == 1 {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::WithFreqsAndPositions
        };
        let index = reader.inverted_index(self.marker.field())?;
        let mut postings = Vec::with_capacity(self.pairs.len());
        for t in &self.pairs {
            match index.read_postings(t, option)? {
                Some(p) => postings.push(p),
                None => return Ok(None),
            }
        }
        let mut scorer = PairScorer {
            postings,
            fieldnorms: reader.get_fieldnorms_reader(self.body)?,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
            count: 0,
            left: Vec::new(),
            right: Vec::new(),
        };
        if !scorer.matches() {
            scorer.advance();
        }
        Ok(Some(scorer))
    }
}

impl Weight for PairPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if !self.covered(reader)? {
            return self.fallback.scorer(reader, boost);
        }
        Ok(match self.pair_scorer(reader, boost)? {
            Some(s) => Box::new(s),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if !self.covered(reader)? {
            return self.fallback.explain(reader, doc);
        }
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new(
            "phrase, by its word pairs",
            scorer.score(),
        ))
    }
}

/// Documents holding every pair of the phrase, each right after the one before: the phrase.
struct PairScorer {
    postings: Vec<SegmentPostings>,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    /// Occurrences of the phrase in the current document.
    count: u32,
    left: Vec<u32>,
    right: Vec<u32>,
}

impl PairScorer {
    /// Align every postings list on one document (the first one all hold from the current
    /// document of the first list on), or TERMINATED.
    fn align(&mut self) -> DocId {
        let mut doc = self.postings[0].doc();
        let mut i = 1;
        while doc != TERMINATED && i < self.postings.len() {
            let p = &mut self.postings[i];
            // `seek` wants a target at or past the current document.
            let d = if p.doc() >= doc { p.doc() } else { p.seek(doc) };
            if d == doc {
                i += 1;
            } else {
                // Past it: the first list catches up, and every list is checked again.
                doc = self.postings[0].seek(d);
                i = 1;
            }
        }
        doc
    }

    /// Whether the current document (aligned) holds the phrase; sets `count`.
    fn matches(&mut self) -> bool {
        if self.align() == TERMINATED {
            return false;
        }
        if self.postings.len() == 1 {
            self.count = self.postings[0].term_freq();
            return true;
        }
        // Pair i must stand at p + i: intersect positions shifted by their rank.
        self.postings[0].positions(&mut self.left);
        for (i, p) in self.postings.iter_mut().enumerate().skip(1) {
            p.positions_with_offset(0, &mut self.right);
            let shift = i as u32;
            let right = &self.right;
            let mut j = 0;
            self.left.retain(|&l| {
                while j < right.len() && right[j] < l + shift {
                    j += 1;
                }
                j < right.len() && right[j] == l + shift
            });
            if self.left.is_empty() {
                return false;
            }
        }
        self.count = self.left.len() as u32;
        true
    }
}

impl DocSet for PairScorer {
    fn advance(&mut self) -> DocId {
        loop {
            if self.postings[0].advance() == TERMINATED {
                return TERMINATED;
            }
            if self.matches() {
                return self.doc();
            }
            if self.doc() == TERMINATED {
                return TERMINATED;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        if self.postings[0].seek(target) == TERMINATED {
            return TERMINATED;
        }
        if self.matches() {
            return self.doc();
        }
        if self.doc() == TERMINATED {
            return TERMINATED;
        }
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.postings[0].doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings
            .iter()
            .map(|p| p.size_hint())
            .min()
            .unwrap_or(0)
    }
}

impl Scorer for PairScorer {
    fn score(&mut self) -> Score {
        let norm = self.fieldnorms.fieldnorm_id(self.doc());
        self.bm25
            .as_ref()
            .map_or(1.0, |w| w.score(norm, self.count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(listed: &[&str], text: &str) -> Vec<(String, usize)> {
        let shared = SharedFrequentPairs::default();
        let list = FrequentPairs::new(listed.iter().map(|w| w.to_string()));
        let marker = list.marker().to_string();
        let _ = shared.set(Arc::new(list));
        let mut a = pairs_analyzer(shared);
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push((s.token().text.clone(), s.token().position));
        }
        assert_eq!(out.first().map(|t| t.0.as_str()), Some(marker.as_str()));
        out.remove(0);
        out
    }

    #[test]
    fn listed_adjacent_pairs_at_the_first_words_position() {
        let all = ["remot monitor", "monitor isn", "isn t", "t it"];
        assert_eq!(
            pairs(&all, "Remote monitoring, isn't it?"),
            vec![
                ("remot monitor".to_string(), 0),
                ("monitor isn".to_string(), 1),
                ("isn t".to_string(), 2),
                ("t it".to_string(), 3),
            ]
        );
        // Unlisted pairs are not indexed, listed ones wherever they stand.
        assert_eq!(
            pairs(
                &["remot monitor", "tool remot"],
                "remote monitoring quillwort tool remote monitoring"
            ),
            vec![
                ("remot monitor".to_string(), 0),
                ("tool remot".to_string(), 3),
                ("remot monitor".to_string(), 4),
            ]
        );
        assert!(pairs(&all, "remote").is_empty());
        assert!(pairs(&all, "").is_empty());
    }

    #[test]
    fn pairs_replayed_from_the_bodys_stems_are_the_pairs_tokenized_afresh() {
        let long = "y".repeat(70);
        let text = format!("Remote monitoring, isn't it? {long} it isn't remote MONITORING é");
        let listed = ["remot monitor", "isn t", "t it", "it isn", "monitor e"];
        let fresh = pairs(&listed, &text);
        assert_eq!(fresh.len(), 7, "{fresh:?}");
        // The body's analyzer stems the text first on this thread, as tantivy does.
        let mut en = crate::schema::en_analyzer();
        let mut s = en.token_stream(&text);
        while s.advance() {}
        assert!(crate::stem::LAST_STREAM.with(|r| r.borrow().of(&text).is_some()));
        assert_eq!(pairs(&listed, &text), fresh);
        // Another text: no replay of the wrong stems.
        assert_eq!(
            pairs(&listed, "remote monitoring"),
            vec![("remot monitor".into(), 0)]
        );
    }

    #[test]
    fn no_pair_across_a_dropped_long_token() {
        let long = "x".repeat(70);
        let got = pairs(
            &["alpha beta", "beta gamma"],
            &format!("alpha {long} beta gamma"),
        );
        assert_eq!(got, vec![("beta gamma".to_string(), 2)]);
    }

    #[test]
    fn no_list_no_tokens() {
        let mut a = pairs_analyzer(SharedFrequentPairs::default());
        let mut s = a.token_stream("remote monitoring");
        assert!(!s.advance());
    }

    #[test]
    fn the_list_is_the_samples_frequent_pairs_and_survives_the_payload() {
        let mut texts = Vec::new();
        for i in 0..100 {
            texts.push(format!(
                "Remote monitoring of backups, day {i} of {}",
                i * 7
            ));
        }
        texts.push("quillwort remote".to_string());
        let list = FrequentPairs::choose(texts.iter().map(String::as_str));
        let stems = |s: &str| -> Vec<String> { s.split(' ').map(str::to_string).collect() };
        assert!(list.covers(&stems("remot monitor of backup day")));
        assert!(!list.covers(&stems("quillwort remot")));
        assert!(!list.covers(&stems("monitor remot")));
        assert!(!list.covers(&stems("remot")));
        let back = FrequentPairs::from_payload(Some(&list.to_payload())).unwrap();
        assert_eq!(back, list);
        assert!(back.covers(&stems("remot monitor")));
        assert_eq!(FrequentPairs::from_payload(Some("garbage")), None);
        assert_eq!(FrequentPairs::from_payload(None), None);
        // The marker names the content.
        assert_ne!(
            FrequentPairs::new(["a b".to_string()]).marker(),
            list.marker()
        );
    }
}
