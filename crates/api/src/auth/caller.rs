use crate::auth::JwtKeys;
use crate::cache::ReadCache;
use crate::error::ApiError;
use crate::middleware::RequestId;
use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::{DateTime, Utc};
use domain::MemberId;
use domain::access_token::{Scope, Scopes, TokenSecret, use_audit, use_to_record};
use domain::actor::{Actor, Context};
use domain::limit::SessionSeen;
use domain::member::Role;
use domain::repository::{AccessTokenRepository, MemberRepository, SessionRepository};
use futures_util::future::LocalBoxFuture;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The authenticated member making the request, with their current role and
/// what the credential they sent allows.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub id: MemberId,
    pub role: Role,
    /// A session (JWT) holds every scope its role allows; a personal access
    /// token only those it was created with.
    pub scopes: Scopes,
    /// The personal access token used, if one was.
    pub token: Option<Uuid>,
    /// The sign-in session (the access token's `jti`), if a session token was used.
    pub session: Option<Uuid>,
}

/// When this replica last recorded each token's use with each scope, so that
/// most requests skip the shared record (which decides across replicas).
type RecentUses = Mutex<HashMap<(Uuid, Scope), DateTime<Utc>>>;

/// What recognising a caller needs: the session keys, members' stored roles
/// (through the read cache) and the personal access tokens.
#[derive(Clone)]
pub struct Authenticator {
    sessions: JwtKeys,
    members: Arc<dyn MemberRepository>,
    access_tokens: Arc<dyn AccessTokenRepository>,
    session_store: Arc<dyn SessionRepository>,
    read_cache: Arc<ReadCache>,
    recent_uses: Arc<RecentUses>,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let authenticator = req.app_data::<web::Data<Authenticator>>().cloned();
        let bearer = bearer_token(req);
        let route = req.match_pattern().unwrap_or_else(|| req.path().to_owned());
        let method = req.method().to_string();
        let needed = scope_for(req.method(), &route);
        // The session as the rate limiter saw it, in the same round trip as
        // the request's budget, when it could look.
        let seen = req.extensions().get::<SessionSeen>().copied();
        Box::pin(async move {
            let authenticator = authenticator
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("authenticator missing")))?;
            let token = bearer.ok_or_else(|| {
                ApiError::Unauthorized(
                    "send an access token as 'Authorization: Bearer <token>'".into(),
                )
            })?;
            let caller = authenticator.identify_seen(&token, seen).await?;
            if let Some(token) = caller.token {
                match needed {
                    Some(scope) => {
                        caller.require_scope(scope)?;
                        authenticator
                            .record_use(caller.id, token, scope, &method, &route)
                            .await;
                    }
                    None => {
                        return Err(ApiError::Forbidden(
                            "personal access tokens cannot be used for this; sign in instead"
                                .into(),
                        ));
                    }
                }
            }
            Ok(caller)
        })
    }
}

impl Authenticator {
    pub fn new(
        sessions: JwtKeys,
        members: Arc<dyn MemberRepository>,
        access_tokens: Arc<dyn AccessTokenRepository>,
        session_store: Arc<dyn SessionRepository>,
        read_cache: Arc<ReadCache>,
    ) -> Self {
        Self {
            recent_uses: Arc::default(),
            sessions,
            members,
            access_tokens,
            session_store,
            read_cache,
        }
    }

    /// Who a bearer credential (a session JWT or a personal access token)
    /// belongs to, before any scope is checked.
    pub async fn identify(&self, token: &str) -> Result<Caller, ApiError> {
        self.identify_seen(token, None).await
    }

    /// As [`Self::identify`], taking a session's state from `seen` when it
    /// was already looked up for this request.
    async fn identify_seen(
        &self,
        token: &str,
        seen: Option<SessionSeen>,
    ) -> Result<Caller, ApiError> {
        match TokenSecret::recognise(token) {
            Some(secret) => self.personal_token_caller(&secret).await,
            None => {
                let token = self
                    .sessions
                    .member_of(token)
                    .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
                // The session must still be live (not logged out, not ended by a
                // password change) and its member still there; the stored role
                // wins over the token's claim, so a role change takes effect at once.
                let live = match seen {
                    Some(seen) if seen.session == token.session => seen.live,
                    _ => self.live_session(token.session).await?,
                };
                let (id, role) = live
                    .filter(|(member, _)| *member == token.member)
                    .ok_or_else(|| {
                        ApiError::Unauthorized(
                            "this session has ended (signed out, password changed or account erased); sign in again"
                                .into(),
                        )
                    })?;
                Ok(Caller {
                    id,
                    role,
                    scopes: Scopes::for_role(role),
                    token: None,
                    session: Some(token.session),
                })
            }
        }
    }

    /// A member's stored role (`None` once erased or never there), from the read
    /// cache when it holds it: every write forgets the cache, so a role change or
    /// an erasure takes effect at once.
    async fn stored_role(&self, id: MemberId) -> Result<Option<Role>, ApiError> {
        if let Some(role) = self.read_cache.role(id) {
            return Ok(role);
        }
        let ticket = self.read_cache.ticket();
        let role = self.members.role_of(id).await?;
        if let Some(ticket) = ticket {
            self.read_cache.keep_role(ticket, id, role);
        }
        Ok(role)
    }

