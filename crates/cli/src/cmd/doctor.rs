//! `kb doctor`: check the KB directory, say plainly what is wrong and how to fix it.
//!
//! The store checks its own files ([`kb_store::diagnose`]); this command adds the one check
//! that needs parse + clean: replaying the archive exactly as `kb reindex` does and comparing
//! the articles it yields (id -> content hash) with the index's.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::Result;
use kb_store::{Archive, Check, Diagnosis, WriteLock};
use serde::Serialize;

use super::Ctx;
use crate::Reported;
use crate::args::DoctorArgs;
use crate::out::{plural, safe};
use crate::pipeline::{Unreplayable, holds_nothing, logged_articles, map_in_order};

#[derive(Debug, Serialize)]
struct Report<'a> {
    ok: bool,
    checks: &'a [Check],
}

pub fn run(ctx: &Ctx, a: DoctorArgs) -> Result<()> {
    if !ctx.index.join("kb.json").exists() && !ctx.index.join("archive").exists() {
        return Err(kb_store::StoreError::NotFound(ctx.index.clone()).into());
    }
    let mut removed = Vec::new();
    let mut relisted = 0;
    let (mut dropped, mut marked) = (0, 0);
    if a.fix {
        let lock = WriteLock::acquire(&ctx.index, Duration::from_secs(a.wait))?;
        removed = kb_store::remove_leftovers(&ctx.index, &lock)?;
        let old = kb_store::Kb::open_to_salvage(&ctx.index);
        relisted = super::relist::relist_lost(ctx, &lock, old.as_ref())?;
        (dropped, marked) = Archive::at(&ctx.index).mend_log(&lock)?;
    }
    let mut diagnosis = kb_store::diagnose(&ctx.index);
    // The config's noise rules and feed order shape the articles a replay of the archive
    // gives: without them the comparison would report differences that are not there.
    let agree = match &ctx.config.unusable {
        Some(why) => {
            diagnosis.checks.push(Check::fail(
                "config",
                why.as_str(),
                "fix it (`kb sync` refuses it as it is), then run `kb doctor` again",
            ));
            // Not run is not passed: a script reading `ok` must not count it as checked.
            Check::fail(
                "archive and index agree",
                "not compared: the config cannot be read (see above)",
                "fix the config, then run `kb doctor` again",
            )
        }
        None => {
            diagnosis.checks.extend(same_urls(ctx));
            agreement(ctx, &diagnosis)?
        }
    };
    diagnosis.checks.push(agree);
    let checks = &diagnosis.checks;
    let ok = checks.iter().all(|c| c.ok);
    if a.json {
        ctx.out.json(&Report { ok, checks })?;
    } else {
        let mut text = String::new();
        for p in &removed {
            text.push_str(&format!("removed {}\n", p.display()));
        }
        if dropped > 0 {
            text.push_str(&format!(
                "dropped {} of the archive log that said nothing (damaged, torn or repeated)\n",
                plural(dropped, "line")
            ));
        }
        if relisted > 0 {
            text.push_str(&format!(
                "listed {} in the log again\n",
                plural(relisted, "archive object")
            ));
        }
        if marked > 0 {
            text.push_str(&format!(
                "recorded {} as lost (missing or damaged; the index keeps their articles)\n",
                plural(marked, "archived document")
            ));
        }
        // `-q` (`kb doctor -q || alert` from cron): the problems only, nothing when healthy.
        let quiet = ctx.out.quiet;
        for c in checks.iter().filter(|c| !quiet || !c.ok) {
            let mark = if c.ok { "ok  " } else { "FAIL" };
            text.push_str(&format!("{mark} {}: {}\n", c.name, safe(&c.detail, false)));
            if let (false, Some(fix)) = (c.ok, &c.fix) {
                text.push_str(&format!("     fix: {}\n", safe(fix, false)));
            }
        }
        let problems = checks.iter().filter(|c| !c.ok).count();
        if ok {
            if !quiet {
                text.push_str(&format!("{} is healthy\n", ctx.index.display()));
            }
        } else {
            text.push_str(&format!(
                "{problems} problem{} found in {}\n",
                if problems == 1 { "" } else { "s" },
                ctx.index.display()
            ));
        }
        if !text.is_empty() {
            ctx.out.text(&text)?;
        }
    }
    if ok { Ok(()) } else { Err(Reported.into()) }
}

