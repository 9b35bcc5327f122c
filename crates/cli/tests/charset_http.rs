//! The HTTP charset reaches the parser on both fetch paths (`kb sync`, `kb parse URL`), and a
//! server default that contradicts the feed's own declaration does not destroy its text
//! (Apache's `AddDefaultCharset UTF-8` on an ISO-8859-1 feed).

#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, FAST_FETCH, Response, Server, feed_toml};

fn latin1_feed() -> Vec<u8> {
    let mut body =
        b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<rss version=\"2.0\"><channel>\
        <title>Latin</title><link>http://latin.example/</link><description>d</description>\
        <item><title>Caf\xe9 na\xefve</title><link>http://latin.example/1</link>\
        <description>Charsetword caf\xe9</description></item></channel></rss>"
            .to_vec();
    body.push(b'\n');
    body
}

#[test]
fn an_http_utf8_label_on_a_declared_latin1_feed_yields_to_the_declaration() {
    let server =
        Server::start(|_| Response::new(200, "application/rss+xml; charset=utf-8", latin1_feed()));
    let url = server.url("/feed/");
    let env = Env::new(&format!("{FAST_FETCH}{}", feed_toml("latin", &url)));

    let parsed = env.json(&["parse", &url, "--json"]);
    assert_eq!(parsed["items"][0]["title"], "Café naïve", "{parsed}");
    assert!(
        parsed["warnings"].to_string().contains("HTTP charset"),
        "{parsed}"
    );

    env.ok(&["sync"]);
    let found = env.json(&["search", "charsetword", "--json"]);
    let text = found.to_string();
    assert!(text.contains("Café naïve"), "{text}");
    assert!(!text.contains('\u{fffd}'), "{text}");
}
