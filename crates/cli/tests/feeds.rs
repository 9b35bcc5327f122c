//! `kb feed` (issue 4.1), black-box: add (with discovery on a web page), rm, list, enable,
//! OPML import and export; kb.toml edited in place with its comments kept, created if missing.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, FAST_FETCH, Response, Server, feed_toml, rss};

fn blog() -> Server {
    Server::start(|req| match req.target.split('?').next().unwrap_or("") {
        "/" => Response::new(
            200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>Blog</title>\
             <link rel=\"stylesheet\" href=\"/s.css\">\
             <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Posts\" href=\"/feed/\">\
             </head><body>hi</body></html>",
        ),
        "/feed/" => Response::rss(rss(
            "http://blog.example/",
            &[("a", "Alpha"), ("b", "Beta")],
        )),
        "/plain" => Response::new(
            200,
            "text/html",
            "<html><head></head><body>no feed</body></html>",
        ),
        "/text" => Response::new(200, "text/plain", "just some words"),
        _ => Response::status(404),
    })
}

#[test]
fn add_discovers_the_feed_of_a_web_page_and_creates_the_config() {
    let server = blog();
    let env = Env::empty();
    let out = env.ok(&["feed", "add", &server.url("/")]);
    assert!(
        out.contains(&format!(
            "added blog.example: {} (found on {})",
            server.url("/feed/"),
            server.url("/")
        )),
        "{out}"
    );
    assert_eq!(
        env.config_text(),
        format!(
            "[[feed]]\nname = \"blog.example\"\nurl = \"{}\"\n",
            server.url("/feed/")
        )
    );
    // The same feed again, by its page or its own URL, is refused.
    let (_, err) = env.fails(&["feed", "add", &server.url("/feed/"), "--name", "other"]);
    assert!(
        err.contains("already in") && err.contains("blog.example"),
        "{err}"
    );
    // Then it syncs.
    let out = env.ok(&["sync"]);
    assert!(out.contains("blog.example: 2 new"), "{out}");
}

#[test]
fn add_refuses_what_is_not_a_feed_with_a_clear_message() {
    let server = blog();
    let env = Env::new("# nothing yet\n");
    let (_, err) = env.fails(&["feed", "add", &server.url("/plain")]);
    assert!(err.contains("announces no feed"), "{err}");
    let (_, err) = env.fails(&["feed", "add", &server.url("/text")]);
    assert!(err.contains("neither a feed nor a web page"), "{err}");
    let (_, err) = env.fails(&["feed", "add", &server.url("/nope")]);
    assert!(err.contains("404"), "{err}");
    let (_, err) = env.fails(&["feed", "add", "ftp://x.example/feed"]);
    assert!(err.contains("not an http(s) URL"), "{err}");
    assert_eq!(env.config_text(), "# nothing yet\n", "nothing written");
}

#[test]
fn add_points_a_file_to_sync_from_and_a_bare_host_to_its_url() {
    let env = Env::new("# nothing yet\n");
    std::fs::write(env.path().join("saved.xml"), rss("x", &[("a", "A")])).unwrap();
    let (_, file) = env.fails(&["feed", "add", "saved.xml"]);
    assert!(file.contains("is a file"), "{file}");
    assert!(file.contains("kb sync --from saved.xml"), "{file}");
    assert!(file.contains("fixture"), "{file}");
    let (_, host) = env.fails(&["feed", "add", "blog.example/feed/"]);
    assert!(host.contains("https://blog.example/feed/"), "{host}");
    for err in [file, host] {
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    assert_eq!(env.config_text(), "# nothing yet\n", "nothing written");
}

#[test]
fn add_rm_and_list_keep_the_comments_of_kb_toml() {
    let server = blog();
    let config = format!(
        "# my feeds\n{FAST_FETCH}\n# the seed\n[[feed]]\nname = \"seed\" # short\nurl = \"{}\"\n",
        server.url("/feed/")
    );
    let env = Env::new(&config);
    let rows = env.feed_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0],
        serde_json::json!({
            "name": "seed", "url": server.url("/feed/"), "category": null,
            "last_fetched": null, "last_status": null, "articles": 0,
            "last_error": null, "dead": false, "waiting_until": null
        })
    );

    let url = format!("{}?x=1", server.url("/feed/"));
    env.ok(&[
        "feed",
        "add",
        &url,
        "--name",
        "second",
        "--category",
        "Tech/Rust",
    ]);
    let text = env.config_text();
    assert!(text.starts_with(&config), "{text}");
    assert!(
        text.ends_with(&format!(
            "[[feed]]\nname = \"second\"\nurl = \"{url}\"\ncategory = \"Tech/Rust\"\n"
        )),
        "{text}"
    );

    env.ok(&["sync"]);
    let seed = env.row("seed");
    assert_eq!(seed["last_status"], 200);
    assert!(seed["last_fetched"].as_str().unwrap().ends_with('Z'));
    let listing = env.ok(&["feed", "list"]);
    assert!(
        listing.contains("seed") && listing.contains("second"),
        "{listing}"
    );

    let out = env.ok(&["feed", "rm", &url]);
    assert!(out.contains("removed second"), "{out}");
    assert_eq!(env.config_text(), config);
    let (_, err) = env.fails(&["feed", "rm", "second"]);
    assert!(err.contains("no feed \"second\""), "{err}");
}

const OPML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Tech" title="Tech">
      <outline text="Rust">
        <outline type="rss" text="This Week in Rust" xmlUrl="https://this-week-in-rust.org/rss.xml" htmlUrl="https://this-week-in-rust.org/"/>
      </outline>
      <outline type="rss" text="LWN" xmlUrl="https://lwn.net/headlines/rss"/>
    </outline>
    <outline type="rss" text="Q &amp; A" xmlUrl="http://qa.example/feed?a=1&amp;b=2"/>
  </body>
</opml>
"#;

