//! `kb reindex`: rebuild the index from the archive alone, offline.
//!
//! Works on a damaged KB: only the archive is needed. Documents that are missing or damaged
//! are named. Articles whose documents are lost but which the old index still holds, intact
//! (its checksums verify), are carried over from it, so a reindex never loses an article the
//! old index had.

use std::time::Duration;

use anyhow::{Context, Result};
use kb_store::{FeedStates, Kb, WriteLock};
use serde::Serialize;

use super::Ctx;
use crate::out::{plural, safe};
use crate::pipeline::{Unreplayable, holds_nothing, logged_articles, map_in_order};

pub fn run(ctx: &Ctx, a: crate::args::ReindexArgs) -> Result<()> {
    // A SIGTERM or SIGINT (a service stopping, Ctrl-C) used to kill the rebuild outright: no
    // word, and its half-built index left for `kb doctor` to fail on until `--fix`.
    let interrupt = super::sync::Interrupt::install(
        "leaving its half-built index (the old one stays live; `kb doctor --fix` or the next reindex removes it)",
    );
    rebuild(
        ctx,
        a.wait,
        if a.json { Report::Json } else { Report::Text },
        Some(&interrupt),
    )
}

/// Err when `interrupt` caught a signal: the rebuild stops, and dropping its writer removes
/// the new index directory.
fn check(interrupt: Option<&super::sync::Interrupt>) -> Result<()> {
    match interrupt.and_then(super::sync::Interrupt::signal) {
        Some(sig) => Err(super::sync::Interrupted(sig, super::sync::Stopped::Reindex).into()),
        None => Ok(()),
    }
}

/// What a rebuild prints on stdout.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// Nothing: a sync that upgrades an older KB first keeps its stdout for its own report.
    None,
    /// The one-line summary.
    Text,
    /// [`ReindexJson`].
    Json,
}

/// `kb reindex --json`: printed also when documents could not be recovered (the command then
/// still fails, with the error on stderr).
#[derive(Serialize)]
struct ReindexJson<'a> {
    index: String,
    articles: u64,
    documents: usize,
    /// The archived documents that are missing or damaged, each with what went wrong.
    unrecovered: &'a [String],
    /// Articles of lost documents carried over from the previous, intact index.
    kept_from_previous_index: usize,
    /// Empty articles (no title, link, text or enclosure) an older kb filed, left out.
    dropped_empty: usize,
    /// Documents `kb doctor --fix` recorded as lost, not replayed.
    known_lost: usize,
    skipped_log_lines: usize,
    /// Where an unreadable feeds.json was moved, if it was.
    feeds_json_set_aside: Option<String>,
}

