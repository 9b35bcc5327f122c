//! The one error type of kb-store.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing a KB directory.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A filesystem operation failed.
    // The OS error is part of the message and deliberately not a `source`: the CLI prints the
    // whole chain on one line, and would print it twice.
    #[error("{action} {path}: {error}{}", io_way_out(.error))]
    Io {
        /// What kb was doing ("reading", "creating", ...).
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// A write ran out of space: a full disk, a quota or a file-size limit. Every write of kb
    /// goes to a temporary file first or through tantivy's commit, so what was stored before
    /// is intact, and the message says so.
    #[error(
        "{action} {path}: {error}; {} and run again (what kb stored before is intact)",
        space_fix(.error)
    )]
    OutOfSpace {
        /// What kb was doing ("writing", ...).
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The OS error, without the temporary file's name.
        error: String,
    },
    /// The directory holds no knowledge base yet.
    #[error("no knowledge base at {0} yet: run `kb sync` first")]
    NotFound(PathBuf),
    /// The directory was written by a kb with another on-disk format.
    #[error("{}", schema_mismatch(path, *found, *expected))]
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
        "the knowledge base at {path} is locked by another process ({holder}){}: wait for it to finish (`--wait SECS` waits longer), or stop it",
        waited_for(*waited_secs)
    )]
    Locked {
        /// The KB directory.
        path: PathBuf,
        /// What the lock file says about its holder.
        holder: String,
        /// How long this process waited for it.
        waited_secs: u64,
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
    /// An archive object is missing or damaged. No advice in the message: only `kb doctor` and
    /// `kb reindex` read objects, and both say what to do next after listing these.
    #[error("archive object {hash} is damaged or missing ({detail})")]
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
    /// Several articles have this URL (feeds that link the same page).
    #[error("{url:?} is the address of {} articles ({}): give the id of the one you mean", ids.len(), ids.join(", "))]
    AmbiguousUrl {
        /// The URL given.
        url: String,
        /// The ids of the articles with it.
        ids: Vec<String>,
    },
    /// The query could not be parsed.
    #[error("bad query: {0}")]
    BadQuery(String),
    /// The query is blank and no filter narrows the search: it would list every article, which
    /// is what listing is for (a script's `kb search "$q"` with `$q` unset lands here).
    #[error(
        "nothing to search for: the query is empty; `kb list` lists the articles, or give a filter (--category, --author, --feed, --since, --until)"
    )]
    EmptyQuery,
    /// The query holds no word: its text is symbols only (`!!!`, `&`), which are not indexed,
    /// so no article could match it.
    #[error("nothing to search for in {0:?}: {why}", why = no_words_why(.0))]
    NoWords(String),
    /// Tantivy failed in a way not covered above: when reading, that is mostly a damaged file.
    #[error(
        "index error ({}): run `kb doctor` to check the knowledge base, `kb reindex` to rebuild its index",
        tantivy_cause(&.0.to_string())
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
    /// What went wrong, without the way out the message ends with: for `kb doctor`, which
    /// gives each finding a fix of its own (and must not send the user to itself).
    pub fn finding(&self) -> String {
        match self {
            StoreError::Io {
                action,
                path,
                error,
            } => format!("{action} {}: {error}", path.display()),
            StoreError::Corrupt { detail, .. } => format!("damaged: {detail}"),
            StoreError::Index(e) => format!("index error: {}", tantivy_cause(&e.to_string())),
            other => other.to_string(),
        }
    }

    /// Whether the request itself is wrong (a query typed wrong) rather than kb or the KB
    /// directory failing: what a command line reports as a usage error.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            StoreError::BadQuery(_) | StoreError::EmptyQuery | StoreError::NoWords(_)
        )
    }

    /// A tantivy error met while kb was `action` `path` (creating an index, writing or
    /// committing it): one that comes of a full disk, a file-size limit or a directory kb may
    /// not write is said as kb says it for its own files, with the cause and the way out
    /// ([`StoreError::OutOfSpace`], or [`StoreError::Io`] with the permissions to check),
    /// never as damage; any other stays a tantivy error.
    pub(crate) fn from_tantivy(
        action: &'static str,
        path: impl Into<PathBuf>,
        e: tantivy::TantivyError,
    ) -> Self {
        match tantivy_os_error(&e) {
            Some(io) if is_out_of_space(&io) || crate::readable::is_unwritable(&io) => {
                StoreError::io(action, path, io)
            }
            _ => StoreError::Index(e),
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        if is_out_of_space(&source) {
            return StoreError::OutOfSpace {
                action,
                path: path.into(),
                error: os_message(&source),
            };
        }
        StoreError::Io {
            action,
            path: path.into(),
            error: source,
        }
    }
}

