//! The archive: every raw feed document kb ever fetched, kept so the index can be rebuilt.
//!
//! Objects are zstd-compressed and named by the SHA-256 of their *raw* bytes, so the same
//! document fetched twice is stored once, and damage is detectable (the name is the checksum).
//! `log.jsonl` records, in order, which feed fetched which object; replaying it in order through
//! parse + clean + upsert reproduces the index (`kb reindex`).
//!
//! Crash safety: an object is written to a temporary file, fsynced and renamed into place, then
//! its log line is appended and fsynced, all *before* the index commit that uses it. A crash at
//! any moment leaves either no trace or a complete object; a torn log line (an append cut
//! short) is skipped on read.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{StoreError, WriteLock};

/// One line of the archive log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveEntry {
    /// Name of the feed this document belongs to.
    pub feed: String,
    /// Where it came from: a URL or a file path.
    pub source: String,
    /// Hex SHA-256 of the raw bytes: the object's name.
    pub sha256: String,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
    /// HTTP Content-Type, when fetched over HTTP (it can carry the charset).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Size of the raw document in bytes.
    pub bytes: u64,
    /// Listed again after its line was lost ([`Archive::relist`]): its place in the log is a
    /// guess from its file's time, so its articles never replace a different version the
    /// index holds (`kb reindex` keeps the index's, `kb doctor` does not count it as a
    /// difference): the index's version was the latest when it was committed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub relisted: bool,
    /// Its object was found missing or damaged, and `kb doctor --fix` recorded the loss
    /// ([`Archive::mend_log`]): the articles it carried live on in the index only, which is
    /// then no fault. Says nothing once the object is intact again (a sync that fetched the
    /// same document stored it anew).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lost: bool,
}

/// The archive inside a KB directory.
#[derive(Debug, Clone)]
pub struct Archive {
    dir: PathBuf,
    /// Feed name -> hash of its last logged document, read from the log on the first `put`
    /// and kept current after: a sync of many feeds reads the (ever growing) log once, not
    /// once per feed.
    last_logged: Arc<Mutex<Option<HashMap<String, String>>>>,
}

impl Archive {
    pub(crate) fn new(kb_dir: &Path) -> Archive {
        Archive {
            dir: kb_dir.join("archive"),
            last_logged: Arc::default(),
        }
    }

    /// The archive of the KB directory `kb_dir`, usable even when its index is not.
    pub fn at(kb_dir: &Path) -> Archive {
        Archive::new(kb_dir)
    }

    pub(crate) fn object_path(&self, hash: &str) -> PathBuf {
        let (a, b) = hash.split_at(2.min(hash.len()));
        self.dir.join("objects").join(a).join(format!("{b}.zst"))
    }

    pub(crate) fn log_path(&self) -> PathBuf {
        self.dir.join("log.jsonl")
    }

    /// The name a raw document's object has: the hex SHA-256 of its bytes.
    pub fn hash(raw: &[u8]) -> String {
        hex(&Sha256::digest(raw))
    }

    /// Whether the object `hash` is on disk and intact (read back and its checksum verified).
    pub fn intact(&self, hash: &str) -> bool {
        self.get(hash).is_ok()
    }

