//! Reading an index whose directory kb cannot write to (a read-only mount, a user without
//! write permission): the README promises that every reading command works there.
//!
//! Tantivy takes its meta lock (`.tantivy-meta.lock`) whenever a reader loads the segments
//! meta.json lists, and taking it means opening that file for writing (creating it if need
//! be); on a read-only directory that fails, and with it every search. [`Readable`] wraps the
//! index directory and, when the meta lock cannot be taken *because the directory cannot be
//! written*, goes on without it.
//!
//! Why that is safe: the meta lock only keeps a writer's garbage collection from deleting the
//! files of segments a reader has just read from meta.json but not opened yet. Deleting a file
//! needs write permission on the directory, so:
//! - on a read-only file system nobody deletes anything there (a writer on another, writable
//!   mount of the same directory is the one exception: see the next point);
//! - for a user who may not write the directory, a writer with more rights can; but kb does not
//!   rely on the lock for that race anyway: `Kb::open_index` reads meta.json before and after
//!   opening the readers and opens again unless every segment it opened is still the live one
//!   (a file deleted after it was opened stays readable), which covers a writer in another
//!   process that takes the lock later than ours.
//!
//! Every other lock failure (the lock busy, an I/O error) is tantivy's as before, and so is
//! every other lock (the writer's lock must never be faked: a writer on a read-only KB fails).

use std::io::ErrorKind;
use std::path::Path;
use std::sync::Arc;

use tantivy::Directory;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, META_LOCK, WatchCallback, WatchHandle, WritePtr,
};

/// An index directory whose meta lock may be skipped when the directory cannot be written.
#[derive(Clone, Debug)]
pub(crate) struct Readable {
    inner: Box<dyn Directory>,
}

impl Readable {
    pub(crate) fn new(inner: Box<dyn Directory>) -> Readable {
        Readable { inner }
    }
}

/// The lock file could not be opened for writing because nothing may be written there.
pub(crate) fn is_unwritable(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied
    )
}

impl Directory for Readable {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if lock.filepath == META_LOCK.filepath && is_unwritable(&e) =>
            {
                // Nothing to hold: see the module's comment for why reading on is safe.
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::directory::{INDEX_WRITER_LOCK, RamDirectory};
    use tantivy::schema::{STORED, Schema, TEXT};
    use tantivy::{Index, TantivyDocument, doc};

    /// A directory whose locks fail as a read-only mount's do (or as `kind` says).
    #[derive(Clone, Debug)]
    struct Unlockable {
        ram: RamDirectory,
        kind: ErrorKind,
    }

    impl Directory for Unlockable {
        fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
            self.ram.get_file_handle(path)
        }
        fn delete(&self, path: &Path) -> Result<(), DeleteError> {
            self.ram.delete(path)
        }
        fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
            self.ram.exists(path)
        }
        fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
            self.ram.open_write(path)
        }
        fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
            self.ram.atomic_read(path)
        }
        fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
            self.ram.atomic_write(path, data)
        }
        fn sync_directory(&self) -> std::io::Result<()> {
            self.ram.sync_directory()
        }
        fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
            Err(LockError::wrap_io_error(std::io::Error::from(self.kind)))
        }
        fn watch(&self, cb: WatchCallback) -> tantivy::Result<WatchHandle> {
            self.ram.watch(cb)
        }
    }

    /// An index of one document in `ram`, written while the locks still worked.
    fn one_doc_index(ram: &RamDirectory) {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT | STORED);
        let index = Index::create(ram.clone(), schema.build(), Default::default()).unwrap();
        let mut w = index.writer::<TantivyDocument>(15_000_000).unwrap();
        w.add_document(doc!(title => "read only")).unwrap();
        w.commit().unwrap();
    }

    fn reader_count(dir: Box<dyn Directory>) -> tantivy::Result<u64> {
        let index = Index::open(dir)?;
        Ok(index.reader()?.searcher().num_docs())
    }

    #[test]
    fn a_reader_needs_no_meta_lock_where_nothing_can_be_written() {
        for kind in [ErrorKind::ReadOnlyFilesystem, ErrorKind::PermissionDenied] {
            let ram = RamDirectory::create();
            one_doc_index(&ram);
            let bare = Unlockable {
                ram: ram.clone(),
                kind,
            };
            // What tantivy alone does: the reader fails on the lock.
            let e = reader_count(Box::new(bare.clone())).unwrap_err();
            assert!(e.to_string().contains("Lock"), "{e}");
            // Wrapped, the reader opens and reads.
            assert_eq!(
                reader_count(Box::new(Readable::new(Box::new(bare)))).unwrap(),
                1
            );
        }
    }

    #[test]
    fn other_lock_failures_and_the_writer_lock_stay_failures() {
        let ram = RamDirectory::create();
        one_doc_index(&ram);
        let other = Readable::new(Box::new(Unlockable {
            ram: ram.clone(),
            kind: ErrorKind::Other,
        }));
        assert!(other.acquire_lock(&META_LOCK).is_err());
        let ro = Readable::new(Box::new(Unlockable {
            ram,
            kind: ErrorKind::ReadOnlyFilesystem,
        }));
        assert!(ro.acquire_lock(&META_LOCK).is_ok());
        assert!(ro.acquire_lock(&INDEX_WRITER_LOCK).is_err());
    }
}
