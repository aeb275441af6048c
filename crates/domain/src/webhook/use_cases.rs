//! Registering webhooks and reading their deliveries: admins only.

use super::{Delivery, EventTypes, LoopbackUrls, Webhook, WebhookUrl};
use crate::actor::Context;
use crate::repository::{StorageError, WebhookRepository, WriteError};
use crate::validation::ValidationErrors;
use std::sync::Arc;
use uuid::Uuid;

/// The webhook use cases, over their repository.
#[derive(Clone)]
pub struct WebhookService {
    webhooks: Arc<dyn WebhookRepository>,
    loopback: LoopbackUrls,
}

/// A webhook as asked for, before any part is checked.
#[derive(Debug, Clone)]
pub struct NewWebhookRequest {
    pub url: String,
    pub event_types: Vec<String>,
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
    pub fn new(webhooks: Arc<dyn WebhookRepository>, loopback: LoopbackUrls) -> Self {
        Self { webhooks, loopback }
    }

    fn admin_only(ctx: &Context) -> Result<(), WebhookError> {
        if ctx.actor.role.is_admin() {
            Ok(())
        } else {
            Err(WebhookError::NotAdmin)
        }
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
        let url = errors.collect(WebhookUrl::parse("url", &request.url, self.loopback));
        let event_types = errors.collect(EventTypes::parse("event_types", &request.event_types));
        let (Some(url), Some(event_types)) = (url, event_types) else {
            return Err(WebhookError::Invalid(errors));
        };
        let secret = hex::encode(random);
        let webhook = self
            .webhooks
            .create(url.as_str(), event_types.as_slice(), &secret, ctx.actor.id)
            .await?;
        Ok((webhook, secret))
    }

    /// Every webhook, newest first.
    pub async fn list(&self, ctx: &Context) -> Result<Vec<Webhook>, WebhookError> {
        Self::admin_only(ctx)?;
        Ok(self.webhooks.list().await?)
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
            _: MemberId,
        ) -> Result<Webhook, WriteError> {
            let webhook = Webhook {
                id: Uuid::now_v7(),
                url: url.to_owned(),
                event_types: event_types.to_vec(),
                secret: secret.to_owned(),
                created_at: Utc::now(),
            };
            self.0.lock().unwrap().push(webhook.clone());
            Ok(webhook)
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
        let service =
            WebhookService::new(Arc::new(MemoryWebhooks::default()), LoopbackUrls::Refused);
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
        let service =
            WebhookService::new(Arc::new(MemoryWebhooks::default()), LoopbackUrls::Refused);
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
        let service =
            WebhookService::new(Arc::new(MemoryWebhooks::default()), LoopbackUrls::Refused);

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
}
