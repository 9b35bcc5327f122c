//! Which version of an article the index keeps when another version of it arrives.
//!
//! One pure function, [`next_version`], that the index writer applies to every changed article
//! (`kb sync`, and `kb reindex`, which replays the archive log through the writer) and that
//! `kb doctor` applies in its own replay of the log to predict the index: one copy of the
//! rules, so the three cannot drift apart and doctor never fails a healthy KB.
//!
//! The rules, in order:
//!
//! - **Missing dates and author are kept.** A version without `published`, `updated` or an
//!   author takes the stored version's: a feed whose generator stops sending them has not edited
//!   the post, and an article must not become undated (last in `kb list`, out of `--since`).
//! - **The owner keeps its own version while it still carries the article.** An article that
//!   several feeds carry is filed under the one listed first (see [`FeedPrecedence`]); a
//!   differing copy from a later-listed feed (a category feed's stale copy or excerpt) does not
//!   replace the owner's version while the owner's latest logged document carries the article,
//!   or every sync would swap the two and commit.
//! - **Once the owner no longer carries it, a later-listed feed's version replaces it** (filed
//!   under the owner, so `kb list --feed` stays stable): a correction that only the category
//!   feed still serves is stored. Except an **excerpt**: a version whose text, without a
//!   trailing "…", "[…]" or "Read more", is a strict prefix of the stored text (whitespace
//!   normalised) never replaces the full article.
//! - **Nor does an excerpt from the article's own feed, by its own signs.** A blog that switches
//!   its feed from full posts to summaries (WordPress's "For each post in a feed, include:
//!   Summary") sends every post again, cut short and ending "[…]": stored, each would lose its
//!   text to a teaser. A version whose text ends as excerpts end, and without that ending is
//!   shorter than the stored text and begins as it does, or whose text is empty where the
//!   stored one is not, keeps the stored version. An edit that shortens a post without such an
//!   ending is stored.
//!
//! "The owner's latest logged document" is the last document the archive log holds for that
//! feed at the moment of the upsert: a sync logs each document before upserting its articles,
//! and a replay of the log in order sees the same documents at the same points.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use kb_clean::Article;

use crate::FeedPrecedence;

/// The stored text is compared over at most its first this many bytes (normalised): what a
/// writer holds per article to tell an excerpt. A candidate longer than that, shorter than the
/// stored text and equal to it as far as it is held, counts as an excerpt.
const HELD_TEXT: usize = 1024;

/// What choosing the next version needs of the stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldVersion {
    /// Its content hash.
    pub hash: String,
    /// The feed it is filed under.
    pub feed: String,
    /// Its author, kept for a version that comes without one.
    pub author: Option<String>,
    /// Its publication time, kept for a version that comes without one.
    pub published: Option<DateTime<Utc>>,
    /// Its update time, kept for a version that comes without one.
    pub updated: Option<DateTime<Utc>>,
    /// The start of its normalised text and that text's length, for the excerpt test; `None`
    /// when not held (no feed precedence: no copy is ever compared).
    text: Option<(String, usize)>,
    /// The first [`LEAD`] bytes of its normalised text and the text's length in bytes, as
    /// typed: what tells an excerpt from its own feed, held for every article (a few dozen
    /// bytes, where the text above is a KiB).
    lead: (Box<str>, usize),
}

/// How much of a stored text's normalised start every held version keeps.
const LEAD: usize = 64;

impl HeldVersion {
    /// What is held of `a`; its text only `with_text`.
    pub fn of(a: &Article, with_text: bool) -> HeldVersion {
        HeldVersion {
            hash: a.content_hash.clone(),
            feed: a.feed.clone(),
            author: a.author.clone(),
            published: a.published,
            updated: a.updated,
            text: with_text.then(|| normalized_start(&a.text, HELD_TEXT)),
            lead: (
                normalized_lead(&a.text, LEAD).into_boxed_str(),
                a.text.len(),
            ),
        }
    }

    /// Whether `text` is an excerpt of the held text by its own signs: it ends as excerpts end
    /// and, without that ending, is shorter than the held text and begins as it does; or it
    /// is empty where the held text is not.
    fn cut_short_by(&self, text: &str) -> bool {
        let (lead, len) = (&self.lead.0, self.lead.1);
        let normal = normalized(text);
        if normal.is_empty() {
            return !lead.is_empty();
        }
        let cut = without_tail(&normal);
        cut.len() < normal.len() && begins_shorter(cut, lead, len)
    }

    /// Whether `text` is only an excerpt of the held text.
    fn has_excerpt(&self, text: &str) -> bool {
        let Some((start, len)) = &self.text else {
            return false;
        };
        let normal = normalized(text);
        begins_shorter(without_tail(&normal), start, *len)
    }
}

