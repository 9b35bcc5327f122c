//! The tantivy schema and the analyzers behind it.
//!
//! Text fields use `kb_en`: split on non-alphanumerics (so `isn't` and `ISN’T` both become
//! `isn` + `t`: straight and curly apostrophes are the same letter; a possessive `s` is dropped,
//! `owner's` -> `owner`), with runs of CJK text as overlapping character pairs and compounds of
//! parts joined by hyphens or apostrophes also joined (`wi-fi` -> `wi`, `fi`, `wifi`; `isn't`
//! also `isnt`; see [`crate::words`]), lowercase, fold
//! accents to ASCII (`é` -> `e`), English Snowball stemming (`referrals` -> `referr`, as
//! `referral`), with an acronym's plural as its singular (`pcs` -> `pc`; see [`crate::stem`]).
//! Keyword fields (feed, author, category) use `kb_kw`: the whole value, lowercased, so a
//! filter's term is a whole name, case-insensitively. Which names a typed `--author` or
//! `--category` value stands for (a word of a name, a near miss) is decided in
//! [`crate::query`], which then looks up those whole names here.

use tantivy::schema::{
    FAST, FacetOptions, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer,
    TextAnalyzerBuilder, TokenStream, Tokenizer,
};

/// Name of the English full-text analyzer.
pub(crate) const EN: &str = "kb_en";
/// Name of the lowercased whole-value analyzer.
pub(crate) const KW: &str = "kb_kw";
/// Name of the frequent-word-pairs analyzer (see [`crate::pairs`]).
pub(crate) const PAIRS: &str = "kb_pairs";

/// Every field of the schema, resolved once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub id: Field,
    pub url: Field,
    pub feed: Field,
    pub title: Field,
    pub body: Field,
    /// The body's frequent adjacent word pairs, for exact phrases ([`crate::pairs`]).
    pub body_pairs: Field,
    pub author: Field,
    pub author_text: Field,
    pub category: Field,
    pub category_text: Field,
    pub published: Field,
    pub updated: Field,
    pub facets: Field,
    pub hash: Field,
    pub idnum: Field,
    pub article: Field,
    /// The words of the article's URL (host and path), for a site or a link typed into a
    /// search (`dustri.org`, a pasted URL).
    pub url_text: Field,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let en = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(EN)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Positions: a phrase of three words or more is a phrase of pairs.
    let pairs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(PAIRS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let kw = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(KW)
            .set_index_option(IndexRecordOption::Basic),
    );
    // Dates as Unix seconds: tantivy's date type counts nanoseconds in an i64, which wraps
    // outside 1677-2262, and feeds do date items 0001 or 9999.
    let date = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        // The id and hash are fast string columns so a writer can load the id -> hash map of the
        // whole index without touching the document store.
        id: b.add_text_field("id", STRING | STORED | FAST),
        url: b.add_text_field("url", STRING),
        feed: b.add_text_field("feed", kw.clone()),
        title: b.add_text_field("title", en.clone()),
        body: b.add_text_field("body", en.clone()),
        body_pairs: b.add_text_field("body_pairs", pairs),
        author: b.add_text_field("author", kw.clone()),
        author_text: b.add_text_field("author_text", en.clone()),
        category: b.add_text_field("category", kw),
        category_text: b.add_text_field("category_text", en.clone()),
        published: b.add_i64_field("published", date.clone()),
        updated: b.add_i64_field("updated", date),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        hash: b.add_text_field("hash", STRING | FAST),
        // The id as a number: the tie-breaker that makes equal scores (and equal dates) come out
        // in the same order in every build of the index, so `kb reindex` is reproducible.
        idnum: b.add_u64_field("idnum", FAST),
        // The whole cleaned article as JSON: one stored copy, read back for show/list/snippets.
        article: b.add_text_field("article", STORED),
        // Last: the pairs analyzer replays the body's stems, recorded as the body field is
        // indexed right before it (`crate::stem::Recording`).
        url_text: b.add_text_field("url_text", en),
    };
    (b.build(), fields)
}

pub(crate) fn register_analyzers(index: &tantivy::Index) {
    let kw = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(EN, en_analyzer());
    index.tokenizers().register(KW, kw);
    // No list: no pairs. A writer registers its own, once it has chosen the list.
    index.tokenizers().register(
        PAIRS,
        crate::pairs::pairs_analyzer(crate::pairs::SharedFrequentPairs::default()),
    );
}

