use hub_tests::{TestApp, case_study, spawn_app, spawn_app_with};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

async fn post_with_key(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    body: Option<&Value>,
) -> (StatusCode, HeaderMap, Value) {
    let mut builder = app
        .request(Method::POST, path, Some(token))
        .header("idempotency-key", key);
    if let Some(body) = body {
        builder = builder.json(body);
    }
    app.send(builder).await
}

async fn my_submissions(app: &TestApp, token: &str) -> usize {
    let (status, _, list) = app.get("/api/v1/submissions?mine=true", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn three_identical_posts_with_one_key_create_one_submission() {
    let app = spawn_app().await;
    let member = app.member().await;
    let body = case_study("Only once");

    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(
            post_with_key(
                &app,
                &member.token,
                "/api/v1/submissions",
                "create-1",
                Some(&body),
            )
            .await,
        );
    }

    let (first, first_headers, first_body) = &answers[0];
    assert_eq!(*first, StatusCode::CREATED, "{first_body}");
    assert!(!first_headers.contains_key("idempotent-replayed"));
    for (status, headers, replayed) in &answers[1..] {
        assert_eq!(*status, StatusCode::CREATED);
        assert_eq!(replayed, first_body, "the same body");
        assert_eq!(headers["location"], first_headers["location"]);
        assert_eq!(headers["etag"], first_headers["etag"]);
        assert_eq!(headers["idempotent-replayed"], "true");
    }
    assert_eq!(my_submissions(&app, &member.token).await, 1);
}

#[tokio::test]
async fn a_key_reused_with_another_body_is_refused() {
    let app = spawn_app().await;
    let member = app.member().await;
    let (first, _, _) = post_with_key(
        &app,
        &member.token,
        "/api/v1/submissions",
        "k-2",
        Some(&case_study("First")),
    )
    .await;

    let (second, headers, problem) = post_with_key(
        &app,
        &member.token,
        "/api/v1/submissions",
        "k-2",
        Some(&case_study("Second")),
    )
    .await;

    assert_eq!(first, StatusCode::CREATED);
    assert_eq!(second, StatusCode::CONFLICT, "{problem}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(problem["code"], "idempotency_key_reused");
    assert_eq!(my_submissions(&app, &member.token).await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let app = spawn_app().await;
    let ada = app.member().await;
    let ben = app.member().await;
    let body = case_study("Shared key");

    let (_, _, adas) =
        post_with_key(&app, &ada.token, "/api/v1/submissions", "same", Some(&body)).await;
    let (status, headers, bens) =
        post_with_key(&app, &ben.token, "/api/v1/submissions", "same", Some(&body)).await;

    assert_eq!(status, StatusCode::CREATED);
    assert!(!headers.contains_key("idempotent-replayed"));
    assert_ne!(adas["id"], bens["id"]);
    assert_eq!(my_submissions(&app, &ben.token).await, 1);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_do_the_work_once() {
    let app = spawn_app().await;
    let member = app.member().await;
    let body = case_study("Raced");

    let answers = futures_util::future::join_all((0..4).map(|_| {
        post_with_key(
            &app,
            &member.token,
            "/api/v1/submissions",
            "race",
            Some(&body),
        )
    }))
    .await;

    let created: Vec<&Value> = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::CREATED)
        .map(|(_, _, body)| body)
        .collect();
    for (status, _, answer) in &answers {
        assert!(
            *status == StatusCode::CREATED || *status == StatusCode::CONFLICT,
            "{status} {answer}"
        );
        if *status == StatusCode::CONFLICT {
            assert_eq!(answer["code"], "idempotency_key_in_use");
        }
    }
    assert!(!created.is_empty());
    assert!(created.iter().all(|b| b["id"] == created[0]["id"]));
    assert_eq!(my_submissions(&app, &member.token).await, 1);
}

#[tokio::test]
async fn a_repeated_transition_replays_its_answer_instead_of_conflicting() {
    let app = spawn_app().await;
    let member = app.member().await;
    let id = app
        .create_submission(&member.token, &case_study("Submit twice"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/submissions/{id}/submit");

    let (first, _, submitted) = post_with_key(&app, &member.token, &path, "submit-1", None).await;
    let (again, headers, replayed) =
        post_with_key(&app, &member.token, &path, "submit-1", None).await;
    let (without_key, _) = app.submit(&member.token, &id).await;

    assert_eq!(first, StatusCode::OK, "{submitted}");
    assert_eq!(again, StatusCode::OK);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(replayed, submitted);
    assert_eq!(
        without_key,
        StatusCode::CONFLICT,
        "a new request is a new transition"
    );
}

#[tokio::test]
async fn a_malformed_key_is_refused() {
    let app = spawn_app().await;
    let member = app.member().await;

    let (status, _, problem) = post_with_key(
        &app,
        &member.token,
        "/api/v1/submissions",
        "has spaces",
        Some(&case_study("x")),
    )
    .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(my_submissions(&app, &member.token).await, 0);
}

/// Leaves a claim on `key` unanswered since `seconds_ago`, as a process that
/// died (or lost the database) while serving it would.
async fn abandoned_claim(app: &TestApp, member: &str, key: &str, body: &[u8], seconds_ago: i64) {
    let member: uuid::Uuid = member.parse().unwrap();
    let fingerprint = domain::idempotency::fingerprint("POST", "/api/v1/submissions", body);
    let claimed_at = chrono::Utc::now() - chrono::Duration::seconds(seconds_ago);
    app.execute(
        "INSERT INTO idempotency_keys (member_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)",
        vec![member.into(), key.into(), fingerprint.into(), claimed_at.into()],
    )
    .await;
}

async fn post_bytes_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &[u8],
) -> (StatusCode, HeaderMap, Value) {
    app.send(
        app.request(Method::POST, "/api/v1/submissions", Some(token))
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .body(body.to_vec()),
    )
    .await
}

#[tokio::test]
async fn a_claim_still_on_its_lease_answers_409_with_the_seconds_left() {
    let app = spawn_app().await;
    let member = app.member().await;
    let body = serde_json::to_vec(&case_study("Still being served")).unwrap();
    abandoned_claim(&app, &member.id.to_string(), "leased", &body, 10).await;

    let (status, headers, problem) =
        post_bytes_with_key(&app, &member.token, "leased", &body).await;

    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "idempotency_key_in_use");
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        (19..=20).contains(&retry_after),
        "30 s lease claimed 10 s ago: {retry_after}"
    );
    assert_eq!(my_submissions(&app, &member.token).await, 0);
}

#[tokio::test]
async fn a_claim_past_its_lease_is_taken_over_and_served_once() {
    let app = spawn_app_with(&[("HUB_IDEMPOTENCY_LEASE_SECONDS", "5")]).await;
    let member = app.member().await;
    let body = serde_json::to_vec(&case_study("Its first server died")).unwrap();
    abandoned_claim(&app, &member.id.to_string(), "orphan", &body, 6).await;

    let (first, first_headers, created) =
        post_bytes_with_key(&app, &member.token, "orphan", &body).await;
    let (again, again_headers, replayed) =
        post_bytes_with_key(&app, &member.token, "orphan", &body).await;

    assert_eq!(first, StatusCode::CREATED, "{created}");
    assert!(!first_headers.contains_key("idempotent-replayed"));
    assert_eq!(again, StatusCode::CREATED, "{replayed}");
    assert_eq!(again_headers["idempotent-replayed"], "true");
    assert_eq!(replayed["id"], created["id"]);
    assert_eq!(my_submissions(&app, &member.token).await, 1);
}

#[tokio::test]
async fn concurrent_retries_of_a_lapsed_claim_take_it_over_once() {
    let app = spawn_app_with(&[("HUB_IDEMPOTENCY_LEASE_SECONDS", "5")]).await;
    let member = app.member().await;
    let body = serde_json::to_vec(&case_study("Retried at once")).unwrap();
    abandoned_claim(&app, &member.id.to_string(), "lapsed", &body, 60).await;

    let answers = futures_util::future::join_all(
        (0..4).map(|_| post_bytes_with_key(&app, &member.token, "lapsed", &body)),
    )
    .await;

    let fresh = answers
        .iter()
        .filter(|(status, headers, _)| {
            *status == StatusCode::CREATED && !headers.contains_key("idempotent-replayed")
        })
        .count();
    assert_eq!(fresh, 1, "{answers:?}");
    for (status, headers, answer) in &answers {
        assert!(
            *status == StatusCode::CREATED || *status == StatusCode::CONFLICT,
            "{status} {answer}"
        );
        if *status == StatusCode::CONFLICT {
            assert_eq!(answer["code"], "idempotency_key_in_use");
            assert!(headers.contains_key("retry-after"));
        }
    }
    assert_eq!(my_submissions(&app, &member.token).await, 1);
}

/// The answer of a keyed create commits with the draft: a process that died
/// after the commit, before it could answer, leaves an answer a retry gets —
/// not a claim that a retry would take over and create a second draft.
#[tokio::test]
async fn a_create_committed_by_a_process_that_then_died_replays_its_answer() {
    use domain::audit::AuditEntry;
    use domain::idempotency::{
        Claim, HeldKey, IdempotencyKey, KeepAnswer, StoredResponse, fingerprint,
    };
    use domain::repository::{IdempotencyRepository, SubmissionRepository};
    use domain::submission::{Content, SubmissionKind};
    use domain::{MemberId, SubmissionId};

    let app = spawn_app().await;
    let member = app.member().await;
    let author = MemberId(member.id);
    let db = persistence::connect(&app.database_url, 2).await.unwrap();
    let keys = persistence::SeaIdempotencyRepository::new(
        db.connection.clone(),
        chrono::Duration::seconds(30),
    );
    let submissions = persistence::SeaSubmissionRepository::new(db.connection.clone());
    let body = serde_json::to_vec(&case_study("Committed, then the process died")).unwrap();
    let key = IdempotencyKey::parse("died-after-commit").unwrap();
    let print = fingerprint("POST", "/api/v1/submissions", &body);

    // The dying process claimed the key and committed the draft with its answer.
    let claim = keys
        .claim(author, &key, &print, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(claim, Claim::Started);
    let keep = KeepAnswer::new(
        HeldKey {
            caller: author,
            key: key.clone(),
        },
        |created: &domain::submission::Submission| StoredResponse {
            status: 201,
            headers: vec![(
                "location".to_owned(),
                format!("/api/v1/submissions/{}", created.id),
            )],
            body: serde_json::to_vec(&serde_json::json!({ "id": created.id.0 })).unwrap(),
        },
    );
    let id = SubmissionId::generate();
    let content = Content {
        title: "Committed, then the process died".to_owned(),
        ..Content::default()
    };
    let audit = AuditEntry::new("submission_created", Some(author));
    submissions
        .create(
            id,
            author,
            SubmissionKind::CaseStudy,
            &content,
            &audit,
            Some(&keep),
        )
        .await
        .unwrap();

    // The client's retry, with the same key and body, gets that answer.
    let retry = app
        .request(Method::POST, "/api/v1/submissions", Some(&member.token))
        .header("idempotency-key", key.as_str())
        .header("content-type", "application/json")
        .body(body);
    let (status, headers, answer) = app.send(retry).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(answer["id"], id.0.to_string());
    assert_eq!(my_submissions(&app, &member.token).await, 1);
}

/// A write that fails keeps no answer: the claim stays unanswered, to be
/// served again once its lease runs out.
#[tokio::test]
async fn a_create_that_rolled_back_keeps_no_answer() {
    use domain::audit::AuditEntry;
    use domain::idempotency::{
        Claim, HeldKey, IdempotencyKey, KeepAnswer, StoredResponse, fingerprint,
    };
    use domain::repository::{IdempotencyRepository, SubmissionRepository};
    use domain::submission::{Content, SubmissionKind};
    use domain::{MemberId, SubmissionId};

    let app = spawn_app().await;
    let member = app.member().await;
    let author = MemberId(member.id);
    let db = persistence::connect(&app.database_url, 2).await.unwrap();
    let keys = persistence::SeaIdempotencyRepository::new(
        db.connection.clone(),
        chrono::Duration::seconds(30),
    );
    let submissions = persistence::SeaSubmissionRepository::new(db.connection.clone());
    let id = SubmissionId::generate();
    let content = Content::default();
    let audit = AuditEntry::new("submission_created", Some(author));
    submissions
        .create(
            id,
            author,
            SubmissionKind::CaseStudy,
            &content,
            &audit,
            None,
        )
        .await
        .unwrap();

    let key = IdempotencyKey::parse("rolled-back").unwrap();
    let print = fingerprint("POST", "/api/v1/submissions", b"{}");
    let now = chrono::Utc::now();
    assert_eq!(
        keys.claim(author, &key, &print, now).await.unwrap(),
        Claim::Started
    );
    let keep = KeepAnswer::new(
        HeldKey {
            caller: author,
            key: key.clone(),
        },
        |_: &domain::submission::Submission| StoredResponse {
            status: 201,
            headers: Vec::new(),
            body: Vec::new(),
        },
    );
    // The same id again: the insert fails and the transaction rolls back.
    let again = submissions
        .create(
            id,
            author,
            SubmissionKind::CaseStudy,
            &content,
            &audit,
            Some(&keep),
        )
        .await;
    assert!(again.is_err(), "a second draft with one id was stored");

    let claim = keys.claim(author, &key, &print, now).await.unwrap();
    assert!(
        matches!(claim, Claim::InProgress { .. }),
        "expected the claim unanswered, got {claim:?}"
    );
}
