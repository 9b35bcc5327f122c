//! `kb search`.

use anyhow::Result;
use kb_store::{
    Excluded, Facets, Highlight, Nearly, Relaxed, Respelling, SearchHit, SearchRequest,
    SearchResults, SortOrder,
};
use serde::Serialize;

use super::{Ctx, meta_line};
use crate::args::{SearchArgs, SortArg};
use crate::out::{Out, safe};

#[derive(Serialize)]
struct SearchJson<'a> {
    query: &'a str,
    total: usize,
    offset: usize,
    hits: Vec<HitJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    facets: Option<&'a Facets>,
    /// Always present (null when the query matched as written), so scripts can tell.
    relaxed: Option<&'a Relaxed>,
    /// Always present: null unless nothing matched because of the query's exclusions.
    excluded: Option<&'a Excluded>,
    /// Always present: null unless nothing matched and the query's phrases, unquoted, match
    /// this many articles.
    unquoted: Option<usize>,
    /// Always present: null unless every match fits on the first page with room to spare
    /// and articles that miss one word of the query fill it.
    nearly: Option<NearlyJson<'a>>,
    /// Always present: the words no article writes as typed that were also read as words
    /// one letter off (`referal` as "referral"); empty when none.
    also_read: &'a [Respelling],
}

/// [`Nearly`] as JSON, its hits as every hit is written.
#[derive(Serialize)]
struct NearlyJson<'a> {
    how: &'a Relaxed,
    total: usize,
    hits: Vec<HitJson<'a>>,
}

impl<'a> From<&'a Nearly> for NearlyJson<'a> {
    fn from(n: &'a Nearly) -> Self {
        NearlyJson {
            how: &n.how,
            total: n.total,
            hits: n.hits.iter().map(HitJson::from).collect(),
        }
    }
}

/// A hit as JSON: the store's [`SearchHit`], its date written as every JSON date is
/// ([`super::json_date`]).
#[derive(Serialize)]
struct HitJson<'a> {
    id: &'a str,
    title: &'a str,
    url: Option<&'a str>,
    author: Option<&'a str>,
    categories: &'a [String],
    #[serde(serialize_with = "super::json_date")]
    published: Option<chrono::DateTime<chrono::Utc>>,
    feed: &'a str,
    score: f32,
    snippet: &'a str,
    highlights: &'a [Highlight],
}

impl<'a> From<&'a SearchHit> for HitJson<'a> {
    fn from(h: &'a SearchHit) -> Self {
        // Destructured, so a field added to SearchHit cannot be left out unnoticed.
        let SearchHit {
            id,
            title,
            url,
            author,
            categories,
            published,
            feed,
            score,
            snippet,
            highlights,
        } = h;
        HitJson {
            id,
            title,
            url: url.as_deref(),
            author: author.as_deref(),
            categories,
            published: *published,
            feed,
            score: *score,
            snippet,
            highlights,
        }
    }
}

pub fn run(ctx: &Ctx, a: SearchArgs) -> Result<()> {
    let (since, until) = (a.since, a.until);
    super::check_dates(since, until)?;
    let kb = ctx.open_kb()?;
    let mut req = SearchRequest::new(&a.query);
    req.limit = a.limit;
    req.offset = a.offset;
    req.categories = a.category;
    req.authors = a.author;
    req.feeds = a.feed.clone();
    req.since = since;
    req.until = until;
    req.facets = a.facets;
    req.sort = match a.sort {
        SortArg::Relevance => SortOrder::Relevance,
        SortArg::Date => SortOrder::Date,
    };
    let res = kb.search(&req)?;
    let mut why_none = String::new();
    if res.total == 0 {
        ctx.check_feeds(&kb, &a.feed)?;
        why_none = ctx.unknown_names(&kb, &req.authors, &req.categories)?;
        if why_none.is_empty() && res.excluded.is_none() {
            why_none = filtered_out(&req, res.unfiltered.unwrap_or(0));
        }
    }
    print(ctx, &a.query, a.offset, &res, a.json, &why_none)
}

