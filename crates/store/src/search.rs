//! Reading the index: search, list, get, facet counts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kb_clean::Article;
use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, OwnedValue, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::query::{Filters, snippet_terms, text_query, with_filters};
use crate::{Kb, StoreError};

/// How to order hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Best match first (BM25, title boosted).
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search: query text plus filters and paging.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The user's query.
    pub query: String,
    /// At most this many hits.
    pub limit: usize,
    /// Skip this many hits first.
    pub offset: usize,
    /// Only articles in one of these categories (case-insensitive).
    pub categories: Vec<String>,
    /// Only articles by one of these authors (case-insensitive).
    pub authors: Vec<String>,
    /// Only articles of one of these feeds.
    pub feeds: Vec<String>,
    /// Published at or after (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Published at or before (inclusive).
    pub until: Option<DateTime<Utc>>,
    /// Ordering.
    pub sort: SortOrder,
    /// Also count categories, authors, feeds and years of the whole matching set.
    pub facets: bool,
    /// Snippet length in characters.
    pub snippet_chars: usize,
}

impl SearchRequest {
    /// A request with defaults: top 10 by relevance, no filters.
    pub fn new(query: &str) -> SearchRequest {
        SearchRequest {
            query: query.to_string(),
            limit: 10,
            offset: 0,
            categories: Vec::new(),
            authors: Vec::new(),
            feeds: Vec::new(),
            since: None,
            until: None,
            sort: SortOrder::Relevance,
            facets: false,
            snippet_chars: 180,
        }
    }
}

/// A highlighted range of a snippet, in characters (Unicode scalar values), end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Highlight {
    /// First highlighted character.
    pub start: usize,
    /// One past the last highlighted character.
    pub end: usize,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Article id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Article URL.
    pub url: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Publication time.
    pub published: Option<DateTime<Utc>>,
    /// Feed name.
    pub feed: String,
    /// Relevance score (0 when sorted by date).
    pub score: f32,
    /// The best passage of the body, plain text.
    pub snippet: String,
    /// Where the query matched inside `snippet`.
    pub highlights: Vec<Highlight>,
}

/// A name with the number of matching articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// Category, author, feed or year.
    pub name: String,
    /// Number of articles.
    pub count: u64,
}

/// Facet counts over a matching set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Per category.
    pub categories: Vec<FacetCount>,
    /// Per author.
    pub authors: Vec<FacetCount>,
    /// Per feed.
    pub feeds: Vec<FacetCount>,
    /// Per publication year.
    pub years: Vec<FacetCount>,
}

/// A page of search results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Exact number of matching articles.
    pub total: usize,
    /// The requested page.
    pub hits: Vec<SearchHit>,
    /// Facet counts, when asked for.
    pub facets: Option<Facets>,
}

/// A listing request: newest first.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// Only these categories (case-insensitive, any of).
    pub categories: Vec<String>,
    /// Only these authors (case-insensitive, any of).
    pub authors: Vec<String>,
    /// Only these feeds.
    pub feeds: Vec<String>,
    /// At most this many.
    pub limit: usize,
    /// Skip this many.
    pub offset: usize,
}

/// A page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ListResults {
    /// Number of articles matching the filters.
    pub total: usize,
    /// The articles, newest first.
    pub articles: Vec<Article>,
}

