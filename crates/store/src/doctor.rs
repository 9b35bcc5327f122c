//! `kb doctor`: the checks of what this crate owns, each with what was found and how to fix it.
//!
//! Read-only, and usable on a KB whose index does not open: every check reports instead of
//! failing. The one check that needs parse + clean (do the archive and the index agree?) is the
//! CLI's; [`Diagnosis`] hands it what it needs (the index's id -> hash map, the intact entries).

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::kb::{index_dirs, live_index_dir};
use crate::{Archive, ArchiveEntry, FeedStates, Kb, StoreError, WriteLock};

/// One finding of `kb doctor`.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Short stable name ("index", "checksums", "archive objects", ...).
    pub name: String,
    /// Passed?
    pub ok: bool,
    /// What was found, in plain words.
    pub detail: String,
    /// How to fix it, when it failed (or when there is something worth doing).
    pub fix: Option<String>,
}

impl Check {
    /// A passed check.
    pub fn pass(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            ok: true,
            detail: detail.into(),
            fix: None,
        }
    }

    /// A failed check and its fix.
    pub fn fail(name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            ok: false,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Everything the store-level checks found.
#[derive(Debug)]
pub struct Diagnosis {
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
    /// id -> content hash of the index, when the index could be read.
    pub index_hashes: Option<HashMap<String, String>>,
    /// The readable archive log entries, in log order: what `kb reindex` replays, but for
    /// those whose objects are lost.
    pub entries: Vec<ArchiveEntry>,
    /// The hashes of logged objects that are missing or damaged.
    pub lost_objects: BTreeSet<String>,
    /// Does the archive hold anything at all (an intact or a damaged entry)?
    pub has_archive: bool,
    /// Archive objects no log line names, oldest first ([`Archive::unlisted`]): their lines
    /// were lost, and `kb reindex` would not replay them until they are listed again.
    pub unlisted: Vec<String>,
    /// A running kb holds the lock (a sync or reindex under way): the archive may be ahead of
    /// the index by what it has not committed yet, which is no fault.
    pub writer_running: bool,
}

/// The fix for unlisted objects, which every other advice must defer to: a reindex before it
/// would rebuild articles from older documents than the ones the index holds.
pub const RELIST: &str = "run `kb doctor --fix` to list them in the log again, in the order they were stored; a rebuild before that would miss them";

const REINDEX: &str = "run `kb reindex` to rebuild the index from the archive";

/// Check the KB directory `dir`.
pub fn diagnose(dir: &Path) -> Diagnosis {
    let mut checks = Vec::new();
    let mut index_hashes = None;
    let live = match live_index_dir(dir) {
        Ok(Some(name)) => {
            checks.push(Check::pass("kb.json", format!("live index is {name}")));
            Some(name)
        }
        Ok(None) => {
            checks.push(Check::fail(
                "kb.json",
                format!("{} is missing", dir.join("kb.json").display()),
                "run `kb reindex` if the archive holds documents, else `kb sync`",
            ));
            None
        }
        Err(e) => {
            let fix = remove_first(&dir.join("kb.json"), REINDEX, Some(REINDEX));
            checks.push(Check::fail("kb.json", e.finding(), fix));
            None
        }
    };
    if let Some(name) = live.as_deref() {
        // Checksums first, without a reader: tantivy trusts the bytes of the files a reader
        // opens, and a damaged one can abort the process instead of failing.
        match crate::kb::damaged_index_files(dir, name) {
            Err(e) => checks.push(Check::fail("index", e.finding(), REINDEX)),
            Ok(damaged) if !damaged.is_empty() => {
                checks.push(Check::fail(
                    "index",
                    "not read: some of its files are damaged (see checksums)",
                    REINDEX,
                ));
                checks.push(Check::fail(
                    "checksums",
                    format!("checksum mismatch in {}", damaged.join(", ")),
                    REINDEX,
                ));
            }
            // Every file was just verified: opening need not verify them again.
            Ok(_) => match Kb::open_unverified(dir) {
                Ok(kb) => {
                    let phrases = match kb.frequent_pairs() {
                        Some(n) => format!("phrase index of {n} frequent word pairs"),
                        None => format!(
                            "no phrase index yet (chosen once the KB holds {} articles)",
                            crate::pairs::SAMPLE_DOCS
                        ),
                    };
                    checks.push(Check::pass(
                        "index",
                        format!("opens; {}; {phrases}", count(kb.count(), "article")),
                    ));
                    checks.push(Check::pass("checksums", "every segment file verifies"));
                    checks.push(match crate::vocabulary::check(&kb.index_path()) {
                        Ok(Some(n)) => Check::pass(
                            "words",
                            format!("{} as articles write them, for misspellings", count(n as u64, "word")),
                        ),
                        // An index an older kb wrote: searches read words as before.
                        Ok(None) => Check::pass(
                            "words",
                            "no list of words as written (an older kb's index): a misspelling that stems as another word (`referal`) is not read as the word meant until `kb reindex` builds one",
                        ),
                        Err(e) => Check::fail("words", e, REINDEX),
                    });
                    match kb.article_hashes() {
                        Ok(h) => index_hashes = Some(h),
                        Err(e) => checks.push(Check::fail("index ids", e.finding(), REINDEX)),
                    }
                }
                Err(StoreError::SchemaMismatch {
                    found, expected, ..
                }) if found > expected => checks.push(Check::fail(
                    "index",
                    format!(
                        "format version {found}, written by a newer kb; this kb reads {expected}"
                    ),
                    "use the newer kb that wrote it (a `kb reindex` by this one would take it back to the old format)",
                )),
                Err(StoreError::SchemaMismatch {
                    found, expected, ..
                }) => checks.push(Check::fail(
                    "index",
                    format!("format version {found}, this kb reads {expected}"),
                    REINDEX,
                )),
                Err(e) => checks.push(Check::fail("index", e.finding(), REINDEX)),
            },
        }
    }

    let archive = Archive::at(dir);
    let (log_check, entries) = check_log(&archive);
    checks.push(log_check);
    let has_archive = !entries.is_empty();
    let listed: std::collections::HashSet<&str> =
        entries.iter().map(|e| e.sha256.as_str()).collect();
    // With a log that cannot be read, every object would look unlisted: the log's check says
    // what to do first.
    let log_read = fs::read_dir(archive.dir()).is_err()
        || fs::metadata(archive.log_path()).map_or_else(
            |e| e.kind() == std::io::ErrorKind::NotFound,
            |m| m.is_file() && fs::File::open(archive.log_path()).is_ok(),
        );
    let unlisted = match archive.unlisted(&listed) {
        Ok(_) if !log_read => {
            checks.push(Check::pass(
                "unlisted objects",
                "not checked: the log cannot be read (see above)",
            ));
            Vec::new()
        }
        Ok(u) => {
            checks.push(if u.is_empty() {
                Check::pass("unlisted objects", "none: every archive object is in the log")
            } else if stored_after_the_log(&archive, &u) {
                Check::fail(
                    "unlisted objects",
                    format!(
                        "{} stored after the last change to {} {} not listed in it yet: their lines were never appended (an append that failed or was interrupted: a full disk, a killed sync); no line was lost",
                        count(u.len() as u64, "archive object"),
                        archive.log_path().display(),
                        if u.len() == 1 { "is" } else { "are" }
                    ),
                    "run `kb doctor --fix` to list them in the log, in the order they were stored (the next `kb sync` lists those its feeds still serve); a rebuild before that would miss them",
                )
            } else {
                Check::fail(
                    "unlisted objects",
                    format!(
                        "{} {} named by no line of {} (lines were lost: the log was truncated, damaged or deleted)",
                        count(u.len() as u64, "archive object"),
                        if u.len() == 1 { "is" } else { "are" },
                        archive.log_path().display()
                    ),
                    RELIST,
                )
            });
            u
        }
        Err(e) => {
            checks.push(Check::fail(
                "unlisted objects",
                e.finding(),
                "check the permissions of the archive directory",
            ));
            Vec::new()
        }
    };
    // The index's mark is written at every commit and read only to catch up: any other
    // damage to it is mended by the next commit, but nothing can be written over a directory
    // (every sync would warn, and doctor would see nothing wrong).
    let mark = archive.mark_path();
    if not_a_file(&mark) {
        checks.push(Check::fail(
            "index mark",
            format!("{} is not a file", mark.display()),
            remove_first(&mark, "", None),
        ));
    }
    let has_archive = has_archive || !unlisted.is_empty();
    let (objects_check, lost_objects) = check_objects(&archive, &entries);
    checks.push(objects_check);

    checks.push(match FeedStates::load(dir) {
        Ok(s) => Check::pass("feeds.json", format!("state of {}", count(s.feeds.len() as u64, "feed"))),
        Err(e) => Check::fail(
            "feeds.json",
            e.finding(),
            remove_first(
                &dir.join("feeds.json"),
                "run `kb reindex` (it sets the damaged file aside), or delete feeds.json: it only caches validators and feed status",
                None,
            ),
        ),
    });

    let holder = WriteLock::holder(dir);
    // Tantivy's own lock files in the live index: kb's lock keeps them free, but a writer
    // cannot take one that is not a file.
    let tantivy_locks: Vec<PathBuf> = live
        .iter()
        .flat_map(|name| {
            [".tantivy-writer.lock", ".tantivy-meta.lock"].map(|f| dir.join(name).join(f))
        })
        .filter(|p| not_a_file(p))
        .collect();
    checks.push(match &holder {
        Ok(_) if !tantivy_locks.is_empty() => {
            let names: Vec<String> = tantivy_locks
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            Check::fail(
                "lock",
                format!("not a file: {}", names.join(", ")),
                format!(
                    "remove {} (tantivy makes an empty file there)",
                    names.join(", ")
                ),
            )
        }
        Ok(None) => Check::pass("lock", "free"),
        Ok(Some(h)) if h.starts_with("another program") => {
            Check::pass("lock", format!("held: {h}; kb waits for it to let go"))
        }
        Ok(Some(h)) => Check::pass(
            "lock",
            format!("held by a running kb ({h}): a sync or reindex is under way"),
        ),
        Err(e) => Check::fail(
            "lock",
            e.finding(),
            remove_first(
                &dir.join("lock"),
                "check the permissions of the knowledge base directory",
                None,
            ),
        ),
    });
    // While a writer runs, its new index directory and temporary files are not leftovers.
    if matches!(holder, Ok(None)) {
        let left = leftovers(dir, live.as_deref());
        checks.push(if left.is_empty() {
            Check::pass("leftovers", "none")
        } else {
            let names: Vec<String> = left.iter().map(|p| p.display().to_string()).collect();
            Check::fail(
                "leftovers",
                format!(
                    "{} left by an interrupted run: {}",
                    match left.len() {
                        1 => "1 file or directory".to_string(),
                        n => format!("{n} files or directories"),
                    },
                    names.join(", ")
                ),
                "run `kb doctor --fix` to remove them (they are never live)",
            )
        });
    }
    // A rebuild reads the log first: while something other than a file stands there, every
    // advice to rebuild would send the user to a reindex that fails and back to doctor.
    let log = archive.log_path();
    if not_a_file(&log) {
        for check in &mut checks {
            if let Some(fix) = check.fix.as_mut().filter(|f| f.contains("kb reindex"))
                && check.name != "archive log"
            {
                *fix = format!(
                    "first remove {} (see the archive log check), then: {fix}",
                    log.display()
                );
            }
        }
    }

    Diagnosis {
        checks,
        index_hashes,
        entries,
        lost_objects,
        has_archive,
        unlisted,
        writer_running: matches!(holder, Ok(Some(_))),
    }
}

/// Whether the objects `unlisted` (oldest first) were all stored after the log last changed:
/// then their lines were never appended (a sync archives each object before its log line, and
/// a full disk or a kill can stop it in between), rather than lost from the log. A log that
/// lost lines changed after the objects they named (truncating it, damaging a line or making
/// it anew after a deletion writes it), and a missing log lost everything.
fn stored_after_the_log(archive: &Archive, unlisted: &[String]) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    let (Some(log), Some(oldest)) = (
        modified(&archive.log_path()),
        unlisted
            .first()
            .and_then(|h| modified(&archive.object_path(h))),
    ) else {
        return false;
    };
    oldest >= log
}

