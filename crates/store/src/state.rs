//! Per-feed fetch state: validators for conditional GET, last status, the dead flag, the
//! document last read for the feed.
//!
//! Kept in `feeds.json`, replaced atomically. The CLI saves new validators only *after* the
//! index commit that covers the articles they vouch for: a crash in between then costs one
//! redundant download, never a skipped article.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::StoreError;
use crate::archive::write_atomic;

/// What kb remembers about one feed between syncs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedState {
    /// `ETag` of the last successful response.
    #[serde(default)]
    pub etag: Option<String>,
    /// `Last-Modified` of the last successful response.
    #[serde(default)]
    pub last_modified: Option<String>,
    /// The URL `etag` and `last_modified` were answered for: the feed's, or the target of its
    /// temporary redirect (the CLI sends them on the request to it). Validators only mean
    /// something to the URL that sent them: sent to another one (the user edited the feed's
    /// url), a server with one ETag scheme site-wide answers 304 and the new feed is never
    /// read. A `feeds.json` of an older kb has none: see [`FeedState::validators_for`].
    #[serde(default)]
    pub url: Option<String>,
    /// When kb last tried the feed.
    #[serde(default)]
    pub last_fetched: Option<DateTime<Utc>>,
    /// HTTP status of the last try: 0 for a network failure, none for a file read.
    #[serde(default)]
    pub last_status: Option<u16>,
    /// One-line error of the last try, if it failed.
    #[serde(default)]
    pub last_error: Option<String>,
    /// Set on 410 Gone: later syncs skip the feed until it is re-enabled, or until its url is
    /// changed (see [`FeedState::dead_at`]).
    #[serde(default)]
    pub dead: bool,
    /// The feed URL that answered 410. Like validators, the verdict belongs to that URL: a feed
    /// whose url the user edits is fetched again. None in a `feeds.json` of an older kb, whose
    /// dead flag then holds for any URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_url: Option<String>,
    /// A server's `Retry-After` longer than one sync waits: no request to the host (name and
    /// port) of `wait_url` before this time, whichever feed of that host it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_until: Option<DateTime<Utc>>,
    /// The URL whose host asked for `wait_until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_url: Option<String>,
    /// The document last read for the feed (from its file, or downloaded in full) whose
    /// articles the index committed: a sync that reads the same bytes again, from the same
    /// place with the same kb and cleaning rules, need not parse them (the CLI checks that
    /// the archive log and the index agree). None in a `feeds.json` of an older kb.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<SeenDocument>,
}

/// A feed document as a sync read it, parsed and cleaned (see [`FeedState::document`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenDocument {
    /// Hex SHA-256 of its bytes: the name of its archive object.
    pub sha256: String,
    /// The ids of the articles it gave, in order, all stored by the commit that followed.
    pub ids: Vec<String>,
    /// [`SeenDocument::digest`] of those articles' content hashes, in the same order. Another
    /// feed's version of one of them may be stored instead (see [`crate::next_version`]),
    /// now or later: then reading the document again may change the index after all.
    pub hashes: String,
    /// Its parse and clean warnings.
    pub warnings: usize,
    /// What read it: kb's version and a digest of the cleaning rules (the CLI makes it).
    /// Another kb or other rules may read the same bytes into other articles.
    pub read_with: String,
    /// The URL it was served from, which its relative links are read against; None for a
    /// file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The `Content-Type` it was served with, whose charset may say how to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

impl SeenDocument {
    /// One digest of a list of content hashes, in order.
    pub fn digest<'a>(hashes: impl IntoIterator<Item = &'a str>) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for hash in hashes {
            h.update(hash.as_bytes());
            h.update(b"\n");
        }
        crate::archive::hex(&h.finalize())
    }
}

impl FeedState {
    /// The stored `(etag, last_modified)` if they were answered for `url`, else none.
    ///
    /// Validators without a URL (saved by an older kb) are not trusted: they may belong to a
    /// URL the feed had before, and trusting them could hide the feed's new address for good,
    /// while dropping them costs one unconditional download.
    pub fn validators_for(&self, url: &str) -> (Option<&str>, Option<&str>) {
        if self.url.as_deref() == Some(url) {
            (self.etag.as_deref(), self.last_modified.as_deref())
        } else {
            (None, None)
        }
    }

    /// Record the validators `url` answered with (replacing any others).
    pub fn set_validators(
        &mut self,
        url: &str,
        etag: Option<String>,
        last_modified: Option<String>,
    ) {
        self.url = Some(url.to_string());
        self.etag = etag;
        self.last_modified = last_modified;
    }

    /// Whether the feed is dead at `url`: marked dead by a 410 from this URL (or by an older
    /// kb, which did not note the URL).
    pub fn dead_at(&self, url: &str) -> bool {
        self.dead && self.dead_url.as_deref().is_none_or(|u| u == url)
    }

