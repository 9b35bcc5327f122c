//! Publisher shapes where kb disagreed with feedparser 6.0.14 (probe round 10): each input
//! written small here, with what feedparser reads from it.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use kb_parse::{ParseOptions, ParsedFeed, parse};

fn read(xml: &str) -> ParsedFeed {
    parse(xml.as_bytes(), &ParseOptions::default()).unwrap()
}

fn read_from(xml: &str, url: &str) -> ParsedFeed {
    let opts = ParseOptions {
        source_url: Some(url.to_owned()),
        ..ParseOptions::default()
    };
    parse(xml.as_bytes(), &opts).unwrap()
}

fn title(feed: &ParsedFeed, i: usize) -> String {
    kb_clean::clean_inline(feed.items[i].title.as_deref().unwrap_or_default())
}

/// RSS 1.0 whose root takes the RDF namespace as its default (`<RDF xmlns="...rdf-syntax-ns#">`)
/// and whose RSS elements carry an `rss:` prefix: elements are known by namespace, not prefix.
#[test]
fn rdf_root_in_the_default_namespace() {
    let feed = read(
        r#"<?xml version="1.0"?>
<RDF xmlns="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rss="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <rss:channel about="http://rdfns.example.com/">
    <rss:title>RDF with prefixed RSS</rss:title>
    <rss:link>http://rdfns.example.com/</rss:link>
  </rss:channel>
  <rss:item about="http://rdfns.example.com/1">
    <rss:title>Prefixed rss item</rss:title>
    <rss:link>http://rdfns.example.com/1</rss:link>
    <dc:date>2024-03-01T00:00:00Z</dc:date>
    <dc:creator>P Author</dc:creator>
  </rss:item>
  <rss:item about="http://rdfns.example.com/2"><rss:title>Second</rss:title><rss:link>http://rdfns.example.com/2</rss:link></rss:item>
</RDF>"#,
    );
    assert_eq!(feed.title.as_deref(), Some("RDF with prefixed RSS"));
    assert_eq!(feed.items.len(), 2);
    assert_eq!(title(&feed, 0), "Prefixed rss item");
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("http://rdfns.example.com/1")
    );
    assert_eq!(feed.items[0].author.as_deref(), Some("P Author"));
    assert!(feed.items[0].published.is_some());
    // The same under any prefix for RDF, and RSS as the default namespace.
    let feed = read(
        r#"<r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel r:about="http://x.example.com/"><title>T</title><link>http://x.example.com/</link></channel>
  <item r:about="http://x.example.com/1"><title>One</title><link>http://x.example.com/1</link></item>
</r:RDF>"#,
    );
    assert_eq!(feed.items.len(), 1);
    assert_eq!(title(&feed, 0), "One");
}

/// Categories feedparser finds and kb lost: `media:keywords` (split at commas, in RSS and
/// Atom, on the item or in its `media:group`), `media:category` in Atom (direct or grouped),
/// an Atom `<category>` with its term as text, and `atom:category` in an RSS item.
#[test]
fn categories_in_media_and_atom_shapes() {
    let feed = read(
        r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title><link>https://n.example.com/</link>
<item><title>a</title><link>https://n.example.com/a</link>
<media:group><media:content url="https://img.example.com/a.jpg"/><media:category>weather</media:category><media:keywords>storm, coast,flooding ,</media:keywords></media:group></item>
<item><title>b</title><link>https://n.example.com/b</link><media:keywords>video, clip</media:keywords></item>
<item><title>c</title><link>https://n.example.com/c</link><atom:category term="atomterm" label="Atom Term Label"/><atom:category>atomtext</atom:category></item>
</channel></rss>"#,
    );
    let cats = |i: usize| feed.items[i].categories.clone();
    assert_eq!(cats(0), ["weather", "storm", "coast", "flooding"]);
    assert_eq!(cats(1), ["video", "clip"]);
    assert_eq!(cats(2), ["atomterm", "atomtext"]);

    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><title>t</title>
<entry><id>urn:1</id><title>1</title><category>TextContent</category><category term="t" label="L"/><category label="Label Only"/></entry>
<entry><id>urn:2</id><title>2</title><media:keywords>alpha, beta, gamma</media:keywords></entry>
<entry><id>urn:3</id><title>3</title><media:group><media:category>Groupcat</media:category><media:keywords>k1,k2</media:keywords></media:group></entry>
<entry><id>urn:4</id><title>4</title><media:category scheme="urn:x">directcat</media:category></entry>
</feed>"#,
    );
    let cats = |i: usize| feed.items[i].categories.clone();
    assert_eq!(cats(0), ["TextContent", "t", "Label Only"]);
    assert_eq!(cats(1), ["alpha", "beta", "gamma"]);
    assert_eq!(cats(2), ["Groupcat", "k1", "k2"]);
    assert_eq!(cats(3), ["directcat"]);
}

