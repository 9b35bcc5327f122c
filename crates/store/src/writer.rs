//! Upserting articles: delete term + add, one commit per batch, no commit when nothing changed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kb_clean::Article;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{Index, IndexWriter, Searcher, TantivyDocument, Term};

use crate::StoreError;
use crate::aliases::{AliasKey, Aliases, Stored, identify_document};
use crate::kb::FreshIndex;
use crate::pairs::{FrequentPairs, SAMPLE_DOCS, SharedFrequentPairs, pairs_analyzer};
use crate::schema::{EN, Fields, PAIRS, en_analyzer_collecting, kw_term};
use crate::search::{alive_addresses, stored_article};
use crate::verify::{Verifier, VerifyingMergePolicy};
use crate::versions::{HeldVersion, next_version};
use crate::vocabulary::{VocabularyWriter, WordCollector};

/// Reads the ids of a feed's latest logged document (see [`KbWriter::set_latest_loader`]).
pub type LatestLoader = Box<dyn FnMut(&str) -> HashSet<String> + Send>;

/// What an upsert did to one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpsertOutcome {
    /// Not in the index before.
    New,
    /// In the index with other content; replaced in place (same id).
    Updated,
    /// In the index with the same content hash; nothing written.
    Unchanged,
}

/// Counts of a batch of upserts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertReport {
    /// Articles added.
    pub new: usize,
    /// Articles replaced.
    pub updated: usize,
    /// Articles already up to date.
    pub unchanged: usize,
}

impl UpsertReport {
    /// Count one outcome.
    pub fn add(&mut self, o: UpsertOutcome) {
        match o {
            UpsertOutcome::New => self.new += 1,
            UpsertOutcome::Updated => self.updated += 1,
            UpsertOutcome::Unchanged => self.unchanged += 1,
        }
    }
}

/// When [`KbWriter::store_document`] counts an article's outcome.
#[derive(Debug, Clone, Copy)]
enum Count {
    /// As it is stored.
    Now,
    /// When a later document of the session carries it again, or at the commit.
    Carried,
}

/// A write session on an index. Dropping it without [`commit`](KbWriter::commit) discards
/// everything it did.
pub struct KbWriter {
    writer: IndexWriter,
    fields: Fields,
    /// id -> content hash of every article in the index, plus those upserted in this session.
    known: HashMap<String, String>,
    dirty: bool,
    report: UpsertReport,
    /// How the articles a catch-up stored ([`KbWriter::carry_document`]) changed, by id, until
    /// a document of this session carries them again and counts them so.
    carried: HashMap<String, UpsertOutcome>,
    /// The KB directory, for messages and the switch of a rebuild.
    dir: PathBuf,
    /// Set for a rebuild: the new index directory, switched to on commit, removed if the
    /// session ends otherwise. After `writer`, so it is dropped after it.
    rebuild: Option<FreshIndex>,
    /// Checksums: what the merge policy found, and the record of known-good files.
    verifier: Arc<Verifier>,
    /// The index's list of frequent pairs, which its pairs analyzer reads (see
    /// [`crate::pairs`]): from the last commit, or chosen by this session once the index
    /// and the session together hold enough articles.
    frequent_pairs: SharedFrequentPairs,
    /// While the list is unset: the articles to add once it is (their replaced versions are
    /// already deleted), one per id, at the index `pending_at` gives.
    pending: Vec<Article>,
    pending_at: HashMap<String, usize>,
    /// Articles the index held when the session began.
    indexed: u64,
    /// Articles needed to choose the list.
    sample: usize,
    index: Index,
    /// Which feed an article that several feeds carry is filed under (see
    /// [`KbWriter::set_feed_precedence`]); empty: the last upsert decides.
    precedence: FeedPrecedence,
    /// What choosing the next version needs of the stored one ([`crate::next_version`]): for the
    /// articles this session wrote, and those of the last commit it had to read.
    held: HashMap<String, HeldVersion>,
    /// Feed -> the ids its latest logged document carries, as the caller said
    /// ([`KbWriter::set_latest_document`]) or `latest_loader` read.
    latest: HashMap<String, HashSet<String>>,
    latest_loader: Option<LatestLoader>,
    /// The last commit, opened on the first lookup of an article's stored version.
    committed: Option<Searcher>,
    /// The articles this session stored, by what identifies them apart from their guid (see
    /// [`crate::aliases`]); those of the last commit are looked up by link.
    aliases: Aliases,
    /// The index's list of words as written, when it keeps one ([`crate::vocabulary`]).
    vocabulary: Option<VocabularyWriter>,
}

