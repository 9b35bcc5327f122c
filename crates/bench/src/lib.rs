//! kb-bench: a deterministic feed corpus and the workload kb is measured on.
//!
//! Owns: generating N WordPress-style RSS 2.0 feed files shaped like the smbITpros seed (Zipf-like
//! words, paragraphs, lists, links, entities, categories, authors, dates spread over twenty years,
//! the SexyBookmarks and tweet-this clutter) from a seed, byte-identical on every platform
//! ([`generate`], [`CorpusSpec`], [`Manifest`]); and the query workload measured against it
//! ([`queries`], [`BenchQuery`], [`QueryKind`]).
//!
//! Does not own: kb itself. The `kb-bench` binary (`src/main.rs`) drives kb's parse, clean and
//! store crates and the SQLite FTS5 baseline over this corpus and prints the figures; nothing here
//! asserts a time (see crates/bench/README.md).
//!
//! ```no_run
//! use kb_bench::{CorpusSpec, generate};
//! let manifest = generate(&CorpusSpec::new(1_000, 42), std::path::Path::new("target/corpus"), 2)?;
//! println!("{} feeds, {} bytes of XML", manifest.files.len(), manifest.xml_bytes);
//! # Ok::<(), kb_bench::BenchError>(())
//! ```

mod corpus;
mod error;
mod rng;
mod vocab;
mod workload;

pub use corpus::{
    CATEGORIES, CorpusSpec, GENERATOR_VERSION, Manifest, generate, marker_hits, published_at,
};
pub use error::BenchError;
pub use rng::Rng;
pub use vocab::{MARKERS, PHRASES, VOCAB_SIZE, Vocab};
pub use workload::{BenchQuery, QueryKind, queries};
