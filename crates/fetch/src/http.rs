//! One feed over HTTP: conditional GET, decompression, a streaming body cap,
//! redirects followed by hand, timeouts and retries.

use std::borrow::Cow;
use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RETRY_AFTER,
};
use url::Url;

use crate::batch::Limiter;
use crate::decode::{self, BodyDecoder, DecodeError};
use crate::error::Redirected;
use crate::retry::{backoff_delay, parse_retry_after};
use crate::{FetchError, FetchOptions, RawFeed, Validators, redact_credentials};

/// What feeds are served as, most specific first; anything else is still
/// accepted (feeds are often served as `text/html` or `text/plain`).
const ACCEPT_FEEDS: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
                            application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";

/// The result of a successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// 304 Not Modified: the stored copy is current; nothing to parse, nothing
    /// to index.
    NotModified {
        /// The URL that answered 304, after redirects.
        final_url: String,
        /// The new URL to store, if a 301/308 chain led there (see
        /// `RawFeed::permanent_redirect`).
        permanent_redirect: Option<String>,
        /// The validators to keep, with `final_url` as their `url`: those of
        /// the 304 where it sent any, else the ones sent to it (RFC 9111
        /// §4.3.4: a 304 updates the stored headers).
        validators: Validators,
    },
    /// A new body.
    Fetched(RawFeed),
}

impl FetchOutcome {
    /// The validators to store for the next request.
    pub fn validators(&self) -> &Validators {
        match self {
            FetchOutcome::NotModified { validators, .. } => validators,
            FetchOutcome::Fetched(raw) => &raw.validators,
        }
    }

    /// The URL to store the feed under from now on, if it moved permanently.
    pub fn permanent_redirect(&self) -> Option<&str> {
        match self {
            FetchOutcome::NotModified {
                permanent_redirect, ..
            } => permanent_redirect.as_deref(),
            FetchOutcome::Fetched(raw) => raw.permanent_redirect.as_deref(),
        }
    }
}

/// Fetches feeds over HTTP. Cheap to clone (the connection pool is shared);
/// build one per sync and use it for every feed.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    options: FetchOptions,
}

/// A failed attempt and whether it is worth another.
struct Failure {
    error: FetchError,
    retry: Retry,
    /// The server never answered: no connection, or no response head.
    silent: bool,
    /// The URL in flight when it failed (after redirects), whose host the
    /// failure tells about.
    at: Option<String>,
}

enum Retry {
    /// Permanent: a 404, a body too large, a redirect loop.
    No,
    /// Transient, no hint from the server: wait our own backoff.
    Backoff,
    /// Transient, and the server said how long to wait.
    After(Duration),
}

impl Failure {
    fn fatal(error: FetchError) -> Self {
        Failure::new(error, Retry::No)
    }

    fn new(error: FetchError, retry: Retry) -> Self {
        Failure {
            error,
            retry,
            silent: false,
            at: None,
        }
    }
}

/// Where an attempt is: the URL in flight, so a timeout can name the hop
/// that stalled, whether that hop's server answered yet, and since when the
/// hop's request has been in flight.
struct InFlight {
    url: String,
    heard: bool,
    since: tokio::time::Instant,
}

/// How much longer than the connect timeout a request must have been in
/// flight for its connection to be known as made: the connect timer starts a
/// moment after the request, and timers fire to the millisecond.
const CONNECT_TIMER_SLACK: Duration = Duration::from_millis(50);