/// The RSS channel's `<link>` resolves against the `xml:base` in scope (on `<rss>`, on
/// `<channel>` or on the link itself), before the document's URL; one left relative with
/// nothing to resolve it against is no web address and is dropped with a warning.
#[test]
fn channel_link_honours_xml_base() {
    let feed = read(
        r#"<rss version="2.0"><channel xml:base="https://chanbase.example.com/news/"><title>t</title><link>./</link>
<item><title>a</title><link>a.html</link></item></channel></rss>"#,
    );
    assert_eq!(
        feed.link.as_deref(),
        Some("https://chanbase.example.com/news/")
    );
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("https://chanbase.example.com/news/a.html")
    );
    let root_base = r#"<rss version="2.0" xml:base="https://rootbase.example.org/site/"><channel><title>t</title><link>/site/</link>
<item><title>one</title><link>node/1</link></item></channel></rss>"#;
    for feed in [
        read(root_base),
        read_from(root_base, "http://127.0.0.1:8080/feed.xml"),
    ] {
        assert_eq!(
            feed.link.as_deref(),
            Some("https://rootbase.example.org/site/")
        );
        assert_eq!(
            feed.items[0].link.as_deref(),
            Some("https://rootbase.example.org/site/node/1")
        );
    }
    // A relative xml:base resolves against the document's URL first.
    let feed = read_from(
        r#"<rss version="2.0"><channel xml:base="/blog/"><title>t</title><link xml:base="en/">./</link></channel></rss>"#,
        "https://host.example.com/feed.xml",
    );
    assert_eq!(
        feed.link.as_deref(),
        Some("https://host.example.com/blog/en/")
    );

    let unresolvable = r#"<rss version="2.0"><channel><title>t</title><link>/</link>
<item><title>one</title><guid>42</guid></item></channel></rss>"#;
    let feed = read(unresolvable);
    assert_eq!(feed.link, None);
    assert!(
        feed.warnings.iter().any(|w| w.contains("feed link \"/\"")),
        "{:?}",
        feed.warnings
    );
    // Ids do not move: the guid is still scoped by the link as published.
    let scoped_as_before = read(
        r#"<rss version="2.0"><channel><title>other title</title><link>/</link>
<item><title>one</title><guid>42</guid></item></channel></rss>"#,
    );
    assert_eq!(feed.items[0].id, scoped_as_before.items[0].id);
    assert_eq!(
        feed.items[0].id, "6126851fb55538ed",
        "id of guid 42 scoped by \"/\""
    );
    // From its URL the same link resolves.
    let feed = read_from(unresolvable, "https://site.example.com/feed.xml");
    assert_eq!(feed.link.as_deref(), Some("https://site.example.com/"));
}

/// An RSS item's `<link xml:base="...">` resolves against its own base (XML Base §4.2).
#[test]
fn item_link_honours_its_own_xml_base() {
    let feed = read(
        r#"<rss version="2.0"><channel xml:base="https://chanbase.example.com/news/"><title>t</title><link>./</link>
<item><title>c</title><link xml:base="https://linkbase.example.net/q/">c.html</link></item>
<item xml:base="https://itembase.example.org/p/"><title>b</title><link xml:base="sub/">b.html</link></item>
</channel></rss>"#,
    );
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("https://linkbase.example.net/q/c.html")
    );
    assert_eq!(
        feed.items[1].link.as_deref(),
        Some("https://itembase.example.org/p/sub/b.html")
    );
}

