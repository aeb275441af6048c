//! Builds the application: database, migrations, state, routes and server.

use crate::auth::{Argon2Hasher, Authenticator, JwtKeys, LoginThrottle};
use crate::cache::{ReadCache, forget_on_writes};
use crate::config::{FileStorage, MetricsAccess, Settings};
use crate::contract::{Operations, enforce_operations};
use crate::extract::{
    BodyLimit, BodyTimeout, not_found, path_error, query_error, refuse_empty_query_values,
    refuse_nul_in_query,
};
use crate::idempotency::{Idempotency, idempotent_posts};
use crate::limits::{MemoryLimits, RedisLimits};
use crate::mail::Mailer;
use crate::middleware::{Metrics, REQUEST_ID, observe};
use crate::openapi::ApiDoc;
use crate::rate_limit::{RateLimits, limit_requests};
use crate::shutdown::{Drain, drain_requests, stop_on_signal};
use crate::state::AppState;
use actix_cors::Cors;
use actix_web::dev::{Server, ServiceRequest};
use actix_web::http::header::{self, HeaderName};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use domain::access_token::TokenService;
use domain::attachment::FileStore;
use domain::audit::AuditLog;
use domain::clinic::ClinicService;
use domain::event::FeedService;
use domain::limit::LimitStore;
use domain::member::{MemberService, SessionService};
use domain::notification::{ErasureNotice, NotificationService, UnsubscribeKey};
use domain::recommendation::RecommendationService;
use domain::report::ReportService;
use domain::repository::{
    AuditRepository, EventRepository, MemberRepository, ReportRepository, SessionRepository,
    TaxonomyRepository,
};
use domain::resource::ResourceService;
use domain::review::ReviewService;
use domain::spread::SpreadService;
use domain::submission::use_cases::SubmissionService;
use domain::taxonomy::Taxonomy;
use domain::webhook::WebhookService;
use persistence::{
    Database, DatabaseKind, ObjectFileStore, SeaAccessTokenRepository, SeaAttachmentRepository,
    SeaEventRepository, SeaIdempotencyRepository, SeaLimitStore, SeaMailRepository,
    SeaResourceRepository, SeaSessionRepository, SeaSpreadRepository, SeaWebhookRepository,
};
use persistence::{
    SeaAuditRepository, SeaMemberRepository, SeaReportRepository, SeaSubmissionRepository,
    SeaTaxonomyRepository,
};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// A running server and the port it listens on.
pub struct Application {
    port: u16,
    server: Server,
    drain: Arc<Drain>,
    /// The state background work uses.
    state: AppState,
}

/// How long a shutdown waits for requests in flight, and then for workers.
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(10);

/// Makes ring the TLS crypto of the process, for every HTTPS client it makes
/// (webhook deliveries, S3 storage). A second call changes nothing.
pub fn install_tls_provider() {
    persistence::install_tls_provider();
}

/// What every state is made from, read once per process: the settings, the
/// taxonomy, the file store, the read cache and, where limits are not counted
/// in the database, their store.
#[derive(Clone)]
pub struct Foundation {
    settings: Settings,
    taxonomy: Arc<Taxonomy>,
    files: Arc<dyn FileStore>,
    /// Redis when configured; on SQLite (one process) memory; `None` when
    /// each state counts in the PostgreSQL its connections reach.
    shared_limits: Option<Arc<dyn LimitStore>>,
    read_cache: Arc<ReadCache>,
}

