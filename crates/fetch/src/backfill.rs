//! Addresses of a blog's older pages, for `kb sync --backfill` (issue 4.5).

/// The URL of page `page` of a WordPress feed: `feed_url` with its `paged`
/// query parameter set to `page` (added, or replacing one already there).
/// Every other part of the URL is kept byte for byte, including the encoding
/// of the other query parameters and a fragment.
///
/// WordPress serves its archive this way: `/feed/?paged=2` holds the items
/// just older than `/feed/`, and a page past the end answers 404.
pub fn wordpress_page_url(feed_url: &str, page: u32) -> String {
    let (rest, fragment) = match feed_url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (feed_url, None),
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != "paged" && !pair.starts_with("paged="))
        .collect();
    let paged = format!("paged={page}");
    pairs.push(&paged);
    let mut url = format!("{path}?{}", pairs.join("&"));
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::wordpress_page_url;

    #[test]
    fn adds_paged() {
        assert_eq!(
            wordpress_page_url("http://smbitpros.com/feed/", 2),
            "http://smbitpros.com/feed/?paged=2"
        );
    }

    #[test]
    fn replaces_paged_and_keeps_other_parameters() {
        assert_eq!(
            wordpress_page_url("http://x.example/?feed=rss2&paged=3&cat=a%20b", 4),
            "http://x.example/?feed=rss2&cat=a%20b&paged=4"
        );
        assert_eq!(
            wordpress_page_url("http://x.example/feed/?paged", 2),
            "http://x.example/feed/?paged=2"
        );
    }

    #[test]
    fn keeps_a_fragment_and_ignores_lookalikes() {
        assert_eq!(
            wordpress_page_url("http://x.example/feed/?pagedx=1#top", 2),
            "http://x.example/feed/?pagedx=1&paged=2#top"
        );
        assert_eq!(
            wordpress_page_url("http://x.example/feed/?", 5),
            "http://x.example/feed/?paged=5"
        );
    }
}
