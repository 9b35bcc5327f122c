//! Hostile and broken servers (issue 4.2): stalls, huge bodies, compression
//! bombs, and a feed served as the wrong type. Each must be refused quickly,
//! with bounded memory, or (for the last) accepted.
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE.md)

mod common;

use std::time::{Duration, Instant};

use common::{Body, Reply, SEED, TestServer, quick};
use kb_fetch::{FetchError, FetchOptions, FetchOutcome, Fetcher, Validators, looks_like_html};

const MIB: u64 = 1024 * 1024;

fn no_retries() -> Fetcher {
    Fetcher::new(FetchOptions {
        total_timeout: Duration::from_secs(1),
        max_retries: 0,
        ..quick()
    })
    .unwrap()
}

#[tokio::test]
async fn a_body_that_stalls_half_way_times_out() {
    let half = SEED[..SEED.len() / 2].to_vec();
    let server = TestServer::start(move |_| {
        Reply::status(200).with_body(Body::Stall {
            sent: half.clone(),
            announced: SEED.len(),
        })
    })
    .await;
    let url = server.url("/feed/");
    let started = Instant::now();
    let err = no_retries()
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("timed out after 1s fetching {url}")),
        "{err}"
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "{took:?}"
    );

    // A per-feed timeout overrides the global one, and timeouts are retried.
    let fetcher = Fetcher::new(FetchOptions {
        max_retries: 1,
        ..quick()
    })
    .unwrap();
    let started = Instant::now();
    let err = fetcher
        .fetch_with_timeout(&url, &Validators::default(), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Timeout { attempts: 2, .. }),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn a_100_mib_body_is_refused_by_its_content_length() {
    let server = TestServer::start(|_| {
        Reply::status(200).with_body(Body::Zeros {
            len: 100 * MIB,
            announce: true,
        })
    })
    .await;
    let url = server.url("/big");
    let started = Instant::now();
    let err = no_retries()
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit, .. } if limit == 20 * MIB),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "response from {url} is larger than the 20 MiB limit (raise max_body_bytes if the feed is really that big)"
        )
    );
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_100_mib_body_without_a_length_is_refused_while_streaming() {
    let server = TestServer::start(|_| {
        Reply::status(200).with_body(Body::Zeros {
            len: 100 * MIB,
            announce: false,
        })
    })
    .await;
    let started = Instant::now();
    let err = no_retries()
        .fetch(&server.url("/big"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::BodyTooLarge { .. }), "{err}");
    // Reading stops at the 20 MiB cap (about 0.1 s here), long before the
    // 100 MiB end.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_after_the_cap() {
    // 1 GiB of zeros gzips to about 1 MiB: the classic bomb. Without the cap
    // on decompressed bytes this would take 1 GiB of memory.
    let bomb = common::gzip_zeros(1024);
    assert!(bomb.len() < 2 * MIB as usize);
    let server =
        TestServer::start(move |_| Reply::ok(bomb.clone()).header("Content-Encoding", "gzip"))
            .await;
    let started = Instant::now();
    let err = no_retries()
        .fetch(&server.url("/bomb"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::BodyTooLarge { .. }), "{err}");
    // About 0.2 s to inflate the first 20 MiB; all of it would take many.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_raw_deflate_bomb_is_refused_after_the_cap() {
    // The raw-deflate fallback must count decompressed bytes like the rest.
    let mut bomb = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    {
        use std::io::Write;
        let zeros = vec![0u8; MIB as usize];
        for _ in 0..4 {
            bomb.write_all(&zeros).unwrap();
        }
    }
    let bomb = bomb.finish().unwrap();
    let server =
        TestServer::start(move |_| Reply::ok(bomb.clone()).header("Content-Encoding", "deflate"))
            .await;
    let fetcher = Fetcher::new(FetchOptions {
        max_body_bytes: MIB,
        max_retries: 0,
        ..quick()
    })
    .unwrap();
    let err = fetcher
        .fetch(&server.url("/bomb"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit, .. } if limit == MIB),
        "{err}"
    );
}

#[test]
fn the_gzip_bomb_generator_is_honest() {
    use std::io::Read;
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&common::gzip_zeros(8)[..])
        .read_to_end(&mut unzipped)
        .unwrap(); // checks the CRC and length in the trailer too
    assert_eq!(unzipped.len() as u64, 8 * MIB);
    assert!(unzipped.iter().all(|&b| b == 0));
}

#[tokio::test]
async fn a_brotli_bomb_is_refused_after_the_cap() {
    // Brotli compresses zeros to almost nothing. A 1 MiB cap and a 16 MiB
    // bomb keep the debug-build compression quick.
    let mut bomb = Vec::new();
    {
        use std::io::Write;
        let mut w = brotli::CompressorWriter::new(&mut bomb, 1 << 16, 0, 22);
        let zeros = vec![0u8; MIB as usize];
        for _ in 0..16 {
            w.write_all(&zeros).unwrap();
        }
    }
    let server =
        TestServer::start(move |_| Reply::ok(bomb.clone()).header("Content-Encoding", "br")).await;
    let fetcher = Fetcher::new(FetchOptions {
        max_body_bytes: MIB,
        max_retries: 0,
        ..quick()
    })
    .unwrap();
    let err = fetcher
        .fetch(&server.url("/bomb"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit, .. } if limit == MIB),
        "{err}"
    );
}

#[tokio::test]
async fn a_feed_served_as_html_is_still_a_feed() {
    let server = TestServer::start(|_| {
        Reply::status(200)
            .header("Content-Type", "text/html; charset=UTF-8")
            .body(SEED)
    })
    .await;
    let outcome = no_retries()
        .fetch(&server.url("/feed/"), &Validators::default())
        .await
        .unwrap();
    let FetchOutcome::Fetched(raw) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(raw.bytes, SEED);
    assert_eq!(
        raw.content_type.as_deref(),
        Some("text/html; charset=UTF-8")
    );
    assert!(
        !looks_like_html(&raw),
        "the bytes say RSS, whatever the header says"
    );
}
