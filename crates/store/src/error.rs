//! The one error type of kb-store.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing a KB directory.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A filesystem operation failed.
    // The OS error is part of the message and deliberately not a `source`: the CLI prints the
    // whole chain on one line, and would print it twice.
    #[error("{action} {path}: {error}")]
    Io {
        /// What kb was doing ("reading", "creating", ...).
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// The directory holds no knowledge base yet.
    #[error("no knowledge base at {0} yet: run `kb sync` first")]
    NotFound(PathBuf),
    /// The directory was written by a kb with another on-disk format.
    #[error(
        "the knowledge base at {path} has format version {found}, this kb reads version {expected}: run `kb reindex` to rebuild it from its archive"
    )]
    SchemaMismatch {
        /// The KB directory.
        path: PathBuf,
        /// Version found on disk.
        found: u32,
        /// Version this build understands.
        expected: u32,
    },
    /// Another process holds the write lock.
    #[error(
        "the knowledge base at {path} is locked by another kb process ({holder}): wait for it to finish, or stop it"
    )]
    Locked {
        /// The KB directory.
        path: PathBuf,
        /// What the lock file says about its holder.
        holder: String,
    },
    /// The index, or another file of the KB directory, is damaged or unreadable.
    #[error(
        "the knowledge base at {path} is damaged ({detail}): run `kb doctor` to inspect it or `kb reindex` to rebuild it from the archive"
    )]
    Corrupt {
        /// The KB directory.
        path: PathBuf,
        /// What tantivy or kb found.
        detail: String,
    },
    /// Writing the index failed (disk full, file-size limit, I/O error); nothing of this write
    /// session is kept, the previously committed state is.
    #[error(
        "cannot write the index at {path} ({detail}): the index keeps its previous state; free some disk space and run again"
    )]
    Write {
        /// The KB directory.
        path: PathBuf,
        /// What tantivy reported.
        detail: String,
    },
    /// An archive object is missing or damaged.
    #[error("archive object {hash} is damaged or missing ({detail}): run `kb doctor`")]
    ArchiveObject {
        /// Its SHA-256.
        hash: String,
        /// What went wrong.
        detail: String,
    },
    /// No article matches an id, prefix or URL.
    #[error("no article matches {0:?}: try `kb list` or `kb search` to find its id")]
    UnknownArticle(String),
    /// An id prefix matches several articles.
    #[error("{prefix:?} matches {count} articles: give more characters of the id")]
    AmbiguousId {
        /// The prefix given.
        prefix: String,
        /// How many ids start with it.
        count: usize,
    },
    /// The query could not be parsed.
    #[error("bad query: {0}")]
    BadQuery(String),
    /// Tantivy failed in a way not covered above: when reading, that is mostly a damaged file.
    #[error(
        "index error ({0}): run `kb doctor` to check the knowledge base, `kb reindex` to rebuild its index"
    )]
    Index(tantivy::TantivyError),
}

// By hand rather than `#[from]`: as a `source`, tantivy's message would be printed twice in
// the one-line error (`{err:#}` prints the chain).
impl From<tantivy::TantivyError> for StoreError {
    fn from(e: tantivy::TantivyError) -> Self {
        StoreError::Index(e)
    }
}

impl StoreError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        StoreError::Io {
            action,
            path: path.into(),
            error: source,
        }
    }
}
