#![allow(clippy::unwrap_used, clippy::expect_used)]

use hub_tests::{TestApp, journey, spawn_app};
use reqwest::{Method, StatusCode};

const ITEMS: usize = 15;

/// Every id the queue lists, page by page at `limit`, following `next_cursor`.
async fn page_through(app: &TestApp, token: &str, limit: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..=ITEMS {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor.clone()));
        }
        let request = app
            .request(Method::GET, "/api/v1/reviews/queue", Some(token))
            .query(&query);
        let (status, _, page) = app.send(request).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().expect("a page of items");
        assert!(items.len() <= limit, "{page}");
        seen.extend(
            items
                .iter()
                .map(|item| item["id"].as_str().expect("an id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return seen,
        }
    }
    panic!("the queue never ended at limit={limit}; saw {seen:?}");
}

#[tokio::test]
async fn paging_the_review_queue_lists_each_item_once_in_submission_order() {
    // Arrange: drafts created in one order, submitted in another.
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let mut drafts = Vec::new();
    for n in 0..ITEMS {
        let created = app
            .create_submission(&author.token, &journey(&format!("Queue item {n}")))
            .await;
        drafts.push(created["id"].as_str().expect("an id").to_owned());
    }
    let mut submitted_in_order = Vec::new();
    for n in 0..ITEMS {
        let id = &drafts[(n * 7 + 3) % ITEMS];
        let (status, body) = app.submit(&author.token, id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        submitted_in_order.push(id.clone());
    }
    assert_ne!(
        submitted_in_order, drafts,
        "submission order differs from creation order"
    );

    // Act
    let one_at_a_time = page_through(&app, &reviewer.token, 1).await;
    let seven_at_a_time = page_through(&app, &reviewer.token, 7).await;

    // Assert
    assert_eq!(one_at_a_time, submitted_in_order);
    assert_eq!(seven_at_a_time, submitted_in_order);
}
