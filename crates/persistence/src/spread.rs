//! Adoptions, inclusions in reports, idea clinics and presentations. Each
//! write is one transaction: the row, its audit entry, then its outbox event
//! (last, as it takes the outbox lock).

use crate::events::record_event;
use crate::{storage, write_error};
use async_trait::async_trait;
use chrono::NaiveDate;
use domain::audit::AuditEntry;
use domain::clinic::{Feasibility, IdeaClinic, NewClinic, PanelView, Presentation};
use domain::event::EventType;
use domain::report::StrategyFigures;
use domain::repository::{ClinicRepository, SpreadRepository, StorageError, WriteError};
use domain::spread::{
    Adoption, AdoptionReport, Inclusion, InclusionReport, InclusionScope, OrganisationType,
    name_key,
};
use domain::submission::Status;
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{
    Expr, ExprTrait, InsertStatement, JoinType, Order, Query, SelectStatement,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Storage of spread and idea clinics.
#[derive(Clone)]
pub struct SeaSpreadRepository {
    db: DatabaseConnection,
}

/// The outbox event a write records about a submission.
struct Outbox {
    event_type: EventType,
    submission: SubmissionId,
    actor: Option<MemberId>,
    status: Status,
    at: chrono::DateTime<chrono::Utc>,
}

pub(crate) const ADOPTION_COLUMNS: [&str; 12] = [
    "id",
    "submission_id",
    "reported_by",
    "organisation",
    "organisation_type",
    "nation",
    "region",
    "adopted_on",
    "recommendation_id",
    "investment_pence",
    "notes",
    "reported_at",
];

pub(crate) const INCLUSION_COLUMNS: [&str; 10] = [
    "id",
    "submission_id",
    "recorded_by",
    "report_title",
    "scope",
    "nation",
    "region",
    "published_on",
    "url",
    "recorded_at",
];

pub(crate) const PRESENTATION_COLUMNS: [&str; 8] = [
    "id",
    "clinic_id",
    "submission_id",
    "feasibility",
    "adoption_likelihood",
    "panel_notes",
    "recorded_by",
    "recorded_at",
];

pub(crate) const CLINIC_COLUMNS: [&str; 7] = [
    "id",
    "title",
    "held_on",
    "nation",
    "region",
    "created_by",
    "created_at",
];

impl SeaSpreadRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Inserts a row, its audit entry and (when given) its outbox event in one transaction.
    async fn write(
        &self,
        insert: InsertStatement,
        audit: &AuditEntry,
        event: Option<Outbox>,
    ) -> Result<(), WriteError> {
        let tx = crate::begin_write(&self.db).await.map_err(write_error)?;
        tx.execute(&insert).await.map_err(write_error)?;
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        if let Some(event) = event {
            record_event(
                &tx,
                event.event_type,
                event.submission,
                event.actor,
                None,
                Some(event.status),
                event.at,
            )
            .await
            .map_err(write_error)?;
        }
        tx.commit().await.map_err(write_error)
    }

    async fn rows(&self, query: SelectStatement) -> Result<Vec<QueryResult>, StorageError> {
        self.db.query_all(&query).await.map_err(storage)
    }
}

fn member(row: &QueryResult, column: &str) -> Result<Option<MemberId>, DbErr> {
    let raw: Option<Uuid> = row.try_get("", column)?;
    Ok(raw.map(MemberId))
}

fn unknown(column: &str, raw: &str) -> DbErr {
    DbErr::Custom(format!("unknown {column} '{raw}' stored"))
}

fn adoption(row: &QueryResult) -> Result<Adoption, DbErr> {
    let organisation_type: String = row.try_get("", "organisation_type")?;
    Ok(Adoption {
        id: row.try_get("", "id")?,
        submission_id: SubmissionId(row.try_get("", "submission_id")?),
        reported_by: member(row, "reported_by")?,
        report: AdoptionReport {
            organisation: row.try_get("", "organisation")?,
            organisation_type: OrganisationType::parse(&organisation_type)
                .ok_or_else(|| unknown("organisation_type", &organisation_type))?,
            nation: row.try_get("", "nation")?,
            region: row.try_get("", "region")?,
            adopted_on: row.try_get("", "adopted_on")?,
            recommendation_id: row.try_get("", "recommendation_id")?,
            investment_pence: row.try_get("", "investment_pence")?,
            notes: row.try_get("", "notes")?,
        },
        reported_at: row.try_get("", "reported_at")?,
    })
}

