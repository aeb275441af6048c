//! An in-process cache of what reads need most: the serialized answer to
//! `GET /submissions/{id}` (body and `ETag`), pages of `GET /submissions` per
//! caller and query, each caller's stored role, and whether a sign-in session
//! is live (a logout or a password change is a write, so it forgets it at once).
//!
//! It is exact because every write this process serves forgets the whole cache
//! before its answer leaves ([`forget_on_writes`]), and because it is only used
//! when this process is the only writer: on SQLite (an embedded file one
//! service owns). On PostgreSQL, where replicas share the database and a write
//! served by one replica would not reach another's cache, nothing is cached.
//!
//! An entry is kept only if no write finished while it was being read
//! (entries carry the generation they were read in, and every write starts a
//! new one), so a read that raced a write can never be served later.
//! Forgetting everything rather than what one write touched is deliberate: a
//! submission's answer also carries its author's name and how often it is
//! cited, which other writes change, and writes are rare next to reads.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Next;
use bytes::Bytes;
use domain::MemberId;
use domain::member::Role;
use domain::submission::Status;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use uuid::Uuid;

/// The most submissions kept; past it the cache starts again empty.
const MAX_SUBMISSIONS: usize = 20_000;
/// The most members' roles kept.
const MAX_ROLES: usize = 100_000;
/// The most list pages kept (each up to 100 summaries).
const MAX_PAGES: usize = 2_000;

/// A page of the list as one caller asked for it: lists show callers their own
/// drafts, and reviewers more than members, so pages are kept per caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub viewer: MemberId,
    pub role: &'static str,
    /// The query string as sent.
    pub query: String,
}

/// A submission's answer as served, with what deciding who may see it needs.
#[derive(Debug)]
pub struct CachedSubmission {
    pub author_id: Option<MemberId>,
    pub status: Status,
    pub version: i32,
    pub etag: HeaderValue,
    /// The JSON body of a 200.
    pub body: Bytes,
}

impl CachedSubmission {
    pub fn visible_to(&self, viewer: MemberId, role: Role) -> bool {
        domain::submission::visible(self.author_id, self.status, viewer, role)
    }
}

/// The member and stored role behind a live session; `None` when the session
/// is revoked, expired, unknown or of an erased member.
pub type LiveSession = Option<(MemberId, Role)>;

struct Entry<T> {
    generation: u64,
    value: T,
}

/// See the module documentation.
pub struct ReadCache {
    enabled: bool,
    generation: AtomicU64,
    submissions: RwLock<HashMap<Uuid, Entry<Arc<CachedSubmission>>>>,
    roles: RwLock<HashMap<MemberId, Entry<Option<Role>>>>,
    sessions: RwLock<HashMap<Uuid, Entry<LiveSession>>>,
    pages: RwLock<HashMap<PageKey, Entry<Bytes>>>,
}

