//! Nobody learns from register or login whether an address has an account:
//! same status, same body shape, same header names, similar time.

use hub_tests::Answer;
use hub_tests::{PASSWORD, TestApp, spawn_app_with};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

fn keys(body: &Value) -> BTreeSet<String> {
    body.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap()
}

fn header_names(headers: &HeaderMap) -> BTreeSet<String> {
    headers.keys().map(|k| k.as_str().to_owned()).collect()
}

async fn register(
    app: &TestApp,
    email: &str,
    password: &str,
    name: &str,
) -> (StatusCode, HeaderMap, Value) {
    app.post(
        "/api/v1/auth/register",
        None,
        &json!({"email": email, "password": password, "display_name": name}),
    )
    .await
}

fn fresh_email() -> String {
    format!("person-{}@example.org", uuid::Uuid::new_v4().simple())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Fails when one median is more than three times the other.
fn assert_similar(what: &str, a: Duration, b: Duration) {
    let (low, high) = if a < b { (a, b) } else { (b, a) };
    assert!(
        high <= low * 3 + Duration::from_millis(15),
        "{what}: {a:?} against {b:?} tells the cases apart"
    );
}

#[tokio::test]
async fn registering_a_taken_address_looks_like_registering_a_new_one_and_changes_nothing() {
    let app = spawn_app_with(&[("HUB_LOGIN_MAX_FAILURES", "1000")]).await;
    let existing = app.member().await;
    let (_, _, before) = app.get("/api/v1/members/me", Some(&existing.token)).await;

    let (new_status, new_headers, new_body) = register(
        &app,
        &fresh_email(),
        "another long passphrase",
        "Someone New",
    )
    .await;
    let (taken_status, taken_headers, taken_body) = register(
        &app,
        &existing.email.to_uppercase(),
        "another long passphrase",
        "Someone Else",
    )
    .await;

    assert_eq!(new_status, StatusCode::CREATED, "{new_body}");
    assert_eq!(taken_status, new_status, "{taken_body}");
    assert_eq!(keys(&taken_body), keys(&new_body));
    assert_eq!(
        shape(&taken_body),
        shape(&new_body),
        "every value has the same pattern of characters (timestamps' digits included)"
    );
    assert_eq!(header_names(&taken_headers), header_names(&new_headers));
    assert_eq!(taken_headers["content-type"], new_headers["content-type"]);
    assert_eq!(taken_body["email"], existing.email.as_str());
    assert_eq!(
        taken_body["display_name"], "Someone Else",
        "echoes what was sent"
    );
    assert_eq!(taken_body["role"], "member");
    assert_ne!(
        taken_body["id"],
        existing.id.to_string(),
        "the existing account's id is not revealed"
    );

    let (old_password, _) = app.login(&existing.email, PASSWORD).await;
    let (new_password, _) = app.login(&existing.email, "another long passphrase").await;
    let (_, _, after) = app.get("/api/v1/members/me", Some(&existing.token)).await;
    assert_eq!(
        old_password,
        StatusCode::OK,
        "the first account keeps its password"
    );
    assert_eq!(
        new_password,
        StatusCode::UNAUTHORIZED,
        "no second password was set"
    );
    assert_eq!(before, after, "the first account is unchanged");
}

#[tokio::test]
async fn register_takes_as_long_for_a_taken_address_as_for_a_new_one() {
    let app = spawn_app_with(&[("HUB_LOGIN_MAX_FAILURES", "1000")]).await;
    let existing = app.member().await;
    let mut new = Vec::new();
    let mut taken = Vec::new();
    // Warm up both paths once.
    register(&app, &fresh_email(), PASSWORD, "Warm").await;
    register(&app, &existing.email, PASSWORD, "Warm").await;

    for _ in 0..11 {
        let started = Instant::now();
        let (status, _, _) = register(&app, &fresh_email(), PASSWORD, "New").await;
        new.push(started.elapsed());
        assert_eq!(status, StatusCode::CREATED);
        let started = Instant::now();
        let (status, _, _) = register(&app, &existing.email, PASSWORD, "Taken").await;
        taken.push(started.elapsed());
        assert_eq!(status, StatusCode::CREATED);
    }

    assert_similar("register", median(new), median(taken));
}

#[tokio::test]
async fn login_answers_an_unknown_address_and_a_wrong_password_alike_and_as_slowly() {
    let app = spawn_app_with(&[("HUB_LOGIN_MAX_FAILURES", "1000")]).await;
    let member = app.member().await;
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    let mut answers = Vec::new();
    app.login(&fresh_email(), "a wrong password!")
        .await
        .expect_status(StatusCode::UNAUTHORIZED);
    app.login(&member.email, "a wrong password!")
        .await
        .expect_status(StatusCode::UNAUTHORIZED);

    for _ in 0..11 {
        let started = Instant::now();
        let answer = app
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"email": fresh_email(), "password": "a wrong password!"}),
            )
            .await;
        unknown.push(started.elapsed());
        answers.push(answer);
        let started = Instant::now();
        let answer = app
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"email": member.email, "password": "a wrong password!"}),
            )
            .await;
        wrong.push(started.elapsed());
        answers.push(answer);
    }

    let (first_status, first_headers, first_body) = &answers[0];
    for (status, headers, body) in &answers {
        assert_eq!(status, &StatusCode::UNAUTHORIZED);
        assert_eq!(body, first_body);
        assert_eq!(header_names(headers), header_names(first_headers));
    }
    assert_eq!(first_status, &StatusCode::UNAUTHORIZED);
    assert_similar("login", median(unknown), median(wrong));
}

/// The body with each echoed field dropped and every letter or digit of
/// every other value written `x`: what is left is the answer's shape.
fn shape(body: &serde_json::Value) -> serde_json::Value {
    fn pattern(value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::String(text) => serde_json::Value::String(
                text.chars()
                    .map(|c| if c.is_alphanumeric() { 'x' } else { c })
                    .collect(),
            ),
            serde_json::Value::Array(items) => items.iter().map(pattern).collect(),
            serde_json::Value::Object(fields) => fields
                .iter()
                .map(|(k, v)| (k.clone(), pattern(v)))
                .collect(),
            other => other.clone(),
        }
    }
    let mut body = body.clone();
    if let Some(fields) = body.as_object_mut() {
        fields.remove("email");
        fields.remove("display_name");
    }
    pattern(&body)
}
