//! Mail preferences and the mails planned from the outbox, leased to one
//! sender at a time as webhook deliveries are.

use crate::{storage, write_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::MemberId;
use domain::SubmissionId;
use domain::member::Role;
use domain::notification::{
    Audience, ERASURE_KEY_PREFIX, LeasedMail, MailKind, MailOutcome, Preferences, dedupe_key, plan,
};
use domain::repository::{MailRepository, NotificationRepository, StorageError, WriteError};
use domain::review::{Decision, Rubric};
use domain::webhook::{MAX_ATTEMPTS, next_attempt};
use sea_orm::sea_query::{
    Cond, Expr, ExprTrait, JoinType, LockBehavior, LockType, OnConflict, Order, Query,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult, TransactionTrait};
use uuid::Uuid;

/// Preferences and planned mails stored through sea-orm.
#[derive(Clone)]
pub struct SeaMailRepository {
    db: DatabaseConnection,
}

impl SeaMailRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// Plans the erasure confirmation inside the erasure's transaction, with the
/// address that is about to be erased.
pub(crate) async fn plan_erasure_confirmation(
    tx: &impl ConnectionTrait,
    member: MemberId,
    email: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mail = NewMail {
        key: dedupe_key(ERASURE_KEY_PREFIX, member, MailKind::ErasureConfirmation),
        kind: MailKind::ErasureConfirmation,
        recipient: member,
        email: Some(email.to_owned()),
        submission: None,
        title: None,
        comments: None,
    };
    insert(tx, &mail, at).await.map(|_| ())
}

/// An erased member's choices go with their account.
pub(crate) async fn forget_preferences(
    tx: &impl ConnectionTrait,
    member: MemberId,
) -> Result<(), DbErr> {
    let delete = Query::delete()
        .from_table("notification_preferences")
        .and_where(Expr::col("member_id").eq(member.0))
        .to_owned();
    tx.execute(&delete).await.map(|_| ())
}

struct NewMail {
    key: String,
    kind: MailKind,
    recipient: MemberId,
    email: Option<String>,
    submission: Option<SubmissionId>,
    title: Option<String>,
    comments: Option<String>,
}

/// Inserts a planned mail unless one with its key exists; returns rows made.
async fn insert(
    db: &impl ConnectionTrait,
    mail: &NewMail,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let insert = Query::insert()
        .into_table("mail_deliveries")
        .columns([
            "id",
            "dedupe_key",
            "kind",
            "recipient_id",
            "email",
            "submission_id",
            "title",
            "comments",
            "state",
            "attempts",
            "next_attempt_at",
            "created_at",
        ])
        .values_panic([
            Uuid::now_v7().into(),
            mail.key.clone().into(),
            mail.kind.as_str().into(),
            Some(mail.recipient.0).into(),
            mail.email.clone().into(),
            mail.submission.map(|s| s.0).into(),
            mail.title.clone().into(),
            mail.comments.clone().into(),
            "pending".into(),
            0.into(),
            Some(at).into(),
            at.into(),
        ])
        .on_conflict(OnConflict::column("dedupe_key").do_nothing().to_owned())
        .to_owned();
    Ok(db.execute(&insert).await?.rows_affected())
}

fn preferences_of(row: &QueryResult, prefix: &str) -> Result<Preferences, DbErr> {
    let defaults = Preferences::default();
    let flag = |name: &str, default: bool| -> Result<bool, DbErr> {
        let value: Option<bool> = row.try_get(prefix, name)?;
        Ok(value.unwrap_or(default))
    };
    Ok(Preferences {
        decisions: flag("decisions", defaults.decisions)?,
        adoptions: flag("adoptions", defaults.adoptions)?,
        review_queue: flag("review_queue", defaults.review_queue)?,
    })
}

async fn stored_preferences(
    db: &impl ConnectionTrait,
    member: MemberId,
) -> Result<Preferences, DbErr> {
    let select = Query::select()
        .columns(["decisions", "adoptions", "review_queue"])
        .from("notification_preferences")
        .and_where(Expr::col("member_id").eq(member.0))
        .to_owned();
    match db.query_one(&select).await? {
        Some(row) => preferences_of(&row, ""),
        None => Ok(Preferences::default()),
    }
}

async fn is_live(db: &impl ConnectionTrait, member: MemberId) -> Result<bool, DbErr> {
    let select = Query::select()
        .column("id")
        .from("members")
        .and_where(Expr::col("id").eq(member.0))
        .and_where(Expr::col("erased_at").is_null())
        .to_owned();
    Ok(db.query_one(&select).await?.is_some())
}

/// Reviewers and admins who asked to hear of work entering the queue.
async fn queue_watchers(db: &impl ConnectionTrait) -> Result<Vec<MemberId>, DbErr> {
    let reviewing: Vec<&str> = [Role::Member, Role::Reviewer, Role::Admin]
        .into_iter()
        .filter(|r| r.can_review())
        .map(Role::as_str)
        .collect();
    let select = Query::select()
        .column(("m", "id"))
        .from_as("members", "m")
        .join_as(
            JoinType::InnerJoin,
            "notification_preferences",
            "p",
            Expr::col(("p", "member_id")).equals(("m", "id")),
        )
        .and_where(Expr::col(("m", "erased_at")).is_null())
        .and_where(Expr::col(("m", "role")).is_in(reviewing))
        .and_where(Expr::col(("p", "review_queue")).eq(true))
        .to_owned();
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id").map(MemberId))
        .collect()
}

async fn title_of(db: &impl ConnectionTrait, submission: Uuid) -> Result<Option<String>, DbErr> {
    let select = Query::select()
        .column("title")
        .from("submissions")
        .and_where(Expr::col("id").eq(submission))
        .to_owned();
    match db.query_one(&select).await? {
        Some(row) => row.try_get("", "title"),
        None => Ok(None),
    }
}

/// The comments of the latest review that asked for changes, as JSON.
async fn change_comments(db: &impl ConnectionTrait, submission: Uuid) -> Result<String, DbErr> {
    let select = Query::select()
        .columns(["rubric", "overall_comment"])
        .from("reviews")
        .and_where(Expr::col("submission_id").eq(submission))
        .and_where(Expr::col("decision").eq(Decision::RequestChanges.as_str()))
        .order_by("created_at", Order::Desc)
        .order_by("id", Order::Desc)
        .limit(1)
        .to_owned();
    let mut comments = Vec::new();
    if let Some(row) = db.query_one(&select).await? {
        let overall: Option<String> = row.try_get("", "overall_comment")?;
        comments.extend(overall);
        let rubric: String = row.try_get("", "rubric")?;
        if let Ok(rubric) = serde_json::from_str::<Rubric>(&rubric) {
            comments.extend(rubric.scores().iter().filter_map(|s| s.comment.clone()));
        }
    }
    comments.retain(|c| !c.trim().is_empty());
    serde_json::to_string(&comments).map_err(|e| DbErr::Custom(e.to_string()))
}

const MAIL_COLUMNS: [&str; 8] = [
    "id",
    "kind",
    "recipient_id",
    "email",
    "submission_id",
    "title",
    "comments",
    "attempts",
];

#[async_trait]
impl NotificationRepository for SeaMailRepository {
    async fn preferences(&self, member: MemberId) -> Result<Preferences, StorageError> {
        stored_preferences(&self.db, member).await.map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn set_preferences(
        &self,
        member: MemberId,
        preferences: Preferences,
        at: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        if !is_live(&self.db, member).await.map_err(write_error)? {
            return Err(WriteError::NotFound);
        }
        let upsert = Query::insert()
            .into_table("notification_preferences")
            .columns([
                "member_id",
                "decisions",
                "adoptions",
                "review_queue",
                "updated_at",
            ])
            .values_panic([
                member.0.into(),
                preferences.decisions.into(),
                preferences.adoptions.into(),
                preferences.review_queue.into(),
                at.into(),
            ])
            .on_conflict(
                OnConflict::column("member_id")
                    .update_columns(["decisions", "adoptions", "review_queue", "updated_at"])
                    .to_owned(),
            )
            .to_owned();
        self.db.execute(&upsert).await.map_err(write_error)?;
        Ok(())
    }
}

#[async_trait]
impl MailRepository for SeaMailRepository {
    #[tracing::instrument(skip(self))]
    async fn plan(
        &self,
        at: DateTime<Utc>,
        not_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<u64, StorageError> {
        crate::events::sequence_pending(&self.db)
            .await
            .map_err(storage)?;
        let tx = self.db.begin().await.map_err(storage)?;
        // Replicas plan one at a time: the cursor row stays locked until this
        // transaction commits; the unique key makes a repeated plan a no-op.
        let cursor = Query::select()
            .column("last_seq")
            .from("mail_dispatch")
            .and_where(Expr::col("id").eq(1))
            .lock(LockType::Update)
            .to_owned();
        let last_seq: i64 = match tx.query_one(&cursor).await.map_err(storage)? {
            Some(row) => row.try_get("", "last_seq").map_err(storage)?,
            None => return Ok(0),
        };
        let events = Query::select()
            .columns([
                "seq",
                "id",
                "event_type",
                "submission_id",
                "author_id",
                "actor_id",
                "at",
            ])
            .from("outbox_events")
            .and_where(Expr::col("seq").gt(last_seq))
            .order_by("seq", Order::Asc)
            .limit(limit)
            .to_owned();
        let rows = tx.query_all(&events).await.map_err(storage)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut made = 0;
        let mut high = last_seq;
        for row in &rows {
            let seq: i64 = row.try_get("", "seq").map_err(storage)?;
            high = std::cmp::max(high, seq);
            made += plan_event(&tx, row, at, not_before)
                .await
                .map_err(storage)?;
        }
        let advance = Query::update()
            .table("mail_dispatch")
            .value("last_seq", high)
            .and_where(Expr::col("id").eq(1))
            .and_where(Expr::col("last_seq").lt(high))
            .to_owned();
        tx.execute(&advance).await.map_err(storage)?;
        tx.commit().await.map_err(storage)?;
        Ok(made)
    }

    #[tracing::instrument(skip(self))]
    async fn lease_due(
        &self,
        at: DateTime<Utc>,
        lease_for: chrono::Duration,
        limit: u64,
    ) -> Result<Vec<LeasedMail>, StorageError> {
        let lease = Uuid::now_v7();
        // Rows another replica is leasing right now are skipped, not waited
        // for; SQLite has no row locks, and one UPDATE there is atomic.
        let due = Query::select()
            .column("id")
            .from("mail_deliveries")
            .and_where(Expr::col("state").eq("pending"))
            .and_where(Expr::col("next_attempt_at").lte(at))
            .cond_where(
                Cond::any()
                    .add(Expr::col("leased_until").is_null())
                    .add(Expr::col("leased_until").lte(at)),
            )
            .order_by("next_attempt_at", Order::Asc)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let take = Query::update()
            .table("mail_deliveries")
            .value("lease_id", lease)
            .value("leased_until", at + lease_for)
            .and_where(Expr::col("id").in_subquery(due))
            .to_owned();
        if self
            .db
            .execute(&take)
            .await
            .map_err(storage)?
            .rows_affected()
            == 0
        {
            return Ok(Vec::new());
        }
        let mut select = Query::select();
        for column in MAIL_COLUMNS {
            select.expr_as(Expr::col(("d", column)), column);
        }
        select
            .expr_as(Expr::col(("m", "email")), "member_email")
            .expr_as(Expr::col(("p", "decisions")), "p_decisions")
            .expr_as(Expr::col(("p", "adoptions")), "p_adoptions")
            .expr_as(Expr::col(("p", "review_queue")), "p_review_queue")
            .from_as("mail_deliveries", "d")
            .join_as(
                JoinType::LeftJoin,
                "members",
                "m",
                Expr::col(("m", "id")).equals(("d", "recipient_id")),
            )
            .join_as(
                JoinType::LeftJoin,
                "notification_preferences",
                "p",
                Expr::col(("p", "member_id")).equals(("d", "recipient_id")),
            )
            .and_where(Expr::col(("d", "lease_id")).eq(lease))
            .order_by(("d", "created_at"), Order::Asc);
        let rows = self.db.query_all(&select).await.map_err(storage)?;
        rows.iter()
            .filter_map(|row| to_leased(row, lease).transpose())
            .collect::<Result<_, _>>()
            .map_err(storage)
    }

    #[tracing::instrument(skip(self, outcome))]
    async fn record_attempt(
        &self,
        lease: Uuid,
        mail: Uuid,
        outcome: MailOutcome,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let select = Query::select()
            .column("attempts")
            .from("mail_deliveries")
            .and_where(Expr::col("id").eq(mail))
            .and_where(Expr::col("lease_id").eq(lease))
            .to_owned();
        let Some(row) = self.db.query_one(&select).await.map_err(storage)? else {
            return Ok(false);
        };
        let attempts: i32 = row.try_get("", "attempts").map_err(storage)?;
        let (state, attempts, error, next, sent_at) = match outcome {
            MailOutcome::Sent => ("sent", attempts + 1, None, None, Some(at)),
            MailOutcome::Skipped(why) => ("skipped", attempts, Some(why), None, None),
            MailOutcome::Failed(error) if attempts + 1 >= MAX_ATTEMPTS => {
                ("failed", attempts + 1, Some(error), None, None)
            }
            MailOutcome::Failed(error) => (
                "pending",
                attempts + 1,
                Some(error),
                Some(next_attempt(attempts + 1, at)),
                None,
            ),
        };
        let mut update = Query::update();
        update
            .table("mail_deliveries")
            .value("attempts", attempts)
            .value("state", state)
            .value("last_error", error)
            .value("next_attempt_at", next)
            .value("sent_at", sent_at)
            .value("lease_id", Option::<Uuid>::None)
            .value("leased_until", Option::<DateTime<Utc>>::None)
            .and_where(Expr::col("id").eq(mail))
            .and_where(Expr::col("lease_id").eq(lease));
        if state != "pending" {
            // A captured address is kept no longer than it is needed.
            update.value("email", Option::<String>::None);
        }
        let updated = self.db.execute(&update).await.map_err(storage)?;
        Ok(updated.rows_affected() == 1)
    }
}

/// Plans the mails one outbox event calls for.
async fn plan_event(
    tx: &impl ConnectionTrait,
    row: &QueryResult,
    at: DateTime<Utc>,
    not_before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let event_at: DateTime<Utc> = row.try_get("", "at")?;
    if event_at < not_before {
        return Ok(0);
    }
    let event_id: Uuid = row.try_get("", "id")?;
    let event_type: String = row.try_get("", "event_type")?;
    // Mail is only ever about a submission: events about resources send none.
    let Some(submission) = row.try_get::<Option<Uuid>>("", "submission_id")? else {
        return Ok(0);
    };
    let author: Option<Uuid> = row.try_get("", "author_id")?;
    let actor: Option<Uuid> = row.try_get("", "actor_id")?;
    let mut made = 0;
    for planned in plan(&event_type, author.map(MemberId), actor.map(MemberId)) {
        let recipients = match planned.audience {
            Audience::Author(author) => {
                let wants = is_live(tx, author).await?
                    && stored_preferences(tx, author).await?.allows(planned.kind);
                if wants { vec![author] } else { Vec::new() }
            }
            Audience::QueueWatchers { except } => queue_watchers(tx)
                .await?
                .into_iter()
                .filter(|m| !except.contains(&Some(*m)))
                .collect(),
        };
        if recipients.is_empty() {
            continue;
        }
        let title = title_of(tx, submission).await?;
        let comments = match planned.kind {
            MailKind::ChangesRequested => Some(change_comments(tx, submission).await?),
            _ => None,
        };
        for recipient in recipients {
            let mail = NewMail {
                key: dedupe_key(&event_id.to_string(), recipient, planned.kind),
                kind: planned.kind,
                recipient,
                email: None,
                submission: Some(SubmissionId(submission)),
                title: title.clone(),
                comments: comments.clone(),
            };
            made += insert(tx, &mail, at).await?;
        }
    }
    Ok(made)
}

/// A leased row as the sender needs it; `None` for a kind this version does not know.
fn to_leased(row: &QueryResult, lease: Uuid) -> Result<Option<LeasedMail>, DbErr> {
    let kind: String = row.try_get("", "kind")?;
    let Ok(kind) = kind.parse::<MailKind>() else {
        return Ok(None);
    };
    let captured: Option<String> = row.try_get("", "email")?;
    let current: Option<String> = row.try_get("", "member_email")?;
    let recipient: Option<Uuid> = row.try_get("", "recipient_id")?;
    let submission: Option<Uuid> = row.try_get("", "submission_id")?;
    let comments: Option<String> = row.try_get("", "comments")?;
    Ok(Some(LeasedMail {
        lease,
        id: row.try_get("", "id")?,
        kind,
        recipient: recipient.map(MemberId),
        email: captured.or(current),
        preferences: preferences_of(row, "p_")?,
        submission_id: submission.map(SubmissionId),
        title: row.try_get("", "title")?,
        comments: comments
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default(),
        attempts: row.try_get("", "attempts")?,
    }))
}
