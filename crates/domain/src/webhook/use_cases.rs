//! Registering, changing and removing webhooks and reading their
//! deliveries: admins only. Admins share the webhooks: any admin may manage
//! any of them, as any admin sees all of them. Every change is audited in the
//! transaction that makes it.

use super::{
    Delivery, EventTypes, HostResolver, LoopbackUrls, Target, Webhook, WebhookChange, WebhookUrl,
    address_allowed,
};
use crate::actor::Context;
use crate::audit::AuditEntry;
use crate::repository::{StorageError, WebhookRepository, WriteError};
use crate::validation::ValidationErrors;
use std::sync::Arc;
use uuid::Uuid;

/// The webhook use cases, over their repository.
#[derive(Clone)]
pub struct WebhookService {
    webhooks: Arc<dyn WebhookRepository>,
    resolver: Arc<dyn HostResolver>,
    loopback: LoopbackUrls,
}

/// A webhook as asked for, before any part is checked.
#[derive(Debug, Clone)]
pub struct NewWebhookRequest {
    pub url: String,
    pub event_types: Vec<String>,
}

/// A change as asked for: each part present is applied.
#[derive(Debug, Clone, Default)]
pub struct WebhookUpdate {
    pub active: Option<bool>,
    pub event_types: Option<Vec<String>>,
}

