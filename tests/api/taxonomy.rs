use hub_tests::spawn_app;
use reqwest::StatusCode;
use serde_json::Value;

fn codes(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["code"].as_str())
        .collect()
}

#[tokio::test]
async fn taxonomy_serves_the_strategy_vocabulary_without_authentication() {
    let app = spawn_app().await;

    let (status, _, body) = app.get("/api/v1/taxonomy", None).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        codes(&body["priorities"]),
        vec![
            "optimising_ot",
            "value_and_impact",
            "retention_and_career",
            "workforce_planning"
        ]
    );
    assert_eq!(body["priorities"][0]["number"], 1);
    assert_eq!(codes(&body["practice_areas"]).len(), 13);
    assert!(codes(&body["practice_areas"]).starts_with(&[
        "primary_care",
        "community_rehabilitation",
        "schools"
    ]));
    assert_eq!(codes(&body["topics"]), vec!["ai_digital_healthcare"]);
    assert_eq!(
        codes(&body["evidence_types"]),
        vec!["economic", "social", "experiential"]
    );
    assert_eq!(
        codes(&body["nations"]),
        vec!["england", "northern_ireland", "scotland", "wales"]
    );
    assert_eq!(codes(&body["regions"]).len(), 13);
    assert_eq!(
        codes(&body["demographics"]["career_stages"]),
        vec!["learner", "early", "mid", "late", "prefer_not_to_say"]
    );
    assert!(codes(&body["demographics"]["levels_of_practice"]).contains(&"consultant"));
    assert!(codes(&body["demographics"]["sectors"]).contains(&"social_enterprise"));
    assert_eq!(
        codes(&body["submission_kinds"]),
        vec![
            "improvement_journey",
            "case_study",
            "impact_example",
            "business_case"
        ]
    );
}