impl std::fmt::Debug for KbWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KbWriter")
            .field("report", &self.report)
            .finish()
    }
}

const WRITER_MEMORY: usize = 200_000_000;

impl KbWriter {
    pub(crate) fn new(
        dir: &Path,
        index_path: &Path,
        index: Index,
        fields: Fields,
        rebuild: Option<FreshIndex>,
        verifier: Arc<Verifier>,
    ) -> Result<KbWriter, StoreError> {
        // The pairs analyzer must know the list before tantivy's indexing threads clone it.
        let frequent_pairs = SharedFrequentPairs::default();
        let metas = index.load_metas()?;
        if let Some(list) = FrequentPairs::from_payload(metas.payload.as_deref()) {
            let _ = frequent_pairs.set(Arc::new(list));
        }
        index
            .tokenizers()
            .register(PAIRS, pairs_analyzer(frequent_pairs.clone()));
        // The list of words must hold every word of every article, so only an index that has
        // kept one from its first article goes on keeping it (see `crate::vocabulary`).
        let vocabulary = match VocabularyWriter::exists(index_path) || metas.segments.is_empty() {
            true => {
                let collector = WordCollector::default();
                index
                    .tokenizers()
                    .register(EN, en_analyzer_collecting(collector.clone()));
                Some(VocabularyWriter::new(index_path, collector))
            }
            false => None,
        };
        let writer = index
            .writer(WRITER_MEMORY)
            .map_err(|e| write_failed(dir, e))?;
        writer.set_merge_policy(Box::new(VerifyingMergePolicy::new(verifier.clone())));
        // A sync killed during its commit can leave files that no commit refers to. Tantivy
        // would collect them after our commit, but a `.del` file is named by segment and
        // opstamp, and opstamps restart from the last commit: this session may need the very
        // same name, which tantivy refuses to overwrite.
        writer
            .garbage_collect_files()
            .wait()
            .map_err(|e| write_failed(dir, e))?;
        let known = load_hashes(&index)?;
        Ok(KbWriter {
            writer,
            fields,
            indexed: known.len() as u64,
            known,
            dirty: false,
            report: UpsertReport::default(),
            carried: HashMap::new(),
            dir: dir.to_path_buf(),
            rebuild,
            verifier,
            frequent_pairs,
            pending: Vec::new(),
            pending_at: HashMap::new(),
            sample: SAMPLE_DOCS,
            index,
            precedence: FeedPrecedence::default(),
            held: HashMap::new(),
            latest: HashMap::new(),
            latest_loader: None,
            committed: None,
            aliases: Aliases::default(),
            vocabulary,
        })
    }

    /// Choose the list of frequent pairs from this many articles instead of
    /// [`SAMPLE_DOCS`](crate::pairs::SAMPLE_DOCS): for tests, which cannot afford a thousand.
    #[doc(hidden)]
    pub fn set_pair_sample(&mut self, articles: usize) {
        self.sample = articles.max(1);
    }

    /// Choose the list of frequent pairs from articles spread evenly over `old` (another index
    /// of the same archive, typically the one `kb reindex` replaces), when it has enough and
    /// this session has not chosen or added anything yet. A rebuild would otherwise choose from
    /// the archive's first articles, the oldest; this way the list follows the whole archive.
    /// Returns whether it chose.
    pub fn choose_frequent_pairs_like(&mut self, old: &crate::Kb) -> Result<bool, StoreError> {
        if self.frequent_pairs.get().is_some() || !self.pending.is_empty() || self.dirty {
            return Ok(false);
        }
        let searcher = old.reader.searcher();
        let total = searcher.num_docs() as usize;
        if total < self.sample {
            return Ok(false);
        }
        let step = total / self.sample;
        let mut texts = Vec::with_capacity(self.sample);
        for addr in alive_addresses(&searcher).step_by(step).take(self.sample) {
            texts.push(stored_article(&searcher, addr, &old.fields, old.dir())?.text);
        }
        let list = FrequentPairs::choose(texts.iter().map(String::as_str));
        Ok(self.frequent_pairs.set(Arc::new(list)).is_ok())
    }

