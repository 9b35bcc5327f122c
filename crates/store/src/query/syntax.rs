//! The kb query language: text in, a small syntax tree out. No tantivy here, so every rule can
//! be unit-tested on strings; [`super`] turns the tree into a tantivy query.
//!
//! Grammar (binding from loosest to tightest; OR binds tighter than the implicit AND, as in web
//! search engines, so `referral OR referrals program` is `(referral OR referrals) AND program`):
//!
//! ```text
//! query   := and? EOF
//! and     := or (("AND")? or)*          every part must match
//! or      := unary ("OR" unary)*        any part may match
//! unary   := ("NOT" | "-") unary | primary
//! primary := "(" and ")"
//!          | FIELD ":" (value | "(" and ")")
//!          | "published:" (DATE | "[" (DATE | "*") "TO" (DATE | "*") "]")
//!          | value
//! value   := WORD | WORD "*" | WORD "~" ("1" | "2")? | '"' PHRASE '"' ("~" SLOP)?
//! FIELD   := title | author | category | feed      (case-insensitive)
//! DATE    := YYYY | YYYY-MM | YYYY-MM-DD           (UTC; a bare date covers the whole period)
//! ```
//!
//! Operators are the upper-case words `AND`, `OR`, `NOT` (lower-case `and`/`or`/`not` are plain
//! words). Curly double quotes (“ ”) open and close phrases too, since they arrive from pasted
//! text. A word with an unknown `name:` prefix (`re:`, `10:30`, `http://`) is a plain word.
//!
//! Errors carry a 1-based character column and name the problem, e.g. `unclosed quote starting
//! at column 7`. The parser never panics: it works on a `Vec<char>` with bounds-checked peeks
//! and limits nesting, so hostile input (`((((…`) cannot exhaust the stack.

use chrono::{DateTime, NaiveDate, Utc};

/// Deepest nesting of parentheses and negations accepted. Real queries nest two or three deep;
/// the limit only exists so recursion is bounded.
const MAX_DEPTH: usize = 32;

/// Largest phrase slop accepted (`"a b"~N`): beyond this a phrase is just an AND.
const MAX_SLOP: u32 = 50;

/// Where a piece of text is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Title, body, categories and author (the default).
    Any,
    /// `title:`
    Title,
    /// `author:`: the exact name, or a word of it.
    Author,
    /// `category:`: the exact category, or a word of it.
    Category,
    /// `feed:`: the exact feed name, or a word of it.
    Feed,
}

/// One piece of searchable text, before analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Text {
    /// A bare word (may analyse to several tokens, e.g. `isn't`: then they must be adjacent).
    Word(String),
    /// `"exact phrase"`, optionally `~slop`.
    Phrase(String, u32),
    /// `manag*`: the text before the star.
    Prefix(String),
    /// `referal~` / `referal~2`: the word and the number of edits.
    Fuzzy(String, u8),
    /// Never parsed: a word no article holds, as a widened search respelled it, and the terms
    /// (analysed, as indexed) it stands for instead.
    Respelled(String, Vec<String>),
}

/// The parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// All must match. Empty: nothing to search for (the query was blank, or held only empty
    /// parentheses, which parsing drops wherever they stand).
    And(Vec<Node>),
    /// Any may match.
    Or(Vec<Node>),
    /// Must not match.
    Not(Box<Node>),
    /// Text in a scope.
    Text(Scope, Text),
    /// Published in `[from, to)`; `None` is an open end.
    Published(Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

/// A query that could not be parsed: the message names the problem and its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// 1-based character column the message points at.
    pub column: usize,
    /// The whole message, column included.
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parse a query string.
pub(crate) fn parse(input: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        chars: input.chars().collect(),
        pos: 0,
        empty_group: None,
    };
    let node = p.and(Scope::Any, 0)?;
    p.skip_ws();
    if let Some(c) = p.peek() {
        // `and` stops only at the end or at a ')' it cannot close.
        return Err(p.error(p.pos, format!("unbalanced '{c}' at column {}", p.pos + 1)));
    }
    // Empty parentheses are dropped (`kmalloc()` searches `kmalloc`), but a query of nothing
    // else has nothing to search for: the user typed something, so it is not a blank query.
    if let (true, Some(open)) = (is_nothing(&node), p.empty_group) {
        return Err(p.error(open, format!("empty parentheses at column {}", open + 1)));
    }
    Ok(node)
}

