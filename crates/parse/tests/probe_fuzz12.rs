//! Defects found by the fuzzing prober of round 12: each input written small here.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use std::time::{Duration, Instant};

use kb_parse::{ParseError, ParseOptions, ParsedFeed, parse};

fn read(xml: &[u8]) -> ParsedFeed {
    parse(xml, &ParseOptions::default()).unwrap()
}

fn warned(feed: &ParsedFeed, what: &str) -> bool {
    feed.warnings.iter().any(|w| w.contains(what))
}

/// A feed cut off inside its first item, with no channel title, has nothing to salvage; the
/// error said the first repair made on the way ("1 bare '&' escaped", "no character set
/// declared ...") instead of the truncation, and gave no way out.
#[test]
fn truncated_feed_is_refused_for_its_truncation() {
    let tail: &[u8] =
        b"<item><title>Episode one</title><link>http://example.com/1</link><description>Hello";
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "bare ampersand",
            [
                &b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><description>News from Tom & Jerry</description>\n"[..],
                tail,
            ]
            .concat(),
        ),
        (
            "undeclared latin-1",
            [
                &b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><description>Caf\xe9 news</description>\n"[..],
                tail,
            ]
            .concat(),
        ),
        (
            "plain",
            [
                &b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><description>News</description>\n"[..],
                tail,
            ]
            .concat(),
        ),
        (
            "stray end tag, atom 0.3",
            b"<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"></title>\n<entry>\n  <title mode=\"escaped\">Example &lt;b&gt;Atom&lt;/b&gt".to_vec(),
        ),
    ];
    for (case, bytes) in cases {
        let err = parse(&bytes, &ParseOptions::default()).unwrap_err();
        assert!(matches!(err, ParseError::Malformed(_)), "{case}: {err}");
        let message = err.to_string();
        assert!(
            message.contains("document ends inside <"),
            "{case}: {message}"
        );
        assert!(message.contains("download it again"), "{case}: {message}");
        for repair in ["bare", "character set", "stray"] {
            assert!(!message.contains(repair), "{case}: {message}");
        }
    }
}

/// The same rule when the cut is a syntax error kb cannot read past: that error is the reason.
#[test]
fn unreadable_feed_is_refused_for_its_syntax_error() {
    let xml = "<rss version=\"2.0\"><channel><description>Tom & Jerry</description>\n<item><title>One</title><!-- a comment never closed";
    let err = parse(xml.as_bytes(), &ParseOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("xml error at byte"), "{message}");
    assert!(message.contains("download it again"), "{message}");
    assert!(!message.contains("bare"), "{message}");
}

fn atom_with_deep_entry(depth: usize) -> String {
    format!(
        r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Deep</title><id>urn:a</id>
<entry><title>Normal post</title><id>urn:e1</id><link href="http://example.com/1"/><content type="html">hello</content></entry>
<entry><title>Deep post</title><id>urn:e2</id><link href="http://example.com/2"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>kept</p>{}deep text{}</div></content></entry>
<entry><title>After</title><id>urn:e3</id><link href="http://example.com/3"/></entry></feed>"#,
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    )
}

/// One entry whose XML nests deeper than the cap refused the whole feed ("feed too large"),
/// losing the entries around it; README promises that what a cap cuts is reported in warnings.
#[test]
fn too_deep_xhtml_content_is_cut_not_the_feed() {
    let feed = read(atom_with_deep_entry(300).as_bytes());
    let titles: Vec<_> = feed
        .items
        .iter()
        .map(|i| i.title.clone().unwrap())
        .collect();
    assert_eq!(titles, ["Normal post", "Deep post", "After"]);
    let deep = feed.items[1].content_html.as_deref().unwrap();
    assert!(deep.contains("kept"), "{deep}");
    assert!(!deep.contains("deep text"), "{deep}");
    assert!(warned(&feed, "max_depth 256"), "{:?}", feed.warnings);
}

/// Deep elements of a namespace no reader knows, and deep `xml:base` levels, are cut the same
/// way; what follows the deep part in the same item is still read.
#[test]
fn too_deep_unknown_elements_are_cut() {
    let xml = format!(
        r#"<rss version="2.0"><channel><title>t</title>
<item><title>deep</title><x:a xmlns:x="urn:x">{}{}</x:a><link>http://example.com/1</link></item>
<item><title>next</title><link>http://example.com/2</link></item></channel></rss>"#,
        "<x:a xml:base=\"d/\">".repeat(400),
        "</x:a>".repeat(400)
    );
    let feed = read(xml.as_bytes());
    assert_eq!(feed.items.len(), 2, "{:?}", feed.warnings);
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("http://example.com/1"),
        "{:?}",
        feed.warnings
    );
    let cut: Vec<_> = feed
        .warnings
        .iter()
        .filter(|w| w.contains("max_depth"))
        .collect();
    assert_eq!(
        cut.len(),
        1,
        "one warning for the feed: {:?}",
        feed.warnings
    );
    assert!(!cut[0].contains("too large"), "{}", cut[0]);
}

/// The cut part costs linear time whatever it holds: 100 000 levels, then as many stray end
/// tags that match nothing open.
#[test]
fn too_deep_part_is_skipped_in_linear_time() {
    let depth = 100_000;
    let xml = format!(
        "<rss><channel><title>t</title><item><title>x</title><x>{}{}{}</x></item></channel></rss>",
        "<a>".repeat(depth),
        "</zz>".repeat(depth),
        "</a>".repeat(depth)
    );
    let started = Instant::now();
    let feed = read(xml.as_bytes());
    assert_eq!(feed.items.len(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// A document cut off inside a deep part still says where it ends, in a bounded line: the
/// element path is shortened in the middle.
#[test]
fn truncated_inside_deep_nesting_names_a_short_path() {
    let xml = format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>t</title>{}",
        "<feed>".repeat(300)
    );
    let err = parse(xml.as_bytes(), &ParseOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("document ends inside <feed><entry>"),
        "{message}"
    );
    assert!(message.contains('…'), "{message}");
    assert!(message.len() < 400, "{} bytes: {message}", message.len());
}

/// Tag spam: one item with 100 000 distinct categories. The categories are capped per item
/// after de-duplication, with a warning, as items and nesting are.
#[test]
fn categories_per_item_are_capped() {
    let cats: String = (0..5_000)
        .map(|i| format!("<category>c{i}</category><category>C{i}</category>"))
        .collect();
    let xml = format!(
        "<rss><channel><title>t</title><item><title>x</title>{cats}</item><item><title>y</title><category>a</category></item></channel></rss>"
    );
    let feed = read(xml.as_bytes());
    assert_eq!(feed.items[0].categories.len(), 1_000);
    assert_eq!(feed.items[0].categories[999], "c999");
    assert_eq!(feed.items[1].categories, ["a"]);
    assert!(
        warned(&feed, "item 1: 5000 categories, only the first 1000 kept"),
        "{:?}",
        feed.warnings
    );
}

/// A control character in an element name is shown escaped, not passed to the terminal (a NUL
/// in `<r\0ss>` printed "root element <rss>").
#[test]
fn control_characters_in_names_are_escaped_in_messages() {
    let err = parse(
        b"<?xml version=\"1.0\"?>\n<r\0ss version=\"2.0\"><channel><title>T</title></channel></rss>",
        &ParseOptions::default(),
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains(r"<r\0ss>"), "{message}");
    assert!(!message.contains('\0'), "{message:?}");
}
