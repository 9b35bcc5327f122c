//! Per-feed fetch state: validators for conditional GET, last status, the dead flag.
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
    /// When kb last tried the feed.
    #[serde(default)]
    pub last_fetched: Option<DateTime<Utc>>,
    /// HTTP status (or 0 for a file / a network failure) of the last try.
    #[serde(default)]
    pub last_status: Option<u16>,
    /// One-line error of the last try, if it failed.
    #[serde(default)]
    pub last_error: Option<String>,
    /// Set on 410 Gone: later syncs skip the feed until it is re-enabled.
    #[serde(default)]
    pub dead: bool,
}

/// All feed states of a KB, keyed by feed name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedStates {
    /// Feed name -> state.
    pub feeds: BTreeMap<String, FeedState>,
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
        match Self::load(dir) {
            Err(StoreError::Corrupt { .. }) => {
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