impl Fetcher {
    /// Builds the HTTP client. Fails only if the TLS backend cannot start.
    pub fn new(options: FetchOptions) -> Result<Fetcher, FetchError> {
        // A zero timeout makes every fetch fail at once, with a message about
        // time rather than about the setting: refuse it here, by name.
        if options.connect_timeout.is_zero() {
            return Err(FetchError::InvalidOptions {
                detail: "the connect timeout must be more than 0 (connect_timeout_secs in kb.toml [fetch])".to_string(),
            });
        }
        if options.total_timeout.is_zero() {
            return Err(FetchError::InvalidOptions {
                detail: "the total timeout must be more than 0 (timeout_secs in kb.toml [fetch])"
                    .to_string(),
            });
        }
        let client = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            // Redirects are followed by hand, to count them, catch loops and
            // tell permanent from temporary ones (issue 4.2).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FetchError::Client {
                detail: innermost(&e),
            })?;
        Ok(Fetcher { client, options })
    }

    /// The options this fetcher was built with.
    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// Fetches `url`, sending `validators` as a conditional request, with the
    /// default total timeout. See `fetch_with_timeout`.
    pub async fn fetch(
        &self,
        url: &str,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        self.fetch_with_timeout(url, validators, self.options.total_timeout)
            .await
    }

    /// Fetches `url` with a total timeout of `total_timeout` per attempt
    /// (a per-feed setting overrides the global one this way).
    ///
    /// Sends `If-None-Match` and `If-Modified-Since` from `validators`
    /// (RFC 9110 §13.1) on the request to the URL that answered with them
    /// (`Validators::url`, else `url`), and returns
    /// `FetchOutcome::NotModified` on a 304.
    /// Follows up to `max_redirects` redirects. Retries timeouts, connection
    /// errors, 429 and 5xx up to `max_retries` times with exponential backoff,
    /// or after the server's `Retry-After`, but gives a server up once
    /// `host_silence_limit` attempts got no answer at all. 404 is `FetchError::NotFound`,
    /// 410 is `FetchError::Gone`, any other failing status is
    /// `FetchError::Status`.
    pub async fn fetch_with_timeout(
        &self,
        url: &str,
        validators: &Validators,
        total_timeout: Duration,
    ) -> Result<FetchOutcome, FetchError> {
        self.fetch_gated(url, validators, total_timeout, None).await
    }

    /// The retry loop. With a `limiter`, each attempt waits for its
    /// concurrency permits and gives them back before sleeping, so a feed
    /// waiting out a `Retry-After` does not hold up the others; a
    /// `Retry-After` holds every request to that host; and a host that stopped
    /// answering is not waited for again (`FetchOptions::host_silence_limit`).
    pub(crate) async fn fetch_gated(
        &self,
        url: &str,
        validators: &Validators,
        total_timeout: Duration,
        limiter: Option<&Limiter>,
    ) -> Result<FetchOutcome, FetchError> {
        let start = parse_feed_url(url)?;
        if total_timeout.is_zero() {
            return Err(FetchError::InvalidOptions {
                detail: format!(
                    "the timeout for {url} must be more than 0 (the feed's timeout_secs in kb.toml)"
                ),
            });
        }
        let gate = limiter.map(|l| l.gate(start.as_str()));
        let mut attempts = 0;
        // Attempts of this fetch that got no answer at all; with a limiter, its host counts them
        // (with the other fetches of the run) instead.
        let mut silent = 0;
        loop {
            attempts += 1;
            // A host that asked for a long wait is not waited for, not even for a permit.
            if let Some(gate) = &gate {
                refuse_held(gate, url, &start)?;
            }
            let failure = {
                let _permits = match &gate {
                    Some(gate) => Some(gate.enter().await),
                    None => None,
                };
                if let Some(gate) = &gate {
                    refuse_held(gate, url, &start)?;
                }
                let mut failure = match self
                    .attempt(&start, url, validators, total_timeout, limiter)
                    .await
                {
                    Ok(outcome) => return Ok(outcome),
                    Err(failure) => failure,
                };
                // Recorded before the permits go: a job that gets one next must find
                // the host held, or it asks the host the moment it said to wait.
                if let Some(limiter) = limiter
                    && self.learn(limiter, &mut failure, total_timeout)
                {
                    return Err(failure.error.with_attempts(attempts));
                }
                // One fetch on its own (`kb feed add`, `kb parse`) gives a silent server up as
                // a run gives up its host: waiting out every retry's timeout took minutes, in
                // silence, for an answer that two unanswered attempts say will not come.
                if limiter.is_none() && failure.silent {
                    silent += 1;
                    let limit = self.options.host_silence_limit;
                    if limit > 0 && silent >= limit {
                        return Err(failure.error.with_attempts(attempts));
                    }
                }
                failure
            };
            let (delay, why) = match failure.retry {
                Retry::No => return Err(failure.error.with_attempts(attempts)),
                _ if attempts > self.options.max_retries => {
                    return Err(failure.error.with_attempts(attempts));
                }
                Retry::Backoff => (
                    backoff_delay(
                        self.options.backoff_base,
                        attempts - 1,
                        self.options.max_retry_after,
                    ),
                    "",
                ),
                Retry::After(delay) => (delay, ", as its Retry-After asks"),
            };
            // At -v: a sync slowed down by retries must say so, and why.
            tracing::info!(
                "retrying {} in {:.1}s{why} (attempt {} of {}): {}",
                redact_credentials(url),
                delay.as_secs_f64(),
                attempts + 1,
                self.options.max_retries + 1,
                failure.error
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// Records on the host of a failed attempt what the failure says of it:
    /// silent, or asking for a wait (for some seconds, or for longer than a
    /// run waits). True when the host is given up on: retrying would only be
    /// skipped.
    fn learn(&self, limiter: &Limiter, failure: &mut Failure, total_timeout: Duration) -> bool {
        let Some(at) = failure.at.as_deref() else {
            return false;
        };
        let host = limiter.host(at);
        if failure.silent {
            let after = match failure.error {
                FetchError::ConnectTimeout { after, .. } => after,
                _ => total_timeout,
            };
            if host.silent(after, self.options.host_silence_limit) {
                if let FetchError::NoAnswer { host_skipped, .. } = &mut failure.error {
                    *host_skipped = true;
                }
                return true;
            }
        } else if let Some((_, until)) = failure.error.host_wait() {
            host.wait_until(until);
        } else if let Retry::After(wait) = failure.retry {
            host.hold(wait);
        }
        false
    }

    /// One attempt: the redirect chain and the final response, within the
    /// total timeout.
    async fn attempt(
        &self,
        start: &Url,
        source: &str,
        validators: &Validators,
        total_timeout: Duration,
        limiter: Option<&Limiter>,
    ) -> Result<FetchOutcome, Failure> {
        let mut at = InFlight {
            url: start.to_string(),
            heard: false,
            since: tokio::time::Instant::now(),
        };
        let exchange = self.exchange(start, source, validators, &mut at, limiter);
        let result = match tokio::time::timeout(total_timeout, exchange).await {
            Ok(result) => result,
            // No response head: a longer timeout would not help. Had the
            // connection not been made, the connect timeout would have ended
            // a request in flight for longer than it.
            Err(_) if !at.heard => Err(Failure {
                silent: true,
                ..Failure::new(
                    FetchError::NoAnswer {
                        url: at.url.clone(),
                        after: total_timeout,
                        attempts: 1,
                        host_skipped: false,
                        connected: at.since.elapsed()
                            >= self.options.connect_timeout + CONNECT_TIMER_SLACK,
                    },
                    Retry::Backoff,
                )
            }),
            Err(_) => Err(Failure::new(
                FetchError::Timeout {
                    url: at.url.clone(),
                    after: total_timeout,
                    attempts: 1,
                },
                Retry::Backoff,
            )),
        };
        result.map_err(|failure| Failure {
            at: Some(at.url),
            ..failure
        })
    }

    async fn exchange(
        &self,
        start: &Url,
        source: &str,
        validators: &Validators,
        at: &mut InFlight,
        limiter: Option<&Limiter>,
    ) -> Result<FetchOutcome, Failure> {
        let mut url = start.clone();
        let mut visited = HashSet::from([without_fragment(start)]);
        let mut redirects = 0;
        // The new home of the feed, while every hop so far was permanent.
        let mut permanent_redirect: Option<String> = None;
        let mut all_permanent = true;
        let no_validators = Validators::default();
        loop {
            at.url = url.to_string();
            at.heard = false;
            at.since = tokio::time::Instant::now();
            let host = limiter.map(|l| l.host(url.as_str()));
            // A redirect into a host given up on in this run, or that asked for a long wait.
            if let Some((silent, after)) = host.as_ref().and_then(|h| h.down()) {
                return Err(Failure::fatal(FetchError::HostSkipped {
                    url: url.to_string(),
                    host: crate::batch::host_label(url.as_str()),
                    silent,
                    after,
                }));
            }
            if let Some(until) = host.as_ref().and_then(|h| h.waiting()) {
                return Err(Failure::fatal(FetchError::HostWaiting {
                    url: url.to_string(),
                    host: crate::batch::host_label(url.as_str()),
                    until,
                }));
            }
            // Validators go only to the URL that issued them, whichever hop it is.
            let sent = if validators.applies_to(start.as_str(), url.as_str()) {
                validators
            } else {
                &no_validators
            };
            let response = self
                .client
                .get(url.clone())
                .headers(request_headers(sent))
                .send()
                .await
                .map_err(|e| self.network_failure(&url, &e))?;
            at.heard = true;
            if let Some(host) = &host {
                host.answered();
            }
            let status = response.status();
            tracing::debug!("GET {}: {status}", redact_credentials(url.as_str()));
            if !is_redirect(status) {
                let redirected = (redirects > 0).then(|| Redirected {
                    from: start.to_string(),
                    permanent: all_permanent,
                });
                return self
                    .finish(response, source, url, permanent_redirect, sent, redirected)
                    .await;
            }
            redirects += 1;
            if redirects > self.options.max_redirects {
                return Err(Failure::fatal(FetchError::TooManyRedirects {
                    url: start.to_string(),
                    max: self.options.max_redirects,
                }));
            }
            let next = location(response.headers(), &url).map_err(Failure::fatal)?;
            if !visited.insert(without_fragment(&next)) {
                return Err(Failure::fatal(FetchError::RedirectLoop {
                    url: start.to_string(),
                    location: next.to_string(),
                }));
            }
            // RFC 9110 §15.4.2 (301) and §15.4.9 (308) ask clients to update
            // stored links; 302, 303 and 307 are temporary and do not. Once a
            // temporary hop is seen the rest of the chain is not ours to store.
            if all_permanent
                && matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                )
            {
                permanent_redirect = Some(next.to_string());
            } else {
                all_permanent = false;
            }
            tracing::info!(
                "redirect: {} answered {status}, going on to {}",
                redact_credentials(url.as_str()),
                redact_credentials(next.as_str())
            );
            url = next;
        }
    }

    /// Turns the final response into an outcome or a failure.
    async fn finish(
        &self,
        mut response: reqwest::Response,
        source: &str,
        url: Url,
        permanent_redirect: Option<String>,
        sent: &Validators,
        redirected: Option<Redirected>,
    ) -> Result<FetchOutcome, Failure> {
        let status = response.status();
        let received = response_validators(response.headers(), &url);
        if status == StatusCode::NOT_MODIFIED {
            let validators = Validators {
                etag: received.etag.or_else(|| sent.etag.clone()),
                last_modified: received
                    .last_modified
                    .or_else(|| sent.last_modified.clone()),
                url: received.url,
            };
            return Ok(FetchOutcome::NotModified {
                final_url: url.to_string(),
                permanent_redirect,
                validators,
            });
        }
        if !status.is_success() {
            return Err(self.status_failure(status, response.headers(), &url, redirected));
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let limit = self.options.max_body_bytes;
        let too_large = || {
            Failure::fatal(FetchError::BodyTooLarge {
                url: url.to_string(),
                limit,
            })
        };
        let decode_failure = |e: DecodeError| match e {
            DecodeError::TooLarge => too_large(),
            DecodeError::Unsupported(coding) => Failure::fatal(FetchError::Decode {
                url: url.to_string(),
                detail: format!("the body is {coding}-compressed, which kb cannot decode"),
            }),
            DecodeError::Corrupt { coding, detail } => Failure::fatal(FetchError::Decode {
                url: url.to_string(),
                detail: format!(
                    "the body is {coding}-compressed but does not decompress: {detail}"
                ),
            }),
        };
        let codings = decode::codings(response.headers());
        let undone: Vec<&str> = codings
            .iter()
            .filter_map(|t| match t {
                decode::Token::Known(c) => Some(c.name()),
                decode::Token::Unknown(_) => None,
            })
            .collect();
        let undone = undone.join(", ");
        // Refuse up front what announces itself as too large. Content-Length
        // counts compressed bytes, which are never more than the decompressed
        // ones in practice; the decoder then counts the decompressed bytes as
        // they come and stops at the cap: a gzip bomb costs at most `limit`
        // bytes of memory.
        let announced = response.content_length();
        if announced.is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let capacity = usize::try_from(announced.unwrap_or(0).min(limit)).unwrap_or(0);
        let mut decoder = BodyDecoder::new(codings, limit, capacity);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.body_failure(&url, &e))?
        {
            decoder.push(&chunk).map_err(decode_failure)?;
        }
        let (bytes, warnings) = decoder.finish().map_err(decode_failure)?;
        for w in &warnings {
            tracing::warn!("{}: {w}", redact_credentials(url.as_str()));
        }
        // Bytes still compressed are no document: passed on, the parser
        // would quote them as one ("not a feed: document starts with \u{1f}‹").
        // Browsers and feedparser undo a Content-Encoding once, and cannot read such a body
        // either: it is refused, for what it is.
        if bytes.starts_with(&decode::GZIP_MAGIC) {
            let detail = if undone.is_empty() {
                "the body is gzip-compressed but its Content-Encoding does not say so".to_string()
            } else {
                format!(
                    "the body is still gzip-compressed after undoing its Content-Encoding ({undone}): the server compressed it twice (a compressed file such as feed.xml.gz, compressed again); tell the site's owner"
                )
            };
            return Err(Failure::fatal(FetchError::Decode {
                url: url.to_string(),
                detail,
            }));
        }
        if bytes.is_empty() {
            return Err(Failure::fatal(FetchError::EmptyBody {
                url: url.to_string(),
                status: status.as_u16(),
            }));
        }
        Ok(FetchOutcome::Fetched(RawFeed {
            source: source.to_string(),
            final_url: Some(url.to_string()),
            bytes,
            content_type,
            validators: received,
            status: status.as_u16(),
            permanent_redirect,
            warnings,
        }))
    }

    fn status_failure(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        url: &Url,
        redirected: Option<Redirected>,
    ) -> Failure {
        let url = url.to_string();
        match status {
            StatusCode::NOT_FOUND => Failure::fatal(FetchError::NotFound { url, redirected }),
            // After a temporary hop, a 410 is the target's, not the feed's (`is_gone`).
            StatusCode::GONE => Failure::fatal(FetchError::Gone { url, redirected }),
            // 429 (RFC 6585 §4) and 5xx are transient by nature; 501 and 505
            // say the server cannot ever do it, so asking again is pointless.
            StatusCode::TOO_MANY_REQUESTS => self.transient(status, headers, url, redirected),
            s if s.is_server_error()
                && s != StatusCode::NOT_IMPLEMENTED
                && s != StatusCode::HTTP_VERSION_NOT_SUPPORTED =>
            {
                self.transient(status, headers, url, redirected)
            }
            _ => Failure::fatal(FetchError::Status {
                url,
                status: status.as_u16(),
                attempts: 1,
                redirected,
            }),
        }
    }

    /// A 429 or 5xx: retry after the server's `Retry-After` (RFC 9110
    /// §10.2.3) if it sent one we accept, else after our own backoff.
    fn transient(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        url: String,
        redirected: Option<Redirected>,
    ) -> Failure {
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let cap = self.options.max_retry_after;
        match retry_after {
            Some(wait) if wait > cap => Failure::fatal(FetchError::RetryLater {
                until: SystemTime::now() + wait.min(crate::MAX_HOST_WAIT),
                url,
                status: status.as_u16(),
                retry_after: wait,
                cap,
            }),
            wait => Failure::new(
                FetchError::Status {
                    url,
                    status: status.as_u16(),
                    attempts: 1,
                    redirected,
                },
                wait.map_or(Retry::Backoff, Retry::After),
            ),
        }
    }
}

/// Fails a fetch whose host is given up on in this run, or asked for a wait
/// longer than a run makes.
fn refuse_held(gate: &crate::batch::Gate, url: &str, start: &Url) -> Result<(), FetchError> {
    if let Some((silent, after)) = gate.host.down() {
        return Err(FetchError::HostSkipped {
            url: url.to_string(),
            host: crate::batch::host_label(start.as_str()),
            silent,
            after,
        });
    }
    if let Some(until) = gate.host.waiting() {
        return Err(FetchError::HostWaiting {
            url: url.to_string(),
            host: crate::batch::host_label(start.as_str()),
            until,
        });
    }
    Ok(())
}

/// `feed://host/path` (and `feed:https://host/path`), the old feed-reader
/// scheme that browsers still hand over, as the http(s) URL it stands for, as
/// most readers take it; any other URL as it is.
pub fn from_feed_scheme(url: &str) -> Cow<'_, str> {
    let trimmed = url.trim();
    let Some(rest) = trimmed
        .get(..5)
        .filter(|scheme| scheme.eq_ignore_ascii_case("feed:"))
        .and_then(|_| trimmed.get(5..))
    else {
        return Cow::Borrowed(url);
    };
    let lower = rest.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        Cow::Borrowed(rest)
    } else if let Some(path) = rest.strip_prefix("//") {
        Cow::Owned(format!("http://{path}"))
    } else {
        Cow::Borrowed(url)
    }
}