/// The way out of a failed filesystem operation on the KB directory, by what the OS said: a
/// user can fix permissions themselves; anything else (a directory where kb keeps a file, an
/// I/O error) means the directory is not as kb left it, which is what `kb doctor` examines.
fn io_way_out(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    match e.kind() {
        PermissionDenied => "; check the owner and permissions of the knowledge base directory",
        ReadOnlyFilesystem => "; kb needs to write to the knowledge base directory for this",
        _ => "; run `kb doctor` to check the knowledge base",
    }
}

/// Why a query holds no word to search for: a field with an empty value (`author:""`), only
/// symbols, or only words longer than any the index keeps (64 bytes: a hash, a run of letters
/// pasted without spaces).
fn no_words_why(query: &str) -> &'static str {
    let empty_field = query.match_indices(":\"").any(|(at, _)| {
        let rest = &query[at + 2..];
        rest.find('"')
            .is_some_and(|end| rest[..end].trim().is_empty())
    });
    if empty_field {
        return "a field in it has an empty value (author:\"\"): put what to look for inside the quotes, or leave the field out";
    }
    let long = query
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.len() > 64);
    if long {
        "its words are longer than a word may be in the index (64 bytes: 64 letters of English, 32 of most other alphabets); search for its first letters with a prefix (word*)"
    } else {
        "it holds no letter or digit, and only words are indexed"
    }
}

/// The way out of an out-of-space error: a file-size limit (`ulimit -f`) is raised, not
/// cleared by deleting files.
fn space_fix(os_words: &str) -> &'static str {
    // EFBIG, in the words `os_message` keeps.
    if os_words.contains("(os error 27)") || os_words.contains("File too large") {
        "raise the file-size limit (`ulimit -f`) or free some disk space"
    } else {
        "free some disk space"
    }
}

/// Whether a write failed for want of space: a full disk, a quota or a file-size limit. Public
/// for the CLI's own writes (kb.toml), which must tell this apart the same way.
pub fn is_out_of_space(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
    matches!(e.kind(), StorageFull | QuotaExceeded | FileTooLarge)
}

/// The OS's own words for an out-of-space error. tempfile wraps the OS error with the
/// temporary file's path (`... at path "/kb/archive/objects/df/.tmpAC5aRL"`), a name that
/// means nothing to the user and is gone by the time they read it, and its wrapper does not
/// lead back to the OS error: then the kind says it.
pub(crate) fn os_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
    if let Some(code) = e.raw_os_error() {
        return std::io::Error::from_raw_os_error(code).to_string();
    }
    match e.kind() {
        StorageFull => "No space left on device".to_string(),
        FileTooLarge => "File too large".to_string(),
        QuotaExceeded => "Disk quota exceeded".to_string(),
        _ => e.to_string(),
    }
}

/// The OS error behind a tantivy error, when it carries or names one, as a plain OS error
/// (without tempfile's "at path <temporary name>").
///
/// Tantivy passes OS errors on in several shapes: inside its io variants (wrapped by tempfile,
/// or by another io error), or only as text, in an internal error ("Internal error: 'File too
/// large (os error 27)'", from a segment serializer): then the "(os error N)" that Rust puts
/// after every OS error's text says which.
pub(crate) fn tantivy_os_error(e: &tantivy::TantivyError) -> Option<std::io::Error> {
    use tantivy::TantivyError;
    use tantivy::directory::error::{LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
    let io: Option<&std::io::Error> = match e {
        TantivyError::IoError(io) => Some(io),
        TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. }) => Some(io_error),
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. }) => Some(io_error),
        TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => {
            Some(io_error)
        }
        TantivyError::LockFailure(LockError::IoError(io), _) => Some(io),
        _ => None,
    };
    if let Some(io) = io {
        return Some(plain_os_error(io));
    }
    os_error_in_text(&e.to_string()).map(std::io::Error::from_raw_os_error)
}

/// `e` as the OS error it is or wraps: its code when some error down the chain has one, else
/// its kind with the OS's words for it.
pub(crate) fn plain_os_error(e: &std::io::Error) -> std::io::Error {
    let mut inner: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = inner {
        if let Some(code) = err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::raw_os_error)
        {
            return std::io::Error::from_raw_os_error(code);
        }
        inner = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| {
                io.get_ref()
                    .map(|r| r as &(dyn std::error::Error + 'static))
            })
            .or_else(|| err.source());
    }
    if let Some(code) = os_error_in_text(&e.to_string()) {
        return std::io::Error::from_raw_os_error(code);
    }
    std::io::Error::new(e.kind(), os_message(e))
}

