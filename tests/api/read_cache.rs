//! Reads served from memory (on SQLite) are never stale or shown to the wrong
//! caller: each test first reads, so the answer or the caller's role is kept,
//! then writes, then reads again.

use hub_tests::Answer;
use hub_tests::{case_study, journey, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn an_edit_is_seen_at_once_by_the_next_read_and_a_stale_etag_no_longer_matches() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = app
        .create_submission(&author.token, &case_study("First title"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/submissions/{id}");
    let (_, before, _) = app.get(&path, Some(&author.token)).await;

    let (edited, _, body) = app
        .patch(
            &path,
            Some(&author.token),
            Some("\"1\""),
            &json!({"title": "Second title"}),
        )
        .await;
    let (_, after, view) = app.get(&path, Some(&author.token)).await;
    let (revalidated, _, _) = app
        .send(
            app.request(Method::GET, &path, Some(&author.token))
                .header("if-none-match", "\"1\""),
        )
        .await;

    assert_eq!(edited, StatusCode::OK, "{body}");
    assert_eq!(before["etag"], "\"1\"");
    assert_eq!(after["etag"], "\"2\"");
    assert_eq!(view["title"], "Second title");
    assert_eq!(view["version"], 2);
    assert_eq!(
        revalidated,
        StatusCode::OK,
        "the old version no longer matches"
    );
}

#[tokio::test]
async fn another_role_sees_each_move_at_once_and_drafts_stay_with_their_author() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let admin = app.admin().await;
    let other = app.member().await;
    let id = app
        .create_submission(&author.token, &journey("Moves"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/submissions/{id}");

    let (own_draft, _, _) = app.get(&path, Some(&author.token)).await;
    let (reviewer_on_draft, _, _) = app.get(&path, Some(&reviewer.token)).await;
    let (admin_on_draft, _, _) = app.get(&path, Some(&admin.token)).await;
    let (other_on_draft, _, _) = app.get(&path, Some(&other.token)).await;
    app.submit(&author.token, &id)
        .await
        .expect_status(StatusCode::OK);
    let (reviewer_on_submitted, _, submitted) = app.get(&path, Some(&reviewer.token)).await;
    let (other_on_submitted, _, _) = app.get(&path, Some(&other.token)).await;
    app.withdraw(&author.token, &id)
        .await
        .expect_status(StatusCode::OK);
    let (_, _, withdrawn) = app.get(&path, Some(&reviewer.token)).await;

    assert_eq!(own_draft, StatusCode::OK);
    assert_eq!(reviewer_on_draft, StatusCode::NOT_FOUND);
    assert_eq!(admin_on_draft, StatusCode::NOT_FOUND);
    assert_eq!(other_on_draft, StatusCode::NOT_FOUND);
    assert_eq!(reviewer_on_submitted, StatusCode::OK);
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(
        other_on_submitted,
        StatusCode::NOT_FOUND,
        "only published work is for every member"
    );
    assert_eq!(withdrawn["status"], "withdrawn");
}

#[tokio::test]
async fn a_role_change_takes_effect_on_the_next_request() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    let member = app.member().await;
    let id = app.submitted(&author.token, &case_study("In review")).await;
    let path = format!("/api/v1/submissions/{id}");
    let set_role = |role: &'static str| app.set_role(&admin.token, member.id, role);

    let (as_member, _, _) = app.get(&path, Some(&member.token)).await;
    let (promoted, _, _) = set_role("reviewer").await;
    let (as_reviewer, _, _) = app.get(&path, Some(&member.token)).await;
    let (demoted, _, _) = set_role("member").await;
    let (as_member_again, _, _) = app.get(&path, Some(&member.token)).await;

    assert_eq!(as_member, StatusCode::NOT_FOUND);
    assert_eq!((promoted, demoted), (StatusCode::OK, StatusCode::OK));
    assert_eq!(as_reviewer, StatusCode::OK);
    assert_eq!(as_member_again, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_erasure_shuts_out_the_member_and_renames_their_published_work_at_once() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let reader = app.member().await;
    let id = app
        .published(&author, &reviewer, &case_study("Stays"))
        .await;
    let path = format!("/api/v1/submissions/{id}");

    let (_, _, before) = app.get(&path, Some(&reader.token)).await;
    let (own_before, _, _) = app.get(&path, Some(&author.token)).await;
    let (erased, _, _) = app.erase(&author.token).await;
    let (own_after, _, _) = app.get(&path, Some(&author.token)).await;
    let (_, _, after) = app.get(&path, Some(&reader.token)).await;

    assert_eq!(before["author"]["display_name"], "Test Member");
    assert_eq!(own_before, StatusCode::OK);
    assert_eq!(erased, StatusCode::NO_CONTENT);
    assert_eq!(
        own_after,
        StatusCode::UNAUTHORIZED,
        "the erased member's token is dead"
    );
    assert_eq!(after["author"]["display_name"], "Former member");
}

#[tokio::test]
async fn a_renamed_author_and_a_new_citation_show_in_work_already_read() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let reader = app.member().await;
    let cited = app
        .published(&author, &reviewer, &case_study("Cited"))
        .await;
    let path = format!("/api/v1/submissions/{cited}");

    let (_, _, before) = app.get(&path, Some(&reader.token)).await;
    app.patch(
        "/api/v1/members/me",
        Some(&author.token),
        None,
        &json!({"display_name": "Ada Okafor"}),
    )
    .await
    .expect_status(StatusCode::OK);
    let mut citing = journey("Citing");
    citing["evidence_sources"] = json!([{"submission_id": cited}]);
    app.submitted(&author.token, &citing).await;
    let (_, _, after) = app.get(&path, Some(&reader.token)).await;

    assert_eq!(before["times_cited"], 0);
    assert_eq!(
        before["version"], after["version"],
        "the submission itself did not change"
    );
    assert_eq!(after["author"]["display_name"], "Ada Okafor");
    assert_eq!(after["times_cited"], 1);
}

#[tokio::test]
async fn a_list_page_read_before_a_write_shows_the_write_and_drafts_stay_with_their_author() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let reader = app.member().await;
    let path = "/api/v1/submissions?priority=optimising_ot&kind=case_study";
    let titles = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| i["title"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap()
    };
    app.published(&author, &reviewer, &case_study("First"))
        .await;

    let (_, _, before) = app.get(path, Some(&reader.token)).await;
    let (_, _, author_before) = app.get(path, Some(&author.token)).await;
    app.published(&author, &reviewer, &case_study("Second"))
        .await;
    app.create_submission(&author.token, &case_study("Draft"))
        .await;
    let (_, _, after) = app.get(path, Some(&reader.token)).await;
    let (_, _, author_after) = app.get(path, Some(&author.token)).await;

    assert_eq!(titles(&before), ["First"]);
    assert_eq!(titles(&author_before), ["First"]);
    assert_eq!(titles(&after), ["Second", "First"]);
    assert_eq!(titles(&author_after), ["Draft", "Second", "First"]);
}
