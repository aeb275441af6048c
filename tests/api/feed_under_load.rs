//! The change feed under concurrent writes: a follower polling while many
//! connections create at once sees every event exactly once, in feed order,
//! and never finds an event later below a cursor it has already passed.

use hub_tests::{TestApp, case_study, spawn_app_with};
use reqwest::StatusCode;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const WRITERS: usize = 16;
const CREATES_PER_WRITER: usize = 15;

/// One page of the caller's feed after `cursor`: (seq, submission id) pairs
/// and the next cursor.
async fn page(app: &TestApp, token: &str, cursor: i64) -> (Vec<(i64, String)>, i64) {
    let (status, _, body) = app
        .get(
            &format!("/api/v1/events?after={cursor}&limit=100"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {body}"))
        .iter()
        .map(|event| {
            let seq = event["cursor"]
                .as_str()
                .and_then(|c| c.parse().ok())
                .unwrap_or_else(|| panic!("no cursor in {event}"));
            let id = event["submission_id"]
                .as_str()
                .unwrap_or_else(|| panic!("no submission_id in {event}"))
                .to_owned();
            (seq, id)
        })
        .collect();
    let next: i64 = body["next_cursor"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no next_cursor in {body}"));
    (items, next)
}

/// Reads the whole feed from the start.
async fn everything(app: &TestApp, token: &str) -> Vec<(i64, String)> {
    let mut all = Vec::new();
    let mut cursor = 0;
    loop {
        let (items, next) = page(app, token, cursor).await;
        if items.is_empty() {
            return all;
        }
        all.extend(items);
        cursor = next;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_follower_misses_no_event_while_many_connections_create() {
    let app = Arc::new(
        spawn_app_with(&[
            ("HUB_DB_MAX_CONNECTIONS", "24"),
            ("HUB_RATE_LIMIT_PER_MINUTE", "100000"),
        ])
        .await,
    );
    let author = app.member().await;
    let token = Arc::new(author.token.clone());
    let writing = Arc::new(AtomicBool::new(true));

    let follower = {
        let (app, token, writing) = (app.clone(), token.clone(), writing.clone());
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut cursor = 0;
            loop {
                let done = !writing.load(Ordering::SeqCst);
                let (items, next) = page(&app, &token, cursor).await;
                for (seq, _) in &items {
                    assert!(*seq > cursor, "event {seq} came after cursor {cursor}");
                }
                let drained = items.is_empty();
                seen.extend(items);
                cursor = next;
                // Stops only after a poll begun once every write was answered
                // came back empty.
                if done && drained {
                    return seen;
                }
            }
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (app, token) = (app.clone(), token.clone());
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for n in 0..CREATES_PER_WRITER {
                    let created = app
                        .create_submission(&token, &case_study(&format!("Load {w}-{n}")))
                        .await;
                    ids.push(created["id"].as_str().unwrap().to_owned());
                }
                ids
            })
        })
        .collect();
    let mut created = HashSet::new();
    for writer in writers {
        created.extend(writer.await.unwrap());
    }
    writing.store(false, Ordering::SeqCst);
    let seen = follower.await.unwrap();
    let afterwards = everything(&app, &author.token).await;

    assert_eq!(created.len(), WRITERS * CREATES_PER_WRITER);
    assert_eq!(
        seen, afterwards,
        "the follower saw the feed exactly as it reads once everything is written"
    );
    let seen_ids: HashSet<_> = seen.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(seen_ids, created, "every create is in the feed once");
    assert_eq!(seen.len(), created.len(), "no event twice");
}
