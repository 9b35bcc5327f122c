//! The knobs of a `Fetcher` and of `Fetcher::fetch_all`, with the defaults of
//! issue 4.

use std::time::Duration;

/// The User-Agent kb sends: its name, version and project URL, so a publisher
/// who sees kb in their logs knows what it is and where to write.
pub const USER_AGENT: &str = concat!(
    "kb/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/kb-rss/kb)"
);

/// The longest a server's `Retry-After` keeps kb away from its host. A wait
/// longer than one sync accepts (`FetchOptions::max_retry_after`) holds the
/// host until the time it gives, in this run and, as the caller remembers it,
/// in the next ones; a value past a day (a mistake, or seconds meant as
/// milliseconds) would silence every feed of the host for that long, so it
/// is taken as a day.
pub const MAX_HOST_WAIT: Duration = Duration::from_secs(24 * 3600);

/// How a `Fetcher` behaves. Build one with `FetchOptions::default()` and
/// change the fields you need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// Sent as `User-Agent`.
    pub user_agent: String,
    /// How long to wait for a TCP (and TLS) connection. Default 10 s.
    pub connect_timeout: Duration,
    /// How long one attempt may take, from the first connection to the last
    /// byte of the body, redirects included. A server that stalls mid-body is
    /// abandoned when it runs out. Default 60 s; `Fetcher::fetch_with_timeout`
    /// and `FetchJob::timeout` override it per feed.
    pub total_timeout: Duration,
    /// The largest body accepted, counted after decompression. Default 20 MiB.
    pub max_body_bytes: u64,
    /// How many redirects to follow. Default 5.
    pub max_redirects: u32,
    /// How many times to retry after a timeout, a connection error, a 429 or
    /// a 5xx; 0 disables retries. Default 3 (so at most 4 attempts).
    pub max_retries: u32,
    /// The first backoff delay; it doubles with each retry, and a random
    /// jitter of up to half of it is taken off so that many kb instances do
    /// not retry in step. Default 1 s.
    pub backoff_base: Duration,
    /// The longest wait kb accepts, both for its own backoff and for a
    /// server's `Retry-After`. A server that asks for longer gets no retry:
    /// the fetch fails with `FetchError::RetryLater`, and within a
    /// `Fetcher::fetch_all_limited` run the host's other fetches fail at once
    /// with `FetchError::HostWaiting` until the time it gave (at most
    /// `MAX_HOST_WAIT`). Default 60 s.
    pub max_retry_after: Duration,
    /// Within one `Fetcher::fetch_all_limited` run (a sync), how many
    /// attempts on one host (a name and a port) may end without an answer (no
    /// connection within the connect timeout, or no response head within the
    /// total timeout) before the host is given up on: its remaining attempts
    /// and feeds then fail at once instead of each waiting out its timeouts.
    /// A host that has answered any request of the run (whatever the status)
    /// is never given up on: only its URLs that stall fail. A fetch on its own
    /// (`Fetcher::fetch`) gives up as soon as this many of its own attempts went
    /// unanswered, whatever `max_retries` allows. 0 never gives up. Default 2.
    pub host_silence_limit: u32,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            user_agent: USER_AGENT.to_string(),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(60),
            max_body_bytes: 20 * 1024 * 1024,
            max_redirects: 5,
            max_retries: 3,
            backoff_base: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
            host_silence_limit: 2,
        }
    }
}

/// How many fetches `Fetcher::fetch_all` runs at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConcurrencyLimits {
    /// At most this many requests in flight in total. Default 16.
    pub global: usize,
    /// At most this many requests in flight to one host: a name and a port
    /// (the scheme's default when none is written), since another port is
    /// another server. Default 2.
    pub per_host: usize,
}

impl Default for ConcurrencyLimits {
    fn default() -> Self {
        ConcurrencyLimits {
            global: 16,
            per_host: 2,
        }
    }
}
