use chrono::Utc;
use domain::MemberId;
use domain::member::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use uuid::Uuid;

pub const ISSUER: &str = "innovation-hub";
pub const AUDIENCE: &str = "innovation-hub-api";
const LEEWAY_SECONDS: u64 = 30;

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The session the token belongs to; a token without one is refused, and
    /// one whose session was revoked (logout, password change) too.
    pub jti: String,
}

/// A signed token and how long it lives.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_in: i64,
    /// The session it opens (its `jti`).
    pub session: Uuid,
    pub expires_at: chrono::DateTime<Utc>,
}

/// Whose a verified token is, and which session it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionToken {
    pub member: MemberId,
    pub session: Uuid,
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is invalid or expired")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    #[error("the access token was issued in the future")]
    IssuedInFuture,
    #[error("the access token does not name a member")]
    BadSubject,
    #[error("the access token does not name a session")]
    BadSession,
}

/// Signs and checks HS256 access tokens with the configured secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: i64,
    verified: Arc<RwLock<HashMap<String, Verified>>>,
}

/// A token that verified, and until when it is good.
#[derive(Debug, Clone, Copy)]
struct Verified {
    token: SessionToken,
    exp: i64,
}

/// The most verified tokens remembered; past it they are checked afresh.
const MAX_VERIFIED: usize = 50_000;

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_seconds: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud", "jti"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
            verified: Arc::new(RwLock::new(HashMap::new())),
        }
    }

    pub fn issue(
        &self,
        member: MemberId,
        role: Role,
    ) -> Result<AccessToken, jsonwebtoken::errors::Error> {
        let now = Utc::now().timestamp();
        let session = Uuid::new_v4();
        let claims = Claims {
            sub: member.to_string(),
            role,
            iat: now,
            exp: now + self.ttl_seconds,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: session.to_string(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(AccessToken {
            token,
            expires_in: self.ttl_seconds,
            session,
            expires_at: chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now),
        })
    }

    /// The member and session a token names, if it verifies. A token that
    /// verified once is remembered until it expires: whether it verifies
    /// depends only on it, the secret and the time, so the signature is not
    /// checked again on every request (whether its session is still live, and
    /// the member's stored role, still are; see `Caller`).
    pub fn member_of(&self, token: &str) -> Result<SessionToken, TokenError> {
        let now = Utc::now().timestamp();
        let known = self
            .verified
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(token)
            .copied();
        if let Some(known) = known
            && now <= known.exp + LEEWAY_SECONDS as i64
        {
            return Ok(known.token);
        }
        let (member, claims) = self.verify(token)?;
        let session = claims.jti.parse().map_err(|_| TokenError::BadSession)?;
        let found = SessionToken { member, session };
        let mut verified = self
            .verified
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if verified.len() >= MAX_VERIFIED {
            verified.retain(|_, v| now <= v.exp + LEEWAY_SECONDS as i64);
            if verified.len() >= MAX_VERIFIED {
                verified.clear();
            }
        }
        verified.insert(
            token.to_owned(),
            Verified {
                token: found,
                exp: claims.exp,
            },
        );
        Ok(found)
    }

    pub fn verify(&self, token: &str) -> Result<(MemberId, Claims), TokenError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)?;
        let claims = data.claims;
        if claims.iat > Utc::now().timestamp() + LEEWAY_SECONDS as i64 {
            return Err(TokenError::IssuedInFuture);
        }
        let id = claims
            .sub
            .parse()
            .map(MemberId)
            .map_err(|_| TokenError::BadSubject)?;
        Ok((id, claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef", 3600)
    }

    #[test]
    fn issued_tokens_verify() {
        let id = MemberId::generate();
        let token = keys().issue(id, Role::Reviewer).map(|t| t.token).unwrap();
        let verified = keys().verify(&token).map(|(m, c)| (m, c.role)).ok();
        assert_eq!(verified, Some((id, Role::Reviewer)));
    }

    #[test]
    fn remembered_tokens_name_their_member_and_expired_ones_are_refused() {
        let keys = keys();
        let id = MemberId::generate();
        let token = keys.issue(id, Role::Member).map(|t| t.token).unwrap();
        let member = |t: &str| keys.member_of(t).ok().map(|s| s.member);
        assert_eq!(member(&token), Some(id));
        assert_eq!(member(&token), Some(id), "remembered");
        assert!(keys.member_of(&format!("{token}x")).is_err());

        let expired = JwtKeys::new(b"0123456789abcdef0123456789abcdef", -120);
        let old = expired.issue(id, Role::Member).map(|t| t.token).unwrap();
        assert!(keys.member_of(&old).is_err());
        keys.verified
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                old.clone(),
                Verified {
                    token: SessionToken {
                        member: id,
                        session: Uuid::new_v4(),
                    },
                    exp: Utc::now().timestamp() - 120,
                },
            );
        assert!(
            keys.member_of(&old).is_err(),
            "a remembered token expires too"
        );
    }

    #[test]
    fn each_token_names_its_own_session_and_one_without_a_session_is_refused() {
        let keys = keys();
        let id = MemberId::generate();
        let one = keys.issue(id, Role::Member).unwrap();
        let two = keys.issue(id, Role::Member).unwrap();
        assert_ne!(one.session, two.session);
        assert_eq!(
            keys.member_of(&one.token).ok(),
            Some(SessionToken {
                member: id,
                session: one.session
            })
        );
        let now = Utc::now().timestamp();
        let claims = serde_json::json!({"sub": id.to_string(), "role": "member", "iat": now,
            "exp": now + 60, "iss": ISSUER, "aud": AUDIENCE});
        let secret = b"0123456789abcdef0123456789abcdef";
        let sign = |c: &serde_json::Value| {
            encode(
                &Header::new(Algorithm::HS256),
                c,
                &EncodingKey::from_secret(secret),
            )
            .unwrap()
        };
        assert!(keys.member_of(&sign(&claims)).is_err(), "no jti");
        let mut bad = claims.clone();
        bad["jti"] = "not-a-session".into();
        assert!(matches!(
            keys.member_of(&sign(&bad)),
            Err(TokenError::BadSession)
        ));
    }

    #[test]
    fn tampered_and_unsigned_tokens_are_refused() {
        let token = keys()
            .issue(MemberId::generate(), Role::Member)
            .map(|t| t.token)
            .unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        parts[1] = URL_SAFE_NO_PAD.encode(claims.replace("\"member\"", "\"admin\""));
        assert!(keys().verify(&parts.join(".")).is_err());

        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            keys()
                .verify(&format!("{none_header}.{}.", parts[1]))
                .is_err()
        );
        let other_key = JwtKeys::new(b"another-secret-another-secret-!!", 3600);
        assert!(other_key.verify(&token).is_err());
    }
}
