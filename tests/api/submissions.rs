use hub_tests::Answer;
use hub_tests::{TestApp, case_study, journey, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id_of(body: &Value) -> String {
    body["id"].as_str().unwrap().to_owned()
}

async fn etag_of(app: &TestApp, token: &str, id: &str) -> String {
    let (_, headers, _) = app
        .get(&format!("/api/v1/submissions/{id}"), Some(token))
        .await;
    headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn create_update_submit_withdraw_walks_the_lifecycle() {
    let app = spawn_app().await;
    let author = app.member().await;

    let (created_status, headers, created) = app
        .post(
            "/api/v1/submissions",
            Some(&author.token),
            &journey("Falls after discharge"),
        )
        .await;
    let id = id_of(&created);
    let (updated_status, update_headers, updated) = app
        .patch(
            &format!("/api/v1/submissions/{id}"),
            Some(&author.token),
            headers.get("etag").and_then(|v| v.to_str().ok()),
            &json!({"title": "Fewer falls after discharge"}),
        )
        .await;
    let (submitted_status, submitted) = app.submit(&author.token, &id).await;
    let (withdrawn_status, withdrawn) = app.withdraw(&author.token, &id).await;

    assert_eq!(created_status, StatusCode::CREATED);
    assert_eq!(
        headers["location"],
        format!("/api/v1/submissions/{id}").as_str()
    );
    assert_eq!(created["status"], "draft");
    assert_eq!(headers["etag"], "\"1\"");
    assert_eq!(updated_status, StatusCode::OK, "{updated}");
    assert_eq!(updated["title"], "Fewer falls after discharge");
    assert_eq!(update_headers["etag"], "\"2\"");
    assert_eq!(submitted_status, StatusCode::OK, "{submitted}");
    assert_eq!(submitted["status"], "submitted");
    assert!(submitted["submitted_at"].is_string());
    assert!(
        submitted["completeness"]["score"]
            .as_f64()
            .is_some_and(|s| s > 0.0 && s < 1.0)
    );
    assert!(
        submitted["completeness"]["missing"]
            .as_array()
            .is_some_and(|m| m.iter().any(|i| i == "ethics"))
    );
    assert_eq!(withdrawn_status, StatusCode::OK);
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(withdrawn["submitted_at"], submitted["submitted_at"]);
}

#[tokio::test]
async fn illegal_transitions_are_409_with_the_current_status() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = id_of(
        &app.create_submission(&author.token, &case_study("Twice"))
            .await,
    );

    let (draft_withdraw, draft_body) = app.withdraw(&author.token, &id).await;
    app.submit(&author.token, &id)
        .await
        .expect_status(StatusCode::OK);
    let (again, again_body) = app.submit(&author.token, &id).await;

    assert_eq!(draft_withdraw, StatusCode::CONFLICT);
    assert_eq!(draft_body["current_status"], "draft");
    assert_eq!(again, StatusCode::CONFLICT);
    assert_eq!(again_body["current_status"], "submitted");
    assert_eq!(again_body["code"], "illegal_transition");
}

#[tokio::test]
async fn submitting_an_incomplete_draft_names_what_is_missing() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = id_of(
        &app.create_submission(
            &author.token,
            &json!({"kind": "improvement_journey", "title": "Just a title"}),
        )
        .await,
    );

    let (status, body) = app.submit(&author.token, &id).await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(fields.contains(&"priorities"));
    assert!(fields.contains(&"sections.why_we_started.problem"));
    assert!(fields.contains(&"summary"));
    let (_, _, still) = app
        .get(&format!("/api/v1/submissions/{id}"), Some(&author.token))
        .await;
    assert_eq!(still["status"], "draft");
}

#[tokio::test]
async fn updates_need_if_match_and_refuse_stale_versions() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = id_of(
        &app.create_submission(&author.token, &case_study("Versions"))
            .await,
    );
    let path = format!("/api/v1/submissions/{id}");

    let (without, _, without_body) = app
        .patch(&path, Some(&author.token), None, &json!({"title": "A"}))
        .await;
    let (first, _, _) = app
        .patch(
            &path,
            Some(&author.token),
            Some("\"1\""),
            &json!({"title": "B"}),
        )
        .await;
    let (stale, _, stale_body) = app
        .patch(
            &path,
            Some(&author.token),
            Some("\"1\""),
            &json!({"title": "C"}),
        )
        .await;
    let (_, _, current) = app.get(&path, Some(&author.token)).await;

    assert_eq!(without, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(without_body["code"], "precondition_required");
    assert_eq!(first, StatusCode::OK);
    assert_eq!(stale, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale_body["current_version"], 2);
    assert_eq!(current["title"], "B");
}

