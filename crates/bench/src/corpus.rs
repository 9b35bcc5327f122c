//! The corpus: WordPress-style RSS 2.0 feed files shaped like the smbITpros seed.
//!
//! Article `i` of a corpus depends only on the seed and `i` (each article has its own PRNG
//! stream), so a corpus is the same on every machine and at any thread count. Article `i` goes
//! to feed `i % feeds`; each feed lists its items newest first, as WordPress does. Publication
//! times rise with `i` from 2005 to 2024 with jitter, so date filters cut the corpus predictably.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::BenchError;
use crate::rng::Rng;
use crate::vocab::{MARKERS, PHRASES, Vocab};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusSpec {
    /// Number of articles in all.
    pub articles: usize,
    /// Number of feed files they are spread over.
    pub feeds: usize,
    /// The PRNG seed.
    pub seed: u64,
}

impl CorpusSpec {
    /// A spec with the default number of feeds: 100 items per feed, like a long WordPress feed
    /// (the seed has 10; generated feeds hold more so 100k articles are 1,000 files, not 10,000).
    pub fn new(articles: usize, seed: u64) -> CorpusSpec {
        CorpusSpec {
            articles,
            feeds: articles.div_ceil(100).max(1),
            seed,
        }
    }
}

/// Bump whenever the generator's output changes, so a corpus left on disk by an older version is
/// regenerated instead of reused.
pub const GENERATOR_VERSION: u32 = 1;

/// A generated corpus, as written to `corpus.json` next to its feed files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The generator's version ([`GENERATOR_VERSION`]); 0 in manifests written before it existed.
    #[serde(default)]
    pub generator: u32,
    /// What was asked for.
    pub spec: CorpusSpec,
    /// Feed file names, relative to the corpus directory.
    pub files: Vec<String>,
    /// Total size of the feed files.
    pub xml_bytes: u64,
    /// Each rare marker word with the number of articles that contain it.
    pub markers: Vec<(String, usize)>,
    /// Publication year of the first and of the last article.
    pub years: (i32, i32),
}

impl Manifest {
    /// The name of the manifest file inside a corpus directory.
    pub const FILE: &'static str = "corpus.json";

