use hub_tests::Answer;
use hub_tests::spawn_app;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn liveness_and_readiness_answer_ok() {
    let app = spawn_app().await;

    let (live, _, live_body) = app.get("/health/live", None).await;
    let (ready, _, ready_body) = app.get("/health/ready", None).await;

    assert_eq!(live, StatusCode::OK);
    assert_eq!(live_body["status"], "ok");
    assert_eq!(ready, StatusCode::OK);
    assert_eq!(ready_body["status"], "ok");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_a_sane_one() {
    let app = spawn_app().await;

    let (_, generated, _) = app.get("/health/live", None).await;
    let (_, echoed, _) = app
        .send(
            app.request(Method::GET, "/health/live", None)
                .header("x-request-id", "trace-abc-123"),
        )
        .await;
    let (_, replaced, _) = app
        .send(
            app.request(Method::GET, "/api/v1/nothing", None)
                .header("x-request-id", "bad id\twith spaces"),
        )
        .await;

    assert!(generated.get("x-request-id").is_some());
    assert_eq!(echoed["x-request-id"], "trace-abc-123");
    assert_ne!(replaced["x-request-id"], "bad id\twith spaces");
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    let member = app.member().await;
    app.get(
        &format!("/api/v1/submissions/{}", uuid::Uuid::now_v7()),
        Some(&member.token),
    )
    .await
    .expect_status(StatusCode::NOT_FOUND);

    let (status, headers, body) = app.get("/metrics", None).await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = body.as_str().unwrap();
    assert!(text.contains(r#"hub_http_requests_total{method="GET",route="/api/v1/submissions/{id}",status="404"} 1"#), "{text}");
    assert!(text.contains("hub_http_request_duration_seconds_bucket"));
    assert!(text.contains("hub_db_pool_connections"));
}

#[tokio::test]
async fn with_a_metrics_token_metrics_are_only_for_its_holder() {
    let token = "metrics-token-for-the-scraper-0123456789";
    let app = hub_tests::spawn_app_with(&[("HUB_METRICS_TOKEN", token)]).await;

    let (anonymous, headers, problem) = app.get("/metrics", None).await;
    let (wrong, _, _) = app
        .get("/metrics", Some("metrics-token-for-the-scraper-9876543210"))
        .await;
    let (member_token, _, _) = {
        let member = app.member().await;
        app.get("/metrics", Some(&member.token)).await
    };
    let (scraper, _, body) = app.get("/metrics", Some(token)).await;

    assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{problem}");
    assert!(headers.contains_key("www-authenticate"));
    assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    assert_eq!(member_token, StatusCode::UNAUTHORIZED);
    assert_eq!(scraper, StatusCode::OK);
    assert!(body.as_str().unwrap().contains("hub_http_requests_total"));
}
