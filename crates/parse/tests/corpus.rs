//! Every file of the shared corpus (`/work/shared/corpus`: the feedparser test suite and
//! real-world snapshots) goes through `parse`: no panic, bounded time, and, where feedparser's
//! own test header says what it expects (`Expect: entries[0]['title'] == '...'`), agreement
//! on the fields kb has. Skipped when the corpus is absent (it is not part of the repository).
//!
//! Run with `--nocapture` to see the figures.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // Tests may unwrap and report.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kb_parse::{ParseOptions, ParsedFeed, parse};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.is_dir().then_some(dir)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_none_or(|e| e != "md") {
            out.push(path);
        }
    }
}

#[test]
fn corpus_parses_without_panic_in_bounded_time() {
    let Some(dir) = corpus() else {
        println!("corpus absent, skipped");
        return;
    };
    let mut all = Vec::new();
    files(&dir, &mut all);
    let (mut ok, mut errors, mut items) = (0, Vec::new(), 0);
    let mut slowest = (Duration::ZERO, PathBuf::new());
    let mut agreement = Agreement::default();
    for path in &all {
        let bytes = std::fs::read(path).unwrap();
        let started = Instant::now();
        let result = std::panic::catch_unwind(|| parse(&bytes, &ParseOptions::default()));
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, path.clone());
        }
        let result = result.unwrap_or_else(|_| panic!("panic on {}", path.display()));
        match result {
            Ok(feed) => {
                ok += 1;
                items += feed.items.len();
                if let Some(expect) = expectation(&bytes) {
                    agreement.check(path, &expect, &feed);
                }
            }
            Err(err) => errors.push(format!("{}: {err}", rel(&dir, path))),
        }
    }
    println!(
        "corpus: {} files, {ok} parsed ({items} items), {} errors, 0 panics, slowest {:?} ({})",
        all.len(),
        errors.len(),
        slowest.0,
        rel(&dir, &slowest.1)
    );
    for e in &errors {
        println!("  error: {e}");
    }
    agreement.report();
    assert!(all.len() > 300, "corpus incomplete: {} files", all.len());
    assert!(slowest.0 < Duration::from_secs(30), "too slow: {slowest:?}");
}

fn rel(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}

/// The `Expect:` line of a feedparser test file.
fn expectation(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).replace('\0', "");
    let line = head
        .lines()
        .find_map(|l| l.trim().strip_prefix("Expect:"))?;
    Some(line.trim().to_owned())
}

#[derive(Default)]
struct Agreement {
    checked: usize,
    agreed: usize,
    unsupported: usize,
    by_field: std::collections::BTreeMap<String, (usize, usize)>,
    disagreements: Vec<String>,
}

impl Agreement {
    fn check(&mut self, path: &Path, expect: &str, feed: &ParsedFeed) {
        for clause in split_and(expect) {
            let Some((lhs, rhs)) = clause.split_once(" == ") else {
                self.unsupported += 1;
                continue;
            };
            let (Some(field), Some(want)) = (field_of(lhs.trim()), literal(rhs.trim())) else {
                self.unsupported += 1;
                continue;
            };
            let Some(got) = value_of(feed, &field) else {
                self.unsupported += 1;
                continue;
            };
            let same = got.as_deref().map(str::trim) == Some(want.trim());
            self.checked += 1;
            let slot = self.by_field.entry(field.name.clone()).or_default();
            slot.0 += 1;
            if same {
                self.agreed += 1;
                slot.1 += 1;
            } else {
                self.disagreements.push(format!(
                    "{}: {} want {want:?} got {got:?}",
                    path.file_name().unwrap().to_string_lossy(),
                    field.name
                ));
            }
        }
    }

    fn report(&self) {
        println!(
            "feedparser agreement: {}/{} checked clauses agree ({} clauses not comparable)",
            self.agreed, self.checked, self.unsupported
        );
        for (field, (n, ok)) in &self.by_field {
            println!("  {field}: {ok}/{n}");
        }
        for d in &self.disagreements {
            println!("  differs: {d}");
        }
    }
}