/// Parses a feed URL given by the user or the config; only http and https
/// (`feed:` read as http, see `from_feed_scheme`).
pub(crate) fn parse_feed_url(url: &str) -> Result<Url, FetchError> {
    let invalid = |reason: String| FetchError::InvalidUrl {
        url: url.to_string(),
        reason,
    };
    let parsed = Url::parse(from_feed_scheme(url).trim()).map_err(|e| invalid(e.to_string()))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(parsed),
        "http" | "https" => Err(invalid("no host".to_string())),
        other => Err(invalid(format!(
            "the {other}: scheme is not supported (use http or https, or give a file path)"
        ))),
    }
}

fn request_headers(validators: &Validators) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_FEEDS));
    // Decoding is ours (see decode.rs), so the offer is too.
    headers.insert(
        ACCEPT_ENCODING,
        HeaderValue::from_static(decode::ACCEPT_ENCODING),
    );
    // A stored validator that is not a valid header value (it came from a
    // broken server) is dropped: the request is then simply unconditional.
    if let Some(v) = validators.etag.as_deref().and_then(header_value) {
        headers.insert(IF_NONE_MATCH, v);
    }
    if let Some(v) = validators.last_modified.as_deref().and_then(header_value) {
        headers.insert(IF_MODIFIED_SINCE, v);
    }
    headers
}

