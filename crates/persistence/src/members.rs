use crate::entities::members::{ActiveModel, Column, Entity, Model};
use crate::entities::submissions;
use crate::{now, storage, write_error};
use async_trait::async_trait;
use domain::MemberId;
use domain::audit::AuditEntry;
use domain::member::{Demographics, DisplayName, FORMER_MEMBER_NAME, Member, NewMember, Role};
use domain::notification::ErasureNotice;
use domain::repository::{MemberRepository, StorageError, WriteError};
use domain::submission::Status;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Set, TransactionTrait,
};

/// Members stored through sea-orm.
#[derive(Clone)]
pub struct SeaMemberRepository {
    db: DatabaseConnection,
}

impl SeaMemberRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_member(model: Model) -> Member {
    Member {
        id: MemberId(model.id),
        email: model.email.unwrap_or_default(),
        display_name: model.display_name,
        role: model.role.parse().unwrap_or(Role::Member),
        demographics: Demographics {
            career_stage: model.career_stage,
            level_of_practice: model.level_of_practice,
            sector: model.sector,
            job_title: model.job_title,
            nation: model.nation,
            region: model.region,
        },
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

/// The member's row unless they were erased.
async fn live(db: &impl ConnectionTrait, id: MemberId) -> Result<Option<Model>, sea_orm::DbErr> {
    Entity::find_by_id(id.0)
        .filter(Column::ErasedAt.is_null())
        .one(db)
        .await
}

#[async_trait]
impl MemberRepository for SeaMemberRepository {
    #[tracing::instrument(skip_all)]
    async fn create(&self, member: NewMember) -> Result<Member, WriteError> {
        let at = now();
        let model = ActiveModel {
            id: Set(MemberId::generate().0),
            email: Set(Some(member.email.as_str().to_owned())),
            display_name: Set(member.display_name.as_str().to_owned()),
            password_hash: Set(Some(member.password_hash)),
            role: Set(member.role.as_str().to_owned()),
            career_stage: Set(None),
            level_of_practice: Set(None),
            sector: Set(None),
            job_title: Set(None),
            nation: Set(None),
            region: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            erased_at: Set(None),
        };
        let model = model.insert(&self.db).await.map_err(write_error)?;
        Ok(to_member(model))
    }

    #[tracing::instrument(skip(self))]
    async fn get(&self, id: MemberId) -> Result<Option<Member>, StorageError> {
        Ok(live(&self.db, id).await.map_err(storage)?.map(to_member))
    }

    #[tracing::instrument(skip_all)]
    async fn credentials(&self, email: &str) -> Result<Option<(Member, String)>, StorageError> {
        let model = Entity::find()
            .filter(Column::Email.eq(email))
            .filter(Column::ErasedAt.is_null())
            .one(&self.db)
            .await
            .map_err(storage)?;
        Ok(model.and_then(|m| {
            let hash = m.password_hash.clone()?;
            Some((to_member(m), hash))
        }))
    }

    async fn role_of(&self, id: MemberId) -> Result<Option<Role>, StorageError> {
        let role: Option<String> = Entity::find_by_id(id.0)
            .filter(Column::ErasedAt.is_null())
            .select_only()
            .column(Column::Role)
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(storage)?;
        Ok(role.and_then(|r| r.parse().ok()))
    }

    #[tracing::instrument(skip(self, display_name, demographics))]
    async fn update_profile(
        &self,
        id: MemberId,
        display_name: Option<DisplayName>,
        demographics: Demographics,
        audit: &AuditEntry,
    ) -> Result<Member, WriteError> {
        let tx = crate::begin_write(&self.db).await.map_err(write_error)?;
        let model = live(&tx, id)
            .await
            .map_err(write_error)?
            .ok_or(WriteError::NotFound)?;
        let mut active: ActiveModel = model.into();
        if let Some(name) = display_name {
            active.display_name = Set(name.as_str().to_owned());
        }
        active.career_stage = Set(demographics.career_stage);
        active.level_of_practice = Set(demographics.level_of_practice);
        active.sector = Set(demographics.sector);
        active.job_title = Set(demographics.job_title);
        active.nation = Set(demographics.nation);
        active.region = Set(demographics.region);
        active.updated_at = Set(now());
        let updated = active.update(&tx).await.map_err(write_error)?;
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        Ok(to_member(updated))
    }

    #[tracing::instrument(skip(self))]
    async fn erase(&self, id: MemberId, notice: ErasureNotice) -> Result<(), WriteError> {
        let tx = self.db.begin().await.map_err(write_error)?;
        if notice == ErasureNotice::Send {
            // The address is read and the confirmation planned before it is erased.
            let email = Entity::find_by_id(id.0)
                .filter(Column::ErasedAt.is_null())
                .one(&tx)
                .await
                .map_err(write_error)?
                .and_then(|member| member.email);
            if let Some(email) = email {
                crate::mail::plan_erasure_confirmation(&tx, id, &email, now())
                    .await
                    .map_err(write_error)?;
            }
        }
        crate::mail::forget_preferences(&tx, id)
            .await
            .map_err(write_error)?;
        crate::demographics::clear_for(&tx, id)
            .await
            .map_err(write_error)?;
        let drafts = submissions::Entity::delete_many()
            .filter(submissions::Column::AuthorId.eq(id.0))
            .filter(submissions::Column::Status.eq(Status::Draft.as_str()))
            .exec(&tx)
            .await
            .map_err(write_error)?;
        let erased = Entity::update_many()
            .col_expr(Column::Email, Expr::value(Option::<String>::None))
            .col_expr(Column::DisplayName, Expr::value(FORMER_MEMBER_NAME))
            .col_expr(Column::PasswordHash, Expr::value(Option::<String>::None))
            .col_expr(Column::CareerStage, Expr::value(Option::<String>::None))
            .col_expr(Column::LevelOfPractice, Expr::value(Option::<String>::None))
            .col_expr(Column::Sector, Expr::value(Option::<String>::None))
            .col_expr(Column::JobTitle, Expr::value(Option::<String>::None))
            .col_expr(Column::Nation, Expr::value(Option::<String>::None))
            .col_expr(Column::Region, Expr::value(Option::<String>::None))
            .col_expr(Column::ErasedAt, Expr::value(now()))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::Id.eq(id.0))
            .filter(Column::ErasedAt.is_null())
            .exec(&tx)
            .await
            .map_err(write_error)?;
        if erased.rows_affected == 0 {
            tx.rollback().await.map_err(write_error)?;
            return Err(WriteError::NotFound);
        }
        detach_retained_work(&tx, id).await.map_err(write_error)?;
        let cached = Query::delete()
            .from_table("idempotency_keys")
            .and_where(Expr::col("member_id").eq(id.0))
            .to_owned();
        tx.execute(&cached).await.map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        tracing::info!(drafts_deleted = drafts.rows_affected, "member erased");
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn set_role(
        &self,
        id: MemberId,
        role: Role,
        audit: &AuditEntry,
    ) -> Result<Member, WriteError> {
        let tx = crate::begin_write(&self.db).await.map_err(write_error)?;
        let model = live(&tx, id)
            .await
            .map_err(write_error)?
            .ok_or(WriteError::NotFound)?;
        let mut active: ActiveModel = model.into();
        active.role = Set(role.as_str().to_owned());
        active.updated_at = Set(now());
        let updated = active.update(&tx).await.map_err(write_error)?;
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        Ok(to_member(updated))
    }
}

/// Every column that names the member who wrote, reviewed, reported, made or
/// did something that erasure keeps.
const RETAINED_WORK_COLUMNS: [(&str, &str); 19] = [
    ("submissions", "author_id"),
    ("submissions", "reviewer_id"),
    ("transitions", "actor_id"),
    ("revisions", "created_by"),
    ("reviews", "reviewer_id"),
    ("recommendation_events", "reported_by"),
    ("attachments", "uploaded_by"),
    ("report_snapshots", "created_by"),
    ("outbox_events", "author_id"),
    ("outbox_events", "actor_id"),
    ("webhooks", "created_by"),
    ("report_rollup_authors", "author_id"),
    ("audit_log", "actor_id"),
    ("adoptions", "reported_by"),
    ("inclusions", "recorded_by"),
    ("idea_clinics", "created_by"),
    ("clinic_presentations", "recorded_by"),
    ("resources", "published_by"),
    ("resource_downloads", "member_id"),
];

/// Moves what an erased member leaves behind to a tombstone member of its
/// own ("Former member", no email, a new id): the work stays countable as one
/// person's, as the quarters that counted it did, but nothing links it to the
/// person or to their old id.
async fn detach_retained_work(db: &impl ConnectionTrait, id: MemberId) -> Result<(), DbErr> {
    let at = now();
    let tombstone = ActiveModel {
        id: Set(MemberId::generate().0),
        email: Set(None),
        display_name: Set(FORMER_MEMBER_NAME.to_owned()),
        password_hash: Set(None),
        role: Set(Role::Member.as_str().to_owned()),
        career_stage: Set(None),
        level_of_practice: Set(None),
        sector: Set(None),
        job_title: Set(None),
        nation: Set(None),
        region: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        erased_at: Set(Some(at)),
    };
    let tombstone = tombstone.insert(db).await?.id;
    for (table, column) in RETAINED_WORK_COLUMNS {
        let update = Query::update()
            .table(table)
            .value(column, tombstone)
            .and_where(Expr::col(column).eq(id.0))
            .to_owned();
        db.execute(&update).await?;
    }
    Ok(())
}
