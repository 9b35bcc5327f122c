//! Reading the index: search, list, get, facet counts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kb_clean::Article;
use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query,
    TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::conjunction::{Conjunction, SegmentConjunction, WordQuery};
#[cfg(doc)]
use crate::query::Split;
use crate::query::{
    Filters, Reach, ReadQuery, TextQuery, compile_read, filter_clauses, narrowed, read_query,
    relaxations, resolve_feeds, resolve_keywords, snippet_terms, with_filters,
};
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
    /// The user's query. Blank, it matches every article the filters let through, and needs
    /// one (else [`StoreError::EmptyQuery`]).
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

/// The near matches of a search ([`Nearly`]) before their hits are loaded: the wider
/// reading they match, how it reads the query, the page's room of its best, and their count.
struct NearPage {
    text: TextQuery,
    how: Relaxed,
    scored: Vec<(f32, DocAddress)>,
    total: usize,
}

/// A highlighted range of a snippet, in characters (Unicode code points, as Rust's `chars()`
/// and Python's `str` count them; not bytes, not UTF-16 units), end exclusive. The unit is
/// part of `kb search --json` (README.md).
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
    /// Where the query matched inside `snippet`: ranges of characters (Unicode code points)
    /// of `snippet`, not bytes, in order, not overlapping.
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

/// How a search that matched nothing as written was widened to find what the user half
/// remembered: misspelled words matched by similar spelling (a number as the codes ending
/// with it), fewer of the words required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relaxed {
    /// Words typed apart that articles write as one (`life time`, `802.11 be`), read that way
    /// too.
    pub compounds: Vec<Compound>,
    /// Query words that no article holds, matched by similar spelling instead (two words
    /// typed apart, one of them held nowhere, may be respelled as one: `sentinal one`).
    pub respelled: Vec<String>,
    /// The same words, each with the words it was matched as (as indexed: stemmed, folded).
    pub respellings: Vec<Respelling>,
    /// Month names and years also read as when the article was published.
    pub dated: Vec<String>,
    /// Dotted numbers no article holds as typed (`802.11`), matched as the beginning of
    /// longer ones instead ("802.11be").
    pub prefixed: Vec<String>,
    /// Little words typed beside words that say what the query is about (`a`, `by`, `of`,
    /// `vs`): hits need not hold them, and they are not among the `words` counted below.
    pub unrequired: Vec<String>,
    /// Each hit holds at least this many of the query's plain `words`, or fewer that weigh
    /// as much (a rare word counts as several; one that one article in four or more holds
    /// counts as one; `vs` as none)...
    pub at_least: usize,
    /// ...of this many (phrases, prefixes, scoped words and exclusions hold as written).
    pub words: usize,
}

/// A compound a widened search read another way: `life time` as "lifetime", `802.11 be` as
/// "802.11be" (either spelling then matches).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compound {
    /// As typed.
    pub typed: String,
    /// As also read.
    pub read_as: String,
}

/// A word no article holds, and the words of similar spelling a widened search took for it:
/// the closest ones articles hold (one edit away before two), most frequent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Respelling {
    /// As typed.
    pub typed: String,
    /// The words searched instead, lowercased, as a hit's snippet writes them, or as indexed
    /// (stemmed, without accents) where no snippet shown does.
    pub read_as: Vec<String>,
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
    /// Set when nothing matched the query as written and these hits match a wider reading.
    pub relaxed: Option<Relaxed>,
    /// Set when nothing matched and the query's exclusions are what left nothing: a pasted
    /// `journalctl -u` reads `-u` as "without u".
    pub excluded: Option<Excluded>,
    /// Set when nothing matched under filters: how many articles the query as typed matches
    /// without them (the filters, not the words, left nothing when it is above 0).
    pub unfiltered: Option<usize>,
    /// Set when nothing matched and the query holds a quoted phrase: how many articles its
    /// words match unquoted, under the same filters (a phrase half-remembered, one word off).
    pub unquoted: Option<usize>,
    /// Set when every match as written fits on the first page with room to spare: the
    /// articles that miss one word of it, to fill that room ([`Nearly`]).
    pub nearly: Option<Nearly>,
    /// Words of the query that no article writes as typed but whose stem some hold, also read
    /// as the words one letter off that they may be slips for: `referal`, which stems as
    /// `refer`, also as "referral". Empty when none.
    pub also_read: Vec<Respelling>,
}

/// Articles that nearly match a search that matched only a few as written: they miss one of
/// its words (or two, a rare word counting as several), a little word, or read a year as when
/// they were published. A query half-remembered with one word wrong (`archive ground document
/// post`, of an article that never says "post") matched only the articles that happen to hold
/// every word, and the one meant was not on the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearly {
    /// The wider reading they match, as a widened search ([`Relaxed`]) would say it.
    pub how: Relaxed,
    /// How many articles match that way but not as written, under the same filters.
    pub total: usize,
    /// The best of them, as many as the page has room for after the matches as written.
    pub hits: Vec<SearchHit>,
}

/// The exclusions that emptied a search (`-word`, `-"phrase"`, `NOT …`), and how many
/// articles the rest of the query matches under the same filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    /// The exclusions, as typed (`-u`), or `NOT …` for one that is no plain word or phrase.
    pub by: Vec<String>,
    /// Articles the query matches without them.
    pub matches: usize,
}

/// A `--author` or `--category` value that names nobody in the knowledge base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownName {
    /// The value as given.
    pub value: String,
    /// The known names closest to it in spelling, closest (then most frequent) first; at most
    /// three, none when no name is close.
    pub closest: Vec<String>,
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
    /// Only articles published at or after this time, as [`SearchRequest::since`].
    pub since: Option<DateTime<Utc>>,
    /// Only articles published at or before this time, as [`SearchRequest::until`].
    pub until: Option<DateTime<Utc>>,
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

/// The articles of a listing, loaded one at a time ([`Kb::articles`]). An article that cannot
/// be read (a damaged store) is an error in its place.
pub struct Articles {
    searcher: Searcher,
    fields: crate::schema::Fields,
    dir: std::path::PathBuf,
    docs: std::vec::IntoIter<DocAddress>,
}

impl Iterator for Articles {
    type Item = Result<Article, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        let addr = self.docs.next()?;
        Some(stored_article(
            &self.searcher,
            addr,
            &self.fields,
            &self.dir,
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.docs.size_hint()
    }
}

impl ExactSizeIterator for Articles {}

/// Every live document's address, segment by segment.
pub(crate) fn alive_addresses(searcher: &Searcher) -> impl Iterator<Item = DocAddress> + '_ {
    searcher
        .segment_readers()
        .iter()
        .enumerate()
        .flat_map(|(ord, seg)| {
            seg.doc_ids_alive()
                .map(move |doc| DocAddress::new(ord as u32, doc))
        })
}

/// The article a document stores (as JSON, in the `article` field).
pub(crate) fn stored_article(
    searcher: &Searcher,
    addr: DocAddress,
    fields: &crate::schema::Fields,
    dir: &std::path::Path,
) -> Result<Article, StoreError> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let json = doc
        .get_first(fields.article)
        .and_then(|v| v.as_str())
        .unwrap_or("");
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        path: dir.to_path_buf(),
        detail: format!("stored article unreadable: {e}"),
    })
}

impl Kb {
    fn article_at(&self, searcher: &Searcher, addr: DocAddress) -> Result<Article, StoreError> {
        stored_article(searcher, addr, &self.fields, self.dir())
    }

