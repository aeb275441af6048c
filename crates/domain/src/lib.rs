//! The Innovation hub's domain: members, submissions and their lifecycle, the
//! strategy's taxonomy, and the rules that hold whatever stores or serves them.

pub mod access_token;
pub mod actor;
pub mod attachment;
pub mod audit;
pub mod clinic;
pub mod event;
pub mod idempotency;
pub mod ids;
pub mod limit;
pub mod member;
pub mod notification;
pub mod pagination;
pub mod quarter;
pub mod recommendation;
pub mod report;
pub mod repository;
pub mod resource;
pub mod review;
pub mod spread;
pub mod submission;
pub mod taxonomy;
pub mod timestamp;
pub mod validation;
pub mod webhook;

pub use ids::{MemberId, SubmissionId};
pub use validation::{FieldError, ValidationErrors};
