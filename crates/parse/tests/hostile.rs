//! Hostile input (issue 5 point 7), generated in memory: each case ends in a clear error or a
//! bounded best-effort parse, quickly, and never reads a file or URL.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use std::time::{Duration, Instant};

use kb_parse::{ParseError, ParseOptions, parse};

fn rss(items: &str) -> String {
    format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>")
}

#[test]
fn billion_laughs_is_not_expanded() {
    let mut doctype = String::from("<!DOCTYPE rss [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        doctype.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    doctype.push_str("]>");
    let xml = format!("{doctype}{}", rss("<item><title>&lol9;</title></item>"));
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    // Kept as literal text (escaped, as titles reach the cleaner as HTML).
    assert_eq!(feed.items[0].title.as_deref(), Some("&amp;lol9;"));
    assert!(
        feed.warnings.iter().any(|w| w.contains("DOCTYPE")),
        "{:?}",
        feed.warnings
    );
}

#[test]
fn external_entities_are_never_read() {
    let xml = format!(
        "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\"><!ENTITY web SYSTEM \"http://127.0.0.1:9/x\">]>{}",
        rss("<item><title>&xxe;&web;</title></item>")
    );
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    // Kept as literal text (escaped, as titles reach the cleaner as HTML).
    assert_eq!(feed.items[0].title.as_deref(), Some("&amp;xxe;&amp;web;"));
}

/// What nests deeper than the cap is dropped with a warning; the item around it is kept.
#[test]
fn deep_nesting_is_cut_quickly() {
    let depth = 100_000;
    let xml = rss(&format!(
        "<item><title>deep</title><x>{}{}</x></item>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    ));
    let started = Instant::now();
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.items[0].title.as_deref(), Some("deep"));
    assert!(
        feed.warnings.iter().any(|w| w.contains("max_depth 256")),
        "{:?}",
        feed.warnings
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a hang guard, not a speed target"
    );
}

#[test]
fn deep_nesting_below_the_cap_is_read() {
    // 250 levels inside an item: the rss crate recurses into extension elements; under the
    // default cap this must not overflow a test thread's stack.
    let xml = rss(&format!(
        "<item><title>deep</title><x:a xmlns:x=\"urn:x\">{}{}</x:a></item>",
        "<x:a>".repeat(240),
        "</x:a>".repeat(240)
    ));
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.items[0].title.as_deref(), Some("deep"));
}

#[test]
fn hundred_mib_text_node_is_refused_by_size() {
    let big = "a".repeat(100 * 1024 * 1024);
    let xml = rss(&format!("<item><description>{big}</description></item>"));
    let err = parse(xml.as_bytes(), &ParseOptions::default()).unwrap_err();
    assert!(matches!(err, ParseError::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("max_bytes"), "{err}");
}

#[test]
fn large_text_node_within_limits_is_read() {
    let big = "a".repeat(4 * 1024 * 1024);
    let xml = rss(&format!(
        "<item><title>x</title><description>{big}</description></item>"
    ));
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(
        feed.items[0].summary_html.as_ref().map(String::len),
        Some(big.len())
    );
}

#[test]
fn a_million_items_are_capped_in_bounded_time() {
    let items = "<item/>".repeat(1_000_000);
    let xml = rss(&items);
    let opts = ParseOptions {
        max_items: 1_000,
        ..ParseOptions::default()
    };
    let started = Instant::now();
    let feed = parse(xml.as_bytes(), &opts).unwrap();
    // Empty items all hash to the same key: the first is kept, the others are exact duplicates.
    assert_eq!(feed.items.len(), 1);
    assert!(feed.warnings.iter().any(|w| w.contains("max_items 1000")));
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn garbage_input_is_a_clear_error() {
    for (bytes, want) in [
        (&b""[..], "not a feed"),
        (b"\x00\x01\x02 binary", "not a feed"),
        (
            b"<html><body>hi</body></html>",
            "not a feed: root element <html>",
        ),
        (b"{\"not\": \"a feed\"}", "not a feed"),
        // Cut before its title or any item (a cut in the root's end tag alone, `</rss`, is
        // read whole: wellform.rs).
        (b"<rss version=\"2.0\"><channel><ti", "malformed feed"),
    ] {
        let err = parse(bytes, &ParseOptions::default()).unwrap_err();
        assert!(err.to_string().starts_with(want), "{err}");
    }
}

/// The duplicate-attribute check of the repair pass was quadratic: 100 000 attributes on one
/// element took 11 s (found by probing). Linear now; this input runs in milliseconds.
#[test]
fn an_element_with_a_hundred_thousand_attributes_is_read() {
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"v\"")).collect();
    let xml = rss(&format!(
        "<item{attrs}><title>Many</title></item><item{attrs} a0=\"dup\"><title>Dup</title></item>"
    ));
    let feed = parse(xml.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.items.len(), 2);
    assert!(
        feed.warnings
            .iter()
            .any(|w| w.contains("duplicate attribute")),
        "{:?}",
        feed.warnings
    );
}
