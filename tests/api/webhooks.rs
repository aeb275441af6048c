use hub_tests::{Answer, TestApp, case_study, spawn_app_on, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) headers: HashMap<String, String>,
    pub(crate) body: Vec<u8>,
    pub(crate) at: Instant,
}

/// What the receiver answers with a failing status: never to be echoed.
const INTERNAL_ANSWER: &str = "db password is hunter2";

/// A webhook receiver on loopback that answers `statuses` in turn (then 200).
pub(crate) async fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}/hooks",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    tokio::spawn(async move {
        let mut answers = statuses.into_iter();
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = Vec::new();
            let mut chunk = [0_u8; 4096];
            let (head_end, length) = loop {
                let Ok(n) = socket.read(&mut chunk).await else {
                    break (0, 0);
                };
                if n == 0 {
                    break (0, 0);
                }
                buffer.extend_from_slice(&chunk[..n]);
                if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buffer[..end]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    break (end + 4, length);
                }
            };
            while buffer.len() < head_end + length {
                let Ok(n) = socket.read(&mut chunk).await else {
                    break;
                };
                if n == 0 {
                    break;
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
            let headers = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            let body = buffer[head_end..].to_vec();
            log.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Received {
                    headers,
                    body,
                    at: Instant::now(),
                });
            let status = answers.next().unwrap_or(200);
            // A failing answer carries what an internal service might leak.
            let body = if status == 200 { "" } else { INTERNAL_ANSWER };
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    (url, received)
}

async fn register(app: &TestApp, admin: &str, url: &str) -> (String, String) {
    register_for(app, admin, url, "submission.created").await
}

