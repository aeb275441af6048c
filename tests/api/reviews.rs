use hub_tests::Answer;
use hub_tests::{case_study, journey, rubric, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn claim_review_and_publish_sets_the_quality_score() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let id = app.submitted(&author.token, &journey("Falls")).await;

    let (claimed, claim_body) = app.claim(&reviewer.token, &id).await;
    let mut body = rubric("publish", 4);
    body["scores"]["clarity_of_problem_and_context"] = json!(5);
    body["scores"]["measurement_and_data"] = json!(2);
    body["comments"] = json!({"measurement_and_data": "Add a run chart"});
    let (reviewed, _, outcome) = app
        .post(
            &format!("/api/v1/submissions/{id}/reviews"),
            Some(&reviewer.token),
            &body,
        )
        .await;
    let (_, _, member_view) = app
        .get(
            &format!("/api/v1/submissions/{id}"),
            Some(&app.member().await.token),
        )
        .await;

    assert_eq!(claimed, StatusCode::OK);
    assert_eq!(claim_body["status"], "in_review");
    assert_eq!(claim_body["reviewer_id"], reviewer.id.to_string().as_str());
    assert_eq!(reviewed, StatusCode::CREATED, "{outcome}");
    assert_eq!(outcome["submission"]["status"], "published");
    assert_eq!(outcome["review"]["quality_score"], 3.8);
    assert_eq!(outcome["review"]["revision"], 1);
    assert_eq!(outcome["review"]["scores"][1]["comment"], "Add a run chart");
    assert_eq!(
        member_view["quality_score"], 3.8,
        "every member sees published work"
    );
    assert_eq!(member_view["published_revision"], 1);
}

#[tokio::test]
async fn changes_requested_go_back_to_the_author_and_a_resubmit_makes_revision_two() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let id = app.submitted(&author.token, &case_study("Round one")).await;
    app.claim(&reviewer.token, &id)
        .await
        .expect_status(StatusCode::OK);

    let (requested, outcome) = app.review(&reviewer.token, &id, "request_changes", 2).await;
    let tag = format!("\"{}\"", outcome["submission"]["version"]);
    let (edited, _, _) = app
        .patch(
            &format!("/api/v1/submissions/{id}"),
            Some(&author.token),
            Some(&tag),
            &json!({"title": "Round two"}),
        )
        .await;
    let (resubmitted, again) = app.submit(&author.token, &id).await;
    app.claim(&reviewer.token, &id)
        .await
        .expect_status(StatusCode::OK);
    let (rejected, final_outcome) = app.review(&reviewer.token, &id, "reject", 1).await;
    let (_, _, history) = app
        .get(
            &format!("/api/v1/submissions/{id}/history"),
            Some(&author.token),
        )
        .await;

    assert_eq!(requested, StatusCode::CREATED);
    assert_eq!(outcome["submission"]["status"], "changes_requested");
    assert_eq!(edited, StatusCode::OK);
    assert_eq!(resubmitted, StatusCode::OK, "{again}");
    assert_eq!(rejected, StatusCode::CREATED);
    assert_eq!(final_outcome["submission"]["status"], "rejected");
    assert_eq!(final_outcome["review"]["revision"], 2);
    assert_eq!(
        final_outcome["submission"]["quality_score"], 1.0,
        "the latest review sets the score"
    );
    let path: Vec<(String, String)> = history["transitions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["from"].as_str().unwrap().to_owned(),
                t["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("draft", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "changes_requested"),
        ("changes_requested", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "rejected"),
    ];
    assert_eq!(
        path,
        expected
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        history["transitions"][1]["actor"]["id"],
        reviewer.id.to_string().as_str()
    );
    assert_eq!(history["revisions"].as_array().map(Vec::len), Some(2));
    assert_eq!(history["reviews"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn reviewers_never_review_their_own_work_and_members_never_review() {
    let app = spawn_app().await;
    let reviewer = app.reviewer().await;
    let member = app.member().await;
    let own = app.submitted(&reviewer.token, &case_study("My own")).await;
    let other = app.submitted(&member.token, &case_study("Theirs")).await;

    let (self_claim, _) = app.claim(&reviewer.token, &own).await;
    let (member_claim, _) = app.claim(&member.token, &other).await;
    let admin = app.admin().await;
    app.claim(&admin.token, &own)
        .await
        .expect_status(StatusCode::OK);
    let (self_review, _) = app.review(&reviewer.token, &own, "publish", 5).await;
    let (member_review, _) = app.review(&member.token, &own, "publish", 5).await;

    assert_eq!(self_claim, StatusCode::FORBIDDEN);
    assert_eq!(member_claim, StatusCode::FORBIDDEN);
    assert_eq!(self_review, StatusCode::FORBIDDEN);
    assert_eq!(
        member_review,
        StatusCode::NOT_FOUND,
        "members cannot even see work under review"
    );
}

#[tokio::test]
async fn reviews_need_the_right_state_and_a_complete_rubric() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let id = app
        .submitted(&author.token, &case_study("Not claimed"))
        .await;

    let (unclaimed, unclaimed_body) = app.review(&reviewer.token, &id, "publish", 4).await;
    app.claim(&reviewer.token, &id)
        .await
        .expect_status(StatusCode::OK);
    let (claim_again, again_body) = app.claim(&reviewer.token, &id).await;
    let mut bad = rubric("publish", 4);
    bad["scores"]["evidence_of_impact"] = json!(7);
    bad["scores"]["measurement_and_data"] = Value::Null;
    let (invalid, _, invalid_body) = app
        .post(
            &format!("/api/v1/submissions/{id}/reviews"),
            Some(&reviewer.token),
            &bad,
        )
        .await;

    assert_eq!(unclaimed, StatusCode::CONFLICT);
    assert_eq!(unclaimed_body["current_status"], "submitted");
    assert_eq!(claim_again, StatusCode::CONFLICT);
    assert_eq!(again_body["current_status"], "in_review");
    assert_eq!(invalid, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = invalid_body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        vec!["scores.measurement_and_data", "scores.evidence_of_impact"]
    );
}

#[tokio::test]
async fn the_claimant_and_an_admin_deciding_at_once_one_wins_the_other_gets_409() {
    let app = spawn_app().await;
    let author = app.member().await;
    let first = app.reviewer().await;
    // Only the claimant or an admin may decide, so the race is between them.
    let second = app.admin().await;
    for round in 0..5 {
        let id = app
            .submitted(&author.token, &case_study(&format!("Race {round}")))
            .await;
        app.claim(&first.token, &id)
            .await
            .expect_status(StatusCode::OK);

        let (a, b) = tokio::join!(
            app.review(&first.token, &id, "publish", 5),
            app.review(&second.token, &id, "reject", 1)
        );

        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::CONFLICT],
            "round {round}: {} / {}",
            a.1,
            b.1
        );
        let (_, _, history) = app
            .get(
                &format!("/api/v1/submissions/{id}/history"),
                Some(&author.token),
            )
            .await;
        assert_eq!(
            history["reviews"].as_array().map(Vec::len),
            Some(1),
            "only the winner's review is kept"
        );
    }
}