    /// Read the manifest of a corpus directory.
    pub fn load(dir: &Path) -> Result<Manifest, BenchError> {
        let path = dir.join(Manifest::FILE);
        let bytes = fs::read(&path).map_err(|e| BenchError::io("reading", &path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| BenchError::Manifest {
            path,
            detail: e.to_string(),
        })
    }

    /// Absolute paths of the feed files.
    pub fn paths(&self, dir: &Path) -> Vec<PathBuf> {
        self.files.iter().map(|f| dir.join(f)).collect()
    }
}

/// Categories, most used first (drawn Zipf-like). Each name's words appear in no other name, so
/// a phrase match on one (as FTS5's column filter does) is as exact as kb's keyword filter.
pub const CATEGORIES: &[&str] = &[
    "Managed Services Marketing",
    "MSP",
    "Selling Managed Services",
    "Backup",
    "Network Security",
    "Cloud",
    "Pricing",
    "Help Desk Operations",
    "Hiring",
    "Vendor News",
    "Virtualization",
    "Compliance",
    "Email",
    "Customer Retention",
    "Leadership",
    "Mobile",
    "Storage",
    "Printing",
    "Licensing",
    "Events",
    "Podcast",
    "Uncategorized",
    "Case Studies",
    "Tools Reviews",
    "Web Hosting",
    "VoIP",
    "Disaster Planning",
    "Finance",
    "Partnerships",
    "Training",
];

const FIRST: &[&str] = &[
    "Mike", "Sarah", "Dave", "Karen", "Tom", "Linda", "Raj", "Ana", "Chris", "Mei", "Olu",
    "Pierre", "Ingrid", "Jorge", "Fatima", "Ken",
];
const LAST: &[&str] = &[
    "Jones", "Nguyen", "Garcia", "Smith", "Okafor", "Muller", "Rossi", "Tanaka", "Kowalski",
    "Brown",
];

/// Marker `k` is planted in article `i` iff `(i + 131 k) % 997 == 0`.
const MARKER_PERIOD: usize = 997;

/// Whether marker `k` is planted in article `i`.
fn has_marker(k: usize, i: usize) -> bool {
    (i + 131 * k).is_multiple_of(MARKER_PERIOD)
}

/// Number of articles among the first `articles` that contain marker `k`.
pub fn marker_hits(k: usize, articles: usize) -> usize {
    (0..articles).filter(|&i| has_marker(k, i)).count()
}

/// Publication time of article `i` of `n`: spread evenly over 2005-01-01 .. 2025-01-01, plus up
/// to a day of jitter.
fn published(i: usize, n: usize, rng: &mut Rng) -> DateTime<Utc> {
    let start = 1_104_537_600i64; // 2005-01-01T00:00:00Z
    let span = 631_152_000i64; // 20 years (with 5 leap days)
    let base = start + (span as i128 * i as i128 / n.max(1) as i128) as i64;
    let t = base + rng.below(86_400) as i64;
    Utc.timestamp_opt(t, 0).single().unwrap_or_default()
}

/// The publication time of article `i` of a corpus.
pub fn published_at(spec: &CorpusSpec, i: usize) -> DateTime<Utc> {
    published(i, spec.articles, &mut Rng::stream(spec.seed, i as u64))
}

/// RSS 2.0 dates are RFC 822 dates; WordPress writes them in UTC with a numeric zone.
const RFC822: &str = "%a, %d %b %Y %H:%M:%S +0000";

/// Everything about one article, before it is written as XML.
struct Item {
    title: String,
    slug: String,
    author: String,
    categories: Vec<&'static str>,
    published: DateTime<Utc>,
    html: String,
    summary: String,
    comments: u64,
}

/// Title Case of some words.
fn title_case(words: &[&str]) -> String {
    let mut s = String::new();
    for (j, w) in words.iter().enumerate() {
        if j > 0 {
            s.push(' ');
        }
        let mut c = w.chars();
        if let Some(f) = c.next() {
            if j == 0 || w.len() > 3 {
                s.extend(f.to_uppercase());
            } else {
                s.push(f);
            }
            s.push_str(c.as_str());
        }
    }
    s
}

/// Contractions as WordPress writes them: some with the numeric entity, some raw (the seed has
/// both).
const CONTRACTIONS: &[&str] = &[
    "don&#8217;t",
    "it&#8217;s",
    "won’t",
    "you’ll",
    "we&#8217;ve",
    "isn’t",
    "they&#8217;re",
];

/// One sentence of `len` words, with inline markup and entities sprinkled in. `plain` collects
/// the same words without markup, for the description.
fn sentence(v: &Vocab, rng: &mut Rng, site: &str, out: &mut String, plain: &mut String) {
    let len = rng.range(6, 22);
    let mut j = 0;
    while j < len {
        if j > 0 {
            out.push(' ');
            plain.push(' ');
        }
        // Per word slot: a planted phrase 1 time in 200 (so each phrase is in about a third of
        // the articles, fewer than its words' AND), a contraction 2 in 100.
        let roll = rng.below(1000);
        let words: String = if roll < 5 {
            (*rng.pick(PHRASES)).to_string()
        } else if roll < 25 {
            (*rng.pick(CONTRACTIONS)).to_string()
        } else {
            v.draw(rng).to_string()
        };
        let first = j == 0;
        let words = if first { title_case(&[&words]) } else { words };
        match rng.below(60) {
            0 => write!(out, "<strong>{words}</strong>").unwrap_or(()),
            1 => write!(out, "<em>{words}</em>").unwrap_or(()),
            2 => write!(out, "&#8220;{words}&#8221;").unwrap_or(()),
            3 => write!(out, "“{words}”").unwrap_or(()),
            4 => write!(
                out,
                "<a href=\"http://{site}/{}/\">{words}</a>",
                v.draw(rng)
            )
            .unwrap_or(()),
            5 => write!(out, "{words} &amp; {}", v.draw(rng)).unwrap_or(()),
            _ => out.push_str(&words),
        }
        plain.push_str(&words);
        j += 1;
    }
    let end = match rng.below(12) {
        0 => "?",
        1 => "!",
        2 => "&#8230;",
        _ => ".",
    };
    out.push_str(end);
    plain.push_str(end);
}

fn item(spec: &CorpusSpec, v: &Vocab, i: usize, site: &str, authors: &[String]) -> Item {
    let mut rng = Rng::stream(spec.seed, i as u64);
    let published = published(i, spec.articles, &mut rng);
    let nwords = rng.range(3, 8);
    let title_words: Vec<&str> = (0..nwords).map(|_| v.draw(&mut rng)).collect();
    let title = title_case(&title_words);
    let slug = format!("{}-{i}", title_words.join("-"));
    let author = rng.pick(authors).clone();
    let mut categories: Vec<&'static str> = Vec::new();
    for _ in 0..rng.range(1, 4) {
        // Zipf-like over categories: the minimum of two uniform draws favours the first ones.
        let c = rng
            .below(CATEGORIES.len() as u64)
            .min(rng.below(CATEGORIES.len() as u64));
        let c = CATEGORIES[c as usize];
        if !categories.contains(&c) {
            categories.push(c);
        }
    }

    // Body: 300..1500 words in paragraphs, with a list now and then.
    let target = rng.range(300, 1500);
    let markers: Vec<&str> = (0..MARKERS.len())
        .filter(|&k| has_marker(k, i))
        .map(|k| MARKERS[k])
        .collect();
    let mut html = String::with_capacity(target * 8 + 4096);
    let mut plain = String::new();
    let mut words = 0;
    let mut para = 0;
    while words < target {
        if para > 0 && rng.chance(1, 6) {
            let tag = if rng.chance(1, 2) { "ul" } else { "ol" };
            html.push_str(&format!("<{tag}>\n"));
            for _ in 0..rng.range(3, 6) {
                let n = rng.range(3, 9);
                let li: Vec<&str> = (0..n).map(|_| v.draw(&mut rng)).collect();
                words += n;
                html.push_str(&format!("<li>{}</li>\n", title_case(&li)));
            }
            html.push_str(&format!("</{tag}>\n"));
        }
        html.push_str("<p>");
        let before = html.len();
        for s in 0..rng.range(2, 6) {
            if s > 0 {
                html.push(' ');
                plain.push(' ');
            }
            sentence(v, &mut rng, site, &mut html, &mut plain);
        }
        // Plant markers in the first paragraph, as a sentence of their own.
        if para == 0 && !markers.is_empty() {
            html.push_str(&format!(" Consider the {}.", markers.join(" and the ")));
        }
        words += html[before..].split_whitespace().count();
        html.push_str("</p>\n");
        plain.push('\n');
        para += 1;
    }
    let summary = plain
        .split_whitespace()
        .take(55)
        .collect::<Vec<_>>()
        .join(" ")
        + " [...]";
    Item {
        title,
        slug,
        author,
        categories,
        published,
        html,
        summary,
        comments: rng.below(25),
    }
}

/// `+` for spaces, as the seed's share links encode titles.
fn plus_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => out.push(b as char),
            _ => write!(out, "%{b:02X}").unwrap_or(()),
        }
    }
    out
}