#[tokio::test]
async fn get_honours_if_none_match() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = id_of(
        &app.create_submission(&author.token, &case_study("Cached"))
            .await,
    );

    let (status, _, _) = app
        .send(
            app.request(
                Method::GET,
                &format!("/api/v1/submissions/{id}"),
                Some(&author.token),
            )
            .header("if-none-match", "\"1\""),
        )
        .await;

    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn submitted_work_cannot_be_edited_or_deleted() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = id_of(
        &app.create_submission(&author.token, &case_study("Locked"))
            .await,
    );
    app.submit(&author.token, &id)
        .await
        .expect_status(StatusCode::OK);
    let tag = etag_of(&app, &author.token, &id).await;

    let (edit, _, edit_body) = app
        .patch(
            &format!("/api/v1/submissions/{id}"),
            Some(&author.token),
            Some(&tag),
            &json!({"title": "late"}),
        )
        .await;
    let (delete, _, _) = app
        .delete(&format!("/api/v1/submissions/{id}"), Some(&author.token))
        .await;

    assert_eq!(edit, StatusCode::CONFLICT);
    assert_eq!(edit_body["current_status"], "submitted");
    assert_eq!(delete, StatusCode::CONFLICT);
}

#[tokio::test]
async fn authors_delete_their_drafts() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = id_of(
        &app.create_submission(&author.token, &case_study("Gone"))
            .await,
    );

    let (deleted, _, _) = app
        .delete(&format!("/api/v1/submissions/{id}"), Some(&author.token))
        .await;
    let (after, _, _) = app
        .get(&format!("/api/v1/submissions/{id}"), Some(&author.token))
        .await;

    assert_eq!(deleted, StatusCode::NO_CONTENT);
    assert_eq!(after, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_members_draft_is_404_on_every_operation() {
    let app = spawn_app().await;
    let author = app.member().await;
    let other = app.member().await;
    let id = id_of(
        &app.create_submission(&author.token, &case_study("Private draft"))
            .await,
    );
    let path = format!("/api/v1/submissions/{id}");

    let (get, _, _) = app.get(&path, Some(&other.token)).await;
    let (update, _, _) = app
        .patch(
            &path,
            Some(&other.token),
            Some("\"1\""),
            &json!({"title": "hijack"}),
        )
        .await;
    let (delete, _, _) = app.delete(&path, Some(&other.token)).await;
    let (submit, _) = app.submit(&other.token, &id).await;
    let (withdraw, _) = app.withdraw(&other.token, &id).await;
    let (reviewer_get, _, _) = app.get(&path, Some(&app.reviewer().await.token)).await;
    let (_, _, list) = app.get("/api/v1/submissions", Some(&other.token)).await;
    let (_, _, mine) = app.get(&path, Some(&author.token)).await;

    for status in [get, update, delete, submit, withdraw, reviewer_get] {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(mine["title"], "Private draft", "the draft is untouched");
    assert_eq!(mine["version"], 1);
}

#[tokio::test]
async fn reviewers_see_submitted_work_and_members_see_only_published() {
    let app = spawn_app().await;
    let author = app.member().await;
    let other = app.member().await;
    let reviewer = app.reviewer().await;
    let admin = app.admin().await;
    let id = id_of(
        &app.create_submission(&author.token, &case_study("Under review"))
            .await,
    );
    app.submit(&author.token, &id)
        .await
        .expect_status(StatusCode::OK);
    let path = format!("/api/v1/submissions/{id}");

    let (member_get, _, _) = app.get(&path, Some(&other.token)).await;
    let (reviewer_get, _, _) = app.get(&path, Some(&reviewer.token)).await;
    let (admin_get, _, _) = app.get(&path, Some(&admin.token)).await;
    let (reviewer_withdraw, _) = app.withdraw(&reviewer.token, &id).await;

    assert_eq!(member_get, StatusCode::NOT_FOUND);
    assert_eq!(reviewer_get, StatusCode::OK);
    assert_eq!(admin_get, StatusCode::OK);
    assert_eq!(
        reviewer_withdraw,
        StatusCode::FORBIDDEN,
        "only the author withdraws"
    );
}

#[tokio::test]
async fn validation_names_every_bad_field_at_once() {
    let app = spawn_app().await;
    let author = app.member().await;
    let body = json!({
        "kind": "case_study",
        "title": "t".repeat(201),
        "priorities": ["optimising_ot", "world_domination"],
        "practice_areas": ["primary_care", "primary_care"],
        "nation": "wales",
        "region": "london",
        "sections": {"context": "x".repeat(20_001), "what_we_did": {"interventions": "journeys only"}},
        "impact_evidence": [{"evidence_type": "social", "description": "stories", "costs_pence": 10}],
        "evidence_sources": [{}, {"url": "javascript:alert(1)"}],
        "recommendations": (0..51).map(|i| json!({"text": format!("r{i}"), "adoption_status": "proposed"})).collect::<Vec<_>>()
    });

    let (status, _, problem) = app
        .post("/api/v1/submissions", Some(&author.token), &body)
        .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    for expected in [
        "title",
        "priorities[1]",
        "practice_areas[1]",
        "region",
        "sections.context",
        "sections.what_we_did.interventions",
        "impact_evidence[0].costs_pence",
        "evidence_sources[0]",
        "evidence_sources[1].url",
        "recommendations",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} not named in {fields:?}"
        );
    }
    let (_, _, list) = app
        .get("/api/v1/submissions?mine=true", Some(&author.token))
        .await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "nothing half-written"
    );
}

