//! Full-text search with each database's own engine: PostgreSQL's weighted
//! `search_vector` (GIN index, `websearch_to_tsquery`), SQLite's FTS5 table
//! `submissions_fts` (porter stemming) kept in step by triggers. Relevance is
//! ranked within the newest [`SEARCH_CANDIDATES`] matches (see the domain),
//! then by newest; pages follow the rank, the creation time and the id.

use super::{select_submissions, to_submission};
use crate::visibility::submission_audience;
use chrono::{DateTime, Utc};
use domain::SubmissionId;
use domain::pagination::{Cursor, Page, PageSize};
use domain::submission::search::{
    BODY_WEIGHT, Likeness, MARK_END, MARK_START, RELATED_POOL, SEARCH_CANDIDATES, SUMMARY_WEIGHT,
    SearchMatch, SearchQuery, TITLE_WEIGHT, snippet_html,
};
use domain::submission::{Audience, Content, Status, Submission};
use domain::taxonomy::Vocabulary;
use sea_orm::sea_query::{
    Alias, CommonTableExpression, Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement,
    WithClause,
};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr};
use std::collections::HashMap;
use uuid::Uuid;

/// What search reads beyond the title and summary, with the tags' labels as
/// the taxonomy stores them.
pub(super) async fn body(tx: &DatabaseTransaction, content: &Content) -> Result<String, DbErr> {
    let tagged = !(content.priorities.is_empty()
        && content.practice_areas.is_empty()
        && content.topics.is_empty()
        && content.impact_evidence.is_empty());
    let mut labels: HashMap<(String, String), String> = HashMap::new();
    if tagged {
        let query = Query::select()
            .columns(["vocabulary", "code", "label"])
            .from("taxonomy_terms")
            .and_where(Expr::col("vocabulary").is_in([
                Vocabulary::Priority.as_str(),
                Vocabulary::PracticeArea.as_str(),
                Vocabulary::Topic.as_str(),
                Vocabulary::EvidenceType.as_str(),
            ]))
            .to_owned();
        for row in tx.query_all(&query).await? {
            labels.insert(
                (row.try_get("", "vocabulary")?, row.try_get("", "code")?),
                row.try_get("", "label")?,
            );
        }
    }
    Ok(content.search_body(|vocabulary, code| {
        labels
            .get(&(vocabulary.as_str().to_owned(), code.to_owned()))
            .cloned()
    }))
}

/// `ts_rank`'s weights for labels D, C, B, A: the rest, summary, title.
fn pg_weights() -> String {
    format!("'{{{BODY_WEIGHT},{BODY_WEIGHT},{SUMMARY_WEIGHT},{TITLE_WEIGHT}}}'")
}

/// The matches of `query` that `cond` lets through on SQLite, at most
/// `limit` of the newest, as `cid` (the submission), `rank` (higher is
/// better) and `frowid` (the index row, for snippets). FTS5 walks its index
/// newest first and stops at `limit`.
fn sqlite_candidates(cond: Cond, engine_query: String, limit: u64) -> SelectStatement {
    Query::select()
        .expr_as(Expr::col(("s", "id")), Alias::new("cid"))
        .expr_as(
            Expr::cust(format!(
                "-bm25(submissions_fts, 0.0, {TITLE_WEIGHT:?}, {SUMMARY_WEIGHT:?}, {BODY_WEIGHT:?})"
            )),
            Alias::new("rank"),
        )
        .expr_as(Expr::cust("submissions_fts.rowid"), Alias::new("frowid"))
        .from("submissions_fts")
        // The index row is the submission's row (the triggers that keep the
        // index write it so): one lookup by rowid per match, not one in the
        // index's own table and another by id.
        .join_as(
            JoinType::InnerJoin,
            "submissions",
            "s",
            Expr::col(("s", "rowid")).equals(("submissions_fts", "rowid")),
        )
        .cond_where(cond.add(Expr::cust_with_values(
            "submissions_fts MATCH ?",
            [engine_query],
        )))
        .order_by_expr(Expr::cust("submissions_fts.rowid"), Order::Desc)
        .limit(limit)
        .to_owned()
}

