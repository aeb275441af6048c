//! One owner per SQLite file: a service that keeps reads in memory must be
//! the only process writing the file, or another process's writes would
//! never reach its memory. Each process that opens the file holds an
//! advisory lock on `<file>.lock` for its lifetime: exclusive for a service
//! with the read cache on (its pid written in the lock file), shared for
//! every other use (a service with the cache off, `migrate`, `demo-data`).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// How a process uses the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileUse {
    /// The only process on the file (a service with the read cache on).
    Sole,
    /// One of several processes, none of which caches.
    Shared,
}

/// The lock, held until dropped (at process exit).
#[derive(Debug)]
pub struct FileOwnership {
    _file: File,
    pub lock_path: PathBuf,
}

/// Why the file could not be claimed.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error(
        "the SQLite file {database} is in use by {owner}, which keeps reads in memory (HUB_READ_CACHE=on) and must be its only user; stop it first, or run it with HUB_READ_CACHE=off to share the file (lock {lock})"
    )]
    OwnedBySole {
        database: String,
        owner: String,
        lock: String,
    },
    #[error(
        "the SQLite file {database} is in use by another process (such as a service with HUB_READ_CACHE=off, migrate or demo-data); a service that keeps reads in memory must be its only user: stop the other process, or set HUB_READ_CACHE=off (lock {lock})"
    )]
    InUse { database: String, lock: String },
    #[error("locking {lock}: {source}")]
    Io {
        lock: String,
        #[source]
        source: std::io::Error,
    },
}

/// The file a SQLite URL names, or `None` for PostgreSQL and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Claims the SQLite file at `url` for this process's lifetime; nothing to
/// claim (`Ok(None)`) on PostgreSQL.
pub fn claim_sqlite_file(url: &str, how: FileUse) -> Result<Option<FileOwnership>, ClaimError> {
    match sqlite_file(url) {
        Some(database) => claim_file(&database, how).map(Some),
        None => Ok(None),
    }
}

/// Claims `database` through `<database>.lock`.
pub fn claim_file(database: &Path, how: FileUse) -> Result<FileOwnership, ClaimError> {
    let mut lock_path = database.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let lock = lock_path.display().to_string();
    let io = |source| ClaimError::Io {
        lock: lock.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io)?;
    let locked = match how {
        FileUse::Sole => file.try_lock(),
        FileUse::Shared => file.try_lock_shared(),
    };
    match locked {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let database = database.display().to_string();
            let mut owner = String::new();
            let _unreadable = file.read_to_string(&mut owner);
            let owner = owner.trim();
            return Err(if owner.is_empty() {
                ClaimError::InUse { database, lock }
            } else {
                ClaimError::OwnedBySole {
                    database,
                    owner: owner.to_owned(),
                    lock,
                }
            });
        }
        Err(TryLockError::Error(error)) => return Err(io(error)),
    }
    // Only the sole owner says who it is; shared users leave the file empty
    // so a refusal never names a process that has gone.
    file.set_len(0).map_err(io)?;
    if how == FileUse::Sole {
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let owner = format!(
            "process {} ({})",
            std::process::id(),
            std::env::args().collect::<Vec<_>>().join(" ")
        );
        file.write_all(owner.as_bytes()).map_err(io)?;
        file.flush().map_err(io)?;
    }
    Ok(FileOwnership {
        _file: file,
        lock_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hub-lock-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("hub.db")
    }

    #[test]
    fn urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://data/hub.db?mode=rwc"),
            Some(PathBuf::from("data/hub.db"))
        );
        assert_eq!(sqlite_file("sqlite:hub.db"), Some(PathBuf::from("hub.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://db/hub"), None);
    }

    #[test]
    fn a_sole_owner_refuses_every_other_user_and_is_named() {
        let database = scratch();
        let owner = claim_file(&database, FileUse::Sole).unwrap();

        let second = claim_file(&database, FileUse::Sole)
            .unwrap_err()
            .to_string();
        let shared = claim_file(&database, FileUse::Shared)
            .unwrap_err()
            .to_string();

        for refusal in [&second, &shared] {
            assert!(
                refusal.contains(&database.display().to_string()),
                "{refusal}"
            );
            assert!(
                refusal.contains(&format!("process {}", std::process::id())),
                "{refusal}"
            );
        }
        drop(owner);
        assert!(
            claim_file(&database, FileUse::Sole).is_ok(),
            "free once dropped"
        );
    }

    #[test]
    fn shared_users_coexist_but_keep_a_sole_owner_out() {
        let database = scratch();
        let first = claim_file(&database, FileUse::Shared).unwrap();
        let second = claim_file(&database, FileUse::Shared).unwrap();

        let sole = claim_file(&database, FileUse::Sole).unwrap_err();

        assert!(matches!(sole, ClaimError::InUse { .. }), "{sole}");
        drop((first, second));
        assert!(claim_file(&database, FileUse::Sole).is_ok());
    }
}
