use super::*;
use crate::actor::Actor;
use crate::audit::fakes::MemoryAudit;
use uuid::Uuid;

use std::sync::Mutex;

/// Members in memory, with their role; erased ones are gone. A write's own
/// audit entry goes to the shared log.
#[derive(Default)]
struct MemoryMembers(Mutex<Vec<Member>>, Arc<MemoryAudit>);

#[async_trait]
impl MemberRepository for MemoryMembers {
    async fn create(&self, new: NewMember) -> Result<Member, WriteError> {
        let mut members = self.0.lock().unwrap();
        if members.iter().any(|m| m.email == new.email.as_str()) {
            return Err(WriteError::Duplicate);
        }
        let now = Utc::now();
        let member = Member {
            id: MemberId::generate(),
            email: new.email.as_str().to_owned(),
            display_name: new.display_name.as_str().to_owned(),
            role: new.role,
            demographics: Demographics::default(),
            created_at: now,
            updated_at: now,
        };
        members.push(member.clone());
        Ok(member)
    }

    async fn get(&self, id: MemberId) -> Result<Option<Member>, StorageError> {
        Ok(self.0.lock().unwrap().iter().find(|m| m.id == id).cloned())
    }

    async fn credentials(&self, _: &str) -> Result<Option<(Member, String)>, StorageError> {
        Ok(None)
    }

    async fn role_of(&self, id: MemberId) -> Result<Option<Role>, StorageError> {
        Ok(self.get(id).await?.map(|m| m.role))
    }

    async fn update_profile(
        &self,
        id: MemberId,
        display_name: Option<DisplayName>,
        demographics: Demographics,
        _: &AuditEntry,
    ) -> Result<Member, WriteError> {
        let mut members = self.0.lock().unwrap();
        let member = members
            .iter_mut()
            .find(|m| m.id == id)
            .ok_or(WriteError::NotFound)?;
        if let Some(name) = display_name {
            member.display_name = name.as_str().to_owned();
        }
        member.demographics = demographics;
        Ok(member.clone())
    }

    async fn set_role(
        &self,
        id: MemberId,
        role: Role,
        audit: &AuditEntry,
    ) -> Result<Member, WriteError> {
        let mut members = self.0.lock().unwrap();
        let member = members
            .iter_mut()
            .find(|m| m.id == id)
            .ok_or(WriteError::NotFound)?;
        member.role = role;
        self.1.0.lock().unwrap().push(audit.clone());
        Ok(member.clone())
    }

    async fn erase(
        &self,
        id: MemberId,
        _notice: crate::notification::ErasureNotice,
    ) -> Result<(), WriteError> {
        self.0.lock().unwrap().retain(|m| m.id != id);
        Ok(())
    }
}

/// A member's work in memory.
#[derive(Default)]
struct MemoryWork(Mutex<Vec<Submission>>);

#[async_trait]
impl MemberWork for MemoryWork {
    async fn transition(
        &self,
        record: crate::repository::TransitionRecord,
    ) -> Result<Submission, WriteError> {
        let mut work = self.0.lock().unwrap();
        let submission = work
            .iter_mut()
            .find(|s| s.id == record.id)
            .ok_or(WriteError::NotFound)?;
        submission.status = record.to;
        Ok(submission.clone())
    }

    async fn authored_by(&self, author: MemberId) -> Result<Vec<Submission>, StorageError> {
        let work = self.0.lock().unwrap();
        Ok(work
            .iter()
            .filter(|s| s.author_id == Some(author))
            .cloned()
            .collect())
    }

    async fn reviews_by(&self, _: MemberId) -> Result<Vec<Review>, StorageError> {
        Ok(Vec::new())
    }

    async fn recorded_demographics(
        &self,
        _: MemberId,
    ) -> Result<Vec<RecordedDemographics>, StorageError> {
        Ok(Vec::new())
    }
}

struct Hub {
    service: MemberService,
    members: Arc<MemoryMembers>,
    work: Arc<MemoryWork>,
    downloads: Arc<MemoryDownloads>,
    audit: Arc<MemoryAudit>,
}

