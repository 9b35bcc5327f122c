//! The `Article`: what kb stores and shows, and the adapter from a `ParsedItem` to it.
//!
//! One function decides every field (like miniflux's RSS adapter): which HTML is the body,
//! where the summary and a missing title come from, and the content hash.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use kb_parse::ParsedItem;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_segmentation::UnicodeSegmentation as _;

use crate::html::{Page, clean_html_and_lead, clean_text_with};
use crate::stray::escape_stray_lt;
use crate::text::visible_chars;
use crate::{Rules, clean_inline};

/// A summary made from the body is cut near this many characters.
const SUMMARY_CHARS: usize = 300;
/// A title made from the body is cut near this many characters.
const TITLE_CHARS: usize = 80;

/// One cleaned article, ready to store. Plain data: every field is owned and final.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable short id, from `ParsedItem::id`.
    pub id: String,
    /// Name of the feed it came from (the config name, or one derived from the feed).
    pub feed: String,
    /// The publisher's guid / Atom id.
    pub guid: Option<String>,
    /// The article's URL: its own address, never a click-tracking redirect the feed knows
    /// the address behind (`ParsedItem::original_link`).
    pub url: Option<String>,
    /// Plain-text title.
    pub title: String,
    /// Author display name.
    pub author: Option<String>,
    /// Categories in document order.
    pub categories: Vec<String>,
    /// Publication time (UTC).
    pub published: Option<DateTime<Utc>>,
    /// Last update time (UTC).
    pub updated: Option<DateTime<Utc>>,
    /// Comment count (`slash:comments`).
    pub comments: Option<u64>,
    /// The comments page (`comments`).
    pub comments_url: Option<String>,
    /// Plain-text summary (cleaned description).
    pub summary: String,
    /// Plain-text body: one paragraph per line.
    pub text: String,
    /// Sanitized HTML body for display. Empty in an article read back from a knowledge base,
    /// whose index keeps the text only (the archived feed document gives it again).
    // Written even when empty: a kb from before reads an index of this one only if the key
    // is there (one run from cron beside a newer one in a shell, or after a downgrade).
    #[serde(default)]
    pub html: String,
    /// Outbound links of the body, in order, without duplicates.
    pub links: Vec<String>,
    /// The item's first enclosure (a podcast episode's audio file): what a podcast item is
    /// for. Absent from articles stored by a kb that did not keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enclosure: Option<String>,
    /// Hex SHA-256 over every stored field but the hash itself: equal hash, unchanged article.
    pub content_hash: String,
}

/// Clean one parsed item with the built-in noise rules.
pub fn to_article(feed: &str, item: &ParsedItem) -> Article {
    to_article_with(feed, item, Rules::builtin())
}

/// Clean one parsed item with the given noise rules.
///
/// - `text`, `html`, `links`: from `content_html`, or from `summary_html` when there is no
///   content or the content has no text once cleaned (`<p>&nbsp;</p>`, only a share widget
///   or a tracking pixel) and the summary has.
/// - `summary`: the cleaned `summary_html`; without one, the first paragraph of `text` that is
///   not an image caption, cut at a word boundary near 300 characters with "…".
/// - `title`: `clean_inline(title)`; without one, that same paragraph without its list
///   marker, cut near 80 characters, else the URL, else empty.
/// - `url`: the item's `original_link` (the address behind FeedBurner's redirect), else its
///   link.
/// - Relative URLs resolve against `base_url`, else that address.
pub fn to_article_with(feed: &str, item: &ParsedItem, rules: &Rules) -> Article {
    to_article_reporting(feed, item, rules).0
}

