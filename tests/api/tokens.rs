use hub_tests::{TestApp, case_study, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn create_token(app: &TestApp, session: &str, scopes: &[&str]) -> (StatusCode, Value) {
    let (status, _, body) = app
        .post(
            "/api/v1/members/me/tokens",
            Some(session),
            &json!({"name": "Trust audit script", "scopes": scopes, "expires_in_days": 30}),
        )
        .await;
    (status, body)
}

async fn secret_of(app: &TestApp, session: &str, scopes: &[&str]) -> (String, String) {
    let (status, body) = create_token(app, session, scopes).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["secret"].as_str().unwrap().to_owned(),
        body["id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_personal_access_token_works_beside_sessions_within_its_scopes() {
    let app = spawn_app().await;
    let member = app.member().await;
    let (writer, _) = secret_of(
        &app,
        &member.token,
        &["submissions:read", "submissions:write"],
    )
    .await;
    let (reader, _) = secret_of(&app, &member.token, &["submissions:read"]).await;

    let (created, _, draft) = app
        .post(
            "/api/v1/submissions",
            Some(&writer),
            &case_study("Made by a script"),
        )
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();
    let (read, _, fetched) = app
        .get(&format!("/api/v1/submissions/{id}"), Some(&reader))
        .await;
    let (refused, headers, problem) = app
        .post(
            "/api/v1/submissions",
            Some(&reader),
            &case_study("Not allowed"),
        )
        .await;
    let (submit_refused, _) = app.submit(&reader, &id).await;

    assert_eq!(created, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["author"]["id"], member.id.to_string(), "{draft}");
    assert_eq!(read, StatusCode::OK, "{fetched}");
    assert_eq!(refused, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("submissions:write")
    );
    assert_eq!(submit_refused, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tokens_cannot_manage_the_account_or_mint_more_tokens() {
    let app = spawn_app().await;
    let member = app.member().await;
    let (secret, _) = secret_of(
        &app,
        &member.token,
        &["submissions:read", "submissions:write"],
    )
    .await;

    let (minted, _) = create_token(&app, &secret, &["submissions:read"]).await;
    let (listed, _, _) = app.get("/api/v1/members/me/tokens", Some(&secret)).await;
    let (erased, _, _) = app.delete("/api/v1/members/me", Some(&secret)).await;
    let (me, _, _) = app.get("/api/v1/members/me", Some(&member.token)).await;

    assert_eq!(minted, StatusCode::FORBIDDEN);
    assert_eq!(listed, StatusCode::FORBIDDEN);
    assert_eq!(erased, StatusCode::FORBIDDEN);
    assert_eq!(me, StatusCode::OK, "the account is still there");
}

#[tokio::test]
async fn the_secret_is_shown_once_and_the_list_says_when_it_was_last_used() {
    let app = spawn_app().await;
    let member = app.member().await;
    let (secret, id) = secret_of(&app, &member.token, &["submissions:read"]).await;

    let (before, _, unused) = app
        .get("/api/v1/members/me/tokens", Some(&member.token))
        .await;
    let (used, _, _) = app
        .get("/api/v1/submissions?mine=true", Some(&secret))
        .await;
    let (_, _, after) = app
        .get("/api/v1/members/me/tokens", Some(&member.token))
        .await;

    assert_eq!(before, StatusCode::OK, "{unused}");
    assert_eq!(used, StatusCode::OK);
    assert!(
        !unused.to_string().contains(&secret),
        "the list never shows a secret"
    );
    assert!(secret.starts_with("hub_pat_"));
    assert_eq!(unused["items"][0]["id"], id.as_str());
    assert_eq!(unused["items"][0]["name"], "Trust audit script");
    assert_eq!(unused["items"][0]["scopes"], json!(["submissions:read"]));
    assert!(unused["items"][0]["last_used_at"].is_null());
    assert!(unused["items"][0]["expires_at"].is_string());
    assert!(after["items"][0]["last_used_at"].is_string(), "{after}");
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once() {
    let app = spawn_app().await;
    let member = app.member().await;
    let other = app.member().await;
    let (secret, id) = secret_of(&app, &member.token, &["submissions:read"]).await;
    let (works, _, _) = app.get("/api/v1/submissions", Some(&secret)).await;

    let (not_theirs, _, _) = app
        .delete(
            &format!("/api/v1/members/me/tokens/{id}"),
            Some(&other.token),
        )
        .await;
    let (revoked, _, _) = app
        .delete(
            &format!("/api/v1/members/me/tokens/{id}"),
            Some(&member.token),
        )
        .await;
    let (refused, headers, problem) = app.get("/api/v1/submissions", Some(&secret)).await;
    let (_, _, list) = app
        .get("/api/v1/members/me/tokens", Some(&member.token))
        .await;

    assert_eq!(works, StatusCode::OK);
    assert_eq!(not_theirs, StatusCode::NOT_FOUND);
    assert_eq!(revoked, StatusCode::NO_CONTENT);
    assert_eq!(refused, StatusCode::UNAUTHORIZED, "{problem}");
    assert!(headers.contains_key("www-authenticate"));
    assert!(list["items"][0]["revoked_at"].is_string(), "{list}");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app().await;
    let member = app.member().await;
    let (secret, id) = secret_of(&app, &member.token, &["submissions:read"]).await;
    let past: chrono::DateTime<chrono::Utc> = chrono::Utc::now() - chrono::Duration::seconds(1);
    let id: uuid::Uuid = id.parse().unwrap_or_else(|e| panic!("{e}"));
    app.execute(
        "UPDATE access_tokens SET expires_at = $1 WHERE id = $2",
        vec![past.into(), id.into()],
    )
    .await;

    let (status, _, problem) = app.get("/api/v1/submissions", Some(&secret)).await;

    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        problem["detail"].as_str().unwrap().contains("expired"),
        "{problem}"
    );
}

#[tokio::test]
async fn only_admins_get_report_tokens_and_reports_need_the_scope() {
    let app = spawn_app().await;
    let member = app.member().await;
    let admin = app.admin().await;

    let (member_asks, problem) = create_token(&app, &member.token, &["reports:read"]).await;
    let (unknown, unknown_problem) = create_token(&app, &member.token, &["everything"]).await;
    let (reporter, _) = secret_of(&app, &admin.token, &["reports:read"]).await;
    let (submitter, _) = secret_of(&app, &admin.token, &["submissions:read"]).await;
    let (report, _, _) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&reporter))
        .await;
    let (no_scope, _, _) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&submitter))
        .await;
    let (no_read, _, _) = app.get("/api/v1/submissions", Some(&reporter)).await;
    let (snapshot, _, _) = app
        .send(app.request(
            Method::POST,
            "/api/v1/reports/quarterly/2025-Q3/snapshots",
            Some(&reporter),
        ))
        .await;

    assert_eq!(member_asks, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["code"], "forbidden", "{problem}");
    assert_eq!(
        unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{unknown_problem}"
    );
    assert_eq!(report, StatusCode::OK);
    assert_eq!(no_scope, StatusCode::FORBIDDEN);
    assert_eq!(no_read, StatusCode::FORBIDDEN);
    assert_eq!(
        snapshot,
        StatusCode::FORBIDDEN,
        "freezing a quarter needs a session"
    );
}

#[tokio::test]
async fn a_token_stops_working_when_its_member_is_erased() {
    let app = spawn_app().await;
    let member = app.member().await;
    let (secret, _) = secret_of(&app, &member.token, &["submissions:read"]).await;

    let (erased, _, _) = app.erase(&member.token).await;
    let (status, _, _) = app.get("/api/v1/submissions", Some(&secret)).await;

    assert_eq!(erased, StatusCode::NO_CONTENT);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
