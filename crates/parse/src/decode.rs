//! Bytes to text: which character set a feed is in, and decoding it without ever failing.
//!
//! Precedence follows RFC 7303 §3.2 (and XML 1.0 Appendix F): a byte order mark wins; then the
//! `charset` parameter of the HTTP `Content-Type` (unless the bytes are invalid in it and the
//! declaration names an encoding that reads them: a server default, not the publisher's
//! choice); then the XML declaration's `encoding`; then UTF-8, the XML default (and the only
//! encoding JSON Feed allows, RFC 8259 §8.1). UTF-8 labelled windows-1252 is read as UTF-8,
//! stray windows-1252 bytes in it as windows-1252; so are stray bytes in a document labelled
//! (or taken for) UTF-8, a quote pasted from Word. When nothing names a charset and the bytes
//! are plainly not UTF-8 (more invalid sequences than valid multi-byte characters), or UTF-8
//! is named but not one non-ASCII character is UTF-8 (an old CMS's ISO-8859-1 under a
//! template's `encoding="UTF-8"`) or most are not and a double-byte encoding (Shift_JIS,
//! EUC-KR, GBK, Big5) reads them all, the publisher used a legacy encoding and did not say so:
//! `chardetng` (the detector Firefox uses) guesses it, with a warning, as feedparser falls
//! back to a legacy encoding.
//! A declaration that cannot be right (UTF-16 declared in a document whose bytes are plainly
//! 8-bit) or a label nobody knows is ignored with a warning. Bytes invalid in the chosen
//! encoding become U+FFFD with a warning: a feed with one bad byte is still a feed.
//! Decoding is done by `encoding_rs` (the WHATWG Encoding Standard, so "iso-8859-1" means
//! windows-1252, as browsers and publishers intend). UTF-32, which the WHATWG standard leaves
//! out, is decoded here.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// The encodings Appendix F can recognise from the first four bytes, before any label is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Utf32Be,
    Utf32Le,
    Utf16Be,
    Utf16Le,
    /// `<?xm` or anything else: an ASCII-compatible encoding; the label decides which.
    AsciiCompatible,
}

