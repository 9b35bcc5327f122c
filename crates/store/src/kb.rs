//! Opening, creating and rebuilding a KB directory.

use std::collections::HashMap;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::index::SegmentId;
use tantivy::{Index, IndexMeta, IndexReader, ReloadPolicy};

use crate::archive::write_atomic;
use crate::error::tantivy_cause;
use crate::pairs::FrequentPairs;
use crate::schema::{self, Fields};
use crate::verify::Verifier;
use crate::vocabulary::Vocabulary;
use crate::{Archive, KbWriter, StoreError, WriteLock};

/// On-disk format version. Bump it whenever the schema or analyzers change: an older KB is then
/// refused with a pointer to `kb reindex`, which rebuilds it from the archive.
///
/// 3: CJK text indexed as character pairs, hyphenated compounds also joined (`crate::words`).
/// 4: acronyms' plurals stemmed to the singular (`pcs` -> `pc`, `crate::stem`), possessive `s`
/// dropped (`owner's` -> `owner`, `crate::words`).
/// 5: number words and digits as one term (`two` -> `2`, `first` -> `1st`, `crate::stem`);
/// dates as Unix seconds (tantivy dates wrap outside 1677-2262); `c++`, `c#` as words; the
/// words of the URL searched (`url_text`).
/// 6: words joined by an apostrophe also joined up (`Xi'an` -> `xi`, `an`, `xian`;
/// `crate::words`).
/// 7: a number grouped by commas as one token of its digits (`1,400` -> `1400`,
/// `crate::words`).
pub const SCHEMA_VERSION: u32 = 7;

/// `kb.json`: which format this KB has and which index directory is live. Replaced atomically,
/// so a rebuild switches from the old index to the new one in a single rename.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    format: u32,
    index_dir: String,
}

/// An open knowledge base: a reader on its index, and its archive.
pub struct Kb {
    dir: PathBuf,
    /// The live index directory's name (`tantivy-<n>`).
    index_dir: String,
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    archive: Archive,
    /// The index's list of frequent pairs, for exact phrases by pairs ([`crate::pairs`]).
    pub(crate) frequent_pairs: Option<Arc<FrequentPairs>>,
    /// The index's list of words as written ([`crate::vocabulary`]), opened on the first
    /// search that asks (`Some(None)`: it has none) and again after [`Kb::reload`].
    vocabulary: std::sync::Mutex<Option<Option<Arc<Vocabulary>>>>,
}

impl std::fmt::Debug for Kb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kb").field("dir", &self.dir).finish()
    }
}

fn meta_path(dir: &Path) -> PathBuf {
    dir.join("kb.json")
}

fn read_meta(dir: &Path) -> Result<Option<Meta>, StoreError> {
    let path = meta_path(dir);
    let corrupt = |detail: String| StoreError::Corrupt {
        path: dir.to_path_buf(),
        detail: format!("{} is unreadable: {detail}", path.display()),
    };
    match fs::read(&path) {
        Ok(bytes) => {
            let meta: Meta = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
            // The name is joined to the KB path: a damaged or hostile kb.json must not point
            // anywhere else (`../x`, `/etc`).
            if !is_index_dir_name(&meta.index_dir) {
                return Err(corrupt(format!("bad index directory {:?}", meta.index_dir)));
            }
            Ok(Some(meta))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io("reading", path, e)),
    }
}

/// `tantivy-<n>`: the only names kb gives index directories.
fn is_index_dir_name(name: &str) -> bool {
    index_dir_number(name).is_some()
}

fn index_dir_number(name: &str) -> Option<u64> {
    name.strip_prefix("tantivy-")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
}

/// The live index directory's name, as `kb.json` says (None when there is no `kb.json`).
pub(crate) fn live_index_dir(dir: &Path) -> Result<Option<String>, StoreError> {
    Ok(read_meta(dir)?.map(|m| m.index_dir))
}

/// Every `tantivy-<n>` directory in the KB directory.
pub(crate) fn index_dirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<(u64, String)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            Some((index_dir_number(&name)?, name))
        })
        .collect();
    names.sort();
    names.into_iter().map(|(_, n)| n).collect()
}

/// Did a sync ever archive something here? Then the KB exists, even if `kb.json` is gone.
fn has_archive(dir: &Path) -> bool {
    fs::metadata(dir.join("archive").join("log.jsonl")).is_ok_and(|m| m.len() > 0)
}

