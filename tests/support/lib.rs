//! Starts the real service on a random port against a fresh database and
//! offers typed calls, so each test reads as arrange / act / assert.
//!
//! SQLite by default (a new file per test); set `TEST_DATABASE_URL` to a
//! PostgreSQL database to run the same tests there (a new schema per test).

pub mod multipart;
pub mod smtp;

use api::cache::ReadCache;
use api::config::Settings;
use api::startup::Application;
use api::state::AppState;
use domain::attachment::FileStore;
use domain::member::{DisplayName, Email, NewMember, Password, Role};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const PASSWORD: &str = "correct horse battery staple";

/// A running service and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub database_url: String,
    /// Where the service keeps attached files' bytes, to look for orphans.
    pub files: Arc<dyn FileStore>,
    /// The service's read cache: SQL run behind the service's back must forget it.
    pub read_cache: Arc<ReadCache>,
    _dir: Option<TempDir>,
}

/// A member the test registered, with their access token.
#[derive(Debug, Clone)]
pub struct TestMember {
    pub id: Uuid,
    pub email: String,
    pub token: String,
}

/// The session (`jti`) a session token names, read from its payload unchecked.
pub fn jti_of(token: &str) -> String {
    use base64::Engine;
    let payload = token
        .split('.')
        .nth(1)
        .unwrap_or_else(|| panic!("not a JWT: {token}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap_or_else(|e| panic!("{e}"));
    let claims: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
    claims["jti"]
        .as_str()
        .unwrap_or_else(|| panic!("no jti in {claims}"))
        .to_owned()
}

/// A folder removed when the test ends.
pub struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn fresh_database() -> (String, Option<TempDir>) {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(url) => {
            let schema = format!("t_{}", Uuid::new_v4().simple());
            let admin = persistence::connect(&url, 1)
                .await
                .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
            use sea_orm::ConnectionTrait;
            admin
                .connection
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .unwrap_or_else(|e| panic!("create schema: {e}"));
            let separator = if url.contains('?') { '&' } else { '?' };
            (
                format!("{url}{separator}options=-c%20search_path%3D{schema}"),
                None,
            )
        }
        None => {
            let dir = std::env::temp_dir().join(format!("hub-test-{}", Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e}"));
            (
                format!("sqlite://{}?mode=rwc", dir.join("hub.db").display()),
                Some(TempDir(dir)),
            )
        }
    }
}

/// Settings for a test service; `extra` overrides any variable.
pub fn settings(database_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".to_owned(), database_url.to_owned()),
        ("HUB_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        ("HUB_JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ("HUB_DB_MAX_CONNECTIONS".to_owned(), "4".to_owned()),
        ("HUB_STORAGE".to_owned(), "memory".to_owned()),
        // Test webhooks are received on 127.0.0.1.
        ("HUB_WEBHOOK_ALLOW_LOOPBACK".to_owned(), "true".to_owned()),
    ]);
    for (key, value) in extra {
        vars.insert((*key).to_owned(), (*value).to_owned());
    }
    Settings::from_lookup(|key| vars.get(key).cloned()).unwrap_or_else(|e| panic!("settings: {e}"))
}

/// Starts the service against a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the service with extra environment settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn_app_changed(extra, |state| state).await
}

/// Starts the service after `change` swapped parts of its state (e.g. a
/// repository that fails), with extra environment settings. `change` is
/// applied to every state the service makes (each request worker's on
/// PostgreSQL, and background work's).
pub async fn spawn_app_changed(
    extra: &[(&str, &str)],
    change: impl Fn(AppState) -> AppState + Send + Sync + 'static,
) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        api::telemetry::init(api::config::LogFormat::Pretty, std::io::stderr);
    }
    let (database_url, dir) = fresh_database().await;
    let settings = settings(&database_url, extra);
    serve(settings, change, database_url, dir).await
}

