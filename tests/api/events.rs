use hub_tests::{TestApp, case_study, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn feed(app: &TestApp, token: &str, after: Option<&str>) -> Value {
    let path = match after {
        Some(cursor) => format!("/api/v1/events?after={cursor}"),
        None => "/api/v1/events".to_owned(),
    };
    let (status, _, body) = app.get(&path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn types_for(page: &Value, id: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["submission_id"] == id)
        .filter_map(|e| e["type"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn each_lifecycle_change_appears_once_to_those_who_may_see_it() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let stranger = app.member().await;
    let draft = app
        .create_submission(&author.token, &case_study("Feed"))
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();
    let (updated, _, _) = app
        .patch(
            &format!("/api/v1/submissions/{id}"),
            Some(&author.token),
            Some("\"1\""),
            &json!({"title": "Feed, revised"}),
        )
        .await;
    assert_eq!(updated, StatusCode::OK);
    let (submitted, _) = app.submit(&author.token, &id).await;
    assert_eq!(submitted, StatusCode::OK);
    let (claimed, _) = app.claim(&reviewer.token, &id).await;
    assert_eq!(claimed, StatusCode::OK);
    let (reviewed, _) = app.review(&reviewer.token, &id, "publish", 4).await;
    assert_eq!(reviewed, StatusCode::CREATED);

    let authors = feed(&app, &author.token, None).await;
    let reviewers = feed(&app, &reviewer.token, None).await;
    let strangers = feed(&app, &stranger.token, None).await;

    assert_eq!(
        types_for(&authors, &id),
        vec![
            "submission.created",
            "submission.updated",
            "submission.submitted",
            "submission.in_review",
            "submission.published"
        ]
    );
    assert_eq!(
        types_for(&reviewers, &id),
        vec![
            "submission.submitted",
            "submission.in_review",
            "submission.published"
        ]
    );
    assert_eq!(types_for(&strangers, &id), vec!["submission.published"]);
    assert_eq!(authors["items"][2]["from_status"], "draft");
    assert_eq!(authors["items"][2]["status"], "submitted");
}

#[tokio::test]
async fn reading_after_a_cursor_gives_only_newer_events() {
    let app = spawn_app().await;
    let author = app.member().await;
    let first = app
        .create_submission(&author.token, &case_study("One"))
        .await;
    let page = feed(&app, &author.token, None).await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();

    let empty = feed(&app, &author.token, Some(&cursor)).await;
    let second = app
        .create_submission(&author.token, &case_study("Two"))
        .await;
    let newer = feed(&app, &author.token, Some(&cursor)).await;
    let (bad, _, _) = app
        .get("/api/v1/events?after=yesterday", Some(&author.token))
        .await;

    assert_eq!(types_for(&page, first["id"].as_str().unwrap()).len(), 1);
    assert_eq!(empty["items"], json!([]));
    assert_eq!(
        empty["next_cursor"],
        cursor.as_str(),
        "polling keeps its place"
    );
    assert_eq!(newer["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(newer["items"][0]["submission_id"], second["id"]);
    assert_eq!(bad, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_refused_change_records_no_event() {
    let app = spawn_app().await;
    let author = app.member().await;
    let draft = app
        .create_submission(&author.token, &case_study("Stale"))
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();

    let (stale, _, _) = app
        .patch(
            &format!("/api/v1/submissions/{id}"),
            Some(&author.token),
            Some("\"7\""),
            &json!({"title": "Lost"}),
        )
        .await;
    let page = feed(&app, &author.token, None).await;

    assert_eq!(stale, StatusCode::PRECONDITION_FAILED);
    assert_eq!(types_for(&page, &id), vec!["submission.created"]);
}

#[tokio::test]
async fn a_transaction_that_fails_after_writing_its_event_leaves_no_event() {
    let app = spawn_app().await;
    let author = app.member().await;
    let draft = app
        .create_submission(&author.token, &case_study("Doomed"))
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();
    // The transition row is written after the outbox row, in the same
    // transaction: make it fail so the whole submit rolls back.
    if app.database_url.starts_with("postgres") {
        app.execute(
            "CREATE FUNCTION refuse_transitions() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql",
            vec![],
        )
        .await;
        app.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON transitions FOR EACH ROW EXECUTE FUNCTION refuse_transitions()",
            vec![],
        )
        .await;
    } else {
        app.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON transitions BEGIN SELECT RAISE(ABORT, 'refused'); END",
            vec![],
        )
        .await;
    }

    let (status, _) = app.submit(&author.token, &id).await;
    let page = feed(&app, &author.token, None).await;
    let (_, _, stored) = app
        .get(&format!("/api/v1/submissions/{id}"), Some(&author.token))
        .await;

    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(stored["status"], "draft");
    assert_eq!(types_for(&page, &id), vec!["submission.created"]);
}
