//! Scoring a search of plain words straight from their postings: the main query of most
//! searches (`proposal budget`), where each word is looked for in several fields (title, body,
//! categories, author, URL words) and a hit must hold every word.
//!
//! Why: tantivy runs that query as an intersection of unions, and its buffered union scores
//! every document that holds a word in any field before the intersection asks whether the
//! other word is there too. For two words that most articles hold, that was most of a search,
//! though kb shows the top ten and a count. Here the count comes first, from the words' doc ids
//! alone (a bit per document, the words' bits ANDed), and then only the documents that could
//! still reach the top are scored ([`SegmentConjunction`]): for `proposal budget` over 100,000
//! articles, a few hundred of the 46,000 that match. The closeness bonus reads its words'
//! frequencies from the same postings instead of decoding them a second time.
//!
//! The scores are tantivy's, bit for bit: the same BM25 weights, a word's fields added in the
//! order its union adds them, and the words' sums added as the query intersects them, two at a
//! time (`crate::query` builds `a b c` as `(a b) c`, since tantivy adds three or more in an
//! order its cost estimates pick; two add alike either way).
//!
//! A widened search (nothing matched as typed: enough of the words must, `WeightedSome`) takes
//! the same walk, the hits counted from the words' bitsets by its rule.
//!
//! Owns: recognising such a query ([`WordQuery`], built by `crate::query`) and walking its
//! postings. Does not own: parsing or compiling queries (`crate::query`), the closeness bonus
//! or the top hits (`crate::search`).

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

use crate::StoreError;
use crate::pairs::PairPhraseQuery;
use crate::query::{Enough, WeightedSome};

/// One word looked for in several fields: tantivy's union of its boosted clauses, one per
/// field, with what each clause is kept beside it, so a search can score the word from its
/// postings. A quoted phrase (`"remote monitoring"`) is such a word too: its clauses are the
/// phrase on each field.
#[derive(Debug)]
pub(crate) struct WordQuery {
    /// Each field's clause, with the field's boost, in the union's order.
    parts: Vec<Part>,
    /// The union itself (what tantivy runs; its scores are the ones to match).
    union: Box<dyn Query>,
}

/// One field's clause of a [`WordQuery`].
#[derive(Debug)]
pub(crate) enum Part {
    /// A term (read with frequencies) and its field's boost.
    Term(Term, Score),
    /// A phrase, unboosted, and its field's boost.
    Phrase(Box<dyn Query>, Score),
    /// The best-scoring of several readings of the word in the field (`colour` or "color";
    /// `backup` or "back up" where that pair is a term of its own): tantivy's
    /// `DisjunctionMaxQuery` of them, under the field's boost.
    Best(Vec<Part>),
}

impl Clone for Part {
    fn clone(&self) -> Self {
        match self {
            Part::Term(t, b) => Part::Term(t.clone(), *b),
            Part::Phrase(q, b) => Part::Phrase(q.box_clone(), *b),
            Part::Best(parts) => Part::Best(parts.clone()),
        }
    }
}

impl WordQuery {
    /// `union` must be the disjunction of exactly `parts` (each boosted by its boost), in that
    /// order.
    pub(crate) fn new(parts: Vec<Part>, union: Box<dyn Query>) -> WordQuery {
        WordQuery { parts, union }
    }

    /// Whether it is a phrase. Alone, its walk cannot skip much: a body's bound (BM25 at its
    /// most) is far above what the phrase scores there, so every document is scored, as
    /// tantivy scores them, but on one thread where tantivy reads segments in parallel.
    pub(crate) fn is_phrase(&self) -> bool {
        self.parts.iter().any(|p| match p {
            Part::Phrase(..) => true,
            Part::Best(readings) => readings.iter().all(|r| matches!(r, Part::Phrase(..))),
            Part::Term(..) => false,
        })
    }
}

impl Clone for WordQuery {
    fn clone(&self) -> Self {
        WordQuery {
            parts: self.parts.clone(),
            union: self.union.box_clone(),
        }
    }
}

impl Query for WordQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.union.weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.union.query_terms(visitor)
    }
}

