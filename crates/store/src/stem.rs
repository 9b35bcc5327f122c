//! English stemming with a memo: the same Snowball stemmer tantivy uses (frostem, pinned to
//! tantivy's version so stems are identical), behind a per-analyzer cache, plus one rule of
//! Lucene's English analysis that Snowball lacks: the plural `s` of an acronym goes (`pcs` ->
//! `pc`, see `unpluralize_acronym`).
//!
//! Why: profiles of both ingest and search put Snowball stemming at the top (kb-bench; `perf`),
//! and words in text follow a Zipf distribution, so a few thousand distinct words make up most
//! tokens. A tantivy analyzer lives for a whole segment while indexing, so its cache serves many
//! documents. The cache is bounded: past `MAX_ENTRIES` it starts over, so hostile text made of
//! endless distinct words costs memory for at most that many.

use std::collections::HashMap;

/// The memo's map. Looked up once per token of every article indexed and of every snippet
/// window, so the hasher shows: foldhash is several times faster than the default SipHash on
/// short words, and still seeded per process, so feed text cannot aim collisions at it.
type Memo = HashMap<String, String, foldhash::fast::RandomState>;

use frostem::Algorithm;

use crate::vocabulary::WordCollector;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

const MAX_ENTRIES: usize = 50_000;

/// A token filter stemming English words, memoized; an indexing one also tells a
/// [`WordCollector`] each word it had not seen (see [`crate::vocabulary`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct CachedEnglishStemmer {
    words: Option<WordCollector>,
}

impl CachedEnglishStemmer {
    /// A stemmer that notes the words it sees, as written, in `words`.
    pub(crate) fn collecting(words: WordCollector) -> CachedEnglishStemmer {
        CachedEnglishStemmer { words: Some(words) }
    }
}

impl TokenFilter for CachedEnglishStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            cache: Memo::default(),
            words: self.words,
        }
    }
}

/// The tokenizer [`CachedEnglishStemmer`] wraps around another.
#[derive(Clone)]
pub(crate) struct CachedStemmerFilter<T> {
    inner: T,
    cache: Memo,
    words: Option<WordCollector>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        LAST_STREAM.with(|r| r.borrow_mut().start(text));
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(Algorithm::English),
            cache: &mut self.cache,
            words: self.words.as_ref(),
        }
    }
}

/// Replace `word` by its stem, from `memo` when it has it (the memo is emptied when full:
/// bounded memory, and a feed's vocabulary refills it quickly). A word not in the memo is
/// noted in `words`: every word passes here at least once, and most only once per memo.
fn stem_memoized(
    stemmer: &frostem::Stemmer,
    memo: &mut Memo,
    word: &mut String,
    words: Option<&WordCollector>,
) {
    if let Some(stem) = memo.get(word.as_str()) {
        if stem != word {
            word.clear();
            word.push_str(stem);
        }
        return;
    }
    if let Some(words) = words {
        words.note(word);
    }
    let stem = stemmer.stem(word);
    // A number word and its inflections (`seconds`, `ones`, `twenties`) are the number.
    let mut stem = match number_of_stem(&stem) {
        Some(digits) => digits.to_owned(),
        None => stem.into_owned(),
    };
    unpluralize_acronym(&mut stem);
    if memo.len() >= MAX_ENTRIES {
        memo.clear();
    }
    memo.insert(std::mem::replace(word, stem.clone()), stem);
}

