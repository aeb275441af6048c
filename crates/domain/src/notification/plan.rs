//! Who is told about which event.

use super::MailKind;
use crate::event::EventType;
use crate::ids::MemberId;
use crate::submission::Status;

/// The event recorded when a member reports adopting someone's work: its
/// author is the work's author, its actor the member who adopted it.
pub const ADOPTED_EVENT: &str = "submission.adopted";

/// Erasure confirmations are keyed `erasure:<member>`, not by an event.
pub const ERASURE_KEY_PREFIX: &str = "erasure";

/// Who a planned mail goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The author of the work, if they still want this kind.
    Author(MemberId),
    /// Every reviewer and admin who opted in to the review queue, except
    /// the author and the member who acted.
    QueueWatchers { except: [Option<MemberId>; 2] },
}

/// One mail (or one per queue watcher) to plan for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub kind: MailKind,
    pub audience: Audience,
}

/// The mails an outbox event calls for: authors hear of each decision about
/// their work and of adoptions by others; opted-in reviewers hear of work
/// entering the queue. Anything else, or an event whose author was erased,
/// calls for none.
pub fn plan(event_type: &str, author: Option<MemberId>, actor: Option<MemberId>) -> Vec<Planned> {
    let decided = |status: Status| event_type == EventType::Moved(status).name();
    let to_author = |kind: MailKind| {
        author
            .map(|author| Planned {
                kind,
                audience: Audience::Author(author),
            })
            .into_iter()
            .collect()
    };
    if decided(Status::Published) {
        to_author(MailKind::Published)
    } else if decided(Status::ChangesRequested) {
        to_author(MailKind::ChangesRequested)
    } else if decided(Status::Rejected) {
        to_author(MailKind::Rejected)
    } else if event_type == ADOPTED_EVENT {
        if actor.is_some() && actor == author {
            Vec::new()
        } else {
            to_author(MailKind::Adopted)
        }
    } else if decided(Status::Submitted) {
        vec![Planned {
            kind: MailKind::ReviewQueue,
            audience: Audience::QueueWatchers {
                except: [author, actor],
            },
        }]
    } else {
        Vec::new()
    }
}

/// The key that makes a mail unique: one per event, recipient and kind.
pub fn dedupe_key(origin: &str, recipient: MemberId, kind: MailKind) -> String {
    format!("{origin}:{recipient}:{kind}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn member(n: u128) -> Option<MemberId> {
        Some(MemberId(Uuid::from_u128(n)))
    }

    fn kinds(planned: &[Planned]) -> Vec<MailKind> {
        planned.iter().map(|p| p.kind).collect()
    }

    #[test]
    fn authors_hear_of_each_decision() {
        for (event, kind) in [
            ("submission.published", MailKind::Published),
            ("submission.changes_requested", MailKind::ChangesRequested),
            ("submission.rejected", MailKind::Rejected),
        ] {
            let planned = plan(event, member(1), member(2));
            assert_eq!(
                planned,
                vec![Planned {
                    kind,
                    audience: Audience::Author(MemberId(Uuid::from_u128(1)))
                }],
                "{event}"
            );
        }
    }

    #[test]
    fn authors_hear_of_adoptions_by_others_only() {
        let planned = plan(ADOPTED_EVENT, member(1), member(2));
        assert_eq!(kinds(&planned), vec![MailKind::Adopted]);
        assert_eq!(
            planned[0].audience,
            Audience::Author(MemberId(Uuid::from_u128(1)))
        );
        assert!(plan(ADOPTED_EVENT, member(1), member(1)).is_empty());
    }

    #[test]
    fn submitted_work_tells_queue_watchers_but_not_its_author() {
        let planned = plan("submission.submitted", member(1), member(1));
        assert_eq!(
            planned,
            vec![Planned {
                kind: MailKind::ReviewQueue,
                audience: Audience::QueueWatchers {
                    except: [member(1), member(1)]
                }
            }]
        );
    }

    #[test]
    fn other_events_and_erased_authors_call_for_no_mail() {
        for event in [
            "submission.created",
            "submission.updated",
            "submission.in_review",
            "submission.withdrawn",
            "submission.deleted",
            "submission.reviewer_reassigned",
        ] {
            assert!(plan(event, member(1), member(2)).is_empty(), "{event}");
        }
        assert!(plan("submission.published", None, member(2)).is_empty());
        assert!(plan(ADOPTED_EVENT, None, member(2)).is_empty());
    }

    #[test]
    fn keys_name_the_origin_recipient_and_kind() {
        let key = dedupe_key("e1", MemberId(Uuid::nil()), MailKind::Published);
        assert_eq!(key, format!("e1:{}:published", Uuid::nil()));
    }
}
