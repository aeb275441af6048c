//! Realistic, reproducible demonstration data for trying the service and for
//! benchmarking quarterly reports: members, submissions over twelve quarters
//! with each kind's own sections, the transitions, revisions and reviews of
//! their lifecycle, PDSA cycles and measures on journeys, tags, evidence,
//! recommendations, follow-ups (between publication and today) and citations
//! (of work published before the citing work was submitted), written in large
//! multi-row batches; then idea clinics, adoptions, inclusions and
//! impact-evaluation resources with their downloads (see `demo_strategy`).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::quarter::Quarter;
use domain::submission::{
    AdoptionStatus, Content, DataPoint, EvidenceSource, EvidenceType, ImpactEvidence, Measure,
    MeasureType, PdsaCycle, PdsaDecision, Recommendation, Sections, SubmissionKind, WhatItMeans,
    WhatWeDid, WhatWeFound, WhyWeStarted, completeness,
};
use domain::taxonomy::{AI_DIGITAL_TOPIC, Taxonomy, Vocabulary};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::{InsertStatement, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait, Value};
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
/// Seven values a transition: well under SQLite's 32,766 bound values a statement.
const TRANSITIONS_PER_BATCH: usize = 4_000;
const STATUSES: [(&str, f64); 7] = [
    ("published", 0.55),
    ("submitted", 0.14),
    ("in_review", 0.10),
    ("changes_requested", 0.05),
    ("rejected", 0.06),
    ("withdrawn", 0.05),
    ("draft", 0.05),
];
const KINDS: [(&str, f64); 4] = [
    ("improvement_journey", 0.5),
    ("case_study", 0.3),
    ("impact_example", 0.15),
    ("business_case", 0.05),
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
    transitions: InsertStatement,
    transition_rows: usize,
    revisions: InsertStatement,
    revision_rows: usize,
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
                    "search_body",
                    "content",
                    "version",
                    "nation",
                    "region",
                    "completeness_score",
                    "completeness",
                    "quality_score",
                    "reviewer_id",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "published_revision",
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
            transitions: Query::insert()
                .into_table("transitions")
                .columns([
                    "id",
                    "submission_id",
                    "actor_id",
                    "from_status",
                    "to_status",
                    "comment",
                    "at",
                ])
                .to_owned(),
            transition_rows: 0,
            revisions: Query::insert()
                .into_table("revisions")
                .columns([
                    "submission_id",
                    "number",
                    "kind",
                    "content",
                    "created_by",
                    "created_at",
                ])
                .to_owned(),
            revision_rows: 0,
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
            (&self.transitions, self.transition_rows),
            (&self.revisions, self.revision_rows),
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

pub use crate::demo_strategy::DemoFile;

/// Fills the database; calls `progress` with the submissions written so far.
/// Returns the resources' files, which the caller puts in the file store.
pub async fn fill(
    db: &DatabaseConnection,
    spec: DemoSpec,
    taxonomy: &Taxonomy,
    progress: impl Fn(u64),
) -> Result<Vec<DemoFile>, DbErr> {
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
    let now = micros(Utc::now());
    let today = now.date_naive();
    // Published work that later submissions may cite, with when it was published.
    let mut published: Vec<(Uuid, DateTime<Utc>)> = Vec::new();
    // What the strategy's measures refer to: cases to present, work to spread.
    let mut cases: Vec<(Uuid, DateTime<Utc>)> = Vec::new();
    let mut spreadable: Vec<(Uuid, Uuid, DateTime<Utc>)> = Vec::new();
    for n in 0..spec.submissions {
        let id = Uuid::from_u128(rng.random());
        let author = members[rng.random_range(0..members.len())];
        let kind_code = pick(&mut rng, &KINDS);
        let kind: SubmissionKind = kind_code.parse().unwrap_or(SubmissionKind::CaseStudy);
        let status = pick(&mut rng, &STATUSES);
        let created = micros(start + Duration::seconds(rng.random_range(0..span)));
        let story = Story::tell(&mut rng, status, created, author, &reviewers, now);
        let (region, nation) = regions[rng.random_range(0..regions.len())].clone();
        let topic = TOPICS[rng.random_range(0..TOPICS.len())];
        let title = format!("Improving {topic} outcomes with occupational therapy #{n}");
        let summary = format!(
            "{} about {topic} in {}.",
            match kind {
                SubmissionKind::ImprovementJourney => "An improvement journey",
                SubmissionKind::CaseStudy => "A case study",
                SubmissionKind::ImpactExample => "An impact example",
                SubmissionKind::BusinessCase => "A business case",
            },
            region.replace('_', " ")
        );
        let mut chosen_priorities: Vec<String> =
            vec![priorities[rng.random_range(0..priorities.len())].clone()];
        if rng.random_bool(0.35) {
            let second = &priorities[rng.random_range(0..priorities.len())];
            if !chosen_priorities.contains(second) {
                chosen_priorities.push(second.clone());
            }
        }
        let mut chosen_areas: Vec<String> = Vec::new();
        for _ in 0..rng.random_range(0..=2) {
            let area =
                &areas[(rng.random_range(0..areas.len()) + rng.random_range(0..3)) % areas.len()];
            if !chosen_areas.contains(area) {
                chosen_areas.push(area.clone());
            }
        }
        let ai = rng.random_bool(0.12);
        let mut evidence: Vec<EvidenceType> = Vec::new();
        for candidate in [
            EvidenceType::Economic,
            EvidenceType::Social,
            EvidenceType::Experiential,
        ] {
            if rng.random_bool(0.3) {
                evidence.push(candidate);
            }
        }
        // A business case always carries the economic evidence submitting needs.
        if kind == SubmissionKind::BusinessCase && !evidence.contains(&EvidenceType::Economic) {
            evidence.insert(0, EvidenceType::Economic);
        }
        let recommendations: Vec<Recommendation> = (0..rng.random_range(0..=2))
            .map(|_| Recommendation {
                id: Uuid::from_u128(rng.random()),
                text: "Spread this change".to_owned(),
                adoption_status: AdoptionStatus::ALL[rng.random_range(0..2)],
                reported_investment_pence: None,
            })
            .collect();
        let mut sources = Vec::new();
        if rng.random_bool(0.5) {
            sources.push(EvidenceSource {
                citation: Some(format!(
                    "Royal College of Occupational Therapists ({}). Evidence on {topic}.",
                    2015 + rng.random_range(0..9)
                )),
                ..EvidenceSource::default()
            });
        }
        if rng.random_bool(0.3) {
            sources.push(EvidenceSource {
                url: Some(format!("https://example.org/evidence/{topic}")),
                ..EvidenceSource::default()
            });
        }
        // Only work already published when this one was first submitted is cited.
        let mut cited = None;
        if let Some(first) = story.first_submitted
            && !published.is_empty()
            && rng.random_bool(0.08)
        {
            for _ in 0..4 {
                let (candidate, at) = published[rng.random_range(0..published.len())];
                if at < first {
                    cited = Some(candidate);
                    break;
                }
            }
        }
        if let Some(cited) = cited {
            sources.push(EvidenceSource {
                submission_id: Some(cited),
                ..EvidenceSource::default()
            });
        }
        let journey = kind == SubmissionKind::ImprovementJourney;
        let (pdsa_cycles, measures) = if journey {
            improvement_work(&mut rng, created.date_naive(), topic)
        } else {
            (Vec::new(), Vec::new())
        };
        let mut content = Content {
            title: title.clone(),
            summary,
            sections: sections(&mut rng, kind, topic),
            priorities: chosen_priorities,
            practice_areas: chosen_areas,
            topics: if ai {
                vec![AI_DIGITAL_TOPIC.to_owned()]
            } else {
                Vec::new()
            },
            nation: Some(nation.clone()),
            region: Some(region.clone()),
            impact_evidence: evidence
                .iter()
                .map(|e| ImpactEvidence {
                    evidence_type: *e,
                    description: format!("{} evidence", e.as_str()),
                    costs_pence: None,
                    savings_pence: None,
                    return_on_investment: None,
                })
                .collect(),
            recommendations,
            evidence_sources: sources,
            pdsa_cycles,
            measures,
        };
        let first_copy = content_json(&content)?;
        if story.revisions.len() > 1 {
            content
                .summary
                .push_str(" Revised after review: the measures are now explained.");
        }
        let current = if story.revisions.len() > 1 {
            content_json(&content)?
        } else {
            first_copy.clone()
        };
        let scored = story.first_submitted.map(|_| completeness(kind, &content));
        let quality = story.reviews.last().map(|r| r.score);
        batch.submissions.values_panic([
            id.into(),
            author.into(),
            kind_code.into(),
            status.into(),
            title.into(),
            content.search_text().into(),
            content
                .search_body(|vocabulary, code| taxonomy.label(vocabulary, code).map(str::to_owned))
                .into(),
            current.clone().into(),
            story.version().into(),
            Some(nation).into(),
            Some(region).into(),
            scored.as_ref().map(|c| c.score).into(),
            scored
                .as_ref()
                .map(|c| serde_json::to_string(c).unwrap_or_default())
                .into(),
            quality.into(),
            story.reviewer.into(),
            created.into(),
            story.updated.into(),
            story.first_submitted.into(),
            (status == "published")
                .then_some(i32::try_from(story.revisions.len()).unwrap_or(1))
                .into(),
        ]);
        batch.submission_rows += 1;
        for p in &content.priorities {
            batch.tags[0].values_panic([id.into(), p.clone().into()]);
            batch.tag_rows[0] += 1;
        }
        for a in &content.practice_areas {
            batch.tags[1].values_panic([id.into(), a.clone().into()]);
            batch.tag_rows[1] += 1;
        }
        if ai {
            batch.tags[2].values_panic([id.into(), AI_DIGITAL_TOPIC.into()]);
            batch.tag_rows[2] += 1;
        }
        for e in &evidence {
            batch.tags[3].values_panic([id.into(), e.as_str().into()]);
            batch.tag_rows[3] += 1;
        }
        for (position, rec) in content.recommendations.iter().enumerate() {
            batch.recommendations.values_panic([
                rec.id.into(),
                id.into(),
                i32::try_from(position).unwrap_or(0).into(),
                rec.text.clone().into(),
                rec.adoption_status.as_str().into(),
                Option::<i64>::None.into(),
            ]);
            batch.recommendation_rows += 1;
            // A follow-up: on or after publication, never after today.
            if let Some(published_at) = story.published
                && rng.random_bool(0.3)
            {
                let fraction: f64 = rng.random();
                let to = rng.random_range(1..4);
                let invested = rng
                    .random_bool(0.4)
                    .then(|| rng.random_range(100_000..50_000_000_i64));
                let minutes = rng.random_range(0..600);
                let event_id = Uuid::from_u128(rng.random());
                let first_day = published_at.date_naive();
                let room = (today - first_day).num_days().min(200);
                if room < 0 {
                    continue;
                }
                let occurred: NaiveDate =
                    first_day + Duration::days((fraction * room as f64) as i64);
                let reported = (occurred.and_time(chrono::NaiveTime::MIN).and_utc()
                    + Duration::minutes(9 * 60 + minutes))
                .max(published_at)
                .min(now);
                batch.events.values_panic([
                    event_id.into(),
                    rec.id.into(),
                    id.into(),
                    Some(AdoptionStatus::ALL[to].as_str()).into(),
                    invested.into(),
                    invested.map(|_| "Integrated care board".to_owned()).into(),
                    occurred.into(),
                    micros(reported).into(),
                ]);
                batch.event_rows += 1;
            }
        }
        for step in &story.transitions {
            batch.transitions.values_panic([
                step.id.into(),
                id.into(),
                Some(step.actor).into(),
                step.from.into(),
                step.to.into(),
                step.comment.map(str::to_owned).into(),
                step.at.into(),
            ]);
            batch.transition_rows += 1;
        }
        for (number, at) in story.revisions.iter().enumerate() {
            let copy = if number + 1 == story.revisions.len() {
                &current
            } else {
                &first_copy
            };
            batch.revisions.values_panic([
                id.into(),
                i32::try_from(number + 1).unwrap_or(1).into(),
                kind_code.into(),
                copy.clone().into(),
                Some(author).into(),
                (*at).into(),
            ]);
            batch.revision_rows += 1;
        }
        for review in &story.reviews {
            batch.reviews.values_panic([
                review.id.into(),
                id.into(),
                review.reviewer.into(),
                review.revision.into(),
                "[]".into(),
                Some(review.comment).into(),
                review.decision.into(),
                review.score.into(),
                review.at.into(),
            ]);
            batch.review_rows += 1;
        }
        if let Some(cited) = cited {
            batch.citations.values_panic([id.into(), cited.into()]);
            batch.citation_rows += 1;
        }
        if let Some(at) = story.published
            && published.len() < 10_000
        {
            published.push((id, at));
            spreadable.push((id, author, at));
        }
        if let Some(at) = story.first_submitted
            && kind == SubmissionKind::BusinessCase
            && cases.len() < 5_000
        {
            cases.push((id, at));
        }
        if batch.submission_rows == BATCH || batch.transition_rows >= TRANSITIONS_PER_BATCH {
            std::mem::replace(&mut batch, Batch::new())
                .write(db)
                .await?;
            progress(n + 1);
        }
    }
    batch.write(db).await?;
    progress(spec.submissions);
    // Submitters' demographics are recorded at first submission; the rows
    // above went in around that, so record them from the profiles made here.
    sea_orm::ConnectionTrait::execute_unprepared(
        db,
        "INSERT INTO submission_demographics \
         (submission_id, career_stage, level_of_practice, sector, job_title, nation, region) \
         SELECT s.id, m.career_stage, m.level_of_practice, m.sector, m.job_title, m.nation, m.region \
         FROM submissions s JOIN members m ON m.id = s.author_id \
         WHERE s.submitted_at IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM submission_demographics d WHERE d.submission_id = s.id)",
    )
    .await?;
    let referents = crate::demo_strategy::Referents {
        members,
        regions,
        cases,
        published: spreadable,
        first,
        now,
    };
    let mut strategy_rng = StdRng::seed_from_u64(spec.seed ^ 0x5eed_0f57_2a7e);
    let files = crate::demo_strategy::fill(db, &mut strategy_rng, &referents).await?;
    // The rows above went in around the repositories: count the rollups again.
    crate::rollup::rebuild(db).await?;
    Ok(files)
}

fn content_json(content: &Content) -> Result<String, DbErr> {
    serde_json::to_string(content).map_err(|e| DbErr::Custom(e.to_string()))
}

/// One status change, as the service records it.
struct Step {
    id: Uuid,
    actor: Uuid,
    from: &'static str,
    to: &'static str,
    comment: Option<&'static str>,
    at: DateTime<Utc>,
}

/// One review decision on a revision.
struct DemoReview {
    id: Uuid,
    reviewer: Uuid,
    revision: i32,
    decision: &'static str,
    score: f64,
    comment: &'static str,
    at: DateTime<Utc>,
}

/// How a submission reached its status: the transitions the service would
/// have recorded, a revision at each submit, and a review at each decision.
struct Story {
    transitions: Vec<Step>,
    /// When each revision was submitted, numbered from 1.
    revisions: Vec<DateTime<Utc>>,
    reviews: Vec<DemoReview>,
    first_submitted: Option<DateTime<Utc>>,
    published: Option<DateTime<Utc>>,
    reviewer: Option<Uuid>,
    updated: DateTime<Utc>,
}

impl Story {
    fn tell(
        rng: &mut StdRng,
        status: &'static str,
        created: DateTime<Utc>,
        author: Uuid,
        reviewers: &[Uuid],
        now: DateTime<Utc>,
    ) -> Self {
        let mut story = Story {
            transitions: Vec::new(),
            revisions: Vec::new(),
            reviews: Vec::new(),
            first_submitted: None,
            published: None,
            reviewer: None,
            updated: created,
        };
        if status == "draft" {
            return story;
        }
        let submitted = micros(created + Duration::minutes(rng.random_range(0..4_320)));
        story.first_submitted = Some(submitted);
        story.step(rng, author, "draft", "submitted", None, submitted);
        story.revisions.push(submitted);
        let mut at = submitted;
        let reviewer = reviewers[rng.random_range(0..reviewers.len())];
        let claim = |story: &mut Story, rng: &mut StdRng, at: &mut DateTime<Utc>| {
            *at += Duration::minutes(rng.random_range(30..4_320));
            story.reviewer = Some(reviewer);
            story.step(rng, reviewer, "submitted", "in_review", None, *at);
        };
        match status {
            "submitted" => {}
            "in_review" => claim(&mut story, rng, &mut at),
            "withdrawn" => {
                let from = if rng.random_bool(0.5) {
                    claim(&mut story, rng, &mut at);
                    "in_review"
                } else {
                    "submitted"
                };
                at += Duration::days(rng.random_range(1..20));
                story.step(
                    rng,
                    author,
                    from,
                    "withdrawn",
                    Some("Withdrawn by the author"),
                    at,
                );
            }
            _ => {
                claim(&mut story, rng, &mut at);
                if status != "changes_requested" && rng.random_bool(0.25) {
                    at += Duration::days(rng.random_range(1..14));
                    story.review(rng, reviewer, "request_changes", 2..=3, at);
                    at += Duration::days(rng.random_range(1..20));
                    story.step(rng, author, "changes_requested", "submitted", None, at);
                    story.revisions.push(at);
                    claim(&mut story, rng, &mut at);
                }
                at += Duration::days(rng.random_range(1..30));
                let (decision, scores) = match status {
                    "published" => ("publish", 3..=5),
                    "rejected" => ("reject", 1..=3),
                    _ => ("request_changes", 2..=4),
                };
                story.review(rng, reviewer, decision, scores, at);
                if status == "published" {
                    story.published = Some(at);
                }
            }
        }
        story.fit_before(now);
        story
    }

    fn step(
        &mut self,
        rng: &mut StdRng,
        actor: Uuid,
        from: &'static str,
        to: &'static str,
        comment: Option<&'static str>,
        at: DateTime<Utc>,
    ) {
        self.transitions.push(Step {
            id: Uuid::from_u128(rng.random()),
            actor,
            from,
            to,
            comment,
            at,
        });
        self.updated = at;
    }

    fn review(
        &mut self,
        rng: &mut StdRng,
        reviewer: Uuid,
        decision: &'static str,
        scores: std::ops::RangeInclusive<u32>,
        at: DateTime<Utc>,
    ) {
        let (to, comment) = match decision {
            "publish" => (
                "published",
                "Clear aims, measured change and learning others can use.",
            ),
            "reject" => (
                "rejected",
                "Not an occupational therapy innovation the hub can share.",
            ),
            _ => (
                "changes_requested",
                "Please explain the measures you used and what changed.",
            ),
        };
        let score = f64::from(rng.random_range(scores));
        self.reviews.push(DemoReview {
            id: Uuid::from_u128(rng.random()),
            reviewer,
            revision: i32::try_from(self.revisions.len()).unwrap_or(1),
            decision,
            score,
            comment,
            at,
        });
        self.step(rng, reviewer, "in_review", to, Some(comment), at);
    }

    /// A story that would run past now is told faster, keeping its order:
    /// nothing after the first submission is dated in the future.
    fn fit_before(&mut self, now: DateTime<Utc>) {
        let Some(first) = self.first_submitted else {
            return;
        };
        let (Ok(room), Ok(length)) = (
            u64::try_from((now - first).num_microseconds().unwrap_or(0)),
            u64::try_from((self.updated - first).num_microseconds().unwrap_or(0)),
        ) else {
            return;
        };
        if length <= room || room == 0 {
            return;
        }
        let squeeze = |at: DateTime<Utc>| {
            let offset = u128::from(
                u64::try_from((at - first).num_microseconds().unwrap_or(0)).unwrap_or(0),
            );
            let fitted = offset * u128::from(room) / u128::from(length);
            first + Duration::microseconds(i64::try_from(fitted).unwrap_or(0))
        };
        for step in &mut self.transitions {
            step.at = squeeze(step.at);
        }
        for revision in &mut self.revisions {
            *revision = squeeze(*revision);
        }
        for review in &mut self.reviews {
            review.at = squeeze(review.at);
        }
        self.published = self.published.map(squeeze);
        self.updated = squeeze(self.updated);
    }

    /// Each write adds one to the version: the create, each transition, and
    /// the edit made before resubmitting.
    fn version(&self) -> i32 {
        let edits = self.revisions.len().saturating_sub(1);
        i32::try_from(1 + self.transitions.len() + edits).unwrap_or(1)
    }
}

fn maybe(rng: &mut StdRng, chance: f64, text: String) -> Option<String> {
    rng.random_bool(chance).then_some(text)
}

/// The sections of a kind: SQUIRE 2.0 groups for a journey, context,
/// approach, outcomes and learning for a case study, context, change, impact
/// and learning for an impact example. What submitting needs is always there.
fn sections(rng: &mut StdRng, kind: SubmissionKind, topic: &str) -> Sections {
    match kind {
        SubmissionKind::ImprovementJourney => Sections {
            why_we_started: Some(WhyWeStarted {
                problem: Some(format!("People waited too long for {topic} support.")),
                available_knowledge: maybe(rng, 0.7, "Guidance and local audit data.".into()),
                rationale: maybe(
                    rng,
                    0.6,
                    "Earlier assessment should prevent decline.".into(),
                ),
                aims: Some("Halve the wait within six months.".into()),
            }),
            what_we_did: Some(WhatWeDid {
                context: maybe(rng, 0.8, format!("A community {topic} team.")),
                interventions: Some("Triage by an occupational therapist on referral.".into()),
                study_of_interventions: maybe(rng, 0.5, "Weekly team huddles.".into()),
                measures: maybe(rng, 0.7, "Days from referral to assessment.".into()),
                analysis: maybe(rng, 0.6, "Run charts with the median.".into()),
                ethics: maybe(
                    rng,
                    0.5,
                    "Service evaluation; no ethics review needed.".into(),
                ),
            }),
            what_we_found: Some(WhatWeFound {
                results: Some("The median wait fell from 21 to 9 days.".into()),
            }),
            what_it_means: Some(WhatItMeans {
                summary: maybe(rng, 0.7, "Early triage works here.".into()),
                interpretation: maybe(rng, 0.6, "Fewer people declined while waiting.".into()),
                limitations: maybe(rng, 0.6, "One team over one winter.".into()),
                conclusions: Some("Keep triage on referral and spread it.".into()),
            }),
            funding: maybe(rng, 0.4, "Funded from the team's own budget.".into()),
            ..Sections::default()
        },
        SubmissionKind::CaseStudy => Sections {
            context: Some(format!("A team working on {topic}.")),
            approach: Some("Tested changes in small cycles.".into()),
            outcomes: Some("Measured before and after.".into()),
            learning: maybe(rng, 0.7, "Start small and involve people early.".into()),
            ..Sections::default()
        },
        SubmissionKind::ImpactExample => Sections {
            context: Some(format!("A service for {topic}.")),
            change: Some("Occupational therapists joined the front door.".into()),
            impact: Some("Fewer admissions and better reported wellbeing.".into()),
            learning: maybe(rng, 0.7, "Share data with partners monthly.".into()),
            ..Sections::default()
        },
        SubmissionKind::BusinessCase => Sections {
            problem: Some(format!("People wait too long for {topic} support.")),
            proposal: Some("Occupational therapists at the front door.".into()),
            costs_and_benefits: Some("Two posts; admissions avoided pay for them.".into()),
            ask: Some("Fund the posts for two years.".into()),
            ..Sections::default()
        },
    }
}

/// PDSA cycles and measures for some journeys, all dated before it was created.
fn improvement_work(
    rng: &mut StdRng,
    created: NaiveDate,
    topic: &str,
) -> (Vec<PdsaCycle>, Vec<Measure>) {
    let mut cycles = Vec::new();
    if rng.random_bool(0.6) {
        let count = rng.random_range(1..=3_i64);
        for i in 0..count {
            let started = created - Duration::days(30 * (count - i) + 20);
            let last = i + 1 == count;
            cycles.push(PdsaCycle {
                change_idea: format!("Change idea {} for {topic}", i + 1),
                prediction: Some("Waits will shorten.".into()),
                plan: Some("Try it with one clinic for two weeks.".into()),
                what_happened: Some("Most referrals were triaged the same day.".into()),
                what_was_learned: Some("Admin support matters.".into()),
                decision: Some(if last {
                    PdsaDecision::Adopt
                } else if rng.random_bool(0.8) {
                    PdsaDecision::Adapt
                } else {
                    PdsaDecision::Abandon
                }),
                started_on: Some(started),
                ended_on: Some(started + Duration::days(rng.random_range(7..28))),
            });
        }
    }
    let mut measures = Vec::new();
    if rng.random_bool(0.6) {
        let all = [
            (
                "Days from referral to assessment",
                MeasureType::Outcome,
                "days",
                21.0,
                -1.2,
            ),
            (
                "Referrals triaged within 48 hours",
                MeasureType::Process,
                "%",
                40.0,
                4.5,
            ),
            (
                "Readmissions within 30 days",
                MeasureType::Balancing,
                "count",
                6.0,
                0.0,
            ),
        ];
        let count = rng.random_range(1..=all.len());
        for (name, measure_type, unit, first, trend) in all.iter().take(count) {
            let points = rng.random_range(6..=12_i64);
            measures.push(Measure {
                name: (*name).to_owned(),
                measure_type: *measure_type,
                unit: Some((*unit).to_owned()),
                data_points: (0..points)
                    .map(|week| DataPoint {
                        date: created - Duration::weeks(points - week),
                        value: ((first + trend * week as f64 + rng.random_range(-1.0..1.0)) * 10.0)
                            .round()
                            / 10.0,
                    })
                    .collect(),
            });
        }
    }
    (cycles, measures)
}
