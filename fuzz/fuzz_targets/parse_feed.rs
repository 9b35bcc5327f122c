//! Arbitrary bytes through the whole feed path: `kb_parse::parse` with the default limits and
//! with small ones, then `kb_clean::to_article` on every item. The same code path runs as a
//! plain test over the committed corpus in crates/parse/tests/fuzz_corpus.rs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let defaults = kb_parse::ParseOptions::default();
    // Small limits reach the "cut short" and "too many items" branches with small inputs.
    let small = kb_parse::ParseOptions {
        source_url: Some("http://example.com/feed/".into()),
        content_type: Some("application/xml; charset=windows-1252".into()),
        max_bytes: 4096,
        max_depth: 8,
        max_items: 2,
    };
    for opts in [&defaults, &small] {
        let Ok(feed) = kb_parse::parse(data, opts) else {
            continue;
        };
        assert!(feed.items.len() <= opts.max_items, "max_items not enforced");
        for item in &feed.items {
            assert_eq!(item.id.len(), 16, "id is 16 hex digits: {:?}", item.id);
            let article = kb_clean::to_article("fuzz", item);
            // Titles and categories are single lines of visible text (see article.rs).
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
            assert!(
                !article.text.chars().any(|c| c.is_control() && c != '\n'),
                "control in text {:?}",
                article.text
            );
        }
    }
});