    /// Record a 410 Gone from `url`.
    pub fn mark_dead(&mut self, url: &str) {
        self.dead = true;
        self.dead_url = Some(url.to_string());
    }

    /// Forget a 410 (`kb feed enable`, or the feed answered at another URL).
    pub fn clear_dead(&mut self) {
        self.dead = false;
        self.dead_url = None;
    }
}

/// All feed states of a KB, keyed by feed name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedStates {
    /// Feed name -> state.
    pub feeds: BTreeMap<String, FeedState>,
    /// The feeds in kb.toml's order when the index was last written (by a sync or a reindex):
    /// the order that files an article several feeds carry under the first of them
    /// ([`crate::FeedPrecedence`]). Kept so that `kb doctor` and `kb reindex` run without that
    /// kb.toml (from cron in another directory, say) replay the archive as the index was built,
    /// instead of reporting differences that are not there or refiling articles. Empty in a
    /// `feeds.json` of an older kb.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feed_order: Vec<String>,
}

impl FeedStates {
    fn path(dir: &Path) -> PathBuf {
        dir.join("feeds.json")
    }

    /// Load the states of a KB directory (empty when none were saved yet).
    pub fn load(dir: &Path) -> Result<FeedStates, StoreError> {
        let path = Self::path(dir);
        match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| StoreError::Corrupt {
                path: dir.to_path_buf(),
                detail: format!("{} is unreadable: {e}", path.display()),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FeedStates::default()),
            Err(e) => Err(StoreError::io("reading", path, e)),
        }
    }

    /// Move an unreadable `feeds.json` aside (to `feeds.json.damaged`) so syncs work again;
    /// returns where it went, or None when the file was fine or absent. Losing it costs one
    /// unconditional download per feed, never an article (used by `kb reindex`).
    pub fn set_aside_if_damaged(dir: &Path) -> Result<Option<PathBuf>, StoreError> {
        // A directory where the file belongs (a botched restore) is as unreadable.
        let not_a_file = std::fs::metadata(Self::path(dir)).is_ok_and(|m| !m.is_file());
        match Self::load(dir) {
            Err(StoreError::Corrupt { .. }) => {
                let (from, to) = (Self::path(dir), dir.join("feeds.json.damaged"));
                std::fs::rename(&from, &to).map_err(|e| StoreError::io("renaming", &from, e))?;
                Ok(Some(to))
            }
            Err(_) if not_a_file => {
                let (from, to) = (Self::path(dir), dir.join("feeds.json.damaged"));
                std::fs::rename(&from, &to).map_err(|e| StoreError::io("renaming", &from, e))?;
                Ok(Some(to))
            }
            _ => Ok(None),
        }
    }

    /// Save atomically.
    pub fn save(&self, dir: &Path) -> Result<(), StoreError> {
        let path = Self::path(dir);
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| StoreError::io("encoding", &path, std::io::Error::other(e)))?;
        write_atomic(&path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_without_their_url_are_loaded_but_not_used() {
        let dir = tempfile::tempdir().expect("temp dir");
        // feeds.json as kb wrote it before validators carried their URL.
        let old = r#"{"feeds":{"blog":{"etag":"\"v1\"","last_modified":"Mon, 01 Mar 2010 10:00:00 GMT","last_status":200,"dead":false}}}"#;
        std::fs::write(dir.path().join("feeds.json"), old).expect("write");
        let states = FeedStates::load(dir.path()).expect("an old feeds.json loads");
        let blog = &states.feeds["blog"];
        assert_eq!(blog.etag.as_deref(), Some("\"v1\""));
        assert_eq!(blog.validators_for("http://x.example/feed"), (None, None));

        let mut blog = blog.clone();
        blog.set_validators("http://x.example/feed", Some("\"v2\"".into()), None);
        assert_eq!(
            blog.validators_for("http://x.example/feed"),
            (Some("\"v2\""), None)
        );
        assert_eq!(blog.validators_for("http://y.example/feed"), (None, None));
    }

    /// Found by probing `kb sync`: a feed marked dead after a 410 stayed dead after its url
    /// was edited in kb.toml.
    #[test]
    fn the_dead_flag_belongs_to_the_url_that_answered_410() {
        let mut st = FeedState::default();
        st.mark_dead("http://x.example/gone");
        assert!(st.dead_at("http://x.example/gone"));
        assert!(!st.dead_at("http://x.example/newhome"));
        st.clear_dead();
        assert!(!st.dead_at("http://x.example/gone"));
        // An older kb's feeds.json: dead, no URL noted; it stays dead wherever it points.
        let old: FeedState = serde_json::from_str(r#"{"dead":true}"#).expect("parses");
        assert!(old.dead_at("http://x.example/anything"));
    }
}