/// Connects and migrates; answers what every state is made from and a pool
/// for work outside requests (and for requests on SQLite).
pub async fn prepare(settings: &Settings) -> anyhow::Result<(Foundation, Database)> {
    install_tls_provider();
    // Migrations may rewrite large tables: they run on a connection of their
    // own, without the statement timeout that bounds requests.
    let migrations = persistence::connect_with(
        &settings.database_url,
        persistence::PoolSettings {
            max_connections: 1,
            statement_timeout: None,
            ..settings.pool()
        },
    )
    .await
    .with_context(|| "connecting to the database (check DATABASE_URL)")?;
    let applied = persistence::migrate(&migrations.connection)
        .await
        .context("applying migrations")?;
    let database = persistence::describe_database(&settings.database_url);
    if applied.is_empty() {
        tracing::info!(%database, "database schema up to date: no migration pending");
    } else {
        tracing::info!(%database, migrations = ?applied, "applied {} migrations", applied.len());
    }
    if let Err(error) = migrations.connection.close().await {
        tracing::warn!(%error, "closing the migration connection");
    }
    let db = persistence::connect_with(&settings.database_url, settings.pool())
        .await
        .with_context(|| "connecting to the database (check DATABASE_URL)")?;
    let taxonomy = SeaTaxonomyRepository::new(db.connection.clone())
        .load()
        .await
        .context("loading the taxonomy")?;
    let files: Arc<dyn FileStore> = match &settings.file_storage {
        FileStorage::Local { dir } => Arc::new(ObjectFileStore::local(dir)?),
        FileStorage::S3(location) => Arc::new(ObjectFileStore::s3(location)?),
        FileStorage::Memory => Arc::new(ObjectFileStore::in_memory()),
    };
    // Replicas count limits together in Redis when one is configured, else in
    // the PostgreSQL they share; SQLite means one process, which counts in memory.
    let shared_limits: Option<Arc<dyn LimitStore>> = match (&settings.redis_url, db.kind) {
        (Some(url), _) => Some(Arc::new(
            RedisLimits::connect(url, &settings.redis_prefix)
                .await
                .context("connecting to Redis (check HUB_REDIS_URL)")?,
        )),
        (None, DatabaseKind::Postgres) => None,
        (None, DatabaseKind::Sqlite) => Some(Arc::new(MemoryLimits::default())),
    };
    let foundation = Foundation {
        settings: settings.clone(),
        taxonomy: Arc::new(taxonomy),
        files,
        shared_limits,
        read_cache: Arc::new(ReadCache::new(
            settings.read_cache && db.kind == DatabaseKind::Sqlite,
        )),
    };
    Ok((foundation, db))
}

/// Connects, migrates and loads the taxonomy: the state every handler shares.
pub async fn build_state(settings: &Settings) -> anyhow::Result<AppState> {
    let (foundation, db) = prepare(settings).await?;
    Ok(foundation.state_on(db))
}