fn header_value(s: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(s).ok()
}

/// The validators `url` answered with.
fn response_validators(headers: &HeaderMap, url: &Url) -> Validators {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    Validators {
        etag: get(ETAG),
        last_modified: get(LAST_MODIFIED),
        url: Some(url.to_string()),
    }
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

/// The target of a redirect: `Location`, resolved against the request URL
/// (RFC 9110 §10.2.2 allows a relative reference).
fn location(headers: &HeaderMap, base: &Url) -> Result<Url, FetchError> {
    let bad = |reason: String| FetchError::BadRedirect {
        url: base.to_string(),
        reason,
    };
    let location_bytes = headers
        .get(LOCATION)
        .ok_or_else(|| bad("no Location header".to_string()))?
        .as_bytes();
    // Bytes past ASCII are percent-encoded as sent, as browsers do: old servers send a file
    // name in ISO-8859-1 (`caf\xE9.xml`), which read as UTF-8 became U+FFFD and asked for
    // another file. Raw UTF-8 comes out as Url::join would have encoded it, and a host
    // written so is percent-decoded by the parser before it is checked.
    let mut raw = String::with_capacity(location_bytes.len());
    for &b in location_bytes {
        if b.is_ascii() {
            raw.push(char::from(b));
        } else {
            raw.push_str(&format!("%{b:02X}"));
        }
    }
    let next = base
        .join(raw.trim())
        .map_err(|e| bad(format!("Location {raw:?}: {e}")))?;
    match next.scheme() {
        "http" | "https" => Ok(next),
        other => Err(bad(format!("redirect to a {other}: URL"))),
    }
}

fn without_fragment(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    url
}

impl Fetcher {
    /// A failure to send or to get the response head. Retried when it may
    /// heal within the few seconds the retries take: a timeout, a reset, a
    /// refused connection (a server restarting refuses for a moment; a wrong
    /// port costs the retries' few seconds, but cannot be told from it). Not
    /// when it cannot: a name that does not resolve, a TLS or certificate
    /// error, a URL reqwest refuses.
    fn network_failure(&self, url: &Url, e: &reqwest::Error) -> Failure {
        if e.is_connect() && e.is_timeout() {
            return Failure {
                silent: true,
                ..Failure::new(
                    FetchError::ConnectTimeout {
                        url: url.to_string(),
                        after: self.options.connect_timeout,
                        attempts: 1,
                        handshake: url.scheme() == "https" && !tcp_timed_out(e),
                    },
                    Retry::Backoff,
                )
            };
        }
        let cause = permanent_cause(e);
        let detail = match cause {
            Some(Permanent::Dns) => format!(
                "cannot find the host {}: {}",
                url.host_str().unwrap_or_default(),
                innermost(e)
            ),
            Some(Permanent::Tls) => format!("tls handshake failed: {}", innermost(e)),
            Some(Permanent::Request) | None if e.is_connect() => {
                format!("cannot connect: {}", innermost(e))
            }
            Some(Permanent::Request) | None => innermost(e),
        };
        Failure::new(
            FetchError::Network {
                url: url.to_string(),
                detail,
                attempts: 1,
            },
            if cause.is_some() {
                Retry::No
            } else {
                Retry::Backoff
            },
        )
    }

    /// A failure while reading the body: a broken connection is retried.
    fn body_failure(&self, url: &Url, e: &reqwest::Error) -> Failure {
        self.network_failure(url, e)
    }
}

/// Network errors that will be the same on the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Permanent {
    /// The host name does not resolve. DNS answers are cached for minutes to
    /// hours, and a wrong name never resolves.
    Dns,
    /// The TLS handshake failed: a bad certificate, or https to a port that
    /// does not speak TLS. Neither is fixed between two attempts.
    Tls,
    /// reqwest refused to build the request (a URL it cannot use).
    Request,
}

