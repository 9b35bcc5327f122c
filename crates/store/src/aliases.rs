//! Articles a feed sends again under a new guid.
//!
//! An article's id follows its guid (kb-parse's `identity`), as the RSS and Atom specs promise
//! and as every reader does. Some feeds break that promise: a generator that makes a fresh
//! `isPermaLink="false"` UUID on every request, a CMS migration that rewrites every guid once.
//! Taken at its word, each such fetch files every post again as a new article: three syncs
//! of one feed made three copies of each post, and a cron job makes one an hour.
//!
//! The rule, one copy of it for the index writer (`kb sync`, `kb reindex`) and for `kb doctor`'s
//! replay of the log, so the three cannot disagree: an article whose id the index does not
//! hold is the **same article as a stored one** of the same feed with the same link, title,
//! publication time (all three present) and text, when the document that brings it does not
//! also carry that stored article (then they are two articles that look alike) and no other
//! article of the document was already taken for it. It is stored under the stored article's
//! id and guid, so it is unchanged. Where several stored articles fit (copies an older kb
//! made), the one with the smallest id is taken: the choice must not depend on the order they
//! were found in.
//!
//! The text is part of it so that two posts are never made one: a feed whose posts share a
//! link, a title and a date (a status page's "Service update", dated by the build) would
//! otherwise have each new post replace the last in the index, and `kb reindex` would replay
//! the same. So a post edited as its guid changes is a new article, and the edited text is
//! what later fetches find; nothing is lost, at the price of one more copy.
//!
//! What it does not do: match a post whose link changes on every fetch too (a tracking
//! parameter) or whose title or date changed with its guid; those stay new articles, as
//! before. And a sync that reads a
//! feed's latest document back from the archive to judge another feed's copy of an article
//! (`LatestLoader`) sees that document's own ids, not aliased ones: a feed that changes its
//! guids, whose posts another, later-listed feed also carries in a differing version, may be
//! judged as no longer carrying them there.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use kb_clean::Article;
use sha2::{Digest, Sha256};

/// What identifies an article apart from its guid: its feed, link, title, publication time
/// and text, hashed (128 bits: a collision would merge two articles, so a wide hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AliasKey([u8; 16]);

impl AliasKey {
    /// The key of `a`; `None` when it lacks a link, a title or a publication time (too little
    /// to call two articles the same).
    pub fn of(a: &Article) -> Option<AliasKey> {
        let url = a.url.as_deref().filter(|u| !u.is_empty())?;
        let published = a.published?;
        if a.title.trim().is_empty() {
            return None;
        }
        let mut h = Sha256::new();
        for part in [
            a.feed.as_bytes(),
            url.as_bytes(),
            a.title.as_bytes(),
            a.text.as_bytes(),
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        h.update(published.timestamp_micros().to_le_bytes());
        let digest = h.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        Some(AliasKey(key))
    }
}

/// A stored article an alias may point to: its id and guid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The stored article's id.
    pub id: String,
    /// Its guid, which the aliased version takes too (the guid is hashed with the content).
    pub guid: Option<String>,
}

/// The stored articles by key, kept up to date as versions are stored.
#[derive(Debug, Default)]
pub struct Aliases {
    by_key: HashMap<AliasKey, Vec<Stored>>,
    key_of: HashMap<String, Option<AliasKey>>,
}

impl Aliases {
    /// `stored` is now the version held of its article: its key replaces the one before.
    pub fn note(&mut self, stored: &Article) {
        let key = AliasKey::of(stored);
        let before = self.key_of.insert(stored.id.clone(), key);
        if before == Some(key) {
            // Same key: only the guid may have changed (it does not, for a kept article).
            if let Some(k) = key
                && let Some(entry) = self
                    .by_key
                    .get_mut(&k)
                    .and_then(|v| v.iter_mut().find(|s| s.id == stored.id))
            {
                entry.guid.clone_from(&stored.guid);
            }
            return;
        }
        if let Some(Some(old)) = before
            && let Some(list) = self.by_key.get_mut(&old)
        {
            list.retain(|s| s.id != stored.id);
            if list.is_empty() {
                self.by_key.remove(&old);
            }
        }
        if let Some(key) = key {
            self.by_key.entry(key).or_default().push(Stored {
                id: stored.id.clone(),
                guid: stored.guid.clone(),
            });
        }
    }

    /// Whether a version of article `id` was noted (its key here is the current one).
    pub fn noted(&self, id: &str) -> bool {
        self.key_of.contains_key(id)
    }

    /// The noted articles with this key.
    pub fn with_key(&self, key: &AliasKey) -> &[Stored] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }
}

