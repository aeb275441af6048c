//! The domain's rules of who may see what, as SQL conditions: lists and the
//! change feed filter with exactly the rule the Rust predicates apply.

use domain::event::EventAudience;
use domain::submission::{Audience, Status};
use sea_orm::sea_query::{Cond, Expr, ExprTrait};

fn names(statuses: &[Status]) -> Vec<&'static str> {
    statuses.iter().map(|s| s.as_str()).collect()
}

/// Submissions (as `table`) that `audience` sees.
pub(crate) fn submission_audience(audience: &Audience, table: &'static str) -> Cond {
    Cond::any()
        .add(Expr::col((table, "author_id")).eq(audience.viewer.0))
        .add(Expr::col((table, "status")).is_in(names(&audience.others_in)))
}

/// Outbox events that `audience` sees.
pub(crate) fn event_audience(audience: &EventAudience) -> Cond {
    let mut moved = Cond::all()
        .add(Expr::col("status").is_not_null())
        .add(Expr::col("status").is_in(names(&audience.statuses_after)));
    for (from, to) in &audience.hidden_moves {
        moved = moved.add(
            Cond::any()
                .add(Expr::col("from_status").is_null())
                .add(Expr::col("from_status").ne(from.as_str()))
                .add(Expr::col("status").ne(to.as_str())),
        );
    }
    let lifecycle = Cond::all()
        .add(Expr::col("event_type").is_not_in(audience.with_the_work.clone()))
        .add(
            Cond::any()
                .add(Expr::col("author_id").eq(audience.viewer.0))
                .add(Expr::col("event_type").is_in(audience.public_types.clone()))
                .add(moved),
        );
    let about_the_work = Cond::all()
        .add(Expr::col("event_type").is_in(audience.with_the_work.clone()))
        .add(
            Cond::any()
                .add(Expr::col("author_id").eq(audience.viewer.0))
                .add(
                    Cond::all()
                        .add(Expr::col("status").is_not_null())
                        .add(Expr::col("status").is_in(names(&audience.work_seen_in))),
                ),
        );
    Cond::any().add(lifecycle).add(about_the_work)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use domain::event::{EventType, LifecycleEvent};
    use domain::member::Role;
    use domain::{MemberId, SubmissionId};
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};
    use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
    use uuid::Uuid;

    const ROLES: [Role; 3] = [Role::Member, Role::Reviewer, Role::Admin];

    fn viewer() -> MemberId {
        MemberId(Uuid::from_u128(1))
    }

    /// The author of a row: the viewer, someone else, or nobody (erased).
    fn authors() -> [Option<MemberId>; 3] {
        [Some(viewer()), Some(MemberId(Uuid::from_u128(2))), None]
    }

    fn optional(statuses: &[Status]) -> Vec<Option<Status>> {
        std::iter::once(None)
            .chain(statuses.iter().copied().map(Some))
            .collect()
    }

    async fn memory() -> DatabaseConnection {
        Database::connect("sqlite::memory:").await.unwrap()
    }

    /// The row numbers `condition` keeps from `table`.
    async fn kept(db: &DatabaseConnection, table: &str, condition: Cond) -> Vec<i64> {
        let query = Query::select()
            .column("n")
            .from(table.to_owned())
            .cond_where(condition)
            .to_owned();
        let rows = db.query_all(&query).await.unwrap();
        let mut kept: Vec<i64> = rows.iter().map(|r| r.try_get("", "n").unwrap()).collect();
        kept.sort_unstable();
        kept
    }

    #[tokio::test]
    async fn the_list_condition_and_the_predicate_agree_on_every_status_role_and_author() {
        let db = memory().await;
        db.execute_unprepared("CREATE TABLE s (n INTEGER, author_id TEXT, status TEXT)")
            .await
            .unwrap();
        let mut rows = Vec::new();
        for author in authors() {
            for status in Status::ALL {
                let n = i64::try_from(rows.len()).unwrap();
                let insert = Query::insert()
                    .into_table("s")
                    .columns(["n", "author_id", "status"])
                    .values_panic([n.into(), author.map(|a| a.0).into(), status.as_str().into()])
                    .to_owned();
                db.execute(&insert).await.unwrap();
                rows.push((author, status));
            }
        }

        for role in ROLES {
            let audience = Audience::of(viewer(), role);
            let in_sql = kept(&db, "s", submission_audience(&audience, "s")).await;
            let in_rust: Vec<i64> = (0..)
                .zip(&rows)
                .filter(|(_, (author, status))| {
                    domain::submission::visible(*author, *status, viewer(), role)
                })
                .map(|(n, _)| n)
                .collect();
            assert_eq!(
                in_sql,
                in_rust,
                "{role:?}: {}",
                Query::select()
                    .column("n")
                    .from("s")
                    .cond_where(submission_audience(&audience, "s"))
                    .to_string(SqliteQueryBuilder)
            );
        }
    }

    #[tokio::test]
    async fn the_feed_condition_and_the_predicate_agree_on_every_event_role_and_author() {
        let db = memory().await;
        db.execute_unprepared(
            "CREATE TABLE e (n INTEGER, author_id TEXT, event_type TEXT, from_status TEXT, status TEXT)",
        )
        .await
        .unwrap();
        let types = [
            EventType::Created,
            EventType::Updated,
            EventType::Deleted,
            EventType::ReviewerReassigned,
        ]
        .into_iter()
        .chain(EventType::WITH_THE_WORK)
        .chain(Status::ALL.map(EventType::Moved));
        let mut events = Vec::new();
        for event_type in types {
            for author in authors() {
                for from in optional(&Status::ALL) {
                    for to in optional(&Status::ALL) {
                        let n = i64::try_from(events.len()).unwrap();
                        let insert = Query::insert()
                            .into_table("e")
                            .columns(["n", "author_id", "event_type", "from_status", "status"])
                            .values_panic([
                                n.into(),
                                author.map(|a| a.0).into(),
                                event_type.name().into(),
                                from.map(Status::as_str).into(),
                                to.map(Status::as_str).into(),
                            ])
                            .to_owned();
                        db.execute(&insert).await.unwrap();
                        events.push(LifecycleEvent {
                            seq: n,
                            id: Uuid::nil(),
                            event_type: event_type.name(),
                            submission_id: Some(SubmissionId(Uuid::nil())),
                            resource_id: None,
                            author_id: author,
                            actor_id: None,
                            from_status: from,
                            status: to,
                            at: chrono::Utc::now(),
                        });
                    }
                }
            }
        }

        for role in ROLES {
            let audience = EventAudience::of(viewer(), role);
            let in_sql = kept(&db, "e", event_audience(&audience)).await;
            let in_rust: Vec<i64> = events
                .iter()
                .filter(|e| e.visible_to(viewer(), role))
                .map(|e| e.seq)
                .collect();
            assert_eq!(in_sql, in_rust, "{role:?}");
        }
    }
}