/// When filters that name someone left nothing, though the query alone matches `n` articles:
/// that they did (`kb search iron --category pricng`, the category read as "Pricing", said
/// only `no matches for "iron"`). Empty otherwise.
fn filtered_out(req: &SearchRequest, n: usize) -> String {
    let mut filters = Vec::new();
    for (flag, values) in [
        ("--category", &req.categories),
        ("--author", &req.authors),
        ("--feed", &req.feeds),
    ] {
        filters.extend(values.iter().map(|v| format!("{flag} {}", safe(v, false))));
    }
    filters.extend(super::date_flags(req.since, req.until));
    if filters.is_empty() || n == 0 {
        return String::new();
    }
    format!(
        "no matches for {:?} with {}: {} {} it without {}\n",
        safe(&req.query, false),
        filters.join(" "),
        crate::out::plural(n, "article"),
        if n == 1 { "matches" } else { "match" },
        if filters.len() == 1 {
            "that filter"
        } else {
            "those filters"
        }
    )
}

/// Print a page of hits, as text or JSON. Shared with `kb related`, whose output has the same
/// shape (`query` is then the article id). `why_none`, when there are no hits, says why better
/// than "no matches" (a filter that names nobody), in JSON too, on stderr.
pub fn print(
    ctx: &Ctx,
    query: &str,
    offset: usize,
    res: &SearchResults,
    json: bool,
    why_none: &str,
) -> Result<()> {
    if json {
        if res.total == 0 {
            ctx.out.note(why_none);
        }
        return ctx.out.json(&SearchJson {
            query,
            total: res.total,
            offset,
            hits: res.hits.iter().map(HitJson::from).collect(),
            facets: res.facets.as_ref(),
            relaxed: res.relaxed.as_ref(),
            excluded: res.excluded.as_ref(),
            unquoted: res.unquoted,
            nearly: res.nearly.as_ref().map(NearlyJson::from),
            also_read: &res.also_read,
        });
    }
    let mut s = String::new();
    let near: &[SearchHit] = res.nearly.as_ref().map_or(&[], |n| &n.hits);
    // Detail lines start under the title, however wide the numbers get ("10. ").
    let indent = " ".repeat((offset + res.hits.len() + near.len()).to_string().len() + 2);
    for (i, h) in res.hits.iter().chain(near).enumerate() {
        if i == res.hits.len()
            && let Some(n) = &res.nearly
        {
            // On stdout with the hits it heads: they must not pass for matches as typed.
            s.push_str(&format!(
                "Nearly matching {:?}: {}\n\n",
                safe(query, false),
                relaxed_parts(&n.how).join("; ")
            ));
        }
        let number = format!("{}.", offset + i + 1);
        s.push_str(&format!(
            "{number:<width$}{}\n",
            ctx.out.bold(&safe(&h.title, false)),
            width = indent.len()
        ));
        s.push_str(&format!(
            "{indent}{}\n",
            meta_line(h.published, h.author.as_deref(), &h.categories)
        ));
        if let Some(u) = &h.url {
            s.push_str(&format!("{indent}{}\n", safe(u, false)));
        }
        s.push_str(&format!("{indent}id {}\n", h.id));
        if !h.snippet.is_empty() {
            s.push_str(&format!(
                "{indent}{}\n",
                highlight(&ctx.out, &h.snippet, &h.highlights)
            ));
        }
        s.push('\n');
    }
    // The count and the note are no results: on stderr, between the hits and the facets.
    let mut footer = String::new();
    let shown = res.hits.len();
    let matches = |n: usize| format!("{n} match{}", if n == 1 { "" } else { "es" });
    if res.total == 0 && !why_none.is_empty() {
        footer.push_str(why_none);
    } else if let (0, Some(x)) = (res.total, &res.excluded) {
        let by: Vec<String> = x.by.iter().map(|b| safe(b, false)).collect();
        let quoted: Vec<String> =
            x.by.iter()
                .filter(|b| b.starts_with('-') && !b.starts_with("-\""))
                .map(|b| format!("\"{}\"", safe(b, false)))
                .collect();
        footer.push_str(&format!(
            "no matches for {:?}: {} {} the rest, but {} {} {}{}\n",
            safe(query, false),
            crate::out::plural(x.matches, "article"),
            if x.matches == 1 { "matches" } else { "match" },
            by.join(" and "),
            if by.len() == 1 { "excludes" } else { "exclude" },
            if x.matches == 1 { "it" } else { "them" },
            match quoted.as_slice() {
                [] => String::new(),
                q => format!(
                    " (to search for the word itself, quote it: {})",
                    q.join(" ")
                ),
            }
        ));
    } else if let (0, Some(n)) = (res.total, res.unquoted) {
        footer.push_str(&format!(
            "no matches for {:?}: a phrase matches only its words in a row, as typed; unquoted, they match {} (drop the quotes)\n",
            safe(query, false),
            crate::out::plural(n, "article")
        ));
    } else if res.total == 0 {
        footer.push_str(&format!("no matches for {:?}\n", safe(query, false)));
    } else if shown == 0 && offset == 0 {
        // --limit 0: a count, nothing else.
        footer.push_str(&format!("{}\n", matches(res.total)));
    } else if shown == 0 {
        footer.push_str(&format!(
            "no hits past {offset}: there {} {}\n",
            if res.total == 1 { "is" } else { "are" },
            matches(res.total)
        ));
    } else {
        footer.push_str(&format!(
            "{} of {}\n",
            if shown == res.total {
                format!("{shown}")
            } else if shown == 1 {
                format!("{}", offset + 1)
            } else {
                format!("{}-{}", offset + 1, offset + shown)
            },
            matches(res.total)
        ));
    }
    if let Some(n) = res.nearly.as_ref().filter(|n| !n.hits.is_empty()) {
        let (from, to) = (shown + 1, shown + n.hits.len());
        footer.push_str(&format!(
            "{}: {} of {} near {}\n",
            if from == to {
                format!("{from}")
            } else {
                format!("{from}-{to}")
            },
            n.hits.len(),
            n.total,
            if n.total == 1 { "match" } else { "matches" },
        ));
    }
    if let Some(r) = &res.relaxed {
        footer.push_str(&relaxed_note(query, r));
    }
    if !res.also_read.is_empty() && res.total > 0 {
        footer.push_str(&also_read_note(&res.also_read));
    }
    if !s.is_empty() {
        ctx.out.text(&s)?;
    }
    ctx.out.note(&footer);
    if let Some(f) = &res.facets {
        // A blank line after the footer, as after the hits; none without it (`-q`).
        let mut s = String::new();
        if !ctx.out.quiet {
            s.push('\n');
        }
        for (label, counts) in [
            ("categories", &f.categories),
            ("authors", &f.authors),
            ("feeds", &f.feeds),
            ("years", &f.years),
        ] {
            let list: Vec<String> = counts
                .iter()
                .map(|c| format!("{} ({})", safe(&c.name, false), c.count))
                .collect();
            let list = if list.is_empty() {
                "(none)".to_string()
            } else {
                list.join(", ")
            };
            s.push_str(&format!("{label}: {list}\n"));
        }
        ctx.out.text(&s)?;
    }
    Ok(())
}

