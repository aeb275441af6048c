//! Spread beyond the author: adoptions reported by other organisations and
//! inclusions in national and regional reports, each with its refusals, its
//! visibility, its audit entry and its event in the change feed.

use hub_tests::{TestApp, TestMember, case_study, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

fn days_from_today(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

fn adoption() -> Value {
    json!({
        "organisation": "Northshire Community NHS Trust",
        "organisation_type": "nhs_trust",
        "nation": "england",
        "region": "north_west",
        "adopted_on": today(),
        "investment_pence": 4500000,
        "notes": "Rolled out to both teams."
    })
}

fn inclusion() -> Value {
    json!({
        "report_title": "Allied health professions in the North West",
        "scope": "regional",
        "nation": "england",
        "region": "north_west",
        "published_on": today(),
        "url": "https://example.org/reports/ahp-north-west.pdf"
    })
}

/// The fields and codes a problem names.
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

/// Published work by `author`, with one recommendation; its id.
async fn published(app: &TestApp, author: &TestMember) -> String {
    let reviewer = app.reviewer().await;
    let mut body = case_study("Spread to others");
    body["recommendations"] =
        json!([{"text": "Offer first-contact OT", "adoption_status": "adopted_locally"}]);
    app.published(author, &reviewer, &body).await
}

fn feed_types(page: &Value, id: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("a feed page")
        .iter()
        .filter(|e| e["submission_id"] == id)
        .map(|e| e["type"].as_str().expect("type").to_owned())
        .collect()
}

#[tokio::test]
async fn a_partner_reports_adoption_and_everyone_who_sees_the_work_sees_it() {
    let app = spawn_app().await;
    let author = app.member().await;
    let partner = app.member().await;
    let reader = app.member().await;
    let admin = app.admin().await;
    let id = published(&app, &author).await;
    let path = format!("/api/v1/submissions/{id}/adoptions");

    let (status, created) = post(&app, &partner.token, &path, &adoption()).await;

    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["organisation_type"], "nhs_trust");
    assert_eq!(created["reported_by"], partner.id.to_string());
    assert_eq!(created["investment_pence"], 4500000);
    for viewer in [&reader, &author, &partner] {
        let (status, list) = get(&app, &viewer.token, &path).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        assert_eq!(list[0]["id"], created["id"]);
    }
    let (status, feed) = get(&app, &reader.token, "/api/v1/events?limit=200").await;
    assert_eq!(status, StatusCode::OK, "{feed}");
    assert!(
        feed_types(&feed, &id).contains(&"submission.adopted".to_owned()),
        "{feed}"
    );
    let (status, audit) = get(
        &app,
        &admin.token,
        &format!("/api/v1/audit?action=adoption_reported&target_id={id}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    assert_eq!(
        audit["items"][0]["actor_id"],
        partner.id.to_string(),
        "{audit}"
    );
}

#[tokio::test]
async fn a_recommendation_of_the_work_may_be_named_as_what_was_adopted() {
    let app = spawn_app().await;
    let author = app.member().await;
    let partner = app.member().await;
    let id = published(&app, &author).await;
    let (_, view) = get(&app, &author.token, &format!("/api/v1/submissions/{id}")).await;
    let rid = view["recommendations"][0]["id"].clone();
    let path = format!("/api/v1/submissions/{id}/adoptions");
    let mut body = adoption();
    body["recommendation_id"] = rid.clone();

    let (status, created) = post(&app, &partner.token, &path, &body).await;
    body["recommendation_id"] = json!(uuid::Uuid::new_v4());
    let (unknown, problem) = post(&app, &partner.token, &path, &body).await;

    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["recommendation_id"], rid);
    assert_eq!(unknown, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        named(&problem),
        vec![("recommendation_id".into(), "unknown_recommendation".into())]
    );
}

#[tokio::test]
async fn the_author_cannot_report_their_own_work_as_spread() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = published(&app, &author).await;

    let (status, problem) = post(
        &app,
        &author.token,
        &format!("/api/v1/submissions/{id}/adoptions"),
        &adoption(),
    )
    .await;

    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["code"], "own_work");
}

#[tokio::test]
async fn an_adoption_is_dated_from_publication_to_today_and_each_bad_field_is_named() {
    let app = spawn_app().await;
    let author = app.member().await;
    let partner = app.member().await;
    let id = published(&app, &author).await;
    let path = format!("/api/v1/submissions/{id}/adoptions");
    let cases = [
        ("adopted_on", json!(days_from_today(1)), "in_future"),
        (
            "adopted_on",
            json!(days_from_today(-2)),
            "before_publication",
        ),
        ("region", json!("wales"), "region_outside_nation"),
        ("nation", json!("atlantis"), "unknown_code"),
        ("organisation", json!(" "), "required"),
        ("investment_pence", json!(-5), "out_of_range"),
    ];

    for (field, value, code) in cases {
        let mut body = adoption();
        body[field] = value;
        let (status, problem) = post(&app, &partner.token, &path, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {problem}"
        );
        assert!(
            named(&problem).contains(&(field.to_owned(), code.to_owned())),
            "{field}: {problem}"
        );
    }
    let mut body = adoption();
    body["organisation_type"] = json!("guild");
    let (status, problem) = post(&app, &partner.token, &path, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem.to_string().contains("organisation_type"),
        "{problem}"
    );
}