    /// Feed name -> hash of its last logged document, for the feeds whose last document the
    /// live index holds as committed: its line comes before the index's mark, no later line of
    /// the feed follows it, and it is neither recorded lost nor listed again (whose place in
    /// the log is a guess). Empty without a mark that fits the log: then nothing tells what
    /// the index holds. A sync that reads such a document again need not index it again.
    pub fn committed_last(&self) -> Result<HashMap<String, String>, StoreError> {
        let Some(mark) = self.fitting_mark() else {
            return Ok(HashMap::new());
        };
        let mut last: HashMap<String, (ArchiveEntry, u64)> = HashMap::new();
        for (entry, end) in self.read_log()?.entries {
            last.insert(entry.feed.clone(), (entry, end));
        }
        // The same read tells `put_logged` each feed's last document: the log is read once.
        let mut guard = self.last_logged.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = Some(
                last.iter()
                    .map(|(feed, (e, _))| (feed.clone(), e.sha256.clone()))
                    .collect(),
            );
        }
        drop(guard);
        Ok(last
            .into_iter()
            .filter(|(_, (e, end))| *end <= mark.log_bytes && !e.lost && !e.relisted)
            .map(|(feed, (e, _))| (feed, e.sha256))
            .collect())
    }

    /// Store a raw document and log it; returns the log entry. Durable when it returns.
    pub fn put(
        &self,
        feed: &str,
        source: &str,
        content_type: Option<&str>,
        raw: &[u8],
    ) -> Result<ArchiveEntry, StoreError> {
        self.put_logged(feed, source, content_type, raw)
            .map(|(entry, _)| entry)
    }

    /// [`Archive::put`], and whether the entry was logged: it is not when the feed's last
    /// logged document is the same one.
    pub fn put_logged(
        &self,
        feed: &str,
        source: &str,
        content_type: Option<&str>,
        raw: &[u8],
    ) -> Result<(ArchiveEntry, bool), StoreError> {
        let hash = Archive::hash(raw);
        let path = self.object_path(&hash);
        // An existing object is reused only if it is intact: fetching the same document again
        // is then how a damaged archive object heals.
        if !path.exists() || self.get(&hash).is_err() {
            let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
            fs::create_dir_all(&parent).map_err(|e| StoreError::io("creating", &parent, e))?;
            let compressed = zstd::encode_all(raw, 3)
                .map_err(|e| StoreError::io("compressing into", &path, e))?;
            write_atomic(&path, &compressed)?;
        }
        let entry = ArchiveEntry {
            feed: feed.to_string(),
            source: source.to_string(),
            sha256: hash,
            fetched_at: Utc::now(),
            content_type: content_type.map(str::to_string),
            bytes: raw.len() as u64,
            relisted: false,
            lost: false,
        };
        // An unchanged feed fetched from cron every hour must not grow the log every hour.
        let mut guard = self.last_logged.lock().unwrap_or_else(|e| e.into_inner());
        let last = match guard.take() {
            Some(map) => map,
            None => self
                .entries()?
                .0
                .into_iter()
                .map(|e| (e.feed, e.sha256))
                .collect(),
        };
        let last = guard.insert(last);
        let logged = last.get(&entry.feed) != Some(&entry.sha256);
        if logged {
            self.append_log(&entry)?;
            last.insert(entry.feed.clone(), entry.sha256.clone());
        }
        Ok((entry, logged))
    }

    /// Log `entry`, a document [`Archive::put_logged`] did not log (its feed's last logged
    /// document was the same), after all: its articles changed the index this time (another
    /// feed's document meanwhile gave way to it), and a replay of the log must meet it here, not
    /// only where it was logged first.
    pub fn log_again(&self, entry: &ArchiveEntry) -> Result<(), StoreError> {
        let entry = ArchiveEntry {
            fetched_at: Utc::now(),
            ..entry.clone()
        };
        self.append_log(&entry)
    }

    fn append_log(&self, entry: &ArchiveEntry) -> Result<(), StoreError> {
        let path = self.log_path();
        fs::create_dir_all(&self.dir).map_err(|e| StoreError::io("creating", &self.dir, e))?;
        let mut line = serde_json::to_string(entry).map_err(|e| {
            StoreError::io("encoding log entry for", &path, std::io::Error::other(e))
        })?;
        line.push('\n');
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| StoreError::io("opening", &path, e))?;
        // A torn line from an earlier crash has no newline: start ours on a fresh line.
        if let Ok(meta) = f.metadata()
            && meta.len() > 0
            && !ends_with_newline(&path)
        {
            line.insert(0, '\n');
        }
        f.write_all(line.as_bytes())
            .and_then(|_| f.sync_data())
            .map_err(|e| StoreError::io("appending to", &path, e))
    }

    /// Record that the live index holds every document the log lists now: called after a
    /// commit (or a sync that changed nothing) under the write lock, so the next sync can
    /// index what a sync killed between archiving and committing left only in the archive
    /// ([`Archive::unindexed`]). A crash before this is written leaves an older mark, which
    /// only makes the next sync replay documents it already holds (their articles are then
    /// unchanged).
    pub fn mark_indexed(&self, _lock: &WriteLock) -> Result<(), StoreError> {
        let Some(index) = crate::kb::live_index_dir(self.kb_dir())? else {
            return Ok(());
        };
        let path = self.log_path();
        let (log_bytes, last_line) = match File::open(&path) {
            Ok(f) => last_line(f).map_err(|e| StoreError::io("reading", &path, e))?,
            // Nothing archived yet: nothing to catch up, and no archive directory to mark in.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(StoreError::io("reading", &path, e)),
        };
        self.write_mark(&IndexedMark {
            index,
            log_bytes,
            last_line,
        })
    }

    /// Mark a KB that has archived nothing yet as holding all of its (empty) log, so that when
    /// its very first sync is killed after archiving, the next one catches up from the start.
    /// A KB of an older kb, with a log and no mark, gets its mark at its next commit instead:
    /// what it may have left unindexed before is `kb reindex`'s to find.
    pub fn mark_if_new(&self, _lock: &WriteLock) -> Result<(), StoreError> {
        if self.mark_path().exists() || self.log_path().exists() {
            return Ok(());
        }
        let Some(index) = crate::kb::live_index_dir(self.kb_dir())? else {
            return Ok(());
        };
        fs::create_dir_all(&self.dir).map_err(|e| StoreError::io("creating", &self.dir, e))?;
        self.write_mark(&IndexedMark {
            index,
            log_bytes: 0,
            last_line: String::new(),
        })
    }

    /// The documents the log lists after the live index's mark ([`Archive::mark_indexed`]):
    /// archived by a sync that was killed or failed before its commit, so their articles may
    /// be in no index. Empty without a mark, or when the mark is for another index (a
    /// rebuild replays the whole log) or no longer fits the log (rewritten by `kb doctor
    /// --fix`): then only `kb reindex` can tell, and `kb doctor` says so. Documents listed
    /// again after their lines were lost are left out: their place in the log is a guess,
    /// and the index's versions of their articles are the later ones.
    pub fn unindexed(&self) -> Result<Vec<ArchiveEntry>, StoreError> {
        let Some(mark) = self.read_mark() else {
            return Ok(Vec::new());
        };
        if crate::kb::live_index_dir(self.kb_dir())?.as_deref() != Some(mark.index.as_str()) {
            return Ok(Vec::new());
        }
        let path = self.log_path();
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("reading", &path, e)),
        };
        let read = |e| StoreError::io("reading", &path, e);
        let len = file.metadata().map_err(read)?.len();
        if len <= mark.log_bytes || !mark_fits(&mark, &mut file).map_err(read)? {
            return Ok(Vec::new());
        }
        // The whole log, not only the part after the mark: a line the same as an earlier one
        // (a log restored over itself) says nothing new, and replayed it would roll the feed's
        // articles back to that older document.
        Ok(self
            .read_log()?
            .entries
            .into_iter()
            .filter(|(e, end)| *end > mark.log_bytes && !e.relisted)
            .map(|(e, _)| e)
            .collect())
    }

    fn write_mark(&self, mark: &IndexedMark) -> Result<(), StoreError> {
        let path = self.mark_path();
        let json = serde_json::to_vec(mark)
            .map_err(|e| StoreError::io("encoding", &path, std::io::Error::other(e)))?;
        write_atomic(&path, &json)
    }

    /// The mark, when it is for the live index and fits the log as it is.
    fn fitting_mark(&self) -> Option<IndexedMark> {
        let mark = self.read_mark()?;
        let live = crate::kb::live_index_dir(self.kb_dir()).ok()??;
        let mut file = File::open(self.log_path()).ok()?;
        (live == mark.index && mark_fits(&mark, &mut file).ok()?).then_some(mark)
    }

    fn read_mark(&self) -> Option<IndexedMark> {
        serde_json::from_slice(&fs::read(self.mark_path()).ok()?).ok()
    }

    pub(crate) fn mark_path(&self) -> PathBuf {
        self.dir.join(MARK_FILE)
    }

    fn kb_dir(&self) -> &Path {
        self.dir.parent().unwrap_or(Path::new("."))
    }

    /// Every readable log entry in order, plus the number of damaged lines skipped. Torn lines
    /// (appends cut short) are skipped too but not counted: they are no damage.
    pub fn entries(&self) -> Result<(Vec<ArchiveEntry>, usize), StoreError> {
        let read = self.read_log()?;
        let entries = read.entries.into_iter().map(|(e, _)| e).collect();
        Ok((entries, read.damaged.len()))
    }

    /// The readable log entries of the part of the log the live index held at its last mark
    /// ([`Archive::mark_indexed`]), in order; the whole log's without a mark that fits it. What
    /// a replay of the log from its start had seen when it reached the first document a killed
    /// sync left unindexed: a sync catching up asks it which document of a feed came last.
    pub fn indexed_entries(&self) -> Result<Vec<ArchiveEntry>, StoreError> {
        let upto = self.fitting_mark().map(|m| m.log_bytes);
        Ok(self
            .read_log()?
            .entries
            .into_iter()
            .take_while(|(_, end)| upto.is_none_or(|upto| *end <= upto))
            .map(|(e, _)| e)
            .collect())
    }

    /// Read the whole log: every readable entry, and which lines were skipped.
    pub(crate) fn read_log(&self) -> Result<LogRead, StoreError> {
        let path = self.log_path();
        let mut read = LogRead::default();
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(read),
            Err(e) => return Err(StoreError::io("reading", &path, e)),
        };
        let mut at = 0u64;
        // Whether the line just read did not parse.
        let mut last_bad = false;
        let mut seen = HashSet::new();
        for (n, line) in BufReader::new(file).split(b'\n').enumerate() {
            let line = line.map_err(|e| StoreError::io("reading", &path, e))?;
            let end = at + line.len() as u64;
            at = end + 1;
            last_bad = false;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<ArchiveEntry>(&line) {
                Ok(e) => {
                    if seen.insert((e.feed.clone(), e.sha256.clone(), e.fetched_at)) {
                        read.entries.push((e, end));
                    } else {
                        read.repeated += 1;
                    }
                }
                Err(e) if torn_line(&e) => read.torn += 1,
                Err(_) => {
                    read.damaged.push(n + 1);
                    last_bad = true;
                }
            }
        }
        // A last line with no newline after it is an append cut short, whatever its bytes
        // (torn inside a character, say).
        if last_bad && !ends_with_newline(&path) {
            read.damaged.pop();
            read.torn += 1;
        }
        Ok(read)
    }

    /// Read an object back, verifying its checksum.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.object_path(hash);
        let damaged = |detail: String| StoreError::ArchiveObject {
            hash: hash.to_string(),
            detail,
        };
        // The name comes from the log, which may be damaged: it must be a hash, not a path.
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(damaged("not a SHA-256 name".into()));
        }
        let compressed =
            fs::read(&path).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
        let mut raw = Vec::new();
        zstd::Decoder::new(&compressed[..])
            .and_then(|mut d| d.read_to_end(&mut raw))
            .map_err(|e| damaged(format!("cannot decompress: {e}")))?;
        if hex(&Sha256::digest(&raw)) != hash {
            return Err(damaged("checksum mismatch".into()));
        }
        Ok(raw)
    }

    /// The hashes of the intact-looking objects on disk that no entry of `listed` names, oldest
    /// file first: objects whose log lines were lost (a truncated, damaged or deleted log).
    ///
    /// Oldest first by the file's modification time, because that is the order they were
    /// fetched in, which is the order the log had them in and `kb reindex` replays them in (the
    /// latest version of an article wins): an object is written once, when first fetched, and
    /// never touched again. The dates inside a feed document would not do: they are the
    /// articles' dates, not the fetch's (a backfilled archive page holds older articles than
    /// the feed fetched before it), and many documents carry none.
    pub fn unlisted(&self, listed: &HashSet<&str>) -> Result<Vec<String>, StoreError> {
        let objects = self.dir.join("objects");
        let shards = match fs::read_dir(&objects) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("reading", &objects, e)),
        };
        let mut found: Vec<(SystemTime, String)> = Vec::new();
        for shard in shards.flatten() {
            let Some(prefix) = shard.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if prefix.len() != 2 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let Ok(files) = fs::read_dir(shard.path()) else {
                continue;
            };
            for f in files.flatten() {
                let name = f.file_name();
                let Some(rest) = name.to_str().and_then(|n| n.strip_suffix(".zst")) else {
                    continue;
                };
                let hash = format!("{prefix}{rest}");
                if hash.len() != 64
                    || !hash.bytes().all(|b| b.is_ascii_hexdigit())
                    || listed.contains(hash.as_str())
                {
                    continue;
                }
                let modified = f
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                found.push((modified, hash));
            }
        }
        found.sort();
        Ok(found.into_iter().map(|(_, h)| h).collect())
    }

    /// Log again objects whose lines were lost (see [`Archive::unlisted`]), given oldest
    /// first: each line goes before the first line fetched after it, so that a replay of the
    /// log meets the documents in the order they were fetched. Appending them would put them
    /// after every line left, which is their place only when the lines lost were the last ones
    /// (a truncated log): a log emptied or deleted and then written by a sync holds newer
    /// documents than the lost ones, which a rebuild would otherwise replay last, rolling their
    /// articles back. The log is rewritten atomically, every other line kept byte for byte
    /// (damaged ones too, for a human to look at), and the index's mark moves with its line.
    pub fn relist(&self, entries: &[ArchiveEntry], _lock: &WriteLock) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let path = self.log_path();
        let old = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(StoreError::io("reading", &path, e)),
        };
        let encode = |e: &ArchiveEntry| {
            serde_json::to_vec(e).map_err(|err| {
                StoreError::io("encoding log entry for", &path, std::io::Error::other(err))
            })
        };
        let mark = self.fitting_mark();
        let mut moved = None;
        let mut text = Vec::with_capacity(old.len() + entries.len() * 400);
        let mut pending = entries.iter().peekable();
        let body = old.strip_suffix(b"\n").unwrap_or(&old);
        let mut at = 0u64;
        for line in body.split(|b| *b == b'\n').filter(|_| !body.is_empty()) {
            let end = at + line.len() as u64;
            at = end + 1;
            if let Ok(e) = serde_json::from_slice::<ArchiveEntry>(line) {
                while let Some(r) = pending.next_if(|r| r.fetched_at < e.fetched_at) {
                    text.extend_from_slice(&encode(r)?);
                    text.push(b'\n');
                }
            }
            text.extend_from_slice(line);
            if mark.as_ref().is_some_and(|m| m.log_bytes == end) {
                moved = Some(text.len() as u64);
            }
            text.push(b'\n');
        }
        for r in pending {
            text.extend_from_slice(&encode(r)?);
            text.push(b'\n');
        }
        fs::create_dir_all(&self.dir).map_err(|e| StoreError::io("creating", &self.dir, e))?;
        write_atomic(&path, &text)?;
        if let (Some(mut mark), Some(log_bytes)) = (mark, moved) {
            mark.log_bytes = log_bytes;
            self.write_mark(&mark)?;
        }
        // The cache of each feed's last logged document is stale now.
        *self.last_logged.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    /// Rewrite the log (atomically) without its damaged lines, and with the entries whose
    /// objects are missing or damaged marked as lost ([`ArchiveEntry::lost`]); returns how
    /// many lines were dropped and how many marked. For `kb doctor --fix`, after
    /// [`Archive::relist`] has listed again the objects the damaged lines named: what they
    /// said is unreadable, and the log is then whole again; and a lost object, which no
    /// command can bring back but a sync that fetches the same document, is then a known loss
    /// rather than a fault forever.
    pub fn mend_log(&self, _lock: &WriteLock) -> Result<(usize, usize), StoreError> {
        let LogRead {
            mut entries,
            damaged,
            torn,
            repeated,
        } = self.read_log()?;
        let lost = self.unreadable_objects(entries.iter().map(|(e, _)| e));
        // Torn and repeated lines go too: harmless, but no use to anyone either.
        let dropped = damaged.len() + torn + repeated;
        let mut marked = 0;
        for (e, _) in &mut entries {
            if !e.lost && lost.contains_key(&e.sha256) {
                e.lost = true;
                marked += 1;
            }
        }
        if dropped + marked == 0 {
            return Ok((0, 0));
        }
        // The index's mark moves with the lines it counts, or the next sync could no longer
        // tell what a killed sync left unindexed.
        let mark = self.fitting_mark();
        let mut moved = None;
        let path = self.log_path();
        let mut text = String::new();
        for (e, end) in &entries {
            let line = serde_json::to_string(e).map_err(|e| {
                StoreError::io("encoding log entry for", &path, std::io::Error::other(e))
            })?;
            text.push_str(&line);
            if let Some(mark) = &mark
                && *end <= mark.log_bytes
            {
                moved = Some(IndexedMark {
                    index: mark.index.clone(),
                    log_bytes: text.len() as u64,
                    last_line: line,
                });
            }
            text.push('\n');
        }
        write_atomic(&path, text.as_bytes())?;
        if let Some(mark) = mark {
            // Nothing readable was indexed: from the start.
            self.write_mark(&moved.unwrap_or(IndexedMark {
                index: mark.index,
                log_bytes: 0,
                last_line: String::new(),
            }))?;
        }
        // The cache of each feed's last logged document holds only hashes: still right.
        Ok((dropped, marked))
    }

    /// Each distinct object `entries` name that is missing or damaged, with why: every one read
    /// back and verified once (a panic in decompression is caught as damage).
    pub(crate) fn unreadable_objects<'a>(
        &self,
        entries: impl IntoIterator<Item = &'a ArchiveEntry>,
    ) -> HashMap<String, StoreError> {
        let mut seen = HashSet::new();
        let mut bad = HashMap::new();
        for e in entries {
            if !seen.insert(e.sha256.as_str()) {
                continue;
            }
            let read = crate::kb::guard(self.kb_dir(), "reading an archive object", || {
                self.get(&e.sha256)
            });
            if let Err(err) = read {
                bad.insert(e.sha256.clone(), err);
            }
        }
        bad
    }

    /// When the object `hash` was stored (its file's modification time).
    pub fn stored_at(&self, hash: &str) -> Option<DateTime<Utc>> {
        let modified = fs::metadata(self.object_path(hash)).ok()?.modified().ok()?;
        Some(DateTime::<Utc>::from(modified))
    }

    /// The directory holding the archive.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// The archive's record of how much of its log the live index holds.
