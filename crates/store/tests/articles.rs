//! `Kb::articles`: every article a listing lets through, whole and in the listing's order,
//! loaded one at a time (what `kb export` streams).

mod common;

use chrono::{TimeZone, Utc};
use kb_store::ListRequest;

fn all() -> ListRequest {
    ListRequest {
        limit: usize::MAX,
        ..ListRequest::default()
    }
}

#[test]
fn articles_are_the_listing_in_full_and_in_its_order() {
    let mut arts = Vec::new();
    for n in 0..30 {
        let mut a = common::article(n, &format!("Title {n}"), &format!("Text of article {n}."));
        // Some undated, the rest spread over the months of 2010; two feeds.
        if n % 7 != 3 {
            a.published = Utc
                .with_ymd_and_hms(2010, 1 + (n as u32 % 12), 1, 0, 0, 0)
                .single();
        }
        a.feed = if n % 2 == 0 { "even" } else { "odd" }.to_string();
        a.categories = vec![format!("C{}", n % 3)];
        arts.push(a);
    }
    let (_dir, kb) = common::kb_with(arts.clone());

    let listed = kb.list(&all()).expect("list");
    assert_eq!(listed.total, 30);
    let streamed = kb.articles(&all()).expect("articles");
    assert_eq!(streamed.len(), 30);
    let streamed: Vec<_> = streamed.map(|a| a.expect("article")).collect();
    // The listing's articles, whole (the text included), in its order: newest first, the
    // undated last.
    assert_eq!(streamed, listed.articles);
    for a in &streamed {
        let given = arts.iter().find(|x| x.id == a.id).expect("given");
        assert_eq!(a.text, given.text);
    }
    assert!(streamed.last().is_some_and(|a| a.published.is_none()));

    // Filters, an offset and a limit are the listing's too.
    let req = ListRequest {
        feeds: vec!["odd".to_string()],
        categories: vec!["C1".to_string()],
        since: Utc.with_ymd_and_hms(2010, 3, 1, 0, 0, 0).single(),
        offset: 1,
        limit: 3,
        ..ListRequest::default()
    };
    let page: Vec<_> = kb
        .articles(&req)
        .expect("articles")
        .map(|a| a.expect("article"))
        .collect();
    assert_eq!(page, kb.list(&req).expect("list").articles);
    assert!(!page.is_empty());
    assert!(
        page.iter()
            .all(|a| a.feed == "odd" && a.categories == ["C1"])
    );

    let none = ListRequest { limit: 0, ..all() };
    assert_eq!(kb.articles(&none).expect("articles").len(), 0);
}
