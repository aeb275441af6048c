//! Hostile input: SQL metacharacters and Unicode edge cases in every filter
//! and text field, fields a client may not set, and bodies built to exhaust
//! the parser or the memory.

use hub_tests::Answer;
use hub_tests::{PASSWORD, TestApp, case_study, spawn_app, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Strings that break naive SQL, LIKE patterns or text handling.
fn nasty_strings() -> Vec<(&'static str, String)> {
    vec![
        ("sql tautology", "' OR 1=1 --".to_owned()),
        ("percent", "%".to_owned()),
        ("underscore", "_".to_owned()),
        ("backslash", "\\".to_owned()),
        ("drop table", "\"; DROP TABLE submissions; --".to_owned()),
        ("nul", "a\u{0}b".to_owned()),
        ("rtl override", "\u{202E}gnp.exe".to_owned()),
        ("combining", "e\u{301}\u{302}\u{303}".to_owned()),
        ("emoji zwj", "👩\u{200d}⚕️🧠".to_owned()),
        ("bom and zero width", "\u{feff}\u{200b}x".to_owned()),
        ("replacement", "\u{fffd}".to_owned()),
        ("long", "ü".repeat(2000)),
    ]
}

fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn every_filter_takes_hostile_values_without_a_server_error() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let admin = app.admin().await;
    let published = app
        .published(&author, &reviewer, &case_study("Plain title"))
        .await;
    app.submitted(&author.token, &case_study("Waiting title"))
        .await;
    let attachments = format!("/api/v1/submissions/{published}/attachments");
    let lists: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "/api/v1/submissions",
            vec![
                "kind",
                "status",
                "priority",
                "practice_area",
                "evidence_type",
                "topic",
                "nation",
                "region",
                "quarter",
                "mine",
                "q",
                "limit",
                "cursor",
            ],
            &author.token,
        ),
        (
            "/api/v1/reviews/queue",
            vec!["priority", "q", "nation", "cursor", "limit", "quarter"],
            &reviewer.token,
        ),
        ("/api/v1/events", vec!["after", "limit"], &admin.token),
        (
            "/api/v1/audit",
            vec![
                "action",
                "actor_id",
                "target_id",
                "from",
                "to",
                "limit",
                "cursor",
            ],
            &admin.token,
        ),
        (
            "/api/v1/recommendation-events",
            vec!["quarter"],
            &admin.token,
        ),
        (
            "/api/v1/reports/quarterly",
            vec!["from", "to"],
            &admin.token,
        ),
        (
            "/api/v1/reports/quarterly/2025-Q1",
            vec!["format", "gap_threshold"],
            &admin.token,
        ),
        (attachments.as_str(), vec!["revision"], &author.token),
    ];

    let mut failures = Vec::new();
    for (path, params, token) in &lists {
        for param in params {
            for (label, value) in nasty_strings() {
                let (status, headers, body) = app
                    .send(
                        app.request(Method::GET, path, Some(token))
                            .query(&[(*param, value.as_str())]),
                    )
                    .await;
                if status.is_server_error() {
                    failures.push(format!("{path}?{param}= {label}: {status} {body}"));
                } else if status.is_client_error() {
                    let problem = headers
                        .get("content-type")
                        .is_some_and(|v| v == "application/problem+json");
                    if !problem {
                        failures.push(format!(
                            "{path}?{param}= {label}: {status} not problem+json"
                        ));
                    }
                }
            }
        }
    }
    for (label, value) in nasty_strings() {
        let encoded: String = url_segment(&value);
        for path in [
            format!("/api/v1/reports/quarterly/{encoded}"),
            format!("/api/v1/submissions/{encoded}"),
            format!("/api/v1/reports/quarterly/2025-Q1/snapshots/{encoded}"),
        ] {
            let (status, _, body) = app.get(&path, Some(&admin.token)).await;
            if status.is_server_error() {
                failures.push(format!("{path} {label}: {status} {body}"));
            }
        }
    }

    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (label, value) in nasty_strings() {
        let (status, _, page) = app
            .send(
                app.request(Method::GET, "/api/v1/submissions", Some(&author.token))
                    .query(&[("q", value.as_str())]),
            )
            .await;
        // NUL is refused; so is a search longer than 200 characters.
        if label == "nul" || label == "long" {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
            assert_eq!(error_fields(&page), vec!["q".to_owned()]);
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{label}: {page}");
        {
            assert_eq!(
                page["items"].as_array().map(Vec::len),
                Some(0),
                "{label} is a literal, not a pattern or SQL: {page}"
            );
        }
    }
    let (status, _, page) = app
        .get("/api/v1/submissions?q=Plain", Some(&author.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page["items"][0]["id"],
        published.as_str(),
        "the tables are intact"
    );
}

fn url_segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Sends `body`, with the current ETag when the target is a submission.
async fn write_and_read(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let mut builder = app.request(method, path, token).json(body);
    if path.starts_with("/api/v1/submissions/") {
        let (_, headers, _) = app.get(path, token).await;
        if let Some(tag) = headers.get("etag") {
            builder = builder.header("if-match", tag.clone());
        }
    }
    let (status, _, answer) = app.send(builder).await;
    (status, answer)
}

/// A text field: where it is written, and where the stored value is read
/// back (`read` empty: from the write's own answer).
struct TextField {
    field: &'static str,
    method: Method,
    path: String,
    read: String,
    body: Value,
    pointer: &'static str,
}

fn text_fields(submission: &str, value: &str) -> Vec<TextField> {
    let on_submission = |field, body: Value, pointer| TextField {
        field,
        method: Method::PATCH,
        path: submission.to_owned(),
        read: submission.to_owned(),
        body,
        pointer,
    };
    let on_profile = |field, body: Value, pointer| TextField {
        field,
        method: Method::PATCH,
        path: "/api/v1/members/me".to_owned(),
        read: "/api/v1/members/me".to_owned(),
        body,
        pointer,
    };
    vec![
        on_submission("title", json!({"title": value}), "/title"),
        on_submission("summary", json!({"summary": value}), "/summary"),
        on_submission(
            "sections.context",
            json!({"sections": {"context": value, "approach": "a", "outcomes": "o", "learning": "l"}}),
            "/sections/context",
        ),
        on_submission(
            "recommendations[0].text",
            json!({"recommendations": [{"text": value, "adoption_status": "proposed"}]}),
            "/recommendations/0/text",
        ),
        on_submission(
            "evidence_sources[0].citation",
            json!({"evidence_sources": [{"citation": value}]}),
            "/evidence_sources/0/citation",
        ),
        on_profile(
            "display_name",
            json!({"display_name": value}),
            "/display_name",
        ),
        on_profile("job_title", json!({"job_title": value}), "/job_title"),
        TextField {
            field: "name",
            method: Method::POST,
            path: "/api/v1/members/me/tokens".to_owned(),
            read: String::new(),
            body: json!({"name": value, "scopes": ["submissions:read"]}),
            pointer: "/name",
        },
    ]
}

#[tokio::test]
async fn text_fields_store_unicode_exactly_and_refuse_nul_by_name() {
    let app = spawn_app().await;
    let author = app.member().await;
    let admin = app.admin().await;
    let draft = app
        .create_submission(&author.token, &case_study("Base"))
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/submissions/{id}");
    let mut failures = Vec::new();

    for (label, value) in nasty_strings() {
        // As long as the shortest of these fields allows.
        let value = if label == "long" {
            "ü".repeat(100)
        } else {
            value
        };
        for text in text_fields(&path, &value) {
            let field = text.field;
            let (status, answer) = write_and_read(
                &app,
                text.method,
                &text.path,
                Some(&author.token),
                &text.body,
            )
            .await;
            if status.is_success() {
                let stored = if text.read.is_empty() {
                    answer
                } else {
                    app.get(&text.read, Some(&author.token)).await.2
                };
                let stored = stored.pointer(text.pointer).cloned();
                let sent = text.body.pointer(text.pointer).cloned();
                if stored != sent || label == "nul" {
                    failures.push(format!("{field} {label}: stored {stored:?}, sent {sent:?}"));
                }
            } else if status == StatusCode::UNPROCESSABLE_ENTITY {
                if !error_fields(&answer).iter().any(|f| f == field) {
                    failures.push(format!("{field} {label}: 422 without naming it: {answer}"));
                }
                if label != "nul" {
                    failures.push(format!("{field} {label}: refused ordinary text: {answer}"));
                }
            } else {
                failures.push(format!("{field} {label}: {status} {answer}"));
            }
        }
    }
    for (label, value) in nasty_strings().into_iter().filter(|(l, _)| *l != "long") {
        let (status, answer) = write_and_read(
            &app,
            Method::POST,
            "/api/v1/auth/register",
            None,
            &json!({"email": format!("u{}@example.org", uuid::Uuid::new_v4().simple()), "password": PASSWORD, "display_name": value}),
        )
        .await;
        let ok = (status == StatusCode::CREATED && answer["display_name"] == value.trim())
            || (status == StatusCode::UNPROCESSABLE_ENTITY
                && error_fields(&answer).contains(&"display_name".to_owned()));
        if !ok {
            failures.push(format!("register display_name {label}: {status} {answer}"));
        }
        let (status, answer) = write_and_read(
            &app,
            Method::POST,
            "/api/v1/webhooks",
            Some(&admin.token),
            &json!({"url": format!("http://127.0.0.1:9/{value}"), "event_types": ["submission.created"]}),
        )
        .await;
        if status.is_server_error() {
            failures.push(format!("webhook url {label}: {status} {answer}"));
        }
        let (status, answer) = write_and_read(
            &app,
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"email": value, "password": value}),
        )
        .await;
        if status != StatusCode::UNAUTHORIZED && status != StatusCode::UNPROCESSABLE_ENTITY {
            failures.push(format!("login {label}: {status} {answer}"));
        }
    }

    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (_, _, after) = app.get(&path, Some(&author.token)).await;
    assert!(
        !after.to_string().contains('\u{0}'),
        "no NUL was stored: {after}"
    );
}

