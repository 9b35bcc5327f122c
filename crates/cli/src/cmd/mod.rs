//! One module per command, plus what they share: the context, opening the KB, JSON views.

pub mod completions;
pub mod doctor;
pub mod export;
pub mod facets;
pub mod feed;
pub mod list;
pub mod parse;
pub mod reindex;
pub mod related;
pub mod relist;
pub mod search;
pub mod show;
pub mod sync;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use kb_clean::{Article, Rules};
use kb_store::Kb;
use serde::Serialize;

use crate::config::Config;
use crate::out::Out;

/// What every command gets.
pub struct Ctx {
    pub config: Config,
    pub index: PathBuf,
    pub out: Out,
    pub verbose: u8,
}

impl Ctx {
    /// Open the KB for reading.
    pub fn open_kb(&self) -> Result<Kb> {
        Ok(Kb::open(&self.index)?)
    }

    /// The article `key` names (id, unique id prefix, or URL). A URL is also compared as a
    /// parsed URL, with the stored ones parsed too: scheme and host in any case
    /// (`HTTP://Example.COM/a` is `http://example.com/a`), on either side (links are stored as
    /// the feed wrote them); its path is the site's own and keeps its case.
    ///
    /// Every stored spelling of the address counts, so one shared by several articles is an
    /// error naming them all however it is typed. A `#fragment` (`#comments`, copied from a
    /// browser) is ignored when no article has the address with it.
    ///
    /// When no article has the address, it is compared loosely ([`loose_url`]): what people
    /// paste differs from what feeds link by a trailing slash, the scheme (typed or not),
    /// `www.` or tracking parameters (`?utm_source=…`), and `kb search` found the article from
    /// such a paste while `kb show` said no article matched. Several articles matching only
    /// loosely is an error naming them: none is picked behind the user's back.
    pub fn find_article(&self, kb: &Kb, key: &str) -> Result<Article> {
        let web = |u: &url::Url| matches!(u.scheme(), "http" | "https");
        let key = key.trim();
        // An empty argument (an unset variable in a script) is a mistake in the command line.
        if key.is_empty() {
            return Err(crate::Usage(
                "no article id given: pass an id (or a unique prefix of one, as `kb list` shows) or the article's URL".into(),
            )
            .into());
        }
        let exact = match url::Url::parse(key).ok().filter(web) {
            Some(typed) => {
                let parsed = crate::config::edit::normalized_url;
                let exact = parsed(key, true);
                match kb.get_by_url_like(key, |stored| parsed(stored, true) == exact) {
                    Err(kb_store::StoreError::UnknownArticle(_)) if typed.fragment().is_some() => {
                        let bare = parsed(key, false);
                        kb.get_by_url_like(key, |stored| parsed(stored, false) == bare)
                    }
                    r => r,
                }
            }
            None => kb.get(key),
        };
        let Err(kb_store::StoreError::UnknownArticle(_)) = exact else {
            return Ok(exact?);
        };
        let Some(wanted) = loose_url(key) else {
            return Ok(exact?);
        };
        match kb.get_by_url_like(key, |stored| loose_url(stored).as_ref() == Some(&wanted)) {
            Err(kb_store::StoreError::AmbiguousUrl { ids, .. }) => bail!(
                "no article has the address {key:?}, and {} articles have it with another scheme, slash, www. or tracking parameters ({}): give the id of the one you mean",
                ids.len(),
                ids.join(", ")
            ),
            Err(kb_store::StoreError::UnknownArticle(_)) => Ok(exact?),
            r => Ok(r?),
        }
    }

    /// One line per `--author`/`--category` value that names nobody in the knowledge base,
    /// with the closest names, for a search or listing that found nothing: "no matches for
    /// \"pricing\"" read as if no article said "pricing". Empty when every value names someone.
    pub fn unknown_names(
        &self,
        kb: &Kb,
        authors: &[String],
        categories: &[String],
    ) -> Result<String> {
        let mut out = String::new();
        for (what, list, unknown) in [
            ("author", "kb authors", kb.unknown_authors(authors)?),
            (
                "category",
                "kb categories",
                kb.unknown_categories(categories)?,
            ),
        ] {
            for u in unknown {
                let closest = if u.closest.is_empty() {
                    format!("see `{list}`")
                } else {
                    let names: Vec<String> = u
                        .closest
                        .iter()
                        .map(|n| crate::out::safe(n, false))
                        .collect();
                    format!("closest: {}", names.join(", "))
                };
                out.push_str(&format!(
                    "no {what} matches {:?} ({closest})\n",
                    crate::out::safe(&u.value, false)
                ));
            }
        }
        Ok(out)
    }