impl Kb {
    fn article_at(&self, searcher: &Searcher, addr: DocAddress) -> Result<Article, StoreError> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let json = doc
            .get_first(self.fields.article)
            .and_then(|v| v.as_str())
            .unwrap_or("");
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
            path: self.dir().to_path_buf(),
            detail: format!("stored article unreadable: {e}"),
        })
    }

    /// Run a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, StoreError> {
        let searcher = self.reader.searcher();
        let text = text_query(self, &req.query)?;
        let filters = Filters {
            categories: &req.categories,
            authors: &req.authors,
            feeds: &req.feeds,
            since: req.since,
            until: req.until,
        };
        let query = with_filters(&self.fields, text.query.box_clone(), &filters);
        let limit = req.limit.max(1);
        let page = TopDocs::with_limit(limit).and_offset(req.offset);
        let (scored, total): (Vec<(f32, DocAddress)>, usize) = match req.sort {
            SortOrder::Relevance => {
                let (docs, n) = searcher.search(&*query, &(by_score(page), Count))?;
                (docs.into_iter().map(|((s, _), a)| (s, a)).collect(), n)
            }
            SortOrder::Date => {
                let (docs, n) = searcher.search(&*query, &(by_date(page), Count))?;
                (docs.into_iter().map(|(_, a)| (0.0, a)).collect(), n)
            }
        };
        // Built from our own marks rather than `SnippetGenerator::create`, which only sees
        // exact terms: this way prefix and fuzzy matches are highlighted too, and excluded
        // words never are.
        let terms = snippet_terms(&searcher, self.fields.body, &text.marks)?;
        let needles: Vec<String> = terms.keys().cloned().collect();
        let snippets = SnippetGenerator::new(
            terms,
            self.index.tokenizer_for_field(self.fields.body)?,
            self.fields.body,
            req.snippet_chars.max(20),
        );
        let mut hits = Vec::with_capacity(scored.len());
        for (score, addr) in scored {
            if req.limit == 0 {
                break;
            }
            let a = self.article_at(&searcher, addr)?;
            // Tokenizing and stemming a whole body for every hit was most of a search's time
            // (see crates/bench): look at the passage around the matches only.
            let (from, to) = focus(&a.text, &needles, FOCUS_BYTES);
            let window = &a.text[from..to];
            let snip = snippets.snippet(window);
            let (snippet, highlights) = if snip.fragment().is_empty() {
                (lead(&a, req.snippet_chars), Vec::new())
            } else {
                let (text, mut hl) = char_ranges(snip.fragment(), snip.highlighted());
                // Mark a passage cut out of the middle, so it doesn't read as the start.
                let range = snip.fragment_range();
                let before = if from + range.start > 0 { "…" } else { "" };
                let after = if from + range.end < a.text.len() {
                    "…"
                } else {
                    ""
                };
                if !before.is_empty() {
                    for h in &mut hl {
                        h.start += 1;
                        h.end += 1;
                    }
                }
                (format!("{before}{}{after}", text.trim_end()), hl)
            };
            hits.push(to_hit(a, score, snippet, highlights));
        }
        let facets = if req.facets {
            Some(self.facets_for(&searcher, &*query)?)
        } else {
            None
        };
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    /// The articles most like the one with this id (or unique id prefix, or URL), best first,
    /// the article itself excluded: a more-like-this query over its title and body (its most
    /// distinctive terms, weighted by tf-idf). Hits carry the lead of each article as snippet.
    pub fn related(
        &self,
        key: &str,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResults, StoreError> {
        let article = self.get(key)?;
        let searcher = self.reader.searcher();
        let like = MoreLikeThisQuery::builder()
            // A small KB has few documents per term: keep every term that occurs at all, and
            // rely on idf to down-weigh the ones every article shares.
            .with_min_doc_frequency(1)
            .with_min_term_frequency(1)
            .with_max_query_terms(25)
            .with_min_word_length(3)
            .with_stop_words(STOP_WORDS.iter().map(|w| w.to_string()).collect())
            .with_document_fields(vec![
                (
                    self.fields.title,
                    vec![OwnedValue::Str(article.title.clone())],
                ),
                (
                    self.fields.body,
                    vec![OwnedValue::Str(article.text.clone())],
                ),
            ]);
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(like) as Box<dyn Query>),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.id, &article.id),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let page = TopDocs::with_limit(limit.max(1)).and_offset(offset);
        let (scored, total) = searcher.search(&query, &(by_score(page), Count))?;
        let scored: Vec<(f32, DocAddress)> = scored.into_iter().map(|((s, _), a)| (s, a)).collect();
        let mut hits = Vec::with_capacity(scored.len());
        if limit > 0 {
            for (score, addr) in scored {
                let a = self.article_at(&searcher, addr)?;
                let snippet = lead(&a, SearchRequest::new("").snippet_chars);
                hits.push(to_hit(a, score, snippet, Vec::new()));
            }
        }
        Ok(SearchResults {
            total,
            hits,
            facets: None,
        })
    }

    /// List articles newest first.
    pub fn list(&self, req: &ListRequest) -> Result<ListResults, StoreError> {
        let searcher = self.reader.searcher();
        let filters = Filters {
            categories: &req.categories,
            authors: &req.authors,
            feeds: &req.feeds,
            since: None,
            until: None,
        };
        let query = with_filters(&self.fields, Box::new(AllQuery), &filters);
        let page = TopDocs::with_limit(req.limit.max(1)).and_offset(req.offset);
        let (docs, total) = searcher.search(&*query, &(by_date(page), Count))?;
        let mut articles = Vec::new();
        if req.limit > 0 {
            for (_, addr) in docs {
                articles.push(self.article_at(&searcher, addr)?);
            }
        }
        Ok(ListResults { total, articles })
    }

    /// Find one article by id, unique id prefix, or URL.
    pub fn get(&self, key: &str) -> Result<Article, StoreError> {
        let key = key.trim();
        let searcher = self.reader.searcher();
        let first = |field, value: &str| -> Result<Option<DocAddress>, StoreError> {
            let q = TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            );
            Ok(searcher
                .search(&q, &TopDocs::with_limit(1).order_by_score())?
                .first()
                .map(|x| x.1))
        };
        if let Some(addr) = first(self.fields.id, key)? {
            return self.article_at(&searcher, addr);
        }
        if let Some(addr) = first(self.fields.url, key)? {
            return self.article_at(&searcher, addr);
        }
        let ids = self.ids_with_prefix(&searcher, &key.to_ascii_lowercase())?;
        match ids.len() {
            0 => Err(StoreError::UnknownArticle(key.to_string())),
            1 => match first(self.fields.id, &ids[0])? {
                Some(addr) => self.article_at(&searcher, addr),
                None => Err(StoreError::UnknownArticle(key.to_string())),
            },
            n => Err(StoreError::AmbiguousId {
                prefix: key.to_string(),
                count: n,
            }),
        }
    }

    fn ids_with_prefix(
        &self,
        searcher: &Searcher,
        prefix: &str,
    ) -> Result<Vec<String>, StoreError> {
        // Ids are hex: an empty or non-hex prefix can't be an id prefix, and would match all.
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let mut out: Vec<String> = Vec::new();
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(self.fields.id)?;
            let io = |e: std::io::Error| StoreError::Corrupt {
                path: self.dir().to_path_buf(),
                detail: e.to_string(),
            };
            let mut stream = inv
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .into_stream()
                .map_err(io)?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    break;
                };
                if !term.starts_with(prefix) {
                    break;
                }
                // The term dictionary still holds ids of deleted documents: check liveness.
                let t = Term::from_field_text(self.fields.id, term);
                let alive = seg.alive_bitset();
                let mut postings = inv
                    .read_postings(&t, IndexRecordOption::Basic)
                    .map_err(io)?;
                let live = postings.as_mut().is_some_and(|p| {
                    use tantivy::DocSet;
                    let mut d = p.doc();
                    while d != tantivy::TERMINATED {
                        if alive.is_none_or(|a| a.is_alive(d)) {
                            return true;
                        }
                        d = p.advance();
                    }
                    false
                });
                if live && !out.iter().any(|o| o == term) {
                    out.push(term.to_string());
                }
            }
        }
        Ok(out)
    }

    /// Article counts per category over the whole KB, most frequent first.
    pub fn categories(&self) -> Result<Vec<FacetCount>, StoreError> {
        let searcher = self.reader.searcher();
        Ok(facet_counts(
            &searcher,
            self.fields.facets,
            &AllQuery,
            "category",
        )?)
    }

    /// Article counts per author over the whole KB, most frequent first.
    pub fn authors(&self) -> Result<Vec<FacetCount>, StoreError> {
        let searcher = self.reader.searcher();
        Ok(facet_counts(
            &searcher,
            self.fields.facets,
            &AllQuery,
            "author",
        )?)
    }

    /// Article counts per feed.
    pub fn feed_counts(&self) -> Result<Vec<FacetCount>, StoreError> {
        let searcher = self.reader.searcher();
        Ok(facet_counts(
            &searcher,
            self.fields.facets,
            &AllQuery,
            "feed",
        )?)
    }

    fn facets_for(&self, searcher: &Searcher, query: &dyn Query) -> Result<Facets, StoreError> {
        let f = self.fields.facets;
        let mut years = facet_counts(searcher, f, query, "year")?;
        years.sort_by(|a, b| b.name.cmp(&a.name));
        Ok(Facets {
            categories: facet_counts(searcher, f, query, "category")?,
            authors: facet_counts(searcher, f, query, "author")?,
            feeds: facet_counts(searcher, f, query, "feed")?,
            years,
        })
    }
}