#[tokio::test]
async fn nul_in_a_new_submission_is_a_422_naming_the_field_not_a_500() {
    let app = spawn_app().await;
    let author = app.member().await;
    let mut body = case_study("Nul\u{0}title");
    body["sections"]["learning"] = json!("ok\u{0}");

    let (status, headers, problem) = app
        .post("/api/v1/submissions", Some(&author.token), &body)
        .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(headers["content-type"], "application/problem+json");
    let fields = error_fields(&problem);
    assert!(fields.contains(&"title".to_owned()), "{fields:?}");
    assert!(
        fields.contains(&"sections.learning".to_owned()),
        "{fields:?}"
    );
    let (_, _, mine) = app
        .get("/api/v1/submissions?mine=true", Some(&author.token))
        .await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn unpaired_surrogates_and_raw_control_bytes_are_a_400_problem() {
    let app = spawn_app().await;
    let author = app.member().await;
    for raw in [
        r#"{"kind":"case_study","title":"\ud800"}"#,
        r#"{"kind":"case_study","title":"\udfff\ud800"}"#,
        "{\"kind\":\"case_study\",\"title\":\"a\u{1}b\"}",
        "{\"kind\":\"case_study\",\"title\":\"\u{0}\"}",
    ] {
        let (status, headers, problem) = app
            .send(
                app.request(Method::POST, "/api/v1/submissions", Some(&author.token))
                    .header("content-type", "application/json")
                    .body(raw.to_owned()),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{raw}: {problem}");
        assert_eq!(headers["content-type"], "application/problem+json");
    }
    let mut invalid_utf8 = br#"{"kind":"case_study","title":""#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xc0, 0x80]);
    invalid_utf8.extend_from_slice(br#""}"#);
    let (status, _, _) = app
        .send(
            app.request(Method::POST, "/api/v1/submissions", Some(&author.token))
                .header("content-type", "application/json")
                .body(invalid_utf8),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn fields_the_server_owns_are_refused_by_name_and_never_applied() {
    let app = spawn_app().await;
    let member = app.member().await;
    let admin = app.admin().await;
    let reviewer = app.reviewer().await;
    let other = app.member().await;
    let mut failures = Vec::new();

    for (field, value) in [
        ("status", json!("published")),
        ("author_id", json!(other.id)),
        ("quality_score", json!(5.0)),
        ("submitted_at", json!("2020-01-01T00:00:00Z")),
        ("published_at", json!("2020-01-01T00:00:00Z")),
        ("id", json!(uuid::Uuid::now_v7())),
        ("version", json!(99)),
        ("reviewer_id", json!(reviewer.id)),
    ] {
        let mut body = case_study("Mass assignment on create");
        body[field] = value;
        let (status, _, problem) = app
            .post("/api/v1/submissions", Some(&member.token), &body)
            .await;
        if status != StatusCode::UNPROCESSABLE_ENTITY
            || !error_fields(&problem).contains(&field.to_owned())
        {
            failures.push(format!("create with {field}: {status} {problem}"));
        }
    }
    let (_, _, mine) = app
        .get("/api/v1/submissions?mine=true", Some(&member.token))
        .await;
    if mine["items"].as_array().map(Vec::len) != Some(0) {
        failures.push(format!("a refused create left a submission: {mine}"));
    }

    let email = format!("mass-{}@example.org", uuid::Uuid::new_v4().simple());
    for (field, value) in [
        ("role", json!("admin")),
        ("id", json!(uuid::Uuid::now_v7())),
        ("created_at", json!("2020-01-01T00:00:00Z")),
        ("erased_at", json!(null)),
    ] {
        let mut body = json!({"email": email, "password": PASSWORD, "display_name": "Mass"});
        body[field] = value;
        let (status, _, problem) = app.post("/api/v1/auth/register", None, &body).await;
        if status != StatusCode::UNPROCESSABLE_ENTITY
            || !error_fields(&problem).contains(&field.to_owned())
        {
            failures.push(format!("register with {field}: {status} {problem}"));
        }
    }
    let (login, _) = app.login(&email, PASSWORD).await;
    if login != StatusCode::UNAUTHORIZED {
        failures.push(format!("a refused registration made an account: {login}"));
    }

    for (field, value) in [
        ("role", json!("admin")),
        ("email", json!("taken-over@example.org")),
        ("id", json!(other.id)),
        ("password_hash", json!("x")),
        ("erased_at", json!("2020-01-01T00:00:00Z")),
    ] {
        let (status, _, problem) = app
            .patch(
                "/api/v1/members/me",
                Some(&member.token),
                None,
                &json!({ field: value }),
            )
            .await;
        if status != StatusCode::UNPROCESSABLE_ENTITY
            || !error_fields(&problem).contains(&field.to_owned())
        {
            failures.push(format!("profile with {field}: {status} {problem}"));
        }
    }
    let (_, _, me) = app.get("/api/v1/members/me", Some(&member.token)).await;
    if me["role"] != "member"
        || me["email"] != member.email.as_str()
        || me["id"] != member.id.to_string()
    {
        failures.push(format!("the profile changed: {me}"));
    }

    for (field, value) in [
        ("member_id", json!(other.id)),
        ("secret", json!("hub_pat_chosen_by_the_client")),
        ("revoked_at", json!(null)),
        ("last_used_at", json!("2020-01-01T00:00:00Z")),
    ] {
        let mut body = json!({"name": "script", "scopes": ["submissions:read"]});
        body[field] = value;
        let (status, _, problem) = app
            .post("/api/v1/members/me/tokens", Some(&member.token), &body)
            .await;
        if status != StatusCode::UNPROCESSABLE_ENTITY
            || !error_fields(&problem).contains(&field.to_owned())
        {
            failures.push(format!("token with {field}: {status} {problem}"));
        }
    }

    for (field, value) in [
        ("secret", json!("chosen-by-the-client")),
        ("id", json!(uuid::Uuid::now_v7())),
    ] {
        let mut body =
            json!({"url": "http://127.0.0.1:9/x", "event_types": ["submission.created"]});
        body[field] = value;
        let (status, _, problem) = app
            .post("/api/v1/webhooks", Some(&admin.token), &body)
            .await;
        if status != StatusCode::UNPROCESSABLE_ENTITY
            || !error_fields(&problem).contains(&field.to_owned())
        {
            failures.push(format!("webhook with {field}: {status} {problem}"));
        }
    }

    let work = app.submitted(&member.token, &case_study("To review")).await;
    app.claim(&reviewer.token, &work)
        .await
        .expect_status(StatusCode::OK);
    for (field, value) in [
        ("reviewer_id", json!(admin.id)),
        ("quality_score", json!(5.0)),
        ("submission_id", json!(uuid::Uuid::now_v7())),
    ] {
        let mut body = hub_tests::rubric("publish", 2);
        body[field] = value;
        let (status, _, problem) = app
            .post(
                &format!("/api/v1/submissions/{work}/reviews"),
                Some(&reviewer.token),
                &body,
            )
            .await;
        if status != StatusCode::UNPROCESSABLE_ENTITY
            || !error_fields(&problem).contains(&field.to_owned())
        {
            failures.push(format!("review with {field}: {status} {problem}"));
        }
    }
    let (_, _, reviewed) = app
        .get(&format!("/api/v1/submissions/{work}"), Some(&member.token))
        .await;
    if reviewed["status"] != "in_review" || !reviewed["quality_score"].is_null() {
        failures.push(format!("a refused review changed the work: {reviewed}"));
    }

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn nesting_ten_thousand_deep_is_a_client_error_on_every_json_route() {
    let app = spawn_app().await;
    let member = app.member().await;
    let deep_array = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_in_field = format!(
        "{{\"kind\":\"case_study\",\"title\":\"t\",\"sections\":{{\"context\":{}1{}}}}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let id = app
        .create_submission(&member.token, &case_study("Deep"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/submissions".to_owned(),
            deep_in_field.clone(),
        ),
        (
            Method::POST,
            "/api/v1/submissions".to_owned(),
            deep_array.clone(),
        ),
        (
            Method::PATCH,
            format!("/api/v1/submissions/{id}"),
            deep_in_field.clone(),
        ),
        (
            Method::PATCH,
            "/api/v1/members/me".to_owned(),
            deep_array.clone(),
        ),
        (
            Method::POST,
            "/api/v1/members/me/tokens".to_owned(),
            deep_array.clone(),
        ),
    ] {
        let (status, headers, problem) = app
            .send(
                app.request(method, &path, Some(&member.token))
                    .header("content-type", "application/json")
                    .header("if-match", "\"1\"")
                    .body(body),
            )
            .await;
        assert!(status.is_client_error(), "{path}: {status} {problem}");
        assert_eq!(
            headers["content-type"], "application/problem+json",
            "{path}"
        );
    }
    let (live, _, _) = app.get("/health/live", None).await;
    assert_eq!(live, StatusCode::OK, "the server is still up");
}

#[tokio::test]
async fn ten_megabyte_bodies_and_huge_arrays_are_refused_quickly() {
    let app = spawn_app().await;
    let member = app.member().await;
    let ten_mb = format!(
        "{{\"kind\":\"case_study\",\"title\":\"{}\"}}",
        "x".repeat(10 * 1024 * 1024)
    );
    let started = std::time::Instant::now();

    let (declared, headers, problem) = app
        .send(
            app.request(Method::POST, "/api/v1/submissions", Some(&member.token))
                .header("content-type", "application/json")
                .body(ten_mb.clone()),
        )
        .await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = ten_mb
        .into_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let (streamed, streamed_headers, _) = app
        .send(
            app.request(Method::POST, "/api/v1/submissions", Some(&member.token))
                .header("content-type", "application/json")
                .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                    chunks,
                ))),
        )
        .await;
    let mut big_array = case_study("Huge array");
    big_array["priorities"] = json!(vec!["optimising_ot"; 100_000]);
    let (array_over_limit, _, _) = app
        .post("/api/v1/submissions", Some(&member.token), &big_array)
        .await;
    let mut small_items = case_study("Many small items");
    small_items["practice_areas"] = json!(vec![0; 100_000]);
    let (array_under_limit, _, array_problem) = app
        .post("/api/v1/submissions", Some(&member.token), &small_items)
        .await;
    let mut many_objects = case_study("Many recommendations");
    many_objects["recommendations"] = json!(vec![json!({}); 100_000]);
    let (objects, _, objects_problem) = app
        .post("/api/v1/submissions", Some(&member.token), &many_objects)
        .await;

    assert_eq!(declared, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(problem["code"], "payload_too_large");
    assert_eq!(streamed, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(streamed_headers["content-type"], "application/problem+json");
    assert_eq!(array_over_limit, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        array_under_limit,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{array_problem}"
    );
    assert!(
        error_fields(&array_problem)
            .iter()
            .any(|f| f.starts_with("practice_areas")),
        "{array_problem}"
    );
    assert_eq!(
        objects,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{objects_problem}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    let (_, _, mine) = app
        .get("/api/v1/submissions?mine=true", Some(&member.token))
        .await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_huge_array_of_queries_or_ids_does_not_stall_the_server() {
    let app = spawn_app_with(&[("HUB_BODY_LIMIT_BYTES", "4194304")]).await;
    let member = app.member().await;
    let mut body = case_study("Many sources");
    body["evidence_sources"] = json!(vec![json!({"citation": "c"}); 100_000]);
    let started = std::time::Instant::now();

    let (status, _, problem) = app
        .post("/api/v1/submissions", Some(&member.token), &body)
        .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        error_fields(&problem)
            .iter()
            .any(|f| f.starts_with("evidence_sources"))
    );
    assert!(
        problem["errors"].as_array().map_or(0, Vec::len) < 1000,
        "the answer stays small"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[tokio::test]
async fn uploaded_file_names_and_captions_take_hostile_text_without_a_server_error() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = app
        .create_submission(&author.token, &case_study("Files"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/submissions/{id}/attachments");
    let boundary = "abuse-upload-boundary";
    let upload = |file_name: String, caption: String| {
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\n{caption}\r\n--{boundary}--\r\n"
        )
        .into_bytes();
        app.request(Method::POST, &path, Some(&author.token))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
    };

    let mut failures = Vec::new();
    for (label, value) in nasty_strings() {
        let value = if label == "long" {
            "ü".repeat(400)
        } else {
            value.replace('"', "'")
        };
        let (status, _, answer) = app
            .send(upload(format!("{value}.pdf"), value.clone()))
            .await;
        match status {
            StatusCode::CREATED if label != "nul" => {
                if answer["caption"].as_str() != Some(value.trim()) {
                    failures.push(format!("caption {label}: stored {}", answer["caption"]));
                }
                let name = answer["name"].as_str().unwrap();
                if name.chars().any(|c| c.is_control() || c == '\u{202E}') {
                    failures.push(format!("file name {label} kept {name:?}"));
                }
            }
            StatusCode::UNPROCESSABLE_ENTITY
                if error_fields(&answer).contains(&"caption".to_owned()) => {}
            // A raw NUL in the part's header is not a well-formed form.
            StatusCode::BAD_REQUEST if label == "nul" => {}
            _ => failures.push(format!("{label}: {status} {answer}")),
        }
    }

    let (status, _, answer) = app
        .send(upload("plain.pdf".to_owned(), "a\u{0}b".to_owned()))
        .await;
    if status != StatusCode::UNPROCESSABLE_ENTITY
        || !error_fields(&answer).contains(&"caption".to_owned())
    {
        failures.push(format!("a NUL in the caption: {status} {answer}"));
    }

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
