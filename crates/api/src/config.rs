//! Configuration, read from the environment (see the README's table).

use crate::rate_limit::RateLimitSettings;
use anyhow::{Context, bail};
use domain::attachment::AttachmentLimits;
use domain::webhook::LoopbackUrls;
use persistence::S3Location;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;

/// Where the service runs: development is forgiving, production is strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Everything the service reads at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    pub environment: Environment,
    pub log_format: LogFormat,
    pub body_limit_bytes: usize,
    pub jwt_secret: JwtSecret,
    pub token_ttl_seconds: i64,
    pub db_max_connections: u32,
    /// How long a request waits for a pooled connection (`HUB_DB_ACQUIRE_TIMEOUT_MS`).
    pub db_acquire_timeout_ms: u64,
    /// How long opening a connection may take (`HUB_DB_CONNECT_TIMEOUT_MS`).
    pub db_connect_timeout_ms: u64,
    /// How long one statement may run on PostgreSQL (`HUB_DB_STATEMENT_TIMEOUT_MS`).
    pub db_statement_timeout_ms: u64,
    /// How long an unanswered idempotency claim stays with its request
    /// (`HUB_IDEMPOTENCY_LEASE_SECONDS`).
    pub idempotency_lease_seconds: u64,
    /// Failed logins per account or address allowed in 15 minutes.
    pub login_max_failures: u32,
    /// Where attached files' bytes are kept.
    pub file_storage: FileStorage,
    /// The largest single file, and the most one submission's files may take.
    pub attachment_limits: AttachmentLimits,
    /// Requests per credential (or per address, unauthenticated).
    pub rate_limits: RateLimitSettings,
    /// Browser origins allowed to call the API (`HUB_CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
    /// How often the webhook dispatcher reads the outbox.
    pub webhook_poll_ms: u64,
    /// Where replicas count limits together instead of PostgreSQL (`HUB_REDIS_URL`).
    pub redis_url: Option<String>,
    /// What every Redis key starts with, so deployments can share one Redis.
    pub redis_prefix: String,
    /// Whether webhooks may point at loopback addresses (tests and
    /// development only; `HUB_WEBHOOK_ALLOW_LOOPBACK`).
    pub webhook_loopback: LoopbackUrls,
    /// Whether reads may be served from memory (SQLite only; `HUB_READ_CACHE`).
    pub read_cache: bool,
    /// How long a client may take to send a request's head, or pause while
    /// sending its body, and how long an idle kept-alive connection stays open.
    pub client_timeout_ms: u64,
    /// Who may read `/metrics` (`HUB_METRICS_TOKEN`).
    pub metrics_access: MetricsAccess,
    /// Where notification mails go out (`HUB_SMTP_URL`, `HUB_MAIL_FROM`); none: no mail.
    pub mail: Option<MailSettings>,
    /// The hub's address as members reach it, for links in mails (`HUB_PUBLIC_URL`).
    pub public_url: String,
    /// How often the mail sender looks for work, in ms (`HUB_MAIL_POLL_MS`).
    pub mail_poll_ms: u64,
}

/// Who may read `/metrics`: everyone (development without a token), holders
/// of the token (`Authorization: Bearer <HUB_METRICS_TOKEN>`), or nobody
/// (production without a token: the page answers 404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsAccess {
    Open,
    Token(String),
    Off,
}

/// The shortest metrics token accepted.
const MIN_METRICS_TOKEN: usize = 24;

/// The SMTP server notification mails are sent through.
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://[user:password@]host[:port]` (STARTTLS required, except on
    /// loopback, where it is plain), or `smtps://…` (TLS from the start).
    pub smtp_url: String,
    /// The sender, e.g. `Innovation hub <hub@example.org>`.
    pub from: String,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry the SMTP password.
        f.debug_struct("MailSettings")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Where attached files' bytes are kept (`HUB_STORAGE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStorage {
    /// A folder on this machine, next to the embedded database.
    Local { dir: PathBuf },
    /// An S3-compatible bucket; credentials come from the `AWS_*` variables.
    S3(S3Location),
    /// Memory only, lost at every restart: for tests.
    Memory,
}

