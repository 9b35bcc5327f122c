//! Queries nobody wrote by hand: seeded random strings built from the query language's own
//! pieces (operators, scopes, quotes, dates, fuzzy and prefix marks) and from words the
//! articles hold, with letters whose lowercase or folded form has another length (`İ`, `ﬁ`,
//! `ß`), run against the seed KB and against a KB of articles written in such letters.
//!
//! Every search must end in results or in one of the usage errors a person can act on (a bad
//! query names its column), never a panic or an index error. What comes back must hold
//! together, whatever the query:
//! - no more hits than asked for, and as many as the exact `total` leaves past the offset;
//! - a page at an offset is the same hits as that stretch of one longer page;
//! - each article once; highlights inside their snippet, in order, not overlapping;
//! - facet counts no larger than the total;
//! - the same request twice gives the same answer.
//!
//! `KB_QUERY_TRIALS=N` runs N queries per KB instead of the default. `KB_QUERY_KB=DIR` also
//! runs them on the KB at DIR (a large one has the phrase index and long postings the small
//! ones lack: `target/kb-bench/indexes-10000/kb-all` after a benchmark run), with words from
//! the titles of its newest articles.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // Tests may unwrap and report.

mod common;

use chrono::{TimeZone, Utc};
use kb_store::{Kb, SearchRequest, SearchResults, SortOrder, StoreError};

/// SplitMix64: a few lines of deterministic randomness, so a failing query can be replayed
/// from its trial number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of[self.below(of.len())]
    }
}

/// The query language's pieces, right and wrong.
const SYNTAX: &[&str] = &[
    "OR",
    "AND",
    "NOT",
    "or",
    "-",
    "--",
    "(",
    ")",
    "()",
    "\"",
    "“",
    "”",
    "'",
    "’",
    "~",
    "~1",
    "~2",
    "~0",
    "~9",
    "*",
    ":",
    "title:",
    "author:",
    "category:",
    "feed:",
    "published:",
    "TITLE:",
    "[",
    "]",
    " TO ",
    "2010",
    "2010-03",
    "2010-03-01",
    "2010-13-45",
    "1969-12-31",
    "9999-12-31",
    "{",
    "}",
    "\\",
    "&",
    "/",
    "+",
    "^",
    "!",
    "?",
    ".",
    ",",
    ";",
    "#",
    "@",
    "%",
];

/// Letters and symbols that trip byte/char arithmetic or folding.
const ODD: &[&str] = &[
    "🙂", "\u{0}", "\u{301}", "\u{200b}", "\u{feff}", "ß", "İ", "ı", "ﬁ", "Σ", "ς", "\t", "\n",
    "ǅ", "Å", "ẞ", "ꝩ", "١٢٣", "漢字", "é", "e\u{301}",
];

/// Words the seed feed holds, a few misspelled, inflected or cut short.
const SEED_WORDS: &[&str] = &[
    "first",
    "position",
    "managed",
    "services",
    "clients",
    "referral",
    "referal",
    "referrals",
    "MSP",
    "msps",
    "isn't",
    "ISN’T",
    "cloud",
    "backup",
    "e-mail",
    "email",
    "C++",
    "2010",
    "manag",
    "servce",
    "technology",
    "people",
    "gain",
    "smbitpros",
    "Vince",
    "x",
    "a",
    "the",
    "of",
    "sexy",
    "bookmarks",
    "tweet",
];

/// Words of the odd-letters KB below.
const ODD_WORDS: &[&str] = &[
    "istanbul",
    "İstanbul",
    "file",
    "ﬁle",
    "strasse",
    "straße",
    "STRASSE",
    "cafe",
    "café",
    "naive",
    "naïve",
    "sisyphus",
    "ΣΊΣΥΦΟΣ",
    "σίσυφος",
    "emoji",
    "tokyo",
    "東京",
    "resume",
    "résumé",
];

/// A KB whose articles are written in letters whose lowercase, uppercase or folded forms have
/// another length in bytes or characters, so snippets and highlights are cut by char, not
/// byte.
fn odd_kb() -> (tempfile::TempDir, Kb) {
    common::kb_of(&[
        (
            "İstanbul ﬁle notes",
            "İSTANBUL and İstanbul: the ﬁle ﬁnder ran on a café's naïve résumé.\n\
             A second paragraph with ẞ and straße, STRASSE and strasse.",
        ),
        (
            "ΣΊΣΥΦΟΣ and σίσυφος",
            "Greek capitals ΣΊΣΥΦΟΣ fold to σίσυφος; the final sigma ς stays.\n\
             e\u{301}cole and école, 🙂 emoji between words 🙂 and 東京 Tokyo.",
        ),
        (
            "Plain resume tips",
            "A resume, a cafe and a naive file: the plain spellings of every odd word above.",
        ),
    ])
}

fn query(rng: &mut Rng, words: &[&str]) -> String {
    let n = 1 + rng.below(7);
    let mut q = String::new();
    for _ in 0..n {
        let piece = match rng.below(10) {
            0..=4 => rng.pick(words),
            5..=7 => rng.pick(SYNTAX),
            _ => rng.pick(ODD),
        };
        q.push_str(piece);
        // Pieces run together as often as apart: `title:(a` and `"first position"~2`.
        if rng.below(2) == 0 {
            q.push(' ');
        }
    }
    q
}

