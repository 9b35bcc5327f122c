//! The one error type of kb-fetch.
//!
//! Every message is one lowercase line that names the offending path, URL or
//! status and, where there is one, the way out. The CLI prints it once, as is.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// Everything that can go wrong while getting a feed's bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// A local feed file could not be opened or read.
    #[error("cannot read {}: {}", file(path), io_reason(error))]
    Io {
        /// The file as given.
        path: PathBuf,
        /// What the operating system said (in the message, with the way out, rather than as
        /// a source: its "(os error 2)" says nothing to a user).
        error: std::io::Error,
    },

    /// A local feed file is larger than the configured cap (the body cap: a file is read
    /// under the same limit as a download).
    #[error("{} is larger than the {} limit (raise [fetch] max_body_bytes in kb.toml if the feed is really that big)", file(path), size(*limit))]
    FileTooLarge {
        /// The file as given.
        path: PathBuf,
        /// The cap in bytes.
        limit: u64,
    },

    /// The URL does not parse, or is not `http` or `https`.
    #[error("invalid feed url {url:?}: {reason}", url = shown(.url))]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },

    /// The HTTP client could not be built (for example no TLS roots).
    #[error("cannot set up the http client: {detail}", detail = shown(.detail))]
    Client {
        /// What reqwest said.
        detail: String,
    },

    /// The whole exchange took longer than the total timeout, retries included
    /// in the count.
    #[error("timed out after {}s fetching {url}{} (raise the feed's timeout if the server is slow)",
        .after.as_secs_f32(), tries(*.attempts), url = shown(.url))]
    Timeout {
        /// The URL being fetched when time ran out (after redirects).
        url: String,
        /// The total timeout of one attempt.
        after: Duration,
        /// How many attempts were made.
        attempts: u32,
    },

    /// No complete response head within the total timeout: the server is
    /// down or wedged, not slow, so a longer timeout would not help. Whether
    /// it sent part of a head cannot be told (the HTTP client reports only a
    /// whole one), so the message does not say it sent nothing.
    #[error("no answer from {url}: {}{}{}{}; it may be down, try again later{}",
        if *.connected { "the server accepted the connection but did not send a complete response head within " } else { "no complete response head within " },
        secs(*.after), tries(*.attempts),
        if *.connected { "" } else { ", perhaps not even a connection" },
        if *.host_skipped { " (its host is skipped for the rest of this sync)" } else { "" }, url = shown(.url))]
    NoAnswer {
        /// The URL that did not answer (after redirects).
        url: String,
        /// The total timeout of one attempt.
        after: Duration,
        /// How many attempts were made.
        attempts: u32,
        /// Whether its host was given up on for the rest of the run
        /// (`FetchOptions::host_silence_limit`).
        host_skipped: bool,
        /// Whether the connection is known to have been made: the request
        /// was in flight for longer than the connect timeout, which would
        /// otherwise have ended it first.
        connected: bool,
    },

    /// Not fetched: earlier attempts on the same host in this run got no
    /// answer at all (`FetchOptions::host_silence_limit` of them), so it
    /// is skipped rather than waited for again.
    #[error("skipped {url}: its host {host} did not answer {silent} earlier requests in this sync (no response within {}), so it is not tried again until the next sync",
        secs(*.after), url = shown(.url))]
    HostSkipped {
        /// The URL not fetched.
        url: String,
        /// The host given up on.
        host: String,
        /// How many attempts on it got no answer.
        silent: u32,
        /// The timeout the last of them ran out of.
        after: Duration,
    },

    /// No connection (TCP and, for https, the TLS handshake) within the
    /// connect timeout. Retried: a congested network may connect next time.
    #[error("cannot connect to {url}: {} {} (connect_timeout_secs in kb.toml [fetch]){}",
        if *.handshake { "no connection, or no tls handshake on it, within" } else { "no connection within" },
        secs(*.after), tries(*.attempts), url = shown(.url))]
    ConnectTimeout {
        /// The URL being fetched.
        url: String,
        /// The connect timeout.
        after: Duration,
        /// How many attempts were made.
        attempts: u32,
        /// Whether the TLS handshake may be what stalled: an https URL whose
        /// TCP connection is not known to have timed out. (The connect timeout
        /// covers both, and the HTTP client does not say which ran out.)
        handshake: bool,
    },

    /// A 2xx answer without a single byte of body: nothing to parse.
    #[error("empty response from {url}: the server sent an empty body (http {status}); often passing (the next sync tries again), else open the url in a browser: the feed may have moved", url = shown(.url))]
    EmptyBody {
        /// The URL that answered (after redirects).
        url: String,
        /// The (successful) status it answered with.
        status: u16,
    },

    /// `FetchOptions` (or a per-feed timeout) that cannot work.
    #[error("invalid fetch options: {detail}", detail = shown(.detail))]
    InvalidOptions {
        /// What is wrong and which setting to change.
        detail: String,
    },

    /// The connection failed: DNS, refused, reset, TLS, or the body broke off.
    #[error("network error fetching {url}: {detail}{}", tries(*.attempts), url = shown(.url), detail = shown(.detail))]
    Network {
        /// The URL being fetched.
        url: String,
        /// The cause, innermost last.
        detail: String,
        /// How many attempts were made.
        attempts: u32,
    },

    /// The server sent a body that could not be decompressed.
    #[error("cannot decode the body of {url}: {detail}", url = shown(.url), detail = shown(.detail))]
    Decode {
        /// The URL being fetched.
        url: String,
        /// What the decoder said.
        detail: String,
    },

    /// The body (after decompression) is larger than the cap; reading stopped
    /// as soon as the cap was passed.
    #[error("response from {url} is larger than the {} limit (raise max_body_bytes if the feed is really that big)", size(*limit), url = shown(.url))]
    BodyTooLarge {
        /// The URL being fetched.
        url: String,
        /// The cap in bytes.
        limit: u64,
    },

    /// More redirects than allowed.
    #[error("too many redirects (more than {max}) fetching {url}", url = shown(.url))]
    TooManyRedirects {
        /// The URL first asked for.
        url: String,
        /// The allowed number of redirects.
        max: u32,
    },

    /// A redirect led back to a URL already visited.
    #[error("redirect loop fetching {url}: {location} was already visited", url = shown(.url), location = shown(.location))]
    RedirectLoop {
        /// The URL first asked for.
        url: String,
        /// The URL seen twice.
        location: String,
    },

    /// A redirect without a usable `Location` header.
    #[error("bad redirect from {url}: {reason}", url = shown(.url), reason = shown(.reason))]
    BadRedirect {
        /// The URL that answered with the redirect.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// 404 Not Found: the feed is not (or no longer) at this URL.
    #[error("404 not found: {url}{} (check the feed url)", via(.redirected.as_ref()), url = shown(.url))]
    NotFound {
        /// The URL that answered 404 (after redirects).
        url: String,
        /// How the URL asked for led to `url`, when it is not that URL.
        redirected: Option<Redirected>,
    },

    /// 410 Gone: the publisher removed the document for good. When it is the
    /// feed's own URL that answered (or the URL permanent redirects led to),
    /// the feed is gone: mark it dead (see `FetchError::is_gone`).
    #[error("410 gone: {url}{} was removed by its publisher{}",
        gone_via(.redirected.as_ref()),
        if self.is_gone() { " (look on its site for a new feed url)" } else { "" },
        url = shown(.url))]
    Gone {
        /// The URL that answered 410 (after redirects).
        url: String,
        /// How the URL asked for led to `url`, when it is not that URL. After a
        /// temporary redirect (302, 303, 307) only that target is gone, and the
        /// redirect may point elsewhere next time.
        redirected: Option<Redirected>,
    },

    /// The server asked to come back later than kb is willing to wait in one
    /// run. Its host is held until `until` (see `FetchError::HostWaiting`).
    #[error("{url} answered {status} and asks to retry after {}, longer than the {}s kb waits: try again after {}{}",
        wait(*.retry_after), .cap.as_secs(), date(*.until),
        if *.retry_after > crate::MAX_HOST_WAIT { " (kb waits a day at most)" } else { "" },
        url = shown(.url))]
    RetryLater {
        /// The URL being fetched.
        url: String,
        /// 429 or 503.
        status: u16,
        /// What the server's Retry-After asked for.
        retry_after: Duration,
        /// The longest wait kb accepts (`FetchOptions::max_retry_after`).
        cap: Duration,
        /// No request to the host before this: now plus `retry_after`, at
        /// most `MAX_HOST_WAIT`.
        until: SystemTime,
    },

    /// Not requested: its host asked, with a `Retry-After` longer than kb
    /// waits in one run, not to be asked before `until` (in this run, or in
    /// an earlier one: see `Limiter::hold_until`).
    #[error("{url} not requested: its host {host} asked to wait until {} (Retry-After)",
        date(*.until), url = shown(.url))]
    HostWaiting {
        /// The URL not requested.
        url: String,
        /// The host waited for, as messages name it.
        host: String,
        /// When the host may be asked again.
        until: SystemTime,
    },

    /// Any other unsuccessful status (other 4xx, 5xx after the retries, an
    /// unexpected 1xx or 3xx). The message ends with the likely way out.
    #[error("http {status}{} from {url}{}{}{}", reason(*.status), via(.redirected.as_ref()),
        tries(*.attempts), status_hint(*.status, .url), url = shown(.url))]
    Status {
        /// The URL that answered (after redirects).
        url: String,
        /// The HTTP status code.
        status: u16,
        /// How many attempts were made.
        attempts: u32,
        /// How the URL asked for led to `url`, when it is not that URL.
        redirected: Option<Redirected>,
    },

    /// A fetch task ended without an answer (it panicked); a bug in kb-fetch.
    #[error("internal error fetching {url}: {detail}", url = shown(.url), detail = shown(.detail))]
    Internal {
        /// The URL of the job.
        url: String,
        /// What the runtime said.
        detail: String,
    },
}

