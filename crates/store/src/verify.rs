//! Segment checksums before kb reads or merges index files, without reading the whole index on
//! every sync or search.
//!
//! A merge copies a segment's bytes into a new segment with a fresh, valid checksum: damage
//! that gets merged can no longer be detected. Verifying every segment before every write
//! session prevents that, but reads the whole index (0.85 GB at 100k articles) on every
//! `kb sync`. Instead:
//!
//! - [`VerifyingMergePolicy`] wraps tantivy's default policy and verifies the segments of each
//!   merge candidate before the merge, dropping candidates that hold a damaged segment: damage
//!   is never laundered, whatever happened to the files since they were last checked.
//! - Up front, a write session verifies only the segment files that [`Record`] has no stamp
//!   for, or whose stamp changed (size, mtime, and on Unix inode and ctime). Segment files are
//!   immutable: tantivy never writes to one again after it is created (deletes go to a new
//!   `.del` file), so a changed stamp means something outside kb touched the file (a copy, a
//!   restore, an editor) and it is verified again. A file whose bytes rot on disk keeps its
//!   stamp: the merge policy and `kb doctor` catch that.
//! - A reader ([`verify_for_reading`]) does the same before tantivy opens a segment: tantivy
//!   trusts its bytes in places, and a damaged fast-field column once made it allocate
//!   petabytes, an abort no panic guard catches. What a reader verifies it adds to the record.
//! - `kb doctor` verifies every file, always.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy};
use tantivy::{Index, IndexMeta, Opstamp};

use crate::StoreError;
use crate::archive::write_atomic;

/// The record of known-good segment files, in the KB directory. A cache: when it is missing or
/// unreadable, the next write session verifies every segment file once and writes it again.
pub(crate) const RECORD_FILE: &str = "verified.json";

/// What identifies one version of a file on disk, cheaply (one `stat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    len: u64,
    mtime: (i64, i64),
    /// Inode and ctime: unlike the mtime, a copy or restore that preserves mtimes (`cp -p`,
    /// `rsync -a`, `tar x`) cannot preserve them.
    ino: u64,
    ctime: (i64, i64),
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: m.len(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ino: m.ino(),
            ctime: (m.ctime(), m.ctime_nsec()),
        })
    }
    #[cfg(not(unix))]
    {
        let since = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(Stamp {
            len: m.len(),
            mtime: (since.as_secs() as i64, i64::from(since.subsec_nanos())),
            ino: 0,
            ctime: (0, 0),
        })
    }
}

/// Segment files (relative to the index directory) known to be good, with the stamp each had
/// when it was verified or written by kb.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// The index directory the files belong to; a record of another one is ignored.
    index_dir: String,
    files: BTreeMap<PathBuf, Stamp>,
}