#[test]
fn opml_import_then_export_round_trips_with_nested_folders() {
    let env = Env::new("# subscriptions\n");
    let file = env.path().join("subs.opml");
    std::fs::write(&file, OPML).unwrap();
    let out = env.ok(&["feed", "import", file.to_str().unwrap()]);
    assert!(out.contains("imported 3 feeds"), "{out}");
    let text = env.config_text();
    assert!(text.starts_with("# subscriptions\n"), "{text}");
    assert!(text.contains("name = \"This Week in Rust\"\nurl = \"https://this-week-in-rust.org/rss.xml\"\ncategory = \"Tech/Rust\""), "{text}");
    assert!(
        text.contains(
            "name = \"LWN\"\nurl = \"https://lwn.net/headlines/rss\"\ncategory = \"Tech\""
        ),
        "{text}"
    );
    assert!(
        text.contains("name = \"Q & A\"\nurl = \"http://qa.example/feed?a=1&b=2\"\n"),
        "{text}"
    );

    // Importing again adds nothing.
    let out = env.ok(&["feed", "import", file.to_str().unwrap()]);
    assert!(
        out.contains("imported 0 feeds") && out.contains("3 already present"),
        "{out}"
    );

    let exported = env.ok(&["feed", "export"]);
    assert!(exported.contains("<opml version=\"2.0\">"), "{exported}");
    assert!(
        exported.contains("xmlUrl=\"http://qa.example/feed?a=1&amp;b=2\""),
        "{exported}"
    );

    // A fresh config fed the export holds the same feeds, and exports the same bytes.
    let other = Env::empty();
    let file2 = other.path().join("export.opml");
    std::fs::write(&file2, &exported).unwrap();
    other.ok(&["feed", "import", file2.to_str().unwrap()]);
    assert_eq!(other.ok(&["feed", "export"]), exported);
    let names = |e: &Env| {
        let mut v: Vec<(String, String, String)> = e
            .feed_rows()
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_string(),
                    r["url"].as_str().unwrap().to_string(),
                    r["category"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&other), names(&env));
}

#[test]
fn import_refuses_a_file_that_is_not_opml() {
    let env = Env::new(&feed_toml("a", "http://127.0.0.1:9/feed"));
    let file = env.path().join("x.opml");
    std::fs::write(&file, "<html><body>hi</body></html>").unwrap();
    let (_, err) = env.fails(&["feed", "import", file.to_str().unwrap()]);
    assert!(err.contains("is not an OPML file kb can read"), "{err}");
    let (_, err) = env.fails(&["feed", "import", "missing.opml"]);
    assert!(err.contains("cannot read OPML file missing.opml"), "{err}");
}

/// A bare `&` in a URL or an HTML entity in a title (old exporters, hand edits) made the whole
/// list "not an OPML file": every subscription lost for one character. Read as a feed would
/// be, with a warning naming the repair.
#[test]
fn import_repairs_a_bare_ampersand_and_html_entities() {
    let env = Env::empty();
    let file = env.path().join("subs.opml");
    std::fs::write(
        &file,
        "<opml version=\"2.0\"><body><outline text=\"News & Politics\">\
         <outline text=\"Le Monde &ndash; &Agrave; la une\" xmlUrl=\"https://lemonde.example/rss\"/>\
         <outline text=\"Q\" xmlUrl=\"https://q.example/feed?a=1&b=2\"/>\
         </outline></body></opml>",
    )
    .unwrap();
    let v = env.json(&["feed", "import", file.to_str().unwrap(), "--json"]);
    let added = v["added"].as_array().unwrap();
    assert_eq!(added.len(), 2, "{v}");
    assert_eq!(added[0]["name"], "Le Monde – À la une", "{v}");
    assert_eq!(added[0]["category"], "News & Politics", "{v}");
    assert_eq!(added[1]["url"], "https://q.example/feed?a=1&b=2", "{v}");
    let (_, err) = env.fails(&["feed", "import", "missing.opml"]);
    assert!(err.contains("cannot read OPML file"), "{err}");
}

/// An OPML file is someone else's: its entries get the check `kb feed add` makes. A
/// `javascript:` (or `file:`, `ftp:`) "feed" was imported into kb.toml as is.
#[test]
fn import_skips_entries_that_are_not_http_feeds_and_names_them() {
    let env = Env::empty();
    let file = env.path().join("subs.opml");
    std::fs::write(
        &file,
        "<opml version=\"2.0\"><body>\
         <outline text=\"ok\" xmlUrl=\"https://good.example/feed\"/>\
         <outline text=\"xss\" xmlUrl=\"javascript:alert(1)\"/>\
         <outline text=\"local\" xmlUrl=\"file:///etc/passwd\"/>\
         <outline text=\"ftp\" xmlUrl=\"ftp://old.example/feed\"/>\
         </body></opml>",
    )
    .unwrap();
    let out = env.ok(&["feed", "import", file.to_str().unwrap()]);
    assert!(out.contains("imported 1 feed"), "{out}");
    assert!(
        out.contains("3 skipped") && out.contains("javascript:alert(1)"),
        "{out}"
    );
    let text = env.config_text();
    assert!(text.contains("https://good.example/feed"), "{text}");
    for bad in ["javascript:", "file:", "ftp:"] {
        assert!(!text.contains(bad), "{text}");
    }
}

/// Feed names are the keys of a feed's state and of its articles: a kb.toml naming two feeds
/// alike (edited by hand) is refused with the line to fix, not synced into one mixed state.
#[test]
fn a_config_naming_two_feeds_alike_is_refused() {
    let env = Env::new(
        "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/x\"\n\n[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/y\"\n",
    );
    for args in [&["feed", "list"][..], &["sync", "--offline"]] {
        let (_, err) = env.fails(args);
        assert!(
            err.starts_with("kb: error: ") && err.contains("\"a\"") && err.contains("twice"),
            "kb {args:?}: {err}"
        );
    }
}