impl Foundation {
    /// The state whose repositories all use `db`.
    pub fn state_on(&self, db: Database) -> AppState {
        let settings = &self.settings;
        let taxonomy = self.taxonomy.clone();
        let files = self.files.clone();
        let members: Arc<dyn MemberRepository> =
            Arc::new(SeaMemberRepository::new(db.connection.clone()));
        let access_tokens = Arc::new(SeaAccessTokenRepository::new(db.connection.clone()));
        let sessions: Arc<dyn SessionRepository> =
            Arc::new(SeaSessionRepository::new(db.connection.clone()));
        let submissions = Arc::new(SeaSubmissionRepository::new(db.connection.clone()));
        let audit: Arc<dyn AuditRepository> =
            Arc::new(SeaAuditRepository::new(db.connection.clone()));
        let events: Arc<dyn EventRepository> =
            Arc::new(SeaEventRepository::new(db.connection.clone()));
        let webhooks = Arc::new(SeaWebhookRepository::new(db.connection.clone()));
        let reports: Arc<dyn ReportRepository> =
            Arc::new(SeaReportRepository::new(db.connection.clone()));
        let spread = Arc::new(SeaSpreadRepository::new(db.connection.clone()));
        let resources = Arc::new(SeaResourceRepository::new(db.connection.clone()));
        let limits: Arc<dyn LimitStore> = match &self.shared_limits {
            Some(limits) => limits.clone(),
            None => Arc::new(SeaLimitStore::new(db.connection.clone())),
        };
        let audit_log = AuditLog::new(audit.clone());
        let mail = Arc::new(SeaMailRepository::new(db.connection.clone()));
        let erasure_notice = if settings.mail.is_some() {
            ErasureNotice::Send
        } else {
            ErasureNotice::Skip
        };
        AppState {
            notification_service: NotificationService::new(
                mail.clone(),
                UnsubscribeKey::derive(&settings.jwt_secret.bytes),
            ),
            mail,
            submission_service: SubmissionService::new(
                submissions.clone(),
                submissions.clone(),
                submissions.clone(),
                taxonomy.clone(),
            ),
            review_service: ReviewService::new(
                submissions.clone(),
                submissions.clone(),
                members.clone(),
            ),
            recommendation_service: RecommendationService::new(
                submissions.clone(),
                submissions.clone(),
                audit.clone(),
            ),
            spread_service: SpreadService::new(
                submissions.clone(),
                submissions.clone(),
                spread.clone(),
                taxonomy.clone(),
            ),
            clinic_service: ClinicService::new(
                submissions.clone(),
                spread.clone(),
                taxonomy.clone(),
            ),
            resource_service: ResourceService::new(
                resources.clone(),
                files.clone(),
                settings.attachment_limits.max_file_bytes,
            ),
            feed: FeedService::new(events.clone()),
            attachments: Arc::new(SeaAttachmentRepository::new(db.connection.clone())),
            files,
            attachment_limits: settings.attachment_limits,
            member_service: MemberService::new(
                members.clone(),
                submissions.clone(),
                resources.clone(),
                audit_log.clone(),
                taxonomy.clone(),
            )
            .with_erasure_notice(erasure_notice),
            token_service: TokenService::new(access_tokens.clone()),
            session_service: SessionService::new(
                sessions.clone(),
                Arc::new(Argon2Hasher),
                audit_log.clone(),
            ),
            sessions,
            webhook_service: WebhookService::new(
                webhooks.clone(),
                Arc::new(crate::webhooks::SystemResolver),
                settings.webhook_loopback,
            ),
            audit_log: audit_log.clone(),
            members,
            access_tokens,
            reviews: submissions.clone(),
            submissions,
            audit,
            events,
            webhooks,
            report_service: ReportService::new(
                reports.clone(),
                taxonomy.clone(),
                audit_log.clone(),
            ),
            reports,
            taxonomy,
            jwt: JwtKeys::new(&settings.jwt_secret.bytes, settings.token_ttl_seconds),
            limits: limits.clone(),
            login_throttle: Arc::new(LoginThrottle::new(
                limits,
                settings.login_max_failures,
                Duration::from_secs(15 * 60),
            )),
            read_cache: self.read_cache.clone(),
            db,
        }
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_changed(settings, |state| state).await
    }

