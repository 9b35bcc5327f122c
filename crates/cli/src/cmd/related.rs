//! `kb related`: the articles most like another one, printed like search hits.

use anyhow::Result;

use super::Ctx;
use crate::args::RelatedArgs;

pub fn run(ctx: &Ctx, a: RelatedArgs) -> Result<()> {
    let kb = ctx.open_kb()?;
    // Resolve a prefix or URL first, so the output names the full id it compared against.
    let article = ctx.find_article(&kb, &a.id)?;
    let res = kb.related(&article.id, a.limit, a.offset)?;
    super::search::print(ctx, &article.id, a.offset, &res, a.json, "")
}
