use hub_tests::spawn_app;
use reqwest::StatusCode;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn committed_openapi_matches_the_code() {
    let generated = api::openapi::document_json();

    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date; regenerate it with:\n    cargo run -q -p api --bin innovation-hub -- openapi > openapi/openapi.json"
    );
}

#[test]
fn every_response_has_a_description_and_paths_are_documented() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().cloned().unwrap();
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/members/me",
        "/api/v1/members/{id}/role",
        "/api/v1/taxonomy",
        "/api/v1/submissions",
        "/api/v1/submissions/{id}",
        "/api/v1/submissions/{id}/submit",
        "/api/v1/submissions/{id}/withdraw",
        "/api/v1/submissions/{id}/attachments",
        "/api/v1/submissions/{id}/attachments/{attachment_id}",
        "/health/live",
        "/health/ready",
    ] {
        assert!(paths.contains_key(path), "{path} is missing from the spec");
    }
    for (path, operations) in &paths {
        for (method, operation) in operations.as_object().into_iter().flatten() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status} has no description"
                );
            }
        }
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn the_spec_and_an_offline_docs_page_are_served() {
    let app = spawn_app().await;

    let (spec_status, _, spec) = app.get("/api/v1/openapi.json", None).await;
    let (redirect, headers, _) = app.get("/docs", None).await;
    let (docs_status, _, page) = app.get("/docs/", None).await;

    assert_eq!(spec_status, StatusCode::OK);
    assert_eq!(spec["info"]["title"], "Innovation hub submission service");
    assert!(redirect.is_redirection());
    assert_eq!(headers["location"], "/docs/");
    assert_eq!(docs_status, StatusCode::OK);
    let html = page.as_str().unwrap();
    assert!(html.contains("swagger-ui"));
    for attribute in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "url(http",
    ] {
        assert!(
            !html.contains(attribute),
            "the docs page loads an external asset: {attribute}"
        );
    }
    let (initializer, _, script) = app.get("/docs/swagger-initializer.js", None).await;
    assert_eq!(initializer, StatusCode::OK);
    assert!(script.as_str().unwrap().contains("/api/v1/openapi.json"));
}

#[test]
fn operation_summaries_are_one_line_of_plain_text() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut odd = Vec::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(summary) = operation["summary"].as_str() else {
                odd.push(format!("{method} {path}: no summary"));
                continue;
            };
            let plain = !summary.is_empty()
                && summary.len() <= 90
                && !summary.contains(['\n', '`', '*', '[', '_']);
            if !plain {
                odd.push(format!("{method} {path}: {summary:?}"));
            }
        }
    }
    assert!(
        odd.is_empty(),
        "summaries the docs page would show badly: {odd:#?}"
    );
}

/// The schema keyword `keyword` at `pointer` (from `components/schemas`).
fn declared(spec: &serde_json::Value, pointer: &str, keyword: &str) -> serde_json::Value {
    let node = spec
        .pointer(&format!("/components/schemas/{pointer}"))
        .unwrap_or_else(|| panic!("{pointer} is not in the document"));
    node[keyword].clone()
}

