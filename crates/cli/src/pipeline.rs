//! Bytes to articles: the parse and clean stages glued together, shared by sync, parse and
//! reindex so every path gives the same articles.

use kb_clean::{Article, Rules};
use kb_parse::{ParseError, ParseOptions, ParsedFeed};

/// Parse a document and clean every item.
pub fn to_articles(
    feed_name: Option<&str>,
    bytes: &[u8],
    source_url: Option<&str>,
    content_type: Option<&str>,
    rules: &Rules,
) -> Result<(ParsedFeed, Vec<Article>, String), ParseError> {
    let opts = ParseOptions {
        source_url: source_url.map(str::to_string),
        content_type: content_type.map(str::to_string),
        ..ParseOptions::default()
    };
    let feed = kb_parse::parse(bytes, &opts)?;
    let name = match feed_name {
        Some(n) => n.to_string(),
        None => derive_name(&feed, source_url),
    };
    let articles = feed
        .items
        .iter()
        .map(|i| kb_clean::to_article_with(&name, i, rules))
        .collect();
    Ok((feed, articles, name))
}

/// Parse and clean one archived document as it was read when fetched: under its feed's name,
/// with the URL it came from (the base of relative links) and its Content-Type (its charset).
/// `kb reindex` and `kb doctor` must replay the archive identically, so both use this.
pub fn archived_articles(
    entry: &kb_store::ArchiveEntry,
    raw: &[u8],
    rules: &Rules,
) -> Result<(ParsedFeed, Vec<Article>, String), ParseError> {
    let source_url = (entry.source.starts_with("http://") || entry.source.starts_with("https://"))
        .then_some(entry.source.as_str());
    to_articles(
        Some(&entry.feed),
        raw,
        source_url,
        entry.content_type.as_deref(),
        rules,
    )
}

/// A feed name for a document that is not in the config: the site's host name, else its title.
pub fn derive_name(feed: &ParsedFeed, source_url: Option<&str>) -> String {
    let host = |u: &str| {
        url::Url::parse(u).ok().and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_string())
        })
    };
    feed.link
        .as_deref()
        .and_then(host)
        .or_else(|| source_url.and_then(host))
        .or_else(|| {
            feed.title
                .as_deref()
                .map(kb_clean::clean_inline)
                .filter(|t| !t.is_empty())
        })
        .unwrap_or_else(|| "unnamed".to_string())
}
