//! `kb.toml`: the feeds this checkout syncs, and optional settings.
//!
//! Reading goes through serde ([`Config`]); writing (`kb feed add`, a 301 seen by `kb sync`)
//! goes through [`edit::ConfigFile`], which changes the file in place and keeps its comments.

pub mod edit;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::args::Cli;

/// The config file when neither `--config` nor `KB_CONFIG` names one.
pub const DEFAULT: &str = "kb.toml";

/// A config that cannot be read as TOML at all (a directory, not UTF-8, a syntax error), as
/// against one that reads but sets something wrong.
#[derive(Debug)]
pub struct Unreadable(String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreadable {}

/// The parsed config file, with the directory its relative paths are relative to.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Feeds, in the order they are listed.
    #[serde(default, rename = "feed")]
    pub feeds: Vec<FeedConfig>,
    /// HTTP settings for all feeds.
    #[serde(default)]
    pub fetch: FetchConfig,
    /// Extra noise-removal rules.
    #[serde(default)]
    pub clean: CleanConfig,
    /// Directory of the config file.
    #[serde(skip)]
    pub dir: PathBuf,
    /// The config file itself, as given (it may not exist yet).
    #[serde(skip)]
    pub path: PathBuf,
    /// Whether the file existed.
    #[serde(skip)]
    pub exists: bool,
    /// Why the file could not be used, when a command that only reads the KB went on without
    /// it (see [`Config::for_command`]).
    #[serde(skip)]
    pub unusable: Option<String>,
}

/// One `[[feed]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// Short name, shown in summaries and usable in `--feed`.
    pub name: String,
    /// Feed URL.
    pub url: String,
    /// Local copy used by `kb sync --offline` (relative to the config file).
    #[serde(default)]
    pub fixture: Option<PathBuf>,
    /// Category for grouping (OPML folders).
    #[serde(default)]
    pub category: Option<String>,
    /// Total timeout for this feed, overriding `[fetch] timeout_secs`.
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// `[fetch]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchConfig {
    /// Connect timeout in seconds (default 10).
    pub connect_timeout_secs: Option<u64>,
    /// Total timeout per request in seconds (default 60).
    pub timeout_secs: Option<u64>,
    /// Largest accepted feed body in bytes, after decompression (default 20 MiB).
    pub max_body_bytes: Option<u64>,
    /// Retries after a timeout, a connection error, 429 or 5xx (default 3; 0 disables; at most
    /// [`MAX_RETRIES`]).
    #[serde(default, deserialize_with = "retries")]
    pub max_retries: Option<u32>,
    /// Requests in flight at once, over all feeds (default 16; 0 is taken as 1).
    pub concurrency: Option<usize>,
    /// Requests in flight at once to one host (default 2; 0 is taken as 1): politeness towards
    /// each publisher.
    pub concurrency_per_host: Option<usize>,
}

/// The most `[fetch] max_retries` may be. Each retry waits twice as long as the one before
/// (up to a minute), on top of its own timeout: a typo such as 300 for 3 kept one dead feed
/// retrying, and a cron job's `kb sync` running, for hours.
pub const MAX_RETRIES: u32 = 10;

/// `max_retries`, refused past [`MAX_RETRIES`]; an error raised while the value is read
/// carries its place in the file (`kb.toml:3:15`), as a syntax error does.
fn retries<'de, D: serde::Deserializer<'de>>(value: D) -> Result<Option<u32>, D::Error> {
    // Read wider than u32 so that 4294967296 gets this message too, not a type error.
    let n = u64::deserialize(value)?;
    match u32::try_from(n) {
        Ok(n) if n <= MAX_RETRIES => Ok(Some(n)),
        _ => Err(serde::de::Error::custom(format!(
            "max_retries = {n} is more than {MAX_RETRIES}: each retry waits longer than the \
             last, so a feed that is down would hold up kb sync for hours; use 0 to \
             {MAX_RETRIES} (default 3)"
        ))),
    }
}

/// `[clean]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CleanConfig {
    /// Rules added to the built-in noise table.
    #[serde(default)]
    pub rules: Vec<kb_clean::NoiseRule>,
    /// Longest HTML body cleaned, in bytes, not counting inline `data:` images (default 1 MiB);
    /// a longer one is cut with a warning.
    pub max_input_bytes: Option<usize>,
}