/// Scripts that manage subscriptions read what `kb feed add/rm/enable/import` did as JSON,
/// as they read `kb feed list --json`.
#[test]
fn feed_commands_report_what_they_did_in_json() {
    let server = blog();
    let env = Env::empty();
    let added = env.json(&["feed", "add", &server.url("/"), "-c", "Tech", "--json"]);
    assert_eq!(
        added,
        serde_json::json!({
            "name": "blog.example", "url": server.url("/feed/"), "category": "Tech",
            "found_on": server.url("/"), "items": 2, "other_feeds": []
        })
    );

    let enabled = env.json(&["feed", "enable", "blog.example", "--json"]);
    assert_eq!(
        enabled,
        serde_json::json!({"name": "blog.example", "was_dead": false})
    );

    let file = env.path().join("subs.opml");
    std::fs::write(
        &file,
        format!(
            "<opml version=\"2.0\"><body>\
             <outline text=\"again\" xmlUrl=\"{}\"/>\
             <outline text=\"New\" xmlUrl=\"https://new.example/feed\"/>\
             <outline text=\"bad\" xmlUrl=\"file:///etc/passwd\"/>\
             </body></opml>",
            server.url("/feed/")
        ),
    )
    .unwrap();
    let imported = env.json(&["feed", "import", file.to_str().unwrap(), "--json"]);
    assert_eq!(
        imported,
        serde_json::json!({
            "file": file.to_str().unwrap(),
            "added": [{"name": "New", "url": "https://new.example/feed", "category": null}],
            "already_present": [server.url("/feed/")],
            "skipped": ["file:///etc/passwd"],
            "no_feed_url": []
        })
    );

    let removed = env.json(&["feed", "rm", "New", "--json"]);
    assert_eq!(
        removed,
        serde_json::json!({"name": "New", "url": "https://new.example/feed", "category": null})
    );
    assert_eq!(env.feed_rows().len(), 1);
}

/// A kb.toml linked from a dotfiles repository stays a link when kb edits it.
#[cfg(unix)]
#[test]
fn a_symlinked_config_stays_a_link() {
    let env = Env::empty();
    std::fs::create_dir(env.path().join("dotfiles")).unwrap();
    let target = env.path().join("dotfiles").join("kb.toml");
    let text = format!(
        "# my dotfiles\n{}{}",
        feed_toml("a", "http://127.0.0.1:9/a"),
        feed_toml("b", "http://127.0.0.1:9/b")
    );
    std::fs::write(&target, &text).unwrap();
    std::os::unix::fs::symlink("dotfiles/kb.toml", env.config()).unwrap();
    env.ok(&["feed", "rm", "b"]);
    let meta = env.config().symlink_metadata().unwrap();
    assert!(meta.file_type().is_symlink(), "kb.toml replaced by a file");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        format!("# my dotfiles\n{}", feed_toml("a", "http://127.0.0.1:9/a"))
    );
}

/// `kb feed rm` of the first feed keeps the file's header comment.
#[test]
fn rm_keeps_the_header_comment_of_the_file() {
    let env = Env::new(&format!(
        "# --- feeds ---\n[[feed]]\nname = \"first\"\nurl = \"http://127.0.0.1:9/a\"\n{}",
        feed_toml("second", "http://127.0.0.1:9/b")
    ));
    env.ok(&["feed", "rm", "first"]);
    assert_eq!(
        env.config_text(),
        format!(
            "# --- feeds ---\n{}",
            feed_toml("second", "http://127.0.0.1:9/b")
        )
    );
}