/// The schema of query parameter `name` of operation `operation_id`.
fn parameter(spec: &serde_json::Value, operation_id: &str, name: &str) -> serde_json::Value {
    spec["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
        .find(|(_, operation)| operation["operationId"] == operation_id)
        .and_then(|(_, operation)| {
            operation["parameters"]
                .as_array()?
                .iter()
                .find(|p| p["name"] == name)
                .map(|p| p["schema"].clone())
        })
        .unwrap_or_else(|| panic!("{operation_id} has no parameter {name}"))
}

#[test]
fn every_validation_limit_is_declared_with_the_domains_own_value() {
    use domain::access_token::{Scope, TokenLifetime, TokenName};
    use domain::member::{DisplayName, JOB_TITLE_MAX, Password};
    use domain::pagination::{FeedPageSize, PageSize};
    use domain::review::{COMMENT_MAX, CRITERIA, SCORE_RANGE};
    use domain::submission::search::QUERY_MAX_CHARS;
    use domain::submission::validate::*;
    use serde_json::json;
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();

    let expected = [
        (
            "CreateSubmissionRequest/properties/summary",
            "maxLength",
            json!(SUMMARY_MAX),
        ),
        (
            "UpdateSubmissionRequest/properties/summary",
            "maxLength",
            json!(SUMMARY_MAX),
        ),
        (
            "CreateSubmissionRequest/properties/title",
            "maxLength",
            json!(TITLE_MAX),
        ),
        (
            "UpdateSubmissionRequest/properties/title",
            "maxLength",
            json!(TITLE_MAX),
        ),
        (
            "WhyWeStarted/properties/problem",
            "maxLength",
            json!(SECTION_MAX),
        ),
        (
            "Sections/properties/funding",
            "maxLength",
            json!(SECTION_MAX),
        ),
        (
            "ImpactEvidence/properties/description",
            "maxLength",
            json!(SECTION_MAX),
        ),
        (
            "ImpactEvidence/properties/description",
            "minLength",
            json!(1),
        ),
        (
            "ImpactEvidence/properties/costs_pence",
            "maximum",
            json!(PENCE_MAX),
        ),
        (
            "ImpactEvidence/properties/return_on_investment",
            "minimum",
            json!(RETURN_ON_INVESTMENT.0),
        ),
        (
            "ImpactEvidence/properties/return_on_investment",
            "maximum",
            json!(RETURN_ON_INVESTMENT.1),
        ),
        (
            "Recommendation/properties/text",
            "maxLength",
            json!(SHORT_TEXT_MAX),
        ),
        ("EvidenceSource/properties/url", "maxLength", json!(URL_MAX)),
        (
            "PdsaCycle/properties/change_idea",
            "maxLength",
            json!(SHORT_TEXT_MAX),
        ),
        (
            "Measure/properties/name",
            "maxLength",
            json!(MEASURE_NAME_MAX),
        ),
        ("Measure/properties/unit", "maxLength", json!(UNIT_MAX)),
        (
            "Measure/properties/data_points",
            "maxItems",
            json!(DATA_POINTS_MAX),
        ),
        (
            "CreateSubmissionRequest/properties/impact_evidence",
            "maxItems",
            json!(LIST_MAX),
        ),
        (
            "CreateSubmissionRequest/properties/evidence_sources",
            "maxItems",
            json!(SOURCES_MAX),
        ),
        (
            "TransitionRequest/properties/comment",
            "maxLength",
            json!(SHORT_TEXT_MAX),
        ),
        (
            "RegisterRequest/properties/password",
            "minLength",
            json!(Password::MIN_CHARS),
        ),
        (
            "RegisterRequest/properties/password",
            "maxLength",
            json!(Password::MAX_CHARS),
        ),
        (
            "ChangePasswordRequest/properties/new_password",
            "minLength",
            json!(Password::MIN_CHARS),
        ),
        (
            "RegisterRequest/properties/display_name",
            "maxLength",
            json!(DisplayName::MAX_CHARS),
        ),
        (
            "UpdateMeRequest/properties/display_name",
            "maxLength",
            json!(DisplayName::MAX_CHARS),
        ),
        (
            "DemographicsPatchBody/properties/job_title",
            "maxLength",
            json!(JOB_TITLE_MAX),
        ),
        (
            "CreateTokenRequest/properties/name",
            "maxLength",
            json!(TokenName::MAX_CHARS),
        ),
        (
            "CreateTokenRequest/properties/expires_in_days",
            "maximum",
            json!(TokenLifetime::MAX_DAYS),
        ),
        (
            "ReviewRequest/properties/overall_comment",
            "maxLength",
            json!(COMMENT_MAX),
        ),
        (
            "RubricScores/properties/evidence_of_impact",
            "minimum",
            json!(SCORE_RANGE.0),
        ),
        (
            "RubricScores/properties/evidence_of_impact",
            "maximum",
            json!(SCORE_RANGE.1),
        ),
        ("RubricScores", "required", json!(CRITERIA)),
    ];
    for (pointer, keyword, value) in expected {
        let found = declared(&spec, pointer, keyword);
        match (found.as_f64(), value.as_f64()) {
            (Some(found), Some(value)) => assert_eq!(found, value, "{pointer} {keyword}"),
            _ => assert_eq!(found, value, "{pointer} {keyword}"),
        }
    }
    assert_eq!(
        declared(&spec, "CreateTokenRequest/properties/scopes", "items")["enum"],
        json!(Scope::ALL.map(Scope::as_str))
    );
    let nations = declared(&spec, "CreateSubmissionRequest/properties/nation", "enum");
    assert!(
        nations
            .as_array()
            .is_some_and(|n| n.contains(&json!("england")) && n.contains(&json!(null))),
        "{nations}"
    );

    for operation in ["list_submissions", "review_queue", "list_audit"] {
        let limit = parameter(&spec, operation, "limit");
        assert_eq!(
            (limit["minimum"].clone(), limit["maximum"].clone()),
            (json!(1), json!(PageSize::MAX)),
            "{operation}"
        );
    }
    assert_eq!(
        parameter(&spec, "list_events", "limit")["maximum"],
        json!(FeedPageSize::MAX)
    );
    assert_eq!(
        parameter(&spec, "list_submissions", "q")["maxLength"],
        json!(QUERY_MAX_CHARS)
    );
}

#[test]
fn every_text_a_client_sends_excludes_the_nul_character() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let summary = declared(
        &spec,
        "CreateSubmissionRequest/properties/summary",
        "pattern",
    );
    let pattern = summary
        .as_str()
        .expect("the test expected this value to be present");
    assert!(pattern.contains("\\u0000"), "{pattern}");
    let password = declared(&spec, "LoginRequest/properties/password", "pattern");
    assert!(
        password.as_str().is_some_and(|p| p.contains("\\u0000")),
        "{password}"
    );
}