    /// Run a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, StoreError> {
        let searcher = self.reader.searcher();
        let read = read_query(self, &searcher, &req.query)?;
        let mut text = compile_read(self, &read)?;
        let categories = resolve_keywords(&searcher, self.fields.category, &req.categories)?;
        let authors = resolve_keywords(&searcher, self.fields.author, &req.authors)?;
        let feeds = resolve_feeds(&searcher, self.fields.feed, &req.feeds)?;
        let filters = Filters {
            categories: &categories,
            authors: &authors,
            feeds: &feeds,
            since: req.since,
            until: req.until,
        };
        // A blank query with a filter is every article the filter lets through (with facets,
        // dates: what listing does not offer); without one it would be every article, ranked
        // by nothing, and is more likely an unset variable in a script than a wish.
        if text.blank && filters.is_empty() {
            return Err(StoreError::EmptyQuery);
        }
        // Without a word to rank by, every score is 0 and "best match first" was the index's
        // order: newest first instead, as `kb list` has it.
        let by_date;
        let req = if text.blank && req.sort == SortOrder::Relevance {
            by_date = SearchRequest {
                sort: SortOrder::Date,
                ..req.clone()
            };
            &by_date
        } else {
            req
        };
        let (mut scored, mut total) = self.ranked(&searcher, &text, &filters, req)?;
        let mut relaxed = None;
        // Widening cannot help when the filters alone leave nothing.
        if total == 0 && (filters.is_empty() || self.count_filtered(&searcher, &filters)? > 0) {
            for (wider, how) in relaxations(self, &searcher, &read, Reach::Widest)? {
                let (s, n) = self.ranked(&searcher, &wider, &filters, req)?;
                if n > 0 {
                    (text, scored, total, relaxed) = (wider, s, n, Some(how));
                    break;
                }
            }
        }
        // Nothing left: say whether the exclusions took it all (one count, only then).
        let mut excluded = None;
        if total == 0
            && let Some((rest, by)) = read.without_exclusions()
            && let Ok(rest) = compile_read(self, &rest)
            && !rest.blank
        {
            let query = with_filters(&self.fields, rest.query, &filters);
            let matches = searcher.search(&*query, &Count)?;
            if matches > 0 {
                excluded = Some(Excluded { by, matches });
            }
        }
        // Still nothing, and a phrase holds as typed: whether its words match unquoted (a
        // phrase remembered one word off gave a bare "no matches"), counted by the same search
        // without the quotes, widened as it would be (one level deep: no quotes are left).
        let unquoted = match unquote(&req.query) {
            Some(words) if total == 0 && excluded.is_none() => {
                let loose = SearchRequest {
                    query: words,
                    limit: 0,
                    offset: 0,
                    facets: false,
                    ..req.clone()
                };
                self.search(&loose).ok().map(|r| r.total).filter(|n| *n > 0)
            }
            _ => None,
        };
        // Still nothing, the query as typed: whether the filters are what left nothing.
        let unfiltered = (total == 0 && !filters.is_empty() && !text.blank)
            .then(|| searcher.search(&*text.query, &Count))
            .transpose()?;
        let near = match relaxed {
            None if total > 0 && req.offset == 0 && total < req.limit => {
                self.nearly(&searcher, &read, &filters, req, &scored, total)?
            }
            _ => None,
        };
        let hits = self.hits(&searcher, &text, scored, req)?;
        if let Some(r) = relaxed.as_mut() {
            as_written(&mut r.respellings, &hits);
        }
        let also_read = std::mem::take(&mut text.slips);
        let nearly = match near {
            Some(mut page) => {
                let hits = self.hits(&searcher, &page.text, page.scored, req)?;
                as_written(&mut page.how.respellings, &hits);
                Some(Nearly {
                    hits,
                    how: page.how,
                    total: page.total,
                })
            }
            None => None,
        };
        let facets = if req.facets {
            let query = with_filters(&self.fields, text.query.box_clone(), &filters);
            Some(self.facets_for(&searcher, &*query)?)
        } else {
            None
        };
        Ok(SearchResults {
            total,
            hits,
            facets,
            relaxed,
            excluded,
            unfiltered,
            unquoted,
            nearly,
            also_read,
        })
    }

    /// The articles that nearly match a search whose `total` matches as written are all in
    /// `strict` with room to spare on the page: the first wider reading of the query that
    /// misses at most one of its words ([`Reach::Near`]) and matches more, its best hits not
    /// in `strict`, as many as fill the page. Its count is the wider reading's less `total`,
    /// since every reading only adds to what the query as written matches.
    fn nearly(
        &self,
        searcher: &Searcher,
        read: &ReadQuery,
        filters: &Filters<'_>,
        req: &SearchRequest,
        strict: &[(f32, DocAddress)],
        total: usize,
    ) -> Result<Option<NearPage>, StoreError> {
        let room = req.limit - strict.len();
        // Enough of the page to hold every match as written and still fill the room.
        let page = SearchRequest {
            offset: 0,
            limit: total + room,
            ..req.clone()
        };
        let held: std::collections::HashSet<DocAddress> = strict.iter().map(|(_, a)| *a).collect();
        for (wider, how) in relaxations(self, searcher, read, Reach::Near)? {
            let (scored, n) = self.ranked(searcher, &wider, filters, &page)?;
            if n <= total {
                continue;
            }
            let extra: Vec<(f32, DocAddress)> = scored
                .into_iter()
                .filter(|(_, a)| !held.contains(a))
                .take(room)
                .collect();
            return Ok(Some(NearPage {
                text: wider,
                how,
                scored: extra,
                total: n - total,
            }));
        }
        Ok(None)
    }

    /// The hits of `scored` (a page of `text`'s matches), loaded, each with the passage of its
    /// body that holds the most of the query's words as its snippet.
    fn hits(
        &self,
        searcher: &Searcher,
        text: &TextQuery,
        scored: Vec<(f32, DocAddress)>,
        req: &SearchRequest,
    ) -> Result<Vec<SearchHit>, StoreError> {
        // Built from our own marks rather than `SnippetGenerator::create`, which only sees
        // exact terms: this way prefix and fuzzy matches are highlighted too, and excluded
        // words never are.
        let terms = snippet_terms(searcher, self.fields.body, &text.marks)?;
        let mut matcher = Matcher::new(terms.keys().cloned().collect());
        let fragment_bytes = req.snippet_chars.max(20);
        let snippets = SnippetGenerator::new(
            terms,
            crate::schema::snippet_analyzer(),
            self.fields.body,
            fragment_bytes,
        );
        let mut hits = Vec::with_capacity(scored.len());
        for (score, addr) in scored {
            if req.limit == 0 {
                break;
            }
            let a = self.article_at(searcher, addr)?;
            // The generator cuts its text into fragments from the start and takes the one with
            // the most weight: two words of the query on either side of a cut, or a rarer word
            // twice elsewhere, beat the passage holding all of them. So `focus` chooses the
            // passage and the generator only gets that, one fragment long, to highlight.
            let (from, to) = focus(&a.text, &mut matcher, fragment_bytes);
            let window = &a.text[from..to];
            let snip = snippets.snippet(window);
            let (snippet, highlights) = if snip.fragment().is_empty() {
                (lead(&a, req.snippet_chars), Vec::new())
            } else {
                // Both in bytes, the fragment's of the window, the marks' of the fragment.
                let range = snip.fragment_range();
                let at = from + range.start;
                let marks = snip.highlighted().iter().map(|r| at + r.start..at + r.end);
                passage(&a.text, at..from + range.end, marks)
            };
            hits.push(to_hit(a, score, snippet, highlights));
        }
        Ok(hits)
    }

    fn count_filtered(
        &self,
        searcher: &Searcher,
        filters: &Filters<'_>,
    ) -> Result<usize, StoreError> {
        let all = with_filters(&self.fields, Box::new(tantivy::query::AllQuery), filters);
        Ok(searcher.search(&*all, &Count)?)
    }

    /// The requested page of `text` under `filters`, scored, and the exact number of matches.
    fn ranked(
        &self,
        searcher: &Searcher,
        text: &TextQuery,
        filters: &Filters<'_>,
        req: &SearchRequest,
    ) -> Result<(Vec<(f32, DocAddress)>, usize), StoreError> {
        let narrow = filter_clauses(&self.fields, filters);
        let query = narrowed(text.query.box_clone(), &narrow);
        let (offset, limit) = page_within(searcher, req.offset, req.limit);
        let range = offset..offset + limit;
        let page = TopDocs::with_limit(limit).and_offset(offset);
        Ok(match (req.sort, &text.split) {
            (SortOrder::Relevance, Some(split)) => {
                let main = Main::of(searcher, &*split.main)?;
                top_with_bonus(searcher, main, &split.bonus, &narrow, range)?
            }
            (SortOrder::Relevance, None) => {
                // One plain word: no bonus, but its postings walked the same way skip what
                // cannot reach the top, where tantivy would score every document holding it.
                // A phrase alone stays with tantivy (`WordQuery::is_phrase`), checked before
                // the walk's weights are built for nothing.
                let words = match text.query.downcast_ref::<WordQuery>() {
                    Some(w) if w.is_phrase() => None,
                    _ => Conjunction::of(searcher, &*text.query)?,
                };
                match words {
                    Some(words) => {
                        top_with_bonus(searcher, Main::Words(words), &[], &narrow, range)?
                    }
                    None => {
                        let (docs, n) =
                            search_segments(searcher, &*query, &ByScore { page: range })?;
                        (docs.into_iter().map(|((s, _), a)| (s, a)).collect(), n)
                    }
                }
            }
            (SortOrder::Date, _) => {
                let (docs, n) = searcher.search(&*query, &(by_date(page), Count))?;
                (docs.into_iter().map(|(_, a)| (0.0, a)).collect(), n)
            }
        })
    }

    /// The articles most like the one with this id (or unique id prefix, or URL), best first,
    /// the article itself excluded: a more-like-this query over titles and bodies (its most
    /// telling words it shares with other articles), ranking up the articles that share its
    /// categories, feed or author. Hits carry the lead of each article as snippet.
    pub fn related(
        &self,
        key: &str,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResults, StoreError> {
        let article = self.get(key)?;
        let searcher = self.reader.searcher();
        let like = more_like_this(&searcher, &self.fields, &article)?;
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
        let (from, n) = page_within(&searcher, offset, limit);
        let (scored, total) = searcher.search(
            &query,
            &ByScore {
                page: from..from + n,
            },
        )?;
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
            relaxed: None,
            excluded: None,
            unfiltered: None,
            unquoted: None,
            nearly: None,
            also_read: Vec::new(),
        })
    }

    /// List articles newest first.
    pub fn list(&self, req: &ListRequest) -> Result<ListResults, StoreError> {
        let searcher = self.reader.searcher();
        let (docs, total) = self.listed(&searcher, req)?;
        let mut articles = Vec::new();
        if req.limit > 0 {
            for addr in docs {
                articles.push(self.article_at(&searcher, addr)?);
            }
        }
        Ok(ListResults { total, articles })
    }

    /// Every article of a listing (its filters, offset and limit), newest first, loaded one at
    /// a time as the caller takes them: a whole archive is streamed, not held in memory. It
    /// reads the index as it stood when called: a sync committing meanwhile changes nothing
    /// it yields.
    pub fn articles(&self, req: &ListRequest) -> Result<Articles, StoreError> {
        let searcher = self.reader.searcher();
        let (docs, _) = self.listed(&searcher, req)?;
        let docs = if req.limit == 0 { Vec::new() } else { docs };
        Ok(Articles {
            searcher,
            fields: self.fields,
            dir: self.dir().to_path_buf(),
            docs: docs.into_iter(),
        })
    }

    /// The addresses of a listing's page, newest first, and how many articles its filters let
    /// through.
    fn listed(
        &self,
        searcher: &Searcher,
        req: &ListRequest,
    ) -> Result<(Vec<DocAddress>, usize), StoreError> {
        let categories = resolve_keywords(searcher, self.fields.category, &req.categories)?;
        let authors = resolve_keywords(searcher, self.fields.author, &req.authors)?;
        let feeds = resolve_feeds(searcher, self.fields.feed, &req.feeds)?;
        let filters = Filters {
            categories: &categories,
            authors: &authors,
            feeds: &feeds,
            since: req.since,
            until: req.until,
        };
        let query = with_filters(&self.fields, Box::new(AllQuery), &filters);
        let (offset, limit) = page_within(searcher, req.offset, req.limit);
        let page = TopDocs::with_limit(limit).and_offset(offset);
        let (docs, total) = searcher.search(&*query, &(by_date(page), Count))?;
        Ok((docs.into_iter().map(|(_, addr)| addr).collect(), total))
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
        match self.with_url(&searcher, key)?.as_slice() {
            [] => {}
            [one] => return self.article_at(&searcher, *one),
            many => return Err(self.ambiguous_url(&searcher, key, many)),
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

    /// The articles whose URL is `url` exactly (several feeds may link one page).
    fn with_url(&self, searcher: &Searcher, url: &str) -> Result<Vec<DocAddress>, StoreError> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.url, url),
            IndexRecordOption::Basic,
        );
        Ok(searcher
            .search(&q, &TopDocs::with_limit(10).order_by_score())?
            .into_iter()
            .map(|x| x.1)
            .collect())
    }

    fn ambiguous_url(&self, searcher: &Searcher, url: &str, docs: &[DocAddress]) -> StoreError {
        let mut ids: Vec<String> = docs
            .iter()
            .filter_map(|d| self.article_at(searcher, *d).ok().map(|a| a.id))
            .collect();
        ids.sort();
        StoreError::AmbiguousUrl {
            url: url.to_string(),
            ids,
        }
    }

    /// The one article whose stored URL `same` says is the address typed, or the usual errors:
    /// none, or several. Stored URLs are kept as the feed wrote them (`HTTP://Blog.Example.COM`),
    /// so a typed address is compared as the caller normalizes both. Reads every URL of the
    /// index: for `kb show URL` only, after the exact lookup found nothing.
    pub fn get_by_url_like(
        &self,
        typed: &str,
        same: impl Fn(&str) -> bool,
    ) -> Result<Article, StoreError> {
        let searcher = self.reader.searcher();
        let mut urls: Vec<String> = Vec::new();
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(self.fields.url)?;
            let mut stream = inv.terms().stream().map_err(|e| StoreError::Corrupt {
                path: self.dir().to_path_buf(),
                detail: crate::error::tantivy_cause(&e.to_string()),
            })?;
            while stream.advance() {
                if let Ok(u) = std::str::from_utf8(stream.key())
                    && same(u)
                    && !urls.iter().any(|o| o == u)
                {
                    urls.push(u.to_string());
                }
            }
        }
        let mut docs = Vec::new();
        for u in &urls {
            docs.extend(self.with_url(&searcher, u)?);
        }
        match docs.as_slice() {
            [] => Err(StoreError::UnknownArticle(typed.to_string())),
            [one] => self.article_at(&searcher, *one),
            many => Err(self.ambiguous_url(&searcher, typed, many)),
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
                detail: crate::error::tantivy_cause(&e.to_string()),
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

    /// The `--author` values that stand for no author of the knowledge base (as a filter reads
    /// them: a whole name, a word of one, one a typo away), each with the authors closest to it.
    pub fn unknown_authors(&self, values: &[String]) -> Result<Vec<UnknownName>, StoreError> {
        self.unknown_names(self.fields.author, values, self.authors()?)
    }

    /// [`Kb::unknown_authors`] for `--category` values.
    pub fn unknown_categories(&self, values: &[String]) -> Result<Vec<UnknownName>, StoreError> {
        self.unknown_names(self.fields.category, values, self.categories()?)
    }

    fn unknown_names(
        &self,
        field: Field,
        values: &[String],
        known: Vec<FacetCount>,
    ) -> Result<Vec<UnknownName>, StoreError> {
        let searcher = self.reader.searcher();
        let mut plain = crate::schema::unstemmed_analyzer();
        let mut out = Vec::new();
        for value in values {
            let names = resolve_keywords(&searcher, field, std::slice::from_ref(value))?;
            let any: Vec<(Occur, Box<dyn Query>)> = names
                .iter()
                .map(|n| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(field, n),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            if searcher.search(&BooleanQuery::new(any), &Count)? > 0 {
                continue;
            }
            out.push(UnknownName {
                value: value.clone(),
                closest: crate::query::closest_names(&mut plain, &known, value),
            });
        }
        Ok(out)
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

/// The words respelled words were read as, as the hits' snippets write them (`referral`
/// rather than the stem `referr`) where a snippet highlights one: a note naming a stem reads
/// as a misspelling of its own; a compound's joined form as the compound (`mittag-leffler`).
/// Words no snippet shows stay as indexed.
fn as_written(respellings: &mut [Respelling], hits: &[SearchHit]) {
    if respellings.is_empty() {
        return;
    }
    let mut en = crate::schema::en_analyzer();
    let mut written: HashMap<String, String> = HashMap::new();
    for h in hits {
        let chars: Vec<char> = h.snippet.chars().collect();
        for r in &h.highlights {
            let Some(word) = chars.get(r.start..r.end) else {
                continue;
            };
            let word: String = word.iter().collect::<String>().to_lowercase();
            // A compound highlighted whole (`mittag-leffler`) writes its joined form.
            let term = match crate::schema::tokens(&mut en, &word).as_slice() {
                [term] => Some(term.clone()),
                _ => crate::schema::joined_form(&mut en, &word),
            };
            if let Some(term) = term {
                written.entry(term).or_insert(word);
            }
        }
    }
    for r in respellings {
        for t in &mut r.read_as {
            if let Some(w) = written.get(t.as_str()) {
                *t = w.clone();
            }
        }
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

/// At most this many of an article's words make up its more-like-this query.
const RELATED_TERMS: usize = 25;

/// BM25's `k1`: how fast repeating a word stops adding to its weight, for the words of the
/// article `kb related` starts from as for the articles it finds.
const RELATED_K1: f32 = 1.2;

/// A word of the article's title counts as this many words of its body (search weighs titles
/// as much).
const RELATED_TITLE_WEIGHT: f32 = 2.5;

/// A word of the article in another's title adds this much of its weight (its idf times its
/// damped frequency in the article) to that article's score.
const RELATED_TITLE_BONUS: f32 = 1.0;

/// Sharing a category of the article weighs as much as sharing one mention of a word as rare
/// as the category (its idf, times this).
const RELATED_CATEGORY_WEIGHT: f32 = 1.0;

/// Sharing the article's feed or author: a blog or a person writes on more than one topic,
/// so it weighs less than a category.
const RELATED_SOURCE_WEIGHT: f32 = 0.3;

/// An article of fewer words than this (title and text, short and stop words left out) has
/// its shared categories, feed and author weigh more, in proportion: it shares a word or two
/// with almost any article ("error", "value", "fix"), and the more it says, the more words its
/// like share with it, so the names it shares must make up for the words it cannot.
const RELATED_SHORT_WORDS: f32 = 200.0;

/// ...at most this many times more (a one-line post is still matched by its words).
const RELATED_MAX_SHORT_BOOST: f32 = 4.0;

/// The more-like-this query of an article: its [`RELATED_TERMS`] most telling words, looked
/// for in bodies (BM25) and titles (a bonus), with a bonus for sharing its categories, feed or
/// author.
///
/// A word is telling when it can match another article and does not match most: one only this
/// article holds (df 1: a dish's name, a product, a typo) matches nothing else, so it would only
/// take a slot from a word the article shares; one in more than half the articles says nothing.
/// Among those, weight is the word's idf times its frequency in the article, damped as BM25
/// damps it ([`RELATED_K1`]): a generic word said five times ("weekend", "office") is not five
/// times as telling as a topic word said once, and it outweighed three shared topic words.
/// The bonus needs a shared word: it ranks the articles like this one, it does not add
/// articles that only share a feed. A short article's bonus weighs more
/// ([`RELATED_SHORT_WORDS`]): two categories, the feed and the author shared with a sibling
/// post lost to a post of another blog sharing "cannot", "value" and "fix". Ties between equally telling words go to the word that
/// sorts first (a hash map's order gave other hits from one run to the next). Two dictionary
/// lookups per distinct word of the article: no scan of the index.
fn more_like_this(
    searcher: &Searcher,
    f: &crate::schema::Fields,
    article: &Article,
) -> Result<BooleanQuery, StoreError> {
    // Per word: (mentions in the title, in the body).
    let mut frequencies: HashMap<String, (u32, u32)> = HashMap::new();
    // Words said, counting repeats: how long the article is, as the bonus sees it.
    let mut said = 0u32;
    let mut analyzer = crate::schema::en_analyzer();
    for (in_title, text) in [
        (true, article.title.as_str()),
        (false, article.text.as_str()),
    ] {
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            // A short word or a stop word says little about what the article is about.
            let word = &stream.token().text;
            if word.len() < 3 || STOP_WORDS.contains(&word.as_str()) {
                continue;
            }
            said += 1;
            let e = frequencies.entry(word.clone()).or_default();
            if in_title {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
    let articles: u64 = searcher
        .segment_readers()
        .iter()
        .map(|s| u64::from(s.num_docs()))
        .sum();
    // In a knowledge base of two or three articles, half is less than the pair that shares a
    // word.
    let most = (articles / 2).max(2);
    let mut scored: Vec<(f32, f32, String)> = Vec::with_capacity(frequencies.len());
    for (word, (in_title, in_body)) in frequencies {
        // Articles holding the word in title or body: at least the larger of the two counts.
        let df = searcher
            .doc_freq(&Term::from_field_text(f.body, &word))?
            .max(searcher.doc_freq(&Term::from_field_text(f.title, &word))?);
        if df < 2 || df > most {
            continue;
        }
        let tf = RELATED_TITLE_WEIGHT * in_title as f32 + in_body as f32;
        let damped = tf * (RELATED_K1 + 1.0) / (tf + RELATED_K1);
        scored.push((damped * idf(articles, df), damped, word));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
    scored.truncate(RELATED_TERMS);
    let words: Vec<(Occur, Box<dyn Query>)> = scored
        .into_iter()
        .map(|(weight, damped, word)| {
            // In a body, BM25: the word's idf and its (damped) frequency in the article found,
            // against that article's length; `damped` is its frequency in this one. In a
            // title, a fixed bonus: BM25 of a short field with a far higher idf made one
            // title word worth five in a body ("Room-Temperature Superconductor" outranked
            // every recipe like a kimchi recipe that said "room temperature").
            let body = TermQuery::new(
                Term::from_field_text(f.body, &word),
                IndexRecordOption::WithFreqs,
            );
            let title = TermQuery::new(
                Term::from_field_text(f.title, &word),
                IndexRecordOption::Basic,
            );
            let q: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(body), damped)) as Box<dyn Query>,
                ),
                (
                    Occur::Should,
                    Box::new(ConstScoreQuery::new(
                        Box::new(title),
                        RELATED_TITLE_BONUS * weight,
                    )),
                ),
            ]));
            (Occur::Should, q)
        })
        .collect();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, Box::new(BooleanQuery::new(words)))];
    let categories: Vec<&String> = article.categories.iter().collect();
    let source: Vec<(Field, &String)> = std::iter::once((f.feed, &article.feed))
        .chain(article.author.iter().map(|a| (f.author, a)))
        .collect();
    let short = (RELATED_SHORT_WORDS / said.max(1) as f32).clamp(1.0, RELATED_MAX_SHORT_BOOST);
    for (weight, values) in [
        (
            short * RELATED_CATEGORY_WEIGHT,
            categories
                .iter()
                .map(|c| (f.category, *c))
                .collect::<Vec<_>>(),
        ),
        (short * RELATED_SOURCE_WEIGHT, source),
    ] {
        let mut shared: Vec<Box<dyn Query>> = Vec::new();
        for (field, value) in values {
            let term = Term::from_field_text(field, &crate::schema::kw_term(value));
            let df = searcher.doc_freq(&term)?;
            if df < 2 || df > most {
                continue;
            }
            shared.push(Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                weight * idf(articles, df),
            )));
        }
        if !shared.is_empty() {
            // The best shared name counts whole, the others a little: five categories every
            // article of a blog carries are not five times the evidence.
            clauses.push((
                Occur::Should,
                Box::new(DisjunctionMaxQuery::with_tie_breaker(shared, 0.2)),
            ));
        }
    }
    Ok(BooleanQuery::new(clauses))
}

