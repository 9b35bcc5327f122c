//! Character-set decoding at the parse API level: mislabelled and mixed documents where
//! feedparser 6.0.14 recovered the text and kb did not.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is the failure report.

use kb_parse::{ParseOptions, ParsedFeed, parse};

fn rss(declaration: &str, title: &[u8], description: &[u8]) -> Vec<u8> {
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"{declaration}\"?>\n<rss version=\"2.0\"><channel>\
         <title>t</title><link>http://h.example/</link><description>d</description><item><title>"
    )
    .into_bytes();
    doc.extend_from_slice(title);
    doc.extend_from_slice(b"</title><link>http://h.example/1</link><description>");
    doc.extend_from_slice(description);
    doc.extend_from_slice(b"</description></item></channel></rss>");
    doc
}

fn read(bytes: &[u8], content_type: Option<&str>) -> ParsedFeed {
    let opts = ParseOptions {
        content_type: content_type.map(str::to_owned),
        ..ParseOptions::default()
    };
    parse(bytes, &opts).unwrap()
}

fn item(feed: &ParsedFeed) -> (&str, &str) {
    let item = &feed.items[0];
    (
        item.title.as_deref().unwrap_or_default(),
        item.summary_html.as_deref().unwrap_or_default(),
    )
}

/// UTF-8 text labelled ISO-8859-1 with a few windows-1252 bytes pasted in
/// was decoded entirely as windows-1252 ("cafÃ©"), without a warning.
#[test]
fn mostly_utf8_labelled_latin1_with_stray_windows_1252_bytes_is_utf8() {
    let doc = rss(
        "iso-8859-1",
        "UTF-8 café and naïve".as_bytes(),
        b"smart \x93quote\x94 here",
    );
    for content_type in [None, Some("text/xml; charset=windows-1252")] {
        let feed = read(&doc, content_type);
        assert_eq!(
            item(&feed),
            ("UTF-8 café and naïve", "smart \u{201c}quote\u{201d} here")
        );
        assert!(
            feed.warnings
                .iter()
                .any(|w| w.contains("2 byte(s)") && w.contains("windows-1252")),
            "{:?}",
            feed.warnings
        );
    }
}

/// The other direction: a genuine windows-1252 document, with many accented letters and the
/// odd pair of bytes that happens to be valid UTF-8 ("É«", "ß" before a no-break space), stays
/// windows-1252.
#[test]
fn genuine_windows_1252_with_chance_utf8_sequences_stays_windows_1252() {
    let title = "Naïve résumé — “Fuß\u{a0}ball” à l’ÉCOLE «É«»".to_owned();
    let description = "€ and “smart” ’quotes’, Größe, Übermaß, déjà vu, façade".to_owned();
    let encode = |s: &str| encoding_rs::WINDOWS_1252.encode(s).0.into_owned();
    for declaration in ["windows-1252", "iso-8859-1"] {
        let doc = rss(declaration, &encode(&title), &encode(&description));
        assert!(
            std::str::from_utf8(&doc).is_err(),
            "the fixture must not be UTF-8"
        );
        let feed = read(&doc, None);
        assert_eq!(item(&feed), (title.as_str(), description.as_str()));
        assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
    }
}

/// A short windows-1252 document whose only chance sequence is "ß“" (NKo in UTF-8) is not
/// taken for UTF-8 either.
#[test]
fn windows_1252_eszett_before_quote_is_not_utf8_evidence() {
    let doc = rss("iso-8859-1", b"Gru\xdf\x93 und \xe4", b"d");
    let feed = read(&doc, None);
    assert_eq!(item(&feed).0, "Gruß“ und ä");
}

/// Apache's `AddDefaultCharset UTF-8` on an ISO-8859-1 feed that declares
/// its encoding gave "Caf� na�ve".
#[test]
fn http_utf8_that_does_not_decode_yields_to_the_declaration() {
    let doc = rss("iso-8859-1", b"Caf\xe9 na\xefve", b"d");
    let feed = read(&doc, Some("application/rss+xml; charset=utf-8"));
    assert_eq!(item(&feed).0, "Café naïve");
    assert!(
        feed.warnings
            .iter()
            .any(|w| w.contains("HTTP charset") && w.contains("declaration")),
        "{:?}",
        feed.warnings
    );
    assert!(
        !feed.warnings.iter().any(|w| w.contains("U+FFFD")),
        "{:?}",
        feed.warnings
    );
}

/// The HTTP charset still wins when it decodes the bytes: precedence is unchanged otherwise.
#[test]
fn http_charset_that_decodes_still_beats_the_declaration() {
    let doc = rss("iso-8859-1", "Café — 日本".as_bytes(), b"d");
    let feed = read(&doc, Some("text/xml; charset=utf-8"));
    assert_eq!(item(&feed).0, "Café — 日本");
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);

    // KOI8-R bytes are valid windows-1251 too: the HTTP label is obeyed, as before.
    let koi8 = encoding_rs::KOI8_R.encode("Привет").0.into_owned();
    let doc = rss("koi8-r", &koi8, b"d");
    let feed = read(&doc, Some("text/xml; charset=windows-1251"));
    assert_eq!(
        item(&feed).0,
        encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(&koi8)
            .0
    );
}