    /// The built-in noise rules plus the config's, with the config's input limits.
    pub fn rules(&self) -> Result<Rules> {
        let clean = &self.config.clean;
        let rules =
            Rules::with_extra(clean.rules.clone()).context("in [clean] rules of the config")?;
        let mut limits = *rules.limits();
        if let Some(max) = clean.max_input_bytes {
            limits.max_input_bytes = max;
        }
        Ok(rules.with_limits(limits))
    }

    /// Refuse `--feed` values that stand for no feed, called when a listing or search came out
    /// empty: a typo in a feed's name otherwise reads as a feed without articles. A value
    /// stands for a feed as the store reads it (a name in any case, or a word of one), which
    /// one count per value asks the store; a feed of kb.toml not synced yet is no typo.
    pub fn check_feeds(&self, kb: &Kb, feeds: &[String]) -> Result<()> {
        // Without a readable kb.toml its feeds are unknown: one may be a feed not synced yet.
        if self.config.unusable.is_some() {
            return Ok(());
        }
        for value in feeds {
            let configured = self
                .config
                .feeds
                .iter()
                .any(|f| f.name.trim().to_lowercase() == value.trim().to_lowercase());
            if configured {
                continue;
            }
            let count = kb.list(&kb_store::ListRequest {
                feeds: vec![value.clone()],
                limit: 0,
                ..Default::default()
            })?;
            if count.total > 0 {
                continue;
            }
            let mut known: Vec<String> = self.config.feeds.iter().map(|f| f.name.clone()).collect();
            for c in kb.feed_counts()? {
                if !known.contains(&c.name) {
                    known.push(c.name);
                }
            }
            // The feeds it may stand for first: among a few dozen names, the one meant is
            // easily cut off the list of known ones.
            let closest = kb_store::closest_feed_names(&known, value);
            const SHOWN: usize = 5;
            let list = if known.is_empty() {
                "there are none yet".to_string()
            } else if !closest.is_empty() {
                format!("closest: {}", closest.join(", "))
            } else {
                let mut names: Vec<String> = known.iter().take(SHOWN).cloned().collect();
                if known.len() > SHOWN {
                    names.push("…".to_string());
                }
                format!("known: {}", names.join(", "))
            };
            anyhow::bail!(
                "no feed {:?} in the knowledge base or {} ({list}): see `kb feed list`",
                value,
                self.config.path.display()
            );
        }
        Ok(())
    }

    /// Progress and notes go to stderr, unless --quiet.
    pub fn note(&self, msg: &str) {
        self.out.note(msg);
    }
}

/// Query parameters that track where a click came from (`utm_source`, a click id): they
/// change nothing about the page.
const TRACKING_PARAMETERS: &[&str] = &[
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_hsenc", "_hsmi",
];

/// An http(s) address as loosely as `kb show` compares it when no article has it exactly:
/// host (lowercased, without `www.`), port unless the default, path without a trailing slash
/// (its case is the site's), and the query without tracking parameters, in sorted order. The
/// scheme, http or https, typed or not (`example.com/a/`), and the fragment are left out.
/// `None` for what is no web address, such as an id prefix: without a scheme the host must
/// have a dot.
fn loose_url(s: &str) -> Option<String> {
    let s = s.trim();
    let u = if s.contains("://") {
        url::Url::parse(s).ok()?
    } else {
        let host = s.split(['/', '?', '#']).next().unwrap_or("");
        if !host.contains('.') || s.chars().any(char::is_whitespace) {
            return None;
        }
        url::Url::parse(&format!("http://{s}")).ok()?
    };
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let host = u.host_str()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    // `;` separates parameters too (HTML 4 §B.2.2; `?id=7;utm_source=x`).
    let pairs = u.query().unwrap_or("").replace(';', "&");
    let mut query: Vec<(String, String)> = url::form_urlencoded::parse(pairs.as_bytes())
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMETERS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    query.sort();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    // `url` drops a port that is the default of the scheme: http's 80 and https's 443 alike.
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!(
        "{host}{port}{}?{query}",
        upper_escapes(u.path().trim_end_matches('/'))
    ))
}

