//! The one error type of kb-clean. Cleaning itself never fails; only checking user-supplied
//! noise rules can.

/// A noise rule that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CleanError {
    /// The rule's CSS selector does not parse.
    #[error("noise rule {rule:?}: invalid selector {selector:?}: {message}")]
    InvalidSelector {
        /// The rule's name.
        rule: String,
        /// The selector as written.
        selector: String,
        /// What the selector parser said.
        message: String,
    },
    /// The rule has no way to match, half a pair of comment markers, or mixes kinds.
    #[error("noise rule {rule:?}: {problem}")]
    InvalidRule {
        /// The rule's name.
        rule: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// Two rules share a name (a user rule may not reuse a built-in name).
    #[error("noise rule {rule:?} is defined twice")]
    DuplicateRule {
        /// The repeated name.
        rule: String,
    },
}