/// Feeds of kb.toml at one URL (listed so by hand, or by an older kb's rewrite after two 301s
/// to one address): every sync fetches it once per feed, and the feed listed later never gets
/// an article (they go to the first listed). One failed check per URL, naming the feeds to
/// remove; nothing when every feed has its own URL.
fn same_urls(ctx: &Ctx) -> Vec<Check> {
    let feeds = &ctx.config.feeds;
    // One pass, keyed as `same_url` compares: the parsed URL without its fragment, or the
    // trimmed text of one that does not parse.
    let mut by_url: Vec<(String, Vec<usize>)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, f) in feeds.iter().enumerate() {
        let key = crate::config::edit::normalized_url(&f.url, false)
            .map_or_else(|| f.url.trim().to_string(), |u| u.to_string());
        match at.get(&key) {
            Some(&k) => by_url[k].1.push(i),
            None => {
                at.insert(key.clone(), by_url.len());
                by_url.push((key, vec![i]));
            }
        }
    }
    let mut checks = Vec::new();
    for (_, group) in by_url {
        let [first, rest @ ..] = group.as_slice() else {
            continue;
        };
        let first = &feeds[*first];
        let others: Vec<&str> = rest.iter().map(|&j| feeds[j].name.as_str()).collect();
        let names = match others.split_last() {
            Some((last, [])) => format!("{} and {last}", first.name),
            Some((last, rest)) => format!("{}, {} and {last}", first.name, rest.join(", ")),
            None => continue,
        };
        let rm: Vec<String> = others.iter().map(|n| format!("`kb feed rm {n}`")).collect();
        checks.push(Check::fail(
            "config",
            kb_fetch::redact_credentials(&format!(
                "feeds {names} have the same url {}: every sync fetches it {} times, and only {} gets its articles",
                first.url,
                others.len() + 1,
                first.name
            ))
            .into_owned(),
            format!(
                "{} (the articles stay in the knowledge base)",
                rm.join(", ")
            ),
        ));
    }
    checks
}