/// Why a network error cannot heal within seconds, if it cannot.
fn permanent_cause(e: &reqwest::Error) -> Option<Permanent> {
    if e.is_builder() {
        return Some(Permanent::Request);
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<rustls::Error>() {
            return Some(Permanent::Tls);
        }
        // hyper-util wraps every resolver failure in a ConnectError whose
        // text is "dns error"; the type is private, the text is what there
        // is (the DNS unit test below guards it).
        if c.to_string() == "dns error" {
            return Some(Permanent::Dns);
        }
        cause = next_cause(c);
    }
    None
}

/// Whether the TCP connect is what timed out. hyper-util's own connect timer
/// (TCP only) says so with an io::Error of kind TimedOut, as does the system's;
/// reqwest's, which also covers the TLS handshake, says only "timed out".
/// Both run for the connect timeout, so either may fire first on a TCP stall.
fn tcp_timed_out(e: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        cause = next_cause(c);
    }
    false
}

/// The error under `e`. An io::Error's `source()` skips the error it wraps
/// (tokio-rustls wraps a rustls::Error in an io::Error, which reqwest wraps
/// in another): look inside it instead.
fn next_cause<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    match e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        Some(inner) => Some(inner),
        None => e.source(),
    }
}

/// The innermost cause of an error chain, lowercased: reqwest's outer layers
/// ("error sending request for url (…)") repeat what our message already
/// says, the root ("connection refused") is what the user needs.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (STYLE.md)
mod tests {
    use super::*;