/// The key that signs access tokens; never printed.
#[derive(Clone)]
pub struct JwtSecret {
    pub bytes: Vec<u8>,
    /// True when made up at start because none was configured.
    pub generated: bool,
}

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JwtSecret(**redacted**, generated: {})", self.generated)
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://innovation-hub.db?mode=rwc";
pub const MIN_SECRET_LEN: usize = 32;

impl Settings {
    /// How the database pool waits: bounded, so an outage answers quickly.
    pub fn pool(&self) -> persistence::PoolSettings {
        persistence::PoolSettings {
            max_connections: self.db_max_connections,
            acquire_timeout: std::time::Duration::from_millis(self.db_acquire_timeout_ms),
            connect_timeout: std::time::Duration::from_millis(self.db_connect_timeout_ms),
            statement_timeout: Some(std::time::Duration::from_millis(
                self.db_statement_timeout_ms,
            )),
        }
    }

    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let environment = match get("HUB_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => bail!("HUB_ENV must be 'development' or 'production', not '{other}'"),
        };
        let log_format = match get("HUB_LOG_FORMAT").as_deref() {
            None if environment == Environment::Production => LogFormat::Json,
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("HUB_LOG_FORMAT must be 'pretty' or 'json', not '{other}'"),
        };
        let bind = get("HUB_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let bind: SocketAddr = bind.parse().with_context(|| {
            format!("HUB_BIND must be host:port such as 127.0.0.1:8080, not '{bind}'")
        })?;
        let body_limit_bytes = match get("HUB_BODY_LIMIT_BYTES") {
            None => 1024 * 1024,
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1024)
                .with_context(|| format!("HUB_BODY_LIMIT_BYTES must be a number of bytes of at least 1024, not '{raw}'"))?,
        };
        let jwt_secret = match get("HUB_JWT_SECRET") {
            Some(secret) if secret.len() >= MIN_SECRET_LEN => JwtSecret {
                bytes: secret.into_bytes(),
                generated: false,
            },
            Some(_) if environment == Environment::Production => bail!(
                "HUB_JWT_SECRET is shorter than {MIN_SECRET_LEN} characters; in production set a random secret of at least {MIN_SECRET_LEN} characters"
            ),
            None if environment == Environment::Production => bail!(
                "HUB_JWT_SECRET is not set; in production the service needs a random secret of at least {MIN_SECRET_LEN} characters to sign access tokens"
            ),
            _ => {
                let bytes: [u8; 32] = rand::random();
                JwtSecret {
                    bytes: bytes.to_vec(),
                    generated: true,
                }
            }
        };
        let token_ttl_seconds = match get("HUB_TOKEN_TTL_SECONDS") {
            None => 3600,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|n| (60..=86_400).contains(n))
                .with_context(|| {
                    format!("HUB_TOKEN_TTL_SECONDS must be 60 to 86400, not '{raw}'")
                })?,
        };
        let db_max_connections = match get("HUB_DB_MAX_CONNECTIONS") {
            None => 8,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=200).contains(n))
                .with_context(|| format!("HUB_DB_MAX_CONNECTIONS must be 1 to 200, not '{raw}'"))?,
        };
        let login_max_failures = match get("HUB_LOGIN_MAX_FAILURES") {
            None => 10,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=10_000).contains(n))
                .with_context(|| {
                    format!("HUB_LOGIN_MAX_FAILURES must be 1 to 10000, not '{raw}'")
                })?,
        };
        let file_storage = file_storage(&get, environment)?;
        let attachment_limits = AttachmentLimits {
            max_file_bytes: byte_limit(
                &get,
                "HUB_MAX_FILE_BYTES",
                AttachmentLimits::DEFAULT_FILE_BYTES,
            )?,
            max_submission_bytes: byte_limit(
                &get,
                "HUB_MAX_SUBMISSION_BYTES",
                AttachmentLimits::DEFAULT_SUBMISSION_BYTES,
            )?,
            member_quota_bytes: byte_limit(
                &get,
                "HUB_ATTACHMENT_QUOTA_BYTES",
                AttachmentLimits::DEFAULT_MEMBER_QUOTA_BYTES,
            )?,
        };
        let per_minute = bounded(&get, "HUB_RATE_LIMIT_PER_MINUTE", 1200, 1_000_000)?;
        let burst = bounded(&get, "HUB_RATE_LIMIT_BURST", per_minute.get(), 1_000_000)?;
        let cors_origins = cors_origins(get("HUB_CORS_ORIGINS"))?;
        let webhook_poll_ms = u64::from(bounded(&get, "HUB_WEBHOOK_POLL_MS", 1000, 600_000)?.get());
        let webhook_loopback = match get("HUB_WEBHOOK_ALLOW_LOOPBACK").as_deref().map(str::trim) {
            None | Some("false") => LoopbackUrls::Refused,
            Some("true") if environment == Environment::Production => bail!(
                "HUB_WEBHOOK_ALLOW_LOOPBACK=true lets webhooks call this machine's own services; it is for tests and development, not production"
            ),
            Some("true") => LoopbackUrls::Allowed,
            Some(other) => {
                bail!("HUB_WEBHOOK_ALLOW_LOOPBACK must be 'true' or 'false', not '{other}'")
            }
        };
        let read_cache = match get("HUB_READ_CACHE").as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => bail!("HUB_READ_CACHE must be 'on' or 'off', not '{other}'"),
        };
        let client_timeout_ms =
            u64::from(bounded(&get, "HUB_CLIENT_TIMEOUT_MS", 10_000, 600_000)?.get());
        let db_acquire_timeout_ms =
            u64::from(bounded(&get, "HUB_DB_ACQUIRE_TIMEOUT_MS", 1000, 600_000)?.get());
        let db_connect_timeout_ms =
            u64::from(bounded(&get, "HUB_DB_CONNECT_TIMEOUT_MS", 1000, 600_000)?.get());
        let db_statement_timeout_ms =
            u64::from(bounded(&get, "HUB_DB_STATEMENT_TIMEOUT_MS", 5000, 3_600_000)?.get());
        let idempotency_lease_seconds =
            u64::from(bounded(&get, "HUB_IDEMPOTENCY_LEASE_SECONDS", 30, 86_400)?.get());
        let metrics_access = match get("HUB_METRICS_TOKEN") {
            Some(token) if token.chars().count() < MIN_METRICS_TOKEN => {
                bail!("HUB_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN} characters")
            }
            Some(token) => MetricsAccess::Token(token),
            None if environment == Environment::Production => MetricsAccess::Off,
            None => MetricsAccess::Open,
        };
        let mail = match (get("HUB_SMTP_URL"), get("HUB_MAIL_FROM")) {
            (None, _) => None,
            (Some(url), _) if !(url.starts_with("smtp://") || url.starts_with("smtps://")) => {
                bail!("HUB_SMTP_URL must start with smtp:// or smtps://")
            }
            (Some(_), None) => {
                bail!(
                    "HUB_SMTP_URL is set but HUB_MAIL_FROM is not; name the sender, e.g. 'Innovation hub <hub@example.org>'"
                )
            }
            (Some(smtp_url), Some(from)) => Some(MailSettings { smtp_url, from }),
        };
        let public_url = get("HUB_PUBLIC_URL")
            .map(|url| url.trim().trim_end_matches('/').to_owned())
            .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
        if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
            bail!("HUB_PUBLIC_URL must be an http:// or https:// URL, not '{public_url}'");
        }
        let mail_poll_ms = u64::from(bounded(&get, "HUB_MAIL_POLL_MS", 1000, 600_000)?.get());
        Ok(Self {
            mail,
            public_url,
            mail_poll_ms,
            metrics_access,
            db_acquire_timeout_ms,
            db_connect_timeout_ms,
            db_statement_timeout_ms,
            idempotency_lease_seconds,
            read_cache,
            client_timeout_ms,
            webhook_poll_ms,
            webhook_loopback,
            redis_url: get("HUB_REDIS_URL"),
            redis_prefix: get("HUB_REDIS_PREFIX").unwrap_or_else(|| "hub:".to_owned()),
            rate_limits: RateLimitSettings { per_minute, burst },
            cors_origins,
            file_storage,
            attachment_limits,
            login_max_failures,
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            bind,
            environment,
            log_format,
            body_limit_bytes,
            jwt_secret,
            token_ttl_seconds,
            db_max_connections,
        })
    }
}

