//! What kb-fetch tells a `-v` run through `tracing`: each response, each
//! retry with its delay and reason, and each redirect hop, so a sync slowed
//! down by retries can be told from a slow server.
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE.md)

mod common;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{Reply, SEED, TestServer, quick};
use kb_fetch::{Fetcher, Validators};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Keeps kb-fetch's events as "LEVEL message" lines.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("kb_fetch")
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let line = format!("{} {}", event.metadata().level(), message.0);
        self.0.lock().unwrap().push(line);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn retries_and_redirects_are_logged() {
    // /a → 302 /b; /b answers 503 twice, then the feed.
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let server = TestServer::start(move |req| match req.path.as_str() {
        "/a" => Reply::redirect(302, "/b"),
        _ if seen.fetch_add(1, Ordering::SeqCst) < 2 => Reply::status(503),
        _ => Reply::ok(SEED),
    })
    .await;
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    Fetcher::new(quick())
        .unwrap()
        .fetch(&server.url("/a"), &Validators::default())
        .await
        .unwrap();
    let lines = capture.0.lock().unwrap().clone();
    let all = lines.join("\n");
    let count = |level: &str, needle: &str| {
        lines
            .iter()
            .filter(|l| l.starts_with(level) && l.contains(needle))
            .count()
    };
    // Three attempts, each through the redirect: six responses at debug. Each status is
    // matched with the `: ` before it: the server's port may hold the digits (CI failed on
    // port 45035, which holds "503").
    assert_eq!(count("DEBUG", ": 302 "), 3, "{all}");
    assert_eq!(count("DEBUG", ": 503 "), 2, "{all}");
    assert_eq!(count("DEBUG", ": 200 "), 1, "{all}");
    // The redirect hop and the two retries at info, with delay and reason.
    assert_eq!(count("INFO", "going on to"), 3, "{all}");
    // A retry's reason names the redirect that led to the failing URL.
    assert_eq!(
        count(
            "INFO",
            &format!("reached by a temporary redirect from {}", server.url("/a"))
        ),
        2,
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("INFO") && l.contains(&server.url("/b"))),
        "{all}"
    );
    assert_eq!(count("INFO", "retrying"), 2, "{all}");
    assert_eq!(count("INFO", "503 service unavailable"), 2, "{all}");
    assert_eq!(count("INFO", "attempt 2 of 3"), 1, "{all}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("retrying") && l.contains(" in ")),
        "{all}"
    );
}
