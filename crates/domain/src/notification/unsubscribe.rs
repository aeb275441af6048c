//! One-click unsubscribe links (RFC 8058): the token names the member, the
//! category and when it expires, and is signed with a key only the server holds.

use super::Category;
use crate::ids::MemberId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// A token as the hub makes them: 41 bytes in unpadded base64url, whose
/// last character carries 4 bits and two zero bits.
pub const TOKEN_PATTERN: &str = "^[A-Za-z0-9_-]{54}[AEIMQUYcgkosw048]$";

/// How long a link in a mail keeps working.
pub const TOKEN_LIFETIME: Duration = Duration::days(90);

/// Bytes of the signature kept in a token: 128 bits.
const MAC_LEN: usize = 16;
/// Member (16) + category (1) + expiry in unix seconds (8).
const PAYLOAD_LEN: usize = 25;
const LABEL: &[u8] = b"innovation-hub unsubscribe link v1";

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a link the hub could have made: wrong length or alphabet.
    #[error("the unsubscribe link is not valid")]
    Malformed,
    /// Well formed, but its signature is not the hub's (altered or forged).
    #[error("the unsubscribe link was not signed by the hub")]
    Forged,
    #[error("the unsubscribe link has expired")]
    Expired,
}

/// The key unsubscribe tokens are signed with, derived from the server's
/// secret under a label of its own, so it signs nothing else.
#[derive(Clone)]
pub struct UnsubscribeKey([u8; 32]);

impl std::fmt::Debug for UnsubscribeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsubscribeKey(..)")
    }
}

type HmacSha256 = Hmac<Sha256>;

impl UnsubscribeKey {
    pub fn derive(server_secret: &[u8]) -> Self {
        let mut key = [0u8; 32];
        if let Ok(mut mac) = HmacSha256::new_from_slice(server_secret) {
            mac.update(LABEL);
            key.copy_from_slice(&mac.finalize().into_bytes());
        }
        Self(key)
    }

    fn mac(&self, payload: &[u8]) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.0).ok()?;
        mac.update(payload);
        Some(mac)
    }

    /// A token that turns `category` off for `member` until `expires_at`.
    pub fn sign(&self, member: MemberId, category: Category, expires_at: DateTime<Utc>) -> String {
        let mut payload = Vec::with_capacity(PAYLOAD_LEN + MAC_LEN);
        payload.extend_from_slice(member.0.as_bytes());
        payload.push(category.code());
        payload.extend_from_slice(&expires_at.timestamp().to_be_bytes());
        let tag = self
            .mac(&payload)
            .map(|mac| mac.finalize().into_bytes().to_vec())
            .unwrap_or_default();
        payload.extend_from_slice(&tag[..MAC_LEN.min(tag.len())]);
        URL_SAFE_NO_PAD.encode(payload)
    }

    /// The member and category a token names, if it is genuine and unexpired.
    pub fn verify(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(MemberId, Category), TokenError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| TokenError::Malformed)?;
        if bytes.len() != PAYLOAD_LEN + MAC_LEN {
            return Err(TokenError::Malformed);
        }
        let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
        self.mac(payload)
            .ok_or(TokenError::Forged)?
            .verify_truncated_left(tag)
            .map_err(|_| TokenError::Forged)?;
        let (member, rest) = payload.split_at(16);
        let member = Uuid::from_slice(member).map_err(|_| TokenError::Malformed)?;
        let category = Category::from_code(rest[0]).ok_or(TokenError::Malformed)?;
        let mut expiry = [0u8; 8];
        expiry.copy_from_slice(&rest[1..]);
        if i64::from_be_bytes(expiry) <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok((MemberId(member), category))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> UnsubscribeKey {
        UnsubscribeKey::derive(b"a server secret of enough length!!")
    }

    #[test]
    fn a_signed_token_names_its_member_and_category() {
        let member = MemberId(Uuid::from_u128(7));
        let now = Utc::now();
        let token = key().sign(member, Category::Adoptions, now + TOKEN_LIFETIME);
        assert_eq!(key().verify(&token, now), Ok((member, Category::Adoptions)));
        assert!(token.len() < 64, "{token}");
        // What TOKEN_PATTERN says, checked on many tokens.
        for n in 0..50u128 {
            let token = key().sign(
                MemberId(Uuid::from_u128(n * 7919)),
                Category::Adoptions,
                now,
            );
            let last = token.chars().last().unwrap_or(' ');
            assert_eq!(token.len(), 55, "{token}");
            assert!(
                token
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{token}"
            );
            assert!("AEIMQUYcgkosw048".contains(last), "{token}");
        }
        assert!(TOKEN_PATTERN.contains("{54}"));
    }

    #[test]
    fn an_expired_token_is_told_apart_from_a_forged_one() {
        let member = MemberId(Uuid::from_u128(7));
        let now = Utc::now();
        let token = key().sign(member, Category::Decisions, now - Duration::seconds(1));
        assert_eq!(key().verify(&token, now), Err(TokenError::Expired));
        let other = UnsubscribeKey::derive(b"another secret entirely, also long");
        let forged = other.sign(member, Category::Decisions, now + TOKEN_LIFETIME);
        assert_eq!(key().verify(&forged, now), Err(TokenError::Forged));
    }

    #[test]
    fn a_changed_or_garbled_token_is_invalid() {
        let now = Utc::now();
        let token = key().sign(
            MemberId(Uuid::nil()),
            Category::ReviewQueue,
            now + TOKEN_LIFETIME,
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap_or_default();
        bytes[16] = Category::Decisions.code();
        let changed = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(key().verify(&changed, now), Err(TokenError::Forged));
        for garbled in ["", "not base64!", "AAAA", &token[..token.len() - 2]] {
            assert_eq!(
                key().verify(garbled, now),
                Err(TokenError::Malformed),
                "{garbled}"
            );
        }
    }

    #[test]
    fn the_key_is_not_the_server_secret() {
        let secret = [9u8; 32];
        assert_ne!(UnsubscribeKey::derive(&secret).0, secret);
    }
}
