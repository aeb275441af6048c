use hub_tests::{spawn_app, spawn_app_with};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn a_caller_over_the_limit_gets_429_with_retry_after() {
    let app = spawn_app_with(&[
        ("HUB_RATE_LIMIT_PER_MINUTE", "6"),
        ("HUB_RATE_LIMIT_BURST", "3"),
    ])
    .await;

    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(app.get("/api/v1/taxonomy", None).await);
    }

    let (first, first_headers, _) = &answers[0];
    assert_eq!(*first, StatusCode::OK);
    assert_eq!(first_headers["ratelimit-limit"], "3");
    assert_eq!(first_headers["ratelimit-remaining"], "2");
    assert!(first_headers.contains_key("ratelimit-reset"));
    assert_eq!(answers[2].0, StatusCode::OK);
    assert_eq!(answers[2].1["ratelimit-remaining"], "0");
    let (refused, headers, problem) = &answers[3];
    assert_eq!(*refused, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(problem["code"], "too_many_requests");
    let retry_after: u64 = headers["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    assert_eq!(headers["ratelimit-remaining"], "0");
}

#[tokio::test]
async fn unknown_credentials_share_their_address_bucket_and_health_is_not_limited() {
    let app = spawn_app_with(&[
        ("HUB_RATE_LIMIT_PER_MINUTE", "1"),
        ("HUB_RATE_LIMIT_BURST", "1"),
    ])
    .await;
    // Registering uses the address's only request.
    let (registered, _) = app
        .register("rate@example.org", hub_tests::PASSWORD, "Rate Limited")
        .await;

    let (anonymous, _, _) = app.get("/api/v1/taxonomy", None).await;
    let (made_up, _, _) = app
        .get("/api/v1/taxonomy", Some("some-made-up-token"))
        .await;
    let (unknown_token, _, _) = app.get("/api/v1/taxonomy", Some("hub_pat_aaaa")).await;
    let (other_token, _, _) = app.get("/api/v1/taxonomy", Some("hub_pat_bbbb")).await;
    let (health, _, _) = app.get("/health/live", None).await;

    assert_eq!(registered, StatusCode::CREATED);
    assert_eq!(anonymous, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        made_up,
        StatusCode::TOO_MANY_REQUESTS,
        "a made-up token shares its address's bucket"
    );
    assert_eq!(
        (unknown_token, other_token),
        (StatusCode::TOO_MANY_REQUESTS, StatusCode::TOO_MANY_REQUESTS),
        "made-up personal access tokens get no budget of their own"
    );
    assert_eq!(health, StatusCode::OK);
}

#[tokio::test]
async fn a_configured_origin_gets_its_preflight_answered() {
    let app = spawn_app_with(&[("HUB_CORS_ORIGINS", "https://hub.example.org")]).await;

    let (status, headers, _) = app
        .send(
            app.request(Method::OPTIONS, "/api/v1/submissions", None)
                .header("origin", "https://hub.example.org")
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization, content-type, idempotency-key",
                ),
        )
        .await;

    assert!(status.is_success(), "{status}");
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://hub.example.org"
    );
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    assert!(
        methods.contains("POST") && methods.contains("PATCH"),
        "{methods}"
    );
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("idempotency-key"),
        "{allowed}"
    );
}

#[tokio::test]
async fn responses_to_an_allowed_origin_expose_etag_location_and_request_id() {
    let app = spawn_app_with(&[("HUB_CORS_ORIGINS", "https://hub.example.org")]).await;
    let member = app.member().await;

    let (status, headers, _) = app
        .send(
            app.request(Method::POST, "/api/v1/submissions", Some(&member.token))
                .header("origin", "https://hub.example.org")
                .json(&hub_tests::case_study("From a browser")),
        )
        .await;

    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://hub.example.org"
    );
    let exposed = headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in ["etag", "location", "x-request-id"] {
        assert!(exposed.contains(name), "{name} not in {exposed}");
    }
}

#[tokio::test]
async fn another_origin_is_not_allowed() {
    let app = spawn_app_with(&[("HUB_CORS_ORIGINS", "https://hub.example.org")]).await;
    let plain = spawn_app().await;

    let (_, headers, _) = app
        .send(
            app.request(Method::OPTIONS, "/api/v1/submissions", None)
                .header("origin", "https://evil.example.com")
                .header("access-control-request-method", "POST"),
        )
        .await;
    let (_, plain_headers, _) = plain
        .send(
            plain
                .request(Method::OPTIONS, "/api/v1/submissions", None)
                .header("origin", "https://hub.example.org")
                .header("access-control-request-method", "POST"),
        )
        .await;

    assert!(!headers.contains_key("access-control-allow-origin"));
    assert!(!plain_headers.contains_key("access-control-allow-origin"));
}
