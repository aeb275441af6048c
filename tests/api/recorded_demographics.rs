//! The summary counts people by the demographics recorded with their work at
//! its first submit, so an ended quarter's figures never change when someone
//! edits their profile; erasing a member clears what was recorded.

use domain::quarter::Quarter;
use hub_tests::{TestApp, TestMember, case_study, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

async fn profile(app: &TestApp, member: &TestMember, demographics: Value) {
    let (status, _, body) = app
        .patch(
            "/api/v1/members/me",
            Some(&member.token),
            None,
            &demographics,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn summary(app: &TestApp, admin: &TestMember, quarter: &str) -> Value {
    let (status, _, body) = app
        .get(
            &format!("/api/v1/reports/quarterly/{quarter}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// People by `dimension` in the community section: value → shown count.
fn people(report: &Value, dimension: &str) -> BTreeMap<String, Option<i64>> {
    report["community"]["submitters_by"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["dimension"] == dimension)
        .map(|b| {
            b["rows"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["count"] != 0)
                .map(|r| (r["key"].as_str().unwrap().to_owned(), r["count"].as_i64()))
                .collect()
        })
        .unwrap_or_else(|| panic!("no {dimension} in {report}"))
}

fn this_quarter() -> String {
    Quarter::calendar_containing(chrono::Utc::now()).to_string()
}

async fn recorded(app: &TestApp, member: &TestMember) -> Vec<Value> {
    let (status, _, export) = app
        .get("/api/v1/members/me/export", Some(&member.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{export}");
    export["recorded_demographics"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_ended_quarters_people_do_not_change_when_a_profile_does() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut members = Vec::new();
    for i in 0..5 {
        let member = app.member().await;
        profile(
            &app,
            &member,
            json!({"career_stage": "mid", "nation": "scotland", "region": "scottish_western"}),
        )
        .await;
        let id = app
            .submitted(&member.token, &case_study(&format!("Q3 work {i}")))
            .await;
        app.backdate(&id, &format!("2025-08-0{}T09:00:00Z", i + 1))
            .await;
        members.push(member);
    }
    let before = summary(&app, &admin, "2025-Q3").await;
    assert_eq!(people(&before, "region")["scottish_western"], Some(5));
    assert_eq!(people(&before, "career_stage")["mid"], Some(5));

    for member in &members {
        profile(
            &app,
            member,
            json!({"career_stage": "early", "nation": "england", "region": "london"}),
        )
        .await;
    }
    let after = summary(&app, &admin, "2025-Q3").await;
    assert_eq!(
        after["community"]["submitters_by"], before["community"]["submitters_by"],
        "editing profiles leaves an ended quarter's people alone"
    );
    assert_eq!(
        after["ai_digital"]["submitters_by"],
        before["ai_digital"]["submitters_by"]
    );

    // A later submission in the same quarter, made after the edit, records
    // the new region, but the submitter's earliest submission there counts.
    let later = app
        .submitted(&members[0].token, &case_study("Later Q3 work"))
        .await;
    app.backdate(&later, "2025-09-20T09:00:00Z").await;
    let again = summary(&app, &admin, "2025-Q3").await;
    assert_eq!(again["community"]["distinct_submitters"]["count"], 5);
    assert_eq!(
        again["community"]["submitters_by"], before["community"]["submitters_by"],
        "each submitter counts once, by their earliest submission in the quarter"
    );

    // New work after the edit counts the new demographics in its quarter.
    for (i, member) in members.iter().enumerate() {
        app.submitted(&member.token, &case_study(&format!("New work {i}")))
            .await;
    }
    let now = summary(&app, &admin, &this_quarter()).await;
    assert_eq!(people(&now, "region").get("london"), Some(&Some(5)));
    assert_eq!(people(&now, "region").get("scottish_western"), None);
    assert_eq!(people(&now, "career_stage").get("early"), Some(&Some(5)));
    assert_eq!(
        summary(&app, &admin, "2025-Q3").await["community"]["submitters_by"],
        before["community"]["submitters_by"]
    );
}

#[tokio::test]
async fn the_first_submit_is_recorded_and_erasure_clears_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let reviewer = app.reviewer().await;
    let mut members = Vec::new();
    let mut ids = Vec::new();
    let mut first = None;
    for i in 0..5 {
        let member = app.member().await;
        profile(
            &app,
            &member,
            json!({"sector": "statutory", "job_title": "Band 6 OT", "nation": "england", "region": "london"}),
        )
        .await;
        let id = app
            .submitted(&member.token, &case_study(&format!("Work {i}")))
            .await;
        first.get_or_insert(id.clone());
        ids.push(id);
        members.push(member);
    }
    let first = first.unwrap();

    // Changes requested, the profile edited, then submitted again: the first
    // record stays.
    let (claimed, body) = app.claim(&reviewer.token, &first).await;
    assert_eq!(claimed, StatusCode::OK, "{body}");
    let (reviewed, body) = app
        .review(&reviewer.token, &first, "request_changes", 2)
        .await;
    assert_eq!(reviewed, StatusCode::CREATED, "{body}");
    profile(&app, &members[0], json!({"region": "south_east"})).await;
    let (resubmitted, body) = app.submit(&members[0].token, &first).await;
    assert_eq!(resubmitted, StatusCode::OK, "{body}");
    let records = recorded(&app, &members[0]).await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["submission_id"], first.as_str());
    assert_eq!(
        records[0]["demographics"],
        json!({"career_stage": null, "level_of_practice": null, "sector": "statutory",
               "job_title": "Band 6 OT", "nation": "england", "region": "london"})
    );
    let quarter = this_quarter();
    assert_eq!(
        people(&summary(&app, &admin, &quarter).await, "region")["london"],
        Some(5)
    );

    // Decided work is kept through erasure (work still in review would be
    // withdrawn, and no longer counted).
    for id in &ids {
        let (claimed, body) = app.claim(&reviewer.token, id).await;
        assert_eq!(claimed, StatusCode::OK, "{body}");
        let (reviewed, body) = app.review(&reviewer.token, id, "reject", 2).await;
        assert_eq!(reviewed, StatusCode::CREATED, "{body}");
    }
    for member in &members {
        let (erased, _, body) = app.erase(&member.token).await;
        assert_eq!(erased, StatusCode::NO_CONTENT, "{body}");
    }
    let report = summary(&app, &admin, &quarter).await;
    assert_eq!(report["community"]["distinct_submitters"]["count"], 5);
    for dimension in ["sector", "nation", "region"] {
        assert_eq!(
            people(&report, dimension),
            BTreeMap::from([(domain::member::NOT_STATED.to_owned(), Some(5))]),
            "{dimension}: erased members' retained work counts them as not stated"
        );
    }
}
