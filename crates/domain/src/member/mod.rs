//! Members of the hub community: who they are, what they may do, and what they
//! choose to tell about themselves.

mod demographics;
mod display_name;
mod email;
mod password;
mod role;
mod sessions;
mod use_cases;

pub use demographics::{Demographics, DemographicsPatch, JOB_TITLE_MAX, RecordedDemographics};
pub use display_name::DisplayName;
pub use email::Email;
pub use password::Password;
pub use role::Role;
pub use sessions::{
    LogoutError, PasswordChange, PasswordConfirmed, PasswordError, PasswordHasher, SessionService,
};
pub use use_cases::{
    ERASURE_WITHDRAWAL_REASON, EraseError, KeptOnErasure, MemberData, MemberService, MemberWork,
    ProfileChange, ProfileError, RegisterError, Registration, SetRoleError, UpdateProfileError,
};

use crate::ids::MemberId;

/// The key counted for people who did not state a demographic (or a job title).
pub const NOT_STATED: &str = "not_stated";

/// The name shown for the author, reviewer or actor of work whose account
/// was erased.
pub const FORMER_MEMBER_NAME: &str = "Former member";
use chrono::{DateTime, Utc};

/// A member as the hub holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: MemberId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub demographics: Demographics,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What registration needs, already parsed.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: Email,
    pub display_name: DisplayName,
    pub password_hash: String,
    pub role: Role,
}