fn to_hit(a: Article, score: f32, snippet: String, highlights: Vec<Highlight>) -> SearchHit {
    SearchHit {
        id: a.id,
        title: a.title,
        url: a.url,
        author: a.author,
        categories: a.categories,
        published: a.published,
        feed: a.feed,
        score,
        snippet,
        highlights,
    }
}

/// Words too common to say what an article is about. Compared after analysis (lowercased,
/// stemmed), so only forms the stemmer leaves alone are listed.
const STOP_WORDS: &[&str] = &[
    "about", "also", "and", "are", "but", "can", "for", "from", "had", "has", "have", "her", "him",
    "his", "how", "into", "its", "just", "more", "most", "not", "now", "one", "our", "out", "she",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "was",
    "were", "what", "when", "which", "who", "will", "with", "would", "you", "your",
];

fn facet_counts(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    query: &dyn Query,
    root: &str,
) -> tantivy::Result<Vec<FacetCount>> {
    let mut collector = FacetCollector::for_field("facets");
    let _ = field;
    let root = Facet::from_path([root]);
    collector.add_facet(root.clone());
    let counts = searcher.search(query, &collector)?;
    // Spellings differing only in case are one category ("MSP" / "msp"): merge them under the
    // most frequent spelling.
    let mut merged: HashMap<String, (String, u64, u64)> = HashMap::new();
    for (facet, count) in counts.get(&root.to_path_string()) {
        let name = facet
            .to_path()
            .last()
            .map(|s| s.to_string())
            .unwrap_or_default();
        let e = merged
            .entry(name.to_lowercase())
            .or_insert((name.clone(), 0, 0));
        if count > e.2 {
            e.0 = name;
            e.2 = count;
        }
        e.1 += count;
    }
    let mut out: Vec<FacetCount> = merged
        .into_values()
        .map(|(name, count, _)| FacetCount { name, count })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(out)
}

