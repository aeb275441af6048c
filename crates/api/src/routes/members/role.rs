use crate::auth::{Caller, require_admin};
use crate::dto::member::{MemberView, RoleRequest};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, put, web};
use domain::MemberId;
use domain::audit::AuditEntry;
use domain::member::Role;
use uuid::Uuid;

/// Give a member another role (admins only).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The member's id")),
    request_body = RoleRequest,
    responses(
        (status = 200, description = "The member with the new role", body = MemberView),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown role", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/members/{id}/role")]
#[tracing::instrument(skip_all, fields(admin = %caller.id, member = %id))]
pub async fn set_role(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
    body: JsonBody<RoleRequest>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let role: Role = body.0.role.parse().map_err(|()| {
        ApiError::validation(
            "role",
            "unknown_role",
            "must be one of member, reviewer, admin",
        )
    })?;
    let member = state
        .members
        .set_role(MemberId(id.into_inner()), role)
        .await
        .map_err(|e| match e {
            domain::repository::WriteError::NotFound => {
                ApiError::NotFound("no member with this id".into())
            }
            other => other.into(),
        })?;
    tracing::info!(role = role.as_str(), "role changed");
    state
        .audit(
            AuditEntry::new("role_changed", Some(caller.id))
                .target("member", member.id.0)
                .details(serde_json::json!({"role": role.as_str()}))
                .request(Some(request_id.0)),
        )
        .await;
    Ok(HttpResponse::Ok().json(MemberView::from(member)))
}
