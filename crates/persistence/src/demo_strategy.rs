//! The strategy's measures in the demonstration data: idea clinics with the
//! business cases presented at them, adoptions of published work by other
//! organisations, inclusions in national and regional reports, and
//! impact-evaluation resources with members' downloads, over the same twelve
//! quarters as the submissions. Every date keeps to the rules the service
//! applies: nothing after today, nothing before the work it is about.

use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use domain::attachment::{MediaType, Sha256Digest};
use domain::clinic::Feasibility;
use domain::quarter::Quarter;
use domain::resource::{Approach, Resource};
use domain::spread::OrganisationType;
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::sea_query::{InsertStatement, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait, Value};
use uuid::Uuid;

use crate::resources::{COLUMNS as RESOURCE_COLUMNS, DOWNLOAD_COLUMNS};
use crate::spread::{ADOPTION_COLUMNS, CLINIC_COLUMNS, INCLUSION_COLUMNS, PRESENTATION_COLUMNS};

/// What the submissions left for the strategy's measures to refer to.
pub(crate) struct Referents {
    pub members: Vec<Uuid>,
    /// `(region, nation)` pairs of the taxonomy.
    pub regions: Vec<(String, String)>,
    /// Business cases that left draft, with when they were first submitted.
    pub cases: Vec<(Uuid, DateTime<Utc>)>,
    /// Published work, its author and when it was published.
    pub published: Vec<(Uuid, Uuid, DateTime<Utc>)>,
    pub first: Quarter,
    pub now: DateTime<Utc>,
}

/// A resource's bytes, for the caller to put in the file store.
pub struct DemoFile {
    pub storage_key: String,
    pub bytes: Bytes,
}

const ORGANISATIONS: [(&str, OrganisationType); 10] = [
    (
        "Northfield NHS Foundation Trust",
        OrganisationType::NhsTrust,
    ),
    (
        "Riverside Community Health Trust",
        OrganisationType::NhsTrust,
    ),
    ("Westshire County Council", OrganisationType::LocalAuthority),
    ("Glenmore Council", OrganisationType::LocalAuthority),
    (
        "Harbour Lane Primary Care Network",
        OrganisationType::PrimaryCare,
    ),
    ("Meadow Practice Group", OrganisationType::PrimaryCare),
    ("Ability Works Ltd", OrganisationType::Independent),
    ("Care at Home Trust", OrganisationType::Charity),
    ("University of Eastbridge", OrganisationType::Education),
    ("Valley Housing Association", OrganisationType::Other),
];

const RESOURCES: [(&str, Approach); 6] = [
    ("Social return on investment workbook", Approach::Economic),
    (
        "Costing an occupational therapy service",
        Approach::Economic,
    ),
    ("Measuring social value with partners", Approach::Social),
    ("Community participation outcomes guide", Approach::Social),
    ("Patient experience interview guide", Approach::Experiential),
    (
        "Co-producing evaluation with service users",
        Approach::Experiential,
    ),
];

/// Rows of one table, written in one statement when there are any.
struct Rows {
    insert: InsertStatement,
    count: usize,
}