fn inclusion(row: &QueryResult) -> Result<Inclusion, DbErr> {
    let scope: String = row.try_get("", "scope")?;
    Ok(Inclusion {
        id: row.try_get("", "id")?,
        submission_id: SubmissionId(row.try_get("", "submission_id")?),
        recorded_by: member(row, "recorded_by")?,
        report: InclusionReport {
            report_title: row.try_get("", "report_title")?,
            scope: InclusionScope::parse(&scope).ok_or_else(|| unknown("scope", &scope))?,
            nation: row.try_get("", "nation")?,
            region: row.try_get("", "region")?,
            published_on: row.try_get("", "published_on")?,
            url: row.try_get("", "url")?,
        },
        recorded_at: row.try_get("", "recorded_at")?,
    })
}

fn clinic(row: &QueryResult) -> Result<IdeaClinic, DbErr> {
    Ok(IdeaClinic {
        id: row.try_get("", "id")?,
        clinic: NewClinic {
            title: row.try_get("", "title")?,
            held_on: row.try_get("", "held_on")?,
            nation: row.try_get("", "nation")?,
            region: row.try_get("", "region")?,
        },
        created_by: member(row, "created_by")?,
        created_at: row.try_get("", "created_at")?,
    })
}

fn presentation(row: &QueryResult) -> Result<Presentation, DbErr> {
    let feasibility: String = row.try_get("", "feasibility")?;
    Ok(Presentation {
        id: row.try_get("", "id")?,
        clinic_id: row.try_get("", "clinic_id")?,
        clinic_title: row.try_get("", "title")?,
        held_on: row.try_get("", "held_on")?,
        view: PanelView {
            submission_id: SubmissionId(row.try_get("", "submission_id")?),
            feasibility: Feasibility::parse(&feasibility)
                .ok_or_else(|| unknown("feasibility", &feasibility))?,
            adoption_likelihood: row.try_get("", "adoption_likelihood")?,
            panel_notes: row.try_get("", "panel_notes")?,
        },
        recorded_by: member(row, "recorded_by")?,
        recorded_at: row.try_get("", "recorded_at")?,
    })
}

fn parsed<T>(
    rows: Vec<QueryResult>,
    read: fn(&QueryResult) -> Result<T, DbErr>,
) -> Result<Vec<T>, StorageError> {
    rows.iter()
        .map(read)
        .collect::<Result<_, _>>()
        .map_err(storage)
}

#[async_trait]
impl SpreadRepository for SeaSpreadRepository {
    #[tracing::instrument(skip_all, fields(submission = %adoption.submission_id))]
    async fn add_adoption(
        &self,
        adoption: &Adoption,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let r = &adoption.report;
        let insert = Query::insert()
            .into_table("adoptions")
            .columns(ADOPTION_COLUMNS)
            .values_panic([
                adoption.id.into(),
                adoption.submission_id.0.into(),
                adoption.reported_by.map(|m| m.0).into(),
                r.organisation.clone().into(),
                r.organisation_type.as_str().into(),
                r.nation.clone().into(),
                r.region.clone().into(),
                r.adopted_on.into(),
                r.recommendation_id.into(),
                r.investment_pence.into(),
                r.notes.clone().into(),
                adoption.reported_at.into(),
            ])
            .to_owned();
        let event = Outbox {
            event_type: EventType::Adopted,
            submission: adoption.submission_id,
            actor: adoption.reported_by,
            status: Status::Published,
            at: adoption.reported_at,
        };
        self.write(insert, audit, Some(event)).await
    }

