//! Every built-in noise rule against its own fixture (issue 5.6): `fixtures/clean/<rule>.html`,
//! expected output in `fixtures/golden/clean/rules/<rule>.txt` (text, links and sanitized HTML).
//! `UPDATE_GOLDEN=1` rewrites the golden files; review their diff like code.

use std::path::{Path, PathBuf};

use kb_clean::{CleanedHtml, NoiseRule, Rules, clean_html_with};

const BASE: &str = "https://example.com/post/";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn render(cleaned: &CleanedHtml) -> String {
    format!(
        "== text\n{}\n== links\n{}\n== html\n{}\n",
        cleaned.text,
        cleaned.links.join("\n"),
        cleaned.html.trim()
    )
}

fn without(name: &str) -> Rules {
    let rest: Vec<NoiseRule> = Rules::builtin()
        .iter()
        .filter(|r| r.name != name)
        .cloned()
        .collect();
    Rules::new(rest).expect("builtin rules are valid")
}

#[test]
fn each_builtin_rule_has_a_fixture_that_only_it_cleans() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let golden_dir = fixtures().join("golden/clean/rules");
    for rule in Rules::builtin().iter() {
        let fixture = fixtures().join(format!("clean/{}.html", rule.name));
        let html = std::fs::read_to_string(&fixture)
            .unwrap_or_else(|e| panic!("rule {}: fixture {}: {e}", rule.name, fixture.display()));
        let cleaned = clean_html_with(&html, Some(BASE), Rules::builtin());
        let rendered = render(&cleaned);

        // The rule is what removes the widget: without it the output differs.
        let unruled = clean_html_with(&html, Some(BASE), &without(&rule.name));
        assert_ne!(
            rendered,
            render(&unruled),
            "rule {} removes nothing",
            rule.name
        );

        let golden = golden_dir.join(format!("{}.txt", rule.name));
        if update {
            std::fs::create_dir_all(&golden_dir).expect("golden dir");
            std::fs::write(&golden, &rendered).expect("write golden");
        } else {
            let expected = std::fs::read_to_string(&golden).unwrap_or_else(|e| {
                panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", golden.display())
            });
            assert_eq!(expected, rendered, "rule {}: golden differs", rule.name);
        }
    }
}

#[test]
fn every_fixture_names_a_builtin_rule() {
    let names: Vec<String> = Rules::builtin().iter().map(|r| r.name.clone()).collect();
    for entry in std::fs::read_dir(fixtures().join("clean")).expect("fixtures/clean") {
        let path = entry.expect("dir entry").path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        assert!(
            names.iter().any(|n| n == stem),
            "{} has no rule",
            path.display()
        );
    }
}

#[test]
fn user_rules_from_toml_shaped_data() {
    // What the kb binary does with `[[clean.rules]]` from kb.toml, minus the TOML parser.
    let rule = NoiseRule {
        name: "acme-share".into(),
        reason: "Acme share bar, seen on acme.example".into(),
        selector: Some("div.acme-share".into()),
        start_comment: None,
        end_comment: None,
        text_pattern: None,
    };
    let rules = Rules::with_extra(vec![rule]).expect("valid rule");
    let cleaned = clean_html_with(
        "<p>Body</p><div class=\"acme-share\"><a href=\"https://acme.example/s\">Share</a></div>",
        None,
        &rules,
    );
    assert_eq!(cleaned.text, "Body");
    assert!(cleaned.links.is_empty());
    assert_eq!(rules.iter().count(), Rules::builtin().iter().count() + 1);
}

#[test]
fn a_selector_that_does_not_parse_gets_one_line_naming_the_cause_and_the_fix() {
    let rule = |selector: &str| NoiseRule {
        name: "bad".into(),
        reason: "test".into(),
        selector: Some(selector.into()),
        start_comment: None,
        end_comment: None,
        text_pattern: None,
    };
    for (selector, cause) in [
        ("div[[[", "an [attribute] part is malformed"),
        ("", "it is empty"),
        ("  ", "it is empty"),
        ("p:contains(\"x\")", "text_pattern"),
        ("a:hover", ":hover"),
        ("div >", "nothing after it"),
        ("div,", "empty"),
        ("p.", "a name, a value or a closing bracket is missing"),
        ("p:nope-x", ":nope-x is not supported"),
        ("div[class=]", "a value or a closing bracket is missing"),
    ] {
        let err = Rules::with_extra(vec![rule(selector)])
            .expect_err(selector)
            .to_string();
        assert!(!err.contains('\n'), "{err}");
        assert!(!err.contains("report this"), "{err}");
        assert!(err.contains(&format!("{selector:?}")), "{err}");
        assert!(err.contains("\"bad\""), "{err}");
        assert!(err.contains("not a valid CSS selector"), "{err}");
        assert!(err.contains(cause), "{selector}: {err}");
        assert!(err.contains("fix the selector"), "{err}");
    }
    // What the message says kb supports, it does.
    for selector in [
        "div.a#b[data-x^=\"y\"] > p + span ~ em",
        "ul li:first-child, p:nth-child(2n+1):not(.c)",
        "div:is(.a, .b)",
        "div:has(> a.share)",
    ] {
        Rules::with_extra(vec![rule(selector)]).expect(selector);
    }
}
