use crate::dto::taxonomy::TaxonomyView;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// The vocabulary of the hub.
///
/// The vocabulary: workforce priorities, practice areas, topics, evidence
/// types, nations, regions, lifecycle values and demographic options.
#[utoipa::path(tag = "taxonomy", responses((status = 200, description = "Every vocabulary the API accepts", body = TaxonomyView)))]
#[get("/taxonomy")]
pub async fn get_taxonomy(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(TaxonomyView::from(state.taxonomy.as_ref()))
}
