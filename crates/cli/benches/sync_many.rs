//! Benchmark for issue 4.7: `kb sync` of 500 feeds served on 127.0.0.1, each answer delayed by
//! 50 ms. Prints wall time against the serial sum of the latencies (what a one-at-a-time
//! fetcher would need at the least) and the peak memory of the `kb` process. Figures only:
//! nothing is asserted. Run with `cargo bench -p kb --bench sync_many`.
//!
//! Every feed is on the same host here, so kb's per-host limit (default 2) caps the
//! concurrency; real subscriptions spread over many hosts. The first run uses the defaults;
//! the second raises `concurrency_per_host` to the global limit to show what many hosts give.
//! A third run repeats the second against the same KB: every feed answers 304. Then the same
//! from a server without validators, which sends every feed in full every time: a first sync,
//! the same again (every document the same as the one stored, so none is parsed), and the same
//! again with feeds.json's record of the stored documents removed first, so that every one is
//! parsed as before kb skipped them.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Response, Server, feed_toml, items, rss_of};

const FEEDS: usize = 500;
const LATENCY: Duration = Duration::from_millis(50);
const ITEMS: usize = 10;

fn main() {
    let server = Server::start(|req| {
        // `/n...`: no validators.
        if let Some(n) = req.target.strip_prefix("/n") {
            let site = format!("http://site{n}.example/");
            return Response::rss(rss_of(&site, &items(&format!("f{n}-"), ITEMS))).delay(LATENCY);
        }
        if req.header("If-None-Match").is_some() {
            return Response::status(304).header("ETag", "\"1\"").delay(LATENCY);
        }
        let n = req.target.trim_start_matches("/f").to_string();
        let site = format!("http://site{n}.example/");
        Response::rss(rss_of(&site, &items(&format!("f{n}-"), ITEMS)))
            .header("ETag", "\"1\"")
            .delay(LATENCY)
    });
    let serial = LATENCY * FEEDS as u32;
    println!(
        "kb sync: {FEEDS} feeds of {ITEMS} items on 127.0.0.1, {} ms added latency each; serial sum of latencies {:.1} s",
        LATENCY.as_millis(),
        serial.as_secs_f64()
    );
    let many = "concurrency_per_host = 16\n";
    // (label, [fetch] settings, path prefix, a new KB, forget the stored documents first)
    let runs = [
        ("defaults (16 global, 2 per host)", "", "/f", true, false),
        ("16 per host (as if on many hosts)", many, "/f", true, false),
        ("again, every feed 304", many, "/f", false, false),
        ("no validators, 16 per host", many, "/n", true, false),
        (
            "again: the same, not parsed again",
            many,
            "/n",
            false,
            false,
        ),
        ("again, parsed (records removed)", many, "/n", false, true),
    ];
    let mut dir = tempfile::tempdir().unwrap();
    for (label, extra, prefix, fresh, forget) in runs {
        if fresh {
            dir = tempfile::tempdir().unwrap();
        }
        if forget {
            let states = dir.path().join("index/feeds.json");
            let mut v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&states).unwrap()).unwrap();
            for st in v["feeds"].as_object_mut().unwrap().values_mut() {
                st.as_object_mut().unwrap().remove("document");
            }
            std::fs::write(&states, v.to_string()).unwrap();
        }
        let mut config = format!("[fetch]\nmax_retries = 0\n{extra}");
        for i in 0..FEEDS {
            config.push_str(&feed_toml(
                &format!("f{i}"),
                &server.url(&format!("{prefix}{i}")),
            ));
        }
        let path = dir.path().join("kb.toml");
        std::fs::write(&path, config).unwrap();
        let cpu_before = children_cpu();
        let start = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kb"))
            .arg("--config")
            .arg(&path)
            .arg("--index")
            .arg(dir.path().join("index"))
            .args(["sync", "--quiet"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let peak = watch_peak_rss(&mut child);
        let status = child.wait().unwrap();
        let wall = start.elapsed();
        println!(
            "  {label:36} wall {:6.2} s  = {:5.1}% of serial ({:4.1}x faster)  cpu {:5.2} s  peak rss {:5.1} MiB  exit {}",
            wall.as_secs_f64(),
            100.0 * wall.as_secs_f64() / serial.as_secs_f64(),
            serial.as_secs_f64() / wall.as_secs_f64(),
            children_cpu() - cpu_before,
            peak as f64 / 1024.0,
            status.code().unwrap_or(-1)
        );
    }
    let usage =
        nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap();
    println!(
        "  peak rss of any kb run (getrusage RUSAGE_CHILDREN maxrss): {:.1} MiB",
        usage.max_rss() as f64 / 1024.0
    );
}

/// User and system CPU seconds of every child waited for so far.
fn children_cpu() -> f64 {
    let usage =
        nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap();
    let secs = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    secs(usage.user_time()) + secs(usage.system_time())
}

/// The child's VmHWM (peak resident set, KiB) read from /proc until it exits.
fn watch_peak_rss(child: &mut std::process::Child) -> u64 {
    let path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        let hwm = std::fs::read_to_string(&path).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        });
        peak = peak.max(hwm.unwrap_or(0));
        std::thread::sleep(Duration::from_millis(5));
    }
    peak
}
