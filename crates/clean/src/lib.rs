//! kb-clean: a [`ParsedItem`](kb_parse::ParsedItem) in, an [`Article`] out.
//!
//! Owns: turning publisher HTML into plain text (one paragraph per line, list items on their
//! own lines, entities decoded, whitespace normalised, no terminal control characters) and into
//! sanitized HTML for display; removing share widgets and other boilerplate through a table of
//! rules ([`NoiseRule`], [`Rules`]); collecting outbound links; guarding the HTML parser against
//! hostile input ([`Limits`]); the content hash that tells a changed article from an unchanged
//! one.
//!
//! Does not own: parsing feeds (kb-parse), storage or search (kb-store). Cleaning is pure: no I/O,
//! and it cannot fail — bad HTML degrades to less text, never to an error. Only checking a
//! user's noise rules can fail ([`CleanError`]).
//!
//! ```
//! let cleaned = kb_clean::clean_html(
//!     "<p>It&#8217;s <b>here</b>.</p><ul><li>one</li><li>two</li></ul>\
//!      <div class=\"sharedaddy\">Share this: Twitter</div>",
//!     None,
//! );
//! assert_eq!(cleaned.text, "It\u{2019}s here.\n- one\n- two");
//! ```

mod article;
mod dispatch;
mod error;
mod fast;
mod gap;
mod guard;
mod html;
mod math;
mod names;
mod prefilter;
mod rules;
mod sanitize;
mod stray;
#[cfg(test)]
mod testdata;
mod text;
mod walk;

pub use article::{Article, to_article, to_article_reporting, to_article_with};
pub use error::CleanError;
pub use guard::Limits;
pub use html::{CleanedHtml, clean_html, clean_html_with, clean_inline};
pub use rules::{NoiseRule, Rules};
