//! `kb reindex`: rebuild the index from the archive alone, offline.

use std::time::Duration;

use anyhow::{Context, Result};
use kb_store::{Kb, WriteLock};

use super::Ctx;
use crate::out::safe;
use crate::pipeline::to_articles;

pub fn run(ctx: &Ctx, a: crate::args::ReindexArgs) -> Result<()> {
    let rules = ctx.rules()?;
    if !ctx.index.join("archive").exists() {
        anyhow::bail!(
            "no archive in {}: nothing to rebuild from (run `kb sync` first)",
            ctx.index.display()
        );
    }
    let lock = WriteLock::acquire(&ctx.index, Duration::from_secs(a.wait))?;
    let archive = kb_store::Archive::at(&ctx.index);
    let (entries, torn) = archive.entries()?;
    let mut writer = Kb::rebuild(&ctx.index, &lock)?;
    let mut lost = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if ctx.verbose > 0 {
            ctx.note(&format!(
                "[{}/{}] {} {}",
                i + 1,
                entries.len(),
                e.feed,
                e.source
            ));
        }
        let raw = match archive.get(&e.sha256) {
            Ok(r) => r,
            Err(err) => {
                lost.push(format!(
                    "{} ({}): {err}",
                    e.source,
                    e.fetched_at.format("%Y-%m-%d %H:%M")
                ));
                continue;
            }
        };
        let source_url = (e.source.starts_with("http://") || e.source.starts_with("https://"))
            .then_some(e.source.as_str());
        match to_articles(
            Some(&e.feed),
            &raw,
            source_url,
            e.content_type.as_deref(),
            &rules,
        ) {
            Ok((_, articles, _)) => {
                for art in &articles {
                    writer.upsert(art)?;
                }
            }
            Err(err) => lost.push(format!("{}: {err}", e.source)),
        }
    }
    let report = writer.commit().context("cannot commit the rebuilt index")?;
    drop(lock);
    let kb = Kb::open(&ctx.index)?;
    if !ctx.out.quiet {
        ctx.out.text(&format!(
            "reindexed {} articles from {} archived documents into {}\n",
            kb.count(),
            entries.len(),
            ctx.index.display()
        ))?;
    }
    let _ = report;
    if torn > 0 {
        ctx.note(&format!(
            "kb: warning: skipped {torn} damaged lines of the archive log"
        ));
    }
    if !lost.is_empty() {
        for l in &lost {
            ctx.note(&format!(
                "kb: warning: could not recover {}",
                safe(l, false)
            ));
        }
        anyhow::bail!(
            "{} archived documents could not be recovered (listed above); the rest is indexed",
            lost.len()
        );
    }
    Ok(())
}
