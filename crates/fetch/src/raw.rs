//! `RawFeed`, the value this crate hands on, and reading one from a file.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::FetchError;

/// The bytes of one feed document, exactly as the server or the file gave
/// them (after HTTP content decoding), with what is known about where they
/// came from. Parsing them is kb-parse's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFeed {
    /// The URL or path as the caller gave it.
    pub source: String,
    /// The URL the bytes were finally served from, after redirects; `None`
    /// for a file.
    pub final_url: Option<String>,
    /// The body, decompressed, at most the configured cap.
    pub bytes: Vec<u8>,
    /// The `Content-Type` header as sent (it is often wrong for feeds; do not
    /// trust it over the bytes).
    pub content_type: Option<String>,
    /// Validators for the next conditional request: those of the final
    /// response, with `final_url` as their `url`.
    pub validators: Validators,
    /// The HTTP status of the final response; 200 for a file, so callers can
    /// treat both alike.
    pub status: u16,
    /// Set when the request was redirected permanently (301 or 308, RFC 9110
    /// §15.4.2 and §15.4.9): the URL the feed should be stored under from now
    /// on. It is the target of the last permanent hop of an unbroken run of
    /// permanent hops from the start, so a temporary hop (302, 303, 307) stops
    /// it from going further.
    pub permanent_redirect: Option<String>,
    /// What was wrong with the response but got around, one line each: a
    /// `Content-Encoding` that does not match the body, bytes after the end
    /// of the gzip data. Empty for a file.
    pub warnings: Vec<String>,
}

/// The validators of a stored response, sent back on the next request so the
/// server can answer 304 Not Modified (RFC 9110 §13.1, RFC 9111 §4.3.1).
///
/// Keep them with the feed, and save new ones only after the articles they
/// cover are committed (issue 4): a crash in between must not make kb skip
/// content forever.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Validators {
    /// The `ETag` header, opaque, quotes and `W/` prefix included; sent back
    /// verbatim as `If-None-Match`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` header, sent back verbatim as `If-Modified-Since`
    /// (RFC 9110 §13.1.3 asks for the exact string, not a reformatted date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The URL that answered with them. They mean something only to it: a
    /// fetch sends them on its request to that URL, whichever hop of a
    /// redirect chain it is, and on no other (a temporary redirect may point
    /// elsewhere next time, to a server that never issued them). `None`: the
    /// URL the fetch asks for. A fetch returns them with it set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Validators {
    /// True when there is nothing to send, so the request is unconditional.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// Whether a fetch of `requested` sends these validators on its request
    /// to `hop` (`requested` itself, or a redirect's target): there are some,
    /// and `hop` is the URL that answered with them. URLs compare as parsed
    /// (host case, a default port, a fragment do not matter).
    pub fn applies_to(&self, requested: &str, hop: &str) -> bool {
        !self.is_empty() && same_url(self.url.as_deref().unwrap_or(requested), hop)
    }
}

fn same_url(a: &str, b: &str) -> bool {
    let parse = |s: &str| {
        url::Url::parse(s.trim()).ok().map(|mut u| {
            u.set_fragment(None);
            u
        })
    };
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// Reads a feed document from a file, refusing files larger than `max_bytes`.
///
/// The cap is checked against the file's size first and again while reading,
/// so a file that grows, or a device such as `/dev/zero`, cannot exhaust
/// memory.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<RawFeed, FetchError> {
    let io = |error| FetchError::Io {
        path: path.to_path_buf(),
        error,
    };
    let too_large = || FetchError::FileTooLarge {
        path: path.to_path_buf(),
        limit: max_bytes,
    };
    let file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > max_bytes {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // One byte over the cap is enough to know the file is too large.
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(RawFeed {
        source: path.display().to_string(),
        final_url: None,
        bytes,
        content_type: None,
        validators: Validators::default(),
        status: 200,
        permanent_redirect: None,
        warnings: Vec::new(),
    })
}
