//! kb.toml settings that cannot work are refused when the config is read, naming the setting,
//! rather than failing every fetch with a message about time.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

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

/// `max_retries = 1000` was taken and kept a dead feed retrying, and `kb sync` running, for
/// hours; a value past 10 is refused where it is written, as a syntax error is.
#[test]
fn too_many_retries_are_refused_where_written() {
    for value in ["11", "1000", "4294967295", "18446744073709551615"] {
        let env = Env::new(&format!("# fetch\n[fetch]\nmax_retries = {value}\n"));
        let (_, err) = env.fails(&["feed", "list"]);
        assert!(
            err.starts_with("kb: error: config ")
                && err.contains("kb.toml:3:15 is invalid: ")
                && err.contains(&format!("max_retries = {value} is more than 10"))
                && err.lines().count() == 1,
            "{value}: {err}"
        );
    }
    for ok in [
        "[fetch]\nmax_retries = 10\n",
        "[fetch]\nmax_retries = 0\n",
        "[fetch]\nconcurrency = 0\nconcurrency_per_host = 0\n",
    ] {
        let env = Env::new(ok);
        env.ok(&["feed", "list"]);
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

/// A KB of the seed fixture, synced with a config that lists it.
fn seed_kb() -> Env {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/smbitpros.xml");
    let env = Env::new(&format!(
        "[[feed]]\nname = \"smb\"\nurl = \"http://127.0.0.1:9/feed/\"\nfixture = {:?}\n",
        fixture.display().to_string()
    ));
    env.ok(&["sync", "--offline", "-q"]);
    env
}

/// kb with exactly these arguments (no --config added), in the environment's directory.
fn kb_bare(env: &Env, args: &[&str], config_env: Option<&Path>) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kb"));
    cmd.args(args)
        .current_dir(env.path())
        .env_remove("KB_INDEX")
        .env_remove("KB_CONFIG");
    if let Some(c) = config_env {
        cmd.env("KB_CONFIG", c);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Found by probing: `kb search x --config /nonexist.toml` said "no knowledge base at /index
/// yet: run `kb sync` first" (the KB was there; the config path was the typo), and `kb feed
/// list --config /nonexist.toml` "no feeds in /nonexist.toml", exit 0.
#[test]
fn a_config_given_that_does_not_exist_is_said_to_be_missing() {
    let env = seed_kb();
    let missing = env.path().join("nonexist.toml");
    let m = missing.to_str().unwrap();
    for args in [
        &["search", "managed"][..],
        &["list"],
        &["show", "4e69"],
        &["related", "4e69"],
        &["categories"],
        &["authors"],
        &["doctor"],
        &["feed", "list"],
        &["feed", "export"],
        &["feed", "rm", "smb"],
        &["sync", "--offline"],
    ] {
        for via_env in [false, true] {
            let (code, out, err) = if via_env {
                kb_bare(&env, args, Some(&missing))
            } else {
                kb_bare(&env, &[&["--config", m][..], args].concat(), None)
            };
            assert_eq!(code, Some(1), "{args:?}: {err}");
            assert_eq!(out, "", "{args:?}");
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(
                err.starts_with(&format!("kb: error: config {m} does not exist: "))
                    && !err.contains("kb sync"),
                "{args:?}: {err}"
            );
        }
    }
    // The default kb.toml may be missing: reading a KB needs no config.
    std::fs::remove_file(env.config()).unwrap();
    let (code, out, err) = kb_bare(&env, &["list", "-q"], None);
    assert_eq!((code, out.lines().count()), (Some(0), 10), "{err}");
    // `feed add` and `feed import` create the file they are given.
    let opml = env.path().join("subs.opml");
    std::fs::write(
        &opml,
        "<opml version=\"2.0\"><body><outline text=\"a\" xmlUrl=\"https://a.example/feed\"/></body></opml>",
    )
    .unwrap();
    let (code, _, err) = kb_bare(
        &env,
        &["--config", m, "feed", "import", opml.to_str().unwrap()],
        None,
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(missing.exists());
}

/// Found by probing: a half-typed edit of kb.toml (a crashed editor, a typo) made every
/// reading command and `kb doctor` fail with the config's syntax error, though they do not
/// need the feed list: the whole archive could not be searched until the file was fixed.
/// Reading commands warn once and go on; commands that need the config still refuse it. A
/// config that is not UTF-8, or a directory, says how to fix it.
#[test]
fn a_broken_config_does_not_block_reading_commands() {
    let garbage: Vec<u8> = (0..200u8).map(|i| i.wrapping_mul(37)).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("half-typed", b"[[feed]]\nname = \"half-typed\n".to_vec(), "kb.toml:2:19 is invalid: "),
        ("twice", b"[[feed]]\nname = \"a\"\nurl = \"http://x/\"\n[[feed]]\nname = \"a\"\nurl = \"http://y/\"\n".to_vec(), "names feed \"a\" twice"),
        ("garbage", garbage, "is not UTF-8 text"),
        ("latin-1", b"# caf\xe9\n[[feed]]\n".to_vec(), "kb.toml:1:6 is not UTF-8 text: save it as UTF-8"),
        ("directory", Vec::new(), "kb.toml is a directory, not a file: "),
    ];
    for (what, bytes, says) in cases {
        let env = seed_kb();
        let id = env.json(&["list", "--json", "--limit", "1"])["articles"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        std::fs::remove_file(env.config()).unwrap();
        if what == "directory" {
            std::fs::create_dir(env.config()).unwrap();
        } else {
            std::fs::write(env.config(), &bytes).unwrap();
        }
        let warning = "; reading commands go on, fix it before the next sync\n";
        for args in [
            &["search", "managed"][..],
            &["list"],
            &["show", &id],
            &["related", &id],
            &["categories"],
            &["authors"],
            &["search", "managed", "--json"],
        ] {
            let out = env.kb(args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{what}: {args:?}: {err}");
            assert!(!out.stdout.is_empty(), "{what}: {args:?}");
            let first = err.lines().next().unwrap_or("");
            assert!(
                first.starts_with("kb: warning: ") && first.contains(says) && err.contains(warning),
                "{what}: {args:?}: {err}"
            );
            assert_eq!(err.matches("kb: warning:").count(), 1, "{what}: {err}");
        }
        // `kb parse` stores nothing: it refused the config too (left in a note), so a feed
        // could not be inspected beside a half-edited kb.toml. Where the file cannot be read
        // at all it goes on with the built-in rules, and says so; a config that reads but sets
        // something wrong (a feed named twice) it still refuses, as its output follows the
        // settings.
        let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/smbitpros.xml");
        if what == "twice" {
            let (_, err) = env.fails(&["parse", seed]);
            assert!(err.contains(says) && err.lines().count() == 1, "{err}");
        } else {
            let out = env.kb(&["parse", seed]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{what}: parse: {err}");
            let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(parsed["items"].as_array().map(Vec::len), Some(10), "{what}");
            assert!(
                err.starts_with("kb: warning: ")
                    && err.contains(says)
                    && err.contains("; kb parse goes on with the built-in cleaning rules only\n")
                    && err.lines().count() == 1,
                "{what}: parse: {err}"
            );
        }
        // Doctor checks the KB, and names the config as the problem it is.
        let out = env.kb(&["doctor"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{what}: {stdout}");
        assert!(stdout.contains("ok   index: opens"), "{what}: {stdout}");
        assert!(
            stdout.contains("FAIL config: ") && stdout.contains(says),
            "{what}: {stdout}"
        );
        // A comparison not run is not passed, and the config is said once, as a check.
        assert!(
            stdout.contains("FAIL archive and index agree: not compared"),
            "{what}: {stdout}"
        );
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("kb: warning:"),
            "{what}"
        );
        let v: serde_json::Value =
            serde_json::from_slice(&env.kb(&["doctor", "--json"]).stdout).unwrap();
        let agree = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "archive and index agree")
            .cloned();
        assert_eq!(agree.map(|c| c["ok"].clone()), Some(false.into()), "{what}");
        // What needs the config refuses it, in one line.
        for args in [
            &["sync", "--offline"][..],
            &["feed", "list"],
            &["reindex"],
            &["doctor", "--fix"],
        ] {
            let (_, err) = env.fails(args);
            assert!(
                err.starts_with("kb: error: ") && err.contains(says) && err.lines().count() == 1,
                "{what}: {args:?}: {err}"
            );
        }
    }
}
