//! Command-line arguments (clap derive). Help texts here are the user's manual: keep them true.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};

use crate::cmd::parse_bound;

/// `--since`: a bare date, month or year starts at its first second.
fn since_arg(s: &str) -> Result<DateTime<Utc>, String> {
    parse_bound(s, false).ok_or_else(|| DATE_FORMS.to_string())
}

/// `--until`: a bare date, month or year ends at its last second.
fn until_arg(s: &str) -> Result<DateTime<Utc>, String> {
    parse_bound(s, true).ok_or_else(|| DATE_FORMS.to_string())
}

/// What clap adds to "invalid value 'x' for `--since <DATE>`".
const DATE_FORMS: &str = "not a date: use YYYY-MM-DD, YYYY-MM, YYYY, an RFC 3339 time like \
     2010-03-04T12:00:00Z, today, yesterday, or a time back like 12h, 7d, 2w, 6mo, 1y";

/// kb: a searchable, offline archive of the feeds you follow.
///
/// kb fetches RSS/Atom/JSON feeds, keeps every article it ever saw (even after it drops out of
/// the feed), strips the HTML and share-widget clutter, and indexes everything for full-text
/// search.
///
/// Quick start:
///   kb sync --offline          # ingest the fixtures listed in kb.toml
///   kb search "first position" # search the archive
///   kb show 4e69               # read an article (a unique id prefix is enough)
///
/// Output: results on stdout; counts, notes and hints on stderr (-q drops them). Titles and
/// matched words are bold on a terminal: NO_COLOR (set to anything) or TERM=dumb turns that
/// off, CLICOLOR_FORCE=1 turns it on where stdout is no terminal (kb search x | less -R).
#[derive(Debug, Parser)]
#[command(
    name = "kb",
    version,
    about,
    long_about,
    max_term_width = 100,
    verbatim_doc_comment
)]
pub struct Cli {
    /// Knowledge-base directory [default: `index` next to the config file]
    #[arg(long, global = true, env = "KB_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// Config file listing the feeds [default: kb.toml]
    // No clap default: a file the user names must exist, the default need not (see
    // `Config::for_command`).
    #[arg(long, global = true, env = "KB_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// No progress, notes or summaries: `kb sync` prints only errors, `kb doctor` only
    /// problems; reading commands print only their results, without the counts, notes and
    /// hints they otherwise add on stderr
    // With -v the two would contradict each other: which one wins would be a guess.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log each HTTP request with its outcome, retries and redirects (-vv: also the
    /// validators sent, and every response), each file `kb sync` reads and each document it
    /// does not parse again, and each document `kb reindex` replays
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch the feeds in the config and index new and changed articles.
    ///
    /// Every raw feed document is archived before it is indexed, so `kb reindex` can rebuild
    /// the index at any time. Articles that drop out of a feed stay in the knowledge base.
    /// A document the same as the one its feed last stored is not parsed again (-v says so).
    /// An index written by an older kb (another format) is rebuilt from the archive first.
    /// Exits 1 if any feed failed (the others are still committed).
    ///
    /// Examples:
    ///   kb sync                       # fetch every feed over HTTP
    ///   kb sync --offline             # read each feed's `fixture` file instead
    ///   kb sync --from feed.xml       # ingest one file or URL
    ///   kb sync --backfill            # also walk each blog's archive for older articles
    #[command(verbatim_doc_comment)]
    Sync(SyncArgs),
    /// Manage the feeds listed in the config: add, rm, list, enable, import, export.
    ///
    /// The config file is edited in place: its comments and layout are kept.
    Feed(FeedArgs),
    /// Search the knowledge base.
    ///
    /// Words are matched as indexed: case, accents (é = e), apostrophes (' = ’) and word
    /// endings don't matter ("referrals" finds "referral"), nor a number's thousands grouping
    /// ("240000" finds "240,000", "5.000" finds "5000"). All words must match. Titles weigh
    /// more than bodies, and words standing close together rank higher (three or more in the
    /// very order of the text, higher still).
    ///
    /// A word no article writes as typed whose stem articles hold (a misspelling that stems
    /// as another word: "referal" stems as "refer") is also read as the words one letter off
    /// that articles write, with a stem like its own ("referral"), and a note says so.
    ///
    /// When nothing matches as typed, the search is widened and a note says how: a plain word
    /// that no article holds is matched by similar spelling ("refferal" finds "referral"; never
    /// a word with a digit: "7000" is no "5000"), a dotted number no article holds finds the
    /// longer ones it begins ("802.11" finds "802.11be"), a month name or a year may also mean
    /// when the article appeared ("referrals march"), then fewer of the plain words must match,
    /// down to any one, most first ("people before technology" finds "People first, technology
    /// second"). Phrases, prefixes, scopes, dates and exclusions always hold as typed.
    ///
    /// When every match fits on the first page with room to spare, the articles that miss
    /// one of 3 to 12 words fill the rest, under a heading that says so ("first position
    /// customers technology" also finds the article that says "clients").
    ///
    /// Query syntax:
    ///   first position                  both words, anywhere
    ///   "first position"                the exact phrase ("…"~3: words within 3 positions)
    ///   referral OR lifetime            either word (OR binds tighter than the implicit AND)
    ///   sales -referral                 without a word; also: sales NOT referral
    ///   -273.15   -40                   a minus sign before a digit: the number, no exclusion
    ///   (yoda OR killer) book           parentheses group
    ///   title:referral                  scopes: title: author: category: feed:
    ///   category:"managed services"     a category's exact name, or a word of it
    ///   manag*                          prefix
    ///   referal~   lifetiem~2           typo tolerance: one edit, or two
    ///   published:[2010-03-01 TO 2010-03-10]   date range, inclusive, UTC; * for an open end
    ///   published:2010-03               a year, month or day
    /// Operators are upper case (AND, OR, NOT); field names are not case-sensitive. A malformed
    /// query is refused with the column of the problem (exit 2, a usage error).
    ///
    /// Examples:
    ///   kb search "first position"
    ///   kb search 'referral OR referrals -title:programs'
    ///   kb search "category:marketing published:[2010-03-10 TO *]" --sort date
    ///   kb search referral --category MSP --since 2010-03-01 --facets
    ///   kb search backup --since 2w --sort date     # the last two weeks, newest first
    ///   kb search backup --json | jq '.hits[].title'
    // Verbatim: the syntax table and examples are laid out by hand; clap would reflow them.
    #[command(verbatim_doc_comment)]
    Search(SearchArgs),
    /// Articles most like another one: by id, unique id prefix, or URL.
    ///
    /// Compares the distinctive words of its title and body with every other article's.
    ///
    /// Examples:
    ///   kb related 4e69
    ///   kb related 4e69217e28f61dc7 --limit 3 --json
    // Verbatim here and below: clap would reflow the examples into one line.
    #[command(verbatim_doc_comment)]
    Related(RelatedArgs),
    /// Show one article in full: by id, unique id prefix, or URL.
    ///
    /// Examples:
    ///   kb show 4e69
    ///   kb show http://smbitpros.com/gain-first-position-with-your-managed-services-clients/
    ///   kb show 4e69 --json | jq -r .text
    #[command(verbatim_doc_comment)]
    Show(ShowArgs),
    /// List articles, newest first.
    ///
    /// Articles without a publication date come last, in the order of their ids (the same on
    /// every run).
    ///
    /// Examples:
    ///   kb list --limit 5
    ///   kb list --since 7d                  # published in the last week
    ///   kb list --category MSP --author mike --offset 5
    ///   kb list --json | jq -r '.articles[].url'
    #[command(verbatim_doc_comment)]
    List(ListArgs),
    /// Write every article in full, one JSON object per line (JSON Lines), newest first.
    ///
    /// Each line is what `kb show --json` prints for the article, on one line (id, feed, guid,
    /// title, url, author, categories, published, updated, comments, comments_url, summary,
    /// text, links, enclosure): the knowledge base's articles in a form any tool reads, for a
    /// backup, grep or another program. The filters are those of `kb list`. Articles are read
    /// one at a time, so a whole archive takes little memory. With --output the file is
    /// written beside its place and moved there when complete: a full disk or an interrupted
    /// export leaves the previous file as it was, never half of a new one.
    ///
    /// Examples:
    ///   kb export --output archive.jsonl
    ///   kb export --feed smbitpros --since 2010 | jq -r .title
    ///   kb export | jq -r 'select(.text | test("first position"; "i")) | .url'
    #[command(verbatim_doc_comment)]
    Export(ExportArgs),
    /// Categories with their article counts.
    ///
    /// Examples:
    ///   kb categories
    ///   kb categories --json | jq -r '.categories | first | .name'
    #[command(verbatim_doc_comment)]
    Categories(JsonArg),
    /// Authors with their article counts.
    ///
    /// Examples:
    ///   kb authors
    ///   kb authors --json | jq '.authors | length'
    #[command(verbatim_doc_comment)]
    Authors(JsonArg),
    /// Parse a feed file or URL and print what kb extracts, without storing anything.
    ///
    /// Examples:
    ///   kb parse fixtures/smbitpros.xml --json | head -12
    ///   kb parse fixtures/smbitpros.xml --json | jq '.warnings'
    ///   kb parse https://blog.example/feed/ --json
    #[command(verbatim_doc_comment)]
    Parse(ParseArgs),
    /// Rebuild the index from the archive of raw feed documents, offline.
    ///
    /// Use it after upgrading kb to a version with a new index format, or when the index is
    /// damaged. The old index stays live until the new one is complete.
    Reindex(ReindexArgs),
    /// Check the knowledge base and say how to fix what is wrong.
    ///
    /// Checks kb.json, that the index opens and every segment's checksums verify, that every
    /// archived document decompresses and matches its SHA-256, that the archive log parses,
    /// that the archive and the index agree on every article (id and content), the lock, and
    /// files left by an interrupted run. Exits 0 when all is well, 1 when it found a problem.
    ///
    /// Examples:
    ///   kb doctor
    ///   kb doctor --json | jq '.checks[] | select(.ok | not)'
    ///   kb doctor --fix               # also remove what interrupted runs left behind
    #[command(verbatim_doc_comment)]
    Doctor(DoctorArgs),
    /// Print the completion script of a shell for kb: its commands, options and their values.
    ///
    /// Install it where the shell looks for completions, then start a new shell:
    ///   kb completions bash > ~/.local/share/bash-completion/completions/kb
    ///   kb completions zsh > ~/.zfunc/_kb      # with fpath+=(~/.zfunc) before compinit
    ///   kb completions fish > ~/.config/fish/completions/kb.fish
    ///   kb completions powershell >> $PROFILE
    #[command(verbatim_doc_comment)]
    Completions(CompletionsArgs),
}