/// Whether `cut` is shorter than a held text of `len` bytes and begins as it does, as far as
/// its `start` (the first bytes of it, normalised) tells.
fn begins_shorter(cut: &str, start: &str, len: usize) -> bool {
    cut.len() < len
        && if cut.len() <= start.len() {
            start.starts_with(cut)
        } else {
            cut.starts_with(start)
        }
}

/// The version to store when `incoming` arrives for an article the index holds as `held`
/// (the rules are in the module docs): `incoming`, or `incoming` with the held dates and
/// author it lacked, or filed under the held version's feed; `None` when the held version
/// stays (it may differ from `incoming`). `owner_carries(feed)` says whether that feed's latest
/// logged document carries the article; it is asked only when a later-listed feed brings a
/// differing copy.
pub fn next_version<'a, E>(
    held: &HeldVersion,
    incoming: &'a Article,
    precedence: &FeedPrecedence,
    owner_carries: impl FnOnce(&str) -> Result<bool, E>,
) -> Result<Option<Cow<'a, Article>>, E> {
    if incoming.content_hash == held.hash {
        return Ok(None);
    }
    let mut next =
        match incoming.with_missing_from(held.published, held.updated, held.author.as_deref()) {
            Some(filled) => Cow::Owned(filled),
            None => Cow::Borrowed(incoming),
        };
    if precedence.keeps(&held.feed, &next.feed) {
        next = Cow::Owned(next.with_feed(&held.feed));
        if next.content_hash == held.hash
            || held.has_excerpt(&next.text)
            || owner_carries(&held.feed)?
        {
            return Ok(None);
        }
    }
    if next.content_hash == held.hash || held.cut_short_by(&next.text) {
        return Ok(None);
    }
    Ok(Some(next))
}

