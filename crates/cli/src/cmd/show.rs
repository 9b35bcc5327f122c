//! `kb show`: one article in full.

use anyhow::Result;

use super::{ArticleView, Ctx, meta_line};
use crate::args::ShowArgs;
use crate::out::safe;

pub fn run(ctx: &Ctx, a: ShowArgs) -> Result<()> {
    let kb = ctx.open_kb()?;
    let art = ctx.find_article(&kb, &a.id)?;
    if a.json {
        return ctx.out.json(&ArticleView::new(&art, true));
    }
    let mut s = String::new();
    s.push_str(&ctx.out.bold(&safe(&art.title, false)));
    s.push('\n');
    s.push_str(&meta_line(
        art.published,
        art.author.as_deref(),
        &art.categories,
    ));
    s.push('\n');
    if let Some(u) = &art.url {
        s.push_str(&safe(u, false));
        s.push('\n');
    }
    if let Some(e) = &art.enclosure {
        s.push_str(&format!("enclosure {}\n", safe(e, false)));
    }
    s.push_str(&format!("id {} · feed {}", art.id, safe(&art.feed, false)));
    if let Some(n) = art.comments {
        s.push_str(&format!(
            " · {}",
            crate::out::plural(usize::try_from(n).unwrap_or(usize::MAX), "comment")
        ));
    }
    s.push_str("\n\n");
    s.push_str(&safe(&art.text, true));
    s.push('\n');
    if !art.links.is_empty() {
        s.push_str("\nLinks:\n");
        for l in &art.links {
            s.push_str(&format!("  {}\n", safe(l, false)));
        }
    }
    ctx.out.text(&s)
}
