use chrono::{DateTime, Utc};
use domain::access_token::AccessToken;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A new personal access token for a third-party client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Trust audit script", "scopes": ["submissions:read", "submissions:write"], "expires_in_days": 90}))]
pub struct CreateTokenRequest {
    /// What the token is for, 1–100 characters.
    pub name: String,
    /// Any of `submissions:read`, `submissions:write` and (admins only) `reports:read`.
    pub scopes: Vec<String>,
    /// Days until the token stops working, 1–366; 90 when left out.
    pub expires_in_days: Option<i64>,
}

/// A personal access token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5b0-7c1e-7d3a-9f2e-3b4c5d6e7f80", "name": "Trust audit script",
    "scopes": ["submissions:read", "submissions:write"], "created_at": "2025-07-01T09:30:00Z",
    "last_used_at": null, "expires_at": "2025-09-29T09:30:00Z", "revoked_at": null
}))]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    /// Accurate to about a minute.
    #[serde(serialize_with = "domain::timestamp::serialize_option")]
    pub last_used_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub expires_at: DateTime<Utc>,
    /// Set once the token is revoked; a revoked token is refused at once.
    #[serde(serialize_with = "domain::timestamp::serialize_option")]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<AccessToken> for TokenView {
    fn from(token: AccessToken) -> Self {
        Self {
            id: token.id,
            name: token.name,
            scopes: token.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: token.created_at,
            last_used_at: token.last_used_at,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
        }
    }
}

/// A new token, with the secret shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5b0-7c1e-7d3a-9f2e-3b4c5d6e7f80", "name": "Trust audit script",
    "scopes": ["submissions:read"], "created_at": "2025-07-01T09:30:00Z",
    "last_used_at": null, "expires_at": "2025-09-29T09:30:00Z", "revoked_at": null,
    "secret": "hub_pat_3f1c9a…"
}))]
pub struct CreatedTokenView {
    #[serde(flatten)]
    pub token: TokenView,
    /// Send as `Authorization: Bearer <secret>`. Only a hash is kept: it cannot be shown again.
    pub secret: String,
}

/// The caller's tokens, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenView>,
}
