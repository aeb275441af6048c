use crate::validation::ValidationErrors;

/// An email address, trimmed and lower-cased so that one address is one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let value = raw.trim().to_lowercase();
        let invalid =
            |message: &str| Err(ValidationErrors::single(field, "invalid_email", message));
        if value.chars().count() > 254 {
            return invalid("must be at most 254 characters");
        }
        let Some((local, domain)) = value.split_once('@') else {
            return invalid("must be an email address such as name@example.org");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        let no_bad_chars = !value.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';')
        });
        if local.is_empty()
            || local.len() > 64
            || !domain_ok
            || domain.contains('@')
            || !no_bad_chars
        {
            return invalid("must be an email address such as name@example.org");
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("email", "  Ada@Example.ORG ").map(|e| e.as_str().to_owned());
        assert_eq!(email, Ok("ada@example.org".to_owned()));
    }

    #[test]
    fn rejects_addresses_without_a_domain() {
        for raw in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@@example.org",
            "ada@example..org",
        ] {
            assert!(
                Email::parse("email", raw).is_err(),
                "{raw} should be rejected"
            );
        }
    }
}