#[tokio::test]
async fn the_queue_lists_oldest_submitted_first_for_reviewers_only() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let first = app.submitted(&author.token, &case_study("First in")).await;
    let second = app.submitted(&author.token, &journey("Second in")).await;
    let claimed = app
        .submitted(&author.token, &case_study("Already claimed"))
        .await;
    app.claim(&reviewer.token, &claimed)
        .await
        .expect_status(StatusCode::OK);

    let (status, _, queue) = app
        .get("/api/v1/reviews/queue", Some(&reviewer.token))
        .await;
    let (_, _, filtered) = app
        .get(
            "/api/v1/reviews/queue?kind=improvement_journey",
            Some(&reviewer.token),
        )
        .await;
    let (member_status, _, _) = app.get("/api/v1/reviews/queue", Some(&author.token)).await;

    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = queue["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, vec![first.as_str(), second.as_str()]);
    assert_eq!(filtered["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(member_status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admins_reassign_work_in_review() {
    let app = spawn_app().await;
    let author = app.member().await;
    let first = app.reviewer().await;
    let second = app.reviewer().await;
    let admin = app.admin().await;
    let id = app
        .submitted(&author.token, &case_study("Reassigned"))
        .await;
    app.claim(&first.token, &id)
        .await
        .expect_status(StatusCode::OK);
    let put = |token: &str, reviewer: String| {
        app.request(
            Method::PUT,
            &format!("/api/v1/submissions/{id}/reviewer"),
            Some(token),
        )
        .json(&json!({ "reviewer_id": reviewer }))
    };

    let (by_reviewer, _, _) = app.send(put(&first.token, second.id.to_string())).await;
    let (to_author, _, _) = app.send(put(&admin.token, author.id.to_string())).await;
    let (reassigned, _, body) = app.send(put(&admin.token, second.id.to_string())).await;

    assert_eq!(by_reviewer, StatusCode::FORBIDDEN);
    assert_eq!(to_author, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reassigned, StatusCode::OK, "{body}");
    assert_eq!(body["reviewer_id"], second.id.to_string().as_str());
}

#[tokio::test]
async fn the_published_revision_stays_as_it_was_reviewed() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let id = app
        .published(&author, &reviewer, &case_study("As published"))
        .await;

    let (edit, _, _) = app
        .patch(
            &format!("/api/v1/submissions/{id}"),
            Some(&author.token),
            Some("*"),
            &json!({"title": "Sneaky edit"}),
        )
        .await;
    let (status, _, revision) = app
        .get(
            &format!("/api/v1/submissions/{id}/revisions/1"),
            Some(&app.member().await.token),
        )
        .await;
    let (missing, _, _) = app
        .get(
            &format!("/api/v1/submissions/{id}/revisions/9"),
            Some(&author.token),
        )
        .await;

    assert_eq!(
        edit,
        StatusCode::CONFLICT,
        "published work is not edited in place"
    );
    assert_eq!(
        status,
        StatusCode::OK,
        "members read the published revision"
    );
    assert_eq!(revision["published"], true);
    assert_eq!(revision["content"]["title"], "As published");
    assert_eq!(missing, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn history_is_for_the_author_and_reviewers_only() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let id = app
        .published(&author, &reviewer, &case_study("Private history"))
        .await;

    let (member, _, _) = app
        .get(
            &format!("/api/v1/submissions/{id}/history"),
            Some(&app.member().await.token),
        )
        .await;
    let (own, _, _) = app
        .get(
            &format!("/api/v1/submissions/{id}/history"),
            Some(&author.token),
        )
        .await;

    assert_eq!(member, StatusCode::FORBIDDEN);
    assert_eq!(own, StatusCode::OK);
}

#[tokio::test]
async fn follow_up_events_are_counted_in_the_quarter_they_happened() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let admin = app.admin().await;
    let mut body = case_study("Recommendations");
    body["recommendations"] = json!([{"text": "Offer first-contact OT in every practice", "adoption_status": "proposed"}]);
    let id = app.published(&author, &reviewer, &body).await;
    // Follow-ups are dated on or after the first submission.
    app.backdate(&id, "2025-03-01T09:00:00Z").await;
    let (_, _, published) = app
        .get(&format!("/api/v1/submissions/{id}"), Some(&author.token))
        .await;
    let rid = published["recommendations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = format!("/api/v1/submissions/{id}/recommendations/{rid}/events");

    let (march, _, _) = app
        .post(
            &events,
            Some(&author.token),
            &json!({"adoption_status": "adopted_locally", "occurred_on": "2025-03-31"}),
        )
        .await;
    let (april, _, _) = app
        .post(
            &events,
            Some(&admin.token),
            &json!({"investment_pence": 2_500_000, "investor": "ICB", "occurred_on": "2025-04-01"}),
        )
        .await;
    let (by_other, _, _) = app
        .post(
            &events,
            Some(&app.member().await.token),
            &json!({"adoption_status": "rolled_out"}),
        )
        .await;
    let (empty, _, _) = app.post(&events, Some(&author.token), &json!({})).await;
    let (_, _, q1) = app
        .get(
            "/api/v1/recommendation-events?quarter=2025-Q1",
            Some(&admin.token),
        )
        .await;
    let (_, _, fy_q1) = app
        .get(
            "/api/v1/recommendation-events?quarter=FY2025-Q1",
            Some(&admin.token),
        )
        .await;
    let (_, _, status) = app
        .get(
            &format!("/api/v1/submissions/{id}/recommendations"),
            Some(&author.token),
        )
        .await;

    assert_eq!(march, StatusCode::CREATED);
    assert_eq!(april, StatusCode::CREATED);
    assert_eq!(by_other, StatusCode::FORBIDDEN);
    assert_eq!(empty, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(q1["events"].as_array().map(Vec::len), Some(1));
    assert_eq!(q1["events"][0]["adoption_status"], "adopted_locally");
    assert_eq!(fy_q1["events"].as_array().map(Vec::len), Some(1));
    assert_eq!(fy_q1["events"][0]["investment_pence"], 2_500_000);
    assert_eq!(status[0]["adoption_status"], "adopted_locally");
    assert_eq!(status[0]["original_adoption_status"], "proposed");
    assert_eq!(status[0]["investment_reported_pence"], 2_500_000);
}

#[tokio::test]
async fn published_work_shows_how_often_the_hub_cites_it() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let cited = app
        .published(&author, &reviewer, &case_study("Cited"))
        .await;
    let mut citing = journey("Citing the hub");
    citing["evidence_sources"] = json!([{"submission_id": cited}]);
    app.submitted(&author.token, &citing).await;
    app.create_submission(&author.token, &citing).await;

    let (_, _, view) = app
        .get(&format!("/api/v1/submissions/{cited}"), Some(&author.token))
        .await;

    assert_eq!(view["times_cited"], 1, "drafts do not count as citations");
}