/// BM25's idf of a word `df` of `articles` articles hold.
fn idf(articles: u64, df: u64) -> f32 {
    (1.0 + (articles as f32 - df as f32 + 0.5) / (df as f32 + 0.5)).ln()
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

/// The first characters of the text, its paragraphs run together, for hits that matched only
/// title or metadata, and for related articles. The feed's excerpt only stands in for a text
/// there is not: it is often cut ("…", WordPress's "[…]"), which the snippet of a whole text
/// should not suggest, and its marker is dropped.
fn lead(a: &Article, max: usize) -> String {
    let src = if a.text.trim().is_empty() {
        without_excerpt_marker(&a.summary)
    } else {
        a.text.as_str()
    };
    let words: Vec<&str> = src.split_whitespace().collect();
    let flat = words.join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(i) if i > max / 2 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

/// An excerpt without the marker a blog ends it with: `[…]`, `[...]`, `[&hellip;]` (left
/// unread by some plugins), or a lone `…`.
fn without_excerpt_marker(excerpt: &str) -> &str {
    let mut s = excerpt.trim_end();
    if let Some(open) = s
        .strip_suffix(']')
        .and_then(|t| t.rfind('[').map(|i| (i, t)))
    {
        let (i, t) = open;
        if matches!(t[i + 1..].trim(), "…" | "..." | "&hellip;" | "&#8230;") {
            s = t[..i].trim_end();
        }
    }
    s.strip_suffix('…')
        .or_else(|| s.strip_suffix("..."))
        .map_or(s, str::trim_end)
}

/// Punctuation this long or shorter between a passage and either end of the text is shown with
/// the passage, in place of an ellipsis; longer (a rule of dashes, say) is left out as before.
const EDGE_CHARS: usize = 10;

/// The snippet showing the bytes `fragment` of `text`, with `marks` (byte ranges of `text`, the
/// matched words) as character ranges of the snippet. Grows the passage over a contraction's
/// suffix after a mark and over the punctuation before the text's start or after its end;
/// marks a cut (words left out) with "…".
fn passage(
    text: &str,
    fragment: std::ops::Range<usize>,
    marks: impl IntoIterator<Item = std::ops::Range<usize>>,
) -> (String, Vec<Highlight>) {
    let on_boundaries = |r: &std::ops::Range<usize>| {
        r.start < r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end)
    };
    let mut marks: Vec<std::ops::Range<usize>> = marks
        .into_iter()
        .filter(on_boundaries)
        .map(|r| r.start..contraction_end(text, r.end))
        .collect();
    marks.sort_by_key(|r| (r.start, r.end));
    // A contraction's suffix can be a match of its own ("you're" is `you` + `re`): one range.
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(marks.len());
    for r in marks {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut start = fragment.start.min(text.len());
    let mut end = fragment
        .end
        .max(merged.last().map_or(0, |r| r.end))
        .clamp(start, text.len());
    // The generator's first fragment starts where its text does, spaces and all.
    start = end - text[start..end].trim_start().len();
    let head = &text[..start];
    let before = if only_punctuation(head) {
        start -= head.trim_start().len();
        ""
    } else {
        "…"
    };
    let tail = &text[end..];
    let after = if only_punctuation(tail) {
        end += tail.trim_end().len();
        ""
    } else {
        "…"
    };
    let shown = &text[start..end];
    let mut snippet = String::with_capacity(before.len() + shown.len() + after.len());
    snippet.push_str(before);
    // One line, though the text has one paragraph per line.
    snippet.extend(
        shown
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
    );
    snippet.push_str(after);
    let offset = before.chars().count();
    let at = |b: usize| offset + text[start..b].chars().count();
    let highlights = merged
        .iter()
        .filter(|r| start <= r.start && r.end <= end)
        .map(|r| Highlight {
            start: at(r.start),
            end: at(r.end),
        })
        .collect();
    (snippet, highlights)
}

/// Whether `s` holds no word (nothing the analyzer indexes), only a little punctuation (a full
/// stop, closing quotes and brackets) and spaces: then a passage reaching it reaches the end.
fn only_punctuation(s: &str) -> bool {
    s.chars().all(|c| !crate::words::is_alnum(c)) && s.trim().chars().count() <= EDGE_CHARS
}

/// Where the word ending at `end` ends when an English contraction's or possessive's suffix
/// follows it: the analyzer splits "isn’t" into `isn` + `t` and one-letter query words are not
/// highlighted (see `snippet_terms`), so the match ends at the apostrophe, but the whole word
/// is what the reader looks for. Straight and curly apostrophes alike, as the analyzer has it.
fn contraction_end(text: &str, end: usize) -> usize {
    let rest = &text[end..];
    let Some(apostrophe) = rest.chars().next().filter(|&c| c == '\'' || c == '’') else {
        return end;
    };
    let word = &rest[apostrophe.len_utf8()..];
    let len = word
        .find(|c: char| !crate::words::is_alnum(c))
        .unwrap_or(word.len());
    if crate::words::CONTRACTION_ENDINGS
        .iter()
        .any(|s| word[..len].eq_ignore_ascii_case(s))
    {
        end + apostrophe.len_utf8() + len
    } else {
        end
    }
}

/// At most this many matches of one term are looked at: enough to find the densest passage,
/// and bounded for a text that repeats a word endlessly.
const MAX_HITS_PER_TERM: usize = 200;

/// The byte range of `text` (at most `width` bytes, on word boundaries) to show: the passage
/// holding the most distinct query terms, then the most adjacent pairs of them, then the most
/// matches, then the earliest, with a little of what comes before its first match.
///
/// The query's terms are found by the index's own analysis (`kb_en`, see [`Matcher`]): a
/// raw-text scan for stems missed "café" (`cafe`) and "company" (`compani`) and chose a
/// passage without them, though the article matched for them. When no term is found (a
/// title-only match), the whole text is returned for the generator to search.
fn focus(text: &str, matcher: &mut Matcher, width: usize) -> (usize, usize) {
    if text.len() <= width || matcher.terms.is_empty() {
        return (0, text.len());
    }
    let hits = matcher.matches(text);
    if hits.is_empty() {
        return (0, text.len());
    }
    // Room before the first match, so the passage does not start on it; the matches must fit
    // in the rest.
    let lead = width / 4;
    let span = width - lead;
    // Two different terms standing next to each other (a phrase the user typed, most likely)
    // make a passage worth more than scattered hits: count such pairs with a prefix sum.
    let mut near = vec![0usize; hits.len() + 1];
    for k in 0..hits.len() {
        let adjacent = hits
            .get(k + 1)
            .is_some_and(|&(p, _, t)| t != hits[k].2 && p - hits[k].0 < 24);
        near[k + 1] = near[k] + usize::from(adjacent);
    }
    // Slide over the hits, keeping those that fit in `span` bytes from the first one kept.
    let mut best = (0usize, 0usize, 0usize, hits[0].0);
    let mut lo = 0;
    let mut counts = vec![0usize; matcher.terms.len()];
    let mut distinct = 0;
    for hi in 0..hits.len() {
        let (_, end, t) = hits[hi];
        if counts[t] == 0 {
            distinct += 1;
        }
        counts[t] += 1;
        while lo < hi && end - hits[lo].0 > span {
            let t0 = hits[lo].2;
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
    let first = best.3;
    let start = passage_start(text, first, lead);
    // Cut on a word boundary at most `width` bytes on: the generator then makes one fragment of
    // it, with no word cut in two (whose piece could stem like a query word).
    let end = word_boundary_before(text, start, start + width);
    // Cut short by the end of the text, the passage takes its room before it: from the
    // earliest sentence that fits, unless that leaves most of the room empty again (one long
    // sentence before the match), then from the first whole word that fits.
    if end == text.len() && end - start < width {
        let sentence = start_within(text, end - width, start, Sentence::First);
        if end - sentence >= width / 2 {
            return (sentence, end);
        }
        return (start_within(text, end - width, start, Sentence::None), end);
    }
    (start, end)
}

/// Where the first byte of `bytes` outside ASCII is. Eight bytes at a time: byte by byte,
/// this scan was a tenth of a rare word's search (the snippets of its hits).
fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for w in words.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        let high = u64::from_le_bytes(word) & HIGH;
        if high != 0 {
            return Some(at + high.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|b| !b.is_ascii())
        .map(|p| at + p)
}

/// A memo of [`Matcher`] holds at most this many words, so hostile text of endless distinct
/// words costs bounded memory.
const MATCHER_MEMO: usize = 20_000;

/// Finds the query's terms (stems) in article texts, word by word, as the index's analysis
/// would: kept for the hits of one search.
///
/// Analysing every word of a long article for each hit shown made a search several times
/// slower (`search_time_on_long_articles` in tests/search.rs). So words that cannot stem to a
/// term are skipped unanalysed: the stemmer only rewrites a word's end, so a word starts with
/// the first two letters of its stem (lowercased; both ASCII, else the word is analysed), but
/// for Snowball's `dying`, `lying`, `tying` (`die`, `lie`, `tie`), whose `y` became an `i`.
/// And the verdict on each word analysed is memoized: words repeat.
///
/// A hyphenated compound (`e-mail`, also the term `email`) or a word holding CJK (several
/// tokens) is analysed whole, from the compound's first letter, and every token of it counts.
struct Matcher {
    /// Sorted.
    terms: Vec<String>,
    /// `[a][b]`: a term starts with the letters a, b; `[a][0]`: a term is the one letter a.
    starts: Vec<[bool; 128]>,
    /// The same, listed: what a word worth analysing starts with, lowercased.
    prefixes: Vec<String>,
    analyzer: TextAnalyzer,
    /// A word as written, and the term it stems to.
    seen: HashMap<String, Option<usize>, foldhash::fast::RandomState>,
}

impl Matcher {
    fn new(mut terms: Vec<String>) -> Matcher {
        terms.sort();
        terms.dedup();
        let mut starts = vec![[false; 128]; 128];
        let mut prefixes = Vec::new();
        // A number's term (`2`) also matches its word ("two"), which begins elsewhere.
        let mut heads: Vec<&str> = Vec::new();
        for t in &terms {
            heads.push(t);
            for word in crate::stem::number_words_of(t) {
                heads.push(word);
            }
        }
        for t in heads.into_iter().map(str::as_bytes) {
            match *t {
                [a] if a.is_ascii() => {
                    starts[usize::from(a)][0] = true;
                    prefixes.push(char::from(a).to_string());
                }
                [a, b, ..] if a.is_ascii() && b.is_ascii() => {
                    starts[usize::from(a)][usize::from(b)] = true;
                    prefixes.push(format!("{}{}", char::from(a), char::from(b)));
                    // The joined form of a compound whose first part is one letter (`e-mail`,
                    // `O'Brien`; a curly apostrophe is found as a non-ASCII char).
                    prefixes.push(format!("{}-{}", char::from(a), char::from(b)));
                    prefixes.push(format!("{}'{}", char::from(a), char::from(b)));
                    if b == b'i' {
                        starts[usize::from(a)][usize::from(b'y')] = true;
                        prefixes.push(format!("{}y", char::from(a)));
                    }
                }
                _ => {}
            }
        }
        // A number's term (`1400`) is also written grouped ("1,400"), beginning `1,`.
        // (A longer lead group begins with the term's own first two digits.)
        for t in &terms {
            if t.len() >= 4 && t.bytes().all(|b| b.is_ascii_digit()) && (t.len() - 1) % 3 == 0 {
                prefixes.push(format!("{},", &t[..1]));
            }
        }
        prefixes.sort();
        prefixes.dedup();
        Matcher {
            terms,
            starts,
            prefixes,
            analyzer: crate::schema::snippet_analyzer(),
            seen: HashMap::default(),
        }
    }

    /// Every match in `text`: (start, end, term), in order, at most [`MAX_HITS_PER_TERM`] of
    /// each term.
    fn matches(&mut self, text: &str) -> Vec<(usize, usize, usize)> {
        // Going through the text char by char to split it into words took longer than the
        // rest of a search: the words worth analysing are found by a (SIMD) search for the
        // terms' first letters in the ASCII-lowercased text (the same byte offsets), and for
        // the few non-ASCII chars, which may begin or fold into anything.
        let lower = text.to_ascii_lowercase();
        let mut starts: Vec<usize> = Vec::new();
        // Only the char before a match is looked at: walking back to each match's word start
        // was quadratic in a long unbroken run (a pasted key, a base64 blob).
        let starts_word = |at: usize| {
            text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !crate::words::is_alnum(c))
        };
        for prefix in &self.prefixes {
            starts.extend(
                memchr::memmem::find_iter(lower.as_bytes(), prefix.as_bytes())
                    .filter(|&at| starts_word(at)),
            );
        }
        let bytes = text.as_bytes();
        let mut i = 0;
        // The word start found last, and how far the text after it is known to be one word:
        // every char of a long CJK run is non-ASCII, and walking back to the run's start from
        // each was quadratic (a 40 000-character run took 14 s to highlight).
        let mut known: Option<(usize, usize)> = None;
        while let Some(off) = first_non_ascii(&bytes[i..]) {
            let at = i + off;
            let c = text[at..].chars().next().unwrap_or(' ');
            i = at + c.len_utf8();
            let start_of = |at: usize| match known {
                Some((start, upto)) if text[upto..at].chars().all(crate::words::is_alnum) => start,
                _ => word_start(text, at),
            };
            // A non-ASCII hyphen (U+2010) or apostrophe may join a compound whose joined form
            // is a term.
            if crate::words::is_alnum(c) {
                let start = start_of(at);
                starts.push(start);
                known = Some((start, i));
            } else {
                if crate::words::is_joiner(c) {
                    let start = start_of(at);
                    if start < at {
                        starts.push(start);
                    }
                }
                known = None;
            }
        }
        starts.sort_unstable();
        starts.dedup();
        let mut hits = Vec::new();
        let mut per_term = vec![0usize; self.terms.len()];
        let mut hit = |start: usize, end: usize, k: usize| {
            if per_term[k] < MAX_HITS_PER_TERM {
                per_term[k] += 1;
                hits.push((start, end, k));
            }
        };
        // The end of the last word analysed whole: the words inside it are done.
        let mut done = 0;
        for start in starts {
            if start < done {
                continue;
            }
            if crate::words::possessive_at(text, start) {
                continue;
            }
            // A number grouped by commas is one word ("1,400" is `1400`), no part of a
            // compound: its groups are no words.
            let grouped = crate::words::grouped_number_at(text, start);
            if grouped.is_some_and(|(from, _)| from < start) {
                continue;
            }
            let end = word_end(text, start);
            let (from, to) = grouped.unwrap_or_else(|| compound_bounds(text, start, end));
            let word = &text[from..to];
            if from == start && to == end && !word.chars().any(crate::words::is_cjk) {
                if let Some(k) = self.term_of(word) {
                    hit(start, end, k);
                }
                continue;
            }
            done = to;
            let mut stream = self.analyzer.token_stream(word);
            while stream.advance() {
                let t = stream.token();
                if let Ok(k) = self.terms.binary_search_by(|x| x.as_str().cmp(&t.text)) {
                    hit(from + t.offset_from, from + t.offset_to, k);
                }
            }
        }
        // A compound's joined form starts with its first part.
        hits.sort_unstable();
        hits
    }

    /// The term one word (as the tokenizer splits text) stems to, if any.
    fn term_of(&mut self, word: &str) -> Option<usize> {
        let lower = |b: u8| usize::from(b.to_ascii_lowercase());
        let may_match = match *word.as_bytes() {
            [a, ..] if !a.is_ascii() => true,
            [_, b, ..] if !b.is_ascii() => true,
            [a] => self.starts[lower(a)][0],
            [a, b, ..] => self.starts[lower(a)][lower(b)],
            [] => false,
        };
        if !may_match {
            return None;
        }
        if let Some(&k) = self.seen.get(word) {
            return k;
        }
        // One token, the whole word, or none when the analyzer drops it (too long).
        let mut stream = self.analyzer.token_stream(word);
        let k = if stream.advance() {
            let stem = stream.token().text.as_str();
            self.terms.binary_search_by(|t| t.as_str().cmp(stem)).ok()
        } else {
            None
        };
        if self.seen.len() >= MATCHER_MEMO {
            self.seen.clear();
        }
        self.seen.insert(word.to_string(), k);
        k
    }
}

/// The start of the word (alphanumerics, as the tokenizer has them) holding the char at `at`.
fn word_start(text: &str, at: usize) -> usize {
    let before = &text[..at];
    before
        .char_indices()
        .rev()
        .take_while(|(_, c)| crate::words::is_alnum(*c))
        .last()
        .map_or(at, |(i, _)| i)
}

/// The bytes of the compound (`crate::words`: parts joined by hyphens or apostrophes) holding
/// the word `start..end`: the word itself when it is not part of one.
fn compound_bounds(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let plain = |c: Option<char>| c.is_some_and(crate::words::is_plain_alnum);
    loop {
        let mut before = text[..start].chars().rev();
        match (before.next(), before.clone().next()) {
            (Some(h), Some(c))
                if plain(Some(c))
                    && crate::words::joins_next_part(&text[start - h.len_utf8()..]) =>
            {
                let part = word_start(text, start - h.len_utf8() - c.len_utf8());
                // `x's-y`: the possessive `s` is no word, so no part of a compound; nor is
                // the last group of a grouped number (`3,000-year`).
                if crate::words::possessive_at(text, part)
                    || crate::words::grouped_number_at(text, part).is_some()
                {
                    break;
                }
                start = part;
            }
            _ => break,
        }
    }
    loop {
        let mut after = text[end..].chars();
        match (after.next(), after.next()) {
            (Some(h), Some(_))
                if plain(text[..end].chars().next_back())
                    && crate::words::joins_next_part(&text[end..]) =>
            {
                end = word_end(text, end + h.len_utf8());
            }
            _ => break,
        }
    }
    (start, end)
}

/// The end of the word starting at `at`.
fn word_end(text: &str, at: usize) -> usize {
    text[at..]
        .find(|c: char| !crate::words::is_alnum(c))
        .map_or(text.len(), |i| at + i)
}

/// Where a passage whose first match is at `first` starts: after the last sentence end within
/// `lead` bytes before it, else at the first word start past `first - lead`.
fn passage_start(text: &str, first: usize, lead: usize) -> usize {
    start_within(text, first.saturating_sub(lead), first, Sentence::Last)
}

/// Which sentence start [`start_within`] takes when there are several.
#[derive(Clone, Copy)]
enum Sentence {
    /// The earliest: the most of the text before a match.
    First,
    /// The latest: the sentence a match stands in.
    Last,
    /// None: the first word start.
    None,
}

/// Where a passage begun between `from` and `to` starts: after a sentence end (`which` of
/// them) in `from..to`, else at the first word start past `from`, else at `to`.
fn start_within(text: &str, from: usize, to: usize, which: Sentence) -> usize {
    let mut from = from.min(to);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    if from == 0 {
        return 0;
    }
    let before = &text[from..to];
    let mut ends = before
        .char_indices()
        .zip(before.chars().skip(1))
        .filter(|&((_, c), next)| {
            c == '\n' || (matches!(c, '.' | '!' | '?') && next.is_whitespace())
        });
    let sentence_end = match which {
        Sentence::First => ends.next(),
        Sentence::Last => ends.last(),
        Sentence::None => None,
    };
    if let Some(((i, c), _)) = sentence_end {
        // Past the mark and the spaces after it.
        return to - before[i + c.len_utf8()..].trim_start().len();
    }
    match before.find(char::is_whitespace) {
        Some(i) => to - before[i..].trim_start().len(),
        None => to,
    }
}

/// The last word boundary (a whitespace) after `from` and at or before `i`, or the end of the
/// text; `i` itself (on a char boundary) in a run of letters with no space.
fn word_boundary_before(text: &str, from: usize, i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    let mut i = i;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    match text[from..i].rfind(char::is_whitespace) {
        Some(ws) if ws > 0 => from + ws,
        _ => i,
    }
}

/// What [`top_with_bonus`] gives up precision for: the bound on a bonus is inflated by this
/// factor, so float rounding in tantivy's scoring can never make a skipped document a hit.
const BOUND_SLACK: f32 = 1.001;

/// Top hits and exact count of `main` scored with its `bonus` clauses (a [`Split`] query, or
/// none), narrowed by `filters` (which score 0), as `searcher.search(main + bonus + filters,
/// ByScore)` would find them, score for score.
///
/// Why by hand: the bonus is a sloppy phrase, and tantivy checks its positions in every
/// document holding all its words, tens of thousands for two common words: most of a two-word
/// search's time (crates/bench). A phrase scores at most what it would with as many matches as
/// its last word has occurrences (each match uses one), and that bound needs only term
/// frequencies and the field length. So positions are read only for documents whose score plus
/// that bound could still reach the current top. When the main query is plain words
/// ([`Conjunction`]), they are counted from their doc ids, and only documents that could reach
/// the top are scored at all.
fn top_with_bonus(
    searcher: &Searcher,
    main: Main<'_>,
    bonus: &[crate::query::Bonus],
    filters: &[Box<dyn Query>],
    page: std::ops::Range<usize>,
) -> Result<(Vec<(f32, DocAddress)>, usize), StoreError> {
    let scoring = tantivy::query::EnableScoring::enabled_from_searcher(searcher);
    let main = match main {
        Main::Words(words) => {
            let unscored = tantivy::query::EnableScoring::disabled_from_searcher(searcher);
            let mut weights = Vec::with_capacity(filters.len());
            for f in filters {
                weights.push(f.weight(unscored)?);
            }
            MainWeight::Words(words, weights)
        }
        // The filters score 0 (`filter_clauses`): narrowed by them, `main` keeps its scores.
        Main::Any(q) => MainWeight::Any(narrowed(q.box_clone(), filters).weight(scoring)?),
    };
    let clauses = bonus;
    let mut bonus = Vec::with_capacity(clauses.len());
    for b in clauses {
        let weight = b.query.weight(scoring)?;
        let bm25 = tantivy::query::Bm25Weight::for_terms(searcher, &b.terms)?.boost_by(b.boost);
        bonus.push((b, weight, bm25));
    }
    let segments = searcher.segment_readers();
    let floor = SharedFloor::default();
    let one = |(ord, seg): (usize, &tantivy::SegmentReader)| {
        segment_top(ord as u32, seg, &main, &bonus, page.end, &floor)
    };
    // Segments in parallel where the work is worth waking the pool for; each publishes the
    // lowest score its top holds, which is a floor for every segment (`SharedFloor`).
    let tops: Vec<Result<SegmentTop, StoreError>> = match &*SEARCH_THREADS {
        Some(pool) if segments.len() > 1 && main.is_heavy(searcher)? => pool
            .map(|s| Ok(one(s)), segments.iter().enumerate())
            .map_err(StoreError::from)?,
        _ => segments.iter().enumerate().map(one).collect(),
    };
    let mut top = top_n(page.end);
    let mut total = 0usize;
    for seg in tops {
        let (hits, count) = seg?;
        total += count;
        for d in hits {
            top.push(d.sort_key, d.doc);
        }
    }
    let hits = page_of(top, &page)
        .into_iter()
        .map(|((score, _), addr)| (score, addr))
        .collect();
    Ok((hits, total))
}

/// One segment's best hits (as many as the page needs) and its number of matches.
type SegmentTop = (
    Vec<tantivy::collector::ComparableDoc<(f32, u64), DocAddress>>,
    usize,
);

/// [`top_with_bonus`] on one segment.
fn segment_top(
    ord: u32,
    seg: &tantivy::SegmentReader,
    main: &MainWeight,
    bonus: &[(
        &crate::query::Bonus,
        Box<dyn tantivy::query::Weight>,
        tantivy::query::Bm25Weight,
    )],
    k: usize,
    floor: &SharedFloor,
) -> Result<SegmentTop, StoreError> {
    let mut ranking = Ranking::new(k, floor);
    let mut total = 0usize;
    let mut scorer = match main {
        MainWeight::Words(words, filters) => match words.segment(seg, filters)? {
            Some(walk) => MainScorer::Words(walk),
            None => return Ok((Vec::new(), 0)),
        },
        MainWeight::Any(m) => MainScorer::Any(m.scorer(seg, 1.0)?),
    };
    let mut clauses = Vec::with_capacity(bonus.len());
    for (b, weight, bm25) in bonus {
        if let Some(c) = SegmentBonus::open(seg, b, weight.as_ref(), bm25, &scorer)? {
            clauses.push(c);
        }
    }
    let mut seg = Scoring {
        seg,
        ord,
        ids: id_column(seg),
        bounds: vec![0f32; clauses.len()],
        clauses,
    };
    match &mut scorer {
        MainScorer::Words(walk) => {
            total += walk.count();
            // What each bonus clause may add, tied to the words it needs.
            for c in &seg.clauses {
                let shared: Option<Vec<usize>> = c
                    .words
                    .iter()
                    .map(|w| match w {
                        BonusWord::Shared(at) => Some(*at),
                        BonusWord::Own(_) => None,
                    })
                    .collect();
                walk.add_bound(shared.as_deref(), crate::conjunction::most(c.bm25));
            }
        }
        MainScorer::Any(_) => {}
    }
    let alive = seg.seg.alive_bitset();
    let mut doc = match &mut scorer {
        MainScorer::Words(walk) => walk.next(0, ranking.bar()),
        MainScorer::Any(s) => {
            use tantivy::DocSet;
            s.doc()
        }
    };
    while doc != tantivy::TERMINATED {
        match &mut scorer {
            MainScorer::Words(_) => seg.offer(doc, &mut scorer, &mut ranking)?,
            MainScorer::Any(_) => {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    total += 1;
                    seg.offer(doc, &mut scorer, &mut ranking)?;
                }
            }
        }
        doc = match &mut scorer {
            MainScorer::Words(walk) => walk.next(doc + 1, ranking.bar()),
            MainScorer::Any(s) => {
                use tantivy::DocSet;
                s.advance()
            }
        };
    }
    Ok((ranking.top.into_vec(), total))
}

/// The highest of the segments' floors so far (f32 bits; scores are never negative, so their
/// bits order as they do): k documents of one segment score at least that, so no document
/// below it, in any segment, is a hit.
#[derive(Default)]
struct SharedFloor(std::sync::atomic::AtomicU32);

impl SharedFloor {
    fn get(&self) -> Option<f32> {
        let bits = self.0.load(std::sync::atomic::Ordering::Relaxed);
        (bits > 0).then(|| f32::from_bits(bits))
    }

    fn raise(&self, score: f32) {
        if score > 0.0 {
            self.0
                .fetch_max(score.to_bits(), std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// A segment's best hits so far, and its k best scores (smallest on top): a document that
/// cannot beat the smallest, or the floor another segment has published, cannot be a hit.
struct Ranking<'f> {
    k: usize,
    top: TopN<DocAddress>,
    best: std::collections::BinaryHeap<std::cmp::Reverse<Ordered>>,
    shared: &'f SharedFloor,
}

impl Ranking<'_> {
    fn new(k: usize, shared: &SharedFloor) -> Ranking<'_> {
        Ranking {
            k,
            top: top_n(k),
            best: std::collections::BinaryHeap::with_capacity(k + 1),
            shared,
        }
    }

    /// The lowest score that can still be a hit, once there are k here or in another segment.
    fn floor(&self) -> Option<f32> {
        let own = (self.best.len() >= self.k).then(|| self.best.peek().map_or(0.0, |m| m.0.0));
        match (own, self.shared.get()) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// [`Ranking::floor`], lowered by [`BOUND_SLACK`]: what a bound must reach.
    fn bar(&self) -> Option<f32> {
        self.floor().map(|f| f / BOUND_SLACK)
    }

    fn push(&mut self, score: f32, id: u64, addr: DocAddress) {
        if may_enter(&self.top, score) {
            self.top.push((score, id), addr);
        }
        self.best.push(std::cmp::Reverse(Ordered(score)));
        if self.best.len() > self.k {
            self.best.pop();
        }
        if self.best.len() >= self.k
            && let Some(least) = self.best.peek()
        {
            self.shared.raise(least.0.0);
        }
    }
}

/// One segment's scoring: its bonus clauses and where their bounds go.
struct Scoring<'s, 'a> {
    seg: &'s tantivy::SegmentReader,
    ord: u32,
    ids: std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    clauses: Vec<SegmentBonus<'a>>,
    bounds: Vec<f32>,
}

impl Scoring<'_, '_> {
    /// Score `doc` (where `main` stands), its bonus only where it could matter, and rank it.
    fn offer(
        &mut self,
        doc: tantivy::DocId,
        main: &mut MainScorer<'_>,
        ranking: &mut Ranking,
    ) -> Result<(), StoreError> {
        let score = main.score();
        let mut room = 0f32;
        for (c, bound) in self.clauses.iter_mut().zip(self.bounds.iter_mut()) {
            *bound = c.bound(doc, main);
            room += *bound;
        }
        if ranking
            .floor()
            .is_some_and(|f| score + room * BOUND_SLACK < f)
        {
            return Ok(());
        }
        // As tantivy sums them: the bonus clauses among themselves (a union), then that onto
        // the main score. What is left of the room shrinks as clauses are read, and a document
        // that can no longer reach the floor is left there.
        let mut extra: Option<f32> = None;
        let mut matched = false;
        for (c, bound) in self.clauses.iter_mut().zip(&self.bounds) {
            room -= *bound;
            // An exact run follows the sloppy phrase of its words, which holds its matches.
            let read = *bound > 0.0 && (!c.exact || matched);
            matched = false;
            if !read {
                continue;
            }
            if ranking
                .floor()
                .is_some_and(|f| score + extra.unwrap_or(0.0) + (room + *bound) * BOUND_SLACK < f)
            {
                return Ok(());
            }
            if let Some(x) = c.score(self.seg, doc)? {
                extra = Some(extra.map_or(x, |e| e + x));
                matched = true;
            }
        }
        let score = extra.map_or(score, |e| score + e);
        ranking.push(score, self.ids.get_val(doc), DocAddress::new(self.ord, doc));
        Ok(())
    }
}

/// The main query of a search [`top_with_bonus`] scores: plain words, walked from their
/// postings, or any other query, as tantivy scores it.
enum Main<'q> {
    Words(Conjunction),
    Any(&'q dyn Query),
}

impl<'q> Main<'q> {
    fn of(searcher: &Searcher, query: &'q dyn Query) -> Result<Main<'q>, StoreError> {
        Ok(match Conjunction::of(searcher, query)? {
            Some(words) => Main::Words(words),
            None => Main::Any(query),
        })
    }
}

/// [`Main`] made ready for the segments: the words with the filters they are ANDed with, or
/// the other query's weight, already narrowed by the filters.
enum MainWeight {
    Words(Conjunction, Vec<Box<dyn tantivy::query::Weight>>),
    Any(Box<dyn tantivy::query::Weight>),
}

impl MainWeight {
    /// Whether the segments take long enough to search on several threads: the pool's wake-up
    /// costs about what a rare word takes in all.
    fn is_heavy(&self, searcher: &Searcher) -> Result<bool, StoreError> {
        match self {
            MainWeight::Words(words, _) => Ok(words.candidates(searcher)? >= HEAVY_CANDIDATES),
            // Anything else walked here is read with its bonus's positions.
            MainWeight::Any(_) => Ok(true),
        }
    }
}

/// Documents a walk may have to visit above which the segments are walked in parallel. The
/// unit tests walk their small indexes in parallel: the way where segments share a floor while
/// they run.
const HEAVY_CANDIDATES: u64 = if cfg!(test) { 1 } else { 20_000 };

/// The main query's walk over one segment: plain words from their postings, or anything else
/// as tantivy scores it.
enum MainScorer<'a> {
    Words(SegmentConjunction<'a>),
    Any(Box<dyn tantivy::query::Scorer>),
}

impl MainScorer<'_> {
    fn score(&mut self) -> f32 {
        match self {
            MainScorer::Words(w) => w.score(),
            MainScorer::Any(s) => s.score(),
        }
    }
}

/// An f32 score with a total order (scores are never NaN; `total_cmp` keeps it safe anyway).
#[derive(Clone, Copy, PartialEq)]
struct Ordered(f32);

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// One bonus clause on one segment: the frequencies of its words (for the bound) and, opened
/// on first need, its phrase scorer.
struct SegmentBonus<'a> {
    weight: &'a dyn tantivy::query::Weight,
    bm25: &'a tantivy::query::Bm25Weight,
    words: Vec<BonusWord>,
    norms: tantivy::fieldnorm::FieldNormReader,
    phrase: Option<Box<dyn tantivy::query::Scorer>>,
    /// No phrase match below this document (what the scorer last told).
    next: tantivy::DocId,
    /// An exact phrase: each match uses one occurrence of every word.
    exact: bool,
    /// An exact phrase's pairs, in a segment the list covers: each match holds one of each.
    pairs: Vec<tantivy::postings::SegmentPostings>,
}

/// Where a bonus clause reads a word's frequency: the main query's own postings of that term,
/// when it walks them, or postings of its own.
enum BonusWord {
    Shared(usize),
    Own(Box<tantivy::postings::SegmentPostings>),
}

impl<'a> SegmentBonus<'a> {
    /// `None` when a word is missing from the segment: the clause matches nothing there.
    fn open(
        seg: &tantivy::SegmentReader,
        b: &crate::query::Bonus,
        weight: &'a dyn tantivy::query::Weight,
        bm25: &'a tantivy::query::Bm25Weight,
        main: &MainScorer<'_>,
    ) -> Result<Option<SegmentBonus<'a>>, StoreError> {
        let Some(field) = b.terms.first().map(|t| t.field()) else {
            return Ok(None);
        };
        let inv = seg.inverted_index(field)?;
        let mut words = Vec::with_capacity(b.terms.len());
        for t in &b.terms {
            if let MainScorer::Words(w) = main
                && let Some(at) = w.find(t)
            {
                words.push(BonusWord::Shared(at));
                continue;
            }
            match inv
                .read_postings(t, IndexRecordOption::WithFreqs)
                .map_err(tantivy::TantivyError::from)?
            {
                Some(p) => words.push(BonusWord::Own(Box::new(p))),
                None => return Ok(None),
            }
        }
        let mut pairs = Vec::new();
        if let Some((terms, marker)) = &b.pairs
            && crate::pairs::covered(seg, marker)?
        {
            let inv = seg.inverted_index(marker.field())?;
            for t in terms {
                match inv
                    .read_postings(t, IndexRecordOption::WithFreqs)
                    .map_err(tantivy::TantivyError::from)?
                {
                    Some(p) => pairs.push(p),
                    None => return Ok(None),
                }
            }
        }
        Ok(Some(SegmentBonus {
            weight,
            bm25,
            words,
            norms: seg.get_fieldnorms_reader(field)?,
            phrase: None,
            next: 0,
            exact: b.exact,
            pairs,
        }))
    }

    /// The most the clause can score on `doc`, where `main` stands (0 when a word is missing:
    /// then it cannot match).
    fn bound(&mut self, doc: tantivy::DocId, main: &MainScorer<'_>) -> f32 {
        use tantivy::DocSet;
        use tantivy::postings::Postings;
        let mut most = 0;
        let mut least = u32::MAX;
        for w in &mut self.words {
            let freq = match (w, main) {
                (BonusWord::Shared(at), MainScorer::Words(m)) => m.term_freq(*at),
                (BonusWord::Shared(_), MainScorer::Any(_)) => 0,
                (BonusWord::Own(p), _) => {
                    if p.doc() < doc {
                        p.seek(doc);
                    }
                    if p.doc() == doc { p.term_freq() } else { 0 }
                }
            };
            if freq == 0 {
                return 0.0;
            }
            most = most.max(freq);
            least = least.min(freq);
        }
        // Each occurrence of an exact run holds one of each of its pairs too.
        for p in &mut self.pairs {
            if p.doc() < doc {
                p.seek(doc);
            }
            if p.doc() != doc {
                return 0.0;
            }
            least = least.min(p.term_freq());
        }
        // Every match of a sloppy phrase uses up one occurrence of the last word tantivy
        // intersects, and with two words (or none between them: a run) one of each. That last
        // word is the commonest, not the phrase's last: tantivy intersects postings rarest
        // first. Which is commonest in this segment is tantivy's to tell, so the bound takes
        // the most occurrences of any.
        let matches = if self.words.len() == 2 || self.exact {
            least
        } else {
            most
        };
        self.bm25.score(self.norms.fieldnorm_id(doc), matches)
    }

    /// The clause's exact score on `doc`, `None` when it does not match there. `doc` must grow
    /// from call to call.
    fn score(
        &mut self,
        seg: &tantivy::SegmentReader,
        doc: tantivy::DocId,
    ) -> Result<Option<f32>, StoreError> {
        use tantivy::SeekDangerResult::{Found, SeekLowerBound};
        if doc < self.next {
            return Ok(None);
        }
        // `seek_danger` checks positions on `doc` alone, where `seek` would go on to the next
        // match, reading positions of documents that were meant to be skipped.
        let found = match &mut self.phrase {
            Some(p) => p.seek_danger(doc),
            None => {
                let (found, p) = self.weight.scorer_danger(seg, doc, 1.0)?;
                self.phrase = Some(p);
                found
            }
        };
        match (found, &mut self.phrase) {
            (Found, Some(p)) => {
                self.next = doc + 1;
                Ok(Some(p.score()))
            }
            (SeekLowerBound(next), _) => {
                self.next = next;
                Ok(None)
            }
            (Found, None) => Ok(None),
        }
    }
}

/// `query` with its phrases' quotes (and their `~N`) taken off, when it has a phrase and no
/// excluded one (`-"…"`, whose words unquoted would exclude only the first). A phrase in a
/// field (`title:"…"`) becomes its words in that field.
fn unquote(query: &str) -> Option<String> {
    if !query.contains('"') || query.contains("-\"") {
        return None;
    }
    let mut out = String::with_capacity(query.len() * 2);
    let mut rest = query;
    while let Some(open) = rest.find('"') {
        let (before, after) = rest.split_at(open);
        let after = &after[1..];
        // The field the phrase is in, if it follows one (`title:"`).
        let field = before
            .strip_suffix(':')
            .map(|b| {
                let start = b
                    .char_indices()
                    .rev()
                    .find(|(_, c)| !crate::words::is_alnum(*c));
                &b[start.map_or(0, |(i, c)| i + c.len_utf8())..]
            })
            .filter(|f| {
                ["title", "author", "category", "feed"]
                    .iter()
                    .any(|name| f.eq_ignore_ascii_case(name))
            });
        let (phrase, tail) = match after.find('"') {
            Some(close) => (&after[..close], &after[close + 1..]),
            None => (after, ""),
        };
        match field {
            Some(f) => out.push_str(&before[..before.len() - f.len() - 1]),
            None => out.push_str(before),
        }
        for word in phrase.split_whitespace() {
            out.push(' ');
            if let Some(f) = field {
                out.push_str(f);
                out.push(':');
            }
            out.push_str(word);
        }
        out.push(' ');
        // A closed phrase's proximity (`"…"~2`) goes with its quotes.
        rest = match tail.strip_prefix('~') {
            Some(t) if after.contains('"') => t.trim_start_matches(|c: char| c.is_ascii_digit()),
            _ => tail,
        };
    }
    out.push_str(rest);
    Some(out)
}

/// Threads that search segments side by side, when the machine has more than one core.
static SEARCH_THREADS: std::sync::LazyLock<Option<tantivy::Executor>> =
    std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        (cores > 1)
            .then(|| tantivy::Executor::multi_thread(cores.min(4), "kb-search-").ok())
            .flatten()
    });

