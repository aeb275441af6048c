//! Limits every replica counts together (in PostgreSQL when the service runs
//! on it), a member's tokens sharing the member's budget, the cap on live
//! tokens, and a login lockout that counts (account, address) pairs.

use async_trait::async_trait;
use domain::limit::{Budget, Counted, LimitStore, Taken};
use domain::repository::StorageError;
use hub_tests::{Answer, PASSWORD, TestApp, spawn_app_changed, spawn_app_on, spawn_app_with};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::num::NonZeroU32;
use std::sync::Arc;

fn on_postgres(app: &TestApp) -> bool {
    app.database_url.starts_with("postgres")
}

/// A second replica on the same database when that is PostgreSQL; on SQLite
/// (one process per file, limits in memory) the same service again.
async fn second_replica(first: &TestApp, extra: &[(&str, &str)]) -> Option<TestApp> {
    if on_postgres(first) {
        Some(spawn_app_on(&first.database_url, extra).await)
    } else {
        None
    }
}

async fn create_token(app: &TestApp, session: &str) -> (StatusCode, Value) {
    let (status, _, body) = app
        .post(
            "/api/v1/members/me/tokens",
            Some(session),
            &json!({"name": "Script", "scopes": ["submissions:read"], "expires_in_days": 30}),
        )
        .await;
    (status, body)
}

#[tokio::test]
async fn two_stores_on_one_database_count_one_budget() {
    let app = spawn_app_with(&[]).await;
    let connect = async || {
        let db = persistence::connect(&app.database_url, 2).await.unwrap();
        persistence::SeaLimitStore::new(db.connection)
    };
    let stores = [connect().await, connect().await];
    let budget = Budget {
        per_minute: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(5).unwrap(),
    };
    let now = chrono::Utc::now().timestamp_millis();

    let mut answers = Vec::new();
    for i in 0..8 {
        answers.push(stores[i % 2].take("rate:test", budget, now).await.unwrap());
    }
    let counts = [
        stores[0].count("login:test", 1, 60_000, now).await.unwrap(),
        stores[1].count("login:test", 1, 60_000, now).await.unwrap(),
        stores[0]
            .count("login:test", -1, 60_000, now)
            .await
            .unwrap(),
    ];

    let allowed = answers
        .iter()
        .filter(|a| matches!(a, Taken::Allowed { .. }))
        .count();
    println!("two limit stores, burst 5: {allowed} of 8 allowed");
    assert_eq!(allowed, 5, "{answers:?}");
    assert!(
        answers[5..].iter().all(
            |a| matches!(a, Taken::Refused { retry_after_seconds } if *retry_after_seconds > 0)
        ),
        "{answers:?}"
    );
    assert_eq!(
        counts.map(|c| c.count),
        [1, 2, 1],
        "both stores count one window"
    );
}

#[tokio::test]
async fn sessions_and_tokens_of_a_member_share_one_budget_across_replicas() {
    let limited = [
        ("HUB_RATE_LIMIT_PER_MINUTE", "1"),
        ("HUB_RATE_LIMIT_BURST", "6"),
    ];
    let first = spawn_app_with(&limited).await;
    let other = second_replica(&first, &limited).await;
    let second = other.as_ref().unwrap_or(&first);
    let member = first.member().await;
    let (status, token) = create_token(&first, &member.token).await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let secret = token["secret"].as_str().unwrap().to_owned();

    // One of the six was the token's creation: five more, split across
    // replicas and credentials, then 429.
    let mut statuses = Vec::new();
    let mut refused_headers = None;
    for i in 0..8 {
        let (app, credential) = match i % 2 {
            0 => (&first, member.token.as_str()),
            _ => (second, secret.as_str()),
        };
        let (status, headers, _) = app.get("/api/v1/submissions", Some(credential)).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused_headers.get_or_insert(headers);
        }
        statuses.push(status.as_u16());
    }

    println!("budget 6 over two replicas and two credentials: {statuses:?}");
    assert_eq!(statuses, vec![200, 200, 200, 200, 200, 429, 429, 429]);
    let headers = refused_headers.unwrap();
    assert!(headers.contains_key("retry-after"));
    assert_eq!(headers["ratelimit-limit"], "6");
    assert_eq!(headers["ratelimit-remaining"], "0");
}

#[tokio::test]
async fn a_member_holds_at_most_twenty_live_tokens() {
    let app = spawn_app_with(&[]).await;
    let member = app.member().await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        let (status, body) = create_token(&app, &member.token).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }

    let (refused, problem) = create_token(&app, &member.token).await;
    app.delete(
        &format!("/api/v1/members/me/tokens/{}", ids[0]),
        Some(&member.token),
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    let (after_revoking, _) = create_token(&app, &member.token).await;
    let (again, _) = create_token(&app, &member.token).await;

    assert_eq!(refused, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "too_many_tokens", "{problem}");
    assert_eq!(
        after_revoking,
        StatusCode::CREATED,
        "a revoked token frees a place"
    );
    assert_eq!(again, StatusCode::CONFLICT);
}

/// A client whose requests come from `address` (any of 127.0.0.0/8).
fn client_from(address: &str) -> Client {
    hub_tests::http_client()
        .local_address(Some(address.parse().unwrap()))
        .build()
        .unwrap()
}

