//! Business cases and idea clinics: a fourth kind of submission with its own
//! sections, clinics held by admins, and the panel's view of each case
//! presented, seen by the case's author.

use hub_tests::{TestApp, TestMember, business_case, case_study, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn days_from_today(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

fn named(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .expect("a validation problem lists its errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().expect("field").to_owned(),
                e["code"].as_str().expect("code").to_owned(),
            )
        })
        .collect()
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let (status, _, answer) = app.post(path, Some(token), body).await;
    (status, answer)
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let (status, _, answer) = app.get(path, Some(token)).await;
    (status, answer)
}

/// A clinic held `days` from today; its id.
async fn clinic(app: &TestApp, admin: &TestMember, title: &str, days: i64) -> String {
    let (status, created) = post(
        app,
        &admin.token,
        "/api/v1/idea-clinics",
        &json!({"title": title, "held_on": days_from_today(days), "nation": "england", "region": "north_west"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().expect("id").to_owned()
}

fn panel(submission: &str) -> Value {
    json!({
        "submission_id": submission,
        "feasibility": "high",
        "adoption_likelihood": 4,
        "panel_notes": "Strong economic case; start with one network."
    })
}

#[tokio::test]
async fn a_business_case_has_its_own_sections_and_needs_economic_evidence_to_submit() {
    let app = spawn_app().await;
    let author = app.member().await;
    let mut without_evidence = business_case("Falls clinic posts");
    without_evidence["impact_evidence"] = json!([]);
    let draft = app
        .create_submission(&author.token, &without_evidence)
        .await;
    let draft_id = draft["id"].as_str().expect("id");

    let (refused, problem) = app.submit(&author.token, draft_id).await;
    let id = app
        .submitted(&author.token, &business_case("Falls clinic posts"))
        .await;
    let (_, view) = get(&app, &author.token, &format!("/api/v1/submissions/{id}")).await;
    let mut misplaced = case_study("Asks for money");
    misplaced["sections"]["ask"] = json!("Fund it");
    let (wrong_kind, _, wrong) = app
        .post("/api/v1/submissions", Some(&author.token), &misplaced)
        .await;

    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        named(&problem),
        vec![(
            "impact_evidence".into(),
            "economic_evidence_required".into()
        )]
    );
    assert_eq!(view["kind"], "business_case");
    assert_eq!(view["status"], "submitted");
    assert_eq!(
        view["sections"]["ask"],
        "Fund two band 7 OT posts for two years"
    );
    assert_eq!(wrong_kind, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
    assert_eq!(
        named(&wrong),
        vec![("sections.ask".into(), "not_applicable".into())]
    );
}

#[tokio::test]
async fn admins_hold_clinics_and_members_see_those_held() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let member = app.member().await;
    let held = clinic(&app, &admin, "Held last week", -7).await;
    let planned = clinic(&app, &admin, "Planned next month", 30).await;

    let (by_member, refused) = post(
        &app,
        &member.token,
        "/api/v1/idea-clinics",
        &json!({"title": "Mine", "held_on": days_from_today(0), "nation": "england"}),
    )
    .await;
    let (bad_place, problem) = post(
        &app,
        &admin.token,
        "/api/v1/idea-clinics",
        &json!({"title": "Misplaced", "held_on": days_from_today(0), "nation": "scotland", "region": "london"}),
    )
    .await;
    let (_, members_see) = get(&app, &member.token, "/api/v1/idea-clinics").await;
    let (_, admins_see) = get(&app, &admin.token, "/api/v1/idea-clinics").await;
    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_owned())
            .collect()
    };

    assert_eq!(by_member, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(bad_place, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        named(&problem),
        vec![("region".into(), "region_outside_nation".into())]
    );
    assert!(ids(&members_see).contains(&held));
    assert!(!ids(&members_see).contains(&planned));
    assert!(ids(&admins_see).contains(&held));
    assert!(ids(&admins_see).contains(&planned));
}

#[tokio::test]
async fn a_presented_case_shows_the_panel_view_to_its_author_and_reviewers_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let stranger = app.member().await;
    let clinic_id = clinic(&app, &admin, "Spring clinic", 0).await;
    let case = app
        .submitted(&author.token, &business_case("Falls clinic posts"))
        .await;

    let (status, created) = post(
        &app,
        &admin.token,
        &format!("/api/v1/idea-clinics/{clinic_id}/presentations"),
        &panel(&case),
    )
    .await;
    let path = format!("/api/v1/submissions/{case}/presentations");
    let (by_author, seen) = get(&app, &author.token, &path).await;
    let (by_reviewer, _) = get(&app, &reviewer.token, &path).await;
    let (by_stranger, _) = get(&app, &stranger.token, &path).await;
    let (_, authors_feed) = get(&app, &author.token, "/api/v1/events?limit=200").await;
    let (_, strangers_feed) = get(&app, &stranger.token, "/api/v1/events?limit=200").await;
    let presented = |feed: &Value| {
        feed["items"]
            .as_array()
            .expect("a feed page")
            .iter()
            .any(|e| e["submission_id"] == case.as_str() && e["type"] == "submission.presented")
    };

    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(by_author, StatusCode::OK, "{seen}");
    assert_eq!(seen[0]["feasibility"], "high");
    assert_eq!(seen[0]["adoption_likelihood"], 4);
    assert_eq!(
        seen[0]["panel_notes"],
        "Strong economic case; start with one network."
    );
    assert_eq!(seen[0]["clinic_title"], "Spring clinic");
    assert_eq!(by_reviewer, StatusCode::OK);
    assert_eq!(by_stranger, StatusCode::NOT_FOUND);
    assert!(presented(&authors_feed), "{authors_feed}");
    assert!(!presented(&strangers_feed), "{strangers_feed}");
}

