//! Broken object-level authorisation: every path that names an object by id,
//! tried by someone who may not touch that object. Each answer must be a 404
//! (or the documented 403), and the owner must find the object unchanged.

use hub_tests::{Answer, TestApp, TestMember, case_study, rubric, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const BOUNDARY: &str = "abuse-boundary-5c1d";

fn pdf() -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    pdf.extend((0..=255u8).cycle().take(1000));
    pdf.extend_from_slice(b"\n%%EOF\n");
    pdf
}

async fn upload(app: &TestApp, token: &str, submission: &str) -> (StatusCode, Value) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend(pdf());
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let (status, _, created) = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/submissions/{submission}/attachments"),
                Some(token),
            )
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body),
        )
        .await;
    (status, created)
}

fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap().to_owned()
}

/// Every id-bearing request on one submission, as (label, method, path, body).
fn submission_requests(
    id: &str,
    attachment: &str,
    recommendation: &str,
) -> Vec<(String, Method, String, Option<Value>)> {
    let base = format!("/api/v1/submissions/{id}");
    vec![
        ("get".into(), Method::GET, base.clone(), None),
        (
            "patch".into(),
            Method::PATCH,
            base.clone(),
            Some(json!({"title": "Hijacked"})),
        ),
        ("delete".into(), Method::DELETE, base.clone(), None),
        (
            "submit".into(),
            Method::POST,
            format!("{base}/submit"),
            None,
        ),
        (
            "withdraw".into(),
            Method::POST,
            format!("{base}/withdraw"),
            None,
        ),
        (
            "history".into(),
            Method::GET,
            format!("{base}/history"),
            None,
        ),
        (
            "revision".into(),
            Method::GET,
            format!("{base}/revisions/1"),
            None,
        ),
        (
            "reviews".into(),
            Method::GET,
            format!("{base}/reviews"),
            None,
        ),
        (
            "attachments".into(),
            Method::GET,
            format!("{base}/attachments"),
            None,
        ),
        (
            "download".into(),
            Method::GET,
            format!("{base}/attachments/{attachment}"),
            None,
        ),
        (
            "remove file".into(),
            Method::DELETE,
            format!("{base}/attachments/{attachment}"),
            None,
        ),
        (
            "recommendations".into(),
            Method::GET,
            format!("{base}/recommendations"),
            None,
        ),
        (
            "follow-up".into(),
            Method::POST,
            format!("{base}/recommendations/{recommendation}/events"),
            Some(json!({"adoption_status": "rolled_out"})),
        ),
        ("claim".into(), Method::POST, format!("{base}/claim"), None),
        (
            "review".into(),
            Method::POST,
            format!("{base}/reviews"),
            Some(rubric("publish", 5)),
        ),
        (
            "reassign".into(),
            Method::PUT,
            format!("{base}/reviewer"),
            Some(json!({"reviewer_id": uuid::Uuid::now_v7()})),
        ),
    ]
}

async fn try_all(
    app: &TestApp,
    token: &str,
    requests: Vec<(String, Method, String, Option<Value>)>,
) -> Vec<(String, StatusCode, Value)> {
    let mut answers = Vec::new();
    for (label, method, path, body) in requests {
        let mut builder = app
            .request(method, &path, Some(token))
            .header("if-match", "\"1\"");
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        let (status, _, answer) = app.send(builder).await;
        answers.push((label, status, answer));
    }
    answers
}

/// A draft with a file and a recommendation, and its attachment and recommendation ids.
async fn draft_with_everything(app: &TestApp, author: &TestMember) -> (String, String, String) {
    let mut body = case_study("Private draft");
    body["recommendations"] = json!([{"text": "Keep it private", "adoption_status": "proposed"}]);
    let draft = app.create_submission(&author.token, &body).await;
    let id = text(&draft, "id");
    let (uploaded, file) = upload(app, &author.token, &id).await;
    assert_eq!(uploaded, StatusCode::CREATED, "{file}");
    (
        id,
        text(&file, "id"),
        text(&draft["recommendations"][0], "id"),
    )
}

/// What the owner sees of a submission, to compare before and after.
async fn owner_view(app: &TestApp, owner: &str, id: &str) -> (Value, Value, Value) {
    let read = async |path: String| {
        app.get(&path, Some(owner))
            .await
            .expect_status(StatusCode::OK)
    };
    (
        read(format!("/api/v1/submissions/{id}")).await,
        read(format!("/api/v1/submissions/{id}/attachments")).await,
        read(format!("/api/v1/submissions/{id}/recommendations")).await,
    )
}

