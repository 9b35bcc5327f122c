//! Everything the binary prints goes through here: the one place allowed to write to stdout.

#![allow(clippy::print_stdout)]

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result};
use serde::Serialize;

/// Where and how to print.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// Bold highlights allowed: stdout is a terminal that is not `TERM=dumb`, or
    /// `CLICOLOR_FORCE` is set and not 0 (`kb search x | less -R`); never with `NO_COLOR` set
    /// (<https://no-color.org>, <https://bixense.com/clicolors/>).
    pub bold: bool,
    /// `--quiet`.
    pub quiet: bool,
}

impl Out {
    pub fn new(quiet: bool) -> Out {
        let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
        let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
        Out {
            bold: !set("NO_COLOR")
                && (forced
                    || std::io::stdout().is_terminal()
                        // A dumb terminal shows escape sequences as they are.
                        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")),
            quiet,
        }
    }

    /// Print JSON, pretty, with a final newline.
    ///
    /// A failed write says it was stdout: "No space left on device" alone reads like the KB's
    /// disk. The io error stays in the chain, so `main` still sees a broken pipe as one.
    pub fn json<T: Serialize>(&self, value: &T) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, value).context(STDOUT)?;
        writeln!(stdout).context(STDOUT)?;
        Ok(())
    }

    /// Print text lines as they are (callers sanitize feed-derived parts with [`safe`]).
    pub fn text(&self, s: &str) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(s.as_bytes()).context(STDOUT)?;
        if !s.ends_with('\n') {
            writeln!(stdout).context(STDOUT)?;
        }
        // Line-buffered stdout keeps the last bytes until exit, where an error would be lost.
        stdout.flush().context(STDOUT)?;
        Ok(())
    }

    /// A bar for long work over `total` things (`kb reindex` and `kb doctor` over archived
    /// documents, `kb export` over articles), labelled `what` ("documents replayed"): on
    /// stderr, and only where it is a terminal, not with `--quiet` and not for a single one
    /// (elsewhere a hidden bar, which draws nothing). Without it, 100 000 articles took half a
    /// minute of silence.
    pub fn count_bar(&self, total: usize, what: &str) -> indicatif::ProgressBar {
        if self.quiet || total < 2 || !std::io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(total as u64);
        let template = format!("{{bar:30}} {{pos}}/{{len}} {what}  [{{elapsed_precise}}]");
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar
    }

    /// Footers, counts, notes and hints: on stderr, so that stdout holds only the results a
    /// script pipes on (`kb list | cut -c1-8 | xargs -n1 kb show`); nothing with `--quiet`.
    /// A failed write is ignored: there is nowhere left to say it, and the results are out.
    pub fn note(&self, s: &str) {
        if self.quiet || s.is_empty() {
            return;
        }
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(s.as_bytes());
        if !s.ends_with('\n') {
            let _ = writeln!(stderr);
        }
    }

    /// Bold on a terminal, plain otherwise.
    pub fn bold(&self, s: &str) -> String {
        if self.bold {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// The context of every failed write to stdout.
pub const STDOUT: &str = "cannot write to standard output";

/// "1 feed", "2 feeds": a count with its noun (plural by adding "s").
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Feed text made safe for a terminal: control characters (escape sequences included) become
/// nothing, except newlines and tabs where `multiline` allows them.
pub fn safe(s: &str, multiline: bool) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' if multiline => Some('\n'),
            '\t' => Some(' '),
            '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            // Bidi overrides can make a line read differently from what it is.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(plural(1, "feed"), "1 feed");
        assert_eq!(plural(0, "feed"), "0 feeds");
        assert_eq!(plural(2, "archived document"), "2 archived documents");
    }

    #[test]
    fn escape_sequences_never_reach_the_terminal() {
        assert_eq!(safe("a\x1b[31mred\x1b[0m\x07b", false), "a[31mred[0mb");
        assert_eq!(safe("l1\nl2\r", true), "l1\nl2 ");
        assert_eq!(safe("l1\nl2", false), "l1 l2");
        assert_eq!(safe("x\u{9b}y\u{202e}z", false), "xyz");
    }
}
