//! `kb-bench recall`: does a search find the article a person half-remembers, first?
//!
//! Known-item queries, drawn from the corpus's own articles as a reader recalls them: a few
//! words of the title (as typed, with a slip, with a plural for a singular), or words of one
//! sentence of the text (four in a row, or three with the little words between them left
//! out). Each query has one article it means; the table gives the share of queries that find
//! it first and among the first five, on kb and on SQLite FTS5 (the benchmark's baseline, its
//! words ANDed and ranked by bm25 with the title weighted as in kb).
//!
//! The corpus is generated (Zipf-like words, random titles), so an article is often not the
//! only one holding the words drawn from it: no engine reaches 100%, and the figures compare
//! engines and versions of kb on the same draw, not with other corpora. `--index` draws from
//! an existing KB instead (a real archive), which it only reads.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use kb_bench::{CorpusSpec, Rng};
use kb_clean::Article;
use kb_store::{Kb, SearchRequest};

use crate::ingest::{self, Engine, Sink};
use crate::{fts, measure, run};

#[derive(Debug, clap::Args)]
pub struct RecallArgs {
    /// Number of articles in the corpus.
    #[arg(long, default_value_t = 10_000)]
    articles: usize,
    /// PRNG seed of the corpus.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Queries of each kind.
    #[arg(long, default_value_t = 300)]
    queries: usize,
    /// PRNG seed of the queries (another draw of the same kinds).
    #[arg(long, default_value_t = 7)]
    query_seed: u64,
    /// Working directory for the corpus and the indexes [default: $CARGO_TARGET_DIR or ./target, then kb-bench/].
    #[arg(long)]
    work: Option<PathBuf>,
    /// Draw the queries from an existing KB's articles instead (a real archive; read only:
    /// FTS5 is built beside it in the working directory).
    #[arg(long, conflicts_with_all = ["articles", "seed"])]
    index: Option<PathBuf>,
    /// Also print, on stderr, each query kb did not answer with its article first: the query,
    /// where the article stood (or "-" past the first five), the article's title and kb's first.
    #[arg(long)]
    misses: bool,
}

/// How a query recalls its article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    TitleWords,
    TitleSlip,
    TitlePlural,
    InARow,
    SentenceWords,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::TitleWords,
        Kind::TitleSlip,
        Kind::TitlePlural,
        Kind::InARow,
        Kind::SentenceWords,
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::TitleWords => "title words (2-3 of them, any order)",
            Kind::TitleSlip => "title words, one mistyped",
            Kind::TitlePlural => "title words, one plural for singular or back",
            Kind::InARow => "4 words in a row from the text",
            Kind::SentenceWords => "3 words of a sentence, its little words left out",
        }
    }
}

/// Words a person leaves out when recalling a sentence.
const LITTLE: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he",
    "her", "his", "if", "in", "into", "is", "it", "its", "no", "not", "of", "on", "or", "our",
    "she", "so", "that", "the", "their", "them", "then", "there", "they", "this", "to", "us",
    "was", "we", "were", "with", "you", "your", "how", "what", "why", "when", "who", "will", "can",
    "new",
];

fn little(w: &str) -> bool {
    LITTLE.contains(&w.to_lowercase().as_str())
}

/// The words of a text as a reader would type them: letters, with an apostrophe inside.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '’'))
        .filter(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_alphabetic() || c == '\'' || c == '’')
        })
        .collect()
}

/// One letter deleted, doubled, or two swapped: never the first, which readers get right.
fn slip(rng: &mut Rng, w: &str) -> String {
    let c: Vec<char> = w.chars().collect();
    let i = rng.range(1, c.len() - 2);
    let mut out = c.clone();
    match rng.below(3) {
        // Two letters alike swapped would be no slip: one deleted instead.
        1 if c[i] != c[i + 1] => out.swap(i, i + 1),
        2 => out.insert(i, c[i]),
        _ => {
            out.remove(i);
        }
    }
    out.into_iter().collect()
}

fn plural_or_back(w: &str) -> String {
    match w.strip_suffix('s') {
        Some(one) => one.to_string(),
        None => format!("{w}s"),
    }
}

