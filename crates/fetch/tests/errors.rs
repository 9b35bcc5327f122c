//! Messages and option checks (issue 4.2): each failure says what went wrong
//! in words, and names the setting to change where there is one.
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE.md)

mod common;

use std::time::Duration;

use common::{Reply, TestServer, quick};
use kb_fetch::{FetchError, FetchOptions, Fetcher, Validators};

fn fetcher() -> Fetcher {
    Fetcher::new(quick()).unwrap()
}

#[tokio::test]
async fn a_connect_timeout_names_its_setting() {
    // A server that accepts the connection but never answers the TLS
    // handshake: the connect timeout (which covers the handshake) runs out.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let err = Fetcher::new(FetchOptions {
        connect_timeout: Duration::from_millis(200),
        max_retries: 1,
        ..quick()
    })
    .unwrap()
    .fetch(
        &format!("https://127.0.0.1:{port}/feed/"),
        &Validators::default(),
    )
    .await
    .unwrap_err();
    // Still retried: a slow network may connect next time.
    assert!(
        matches!(err, FetchError::ConnectTimeout { attempts: 2, .. }),
        "{err}"
    );
    // The TCP connection was made; the handshake is what may have stalled, so the message
    // does not say there was no connection.
    let message = err.to_string();
    assert!(
        message.contains("no connection, or no tls handshake on it, within 0.2 s")
            && message.contains("connect_timeout_secs in kb.toml [fetch]"),
        "{message}"
    );
}

/// A server that starts its response head and never finishes it did send something: the
/// message must not say it sent nothing.
#[tokio::test]
async fn a_response_head_that_never_ends_is_not_called_silence() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut held = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nX-Pad: aaaa").await;
            held.push(stream);
        }
    });
    let err = Fetcher::new(FetchOptions {
        connect_timeout: Duration::from_millis(100),
        total_timeout: Duration::from_millis(400),
        max_retries: 0,
        ..quick()
    })
    .unwrap()
    .fetch(
        &format!("http://127.0.0.1:{port}/feed/"),
        &Validators::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, FetchError::NoAnswer { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains(
            "the server accepted the connection but did not send a complete response head within 0.4 s"
        ) && !message.contains("sent nothing"),
        "{message}"
    );
}

/// A total timeout shorter than the connect timeout can run out before the connection is
/// made: the message then does not claim the server accepted one.
#[tokio::test]
async fn a_timeout_before_the_connect_timeout_does_not_claim_a_connection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let err = Fetcher::new(FetchOptions {
        connect_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_millis(200),
        max_retries: 0,
        ..quick()
    })
    .unwrap()
    .fetch(
        &format!("http://127.0.0.1:{port}/feed/"),
        &Validators::default(),
    )
    .await
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("no complete response head within 0.2 s, perhaps not even a connection;")
            && !message.contains("accepted the connection"),
        "{message}"
    );
}

#[tokio::test]
async fn an_empty_body_is_an_error_that_says_so() {
    let server = TestServer::start(|_| Reply::ok(Vec::new())).await;
    let err = fetcher()
        .fetch(&server.url("/"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::EmptyBody { .. }), "{err}");
    assert!(
        err.to_string().contains("the server sent an empty body"),
        "{err}"
    );
    // Labelled as compressed but empty: still just empty.
    let server =
        TestServer::start(|_| Reply::ok(Vec::new()).header("Content-Encoding", "gzip")).await;
    let err = fetcher()
        .fetch(&server.url("/"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::EmptyBody { .. }), "{err}");
}

#[test]
fn zero_timeouts_are_refused() {
    // A zero timeout fails every fetch at once, with a message about time.
    for options in [
        FetchOptions {
            total_timeout: Duration::ZERO,
            ..quick()
        },
        FetchOptions {
            connect_timeout: Duration::ZERO,
            ..quick()
        },
    ] {
        let err = Fetcher::new(options).unwrap_err();
        assert!(matches!(err, FetchError::InvalidOptions { .. }), "{err}");
        assert!(err.to_string().contains("must be more than 0"), "{err}");
    }
}
