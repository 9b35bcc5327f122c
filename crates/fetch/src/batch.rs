//! Many feeds at once (issue 4.3): a global limit and a per-host limit, with
//! results handed back as each fetch finishes.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use futures_util::Stream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::{Id, JoinSet};

use crate::{ConcurrencyLimits, FetchError, FetchOutcome, Fetcher, Validators};

/// One feed to fetch in `Fetcher::fetch_all`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchJob {
    /// The feed URL.
    pub url: String,
    /// The stored validators, for a conditional request.
    pub validators: Validators,
    /// This feed's total timeout, if it has its own; else
    /// `FetchOptions::total_timeout`.
    pub timeout: Option<Duration>,
}

impl FetchJob {
    /// An unconditional fetch of `url` with the default timeout.
    pub fn new(url: impl Into<String>) -> FetchJob {
        FetchJob {
            url: url.into(),
            ..FetchJob::default()
        }
    }
}

/// What one finished job yields: its index in the `jobs` vector given to
/// `fetch_all`, and its result.
pub type FetchResult = (usize, Result<FetchOutcome, FetchError>);

/// The results of `Fetcher::fetch_all`, in the order the fetches finish.
///
/// Read it with `recv` (or as a `futures::Stream`). It yields exactly one
/// result per job, then `None`. Dropping it cancels the fetches still running.
#[derive(Debug)]
pub struct FetchAll {
    tasks: JoinSet<FetchResult>,
    /// Which job each task runs, to report a task that died without a result.
    jobs: HashMap<Id, (usize, String)>,
}

impl FetchAll {
    /// The next finished job, or `None` when all have been yielded.
    pub async fn recv(&mut self) -> Option<FetchResult> {
        std::future::poll_fn(|cx| self.poll_result(cx)).await
    }

    /// How many results are still to come.
    pub fn remaining(&self) -> usize {
        self.tasks.len()
    }

    fn poll_result(&mut self, cx: &mut Context<'_>) -> Poll<Option<FetchResult>> {
        match self.tasks.poll_join_next_with_id(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(Ok((id, result)))) => {
                self.jobs.remove(&id);
                Poll::Ready(Some(result))
            }
            Poll::Ready(Some(Err(err))) => {
                // Only a panic gets here (tasks are aborted only on drop); the
                // job still gets its one result so no feed goes missing.
                let (index, url) = self.jobs.remove(&err.id()).unwrap_or_default();
                let detail = if err.is_panic() {
                    "the fetch task panicked".to_string()
                } else {
                    err.to_string()
                };
                Poll::Ready(Some((index, Err(FetchError::Internal { url, detail }))))
            }
        }
    }
}

impl Stream for FetchAll {
    type Item = FetchResult;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<FetchResult>> {
        self.get_mut().poll_result(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.tasks.len(), Some(self.tasks.len()))
    }
}

/// What a run of fetches knows about one host (a name and a port, see
/// `host_key`): its permits, whether it has stopped answering, and whether it
/// asked everyone to wait.
#[derive(Debug)]
pub(crate) struct HostSlot {
    permits: Arc<Semaphore>,
    health: Mutex<Health>,
}

#[derive(Debug, Default)]
struct Health {
    /// The host sent a response (any status) in this run: it is alive, and
    /// a URL of it that stalls says nothing about its other URLs.
    answered: bool,
    /// Attempts that got no answer at all from this host, before any answer.
    silent: u32,
    /// Set once `silent` reached the limit: the host is given up on for the
    /// rest of the run, with the timeout the last silent attempt ran out of.
    down: Option<Duration>,
    /// A `Retry-After` this host sent: no new request to it before then.
    hold_until: Option<tokio::time::Instant>,
    /// A `Retry-After` longer than a run waits (in this run or, as the
    /// caller remembered it, an earlier one): no request to the host at all
    /// before then, and no waiting for it either.
    wait_until: Option<SystemTime>,
}

impl HostSlot {
    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        // Plain counters: one poisoned by a panic elsewhere is still usable.
        self.health
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `(silent attempts, the timeout they ran out of)` once the host is
    /// given up on.
    pub(crate) fn down(&self) -> Option<(u32, Duration)> {
        let h = self.health();
        h.down.map(|after| (h.silent, after))
    }

    /// An attempt got no answer within `after`; true when that gives the
    /// host up (`limit` of them before any answer; 0 never does). A host that
    /// answered is never given up on: many feeds of one site share a host,
    /// and two of them stalling must not fail the rest.
    pub(crate) fn silent(&self, after: Duration, limit: u32) -> bool {
        let mut h = self.health();
        if h.answered {
            return false;
        }
        h.silent += 1;
        if limit > 0 && h.silent >= limit && h.down.is_none() {
            h.down = Some(after);
        }
        h.down.is_some()
    }

