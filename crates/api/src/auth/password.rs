use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::member::Password;
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// Hashes run at most one per core at a time. Each takes 19 MiB and tens of
/// milliseconds of one core, so more at once would not finish sooner: under a
/// burst of logins they would only hold more memory and more threads.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
});

/// Runs `work` on the blocking pool once a hashing slot is free.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _slot = HASHING.acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// Hashes with argon2id off the request threads.
pub async fn hash_password(password: Password) -> anyhow::Result<String> {
    hashing(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

/// A hash of a password nobody has, checked when an email is unknown so that
/// login takes as long whether or not the account exists.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4y2MrbnEUAoY1RxMukxs2+bQvuyj0sXeaq1Q4BJfRhM";

/// Checks a password against a stored hash (or the decoy when there is none).
pub async fn verify_password(candidate: String, stored: Option<String>) -> bool {
    let known = stored.is_some();
    let hash = stored.unwrap_or_else(|| DECOY_HASH.to_owned());
    let matched = hashing(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(candidate.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    known && matched
}

/// The domain's password port, over the functions above.
pub struct Argon2Hasher;

#[async_trait::async_trait]
impl domain::member::PasswordHasher for Argon2Hasher {
    async fn verify(&self, candidate: String, stored: Option<String>) -> bool {
        verify_password(candidate, stored).await
    }

    async fn hash(&self, password: Password) -> Result<String, domain::repository::StorageError> {
        hash_password(password)
            .await
            .map_err(|e| domain::repository::StorageError(e.into()))
    }
}
