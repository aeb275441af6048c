//! The words beside each code in an export. A summary carries the labels of the
//! codes it counts (its breakdown rows); demographic codes it does not label are
//! looked up in the taxonomy, which only a migration changes, so a snapshot's
//! exports stay the same however often they are fetched.

use domain::member::NOT_STATED;
use domain::report::QuarterlyReport;
use domain::submission::SubmissionKind;
use domain::taxonomy::{Taxonomy, Vocabulary};
use std::collections::BTreeMap;

/// Labels by dimension and code.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    by: BTreeMap<(String, String), String>,
}

impl Labels {
    /// The labels a summary carries, then the taxonomy's for what it does not.
    pub fn for_report(report: &QuarterlyReport, taxonomy: &Taxonomy) -> Self {
        let mut labels = Self::from_taxonomy(taxonomy);
        for breakdown in &report.breakdowns {
            for row in &breakdown.rows {
                labels.by.insert(
                    (breakdown.dimension.clone(), row.key.clone()),
                    row.label.clone(),
                );
            }
        }
        labels
    }

    /// The taxonomy's labels, and those of submission kinds.
    pub fn from_taxonomy(taxonomy: &Taxonomy) -> Self {
        let mut by = BTreeMap::new();
        for vocabulary in Vocabulary::ALL {
            for term in taxonomy.terms(vocabulary) {
                by.insert(
                    (vocabulary.as_str().to_owned(), term.code.clone()),
                    term.label.clone(),
                );
            }
        }
        for kind in SubmissionKind::ALL {
            by.insert(
                ("kind".to_owned(), kind.as_str().to_owned()),
                kind.as_str().replace('_', " "),
            );
        }
        Self { by }
    }

    /// The label of `code` in `dimension`; codes no vocabulary names (a job
    /// title as typed) are their own label.
    pub fn get(&self, dimension: &str, code: &str) -> String {
        if let Some(label) = self.by.get(&(dimension.to_owned(), code.to_owned())) {
            return label.clone();
        }
        match code {
            Taxonomy::PREFER_NOT_TO_SAY => "Prefer not to say".to_owned(),
            NOT_STATED => "Not stated".to_owned(),
            _ => code.to_owned(),
        }
    }
}
