//! Every answer is written the same way: instants as RFC 3339 UTC with six
//! fractional digits, and every JSON body ending with a newline.

use hub_tests::{TestApp, journey, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Whether a string is meant as an instant: it starts `YYYY-MM-DDT`.
fn looks_like_instant(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() > 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
}

/// `2025-07-01T09:30:00.000000Z` exactly.
fn is_hub_instant(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    b.len() == 27
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'.'
        && digits(20..26)
        && b[26] == b'Z'
}

fn instants(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(text) if looks_like_instant(text) => found.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|v| instants(v, found)),
        Value::Object(fields) => fields.values().for_each(|v| instants(v, found)),
        _ => {}
    }
}

/// Fetches `path` and checks its raw body: JSON that ends with one newline.
async fn answer(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Value {
    let mut request = app.request(method.clone(), path, Some(token));
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{method} {path}: {status} {text}");
    assert!(
        content_type.starts_with("application/json"),
        "{method} {path}: {content_type}"
    );
    assert!(
        text.ends_with("}\n") || text.ends_with("]\n"),
        "{method} {path} does not end with a newline: {text:?}"
    );
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn every_instant_in_every_answer_has_one_format_and_json_ends_with_a_newline() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let admin = app.admin().await;
    let id = app.published(&author, &reviewer, &journey("Formats")).await;
    let (tokened, _, _) = app
        .post(
            "/api/v1/members/me/tokens",
            Some(&author.token),
            &json!({"name": "script", "scopes": ["submissions:read"]}),
        )
        .await;
    assert_eq!(tokened, StatusCode::CREATED);
    let quarter = {
        let now = chrono::Utc::now();
        format!(
            "{}-Q{}",
            chrono::Datelike::year(&now),
            chrono::Datelike::month(&now).div_ceil(3)
        )
    };

    let pages: Vec<(Method, String, &str)> = vec![
        (
            Method::GET,
            format!("/api/v1/submissions/{id}"),
            &author.token,
        ),
        (
            Method::GET,
            "/api/v1/submissions?mine=true".to_owned(),
            &author.token,
        ),
        (
            Method::GET,
            format!("/api/v1/submissions/{id}/history"),
            &author.token,
        ),
        (
            Method::GET,
            format!("/api/v1/submissions/{id}/reviews"),
            &author.token,
        ),
        (Method::GET, "/api/v1/events".to_owned(), &author.token),
        (Method::GET, "/api/v1/members/me".to_owned(), &author.token),
        (
            Method::GET,
            "/api/v1/members/me/tokens".to_owned(),
            &author.token,
        ),
        (
            Method::GET,
            "/api/v1/members/me/export".to_owned(),
            &author.token,
        ),
        (Method::GET, "/api/v1/audit".to_owned(), &admin.token),
        (
            Method::GET,
            format!("/api/v1/reports/quarterly/{quarter}"),
            &admin.token,
        ),
    ];
    let mut found = Vec::new();
    for (method, path, token) in &pages {
        let body = answer(&app, method.clone(), path, token, None).await;
        instants(&body, &mut found);
    }
    let created = answer(
        &app,
        Method::POST,
        "/api/v1/submissions",
        &author.token,
        Some(&journey("Formats, again")),
    )
    .await;
    instants(&created, &mut found);

    assert!(found.len() >= 30, "too few instants to judge: {found:?}");
    let odd: Vec<&String> = found.iter().filter(|t| !is_hub_instant(t)).collect();
    assert!(odd.is_empty(), "instants not in the one format: {odd:?}");
}

#[tokio::test]
async fn problems_end_with_a_newline_and_empty_answers_stay_empty() {
    let app = spawn_app().await;
    let author = app.member().await;
    let missing = app
        .request(
            Method::GET,
            "/api/v1/submissions/00000000-0000-0000-0000-000000000000",
            Some(&author.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    let text = missing.text().await.unwrap();
    assert!(text.ends_with("}\n"), "{text:?}");

    let draft = app.create_submission(&author.token, &journey("Gone")).await;
    let gone = app
        .request(
            Method::DELETE,
            &format!("/api/v1/submissions/{}", draft["id"].as_str().unwrap()),
            Some(&author.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_eq!(gone.bytes().await.unwrap().len(), 0);
}

#[test]
fn the_instant_pattern_is_strict() {
    assert!(is_hub_instant("2025-07-01T09:30:00.000000Z"));
    assert!(!is_hub_instant("2025-07-01T09:30:00Z"));
    assert!(!is_hub_instant("2025-07-01T09:30:00.123Z"));
    assert!(!is_hub_instant("2025-07-01T09:30:00.123456789Z"));
    assert!(!is_hub_instant("2025-07-01T09:30:00.000000+00:00"));
    assert!(looks_like_instant("2025-07-01T09:30:00+00:00"));
    assert!(!looks_like_instant("2025-07-01"));
}
