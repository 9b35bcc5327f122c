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
    let mut feed = kb_parse::parse(bytes, &opts)?;
    let name = match feed_name {
        Some(n) => n.to_string(),
        None => derive_name(&feed, source_url),
    };
    let mut articles = Vec::with_capacity(feed.items.len());
    let mut warnings = Vec::new();
    for (n, item) in feed.items.iter().enumerate() {
        let (article, cut) = kb_clean::to_article_reporting(&name, item, rules);
        // Numbered as the parser numbers items in its own warnings.
        warnings.extend(cut.into_iter().map(|w| format!("item {} {w}", n + 1)));
        // An item of nothing (`<item/>`, or one with only a guid or a date) is no article:
        // filed, it was a blank line in every listing, and nothing could find it.
        if holds_nothing(&article) {
            warnings.push(format!(
                "item {} has no title, link, text or enclosure: nothing to keep, skipped",
                n + 1
            ));
            continue;
        }
        articles.push(article);
    }
    feed.warnings.extend(warnings);
    Ok((feed, articles, name))
}

/// Whether an article has nothing a reader could see or find: no title, link, text or
/// enclosure (its guid, dates and categories say nothing of what it is).
pub(crate) fn holds_nothing(a: &Article) -> bool {
    a.title.trim().is_empty()
        && a.url.is_none()
        && a.text.trim().is_empty()
        && a.summary.trim().is_empty()
        && a.enclosure.is_none()
}

/// Parse and clean one archived document as it was read when fetched: under its feed's name,
/// with the URL it came from (the base of relative links) and its Content-Type (its charset).
fn archived_articles(
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

/// Why a logged document gave no articles on replay.
#[derive(Debug)]
pub enum Unreplayable {
    /// Its archived bytes are gone or damaged.
    Lost(kb_store::StoreError),
    /// It no longer parses (a document kb once read, refused by a stricter parser).
    Unparsable(ParseError),
}

/// The articles of one document the archive log lists, read back from the archive and parsed
/// as when it was fetched ([`archived_articles`]): every replay of the log (reindex, doctor's
/// check, a sync's catch-up and its reading of a feed's latest document) goes through here.
pub fn logged_articles(
    archive: &kb_store::Archive,
    entry: &kb_store::ArchiveEntry,
    rules: &Rules,
) -> Result<Vec<Article>, Unreplayable> {
    let raw = archive.get(&entry.sha256).map_err(Unreplayable::Lost)?;
    archived_articles(entry, &raw, rules)
        .map(|(_, articles, _)| articles)
        .map_err(Unreplayable::Unparsable)
}

/// `f` over `items` on all cores, results handed to `sink` in the items' order.
///
/// Parsing and cleaning are CPU work that documents don't share, while the index has one
/// writer: workers prepare a window of documents at a time and the caller stores them in
/// order, so a later version of an article still replaces an earlier one. The window bounds
/// what is held in memory to a few documents per core.
pub fn map_in_order<T: Sync, R: Send, E>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(&T, R) -> Result<(), E>,
) -> Result<(), E> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || items.len() < 2 {
        return items.iter().try_for_each(|item| sink(item, f(item)));
    }
    for window in items.chunks(threads * 4) {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads.min(window.len()))
                .map(|_| {
                    s.spawn(|| {
                        let mut out = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(item) = window.get(i) else { break out };
                            out.push((i, f(item)));
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                // A worker only panics if `f` does; pass the panic on as it is.
                .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        done.sort_unstable_by_key(|(i, _)| *i);
        for (i, r) in done {
            sink(&window[i], r)?;
        }
    }
    Ok(())
}

/// The site a URL is on: its host, without `www.`.
pub fn site_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    Some(url.host_str()?.trim_start_matches("www.").to_string())
}

/// A feed name for a document that is not in the config: the site's host name, else its title.
pub fn derive_name(feed: &ParsedFeed, source_url: Option<&str>) -> String {
    feed.link
        .as_deref()
        .and_then(site_of)
        .or_else(|| source_url.and_then(site_of))
        .or_else(|| {
            feed.title
                .as_deref()
                .map(kb_clean::clean_inline)
                .filter(|t| !t.is_empty())
        })
        .unwrap_or_else(|| "unnamed".to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn map_in_order_keeps_the_order_and_stops_at_the_first_error() {
        let items: Vec<u32> = (0..103).collect();
        let mut seen = Vec::new();
        let r: Result<(), ()> = super::map_in_order(
            &items,
            |x| x * 2,
            |x, y| {
                assert_eq!(y, x * 2);
                seen.push(*x);
                Ok(())
            },
        );
        assert!(r.is_ok());
        assert_eq!(seen, items);
        let mut count = 0;
        let r = super::map_in_order(
            &items,
            |x| *x,
            |_, y| {
                count += 1;
                if y == 50 { Err(y) } else { Ok(()) }
            },
        );
        assert_eq!((r, count), (Err(50), 51));
    }

    /// `<item/>` (a FeedBurner column wrote one per item) and an item with only a guid and a
    /// date were filed as articles with no title, link or text: blank lines in `kb list`.
    #[test]
    fn an_item_of_nothing_is_no_article() {
        let feed = br#"<rss version="2.0"><channel><title>t</title>
            <item/>
            <item><guid isPermaLink="false">only-a-guid</guid><pubDate>Mon, 04 Mar 2024 10:00:00 GMT</pubDate></item>
            <item><title>A title alone</title></item>
            <item><description>Text alone.</description></item>
            <item><enclosure url="http://x.test/episode.mp3" length="1" type="audio/mpeg"/></item>
            </channel></rss>"#;
        let (parsed, articles, _) =
            super::to_articles(Some("f"), feed, None, None, kb_clean::Rules::builtin())
                .expect("parses");
        assert_eq!(parsed.items.len(), 5);
        let kept: Vec<(&str, &str, Option<&str>)> = articles
            .iter()
            .map(|a| (a.title.as_str(), a.text.as_str(), a.enclosure.as_deref()))
            .collect();
        assert_eq!(
            kept,
            [
                ("A title alone", "", None),
                // Titled by its text, as an untitled item is.
                ("Text alone.", "Text alone.", None),
                ("", "", Some("http://x.test/episode.mp3")),
            ]
        );
        let skipped: Vec<&String> = parsed
            .warnings
            .iter()
            .filter(|w| w.contains("nothing to keep"))
            .collect();
        assert_eq!(skipped.len(), 2, "{:?}", parsed.warnings);
    }
}
