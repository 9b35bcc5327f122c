//! kb.toml settings that cannot work are refused when the config is read, naming the setting,
//! rather than failing every fetch with a message about time.

#![allow(clippy::unwrap_used)]

mod common;

use common::Env;

#[test]
fn a_zero_timeout_is_refused_by_name() {
    for (config, key) in [
        ("[fetch]\ntimeout_secs = 0\n", "timeout_secs = 0"),
        (
            "[fetch]\nconnect_timeout_secs = 0\n",
            "connect_timeout_secs = 0",
        ),
        (
            "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/x\"\ntimeout_secs = 0\n",
            "timeout_secs = 0 for feed \"a\"",
        ),
    ] {
        let env = Env::new(config);
        let (_, err) = env.fails(&["feed", "list"]);
        assert!(
            err.starts_with("kb: error: ")
                && err.contains(key)
                && err.contains("at least 1 second"),
            "{config}: {err}"
        );
    }
}

/// `max_body_bytes = 0` was taken, then every feed failed as "larger than the 0 bytes limit";
/// a rule whose text_pattern is only `*` was taken and removed nothing.
#[test]
fn settings_that_cannot_work_are_refused_by_name() {
    for (config, key) in [
        ("[fetch]\nmax_body_bytes = 0\n", "max_body_bytes = 0"),
        (
            "[[clean.rules]]\nname = \"all\"\ntext_pattern = \"*\"\nreason = \"x\"\n",
            "only `*`",
        ),
    ] {
        let env = Env::new(config);
        // `parse` reads the rules and the fetch settings before its file.
        let (_, err) = env.fails(&["parse", "http://127.0.0.1:9/feed"]);
        assert!(
            err.starts_with("kb: error: ") && err.contains(key) && err.lines().count() == 1,
            "{config}: {err}"
        );
    }
}

/// A TOML syntax error is `FILE:LINE:COLUMN is invalid: what`, on one line; it was the TOML
/// crate's excerpt with its caret flattened into one line.
#[test]
fn a_toml_syntax_error_names_its_line_and_column() {
    let env = Env::new("# feeds\n[[feed]]\nname = \"odd\n");
    let (_, err) = env.fails(&["feed", "list"]);
    assert!(
        err.contains("kb.toml:3:")
            && err.contains(" is invalid: invalid basic string")
            && !err.contains('^'),
        "{err}"
    );
}