/// `fix`, unless something other than a file stands where kb keeps the file `path` (a
/// directory left by a botched restore): no kb command can write over that, so the fix is to
/// remove it, and then `then` when kb does not simply make the file again.
fn remove_first(path: &Path, fix: &str, then: Option<&str>) -> String {
    if !not_a_file(path) {
        return fix.to_string();
    }
    let remove = format!(
        "remove {} (kb keeps a file there, not a directory)",
        path.display()
    );
    match then {
        Some(then) => format!("{remove}, then {then}"),
        None => remove,
    }
}

/// Something other than a file (a directory) stands at `path`.
fn not_a_file(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file())
}

/// Parse every line of the log. A torn line (an append cut short by a kill or a full disk)
/// is harmless: the sync that wrote it never committed the articles it carried.
fn check_log(archive: &Archive) -> (Check, Vec<ArchiveEntry>) {
    const NAME: &str = "archive log";
    let path = archive.log_path();
    let unreadable = |e: String| {
        let fix = remove_first(
            &path,
            "check the file's permissions; `kb reindex` needs it",
            None,
        );
        (Check::fail(NAME, e, fix), Vec::new())
    };
    match fs::File::open(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (Check::pass(NAME, "empty: nothing archived yet"), Vec::new());
        }
        Err(e) => return unreadable(format!("cannot read {}: {e}", path.display())),
        Ok(_) => {}
    }
    let read = match archive.read_log() {
        Ok(read) => read,
        Err(e) => return unreadable(e.finding()),
    };
    let entries: Vec<ArchiveEntry> = read.entries.into_iter().map(|(e, _)| e).collect();
    let mut detail = match entries.len() {
        1 => "1 document logged".to_string(),
        n => format!("{n} documents logged"),
    };
    match read.torn {
        0 => {}
        1 => detail.push_str("; a torn line from an interrupted append is ignored (harmless)"),
        n => detail.push_str(&format!(
            "; {n} torn lines from interrupted appends are ignored (harmless)"
        )),
    }
    match read.repeated {
        0 => {}
        1 => detail.push_str("; a repeated line is ignored (harmless)"),
        n => detail.push_str(&format!("; {n} repeated lines are ignored (harmless)")),
    }
    let damaged = read.damaged;
    if damaged.is_empty() {
        return (Check::pass(NAME, detail), entries);
    }
    let shown: Vec<String> = damaged.iter().take(10).map(|n| n.to_string()).collect();
    (
        Check::fail(
            NAME,
            format!(
                "{detail}; {} in {} (line {}{})",
                count(damaged.len() as u64, "damaged line"),
                path.display(),
                shown.join(", "),
                if damaged.len() > 10 { ", …" } else { "" }
            ),
            "run `kb doctor --fix`: it lists the documents those lines named in the log again (when their objects are intact, see below) and drops the damaged lines; `kb sync` archives the feeds' current documents again",
        ),
        entries,
    )
}

