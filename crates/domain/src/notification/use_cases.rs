//! Members choose which mails they get, in the API or from a link in a mail.

use super::{Category, Preferences, TokenError, UnsubscribeKey};
use crate::actor::Context;
use crate::ids::MemberId;
use crate::repository::{NotificationRepository, StorageError, WriteError};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Why an unsubscribe link did not work.
#[derive(Debug, thiserror::Error)]
pub enum UnsubscribeError {
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The member the link names has erased their account.
    #[error("the unsubscribe link is not valid")]
    Gone,
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What a working link turned off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscribed {
    pub member: MemberId,
    pub category: Category,
}

#[derive(Clone)]
pub struct NotificationService {
    preferences: Arc<dyn NotificationRepository>,
    key: UnsubscribeKey,
}

impl NotificationService {
    pub fn new(preferences: Arc<dyn NotificationRepository>, key: UnsubscribeKey) -> Self {
        Self { preferences, key }
    }

    pub fn key(&self) -> &UnsubscribeKey {
        &self.key
    }

    /// The caller's mail choices.
    pub async fn preferences(&self, ctx: &Context) -> Result<Preferences, StorageError> {
        self.preferences.preferences(ctx.actor.id).await
    }

    /// Replaces the caller's mail choices.
    pub async fn set_preferences(
        &self,
        ctx: &Context,
        preferences: Preferences,
    ) -> Result<Preferences, WriteError> {
        self.preferences
            .set_preferences(ctx.actor.id, preferences, ctx.now)
            .await?;
        Ok(preferences)
    }

    /// Checks a link's token without changing anything.
    pub fn check(&self, token: &str, now: DateTime<Utc>) -> Result<Unsubscribed, TokenError> {
        let (member, category) = self.key.verify(token, now)?;
        Ok(Unsubscribed { member, category })
    }

    /// Turns off the category a link names (RFC 8058 one-click): no sign-in,
    /// the signed token is the authority. Doing it twice changes nothing more.
    pub async fn unsubscribe(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Unsubscribed, UnsubscribeError> {
        let done = self.check(token, now)?;
        let current = self.preferences.preferences(done.member).await?;
        match self
            .preferences
            .set_preferences(done.member, current.without(done.category), now)
            .await
        {
            Ok(()) => Ok(done),
            Err(WriteError::NotFound) => Err(UnsubscribeError::Gone),
            Err(error) => Err(error.into()),
        }
    }
}
