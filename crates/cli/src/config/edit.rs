//! Changing `kb.toml` in place (issue 4.1): the user's comments, blank lines, key order and
//! formatting survive every edit kb makes, because the file is edited as a `toml_edit`
//! document, not re-serialized from [`Config`](super::Config). Writes are atomic (a temporary
//! file in the same directory, synced, then renamed over the old one), so a crash or a full
//! disk never leaves a half-written config.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use toml_edit::{
    Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value, value,
};

/// One feed as `kb feed` adds, lists, imports and exports it (and prints with `--json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FeedEntry {
    /// `name`.
    pub name: String,
    /// `url`.
    pub url: String,
    /// `category`, if any.
    pub category: Option<String>,
    /// `timeout_secs`, if any: the one kb-only setting an OPML export carries (`fixture`, a
    /// path on the exporting machine, is not). Left out of `--json` when unset, so the output
    /// keeps the shape it had.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
}

/// `kb.toml` open for editing. Holds the edit lock of the file's directory (see
/// [`EditLock`]) until dropped, so two kb commands editing one config (two `kb feed add`, a
/// `kb feed rm` during a sync's 301 rewrite) take turns instead of one saving over the other's
/// change.
#[derive(Debug)]
pub struct ConfigFile {
    path: PathBuf,
    doc: DocumentMut,
    _lock: Option<EditLock>,
}

/// An advisory lock (flock) on the directory that holds the config file: not on the file
/// itself, which every save replaces with a new file (a lock on the old one would not keep
/// the next editor out), and no lock file beside it. Where it cannot be taken (a directory
/// kb may not open), edits go on without it, as before.
#[derive(Debug)]
struct EditLock {
    _dir: std::fs::File,
}

/// How long an edit waits for another kb command's edit of the same config.
const EDIT_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

impl EditLock {
    fn take(path: &Path) -> Result<Option<EditLock>> {
        let target = link_target(path)?;
        let Ok(dir) = std::fs::File::open(parent_dir(&target)) else {
            return Ok(None);
        };
        let start = std::time::Instant::now();
        loop {
            match dir.try_lock() {
                Ok(()) => return Ok(Some(EditLock { _dir: dir })),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < EDIT_WAIT => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => bail!(
                    "config {} is being edited by another kb command that has not finished in {} s: wait for it (a `kb feed add` checking a slow feed, say), then run again",
                    path.display(),
                    EDIT_WAIT.as_secs()
                ),
                // A file system without locks: edit as before.
                Err(std::fs::TryLockError::Error(_)) => return Ok(None),
            }
        }
    }
}

impl ConfigFile {
    /// Open `path` for editing; a missing file is an empty document (created on save). Waits
    /// for another kb command's edit of it to end (see [`EditLock`]).
    pub fn open(path: &Path) -> Result<ConfigFile> {
        let lock = EditLock::take(path)?;
        ConfigFile::read(path, lock)
    }

    /// Read `path` to look at, not to save: no waiting for another command's edit. For a
    /// sync holding the KB's lock, which must not wait for a `kb feed rm` that waits for it.
    pub fn peek(path: &Path) -> Result<ConfigFile> {
        ConfigFile::read(path, None)
    }