#[tokio::test]
async fn another_member_reaches_nothing_of_a_draft_by_session_or_token() {
    let app = spawn_app().await;
    let author = app.member().await;
    let other = app.member().await;
    let (id, attachment, recommendation) = draft_with_everything(&app, &author).await;
    let token = app
        .post(
            "/api/v1/members/me/tokens",
            Some(&other.token),
            &json!({"name": "script", "scopes": ["submissions:read", "submissions:write"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let other_pat = text(&token, "secret");
    let before = owner_view(&app, &author.token, &id).await;

    let mut answers = try_all(
        &app,
        &other.token,
        submission_requests(&id, &attachment, &recommendation),
    )
    .await;
    answers.extend(
        try_all(
            &app,
            &other_pat,
            submission_requests(&id, &attachment, &recommendation),
        )
        .await,
    );
    let (upload_status, upload_body) = upload(&app, &other.token, &id).await;
    answers.push(("upload".into(), upload_status, upload_body));

    for (label, status, body) in &answers {
        let allowed: &[StatusCode] = match label.as_str() {
            // Members are not reviewers or admins: refused before any lookup.
            "claim" | "review" | "reassign" => &[StatusCode::FORBIDDEN, StatusCode::NOT_FOUND],
            _ => &[StatusCode::NOT_FOUND],
        };
        assert!(allowed.contains(status), "{label}: {status} {body}");
        assert!(
            !body.to_string().contains("Private draft"),
            "{label} leaked the draft: {body}"
        );
    }
    let after = owner_view(&app, &author.token, &id).await;
    assert_eq!(
        before, after,
        "the draft, its file and its recommendation are unchanged"
    );
    assert_eq!(after.0["title"], "Private draft");
    assert_eq!(after.1["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn work_in_review_is_closed_to_other_members_and_to_reviewers_who_did_not_claim_it() {
    let app = spawn_app().await;
    let author = app.member().await;
    let other = app.member().await;
    let claimant = app.reviewer().await;
    let rival = app.reviewer().await;
    let (id, attachment, recommendation) = draft_with_everything(&app, &author).await;
    let (submitted, body) = app.submit(&author.token, &id).await;
    assert_eq!(submitted, StatusCode::OK, "{body}");
    let (claimed, body) = app.claim(&claimant.token, &id).await;
    assert_eq!(claimed, StatusCode::OK, "{body}");
    let before = owner_view(&app, &author.token, &id).await;

    let member_answers = try_all(
        &app,
        &other.token,
        submission_requests(&id, &attachment, &recommendation),
    )
    .await;
    let (rival_review, rival_body) = app.review(&rival.token, &id, "reject", 1).await;
    let (rival_withdraw, _) = app.withdraw(&rival.token, &id).await;
    let (rival_reassign, _, _) = app
        .send(
            app.request(
                Method::PUT,
                &format!("/api/v1/submissions/{id}/reviewer"),
                Some(&rival.token),
            )
            .json(&json!({"reviewer_id": rival.id})),
        )
        .await;

    for (label, status, body) in &member_answers {
        let allowed: &[StatusCode] = match label.as_str() {
            "claim" | "review" | "reassign" => &[StatusCode::FORBIDDEN, StatusCode::NOT_FOUND],
            _ => &[StatusCode::NOT_FOUND],
        };
        assert!(allowed.contains(status), "{label}: {status} {body}");
    }
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::CONFLICT].contains(&rival_review),
        "a reviewer who did not claim the work cannot decide it: {rival_review} {rival_body}"
    );
    assert_eq!(rival_withdraw, StatusCode::FORBIDDEN);
    assert_eq!(rival_reassign, StatusCode::FORBIDDEN);
    let after = owner_view(&app, &author.token, &id).await;
    assert_eq!(before, after);
    assert_eq!(after.0["status"], "in_review");
    let (_, _, reviews) = app
        .get(
            &format!("/api/v1/submissions/{id}/reviews"),
            Some(&author.token),
        )
        .await;
    assert_eq!(reviews.as_array().map(Vec::len), Some(0), "{reviews}");
}

#[tokio::test]
async fn published_work_is_readable_but_not_changeable_by_others() {
    let app = spawn_app().await;
    let author = app.member().await;
    let other = app.member().await;
    let reviewer = app.reviewer().await;
    let mut body = case_study("Published for all");
    body["recommendations"] = json!([{"text": "Share widely", "adoption_status": "proposed"}]);
    let id = app.published(&author, &reviewer, &body).await;
    let before = owner_view(&app, &author.token, &id).await;
    let recommendation = text(&before.0["recommendations"][0], "id");
    let base = format!("/api/v1/submissions/{id}");

    let (read, _, _) = app.get(&base, Some(&other.token)).await;
    let (patch, _, _) = app
        .patch(
            &base,
            Some(&other.token),
            Some("\"1\""),
            &json!({"title": "Hijacked"}),
        )
        .await;
    let (delete, _, _) = app.delete(&base, Some(&other.token)).await;
    let (withdraw, _) = app.withdraw(&other.token, &id).await;
    let (follow_up, _, _) = app
        .post(
            &format!("{base}/recommendations/{recommendation}/events"),
            Some(&other.token),
            &json!({"adoption_status": "rolled_out"}),
        )
        .await;
    let (history, _, _) = app
        .get(&format!("{base}/history"), Some(&other.token))
        .await;
    let (reviews, _, _) = app
        .get(&format!("{base}/reviews"), Some(&other.token))
        .await;

    assert_eq!(read, StatusCode::OK);
    for (label, status) in [
        ("patch", patch),
        ("delete", delete),
        ("withdraw", withdraw),
        ("follow-up", follow_up),
        ("history", history),
        ("reviews", reviews),
    ] {
        assert!(
            [
                StatusCode::FORBIDDEN,
                StatusCode::NOT_FOUND,
                StatusCode::CONFLICT
            ]
            .contains(&status),
            "{label}: {status}"
        );
    }
    assert_eq!(before, owner_view(&app, &author.token, &id).await);
}

#[tokio::test]
async fn another_member_cannot_revoke_or_see_a_token() {
    let app = spawn_app().await;
    let owner = app.member().await;
    let other = app.member().await;
    let created = app
        .post(
            "/api/v1/members/me/tokens",
            Some(&owner.token),
            &json!({"name": "owner's script", "scopes": ["submissions:read"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let (token_id, secret) = (text(&created, "id"), text(&created, "secret"));

    let (revoke, _, problem) = app
        .delete(
            &format!("/api/v1/members/me/tokens/{token_id}"),
            Some(&other.token),
        )
        .await;
    let (_, _, others_list) = app
        .get("/api/v1/members/me/tokens", Some(&other.token))
        .await;
    let (still_works, _, _) = app.get("/api/v1/submissions", Some(&secret)).await;
    let (_, _, owners_list) = app
        .get("/api/v1/members/me/tokens", Some(&owner.token))
        .await;

    assert_eq!(revoke, StatusCode::NOT_FOUND, "{problem}");
    assert!(
        !others_list.to_string().contains(&token_id),
        "{others_list}"
    );
    assert_eq!(still_works, StatusCode::OK, "the owner's token still works");
    assert_eq!(owners_list["items"][0]["id"], token_id.as_str());
    assert!(
        owners_list["items"][0]["revoked_at"].is_null(),
        "{owners_list}"
    );
}

#[tokio::test]
async fn exports_snapshots_webhooks_and_roles_belong_to_their_owners() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let owner = app.member().await;
    let other = app.member().await;
    let reviewer = app.reviewer().await;
    let draft = app
        .create_submission(&owner.token, &case_study("Owner's own words"))
        .await;
    let hook = app
        .post(
            "/api/v1/webhooks",
            Some(&admin.token),
            &json!({"url": "http://127.0.0.1:9/hub", "event_types": ["submission.created"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let hook_id = text(&hook, "id");
    let (made, _, snapshot) = app
        .post(
            "/api/v1/reports/quarterly/2025-Q1/snapshots",
            Some(&admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(made, StatusCode::CREATED, "{snapshot}");
    let snapshot_path = format!(
        "/api/v1/reports/quarterly/2025-Q1/snapshots/{}",
        text(&snapshot, "id")
    );

    let (_, _, export) = app
        .get("/api/v1/members/me/export", Some(&other.token))
        .await;
    let mut refusals = Vec::new();
    for token in [&other.token, &reviewer.token] {
        refusals.push((
            "deliveries",
            app.get(
                &format!("/api/v1/webhooks/{hook_id}/deliveries"),
                Some(token),
            )
            .await
            .0,
        ));
        refusals.push(("webhooks", app.get("/api/v1/webhooks", Some(token)).await.0));
        refusals.push(("snapshot", app.get(&snapshot_path, Some(token)).await.0));
        refusals.push((
            "snapshots",
            app.get("/api/v1/reports/quarterly/2025-Q1/snapshots", Some(token))
                .await
                .0,
        ));
        refusals.push(("role", app.set_role(token, owner.id, "admin").await.0));
    }

    let export_text = export.to_string();
    assert!(
        export_text.contains(&other.email),
        "the caller's own export"
    );
    assert!(!export_text.contains(&owner.email), "{export_text:.300}");
    assert!(
        !export_text.contains(&text(&draft, "id")),
        "{export_text:.300}"
    );
    assert!(!export_text.contains("Owner's own words"));
    for (label, status) in refusals {
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}");
    }
    let (_, _, me) = app.get("/api/v1/members/me", Some(&owner.token)).await;
    assert_eq!(me["role"], "member", "the role is unchanged");
    let (_, _, hooks) = app.get("/api/v1/webhooks", Some(&admin.token)).await;
    assert_eq!(hooks["items"].as_array().map(Vec::len), Some(1));
}
