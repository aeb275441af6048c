use crate::auth::Caller;
use crate::dto::member::{MemberView, RoleRequest};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, put, web};
use domain::MemberId;
use uuid::Uuid;

/// Give a member another role (admins only).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The member's id")),
    request_body = RoleRequest,
    responses(
        (status = 200, description = "The member with the new role", body = MemberView),
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = Problem, content_type = "application/problem+json"),
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
    let member = state
        .member_service
        .set_role(
            &caller.context(request_id),
            MemberId(id.into_inner()),
            &body.0.role,
        )
        .await?;
    Ok(HttpResponse::Ok().json(MemberView::from(member)))
}