fn bounded(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: u32,
    max: u32,
) -> anyhow::Result<NonZeroU32> {
    let value = match get(key) {
        None => default,
        Some(raw) => raw
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .with_context(|| format!("{key} must be 1 to {max}, not '{raw}'"))?,
    };
    NonZeroU32::new(value).with_context(|| format!("{key} must be at least 1"))
}

/// Comma-separated origins such as `https://hub.example.org`; each must be
/// a scheme and host (and port), with no path.
fn cors_origins(raw: Option<String>) -> anyhow::Result<Vec<String>> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.contains('/') && origin != "*" => {
                    Ok(origin.to_owned())
                }
                _ => bail!(
                    "HUB_CORS_ORIGINS must list origins such as https://hub.example.org, comma-separated, not '{origin}'"
                ),
            }
        })
        .collect()
}

/// Files are buffered in memory while they are checked, so a limit above 1 GiB is refused.
const MAX_FILE_LIMIT: u64 = 1024 * 1024 * 1024;

fn byte_limit(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: u64,
) -> anyhow::Result<u64> {
    match get(key) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (1024..=MAX_FILE_LIMIT * 64).contains(n))
            .filter(|n| key != "HUB_MAX_FILE_BYTES" || *n <= MAX_FILE_LIMIT)
            .with_context(|| {
                format!("{key} must be a number of bytes from 1024 up to {MAX_FILE_LIMIT} per file, not '{raw}'")
            }),
    }
}

