//! The writer lock: one process writes a KB at a time.
//!
//! An advisory OS lock (flock) on `lock` in the KB directory. The kernel drops it when the holder
//! dies, so a lock left by a killed `kb sync` is never stale: the next run simply takes it. The
//! file's content (pid, start time) is only there to name the holder in the error message.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::StoreError;

/// Held while a process writes to the KB; released on drop (or when the process dies).
#[derive(Debug)]
pub struct WriteLock {
    file: File,
    path: PathBuf,
}

impl WriteLock {
    /// Take the lock, waiting up to `wait` for another holder to finish.
    pub fn acquire(dir: &Path, wait: Duration) -> Result<WriteLock, StoreError> {
        Self::acquire_unless(dir, wait, || false)?.ok_or_else(|| {
            StoreError::io(
                "locking",
                dir.join("lock"),
                std::io::ErrorKind::Interrupted.into(),
            )
        })
    }

    /// [`WriteLock::acquire`], giving up (`None`) as soon as `stop` says so while it waits: a
    /// command told to stop (Ctrl-C, a service stopping) must not sit out the wait first.
    pub fn acquire_unless(
        dir: &Path,
        wait: Duration,
        stop: impl Fn() -> bool,
    ) -> Result<Option<WriteLock>, StoreError> {
        let path = dir.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StoreError::io("opening lock file", &path, e))?;
        // A wait too long to add to the clock (`--wait 18446744073709551615`) is forever.
        let deadline = Instant::now().checked_add(wait);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(StoreError::io("locking", &path, e));
                }
            }
            if stop() {
                return Ok(None);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(StoreError::Locked {
                    waited_secs: wait.as_secs(),
                    path: dir.to_path_buf(),
                    holder: describe_holder(&holder),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Best effort: the note only feeds error messages of other processes.
        let note = format!(
            "pid {} since {}",
            std::process::id(),
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
        );
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = file.write_all(note.as_bytes());
        let _ = file.flush();
        Ok(Some(WriteLock { file, path }))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who holds the lock of the KB at `dir` right now, without waiting; None when free.
    /// A note left in the file by a killed process does not count: the kernel released its
    /// lock when it died.
    pub fn holder(dir: &Path) -> Result<Option<String>, StoreError> {
        let path = dir.join("lock");
        // Read-only: flock needs no write access, and `kb doctor` must be able to tell on a
        // KB it may not write (a read-only mount, another user's KB).
        let mut file = match OpenOptions::new().read(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io("opening lock file", &path, e)),
        };
        // Opened read-only, a directory opens (and locks) too: no writer could lock it.
        if file.metadata().is_ok_and(|m| !m.is_file()) {
            return Err(StoreError::io(
                "opening lock file",
                &path,
                std::io::Error::from(std::io::ErrorKind::IsADirectory),
            ));
        }
        match file.try_lock() {
            Ok(()) => {
                let _ = file.unlock();
                Ok(None)
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut note = String::new();
                let _ = file.read_to_string(&mut note);
                Ok(Some(describe_holder(&note)))
            }
            Err(std::fs::TryLockError::Error(e)) => Err(StoreError::io("locking", &path, e)),
        }
    }
}

/// The holder as the lock file's note names it (`pid N since T`), checked where the system
/// lets kb look: a note is left behind by every kb that held the lock, so a lock taken by
/// another program (a backup tool, a stray `flock lock`) showed a dead kb's note as "a running
/// kb" (found by probing).
fn describe_holder(note: &str) -> String {
    let note = note.trim();
    if note.is_empty() {
        return "unknown holder".into();
    }
    let pid = note
        .strip_prefix("pid ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse::<u32>().ok());
    match pid.map(process_name) {
        Some(Running::Other(name)) => format!(
            "another program holds it; its note names pid {}, now `{name}`, not kb",
            pid.unwrap_or_default()
        ),
        Some(Running::Gone) => format!(
            "another program holds it; its note names pid {}, which has ended",
            pid.unwrap_or_default()
        ),
        Some(Running::Kb | Running::Unknown) | None => note.to_string(),
    }
}

/// What runs as a pid, as far as this system tells.
enum Running {
    Kb,
    Other(String),
    Gone,
    Unknown,
}

fn process_name(pid: u32) -> Running {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return Running::Unknown;
    }
    match std::fs::read_to_string(proc.join(pid.to_string()).join("comm")) {
        Ok(comm) => {
            let comm = comm.trim();
            // A kb installed under another name runs as the name this process has.
            let own = std::fs::read_to_string(proc.join("self").join("comm")).unwrap_or_default();
            if comm == "kb" || comm == own.trim() {
                Running::Kb
            } else {
                Running::Other(comm.to_string())
            }
        }
        // Where /proc hides other users' processes (`hidepid`: pid 1 is out of sight too), a
        // pid not shown may run all the same: a root cron's kb.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && proc.join("1").exists() => {
            Running::Gone
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Running::Unknown,
        Err(_) => Running::Unknown,
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_naming_a_process_that_is_not_kb_is_not_taken_for_a_running_kb() {
        // Pid 1 (init, or a container's first process) is no kb: its name is said.
        let first = std::fs::read_to_string("/proc/1/comm").unwrap_or_default();
        let own = std::fs::read_to_string("/proc/self/comm").unwrap_or_default();
        if !first.is_empty() && first.trim() != "kb" && first != own {
            let said = describe_holder("pid 1 since 2026-01-01T00:00:00Z");
            assert!(said.contains("another program holds it"), "{said}");
            let gone = describe_holder("pid 4294967295 since 2026-01-01T00:00:00Z");
            assert!(gone.contains("which has ended"), "{gone}");
        }
        assert_eq!(describe_holder("  "), "unknown holder");
        assert_eq!(describe_holder("odd note"), "odd note");
    }

    /// `kb sync --wait 18446744073709551615` panicked adding the wait to the clock.
    #[test]
    fn a_wait_too_long_for_the_clock_is_forever_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        drop(WriteLock::acquire(dir.path(), Duration::MAX).unwrap());
        let _held = WriteLock::acquire(dir.path(), Duration::MAX).unwrap();
        // A second holder in the same process is refused like another process would be.
        assert!(matches!(
            WriteLock::acquire(dir.path(), Duration::ZERO),
            Err(StoreError::Locked { .. })
        ));
    }
}
