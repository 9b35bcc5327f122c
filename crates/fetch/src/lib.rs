//! kb-fetch gets a feed's bytes: over HTTP, politely and defensively, or from
//! a file. It owns everything between a URL (or path) and a [`RawFeed`]:
//! conditional requests with stored [`Validators`], decompression, a hard cap
//! on body size, redirects (and whether they were permanent), timeouts,
//! retries with backoff, concurrency limits across many feeds, finding the
//! feed behind a web page, and the addresses of a WordPress archive's pages.
//! It does not parse (kb-parse takes the bytes), store validators or URLs
//! (the caller keeps them, after its index commit), print, or decide what a
//! failure means for a feed beyond naming it: [`FetchError::Gone`] is the
//! signal to mark a feed dead.
//!
//! ```no_run
//! use kb_fetch::{FetchOptions, FetchOutcome, Fetcher, Validators};
//!
//! # async fn run() -> Result<(), kb_fetch::FetchError> {
//! let fetcher = Fetcher::new(FetchOptions::default())?;
//! let stored = Validators {
//!     etag: Some("\"abc\"".into()),
//!     last_modified: None,
//!     url: Some("http://smbitpros.com/feed/".into()),
//! };
//! match fetcher.fetch("http://smbitpros.com/feed/", &stored).await? {
//!     FetchOutcome::NotModified { .. } => { /* nothing new: no parse, no commit */ }
//!     FetchOutcome::Fetched(raw) => {
//!         // Hand raw.bytes to kb-parse; store raw.validators (with the URL
//!         // that sent them) after committing, and raw.permanent_redirect as
//!         // the feed's new URL if it is set.
//!         assert!(raw.bytes.len() as u64 <= fetcher.options().max_body_bytes);
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Many feeds at once, results as they finish:
//!
//! ```no_run
//! use kb_fetch::{ConcurrencyLimits, FetchJob, FetchOptions, Fetcher};
//!
//! # async fn run() -> Result<(), kb_fetch::FetchError> {
//! let fetcher = Fetcher::new(FetchOptions::default())?;
//! let jobs = vec![FetchJob::new("http://a.example/feed"), FetchJob::new("http://b.example/rss")];
//! let mut results = fetcher.fetch_all(jobs, ConcurrencyLimits::default());
//! while let Some((index, result)) = results.recv().await {
//!     // Parse and clean off the runtime: tokio::task::spawn_blocking.
//!     let _ = (index, result);
//! }
//! # Ok(())
//! # }
//! ```

mod backfill;
mod batch;
mod decode;
mod discover;
mod error;
mod http;
mod options;
mod raw;
mod redact;
mod retry;

pub use crate::backfill::wordpress_page_url;
pub use crate::batch::{FetchAll, FetchJob, FetchResult, Limiter};
pub use crate::discover::{FeedLink, discover_feed_links, discover_feeds, looks_like_html};
pub use crate::error::{FetchError, Redirected};
pub use crate::http::{FetchOutcome, Fetcher, from_feed_scheme};
pub use crate::options::{ConcurrencyLimits, FetchOptions, MAX_HOST_WAIT, USER_AGENT};
pub use crate::raw::{RawFeed, Validators, read_file};
pub use crate::redact::redact_credentials;
