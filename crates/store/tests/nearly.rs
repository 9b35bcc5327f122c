//! Near matches: a query half-remembered with one word wrong matched only the articles that
//! happen to hold every word, and the article meant was not on the page. When every match as
//! written fits on the first page, the articles missing one word fill the rest of it, apart.

mod common;

use kb_store::SearchRequest;

const MEANT: &str = "Moving the practice to hosted email";
const HOLDS_ALL: &str = "Quarterly notes";

fn kb() -> (tempfile::TempDir, kb_store::Kb) {
    common::kb_of(&[
        (
            MEANT,
            "The dental practice moved its mailboxes to a hosted exchange server over a \
             weekend.",
        ),
        (
            HOLDS_ALL,
            "A dental client, a new practice, an exchange server and a migration checklist.",
        ),
        (
            "Printer drivers again",
            "The practice manager asked about printer drivers for the front desk.",
        ),
        (
            "Hosted exchange pricing",
            "Hosted exchange costs less than a server in the closet, once licences are counted.",
        ),
        (
            "Weekend on-call rota",
            "Nobody likes the weekend rota, but tickets do not wait until Monday.",
        ),
    ])
}

fn request(q: &str) -> SearchRequest {
    SearchRequest::new(q)
}

fn titles(hits: &[kb_store::SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.title.as_str()).collect()
}

#[test]
fn a_query_with_one_wrong_word_also_shows_the_articles_missing_one_word() {
    let (_dir, kb) = kb();
    // "migration" is the wrong word: the article meant says "moved".
    let res = kb
        .search(&request("dental practice exchange migration"))
        .expect("search");
    assert_eq!(titles(&res.hits), [HOLDS_ALL]);
    assert_eq!(res.total, 1);
    assert!(res.relaxed.is_none(), "it matched as written");
    let near = res.nearly.expect("near matches");
    assert_eq!(near.how.words, 4);
    assert_eq!(near.how.at_least, 3);
    // The article meant, first: it holds three of the four words; no match as written again.
    assert_eq!(titles(&near.hits).first(), Some(&MEANT));
    assert!(!titles(&near.hits).contains(&HOLDS_ALL));
    assert_eq!(near.total, near.hits.len());
    // Its snippet marks the words it holds.
    let hit = &near.hits[0];
    assert!(!hit.highlights.is_empty(), "{hit:?}");
}

#[test]
fn near_matches_fill_only_the_room_left_on_the_page() {
    let (_dir, kb) = kb();
    let mut req = request("dental practice exchange migration");
    req.limit = 2;
    let res = kb.search(&req).expect("search");
    let near = res.nearly.expect("near matches");
    assert_eq!(near.hits.len(), 1);
    assert!(near.total >= 1);
    // No room: none.
    req.limit = 1;
    assert!(kb.search(&req).expect("search").nearly.is_none());
    // A later page: the matches as written did not all fit on the first, or the user pages
    // through them; either way no near matches.
    req.limit = 10;
    req.offset = 1;
    assert!(kb.search(&req).expect("search").nearly.is_none());
}

#[test]
fn no_near_matches_for_one_or_two_words() {
    let (_dir, kb) = kb();
    // Two words: "either word" is another search, not a near one.
    let res = kb.search(&request("dental migration")).expect("search");
    assert_eq!(titles(&res.hits), [HOLDS_ALL]);
    assert!(res.nearly.is_none());
    // One word.
    let res = kb.search(&request("migration")).expect("search");
    assert!(res.nearly.is_none());
    // Three words: two of them is near.
    let res = kb
        .search(&request("dental practice migration"))
        .expect("search");
    let near = res.nearly.expect("near matches");
    assert_eq!((near.how.at_least, near.how.words), (2, 3));
    assert!(titles(&near.hits).contains(&MEANT));
}

#[test]
fn near_matches_pass_the_same_filters_as_the_matches_as_written() {
    let (_dir, kb) = common::kb_of_feeds(&[
        (
            "a",
            HOLDS_ALL,
            "A dental practice, an exchange server, a migration.",
        ),
        ("b", MEANT, "The dental practice moved to hosted exchange."),
        (
            "a",
            "Clinic",
            "The dental practice kept its exchange server.",
        ),
    ]);
    let mut req = request("dental practice exchange migration");
    let all = kb.search(&req).expect("search").nearly.expect("near");
    assert_eq!(titles(&all.hits), [MEANT, "Clinic"]);
    req.feeds = vec!["a".into()];
    let res = kb.search(&req).expect("search");
    assert_eq!(titles(&res.hits), [HOLDS_ALL]);
    let near = res.nearly.expect("near");
    assert_eq!(titles(&near.hits), ["Clinic"]);
    assert_eq!(near.total, 1);
}

#[test]
fn a_query_that_matched_nothing_is_widened_not_nearly_matched() {
    let (_dir, kb) = kb();
    let res = kb
        .search(&request("dental practice exchange zqxwv"))
        .expect("search");
    assert!(res.relaxed.is_some());
    assert!(res.nearly.is_none());
    assert!(titles(&res.hits).contains(&MEANT));
}

#[test]
fn a_passage_pasted_has_no_near_matches() {
    let words: Vec<String> = (0..13)
        .map(|n| format!("word{}", "abcdefghijklm".chars().nth(n).unwrap()))
        .collect();
    let all = words.join(" ");
    let but_last = words[..12].join(" ");
    let (_dir, kb) = common::kb_of(&[("All", &all), ("All but the last", &but_last)]);
    // Twelve words, the last of them one "All but the last" lacks: near.
    let twelve = [&words[..11], &words[12..]].concat().join(" ");
    let res = kb.search(&request(&twelve)).expect("search");
    assert_eq!(titles(&res.hits), ["All"]);
    let near = res.nearly.expect("near");
    assert_eq!(titles(&near.hits), ["All but the last"]);
    // Thirteen: a passage, not a query remembered.
    let res = kb.search(&request(&all)).expect("search");
    assert_eq!(titles(&res.hits), ["All"]);
    assert!(res.nearly.is_none());
}