/// Decompress every logged object and verify its SHA-256.
fn check_objects(archive: &Archive, entries: &[ArchiveEntry]) -> (Check, BTreeSet<String>) {
    const NAME: &str = "archive objects";
    // Lost before, and recorded as lost by `kb doctor --fix`: no fault any more.
    let known: BTreeSet<&str> = entries
        .iter()
        .filter(|e| e.lost)
        .map(|e| e.sha256.as_str())
        .collect();
    let unreadable = archive.unreadable_objects(entries);
    let bad: BTreeSet<String> = unreadable.keys().cloned().collect();
    let objects: BTreeSet<&str> = entries.iter().map(|e| e.sha256.as_str()).collect();
    let good = objects.len() - bad.len();
    // The first few objects not known to be lost, as the log names them.
    let mut details = Vec::new();
    let mut described = BTreeSet::new();
    for e in entries {
        if let Some(err) = unreadable.get(&e.sha256)
            && !known.contains(e.sha256.as_str())
            && details.len() < 5
            && described.insert(e.sha256.as_str())
        {
            details.push(format!("{} of feed {} ({err})", e.source, e.feed));
        }
    }
    let known_lost = bad.iter().filter(|h| known.contains(h.as_str())).count();
    let unknown = bad.len() - known_lost;
    let known_note = match known_lost {
        0 => String::new(),
        n => format!(
            "; {} recorded as lost by `kb doctor --fix` (the index keeps their articles)",
            count(n as u64, "archived document")
        ),
    };
    if unknown == 0 {
        return (
            Check::pass(
                NAME,
                format!("{} verified{known_note}", count(good as u64, "object")),
            ),
            bad,
        );
    }
    (
        Check::fail(
            NAME,
            format!(
                "{} of {} objects are missing or damaged: {}{}{known_note}",
                unknown,
                unknown + good,
                details.join("; "),
                if unknown > details.len() { "; …" } else { "" }
            ),
            lost_fix(entries, &bad, &known),
        ),
        bad,
    )
}