/// The node of nothing to search for: a blank query, empty parentheses.
fn is_nothing(node: &Node) -> bool {
    matches!(node, Node::And(parts) if parts.is_empty())
}

/// `NOT x`; nothing stays nothing (`-()`), dropped with the parentheses.
fn negated(node: Node) -> Node {
    if is_nothing(&node) {
        node
    } else {
        Node::Not(Box::new(node))
    }
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”')
}

/// Characters that end a bare word.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || is_open_quote(c)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Where the outermost of the first empty parentheses opened, if the query has any.
    empty_group: Option<usize>,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn error(&self, at: usize, message: String) -> SyntaxError {
        SyntaxError {
            column: at + 1,
            message,
        }
    }

    /// The upper-case operator word at the cursor, if any (`OR` in `a OR b`, not in `ORACLE`).
    fn keyword(&self) -> Option<&'static str> {
        for kw in ["AND", "OR", "NOT"] {
            let n = kw.len();
            let matches = kw
                .chars()
                .enumerate()
                .all(|(i, k)| self.peek_at(self.pos + i) == Some(k));
            if matches && self.peek_at(self.pos + n).is_none_or(is_delimiter) {
                return Some(kw);
            }
        }
        None
    }

    /// After an operator: fail if nothing follows it.
    fn expect_operand(&mut self, op: &str, at: usize) -> Result<(), SyntaxError> {
        self.skip_ws();
        match self.peek() {
            None | Some(')') => {
                Err(self.error(at, format!("nothing after {op} at column {}", at + 1)))
            }
            _ => Ok(()),
        }
    }

    fn and(&mut self, scope: Scope, depth: usize) -> Result<Node, SyntaxError> {
        let mut parts = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some(')') => break,
                _ => {}
            }
            if self.keyword() == Some("AND") {
                let at = self.pos;
                if parts.is_empty() {
                    return Err(self.misplaced("AND", at));
                }
                self.pos += 3;
                self.expect_operand("AND", at)?;
                continue;
            }
            let part = self.or(scope, depth)?;
            if !is_nothing(&part) {
                parts.push(part);
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::And(parts)
        })
    }

    fn or(&mut self, scope: Scope, depth: usize) -> Result<Node, SyntaxError> {
        let mut parts = vec![self.unary(scope, depth)?];
        loop {
            let save = self.pos;
            self.skip_ws();
            if self.keyword() != Some("OR") {
                self.pos = save;
                break;
            }
            let at = self.pos;
            self.pos += 2;
            self.expect_operand("OR", at)?;
            parts.push(self.unary(scope, depth)?);
        }
        // `a OR ()`: nothing is no alternative.
        parts.retain(|p| !is_nothing(p));
        Ok(match parts.len() {
            0 => Node::And(Vec::new()),
            1 => parts.remove(0),
            _ => Node::Or(parts),
        })
    }

    fn misplaced(&self, op: &str, at: usize) -> SyntaxError {
        self.error(
            at,
            format!(
                "misplaced {op} at column {}: put it between two terms, as in `a {op} b`",
                at + 1
            ),
        )
    }

    fn unary(&mut self, scope: Scope, depth: usize) -> Result<Node, SyntaxError> {
        self.skip_ws();
        let at = self.pos;
        if depth >= MAX_DEPTH {
            return Err(self.error(at, format!("query nested too deeply at column {}", at + 1)));
        }
        match self.keyword() {
            Some("NOT") => {
                self.pos += 3;
                self.expect_operand("NOT", at)?;
                return Ok(negated(self.unary(scope, depth + 1)?));
            }
            Some(op) => return Err(self.misplaced(op, at)),
            None => {}
        }
        // `-word` excludes; a lone `-` (as in `first - position`) is punctuation, left to the
        // analyser, which drops it. Before a digit it is a minus sign (`-273.15`, `-40`): a
        // temperature or an offset typed or pasted, which excluded the very article holding
        // it; the word searches the number (the analyser drops the sign, as indexing did).
        let number_follows = self.peek_at(at + 1).is_some_and(|c| c.is_ascii_digit())
            || (self.peek_at(at + 1) == Some('.')
                && self.peek_at(at + 2).is_some_and(|c| c.is_ascii_digit()));
        // Two dashes or more (`--force`, a pasted option) are no double exclusion: the
        // word is searched as the text holds it.
        let dashes_follow = self.peek_at(at + 1) == Some('-');
        if self.peek() == Some('-')
            && !number_follows
            && !dashes_follow
            && self
                .peek_at(at + 1)
                .is_some_and(|c| !is_delimiter(c) || is_open_quote(c) || c == '(')
        {
            self.pos += 1;
            return Ok(negated(self.unary(scope, depth + 1)?));
        }
        self.primary(scope, depth)
    }

    fn primary(&mut self, scope: Scope, depth: usize) -> Result<Node, SyntaxError> {
        let at = self.pos;
        match self.peek() {
            Some('(') => return self.group(scope, depth),
            Some(')') => {
                return Err(self.error(at, format!("unbalanced ')' at column {}", at + 1)));
            }
            Some(c) if is_open_quote(c) => return self.phrase(scope),
            _ => {}
        }
        if let Some((field, after)) = self.field_prefix() {
            self.pos = after;
            return self.scoped(field, at, depth);
        }
        self.value(scope)
    }

    /// `( and )`. Empty, it is nothing to search for, which the caller drops: `kmalloc()` or
    /// `Invoke-Command()` is pasted from text about code, and means the word.
    fn group(&mut self, scope: Scope, depth: usize) -> Result<Node, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let inner = self.and(scope, depth + 1)?;
        self.skip_ws();
        if self.peek() != Some(')') {
            return Err(self.error(open, format!("unclosed '(' at column {}", open + 1)));
        }
        self.pos += 1;
        if is_nothing(&inner) {
            self.empty_group = Some(self.empty_group.map_or(open, |e| e.min(open)));
        }
        Ok(inner)
    }

    /// A known field name followed by ':' at the cursor: the field and the position after ':'.
    fn field_prefix(&self) -> Option<(&'static str, usize)> {
        let mut end = self.pos;
        while self.peek_at(end).is_some_and(|c| c.is_ascii_alphabetic()) {
            end += 1;
        }
        if self.peek_at(end) != Some(':') {
            return None;
        }
        let name: String = self.chars[self.pos..end].iter().collect();
        let field = ["title", "author", "category", "feed", "published"]
            .into_iter()
            .find(|f| f.eq_ignore_ascii_case(&name))?;
        Some((field, end + 1))
    }

    /// What follows `field:`.
    fn scoped(
        &mut self,
        field: &'static str,
        at: usize,
        depth: usize,
    ) -> Result<Node, SyntaxError> {
        let next = self.peek();
        if next.is_none_or(|c| c.is_whitespace() || c == ')') {
            return Err(self.error(at, format!("'{field}:' at column {} needs a value", at + 1)));
        }
        let scope = match field {
            "title" => Scope::Title,
            "author" => Scope::Author,
            "category" => Scope::Category,
            "feed" => Scope::Feed,
            _ => return self.published(at),
        };
        match next {
            Some('(') => {
                // `title:()` names a field and gives it no value: a mistake, not a word.
                let open = self.pos;
                let inner = self.group(scope, depth)?;
                if is_nothing(&inner) {
                    return Err(
                        self.error(open, format!("empty parentheses at column {}", open + 1))
                    );
                }
                Ok(inner)
            }
            Some(c) if is_open_quote(c) => self.phrase(scope),
            _ => self.value(scope),
        }
    }

    /// `"phrase"` with an optional `~slop`.
    fn phrase(&mut self, scope: Scope) -> Result<Node, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        while self.peek().is_some_and(|c| !is_close_quote(c)) {
            self.pos += 1;
        }
        if self.peek().is_none() {
            return Err(self.error(
                open,
                format!("unclosed quote starting at column {}", open + 1),
            ));
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        self.pos += 1;
        let mut slop = 0;
        if self.peek() == Some('~') {
            let tilde = self.pos;
            self.pos += 1;
            let digits = self.take_while(|c| c.is_ascii_digit());
            slop = match digits.parse::<u32>() {
                Ok(n) if n <= MAX_SLOP => n,
                _ => {
                    return Err(self.error(
                        tilde,
                        format!(
                            "phrase proximity at column {} must be a number from 0 to {MAX_SLOP}, as in \"first position\"~3",
                            tilde + 1
                        ),
                    ));
                }
            };
        }
        Ok(Node::Text(scope, Text::Phrase(text, slop)))
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// A bare word, with an optional `*` or `~N` suffix.
    fn value(&mut self, scope: Scope) -> Result<Node, SyntaxError> {
        let at = self.pos;
        let mut word = self.take_while(|c| !is_delimiter(c));
        // `3.5" drives`, `27” monitor`: a quote right after a digit is an inch mark, part of
        // the word (the analyser drops it), not the start of a phrase left unclosed.
        if word.ends_with(|c: char| c.is_ascii_digit())
            && let Some(q @ ('"' | '”')) = self.peek()
        {
            word.push(q);
            self.pos += 1;
        }
        // `kmalloc()` is how code names a function: empty parentheses right after a word
        // belong to it and hold nothing to search for, so `kmalloc() OR vmalloc()` is an OR
        // of two words.
        if self.peek() == Some('(') && self.peek_at(self.pos + 1) == Some(')') {
            self.pos += 2;
        }
        if let Some(stem) = word.strip_suffix('*') {
            let stem = stem.trim_end_matches('*');
            if !stem.chars().any(char::is_alphanumeric) {
                return Err(self.error(
                    at,
                    format!(
                        "'*' at column {} needs letters before it, as in manag*",
                        at + 1
                    ),
                ));
            }
            return Ok(Node::Text(scope, Text::Prefix(stem.to_string())));
        }
        if let Some(i) = word.rfind('~') {
            let (stem, edits) = (&word[..i], &word[i + 1..]);
            if !stem.is_empty() {
                let col = at + stem.chars().count() + 1;
                return match edits {
                    "" | "1" => Ok(Node::Text(scope, Text::Fuzzy(stem.to_string(), 1))),
                    "2" => Ok(Node::Text(scope, Text::Fuzzy(stem.to_string(), 2))),
                    _ => Err(self.error(
                        col - 1,
                        format!(
                            "typo tolerance at column {col} is 1 or 2 edits: write {stem}~ or {stem}~2"
                        ),
                    )),
                };
            }
        }
        Ok(Node::Text(scope, Text::Word(word)))
    }

    /// After `published:`: a date or a `[FROM TO TO]` range.
    fn published(&mut self, at: usize) -> Result<Node, SyntaxError> {
        if self.peek() != Some('[') {
            let start = self.pos;
            let word = self.take_while(|c| !is_delimiter(c));
            let (lo, hi) = period(&word).ok_or_else(|| self.bad_date(start, &word))?;
            return Ok(Node::Published(Some(lo), Some(hi)));
        }
        let open = self.pos;
        self.pos += 1;
        let unclosed = |p: &Parser| p.error(open, format!("unclosed '[' at column {}", open + 1));
        let bound = |p: &mut Parser| -> Result<(usize, String), SyntaxError> {
            p.skip_ws();
            let start = p.pos;
            let w = p.take_while(|c| !c.is_whitespace() && c != ']');
            if w.is_empty() {
                return Err(if p.peek().is_none() {
                    unclosed(p)
                } else {
                    p.error(
                        start,
                        format!("missing date at column {}: use YYYY-MM-DD or *", start + 1),
                    )
                });
            }
            Ok((start, w))
        };
        let (from_at, from) = bound(self)?;
        let (to_kw_at, to_kw) = bound(self)?;
        if !to_kw.eq_ignore_ascii_case("TO") {
            return Err(self.error(
                to_kw_at,
                format!(
                    "expected TO at column {} in published:[FROM TO TO], found {to_kw:?}",
                    to_kw_at + 1
                ),
            ));
        }
        let (to_at, to) = bound(self)?;
        self.skip_ws();
        if self.peek() != Some(']') {
            return Err(unclosed(self));
        }
        self.pos += 1;
        let lo = match from.as_str() {
            "*" => None,
            d => Some(period(d).ok_or_else(|| self.bad_date(from_at, d))?.0),
        };
        let hi = match to.as_str() {
            "*" => None,
            d => Some(period(d).ok_or_else(|| self.bad_date(to_at, d))?.1),
        };
        if let (Some(l), Some(h)) = (lo, hi)
            && l >= h
        {
            return Err(self.error(
                at,
                format!("date range at column {} ends before it starts", at + 1),
            ));
        }
        Ok(Node::Published(lo, hi))
    }

    fn bad_date(&self, at: usize, word: &str) -> SyntaxError {
        self.error(
            at,
            format!(
                "bad date {word:?} at column {}: use YYYY, YYYY-MM or YYYY-MM-DD",
                at + 1
            ),
        )
    }
}

