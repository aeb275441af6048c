//! Appending to the audit log after an action, and reading it back.

use super::{AuditEntry, AuditFilter};
use crate::actor::Context;
use crate::ids::MemberId;
use crate::pagination::{Page, PageSize};
use crate::repository::{AuditRepository, StorageError};
use crate::validation::ValidationErrors;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use uuid::Uuid;

/// The most of a member's own actions an export holds (a page more at most).
pub const MAX_EXPORTED_ACTIVITY: usize = 10_000;
/// The longest action name a filter may give; a longer one is refused.
pub const MAX_ACTION_CHARS: usize = 100;

/// The audit log's use cases, over its repository.
#[derive(Clone)]
pub struct AuditLog {
    entries: Arc<dyn AuditRepository>,
}

/// A listing of the audit log as a client wrote it; [`AuditQuery::parse`]
/// checks every part.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Which entries to list, after which one, and how many.
#[derive(Debug, Clone, Default)]
pub struct AuditListing {
    pub filter: AuditFilter,
    pub after: Option<Uuid>,
    pub size: PageSize,
}

/// Why the audit log was not listed.
#[derive(Debug, thiserror::Error)]
pub enum ListAuditError {
    #[error("only admins may do this")]
    NotAdmin,
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn parse_part<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<&str>,
    message: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let value = value?;
    let parsed = parse(value);
    if parsed.is_none() {
        errors.add(field, "invalid_value", message);
    }
    parsed
}

fn instant(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn uuid(raw: &str) -> Option<Uuid> {
    Uuid::parse_str(raw).ok()
}

impl AuditQuery {
    /// The listing asked for, or every part that is not valid.
    pub fn parse(&self) -> Result<AuditListing, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let uuid_message = "must be a UUID";
        let time_message = "must be an RFC 3339 time";
        let filter = AuditFilter {
            action: parse_part(
                &mut e,
                "action",
                self.action.as_deref(),
                "must be an action name of at most 100 characters",
                |a| (a.chars().count() <= MAX_ACTION_CHARS).then(|| a.to_owned()),
            ),
            actor_id: parse_part(
                &mut e,
                "actor_id",
                self.actor_id.as_deref(),
                uuid_message,
                uuid,
            )
            .map(MemberId),
            target_id: parse_part(
                &mut e,
                "target_id",
                self.target_id.as_deref(),
                uuid_message,
                uuid,
            ),
            from: parse_part(&mut e, "from", self.from.as_deref(), time_message, instant),
            to: parse_part(&mut e, "to", self.to.as_deref(), time_message, instant),
        };
        let size = parse_part(
            &mut e,
            "limit",
            self.limit.as_deref(),
            "must be a whole number from 1 to 100",
            |v| v.parse::<u64>().ok().and_then(|n| PageSize::new(Some(n))),
        );
        let after = parse_part(
            &mut e,
            "cursor",
            self.cursor.as_deref(),
            "is not a cursor this service gave out",
            uuid,
        );
        e.into_result()?;
        Ok(AuditListing {
            filter,
            after,
            size: size.unwrap_or_default(),
        })
    }
}

impl AuditLog {
    pub fn new(entries: Arc<dyn AuditRepository>) -> Self {
        Self { entries }
    }

    /// Appends an entry. The action has already happened, so a failure here
    /// is logged rather than undoing it.
    pub async fn record(&self, entry: AuditEntry) {
        let action = entry.action.clone();
        if let Err(error) = self.entries.record(entry).await {
            tracing::error!(%action, error = %error, "audit entry not written");
        }
    }

    /// One page of the log, newest first (admins only).
    pub async fn list(
        &self,
        ctx: &Context,
        query: &AuditQuery,
    ) -> Result<Page<AuditEntry>, ListAuditError> {
        if !ctx.actor.role.is_admin() {
            return Err(ListAuditError::NotAdmin);
        }
        let listing = query.parse().map_err(ListAuditError::Invalid)?;
        Ok(self
            .entries
            .list(&listing.filter, listing.after, listing.size)
            .await?)
    }

    /// A member's own actions, newest first, up to about [`MAX_EXPORTED_ACTIVITY`].
    pub async fn activity_of(&self, member: MemberId) -> Result<Vec<AuditEntry>, StorageError> {
        let filter = AuditFilter {
            actor_id: Some(member),
            ..Default::default()
        };
        let size = PageSize::new(Some(PageSize::MAX)).unwrap_or_default();
        let mut activity = Vec::new();
        let mut after = None;
        loop {
            let page = self.entries.list(&filter, after, size).await?;
            after = page.items.last().map(|e| e.id);
            activity.extend(page.items);
            if page.next_cursor.is_none() || activity.len() >= MAX_EXPORTED_ACTIVITY {
                return Ok(activity);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Actor;
    use crate::audit::fakes::MemoryAudit;
    use crate::member::Role;

    fn ctx(role: Role) -> Context {
        Context::new(Actor::new(MemberId::generate(), role), None)
    }

    #[tokio::test]
    async fn only_admins_list_the_log_and_bad_filters_are_named() {
        let log = AuditLog::new(Arc::new(MemoryAudit::default()));
        let bad = AuditQuery {
            actor_id: Some("nobody".into()),
            limit: Some("500".into()),
            ..Default::default()
        };

        let as_member = log.list(&ctx(Role::Reviewer), &bad).await;
        let as_admin = log.list(&ctx(Role::Admin), &bad).await;

        assert!(matches!(as_member, Err(ListAuditError::NotAdmin)));
        let Err(ListAuditError::Invalid(errors)) = as_admin else {
            panic!("accepted {as_admin:?}");
        };
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["actor_id", "limit"]);
    }

    #[test]
    fn a_query_parses_into_a_filter_and_overlong_actions_are_refused() {
        let overlong = AuditQuery {
            action: Some("x".repeat(101)),
            ..Default::default()
        }
        .parse();
        let fields: Vec<String> = overlong
            .err()
            .map(|e| e.errors().iter().map(|f| f.field.clone()).collect())
            .unwrap_or_default();
        assert_eq!(fields, vec!["action"]);
        let listing = AuditQuery {
            action: Some("x".repeat(100)),
            from: Some("2026-01-01T00:00:00Z".into()),
            limit: Some("5".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();

        assert_eq!(listing.filter.action, Some("x".repeat(100)));
        assert_eq!(
            listing.filter.from,
            Some(instant("2026-01-01T00:00:00Z").unwrap())
        );
        assert_eq!(listing.size.get(), 5);
    }

    #[tokio::test]
    async fn a_members_activity_is_read_across_pages_and_only_theirs() {
        let audit = Arc::new(MemoryAudit::default());
        let log = AuditLog::new(audit.clone());
        let member = MemberId::generate();
        for _ in 0..250 {
            log.record(AuditEntry::new("login_succeeded", Some(member)))
                .await;
        }
        log.record(AuditEntry::new(
            "login_succeeded",
            Some(MemberId::generate()),
        ))
        .await;

        let activity = log.activity_of(member).await.unwrap();

        assert_eq!(activity.len(), 250);
        assert!(activity.iter().all(|e| e.actor_id == Some(member)));
    }
}