/// Resource downloads in memory (the export lists the member's own).
#[derive(Default)]
struct MemoryDownloads(Mutex<Vec<crate::resource::Download>>);

#[async_trait]
impl ResourceRepository for MemoryDownloads {
    async fn create_resource(
        &self,
        _: &crate::resource::Resource,
        _: &AuditEntry,
    ) -> Result<(), WriteError> {
        Ok(())
    }

    async fn resources(
        &self,
        _: Option<crate::resource::Approach>,
    ) -> Result<Vec<crate::resource::Resource>, StorageError> {
        Ok(Vec::new())
    }

    async fn resource(&self, _: Uuid) -> Result<Option<crate::resource::Resource>, StorageError> {
        Ok(None)
    }

    async fn record_download(
        &self,
        download: &crate::resource::Download,
    ) -> Result<(), StorageError> {
        self.0.lock().unwrap().push(download.clone());
        Ok(())
    }

    async fn downloads_by(
        &self,
        member: MemberId,
    ) -> Result<Vec<crate::resource::Download>, StorageError> {
        let downloads = self.0.lock().unwrap();
        Ok(downloads
            .iter()
            .filter(|d| d.member_id == member)
            .cloned()
            .collect())
    }
}

fn hub() -> Hub {
    let audit = Arc::new(MemoryAudit::default());
    let members = Arc::new(MemoryMembers(Mutex::default(), audit.clone()));
    let work = Arc::new(MemoryWork::default());
    let downloads = Arc::new(MemoryDownloads::default());
    let service = MemberService::new(
        members.clone(),
        work.clone(),
        downloads.clone(),
        AuditLog::new(audit.clone()),
        Arc::new(Taxonomy::reference()),
    );
    Hub {
        service,
        members,
        work,
        downloads,
        audit,
    }
}

fn registration(email: &str) -> Registration {
    Registration::parse(email, "correct horse battery", "Ada Okafor").unwrap()
}

impl Hub {
    async fn member(&self, role: Role) -> Context {
        let email = format!("{}@example.org", MemberId::generate());
        let member = self
            .service
            .register(registration(&email), "hash".into(), None, Utc::now())
            .await
            .unwrap();
        if role != Role::Member {
            let mut members = self.members.0.lock().unwrap();
            let stored = members.iter_mut().find(|m| m.id == member.id).unwrap();
            stored.role = role;
        }
        Context::new(Actor::new(member.id, role), Some("req".into()))
    }

    fn actions(&self) -> Vec<String> {
        let entries = self.audit.0.lock().unwrap();
        entries.iter().map(|e| e.action.clone()).collect()
    }
}

fn submission(author: MemberId, status: Status) -> Submission {
    Submission::blank(SubmissionId::generate(), author, status, Utc::now())
}

#[test]
fn a_registration_names_every_invalid_field() {
    let Err(errors) = Registration::parse("ada", "short", " ") else {
        panic!("accepted");
    };
    let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["email", "password", "display_name"]);
}

#[tokio::test]
async fn registering_a_taken_address_answers_alike_and_stores_nothing() {
    let hub = hub();
    let first = hub
        .service
        .register(
            registration("ada@example.org"),
            "hash".into(),
            None,
            Utc::now(),
        )
        .await
        .unwrap();

    let again = hub
        .service
        .register(
            registration("Ada@Example.org"),
            "other".into(),
            None,
            Utc::now(),
        )
        .await
        .unwrap();

    assert_ne!(again.id, first.id, "an id that belongs to no one");
    assert_eq!(again.email, first.email);
    assert_eq!(again.role, Role::Member);
    assert_eq!(hub.members.0.lock().unwrap().len(), 1);
    assert_eq!(
        hub.actions(),
        vec!["member_registered", "registration_repeated"]
    );
}

