use hub_tests::{TestApp, TestMember, case_study, journey, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashSet;

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

async fn published_like(app: &TestApp, author: &TestMember, body: Value) -> String {
    let created = app.create_submission(&author.token, &body).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, submitted) = app.submit(&author.token, &id).await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    id
}

#[tokio::test]
async fn every_filter_narrows_the_list_and_they_combine() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let journey_id = published_like(&app, &author, journey("Falls prevention journey")).await;
    let case_id = published_like(&app, &author, case_study("Primary care first contact")).await;
    let mut social = case_study("Wellbeing stories in schools");
    social["practice_areas"] = json!(["schools"]);
    social["priorities"] = json!(["retention_and_career"]);
    social["nation"] = json!("wales");
    social["region"] = json!("wales");
    social["impact_evidence"] =
        json!([{"evidence_type": "social", "description": "Realist evaluation"}]);
    let social_id = published_like(&app, &author, social).await;
    let draft_id = app
        .create_submission(&author.token, &case_study("Only a draft"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let quarter = {
        let now = chrono::Utc::now();
        format!(
            "{}-Q{}",
            chrono::Datelike::year(&now),
            chrono::Datelike::month0(&now) / 3 + 1
        )
    };

    let cases: Vec<(String, Vec<&String>)> = vec![
        ("kind=improvement_journey".into(), vec![&journey_id]),
        ("kind=case_study".into(), vec![&social_id, &case_id]),
        (
            "status=submitted".into(),
            vec![&social_id, &case_id, &journey_id],
        ),
        ("priority=retention_and_career".into(), vec![&social_id]),
        ("practice_area=primary_care".into(), vec![&case_id]),
        ("evidence_type=economic".into(), vec![&journey_id]),
        ("evidence_type=social".into(), vec![&social_id]),
        ("topic=ai_digital_healthcare".into(), vec![&journey_id]),
        ("nation=wales".into(), vec![&social_id]),
        ("region=london".into(), vec![&case_id]),
        (
            format!("quarter={quarter}"),
            vec![&social_id, &case_id, &journey_id],
        ),
        ("quarter=2019-Q1".into(), vec![]),
        ("q=FALLS".into(), vec![&journey_id]),
        ("q=first%20primary".into(), vec![&case_id]),
        (
            "kind=case_study&nation=england&priority=optimising_ot".into(),
            vec![&case_id],
        ),
    ];
    for (query, expected) in cases {
        let (status, _, page) = app
            .get(
                &format!("/api/v1/submissions?{query}"),
                Some(&reviewer.token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&page), expected, "{query}");
    }
    let (_, _, mine) = app
        .get("/api/v1/submissions?mine=true", Some(&author.token))
        .await;
    assert_eq!(
        ids(&mine),
        vec![
            draft_id.clone(),
            social_id.clone(),
            case_id.clone(),
            journey_id.clone()
        ]
    );
    let (_, _, drafts) = app
        .get("/api/v1/submissions?status=draft", Some(&reviewer.token))
        .await;
    assert!(
        ids(&drafts).is_empty(),
        "reviewers never see others' drafts"
    );
}

#[tokio::test]
async fn search_treats_wildcards_and_quotes_as_text() {
    let app = spawn_app().await;
    let author = app.member().await;
    app.create_submission(&author.token, &case_study("Cut waits by 50% in clinic_a"))
        .await;
    app.create_submission(&author.token, &case_study("Ordinary title"))
        .await;

    // Punctuation only separates words; text with no word in it finds nothing.
    for (q, expected) in [
        ("50%25", 1),
        ("waits%20clinic_a", 1),
        ("%25", 0),
        ("_", 0),
        ("'%20OR%20'1'='1", 0),
        ("\\", 0),
    ] {
        let (status, _, page) = app
            .get(
                &format!("/api/v1/submissions?mine=true&q={q}"),
                Some(&author.token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert_eq!(ids(&page).len(), expected, "q={q}");
    }
}

#[tokio::test]
async fn bad_filters_are_422_naming_each() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (status, _, problem) = app
        .get("/api/v1/submissions?kind=novel&priority=nope&quarter=2025-Q9&limit=0&cursor=zzz&mine=perhaps", Some(&member.token))
        .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: HashSet<&str> = problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        HashSet::from(["kind", "priority", "quarter", "limit", "cursor", "mine"])
    );
}

#[tokio::test]
async fn paging_through_250_items_while_others_insert_sees_each_once() {
    let app = spawn_app().await;
    let author = app.member().await;
    let mut created = HashSet::new();
    for i in 0..250 {
        let body = json!({"kind": "case_study", "title": format!("Item {i}")});
        created.insert(
            app.create_submission(&author.token, &body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/submissions?mine=true&limit=40&cursor={c}"),
            None => "/api/v1/submissions?mine=true&limit=40".to_owned(),
        };
        let (status, _, page) = app.get(&path, Some(&author.token)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(ids(&page));
        pages += 1;
        app.create_submission(
            &author.token,
            &json!({"kind": "case_study", "title": format!("Inserted during page {pages}")}),
        )
        .await;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }

    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no item twice");
    assert!(
        created.is_subset(&unique),
        "every item that existed when paging began"
    );
    assert_eq!(pages, 7);
}