/// Serves the service, changed by `change`, on a random port.
async fn serve(
    settings: Settings,
    change: impl Fn(AppState) -> AppState + Send + Sync + 'static,
    database_url: String,
    dir: Option<TempDir>,
) -> TestApp {
    let app = Application::build_changed(settings, change)
        .await
        .unwrap_or_else(|e| panic!("build app: {e:#}"));
    let files = app.state().files.clone();
    let read_cache = app.state().read_cache.clone();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: http_client()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}")),
        database_url,
        files,
        read_cache,
        _dir: dir,
    }
}

/// Starts another instance of the service on an existing test database, as
/// a restart (or a second replica) would.
pub async fn spawn_app_on(database_url: &str, extra: &[(&str, &str)]) -> TestApp {
    let settings = settings(database_url, extra);
    serve(settings, |state| state, database_url.to_owned(), None).await
}

/// An answer from the service, checked by a test step that must succeed.
pub trait Answer {
    /// Fails the test unless the answer has status `expected`; returns the body.
    fn expect_status(self, expected: StatusCode) -> Value;
}

impl Answer for (StatusCode, Value) {
    #[track_caller]
    fn expect_status(self, expected: StatusCode) -> Value {
        let (status, body) = self;
        assert_eq!(status, expected, "{body}");
        body
    }
}

impl Answer for (StatusCode, reqwest::header::HeaderMap, Value) {
    #[track_caller]
    fn expect_status(self, expected: StatusCode) -> Value {
        let (status, _, body) = self;
        assert_eq!(status, expected, "{body}");
        body
    }
}

/// A client builder for the tests' own requests, with the process's TLS
/// crypto installed as the service installs it.
pub fn http_client() -> reqwest::ClientBuilder {
    api::startup::install_tls_provider();
    Client::builder()
}

