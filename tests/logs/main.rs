//! The service's own log output, captured at debug level while credentials
//! pass through it, must never hold a password, an access token, a personal
//! access token's secret, a webhook's secret or the signing key.

use api::config::LogFormat;
use hub_tests::{JWT_SECRET, case_study, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing_subscriber::EnvFilter;

/// Everything the service logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut bytes) = self.0.lock() {
            bytes.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let logs = Captured::default();
    let writer = logs.clone();
    api::telemetry::init_filtered(LogFormat::Json, EnvFilter::new("debug"), move || {
        writer.clone()
    });
    let app = spawn_app_with(&[("HUB_WEBHOOK_POLL_MS", "50")]).await;
    let email = format!("logged-{}@example.org", uuid::Uuid::new_v4().simple());
    let password = "pa55word-that-must-not-be-logged";
    let wrong_password = "wrong-pa55word-never-logged";

    let (registered, _) = app.register(&email, password, "Logged Member").await;
    let (again, _) = app.register(&email, password, "Logged Twice").await;
    let (refused, _) = app.login(&email, wrong_password).await;
    let (unknown, _) = app.login("nobody-logged@example.org", wrong_password).await;
    let (logged_in, session) = app.login(&email, password).await;
    let jwt = session["access_token"].as_str().unwrap().to_owned();
    let (token_status, _, token) = app
        .post(
            "/api/v1/members/me/tokens",
            Some(&jwt),
            &json!({"name": "script", "scopes": ["submissions:read", "submissions:write"]}),
        )
        .await;
    assert_eq!(token_status, StatusCode::CREATED, "{token}");
    let pat = token["secret"].as_str().unwrap().to_owned();
    let (used, _, _) = app
        .post("/api/v1/submissions", Some(&pat), &case_study("Logged"))
        .await;
    let (bad_pat, _, _) = app
        .get("/api/v1/submissions", Some(&format!("{pat}x")))
        .await;
    let (bad_jwt, _, _) = app
        .get("/api/v1/members/me", Some(&format!("{jwt}x")))
        .await;
    let admin = app.admin().await;
    let (hook_status, _, hook) = app
        .post(
            "/api/v1/webhooks",
            Some(&admin.token),
            &json!({"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}),
        )
        .await;
    assert_eq!(hook_status, StatusCode::CREATED, "{hook}");
    let hook_secret = hook["secret"].as_str().unwrap().to_owned();
    let (fanned, _, fan_body) = app
        // The admin's own draft: an admin's webhook carries no other member's drafts.
        .post(
            "/api/v1/submissions",
            Some(&admin.token),
            &case_study("Fan out"),
        )
        .await;
    assert_eq!(fanned, StatusCode::CREATED, "{fan_body}");
    let deliveries = format!(
        "/api/v1/webhooks/{}/deliveries",
        hook["id"].as_str().unwrap()
    );
    let mut attempted = false;
    for _ in 0..100 {
        let (_, _, list) = app.get(&deliveries, Some(&admin.token)).await;
        if list["items"][0]["attempts"].as_i64().unwrap_or(0) > 0 {
            attempted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        attempted,
        "a webhook delivery was attempted, so its logs are checked"
    );

    assert_eq!(registered, StatusCode::CREATED);
    assert_eq!(again, StatusCode::CREATED);
    assert_eq!(refused, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown, StatusCode::UNAUTHORIZED);
    assert_eq!(logged_in, StatusCode::OK);
    assert_eq!(used, StatusCode::CREATED);
    assert_eq!(bad_pat, StatusCode::UNAUTHORIZED);
    assert_eq!(bad_jwt, StatusCode::UNAUTHORIZED);
    assert!(!pat.is_empty() && !hook_secret.is_empty() && !jwt.is_empty());
    let text = logs.text();
    for expected in [
        "member registered",
        "member logged in",
        "login failed",
        "request finished",
        "webhook attempt",
    ] {
        assert!(
            text.contains(expected),
            "the capture works: no {expected:?} in\n{text:.2000}"
        );
    }
    let signature = jwt.rsplit('.').next().unwrap().to_owned();
    for (what, secret) in [
        ("the password", password),
        ("a wrong password", wrong_password),
        ("the session token", jwt.as_str()),
        ("the session token's signature", signature.as_str()),
        ("the personal access token", pat.as_str()),
        ("the webhook secret", hook_secret.as_str()),
        ("the signing key", JWT_SECRET),
        ("a test password", hub_tests::PASSWORD),
    ] {
        if let Some(at) = text.find(secret) {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let line = text[line_start..].lines().next().unwrap();
            panic!("{what} is in the logs:\n{line}");
        }
    }
    assert!(
        !text.to_lowercase().contains("bearer "),
        "an authorization header is in the logs"
    );
}
