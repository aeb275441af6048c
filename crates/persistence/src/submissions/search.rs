//! Full-text search with each database's own engine: PostgreSQL's weighted
//! `search_vector` (GIN index, `websearch_to_tsquery`), SQLite's FTS5 table
//! `submissions_fts` (porter stemming) kept in step by triggers. Relevance is
//! ranked within the newest [`SEARCH_CANDIDATES`] matches (see the domain),
//! then by newest; pages follow the rank, the creation time and the id.

use super::{select_submissions, to_submission};
use crate::visibility::submission_audience;
use domain::SubmissionId;
use domain::pagination::{Cursor, Page, PageSize};
use domain::submission::search::{
    BODY_WEIGHT, Likeness, MARK_END, MARK_START, RELATED_POOL, SEARCH_CANDIDATES, SUMMARY_WEIGHT,
    SearchMatch, SearchQuery, TITLE_WEIGHT, snippet_html,
};
use domain::submission::{Audience, Content, Status, Submission};
use domain::taxonomy::Vocabulary;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
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

/// The matches of `query` that `cond` lets through, at most `limit` of the
/// newest, as `cid` (the submission), `rank` (higher is better) and, on
/// SQLite, `frowid` (the index row, for snippets).
fn candidates(
    backend: DatabaseBackend,
    cond: Cond,
    engine_query: String,
    limit: u64,
) -> SelectStatement {
    match backend {
        DatabaseBackend::Postgres => Query::select()
            .expr_as(Expr::col(("s", "id")), Alias::new("cid"))
            .expr_as(
                Expr::cust_with_values(
                    format!("ts_rank({}, s.search_vector, websearch_to_tsquery('english', $1))::float8", pg_weights()),
                    [engine_query.clone()],
                ),
                Alias::new("rank"),
            )
            .from_as("submissions", "s")
            .cond_where(cond.add(Expr::cust_with_values(
                "s.search_vector @@ websearch_to_tsquery('english', $1)",
                [engine_query],
            )))
            .order_by(("s", "created_at"), Order::Desc)
            .order_by(("s", "id"), Order::Desc)
            .limit(limit)
            .to_owned(),
        _ => Query::select()
            .expr_as(Expr::col(("s", "id")), Alias::new("cid"))
            .expr_as(
                Expr::cust(format!(
                    "-bm25(submissions_fts, 0.0, {TITLE_WEIGHT:?}, {SUMMARY_WEIGHT:?}, {BODY_WEIGHT:?})"
                )),
                Alias::new("rank"),
            )
            .expr_as(Expr::cust("submissions_fts.rowid"), Alias::new("frowid"))
            .from("submissions_fts")
            .join_as(
                JoinType::InnerJoin,
                "submissions",
                "s",
                Expr::col(("s", "id")).equals(("submissions_fts", "submission_id")),
            )
            .cond_where(cond.add(Expr::cust_with_values(
                "submissions_fts MATCH ?",
                [engine_query],
            )))
            .order_by_expr(Expr::cust("submissions_fts.rowid"), Order::Desc)
            .limit(limit)
            .to_owned(),
    }
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
    let pool = candidates(backend, cond, engine_query.clone(), SEARCH_CANDIDATES);
    let mut select = select_submissions();
    select
        .expr_as(Expr::col(("c", "rank")), Alias::new("rank"))
        .join_subquery(
            JoinType::InnerJoin,
            pool,
            Alias::new("c"),
            Expr::col(("c", "cid")).equals(("s", "id")),
        );
    if backend != DatabaseBackend::Postgres {
        select.expr_as(Expr::col(("c", "frowid")), Alias::new("frowid"));
    }
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
        let rank: f64 = row.try_get("", "rank")?;
        submission.search_match = Some(SearchMatch {
            rank,
            snippet: String::new(),
        });
        if backend != DatabaseBackend::Postgres {
            index_rows.push(row.try_get::<i64>("", "frowid")?);
        }
        items.push(submission);
    }
    let more = rows.len() as u64 > size.get();
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
        let pool = candidates(
            backend,
            published_others(source, audience),
            engine_query,
            RELATED_POOL,
        );
        let rows = db.query_all(&pool).await?;
        let mut ranked = Vec::with_capacity(rows.len());
        for row in rows {
            ranked.push((
                row.try_get::<Uuid>("", "cid")?,
                row.try_get::<f64>("", "rank")?,
            ));
        }
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
