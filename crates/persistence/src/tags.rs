//! Where the tags of a submission are kept.

/// Tag dimensions and the join tables that hold them.
pub const TAG_TABLES: [(&str, &str); 4] = [
    ("priority", "submission_priorities"),
    ("practice_area", "submission_practice_areas"),
    ("evidence_type", "submission_evidence_types"),
    ("topic", "submission_topics"),
];