/// A query of [`WordQuery`]s that must all match, or enough of them (a widened search's
/// [`WeightedSome`]), ready to walk segment by segment.
pub(crate) struct Conjunction {
    /// Per word, how each of its fields' clauses is read, in the union's order, each with its
    /// clause's place among the word's clauses: the readings of a [`Part::Best`] share one.
    words: Vec<Vec<(usize, Reading)>>,
    /// Which words a hit holds, and how their scores add up.
    rule: Rule,
}

/// Which of a [`Conjunction`]'s words a hit holds, and how their scores add up.
enum Rule {
    /// Every word, the words' scores added as the query intersects them.
    Every(Sum),
    /// Enough of them (`crate::query::WeightedSome`): per word, its weight toward the count
    /// (0: it only ranks) and the rarity it adds where held; the scores of the words held, each
    /// plus its rarity, added in the words' order.
    Enough {
        weights: Vec<f32>,
        rarity: Vec<Score>,
        enough: Enough,
    },
}

/// How one clause of a word is read on a segment.
enum Reading {
    /// A term's postings, scored with its BM25 weight (boost included).
    Term { term: Term, bm25: Bm25Weight },
    /// A two-word phrase on the body: its pair term's postings where the segment is covered
    /// (`crate::pairs`), scored with the phrase's weight on the body's field lengths, as
    /// `PairPhraseQuery` scores it; elsewhere as `Scored` by `weight`.
    Pair {
        pair: Term,
        marker: Term,
        body: Field,
        bm25: Bm25Weight,
        weight: Box<dyn Weight>,
    },
    /// Anything else (a phrase read from positions): scored by tantivy, up front, in every
    /// document it matches. Phrases on short fields (titles, names, URL words) match few.
    Scored(Box<dyn Weight>),
}

/// How a conjunction's score adds up its words' scores: as its query intersects them, two at a
/// time (`crate::query` builds `a b c` as `(a b) c`).
enum Sum {
    /// A word's score (its index among the words).
    Word(usize),
    /// The sum of two intersected parts (in either order: two numbers add alike both ways).
    Both(Box<Sum>, Box<Sum>),
}

impl Sum {
    /// `query` read as words intersected two at a time, its words added to `words`.
    fn read<'q>(query: &'q dyn Query, words: &mut Vec<&'q WordQuery>) -> Option<Sum> {
        if let Some(w) = query.downcast_ref::<WordQuery>() {
            words.push(w);
            return Some(Sum::Word(words.len() - 1));
        }
        match query.downcast_ref::<BooleanQuery>()?.clauses() {
            [(Occur::Must, a), (Occur::Must, b)] => {
                let a = Sum::read(&**a, words)?;
                let b = Sum::read(&**b, words)?;
                Some(Sum::Both(Box::new(a), Box::new(b)))
            }
            _ => None,
        }
    }

    fn of(&self, words: &[Score]) -> Score {
        match self {
            Sum::Word(i) => words.get(*i).copied().unwrap_or(0.0),
            Sum::Both(a, b) => a.of(words) + b.of(words),
        }
    }
}

/// `query` as a widened search compiles it when nothing else holds its place: [`WeightedSome`]
/// alone, or as the one clause of a boolean query; each clause a [`WordQuery`].
fn widened(query: &dyn Query) -> Option<(Vec<&WordQuery>, Rule)> {
    let some = match query.downcast_ref::<WeightedSome>() {
        Some(some) => some,
        None => match query.downcast_ref::<BooleanQuery>()?.clauses() {
            [(Occur::Must, q)] => q.downcast_ref::<WeightedSome>()?,
            _ => return None,
        },
    };
    let mut words = Vec::with_capacity(some.clauses().len());
    for c in some.clauses() {
        words.push(c.query.downcast_ref::<WordQuery>()?);
    }
    let rule = Rule::Enough {
        weights: some.clauses().iter().map(|c| c.weight).collect(),
        rarity: some.clauses().iter().map(|c| c.rarity).collect(),
        enough: some.rule(),
    };
    Some((words, rule))
}

