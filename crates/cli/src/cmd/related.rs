//! `kb related`: the articles most like another one, printed like search hits.

use anyhow::Result;

use super::Ctx;
use crate::args::RelatedArgs;

pub fn run(ctx: &Ctx, a: RelatedArgs) -> Result<()> {
    let kb = ctx.open_kb()?;
    // Resolve a prefix or URL first, so the output names the full id it compared against.
    let article = ctx.find_article(&kb, &a.id)?;
    let res = kb.related(&article.id, a.limit, a.offset)?;
    // "no matches for ID" read as if the id were unknown (found by probing as a new user).
    let none = format!(
        "nothing related to {}: no other article shares enough of its words, categories, feed or author\n",
        article.id
    );
    super::search::print(ctx, &article.id, a.offset, &res, a.json, &none)
}