/// Proof of when a read began, to keep what it found only if nothing was
/// written since.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl ReadCache {
    /// A cache that keeps entries when `enabled`, and otherwise never does.
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            generation: AtomicU64::new(0),
            submissions: RwLock::new(HashMap::new()),
            roles: RwLock::new(HashMap::new()),
            sessions: RwLock::new(HashMap::new()),
            pages: RwLock::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn current(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Forgets everything; reads already under way will not keep what they find.
    pub fn forget_all(&self) {
        if !self.enabled {
            return;
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.submissions
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.roles
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.sessions
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.pages
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Taken before reading the database for something to keep.
    pub fn ticket(&self) -> Option<Ticket> {
        self.enabled.then(|| Ticket(self.current()))
    }

    pub fn submission(&self, id: Uuid) -> Option<Arc<CachedSubmission>> {
        if !self.enabled {
            return None;
        }
        let generation = self.current();
        let map = self
            .submissions
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(&id)
            .filter(|entry| entry.generation == generation)
            .map(|entry| entry.value.clone())
    }

    pub fn keep_submission(&self, ticket: Ticket, id: Uuid, value: Arc<CachedSubmission>) {
        keep(&self.submissions, self, ticket, id, value, MAX_SUBMISSIONS);
    }

    /// The stored role of a member (`None`: no such member, or erased).
    pub fn role(&self, id: MemberId) -> Option<Option<Role>> {
        if !self.enabled {
            return None;
        }
        let generation = self.current();
        let map = self.roles.read().unwrap_or_else(PoisonError::into_inner);
        map.get(&id)
            .filter(|entry| entry.generation == generation)
            .map(|entry| entry.value)
    }

    pub fn keep_role(&self, ticket: Ticket, id: MemberId, role: Option<Role>) {
        keep(&self.roles, self, ticket, id, role, MAX_ROLES);
    }

    /// Whether a sign-in session is live, and whose it is.
    pub fn session(&self, id: Uuid) -> Option<LiveSession> {
        if !self.enabled {
            return None;
        }
        let generation = self.current();
        let map = self.sessions.read().unwrap_or_else(PoisonError::into_inner);
        map.get(&id)
            .filter(|entry| entry.generation == generation)
            .map(|entry| entry.value)
    }

    pub fn keep_session(&self, ticket: Ticket, id: Uuid, live: LiveSession) {
        keep(&self.sessions, self, ticket, id, live, MAX_ROLES);
    }

    /// The JSON body of a list page.
    pub fn page(&self, key: &PageKey) -> Option<Bytes> {
        if !self.enabled {
            return None;
        }
        let generation = self.current();
        let map = self.pages.read().unwrap_or_else(PoisonError::into_inner);
        map.get(key)
            .filter(|entry| entry.generation == generation)
            .map(|entry| entry.value.clone())
    }

    pub fn keep_page(&self, ticket: Ticket, key: PageKey, body: Bytes) {
        keep(&self.pages, self, ticket, key, body, MAX_PAGES);
    }
}

fn keep<K: std::hash::Hash + Eq, V>(
    map: &RwLock<HashMap<K, Entry<V>>>,
    cache: &ReadCache,
    ticket: Ticket,
    key: K,
    value: V,
    max: usize,
) {
    let mut map = map.write().unwrap_or_else(PoisonError::into_inner);
    // Checked under the lock `forget_all` clears with, so an entry read before
    // a write is either refused here or cleared there.
    if ticket.0 != cache.current() {
        return;
    }
    if map.len() >= max {
        map.clear();
    }
    map.insert(
        key,
        Entry {
            generation: ticket.0,
            value,
        },
    );
}

/// Forgets the cache when a request that may write ends, before its answer is
/// sent (and also when it is cut short, since it may have written anyway).
struct ForgetOnDrop(Arc<ReadCache>);

impl Drop for ForgetOnDrop {
    fn drop(&mut self) {
        self.0.forget_all();
    }
}

/// Every request other than GET, HEAD and OPTIONS counts as a write.
pub async fn forget_on_writes(
    cache: Arc<ReadCache>,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let guard = (!reads && cache.enabled()).then(|| ForgetOnDrop(cache));
    let response = next.call(req).await;
    drop(guard);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(version: i32) -> Arc<CachedSubmission> {
        Arc::new(CachedSubmission {
            author_id: None,
            status: Status::Published,
            version,
            etag: HeaderValue::from_static("\"1\""),
            body: Bytes::from_static(b"{}"),
        })
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let cache = ReadCache::new(true);
        let id = Uuid::new_v4();
        let ticket = cache.ticket().unwrap();
        cache.forget_all();
        cache.keep_submission(ticket, id, cached(1));
        assert!(cache.submission(id).is_none());

        let ticket = cache.ticket().unwrap();
        cache.keep_submission(ticket, id, cached(2));
        assert_eq!(cache.submission(id).map(|s| s.version), Some(2));
        cache.forget_all();
        assert!(cache.submission(id).is_none(), "a write forgets it");
    }

    #[test]
    fn sessions_are_forgotten_by_writes() {
        let cache = ReadCache::new(true);
        let session = Uuid::new_v4();
        let member = MemberId(Uuid::new_v4());
        let ticket = cache.ticket().unwrap();
        cache.keep_session(ticket, session, Some((member, Role::Member)));
        assert_eq!(cache.session(session), Some(Some((member, Role::Member))));
        cache.forget_all();
        assert_eq!(cache.session(session), None, "a logout is a write");
        cache.keep_session(ticket, session, Some((member, Role::Member)));
        assert_eq!(cache.session(session), None, "read before the write");
    }

    #[test]
    fn roles_are_forgotten_by_writes_and_absent_members_are_kept_too() {
        let cache = ReadCache::new(true);
        let member = MemberId(Uuid::new_v4());
        let ticket = cache.ticket().unwrap();
        cache.keep_role(ticket, member, None);
        assert_eq!(cache.role(member), Some(None));
        cache.forget_all();
        assert_eq!(cache.role(member), None);
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = ReadCache::new(false);
        assert!(cache.ticket().is_none());
        assert!(cache.submission(Uuid::new_v4()).is_none());
        assert!(cache.role(MemberId(Uuid::new_v4())).is_none());
    }
}
