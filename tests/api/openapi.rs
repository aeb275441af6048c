use hub_tests::spawn_app;
use reqwest::StatusCode;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn committed_openapi_matches_the_code() {
    let generated = api::openapi::document_json();

    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date; regenerate it with:\n    cargo run -q -p api --bin innovation-hub -- openapi > openapi/openapi.json"
    );
}

#[test]
fn every_response_has_a_description_and_paths_are_documented() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().cloned().unwrap();
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/members/me",
        "/api/v1/members/{id}/role",
        "/api/v1/taxonomy",
        "/api/v1/submissions",
        "/api/v1/submissions/{id}",
        "/api/v1/submissions/{id}/submit",
        "/api/v1/submissions/{id}/withdraw",
        "/api/v1/submissions/{id}/attachments",
        "/api/v1/submissions/{id}/attachments/{attachment_id}",
        "/health/live",
        "/health/ready",
    ] {
        assert!(paths.contains_key(path), "{path} is missing from the spec");
    }
    for (path, operations) in &paths {
        for (method, operation) in operations.as_object().into_iter().flatten() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status} has no description"
                );
            }
        }
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn the_spec_and_an_offline_docs_page_are_served() {
    let app = spawn_app().await;

    let (spec_status, _, spec) = app.get("/api/v1/openapi.json", None).await;
    let (redirect, headers, _) = app.get("/docs", None).await;
    let (docs_status, _, page) = app.get("/docs/", None).await;

    assert_eq!(spec_status, StatusCode::OK);
    assert_eq!(spec["info"]["title"], "Innovation hub submission service");
    assert!(redirect.is_redirection());
    assert_eq!(headers["location"], "/docs/");
    assert_eq!(docs_status, StatusCode::OK);
    let html = page.as_str().unwrap();
    assert!(html.contains("swagger-ui"));
    for attribute in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "url(http",
    ] {
        assert!(
            !html.contains(attribute),
            "the docs page loads an external asset: {attribute}"
        );
    }
    let (initializer, _, script) = app.get("/docs/swagger-initializer.js", None).await;
    assert_eq!(initializer, StatusCode::OK);
    assert!(script.as_str().unwrap().contains("/api/v1/openapi.json"));
}

#[test]
fn operation_summaries_are_one_line_of_plain_text() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut odd = Vec::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(summary) = operation["summary"].as_str() else {
                odd.push(format!("{method} {path}: no summary"));
                continue;
            };
            let plain = !summary.is_empty()
                && summary.len() <= 90
                && !summary.contains(['\n', '`', '*', '[', '_']);
            if !plain {
                odd.push(format!("{method} {path}: {summary:?}"));
            }
        }
    }
    assert!(
        odd.is_empty(),
        "summaries the docs page would show badly: {odd:#?}"
    );
}
