use crate::validation::ValidationErrors;
use std::fmt;

/// A password as typed by a member: long enough to resist guessing, never logged.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(ValidationErrors::single(
                field,
                "too_short",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(ValidationErrors::single(
                field,
                "too_long",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(**redacted**)")
    }
}

#[cfg(test)]
mod tests {
    use super::Password;

    #[test]
    fn short_and_long_passwords_are_rejected() {
        assert!(Password::parse("password", "short").is_err());
        assert!(Password::parse("password", &"x".repeat(129)).is_err());
        assert!(Password::parse("password", "correct horse battery").is_ok());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::parse("password", "correct horse battery");
        assert!(!format!("{password:?}").contains("horse"));
    }
}