/// Why a webhook use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("only admins may do this")]
    NotAdmin,
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error("no webhook with this id")]
    NotFound,
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl WebhookService {
    pub fn new(
        webhooks: Arc<dyn WebhookRepository>,
        resolver: Arc<dyn HostResolver>,
        loopback: LoopbackUrls,
    ) -> Self {
        Self {
            webhooks,
            resolver,
            loopback,
        }
    }

    fn admin_only(ctx: &Context) -> Result<(), WebhookError> {
        if ctx.actor.role.is_admin() {
            Ok(())
        } else {
            Err(WebhookError::NotAdmin)
        }
    }

    fn audit(ctx: &Context, action: &str) -> AuditEntry {
        AuditEntry::new(action, Some(ctx.actor.id)).request(ctx.request_id.clone())
    }

    /// Checks a URL as written and, for a name, every address it resolves to
    /// now. (Delivery checks again: a name may resolve elsewhere later.)
    pub async fn check_url(&self, field: &str, raw: &str) -> Result<WebhookUrl, ValidationErrors> {
        let url = WebhookUrl::parse(field, raw, self.loopback)?;
        if let Target::Name { host, port } = url.target() {
            let addresses = self.resolver.resolve(host, *port).await;
            if addresses.is_empty() {
                return Err(ValidationErrors::single(
                    field,
                    "unresolvable_host",
                    "the host name does not resolve to any address",
                ));
            }
            if !addresses
                .iter()
                .all(|ip| address_allowed(*ip, self.loopback))
            {
                return Err(ValidationErrors::single(
                    field,
                    "address_not_allowed",
                    "the host name resolves to a private, loopback, link-local or otherwise non-public address",
                ));
            }
        }
        Ok(url)
    }

    /// Registers a webhook; `random` makes its signing secret, returned
    /// beside it so it can be shown once.
    pub async fn create(
        &self,
        ctx: &Context,
        request: &NewWebhookRequest,
        random: [u8; 32],
    ) -> Result<(Webhook, String), WebhookError> {
        Self::admin_only(ctx)?;
        let mut errors = ValidationErrors::new();
        let event_types = errors.collect(EventTypes::parse("event_types", &request.event_types));
        let url = errors.collect(self.check_url("url", &request.url).await);
        let (Some(url), Some(event_types)) = (url, event_types) else {
            return Err(WebhookError::Invalid(errors));
        };
        let secret = hex::encode(random);
        let audit = Self::audit(ctx, "webhook_created")
            .details(serde_json::json!({"event_types": event_types.as_slice()}));
        let webhook = self
            .webhooks
            .create(
                url.as_str(),
                event_types.as_slice(),
                &secret,
                ctx.actor.id,
                &audit,
            )
            .await?;
        Ok((webhook, secret))
    }

    /// Every webhook, newest first.
    pub async fn list(&self, ctx: &Context) -> Result<Vec<Webhook>, WebhookError> {
        Self::admin_only(ctx)?;
        Ok(self.webhooks.list().await?)
    }

    /// Enables or disables a webhook, or changes the events it wants.
    pub async fn change(
        &self,
        ctx: &Context,
        id: Uuid,
        update: &WebhookUpdate,
    ) -> Result<Webhook, WebhookError> {
        Self::admin_only(ctx)?;
        let event_types = match &update.event_types {
            Some(raw) => {
                Some(EventTypes::parse("event_types", raw).map_err(WebhookError::Invalid)?)
            }
            None => None,
        };
        let audit = Self::audit(ctx, "webhook_changed")
            .target("webhook", id)
            .details(serde_json::json!({
                "active": update.active,
                "event_types": event_types.as_ref().map(EventTypes::as_slice),
            }));
        let change = WebhookChange {
            active: update.active,
            event_types,
            secret: None,
        };
        self.webhooks
            .change(id, &change, &audit)
            .await?
            .ok_or(WebhookError::NotFound)
    }

    /// Replaces a webhook's signing secret; the new one is returned to be shown once.
    pub async fn rotate_secret(
        &self,
        ctx: &Context,
        id: Uuid,
        random: [u8; 32],
    ) -> Result<(Webhook, String), WebhookError> {
        Self::admin_only(ctx)?;
        let secret = hex::encode(random);
        let audit = Self::audit(ctx, "webhook_secret_rotated").target("webhook", id);
        let change = WebhookChange {
            secret: Some(secret.clone()),
            ..WebhookChange::default()
        };
        let webhook = self
            .webhooks
            .change(id, &change, &audit)
            .await?
            .ok_or(WebhookError::NotFound)?;
        Ok((webhook, secret))
    }

    /// Removes a webhook and its deliveries.
    pub async fn delete(&self, ctx: &Context, id: Uuid) -> Result<(), WebhookError> {
        Self::admin_only(ctx)?;
        let audit = Self::audit(ctx, "webhook_deleted").target("webhook", id);
        if self.webhooks.delete(id, &audit).await? {
            Ok(())
        } else {
            Err(WebhookError::NotFound)
        }
    }

    /// One webhook's deliveries, oldest event first.
    pub async fn deliveries(&self, ctx: &Context, id: Uuid) -> Result<Vec<Delivery>, WebhookError> {
        Self::admin_only(ctx)?;
        self.webhooks
            .deliveries(id)
            .await?
            .ok_or(WebhookError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Actor;
    use crate::ids::MemberId;
    use crate::member::Role;
    use crate::webhook::LeasedDelivery;
    use async_trait::async_trait;
    use chrono::{DateTime, Utc};
    use std::sync::Mutex;

    #[derive(Default)]
    struct MemoryWebhooks(Mutex<Vec<Webhook>>);

    #[async_trait]
    impl WebhookRepository for MemoryWebhooks {
        async fn create(
            &self,
            url: &str,
            event_types: &[String],
            secret: &str,
            by: MemberId,
            _: &AuditEntry,
        ) -> Result<Webhook, WriteError> {
            let webhook = Webhook {
                id: Uuid::now_v7(),
                url: url.to_owned(),
                event_types: event_types.to_vec(),
                secret: secret.to_owned(),
                active: true,
                owner: Some(by),
                created_at: Utc::now(),
            };
            self.0.lock().unwrap().push(webhook.clone());
            Ok(webhook)
        }

        async fn change(
            &self,
            id: Uuid,
            change: &WebhookChange,
            _: &AuditEntry,
        ) -> Result<Option<Webhook>, WriteError> {
            let mut all = self.0.lock().unwrap();
            let Some(webhook) = all.iter_mut().find(|w| w.id == id) else {
                return Ok(None);
            };
            if let Some(active) = change.active {
                webhook.active = active;
            }
            if let Some(types) = &change.event_types {
                webhook.event_types = types.as_slice().to_vec();
            }
            if let Some(secret) = &change.secret {
                webhook.secret.clone_from(secret);
            }
            Ok(Some(webhook.clone()))
        }

        async fn delete(&self, id: Uuid, _: &AuditEntry) -> Result<bool, WriteError> {
            let mut all = self.0.lock().unwrap();
            let before = all.len();
            all.retain(|w| w.id != id);
            Ok(all.len() < before)
        }

        async fn list(&self) -> Result<Vec<Webhook>, StorageError> {
            Ok(self.0.lock().unwrap().clone())
        }

        async fn deliveries(&self, webhook: Uuid) -> Result<Option<Vec<Delivery>>, StorageError> {
            let known = self.0.lock().unwrap().iter().any(|w| w.id == webhook);
            Ok(known.then(Vec::new))
        }

        async fn fan_out(&self, _: DateTime<Utc>, _: u64) -> Result<u64, StorageError> {
            Ok(0)
        }

        async fn lease_due(
            &self,
            _: DateTime<Utc>,
            _: chrono::Duration,
            _: u64,
        ) -> Result<Vec<LeasedDelivery>, StorageError> {
            Ok(Vec::new())
        }

        async fn record_attempt(
            &self,
            _: Uuid,
            _: Uuid,
            _: Option<i32>,
            _: Option<String>,
            _: bool,
            _: DateTime<Utc>,
        ) -> Result<bool, StorageError> {
            Ok(false)
        }
    }

    /// Resolves `public.example` to a documentation-free public address and
    /// `inside.example` to a private one; nothing else.
    struct FixedResolver;

    #[async_trait]
    impl HostResolver for FixedResolver {
        async fn resolve(&self, host: &str, _: u16) -> Vec<std::net::IpAddr> {
            match host {
                "example.org" | "public.example" => vec!["93.184.215.14".parse().unwrap()],
                "inside.example" => vec![
                    "93.184.215.14".parse().unwrap(),
                    "10.0.0.7".parse().unwrap(),
                ],
                "rebound.example" => vec!["::ffff:169.254.169.254".parse().unwrap()],
                _ => Vec::new(),
            }
        }
    }

    fn service() -> WebhookService {
        WebhookService::new(
            Arc::new(MemoryWebhooks::default()),
            Arc::new(FixedResolver),
            LoopbackUrls::Refused,
        )
    }

    fn ctx(role: Role) -> Context {
        Context::new(Actor::new(MemberId::generate(), role), None)
    }

    fn request(url: &str, events: &[&str]) -> NewWebhookRequest {
        NewWebhookRequest {
            url: url.into(),
            event_types: events.iter().map(|e| (*e).to_owned()).collect(),
        }
    }

    #[tokio::test]
    async fn only_admins_register_list_and_read_deliveries() {
        let service = service();
        let reviewer = ctx(Role::Reviewer);
        let hook = request("https://example.org/h", &["*"]);

        assert!(matches!(
            service.create(&reviewer, &hook, [0; 32]).await,
            Err(WebhookError::NotAdmin)
        ));
        assert!(matches!(
            service.list(&reviewer).await,
            Err(WebhookError::NotAdmin)
        ));
        assert!(matches!(
            service.deliveries(&reviewer, Uuid::now_v7()).await,
            Err(WebhookError::NotAdmin)
        ));
    }

    #[tokio::test]
    async fn a_registered_webhook_keeps_its_secret_and_unknown_ones_have_no_deliveries() {
        let service = service();
        let admin = ctx(Role::Admin);

        let (webhook, secret) = service
            .create(
                &admin,
                &request("https://example.org/h", &["submission.published"]),
                [7; 32],
            )
            .await
            .unwrap();

        assert_eq!(secret, hex::encode([7; 32]));
        assert_eq!(webhook.secret, secret);
        assert_eq!(service.list(&admin).await.unwrap(), vec![webhook.clone()]);
        assert!(
            service
                .deliveries(&admin, webhook.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            service.deliveries(&admin, Uuid::now_v7()).await,
            Err(WebhookError::NotFound)
        ));
    }

    #[tokio::test]
    async fn an_invalid_webhook_names_every_bad_field() {
        let service = service();

        let refused = service
            .create(
                &ctx(Role::Admin),
                &request("ftp://x", &["everything"]),
                [0; 32],
            )
            .await;

        let Err(WebhookError::Invalid(errors)) = refused else {
            panic!("accepted");
        };
        assert_eq!(errors.errors().len(), 2);
    }

    #[tokio::test]
    async fn a_name_is_refused_when_any_address_it_resolves_to_is_not_public() {
        let service = service();
        let admin = ctx(Role::Admin);

        for (url, code) in [
            ("https://inside.example/h", "address_not_allowed"),
            ("https://rebound.example/h", "address_not_allowed"),
            ("https://nowhere.example/h", "unresolvable_host"),
        ] {
            let refused = service.create(&admin, &request(url, &["*"]), [0; 32]).await;
            let Err(WebhookError::Invalid(errors)) = refused else {
                panic!("accepted {url}");
            };
            assert_eq!(errors.errors()[0].field, "url");
            assert_eq!(errors.errors()[0].code, code, "{url}");
        }
        assert!(
            service
                .create(
                    &admin,
                    &request("https://public.example/h", &["*"]),
                    [0; 32]
                )
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn a_webhook_is_changed_rotated_and_deleted_and_unknown_ones_are_not_found() {
        let service = service();
        let admin = ctx(Role::Admin);
        let (webhook, secret) = service
            .create(&admin, &request("https://example.org/h", &["*"]), [1; 32])
            .await
            .unwrap();

        let disabled = service
            .change(
                &admin,
                webhook.id,
                &WebhookUpdate {
                    active: Some(false),
                    event_types: Some(vec!["submission.published".into()]),
                },
            )
            .await
            .unwrap();
        let bad = service
            .change(
                &admin,
                webhook.id,
                &WebhookUpdate {
                    active: None,
                    event_types: Some(vec!["submission.Nope".into()]),
                },
            )
            .await;
        let (_, rotated) = service
            .rotate_secret(&admin, webhook.id, [2; 32])
            .await
            .unwrap();
        let as_reviewer = service.delete(&ctx(Role::Reviewer), webhook.id).await;
        service.delete(&admin, webhook.id).await.unwrap();
        let again = service.delete(&admin, webhook.id).await;

        assert!(!disabled.active);
        assert_eq!(disabled.event_types, vec!["submission.published"]);
        let Err(WebhookError::Invalid(errors)) = bad else {
            panic!("accepted an unknown event type");
        };
        assert_eq!(errors.errors()[0].field, "event_types[0]");
        assert_ne!(rotated, secret);
        assert!(matches!(as_reviewer, Err(WebhookError::NotAdmin)));
        assert!(matches!(again, Err(WebhookError::NotFound)));
        assert!(matches!(
            service.rotate_secret(&admin, webhook.id, [3; 32]).await,
            Err(WebhookError::NotFound)
        ));
    }
}
