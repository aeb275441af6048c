//! Webhooks with several replicas on one database: each delivery is leased
//! to one dispatcher at a time, so it is sent once, in event order per webhook.

use crate::webhooks::{Received, deliveries, receiver, register_for, wait_for};
use domain::repository::WebhookRepository;
use futures_util::future::join_all;
use hub_tests::{Answer, TestApp, case_study, spawn_app_on, spawn_app_with};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Each replica reads the outbox every 20 ms, so both dispatch at once.
const REPLICA: [(&str, &str); 2] = [("HUB_WEBHOOK_POLL_MS", "20"), ("HUB_READ_CACHE", "off")];

async fn two_replicas() -> (TestApp, TestApp) {
    let first = spawn_app_with(&REPLICA).await;
    let second = spawn_app_on(&first.database_url, &REPLICA).await;
    (first, second)
}

fn received(log: &Arc<Mutex<Vec<Received>>>) -> Vec<Received> {
    log.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

fn delivery_id(r: &Received) -> String {
    r.headers
        .get("hub-delivery")
        .cloned()
        .unwrap_or_else(|| panic!("a delivery without Hub-Delivery: {:?}", r.headers))
}

fn event_seq(r: &Received) -> i64 {
    let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    body["event"]["cursor"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no cursor in {body}"))
}

pub(crate) async fn all_delivered(app: &TestApp, admin: &str, webhook: &str, count: usize) -> bool {
    let list = deliveries(app, admin, webhook).await;
    list["items"].as_array().is_some_and(|items| {
        items.len() == count && items.iter().all(|d| d["state"] == "delivered")
    })
}

#[tokio::test]
async fn two_replicas_send_each_delivery_once_in_event_order() {
    const EVENTS: usize = 40;
    let (first, second) = two_replicas().await;
    let admin = first.admin().await;
    // An admin's webhooks carry only what that admin may see: their own drafts.
    let member = &admin;
    let (url, log) = receiver(vec![]).await;
    let (webhook, _) = register_for(&first, &admin.token, &url, "submission.created").await;

    // Half the drafts are made on each replica, all at once.
    let creates = (0..EVENTS).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        let token = member.token.clone();
        async move {
            app.create_submission(&token, &case_study(&format!("Replicated {i}")))
                .await
        }
    });
    join_all(creates).await;
    wait_for("every delivery", async || {
        all_delivered(&second, &admin.token, &webhook, EVENTS).await
    })
    .await;

    let got = received(&log);
    let ids: HashSet<String> = got.iter().map(delivery_id).collect();
    let seqs: Vec<i64> = got.iter().map(event_seq).collect();
    println!(
        "{EVENTS} events, two dispatchers: {} POSTs, {} distinct deliveries",
        got.len(),
        ids.len()
    );
    assert_eq!(got.len(), EVENTS, "one POST per event");
    assert_eq!(ids.len(), EVENTS, "each delivery id once");
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "sent in event order: {seqs:?}"
    );
    let list = deliveries(&first, &admin.token, &webhook).await;
    let attempts: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["attempts"])
        .collect();
    assert!(
        attempts.iter().all(|a| **a == 1),
        "one real attempt each: {attempts:?}"
    );
}

#[tokio::test]
async fn a_later_event_waits_while_an_earlier_one_is_retried() {
    let (first, second) = two_replicas().await;
    let admin = first.admin().await;
    // An admin's webhooks carry only what that admin may see: their own drafts.
    let member = &admin;
    let (url, log) = receiver(vec![500]).await;
    let (webhook, _) = register_for(&first, &admin.token, &url, "*").await;

    let draft = first
        .create_submission(&member.token, &case_study("Retried first"))
        .await;
    second
        .submit(&member.token, draft["id"].as_str().unwrap())
        .await
        .expect_status(StatusCode::OK);
    wait_for("both deliveries", async || {
        all_delivered(&first, &admin.token, &webhook, 2).await
    })
    .await;

    let got = received(&log);
    let order: Vec<(String, String)> = got
        .iter()
        .map(|r| (r.headers["hub-event"].clone(), delivery_id(r)))
        .collect();
    let list = deliveries(&first, &admin.token, &webhook).await;
    let created = list["items"][0]["id"].as_str().unwrap().to_owned();
    let submitted = list["items"][1]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        order,
        vec![
            ("submission.created".to_owned(), created.clone()),
            ("submission.created".to_owned(), created),
            ("submission.submitted".to_owned(), submitted),
        ],
        "the submitted event waited for the created one's retry"
    );
    assert_eq!(list["items"][0]["attempts"], 2, "{list}");
    assert_eq!(list["items"][1]["attempts"], 1, "{list}");
}

#[tokio::test]
async fn a_lapsed_lease_is_taken_over_and_only_its_new_holder_records() {
    // The service's own dispatcher reads the outbox once, at start, before
    // anything exists; the test then plays two dispatchers itself.
    let app = spawn_app_with(&[("HUB_WEBHOOK_POLL_MS", "600000")]).await;
    let admin = app.admin().await;
    // An admin's webhooks carry only what that admin may see: their own drafts.
    let member = &admin;
    let (url, _) = receiver(vec![]).await;
    let (webhook, _) = register_for(&app, &admin.token, &url, "submission.created").await;
    app.create_submission(&member.token, &case_study("Leased"))
        .await;
    let db = persistence::connect(&app.database_url, 2).await.unwrap();
    let repository = persistence::SeaWebhookRepository::new(db.connection);
    let now = chrono::Utc::now();
    let lease = chrono::Duration::seconds(30);

    let made = repository.fan_out(now, 500).await.unwrap();
    let again = repository.fan_out(now, 500).await.unwrap();
    let dead = repository.lease_due(now, lease, 10).await.unwrap();
    let while_held = repository.lease_due(now, lease, 10).await.unwrap();
    let after_expiry = now + lease + chrono::Duration::seconds(1);
    let taken = repository.lease_due(after_expiry, lease, 10).await.unwrap();
    let late_record = repository
        .record_attempt(
            dead[0].lease,
            dead[0].delivery.id,
            Some(200),
            None,
            true,
            after_expiry,
        )
        .await
        .unwrap();
    let record = repository
        .record_attempt(
            taken[0].lease,
            taken[0].delivery.id,
            Some(200),
            None,
            true,
            after_expiry,
        )
        .await
        .unwrap();

    assert_eq!((made, again), (1, 0), "an event is fanned out once");
    assert_eq!(dead.len(), 1);
    assert!(while_held.is_empty(), "a held lease is not taken");
    assert_eq!(taken.len(), 1, "a lapsed lease is taken over");
    assert_eq!(taken[0].delivery.id, dead[0].delivery.id);
    assert_ne!(taken[0].lease, dead[0].lease);
    assert!(!late_record, "the old holder records nothing");
    assert!(record, "the new holder records its attempt");
    let list = deliveries(&app, &admin.token, &webhook).await;
    assert_eq!(list["items"][0]["state"], "delivered", "{list}");
    assert_eq!(list["items"][0]["attempts"], 1, "{list}");
}
