use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hub_tests::{JWT_SECRET, PASSWORD, TestMember, jti_of, spawn_app};
use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn register_then_login_gives_a_bearer_token() {
    let app = spawn_app().await;

    let (status, member) = app
        .register("Grace.Hopper@Example.org", PASSWORD, "Grace Hopper")
        .await;
    let (login_status, token) = app.login("grace.hopper@example.org", PASSWORD).await;

    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(member["email"], "grace.hopper@example.org");
    assert_eq!(member["role"], "member");
    assert!(member.get("password").is_none() && member.get("password_hash").is_none());
    assert_eq!(login_status, StatusCode::OK);
    assert_eq!(token["token_type"], "Bearer");
    assert!(token["expires_in"].as_i64().is_some_and(|s| s > 0));
    let (me_status, _, me) = app
        .get("/api/v1/members/me", token["access_token"].as_str())
        .await;
    assert_eq!(me_status, StatusCode::OK);
    assert_eq!(me["id"], member["id"]);
}

#[tokio::test]
async fn registration_names_every_bad_field() {
    let app = spawn_app().await;

    let (status, body) = app.register("not-an-email", "short", "  ").await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["email", "password", "display_name"]);
}

#[tokio::test]
async fn login_does_not_reveal_whether_an_email_exists() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (wrong_password, wrong_body) = app.login(&member.email, "not the password at all").await;
    let (unknown_email, unknown_body) = app.login("nobody@example.org", PASSWORD).await;

    assert_eq!(wrong_password, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_email, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_body, unknown_body);
}

/// Claims as the service signs them for `member`'s session, with `overrides`.
fn claims(member: &TestMember, overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({"sub": member.id.to_string(), "role": "admin", "iat": now, "exp": now + 600, "iss": "innovation-hub", "aud": "innovation-hub-api", "jti": jti_of(&member.token)});
    if let (Some(base), Some(extra)) = (claims.as_object_mut(), overrides.as_object()) {
        for (key, value) in extra {
            base.insert(key.clone(), value.clone());
        }
    }
    claims
}

fn sign(claims: &Value, secret: &str) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn every_kind_of_bad_token_is_refused_with_401_problem() {
    let app = spawn_app().await;
    let member = app.member().await;
    let now = chrono::Utc::now().timestamp();
    let good = sign(&claims(&member, json!({})), JWT_SECRET);
    let parts: Vec<&str> = good.split('.').collect();
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let cases = vec![
        (
            "expired",
            sign(
                &claims(&member, json!({"iat": now - 7200, "exp": now - 3600})),
                JWT_SECRET,
            ),
        ),
        (
            "wrong issuer",
            sign(&claims(&member, json!({"iss": "someone-else"})), JWT_SECRET),
        ),
        (
            "wrong audience",
            sign(&claims(&member, json!({"aud": "another-api"})), JWT_SECRET),
        ),
        (
            "issued in the future",
            sign(
                &claims(&member, json!({"iat": now + 3600, "exp": now + 7200})),
                JWT_SECRET,
            ),
        ),
        (
            "wrong key",
            sign(
                &claims(&member, json!({})),
                "another-secret-another-secret-another",
            ),
        ),
        (
            "tampered",
            format!(
                "{}.{}.{}",
                parts[0],
                URL_SAFE_NO_PAD.encode(
                    claims(&member, json!({"role": "admin", "exp": now + 99999})).to_string()
                ),
                parts[2]
            ),
        ),
        ("alg none", format!("{none_header}.{}.", parts[1])),
        (
            "unknown member",
            sign(
                &claims(&member, json!({"sub": uuid::Uuid::now_v7().to_string()})),
                JWT_SECRET,
            ),
        ),
        ("garbage", "not.a.token".to_owned()),
    ];

    for (case, token) in cases {
        let (status, headers, body) = app.get("/api/v1/members/me", Some(&token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
        assert_eq!(
            headers["content-type"], "application/problem+json",
            "{case}"
        );
        assert_eq!(body["status"], 401, "{case}");
    }
    let (status, _, _) = app.get("/api/v1/members/me", Some(&good)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a well-formed token of a real member works"
    );
}

#[tokio::test]
async fn the_stored_role_wins_over_the_token_claim() {
    let app = spawn_app().await;
    let member = app.member().await;
    let forged_role = sign(&claims(&member, json!({"role": "admin"})), JWT_SECRET);

    let (status, _, me) = app.get("/api/v1/members/me", Some(&forged_role)).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "member");
}

#[tokio::test]
async fn repeated_failed_logins_get_429_with_retry_after() {
    let app = hub_tests::spawn_app_with(&[("HUB_LOGIN_MAX_FAILURES", "3")]).await;
    let member = app.member().await;
    for _ in 0..3 {
        let (status, _) = app.login(&member.email, "wrong password, wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    let (status, headers, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": member.email, "password": PASSWORD}),
        )
        .await;

    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .is_ok_and(|s| s > 0)
    );
    assert_eq!(body["code"], "too_many_requests");
}