    /// The host answered something: it is alive, however slow, for the rest
    /// of the run (an answer that comes after it was given up on lifts that).
    pub(crate) fn answered(&self) {
        let mut h = self.health();
        h.answered = true;
        h.down = None;
    }

    /// The host asked (429 or 503 with `Retry-After`) to be left alone for
    /// `wait`: every request to it waits, not just the one that was told.
    pub(crate) fn hold(&self, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        let mut h = self.health();
        if h.hold_until.is_none_or(|t| t < until) {
            h.hold_until = Some(until);
        }
    }

    /// The host asked not to be asked before `until`, later than this run
    /// waits: its fetches fail at once until then.
    pub(crate) fn wait_until(&self, until: SystemTime) {
        let mut h = self.health();
        if h.wait_until.is_none_or(|t| t < until) {
            h.wait_until = Some(until);
        }
    }

    /// Until when the host asked not to be asked, while that is ahead.
    pub(crate) fn waiting(&self) -> Option<SystemTime> {
        self.health().wait_until.filter(|t| *t > SystemTime::now())
    }

    fn held_until(&self) -> Option<tokio::time::Instant> {
        self.health()
            .hold_until
            .filter(|t| *t > tokio::time::Instant::now())
    }
}

/// The permits one attempt must hold: its host's, then the global one.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    pub(crate) host: Arc<HostSlot>,
    global: Arc<Semaphore>,
}

impl Gate {
    /// Waits for both permits, and first for any `Retry-After` the host
    /// asked for. The host permit comes first: a job waiting for its busy
    /// host must not sit on a global slot another host could use.
    pub(crate) async fn enter(&self) -> [Option<OwnedSemaphorePermit>; 2] {
        loop {
            if let Some(until) = self.host.held_until() {
                tokio::time::sleep_until(until).await;
            }
            // The semaphores are never closed, so acquiring cannot fail.
            let host = self.host.permits.clone().acquire_owned().await.ok();
            // A hold that came while this job waited for its permit applies too.
            if self.host.held_until().is_some() {
                continue;
            }
            let global = self.global.clone().acquire_owned().await.ok();
            return [host, global];
        }
    }
}

/// The concurrency permits of a run of fetches: one global limit and one per
/// host, shared by every fetch made through it. It also remembers, per host,
/// a `Retry-After` that holds every request to it, and whether the host
/// stopped answering (see `FetchOptions::host_silence_limit`).
///
/// A caller that fetches in several rounds (a sync's feeds, then the older
/// pages of each) passes the same limiter to each, so no round can exceed the
/// limits the user set, whatever the others do.
#[derive(Debug, Clone)]
pub struct Limiter {
    global: Arc<Semaphore>,
    per_host: usize,
    /// Created on a host's first fetch; shared by every clone of the limiter.
    hosts: Arc<Mutex<HashMap<String, Arc<HostSlot>>>>,
}

impl Limiter {
    /// Permits for `limits`. Limits of 0 are taken as 1, limits past what a
    /// semaphore holds as its most.
    pub fn new(limits: ConcurrencyLimits) -> Limiter {
        Limiter {
            global: Arc::new(Semaphore::new(permits(limits.global))),
            per_host: permits(limits.per_host),
            hosts: Arc::default(),
        }
    }

    /// The gate of `url`'s host (name and port).
    pub(crate) fn gate(&self, url: &str) -> Gate {
        Gate {
            host: self.host(url),
            global: self.global.clone(),
        }
    }

    /// No request to `url`'s host (name and port) before `until`, which is
    /// taken as at most `MAX_HOST_WAIT` from now: its fetches fail at once
    /// with `FetchError::HostWaiting` until then. For a `Retry-After` a
    /// server sent in an earlier run (`FetchError::host_wait`), so that the
    /// next runs leave its host alone as it asked.
    pub fn hold_until(&self, url: &str, until: SystemTime) {
        let latest = SystemTime::now() + crate::MAX_HOST_WAIT;
        self.host(url).wait_until(until.min(latest));
    }

    /// What is known of `url`'s host (name and port).
    pub(crate) fn host(&self, url: &str) -> Arc<HostSlot> {
        // The map is only inserted into: one poisoned by a panic elsewhere is still whole.
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        hosts
            .entry(host_key(url))
            .or_insert_with(|| {
                Arc::new(HostSlot {
                    permits: Arc::new(Semaphore::new(self.per_host)),
                    health: Mutex::default(),
                })
            })
            .clone()
    }
}

/// More permits than a semaphore holds (2^61) is no limit at all: take them as its most.
fn permits(n: usize) -> usize {
    n.clamp(1, Semaphore::MAX_PERMITS)
}