/// `kb.json` is gone but the archive is not: the index can be rebuilt, but must not be
/// silently replaced by an empty one (the next sync would then only hold the current feeds).
fn meta_missing(dir: &Path) -> StoreError {
    StoreError::Corrupt {
        path: dir.to_path_buf(),
        detail: format!(
            "{} is missing but the archive is there",
            meta_path(dir).display()
        ),
    }
}

/// Run tantivy code that may panic on damaged files (it trusts its own bytes in places), and
/// turn a panic into [`StoreError::Corrupt`].
pub(crate) fn guard<T>(
    dir: &Path,
    what: &str,
    f: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        Err(StoreError::Corrupt {
            path: dir.to_path_buf(),
            detail: format!("{what} failed: {}", tantivy_cause(&msg)),
        })
    })
}

fn write_meta(dir: &Path, meta: &Meta) -> Result<(), StoreError> {
    let json = serde_json::to_vec_pretty(meta)
        .map_err(|e| StoreError::io("encoding", meta_path(dir), std::io::Error::other(e)))?;
    write_atomic(&meta_path(dir), &json)
}

/// What one attempt at opening the live index gave.
enum Opened {
    /// A reader on segments whose files were verified, still the index's current ones.
    Ready(Kb),
    /// A reader, but a writer in another process changed the index meanwhile.
    Moving(Kb),
    /// Files did not verify, but a writer changed the index meanwhile (a merge deletes the
    /// files of the segments it replaced): not damage, try again.
    Retry(StoreError),
}

/// What identifies the state of a segment for a reader.
fn segment_states(meta: &IndexMeta) -> Vec<(SegmentId, u32)> {
    let mut s: Vec<_> = meta
        .segments
        .iter()
        .map(|s| (s.id(), s.num_deleted_docs()))
        .collect();
    s.sort();
    s
}

impl Kb {
    /// Open an existing KB for reading.
    ///
    /// Index files that kb has not written or verified before, or that changed on disk since,
    /// are verified before the reader opens them (see `verify.rs`): a damaged file ends in
    /// [`StoreError::Corrupt`] rather than in whatever tantivy makes of its bytes.
    pub fn open(dir: &Path) -> Result<Kb, StoreError> {
        Self::open_with(dir, true)
    }

    /// The index to salvage what it holds from, for a rebuild: the live one if it opens and
    /// its files verify; else, when kb.json cannot say which is live (missing or damaged), the
    /// index directory that opens, verifies and holds the most articles (a rebuild killed
    /// half-way leaves a newer one holding fewer), the older of equals. `None` when no index
    /// is intact.
    pub fn open_to_salvage(dir: &Path) -> Option<Kb> {
        let intact = |kb: Kb| kb.damaged_files().is_ok_and(|d| d.is_empty()).then_some(kb);
        match Kb::open(dir) {
            Ok(kb) => return intact(kb),
            Err(_) if live_index_dir(dir).is_ok_and(|live| live.is_some()) => return None,
            Err(_) => {}
        }
        index_dirs(dir)
            .iter()
            .rev()
            .filter_map(|name| {
                match guard(dir, "opening the index", || {
                    Self::open_index(dir, name, true)
                }) {
                    Ok(Opened::Ready(kb)) => intact(kb),
                    _ => None,
                }
            })
            .max_by_key(Kb::count)
    }

    /// Open without verifying index files first: for `kb doctor`, which verifies every file
    /// itself and reads nothing else of an index that fails.
    pub(crate) fn open_unverified(dir: &Path) -> Result<Kb, StoreError> {
        Self::open_with(dir, false)
    }