/// Decode a document to UTF-8 text, recording guesses and repairs in `warnings`.
pub(crate) fn decode(
    bytes: &[u8],
    content_type: Option<&str>,
    warnings: &mut Vec<String>,
) -> String {
    // 1. Byte order marks. UTF-32LE's BOM begins with UTF-16LE's, so it is tested first.
    if let Some(rest) = bytes.strip_prefix(&[0x00, 0x00, 0xFE, 0xFF]) {
        return decode_utf32(rest, true, warnings);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE, 0x00, 0x00]) {
        return decode_utf32(rest, false, warnings);
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(encoding, &bytes[bom_len..], warnings);
    }

    let sniffed = sniff(bytes);
    match sniffed {
        Sniffed::Utf32Be => return decode_utf32(bytes, true, warnings),
        Sniffed::Utf32Le => return decode_utf32(bytes, false, warnings),
        _ => {}
    }

    // 2. HTTP charset, 3. XML declaration.
    let http = content_type.and_then(charset_param).map(str::to_owned);
    let declared = declared_encoding(bytes, sniffed);
    // An unknown or implausible label still says the publisher chose an encoding: no guessing.
    let undeclared = http.is_none() && declared.is_none();
    let declared_encoding = declared
        .as_deref()
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .filter(|encoding| is_plausible(encoding, sniffed));
    for (source, label) in [("HTTP charset", http), ("XML declaration", declared)] {
        let Some(label) = label else { continue };
        match Encoding::for_label(label.trim().as_bytes()) {
            // Servers and old blog engines label UTF-8 feeds "ISO-8859-1" by default. Bytes
            // that are all valid UTF-8 with non-ASCII characters are UTF-8: windows-1252 text
            // almost never is (it would need "Ã©" written on purpose). The other way round, a
            // legacy feed labelled UTF-8, see `decode_labelled_utf8`.
            Some(encoding) if encoding == encoding_rs::WINDOWS_1252 && is_utf8_text(bytes) => {
                warnings.push(format!(
                    "{source} says {label:?} but the bytes are UTF-8; decoded as UTF-8"
                ));
                return decode_with(UTF_8, bytes, warnings);
            }
            // The same UTF-8 feed with a few windows-1252 bytes pasted in (a post copied from
            // Word: `\x93quote\x94`): decoding it all as windows-1252 would turn every UTF-8
            // character into mojibake ("cafÃ©") to save a handful of quotes. Each stray byte
            // is read as the windows-1252 character it was meant as (what feedparser's result
            // and ftfy amount to).
            Some(encoding) if encoding == encoding_rs::WINDOWS_1252 => {
                if let Some((text, stray)) = utf8_with_windows_1252_bytes(bytes) {
                    warnings.push(format!(
                        "{source} says {label:?} but the bytes are UTF-8 except {stray} \
                         byte(s); decoded as UTF-8, those bytes as windows-1252"
                    ));
                    return text;
                }
                return decode_with(encoding, bytes, warnings);
            }
            // Apache's `AddDefaultCharset UTF-8` labels every response UTF-8, whatever the
            // feed is in; the feed's own declaration then knows better. Only when the HTTP
            // charset fails on the bytes and the declaration reads them without an error: a
            // label that decodes is still obeyed (RFC 7303 §3.2).
            Some(encoding)
                if source == "HTTP charset"
                    && is_plausible(encoding, sniffed)
                    && declared_encoding.is_some_and(|d| d != encoding) =>
            {
                let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
                if !had_errors {
                    return text.into_owned();
                }
                // windows-1252 never fails; the declaration's arm decides how to read it.
                let declaration_reads = declared_encoding.is_some_and(|d| {
                    d == encoding_rs::WINDOWS_1252 || !d.decode_without_bom_handling(bytes).1
                });
                if !declaration_reads {
                    warnings.push(format!(
                        "bytes invalid in {} replaced with U+FFFD",
                        encoding.name()
                    ));
                    return text.into_owned();
                }
                warnings.push(format!(
                    "HTTP charset says {label:?} but the bytes are not {}; the XML \
                     declaration's encoding is used",
                    encoding.name()
                ));
                continue;
            }
            Some(encoding) if encoding == UTF_8 && is_plausible(encoding, sniffed) => {
                return decode_labelled_utf8(bytes, source, &label, warnings);
            }
            Some(encoding) if is_plausible(encoding, sniffed) => {
                // "utf-16" names no byte order (WHATWG maps it to LE); without a BOM the
                // first bytes show the order (XML 1.0 Appendix F).
                let encoding = match sniffed {
                    Sniffed::Utf16Be => UTF_16BE,
                    Sniffed::Utf16Le => UTF_16LE,
                    _ => encoding,
                };
                return decode_with(encoding, bytes, warnings);
            }
            Some(encoding) => warnings.push(format!(
                "{source} says {label:?} but the bytes are not {}; ignored",
                encoding.name()
            )),
            None => warnings.push(format!(
                "unknown character set {label:?} in {source}; ignored"
            )),
        }
    }

    // 4. Defaults: what the first bytes show, else UTF-8, else a detector's guess.
    let fallback = match sniffed {
        Sniffed::Utf16Be => UTF_16BE,
        Sniffed::Utf16Le => UTF_16LE,
        _ if undeclared && is_legacy_8bit(bytes) => {
            let guess = guess_legacy(bytes);
            warnings.push(format!(
                "no character set declared and the bytes are not UTF-8; decoded as {}, a guess",
                guess.name()
            ));
            guess
        }
        // XML's default: stray bytes in it are what they are under a UTF-8 label.
        _ if undeclared => {
            return decode_utf8_with_strays(bytes, "no character set declared (UTF-8)", warnings);
        }
        _ => UTF_8,
    };
    decode_with(fallback, bytes, warnings)
}