impl Config {
    /// The config `cli` names, as its command needs it. A config given with `--config` or
    /// `KB_CONFIG` that does not exist is an error (a typo there otherwise surfaced as a
    /// missing KB), except for the commands that create it; the default `kb.toml` may be
    /// missing. Commands that only read the KB need no feed list: a config they cannot use
    /// (a half-typed edit) is a warning, not a lock-out from the whole archive.
    pub fn for_command(cli: &Cli) -> Result<Config> {
        let path = cli.config.as_deref().unwrap_or(Path::new(DEFAULT));
        match Config::load(path) {
            Ok(c) if !c.exists && cli.config.is_some() && !cli.command.creates_config() => {
                anyhow::bail!(
                    "config {} does not exist: check the path given with --config (or KB_CONFIG), or create the file with `kb feed add URL`",
                    path.display()
                )
            }
            // `kb parse` stores nothing, yet what it prints follows the [clean] and [fetch]
            // settings: a file it cannot read at all does not stop it, a wrong setting does.
            Err(e)
                if !cli.command.needs_config()
                    || matches!(cli.command, crate::args::Command::Parse(_))
                        && e.is::<Unreadable>() =>
            {
                let why = format!("{e:#}");
                // Not eprintln!, which panics when stderr is closed: the results still count.
                // Doctor reports it among its checks instead.
                let then = match cli.command {
                    crate::args::Command::Doctor(_) => None,
                    crate::args::Command::Parse(_) => {
                        Some("kb parse goes on with the built-in cleaning rules only")
                    }
                    _ => Some("reading commands go on, fix it before the next sync"),
                };
                if let Some(then) = then {
                    let _ = writeln!(
                        std::io::stderr(),
                        "kb: warning: {}; {then}",
                        crate::out::safe(&why, false)
                    );
                }
                Ok(Config {
                    dir: Config::dir_of(path),
                    path: path.to_path_buf(),
                    unusable: Some(why),
                    ..Config::default()
                })
            }
            r => r,
        }
    }

    /// The directory relative paths of the config at `path` start from.
    fn dir_of(path: &Path) -> PathBuf {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Load `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Config> {
        let dir = Config::dir_of(path);
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config {
                    dir,
                    path: path.to_path_buf(),
                    ..Config::default()
                });
            }
            Err(_) if path.is_dir() => {
                return Err(Unreadable(format!(
                    "config {} is a directory, not a file: give the file with --config, or move the directory out of the way",
                    path.display()
                ))
                .into());
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read config {}", path.display()));
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                // Where the first bad byte is, as a syntax error says it: garbage, or a file
                // saved in a legacy encoding (a Latin-1 `é` in a comment).
                let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                let last = before.rsplit(|&b| b == b'\n').next().unwrap_or_default();
                let column = String::from_utf8_lossy(last).chars().count() + 1;
                return Err(Unreadable(format!(
                    "config {}:{line}:{column} is not UTF-8 text: save it as UTF-8",
                    path.display()
                ))
                .into());
            }
        };
        // `kb.toml:2:12: invalid basic string`: where, then what, as compilers say it. The
        // error's own text is a multi-line excerpt with a caret, unreadable on one line.
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            let at = e.span().map_or(String::new(), |span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(":{line}:{column}")
            });
            Unreadable(format!(
                "config {}{at} is invalid: {}",
                path.display(),
                e.message().trim().lines().collect::<Vec<_>>().join(" ")
            ))
        })?;
        // Names key a feed's fetch state and its articles: two feeds named alike would share
        // them, and an empty name cannot be picked with `--feed`.
        let mut seen = std::collections::HashSet::new();
        for f in &config.feeds {
            if f.name.trim().is_empty() {
                anyhow::bail!(
                    "config {} has a feed without a name (url {:?}): give it `name = \"...\"`",
                    path.display(),
                    f.url
                );
            }
            if !seen.insert(f.name.as_str()) {
                anyhow::bail!(
                    "config {} names feed {:?} twice: a name is a feed's key (its fetch state and its articles); rename one",
                    path.display(),
                    f.name
                );
            }
        }
        // A zero timeout would fail every fetch at once with a message about time, not about
        // the setting: refuse it here, where the setting's name is known.
        let zero = |secs: Option<u64>| secs == Some(0);
        if zero(config.fetch.timeout_secs) || zero(config.fetch.connect_timeout_secs) {
            let key = if zero(config.fetch.timeout_secs) {
                "timeout_secs"
            } else {
                "connect_timeout_secs"
            };
            anyhow::bail!(
                "config {} sets [fetch] {key} = 0: a timeout must be at least 1 second",
                path.display()
            );
        }
        if config.fetch.max_body_bytes == Some(0) {
            anyhow::bail!(
                "config {} sets [fetch] max_body_bytes = 0: every feed would be refused as too large; use at least a few thousand bytes (default 20971520)",
                path.display()
            );
        }
        if config.clean.max_input_bytes == Some(0) {
            anyhow::bail!(
                "config {} sets [clean] max_input_bytes = 0: that would leave every article empty; use at least a few thousand bytes (default 1048576)",
                path.display()
            );
        }
        if let Some(f) = config.feeds.iter().find(|f| zero(f.timeout_secs)) {
            anyhow::bail!(
                "config {} sets timeout_secs = 0 for feed {:?}: a timeout must be at least 1 second (or remove it to use [fetch] timeout_secs)",
                path.display(),
                f.name
            );
        }
        config.dir = dir;
        config.path = path.to_path_buf();
        config.exists = true;
        Ok(config)
    }

    /// Which feed an article that several feeds carry is filed under: the first of them in
    /// this file. Sync, reindex and doctor must agree on it.
    pub fn feed_precedence(&self) -> kb_store::FeedPrecedence {
        kb_store::FeedPrecedence::new(self.feed_order())
    }

    /// The feeds' names in kb.toml's order (see [`kb_store::FeedStates::feed_order`]).
    pub fn feed_order(&self) -> Vec<String> {
        self.feeds.iter().map(|f| f.name.clone()).collect()
    }

    /// The default KB directory: `index` next to the config file.
    pub fn default_index(&self) -> PathBuf {
        self.dir.join("index")
    }

    /// A fixture path resolved against the config directory.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }
}
