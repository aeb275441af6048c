//! Who acts in a use case, and when: the API layer authenticates the caller
//! and hands the domain this, never an HTTP type.

use crate::ids::MemberId;
use crate::member::Role;
use chrono::{DateTime, Utc};

/// An authenticated member acting in the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub id: MemberId,
    pub role: Role,
}

impl Actor {
    pub fn new(id: MemberId, role: Role) -> Self {
        Self { id, role }
    }
}

/// The actor, the request they act in (for the audit log) and the moment
/// the use case treats as now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub actor: Actor,
    /// As the request was tagged (a client may name it), for the audit log.
    pub request_id: Option<String>,
    pub now: DateTime<Utc>,
}

impl Context {
    pub fn new(actor: Actor, request_id: Option<String>) -> Self {
        Self {
            actor,
            request_id,
            now: Utc::now(),
        }
    }
}
