use chrono::{DateTime, Utc};
use domain::member::{Demographics, Member, RecordedDemographics};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ada.okafor@example.org", "password": "a long passphrase 42", "display_name": "Ada Okafor"}))]
pub struct RegisterRequest {
    /// The member's email address; one account per address.
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    /// The name shown with the member's work.
    pub display_name: String,
}

/// Credentials for an access token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ada.okafor@example.org", "password": "a long passphrase 42"}))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A bearer access token.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9...", "token_type": "Bearer", "expires_in": 3600}))]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Self-declared demographics; every field optional, closed lists accept `prefer_not_to_say`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DemographicsView {
    pub career_stage: Option<String>,
    pub level_of_practice: Option<String>,
    pub sector: Option<String>,
    pub job_title: Option<String>,
    pub nation: Option<String>,
    pub region: Option<String>,
}

impl From<Demographics> for DemographicsView {
    fn from(d: Demographics) -> Self {
        Self {
            career_stage: d.career_stage,
            level_of_practice: d.level_of_practice,
            sector: d.sector,
            job_title: d.job_title,
            nation: d.nation,
            region: d.region,
        }
    }
}

/// A submitter's demographics as recorded with a submission at its first submit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordedDemographicsView {
    pub submission_id: uuid::Uuid,
    pub demographics: DemographicsView,
}

impl From<RecordedDemographics> for RecordedDemographicsView {
    fn from(recorded: RecordedDemographics) -> Self {
        Self {
            submission_id: recorded.submission_id.0,
            demographics: recorded.demographics.into(),
        }
    }
}

/// A member's profile.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5b0-7c1e-7d3a-9f2e-3b4c5d6e7f80", "email": "ada.okafor@example.org", "display_name": "Ada Okafor",
    "role": "member", "career_stage": "mid", "level_of_practice": "advanced", "sector": "statutory",
    "job_title": "Advanced occupational therapist", "nation": "england", "region": "london",
    "demographics": {"career_stage": "mid", "level_of_practice": "advanced", "sector": "statutory",
        "job_title": "Advanced occupational therapist", "nation": "england", "region": "london"},
    "created_at": "2025-07-01T09:30:00Z", "updated_at": "2025-07-01T09:30:00Z"
}))]
pub struct MemberView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// `member`, `reviewer` or `admin`.
    pub role: String,
    pub career_stage: Option<String>,
    pub level_of_practice: Option<String>,
    pub sector: Option<String>,
    pub job_title: Option<String>,
    pub nation: Option<String>,
    pub region: Option<String>,
    /// The same demographics, grouped.
    pub demographics: DemographicsView,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub updated_at: DateTime<Utc>,
}

impl From<Member> for MemberView {
    fn from(member: Member) -> Self {
        let Demographics {
            career_stage,
            level_of_practice,
            sector,
            job_title,
            nation,
            region,
        } = member.demographics;
        let demographics = DemographicsView {
            career_stage: career_stage.clone(),
            level_of_practice: level_of_practice.clone(),
            sector: sector.clone(),
            job_title: job_title.clone(),
            nation: nation.clone(),
            region: region.clone(),
        };
        Self {
            id: member.id.0,
            email: member.email,
            display_name: member.display_name,
            role: member.role.as_str().to_owned(),
            career_stage,
            level_of_practice,
            sector,
            job_title,
            nation,
            region,
            demographics,
            created_at: member.created_at,
            updated_at: member.updated_at,
        }
    }
}

/// Tells "absent" (leave alone) from `null` (clear) in a PATCH body.
pub fn patch_field<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Demographic fields of a profile change: absent leaves a field, `null` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemographicsPatchBody {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, example = "mid")]
    pub career_stage: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, example = "advanced")]
    pub level_of_practice: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, example = "statutory")]
    pub sector: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, example = "Advanced occupational therapist")]
    pub job_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, example = "england")]
    pub nation: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, example = "london")]
    pub region: Option<Option<String>>,
}

/// A change to the caller's profile. Demographics may be sent at the top level
/// or grouped under `demographics`; absent fields are left alone, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Ada Okafor", "career_stage": "mid", "region": "london", "job_title": null}))]
pub struct UpdateMeRequest {
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub career_stage: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub level_of_practice: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub sector: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub job_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub nation: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    #[serde(default, deserialize_with = "object_only")]
    pub demographics: Option<DemographicsPatchBody>,
}

/// `demographics` must be a JSON object (or `null`): serde would otherwise
/// read a struct from an array by position, so `[null, null]` would pass.
fn object_only<'de, D>(deserializer: D) -> Result<Option<DemographicsPatchBody>, D::Error>
where
    D: Deserializer<'de>,
{
    use serde::de::Error;
    match Option::<serde_json::Map<String, serde_json::Value>>::deserialize(deserializer)? {
        None => Ok(None),
        Some(fields) => DemographicsPatchBody::deserialize(serde_json::Value::Object(fields))
            .map(Some)
            .map_err(D::Error::custom),
    }
}

impl UpdateMeRequest {
    /// The demographic changes, top-level fields taking precedence over
    /// grouped ones; and the grouped values they override.
    pub fn demographics_patch(
        &mut self,
    ) -> (
        domain::member::DemographicsPatch,
        domain::member::DemographicsPatch,
    ) {
        let grouped = self.demographics.take().unwrap_or_default();
        let mut overridden = domain::member::DemographicsPatch::default();
        macro_rules! pick {
            ($($field:ident),*) => {
                domain::member::DemographicsPatch { $($field: match self.$field.take() {
                    Some(top) => {
                        overridden.$field = grouped.$field;
                        Some(top)
                    }
                    None => grouped.$field,
                },)* }
            };
        }
        let patch = pick!(
            career_stage,
            level_of_practice,
            sector,
            job_title,
            nation,
            region
        );
        (patch, overridden)
    }
}

/// A new role for a member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "reviewer"}))]
pub struct RoleRequest {
    /// `member`, `reviewer` or `admin`.
    pub role: String,
}

/// A new password, with the current one typed again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "a long passphrase 42", "new_password": "another long passphrase 7"}))]
pub struct ChangePasswordRequest {
    /// The password the caller signs in with now.
    pub current_password: Option<String>,
    /// At least 10 characters, as at registration.
    pub new_password: Option<String>,
}

/// The caller's password, typed again before the account is erased.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "a long passphrase 42"}))]
pub struct ErasureRequest {
    pub password: Option<String>,
}