/// A document's articles under the ids they are stored by (the rule is in the module docs).
/// `known(id)`: whether the index holds article `id`. `candidates(article, key)`: the stored
/// articles with that key, in any order.
pub fn identify_document<'a, E>(
    articles: &'a [Article],
    known: impl Fn(&str) -> bool,
    mut candidates: impl FnMut(&Article, &AliasKey) -> Result<Vec<Stored>, E>,
) -> Result<Vec<Cow<'a, Article>>, E> {
    let carried: HashSet<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    let mut taken: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(articles.len());
    for a in articles {
        let key = (!known(&a.id)).then(|| AliasKey::of(a)).flatten();
        let Some(key) = key else {
            out.push(Cow::Borrowed(a));
            continue;
        };
        let found = candidates(a, &key)?
            .into_iter()
            .filter(|s| !carried.contains(s.id.as_str()) && !taken.contains(&s.id))
            .min_by(|x, y| x.id.cmp(&y.id));
        match found {
            Some(stored) => {
                out.push(Cow::Owned(
                    a.with_identity(&stored.id, stored.guid.as_deref()),
                ));
                taken.insert(stored.id);
            }
            None => out.push(Cow::Borrowed(a)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn article(id: &str, guid: &str, title: &str) -> Article {
        let a = Article {
            id: String::new(),
            feed: "blog".into(),
            guid: None,
            url: Some("http://blog.test/post".into()),
            title: title.into(),
            author: None,
            categories: Vec::new(),
            published: Some(Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap()),
            updated: None,
            comments: None,
            comments_url: None,
            summary: String::new(),
            text: "the text".into(),
            html: String::new(),
            links: Vec::new(),
            enclosure: None,
            content_hash: String::new(),
        };
        a.with_identity(id, Some(guid))
    }

    fn identify(aliases: &Aliases, doc: &[Article]) -> Vec<String> {
        let known = |id: &str| aliases.noted(id);
        let found = identify_document(doc, known, |_, key| {
            Ok::<_, ()>(aliases.with_key(key).to_vec())
        })
        .unwrap();
        found.iter().map(|a| a.id.clone()).collect()
    }

    #[test]
    fn a_new_guid_for_the_same_post_is_the_stored_article() {
        let mut aliases = Aliases::default();
        let first = article("aaaa", "uuid-1", "Post");
        aliases.note(&first);
        let again = article("bbbb", "uuid-2", "Post");
        let doc = [again];
        let found = identify_document(
            &doc,
            |id| aliases.noted(id),
            |_, key| Ok::<_, ()>(aliases.with_key(key).to_vec()),
        )
        .unwrap();
        assert_eq!(found[0].id, "aaaa");
        assert_eq!(found[0].guid.as_deref(), Some("uuid-1"));
        assert_eq!(
            found[0].content_hash, first.content_hash,
            "an unchanged post"
        );
    }

    #[test]
    fn look_alikes_carried_together_stay_apart() {
        let mut aliases = Aliases::default();
        aliases.note(&article("aaaa", "uuid-1", "Post"));
        // The stored article is in the document too: the new guid is another article.
        let doc = [
            article("aaaa", "uuid-1", "Post"),
            article("bbbb", "uuid-2", "Post"),
        ];
        assert_eq!(identify(&aliases, &doc), ["aaaa", "bbbb"]);
        // Two new guids for one stored article: the first takes it, the second is new.
        let doc = [
            article("cccc", "uuid-3", "Post"),
            article("dddd", "uuid-4", "Post"),
        ];
        assert_eq!(identify(&aliases, &doc), ["aaaa", "dddd"]);
    }

    #[test]
    fn another_title_date_link_or_feed_is_another_article() {
        let mut aliases = Aliases::default();
        aliases.note(&article("aaaa", "uuid-1", "Post"));
        let retitled = article("bbbb", "uuid-2", "Post, edited");
        let mut redated = article("cccc", "uuid-3", "Post");
        redated.published = redated.published.map(|d| d + chrono::Duration::seconds(1));
        let mut relinked = article("dddd", "uuid-4", "Post");
        relinked.url = Some("http://blog.test/post?utm_source=rss".into());
        let mut other_feed = article("eeee", "uuid-5", "Post");
        other_feed.feed = "planet".into();
        let mut undated = article("ffff", "uuid-6", "Post");
        undated.published = None;
        for a in [retitled, redated, relinked, other_feed, undated] {
            let id = a.id.clone();
            assert_eq!(identify(&aliases, &[a]), [id]);
        }
    }

    #[test]
    fn another_text_is_another_article() {
        let mut aliases = Aliases::default();
        aliases.note(&article("aaaa", "uuid-1", "Post"));
        let mut edited = article("bbbb", "uuid-2", "Post");
        edited.text = "another text".into();
        assert_eq!(identify(&aliases, &[edited]), ["bbbb"]);
    }

    #[test]
    fn the_smallest_id_is_taken_whatever_the_order_found() {
        let mut aliases = Aliases::default();
        for id in ["cccc", "aaaa", "bbbb"] {
            aliases.note(&article(id, id, "Post"));
        }
        assert_eq!(
            identify(&aliases, &[article("dddd", "x", "Post")]),
            ["aaaa"]
        );
    }

    #[test]
    fn a_stored_version_moves_its_key() {
        let mut aliases = Aliases::default();
        aliases.note(&article("aaaa", "uuid-1", "Post"));
        aliases.note(&article("aaaa", "uuid-1", "Post, edited"));
        assert_eq!(
            identify(&aliases, &[article("bbbb", "x", "Post")]),
            ["bbbb"]
        );
        assert_eq!(
            identify(&aliases, &[article("cccc", "y", "Post, edited")]),
            ["aaaa"]
        );
    }
}