const MARK_FILE: &str = "indexed.json";

/// `archive/indexed.json` (see [`Archive::mark_indexed`]): the log's length when `index` last
/// held all of it, and the line that ended there, so a log rewritten since is recognised.
#[derive(Debug, Serialize, Deserialize)]
struct IndexedMark {
    index: String,
    log_bytes: u64,
    last_line: String,
}

/// What a read of the archive log found.
#[derive(Debug, Default)]
pub(crate) struct LogRead {
    /// The readable entries in order, each with the offset where its line ends (before its
    /// newline).
    pub entries: Vec<(ArchiveEntry, u64)>,
    /// The line numbers (from 1) of damaged lines: changed bytes, not a torn append.
    pub damaged: Vec<usize>,
    /// How many torn lines ([`torn_line`]) were skipped: harmless.
    pub torn: usize,
    /// How many lines the same as an earlier one (feed, document and fetch time) were
    /// skipped: a sync never logs one fetch twice, so such a line is a copy (a line copied, a
    /// log restored over itself) and says nothing new; replayed where it stands, it would
    /// roll its articles back to that older document.
    pub repeated: usize,
}

/// Whether a log line that does not parse is a torn one: the start of an append that was cut
/// short (a kill, a full disk, a log truncated mid-line), whose JSON simply ends early, rather
/// than a line whose bytes were changed. The sync or rebuild that wrote it never finished, so
/// the line vouches for nothing: its object, if stored, is listed again like any unlisted one
/// ([`Archive::unlisted`]). An append after it starts on a fresh line, so a torn line can sit
/// anywhere in the log, not only last.
pub(crate) fn torn_line(err: &serde_json::Error) -> bool {
    err.classify() == serde_json::error::Category::Eof
}