/// A query drawn from `a` of kind `kind`, lowercased as typed; `None` when the article has
/// too few words of the kind.
fn draw(rng: &mut Rng, kind: Kind, a: &Article) -> Option<String> {
    let lower = |ws: &[&str]| {
        ws.iter()
            .map(|w| w.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match kind {
        Kind::TitleWords | Kind::TitleSlip | Kind::TitlePlural => {
            let mut title: Vec<&str> = words(&a.title)
                .into_iter()
                .filter(|w| !little(w) && w.chars().count() >= 4)
                .collect();
            title.dedup();
            if title.len() < 2 {
                return None;
            }
            rng.shuffle(&mut title);
            title.truncate(3);
            let mut picked: Vec<String> = title.iter().map(|w| w.to_lowercase()).collect();
            match kind {
                Kind::TitleSlip => {
                    let i = picked.iter().position(|w| w.chars().count() >= 6)?;
                    picked[i] = slip(rng, &picked[i]);
                }
                Kind::TitlePlural => picked[0] = plural_or_back(&picked[0]),
                _ => {}
            }
            Some(picked.join(" "))
        }
        Kind::InARow | Kind::SentenceWords => {
            let text = words(&a.text);
            if text.len() < 60 {
                return None;
            }
            let at = rng.range(10, text.len() - 6);
            match kind {
                Kind::InARow => Some(lower(&text[at..at + 4])),
                _ => {
                    let kept: Vec<&str> = text[at..at + 6]
                        .iter()
                        .copied()
                        .filter(|w| !little(w))
                        .take(3)
                        .collect();
                    (kept.len() >= 2).then(|| lower(&kept))
                }
            }
        }
    }
}

/// Where the article meant stands among the first five hits (0-based), if it does.
type Rank = Option<usize>;

#[derive(Default)]
struct Tally {
    queries: usize,
    first: [usize; 2],
    five: [usize; 2],
}

impl Tally {
    fn add(&mut self, engine: usize, rank: Rank) {
        if rank == Some(0) {
            self.first[engine] += 1;
        }
        if rank.is_some() {
            self.five[engine] += 1;
        }
    }

    fn pct(&self, n: usize) -> String {
        format!("{:.0}%", 100.0 * n as f64 / self.queries.max(1) as f64)
    }
}

/// The articles stored by `engine` at `out`, in their order (FTS5's rowid = position + 1), as
/// the benchmark's ingest stores them.
fn store(engine: Engine, arts: &[Article], out: &Path) -> Result<()> {
    let mut sink = Sink::open(engine, out)?;
    for a in arts {
        sink.put(a)?;
    }
    sink.commit()
}

/// The articles of the generated corpus `spec` (made in `work` if need be), indexed into a new
/// KB in `out`.
fn generated(spec: &CorpusSpec, work: &Path, out: &Path) -> Result<(Kb, Vec<Article>)> {
    let cdir = work.join(format!(
        "corpus-{}-{}-{}",
        spec.articles, spec.feeds, spec.seed
    ));
    let manifest = run::corpus(spec, &cdir)?;
    let mut arts = Vec::with_capacity(spec.articles);
    for f in manifest.paths(&cdir) {
        arts.extend(ingest::articles_of(&f)?.1);
    }
    let dir = out.join("kb");
    store(Engine::Kb, &arts, &dir)?;
    Ok((Kb::open(&dir)?, arts))
}

/// The articles of an existing KB, as stored.
fn existing(dir: &Path) -> Result<(Kb, Vec<Article>)> {
    let kb = Kb::open(dir).with_context(|| format!("cannot open the KB at {}", dir.display()))?;
    let every = kb_store::ListRequest {
        limit: usize::MAX,
        ..Default::default()
    };
    let arts = kb.articles(&every)?.collect::<Result<Vec<_>, _>>()?;
    Ok((kb, arts))
}

pub fn recall(a: RecallArgs) -> Result<()> {
    let spec = CorpusSpec::new(a.articles, a.seed);
    let work = std::path::absolute(a.work.clone().unwrap_or_else(run::default_work))?;
    let out = work.join(match &a.index {
        Some(_) => "recall-index".to_string(),
        None => format!("recall-{}", spec.articles),
    });
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("cannot clear {}", out.display()))?;
    }
    std::fs::create_dir_all(&out)?;
    let t = Instant::now();
    let (kb, arts) = match &a.index {
        Some(dir) => existing(dir)?,
        None => generated(&spec, &work, &out)?,
    };
    anyhow::ensure!(!arts.is_empty(), "no articles to draw queries from");
    let db = out.join("fts.db");
    store(Engine::Fts5, &arts, &db)?;
    let conn = fts::open(&db)?;
    eprintln!(
        "recall: {} articles indexed in {:.1}s",
        arts.len(),
        t.elapsed().as_secs_f64()
    );

    let mut rng = Rng::new(a.query_seed);
    let mut rows = Vec::new();
    for kind in Kind::ALL {
        let mut tally = Tally::default();
        let mut tries = 0;
        while tally.queries < a.queries && tries < a.queries * 20 {
            tries += 1;
            let i = rng.below(arts.len() as u64) as usize;
            let Some(q) = draw(&mut rng, kind, &arts[i]) else {
                continue;
            };
            tally.queries += 1;
            let mut req = SearchRequest::new(&q);
            req.limit = 5;
            let res = kb
                .search(&req)
                .with_context(|| format!("kb search {q:?}"))?;
            let rank = res.hits.iter().position(|h| h.id == arts[i].id);
            tally.add(0, rank);
            if a.misses && rank != Some(0) {
                eprintln!(
                    "miss [{}] {q:?}: {} of {}, meant {:?}, first {:?}",
                    kind.label(),
                    rank.map_or("-".to_string(), |r| (r + 1).to_string()),
                    res.total,
                    arts[i].title,
                    res.hits.first().map_or("", |h| h.title.as_str())
                );
            }
            let rowids = fts::top_of_words(&conn, &q, 5)?;
            tally.add(1, rowids.iter().position(|r| *r == i as i64 + 1));
        }
        rows.push((kind, tally));
    }

    let source = match &a.index {
        Some(dir) => format!("the KB at {}", dir.display()),
        None => format!("generated (seed {})", spec.seed),
    };
    println!(
        "Known-item recall, {} articles, {source}, {} queries per kind (seed {}); {}",
        arts.len(),
        a.queries,
        a.query_seed,
        measure::machine()
    );
    println!();
    println!("| query | queries | kb first | kb top 5 | FTS5 first | FTS5 top 5 |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (kind, t) in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            kind.label(),
            t.queries,
            t.pct(t.first[0]),
            t.pct(t.five[0]),
            t.pct(t.first[1]),
            t.pct(t.five[1])
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_apostrophes_and_drop_numbers() {
        assert_eq!(
            words("Don’t patch 3 servers' disks, (isn't it?)"),
            ["Don’t", "patch", "servers", "disks", "isn't", "it"]
        );
    }

    #[test]
    fn a_slip_keeps_the_first_letter_and_changes_the_word() {
        let mut rng = Rng::new(1);
        for _ in 0..200 {
            let s = slip(&mut rng, "referral");
            assert!(s.starts_with('r'), "{s}");
            assert_ne!(s, "referral");
        }
    }
}
