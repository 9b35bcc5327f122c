//! How a write session counts what it did: each article once, as new, updated or unchanged
//! since the last commit, including those a catch-up stored for an earlier session that
//! archived them and did not commit (`KbWriter::carry_document`).

mod common;

use std::time::Duration;

use kb_store::{Kb, UpsertOutcome, UpsertReport, WriteLock};

fn report(new: usize, updated: usize, unchanged: usize) -> UpsertReport {
    UpsertReport {
        new,
        updated,
        unchanged,
    }
}

#[test]
fn a_caught_up_article_counts_once_as_the_document_carrying_it_again_finds_it() {
    let kept = common::article(1, "Kept", "Stored by the last commit.");
    let (dir, _kb) = common::kb_with(vec![kept.clone()]);
    let revised = kb_clean::Article {
        text: "Revised since.".to_string(),
        content_hash: "revised".to_string(),
        ..kept.clone()
    };
    let added = common::article(2, "Added", "New since the last commit.");
    let left = common::article(3, "Left", "In the failed sync's document only.");

    let lock = WriteLock::acquire(dir.path(), Duration::from_secs(1)).expect("lock");
    let kb = Kb::open(dir.path()).expect("open");
    let mut w = kb.writer(&lock).expect("writer");
    // The document an earlier sync archived and did not commit: as it changes the index.
    let carried = w
        .carry_document("f", &[revised.clone(), added.clone(), left.clone()])
        .expect("carry");
    assert_eq!(carried, report(2, 1, 0));
    // The feed serves the same document again: changed since the last commit, not unchanged.
    let again = w
        .upsert_document("f", &[revised.clone(), added.clone()])
        .expect("upsert");
    assert_eq!(again, report(1, 1, 0));
    // Counted once: a second copy in the same session is unchanged.
    assert_eq!(w.upsert(&added).expect("upsert"), UpsertOutcome::Unchanged);
    // The one no document carried again is counted at the commit.
    assert_eq!(w.commit().expect("commit"), report(2, 1, 1));
    kb.reload().expect("reload");
    assert_eq!(kb.get(&left.id).expect("left").title, "Left");
    assert_eq!(kb.get(&kept.id).expect("kept").text, "Revised since.");
}

#[test]
fn an_article_new_in_a_catch_up_and_changed_since_is_new() {
    let (dir, _kb) = common::kb_with(vec![common::article(1, "Old", "Committed.")]);
    let first = common::article(2, "Added", "As the failed sync had it.");
    let later = kb_clean::Article {
        text: "As the feed serves it now.".to_string(),
        content_hash: "later".to_string(),
        ..first.clone()
    };
    let lock = WriteLock::acquire(dir.path(), Duration::from_secs(1)).expect("lock");
    let kb = Kb::open(dir.path()).expect("open");
    let mut w = kb.writer(&lock).expect("writer");
    assert_eq!(
        w.carry_document("f", std::slice::from_ref(&first))
            .expect("carry"),
        report(1, 0, 0)
    );
    assert_eq!(w.upsert(&later).expect("upsert"), UpsertOutcome::New);
    assert_eq!(w.commit().expect("commit"), report(1, 0, 0));
}
