//! The `innovation-hub` command: serve, migrate, admin create, openapi.

use crate::config::Settings;
use crate::startup::Application;
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use domain::member::{DisplayName, Email, NewMember, Password, Role};
use domain::repository::{MemberRepository, WriteError};
use persistence::file_lock::{FileUse, claim_sqlite_file};
use std::io::BufRead;

#[derive(Parser)]
#[command(
    name = "innovation-hub",
    version,
    about = "The Innovation hub submission service"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the API (SQLite in the working folder unless DATABASE_URL is set).
    Serve,
    /// Apply or inspect database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Manage admins.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Fill the database with realistic, reproducible demonstration data over twelve quarters.
    DemoData {
        #[arg(long, default_value_t = 10_000)]
        submissions: u64,
        #[arg(long, default_value_t = 1_000)]
        members: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The last quarter filled (default: the last quarter that has ended).
        #[arg(long)]
        last_quarter: Option<String>,
    },
    /// Print the SQL statements of one quarter's figures, with the quarter's
    /// bounds written in, for running directly in psql or sqlite3.
    ReportSql {
        #[arg(long)]
        quarter: String,
        /// `postgres` or `sqlite` (how the bounds are written).
        #[arg(long, default_value = "postgres")]
        backend: String,
        /// Every statement the live summary runs: this quarter in full, the
        /// comparison quarters, and the headlines of the eight-quarter trend.
        #[arg(long)]
        whole_report: bool,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create an admin; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        display_name: String,
    },
}

