//! The quarterly summary reads per-quarter rollups kept in step by every
//! write. After each kind of change, the rollups must give exactly what a
//! recount of the base tables gives.

use domain::quarter::Quarter;
use domain::report::QuarterFigures;
use domain::repository::ReportRepository;
use hub_tests::{TestApp, case_study, journey, rollups_equal_recount, spawn_app};
use persistence::SeaReportRepository;
use reqwest::StatusCode;
use serde_json::json;

async fn assert_rollups_match_a_recount(app: &TestApp, step: &str) -> QuarterFigures {
    let db = persistence::connect(&app.database_url, 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let reports = SeaReportRepository::new(db.connection);
    let quarter = Quarter::calendar_containing(chrono::Utc::now());
    let recounted = rollups_equal_recount(&reports, quarter, &format!("after {step}")).await;
    let previous = reports
        .comparison_figures(quarter.previous())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        previous.total, 0,
        "after {step}: nothing leaks into other quarters"
    );
    recounted
}

#[tokio::test]
async fn rollups_equal_a_recount_after_every_kind_of_write() {
    let app = spawn_app().await;
    let reviewer = app.reviewer().await;
    let ai_author = app.member().await;
    let reviser = app.member().await;
    let withdrawer = app.member().await;
    let citer = app.member().await;
    let (status, _, body) = app
        .patch(
            "/api/v1/members/me",
            Some(&ai_author.token),
            None,
            &json!({"career_stage": "mid", "region": "london", "job_title": "Digital OT"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_rollups_match_a_recount(&app, "nothing submitted").await;

    let drafted = app
        .create_submission(&ai_author.token, &journey("Only a draft"))
        .await;
    assert!(drafted["id"].is_string());
    app.submitted(&ai_author.token, &journey("AI journey"))
        .await;
    let figures = assert_rollups_match_a_recount(&app, "a first submit").await;
    assert_eq!(
        figures.evidence_cube.values().sum::<i64>(),
        2,
        "two priorities × one practice area × one evidence type"
    );
    let (status, _, body) = app
        .patch(
            "/api/v1/members/me",
            Some(&ai_author.token),
            None,
            &json!({"career_stage": "late", "region": "south_west", "job_title": "Lead OT"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_rollups_match_a_recount(&app, "a profile edit after submitting").await;
    app.submitted(&ai_author.token, &case_study("After the edit"))
        .await;
    assert_rollups_match_a_recount(&app, "a second submission after the edit").await;

    let revised = app.submitted(&reviser.token, &case_study("Revised")).await;
    let (claimed, _) = app.claim(&reviewer.token, &revised).await;
    assert_eq!(claimed, StatusCode::OK);
    let (reviewed, body) = app
        .review(&reviewer.token, &revised, "request_changes", 2)
        .await;
    assert_eq!(reviewed, StatusCode::CREATED, "{body}");
    assert_rollups_match_a_recount(&app, "a review asking for changes").await;

    let (_, headers, _) = app
        .get(
            &format!("/api/v1/submissions/{revised}"),
            Some(&reviser.token),
        )
        .await;
    let etag = headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    let (status, _, body) = app
        .patch(
            &format!("/api/v1/submissions/{revised}"),
            Some(&reviser.token),
            Some(&etag),
            &json!({
                "priorities": ["value_and_impact", "retention_and_career"],
                "practice_areas": ["mental_health", "primary_care"],
                "topics": ["ai_digital_healthcare"],
                "impact_evidence": [{"evidence_type": "social", "description": "Stories"}],
                "nation": "wales",
                "region": null
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_rollups_match_a_recount(&app, "retagging work that is counted").await;

    let (resubmitted, body) = app.submit(&reviser.token, &revised).await;
    assert_eq!(resubmitted, StatusCode::OK, "{body}");
    let (claimed, _) = app.claim(&reviewer.token, &revised).await;
    assert_eq!(claimed, StatusCode::OK);
    let (published, body) = app.review(&reviewer.token, &revised, "publish", 5).await;
    assert_eq!(published, StatusCode::CREATED, "{body}");
    assert_rollups_match_a_recount(&app, "publishing with a new score").await;

    let gone = app
        .submitted(&withdrawer.token, &case_study("Withdrawn"))
        .await;
    assert_rollups_match_a_recount(&app, "a second submitter").await;
    let (withdrawn, body) = app.withdraw(&withdrawer.token, &gone).await;
    assert_eq!(withdrawn, StatusCode::OK, "{body}");
    assert_rollups_match_a_recount(&app, "a withdrawal").await;

    let mut citing = case_study("Citing");
    citing["evidence_sources"] = json!([{"submission_id": revised}]);
    let rejected = app.submitted(&citer.token, &citing).await;
    let (claimed, _) = app.claim(&reviewer.token, &rejected).await;
    assert_eq!(claimed, StatusCode::OK);
    let (decided, body) = app.review(&reviewer.token, &rejected, "reject", 1).await;
    assert_eq!(decided, StatusCode::CREATED, "{body}");
    assert_rollups_match_a_recount(&app, "a rejected citing submission").await;

    let (erased, _, _) = app.erase(&ai_author.token).await;
    assert_eq!(erased, StatusCode::NO_CONTENT);
    assert_rollups_match_a_recount(&app, "erasing a submitter").await;
}