/// [`to_article_with`], and what the input [`Limits`](crate::Limits) cut or dropped, one line
/// each, naming the field (`content: …`, `summary: …`): for a feed's warnings.
pub fn to_article_reporting(
    feed: &str,
    item: &ParsedItem,
    rules: &Rules,
) -> (Article, Vec<String>) {
    let mut warnings = Vec::new();
    // The article's own address: FeedBurner's original where its redirect is the link.
    let address = item.original_link.as_deref().or(item.link.as_deref());
    let base = item.base_url.as_deref().or(address);
    let content = non_blank(item.content_html.as_deref());
    let summary_html = non_blank(item.summary_html.as_deref());
    // The post's own address: a "Continue reading" link to it is the feed's footer.
    let link_url = address.and_then(|l| url::Url::parse(l.trim()).ok());
    let base_url = base.and_then(|b| url::Url::parse(b.trim()).ok());
    let page = link_url.as_ref().map(|url| Page {
        url,
        base: base_url.as_ref(),
    });
    let clean = |html: &str| clean_html_and_lead(&as_html(html), base, page, rules);
    let (mut body, (mut lead, mut marker)) =
        content.or(summary_html).map(clean).unwrap_or_default();
    let field = if content.is_some() {
        "content"
    } else {
        "summary"
    };
    warnings.extend(body.warnings.drain(..).map(|w| format!("{field}: {w}")));
    // A body with no text can't be searched or read: the summary's text is better.
    let mut content = content;
    if content.is_some()
        && body.text.is_empty()
        && let Some((mut summary_body, summary_lead)) = summary_html.map(clean)
        && !summary_body.text.is_empty()
    {
        warnings.extend(
            summary_body
                .warnings
                .drain(..)
                .map(|w| format!("summary: {w}")),
        );
        body = summary_body;
        (lead, marker) = summary_lead;
        content = None;
    }
    // Captions are all the text there is: better one of them than nothing.
    let (lead, marker) = if lead.is_empty() {
        (first_line(&body.text), 0)
    } else {
        (lead.as_str(), marker)
    };
    let summary = match summary_html {
        Some(html) if content.is_some() => {
            let mut cut = Vec::new();
            let text = clean_text_with(&as_html(html), rules, page, &mut cut);
            warnings.extend(cut.into_iter().map(|w| format!("summary: {w}")));
            text
        }
        // No content: the body is the summary already.
        Some(_) => body.text.clone(),
        None => String::new(),
    };
    let summary = if summary.is_empty() {
        // A `pre` keeps its indentation in the text; a summary has no use for it.
        cut(lead.trim_start(), SUMMARY_CHARS)
    } else {
        summary
    };
    let url = address.and_then(plain);
    let title = match item.title.as_deref().map(clean_inline) {
        Some(title) if !title.is_empty() => title,
        // A list item's marker is layout, not words of the title.
        _ => match lead[marker..].trim_start() {
            "" => url.clone().unwrap_or_default(),
            line => cut(line, TITLE_CHARS),
        },
    };
    let mut seen = HashSet::new();
    let categories = item
        .categories
        .iter()
        .filter_map(|c| plain(c))
        .filter(|c| seen.insert(c.clone()))
        .collect();
    let mut article = Article {
        id: item.id.clone(),
        feed: feed.to_owned(),
        guid: item.guid.as_deref().and_then(plain),
        url,
        title,
        author: item
            .author
            .as_deref()
            .map(clean_inline)
            .filter(|a| !a.is_empty()),
        categories,
        published: item.published,
        updated: item.updated,
        comments: item.comments_count,
        comments_url: item.comments_url.as_deref().and_then(plain),
        summary,
        text: body.text,
        html: body.html,
        links: body.links,
        enclosure: item.enclosure.as_deref().and_then(plain),
        content_hash: String::new(),
    };
    article.content_hash = content_hash(&article);
    (article, warnings)
}

impl Article {
    /// This article filed under `feed`, its content hash made anew (the feed is hashed).
    pub fn with_feed(&self, feed: &str) -> Article {
        let mut article = self.clone();
        article.feed = feed.to_owned();
        article.content_hash = content_hash(&article);
        article
    }

    /// This article under another identity (`id` and `guid`), its content hash made anew: a
    /// feed that gave a stored article a new guid is still sending that article (see
    /// kb-store's `aliases`).
    pub fn with_identity(&self, id: &str, guid: Option<&str>) -> Article {
        let mut article = self.clone();
        article.id = id.to_owned();
        article.guid = guid.map(str::to_owned);
        article.content_hash = content_hash(&article);
        article
    }

    /// This article with the dates and author it lacks taken from an earlier version of it,
    /// its content hash made anew; `None` when it lacks none of those the earlier version
    /// had. A feed whose generator stops sending dates or authors has not edited its
    /// posts: the index keeps what it knew (see kb-store's `versions`).
    pub fn with_missing_from(
        &self,
        published: Option<DateTime<Utc>>,
        updated: Option<DateTime<Utc>>,
        author: Option<&str>,
    ) -> Option<Article> {
        let fills = (self.published.is_none() && published.is_some())
            || (self.updated.is_none() && updated.is_some())
            || (self.author.is_none() && author.is_some());
        if !fills {
            return None;
        }
        let mut article = self.clone();
        article.published = article.published.or(published);
        article.updated = article.updated.or(updated);
        if article.author.is_none() {
            article.author = author.map(str::to_owned);
        }
        article.content_hash = content_hash(&article);
        Some(article)
    }
}

