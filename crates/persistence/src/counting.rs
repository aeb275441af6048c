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

/// Counted in a quarter before the instant `$1`, as SQL text.
pub fn counted_before_sql(alias: &str) -> String {
    format!(
        "{alias}.submitted_at < $1 AND {}",
        counted_status_sql(alias)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! The SQL and the domain's predicate must agree on every status, and on
    //! instants before, at the bounds of, inside and after a quarter.

    use super::*;
    use chrono::{DateTime, Duration, Utc};
    use domain::report::counting::is_counted_in;
    use domain::submission::Status;
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};
    use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

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