#[tokio::test]
async fn unpublished_work_is_not_found_by_members_and_not_yet_spread_for_reviewers() {
    let app = spawn_app().await;
    let author = app.member().await;
    let partner = app.member().await;
    let reviewer = app.reviewer().await;
    let draft = app
        .create_submission(&author.token, &case_study("Not out yet"))
        .await;
    let draft_id = draft["id"].as_str().expect("id").to_owned();
    let submitted = app
        .submitted(&author.token, &case_study("In the queue"))
        .await;

    let (on_draft, _) = post(
        &app,
        &partner.token,
        &format!("/api/v1/submissions/{draft_id}/adoptions"),
        &adoption(),
    )
    .await;
    let (list_draft, _) = get(
        &app,
        &partner.token,
        &format!("/api/v1/submissions/{draft_id}/adoptions"),
    )
    .await;
    let (by_member, _) = post(
        &app,
        &partner.token,
        &format!("/api/v1/submissions/{submitted}/adoptions"),
        &adoption(),
    )
    .await;
    let (by_reviewer, problem) = post(
        &app,
        &reviewer.token,
        &format!("/api/v1/submissions/{submitted}/adoptions"),
        &adoption(),
    )
    .await;

    assert_eq!(on_draft, StatusCode::NOT_FOUND);
    assert_eq!(list_draft, StatusCode::NOT_FOUND);
    assert_eq!(by_member, StatusCode::NOT_FOUND);
    assert_eq!(by_reviewer, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "not_published");
}

#[tokio::test]
async fn admins_record_inclusions_in_reports_that_every_reader_sees() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reader = app.member().await;
    let admin = app.admin().await;
    let id = published(&app, &author).await;
    let path = format!("/api/v1/submissions/{id}/inclusions");

    let (regional, created) = post(&app, &admin.token, &path, &inclusion()).await;
    let (national, _) = post(
        &app,
        &admin.token,
        &path,
        &json!({"report_title": "The state of the profession", "scope": "national", "nation": "england", "published_on": today()}),
    )
    .await;
    let (by_member, refused) = post(&app, &reader.token, &path, &inclusion()).await;
    let (listed, list) = get(&app, &reader.token, &path).await;
    let (_, feed) = get(&app, &reader.token, "/api/v1/events?limit=200").await;

    assert_eq!(regional, StatusCode::CREATED, "{created}");
    assert_eq!(created["scope"], "regional");
    assert_eq!(national, StatusCode::CREATED);
    assert_eq!(by_member, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(listed, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    assert!(
        feed_types(&feed, &id).contains(&"submission.included".to_owned()),
        "{feed}"
    );
}

#[tokio::test]
async fn an_inclusion_names_each_bad_field() {
    let app = spawn_app().await;
    let author = app.member().await;
    let admin = app.admin().await;
    let id = published(&app, &author).await;
    let path = format!("/api/v1/submissions/{id}/inclusions");
    let cases = [
        ("region", json!(null), "required"),
        ("url", json!("ftp://example.org/report.pdf"), "invalid_url"),
        ("url", json!("/reports/relative.pdf"), "invalid_url"),
        ("published_on", json!(days_from_today(1)), "in_future"),
        ("report_title", json!(""), "required"),
    ];

    for (field, value, code) in cases {
        let mut body = inclusion();
        body[field] = value;
        let (status, problem) = post(&app, &admin.token, &path, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {problem}"
        );
        assert!(
            named(&problem).contains(&(field.to_owned(), code.to_owned())),
            "{field}: {problem}"
        );
    }
    let (status, problem) = post(
        &app,
        &admin.token,
        &path,
        &json!({"report_title": "National", "scope": "national", "region": "london", "published_on": today()}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        named(&problem),
        vec![("region".into(), "not_applicable".into())]
    );
}

#[tokio::test]
async fn only_published_work_is_recorded_as_included() {
    let app = spawn_app().await;
    let author = app.member().await;
    let admin = app.admin().await;
    let submitted = app
        .submitted(&author.token, &case_study("Still in review"))
        .await;
    let draft = app
        .create_submission(&author.token, &case_study("A draft"))
        .await;
    let draft_id = draft["id"].as_str().expect("id");

    let (in_queue, problem) = post(
        &app,
        &admin.token,
        &format!("/api/v1/submissions/{submitted}/inclusions"),
        &inclusion(),
    )
    .await;
    let (on_draft, _) = post(
        &app,
        &admin.token,
        &format!("/api/v1/submissions/{draft_id}/inclusions"),
        &inclusion(),
    )
    .await;

    assert_eq!(in_queue, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "not_published");
    assert_eq!(on_draft, StatusCode::NOT_FOUND);
}
