//! `kb categories` and `kb authors`: names with article counts.

use anyhow::Result;
use kb_store::FacetCount;

use super::Ctx;
use crate::out::safe;

pub fn categories(ctx: &Ctx, json: bool) -> Result<()> {
    let kb = ctx.open_kb()?;
    print(ctx, "categories", &kb.categories()?, json)
}

pub fn authors(ctx: &Ctx, json: bool) -> Result<()> {
    let kb = ctx.open_kb()?;
    print(ctx, "authors", &kb.authors()?, json)
}

fn print(ctx: &Ctx, key: &str, counts: &[FacetCount], json: bool) -> Result<()> {
    if json {
        let mut m = serde_json::Map::new();
        m.insert(key.to_string(), serde_json::to_value(counts)?);
        return ctx.out.json(&m);
    }
    let width = counts
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1);
    let mut s = String::new();
    for c in counts {
        s.push_str(&format!("{:>width$}  {}\n", c.count, safe(&c.name, false)));
    }
    if counts.is_empty() {
        ctx.out.note(&format!("no {key}"));
        return Ok(());
    }
    ctx.out.text(&s)
}