    #[test]
    fn feed_urls_must_be_http() {
        assert!(parse_feed_url("http://example.com/feed/").is_ok());
        assert!(parse_feed_url(" https://example.com/feed ").is_ok());
        let err = parse_feed_url("ftp://example.com/feed").unwrap_err();
        assert!(err.to_string().contains("ftp: scheme"), "{err}");
        assert!(parse_feed_url("feed.xml").is_err());
        assert!(parse_feed_url("http://").is_err());
    }

    /// Found by probing `kb sync`: `feed://` worked in `kb feed add` and `import` but a
    /// kb.toml `url = "feed://..."` failed the feed ("the feed: scheme is not supported").
    #[test]
    fn the_feed_scheme_is_read_as_http() {
        assert_eq!(
            from_feed_scheme("feed://a.example/rss"),
            "http://a.example/rss"
        );
        assert_eq!(
            from_feed_scheme("FEED:https://a.example/rss"),
            "https://a.example/rss"
        );
        assert_eq!(
            from_feed_scheme(" feed:http://a.example/ "),
            "http://a.example/"
        );
        assert_eq!(from_feed_scheme("https://a.example/"), "https://a.example/");
        assert_eq!(from_feed_scheme("feed:x"), "feed:x");
        assert_eq!(from_feed_scheme("fé"), "fé");
        assert_eq!(from_feed_scheme("feéd"), "feéd");
        assert_eq!(
            parse_feed_url("feed://a.example:8080/rss")
                .unwrap()
                .as_str(),
            "http://a.example:8080/rss"
        );
        assert_eq!(
            parse_feed_url("feed:https://a.example/rss")
                .unwrap()
                .as_str(),
            "https://a.example/rss"
        );
        let err = parse_feed_url("feed:x").unwrap_err();
        assert!(err.to_string().contains("feed: scheme"), "{err}");
    }