/// A respelled word's note names at most this many of the words it was read as.
const MAX_NAMED: usize = 3;

/// Why these hits do not match every word as typed: the search found nothing that does and
/// was widened (see [`Relaxed`]).
fn relaxed_note(query: &str, r: &Relaxed) -> String {
    format!(
        "note: nothing matches {:?} as typed; {}\n",
        safe(query, false),
        relaxed_parts(r).join("; ")
    )
}

/// A word and what it was read as: `"munich" read as "munch"`, at most [`MAX_NAMED`] of
/// them and `…` for the rest.
fn named(s: &Respelling, how: &str) -> String {
    let mut to: Vec<String> = s
        .read_as
        .iter()
        .take(MAX_NAMED)
        .map(|w| format!("{:?}", safe(w, false)))
        .collect();
    if s.read_as.len() > MAX_NAMED {
        to.push("…".to_string());
    }
    format!("{:?} {how} {}", safe(&s.typed, false), to.join(" or "))
}

/// Which words were also read as others: no article writes them as typed, and the stem they
/// share with other words made them match those (`referal`, stemmed as `refer`).
fn also_read_note(slips: &[Respelling]) -> String {
    let each: Vec<String> = slips.iter().map(|s| named(s, "also read as")).collect();
    format!(
        "note: {} (no article writes {} as typed)\n",
        each.join(", "),
        if slips.len() == 1 { "it" } else { "them" }
    )
}

