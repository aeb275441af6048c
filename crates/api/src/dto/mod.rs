//! Request and response bodies: the wire format clients code against.

pub mod attachment;
pub mod member;
pub mod submission;
pub mod taxonomy;