/// Calls `visit` with every object in the document and its JSON pointer.
fn each_object(
    node: &serde_json::Value,
    at: &str,
    visit: &mut dyn FnMut(&serde_json::Map<String, serde_json::Value>, &str),
) {
    match node {
        serde_json::Value::Object(map) => {
            visit(map, at);
            for (key, child) in map {
                each_object(child, &format!("{at}/{key}"), visit);
            }
        }
        serde_json::Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                each_object(child, &format!("{at}/{index}"), visit);
            }
        }
        _ => {}
    }
}

/// Every schema with a `default` whose default breaks the schema's own
/// length, range or enum keywords (a validator refuses such a document).
fn defaults_that_break_their_schema(spec: &serde_json::Value) -> Vec<String> {
    let mut found = Vec::new();
    each_object(spec, "", &mut |map, at| {
        if let Some(default) = map.get("default") {
            let broken = match default {
                serde_json::Value::String(text) => {
                    let length = text.chars().count() as u64;
                    map.get("minLength")
                        .and_then(serde_json::Value::as_u64)
                        .is_some_and(|min| length < min)
                        || map
                            .get("maxLength")
                            .and_then(serde_json::Value::as_u64)
                            .is_some_and(|max| length > max)
                }
                serde_json::Value::Number(number) => {
                    let value = number.as_f64().unwrap_or(f64::NAN);
                    map.get("minimum")
                        .and_then(serde_json::Value::as_f64)
                        .is_some_and(|min| value < min)
                        || map
                            .get("maximum")
                            .and_then(serde_json::Value::as_f64)
                            .is_some_and(|max| value > max)
                }
                _ => false,
            } || map
                .get("enum")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|allowed| !allowed.contains(default));
            if broken {
                found.push(at.to_owned());
            }
        }
    });
    found
}

