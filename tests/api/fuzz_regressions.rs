//! Answers that schema fuzzing (`.ci/fuzz.sh`) found outside the OpenAPI
//! document: each status and media type must be one the served spec lists for
//! that operation, and each body must fit its schema.

use hub_tests::{TestApp, case_study, spawn_app, spawn_app_with};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

async fn served_spec(app: &TestApp) -> Value {
    let (status, _, spec) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    spec
}

/// Fails unless the spec documents `status` for the operation and, when the
/// answer has a body, its media type (parameters such as charset aside).
fn assert_documented(
    spec: &Value,
    method: &Method,
    template: &str,
    status: StatusCode,
    headers: &HeaderMap,
) {
    let operation = &spec["paths"][template][method.as_str().to_ascii_lowercase()];
    assert!(
        operation.is_object(),
        "{method} {template} is not in the spec"
    );
    let response = &operation["responses"][status.as_str()];
    assert!(
        response.is_object(),
        "{method} {template} answered {status}, which the spec does not document"
    );
    let Some(received) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return;
    };
    let essence = received
        .split(';')
        .next()
        .unwrap()
        .trim()
        .to_ascii_lowercase();
    let documented: Vec<&String> = response["content"]
        .as_object()
        .map(|c| c.keys().collect())
        .unwrap();
    assert!(
        documented.iter().any(|d| **d == essence),
        "{method} {template} {status} came as {received}; the spec documents {documented:?}"
    );
}

/// Every operation in the spec: (method, path template, operation object).
fn operations(spec: &Value) -> Vec<(Method, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if let Ok(method) = method.to_ascii_uppercase().parse::<Method>() {
                found.push((method, path.clone(), operation.clone()));
            }
        }
    }
    found
}

/// The template with every path parameter filled: UUIDs with `uuid`, anything
/// else with `other`.
fn fill(template: &str, operation: &Value, uuid: &str, other: &str) -> String {
    let mut path = template.to_owned();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] != "path" {
            continue;
        }
        let name = parameter["name"].as_str().unwrap();
        let value = if parameter["schema"]["format"] == "uuid" {
            uuid
        } else {
            other
        };
        path = path.replace(&format!("{{{name}}}"), value);
    }
    path
}

fn takes_json(operation: &Value) -> bool {
    operation["requestBody"]["content"]["application/json"].is_object()
}

#[tokio::test]
async fn bodies_that_are_not_json_are_answered_as_documented() {
    let app = spawn_app_with(&[("HUB_BODY_LIMIT_BYTES", "1024")]).await;
    let admin = app.admin().await;
    let spec = served_spec(&app).await;
    let too_large = json!({ "padding": "x".repeat(4096) }).to_string();
    let mut checked = 0;
    for (method, template, operation) in operations(&spec) {
        if !takes_json(&operation) {
            continue;
        }
        let path = fill(
            &template,
            &operation,
            &Uuid::now_v7().to_string(),
            "2025-Q3",
        );
        for (content_type, body, expected) in [
            (
                "application/json",
                "not json".to_owned(),
                StatusCode::BAD_REQUEST,
            ),
            (
                "text/plain",
                "{}".to_owned(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (
                "application/json",
                too_large.clone(),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
        ] {
            let (status, headers, answer) = app
                .send(
                    app.request(method.clone(), &path, Some(&admin.token))
                        .header("content-type", content_type)
                        .header("if-match", "\"1\"")
                        .body(body),
                )
                .await;
            assert_eq!(
                status, expected,
                "{method} {template} with {content_type}: {answer}"
            );
            assert_documented(&spec, &method, &template, status, &headers);
        }
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} operations take JSON");
}

#[tokio::test]
async fn ids_that_are_not_ids_are_documented_404s() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let spec = served_spec(&app).await;
    let mut checked = 0;
    for (method, template, operation) in operations(&spec) {
        let has_id = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["in"] == "path" && p["schema"]["format"] == "uuid");
        if !has_id {
            continue;
        }
        let path = fill(&template, &operation, "null%2Cnull", "2025-Q3");
        let mut request = app
            .request(method.clone(), &path, Some(&admin.token))
            .header("if-match", "\"1\"");
        if takes_json(&operation) {
            request = request.json(&json!({}));
        }
        let (status, headers, answer) = app.send(request).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{method} {template}: {answer}"
        );
        assert_documented(&spec, &method, &template, status, &headers);
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} operations take an id");
}

#[tokio::test]
async fn deliveries_of_a_webhook_that_does_not_exist_are_not_found() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let spec = served_spec(&app).await;

    let path = format!("/api/v1/webhooks/{}/deliveries", Uuid::now_v7());
    let (status, headers, body) = app.get(&path, Some(&admin.token)).await;

    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "not_found");
    assert_documented(
        &spec,
        &Method::GET,
        "/api/v1/webhooks/{id}/deliveries",
        status,
        &headers,
    );
}

#[tokio::test]
async fn audit_entries_without_details_still_have_a_details_object() {
    let app = spawn_app().await;
    let member = app.member().await;
    let admin = app.admin().await;
    app.create_submission(&member.token, &case_study("Details"))
        .await;

    let (export_status, _, export) = app
        .get("/api/v1/members/me/export", Some(&member.token))
        .await;
    let (audit_status, _, audit) = app.get("/api/v1/audit", Some(&admin.token)).await;

    assert_eq!(export_status, StatusCode::OK, "{export}");
    assert_eq!(audit_status, StatusCode::OK, "{audit}");
    let entries: Vec<&Value> = export["activity"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(audit["items"].as_array().into_iter().flatten())
        .collect();
    assert!(
        entries.iter().any(|e| e["action"] == "member_registered"),
        "{entries:?}"
    );
    for entry in entries {
        assert!(entry["details"].is_object(), "{entry}");
    }
}

#[tokio::test]
async fn downloads_come_in_a_documented_media_type() {
    let app = spawn_app().await;
    let member = app.member().await;
    let spec = served_spec(&app).await;
    let draft = app
        .create_submission(&member.token, &case_study("Run chart"))
        .await;
    let id = draft["id"].as_str().unwrap();
    let template = "/api/v1/submissions/{id}/attachments/{attachment_id}";

    for (name, bytes) in [
        ("run-chart.csv", b"week,falls\n1,14\n40,6\n".to_vec()),
        ("notes.txt", b"Falls fell from 14% to 6%.\n".to_vec()),
        (
            "poster.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec(),
        ),
    ] {
        let boundary = "fuzz-regression-boundary";
        let mut form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n"
        )
        .into_bytes();
        form.extend_from_slice(&bytes);
        form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let (status, _, uploaded) = app
            .send(
                app.request(
                    Method::POST,
                    &format!("/api/v1/submissions/{id}/attachments"),
                    Some(&member.token),
                )
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(form),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{uploaded}");
        let path = format!(
            "/api/v1/submissions/{id}/attachments/{}",
            uploaded["id"].as_str().unwrap()
        );

        let (whole, whole_headers, _) = app.get(&path, Some(&member.token)).await;
        let (part, part_headers, _) = app
            .send(
                app.request(Method::GET, &path, Some(&member.token))
                    .header("range", "bytes=0-3"),
            )
            .await;

        assert_eq!(whole, StatusCode::OK, "{name}");
        assert_eq!(part, StatusCode::PARTIAL_CONTENT, "{name}");
        assert_documented(&spec, &Method::GET, template, whole, &whole_headers);
        assert_documented(&spec, &Method::GET, template, part, &part_headers);
    }
}