/// `&amp;amp;` in an RSS `<link>` (WordPress plugins escape twice) is a query's `&`, as
/// feedparser reads it; left as `&amp;` it made a parameter named `amp;c`.
#[test]
fn double_escaped_ampersand_in_an_rss_link() {
    let feed = read(
        r#"<rss version="2.0"><channel><title>t</title><link>https://relnb.example.com/</link>
<item><title>a</title><link>https://relnb.example.com/p?a=1&amp;b=2&amp;amp;c=3</link></item>
<item><title>b</title><link>https://relnb.example.com/p?a=1&amp;amp;amp;b=2</link><guid>https://relnb.example.com/g?a=1&amp;amp;b</guid></item>
</channel></rss>"#,
    );
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("https://relnb.example.com/p?a=1&b=2&c=3")
    );
    // Only one escape too many is undone; a guid identifies as written.
    assert_eq!(
        feed.items[1].link.as_deref(),
        Some("https://relnb.example.com/p?a=1&amp;b=2")
    );
    assert_eq!(
        feed.items[1].guid.as_deref(),
        Some("https://relnb.example.com/g?a=1&amp;b")
    );
}

/// `atom:title` and `atom:summary` in an RSS item (feeds mixing the two vocabularies) are its
/// title and summary when RSS's own are missing.
#[test]
fn atom_title_and_summary_in_an_rss_item() {
    let feed = read(
        r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>mix</title><link>http://mix.example.com/</link>
<item><guid>http://mix.example.com/1</guid><title>RSS title</title><atom:title>not this</atom:title><atom:summary>sum</atom:summary></item>
<item><atom:title>Atom title in RSS item</atom:title><atom:link href="http://mix.example.com/2"/><atom:summary type="html">&lt;b&gt;bold&lt;/b&gt;</atom:summary></item>
</channel></rss>"#,
    );
    assert_eq!(title(&feed, 0), "RSS title");
    assert_eq!(feed.items[0].summary_html.as_deref(), Some("sum"));
    assert_eq!(title(&feed, 1), "Atom title in RSS item");
    assert_eq!(feed.items[1].summary_html.as_deref(), Some("<b>bold</b>"));
}

/// An Atom author in an RSS item with only an email (.NET SyndicationFeed's `a10:author`) is
/// named by the email, as in an Atom feed.
#[test]
fn email_only_atom_author_in_an_rss_item() {
    let feed = read(
        r#"<rss xmlns:a10="http://www.w3.org/2005/Atom" version="2.0"><channel><title>.NET</title><link>https://dotnet.example.com/</link>
<item><guid isPermaLink="false">post-17</guid><link>https://dotnet.example.com/posts/17</link><a10:author><a10:name>Dot Net Dev</a10:name><a10:email>dev@dotnet.example.com</a10:email></a10:author><title>a</title></item>
<item><guid isPermaLink="false">post-16</guid><a10:link href="https://dotnet.example.com/posts/16" /><a10:author><a10:email>anon@dotnet.example.com</a10:email></a10:author><title>b</title></item>
</channel></rss>"#,
    );
    assert_eq!(feed.items[0].author.as_deref(), Some("Dot Net Dev"));
    assert_eq!(
        feed.items[1].author.as_deref(),
        Some("anon@dotnet.example.com")
    );
}

/// A bare address in `<author>` gives way to a name in `<itunes:author>`; an address with a
/// name keeps its name.
#[test]
fn itunes_name_beats_a_bare_author_address() {
    let feed = read(
        r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>pod</title><link>https://pm.example.com/</link>
<item><title>1</title><guid>https://pm.example.com/1</guid><author>host@pm.example.com</author><itunes:author>Host Name</itunes:author></item>
<item><title>2</title><guid>https://pm.example.com/2</guid><itunes:author>Other Name</itunes:author><author>host@pm.example.com (Host Name)</author></item>
<item><title>3</title><guid>https://pm.example.com/3</guid><author>host@pm.example.com</author></item>
</channel></rss>"#,
    );
    let author = |i: usize| feed.items[i].author.as_deref();
    assert_eq!(author(0), Some("Host Name"));
    assert_eq!(author(1), Some("Host Name"));
    assert_eq!(author(2), Some("host@pm.example.com"));
}

