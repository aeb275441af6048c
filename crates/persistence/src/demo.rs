//! Realistic, reproducible demonstration data for trying the service and for
//! benchmarking quarterly reports: members, submissions over twelve quarters,
//! tags, evidence, reviews, recommendations, follow-ups and hub citations,
//! written in large multi-row batches.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::quarter::Quarter;
use domain::taxonomy::{AI_DIGITAL_TOPIC, Taxonomy, Vocabulary};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::{InsertStatement, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait, Value};
use serde_json::json;
use uuid::Uuid;

/// How much data to make.
#[derive(Debug, Clone, Copy)]
pub struct DemoSpec {
    pub submissions: u64,
    pub members: u64,
    pub seed: u64,
    /// The last of the twelve quarters filled.
    pub last_quarter: Quarter,
}

const BATCH: usize = 1_000;
const STATUSES: [(&str, f64); 7] = [
    ("published", 0.55),
    ("submitted", 0.14),
    ("in_review", 0.10),
    ("changes_requested", 0.05),
    ("rejected", 0.06),
    ("withdrawn", 0.05),
    ("draft", 0.05),
];
const KINDS: [(&str, f64); 3] = [
    ("improvement_journey", 0.5),
    ("case_study", 0.3),
    ("impact_example", 0.2),
];
const ADOPTION: [&str; 4] = [
    "proposed",
    "adopted_locally",
    "adopted_by_partner",
    "rolled_out",
];
const JOB_TITLES: [&str; 8] = [
    "Occupational therapist",
    "Senior occupational therapist",
    "Clinical lead OT",
    "Advanced practitioner",
    "Consultant occupational therapist",
    "OT manager",
    "Digital lead",
    "Independent OT",
];
const TOPICS: [&str; 10] = [
    "falls",
    "discharge",
    "schools",
    "frailty",
    "wellbeing",
    "telehealth",
    "vocational",
    "sensory",
    "housing",
    "stroke",
];

fn pick<'a>(rng: &mut StdRng, weighted: &[(&'a str, f64)]) -> &'a str {
    let mut roll: f64 = rng.random();
    for (value, weight) in weighted {
        if roll < *weight {
            return value;
        }
        roll -= weight;
    }
    weighted[weighted.len() - 1].0
}

fn codes(taxonomy: &Taxonomy, vocabulary: Vocabulary) -> Vec<String> {
    taxonomy
        .terms(vocabulary)
        .iter()
        .map(|t| t.code.clone())
        .collect()
}

struct Batch {
    members: InsertStatement,
    submissions: InsertStatement,
    tags: [InsertStatement; 4],
    tag_rows: [usize; 4],
    recommendations: InsertStatement,
    recommendation_rows: usize,
    events: InsertStatement,
    event_rows: usize,
    reviews: InsertStatement,
    review_rows: usize,
    citations: InsertStatement,
    citation_rows: usize,
    member_rows: usize,
    submission_rows: usize,
}

impl Batch {
    fn new() -> Self {
        let tag = |table: &str| {
            Query::insert()
                .into_table(table.to_owned())
                .columns(["submission_id", "code"])
                .to_owned()
        };
        Self {
            members: Query::insert()
                .into_table("members")
                .columns([
                    "id",
                    "email",
                    "display_name",
                    "password_hash",
                    "role",
                    "career_stage",
                    "level_of_practice",
                    "sector",
                    "job_title",
                    "nation",
                    "region",
                    "created_at",
                    "updated_at",
                ])
                .to_owned(),
            submissions: Query::insert()
                .into_table("submissions")
                .columns([
                    "id",
                    "author_id",
                    "kind",
                    "status",
                    "title",
                    "search_text",
                    "content",
                    "version",
                    "nation",
                    "region",
                    "completeness_score",
                    "quality_score",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                ])
                .to_owned(),
            tags: [
                tag("submission_priorities"),
                tag("submission_practice_areas"),
                tag("submission_topics"),
                tag("submission_evidence_types"),
            ],
            tag_rows: [0; 4],
            recommendations: Query::insert()
                .into_table("recommendations")
                .columns([
                    "id",
                    "submission_id",
                    "position",
                    "text",
                    "adoption_status",
                    "reported_investment_pence",
                ])
                .to_owned(),
            recommendation_rows: 0,
            events: Query::insert()
                .into_table("recommendation_events")
                .columns([
                    "id",
                    "recommendation_id",
                    "submission_id",
                    "adoption_status",
                    "investment_pence",
                    "investor",
                    "occurred_on",
                    "reported_at",
                ])
                .to_owned(),
            event_rows: 0,
            reviews: Query::insert()
                .into_table("reviews")
                .columns(crate::submissions::REVIEW_COLUMNS)
                .to_owned(),
            review_rows: 0,
            citations: Query::insert()
                .into_table("submission_citations")
                .columns(["submission_id", "cited_submission_id"])
                .to_owned(),
            citation_rows: 0,
            member_rows: 0,
            submission_rows: 0,
        }
    }

