//! The database going away costs only the outage: quick 503s with
//! `Retry-After` while it is gone, and normal answers as soon as it is back.

use hub_tests::{Answer, TestApp, case_study, spawn_app_on};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::time::{Duration, Instant};

/// A PostgreSQL database of the test's own, which the test may cut off.
struct OwnDatabase {
    admin: DatabaseConnection,
    name: String,
    url: String,
}

impl OwnDatabase {
    async fn create(server_url: &str) -> Self {
        let admin = persistence::connect(server_url, 1)
            .await
            .unwrap_or_else(|e| panic!("connect to {server_url}: {e}"))
            .connection;
        let name = format!("hub_outage_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let (base, _) = server_url.split_once('?').unwrap_or((server_url, ""));
        let (server, _) = base.rsplit_once('/').unwrap();
        let url = format!("{server}/{name}");
        Self { admin, name, url }
    }

    /// Refuses new connections and ends every open one, as an outage would.
    async fn cut_off(&self) {
        self.admin
            .execute_unprepared(&format!(
                "ALTER DATABASE {} ALLOW_CONNECTIONS false",
                self.name
            ))
            .await
            .unwrap();
        self.admin
            .execute_unprepared(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
                self.name
            ))
            .await
            .unwrap();
    }

    async fn restore(&self) {
        self.admin
            .execute_unprepared(&format!(
                "ALTER DATABASE {} ALLOW_CONNECTIONS true",
                self.name
            ))
            .await
            .unwrap();
    }

    async fn drop_database(&self) {
        self.restore().await;
        self.admin
            .execute_unprepared(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .await
            .unwrap();
    }
}

async fn timed(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, Duration, Option<String>, serde_json::Value) {
    let started = Instant::now();
    let (status, headers, body) = app.get(path, token).await;
    let retry_after = headers
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, started.elapsed(), retry_after, body)
}

#[tokio::test]
async fn a_database_outage_answers_503_quickly_and_recovers_without_a_restart() {
    let Some(server_url) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: the outage test cuts a PostgreSQL database off; set TEST_DATABASE_URL");
        return;
    };
    let database = OwnDatabase::create(&server_url).await;
    let app = spawn_app_on(&database.url, &[]).await;
    let member = app.member().await;
    app.get("/api/v1/submissions?mine=true", Some(&member.token))
        .await
        .expect_status(StatusCode::OK);

    database.cut_off().await;
    let (ready, ready_took, ready_retry, _) = timed(&app, "/health/ready", None).await;
    let (list, list_took, list_retry, problem) =
        timed(&app, "/api/v1/submissions?mine=true", Some(&member.token)).await;
    let started = Instant::now();
    let (create, create_headers, create_problem) = app
        .post(
            "/api/v1/submissions",
            Some(&member.token),
            &case_study("During the outage"),
        )
        .await;
    let create_took = started.elapsed();
    database.restore().await;
    let recovering = Instant::now();
    let mut back = StatusCode::SERVICE_UNAVAILABLE;
    while recovering.elapsed() < Duration::from_secs(10) {
        back = app
            .get("/api/v1/submissions?mine=true", Some(&member.token))
            .await
            .0;
        if back == StatusCode::OK {
            break;
        }
    }
    let recovered_in = recovering.elapsed();
    let (ready_again, _, _) = app.get("/health/ready", None).await;
    eprintln!(
        "outage: ready 503 in {ready_took:?}, read 503 in {list_took:?}, write 503 in {create_took:?}; recovered in {recovered_in:?}"
    );
    database.drop_database().await;

    assert_eq!(ready, StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready_took < Duration::from_secs(1), "{ready_took:?}");
    assert!(ready_retry.is_some_and(|r| !r.is_empty()));
    assert_eq!(list, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    // Limits counted in PostgreSQL are checked first, and share the
    // database's outage answer when they find it gone.
    let outage_codes = ["database_unavailable"];
    assert!(
        outage_codes.contains(&problem["code"].as_str().unwrap()),
        "{problem}"
    );
    assert!(
        list_retry
            .as_deref()
            .and_then(|r| r.parse::<u64>().ok())
            .is_some_and(|s| s >= 1),
        "{list_retry:?}"
    );
    assert!(list_took < Duration::from_secs(2), "{list_took:?}");
    assert_eq!(create, StatusCode::SERVICE_UNAVAILABLE, "{create_problem}");
    assert!(
        outage_codes.contains(&create_problem["code"].as_str().unwrap()),
        "{create_problem}"
    );
    assert!(create_headers.contains_key("retry-after"));
    assert!(create_took < Duration::from_secs(2), "{create_took:?}");
    assert_eq!(
        back,
        StatusCode::OK,
        "answers again once the database is back"
    );
    assert_eq!(ready_again, StatusCode::OK);
}
