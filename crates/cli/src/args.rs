//! Command-line arguments (clap derive). Help texts here are the user's manual: keep them true.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// kb: a searchable, offline archive of the feeds you follow.
///
/// kb fetches RSS/Atom/JSON feeds, keeps every article it ever saw (even after it drops out of
/// the feed), strips the HTML and share-widget clutter, and indexes everything for full-text
/// search.
///
/// Quick start:
///   kb sync --offline          # ingest the fixtures listed in kb.toml
///   kb search "first position" # search the archive
///   kb show 3f2a               # read an article (a unique id prefix is enough)
#[derive(Debug, Parser)]
#[command(name = "kb", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    /// Knowledge-base directory [default: `index` next to the config file]
    #[arg(long, global = true, env = "KB_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// Config file listing the feeds
    #[arg(
        long,
        global = true,
        env = "KB_CONFIG",
        value_name = "FILE",
        default_value = "kb.toml"
    )]
    pub config: PathBuf,

    /// Print nothing but errors
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Log each step (repeat for more detail)
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
    /// Exits 1 if any feed failed (the others are still committed).
    ///
    /// Examples:
    ///   kb sync                       # fetch every feed over HTTP
    ///   kb sync --offline             # read each feed's `fixture` file instead
    ///   kb sync --from feed.xml       # ingest one file or URL
    Sync(SyncArgs),
    /// Search the knowledge base.
    ///
    /// All words must match (stemmed: "referrals" finds "referral"). Titles weigh more than
    /// bodies. Use "quotes" for an exact phrase.
    ///
    /// Examples:
    ///   kb search "first position"
    ///   kb search referral --category MSP --since 2010-03-01
    ///   kb search backup --json | jq '.hits[].title'
    Search(SearchArgs),
    /// Show one article in full: by id, unique id prefix, or URL.
    Show(ShowArgs),
    /// List articles, newest first.
    List(ListArgs),
    /// Categories with their article counts.
    Categories(JsonArg),
    /// Authors with their article counts.
    Authors(JsonArg),
    /// Parse a feed file or URL and print what kb extracts, without storing anything.
    Parse(ParseArgs),
    /// Rebuild the index from the archive of raw feed documents, offline.
    ///
    /// Use it after upgrading kb to a version with a new index format, or when the index is
    /// damaged. The old index stays live until the new one is complete.
    Reindex(ReindexArgs),
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
    #[arg(long, value_name = "PATH_OR_URL")]
    pub from: Option<String>,
    /// Wait this long for another running sync to finish
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub wait: u64,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for
    pub query: String,
    /// Show at most N hits
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Skip the first N hits (paging)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// Only articles in this category (case-insensitive; repeat for any of several)
    #[arg(long, short = 'c', value_name = "C")]
    pub category: Vec<String>,
    /// Only articles by this author (case-insensitive; repeat for any of several)
    #[arg(long, short = 'a', value_name = "A")]
    pub author: Vec<String>,
    /// Only articles of this feed
    #[arg(long, value_name = "NAME")]
    pub feed: Vec<String>,
    /// Published on or after DATE (YYYY-MM-DD covers the whole day, UTC; or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Published on or before DATE (YYYY-MM-DD covers the whole day, UTC; or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
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

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only articles in this category (case-insensitive)
    #[arg(long, short = 'c', value_name = "C")]
    pub category: Vec<String>,
    /// Only articles by this author (case-insensitive)
    #[arg(long, short = 'a', value_name = "A")]
    pub author: Vec<String>,
    /// Only articles of this feed
    #[arg(long, value_name = "NAME")]
    pub feed: Vec<String>,
    /// Show at most N articles
    #[arg(long, short = 'n', default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Skip the first N articles
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Feed file or http(s) URL
    #[arg(value_name = "PATH_OR_URL")]
    pub source: String,
    /// Print JSON (the only format for now; accepted for scripts)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Wait this long for a running sync to finish
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub wait: u64,
}
