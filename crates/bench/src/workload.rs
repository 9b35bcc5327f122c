//! The query workload: the same queries, by kind, for kb, FTS5 and the scan.
//!
//! Every query is written against the corpus vocabulary ([`crate::vocab`]), so its selectivity
//! is known: rare words are the planted markers, common words are high-rank real words, phrases
//! are the planted collocations.

use chrono::{DateTime, TimeZone, Utc};

use crate::Manifest;
use crate::vocab::MARKERS;

/// The kinds of query the benchmark times (issue 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    /// One planted marker word (a handful of hits).
    Rare,
    /// One high-frequency word (most articles).
    Common,
    /// Two mid-frequency words, both required.
    TwoWords,
    /// A quoted phrase.
    Phrase,
    /// A common word within one category.
    Category,
    /// A common word within a two-year window.
    Date,
}

impl QueryKind {
    /// Every kind, in table order.
    pub const ALL: [QueryKind; 6] = [
        QueryKind::Rare,
        QueryKind::Common,
        QueryKind::TwoWords,
        QueryKind::Phrase,
        QueryKind::Category,
        QueryKind::Date,
    ];

    /// A label for tables.
    pub fn label(self) -> &'static str {
        match self {
            QueryKind::Rare => "rare word",
            QueryKind::Common => "common word",
            QueryKind::TwoWords => "two words",
            QueryKind::Phrase => "phrase",
            QueryKind::Category => "category-filtered",
            QueryKind::Date => "date-filtered",
        }
    }
}

/// One query, in a form each engine can translate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchQuery {
    /// Its kind.
    pub kind: QueryKind,
    /// The words, lowercase; a phrase is one entry with its words separated by spaces.
    pub terms: Vec<String>,
    /// Whether `terms[0]` is a phrase.
    pub phrase: bool,
    /// Only this category.
    pub category: Option<String>,
    /// Only articles published in this inclusive range.
    pub dates: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl BenchQuery {
    /// The query string as a user types it (kb's and FTS5's syntax agree on these forms).
    pub fn text(&self) -> String {
        if self.phrase {
            format!("\"{}\"", self.terms.join(" "))
        } else {
            self.terms.join(" ")
        }
    }
}

const COMMON: &[&str] = &[
    "business",
    "clients",
    "services",
    "customers",
    "network",
    "people",
    "work",
    "support",
];
const TWO: &[(&str, &str)] = &[
    ("proposal", "budget"),
    ("firewall", "laptop"),
    ("revenue", "contract"),
    ("training", "employees"),
    ("outage", "ticket"),
    ("license", "subscription"),
    ("vendor", "pricing"),
    ("password", "policy"),
];
const PHRASE: &[&str] = &[
    "remote monitoring",
    "disaster recovery",
    "help desk",
    "recurring revenue",
    "trusted advisor",
    "first position",
    "service level agreement",
    "small business owners",
];
const IN_CATEGORY: &[(&str, &str)] = &[
    ("business", "Network Security"),
    ("clients", "Backup"),
    ("services", "Cloud"),
    ("network", "Compliance"),
    ("customers", "Pricing"),
    ("people", "Hiring"),
    ("work", "Virtualization"),
    ("support", "Email"),
];

fn year_start(y: i32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The queries of each kind for a corpus: several per kind, so repetitions cycle through
/// different terms instead of timing one cached answer.
pub fn queries(manifest: &Manifest) -> Vec<BenchQuery> {
    let plain = |kind, terms: Vec<&str>| BenchQuery {
        kind,
        terms: terms.into_iter().map(str::to_string).collect(),
        phrase: false,
        category: None,
        dates: None,
    };
    let mut out = Vec::new();
    for (m, hits) in &manifest.markers {
        if *hits > 0 || out.is_empty() {
            out.push(plain(QueryKind::Rare, vec![m.as_str()]));
        }
    }
    if out.is_empty() {
        out.push(plain(QueryKind::Rare, vec![MARKERS[0]]));
    }
    out.extend(COMMON.iter().map(|w| plain(QueryKind::Common, vec![*w])));
    out.extend(
        TWO.iter()
            .map(|(a, b)| plain(QueryKind::TwoWords, vec![*a, *b])),
    );
    out.extend(PHRASE.iter().map(|p| BenchQuery {
        phrase: true,
        ..plain(QueryKind::Phrase, vec![*p])
    }));
    out.extend(IN_CATEGORY.iter().map(|(w, c)| BenchQuery {
        category: Some(c.to_string()),
        ..plain(QueryKind::Category, vec![*w])
    }));
    let (first, last) = manifest.years;
    let span = (last - first).max(1);
    out.extend(COMMON.iter().enumerate().map(|(j, w)| {
        // Two-year windows spread over the corpus's years.
        let y = first + (j as i32 * span) / COMMON.len() as i32;
        BenchQuery {
            dates: Some((
                year_start(y),
                year_start(y + 2) - chrono::Duration::seconds(1),
            )),
            ..plain(QueryKind::Date, vec![*w])
        }
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::CATEGORIES;
    use crate::vocab::Vocab;

    #[test]
    fn query_words_are_corpus_words() {
        let v = Vocab::new();
        for w in COMMON {
            assert!(v.rank(w).is_some_and(|r| r < 150), "{w}");
        }
        for (a, b) in TWO {
            assert!(v.rank(a).is_some() && v.rank(b).is_some(), "{a} {b}");
        }
        for p in PHRASE {
            assert!(crate::vocab::PHRASES.contains(p), "{p}");
        }
        for (_, c) in IN_CATEGORY {
            assert!(CATEGORIES.contains(c), "{c}");
        }
    }
}
