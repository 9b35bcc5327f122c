//! Opening, creating and rebuilding a KB directory.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::archive::write_atomic;
use crate::schema::{self, Fields};
use crate::{Archive, KbWriter, StoreError, WriteLock};

/// On-disk format version. Bump it whenever the schema or analyzers change: an older KB is then
/// refused with a pointer to `kb reindex`, which rebuilds it from the archive.
pub const SCHEMA_VERSION: u32 = 1;

/// `kb.json`: which format this KB has and which index directory is live. Replaced atomically,
/// so a rebuild switches from the old index to the new one in a single rename.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    format: u32,
    index_dir: String,
}

/// An open knowledge base: a reader on its index, and its archive.
pub struct Kb {
    dir: PathBuf,
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    archive: Archive,
}

impl std::fmt::Debug for Kb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kb").field("dir", &self.dir).finish()
    }
}

fn meta_path(dir: &Path) -> PathBuf {
    dir.join("kb.json")
}

fn read_meta(dir: &Path) -> Result<Option<Meta>, StoreError> {
    let path = meta_path(dir);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                path: dir.to_path_buf(),
                detail: format!("{} is unreadable: {e}", path.display()),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io("reading", path, e)),
    }
}

fn write_meta(dir: &Path, meta: &Meta) -> Result<(), StoreError> {
    let json = serde_json::to_vec_pretty(meta)
        .map_err(|e| StoreError::io("encoding", meta_path(dir), std::io::Error::other(e)))?;
    write_atomic(&meta_path(dir), &json)
}

impl Kb {
    /// Open an existing KB for reading.
    pub fn open(dir: &Path) -> Result<Kb, StoreError> {
        let meta = read_meta(dir)?.ok_or_else(|| StoreError::NotFound(dir.to_path_buf()))?;
        if meta.format != SCHEMA_VERSION {
            return Err(StoreError::SchemaMismatch {
                path: dir.to_path_buf(),
                found: meta.format,
                expected: SCHEMA_VERSION,
            });
        }
        Self::open_index(dir, &meta.index_dir)
    }

    /// Open a KB, creating an empty one if the directory holds none. The caller must hold the
    /// write lock, so two processes never create the same KB at once.
    pub fn open_or_create(dir: &Path, _lock: &WriteLock) -> Result<Kb, StoreError> {
        if read_meta(dir)?.is_none() {
            let name = next_index_dir(dir)?;
            create_index(dir, &name)?;
            write_meta(
                dir,
                &Meta {
                    format: SCHEMA_VERSION,
                    index_dir: name,
                },
            )?;
        }
        Self::open(dir)
    }

    fn open_index(dir: &Path, name: &str) -> Result<Kb, StoreError> {
        let path = dir.join(name);
        let corrupt = |detail: String| StoreError::Corrupt {
            path: dir.to_path_buf(),
            detail,
        };
        let index = Index::open_in_dir(&path).map_err(|e| corrupt(e.to_string()))?;
        let (schema, fields) = schema::build();
        if index.schema() != schema {
            return Err(corrupt("its schema differs from this kb's".into()));
        }
        schema::register_analyzers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| corrupt(e.to_string()))?;
        Ok(Kb {
            dir: dir.to_path_buf(),
            index,
            fields,
            reader,
            archive: Archive::new(dir),
        })
    }

    /// The KB directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The archive of raw feed documents.
    pub fn archive(&self) -> &Archive {
        &self.archive
    }

    /// Start writing to the live index.
    pub fn writer(&self, _lock: &WriteLock) -> Result<KbWriter, StoreError> {
        KbWriter::new(self.index.clone(), self.fields, None)
    }

    /// Start a rebuild: a fresh, empty index next to the live one. Nothing changes for readers
    /// until [`KbWriter::commit`] on the returned writer switches `kb.json` to it. Works on a KB
    /// whose index is damaged or of another format, since only the archive is needed.
    pub fn rebuild(dir: &Path, _lock: &WriteLock) -> Result<KbWriter, StoreError> {
        fs::create_dir_all(dir).map_err(|e| StoreError::io("creating", dir, e))?;
        let name = next_index_dir(dir)?;
        let index = create_index(dir, &name)?;
        let (_, fields) = schema::build();
        KbWriter::new(index, fields, Some((dir.to_path_buf(), name)))
    }

    /// Number of articles in the index.
    pub fn count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Reload the reader to see the latest commit.
    pub fn reload(&self) -> Result<(), StoreError> {
        self.reader.reload().map_err(StoreError::from)
    }
}

fn create_index(dir: &Path, name: &str) -> Result<Index, StoreError> {
    let path = dir.join(name);
    if path.exists() {
        // Left over from a rebuild that crashed before switching: never live, safe to drop.
        fs::remove_dir_all(&path).map_err(|e| StoreError::io("removing", &path, e))?;
    }
    fs::create_dir_all(&path).map_err(|e| StoreError::io("creating", &path, e))?;
    let (schema, _) = schema::build();
    let index = Index::create_in_dir(&path, schema)?;
    schema::register_analyzers(&index);
    Ok(index)
}

/// `tantivy-<n+1>` where n is the highest number present, so a rebuild never reuses a live name.
fn next_index_dir(dir: &Path) -> Result<String, StoreError> {
    let mut max = 0u64;
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            if let Some(n) = e
                .file_name()
                .to_str()
                .and_then(|s| s.strip_prefix("tantivy-"))
                .and_then(|s| s.parse::<u64>().ok())
            {
                max = max.max(n);
            }
        }
    }
    Ok(format!("tantivy-{}", max + 1))
}

/// Switch the live index to `name` and remove the others.
pub(crate) fn switch_to(dir: &Path, name: &str) -> Result<(), StoreError> {
    write_meta(
        dir,
        &Meta {
            format: SCHEMA_VERSION,
            index_dir: name.to_string(),
        },
    )?;
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let n = e.file_name();
            let Some(n) = n.to_str() else { continue };
            if n.starts_with("tantivy-") && n != name {
                // Readers that still have the old files open keep them (POSIX unlink semantics).
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(())
}