/// The SexyBookmarks share block and the tweet-this link, as in the seed (see issue 3).
fn clutter(out: &mut String, link: &str, title: &str, site: &str) {
    let t = plus_encode(title);
    out.push_str("\n\n<!-- Begin SexyBookmarks Menu Code -->\n");
    out.push_str(
        "<div class=\"sexy-bookmarks sexy-bookmarks-expand sexy-bookmarks-spaced\">\n<ul class=\"socials\">\n",
    );
    let services: [(&str, String); 5] = [
        (
            "delicious",
            format!("http://del.icio.us/post?url={link}&amp;title={t}"),
        ),
        (
            "digg",
            format!("http://digg.com/submit?phase=2&amp;url={link}&amp;title={t}"),
        ),
        (
            "technorati",
            format!("http://technorati.com/faves?add={link}"),
        ),
        (
            "facebook",
            format!("http://www.facebook.com/share.php?v=4&amp;src=bm&amp;u={link}&amp;t={t}"),
        ),
        (
            "linkedin",
            format!(
                "http://www.linkedin.com/shareArticle?mini=true&amp;url={link}&amp;title={t}&amp;source={site}"
            ),
        ),
    ];
    for (name, href) in services {
        let _ = write!(
            out,
            "\t\t<li class=\"sexy-{name}\">\n\t\t\t<a href=\"{href}\" rel=\"nofollow\" class=\"external\" title=\"\"></a>\n\t\t</li>\n"
        );
    }
    out.push_str("</ul>\n<div style=\"clear:both;\"></div>\n</div>\n<!-- End SexyBookmarks Menu Code -->\n\n");
    let _ = write!(
        out,
        "<p align=\"left\"><a class=\"tt\" href=\"http://twitter.com/home/?status={t}+http://bit.ly/{:x}\" title=\"Post to Twitter\"><img class=\"nothumb\" src=\"http://{site}/wp-content/plugins/tweet-this/icons/tt-twitter-big3.png\" alt=\"Post to Twitter\" /></a></p>",
        title.len() * 7919
    );
}

