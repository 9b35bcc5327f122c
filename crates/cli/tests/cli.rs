//! Black-box tests of the `kb` binary for the core issue (3): sync, search, show, list,
//! categories, authors, parse, reindex, errors. Each test runs the built binary in its own temp
//! directory with its own kb.toml and KB directory.

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed() -> PathBuf {
    root().join("fixtures/smbitpros.xml")
}

/// A temp directory with a kb.toml listing the seed as the fixture of feed "smbitpros".
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kb.toml"),
            format!(
                "# test config\n[[feed]]\nname = \"smbitpros\"\nurl = \"http://127.0.0.1:9/feed/\"\nfixture = \"{}\"\n",
                seed().display()
            ),
        )
        .unwrap();
        Env { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn kb(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kb"))
            .args(args)
            .current_dir(self.path())
            .env_remove("KB_INDEX")
            .env_remove("KB_CONFIG")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.kb(args);
        assert!(
            out.status.success(),
            "kb {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// stdout and stderr of a command that succeeds.
    fn both(&self, args: &[&str]) -> (String, String) {
        let out = self.kb(args);
        assert!(
            out.status.success(),
            "kb {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn synced() -> Env {
        let env = Env::new();
        env.ok(&["sync", "--offline"]);
        env
    }
}

/// stderr is exactly one line starting with `kb: error:`, and nothing panicked.
fn assert_one_line_error(out: &Output, code: i32, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err}"
    );
    assert!(err.starts_with("kb: error: "), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in {err}");
}

fn titles(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn first_position_ranks_the_right_articles() {
    let env = Env::synced();
    let v = env.json(&["search", "first position", "--json"]);
    let t = titles(&v, "hits");
    assert_eq!(
        t[0],
        "Gain first position with your managed services clients"
    );
    assert!(
        t.iter()
            .any(|x| x == "Build a solid foundation with new managed services clients"),
        "{t:?}"
    );
    assert_eq!(v["query"], "first position");
    assert_eq!(v["total"].as_u64().unwrap() as usize, t.len());
    let hit = &v["hits"][0];
    for key in [
        "id",
        "title",
        "url",
        "author",
        "categories",
        "published",
        "score",
        "snippet",
    ] {
        assert!(hit.get(key).is_some(), "search hit lacks {key}: {hit}");
    }
    assert_eq!(hit["published"], "2010-03-07T05:48:37Z");
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("first position")
    );
}

#[test]
fn text_search_output_names_title_date_author_url_id_and_snippet() {
    let env = Env::synced();
    let out = env.ok(&["search", "first position", "--limit", "1"]);
    assert!(
        out.contains("1. Gain first position with your managed services clients"),
        "{out}"
    );
    assert!(
        out.contains("2010-03-07 · Mike · Managed Services Model"),
        "{out}"
    );
    assert!(
        out.contains(
            "http://smbitpros.com/gain-first-position-with-your-managed-services-clients/"
        ),
        "{out}"
    );
    assert!(out.contains("id "), "{out}");
    assert!(!out.contains('\x1b'), "no escape codes when piped: {out}");
}

/// `kb search -n1 managed` was a usage error and `kb search -n3` searched for "not n3": the
/// query may start with '-', and clap took the attached option for it.
#[test]
fn attached_short_option_values_are_options() {
    let env = Env::synced();
    let v = env.json(&["search", "-n1", "managed", "--json"]);
    assert_eq!(v["hits"].as_array().unwrap().len(), 1, "{v}");
    let v = env.json(&["search", "-c", "MSP", "-n2", "managed", "--json"]);
    assert_eq!(v["hits"].as_array().unwrap().len(), 2, "{v}");
    // `-cloud ups`: the category "loud", or leave out "cloud"? Taken for the category, it
    // answered a silent "no matches"; it is a usage error that says both ways.
    let out = env.kb(&["search", "-cloud", "managed"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`-c loud`") && err.contains("in quotes"),
        "{err}"
    );
    let out = env.kb(&["search", "-n3"]);
    assert_eq!(out.status.code(), Some(2));
    // A query that starts with '-' is still one.
    let v = env.json(&["search", "-draft managed", "--json"]);
    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
}

/// `KB_INDEX=` / `KB_CONFIG=` left empty in a crontab was a usage error about `--index`, a
/// flag nobody passed: empty means not set.
#[test]
fn empty_environment_variables_are_not_set() {
    let env = Env::synced();
    for var in ["KB_INDEX", "KB_CONFIG"] {
        let out = Command::new(env!("CARGO_BIN_EXE_kb"))
            .args(["list", "--json"])
            .current_dir(env.path())
            .env_remove("KB_INDEX")
            .env_remove("KB_CONFIG")
            .env(var, "")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{var}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["total"], 10, "{var}");
    }
}

/// `kb list` takes the dates `kb search` takes; an empty listing says how many articles there
/// are without them, and dates the wrong way round are a usage error.
#[test]
fn list_filters_by_dates_and_says_what_they_left_out() {
    let env = Env::synced();
    let ids = |args: &[&str]| {
        let mut a = vec!["list", "--json"];
        a.extend(args);
        env.json(&a)["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["published"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&["--since", "2010-03-15", "--until", "2010-03-16"]),
        ["2010-03-15T05:57:30Z"],
        "a bare date covers its day"
    );
    assert_eq!(ids(&["--since", "2010-03-14"]).len(), 3);
    assert_eq!(ids(&["--until", "2010-03-02"]), ["2010-03-02T06:00:00Z"]);
    assert_eq!(ids(&["--since", "100y"]).len(), 10);
    let (out, err) = env.both(&["list", "--since", "1d"]);
    assert_eq!(out, "");
    assert!(
        err.starts_with("no articles with --since 20") && err.ends_with(": 10 without it\n"),
        "{err}"
    );
    let (_, err) = env.both(&["list", "--since", "2030", "--until", "2031"]);
    assert_eq!(
        err,
        "no articles with --since 2030-01-01 --until 2031-12-31: 10 without those dates\n"
    );
    assert_one_line_error(
        &env.kb(&["list", "--since", "2011", "--until", "2010"]),
        2,
        "--since (2011-01-01T00:00:00Z) is after --until (2010-12-31T23:59:59Z)",
    );
}

/// `kb completions` prints a script from kb's own command line, whatever the config and the
/// knowledge base: a broken config is not read, and no index directory is made.
#[test]
fn completions_need_neither_config_nor_knowledge_base() {
    let env = Env::new();
    std::fs::write(env.path().join("kb.toml"), "[[feed]\n").unwrap();
    for (shell, head) in [
        ("bash", "_kb()"),
        ("zsh", "#compdef kb"),
        ("fish", "complete -c kb"),
    ] {
        let (script, err) = env.both(&["completions", shell]);
        assert!(script.contains(head), "{shell}: {script}");
        for word in ["search", "--since", "relevance", "doctor", "completions"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
        assert_eq!(err, "", "{shell}");
    }
    assert!(!env.path().join("index").exists());
    assert_one_line_error(&env.kb(&["completions", "tcsh"]), 2, "invalid value 'tcsh'");
}

/// A Unix path is bytes: `kb parse` and `kb sync --from` refused a file name that is not
/// UTF-8 as a usage error, where `--config` and `--index` took one.
#[test]
fn feed_paths_need_not_be_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let name = std::ffi::OsStr::from_bytes(b"feed\xfe.xml");
    std::fs::copy(seed(), env.path().join(name)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kb"))
        .arg("parse")
        .arg(name)
        .arg("--json")
        .current_dir(env.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 10);
    let out = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["sync", "--from"])
        .arg(name)
        .current_dir(env.path())
        .env_remove("KB_INDEX")
        .env_remove("KB_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.json(&["list", "--json"])["total"], 10);
}

/// `kb parse -` reads standard input, as Unix tools do (it looked for a file named "-").
#[test]
fn parse_reads_standard_input_from_a_dash() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["parse", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let feed = std::fs::read(seed()).unwrap();
    child.stdin.take().unwrap().write_all(&feed).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 10);
    // An error names it as the user knows it.
    let out = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["parse", "-"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_one_line_error(&out, 1, "cannot parse standard input");
}

/// Standard input over the body cap was named by its device path ("feed file /dev/stdin is
/// larger than ..."), which the user never typed.
#[test]
fn parse_names_standard_input_when_it_is_too_large() {
    use std::io::Write as _;
    let env = Env::new();
    std::fs::write(
        env.path().join("kb.toml"),
        "[fetch]\nmax_body_bytes = 1000\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["parse", "-"])
        .current_dir(env.path())
        .env_remove("KB_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let feed = std::fs::read(seed()).unwrap();
    // kb stops reading at the cap: a broken pipe here is expected.
    let _ = child.stdin.take().unwrap().write_all(&feed);
    let out = child.wait_with_output().unwrap();
    assert_one_line_error(
        &out,
        1,
        "standard input is larger than the 1000 bytes limit",
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("/dev/stdin"));
}

/// `--limit -1` was taken for an unknown flag `-1`, with clap's tip "to pass '-1' as a value,
/// use '-- -1'", which makes it a search word instead: it is an invalid number.
#[test]
fn a_negative_limit_is_an_invalid_value() {
    let env = Env::new();
    for args in [
        ["search", "x", "--limit", "-1"],
        ["list", "--offset", "-3", "--json"],
    ] {
        let out = env.kb(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("invalid value '-"), "{err}");
        assert!(!err.contains("-- -"), "{err}");
    }
}

/// An error that echoes what it was given (`kb show` with a 100 000-character argument)
/// printed all of it, a 100 KB line: a word that long is cut in the message.
#[test]
fn an_error_echoing_a_huge_argument_is_shortened() {
    let env = Env::synced();
    let huge = "x".repeat(100_000);
    let out = env.kb(&["show", &huge]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(
        err.starts_with("kb: error: "),
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(err.len() < 1_000, "{} bytes: {}", err.len(), &err[..500]);
    assert!(
        err.contains(&format!("\"{}…\": ", "x".repeat(199))),
        "{err}"
    );
}

/// Found by probing: footers and notes were on stdout and `-q` left them there, so
/// `kb list --limit 2 | cut -c1-8 | xargs -n1 kb show` also ran `kb show` on "…", "2" and "of",
/// and `kb list | wc -l` counted the footer. stdout holds the results only; footers, counts,
/// notes and hints are on stderr, and `-q` drops them.
#[test]
fn stdout_holds_only_results_and_quiet_drops_the_rest() {
    let env = Env::synced();
    let (out, err) = env.both(&["list", "--limit", "2"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.lines().all(|l| l.len() > 8 && l.as_bytes()[8] == b' '),
        "{out}"
    );
    assert_eq!(err, "… 2 of 10 shown (use --limit/--offset for more)\n");
    assert_eq!(
        env.both(&["list", "--limit", "2", "-q"]),
        (out, String::new())
    );
    // A widened search: the hit on stdout; the count and the note on stderr.
    let args = ["search", "people before technology", "--limit", "1"];
    let (out, err) = env.both(&args);
    assert!(
        out.starts_with("1. Secret to managed services success"),
        "{out}"
    );
    assert!(
        !out.contains("of 4 matches") && !out.contains("note:"),
        "{out}"
    );
    assert!(
        err.starts_with(
            "1 of 4 matches\nnote: nothing matches \"people before technology\" as typed;"
        ),
        "{err}"
    );
    let (quiet, err) = env.both(&[&args[..], &["-q"]].concat());
    assert_eq!((quiet, err), (out, String::new()));
    // No hits: nothing on stdout at all.
    assert_eq!(
        env.both(&["search", "zzzzqqq"]),
        (String::new(), "no matches for \"zzzzqqq\"\n".to_string())
    );
    assert_eq!(
        env.both(&["search", "zzzzqqq", "-q"]),
        (String::new(), String::new())
    );
    for args in [
        &["list", "--limit", "0"][..],
        &["list", "--offset", "99"],
        &["list", "--category", "no such category"],
        &["search", "managed", "--limit", "0"],
        &["search", "managed", "--offset", "99"],
        &["related", "4e69", "--offset", "99"],
    ] {
        let (out, err) = env.both(args);
        assert_eq!(out, "", "{args:?}");
        assert!(!err.is_empty(), "{args:?}");
        assert_eq!(
            env.both(&[args, &["-q"]].concat()),
            (String::new(), String::new()),
            "{args:?}"
        );
    }
    // A KB whose one article has no category and no author.
    std::fs::write(
        env.path().join("bare.xml"),
        "<rss version=\"2.0\"><channel><title>b</title><item><title>t</title><guid>g1</guid><description>words</description></item></channel></rss>",
    )
    .unwrap();
    env.ok(&["sync", "--from", "bare.xml", "--index", "bare", "-q"]);
    for what in ["categories", "authors"] {
        let args = [what, "--index", "bare"];
        assert_eq!(env.both(&args), (String::new(), format!("no {what}\n")));
        assert_eq!(
            env.both(&[&args[..], &["-q"]].concat()),
            (String::new(), String::new())
        );
    }
    // Related prints its hits as search does.
    let (out, err) = env.both(&["related", "4e69", "--limit", "1"]);
    assert!(
        out.starts_with("1. ") && !out.contains(" matches\n"),
        "{out}"
    );
    assert!(err.ends_with(" matches\n"), "{err}");
    // JSON is unchanged, and nothing goes beside it.
    for args in [
        &["list", "--limit", "2", "--json"][..],
        &["search", "zzzzqqq", "--json"],
        &["search", "people before technology", "--json"],
    ] {
        let (out, err) = env.both(args);
        assert!(serde_json::from_str::<Value>(&out).is_ok(), "{out}");
        assert_eq!(err, "", "{args:?}");
    }
}

/// Found by probing: JSON dates came with whatever fraction the source had: none
/// (`2010-03-07T05:48:37Z`), 3 or 6 digits for articles (`2024-03-04T08:00:00.123456Z`), 9 for
/// `feed list`'s `last_fetched`, so a script's fixed `%Y-%m-%dT%H:%M:%SZ` failed on some
/// records. Every JSON date is RFC 3339 UTC with whole seconds.
#[test]
fn every_json_date_is_utc_with_whole_seconds() {
    let env = Env::synced();
    std::fs::write(
        env.path().join("dates.xml"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>d</title><id>urn:d</id><updated>2024-03-04T10:00:00Z</updated>
<entry><id>urn:1</id><title>frac</title><link href="http://d.example/1"/><published>2024-03-04T10:00:00.123456+02:00</published><updated>2024-03-05T10:00:00.5Z</updated><content>words here</content></entry>
<entry><id>urn:2</id><title>moon</title><link href="http://d.example/2"/><published>1969-07-20T20:17:40.999Z</published><content>words here</content></entry>
</feed>"#,
    )
    .unwrap();
    env.ok(&["sync", "--from", "dates.xml", "--index", "d", "-q"]);
    let whole = |v: &Value| {
        let s = v.as_str().unwrap_or_else(|| panic!("not a date: {v}"));
        let ok = s.len() == 20
            && s.ends_with('Z')
            && chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").is_ok();
        assert!(ok, "{s}");
        s.to_string()
    };
    let list = env.json(&["list", "--index", "d", "--json"]);
    let frac = &list["articles"][0];
    assert_eq!(whole(&frac["published"]), "2024-03-04T08:00:00Z");
    assert_eq!(whole(&frac["updated"]), "2024-03-05T10:00:00Z");
    // Cut, not rounded: the second it happened in.
    assert_eq!(
        whole(&list["articles"][1]["published"]),
        "1969-07-20T20:17:40Z"
    );
    let id = frac["id"].as_str().unwrap();
    let show = env.json(&["show", id, "--index", "d", "--json"]);
    whole(&show["published"]);
    whole(&show["updated"]);
    for args in [
        &["search", "words", "--index", "d", "--json"][..],
        &["related", id, "--index", "d", "--json"],
    ] {
        let v = env.json(args);
        let hits = v["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{args:?}");
        for h in hits {
            whole(&h["published"]);
        }
    }
    let parsed = env.json(&["parse", "dates.xml", "--json"]);
    assert_eq!(
        whole(&parsed["items"][0]["published"]),
        "2024-03-04T08:00:00Z"
    );
    whole(&parsed["items"][0]["updated"]);
    for row in env.json(&["feed", "list", "--json"])["feeds"]
        .as_array()
        .unwrap()
    {
        whole(&row["last_fetched"]);
    }
}

/// Found by probing: `kb sync --json` had no documented shape; it left `moved_onto` out when
/// it had no value, while every other empty field is null; `kb list --json` had no `offset`
/// (search and related have it); `kb feed list --help` left `category` out of its shape.
#[test]
fn json_shapes_are_complete_and_documented() {
    let env = Env::new();
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let sync = env.json(&["sync", "--offline", "--json"]);
    assert_eq!(
        keys(&sync),
        [
            "committed",
            "failed",
            "feeds",
            "interrupted",
            "new",
            "unchanged",
            "updated"
        ]
    );
    let feed = &sync["feeds"][0];
    assert_eq!(
        keys(feed),
        [
            "backfill_pages",
            "backfill_stopped",
            "error",
            "moved_kept",
            "moved_onto",
            "moved_to",
            "name",
            "new",
            "source",
            "status",
            "unchanged",
            "updated",
            "warnings"
        ]
    );
    assert!(feed["moved_onto"].is_null(), "{feed}");
    assert!(feed["moved_kept"].is_null(), "{feed}");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let help = env.ok(&["sync", "--help"]);
    for k in keys(&sync).iter().chain(&keys(feed)) {
        let quoted = format!("\"{k}\"");
        assert!(
            help.contains(&quoted),
            "kb sync --help lacks {quoted}: {help}"
        );
        assert!(readme.contains(&quoted), "README lacks {quoted}");
    }
    let rows = env.json(&["feed", "list", "--json"]);
    let help = env.ok(&["feed", "list", "--help"]);
    for k in keys(&rows["feeds"][0]) {
        assert!(help.contains(&format!("\"{k}\"")), "{k}: {help}");
    }
    let list = env.json(&["list", "--offset", "2", "--limit", "1", "--json"]);
    assert_eq!(keys(&list), ["articles", "offset", "total"]);
    assert_eq!(list["offset"], 2);
}

/// Bold titles and matches on a terminal only; found by probing: `CLICOLOR_FORCE=1 kb search x
/// | less -R` gave no bold, and neither NO_COLOR nor TERM=dumb was documented.
#[test]
fn bold_can_be_forced_on_a_pipe_and_no_color_wins() {
    let env = Env::synced();
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kb"));
        cmd.args(["search", "first position", "--limit", "1"])
            .current_dir(env.path())
            .env_remove("KB_INDEX")
            .env_remove("KB_CONFIG")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(!run(&[]).contains('\x1b'));
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.starts_with("1. \x1b[1mGain first position")
            && forced.contains("\x1b[1mfirst\x1b[0m"),
        "{forced:?}"
    );
    assert!(!run(&[("CLICOLOR_FORCE", "0")]).contains('\x1b'));
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\x1b'));
    let help = env.ok(&["--help"]);
    for var in ["NO_COLOR", "TERM=dumb", "CLICOLOR_FORCE", "HTTP request"] {
        assert!(help.contains(var), "kb --help lacks {var}: {help}");
    }
}

/// A feed file over `[fetch] max_body_bytes` (20 MiB by default: a long-running podcast's
/// 31 MB feed) was refused with "larger than the 20 MiB limit", naming no setting: the error
/// names the one that raises it, and raising it lets the file through.
#[test]
fn a_file_over_the_body_cap_names_the_setting_that_raises_it() {
    let env = Env::new();
    let feed = seed().display().to_string();
    std::fs::write(
        env.path().join("kb.toml"),
        "[fetch]\nmax_body_bytes = 1000\n",
    )
    .unwrap();
    let out = env.kb(&["parse", &feed, "--json"]);
    assert_one_line_error(&out, 1, "larger than the 1000 bytes limit");
    assert_one_line_error(&out, 1, "raise [fetch] max_body_bytes in kb.toml");
    std::fs::write(
        env.path().join("kb.toml"),
        "[fetch]\nmax_body_bytes = 1000000\n",
    )
    .unwrap();
    env.ok(&["parse", &feed, "--json"]);
}

#[test]
fn search_without_hits_is_not_an_error() {
    let env = Env::synced();
    let v = env.json(&["search", "xylophonezzz", "--json"]);
    assert_eq!(v["total"], 0);
    let (out, err) = env.both(&["search", "xylophonezzz"]);
    assert!(out.is_empty() && err.contains("no matches"), "{out}{err}");
}

/// A half-remembered query that matches nothing as typed is widened, and the output says how:
/// a note under the hits (on stderr), and `relaxed` in JSON (null when the query matched as
/// typed).
#[test]
fn a_query_matching_nothing_as_typed_is_widened_and_says_so() {
    let env = Env::synced();
    let (out, err) = env.both(&["search", "refferal program"]);
    assert!(out.starts_with("1. Referral programs for MSPs"), "{out}");
    assert!(
        err.contains(
            "note: nothing matches \"refferal program\" as typed; \"refferal\" read as \"referral\" by similar spelling (no article has it)"
        ),
        "{err}"
    );
    let v = env.json(&["search", "people before technology", "--json"]);
    assert_eq!(
        v["relaxed"],
        serde_json::json!({"compounds": [], "respelled": [], "respellings": [], "dated": [], "prefixed": [], "unrequired": [], "at_least": 2, "words": 3}),
        "{v}"
    );
    // Its stem `reffer` is one edit from `refer`, of "refer" and "reference", and two from
    // `referr`, of "referral"; as written, "referral" is two letters off and "refer" three:
    // the closest word articles write is taken, and named.
    let v = env.json(&["search", "refferal program", "--json"]);
    assert_eq!(
        v["relaxed"]["respellings"],
        serde_json::json!([{"typed": "refferal", "read_as": ["referral"]}]),
        "{v}"
    );
    let (_, err) = env.both(&["search", "people before technology"]);
    assert!(err.contains("hits hold at least 2 of its 3 words"), "{err}");
    let v = env.json(&["search", "first position", "--json"]);
    assert!(v["relaxed"].is_null(), "{v}");
    assert!(!env.both(&["search", "first position"]).1.contains("note:"));
}

/// `referal` stems as `refer`, a word two articles hold ("refer to", "reference"), so it
/// matched as typed, and the article about referrals, whose stem is `referr`, came second. No
/// article writes "referal": it is also read as "referral", one letter off, and says so.
#[test]
fn a_slip_that_stems_as_another_word_is_also_read_as_the_word_meant() {
    let env = Env::synced();
    let (out, err) = env.both(&["search", "referal"]);
    assert!(out.starts_with("1. Referral programs for MSPs"), "{out}");
    assert!(
        err.contains("note: \"referal\" also read as \"referral\" (no article writes it as typed)"),
        "{err}"
    );
    let v = env.json(&["search", "referal", "--json"]);
    assert_eq!(
        v["also_read"],
        serde_json::json!([{"typed": "referal", "read_as": ["referral"]}]),
        "{v}"
    );
    assert!(v["relaxed"].is_null(), "{v}");
    // A word an article writes is read as written.
    let v = env.json(&["search", "refer", "--json"]);
    assert_eq!(v["also_read"], serde_json::json!([]), "{v}");
    assert!(!env.both(&["search", "refer"]).1.contains("note:"));
}

/// A half-remembered query with one word wrong ("customers": the article meant says
/// "clients") matched only an article that happens to hold every word. When every match as
/// typed fits on the page, the articles missing a word fill the rest of it, under a heading on
/// stdout that says how they match, numbered on; the count says which are which; JSON keeps
/// them apart in `nearly` (null otherwise).
#[test]
fn the_page_left_by_a_few_matches_is_filled_with_near_matches_apart() {
    let env = Env::synced();
    let q = "first position customers technology";
    let (out, err) = env.both(&["search", q]);
    let heading = format!(
        "Nearly matching {q:?}: hits hold at least 3 of its 4 words (a rare word counting as several)\n"
    );
    let (strict, near) = out.split_once(&heading).expect(&out);
    assert!(
        strict.starts_with("1. Secret to managed services success"),
        "{out}"
    );
    assert!(
        near.starts_with("\n2. Gain first position with your managed services clients"),
        "{out}"
    );
    assert_eq!(err, "1 of 1 match\n2-3: 2 of 2 near matches\n");
    let v = env.json(&["search", q, "--json"]);
    assert_eq!(v["total"], 1);
    assert_eq!(titles(&v, "hits").len(), 1);
    assert_eq!(v["nearly"]["total"], 2);
    assert_eq!(v["nearly"]["how"]["at_least"], 3);
    assert_eq!(v["nearly"]["how"]["words"], 4);
    assert_eq!(
        titles(&v["nearly"], "hits")[0],
        "Gain first position with your managed services clients"
    );
    // Every match on the page, or a page of them: nothing near.
    for args in [
        &["search", "first position", "--json"][..],
        &["search", q, "--limit", "1", "--json"],
        &["search", q, "--offset", "1", "--json"],
    ] {
        assert!(env.json(args)["nearly"].is_null(), "{args:?}");
    }
}

#[test]
fn filters_category_author_and_inclusive_dates() {
    let env = Env::synced();
    let all = env.json(&["search", "managed", "--json", "--limit", "50"])["total"]
        .as_u64()
        .unwrap();
    let v = env.json(&[
        "search",
        "managed",
        "--category",
        "msp",
        "--json",
        "--limit",
        "50",
    ]);
    assert!(v["total"].as_u64().unwrap() > 0);
    for h in v["hits"].as_array().unwrap() {
        let cats: Vec<String> = h["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_lowercase())
            .collect();
        assert!(cats.contains(&"msp".to_string()));
    }
    let by_mike = env.json(&[
        "search", "managed", "--author", "MIKE", "--json", "--limit", "50",
    ]);
    assert_eq!(
        by_mike["total"].as_u64().unwrap(),
        all,
        "every seed article is by Mike"
    );
    let none = env.json(&["search", "managed", "--author", "nobody", "--json"]);
    assert_eq!(none["total"], 0);
    // "Gain first position" was published 2010-03-07T05:48:37Z: a bare date covers the whole day.
    let day = env.json(&[
        "search",
        "first position",
        "--since",
        "2010-03-07",
        "--until",
        "2010-03-07",
        "--json",
    ]);
    assert_eq!(
        titles(&day, "hits"),
        vec!["Gain first position with your managed services clients"]
    );
    // A time back from now: the seed's articles are from 2010, so always over a day ago and
    // always within a century.
    let total = |args: &[&str]| {
        let mut a = vec!["search", "managed", "--json"];
        a.extend(args);
        env.json(&a)["total"].as_u64().unwrap()
    };
    assert_eq!(total(&["--since", "1d"]), 0);
    assert_eq!(total(&["--since", "today"]), 0);
    assert_eq!(total(&["--since", "100y"]), all);
    assert_eq!(total(&["--until", "1 day ago"]), all);
    assert_eq!(total(&["--since", "1200mo", "--until", "yesterday"]), all);
    let (_, err) = env.both(&["search", "managed", "--since", "2w"]);
    assert!(
        err.contains("with --since 20") && err.contains("Z: "),
        "the note names the instant: {err}"
    );
    // A bad date is a usage error, like any bad option value (bad_dates_are_usage_errors).
    let bad = env.kb(&["search", "x", "--since", "last tuesday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn sync_is_idempotent_and_commits_nothing_the_second_time() {
    let env = Env::synced();
    let idx = env.path().join("index");
    let snapshot = |dir: &Path| {
        let mut files: Vec<(String, u64)> = walk(dir)
            .into_iter()
            .filter(|p| !p.ends_with("lock") && !p.ends_with("feeds.json"))
            .map(|p| {
                (
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::metadata(&p).unwrap().len(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&idx);
    let v = env.json(&["sync", "--offline", "--json"]);
    assert_eq!(
        (
            v["new"].as_u64(),
            v["updated"].as_u64(),
            v["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(10))
    );
    assert_eq!(v["committed"], false);
    assert_eq!(
        before,
        snapshot(&idx),
        "a no-op sync must not write index or archive files"
    );
}

/// An unchanged sync from files parsed every document again (100 000 articles: 19.6 s, all
/// of it parsing). A file holding the document whose articles the last sync committed, read
/// with the same rules, is not parsed again, and reports what it did; new bytes or new rules
/// are read again, and what they change is stored.
#[test]
fn an_unchanged_file_is_not_parsed_again_until_its_bytes_or_the_rules_change() {
    let env = Env::new();
    let feed = |extra: &str| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://e.com/</link>\
            <item><title>Post</title><link>http://e.com/a</link>\
            <description><![CDATA[<p>Keep this.</p><div class=\"newsletter\"><p>Subscribe now!</p></div>]]></description>\
            </item><item/>{extra}</channel></rss>"
        )
    };
    std::fs::write(env.path().join("f.xml"), feed("")).unwrap();
    let cfg = "[[feed]]\nname = \"f\"\nurl = \"http://127.0.0.1:9/f\"\nfixture = \"f.xml\"\n";
    std::fs::write(env.path().join("kb.toml"), cfg).unwrap();
    let sync = |args: &[&str]| {
        let mut all = vec!["sync", "--offline", "-v"];
        all.extend_from_slice(args);
        env.both(&all)
    };
    let parsed = |err: &str| err.contains("f.xml: ") && err.contains(" bytes");
    let (out, err) = sync(&[]);
    assert!(parsed(&err), "{err}");
    assert!(
        out.starts_with("f: 1 new, 0 updated, 0 unchanged (1 warning"),
        "{out}"
    );

    let (out, err) = sync(&[]);
    assert!(
        err.contains("f.xml: unchanged since the last sync (1 article): not parsed again"),
        "{err}"
    );
    assert_eq!(
        out,
        "f: 0 new, 0 updated, 1 unchanged (1 warning: see `kb parse`)\n\
         0 new, 0 updated, 1 unchanged; 1 article in ./index\n"
    );
    let (json, _) = sync(&["--json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (&v["unchanged"], &v["committed"], &v["feeds"][0]["warnings"]),
        (&Value::from(1), &Value::from(false), &Value::from(1)),
        "{v}"
    );

    // A rule added to kb.toml reads the same bytes into another article.
    std::fs::write(
        env.path().join("kb.toml"),
        format!("{cfg}[[clean.rules]]\nname = \"newsletter\"\nselector = \"div.newsletter\"\nreason = \"signup box\"\n"),
    )
    .unwrap();
    assert!(env.ok(&["search", "subscribe", "-q"]).contains("Post"));
    let (out, err) = sync(&[]);
    assert!(parsed(&err), "{err}");
    assert!(out.starts_with("f: 0 new, 1 updated, 0 unchanged"), "{out}");
    assert_eq!(env.ok(&["search", "subscribe", "-q"]), "");
    let (_, err) = sync(&[]);
    assert!(err.contains("not parsed again"), "{err}");

    // New bytes are read.
    std::fs::write(
        env.path().join("f.xml"),
        feed("<item><title>Second</title><link>http://e.com/b</link></item>"),
    )
    .unwrap();
    let (out, err) = sync(&[]);
    assert!(parsed(&err), "{err}");
    assert!(out.starts_with("f: 1 new, 0 updated, 1 unchanged"), "{out}");
    let (out, err) = sync(&[]);
    assert!(err.contains("(2 articles): not parsed again"), "{err}");
    assert!(out.starts_with("f: 0 new, 0 updated, 2 unchanged"), "{out}");
    assert!(
        env.ok(&["doctor"]).contains("is healthy"),
        "the index and a replay of the archive agree"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

#[test]
fn changed_articles_update_in_place_and_vanished_ones_stay() {
    let env = Env::synced();
    let xml = std::fs::read_to_string(seed()).unwrap();
    // Keep the channel and only the first item, with its title changed.
    let first_end = xml.find("</item>").unwrap() + "</item>".len();
    let head_end = xml.find("<item>").unwrap();
    let item = xml[head_end..first_end].replace(
        "Referral programs for MSPs",
        "Referral programs for MSPs, revised",
    );
    let edited = format!("{}{}\n</channel>\n</rss>\n", &xml[..head_end], item);
    let path = env.path().join("edited.xml");
    std::fs::write(&path, edited).unwrap();
    let cfg = format!(
        "[[feed]]\nname = \"smbitpros\"\nurl = \"http://127.0.0.1:9/feed/\"\nfixture = \"{}\"\n",
        path.display()
    );
    std::fs::write(env.path().join("kb.toml"), cfg).unwrap();
    let v = env.json(&["sync", "--offline", "--json"]);
    assert_eq!(
        (v["new"].as_u64(), v["updated"].as_u64()),
        (Some(0), Some(1))
    );
    let list = env.json(&["list", "--json", "--limit", "100"]);
    assert_eq!(list["total"], 10, "articles that left the feed stay");
    let t = titles(&list, "articles");
    assert!(t.contains(&"Referral programs for MSPs, revised".to_string()));
    assert!(
        !t.contains(&"Referral programs for MSPs".to_string()),
        "updated in place, not duplicated"
    );
}

#[test]
fn reindex_rebuilds_identical_results_from_the_archive() {
    let env = Env::synced();
    let queries = [
        "first position",
        "referral",
        "managed services",
        "backup",
        "msp",
    ];
    let before: Vec<String> = queries
        .iter()
        .map(|q| env.ok(&["search", q, "--json", "--limit", "50"]))
        .collect();
    let list_before = env.ok(&["list", "--json", "--limit", "100"]);
    let cats_before = env.ok(&["categories", "--json"]);
    let out = env.ok(&["reindex"]);
    assert!(out.contains("reindexed 10 articles"), "{out}");
    let after: Vec<String> = queries
        .iter()
        .map(|q| env.ok(&["search", q, "--json", "--limit", "50"]))
        .collect();
    assert_eq!(before, after);
    assert_eq!(list_before, env.ok(&["list", "--json", "--limit", "100"]));
    assert_eq!(cats_before, env.ok(&["categories", "--json"]));
}

/// `kb reindex --json`: what was rebuilt, for scripts, also when documents are lost (then
/// the JSON still comes, and the exit code and the error line say it failed).
#[test]
fn reindex_reports_in_json() {
    let env = Env::synced();
    let v = env.json(&["reindex", "--json"]);
    assert_eq!(v["articles"], 10, "{v}");
    assert_eq!(v["documents"], 1, "{v}");
    assert_eq!(v["unrecovered"], serde_json::json!([]), "{v}");
    assert_eq!(v["kept_from_previous_index"], 0, "{v}");

    // Lose the one archived document: the old index keeps every article, and the JSON names
    // the loss.
    let objects = env.path().join("index/archive/objects");
    for dir in std::fs::read_dir(&objects).unwrap().flatten() {
        std::fs::remove_dir_all(dir.path()).unwrap();
    }
    let out = env.kb(&["reindex", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["articles"], 10, "{v}");
    assert_eq!(v["kept_from_previous_index"], 10, "{v}");
    assert_eq!(v["unrecovered"].as_array().map(Vec::len), Some(1), "{v}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.trim_end()
            .lines()
            .last()
            .unwrap_or("")
            .starts_with("kb: error: "),
        "{err}"
    );
}

#[test]
fn reindex_works_when_the_index_is_gone() {
    let env = Env::synced();
    let before = env.ok(&["search", "referral", "--json"]);
    for e in std::fs::read_dir(env.path().join("index"))
        .unwrap()
        .flatten()
    {
        if e.file_name().to_string_lossy().starts_with("tantivy-") {
            std::fs::remove_dir_all(e.path()).unwrap();
        }
    }
    let broken = env.kb(&["search", "referral"]);
    assert_one_line_error(&broken, 1, "kb reindex");
    // In words, not tantivy's `DoesNotExist("...")`.
    assert_one_line_error(&broken, 1, "index directory");
    assert!(
        !String::from_utf8_lossy(&broken.stderr).contains("DoesNotExist"),
        "{broken:?}"
    );
    env.ok(&["reindex"]);
    assert_eq!(before, env.ok(&["search", "referral", "--json"]));
}

/// A stored link with an upper-case host was found only when typed byte for byte, and a URL
/// two articles share showed one of them without a word.
#[test]
fn show_by_url_compares_parsed_urls_and_names_a_shared_one() {
    let env = Env::new();
    let feed = env.dir.path().join("urls.xml");
    std::fs::write(
        &feed,
        r#"<rss version="2.0"><channel><title>U</title><link>http://s.example/</link>
<item><title>First copy</title><guid>g1</guid><link>http://s.example/post</link><description>one</description></item>
<item><title>Second copy</title><guid>g2</guid><link>http://s.example/post</link><description>two</description></item>
<item><title>Shouting host</title><guid>g3</guid><link>HTTP://Blog.Example.COM/Post-A</link><description>three</description></item>
<item><title>Third copy</title><guid>g4</guid><link>HTTP://S.Example:80/post</link><description>four</description></item>
<item><title>Anchored</title><guid>g5</guid><link>http://s.example/page#part-2</link><description>five</description></item>
</channel></rss>"#,
    )
    .unwrap();
    env.ok(&["sync", "--from", feed.to_str().unwrap()]);
    for typed in [
        "HTTP://Blog.Example.COM/Post-A",
        "http://blog.example.com/Post-A",
        "http://BLOG.example.com:80/Post-A",
    ] {
        assert_eq!(
            env.json(&["show", typed, "--json"])["title"],
            "Shouting host",
            "{typed}"
        );
        assert_eq!(
            env.kb(&["related", typed]).status.code(),
            Some(0),
            "{typed}"
        );
    }
    // The path is the site's own: another case is another page.
    assert_one_line_error(
        &env.kb(&["show", "http://blog.example.com/post-a"]),
        1,
        "no article matches",
    );
    // Three articles share the address, one spelled otherwise: every spelling names all three
    // (an exact byte match named two, or showed one).
    for typed in [
        "http://s.example/post",
        "HTTP://S.Example:80/post",
        "http://S.EXAMPLE/post",
    ] {
        assert_one_line_error(&env.kb(&["show", typed]), 1, "is the address of 3 articles");
    }
    // A fragment copied from a browser is ignored when no article has it; one that an article
    // has picks that article.
    assert_eq!(
        env.json(&["show", "http://blog.example.com/Post-A#comments", "--json"])["title"],
        "Shouting host"
    );
    assert_eq!(
        env.json(&["show", "http://s.example/page#part-2", "--json"])["title"],
        "Anchored"
    );
}

/// `kb show` wanted the URL as stored, while `kb search` found the article from the same
/// paste: without its trailing slash, without its scheme, or with `?utm_*` tracking
/// parameters, `kb show` said "no article matches".
#[test]
fn show_finds_a_pasted_url_without_its_slash_scheme_or_tracking() {
    let env = Env::new();
    let feed = env.dir.path().join("pasted.xml");
    std::fs::write(
        &feed,
        r#"<rss version="2.0"><channel><title>P</title><link>https://s.example/</link>
<item><title>Kimchi</title><guid>g1</guid><link>https://s.example/kimchi/</link><description>one</description></item>
<item><title>Scrub two</title><guid>g2</guid><link>https://s.example/zfs?id=2</link><description>two</description></item>
<item><title>Scrub three</title><guid>g3</guid><link>https://s.example/zfs?id=3</link><description>three</description></item>
<item><title>Plain</title><guid>g4</guid><link>http://t.example/post</link><description>four</description></item>
<item><title>Secure</title><guid>g5</guid><link>https://t.example/post/</link><description>five</description></item>
<item><title>Cafe</title><guid>g6</guid><link>https://s.example/caf%C3%A9?id=7</link><description>six</description></item>
</channel></rss>"#,
    )
    .unwrap();
    env.ok(&["sync", "--from", feed.to_str().unwrap()]);
    for (typed, title) in [
        ("https://s.example/kimchi", "Kimchi"),
        ("s.example/kimchi/", "Kimchi"),
        ("S.Example/kimchi", "Kimchi"),
        ("www.s.example/kimchi/", "Kimchi"),
        (
            "http://s.example/kimchi/?utm_source=rss&utm_medium=feed",
            "Kimchi",
        ),
        ("https://s.example/kimchi?utm_campaign=x#comments", "Kimchi"),
        ("https://s.example/zfs?id=2&utm_source=x", "Scrub two"),
        ("s.example/zfs?utm_source=x&id=3", "Scrub three"),
        // Found by probing: percent escapes in lowercase (the same octets, RFC 3986
        // §6.2.2.1), and `;` between parameters.
        ("https://s.example/caf%c3%a9?id=7", "Cafe"),
        ("https://s.example/caf%C3%A9?id=7;utm_source=x", "Cafe"),
        // Exact still wins over loose: each of these two is one article's address.
        ("http://t.example/post", "Plain"),
        ("https://t.example/post/", "Secure"),
    ] {
        assert_eq!(
            env.json(&["show", typed, "--json"])["title"],
            title,
            "{typed}"
        );
        assert_eq!(
            env.kb(&["related", typed]).status.code(),
            Some(0),
            "{typed}"
        );
    }
    // Another path, or another value of a parameter that is not tracking, is another page.
    for typed in [
        "https://s.example/kimchi-2/",
        "https://s.example/Kimchi/",
        "https://s.example/zfs?id=4",
        "https://s.example/zfs",
        "s.example/zfs",
    ] {
        assert_one_line_error(&env.kb(&["show", typed]), 1, "no article matches");
    }
    // Two articles that only match loosely: named, neither picked.
    for typed in ["t.example/post", "https://t.example/post?utm_source=x"] {
        assert_one_line_error(&env.kb(&["show", typed]), 1, "2 articles");
    }
    // An id prefix is still an id prefix.
    let id = env.json(&["search", "kimchi", "--json"])["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(env.json(&["show", &id[..8], "--json"])["title"], "Kimchi");
}

/// `kb search pricing --author whitfeld` said `no matches for "pricing"`, though articles say
/// "pricing": it was the author that matched nobody.
#[test]
fn a_name_filter_that_names_nobody_says_so_with_the_closest_names() {
    let env = Env::synced();
    // The seed's author is "Mike"; its categories include "Managed Services Profits".
    let (out, err) = env.both(&["search", "referral", "--author", "mkie"]);
    assert_eq!(out, "");
    assert_eq!(err, "no author matches \"mkie\" (closest: Mike)\n");
    let (_, err) = env.both(&["search", "referral", "--category", "managed services prfts"]);
    assert_eq!(
        err,
        "no category matches \"managed services prfts\" (closest: Managed Services Profits)\n"
    );
    // A typo of a long enough name finds it.
    let v = env.json(&[
        "search",
        "referral",
        "--category",
        "managed services prfts",
        "--json",
    ]);
    assert_eq!(v["total"], 0);
    let v = env.json(&[
        "search",
        "profits",
        "--category",
        "managed services profitss",
        "--json",
    ]);
    assert!(v["total"].as_u64() > Some(0), "{v}");
    // Nothing close: where to look.
    let (_, err) = env.both(&["list", "--author", "zzzzzz"]);
    assert_eq!(err, "no author matches \"zzzzzz\" (see `kb authors`)\n");
    // A name that exists: the query is what found nothing.
    let (_, err) = env.both(&["search", "xylophone", "--author", "mike"]);
    assert_eq!(err, "no matches for \"xylophone\"\n");
}

#[test]
fn show_by_id_prefix_and_url_and_errors() {
    let env = Env::synced();
    let hit = &env.json(&["search", "first position", "--json"])["hits"][0];
    let id = hit["id"].as_str().unwrap();
    let a = env.json(&["show", &id[..6], "--json"]);
    assert_eq!(a["id"], id);
    for key in [
        "id",
        "feed",
        "guid",
        "title",
        "url",
        "author",
        "categories",
        "published",
        "updated",
        "comments",
        "comments_url",
        "summary",
        "text",
        "links",
    ] {
        assert!(a.get(key).is_some(), "show lacks {key}");
    }
    assert_eq!(a["feed"], "smbitpros");
    let by_url = env.json(&["show", hit["url"].as_str().unwrap(), "--json"]);
    assert_eq!(by_url["id"], id);
    let text = env.ok(&["show", id]);
    assert!(
        text.starts_with("Gain first position with your managed services clients\n"),
        "{text}"
    );
    assert_one_line_error(&env.kb(&["show", "ffffffffffff"]), 1, "no article matches");
    assert_one_line_error(&env.kb(&["show", "zz-not-an-id"]), 1, "no article matches");
}

#[test]
fn list_is_newest_first_and_filters() {
    let env = Env::synced();
    let v = env.json(&["list", "--json", "--limit", "100"]);
    assert_eq!(v["total"], 10);
    let dates: Vec<&str> = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["published"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert!(
        v["articles"][0].get("text").is_none(),
        "list carries no text"
    );
    assert_eq!(v["articles"][0]["title"], "Referral programs for MSPs");
    let limited = env.json(&["list", "--json", "--limit", "3"]);
    assert_eq!(limited["articles"].as_array().unwrap().len(), 3);
    assert_eq!(limited["total"], 10);
    let none = env.json(&["list", "--json", "--category", "no such category"]);
    assert_eq!(none["total"], 0);
    // `--limit 0` shows none of ten; it said so, then "no articles past 0: there are 10".
    assert_eq!(
        env.both(&["list", "--limit", "0"]),
        (
            String::new(),
            "… 0 of 10 shown (use --limit/--offset for more)\n".to_string()
        )
    );
    assert_eq!(
        env.both(&["list", "--offset", "10"]),
        (
            String::new(),
            "no articles past 10: there are 10\n".to_string()
        )
    );
}

#[test]
fn categories_and_authors_with_counts() {
    let env = Env::synced();
    let a = env.json(&["authors", "--json"]);
    assert_eq!(
        a,
        serde_json::json!({"authors": [{"name": "Mike", "count": 10}]})
    );
    let c = env.json(&["categories", "--json"]);
    let msp = c["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "MSP")
        .unwrap();
    assert!(msp["count"].as_u64().unwrap() >= 5);
}

#[test]
fn parse_json_matches_golden() {
    let env = Env::new();
    let out = env.ok(&["parse", seed().to_str().unwrap(), "--json"]);
    let golden = root().join("fixtures/golden/smbitpros.parse.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &out).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(
        out,
        want,
        "kb parse output differs from {}; rerun with UPDATE_GOLDEN=1 and review the diff",
        golden.display()
    );
    assert!(!env.path().join("index").exists(), "parse stores nothing");
}

#[test]
fn no_widget_or_markup_residue_in_any_article() {
    let env = Env::synced();
    let v = env.json(&["list", "--json", "--limit", "100"]);
    for a in v["articles"].as_array().unwrap() {
        let full = env.json(&["show", a["id"].as_str().unwrap(), "--json"]);
        let text = format!("{} {} {}", full["title"], full["summary"], full["text"]).to_lowercase();
        for bad in [
            "sexy",
            "del.icio.us",
            "digg",
            "post to twitter",
            "bit.ly",
            "<",
            "&#",
        ] {
            assert!(!text.contains(bad), "{bad:?} in article {}", a["title"]);
        }
    }
}

#[test]
fn file_and_http_give_the_same_articles() {
    let env = Env::new();
    let body = std::fs::read(seed()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&body).unwrap();
    });
    let url = format!("http://127.0.0.1:{port}/feed/");
    let from_http = env.json(&["parse", &url, "--json"]);
    server.join().unwrap();
    let from_file = env.json(&["parse", seed().to_str().unwrap(), "--json"]);
    assert_eq!(from_http["items"], from_file["items"]);
}

#[test]
fn bad_input_gets_one_clear_line() {
    let env = Env::new();
    assert_one_line_error(&env.kb(&["search", "x"]), 1, "kb sync");
    assert_one_line_error(
        &env.kb(&["parse", "no-such-file.xml", "--json"]),
        1,
        "no-such-file.xml",
    );
    std::fs::write(env.path().join("junk.xml"), "this is not a feed at all").unwrap();
    assert_one_line_error(&env.kb(&["parse", "junk.xml", "--json"]), 1, "junk.xml");
    assert_one_line_error(&env.kb(&["sync", "--from", "junk.xml"]), 1, "junk.xml");
    let usage = env.kb(&["search"]);
    assert_eq!(usage.status.code(), Some(2));
    let usage = env.kb(&["frobnicate"]);
    assert_eq!(usage.status.code(), Some(2));
    std::fs::write(env.path().join("kb.toml"), "[[feed]]\nname = 3\n").unwrap();
    assert_one_line_error(&env.kb(&["sync", "--offline"]), 1, "kb.toml");
}

#[test]
fn unreachable_url_fails_cleanly() {
    let env = Env::new();
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    let mut out = env.kb(&["parse", "http://127.0.0.1:9/feed/", "--json"]);
    // Its retries take seconds, and kb says what it waits for meanwhile: a note, not an error.
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let notes: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("kb: waiting for http://127.0.0.1:9/feed/"))
        .collect();
    assert!(notes.len() <= 1, "{err}");
    out.stderr = err
        .lines()
        .filter(|l| !notes.contains(l))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes();
    assert_one_line_error(&out, 1, "127.0.0.1:9");
}

/// An older format (an index analysed by an older kb) points to `kb reindex`; a newer one says
/// a newer kb wrote it (the advice was `kb reindex`, which would take it back to the old
/// format). `kb reindex` run all the same rebuilds either in this kb's format.
#[test]
fn a_kb_of_another_format_says_the_way_out() {
    let current = u64::from(kb_store::SCHEMA_VERSION);
    for format in [current - 1, 999] {
        let env = Env::synced();
        let meta = env.path().join("index/kb.json");
        let text = std::fs::read_to_string(&meta).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let mut v2 = v.clone();
        v2["format"] = Value::from(format);
        std::fs::write(&meta, serde_json::to_string(&v2).unwrap()).unwrap();
        let want = if format > current {
            format!(
                "has format version {format}, written by a newer kb; this kb reads version {current}: use that newer kb"
            )
        } else {
            format!(
                "has format version {format}, this kb reads version {current}: run `kb reindex`"
            )
        };
        assert_one_line_error(&env.kb(&["search", "x"]), 1, &want);
        // reindex rebuilds from the archive and brings the KB back to this kb's format.
        env.ok(&["reindex"]);
        assert_eq!(env.json(&["list", "--json"])["total"], 10);
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
        assert_eq!(v["format"], current, "format {format}");
    }
}

/// A KB of an older format (written by an older kb) is upgraded by the next sync, so a sync
/// from cron keeps archiving across an upgrade; reading commands point to `kb reindex`, and a
/// newer format (a downgrade) is refused by sync too.
#[test]
fn a_sync_upgrades_a_kb_of_an_older_format_and_refuses_a_newer_one() {
    let env = Env::synced();
    let meta = env.path().join("index/kb.json");
    let set_format = |n: u64| {
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
        v["format"] = Value::from(n);
        std::fs::write(&meta, serde_json::to_string(&v).unwrap()).unwrap();
    };
    set_format(u64::from(kb_store::SCHEMA_VERSION) - 1);
    assert_one_line_error(&env.kb(&["search", "x"]), 1, "kb reindex");
    let out = env.kb(&["sync", "--offline", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // stdout is the sync's own JSON report and nothing else; the upgrade is a note on stderr.
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert!(report.is_object());
    assert!(String::from_utf8_lossy(&out.stderr).contains("rebuilding the index from the archive"));
    assert_eq!(env.json(&["list", "--json"])["total"], 10);
    set_format(u64::from(kb_store::SCHEMA_VERSION) + 1);
    assert_one_line_error(&env.kb(&["sync", "--offline"]), 1, "written by a newer kb");
}

#[test]
fn a_kb_held_by_another_sync_is_refused_with_the_holder() {
    let env = Env::synced();
    let idx = env.path().join("index");
    // Held by this test process, which is no kb: the message names its pid and says so.
    let _lock = kb_store::WriteLock::acquire(&idx, std::time::Duration::ZERO).unwrap();
    let out = env.kb(&["sync", "--offline", "--wait", "0"]);
    assert_one_line_error(
        &out,
        1,
        &format!(
            "locked by another process (another program holds it; its note names pid {}",
            std::process::id()
        ),
    );
    assert_one_line_error(&out, 1, "(`--wait SECS` waits longer)");
    // After a wait, the message says it waited.
    let out = env.kb(&["sync", "--offline", "--wait", "1"]);
    assert_one_line_error(&out, 1, "still after waiting 1 s");
    // Readers are never blocked by a writer.
    env.ok(&["search", "referral"]);
}

#[test]
fn escape_sequences_from_a_feed_never_reach_the_terminal() {
    let env = Env::new();
    let feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://e.com/</link>\
        <item><title>Evil \u{1b}[2J\u{1b}]0;pwned\u{7} title</title><link>http://e.com/a</link>\
        <description>body \u{1b}[31mred\u{1b}[0m text</description></item></channel></rss>";
    std::fs::write(env.path().join("evil.xml"), feed).unwrap();
    env.ok(&["sync", "--from", "evil.xml"]);
    for args in [
        vec!["search", "title"],
        vec!["list"],
        vec!["show", "http://e.com/a"],
    ] {
        let out = env.ok(&args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{args:?}: {out:?}"
        );
    }
}

/// `--author` and `--category` ignore accents as `author:` and `category:` do: a user types
/// "anna muller" for Anna Müller (found by probing: the filters were exact).
#[test]
fn author_and_category_filters_ignore_accents_and_case() {
    let env = Env::new();
    let feed = "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>t</title><link>http://e.com/</link>\
        <item><title>Mulch</title><link>http://e.com/a</link><dc:creator>Anna M\u{fc}ller</dc:creator><category>Caf\u{e9} Culture</category><description>Mulch keeps weeds down.</description></item>\
        <item><title>Compost</title><link>http://e.com/b</link><dc:creator>Anna Muller</dc:creator><category>Garden</category><description>Compost feeds the soil.</description></item>\
        </channel></rss>";
    std::fs::write(env.path().join("accents.xml"), feed).unwrap();
    env.ok(&["sync", "--from", "accents.xml"]);
    for author in ["ANNA MULLER", "anna müller"] {
        let hits = env.json(&["search", "mulch OR compost", "--author", author, "--json"]);
        let mut found = titles(&hits, "hits");
        found.sort();
        assert_eq!(found, ["Compost", "Mulch"], "{author}: {hits}");
    }
    let hits = env.json(&[
        "search",
        "mulch OR compost",
        "--category",
        "cafe culture",
        "--json",
    ]);
    assert_eq!(titles(&hits, "hits"), ["Mulch"], "{hits}");
    let listed = env.json(&["list", "--category", "CAFE CULTURE", "--json"]);
    assert_eq!(titles(&listed, "articles"), ["Mulch"], "{listed}");
}

/// Found by probing: `kb list --feed nosuch` printed "no articles" and `kb search x --feed
/// nosuch` "no matches", both with exit 0, so a typo in a feed's name read as an empty feed.
#[test]
fn a_feed_name_no_feed_has_is_an_error_naming_the_known_ones() {
    let env = Env::synced();
    for args in [
        &["list", "--feed", "nosuch"][..],
        &["list", "--feed", "nosuch", "--json"],
        &["search", "managed", "--feed", "nosuch"],
        &["search", "", "--feed", "nosuch", "--json"],
        // One name of several wrong is still a typo to point out.
        &[
            "list",
            "--feed",
            "smbitpros",
            "--feed",
            "nosuch",
            "--category",
            "none such",
        ],
    ] {
        let out = env.kb(args);
        assert_one_line_error(&out, 1, "no feed \"nosuch\"");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("smbitpros") && err.contains("kb feed list"),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // A name in any case, or a word of one, is a feed's (as the search itself reads it); a
    // filter that leaves nothing of a feed that exists is an empty answer, not an error.
    assert_eq!(env.ok(&["list", "--feed", "SMBITPROS"]).lines().count(), 10);
    env.ok(&["list", "--feed", "smbitpros", "--category", "none such"]);
    // A feed of kb.toml not synced yet has no articles yet: no error either.
    let mut config = std::fs::read_to_string(env.path().join("kb.toml")).unwrap();
    for i in 0..6 {
        config.push_str(&format!(
            "[[feed]]\nname = \"later{i}\"\nurl = \"http://127.0.0.1:9/{i}\"\n"
        ));
    }
    std::fs::write(env.path().join("kb.toml"), &config).unwrap();
    assert_eq!(env.both(&["list", "--feed", "later0"]).0, "");
    assert_eq!(env.both(&["search", "managed", "--feed", "Later1"]).0, "");
    // Many feeds: a few are named, then "…".
    let out = env.kb(&["search", "managed", "--feed", "nosuch"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("smbitpros, later0") && err.contains(", …"),
        "{err}"
    );
    // Found by the search probe: `--feed pixel` for the feed "pixelarchive", the last of many,
    // listed the first five known feeds and not the one meant. The closest come first: the
    // ones it begins, then a letter or two off.
    config.push_str("[[feed]]\nname = \"pixelarchive\"\nurl = \"http://127.0.0.1:9/p\"\n");
    std::fs::write(env.path().join("kb.toml"), &config).unwrap();
    for (typed, closest) in [
        ("pixel", "pixelarchive"),
        ("PixelArchiv", "pixelarchive"),
        ("archive", "pixelarchive"),
        ("smbtpros", "smbitpros"),
        ("later", "later0, later1, later2"),
    ] {
        let out = env.kb(&["search", "managed", "--feed", typed]);
        assert_one_line_error(
            &out,
            1,
            &format!(
                "no feed {typed:?} in the knowledge base or kb.toml (closest: {closest}): see `kb feed list`"
            ),
        );
    }
}

/// `kb sync --from` names a feed after its host (`smbitpros.com`), and README's own example
/// `feed:smbitpros` then found nothing: a word of a feed's name finds it, as `--feed` too.
#[test]
fn a_feed_synced_from_a_file_is_found_by_a_word_of_its_name() {
    let env = Env::new();
    // No feed in the config: the feed is named after the host.
    std::fs::write(env.path().join("kb.toml"), "").unwrap();
    env.ok(&["sync", "--from", seed().to_str().unwrap()]);
    let feeds = env.json(&["search", "managed", "--facets", "--json"]);
    assert_eq!(
        feeds["facets"]["feeds"][0]["name"], "smbitpros.com",
        "{feeds}"
    );
    for args in [
        &["search", "feed:smbitpros", "--json"][..],
        &["search", "managed", "--feed", "smbitpros", "--json"],
        &["search", "managed", "--feed", "SMBITPROS.COM", "--json"],
        &["list", "--feed", "smbitpros", "--json"],
    ] {
        assert_eq!(env.json(args)["total"], 10, "{args:?}");
    }
    // Part of a word is no word of the name: no feed, said so, with the feed it begins.
    assert_one_line_error(
        &env.kb(&["search", "managed", "--feed", "smbit", "--json"]),
        1,
        "no feed \"smbit\" in the knowledge base or kb.toml (closest: smbitpros.com)",
    );
}

#[test]
fn index_and_config_flags_and_env() {
    let env = Env::new();
    let other = env.path().join("elsewhere");
    env.ok(&["--index", other.to_str().unwrap(), "sync", "--offline"]);
    assert!(other.join("kb.json").exists());
    let out = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["list", "--json"])
        .current_dir(env.path())
        .env("KB_INDEX", &other)
        .output()
        .unwrap();
    assert!(out.status.success());
    // Default index: `index` next to the config file, wherever the command runs from.
    let cfg = env.path().join("kb.toml");
    let sub = env.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["--config", cfg.to_str().unwrap(), "sync", "--offline"])
        .current_dir(&sub)
        .env_remove("KB_INDEX")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(env.path().join("index/kb.json").exists());
}

#[test]
fn a_user_noise_rule_in_the_config_applies_without_a_rebuild() {
    let env = Env::new();
    let feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://e.com/</link>\
        <item><title>Post</title><link>http://e.com/a</link>\
        <description><![CDATA[<p>Keep this.</p><div class=\"newsletter\"><p>Subscribe now!</p></div>]]></description>\
        </item></channel></rss>";
    std::fs::write(env.path().join("f.xml"), feed).unwrap();
    let before = env.json(&["parse", "f.xml", "--json"]);
    assert!(
        before["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Subscribe now!")
    );
    let cfg = std::fs::read_to_string(env.path().join("kb.toml")).unwrap();
    let with_rule = format!(
        "{cfg}\n[[clean.rules]]\nname = \"newsletter\"\nselector = \"div.newsletter\"\nreason = \"signup box\"\n"
    );
    std::fs::write(env.path().join("kb.toml"), &with_rule).unwrap();
    let after = env.json(&["parse", "f.xml", "--json"]);
    assert_eq!(after["items"][0]["text"], "Keep this.");
    let broken = with_rule.replace("div.newsletter", "div[[[");
    std::fs::write(env.path().join("kb.toml"), broken).unwrap();
    assert_one_line_error(&env.kb(&["parse", "f.xml", "--json"]), 1, "newsletter");
}

#[test]
fn an_html_body_over_the_size_cap_is_cut_between_words_with_a_warning() {
    let env = Env::new();
    let body = "<p>first second third fourth</p>".repeat(100);
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://e.com/</link>\
         <item><title>Post</title><link>http://e.com/a</link>\
         <description><![CDATA[{body}]]></description></item></channel></rss>"
    );
    std::fs::write(env.path().join("f.xml"), feed).unwrap();
    let whole = env.json(&["parse", "f.xml", "--json"]);
    assert_eq!(
        whole["items"][0]["text"].as_str().unwrap().lines().count(),
        100
    );
    assert_eq!(whole["warnings"], serde_json::json!([]));
    let cfg = std::fs::read_to_string(env.path().join("kb.toml")).unwrap();
    std::fs::write(
        env.path().join("kb.toml"),
        format!("{cfg}\n[clean]\nmax_input_bytes = 1000\n"),
    )
    .unwrap();
    let cut = env.json(&["parse", "f.xml", "--json"]);
    let text = cut["items"][0]["text"].as_str().unwrap();
    assert!(text.len() < 1000 && text.lines().count() > 20, "{text}");
    let last = text.lines().last().unwrap();
    assert!("first second third fourth".starts_with(last), "{last}");
    let warnings = cut["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = warnings[0].as_str().unwrap();
    assert!(
        warning.starts_with("item 1 summary: HTML of 3200 bytes is over the 1000-byte cap"),
        "{warning}"
    );
    std::fs::write(
        env.path().join("kb.toml"),
        format!("{cfg}\n[clean]\nmax_input_bytes = 0\n"),
    )
    .unwrap();
    assert_one_line_error(&env.kb(&["parse", "f.xml", "--json"]), 1, "max_input_bytes");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::Stdio;
    let env = Env::new();
    // Far more output than a pipe buffer holds, so kb is still writing when the reader leaves.
    let mut xml =
        String::from("<rss version=\"2.0\"><channel><title>big</title><link>http://e.com/</link>");
    for i in 0..400 {
        xml.push_str(&format!(
            "<item><title>Item {i}</title><link>http://e.com/{i}</link><description>{}</description></item>",
            "lorem ipsum dolor sit amet ".repeat(40)
        ));
    }
    xml.push_str("</channel></rss>");
    std::fs::write(env.path().join("big.xml"), xml).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["parse", "big.xml", "--json"])
        .current_dir(env.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then hang up, like `kb parse … | head -1`.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The largest numbers the options take are answers, not crashes: `--limit 4294967296` aborted
/// on a 206 GB allocation, `--limit`/`--offset 18446744073709551615` died of a capacity overflow,
/// and `--wait 18446744073709551615` of an overflow adding it to the clock (each reported as
/// "internal error ... the knowledge base may be damaged").
#[test]
fn the_largest_numbers_the_options_take_are_answers_not_crashes() {
    let env = Env::synced();
    let max = u64::MAX.to_string();
    let id = env.json(&["search", "managed", "--json"])["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for args in [
        &["search", "managed", "--limit", "4294967296", "--json"][..],
        &["search", "managed", "--limit", &max, "--json"],
        &[
            "search", "managed", "--limit", &max, "--sort", "date", "--json",
        ],
        &["search", "managed", "--offset", &max, "--json"],
        &["list", "--limit", &max, "--offset", "2", "--json"],
        &["related", &id, "--limit", &max, "--json"],
    ] {
        let v = env.json(args);
        let n = v["hits"]
            .as_array()
            .or(v["articles"].as_array())
            .map(Vec::len);
        assert!(n.is_some_and(|n| n <= 10), "kb {args:?}: {v}");
    }
    env.ok(&["sync", "--offline", "--quiet", "--wait", &max]);
    env.ok(&["reindex", "--wait", &max]);
}

/// feeds.json only caches validators and feed status: a damaged one must not stop a sync from
/// cron archiving (articles that leave the feeds meanwhile would be lost). It is set aside, as
/// `kb reindex` does, with one warning, and the sync goes on.
#[test]
fn a_damaged_feeds_json_is_set_aside_and_the_sync_goes_on() {
    let env = Env::synced();
    let state = env.path().join("index/feeds.json");
    let mut bytes = std::fs::read(&state).unwrap();
    bytes[0] ^= 0x55;
    bytes[1] = 0xff;
    std::fs::write(&state, &bytes).unwrap();
    let out = env.kb(&["sync", "--offline"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.lines().count(), 1, "one warning: {err}");
    assert!(
        err.starts_with("kb: warning: ") && err.contains("set aside"),
        "{err}"
    );
    assert!(env.path().join("index/feeds.json.damaged").exists());
    // A fresh feeds.json was written by the sync.
    assert!(env.json(&["feed", "list", "--json"])["feeds"][0]["last_fetched"].is_string());
    let again = env.kb(&["sync", "--offline"]);
    assert!(again.status.success() && again.stderr.is_empty());
}

/// `--index` naming a file got circular advice (run kb doctor / run kb sync / File exists).
#[test]
fn an_index_that_is_a_file_gets_one_clear_message_from_every_command() {
    let env = Env::synced();
    let file = env.path().join("afile");
    std::fs::write(&file, "x").unwrap();
    let f = file.to_str().unwrap();
    for args in [
        &["--index", f, "search", "alpha"][..],
        &["--index", f, "doctor"],
        &["--index", f, "sync", "--offline"],
        &["--index", f, "list"],
        &["--index", f, "show", "4e69"],
        &["--index", f, "reindex"],
        &["--index", f, "feed", "list"],
    ] {
        assert_one_line_error(
            &env.kb(args),
            1,
            &format!(
                "--index {f} is a file, not a directory: give a directory (or remove the file)"
            ),
        );
    }
}

/// Found by probing: `kb help --help` was an error ("unrecognized subcommand '--help'", exit 2).
#[test]
fn help_has_help_too() {
    let env = Env::new();
    for flag in ["--help", "-h"] {
        let out = env.ok(&["help", flag]);
        assert!(out.contains("Usage: kb help [COMMAND]"), "{out}");
    }
}

/// Found by the durability probe: a KB directory that is a symbolic link to a disk not
/// mounted got "cannot create the knowledge base directory ./index: File exists (os error
/// 17)" from `kb sync`, and "no knowledge base at ./index yet: run `kb sync` first" from the
/// reading commands. Every command now names the link, its missing target and the way out,
/// and nothing is created anywhere.
#[cfg(unix)]
#[test]
fn a_kb_path_that_is_a_dangling_symlink_names_its_missing_target() {
    let env = Env::new();
    let target = env.path().join("usb-not-mounted").join("kb");
    std::os::unix::fs::symlink(&target, env.path().join("index")).unwrap();
    let want = format!(
        "the knowledge base directory ./index is a symbolic link to {}, which does not exist: mount the disk it is on, or fix the link",
        target.display()
    );
    for args in [
        &["sync", "--offline"][..],
        &["search", "alpha"],
        &["list"],
        &["doctor"],
        &["reindex"],
    ] {
        assert_one_line_error(&env.kb(args), 1, &want);
    }
    assert!(!env.path().join("usb-not-mounted").exists());
    // Through a chain of links, the one that is missing is named; with --index, the flag.
    std::os::unix::fs::symlink("index", env.path().join("again")).unwrap();
    assert_one_line_error(
        &env.kb(&["--index", "again", "list"]),
        1,
        &format!(
            "--index again is a symbolic link to {}, which does not exist",
            target.display()
        ),
    );
}

/// Examples laid out by hand stay on their own lines; every reading command shows some.
#[test]
fn help_examples_keep_their_lines() {
    let env = Env::new();
    for cmd in [
        "related",
        "doctor",
        "show",
        "list",
        "categories",
        "authors",
        "parse",
    ] {
        let help = env.ok(&[cmd, "--help"]);
        let lines: Vec<&str> = help.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.trim() == "Examples:")
            .unwrap_or_else(|| panic!("kb {cmd} --help has no examples: {help}"));
        let examples: Vec<&str> = lines[at + 1..]
            .iter()
            .take_while(|l| l.starts_with("  kb "))
            .copied()
            .collect();
        assert!(!examples.is_empty(), "kb {cmd} --help: {help}");
        for e in examples {
            assert_eq!(e.matches(" kb ").count(), 1, "one example a line: {e:?}");
        }
    }
}

/// Usage errors that clap finds were 3-5 lines starting `error:` (a usage block, a tip, "For
/// more information"), unlike every other error, so a cron wrapper grepping `kb: error:` missed
/// them, and `--limit -1` said "invalid digit found in string" (found by probing as a new
/// user). One line now, clap's words kept, with the help to read.
#[test]
fn usage_errors_are_one_line_naming_the_help_to_read() {
    let env = Env::new();
    for (args, needle) in [
        (
            &["search", "x", "--limit", "-1"][..],
            "expected a whole number",
        ),
        (&["bogus"], "see `kb --help`"),
        (&["search"], "not provided: <QUERY>; see `kb search --help`"),
        (
            &["search", "x", "--sort", "name"],
            "possible values: relevance, date",
        ),
        (&["sync", "--offline", "--backfill"], "see `kb sync --help`"),
        (&["feed", "rm"], "see `kb feed rm --help`"),
        (&["list", "--bogus"], "unexpected argument '--bogus'"),
        // An empty filter value names nobody, as `author:""` does not (it was exit 0, "no
        // author matches").
        (
            &["search", "x", "--author", ""],
            "an empty value names nothing",
        ),
        (&["list", "--category", " "], "an empty value names nothing"),
        // -q and -v contradict each other; both were taken, and which won was a guess
        // (probe). Wherever they stand.
        (
            &["-q", "-v", "sync", "--offline"],
            "'--quiet' cannot be used with '--verbose'; see",
        ),
        (
            &["search", "x", "-qv"],
            "'--quiet' cannot be used with '--verbose'",
        ),
        (
            &["sync", "-v", "--offline", "--quiet"],
            "cannot be used with",
        ),
    ] {
        assert_one_line_error(&env.kb(args), 2, needle);
    }
    // Help is no error: stdout, exit 0; a bare `kb` shows it on stderr.
    assert!(env.kb(&["search", "--help"]).status.success());
    let bare = env.kb(&[]);
    assert_eq!(bare.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bare.stderr).contains("Usage: kb"));
}

/// Found by probing as a new user: `kb show ""` (an unset variable) was "no article matches",
/// exit 1, not a usage error; `kb related` with nothing related said `no matches for "ID"`,
/// which reads as an unknown id; a missing feed file ended in "(os error 2)" with no way out;
/// `kb list` titles were never bold on a terminal, as README says titles are.
#[test]
fn small_messages_say_what_happened_and_the_way_out() {
    let env = Env::synced();
    for cmd in ["show", "related"] {
        assert_one_line_error(&env.kb(&[cmd, ""]), 2, "no article id given");
    }
    assert_one_line_error(
        &env.kb(&["parse", "no-such-file.xml"]),
        1,
        "no such file (check the path",
    );
    let out = env.kb(&["parse", "no-such-file.xml"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("os error"));
    let list = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["list", "-n", "1"])
        .current_dir(env.path())
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .env_remove("KB_INDEX")
        .env_remove("KB_CONFIG")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("\x1b[1m"),
        "{}",
        String::from_utf8_lossy(&list.stdout)
    );
}

/// A bad value of an option is a usage error (exit 2) whoever parses it.
#[test]
fn bad_dates_are_usage_errors() {
    let env = Env::synced();
    for args in [
        &["search", "x", "--since", "2010-13-01"][..],
        &["search", "x", "--until", "the day before"],
        &["search", "x", "--since", "7m"],
        &[
            "search",
            "x",
            "--since",
            "2010-03-10",
            "--until",
            "2010-03-01",
        ],
        &["list", "--limit", "abc"],
    ] {
        let out = env.kb(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "kb {args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // Dates that contradict each other: one line naming both, as a query error has (it was
    // clap's top-level usage block, without the `kb:` prefix).
    for json in [false, true] {
        let mut args = vec!["search", "backup", "--since", "2019", "--until", "2018"];
        if json {
            args.push("--json");
        }
        assert_one_line_error(
            &env.kb(&args),
            2,
            "--since (2019-01-01T00:00:00Z) is after --until (2018-12-31T23:59:59Z)",
        );
    }
    let err = String::from_utf8_lossy(&env.kb(&["search", "x", "--since", "2010-13-01"]).stderr)
        .to_string();
    assert!(
        err.contains("--since") && err.contains("YYYY-MM-DD"),
        "{err}"
    );
    // --until still covers the whole period it names.
    let v = env.json(&[
        "search", "managed", "--until", "2010-03", "--json", "-n", "100",
    ]);
    assert_eq!(v["total"], 10);
    let v = env.json(&[
        "search",
        "managed",
        "--since",
        "2010-03-17",
        "--until",
        "2010-03-17",
        "--json",
    ]);
    assert_eq!(v["total"], 1);
}

/// A query typed wrong is a usage error (exit 2) like a bad option value, with the same one
/// line as before: scripts tell "your query is wrong" from "the index is damaged" (exit 1).
#[test]
fn bad_queries_are_usage_errors() {
    let env = Env::synced();
    for (q, needle) in [
        (
            "published:[2015-02-30 TO 2016]",
            "bad query: bad date \"2015-02-30\" at column 12",
        ),
        (
            "\"first position",
            "bad query: unclosed quote starting at column 1",
        ),
        ("title:", "bad query: 'title:' at column 1 needs a value"),
        // An empty value names nothing, whatever the field.
        ("title:\"\"", "nothing to search for in \"title:\\\"\\\"\""),
        (
            "author:\"\"",
            "nothing to search for in \"author:\\\"\\\"\"",
        ),
        ("feed:\"\"", "nothing to search for in"),
        ("dns~3", "bad query: typo tolerance at column 4"),
        ("()", "bad query: empty parentheses at column 1"),
        ("OR", "bad query: misplaced OR at column 1"),
    ] {
        assert_one_line_error(&env.kb(&["search", q]), 2, needle);
        assert_one_line_error(&env.kb(&["search", q, "--json"]), 2, needle);
    }
    // A damaged or missing index is still a failure of kb, exit 1.
    assert_one_line_error(&Env::new().kb(&["search", "()"]), 1, "kb sync");
}

/// `kb search "$q"` with `$q` unset must not list every article as if it were a search: a blank
/// query is a usage error pointing to `kb list`, unless a filter makes it a search; a query of
/// symbols only holds no word to search for, and says so instead of "no matches".
#[test]
fn a_blank_query_needs_a_filter_and_symbols_alone_are_refused() {
    let env = Env::synced();
    for q in ["", "   "] {
        assert_one_line_error(&env.kb(&["search", q]), 2, "`kb list`");
        assert_one_line_error(
            &env.kb(&["search", q, "--json"]),
            2,
            "nothing to search for",
        );
    }
    let v = env.json(&["search", "", "--category", "msp", "--json", "-n", "100"]);
    assert_eq!(v["total"], 10);
    let v = env.json(&["search", "", "--since", "2010-03-17", "--json"]);
    assert_eq!(v["total"], 1);
    for args in [
        &["search", "!!!"][..],
        &["search", "& /", "--category", "msp"],
    ] {
        assert_one_line_error(&env.kb(args), 2, "holds no letter or digit");
    }
}

/// A sync that has nothing to sync creates nothing, and a missing config is named as such.
#[test]
fn nothing_to_sync_creates_nothing() {
    let env = Env::new();
    std::fs::write(env.path().join("empty.toml"), "").unwrap();
    let out = env.kb(&[
        "--config",
        "empty.toml",
        "--index",
        "e1",
        "sync",
        "--offline",
    ]);
    assert_one_line_error(&out, 1, "no feeds to sync");
    assert!(!env.path().join("e1").exists());
    let out = env.kb(&[
        "--config",
        "/nonexistent.toml",
        "--index",
        "e2",
        "sync",
        "--offline",
    ]);
    assert_one_line_error(&out, 1, "/nonexistent.toml does not exist");
    assert_one_line_error(&out, 1, "kb feed add URL");
    assert!(!env.path().join("e2").exists());
}

/// A full stdout names stdout, and is an error (not a closed pipe).
#[test]
fn a_full_stdout_says_it_was_stdout() {
    let env = Env::synced();
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["search", "managed"])
        .current_dir(env.path())
        .stdout(full.try_clone().unwrap())
        .output()
        .unwrap();
    assert_one_line_error(&out, 1, "cannot write to standard output: No space left");
    // Help too (clap prints it; kb exited 0).
    let out = Command::new(env!("CARGO_BIN_EXE_kb"))
        .arg("--help")
        .stdout(full)
        .output()
        .unwrap();
    assert_one_line_error(&out, 1, "cannot write to standard output: No space left");
}

/// "1 archived documents", "1 feeds failed": counts agree with their nouns.
#[test]
fn one_is_singular() {
    let env = Env::synced();
    let out = env.ok(&["reindex"]);
    assert!(out.contains("from 1 archived document into"), "{out}");
    let doctor = env.ok(&["doctor"]);
    assert!(!doctor.contains(" 1 documents"), "{doctor}");
    // One feed of two fails.
    let cfg = std::fs::read_to_string(env.path().join("kb.toml")).unwrap();
    std::fs::write(
        env.path().join("kb.toml"),
        format!("{cfg}[[feed]]\nname = \"gone\"\nurl = \"http://127.0.0.1:9/x\"\nfixture = \"missing.xml\"\n"),
    )
    .unwrap();
    let out = env.kb(&["sync", "--offline"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(", 1 feed failed;"), "{stdout}");
    // A KB of one article, and a feed of one, in the sync summary and the feed list.
    let one = Env::new();
    let feed = one.path().join("one.xml");
    std::fs::write(
        &feed,
        "<rss version=\"2.0\"><channel><title>P</title><item><title>One</title><guid>1</guid>\
         <description>x</description></item></channel></rss>",
    )
    .unwrap();
    std::fs::write(
        one.path().join("kb.toml"),
        "[[feed]]\nname = \"p\"\nurl = \"http://127.0.0.1:9/x\"\nfixture = \"one.xml\"\n",
    )
    .unwrap();
    let out = one.ok(&["sync", "--offline"]);
    assert!(out.contains("; 1 article in "), "{out}");
    let list = one.ok(&["feed", "list"]);
    assert!(list.contains(" 1 article "), "{list}");
    // Found by probing: doctor said "1 objects verified".
    let doctor = one.ok(&["doctor"]);
    for said in [
        "opens; 1 article;",
        ": 1 object verified",
        "state of 1 feed\n",
        ": 1 article, same ids",
    ] {
        assert!(doctor.contains(said), "{said}: {doctor}");
    }
    std::fs::create_dir(one.path().join("index/tantivy-99")).unwrap();
    let out = one.kb(&["doctor"]);
    let doctor = String::from_utf8_lossy(&out.stdout);
    assert!(doctor.contains(": 1 file or directory left by"), "{doctor}");
}

/// Found by probing: `kb list` printed `undated` (7 characters) in the 10-character date
/// column, so that row's title stood 3 columns left of the others.
#[test]
fn an_undated_article_keeps_the_list_columns() {
    let env = Env::synced();
    std::fs::write(
        env.path().join("undated.xml"),
        "<rss version=\"2.0\"><channel><title>P</title><item><title>No date</title><guid>1</guid>\
         <description>x</description></item></channel></rss>",
    )
    .unwrap();
    env.ok(&["sync", "--from", "undated.xml", "-q"]);
    let list = env.ok(&["list"]);
    let undated = list.lines().find(|l| l.contains("No date")).unwrap();
    assert_eq!(&undated[8..], "  undated     No date", "{list}");
    // id, two spaces, the date column of 10, two spaces, the title: on every row.
    assert_eq!(list.lines().count(), 11, "{list}");
    for l in list.lines() {
        let c: Vec<char> = l.chars().collect();
        assert!(
            c[8..10] == [' ', ' '] && c[20..22] == [' ', ' '] && c[22] != ' ',
            "{l:?}"
        );
    }
}

/// URLs are compared with their scheme and host lowercased, as the web does.
#[test]
fn show_finds_a_url_whatever_the_case_of_its_scheme_and_host() {
    let env = Env::synced();
    let url = "http://smbitpros.com/gain-first-position-with-your-managed-services-clients/";
    let id = env.json(&["show", url, "--json"])["id"].clone();
    let shouted = url.replace("http://smbitpros.com", "HTTP://SMBITPROS.COM");
    assert_eq!(env.json(&["show", &shouted, "--json"])["id"], id);
    let related = env.json(&["related", &shouted, "--json"]);
    assert!(
        related["hits"].as_array().is_some_and(|h| !h.is_empty()),
        "{related}"
    );
    // The path is the site's own business: its case matters.
    assert_one_line_error(
        &env.kb(&[
            "show",
            &url.to_uppercase()
                .replace("HTTP://SMBITPROS.COM", "http://smbitpros.com"),
        ]),
        1,
        "no article matches",
    );
}

/// A feed read from a file has no HTTP status: `feed list` says it was read from a file.
#[test]
fn a_file_read_records_no_http_status() {
    let env = Env::synced();
    let row = &env.json(&["feed", "list", "--json"])["feeds"][0];
    assert!(row["last_status"].is_null(), "{row}");
    assert!(row["last_fetched"].is_string(), "{row}");
    let text = env.ok(&["feed", "list"]);
    assert!(text.contains("read from file"), "{text}");
    assert!(
        !text.contains("never fetched") && !text.contains(" 200 "),
        "{text}"
    );
}

/// Found by probing search: a podcast item's audio file, the point of the item, was dropped
/// on the way to the archive (`kb show` and `kb parse` had no enclosure; feedparser has it).
#[test]
fn a_podcast_episode_keeps_its_audio_file() {
    let env = Env::new();
    let feed = root().join("fixtures/feeds/rss-podcast-itunes.xml");
    let parsed = env.json(&["parse", feed.to_str().unwrap(), "--json"]);
    assert_eq!(
        parsed["items"][0]["enclosure"],
        "https://podcast.example/86.mp3"
    );
    assert_eq!(parsed["items"][1]["enclosure"], serde_json::Value::Null);
    env.ok(&["sync", "--from", feed.to_str().unwrap()]);
    let hit = &env.json(&["search", "slugs", "--json"])["hits"][0];
    let id = hit["id"].as_str().unwrap();
    let shown = env.json(&["show", id, "--json"]);
    assert_eq!(shown["enclosure"], "https://podcast.example/86.mp3");
    let listed = env.json(&["list", "--json"]);
    let episodes: Vec<&serde_json::Value> = listed["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["enclosure"])
        .collect();
    assert!(
        episodes.contains(&&serde_json::Value::from("https://podcast.example/86.mp3")),
        "{listed}"
    );
    let text = env.ok(&["show", id]);
    assert!(
        text.contains("\nenclosure https://podcast.example/86.mp3\n"),
        "{text}"
    );
}

/// Found by the search probe: `journalctl -u`, pasted from an article, said only `no matches`:
/// `-u` excluded the article, and nothing said so. A search that its exclusions emptied says
/// how many articles the rest matches, and how to search for the word itself.
#[test]
fn a_search_emptied_by_its_exclusions_says_so() {
    let env = Env::synced();
    // Every seed article is in the category MSP.
    let total = env.json(&["search", "referral", "--json"])["total"].clone();
    assert!(total.as_u64() > Some(0), "{total}");
    let (out, err) = env.both(&["search", "referral -msp"]);
    assert_eq!(out, "");
    let n = total.as_u64().unwrap();
    assert_eq!(
        err,
        format!(
            "no matches for \"referral -msp\": {n} article{} the rest, but -msp excludes {} (to search for the word itself, quote it: \"-msp\")\n",
            if n == 1 { " matches" } else { "s match" },
            if n == 1 { "it" } else { "them" }
        )
    );
    let v = env.json(&["search", "referral -msp", "--json"]);
    assert_eq!(v["excluded"]["by"], serde_json::json!(["-msp"]), "{v}");
    assert_eq!(v["excluded"]["matches"], total, "{v}");
    // A search that finds something, or whose other words find nothing, has none.
    assert!(env.json(&["search", "referral", "--json"])["excluded"].is_null());
    let v = env.json(&["search", "xylophone -msp", "--json"]);
    assert!(v["excluded"].is_null(), "{v}");
}

/// Found by probing: `kb search iron --category pricng` (the category read as "Pricing") said
/// only `no matches for "iron"`, though articles say "iron": the filters are what left
/// nothing, and the note says so.
#[test]
fn a_search_its_filters_left_empty_says_so() {
    let env = Env::synced();
    let n = env.json(&["search", "referral", "--json"])["total"]
        .as_u64()
        .unwrap();
    assert!(n > 1);
    // The seed's articles are from 2010.
    let (out, err) = env.both(&["search", "referral", "--since", "2030"]);
    assert_eq!(out, "");
    assert_eq!(
        err,
        format!(
            "no matches for \"referral\" with --since 2030-01-01: {n} articles match it without that filter\n"
        )
    );
    // A query that matches nothing anyway says only that.
    let (_, err) = env.both(&["search", "xylophone", "--since", "2030"]);
    assert_eq!(err, "no matches for \"xylophone\"\n");
}

/// `kb export`: each article in full, one JSON object per line (what `kb show --json` prints),
/// in `kb list`'s order, with its filters and its notes.
#[test]
fn export_writes_every_article_in_full_one_per_line() {
    let env = Env::synced();
    let (out, err) = env.both(&["export"]);
    assert_eq!(err, "exported 10 articles\n");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 10);
    let listed = env.json(&["list", "--json", "--limit", "100"]);
    let listed_ids: Vec<&Value> = listed["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    let ids: Vec<&Value> = lines.iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, listed_ids, "the listing's order");
    for line in &lines {
        let id = line["id"].as_str().unwrap();
        assert_eq!(line, &env.json(&["show", "--json", id]), "{id}");
        assert!(!line["text"].as_str().unwrap().is_empty());
    }

    // The filters are the listing's; what they leave out is said as the listing says it.
    let (out, _) = env.both(&["export", "--since", "2010-03-14"]);
    assert_eq!(out.lines().count(), 3);
    let (out, err) = env.both(&["export", "--since", "2030"]);
    assert_eq!(out, "");
    assert_eq!(err, "no articles with --since 2030-01-01: 10 without it\n");
    let (out, err) = env.both(&["export", "-q"]);
    assert_eq!((out.lines().count(), err.as_str()), (10, ""));
    assert_one_line_error(&env.kb(&["export", "--feed", "nosuch"]), 1, "nosuch");
    assert_one_line_error(
        &env.kb(&["export", "--since", "2011", "--until", "2010"]),
        2,
        "--since",
    );
}

/// `kb export --output FILE` replaces the file whole, keeping its permissions, or leaves it as
/// it was (a file-size limit hit halfway: as a full disk), with no partial copy left beside it.
#[test]
fn export_to_a_file_replaces_it_whole_or_not_at_all() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::synced();
    let stdout = env.ok(&["export"]);
    let file = env.path().join("archive.jsonl");
    std::fs::write(&file, "old\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (out, err) = env.both(&["export", "-o", "archive.jsonl"]);
    assert_eq!(out, "");
    assert_eq!(err, "exported 10 articles to archive.jsonl\n");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o640,
        "the replaced file keeps its permissions"
    );

    // A limit far below the export's size: the write fails halfway.
    std::fs::write(&file, "old\n").unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 8; exec \"$0\" export -o archive.jsonl")
        .arg(env!("CARGO_BIN_EXE_kb"))
        .current_dir(env.path())
        .env_remove("KB_INDEX")
        .env_remove("KB_CONFIG")
        .output()
        .unwrap();
    assert_one_line_error(&out, 1, "archive.jsonl: File too large");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the file is as it was"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n");
    let left: Vec<_> = std::fs::read_dir(env.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("kb-export"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");

    assert_one_line_error(&env.kb(&["export", "-o", "."]), 1, "is a directory");
    assert_one_line_error(
        &env.kb(&["export", "-o", "no/such/dir/a.jsonl"]),
        1,
        "its directory does not exist",
    );
}

/// Seen in the test feeds of other readers (TechCrunch, Blogger, the Washington Post): a
/// FeedBurner item's link is its redirect through feedproxy.google.com, dead since Google shut
/// it down, and the article's own address is `feedburner:origLink`. The archive keeps that
/// address (search, show, show by URL); `kb parse` shows both; the id is the one the link as
/// published gave before, so a KB synced earlier gets no second copy.
#[test]
fn a_feedburner_item_is_filed_under_its_own_address() {
    let env = Env::new();
    let feed = root().join("fixtures/feeds/rss-feedburner-original-links.xml");
    let original = "http://tracked.example/2011/11/02/patch-tuesday/";
    let redirect = "http://feedproxy.google.com/~r/TrackedBlog/~3/kTeeGj4FnwU/";
    let parsed = env.json(&["parse", feed.to_str().unwrap(), "--json"]);
    assert_eq!(parsed["items"][0]["link"], redirect);
    assert_eq!(parsed["items"][0]["original_link"], original);
    assert_eq!(parsed["items"][3]["original_link"], serde_json::Value::Null);
    let id = parsed["items"][0]["id"].as_str().unwrap().to_owned();
    env.ok(&["sync", "--from", feed.to_str().unwrap()]);
    let hit = &env.json(&["search", "patch tuesday", "--json"])["hits"][0];
    assert_eq!(hit["id"], id.as_str());
    assert_eq!(hit["url"], original);
    assert_eq!(env.json(&["show", original, "--json"])["id"], id.as_str());
    // The footer linking to the post itself is gone, and a relative link is the site's.
    let shown = env.json(&["show", &id, "--json"]);
    assert_eq!(shown["text"], "Test first, then roll out.");
    assert_eq!(shown["links"][0], "http://tracked.example/2011/11/rollout/");
}

/// Found on a KB an older kb had filled from real feeds: it filed items of nothing (`<item/>`)
/// as articles, blank lines in every listing. This kb skips them, so no replay of the archive
/// gives them back: doctor called them "indexed articles that cannot be rebuilt from the
/// archive" whose "archived documents are lost or damaged" (none was), and reindex kept them
/// from the previous index forever. Doctor now names them apart, and reindex leaves them out.
#[test]
fn empty_articles_an_older_kb_filed_are_no_loss_and_reindex_leaves_them_out() {
    let env = Env::synced();
    let idx = env.path().join("index");
    {
        let lock = kb_store::WriteLock::acquire(&idx, std::time::Duration::ZERO).unwrap();
        let kb = kb_store::Kb::open(&idx).unwrap();
        let mut writer = kb.writer(&lock).unwrap();
        let empty = kb_store::Article {
            id: "00e0e0e0e0e0e0e0".into(),
            feed: "smbitpros".into(),
            guid: None,
            url: None,
            title: String::new(),
            author: None,
            categories: vec![],
            published: None,
            updated: None,
            comments: None,
            comments_url: None,
            summary: String::new(),
            text: String::new(),
            html: String::new(),
            links: vec![],
            enclosure: None,
            content_hash: "0".repeat(64),
        };
        writer.upsert(&empty).unwrap();
        writer.commit().unwrap();
    }
    assert_eq!(env.json(&["list", "--json"])["total"], 11);
    let agreement = || {
        let doctor = env.json(&["doctor", "--json"]);
        doctor["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "archive and index agree")
            .cloned()
            .unwrap()
    };
    let check = agreement();
    assert_eq!(check["ok"], true, "{check}");
    let detail = check["detail"].as_str().unwrap();
    assert!(
        detail.contains("1 empty article an older kb filed"),
        "{detail}"
    );
    assert!(!detail.contains("lost"), "{detail}");
    let out = env.kb(&["reindex", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let reindexed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reindexed["dropped_empty"], 1, "{reindexed}");
    assert_eq!(reindexed["kept_from_previous_index"], 0, "{reindexed}");
    assert_eq!(env.json(&["list", "--json"])["total"], 10);
    assert_eq!(
        agreement()["detail"],
        "10 articles, same ids and content in both"
    );
}