/// How a request reached the URL that answered, when that is not the URL
/// asked for: an error names the URL that answered, and the user looks for
/// the one they gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirected {
    /// The URL asked for.
    pub from: String,
    /// Whether every hop was permanent (301, 308): the feed's own address
    /// moved, rather than being sent elsewhere for now.
    pub permanent: bool,
}

impl std::fmt::Display for Redirected {
    /// ", reached by a permanent redirect from URL", to follow the URL that answered.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            ", reached by a {} redirect from {}",
            if self.permanent {
                "permanent"
            } else {
                "temporary"
            },
            shown(&self.from)
        )
    }
}

impl FetchError {
    /// The HTTP status behind this error, if the server answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::NotFound { .. } => Some(404),
            FetchError::Gone { .. } => Some(410),
            FetchError::RetryLater { status, .. } | FetchError::Status { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// Whether the feed asked for is gone for good: a 410 from its own URL,
    /// or from the URL that permanent redirects (301, 308) led to. A 410
    /// behind a temporary redirect says nothing of the feed's own URL.
    pub fn is_gone(&self) -> bool {
        matches!(
            self,
            FetchError::Gone { redirected, .. } if redirected.as_ref().is_none_or(|r| r.permanent)
        )
    }

    /// When a server asked for a longer wait than one run makes: a URL of
    /// the host to leave alone, and until when. A caller that remembers it
    /// across runs gives it back to `Limiter::hold_until`.
    pub fn host_wait(&self) -> Option<(&str, SystemTime)> {
        match self {
            FetchError::RetryLater { url, until, .. }
            | FetchError::HostWaiting { url, until, .. } => Some((url, *until)),
            _ => None,
        }
    }

    /// Records how many attempts the retry loop made, for the message.
    pub(crate) fn with_attempts(mut self, n: u32) -> Self {
        match &mut self {
            FetchError::Timeout { attempts, .. }
            | FetchError::NoAnswer { attempts, .. }
            | FetchError::ConnectTimeout { attempts, .. }
            | FetchError::Network { attempts, .. }
            | FetchError::Status { attempts, .. } => *attempts = n,
            _ => {}
        }
        self
    }
}

/// A URL (or a text that may hold one) as a message shows it: without its
/// password.
fn shown(text: &str) -> Cow<'_, str> {
    crate::redact::redact_credentials(text)
}

