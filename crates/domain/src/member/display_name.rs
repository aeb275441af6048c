use crate::validation::{ValidationErrors, check_length};

/// The name a member shows to others: 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_length(&mut errors, field, raw, 1, Self::MAX_CHARS);
        if errors.is_empty() && raw.chars().any(char::is_control) {
            errors.add(
                field,
                "invalid_characters",
                "must not contain control characters",
            );
        }
        errors.into_result().map(|()| Self(raw.trim().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::DisplayName;

    #[test]
    fn accepts_unicode_names_and_rejects_blank_or_control() {
        assert!(DisplayName::parse("display_name", "Siobhán Ó Ceallaigh").is_ok());
        assert!(DisplayName::parse("display_name", "  ").is_err());
        assert!(DisplayName::parse("display_name", "a\u{0007}b").is_err());
        assert!(DisplayName::parse("display_name", &"a".repeat(101)).is_err());
    }
}