/// A document whose HTTP charset or declaration (`source`) says UTF-8 (`label`).
///
/// Valid UTF-8 is read as such. When not one non-ASCII character of it is UTF-8, the label is
/// a template's or a server's, not the text's: old CMSs print `encoding="UTF-8"` over
/// ISO-8859-1 bytes, and reading those as UTF-8 turned every accent into U+FFFD. The document
/// is then in a legacy encoding, which the detector guesses (windows-1252 for Western text,
/// windows-1251 for Cyrillic, ...), as feedparser falls back to one; so is one whose
/// invalid sequences outnumber its valid characters, when the detector finds a double-byte
/// encoding that reads all of it. Otherwise it is UTF-8 with a few stray bytes
/// ([`decode_utf8_with_strays`]).
fn decode_labelled_utf8(
    bytes: &[u8],
    source: &str,
    label: &str,
    warnings: &mut Vec<String>,
) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    let any_utf8 = bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii());
    if !any_utf8 {
        let guess = guess_legacy(bytes);
        warnings.push(format!(
            "{source} says {label:?} but none of the non-ASCII bytes is UTF-8; decoded as {}, \
             a guess",
            guess.name()
        ));
        return decode_with(guess, bytes, warnings);
    }
    // Double-byte text (Shift_JIS, EUC-KR, GBK, Big5) forms a few valid UTF-8 sequences by
    // chance, so the test above misses it: when invalid sequences outnumber valid characters
    // and the detector's double-byte guess reads every byte, the label is wrong. A windows-1252
    // guess is not taken here: UTF-8 with Word's quotes pasted in is read better byte by byte.
    if is_legacy_8bit(bytes) {
        let guess = guess_legacy(bytes);
        let double_byte = [
            encoding_rs::SHIFT_JIS,
            encoding_rs::EUC_JP,
            encoding_rs::EUC_KR,
            encoding_rs::GBK,
            encoding_rs::GB18030,
            encoding_rs::BIG5,
        ]
        .contains(&guess);
        if let (true, Some(text)) = (
            double_byte,
            guess.decode_without_bom_handling_and_without_replacement(bytes),
        ) {
            warnings.push(format!(
                "{source} says {label:?} but most of the non-ASCII bytes are not UTF-8; decoded \
                 as {}, a guess",
                guess.name()
            ));
            return text.into_owned();
        }
    }
    decode_utf8_with_strays(bytes, &format!("{source} says {label:?}"), warnings)
}

/// UTF-8 holding bytes invalid in it: each lone one is read as the windows-1252 character it
/// was most likely meant as (a quote or an accent pasted from Word or a Latin-1 page; the
/// README's rule for stray windows-1252 bytes), a multi-byte character cut short (an excerpt
/// truncated in the middle of one) becomes U+FFFD. `what` says why the bytes were taken for
/// UTF-8, for the warning.
fn decode_utf8_with_strays(bytes: &[u8], what: &str, warnings: &mut Vec<String>) -> String {
    let mut text = String::with_capacity(bytes.len() + 16);
    let (mut stray, mut cut) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        match chunk.invalid() {
            [] => {}
            &[byte] => {
                stray += 1;
                push_windows_1252(&mut text, byte);
            }
            _ => {
                cut += 1;
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    if stray > 0 {
        warnings.push(format!(
            "{what} but {stray} byte(s) are not UTF-8; decoded as UTF-8, those bytes as \
             windows-1252"
        ));
    }
    if cut > 0 {
        warnings.push("bytes invalid in UTF-8 replaced with U+FFFD".into());
    }
    text
}

fn push_windows_1252(text: &mut String, byte: u8) {
    let byte = [byte];
    let (c, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
    text.push_str(&c);
}

/// The detector's guess at the legacy encoding of bytes that are not UTF-8.
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// Bytes that are not UTF-8: more invalid sequences than valid multi-byte characters. Legacy
/// double-byte text (EUC-KR, Shift_JIS) forms a few valid UTF-8 sequences by chance, so a
/// single valid one proves nothing; but a UTF-8 document with a few corrupt bytes has far more
/// valid characters than errors, and stays UTF-8 (the bad bytes become U+FFFD) rather than
/// being turned into mojibake by a guess.
fn is_legacy_8bit(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    invalid > valid
}

/// Bytes that are UTF-8 apart from a few stray bytes, decoded with each stray byte read as
/// windows-1252, and how many there were; `None` when they look like windows-1252 text.
///
/// The evidence is asymmetric: every accented letter of windows-1252 text is an invalid UTF-8
/// byte (a letter followed by ASCII), while a valid multi-byte sequence forms in it only by
/// chance (an accented letter followed by a symbol: "É”" is U+0254 "ɔ"). So only characters
/// UTF-8 text is full of count as evidence: Latin-1 and Latin Extended-A letters and signs
/// (U+00A0-U+017F, of which only the capitals "Â" to "Å" before a symbol, rare in
/// windows-1252 text, form by chance), and typographic punctuation, € and ™ (U+2010-U+206F, U+20AC, U+2122: three
/// bytes from "â" and two symbols, which windows-1252 text never has but as mojibake). It
/// takes two of them, and at least one per four stray bytes: that keeps a German or French
/// windows-1252 feed (hundreds of invalid bytes, a chance sequence or two) and a short one
/// ("Le “CAFÉ” est ouvert") windows-1252, and reads as UTF-8 a feed whose valid characters
/// are few (an English blog's curly apostrophes) against a post pasted from Word.
fn utf8_with_windows_1252_bytes(bytes: &[u8]) -> Option<(String, usize)> {
    let (mut valid, mut stray) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        // Only the non-ASCII characters are decoded (this runs over every windows-1252 feed).
        valid += chunk
            .valid()
            .chars()
            .filter(|&c| matches!(c, '\u{a0}'..='\u{17f}' | '\u{2010}'..='\u{206f}' | '€' | '™'))
            .count();
        stray += chunk.invalid().len();
    }
    if valid < 2 || valid.saturating_mul(4) < stray {
        return None;
    }
    let mut text = String::with_capacity(bytes.len() + stray * 2);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            push_windows_1252(&mut text, byte);
        }
    }
    Some((text, stray))
}

