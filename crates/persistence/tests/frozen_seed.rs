//! The reference data a fresh database is seeded with is frozen in the
//! migration that introduced it. When the strategy's vocabulary changes, this
//! test fails until a new migration brings stored data in line: history is
//! never rewritten silently.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::taxonomy::{REFERENCE_TERMS, Vocabulary};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Asterisk, Order, Query};

type StoredTerm = (String, String, String, Option<i32>, Option<String>, i32);

#[tokio::test]
async fn migrations_seed_exactly_the_reference_terms_of_the_domain() {
    let db = persistence::connect("sqlite::memory:", 1).await.unwrap();
    persistence::migrate(&db.connection).await.unwrap();
    let query = Query::select()
        .column(Asterisk)
        .from("taxonomy_terms")
        .order_by("position", Order::Asc)
        .to_owned();

    let stored: Vec<StoredTerm> = db
        .connection
        .query_all(&query)
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.try_get("", "vocabulary").unwrap(),
                row.try_get("", "code").unwrap(),
                row.try_get("", "label").unwrap(),
                row.try_get("", "number").unwrap(),
                row.try_get("", "parent").unwrap(),
                row.try_get("", "position").unwrap(),
            )
        })
        .collect();

    let expected: Vec<StoredTerm> = REFERENCE_TERMS
        .iter()
        .zip(0..)
        .map(|((vocabulary, code, label, number, parent), position)| {
            (
                Vocabulary::as_str(*vocabulary).to_owned(),
                (*code).to_owned(),
                (*label).to_owned(),
                *number,
                parent.map(str::to_owned),
                position,
            )
        })
        .collect();
    assert_eq!(stored, expected);
}