/// A match on PostgreSQL: the submission, when it was created, its rank.
struct Candidate {
    id: Uuid,
    at: DateTime<Utc>,
    rank: f64,
}

/// The newest rows a PostgreSQL search tests one by one before it asks the
/// GIN index instead: enough to find [`SEARCH_CANDIDATES`] matches of a
/// word in one submission in fifty.
const PG_WALK_ROWS: u64 = 10_000;

/// The newest `limit` matches of `query` that `cond` lets through on
/// PostgreSQL, with their rank. Neither plan the planner chooses between
/// serves every query: walking `(created_at, id)` backwards finds a common
/// word's newest matches at once but tests every row of the hub when the
/// words are rare or absent, and the GIN index finds rare words at once but
/// reads every match of a common one before it can take the newest. So the
/// walk is bounded to the newest [`PG_WALK_ROWS`] rows; when they hold fewer
/// than `limit` matches (the words are rare), the GIN index gives every match
/// and the newest `limit` are taken from those. Either way the result is the
/// newest `limit` matches.
async fn pg_candidates(
    db: &DatabaseConnection,
    cond: Cond,
    engine_query: &str,
    limit: u64,
) -> Result<Vec<Candidate>, DbErr> {
    let matches = |alias: &str| {
        Expr::cust_with_values(
            format!("{alias}.search_vector @@ websearch_to_tsquery('english', $1)"),
            [engine_query.to_owned()],
        )
    };
    let ranked = |alias: &str| {
        Expr::cust_with_values(
            format!(
                "ts_rank({}, {alias}.search_vector, websearch_to_tsquery('english', $1))::float8",
                pg_weights()
            ),
            [engine_query.to_owned()],
        )
    };
    let newest = Query::select()
        .columns([("s", "id"), ("s", "created_at"), ("s", "search_vector")])
        .from_as("submissions", "s")
        .cond_where(cond.clone())
        .order_by(("s", "created_at"), Order::Desc)
        .order_by(("s", "id"), Order::Desc)
        .limit(PG_WALK_ROWS)
        .to_owned();
    let walk = Query::select()
        .expr_as(Expr::col(("w", "id")), Alias::new("cid"))
        .expr_as(Expr::col(("w", "created_at")), Alias::new("at"))
        .expr_as(ranked("w"), Alias::new("rank"))
        .from_subquery(newest, Alias::new("w"))
        .and_where(matches("w"))
        .order_by(("w", "created_at"), Order::Desc)
        .order_by(("w", "id"), Order::Desc)
        .limit(limit)
        .to_owned();
    let found = read_candidates(db, &walk).await?;
    if found.len() as u64 >= limit {
        return Ok(found);
    }
    // Few matches near the top: every match from the GIN index (a
    // materialised set, so the planner cannot turn it back into the walk),
    // the newest `limit` of them, then their rank.
    let all = Query::select()
        .columns([("s", "id"), ("s", "created_at")])
        .from_as("submissions", "s")
        .cond_where(cond.add(matches("s")))
        .to_owned();
    let top = Query::select()
        .columns(["id", "created_at"])
        .from("m")
        .order_by("created_at", Order::Desc)
        .order_by("id", Order::Desc)
        .limit(limit)
        .to_owned();
    let gin = Query::select()
        .expr_as(Expr::col(("s", "id")), Alias::new("cid"))
        .expr_as(Expr::col(("s", "created_at")), Alias::new("at"))
        .expr_as(ranked("s"), Alias::new("rank"))
        .from_as("submissions", "s")
        .join_as(
            JoinType::InnerJoin,
            "t",
            "t",
            Expr::col(("t", "id")).equals(("s", "id")),
        )
        .to_owned();
    let statement = WithClause::new()
        .cte(
            CommonTableExpression::new()
                .query(all)
                .table_name("m")
                .materialized(true)
                .to_owned(),
        )
        .cte(
            CommonTableExpression::new()
                .query(top)
                .table_name("t")
                .to_owned(),
        )
        .to_owned()
        .query(gin);
    let mut found = read_candidates(db, &statement).await?;
    found.sort_by_key(|c| std::cmp::Reverse((c.at, c.id)));
    Ok(found)
}