/// The words of `kb_en` before stemming: split, long tokens dropped, lowercased, folded. Every
/// English analyzer starts from this one chain, so their tokens agree (snippets highlight what
/// was indexed; the pairs analyzer pairs the body's very stems).
pub(crate) fn en_words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(crate::words::WordTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
}

/// `kb_en`: the analyzer of every full-text field, and of plain query words, so a query word
/// becomes exactly the term indexing made of the same word.
pub(crate) fn en_analyzer() -> TextAnalyzer {
    en_words()
        .filter(crate::stem::CachedEnglishStemmer::default())
        .build()
}

/// `kb_en` for a writer that keeps the index's list of words ([`crate::vocabulary`]): the
/// same tokens, and each word seen noted in `words`.
pub(crate) fn en_analyzer_collecting(words: crate::vocabulary::WordCollector) -> TextAnalyzer {
    en_words()
        .filter(crate::stem::CachedEnglishStemmer::collecting(words))
        .build()
}

/// `kb_en` with its stemmer memoized per thread: the same tokens, for snippets (see
/// [`crate::stem::ThreadCachedEnglishStemmer`]).
pub(crate) fn snippet_analyzer() -> TextAnalyzer {
    en_words()
        .filter(crate::stem::ThreadCachedEnglishStemmer)
        .build()
}

/// `kb_en` without the stemmer, for query words only: a prefix (`manag*`) or a misspelling
/// (`proces~`) is not a word the stemmer knows, so it is also tried as typed, lowercased and
/// folded. Never registered on the index: nothing is indexed with it.
pub(crate) fn unstemmed_analyzer() -> TextAnalyzer {
    en_words().build()
}

/// The tokens `analyzer` makes of `text`, one per position: a compound's parts without its
/// joined form (`e-mail` -> `e`, `mail`), so several tokens are always the words of a phrase.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut last = None;
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        if last != Some(t.position) {
            out.push(t.text.clone());
        }
        last = Some(t.position);
    }
    out
}

/// A query word or phrase has at most this many compounds spelled both ways in every
/// combination; past it, all split or all joined.
const MAX_COMBINED_COMPOUNDS: usize = 3;

/// A word of letters and digits is read apart (`office365` as `office 365`) only up to this
/// many parts: past it, it is an id or a hash, not a product name typed joined.
const MAX_APART: usize = 4;

/// The ways `text` may be written, as token sequences (each a term or a phrase): first split as
/// [`tokens`] has it, then with its hyphenated compounds joined (`e-mail etiquette` ->
/// `e mail etiquett`, `email etiquett`), so a query finds both spellings. Text indexed
/// hyphenated holds both forms; text written closed matches only the joined reading. Then, when
/// a word mixes letters and digits (`office365`, `windows7`), each of those read with it apart
/// (`offic 365`), since people type joined what articles write apart ("Office 365").
pub(crate) fn readings(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Vec<String>> {
    // The split tokens, and each compound as (first part, one past its last part, joined
    // form); every token with the bytes of `text` it was made of.
    let mut split: Vec<Tok> = Vec::new();
    let mut compounds: Vec<(usize, usize, Tok)> = Vec::new();
    let mut last = None;
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        let tok = (t.text.clone(), t.offset_from, t.offset_to);
        if last == Some(t.position) {
            let first = split
                .iter()
                .rposition(|s| s.1 < t.offset_from)
                .map_or(0, |i| i + 1);
            compounds.push((first, split.len(), tok));
        } else {
            split.push(tok);
        }
        last = Some(t.position);
    }
    drop(stream);
    let n = compounds.len();
    let combinations: Vec<Vec<bool>> = match n {
        0 => Vec::new(),
        _ if n <= MAX_COMBINED_COMPOUNDS => (1..1usize << n)
            .map(|m| (0..n).map(|k| m & (1 << k) != 0).collect())
            .collect(),
        _ => vec![vec![true; n]],
    };
    let mut ways = vec![split.clone()];
    for joined in combinations {
        let mut reading = Vec::with_capacity(split.len());
        let mut i = 0;
        for ((first, end, form), _) in compounds.iter().zip(&joined).filter(|c| *c.1) {
            reading.extend_from_slice(&split[i..*first]);
            reading.push(form.clone());
            i = *end;
        }
        reading.extend_from_slice(&split[i..]);
        ways.push(reading);
    }
    let mut out: Vec<Vec<String>> = ways
        .iter()
        .map(|w| w.iter().map(|t| t.0.clone()).collect())
        .collect();
    for way in &ways {
        let mut apart = Vec::with_capacity(way.len() + 1);
        let mut changed = false;
        for (term, from, to) in way {
            match letters_and_digits_apart(analyzer, &text[*from..*to]) {
                Some(parts) => {
                    apart.extend(parts);
                    changed = true;
                }
                None => apart.push(term.clone()),
            }
        }
        if changed && !out.contains(&apart) {
            out.push(apart);
        }
    }
    out
}

