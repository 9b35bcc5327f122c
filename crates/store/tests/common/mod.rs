//! A knowledge base built from the seed fixture, shared by the search tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use kb_store::{Kb, WriteLock};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The seed corpus (fixtures/smbitpros.xml, 10 articles) indexed once per test binary, through
/// the real parse and clean stages, under the feed name kb.toml gives it.
pub fn seed_kb() -> &'static Kb {
    static KB: OnceLock<(tempfile::TempDir, Kb)> = OnceLock::new();
    &KB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let bytes = std::fs::read(root().join("fixtures/smbitpros.xml")).expect("seed fixture");
        let feed = kb_parse::parse(&bytes, &kb_parse::ParseOptions::default()).expect("parse");
        let lock = WriteLock::acquire(dir.path(), Duration::from_secs(1)).expect("lock");
        let kb = Kb::open_or_create(dir.path(), &lock).expect("create kb");
        let mut w = kb.writer(&lock).expect("writer");
        for item in &feed.items {
            w.upsert(&kb_clean::to_article("smbitpros", item))
                .expect("upsert");
        }
        w.commit().expect("commit");
        kb.reload().expect("reload");
        (dir, kb)
    })
    .1
}

/// A knowledge base of articles with these titles and texts (one paragraph per line), in a
/// temporary directory: for cases the seed corpus does not hold.
pub fn kb_of(articles: &[(&str, &str)]) -> (tempfile::TempDir, Kb) {
    let in_feed: Vec<(&str, &str, &str)> = articles.iter().map(|(t, x)| ("f", *t, *x)).collect();
    kb_of_feeds(&in_feed)
}

/// [`kb_of`] with each article's feed name: (feed, title, text).
pub fn kb_of_feeds(articles: &[(&str, &str, &str)]) -> (tempfile::TempDir, Kb) {
    kb_with(
        articles
            .iter()
            .enumerate()
            .map(|(n, (feed, title, text))| kb_clean::Article {
                feed: feed.to_string(),
                ..article(n, title, text)
            })
            .collect(),
    )
}

/// The `n`th test article, in feed `f`, with this title and text and nothing else.
pub fn article(n: usize, title: &str, text: &str) -> kb_clean::Article {
    kb_clean::Article {
        id: format!(
            "{:016x}",
            (n as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ),
        feed: "f".to_string(),
        guid: None,
        url: None,
        title: title.to_string(),
        author: None,
        categories: Vec::new(),
        published: None,
        updated: None,
        comments: None,
        comments_url: None,
        summary: String::new(),
        text: text.to_string(),
        html: String::new(),
        links: Vec::new(),
        enclosure: None,
        content_hash: format!("{n}"),
    }
}

/// A knowledge base of exactly these articles, in a temporary directory.
pub fn kb_with(articles: Vec<kb_clean::Article>) -> (tempfile::TempDir, Kb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let lock = WriteLock::acquire(dir.path(), Duration::from_secs(1)).expect("lock");
    let kb = Kb::open_or_create(dir.path(), &lock).expect("create kb");
    let mut w = kb.writer(&lock).expect("writer");
    for a in &articles {
        w.upsert(a).expect("upsert");
    }
    w.commit().expect("commit");
    kb.reload().expect("reload");
    (dir, kb)
}

/// The titles of the hits of `req`, in rank order.
pub fn titles(kb: &Kb, req: &kb_store::SearchRequest) -> Vec<String> {
    kb.search(req)
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.title)
        .collect()
}

/// The titles of every hit of `req`, sorted: for tests where the set matters, not the order.
pub fn sorted_titles(kb: &Kb, req: &kb_store::SearchRequest) -> Vec<String> {
    let mut t = titles(kb, req);
    t.sort();
    t
}

/// The live index directory of the KB at `dir`, as its kb.json names it.
pub fn live_index(dir: &Path) -> PathBuf {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("kb.json")).expect("kb.json"))
            .expect("kb.json parses");
    dir.join(meta["index_dir"].as_str().expect("index_dir"))
}