async fn read_candidates<S: sea_orm::StatementBuilder>(
    db: &DatabaseConnection,
    statement: &S,
) -> Result<Vec<Candidate>, DbErr> {
    db.query_all(statement)
        .await?
        .iter()
        .map(|row| {
            Ok(Candidate {
                id: row.try_get("", "cid")?,
                at: row.try_get("", "at")?,
                rank: row.try_get("", "rank")?,
            })
        })
        .collect()
}

fn engine_query(backend: DatabaseBackend, query: &SearchQuery) -> String {
    match backend {
        DatabaseBackend::Postgres => query.to_websearch(),
        _ => query.to_fts5(),
    }
}

/// One page of a search: `cond` is the list's filter and visibility.
pub(super) async fn page(
    db: &DatabaseConnection,
    cond: Cond,
    query: &SearchQuery,
    after: Option<Cursor>,
    size: PageSize,
) -> Result<Page<Submission>, DbErr> {
    if query.finds_nothing() {
        return Ok(Page {
            items: Vec::new(),
            next_cursor: None,
        });
    }
    let backend = db.get_database_backend();
    let engine_query = engine_query(backend, query);
    let (mut items, index_rows, more) = if backend == DatabaseBackend::Postgres {
        let (items, more) = pg_page(db, cond, &engine_query, after, size).await?;
        (items, Vec::new(), more)
    } else {
        sqlite_page(db, cond, &engine_query, after, size).await?
    };
    let snippets = snippets(db, &engine_query, &items, &index_rows).await?;
    for item in &mut items {
        let marked = snippets
            .get(&item.id.0)
            .cloned()
            .unwrap_or_else(|| item.content.title.clone());
        if let Some(found) = &mut item.search_match {
            found.snippet = snippet_html(&marked);
        }
    }
    let next_cursor = more
        .then(|| {
            items.last().map(|last| {
                Cursor {
                    at: last.created_at,
                    id: last.id.0,
                    rank: last.search_match.as_ref().map(|m| m.rank),
                }
                .encode()
            })
        })
        .flatten();
    Ok(Page { items, next_cursor })
}

/// A search page on PostgreSQL: the candidates (see [`pg_candidates`]) in
/// the page's order, those after the cursor, then the page's rows by id.
/// Whether more follow.
async fn pg_page(
    db: &DatabaseConnection,
    cond: Cond,
    engine_query: &str,
    after: Option<Cursor>,
    size: PageSize,
) -> Result<(Vec<Submission>, bool), DbErr> {
    let mut pool = pg_candidates(db, cond, engine_query, SEARCH_CANDIDATES).await?;
    // Relevance, then newest, then id: the order of every search page.
    pool.sort_by(|a, b| {
        b.rank
            .total_cmp(&a.rank)
            .then_with(|| (b.at, b.id).cmp(&(a.at, a.id)))
    });
    if let Some(cursor) = after {
        // A cursor from a list without search starts at the top.
        let rank = cursor.rank.unwrap_or(f64::MAX);
        pool.retain(|c| c.rank < rank || (c.rank == rank && (c.at, c.id) < (cursor.at, cursor.id)));
    }
    let more = pool.len() as u64 > size.get();
    pool.truncate(size.get() as usize);
    if pool.is_empty() {
        return Ok((Vec::new(), more));
    }
    let mut select = select_submissions();
    select.and_where(Expr::col(("s", "id")).is_in(pool.iter().map(|c| c.id)));
    let mut rows: HashMap<Uuid, Submission> = HashMap::new();
    for row in db.query_all(&select).await? {
        let submission = to_submission(&row)?;
        rows.insert(submission.id.0, submission);
    }
    // A row gone between the two statements (erased, say) is left out.
    let items = pool
        .iter()
        .filter_map(|c| {
            rows.remove(&c.id).map(|mut submission| {
                submission.search_match = Some(SearchMatch {
                    rank: c.rank,
                    snippet: String::new(),
                });
                submission
            })
        })
        .collect();
    Ok((items, more))
}