/// What a kb.toml can hold and XML can carry comes back unchanged from an export imported
/// elsewhere: names with inner or outer whitespace, categories with spaces around their
/// slashes or slashes at their ends, `timeout_secs`. A character XML 1.0 cannot carry (a
/// control character) is written as U+FFFD, so the export stays well-formed XML.
#[test]
fn opml_export_then_import_keeps_names_and_categories_exactly() {
    let config = r#"
[[feed]]
name = "Tom & Jerry <b> \"quoted\" 'single'"
url = "http://127.0.0.1:9/a?x=1&y=2"
category = "News & Views/<Tech>"

[[feed]]
name = "two  spaces"
url = "http://127.0.0.1:9/twospaces"
timeout_secs = 7

[[feed]]
name = " padded "
url = "http://127.0.0.1:9/padded"

[[feed]]
name = "slash/in/name"
url = "http://127.0.0.1:9/slash"
category = "A / B"

[[feed]]
name = "tab\tname\nand line"
url = "http://127.0.0.1:9/tab"
category = "/Lead/"

[[feed]]
name = "comma"
url = "http://127.0.0.1:9/comma"
category = "Fun,Games"

[[feed]]
name = "ctrl\u0007bell"
url = "http://127.0.0.1:9/bell"
fixture = "fixtures/bell.xml"
"#;
    let env = Env::new(config);
    let exported = env.ok(&["feed", "export"]);
    assert!(
        !exported
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
        "{exported:?}"
    );
    assert!(exported.contains("ctrl\u{fffd}bell"), "{exported}");
    // Readers that know folders only still see them, trimmed.
    assert!(
        exported.contains("<outline text=\"A\" title=\"A\">"),
        "{exported}"
    );

    let other = Env::empty();
    let file = other.path().join("export.opml");
    std::fs::write(&file, &exported).unwrap();
    other.ok(&["feed", "import", file.to_str().unwrap()]);
    assert_eq!(other.ok(&["feed", "export"]), exported, "a fixed point");
    let rows = |e: &Env| {
        let mut v: Vec<(String, String, String)> = e
            .feed_rows()
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().replace('\u{7}', "\u{fffd}"),
                    r["url"].as_str().unwrap().to_string(),
                    r["category"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(rows(&other), rows(&env));
    let text = other.config_text();
    assert!(
        text.contains(
            "name = \"two  spaces\"\nurl = \"http://127.0.0.1:9/twospaces\"\ntimeout_secs = 7\n"
        ),
        "{text}"
    );
    // A fixture is a path on the exporting machine: not carried.
    assert!(!text.contains("fixture"), "{text}");
}

/// Importing never touches the feeds already in kb.toml: their kb-only settings stay.
#[test]
fn import_keeps_the_settings_of_feeds_already_present() {
    let config = "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/a\"\nfixture = \"a.xml\"\ntimeout_secs = 3\n";
    let env = Env::new(config);
    let file = env.path().join("subs.opml");
    std::fs::write(
        &file,
        "<opml version=\"2.0\"><body><outline text=\"other name\" xmlUrl=\"http://127.0.0.1:9/a\"/></body></opml>",
    )
    .unwrap();
    let out = env.ok(&["feed", "import", file.to_str().unwrap()]);
    assert!(out.contains("1 already present"), "{out}");
    assert_eq!(env.config_text(), config);
}

/// The XML declaration (or a byte order mark) says how an OPML file is encoded.
#[test]
fn import_decodes_the_opml_as_it_declares() {
    let env = Env::empty();
    let latin1 = env.path().join("latin1.opml");
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<opml version=\"1.0\"><body><outline text=\"Actualit\xe9s\"><outline type=\"rss\" text=\"Le Caf\xe9\" xmlUrl=\"http://127.0.0.1:9/cafe\"/></outline></body></opml>".to_vec();
    std::fs::write(&latin1, &bytes).unwrap();
    env.ok(&["feed", "import", latin1.to_str().unwrap()]);
    let row = env.row("Le Café");
    assert_eq!(row["category"], "Actualités");

    // UTF-16 with a byte order mark, and no declaration at all.
    bytes = vec![0xFF, 0xFE];
    for unit in "<opml version=\"2.0\"><body><outline text=\"Ünïcode\" xmlUrl=\"http://127.0.0.1:9/u\"/></body></opml>".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let utf16 = env.path().join("utf16.opml");
    std::fs::write(&utf16, &bytes).unwrap();
    env.ok(&["feed", "import", utf16.to_str().unwrap()]);
    assert_eq!(env.row("Ünïcode")["url"], "http://127.0.0.1:9/u");
}

/// `HTTP://HOST:80/x` is `http://host/x`: the duplicate check compares URLs, not strings.
#[test]
fn add_and_import_see_the_same_url_spelled_differently() {
    let server = blog();
    let env = Env::new(&feed_toml("blog", &server.url("/feed/")));
    let shouting = server.url("/feed/").replace("http://", "HTTP://");
    let (_, err) = env.fails(&["feed", "add", &shouting, "--name", "other"]);
    assert!(
        err.contains("already in") && err.contains("\"blog\""),
        "{err}"
    );

    let file = env.path().join("subs.opml");
    std::fs::write(
        &file,
        format!(
            "<opml version=\"2.0\"><body><outline text=\"again\" xmlUrl=\"{shouting}\"/><outline text=\"d\" xmlUrl=\"http://Default.Port.example:80/x\"/><outline text=\"d2\" xmlUrl=\"http://default.port.example/x\"/></body></opml>"
        ),
    )
    .unwrap();
    let out = env.ok(&["feed", "import", file.to_str().unwrap()]);
    assert!(
        out.contains("imported 1 feed") && out.contains("2 already present"),
        "{out}"
    );
}

/// `feed = [ { ... } ]` is valid TOML: a 301 seen by sync is recorded there too, and the
/// sync succeeds (it failed after its commit, every time, claiming "config updated").
#[test]
fn a_301_updates_an_inline_feed_array() {
    let server = Server::start(|req| match req.target.as_str() {
        "/old" => Response::redirect(301, "/new"),
        "/new" => Response::rss(rss("http://blog.example/", &[("a", "Alpha")])),
        _ => Response::status(404),
    });
    // `feed = [...]` after [fetch] would belong to it: it comes first.
    let config = format!(
        "# inline style\nfeed = [ {{ name = \"inl\", url = \"{}\" }} ]\n\n{FAST_FETCH}",
        server.url("/old")
    );
    let env = Env::new(&config);
    let out = env.ok(&["sync"]);
    assert!(out.contains("moved permanently to"), "{out}");
    assert_eq!(
        env.config_text(),
        config.replace(&server.url("/old"), &server.url("/new"))
    );
    env.ok(&["sync"]);
    assert_eq!(server.hits("/old").len(), 1);
    assert_eq!(server.hits("/new").len(), 2);
}

/// Found by probing `kb feed add`: a page announcing its "Comments" feed first had that feed
/// added, and its other feeds went unmentioned, even in `--json`.
#[test]
fn add_prefers_the_main_feed_of_a_page_and_names_the_others() {
    let server = Server::start(|req| match req.target.as_str() {
        "/" => Response::new(
            200,
            "text/html",
            "<html><head>\
             <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Blog &raquo; Comments Feed\" href=\"/comments/feed/\">\
             <link rel=\"alternate\" type=\"application/atom+xml\" title=\"Blog (Atom)\" href=\"/atom/\">\
             <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Blog\" href=\"/feed/\">\
             </head></html>",
        ),
        "/comments/feed/" | "/atom/" | "/feed/" => {
            Response::rss(rss("http://blog.example/", &[("a", "Alpha")]))
        }
        _ => Response::status(404),
    });
    let env = Env::empty();
    let added = env.json(&["feed", "add", &server.url("/"), "--json"]);
    assert_eq!(added["url"], server.url("/atom/"), "{added}");
    assert_eq!(
        added["other_feeds"],
        serde_json::json!([server.url("/feed/"), server.url("/comments/feed/")])
    );
    let env = Env::empty();
    let out = env.ok(&["feed", "add", &server.url("/"), "--name", "b"]);
    assert!(
        out.contains(&format!(
            "which also announces {}, {}",
            server.url("/feed/"),
            server.url("/comments/feed/")
        )),
        "{out}"
    );
}

/// Found by probing `kb feed add`: a page announcing its feed as JSON Feed 1.0
/// (`application/json`), RSS 1.0 (`application/rdf+xml`) or `text/xml` announced "no feed". A
/// generic type also names documents that are no feed: such a candidate is skipped for the next.
#[test]
fn add_discovers_json_feed_1_rdf_and_xml_alternates() {
    let page = |links: &str| {
        Response::new(
            200,
            "text/html",
            format!("<html><head>{links}</head><body>hi</body></html>"),
        )
    };
    let server = Server::start(move |req| match req.target.as_str() {
        "/json" => page(
            "<link rel=\"alternate\" type=\"application/json\" title=\"JSON Feed\" href=\"/feed.json\">",
        ),
        "/rdf" => page(
            "<link rel=\"alternate\" type=\"application/rdf+xml\" title=\"RSS 1.0\" href=\"/index.rdf\">",
        ),
        "/mixed" => page(
            "<link rel=\"alternate\" type=\"application/json\" href=\"/oembed.json\">\
             <link rel=\"alternate\" type=\"text/xml\" title=\"Posts\" href=\"/posts.xml\">",
        ),
        "/feed.json" => Response::new(
            200,
            "application/json",
            "{\"version\": \"https://jsonfeed.org/version/1\", \"title\": \"J\", \
             \"items\": [{\"id\": \"1\", \"url\": \"http://blog.example/1\", \"title\": \"One\", \
             \"content_text\": \"Hello\"}]}",
        ),
        "/oembed.json" => Response::new(200, "application/json", "{\"type\": \"rich\"}"),
        "/index.rdf" | "/posts.xml" => Response::new(
            200,
            "text/xml",
            rss("http://blog.example/", &[("a", "Alpha")]),
        ),
        _ => Response::status(404),
    });
    for (path, feed) in [
        ("/json", "/feed.json"),
        ("/rdf", "/index.rdf"),
        ("/mixed", "/posts.xml"),
    ] {
        let env = Env::empty();
        let added = env.json(&["feed", "add", &server.url(path), "--json"]);
        assert_eq!(added["url"], server.url(feed), "{path}: {added}");
    }
}

/// Found by probing: `…#frag` and an empty `?` were added as new feeds; `feed://` was skipped.
#[test]
fn add_sees_a_fragment_or_an_empty_query_as_the_same_feed() {
    let server = blog();
    let env = Env::new(&feed_toml("blog", &server.url("/feed/")));
    for spelled in [server.url("/feed/#frag"), server.url("/feed/?")] {
        let (_, err) = env.fails(&["feed", "add", &spelled, "--name", "other"]);
        assert!(
            err.contains("already in") && err.contains("\"blog\""),
            "{spelled}: {err}"
        );
    }
    let feed_scheme = server.url("/feed/").replace("http://", "feed://");
    let (_, err) = env.fails(&["feed", "add", &feed_scheme, "--name", "other"]);
    assert!(err.contains("already in"), "{err}");
}

/// Found by probing `kb feed import`: outlines without `xmlUrl` vanished without a word, and
/// `feed://` addresses were skipped instead of read as http.
#[test]
fn import_names_outlines_without_a_feed_url_and_reads_the_feed_scheme() {
    let env = Env::empty();
    let file = env.path().join("subs.opml");
    std::fs::write(
        &file,
        "<opml version=\"2.0\"><body>\
         <outline text=\"ok\" xmlUrl=\"feed://good.example/rss\"/>\
         <outline text=\"ok2\" xmlUrl=\"feed:https://good2.example/rss\"/>\
         <outline text=\"site\" htmlUrl=\"http://site.example/\"/>\
         <outline text=\"Bare\"/>\
         </body></opml>",
    )
    .unwrap();
    let out = env.ok(&["feed", "import", file.to_str().unwrap()]);
    assert!(out.contains("imported 2 feeds"), "{out}");
    assert!(
        out.contains("2 skipped, no feed URL (xmlUrl): http://site.example/, Bare"),
        "{out}"
    );
    let text = env.config_text();
    assert!(
        text.contains("\"http://good.example/rss\"")
            && text.contains("\"https://good2.example/rss\""),
        "{text}"
    );
    let file2 = env.path().join("subs2.opml");
    std::fs::write(
        &file2,
        "<opml version=\"2.0\"><body><outline text=\"Bare\"/></body></opml>",
    )
    .unwrap();
    let json = env.json(&["feed", "import", file2.to_str().unwrap(), "--json"]);
    assert_eq!(json["no_feed_url"], serde_json::json!(["Bare"]), "{json}");
}

/// A KB with feeds `a` and `b` synced from files, so feeds.json holds state for both.
fn synced_pair() -> Env {
    let env = Env::new(&format!(
        "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/a\"\nfixture = \"a.xml\"\n\n[[feed]]\nname = \"b\"\nurl = \"http://127.0.0.1:9/b\"\nfixture = \"b.xml\"\n{}",
        feed_toml("never", "http://127.0.0.1:9/never")
    ));
    for f in ["a", "b"] {
        std::fs::write(
            env.path().join(format!("{f}.xml")),
            rss(&format!("http://{f}.example/"), &[(f, "Alpha")]),
        )
        .unwrap();
    }
    // `never` has no fixture: the sync skips it (and says so), so it has no state.
    let _ = env.kb(&["sync", "--offline", "--quiet"]);
    assert!(env.path().join("index/feeds.json").is_file());
    env
}

/// Found by probing `kb feed rm` on a KB it could not write: it failed (exit 1) after it had
/// already removed the feed from kb.toml, so a retry said there was no such feed. Failing on
/// the KB (here its lock file is a directory, which no permission lets kb write) must leave
/// kb.toml as it was, also for a feed the KB holds no state for.
#[test]
fn feed_rm_that_fails_on_the_kb_leaves_kb_toml_unchanged() {
    let env = synced_pair();
    let before = env.config_text();
    let lock = env.path().join("index/lock");
    let _ = std::fs::remove_file(&lock);
    std::fs::create_dir(&lock).unwrap();
    for feed in ["b", "never"] {
        let (_, err) = env.fails(&["feed", "rm", feed]);
        assert!(err.contains("lock"), "{err}");
        assert_eq!(env.config_text(), before, "feed rm {feed} changed kb.toml");
    }
    // Once the KB can be written again, it works.
    std::fs::remove_dir(&lock).unwrap();
    env.ok(&["feed", "rm", "b"]);
    assert!(!env.config_text().contains("name = \"b\""));
    let states = std::fs::read_to_string(env.path().join("index/feeds.json")).unwrap();
    assert!(!states.contains("\"b\""), "{states}");
    assert!(states.contains("\"a\""), "{states}");
}

/// A feeds.json that cannot be read (a directory stands there) fails `feed rm` before kb.toml
/// is touched.
#[test]
fn feed_rm_with_an_unreadable_feeds_json_leaves_kb_toml_unchanged() {
    let env = synced_pair();
    let before = env.config_text();
    let states = env.path().join("index/feeds.json");
    std::fs::remove_file(&states).unwrap();
    std::fs::create_dir(&states).unwrap();
    let (_, err) = env.fails(&["feed", "rm", "a"]);
    assert!(err.contains("feeds.json"), "{err}");
    assert_eq!(env.config_text(), before);
}

/// Found by probing: `kb feed rm/add/import` replaced a kb.toml the user had made read-only
/// (0444) through a temporary file and a rename, which the file's mode does not stop. A
/// write-protected config is refused, named with its permissions, and left as it was.
#[cfg(unix)]
#[test]
fn a_read_only_kb_toml_is_not_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let server = blog();
    let env = synced_pair();
    let before = env.config_text();
    std::fs::set_permissions(env.config(), std::fs::Permissions::from_mode(0o444)).unwrap();
    let opml = env.path().join("subs.opml");
    std::fs::write(
        &opml,
        "<opml version=\"2.0\"><body><outline text=\"n\" xmlUrl=\"http://new.example/feed\"/></body></opml>",
    )
    .unwrap();
    let states = std::fs::read(env.path().join("index/feeds.json")).unwrap();
    for args in [
        vec!["feed", "rm", "b"],
        vec!["feed", "add", &server.url("/feed/"), "--name", "blog"],
        vec!["feed", "import", opml.to_str().unwrap()],
    ] {
        let (_, err) = env.fails(&args);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("read-only") && err.contains("0444") && err.contains("kb.toml"),
            "{args:?}: {err}"
        );
        assert_eq!(env.config_text(), before, "{args:?}");
        let mode = std::fs::metadata(env.config())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o444);
    }
    // Nothing of the KB changed either.
    assert_eq!(
        std::fs::read(env.path().join("index/feeds.json")).unwrap(),
        states
    );
}

