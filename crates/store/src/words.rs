//! The tokenizer of every full-text analyzer: words as tantivy's `SimpleTokenizer` splits them
//! (runs of alphanumerics), with these additions.
//!
//! - **CJK text as overlapping bigrams.** Chinese and Japanese are written without spaces and
//!   Korean joins particles to its words, so a run of Han, Hiragana, Katakana or Hangul is one
//!   "word" to a splitter on non-alphanumerics: `東京` could not be found inside
//!   `東京の新しいオフィス`, and a run longer than the 64-byte limit was not indexed at all. As
//!   Lucene's `CJKBigramFilter` does, such a run becomes its overlapping character pairs
//!   (`東京の` -> `東京`, `京の`) at consecutive positions with exact offsets, and a lone CJK
//!   character stays one token. A query word of CJK text is analysed the same way, and several
//!   tokens make a phrase, so it matches exactly that substring (for two characters or more; a
//!   single character only matches where it stands alone). A run is cut from the letters or
//!   digits of another script it touches (`Windows版` -> `windows`, `版`).
//! - **Hyphenated compounds also as one word.** `Wi-Fi`, `e-mail` and `stand-ups` are also
//!   written `WiFi`, `email` and `standups`. A word of parts joined by single hyphens (`-`,
//!   U+2010, U+2011, letters or digits on both sides, no CJK) gives its parts as before and then
//!   their concatenation (`wi`, `fi`, `wifi`). The joined token takes the *position of the last
//!   part*: a phrase that goes on after the compound (`"wifi router"`) matches either spelling,
//!   one that leads up to it (`"office wifi"`) matches the closed spelling only; the parts keep
//!   their positions, so every phrase that matched before still does. Each compound adds one
//!   token to the field's length.
//! - **Words joined by an apostrophe, the same way.** `Xi'an`, `O'Brien` and `don't` are
//!   typed `xian`, `obrien` and `dont`, and were `xi` + `an`, `o` + `brien`, `don` + `t`,
//!   which no such search found. A part after an apostrophe joins as one after a hyphen does
//!   (`xi`, `an`, `xian`), but for the endings that would make another word joined (`we'll`
//!   is no "well", `I'd` no "id") and the possessive `s`, which stays no word.
//!
//! - **No possessive `s`.** `owner's` was `owner` + `s`, so it matched only where a text said
//!   "owner's", not "owner" or "owners'". As Lucene's `EnglishPossessiveFilter` does, an `s`
//!   (or `S`) that is all of a word's last segment after an apostrophe (`'` or `’`) is no token
//!   and takes no position: `owner's` is `owner`, `it's` is `it`, and `"owner's laptop"` is a
//!   phrase of two words. Contractions keep their pieces (`we'll` -> `we`, `ll`).
//!
//! - **Numbers grouped in thousands by commas as one word.** `1,400` is the token `1400`,
//!   not `1` + `400`, which `400` (and `"400 per month"`) found. See [`grouped_number_at`].
//!
//! - **Language names.** A one-letter word with `++` or `#` right after it (`C++`, `C#`, `F#`)
//!   is one token with its symbols, so `c#` finds C#, not every lone "C".
//!
//! Text without CJK, compounds, possessives, grouped numbers or such names tokenizes exactly as
//! `SimpleTokenizer` does.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// `char::is_alphanumeric`, answered without Unicode's tables for General Punctuation
/// (U+2000-U+206F: curly quotes, dashes, the ellipsis, thin spaces), which holds no letter or
/// digit. Those are most of the non-ASCII chars of English text, and each cost two table
/// searches (letters, then numbers): 14% of a rare word's search, in its snippets.
#[inline]
pub(crate) fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    !matches!(c, '\u{2000}'..='\u{206F}') && c.is_alphanumeric()
}