/// Valid UTF-8 holding at least one non-ASCII character.
fn is_utf8_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| !s.is_ascii())
}

fn sniff(bytes: &[u8]) -> Sniffed {
    match bytes {
        [0x00, 0x00, 0x00, b'<', ..] => Sniffed::Utf32Be,
        [b'<', 0x00, 0x00, 0x00, ..] => Sniffed::Utf32Le,
        [0x00, b'<', 0x00, _, ..] => Sniffed::Utf16Be,
        [b'<', 0x00, _, 0x00, ..] => Sniffed::Utf16Le,
        _ => Sniffed::AsciiCompatible,
    }
}

/// A label is plausible when its byte width agrees with what the first bytes show.
fn is_plausible(encoding: &'static Encoding, sniffed: Sniffed) -> bool {
    let is_16 = encoding == UTF_16BE || encoding == UTF_16LE;
    match sniffed {
        Sniffed::Utf16Be | Sniffed::Utf16Le => is_16,
        _ => !is_16,
    }
}

/// `charset` from a Content-Type such as `application/rss+xml; charset="ISO-8859-1"`.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']))
            .filter(|v| !v.is_empty())
    })
}

/// The `encoding` pseudo-attribute of an XML declaration near the start of the document.
/// Garbage may precede the declaration (issue 5 point 3), so the first 1 KiB is searched.
fn declared_encoding(bytes: &[u8], sniffed: Sniffed) -> Option<String> {
    let head: Vec<u8>;
    let head: &[u8] = match sniffed {
        // In UTF-16 documents read every other byte: the declaration is ASCII.
        Sniffed::Utf16Be => {
            head = bytes
                .iter()
                .skip(1)
                .step_by(2)
                .take(1024)
                .copied()
                .collect();
            &head
        }
        Sniffed::Utf16Le => {
            head = bytes.iter().step_by(2).take(1024).copied().collect();
            &head
        }
        _ => &bytes[..bytes.len().min(1024)],
    };
    let start = find(head, b"<?xml")?;
    let decl = &head[start..];
    let decl = &decl[..find(decl, b"?>")?];
    let at = find(decl, b"encoding")? + "encoding".len();
    let rest = std::str::from_utf8(&decl[at..]).ok()?;
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    Some(value[..end].to_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8], warnings: &mut Vec<String>) -> String {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        warnings.push(format!(
            "bytes invalid in {} replaced with U+FFFD",
            encoding.name()
        ));
    }
    text.into_owned()
}