    #[tracing::instrument(skip(self))]
    async fn adoptions(&self, id: SubmissionId) -> Result<Vec<Adoption>, StorageError> {
        let query = Query::select()
            .columns(ADOPTION_COLUMNS)
            .from("adoptions")
            .and_where(Expr::col("submission_id").eq(id.0))
            .order_by("reported_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        parsed(self.rows(query).await?, adoption)
    }

    #[tracing::instrument(skip_all, fields(submission = %inclusion.submission_id))]
    async fn add_inclusion(
        &self,
        inclusion: &Inclusion,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let r = &inclusion.report;
        let insert = Query::insert()
            .into_table("inclusions")
            .columns(INCLUSION_COLUMNS)
            .values_panic([
                inclusion.id.into(),
                inclusion.submission_id.0.into(),
                inclusion.recorded_by.map(|m| m.0).into(),
                r.report_title.clone().into(),
                r.scope.as_str().into(),
                r.nation.clone().into(),
                r.region.clone().into(),
                r.published_on.into(),
                r.url.clone().into(),
                inclusion.recorded_at.into(),
            ])
            .to_owned();
        let event = Outbox {
            event_type: EventType::Included,
            submission: inclusion.submission_id,
            actor: inclusion.recorded_by,
            status: Status::Published,
            at: inclusion.recorded_at,
        };
        self.write(insert, audit, Some(event)).await
    }

    #[tracing::instrument(skip(self))]
    async fn inclusions(&self, id: SubmissionId) -> Result<Vec<Inclusion>, StorageError> {
        let query = Query::select()
            .columns(INCLUSION_COLUMNS)
            .from("inclusions")
            .and_where(Expr::col("submission_id").eq(id.0))
            .order_by("recorded_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        parsed(self.rows(query).await?, inclusion)
    }
}

#[async_trait]
impl ClinicRepository for SeaSpreadRepository {
    #[tracing::instrument(skip_all, fields(clinic = %clinic.id))]
    async fn create_clinic(
        &self,
        clinic: &IdeaClinic,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let c = &clinic.clinic;
        let insert = Query::insert()
            .into_table("idea_clinics")
            .columns(CLINIC_COLUMNS)
            .values_panic([
                clinic.id.into(),
                c.title.clone().into(),
                c.held_on.into(),
                c.nation.clone().into(),
                c.region.clone().into(),
                clinic.created_by.map(|m| m.0).into(),
                clinic.created_at.into(),
            ])
            .to_owned();
        self.write(insert, audit, None).await
    }

    #[tracing::instrument(skip(self))]
    async fn clinics(&self, held_by: Option<NaiveDate>) -> Result<Vec<IdeaClinic>, StorageError> {
        let mut query = Query::select()
            .columns(CLINIC_COLUMNS)
            .from("idea_clinics")
            .order_by("held_on", Order::Desc)
            .order_by("id", Order::Desc)
            .to_owned();
        if let Some(day) = held_by {
            query.and_where(Expr::col("held_on").lte(day));
        }
        parsed(self.rows(query).await?, clinic)
    }

    #[tracing::instrument(skip(self))]
    async fn clinic(&self, id: Uuid) -> Result<Option<IdeaClinic>, StorageError> {
        let query = Query::select()
            .columns(CLINIC_COLUMNS)
            .from("idea_clinics")
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        Ok(parsed(self.rows(query).await?, clinic)?.into_iter().next())
    }

    #[tracing::instrument(skip_all, fields(clinic = %presentation.clinic_id))]
    async fn add_presentation(
        &self,
        presentation: &Presentation,
        status: Status,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let v = &presentation.view;
        let insert = Query::insert()
            .into_table("clinic_presentations")
            .columns(PRESENTATION_COLUMNS)
            .values_panic([
                presentation.id.into(),
                presentation.clinic_id.into(),
                v.submission_id.0.into(),
                v.feasibility.as_str().into(),
                v.adoption_likelihood.into(),
                v.panel_notes.clone().into(),
                presentation.recorded_by.map(|m| m.0).into(),
                presentation.recorded_at.into(),
            ])
            .to_owned();
        let event = Outbox {
            event_type: EventType::Presented,
            submission: v.submission_id,
            actor: presentation.recorded_by,
            status,
            at: presentation.recorded_at,
        };
        self.write(insert, audit, Some(event)).await
    }

    #[tracing::instrument(skip(self))]
    async fn presentations_of(&self, id: SubmissionId) -> Result<Vec<Presentation>, StorageError> {
        let query = Query::select()
            .columns([
                ("p", "id"),
                ("p", "clinic_id"),
                ("p", "submission_id"),
                ("p", "feasibility"),
                ("p", "adoption_likelihood"),
                ("p", "panel_notes"),
                ("p", "recorded_by"),
                ("p", "recorded_at"),
                ("c", "title"),
                ("c", "held_on"),
            ])
            .from_as("clinic_presentations", "p")
            .join_as(
                JoinType::InnerJoin,
                "idea_clinics",
                "c",
                Expr::col(("c", "id")).equals(("p", "clinic_id")),
            )
            .and_where(Expr::col(("p", "submission_id")).eq(id.0))
            .order_by(("c", "held_on"), Order::Asc)
            .order_by(("p", "id"), Order::Asc)
            .to_owned();
        parsed(self.rows(query).await?, presentation)
    }
}

/// The strategy's measures over `days`: clinics held, cases presented at
/// them, adoptions and inclusions dated in them.
pub(crate) async fn strategy_figures(
    db: &DatabaseConnection,
    days: std::ops::Range<NaiveDate>,
) -> Result<StrategyFigures, StorageError> {
    let within = |column: (&'static str, &'static str)| {
        Expr::col(column)
            .gte(days.start)
            .and(Expr::col(column).lt(days.end))
    };
    let clinics = Query::select()
        .expr_as(Expr::col("id").count(), "n")
        .from("idea_clinics")
        .and_where(within(("idea_clinics", "held_on")))
        .to_owned();
    let presented = Query::select()
        .column(("p", "feasibility"))
        .expr_as(Expr::col(("p", "id")).count(), "n")
        .from_as("clinic_presentations", "p")
        .join_as(
            JoinType::InnerJoin,
            "idea_clinics",
            "c",
            Expr::col(("c", "id")).equals(("p", "clinic_id")),
        )
        .and_where(within(("c", "held_on")))
        .group_by_col(("p", "feasibility"))
        .to_owned();
    let adoptions = Query::select()
        .columns([
            "organisation",
            "organisation_type",
            "nation",
            "investment_pence",
        ])
        .from("adoptions")
        .and_where(within(("adoptions", "adopted_on")))
        .to_owned();
    let inclusions = Query::select()
        .columns(["submission_id", "report_title", "scope"])
        .from("inclusions")
        .and_where(within(("inclusions", "published_on")))
        .to_owned();
    let read = async |query: SelectStatement| db.query_all(&query).await.map_err(storage);
    let (clinics, presented, adoptions, inclusions) = futures_util::try_join!(
        read(clinics),
        read(presented),
        read(adoptions),
        read(inclusions)
    )?;
    tally(&clinics, &presented, &adoptions, &inclusions).map_err(storage)
}

fn tally(
    clinics: &[QueryResult],
    presented: &[QueryResult],
    adoptions: &[QueryResult],
    inclusions: &[QueryResult],
) -> Result<StrategyFigures, DbErr> {
    let mut f = StrategyFigures::default();
    for row in clinics {
        f.clinics_held += row.try_get::<i64>("", "n")?;
    }
    for row in presented {
        let n: i64 = row.try_get("", "n")?;
        f.business_cases_presented += n;
        *f.presented_by_feasibility
            .entry(row.try_get("", "feasibility")?)
            .or_default() += n;
    }
    let mut organisations = BTreeSet::new();
    for row in adoptions {
        f.adoptions_reported += 1;
        organisations.insert(name_key(&row.try_get::<String>("", "organisation")?));
        *f.adoptions_by_organisation_type
            .entry(row.try_get("", "organisation_type")?)
            .or_default() += 1;
        *f.adoptions_by_nation
            .entry(row.try_get("", "nation")?)
            .or_default() += 1;
        f.investment_pence += row
            .try_get::<Option<i64>>("", "investment_pence")?
            .unwrap_or(0);
    }
    f.organisations = organisations.len() as i64;
    let mut examples = BTreeSet::new();
    let mut reports = BTreeSet::new();
    for row in inclusions {
        examples.insert(row.try_get::<Uuid>("", "submission_id")?);
        reports.insert(name_key(&row.try_get::<String>("", "report_title")?));
        *f.inclusions_by_scope
            .entry(row.try_get("", "scope")?)
            .or_default() += 1;
    }
    f.examples_included = examples.len() as i64;
    f.reports = reports.len() as i64;
    Ok(f)
}
