//! Who is calling: JWT access tokens, password hashing and the `Caller` extractor.

mod caller;
mod jwt;
mod password;
mod throttle;

pub use caller::{Authenticator, Caller, bearer_token, require_admin, require_reviewer, scope_for};
pub use jwt::{AccessToken, Claims, JwtKeys, SessionToken, TokenError};
pub use password::{Argon2Hasher, hash_password, verify_password};
pub use throttle::{LoginKeys, LoginThrottle};
