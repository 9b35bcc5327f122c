//! From the user's query string and filters to a tantivy query.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;

use crate::schema::{Fields, kw_term};
use crate::{Kb, StoreError};

/// Title matches weigh this much more than body matches.
const TITLE_BOOST: f32 = 2.5;

/// Filters shared by search and list. Values within one filter are alternatives (OR); filters
/// combine with AND.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters<'a> {
    pub categories: &'a [String],
    pub authors: &'a [String],
    pub feeds: &'a [String],
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) fn text_query(kb: &Kb, text: &str) -> Result<Box<dyn Query>, StoreError> {
    let f = &kb.fields;
    if text.trim().is_empty() {
        return Ok(Box::new(AllQuery));
    }
    let mut parser = QueryParser::for_index(
        &kb.index,
        vec![f.title, f.body, f.category_text, f.author_text],
    );
    parser.set_conjunction_by_default();
    parser.set_field_boost(f.title, TITLE_BOOST);
    parser
        .parse_query(text)
        .map_err(|e| StoreError::BadQuery(format!("{e}")))
}

fn any_of(field: tantivy::schema::Field, values: &[String]) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, &kw_term(v)),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

pub(crate) fn with_filters(
    fields: &Fields,
    base: Box<dyn Query>,
    filters: &Filters<'_>,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, base)];
    if !filters.categories.is_empty() {
        clauses.push((Occur::Must, any_of(fields.category, filters.categories)));
    }
    if !filters.authors.is_empty() {
        clauses.push((Occur::Must, any_of(fields.author, filters.authors)));
    }
    if !filters.feeds.is_empty() {
        clauses.push((Occur::Must, any_of(fields.feed, filters.feeds)));
    }
    if filters.since.is_some() || filters.until.is_some() {
        let term = |d: &chrono::DateTime<chrono::Utc>| {
            Term::from_field_date(
                fields.published,
                tantivy::DateTime::from_timestamp_secs(d.timestamp()),
            )
        };
        let lo = filters
            .since
            .as_ref()
            .map_or(Bound::Unbounded, |d| Bound::Included(term(d)));
        let hi = filters
            .until
            .as_ref()
            .map_or(Bound::Unbounded, |d| Bound::Included(term(d)));
        clauses.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
    }
    if clauses.len() == 1 {
        return clauses.remove(0).1;
    }
    Box::new(BooleanQuery::new(clauses))
}