/// Found by the durability probe: a feed's `url` edited by hand while a sync ran was
/// overwritten by the sync's 301 rewrite, and a feed removed meanwhile still got "config
/// updated" on its line. The url is rewritten only where kb.toml still holds the URL that was
/// fetched; the user's edits stay, and the line says kb.toml was not updated.
#[test]
fn a_301_keeps_a_url_edited_or_a_feed_removed_during_the_sync() {
    use std::sync::{Arc, Mutex};
    let config: Arc<Mutex<Option<std::path::PathBuf>>> = Arc::default();
    let hook = config.clone();
    let server = Server::start(move |req| {
        let target = req.target.as_str();
        if let Some(old) = target.strip_suffix("-old") {
            return Response::redirect(301, &format!("{old}-new"));
        }
        if target.ends_with("-new") {
            // The user edits kb.toml while kb downloads (held: one edit at a time).
            let path = hook.lock().unwrap();
            if let Some(path) = path.as_ref() {
                let text = std::fs::read_to_string(path).unwrap();
                let text = match target {
                    "/a-new" => text.replace("/a-old\"", "/handpicked\""),
                    "/b-new" => {
                        let start = text.find("[[feed]]\nname = \"b\"").unwrap();
                        let end = start + text[start..].find("\n\n").unwrap() + 2;
                        format!("{}{}", &text[..start], &text[end..])
                    }
                    _ => text,
                };
                std::fs::write(path, text).unwrap();
            }
            return Response::rss(rss("http://blog.example/", &[("x", "Item")]));
        }
        Response::status(404)
    });
    let text = format!(
        "{FAST_FETCH}\n[[feed]]\nname = \"a\"\nurl = \"{}\"\n\n[[feed]]\nname = \"b\"\nurl = \"{}\"\n\n[[feed]]\nname = \"c\"\nurl = \"{}\"\n",
        server.url("/a-old"),
        server.url("/b-old"),
        server.url("/c-old")
    );
    let env = Env::new(&text);
    *config.lock().unwrap() = Some(env.config());
    let out = env.ok(&["sync"]);
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{name}:")))
            .unwrap_or_else(|| panic!("no line for {name}: {out}"))
            .to_string()
    };
    for name in ["a", "b"] {
        let l = line(name);
        assert!(
            l.contains("moved permanently to") && l.contains("kb.toml not updated"),
            "{l}"
        );
        assert!(!l.contains("config updated"), "{l}");
    }
    assert!(line("a").contains("/handpicked"), "{}", line("a"));
    assert!(line("c").contains("config updated"), "{}", line("c"));
    let now = env.config_text();
    assert!(
        now.contains(&format!("url = \"{}\"", server.url("/handpicked"))),
        "{now}"
    );
    assert!(!now.contains("name = \"b\""), "{now}");
    assert!(
        now.contains(&format!("url = \"{}\"", server.url("/c-new"))),
        "{now}"
    );
    assert!(!now.contains("/a-new") && !now.contains("/b-new"), "{now}");
}