    fn read(path: &Path, lock: Option<EditLock>) -> Result<ConfigFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read config {}", path.display()));
            }
        };
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            anyhow::anyhow!(
                "config {} is invalid: {} (fix it by hand, then retry)",
                path.display(),
                e.to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })?;
        Ok(ConfigFile {
            path: path.to_path_buf(),
            doc,
            _lock: lock,
        })
    }

    /// The feed list: `[[feed]]` tables, or an inline array (`feed = [{ name = ... }]`, valid
    /// TOML that `Config::load` reads, so kb edits it too); an error if `feed` is anything else.
    fn feed_list(&self) -> Result<Option<FeedList<'_>>> {
        match self.doc.get("feed") {
            None => Ok(None),
            Some(Item::ArrayOfTables(a)) => Ok(Some(FeedList::Tables(a))),
            Some(Item::Value(Value::Array(a))) => Ok(Some(FeedList::Inline(a))),
            Some(_) => bail!(self.not_a_list()),
        }
    }

    /// The feed list for a change; a missing one becomes `[[feed]]` tables.
    fn feed_list_mut(&mut self) -> Result<FeedListMut<'_>> {
        if self.doc.get("feed").is_none() {
            self.doc
                .insert("feed", Item::ArrayOfTables(ArrayOfTables::new()));
        }
        let msg = self.not_a_list();
        match self.doc.get_mut("feed") {
            Some(Item::ArrayOfTables(a)) => Ok(FeedListMut::Tables(a)),
            Some(Item::Value(Value::Array(a))) => Ok(FeedListMut::Inline(a)),
            _ => bail!(msg),
        }
    }

    fn not_a_list(&self) -> String {
        format!(
            "config {}: `feed` must be a list of [[feed]] tables (or an array of inline tables) for kb to edit it; rewrite it that way",
            self.path.display()
        )
    }

    /// Each element of the feed list, in file order, as a feed if it names one.
    fn entries(&self) -> Result<Vec<Option<FeedEntry>>> {
        Ok(match self.feed_list()? {
            None => Vec::new(),
            Some(FeedList::Tables(a)) => a.iter().map(|t| entry(t)).collect(),
            Some(FeedList::Inline(a)) => a
                .iter()
                .map(|v| v.as_inline_table().and_then(|t| entry(t)))
                .collect(),
        })
    }

    /// The feeds, in file order (entries without a name or url are left out: `Config::load`
    /// reports those).
    pub fn feeds(&self) -> Result<Vec<FeedEntry>> {
        Ok(self.entries()?.into_iter().flatten().collect())
    }

    /// Append a feed: a `[[feed]]` table, or an inline table where the file lists them so.
    pub fn add(&mut self, feed: &FeedEntry) -> Result<()> {
        if let Some(FeedList::Inline(_)) = self.feed_list()? {
            let mut t = InlineTable::new();
            t.insert("name", feed.name.as_str().into());
            t.insert("url", feed.url.as_str().into());
            if let Some(c) = &feed.category {
                t.insert("category", c.as_str().into());
            }
            if let Some(secs) = feed.timeout_secs.and_then(|s| i64::try_from(s).ok()) {
                t.insert("timeout_secs", secs.into());
            }
            let mut v = Value::InlineTable(t);
            if let FeedListMut::Inline(a) = self.feed_list_mut()? {
                // Laid out like the element before it: one per line stays one per line.
                if let Some(last) = a.iter().last() {
                    *v.decor_mut() = last.decor().clone();
                }
                // A comment after the last element (toml_edit keeps it as the array's
                // trailing text) stays on that element's line, not after the new one.
                let trailing = a.trailing().as_str().unwrap_or("").to_string();
                if let Some(end) = trailing
                    .contains('#')
                    .then(|| trailing.rfind('\n'))
                    .flatten()
                {
                    let own = v.decor().prefix().and_then(|p| p.as_str()).unwrap_or("");
                    let own = own.strip_prefix('\n').unwrap_or(own);
                    let prefix = format!("{}{own}", &trailing[..=end]);
                    v.decor_mut().set_prefix(prefix);
                    a.set_trailing(format!("\n{}", &trailing[end + 1..]));
                }
                a.push_formatted(v);
            }
            return Ok(());
        }
        let mut t = Table::new();
        t["name"] = value(feed.name.as_str());
        t["url"] = value(feed.url.as_str());
        if let Some(c) = &feed.category {
            t["category"] = value(c.as_str());
        }
        if let Some(secs) = feed.timeout_secs.and_then(|s| i64::try_from(s).ok()) {
            t["timeout_secs"] = value(secs);
        }
        // Comments at the very end of the file (toml_edit keeps them apart as the document's
        // trailing text) stay above what kb appends, as the user would expect of a header such
        // as "# my feeds" in an otherwise empty file.
        let trailing = self.doc.trailing().as_str().unwrap_or("").to_string();
        if !trailing.trim().is_empty() {
            let sep = if self.doc.as_table().is_empty() {
                ""
            } else {
                "\n"
            };
            t.decor_mut().set_prefix(format!("{sep}{trailing}"));
            self.doc.set_trailing("");
        } else if !self.doc.as_table().is_empty() || self.feed_list()?.is_some() {
            t.decor_mut().set_prefix("\n");
        }
        if let FeedListMut::Tables(a) = self.feed_list_mut()? {
            a.push(t);
        }
        Ok(())
    }

    /// Remove the feed whose name or url is `key`; returns it, or `None` when there is none.
    pub fn remove(&mut self, key: &str) -> Result<Option<FeedEntry>> {
        let entries = self.entries()?;
        let position = |pred: &dyn Fn(&FeedEntry) -> bool| {
            entries.iter().position(|e| e.as_ref().is_some_and(pred))
        };
        // A name match wins over a url match, so a feed named like another's URL stays reachable.
        let pos = position(&|e| e.name == key).or_else(|| position(&|e| same_url(&e.url, key)));
        let Some(i) = pos else { return Ok(None) };
        let removed = entries.into_iter().nth(i).flatten();
        match self.feed_list_mut()? {
            FeedListMut::Tables(a) => {
                let table = a.remove(i);
                self.keep_leading_comments(&table);
            }
            FeedListMut::Inline(a) => {
                let v = a.remove(i);
                keep_inline_comments(a, i, &v);
            }
        }
        Ok(removed)
    }

    /// Point the feed `name` at `url` (after a permanent redirect). The value's own decoration
    /// (a comment after it on the same line) is kept. Returns false if there is no such feed.
    pub fn set_url(&mut self, name: &str, url: &str) -> Result<bool> {
        let mut tables: Vec<&mut dyn TableLike> = match self.feed_list_mut()? {
            FeedListMut::Tables(a) => a.iter_mut().map(|t| t as &mut dyn TableLike).collect(),
            FeedListMut::Inline(a) => a
                .iter_mut()
                .filter_map(Value::as_inline_table_mut)
                .map(|t| t as &mut dyn TableLike)
                .collect(),
        };
        for t in tables.iter_mut() {
            if t.get("name").and_then(Item::as_str) != Some(name) {
                continue;
            }
            match t.get_mut("url").and_then(Item::as_value_mut) {
                Some(v) => {
                    let decor = v.decor().clone();
                    *v = url.into();
                    *v.decor_mut() = decor;
                }
                None => {
                    t.insert("url", value(url));
                }
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Why the feed `name` is no longer to be moved from `fetched`, the URL a sync fetched it
    /// at, to where that redirected permanently: the user changed its url since (while the
    /// sync ran), which is their choice, or removed the feed. None when kb.toml still lists it
    /// at `fetched`.
    pub fn changed_since(&self, name: &str, fetched: &str) -> Result<Option<String>> {
        Ok(match self.feeds()?.into_iter().find(|f| f.name == name) {
            None => Some(format!("feed {name} was removed from it meanwhile")),
            Some(f) if !same_url(&f.url, fetched) => Some(format!(
                "its url for {name} was changed to {} meanwhile, and stays",
                f.url
            )),
            Some(_) => None,
        })
    }

    /// Point the feed `name` at `to` after a permanent redirect from `from`, unless
    /// [`ConfigFile::changed_since`] says why not (returned; None when it was moved).
    pub fn move_url(&mut self, name: &str, from: &str, to: &str) -> Result<Option<String>> {
        let why = self.changed_since(name, from)?;
        if why.is_none() {
            self.set_url(name, to)?;
        }
        Ok(why)
    }

    /// The comments above a removed table's header are not all its own: above the first feed
    /// they are often the file's header or a section title (`# --- feeds ---`), and nothing in
    /// the text tells those from a note about that one feed. A deleted comment is lost for
    /// good while a stale one is easy to spot and delete, so they all stay: above the table
    /// that followed the removed one in the file, or at the end of the file if it was last.
    /// Blank lines alone only separated the table from what came before, and go with it.
    fn keep_leading_comments(&mut self, removed: &Table) {
        let prefix = removed
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or("");
        if prefix.trim().is_empty() {
            return;
        }
        // Tables kb added in this session have no position yet; they print last.
        let next = removed.position().and_then(|after| {
            let mut next: Option<isize> = None;
            for_each_header_mut(self.doc.as_table_mut(), &mut |t| {
                if let Some(p) = t.position().filter(|p| *p > after) {
                    next = Some(next.map_or(p, |n| n.min(p)));
                }
            });
            next
        });
        match next {
            Some(next) => for_each_header_mut(self.doc.as_table_mut(), &mut |t| {
                if t.position() == Some(next) {
                    let own = t.decor().prefix().and_then(|p| p.as_str()).unwrap_or("");
                    let joined = format!("{prefix}{own}");
                    t.decor_mut().set_prefix(joined);
                }
            }),
            None => {
                let trailing = self.doc.trailing().as_str().unwrap_or("");
                let joined = format!("{prefix}{trailing}");
                self.doc.set_trailing(joined);
            }
        }
    }

    /// Write the document back, atomically; creates the file (and its directory) if missing.
    /// A symlinked kb.toml (kept in a dotfiles repository, say) stays a link: the file it points
    /// to is the one replaced, by a temporary file in that file's directory.
    ///
    /// A file the user write-protected is refused (see [`ConfigFile::check_writable`]).
    pub fn save(&self) -> Result<()> {
        let path = &link_target(&self.path)?;
        let dir = parent_dir(path);
        let fail = || format!("cannot write config {}", path.display());
        std::fs::create_dir_all(&dir).with_context(fail)?;
        let tmp = temp_beside(path, &dir)?;
        refuse_if_protected(path, tmp.as_file())?;
        // Through the file, not tempfile's wrapper, whose errors name the temporary file.
        let written = tmp
            .as_file()
            .write_all(self.doc.to_string().as_bytes())
            .and_then(|()| {
                // Keep the old file's permissions: a config readable only by its owner stays so.
                if let Ok(meta) = std::fs::metadata(path) {
                    let _ = tmp.as_file().set_permissions(meta.permissions());
                }
                tmp.as_file().sync_all()
            });
        if let Err(e) = written {
            if kb_store::is_out_of_space(&e) {
                bail!(
                    "cannot write config {}: {e}; it is unchanged: free some disk space (or raise the file-size limit, `ulimit -f`) and run again",
                    path.display()
                );
            }
            return Err(e).with_context(fail);
        }
        tmp.persist(path).map_err(|e| e.error).with_context(fail)?;
        Ok(())
    }
}

impl ConfigFile {
    /// Whether [`ConfigFile::save`] can be expected to work: the file is not write-protected
    /// and a temporary file can be made next to it. For a command that changes something else
    /// too (`kb feed rm` and the KB's feeds.json), so that it fails before changing anything.
    pub fn check_writable(&self) -> Result<()> {
        let path = &link_target(&self.path)?;
        let dir = parent_dir(path);
        if !dir.is_dir() {
            // `save` creates it; there is no file yet to protect.
            return Ok(());
        }
        let tmp = temp_beside(path, &dir)?;
        refuse_if_protected(path, tmp.as_file())
    }
}

/// The temporary file a new `path` is written to before it replaces the old one, in its
/// directory `dir`. A directory kb may not write is said as such: the error of the temporary
/// file named a random file the user never heard of.
fn temp_beside(path: &Path, dir: &Path) -> Result<tempfile::NamedTempFile> {
    // Named after the config, so one a killed kb left behind says whose it is.
    let prefix = format!(
        ".{}.",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("kb.toml")
    );
    tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| temp_error(path, dir, e))
}

fn temp_error(path: &Path, dir: &Path, e: std::io::Error) -> anyhow::Error {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            anyhow::anyhow!(
                "cannot write config {}: its directory {} is not writable (kb replaces the file through a new one beside it): make the directory writable, or pass --config with a config elsewhere",
                path.display(),
                dir.display()
            )
        }
        _ => anyhow::Error::from(e).context(format!("cannot write config {}", path.display())),
    }
}