#[tokio::test]
async fn long_unicode_and_sql_looking_text_round_trips_byte_for_byte() {
    let app = spawn_app().await;
    let author = app.member().await;
    let pattern = "Ōccupational thérapie 🧠 «quotes» \"double\" 'single' \\ back; DROP TABLE submissions; -- 漢字 \u{200d}\u{0301} ";
    let long: String = pattern.chars().cycle().take(10_000).collect();
    let mut body = case_study("Ünïcödé ✓ '; SELECT 1; --");
    body["sections"]["context"] = json!(long);

    let created = app.create_submission(&author.token, &body).await;
    let (_, _, fetched) = app
        .get(
            &format!("/api/v1/submissions/{}", id_of(&created)),
            Some(&author.token),
        )
        .await;

    assert_eq!(fetched["sections"]["context"].as_str(), Some(long.as_str()));
    assert_eq!(fetched["title"], "Ünïcödé ✓ '; SELECT 1; --");
}

#[tokio::test]
async fn hub_citations_must_name_published_work() {
    let app = spawn_app().await;
    let author = app.member().await;
    let draft = id_of(
        &app.create_submission(&author.token, &case_study("Not yet published"))
            .await,
    );
    let mut citing = case_study("Citing");
    citing["evidence_sources"] =
        json!([{"submission_id": draft}, {"citation": "RCOT (2024) Workforce Strategy"}]);

    let (status, _, problem) = app
        .post("/api/v1/submissions", Some(&author.token), &citing)
        .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["errors"][0]["field"],
        "evidence_sources[0].submission_id"
    );
}

#[tokio::test]
async fn mass_assignment_of_server_fields_is_refused() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = id_of(
        &app.create_submission(&author.token, &case_study("Mass assignment"))
            .await,
    );

    for field in [
        "status",
        "author_id",
        "quality_score",
        "submitted_at",
        "version",
        "kind",
    ] {
        let (status, _, body) = app
            .patch(
                &format!("/api/v1/submissions/{id}"),
                Some(&author.token),
                Some("\"1\""),
                &json!({ field: "published" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(body["errors"][0]["field"], field);
    }
    let (_, _, stored) = app
        .get(&format!("/api/v1/submissions/{id}"), Some(&author.token))
        .await;
    assert_eq!(stored["status"], "draft");
    assert_eq!(stored["version"], 1);
}
