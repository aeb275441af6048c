use hub_tests::Answer;
use hub_tests::{PASSWORD, case_study, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn each_action_writes_an_audit_entry_with_actor_target_and_request_id() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    app.login(&author.email, "a wrong password here")
        .await
        .expect_status(StatusCode::UNAUTHORIZED);
    app.set_role(&admin.token, author.id, "member")
        .await
        .expect_status(StatusCode::OK);
    let id = app
        .published(&author, &reviewer, &case_study("Audited"))
        .await;
    let draft = app
        .create_submission(&author.token, &case_study("Deleted"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.delete(&format!("/api/v1/submissions/{draft}"), Some(&author.token))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    app.send(
        app.request(
            Method::GET,
            "/api/v1/members/me/export",
            Some(&author.token),
        )
        .header("x-request-id", "export-req-1"),
    )
    .await
    .expect_status(StatusCode::OK);

    let (status, _, page) = app.get("/api/v1/audit?limit=100", Some(&admin.token)).await;
    let (_, _, failures) = app
        .get("/api/v1/audit?action=login_failed", Some(&admin.token))
        .await;
    let (_, _, about) = app
        .get(&format!("/api/v1/audit?target_id={id}"), Some(&admin.token))
        .await;

    assert_eq!(status, StatusCode::OK);
    let all = actions(&page);
    for expected in [
        "member_registered",
        "login_failed",
        "login_succeeded",
        "role_changed",
        "submission_created",
        "submission_submitted",
        "submission_claimed",
        "review_recorded",
        "draft_deleted",
        "member_data_exported",
    ] {
        assert!(
            all.iter().any(|a| a == expected),
            "{expected} missing from {all:?}"
        );
    }
    assert_eq!(actions(&failures), vec!["login_failed"]);
    assert_eq!(
        failures["items"][0]["target_id"],
        author.id.to_string().as_str()
    );
    assert_eq!(
        actions(&about),
        vec![
            "review_recorded",
            "submission_claimed",
            "submission_submitted",
            "submission_created"
        ]
    );
    assert_eq!(
        about["items"][0]["actor_id"],
        reviewer.id.to_string().as_str()
    );
    let export = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["action"] == "member_data_exported")
        .cloned()
        .unwrap();
    assert_eq!(export["request_id"], "export-req-1");
    assert!(
        !page.to_string().contains(PASSWORD),
        "no password in the audit log"
    );
}

#[tokio::test]
async fn the_audit_log_is_for_admins_and_cannot_be_changed() {
    let app = spawn_app().await;
    let reviewer = app.reviewer().await;
    let admin = app.admin().await;

    let (reviewer_status, _, _) = app.get("/api/v1/audit", Some(&reviewer.token)).await;
    let (bad_filter, _, problem) = app
        .get(
            "/api/v1/audit?actor_id=nobody&from=yesterday",
            Some(&admin.token),
        )
        .await;
    let (delete, delete_headers, _) = app.delete("/api/v1/audit", Some(&admin.token)).await;
    let (post, _, _) = app
        .post(
            "/api/v1/audit",
            Some(&admin.token),
            &json!({"action": "forged"}),
        )
        .await;

    assert_eq!(reviewer_status, StatusCode::FORBIDDEN);
    assert_eq!(bad_filter, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"].as_array().map(Vec::len), Some(2));
    assert_eq!(delete, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(delete_headers["allow"], "GET");
    assert_eq!(post, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_audit_log_pages_newest_first_without_repeats() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for _ in 0..7 {
        app.member().await;
    }

    let mut seen = Vec::new();
    let mut path = "/api/v1/audit?limit=5".to_owned();
    loop {
        let (_, _, page) = app.get(&path, Some(&admin.token)).await;
        seen.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["id"].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/audit?limit=5&cursor={cursor}"),
            None => break,
        }
    }

    let mut sorted = seen.clone();
    sorted.sort();
    sorted.reverse();
    sorted.dedup();
    assert_eq!(seen, sorted, "newest first, each once");
    assert!(seen.len() >= 15);
}

/// The audit entries of one action about one target, newest first.
async fn entries(app: &hub_tests::TestApp, admin: &str, action: &str, target: &str) -> Vec<Value> {
    let (status, _, page) = app
        .get(
            &format!("/api/v1/audit?action={action}&target_id={target}&limit=100"),
            Some(admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no items in {page}"))
}

#[tokio::test]
async fn edits_profile_changes_and_token_use_by_scope_are_audited_without_personal_values() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;

    // An edit names the fields it changed and the version it made.
    let created = app
        .create_submission(&author.token, &case_study("Audited edit"))
        .await;
    let id = created["id"].as_str().expect("an id").to_owned();
    let (status, _, edited) = app
        .patch(
            &format!("/api/v1/submissions/{id}"),
            Some(&author.token),
            Some("\"1\""),
            &json!({"summary": "A clearer summary", "topics": ["ai_digital_healthcare"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let updates = entries(&app, &admin.token, "submission_updated", &id).await;
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["actor_id"], author.id.to_string().as_str());
    assert_eq!(updates[0]["target_type"], "submission");
    assert_eq!(
        updates[0]["details"]["fields"],
        json!(["summary", "topics"])
    );
    assert_eq!(updates[0]["details"]["version"], 2);
    assert!(updates[0]["at"].as_str().is_some());

    // A profile change names the demographic fields, never their values.
    let (status, _, profile) = app
        .patch(
            "/api/v1/members/me",
            Some(&author.token),
            None,
            &json!({"region": "north_west", "career_stage": "mid"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    let member = author.id.to_string();
    let changes = entries(&app, &admin.token, "profile_updated", &member).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["actor_id"], member.as_str());
    assert_eq!(
        changes[0]["details"]["fields"],
        json!(["career_stage", "region"])
    );
    assert!(
        !changes[0].to_string().contains("north_west"),
        "{}",
        changes[0]
    );

    // A token's use is recorded once a minute for each scope it was used with.
    let (status, _, token) = app
        .post(
            "/api/v1/members/me/tokens",
            Some(&author.token),
            &json!({"name": "Audit script", "scopes": ["submissions:read", "submissions:write"], "expires_in_days": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let secret = token["secret"].as_str().expect("a secret").to_owned();
    let token_id = token["id"].as_str().expect("an id").to_owned();
    for _ in 0..3 {
        app.get("/api/v1/submissions?mine=true", Some(&secret))
            .await
            .expect_status(StatusCode::OK);
    }
    let (status, _, made) = app
        .post(
            "/api/v1/submissions",
            Some(&secret),
            &case_study("By token"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let uses = entries(&app, &admin.token, "access_token_used", &token_id).await;
    let mut scopes: Vec<&str> = uses
        .iter()
        .filter_map(|e| e["details"]["scope"].as_str())
        .collect();
    scopes.sort_unstable();
    assert_eq!(
        scopes,
        vec!["submissions:read", "submissions:write"],
        "{uses:?}"
    );
    assert!(
        uses.iter()
            .all(|e| e["actor_id"] == member.as_str() && e["target_type"] == "access_token")
    );
    let (_, _, listed) = app
        .get("/api/v1/members/me/tokens", Some(&author.token))
        .await;
    assert!(
        listed["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["id"] == token_id.as_str() && t["last_used_at"].is_string()),
        "{listed}"
    );
}