    /// Hand one article to tantivy.
    fn add_document(&mut self, article: &Article) -> Result<(), StoreError> {
        self.writer
            .add_document(to_document(&self.fields, article)?)
            .map_err(|e| write_failed(&self.dir, e))?;
        Ok(())
    }

    /// Add a document now, or keep it for when the list of frequent pairs is chosen.
    fn add(&mut self, article: &Article) -> Result<(), StoreError> {
        if self.frequent_pairs.get().is_some() {
            return self.add_document(article);
        }
        // A later version in the same session replaces the one waiting: its delete, issued
        // already, would not reach a document added after it.
        match self.pending_at.get(&article.id) {
            Some(&i) => self.pending[i] = article.clone(),
            None => {
                self.pending_at
                    .insert(article.id.clone(), self.pending.len());
                self.pending.push(article.clone());
            }
        }
        if self.indexed as usize + self.pending.len() >= self.sample {
            self.choose_frequent_pairs()?;
        }
        Ok(())
    }

    /// Choose the list from every article of the index and of this session, then add the
    /// session's articles and add the index's again, so that every document holds the pairs
    /// (a segment is read by pairs only when all its documents hold them). Happens once per
    /// index, when it reaches [`SAMPLE_DOCS`](crate::pairs::SAMPLE_DOCS) articles: the
    /// ones added again are few.
    fn choose_frequent_pairs(&mut self) -> Result<(), StoreError> {
        let mut existing = Vec::new();
        let searcher = self.index.reader()?.searcher();
        for addr in alive_addresses(&searcher) {
            let article = stored_article(&searcher, addr, &self.fields, &self.dir)?;
            // Those this session replaced wait in `pending`, their old versions deleted.
            if !self.pending_at.contains_key(&article.id) {
                existing.push(article);
            }
        }
        let list = FrequentPairs::choose(
            existing
                .iter()
                .chain(&self.pending)
                .map(|a| a.text.as_str()),
        );
        let _ = self.frequent_pairs.set(Arc::new(list));
        for article in existing {
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, &article.id));
            self.add(&article)?;
        }
        self.pending_at.clear();
        for article in std::mem::take(&mut self.pending) {
            self.add(&article)?;
        }
        Ok(())
    }

    /// File an article that several feeds carry (a blog's main feed and its category feed
    /// share their posts) under the feed `precedence` puts first, count it unchanged when only
    /// the feed differs, and keep that feed's version while it carries the article (see
    /// [`crate::next_version`]).
    pub fn set_feed_precedence(&mut self, precedence: FeedPrecedence) {
        self.precedence = precedence;
    }

    /// `feed`'s latest document, just logged in the archive, carries the articles `ids`: its
    /// own version of them is kept against a later-listed feed's differing copy, and of the
    /// others it no longer carries, such a copy replaces its version (see [`crate::next_version`]).
    /// Said for every document stored, right after it is logged and before its articles are
    /// upserted, so the writer sees what a replay of the log sees.
    pub fn set_latest_document(&mut self, feed: &str, ids: impl IntoIterator<Item = String>) {
        self.latest
            .insert(feed.to_owned(), ids.into_iter().collect());
    }

    /// Store one logged document's articles: says it is `feed`'s latest document
    /// ([`KbWriter::set_latest_document`]), then upserts each in order. What a sync does with
    /// every document it archives, and what its catch-up does with one an earlier sync left
    /// unindexed, so the two cannot differ.
    pub fn upsert_document(
        &mut self,
        feed: &str,
        articles: &[Article],
    ) -> Result<UpsertReport, StoreError> {
        self.store_document(feed, articles, Count::Now)
    }

    /// [`KbWriter::upsert_document`] for a document an earlier session archived and did not
    /// commit (a sync's catch-up after a failed or killed one): stored alike, but each article
    /// is counted by the document of this session that carries it again, as new or updated
    /// since the last commit, not as new here and unchanged there; those no later document
    /// carries are counted at the commit. Returns how this document changed the index, for
    /// the catch-up's note; [`KbWriter::commit`]'s totals count each article once.
    pub fn carry_document(
        &mut self,
        feed: &str,
        articles: &[Article],
    ) -> Result<UpsertReport, StoreError> {
        self.store_document(feed, articles, Count::Carried)
    }

    fn store_document(
        &mut self,
        feed: &str,
        articles: &[Article],
        count: Count,
    ) -> Result<UpsertReport, StoreError> {
        let articles = self.identify(articles)?;
        self.set_latest_document(feed, articles.iter().map(|a| a.id.clone()));
        let mut report = UpsertReport::default();
        for article in &articles {
            report.add(match count {
                Count::Now => self.upsert(article)?,
                Count::Carried => {
                    let outcome = self.put(article)?;
                    if outcome != UpsertOutcome::Unchanged {
                        // New, then updated by a later caught-up document, is still new.
                        self.carried.entry(article.id.clone()).or_insert(outcome);
                    }
                    outcome
                }
            });
        }
        Ok(report)
    }

    /// One logged document's articles under the ids they are stored by: one its feed sent
    /// again under a new guid is the stored article (the rule is [`crate::identify_document`]'s,
    /// which `kb doctor`'s replay applies too). Asked before [`KbWriter::set_latest_document`].
    pub fn identify<'a>(
        &mut self,
        articles: &'a [Article],
    ) -> Result<Vec<Cow<'a, Article>>, StoreError> {
        let new: HashSet<&str> = articles
            .iter()
            .map(|a| a.id.as_str())
            .filter(|id| !self.known.contains_key(*id))
            .collect();
        if new.is_empty() {
            return Ok(articles.iter().map(Cow::Borrowed).collect());
        }
        identify_document(
            articles,
            |id| !new.contains(id),
            |a, key| self.alias_candidates(a, key),
        )
    }

    /// The stored articles with `key`: this session's, and those of the last commit with the
    /// same link that this session has not stored again.
    fn alias_candidates(&mut self, a: &Article, key: &AliasKey) -> Result<Vec<Stored>, StoreError> {
        let mut found = self.aliases.with_key(key).to_vec();
        let (Some(url), Some(published)) = (a.url.as_deref(), a.published) else {
            return Ok(found);
        };
        if self.indexed == 0 {
            return Ok(found);
        }
        if self.committed.is_none() {
            self.committed = Some(self.index.reader()?.searcher());
        }
        let Some(searcher) = &self.committed else {
            return Ok(found);
        };
        // The link and the second of publication narrow it to the articles that can have the
        // key (a feed that links every item to its home page has many with the link alone).
        let term =
            |t: Term| -> Box<dyn Query> { Box::new(TermQuery::new(t, IndexRecordOption::Basic)) };
        let query = BooleanQuery::intersection(vec![
            term(Term::from_field_text(self.fields.url, url)),
            term(Term::from_field_i64(
                self.fields.published,
                published.timestamp(),
            )),
        ]);
        let hits = searcher.search(&query, &TopDocs::with_limit(1024).order_by_score())?;
        for (_, addr) in hits {
            let stored = stored_article(searcher, addr, &self.fields, &self.dir)?;
            if !self.aliases.noted(&stored.id) && AliasKey::of(&stored).as_ref() == Some(key) {
                found.push(Stored {
                    id: stored.id,
                    guid: stored.guid,
                });
            }
        }
        Ok(found)
    }

    /// How to read the ids of a feed's latest logged document that this session did not store:
    /// asked once per feed, only when a conflict needs it. Without one (a rebuild replaying the
    /// log from its start, which sees every document), such a feed carries nothing.
    pub fn set_latest_loader(&mut self, loader: LatestLoader) {
        self.latest_loader = Some(loader);
    }

    /// What is held of the stored version of `id`: this session's, or the last commit's, read
    /// once. Only asked for an article whose hash changed, so the stored article is read for
    /// few.
    fn held_version(&mut self, id: &str) -> Result<Option<&HeldVersion>, StoreError> {
        if !self.held.contains_key(id) {
            let Some(article) = self.committed_article(id)? else {
                return Ok(None);
            };
            self.held
                .insert(id.to_owned(), HeldVersion::of(&article, true));
        }
        Ok(self.held.get(id))
    }

    /// The article `id` in the last commit.
    fn committed_article(&mut self, id: &str) -> Result<Option<Article>, StoreError> {
        if self.committed.is_none() {
            self.committed = Some(self.index.reader()?.searcher());
        }
        let Some(searcher) = &self.committed else {
            return Ok(None);
        };
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => Ok(Some(stored_article(
                searcher,
                *addr,
                &self.fields,
                &self.dir,
            )?)),
            None => Ok(None),
        }
    }

    /// Insert or replace one article by id. Unchanged articles (same content hash) cost a map
    /// lookup and write nothing. A changed one is stored as [`crate::next_version`] decides: with
    /// the dates and author it lacks kept, and a later-listed feed's copy of an article
    /// another feed holds kept out while that feed carries it, or when it is an excerpt.
    ///
    /// The outcome is since the last commit: an article a catch-up stored earlier in this
    /// session ([`KbWriter::carry_document`]) is new or updated as it made it, not unchanged.
    pub fn upsert(&mut self, article: &Article) -> Result<UpsertOutcome, StoreError> {
        let outcome = match (self.carried.remove(&article.id), self.put(article)?) {
            (Some(UpsertOutcome::New), _) => UpsertOutcome::New,
            (Some(carried), UpsertOutcome::Unchanged) => carried,
            (_, outcome) => outcome,
        };
        self.report.add(outcome);
        Ok(outcome)
    }

    /// [`KbWriter::upsert`] without counting it.
    fn put(&mut self, article: &Article) -> Result<UpsertOutcome, StoreError> {
        let next = match self.known.get(&article.id) {
            None => Cow::Borrowed(article),
            Some(h) if *h == article.content_hash => Cow::Borrowed(article),
            Some(_) => {
                self.held_version(&article.id)?;
                let (latest, loader) = (&mut self.latest, &mut self.latest_loader);
                let decided = match self.held.get(&article.id) {
                    Some(held) => next_version(held, article, &self.precedence, |owner| {
                        let ids = latest.entry(owner.to_owned()).or_insert_with(|| {
                            loader.as_mut().map(|load| load(owner)).unwrap_or_default()
                        });
                        Ok::<_, StoreError>(ids.contains(&article.id))
                    })?,
                    // Indexed, yet not found by id: the new version is all there is to go by.
                    None => Some(Cow::Borrowed(article)),
                };
                match decided {
                    None => return Ok(UpsertOutcome::Unchanged),
                    Some(next) => next,
                }
            }
        };
        let article = next.as_ref();
        let outcome = match self.known.get(&article.id) {
            Some(h) if *h == article.content_hash => UpsertOutcome::Unchanged,
            Some(_) => UpsertOutcome::Updated,
            None => UpsertOutcome::New,
        };
        if outcome != UpsertOutcome::Unchanged {
            if outcome == UpsertOutcome::Updated {
                self.writer
                    .delete_term(Term::from_field_text(self.fields.id, &article.id));
            }
            self.add(article)?;
            self.known
                .insert(article.id.clone(), article.content_hash.clone());
            self.aliases.note(article);
            // The text is compared only between feeds, which need a precedence.
            self.held.insert(
                article.id.clone(),
                HeldVersion::of(article, !self.precedence.is_empty()),
            );
            self.dirty = true;
        }
        Ok(outcome)
    }

    /// The content hash of the version of article `id` the writer holds (committed or not).
    pub fn held_hash(&self, id: &str) -> Option<&str> {
        self.known.get(id).map(String::as_str)
    }

    /// Segment files whose checksums this session has read so far: those the up-front check
    /// had no record of, and those of merge candidates.
    pub fn verified_files(&self) -> usize {
        self.verifier.files_verified()
    }

    /// Make everything durable, atomically. Commits nothing when nothing changed (except that a
    /// rebuild always commits and switches, so an empty archive yields an empty index).
    ///
    /// Fails with [`StoreError::Corrupt`] when a segment that tantivy wanted to merge turned
    /// out damaged: the merge was skipped, so the damage stays visible to `kb doctor`. The
    /// commit itself stands (except for a rebuild, which is then not switched to).
    pub fn commit(mut self) -> Result<UpsertReport, StoreError> {
        let dir = self.dir.clone();
        let failed = |e| write_failed(&dir, e);
        if self.dirty || self.rebuild.is_some() {
            // Too few articles for a list yet: indexed without pairs (phrases read positions).
            for article in std::mem::take(&mut self.pending) {
                self.add_document(&article)?;
            }
            let mut commit = self.writer.prepare_commit().map_err(failed)?;
            // Before the commit: a list with a few words too many is harmless, one without
            // the words of a commit is not. Every document is indexed by now.
            if let Some(v) = &self.vocabulary {
                v.save()?;
            }
            // Every commit carries the list: a commit without it would lose it.
            if let Some(list) = self.frequent_pairs.get() {
                commit.set_payload(&list.to_payload());
            }
            commit.commit().map_err(failed)?;
        } else {
            self.writer.rollback().map_err(failed)?;
        }
        // A failed merge leaves the committed segments as they were: the commit stands.
        self.writer.wait_merging_threads().map_err(failed)?;
        let damaged = self.verifier.damaged();
        let corrupt = |what: &str| StoreError::Corrupt {
            path: dir.clone(),
            detail: format!(
                "{}, found before merging it; {what}",
                crate::verify::describe(&damaged)
            ),
        };
        if let Some(fresh) = &mut self.rebuild {
            if !damaged.is_empty() {
                return Err(corrupt("the rebuilt index was not switched to"));
            }
            crate::kb::switch_to(&self.dir, &fresh.name)?;
            fresh.went_live();
        }
        self.verifier.record_commit();
        if !damaged.is_empty() {
            return Err(corrupt(
                "the damaged segment was left unmerged and this session's changes are committed",
            ));
        }
        // A catch-up's articles that no document of this session carried again.
        for outcome in std::mem::take(&mut self.carried).into_values() {
            self.report.add(outcome);
        }
        Ok(self.report)
    }
}