impl Command {
    /// Whether the command needs a config it can read: the feed list, the fetch settings or
    /// the noise rules. The others only read the KB, and go on without it.
    pub fn needs_config(&self) -> bool {
        match self {
            Command::Search(_)
            | Command::Related(_)
            | Command::Show(_)
            | Command::List(_)
            | Command::Export(_)
            | Command::Categories(_)
            | Command::Authors(_) => false,
            Command::Doctor(d) => d.fix,
            _ => true,
        }
    }

    /// Whether the command creates the config file when it does not exist.
    pub fn creates_config(&self) -> bool {
        matches!(
            self,
            Command::Feed(FeedArgs {
                command: FeedCommand::Add(_) | FeedCommand::Import(_)
            })
        )
    }
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Read each feed's `fixture` file from the config instead of the network
    #[arg(long, conflicts_with = "from")]
    pub offline: bool,
    /// Ingest one feed file or URL instead of the configured feeds
    // An OsString: a Unix path is bytes, and need not be UTF-8.
    #[arg(long, value_name = "PATH_OR_URL")]
    pub from: Option<std::ffi::OsString>,
    /// Wait this long for another running sync to finish
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub wait: u64,
    /// Print the summary as JSON: {"feeds": [{"name", "source", "status" (ok, not-modified,
    /// failed, skipped, archived), "new", "updated", "unchanged", "warnings", "backfill_pages",
    /// "backfill_stopped", "moved_to", "moved_onto", "moved_kept", "error"}], "new", "updated",
    /// "unchanged", "failed", "committed", "interrupted"}
    #[arg(long)]
    pub json: bool,
    /// Also walk each feed's archive for older articles (feeds fetched over HTTP): RFC 5005
    /// `prev-archive` links, else WordPress `?paged=2`, 3, ...; a walk stops at a 404, an empty
    /// page, or a page with nothing new (so a walk cut short by --max-pages does not resume)
    #[arg(long, conflicts_with = "offline")]
    pub backfill: bool,
    /// With --backfill: read at most N older pages per feed
    #[arg(long, value_name = "N", default_value_t = 50, requires = "backfill")]
    pub max_pages: u32,
}