/// A search page on SQLite, in one statement over the FTS5 candidates: the
/// page's submissions, their index rows (for snippets), whether more follow.
async fn sqlite_page(
    db: &DatabaseConnection,
    cond: Cond,
    engine_query: &str,
    after: Option<Cursor>,
    size: PageSize,
) -> Result<(Vec<Submission>, Vec<i64>, bool), DbErr> {
    let pool = sqlite_candidates(cond, engine_query.to_owned(), SEARCH_CANDIDATES);
    let mut select = select_submissions();
    select
        .expr_as(Expr::col(("c", "rank")), Alias::new("rank"))
        .expr_as(Expr::col(("c", "frowid")), Alias::new("frowid"))
        .join_subquery(
            JoinType::InnerJoin,
            pool,
            Alias::new("c"),
            Expr::col(("c", "cid")).equals(("s", "id")),
        );
    if let Some(cursor) = after {
        // A cursor from a list without search starts at the top.
        let rank = cursor.rank.unwrap_or(f64::MAX);
        let same_rank = || Cond::all().add(Expr::col(("c", "rank")).eq(rank));
        select.cond_where(
            Cond::any()
                .add(Expr::col(("c", "rank")).lt(rank))
                .add(same_rank().add(Expr::col(("s", "created_at")).lt(cursor.at)))
                .add(
                    same_rank()
                        .add(Expr::col(("s", "created_at")).eq(cursor.at))
                        .add(Expr::col(("s", "id")).lt(cursor.id)),
                ),
        );
    }
    select
        .order_by(("c", "rank"), Order::Desc)
        .order_by(("s", "created_at"), Order::Desc)
        .order_by(("s", "id"), Order::Desc)
        .limit(size.get() + 1);
    let rows = db.query_all(&select).await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut index_rows = Vec::with_capacity(rows.len());
    for row in rows.iter().take(size.get() as usize) {
        let mut submission = to_submission(row)?;
        submission.search_match = Some(SearchMatch {
            rank: row.try_get("", "rank")?,
            snippet: String::new(),
        });
        index_rows.push(row.try_get::<i64>("", "frowid")?);
        items.push(submission);
    }
    Ok((items, index_rows, rows.len() as u64 > size.get()))
}

/// The text around the first match of each listed submission, matched words
/// between [`MARK_START`] and [`MARK_END`], not yet escaped.
async fn snippets(
    db: &DatabaseConnection,
    engine_query: &str,
    items: &[Submission],
    index_rows: &[i64],
) -> Result<HashMap<Uuid, String>, DbErr> {
    if items.is_empty() {
        return Ok(HashMap::new());
    }
    let query = match db.get_database_backend() {
        DatabaseBackend::Postgres => Query::select()
            .expr_as(Expr::col(("s", "id")), Alias::new("id"))
            .expr_as(
                Expr::cust_with_values(
                    "ts_headline('english', s.title || E'\\n' || coalesce(s.content::jsonb ->> 'summary', '') \
                     || E'\\n' || s.search_body, websearch_to_tsquery('english', $1), $2)",
                    [
                        engine_query.to_owned(),
                        format!(
                            "StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, \
                             MaxFragments=1, FragmentDelimiter=\" … \""
                        ),
                    ],
                ),
                Alias::new("snippet"),
            )
            .from_as("submissions", "s")
            .and_where(Expr::col(("s", "id")).is_in(items.iter().map(|i| i.id.0)))
            .to_owned(),
        _ => Query::select()
            .expr_as(Expr::col("submission_id"), Alias::new("id"))
            .expr_as(
                Expr::cust_with_values(
                    "snippet(submissions_fts, -1, ?, ?, '…', 24)",
                    [MARK_START.to_string(), MARK_END.to_string()],
                ),
                Alias::new("snippet"),
            )
            .from("submissions_fts")
            .and_where(Expr::cust_with_values(
                "submissions_fts MATCH ?",
                [engine_query.to_owned()],
            ))
            .and_where(Expr::col("rowid").is_in(index_rows.iter().copied()))
            .to_owned(),
    };
    let mut snippets = HashMap::new();
    for row in db.query_all(&query).await? {
        snippets.insert(row.try_get("", "id")?, row.try_get("", "snippet")?);
    }
    Ok(snippets)
}

