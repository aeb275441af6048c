//! Impact-evaluation resources: files admins publish so that members can
//! evaluate the impact of their work economically, socially or
//! experientially. Every download is recorded with the member and the
//! instant, so the quarterly summary counts downloads and distinct members.

mod use_cases;

pub use use_cases::{NewResourceFile, ResourceError, ResourceService};

use crate::attachment::{FileName, MediaType, Sha256Digest, StorageKey};
use crate::ids::MemberId;
use crate::validation::{ValidationErrors, check_length};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest resource title, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest description, in characters.
pub const DESCRIPTION_MAX: usize = 5_000;

/// How a resource helps evaluate impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Approach {
    Economic,
    Social,
    Experiential,
}

impl Approach {
    pub const ALL: [Approach; 3] = [Approach::Economic, Approach::Social, Approach::Experiential];

    pub fn as_str(self) -> &'static str {
        match self {
            Approach::Economic => "economic",
            Approach::Social => "social",
            Approach::Experiential => "experiential",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// What an admin says about a resource, as sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceDetails {
    pub title: String,
    /// `economic`, `social` or `experiential`.
    pub approach: String,
    pub description: String,
}

/// The details once checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedDetails {
    pub title: String,
    pub approach: Approach,
    pub description: String,
}

/// Checks the details: a title, a known approach and a description, each named when wrong.
pub fn check_details(details: &ResourceDetails) -> Result<CheckedDetails, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    check_length(&mut errors, "title", &details.title, 1, TITLE_MAX);
    check_length(
        &mut errors,
        "description",
        &details.description,
        1,
        DESCRIPTION_MAX,
    );
    if details.title.chars().any(char::is_control) {
        errors.add(
            "title",
            "invalid_characters",
            "must not contain control characters",
        );
    }
    if details
        .description
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r'))
    {
        errors.add(
            "description",
            "invalid_characters",
            "must not contain control characters other than line breaks",
        );
    }
    let approach = Approach::parse(details.approach.trim());
    if approach.is_none() {
        errors.add(
            "approach",
            if details.approach.trim().is_empty() {
                "required"
            } else {
                "unknown_code"
            },
            "must be one of economic, social, experiential",
        );
    }
    errors.into_result()?;
    let approach = approach.ok_or_else(|| {
        ValidationErrors::single(
            "approach",
            "unknown_code",
            "must be one of economic, social, experiential",
        )
    })?;
    Ok(CheckedDetails {
        title: details.title.trim().to_owned(),
        approach,
        description: details.description.trim().to_owned(),
    })
}

/// A published resource and the file it serves.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: Uuid,
    pub details: CheckedDetails,
    pub file_name: FileName,
    pub media_type: MediaType,
    pub size_bytes: u64,
    pub sha256: Sha256Digest,
    pub storage_key: StorageKey,
    pub published_by: Option<MemberId>,
    pub published_at: DateTime<Utc>,
}

impl Resource {
    /// Where a resource's bytes are kept.
    pub fn storage_key_for(id: Uuid) -> StorageKey {
        StorageKey::from_stored(format!("resources/{id}"))
    }
}

/// One member's download of a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    pub id: Uuid,
    pub resource_id: Uuid,
    pub member_id: MemberId,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(details: &ResourceDetails) -> Vec<(String, String)> {
        match check_details(details) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .errors()
                .iter()
                .map(|e| (e.field.clone(), e.code.clone()))
                .collect(),
        }
    }

    #[test]
    fn every_wrong_detail_is_named_and_a_good_one_is_trimmed() {
        let blank = ResourceDetails {
            title: " ".into(),
            approach: String::new(),
            description: String::new(),
        };
        let named: Vec<String> = fields(&blank).into_iter().map(|(f, _)| f).collect();
        assert_eq!(named, vec!["title", "description", "approach"]);

        let unknown = ResourceDetails {
            title: "SROI workbook".into(),
            approach: "financial".into(),
            description: "How to value outcomes".into(),
        };
        assert_eq!(
            fields(&unknown),
            vec![("approach".to_owned(), "unknown_code".to_owned())]
        );

        let good = check_details(&ResourceDetails {
            title: "  SROI workbook ".into(),
            approach: "economic".into(),
            description: "How to value outcomes".into(),
        });
        assert_eq!(
            good.ok().map(|d| (d.title, d.approach)),
            Some(("SROI workbook".to_owned(), Approach::Economic))
        );
    }

    #[test]
    fn titles_and_descriptions_have_limits() {
        let long = ResourceDetails {
            title: "t".repeat(TITLE_MAX + 1),
            approach: "social".into(),
            description: "d".repeat(DESCRIPTION_MAX + 1),
        };
        let named: Vec<String> = fields(&long).into_iter().map(|(f, _)| f).collect();
        assert_eq!(named, vec!["title", "description"]);
    }
}
