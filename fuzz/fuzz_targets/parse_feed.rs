//! Arbitrary bytes through the whole feed path: `kb_parse::parse` with the default limits and
//! with small ones, then `kb_clean::to_article` on every item, with the checks in
//! crates/parse/tests/common/promises.rs (shared with the test that replays the committed
//! corpus in crates/parse/tests/fuzz_corpus.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/parse/tests/common/promises.rs"]
mod promises;

fuzz_target!(|data: &[u8]| promises::check(data));
