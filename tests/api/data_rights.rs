use hub_tests::{Answer, PASSWORD, TestApp, TestMember, case_study, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn export_returns_everything_held_about_the_caller() {
    let app = spawn_app().await;
    let member = app.member().await;
    app.patch(
        "/api/v1/members/me",
        Some(&member.token),
        None,
        &json!({"career_stage": "early", "job_title": "Band 5 OT"}),
    )
    .await
    .expect_status(StatusCode::OK);
    let submitted = app
        .submitted(&member.token, &case_study("Submitted work"))
        .await;
    let draft = app
        .create_submission(&member.token, &case_study("A draft"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, headers, export) = app
        .get("/api/v1/members/me/export", Some(&member.token))
        .await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(export["profile"]["email"], member.email.as_str());
    assert_eq!(export["profile"]["job_title"], "Band 5 OT");
    let ids: Vec<&str> = export["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, vec![draft.as_str(), submitted.as_str()]);
    assert!(
        export["activity"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["action"] == "submission_submitted"))
    );
    assert!(!export.to_string().contains("argon2"), "no password hash");
}

/// A member named "Erin Erased" in London with published work, and an admin.
async fn named_author_of_published_work(app: &TestApp) -> (TestMember, TestMember, String) {
    let member = app.member().await;
    let reviewer = app.reviewer().await;
    let admin = app.admin().await;
    app.patch(
        "/api/v1/members/me",
        Some(&member.token),
        None,
        &json!({"display_name": "Erin Erased", "region": "london"}),
    )
    .await
    .expect_status(StatusCode::OK);
    let published = app
        .published(&member, &reviewer, &case_study("Stays published"))
        .await;
    (member, admin, published)
}

#[tokio::test]
async fn erasure_removes_personal_data_keeps_published_work_and_closes_the_account() {
    let app = spawn_app().await;
    let (member, admin, published) = named_author_of_published_work(&app).await;
    let before = app
        .get(
            &format!("/api/v1/submissions/{published}"),
            Some(&admin.token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        before["author"]["display_name"], "Erin Erased",
        "the name is there to be erased"
    );
    let draft = app
        .create_submission(&member.token, &case_study("Goes away"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (erased, _, _) = app.erase(&member.token).await;
    let (old_token, _, _) = app.get("/api/v1/members/me", Some(&member.token)).await;
    let (login, _) = app.login(&member.email, PASSWORD).await;
    let (_, _, kept) = app
        .get(
            &format!("/api/v1/submissions/{published}"),
            Some(&admin.token),
        )
        .await;
    let (draft_status, _, _) = app
        .get(&format!("/api/v1/submissions/{draft}"), Some(&admin.token))
        .await;
    let (_, _, list) = app
        .get("/api/v1/submissions?limit=100", Some(&admin.token))
        .await;
    let (_, _, audit) = app.get("/api/v1/audit?limit=100", Some(&admin.token)).await;
    let (_, _, history) = app
        .get(
            &format!("/api/v1/submissions/{published}/history"),
            Some(&admin.token),
        )
        .await;

    assert_eq!(erased, StatusCode::NO_CONTENT);
    assert_eq!(old_token, StatusCode::UNAUTHORIZED);
    assert_eq!(login, StatusCode::UNAUTHORIZED);
    assert_eq!(kept["status"], "published");
    assert_eq!(kept["author"]["display_name"], "Former member");
    assert_eq!(draft_status, StatusCode::NOT_FOUND);
    for response in [&kept, &list, &audit, &history] {
        let text = response.to_string();
        assert!(
            !text.contains(&member.email),
            "the email appears in {text:.200}"
        );
        assert!(
            !text.contains("Erin Erased"),
            "the name appears in {text:.200}"
        );
    }
    let (role_change, _, role_problem) = app.set_role(&admin.token, member.id, "reviewer").await;
    assert_eq!(role_change, StatusCode::NOT_FOUND, "{role_problem}");
    assert_eq!(role_problem["code"], "not_found");
}

#[tokio::test]
async fn an_address_registered_again_after_erasure_is_a_new_member_with_none_of_the_old_data() {
    let app = spawn_app().await;
    let (member, admin, published) = named_author_of_published_work(&app).await;
    app.erase(&member.token)
        .await
        .expect_status(StatusCode::NO_CONTENT);

    let (again, registered) = app
        .register(&member.email, "another long passphrase", "New Erin")
        .await;
    let (login, session) = app.login(&member.email, "another long passphrase").await;
    let token = session["access_token"].as_str().expect("a session token");
    let profile = app
        .get("/api/v1/members/me", Some(token))
        .await
        .expect_status(StatusCode::OK);
    let export = app
        .get("/api/v1/members/me/export", Some(token))
        .await
        .expect_status(StatusCode::OK);
    let kept = app
        .get(
            &format!("/api/v1/submissions/{published}"),
            Some(&admin.token),
        )
        .await
        .expect_status(StatusCode::OK);
    let (old_password, _) = app.login(&member.email, PASSWORD).await;
    let (old_token, _, _) = app.get("/api/v1/members/me", Some(&member.token)).await;

    assert_eq!(
        again,
        StatusCode::CREATED,
        "the address is free again: {registered}"
    );
    assert_eq!(login, StatusCode::OK, "{session}");
    let new_id = profile["id"].as_str().expect("an id");
    assert_eq!(
        registered["id"].as_str(),
        Some(new_id),
        "the stored account"
    );
    assert_ne!(
        new_id,
        member.id.to_string(),
        "a new member, not the old one"
    );
    assert_eq!(profile["display_name"], "New Erin");
    assert_eq!(profile["role"], "member");
    assert_eq!(
        profile["region"],
        serde_json::Value::Null,
        "no old demographics"
    );
    assert_eq!(export["submissions"], json!([]), "no old work");
    assert_eq!(export["reviews"], json!([]));
    assert_eq!(kept["author"]["display_name"], "Former member");
    assert_ne!(kept["author"]["id"].as_str(), Some(new_id));
    assert_eq!(old_password, StatusCode::UNAUTHORIZED);
    assert_eq!(old_token, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn erasure_withdraws_work_in_review_purges_kept_answers_and_detaches_what_it_keeps() {
    let app = spawn_app().await;
    let (member, admin, published) = named_author_of_published_work(&app).await;
    let reviewer = app.reviewer().await;
    let in_review = app
        .submitted(&member.token, &case_study("Waiting for review"))
        .await;
    let keyed = app
        .send(
            app.request(Method::POST, "/api/v1/submissions", Some(&member.token))
                .header("idempotency-key", "erasure-kept-answer")
                .json(&case_study("Created with a key")),
        )
        .await;
    assert_eq!(keyed.0, StatusCode::CREATED, "{}", keyed.2);
    let export = app
        .get("/api/v1/members/me/export", Some(&member.token))
        .await
        .expect_status(StatusCode::OK);
    let kept = export["kept_on_erasure"]
        .as_array()
        .cloned()
        .expect("the test expected this value to be present");
    let plan = |id: &str| kept.iter().find(|k| k["id"] == id).cloned();
    assert_eq!(
        plan(&published).map(|k| k["status_after"].clone()),
        Some(json!("published")),
        "{export}"
    );
    assert_eq!(
        plan(&in_review).map(|k| k["status_after"].clone()),
        Some(json!("withdrawn")),
        "{export}"
    );
    assert!(kept.iter().all(|k| k["why"].is_string()));
    assert!(
        plan(
            keyed.2["id"]
                .as_str()
                .expect("the test expected this value to be present")
        )
        .is_none(),
        "drafts are deleted"
    );

    let (erased, _, _) = app.erase(&member.token).await;
    assert_eq!(erased, StatusCode::NO_CONTENT);

    let withdrawn = app
        .get(
            &format!("/api/v1/submissions/{in_review}"),
            Some(&admin.token),
        )
        .await
        .expect_status(StatusCode::OK);
    let history = app
        .get(
            &format!("/api/v1/submissions/{in_review}/history"),
            Some(&admin.token),
        )
        .await
        .expect_status(StatusCode::OK);
    let queue = app
        .get(
            "/api/v1/submissions?status=submitted&limit=100",
            Some(&reviewer.token),
        )
        .await
        .expect_status(StatusCode::OK);
    let kept_work = app
        .get(
            &format!("/api/v1/submissions/{published}"),
            Some(&admin.token),
        )
        .await
        .expect_status(StatusCode::OK);
    let about_work = app
        .get(
            &format!("/api/v1/audit?target_id={published}&limit=100"),
            Some(&admin.token),
        )
        .await
        .expect_status(StatusCode::OK);
    let by_old_id = app
        .get(
            &format!("/api/v1/audit?actor_id={}&limit=100", member.id),
            Some(&admin.token),
        )
        .await
        .expect_status(StatusCode::OK);

    assert_eq!(withdrawn["status"], "withdrawn");
    let last = history["transitions"]
        .as_array()
        .and_then(|t| t.last())
        .cloned()
        .expect("the test expected this value to be present");
    assert_eq!(last["to"], "withdrawn", "{history}");
    assert_eq!(last["comment"], "author erased", "{history}");
    assert!(
        !queue.to_string().contains(&in_review),
        "left the review queue: {queue}"
    );
    assert_eq!(kept_work["author"]["display_name"], "Former member");
    assert_eq!(kept_work["author"]["id"], Value::Null, "{kept_work}");
    let old_id = member.id.to_string();
    for (what, answer) in [
        ("submission", &kept_work),
        ("withdrawn", &withdrawn),
        ("history", &history),
        ("audit", &about_work),
    ] {
        assert!(
            !answer.to_string().contains(&old_id),
            "{what} still names the old id: {answer}"
        );
    }
    let actions: Vec<&str> = by_old_id["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["member_erased"], "{by_old_id}");

    let db = persistence::connect(&app.database_url, 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let count = sea_orm::sea_query::Query::select()
        .expr_as(
            sea_orm::sea_query::Expr::cust("COUNT(*)"),
            sea_orm::sea_query::Alias::new("n"),
        )
        .from("idempotency_keys")
        .and_where(sea_orm::sea_query::ExprTrait::eq(
            sea_orm::sea_query::Expr::col("member_id"),
            member.id,
        ))
        .to_owned();
    let row = sea_orm::ConnectionTrait::query_one(&db.connection, &count)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cached: i64 = row.and_then(|r| r.try_get("", "n").ok()).unwrap_or(-1);
    assert_eq!(
        cached, 0,
        "the kept idempotent answer holding their data is gone"
    );
}