/// `searcher.search`, with the index's segments searched in parallel where there are cores
/// for it and the query reads positions: a phrase must read the positions of every document
/// holding all its words, and splitting that work is the one way to shorten it. Other queries
/// stay on this thread: waking the pool costs more than they take (a rare word: 0.2 ms).
fn search_segments<C: tantivy::collector::Collector>(
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let mut positions = false;
    query.query_terms(&mut |_, needs_positions| positions |= needs_positions);
    match &*SEARCH_THREADS {
        Some(pool) if positions && searcher.segment_readers().len() > 1 => searcher
            .search_with_executor(
                query,
                collector,
                pool,
                tantivy::query::EnableScoring::enabled_from_searcher(searcher),
            ),
        _ => searcher.search(query, collector),
    }
}

/// Best score first, equal scores by id (so every build of the index orders them alike), and
/// the number of matches: what `(TopDocs::tweak_score(score, id), Count)` gives, hit for hit.
///
/// Why not that pair: it looks up the id of every matching document before the top-k even
/// compares scores, and a common word matches most of the index. Here a document whose score
/// is already below the current top-k's threshold is counted and dropped without the lookup.
struct ByScore {
    page: std::ops::Range<usize>,
}

type Ranked = Vec<((f32, u64), DocAddress)>;