/// Whether `c` belongs to a script written without spaces between words (Han, Hiragana,
/// Katakana) or whose words carry joined particles (Hangul): the scripts Lucene's
/// `CJKBigramFilter` pairs up.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF // Hangul Jamo
        | 0x3005..=0x3007 // 々 〆 〇
        | 0x3021..=0x3029 // Hangzhou numerals
        | 0x3031..=0x3035 // kana repeat marks
        | 0x3038..=0x303C
        | 0x3041..=0x309F // Hiragana
        | 0x30A0..=0x30FF // Katakana, with the prolonged sound mark ー
        | 0x3130..=0x318F // Hangul compatibility jamo
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xA960..=0xA97F // Hangul Jamo extended A
        | 0xAC00..=0xD7FF // Hangul syllables, Jamo extended B
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFFDC // halfwidth Katakana and Hangul
        | 0x1B000..=0x1B16F // Kana supplement and extensions
        | 0x20000..=0x323AF // CJK extensions B to H, compatibility supplement
    )
}

/// The hyphens that join the parts of a compound word.
pub(crate) fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// The apostrophes, straight and curly (WordPress curls every one it publishes).
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’')
}

/// What joins the parts of a compound: a hyphen, or an apostrophe inside a word (see
/// [`joins_next_part`]).
pub(crate) fn is_joiner(c: char) -> bool {
    is_hyphen(c) || is_apostrophe(c)
}

/// The endings English writes after an apostrophe (`isn't`, `owner's`, `we're`, `you've`,
/// `we'll`, `I'd`, `I'm`).
pub(crate) const CONTRACTION_ENDINGS: [&str; 7] = ["t", "s", "re", "ve", "ll", "d", "m"];

/// Whether `part`, written after an apostrophe, is one of [`CONTRACTION_ENDINGS`] that stays a
/// word of its own (or, for `s`, no word: see [`possessive_len`]). Joined, they would make
/// other words: "we'll" "well", "she'll" "shell", "we're" "were", "I'd" "id". The contraction
/// `n't` is joined ("don't" as `dont`, as people type it), and makes no such word but rare
/// ones (`cant`, `wont`).
fn stays_apart(part: &str) -> bool {
    CONTRACTION_ENDINGS
        .iter()
        .any(|e| *e != "t" && part.eq_ignore_ascii_case(e))
}

/// Whether `rest`, the text right after a word (or part), starts with a joiner and the next
/// part of the same compound: a hyphen or an apostrophe with a letter or digit (no CJK) right
/// after it, and for an apostrophe, a part that does not [stay apart](stays_apart).
pub(crate) fn joins_next_part(rest: &str) -> bool {
    let mut chars = rest.chars();
    let (Some(j), Some(c)) = (chars.next(), chars.next()) else {
        return false;
    };
    // Every word of a text is asked: most are followed by a space.
    if !is_joiner(j) || !is_plain_alnum(c) {
        return false;
    }
    // A number grouped in thousands is a word of its own, as a CJK run is.
    if grouped_number_len(&rest[j.len_utf8()..]) > 0 {
        return false;
    }
    if is_hyphen(j) {
        return true;
    }
    let part = &rest[j.len_utf8()..];
    let len = part
        .find(|c: char| !is_plain_alnum(c))
        .unwrap_or(part.len());
    !stays_apart(&part[..len])
}

/// A letter or digit of a word that is not CJK: what a compound is made of.
pub(crate) fn is_plain_alnum(c: char) -> bool {
    is_alnum(c) && !is_cjk(c)
}

/// The tokenizer of `kb_en` (see the module documentation).
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
    joined: String,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        self.joined.clear();
        WordStream {
            text,
            at: 0,
            token: &mut self.token,
            cjk: None,
            compound: None,
            joined: &mut self.joined,
            joined_due: false,
        }
    }
}

/// The token stream of [`WordTokenizer`].
pub(crate) struct WordStream<'a> {
    text: &'a str,
    /// Where scanning for the next word resumes.
    at: usize,
    token: &'a mut Token,
    /// The CJK run being paired: (start of the next pair's first character, end of the run).
    cjk: Option<(usize, usize)>,
    /// Start of the compound being read.
    compound: Option<usize>,
    /// The compound's parts, concatenated.
    joined: &'a mut String,
    /// The compound's last part was the last token: its joined form comes next.
    joined_due: bool,
}