fn file_storage(
    get: &impl Fn(&str) -> Option<String>,
    environment: Environment,
) -> anyhow::Result<FileStorage> {
    let bucket = get("HUB_S3_BUCKET");
    let backend = get("HUB_STORAGE")
        .unwrap_or_else(|| if bucket.is_some() { "s3" } else { "local" }.to_owned());
    match backend.as_str() {
        "local" => Ok(FileStorage::Local {
            dir: PathBuf::from(get("HUB_STORAGE_DIR").unwrap_or_else(|| "./hub-files".to_owned())),
        }),
        "s3" => {
            let Some(bucket) = bucket else {
                bail!(
                    "HUB_STORAGE is s3 but HUB_S3_BUCKET is not set; name the bucket that holds attached files"
                )
            };
            let endpoint = get("HUB_S3_ENDPOINT");
            Ok(FileStorage::S3(S3Location {
                bucket,
                allow_http: endpoint
                    .as_deref()
                    .is_some_and(|e| e.starts_with("http://")),
                endpoint,
                region: get("HUB_S3_REGION"),
            }))
        }
        "memory" if environment == Environment::Production => bail!(
            "HUB_STORAGE=memory loses every attached file at restart; in production use 'local' or 's3'"
        ),
        "memory" => Ok(FileStorage::Memory),
        other => bail!("HUB_STORAGE must be 'local', 's3' or 'memory', not '{other}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|key| map.get(key).cloned())
    }

    #[test]
    fn development_defaults_need_no_configuration() {
        let s = settings(&[]).map_err(|e| e.to_string());
        let s = s.as_ref().map_err(String::as_str);
        assert_eq!(
            s.map(|s| s.bind.to_string()),
            Ok("127.0.0.1:8080".to_owned())
        );
        assert_eq!(s.map(|s| s.jwt_secret.generated), Ok(true));
        assert_eq!(
            s.map(|s| s.database_url.clone()),
            Ok(DEFAULT_DATABASE_URL.to_owned())
        );
    }

    #[test]
    fn metrics_are_open_in_development_behind_a_token_when_one_is_set_and_off_in_production() {
        assert!(settings(&[]).is_ok_and(|s| s.metrics_access == MetricsAccess::Open));
        let token = "a-metrics-token-of-thirty-two-chars";
        assert!(
            settings(&[("HUB_METRICS_TOKEN", token)])
                .is_ok_and(|s| s.metrics_access == MetricsAccess::Token(token.to_owned()))
        );
        let short = settings(&[("HUB_METRICS_TOKEN", "short")]).map(|_| ());
        assert!(short.is_err_and(|e| e.to_string().contains("HUB_METRICS_TOKEN")));
        let production = settings(&[
            ("HUB_ENV", "production"),
            (
                "HUB_JWT_SECRET",
                "a production secret of at least thirty-two chars",
            ),
        ]);
        assert!(
            production.is_ok_and(|s| s.metrics_access == MetricsAccess::Off),
            "off in production without a token"
        );
    }

    #[test]
    fn the_read_cache_is_on_unless_turned_off_and_other_values_are_refused() {
        assert!(settings(&[]).is_ok_and(|s| s.read_cache));
        assert!(settings(&[("HUB_READ_CACHE", "off")]).is_ok_and(|s| !s.read_cache));
        let refused = settings(&[("HUB_READ_CACHE", "maybe")]).map(|_| ());
        assert!(
            refused.is_err_and(|e| e.to_string().contains("HUB_READ_CACHE")),
            "names the variable"
        );
    }

    #[test]
    fn loopback_webhooks_are_refused_unless_allowed_and_never_in_production() {
        let production = [
            ("HUB_ENV", "production"),
            ("HUB_JWT_SECRET", &"k".repeat(40)),
            ("HUB_STORAGE", "local"),
        ];
        assert!(settings(&[]).is_ok_and(|s| s.webhook_loopback == LoopbackUrls::Refused));
        assert!(
            settings(&[("HUB_WEBHOOK_ALLOW_LOOPBACK", "true")])
                .is_ok_and(|s| s.webhook_loopback == LoopbackUrls::Allowed)
        );
        assert!(
            settings(&[("HUB_WEBHOOK_ALLOW_LOOPBACK", "yes")])
                .is_err_and(|e| e.to_string().contains("HUB_WEBHOOK_ALLOW_LOOPBACK"))
        );
        assert!(settings(&production).is_ok());
        let in_production = [
            production.as_slice(),
            &[("HUB_WEBHOOK_ALLOW_LOOPBACK", "true")],
        ]
        .concat();
        assert!(
            settings(&in_production)
                .is_err_and(|e| e.to_string().contains("HUB_WEBHOOK_ALLOW_LOOPBACK"))
        );
    }

    #[test]
    fn production_refuses_a_missing_or_short_secret() {
        let missing = settings(&[("HUB_ENV", "production")]);
        assert!(missing.is_err_and(|e| e.to_string().contains("HUB_JWT_SECRET")));
        let short = settings(&[("HUB_ENV", "production"), ("HUB_JWT_SECRET", "short")]);
        assert!(short.is_err());
        let good = settings(&[
            ("HUB_ENV", "production"),
            ("HUB_JWT_SECRET", &"k".repeat(40)),
        ]);
        assert!(good.is_ok_and(|s| !s.jwt_secret.generated && s.log_format == LogFormat::Json));
    }

    #[test]
    fn bad_values_are_named() {
        assert!(
            settings(&[("HUB_BIND", "nowhere")]).is_err_and(|e| e.to_string().contains("HUB_BIND"))
        );
        assert!(settings(&[("HUB_ENV", "staging")]).is_err());
        assert!(settings(&[("HUB_BODY_LIMIT_BYTES", "ten")]).is_err());
    }

    #[test]
    fn files_go_to_a_local_folder_unless_a_bucket_is_named() {
        let local = settings(&[]).map(|s| s.file_storage);
        let folder = settings(&[("HUB_STORAGE_DIR", "/var/lib/hub/files")]).map(|s| s.file_storage);
        let s3 = settings(&[
            ("HUB_S3_BUCKET", "hub-files"),
            ("HUB_S3_ENDPOINT", "http://minio:9000"),
            ("HUB_S3_REGION", "eu-west-2"),
        ])
        .map(|s| s.file_storage);

        assert!(local.is_ok_and(|f| f
            == FileStorage::Local {
                dir: "./hub-files".into()
            }));
        assert!(folder.is_ok_and(|f| f
            == FileStorage::Local {
                dir: "/var/lib/hub/files".into()
            }));
        assert!(s3.is_ok_and(|f| f
            == FileStorage::S3(S3Location {
                bucket: "hub-files".into(),
                endpoint: Some("http://minio:9000".into()),
                region: Some("eu-west-2".into()),
                allow_http: true,
            })));
    }

    #[test]
    fn storage_choices_that_cannot_work_are_refused() {
        assert!(
            settings(&[("HUB_STORAGE", "s3")])
                .is_err_and(|e| e.to_string().contains("HUB_S3_BUCKET"))
        );
        assert!(settings(&[("HUB_STORAGE", "ftp")]).is_err());
        assert!(settings(&[("HUB_STORAGE", "memory")]).is_ok());
        assert!(
            settings(&[
                ("HUB_ENV", "production"),
                ("HUB_JWT_SECRET", &"k".repeat(40)),
                ("HUB_STORAGE", "memory"),
            ])
            .is_err_and(|e| e.to_string().contains("production"))
        );
    }

    #[test]
    fn upload_limits_default_to_25_and_100_mib_and_can_be_set() {
        let defaults = settings(&[]).map(|s| s.attachment_limits);
        let set = settings(&[
            ("HUB_MAX_FILE_BYTES", "4096"),
            ("HUB_MAX_SUBMISSION_BYTES", "10000"),
        ])
        .map(|s| s.attachment_limits);

        assert!(
            defaults.is_ok_and(|l| l.max_file_bytes == 25 * 1024 * 1024
                && l.max_submission_bytes == 100 * 1024 * 1024)
        );
        assert!(set.is_ok_and(|l| l.max_file_bytes == 4096 && l.max_submission_bytes == 10_000));
        assert!(
            settings(&[("HUB_ATTACHMENT_QUOTA_BYTES", "20000")])
                .is_ok_and(|s| s.attachment_limits.member_quota_bytes == 20_000)
        );
        assert!(
            settings(&[])
                .is_ok_and(|s| s.attachment_limits.member_quota_bytes == 250 * 1024 * 1024)
        );
        for bad in ["ten", "12", "-5", "2000000000"] {
            assert!(
                settings(&[("HUB_MAX_FILE_BYTES", bad)])
                    .is_err_and(|e| e.to_string().contains("HUB_MAX_FILE_BYTES")),
                "{bad}"
            );
        }
    }

    #[test]
    fn client_timeouts_default_to_ten_seconds_and_refuse_nonsense() {
        assert_eq!(
            settings(&[]).map(|s| s.client_timeout_ms).ok(),
            Some(10_000)
        );
        assert_eq!(
            settings(&[("HUB_CLIENT_TIMEOUT_MS", "250")])
                .map(|s| s.client_timeout_ms)
                .ok(),
            Some(250)
        );
        for bad in ["0", "soon", "700000"] {
            assert!(
                settings(&[("HUB_CLIENT_TIMEOUT_MS", bad)])
                    .is_err_and(|e| e.to_string().contains("HUB_CLIENT_TIMEOUT_MS")),
                "{bad}"
            );
        }
    }

    #[test]
    fn database_waits_are_bounded_by_default_and_can_be_set() {
        let defaults = settings(&[]).map(|s| {
            (
                s.db_acquire_timeout_ms,
                s.db_connect_timeout_ms,
                s.db_statement_timeout_ms,
                s.idempotency_lease_seconds,
            )
        });
        let set = settings(&[
            ("HUB_DB_ACQUIRE_TIMEOUT_MS", "250"),
            ("HUB_DB_CONNECT_TIMEOUT_MS", "300"),
            ("HUB_DB_STATEMENT_TIMEOUT_MS", "2000"),
            ("HUB_IDEMPOTENCY_LEASE_SECONDS", "5"),
        ])
        .map(|s| {
            (
                s.db_acquire_timeout_ms,
                s.db_connect_timeout_ms,
                s.db_statement_timeout_ms,
                s.idempotency_lease_seconds,
            )
        });

        assert_eq!(defaults.ok(), Some((1000, 1000, 5000, 30)));
        assert_eq!(set.ok(), Some((250, 300, 2000, 5)));
        for key in [
            "HUB_DB_ACQUIRE_TIMEOUT_MS",
            "HUB_DB_CONNECT_TIMEOUT_MS",
            "HUB_DB_STATEMENT_TIMEOUT_MS",
            "HUB_IDEMPOTENCY_LEASE_SECONDS",
        ] {
            assert!(
                settings(&[(key, "0")]).is_err_and(|e| e.to_string().contains(key)),
                "{key}"
            );
        }
    }

    #[test]
    fn the_secret_is_never_debug_printed() {
        let s = settings(&[("HUB_JWT_SECRET", &"supersecretvalue".repeat(3))]);
        assert!(s.is_ok_and(|s| !format!("{s:?}").contains("supersecret")));
    }

    #[test]
    fn rate_limits_default_to_generous_and_refuse_nonsense() {
        let defaults = settings(&[])
            .map(|s| s.rate_limits)
            .map_err(|e| e.to_string());
        assert_eq!(
            defaults.map(|r| (r.per_minute.get(), r.burst.get())),
            Ok((1200, 1200))
        );
        let set = settings(&[
            ("HUB_RATE_LIMIT_PER_MINUTE", "30"),
            ("HUB_RATE_LIMIT_BURST", "5"),
        ])
        .map(|s| (s.rate_limits.per_minute.get(), s.rate_limits.burst.get()))
        .map_err(|e| e.to_string());
        assert_eq!(set, Ok((30, 5)));
        assert!(settings(&[("HUB_RATE_LIMIT_PER_MINUTE", "0")]).is_err());
        assert!(settings(&[("HUB_RATE_LIMIT_BURST", "lots")]).is_err());
    }

    #[test]
    fn cors_origins_are_listed_origins_without_paths() {
        let origins = settings(&[(
            "HUB_CORS_ORIGINS",
            "https://hub.example.org, http://localhost:5173",
        )])
        .map(|s| s.cors_origins)
        .map_err(|e| e.to_string());
        assert_eq!(
            origins,
            Ok(vec![
                "https://hub.example.org".to_owned(),
                "http://localhost:5173".to_owned()
            ])
        );
        assert_eq!(settings(&[]).map(|s| s.cors_origins.len()).ok(), Some(0));
        assert!(settings(&[("HUB_CORS_ORIGINS", "*")]).is_err());
        assert!(settings(&[("HUB_CORS_ORIGINS", "https://hub.example.org/app")]).is_err());
    }
}