/// Which feed an article is filed under when several feeds carry it: the first of the
/// configured feeds, in the config's order, that carries it. Whose version it holds is
/// [`crate::next_version`]'s to say.
///
/// Without a rule the article follows whichever feed was upserted last, which in a sync of
/// many feeds at once is whichever download finished last: it changed feed, two articles
/// counted as updated and a commit came with every sync that changed nothing. The rule reads
/// only the feeds' order, not the order of the upserts, so a sync, `kb reindex` (which
/// replays the archive in its own order) and `kb doctor`'s comparison of the two all reach
/// the same feed. A feed not in the list (renamed, removed, or a `--from` source) gives way to
/// any listed one; between two unlisted feeds the last upsert decides, as without a rule.
#[derive(Debug, Clone, Default)]
pub struct FeedPrecedence {
    rank: HashMap<String, usize>,
}

impl FeedPrecedence {
    /// The precedence of `feeds`, first first.
    pub fn new(feeds: impl IntoIterator<Item = String>) -> FeedPrecedence {
        let mut rank = HashMap::new();
        for (i, feed) in feeds.into_iter().enumerate() {
            rank.entry(feed).or_insert(i);
        }
        FeedPrecedence { rank }
    }

    /// No feeds: every upsert decides.
    pub fn is_empty(&self) -> bool {
        self.rank.is_empty()
    }

