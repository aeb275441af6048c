//! The counting rule of the quarterly summary
//! ([`domain::report::counting`]) as SQL, for the submissions table under an
//! alias: as a sea-query condition for query builders, and as text for the
//! plain statements the summary and the benchmark run.

use domain::quarter::Quarter;
use domain::report::counting::UNCOUNTED_STATUSES;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait};

/// Submitted in `quarter`: first submitted at or after its start and before
/// the next quarter's, whatever the status now.
pub fn submitted_in_quarter(alias: &str, quarter: Quarter) -> Condition {
    let submitted_at = || Expr::col((Alias::new(alias), Alias::new("submitted_at")));
    Condition::all()
        .add(submitted_at().gte(quarter.start()))
        .add(submitted_at().lt(quarter.end()))
}

/// Counted in `quarter`: submitted in it, and neither a draft nor withdrawn.
pub fn counted_in_quarter(alias: &str, quarter: Quarter) -> Condition {
    submitted_in_quarter(alias, quarter).add(counted_status(alias))
}

/// Counted in some quarter: submitted once, and neither a draft nor withdrawn.
pub fn counted(alias: &str) -> Condition {
    Condition::all()
        .add(Expr::col((Alias::new(alias), Alias::new("submitted_at"))).is_not_null())
        .add(counted_status(alias))
}

fn counted_status(alias: &str) -> Expr {
    Expr::col((Alias::new(alias), Alias::new("status")))
        .is_not_in(UNCOUNTED_STATUSES.map(|s| s.as_str()))
}

/// A status that is counted, whenever the submission was submitted, as SQL
/// text: `alias.status NOT IN ('draft', 'withdrawn')`.
pub fn counted_status_sql(alias: &str) -> String {
    let statuses: Vec<String> = UNCOUNTED_STATUSES
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("{alias}.status NOT IN ({})", statuses.join(", "))
}

/// [`counted`] as SQL text.
pub fn counted_sql(alias: &str) -> String {
    format!(
        "{alias}.submitted_at IS NOT NULL AND {}",
        counted_status_sql(alias)
    )
}

/// Counted in the quarter whose bounds are the placeholders `$1`
/// (inclusive) and `$2` (exclusive), as SQL text.
pub fn counted_between_sql(alias: &str) -> String {
    format!(
        "{alias}.submitted_at >= $1 AND {alias}.submitted_at < $2 AND {}",
        counted_status_sql(alias)
    )
}

/// The submission whose recorded demographics count for `author` (an SQL
/// expression) in the quarter from `start` to `end` (placeholders): their
/// earliest counted one first submitted in it, by first-submission time, then
/// id. A subquery giving one id, or none.
pub fn counted_record_sql(author: &str, start: &str, end: &str) -> String {
    format!(
        "(SELECT f.id FROM submissions f WHERE f.author_id = {author} AND f.submitted_at >= {start} \
         AND f.submitted_at < {end} AND {} ORDER BY f.submitted_at, f.id LIMIT 1)",
        counted_status_sql("f")
    )
}

/// Counted in a quarter before the instant `$1`, as SQL text.
pub fn counted_before_sql(alias: &str) -> String {
    format!(
        "{alias}.submitted_at < $1 AND {}",
        counted_status_sql(alias)
    )
}

/// Recommendations counted as of a quarter's end, each once by its latest
/// status ([`domain::report::counting::adoption_counted_in`]), as rows `k`
/// (status) and `n`, with `$1` the instant the quarter ends and `$2` the
/// first day after it. A report's place in time is its day, then when it was
/// reported, then its id ([`domain::recommendation::report_order`]).
pub fn adoption_as_of_end_sql() -> String {
    format!(
        "SELECT x.k AS k, COUNT(*) AS n FROM (SELECT COALESCE((SELECT e.adoption_status \
         FROM recommendation_events e WHERE e.recommendation_id = r.id AND e.adoption_status IS NOT NULL \
         AND e.occurred_on < $2 ORDER BY e.occurred_on DESC, e.reported_at DESC, e.id DESC LIMIT 1), \
         r.adoption_status) AS k FROM recommendations r JOIN submissions s ON s.id = r.submission_id \
         WHERE {}) x GROUP BY x.k",
        counted_before_sql("s")
    )
}

