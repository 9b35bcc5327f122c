//! Publishers' feed boilerplate, as their feeds write it (`tests/fixtures/publishers.xml`,
//! trimmed from real feeds: Joomla, the Guardian, WordPress themes, Discourse, Ghost, Jetpack,
//! share bars, WordPress's footnotes block, Sphinx/Hugo/Eleventy heading anchors, Blogger):
//! the widget goes, the article's words stay.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use std::path::Path;

use kb_clean::{Article, to_article};
use kb_parse::{ParseOptions, parse};

fn article(title: &str) -> Article {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/publishers.xml");
    let feed = parse(&std::fs::read(path).unwrap(), &ParseOptions::default()).unwrap();
    let item = feed
        .items
        .iter()
        .find(|i| i.title.as_deref() == Some(title))
        .unwrap_or_else(|| panic!("no item {title:?}"));
    to_article("publishers", item)
}

fn assert_text(title: &str, want: &str) {
    assert_eq!(article(title).text, want, "{title}");
}

#[test]
fn joomlas_feed_read_more_paragraph_goes() {
    assert_text("joomla-feed-readmore", "Intro.");
}

#[test]
fn a_continue_reading_link_to_the_post_itself_goes() {
    assert_text(
        "guardian-continue",
        "Chipmakers have opened three new plants this year …",
    );
    assert_text("continue-own-url", "Excerpt of the post\u{2026}");
    // Relative, without the trailing slash: still the post.
    assert_text("read-more-raquo", "The short version: patch now.");
    // A theme's read-more class, wherever it points.
    assert_text("read-more-class", "The short version: rotate keys.");
}

#[test]
fn a_read_more_link_elsewhere_and_other_links_to_the_post_stay() {
    assert_text(
        "read-more-elsewhere",
        "Background first. Read more\nSee this post again.",
    );
}

#[test]
fn discourses_counts_in_the_singular_go() {
    assert_text("discourse-singular", "Question body.");
}

#[test]
fn ghosts_member_signup_cards_and_paywall_go_a_sponsors_card_stays() {
    assert_text(
        "ghost-cards",
        "We grew faster after the move.\nThis issue is sponsored by Acme Backups.\nTry Acme",
    );
    assert_text("ghost-paywall", "Here is how we think about pricing.");
}

#[test]
fn a_share_bars_label_goes_in_its_own_element_or_inline() {
    assert_text("share-label-h3-list", "Body text here.");
    // `mailto:?subject=` has no address: it shares the post. One to an address stays.
    assert_text(
        "share-label-p-inline",
        "Body text here.\nWrite to the editor.",
    );
    assert_text("jetpack-bare", "Snapshots are not backups.");
}

#[test]
fn current_share_intents_go_profiles_stay() {
    assert_text("share-on-label", "Body text here.");
    assert_text("share-modern", "Body text here.");
    assert_text(
        "share-profiles-stay",
        "Find me on Bluesky, Telegram and WhatsApp; or post about it if you liked it.",
    );
}

#[test]
fn wordpress_footnotes_blocks_back_link_goes() {
    assert_text(
        "wp-footnotes-core",
        "Latency dropped[1] by half.\n1. Measured with ping.",
    );
}

#[test]
fn heading_permalink_anchors_go_a_heading_that_is_a_link_stays() {
    assert_text(
        "heading-anchors",
        "Install\nUse pip.\nUsage\nRun it.\nCode\nText.\nLinked title\nWhole title in the anchor\nNote[1]",
    );
}

#[test]
fn bloggers_feed_footer_goes() {
    assert_text(
        "blogger",
        "Our club met on Saturday.\nNext meeting in April.",
    );
}