/// The directory holding `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Refuse to replace `path` when the user write-protected it (`chmod a-w kb.toml`). The
/// temporary file and rename kb writes through are allowed by the directory's permissions, not
/// the file's, so without this check kb would silently get around a protection `sh` and
/// editors respect. `mine` is a file this process just created: its owner is who kb runs as.
/// Only what is plainly a protection counts (no write bit at all, or none for the owner when
/// kb runs as the owner): a file kb may write through a group it is in is never refused.
fn refuse_if_protected(path: &Path, mine: &std::fs::File) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if !meta.is_file() {
        return Ok(());
    }
    #[cfg(unix)]
    let (protected, mode) = {
        use std::os::unix::fs::MetadataExt;
        let mode = meta.mode() & 0o7777;
        let mine = mine.metadata().is_ok_and(|m| m.uid() == meta.uid());
        (
            mode & 0o222 == 0 || (mine && mode & 0o200 == 0),
            format!("mode {mode:04o}"),
        )
    };
    #[cfg(not(unix))]
    let (protected, mode) = {
        let _ = mine;
        (
            meta.permissions().readonly(),
            "read-only attribute".to_string(),
        )
    };
    if protected {
        bail!(
            "config {} is read-only ({mode}), so kb leaves it as it is: make it writable (`chmod u+w {}`) and run again, or edit it by hand",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// Whether two feed URLs are the same address: compared as parsed URLs (scheme and host in
/// lower case, a default port dropped, `http://host` and `http://host/` alike), since
/// `HTTP://Example.com:80/feed` is the feed `http://example.com/feed` already listed. What does
/// not parse is compared as text, trimmed.
pub fn same_url(a: &str, b: &str) -> bool {
    // A fragment is never sent, and an empty query asks for the same resource.
    match (normalized_url(a, false), normalized_url(b, false)) {
        (Some(a), Some(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

/// `s` parsed as a URL (scheme and host lowercased, a default port dropped, `feed:` read as
/// http as the fetcher reads it), an empty query dropped, and its `#fragment` too unless
/// `fragment`; `None` when it does not parse.
pub fn normalized_url(s: &str, fragment: bool) -> Option<url::Url> {
    url::Url::parse(kb_fetch::from_feed_scheme(s.trim()).trim())
        .ok()
        .map(|mut u| {
            if !fragment {
                u.set_fragment(None);
            }
            if u.query() == Some("") {
                u.set_query(None);
            }
            u
        })
}

/// `path` with its symbolic links followed, even to a file that does not exist yet (a link
/// made before the config was). Renaming over the link itself would replace it with a regular
/// file and leave the file it points to unchanged.
fn link_target(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    // Linux gives up after 40 links (ELOOP); so does kb, instead of looping on a cycle.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)
                    .with_context(|| format!("cannot read the link {}", p.display()))?;
                // A relative link is relative to the directory holding it; `join` keeps an
                // absolute one as it is.
                p = match p.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(p),
        }
    }
    bail!(
        "config {}: too many levels of symbolic links",
        path.display()
    )
}

/// Call `f` on every table of `t`, at any depth, that is written with a `[header]` line (its
/// decor is what the file shows above that line).
fn for_each_header_mut(t: &mut Table, f: &mut dyn FnMut(&mut Table)) {
    for (_, item) in t.iter_mut() {
        match item {
            Item::Table(t) => {
                if !t.is_implicit() && !t.is_dotted() {
                    f(t);
                }
                for_each_header_mut(t, f);
            }
            Item::ArrayOfTables(a) => {
                for t in a.iter_mut() {
                    f(t);
                    for_each_header_mut(t, f);
                }
            }
            _ => {}
        }
    }
}

/// The comments in front of the inline table removed from `a` at `i` (its own line's, or the
/// previous element's, which toml_edit keeps there too) stay, in front of what followed it:
/// kb cannot tell a note about that one feed from the others' (see `keep_leading_comments`).
fn keep_inline_comments(a: &mut Array, i: usize, removed: &Value) {
    let prefix = removed
        .decor()
        .prefix()
        .and_then(|p| p.as_str())
        .unwrap_or("");
    // The indentation after the last line break was the removed element's own.
    let Some(end) = prefix.contains('#').then(|| prefix.rfind('\n')).flatten() else {
        return;
    };
    let head = &prefix[..=end];
    match a.get_mut(i) {
        Some(next) => {
            let own = next.decor().prefix().and_then(|p| p.as_str()).unwrap_or("");
            let joined = format!("{head}{}", own.strip_prefix('\n').unwrap_or(own));
            next.decor_mut().set_prefix(joined);
        }
        None => {
            let own = a.trailing().as_str().unwrap_or("");
            let joined = format!("{head}{}", own.strip_prefix('\n').unwrap_or(own));
            a.set_trailing(joined);
        }
    }
}

/// How the file writes its feed list.
enum FeedList<'a> {
    Tables(&'a ArrayOfTables),
    Inline(&'a Array),
}

enum FeedListMut<'a> {
    Tables(&'a mut ArrayOfTables),
    Inline(&'a mut Array),
}

fn entry(t: &dyn TableLike) -> Option<FeedEntry> {
    Some(FeedEntry {
        name: t.get("name")?.as_str()?.to_string(),
        url: t.get("url")?.as_str()?.to_string(),
        category: t.get("category").and_then(Item::as_str).map(str::to_string),
        timeout_secs: t
            .get("timeout_secs")
            .and_then(Item::as_integer)
            .and_then(|s| u64::try_from(s).ok()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (STYLE.md)
mod tests {
    use super::*;

    const TEXT: &str = "# my feeds\n\n[fetch]\ntimeout_secs = 5 # slow wifi\n\n# the first one\n[[feed]]\nname = \"a\"\nurl = \"http://a.example/feed\" # moved in 2020?\n\n[[feed]]\nname = \"b\"\nurl = \"http://b.example/rss\"\n";

    fn open(text: &str) -> (tempfile::TempDir, ConfigFile) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kb.toml");
        std::fs::write(&path, text).unwrap();
        let cf = ConfigFile::open(&path).unwrap();
        (dir, cf)
    }

    #[test]
    fn urls_are_compared_as_addresses() {
        assert!(same_url(
            "HTTP://Example.COM:80/feed",
            "http://example.com/feed"
        ));
        assert!(same_url("https://example.com", " https://example.com:443/"));
        assert!(!same_url(
            "http://example.com/Feed",
            "http://example.com/feed"
        ));
        assert!(!same_url(
            "http://example.com/feed",
            "https://example.com/feed"
        ));
        assert!(same_url("not a url", " not a url "));
    }

    /// Found by probing `kb feed add`: `…/feed.xml#frag` and `…/comments?` were added next to
    /// the feeds they name.
    #[test]
    fn a_fragment_or_an_empty_query_does_not_make_another_feed() {
        assert!(same_url(
            "http://x.example/sub/feed.xml#frag",
            "http://x.example/sub/feed.xml"
        ));
        assert!(same_url(
            "http://x.example/comments?",
            "http://x.example/comments"
        ));
        assert!(same_url("http://x.example/?#", "http://x.example"));
        // Found by probing doctor: kb.toml listing one feed as `http:`, `feed://` and
        // `feed:http://` fetched it three times, and doctor saw no duplicate.
        assert!(same_url("feed://x.example/f.xml", "http://x.example/f.xml"));
        assert!(same_url(
            "FEED:http://x.example/f.xml",
            "http://x.example/f.xml"
        ));
        assert!(same_url(
            "feed:https://x.example/f.xml",
            "https://X.example/f.xml"
        ));
        assert!(!same_url(
            "http://x.example/feed?cat=3",
            "http://x.example/feed"
        ));
    }

    #[test]
    fn set_url_keeps_comments_and_the_rest_of_the_file() {
        let (_d, mut cf) = open(TEXT);
        assert!(cf.set_url("a", "https://a.example/feed/").unwrap());
        assert!(!cf.set_url("zzz", "http://x/").unwrap());
        assert_eq!(
            cf.doc.to_string(),
            TEXT.replace("http://a.example/feed\"", "https://a.example/feed/\"")
        );
    }

    /// Found by the durability probe: a sync's 301 rewrite overwrote a url edited by hand
    /// while the sync ran.
    #[test]
    fn a_301_moves_only_the_url_that_was_fetched() {
        let (_d, mut cf) = open(TEXT);
        let kept = cf
            .move_url("a", "http://a.example/old", "http://a.example/new")
            .unwrap();
        assert_eq!(
            kept.as_deref(),
            Some("its url for a was changed to http://a.example/feed meanwhile, and stays")
        );
        let kept = cf
            .move_url("gone", "http://a.example/feed", "http://x/")
            .unwrap();
        assert_eq!(
            kept.as_deref(),
            Some("feed gone was removed from it meanwhile")
        );
        assert_eq!(cf.doc.to_string(), TEXT);
        // The same address spelled otherwise is still the one fetched.
        let kept = cf
            .move_url("a", "HTTP://A.example:80/feed", "https://a.example/feed/")
            .unwrap();
        assert_eq!(kept, None);
        assert!(
            cf.doc
                .to_string()
                .contains("url = \"https://a.example/feed/\" # moved in 2020?")
        );
    }

    #[test]
    fn add_and_remove_by_name_or_url() {
        let (_d, mut cf) = open(TEXT);
        cf.add(&FeedEntry {
            name: "c".into(),
            url: "http://c.example/".into(),
            category: Some("Tech/Rust".into()),
            ..FeedEntry::default()
        })
        .unwrap();
        let removed = cf.remove("http://b.example/rss").unwrap().unwrap();
        assert_eq!(removed.name, "b");
        assert!(cf.remove("nope").unwrap().is_none());
        let names: Vec<_> = cf.feeds().unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["a", "c"]);
        let text = cf.doc.to_string();
        assert!(
            text.starts_with("# my feeds\n") && text.contains("# slow wifi"),
            "{text}"
        );
        assert!(text.contains("category = \"Tech/Rust\""), "{text}");
    }

    #[test]
    fn a_missing_file_is_created_on_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("kb.toml");
        let mut cf = ConfigFile::open(&path).unwrap();
        cf.add(&FeedEntry {
            name: "a".into(),
            url: "http://a/".into(),
            ..FeedEntry::default()
        })
        .unwrap();
        cf.save().unwrap();
        let back = ConfigFile::open(&path).unwrap().feeds().unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].url, "http://a/");
    }

    #[test]
    fn a_feed_key_that_is_no_list_is_refused_with_a_way_out() {
        let (_d, mut cf) = open("feed = \"http://a/\"\n");
        let e = cf.set_url("a", "http://b/").unwrap_err().to_string();
        assert!(e.contains("[[feed]]"), "{e}");
    }

    fn feed(name: &str, url: &str) -> FeedEntry {
        FeedEntry {
            name: name.into(),
            url: url.into(),
            ..FeedEntry::default()
        }
    }

    /// Remove `name` from a config holding `text`; the text saved afterwards.
    fn removed(text: &str, name: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kb.toml");
        std::fs::write(&path, text).unwrap();
        let mut cf = ConfigFile::open(&path).unwrap();
        assert_eq!(cf.remove(name).unwrap().unwrap().name, name);
        cf.save().unwrap();
        std::fs::read_to_string(&path).unwrap()
    }

    /// A kb.toml kept in a dotfiles repository and linked into place stays a link: the edit
    /// lands in the file it points to.
    #[cfg(unix)]
    #[test]
    fn a_symlinked_config_is_edited_through_the_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("dotfiles")).unwrap();
        let target = dir.path().join("dotfiles").join("kb.toml");
        std::fs::write(&target, "# mine\n").unwrap();
        let link = dir.path().join("kb.toml");
        std::os::unix::fs::symlink("dotfiles/kb.toml", &link).unwrap();
        let mut cf = ConfigFile::open(&link).unwrap();
        cf.add(&feed("a", "http://a/")).unwrap();
        cf.save().unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        let text = std::fs::read_to_string(&target).unwrap();
        assert!(
            text.starts_with("# mine\n") && text.contains("http://a/"),
            "{text}"
        );
        // No temporary file was left beside the link or the target.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        assert_eq!(
            std::fs::read_dir(dir.path().join("dotfiles"))
                .unwrap()
                .count(),
            1
        );
    }

    /// A header comment directly above the first feed belongs to the file, not to that feed.
    #[test]
    fn rm_keeps_the_header_comment_above_the_first_feed() {
        let text = "# Header comment\n[[feed]]\nname = \"first\"\nurl = \"http://a/\"\n\n[[feed]]\nname = \"second\"\nurl = \"http://b/\"\n";
        assert_eq!(
            removed(text, "first"),
            "# Header comment\n\n[[feed]]\nname = \"second\"\nurl = \"http://b/\"\n"
        );
    }

    /// A section comment (`# --- feeds ---`) and the comments above a later feed stay.
    #[test]
    fn rm_keeps_section_comments_and_the_next_feeds_comments() {
        let text = "# top\n\n[fetch]\ntimeout_secs = 20 # slow\n\n# --- feeds ---\n[[feed]]\nname = \"first\"\nurl = \"http://a/\"\n\n# about the second\n[[feed]]\nname = \"second\" # inline\nurl = \"http://b/\"\n# the end\n";
        assert_eq!(
            removed(text, "first"),
            "# top\n\n[fetch]\ntimeout_secs = 20 # slow\n\n# --- feeds ---\n\n# about the second\n[[feed]]\nname = \"second\" # inline\nurl = \"http://b/\"\n# the end\n"
        );
        // The last feed's comments move to the end of the file, before what was there.
        assert_eq!(
            removed(text, "second"),
            "# top\n\n[fetch]\ntimeout_secs = 20 # slow\n\n# --- feeds ---\n[[feed]]\nname = \"first\"\nurl = \"http://a/\"\n\n# about the second\n# the end\n"
        );
    }

    /// A feed between two others: its comments stay, above the feed that followed it (even a
    /// table of another kind).
    #[test]
    fn rm_of_a_middle_feed_moves_its_comments_to_the_next_table() {
        let text = "[[feed]]\nname = \"a\"\nurl = \"http://a/\"\n\n# --- work ---\n[[feed]]\nname = \"b\"\nurl = \"http://b/\"\n\n[fetch]\ntimeout_secs = 5\n\n[[feed]]\nname = \"c\"\nurl = \"http://c/\"\n";
        assert_eq!(
            removed(text, "b"),
            "[[feed]]\nname = \"a\"\nurl = \"http://a/\"\n\n# --- work ---\n\n[fetch]\ntimeout_secs = 5\n\n[[feed]]\nname = \"c\"\nurl = \"http://c/\"\n"
        );
        // Blank lines alone are a separator, not something to keep.
        assert_eq!(
            removed(text, "c"),
            "[[feed]]\nname = \"a\"\nurl = \"http://a/\"\n\n# --- work ---\n[[feed]]\nname = \"b\"\nurl = \"http://b/\"\n\n[fetch]\ntimeout_secs = 5\n"
        );
    }

    /// `feed = [ { ... } ]` is valid TOML and kb reads it: kb edits it too.
    #[test]
    fn inline_feed_arrays_are_edited_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kb.toml");
        std::fs::write(
            &path,
            "# inline style\nfeed = [\n  { name = \"a\", url = \"http://a/\" }, # first\n  { name = \"b\", url = \"http://b/\" },\n]\n",
        )
        .unwrap();
        let mut cf = ConfigFile::open(&path).unwrap();
        assert!(cf.set_url("a", "https://a.example/").unwrap());
        assert!(!cf.set_url("zzz", "http://x/").unwrap());
        assert_eq!(cf.remove("b").unwrap().unwrap().url, "http://b/");
        cf.add(&FeedEntry {
            category: Some("Tech".into()),
            ..feed("c", "http://c/")
        })
        .unwrap();
        cf.save().unwrap();
        // Its edit lock ends with it; another open in this process would wait for it.
        drop(cf);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "# inline style\nfeed = [\n  { name = \"a\", url = \"https://a.example/\" }, # first\n  { name = \"c\", url = \"http://c/\", category = \"Tech\" },\n]\n"
        );
        let names: Vec<_> = ConfigFile::open(&path)
            .unwrap()
            .feeds()
            .unwrap()
            .into_iter()
            .map(|f| (f.name, f.url, f.category))
            .collect();
        assert_eq!(
            names,
            [
                ("a".into(), "https://a.example/".into(), None),
                ("c".into(), "http://c/".into(), Some("Tech".into()))
            ]
        );
        let config: crate::config::Config = toml::from_str(&text).unwrap();
        assert_eq!(config.feeds.len(), 2);
    }

    #[test]
    fn a_config_directory_kb_may_not_write_is_named() {
        // Found by probing `kb feed add` with a config in a directory kb may not write (as
        // another user: root writes anywhere): the error named the random temporary file.
        let e = temp_error(
            Path::new("ro/kb.toml"),
            Path::new("ro"),
            std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "Permission denied (os error 13) at path \"ro/.tmpybSdTE\"",
            ),
        );
        assert_eq!(
            format!("{e:#}"),
            "cannot write config ro/kb.toml: its directory ro is not writable (kb replaces the file through a new one beside it): make the directory writable, or pass --config with a config elsewhere"
        );
    }
}