    /// Whether an article filed under `owner` stays there when `brought_by` carries it too.
    pub fn keeps(&self, owner: &str, brought_by: &str) -> bool {
        match (self.rank.get(owner), self.rank.get(brought_by)) {
            (Some(held), Some(brings)) => held < brings,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// A write to the index failed (a full disk, a file-size limit, an I/O error). Tantivy's commit
/// is atomic (meta.json is replaced last), so what was committed before is intact.
fn write_failed(dir: &Path, e: tantivy::TantivyError) -> StoreError {
    use tantivy::directory::error::LockError;
    const ACTION: &str = "writing the index in";
    // A full disk, a file-size limit or a directory kb may not write, in whichever of
    // tantivy's shapes it comes: said as for kb's own files.
    if crate::error::tantivy_os_error(&e)
        .is_some_and(|io| crate::error::is_out_of_space(&io) || crate::readable::is_unwritable(&io))
    {
        return StoreError::from_tantivy(ACTION, dir, e);
    }
    let detail = match &e {
        // kb's own lock is held, so no other writer can hold tantivy's: its lock file itself
        // is not as tantivy left it (tantivy's message is a Debug dump that blames another
        // process).
        tantivy::TantivyError::LockFailure(lock, _) => {
            let why = match lock {
                LockError::IoError(io) => io.to_string(),
                LockError::LockBusy => "it is held".to_string(),
            };
            return StoreError::Corrupt {
                path: dir.to_path_buf(),
                detail: format!("tantivy's writer lock cannot be taken: {why}"),
            };
        }
        // An indexing thread failed, and tantivy kept only "a worker thread encountered an
        // error (io::Error most likely) or panicked". The likeliest cause is a full disk: ask
        // the disk.
        tantivy::TantivyError::ErrorInThread(_) => match out_of_space_at(dir) {
            Some(io) => return StoreError::io(ACTION, dir, io),
            None => "an indexing thread stopped on a write error".to_string(),
        },
        _ => write_detail(&e),
    };
    StoreError::Write {
        path: dir.to_path_buf(),
        detail,
    }
}

/// Whether the disk holding `dir` is out of space: writes (and removes) a 1 MiB file there.
fn out_of_space_at(dir: &Path) -> Option<std::io::Error> {
    use std::io::Write;
    let mut probe = match tempfile::NamedTempFile::new_in(dir) {
        Ok(f) => f,
        Err(e) => return Some(e).filter(crate::error::is_out_of_space),
    };
    let result = probe
        .write_all(&[0u8; 1 << 20])
        .and_then(|()| probe.as_file().sync_all());
    result.err().filter(crate::error::is_out_of_space)
}

/// What went wrong, in the OS's words when the disk is full: tantivy's own message for that
/// is a Debug dump naming its temporary file (`Failed to open file for write: 'IoError {
/// io_error: Custom { kind: StorageFull, error: PathError { path: ".../.tmpeR4YvR", ...`).
fn write_detail(e: &tantivy::TantivyError) -> String {
    use tantivy::TantivyError;
    use tantivy::directory::error::OpenWriteError;
    let io = match e {
        TantivyError::IoError(io) => Some(&**io),
        TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. }) => Some(&**io_error),
        _ => None,
    };
    if let Some(io) = io.filter(|io| crate::error::is_out_of_space(io)) {
        return crate::error::os_message(io);
    }
    e.to_string()
}

pub(crate) fn load_hashes(index: &Index) -> Result<HashMap<String, String>, StoreError> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut known = HashMap::with_capacity(searcher.num_docs() as usize);
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let (Some(ids), Some(hashes)) = (ff.str("id")?, ff.str("hash")?) else {
            continue;
        };
        // Each dictionary read once, in order: looking up every document's strings one by
        // one decompressed a dictionary block per lookup, most of a no-op sync's time at 100k
        // articles.
        let (id_terms, hash_terms) = (all_terms(&ids)?, all_terms(&hashes)?);
        for doc in seg.doc_ids_alive() {
            let (Some(io), Some(ho)) = (ids.term_ords(doc).next(), hashes.term_ords(doc).next())
            else {
                continue;
            };
            if let (Some(id), Some(hash)) = (id_terms.get(io as usize), hash_terms.get(ho as usize))
            {
                known.insert(id.clone(), hash.clone());
            }
        }
    }
    Ok(known)
}