/// Published work `audience` sees other than `source`, newest first.
fn published_others(source: &Submission, audience: &Audience) -> Cond {
    Cond::all()
        .add(submission_audience(audience, "s"))
        .add(Expr::col(("s", "status")).eq(Status::Published.as_str()))
        .add(Expr::col(("s", "id")).ne(source.id.0))
}

/// The codes of one kind of tag on a submission's content.
type TagCodes = fn(&Content) -> &Vec<String>;

/// Each tag table and the codes it holds.
const TAGS: [(&str, TagCodes); 3] = [
    ("submission_priorities", |c| &c.priorities),
    ("submission_practice_areas", |c| &c.practice_areas),
    ("submission_topics", |c| &c.topics),
];

/// Candidates for work related to `source`, with what each shares.
pub(super) async fn related(
    db: &DatabaseConnection,
    source: &Submission,
    audience: &Audience,
) -> Result<Vec<(SubmissionId, Likeness)>, DbErr> {
    let backend = db.get_database_backend();
    let mut found: HashMap<Uuid, Likeness> = HashMap::new();
    if let Some(words) = SearchQuery::any_of(&source.content.title) {
        let engine_query = match backend {
            DatabaseBackend::Postgres => words.to_websearch().replace("\" \"", "\" or \""),
            _ => words.to_fts5_any(),
        };
        let cond = published_others(source, audience);
        let ranked: Vec<(Uuid, f64)> = if backend == DatabaseBackend::Postgres {
            pg_candidates(db, cond, &engine_query, RELATED_POOL)
                .await?
                .into_iter()
                .map(|c| (c.id, c.rank))
                .collect()
        } else {
            let pool = sqlite_candidates(cond, engine_query, RELATED_POOL);
            db.query_all(&pool)
                .await?
                .iter()
                .map(|row| Ok((row.try_get("", "cid")?, row.try_get("", "rank")?)))
                .collect::<Result<_, DbErr>>()?
        };
        let best = ranked.iter().map(|(_, r)| *r).fold(0.0_f64, f64::max);
        for (id, rank) in ranked {
            let text_rank = if best > 0.0 { rank / best } else { 0.0 };
            found.entry(id).or_default().text_rank = text_rank.clamp(0.0, 1.0);
        }
    }
    let mut shares_a_tag = Cond::any();
    let mut any_tag = false;
    for (table, codes) in TAGS {
        let codes = codes(&source.content);
        if codes.is_empty() {
            continue;
        }
        any_tag = true;
        shares_a_tag = shares_a_tag.add(
            Expr::col(("s", "id")).in_subquery(
                Query::select()
                    .column("submission_id")
                    .from(table)
                    .and_where(Expr::col("code").is_in(codes.iter().cloned()))
                    .to_owned(),
            ),
        );
    }
    if any_tag {
        let pool = Query::select()
            .column(("s", "id"))
            .from_as("submissions", "s")
            .cond_where(published_others(source, audience).add(shares_a_tag))
            .order_by(("s", "created_at"), Order::Desc)
            .order_by(("s", "id"), Order::Desc)
            .limit(RELATED_POOL)
            .to_owned();
        for row in db.query_all(&pool).await? {
            found.entry(row.try_get("", "id")?).or_default();
        }
    }
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = found.keys().copied().collect();
    for (index, (table, codes)) in TAGS.into_iter().enumerate() {
        let codes = codes(&source.content);
        if codes.is_empty() {
            continue;
        }
        let shared = Query::select()
            .column("submission_id")
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("shared"))
            .from(table)
            .and_where(Expr::col("submission_id").is_in(ids.iter().copied()))
            .and_where(Expr::col("code").is_in(codes.iter().cloned()))
            .group_by_col("submission_id")
            .to_owned();
        for row in db.query_all(&shared).await? {
            let id: Uuid = row.try_get("", "submission_id")?;
            let count: i64 = row.try_get("", "shared")?;
            let count = u32::try_from(count).unwrap_or(u32::MAX);
            if let Some(likeness) = found.get_mut(&id) {
                match index {
                    0 => likeness.shared_priorities = count,
                    1 => likeness.shared_practice_areas = count,
                    _ => likeness.shared_topics = count,
                }
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|(id, likeness)| (SubmissionId(id), likeness))
        .collect())
}
