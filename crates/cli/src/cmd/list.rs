//! `kb list`: newest first, undated articles last in id order.

use anyhow::Result;
use kb_store::ListRequest;
use serde::Serialize;

use super::{ArticleView, Ctx, day};
use crate::args::ListArgs;
use crate::out::safe;

#[derive(Serialize)]
struct ListJson<'a> {
    total: usize,
    /// As in search and related: the `--offset` this page starts at.
    offset: usize,
    articles: Vec<ArticleView<'a>>,
}

pub fn run(ctx: &Ctx, a: ListArgs) -> Result<()> {
    super::check_dates(a.since, a.until)?;
    let kb = ctx.open_kb()?;
    let req = ListRequest {
        categories: a.category.clone(),
        authors: a.author.clone(),
        feeds: a.feed.clone(),
        since: a.since,
        until: a.until,
        limit: a.limit,
        offset: a.offset,
    };
    let res = kb.list(&req)?;
    let mut why_none = String::new();
    if res.total == 0 {
        ctx.check_feeds(&kb, &a.feed)?;
        why_none = ctx.unknown_names(&kb, &a.author, &a.category)?;
    }
    // Nothing in the dates asked for, though there are articles: say how many, so an empty
    // week reads as one, not as an empty knowledge base.
    if res.total == 0 && why_none.is_empty() && (a.since.is_some() || a.until.is_some()) {
        let without_dates = kb.list(&ListRequest {
            since: None,
            until: None,
            limit: 0,
            offset: 0,
            ..req
        })?;
        if without_dates.total > 0 {
            why_none = format!(
                "no articles with {}: {} without {}\n",
                super::date_flags(a.since, a.until).join(" "),
                without_dates.total,
                if a.since.is_some() && a.until.is_some() {
                    "those dates"
                } else {
                    "it"
                }
            );
        }
    }
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
