//! A submitter's demographics as they were when a submission was first
//! submitted (`submission_demographics`, one row a submission). The quarterly
//! summary counts people by these, never by the profile as it is now.

use domain::member::{Demographics, RecordedDemographics};
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

/// The recorded columns, named as on the member profile.
pub const RECORDED_COLUMNS: [&str; 6] = [
    "career_stage",
    "level_of_practice",
    "sector",
    "job_title",
    "nation",
    "region",
];

/// Records the author's profile demographics as they are now with submission
/// `id`; a submission already recorded keeps its first record.
pub(crate) async fn record(db: &impl ConnectionTrait, id: SubmissionId) -> Result<(), DbErr> {
    let mut select = Query::select();
    select
        .expr(Expr::col((Alias::new("s"), Alias::new("id"))))
        .from_as("submissions", "s")
        .join_as(
            sea_orm::sea_query::JoinType::InnerJoin,
            Alias::new("members"),
            Alias::new("m"),
            Expr::col((Alias::new("m"), Alias::new("id")))
                .equals((Alias::new("s"), Alias::new("author_id"))),
        )
        .and_where(Expr::col((Alias::new("s"), Alias::new("id"))).eq(id.0));
    for column in RECORDED_COLUMNS {
        select.expr(Expr::col((Alias::new("m"), Alias::new(column))));
    }
    let insert = Query::insert()
        .into_table("submission_demographics")
        .columns(std::iter::once("submission_id").chain(RECORDED_COLUMNS))
        .select_from(select)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(OnConflict::column("submission_id").do_nothing().to_owned())
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

/// Clears what was recorded with the work `author` wrote: it is personal data,
/// and an erased member's retained work counts them as not stated.
pub(crate) async fn clear_for(db: &impl ConnectionTrait, author: MemberId) -> Result<(), DbErr> {
    let mut authored = Query::select();
    authored
        .column("id")
        .from("submissions")
        .and_where(Expr::col("author_id").eq(author.0));
    let mut update = Query::update();
    update
        .table("submission_demographics")
        .and_where(Expr::col("submission_id").in_subquery(authored.to_owned()));
    for column in RECORDED_COLUMNS {
        update.value(column, Option::<String>::None);
    }
    db.execute(&update.to_owned()).await?;
    Ok(())
}

/// What was recorded with each submission `author` wrote, by submission.
pub(crate) async fn recorded_for(
    db: &impl ConnectionTrait,
    author: MemberId,
) -> Result<Vec<RecordedDemographics>, DbErr> {
    let mut select = Query::select();
    select
        .column((Alias::new("d"), Alias::new("submission_id")))
        .from_as("submission_demographics", "d")
        .join_as(
            sea_orm::sea_query::JoinType::InnerJoin,
            Alias::new("submissions"),
            Alias::new("s"),
            Expr::col((Alias::new("s"), Alias::new("id")))
                .equals((Alias::new("d"), Alias::new("submission_id"))),
        )
        .and_where(Expr::col((Alias::new("s"), Alias::new("author_id"))).eq(author.0))
        .order_by(
            (Alias::new("s"), Alias::new("submitted_at")),
            sea_orm::Order::Asc,
        )
        .order_by(
            (Alias::new("d"), Alias::new("submission_id")),
            sea_orm::Order::Asc,
        );
    for column in RECORDED_COLUMNS {
        select.column((Alias::new("d"), Alias::new(column)));
    }
    db.query_all(&select.to_owned())
        .await?
        .iter()
        .map(|row| {
            let id: Uuid = row.try_get("", "submission_id")?;
            Ok(RecordedDemographics {
                submission_id: SubmissionId(id),
                demographics: Demographics {
                    career_stage: row.try_get("", "career_stage")?,
                    level_of_practice: row.try_get("", "level_of_practice")?,
                    sector: row.try_get("", "sector")?,
                    job_title: row.try_get("", "job_title")?,
                    nation: row.try_get("", "nation")?,
                    region: row.try_get("", "region")?,
                },
            })
        })
        .collect()
}
