//! How the member and token use cases' refusals are answered.

use crate::error::ApiError;
use domain::access_token::{CreateTokenError, MAX_LIVE_TOKENS, RevokeTokenError};
use domain::member::{
    EraseError, LogoutError, PasswordError, ProfileError, RegisterError, SetRoleError,
    UpdateProfileError,
};

impl From<RegisterError> for ApiError {
    fn from(error: RegisterError) -> Self {
        match error {
            RegisterError::Write(error) => error.into(),
        }
    }
}

impl From<ProfileError> for ApiError {
    fn from(error: ProfileError) -> Self {
        match error {
            ProfileError::Gone => ApiError::Unauthorized(error.to_string()),
            ProfileError::Storage(error) => error.into(),
        }
    }
}

impl From<UpdateProfileError> for ApiError {
    fn from(error: UpdateProfileError) -> Self {
        match error {
            UpdateProfileError::Invalid(errors) => ApiError::Validation(errors),
            UpdateProfileError::Gone => ApiError::Unauthorized(error.to_string()),
            UpdateProfileError::Write(error) => error.into(),
            UpdateProfileError::Storage(error) => error.into(),
        }
    }
}

impl From<SetRoleError> for ApiError {
    fn from(error: SetRoleError) -> Self {
        match error {
            SetRoleError::NotAdmin => ApiError::Forbidden(error.to_string()),
            SetRoleError::Invalid(errors) => ApiError::Validation(errors),
            SetRoleError::NotFound => ApiError::NotFound(error.to_string()),
            SetRoleError::Write(error) => error.into(),
        }
    }
}

impl From<EraseError> for ApiError {
    fn from(error: EraseError) -> Self {
        match error {
            EraseError::Write(error) => error.into(),
            EraseError::Storage(error) => error.into(),
        }
    }
}

impl From<CreateTokenError> for ApiError {
    fn from(error: CreateTokenError) -> Self {
        match error {
            // Asking for a scope one's role may not hold is a matter of
            // permission, not of a malformed request.
            CreateTokenError::Invalid(errors)
                if errors.errors().iter().all(|e| e.code == "not_allowed") =>
            {
                ApiError::Forbidden(
                    errors
                        .errors()
                        .iter()
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            }
            CreateTokenError::Invalid(errors) => ApiError::Validation(errors),
            // A full allowance conflicts with what the member holds now.
            CreateTokenError::TooMany => ApiError::Conflict {
                code: "too_many_tokens",
                detail: format!(
                    "at most {MAX_LIVE_TOKENS} live tokens per member; revoke one before creating another"
                ),
                current_status: None,
            },
            CreateTokenError::Write(error) => error.into(),
        }
    }
}

impl From<RevokeTokenError> for ApiError {
    fn from(error: RevokeTokenError) -> Self {
        match error {
            RevokeTokenError::NotFound => ApiError::NotFound(error.to_string()),
            RevokeTokenError::Write(error) => error.into(),
        }
    }
}

impl From<PasswordError> for ApiError {
    fn from(error: PasswordError) -> Self {
        match error {
            PasswordError::Invalid(errors) => ApiError::Validation(errors),
            // Erased between authentication and now.
            PasswordError::Write(domain::repository::WriteError::NotFound) => {
                ApiError::Unauthorized("the member no longer exists".into())
            }
            PasswordError::Write(error) => error.into(),
            PasswordError::Storage(error) => error.into(),
        }
    }
}

impl From<LogoutError> for ApiError {
    fn from(error: LogoutError) -> Self {
        match error {
            LogoutError::Write(error) => error.into(),
        }
    }
}
