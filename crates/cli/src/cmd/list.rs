//! `kb list`: newest first, undated articles last in id order.

use anyhow::Result;
use kb_store::ListRequest;
use serde::Serialize;

use super::{ArticleView, Ctx, day};
use crate::args::{ArticleFilters, ListArgs};
use crate::out::safe;
use kb_store::Kb;

#[derive(Serialize)]
struct ListJson<'a> {
    total: usize,
    /// As in search and related: the `--offset` this page starts at.
    offset: usize,
    articles: Vec<ArticleView<'a>>,
}

pub fn run(ctx: &Ctx, a: ListArgs) -> Result<()> {
    let req = request(a.filters, a.limit, a.offset)?;
    let kb = ctx.open_kb()?;
    let res = kb.list(&req)?;
    let why_none = if res.total == 0 {
        why_empty(ctx, &kb, &req)?
    } else {
        String::new()
    };
    if a.json {
        if res.total == 0 {
            ctx.out.note(&why_none);
        }
        let articles = res
            .articles
            .iter()
            .map(|x| ArticleView::new(x, false))
            .collect();
        return ctx.out.json(&ListJson {
            total: res.total,
            offset: a.offset,
            articles,
        });
    }
    let mut s = String::new();
    for art in &res.articles {
        // `undated` padded to the date's width: scripts cut the columns by position.
        s.push_str(&format!(
            "{}  {:<10}  {}{}\n",
            &art.id[..art.id.len().min(8)],
            day(art.published),
            ctx.out.bold(&safe(&art.title, false)),
            art.author
                .as_deref()
                .map(|x| format!(" ({})", safe(x, false)))
                .unwrap_or_default()
        ));
    }
    let mut footer = String::new();
    if res.total > res.articles.len() + a.offset {
        footer.push_str(&format!(
            "… {} of {} shown (use --limit/--offset for more)\n",
            res.articles.len(),
            res.total
        ));
    }
    if res.total == 0 && !why_none.is_empty() {
        footer.push_str(&why_none);
    } else if res.total == 0 {
        footer.push_str("no articles\n");
    } else if res.articles.is_empty() && a.offset >= res.total {
        footer.push_str(&format!(
            "no articles past {}: there {} {}\n",
            a.offset,
            if res.total == 1 { "is" } else { "are" },
            res.total
        ));
    }
    if !s.is_empty() {
        ctx.out.text(&s)?;
    }
    ctx.out.note(&footer);
    Ok(())
}

/// The listing `filters` ask for, a page of it; dates the wrong way round are a usage error.
pub(super) fn request(filters: ArticleFilters, limit: usize, offset: usize) -> Result<ListRequest> {
    super::check_dates(filters.since, filters.until)?;
    Ok(ListRequest {
        categories: filters.category,
        authors: filters.author,
        feeds: filters.feed,
        since: filters.since,
        until: filters.until,
        limit,
        offset,
    })
}

/// Why a listing of `req` holds nothing, for the note (an author or category no article has;
/// dates that leave none, with how many there are without them), or "" when the knowledge
/// base simply has nothing to list. A feed name no feed has is an error.
pub(super) fn why_empty(ctx: &Ctx, kb: &Kb, req: &ListRequest) -> Result<String> {
    ctx.check_feeds(kb, &req.feeds)?;
    let why = ctx.unknown_names(kb, &req.authors, &req.categories)?;
    if !why.is_empty() || (req.since.is_none() && req.until.is_none()) {
        return Ok(why);
    }
    // Nothing in the dates asked for, though there are articles: say how many, so an empty
    // week reads as one, not as an empty knowledge base.
    let without_dates = kb.list(&ListRequest {
        since: None,
        until: None,
        limit: 0,
        offset: 0,
        ..req.clone()
    })?;
    if without_dates.total == 0 {
        return Ok(why);
    }
    Ok(format!(
        "no articles with {}: {} without {}\n",
        super::date_flags(req.since, req.until).join(" "),
        without_dates.total,
        if req.since.is_some() && req.until.is_some() {
            "those dates"
        } else {
            "it"
        }
    ))
}
