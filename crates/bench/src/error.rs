//! The one error type of the kb-bench library.

use std::path::{Path, PathBuf};

/// What can go wrong generating or reading a corpus.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A file or directory could not be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        /// The operation ("reading", "writing", "creating").
        what: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A corpus manifest is missing a field or is not JSON.
    #[error("corpus manifest {path} is unreadable: {detail}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What the JSON decoder said.
        detail: String,
    },
    /// The corpus spec makes no sense (zero articles, say).
    #[error("bad corpus spec: {0}")]
    BadSpec(String),
}

impl BenchError {
    pub(crate) fn io(what: &'static str, path: &Path, source: std::io::Error) -> BenchError {
        BenchError::Io {
            what,
            path: path.to_path_buf(),
            source,
        }
    }
}
