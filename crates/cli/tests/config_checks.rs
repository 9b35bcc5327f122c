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