impl Conjunction {
    /// `main` read as plain words, when it is a [`WordQuery`], an intersection of two parts
    /// that are each one, or a widened search's "enough of" them; `None` for anything else
    /// (tantivy scores that).
    pub(crate) fn of(searcher: &Searcher, main: &dyn Query) -> Result<Option<Self>, StoreError> {
        let mut words = Vec::new();
        let rule = match Sum::read(main, &mut words) {
            Some(sum) => Rule::Every(sum),
            None => match widened(main) {
                Some((some, rule)) => {
                    words = some;
                    rule
                }
                None => return Ok(None),
            },
        };
        if words.is_empty() || words.iter().any(|w| w.parts.is_empty()) {
            return Ok(None);
        }
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let mut out = Vec::with_capacity(words.len());
        for w in words {
            let mut fields = Vec::with_capacity(w.parts.len());
            for (clause, part) in w.parts.iter().enumerate() {
                // A best-of's readings share their clause's place.
                let readings = match part {
                    Part::Best(readings) => readings.as_slice(),
                    one => std::slice::from_ref(one),
                };
                for r in readings {
                    let Some(r) = Self::reading(searcher, scoring, r)? else {
                        return Ok(None);
                    };
                    fields.push((clause, r));
                }
            }
            out.push(fields);
        }
        Ok(Some(Conjunction { words: out, rule }))
    }

    /// How one clause (or one reading of a best-of) is read on the segments; `None` for a
    /// best-of (of best-ofs: a reading is a term or a phrase).
    fn reading(
        searcher: &Searcher,
        scoring: EnableScoring<'_>,
        part: &Part,
    ) -> Result<Option<Reading>, StoreError> {
        Ok(Some(match part {
            Part::Term(term, boost) => {
                // As `TermQuery` weighs its term, and `BoostQuery` boosts it.
                let bm25 = Bm25Weight::for_terms(searcher, std::slice::from_ref(term))?;
                Reading::Term {
                    term: term.clone(),
                    bm25: bm25.boost_by(*boost),
                }
            }
            Part::Phrase(q, boost) => {
                // The clause as the union holds it, and so as tantivy scores it.
                let weight = crate::query::boosted(q.box_clone(), *boost).weight(scoring)?;
                match q
                    .downcast_ref::<PairPhraseQuery>()
                    .and_then(PairPhraseQuery::as_pair_term)
                {
                    Some(p) => Reading::Pair {
                        pair: p.pair.clone(),
                        marker: p.marker.clone(),
                        body: p.body,
                        // As `PairPhraseQuery` weighs it, and `BoostQuery` boosts it.
                        bm25: Bm25Weight::for_terms(searcher, &p.words)?.boost_by(*boost),
                        weight,
                    },
                    None => Reading::Scored(weight),
                }
            }
            Part::Best(_) => return Ok(None),
        }))
    }

    /// How many documents its walk may visit, at most: those of its rarest word, counted as
    /// the sum of its clauses' document frequencies (an upper bound of their union); for
    /// enough of the words, those of all the words counted.
    pub(crate) fn candidates(&self, searcher: &Searcher) -> Result<u64, StoreError> {
        let mut least = u64::MAX;
        let mut all = 0u64;
        for (i, word) in self.words.iter().enumerate() {
            let mut n = 0u64;
            for (_, reading) in word {
                n += match reading {
                    Reading::Term { term, .. } => searcher.doc_freq(term)?,
                    Reading::Pair { pair, .. } => searcher.doc_freq(pair)?,
                    // Short fields: few.
                    Reading::Scored(_) => 0,
                };
            }
            least = least.min(n);
            if let Rule::Enough { weights, .. } = &self.rule
                && weights.get(i).is_some_and(|w| *w > 0.0)
            {
                all = all.saturating_add(n);
            }
        }
        Ok(match &self.rule {
            Rule::Enough { .. } => all,
            Rule::Every(_) if least == u64::MAX => 0,
            Rule::Every(_) => least,
        })
    }

    /// Whether enough of the words are on the segment at all for a document to hold enough
    /// of them: a widening that needs a word no article holds (the reason to widen) is over
    /// before any postings are read.
    fn may_match(&self, seg: &SegmentReader) -> Result<bool, StoreError> {
        let Rule::Enough {
            weights, enough, ..
        } = &self.rule
        else {
            return Ok(true);
        };
        let (mut count, mut weight) = (0, 0.0);
        for (word, w) in self.words.iter().zip(weights) {
            if *w <= 0.0 {
                continue;
            }
            let mut here = false;
            for (_, reading) in word {
                here |= match reading {
                    Reading::Term { term, .. } => seg
                        .inverted_index(term.field())?
                        .get_term_info(term)
                        .map_err(tantivy::TantivyError::from)?
                        .is_some(),
                    // Phrases: read to know.
                    Reading::Pair { .. } | Reading::Scored(_) => true,
                };
                if here {
                    break;
                }
            }
            if here {
                count += 1;
                weight += *w;
            }
        }
        Ok(enough.holds(count, weight))
    }

