//! Request and response bodies: the wire format clients code against.

pub mod access_token;
pub mod attachment;
pub mod audit;
pub mod event;
pub mod member;
pub mod notification;
pub mod resource;
pub mod review;
pub mod spread;
pub mod submission;
pub mod taxonomy;
pub mod webhook;
