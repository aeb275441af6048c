//! Follow-up of recommendations: dated within the submission's life, moved
//! backwards only with a reason, and counted once per recommendation.

use hub_tests::{TestApp, TestMember, case_study, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A published case study with `recommendations`, first submitted at `at`;
/// its id and the recommendations' ids.
async fn published_at(
    app: &TestApp,
    author: &TestMember,
    reviewer: &TestMember,
    recommendations: Value,
    at: &str,
) -> (String, Vec<String>) {
    let mut body = case_study("Recommendations to follow up");
    body["recommendations"] = recommendations;
    let id = app.published(author, reviewer, &body).await;
    app.backdate(&id, at).await;
    (id.clone(), recommendation_ids(app, author, &id).await)
}

async fn recommendation_ids(app: &TestApp, author: &TestMember, id: &str) -> Vec<String> {
    let (status, _, view) = app
        .get(&format!("/api/v1/submissions/{id}"), Some(&author.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["recommendations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn follow_up(
    app: &TestApp,
    token: &str,
    id: &str,
    rid: &str,
    body: Value,
) -> (StatusCode, Value) {
    let (status, _, answer) = app
        .post(
            &format!("/api/v1/submissions/{id}/recommendations/{rid}/events"),
            Some(token),
            &body,
        )
        .await;
    (status, answer)
}

fn named(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_follow_up_is_dated_from_the_first_submission_to_today() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let (id, rids) = published_at(
        &app,
        &author,
        &reviewer,
        json!([{"text": "Offer first-contact OT", "adoption_status": "proposed"}]),
        "2025-03-10T09:00:00Z",
    )
    .await;
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();
    let report = |on: &str| json!({"adoption_status": "adopted_locally", "occurred_on": on});

    let (in_1990, in_1990_body) =
        follow_up(&app, &author.token, &id, &rids[0], report("1990-01-01")).await;
    let (day_before, day_before_body) =
        follow_up(&app, &author.token, &id, &rids[0], report("2025-03-09")).await;
    let (future, future_body) =
        follow_up(&app, &author.token, &id, &rids[0], report(&tomorrow)).await;
    let (same_day, same_day_body) =
        follow_up(&app, &author.token, &id, &rids[0], report("2025-03-10")).await;

    assert_eq!(in_1990, StatusCode::UNPROCESSABLE_ENTITY, "{in_1990_body}");
    assert_eq!(
        named(&in_1990_body),
        [("occurred_on".to_owned(), "before_submission".to_owned())]
    );
    assert_eq!(day_before, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        named(&day_before_body),
        [("occurred_on".to_owned(), "before_submission".to_owned())]
    );
    assert_eq!(future, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        named(&future_body),
        [("occurred_on".to_owned(), "in_future".to_owned())]
    );
    assert_eq!(same_day, StatusCode::CREATED, "{same_day_body}");
    assert_eq!(same_day_body["occurred_on"], "2025-03-10");
    let (_, _, in_1990_summary) = app
        .get(
            "/api/v1/reports/quarterly/1990-Q1",
            Some(&app.admin().await.token),
        )
        .await;
    assert_eq!(
        in_1990_summary["recommendations"]["investments_reported"]["count"],
        0
    );
    assert!(
        in_1990_summary["recommendations"]["adoption_reported"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["count"] == 0),
        "{in_1990_summary}"
    );
}

#[tokio::test]
async fn moving_a_status_backwards_needs_a_reason_and_is_shown_as_such() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let (id, rids) = published_at(
        &app,
        &author,
        &reviewer,
        json!([{"text": "Run falls huddles", "adoption_status": "adopted_locally"}]),
        "2025-03-01T09:00:00Z",
    )
    .await;
    let rid = &rids[0];

    let (before_written, before_written_body) = follow_up(
        &app,
        &author.token,
        &id,
        rid,
        json!({"adoption_status": "proposed", "occurred_on": "2025-04-01"}),
    )
    .await;
    let (forward, forward_body) = follow_up(
        &app,
        &author.token,
        &id,
        rid,
        json!({"adoption_status": "rolled_out", "occurred_on": "2025-05-01"}),
    )
    .await;
    let (unexplained, unexplained_body) = follow_up(
        &app,
        &author.token,
        &id,
        rid,
        json!({"adoption_status": "adopted_by_partner", "occurred_on": "2025-06-01"}),
    )
    .await;
    let (explained, explained_body) = follow_up(
        &app,
        &author.token,
        &id,
        rid,
        json!({"adoption_status": "adopted_by_partner", "occurred_on": "2025-06-01", "reason": "The partner trust stopped the county-wide service"}),
    )
    .await;
    let (_, _, statuses) = app
        .get(
            &format!("/api/v1/submissions/{id}/recommendations"),
            Some(&author.token),
        )
        .await;

    assert_eq!(
        before_written,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the status written in the submission is the first report: {before_written_body}"
    );
    assert_eq!(
        named(&before_written_body),
        [("reason".to_owned(), "required".to_owned())]
    );
    assert_eq!(forward, StatusCode::CREATED, "{forward_body}");
    assert_eq!(forward_body["moved_back"], false);
    assert_eq!(unexplained, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        named(&unexplained_body),
        [("reason".to_owned(), "required".to_owned())]
    );
    assert_eq!(explained, StatusCode::CREATED, "{explained_body}");
    assert_eq!(explained_body["moved_back"], true);
    assert_eq!(explained_body["moved_back_from"], "rolled_out");
    assert_eq!(
        explained_body["reason"],
        "The partner trust stopped the county-wide service"
    );
    let status = &statuses[0];
    assert_eq!(status["original_adoption_status"], "adopted_locally");
    assert_eq!(status["adoption_status"], "adopted_by_partner");
    assert_eq!(status["moved_back"]["id"], explained_body["id"]);
    assert_eq!(status["moved_back"]["moved_back_from"], "rolled_out");
    let events = status["events"].as_array().cloned().unwrap();
    let moved: Vec<(&str, bool)> = events
        .iter()
        .map(|e| {
            (
                e["adoption_status"].as_str().unwrap(),
                e["moved_back"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(moved, [("rolled_out", false), ("adopted_by_partner", true)]);
}

fn adoption(report: &Value) -> Vec<(String, i64, i64)> {
    report["recommendations"]["adoption_reported"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["count"].as_i64().unwrap(),
                r["previous_quarter"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_summary_counts_each_recommendation_once_by_its_latest_status() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let admin = app.admin().await;
    // Published in 2025-Q2 with two recommendations; the first written as
    // adopted locally with investment, then reported twice in 2025-Q3.
    let (published, rids) = published_at(
        &app,
        &author,
        &reviewer,
        json!([
            {"text": "Offer first-contact OT", "adoption_status": "adopted_locally", "reported_investment_pence": 1000},
            {"text": "Share the clinic template", "adoption_status": "proposed"}
        ]),
        "2025-05-10T09:00:00Z",
    )
    .await;
    for body in [
        json!({"adoption_status": "adopted_by_partner", "occurred_on": "2025-07-10"}),
        json!({"adoption_status": "rolled_out", "occurred_on": "2025-08-10"}),
        json!({"investment_pence": 500, "investor": "ICB", "occurred_on": "2025-08-11"}),
    ] {
        let (status, answer) = follow_up(&app, &author.token, &published, &rids[0], body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    // Submitted in 2025-Q3 (not yet published): its written status and
    // investment are its first report.
    let mut submitted = case_study("Submitted with a recommendation");
    submitted["recommendations"] = json!([{"text": "Partner clinics", "adoption_status": "adopted_by_partner", "reported_investment_pence": 2000}]);
    let submitted = app.submitted(&author.token, &submitted).await;
    app.backdate(&submitted, "2025-08-01T09:00:00Z").await;
    // Withdrawn in 2025-Q3: not counted.
    let mut withdrawn = case_study("Withdrawn with a recommendation");
    withdrawn["recommendations"] = json!([{"text": "Never mind", "adoption_status": "rolled_out", "reported_investment_pence": 9000}]);
    let withdrawn = app.submitted(&author.token, &withdrawn).await;
    app.backdate(&withdrawn, "2025-08-02T09:00:00Z").await;
    let (status, answer) = app.withdraw(&author.token, &withdrawn).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let (status, _, q3) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&admin.token))
        .await;
    let (_, _, q4) = app
        .get("/api/v1/reports/quarterly/2025-Q4", Some(&admin.token))
        .await;

    assert_eq!(status, StatusCode::OK, "{q3}");
    let row = |key: &str, count: i64, previous: i64| (key.to_owned(), count, previous);
    assert_eq!(
        adoption(&q3),
        [
            row("proposed", 1, 1),
            row("adopted_locally", 0, 1),
            row("adopted_by_partner", 1, 0),
            row("rolled_out", 1, 0),
        ],
        "each recommendation once, by its latest status as of the quarter's end"
    );
    assert_eq!(
        adoption(&q4),
        [
            row("proposed", 1, 1),
            row("adopted_locally", 0, 0),
            row("adopted_by_partner", 1, 1),
            row("rolled_out", 1, 1),
        ],
        "a later quarter without reports still counts them as they stand"
    );
    let recommendations = &q3["recommendations"];
    assert_eq!(recommendations["investments_reported"]["count"], 2);
    assert_eq!(recommendations["investment_pence"]["count"], 2500);
    assert_eq!(
        recommendations["investments_reported"]["previous_quarter"],
        1
    );
    assert_eq!(
        recommendations["investment_pence"]["previous_quarter"],
        1000
    );
    assert!(
        q3["counting_rule"]
            .as_str()
            .is_some_and(|rule| rule.contains("each once, by its latest adoption status")),
        "{}",
        q3["counting_rule"]
    );

    // The adoption rollup that the follow-ups and the withdrawal kept in
    // step gives what a recount of the base tables gives, in the quarters
    // before, between and after the reports; so does the rollup counted
    // again from the base tables.
    let db = persistence::connect(&app.database_url, 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let reports = persistence::SeaReportRepository::new(db.connection);
    let quarters = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"];
    for quarter in quarters {
        let quarter = quarter.parse().unwrap_or_else(|e| panic!("{e:?}"));
        hub_tests::rollups_equal_recount(&reports, quarter, &format!("kept, {quarter}")).await;
    }
    app.recount_rollups().await;
    for quarter in quarters {
        let quarter = quarter.parse().unwrap_or_else(|e| panic!("{e:?}"));
        hub_tests::rollups_equal_recount(&reports, quarter, &format!("rebuilt, {quarter}")).await;
    }
}

#[tokio::test]
async fn follow_ups_racing_each_other_keep_the_rollups_equal_to_a_recount() {
    // Each follow-up reads what its submission counts for before and after
    // it writes; two at once on the same recommendation must not both read
    // the state before the other.
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let (id, rids) = published_at(
        &app,
        &author,
        &reviewer,
        json!([
            {"text": "Offer first-contact OT", "adoption_status": "proposed"},
            {"text": "Share the clinic template", "adoption_status": "adopted_locally"}
        ]),
        "2025-02-10T09:00:00Z",
    )
    .await;
    let days = [
        "2025-02-11",
        "2025-04-02",
        "2025-07-03",
        "2025-10-04",
        "2026-01-05",
    ];
    let statuses = [
        "adopted_locally",
        "rolled_out",
        "adopted_by_partner",
        "proposed",
    ];
    let mut reports = Vec::new();
    for (i, rid) in rids.iter().enumerate() {
        for (j, day) in days.iter().enumerate() {
            let body = json!({
                "adoption_status": statuses[(i + j) % statuses.len()],
                "occurred_on": day,
                "reason": "The team reported a change"
            });
            reports.push(follow_up(&app, &author.token, &id, rid, body));
        }
    }
    for (status, answer) in futures_util::future::join_all(reports).await {
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }

    let db = persistence::connect(&app.database_url, 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let reports = persistence::SeaReportRepository::new(db.connection);
    let mut counted = Vec::new();
    for quarter in ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"] {
        let quarter = quarter.parse().unwrap_or_else(|e| panic!("{e:?}"));
        let figures =
            hub_tests::rollups_equal_recount(&reports, quarter, &format!("{quarter}")).await;
        counted.push(figures.adoption_reported.values().sum::<i64>());
    }
    assert_eq!(
        counted,
        [2, 2, 2, 2, 2],
        "each recommendation once a quarter"
    );
}