/// Investment reports counted in a quarter
/// ([`domain::report::counting::investment_counted_in`]) as one row `n`,
/// `total`: with `$1`, `$2` the quarter's instants and `$3`, `$4` its days.
pub fn investment_in_quarter_sql() -> String {
    format!(
        "SELECT COUNT(i.pence) AS n, CAST(COALESCE(SUM(i.pence), 0) AS BIGINT) AS total FROM \
         (SELECT r.reported_investment_pence AS pence FROM recommendations r \
         JOIN submissions s ON s.id = r.submission_id WHERE {} \
         UNION ALL SELECT e.investment_pence AS pence FROM recommendation_events e \
         WHERE e.occurred_on >= $3 AND e.occurred_on < $4) i",
        counted_between_sql("s")
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! The SQL and the domain's predicate must agree on every status, and on
    //! instants before, at the bounds of, inside and after a quarter; the
    //! recommendation figures too, on follow-ups around the quarter's days.

    use super::*;
    use chrono::{DateTime, Duration, NaiveDate, Utc};
    use domain::SubmissionId;
    use domain::report::counting::{
        RecommendationFacts, adoption_counted_in, investment_counted_in, is_counted_in,
    };
    use domain::repository::RecommendationEvent;
    use domain::submission::{AdoptionStatus, Status};
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};
    use sea_orm::{
        ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult, Statement, Value,
    };
    use std::collections::BTreeMap;
    use uuid::Uuid;

    fn quarter() -> Quarter {
        "2025-Q2".parse().unwrap()
    }

    /// One submission per status and moment, with the domain's verdict.
    fn cases() -> Vec<(i64, Status, Option<DateTime<Utc>>, bool)> {
        let q = quarter();
        let moments = [
            None,
            Some(q.start() - Duration::microseconds(1)),
            Some(q.start()),
            Some(q.start() + Duration::days(40)),
            Some(q.end() - Duration::microseconds(1)),
            Some(q.end()),
        ];
        let mut id = 0;
        let mut out = Vec::new();
        for status in Status::ALL {
            for at in moments {
                id += 1;
                out.push((id, status, at, is_counted_in(q, status, at)));
            }
        }
        out
    }

    async fn database() -> DatabaseConnection {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        db.execute_unprepared(
            "CREATE TABLE submissions (id INTEGER PRIMARY KEY, status TEXT NOT NULL, submitted_at TIMESTAMPTZ NULL)",
        )
        .await
        .unwrap();
        for (id, status, at, _) in cases() {
            let insert = Query::insert()
                .into_table("submissions")
                .columns(["id", "status", "submitted_at"])
                .values_panic([id.into(), status.as_str().into(), at.into()])
                .to_owned();
            db.execute(&insert).await.unwrap();
        }
        db
    }

    async fn ids_where(db: &DatabaseConnection, condition: Condition) -> Vec<i64> {
        let select = Query::select()
            .column(("s", "id"))
            .from_as("submissions", "s")
            .cond_where(condition)
            .order_by(("s", "id"), sea_orm::Order::Asc)
            .to_owned();
        let (sql, values) = select.build(SqliteQueryBuilder);
        ids(
            db,
            Statement::from_sql_and_values(DbBackend::Sqlite, sql, values),
        )
        .await
    }

    async fn ids_where_sql(db: &DatabaseConnection, condition: &str) -> Vec<i64> {
        let q = quarter();
        let sql = format!("SELECT s.id AS id FROM submissions s WHERE {condition} ORDER BY s.id")
            .replace("$1", "?1")
            .replace("$2", "?2");
        let values = [q.start().into(), q.end().into()];
        let values = if condition.contains("$2") {
            values.to_vec()
        } else if condition.contains("$1") {
            values[..1].to_vec()
        } else {
            Vec::new()
        };
        ids(
            db,
            Statement::from_sql_and_values(DbBackend::Sqlite, sql, values),
        )
        .await
    }

    async fn ids(db: &DatabaseConnection, statement: Statement) -> Vec<i64> {
        db.query_all_raw(statement)
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get::<i64>("", "id").unwrap())
            .collect()
    }

    fn expected(keep: impl Fn(Status, Option<DateTime<Utc>>, bool) -> bool) -> Vec<i64> {
        cases()
            .into_iter()
            .filter(|(_, status, at, counted)| keep(*status, *at, *counted))
            .map(|(id, ..)| id)
            .collect()
    }

    #[tokio::test]
    async fn counted_in_quarter_agrees_with_the_domain_on_every_status() {
        let db = database().await;
        let counted = expected(|_, _, counted| counted);
        assert!(!counted.is_empty());
        assert_eq!(
            ids_where(&db, counted_in_quarter("s", quarter())).await,
            counted
        );
        assert_eq!(ids_where_sql(&db, &counted_between_sql("s")).await, counted);
    }

    #[tokio::test]
    async fn counted_agrees_with_the_domain_on_every_status() {
        let db = database().await;
        let expected = expected(|status, at, _| domain::report::counting::is_counted(status, at));
        assert_eq!(ids_where(&db, counted("s")).await, expected);
        assert_eq!(ids_where_sql(&db, &counted_sql("s")).await, expected);
    }

    #[tokio::test]
    async fn counted_before_agrees_with_the_domain_on_every_status() {
        let db = database().await;
        let start = quarter().start();
        let counted = expected(|status, at, _| {
            domain::report::counting::is_counted(status, at) && at.is_some_and(|at| at < start)
        });
        assert!(!counted.is_empty());
        assert_eq!(ids_where_sql(&db, &counted_before_sql("s")).await, counted);
    }

    #[tokio::test]
    async fn counted_status_agrees_with_the_domain_on_every_status() {
        let db = database().await;
        let expected = expected(|status, _, _| domain::report::counting::is_counted_status(status));
        assert_eq!(ids_where_sql(&db, &counted_status_sql("s")).await, expected);
    }

    /// A follow-up of the cases: status, investment, day, and seconds
    /// before the latest report time at which it was reported.
    type Report = (Option<AdoptionStatus>, Option<i64>, NaiveDate, i64);

    /// Each case of [`cases`] with one recommendation, written with a status
    /// and sometimes investment, and follow-ups around the quarter's bounds.
    fn recommendations() -> Vec<(i64, AdoptionStatus, Option<i64>, Vec<RecommendationEvent>)> {
        use AdoptionStatus::*;
        let days = domain::report::counting::days(quarter());
        let last = days.end.pred_opt().unwrap();
        let before = days.start.pred_opt().unwrap();
        let patterns: Vec<Vec<Report>> = vec![
            vec![],
            vec![(Some(AdoptedLocally), Some(500), before, 0)],
            vec![
                (Some(RolledOut), None, last, 0),
                (Some(Proposed), Some(70), days.end, 0),
            ],
            vec![
                (Some(AdoptedByPartner), None, days.start, 2),
                (Some(AdoptedLocally), Some(5), days.start, 1),
            ],
            vec![
                (None, Some(9), last, 0),
                (Some(Proposed), None, days.start, 0),
            ],
        ];
        let mut event_id = 0;
        cases()
            .into_iter()
            .map(|(id, ..)| {
                let n = usize::try_from(id).unwrap();
                let events = patterns[n % patterns.len()]
                    .iter()
                    .map(|(status, pence, on, seconds)| {
                        event_id += 1;
                        RecommendationEvent {
                            id: Uuid::from_u128(event_id),
                            recommendation_id: Uuid::from_u128(id as u128),
                            submission_id: SubmissionId(Uuid::from_u128(id as u128)),
                            adoption_status: *status,
                            investment_pence: *pence,
                            investor: None,
                            occurred_on: *on,
                            reported_at: quarter().end() + Duration::seconds(100 - seconds),
                            reported_by: None,
                            reason: None,
                            moved_back_from: None,
                        }
                    })
                    .collect();
                let written = AdoptionStatus::ALL[n % AdoptionStatus::ALL.len()];
                (id, written, (n % 3 == 0).then_some(1000 + id), events)
            })
            .collect()
    }

    async fn database_with_recommendations() -> DatabaseConnection {
        let db = database().await;
        db.execute_unprepared(
            "CREATE TABLE recommendations (id INTEGER PRIMARY KEY, submission_id INTEGER NOT NULL, \
             adoption_status TEXT NOT NULL, reported_investment_pence BIGINT NULL); \
             CREATE TABLE recommendation_events (id BLOB PRIMARY KEY, recommendation_id INTEGER NOT NULL, \
             adoption_status TEXT NULL, investment_pence BIGINT NULL, occurred_on DATE NOT NULL, \
             reported_at TIMESTAMPTZ NOT NULL)",
        )
        .await
        .unwrap();
        for (id, written, pence, events) in recommendations() {
            let insert = Query::insert()
                .into_table("recommendations")
                .columns([
                    "id",
                    "submission_id",
                    "adoption_status",
                    "reported_investment_pence",
                ])
                .values_panic([id.into(), id.into(), written.as_str().into(), pence.into()])
                .to_owned();
            db.execute(&insert).await.unwrap();
            for e in events {
                let insert = Query::insert()
                    .into_table("recommendation_events")
                    .columns([
                        "id",
                        "recommendation_id",
                        "adoption_status",
                        "investment_pence",
                        "occurred_on",
                        "reported_at",
                    ])
                    .values_panic([
                        e.id.into(),
                        id.into(),
                        e.adoption_status.map(AdoptionStatus::as_str).into(),
                        e.investment_pence.into(),
                        e.occurred_on.into(),
                        e.reported_at.into(),
                    ])
                    .to_owned();
                db.execute(&insert).await.unwrap();
            }
        }
        db
    }

    async fn rows(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> Vec<QueryResult> {
        let sql = ["$1", "$2", "$3", "$4"]
            .iter()
            .fold(sql.to_owned(), |sql, p| {
                sql.replace(p, &p.replace('$', "?"))
            });
        db.query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values,
        ))
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn recommendation_figures_agree_with_the_domain_on_every_status() {
        let db = database_with_recommendations().await;
        let q = quarter();
        let days = domain::report::counting::days(q);
        let statuses: BTreeMap<i64, (Status, Option<DateTime<Utc>>)> = cases()
            .into_iter()
            .map(|(id, status, at, _)| (id, (status, at)))
            .collect();
        let mut adoption: BTreeMap<String, i64> = BTreeMap::new();
        let mut investment: Vec<i64> = Vec::new();
        for (id, written, pence, events) in recommendations() {
            let (status, submitted_at) = statuses[&id];
            let facts = RecommendationFacts {
                submission_status: status,
                submitted_at,
                written_status: written,
                written_investment_pence: pence,
                events: &events,
            };
            if let Some(status) = adoption_counted_in(q, facts) {
                *adoption.entry(status.as_str().to_owned()).or_default() += 1;
            }
            investment.extend(investment_counted_in(q, facts));
        }
        assert_eq!(adoption.len(), 4, "every status is met: {adoption:?}");
        assert!(investment.len() > 3, "{investment:?}");

        let by_status: BTreeMap<String, i64> = rows(
            &db,
            &adoption_as_of_end_sql(),
            vec![q.end().into(), days.end.into()],
        )
        .await
        .iter()
        .map(|r| (r.try_get("", "k").unwrap(), r.try_get("", "n").unwrap()))
        .collect();
        let invested = rows(
            &db,
            &investment_in_quarter_sql(),
            vec![
                q.start().into(),
                q.end().into(),
                days.start.into(),
                days.end.into(),
            ],
        )
        .await;

        assert_eq!(by_status, adoption);
        assert_eq!(
            invested[0].try_get::<i64>("", "n").unwrap(),
            investment.len() as i64
        );
        assert_eq!(
            invested[0].try_get::<i64>("", "total").unwrap(),
            investment.iter().sum::<i64>()
        );
    }

    #[test]
    fn the_summary_keeps_its_statement_text() {
        assert_eq!(
            counted_between_sql("s"),
            "s.submitted_at >= $1 AND s.submitted_at < $2 AND s.status NOT IN ('draft', 'withdrawn')"
        );
        assert_eq!(
            counted_sql("s"),
            "s.submitted_at IS NOT NULL AND s.status NOT IN ('draft', 'withdrawn')"
        );
    }
}