    /// Builds the application with `change` applied to every state it makes
    /// (each request worker's and background work's), so tests can swap a
    /// part of it, such as a repository that fails.
    pub async fn build_changed(
        settings: Settings,
        change: impl Fn(AppState) -> AppState + Send + Sync + 'static,
    ) -> anyhow::Result<Self> {
        if settings.jwt_secret.generated {
            tracing::warn!(
                "HUB_JWT_SECRET is not set: using a random secret for this run; tokens will not survive a restart"
            );
        }
        let (foundation, db) = prepare(&settings).await?;
        let change: Arc<ChangeState> = Arc::new(change);
        let state = change(foundation.state_on(db.clone()));
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let common = Common::new(&settings)?;
        let drain = common.drain.clone();
        crate::webhooks::start_dispatcher(
            state.webhooks.clone(),
            Duration::from_millis(settings.webhook_poll_ms),
            settings.webhook_loopback,
        );
        match &settings.mail {
            Some(mail) => {
                let mailer = Mailer::new(
                    mail,
                    &settings.public_url,
                    state.notification_service.key().clone(),
                )?;
                crate::mail::start_sender(
                    state.mail.clone(),
                    Arc::new(mailer),
                    Duration::from_millis(settings.mail_poll_ms),
                );
            }
            None => tracing::info!("HUB_SMTP_URL is not set: no notification mail will be sent"),
        }
        let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let states = WorkerStates {
            shared: state.clone(),
            own_pools: (db.kind == DatabaseKind::Postgres).then(|| OwnPools {
                foundation,
                url: settings.database_url.clone(),
                pool: persistence::PoolSettings {
                    max_connections: settings.db_max_connections.div_ceil(workers as u32),
                    ..settings.pool()
                },
                change,
            }),
        };
        let server = run(
            listener,
            states,
            common,
            ServerSettings {
                workers,
                limits: ServerLimits {
                    body_limit: settings.body_limit_bytes,
                    client_timeout: Duration::from_millis(settings.client_timeout_ms),
                },
                cors_origins: settings.cors_origins.clone(),
                settings: settings.clone(),
            },
        )?;
        tracing::info!(address = %settings.bind, port, workers, "serving");
        Ok(Self {
            port,
            server,
            drain,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The state background work uses (on SQLite, requests too).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Serves until SIGTERM or Ctrl-C, then drains requests in flight and stops.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        tokio::spawn(stop_on_signal(
            self.server.handle(),
            self.drain,
            SHUTDOWN_LIMIT,
        ));
        self.server.await
    }
}

/// A change made to every state the application makes.
type ChangeState = dyn Fn(AppState) -> AppState + Send + Sync;

/// Where each request worker's state comes from.
///
/// On PostgreSQL every worker has a pool of its own, made on the worker's
/// thread, whose connections are opened by the worker's requests and so are
/// driven by the worker's own event loop: an answer from the database wakes
/// the thread that waits for it, with no hand-over from another thread.
/// `HUB_DB_MAX_CONNECTIONS` is shared out among the workers. On SQLite every
/// worker shares the one state: one file, one writer, and a read cache and
/// in-memory limits that must be the same for all.
#[derive(Clone)]
struct WorkerStates {
    shared: AppState,
    own_pools: Option<OwnPools>,
}

#[derive(Clone)]
struct OwnPools {
    foundation: Foundation,
    url: String,
    pool: persistence::PoolSettings,
    change: Arc<ChangeState>,
}

impl WorkerStates {
    /// The state for the worker this is called on.
    fn for_this_worker(&self) -> AppState {
        let Some(own) = &self.own_pools else {
            return self.shared.clone();
        };
        match persistence::connect_lazily(&own.url, own.pool) {
            Ok(db) => (own.change)(own.foundation.state_on(db)),
            Err(error) => {
                tracing::warn!(%error, "a request worker uses the background pool");
                self.shared.clone()
            }
        }
    }
}

/// How the server runs: its workers, its limits on clients, and the settings
/// each worker's middleware is made from.
struct ServerSettings {
    workers: usize,
    limits: ServerLimits,
    cors_origins: Vec<String>,
    settings: Settings,
}

/// How much a client may send and how slowly.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// The largest JSON body, in bytes.
    pub body_limit: usize,
    /// The longest a client may take over a request's head, pause while
    /// sending a body, or leave a kept-alive connection idle.
    pub client_timeout: Duration,
}

/// What the middleware of every worker shares: the metrics, the count of
/// requests in flight that a shutdown drains, and the documented operations.
#[derive(Clone)]
struct Common {
    metrics: Metrics,
    drain: Arc<Drain>,
    operations: Arc<Operations>,
    metrics_access: MetricsAccess,
}

impl Common {
    fn new(settings: &Settings) -> anyhow::Result<Self> {
        Ok(Self {
            metrics: Metrics::new().context("creating metrics")?,
            drain: Arc::new(Drain::default()),
            operations: Arc::new(Operations::from_document(&crate::openapi::document())),
            metrics_access: settings.metrics_access.clone(),
        })
    }
}

/// What the middleware around a worker's requests owns, made from the
/// worker's state. Each piece is handed to its middleware when the worker's
/// app is built, so none can be missing at run time.
struct Middleware {
    rate_limits: Arc<RateLimits>,
    idempotency: Arc<Idempotency>,
    authenticator: Authenticator,
}

impl Middleware {
    fn new(settings: &Settings, state: &AppState) -> Self {
        let authenticator = Authenticator::new(
            state.jwt.clone(),
            state.members.clone(),
            state.access_tokens.clone(),
            state.sessions.clone(),
            state.read_cache.clone(),
        );
        Self {
            rate_limits: Arc::new(RateLimits::new(
                settings.rate_limits,
                state.limits.clone(),
                state.jwt.clone(),
                state.access_tokens.clone(),
            )),
            idempotency: Arc::new(Idempotency::new(
                Arc::new(SeaIdempotencyRepository::new(
                    state.db.connection.clone(),
                    chrono::Duration::seconds(
                        i64::try_from(settings.idempotency_lease_seconds).unwrap_or(30),
                    ),
                )),
                authenticator.clone(),
            )),
            authenticator,
        }
    }
}

/// The HTTP server on an already bound listener.
fn run(
    listener: TcpListener,
    states: WorkerStates,
    common: Common,
    server: ServerSettings,
) -> anyhow::Result<Server> {
    let ServerSettings {
        workers,
        limits: ServerLimits {
            body_limit,
            client_timeout,
        },
        cors_origins,
        settings,
    } = server;
    let metrics = web::Data::new(common.metrics.clone());
    let metrics_access = web::Data::new(common.metrics_access.clone());
    let server = HttpServer::new(move || {
        let state = states.for_this_worker();
        let Middleware {
            rate_limits,
            idempotency,
            authenticator,
        } = Middleware::new(&settings, &state);
        let read_cache = state.read_cache.clone();
        let Common {
            metrics: observed,
            drain,
            operations,
            ..
        } = common.clone();
        let state = web::Data::new(state);
        let authenticator = web::Data::new(authenticator);
        App::new()
            .app_data(state.clone())
            .app_data(authenticator.clone())
            .app_data(metrics.clone())
            .app_data(metrics_access.clone())
            .app_data(BodyLimit(body_limit))
            .app_data(BodyTimeout(client_timeout))
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .wrap(from_fn(refuse_nul_in_query))
            .wrap(from_fn(refuse_empty_query_values))
            .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
                idempotent_posts(idempotency.clone(), req, next)
            }))
            // Outside the idempotency check: a request without credentials
            // is answered 401 before its Idempotency-Key is looked at.
            .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
                enforce_operations(operations.clone(), req, next)
            }))
            .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
                forget_on_writes(read_cache.clone(), req, next)
            }))
            .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
                limit_requests(rate_limits.clone(), req, next)
            }))
            .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
                drain_requests(drain.clone(), req, next)
            }))
            .wrap(cors(&cors_origins))
            .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
                observe(observed.clone(), req, next)
            }))
            .wrap(from_fn(crate::headers::safety_headers))
            .wrap(from_fn(crate::newline::end_json_with_newline))
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(crate::routes::configure)
            .into_app()
            .service(SwaggerUi::new("/docs/{_:.*}").config(Config::from("/api/v1/openapi.json")))
            .route("/docs", web::get().to(docs_redirect))
            .default_service(web::to(not_found))
    })
    // A client that is slow to send its request head gets 408 and is
    // dropped; so is a kept-alive connection left idle.
    .client_request_timeout(client_timeout)
    .client_disconnect_timeout(client_timeout.min(Duration::from_secs(5)))
    .keep_alive(client_timeout)
    .shutdown_timeout(SHUTDOWN_LIMIT.as_secs())
    .workers(workers)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

/// Browsers on the configured origins may call the API and read the
/// headers clients need; preflights are answered before anything else runs.
fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::RANGE,
            HeaderName::from_static("idempotency-key"),
            REQUEST_ID,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
            REQUEST_ID,
            HeaderName::from_static("ratelimit-limit"),
            HeaderName::from_static("ratelimit-remaining"),
            HeaderName::from_static("ratelimit-reset"),
        ])
        .max_age(3600)
}

async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header(("location", "/docs/"))
        .finish()
}
