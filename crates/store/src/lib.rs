//! kb-store: the knowledge-base directory — tantivy index, raw-feed archive, feed state.
//!
//! Owns: the on-disk layout of a KB directory, the tantivy schema and its analyzers, upserting
//! [`Article`]s (delete term + add, one commit per batch, no commit when nothing changed),
//! searching ([`SearchRequest`] -> [`SearchResults`] of [`SearchHit`]s), listing, facet counts,
//! the content-addressed archive of every raw feed document ever fetched ([`Archive`]), the
//! per-feed fetch state ([`FeedStates`]), the writer lock that keeps two syncs apart, and the
//! checks of `kb doctor` ([`diagnose`]).
//!
//! Full-text fields are split into words at anything not a letter or digit; a run of Chinese,
//! Japanese or Korean characters becomes its overlapping character pairs, and a hyphenated
//! word (`Wi-Fi`) also yields its joined form (`wifi`, at its last part's position), so either
//! spelling finds the other; so does a word joined by an apostrophe (`Xi'an` also `xian`). A
//! possessive `s` is no word (`owner's` is `owner`). Words are
//! stemmed, an acronym's plural to its singular (`PCs` as `pc`). A query word is analysed the
//! same way and its tokens match as a phrase; a hyphenated one matches its parts in a row or
//! its joined form, whichever scores better, and one of letters and digits (`office365`) also
//! matches them apart ("Office 365"); a word with another British or American spelling also
//! matches that one where an article holds it (`color` "colour", `organized` "organised"). An
//! index made before this analysis (an older format, see [`SCHEMA_VERSION`]) must be rebuilt:
//! reading commands point to `kb reindex`, and `kb sync` rebuilds it first.
//!
//! Does not own: fetching, parsing or cleaning. `kb reindex` is driven by the CLI: it reads the
//! archive through this crate, runs parse and clean, and writes a fresh index through this crate.
//! The index is derived data; the archive is the source of truth.
//!
//! Layout of a KB directory:
//!
//! ```text
//! kb.json                 format version + the name of the live index directory
//! tantivy-<n>/            the live tantivy index (a new one is built by reindex, then swapped)
//! tantivy-<n>/kb-words    the words its articles write, before stemming (vocabulary.rs)
//! archive/objects/xx/…    raw feed documents, zstd-compressed, named by the SHA-256 of the raw bytes
//! archive/log.jsonl       append-only log: which feed fetched which object, when
//! archive/indexed.json    how much of the log the live index holds (a sync catches up the rest)
//! feeds.json              per-feed fetch state (validators, last status, dead flag)
//! lock                    held (advisory OS lock) by the process writing to this KB
//! verified.json           segment files known intact (size, mtime, inode, ctime): a cache for sync
//! ```
//!
//! ```no_run
//! use kb_store::{Kb, SearchRequest};
//! let kb = Kb::open(std::path::Path::new("index"))?;
//! let results = kb.search(&SearchRequest::new("first position"))?;
//! for hit in results.hits {
//!     println!("{} {}", hit.id, hit.title);
//! }
//! # Ok::<(), kb_store::StoreError>(())
//! ```

mod aliases;
mod archive;
mod conjunction;
mod doctor;
mod error;
mod kb;
mod lock;
mod pairs;
mod query;
mod readable;
mod schema;
mod search;
mod spelling;
mod state;
mod stem;
mod verify;
mod versions;
mod vocabulary;
mod words;
mod writer;

pub use aliases::{AliasKey, Aliases, Stored, identify_document};
pub use archive::{Archive, ArchiveEntry};
pub use doctor::{Check, Diagnosis, RELIST, diagnose, remove_leftovers};
pub use error::{StoreError, is_out_of_space};
pub use kb::{Kb, SCHEMA_VERSION};
pub use kb_clean::Article;
pub use lock::WriteLock;
pub use query::closest_feed_names;
pub use search::{
    Articles, Compound, Excluded, FacetCount, Facets, Highlight, ListRequest, ListResults, Nearly,
    Relaxed, Respelling, SearchHit, SearchRequest, SearchResults, SortOrder, UnknownName,
};
pub use state::{FeedState, FeedStates, SeenDocument};
pub use versions::{HeldVersion, next_version};
pub use writer::{FeedPrecedence, KbWriter, LatestLoader, UpsertOutcome, UpsertReport};
