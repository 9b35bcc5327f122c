//! What the index keeps of an article: all of it but the sanitized HTML, under the hash of the
//! whole article, so the next sync of the same article finds it unchanged.

mod common;

use std::time::Duration;

use kb_store::{Kb, UpsertOutcome, WriteLock};

#[test]
fn the_index_keeps_every_field_but_the_html_under_the_whole_hash() {
    let mut a = common::article(1, "Title", "Body text here.");
    a.html = "<p>Body text <b>here</b>.</p>".to_string();
    a.summary = "Body text".to_string();
    a.links = vec!["https://example.com/".to_string()];
    a.categories = vec!["News".to_string()];
    a.author = Some("Ann".to_string());
    let (dir, kb) = common::kb_with(vec![a.clone()]);

    let stored = kb.get(&a.id).expect("get");
    assert_eq!(stored.html, "");
    let mut want = a.clone();
    want.html.clear();
    assert_eq!(stored, want);

    // The same article again (its HTML included, as the cleaner gives it) is unchanged.
    let lock = WriteLock::acquire(dir.path(), Duration::from_secs(1)).expect("lock");
    let reopened = Kb::open(dir.path()).expect("open");
    let mut w = reopened.writer(&lock).expect("writer");
    assert_eq!(w.upsert(&a).expect("upsert"), UpsertOutcome::Unchanged);
}

/// An article stored by a kb that kept the HTML reads as before; one without the `html` key
/// reads with an empty one; and an empty HTML is still written, as `""`, which a kb from
/// before this change requires to read the index at all.
#[test]
fn stored_articles_read_with_or_without_their_html() {
    let mut a = common::article(2, "Title", "Text.");
    a.html = "<p>Text.</p>".to_string();
    let with = serde_json::to_value(&a).expect("to json");
    assert_eq!(with["html"], "<p>Text.</p>");
    let back: kb_clean::Article = serde_json::from_value(with).expect("from json");
    assert_eq!(back, a);

    a.html.clear();
    let mut empty = serde_json::to_value(&a).expect("to json");
    assert_eq!(empty["html"], "", "an empty HTML is written");
    let back: kb_clean::Article = serde_json::from_value(empty.clone()).expect("from json");
    assert_eq!(back, a);
    empty.as_object_mut().expect("an object").remove("html");
    let back: kb_clean::Article = serde_json::from_value(empty).expect("from json");
    assert_eq!(back, a);
}