/// The length of a log and its last line (without its newline; torn or not).
fn last_line(mut f: File) -> std::io::Result<(u64, String)> {
    use std::io::{Seek, SeekFrom};
    let len = f.metadata()?.len();
    // Lines are short (a few hundred bytes); a longer tail than this is not a log line.
    let tail = len.min(64 * 1024);
    f.seek(SeekFrom::Start(len - tail))?;
    let mut buf = Vec::with_capacity(tail as usize);
    f.take(tail).read_to_end(&mut buf)?;
    let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
    let start = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    // The log up to the end of the line, and the line without its newline: of a line torn
    // inside a character (or otherwise not UTF-8), the part after its last bad byte, so that
    // the mark still names the bytes that end there.
    let end = len - tail + body.len() as u64;
    let line = body[start..]
        .utf8_chunks()
        .last()
        .filter(|chunk| chunk.invalid().is_empty())
        .map_or(String::new(), |chunk| chunk.valid().to_owned());
    Ok((end, line))
}

/// Whether the log, as `file` holds it, still ends `mark.last_line` at `mark.log_bytes`: the
/// log the mark was taken of, perhaps grown since, not one rewritten.
fn mark_fits(mark: &IndexedMark, file: &mut File) -> std::io::Result<bool> {
    use std::io::{Seek, SeekFrom};
    let line_len = mark.last_line.len() as u64;
    if file.metadata()?.len() < mark.log_bytes || mark.log_bytes < line_len {
        return Ok(false);
    }
    let mut before = vec![0; mark.last_line.len()];
    file.seek(SeekFrom::Start(mark.log_bytes - line_len))?;
    file.read_exact(&mut before)?;
    Ok(before == mark.last_line.as_bytes())
}