impl Rows {
    fn new(table: &str, columns: &[&'static str]) -> Self {
        Self {
            insert: Query::insert()
                .into_table(table.to_owned())
                .columns(columns.iter().copied())
                .to_owned(),
            count: 0,
        }
    }

    fn push(&mut self, values: Vec<Value>) {
        self.insert
            .values_panic(values.into_iter().map(sea_orm::sea_query::Expr::val));
        self.count += 1;
    }
}

/// A random day of `[from, to]`, or `None` when the range is empty.
fn day_between(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> Option<NaiveDate> {
    let room = (to - from).num_days();
    (room >= 0).then(|| from + Duration::days(rng.random_range(0..=room)))
}

fn at_ten(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() + Duration::hours(10)
}

fn resource_text(title: &str, approach: Approach) -> String {
    format!(
        "{title}\n\nAn impact-evaluation resource ({} approach) for occupational therapists.\n\
         1. Say what changed and for whom.\n2. Choose measures before you start.\n\
         3. Record what it cost and what it saved.\n4. Share what you learned on the hub.\n",
        approach.as_str()
    )
}

/// Writes the strategy's measures; returns the resources' bytes to store.
pub(crate) async fn fill(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    referents: &Referents,
) -> Result<Vec<DemoFile>, DbErr> {
    let today = referents.now.date_naive();
    let quarters: Vec<Quarter> = std::iter::successors(Some(referents.first), |q| Some(q.next()))
        .take(12)
        .filter(|q| q.first_day() <= today)
        .collect();
    let pick_place =
        |rng: &mut StdRng| referents.regions[rng.random_range(0..referents.regions.len())].clone();

    let mut clinics = Rows::new("idea_clinics", &CLINIC_COLUMNS);
    let mut presentations = Rows::new("clinic_presentations", &PRESENTATION_COLUMNS);
    for quarter in &quarters {
        let last_day = (quarter.next().first_day() - Duration::days(1)).min(today);
        for _ in 0..2 {
            let Some(held_on) = day_between(rng, quarter.first_day(), last_day) else {
                continue;
            };
            let (region, nation) = pick_place(rng);
            let clinic = Uuid::from_u128(rng.random());
            clinics.push(vec![
                clinic.into(),
                format!("{} idea clinic, {held_on}", nation.replace('_', " ")).into(),
                held_on.into(),
                nation.into(),
                Some(region).into(),
                Option::<Uuid>::None.into(),
                at_ten(held_on).min(referents.now).into(),
            ]);
            let ready: Vec<Uuid> = referents
                .cases
                .iter()
                .filter(|(_, submitted)| submitted.date_naive() < held_on)
                .map(|(id, _)| *id)
                .collect();
            let mut presented = Vec::new();
            for _ in 0..rng.random_range(0..=4).min(ready.len()) {
                let case = ready[rng.random_range(0..ready.len())];
                if presented.contains(&case) {
                    continue;
                }
                presented.push(case);
                presentations.push(vec![
                    Uuid::from_u128(rng.random()).into(),
                    clinic.into(),
                    case.into(),
                    Feasibility::ALL[rng.random_range(0..3)].as_str().into(),
                    rng.random_range(1..=5_i32).into(),
                    "The panel discussed costs, benefits and what the system is asked to adopt."
                        .into(),
                    Option::<Uuid>::None.into(),
                    at_ten(held_on).min(referents.now).into(),
                ]);
            }
        }
    }

    let mut adoptions = Rows::new("adoptions", &ADOPTION_COLUMNS);
    let mut inclusions = Rows::new("inclusions", &INCLUSION_COLUMNS);
    let published = &referents.published;
    let wanted = (published.len() / 10).min(2_000);
    for n in 0..wanted {
        let (id, author, at) = published[rng.random_range(0..published.len())];
        let reporter = referents.members[rng.random_range(0..referents.members.len())];
        let first_day = at.date_naive() + Duration::days(1);
        let Some(adopted_on) =
            day_between(rng, first_day, (first_day + Duration::days(300)).min(today))
        else {
            continue;
        };
        if reporter != author {
            let (name, kind) = ORGANISATIONS[rng.random_range(0..ORGANISATIONS.len())];
            let (region, nation) = pick_place(rng);
            adoptions.push(vec![
                Uuid::from_u128(rng.random()).into(),
                id.into(),
                Some(reporter).into(),
                name.into(),
                kind.as_str().into(),
                nation.into(),
                Some(region).into(),
                adopted_on.into(),
                Option::<Uuid>::None.into(),
                rng.random_bool(0.3)
                    .then(|| rng.random_range(50_000..5_000_000_i64))
                    .into(),
                Option::<String>::None.into(),
                at_ten(adopted_on).max(at).min(referents.now).into(),
            ]);
        }
        if n % 3 == 0 {
            let (region, nation) = pick_place(rng);
            let year = adopted_on.format("%Y");
            let regional = rng.random_bool(0.4);
            let (title, scope, nation, region) = if regional {
                (
                    format!("{} workforce review {year}", region.replace('_', " ")),
                    "regional",
                    Some(nation),
                    Some(region),
                )
            } else {
                (
                    format!("State of occupational therapy {year}"),
                    "national",
                    None,
                    None,
                )
            };
            inclusions.push(vec![
                Uuid::from_u128(rng.random()).into(),
                id.into(),
                Option::<Uuid>::None.into(),
                title.into(),
                scope.into(),
                nation.into(),
                region.into(),
                adopted_on.into(),
                Option::<String>::None.into(),
                at_ten(adopted_on).max(at).min(referents.now).into(),
            ]);
        }
    }

    let mut resources = Rows::new("resources", &RESOURCE_COLUMNS);
    let mut files = Vec::new();
    let mut published_resources = Vec::new();
    let opened = referents.first.start() + Duration::days(3);
    for (title, approach) in RESOURCES {
        let id = Uuid::from_u128(rng.random());
        let bytes = Bytes::from(resource_text(title, approach));
        let key = Resource::storage_key_for(id);
        resources.push(vec![
            id.into(),
            title.into(),
            approach.as_str().into(),
            format!(
                "How to evaluate the {} impact of your work.",
                approach.as_str()
            )
            .into(),
            format!("{}.txt", title.to_lowercase().replace(' ', "-")).into(),
            MediaType::PlainText.as_str().into(),
            (bytes.len() as i64).into(),
            Sha256Digest::of(&bytes).as_str().into(),
            key.as_str().into(),
            Option::<Uuid>::None.into(),
            opened.min(referents.now).into(),
        ]);
        published_resources.push(id);
        files.push(DemoFile {
            storage_key: key.as_str().to_owned(),
            bytes,
        });
    }
    // The resources first: downloads are written in batches as they are
    // made, and each names one of them.
    write(db, vec![resources]).await?;
    let mut downloads = Rows::new("resource_downloads", &DOWNLOAD_COLUMNS);
    let per_quarter = (referents.members.len() / 10).clamp(20, 1_500);
    for quarter in &quarters {
        let from = quarter.start().max(opened);
        let to = quarter.end().min(referents.now);
        let span = (to - from).num_seconds();
        if span <= 0 {
            continue;
        }
        for _ in 0..rng.random_range(per_quarter / 2..=per_quarter) {
            downloads.push(vec![
                Uuid::from_u128(rng.random()).into(),
                published_resources[rng.random_range(0..published_resources.len())].into(),
                referents.members[rng.random_range(0..referents.members.len())].into(),
                (from + Duration::seconds(rng.random_range(0..span))).into(),
            ]);
            // Four values a row: well under SQLite's bound values a statement.
            if downloads.count == 2_000 {
                let full = std::mem::replace(
                    &mut downloads,
                    Rows::new("resource_downloads", &DOWNLOAD_COLUMNS),
                );
                write(db, vec![full]).await?;
            }
        }
    }
    write(
        db,
        vec![clinics, presentations, adoptions, inclusions, downloads],
    )
    .await?;
    Ok(files)
}

async fn write(db: &DatabaseConnection, tables: Vec<Rows>) -> Result<(), DbErr> {
    let tx = db.begin().await?;
    for rows in tables.iter().filter(|rows| rows.count > 0) {
        tx.execute(&rows.insert).await?;
    }
    tx.commit().await
}