/// A warning quotes at most 80 characters of an input value, with an ellipsis: a 40 KB
/// `<updated>` made a 40 KB warning.
#[test]
fn warnings_cut_what_they_quote() {
    let long = "2024-03-07T00:00:00Z".repeat(2000);
    let feed = read(&format!(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id><title>x</title><updated>{long}</updated></entry></feed>"#
    ));
    let warning = feed
        .warnings
        .iter()
        .find(|w| w.contains("unparsable updated"))
        .unwrap();
    assert!(warning.len() < 200, "{warning}");
    assert!(warning.contains("2024-03-07T00:00:00Z2024"), "{warning}");
    assert!(warning.contains("…\""), "{warning}");
}

/// RSS 0.91 under Netscape's DTD: the ISO 8859-1 entities it declares (`&eacute;`) are read
/// without a warning; one it does not declare (`&mdash;`) is still reported.
#[test]
fn netscape_rss_091_dtd_entities() {
    let feed = read(
        r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Le Monde-ish &eacute;dition</title><link>http://www.lemonde-example.fr/</link>
<item><title>L'&eacute;t&eacute; arrive &agrave;&nbsp;Paris &mdash; enfin</title><link>http://www.lemonde-example.fr/a.html</link></item>
</channel></rss>"#,
    );
    assert_eq!(title(&feed, 0), "L'été arrive à Paris — enfin");
    let entities: Vec<&String> = feed
        .warnings
        .iter()
        .filter(|w| w.starts_with("entity"))
        .collect();
    assert_eq!(entities.len(), 1, "{entities:?}");
    assert!(entities[0].contains("&mdash;"), "{entities:?}");
    // Without that DTD they are undefined in XML and said so.
    let feed = read(
        r#"<rss version="0.91"><channel><title>&eacute;</title><link>http://x.example.fr/</link></channel></rss>"#,
    );
    assert!(feed.warnings.iter().any(|w| w.contains("&eacute;")));
}

/// An RSS item's tags from several kinds of element (`dc:subject`, `category`,
/// `media:keywords`, `media:category`, `atom:category`, `itunes:category`) come in the order
/// the item writes them, as feedparser gives them and as the publisher listed them. kb had
/// them grouped by kind: categories first, then subjects, keywords and the rest (a
/// WordPress feed writing `dc:subject` before its categories, Media RSS test feeds).
#[test]
fn rss_tags_of_several_kinds_keep_the_items_order() {
    let feed = read(
        r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>t</title>
<item><title>one</title><link>http://e.test/1</link>
  <dc:subject>cloud</dc:subject>
  <category>DevOps</category>
  <media:keywords>yarn, fluffy</media:keywords>
  <category>Tutorial</category>
  <atom:category term="atomterm"/>
  <itunes:category text="Technology"/>
  <media:content url="http://e.test/a.mp4"><media:category>music/song</media:category></media:content>
  <category>Zebra</category>
</item>
<item><title>two</title><link>http://e.test/2</link>
  <category>b</category><category>a</category>
</item></channel></rss>"#,
    );
    assert_eq!(
        feed.items[0].categories,
        [
            "cloud",
            "DevOps",
            "yarn",
            "fluffy",
            "Tutorial",
            "atomterm",
            "Technology",
            "music/song",
            "Zebra"
        ]
    );
    assert_eq!(feed.items[1].categories, ["b", "a"]);
    // Only a subject and categories, nothing else the second reading is taken for.
    let feed = read(
        r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
<item><title>one</title><link>http://e.test/1</link><dc:subject><![CDATA[cloud]]></dc:subject>
<category><![CDATA[DevOps]]></category><category>Project</category></item></channel></rss>"#,
    );
    assert_eq!(feed.items[0].categories, ["cloud", "DevOps", "Project"]);
}

/// An Atom feed that writes Media RSS elements without declaring `media:` (webfeed's
/// Atom-Media test feed): the prefix is read by its usual meaning, as in RSS feeds, so a
/// `media:group`'s category and the `media:keywords` are tags too, as feedparser reads them.
#[test]
fn atom_media_elements_under_an_undeclared_prefix() {
    let feed = read(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>f</title>
<entry><id>http://e.test/1</id><title>x</title><updated>2024-01-01T00:00:00Z</updated>
<media:category label="Music">music/a</media:category>
<media:group><media:category>music/b</media:category></media:group>
<media:keywords>kitty, cat</media:keywords>
</entry></feed>"#,
    );
    assert_eq!(
        feed.items[0].categories,
        ["music/a", "music/b", "kitty", "cat"]
    );
}