/// Every term of a string column's dictionary, by term ordinal.
fn all_terms(column: &tantivy::columnar::StrColumn) -> Result<Vec<String>, StoreError> {
    let dictionary = column.dictionary();
    let mut terms = Vec::with_capacity(dictionary.num_terms());
    let mut stream = dictionary
        .stream()
        .map_err(|e| StoreError::from(tantivy::TantivyError::from(e)))?;
    while stream.advance() {
        terms.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(terms)
}

fn to_document(f: &Fields, a: &Article) -> Result<TantivyDocument, StoreError> {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &a.id);
    doc.add_text(f.hash, &a.content_hash);
    doc.add_u64(f.idnum, id_number(&a.id));
    if let Some(url) = &a.url {
        doc.add_text(f.url, url);
        doc.add_text(f.url_text, crate::schema::url_words(url));
    }
    doc.add_text(f.feed, &a.feed);
    doc.add_text(f.title, &a.title);
    doc.add_text(f.body, &a.text);
    doc.add_text(f.body_pairs, &a.text);
    doc.add_facet(f.facets, Facet::from_path(["feed", a.feed.as_str()]));
    if let Some(author) = &a.author {
        doc.add_text(f.author, author);
        doc.add_text(f.author_text, author);
        doc.add_facet(f.facets, Facet::from_path(["author", author.as_str()]));
    }
    // A set, not a list: a tag-spamming item with 100k categories made every sync that met
    // it quadratic (found by fuzzing).
    let mut seen = std::collections::HashSet::with_capacity(a.categories.len());
    for c in &a.categories {
        doc.add_text(f.category, c);
        doc.add_text(f.category_text, c);
        // Facets are case-sensitive; "MSP" and "msp" on one article count once.
        if seen.insert(kw_term(c)) {
            doc.add_facet(f.facets, Facet::from_path(["category", c.as_str()]));
        }
    }
    if let Some(p) = &a.published {
        doc.add_i64(f.published, p.timestamp());
        doc.add_facet(
            f.facets,
            Facet::from_path(["year", p.format("%Y").to_string().as_str()]),
        );
    }
    if let Some(u) = &a.updated {
        doc.add_i64(f.updated, u.timestamp());
    }
    let json = serde_json::to_string(&without_html(a)).map_err(|e| StoreError::Corrupt {
        path: PathBuf::new(),
        detail: format!("cannot encode article {}: {e}", a.id),
    })?;
    doc.add_text(f.article, json);
    Ok(doc)
}

/// The copy of `a` the index stores: all but its sanitized HTML, which nothing reads back
/// (kb shows, searches and snippets the text) and which made a sixth of the index, paid for
/// by every hit loaded (a rare word's search took 0.246 ms with it, 0.194 without, on 10k
/// articles). The archived feed document gives it again. Every field by name, so a field
/// added to `Article` must be decided on here.
fn without_html(a: &Article) -> Article {
    Article {
        id: a.id.clone(),
        feed: a.feed.clone(),
        guid: a.guid.clone(),
        url: a.url.clone(),
        title: a.title.clone(),
        author: a.author.clone(),
        categories: a.categories.clone(),
        published: a.published,
        updated: a.updated,
        comments: a.comments,
        comments_url: a.comments_url.clone(),
        summary: a.summary.clone(),
        text: a.text.clone(),
        html: String::new(),
        links: a.links.clone(),
        enclosure: a.enclosure.clone(),
        content_hash: a.content_hash.clone(),
    }
}

/// The article id (hex) as a number, for deterministic tie-breaking; non-hex ids hash.
pub(crate) fn id_number(id: &str) -> u64 {
    u64::from_str_radix(id.get(..16).unwrap_or(id), 16).unwrap_or_else(|_| {
        id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    })
}
