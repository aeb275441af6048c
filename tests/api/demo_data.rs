//! `demo-data` makes work a user can explore: each kind with its own
//! sections, a believable lifecycle with transitions and revisions, PDSA
//! cycles and measures on journeys, citations only of earlier published work,
//! follow-ups only between publication and today, and rollups that agree
//! with a recount.

use chrono::{DateTime, NaiveDate, Utc};
use domain::quarter::Quarter;
use domain::recommendation::DayWindow;
use domain::repository::TaxonomyRepository;
use domain::submission::{Content, SubmissionKind, missing_for_submit, validate_content};
use hub_tests::{TestApp, spawn_app};
use persistence::demo::{DemoSpec, fill};
use persistence::{SeaReportRepository, SeaTaxonomyRepository};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

fn spec(last_quarter: Quarter) -> DemoSpec {
    DemoSpec {
        submissions: 400,
        members: 60,
        seed: 11,
        last_quarter,
    }
}

async fn filled(app: &TestApp, last_quarter: Quarter) -> DatabaseConnection {
    filled_with(app, spec(last_quarter)).await
}

async fn filled_with(app: &TestApp, spec: DemoSpec) -> DatabaseConnection {
    let db = persistence::connect(&app.database_url, 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .connection;
    let taxonomy = SeaTaxonomyRepository::new(db.clone())
        .load()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(&db, spec, &taxonomy, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db
}

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

struct Stored {
    kind: SubmissionKind,
    status: String,
    content: Content,
    submitted_at: Option<DateTime<Utc>>,
}

async fn submissions(db: &DatabaseConnection) -> BTreeMap<Uuid, Stored> {
    rows(
        db,
        "SELECT id, kind, status, content, submitted_at FROM submissions",
    )
    .await
    .iter()
    .map(|row| {
        let get = |name: &str| -> String {
            row.try_get("", name)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        let id: Uuid = row.try_get("", "id").unwrap_or_else(|e| panic!("{e}"));
        let stored = Stored {
            kind: get("kind")
                .parse()
                .unwrap_or_else(|()| panic!("kind of {id}")),
            status: get("status"),
            content: serde_json::from_str(&get("content")).unwrap_or_else(|e| panic!("{e}")),
            submitted_at: row
                .try_get("", "submitted_at")
                .unwrap_or_else(|e| panic!("{e}")),
        };
        (id, stored)
    })
    .collect()
}

/// Each submission's transitions in order: (from, to, at).
async fn transitions(
    db: &DatabaseConnection,
) -> BTreeMap<Uuid, Vec<(String, String, DateTime<Utc>)>> {
    let mut by_submission: BTreeMap<Uuid, Vec<_>> = BTreeMap::new();
    for row in rows(
        db,
        "SELECT submission_id, from_status, to_status, at FROM transitions ORDER BY submission_id, at, id",
    )
    .await
    {
        let id: Uuid = row.try_get("", "submission_id").unwrap_or_else(|e| panic!("{e}"));
        by_submission.entry(id).or_default().push((
            row.try_get("", "from_status").unwrap_or_else(|e| panic!("{e}")),
            row.try_get("", "to_status").unwrap_or_else(|e| panic!("{e}")),
            row.try_get("", "at").unwrap_or_else(|e| panic!("{e}")),
        ));
    }
    by_submission
}

fn published_at(steps: &[(String, String, DateTime<Utc>)]) -> Option<DateTime<Utc>> {
    steps
        .iter()
        .find(|(_, to, _)| to == "published")
        .map(|(_, _, at)| *at)
}

#[tokio::test]
async fn demo_data_tells_a_believable_story_of_every_kind() {
    let app = spawn_app().await;
    let last = Quarter::calendar_containing(Utc::now()).previous();
    let db = filled(&app, last).await;
    let now = Utc::now();
    let today = now.date_naive();
    let taxonomy = SeaTaxonomyRepository::new(db.clone())
        .load()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stored = submissions(&db).await;
    let steps = transitions(&db).await;
    assert_eq!(stored.len(), 400);

    // Each kind with its own sections, valid as the service would take it.
    for kind in SubmissionKind::ALL {
        assert!(stored.values().any(|s| s.kind == kind), "no {kind:?}");
    }
    for (id, s) in &stored {
        if let Err(errors) = validate_content(s.kind, &s.content, &taxonomy) {
            panic!("{id} ({:?}) is not valid: {errors:?}", s.kind);
        }
        if s.status != "draft" {
            let missing = missing_for_submit(s.kind, &s.content);
            assert!(missing.is_empty(), "{id} was submitted missing {missing:?}");
        }
    }
    let journeys_with_work = stored
        .values()
        .filter(|s| {
            s.kind == SubmissionKind::ImprovementJourney
                && !s.content.pdsa_cycles.is_empty()
                && !s.content.measures.is_empty()
        })
        .count();
    assert!(
        journeys_with_work > 5,
        "{journeys_with_work} journeys with PDSA cycles and measures"
    );

    // A lifecycle for everything that left draft, and none for drafts.
    let mut revision_counts: BTreeMap<Uuid, i64> = BTreeMap::new();
    for row in rows(&db, "SELECT submission_id, MAX(number) AS latest, COUNT(*) AS total FROM revisions GROUP BY submission_id").await {
        let id: Uuid = row.try_get("", "submission_id").unwrap_or_else(|e| panic!("{e}"));
        let latest: i32 = row.try_get("", "latest").unwrap_or_else(|e| panic!("{e}"));
        let total: i64 = row.try_get("", "total").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(i64::from(latest), total, "{id}: revisions numbered from 1 without gaps");
        revision_counts.insert(id, total);
    }
    let mut statuses = BTreeSet::new();
    for (id, s) in &stored {
        statuses.insert(s.status.clone());
        // A draft has no transitions: an empty story.
        let story = steps.get(id).map_or(&[][..], Vec::as_slice);
        if s.status == "draft" {
            assert!(
                story.is_empty() && !revision_counts.contains_key(id),
                "{id}"
            );
            assert!(s.submitted_at.is_none(), "{id}");
            continue;
        }
        assert!(
            revision_counts.get(id).is_some_and(|n| *n >= 1),
            "{id}: no revision"
        );
        let (from, to, first) = story
            .first()
            .unwrap_or_else(|| panic!("{id}: no transitions"));
        assert_eq!((from.as_str(), to.as_str()), ("draft", "submitted"), "{id}");
        assert_eq!(
            Some(*first),
            s.submitted_at,
            "{id}: submitted_at is the first submit"
        );
        for pair in story.windows(2) {
            assert_eq!(
                pair[0].1, pair[1].0,
                "{id}: each step starts where the last ended"
            );
            assert!(pair[0].2 <= pair[1].2, "{id}: steps in time order");
        }
        assert_eq!(
            story.last().map(|t| t.1.as_str()),
            Some(s.status.as_str()),
            "{id}"
        );
        if s.submitted_at.is_some_and(|at| at <= now) {
            assert!(
                story.iter().all(|t| t.2 <= now),
                "{id}: a step in the future"
            );
        }
        let submits = story.iter().filter(|t| t.1 == "submitted").count();
        assert_eq!(
            Some(submits as i64),
            revision_counts.get(id).copied(),
            "{id}: a revision per submit"
        );
    }
    for status in [
        "submitted",
        "in_review",
        "published",
        "changes_requested",
        "rejected",
        "withdrawn",
        "draft",
    ] {
        assert!(statuses.contains(status), "no {status}");
    }
    assert!(
        revision_counts.values().any(|n| *n > 1),
        "some work was sent back and submitted again"
    );

    // Citations: only of work published before the citing work was first submitted.
    let citations = rows(
        &db,
        "SELECT submission_id, cited_submission_id FROM submission_citations",
    )
    .await;
    assert!(!citations.is_empty(), "no citations");
    for row in &citations {
        let citing: Uuid = row
            .try_get("", "submission_id")
            .unwrap_or_else(|e| panic!("{e}"));
        let cited: Uuid = row
            .try_get("", "cited_submission_id")
            .unwrap_or_else(|e| panic!("{e}"));
        let published = steps.get(&cited).and_then(|s| published_at(s));
        let first = stored[&citing].submitted_at;
        assert!(
            matches!((published, first), (Some(p), Some(f)) if p < f),
            "{citing} cites {cited}, published {published:?}, first submitted {first:?}"
        );
        assert!(
            stored[&citing].content.cited_submissions().contains(&cited),
            "{citing}: its document names {cited}"
        );
    }
    let cited_in_documents: usize = stored
        .values()
        .map(|s| s.content.cited_submissions().len())
        .sum();
    assert_eq!(
        cited_in_documents,
        citations.len(),
        "every cited submission in a document is a citation row"
    );

    // Follow-ups: on or after publication, never after today.
    let events = rows(
        &db,
        "SELECT submission_id, occurred_on, reported_at FROM recommendation_events",
    )
    .await;
    assert!(!events.is_empty(), "no follow-ups");
    for row in &events {
        let id: Uuid = row
            .try_get("", "submission_id")
            .unwrap_or_else(|e| panic!("{e}"));
        let occurred: NaiveDate = row
            .try_get("", "occurred_on")
            .unwrap_or_else(|e| panic!("{e}"));
        let reported: DateTime<Utc> = row
            .try_get("", "reported_at")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored[&id].status, "published", "{id}");
        let published = published_at(&steps[&id]).unwrap_or_else(|| panic!("{id}"));
        let window = DayWindow {
            first: Some(published.date_naive()),
            today,
        };
        assert_eq!(
            window.admits(occurred),
            Ok(()),
            "{id}: follow-up on {occurred}, published {published}"
        );
        assert!(
            reported >= published && reported <= now,
            "{id}: reported at {reported}"
        );
        assert!(
            stored[&id]
                .submitted_at
                .is_some_and(|f| f.date_naive() <= occurred),
            "{id}"
        );
    }

    // Every submission that left draft has its submitter's demographics
    // recorded, as a first submit through the service records them.
    let left_draft = stored.values().filter(|s| s.submitted_at.is_some()).count();
    let recorded = rows(&db, "SELECT submission_id FROM submission_demographics").await;
    assert_eq!(recorded.len(), left_draft);

    // The rollups agree with a recount in every quarter filled.
    let reports = SeaReportRepository::new(db.clone());
    let mut quarter = last;
    for _ in 0..12 {
        hub_tests::rollups_equal_recount(&reports, quarter, &format!("{quarter:?}")).await;
        quarter = quarter.previous();
    }

    // The history a user reads over HTTP.
    let admin = app.admin().await;
    let resubmitted = stored
        .iter()
        .find(|(id, s)| s.status == "published" && revision_counts.get(*id).is_some_and(|n| *n > 1))
        .map(|(id, _)| *id)
        .unwrap_or_else(|| panic!("no published work with two revisions"));
    let (status, _, history) = app
        .get(
            &format!("/api/v1/submissions/{resubmitted}/history"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let moves: Vec<(&str, &str)> = history["transitions"]
        .as_array()
        .unwrap_or_else(|| panic!("{history}"))
        .iter()
        .map(|t| {
            (
                t["from"].as_str().unwrap_or(""),
                t["to"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("draft", "submitted"),
            ("submitted", "in_review"),
            ("in_review", "changes_requested"),
            ("changes_requested", "submitted"),
            ("submitted", "in_review"),
            ("in_review", "published"),
        ]
    );
    assert!(
        history["transitions"][1]["actor"]["display_name"].is_string(),
        "{history}"
    );
    assert_eq!(
        history["revisions"].as_array().map(Vec::len),
        Some(2),
        "{history}"
    );
    assert_eq!(
        history["reviews"].as_array().map(Vec::len),
        Some(2),
        "{history}"
    );
    assert_eq!(history["published_revision"], 2, "{history}");
    let (status, _, first) = app
        .get(
            &format!("/api/v1/submissions/{resubmitted}/revisions/1"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (_, _, second) = app
        .get(
            &format!("/api/v1/submissions/{resubmitted}/revisions/2"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(second["published"], true, "{second}");
    assert_ne!(
        first["content"]["summary"], second["content"]["summary"],
        "the second revision answers the review"
    );
}

#[tokio::test]
async fn demo_data_is_the_same_for_the_same_seed() {
    let last = Quarter::calendar_containing(Utc::now())
        .previous()
        .previous();
    let (one, two) = (spawn_app().await, spawn_app().await);
    let (a, b) = (filled(&one, last).await, filled(&two, last).await);
    let what = |db: DatabaseConnection| async move {
        let mut all: Vec<String> = Vec::new();
        for (sql, columns) in [
            (
                "SELECT id, kind, status, content FROM submissions ORDER BY id",
                4,
            ),
            (
                "SELECT id, submission_id, from_status, to_status FROM transitions ORDER BY id",
                4,
            ),
            (
                "SELECT submission_id, number, content FROM revisions ORDER BY submission_id, number",
                3,
            ),
            (
                "SELECT submission_id, cited_submission_id FROM submission_citations ORDER BY submission_id, cited_submission_id",
                2,
            ),
            (
                "SELECT id, adoption_status, investment_pence FROM recommendation_events ORDER BY id",
                3,
            ),
            (
                "SELECT id, submission_id, organisation FROM adoptions ORDER BY id",
                3,
            ),
            (
                "SELECT id, clinic_id, submission_id FROM clinic_presentations ORDER BY id",
                3,
            ),
            (
                "SELECT id, resource_id, member_id FROM resource_downloads ORDER BY id",
                3,
            ),
        ] {
            for row in rows(&db, sql).await {
                let cells: Vec<String> = (0..columns).map(|i| cell(&row, i)).collect();
                all.push(cells.join(" "));
            }
        }
        all
    };
    let (left, right) = (what(a).await, what(b).await);
    assert!(left.len() > 1_000, "{}", left.len());
    assert_eq!(left, right);
}

fn cell(row: &sea_orm::QueryResult, i: usize) -> String {
    if let Ok(id) = row.try_get_by_index::<Uuid>(i) {
        return id.to_string();
    }
    if let Ok(text) = row.try_get_by_index::<String>(i) {
        return text;
    }
    if let Ok(number) = row.try_get_by_index::<i32>(i) {
        return number.to_string();
    }
    match row.try_get_by_index::<Option<i64>>(i) {
        Ok(pence) => format!("{pence:?}"),
        Err(e) => panic!("column {i}: {e}"),
    }
}

/// A string column of a row.
fn text(row: &sea_orm::QueryResult, column: &str) -> String {
    row.try_get("", column)
        .unwrap_or_else(|e| panic!("{column}: {e}"))
}

fn id_of(row: &sea_orm::QueryResult, column: &str) -> Uuid {
    row.try_get("", column)
        .unwrap_or_else(|e| panic!("{column}: {e}"))
}

#[tokio::test]
async fn demo_data_holds_clinics_spread_inclusions_and_resource_downloads_by_the_rules() {
    let app = spawn_app().await;
    let last = Quarter::calendar_containing(Utc::now()).previous();
    let db = filled(&app, last).await;
    let today = Utc::now().date_naive();
    let stored = submissions(&db).await;
    let steps = transitions(&db).await;
    let quarters: Vec<Quarter> = std::iter::successors(Some(last), |q| Some(q.previous()))
        .take(12)
        .collect();
    let quarter_of = |day: NaiveDate| {
        quarters
            .iter()
            .position(|q| q.first_day() <= day && day < q.next().first_day())
    };

    // Two clinics every quarter; each case presented is a business case
    // submitted before the clinic, at most once a clinic.
    let clinics = rows(&db, "SELECT id, held_on FROM idea_clinics").await;
    let held: BTreeMap<Uuid, NaiveDate> = clinics
        .iter()
        .map(|row| {
            (
                id_of(row, "id"),
                row.try_get("", "held_on").unwrap_or_else(|e| panic!("{e}")),
            )
        })
        .collect();
    let clinic_quarters: BTreeSet<usize> = held.values().filter_map(|d| quarter_of(*d)).collect();
    assert_eq!(clinic_quarters.len(), 12, "{held:?}");
    let presentations = rows(
        &db,
        "SELECT clinic_id, submission_id FROM clinic_presentations",
    )
    .await;
    assert!(!presentations.is_empty());
    let mut pairs = BTreeSet::new();
    for row in &presentations {
        let (clinic, case) = (id_of(row, "clinic_id"), id_of(row, "submission_id"));
        assert!(
            pairs.insert((clinic, case)),
            "{case} presented twice at {clinic}"
        );
        let s = &stored[&case];
        assert_eq!(s.kind, SubmissionKind::BusinessCase);
        assert!(
            s.submitted_at
                .is_some_and(|at| at.date_naive() < held[&clinic]),
            "{case} was presented before it was submitted"
        );
    }

    // Adoptions: of published work, by someone other than its author,
    // after publication and not after today.
    let authors: BTreeMap<Uuid, Uuid> = rows(&db, "SELECT id, author_id FROM submissions")
        .await
        .iter()
        .map(|row| (id_of(row, "id"), id_of(row, "author_id")))
        .collect();
    let adoptions = rows(
        &db,
        "SELECT submission_id, reported_by, adopted_on FROM adoptions",
    )
    .await;
    assert!(adoptions.len() >= 5, "{} adoptions", adoptions.len());
    for row in &adoptions {
        let id = id_of(row, "submission_id");
        let adopted_on: NaiveDate = row
            .try_get("", "adopted_on")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored[&id].status, "published");
        let published = published_at(&steps[&id]).unwrap_or_else(|| panic!("{id} unpublished"));
        assert!(
            published.date_naive() <= adopted_on && adopted_on <= today,
            "{id}"
        );
        assert_ne!(
            id_of(row, "reported_by"),
            authors[&id],
            "{id} adopted by its author"
        );
    }
    let scopes: BTreeSet<String> = rows(&db, "SELECT scope FROM inclusions")
        .await
        .iter()
        .map(|row| text(row, "scope"))
        .collect();
    assert!(!scopes.is_empty());

    // Resources of every approach, downloaded in every quarter.
    let approaches: BTreeSet<String> = rows(&db, "SELECT approach FROM resources")
        .await
        .iter()
        .map(|row| text(row, "approach"))
        .collect();
    assert_eq!(approaches.len(), 3, "{approaches:?}");
    let downloads = rows(&db, "SELECT downloaded_at FROM resource_downloads").await;
    let download_quarters: BTreeSet<usize> = downloads
        .iter()
        .filter_map(|row| {
            let at: DateTime<Utc> = row
                .try_get("", "downloaded_at")
                .unwrap_or_else(|e| panic!("{e}"));
            quarters.iter().position(|q| q.contains(at))
        })
        .collect();
    assert_eq!(download_quarters.len(), 12);

    // The summary of the last quarter counts them.
    let admin = app.admin().await;
    let (status, _, report) = app
        .get(
            &format!("/api/v1/reports/quarterly/{last}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["idea_clinics"]["clinics_held"]["count"], 2);
    assert!(
        report["resources"]["downloads"]["count"]
            .as_i64()
            .is_some_and(|n| n > 0),
        "{report}"
    );
}

#[tokio::test]
async fn demo_data_with_many_members_writes_downloads_in_batches_after_their_resources() {
    let app = spawn_app().await;
    // A tenth of the members download each quarter: with 4,000 members the
    // downloads pass the 2,000 rows a batch holds.
    let many = DemoSpec {
        submissions: 40,
        members: 4_000,
        seed: 5,
        last_quarter: Quarter::calendar_containing(Utc::now()).previous(),
    };
    let db = filled_with(&app, many).await;
    let counted = rows(
        &db,
        "SELECT COUNT(*) AS n FROM resource_downloads d JOIN resources r ON r.id = d.resource_id",
    )
    .await;
    let n: i64 = counted[0]
        .try_get("", "n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(n > 2_000, "{n} downloads, all of published resources");
}