impl Fetcher {
    /// Fetches every job concurrently, at most `limits.global` at a time and
    /// at most `limits.per_host` to one host (a name and a port), and yields each result as it
    /// finishes, tagged with the job's index.
    ///
    /// One job failing never affects the others. Permits are held per
    /// attempt, not across retry waits. Limits of 0 are taken as 1, limits past
    /// what a semaphore holds as its most. Redirects
    /// to another host still count against the first host.
    ///
    /// # Panics
    ///
    /// If called outside a Tokio runtime (the fetches are spawned on it).
    pub fn fetch_all(&self, jobs: Vec<FetchJob>, limits: ConcurrencyLimits) -> FetchAll {
        self.fetch_all_limited(jobs, &Limiter::new(limits))
    }

    /// [`fetch_all`](Fetcher::fetch_all) within the permits of `limiter`,
    /// which other fetches may share.
    ///
    /// # Panics
    ///
    /// If called outside a Tokio runtime (the fetches are spawned on it).
    pub fn fetch_all_limited(&self, jobs: Vec<FetchJob>, limiter: &Limiter) -> FetchAll {
        let mut tasks = JoinSet::new();
        let mut ids = HashMap::with_capacity(jobs.len());
        for (index, job) in jobs.into_iter().enumerate() {
            let limiter = limiter.clone();
            let fetcher = self.clone();
            let url = job.url.clone();
            let handle = tasks.spawn(async move {
                let timeout = job.timeout.unwrap_or(fetcher.options().total_timeout);
                let result = fetcher
                    .fetch_gated(&job.url, &job.validators, timeout, Some(&limiter))
                    .await;
                (index, result)
            });
            ids.insert(handle.id(), (index, url));
        }
        FetchAll { tasks, jobs: ids }
    }

    /// One fetch like [`fetch_with_timeout`](Fetcher::fetch_with_timeout),
    /// each attempt holding `limiter`'s permits for its host and the global
    /// one, as the fetches of [`fetch_all_limited`](Fetcher::fetch_all_limited)
    /// do.
    pub async fn fetch_limited(
        &self,
        url: &str,
        validators: &Validators,
        total_timeout: Duration,
        limiter: &Limiter,
    ) -> Result<FetchOutcome, FetchError> {
        self.fetch_gated(url, validators, total_timeout, Some(limiter))
            .await
    }
}

/// The key of the per-host limit and of what is known of a host: the host
/// name, lowercased by the URL parser, and the port, the scheme's default
/// when none is written (`http://x/` and `http://x:80/` are one server;
/// another port is another server, which may be up when this one is down).
/// An unparsable URL gets its own key; it fails at once anyway.
pub(crate) fn host_key(url: &str) -> String {
    host_with_port(url, url::Url::port_or_known_default)
}

/// The host of `url` as a message names it: with its port only where the URL
/// gives one that is not its scheme's default.
pub(crate) fn host_label(url: &str) -> String {
    host_with_port(url, url::Url::port)
}

/// `host:port` of `url`, with the port `port` gives (none: the host alone); the
/// URL as it is when it has no host.
fn host_with_port(url: &str, port: fn(&url::Url) -> Option<u16>) -> String {
    url::Url::parse(url.trim())
        .ok()
        .and_then(|u| {
            let host = u.host_str()?;
            Some(match port(&u) {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            })
        })
        .unwrap_or_else(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `[fetch] concurrency = 18446744073709551615` in kb.toml made `kb sync` panic: a tokio
    /// semaphore holds at most `Semaphore::MAX_PERMITS`.
    #[tokio::test]
    async fn limits_beyond_what_a_semaphore_holds_mean_no_limit() {
        let fetcher = Fetcher::new(crate::FetchOptions::default()).unwrap();
        let job = FetchJob {
            url: "not a url".into(),
            validators: Validators::default(),
            timeout: None,
        };
        let limits = ConcurrencyLimits {
            global: usize::MAX,
            per_host: usize::MAX,
        };
        let mut all = fetcher.fetch_all(vec![job], limits);
        let (index, result) = all.recv().await.unwrap();
        assert_eq!(index, 0);
        assert!(result.is_err());
    }

    #[test]
    fn hosts_are_told_apart_by_name_and_port() {
        assert_eq!(host_key("http://Example.COM:8080/feed"), "example.com:8080");
        assert_eq!(host_key("http://example.com/feed"), "example.com:80");
        assert_eq!(
            host_key("http://example.com:80/other"),
            host_key("http://EXAMPLE.com/feed")
        );
        assert_eq!(host_key("https://example.com/other"), "example.com:443");
        assert_eq!(host_key("http://[::1]:3000/"), "[::1]:3000");
        assert_eq!(host_key("not a url"), "not a url");
        assert_eq!(
            host_label("http://Example.COM:8080/feed"),
            "example.com:8080"
        );
        assert_eq!(host_label("https://example.com:443/feed"), "example.com");
    }
}