/// Neither label reads the bytes: the HTTP charset is kept, bad bytes become U+FFFD.
#[test]
fn http_charset_kept_when_the_declaration_fails_too() {
    let doc = rss("shift_jis", b"caf\xe9 \xff\xff", b"d");
    let feed = read(&doc, Some("text/xml; charset=utf-8"));
    assert!(
        item(&feed).0.starts_with("caf\u{fffd}"),
        "{:?}",
        item(&feed)
    );
    assert!(
        feed.warnings
            .iter()
            .any(|w| w.contains("UTF-8") && w.contains("U+FFFD")),
        "{:?}",
        feed.warnings
    );
}

/// Both at once: HTTP says UTF-8, the declaration ISO-8859-1, the bytes are UTF-8 with a few
/// windows-1252 quotes: UTF-8, the quotes as windows-1252.
#[test]
fn http_utf8_declared_latin1_mixed_bytes() {
    let mut description = b"\x93".to_vec();
    description.extend_from_slice("naïve".as_bytes());
    description.push(0x94);
    let doc = rss("iso-8859-1", "café".as_bytes(), &description);
    let feed = read(&doc, Some("text/xml; charset=utf-8"));
    assert_eq!(item(&feed), ("café", "\u{201c}na\u{ef}ve\u{201d}"));
}

/// [`rss`] with an XML declaration that names no encoding.
fn rss_undeclared(title: &[u8], description: &[u8]) -> Vec<u8> {
    let doc = rss("X", title, description);
    let decl = b" encoding=\"X\"";
    let at = doc.windows(decl.len()).position(|w| w == decl).unwrap();
    [&doc[..at], &doc[at + decl.len()..]].concat()
}

/// An old CMS's press releases: declared UTF-8 (or served `charset=utf-8`), bytes ISO-8859-1,
/// not one non-ASCII byte valid UTF-8. Every accent became U+FFFD ("Pr\u{fffd}fecture");
/// feedparser reads it as a legacy encoding, and so does kb now, with a warning.
#[test]
fn latin1_labelled_utf8_is_read_as_latin1() {
    let title = b"Arr\xeat\xe9 pr\xe9fectoral \xabs\xe9cheresse\xbb";
    let description = b"\xc0 compter du 1er ao\xfbt, \x80 5";
    for (doc, content_type) in [
        (rss("UTF-8", title, description), None),
        (
            rss("UTF-8", title, description),
            Some("application/rss+xml; charset=utf-8"),
        ),
        (
            rss_undeclared(title, description),
            Some("application/rss+xml; charset=UTF-8"),
        ),
    ] {
        let feed = read(&doc, content_type);
        assert_eq!(
            item(&feed),
            (
                "Arrêté préfectoral «sécheresse»",
                "À compter du 1er août, € 5"
            ),
            "{content_type:?}"
        );
        assert!(
            feed.warnings
                .iter()
                .any(|w| w.contains("UTF-8") && w.contains("windows-1252")),
            "{:?}",
            feed.warnings
        );
        assert!(
            !feed.warnings.iter().any(|w| w.contains("U+FFFD")),
            "{:?}",
            feed.warnings
        );
    }
}

/// Cyrillic windows-1251 labelled UTF-8: not windows-1252, whose letters it is not; the
/// detector tells which legacy encoding it is.
#[test]
fn cyrillic_labelled_utf8_is_read_in_the_encoding_detected() {
    let text = "Как пережить новогоднюю ночь без потерь и не проспать утро";
    let cp1251 = encoding_rs::WINDOWS_1251.encode(text).0.into_owned();
    let feed = read(&rss("utf-8", &cp1251, b"d"), None);
    assert_eq!(item(&feed).0, text);
    assert!(
        feed.warnings.iter().any(|w| w.contains("windows-1251")),
        "{:?}",
        feed.warnings
    );
}

/// UTF-8 declared UTF-8, with two windows-1252 quotes pasted in (0x91, 0x92): the README's
/// rule reads those bytes as windows-1252 (‘ ’), not U+FFFD; a multi-byte character cut off
/// (a truncated excerpt) is no windows-1252 byte and stays U+FFFD. Undeclared (UTF-8 by
/// default), the same.
#[test]
fn stray_windows_1252_bytes_in_utf8_labelled_utf8() {
    let title = [
        "Arrêté ".as_bytes(),
        b"\x91",
        "sécheresse".as_bytes(),
        b"\x92",
    ]
    .concat();
    let description = ["Préfecture – à compter".as_bytes(), b" cut \xe2\x80 here"].concat();
    for doc in [
        rss("UTF-8", &title, &description),
        rss("utf8", &title, &description),
        rss_undeclared(&title, &description),
    ] {
        let feed = read(&doc, None);
        assert_eq!(
            item(&feed),
            (
                "Arrêté \u{2018}sécheresse\u{2019}",
                "Préfecture – à compter cut \u{fffd} here"
            )
        );
        assert!(
            feed.warnings
                .iter()
                .any(|w| w.contains("2 byte(s)") && w.contains("windows-1252")),
            "{:?}",
            feed.warnings
        );
    }
}