impl Record {
    /// The record for `index_dir`, or an empty one. Never fails: a damaged or missing record
    /// only costs a full verification.
    pub(crate) fn load(kb_dir: &Path, index_dir: &str) -> Record {
        fs::read(kb_dir.join(RECORD_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice::<Record>(&b).ok())
            .filter(|r| r.index_dir == index_dir)
            .unwrap_or_else(|| Record {
                index_dir: index_dir.to_string(),
                files: BTreeMap::new(),
            })
    }

    /// Best effort: the record is a cache, and a sync must not fail because it could not be
    /// written (the next one verifies a little more).
    fn save(&self, kb_dir: &Path) {
        if let Ok(json) = serde_json::to_vec(self) {
            let _ = write_atomic(&kb_dir.join(RECORD_FILE), &json);
        }
    }
}

/// What is wrong with one index file.
#[derive(Debug, Clone)]
pub(crate) enum Problem {
    /// Its checksum does not match its bytes.
    Mismatch(PathBuf),
    /// It could not be read (missing, truncated below its footer, ...).
    Unreadable(PathBuf, String),
}

impl Problem {
    fn file(&self) -> &Path {
        match self {
            Problem::Mismatch(f) | Problem::Unreadable(f, _) => f,
        }
    }
}

/// One line for a list of problems, in the words `kb doctor` uses.
pub(crate) fn describe(problems: &[Problem]) -> String {
    let mismatched: Vec<String> = problems
        .iter()
        .filter(|p| matches!(p, Problem::Mismatch(_)))
        .map(|p| p.file().display().to_string())
        .collect();
    let mut parts = Vec::new();
    if !mismatched.is_empty() {
        parts.push(format!("checksum mismatch in {}", mismatched.join(", ")));
    }
    for p in problems {
        if let Problem::Unreadable(f, e) = p {
            parts.push(format!("cannot verify {}: {e}", f.display()));
        }
    }
    parts.join("; ")
}

/// Verify one index file.
fn verify_file(index: &Index, file: &Path) -> Result<(), Problem> {
    // Tantivy trusts its own bytes in places: a panic on a damaged file is damage too.
    let checked = catch_unwind(AssertUnwindSafe(|| {
        index.directory().validate_checksum(file)
    }));
    match checked {
        Ok(Ok(true)) => Ok(()),
        Ok(Ok(false)) => Err(Problem::Mismatch(file.to_path_buf())),
        Ok(Err(e)) => Err(Problem::Unreadable(
            file.to_path_buf(),
            crate::error::tantivy_cause(&e.to_string()),
        )),
        Err(_) => Err(Problem::Unreadable(
            file.to_path_buf(),
            "truncated or damaged beyond reading".into(),
        )),
    }
}

/// The files of `segments` that tantivy manages: the same set `Index::validate_checksum` (and
/// so `kb doctor`) verifies.
fn segment_files(index: &Index, template: &IndexMeta, segments: &[SegmentMeta]) -> Vec<PathBuf> {
    let managed = index.directory().list_managed_files();
    let mut meta = template.clone();
    meta.segments = segments.to_vec();
    let mut files: Vec<PathBuf> = meta
        .list_segment_files()
        .into_iter()
        .filter(|f| managed.contains(f))
        .collect();
    files.sort();
    files
}

/// Verify those of `files` (relative to the index directory) that `record` does not vouch
/// for: no stamp, or a different one. Returns what is wrong with them, and the stamps of those
/// that verify.
fn verify_unvouched(
    index: &Index,
    index_path: &Path,
    record: &Record,
    files: &[PathBuf],
) -> (Vec<Problem>, Vec<(PathBuf, Stamp)>) {
    let mut problems = Vec::new();
    let mut verified = Vec::new();
    for file in files {
        // Stamped before reading: a change while we read shows as a changed stamp later.
        let now = stamp(&index_path.join(file));
        if now.is_some() && record.files.get(file) == now.as_ref() {
            continue;
        }
        match (verify_file(index, file), now) {
            (Ok(()), Some(s)) => verified.push((file.clone(), s)),
            (Ok(()), None) => {}
            (Err(e), _) => problems.push(e),
        }
    }
    (problems, verified)
}

/// Before a reader opens the segments of `meta`: verify those of their files the record does
/// not vouch for, and add those that verify to the record.
///
/// Why a reader checks at all: tantivy trusts the bytes of its files in places, and a damaged
/// length in a fast-field column made it try to allocate petabytes, which aborts the process
/// (no panic to catch). A file kb wrote or verified before, unchanged since, costs one `stat`;
/// a KB copied or restored from elsewhere is read in full once, by the first command that
/// opens it. Bytes that rot on disk without changing the file's stamp are `kb doctor`'s to find.
pub(crate) fn verify_for_reading(
    index: &Index,
    kb_dir: &Path,
    index_dir: &str,
    meta: &IndexMeta,
) -> Vec<Problem> {
    let files = segment_files(index, meta, &meta.segments);
    let record = Record::load(kb_dir, index_dir);
    let (problems, verified) = verify_unvouched(index, &kb_dir.join(index_dir), &record, &files);
    // Only for the live index: a reader that opened the old index just before `kb reindex`
    // switched to a new one must not replace the new index's record with the old one's (every
    // reader of the new index would then read it all again, until the next sync).
    let live = crate::kb::live_index_dir(kb_dir).ok().flatten();
    if !verified.is_empty() && live.as_deref() == Some(index_dir) {
        // Into the record as it is now: a writer may have saved its own since we loaded it.
        // Readers and a writer may still overwrite each other's additions; that only costs
        // verifying those files again later.
        let mut now = Record::load(kb_dir, index_dir);
        now.files.extend(verified);
        now.save(kb_dir);
    }
    problems
}

/// The checks of one write session, shared by the writer and its merge policy (which runs on
/// tantivy's segment-updater thread).
pub(crate) struct Verifier {
    index: Index,
    /// The KB directory, where the record lives.
    kb_dir: PathBuf,
    /// The index directory, for stamping files.
    index_path: PathBuf,
    /// The index's meta with no segments: what lists a segment's files (it knows the index's
    /// custom extensions, fixed at creation).
    template: IndexMeta,
    /// The record as this session found and verified it.
    record: Mutex<Record>,
    /// Segment files live when the session started.
    live_before: HashSet<PathBuf>,
    /// Merge policy verdicts of this session, by segment and delete opstamp (a segment gains a
    /// `.del` file when deletes are applied): intact or not.
    segments: Mutex<HashMap<(SegmentId, Option<Opstamp>), bool>>,
    /// Damaged segments the merge policy kept out of merges.
    damaged: Mutex<Vec<(SegmentId, Vec<Problem>)>>,
    /// Files whose checksums this session verified.
    files_verified: AtomicUsize,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("index_path", &self.index_path)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves consistent data (single inserts).
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Verifier {
    /// A session on the index in `kb_dir/index_dir`.
    pub(crate) fn new(
        kb_dir: &Path,
        index_dir: &str,
        index: &Index,
    ) -> Result<Verifier, StoreError> {
        let corrupt = |detail: String| StoreError::Corrupt {
            path: kb_dir.to_path_buf(),
            detail,
        };
        let meta = index.load_metas().map_err(|e| {
            corrupt(format!(
                "cannot read the index's meta.json: {}",
                crate::error::tantivy_cause(&e.to_string())
            ))
        })?;
        let live_before = segment_files(index, &meta, &meta.segments)
            .into_iter()
            .collect();
        let mut template = meta;
        template.segments.clear();
        Ok(Verifier {
            index: index.clone(),
            kb_dir: kb_dir.to_path_buf(),
            index_path: kb_dir.join(index_dir),
            template,
            record: Mutex::new(Record::load(kb_dir, index_dir)),
            live_before,
            segments: Mutex::new(HashMap::new()),
            damaged: Mutex::new(Vec::new()),
            files_verified: AtomicUsize::new(0),
        })
    }

    /// Verify every live segment file the record does not vouch for; remember those that
    /// verify. Returns what is wrong with the others.
    pub(crate) fn verify_unrecorded(&self) -> Vec<Problem> {
        let mut live: Vec<PathBuf> = self.live_before.iter().cloned().collect();
        live.sort();
        let mut record = lock(&self.record);
        let before = record.clone();
        let (problems, verified) = verify_unvouched(&self.index, &self.index_path, &record, &live);
        self.files_verified
            .fetch_add(verified.len() + problems.len(), Ordering::Relaxed);
        record.files.extend(verified);
        for p in &problems {
            record.files.remove(p.file());
        }
        record.files.retain(|f, _| self.live_before.contains(f));
        if problems.is_empty() && *record != before {
            record.save(&self.kb_dir);
        }
        problems
    }

    /// Is every file of `segment` intact? Verified once per session.
    fn segment_ok(&self, segment: &SegmentMeta) -> bool {
        let key = (segment.id(), segment.delete_opstamp());
        if let Some(ok) = lock(&self.segments).get(&key) {
            return *ok;
        }
        let problems: Vec<Problem> =
            segment_files(&self.index, &self.template, std::slice::from_ref(segment))
                .iter()
                .filter_map(|file| {
                    self.files_verified.fetch_add(1, Ordering::Relaxed);
                    verify_file(&self.index, file).err()
                })
                .collect();
        let ok = problems.is_empty();
        if !ok {
            lock(&self.damaged).push((segment.id(), problems));
        }
        lock(&self.segments).insert(key, ok);
        ok
    }

    /// Files whose checksums this session verified so far.
    pub(crate) fn files_verified(&self) -> usize {
        self.files_verified.load(Ordering::Relaxed)
    }

    /// What the merge policy found damaged (and kept out of merges).
    pub(crate) fn damaged(&self) -> Vec<Problem> {
        lock(&self.damaged)
            .iter()
            .flat_map(|(_, p)| p.iter().cloned())
            .collect()
    }

    /// After a commit: record the files this session wrote (new segments, merged segments,
    /// `.del` files) as good, and forget damaged segments and those merged away.
    ///
    /// A file this session wrote is recorded without reading it back: right after writing,
    /// the read would come from the page cache and only confirm that tantivy computed its own
    /// footer. Damage that happens to it later is the merge policy's and `kb doctor`'s to find.
    pub(crate) fn record_commit(&self) {
        let Ok(meta) = self.index.load_metas() else {
            return;
        };
        let live: HashSet<PathBuf> = segment_files(&self.index, &self.template, &meta.segments)
            .into_iter()
            .collect();
        let damaged: Vec<String> = lock(&self.damaged)
            .iter()
            .map(|(id, _)| id.uuid_string())
            .collect();
        let mut record = lock(&self.record);
        let before = record.clone();
        for file in live.difference(&self.live_before) {
            if let Some(s) = stamp(&self.index_path.join(file)) {
                record.files.insert(file.clone(), s);
            }
        }
        record.files.retain(|f, _| {
            live.contains(f)
                && !damaged
                    .iter()
                    .any(|d| f.to_str().is_some_and(|n| n.starts_with(d.as_str())))
        });
        if *record != before {
            record.save(&self.kb_dir);
        }
    }
}

/// Tantivy's default merge policy, minus every candidate holding a segment whose files do not
/// verify.
#[derive(Debug)]
pub(crate) struct VerifyingMergePolicy {
    inner: LogMergePolicy,
    verifier: Arc<Verifier>,
}

impl VerifyingMergePolicy {
    pub(crate) fn new(verifier: Arc<Verifier>) -> VerifyingMergePolicy {
        VerifyingMergePolicy {
            inner: LogMergePolicy::default(),
            verifier,
        }
    }
}

impl MergePolicy for VerifyingMergePolicy {
    // This runs on tantivy's segment-updater thread and blocks it while it reads the
    // candidates' files. Only candidates are read, once per session, and the merge that follows
    // reads the same bytes anyway.
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let candidates = self.inner.compute_merge_candidates(segments);
        if candidates.is_empty() {
            return candidates;
        }
        let by_id: HashMap<SegmentId, &SegmentMeta> =
            segments.iter().map(|s| (s.id(), s)).collect();
        candidates
            .into_iter()
            .filter(|c| {
                c.0.iter().all(|id| {
                    by_id
                        .get(id)
                        .is_some_and(|segment| self.verifier.segment_ok(segment))
                })
            })
            .collect()
    }
}
