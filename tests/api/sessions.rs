//! Sessions: a logout ends the session it is sent with, a password change ends
//! every other one, an erasure asks for the password again, and a token whose
//! session is unknown or ended is refused.

use hub_tests::{JWT_SECRET, PASSWORD, TestApp, TestMember, jti_of, spawn_app};
use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const NEW_PASSWORD: &str = "a different passphrase 2026";

/// Another session of the same member, from a second login.
async fn second_session(app: &TestApp, member: &TestMember) -> String {
    let (status, body) = app.login(&member.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn me(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/members/me", Some(token)).await.0
}

async fn change_password(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    let (status, _, body) = app
        .send(
            app.request(Method::PUT, "/api/v1/members/me/password", Some(token))
                .json(body),
        )
        .await;
    (status, body)
}

fn fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn audited(app: &TestApp, member: &TestMember, action: &str) -> bool {
    let admin = app.admin().await;
    let (status, _, page) = app
        .get(
            &format!("/api/v1/audit?action={action}&actor_id={}", member.id),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .is_some_and(|items| !items.is_empty())
}

#[tokio::test]
async fn a_logout_ends_its_own_session_at_once_and_no_other() {
    let app = spawn_app().await;
    let member = app.member().await;
    let other = second_session(&app, &member).await;
    assert_eq!(
        me(&app, &member.token).await,
        StatusCode::OK,
        "cached as live"
    );

    let (status, _, body) = app
        .post("/api/v1/auth/logout", Some(&member.token), &json!({}))
        .await;

    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (after, headers, problem) = app.get("/api/v1/members/me", Some(&member.token)).await;
    assert_eq!(after, StatusCode::UNAUTHORIZED, "{problem}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(
        app.post("/api/v1/auth/logout", Some(&member.token), &json!({}))
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "a second logout with the same token"
    );
    assert_eq!(me(&app, &other).await, StatusCode::OK, "the other session");
    assert!(audited(&app, &member, "logged_out").await);
}

#[tokio::test]
async fn a_personal_access_token_survives_a_logout_and_cannot_log_out() {
    let app = spawn_app().await;
    let member = app.member().await;
    let (status, _, token) = app
        .post(
            "/api/v1/members/me/tokens",
            Some(&member.token),
            &json!({"name": "Script", "scopes": ["submissions:read"], "expires_in_days": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let secret = token["secret"].as_str().unwrap().to_owned();

    let (by_pat, _, _) = app
        .post("/api/v1/auth/logout", Some(&secret), &json!({}))
        .await;
    let (logout, _, _) = app
        .post("/api/v1/auth/logout", Some(&member.token), &json!({}))
        .await;

    assert_eq!(by_pat, StatusCode::FORBIDDEN);
    assert_eq!(logout, StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &secret).await, StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_a_valid_new_one() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (wrong, wrong_body) = change_password(
        &app,
        &member.token,
        &json!({"current_password": "not my password at all", "new_password": NEW_PASSWORD}),
    )
    .await;
    let (short, short_body) = change_password(
        &app,
        &member.token,
        &json!({"current_password": PASSWORD, "new_password": "short"}),
    )
    .await;
    let (missing, missing_body) = change_password(&app, &member.token, &json!({})).await;

    assert_eq!(wrong, StatusCode::UNPROCESSABLE_ENTITY, "{wrong_body}");
    assert_eq!(
        fields(&wrong_body),
        [("current_password".to_owned(), "wrong_password".to_owned())]
    );
    assert_eq!(short, StatusCode::UNPROCESSABLE_ENTITY, "{short_body}");
    assert_eq!(
        fields(&short_body),
        [("new_password".to_owned(), "too_short".to_owned())]
    );
    assert_eq!(missing, StatusCode::UNPROCESSABLE_ENTITY, "{missing_body}");
    let named: Vec<String> = fields(&missing_body).into_iter().map(|f| f.0).collect();
    assert!(
        named.contains(&"current_password".to_owned()),
        "{missing_body}"
    );
    assert!(named.contains(&"new_password".to_owned()), "{missing_body}");
    let (login, _) = app.login(&member.email, PASSWORD).await;
    assert_eq!(login, StatusCode::OK, "nothing changed");
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_but_not_personal_tokens() {
    let app = spawn_app().await;
    let member = app.member().await;
    let other = second_session(&app, &member).await;
    let bystander = app.member().await;
    let (status, _, token) = app
        .post(
            "/api/v1/members/me/tokens",
            Some(&member.token),
            &json!({"name": "Script", "scopes": ["submissions:read"], "expires_in_days": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let secret = token["secret"].as_str().unwrap().to_owned();
    assert_eq!(me(&app, &other).await, StatusCode::OK, "cached as live");

    let (changed, body) = change_password(
        &app,
        &member.token,
        &json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    )
    .await;

    assert_eq!(changed, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        me(&app, &other).await,
        StatusCode::UNAUTHORIZED,
        "other session"
    );
    assert_eq!(
        me(&app, &member.token).await,
        StatusCode::OK,
        "this session"
    );
    assert_eq!(me(&app, &secret).await, StatusCode::OK, "personal token");
    assert_eq!(
        me(&app, &bystander.token).await,
        StatusCode::OK,
        "another member"
    );
    assert_eq!(
        app.login(&member.email, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED,
        "the old password"
    );
    assert_eq!(
        app.login(&member.email, NEW_PASSWORD).await.0,
        StatusCode::OK,
        "the new password"
    );
    assert!(audited(&app, &member, "password_changed").await);
}

#[tokio::test]
async fn an_erasure_asks_for_the_password_again() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (without, _, without_body) = app.delete("/api/v1/members/me", Some(&member.token)).await;
    let (wrong, _, wrong_body) = app
        .send(
            app.request(Method::DELETE, "/api/v1/members/me", Some(&member.token))
                .json(&json!({"password": "not my password at all"})),
        )
        .await;
    let still_there = me(&app, &member.token).await;
    let (right, _, _) = app.erase(&member.token).await;

    assert_eq!(without, StatusCode::UNPROCESSABLE_ENTITY, "{without_body}");
    assert_eq!(
        fields(&without_body),
        [("password".to_owned(), "required".to_owned())]
    );
    assert_eq!(wrong, StatusCode::UNPROCESSABLE_ENTITY, "{wrong_body}");
    assert_eq!(
        fields(&wrong_body),
        [("password".to_owned(), "wrong_password".to_owned())]
    );
    assert_eq!(still_there, StatusCode::OK);
    assert_eq!(right, StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &member.token).await, StatusCode::UNAUTHORIZED);
}

fn signed(claims: &Value) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn tokens_without_a_live_session_of_their_member_are_refused() {
    let app = spawn_app().await;
    let member = app.member().await;
    let other = app.member().await;
    let ended = second_session(&app, &member).await;
    let (logout, _, _) = app
        .post("/api/v1/auth/logout", Some(&ended), &json!({}))
        .await;
    assert_eq!(logout, StatusCode::NO_CONTENT);
    let now = chrono::Utc::now().timestamp();
    let base = |jti: Option<String>| {
        let mut claims = json!({"sub": member.id.to_string(), "role": "member", "iat": now,
            "exp": now + 600, "iss": "innovation-hub", "aud": "innovation-hub-api"});
        if let Some(jti) = jti {
            claims["jti"] = jti.into();
        }
        signed(&claims)
    };

    for (case, token) in [
        ("no jti", base(None)),
        (
            "a jti that is not a session id",
            base(Some("session-1".into())),
        ),
        (
            "an unknown session",
            base(Some(uuid::Uuid::new_v4().to_string())),
        ),
        ("a logged-out session", base(Some(jti_of(&ended)))),
        ("another member's session", base(Some(jti_of(&other.token)))),
    ] {
        let (status, _, body) = app.get("/api/v1/members/me", Some(&token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
    }
    assert_eq!(
        app.get(
            "/api/v1/members/me",
            Some(&base(Some(jti_of(&member.token))))
        )
        .await
        .0,
        StatusCode::OK,
        "the same claims naming a live session of the member"
    );
}

/// How many session rows the member has.
async fn sessions_of(app: &TestApp, member: &TestMember) -> i64 {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = persistence::connect(&app.database_url, 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let backend = db.connection.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => "SELECT COUNT(*) AS n FROM sessions WHERE member_id = ?1",
        _ => "SELECT COUNT(*) AS n FROM sessions WHERE member_id = $1",
    };
    let row = db
        .connection
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [sea_orm::Value::from(member.id)],
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no count"));
    row.try_get("", "n").unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn an_expired_session_is_refused_and_the_next_login_clears_it() {
    let app = spawn_app().await;
    let member = app.member().await;
    let expiring = second_session(&app, &member).await;
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    let session: uuid::Uuid = jti_of(&expiring).parse().unwrap();
    app.execute(
        "UPDATE sessions SET expires_at = $1 WHERE id = $2",
        vec![past.into(), session.into()],
    )
    .await;

    assert_eq!(me(&app, &expiring).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &member.token).await, StatusCode::OK);
    assert_eq!(sessions_of(&app, &member).await, 2);
    second_session(&app, &member).await;
    assert_eq!(
        sessions_of(&app, &member).await,
        2,
        "the expired one gone, the new one there"
    );
}