    /// The walk over one segment, through the documents that every one of `filters` also
    /// matches; `None` when nothing there matches.
    pub(crate) fn segment(
        &self,
        seg: &SegmentReader,
        filters: &[Box<dyn Weight>],
    ) -> Result<Option<SegmentConjunction<'_>>, StoreError> {
        let words = bitset_len(seg);
        if !self.may_match(seg)? {
            return Ok(None);
        }
        let mut lists = Vec::new();
        let mut matches: Option<Vec<u64>> = None;
        // For enough of the words: each word's documents.
        let mut held: Vec<Vec<u64>> = Vec::new();
        for (word, fields) in self.words.iter().enumerate() {
            let mut any = vec![0u64; words];
            for (clause, reading) in fields {
                let list = match reading {
                    Reading::Term { term, bm25 } => {
                        List::postings(seg, word, term, term.field(), bm25)?
                    }
                    Reading::Pair {
                        pair,
                        marker,
                        body,
                        bm25,
                        weight,
                    } => match crate::pairs::covered(seg, marker)? {
                        true => List::postings(seg, word, pair, *body, bm25)?,
                        false => List::scored(seg, word, weight.as_ref())?,
                    },
                    Reading::Scored(weight) => List::scored(seg, word, weight.as_ref())?,
                };
                let Some(mut list) = list else { continue };
                list.clause = *clause;
                for (a, b) in any.iter_mut().zip(&list.bits) {
                    *a |= b;
                }
                // Where the list's word is held, its rarity comes with it.
                if let Rule::Enough { rarity, .. } = &self.rule {
                    list.most += rarity.get(word).copied().unwrap_or(0.0);
                }
                lists.push(list);
            }
            if let Rule::Enough { .. } = &self.rule {
                held.push(any);
                continue;
            }
            matches = Some(match matches {
                None => any,
                Some(mut m) => {
                    for (a, b) in m.iter_mut().zip(&any) {
                        *a &= b;
                    }
                    m
                }
            });
        }
        if let Rule::Enough {
            weights, enough, ..
        } = &self.rule
        {
            matches = Some(enough_of(&held, weights, *enough, words));
        }
        let Some(mut matches) = matches else {
            return Ok(None);
        };
        for filter in filters {
            let mut bits = vec![0u64; words];
            let mut docs = filter.scorer(seg, 1.0)?;
            let mut doc = docs.doc();
            while doc != TERMINATED {
                set(&mut bits, doc);
                doc = docs.advance();
            }
            for (m, b) in matches.iter_mut().zip(&bits) {
                *m &= b;
            }
        }
        if let Some(alive) = seg.alive_bitset() {
            for (i, w) in matches.iter_mut().enumerate() {
                let mut rest = *w;
                while rest != 0 {
                    let bit = rest.trailing_zeros();
                    rest &= rest - 1;
                    if !alive.is_alive(i as DocId * 64 + bit) {
                        *w &= !(1 << bit);
                    }
                }
            }
        }
        let count = matches.iter().map(|w| w.count_ones() as usize).sum();
        if count == 0 {
            return Ok(None);
        }
        let essential = (0..lists.len()).collect();
        Ok(Some(SegmentConjunction {
            rule: &self.rule,
            words: vec![0.0; self.words.len()],
            held: vec![false; self.words.len()],
            lists,
            matches,
            count,
            doc: 0,
            base: 0.0,
            bar: None,
            essential,
        }))
    }
}

/// The most any document can score from a term weighted by `bm25`: BM25 is highest for the
/// shortest field and approaches its weight as the frequency grows.
pub(crate) fn most(bm25: &Bm25Weight) -> Score {
    bm25.score(0, u32::MAX)
}

/// One clause of a word (a term or a phrase in one field), on one segment.
struct List<'a> {
    /// Which word of the query.
    word: usize,
    /// Which of the word's clauses: the readings of a best-of share one, and only the best
    /// of them scores.
    clause: usize,
    /// Where its documents and scores come from.
    source: Source<'a>,
    /// The documents holding it, one bit each.
    bits: Vec<u64>,
    /// The most a document can score from it, and from the bonus clauses tied to it.
    most: Score,
}