/// The one term of a compound `text` joined up (`mittag-leffler` -> `mittagleffl`): its
/// [`readings`] with every part joined (a single word: its term). `None` for several words.
pub(crate) fn joined_form(analyzer: &mut TextAnalyzer, text: &str) -> Option<String> {
    readings(analyzer, text)
        .into_iter()
        .find(|r| r.len() == 1)
        .and_then(|mut r| r.pop())
}

/// A token's term, with the start and end of the text it was made of.
type Tok = (String, usize, usize);

/// The terms of a word that mixes letters and digits, cut where one meets the other
/// (`Windows7` -> `window`, `7`; `wi-fi6`, the compound, -> `wifi`, `6`); `None` for a word of
/// one kind (a hyphen between letters and digits is no cut: `CVE-2023-6246` is read apart
/// already), CJK, or more than [`MAX_APART`] parts.
fn letters_and_digits_apart(analyzer: &mut TextAnalyzer, word: &str) -> Option<Vec<String>> {
    if word.chars().any(crate::words::is_cjk) {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    // Whether the char before was a digit; `None` at the start and after a joiner.
    let mut before: Option<bool> = None;
    for c in word.chars() {
        if crate::words::is_joiner(c) {
            before = None;
            continue;
        }
        let digit = c.is_numeric();
        match parts.last_mut() {
            Some(part) if before.is_none_or(|b| b == digit) => part.push(c),
            _ => parts.push(c.to_string()),
        }
        before = Some(digit);
    }
    if !(2..=MAX_APART).contains(&parts.len()) {
        return None;
    }
    let mut terms = Vec::with_capacity(parts.len());
    for part in &parts {
        // One term each; none when the analyzer drops a part (too long).
        match tokens(analyzer, part).as_slice() {
            [term] => terms.push(term.clone()),
            _ => return None,
        }
    }
    Some(terms)
}

/// Lowercase a keyword the way `kb_kw` does, for building filter terms by hand.
pub(crate) fn kw_term(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The part of an article's URL a person would type to find it: host and path, without the
/// scheme, a `www.`, the query, the fragment or a page's extension. `http`, `https` and
/// `utm_source=rss` are in nearly every URL, and made `rss` or `https` find articles by their
/// links rather than their text.
/// Whether a query word is a link, with or without its scheme: `https://x.org/a`,
/// `www.x.org`, `x.org/a/b.html`. A bare `x.org` is words like any (it is also the URL's).
pub(crate) fn looks_like_url(word: &str) -> bool {
    if word.contains("://") || word.starts_with("www.") {
        return true;
    }
    match word.split_once('/') {
        Some((host, _)) => {
            host.contains('.')
                && host
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
        }
        None => false,
    }
}

pub(crate) fn url_words(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let rest = &rest[..end];
    const PAGES: [&str; 8] = [
        ".html", ".htm", ".shtml", ".php", ".asp", ".aspx", ".jsp", ".cfm",
    ];
    PAGES
        .iter()
        .find_map(|ext| rest.strip_suffix(ext))
        .unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_tokenize_exactly_as_indexing() {
        let long = "x".repeat(70);
        let text = format!(
            "Referrals ISN’T isn't Café {long} managed Management, positions: e-mail ÉCOLE ﬁne \
             PCs owner’s"
        );
        let want = tokens(&mut en_analyzer(), &text);
        assert_eq!(tokens(&mut snippet_analyzer(), &text), want);
        assert_eq!(tokens(&mut snippet_analyzer(), &text), want);
        // Joined forms and CJK pairs too, with their positions and offsets.
        let text = "Wi-Fi stand-ups 東京の新しいオフィス e-mail";
        let all = |mut a: TextAnalyzer| {
            let mut out = Vec::new();
            let mut s = a.token_stream(text);
            while s.advance() {
                let t = s.token();
                out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
            }
            out
        };
        assert_eq!(all(snippet_analyzer()), all(en_analyzer()));
    }

    #[test]
    fn compounds_are_stemmed_joined_and_query_words_read_both_ways() {
        let mut en = en_analyzer();
        assert_eq!(
            tokens(&mut en, "Wi-Fi stand-ups 東京"),
            ["wi", "fi", "stand", "up", "東京"]
        );
        let r = |t: &str| readings(&mut en_analyzer(), t);
        assert_eq!(r("wifi"), [vec!["wifi"]]);
        assert_eq!(r("Wi-Fi"), [vec!["wi", "fi"], vec!["wifi"]]);
        assert_eq!(r("stand-ups"), [vec!["stand", "up"], vec!["standup"]]);
        assert_eq!(r("standups"), [vec!["standup"]]);
        assert_eq!(
            r("e-mail etiquette"),
            [vec!["e", "mail", "etiquett"], vec!["email", "etiquett"]]
        );
        assert_eq!(
            r("use wi-fi e-mail"),
            [
                vec!["use", "wi", "fi", "e", "mail"],
                vec!["use", "wifi", "e", "mail"],
                vec!["use", "wi", "fi", "email"],
                vec!["use", "wifi", "email"],
            ]
        );
        // Past three compounds, split or joined, not every mix.
        assert_eq!(
            r("a-b c-d e-f g-h"),
            [
                vec!["a", "b", "c", "d", "e", "f", "g", "h"],
                vec!["ab", "cd", "ef", "gh"],
            ]
        );
        assert_eq!(r("東京の"), [vec!["東京", "京の"]]);
        // Letters and digits typed joined are also read apart, each part analysed.
        assert_eq!(r("office365"), [vec!["office365"], vec!["offic", "365"]]);
        assert_eq!(r("Windows7"), [vec!["windows7"], vec!["window", "7"]]);
        assert_eq!(r("90days"), [vec!["90day"], vec!["90", "day"]]);
        assert_eq!(r("k8s"), [vec!["k8s"], vec!["k", "8", "s"]]);
        assert_eq!(
            r("exchange2010 migration"),
            [
                vec!["exchange2010", "migrat"],
                vec!["exchang", "2010", "migrat"]
            ]
        );
        // With a compound, each of its readings both ways.
        assert_eq!(
            r("wi-fi6"),
            [
                vec!["wi", "fi6"],
                vec!["wifi6"],
                vec!["wi", "fi", "6"],
                vec!["wifi", "6"]
            ]
        );
        // Not a number, a word alone or in a compound of words and numbers (`CVE-2023-6246`
        // is read apart already), nor a run of many parts (an id, a hash).
        assert_eq!(r("2010"), [vec!["2010"]]);
        assert_eq!(
            r("cve-2023-6246"),
            [vec!["cve", "2023", "6246"], vec!["cve20236246"]]
        );
        assert_eq!(r("a1b2c3d4"), [vec!["a1b2c3d4"]]);
        assert!(r("").iter().all(Vec::is_empty));
    }
}

#[cfg(test)]
mod url_tests {
    use super::url_words;

    #[test]
    fn url_words_are_host_and_path() {
        for (url, want) in [
            (
                "https://dustri.org/b/using-vale-with-vim.html",
                "dustri.org/b/using-vale-with-vim",
            ),
            (
                "http://www.example.com/2024/03/post/?utm_source=rss#comments",
                "example.com/2024/03/post/",
            ),
            ("https://example.com/index.php?p=12", "example.com/index"),
            ("urn:uuid:1234", "urn:uuid:1234"),
            ("www.example.com", "example.com"),
            ("example.com/posts/item-3.html", "example.com/posts/item-3"),
            ("", ""),
        ] {
            assert_eq!(url_words(url), want, "{url}");
        }
    }
}
