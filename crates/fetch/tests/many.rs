//! Many feeds at once (issue 4.3), feed discovery (issue 4.1), and the file
//! path, all against servers on 127.0.0.1.
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE.md)

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{Body, Reply, SEED, TestServer, quick};
use kb_fetch::{
    ConcurrencyLimits, FetchError, FetchJob, FetchOutcome, Fetcher, Validators, discover_feeds,
    looks_like_html, read_file,
};

fn slow_feed(_: &common::Request) -> Reply {
    Reply::ok(SEED).delay(Duration::from_millis(100))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_more_than_per_host_requests_to_one_host() {
    let server = TestServer::start(slow_feed).await;
    let jobs = (0..10)
        .map(|i| FetchJob::new(server.url(&format!("/feed/{i}"))))
        .collect();
    let limits = ConcurrencyLimits {
        global: 16,
        per_host: 2,
    };
    let mut results = Fetcher::new(quick()).unwrap().fetch_all(jobs, limits);
    while let Some((_, result)) = results.recv().await {
        result.unwrap();
    }
    assert_eq!(server.requests(), 10);
    assert_eq!(server.max_in_flight(), 2, "two at a time, no more, no less");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_more_than_global_requests_in_all() {
    // Three hosts (127.0.0.1, .2, .3) counting into one tally.
    let a = TestServer::start(slow_feed).await;
    let b = a.sibling("127.0.0.2", slow_feed).await;
    let c = a.sibling("127.0.0.3", slow_feed).await;
    let jobs = [&a, &b, &c]
        .iter()
        .flat_map(|s| (0..4).map(|i| FetchJob::new(s.url(&format!("/{i}")))))
        .collect();
    let limits = ConcurrencyLimits {
        global: 3,
        per_host: 4,
    };
    let mut results = Fetcher::new(quick()).unwrap().fetch_all(jobs, limits);
    let mut n = 0;
    while let Some((_, result)) = results.recv().await {
        result.unwrap();
        n += 1;
    }
    assert_eq!(n, 12);
    assert_eq!(a.max_in_flight(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_feeds_where_five_fail_and_forty_five_succeed() {
    let server = TestServer::start(|req| match req.path.as_str() {
        "/feed/3" => Reply::status(404),
        "/feed/14" => Reply::status(410),
        "/feed/25" => Reply::status(500),
        "/feed/36" => Reply::status(200).with_body(Body::Stall {
            sent: SEED[..100].to_vec(),
            announced: SEED.len(),
        }),
        // gzip's magic, then no gzip: a plain body labelled gzip is read as is.
        "/feed/47" => {
            Reply::ok(&b"\x1f\x8b not gzip after all"[..]).header("Content-Encoding", "gzip")
        }
        _ => Reply::ok(SEED).delay(Duration::from_millis(20)),
    })
    .await;
    let jobs: Vec<FetchJob> = (0..50)
        .map(|i| FetchJob {
            url: server.url(&format!("/feed/{i}")),
            validators: Validators::default(),
            // The staller's own timeout: the others keep the default.
            timeout: (i == 36).then_some(Duration::from_millis(300)),
        })
        .collect();
    let fetcher = Fetcher::new(quick()).unwrap();
    let mut results = fetcher.fetch_all(jobs, ConcurrencyLimits::default());
    assert_eq!(results.remaining(), 50);
    let mut seen = HashSet::new();
    let mut failed = Vec::new();
    while let Some((index, result)) = results.recv().await {
        assert!(seen.insert(index), "job {index} reported twice");
        match result {
            Ok(FetchOutcome::Fetched(raw)) => {
                assert_eq!(raw.bytes, SEED);
                assert_eq!(raw.source, server.url(&format!("/feed/{index}")));
            }
            Ok(other) => panic!("{other:?}"),
            Err(err) => failed.push((index, err)),
        }
    }
    failed.sort_by_key(|(i, _)| *i);
    let indices: Vec<usize> = failed.iter().map(|(i, _)| *i).collect();
    assert_eq!(indices, [3, 14, 25, 36, 47]);
    assert_eq!(seen.len(), 50);
    assert!(matches!(failed[0].1, FetchError::NotFound { .. }));
    assert!(matches!(failed[1].1, FetchError::Gone { .. }));
    assert!(matches!(
        failed[2].1,
        FetchError::Status {
            status: 500,
            attempts: 3,
            ..
        }
    ));
    assert!(matches!(failed[3].1, FetchError::Timeout { .. }));
    assert!(matches!(failed[4].1, FetchError::Decode { .. }));
}

#[tokio::test]
async fn results_can_be_read_as_a_stream() {
    use futures_util::StreamExt;
    let server = TestServer::start(|_| Reply::ok(SEED)).await;
    let jobs = vec![FetchJob::new(server.url("/a")), FetchJob::new("not a url")];
    let results = Fetcher::new(quick())
        .unwrap()
        .fetch_all(jobs, ConcurrencyLimits::default());
    let mut all: Vec<_> = results.collect().await;
    all.sort_by_key(|(i, _)| *i);
    assert!(all[0].1.is_ok());
    assert!(matches!(all[1].1, Err(FetchError::InvalidUrl { .. })));
}

#[tokio::test]
async fn a_blog_home_page_leads_to_its_feed() {
    let server = TestServer::start(|req| match req.path.as_str() {
        "/" => Reply::status(200)
            .header("Content-Type", "text/html; charset=UTF-8")
            .body(
                r#"<!DOCTYPE html><html><head><title>smbITpros</title>
                <link rel="alternate" type="application/rss+xml" title="smbITpros &raquo; Feed" href="/feed/">
                <link rel="alternate" type="application/rss+xml" title="Comments Feed" href="/comments/feed/">
                </head><body>Welcome</body></html>"#,
            ),
        "/feed/" => Reply::ok(SEED),
        _ => Reply::status(404),
    })
    .await;
    let fetcher = Fetcher::new(quick()).unwrap();
    let FetchOutcome::Fetched(page) = fetcher
        .fetch(&server.url("/"), &Validators::default())
        .await
        .unwrap()
    else {
        panic!("no page");
    };
    assert!(looks_like_html(&page));
    let html = String::from_utf8_lossy(&page.bytes);
    let feeds = discover_feeds(&html, page.final_url.as_deref().unwrap());
    assert_eq!(feeds, [server.url("/feed/"), server.url("/comments/feed/")]);
    let FetchOutcome::Fetched(feed) = fetcher
        .fetch(&feeds[0], &Validators::default())
        .await
        .unwrap()
    else {
        panic!("no feed");
    };
    assert!(!looks_like_html(&feed));
    assert_eq!(feed.bytes, SEED);
}

#[test]
fn a_file_gives_the_same_bytes_as_http() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/smbitpros.xml");
    let raw = read_file(&path, 20 * 1024 * 1024).unwrap();
    assert_eq!(raw.bytes, SEED);
    assert_eq!(raw.source, path.display().to_string());
    assert_eq!(raw.final_url, None);
    assert!(!looks_like_html(&raw));

    let err = read_file(&path, 1000).unwrap_err();
    assert!(matches!(err, FetchError::FileTooLarge { limit: 1000, .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "feed file {} is larger than the 1000 bytes limit (raise [fetch] max_body_bytes \
             in kb.toml if the feed is really that big)",
            path.display()
        )
    );

    let missing = path.with_file_name("no-such-feed.xml");
    let err = read_file(&missing, 1000).unwrap_err();
    // The OS error in words, with the way out; not as a source, whose "(os error 2)" the
    // CLI printed after it (found by probing as a new user).
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read feed file {}: no such file (check the path; a feed on the web is read \
             from its http:// or https:// url)",
            missing.display()
        )
    );
    assert!(std::error::Error::source(&err).is_none());
}
