//! The checks of the whole feed path for any bytes: `kb_parse::parse` with the default limits
//! and with small ones enforces them and gives every item a 16-hex id, and
//! `kb_clean::to_article` makes titles, categories and text of visible characters.
//!
//! One file for both users: the `parse_feed` fuzz target (fuzz/fuzz_targets/parse_feed.rs) and
//! the test that replays its committed corpus (tests/fuzz_corpus.rs) include it by path, since
//! the fuzz crate is a workspace of its own.

/// The fuzz target's body: parse with the default and with small limits, clean every item.
pub fn check(data: &[u8]) {
    let defaults = kb_parse::ParseOptions::default();
    // Small limits reach the "cut short" and "too many items" branches with small inputs.
    let small = kb_parse::ParseOptions {
        source_url: Some("http://example.com/feed/".into()),
        content_type: Some("application/xml; charset=windows-1252".into()),
        max_bytes: 4096,
        max_depth: 8,
        max_items: 2,
        max_categories: 2,
    };
    for opts in [&defaults, &small] {
        let Ok(feed) = kb_parse::parse(data, opts) else {
            continue;
        };
        assert!(feed.items.len() <= opts.max_items, "max_items not enforced");
        for item in &feed.items {
            assert!(
                item.categories.len() <= opts.max_categories,
                "max_categories not enforced"
            );
            assert_eq!(item.id.len(), 16, "id is 16 hex digits: {:?}", item.id);
            let article = kb_clean::to_article("fuzz", item);
            // Titles and categories are single lines of visible text (see kb-clean article.rs).
            assert!(
                !article.title.chars().any(char::is_control),
                "control in title {:?}",
                article.title
            );
            for c in &article.categories {
                assert!(
                    !c.chars().any(char::is_control),
                    "control in category {c:?}"
                );
            }
            // A tab stays only in preformatted text, as the code's own (kb-clean's text.rs;
            // found by fuzzing fixtures/regressions/7-atom-summary-pre-tabs.xml).
            assert!(
                !article
                    .text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'),
                "control in text {:?}",
                article.text
            );
        }
    }
}