/// Escape text for an XML element (titles and names; bodies go in CDATA).
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The whole RSS document of feed `f`.
fn feed_xml(spec: &CorpusSpec, v: &Vocab, f: usize) -> String {
    let site = format!("site{f:05}.example.com");
    let mut frng = Rng::stream(spec.seed ^ 0xfeed, f as u64);
    let authors: Vec<String> = (0..frng.range(1, 3))
        .map(|_| format!("{} {}", frng.pick(FIRST), frng.pick(LAST)))
        .collect();
    // Newest first, as WordPress lists them.
    let ids: Vec<usize> = (f..spec.articles)
        .step_by(spec.feeds.max(1))
        .rev()
        .collect();
    let mut x = String::with_capacity(ids.len() * 12_000 + 2048);
    let last_build = ids
        .first()
        .map(|&i| published_at(spec, i))
        .unwrap_or_default();
    let _ = write!(
        x,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>Site {f} for MSP&#039;s</title>
	<atom:link href="http://{site}/feed/" rel="self" type="application/rss+xml" />
	<link>http://{site}</link>
	<description>a generated resource for managed service providers &amp; small business IT pros</description>
	<lastBuildDate>{}</lastBuildDate>
	<generator>http://wordpress.org/?v=2.8.5</generator>
	<language>en</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
"#,
        last_build.format(RFC822)
    );
    for i in ids {
        let it = item(spec, v, i, &site, &authors);
        let link = format!("http://{site}/{}/", it.slug);
        let _ = write!(
            x,
            "\t\t<item>\n\t\t<title>{}</title>\n\t\t<link>{link}</link>\n\t\t<comments>{link}#comments</comments>\n\t\t<pubDate>{}</pubDate>\n\t\t<dc:creator>{}</dc:creator>\n",
            xml_escape(&it.title),
            it.published.format(RFC822),
            xml_escape(&it.author),
        );
        for (j, c) in it.categories.iter().enumerate() {
            let tabs = if j == 0 { "\t\t\t\t" } else { "\t\t" };
            let _ = writeln!(x, "{tabs}<category><![CDATA[{c}]]></category>");
        }
        let _ = write!(
            x,
            "\n\t\t<guid isPermaLink=\"false\">http://{site}/?p={i}</guid>\n\t\t<description><![CDATA[{}]]></description>\n\t\t\t<content:encoded><![CDATA[{}",
            it.summary, it.html
        );
        clutter(&mut x, &link, &it.title, &site);
        let _ = write!(
            x,
            "]]></content:encoded>\n\t\t\t<wfw:commentRss>{link}feed/</wfw:commentRss>\n\t\t<slash:comments>{}</slash:comments>\n\t\t</item>\n",
            it.comments
        );
    }
    x.push_str("\t</channel>\n</rss>\n");
    x
}

