//! Segment checksums: a write session never merges a damaged segment into a new one (whose
//! valid checksum would hide the damage), a reader never opens a damaged file kb has no record
//! of, and neither reads the files it already knows to be intact.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kb_store::{Article, Kb, KbWriter, StoreError, WriteLock};

fn article(i: usize) -> Article {
    Article {
        id: format!("{i:016x}"),
        feed: "f".into(),
        guid: Some(format!("g{i}")),
        url: Some(format!("http://example.test/{i}")),
        title: format!("article {i}"),
        author: Some(format!("author {}", i % 4)),
        categories: vec![format!("topic {}", i % 3), format!("area {}", i % 5)],
        published: None,
        updated: None,
        comments: None,
        comments_url: None,
        summary: String::new(),
        text: format!("managed services backup number{i}"),
        html: String::new(),
        links: Vec::new(),
        enclosure: None,
        content_hash: format!("h{i}"),
    }
}

/// Commit `articles` new articles, starting at id `from`, in one write session.
fn session(kb: &Kb, lock: &WriteLock, from: usize, articles: usize) -> Result<(), StoreError> {
    let mut w = kb.writer(lock)?;
    add(&mut w, from, articles);
    w.commit().map(|_| ())
}

fn add(w: &mut KbWriter, from: usize, articles: usize) {
    for i in from..from + articles {
        w.upsert(&article(i)).unwrap();
    }
}

/// The live segments' ids, from tantivy's meta.json.
fn segments(dir: &Path) -> Vec<String> {
    let meta: serde_json::Value =
        serde_json::from_slice(&fs::read(common::live_index(dir).join("meta.json")).unwrap())
            .unwrap();
    meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect()
}

/// The files of the live segments (named `<segment id>.<component>`).
fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let ids = segments(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(common::live_index(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            ids.iter().any(|id| name.starts_with(&format!("{id}.")))
        })
        .collect();
    files.sort();
    files
}

fn flip_a_byte(file: &Path) {
    let mut b = fs::read(file).unwrap();
    // The middle: the bytes the checksum covers, not the footer that holds it.
    let i = b.len() / 2;
    b[i] ^= 0x10;
    fs::write(file, b).unwrap();
}

fn doctor_checksums(dir: &Path) -> kb_store::Check {
    kb_store::diagnose(dir)
        .checks
        .into_iter()
        .find(|c| c.name == "checksums")
        .unwrap()
}

/// A new KB written by one session per entry of `sessions`, each adding that many articles.
fn kb_of_sessions(sessions: &[usize]) -> (tempfile::TempDir, WriteLock, Kb) {
    let dir = tempfile::tempdir().unwrap();
    let lock = WriteLock::acquire(dir.path(), Duration::ZERO).unwrap();
    let kb = Kb::open_or_create(dir.path(), &lock).unwrap();
    let mut from = 0;
    for &n in sessions {
        session(&kb, &lock, from, n).unwrap();
        from += n;
    }
    (dir, lock, kb)
}

/// Seven sessions, seven segments: one short of what tantivy's default policy merges.
fn seven_segments() -> (tempfile::TempDir, WriteLock, Kb) {
    let (dir, lock, kb) = kb_of_sessions(&[5; 7]);
    assert_eq!(segments(dir.path()).len(), 7);
    (dir, lock, kb)
}

#[test]
fn an_eighth_segment_merges_them_all() {
    // The control of the next test: without damage, the merge happens.
    let (dir, lock, kb) = seven_segments();
    session(&kb, &lock, 35, 5).unwrap();
    assert_eq!(segments(dir.path()).len(), 1);
    kb.reload().unwrap();
    assert_eq!(kb.count(), 40);
    assert!(doctor_checksums(dir.path()).ok);
}

#[test]
fn a_damaged_segment_is_never_merged() {
    let (dir, lock, kb) = seven_segments();
    let old = segments(dir.path());
    let mut w = kb.writer(&lock).unwrap();
    // Damaged after the session's up-front check, as rotting bytes (which keep the file's
    // stamp) would be: only the merge policy stands between it and a merge.
    let victim = segment_files(dir.path())
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .unwrap();
    let name = victim.file_name().unwrap().to_str().unwrap().to_string();
    flip_a_byte(&victim);
    add(&mut w, 35, 5);
    let e = w.commit().unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("checksum mismatch") && msg.contains(&name) && msg.contains("kb reindex"),
        "{msg}"
    );

    // No merge: the seven old segments are all there, the damaged one among them, next to
    // the session's new one (or two: tantivy's indexing threads may each write one).
    let now = segments(dir.path());
    assert!(old.iter().all(|s| now.contains(s)), "{old:?} {now:?}");
    assert!(now.len() > old.len(), "{now:?}");
    // The session's articles are committed all the same.
    kb.reload().unwrap();
    assert_eq!(kb.count(), 40);
    // The damage is still there to find.
    let check = doctor_checksums(dir.path());
    assert!(!check.ok && check.detail.contains(&name), "{check:?}");
    // And the next session refuses to start on it.
    let e = kb.writer(&lock).unwrap_err();
    assert!(e.to_string().contains(&name), "{e}");
}