/// Split on ` and ` outside string literals.
fn split_and(expr: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quote: Option<char> = None;
    let mut chars = expr.chars().peekable();
    let mut rest = expr;
    while let Some(c) = chars.next() {
        let len = c.len_utf8();
        match quote {
            Some(_) if c == '\\' => {
                parts.last_mut().unwrap().push(c);
                if let Some(n) = chars.next() {
                    parts.last_mut().unwrap().push(n);
                    rest = &rest[len + n.len_utf8()..];
                    continue;
                }
            }
            Some(q) if c == q => quote = None,
            None if c == '\'' || c == '"' => quote = Some(c),
            None if rest.starts_with(" and ") => {
                parts.push(String::new());
                for _ in 0..4 {
                    chars.next();
                }
                rest = &rest[5..];
                continue;
            }
            _ => {}
        }
        parts.last_mut().unwrap().push(c);
        rest = &rest[len..];
    }
    parts
}

struct Field {
    name: String,
    entry: Option<usize>,
    index: usize,
}

/// `entries[0]['title']`, `entries[1]['tags'][0]['term']`, `feed['title']`.
fn field_of(lhs: &str) -> Option<Field> {
    let keys: Vec<&str> = lhs
        .split('[')
        .skip(1)
        .map(|k| k.trim_end_matches(']').trim_matches('\''))
        .collect();
    let (entry, keys) = if lhs.starts_with("entries[") {
        (Some(keys.first()?.parse().ok()?), &keys[1..])
    } else if lhs.starts_with("feed[") {
        (None, &keys[..])
    } else {
        return None;
    };
    let name = match keys {
        [k] => (*k).to_owned(),
        ["author_detail", "name"] => "author".into(),
        ["authors", "0", "name"] => "author".into(),
        ["tags", i, "term"] => {
            return Some(Field {
                name: "tags.term".into(),
                entry,
                index: i.parse().ok()?,
            });
        }
        ["content", "0", "value"] => "content".into(),
        _ => return None,
    };
    Some(Field {
        name,
        entry,
        index: 0,
    })
}

fn value_of(feed: &ParsedFeed, field: &Field) -> Option<Option<String>> {
    let Some(n) = field.entry else {
        return match field.name.as_str() {
            "title" => Some(feed.title.clone()),
            "link" => Some(feed.link.clone()),
            "description" | "subtitle" => Some(feed.description.clone()),
            "language" => Some(feed.language.clone()),
            _ => None,
        };
    };
    let Some(item) = feed.items.get(n) else {
        return Some(None);
    };
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| d.format("(%Y, %-m, %-d, %-H, %-M, %-S)").to_string())
    };
    Some(match field.name.as_str() {
        "title" => item.title.clone(),
        "link" => item.link.clone(),
        "id" | "guid" => item.guid.clone(),
        "author" => item.author.clone(),
        "category" => item.categories.first().cloned(),
        "tags.term" => item.categories.get(field.index).cloned(),
        "description" | "summary" => item.summary_html.clone().or(item.content_html.clone()),
        "content" => item.content_html.clone(),
        "published_parsed" => date(item.published),
        "updated_parsed" => date(item.updated),
        "comments" => item.comments_url.clone(),
        _ => return None,
    })
}

/// A Python literal: a string (with escapes) or a time tuple, cut to its first six numbers.
fn literal(rhs: &str) -> Option<String> {
    if let Some(tuple) = rhs.strip_prefix('(') {
        let nums: Vec<&str> = tuple
            .trim_end_matches(')')
            .split(',')
            .map(str::trim)
            .collect();
        if nums.len() < 6 {
            return None;
        }
        return Some(format!("({})", nums[..6].join(", ")));
    }
    let rhs = rhs.strip_prefix('u').unwrap_or(rhs);
    let quote = rhs.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = rhs.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'u' => out.push(char::from_u32(
                u32::from_str_radix(&take(&mut chars, 4), 16).ok()?,
            )?),
            'x' => out.push(char::from_u32(
                u32::from_str_radix(&take(&mut chars, 2), 16).ok()?,
            )?),
            other => out.push(other),
        }
    }
    Some(out)
}

fn take(chars: &mut std::str::Chars<'_>, n: usize) -> String {
    chars.take(n).collect()
}