type TopN<D> = tantivy::collector::TopNComputer<
    (f32, u64),
    D,
    tantivy::collector::sort_key::NaturalComparator,
>;

fn top_n<D: Ord>(k: usize) -> TopN<D> {
    TopN::new_with_comparator(k, tantivy::collector::sort_key::NaturalComparator)
}

/// Whether a document scoring `score` can still enter `top`: below the threshold it cannot,
/// whatever its id.
fn may_enter<D: Ord>(top: &TopN<D>, score: f32) -> bool {
    top.threshold.is_none_or(|(t, _)| score >= t)
}

struct ByScoreSegment {
    top: TopN<tantivy::DocId>,
    ids: std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    ord: u32,
    count: usize,
}

impl tantivy::collector::Collector for ByScore {
    type Fruit = (Ranked, usize);
    type Child = ByScoreSegment;

    fn for_segment(
        &self,
        ord: u32,
        seg: &tantivy::SegmentReader,
    ) -> tantivy::Result<ByScoreSegment> {
        Ok(ByScoreSegment {
            top: top_n(self.page.end),
            ids: id_column(seg),
            ord,
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<(Ranked, usize)>) -> tantivy::Result<(Ranked, usize)> {
        // As tantivy merges its segments' top-k.
        let mut top = top_n(self.page.end);
        let mut total = 0;
        for (hits, n) in fruits {
            total += n;
            for (key, addr) in hits {
                top.push(key, addr);
            }
        }
        Ok((page_of(top, &self.page), total))
    }
}

impl tantivy::collector::SegmentCollector for ByScoreSegment {
    type Fruit = (Ranked, usize);

    fn collect(&mut self, doc: tantivy::DocId, score: f32) {
        self.count += 1;
        if may_enter(&self.top, score) {
            self.top.push((score, self.ids.get_val(doc)), doc);
        }
    }

    fn harvest(self) -> (Ranked, usize) {
        let ord = self.ord;
        let hits = self
            .top
            .into_vec()
            .into_iter()
            .map(|d| (d.sort_key, DocAddress::new(ord, d.doc)))
            .collect();
        (hits, self.count)
    }
}

/// The requested page of a top-k, best first.
fn page_of(top: TopN<DocAddress>, page: &std::ops::Range<usize>) -> Ranked {
    if page.is_empty() {
        return Vec::new();
    }
    top.into_sorted_vec()
        .into_iter()
        .skip(page.start)
        .map(|d| (d.sort_key, d.doc))
        .collect()
}

/// The page `offset..offset + limit`, cut to the documents there are: collectors set room aside
/// for a whole page up front, and `kb search x --limit 4294967296` asked for 206 GB of it (an
/// abort), `--limit 18446744073709551615` for more than fits in memory at all. A page past the
/// last document stays past it, so it is empty; a limit of 0 (only the total) collects one.
fn page_within(searcher: &Searcher, offset: usize, limit: usize) -> (usize, usize) {
    let docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let offset = offset.min(docs);
    (offset, limit.clamp(1, (docs - offset).max(1)))
}

/// Newest first (undated last); equal dates by id. Nothing in the index says when an undated
/// article was first stored, so the undated come in id order: arbitrary, but reproducible.
fn by_date(
    page: TopDocs,
) -> impl tantivy::collector::Collector<Fruit = Vec<((i64, u64), DocAddress)>> {
    page.order_by(|seg: &tantivy::SegmentReader| {
        let ids = id_column(seg);
        let published = seg.fast_fields().i64("published").ok();
        move |doc: tantivy::DocId| {
            let t = published
                .as_ref()
                .and_then(|c| c.first(doc))
                .unwrap_or(i64::MIN);
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
    use super::{Matcher, first_non_ascii, focus};
    use crate::schema::snippet_analyzer;

    #[test]
    fn first_non_ascii_finds_the_first_byte_past_ascii() {
        for len in 0..40 {
            for at in 0..=len {
                let mut b = vec![b'a'; len];
                if at < len {
                    b[at] = 0xC3;
                }
                let want = (at < len).then_some(at);
                assert_eq!(first_non_ascii(&b), want, "len {len} at {at}");
                if at + 1 < len {
                    b[at + 1] = 0xFF;
                    assert_eq!(first_non_ascii(&b), want, "len {len} at {at}, two");
                }
            }
        }
    }

    fn focus_on(text: &str, terms: &[&str]) -> (usize, usize) {
        let mut matcher = Matcher::new(terms.iter().map(|t| t.to_string()).collect());
        focus(text, &mut matcher, 180)
    }

    #[test]
    fn focus_finds_the_densest_passage_on_char_and_word_boundaries() {
        let filler = "lorem ipsum dolor sit amet é ".repeat(200);
        let text = format!(
            "{filler}a referral is what we want, and only much later a program{filler}the Referral program pays{filler}referral again{filler}"
        );
        let (a, b) = focus_on(&text, &["referr", "program"]);
        let w = &text[a..b];
        assert!(w.contains("Referral program"), "{w}");
        assert!(b - a <= 180);
        assert!(w.starts_with(|c: char| !c.is_whitespace()));
    }

    /// Words are found as the index analyses them: folded, stemmed, whole. A raw-text scan
    /// missed the first two and took the cafeteria for a café.
    #[test]
    fn focus_finds_words_by_their_analysis() {
        let filler = "lorem ipsum dolor sit amet ".repeat(40);
        for (later, terms) in [
            ("the weather at the CAFÉ", ["cafe", "weather"]),
            (
                "the weather report from the Company",
                ["compani", "weather"],
            ),
        ] {
            let text = format!(
                "The weather was grey. {filler} a cafeteria, companions. {filler} {later}. {filler}"
            );
            let (a, b) = focus_on(&text, &terms);
            assert!(text[a..b].contains(later), "{terms:?}: {}", &text[a..b]);
        }
    }

    /// Skipping words by their first letters finds every match the analyzer finds: each stem of
    /// a text full of odd words, looked for alone, is found wherever a token of it is.
    #[test]
    fn matches_finds_every_token_of_each_stem() {
        let feed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/smbitpros.xml"
        ))
        .expect("seed fixture");
        let text = format!(
            "Dying lying TYING skies Skis ugly early only gently singly idly news Café ÉCOLE ﬁne \
             Ærø cæsar isn’t don't 3D x Y Ünïcödé naïve Ölfarbe ÆTHER Wi-Fi e‐mail x-ray-ed \
             a-b-c CVE-2023-6246 版Wi-Fi東京の新しいオフィス -x- y--z 東-a owner's OWNER’S \
             x’s-y-z wi-fi's 's 東's x'sy Xi’an O'Brien’s we'll I’D rock'n'roll ma'am-ish \
             $1,400 (2,150) 3,000-year-old 1.234,567 v1,234 0,500 1,000's 9,999,999 {}{feed}",
            "y".repeat(70)
        );
        let mut tokens = Vec::new();
        let mut whole = snippet_analyzer();
        let mut stream = whole.token_stream(&text);
        while stream.advance() {
            let t = stream.token();
            tokens.push((t.offset_from, t.offset_to, t.text.clone()));
        }
        // Every stem, the joined forms of compounds too.
        let mut stems: Vec<String> = tokens.iter().map(|t| t.2.clone()).collect();
        stems.sort();
        stems.dedup();
        for joined in [
            "wifi",
            "email",
            "xray",
            "abc",
            "cve20236246",
            "xian",
            "obrien",
            "isnt",
            "dont",
            "rocknrol",
            "maamish",
            "1400",
            "3000",
            "9999999",
            "東京",
            "オフ",
        ] {
            assert!(stems.iter().any(|s| s.starts_with(joined)), "{joined}");
        }
        for stem in &stems {
            let want: Vec<(usize, usize, usize)> = tokens
                .iter()
                .filter(|t| &t.2 == stem)
                .take(super::MAX_HITS_PER_TERM)
                .map(|t| (t.0, t.1, 0))
                .collect();
            let mut matcher = Matcher::new(vec![stem.clone()]);
            assert_eq!(matcher.matches(&text), want, "{stem}");
            // Again, from the memo.
            assert_eq!(matcher.matches(&text), want, "{stem}");
        }
        assert!(stems.len() > 1000, "{}", stems.len());
    }

    /// Found by using kb on golem.de's feed: an article whose word stood last in its text
    /// showed "…(Linux-Kernel, Linux)", 21 of its 180 characters, the sentences before left out.
    #[test]
    fn a_passage_at_the_end_of_the_text_takes_its_room_before() {
        let text = "Wichtige Patches, die in stabilen Kernel-Versionen landen sollten, werden von \
                    der Linux-Community oft vergessen oder übersehen. Abhilfe schaffen soll \
                    offenbar Machine Learning, wie die Entwickler Sasha Levin und Julia Lawall \
                    erklären. (Linux-Kernel, Linux)";
        let (a, b) = focus_on(text, &["linux"]);
        assert_eq!(&text[a..b], &text[text.find("Abhilfe").unwrap_or(0)..]);
        // No sentence starts in the room: the first whole word in it.
        let words = "one two three four five six seven eight nine ten ".repeat(6);
        let text = format!("{words}linux");
        let (a, b) = focus_on(&text, &["linux"]);
        assert_eq!(b, text.len());
        assert!(b - a <= 180 && b - a > 170, "{}", &text[a..b]);
        assert!(text[..a].ends_with(' '), "{}", &text[a..b]);
        // One long sentence before the match: its words, not the match alone again.
        let text = format!("{}erklären. (Linux-Kernel, Linux)", "wort ".repeat(60));
        let (a, b) = focus_on(&text, &["linux"]);
        assert_eq!(b, text.len());
        assert!(b - a > 170, "{}", &text[a..b]);
        assert!(text[a..].starts_with("wort "), "{}", &text[a..b]);
    }

    #[test]
    fn short_texts_and_misses_keep_everything() {
        assert_eq!(focus_on("short text", &["x"]), (0, 10));
        let long = "é".repeat(200);
        assert_eq!(focus_on(&long, &["zzz"]), (0, long.len()));
    }
}

#[cfg(test)]
mod unquote_tests {
    use super::unquote;

    #[test]
    fn quotes_come_off_phrases_and_scoped_phrases_become_scoped_words() {
        let words =
            |q: &str| unquote(q).map(|u| u.split_whitespace().collect::<Vec<_>>().join(" "));
        assert_eq!(words("plain words"), None);
        assert_eq!(words("a -\"b c\""), None);
        assert_eq!(
            words("\"ship of x\"~2 plank"),
            Some("ship of x plank".into())
        );
        assert_eq!(
            words("Title:\"ship x\" author:\"ann lee\""),
            Some("Title:ship Title:x author:ann author:lee".into())
        );
        // No field: the word before the colon stays as it was typed.
        assert_eq!(words("xtitle:\"a b\""), Some("xtitle: a b".into()));
        // Whatever stands before the field name, a character of any width.
        assert_eq!(words("«title:\"a b\""), Some("« title:a title:b".into()));
        assert_eq!(words("é:\"a\""), Some("é: a".into()));
        // An unclosed quote: to the end; its `~` is a word like any other.
        assert_eq!(words("\"a b~2"), Some("a b~2".into()));
    }
}

#[cfg(test)]
mod ranking_tests {
    use std::time::Duration;

    use super::*;
    use crate::WriteLock;
    use crate::query::text_query;

    /// A fixed sequence of pseudo-random numbers (xorshift64) from `seed`, for word soups.
    fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    fn article(n: u64, version: usize, title: &str, text: &str) -> Article {
        Article {
            id: format!("{:016x}", n.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            feed: "f".into(),
            guid: None,
            url: None,
            title: title.into(),
            author: None,
            categories: Vec::new(),
            published: None,
            updated: None,
            comments: None,
            comments_url: None,
            summary: String::new(),
            text: text.into(),
            html: String::new(),
            links: Vec::new(),
            enclosure: None,
            content_hash: format!("{n}-{version}"),
        }
    }

    /// A new, empty KB in a temporary directory, with its write lock held.
    fn empty_kb() -> (tempfile::TempDir, WriteLock, Kb) {
        let dir = tempfile::tempdir().expect("temp dir");
        let lock = WriteLock::acquire(dir.path(), Duration::ZERO).expect("lock");
        let kb = Kb::open_or_create(dir.path(), &lock).expect("kb");
        (dir, lock, kb)
    }

    /// Word soup over a small vocabulary, in three commits (so several segments), rewriting
    /// some articles on the way (so segments hold deleted documents).
    fn soup() -> (tempfile::TempDir, Kb) {
        soup_sampled(None)
    }

    /// [`soup`], with the writers choosing their list of frequent pairs after `sample`
    /// articles (`None`: the default, which the soup never reaches).
    fn soup_sampled(sample: Option<usize>) -> (tempfile::TempDir, Kb) {
        let (dir, lock, kb) = empty_kb();
        let words = [
            "alpha", "beta", "gamma", "delta", "filler", "more", "text", "alpha",
        ];
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        for batch in 0..3u64 {
            let mut w = kb.writer(&lock).expect("writer");
            if let Some(n) = sample {
                w.set_pair_sample(n);
            }
            for i in 0..150 {
                let len = 3 + next() % 80;
                let text: Vec<&str> = (0..len).map(|_| words[(next() % 8) as usize]).collect();
                let title = match next() % 6 {
                    0 => "alpha and beta",
                    1 => "beta gamma alpha",
                    _ => "delta",
                };
                w.upsert(&article(batch * 150 + i, 0, title, &text.join(" ")))
                    .expect("upsert");
            }
            for n in 0..10 * batch {
                w.upsert(&article(
                    n,
                    batch as usize,
                    "beta alpha",
                    "alpha beta alpha",
                ))
                .expect("rewrite");
            }
            w.commit().expect("commit");
        }
        kb.reload().expect("reload");
        drop(kb);
        // Opened again: the list of frequent pairs comes with the opening.
        let kb = Kb::open(dir.path()).expect("open");
        (dir, kb)
    }

    /// What tantivy's own collectors make of the whole query.
    fn reference(
        searcher: &Searcher,
        query: &dyn Query,
        page: &std::ops::Range<usize>,
    ) -> (Vec<(u32, DocAddress)>, usize) {
        let top = TopDocs::with_limit(page.len())
            .and_offset(page.start)
            .tweak_score(|seg: &tantivy::SegmentReader| {
                let ids = id_column(seg);
                move |doc: tantivy::DocId, score: f32| (score, ids.get_val(doc))
            });
        let (docs, n) = searcher.search(query, &(top, Count)).expect("reference");
        (bits(docs.into_iter().map(|((s, _), a)| (s, a))), n)
    }

    /// Scores as bits: equal means bit-identical, not merely close.
    fn bits(hits: impl IntoIterator<Item = (f32, DocAddress)>) -> Vec<(u32, DocAddress)> {
        hits.into_iter().map(|(s, a)| (s.to_bits(), a)).collect()
    }

    /// The main query and bonus clauses of `text`, as `ranked` hands them to the walk.
    fn main_and_bonus(text: &TextQuery) -> (&dyn Query, &[crate::query::Bonus]) {
        match &text.split {
            Some(split) => (&*split.main, &split.bonus[..]),
            None => (&*text.query, &[][..]),
        }
    }

    /// Asserts that `q` is walked from its postings and that the walk ranks each page, score
    /// bits and count, as tantivy's own search of the whole query; the counts, page by page.
    fn assert_walked_as_tantivy(
        searcher: &Searcher,
        text: &TextQuery,
        q: &str,
        pages: &[std::ops::Range<usize>],
    ) -> Vec<usize> {
        let (main, bonus) = main_and_bonus(text);
        assert!(
            crate::conjunction::Conjunction::of(searcher, main)
                .expect("conjunction")
                .is_some(),
            "{q} is walked from its postings: {main:?}"
        );
        let mut counts = Vec::with_capacity(pages.len());
        for page in pages {
            let want = reference(searcher, &*text.query, page);
            let walked = Main::of(searcher, main).expect("main");
            let (got, n) =
                top_with_bonus(searcher, walked, bonus, &[], page.clone()).expect("search");
            assert_eq!((bits(got), n), want, "{q} {page:?}");
            counts.push(want.1);
        }
        counts
    }

    /// A bonus clause's bound is what lets the walk skip reading its positions, so no
    /// document may score more than it. Found when a closeness bonus of slop 7 over four words
    /// ranked otherwise than tantivy: the bound counted the matches by the phrase's last word,
    /// but tantivy intersects its words commonest last, and words packed close together gave
    /// a phrase more matches than its last word had occurrences. Here the last words are the
    /// rare ones (the old bound failed at slop 2 over three words).
    #[test]
    fn no_bonus_scores_above_its_bound() {
        let (_dir, lock, kb) = empty_kb();
        let words = [
            "often", "often", "often", "often", "some", "some", "seldom", "zz",
        ];
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let mut w = kb.writer(&lock).expect("writer");
        for i in 0..400 {
            let len = 2 + next() % 30;
            let text: Vec<&str> = (0..len).map(|_| words[(next() % 8) as usize]).collect();
            w.upsert(&article(i, 0, "t", &text.join(" ")))
                .expect("upsert");
        }
        w.commit().expect("commit");
        kb.reload().expect("reload");
        let searcher = kb.reader.searcher();
        let scoring = tantivy::query::EnableScoring::enabled_from_searcher(&searcher);
        let body = kb.fields.body;
        let mut checked = 0;
        for phrase in [
            &["often", "some", "seldom"][..],
            &["some", "often", "seldom"],
            &["often", "often", "some", "seldom"],
            &["some", "often", "zz", "seldom"],
        ] {
            let terms: Vec<Term> = phrase
                .iter()
                .map(|w| Term::from_field_text(body, w))
                .collect();
            // Slop 0: the exact run, bounded by its fewest word.
            for slop in [0, 2, 4, 6, 8] {
                let query: Box<dyn Query> =
                    Box::new(tantivy::query::PhraseQuery::new_with_offset_and_slop(
                        terms.iter().cloned().enumerate().collect(),
                        slop,
                    ));
                let bonus = crate::query::Bonus {
                    query: query.box_clone(),
                    terms: terms.clone(),
                    boost: 1.0,
                    exact: slop == 0,
                    pairs: None,
                };
                let weight = query.weight(scoring).expect("weight");
                let bm25 = tantivy::query::Bm25Weight::for_terms(&searcher, &terms).expect("bm25");
                for seg in searcher.segment_readers() {
                    let main = MainScorer::Any(Box::new(tantivy::query::EmptyScorer));
                    let Some(mut clause) =
                        SegmentBonus::open(seg, &bonus, weight.as_ref(), &bm25, &main)
                            .expect("open")
                    else {
                        continue;
                    };
                    for doc in 0..seg.max_doc() {
                        let bound = clause.bound(doc, &main);
                        if let Some(score) = clause.score(seg, doc).expect("score") {
                            assert!(
                                score <= bound * BOUND_SLACK,
                                "{phrase:?}~{slop} on doc {doc}: {score} above its bound {bound}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "{checked} matches checked");
    }

    #[test]
    fn skipping_the_bonus_where_it_cannot_matter_ranks_exactly_as_tantivy() {
        let (_dir, kb) = soup();
        let searcher = kb.reader.searcher();
        assert!(searcher.segment_readers().len() > 1);
        let pages = [0..1, 0..10, 5..25, 0..1000];
        for q in [
            "alpha beta",
            "beta alpha gamma",
            "alpha alpha",
            "alpha beta -delta",
            "alpha beta title:gamma",
            "alpha beta gamma delta more",
            "filler \"alpha beta\" text",
        ] {
            let text = text_query(&kb, q).expect("query");
            let split = text.split.as_ref().expect("several plain words");
            for page in &pages {
                let want = reference(&searcher, &*text.query, page);
                // Walked from postings where it can be, and as tantivy scores any query: the
                // same hits either way.
                let walked = Main::of(&searcher, &*split.main).expect("main");
                for main in [walked, Main::Any(&*split.main)] {
                    let (got, n) = top_with_bonus(&searcher, main, &split.bonus, &[], page.clone())
                        .expect("search");
                    assert_eq!((bits(got), n), want, "{q} {page:?}");
                }
                assert!(want.1 > 0, "{q}");
            }
        }
    }

    /// Plain words, one or several, are scored from their postings (`crate::conjunction`),
    /// skipping the documents that cannot reach the top: the hits, their scores (to the bit)
    /// and the count must be what tantivy's own intersections find, with the words in any field
    /// (title, body, categories, author, URL), in several segments with deleted documents, at
    /// any page.
    #[test]
    fn plain_words_walked_from_their_postings_rank_exactly_as_tantivy() {
        let (dir, lock, kb) = empty_kb();
        // Common words and rare ones, so the tops are set by different fields.
        // `colour` and `color`: one word spelled two ways, which a query reads as the best of
        // both in each field (`Part::Best`).
        let vocab = [
            "server", "backup", "client", "server", "network", "budget", "proposal", "the",
            "server", "cloud", "backup", "printer", "colour", "color",
        ];
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        let mut pick = |n: u64| -> Vec<&str> {
            (0..n)
                .map(|_| vocab[(next() % vocab.len() as u64) as usize])
                .collect()
        };
        for batch in 0..3u64 {
            let mut w = kb.writer(&lock).expect("writer");
            // Frequent pairs chosen after 100 articles (the writer adds those again with
            // them), so a phrase on the body goes by its pair term.
            w.set_pair_sample(100);
            for i in 0..300 {
                let n = batch * 300 + i;
                // Words of its own after the soup: the body holds more words than pairs,
                // so a phrase's field lengths (the body's) differ from its pair term's.
                let own: Vec<String> = (0..n % 40).map(|i| format!("z{}", n * 41 + i)).collect();
                let text = format!("{} {}", pick(5 + n % 120).join(" "), own.join(" "));
                let title = pick(1 + n % 4).join(" ");
                let mut a = article(n, 0, &title, &text);
                if n % 7 == 0 {
                    a.categories = vec![pick(1).join(" ")];
                }
                if n % 11 == 0 {
                    a.author = Some(format!("{} smith", pick(1).join(" ")));
                }
                if n % 5 == 0 {
                    a.url = Some(format!("https://example.com/{}", pick(2).join("/")));
                }
                if n % 3 != 0 {
                    a.published =
                        chrono::DateTime::from_timestamp(1_262_304_000 + n as i64 * 86_400, 0);
                }
                w.upsert(&a).expect("upsert");
            }
            // Rewritten: the older copies stay behind as deleted documents.
            for n in (0..batch * 300).step_by(13) {
                w.upsert(&article(
                    n,
                    batch as usize,
                    "printer cloud",
                    "server budget",
                ))
                .expect("rewrite");
            }
            w.commit().expect("commit");
        }
        drop(kb);
        // Opened again: the list of frequent pairs comes with the opening.
        let kb = Kb::open(dir.path()).expect("open");
        let searcher = kb.reader.searcher();
        assert!(searcher.segment_readers().len() > 1);
        assert!(
            searcher
                .segment_readers()
                .iter()
                .any(|s| s.num_deleted_docs() > 0)
        );
        let pages = [0..1, 0..10, 3..13, 0..2000];
        for q in [
            "server backup",
            "backup server",
            "proposal budget",
            "printer cloud",
            "the server",
            "server server",
            "smith budget",
            "example printer",
            "server backup cloud",
            "the backup printer network",
            "budget server proposal client cloud the",
            "colour server",
            "printer color backup",
        ] {
            let text = text_query(&kb, q).expect("query");
            assert!(text.split.is_some(), "several plain words: {q}");
            assert_walked_as_tantivy(&searcher, &text, q, &pages);
        }
        // Widened (a word no article holds, nothing close to it): enough of the words, each
        // held adding its rarity, little words ranking only, walked the same way.
        for q in [
            "server backup zzqx",
            "proposal budget cloud zzqx",
            "the printer network qqxv wwyz",
            "the zzqx server",
            "budget server proposal client cloud the zzqx qqxv",
            "colour printer zzqx",
        ] {
            let read = crate::query::read_query(&kb, &searcher, q).expect("read");
            assert_eq!(text_query(&kb, q).map(|t| t.blank).ok(), Some(false));
            let widened = relaxations(&kb, &searcher, &read, Reach::Widest).expect("relaxations");
            let mut matched = false;
            for (text, how) in &widened {
                let counts = assert_walked_as_tantivy(&searcher, text, q, &pages);
                assert!(how.respellings.is_empty(), "{q}: nothing to respell");
                matched |= counts[0] > 0;
            }
            assert!(matched, "{q}: some widening matches");
        }
        // Narrowed by filters (scoring 0), the same: only fewer documents.
        let categories = ["backup".to_string(), "cloud".to_string()];
        let since = chrono::DateTime::from_timestamp(1_262_304_000 + 200 * 86_400, 0);
        let until = chrono::DateTime::from_timestamp(1_262_304_000 + 700 * 86_400, 0);
        let by_category = Filters {
            categories: &categories,
            ..Filters::default()
        };
        let by_date = Filters {
            since,
            until,
            ..Filters::default()
        };
        let both = Filters {
            categories: &categories,
            since,
            ..Filters::default()
        };
        for q in ["server backup", "printer", "the backup printer network"] {
            let text = text_query(&kb, q).expect("query");
            let (main, bonus) = main_and_bonus(&text);
            for filters in [&by_category, &by_date, &both] {
                let narrow = crate::query::filter_clauses(&kb.fields, filters);
                let whole = crate::query::with_filters(&kb.fields, text.query.box_clone(), filters);
                for page in &pages {
                    let want = reference(&searcher, &*whole, page);
                    // Walked, and as tantivy scores the main query narrowed by the filters.
                    let walked = Main::of(&searcher, main).expect("main");
                    for main in [walked, Main::Any(main)] {
                        let (got, n) =
                            top_with_bonus(&searcher, main, bonus, &narrow, page.clone())
                                .expect("search");
                        assert_eq!((bits(got), n), want, "{q} {filters:?} {page:?}");
                    }
                    assert!(want.1 > 0, "{q} {filters:?}");
                }
            }
        }
        // One word has no bonus, and is walked the same way.
        for q in [
            "server",
            "printer",
            "smith",
            "example",
            "title:cloud",
            "color",
        ] {
            let text = text_query(&kb, q).expect("query");
            assert!(text.split.is_none(), "{q}");
            assert_walked_as_tantivy(&searcher, &text, q, &pages);
        }
        // An exact phrase is one more such word: its clauses are the phrase in each field,
        // from the pair term where the segment has pairs, scored up front elsewhere.
        assert!(
            kb.frequent_pairs.is_some(),
            "the soup has its frequent pairs"
        );
        for q in [
            "\"server backup\"",
            "\"backup server\" printer",
            "cloud \"the server\" budget",
            "smith \"server backup\"",
            "\"backup server\" example",
            "title:\"server backup\"",
            "title:\"server backup network\" cloud",
            "\"proposal budget\" \"printer cloud\"",
        ] {
            let text = text_query(&kb, q).expect("query");
            for n in assert_walked_as_tantivy(&searcher, &text, q, &pages) {
                assert!(n > 0, "{q}");
            }
        }
        // A longer phrase would be read from the body's positions in every document: tantivy
        // reads them only where the other words matched.
        for q in [
            "\"server backup network\" printer",
            "\"the server backup\"",
            "\"example com\" budget",
        ] {
            let text = text_query(&kb, q).expect("query");
            let (main, _) = main_and_bonus(&text);
            assert!(
                crate::conjunction::Conjunction::of(&searcher, main)
                    .expect("conjunction")
                    .is_none(),
                "{q}"
            );
        }
    }

    /// Found by the search probe: a hit with no query word in its body showed the feed's
    /// excerpt, WordPress's "[…]" included, as if the text were cut, though it is whole. The
    /// lead is the start of the text; an excerpt only stands in for a text there is not, and
    /// without the marker.
    #[test]
    fn a_lead_is_the_start_of_the_text_without_an_excerpt_marker() {
        let mut a = article(
            1,
            0,
            "The Godfather Part II",
            "Coppola intercuts young Vito.\nWith Michael in Havana.",
        );
        a.summary = "Coppola intercuts young Vito. With Michael in Havana. […]".into();
        assert_eq!(
            lead(&a, 180),
            "Coppola intercuts young Vito. With Michael in Havana."
        );
        assert_eq!(lead(&a, 30), "Coppola intercuts young Vito.…");
        a.text = String::new();
        for marker in ["[…]", "[...]", "[&hellip;]", "…", "[ … ]"] {
            a.summary = format!("Coppola intercuts young Vito. {marker}");
            assert_eq!(lead(&a, 180), "Coppola intercuts young Vito.", "{marker}");
        }
    }

    /// Articles wait in the writer until it has chosen its frequent pairs: a later version in
    /// the same session must replace the waiting one, not join it (found by the durability
    /// tests: `kb reindex` replays every archived version of an article).
    #[test]
    fn an_article_rewritten_in_one_session_stays_one_document() {
        for sample in [2, 3, 1000] {
            let (dir, lock, kb) = empty_kb();
            let mut w = kb.writer(&lock).expect("writer");
            w.set_pair_sample(sample);
            for (n, version, text) in [
                (1, 0, "alpha beta zero"),
                (1, 1, "alpha beta one"),
                (2, 0, "alpha beta"),
                (1, 2, "alpha beta two"),
            ] {
                w.upsert(&article(n, version, "t", text)).expect("upsert");
            }
            w.commit().expect("commit");
            drop(lock);
            let kb = Kb::open(dir.path()).expect("open");
            assert_eq!(kb.count(), 2, "sample {sample}");
            let id = article(1, 0, "", "").id;
            assert_eq!(kb.get(&id).expect("get").text, "alpha beta two");
            assert_eq!(kb.frequent_pairs.is_some(), sample <= 2, "sample {sample}");
        }
    }

    /// A rebuild chooses its frequent pairs from across the index it replaces, not from the
    /// archive's oldest articles: collocations that came later are listed too.
    #[test]
    fn a_rebuild_chooses_its_pairs_from_across_the_old_index() {
        let (dir, lock, kb) = empty_kb();
        let mut w = kb.writer(&lock).expect("writer");
        w.set_pair_sample(40);
        // 200 articles, the first half on one topic, the second on another.
        let write_all = |mut w: crate::KbWriter| {
            for n in 0..200 {
                let topic = if n < 100 { "alpha beta" } else { "gamma delta" };
                let text = format!("{topic} words {n} and more {topic}");
                w.upsert(&article(n, 0, "t", &text)).expect("upsert");
            }
            w.commit().expect("commit");
        };
        write_all(w);
        drop(kb);
        let old = Kb::open(dir.path()).expect("open");
        let first = old.frequent_pairs.clone().expect("a list");
        let stems = |s: &str| -> Vec<String> { s.split(' ').map(str::to_string).collect() };
        // Chosen from the first 40 articles: the later topic is not listed.
        assert!(first.covers(&stems("alpha beta")) && !first.covers(&stems("gamma delta")));
        let mut w = Kb::rebuild(dir.path(), &lock).expect("rebuild");
        w.set_pair_sample(40);
        assert!(w.choose_frequent_pairs_like(&old).expect("choose"));
        write_all(w);
        drop(old);
        let new = Kb::open(dir.path()).expect("open");
        let list = new.frequent_pairs.clone().expect("a list");
        assert!(list.covers(&stems("alpha beta")) && list.covers(&stems("gamma delta")));
        assert_eq!(new.count(), 200);
    }

    /// Phrases of frequent pairs go by their pair terms where a segment holds them, by positions
    /// elsewhere: the same documents, the same scores to the bit, the same count.
    #[test]
    fn phrases_by_pairs_rank_and_count_exactly_as_by_positions() {
        // The first commit (150 articles) is below the sample: indexed without pairs; the
        // second chooses the list and adds the first commit's articles again.
        let (_dir, mut kb) = soup_sampled(Some(200));
        // Every article once: those added again when the list was chosen replaced themselves.
        assert_eq!(kb.count(), 450);
        let searcher = kb.reader.searcher();
        let list = kb.frequent_pairs.clone().expect("a list was chosen");
        let marker = Term::from_field_text(kb.fields.body_pairs, list.marker());
        let covered = searcher
            .segment_readers()
            .iter()
            .filter(|seg| {
                let info = seg
                    .inverted_index(kb.fields.body_pairs)
                    .and_then(|ii| Ok(ii.get_term_info(&marker)?));
                matches!(info, Ok(Some(i)) if i.doc_freq == seg.max_doc())
            })
            .count();
        assert!(covered > 0, "no segment holds the pairs");
        let queries = [
            "\"alpha beta\"",
            "\"beta alpha gamma\"",
            "\"alpha alpha\"",
            "\"alpha alpha alpha\"",
            "\"gamma delta filler more text\"",
            "\"text filler\" delta",
            "alpha-beta",
            "\"alpha beta\" OR \"delta gamma\"",
            "\"alpha beta\" -\"beta gamma\"",
            "\"alpha quillwort\"",
        ];
        // Every query on every page; `pairs`: whether phrases (but the unlisted one) go by pairs.
        let results = |kb: &Kb, pairs: bool| {
            let mut out = Vec::new();
            for q in queries {
                let text = text_query(kb, q).expect("query");
                let by_pairs = format!("{:?}", text.query).contains("PairPhraseQuery");
                assert_eq!(by_pairs, pairs && !q.contains("quillwort"), "{q}");
                for page in [0..1, 0..10, 7..30, 0..1000] {
                    out.push(reference(&searcher, &*text.query, &page));
                }
            }
            out
        };
        let by_pairs = results(&kb, true);
        kb.frequent_pairs = None;
        let by_positions = results(&kb, false);
        for (i, (a, b)) in by_pairs.iter().zip(&by_positions).enumerate() {
            assert_eq!(a, b, "{} page {}", queries[i / 4], i % 4);
        }
        assert!(by_positions.iter().filter(|(_, n)| *n > 0).count() > 20);
    }

    /// A hyphenated compound's joined form shares its last part's position (`crate::words`),
    /// so a position holds two stems there: pairs are made with both, and phrases by pairs still
    /// find what phrases by positions find, score for score, whichever spelling each side has.
    #[test]
    fn phrases_by_pairs_agree_with_positions_on_hyphenated_text() {
        let (dir, lock, kb) = empty_kb();
        let words = [
            "wi-fi",
            "wifi",
            "router",
            "office",
            "e-mail",
            "email",
            "etiquette",
            "wi‐fi",
        ];
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        for batch in 0..2u64 {
            let mut w = kb.writer(&lock).expect("writer");
            w.set_pair_sample(100);
            for i in 0..120 {
                let len = 2 + next() % 30;
                let text: Vec<&str> = (0..len).map(|_| words[(next() % 8) as usize]).collect();
                w.upsert(&article(batch * 120 + i, 0, "t", &text.join(" ")))
                    .expect("upsert");
            }
            w.commit().expect("commit");
        }
        drop(kb);
        // Opened again: the list of frequent pairs comes with the opening.
        let mut kb = Kb::open(dir.path()).expect("open");
        let searcher = kb.reader.searcher();
        let queries = [
            "\"wi-fi router\"",
            "\"wifi router\"",
            "\"office wifi\"",
            "\"office wi-fi router\"",
            "\"wi fi router\"",
            "\"fi router\"",
            "\"wi wifi\"",
            "\"wi wifi router\"",
            "\"e-mail etiquette\"",
            "\"email etiquette wifi\"",
            "\"router wi-fi e-mail\"",
            "\"fi e mail\"",
            "\"wifi email\"",
            "wi-fi",
            "stand-ups",
        ];
        let results = |kb: &Kb| {
            let mut out = Vec::new();
            let mut paired = 0;
            for q in queries {
                let text = text_query(kb, q).expect("query");
                paired += usize::from(format!("{:?}", text.query).contains("PairPhraseQuery"));
                for page in [0..1, 0..10, 7..30, 0..1000] {
                    out.push(reference(&searcher, &*text.query, &page));
                }
            }
            (out, paired)
        };
        let (by_pairs, paired) = results(&kb);
        assert!(paired >= 10, "{paired} queries went by pairs");
        kb.frequent_pairs = None;
        let (by_positions, none) = results(&kb);
        assert_eq!(none, 0);
        for (i, (a, b)) in by_pairs.iter().zip(&by_positions).enumerate() {
            assert_eq!(a, b, "{} page {}", queries[i / 4], i % 4);
        }
        // Both spellings meet, in a phrase that goes on after the compound.
        let total = |q: &str| reference(&searcher, &*text_query(&kb, q).unwrap().query, &(0..1)).1;
        assert!(total("\"wifi router\"") > total("\"wi fi router\""));
        assert_eq!(total("\"wifi router\""), total("\"wi-fi router\""));
    }

    /// An excluded phrase whose words run out before the documents it is checked against
    /// (here the only article with both words comes first): tantivy's phrase scorer then
    /// asserts, in debug builds, that it is never asked about a document before the one it
    /// stands on, and its exclusion does just that (see `query::Excluded`). First seen as a
    /// flaky failure of the pairs test; this one failed about half its runs before the fix,
    /// as the indexing threads happened to split the articles into segments.
    #[test]
    fn an_excluded_phrase_that_runs_out_first_is_not_a_panic() {
        let (_dir, lock, kb) = empty_kb();
        let mut w = kb.writer(&lock).expect("writer");
        w.upsert(&article(0, 0, "t", "beta gamma")).expect("upsert");
        for n in 1..40 {
            w.upsert(&article(n, 0, "t", "alpha beta beta"))
                .expect("upsert");
        }
        w.commit().expect("commit");
        kb.reload().expect("reload");
        let searcher = kb.reader.searcher();
        for q in [
            "alpha -\"beta gamma\"",
            "\"alpha beta\" -\"beta gamma\"",
            "-\"beta gamma\"",
            "alpha NOT \"beta gamma\"",
        ] {
            let text = text_query(&kb, q).expect("query");
            let (_, n) = reference(&searcher, &*text.query, &(0..10));
            assert_eq!(n, 39, "{q}");
        }
        let mut req = SearchRequest::new("people -\"beta gamma\" alpha");
        req.limit = 5;
        assert_eq!(kb.search(&req).expect("widened search").total, 39);
    }

    #[test]
    fn by_score_ranks_and_counts_as_tantivy() {
        let (_dir, kb) = soup();
        let searcher = kb.reader.searcher();
        for q in [
            "alpha",
            "gamma OR delta",
            "\"alpha beta\"",
            "alpha beta",
            "-alpha",
        ] {
            let text = text_query(&kb, q).expect("query");
            for page in [0..1, 0..10, 7..30, 0..1000] {
                let want = reference(&searcher, &*text.query, &page);
                let (got, n) = searcher
                    .search(&*text.query, &ByScore { page: page.clone() })
                    .expect("search");
                let got = bits(got.into_iter().map(|((s, _), a)| (s, a)));
                assert_eq!((got, n), want, "{q} {page:?}");
            }
        }
    }
}
