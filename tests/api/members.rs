use hub_tests::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn members_set_demographics_flat_or_grouped_and_can_clear_them() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (flat, _, after_flat) = app
        .patch(
            "/api/v1/members/me",
            Some(&member.token),
            None,
            &json!({"career_stage": "mid", "region": "london", "job_title": "Clinical lead OT"}),
        )
        .await;
    let (grouped, _, after_grouped) = app
        .patch("/api/v1/members/me", Some(&member.token), None, &json!({"display_name": "Ada O.", "demographics": {"sector": "prefer_not_to_say", "job_title": null}}))
        .await;

    assert_eq!(flat, StatusCode::OK, "{after_flat}");
    assert_eq!(after_flat["career_stage"], "mid");
    assert_eq!(after_flat["demographics"]["region"], "london");
    assert_eq!(grouped, StatusCode::OK, "{after_grouped}");
    assert_eq!(after_grouped["display_name"], "Ada O.");
    assert_eq!(after_grouped["sector"], "prefer_not_to_say");
    assert_eq!(after_grouped["career_stage"], "mid");
    assert!(after_grouped["job_title"].is_null());
}

#[tokio::test]
async fn demographics_are_checked_against_the_taxonomy() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (status, _, body) = app
        .patch("/api/v1/members/me", Some(&member.token), None, &json!({"career_stage": "galactic", "region": "atlantis", "level_of_practice": "advanced"}))
        .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["career_stage", "region"]);
    let (_, _, me) = app.get("/api/v1/members/me", Some(&member.token)).await;
    assert!(
        me["level_of_practice"].is_null(),
        "nothing is applied when anything is invalid"
    );
}

#[tokio::test]
async fn admins_change_roles_and_the_change_applies_at_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let member = app.member().await;

    let (status, _, body) = app.set_role(&admin.token, member.id, "reviewer").await;
    let (_, _, me) = app.get("/api/v1/members/me", Some(&member.token)).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "reviewer");
    assert_eq!(me["role"], "reviewer");
}

#[tokio::test]
async fn role_changes_refuse_reviewers_unknown_roles_and_unknown_members() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let reviewer = app.reviewer().await;
    let member = app.member().await;
    let put_role = |token: &str, id: String, role: &str| {
        app.request(
            Method::PUT,
            &format!("/api/v1/members/{id}/role"),
            Some(token),
        )
        .json(&json!({ "role": role }))
    };

    let (by_reviewer, _, _) = app
        .send(put_role(&reviewer.token, member.id.to_string(), "admin"))
        .await;
    let (unknown_role, _, unknown_role_body) = app
        .send(put_role(&admin.token, member.id.to_string(), "overlord"))
        .await;
    let (unknown_member, _, _) = app
        .send(put_role(
            &admin.token,
            uuid::Uuid::now_v7().to_string(),
            "reviewer",
        ))
        .await;

    assert_eq!(by_reviewer, StatusCode::FORBIDDEN);
    assert_eq!(unknown_role, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown_role_body["errors"][0]["field"], "role");
    assert_eq!(unknown_member, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn demographics_must_be_an_object_not_an_array() {
    let app = hub_tests::spawn_app().await;
    let member = app.member().await;
    for body in [
        serde_json::json!({"demographics": [null, null]}),
        serde_json::json!({"demographics": ["mid"]}),
        serde_json::json!({"demographics": "mid"}),
    ] {
        let (status, _, problem) = app
            .patch("/api/v1/members/me", Some(&member.token), None, &body)
            .await;
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(problem["errors"][0]["field"], "demographics", "{problem}");
    }
    let (status, _, profile) = app
        .patch(
            "/api/v1/members/me",
            Some(&member.token),
            None,
            &serde_json::json!({"demographics": {"career_stage": "mid"}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{profile}");
    assert_eq!(profile["career_stage"], "mid");
}
