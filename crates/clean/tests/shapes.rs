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
