use serde::Serialize;
use std::fmt;

/// One invalid field: where it is, a stable machine code, and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// Every invalid field found in one input, so a client can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// The most errors an answer lists.
    pub const MAX_LISTED: usize = 100;

    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, code, message)])
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn add(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.push(FieldError::new(field, code, message));
    }

    pub fn extend(&mut self, other: ValidationErrors) {
        self.0.extend(other.0);
    }

    /// Keeps the value when it parsed, records the failure otherwise.
    pub fn collect<T>(&mut self, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.extend(errors);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    /// At most [`Self::MAX_LISTED`] errors, the first found: what a problem
    /// answer lists, so one request cannot make an answer of any size.
    pub fn listed(&self) -> &[FieldError] {
        &self.0[..self.0.len().min(Self::MAX_LISTED)]
    }

    /// How many errors were found beyond those [`Self::listed`].
    pub fn not_listed(&self) -> usize {
        self.0.len().saturating_sub(Self::MAX_LISTED)
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.listed().iter().map(|e| e.field.as_str()).collect();
        write!(f, "invalid fields: {}", fields.join(", "))?;
        match self.not_listed() {
            0 => Ok(()),
            more => write!(
                f,
                " and {more} more not listed (at most {} are)",
                Self::MAX_LISTED
            ),
        }
    }
}

impl std::error::Error for ValidationErrors {}

/// Checks a text's length in characters (not bytes), naming the field on failure.
pub fn check_length(
    errors: &mut ValidationErrors,
    field: &str,
    value: &str,
    min: usize,
    max: usize,
) {
    let chars = value.chars().count();
    if chars > max {
        errors.add(
            field,
            "too_long",
            format!("must be at most {max} characters (got {chars})"),
        );
    } else if chars < min || (min > 0 && value.trim().is_empty()) {
        errors.add(field, "required", "must not be blank");
    }
}

/// Checks a list's length, naming the field on failure.
pub fn check_count<T>(errors: &mut ValidationErrors, field: &str, items: &[T], max: usize) {
    if items.len() > max {
        errors.add(
            field,
            "too_many",
            format!("must hold at most {max} items (got {})", items.len()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_a_hundred_errors_are_listed_and_the_rest_are_counted() {
        let mut errors = ValidationErrors::new();
        for i in 0..250 {
            errors.add(format!("tags[{i}]"), "unknown_code", "unknown");
        }
        assert_eq!(errors.listed().len(), 100);
        assert_eq!(errors.listed()[99].field, "tags[99]");
        assert_eq!(errors.not_listed(), 150);
        let detail = errors.to_string();
        assert!(
            detail.ends_with("and 150 more not listed (at most 100 are)"),
            "{detail}"
        );
        assert!(!detail.contains("tags[100]"));
        let few = ValidationErrors::single("title", "required", "must not be blank");
        assert_eq!(few.not_listed(), 0);
        assert_eq!(few.to_string(), "invalid fields: title");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let mut errors = ValidationErrors::new();
        check_length(&mut errors, "title", "ééé", 1, 3);
        assert!(errors.is_empty());
        check_length(&mut errors, "title", "éééé", 1, 3);
        assert_eq!(errors.errors()[0].code, "too_long");
    }

    #[test]
    fn blank_text_is_required() {
        let mut errors = ValidationErrors::new();
        check_length(&mut errors, "title", "   ", 1, 200);
        assert_eq!(errors.errors()[0].code, "required");
    }
}