fn request(rng: &mut Rng, q: String) -> SearchRequest {
    let mut req = SearchRequest::new(&q);
    req.limit = 1 + rng.below(6);
    req.offset = rng.below(5);
    if rng.below(3) == 0 {
        req.sort = SortOrder::Date;
    }
    req.facets = rng.below(3) == 0;
    if rng.below(5) == 0 {
        req.since = Utc.with_ymd_and_hms(2010, 3, 1, 0, 0, 0).single();
    }
    if rng.below(5) == 0 {
        req.until = Utc.with_ymd_and_hms(2010, 3, 31, 23, 59, 59).single();
    }
    if rng.below(8) == 0 {
        req.categories = vec![rng.pick(&["Sales", "sales", "MSP", "nothing"]).to_string()];
    }
    req.snippet_chars = [20, 180, 1000][rng.below(3)];
    req
}

/// What every answer must hold, whatever the query.
fn check_answer(req: &SearchRequest, res: &SearchResults) -> Result<(), String> {
    let expected = req.limit.min(res.total.saturating_sub(req.offset));
    if res.hits.len() != expected {
        return Err(format!(
            "{} hits for limit {} offset {} of total {}",
            res.hits.len(),
            req.limit,
            req.offset,
            res.total
        ));
    }
    let mut ids: Vec<&str> = res.hits.iter().map(|h| h.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != res.hits.len() {
        return Err("an article listed twice".into());
    }
    for h in &res.hits {
        let chars = h.snippet.chars().count();
        let mut last_end = 0;
        for r in &h.highlights {
            if r.start >= r.end || r.end > chars || r.start < last_end {
                return Err(format!(
                    "highlight {}..{} in a snippet of {chars} chars (after {last_end}): {:?}",
                    r.start, r.end, h.snippet
                ));
            }
            last_end = r.end;
        }
        if !h.score.is_finite() {
            return Err(format!("score {} for {}", h.score, h.title));
        }
    }
    if let Some(f) = &res.facets {
        for c in f
            .categories
            .iter()
            .chain(&f.authors)
            .chain(&f.feeds)
            .chain(&f.years)
        {
            if c.count as usize > res.total {
                return Err(format!(
                    "facet {} counts {} of {}",
                    c.name, c.count, res.total
                ));
            }
        }
    }
    Ok(())
}

fn run(kb: &Kb, words: &[&str], seed: u64) {
    let trials: usize = std::env::var("KB_QUERY_TRIALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let mut rng = Rng(seed);
    let (mut answered, mut refused) = (0, 0);
    for trial in 0..trials {
        let q = query(&mut rng, words);
        let req = request(&mut rng, q.clone());
        let res = match kb.search(&req) {
            Ok(res) => res,
            Err(e @ StoreError::BadQuery(_)) => {
                // A query that is wrong says where, unless it is wrong as a whole (too long).
                let msg = e.to_string();
                assert!(
                    msg.contains("column") || msg.contains("words"),
                    "trial {trial} {q:?}: {msg}"
                );
                refused += 1;
                continue;
            }
            Err(StoreError::NoWords(_) | StoreError::EmptyQuery) => {
                refused += 1;
                continue;
            }
            Err(e) => panic!("trial {trial} {q:?}: unexpected error {e}"),
        };
        answered += 1;
        if let Err(why) = check_answer(&req, &res) {
            panic!("trial {trial} {q:?} ({req:?}): {why}");
        }
        // The same stretch of one longer page from the start.
        if req.offset > 0 {
            let whole = SearchRequest {
                limit: req.offset + req.limit,
                offset: 0,
                ..req.clone()
            };
            let whole = kb.search(&whole).unwrap_or_else(|e| panic!("{q:?}: {e}"));
            let stretch: Vec<&str> = whole
                .hits
                .iter()
                .skip(req.offset)
                .map(|h| h.id.as_str())
                .collect();
            let page: Vec<&str> = res.hits.iter().map(|h| h.id.as_str()).collect();
            assert_eq!(page, stretch, "trial {trial} {q:?}: paging");
            assert_eq!(whole.total, res.total, "trial {trial} {q:?}: total");
        }
        if trial % 8 == 0 {
            let again = kb.search(&req).unwrap_or_else(|e| panic!("{q:?}: {e}"));
            assert_eq!(again, res, "trial {trial} {q:?}: not the same twice");
        }
    }
    println!("{answered} answered, {refused} refused as usage errors");
    // Enough of the queries are read for the checks above to mean something.
    assert!(answered * 4 > trials, "{answered} of {trials} answered");
}

#[test]
fn random_queries_on_the_seed_kb_answer_or_say_why() {
    run(common::seed_kb(), SEED_WORDS, 7);
}

#[test]
fn random_queries_on_a_kb_given_by_path_answer_or_say_why() {
    let Some(dir) = std::env::var_os("KB_QUERY_KB") else {
        return;
    };
    let kb = Kb::open(std::path::Path::new(&dir)).expect("KB_QUERY_KB names a KB");
    let listed = kb
        .list(&kb_store::ListRequest {
            limit: 300,
            ..kb_store::ListRequest::default()
        })
        .expect("list");
    let mut words: Vec<String> = listed
        .articles
        .iter()
        .flat_map(|a| a.title.split_whitespace().map(str::to_lowercase))
        .collect();
    words.sort();
    words.dedup();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    run(&kb, &words, 13);
}

#[test]
fn random_queries_on_odd_letters_answer_or_say_why() {
    let (_dir, kb) = odd_kb();
    run(&kb, ODD_WORDS, 11);
}