/// Whitespace runs as one space, none at either end.
fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` bytes of `normalized(text)` (cut at a character boundary) and its whole
/// length, without building all of it: the writer calls this for every article it writes
/// under a feed order, and articles run to hundreds of KiB.
fn normalized_start(text: &str, max: usize) -> (String, usize) {
    let mut start = normalized_lead(text, max);
    // Held for every article a rebuild writes: its capacity, not only its length, counts.
    start.shrink_to_fit();
    let (words, letters) = text
        .split_whitespace()
        .fold((0usize, 0usize), |(n, len), w| (n + 1, len + w.len()));
    // One space between words.
    (start, letters + words.saturating_sub(1))
}

/// The first `max` bytes of `normalized(text)` (cut at a character boundary), reading only as
/// many words as that takes.
fn normalized_lead(text: &str, max: usize) -> String {
    let mut lead = String::with_capacity(max + 1);
    for word in text.split_whitespace() {
        if !lead.is_empty() {
            lead.push(' ');
        }
        lead.push_str(word);
        if lead.len() >= max {
            break;
        }
    }
    truncated(lead, max)
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn truncated(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
    }
    s
}

/// What excerpts end with, after the cut: an ellipsis, a "read more" link's words.
const TAILS: &[&str] = &[
    "[…]",
    "[...]",
    "(more…)",
    "(more...)",
    "…",
    "...",
    "»",
    "→",
    "›",
    "read more",
    "continue reading",
    "keep reading",
    "read the rest",
    "read full article",
    "read the full article",
];

/// `text` without the excerpt tails it ends with (any number, in any order).
fn without_tail(text: &str) -> &str {
    let mut rest = text.trim_end();
    'strip: loop {
        for tail in TAILS {
            let Some(at) = rest.len().checked_sub(tail.len()) else {
                continue;
            };
            if rest.is_char_boundary(at) && rest[at..].eq_ignore_ascii_case(tail) {
                rest = rest[..at].trim_end();
                continue 'strip;
            }
        }
        return rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_held_start_is_the_normalised_texts_start_and_length() {
        let long = "word ".repeat(300);
        let wide = format!("{}\tend", "é ".repeat(600));
        for text in [
            "",
            "   ",
            " one ",
            "a  b\n\nc",
            long.as_str(),
            wide.as_str(),
            &"x".repeat(2000),
        ] {
            for max in [0, 1, 3, 5, 1024] {
                let whole = normalized(text);
                let len = whole.len();
                let held = normalized_start(text, max);
                assert!(
                    held.0.capacity() <= max.max(held.0.len()),
                    "{text:?} at {max}"
                );
                assert_eq!(held, (truncated(whole, max), len), "{text:?} at {max}");
            }
        }
    }

    fn article(feed: &str, text: &str) -> Article {
        let mut a = Article {
            id: "0123456789abcdef".into(),
            feed: feed.into(),
            guid: None,
            url: None,
            title: "T".into(),
            author: Some("Ann".into()),
            categories: Vec::new(),
            published: DateTime::from_timestamp(1_741_690_800, 5),
            updated: None,
            comments: None,
            comments_url: None,
            summary: String::new(),
            text: text.into(),
            html: String::new(),
            links: Vec::new(),
            enclosure: None,
            content_hash: String::new(),
        };
        a = a.with_feed(feed);
        a
    }

    fn order() -> FeedPrecedence {
        FeedPrecedence::new(["main".to_string(), "cat".to_string()])
    }

    fn next(held: &Article, incoming: &Article, carries: bool) -> Option<Article> {
        match next_version(&HeldVersion::of(held, true), incoming, &order(), |_| {
            Ok::<_, ()>(carries)
        }) {
            Ok(next) => next.map(Cow::into_owned),
            Err(()) => unreachable!(),
        }
    }

    #[test]
    fn missing_dates_and_author_are_kept_and_the_result_is_stable() {
        let held = article("main", "Body.");
        let mut bare = held.clone();
        (bare.published, bare.author) = (None, None);
        let bare = bare.with_feed("main");
        // Only the date and author missing: nothing to store.
        assert_eq!(next(&held, &bare, true), None);
        let mut edited = bare.clone();
        edited.text = "Body, edited.".into();
        let edited = edited.with_feed("main");
        let stored = next(&held, &edited, true).expect("an edit is stored");
        assert_eq!(stored.published, held.published);
        assert_eq!(stored.author, held.author);
        assert_eq!(next(&stored, &edited, true), None);
    }

    #[test]
    fn the_owner_keeps_its_version_only_while_it_carries_the_article() {
        let held = article("main", "Original wording.");
        let corrected = article("cat", "Corrected wording.");
        assert_eq!(next(&held, &corrected, true), None);
        let stored = next(&held, &corrected, false).expect("the correction is stored");
        assert_eq!(stored.feed, "main");
        assert_eq!(stored.text, "Corrected wording.");
        // The same copy again: unchanged.
        assert_eq!(next(&stored, &corrected, false), None);
        // A feed listed first takes the article whatever the owner carries.
        let moved = next(&article("cat", "A."), &article("main", "B."), true).expect("taken");
        assert_eq!(moved.feed, "main");
    }

    /// Found by trying a blog that switched its feed to summaries: every post was stored again
    /// as its teaser, and its text could no longer be found.
    #[test]
    fn an_excerpt_from_the_articles_own_feed_keeps_the_full_text() {
        let body = "First paragraph of the post, which runs on for a while to pass the lead. \
                    Second paragraph, longer, with the rest of what the post has to say.";
        let held = article("main", body);
        for excerpt in [
            "First paragraph of the post, which runs on for a while to pass the lead. Second […]",
            "First paragraph of the post, which runs on [...]",
            "First paragraph of the post, which runs on for a while Read more »",
            "First paragraph…",
            "",
            "  ",
        ] {
            assert_eq!(
                next(&held, &article("main", excerpt), true),
                None,
                "{excerpt:?}"
            );
        }
        for edit in [
            // Shorter, but no excerpt's ending: the author cut the post.
            "First paragraph of the post, which runs on for a while to pass the lead.",
            // An ending, but another beginning: a rewrite.
            "A new opening paragraph […]",
            // Longer, with a trailing ellipsis of its own.
            &format!("{body} And more…"),
        ] {
            assert!(
                next(&held, &article("main", edit), true).is_some(),
                "{edit:?}"
            );
        }
        // An article with no text takes the first that comes.
        assert!(
            next(
                &article("main", ""),
                &article("main", "Now a text […]"),
                true
            )
            .is_some()
        );
        // The lead is the normalised text's start, read no further than it needs.
        assert_eq!(normalized_lead("  a \n b  c ", 64), "a b c");
        assert_eq!(normalized_lead(&"word ".repeat(100), 12), "word word wo");
    }

    #[test]
    fn an_excerpt_never_replaces_the_full_article() {
        let held = article(
            "main",
            "First paragraph of the post.\nSecond paragraph, longer.",
        );
        for excerpt in [
            "First paragraph of the post. Second […]",
            "First paragraph of the post. Sec...",
            "First paragraph of the post.\nSecond paragraph, longer Read more »",
            "First paragraph",
            "",
        ] {
            assert_eq!(
                next(&held, &article("cat", excerpt), false),
                None,
                "{excerpt}"
            );
        }
        for not_excerpt in [
            "First paragraph of the post. Second paragraph, longer. And a third.",
            "First paragraph of the post, corrected.",
        ] {
            assert!(
                next(&held, &article("cat", not_excerpt), false).is_some(),
                "{not_excerpt}"
            );
        }
        // Past the held start, the length decides.
        let long = "word ".repeat(400);
        let held = article("main", &long);
        assert_eq!(next(&held, &article("cat", &long[..1500]), false), None);
        assert!(next(&held, &article("cat", &format!("{long} more")), false).is_some());
    }
}
