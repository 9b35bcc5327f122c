//! A misspelling that stems as another word (`referal`, stemmed as `refer`) is also read as the
//! word it misses, by the index's list of words as written (`src/vocabulary.rs`): the list
//! grows with every commit, a word on it is read as written only, an index without one (an
//! older kb's) reads words as before, and a rebuild makes one. The same list respells a word
//! no article holds by the words articles write (`refferal` as "referral", not "refer").

mod common;

use std::path::Path;
use std::time::Duration;

use kb_store::{Kb, Respelling, SearchRequest, WriteLock};

const REFER: &str = "Writing it down";
const REFERRAL: &str = "Referral programs";

fn articles() -> Vec<kb_clean::Article> {
    vec![
        common::article(
            0,
            REFER,
            "Processes documented so that employees can refer to them when in doubt.",
        ),
        common::article(
            1,
            REFERRAL,
            "A referral program pays customers who bring a friend. Ask for referrals often.",
        ),
        common::article(2, "Tape rotation", "Backing up servers nightly to tape."),
        common::article(3, "Margins", "Making money on managed services."),
        common::article(4, "Friday", "We baked bread for the office."),
    ]
}

fn titles(kb: &Kb, q: &str) -> Vec<String> {
    let mut req = SearchRequest::new(q);
    req.limit = 50;
    common::titles(kb, &req)
}

fn words_check(dir: &Path) -> (bool, String) {
    let d = kb_store::diagnose(dir);
    let c = d
        .checks
        .iter()
        .find(|c| c.name == "words")
        .expect("doctor checks the list of words");
    (c.ok, c.detail.clone())
}

#[test]
fn a_misspelling_that_stems_as_another_word_also_finds_the_word_meant() {
    let (_dir, kb) = common::kb_with(articles());
    // `referal` stems as `refer`: before the list, the article that refers came first and the
    // one about referrals second.
    assert_eq!(titles(&kb, "referal"), [REFERRAL, REFER]);
    assert_eq!(titles(&kb, "referals"), [REFERRAL, REFER]);
    assert_eq!(titles(&kb, "referal program"), [REFERRAL]);
    // Words the articles write are read as written.
    assert_eq!(titles(&kb, "refer"), [REFER]);
    assert_eq!(titles(&kb, "referral"), [REFERRAL]);
    // `baking`, held by no article as written, stems as "baked" does: an inflection, no
    // slip, and never `backing` or `making`, one edit away with stems of their own.
    assert_eq!(titles(&kb, "baking"), ["Friday"]);
    // Scoped to titles, too.
    assert_eq!(titles(&kb, "title:referal"), [REFERRAL]);
    // Said, with the word as articles write it.
    let res = kb.search(&SearchRequest::new("referals")).expect("search");
    assert_eq!(
        res.also_read,
        [Respelling {
            typed: "referals".into(),
            read_as: vec!["referrals".into()],
        }]
    );
    for q in ["refer", "baking", "referral"] {
        let res = kb.search(&SearchRequest::new(q)).expect("search");
        assert!(res.also_read.is_empty(), "{q}: {:?}", res.also_read);
    }
}

#[test]
fn the_list_grows_with_each_commit_and_a_written_word_is_not_a_slip() {
    let (dir, kb) = common::kb_with(articles());
    let lock = WriteLock::acquire(dir.path(), Duration::from_secs(1)).expect("lock");
    let mut w = kb.writer(&lock).expect("writer");
    w.upsert(&common::article(
        5,
        "Spelled their way",
        "Our referal desk answers within a day.",
    ))
    .expect("upsert");
    w.commit().expect("commit");
    kb.reload().expect("reload");
    // An article writes `referal` now: the word is read as written, and finds it and the
    // article that refers (both `refer`), not the one about referrals.
    let mut t = titles(&kb, "referal");
    t.sort();
    assert_eq!(t, ["Spelled their way", REFER]);
    let (ok, detail) = words_check(dir.path());
    assert!(ok, "{detail}");
}

#[test]
fn an_index_without_a_list_reads_words_as_before_until_a_rebuild() {
    let (dir, kb) = common::kb_with(articles());
    let list = common::live_index(dir.path()).join("kb-words");
    std::fs::remove_file(&list).expect("the index keeps a list");
    assert_eq!(titles(&kb, "referal"), [REFER]);
    let (ok, detail) = words_check(dir.path());
    assert!(ok && detail.contains("kb reindex"), "{detail}");
    // A sync of an index without a list does not start one: it would lack the words of the
    // articles before it.
    let lock = WriteLock::acquire(dir.path(), Duration::from_secs(1)).expect("lock");
    let mut w = kb.writer(&lock).expect("writer");
    w.upsert(&common::article(6, "More", "Referral fees and refunds."))
        .expect("upsert");
    w.commit().expect("commit");
    assert!(!list.exists());
    // A rebuild makes one.
    let mut w = Kb::rebuild(dir.path(), &lock).expect("rebuild");
    for a in articles() {
        w.upsert(&a).expect("upsert");
    }
    w.commit().expect("commit");
    let kb = Kb::open(dir.path()).expect("open");
    assert!(common::live_index(dir.path()).join("kb-words").is_file());
    assert_eq!(titles(&kb, "referal"), [REFERRAL, REFER]);
}

#[test]
fn a_damaged_list_is_named_by_doctor_and_searches_still_answer() {
    let (dir, kb) = common::kb_with(articles());
    drop(kb);
    let list = common::live_index(dir.path()).join("kb-words");
    let mut bytes = std::fs::read(&list).expect("list");
    let at = bytes.len() - 3;
    bytes[at] ^= 0x20;
    std::fs::write(&list, &bytes).expect("damage");
    let (ok, detail) = words_check(dir.path());
    assert!(!ok && detail.contains("damaged"), "{detail}");
    // Each damage is met by a KB opened after it, as by the next kb command: the list is
    // mapped into memory, as tantivy maps its own files, and a file cut short under a mapping
    // is beyond what any reader of mapped files survives (kb never rewrites it in place).
    let answers = |queries: &[&str]| {
        let kb = Kb::open(dir.path()).expect("open");
        for q in queries {
            kb.search(&SearchRequest::new(q)).expect("a search answers");
        }
    };
    answers(&["referal", "refer", "baking"]);
    for cut in [0, 10, 80, bytes.len() / 2] {
        std::fs::write(&list, &bytes[..cut]).expect("truncate");
        answers(&["referal", "zymurgy", "baking", "refferal"]);
    }
}

#[test]
fn a_word_no_article_holds_is_respelled_as_the_closest_word_written() {
    let (dir, kb) = common::kb_with(articles());
    // `refferal` stems as `reffer`, one edit from `refer` and two from `referr` ("referral");
    // as written, "referral" is two letters off and "refer" three.
    let res = kb.search(&SearchRequest::new("refferal")).expect("search");
    let how = res.relaxed.expect("widened: no article holds it");
    assert_eq!(how.respelled, ["refferal"]);
    assert_eq!(titles(&kb, "refferal"), [REFERRAL]);
    // Without the list, the stems decide, as before.
    std::fs::remove_file(common::live_index(dir.path()).join("kb-words")).expect("list");
    let kb = Kb::open(dir.path()).expect("open");
    assert_eq!(titles(&kb, "refferal"), [REFER]);
}
