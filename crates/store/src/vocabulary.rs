//! The words an index's articles hold as written, before stemming: what tells a misspelling
//! whose stem is another word's from a word.
//!
//! Why: the index holds stems, and Snowball strips endings by their letters, so a misspelling
//! can stem to a word articles hold: `referal` stems as `refer` (the `-al` of "arrival"), and a
//! search for it found articles that "refer to" something and ranked the one about referrals,
//! whose stem is `referr`, below them. No stem says that nobody wrote `referal`; this list
//! does. A query word the list lacks, whose one-edit neighbour it holds with another stem
//! that begins as the word's own does, is also read as that neighbour (`crate::query`). A
//! word no article holds even stemmed is respelled as the written words closest to it
//! ([`Vocabulary::near`]): `refferal` is two letters from "referral" and three from "refer",
//! though its stem `reffer` is one from `refer`.
//!
//! Owns: collecting the words while an index is written (from the stemmer's memo misses, so a
//! word costs once per analyzer, not once per token), the file that keeps them
//! (`kb-words` in the index directory, sorted, one per line, under a header with the SHA-256
//! of the rest), and lookups in it. Does not own what a query makes of a lookup.
//!
//! The list may hold words no article holds any more (an edited or replaced article): it
//! only grows, and a word it holds is never read as another, which errs on the side of the
//! query as typed. It must never lack a word an article holds, so it exists only for an
//! index that has had one since its first article: a new KB or one `kb reindex` rebuilt. An
//! index written by an older kb has none, and searches there read words as before. The file
//! is written before the commit whose words it adds (a commit that then fails leaves a few
//! words too many, never too few), atomically, so readers see the old list or the new.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use tantivy::Directory;
use tantivy::directory::OwnedBytes;

use crate::error::StoreError;

/// The list's file name, in the index directory.
pub(crate) const FILE: &str = "kb-words";
/// The first line starts with this; the SHA-256 of the words follows it.
const MAGIC: &str = "kb-words 1 ";

/// Only words of ASCII letters this long are kept: the misspellings this list is for are of
/// words, not numbers or codes, and a feed of endless random tokens should not fill it.
const MIN_LETTERS: usize = 3;
const MAX_LETTERS: usize = 32;
/// At most this many words in the list: past it new words are not added (a hostile archive
/// of made-up words; about 40 MB). A real archive's vocabulary is a few hundred thousand.
const MAX_WORDS: usize = 4_000_000;

/// Whether `word` (lowercased and folded by the analyzer) is one the list keeps.
fn kept(word: &str) -> bool {
    (MIN_LETTERS..=MAX_LETTERS).contains(&word.len())
        && word.bytes().all(|b| b.is_ascii_lowercase())
}

/// The words an indexing analyzer saw, shared by every clone of it (tantivy clones one per
/// indexing thread).
#[derive(Clone, Debug, Default)]
pub(crate) struct WordCollector(Arc<Mutex<HashSet<String>>>);

impl WordCollector {
    /// Note a word the stemmer had not seen yet.
    pub(crate) fn note(&self, word: &str) {
        if !kept(word) {
            return;
        }
        let mut words = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if words.len() < MAX_WORDS && !words.contains(word) {
            words.insert(word.to_owned());
        }
    }

    /// The words noted so far, sorted; the collector is emptied.
    fn take(&self) -> Vec<String> {
        let mut words = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<String> = words.drain().collect();
        out.sort_unstable();
        out
    }
}

/// The list of an index, read for lookups. Trusts the file's structure only: a damaged list
/// gives wrong answers (a word read as another too, or not), never a panic; `kb doctor`
/// checks its digest.
pub(crate) struct Vocabulary {
    bytes: OwnedBytes,
    /// Where the words start, past the header.
    start: usize,
}

impl Vocabulary {
    /// The list of the index directory `dir`, if it has one whose header reads.
    pub(crate) fn open(dir: &Path) -> Option<Vocabulary> {
        // Mapped, as tantivy maps its files: a lookup touches a few pages of it. Through a
        // directory of its own: the index's checks every file for the footer of its own.
        let directory = tantivy::directory::MmapDirectory::open(dir).ok()?;
        let handle = directory.get_file_handle(Path::new(FILE)).ok()?;
        let bytes = handle.read_bytes(0..handle.len()).ok()?;
        let start = header_end(bytes.as_slice())?;
        Some(Vocabulary { bytes, start })
    }

    /// Whether some article holds `word` (as the analyzer gives it: lowercased, folded). A
    /// word the list does not keep (digits, too short or long) counts as held.
    pub(crate) fn holds(&self, word: &str) -> bool {
        !kept(word) || contains(&self.bytes.as_slice()[self.start..], word.as_bytes())
    }
}