/// The one term of a number written as a word or in digits: `two` and `2` are both `2`,
/// `first` and `1st` both `1st`. People remember "two-factor" as `2-factor` and "10 tips" as
/// `ten tips`; with one term for both, words, phrases and compounds find either spelling.
/// Up to twenty and the tens, where words and digits are both common in prose; larger numbers
/// are nearly always written in digits.
///
/// Looked up by stem, so a number word's inflections are its number too: `second` is the stem
/// of `seconds`, `twenti` of `twenties`.
fn number_of_stem(stem: &str) -> Option<&'static str> {
    static STEMS: std::sync::OnceLock<Vec<(String, &'static str)>> = std::sync::OnceLock::new();
    let stems = STEMS.get_or_init(|| {
        let stemmer = frostem::Stemmer::new(Algorithm::English);
        NUMBER_WORDS
            .iter()
            .map(|&(word, term)| (stemmer.stem(word).into_owned(), term))
            .collect()
    });
    stems.iter().find(|(s, _)| s == stem).map(|&(_, term)| term)
}

/// The numbers whose words `keep` takes, for query words that are not whole words: a prefix
/// (`tw*`) or a misspelling (`tow~`) of a number word finds its number.
pub(crate) fn numbers_of_words(keep: impl Fn(&str) -> bool) -> Vec<&'static str> {
    NUMBER_WORDS
        .iter()
        .filter(|(word, _)| keep(word))
        .map(|&(_, term)| term)
        .collect()
}

/// The number words whose term is `term` (`2` -> `two`): what else a match of that term in a
/// text may be spelled as.
pub(crate) fn number_words_of(term: &str) -> impl Iterator<Item = &'static str> + '_ {
    NUMBER_WORDS
        .iter()
        .filter(move |(_, t)| *t == term)
        .map(|&(w, _)| w)
}