#[test]
fn every_default_is_a_value_its_own_schema_accepts() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let found = defaults_that_break_their_schema(&spec);
    assert!(
        found.is_empty(),
        "defaults refused by their schema: {found:?}"
    );
}

#[test]
fn a_created_submission_links_to_what_can_be_done_with_it() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let links = &spec["paths"]["/api/v1/submissions"]["post"]["responses"]["201"]["links"];
    assert_eq!(links["GetSubmission"]["operationId"], "get_submission");
    assert_eq!(
        links["GetSubmission"]["parameters"]["path.id"],
        "$response.body#/id"
    );
    assert_eq!(
        links["UpdateSubmission"]["parameters"]["header.If-Match"],
        "$response.header.ETag"
    );
    assert_eq!(
        links["DeleteSubmission"]["operationId"],
        "delete_submission"
    );
}

#[tokio::test]
async fn declared_limits_are_where_the_service_draws_the_line() {
    use domain::member::Password;
    use domain::submission::validate::{SUMMARY_MAX, TITLE_MAX};
    use serde_json::json;
    let app = spawn_app().await;
    let member = app.member().await;

    for (field, max) in [("summary", SUMMARY_MAX), ("title", TITLE_MAX)] {
        let at_limit = json!({"kind": "case_study", field: "é".repeat(max)});
        let over = json!({"kind": "case_study", field: "é".repeat(max + 1)});
        let (status, _, body) = app
            .post("/api/v1/submissions", Some(&member.token), &at_limit)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{field} at its limit: {body}");
        let (status, _, body) = app
            .post("/api/v1/submissions", Some(&member.token), &over)
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} over its limit"
        );
        assert_eq!(body["errors"][0]["field"], field);
    }
    let short = "p".repeat(Password::MIN_CHARS - 1);
    let (status, body) = app
        .register("short-password@example.org", &short, "Short")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let enough = "p".repeat(Password::MIN_CHARS);
    let (status, body) = app
        .register("long-enough-password@example.org", &enough, "Enough")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn arrays_are_refused_wherever_an_object_is_expected() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (status, _, body) = app
        .patch(
            "/api/v1/members/me",
            Some(&member.token),
            None,
            &serde_json::json!({"demographics": [null, null]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "demographics");

    let (status, _, body) = app
        .post("/api/v1/submissions", Some(&member.token), &serde_json::json!({"kind": "improvement_journey", "sections": {"why_we_started": [null]}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "sections.why_we_started");

    let (status, _, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            &serde_json::json!(["someone@example.org", "a long passphrase"]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "body");
}

#[tokio::test]
async fn empty_query_values_are_refused_for_every_parameter_by_name() {
    let app = spawn_app().await;
    let member = app.member().await;

    for (query, named) in [
        ("limit=", vec!["limit"]),
        ("kind=&status=published", vec!["kind"]),
        ("mine&q=&cursor=", vec!["mine", "q", "cursor"]),
    ] {
        let (status, _, body) = app
            .get(&format!("/api/v1/submissions?{query}"), Some(&member.token))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "?{query}: {body}");
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, named, "?{query}");
    }
    let (status, _, _) = app
        .get("/api/v1/events?after=&limit=", Some(&member.token))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, body) = app
        .get(
            "/api/v1/submissions?limit=5&status=draft",
            Some(&member.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[test]
fn a_new_submission_may_hold_only_its_own_kinds_sections_as_the_spec_says() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let cases = spec["components"]["schemas"]["CreateSubmissionRequest"]["allOf"]
        .as_array()
        .cloned()
        .expect("CreateSubmissionRequest has allOf");
    let then_for = |kind: &str| {
        cases
            .iter()
            .find(|c| c["if"]["properties"]["kind"]["const"] == kind)
            .map(|c| c["then"].clone())
            .unwrap_or_else(|| panic!("no case for {kind} in {cases:?}"))
    };
    let kinds = cases
        .iter()
        .filter(|c| c["if"]["properties"]["kind"].is_object())
        .count();
    assert_eq!(kinds, 4, "one case a kind");
    let scotland = cases
        .iter()
        .find(|c| c["if"]["properties"]["nation"]["const"] == "scotland")
        .unwrap_or_else(|| panic!("no case for scotland in {cases:?}"));
    let regions = scotland["then"]["properties"]["region"]["enum"].to_string();
    assert!(
        regions.contains("scottish_western") && !regions.contains("london"),
        "{regions}"
    );
    let case_study = then_for("case_study");
    assert_eq!(
        case_study["properties"]["sections"]["properties"]["ask"]["type"], "null",
        "a case study holds no business case's ask"
    );
    assert_eq!(case_study["properties"]["pdsa_cycles"]["maxItems"], 0);
    let journey = then_for("improvement_journey");
    assert!(
        journey["properties"]["pdsa_cycles"].is_null(),
        "journeys hold PDSA cycles"
    );
}

#[test]
fn related_work_and_unsubscribe_links_declare_what_the_service_accepts() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let limit = parameter(&spec, "related_submissions", "limit");
    assert_eq!(
        limit["maximum"],
        serde_json::json!(domain::submission::search::RELATED_MAX)
    );
    assert_eq!(limit["type"], "integer");
    for operation in ["unsubscribe", "unsubscribe_page"] {
        assert_eq!(
            parameter(&spec, operation, "token")["pattern"],
            serde_json::json!(domain::notification::TOKEN_PATTERN)
        );
    }
}

#[actix_web::test]
async fn what_the_spec_refuses_the_service_refuses_too() {
    let app = hub_tests::spawn_app().await;
    let admin = app.admin().await;
    let (status, _, problem) = app
        .post(
            "/api/v1/members/me/tokens",
            Some(&admin.token),
            &serde_json::json!({"name": "Twice", "scopes": ["reports:read", "reports:read"], "expires_in_days": 30}),
        )
        .await;
    assert_eq!(
        status,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["field"], "scopes[1]");
    assert_eq!(problem["errors"][0]["code"], "duplicate");
    let long = "x".repeat(domain::audit::MAX_ACTION_CHARS + 1);
    let (status, _, problem) = app
        .get(&format!("/api/v1/audit?action={long}"), Some(&admin.token))
        .await;
    assert_eq!(
        status,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["field"], "action");
}

/// Every request text with `minLength` of at least 1 must say something: its
/// pattern names a character other than white space, as the service's length
/// check (which trims) refuses blank text.
fn required_texts_that_allow_blank(spec: &serde_json::Value) -> Vec<String> {
    let mut found = Vec::new();
    each_object(spec, "", &mut |map, at| {
        let required = map
            .get("minLength")
            .and_then(serde_json::Value::as_u64)
            .is_some_and(|n| n > 0);
        let pattern = map.get("pattern").and_then(serde_json::Value::as_str);
        // Passwords and query values hold what they hold; free text in
        // bodies must not be blank.
        let body_text = at.contains("/components/schemas/") && !at.contains("password");
        if required && body_text && pattern.is_some_and(|p| !p.contains("\\s")) {
            found.push(at.to_owned());
        }
    });
    found
}

#[test]
fn required_text_is_declared_not_blank() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let found = required_texts_that_allow_blank(&spec);
    assert!(found.is_empty(), "{found:#?}");
    let title = declared(&spec, "ClinicRequest/properties/title", "pattern");
    assert_eq!(title, api::constraints::NOT_BLANK);
}

#[actix_web::test]
async fn blank_required_text_is_refused_naming_the_field() {
    let app = hub_tests::spawn_app().await;
    let admin = app.admin().await;
    let (status, _, problem) = app
        .post(
            "/api/v1/idea-clinics",
            Some(&admin.token),
            &serde_json::json!({"title": "\u{b}", "held_on": "2025-02-03", "nation": "england", "region": "south_west"}),
        )
        .await;
    assert_eq!(
        status,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["field"], "title");
    assert_eq!(problem["errors"][0]["code"], "required");
}