// A handful of lists per search: boxing the postings would only add a pointer to chase.
#[allow(clippy::large_enum_variant)]
enum Source<'a> {
    /// A term's postings with frequencies, read only where a document is scored, and the
    /// lengths of the field its BM25 counts.
    Postings {
        postings: SegmentPostings,
        bm25: &'a Bm25Weight,
        norms: FieldNormReader,
        term: &'a Term,
    },
    /// Scored up front: the documents, their scores, and where the walk stands in them.
    Scored {
        docs: Vec<DocId>,
        scores: Vec<Score>,
        at: usize,
    },
}

impl<'a> List<'a> {
    /// The postings of `term` scored by `bm25` on the field lengths of `norms`; `None` when
    /// the segment lacks the term.
    fn postings(
        seg: &SegmentReader,
        word: usize,
        term: &'a Term,
        norms: Field,
        bm25: &'a Bm25Weight,
    ) -> Result<Option<List<'a>>, StoreError> {
        let inv = seg.inverted_index(term.field())?;
        let Some(info) = inv
            .get_term_info(term)
            .map_err(tantivy::TantivyError::from)?
        else {
            return Ok(None);
        };
        // Which documents hold the term, from its doc ids alone (no frequencies).
        let mut bits = vec![0u64; bitset_len(seg)];
        let mut blocks = inv
            .read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)
            .map_err(tantivy::TantivyError::from)?;
        loop {
            let docs = blocks.docs();
            if docs.is_empty() {
                break;
            }
            for &d in docs {
                set(&mut bits, d);
            }
            blocks.advance();
        }
        Ok(Some(List {
            word,
            clause: 0,
            source: Source::Postings {
                postings: inv
                    .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
                    .map_err(tantivy::TantivyError::from)?,
                bm25,
                norms: seg.get_fieldnorms_reader(norms)?,
                term,
            },
            bits,
            most: most(bm25),
        }))
    }

    /// Every document `weight` matches on the segment, scored by it; `None` when there is
    /// none.
    fn scored(
        seg: &SegmentReader,
        word: usize,
        weight: &dyn Weight,
    ) -> Result<Option<List<'a>>, StoreError> {
        let mut bits = vec![0u64; bitset_len(seg)];
        let mut docs = Vec::new();
        let mut scores = Vec::new();
        let mut scorer = weight.scorer(seg, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            set(&mut bits, doc);
            docs.push(doc);
            scores.push(scorer.score());
            doc = scorer.advance();
        }
        if docs.is_empty() {
            return Ok(None);
        }
        // The exact most: every score is known.
        let most = scores.iter().copied().fold(0.0, Score::max);
        Ok(Some(List {
            word,
            clause: 0,
            source: Source::Scored {
                docs,
                scores,
                at: 0,
            },
            bits,
            most,
        }))
    }

    fn holds(&self, doc: DocId) -> bool {
        self.bits
            .get((doc / 64) as usize)
            .is_some_and(|w| w & (1 << (doc % 64)) != 0)
    }

    /// The document the list stands on (`TERMINATED` past its last).
    fn doc(&self) -> DocId {
        match &self.source {
            Source::Postings { postings, .. } => postings.doc(),
            Source::Scored { docs, at, .. } => docs.get(*at).copied().unwrap_or(TERMINATED),
        }
    }

    /// Move to the first of its documents at or past `doc`, which is past where it stands.
    fn seek(&mut self, doc: DocId) {
        match &mut self.source {
            Source::Postings { postings, .. } => {
                postings.seek(doc);
            }
            Source::Scored { docs, at, .. } => {
                *at += docs
                    .get(*at..)
                    .map_or(0, |rest| rest.partition_point(|&d| d < doc));
            }
        }
    }

    /// Its score on `doc`, where it stands.
    fn score(&self, doc: DocId) -> Score {
        match &self.source {
            Source::Postings {
                postings,
                bm25,
                norms,
                ..
            } => bm25.score(norms.fieldnorm_id(doc), postings.term_freq()),
            Source::Scored { scores, at, .. } => scores.get(*at).copied().unwrap_or(0.0),
        }
    }

    /// How many documents hold it.
    fn len(&self) -> u32 {
        match &self.source {
            Source::Postings { postings, .. } => postings.doc_freq(),
            Source::Scored { docs, .. } => docs.len() as u32,
        }
    }

    /// Its term, when it reads one's postings.
    fn term(&self) -> Option<&Term> {
        match &self.source {
            Source::Postings { term, .. } => Some(term),
            Source::Scored { .. } => None,
        }
    }

    /// How often its term is on the document it stands on (0 for a phrase scored up front).
    fn term_freq(&self) -> u32 {
        match &self.source {
            Source::Postings { postings, .. } => postings.term_freq(),
            Source::Scored { .. } => 0,
        }
    }
}

