//! Lists of submissions: what the viewer may see, filtered, in keyset pages.

use super::{select_submissions, to_submission};
use crate::counting::{counted_in_quarter, submitted_in_quarter};
use crate::storage;
use crate::visibility::submission_audience;
use domain::pagination::{Cursor, Page, PageSize};
use domain::repository::{ListOrder, StorageError, SubmissionFilter};
use domain::submission::{Audience, Submission};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// One page of `filter`'s list after `after`.
pub(super) async fn page(
    db: &DatabaseConnection,
    filter: &SubmissionFilter,
    after: Option<Cursor>,
    size: PageSize,
) -> Result<Page<Submission>, StorageError> {
    if let Some(query) = &filter.search {
        return super::search::page(db, filter_condition(filter), query, after, size)
            .await
            .map_err(storage);
    }
    let mut cond = filter_condition(filter);
    let (column, order) = match filter.order {
        ListOrder::NewestCreated => ("created_at", Order::Desc),
        ListOrder::OldestSubmitted => ("submitted_at", Order::Asc),
    };
    if filter.order == ListOrder::OldestSubmitted {
        cond = cond.add(Expr::col(("s", "submitted_at")).is_not_null());
    }
    if let Some(cursor) = after {
        let beyond = |c: &'static str| match order {
            Order::Asc => Expr::col(("s", c)).gt(cursor.at),
            _ => Expr::col(("s", c)).lt(cursor.at),
        };
        let beyond_id = match order {
            Order::Asc => Expr::col(("s", "id")).gt(cursor.id),
            _ => Expr::col(("s", "id")).lt(cursor.id),
        };
        cond = cond.add(
            Cond::any().add(beyond(column)).add(
                Cond::all()
                    .add(Expr::col(("s", column)).eq(cursor.at))
                    .add(beyond_id),
            ),
        );
    }
    let query = select_submissions()
        .cond_where(cond)
        .order_by(("s", column), order.clone())
        .order_by(("s", "id"), order)
        .limit(size.get() + 1)
        .to_owned();
    let rows = db.query_all(&query).await.map_err(storage)?;
    let mut items = rows
        .iter()
        .map(to_submission)
        .collect::<Result<Vec<_>, _>>()
        .map_err(storage)?;
    let more = items.len() as u64 > size.get();
    items.truncate(size.get() as usize);
    // The cursor carries the column the list is ordered by.
    let next_cursor = more
        .then(|| {
            items.last().and_then(|last| {
                filter.order.position(last).map(|at| {
                    Cursor {
                        at,
                        id: last.id.0,
                        rank: None,
                    }
                    .encode()
                })
            })
        })
        .flatten();
    Ok(Page { items, next_cursor })
}

fn tag_condition(table: &'static str, code: &str) -> Expr {
    Expr::col(("s", "id")).in_subquery(
        Query::select()
            .column("submission_id")
            .from(table)
            .and_where(Expr::col("code").eq(code))
            .to_owned(),
    )
}

fn filter_condition(filter: &SubmissionFilter) -> Cond {
    let viewer = filter.viewer.0;
    let audience = Audience::of(filter.viewer, filter.viewer_role);
    let mut cond = Cond::all().add(submission_audience(&audience, "s"));
    if filter.mine {
        cond = cond.add(Expr::col(("s", "author_id")).eq(viewer));
    }
    if let Some(kind) = filter.kind {
        cond = cond.add(Expr::col(("s", "kind")).eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        cond = cond.add(Expr::col(("s", "status")).eq(status.as_str()));
    }
    if let Some(nation) = &filter.nation {
        cond = cond.add(Expr::col(("s", "nation")).eq(nation.as_str()));
    }
    if let Some(region) = &filter.region {
        cond = cond.add(Expr::col(("s", "region")).eq(region.as_str()));
    }
    // A quarter alone lists exactly what the summary counts in it; with a
    // status, whatever was first submitted in it and is in that status now.
    match (filter.quarter, filter.status) {
        (Some(quarter), None) => cond = cond.add(counted_in_quarter("s", quarter)),
        (Some(quarter), Some(_)) => cond = cond.add(submitted_in_quarter("s", quarter)),
        (None, _) => {}
    }
    let tags = [
        ("submission_priorities", &filter.priority),
        ("submission_practice_areas", &filter.practice_area),
        ("submission_topics", &filter.topic),
    ];
    for (table, code) in tags {
        if let Some(code) = code {
            cond = cond.add(tag_condition(table, code));
        }
    }
    if let Some(evidence_type) = filter.evidence_type {
        cond = cond.add(tag_condition(
            "submission_evidence_types",
            evidence_type.as_str(),
        ));
    }
    cond
}