/// Number words and their terms: cardinals, then ordinals.
const NUMBER_WORDS: &[(&str, &str)] = &[
    ("zero", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twelve", "12"),
    ("thirteen", "13"),
    ("fourteen", "14"),
    ("fifteen", "15"),
    ("sixteen", "16"),
    ("seventeen", "17"),
    ("eighteen", "18"),
    ("nineteen", "19"),
    ("twenty", "20"),
    ("thirty", "30"),
    ("forty", "40"),
    ("fifty", "50"),
    ("sixty", "60"),
    ("seventy", "70"),
    ("eighty", "80"),
    ("ninety", "90"),
    ("first", "1st"),
    ("second", "2nd"),
    ("third", "3rd"),
    ("fourth", "4th"),
    ("fifth", "5th"),
    ("sixth", "6th"),
    ("seventh", "7th"),
    ("eighth", "8th"),
    ("ninth", "9th"),
    ("tenth", "10th"),
    ("eleventh", "11th"),
    ("twelfth", "12th"),
    ("thirteenth", "13th"),
    ("fourteenth", "14th"),
    ("fifteenth", "15th"),
    ("sixteenth", "16th"),
    ("seventeenth", "17th"),
    ("eighteenth", "18th"),
    ("nineteenth", "19th"),
    ("twentieth", "20th"),
];

/// `pcs` -> `pc`: the plural `s` of a word without a vowel (an acronym: PCs, VPNs, MSPs, SSDs),
/// which Snowball keeps, since it strips a final `s` only after a vowel that is not right before
/// it. Lucene's English analysis (Porter's `S ->`) drops it, and IT writing is full of such
/// plurals. Three letters at least (`ms`, `os` are words of their own), and not `ss` (`css`,
/// `xss`, as Porter's `SS -> SS`); `y` counts as a vowel (`yrs`, `gyms`).
///
/// Also `gpus` -> `gpu` (CPUs, SKUs, TPUs): Snowball leaves any word ending in `us` alone, so
/// an acronym ending in `u` has its `s` dropped when no vowel comes before the `u` (four
/// letters at least, and not `plus` or `thus`: words, not plurals).
///
/// Not plurals either, and left alone: acronyms that end in `s` themselves (`https`, `dns`,
/// `sms`, `cms`, `gps`, `tls`, ...) and file systems (`nfs`, `zfs`, `ntfs`): made singular,
/// `https` found every "http" and `cms` every "cm".
fn unpluralize_acronym(stem: &mut String) {
    const SINGULAR: &[&str] = &[
        "bps", "cms", "cvs", "dns", "fps", "gbps", "gps", "https", "kbps", "lts", "mbps", "mms",
        "rdbms", "sms", "tls",
    ];
    let b = stem.as_bytes();
    let vowel = |c: &u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    if b.len() < 3
        || !b.ends_with(b"s")
        || !b.iter().all(u8::is_ascii_lowercase)
        || SINGULAR.contains(&stem.as_str())
        || b.ends_with(b"fs")
    {
        return;
    }
    let before = &b[..b.len() - 1];
    let plural = match before {
        // `gpus`: a vowelless acronym ending in u.
        [rest @ .., b'u'] => {
            b.len() >= 4 && !rest.iter().any(vowel) && !matches!(stem.as_str(), "plus" | "thus")
        }
        _ => before.last() != Some(&b's') && !before.iter().any(vowel),
    };
    if plural {
        stem.pop();
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub(crate) struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: frostem::Stemmer,
    cache: &'a mut Memo,
    words: Option<&'a WordCollector>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            LAST_STREAM.with(|r| r.borrow_mut().complete = true);
            return false;
        }
        stem_memoized(
            &self.stemmer,
            self.cache,
            &mut self.tail.token_mut().text,
            self.words,
        );
        let token = self.tail.token();
        LAST_STREAM.with(|r| r.borrow_mut().push(token));
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The stems of the last text an indexing analyzer stemmed on this thread, for the pairs
/// analyzer ([`crate::pairs`]), which tantivy runs on the same body text right after (fields
/// are indexed in field order, one document at a time per thread): replaying the stems saves
/// tokenizing and stemming every body twice (kb-bench `perf`: a quarter of the indexing CPU).
/// Replayed only when complete and for the very same text; otherwise the pairs analyzer
/// tokenizes on its own.
#[derive(Default)]
pub(crate) struct Recording {
    text: String,
    /// The stems, one after the other; `tokens` holds where each ends.
    stems: String,
    /// (position, start offset, end offset, end of the stem in `stems`).
    tokens: Vec<(usize, usize, usize, usize)>,
    complete: bool,
}

impl Recording {
    fn start(&mut self, text: &str) {
        self.text.clear();
        self.text.push_str(text);
        self.stems.clear();
        self.tokens.clear();
        self.complete = false;
    }

    fn push(&mut self, t: &Token) {
        self.stems.push_str(&t.text);
        self.tokens
            .push((t.position, t.offset_from, t.offset_to, self.stems.len()));
    }

    /// The recorded tokens of `text`, if the last stream stemmed exactly it, to the end.
    pub(crate) fn of(&self, text: &str) -> Option<RecordedTokens<'_>> {
        (self.complete && self.text == text).then_some(RecordedTokens { rec: self, i: 0 })
    }
}

/// The tokens of a [`Recording`], in order: (stem, position, start offset, end offset).
pub(crate) struct RecordedTokens<'a> {
    rec: &'a Recording,
    i: usize,
}

impl<'a> Iterator for RecordedTokens<'a> {
    type Item = (&'a str, usize, usize, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let &(pos, from, to, end) = self.rec.tokens.get(self.i)?;
        let start = match self.i {
            0 => 0,
            i => self.rec.tokens[i - 1].3,
        };
        self.i += 1;
        Some((&self.rec.stems[start..end], pos, from, to))
    }
}

thread_local! {
    pub(crate) static LAST_STREAM: std::cell::RefCell<Recording> =
        std::cell::RefCell::new(Recording::default());
}

/// The same stemmer, memoized per thread instead of per analyzer: for analyzers that are cloned
/// for every use, where a per-analyzer memo would start empty each time. tantivy's snippet
/// generator clones its analyzer for every snippet, so searches stemmed every word of every
/// snippet window afresh (kb-bench profile: a few percent of a search). Not used for indexing,
/// whose analyzers live long enough for their own memo.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ThreadCachedEnglishStemmer;