/// Replay the intact archive through parse + clean, as `kb reindex` does, and compare.
fn agreement(ctx: &Ctx, d: &Diagnosis) -> Result<Check> {
    const NAME: &str = "archive and index agree";
    let Some(index) = &d.index_hashes else {
        return Ok(Check::pass(
            NAME,
            "not compared: the index cannot be read (see above)",
        ));
    };
    let rules = ctx.rules()?;
    let archive = Archive::at(&ctx.index);
    // What a rebuilt index would hold of each article, as its writer holds it.
    let mut replay: HashMap<String, kb_store::HeldVersion> = HashMap::new();
    // The replayed articles by what identifies them apart from their guid.
    let mut aliases = kb_store::Aliases::default();
    // Feed -> the ids its latest document (so far in the log) carries.
    let mut latest: HashMap<String, HashSet<String>> = HashMap::new();
    // Articles a relisted document carries: a rebuild keeps the index's version of them where
    // it differs (see reindex.rs), so a difference there is no disagreement.
    let mut from_relisted = HashSet::new();
    // The order the index was last written with, whatever kb.toml this run was given; a KB
    // of an older kb has none stored, and kb.toml's is the best guess.
    let stored = kb_store::FeedStates::load(&ctx.index)
        .unwrap_or_default()
        .feed_order;
    let precedence = match stored {
        stored if stored.is_empty() => ctx.config.feed_precedence(),
        stored => kb_store::FeedPrecedence::new(stored),
    };
    let mut unparsable = Vec::new();
    // Where each article's version last changed in the replay, and where the last lost
    // document stands: as `kb reindex` does, a difference after which a lost document comes
    // is the index holding what that document carried, not the archive being ahead.
    let mut changed_at: HashMap<String, usize> = HashMap::new();
    let mut last_lost = None;
    // Parse and clean on every core (what takes the time: about 36 s for 100 000 articles on
    // one), the replay in log order.
    let entries: Vec<(usize, &kb_store::ArchiveEntry)> = d.entries.iter().enumerate().collect();
    let read = |&(_, e): &(usize, &kb_store::ArchiveEntry)| {
        (!d.lost_objects.contains(&e.sha256)).then(|| logged_articles(&archive, e, &rules))
    };
    let bar = ctx.out.count_bar(entries.len(), "documents compared");
    let replayed = map_in_order(&entries, read, |&(at, e), articles| {
        bar.inc(1);
        let Some(articles) = articles else {
            last_lost = Some(at);
            return Ok::<(), std::convert::Infallible>(());
        };
        match articles {
            // Later documents win, as later upserts do, by the rules the index writer applies
            // (kb_store::next_version: dates kept, the owner's version against a later-listed
            // feed's copy while the owner carries it).
            Ok(articles) => {
                // Under the ids the writer stores them by (kb_store::identify_document: a
                // feed that sent a stored article again under a new guid).
                let Ok(articles) = kb_store::identify_document(
                    &articles,
                    |id| replay.contains_key(id),
                    |_, key| Ok::<_, std::convert::Infallible>(aliases.with_key(key).to_vec()),
                );
                latest.insert(
                    e.feed.clone(),
                    articles.iter().map(|a| a.id.clone()).collect(),
                );
                for a in articles.iter().map(AsRef::as_ref) {
                    if e.relisted {
                        from_relisted.insert(a.id.clone());
                    }
                    let next = match replay.get(&a.id) {
                        None => Cow::Borrowed(a),
                        Some(held) => {
                            let carries = |owner: &str| {
                                Ok::<_, std::convert::Infallible>(
                                    latest.get(owner).is_some_and(|ids| ids.contains(&a.id)),
                                )
                            };
                            match kb_store::next_version(held, a, &precedence, carries) {
                                Ok(Some(next)) => next,
                                Ok(None) | Err(_) => continue,
                            }
                        }
                    };
                    if replay
                        .get(&a.id)
                        .is_none_or(|held| held.hash != next.content_hash)
                    {
                        changed_at.insert(a.id.clone(), at);
                    }
                    replay.insert(
                        a.id.clone(),
                        kb_store::HeldVersion::of(&next, !precedence.is_empty()),
                    );
                    aliases.note(&next);
                }
            }
            // Lost since the objects were checked: as lost.
            Err(Unreplayable::Lost(_)) => last_lost = Some(at),
            Err(Unreplayable::Unparsable(err)) => unparsable.push(format!("{}: {err}", e.source)),
        }
        Ok(())
    });
    // Nothing in the replay fails: it only records what it met.
    let Ok(()) = replayed;
    bar.finish_and_clear();
    let mut only_index: Vec<&String> = index
        .keys()
        .filter(|id| !replay.contains_key(*id))
        .collect();
    // Items of nothing an older kb filed: this kb skips them, so no replay gives them back,
    // and nothing of them is lost. Named apart; `kb reindex` leaves them out.
    let before = only_index.len();
    if before > 0
        && let Ok(kb) = kb_store::Kb::open(&ctx.index)
    {
        only_index.retain(|id| !kb.get(id).is_ok_and(|a| holds_nothing(&a)));
    }
    let empty = before - only_index.len();
    let empty_note = match empty {
        0 => String::new(),
        n => format!(
            "; {} an older kb filed with no title, link, text or enclosure, which `kb reindex` leaves out",
            plural(n, "empty article")
        ),
    };
    let mut only_archive: Vec<&String> = replay
        .keys()
        .filter(|id| !index.contains_key(*id))
        .collect();
    let mut differ: Vec<&String> = replay
        .iter()
        .filter(|(id, held)| {
            let later_lost =
                last_lost.is_some_and(|lost| changed_at.get(*id).is_some_and(|at| lost > *at));
            index.get(*id).is_some_and(|ih| *ih != held.hash)
                && !from_relisted.contains(*id)
                && !later_lost
        })
        .map(|(id, _)| id)
        .collect();
    // Documents recorded as lost (`kb doctor --fix`) leave articles that only the index holds:
    // a known loss, no fault.
    let known_lost = d
        .entries
        .iter()
        .any(|e| e.lost && d.lost_objects.contains(&e.sha256));
    if (only_index.is_empty() || known_lost) && only_archive.is_empty() && differ.is_empty() {
        let mut detail = format!(
            "{}, same ids and content in both",
            plural(index.len(), "article")
        );
        if !only_index.is_empty() {
            detail = format!(
                "{}; {} held only by the index (their archived documents are recorded as lost)",
                plural(index.len(), "article"),
                only_index.len()
            );
        }
        return Ok(Check::pass(NAME, detail + &empty_note));
    }
    only_index.sort();
    only_archive.sort();
    differ.sort();
    let some = |ids: &[&String]| {
        let shown: Vec<&str> = ids.iter().take(5).map(|s| s.as_str()).collect();
        format!(
            "{}{}",
            shown.join(" "),
            if ids.len() > 5 { " …" } else { "" }
        )
    };
    // A sync archives each document before its articles are committed, all at its end: while
    // one runs, the archive being ahead is its work in progress, not a fault to alarm a
    // monitoring job with (nor advice to start a second sync beside it).
    if d.writer_running && only_index.is_empty() && unparsable.is_empty() && d.unlisted.is_empty() {
        return Ok(Check::pass(
            NAME,
            format!(
                "{} indexed; {} archived by the running kb and not committed yet",
                plural(index.len(), "article"),
                plural(only_archive.len() + differ.len(), "article")
            ),
        ));
    }
    let mut detail = Vec::new();
    let mut fix = Vec::new();
    // Objects the log lost: the comparison above is without them, so the index may well be
    // ahead of the log rather than behind, and a reindex now would roll articles back.
    let unlisted = !d.unlisted.is_empty();
    let archive = if unlisted {
        "the logged archive"
    } else {
        "the archive"
    };
    if unlisted {
        fix.push(format!(
            "first list the {} again (see above): {}; then check again",
            plural(d.unlisted.len(), "unlisted archive object"),
            kb_store::RELIST
        ));
    }
    if !only_archive.is_empty() {
        detail.push(format!(
            "{} in the archive {} not in the index ({})",
            plural(only_archive.len(), "article"),
            is_are(only_archive.len()),
            some(&only_archive)
        ));
    }
    if !differ.is_empty() {
        detail.push(format!(
            "{} {} between {archive} and the index ({})",
            plural(differ.len(), "article"),
            if differ.len() == 1 {
                "differs"
            } else {
                "differ"
            },
            some(&differ)
        ));
    }
    if !unlisted && (!only_archive.is_empty() || !differ.is_empty()) {
        // A sync catches up on what an interrupted one archived; an index an older kb wrote
        // under other rules for choosing versions (a teaser it stored) only a rebuild mends.
        fix.push("the archive is ahead of the index: run `kb sync` (after an interrupted or failed sync), else `kb reindex`".to_string());
    }
    if !only_index.is_empty() {
        detail.push(format!(
            "{} cannot be rebuilt from {archive} ({})",
            plural(only_index.len(), "indexed article"),
            some(&only_index)
        ));
        if !unlisted {
            fix.push("their archived documents are lost or damaged (see above): the index still has them, and `kb reindex` keeps them while the old index is intact; once the loss is recorded (the archive objects check's fix), this check passes".to_string());
        }
    }
    if !unparsable.is_empty() {
        detail.push(format!(
            "{} no longer {}: {}",
            plural(unparsable.len(), "archived document"),
            if unparsable.len() == 1 {
                "parses"
            } else {
                "parse"
            },
            unparsable.first().map(String::as_str).unwrap_or("")
        ));
    }
    Ok(Check::fail(
        NAME,
        detail.join("; ") + &empty_note,
        fix.join("; "),
    ))
}

/// The verb after a count: "1 article is", "2 articles are".
fn is_are(n: usize) -> &'static str {
    if n == 1 { "is" } else { "are" }
}