fn ends_with_newline(path: &Path) -> bool {
    use std::io::{Seek, SeekFrom};
    let Ok(mut f) = File::open(path) else {
        return true;
    };
    let mut last = [0u8; 1];
    f.seek(SeekFrom::End(-1))
        .and_then(|_| f.read_exact(&mut last))
        .map(|_| last[0] == b'\n')
        .unwrap_or(true)
}

/// Write a file so that readers see either the old content or the new, never a mix: temporary
/// file in the same directory, fsync, rename, fsync the directory.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| StoreError::io("creating a temporary file in", dir, bare(&e)))?;
    tmp.write_all(data)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| StoreError::io("writing", path, bare(&e)))?;
    tmp.persist(path)
        .map_err(|e| StoreError::io("replacing", path, bare(&e.error)))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The OS error without tempfile's "at path <temporary name>" decoration: the message names
/// the real file (or directory) already.
fn bare(e: &std::io::Error) -> std::io::Error {
    crate::error::plain_os_error(e)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by reading the code: a last line that is not UTF-8 (torn inside a character) was
    /// marked by its lossy copy, whose length is not the line's, so the mark's offset fell
    /// mid-line and no later sync could catch up from it.
    #[test]
    fn a_mark_taken_after_a_line_torn_inside_a_character_still_fits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        for (log, line) in [
            (&b"{\"a\":1}\n{\"feed\":\"Caf\xC3"[..], ""),
            (&b"{\"a\":1}\nab\xFFcd\n"[..], "cd"),
            (
                &b"{\"a\":1}\n{\"feed\":\"Caf\xC3\xA9\"}\n"[..],
                "{\"feed\":\"Café\"}",
            ),
        ] {
            fs::write(&path, log).unwrap();
            let (end, last) = last_line(File::open(&path).unwrap()).unwrap();
            assert_eq!(last, line);
            assert_eq!(end, log.strip_suffix(b"\n").unwrap_or(log).len() as u64);
            let mark = IndexedMark {
                index: "tantivy-1".into(),
                log_bytes: end,
                last_line: last,
            };
            // Grown since, as the next sync's lines grow it: it still fits.
            let mut grown = log.to_vec();
            grown.extend_from_slice(b"\n{\"b\":2}\n");
            fs::write(&path, &grown).unwrap();
            assert!(mark_fits(&mark, &mut File::open(&path).unwrap()).unwrap());
        }
    }

    /// Found by the durability probe (feed rm on a KB it could not write): the message named
    /// the temporary file kb failed to create (`... at path "./index/.tmpF5dBRD"`), a name
    /// that means nothing to the user and never existed.
    #[test]
    fn a_failed_atomic_write_names_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("feeds.json");
        let msg = write_atomic(&path, b"{}").unwrap_err().to_string();
        assert!(msg.contains("No such file or directory"), "{msg}");
        assert!(
            !msg.contains("missing/.tmp") && !msg.contains("at path"),
            "{msg}"
        );
    }

    #[test]
    fn put_get_roundtrip_and_dedup() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let e1 = a.put("f", "src", None, b"<rss/>").unwrap();
        let e2 = a.put("f", "src", None, b"<rss/>").unwrap();
        assert_eq!(e1.sha256, e2.sha256);
        assert_eq!(a.get(&e1.sha256).unwrap(), b"<rss/>");
        assert_eq!(
            a.entries().unwrap().0.len(),
            1,
            "same document twice is logged once"
        );
        a.put("f", "src", None, b"<rss></rss>").unwrap();
        assert_eq!(a.entries().unwrap().0.len(), 2);
    }

    #[test]
    fn torn_log_line_is_skipped_and_next_append_is_clean() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        a.put("f", "src", None, b"one").unwrap();
        let mut f = OpenOptions::new().append(true).open(a.log_path()).unwrap();
        f.write_all(b"{\"feed\":\"f\",\"sou").unwrap();
        drop(f);
        a.put("f", "src", None, b"two").unwrap();
        let (entries, skipped) = a.entries().unwrap();
        assert_eq!(entries.len(), 2);
        // Torn, not damaged.
        assert_eq!(skipped, 0);
    }

    /// A torn line (JSON that ends early) is told from a damaged one (changed bytes) wherever
    /// it is: an append after it starts on a fresh line. The last line, with no newline after
    /// it, is torn whatever its bytes.
    #[test]
    fn torn_lines_are_told_from_damaged_ones() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        a.put("f", "src", None, b"one").unwrap();
        let good = fs::read(a.log_path()).unwrap();
        let mut log = good.clone();
        log.extend_from_slice(b"{\"feed\":\"f\",\"sou\n");
        log.extend_from_slice(&good);
        // One byte changed.
        let changed = String::from_utf8(good.clone()).unwrap();
        log.extend_from_slice(changed.replacen("feed", "fe\"d", 1).as_bytes());
        log.extend_from_slice(b"{\"feed\":\"f\",\"bytes\":12\n");
        log.extend_from_slice(&good);
        // Cut inside a character of a (bad) string.
        let torn_in_a_character = [&good[..20], &[0xe2, 0x82][..]].concat();
        fs::write(a.log_path(), [&log[..], &torn_in_a_character].concat()).unwrap();
        let read = a.read_log().unwrap();
        // The same line three times: the copies say nothing new.
        assert_eq!((read.entries.len(), read.repeated), (1, 2));
        assert_eq!(read.damaged, [4]);
        assert_eq!(read.torn, 3);
        // With a newline after it, a last line that is no torn JSON is damage.
        fs::write(a.log_path(), [&log[..], b"{\"feed\": ]\n"].concat()).unwrap();
        let read = a.read_log().unwrap();
        assert_eq!((read.damaged, read.torn), (vec![4, 7], 2));
    }

    #[test]
    fn unlisted_objects_are_found_oldest_first_and_relisted() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let one = a.put("f", "src", None, b"one").unwrap();
        let two = a.put("f", "src", None, b"two").unwrap();
        let three = a.put("f", "src", None, b"three").unwrap();
        // Fetch order by modification time, whatever the hashes' order.
        for (i, e) in [&one, &two, &three].iter().enumerate() {
            let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000 + i as u64);
            File::options()
                .write(true)
                .open(a.object_path(&e.sha256))
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        let listed = |entries: &[ArchiveEntry]| -> HashSet<String> {
            entries.iter().map(|e| e.sha256.clone()).collect()
        };
        // The log loses its last two lines.
        let log = fs::read_to_string(a.log_path()).unwrap();
        let first = log.lines().next().unwrap();
        fs::write(a.log_path(), format!("{first}\n")).unwrap();
        let (entries, _) = a.entries().unwrap();
        let names = listed(&entries);
        let names: HashSet<&str> = names.iter().map(String::as_str).collect();
        let unlisted = a.unlisted(&names).unwrap();
        assert_eq!(unlisted, [two.sha256.clone(), three.sha256.clone()]);
        let lock = WriteLock::acquire(dir.path(), std::time::Duration::ZERO).unwrap();
        let again = |e: &ArchiveEntry| ArchiveEntry {
            relisted: true,
            lost: false,
            ..e.clone()
        };
        a.relist(&[again(&two), again(&three)], &lock).unwrap();
        let (entries, _) = a.entries().unwrap();
        assert_eq!(entries, [one, again(&two), again(&three)]);
        // Fetching the last document again adds no line: the cache knows it is logged.
        a.put("f", "src", None, b"three").unwrap();
        assert_eq!(a.entries().unwrap().0.len(), 3);
    }

    /// Found by the advice probe: a log emptied (or deleted), then written by a sync, holds
    /// newer documents than the lost ones; listed again after them, the older documents were
    /// replayed last by a rebuild and rolled their articles back. Each goes before the first
    /// line fetched after it; other lines stay byte for byte, and the mark moves with its line.
    #[test]
    fn lines_listed_again_go_in_their_place_by_time() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let lock = WriteLock::acquire(dir.path(), std::time::Duration::ZERO).unwrap();
        let at = |s: i64| DateTime::<Utc>::from_timestamp(1_700_000_000 + s, 0).unwrap();
        let entry = |n: u8, s: i64, relisted: bool| ArchiveEntry {
            feed: "f".into(),
            source: "src".into(),
            sha256: hex(&[n; 32]),
            fetched_at: at(s),
            content_type: None,
            bytes: 1,
            relisted,
            lost: false,
        };
        let line = |e: &ArchiveEntry| serde_json::to_string(e).unwrap();
        let damaged = "{\"feed\": damaged";
        let log = format!(
            "{}\n{damaged}\n{}\n",
            line(&entry(1, 10, false)),
            line(&entry(3, 30, false))
        );
        fs::create_dir_all(&a.dir).unwrap();
        fs::write(a.log_path(), &log).unwrap();
        // The index holds the log up to the line of the document fetched at 10.
        crate::kb::switch_to(dir.path(), "tantivy-1").unwrap();
        let mark = IndexedMark {
            index: "tantivy-1".into(),
            log_bytes: line(&entry(1, 10, false)).len() as u64,
            last_line: line(&entry(1, 10, false)),
        };
        a.write_mark(&mark).unwrap();
        assert!(a.fitting_mark().is_some());
        let again = [entry(0, 5, true), entry(2, 20, true), entry(4, 40, true)];
        a.relist(&again, &lock).unwrap();
        let text = fs::read_to_string(a.log_path()).unwrap();
        let want = [
            line(&again[0]),
            line(&entry(1, 10, false)),
            damaged.to_string(),
            line(&again[1]),
            line(&entry(3, 30, false)),
            line(&again[2]),
        ];
        assert_eq!(text.lines().collect::<Vec<_>>(), want);
        let moved = a.fitting_mark().expect("the mark fits the rewritten log");
        assert_eq!(moved.last_line, line(&entry(1, 10, false)));
        let held: Vec<u8> = a
            .indexed_entries()
            .unwrap()
            .iter()
            .map(|e| u8::from_str_radix(&e.sha256[..2], 16).unwrap())
            .collect();
        assert_eq!(held, [0, 1]);
    }

    #[test]
    fn damaged_object_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let e = a.put("f", "src", None, b"payload").unwrap();
        fs::write(a.object_path(&e.sha256), b"garbage").unwrap();
        assert!(matches!(
            a.get(&e.sha256),
            Err(StoreError::ArchiveObject { .. })
        ));
    }
}
