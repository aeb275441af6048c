//! The Innovation hub's domain: members, submissions and their lifecycle, the
//! strategy's taxonomy, and the rules that hold whatever stores or serves them.

pub mod attachment;
pub mod ids;
pub mod member;
pub mod pagination;
pub mod quarter;
pub mod repository;
pub mod submission;
pub mod taxonomy;
pub mod validation;

pub use ids::{MemberId, SubmissionId};
pub use validation::{FieldError, ValidationErrors};
