//! Sends notification mails from the outbox in the background: events become
//! planned mails (once each, whatever the number of replicas), and planned
//! mails are leased, sent through SMTP and retried with backoff. No request
//! waits for mail, and pending mail survives a restart in the database.

pub mod compose;

use crate::config::MailSettings;
use anyhow::Context;
use chrono::Utc;
use compose::{MailFacts, compose};
use domain::notification::{LeasedMail, MailOutcome, TOKEN_LIFETIME, UnsubscribeKey};
use domain::repository::MailRepository;
use domain::webhook::{LEASE, is_loopback};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Mails leased per round.
const BATCH: u64 = 20;
/// Rounds per tick, so one tick cannot go on for ever.
const ROUNDS: usize = 50;
/// Events older than this when first planned are not mailed (e.g. after
/// mail was off for a while): stale news is worse than none.
const STALE_AFTER: chrono::Duration = chrono::Duration::hours(24);

/// The path of the one-click unsubscribe endpoint.
pub const UNSUBSCRIBE_PATH: &str = "/api/v1/unsubscribe";

/// Builds and sends mails through one SMTP server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
    key: UnsubscribeKey,
}

/// `smtp://` means STARTTLS, required, except on loopback where it is plain
/// (a local relay or a test sink); `?tls=` in the URL says otherwise.
fn transport_url(raw: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(raw).context("HUB_SMTP_URL is not a URL")?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => is_loopback(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_loopback(IpAddr::V6(ip)),
        // smtp: is not a special scheme, so an address comes back as a name.
        Some(url::Host::Domain(name)) => match name.trim_matches(['[', ']']).parse::<IpAddr>() {
            Ok(ip) => is_loopback(ip),
            Err(_) => name.eq_ignore_ascii_case("localhost"),
        },
        None => anyhow::bail!("HUB_SMTP_URL names no host"),
    };
    let tls_named = url.query_pairs().any(|(k, _)| k == "tls");
    if url.scheme() == "smtp" && !loopback && !tls_named {
        url.query_pairs_mut().append_pair("tls", "required");
    }
    Ok(url.into())
}

impl Mailer {
    pub fn new(
        settings: &MailSettings,
        public_url: &str,
        key: UnsubscribeKey,
    ) -> anyhow::Result<Self> {
        crate::startup::install_tls_provider();
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(&transport_url(&settings.smtp_url)?)
                .context("HUB_SMTP_URL is not a usable SMTP address")?
                .timeout(Some(Duration::from_secs(20)))
                .build();
        let from = settings.from.parse().context(
            "HUB_MAIL_FROM must be an address such as 'Innovation hub <hub@example.org>'",
        )?;
        Ok(Self {
            transport,
            from,
            public_url: public_url.to_owned(),
            key,
        })
    }

    /// The message for a leased mail, or why none can be made.
    pub fn message(&self, mail: &LeasedMail, email: &str) -> Result<Message, String> {
        let to: Mailbox = email
            .parse()
            .map_err(|e| format!("the address cannot be mailed: {e}"))?;
        let link = mail
            .submission_id
            .map(|id| format!("{}/api/v1/submissions/{id}", self.public_url))
            .unwrap_or_else(|| self.public_url.clone());
        let unsubscribe = match (mail.kind.category(), mail.recipient) {
            (Some(category), Some(member)) => Some(format!(
                "{}{UNSUBSCRIBE_PATH}?token={}",
                self.public_url,
                self.key.sign(member, category, Utc::now() + TOKEN_LIFETIME)
            )),
            _ => None,
        };
        let composed = compose(
            mail.kind,
            &MailFacts {
                title: mail.title.as_deref().unwrap_or("your work"),
                link: &link,
                comments: &mail.comments,
                unsubscribe: unsubscribe.as_deref(),
            },
        );
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(composed.subject);
        if let Some(unsubscribe) = unsubscribe {
            builder = builder
                .header(ListUnsubscribe(format!("<{unsubscribe}>")))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                composed.text,
                composed.html,
            ))
            .map_err(|e| format!("the message could not be built: {e}"))
    }

    async fn send(&self, mail: &LeasedMail) -> MailOutcome {
        if let Some(why) = mail.no_longer_wanted() {
            return MailOutcome::Skipped(why.to_owned());
        }
        let Some(email) = mail.email.as_deref() else {
            return MailOutcome::Skipped("no address".into());
        };
        let message = match self.message(mail, email) {
            Ok(message) => message,
            Err(why) => return MailOutcome::Skipped(why),
        };
        match self.transport.send(message).await {
            Ok(_) => MailOutcome::Sent,
            Err(error) => MailOutcome::Failed(error.to_string()),
        }
    }
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// Plans and sends every `every`, in the background.
pub fn start_sender(mail: Arc<dyn MailRepository>, mailer: Arc<Mailer>, every: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            send_once(mail.as_ref(), &mailer).await;
        }
    });
}

/// Plans mails for new events, then sends due mails until none is left.
pub async fn send_once(mail: &dyn MailRepository, mailer: &Mailer) {
    let now = Utc::now();
    if let Err(error) = mail.plan(now, now - STALE_AFTER, 500).await {
        tracing::warn!(error = %error, "planning mail failed; will retry");
    }
    for _ in 0..ROUNDS {
        let due = match mail.lease_due(Utc::now(), LEASE, BATCH).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(error = %error, "leasing due mail failed");
                return;
            }
        };
        if due.is_empty() {
            return;
        }
        for leased in due {
            let outcome = mailer.send(&leased).await;
            match &outcome {
                MailOutcome::Failed(error) => {
                    tracing::warn!(mail = %leased.id, kind = %leased.kind, %error, "mail attempt failed; will retry");
                }
                other => {
                    tracing::info!(mail = %leased.id, kind = %leased.kind, outcome = outcome_name(other), "mail attempt");
                }
            }
            match mail
                .record_attempt(leased.lease, leased.id, outcome, Utc::now())
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(mail = %leased.id, "mail lease lapsed before the attempt was recorded");
                }
                Err(error) => tracing::warn!(error = %error, "mail attempt not recorded"),
            }
        }
    }
}

/// The outcome for the log, without the address or the server's words.
fn outcome_name(outcome: &MailOutcome) -> &'static str {
    match outcome {
        MailOutcome::Sent => "sent",
        MailOutcome::Skipped(_) => "skipped",
        MailOutcome::Failed(_) => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_off_loopback_requires_starttls() {
        let url = transport_url("smtp://user:p%40ss@mail.example.org:587").unwrap_or_default();
        assert!(url.ends_with("?tls=required"), "{url}");
        assert_eq!(
            transport_url("smtp://127.0.0.1:2525").unwrap_or_default(),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            transport_url("smtps://mail.example.org").unwrap_or_default(),
            "smtps://mail.example.org"
        );
        assert!(transport_url("smtp://").is_err());
    }
}