/// First characters of the summary or text, for hits that matched only title or metadata.
fn lead(a: &Article, max: usize) -> String {
    let src = if a.summary.is_empty() {
        &a.text
    } else {
        &a.summary
    };
    let first_line = src.lines().next().unwrap_or("");
    if first_line.chars().count() <= max {
        return first_line.to_string();
    }
    let cut: String = first_line.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(i) if i > max / 2 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

/// Turn tantivy's byte ranges into character ranges, and fold the fragment's newlines into
/// spaces so a snippet is one line.
fn char_ranges(fragment: &str, ranges: &[std::ops::Range<usize>]) -> (String, Vec<Highlight>) {
    let to_char = |b: usize| fragment[..b.min(fragment.len())].chars().count();
    let hl = ranges
        .iter()
        .filter(|r| {
            fragment.is_char_boundary(r.start)
                && fragment.is_char_boundary(r.end.min(fragment.len()))
        })
        .map(|r| Highlight {
            start: to_char(r.start),
            end: to_char(r.end),
        })
        .collect();
    let text = fragment
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    (text, hl)
}

/// How much text around the matches the snippet generator gets to see.
const FOCUS_BYTES: usize = 600;

/// The byte range of `text` (at most about `width` bytes, on word boundaries) holding the most
/// distinct query terms, found by a cheap ASCII-case-insensitive substring scan. Terms are
/// stems, so "referr" finds "Referral"; when no term is found this way (accent-folded matches,
/// say), the whole text is returned and the generator does the full work.
fn focus(text: &str, terms: &[String], width: usize) -> (usize, usize) {
    if text.len() <= width || terms.is_empty() {
        return (0, text.len());
    }
    let lower = text.to_ascii_lowercase();
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        if t.is_empty() {
            continue;
        }
        hits.extend(
            lower
                .match_indices(t.as_str())
                .take(200)
                .map(|(p, _)| (p, i)),
        );
    }
    if hits.is_empty() {
        return (0, text.len());
    }
    hits.sort_unstable();
    // Two different terms standing next to each other (a phrase the user typed, most likely)
    // make a passage worth more than scattered hits: count such pairs with a prefix sum.
    let mut near = vec![0usize; hits.len() + 1];
    for k in 0..hits.len() {
        let adjacent = hits
            .get(k + 1)
            .is_some_and(|&(p, t)| t != hits[k].1 && p - hits[k].0 < 24);
        near[k + 1] = near[k] + usize::from(adjacent);
    }
    // Slide a window of `width` bytes over the hits; keep the one with the most distinct terms,
    // then the most adjacent pairs, then the most hits, then the earliest.
    let mut best = (0usize, 0usize, 0usize, hits[0].0);
    let mut lo = 0;
    let mut counts = vec![0usize; terms.len()];
    let mut distinct = 0;
    for hi in 0..hits.len() {
        let (pos, t) = hits[hi];
        if counts[t] == 0 {
            distinct += 1;
        }
        counts[t] += 1;
        while pos - hits[lo].0 > width / 2 {
            let t0 = hits[lo].1;
            counts[t0] -= 1;
            if counts[t0] == 0 {
                distinct -= 1;
            }
            lo += 1;
        }
        let n = hi - lo + 1;
        // Pairs (k, k+1) with both ends inside [lo, hi].
        let pairs = near[hi] - near[lo];
        if (distinct, pairs, n) > (best.0, best.1, best.2) {
            best = (distinct, pairs, n, hits[lo].0);
        }
    }
    let start = best.3.saturating_sub(width / 4);
    let end = (start + width).min(text.len());
    (word_start(text, start), word_end(text, end))
}