#[derive(Debug, Args)]
pub struct FeedArgs {
    #[command(subcommand)]
    pub command: FeedCommand,
}

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Add a feed to the config, after checking that URL serves one.
    ///
    /// URL may be a blog's web page: kb then adds the feed the page announces with
    /// <link rel="alternate" type="application/rss+xml">.
    ///
    /// Examples:
    ///   kb feed add https://blog.example/
    ///   kb feed add https://blog.example/feed/ --name blog --category Tech
    #[command(verbatim_doc_comment)]
    Add(FeedAddArgs),
    /// Remove a feed from the config (its articles stay in the knowledge base).
    ///
    /// The comments around the other feeds in kb.toml are kept.
    ///
    /// Examples:
    ///   kb feed rm blog
    ///   kb feed rm https://blog.example/feed/
    #[command(verbatim_doc_comment)]
    Rm(FeedKeyArg),
    /// List the feeds with their last fetch, status and article count.
    ///
    /// --json: {"feeds": [{"name", "url", "category", "last_fetched", "last_status",
    /// "articles", "last_error", "dead", "waiting_until"}]}
    ///
    /// Examples:
    ///   kb feed list
    ///   kb feed list --json | jq -r '.feeds[] | select(.last_error) | .name'
    #[command(verbatim_doc_comment)]
    List(JsonArg),
    /// Sync a feed again that was marked dead after 410 Gone.
    ///
    /// A dead feed is skipped by `kb sync` until it is enabled (or its URL is edited).
    ///
    /// Examples:
    ///   kb feed enable blog
    #[command(verbatim_doc_comment)]
    Enable(FeedKeyArg),
    /// Add the feeds of an OPML file; its folders become the feeds' categories.
    ///
    /// Only adds: feeds already in kb.toml (the same URL) keep their settings.
    ///
    /// Examples:
    ///   kb feed import subscriptions.opml
    ///   kb feed import subscriptions.opml --json | jq '.added | length'
    #[command(verbatim_doc_comment)]
    Import(FeedImportArgs),
    /// Print the feeds as OPML 2.0, categories as folders.
    ///
    /// `kb feed import` reads it back unchanged.
    ///
    /// Examples:
    ///   kb feed export > subscriptions.opml
    #[command(verbatim_doc_comment)]
    Export,
}

