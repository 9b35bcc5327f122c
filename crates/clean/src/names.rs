//! Lookups in the cleaner's sets of element and attribute names.
//!
//! Every set is a sorted `&[&str]`, read like the HTML spec's lists. The cleaner asks several
//! of them about every element of every article, so the lookup compares lengths and first bytes
//! before any string comparison: a plain `contains` or a binary search calls `memcmp` for most
//! entries, and that was a tenth of ingest time.

/// Whether `name` is in `list`.
pub(crate) fn listed(list: &[&str], name: &str) -> bool {
    position(list, name).is_some()
}

/// Where `name` sits in `list`, for per-name counters.
pub(crate) fn position(list: &[&str], name: &str) -> Option<usize> {
    let first = *name.as_bytes().first()?;
    list.iter().position(|entry| {
        entry.len() == name.len() && entry.as_bytes()[0] == first && *entry == name
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_name_list_is_sorted_and_unique() {
        let lists: &[(&str, &[&str])] = &[
            ("guard::FORMATTING", crate::guard::FORMATTING),
            ("guard::VOID", crate::guard::VOID),
            ("guard::RAW_TEXT", crate::guard::RAW_TEXT),
            ("guard::CLOSES_P", crate::guard::CLOSES_P),
            ("guard::SCOPE", crate::guard::SCOPE),
            ("guard::SPECIAL", crate::guard::SPECIAL),
            ("html::EMPTIABLE", crate::html::EMPTIABLE),
            ("html::MEDIA", crate::html::MEDIA),
            ("sanitize::ALLOWED", crate::sanitize::ALLOWED),
            ("sanitize::VOID", crate::sanitize::VOID),
            ("sanitize::DROPPED", crate::sanitize::DROPPED),
            (
                "sanitize::GENERIC_ATTRIBUTES",
                crate::sanitize::GENERIC_ATTRIBUTES,
            ),
            ("sanitize::URL_ATTRIBUTES", crate::sanitize::URL_ATTRIBUTES),
            ("text::SKIPPED", crate::text::SKIPPED),
            ("text::BLOCKS", crate::text::BLOCKS),
        ];
        for (name, list) in lists.iter().chain(&crate::stray::LISTS) {
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "{name} must be sorted and without duplicates"
            );
            for entry in *list {
                assert!(super::listed(list, entry));
            }
        }
        assert!(!super::listed(crate::text::BLOCKS, "span"));
    }
}