/// Generate a corpus into `dir` (created if needed), using up to `threads` threads, and write
/// its manifest. Existing feed files of the same names are overwritten.
pub fn generate(spec: &CorpusSpec, dir: &Path, threads: usize) -> Result<Manifest, BenchError> {
    if spec.articles == 0 || spec.feeds == 0 {
        return Err(BenchError::BadSpec(
            "articles and feeds must be at least 1".into(),
        ));
    }
    fs::create_dir_all(dir).map_err(|e| BenchError::io("creating", dir, e))?;
    let vocab = Vocab::new();
    let files: Vec<String> = (0..spec.feeds)
        .map(|f| format!("feed-{f:05}.xml"))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<u64, BenchError>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut bytes = 0u64;
                    loop {
                        let f = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if f >= spec.feeds {
                            return Ok(bytes);
                        }
                        let xml = feed_xml(spec, &vocab, f);
                        let path = dir.join(&files[f]);
                        fs::write(&path, &xml).map_err(|e| BenchError::io("writing", &path, e))?;
                        bytes += xml.len() as u64;
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Err(BenchError::BadSpec("a generator thread panicked".into()))
                })
            })
            .collect()
    });
    let mut xml_bytes = 0;
    for r in results {
        xml_bytes += r?;
    }
    let manifest = Manifest {
        generator: GENERATOR_VERSION,
        spec: *spec,
        files,
        xml_bytes,
        markers: MARKERS
            .iter()
            .enumerate()
            .map(|(k, m)| (m.to_string(), marker_hits(k, spec.articles)))
            .collect(),
        years: (
            published_at(spec, 0).year(),
            published_at(spec, spec.articles - 1).year(),
        ),
    };
    let path = dir.join(Manifest::FILE);
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| BenchError::Manifest {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    fs::write(&path, json).map_err(|e| BenchError::io("writing", &path, e))?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let v = Vocab::new();
        let a = feed_xml(&CorpusSpec::new(30, 1), &v, 0);
        let b = feed_xml(&CorpusSpec::new(30, 1), &v, 0);
        let c = feed_xml(&CorpusSpec::new(30, 2), &v, 0);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn markers_planted_where_promised() {
        let spec = CorpusSpec {
            articles: 1000,
            feeds: 1,
            seed: 3,
        };
        let xml = feed_xml(&spec, &Vocab::new(), 0);
        for (k, m) in MARKERS.iter().enumerate() {
            let planted = xml.matches(&format!("the {m}")).count();
            assert_eq!(planted, marker_hits(k, 1000), "{m}");
        }
    }

    #[test]
    fn articles_are_300_to_1500_words_and_parse() {
        let spec = CorpusSpec {
            articles: 40,
            feeds: 2,
            seed: 9,
        };
        let xml = feed_xml(&spec, &Vocab::new(), 1);
        let feed = kb_parse::parse(xml.as_bytes(), &kb_parse::ParseOptions::default())
            .expect("generated feed parses");
        assert_eq!(feed.items.len(), 20);
        for item in &feed.items {
            let a = kb_clean::to_article("gen", item);
            let n = a.text.split_whitespace().count();
            assert!((250..=1700).contains(&n), "{n} words");
            assert!(!a.text.contains("sexy") && !a.text.contains("Post to Twitter"));
            assert!(!a.categories.is_empty() && a.author.is_some() && a.published.is_some());
        }
    }
}