/// Rebuild the index from the archive, reporting as `report` says; stopped before its switch
/// when `interrupt` catches a signal.
pub fn rebuild(
    ctx: &Ctx,
    wait: u64,
    report: Report,
    interrupt: Option<&super::sync::Interrupt>,
) -> Result<()> {
    let rules = ctx.rules()?;
    if !ctx.index.join("archive").exists() {
        anyhow::bail!(
            "no archive in {}: nothing to rebuild from (run `kb sync` first)",
            ctx.index.display()
        );
    }
    // A signal while it waits for the lock stops it there, not after the wait.
    let stopped = || check(interrupt).is_err();
    let Some(lock) = WriteLock::acquire_unless(&ctx.index, Duration::from_secs(wait), stopped)?
    else {
        check(interrupt)?;
        anyhow::bail!("the rebuild stopped while waiting for the knowledge base's lock");
    };
    check(interrupt)?;
    let archive = kb_store::Archive::at(&ctx.index);
    // The old index, if it is intact (found without kb.json if need be): the last resort for
    // articles whose documents are lost, and the feed each listed-again document is filed under.
    let old = Kb::open_to_salvage(&ctx.index);
    // Objects whose log lines were lost go back in the log first: replaying the log without
    // them would rebuild their articles from older documents.
    let relisted = super::relist::relist_lost(ctx, &lock, old.as_ref())?;
    if relisted > 0 {
        ctx.note(&format!(
            "kb: warning: listed {} in the log again (their lines were lost)",
            plural(relisted, "archive object")
        ));
    }
    check(interrupt)?;
    let (entries, torn) = archive.entries()?;
    let mut writer = Kb::rebuild(&ctx.index, &lock)?;
    // An article that several feeds carry goes to the feed a sync files it under: kb.toml's
    // order, or without a kb.toml listing feeds, the order the index was last written with.
    let stored = FeedStates::load(&ctx.index).unwrap_or_default().feed_order;
    let order = match ctx.config.feed_order() {
        listed if listed.is_empty() => stored,
        listed => listed,
    };
    writer.set_feed_precedence(kb_store::FeedPrecedence::new(order.clone()));
    // The phrase index's frequent pairs, from across the whole archive rather than its oldest
    // articles.
    if let Some(old) = &old {
        writer.choose_frequent_pairs_like(old)?;
    }
    let mut lost = Vec::new();
    let mut known_lost = 0;
    let mut rebuilt = std::collections::HashSet::new();
    // Articles a relisted document carries: its place in the log is a guess.
    let mut from_relisted = std::collections::HashSet::new();
    // Reading, decompressing, parsing and cleaning on every core; storing in log order, so
    // the latest version of an article wins as it did when it was synced.
    let prepare = |e: &kb_store::ArchiveEntry| {
        logged_articles(&archive, e, &rules).map_err(|err| match err {
            Unreplayable::Lost(err) => (
                true,
                format!(
                    "{} ({}): {err}",
                    e.source,
                    e.fetched_at.format("%Y-%m-%d %H:%M")
                ),
            ),
            Unreplayable::Unparsable(err) => (false, format!("{}: {err}", e.source)),
        })
    };
    let mut done = 0;
    // Where in the log each article's version last changed, and where the last document
    // that could not be read stands: a lost document after an article's last change may
    // have carried a later version of it, which the index holds.
    let mut changed_at = std::collections::HashMap::new();
    let mut last_lost = None;
    // With -v each document has its line instead.
    let bar = match ctx.verbose {
        0 => ctx.out.count_bar(entries.len(), "documents replayed"),
        _ => indicatif::ProgressBar::hidden(),
    };
    map_in_order(&entries, prepare, |e, prepared| -> Result<()> {
        check(interrupt)?;
        let at = done;
        done += 1;
        bar.inc(1);
        if ctx.verbose > 0 {
            ctx.note(&format!(
                "[{done}/{}] {} {}",
                entries.len(),
                e.feed,
                e.source
            ));
        }
        match prepared {
            Ok(articles) => {
                // Under the ids a sync stored them by (a feed that changes its guids).
                let articles = writer.identify(&articles)?;
                // In log order every feed's documents are seen: no loader is needed.
                writer.set_latest_document(&e.feed, articles.iter().map(|a| a.id.clone()));
                for art in &articles {
                    check(interrupt)?;
                    if writer.upsert(art)? != kb_store::UpsertOutcome::Unchanged {
                        changed_at.insert(art.id.clone(), at);
                    }
                    rebuilt.insert(art.id.clone());
                    if e.relisted {
                        from_relisted.insert(art.id.clone());
                    }
                }
            }
            // Recorded as lost by `kb doctor --fix`: a known loss, not one to report again.
            Err((true, _)) if e.lost => {
                known_lost += 1;
                last_lost = Some(at);
            }
            Err((gone, l)) => {
                lost.push(l);
                if gone {
                    last_lost = Some(at);
                }
            }
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    let mut kept = 0;
    let mut dropped_empty = 0;
    if let Some(old) = &old {
        let ids = old.article_hashes().unwrap_or_default();
        let differs = |id: &String| {
            ids.get(id)
                .is_some_and(|h| writer.held_hash(id).is_some_and(|r| r != h))
        };
        // A relisted document's place in the log is a guess (its file's time, which a restore
        // may have changed): where an article it carries comes out of the replay other than
        // the index holds it, the index's version stays, as the latest committed.
        let mut guessed: Vec<&String> = from_relisted.iter().filter(|id| differs(id)).collect();
        // Likewise where a document that could not be read comes after the article's last
        // change: the index's version may well be that document's (an edit the rebuild would
        // roll back).
        guessed.extend(changed_at.iter().filter_map(|(id, at)| {
            let later_lost = last_lost.is_some_and(|lost| lost > *at);
            (later_lost && differs(id) && !from_relisted.contains(id)).then_some(id)
        }));
        guessed.sort();
        for id in guessed {
            if let Ok(art) = old.get(id) {
                writer.upsert(&art)?;
            }
        }
        let mut missing: Vec<&String> = ids.keys().filter(|id| !rebuilt.contains(*id)).collect();
        missing.sort();
        for id in missing {
            match old.get(id) {
                // An item of nothing an older kb filed (a blank line in every listing), which
                // this kb skips: nothing of it is lost by leaving it out.
                Ok(art) if holds_nothing(&art) => dropped_empty += 1,
                Ok(art) => {
                    writer.upsert(&art)?;
                    kept += 1;
                }
                Err(_) => {}
            }
        }
    }
    // The last moment to stop: once committed, the new index is live and the rebuild done.
    check(interrupt)?;
    writer.commit().context("cannot commit the rebuilt index")?;
    // The rebuilt index holds the whole log: the next sync has nothing to catch up.
    if let Err(e) = archive.mark_indexed(&lock) {
        ctx.note(&format!("kb: warning: {e}"));
    }
    let set_aside = FeedStates::set_aside_if_damaged(&ctx.index)?;
    // The order the index now holds, for doctor and the next reindex (not when feeds.json was
    // just set aside: a fresh one is the next sync's to write).
    if set_aside.is_none()
        && let Ok(mut states) = FeedStates::load(&ctx.index)
        && states.feed_order != order
    {
        states.feed_order = order;
        states.save(&ctx.index)?;
    }
    drop(lock);
    let kb = Kb::open(&ctx.index)?;
    if report == Report::Json {
        ctx.out.json(&ReindexJson {
            index: ctx.index.display().to_string(),
            articles: kb.count(),
            documents: entries.len(),
            unrecovered: &lost,
            kept_from_previous_index: kept,
            dropped_empty,
            known_lost,
            skipped_log_lines: torn,
            feeds_json_set_aside: set_aside.as_ref().map(|p| p.display().to_string()),
        })?;
    }
    if report == Report::Text && !ctx.out.quiet {
        ctx.out.text(&format!(
            "reindexed {} from {} into {}\n",
            plural(usize::try_from(kb.count()).unwrap_or(usize::MAX), "article"),
            plural(entries.len(), "archived document"),
            ctx.index.display()
        ))?;
    }
    if torn > 0 {
        ctx.note(&format!(
            "kb: warning: skipped {} of the archive log",
            plural(torn, "damaged line")
        ));
    }
    if kept > 0 {
        ctx.note(&format!(
            "kb: warning: kept {} from the previous index whose archived documents are lost",
            plural(kept, "article")
        ));
    }
    if dropped_empty > 0 && !ctx.out.quiet {
        ctx.note(&format!(
            "kb: note: left out {} an older kb filed with no title, link, text or enclosure",
            plural(dropped_empty, "empty article")
        ));
    }
    if known_lost > 0 && !ctx.out.quiet {
        ctx.note(&format!(
            "kb: note: {} recorded as lost by `kb doctor --fix` not replayed",
            plural(known_lost, "archived document")
        ));
    }
    if let Some(p) = set_aside {
        ctx.note(&format!(
            "kb: warning: feeds.json was unreadable and is set aside as {} (the next sync downloads every feed in full)",
            p.display()
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
            "{} could not be recovered (listed above); the rest is indexed{}; `kb sync` archives them again if their feeds still serve them (`kb doctor` shows what is still missing)",
            plural(lost.len(), "archived document"),
            if kept > 0 {
                ", with the articles the previous index still held"
            } else {
                ""
            }
        );
    }
    Ok(())
}