/// The UTC period a bare date covers, as `[start, end)`: a day, a month or a year. A month
/// or day may be one digit (`2024-3`, `2024-3-5`), as people type them.
pub(crate) fn period(s: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| -> Option<u32> {
        let len = if len == 2 { 1..=2 } else { len..=len };
        (len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let start_of = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let (start, end) = match parts.as_slice() {
        [y] => {
            let y = num(y, 4)? as i32;
            (
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
            )
        }
        [y, m] => {
            let (y, m) = (num(y, 4)? as i32, num(m, 2)?);
            let start = NaiveDate::from_ymd_opt(y, m, 1)?;
            let end = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 1)?
            };
            (start, end)
        }
        [y, m, d] => {
            let start = NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?)?;
            (start, start.succ_opt()?)
        }
        _ => return None,
    };
    Some((start_of(start)?, start_of(end)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(s: &str) -> Node {
        Node::Text(Scope::Any, Text::Word(s.into()))
    }

    fn err(q: &str) -> String {
        match parse(q) {
            Err(e) => e.message,
            Ok(n) => panic!("{q:?} parsed as {n:?}"),
        }
    }

    #[test]
    fn words_are_anded() {
        assert_eq!(
            parse("first position").expect("parses"),
            Node::And(vec![word("first"), word("position")])
        );
        assert_eq!(parse("  ").expect("parses"), Node::And(vec![]));
        assert_eq!(
            parse("a AND b").expect("parses"),
            Node::And(vec![word("a"), word("b")])
        );
    }

    #[test]
    fn a_quote_right_after_a_digit_is_an_inch_mark() {
        assert_eq!(
            parse("1u case 3.5\" drives").expect("parses"),
            Node::And(vec![
                word("1u"),
                word("case"),
                word("3.5\""),
                word("drives")
            ])
        );
        assert_eq!(
            parse("27” monitor \"windows 10\"").expect("parses"),
            Node::And(vec![
                word("27”"),
                word("monitor"),
                Node::Text(Scope::Any, Text::Phrase("windows 10".into(), 0))
            ])
        );
        assert!(err("a \"b").starts_with("unclosed quote"));
    }

    #[test]
    fn or_binds_tighter_than_and() {
        assert_eq!(
            parse("referral OR referrals program").expect("parses"),
            Node::And(vec![
                Node::Or(vec![word("referral"), word("referrals")]),
                word("program")
            ])
        );
        // Lower-case operators are words.
        assert_eq!(
            parse("this or that").expect("parses"),
            Node::And(vec![word("this"), word("or"), word("that")])
        );
        assert_eq!(parse("ORACLE").expect("parses"), word("ORACLE"));
    }

    #[test]
    fn negation_and_groups() {
        assert_eq!(
            parse("-sales").expect("parses"),
            Node::Not(Box::new(word("sales")))
        );
        assert_eq!(
            parse("NOT (a OR b)").expect("parses"),
            Node::Not(Box::new(Node::Or(vec![word("a"), word("b")])))
        );
        // A dash between words, or inside one, is not an operator.
        assert_eq!(
            parse("a - b").expect("parses"),
            Node::And(vec![word("a"), word("-"), word("b")])
        );
        assert_eq!(parse("e-mail").expect("parses"), word("e-mail"));
    }

    /// Two dashes or more before a word are a command-line option pasted or typed into the
    /// query (`--force`), or a dash typed as `--`, not an exclusion of an exclusion: `managed
    /// --bogus` excluded every article and said "NOT … excludes them" (probe). The word is
    /// searched, as its text holds it.
    #[test]
    fn two_dashes_are_no_double_exclusion() {
        assert_eq!(
            parse("managed --bogus").expect("parses"),
            Node::And(vec![word("managed"), word("--bogus")])
        );
        assert_eq!(parse("--force").expect("parses"), word("--force"));
        assert_eq!(parse("---x").expect("parses"), word("---x"));
        // One dash still excludes, and a lone `--` between words is punctuation.
        assert_eq!(
            parse("-managed").expect("parses"),
            Node::Not(Box::new(word("managed")))
        );
        assert_eq!(
            parse("first -- position").expect("parses"),
            Node::And(vec![word("first"), word("--"), word("position")])
        );
    }

    /// Found by the search probe: `absolute zero -273.15` excluded the article about −273.15.
    /// A minus sign right before a digit (or a decimal point and a digit) is part of a
    /// negative number; `-"2023"` and `NOT 2023` still exclude a number.
    #[test]
    fn a_minus_before_a_digit_is_a_negative_number() {
        assert_eq!(
            parse("absolute zero -273.15").expect("parses"),
            Node::And(vec![word("absolute"), word("zero"), word("-273.15")])
        );
        assert_eq!(parse("-40").expect("parses"), word("-40"));
        assert_eq!(parse("-.5").expect("parses"), word("-.5"));
        assert_eq!(
            parse("(-40 OR 40)").expect("parses"),
            Node::Or(vec![word("-40"), word("40")])
        );
        assert_eq!(
            parse("python -\"2\"").expect("parses"),
            Node::And(vec![
                word("python"),
                Node::Not(Box::new(Node::Text(
                    Scope::Any,
                    Text::Phrase("2".into(), 0)
                )))
            ])
        );
        assert_eq!(
            parse("NOT 2023").expect("parses"),
            Node::Not(Box::new(word("2023")))
        );
        // Words and dates with a dash and digits inside are as before.
        assert_eq!(
            parse("-draft").expect("parses"),
            Node::Not(Box::new(word("draft")))
        );
        assert_eq!(
            parse("-v2").expect("parses"),
            Node::Not(Box::new(word("v2")))
        );
        assert_eq!(
            parse("CVE-2024-3094").expect("parses"),
            word("CVE-2024-3094")
        );
        assert!(matches!(
            parse("published:2024-03").expect("parses"),
            Node::Published(Some(_), Some(_))
        ));
        assert_eq!(
            parse("-published:2024-03").map(|n| matches!(n, Node::Not(_))),
            Ok(true)
        );
    }

    /// `kmalloc()`, pasted from a title about code, searches `kmalloc`: empty parentheses hold
    /// nothing to search for, wherever they stand, as long as something else does.
    #[test]
    fn empty_parentheses_are_ignored() {
        assert_eq!(parse("kmalloc()").expect("parses"), word("kmalloc"));
        assert_eq!(
            parse("Invoke-Command()").expect("parses"),
            word("Invoke-Command")
        );
        assert_eq!(
            parse("kmalloc() slab").expect("parses"),
            Node::And(vec![word("kmalloc"), word("slab")])
        );
        for q in [
            "a ()",
            "() a",
            "(()) a",
            "a OR ()",
            "() OR a",
            "a -()",
            "a NOT ( )",
        ] {
            assert_eq!(parse(q).expect("parses"), word("a"), "{q:?}");
        }
        assert_eq!(
            parse("(kmalloc() OR vmalloc()) slab").expect("parses"),
            Node::And(vec![
                Node::Or(vec![word("kmalloc"), word("vmalloc")]),
                word("slab")
            ])
        );
    }

    #[test]
    fn phrases_with_any_quotes_and_slop() {
        let p = |s: &str, n| Node::Text(Scope::Any, Text::Phrase(s.into(), n));
        assert_eq!(
            parse("\"first position\"").expect("parses"),
            p("first position", 0)
        );
        assert_eq!(
            parse("“first position”").expect("parses"),
            p("first position", 0)
        );
        assert_eq!(
            parse("\"first position\"~3").expect("parses"),
            p("first position", 3)
        );
    }

    #[test]
    fn field_scopes() {
        assert_eq!(
            parse("TITLE:referral").expect("parses"),
            Node::Text(Scope::Title, Text::Word("referral".into()))
        );
        assert_eq!(
            parse("category:\"managed services\"").expect("parses"),
            Node::Text(Scope::Category, Text::Phrase("managed services".into(), 0))
        );
        assert_eq!(
            parse("author:(mike OR bob)").expect("parses"),
            Node::Or(vec![
                Node::Text(Scope::Author, Text::Word("mike".into())),
                Node::Text(Scope::Author, Text::Word("bob".into())),
            ])
        );
        // Unknown prefixes are part of the word.
        assert_eq!(parse("re:referrals").expect("parses"), word("re:referrals"));
        assert_eq!(parse("10:30").expect("parses"), word("10:30"));
    }

    #[test]
    fn prefix_and_fuzzy() {
        assert_eq!(
            parse("manag*").expect("parses"),
            Node::Text(Scope::Any, Text::Prefix("manag".into()))
        );
        assert_eq!(
            parse("referal~").expect("parses"),
            Node::Text(Scope::Any, Text::Fuzzy("referal".into(), 1))
        );
        assert_eq!(
            parse("referal~2").expect("parses"),
            Node::Text(Scope::Any, Text::Fuzzy("referal".into(), 2))
        );
        assert_eq!(
            parse("feed:smb*").expect("parses"),
            Node::Text(Scope::Feed, Text::Prefix("smb".into()))
        );
    }

    #[test]
    fn date_ranges_cover_whole_periods() {
        let d = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("test date")
                .with_timezone(&Utc)
        };
        assert_eq!(
            parse("published:[2010-03-01 TO 2010-03-10]").expect("parses"),
            Node::Published(
                Some(d("2010-03-01T00:00:00Z")),
                Some(d("2010-03-11T00:00:00Z"))
            )
        );
        assert_eq!(
            parse("published:[2010-12 TO *]").expect("parses"),
            Node::Published(Some(d("2010-12-01T00:00:00Z")), None)
        );
        assert_eq!(
            parse("published:2010").expect("parses"),
            Node::Published(
                Some(d("2010-01-01T00:00:00Z")),
                Some(d("2011-01-01T00:00:00Z"))
            )
        );
        // Found by probing: `--since 2024-03-5` was read, `--since 2024-3` refused.
        assert_eq!(
            parse("published:2010-3").expect("parses"),
            parse("published:2010-03").expect("parses")
        );
        assert_eq!(
            parse("published:2010-3-5").expect("parses"),
            parse("published:2010-03-05").expect("parses")
        );
        assert!(parse("published:2010-003").is_err());
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(
            err("server \"first position"),
            "unclosed quote starting at column 8"
        );
        assert_eq!(err("(a OR b) c)"), "unbalanced ')' at column 11");
        assert_eq!(err("a (b c"), "unclosed '(' at column 3");
        assert_eq!(err("()"), "empty parentheses at column 1");
        assert_eq!(err(" -( ( ) )"), "empty parentheses at column 3");
        assert_eq!(err("title:()"), "empty parentheses at column 7");
        assert_eq!(err("a OR"), "nothing after OR at column 3");
        assert_eq!(
            err("OR a"),
            "misplaced OR at column 1: put it between two terms, as in `a OR b`"
        );
        assert_eq!(err("a NOT"), "nothing after NOT at column 3");
        assert_eq!(err("title: x"), "'title:' at column 1 needs a value");
        assert_eq!(
            err("referal~3"),
            "typo tolerance at column 8 is 1 or 2 edits: write referal~ or referal~2"
        );
        assert_eq!(
            err("*"),
            "'*' at column 1 needs letters before it, as in manag*"
        );
        assert!(
            err("published:[2010-03-01 TO 2010-03-10").starts_with("unclosed '[' at column 11")
        );
        assert!(err("published:[2010-03-01 2010-03-10]").starts_with("expected TO at column 23"));
        assert!(
            err("published:[2010-13-01 TO *]").starts_with("bad date \"2010-13-01\" at column 12")
        );
        assert!(err("published:[2010-03-10 TO 2010-03-01]").contains("ends before it starts"));
        assert!(err("\"a b\"~x").starts_with("phrase proximity at column 6"));
    }

    #[test]
    fn hostile_input_never_panics() {
        let deep = "(".repeat(10_000);
        assert!(err(&deep).contains("nested too deeply"));
        assert!(err(&"-(".repeat(10_000)).contains("nested too deeply"));
        assert!(err(&"NOT ".repeat(10_000)).contains("nested too deeply"));
        // A run of dashes is one word (two dashes are no double exclusion), however long.
        assert!(parse(&"-".repeat(10_000)).is_ok());
        for q in [
            "\"",
            "“",
            "(",
            ")",
            "-",
            "~",
            "~~",
            "*~",
            "a~b~",
            "title:",
            "published:",
            "published:[",
            "published:[*",
            "published:[* TO",
            "é~",
            "\u{0}",
            ":::",
            "NOT",
            "AND",
            "a AND",
        ] {
            let _ = parse(q);
        }
    }
}