    /// Whether a session is live and whose it is: one query by primary key
    /// joined to the member's row, or the read cache when it holds the answer
    /// (every write, a logout or a password change included, forgets it).
    async fn live_session(&self, session: Uuid) -> Result<Option<(MemberId, Role)>, ApiError> {
        if let Some(live) = self.read_cache.session(session) {
            return Ok(live);
        }
        let ticket = self.read_cache.ticket();
        let live = self.session_store.live(session, chrono::Utc::now()).await?;
        if let Some(ticket) = ticket {
            self.read_cache.keep_session(ticket, session, live);
        }
        Ok(live)
    }

    /// Records a personal access token's use with `scope` (its
    /// `last_used_at` and an `access_token_used` audit entry) at most once a
    /// minute per token and scope. A failure is logged; it never fails the request.
    async fn record_use(
        &self,
        member: MemberId,
        token: Uuid,
        scope: Scope,
        method: &str,
        route: &str,
    ) {
        let now = Utc::now();
        {
            let mut recent = self
                .recent_uses
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !use_to_record(recent.get(&(token, scope)).copied(), now) {
                return;
            }
            recent.insert((token, scope), now);
        }
        let audit = use_audit(member, token, scope, method, route);
        if let Err(error) = self
            .access_tokens
            .record_use(token, scope, now, &audit)
            .await
        {
            tracing::warn!(error = %error, "token use not recorded");
        }
    }

    async fn personal_token_caller(&self, secret: &TokenSecret) -> Result<Caller, ApiError> {
        let now = chrono::Utc::now();
        let token = self
            .access_tokens
            .find_by_hash(&secret.hash())
            .await?
            .ok_or_else(|| ApiError::Unauthorized("unknown personal access token".into()))?;
        if token.revoked_at.is_some() {
            return Err(ApiError::Unauthorized(
                "this personal access token was revoked".into(),
            ));
        }
        if !token.is_live(now) {
            return Err(ApiError::Unauthorized(
                "this personal access token has expired".into(),
            ));
        }
        let role = self
            .stored_role(token.member_id)
            .await?
            .ok_or_else(|| ApiError::Unauthorized("the token's member no longer exists".into()))?;
        Ok(Caller {
            id: token.member_id,
            role,
            scopes: token.scopes.limited_to(role),
            token: Some(token.id),
            session: None,
        })
    }
}

/// The bearer credential sent, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
}

/// The scope a personal access token needs for a route (by its pattern);
/// `None` for routes only a signed-in session may use, such as managing
/// the account or its tokens.
pub fn scope_for(method: &Method, pattern: &str) -> Option<Scope> {
    let reads = method == Method::GET || method == Method::HEAD;
    let under = |prefix: &str| {
        pattern == prefix
            || pattern
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    if under("/api/v1/submissions")
        || under("/api/v1/reviews")
        || under("/api/v1/events")
        || under("/api/v1/resources")
        || under("/api/v1/idea-clinics")
    {
        Some(if reads {
            Scope::SubmissionsRead
        } else {
            Scope::SubmissionsWrite
        })
    } else if (under("/api/v1/reports") || under("/api/v1/recommendation-events")) && reads {
        Some(Scope::ReportsRead)
    } else if pattern == "/api/v1/members/me" && reads {
        Some(Scope::SubmissionsRead)
    } else {
        None
    }
}

impl Caller {
    /// This caller as the domain names an actor.
    pub fn actor(&self) -> Actor {
        Actor::new(self.id, self.role)
    }

    /// This caller acting in the request `request_id`, as the domain sees them.
    pub fn context(&self, request_id: RequestId) -> Context {
        Context::new(self.actor(), Some(request_id.0))
    }

    /// This caller reading: a use case that writes nothing needs no request id.
    pub fn reading(&self) -> Context {
        Context::new(self.actor(), None)
    }

    /// Refuses with 403 unless the credential holds `scope`.
    pub fn require_scope(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.contains(scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this token lacks the '{}' scope",
                scope.as_str()
            )))
        }
    }
}

pub fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.role.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only admins may do this".into()))
    }
}

pub fn require_reviewer(caller: &Caller) -> Result<(), ApiError> {
    if caller.role.can_review() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only reviewers and admins may do this".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_of_submissions_need_their_scopes() {
        assert_eq!(
            scope_for(&Method::GET, "/api/v1/submissions/{id}"),
            Some(Scope::SubmissionsRead)
        );
        assert_eq!(
            scope_for(&Method::POST, "/api/v1/submissions"),
            Some(Scope::SubmissionsWrite)
        );
        assert_eq!(
            scope_for(&Method::PATCH, "/api/v1/submissions/{id}"),
            Some(Scope::SubmissionsWrite)
        );
        assert_eq!(
            scope_for(&Method::GET, "/api/v1/reports/quarterly/{quarter}"),
            Some(Scope::ReportsRead)
        );
    }

    #[test]
    fn account_routes_are_for_sessions_only() {
        assert_eq!(
            scope_for(&Method::GET, "/api/v1/resources/{id}/download"),
            Some(Scope::SubmissionsRead)
        );
        assert_eq!(
            scope_for(&Method::GET, "/api/v1/idea-clinics"),
            Some(Scope::SubmissionsRead)
        );
        assert_eq!(scope_for(&Method::GET, "/api/v1/members/me/tokens"), None);
        assert_eq!(scope_for(&Method::DELETE, "/api/v1/members/me"), None);
        assert_eq!(scope_for(&Method::PUT, "/api/v1/members/{id}/role"), None);
        assert_eq!(scope_for(&Method::GET, "/api/v1/audit"), None);
        assert_eq!(
            scope_for(
                &Method::POST,
                "/api/v1/reports/quarterly/{quarter}/snapshots"
            ),
            None
        );
        assert_eq!(scope_for(&Method::GET, "/api/v1/submissionsx"), None);
    }
}
