use futures_util::FutureExt;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection, DbErr};
use std::time::Duration;

/// Which database the service runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// A connection pool and what it connects to.
#[derive(Clone, Debug)]
pub struct Database {
    pub connection: DatabaseConnection,
    pub kind: DatabaseKind,
}

/// How the pool waits on the database, so an outage costs a bounded wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// The longest a request waits for a connection from the pool.
    pub acquire_timeout: Duration,
    /// The longest opening one connection may take.
    pub connect_timeout: Duration,
    /// The longest one statement may run (PostgreSQL `statement_timeout`);
    /// `None` for no limit (migrations, bulk loads).
    pub statement_timeout: Option<Duration>,
}

impl PoolSettings {
    /// Short waits for a connection, no limit on statements: for tools and
    /// administration, with `max_connections` connections.
    pub fn with_connections(max_connections: u32) -> Self {
        Self {
            max_connections,
            acquire_timeout: Duration::from_millis(1000),
            connect_timeout: Duration::from_millis(1000),
            statement_timeout: None,
        }
    }
}

/// Which database a URL names.
pub fn kind_of(url: &str) -> DatabaseKind {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        DatabaseKind::Postgres
    } else {
        DatabaseKind::Sqlite
    }
}

/// Opens a pool with short connection timeouts and no statement timeout.
pub async fn connect(url: &str, max_connections: u32) -> Result<Database, DbErr> {
    connect_with(url, PoolSettings::with_connections(max_connections)).await
}

/// Opens a pool. SQLite files are created when missing and opened in WAL mode
/// with foreign keys on and a busy timeout, on every connection; PostgreSQL
/// connections abort statements that run past the statement timeout.
pub async fn connect_with(url: &str, pool: PoolSettings) -> Result<Database, DbErr> {
    let connection = sea_orm::Database::connect(options(url, pool)).await?;
    Ok(Database {
        connection,
        kind: kind_of(url),
    })
}

/// A pool that opens its connections only when they are first needed, from
/// the task that needs them, so they belong to the runtime of the thread that
/// uses them: a request worker's own pool answers on that worker's thread,
/// with no hand-over from another thread per database answer. It must be
/// made on the thread (and inside the runtime) that will use it. PostgreSQL only.
pub fn connect_lazily(url: &str, pool: PoolSettings) -> Result<Database, DbErr> {
    if kind_of(url) != DatabaseKind::Postgres {
        return Err(DbErr::Custom(
            "a lazily connected pool is for PostgreSQL only".to_owned(),
        ));
    }
    let mut options = options(url, pool);
    options.connect_lazy(true).min_connections(0);
    // A lazy pool opens nothing, so making it never waits.
    let connection = sea_orm::Database::connect(options)
        .now_or_never()
        .ok_or_else(|| DbErr::Custom("a lazy pool waited while being made".to_owned()))??;
    Ok(Database {
        connection,
        kind: DatabaseKind::Postgres,
    })
}

fn options(url: &str, pool: PoolSettings) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(pool.max_connections)
        .min_connections(1)
        .connect_timeout(pool.connect_timeout)
        .acquire_timeout(pool.acquire_timeout)
        // A ping on every checkout doubled the round trips of each statement
        // outside a transaction; only a connection idle long enough to have
        // been dropped by the server or a proxy is pinged first.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts: SqliteConnectOptions| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    if let Some(timeout) = pool.statement_timeout {
        options.statement_timeout(timeout);
    }
    options
}

/// Applies every pending migration; answers the names of those it applied, oldest first.
pub async fn migrate(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let pending: Vec<String> = Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    Migrator::up(db, None).await?;
    Ok(pending)
}

/// The database a URL names, for logs and messages: the SQLite file, or the
/// PostgreSQL host, port and database, never a user name or password.
pub fn describe_database(url: &str) -> String {
    if let Some(file) = crate::file_lock::sqlite_file(url) {
        let shown = std::path::absolute(&file).unwrap_or(file);
        return format!("SQLite file {}", shown.display());
    }
    match url.split_once("://") {
        Some((scheme, rest)) if kind_of(url) == DatabaseKind::Postgres => {
            let rest = rest.split('?').next().unwrap_or_default();
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            format!("PostgreSQL {scheme}://{host}/{path}")
        }
        _ => "SQLite in memory".to_owned(),
    }
}

/// Each migration's name and whether it has been applied.
pub async fn migration_status(db: &DatabaseConnection) -> Result<Vec<(String, bool)>, DbErr> {
    let applied: Vec<String> = Migrator::get_applied_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    Ok(Migrator::migrations()
        .iter()
        .map(|m| (m.name().to_owned(), applied.iter().any(|a| a == m.name())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{PoolSettings, connect_lazily, describe_database};

    #[tokio::test]
    async fn a_lazy_pool_opens_nothing_until_a_statement_needs_it() {
        // Nothing listens on port 1: making the pool must not try to connect.
        let db = connect_lazily(
            "postgres://postgres@127.0.0.1:1/nothing",
            PoolSettings::with_connections(1),
        )
        .expect("made without connecting");
        assert!(db.connection.ping().await.is_err(), "a statement connects");
        assert!(
            connect_lazily("sqlite::memory:", PoolSettings::with_connections(1)).is_err(),
            "SQLite keeps one shared pool"
        );
    }

    #[test]
    fn descriptions_never_hold_credentials() {
        assert_eq!(
            describe_database("postgres://hub:s3cret@db.internal:5432/hub?sslmode=require"),
            "PostgreSQL postgres://db.internal:5432/hub"
        );
        assert_eq!(
            describe_database("postgresql://db:5432/hub"),
            "PostgreSQL postgresql://db:5432/hub"
        );
        assert_eq!(describe_database("sqlite::memory:"), "SQLite in memory");
        let file = describe_database("sqlite://hub.db?mode=rwc");
        assert!(
            file.starts_with("SQLite file /") && file.ends_with("/hub.db"),
            "{file}"
        );
    }
}