async fn login_from(app: &TestApp, client: &Client, email: &str, password: &str) -> StatusCode {
    client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn guessing_locks_only_the_guessers_address_out_of_the_account() {
    let limited = [("HUB_LOGIN_MAX_FAILURES", "3")];
    let first = spawn_app_with(&limited).await;
    let other = second_replica(&first, &limited).await;
    let second = other.as_ref().unwrap_or(&first);
    let victim = first.member().await;
    let attacker = client_from("127.0.0.2");
    let owner = client_from("127.0.0.3");

    let mut guesses = Vec::new();
    for i in 0..4 {
        let app = if i % 2 == 0 { &first } else { second };
        guesses.push(
            login_from(app, &attacker, &victim.email, "wrong guess")
                .await
                .as_u16(),
        );
    }
    let right_from_attacker = login_from(second, &attacker, &victim.email, PASSWORD).await;
    let right_from_owner = login_from(second, &owner, &victim.email, PASSWORD).await;

    assert_eq!(guesses, vec![401, 401, 401, 429], "three failures allowed");
    assert_eq!(
        right_from_attacker,
        StatusCode::TOO_MANY_REQUESTS,
        "the pair stays locked, even for the right password"
    );
    assert_eq!(
        right_from_owner,
        StatusCode::OK,
        "the owner signs in from an address that has not failed"
    );
}

/// A limit store that never answers, as PostgreSQL or Redis when down.
struct DownStore;

#[async_trait]
impl LimitStore for DownStore {
    async fn take(&self, _: &str, _: Budget, _: i64) -> Result<Taken, StorageError> {
        Err(StorageError(Box::from("connection refused")))
    }

    async fn count(&self, _: &str, _: i64, _: i64, _: i64) -> Result<Counted, StorageError> {
        Err(StorageError(Box::from("connection refused")))
    }

    async fn forget(&self, _: &str) -> Result<(), StorageError> {
        Err(StorageError(Box::from("connection refused")))
    }
}

#[tokio::test]
async fn an_unreachable_limit_store_answers_503_with_retry_after_never_a_pass() {
    let app = spawn_app_changed(&[], |mut state| {
        let down: Arc<dyn LimitStore> = Arc::new(DownStore);
        state.limits = down.clone();
        state.login_throttle = Arc::new(api::auth::LoginThrottle::new(
            down,
            10,
            std::time::Duration::from_secs(900),
        ));
        state
    })
    .await;

    let (listed, headers, problem) = app.get("/api/v1/submissions", None).await;
    let (login, login_headers, login_problem) = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": "a@example.org", "password": PASSWORD}),
        )
        .await;
    let (health, _, _) = app.get("/health/live", None).await;

    assert_eq!(listed, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(problem["code"], "limits_unavailable");
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "{headers:?}"
    );
    assert_eq!(login, StatusCode::SERVICE_UNAVAILABLE, "{login_problem}");
    assert_eq!(login_problem["code"], "limits_unavailable");
    assert!(login_headers.contains_key("retry-after"));
    assert_eq!(health, StatusCode::OK, "health is not limited");
}

#[tokio::test]
async fn two_redis_stores_count_one_budget_and_one_window() {
    // Redis runs on 127.0.0.1:6379 in CI (.ci/run starts it); each test has
    // its own key prefix.
    let prefix = format!("test:{}:", uuid::Uuid::new_v4().simple());
    let connect = async || {
        api::limits::RedisLimits::connect("redis://127.0.0.1:6379", &prefix)
            .await
            .unwrap_or_else(|e| panic!("Redis on 127.0.0.1:6379: {e}"))
    };
    let stores = [connect().await, connect().await];
    let budget = Budget {
        per_minute: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(5).unwrap(),
    };
    let now = chrono::Utc::now().timestamp_millis();

    let mut answers = Vec::new();
    for i in 0..8 {
        answers.push(stores[i % 2].take("rate:test", budget, now).await.unwrap());
    }
    let counts = [
        stores[0].count("login:test", 1, 60_000, now).await.unwrap(),
        stores[1].count("login:test", 1, 60_000, now).await.unwrap(),
        stores[0]
            .count("login:test", -1, 60_000, now)
            .await
            .unwrap(),
    ];
    stores[1].forget("login:test").await.unwrap();
    let after_forgetting = stores[0].count("login:test", 1, 60_000, now).await.unwrap();

    let allowed = answers
        .iter()
        .filter(|a| matches!(a, Taken::Allowed { .. }))
        .count();
    println!("two Redis limit stores, burst 5: {allowed} of 8 allowed");
    assert_eq!(allowed, 5, "{answers:?}");
    assert_eq!(
        answers[4],
        Taken::Allowed {
            remaining: 0,
            reset_seconds: 300
        }
    );
    assert_eq!(
        answers[5],
        Taken::Refused {
            retry_after_seconds: 60
        }
    );
    assert_eq!(counts.map(|c| c.count), [1, 2, 1]);
    assert_eq!(after_forgetting.count, 1);
}

#[tokio::test]
async fn with_redis_two_services_count_one_budget_even_on_one_sqlite_file() {
    let prefix = format!("test:{}:", uuid::Uuid::new_v4().simple());
    let limited = [
        ("HUB_RATE_LIMIT_PER_MINUTE", "1"),
        ("HUB_RATE_LIMIT_BURST", "4"),
        ("HUB_REDIS_URL", "redis://127.0.0.1:6379"),
        ("HUB_REDIS_PREFIX", prefix.as_str()),
        ("HUB_READ_CACHE", "off"),
    ];
    let first = spawn_app_with(&limited).await;
    let second = spawn_app_on(&first.database_url, &limited).await;

    // Anonymous calls from one address, alternating between the services.
    let mut statuses = Vec::new();
    for i in 0..6 {
        let app = if i % 2 == 0 { &first } else { &second };
        let (status, _, _) = app.get("/api/v1/taxonomy", None).await;
        statuses.push(status.as_u16());
    }

    println!("budget 4 over two services counting in Redis: {statuses:?}");
    assert_eq!(statuses, vec![200, 200, 200, 200, 429, 429]);
}