pub(crate) async fn register_for(
    app: &TestApp,
    admin: &str,
    url: &str,
    event: &str,
) -> (String, String) {
    let (status, _, created) = app
        .post(
            "/api/v1/webhooks",
            Some(admin),
            &json!({"url": url, "event_types": [event]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (
        created["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

pub(crate) async fn deliveries(app: &TestApp, admin: &str, webhook: &str) -> Value {
    app.get(
        &format!("/api/v1/webhooks/{webhook}/deliveries"),
        Some(admin),
    )
    .await
    .expect_status(StatusCode::OK)
}

pub(crate) async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..100 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn deliveries_are_signed_and_recorded() {
    let app = spawn_app_with(&[("HUB_WEBHOOK_POLL_MS", "50")]).await;
    let admin = app.admin().await;
    // An admin's webhooks carry only what that admin may see: their own drafts.
    let member = &admin;
    let (url, received) = receiver(vec![]).await;
    let (id, secret) = register(&app, &admin.token, &url).await;

    let draft = app
        .create_submission(&member.token, &case_study("Hooked"))
        .await;
    wait_for("the delivery", async || {
        !received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    })
    .await;
    let got = received.lock().unwrap_or_else(|e| e.into_inner())[0].clone();

    let signature = got.headers.get("hub-signature").cloned().unwrap();
    let timestamp: i64 = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|t| t.parse().ok())
        .unwrap();
    assert_eq!(
        domain::webhook::sign(&secret, timestamp, &got.body),
        Some(signature.clone()),
        "the signature verifies"
    );
    assert_ne!(
        domain::webhook::sign("wrong", timestamp, &got.body),
        Some(signature)
    );
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    let body: Value = serde_json::from_slice(&got.body).unwrap_or(Value::Null);
    assert_eq!(body["event"]["type"], "submission.created");
    assert_eq!(body["event"]["submission_id"], draft["id"]);
    assert_eq!(
        got.headers.get("hub-event").map(String::as_str),
        Some("submission.created")
    );
    wait_for("the recorded delivery", async || {
        let list = deliveries(&app, &admin.token, &id).await;
        list["items"][0]["state"] == "delivered"
    })
    .await;
    let list = deliveries(&app, &admin.token, &id).await;
    assert_eq!(list["items"][0]["attempts"], 1);
    assert_eq!(list["items"][0]["last_status_code"], 200);
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(1),
        "one event type subscribed"
    );
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_a_restart() {
    // The first instance reads the outbox only once, at start: it stands for
    // a service stopped before it could deliver.
    let first = spawn_app_with(&[("HUB_WEBHOOK_POLL_MS", "600000")]).await;
    let admin = first.admin().await;
    // An admin's webhooks carry only what that admin may see: their own drafts.
    let member = &admin;
    let (url, received) = receiver(vec![500]).await;
    let (id, _) = register(&first, &admin.token, &url).await;
    let draft = first
        .create_submission(&member.token, &case_study("Survives"))
        .await;
    let waiting = deliveries(&first, &admin.token, &id).await;
    let feed = first
        .get("/api/v1/events", Some(&member.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(waiting["items"], json!([]), "not yet fanned out: {waiting}");
    assert!(
        feed["items"].as_array().is_some_and(|items| items
            .iter()
            .any(|e| e["submission_id"] == draft["id"] && e["type"] == "submission.created")),
        "the event waits in the outbox: {feed}"
    );

    let restarted_at = Instant::now();
    let restarted = spawn_app_on(&first.database_url, &[("HUB_WEBHOOK_POLL_MS", "50")]).await;
    wait_for("redelivery", async || {
        let list = deliveries(&restarted, &admin.token, &id).await;
        list["items"][0]["state"] == "delivered"
    })
    .await;

    let list = deliveries(&restarted, &admin.token, &id).await;
    assert_eq!(list["items"][0]["attempts"], 2, "{list}");
    let got = received.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(got.len(), 2);
    assert!(
        got.iter().all(|r| r.at >= restarted_at),
        "every attempt was made after the restart"
    );
    assert_eq!(
        got[0].headers.get("hub-delivery"),
        got[1].headers.get("hub-delivery"),
        "the same delivery id on retry"
    );
}

#[tokio::test]
async fn a_webhook_gets_only_the_event_types_it_asked_for() {
    let app = spawn_app_with(&[("HUB_WEBHOOK_POLL_MS", "50")]).await;
    let admin = app.admin().await;
    let member = app.member().await;
    let (url, received) = receiver(vec![]).await;
    let (id, _) = register_for(&app, &admin.token, &url, "submission.submitted").await;

    let draft = app
        .create_submission(&member.token, &case_study("Filtered"))
        .await;
    let draft_id = draft["id"].as_str().unwrap();
    app.submit(&member.token, draft_id)
        .await
        .expect_status(StatusCode::OK);
    wait_for("the submitted event", async || {
        !received.lock().unwrap().is_empty()
    })
    .await;
    wait_for("the recorded delivery", async || {
        let list = deliveries(&app, &admin.token, &id).await;
        list["items"][0]["state"] == "delivered"
    })
    .await;

    let got = received.lock().unwrap().clone();
    let events: Vec<&str> = got
        .iter()
        .filter_map(|r| r.headers.get("hub-event").map(String::as_str))
        .collect();
    assert_eq!(
        events,
        vec!["submission.submitted"],
        "the created event, older than the submitted one, was never sent"
    );
    let list = deliveries(&app, &admin.token, &id).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list["items"][0]["event_type"], "submission.submitted");
}

#[tokio::test]
async fn only_admins_register_webhooks_and_urls_are_checked() {
    let app = spawn_app_with(&[]).await;
    let admin = app.admin().await;
    let member = app.member().await;

    let (as_member, _, _) = app
        .post(
            "/api/v1/webhooks",
            Some(&member.token),
            &json!({"url": "http://127.0.0.1:9/h", "event_types": ["*"]}),
        )
        .await;
    let (bad, _, problem) = app
        .post(
            "/api/v1/webhooks",
            Some(&admin.token),
            &json!({"url": "ftp://x", "event_types": ["everything"]}),
        )
        .await;

    assert_eq!(as_member, StatusCode::FORBIDDEN);
    assert_eq!(bad, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["errors"].as_array().map(Vec::len),
        Some(2),
        "{problem}"
    );
}

#[tokio::test]
async fn loopback_urls_are_refused_unless_allowed() {
    let app = spawn_app_with(&[("HUB_WEBHOOK_ALLOW_LOOPBACK", "false")]).await;
    let admin = app.admin().await;

    for url in [
        "http://127.0.0.1:9/h",
        "http://localhost:9/h",
        "http://[::1]:9/h",
    ] {
        let (status, _, problem) = app
            .post(
                "/api/v1/webhooks",
                Some(&admin.token),
                &json!({"url": url, "event_types": ["*"]}),
            )
            .await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "url", "{problem}");
        assert_eq!(problem["errors"][0]["code"], "loopback_not_allowed");
    }
    let listed = app
        .get("/api/v1/webhooks", Some(&admin.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(listed["items"], json!([]), "none was registered: {listed}");
}

fn actions_with_actor(page: &Value, actor: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["actor_id"] == actor && e["at"].is_string())
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn admins_disable_change_rotate_and_delete_webhooks_and_each_change_is_audited() {
    let app = spawn_app_with(&[]).await;
    let admin = app.admin().await;
    let member = app.member().await;
    let (url, _) = receiver(vec![]).await;
    let (id, secret) = register(&app, &admin.token, &url).await;
    let path = format!("/api/v1/webhooks/{id}");

    let (disabled, _, view) = app
        .patch(&path, Some(&admin.token), None, &json!({"active": false}))
        .await;
    let (retyped, _, retyped_view) = app
        .patch(
            &path,
            Some(&admin.token),
            None,
            &json!({"event_types": ["submission.published", "submission.submitted"]}),
        )
        .await;
    let (unknown_type, _, problem) = app
        .patch(
            &path,
            Some(&admin.token),
            None,
            &json!({"event_types": ["submission.published", "everything"]}),
        )
        .await;
    let (as_member, _, _) = app
        .patch(&path, Some(&member.token), None, &json!({"active": true}))
        .await;
    let (rotated, _, rotated_view) = app
        .post(
            &format!("{path}/rotate-secret"),
            Some(&admin.token),
            &json!({}),
        )
        .await;
    let (deleted, _, _) = app.delete(&path, Some(&admin.token)).await;
    let (again, _, _) = app.delete(&path, Some(&admin.token)).await;
    let (gone_patch, _, _) = app
        .patch(&path, Some(&admin.token), None, &json!({"active": true}))
        .await;
    let (gone_rotate, _, _) = app
        .post(
            &format!("{path}/rotate-secret"),
            Some(&admin.token),
            &json!({}),
        )
        .await;

    assert_eq!(disabled, StatusCode::OK, "{view}");
    assert_eq!(view["active"], false);
    assert_eq!(view["event_types"], json!(["submission.created"]));
    assert_eq!(retyped, StatusCode::OK, "{retyped_view}");
    assert_eq!(retyped_view["active"], false, "kept while not named");
    assert_eq!(
        retyped_view["event_types"],
        json!(["submission.published", "submission.submitted"])
    );
    assert_eq!(unknown_type, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "event_types[1]", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "unknown_code");
    assert_eq!(as_member, StatusCode::FORBIDDEN);
    assert_eq!(rotated, StatusCode::OK, "{rotated_view}");
    let new_secret = rotated_view["secret"]
        .as_str()
        .expect("the test expected this value to be present");
    assert_eq!(new_secret.len(), 64, "{rotated_view}");
    assert_ne!(new_secret, secret);
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    assert_eq!(again, StatusCode::NOT_FOUND);
    assert_eq!(gone_patch, StatusCode::NOT_FOUND);
    assert_eq!(gone_rotate, StatusCode::NOT_FOUND);
    let listed = app
        .get("/api/v1/webhooks", Some(&admin.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(listed["items"], json!([]), "{listed}");
    let audit = app
        .get(
            &format!("/api/v1/audit?target_id={id}&limit=100"),
            Some(&admin.token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        actions_with_actor(&audit, &admin.id.to_string()),
        vec![
            "webhook_deleted",
            "webhook_secret_rotated",
            "webhook_changed",
            "webhook_changed",
            "webhook_created"
        ],
        "newest first, refused changes not recorded: {audit}"
    );
    assert!(
        !audit.to_string().contains(new_secret) && !audit.to_string().contains(&secret),
        "no secret in the audit log"
    );
}

#[tokio::test]
async fn an_admins_webhook_never_carries_another_members_draft() {
    let app = spawn_app_with(&[("HUB_WEBHOOK_POLL_MS", "50")]).await;
    let admin = app.admin().await;
    let member = app.member().await;
    let (url, received) = receiver(vec![]).await;
    let (id, _) = register_for(&app, &admin.token, &url, "*").await;

    let theirs = app
        .create_submission(&member.token, &case_study("Their draft"))
        .await;
    let their_id = theirs["id"]
        .as_str()
        .expect("the test expected this value to be present")
        .to_owned();
    let own = app
        .create_submission(&admin.token, &case_study("The admin's own draft"))
        .await;
    app.submit(&member.token, &their_id)
        .await
        .expect_status(StatusCode::OK);
    wait_for("two deliveries", async || {
        crate::webhook_replicas::all_delivered(&app, &admin.token, &id, 2).await
    })
    .await;
    // Later events would have followed the submitted one; give a stray one time to show.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let got: Vec<(String, Value)> = received
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            (
                r.headers
                    .get("hub-event")
                    .cloned()
                    .expect("the test expected this value to be present"),
                body["event"]["submission_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("submission.created".to_owned(), own["id"].clone()),
            ("submission.submitted".to_owned(), theirs["id"].clone()),
        ],
        "the member's draft (created, edited) never reached the admin's webhook"
    );
}

#[tokio::test]
async fn a_delivery_checks_its_target_again_and_sends_nothing_to_a_refused_one() {
    // Registered while loopback targets were allowed; delivered by an
    // instance where they are not: the check at delivery refuses it.
    let first = spawn_app_with(&[("HUB_WEBHOOK_POLL_MS", "600000")]).await;
    let admin = first.admin().await;
    let (url, received) = receiver(vec![]).await;
    let (id, _) = register(&first, &admin.token, &url).await;
    first
        .create_submission(&admin.token, &case_study("Refused at delivery"))
        .await;

    let strict = spawn_app_on(
        &first.database_url,
        &[
            ("HUB_WEBHOOK_POLL_MS", "50"),
            ("HUB_WEBHOOK_ALLOW_LOOPBACK", "false"),
        ],
    )
    .await;
    wait_for("the refused attempt", async || {
        let list = deliveries(&strict, &admin.token, &id).await;
        list["items"][0]["attempts"].as_i64().unwrap_or(0) >= 1
    })
    .await;

    let list = deliveries(&strict, &admin.token, &id).await;
    let error = list["items"][0]["last_error"]
        .as_str()
        .expect("the test expected this value to be present");
    assert!(error.starts_with("refused"), "{list}");
    assert_eq!(
        list["items"][0]["state"], "pending",
        "retried later: {list}"
    );
    assert_eq!(list["items"][0]["last_status_code"], Value::Null);
    assert!(
        received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn a_failed_delivery_records_the_status_and_never_the_answers_body() {
    let app = spawn_app_with(&[("HUB_WEBHOOK_POLL_MS", "50")]).await;
    let admin = app.admin().await;
    let (url, _) = receiver(vec![500]).await;
    let (id, _) = register(&app, &admin.token, &url).await;
    app.create_submission(&admin.token, &case_study("Answered 500"))
        .await;

    wait_for("the failed attempt", async || {
        let list = deliveries(&app, &admin.token, &id).await;
        list["items"][0]["attempts"].as_i64().unwrap_or(0) >= 1
    })
    .await;

    let list = deliveries(&app, &admin.token, &id).await;
    assert_eq!(list["items"][0]["last_status_code"], 500, "{list}");
    assert_eq!(
        list["items"][0]["last_error"], "answered 500 Internal Server Error",
        "{list}"
    );
    assert!(!list.to_string().contains(INTERNAL_ANSWER), "{list}");
}

#[tokio::test]
async fn a_problem_lists_at_most_a_hundred_errors_and_says_how_many_more() {
    let app = spawn_app_with(&[]).await;
    let admin = app.admin().await;
    let names: Vec<String> = (0..150).map(|i| format!("unknown.{i}")).collect();

    let (status, _, problem) = app
        .post(
            "/api/v1/webhooks",
            Some(&admin.token),
            &json!({"url": "http://127.0.0.1:9/h", "event_types": names}),
        )
        .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"].as_array().map(Vec::len), Some(100));
    assert_eq!(problem["errors"][99]["field"], "event_types[99]");
    assert_eq!(problem["errors_not_listed"], 50, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.ends_with("and 50 more not listed (at most 100 are)")),
        "{problem}"
    );
}