/// How a wider reading of a query reads it, part by part ([`Relaxed`]).
fn relaxed_parts(r: &Relaxed) -> Vec<String> {
    let quoted = |words: &[String]| {
        let q: Vec<String> = words
            .iter()
            .map(|w| format!("{:?}", safe(w, false)))
            .collect();
        q.join(", ")
    };
    let mut parts = Vec::new();
    for c in &r.compounds {
        parts.push(format!(
            "{:?} also read as {:?}",
            safe(&c.typed, false),
            safe(&c.read_as, false)
        ));
    }
    if !r.respelled.is_empty() {
        // Each word with what it became (`"munich" as "munch"`): a respelling onto another
        // word entirely is otherwise invisible.
        let each: Vec<String> = r.respellings.iter().map(|s| named(s, "read as")).collect();
        let words = if each.len() == r.respelled.len() {
            each.join(", ")
        } else {
            quoted(&r.respelled)
        };
        parts.push(format!(
            "{words} by similar spelling (no article has {})",
            if r.respelled.len() == 1 { "it" } else { "them" }
        ));
    }
    if !r.prefixed.is_empty() {
        parts.push(format!(
            "{} matched as the beginning of longer numbers",
            quoted(&r.prefixed)
        ));
    }
    if !r.dated.is_empty() {
        parts.push(format!(
            "{} also read as when the article was published",
            quoted(&r.dated)
        ));
    }
    if !r.unrequired.is_empty() {
        parts.push(format!(
            "hits need not hold the little {} {}",
            if r.unrequired.len() == 1 {
                "word"
            } else {
                "words"
            },
            quoted(&r.unrequired)
        ));
    }
    if r.at_least < r.words {
        parts.push(format!(
            "hits hold at least {} of its {}{} words (a rare word counting as several)",
            r.at_least,
            r.words,
            if r.unrequired.is_empty() {
                ""
            } else {
                " other"
            }
        ));
    }
    parts
}

/// Bold the matched ranges on a terminal; plain text when piped.
fn highlight(out: &Out, snippet: &str, hl: &[Highlight]) -> String {
    let chars: Vec<char> = snippet.chars().collect();
    if !out.bold || hl.is_empty() {
        return safe(snippet, false);
    }
    let mut s = String::new();
    let mut pos = 0;
    for h in hl {
        if h.start < pos || h.end > chars.len() {
            continue;
        }
        s.push_str(&safe(
            &chars[pos..h.start].iter().collect::<String>(),
            false,
        ));
        s.push_str(&out.bold(&safe(
            &chars[h.start..h.end].iter().collect::<String>(),
            false,
        )));
        pos = h.end;
    }
    s.push_str(&safe(&chars[pos..].iter().collect::<String>(), false));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_in_json_has_the_store_fields_and_a_date_in_whole_seconds() {
        let published = chrono::DateTime::parse_from_rfc3339("2024-03-04T10:00:00.123456+02:00")
            .ok()
            .map(|d| d.to_utc());
        let hit = SearchHit {
            id: "a".into(),
            title: "t".into(),
            url: None,
            author: Some("x".into()),
            categories: vec!["c".into()],
            published,
            feed: "f".into(),
            score: 1.5,
            snippet: "s".into(),
            highlights: vec![Highlight { start: 0, end: 1 }],
        };
        let store = serde_json::to_value(&hit).unwrap_or_default();
        let ours = serde_json::to_value(HitJson::from(&hit)).unwrap_or_default();
        let keys = |v: &serde_json::Value| {
            v.as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        };
        assert_eq!(keys(&ours), keys(&store));
        assert_eq!(ours["published"], "2024-03-04T08:00:00Z");
        assert_eq!(ours["highlights"], store["highlights"]);
    }
}
