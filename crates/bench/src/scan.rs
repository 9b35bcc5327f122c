//! The other baseline: a plain scan of the cleaned text in memory, as grep over saved articles
//! would do. Case-insensitive whole-word (or whole-phrase) match, no stemming, no ranking: the
//! first ten matches in corpus order, each with a snippet around its first match.

use chrono::{DateTime, Utc};
use kb_bench::BenchQuery;
use memchr::memmem;

/// One article as the scan sees it.
pub struct ScanDoc {
    /// Title, body, categories and author, lowercased once at load (a grep -i pays this per
    /// search; we give the scan the benefit).
    hay: String,
    /// Categories, lowercased, one per line.
    categories: String,
    published: i64,
}

impl ScanDoc {
    pub fn new(title: &str, body: &str, category: &str, author: &str, published: i64) -> ScanDoc {
        ScanDoc {
            hay: format!("{title}\n{body}\n{category}\n{author}").to_lowercase(),
            categories: category.to_lowercase(),
            published,
        }
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Where `needle` occurs in `hay` as a whole word, if anywhere.
fn find_word(hay: &[u8], f: &memmem::Finder<'_>) -> Option<usize> {
    let n = f.needle().len();
    let mut from = 0;
    while let Some(i) = f.find(&hay[from..]) {
        let at = from + i;
        let before = at == 0 || !is_word_byte(hay[at - 1]);
        let after = at + n >= hay.len() || !is_word_byte(hay[at + n]);
        if before && after {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Run a query: (number of matches, the first ten with snippets).
pub fn search(docs: &[ScanDoc], q: &BenchQuery) -> (usize, Vec<(usize, String)>) {
    let terms: Vec<String> = q.terms.iter().map(|t| t.to_lowercase()).collect();
    let finders: Vec<memmem::Finder<'_>> = terms.iter().map(memmem::Finder::new).collect();
    let category = q.category.as_ref().map(|c| c.to_lowercase());
    let dates = q
        .dates
        .map(|(a, b): (DateTime<Utc>, DateTime<Utc>)| (a.timestamp(), b.timestamp()));
    let mut total = 0;
    let mut top = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        if let Some((lo, hi)) = dates
            && (d.published < lo || d.published > hi)
        {
            continue;
        }
        if let Some(c) = &category
            && !d.categories.lines().any(|l| l == c)
        {
            continue;
        }
        let hay = d.hay.as_bytes();
        let mut first = None;
        let all = finders.iter().all(|f| match find_word(hay, f) {
            Some(at) => {
                first.get_or_insert(at);
                true
            }
            None => false,
        });
        if !all {
            continue;
        }
        total += 1;
        if top.len() < 10 {
            let at = first.unwrap_or(0);
            let mut lo = at.saturating_sub(80);
            while !d.hay.is_char_boundary(lo) {
                lo -= 1;
            }
            let mut hi = (at + 100).min(d.hay.len());
            while !d.hay.is_char_boundary(hi) {
                hi += 1;
            }
            top.push((i, d.hay[lo..hi].replace('\n', " ")));
        }
    }
    (total, top)
}
