//! Test inputs: every HTML body the repository and the shared corpus hold, for the
//! differential tests that compare a fast path with the plain way.

use std::path::{Path, PathBuf};

/// `(file, html)` for every item body (content and summary) of every feed of the shared corpus
/// (`../shared/corpus`, when present), the fixtures and the fuzzing corpus, and every `.html`
/// file among them as it is.
pub(crate) fn html_bodies() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [
        "../../../shared/corpus",
        "../../fixtures",
        "../../fuzz/corpus",
    ] {
        files(&root.join(dir), &mut paths);
    }
    let mut bodies = Vec::new();
    for path in paths {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "html" || e == "htm") {
            bodies.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        } else if let Ok(feed) = kb_parse::parse(&bytes, &kb_parse::ParseOptions::default()) {
            for item in feed.items {
                for html in item.content_html.into_iter().chain(item.summary_html) {
                    bodies.push((path.clone(), html));
                }
            }
        }
    }
    bodies
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}