/// The url edited after the feed was done but before kb.toml is written (after the commit):
/// kept too, and `--json`, printed at the end, says so for the feed (`moved_kept`).
#[test]
fn a_301_keeps_a_url_edited_after_the_feed_was_done() {
    use std::sync::{Arc, Mutex};
    let config: Arc<Mutex<Option<std::path::PathBuf>>> = Arc::default();
    let hook = config.clone();
    let served = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = served.clone();
    let server = Server::start(move |req| match req.target.as_str() {
        "/a-old" => Response::redirect(301, "/a-new"),
        "/a-new" => {
            seen.store(true, std::sync::atomic::Ordering::SeqCst);
            Response::rss(rss("http://a.example/", &[("a", "Alpha")]))
        }
        "/slow" => {
            // Once feed a is stored, the user edits its url; then this feed answers.
            while !seen.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
            if let Some(path) = hook.lock().unwrap().as_ref() {
                let text = std::fs::read_to_string(path).unwrap();
                std::fs::write(path, text.replace("/a-old\"", "/handpicked\"")).unwrap();
            }
            Response::rss(rss("http://b.example/", &[("b", "Beta")]))
        }
        _ => Response::status(404),
    });
    let env = Env::new(&format!(
        "{FAST_FETCH}{}{}",
        feed_toml("a", &server.url("/a-old")),
        feed_toml("b", &server.url("/slow"))
    ));
    *config.lock().unwrap() = Some(env.config());
    let out = env.json(&["sync", "--json"]);
    let a = &out["feeds"][0];
    assert_eq!(a["moved_to"], server.url("/a-new"), "{out}");
    assert!(
        a["moved_kept"]
            .as_str()
            .is_some_and(|w| w.contains("/handpicked")),
        "{out}"
    );
    assert!(
        env.config_text()
            .contains(&format!("url = \"{}\"", server.url("/handpicked"))),
        "{}",
        env.config_text()
    );
}