impl Vocabulary {
    /// The words of the list at most `max` edits from `word` (a letter left out, added,
    /// changed, or two side by side swapped), each with its edits, fewest first. Only words
    /// that begin with the word's first or second letter are compared: a typo rarely falls on
    /// the first letter, and these cover one left out, added or swapped there. A scan of those
    /// lines, for a word no article holds (a few milliseconds on a list of 300 000 words).
    pub(crate) fn near(&self, word: &str, max: u8) -> Vec<(String, u8)> {
        let w = word.as_bytes();
        let firsts: Vec<u8> = w.iter().take(2).copied().collect();
        let mut out = Vec::new();
        for line in self.bytes.as_slice()[self.start..].split(|&b| b == b'\n') {
            let Some(first) = line.first() else { continue };
            if !firsts.contains(first) || line.len().abs_diff(w.len()) > usize::from(max) {
                continue;
            }
            if let Some(d) = edits_within(w, line, max)
                && d > 0
                && let Ok(s) = std::str::from_utf8(line)
            {
                out.push((s.to_owned(), d));
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// The optimal string alignment distance between `a` and `b` (bytes), if at most `max`; rows
/// of a table that stops once a whole row is past `max`.
fn edits_within(a: &[u8], b: &[u8], max: u8) -> Option<u8> {
    let max = usize::from(max);
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut before: Vec<usize> = Vec::new();
    let mut last: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        let mut least = row[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
            least = least.min(d);
        }
        if least > max {
            return None;
        }
        before = std::mem::replace(&mut last, row.clone());
    }
    let d = last[b.len()];
    (d <= max).then(|| u8::try_from(d).unwrap_or(u8::MAX))
}

/// Where the header line ends, if the bytes start with one.
fn header_end(bytes: &[u8]) -> Option<usize> {
    let line = bytes.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&bytes[..line]).ok()?;
    let digest = header.strip_prefix(MAGIC)?;
    (digest.len() == 64).then_some(line + 1)
}

/// Binary search of sorted lines for `word`, in bytes: each probe takes the line around the
/// middle. Unsorted or damaged bytes end it early with a wrong answer, never a panic.
fn contains(lines: &[u8], word: &[u8]) -> bool {
    let (mut lo, mut hi) = (0, lines.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = lines[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |i| lo + i + 1);
        let end = lines[mid..hi]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(hi, |i| mid + i);
        match lines[start..end].cmp(word) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

/// The list file of the index directory `dir`, and the words a writer session collects for
/// it.
#[derive(Debug)]
pub(crate) struct VocabularyWriter {
    file: std::path::PathBuf,
    collector: WordCollector,
}

impl VocabularyWriter {
    /// For the index directory `dir`, whose analyzer feeds `collector`.
    pub(crate) fn new(dir: &Path, collector: WordCollector) -> VocabularyWriter {
        VocabularyWriter {
            file: dir.join(FILE),
            collector,
        }
    }

    /// Whether the index directory `dir` keeps a list.
    pub(crate) fn exists(dir: &Path) -> bool {
        dir.join(FILE).is_file()
    }

    /// Add the words collected since the last save to the file, if any is new. A list that
    /// does not read (damaged: `kb doctor` names it) is left as it is.
    pub(crate) fn save(&self) -> Result<(), StoreError> {
        let new = self.collector.take();
        if new.is_empty() {
            return Ok(());
        }
        let old = match std::fs::read(&self.file) {
            Ok(bytes) => match verified_words(&bytes) {
                Some(words) => words.to_vec(),
                None => return Ok(()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(StoreError::io("reading", &self.file, e)),
        };
        let Some(merged) = merge(&old, &new) else {
            return Ok(());
        };
        crate::archive::write_atomic(&self.file, &with_header(&merged))
    }
}

/// The words of a list file, when its header reads and its digest matches.
fn verified_words(bytes: &[u8]) -> Option<&[u8]> {
    let start = header_end(bytes)?;
    let words = &bytes[start..];
    let digest = crate::archive::hex(&Sha256::digest(words));
    (bytes[MAGIC.len()..start - 1] == *digest.as_bytes()).then_some(words)
}

/// `old` (sorted lines) with `new` (sorted) merged in, or `None` when it holds them all
/// already or is full.
fn merge(old: &[u8], new: &[String]) -> Option<Vec<u8>> {
    let mut count = old.iter().filter(|&&b| b == b'\n').count();
    let mut out = Vec::with_capacity(old.len() + new.iter().map(|w| w.len() + 1).sum::<usize>());
    let mut added = false;
    let mut lines = old
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .peekable();
    for w in new {
        while let Some(line) = lines.next_if(|l| *l < w.as_bytes()) {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        if lines.peek() == Some(&w.as_bytes()) || count >= MAX_WORDS {
            continue;
        }
        out.extend_from_slice(w.as_bytes());
        out.push(b'\n');
        count += 1;
        added = true;
    }
    for line in lines {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    added.then_some(out)
}

fn with_header(words: &[u8]) -> Vec<u8> {
    let digest = crate::archive::hex(&Sha256::digest(words));
    let mut out = Vec::with_capacity(MAGIC.len() + 65 + words.len());
    out.extend_from_slice(MAGIC.as_bytes());
    out.extend_from_slice(digest.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(words);
    out
}

/// What `kb doctor` says of the list in the index directory `dir`: `Ok(Some(n))` for a list
/// of `n` words that verifies, `Ok(None)` for none, `Err` for one that does not.
pub(crate) fn check(dir: &Path) -> Result<Option<usize>, String> {
    let file = dir.join(FILE);
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
    };
    let Some(words) = verified_words(&bytes) else {
        return Err(format!("{FILE} is damaged (its digest does not match)"));
    };
    let mut last: Option<&[u8]> = None;
    let mut n = 0;
    for line in words.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        if last.is_some_and(|l| l >= line) {
            return Err(format!("{FILE} is out of order"));
        }
        last = Some(line);
        n += 1;
    }
    Ok(Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(words: &[&str]) -> Vec<u8> {
        let mut body = Vec::new();
        for w in words {
            body.extend_from_slice(w.as_bytes());
            body.push(b'\n');
        }
        with_header(&body)
    }

    #[test]
    fn lookups_find_every_word_and_nothing_else() {
        let words = [
            "apple", "banana", "cherry", "damson", "elder", "fig", "grape", "referral",
        ];
        let bytes = list(&words);
        let start = header_end(&bytes).unwrap();
        let lines = &bytes[start..];
        for w in words {
            assert!(contains(lines, w.as_bytes()), "{w}");
        }
        for w in ["", "a", "referal", "zebra", "aardvark", "figs", "cherr"] {
            assert!(!contains(lines, w.as_bytes()), "{w}");
        }
        assert!(!contains(b"", b"apple"));
    }

    #[test]
    fn damaged_bytes_give_answers_not_panics() {
        let bytes = list(&["delta", "alpha", "charlie", "bravo"]);
        for cut in 0..bytes.len() {
            let b = &bytes[..cut];
            if let Some(start) = header_end(b) {
                for w in ["alpha", "bravo", "zulu", ""] {
                    let _ = contains(&b[start..], w.as_bytes());
                }
            }
        }
        let mut noise = Vec::new();
        let mut x: u32 = 7;
        for _ in 0..4096 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            noise.push(if x.is_multiple_of(5) {
                b'\n'
            } else {
                (x >> 16) as u8
            });
        }
        for w in ["alpha", "zz", "\u{ff}"] {
            let _ = contains(&noise, w.as_bytes());
        }
    }

    #[test]
    fn near_words_are_those_of_the_first_two_letters_fewest_edits_first() {
        let bytes = list(&[
            "customer", "custom", "referral", "refer", "ustomer", "zebra",
        ]);
        let v = Vocabulary {
            start: header_end(&bytes).unwrap(),
            bytes: OwnedBytes::new(bytes),
        };
        assert_eq!(
            v.near("cusotmer", 2),
            [("customer".to_string(), 1), ("ustomer".to_string(), 2)]
        );
        assert_eq!(v.near("refferal", 2), [("referral".to_string(), 2)]);
        // A typo in the first letter is not compared to the word meant; a word beginning with
        // its second letter is (the first letter added).
        assert_eq!(v.near("kustomer", 2), [("ustomer".to_string(), 1)]);
        // The word itself is no neighbour.
        assert!(v.near("zebra", 1).is_empty());
    }

    #[test]
    fn edits_count_as_optimal_string_alignment() {
        let d = |a: &str, b: &str, max| edits_within(a.as_bytes(), b.as_bytes(), max);
        assert_eq!(d("refferal", "referral", 2), Some(2));
        assert_eq!(d("refferal", "refer", 2), None);
        assert_eq!(d("refferal", "refer", 3), Some(3));
        assert_eq!(d("cusotmer", "customer", 1), Some(1));
        assert_eq!(d("munich", "munch", 2), Some(1));
        assert_eq!(d("same", "same", 0), Some(0));
        assert_eq!(d("", "ab", 2), Some(2));
        assert_eq!(d("abcdef", "ab", 2), None);
    }

    #[test]
    fn merging_adds_new_words_in_order_once() {
        let old = b"beta\ndelta\n".to_vec();
        let new: Vec<String> = ["alpha", "delta", "epsilon"].map(String::from).to_vec();
        assert_eq!(merge(&old, &new).unwrap(), b"alpha\nbeta\ndelta\nepsilon\n");
        let same: Vec<String> = vec!["beta".into()];
        assert_eq!(merge(&old, &same), None);
        assert_eq!(merge(b"", &same).unwrap(), b"beta\n");
    }

    #[test]
    fn the_digest_tells_a_damaged_list() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(check(dir.path()), Ok(None));
        let collector = WordCollector::default();
        for w in [
            "referral",
            "refer",
            "x",
            "abc123",
            "referral",
            "documentation",
        ] {
            collector.note(w);
        }
        let writer = VocabularyWriter::new(dir.path(), collector.clone());
        writer.save().unwrap();
        assert_eq!(check(dir.path()), Ok(Some(3)));
        collector.note("zebra");
        writer.save().unwrap();
        assert_eq!(check(dir.path()), Ok(Some(4)));
        let file = dir.path().join(FILE);
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        assert!(check(dir.path()).unwrap_err().contains("damaged"));
        // A damaged list is not added to: doctor keeps naming it until a reindex.
        collector.note("yak");
        writer.save().unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), bytes);
    }
}
