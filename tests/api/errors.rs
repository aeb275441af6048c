use hub_tests::{spawn_app, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;

    let (status, headers, body) = app
        .send(
            app.request(Method::POST, "/api/v1/auth/register", None)
                .header("content-type", "application/json")
                .body("{\"email\": "),
        )
        .await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["code"], "malformed_request");
    assert_eq!(body["status"], 400);
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
}

#[tokio::test]
async fn deeply_nested_json_is_refused_not_crashed_on() {
    let app = spawn_app().await;
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));

    let (status, headers, _) = app
        .send(
            app.request(Method::POST, "/api/v1/auth/login", None)
                .header("content-type", "application/json")
                .body(nested),
        )
        .await;
    let deep_object = "{\"email\":".repeat(10_000);
    let (object_status, _, _) = app
        .send(
            app.request(Method::POST, "/api/v1/auth/login", None)
                .header("content-type", "application/json")
                .body(deep_object),
        )
        .await;

    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{status}"
    );
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(object_status.is_client_error(), "{object_status}");
}

#[tokio::test]
async fn wrong_content_type_is_a_415_problem() {
    let app = spawn_app().await;

    let (status, headers, body) = app
        .send(
            app.request(Method::POST, "/api/v1/auth/login", None)
                .header("content-type", "text/plain")
                .body("hello"),
        )
        .await;

    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["code"], "unsupported_media_type");
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_problem() {
    let app = spawn_app_with(&[("HUB_BODY_LIMIT_BYTES", "2048")]).await;
    let member = app.member().await;
    let big = json!({"kind": "case_study", "title": "x", "summary": "y".repeat(4096)});

    let (status, headers, body) = app
        .post("/api/v1/submissions", Some(&member.token), &big)
        .await;

    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["code"], "payload_too_large");
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_are_422_naming_the_field() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (wrong_type, _, wrong_type_body) = app
        .post(
            "/api/v1/submissions",
            Some(&member.token),
            &json!({"kind": "case_study", "title": 42}),
        )
        .await;
    let (unknown, _, unknown_body) = app
        .post(
            "/api/v1/submissions",
            Some(&member.token),
            &json!({"kind": "case_study", "status": "published"}),
        )
        .await;
    let (bad_enum, _, bad_enum_body) = app
        .post(
            "/api/v1/submissions",
            Some(&member.token),
            &json!({"kind": "novel"}),
        )
        .await;

    assert_eq!(wrong_type, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_type_body["errors"][0]["field"], "title");
    assert_eq!(unknown, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown_body["errors"][0]["field"], "status");
    assert_eq!(bad_enum, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_enum_body["errors"][0]["field"], "kind");
}

#[tokio::test]
async fn missing_token_is_401_and_unknown_paths_are_404_problems() {
    let app = spawn_app().await;

    let (no_token, headers, _) = app.get("/api/v1/submissions", None).await;
    let (unknown_path, path_headers, body) = app.get("/api/v1/nothing-here", None).await;
    let (bad_id, _, _) = app
        .get(
            "/api/v1/submissions/not-a-uuid",
            Some(&app.member().await.token),
        )
        .await;

    assert_eq!(no_token, StatusCode::UNAUTHORIZED);
    assert!(headers.get("www-authenticate").is_some());
    assert_eq!(unknown_path, StatusCode::NOT_FOUND);
    assert_eq!(path_headers["content-type"], "application/problem+json");
    assert_eq!(body["code"], "not_found");
    assert_eq!(bad_id, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn non_admins_get_403_problems() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (status, headers, body) = app.set_role(&member.token, member.id, "admin").await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["code"], "forbidden");
}

#[tokio::test]
async fn an_undeclared_method_on_a_known_path_is_405_with_allow_and_missing_credentials_come_first()
{
    let app = spawn_app().await;
    let member = app.member().await;
    for (method, path, allow) in [
        ("TRACE", "/api/v1/audit", "GET"),
        ("PUT", "/api/v1/events", "GET"),
        ("DELETE", "/api/v1/taxonomy", "GET"),
        ("GET", "/api/v1/auth/login", "POST"),
    ] {
        let response = app
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                path,
                Some(&member.token),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "method_not_allowed");
    }

    // No credentials: 401 before the path, the query or the body is judged.
    for (method, path, body) in [
        ("GET", "/api/v1/submissions/not-a-uuid", None),
        ("GET", "/api/v1/submissions?limit=", None),
        ("POST", "/api/v1/submissions", Some("{\"kind\": 7}")),
        ("PATCH", "/api/v1/members/me", Some("not json")),
    ] {
        let mut request = app.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            path,
            None,
        );
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert!(response.headers().contains_key("www-authenticate"));
    }
}

#[tokio::test]
async fn answers_carry_nosniff_authenticated_json_is_not_stored_and_the_docs_cannot_be_framed() {
    let app = spawn_app().await;
    let member = app.member().await;
    let (_, mine, _) = app.get("/api/v1/members/me", Some(&member.token)).await;
    let (_, export, _) = app
        .get("/api/v1/members/me/export", Some(&member.token))
        .await;
    let (_, public, _) = app.get("/api/v1/taxonomy", None).await;
    let (_, missing, _) = app
        .get(
            "/api/v1/submissions/00000000-0000-0000-0000-000000000000",
            Some(&member.token),
        )
        .await;
    for headers in [&mine, &export, &missing] {
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
    assert_eq!(public["x-content-type-options"], "nosniff");
    assert!(!public.contains_key("cache-control") || public["cache-control"] != "no-store");

    let docs = app
        .request(Method::GET, "/docs/", None)
        .send()
        .await
        .unwrap();
    let policy = docs.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert_eq!(docs.headers()["x-content-type-options"], "nosniff");
}