#[test]
fn a_writer_reads_only_the_segment_files_it_does_not_know() {
    let (dir, lock, kb) = kb_of_sessions(&[5; 3]);
    let files = segment_files(dir.path());
    assert!(files.len() >= 3 * 5, "{files:?}");
    let verified = |kb: &Kb| kb.writer(&lock).unwrap().verified_files();

    // Every segment was written by a kb writer, which recorded it.
    assert_eq!(verified(&kb), 0);

    // Without the record, every file is verified once, and recorded again.
    fs::remove_file(dir.path().join("verified.json")).unwrap();
    assert_eq!(verified(&kb), files.len());
    assert_eq!(verified(&kb), 0);

    // A damaged record is only a cache lost.
    fs::write(dir.path().join("verified.json"), b"{not json").unwrap();
    assert_eq!(verified(&kb), files.len());

    // A file written to since is verified again; only that one.
    fs::write(&files[1], fs::read(&files[1]).unwrap()).unwrap();
    assert_eq!(verified(&kb), 1);

    // A changed file that does not verify refuses the session, pointing to the fix.
    flip_a_byte(&files[2]);
    let e = kb.writer(&lock).unwrap_err();
    let msg = e.to_string();
    let name = files[2].file_name().unwrap().to_str().unwrap();
    assert!(
        msg.contains("checksum mismatch") && msg.contains(name) && msg.contains("kb reindex"),
        "{msg}"
    );
    assert!(!doctor_checksums(dir.path()).ok);
}

#[test]
fn a_rebuilt_index_is_known_to_its_first_writer() {
    let dir = tempfile::tempdir().unwrap();
    let lock = WriteLock::acquire(dir.path(), Duration::ZERO).unwrap();
    Kb::open_or_create(dir.path(), &lock).unwrap();
    let mut w = Kb::rebuild(dir.path(), &lock).unwrap();
    add(&mut w, 0, 10);
    w.commit().unwrap();
    let kb = Kb::open(dir.path()).unwrap();
    assert_eq!(kb.count(), 10);
    assert!(!segment_files(dir.path()).is_empty());
    assert_eq!(kb.writer(&lock).unwrap().verified_files(), 0);
}

/// A reader verifies the index files no record vouches for before tantivy reads them. Found by
/// the thorough damage test: a flipped byte in a segment's `.fast` file made `kb categories`
/// abort ("memory allocation of 18014398509482144 bytes failed": a column length read from
/// the damaged bytes), which no panic guard can turn into an error. Every byte of every fast
/// field file, flipped in turn, is refused at open with a message naming the file.
#[test]
fn a_reader_refuses_a_damaged_file_before_tantivy_reads_it() {
    let (dir, lock, _) = kb_of_sessions(&[12, 3]);
    let fast: Vec<PathBuf> = segment_files(dir.path())
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "fast"))
        .collect();
    assert!(fast.len() >= 2, "{fast:?}");
    for file in &fast {
        let name = file.file_name().unwrap().to_str().unwrap();
        let original = fs::read(file).unwrap();
        for i in 0..original.len() {
            let mut b = original.clone();
            b[i] ^= 0xff;
            fs::write(file, &b).unwrap();
            match Kb::open(dir.path()) {
                Err(e @ StoreError::Corrupt { .. }) => {
                    let msg = e.to_string();
                    assert!(
                        msg.contains(name) && msg.contains("kb doctor"),
                        "byte {i} of {name}: {msg}"
                    );
                }
                Err(e) => panic!("byte {i} of {name}: not reported as damage: {e}"),
                Ok(_) => panic!("byte {i} of {name}: opened a damaged file"),
            }
        }
        fs::write(file, &original).unwrap();
    }
    // Truncated files too, every kind: found by the thorough damage test, a truncated
    // `.fieldnorm` made tantivy's checksum reader panic, and the message said so ("reading it
    // panicked") instead of naming the damage.
    for file in segment_files(dir.path()) {
        let name = file.file_name().unwrap().to_str().unwrap();
        let original = fs::read(&file).unwrap();
        let n = original.len();
        for len in [0, 1, 3, 4, 5, 8, 12, 16, 20, 24, n / 2, n.saturating_sub(1)] {
            fs::write(&file, &original[..len.min(n)]).unwrap();
            let msg = Kb::open(dir.path()).unwrap_err().to_string();
            assert!(
                msg.contains(name) && msg.contains("kb doctor") && !msg.contains("panic"),
                "{name} cut to {len} bytes: {msg}"
            );
        }
        fs::write(&file, &original).unwrap();
    }
    // Restored, the files verify again, and the reader that verified them recorded them.
    let kb = Kb::open(dir.path()).unwrap();
    assert_eq!(kb.count(), 15);
    assert_eq!(kb.categories().unwrap().len(), 8);
    assert_eq!(kb.writer(&lock).unwrap().verified_files(), 0);
}

/// Without a record (a KB copied from elsewhere, or an older kb's), the first reader verifies
/// every file once and records them; the next reader and writer read none.
#[test]
fn the_first_reader_of_an_unrecorded_index_records_it() {
    let (dir, lock, kb) = kb_of_sessions(&[5, 5]);
    let record = dir.path().join("verified.json");
    fs::remove_file(&record).unwrap();
    Kb::open(dir.path()).unwrap();
    let written = fs::read(&record).unwrap();
    let recorded: serde_json::Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(
        recorded["files"].as_object().unwrap().len(),
        segment_files(dir.path()).len()
    );
    Kb::open(dir.path()).unwrap();
    assert_eq!(
        fs::read(&record).unwrap(),
        written,
        "a second reader verified again"
    );
    assert_eq!(kb.writer(&lock).unwrap().verified_files(), 0);
}
