//! Hand-made feeds of article shapes (`tests/fixtures/*.xml`) through the parser and the
//! cleaner, as `kb parse` and `kb sync` run them: what a reader and a search see of each item.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use std::path::Path;

use kb_clean::{Article, to_article};
use kb_parse::{ParseOptions, parse};

fn articles(file: &str) -> Vec<(String, Article)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(file);
    let feed = parse(&std::fs::read(path).unwrap(), &ParseOptions::default()).unwrap();
    feed.items
        .iter()
        .map(|item| {
            (
                item.title.clone().unwrap_or_default(),
                to_article("shapes", item),
            )
        })
        .collect()
}

/// The article titled `title` in `file`.
fn article(file: &str, title: &str) -> Article {
    articles(file)
        .into_iter()
        .find(|(t, _)| t == title)
        .unwrap_or_else(|| panic!("{file}: no item {title:?}"))
        .1
}

#[test]
fn a_removed_widget_between_bare_text_leaves_the_break_it_made() {
    let all = articles("removal-glue.xml");
    assert_eq!(all.len(), 7);
    for (title, a) in all {
        assert_eq!(a.text, "Thanks for reading\nSee you next week", "{title}");
        assert_eq!(a.summary, a.text, "{title}");
        // The display shows the break too, once.
        assert_eq!(
            a.html.matches("<br>").count(),
            1,
            "{title}: {html}",
            html = a.html
        );
    }
}

#[test]
fn paragraphs_of_invisible_characters_are_empty_lines() {
    // Zero-width space, ZWNJ, LRM, LRM+RLM, BOM and a line separator, a paragraph each.
    let a = article("shapes2.xml", "zw-only-paras");
    assert_eq!(a.text, "Start.\nEnd.");
    // Inside words they stay: ZWJ and ZWNJ shape Indic and Persian words.
    let a = article("shapes2.xml", "indic-zwj");
    assert!(
        a.text.contains("\u{915}\u{94d}\u{200d}\u{937}")
            && a.text.contains("\u{645}\u{6cc}\u{200c}\u{62e}"),
        "{:?}",
        a.text
    );
}

#[test]
fn every_block_element_breaks_the_line() {
    let all = articles("blocks.xml");
    assert!(all.len() > 40);
    // As browsers parse them, `Alpha<hr>Beta</hr>Gamma` has no end tag after Beta, and
    // `Alpha<table>Beta</table>` moves Beta before the table.
    for (title, a) in all
        .iter()
        .filter(|(title, _)| !matches!(&title[..], "hr" | "table"))
    {
        assert!(
            !a.text.contains("AlphaBeta") && !a.text.contains("BetaGamma"),
            "{title}: {:?}",
            a.text
        );
    }
    for (title, html) in [
        ("xmp", "Alpha<pre>Beta</pre>Gamma"),
        ("listing", "Alpha<pre>Beta</pre>Gamma"),
        ("search", "Alpha<div>Beta</div>Gamma"),
    ] {
        let a = article("blocks.xml", title);
        assert_eq!(a.text, "Alpha\nBeta\nGamma", "{title}");
        assert_eq!(a.html, html, "{title}");
    }
}

#[test]
fn ruby_is_its_base_text_and_its_readings_stay_in_the_html() {
    let a = article("shapes.xml", "ruby");
    assert_eq!(a.text, "漢字を勉強する。\n東京に行く。");
    assert!(
        a.html
            .contains("<ruby>東京<rt>とうきょう</rt></ruby>に行く。"),
        "{}",
        a.html
    );
}

#[test]
fn the_sanitized_html_keeps_text_direction() {
    let a = article("attrs.xml", "dir-attrs");
    assert_eq!(
        a.html,
        "<div dir=\"rtl\"><p>مرحبا بالعالم (نص) 123.</p></div><p dir=\"rtl\">שלום עולם!</p>\
         <p dir=\"auto\">auto dir</p><span dir=\"ltr\">ltr span</span><p>ok <bdo dir=\"rtl\">bdo</bdo></p>"
    );
}

#[test]
fn the_sanitized_html_keeps_list_numbering() {
    let a = article("attrs.xml", "ol-attrs");
    assert_eq!(a.text, "3. c\n2. b\n1. a\n7. seven\n1. alpha");
    assert_eq!(
        a.html,
        "<ol reversed=\"\" start=\"3\"><li>c</li><li>b</li><li>a</li></ol>\
         <ol><li value=\"7\">seven</li></ol><ol type=\"a\"><li>alpha</li></ol>"
    );
}

#[test]
fn lazy_loaded_images_keep_their_picture() {
    // lazysizes: a data: placeholder, the image in data-src, and a noscript copy of it.
    let a = article("shapes3.xml", "lazy-images-only");
    assert_eq!(
        a.html,
        "<p><img alt=\"Sunset over the bay\" src=\"https://ex.com/real.jpg\"></p>"
    );
    assert_eq!(a.text, "Sunset over the bay");
    // a3 Lazy Load / WP Rocket: a placeholder image, the image in data-lazy-src.
    let a = article("shapes3.xml", "lazy-with-text");
    assert_eq!(
        a.html,
        "<p>Look:</p><p><img alt=\"x\" src=\"https://ex.com/real2.jpg\"></p>"
    );
}

#[test]
fn summaries_and_titles_are_cut_between_grapheme_clusters() {
    // Character 300 is a vowel sign (U+0E34, U+093F) of the consonant before it: the cut goes
    // before the pair.
    let all = articles("cut-marks.xml");
    let thai = &all[0].1;
    assert_eq!(thai.summary, format!("{}…", "ก".repeat(299)));
    let untitled = &all[1].1;
    assert_eq!(untitled.title, format!("{}…", "ก".repeat(79)));
    let devanagari = &all[2].1;
    assert_eq!(devanagari.summary, format!("{}…", "क".repeat(299)));
    // An emoji family (four people joined by ZWJs) across character 300 stays whole.
    let emoji = article("shapes3.xml", "emoji-long");
    assert_eq!(emoji.summary, format!("{}…", "a".repeat(297)));
}