    async fn write(self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let tx = db.begin().await?;
        if self.member_rows > 0 {
            tx.execute(&self.members).await?;
        }
        if self.submission_rows > 0 {
            tx.execute(&self.submissions).await?;
        }
        for (statement, rows) in self.tags.iter().zip(self.tag_rows) {
            if rows > 0 {
                tx.execute(statement).await?;
            }
        }
        for (statement, rows) in [
            (&self.recommendations, self.recommendation_rows),
            (&self.events, self.event_rows),
            (&self.reviews, self.review_rows),
            (&self.citations, self.citation_rows),
        ] {
            if rows > 0 {
                tx.execute(statement).await?;
            }
        }
        tx.commit().await
    }
}

fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// Fills the database; calls `progress` with the submissions written so far.
pub async fn fill(
    db: &DatabaseConnection,
    spec: DemoSpec,
    taxonomy: &Taxonomy,
    progress: impl Fn(u64),
) -> Result<(), DbErr> {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let first = (0..11).fold(spec.last_quarter, |q, _| q.previous());
    let start = first.start();
    let span = (spec.last_quarter.end() - start).num_seconds().max(1);
    let priorities = codes(taxonomy, Vocabulary::Priority);
    let areas = codes(taxonomy, Vocabulary::PracticeArea);
    let regions: Vec<(String, String)> = taxonomy
        .terms(Vocabulary::Region)
        .iter()
        .map(|t| {
            (
                t.code.clone(),
                t.parent.clone().unwrap_or_else(|| "england".into()),
            )
        })
        .collect();
    let stages = codes(taxonomy, Vocabulary::CareerStage);
    let levels = codes(taxonomy, Vocabulary::LevelOfPractice);
    let sectors = codes(taxonomy, Vocabulary::Sector);
    let seed_tag = spec.seed;

    let members: Vec<Uuid> = (0..spec.members.max(1))
        .map(|_| Uuid::from_u128(rng.random()))
        .collect();
    let mut batch = Batch::new();
    for (i, id) in members.iter().enumerate() {
        let joined = micros(start + Duration::seconds(rng.random_range(0..span)));
        let maybe = |rng: &mut StdRng, list: &[String]| -> Option<String> {
            match rng.random_range(0..10) {
                0 => None,
                1 => Some("prefer_not_to_say".to_owned()),
                _ => Some(list[rng.random_range(0..list.len())].clone()),
            }
        };
        let (region, nation) = regions[rng.random_range(0..regions.len())].clone();
        let values: Vec<Value> = vec![
            (*id).into(),
            format!("demo-{seed_tag}-{i}@example.org").into(),
            format!("Demo member {i}").into(),
            Option::<String>::None.into(),
            if i % 50 == 0 { "reviewer" } else { "member" }.into(),
            maybe(&mut rng, &stages).into(),
            maybe(&mut rng, &levels).into(),
            maybe(&mut rng, &sectors).into(),
            rng.random_bool(0.8)
                .then(|| JOB_TITLES[rng.random_range(0..JOB_TITLES.len())].to_owned())
                .into(),
            Some(nation).into(),
            Some(region).into(),
            joined.into(),
            joined.into(),
        ];
        batch
            .members
            .values_panic(values.into_iter().map(sea_orm::sea_query::Expr::val));
        batch.member_rows += 1;
        if batch.member_rows == BATCH {
            std::mem::replace(&mut batch, Batch::new())
                .write(db)
                .await?;
        }
    }
    std::mem::replace(&mut batch, Batch::new())
        .write(db)
        .await?;

    let reviewers: Vec<Uuid> = members.iter().step_by(50).copied().collect();
    let mut published: Vec<Uuid> = Vec::new();
    for n in 0..spec.submissions {
        let id = Uuid::from_u128(rng.random());
        let author = members[rng.random_range(0..members.len())];
        let kind = pick(&mut rng, &KINDS);
        let status = pick(&mut rng, &STATUSES);
        let created = micros(start + Duration::seconds(rng.random_range(0..span)));
        let submitted = (status != "draft")
            .then(|| micros(created + Duration::minutes(rng.random_range(0..4_320))));
        let (region, nation) = regions[rng.random_range(0..regions.len())].clone();
        let topic = TOPICS[rng.random_range(0..TOPICS.len())];
        let title = format!("Improving {topic} outcomes with occupational therapy #{n}");
        let summary = format!(
            "A {} about {topic} in {}.",
            kind.replace('_', " "),
            region.replace('_', " ")
        );
        let reviewed = matches!(status, "published" | "rejected" | "changes_requested");
        let quality = reviewed.then(|| f64::from(rng.random_range(5..=25_u32)) / 5.0);
        let completeness =
            (status != "draft").then(|| f64::from(rng.random_range(6..=18_u32)) / 18.0);
        let mut chosen_priorities: Vec<&String> =
            vec![&priorities[rng.random_range(0..priorities.len())]];
        if rng.random_bool(0.35) {
            let second = &priorities[rng.random_range(0..priorities.len())];
            if !chosen_priorities.contains(&second) {
                chosen_priorities.push(second);
            }
        }
        let mut chosen_areas: Vec<&String> = Vec::new();
        for _ in 0..rng.random_range(0..=2) {
            let area =
                &areas[(rng.random_range(0..areas.len()) + rng.random_range(0..3)) % areas.len()];
            if !chosen_areas.contains(&area) {
                chosen_areas.push(area);
            }
        }
        let ai = rng.random_bool(0.12);
        let mut evidence: Vec<&str> = Vec::new();
        for candidate in ["economic", "social", "experiential"] {
            if rng.random_bool(0.3) {
                evidence.push(candidate);
            }
        }
        let recommendations: Vec<(Uuid, &str)> = (0..rng.random_range(0..=2))
            .map(|_| {
                (
                    Uuid::from_u128(rng.random()),
                    ADOPTION[rng.random_range(0..2)],
                )
            })
            .collect();
        let content = json!({
            "title": title,
            "summary": summary,
            "sections": {"context": format!("A team working on {topic}."), "approach": "Tested changes in small cycles.", "outcomes": "Measured before and after."},
            "priorities": chosen_priorities,
            "practice_areas": chosen_areas,
            "topics": if ai { vec![AI_DIGITAL_TOPIC] } else { Vec::new() },
            "nation": nation,
            "region": region,
            "impact_evidence": evidence.iter().map(|e| json!({"evidence_type": e, "description": format!("{e} evidence"), "costs_pence": null, "savings_pence": null, "return_on_investment": null})).collect::<Vec<_>>(),
            "recommendations": recommendations.iter().map(|(rid, a)| json!({"id": rid, "text": "Spread this change", "adoption_status": a, "reported_investment_pence": null})).collect::<Vec<_>>(),
            "evidence_sources": [],
            "pdsa_cycles": [],
            "measures": []
        });
        batch.submissions.values_panic([
            id.into(),
            author.into(),
            kind.into(),
            status.into(),
            title.clone().into(),
            format!("{title}\n{summary}").to_lowercase().into(),
            content.to_string().into(),
            1.into(),
            Some(nation).into(),
            Some(region).into(),
            completeness.into(),
            quality.into(),
            created.into(),
            submitted.unwrap_or(created).into(),
            submitted.into(),
        ]);
        batch.submission_rows += 1;
        for p in &chosen_priorities {
            batch.tags[0].values_panic([id.into(), (*p).clone().into()]);
            batch.tag_rows[0] += 1;
        }
        for a in &chosen_areas {
            batch.tags[1].values_panic([id.into(), (*a).clone().into()]);
            batch.tag_rows[1] += 1;
        }
        if ai {
            batch.tags[2].values_panic([id.into(), AI_DIGITAL_TOPIC.into()]);
            batch.tag_rows[2] += 1;
        }
        for e in &evidence {
            batch.tags[3].values_panic([id.into(), (*e).into()]);
            batch.tag_rows[3] += 1;
        }
        for (position, (rid, adoption)) in recommendations.iter().enumerate() {
            batch.recommendations.values_panic([
                (*rid).into(),
                id.into(),
                i32::try_from(position).unwrap_or(0).into(),
                "Spread this change".into(),
                (*adoption).into(),
                Option::<i64>::None.into(),
            ]);
            batch.recommendation_rows += 1;
            if status == "published" && rng.random_bool(0.3) {
                let occurred: NaiveDate = (submitted.unwrap_or(created)
                    + Duration::days(rng.random_range(10..200)))
                .date_naive();
                let invested = rng
                    .random_bool(0.4)
                    .then(|| rng.random_range(100_000..50_000_000_i64));
                batch.events.values_panic([
                    Uuid::from_u128(rng.random()).into(),
                    (*rid).into(),
                    id.into(),
                    Some(ADOPTION[rng.random_range(1..4)]).into(),
                    invested.into(),
                    invested.map(|_| "Integrated care board".to_owned()).into(),
                    occurred.into(),
                    micros(created).into(),
                ]);
                batch.event_rows += 1;
            }
        }
        if let (Some(score), Some(at)) = (quality, submitted) {
            let decision = match status {
                "published" => "publish",
                "rejected" => "reject",
                _ => "request_changes",
            };
            batch.reviews.values_panic([
                Uuid::from_u128(rng.random()).into(),
                id.into(),
                reviewers[rng.random_range(0..reviewers.len())].into(),
                1.into(),
                "[]".into(),
                Option::<String>::None.into(),
                decision.into(),
                score.into(),
                micros(at + Duration::days(rng.random_range(1..30))).into(),
            ]);
            batch.review_rows += 1;
        }
        if status != "draft" && !published.is_empty() && rng.random_bool(0.08) {
            let cited = published[rng.random_range(0..published.len())];
            batch.citations.values_panic([id.into(), cited.into()]);
            batch.citation_rows += 1;
        }
        if status == "published" && published.len() < 10_000 {
            published.push(id);
        }
        if batch.submission_rows == BATCH {
            std::mem::replace(&mut batch, Batch::new())
                .write(db)
                .await?;
            progress(n + 1);
        }
    }
    batch.write(db).await?;
    progress(spec.submissions);
    // The rows above went in around the repositories: count the rollups again.
    crate::rollup::rebuild(db).await
}