fn word_start(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    match text[..i].rfind(char::is_whitespace) {
        Some(ws) if i - ws < 40 => ws + 1,
        _ if i == 0 => 0,
        _ => i,
    }
    .min(text.len())
}

fn word_end(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    match text[i..].find(char::is_whitespace) {
        Some(ws) if ws < 40 => i + ws,
        _ => i,
    }
}

/// Best score first; equal scores by id, so every build of the index orders them alike.
fn by_score(
    page: TopDocs,
) -> impl tantivy::collector::Collector<Fruit = Vec<((f32, u64), DocAddress)>> {
    page.tweak_score(|seg: &tantivy::SegmentReader| {
        let ids = id_column(seg);
        move |doc: tantivy::DocId, score: f32| (score, ids.get_val(doc))
    })
}

/// Newest first (undated last); equal dates by id.
fn by_date(
    page: TopDocs,
) -> impl tantivy::collector::Collector<Fruit = Vec<((i64, u64), DocAddress)>> {
    page.order_by(|seg: &tantivy::SegmentReader| {
        let ids = id_column(seg);
        let published = seg.fast_fields().date("published").ok();
        move |doc: tantivy::DocId| {
            let t = published
                .as_ref()
                .and_then(|c| c.first(doc))
                .map_or(i64::MIN, |d| d.into_timestamp_secs());
            (t, ids.get_val(doc))
        }
    })
}

fn id_column(
    seg: &tantivy::SegmentReader,
) -> std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>> {
    match seg.fast_fields().u64("idnum") {
        Ok(c) => c.first_or_default_col(0),
        Err(_) => {
            tantivy::columnar::Column::build_empty_column(seg.max_doc()).first_or_default_col(0)
        }
    }
}

#[cfg(test)]
mod focus_tests {
    use super::focus;

    #[test]
    fn focus_finds_the_densest_passage_on_char_and_word_boundaries() {
        let filler = "lorem ipsum dolor sit amet é ".repeat(200);
        let text = format!(
            "{filler}a referral is what we want, and only much later a program{filler}the Referral program pays{filler}referral again{filler}"
        );
        let (a, b) = focus(&text, &["referr".to_string(), "program".to_string()], 600);
        let w = &text[a..b];
        assert!(w.contains("Referral program"), "{w}");
        assert!(b - a <= 700);
        assert!(w.starts_with(|c: char| !c.is_whitespace()));
    }

    #[test]
    fn short_texts_and_misses_keep_everything() {
        assert_eq!(focus("short text", &["x".into()], 600), (0, 10));
        let long = "é".repeat(1000);
        assert_eq!(focus(&long, &["zzz".into()], 600), (0, long.len()));
    }
}
