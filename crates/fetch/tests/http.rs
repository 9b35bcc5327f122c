//! The HTTP contract of kb-fetch (issue 4.2), against a server on 127.0.0.1:
//! conditional requests, compression, redirects, statuses and retries.
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE.md)

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use common::{Reply, SEED, TestServer, quick};
use kb_fetch::{FetchError, FetchOptions, FetchOutcome, Fetcher, RawFeed, Validators};

fn fetcher() -> Fetcher {
    Fetcher::new(quick()).unwrap()
}

fn fetched(outcome: FetchOutcome) -> RawFeed {
    match outcome {
        FetchOutcome::Fetched(raw) => raw,
        other => panic!("expected a body, got {other:?}"),
    }
}

#[tokio::test]
async fn the_seed_comes_back_byte_for_byte_with_a_user_agent() {
    let server = TestServer::start(|req| {
        let ua = req.header("user-agent").unwrap_or_default();
        assert!(
            ua.starts_with("kb/") && ua.contains("(+https://github.com/kb-rss/kb)"),
            "{ua}"
        );
        assert!(
            req.header("accept")
                .unwrap()
                .contains("application/rss+xml")
        );
        // No validators stored: the request must be unconditional.
        assert!(req.header("if-none-match").is_none());
        assert!(req.header("if-modified-since").is_none());
        Reply::ok(SEED)
    })
    .await;
    let url = server.url("/feed/");
    let raw = fetched(fetcher().fetch(&url, &Validators::default()).await.unwrap());
    assert_eq!(raw.bytes, SEED);
    assert_eq!(raw.source, url);
    assert_eq!(raw.final_url.as_deref(), Some(url.as_str()));
    assert_eq!(raw.status, 200);
    assert_eq!(
        raw.content_type.as_deref(),
        Some("application/rss+xml; charset=UTF-8")
    );
    assert_eq!(raw.permanent_redirect, None);
    assert!(raw.validators.is_empty());
}

#[tokio::test]
async fn etag_round_trip_gives_304() {
    let server = TestServer::start(|req| {
        if req.header("if-none-match") == Some("W/\"v1\"") {
            Reply::status(304).header("ETag", "W/\"v1\"")
        } else {
            Reply::ok(SEED).header("ETag", "W/\"v1\"")
        }
    })
    .await;
    let fetcher = fetcher();
    let url = server.url("/feed/");
    let raw = fetched(fetcher.fetch(&url, &Validators::default()).await.unwrap());
    assert_eq!(raw.validators.etag.as_deref(), Some("W/\"v1\""));
    let again = fetcher.fetch(&url, &raw.validators).await.unwrap();
    assert_eq!(
        again,
        FetchOutcome::NotModified {
            final_url: url,
            permanent_redirect: None,
            validators: raw.validators.clone(),
        }
    );
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn last_modified_round_trip_gives_304_and_keeps_validators() {
    const STAMP: &str = "Tue, 15 Nov 1994 12:45:26 GMT";
    let server = TestServer::start(|req| match req.header("if-modified-since") {
        // The 304 carries no validators: the ones sent must be kept.
        Some(STAMP) => Reply::status(304),
        _ => Reply::ok(SEED).header("Last-Modified", STAMP),
    })
    .await;
    let fetcher = fetcher();
    let url = server.url("/feed/");
    let raw = fetched(fetcher.fetch(&url, &Validators::default()).await.unwrap());
    assert_eq!(raw.validators.last_modified.as_deref(), Some(STAMP));
    let again = fetcher.fetch(&url, &raw.validators).await.unwrap();
    assert!(
        matches!(again, FetchOutcome::NotModified { .. }),
        "{again:?}"
    );
    assert_eq!(again.validators(), &raw.validators);
}

#[tokio::test]
async fn a_304_with_a_new_etag_updates_it() {
    let server = TestServer::start(|_| Reply::status(304).header("ETag", "\"v2\"")).await;
    let sent = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Tue, 15 Nov 1994 12:45:26 GMT".into()),
        url: None,
    };
    let outcome = fetcher().fetch(&server.url("/"), &sent).await.unwrap();
    assert_eq!(outcome.validators().etag.as_deref(), Some("\"v2\""));
    assert_eq!(outcome.validators().last_modified, sent.last_modified);
}

