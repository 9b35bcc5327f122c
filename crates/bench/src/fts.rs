//! The baseline: SQLite FTS5, as a feed reader on SQLite full-text search would set it up.
//!
//! One FTS5 table holds the same cleaned text kb indexes: title, body, categories, author, plus
//! the publication time as an unindexed column for date filters. The tokenizer is `porter
//! unicode61` (Porter stemming, case- and diacritic-folding), the closest match to kb's English
//! analyzer. Queries rank by bm25() with the title weighted 2.5 as in kb, and ask for a
//! snippet() of the body.

use std::path::Path;

use anyhow::Result;
use kb_bench::BenchQuery;
use kb_clean::Article;
use rusqlite::{Connection, OpenFlags, params};

/// How every query here ranks: bm25 with the title weighted 2.5, as in kb.
const RANKED: &str = "ORDER BY bm25(articles, 2.5, 1.0, 1.0, 1.0, 0.0)";

/// One hit, with the same fields kb's `SearchHit` carries.
#[derive(Debug)]
#[allow(dead_code)] // Fetched so FTS5 does the same work as kb; only counted.
pub struct FtsHit {
    pub rowid: i64,
    pub title: String,
    pub author: String,
    pub category: String,
    pub published: i64,
    pub snippet: String,
}

/// Create an empty database with the table, in a write transaction ready for inserts.
pub fn create(path: &Path) -> Result<Connection> {
    let c = Connection::open(path)?;
    // WAL and synchronous=NORMAL: what a desktop app on SQLite uses for write speed with crash
    // safety.
    c.execute_batch(
        "PRAGMA journal_mode=WAL;
         PRAGMA synchronous=NORMAL;
         CREATE VIRTUAL TABLE articles USING fts5(
             title, body, category, author, published UNINDEXED,
             tokenize = 'porter unicode61 remove_diacritics 2'
         );
         BEGIN;",
    )?;
    Ok(c)
}

/// Insert one article (inside the open transaction).
pub fn insert(c: &Connection, a: &Article) -> Result<()> {
    let mut st = c.prepare_cached(
        "INSERT INTO articles(title, body, category, author, published) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    st.execute(params![
        a.title,
        a.text,
        a.categories.join("\n"),
        a.author.as_deref().unwrap_or(""),
        a.published.map_or(0, |d| d.timestamp()),
    ])?;
    Ok(())
}

/// Commit the one transaction and close, so the WAL is checkpointed into the database file.
pub fn commit(c: Connection) -> Result<()> {
    c.execute_batch("COMMIT;")?;
    c.close().map_err(|(_, e)| e)?;
    Ok(())
}

/// Open for reading.
pub fn open(path: &Path) -> Result<Connection> {
    Ok(Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// The MATCH expression and the SQL of a query.
pub fn sql(q: &BenchQuery) -> (String, String) {
    let mut m = q.text();
    if let Some(c) = &q.category {
        // Column filter: the category column must contain the category's words as a phrase
        // (category names share no words, see kb_bench::CATEGORIES).
        m = format!("category : \"{}\" AND ({m})", c.replace('"', ""));
    }
    let date = if q.dates.is_some() {
        "AND published BETWEEN ?2 AND ?3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT rowid, title, author, category, published,
                snippet(articles, 1, '[', ']', '…', 24)
         FROM articles WHERE articles MATCH ?1 {date}
         {RANKED} LIMIT 10"
    );
    (m, sql)
}

/// Run a query: top 10 by bm25 with snippets.
pub fn search(c: &Connection, q: &BenchQuery) -> Result<Vec<FtsHit>> {
    let (m, sql) = sql(q);
    let mut st = c.prepare_cached(&sql)?;
    let row = |r: &rusqlite::Row<'_>| {
        Ok(FtsHit {
            rowid: r.get(0)?,
            title: r.get(1)?,
            author: r.get(2)?,
            category: r.get(3)?,
            published: r.get(4)?,
            snippet: r.get(5)?,
        })
    };
    let hits = match q.dates {
        Some((lo, hi)) => st
            .query_map(params![m, lo.timestamp(), hi.timestamp()], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => st
            .query_map(params![m], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok(hits)
}

/// The rowids of the first `k` rows holding every word of `text`, by bm25 as [`search`] ranks
/// (each word quoted, so none is read as FTS5 syntax).
pub fn top_of_words(c: &Connection, text: &str, k: usize) -> Result<Vec<i64>> {
    let m = text
        .split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut st = c.prepare_cached(&format!(
        "SELECT rowid FROM articles WHERE articles MATCH ?1 {RANKED} LIMIT ?2"
    ))?;
    let k = i64::try_from(k).unwrap_or(i64::MAX);
    let rows = st
        .query_map(params![m, k], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(rows)
}

/// Number of matching rows (untimed: only to check the engines agree).
pub fn count(c: &Connection, q: &BenchQuery) -> Result<usize> {
    let (m, sql) = sql(q);
    let sql = sql
        .replace(
            "SELECT rowid, title, author, category, published,\n                snippet(articles, 1, '[', ']', '…', 24)",
            "SELECT count(*)",
        )
        .replace(&format!("{RANKED} LIMIT 10"), "");
    let n: i64 = match q.dates {
        Some((lo, hi)) => c.query_row(&sql, params![m, lo.timestamp(), hi.timestamp()], |r| {
            r.get(0)
        })?,
        None => c.query_row(&sql, params![m], |r| r.get(0))?,
    };
    Ok(n as usize)
}

/// One stored row: title, body, categories, author, published.
pub type Row = (String, String, String, String, i64);

/// The cleaned text of every row, for the scan baseline.
pub fn all_text(c: &Connection) -> Result<Vec<Row>> {
    let mut st = c.prepare("SELECT title, body, category, author, published FROM articles")?;
    let rows = st
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
