//! Relevance tests: every judgement in fixtures/golden/search/judged.toml, run against the seed
//! corpus (issue 6). The judgements are data; this file only knows how to check them.

mod common;

use kb_store::{SearchRequest, SortOrder};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Judged {
    case: Vec<Case>,
}

/// One judged query. Every expectation given must hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Which feature the case covers, for the failure message.
    about: String,
    query: String,
    #[serde(default)]
    category: Vec<String>,
    #[serde(default)]
    author: Vec<String>,
    #[serde(default)]
    feed: Vec<String>,
    since: Option<String>,
    until: Option<String>,
    /// "relevance" (default) or "date".
    sort: Option<String>,
    /// These titles, in this order, are the first hits.
    #[serde(default)]
    first: Vec<String>,
    /// The exact number of matches.
    total: Option<usize>,
    /// These titles are among the hits.
    #[serde(default)]
    contains: Vec<String>,
    /// These titles are not among the hits.
    #[serde(default)]
    excludes: Vec<String>,
    /// The query is refused with a message containing this.
    error: Option<String>,
    /// The query matched nothing as written and was widened (misspelled words respelled,
    /// fewer words required); every other case must match as written.
    #[serde(default)]
    relaxed: bool,
}

fn date(s: &str, end_of_day: bool) -> chrono::DateTime<chrono::Utc> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("judged dates are YYYY-MM-DD");
    let t = if end_of_day {
        d.and_hms_opt(23, 59, 59)
    } else {
        d.and_hms_opt(0, 0, 0)
    };
    t.expect("valid time").and_utc()
}

fn check(case: &Case) -> Result<(), String> {
    let kb = common::seed_kb();
    let mut req = SearchRequest::new(&case.query);
    req.limit = 100;
    req.categories = case.category.clone();
    req.authors = case.author.clone();
    req.feeds = case.feed.clone();
    req.since = case.since.as_deref().map(|s| date(s, false));
    req.until = case.until.as_deref().map(|s| date(s, true));
    req.sort = match case.sort.as_deref() {
        None | Some("relevance") => SortOrder::Relevance,
        Some("date") => SortOrder::Date,
        Some(other) => return Err(format!("unknown sort {other:?}")),
    };
    let res = kb.search(&req);
    if let Some(want) = &case.error {
        return match res {
            Err(e) if e.to_string().contains(want.as_str()) => Ok(()),
            Err(e) => Err(format!(
                "error {:?} does not contain {want:?}",
                e.to_string()
            )),
            Ok(r) => Err(format!("expected error {want:?}, got {} hits", r.total)),
        };
    }
    let res = res.map_err(|e| format!("unexpected error: {e}"))?;
    let titles: Vec<&str> = res.hits.iter().map(|h| h.title.as_str()).collect();
    let mut problems = Vec::new();
    if let Some(t) = case.total
        && res.total != t
    {
        problems.push(format!("total {} != {t}", res.total));
    }
    if res.relaxed.is_some() != case.relaxed {
        problems.push(format!("relaxed: {:?}", res.relaxed));
    }
    if res.total != res.hits.len() {
        problems.push(format!("total {} but {} hits", res.total, res.hits.len()));
    }
    for (i, want) in case.first.iter().enumerate() {
        if titles.get(i) != Some(&want.as_str()) {
            problems.push(format!(
                "hit {} is {:?}, want {want:?}",
                i + 1,
                titles.get(i)
            ));
        }
    }
    for want in &case.contains {
        if !titles.contains(&want.as_str()) {
            problems.push(format!("missing {want:?}"));
        }
    }
    for bad in &case.excludes {
        if titles.contains(&bad.as_str()) {
            problems.push(format!("should not find {bad:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n      got {titles:?}", problems.join("; ")))
    }
}

#[test]
fn judged_queries_hold() {
    let path = common::root().join("fixtures/golden/search/judged.toml");
    let text = std::fs::read_to_string(&path).expect("judged.toml");
    let judged: Judged = toml::from_str(&text).expect("judged.toml is valid");
    assert!(judged.case.len() >= 30, "at least 30 judged queries");
    let mut failures = Vec::new();
    for case in &judged.case {
        if let Err(why) = check(case) {
            failures.push(format!("  {:?} ({}): {why}", case.query, case.about));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} judged queries fail:\n{}",
        failures.len(),
        judged.case.len(),
        failures.join("\n")
    );
}
