//! What the HTTP tests of `kb` share: a tiny HTTP/1.1 server on 127.0.0.1 whose answers the
//! test decides, a temp directory with its own kb.toml and KB, and feed documents to serve.
//!
//! The server is plain std::net with a thread per connection: it only has to be correct for
//! the requests reqwest sends, and a test can read back every request it got.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
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

/// What the handler answers.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (simulated latency).
    pub delay: Duration,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn rss(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200, "application/rss+xml; charset=utf-8", body)
    }

    pub fn status(status: u16) -> Response {
        Response::new(status, "text/plain", format!("status {status}\n"))
    }

    pub fn redirect(status: u16, location: &str) -> Response {
        Response::status(status).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delay(mut self, d: Duration) -> Response {
        self.delay = d;
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// A server on 127.0.0.1 with an OS-chosen port. It lives until the test process ends.
pub struct Server {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log2 = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (handler, log) = (Arc::clone(&handler), Arc::clone(&log2));
                std::thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        Server { addr, log }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// The requests for `target` (path and query).
    pub fn hits(&self, target: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.target == target)
            .collect()
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream);
    // Keep-alive: answer requests on this connection until the client closes it.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let mut req = Request {
            method: method.to_string(),
            target: target.to_string(),
            headers: Vec::new(),
        };
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                req.headers
                    .push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        log.lock().unwrap().push(req.clone());
        let resp = handler(&req);
        if !resp.delay.is_zero() {
            std::thread::sleep(resp.delay);
        }
        let mut head = format!("HTTP/1.1 {} X\r\n", resp.status);
        for (k, v) in &resp.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        let body: &[u8] = if req.method == "HEAD" || resp.status == 304 {
            &[]
        } else {
            &resp.body
        };
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let stream = reader.get_mut();
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(body).is_err() {
            return;
        }
        let _ = stream.flush();
    }
}

/// An RSS 2.0 document of `items` (guid, title), with `site` as the channel link.
pub fn rss(site: &str, items: &[(&str, &str)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>T</title><link>{site}</link><description>d</description>\n"
    );
    for (guid, title) in items {
        s.push_str(&format!(
            "<item><title>{title}</title><link>{site}{guid}</link><guid>{site}{guid}</guid><pubDate>Mon, 01 Mar 2010 10:00:00 +0000</pubDate><description>Text of {title}.</description></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// `n` items named `{prefix}1` .. `{prefix}n`.
pub fn items(prefix: &str, n: usize) -> Vec<(String, String)> {
    (1..=n)
        .map(|i| (format!("{prefix}{i}"), format!("Post {prefix}{i}")))
        .collect()
}

pub fn rss_of(site: &str, items: &[(String, String)]) -> String {
    let v: Vec<(&str, &str)> = items
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    rss(site, &v)
}

/// Settings that keep a test quick: short timeouts, no retries.
pub const FAST_FETCH: &str =
    "[fetch]\nconnect_timeout_secs = 2\ntimeout_secs = 2\nmax_retries = 0\n";

/// A temp directory holding kb.toml and the KB directory `index`.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    /// With `config` as kb.toml.
    pub fn new(config: &str) -> Env {
        let env = Env::empty();
        std::fs::write(env.config(), config).unwrap();
        env
    }

    /// Without a kb.toml.
    pub fn empty() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> PathBuf {
        self.path().join("kb.toml")
    }

    pub fn config_text(&self) -> String {
        std::fs::read_to_string(self.config()).unwrap()
    }

    /// The kb command on this environment's config and KB, not yet run: for a test that wires
    /// its stdin/stdout itself.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kb"));
        cmd.arg("--config")
            .arg(self.config())
            .arg("--index")
            .arg(self.path().join("index"))
            .args(args)
            .current_dir(self.path())
            .env_remove("KB_INDEX")
            .env_remove("KB_CONFIG");
        cmd
    }

    pub fn kb(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Run kb, expect success, return stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.kb(args);
        assert!(
            out.status.success(),
            "kb {args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Run kb, expect exit 1, return (stdout, stderr).
    pub fn fails(&self, args: &[&str]) -> (String, String) {
        let out = self.kb(args);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "kb {args:?} should exit 1:\nstdout: {stdout}\nstderr: {stderr}"
        );
        (stdout, stderr)
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// `kb feed list --json` as (name -> row).
    pub fn feed_rows(&self) -> Vec<serde_json::Value> {
        self.json(&["feed", "list", "--json"])["feeds"]
            .as_array()
            .unwrap()
            .clone()
    }

    pub fn row(&self, name: &str) -> serde_json::Value {
        self.feed_rows()
            .into_iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no feed {name} in `kb feed list`"))
    }
}

/// A `[[feed]]` table.
pub fn feed_toml(name: &str, url: &str) -> String {
    format!("\n[[feed]]\nname = \"{name}\"\nurl = \"{url}\"\n")
}
