//! What one host (a name and a port) does to the others in a run of fetches: a host that never
//! answers must not cost every one of its feeds all its timeouts (found by
//! probing `kb sync`: six feeds on a black-holed host kept a sync busy for
//! feeds x 4 attempts x timeout / 2), and a `Retry-After` holds every request
//! to the host that sent it.
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE.md)

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use common::{Reply, SEED, TestServer, quick};
use kb_fetch::{
    ConcurrencyLimits, FetchError, FetchJob, FetchOptions, Fetcher, Limiter, Validators,
};

/// A listener on `ip` that accepts every connection and never sends a byte;
/// returns its port and how many connections it accepted.
async fn black_hole(ip: &str) -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    (port, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_never_answers_is_given_up_on_after_two_silent_attempts() {
    let good = TestServer::start(|_| Reply::ok(SEED)).await;
    let (port, accepted) = black_hole("127.0.0.2").await;
    let mut jobs: Vec<FetchJob> = (0..6)
        .map(|i| FetchJob::new(format!("http://127.0.0.2:{port}/feed/{i}")))
        .collect();
    jobs.push(FetchJob::new(good.url("/feed/")));
    let fetcher = Fetcher::new(FetchOptions {
        total_timeout: Duration::from_millis(300),
        max_retries: 3,
        ..quick()
    })
    .unwrap();
    let limits = ConcurrencyLimits {
        global: 16,
        per_host: 2,
    };
    let mut results = fetcher.fetch_all(jobs, limits);
    let mut no_answer = 0;
    let mut skipped = 0;
    while let Some((index, result)) = results.recv().await {
        if index == 6 {
            result.unwrap();
            continue;
        }
        match result.unwrap_err() {
            e @ FetchError::NoAnswer { .. } => {
                no_answer += 1;
                let m = e.to_string();
                assert!(
                    m.contains("no complete response head within 0.3 s") && !m.contains("raise"),
                    "{m}"
                );
            }
            e @ FetchError::HostSkipped { .. } => {
                skipped += 1;
                assert!(
                    e.to_string().contains(&format!(
                        "its host 127.0.0.2:{port} did not answer 2 earlier requests in this sync"
                    )),
                    "{e}"
                );
            }
            e => panic!("{e}"),
        }
    }
    assert_eq!(no_answer + skipped, 6);
    assert!(skipped >= 3, "{skipped} skipped");
    // Without giving up: 6 feeds x 4 attempts = 24. With it: the two that found
    // the host silent, and at most one more that got a permit in between.
    let n = accepted.load(Ordering::SeqCst);
    assert!((2..=3).contains(&n), "{n} attempts reached the silent host");
}

#[tokio::test]
async fn a_single_fetch_of_a_silent_server_says_it_did_not_answer() {
    let (port, accepted) = black_hole("127.0.0.1").await;
    let err = Fetcher::new(FetchOptions {
        total_timeout: Duration::from_millis(200),
        max_retries: 1,
        host_silence_limit: 0,
        ..quick()
    })
    .unwrap()
    .fetch(
        &format!("http://127.0.0.1:{port}/feed/"),
        &kb_fetch::Validators::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, FetchError::NoAnswer { attempts: 2, .. }),
        "{err}"
    );
    let m = err.to_string();
    assert!(
        m.starts_with(&format!("no answer from http://127.0.0.1:{port}/feed/: no complete response head within 0.2 s (after 2 attempts), perhaps not even a connection; it may be down")),
        "{m}"
    );
    assert!(!m.contains("raise"), "{m}");
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_holds_every_request_to_its_host() {
    // The first request gets 429 Retry-After: 1; kb used to send the other seven
    // feeds of the host asked at once all the same.
    let first = Arc::new(AtomicUsize::new(0));
    let seen = first.clone();
    let started = std::time::Instant::now();
    let times = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = times.clone();
    let server = TestServer::start(move |_| {
        log.lock().unwrap().push(started.elapsed());
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::status(429).header("Retry-After", "1")
        } else {
            Reply::ok(SEED)
        }
    })
    .await;
    let jobs = (0..4)
        .map(|i| FetchJob::new(server.url(&format!("/feed/{i}"))))
        .collect();
    let limits = ConcurrencyLimits {
        global: 16,
        per_host: 1,
    };
    let mut results = Fetcher::new(quick()).unwrap().fetch_all(jobs, limits);
    while let Some((_, result)) = results.recv().await {
        result.unwrap();
    }
    let times = times.lock().unwrap();
    assert_eq!(times.len(), 5, "{times:?}");
    // Every request after the 429 waited out its second.
    assert!(
        times[1..].iter().all(|t| *t >= Duration::from_millis(900)),
        "{times:?}"
    );
}

