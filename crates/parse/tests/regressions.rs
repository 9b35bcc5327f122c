//! Bugs and gaps found by comparing kb with feedparser over the shared corpus
//! (`tests/feedparser_agreement.rs`): each reproduced by a small fixture of our own,
//! `fixtures/regressions/<issue>-<what>.*`, never a copy of a corpus file.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use std::path::Path;

use kb_parse::{ParseOptions, ParsedFeed, parse};

fn fixture(name: &str) -> ParsedFeed {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/regressions")
        .join(name);
    parse(&std::fs::read(path).unwrap(), &ParseOptions::default()).unwrap()
}

fn title(feed: &ParsedFeed, i: usize) -> String {
    kb_clean::clean_inline(feed.items[i].title.as_deref().unwrap_or_default())
}

/// Issue 5: Base64 text constructs (Atom 0.3 `mode="base64"`, RFC 4287 §4.1.3.3 non-text
/// types) are decoded, not shown as Base64; binary content is skipped with a warning.
#[test]
fn issue_5_atom_base64_text_constructs_are_decoded() {
    let feed = fixture("5-atom-base64-text.xml");
    // No type: Atom 0.3's default text/plain, so the decoded `<winter>` is text.
    assert_eq!(title(&feed, 0), "Summer & <winter>");
    assert_eq!(
        feed.items[0].content_html.as_deref(),
        Some("<p>Hello <b>world</b></p>")
    );
    assert_eq!(title(&feed, 1), "Emphasis inside");
    assert_eq!(feed.items[1].content_html, None);
    assert!(
        feed.warnings
            .iter()
            .any(|w| w.contains("entry 2") && w.contains("base64")),
        "{:?}",
        feed.warnings
    );
    // Unpadded Base64 is accepted.
    assert_eq!(title(&feed, 2), "Octet title");
}

/// Issue 5: `<rss>` holding items with no `<channel>` is read as if the channel were there.
#[test]
fn issue_5_rss_items_without_channel_are_read() {
    let feed = fixture("5-rss-items-without-channel.xml");
    assert_eq!(feed.items.len(), 2);
    assert_eq!(title(&feed, 0), "First");
    assert_eq!(feed.items[0].link.as_deref(), Some("http://example.org/1"));
    assert_eq!(title(&feed, 1), "Second");
    assert!(
        feed.warnings.iter().any(|w| w.contains("no <channel>")),
        "{:?}",
        feed.warnings
    );
}

/// Issue 5: an RSS item's title falls back to `dc:title`, then `media:title`; `media:category`
/// terms are categories (either spelling of the Media RSS namespace).
#[test]
fn issue_5_rss_dc_and_media_titles_and_categories() {
    let feed = fixture("5-rss-dc-media-title-category.xml");
    assert_eq!(title(&feed, 0), "Dublin & Core");
    assert_eq!(title(&feed, 1), "Media title");
    assert_eq!(feed.items[1].categories, ["Plain", "cat1", "cat2"]);
    assert_eq!(title(&feed, 2), "Own title");
}

/// Issue 5: an Atom link without `href` takes its URL from the element's text; alternates
/// with no URL at all are passed over.
#[test]
fn issue_5_atom_link_url_in_text() {
    let feed = fixture("5-atom-link-text-no-href.xml");
    assert_eq!(feed.link.as_deref(), Some("http://example.org/"));
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("http://example.org/one")
    );
    assert_eq!(
        feed.items[1].link.as_deref(),
        Some("http://example.org/two")
    );
}

/// Issue 5: a document with no character set declared whose bytes are not UTF-8 is decoded
/// in the encoding a detector guesses (chardetng), with a warning, not as U+FFFD soup.
#[test]
fn issue_5_undeclared_legacy_encoding_is_detected() {
    let feed = fixture("5-undeclared-koi8r.xml");
    assert_eq!(title(&feed, 0), "Как пережить новогоднюю ночь без потерь");
    assert!(
        feed.warnings.iter().any(|w| w.contains("KOI8")),
        "{:?}",
        feed.warnings
    );
}

/// Issue 5: but a UTF-8 document with a few bad bytes stays UTF-8 (its valid multi-byte
/// characters show what it is, no guess turns them into mojibake): the bad bytes alone are
/// read as windows-1252, the bytes pasted from Word or a Latin-1 page they nearly always are
/// (they were U+FFFD before probe 7; `decoding.rs` has the cut-off character that still is).
#[test]
fn issue_5_mostly_utf8_stays_utf8() {
    let xml = "<rss version=\"2.0\"><channel><item><title>Café \u{2014} ok \u{0}</title></item></channel></rss>"
        .replace('\u{0}', "X");
    let mut bytes = xml.into_bytes();
    let at = bytes.iter().position(|b| *b == b'X').unwrap();
    bytes[at] = 0xE9; // a lone Latin-1 é: invalid in UTF-8
    let feed = parse(&bytes, &ParseOptions::default()).unwrap();
    assert_eq!(feed.items[0].title.as_deref(), Some("Café \u{2014} ok é"));
}

/// Issue 5: `dc:author` is an author when there is no `dc:creator`, `author` or
/// `itunes:author`; item-level `itunes:category` (nested ones too) are categories.
#[test]
fn issue_5_rss_dc_author_and_itunes_item_categories() {
    let feed = fixture("5-rss-dc-author-itunes-category.xml");
    assert_eq!(feed.items[0].author.as_deref(), Some("Example editor"));
    assert_eq!(feed.items[0].categories, ["Plain", "Technology", "Gadgets"]);
    assert_eq!(feed.items[1].author.as_deref(), Some("Creator wins"));
    assert!(feed.items[1].categories.is_empty());
}

/// Issue 5: an Atom `type="xhtml"` title or content without its wrapping div is XHTML text
/// all the same: `&lt;br&gt;` in it is the letters `<br>`, as feedparser shows them, not a
/// tag for the cleaner to strip (found in yarr's test feeds). Atom 0.3's `mode="xml"` keeps
/// feedparser's reading: escaped markup there is markup.
#[test]
fn issue_5_atom_xhtml_without_its_div_is_text() {
    let feed = fixture("5-atom-xhtml-without-div.xml");
    assert_eq!(title(&feed, 0), "Use <br> for breaks");
    assert_eq!(
        kb_clean::clean_inline(feed.items[0].content_html.as_deref().unwrap_or_default()),
        "Write <br> & move on"
    );
    assert_eq!(title(&feed, 1), "a < b bold");
    assert_eq!(title(&feed, 2), "Old style");
}