/// Which of a quarter's statements a report runs.
type StatementFilter = fn(&str) -> bool;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Openapi => {
            print!("{}", crate::openapi::document_json());
            Ok(())
        }
        Command::Serve => {
            let settings = Settings::from_env()?;
            let sole = if settings.read_cache {
                FileUse::Sole
            } else {
                FileUse::Shared
            };
            let _owned = claim_sqlite_file(&settings.database_url, sole)?;
            crate::telemetry::init(settings.log_format, std::io::stdout);
            let app = Application::build(settings).await?;
            app.run_until_signalled().await.context("serving")
        }
        Command::DemoData {
            submissions,
            members,
            seed,
            last_quarter,
        } => {
            let mut settings = Settings::from_env()?;
            let _owned = claim_sqlite_file(&settings.database_url, FileUse::Shared)?;
            // Bulk inserts may run long: only requests are held to the statement timeout.
            settings.db_statement_timeout_ms = 3_600_000;
            let last_quarter = match last_quarter {
                Some(raw) => raw.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
                None => {
                    domain::quarter::Quarter::calendar_containing(chrono::Utc::now()).previous()
                }
            };
            let state = crate::startup::build_state(&settings).await?;
            let bar = indicatif::ProgressBar::new(submissions);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} submissions ({per_sec})",
                )
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            );
            let spec = persistence::demo::DemoSpec {
                submissions,
                members,
                seed,
                last_quarter,
            };
            let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let step = (submissions / 10).max(1);
            let files = persistence::demo::fill(&state.db.connection, spec, &state.taxonomy, |n| {
                bar.set_position(n);
                if !terminal && (n % step == 0 || n == submissions) {
                    eprintln!("{n}/{submissions} submissions");
                }
            })
            .await?;
            for file in files {
                let key = domain::attachment::StorageKey::from_stored(file.storage_key);
                state
                    .files
                    .put(&key, file.bytes)
                    .await
                    .with_context(|| format!("storing the demo resource {key}"))?;
            }
            bar.finish();
            println!(
                "made {members} members and {submissions} submissions up to {last_quarter} (seed {seed})"
            );
            Ok(())
        }
        Command::ReportSql {
            quarter,
            backend,
            whole_report,
        } => {
            let quarter: domain::quarter::Quarter =
                quarter.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut plan: Vec<(domain::quarter::Quarter, StatementFilter)> =
                vec![(quarter, |_| true)];
            if whole_report {
                let (previous, year_before) =
                    (quarter.previous(), quarter.same_quarter_last_year());
                plan.push((previous, |n| !persistence::about_people(n)));
                plan.push((year_before, |n| !persistence::about_people(n)));
                let mut q = quarter.previous();
                for _ in 0..6 {
                    q = q.previous();
                    if q != year_before {
                        plan.push((q, |n| persistence::HEADLINE_STATEMENTS.contains(&n)));
                    }
                }
            }
            let instant = |at: chrono::DateTime<chrono::Utc>| match backend.as_str() {
                "sqlite" => format!("'{}'", at.to_rfc3339()),
                _ => format!("'{}'::timestamptz", at.to_rfc3339()),
            };
            let mut out = String::new();
            for (quarter, wanted) in plan {
                for (name, sql, bounds) in persistence::quarter_statements()
                    .into_iter()
                    .filter(|(n, _, _)| wanted(n))
                {
                    let sql = match bounds {
                        persistence::Bounds::Bucket => {
                            sql.replace("$1", &persistence::rollup::bucket(quarter).to_string())
                        }
                        persistence::Bounds::BucketAndInstants => sql
                            .replace("$1", &persistence::rollup::bucket(quarter).to_string())
                            .replace("$2", &instant(quarter.start()))
                            .replace("$3", &instant(quarter.end())),
                        persistence::Bounds::Instants => sql
                            .replace("$1", &instant(quarter.start()))
                            .replace("$2", &instant(quarter.end())),
                        persistence::Bounds::InstantsAndDays => {
                            let days = domain::report::counting::days(quarter);
                            sql.replace("$1", &instant(quarter.start()))
                                .replace("$2", &instant(quarter.end()))
                                .replace("$3", &format!("'{}'", days.start))
                                .replace("$4", &format!("'{}'", days.end))
                        }
                        persistence::Bounds::End => {
                            let days = domain::report::counting::days(quarter);
                            sql.replace("$1", &instant(quarter.end()))
                                .replace("$2", &format!("'{}'", days.end))
                        }
                    };
                    out.push_str(&format!("-- {quarter} {name}\n{sql};\n"));
                }
            }
            use std::io::Write;
            let _closed_early = std::io::stdout().write_all(out.as_bytes());
            Ok(())
        }
        Command::Migrate { action } => {
            let settings = Settings::from_env()?;
            let _owned = claim_sqlite_file(&settings.database_url, FileUse::Shared)?;
            let db = persistence::connect_with(
                &settings.database_url,
                persistence::PoolSettings {
                    max_connections: 1,
                    statement_timeout: None,
                    ..settings.pool()
                },
            )
            .await
            .context("connecting to the database")?;
            match action {
                MigrateAction::Up => {
                    let applied = persistence::migrate(&db.connection).await?;
                    let database = persistence::describe_database(&settings.database_url);
                    if applied.is_empty() {
                        println!("{database}: up to date, no migration pending");
                    }
                    for name in applied {
                        println!("{database}: applied {name}");
                    }
                }
                MigrateAction::Status => {
                    for (name, applied) in persistence::migration_status(&db.connection).await? {
                        println!("{} {name}", if applied { "applied" } else { "pending" });
                    }
                }
            }
            Ok(())
        }
        Command::Admin {
            action:
                AdminAction::Create {
                    email,
                    display_name,
                },
        } => {
            let settings = Settings::from_env()?;
            refuse_new_sqlite_file(&settings.database_url)?;
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            let password = line.trim_end_matches(['\r', '\n']);
            let email = Email::parse("email", &email).map_err(|e| anyhow::anyhow!("{e}"))?;
            let display_name = DisplayName::parse("display_name", &display_name)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let password = Password::parse("password", password)
                .map_err(|e| anyhow::anyhow!("{e}: passwords need at least 10 characters"))?;
            let state = crate::startup::build_state(&settings).await?;
            let password_hash = crate::auth::hash_password(password).await?;
            let members: &dyn MemberRepository = state.members.as_ref();
            match members
                .create(NewMember {
                    email: email.clone(),
                    display_name,
                    password_hash,
                    role: Role::Admin,
                })
                .await
            {
                Ok(member) => {
                    println!("admin {} created with id {}", email.as_str(), member.id);
                    Ok(())
                }
                Err(WriteError::Duplicate) => {
                    bail!("an account with {} already exists", email.as_str())
                }
                Err(other) => Err(other.into()),
            }
        }
    }
}

/// `admin create` works on the service's own database: a SQLite file that is
/// not there yet means it was run in the wrong folder (or with another
/// `DATABASE_URL`), and making a new, empty database for the admin would leave
/// the service without them.
fn refuse_new_sqlite_file(database_url: &str) -> anyhow::Result<()> {
    match persistence::file_lock::sqlite_file(database_url) {
        Some(file) if !file.exists() => bail!(
            "there is no database at {}: run this in the folder where `innovation-hub serve` runs \
             (it creates and migrates the database), or set DATABASE_URL to the service's database",
            std::path::absolute(&file).unwrap_or(file).display()
        ),
        _ => Ok(()),
    }
}