/// Runs `jobs` through `limiter` and returns their results in job order.
async fn run_all(
    fetcher: &Fetcher,
    jobs: Vec<FetchJob>,
    limiter: &Limiter,
) -> Vec<Result<kb_fetch::FetchOutcome, FetchError>> {
    let n = jobs.len();
    let mut results: Vec<Option<_>> = (0..n).map(|_| None).collect();
    let mut all = fetcher.fetch_all_limited(jobs, limiter);
    while let Some((index, result)) = all.recv().await {
        results[index] = Some(result);
    }
    results.into_iter().map(Option::unwrap).collect()
}

/// Many feeds of one site (a video platform's channel feeds, a blog network) share a host:
/// two of its URLs that stall must not fail all the others. A host that answered anything in
/// the run, even an error status, is alive and only its stalled URLs fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_answered_is_not_skipped_when_some_of_its_urls_stall() {
    let server = TestServer::start(|req| {
        if req.path.starts_with("/stall") {
            // Reads the request, then says nothing until long after the test.
            Reply::ok(SEED).delay(Duration::from_secs(30))
        } else if req.path == "/missing" {
            Reply::status(404)
        } else {
            Reply::ok(SEED)
        }
    })
    .await;
    let fetcher = Fetcher::new(FetchOptions {
        total_timeout: Duration::from_millis(300),
        max_retries: 1,
        ..quick()
    })
    .unwrap();
    let limiter = Limiter::new(ConcurrencyLimits {
        global: 16,
        per_host: 2,
    });
    // The host answers (a 404 is an answer) before its stalls begin.
    let err = fetcher
        .fetch_limited(
            &server.url("/missing"),
            &Validators::default(),
            Duration::from_millis(300),
            &limiter,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::NotFound { .. }), "{err}");
    let mut jobs = vec![
        FetchJob::new(server.url("/stall/1")),
        FetchJob::new(server.url("/stall/2")),
    ];
    jobs.extend((0..4).map(|i| FetchJob::new(server.url(&format!("/feed/{i}")))));
    let results = run_all(&fetcher, jobs, &limiter).await;
    for result in &results[..2] {
        match result {
            Err(FetchError::NoAnswer {
                attempts: 2,
                host_skipped: false,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }
    for result in &results[2..] {
        assert!(result.is_ok(), "{result:?}");
    }
}

/// Another port is another server: a dead one must not fail the feeds of a live one on the
/// same address (self-hosted services on :3000 and :8080 of one machine).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_does_not_fail_another_port_of_the_same_host() {
    let (dead, accepted) = black_hole("127.0.0.1").await;
    let live = TestServer::start(|_| Reply::ok(SEED)).await;
    let fetcher = Fetcher::new(FetchOptions {
        total_timeout: Duration::from_millis(300),
        max_retries: 3,
        ..quick()
    })
    .unwrap();
    let limiter = Limiter::new(ConcurrencyLimits {
        global: 16,
        per_host: 2,
    });
    let jobs = (0..3)
        .map(|i| FetchJob::new(format!("http://127.0.0.1:{dead}/feed/{i}")))
        .collect();
    let results = run_all(&fetcher, jobs, &limiter).await;
    let skipped: Vec<String> = results
        .iter()
        .filter_map(|r| match r {
            Err(e @ FetchError::HostSkipped { .. }) => Some(e.to_string()),
            _ => None,
        })
        .collect();
    assert!(!skipped.is_empty(), "{results:?}");
    // The message names the server given up on, port included.
    for m in &skipped {
        assert!(
            m.contains(&format!(
                "its host 127.0.0.1:{dead} did not answer 2 earlier requests"
            )),
            "{m}"
        );
    }
    assert!(accepted.load(Ordering::SeqCst) <= 3);
    let jobs = (0..4)
        .map(|i| FetchJob::new(live.url(&format!("/feed/{i}"))))
        .collect();
    for result in run_all(&fetcher, jobs, &limiter).await {
        assert!(result.is_ok(), "{result:?}");
    }
}

/// The per-host limit is per server too: two ports of one address each get their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_host_limit_tells_ports_apart() {
    let slow = |_: &common::Request| Reply::ok(SEED).delay(Duration::from_millis(150));
    let a = TestServer::start(slow).await;
    let b = a.sibling("127.0.0.1", slow).await;
    assert_ne!(a.port(), b.port());
    let jobs = [&a, &b]
        .iter()
        .flat_map(|s| (0..3).map(|i| FetchJob::new(s.url(&format!("/{i}")))))
        .collect();
    let limits = ConcurrencyLimits {
        global: 16,
        per_host: 1,
    };
    let mut results = Fetcher::new(quick()).unwrap().fetch_all(jobs, limits);
    while let Some((_, result)) = results.recv().await {
        result.unwrap();
    }
    // One at a time to each server, so two at once in all.
    assert_eq!(a.max_in_flight(), 2);
}

