//! The rows that mirror a submission's document: tags, evidence types,
//! recommendations and hub citations, which reports and filters read in SQL.

use crate::tags::TAG_TABLES;
use domain::SubmissionId;
use domain::submission::Content;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};

/// Rewrites the rows that mirror the document: tags, recommendations, citations.
pub(super) async fn write_index_rows(
    tx: &DatabaseTransaction,
    id: SubmissionId,
    content: &Content,
) -> Result<(), DbErr> {
    for table in TAG_TABLES
        .map(|(_, table)| table)
        .into_iter()
        .chain(["recommendations", "submission_citations"])
    {
        let delete = Query::delete()
            .from_table(table)
            .and_where(Expr::col("submission_id").eq(id.0))
            .to_owned();
        tx.execute(&delete).await?;
    }
    insert_index_rows(tx, id, content).await
}

/// Writes the rows that mirror the document of a submission that has none yet.
pub(super) async fn insert_index_rows(
    tx: &DatabaseTransaction,
    id: SubmissionId,
    content: &Content,
) -> Result<(), DbErr> {
    let evidence_types: Vec<String> = content
        .evidence_types()
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    for (dimension, table) in TAG_TABLES {
        let codes = match dimension {
            "priority" => &content.priorities,
            "practice_area" => &content.practice_areas,
            "topic" => &content.topics,
            _ => &evidence_types,
        };
        if codes.is_empty() {
            continue;
        }
        let mut insert = Query::insert()
            .into_table(table)
            .columns(["submission_id", "code"])
            .to_owned();
        for code in codes {
            insert.values_panic([id.0.into(), code.clone().into()]);
        }
        tx.execute(&insert).await?;
    }
    if !content.recommendations.is_empty() {
        let mut insert = Query::insert()
            .into_table("recommendations")
            .columns([
                "id",
                "submission_id",
                "position",
                "text",
                "adoption_status",
                "reported_investment_pence",
            ])
            .to_owned();
        for (position, rec) in content.recommendations.iter().enumerate() {
            insert.values_panic([
                rec.id.into(),
                id.0.into(),
                i32::try_from(position).unwrap_or(i32::MAX).into(),
                rec.text.clone().into(),
                rec.adoption_status.as_str().into(),
                rec.reported_investment_pence.into(),
            ]);
        }
        tx.execute(&insert).await?;
    }
    let cited = content.cited_submissions();
    if !cited.is_empty() {
        let mut insert = Query::insert()
            .into_table("submission_citations")
            .columns(["submission_id", "cited_submission_id"])
            .to_owned();
        for cited_id in cited {
            insert.values_panic([id.0.into(), cited_id.into()]);
        }
        tx.execute(&insert).await?;
    }
    Ok(())
}

pub(super) fn serialize(content: &Content) -> Result<String, DbErr> {
    serde_json::to_string(content).map_err(|e| DbErr::Custom(format!("serialising content: {e}")))
}