/// N of the last "(os error N)" in `text`.
fn os_error_in_text(text: &str) -> Option<i32> {
    let at = text.rfind("(os error ")?;
    let rest = &text[at + "(os error ".len()..];
    rest.split(')').next()?.parse().ok()
}

/// Longest tantivy error text a message embeds: the cause, not a dump of the damaged file.
const TANTIVY_TEXT_MAX: usize = 160;

/// Tantivy's error text as a short, plain cause for a one-line message.
///
/// Tantivy's own words can mislead (a truncated segment file is "created using old an tantivy
/// version ... Please use tantivy 0.15 or above to recreate the index", but kb made that index
/// and `kb reindex` is the way out) and can be long (a damaged meta.json is quoted whole,
/// escaped: 2.6 KB on one line). Known phrases become the plain cause, naming the file when
/// tantivy does; anything else is cut to [`TANTIVY_TEXT_MAX`] characters.
pub(crate) fn tantivy_cause(text: &str) -> String {
    let file = named_file(text);
    let file = file.as_deref().unwrap_or("an index file");
    if text.contains("Footer magic byte mismatch")
        || text.contains("Please use tantivy")
        || text.contains("smaller than its footer")
        || text.contains("smaller than 4 bytes")
    {
        return format!("{file} is truncated or not a tantivy file");
    }
    if text.contains("Meta file cannot be deserialized") {
        return "meta.json is truncated or not a tantivy file".to_string();
    }
    cap(text, TANTIVY_TEXT_MAX)
}

/// The file tantivy's message names, in any of its ways of naming one.
fn named_file(text: &str) -> Option<String> {
    for (start, end) in [
        ("filepath: \"", '"'),
        ("following file for Read: ", ' '),
        ("(in file `\"", '"'),
    ] {
        if let Some(i) = text.find(start) {
            let rest = &text[i + start.len()..];
            let name = rest.split(end).next().unwrap_or("").trim_end_matches('.');
            if !name.is_empty() {
                return Some(name.to_string());
            }
        }
    }
    None
}