/// Validators come from the URL that answered with them, the end of a temporary redirect:
/// they go back to it, not to the URL first asked for, which would hand them to whatever the
/// redirect points at next (a rotating mirror, another host) as if they were its own.
#[tokio::test]
async fn validators_after_a_temporary_redirect_go_only_to_the_url_that_sent_them() {
    let hits = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = hits.clone();
    let mirror = Arc::new(AtomicUsize::new(1));
    let target = mirror.clone();
    let server = TestServer::start(move |req| {
        log.lock().unwrap().push((
            req.path.clone(),
            req.header("if-none-match").map(str::to_string),
        ));
        match req.path.as_str() {
            "/feed" => Reply::redirect(
                302,
                &format!("/mirror{}/feed", target.load(Ordering::SeqCst)),
            ),
            p => {
                let etag = format!("\"{}\"", &p[1..8]);
                if req.header("if-none-match") == Some(etag.as_str()) {
                    Reply::status(304).header("ETag", &etag)
                } else {
                    Reply::ok(SEED).header("ETag", &etag)
                }
            }
        }
    })
    .await;
    let fetcher = fetcher();
    let url = server.url("/feed");
    let raw = fetched(fetcher.fetch(&url, &Validators::default()).await.unwrap());
    assert_eq!(raw.validators.etag.as_deref(), Some("\"mirror1\""));
    assert_eq!(
        raw.validators.url.as_deref(),
        Some(server.url("/mirror1/feed").as_str())
    );

    // Sent on the hop to the URL that issued them, not on the first request.
    let again = fetcher.fetch(&url, &raw.validators).await.unwrap();
    let FetchOutcome::NotModified { validators, .. } = &again else {
        panic!("{again:?}")
    };
    assert_eq!(validators, &raw.validators);
    assert_eq!(
        hits.lock().unwrap()[2..],
        [
            ("/feed".to_string(), None),
            ("/mirror1/feed".to_string(), Some("\"mirror1\"".to_string()))
        ]
    );

    // The redirect now leads elsewhere: nobody else gets them.
    mirror.store(2, Ordering::SeqCst);
    let moved = fetched(fetcher.fetch(&url, &raw.validators).await.unwrap());
    assert_eq!(moved.validators.etag.as_deref(), Some("\"mirror2\""));
    assert_eq!(
        hits.lock().unwrap()[4..],
        [
            ("/feed".to_string(), None),
            ("/mirror2/feed".to_string(), None)
        ]
    );
    assert!(!raw.validators.applies_to(&url, &url));
    assert!(
        raw.validators
            .applies_to(&url, &server.url("/mirror1/feed#top"))
    );
}

/// Validators that do not say where they came from are the requested URL's: they are sent to
/// it, and not on to where it redirects.
#[tokio::test]
async fn validators_without_their_url_go_only_to_the_url_asked_for() {
    let hits = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = hits.clone();
    let server = TestServer::start(move |req| {
        log.lock().unwrap().push((
            req.path.clone(),
            req.header("if-none-match").map(str::to_string),
        ));
        match req.path.as_str() {
            "/a" => Reply::redirect(307, "/b"),
            _ => Reply::ok(SEED),
        }
    })
    .await;
    let stored = Validators {
        etag: Some("\"a\"".into()),
        ..Validators::default()
    };
    fetched(fetcher().fetch(&server.url("/a"), &stored).await.unwrap());
    assert_eq!(
        *hits.lock().unwrap(),
        [
            ("/a".to_string(), Some("\"a\"".to_string())),
            ("/b".to_string(), None)
        ]
    );
}

