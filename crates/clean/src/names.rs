//! Lookups in the cleaner's sets of element and attribute names.
//!
//! Every set is a sorted `&[&str]` searched by binary search: the cleaner asks several of them
//! about every element of every article, and a linear scan of forty names was a measurable part
//! of ingest. The sets stay plain sorted lists so they read like the HTML spec's.

/// Whether `name` is in `list`, which must be sorted (checked for every list by the test
/// below).
pub(crate) fn listed(list: &[&str], name: &str) -> bool {
    list.binary_search(&name).is_ok()
}

/// Where `name` sits in `list` (sorted), for per-name counters.
pub(crate) fn position(list: &[&str], name: &str) -> Option<usize> {
    list.binary_search(&name).ok()
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
        for (name, list) in lists {
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