/// `text` cut to at most `max` characters (at a char boundary), "…" marking the cut.
pub(crate) fn cap(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// ", still after waiting 30 s" when there was a wait.
fn waited_for(secs: u64) -> String {
    if secs == 0 {
        String::new()
    } else {
        format!(", still after waiting {secs} s")
    }
}

/// The way out of a format mismatch depends on its direction: an older KB is rebuilt from its
/// archive; a newer one was written by a newer kb, which is the one to use (rebuilding it with
/// this kb would take it back to the old format).
fn schema_mismatch(path: &std::path::Path, found: u32, expected: u32) -> String {
    let path = path.display();
    if found > expected {
        format!(
            "the knowledge base at {path} has format version {found}, written by a newer kb; this kb reads version {expected}: use that newer kb (or upgrade this one)"
        )
    } else {
        format!(
            "the knowledge base at {path} has format version {found}, this kb reads version {expected}: run `kb reindex` to rebuild it from its archive"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tantivy_causes_are_short_and_plain() {
        // A truncated segment file, as the reader's verification reports it.
        let footer = r#"IoError: 'Custom { kind: InvalidData, error: "Footer magic byte mismatch. File corrupted or index was created using old an tantivy version which is not supported anymore. Please use tantivy 0.15 or above to recreate the index." }' happened while opening the following file for Read: 20eb.idx."#;
        assert_eq!(
            tantivy_cause(footer),
            "20eb.idx is truncated or not a tantivy file"
        );
        // The same, as `Index::validate_checksum` reports it.
        let footer = r#"Failed to open file for read: 'IoError { io_error: Custom { kind: InvalidData, error: "Footer magic byte mismatch. File corrupted or index was created using old an tantivy version which is not supported anymore. Please use tantivy 0.15 or above to recreate the index." }, filepath: "20eb.store" }'"#;
        assert_eq!(
            tantivy_cause(footer),
            "20eb.store is truncated or not a tantivy file"
        );
        // A truncated meta.json is quoted whole by tantivy.
        let meta = format!(
            r#"Data corrupted: 'Data corruption (in file `"meta.json"`): Meta file cannot be deserialized. Error("EOF while parsing a string", line: 103, column: 21). Content: "{}"'"#,
            "{\n  \"segments\": [".repeat(200)
        );
        assert_eq!(
            tantivy_cause(&meta),
            "meta.json is truncated or not a tantivy file"
        );
        // Anything else is capped, at a char boundary.
        let long = "é".repeat(500);
        let capped = tantivy_cause(&long);
        assert_eq!(capped.chars().count(), TANTIVY_TEXT_MAX + 1);
        assert!(capped.ends_with('…'));
        assert_eq!(tantivy_cause("short"), "short");
    }

    #[test]
    fn out_of_space_names_the_cause_and_the_way_out_without_temporary_names() {
        #[derive(Debug)]
        struct AtPath(std::io::Error);
        impl std::fmt::Display for AtPath {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{} at path \"/kb/.tmpAC5aRL\"", self.0)
            }
        }
        // Like tempfile's PathError: its source is the OS error's source (none).
        impl std::error::Error for AtPath {}
        // ENOSPC, as tempfile reports it: wrapped with the temporary file's path.
        let enospc = std::io::Error::from_raw_os_error(28);
        let wrapped = std::io::Error::new(enospc.kind(), AtPath(enospc));
        let msg = StoreError::io("writing", "/kb/archive/objects/df/x.zst", wrapped).to_string();
        assert!(msg.starts_with("writing /kb/archive/objects/df/x.zst: No space left on device"));
        assert!(msg.contains("free some disk space and run again"), "{msg}");
        assert!(!msg.contains(".tmp"), "{msg}");
        // EFBIG: a file-size limit is the same story.
        let efbig = std::io::Error::from_raw_os_error(27);
        let msg = StoreError::io("writing", "/kb/x", efbig).to_string();
        assert!(
            msg.contains("File too large (os error 27); raise the file-size limit (`ulimit -f`) or free some disk space"),
            "{msg}"
        );
        // Other errors keep their own words.
        let denied = std::io::Error::from_raw_os_error(13);
        let msg = StoreError::io("writing", "/kb/x", denied).to_string();
        assert!(msg.contains("Permission denied") && !msg.contains("free some"));
    }

    /// Found by the durability probe: a full disk where tantivy creates or commits an index
    /// came out as "index error (An IO error occurred: ... at path .../.tmpXXXX)" with the
    /// advice to reindex, or with tantivy's internal-error wording.
    #[test]
    fn a_full_disk_inside_tantivy_errors_is_said_as_a_full_disk() {
        #[derive(Debug)]
        struct AtPath(std::io::Error);
        impl std::fmt::Display for AtPath {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{} at path \"/kb/tantivy-2/.tmp2UjfbZ\"", self.0)
            }
        }
        impl std::error::Error for AtPath {}
        let enospc = std::io::Error::from_raw_os_error(28);
        let wrapped = std::io::Error::new(enospc.kind(), AtPath(enospc));
        let e = tantivy::TantivyError::IoError(std::sync::Arc::new(wrapped));
        let msg = StoreError::from_tantivy("creating a new index in", "/kb", e).to_string();
        assert_eq!(
            msg,
            "creating a new index in /kb: No space left on device (os error 28); free some disk space and run again (what kb stored before is intact)"
        );
        // Only as text, from a segment serializer.
        let e = tantivy::TantivyError::InternalError("File too large (os error 27)".into());
        let msg = StoreError::from_tantivy("writing the index in", "/kb", e).to_string();
        assert!(
            msg.contains("File too large (os error 27); raise the file-size limit (`ulimit -f`) or free some disk space"),
            "{msg}"
        );
        // A directory kb may not write: its permissions, not damage.
        let e = tantivy::TantivyError::IoError(std::sync::Arc::new(
            std::io::Error::from_raw_os_error(13),
        ));
        let msg = StoreError::from_tantivy("creating a new index in", "/kb", e).to_string();
        assert!(
            msg.contains("Permission denied") && msg.contains("permissions"),
            "{msg}"
        );
        // Anything else stays tantivy's.
        let e = tantivy::TantivyError::InternalError("something else".into());
        assert!(matches!(
            StoreError::from_tantivy("writing the index in", "/kb", e),
            StoreError::Index(_)
        ));
    }

    /// Found by the regression probe: a word over 64 letters (which the index does not keep)
    /// was said to hold "no letter or digit".
    #[test]
    fn a_query_of_overlong_words_says_so() {
        let long = "ab".repeat(35);
        let msg = StoreError::NoWords(long.clone()).to_string();
        assert!(msg.contains("(64 bytes: "), "{msg}");
        let msg = StoreError::NoWords("!!!".into()).to_string();
        assert!(msg.contains("no letter or digit"), "{msg}");
    }
}
