//! The closeness bonus: words remembered from one sentence of an article, typed without the
//! sentence's little words or as the text runs, find that article first, above articles
//! that hold one of the words in their title and the others anywhere.

mod common;

use kb_store::SearchRequest;

const MEANT: &str = "Notes from the spring roundtable";

/// The article meant says the words in one sentence; each other one has one of them in its
/// title and the rest far apart in its text; and, as in any archive, most articles say none
/// of them.
fn kb() -> (tempfile::TempDir, kb_store::Kb) {
    let others: Vec<(String, String)> = (0..10)
        .map(|i| {
            (
                format!("Patch notes, week {i}"),
                format!(
                    "Week {i}: the usual updates went out to the servers and the laptops. One \
                     printer needed a new driver, and a backup job ran long on Tuesday."
                ),
            )
        })
        .collect();
    kb_of(
        &others,
        &[
            (
                MEANT,
                "Most of the evening went on pricing. One owner said that companies that win \
             referrals in minutes keep those clients for years, and nobody disagreed. Then we \
             talked about hiring and about the cost of the new office.",
            ),
            (
                "Referrals are the cheapest marketing",
                "Ask every client for a name once the project is done. Small companies answer \
             more often than large ones, we found, though it took weeks to see. A call takes \
             minutes.",
            ),
            (
                "Minutes of the partner meeting",
                "Present: four partners. The companies we support asked about backups again. A \
             referral programme was proposed and left for the next meeting.",
            ),
            (
                "Companies that outgrow their IT",
                "They hire a second person, then a third. At some point a referral brings them to \
             us. The first audit takes hours, not minutes.",
            ),
            (
                "Ten minutes a day on security",
                "Patch, check the backups, read the alerts. Companies that do this rarely call. A \
             referral from such a client is worth a lot.",
            ),
            (
                "Why we stopped cold calling",
                "Nobody answers. Referrals from happy clients brought us every new customer this \
             year.",
            ),
        ],
    )
}

/// A KB of the articles that say none of the words, as most of an archive does, and `more`.
fn kb_of(others: &[(String, String)], more: &[(&str, &str)]) -> (tempfile::TempDir, kb_store::Kb) {
    let mut articles: Vec<(&str, &str)> = others
        .iter()
        .map(|(t, x)| (t.as_str(), x.as_str()))
        .collect();
    articles.extend_from_slice(more);
    common::kb_of(&articles)
}

fn first(kb: &kb_store::Kb, q: &str) -> Option<String> {
    let res = kb.search(&SearchRequest::new(q)).expect("search");
    res.hits.first().map(|h| h.title.clone())
}

/// Each of `queries` finds the article titled `meant` first.
fn assert_first(kb: &kb_store::Kb, queries: &[&str], meant: &str) {
    for q in queries {
        assert_eq!(first(kb, q).as_deref(), Some(meant), "{q}");
    }
}

#[test]
fn words_of_one_sentence_find_it_above_titles_holding_one_of_them() {
    let (_dir, kb) = kb();
    let queries = [
        "companies referral minutes",
        "companies win referrals minutes",
        "win referrals minutes",
    ];
    assert_first(&kb, &queries, MEANT);
}

#[test]
fn two_words_far_apart_earn_no_bonus() {
    // "referral programme was proposed and left for the next meeting": `referral meeting` is
    // no phrase remembered; the title saying "meeting" comes first, as without the bonus.
    let (_dir, kb) = kb();
    assert_eq!(
        first(&kb, "referral meeting").as_deref(),
        Some("Minutes of the partner meeting")
    );
}

const RUN: &str = "A night of restores";

/// The article meant says the words in a row, deep in a long text; another names the rarest
/// of them in its title and says the others apart; most articles say none of them.
fn run_kb() -> (tempfile::TempDir, kb_store::Kb) {
    let filler = "The team checked the tickets, answered the phones and updated the \
                  documentation for the clients. ";
    let meant = format!(
        "{}On Tuesday the nightly veeam job ran long, and the restores waited until morning. \
         {}",
        filler.repeat(8),
        filler.repeat(8)
    );
    let others: Vec<(String, String)> = (0..10)
        .map(|i| (format!("Patch notes, week {i}"), filler.repeat(2)))
        .collect();
    kb_of(
        &others,
        &[
            (RUN, meant.as_str()),
            (
                "Veeam licensing changes",
                "The new licence counts every job. A long list of changes ran to four pages, \
                 and the price went up again.",
            ),
        ],
    )
}

#[test]
fn words_typed_as_the_text_runs_find_it_above_a_title_holding_the_rarest() {
    // "the nightly veeam job ran long": the title saying "Veeam" came first while the bonus
    // weighed a run like words merely close together.
    let (_dir, kb) = run_kb();
    let queries = [
        "veeam job ran long",
        "nightly veeam job ran",
        "job ran long",
    ];
    assert_first(&kb, &queries, RUN);
}