/// Found by probing `kb feed add`: the second feed of a site was refused ("a feed named
/// \"127.0.0.1\" is already in kb.toml: choose another with --name"), both being named after
/// the site, and one item was "1 items".
#[test]
fn a_second_feed_of_a_site_gets_a_name_of_its_own_and_says_so() {
    let server = Server::start(
        |req| match req.target.split('?').next().unwrap_or_default() {
            "/feed/" | "/comments/feed/" | "/" => {
                Response::rss(rss("http://blog.example/", &[("a", "Alpha")]))
            }
            _ => Response::status(404),
        },
    );
    let env = Env::empty();
    let out = env.ok(&["feed", "add", &server.url("/feed/")]);
    assert!(
        out.contains(&format!(
            "added blog.example: {}, 1 item now; run `kb sync`",
            server.url("/feed/")
        )),
        "{out}"
    );
    let out = env.ok(&["feed", "add", &server.url("/comments/feed/")]);
    assert!(
        out.contains(&format!(
            "added blog.example-comments: {}, 1 item now (named blog.example-comments: feed \"blog.example\" has the site's name; `--name` chooses another); run `kb sync`",
            server.url("/comments/feed/")
        )),
        "{out}"
    );
    // Nothing in the path tells this one apart: numbered.
    let out = env.ok(&["feed", "add", &server.url("/")]);
    assert!(out.contains("added blog.example-2: "), "{out}");
    let names: Vec<_> = env
        .feed_rows()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        ["blog.example", "blog.example-comments", "blog.example-2"]
    );
    // A name given that is taken is still refused.
    let (_, err) = env.fails(&[
        "feed",
        "add",
        &server.url("/feed/?x"),
        "--name",
        "blog.example",
    ]);
    assert!(err.contains("choose another with --name"), "{err}");
}

/// Found by probing `kb feed add`: a link inside `<template>` was named as another feed of the
/// page, and so was a link kb had just failed to read (a 404).
#[test]
fn add_names_only_the_other_feeds_it_could_read() {
    let server = Server::start(|req| match req.target.as_str() {
        "/" => Response::new(
            200,
            "text/html",
            "<html><head>\
             <template><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/in-template.xml\"></template>\
             <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Main\" href=\"/missing.xml\">\
             <link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom.xml\">\
             <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Comments\" href=\"/comments.xml\">\
             </head></html>",
        ),
        "/atom.xml" | "/comments.xml" | "/in-template.xml" => {
            Response::rss(rss("http://blog.example/", &[("a", "Alpha")]))
        }
        _ => Response::status(404),
    });
    let env = Env::empty();
    let added = env.json(&["feed", "add", &server.url("/"), "--json"]);
    assert_eq!(added["url"], server.url("/atom.xml"), "{added}");
    assert_eq!(
        added["other_feeds"],
        serde_json::json!([server.url("/comments.xml")]),
        "{added}"
    );
    assert!(server.hits("/in-template.xml").is_empty());
}

/// Found by probing `kb sync`: a password in a feed URL (`user:pass@`) was printed in clear in
/// the sync line, the `kb: error:` line and `kb feed list`, and so in cron mail and CI logs. It
/// is still sent, and kept in kb.toml.
#[test]
fn a_password_in_a_feed_url_is_never_printed() {
    let server = Server::start(|req| {
        if req.header("Authorization") == Some("Basic dXNlcjpzZWNyZXQ=") {
            Response::status(403)
        } else {
            Response::status(401)
        }
    });
    let url = server.url("/feed/").replacen("://", "://user:secret@", 1);
    let shown = server.url("/feed/").replacen("://", "://user:***@", 1);
    let env = Env::new(&format!("{FAST_FETCH}{}", feed_toml("f", &url)));
    let (out, err) = env.fails(&["sync", "-v"]);
    assert!(
        out.contains(&format!("f: failed: http 403 forbidden from {shown}")),
        "{out}"
    );
    assert!(
        err.contains(&format!("kb: error: f: http 403 forbidden from {shown}")),
        "{err}"
    );
    let json = String::from_utf8(env.kb(&["sync", "--json"]).stdout).unwrap();
    assert!(json.contains(&shown), "{json}");
    let list = env.ok(&["feed", "list"]);
    assert!(list.contains(&shown), "{list}");
    let rows = env.json(&["feed", "list", "--json"]);
    assert_eq!(rows["feeds"][0]["url"], shown);
    for text in [json, list, rows.to_string(), out, err] {
        assert!(!text.contains("secret"), "{text}");
    }
    assert!(env.config_text().contains(&url), "kb.toml keeps it");
    let out = env.ok(&["feed", "rm", "f"]);
    assert!(out.contains(&shown) && !out.contains("secret"), "{out}");
    let (_, err) = env.fails(&["feed", "add", &url]);
    assert!(err.contains(&shown) && !err.contains("secret"), "{err}");
    assert!(env.config_text().find("secret").is_none(), "removed");
}

/// A server that accepts connections and never answers, on 127.0.0.2 (its own host): its URL,
/// and how many connections it accepted.
fn silent_host() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.2:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = std::sync::Arc::clone(&accepted);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    (format!("http://127.0.0.2:{port}/feed/"), accepted)
}

