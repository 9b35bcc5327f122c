//! The one error type of kb-clean. Cleaning itself never fails; only checking user-supplied
//! noise rules can.

/// A noise rule that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CleanError {
    /// The rule's CSS selector does not parse.
    #[error(
        "noise rule {rule:?}: selector {selector:?} is not a valid CSS selector ({message}); \
         kb takes element names, .classes, #ids, [attributes] (also [name^=\"value\"] and the \
         like), the combinators ' ', >, + and ~, lists (a, b) and structural pseudo-classes \
         such as :not(), :is(), :has(), :first-child and :nth-child(), but no :hover or \
         :contains(); fix the selector or remove the rule"
    )]
    InvalidSelector {
        /// The rule's name.
        rule: String,
        /// The selector as written.
        selector: String,
        /// What is wrong with it, in a few words.
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