/// The documents holding enough of the words, from each word's documents (`held`) and its
/// weight toward the count (0: it only ranks). A document's weights are added in the words'
/// order, as `WeightedSome`'s walk adds them, so the two agree to the bit on the threshold.
fn enough_of(held: &[Vec<u64>], weights: &[f32], enough: Enough, len: usize) -> Vec<u64> {
    let counted: Vec<(&[u64], f32)> = held
        .iter()
        .zip(weights)
        .filter(|(_, w)| **w > 0.0)
        .map(|(bits, w)| (bits.as_slice(), *w))
        .collect();
    let mut out = vec![0u64; len];
    for (i, m) in out.iter_mut().enumerate() {
        let mut rest = counted
            .iter()
            .fold(0u64, |u, (bits, _)| u | bits.get(i).copied().unwrap_or(0));
        while rest != 0 {
            let bit = rest.trailing_zeros();
            rest &= rest - 1;
            let (mut count, mut weight) = (0, 0.0);
            for (bits, w) in &counted {
                if bits.get(i).is_some_and(|b| b >> bit & 1 == 1) {
                    count += 1;
                    weight += *w;
                }
            }
            if enough.holds(count, weight) {
                *m |= 1 << bit;
            }
        }
    }
    out
}

/// Add a clause's score to word `w`'s, noting (for enough of the words, `some`) that the
/// document holds the word.
fn add(words: &mut [Score], held: &mut [bool], w: usize, score: Score, some: bool) {
    if let Some(sum) = words.get_mut(w) {
        *sum += score;
    }
    if some && let Some(h) = held.get_mut(w) {
        *h = true;
    }
}

/// Room for one bit per document of the segment.
fn bitset_len(seg: &SegmentReader) -> usize {
    (seg.max_doc() as usize).div_ceil(64)
}

fn set(bits: &mut [u64], doc: DocId) {
    if let Some(w) = bits.get_mut((doc / 64) as usize) {
        *w |= 1 << (doc % 64);
    }
}

/// The documents of one segment holding every word, counted up front and then walked for
/// scoring, skipping those that cannot reach the top ("MaxScore", Turtle and Flood 1995).
///
/// How: each term in each field has a most it can add to a score. Taken from the least, the
/// terms whose mosts together stay under the lowest score still in the top cannot lift a
/// document there on their own, so only a document holding one of the others is scored. For
/// two common words, once the top holds a few articles with the words in their titles, that is
/// the title postings, a few hundred documents instead of tens of thousands.
pub(crate) struct SegmentConjunction<'a> {
    rule: &'a Rule,
    /// The words' scores on the current document (room for them, reused).
    words: Vec<Score>,
    /// Which words the current document holds (room for them, reused).
    held: Vec<bool>,
    /// In word order, each word's fields in the union's order (the order its score adds them).
    lists: Vec<List<'a>>,
    /// The live documents holding every word.
    matches: Vec<u64>,
    count: usize,
    /// The document the walk stands on.
    doc: DocId,
    /// What bonus clauses tied to no list may add anywhere.
    base: Score,
    /// The score a document must be able to reach, when one is set.
    bar: Option<Score>,
    /// The lists a document must hold to reach `bar`.
    essential: Vec<usize>,
}