/// Found by probing: `kb feed add URL` and `kb parse URL` on a server that accepts and never
/// answers waited out all 4 attempts in silence (4 minutes at the default timeout), where
/// `kb sync` gives a host up after 2. They give up as sync does, and say what they wait for.
#[test]
fn add_and_parse_give_a_silent_server_up_after_two_attempts_and_say_they_wait() {
    use std::sync::atomic::Ordering;
    for args in [&["feed", "add"][..], &["parse"][..]] {
        let (url, accepted) = silent_host();
        let env =
            Env::new("[fetch]\nconnect_timeout_secs = 2\ntimeout_secs = 2\nmax_retries = 3\n");
        let started = std::time::Instant::now();
        let mut all = args.to_vec();
        all.push(&url);
        let (_, err) = env.fails(&all);
        assert_eq!(accepted.load(Ordering::SeqCst), 2, "{args:?}: {err}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(8),
            "{args:?}"
        );
        assert!(
            err.contains(&format!("kb: waiting for {url}")) && err.contains("timeout_secs"),
            "{args:?}: {err}"
        );
        // It said "4 attempts at most", then gave up after 2.
        assert!(
            err.contains("4 attempts at most, 2 if the host never answers"),
            "{args:?}: {err}"
        );
        assert!(err.contains("kb: error: no answer from"), "{args:?}: {err}");
    }
}

/// Found by probing `kb feed add`: a URL that answers with a temporary redirect (302) to a feed
/// already in kb.toml was added as a second feed, so every sync fetched the same feed twice and
/// stored its articles under both names.
#[test]
fn add_refuses_a_url_that_redirects_to_a_feed_already_there() {
    let server = Server::start(|req| match req.target.as_str() {
        "/feed/" => Response::rss(rss("http://blog.example/", &[("a", "Alpha")])),
        "/go" => Response::redirect(302, "/feed/"),
        "/page" => Response::new(
            200,
            "text/html",
            "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/go\">\
             </head><body>hi</body></html>",
        ),
        _ => Response::status(404),
    });
    let env = Env::new(&feed_toml("blog", &server.url("/feed/")));
    for given in ["/go", "/page"] {
        let (_, err) = env.fails(&["feed", "add", &server.url(given), "--name", "other"]);
        assert!(
            err.contains("already in") && err.contains("\"blog\"") && err.contains("/go"),
            "{given}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    assert!(
        !env.config_text().contains("other"),
        "{}",
        env.config_text()
    );
}

/// Two `kb feed add` at once, and a `kb feed rm` during one: each command read kb.toml, checked
/// its feed over the network for a while, then saved its copy over the file, so one added feed
/// was lost and a removed feed came back (found by probing concurrent commands). Now an edit
/// waits for another's, and `feed add` adds to the file as it is after its check.
#[test]
fn overlapping_feed_edits_keep_every_change() {
    let server = Server::start(|req| match req.target.as_str() {
        "/slow-a" => Response::rss(rss("http://a.example/", &[("a", "Alpha")]))
            .delay(std::time::Duration::from_millis(1500)),
        "/slow-b" => Response::rss(rss("http://b.example/", &[("b", "Beta")]))
            .delay(std::time::Duration::from_millis(500)),
        _ => Response::rss(rss("http://c.example/", &[("c", "Gamma")])),
    });
    let env = Env::new(&format!(
        "# my feeds\n{}",
        feed_toml("old", &server.url("/old"))
    ));
    let mut first = env
        .command(&["feed", "add", &server.url("/slow-a"), "--name", "one"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut second = env
        .command(&["feed", "add", &server.url("/slow-b"), "--name", "two"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    env.ok(&["feed", "rm", "old"]);
    assert!(first.wait().unwrap().success());
    assert!(second.wait().unwrap().success());
    let text = env.config_text();
    assert!(text.starts_with("# my feeds"), "{text}");
    assert!(text.contains("name = \"one\""), "{text}");
    assert!(text.contains("name = \"two\""), "{text}");
    assert!(!text.contains("name = \"old\""), "{text}");
    // The same feed again, under another name, is refused, not listed twice.
    let mut third = env
        .command(&["feed", "add", &server.url("/slow-a"), "--name", "three"])
        .spawn()
        .unwrap();
    let _ = third.wait();
    assert_eq!(env.config_text().matches("/slow-a").count(), 1);
}

/// Two `kb feed add` at once of two feeds of one site, without `--name`: both chose the site's
/// name from the file as it was before either, and the slower one failed ("choose another with
/// --name"), where one after the other the second gets a name of its own (found by reading the
/// code). The name is chosen from the file as it is when the feed is added.
#[test]
fn overlapping_adds_of_one_sites_feeds_name_each_on_its_own() {
    let site = "http://site.example/";
    let server = Server::start(move |req| match req.target.as_str() {
        "/news/feed/" => Response::rss(rss(site, &[("a", "Alpha")]))
            .delay(std::time::Duration::from_millis(1500)),
        _ => Response::rss(rss(site, &[("b", "Beta")])),
    });
    let env = Env::new("# my feeds\n");
    let slow = env
        .command(&["feed", "add", &server.url("/news/feed/")])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    env.ok(&["feed", "add", &server.url("/tech/feed/")]);
    let out = slow.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = env.config_text();
    assert!(text.contains("name = \"site.example\""), "{text}");
    assert!(text.contains("name = \"site.example-news\""), "{text}");
}

/// kb.toml on a full disk (here a file-size limit): one line naming the config, the cause and
/// the way out, exit 1, the file unchanged. It named tempfile's random `.tmpXXXX` file and
/// gave no way out (found by probing).
#[test]
fn a_config_that_cannot_be_saved_for_want_of_space_is_said_plainly() {
    let env = Env::new(&format!(
        "# my feeds\n{}{}",
        "# a long comment line to make the file larger than the limit\n".repeat(40),
        feed_toml("old", "http://127.0.0.1:9/old")
    ));
    let before = env.config_text();
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -f 1 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_kb"))
        .args(env.command(&["feed", "rm", "old"]).get_args())
        .current_dir(env.path())
        .env_remove("KB_INDEX")
        .env_remove("KB_CONFIG");
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot write config"), "{err}");
    assert!(err.contains("free some disk space"), "{err}");
    // No temporary file named (the test's own directory is a temporary one).
    let dir = env.path().display().to_string();
    assert!(!err.replace(&dir, "").contains(".tmp"), "{err}");
    assert_eq!(env.config_text(), before);
}