/// Hex SHA-256 of every field but `content_hash`, in declaration order. The serialization,
/// fixed so a hash means the same thing across versions of kb:
///
/// - each field: its name in UTF-8, a 0x00 byte, then its value;
/// - a string: its byte length as u64 little-endian, then its UTF-8 bytes;
/// - an `Option`: 0x00 for `None`, or 0x01 then the value;
/// - a list of strings: its length as u64 little-endian, then each string;
/// - a time: seconds since the Unix epoch as i64 little-endian, then nanoseconds as u32
///   little-endian;
/// - a count: u64 little-endian;
/// - `enclosure`, the last field, only when the article has one (its name and string, no
///   `Option` byte): added after the others, it leaves every earlier hash as it was.
///
/// Changing this changes every stored hash, so every article would look updated once.
pub(crate) fn content_hash(a: &Article) -> String {
    let mut h = Hasher(Sha256::new());
    h.field("id").string(&a.id);
    h.field("feed").string(&a.feed);
    h.field("guid").option(a.guid.as_ref(), |h, v| {
        h.string(v);
    });
    h.field("url").option(a.url.as_ref(), |h, v| {
        h.string(v);
    });
    h.field("title").string(&a.title);
    h.field("author").option(a.author.as_ref(), |h, v| {
        h.string(v);
    });
    h.field("categories").strings(&a.categories);
    h.field("published").option(a.published.as_ref(), |h, v| {
        h.time(v);
    });
    h.field("updated").option(a.updated.as_ref(), |h, v| {
        h.time(v);
    });
    h.field("comments").option(a.comments.as_ref(), |h, v| {
        h.count(*v);
    });
    h.field("comments_url")
        .option(a.comments_url.as_ref(), |h, v| {
            h.string(v);
        });
    h.field("summary").string(&a.summary);
    h.field("text").string(&a.text);
    h.field("html").string(&a.html);
    h.field("links").strings(&a.links);
    // Only when there is one: the hash of every article without an enclosure, which is all
    // that a kb before this field stored, stays what it was.
    if let Some(e) = &a.enclosure {
        h.field("enclosure").string(e);
    }
    let mut hex = String::with_capacity(64);
    for byte in h.0.finalize() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The serialization documented on [`content_hash`].
struct Hasher(Sha256);

impl Hasher {
    fn field(&mut self, name: &str) -> &mut Self {
        self.0.update(name.as_bytes());
        self.0.update([0]);
        self
    }

    fn string(&mut self, s: &str) -> &mut Self {
        self.count(s.len() as u64);
        self.0.update(s.as_bytes());
        self
    }

    fn strings(&mut self, list: &[String]) -> &mut Self {
        self.count(list.len() as u64);
        for s in list {
            self.string(s);
        }
        self
    }

    fn time(&mut self, t: &DateTime<Utc>) -> &mut Self {
        self.0.update(t.timestamp().to_le_bytes());
        self.0.update(t.timestamp_subsec_nanos().to_le_bytes());
        self
    }

    fn count(&mut self, n: u64) -> &mut Self {
        self.0.update(n.to_le_bytes());
        self
    }

    fn option<T>(&mut self, v: Option<&T>, value: impl FnOnce(&mut Self, &T)) {
        match v {
            None => {
                self.0.update([0]);
            }
            Some(v) => {
                self.0.update([1]);
                value(self, v);
            }
        }
    }
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// `s` ready for the HTML parser: a `<` that starts no markup escaped (`n<m` in an abstract
/// is text, not a tag that swallows the rest), and plain text (no markup at all, as WordPress
/// writes excerpts) with its newlines made `<br>`, which HTML would fold into spaces.
fn as_html(s: &str) -> std::borrow::Cow<'_, str> {
    let (s, markup) = escape_stray_lt(s);
    if markup || !s.contains('\n') {
        s
    } else {
        s.replace('\n', "<br>").into()
    }
}

/// A single-line string with controls dropped and whitespace collapsed; `None` when empty.
/// For URLs, guids and categories: values printed as they are, never parsed as HTML.
fn plain(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in visible_chars(s) {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    let trimmed = out.trim_end();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// `s` if it has at most `max` characters; otherwise cut at the last space before `max`
/// (or at the last grapheme-cluster boundary before `max` when that would lose more than
/// half) and end with "…".
///
/// Never inside a grapheme cluster: a Thai or Devanagari vowel sign, an accent, an emoji's ZWJ
/// sequence, variation selector or skin tone, a flag's second half, cut from what it belongs
/// to, changes the word or the picture. Only a single cluster longer than `max` characters
/// (stacked marks, no text anyone wrote) is cut by characters.
fn cut(s: &str, max: usize) -> String {
    let Some((at_max, _)) = s.char_indices().nth(max) else {
        return s.to_owned();
    };
    let mut end = 0;
    let mut chars = 0;
    for (at, cluster) in s.grapheme_indices(true) {
        chars += cluster.chars().count();
        if chars > max {
            break;
        }
        end = at + cluster.len();
    }
    let end = if end == 0 { at_max } else { end };
    let head = &s[..end];
    let head = match head.rfind(' ') {
        Some(space) if head[..space].chars().count() > max / 2 => &head[..space],
        _ => head,
    };
    let head = head
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–'));
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> ParsedItem {
        ParsedItem {
            id: "0123456789abcdef".into(),
            guid: Some("http://example.com/?p=1".into()),
            guid_is_permalink: false,
            title: Some("A &amp; B <em>title</em>".into()),
            link: Some("http://example.com/a/".into()),
            enclosure: None,
            author: Some(" Mike ".into()),
            categories: vec![" One ".into(), "Two".into(), "One".into(), " ".into()],
            published: Some(DateTime::from_timestamp(1_268_805_487, 0).expect("valid")),
            updated: None,
            comments_url: Some("http://example.com/a/#comments".into()),
            comments_feed: None,
            original_link: None,
            comments_count: Some(3),
            summary_html: Some("Short.\nSecond line [...]".into()),
            content_html: Some("<p>Body <a href=\"/b\">link</a>.</p>".into()),
            base_url: None,
        }
    }

    /// The hash is stored with every article: kb 0.1's value for this item is pinned, so a
    /// change to the hashing (as the enclosure field could have been) cannot make every stored
    /// article look updated unnoticed.
    #[test]
    fn the_hash_of_an_article_without_enclosure_is_the_one_stored_before() {
        let a = to_article("feed", &item());
        assert_eq!(a.enclosure, None);
        assert_eq!(
            a.content_hash,
            "ed523de0e33d169d5831f58e4441dca692b373724110a4a1d7535eca1c010309"
        );
        let mut it = item();
        it.enclosure = Some("https://podcast.example/86.mp3".into());
        let b = to_article("feed", &it);
        assert_eq!(
            b.enclosure.as_deref(),
            Some("https://podcast.example/86.mp3")
        );
        assert_ne!(b.content_hash, a.content_hash);
        // Stored before the field existed: read back without it.
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("enclosure"), "{json}");
        let back: Article = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<Article>(&json).unwrap(), b);
    }

    #[test]
    fn copies_and_cleans_fields() {
        let a = to_article("feed", &item());
        assert_eq!(a.id, "0123456789abcdef");
        assert_eq!(a.feed, "feed");
        assert_eq!(a.title, "A & B title");
        assert_eq!(a.author.as_deref(), Some("Mike"));
        assert_eq!(a.categories, ["One", "Two"]);
        assert_eq!(a.comments, Some(3));
        assert_eq!(a.text, "Body link.");
        assert_eq!(a.summary, "Short.\nSecond line [...]");
        assert_eq!(a.links, ["http://example.com/b"]);
        assert_eq!(a.content_hash.len(), 64);
    }

    #[test]
    fn summary_is_the_body_when_there_is_no_content() {
        let mut it = item();
        it.content_html = None;
        let a = to_article("feed", &it);
        assert_eq!(a.text, "Short.\nSecond line [...]");
        assert_eq!(a.summary, a.text);
    }

    #[test]
    fn content_without_text_after_cleaning_falls_back_to_the_summary() {
        let mut it = item();
        it.summary_html = Some("<p>The giraffe is <a href=\"/g\">tall</a>.</p>".into());
        for content in [
            "<p>&nbsp;</p>",
            // Only FeedBurner flare and a tracking pixel: the noise rules take both.
            "<div class=\"feedflare\"><a href=\"http://feeds.feedburner.com/~ff/x?a=1\"><img src=\"http://feeds.feedburner.com/~ff/x?d=1\"></a></div>\
             <img src=\"http://feeds.feedburner.com/~r/x/~4/abc\" height=\"1\" width=\"1\"/>",
            // Only a share widget.
            "<div class=\"sharedaddy\"><h3>Share this:</h3><ul><li><a href=\"https://twitter.com/share\">Twitter</a></li></ul></div>",
        ] {
            it.content_html = Some(content.into());
            let a = to_article("feed", &it);
            assert_eq!(a.text, "The giraffe is tall.", "{content}");
            assert_eq!(a.summary, a.text);
            assert_eq!(a.links, ["http://example.com/g"]);
        }
        // A picture with no text stays when the summary has none either.
        it.content_html = Some("<p><img src=\"http://example.com/photo.jpg\"></p>".into());
        it.summary_html = Some("<p> </p>".into());
        let a = to_article("feed", &it);
        assert_eq!(a.text, "");
        assert!(a.html.contains("photo.jpg"), "{}", a.html);
    }

    #[test]
    fn summary_falls_back_to_the_first_paragraph_cut_at_a_word() {
        let mut it = item();
        it.summary_html = None;
        let long = "word ".repeat(100);
        it.content_html = Some(format!("<p>{long}</p><p>Second.</p>"));
        let a = to_article("feed", &it);
        assert!(a.summary.ends_with("word…"), "{}", a.summary);
        assert!(a.summary.chars().count() <= SUMMARY_CHARS + 1);
    }

    #[test]
    fn title_falls_back_to_the_text_then_the_url() {
        let mut it = item();
        it.title = Some(" <b></b> ".into());
        it.content_html = Some("<p>Untitled post about things that go on and on and on and on and on for a long while.</p>".into());
        let a = to_article("feed", &it);
        assert_eq!(
            a.title,
            "Untitled post about things that go on and on and on and on and on for a long…"
        );
        it.content_html = None;
        it.summary_html = None;
        it.title = None;
        assert_eq!(to_article("feed", &it).title, "http://example.com/a/");
    }

    #[test]
    fn a_title_from_a_list_item_has_no_marker() {
        let mut it = item();
        it.title = None;
        it.summary_html = None;
        for (html, title) in [
            (
                "<ul><li>first bullet</li><li>second</li></ul>",
                "first bullet",
            ),
            ("<ol start=\"3\"><li>step one</li></ol>", "step one"),
            ("<ul><li><ol><li>nested</li></ol></li></ul>", "nested"),
            // Not list items: the text itself starts so, and stays.
            ("<h2>1. Introduction</h2><p>Body.</p>", "1. Introduction"),
            ("<p>- a dash of text</p>", "- a dash of text"),
            ("<p>2024. A year.</p>", "2024. A year."),
            // Code keeps its indentation in the text, not in a title.
            (
                "<pre><code>    indented code\nsecond</code></pre>",
                "indented code",
            ),
        ] {
            it.content_html = Some(html.into());
            let a = to_article("feed", &it);
            assert_eq!(a.title, title, "{html}");
        }
        // Only the title: the summary is the text's first line as it is.
        it.content_html = Some("<ul><li>first bullet</li></ul>".into());
        assert_eq!(to_article("feed", &it).summary, "- first bullet");
    }

    #[test]
    fn summary_and_title_skip_an_image_caption() {
        let mut it = item();
        it.title = None;
        it.summary_html = None;
        for html in [
            "<figure><img src=\"a.jpg\" alt=\"A cat\"><figcaption>Photo by <a href=\"https://unsplash.com/@x\">X</a> on Unsplash</figcaption></figure><p>Real text here.</p><p>More.</p>",
            "<div class=\"wp-caption\"><img src=\"a.jpg\"><p class=\"wp-caption-text\">Photo by X on Unsplash</p></div><p>Real text here.</p><p>More.</p>",
        ] {
            it.content_html = Some(html.into());
            let a = to_article("feed", &it);
            assert_eq!(a.summary, "Real text here.", "{html}");
            assert_eq!(a.title, "Real text here.", "{html}");
            // The caption stays in the text.
            assert_eq!(
                a.text, "Photo by X on Unsplash\nReal text here.\nMore.",
                "{html}"
            );
        }
        // A body that is only a captioned image: the caption is better than nothing.
        it.content_html =
            Some("<figure><img src=\"a.jpg\"><figcaption>My cat</figcaption></figure>".into());
        let a = to_article("feed", &it);
        assert_eq!((a.title.as_str(), a.summary.as_str()), ("My cat", "My cat"));
    }

    #[test]
    fn with_missing_from_fills_only_what_is_missing_and_rehashes() {
        let dated = to_article("feed", &item());
        let mut it = item();
        it.published = None;
        it.author = None;
        let bare = to_article("feed", &it);
        let filled = bare
            .with_missing_from(dated.published, dated.updated, dated.author.as_deref())
            .expect("fills the date and author");
        assert_eq!(filled, dated);
        assert!(
            dated
                .with_missing_from(None, None, Some("Someone else"))
                .is_none()
        );
        assert!(bare.with_missing_from(None, None, None).is_none());
    }

    #[test]
    fn hash_changes_with_any_field_and_only_then() {
        let a = to_article("feed", &item());
        assert_eq!(a, to_article("feed", &item()));
        let mut it = item();
        it.comments_count = Some(4);
        assert_ne!(a.content_hash, to_article("feed", &it).content_hash);
        assert_ne!(a.content_hash, to_article("other", &item()).content_hash);
        assert_eq!(to_article("other", &item()).with_feed("feed"), a);
        // Moving a value between fields changes the hash (fields are delimited).
        let mut b = a.clone();
        b.summary = String::new();
        b.text = format!("{}{}", a.summary, a.text);
        assert_ne!(content_hash(&a), content_hash(&b));
    }

    #[test]
    fn controls_never_reach_titles_urls_or_categories() {
        let mut it = item();
        it.title = Some("\u{1b}[31mRed\u{1b}[0m".into());
        it.link = Some("http://x/\u{7}".into());
        it.categories = vec!["a\u{1b}[2Jb".into()];
        let a = to_article("feed", &it);
        assert_eq!(a.title, "Red");
        assert_eq!(a.url.as_deref(), Some("http://x/"));
        assert_eq!(a.categories, ["ab"]);
    }

    #[test]
    fn c1_in_a_title_is_the_windows_1252_character() {
        let mut it = item();
        it.title = Some("It\u{92}s \u{93}quoted\u{94} \u{96} dash".into());
        assert_eq!(
            to_article("feed", &it).title,
            "It\u{2019}s \u{201c}quoted\u{201d} \u{2013} dash"
        );
    }

    #[test]
    fn cut_prefers_word_boundaries() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("alpha beta gamma", 12), "alpha beta…");
        assert_eq!(cut("abcdefghijklmnop", 5), "abcde…");
    }

    #[test]
    fn cut_never_splits_a_grapheme_cluster() {
        for (s, max, want) in [
            // A combining accent, a Thai vowel sign, a Devanagari vowel sign.
            ("abcde\u{301}fgh", 5, "abcd…"),
            ("กกกิขขข", 3, "กก…"),
            ("कककिखखख", 3, "कक…"),
            // A ZWJ sequence, an emoji with its variation selector, a flag, a skin tone.
            (
                "ab\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}cdefgh",
                4,
                "ab…",
            ),
            ("abc\u{263a}\u{fe0f}defgh", 4, "abc…"),
            ("abc\u{1f1eb}\u{1f1f7}defgh", 4, "abc…"),
            ("abc\u{1f44d}\u{1f3fd}defgh", 4, "abc…"),
            // A cluster that ends right at the cut is kept.
            ("abc\u{263a}\u{fe0f}defgh", 5, "abc\u{263a}\u{fe0f}…"),
            // Words still win.
            ("alpha be\u{301}ta gamma", 13, "alpha be\u{301}ta…"),
        ] {
            assert_eq!(cut(s, max), want, "{s:?}");
        }
        // A single cluster longer than the whole cut (hostile stacked marks) is cut by
        // characters rather than left out.
        let zalgo = format!("a{}", "\u{301}".repeat(50));
        assert_eq!(cut(&zalgo, 10).chars().count(), 11);
    }
}