async fn compressed(encoding: &'static str, encode: fn(&[u8]) -> Vec<u8>) {
    let server = TestServer::start(move |req| {
        let accepted = req.header("accept-encoding").unwrap_or_default();
        assert!(accepted.contains(encoding), "{accepted}");
        Reply::ok(encode(SEED)).header("Content-Encoding", encoding)
    })
    .await;
    let raw = fetched(
        fetcher()
            .fetch(&server.url("/"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(raw.bytes, SEED, "{encoding}");
}

#[tokio::test]
async fn gzip_body_is_decompressed() {
    compressed("gzip", common::gzip).await;
}

#[tokio::test]
async fn deflate_body_is_decompressed() {
    compressed("deflate", common::deflate).await;
}

#[tokio::test]
async fn brotli_body_is_decompressed() {
    compressed("br", common::brotli).await;
}

/// Serves SEED encoded by `encode` under the header value `header` and
/// checks that it comes back decoded.
async fn decoded_as(header: &'static str, encode: fn(&[u8]) -> Vec<u8>) {
    let server =
        TestServer::start(move |_| Reply::ok(encode(SEED)).header("Content-Encoding", header))
            .await;
    let raw = fetched(
        fetcher()
            .fetch(&server.url("/"), &Validators::default())
            .await
            .unwrap_or_else(|e| panic!("Content-Encoding: {header}: {e}")),
    );
    assert!(raw.bytes == SEED, "Content-Encoding: {header}: not decoded");
}

#[tokio::test]
async fn content_codings_are_case_insensitive() {
    // RFC 9110 §8.4.1: "All content codings are case-insensitive".
    decoded_as("GZIP", common::gzip).await;
    decoded_as("Gzip", common::gzip).await;
    decoded_as("DEFLATE", common::deflate).await;
    decoded_as("BR", common::brotli).await;
}

#[tokio::test]
async fn x_gzip_is_gzip() {
    // RFC 9110 §8.4.1.3: a recipient SHOULD treat x-gzip as gzip.
    decoded_as("x-gzip", common::gzip).await;
}

#[tokio::test]
async fn a_list_of_codings_is_undone_last_first() {
    decoded_as("gzip, identity", common::gzip).await;
    decoded_as("identity", |b| b.to_vec()).await;
    decoded_as(" gzip ,", common::gzip).await;
    // Applied in the order listed, so undone in reverse (RFC 9110 §8.4).
    decoded_as("gzip, br", |b| common::brotli(&common::gzip(b))).await;
}

#[tokio::test]
async fn raw_deflate_is_decompressed_too() {
    // Some servers send raw deflate as "deflate"; browsers accept it, so do we.
    decoded_as("deflate", common::deflate_raw).await;
    // A tiny body too: the zlib-or-raw guess needs its first two bytes.
    let server = TestServer::start(|_| {
        Reply::ok(common::deflate_raw(b"<rss/>")).header("Content-Encoding", "deflate")
    })
    .await;
    let raw = fetched(
        fetcher()
            .fetch(&server.url("/"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(raw.bytes, b"<rss/>");
}

#[tokio::test]
async fn a_corrupt_gzip_body_is_a_decode_error_and_not_retried() {
    let server = TestServer::start(|_| {
        let mut body = common::gzip(SEED);
        let mid = body.len() / 2;
        body[mid..mid + 64].fill(0xAA);
        Reply::ok(body).header("Content-Encoding", "gzip")
    })
    .await;
    let err = fetcher()
        .fetch(&server.url("/"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Decode { .. }), "{err}");
    assert_eq!(server.requests(), 1);
}

/// /a → 302 /b → 301 /c → 200, and so on; each test picks its chain.
async fn redirects() -> TestServer {
    TestServer::start(|req| match req.path.as_str() {
        // temporary first: nothing to store, however permanent the rest
        "/t1" => Reply::redirect(302, "/t2"),
        "/t2" => Reply::redirect(301, "/feed"),
        // all permanent, relative and absolute Locations: store the end
        "/p1" => Reply::redirect(301, "p2"),
        "/p2" => Reply::redirect(308, "/feed?x=1"),
        // permanent then temporary: store up to the last permanent hop
        "/m1" => Reply::redirect(301, "/m2"),
        "/m2" => Reply::redirect(307, "/feed"),
        "/loop1" => Reply::redirect(302, "/loop2"),
        "/loop2" => Reply::redirect(302, "/loop1#again"),
        p if p.starts_with("/hop/") => {
            let n: u32 = p[5..].parse().unwrap();
            Reply::redirect(302, &format!("/hop/{}", n + 1))
        }
        p if p.starts_with("/feed") => Reply::ok(SEED),
        _ => Reply::status(404),
    })
    .await
}

#[tokio::test]
async fn a_redirect_chain_is_followed_and_only_an_all_permanent_prefix_is_stored() {
    let server = redirects().await;
    let fetcher = fetcher();
    let get = |path: &'static str| {
        let url = server.url(path);
        let fetcher = fetcher.clone();
        async move { fetched(fetcher.fetch(&url, &Validators::default()).await.unwrap()) }
    };

    let raw = get("/t1").await;
    assert_eq!(raw.bytes, SEED);
    assert_eq!(raw.source, server.url("/t1"));
    assert_eq!(raw.final_url, Some(server.url("/feed")));
    assert_eq!(
        raw.permanent_redirect, None,
        "302 first: the stored URL stays"
    );

    let raw = get("/p1").await;
    assert_eq!(raw.final_url, Some(server.url("/feed?x=1")));
    assert_eq!(
        raw.permanent_redirect,
        Some(server.url("/feed?x=1")),
        "301 then 308"
    );

    let raw = get("/m1").await;
    assert_eq!(raw.final_url, Some(server.url("/feed")));
    assert_eq!(
        raw.permanent_redirect,
        Some(server.url("/m2")),
        "301 then 307"
    );
}

#[tokio::test]
async fn a_permanent_redirect_is_reported_on_304_too() {
    let server = TestServer::start(|req| match req.path.as_str() {
        "/old" => Reply::redirect(301, "/new"),
        _ => Reply::status(304),
    })
    .await;
    let etag = Validators {
        etag: Some("\"e\"".into()),
        ..Validators::default()
    };
    let outcome = fetcher().fetch(&server.url("/old"), &etag).await.unwrap();
    assert_eq!(
        outcome.permanent_redirect(),
        Some(server.url("/new").as_str())
    );
}

#[tokio::test]
async fn a_redirect_loop_is_detected() {
    let server = redirects().await;
    let err = fetcher()
        .fetch(&server.url("/loop1"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::RedirectLoop { .. }), "{err}");
    assert!(err.to_string().contains("redirect loop"), "{err}");
    assert_eq!(server.requests(), 2, "no retry");
}

#[tokio::test]
async fn at_most_five_redirects_are_followed() {
    let server = redirects().await;
    let err = fetcher()
        .fetch(&server.url("/hop/0"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { max: 5, .. }),
        "{err}"
    );
    assert_eq!(server.requests(), 6, "the first request and five redirects");

    // Five are fine: /hop/0 .. /hop/4 then /feed.
    let server = TestServer::start(|req| match req.path.as_str() {
        "/hop/5" => Reply::ok(SEED),
        p => Reply::redirect(301, &format!("/hop/{}", p[5..].parse::<u32>().unwrap() + 1)),
    })
    .await;
    let raw = fetched(
        fetcher()
            .fetch(&server.url("/hop/0"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(raw.permanent_redirect, Some(server.url("/hop/5")));
}

#[tokio::test]
async fn not_found_is_an_error_and_not_retried() {
    let server = TestServer::start(|_| Reply::status(404)).await;
    let url = server.url("/feed/");
    let err = fetcher()
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::NotFound { url: u, redirected: None } if *u == url),
        "{err}"
    );
    assert_eq!(err.status(), Some(404));
    assert_eq!(
        err.to_string(),
        format!("404 not found: {url} (check the feed url)")
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn gone_is_its_own_error_so_the_feed_can_be_marked_dead() {
    let server = TestServer::start(|_| Reply::status(410)).await;
    let err = fetcher()
        .fetch(&server.url("/feed/"), &Validators::default())
        .await
        .unwrap_err();
    assert!(err.is_gone(), "{err}");
    // Whether that makes the feed dead is the caller's to say: a backfill page gone is not.
    assert_eq!(
        err.to_string(),
        format!(
            "410 gone: {} was removed by its publisher (look on its site for a new feed url)",
            server.url("/feed/")
        )
    );
    assert_eq!(server.requests(), 1);
}

/// Found by probing `kb sync`: a feed whose URL answered 302 to a URL answering 410 was marked
/// dead for good, though a temporary redirect says the feed's own URL is still the one to ask
/// (and it may point elsewhere next time). Permanent redirects hand the verdict on.
#[tokio::test]
async fn a_410_behind_a_temporary_redirect_is_not_the_feed_gone() {
    let server = TestServer::start(|req| match req.path.as_str() {
        "/temp" => Reply::redirect(302, "/gone"),
        "/see-other" => Reply::redirect(303, "/gone"),
        "/perm" => Reply::redirect(301, "/gone"),
        "/perm-then-temp" => Reply::redirect(308, "/temp"),
        _ => Reply::status(410),
    })
    .await;
    let fetch = |path: &str| {
        let url = server.url(path);
        async move {
            fetcher()
                .fetch(&url, &Validators::default())
                .await
                .unwrap_err()
        }
    };
    for path in ["/temp", "/see-other", "/perm-then-temp"] {
        let err = fetch(path).await;
        assert!(!err.is_gone(), "{path}: {err}");
        assert_eq!(err.status(), Some(410));
        assert_eq!(
            err.to_string(),
            format!(
                "410 gone: {}, where {} redirects for now (a temporary redirect), was removed by its publisher",
                server.url("/gone"),
                server.url(path)
            )
        );
    }
    // Found by probing: a 410 reached by a permanent redirect did not name it (404, 401 and
    // 403 do), so the error named a URL the user never gave.
    let err = fetch("/perm").await;
    assert!(err.is_gone());
    assert_eq!(
        err.to_string(),
        format!(
            "410 gone: {}, reached by a permanent redirect from {}, was removed by its publisher (look on its site for a new feed url)",
            server.url("/gone"),
            server.url("/perm")
        )
    );
}

#[tokio::test]
async fn other_client_errors_name_the_status_and_are_not_retried() {
    let server = TestServer::start(|_| Reply::status(403)).await;
    let url = server.url("/feed/");
    let err = fetcher()
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "http 403 forbidden from {url}; the server refuses kb's requests (perhaps it blocks unknown user agents, bots or this network): open the url in a browser, or ask the site's owner"
        )
    );
    assert_eq!(err.status(), Some(403));
    assert_eq!(server.requests(), 1);
}

/// A server that answers `first` to the first `n` requests, then the seed.
async fn flaky(n: usize, first: impl Fn() -> Reply + Send + Sync + 'static) -> TestServer {
    let count = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |_| {
        if count.fetch_add(1, Ordering::SeqCst) < n {
            first()
        } else {
            Reply::ok(SEED)
        }
    })
    .await
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after_then_succeeds() {
    let server = flaky(1, || Reply::status(429).header("Retry-After", "1")).await;
    let started = Instant::now();
    let raw = fetched(
        fetcher()
            .fetch(&server.url("/"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(raw.bytes, SEED);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = flaky(1, || {
        let when = SystemTime::now() + Duration::from_secs(1);
        Reply::status(503).header("Retry-After", &httpdate::fmt_http_date(when))
    })
    .await;
    let raw = fetched(
        fetcher()
            .fetch(&server.url("/"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(raw.bytes, SEED);
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_cap_is_not_waited_for() {
    let server = TestServer::start(|_| Reply::status(429).header("Retry-After", "3600")).await;
    let started = Instant::now();
    let err = fetcher()
        .fetch(&server.url("/"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::RetryLater { status: 429, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("retry after 3600s"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_server_error_is_retried_then_succeeds() {
    let server = flaky(1, || Reply::status(500)).await;
    let raw = fetched(
        fetcher()
            .fetch(&server.url("/"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(raw.bytes, SEED);
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = TestServer::start(|_| Reply::status(503)).await;
    let url = server.url("/");
    let err = fetcher()
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Status {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "http 503 service unavailable from {url} (after 3 attempts); the server is failing: try again later, or tell the site's owner"
        )
    );
    assert_eq!(server.requests(), 3, "one try and max_retries = 2 retries");

    let no_retries = Fetcher::new(FetchOptions {
        max_retries: 0,
        ..quick()
    })
    .unwrap();
    let server = TestServer::start(|_| Reply::status(502)).await;
    no_retries
        .fetch(&server.url("/"), &Validators::default())
        .await
        .unwrap_err();
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error_after_retries() {
    // Bind then drop a listener: its port is now (almost surely) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/feed/");
    let err = fetcher()
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Network { attempts: 3, .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("network error fetching {url}: cannot connect")),
        "{message}"
    );
}

#[tokio::test]
async fn an_invalid_url_is_refused_before_any_request() {
    let err = fetcher()
        .fetch("ftp://example.com/feed", &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::InvalidUrl { .. }), "{err}");
}

#[tokio::test]
async fn a_compressed_body_kb_cannot_decode_is_not_passed_on_as_a_document() {
    // gzip bytes without a Content-Encoding: passing them on made the parser
    // print binary ("not a feed: document starts with \u{1f}‹…").
    let server = TestServer::start(|_| Reply::ok(common::gzip(SEED))).await;
    let err = fetcher()
        .fetch(&server.url("/"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Decode { .. }), "{err}");
    assert!(
        err.to_string().contains("body is gzip-compressed but"),
        "{err}"
    );
    assert_eq!(server.requests(), 1);

    // A coding kb never asked for.
    let server =
        TestServer::start(|_| Reply::ok(common::gzip(SEED)).header("Content-Encoding", "compress"))
            .await;
    let err = fetcher()
        .fetch(&server.url("/"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Decode { .. }), "{err}");
    assert!(err.to_string().contains("compress-compressed"), "{err}");
}

#[tokio::test]
async fn https_to_a_plain_http_port_is_not_retried() {
    // A TLS protocol error will be the same a second later. The server
    // answers the ClientHello in plain HTTP, as a web server does.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    let url = format!("https://127.0.0.1:{port}/feed/");
    let started = Instant::now();
    let err = Fetcher::new(FetchOptions {
        backoff_base: Duration::from_millis(300),
        ..quick()
    })
    .unwrap()
    .fetch(&url, &Validators::default())
    .await
    .unwrap_err();
    assert!(
        matches!(err, FetchError::Network { attempts: 1, .. }),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_millis(300), "{err}");
}

/// Fetches `body` served with `Content-Encoding: header`.
async fn served_as(header: &'static str, body: Vec<u8>) -> Result<RawFeed, FetchError> {
    let server =
        TestServer::start(move |_| Reply::ok(body.clone()).header("Content-Encoding", header))
            .await;
    fetcher()
        .fetch(&server.url("/"), &Validators::default())
        .await
        .map(fetched)
}

/// Found by probing `kb sync` (feedparser reads all of these): `gzip` on a
/// plain body, a charset or `none` in Content-Encoding, and a gzip body with
/// NUL padding or garbage after it all failed the feed.
#[tokio::test]
async fn a_content_encoding_that_lies_is_got_around_with_a_warning() {
    for header in [
        "gzip",
        "x-gzip",
        "gzip, gzip",
        "deflate",
        "br",
        "UTF-8",
        "none",
    ] {
        let raw = served_as(header, SEED.to_vec())
            .await
            .unwrap_or_else(|e| panic!("Content-Encoding: {header}: {e}"));
        assert!(raw.bytes == SEED, "Content-Encoding: {header}");
        assert_eq!(raw.warnings.len(), 1, "{header}: {:?}", raw.warnings);
        assert!(raw.warnings[0].contains("read as is"), "{:?}", raw.warnings);
    }
    // A byte order mark, JSON and leading whitespace start documents too.
    for body in [&b"\xEF\xBB\xBF<rss/>"[..], b"{\"items\":[]}", b"\n  <rss/>"] {
        let raw = served_as("gzip", body.to_vec()).await.unwrap();
        assert_eq!(raw.bytes, body);
    }

    let mut padded = common::gzip(SEED);
    padded.extend_from_slice(&[0; 16]);
    let raw = served_as("gzip", padded).await.unwrap();
    assert!(raw.bytes == SEED);
    assert_eq!(
        raw.warnings,
        [
            "ignored 16 bytes after the end of the gzip data (padding or garbage the server appended)"
        ]
    );
    let mut trailing = common::gzip(SEED);
    trailing.extend_from_slice(b"GARBAGE-TRAILING-BYTES");
    let raw = served_as("gzip", trailing).await.unwrap();
    assert!(raw.bytes == SEED);
    assert_eq!(raw.warnings.len(), 1);

    // Two members are still one body, without a warning.
    let (a, b) = SEED.split_at(300);
    let mut two = common::gzip(a);
    two.extend_from_slice(&common::gzip(b));
    let raw = served_as("gzip", two).await.unwrap();
    assert!(raw.bytes == SEED);
    assert!(raw.warnings.is_empty(), "{:?}", raw.warnings);
}

#[tokio::test]
async fn a_body_that_is_neither_compressed_nor_a_document_is_still_refused() {
    // Not gzip, and no document either: the header is not what is wrong.
    let err = served_as("gzip", b"\x00\x01garbage".to_vec())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not decompress"), "{err}");
    let err = served_as("UTF-8", common::gzip(SEED)).await.unwrap_err();
    assert!(err.to_string().contains("utf-8-compressed"), "{err}");
}

#[tokio::test]
async fn a_gzip_bomb_labelled_twice_or_padded_is_still_capped() {
    let mut bomb = common::gzip_zeros(8);
    bomb.extend_from_slice(&[0; 16]);
    let server =
        TestServer::start(move |_| Reply::ok(bomb.clone()).header("Content-Encoding", "gzip"))
            .await;
    let err = Fetcher::new(FetchOptions {
        max_body_bytes: 1024 * 1024,
        ..common::quick()
    })
    .unwrap()
    .fetch(&server.url("/"), &Validators::default())
    .await
    .unwrap_err();
    assert!(matches!(err, FetchError::BodyTooLarge { .. }), "{err}");
}

/// Found by probing `kb sync`: a body gzipped twice under `Content-Encoding: gzip` (a server
/// compressing an already compressed `.xml.gz`) was refused as "gzip-compressed but its
/// Content-Encoding does not say so", sending the user to a header that was right. Browsers and
/// feedparser undo the Content-Encoding once and cannot read it either, so kb refuses it too,
/// for what it is.
#[tokio::test]
async fn a_body_compressed_twice_is_refused_for_what_it_is() {
    let twice = common::gzip(&common::gzip(SEED));
    let server = TestServer::start(move |req| {
        let reply = Reply::ok(twice.clone());
        if req.path == "/labelled" {
            reply.header("Content-Encoding", "gzip")
        } else {
            reply
        }
    })
    .await;
    let err = fetcher()
        .fetch(&server.url("/labelled"), &Validators::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot decode the body of {}: the body is still gzip-compressed after undoing its Content-Encoding (gzip): the server compressed it twice (a compressed file such as feed.xml.gz, compressed again); tell the site's owner",
            server.url("/labelled")
        )
    );
    // Without a Content-Encoding, the header is what is missing.
    let err = fetcher()
        .fetch(&server.url("/bare"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("the body is gzip-compressed but its Content-Encoding does not say so"),
        "{err}"
    );
}

/// Found by probing `kb sync`: `Location: /caf\xE9.xml`, one raw ISO-8859-1 byte as old IIS
/// and Apache servers send a file name, became `caf%EF%BF%BD.xml` and the feed a 404. The byte
/// is kept and percent-encoded, as browsers and feedparser do.
#[tokio::test]
async fn a_location_in_latin_1_is_followed_byte_for_byte() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&request)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            let path = line.split(' ').nth(1).unwrap_or_default().to_string();
            log.lock().unwrap().push(path.clone());
            let mut reply = Vec::new();
            if path == "/old" {
                reply.extend_from_slice(b"HTTP/1.1 302 Found\r\nLocation: /caf\xE9.xml\r\n");
                reply.extend_from_slice(b"Content-Length: 0\r\nConnection: close\r\n\r\n");
            } else if path == "/caf%E9.xml" {
                reply.extend_from_slice(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        SEED.len()
                    )
                    .as_bytes(),
                );
                reply.extend_from_slice(SEED);
            } else {
                reply.extend_from_slice(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
            let _ = stream.write_all(&reply).await;
            let _ = stream.shutdown().await;
        }
    });
    let raw = fetched(
        fetcher()
            .fetch(
                &format!("http://127.0.0.1:{port}/old"),
                &Validators::default(),
            )
            .await
            .unwrap(),
    );
    assert!(raw.bytes == SEED);
    assert_eq!(
        raw.final_url.as_deref(),
        Some(format!("http://127.0.0.1:{port}/caf%E9.xml").as_str())
    );
    assert_eq!(*asked.lock().unwrap(), ["/old", "/caf%E9.xml"]);
}

/// Found by probing `kb sync`: `url = "feed://..."` in kb.toml failed the feed, while `kb feed
/// add` and `import` read the same URL as http.
#[tokio::test]
async fn a_feed_scheme_url_is_fetched_over_http() {
    let server = TestServer::start(|_| Reply::ok(SEED)).await;
    let url = server.url("/feed/").replacen("http://", "feed://", 1);
    let raw = fetched(fetcher().fetch(&url, &Validators::default()).await.unwrap());
    assert!(raw.bytes == SEED);
    assert_eq!(raw.source, url);
    assert_eq!(
        raw.final_url.as_deref(),
        Some(server.url("/feed/").as_str())
    );
}

/// Found by probing `kb sync`: the password of a `user:pass@` feed URL was printed in every
/// error line, and so in cron mail and CI logs.
#[tokio::test]
async fn a_password_in_the_url_is_sent_but_never_shown() {
    let server = TestServer::start(|req| {
        if req.header("Authorization") == Some("Basic dXNlcjpzZWNyZXQ=") {
            Reply::status(404)
        } else {
            Reply::status(401)
        }
    })
    .await;
    let url = server.url("/feed/").replacen("://", "://user:secret@", 1);
    let err = fetcher()
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::NotFound { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "404 not found: {} (check the feed url)",
            url.replace("secret", "***")
        )
    );
    let err = fetcher()
        .fetch(
            "http://user:secret@127.0.0.1:1/feed.xml",
            &Validators::default(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("network error fetching http://user:***@127.0.0.1:1/feed.xml: "),
        "{err}"
    );
}