/// A feed file as messages name it: `kb parse -` and `kb sync --from -` read standard input
/// through its device path, which the user never typed.
/// Why a file could not be read, and the way out where there is one.
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::{IsADirectory, NotFound, PermissionDenied};
    match e.kind() {
        NotFound => "no such file (check the path; a feed on the web is read from its \
                     http:// or https:// url)"
            .into(),
        PermissionDenied => "permission denied (check the file's permissions)".into(),
        IsADirectory => "it is a directory: give the path of a feed file".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    }
}

fn file(path: &std::path::Path) -> String {
    if path == std::path::Path::new("/dev/stdin") {
        "standard input".into()
    } else {
        format!("feed file {}", path.display())
    }
}

/// " (after 4 attempts)" when there was more than one.
fn tries(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// A duration as people read it: "10 s", "0.2 s".
fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// A server's requested wait as people read it: "30s", "3600s (1 h)",
/// "more than a day" (a Retry-After of 2^64 seconds is no number to print).
fn wait(d: Duration) -> String {
    const DAY: u64 = 24 * 3600;
    let s = d.as_secs();
    match s {
        0..120 => format!("{s}s"),
        120..7200 => format!("{s}s ({} min)", s / 60),
        7200..=DAY => format!("{s}s ({} h)", s / 3600),
        _ => "more than a day".to_string(),
    }
}

/// A point in time as HTTP writes it: "Thu, 26 Nov 2026 15:00:00 GMT".
fn date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// " service unavailable" for 503: the canonical reason phrase, lowercase.
fn reason(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {}", r.to_lowercase()))
        .unwrap_or_default()
}

/// ", reached by a … redirect from URL", or nothing.
fn via(redirected: Option<&Redirected>) -> String {
    redirected.map(ToString::to_string).unwrap_or_default()
}

/// Where a 410 was reached from: after a temporary redirect, the feed's own URL is not what
/// is gone, and the message says so.
fn gone_via(redirected: Option<&Redirected>) -> String {
    match redirected {
        Some(r) if !r.permanent => format!(
            ", where {} redirects for now (a temporary redirect),",
            shown(&r.from)
        ),
        Some(r) => format!("{r},"),
        None => String::new(),
    }
}

/// The likely way out of a failing status, as "; what to do" (nothing where the status
/// says it all). `url` is the URL that answered it.
fn status_hint(status: u16, url: &str) -> &'static str {
    let has_login = url::Url::parse(url).is_ok_and(|u| !u.username().is_empty());
    match status {
        300 => {
            "; the server offers several documents instead of one: open the url in a browser and give the feed's own url"
        }
        401 if has_login => {
            "; the server refused the user name and password in the url: check them"
        }
        401 => {
            "; the feed needs a login: put it in the url before the host, as USER:PASSWORD@host (kb never prints the password)"
        }
        402 => "; the feed is behind a paywall",
        403 => {
            "; the server refuses kb's requests (perhaps it blocks unknown user agents, bots or this network): open the url in a browser, or ask the site's owner"
        }
        406 => "; the server offers no type of document kb accepts: tell the site's owner",
        407 => "; a proxy between kb and the server wants a login",
        429 => "; the server limits how often it is asked: try again later",
        451 => "; the publisher blocks it where you are (unavailable for legal reasons)",
        501 | 505 => "; the server cannot serve this request: check the feed url",
        500..=599 => "; the server is failing: try again later, or tell the site's owner",
        400..=499 => "; check the feed url",
        _ => "; an answer kb cannot use: open the url in a browser",
    }
}