    /// A resolver that finds nothing, as for a name with no DNS record: the
    /// test must not depend on the machine's resolver or network.
    struct NoSuchHost;

    impl reqwest::dns::Resolve for NoSuchHost {
        fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
            Box::pin(async {
                let e = std::io::Error::other("no such host (NXDOMAIN)");
                Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
            })
        }
    }

    #[tokio::test]
    async fn a_dns_failure_is_not_retried() {
        let options = FetchOptions {
            backoff_base: Duration::from_secs(5),
            ..FetchOptions::default()
        };
        let client = reqwest::Client::builder()
            .dns_resolver(std::sync::Arc::new(NoSuchHost))
            .build()
            .unwrap();
        let fetcher = Fetcher { client, options };
        let started = std::time::Instant::now();
        let err = fetcher
            .fetch("http://feeds.example.invalid/rss", &Validators::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::Network { attempts: 1, .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("cannot find the host feeds.example.invalid: no such host"),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn relative_locations_resolve_against_the_request() {
        let base = Url::parse("http://a.example/blog/feed/").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_static("../rss"));
        assert_eq!(
            location(&headers, &base).unwrap().as_str(),
            "http://a.example/blog/rss"
        );
        // Found by probing `kb sync`: an ISO-8859-1 byte in Location (old IIS and Apache)
        // became U+FFFD, so the redirect asked for another file and got a 404.
        headers.insert(
            LOCATION,
            HeaderValue::from_bytes(b"/caf\xE9 1.xml?q=\xE9#\xE9").unwrap(),
        );
        assert_eq!(
            location(&headers, &base).unwrap().as_str(),
            "http://a.example/caf%E9%201.xml?q=%E9#%E9"
        );
        // UTF-8 comes out as before, in the path and in the host.
        headers.insert(
            LOCATION,
            HeaderValue::from_bytes("http://café.example/café".as_bytes()).unwrap(),
        );
        assert_eq!(
            location(&headers, &base).unwrap().as_str(),
            "http://xn--caf-dma.example/caf%C3%A9"
        );
        headers.insert(LOCATION, HeaderValue::from_static("javascript:alert(1)"));
        assert!(location(&headers, &base).is_err());
        assert!(location(&HeaderMap::new(), &base).is_err());
    }
}