#[tokio::test]
async fn a_published_case_is_read_by_all_but_its_panel_view_stays_with_the_workflow() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let reader = app.member().await;
    let clinic_id = clinic(&app, &admin, "Summer clinic", 0).await;
    let case = app
        .published(&author, &reviewer, &business_case("Published case"))
        .await;
    let (status, created) = post(
        &app,
        &admin.token,
        &format!("/api/v1/idea-clinics/{clinic_id}/presentations"),
        &panel(&case),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");

    let (by_reader, refused) = get(
        &app,
        &reader.token,
        &format!("/api/v1/submissions/{case}/presentations"),
    )
    .await;
    let (_, feed) = get(&app, &reader.token, "/api/v1/events?limit=200").await;

    assert_eq!(by_reader, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        feed["items"]
            .as_array()
            .expect("a feed page")
            .iter()
            .any(|e| e["submission_id"] == case.as_str() && e["type"] == "submission.presented"),
        "{feed}"
    );
}

#[tokio::test]
async fn a_presentation_is_refused_for_anything_but_a_submitted_business_case_once_per_clinic() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    let clinic_id = clinic(&app, &admin, "Autumn clinic", 0).await;
    let path = format!("/api/v1/idea-clinics/{clinic_id}/presentations");
    let case = app
        .submitted(&author.token, &business_case("Falls clinic posts"))
        .await;
    let draft = app
        .create_submission(&author.token, &business_case("Draft case"))
        .await;
    let draft_id = draft["id"].as_str().expect("id").to_owned();
    let study = app
        .submitted(&author.token, &case_study("Not a business case"))
        .await;

    let (first, created) = post(&app, &admin.token, &path, &panel(&case)).await;
    let (again, duplicate) = post(&app, &admin.token, &path, &panel(&case)).await;
    let (on_draft, draft_problem) = post(&app, &admin.token, &path, &panel(&draft_id)).await;
    let (on_study, study_problem) = post(&app, &admin.token, &path, &panel(&study)).await;
    let mut unlikely = panel(&case);
    unlikely["adoption_likelihood"] = json!(6);
    let (out_of_range, range_problem) = post(&app, &admin.token, &path, &unlikely).await;
    let (by_author, _) = post(&app, &author.token, &path, &panel(&case)).await;
    let (no_clinic, _) = post(
        &app,
        &admin.token,
        &format!(
            "/api/v1/idea-clinics/{}/presentations",
            uuid::Uuid::new_v4()
        ),
        &panel(&case),
    )
    .await;

    assert_eq!(first, StatusCode::CREATED, "{created}");
    assert_eq!(again, StatusCode::CONFLICT, "{duplicate}");
    assert_eq!(duplicate["code"], "already_presented");
    for (status, problem) in [(on_draft, draft_problem), (on_study, study_problem)] {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(
            named(&problem),
            vec![(
                "submission_id".into(),
                "not_a_presentable_business_case".into()
            )]
        );
    }
    assert_eq!(
        out_of_range,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{range_problem}"
    );
    assert_eq!(
        named(&range_problem),
        vec![("adoption_likelihood".into(), "out_of_range".into())]
    );
    assert_eq!(by_author, StatusCode::FORBIDDEN);
    assert_eq!(no_clinic, StatusCode::NOT_FOUND);
}