/// Found by probing `kb sync`: a 429 with `Retry-After: 3600` failed its feed, but the three
/// other feeds of the host were asked in the same second. A wait longer than a run makes holds
/// the host for the rest of the run: its other fetches fail at once, without a request, and say
/// until when; another port is another server and is not held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_longer_than_a_run_waits_holds_the_host_for_the_rest_of_the_run() {
    let server = TestServer::start(|req| {
        if req.path == "/long" {
            Reply::status(429).header("Retry-After", "3600")
        } else {
            Reply::ok(SEED)
        }
    })
    .await;
    let held = server.url("/feed/1");
    let other = TestServer::start(move |req| {
        if req.path == "/to-held" {
            Reply::redirect(302, &held)
        } else {
            Reply::ok(SEED)
        }
    })
    .await;
    let fetcher = Fetcher::new(quick()).unwrap();
    let limiter = Limiter::new(ConcurrencyLimits::default());
    let before = SystemTime::now();
    let err = fetcher
        .fetch_limited(
            &server.url("/long"),
            &Validators::default(),
            Duration::from_secs(2),
            &limiter,
        )
        .await
        .unwrap_err();
    let (at, until) = err.host_wait().unwrap();
    assert_eq!(at, server.url("/long"));
    let hour = Duration::from_secs(3600);
    assert!(until >= before + hour && until <= SystemTime::now() + hour);
    assert!(
        err.to_string().ends_with(&format!(
            "longer than the 2s kb waits: try again after {}",
            httpdate::fmt_http_date(until)
        )),
        "{err}"
    );
    let jobs = vec![
        FetchJob::new(server.url("/feed/1")),
        FetchJob::new(server.url("/feed/2")),
        FetchJob::new(other.url("/to-held")),
        FetchJob::new(other.url("/feed/3")),
    ];
    let results = run_all(&fetcher, jobs, &limiter).await;
    for result in &results[..3] {
        match result {
            Err(e @ FetchError::HostWaiting { until: u, .. }) => {
                assert_eq!(*u, until);
                assert!(
                    e.to_string().contains(&format!(
                        "not requested: its host 127.0.0.1:{} asked to wait until {} (Retry-After)",
                        server.port(),
                        httpdate::fmt_http_date(until)
                    )),
                    "{e}"
                );
                assert_eq!(e.host_wait().map(|(_, u)| u), Some(until));
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(results[3].is_ok(), "{:?}", results[3]);
    assert_eq!(
        server.requests(),
        1,
        "only the request that was told to wait"
    );
    assert_eq!(other.requests(), 2);
}

/// The next runs keep away from the host too: the caller gives back the time an earlier run
/// was told, and a time already past holds nothing.
#[tokio::test]
async fn a_wait_remembered_from_an_earlier_run_holds_the_host() {
    let server = TestServer::start(|_| Reply::ok(SEED)).await;
    let fetcher = Fetcher::new(quick()).unwrap();
    let limiter = Limiter::new(ConcurrencyLimits::default());
    let until = SystemTime::now() + Duration::from_secs(600);
    limiter.hold_until(&server.url("/other"), until);
    let fetch = |path: &str| {
        let (fetcher, limiter, url) = (fetcher.clone(), limiter.clone(), server.url(path));
        async move {
            fetcher
                .fetch_limited(
                    &url,
                    &Validators::default(),
                    Duration::from_secs(2),
                    &limiter,
                )
                .await
        }
    };
    match fetch("/feed/").await {
        Err(FetchError::HostWaiting { until: u, .. }) => {
            // To the second: feeds.json keeps it with that precision at least.
            assert!(u.duration_since(until).unwrap_or_default() < Duration::from_secs(1));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests(), 0);

    let limiter = Limiter::new(ConcurrencyLimits::default());
    limiter.hold_until(&server.url("/"), SystemTime::now() - Duration::from_secs(1));
    fetcher
        .fetch_limited(
            &server.url("/feed/"),
            &Validators::default(),
            Duration::from_secs(2),
            &limiter,
        )
        .await
        .unwrap();
    assert_eq!(server.requests(), 1);
}

/// A `Retry-After` of years (a mistake, or milliseconds sent as seconds) would silence every
/// feed of the host for that long: kb waits a day at most, and says so.
#[tokio::test]
async fn an_absurd_retry_after_holds_the_host_a_day_at_most() {
    let server =
        TestServer::start(|_| Reply::status(503).header("Retry-After", "99999999999")).await;
    let fetcher = Fetcher::new(quick()).unwrap();
    let limiter = Limiter::new(ConcurrencyLimits::default());
    let err = fetcher
        .fetch_limited(
            &server.url("/feed/"),
            &Validators::default(),
            Duration::from_secs(2),
            &limiter,
        )
        .await
        .unwrap_err();
    let (_, until) = err.host_wait().unwrap();
    assert!(until <= SystemTime::now() + kb_fetch::MAX_HOST_WAIT);
    assert!(until + Duration::from_secs(60) >= SystemTime::now() + kb_fetch::MAX_HOST_WAIT);
    assert!(
        err.to_string()
            .contains("asks to retry after more than a day"),
        "{err}"
    );
    assert!(
        err.to_string().ends_with("(kb waits a day at most)"),
        "{err}"
    );
    // An earlier run's record of years is cut to a day from now as well.
    let limiter = Limiter::new(ConcurrencyLimits::default());
    limiter.hold_until(
        &server.url("/"),
        SystemTime::now() + Duration::from_secs(10 * 365 * 86400),
    );
    match fetcher
        .fetch_limited(
            &server.url("/feed/"),
            &Validators::default(),
            Duration::from_secs(2),
            &limiter,
        )
        .await
    {
        Err(FetchError::HostWaiting { until, .. }) => {
            assert!(until <= SystemTime::now() + kb_fetch::MAX_HOST_WAIT);
        }
        other => panic!("{other:?}"),
    }
}

/// Probed with `kb sync`: when a `Retry-After` of a few seconds ended, three requests to the
/// host were seen in the same instant with a per-host limit of 2 (one was the retried request,
/// answered at once). At most 2 may be in flight at any moment, holds or not, and none may
/// start while the host holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_host_limit_holds_when_a_retry_after_ends() {
    let told = Arc::new(AtomicUsize::new(0));
    let seen = told.clone();
    let started = std::time::Instant::now();
    let times = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = times.clone();
    let server = TestServer::start(move |req| {
        log.lock()
            .unwrap()
            .push((req.path.clone(), started.elapsed()));
        if req.path == "/ra" && seen.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::status(429).header("Retry-After", "1")
        } else if req.path == "/ra" {
            Reply::ok(SEED)
        } else {
            Reply::ok(SEED).delay(Duration::from_millis(300))
        }
    })
    .await;
    let mut jobs = vec![FetchJob::new(server.url("/ra"))];
    jobs.extend((0..6).map(|i| FetchJob::new(server.url(&format!("/feed/{i}")))));
    let limiter = Limiter::new(ConcurrencyLimits {
        global: 16,
        per_host: 2,
    });
    for result in run_all(&Fetcher::new(quick()).unwrap(), jobs, &limiter).await {
        result.unwrap();
    }
    assert!(server.max_in_flight() <= 2, "{}", server.max_in_flight());
    let times = times.lock().unwrap();
    assert_eq!(times.len(), 8, "{times:?}");
    // A request that went out with the 429's (the limit allows two) came before it was told;
    // once told, none went out before the second was over.
    let told_at = times.iter().find(|(p, _)| p == "/ra").unwrap().1;
    let during: Vec<_> = times
        .iter()
        .filter(|(_, t)| {
            *t > told_at + Duration::from_millis(50) && *t < told_at + Duration::from_millis(900)
        })
        .collect();
    assert!(during.is_empty(), "{times:?}");
}

/// Found by probing `kb feed add` and `kb parse`: one fetch of a server that accepts and never
/// answers waited out all 4 attempts (4 minutes at the default timeout), where a sync gives
/// its host up after 2. A fetch on its own gives up after `host_silence_limit` of them too.
#[tokio::test]
async fn a_single_fetch_gives_a_silent_server_up_after_the_silence_limit() {
    let (port, accepted) = black_hole("127.0.0.1").await;
    let err = Fetcher::new(FetchOptions {
        total_timeout: Duration::from_millis(200),
        max_retries: 3,
        ..quick()
    })
    .unwrap()
    .fetch(
        &format!("http://127.0.0.1:{port}/feed/"),
        &Validators::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::NoAnswer {
                attempts: 2,
                host_skipped: false,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}