/// The way out of lost objects. A sync stores an object again only if its feed still serves
/// that very document, which only its feed's last logged one may be: where none of them is,
/// their feeds have moved on, and the loss can only be recorded.
fn lost_fix(entries: &[ArchiveEntry], bad: &BTreeSet<String>, known: &BTreeSet<&str>) -> String {
    let mut last: HashMap<&str, &str> = HashMap::new();
    for e in entries {
        last.insert(e.feed.as_str(), e.sha256.as_str());
    }
    let served = bad
        .iter()
        .filter(|h| !known.contains(h.as_str()))
        .any(|h| last.values().any(|l| l == h));
    let record = "`kb doctor --fix` records them as lost (the index keeps their articles; run `kb reindex` only if the index is damaged too: it rebuilds from the intact objects and names the rest)";
    if served {
        format!(
            "`kb sync` stores them again if the feeds still serve those documents; else {record}"
        )
    } else {
        format!(
            "their feeds have moved on (a later document of each is logged), so no sync brings them back: {record}"
        )
    }
}

/// Index directories other than the live one, and temporary files of interrupted atomic
/// writes, anywhere kb writes them.
fn leftovers(dir: &Path, live: Option<&str>) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = index_dirs(dir)
        .into_iter()
        .filter(|n| Some(n.as_str()) != live)
        .map(|n| dir.join(n))
        .collect();
    // Without a kb.json no index directory is live, but none is a leftover either: it may be
    // the only copy of the index, for `kb reindex` to replace.
    if live.is_none() {
        found.clear();
    }
    let mut dirs = vec![dir.to_path_buf(), dir.join("archive")];
    let objects = dir.join("archive").join("objects");
    if let Ok(rd) = fs::read_dir(&objects) {
        dirs.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
    }
    for d in dirs {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            // tempfile's default prefix, as used by `write_atomic`.
            if e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(".tmp"))
            {
                found.push(e.path());
            }
        }
    }
    found.sort();
    found
}

/// Remove what [`diagnose`] reports as leftovers; returns what was removed. Takes the write
/// lock, so nothing a running sync or reindex is writing is touched.
pub fn remove_leftovers(dir: &Path, _lock: &WriteLock) -> Result<Vec<PathBuf>, StoreError> {
    let live = live_index_dir(dir).ok().flatten();
    let left = leftovers(dir, live.as_deref());
    for p in &left {
        let removed = if p.is_dir() {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        };
        removed.map_err(|e| StoreError::io("removing", p, e))?;
    }
    Ok(left)
}

/// "1 object", "2 objects": a count with its noun.
fn count(n: u64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}