#[tokio::test]
async fn only_admins_change_roles_and_unknown_roles_and_members_are_refused() {
    let hub = hub();
    let admin = hub.member(Role::Admin).await;
    let reviewer = hub.member(Role::Reviewer).await;
    let member = hub.member(Role::Member).await;

    let by_reviewer = hub
        .service
        .set_role(&reviewer, member.actor.id, "admin")
        .await;
    let unknown_role = hub.service.set_role(&admin, member.actor.id, "root").await;
    let no_one = hub
        .service
        .set_role(&admin, MemberId::generate(), "reviewer")
        .await;
    let promoted = hub
        .service
        .set_role(&admin, member.actor.id, "reviewer")
        .await
        .unwrap();

    assert!(matches!(by_reviewer, Err(SetRoleError::NotAdmin)));
    assert!(matches!(unknown_role, Err(SetRoleError::Invalid(_))));
    assert!(matches!(no_one, Err(SetRoleError::NotFound)));
    assert_eq!(promoted.role, Role::Reviewer);
    let entries = hub.audit.0.lock().unwrap();
    let change = entries.iter().find(|e| e.action == "role_changed").unwrap();
    assert_eq!(change.details["role"], "reviewer");
    assert_eq!(change.actor_id, Some(admin.actor.id));
}

#[tokio::test]
async fn a_profile_change_is_checked_whole_before_anything_is_stored() {
    let hub = hub();
    let member = hub.member(Role::Member).await;
    let bad = ProfileChange {
        display_name: Some(String::new()),
        demographics: DemographicsPatch {
            career_stage: Some(Some("galactic".into())),
            ..Default::default()
        },
        ..Default::default()
    };
    let good = ProfileChange {
        display_name: Some("Ada O.".into()),
        demographics: DemographicsPatch {
            region: Some(Some("london".into())),
            ..Default::default()
        },
        ..Default::default()
    };

    let refused = hub.service.update_profile(&member, bad).await;
    let changed = hub.service.update_profile(&member, good).await.unwrap();

    let Err(UpdateProfileError::Invalid(errors)) = refused else {
        panic!("accepted");
    };
    let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["display_name", "career_stage"]);
    assert_eq!(changed.display_name, "Ada O.");
    assert_eq!(changed.demographics.region.as_deref(), Some("london"));
}

#[tokio::test]
async fn an_erasure_returns_the_drafts_to_discard_and_the_member_is_gone() {
    let hub = hub();
    let member = hub.member(Role::Member).await;
    let draft = submission(member.actor.id, Status::Draft);
    let published = submission(member.actor.id, Status::Published);
    hub.work
        .0
        .lock()
        .unwrap()
        .extend([draft.clone(), published]);

    let drafts = hub
        .service
        .erase(&member, PasswordConfirmed::assumed())
        .await
        .unwrap();

    assert_eq!(drafts, vec![draft.id]);
    assert!(matches!(
        hub.service.profile(&member).await,
        Err(ProfileError::Gone)
    ));
    assert!(matches!(
        hub.service.export(&member).await,
        Err(ProfileError::Gone)
    ));
    assert_eq!(
        hub.actions().last().map(String::as_str),
        Some("member_erased")
    );
}

#[tokio::test]
async fn an_export_holds_the_profile_the_work_and_the_members_own_activity() {
    let hub = hub();
    let member = hub.member(Role::Member).await;
    let other = hub.member(Role::Member).await;
    hub.work.0.lock().unwrap().extend([
        submission(member.actor.id, Status::Draft),
        submission(other.actor.id, Status::Draft),
    ]);
    let download = |by: MemberId| crate::resource::Download {
        id: Uuid::now_v7(),
        resource_id: Uuid::from_u128(7),
        member_id: by,
        at: Utc::now(),
    };
    for by in [member.actor.id, other.actor.id] {
        hub.downloads.record_download(&download(by)).await.unwrap();
    }

    let data = hub.service.export(&member).await.unwrap();

    assert_eq!(data.profile.id, member.actor.id);
    assert_eq!(data.submissions.len(), 1);
    assert_eq!(data.resource_downloads.len(), 1, "only the member's own");
    assert_eq!(data.resource_downloads[0].member_id, member.actor.id);
    assert_eq!(data.exported_at, member.now);
    assert!(
        data.activity
            .iter()
            .all(|e| e.actor_id == Some(member.actor.id))
    );
    assert_eq!(data.activity.len(), 1, "registering");
    assert_eq!(
        hub.actions().last().map(String::as_str),
        Some("member_data_exported")
    );
}
