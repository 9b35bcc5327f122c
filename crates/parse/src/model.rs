//! The values the parse stage hands on: one `ParsedFeed` holding `ParsedItem`s.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Which syndication format a document was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedFormat {
    /// RSS 0.90, 0.91, 0.92, 2.0 (and the undated "rss" dialects).
    Rss,
    /// RSS 1.0 / RDF Site Summary.
    Rdf,
    /// Atom 0.3 or 1.0.
    Atom,
    /// JSON Feed 1.0 or 1.1.
    JsonFeed,
    /// Microsoft's Channel Definition Format (1997), which feedparser reads too.
    Cdf,
}

impl FeedFormat {
    /// The format's name as a reader would write it.
    pub fn name(self) -> &'static str {
        match self {
            FeedFormat::Rss => "RSS",
            FeedFormat::Rdf => "RSS 1.0 (RDF)",
            FeedFormat::Atom => "Atom",
            FeedFormat::JsonFeed => "JSON Feed",
            FeedFormat::Cdf => "CDF",
        }
    }
}

/// Channel-level facts about a feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedFeed {
    /// Detected format.
    pub format: FeedFormat,
    /// Channel title as HTML for the cleaner (`clean_inline`): a title written as plain text
    /// (`Vec<T>`, `AT&T`) arrives escaped, so its angle brackets survive.
    pub title: Option<String>,
    /// The site's home page (RSS `link`, Atom `link rel=alternate`, JSON `home_page_url`).
    pub link: Option<String>,
    /// Channel description / subtitle.
    pub description: Option<String>,
    /// Declared language (RSS `language`, `xml:lang`, JSON `language`).
    pub language: Option<String>,
    /// RFC 5005 `atom:link rel="prev-archive"`: the next older archive document, if any.
    pub prev_archive: Option<String>,
    /// Items in document order.
    pub items: Vec<ParsedItem>,
    /// What was skipped or guessed (lenient recovery, unparsable dates, ...). Never silent.
    pub warnings: Vec<String>,
}

/// One entry of a feed, still carrying the publisher's HTML.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedItem {
    /// Stable short article id (16 lowercase hex digits), derived once here from the item's
    /// identity: guid, else link, else a hash of title and content. See `identity.rs`.
    pub id: String,
    /// RSS `guid` / Atom `id` / JSON `id`, as published.
    pub guid: Option<String>,
    /// RSS 2.0: guid isPermaLink defaults to true when a guid is present.
    pub guid_is_permalink: bool,
    /// Item title as HTML for the cleaner (`clean_inline`): markup and references stay as the
    /// feed wrote them, a title written as plain text arrives escaped (see `plain.rs`).
    pub title: Option<String>,
    /// The article's URL as the feed gives it, absolute when a base was known.
    pub link: Option<String>,
    /// The article's own address where `link` is a click-tracking redirect in front of it:
    /// FeedBurner's `feedburner:origLink`, Pheedo's `pheedo:origLink`. Those redirects died
    /// with their services (feedproxy.google.com, pheedo.com), so the archive keeps this one;
    /// the id still comes from `link`, as it did before kb read this.
    pub original_link: Option<String>,
    /// The first enclosure's URL (RSS `enclosure`, Atom `link rel="enclosure"`, JSON Feed
    /// `attachments`), absolute when a base was known: the identity of a podcast episode that
    /// has neither guid nor link (`identity.rs`).
    pub enclosure: Option<String>,
    /// Author display name (`dc:creator`, `author`, Atom `author/name`).
    pub author: Option<String>,
    /// Categories in document order, duplicates removed (first kept).
    pub categories: Vec<String>,
    /// Publication time in UTC (`pubDate`, `dc:date`, Atom `published`, JSON `date_published`).
    pub published: Option<DateTime<Utc>>,
    /// Last update time in UTC (Atom `updated`, JSON `date_modified`, `atom:updated` in RSS).
    pub updated: Option<DateTime<Utc>>,
    /// RSS `comments`: the page holding the comments.
    pub comments_url: Option<String>,
    /// `wfw:commentRss`: the comments feed.
    pub comments_feed: Option<String>,
    /// `slash:comments`: number of comments.
    pub comments_count: Option<u64>,
    /// Short HTML (RSS `description`, Atom `summary`, JSON `summary`).
    pub summary_html: Option<String>,
    /// Full HTML (`content:encoded`, Atom `content`, JSON `content_html`/`content_text`).
    pub content_html: Option<String>,
    /// Base URL for resolving relative links in this item's HTML (xml:base, the feed link or
    /// the URL it was fetched from).
    pub base_url: Option<String>,
}