thread_local! {
    static THREAD_MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}

impl TokenFilter for ThreadCachedEnglishStemmer {
    type Tokenizer<T: Tokenizer> = ThreadCachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ThreadCachedStemmerFilter<T> {
        ThreadCachedStemmerFilter { inner: tokenizer }
    }
}

/// The tokenizer [`ThreadCachedEnglishStemmer`] wraps around another.
#[derive(Clone)]
pub(crate) struct ThreadCachedStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ThreadCachedStemmerFilter<T> {
    type TokenStream<'a> = ThreadCachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ThreadCachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(Algorithm::English),
        }
    }
}

/// The token stream of [`ThreadCachedStemmerFilter`].
pub(crate) struct ThreadCachedStemmerStream<T> {
    tail: T,
    stemmer: frostem::Stemmer,
}

impl<T: TokenStream> TokenStream for ThreadCachedStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &mut self.tail.token_mut().text;
        THREAD_MEMO.with(|memo| stem_memoized(&self.stemmer, &mut memo.borrow_mut(), text, None));
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    use super::{CachedEnglishStemmer, ThreadCachedEnglishStemmer};

    fn tokens(mut a: TextAnalyzer, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut s = a.token_stream(text);
        while let Some(t) = s.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn same_stems_as_tantivys_stemmer_also_when_cached() {
        let text = "Referrals referral REFERRING managed manages management positions position \
                    the customer isn't always right; referrals again, management again";
        let ours = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedEnglishStemmer::default())
            .build();
        let theirs = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        assert_eq!(tokens(ours.clone(), text), tokens(theirs, text));
        // A second pass through the same analyzer is served from the cache.
        let mut a = ours;
        let first = tokens(a.clone(), text);
        let _ = tokens(a.clone(), text);
        let mut s = a.token_stream(text);
        let mut again = Vec::new();
        while let Some(t) = s.next() {
            again.push(t.text.clone());
        }
        assert_eq!(first, again);
    }

    /// Snowball keeps the `s` of a word with no vowel before it, so `PCs` was never `PC`.
    #[test]
    fn plurals_of_acronyms_lose_their_s_as_in_lucene() {
        let text = "PCs PC VPNs vpn MSPs SSDs CDNs LLMs VMs https CSS xss ms yrs DNS \
                    referrals s2s GPUs gpu CPUs SKUs plus thus bus status CMS SMS GPS NFS ZFS";
        for a in [
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(CachedEnglishStemmer::default())
                .build(),
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(ThreadCachedEnglishStemmer)
                .build(),
        ] {
            // Twice: the memo must give what the stemmer gave.
            for _ in 0..2 {
                assert_eq!(
                    tokens(a.clone(), text),
                    [
                        "pc", "pc", "vpn", "vpn", "msp", "ssd", "cdn", "llm", "vm", "https",
                        // A double s stays, as Porter's `SS -> SS`; two letters are too few,
                        // `y` counts as a vowel; an acronym ending in s is no plural.
                        "css", "xss", "ms", "yrs", "dns", "referr", "s2s",
                        // Acronyms ending in u; words ending in us stay.
                        "gpu", "gpu", "cpu", "sku", "plus", "thus", "bus", "status", "cms", "sms",
                        "gps", "nfs", "zfs"
                    ]
                );
            }
        }
    }

    #[test]
    fn the_thread_memo_stems_alike_across_clones() {
        let text = "Referrals referral REFERRING managed manages management positions position \
                    the customer isn't always right; referrals again, management again";
        let theirs = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let ours = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(ThreadCachedEnglishStemmer)
            .build();
        let want = tokens(theirs, text);
        // The first pass fills the memo, the second (a fresh clone) is served from it.
        assert_eq!(tokens(ours.clone(), text), want);
        assert_eq!(tokens(ours, text), want);
    }
}