#[derive(Debug, Args)]
pub struct FeedAddArgs {
    /// Feed URL, or the URL of a page that links to its feed
    pub url: String,
    /// Short name for the feed [default: the site's host name; when another feed has it, that
    /// name and the feed's path, as in blog.example-comments]
    #[arg(long)]
    pub name: Option<String>,
    /// Category (OPML folder); use / to nest: "Tech/Rust"
    #[arg(long, short = 'c', value_name = "C")]
    pub category: Option<String>,
    /// Print the added feed as JSON: {"name", "url", "category", "found_on", "items",
    /// "other_feeds"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FeedKeyArg {
    /// Feed name (or its URL)
    #[arg(value_name = "NAME_OR_URL")]
    pub feed: String,
    /// Print what was done as JSON: `rm` {"name", "url", "category"} of the feed removed,
    /// `enable` {"name", "was_dead"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FeedImportArgs {
    /// OPML file
    #[arg(value_name = "FILE.opml")]
    pub file: std::path::PathBuf,
    /// Print what was imported as JSON: {"file", "added": [{"name", "url", "category"}],
    /// "already_present": [url], "skipped": [url], "no_feed_url": [htmlUrl or title]}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for (the syntax: `kb search --help`); it may start with -: "-draft backup".
    /// Empty ("") only with a filter: then every article the filters let through, newest first
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// Show at most N hits
    #[arg(
        long,
        short = 'n',
        default_value_t = 10,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub limit: usize,
    /// Skip the first N hits (paging)
    #[arg(
        long,
        default_value_t = 0,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub offset: usize,
    /// Only articles in this category: the whole name with case, accents, spaces and hyphens
    /// ignored (`homelab` is "Home Lab"); else the categories holding its words; else those a
    /// typo away (`pricng`). Repeat for any of several
    #[arg(long, short = 'c', value_name = "C", value_parser = nonblank)]
    pub category: Vec<String>,
    /// Only articles by this author: the whole name with case and accents ignored; else the
    /// names holding its words (`gruber` is "John Gruber"); else those a typo away
    /// (`whitfeld`). Repeat for any of several
    #[arg(long, short = 'a', value_name = "A", value_parser = nonblank)]
    pub author: Vec<String>,
    /// Only articles of this feed: its name, or a word of it (`smbitpros` for
    /// `smbitpros.com`); a name no feed has is an error naming the closest feeds
    #[arg(long, value_name = "NAME", value_parser = nonblank)]
    pub feed: Vec<String>,
    /// Published on or after DATE: YYYY-MM-DD, YYYY-MM or YYYY covers all of it (UTC), as do
    /// `today` and `yesterday`; or an RFC 3339 time; or a time back from now: 12h, 7d, 2w, 6mo,
    /// 1y ("3 days ago" too)
    // Parsed by clap, so a bad date is a usage error (exit 2) like any other bad option value.
    #[arg(long, value_name = "DATE", value_parser = since_arg)]
    pub since: Option<DateTime<Utc>>,
    /// Published on or before DATE, in the forms of --since
    #[arg(long, value_name = "DATE", value_parser = until_arg)]
    pub until: Option<DateTime<Utc>>,
    /// Order of hits
    #[arg(long, value_enum, default_value = "relevance")]
    pub sort: SortArg,
    /// Also count categories, authors, feeds and years of all matches
    #[arg(long)]
    pub facets: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RelatedArgs {
    /// Article id, unique id prefix, or URL
    #[arg(value_name = "ID_OR_URL")]
    pub id: String,
    /// Show at most N articles
    #[arg(
        long,
        short = 'n',
        default_value_t = 10,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub limit: usize,
    /// Skip the first N articles (paging)
    #[arg(
        long,
        default_value_t = 0,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub offset: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    /// Best match first
    Relevance,
    /// Newest first
    Date,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Article id, unique id prefix, or URL
    #[arg(value_name = "ID_OR_URL")]
    pub id: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// The filters of `kb list` and `kb export`.
#[derive(Debug, Args)]
pub struct ArticleFilters {
    /// Only articles in this category (matched as `kb search --category` matches it)
    #[arg(long, short = 'c', value_name = "C", value_parser = nonblank)]
    pub category: Vec<String>,
    /// Only articles by this author (matched as `kb search --author` matches it)
    #[arg(long, short = 'a', value_name = "A", value_parser = nonblank)]
    pub author: Vec<String>,
    /// Only articles of this feed: its name, or a word of it (`smbitpros` for
    /// `smbitpros.com`); a name no feed has is an error naming the closest feeds
    #[arg(long, value_name = "NAME", value_parser = nonblank)]
    pub feed: Vec<String>,
    /// Only articles published on or after DATE, in the forms of `kb search --since`
    /// (2010-03, today, 7d, ...)
    #[arg(long, value_name = "DATE", value_parser = since_arg)]
    pub since: Option<DateTime<Utc>>,
    /// Only articles published on or before DATE, in the same forms
    #[arg(long, value_name = "DATE", value_parser = until_arg)]
    pub until: Option<DateTime<Utc>>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: ArticleFilters,
    /// Show at most N articles
    #[arg(
        long,
        short = 'n',
        default_value_t = 20,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub limit: usize,
    /// Skip the first N articles
    #[arg(
        long,
        default_value_t = 0,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub offset: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filters: ArticleFilters,
    /// Write to FILE (whole, or not at all) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Feed file, http(s) URL, or - for standard input
    #[arg(value_name = "PATH_OR_URL")]
    pub source: std::ffi::OsString,
    /// Print JSON (the only format for now; accepted for scripts)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Wait this long for a running sync to finish
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub wait: u64,
    /// Print JSON: {"index", "articles", "documents", "unrecovered" (the lost documents),
    /// "kept_from_previous_index", "known_lost" (documents `kb doctor --fix` recorded as
    /// lost), "skipped_log_lines", "feeds_json_set_aside"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON: {"ok", "checks": [{"name", "ok", "detail", "fix"}]}
    #[arg(long)]
    pub json: bool,
    /// Repair what needs no rebuild: remove index directories and temporary files left by
    /// interrupted runs, list again in the archive log the documents whose lines were lost,
    /// drop the log's damaged lines, record as lost the archived documents that are missing or
    /// damaged (their articles live on in the index; a sync that fetches one again heals it)
    #[arg(long)]
    pub fix: bool,
    /// With --fix: wait this long for a running sync to finish
    #[arg(long, value_name = "SECS", default_value_t = 30, requires = "fix")]
    pub wait: u64,
}

/// A filter's value: an empty one (`--author ""`, an unset variable) names nobody, and is a
/// usage error as `author:""` in a query is, not "no author matches".
fn nonblank(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        Err("an empty value names nothing: give a name, or leave the option out".into())
    } else {
        Ok(value.to_string())
    }
}

/// Options of `kb search` (and the global ones) that take a value: the argument after one of
/// them is its value, not the query.
const VALUE_OPTIONS: &[&str] = &[
    "-n",
    "--limit",
    "--offset",
    "-c",
    "--category",
    "-a",
    "--author",
    "--feed",
    "--since",
    "--until",
    "--sort",
    "--index",
    "--config",
];

/// `kb search -n5 backup` as POSIX reads it: the query may start with `-` (`"-draft backup"`),
/// so clap took `-n5` for the query (`kb search -n3` listed everything, "not n3") and refused
/// the real one. An attached `-n` value of digits is always the limit. An attached `-c`/`-a`
/// value is not split: `-cloud ups` may be the category "loud" or the exclusion of "cloud",
/// and taking it for a filter answered a silent "no matches"; [`ambiguous_attached`] asks.
pub fn split_attached_values(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let owned: Vec<Option<String>> = args.iter().map(|a| a.to_str().map(str::to_owned)).collect();
    let text: Vec<Option<&str>> = owned.iter().map(Option::as_deref).collect();
    let Some((rest, end)) = search_arguments(&text) else {
        return args;
    };
    let mut out = Vec::with_capacity(args.len() + 2);
    for (k, arg) in args.into_iter().enumerate() {
        let split = match text[k] {
            Some(a) if (rest..end).contains(&k) && a.len() > 2 => a
                .strip_prefix("-n")
                .filter(|value| value.bytes().all(|b| b.is_ascii_digit()))
                .map(|value| ("-n".to_owned(), value.to_owned())),
            _ => None,
        };
        match split {
            Some((flag, value)) => {
                out.push(flag.into());
                out.push(value.into());
            }
            None => out.push(arg),
        }
    }
    out
}

/// Where the subcommand is in `text` (the command line, `None` for an argument that is not
/// UTF-8): the first argument that is neither an option nor an option's value.
fn subcommand_at(text: &[Option<&str>]) -> usize {
    let mut i = 1;
    while i < text.len() {
        match text[i] {
            Some(a) if VALUE_OPTIONS.contains(&a) => i += 2,
            Some(a) if a.starts_with('-') => i += 1,
            _ => break,
        }
    }
    i
}

/// `kb help --help` as `kb help help`: clap's own `help` subcommand takes no `--help`, and
/// refused it as an unknown subcommand (exit 2), though every other command has one.
pub fn help_for_help(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let text: Vec<Option<&str>> = args.iter().map(|a| a.to_str()).collect();
    let at = subcommand_at(&text);
    let asks = text.get(at).copied().flatten() == Some("help")
        && matches!(text.get(at + 1).copied().flatten(), Some("--help" | "-h"));
    if asks {
        args[at + 1] = "help".into();
    }
    args
}

/// Where `kb search`'s own arguments are in `text` (the command line, `None` for an argument
/// that is not UTF-8): from after `search` to a `--` or the end; `None` for other commands.
fn search_arguments(text: &[Option<&str>]) -> Option<(usize, usize)> {
    let i = subcommand_at(text);
    if text.get(i).copied().flatten() != Some("search") {
        return None;
    }
    let rest = i + 1;
    let end = text[rest..]
        .iter()
        .position(|a| *a == Some("--"))
        .map_or(text.len(), |p| rest + p);
    Some((rest, end))
}

/// The usage error for `kb search -cloud ups`: `-c`/`-a` with a value attached, beside another
/// argument that can be the query, is either a filter or an exclusion, and kb will not guess
/// (a guess of "category loud" answered a silent "no matches").
pub fn ambiguous_attached(args: &[std::ffi::OsString]) -> Option<String> {
    let text: Vec<Option<&str>> = args.iter().map(|a| a.to_str()).collect();
    let (rest, end) = search_arguments(&text)?;
    let mut words = 0;
    let mut attached = None;
    let mut j = rest;
    while j < end {
        match text[j] {
            Some(a) if VALUE_OPTIONS.contains(&a) => j += 2,
            Some(a) if a.starts_with("--") => j += 1,
            Some(a) if a.len() > 2 && (a.starts_with("-c") || a.starts_with("-a")) => {
                attached.get_or_insert(a);
                j += 1;
            }
            Some(a) if a.starts_with('-') => j += 1,
            _ => {
                words += 1;
                j += 1;
            }
        }
    }
    let a = attached.filter(|_| words > 0)?;
    let (flag, value) = a.split_at(2);
    let what = if flag == "-c" { "category" } else { "author" };
    Some(format!(
        "{a:?} is ambiguous: write `{flag} {value}` for the {what} {value:?}, or put the whole query in quotes (\"{a} ...\") to leave out {:?}",
        &a[1..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found in `kb search --help`: a doc line wider than the help's 100 columns was cut by
    /// clap inside a paragraph laid out by hand, leaving "…may also mean when the" / "article
    /// appeared" / "(\"referrals march\"), then…" on three ragged lines.
    #[test]
    fn doc_lines_fit_the_help_width() {
        for (n, line) in include_str!("args.rs").lines().enumerate() {
            if let Some(doc) = line.trim_start().strip_prefix("///") {
                let doc = doc.strip_prefix(' ').unwrap_or(doc);
                let width = doc.chars().count();
                assert!(width <= 100, "args.rs:{}: {width} columns: {doc}", n + 1);
            }
        }
    }

    fn split(args: &[&str]) -> Vec<String> {
        split_attached_values(args.iter().map(Into::into).collect())
            .into_iter()
            .map(|a| a.into_string().unwrap_or_default())
            .collect()
    }

    /// Found by probing: `kb search Zürich` (or `東京`, any query whose second byte is inside a
    /// character) panicked, cutting the argument at byte 2 to look for `-n`.
    #[test]
    fn queries_of_any_script_are_left_whole() {
        for q in ["Zürich", "東京", "é", "ñandú", "-ü", "-東京", "--ü"] {
            assert_eq!(split(&["kb", "search", q]), ["kb", "search", q], "{q}");
        }
        assert_eq!(
            split(&["kb", "search", "-n5", "Köln"]),
            ["kb", "search", "-n", "5", "Köln"]
        );
    }

    #[test]
    fn attached_short_values_are_options() {
        assert_eq!(
            split(&["kb", "search", "-n5", "backup"]),
            ["kb", "search", "-n", "5", "backup"]
        );
        assert_eq!(split(&["kb", "search", "-n3"]), ["kb", "search", "-n", "3"]);
        assert_eq!(
            split(&["kb", "--index", "search", "search", "-n2", "backup"]),
            ["kb", "--index", "search", "search", "-n", "2", "backup"]
        );
        // `-cloud ups`: category "loud", or leave out "cloud"? Not split, and asked (below).
        assert_eq!(
            split(&["kb", "search", "-cloud", "ups"]),
            ["kb", "search", "-cloud", "ups"]
        );
        // A query starting with '-' stays one: alone, or not an attached option at all.
        assert_eq!(
            split(&["kb", "search", "-capacity"]),
            ["kb", "search", "-capacity"]
        );
        assert_eq!(
            split(&["kb", "search", "-draft backup"]),
            ["kb", "search", "-draft backup"]
        );
        assert_eq!(
            split(&["kb", "search", "-nope", "x"]),
            ["kb", "search", "-nope", "x"]
        );
        // After `--` everything is the query; other commands are left alone.
        assert_eq!(
            split(&["kb", "search", "x", "--", "-n5"]),
            ["kb", "search", "x", "--", "-n5"]
        );
        assert_eq!(split(&["kb", "list", "-cMSP"]), ["kb", "list", "-cMSP"]);
    }

    #[test]
    fn help_takes_help_as_every_command_does() {
        let run = |args: &[&str]| -> Vec<String> {
            help_for_help(args.iter().map(Into::into).collect())
                .into_iter()
                .map(|a| a.into_string().unwrap_or_default())
                .collect()
        };
        assert_eq!(run(&["kb", "help", "--help"]), ["kb", "help", "help"]);
        assert_eq!(
            run(&["kb", "--index", "x", "help", "-h"]),
            ["kb", "--index", "x", "help", "help"]
        );
        assert_eq!(run(&["kb", "help", "sync"]), ["kb", "help", "sync"]);
        assert_eq!(run(&["kb", "search", "--help"]), ["kb", "search", "--help"]);
        assert_eq!(
            run(&["kb", "search", "help", "-h"]),
            ["kb", "search", "help", "-h"]
        );
    }

    #[test]
    fn an_attached_category_or_author_beside_a_query_is_asked_about() {
        let ask = |args: &[&str]| {
            let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
            ambiguous_attached(&args)
        };
        let msg = ask(&["kb", "search", "-cloud", "ups"]).expect("ambiguous");
        assert!(
            msg.contains("`-c loud` for the category \"loud\"") && msg.contains("\"cloud\""),
            "{msg}"
        );
        assert!(ask(&["kb", "search", "backup", "-aws"]).is_some());
        // Alone it is the query; an option's value is no query; spaced options are clear.
        assert_eq!(ask(&["kb", "search", "-cloud"]), None);
        assert_eq!(ask(&["kb", "search", "-cMSP", "--since", "2019"]), None);
        assert_eq!(ask(&["kb", "search", "-c", "MSP", "backup"]), None);
        assert_eq!(ask(&["kb", "list", "-cMSP", "x"]), None);
        assert_eq!(ask(&["kb", "search", "x", "--", "-cloud"]), None);
    }
}