/// A JSON body or, for non-JSON answers, the text.
pub async fn body_of(response: Response) -> Value {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn send(
        &self,
        builder: RequestBuilder,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let response = builder
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, body_of(response).await)
    }

    pub async fn get(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.send(self.request(Method::GET, path, token)).await
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.send(self.request(Method::POST, path, token).json(body))
            .await
    }

    pub async fn patch(
        &self,
        path: &str,
        token: Option<&str>,
        if_match: Option<&str>,
        body: &Value,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut builder = self.request(Method::PATCH, path, token).json(body);
        if let Some(tag) = if_match {
            builder = builder.header("if-match", tag);
        }
        self.send(builder).await
    }

    pub async fn delete(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.send(self.request(Method::DELETE, path, token)).await
    }

    /// Erases the member `token` signs in, typing their password (`PASSWORD`) again.
    pub async fn erase(&self, token: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.send(
            self.request(Method::DELETE, "/api/v1/members/me", Some(token))
                .json(&json!({ "password": PASSWORD })),
        )
        .await
    }

    pub async fn register(
        &self,
        email: &str,
        password: &str,
        display_name: &str,
    ) -> (StatusCode, Value) {
        let (status, _, body) = self
            .post(
                "/api/v1/auth/register",
                None,
                &json!({"email": email, "password": password, "display_name": display_name}),
            )
            .await;
        (status, body)
    }

    pub async fn login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        let (status, _, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"email": email, "password": password}),
            )
            .await;
        (status, body)
    }

    /// Asks, with `token`, that `member` be given `role`.
    pub async fn set_role(
        &self,
        token: &str,
        member: Uuid,
        role: &str,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.send(
            self.request(
                Method::PUT,
                &format!("/api/v1/members/{member}/role"),
                Some(token),
            )
            .json(&json!({ "role": role })),
        )
        .await
    }

    /// Registers and logs in a new member.
    pub async fn member(&self) -> TestMember {
        let email = format!("member-{}@example.org", Uuid::new_v4().simple());
        let (status, body) = self.register(&email, PASSWORD, "Test Member").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no id in {body}"));
        let (status, body) = self.login(&email, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["access_token"].as_str().unwrap().to_owned();
        TestMember { id, email, token }
    }

    /// A member with another role, made directly in storage as the CLI would.
    pub async fn member_with_role(&self, role: Role) -> TestMember {
        let email = format!("{}-{}@example.org", role.as_str(), Uuid::new_v4().simple());
        let db = persistence::connect(&self.database_url, 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let members = persistence::SeaMemberRepository::new(db.connection);
        let password = Password::parse("password", PASSWORD).unwrap_or_else(|e| panic!("{e}"));
        let password_hash = api::auth::hash_password(password)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        use domain::repository::MemberRepository;
        let member = members
            .create(NewMember {
                email: Email::parse("email", &email).unwrap_or_else(|e| panic!("{e}")),
                display_name: DisplayName::parse("display_name", "Staff")
                    .unwrap_or_else(|e| panic!("{e}")),
                password_hash,
                role,
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (status, body) = self.login(&email, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        TestMember {
            id: member.id.0,
            email,
            token: body["access_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn admin(&self) -> TestMember {
        self.member_with_role(Role::Admin).await
    }

    pub async fn reviewer(&self) -> TestMember {
        self.member_with_role(Role::Reviewer).await
    }

    /// Creates a draft and returns its body.
    pub async fn create_submission(&self, token: &str, body: &Value) -> Value {
        let (status, _, created) = self.post("/api/v1/submissions", Some(token), body).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created
    }

    pub async fn submit(&self, token: &str, id: &str) -> (StatusCode, Value) {
        let (status, _, body) = self
            .send(self.request(
                Method::POST,
                &format!("/api/v1/submissions/{id}/submit"),
                Some(token),
            ))
            .await;
        (status, body)
    }

    pub async fn withdraw(&self, token: &str, id: &str) -> (StatusCode, Value) {
        let (status, _, body) = self
            .send(self.request(
                Method::POST,
                &format!("/api/v1/submissions/{id}/withdraw"),
                Some(token),
            ))
            .await;
        (status, body)
    }
}

impl TestApp {
    /// Creates and submits a piece of work; returns its id.
    pub async fn submitted(&self, token: &str, body: &Value) -> String {
        let id = self.create_submission(token, body).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, submitted) = self.submit(token, &id).await;
        assert_eq!(status, StatusCode::OK, "{submitted}");
        id
    }

    pub async fn claim(&self, token: &str, id: &str) -> (StatusCode, Value) {
        let (status, _, body) = self
            .send(self.request(
                Method::POST,
                &format!("/api/v1/submissions/{id}/claim"),
                Some(token),
            ))
            .await;
        (status, body)
    }

    pub async fn review(
        &self,
        token: &str,
        id: &str,
        decision: &str,
        score: i64,
    ) -> (StatusCode, Value) {
        let (status, _, body) = self
            .post(
                &format!("/api/v1/submissions/{id}/reviews"),
                Some(token),
                &rubric(decision, score),
            )
            .await;
        (status, body)
    }

    /// Creates, submits, claims and publishes; returns the id.
    pub async fn published(
        &self,
        author: &TestMember,
        reviewer: &TestMember,
        body: &Value,
    ) -> String {
        let id = self.submitted(&author.token, body).await;
        let (claimed, claim_body) = self.claim(&reviewer.token, &id).await;
        assert_eq!(claimed, StatusCode::OK, "{claim_body}");
        let (reviewed, review_body) = self.review(&reviewer.token, &id, "publish", 4).await;
        assert_eq!(reviewed, StatusCode::CREATED, "{review_body}");
        id
    }
}

impl TestApp {
    /// Runs SQL against the test's database (placeholders `$1`, `$2`, …), to
    /// arrange data a client cannot, such as times in past quarters.
    pub async fn execute(&self, sql: &str, values: Vec<sea_orm::Value>) {
        use sea_orm::{ConnectionTrait, DbBackend, Statement};
        let db = persistence::connect(&self.database_url, 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let backend = db.connection.get_database_backend();
        let sql = match backend {
            DbBackend::Sqlite => (1..=9).rev().fold(sql.to_owned(), |s, i| {
                s.replace(&format!("${i}"), &format!("?{i}"))
            }),
            _ => sql.to_owned(),
        };
        db.connection
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .unwrap_or_else(|e| panic!("arranging data: {e}"));
        self.read_cache.forget_all();
    }

    /// Moves a submission's first-submission time, as if it had been submitted then.
    pub async fn backdate(&self, id: &str, at: &str) {
        let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap_or_else(|e| panic!("{at}: {e}"));
        let id: Uuid = id.parse().unwrap_or_else(|e| panic!("{e}"));
        self.execute(
            "UPDATE submissions SET submitted_at = $1 WHERE id = $2",
            vec![at.into(), id.into()],
        )
        .await;
        // The row moved around the repositories: count the report rollups again.
        self.recount_rollups().await;
    }

    /// Counts the report rollups again from the base tables, after arranging
    /// rows that reports count around the repositories.
    pub async fn recount_rollups(&self) {
        let db = persistence::connect(&self.database_url, 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        persistence::rollup::rebuild(&db.connection)
            .await
            .unwrap_or_else(|e| panic!("recounting rollups: {e}"));
    }
}

/// A review body scoring every criterion `score`.
pub fn rubric(decision: &str, score: i64) -> Value {
    json!({
        "scores": {
            "clarity_of_problem_and_context": score,
            "measurement_and_data": score,
            "evidence_of_impact": score,
            "involvement_of_people_who_use_services": score,
            "transferability_and_spread": score
        },
        "overall_comment": "Reviewed",
        "decision": decision
    })
}

/// A case study complete enough to submit.
pub fn case_study(title: &str) -> Value {
    json!({
        "kind": "case_study",
        "title": title,
        "summary": "Occupational therapists in GP practices saw people with long-term conditions first.",
        "sections": {"context": "Three GP practices", "approach": "First-contact OT clinics", "outcomes": "Fewer GP appointments", "learning": "Start small"},
        "priorities": ["optimising_ot"],
        "practice_areas": ["primary_care"],
        "nation": "england",
        "region": "london"
    })
}

/// A business case complete enough to submit.
pub fn business_case(title: &str) -> Value {
    json!({
        "kind": "business_case",
        "title": title,
        "summary": "Two OT posts in primary care would avoid more admissions than they cost.",
        "sections": {
            "problem": "People over 75 wait 14 weeks for a falls assessment",
            "proposal": "An OT-led falls clinic in each primary care network",
            "costs_and_benefits": "£120,000 a year; £310,000 of admissions avoided",
            "ask": "Fund two band 7 OT posts for two years"
        },
        "priorities": ["value_and_impact"],
        "practice_areas": ["primary_care"],
        "nation": "england",
        "region": "north_west",
        "impact_evidence": [
            {"evidence_type": "economic", "description": "Admissions avoided against the posts' cost", "costs_pence": 12000000, "savings_pence": 31000000, "return_on_investment": 2.6}
        ]
    })
}

/// An improvement journey complete enough to submit.
pub fn journey(title: &str) -> Value {
    json!({
        "kind": "improvement_journey",
        "title": title,
        "summary": "A 72-hour home visit after discharge cut falls readmissions.",
        "sections": {
            "why_we_started": {"problem": "Falls after discharge", "aims": "Halve readmissions"},
            "what_we_did": {"interventions": "Home visit within 72 hours"},
            "what_we_found": {"results": "Readmissions fell from 14% to 6%"},
            "what_it_means": {"conclusions": "Early visits work"}
        },
        "priorities": ["optimising_ot", "value_and_impact"],
        "practice_areas": ["community_rehabilitation"],
        "topics": ["ai_digital_healthcare"],
        "nation": "scotland",
        "region": "scottish_eastern",
        "impact_evidence": [{"evidence_type": "economic", "description": "Bed days saved", "costs_pence": 100, "savings_pence": 450, "return_on_investment": 4.5}]
    })
}

/// A quarter's figures as the rollups give them, after checking that a
/// recount of the base tables gives exactly the same (`context` names when).
pub async fn rollups_equal_recount(
    reports: &persistence::SeaReportRepository,
    quarter: domain::quarter::Quarter,
    context: &str,
) -> domain::report::QuarterFigures {
    use domain::repository::ReportRepository;
    let from_rollups = reports
        .figures(quarter)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let recounted = reports
        .recount(quarter)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_rollups, recounted, "{context}");
    recounted
}