/// `%c3%a9` as `%C3%A9`: the same octets (RFC 3986 §6.2.2.1), however a site or a user wrote
/// them.
fn upper_escapes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest
            .get(at..at + 3)
            .filter(|e| e.bytes().skip(1).all(|b| b.is_ascii_hexdigit()));
        match escape {
            Some(e) => {
                out.push_str(&e.to_ascii_uppercase());
                rest = &rest[at + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `--since` / `--until`: a bare date covers its whole day (UTC), so both bounds are inclusive
/// of that day; RFC 3339 timestamps are taken as they are; `today` and `yesterday` are whole
/// UTC days too; a time back from now (`7d`, `2w`, `6mo`, `1y`, `12h`, `3 days ago`) is that
/// instant, for either bound.
/// None when `s` is no such date (clap then names the flag and the forms it takes).
pub fn parse_bound(s: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    parse_bound_at(s, end_of_day, Utc::now())
}

/// [`parse_bound`] with the clock given: what `today` and `7d` count from.
fn parse_bound_at(s: &str, end_of_day: bool, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(t) = time_back(s, now) {
        return Some(t);
    }
    let today = now.date_naive();
    let named = match s.to_ascii_lowercase().as_str() {
        "today" => Some(today),
        "yesterday" => today.pred_opt(),
        _ => None,
    };
    // A day, a month or a year covers all of it, as `published:2010` does in a query.
    let span = named
        .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map(|d| (d, d))
        .or_else(|| {
            let (y, m) = s.split_once('-')?;
            // One digit or two, as a day may be (`2024-3`, `2024-3-5`).
            let month = (matches!(m.len(), 1 | 2) && m.bytes().all(|b| b.is_ascii_digit()))
                .then(|| m.parse().ok())
                .flatten()?;
            let first = NaiveDate::from_ymd_opt(year(y)?, month, 1)?;
            Some((
                first,
                first
                    .checked_add_months(chrono::Months::new(1))?
                    .pred_opt()?,
            ))
        })
        .or_else(|| {
            let y = year(s)?;
            Some((
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y, 12, 31)?,
            ))
        });
    if let Some((first, last)) = span {
        let t = if end_of_day {
            NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default()
        } else {
            NaiveTime::MIN
        };
        let day = if end_of_day { last } else { first };
        return Some(day.and_time(t).and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// `--since` after `--until`: the user's words contradict each other, a usage error (exit 2)
/// as a bad value is, naming both as read.
pub fn check_dates(since: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> Result<()> {
    if let (Some(since), Some(until)) = (since, until)
        && since > until
    {
        let at = |d: DateTime<Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        return Err(crate::Usage(format!(
            "--since ({}) is after --until ({}): nothing can match; swap them",
            at(since),
            at(until)
        ))
        .into());
    }
    Ok(())
}

/// `--since` and `--until` as a note names them: a whole day as its date, as it was most
/// likely typed (`--since 2010-03-01`); an instant (`--since 7d`) whole.
pub fn date_flags(since: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> Vec<String> {
    let at = |d: DateTime<Utc>, day_edge: &str| {
        if d.format("%H:%M:%S").to_string() == day_edge {
            d.format("%Y-%m-%d").to_string()
        } else {
            d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }
    };
    let mut flags = Vec::new();
    flags.extend(since.map(|d| format!("--since {}", at(d, "00:00:00"))));
    flags.extend(until.map(|d| format!("--until {}", at(d, "23:59:59"))));
    flags
}

/// `now` less a span typed as a count and a unit: `7d`, `2w`, `6mo`, `1y`, `12h`, and the
/// same with a space, a unit spelled out (singular or plural) and `ago` (`3 days ago`, as git's
/// `--since` takes it). No bare `m`: minutes to some, months to others.
fn time_back(s: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let lower = s.to_ascii_lowercase();
    let rest = lower.strip_suffix("ago").unwrap_or(&lower).trim_end();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    // Past a few digits the count overflows every unit anyway: no date, not a panic.
    if digits == 0 || digits > 6 {
        return None;
    }
    let n: u32 = rest[..digits].parse().ok()?;
    let unit = rest[digits..].trim_start();
    let unit = unit
        .strip_suffix('s')
        .filter(|u| u.len() > 1)
        .unwrap_or(unit);
    let hours = |h: i64| now.checked_sub_signed(chrono::TimeDelta::try_hours(h)?);
    match unit {
        "h" | "hr" | "hour" => hours(i64::from(n)),
        "d" | "day" => hours(i64::from(n) * 24),
        "w" | "wk" | "week" => hours(i64::from(n) * 24 * 7),
        "mo" | "month" => now.checked_sub_months(chrono::Months::new(n)),
        "y" | "yr" | "year" => now.checked_sub_months(chrono::Months::new(n.checked_mul(12)?)),
        _ => None,
    }
}

/// Four digits.
fn year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A date as every JSON output writes it: RFC 3339 UTC with whole seconds
/// (`2024-03-04T08:00:00Z`), whatever fraction the feed or the clock gave it (a fraction
/// is cut, not rounded), so that one fixed format reads every date of every command.
pub fn json_date<S: serde::Serializer>(d: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        None => s.serialize_none(),
    }
}

/// The JSON shape of an article for `show` (with text) and `list` (without).
#[derive(Debug, Serialize)]
pub struct ArticleView<'a> {
    pub id: &'a str,
    pub feed: &'a str,
    pub guid: Option<&'a str>,
    pub title: &'a str,
    pub url: Option<&'a str>,
    pub author: Option<&'a str>,
    pub categories: &'a [String],
    #[serde(serialize_with = "json_date")]
    pub published: Option<DateTime<Utc>>,
    #[serde(serialize_with = "json_date")]
    pub updated: Option<DateTime<Utc>>,
    pub comments: Option<u64>,
    pub comments_url: Option<&'a str>,
    pub summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    pub links: &'a [String],
    /// A podcast episode's audio file (the item's first enclosure), or null.
    pub enclosure: Option<&'a str>,
}

impl<'a> ArticleView<'a> {
    pub fn new(a: &'a Article, with_text: bool) -> Self {
        ArticleView {
            id: &a.id,
            feed: &a.feed,
            guid: a.guid.as_deref(),
            title: &a.title,
            url: a.url.as_deref(),
            author: a.author.as_deref(),
            categories: &a.categories,
            published: a.published,
            updated: a.updated,
            comments: a.comments,
            comments_url: a.comments_url.as_deref(),
            summary: &a.summary,
            text: with_text.then_some(a.text.as_str()),
            links: &a.links,
            enclosure: a.enclosure.as_deref(),
        }
    }
}

/// "2010-03-17" or "undated".
pub fn day(d: Option<DateTime<Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "undated".into())
}

/// The metadata line under a title: date · author · categories.
pub fn meta_line(a: Option<DateTime<Utc>>, author: Option<&str>, cats: &[String]) -> String {
    let mut parts = vec![day(a)];
    if let Some(au) = author {
        parts.push(au.to_string());
    }
    if !cats.is_empty() {
        parts.push(cats.join(", "));
    }
    crate::out::safe(&parts.join(" · "), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_dates_cover_the_whole_day() {
        assert_eq!(
            parse_bound("2010-03-04", false).unwrap().to_rfc3339(),
            "2010-03-04T00:00:00+00:00"
        );
        assert_eq!(
            parse_bound("2010-03-04", true).unwrap().to_rfc3339(),
            "2010-03-04T23:59:59+00:00"
        );
        assert_eq!(
            parse_bound("2010-02", true).unwrap().to_rfc3339(),
            "2010-02-28T23:59:59+00:00"
        );
        assert_eq!(parse_bound("2010-2", true), parse_bound("2010-02", true));
        assert_eq!(
            parse_bound("2010-3-4", false),
            parse_bound("2010-03-04", false)
        );
        assert!(parse_bound("2010-+3", false).is_none());
        assert!(parse_bound("2010-03-04T05:00:00+02:00", false).is_some());
        assert!(parse_bound("2010-13-01", false).is_none());
    }

    #[test]
    fn named_days_and_times_back_count_from_now() {
        let now = DateTime::parse_from_rfc3339("2026-03-31T15:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |s: &str, end: bool| parse_bound_at(s, end, now).map(|t| t.to_rfc3339());
        let t = |s: &str| Some(format!("{s}+00:00"));
        assert_eq!(at("today", false), t("2026-03-31T00:00:00"));
        assert_eq!(at("Today", true), t("2026-03-31T23:59:59"));
        assert_eq!(at("yesterday", false), t("2026-03-30T00:00:00"));
        assert_eq!(at("yesterday", true), t("2026-03-30T23:59:59"));
        // A time back is an instant, whichever bound it is.
        for s in ["7d", "7 days ago", "7 DAYS", "1w", "1 week ago", "168h"] {
            assert_eq!(at(s, false), t("2026-03-24T15:30:00"), "{s}");
            assert_eq!(at(s, true), t("2026-03-24T15:30:00"), "{s}");
        }
        assert_eq!(at("12h", false), t("2026-03-31T03:30:00"));
        // Calendar months, the day clamped to the month's end.
        assert_eq!(at("1mo", false), t("2026-02-28T15:30:00"));
        assert_eq!(at("2 months ago", false), t("2026-01-31T15:30:00"));
        assert_eq!(at("1y", false), t("2025-03-31T15:30:00"));
        assert_eq!(at("0d", false), t("2026-03-31T15:30:00"));
        for bad in [
            "7",
            "d",
            "7m",
            "7 minutes",
            "-7d",
            "7dd",
            "7 days from now",
            "ago",
            "999999999y",
            "9999999d",
            "tomorrow",
            "1.5d",
            "s",
        ] {
            assert_eq!(at(bad, false), None, "{bad}");
        }
    }
}