impl SegmentConjunction<'_> {
    /// How many live documents of the segment hold every word.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// The list reading `term`, if one of the words is it.
    pub(crate) fn find(&self, term: &Term) -> Option<usize> {
        self.lists.iter().position(|l| l.term() == Some(term))
    }

    /// Raise a bound for a bonus clause that adds at most `most`, and only to documents that
    /// hold all of `lists` (`None`: tied to no list, it may add to any document).
    pub(crate) fn add_bound(&mut self, lists: Option<&[usize]>, most: Score) {
        // Tied to its rarest list: no tighter bound follows from the others.
        let rarest = lists.and_then(|ls| {
            ls.iter()
                .copied()
                .min_by_key(|&i| self.lists.get(i).map_or(u32::MAX, List::len))
        });
        match rarest.and_then(|i| self.lists.get_mut(i)) {
            Some(l) => l.most += most,
            None => self.base += most,
        }
        self.bar = None;
        self.essential = (0..self.lists.len()).collect();
    }

    /// The next document from `from` on that holds every word and could score at least `bar`
    /// (`None`: any), with the postings of its terms read there; `TERMINATED` when none is
    /// left.
    pub(crate) fn next(&mut self, from: DocId, bar: Option<Score>) -> DocId {
        if bar > self.bar {
            self.bar = bar;
            self.essential = self.essential_for(bar);
        }
        if self.essential.is_empty() || from == TERMINATED {
            self.doc = TERMINATED;
            return TERMINATED;
        }
        let mut i = (from / 64) as usize;
        let mut mask = !0u64 << (from % 64);
        while let Some(&m) = self.matches.get(i) {
            let mut held = 0;
            for &e in &self.essential {
                held |= self.lists[e].bits[i];
            }
            let here = m & held & mask;
            if here != 0 {
                let doc = i as DocId * 64 + here.trailing_zeros();
                for l in &mut self.lists {
                    if l.holds(doc) && l.doc() < doc {
                        l.seek(doc);
                    }
                }
                self.doc = doc;
                return doc;
            }
            i += 1;
            mask = !0;
        }
        self.doc = TERMINATED;
        TERMINATED
    }

    /// The lists whose mosts, added from the least, first reach `bar`, and those after.
    fn essential_for(&self, bar: Option<Score>) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.lists.len()).collect();
        let Some(bar) = bar else { return order };
        order.sort_by(|&a, &b| self.lists[a].most.total_cmp(&self.lists[b].most));
        let mut below = self.base;
        let mut skip = 0;
        for &i in &order {
            if below + self.lists[i].most >= bar {
                break;
            }
            below += self.lists[i].most;
            skip += 1;
        }
        order.split_off(skip)
    }

    /// The current document's score, as tantivy's intersections of the words' unions give it:
    /// each word's fields added in the union's order from 0, then the words' sums as the query
    /// pairs them; for enough of the words, as `WeightedSome` adds them: each word held, plus
    /// its rarity, in the words' order.
    pub(crate) fn score(&mut self) -> Score {
        let doc = self.doc;
        // Which words are held matters only where not all must be (an AND's hot loop
        // skips it).
        let some = matches!(self.rule, Rule::Enough { .. });
        self.words.iter_mut().for_each(|w| *w = 0.0);
        if some {
            self.held.iter_mut().for_each(|h| *h = false);
        }
        // The lists are in word order, each word's in its clauses' order: a clause's score
        // (the best of its readings held, as `DisjunctionMaxQuery` takes it from 0) is added
        // to its word's once the next clause begins.
        let mut clause: Option<(usize, usize, Score)> = None;
        for l in &self.lists {
            if l.doc() != doc {
                continue;
            }
            let score = l.score(doc);
            match clause.as_mut() {
                Some((w, c, best)) if *w == l.word && *c == l.clause => *best = best.max(score),
                _ => {
                    if let Some((w, _, best)) = clause.replace((l.word, l.clause, score)) {
                        add(&mut self.words, &mut self.held, w, best, some);
                    }
                }
            }
        }
        if let Some((w, _, best)) = clause {
            add(&mut self.words, &mut self.held, w, best, some);
        }
        match self.rule {
            Rule::Every(sum) => sum.of(&self.words),
            Rule::Enough { rarity, .. } => {
                let mut sum = 0.0;
                for ((w, held), rarity) in self.words.iter().zip(&self.held).zip(rarity) {
                    if *held {
                        sum += w + rarity;
                    }
                }
                sum
            }
        }
    }

    /// How often the term of list `at` (from [`SegmentConjunction::find`]) is on the current
    /// document; 0 when it is not there.
    pub(crate) fn term_freq(&self, at: usize) -> u32 {
        match self.lists.get(at) {
            Some(l) if l.doc() == self.doc => l.term_freq(),
            _ => 0,
        }
    }
}