    fn open_with(dir: &Path, verify: bool) -> Result<Kb, StoreError> {
        // A `kb reindex` in another process may switch kb.json to a new index and delete the
        // old one between our reading kb.json and opening the index: then kb.json has moved
        // on, and reading it again gives the new, complete index. Likewise a sync's commit or
        // merge may delete segment files between our reading meta.json and opening them
        // (`open_index`).
        let mut attempts = 0;
        loop {
            let meta = match read_meta(dir)? {
                Some(m) => m,
                None if has_archive(dir) => return Err(meta_missing(dir)),
                None => return Err(StoreError::NotFound(dir.to_path_buf())),
            };
            if meta.format != SCHEMA_VERSION {
                return Err(StoreError::SchemaMismatch {
                    path: dir.to_path_buf(),
                    found: meta.format,
                    expected: SCHEMA_VERSION,
                });
            }
            match guard(dir, "opening the index", || {
                Self::open_index(dir, &meta.index_dir, verify)
            }) {
                Ok(Opened::Ready(kb)) => return Ok(kb),
                // A writer that keeps committing: take what we have. Segments it added since
                // we verified are its fresh ones, not files something outside kb changed.
                Ok(Opened::Moving(kb)) if attempts >= 5 => return Ok(kb),
                Ok(Opened::Retry(e)) if attempts >= 5 => return Err(e),
                Ok(Opened::Moving(_) | Opened::Retry(_)) => attempts += 1,
                Err(e) => {
                    attempts += 1;
                    let moved = read_meta(dir)
                        .ok()
                        .flatten()
                        .is_some_and(|m| m.index_dir != meta.index_dir);
                    if !moved || attempts >= 3 {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// Open a KB, creating an empty one if the directory holds none. The caller must hold the
    /// write lock, so two processes never create the same KB at once.
    pub fn open_or_create(dir: &Path, lock: &WriteLock) -> Result<Kb, StoreError> {
        // What killed runs left behind (temporary files, an unfinished rebuild) is never live,
        // and we hold the lock: tidy up, so `kb doctor` after the next sync is clean. Best
        // effort: a leftover costs only disk space.
        let _ = crate::doctor::remove_leftovers(dir, lock);
        if read_meta(dir)?.is_none() {
            if has_archive(dir) {
                return Err(meta_missing(dir));
            }
            let name = next_index_dir(dir)?;
            let mut fresh = FreshIndex::new(dir, &name);
            create_index(dir, &name)?;
            // Switching also removes index directories of earlier runs killed before they
            // wrote kb.json: with no kb.json and no archive, nothing in them was ever live.
            switch_to(dir, &name)?;
            fresh.went_live();
        }
        Self::open(dir)
    }

    /// One attempt at opening the index `name`: read its meta.json, verify the files of its
    /// segments (when `verify`), open a reader, and read meta.json once more.
    ///
    /// Why the second read: a writer in another process deletes the files of segments it
    /// merged away right after writing the new meta.json. A reader that read the old meta.json
    /// just before may find one of those files already gone, and tantivy takes a missing
    /// positions file for a segment without positions: the search fails later ("Failed to open
    /// field ... positions"), seen once in the durability test under load. If meta.json still
    /// lists the segments the reader opened, and those are the ones verified, none of their
    /// files was deleted before we opened it (open files outlive their deletion), so the reader
    /// is whole; otherwise opening again reads the new, complete state.
    fn open_index(dir: &Path, name: &str, verify: bool) -> Result<Opened, StoreError> {
        let corrupt = |detail: String| StoreError::Corrupt {
            path: dir.to_path_buf(),
            detail,
        };
        let index = open_tantivy(dir, name)?;
        let (schema, fields) = schema::build();
        if index.schema() != schema {
            return Err(corrupt("its schema differs from this kb's".into()));
        }
        let metas = || {
            index.load_metas().map_err(|e| {
                corrupt(format!(
                    "cannot read the index's meta.json: {}",
                    tantivy_cause(&e.to_string())
                ))
            })
        };
        let before = metas()?;
        if verify {
            let problems = crate::verify::verify_for_reading(&index, dir, name, &before);
            if !problems.is_empty() {
                let e = corrupt(crate::verify::describe(&problems));
                if segment_states(&metas()?) == segment_states(&before) {
                    return Err(e);
                }
                return Ok(Opened::Retry(e));
            }
        }
        schema::register_analyzers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| match unwritable_lock(&e) {
                // Not damage: see readable.rs for the one lock a reader may do without.
                Some(io) => StoreError::io("locking the index in", dir.join(name), io),
                None => corrupt(tantivy_cause(&e.to_string())),
            })?;
        let after = metas()?;
        let mut opened: Vec<_> = reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|r| (r.segment_id(), r.num_deleted_docs()))
            .collect();
        opened.sort();
        let settled = opened == segment_states(&after) && opened == segment_states(&before);
        let kb = Kb {
            dir: dir.to_path_buf(),
            index_dir: name.to_string(),
            index,
            fields,
            reader,
            archive: Archive::new(dir),
            // The pairs may come from a later commit than the reader's: that is the same list
            // (an index keeps the one it chose), and segments lacking its pairs are read by
            // positions.
            frequent_pairs: FrequentPairs::from_payload(after.payload.as_deref()).map(Arc::new),
            vocabulary: std::sync::Mutex::new(None),
        };
        Ok(if settled {
            Opened::Ready(kb)
        } else {
            Opened::Moving(kb)
        })
    }

    /// The index's list of words as written, if it keeps one that reads.
    pub(crate) fn vocabulary(&self) -> Option<Arc<Vocabulary>> {
        let mut held = self.vocabulary.lock().unwrap_or_else(|e| e.into_inner());
        held.get_or_insert_with(|| Vocabulary::open(&self.index_path()).map(Arc::new))
            .clone()
    }

    /// The live index directory.
    pub(crate) fn index_path(&self) -> PathBuf {
        self.dir.join(&self.index_dir)
    }

    /// The KB directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The archive of raw feed documents.
    pub fn archive(&self) -> &Archive {
        &self.archive
    }

    /// Start writing to the live index.
    ///
    /// A merge would copy damaged bytes into a new segment with a valid checksum, and the
    /// damage could no longer be detected: the writer's merge policy verifies segments before
    /// merging them (see `verify.rs`). Up front, only segment files not verified or written by
    /// kb before, or changed on disk since, are verified: a KB copied or restored from
    /// elsewhere, or a file something outside kb wrote to, is refused here rather than at the
    /// first merge; an unchanged KB costs a `stat` per file instead of reading the whole index.
    pub fn writer(&self, _lock: &WriteLock) -> Result<KbWriter, StoreError> {
        let verifier = guard(&self.dir, "verifying checksums", || {
            Verifier::new(&self.dir, &self.index_dir, &self.index)
        })?;
        let problems = verifier.verify_unrecorded();
        if !problems.is_empty() {
            return Err(StoreError::Corrupt {
                path: self.dir.clone(),
                detail: crate::verify::describe(&problems),
            });
        }
        guard(&self.dir, "opening the index writer", || {
            KbWriter::new(
                &self.dir,
                &self.index_path(),
                self.index.clone(),
                self.fields,
                None,
                Arc::new(verifier),
            )
        })
    }

    /// Index files (relative to the live index directory) whose checksum does not verify.
    pub fn damaged_files(&self) -> Result<Vec<String>, StoreError> {
        damaged_files_of(&self.dir, &self.index)
    }

    /// id -> content hash of every article in the index.
    pub fn article_hashes(&self) -> Result<HashMap<String, String>, StoreError> {
        guard(&self.dir, "reading article ids", || {
            crate::writer::load_hashes(&self.index)
        })
    }

    /// Start a rebuild: a fresh, empty index next to the live one. Nothing changes for readers
    /// until [`KbWriter::commit`] on the returned writer switches `kb.json` to it. Works on a KB
    /// whose index is damaged or of another format, since only the archive is needed.
    ///
    /// What earlier rebuilds left (one that failed, or was killed, before its switch) is
    /// removed first: it is never live, and on a full disk it holds the space this one needs.
    /// If this rebuild fails, its own directory goes too.
    pub fn rebuild(dir: &Path, lock: &WriteLock) -> Result<KbWriter, StoreError> {
        fs::create_dir_all(dir).map_err(|e| StoreError::io("creating", dir, e))?;
        // Best effort, as for a sync: a leftover costs only disk space.
        let _ = crate::doctor::remove_leftovers(dir, lock);
        let name = next_index_dir(dir)?;
        let fresh = FreshIndex::new(dir, &name);
        let index = create_index(dir, &name)?;
        let (_, fields) = schema::build();
        let verifier = Verifier::new(dir, &name, &index)?;
        let index_path = dir.join(&name);
        KbWriter::new(
            dir,
            &index_path,
            index,
            fields,
            Some(fresh),
            Arc::new(verifier),
        )
    }

    /// How many frequent word pairs the index keeps for exact phrases (see the README's speed
    /// section); `None` until it has chosen them, once it holds enough articles.
    pub fn frequent_pairs(&self) -> Option<usize> {
        self.frequent_pairs.as_ref().map(|l| l.len())
    }

    /// Number of articles in the index.
    pub fn count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Reload the reader to see the latest commit.
    pub fn reload(&self) -> Result<(), StoreError> {
        // A commit may have added words: the list is read again when next asked for.
        *self.vocabulary.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.reader.reload().map_err(StoreError::from)
    }
}

/// Files of the index `name` whose checksum does not verify, without opening a reader on it
/// (which would read the damaged bytes): for `kb doctor`.
pub(crate) fn damaged_index_files(dir: &Path, name: &str) -> Result<Vec<String>, StoreError> {
    damaged_files_of(dir, &open_tantivy(dir, name)?)
}

/// The OS error of a lock tantivy could not take because the directory cannot be written.
fn unwritable_lock(e: &tantivy::TantivyError) -> Option<std::io::Error> {
    match e {
        tantivy::TantivyError::LockFailure(
            tantivy::directory::error::LockError::IoError(io),
            _,
        ) if crate::readable::is_unwritable(io) => Some(io.raw_os_error().map_or_else(
            || std::io::Error::new(io.kind(), io.to_string()),
            std::io::Error::from_raw_os_error,
        )),
        _ => None,
    }
}

/// Open the tantivy index `name` of the KB at `dir`; a missing index directory is said in
/// words (tantivy's message is `Failed to open the directory: 'DoesNotExist("...")'`).
fn open_tantivy(dir: &Path, name: &str) -> Result<Index, StoreError> {
    use tantivy::directory::error::OpenDirectoryError;
    let path = dir.join(name);
    // Through `Readable`, so that reading works where nothing can be written (readable.rs).
    let opened = tantivy::directory::MmapDirectory::open(&path)
        .map_err(tantivy::TantivyError::from)
        .and_then(|d| Index::open(crate::readable::Readable::new(Box::new(d))));
    opened.map_err(|e| StoreError::Corrupt {
        path: dir.to_path_buf(),
        detail: match e {
            tantivy::TantivyError::OpenDirectoryError(OpenDirectoryError::DoesNotExist(_)) => {
                format!("its index directory {} is missing", path.display())
            }
            tantivy::TantivyError::OpenDirectoryError(OpenDirectoryError::NotADirectory(_)) => {
                format!("its index directory {} is not a directory", path.display())
            }
            other => tantivy_cause(&other.to_string()),
        },
    })
}

fn damaged_files_of(dir: &Path, index: &Index) -> Result<Vec<String>, StoreError> {
    let damaged = guard(dir, "verifying checksums", || {
        index.validate_checksum().map_err(|e| StoreError::Corrupt {
            path: dir.to_path_buf(),
            detail: format!("cannot verify checksums: {}", tantivy_cause(&e.to_string())),
        })
    })?;
    let mut names: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
    names.sort();
    Ok(names)
}

fn create_index(dir: &Path, name: &str) -> Result<Index, StoreError> {
    let path = dir.join(name);
    if path.exists() {
        // Left over from a rebuild that crashed before switching: never live, safe to drop.
        fs::remove_dir_all(&path).map_err(|e| StoreError::io("removing", &path, e))?;
    }
    fs::create_dir_all(&path).map_err(|e| StoreError::io("creating", &path, e))?;
    let (schema, _) = schema::build();
    // Its first file can already find the disk full: that is no damage (the message named
    // tantivy's temporary file and advised the reindex that had just failed).
    let index = Index::create_in_dir(&path, schema)
        .map_err(|e| StoreError::from_tantivy("creating a new index in", dir, e))?;
    schema::register_analyzers(&index);
    Ok(index)
}

/// An index directory being made (a KB's first, or a rebuild's), removed when this is dropped
/// before [`FreshIndex::went_live`]: a creation or a rebuild that fails (a full disk) leaves
/// nothing behind, so a retry finds the space it freed, and `kb doctor` no leftover. Dropped
/// after the index writer (its field comes later in [`KbWriter`]), so tantivy's threads have
/// stopped writing there.
#[derive(Debug)]
pub(crate) struct FreshIndex {
    kb_dir: PathBuf,
    pub(crate) name: String,
    live: bool,
}

impl FreshIndex {
    pub(crate) fn new(kb_dir: &Path, name: &str) -> FreshIndex {
        FreshIndex {
            kb_dir: kb_dir.to_path_buf(),
            name: name.to_string(),
            live: false,
        }
    }

    /// kb.json names it now: it stays.
    pub(crate) fn went_live(&mut self) {
        self.live = true;
    }
}

impl Drop for FreshIndex {
    fn drop(&mut self) {
        // kb.json is read again rather than trusted to have failed: if it names this
        // directory after all, the directory is the index.
        if self.live
            || live_index_dir(&self.kb_dir)
                .ok()
                .flatten()
                .is_some_and(|n| n == self.name)
        {
            return;
        }
        let path = self.kb_dir.join(&self.name);
        // A merge thread of the writer just dropped may still finish a file there: once more.
        if fs::remove_dir_all(&path).is_err() && path.exists() {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// `tantivy-<n+1>` where n is the highest number present, so a rebuild never reuses a live name.
fn next_index_dir(dir: &Path) -> Result<String, StoreError> {
    let max = index_dirs(dir)
        .iter()
        .filter_map(|n| index_dir_number(n))
        .max()
        .unwrap_or(0);
    Ok(format!("tantivy-{}", max + 1))
}

/// Switch the live index to `name` and remove the others.
pub(crate) fn switch_to(dir: &Path, name: &str) -> Result<(), StoreError> {
    write_meta(
        dir,
        &Meta {
            format: SCHEMA_VERSION,
            index_dir: name.to_string(),
        },
    )?;
    for n in index_dirs(dir) {
        if n != name {
            // Readers that still have the old files open keep them (POSIX unlink semantics);
            // one that read the old kb.json but had not opened the index yet retries (`open`).
            let _ = fs::remove_dir_all(dir.join(n));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn index_dir_names_are_only_ours() {
        assert!(is_index_dir_name("tantivy-1"));
        assert!(is_index_dir_name("tantivy-42"));
        for bad in [
            "tantivy-",
            "tantivy-1/../..",
            "../tantivy-1",
            "/etc",
            "tantivy--1",
        ] {
            assert!(!is_index_dir_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_panic_becomes_a_corrupt_error() {
        let r: Result<(), StoreError> = guard(Path::new("kb"), "reading", || panic!("bad bytes"));
        let e = r.unwrap_err().to_string();
        assert!(e.contains("bad bytes") && e.contains("kb doctor"), "{e}");
    }

    #[test]
    fn a_lost_kb_json_is_not_replaced_by_an_empty_index() {
        let dir = tempfile::tempdir().unwrap();
        let lock = WriteLock::acquire(dir.path(), Duration::ZERO).unwrap();
        Kb::open_or_create(dir.path(), &lock).unwrap();
        Archive::at(dir.path())
            .put("f", "src", None, b"<rss/>")
            .unwrap();
        fs::remove_file(meta_path(dir.path())).unwrap();
        for e in [
            Kb::open(dir.path()).unwrap_err(),
            Kb::open_or_create(dir.path(), &lock).unwrap_err(),
        ] {
            assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
            assert!(e.to_string().contains("kb reindex"), "{e}");
        }
    }

    #[test]
    fn a_new_kb_removes_the_index_of_a_creation_killed_before_kb_json() {
        let dir = tempfile::tempdir().unwrap();
        let lock = WriteLock::acquire(dir.path(), Duration::ZERO).unwrap();
        create_index(dir.path(), "tantivy-1").unwrap();
        Kb::open_or_create(dir.path(), &lock).unwrap();
        assert_eq!(index_dirs(dir.path()), ["tantivy-2"]);
    }

    /// A reader of an index that is no longer live (it opened the old index just before a
    /// rebuild switched) leaves the live index's record of verified files alone.
    #[test]
    fn only_a_reader_of_the_live_index_writes_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let lock = WriteLock::acquire(dir.path(), Duration::ZERO).unwrap();
        Kb::open_or_create(dir.path(), &lock).unwrap();
        let record = dir.path().join(crate::verify::RECORD_FILE);
        let _ = fs::remove_file(&record);
        // An index next to the live one, with a segment nobody has recorded.
        let old = create_index(dir.path(), "tantivy-9").unwrap();
        let mut w = old.writer::<tantivy::TantivyDocument>(15_000_000).unwrap();
        w.add_document(tantivy::TantivyDocument::default()).unwrap();
        w.commit().unwrap();
        let meta = old.load_metas().unwrap();
        assert!(crate::verify::verify_for_reading(&old, dir.path(), "tantivy-9", &meta).is_empty());
        assert!(
            !record.exists(),
            "a reader of a non-live index wrote the record"
        );
        // The live index's reader does write it.
        Kb::open(dir.path()).unwrap();
        let live = live_index_dir(dir.path()).unwrap().unwrap();
        let index = Index::open_in_dir(dir.path().join(&live)).unwrap();
        schema::register_analyzers(&index);
        let mut w = index
            .writer::<tantivy::TantivyDocument>(15_000_000)
            .unwrap();
        w.add_document(tantivy::TantivyDocument::default()).unwrap();
        w.commit().unwrap();
        Kb::open(dir.path()).unwrap();
        let saved: serde_json::Value = serde_json::from_slice(&fs::read(&record).unwrap()).unwrap();
        assert_eq!(saved["index_dir"], live.as_str());
    }

    #[test]
    fn a_kb_json_pointing_elsewhere_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            meta_path(dir.path()),
            r#"{"format": 1, "index_dir": "../elsewhere"}"#,
        )
        .unwrap();
        assert!(matches!(
            Kb::open(dir.path()),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