/// UTF-32, which `encoding_rs` does not support (the WHATWG standard omits it).
fn decode_utf32(bytes: &[u8], big_endian: bool, warnings: &mut Vec<String>) -> String {
    let mut bad = false;
    let text: String = bytes
        .chunks(4)
        .map(|chunk| {
            let unit = match <[u8; 4]>::try_from(chunk) {
                Ok(b) if big_endian => u32::from_be_bytes(b),
                Ok(b) => u32::from_le_bytes(b),
                Err(_) => u32::MAX,
            };
            char::from_u32(unit).unwrap_or_else(|| {
                bad = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    if bad {
        warnings.push("bytes invalid in UTF-32 replaced with U+FFFD".into());
    }
    text
}

/// Whether `text` is `bytes` read as UTF-8 as they are (after a UTF-8 byte order mark): no
/// other encoding, no stray byte replaced. Only such a document can hold UTF-8 encoded twice
/// in the sense [`undo_double_utf8`] repairs, as feedparser holds it.
pub(crate) fn read_as_utf8(bytes: &[u8], text: &str) -> bool {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes) == text.as_bytes()
}

/// The text a publisher meant, where its UTF-8 was taken for ISO-8859-1 and encoded again
/// ("ordenÃ³" for "ordenó", "BastiÃ¨re" for "Bastière"): every character of `text` is a
/// byte (U+0000 to U+00FF), not all ASCII, and those bytes are UTF-8. `None` otherwise, the
/// text as it stands. feedparser repairs every element of a UTF-8 document so; a character
/// above U+00FF anywhere in it (a curly quote written right) says the text was not encoded
/// twice, and real words almost never spell a UTF-8 sequence in Latin-1 ("Ã" then "©").
pub(crate) fn undo_double_utf8(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let bytes = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_encoded_twice_is_undone_and_nothing_else() {
        assert_eq!(
            undo_double_utf8("Putin orden\u{c3}\u{b3}").as_deref(),
            Some("Putin ordenó")
        );
        assert_eq!(
            undo_double_utf8("Basti\u{c3}\u{a8}re, Espa\u{c3}\u{b1}ol").as_deref(),
            Some("Bastière, Español")
        );
        // Three times: one layer at a time, as feedparser.
        assert_eq!(
            undo_double_utf8("\u{c3}\u{83}\u{c2}\u{a9}").as_deref(),
            Some("\u{c3}\u{a9}")
        );
        for right in [
            "plain ASCII",
            "café",               // é alone is no UTF-8 sequence
            "Ã and © apart: Ã ©", // a space between them
            "l’état Ã©",          // a character above U+00FF: not encoded twice
            "naïve Ã",            // a lead byte without its continuation
        ] {
            assert_eq!(undo_double_utf8(right), None, "{right}");
        }
    }

    #[test]
    fn read_as_utf8_means_the_bytes_as_they_are() {
        assert!(read_as_utf8(b"<rss>\xc3\xa9</rss>", "<rss>é</rss>"));
        assert!(read_as_utf8(b"\xef\xbb\xbf<rss/>", "<rss/>"));
        // Read as windows-1252, or with a stray byte replaced: not UTF-8 as it is.
        assert!(!read_as_utf8(b"<rss>\xe9</rss>", "<rss>é</rss>"));
    }

    fn dec(bytes: &[u8], ct: Option<&str>) -> (String, Vec<String>) {
        let mut w = vec![];
        (decode(bytes, ct, &mut w), w)
    }

    /// Shift_JIS under `encoding="utf-8"`: a few of its byte pairs are valid UTF-8 by chance,
    /// so "not one non-ASCII character is UTF-8" never held and the text became mojibake.
    #[test]
    fn labelled_utf8_that_is_double_byte_legacy() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("東京の天気は晴れです、日本語の本文");
        let mut doc = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>".to_vec();
        doc.extend_from_slice(&sjis);
        doc.extend_from_slice(b"</a>");
        assert!(std::str::from_utf8(&doc).is_err());
        assert!(doc.utf8_chunks().any(|c| !c.valid().is_ascii()));
        let (t, w) = dec(&doc, None);
        assert!(t.contains("東京の天気は晴れです、日本語の本文"), "{t}");
        assert!(w.iter().any(|w| w.contains("Shift_JIS")), "{w:?}");
        // UTF-8 Japanese with a character cut short stays UTF-8.
        let mut utf8 = "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>東京の天気は晴れです"
            .as_bytes()
            .to_vec();
        utf8.extend_from_slice(b"\xe6\x97</a>");
        assert!(
            dec(&utf8, None)
                .0
                .contains("東京の天気は晴れです\u{fffd}</a>")
        );
        // Word's quotes pasted into an English UTF-8 feed with few other characters: each
        // stray byte is read as windows-1252, the valid characters kept.
        let mut word = "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>It’s "
            .as_bytes()
            .to_vec();
        word.extend_from_slice(b"\x93one\x94 \x93two\x94 \x93three\x94</a>");
        assert_eq!(
            dec(&word, None).0,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>It’s “one” “two” “three”</a>"
        );
    }

    #[test]
    fn utf8_default() {
        assert_eq!(dec("<a>é</a>".as_bytes(), None).0, "<a>é</a>");
    }

    #[test]
    fn declaration_windows_1252() {
        let (t, w) = dec(
            b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x93q\x94</a>",
            None,
        );
        assert!(t.ends_with("<a>\u{201c}q\u{201d}</a>"), "{t}");
        assert!(w.is_empty());
    }

    #[test]
    fn iso_8859_1_declared_single_quotes() {
        let (t, _) = dec(
            b"<?xml version='1.0' encoding='ISO-8859-1'?><a>caf\xe9</a>",
            None,
        );
        assert!(t.ends_with("<a>caf\u{e9}</a>"), "{t}");
    }

    #[test]
    fn http_charset_beats_declaration() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xe9</a>";
        let (t, _) = dec(bytes, Some("text/xml; charset=\"ISO-8859-1\""));
        assert!(t.ends_with("caf\u{e9}</a>"), "{t}");
    }

    #[test]
    fn bom_beats_http_charset() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("<a>é</a>".as_bytes());
        let (t, _) = dec(&bytes, Some("text/xml; charset=iso-8859-1"));
        assert_eq!(t, "<a>é</a>");
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-16\"?><a>é</a>";
        let le: Vec<u8> = doc.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = doc.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(dec(&le, None).0, doc);
        assert_eq!(dec(&be, None).0, doc);
        let mut with_bom = vec![0xFF, 0xFE];
        with_bom.extend_from_slice(&le);
        assert_eq!(dec(&with_bom, None).0, doc);
    }

    #[test]
    fn utf32_with_bom() {
        let doc = "<a>é</a>";
        let mut bytes = vec![0x00, 0x00, 0xFE, 0xFF];
        bytes.extend(doc.chars().flat_map(|c| (c as u32).to_be_bytes()));
        assert_eq!(dec(&bytes, None).0, doc);
    }

    #[test]
    fn utf16_declared_in_8bit_document_is_ignored() {
        let (t, w) = dec(b"<?xml version=\"1.0\" encoding=\"utf-16\"?><a>x</a>", None);
        assert!(t.ends_with("<a>x</a>"));
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn stray_windows_1252_bytes_threshold() {
        let latin1 = |body: &[u8]| {
            let mut doc = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>".to_vec();
            doc.extend_from_slice(body);
            dec(&doc, None).0
        };
        // Two valid characters ("é", "è") for eight stray bytes: UTF-8, the strays as
        // windows-1252.
        assert!(
            latin1(b"\xc3\xa9\xc3\xa8 \x93\x94\x96\x85\x93\x94\x96\x85")
                .ends_with("<a>éè “”–…“”–…")
        );
        // Nine stray bytes: windows-1252 text with chance sequences.
        assert!(
            latin1(b"\xc3\xa9\xc3\xa8 \x93\x94\x96\x85\x93\x94\x96\x85\xe8")
                .ends_with("<a>Ã©Ã¨ “”–…“”–…è")
        );
        // One valid character proves nothing: "Ã©" written on purpose stays.
        assert!(latin1(b"\xc3\xa9 \x93").ends_with("<a>Ã© “"));
        // "ß" before a no-break space and "Â" before a C1 byte prove nothing.
        assert!(latin1(b"\xdf\xa0\xc2\x80 \xe8").ends_with("<a>ß\u{a0}Â€ è"));
        // Nor do accented capitals before a quote, which are valid UTF-8 by chance ("É”" is
        // U+0254): a short French windows-1252 feed stays what it says.
        assert!(
            latin1(b"Le \x93CAF\xc9\x94 est ouvert, \x93OL\xc9\x94")
                .ends_with("<a>Le “CAFÉ” est ouvert, “OLÉ”")
        );
    }

    #[test]
    fn unknown_label_and_bad_bytes_degrade() {
        let (t, w) = dec(
            b"<?xml version=\"1.0\" encoding=\"klingon\"?><a>\xff</a>",
            None,
        );
        assert!(t.ends_with("<a>\u{fffd}</a>"), "{t}");
        assert_eq!(w.len(), 2, "{w:?}");
    }
}