impl WordStream<'_> {
    /// `text[from..to]` as the token at the next position.
    fn emit(&mut self, from: usize, to: usize) {
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.token.position.wrapping_add(1);
    }

    /// The next pair of the CJK run being read, if any.
    fn next_pair(&mut self) -> bool {
        let Some((from, end)) = self.cjk else {
            return false;
        };
        let second = from + char_len(self.text, from);
        let to = second + char_len(self.text, second);
        self.cjk = (to < end).then_some((second, end));
        self.emit(from, to);
        true
    }

    /// The compound just read, joined, at the position of its last part.
    fn joined_form(&mut self) {
        self.joined_due = false;
        let Some(from) = self.compound.take() else {
            return;
        };
        let to = self.token.offset_to;
        self.token.text.clear();
        self.token.text.push_str(self.joined);
        self.token.offset_from = from;
        self.token.offset_to = to;
    }
}

/// The most thousands groups a grouped number has (`1,000,000,000,000,000`): a longer run of
/// them is a list or data, split at its commas as before.
const MAX_GROUPS: usize = 5;

/// The length in bytes of the number grouped in thousands by commas that `text` starts with
/// (`1,400`, `240,000,000`): one to three digits, the first not a zero, then one to
/// [`MAX_GROUPS`] groups of a comma and three digits, and after it no letter or digit, nor a
/// comma with a digit (`1,234,56` is no grouping); 0 for none. The caller checks what comes
/// before (see [`grouped_number_at`]).
fn grouped_number_len(text: &str) -> usize {
    let b = text.as_bytes();
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=3).contains(&lead) || b[0] == b'0' {
        return 0;
    }
    let mut end = lead;
    let mut groups = 0;
    while b.get(end) == Some(&b',')
        && b.get(end + 1..end + 4)
            .is_some_and(|g| g.iter().all(u8::is_ascii_digit))
    {
        end += 4;
        groups += 1;
    }
    let mut after = text[end..].chars();
    let ends_here = match (after.next(), after.next()) {
        (Some(c), _) if is_alnum(c) => false,
        (Some(','), Some(d)) if d.is_ascii_digit() => false,
        _ => true,
    };
    if (1..=MAX_GROUPS).contains(&groups) && ends_here {
        end
    } else {
        0
    }
}

/// The bytes of the number grouped in thousands by commas (`1,400`, `240,000`) that holds or
/// starts at byte `at` of `text`, if any. Such a number is one token, its digits (`1400`):
/// as two words, `1` `400`, the search `400` (and `"400 per month"`) found "1,400", and
/// "$1,400" was two numbers to every reading of the text. A number right after a digit and a
/// dot or comma (`1.234,567`, a decimal comma) is none, nor one inside a word (`v1,234`).
/// Commas only: a dot groups thousands in German and splits versions and addresses
/// (`192.168.100.200`) everywhere; a space or an apostrophe groups them too rarely to matter
/// (and an apostrophe joins the parts anyway, see [`joins_next_part`]).
pub(crate) fn grouped_number_at(text: &str, at: usize) -> Option<(usize, usize)> {
    // A grouped number holds no more than 3 + 4 * MAX_GROUPS bytes, all digits and commas.
    let bytes = text.as_bytes();
    let mut from = at;
    while from > 0 && matches!(bytes[from - 1], b'0'..=b'9' | b',') {
        from -= 1;
        if at - from > 3 + 4 * MAX_GROUPS {
            return None;
        }
    }
    if !bytes.get(from).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut before = text[..from].chars().rev();
    match (before.next(), before.next()) {
        (Some(c), _) if is_alnum(c) => return None,
        (Some('.'), Some(d)) if d.is_ascii_digit() => return None,
        _ => {}
    }
    let len = grouped_number_len(&text[from..]);
    (len > 0 && from + len > at).then_some((from, from + len))
}

/// The length of the possessive `'s` (or `’s`) that `rest`, the text right after a word,
/// starts with, as a whole segment (`owner's`, not `x'sy`); 0 for none.
fn possessive_len(rest: &str) -> usize {
    let mut chars = rest.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(a @ ('\'' | '’')), Some('s' | 'S'), next) if next.is_none_or(|c| !is_alnum(c)) => {
            a.len_utf8() + 1
        }
        _ => 0,
    }
}

