//! The smbITpros seed (fixtures/smbitpros.xml) through the cleaner: golden text per item
//! (issue 3.9) and no widget or markup residue in any of it.
//!
//! The items are read with the `rss` crate here, not with kb-parse, so this test pins the
//! cleaner alone. `UPDATE_GOLDEN=1 cargo test -p kb-clean --test seed` rewrites the golden files;
//! review their diff like code.

use std::path::{Path, PathBuf};

use chrono::DateTime;
use kb_clean::{Article, to_article};
use kb_parse::ParsedItem;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The seed's items as the parse stage would hand them on.
fn seed_items() -> Vec<ParsedItem> {
    let xml = std::fs::read(fixtures().join("smbitpros.xml")).expect("seed fixture");
    let channel = rss::Channel::read_from(&xml[..]).expect("seed parses");
    channel
        .items()
        .iter()
        .enumerate()
        .map(|(n, item)| ParsedItem {
            id: format!("{n:016x}"),
            guid: item.guid().map(|g| g.value().to_owned()),
            guid_is_permalink: false,
            title: item.title().map(str::to_owned),
            link: item.link().map(str::to_owned),
            enclosure: None,
            author: item
                .dublin_core_ext()
                .and_then(|dc| dc.creators().first().cloned()),
            categories: item
                .categories()
                .iter()
                .map(|c| c.name().to_owned())
                .collect(),
            published: item
                .pub_date()
                .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
                .map(|d| d.to_utc()),
            updated: None,
            comments_url: item.comments().map(str::to_owned),
            comments_feed: None,
            original_link: None,
            comments_count: None,
            summary_html: item.description().map(str::to_owned),
            content_html: item.content().map(str::to_owned),
            base_url: Some(channel.link().to_owned()),
        })
        .collect()
}

fn seed_articles() -> Vec<Article> {
    seed_items()
        .iter()
        .map(|item| to_article("smbitpros", item))
        .collect()
}

/// `when-it-comes-to-the-managed-services` from a title: lowercase ASCII words joined by
/// dashes, cut at a word near 40 characters.
fn slug(title: &str) -> String {
    let mut slug = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() > 40 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug
}

#[test]
fn seed_text_matches_golden_files() {
    let dir = fixtures().join("golden/clean/smbitpros");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let articles = seed_articles();
    assert_eq!(articles.len(), 10);
    let mut mismatched = Vec::new();
    for (n, article) in articles.iter().enumerate() {
        let path = dir.join(format!("{:02}-{}.txt", n + 1, slug(&article.title)));
        let actual = format!("{}\n", article.text);
        if update {
            std::fs::create_dir_all(&dir).expect("golden dir");
            std::fs::write(&path, &actual).expect("write golden");
            continue;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
        if expected != actual {
            mismatched.push(path.display().to_string());
        }
    }
    assert!(
        mismatched.is_empty(),
        "cleaned text differs from golden (UPDATE_GOLDEN=1 rewrites): {mismatched:?}"
    );
}

#[test]
fn seed_text_has_no_widget_or_markup_residue() {
    for article in seed_articles() {
        for field in [&article.text, &article.summary, &article.title] {
            let lower = field.to_lowercase();
            for residue in [
                "sexy",
                "del.icio.us",
                "digg",
                "post to twitter",
                "bit.ly",
                "<",
                "&#",
            ] {
                assert!(
                    !lower.contains(residue),
                    "{:?} holds {residue:?}:\n{field}",
                    article.title
                );
            }
        }
        for link in &article.links {
            assert!(
                ![
                    "del.icio.us",
                    "digg.com",
                    "twitter.com/home",
                    "facebook.com/share"
                ]
                .iter()
                .any(|w| link.contains(w)),
                "{:?} keeps widget link {link}",
                article.title
            );
        }
        let html = article.html.to_lowercase();
        for residue in ["sexy", "twitter.com/home", "<script", "<!--", "tt-twitter"] {
            assert!(
                !html.contains(residue),
                "{:?} html holds {residue:?}",
                article.title
            );
        }
    }
}

#[test]
fn seed_text_reads_well() {
    let articles = seed_articles();
    let first = &articles[0];
    assert_eq!(first.title, "Referral programs for MSPs");
    // Numbered list items each on their own line; curly quotes decoded.
    assert!(
        first
            .text
            .contains("\n1. They don\u{2019}t have a process for asking for them\n2. ")
    );
    assert!(first.text.contains("\u{201c}Bob, as you can imagine"));
    // The description is a plain-text excerpt: its line break is kept.
    assert!(
        first.summary.starts_with("One of the best"),
        "{}",
        first.summary
    );
    for article in &articles {
        assert!(!article.text.is_empty());
        assert!(
            !article
                .text
                .lines()
                .any(|l| l.trim().is_empty() || l != l.trim_end())
        );
        assert_eq!(article.content_hash.len(), 64);
    }
}

#[test]
fn seed_is_cleaned_the_same_every_time() {
    assert_eq!(seed_articles(), seed_articles());
}