/// A byte count as people write it: "20 MiB", "512 KiB", "100 bytes".
pub(crate) fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_lowercase_line() {
        let e = FetchError::Status {
            url: "http://x/feed".into(),
            status: 503,
            attempts: 4,
            redirected: None,
        };
        assert_eq!(
            e.to_string(),
            "http 503 service unavailable from http://x/feed (after 4 attempts); the server is failing: try again later, or tell the site's owner"
        );
        let e = FetchError::Timeout {
            url: "http://x/".into(),
            after: Duration::from_secs(60),
            attempts: 1,
        };
        assert!(
            e.to_string()
                .starts_with("timed out after 60s fetching http://x/")
        );
        assert_eq!(size(20 * 1024 * 1024), "20 MiB");
    }

    /// `kb parse -` over the cap said "feed file /dev/stdin is larger than ..."; elsewhere
    /// kb says "standard input".
    #[test]
    fn standard_input_is_named_as_such() {
        let e = FetchError::FileTooLarge {
            path: "/dev/stdin".into(),
            limit: 1024,
        };
        assert!(
            e.to_string().starts_with("standard input is larger than"),
            "{e}"
        );
        let e = FetchError::FileTooLarge {
            path: "feed.xml".into(),
            limit: 1024,
        };
        assert!(
            e.to_string().starts_with("feed file feed.xml is larger"),
            "{e}"
        );
    }

    /// What stalled is named only as far as it is known.
    #[test]
    fn timeouts_say_what_is_known_to_have_stalled() {
        let e = |handshake| FetchError::ConnectTimeout {
            url: "https://x/".into(),
            after: Duration::from_secs(10),
            attempts: 1,
            handshake,
        };
        assert_eq!(
            e(false).to_string(),
            "cannot connect to https://x/: no connection within 10 s (connect_timeout_secs in kb.toml [fetch])"
        );
        assert_eq!(
            e(true).to_string(),
            "cannot connect to https://x/: no connection, or no tls handshake on it, within 10 s (connect_timeout_secs in kb.toml [fetch])"
        );
        let e = |connected| FetchError::NoAnswer {
            url: "http://x/".into(),
            after: Duration::from_secs(8),
            attempts: 2,
            host_skipped: false,
            connected,
        };
        assert_eq!(
            e(true).to_string(),
            "no answer from http://x/: the server accepted the connection but did not send a complete response head within 8 s (after 2 attempts); it may be down, try again later"
        );
        assert_eq!(
            e(false).to_string(),
            "no answer from http://x/: no complete response head within 8 s (after 2 attempts), perhaps not even a connection; it may be down, try again later"
        );
    }

    /// Found by probing: `Retry-After: 99999999999999999999` was printed as
    /// "retry after 18446744073709551615s".
    #[test]
    fn long_waits_are_said_humanely() {
        let e = |secs| FetchError::RetryLater {
            url: "http://x/".into(),
            status: 429,
            retry_after: Duration::from_secs(secs),
            cap: Duration::from_secs(60),
            until: SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_723_418),
        };
        assert!(
            e(u64::MAX)
                .to_string()
                .contains("retry after more than a day,")
        );
        assert!(e(3600).to_string().contains("retry after 3600s (60 min),"));
        assert!(e(90).to_string().contains("retry after 90s,"));
        assert!(e(86400).to_string().contains("retry after 86400s (24 h),"));
        assert_eq!(size(1500), "1500 bytes");
        assert_eq!(
            e(3600).to_string(),
            "http://x/ answered 429 and asks to retry after 3600s (60 min), longer than the 60s kb waits: try again after Thu, 26 Nov 2026 20:03:38 GMT"
        );
        assert!(
            e(86401)
                .to_string()
                .ends_with("GMT (kb waits a day at most)")
        );
    }

    /// Found by probing `kb sync` with `http://user:secret@127.0.0.1:1/feed.xml`: the password
    /// was printed in every error line, so cron mail and CI logs carried it.
    #[test]
    fn passwords_in_urls_are_not_shown() {
        let url = "http://user:secret@127.0.0.1:1/feed.xml".to_string();
        let errors = [
            FetchError::Network {
                url: url.clone(),
                detail: "cannot connect: connection refused".into(),
                attempts: 3,
            },
            FetchError::RedirectLoop {
                url: url.clone(),
                location: url.clone(),
            },
            FetchError::Gone {
                url: url.clone(),
                redirected: Some(Redirected {
                    from: url.clone(),
                    permanent: false,
                }),
            },
            FetchError::InvalidUrl {
                url: url.clone(),
                reason: "x".into(),
            },
        ];
        for e in errors {
            let m = e.to_string();
            assert!(
                m.contains("user:***@127.0.0.1:1") && !m.contains("secret"),
                "{m}"
            );
        }
    }

    /// Found by probing `kb sync`: 401, 403, 451 and 300 said only the status, against the
    /// one-line cause-and-fix rule; 404 and 410 had their hints.
    #[test]
    fn failing_statuses_say_the_way_out() {
        let e = |status, url: &str| {
            FetchError::Status {
                url: url.into(),
                status,
                attempts: 1,
                redirected: None,
            }
            .to_string()
        };
        assert_eq!(
            e(401, "https://x/feed"),
            "http 401 unauthorized from https://x/feed; the feed needs a login: put it in the url before the host, as USER:PASSWORD@host (kb never prints the password)"
        );
        // Found by probing: the example was written as a URL with a password, so the
        // redaction every printed line goes through showed `user:***@` as what to type.
        let hint = e(401, "https://x/feed");
        assert_eq!(crate::redact_credentials(&hint), hint);
        assert_eq!(
            e(401, "https://me:secret@x/feed"),
            "http 401 unauthorized from https://me:***@x/feed; the server refused the user name and password in the url: check them"
        );
        assert!(
            e(403, "http://x/").contains(
                "; the server refuses kb's requests (perhaps it blocks unknown user agents"
            ),
            "{}",
            e(403, "http://x/")
        );
        assert!(
            e(451, "http://x/").ends_with(
                "; the publisher blocks it where you are (unavailable for legal reasons)"
            )
        );
        assert!(e(300, "http://x/").starts_with(
            "http 300 multiple choices from http://x/; the server offers several documents"
        ));
        assert!(e(418, "http://x/").ends_with("; check the feed url"));
        for status in [
            300, 400, 401, 402, 403, 405, 406, 407, 429, 451, 500, 501, 505, 599, 199, 399,
        ] {
            let m = e(status, "http://x/");
            assert!(!m.contains('\n') && m.matches("; ").count() == 1, "{m}");
        }
    }

    /// Found by probing `kb sync`: a 301 to a 404 named the target but not that a redirect led
    /// there, so the user checked a url in kb.toml that is not the one that failed.
    #[test]
    fn an_error_after_a_redirect_says_where_from() {
        let e = FetchError::NotFound {
            url: "http://x/new".into(),
            redirected: Some(Redirected {
                from: "http://u:pw@x/old".into(),
                permanent: true,
            }),
        };
        assert_eq!(
            e.to_string(),
            "404 not found: http://x/new, reached by a permanent redirect from http://u:***@x/old (check the feed url)"
        );
        let e = FetchError::Status {
            url: "http://x/login".into(),
            status: 403,
            attempts: 2,
            redirected: Some(Redirected {
                from: "http://x/feed".into(),
                permanent: false,
            }),
        };
        assert!(
            e.to_string().starts_with(
                "http 403 forbidden from http://x/login, reached by a temporary redirect from http://x/feed (after 2 attempts); "
            ),
            "{e}"
        );
    }
}