/// The length of the `++` or `#` that makes the one-letter word at the start of `word` (`len`
/// bytes long) a language's name: `C++`, `C#`, `F#`, `g++`. Without it, `c#` and `c++` were
/// the word `c`, and a search for either found every article with a lone "C" (the C++ article
/// first for `c#`). 0 for any other word, and when a letter or digit follows (`C#5`, `a++b`).
fn language_suffix_len(word: &str, len: usize) -> usize {
    if len != 1 || !word.as_bytes()[0].is_ascii_alphabetic() {
        return 0;
    }
    let rest = &word[1..];
    let suffix = ["++", "#"]
        .into_iter()
        .find(|s| rest.starts_with(s))
        .map_or(0, str::len);
    match rest[suffix..].chars().next() {
        Some(c) if is_alnum(c) => 0,
        _ => suffix,
    }
}

/// Whether the word starting at `start` of `text` is a possessive `s`, which the tokenizer
/// skips: for whoever finds words in text without it (`crate::search`'s snippet matcher).
pub(crate) fn possessive_at(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match (before.next(), before.next()) {
        (Some(a), Some(c)) if is_plain_alnum(c) => {
            possessive_len(&text[start - a.len_utf8()..]) > 0
        }
        _ => false,
    }
}

fn char_len(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(0, char::len_utf8)
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        if self.joined_due {
            self.joined_form();
            return true;
        }
        if self.next_pair() {
            return true;
        }
        let rest = &self.text[self.at..];
        let Some((off, first)) = rest.char_indices().find(|(_, c)| is_alnum(*c)) else {
            self.at = self.text.len();
            return false;
        };
        let start = self.at + off;
        if is_cjk(first) {
            let len = self.text[start..]
                .find(|c: char| !(is_alnum(c) && is_cjk(c)))
                .unwrap_or(self.text.len() - start);
            let end = start + len;
            self.at = end;
            if len == first.len_utf8() {
                self.emit(start, end);
            } else {
                self.cjk = Some((start, end));
                self.next_pair();
            }
            return true;
        }
        if first.is_ascii_digit()
            && let Some((from, end)) = grouped_number_at(self.text, start)
            && from == start
        {
            // Never a compound's part: `joins_next_part` refuses one, so none is open here.
            self.at = end + possessive_len(&self.text[end..]);
            self.emit(start, end);
            self.token.text.retain(|c| c != ',');
            return true;
        }
        let len = self.text[start..]
            .find(|c: char| !is_plain_alnum(c))
            .unwrap_or(self.text.len() - start);
        let end = start + len + language_suffix_len(&self.text[start..], len);
        self.at = end + possessive_len(&self.text[end..]);
        let joins_next = joins_next_part(&self.text[end..]);
        // A compound is only begun when a hyphen and a part follow, so a word found while one
        // is open is its next part.
        match self.compound {
            Some(_) => self.joined.push_str(&self.text[start..end]),
            None if joins_next => {
                self.compound = Some(start);
                self.joined.clear();
                self.joined.push_str(&self.text[start..end]);
            }
            None => {}
        }
        if !joins_next && self.compound.is_some() {
            self.joined_due = true;
        }
        self.emit(start, end);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, position, offsets) of every token.
    fn toks(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut t = WordTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let k = s.token();
            assert_eq!(
                &text[k.offset_from..k.offset_to].replace(|c| is_joiner(c) || c == ',', ""),
                &k.text
            );
            assert_eq!(k.position_length, 1);
            out.push((k.text.clone(), k.position, k.offset_from, k.offset_to));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        toks(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn is_alnum_answers_as_is_alphanumeric_for_every_char() {
        // Every char, so a Unicode update that put a letter or digit into General Punctuation
        // fails here rather than splitting words the index holds whole.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn text_without_cjk_or_compounds_tokenizes_as_simple_tokenizer() {
        let text = "Referrals WE’LL we'll Café x--y z- -w 3.14 ﬁne e_mail Cx++ ÉCOLE naïve \
                    résumé Ölfarbe 1Password \u{1F389} a - b a -b a- b, 2019 / 12 Ⅻ ½";
        let mut simple = tantivy::tokenizer::SimpleTokenizer::default();
        let mut s = simple.token_stream(text);
        let mut want = Vec::new();
        while s.advance() {
            let k = s.token();
            want.push((k.text.clone(), k.position, k.offset_from, k.offset_to));
        }
        assert_eq!(toks(text), want);
        assert!(toks("").is_empty());
        assert!(toks(" ,;- ").is_empty());
    }

    #[test]
    fn one_letter_with_plus_plus_or_sharp_is_a_language_name() {
        assert_eq!(
            texts("C++, C# and F# (not C) in g++; c#5 a++b x# 2# C+ C++/CLI"),
            [
                "C++", "C#", "and", "F#", "not", "C", "in", "g++", "c", "5", "a", "b", "x#", "2",
                "C", "C++", "CLI"
            ]
        );
        assert_eq!(
            toks("use C#."),
            vec![("use".into(), 0, 0, 3), ("C#".into(), 1, 4, 6)]
        );
    }

    #[test]
    fn cjk_runs_become_overlapping_pairs_at_consecutive_positions() {
        assert_eq!(
            toks("東京の新"),
            vec![
                ("東京".into(), 0, 0, 6),
                ("京の".into(), 1, 3, 9),
                ("の新".into(), 2, 6, 12),
            ]
        );
        // A lone character is one token; other scripts touching a run are words of their own.
        assert_eq!(
            toks("A 東 Windows版、ok"),
            vec![
                ("A".into(), 0, 0, 1),
                ("東".into(), 1, 2, 5),
                ("Windows".into(), 2, 6, 13),
                ("版".into(), 3, 13, 16),
                ("ok".into(), 4, 19, 21),
            ]
        );
        assert_eq!(
            texts("ネットワーク"),
            ["ネッ", "ット", "トワ", "ワー", "ーク"]
        );
        assert_eq!(texts("한국어 문서"), ["한국", "국어", "문서"]);
        assert_eq!(texts("𠀋𠀌"), ["𠀋𠀌"]);
        // A run far over the 64-byte limit on tokens is all pairs, none of them long.
        let long = "東京の新しいオフィスでネットワークを構築しました".repeat(3);
        let pairs = texts(&long);
        assert_eq!(pairs.len(), long.chars().count() - 1);
        assert!(pairs.iter().all(|p| p.chars().count() == 2));
    }

    /// `owner's` was `owner` + `s`, a phrase only "owner's" matched: the possessive `s` is no
    /// word, as Lucene's `EnglishPossessiveFilter` has it, so it finds "owner" and "owners'".
    #[test]
    fn a_possessive_s_is_no_token_and_takes_no_position() {
        assert_eq!(
            toks("the owner's guide"),
            vec![
                ("the".into(), 0, 0, 3),
                ("owner".into(), 1, 4, 9),
                ("guide".into(), 2, 12, 17),
            ]
        );
        assert_eq!(
            texts("PRINTER’S it's 1990's Wi-Fi's"),
            ["PRINTER", "it", "1990", "Wi", "Fi", "WiFi"]
        );
        // An `s` that is not all of a word's last segment, or that no word comes before, is a
        // word.
        assert_eq!(
            texts("owners' s 's x'sy x’s-y 東's"),
            ["owners", "s", "s", "x", "sy", "xsy", "x", "y", "東", "s"]
        );
    }

    #[test]
    fn a_hyphenated_compound_is_also_one_word_at_its_last_parts_position() {
        assert_eq!(
            toks("use Wi-Fi now"),
            vec![
                ("use".into(), 0, 0, 3),
                ("Wi".into(), 1, 4, 6),
                ("Fi".into(), 2, 7, 9),
                ("WiFi".into(), 2, 4, 9),
                ("now".into(), 3, 10, 13),
            ]
        );
        assert_eq!(
            texts("e\u{2010}mail stand\u{2011}ups CVE-2023-6246"),
            [
                "e",
                "mail",
                "email",
                "stand",
                "ups",
                "standups",
                "CVE",
                "2023",
                "6246",
                "CVE20236246"
            ]
        );
        assert_eq!(texts("self-hosting."), ["self", "hosting", "selfhosting"]);
        // Not compounds: a hyphen with a space, a double hyphen, a dash, CJK on a side.
        for text in [
            "a - b",
            "a -b",
            "a- b",
            "a--b",
            "a\u{2013}b",
            "a-東",
            "東-a",
            "-a",
            "a-",
        ] {
            let t = toks(text);
            assert!(t.windows(2).all(|w| w[0].1 < w[1].1), "{text}: {t:?}");
        }
        // The compound ends where a CJK run starts.
        assert_eq!(texts("Wi-Fi版"), ["Wi", "Fi", "WiFi", "版"]);
    }

    /// `Xi'an`, `O'Brien` and `don't` were `xi` + `an`, `o` + `brien` and `don` + `t`: a search
    /// typed `xian`, `obrien` or `dont` found none of them.
    #[test]
    fn words_joined_by_an_apostrophe_are_also_one_word() {
        assert_eq!(
            toks("in Xi’an now"),
            vec![
                ("in".into(), 0, 0, 2),
                ("Xi".into(), 1, 3, 5),
                ("an".into(), 2, 8, 10),
                ("Xian".into(), 2, 3, 10),
                ("now".into(), 3, 11, 14),
            ]
        );
        assert_eq!(
            texts("O'Brien's don't rock'n'roll Hawai'i 1'000 ISN’T"),
            [
                "O",
                "Brien",
                "OBrien",
                "don",
                "t",
                "dont",
                "rock",
                "n",
                "roll",
                "rocknroll",
                "Hawai",
                "i",
                "Hawaii",
                "1",
                "000",
                "1000",
                "ISN",
                "T",
                "ISNT"
            ]
        );
        // Endings that would make another word joined stay words of their own, in either case
        // and with either apostrophe; a quote is no apostrophe inside a word.
        for text in [
            "we'll",
            "WE’LL",
            "we're",
            "I'd",
            "you've",
            "I'm",
            "it's",
            "'quoted'",
            "‘bite’ and",
            "a' b",
            "a 'b",
            "a''b",
            "a'東",
        ] {
            let t = toks(text);
            assert!(t.windows(2).all(|w| w[0].1 < w[1].1), "{text}: {t:?}");
        }
        // A compound may mix hyphens and apostrophes.
        assert_eq!(texts("don't-care"), ["don", "t", "care", "dontcare"]);
    }

    /// `400` found "1,400" (indexed `1` + `400`), and `"400 per month"` found "$1,400 per
    /// month": a number grouped by commas is one token of its digits.
    #[test]
    fn a_number_grouped_by_commas_is_one_token_of_its_digits() {
        assert_eq!(
            toks("$1,400 per month"),
            vec![
                ("1400".into(), 0, 1, 6),
                ("per".into(), 1, 7, 10),
                ("month".into(), 2, 11, 16),
            ]
        );
        assert_eq!(
            texts("240,000,000 and 10,000. (2,150) 1,000's 12,345.67 3,000-year-old"),
            [
                "240000000",
                "and",
                "10000",
                "2150",
                "1000",
                "12345",
                "67",
                "3000",
                "year",
                "old",
                "yearold"
            ]
        );
        // Not groupings: a leading zero, a group of another length, a letter or a comma and
        // digit after, a decimal comma after a dot, a word before, too many groups, dots.
        assert_eq!(
            texts("0,500 1,23 1,2345 12,345,67 1,000x 1.234,567 v1,234 192.168.100.200"),
            [
                "0", "500", "1", "23", "1", "2345", "12", "345", "67", "1", "000x", "1", "234",
                "567", "v1", "234", "192", "168", "100", "200"
            ]
        );
        assert_eq!(
            texts("1,000,000,000,000,000,000"),
            ["1", "000", "000", "000", "000", "000", "000"]
        );
        assert_eq!(texts("1,000,000,000,000,000"), ["1000000000000000"]);
        // No compound's part on either side.
        assert_eq!(texts("year-3,000"), ["year", "3000"]);
        assert_eq!(grouped_number_at("a 1,400 b", 4), Some((2, 7)));
        assert_eq!(grouped_number_at("a 1,400 b", 2), Some((2, 7)));
        assert_eq!(grouped_number_at("a 1,400 b", 8), None);
    }
}
