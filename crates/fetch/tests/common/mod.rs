//! A tiny HTTP/1.1 server on 127.0.0.1 for the contract tests: a raw tokio
//! listener, so a test can stall, lie about lengths, stream 100 MiB lazily,
//! serve compressed bombs and count concurrent requests, none of which a
//! well-behaved server library would let it do.
#![allow(dead_code)] // each test binary uses a different part

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kb_fetch::FetchOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The seed feed, byte for byte: the same fixture goes through every path.
pub const SEED: &[u8] = include_bytes!("../../../../fixtures/smbitpros.xml");

/// Options for tests: short timeouts and backoff so the suite stays fast.
pub fn quick() -> FetchOptions {
    FetchOptions {
        connect_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(2),
        max_retries: 2,
        backoff_base: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(2),
        ..FetchOptions::default()
    }
}

/// What the client asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the body goes out.
pub enum Body {
    /// All of it, with a correct Content-Length.
    Bytes(Vec<u8>),
    /// Announce `announced` bytes, send `sent`, then go silent.
    Stall { sent: Vec<u8>, announced: usize },
    /// `len` zero bytes written as they are needed, never held in memory;
    /// with or without a Content-Length (without: until the connection closes).
    Zeros { len: u64, announce: bool },
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub delay: Duration,
}

impl Reply {
    /// 200 with a feed body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200)
            .header("Content-Type", "application/rss+xml; charset=UTF-8")
            .body(body)
    }

    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Vec::new()),
            delay: Duration::ZERO,
        }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::status(status).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = Body::Bytes(body.into());
        self
    }

    pub fn with_body(mut self, body: Body) -> Reply {
        self.body = body;
        self
    }

    /// Wait this long before answering (after the request is counted).
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Stats {
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A server running on 127.0.0.1 until the test's runtime ends.
pub struct TestServer {
    addr: SocketAddr,
    stats: Arc<Stats>,
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

impl TestServer {
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::start_with("127.0.0.1", Arc::new(Stats::default()), handler).await
    }

    /// Another server, on another loopback address (so another host for the
    /// per-host limit), counting into the same statistics as `self`.
    pub async fn sibling(
        &self,
        ip: &str,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        TestServer::start_with(ip, self.stats.clone(), handler).await
    }

    async fn start_with(
        ip: &str,
        stats: Arc<Stats>,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind((ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handler: Arc<Handler> = Arc::new(handler);
        let server_stats = stats.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, handler.clone(), server_stats.clone()));
            }
        });
        TestServer { addr, stats }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn requests(&self) -> usize {
        self.stats.requests.load(Ordering::SeqCst)
    }

    pub fn max_in_flight(&self) -> usize {
        self.stats.max_in_flight.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, handler: Arc<Handler>, stats: Arc<Stats>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    stats.requests.fetch_add(1, Ordering::SeqCst);
    let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let reply = handler(&request);
    tokio::time::sleep(reply.delay).await;
    // Counted out before the answer goes: the client cannot have finished
    // (and released its permit) before this point, so the count never
    // includes a request the client already considers done.
    stats.in_flight.fetch_sub(1, Ordering::SeqCst);
    let _ = write_reply(&mut stream, reply).await;
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_string();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Request { path, headers })
}

async fn write_reply(stream: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match &reply.body {
        Body::Bytes(b) => head.push_str(&format!("Content-Length: {}\r\n", b.len())),
        Body::Stall { announced, .. } => head.push_str(&format!("Content-Length: {announced}\r\n")),
        Body::Zeros {
            len,
            announce: true,
        } => head.push_str(&format!("Content-Length: {len}\r\n")),
        Body::Zeros { .. } => {}
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    match reply.body {
        Body::Bytes(b) => stream.write_all(&b).await?,
        Body::Stall { sent, .. } => {
            stream.write_all(&sent).await?;
            stream.flush().await?;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Body::Zeros { len, .. } => {
            let block = vec![0u8; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(block.len() as u64) as usize;
                // The client hangs up once it has seen enough: stop then.
                stream.write_all(&block[..n]).await?;
                left -= n as u64;
            }
        }
    }
    stream.shutdown().await
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2), not raw deflate.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Raw deflate (RFC 1951, no zlib wrapper): what some servers still send as
/// `Content-Encoding: deflate`, after old IIS and Apache modules.
pub fn deflate_raw(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
    w.write_all(data).unwrap();
    drop(w);
    out
}

/// `mib` MiB of zeros as a valid gzip stream, built in milliseconds.
///
/// Compressing 1 GiB takes about 20 s in a debug build, so the stream is
/// assembled instead: deflate is a sequence of blocks, and after a sync flush
/// the encoder's state over a window of zeros is the same for every further
/// MiB of zeros, so one such MiB's blocks can be repeated. The CRC-32 of the
/// whole is combined from the CRC of one MiB, so even the trailer is right
/// (`the_gzip_bomb_generator_is_honest` checks a small one end to end).
pub fn gzip_zeros(mib: u32) -> Vec<u8> {
    use flate2::{Compress, Compression, Crc, FlushCompress};
    let zeros = vec![0u8; 1024 * 1024];
    let mut deflate = Compress::new(Compression::best(), false);
    let mut sync_flushed = || {
        let mut out = Vec::with_capacity(64 * 1024);
        deflate
            .compress_vec(&zeros, &mut out, FlushCompress::Sync)
            .unwrap();
        out
    };
    let first = sync_flushed();
    let steady = sync_flushed();
    assert_eq!(
        steady,
        sync_flushed(),
        "the encoder did not reach a steady state"
    );
    let mut last = Vec::with_capacity(64);
    deflate
        .compress_vec(&[], &mut last, FlushCompress::Finish)
        .unwrap();

    let mut one_mib = Crc::new();
    one_mib.update(&zeros);
    let mut crc = Crc::new();
    for _ in 0..mib {
        crc.combine(&one_mib);
    }

    // RFC 1952: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    gz.extend_from_slice(&first);
    for _ in 1..mib {
        gz.extend_from_slice(&steady);
    }
    gz.extend_from_slice(&last);
    gz.extend_from_slice(&crc.sum().to_le_bytes());
    gz.extend_from_slice(&crc.amount().to_le_bytes()); // ISIZE: length mod 2^32
    gz
}
