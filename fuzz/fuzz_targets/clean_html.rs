//! Arbitrary UTF-8 through `kb_clean::clean_html` and `clean_inline`, checking what the cleaner
//! promises (crates/clean/tests/common/promises.rs, shared with the test that replays the
//! committed corpus in crates/clean/tests/fuzz_corpus.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/clean/tests/common/promises.rs"]
mod promises;

fuzz_target!(|data: &[u8]| {
    if let Ok(html) = std::str::from_utf8(data) {
        promises::check(html);
    }
});
