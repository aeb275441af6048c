//! One module per area, one handler per operation.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod clinics;
pub mod events;
pub mod health;
pub mod members;
pub mod reports;
pub mod resources;
pub mod spread;
pub mod submissions;
pub mod taxonomy;
pub mod unsubscribe;
pub mod webhooks;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every documented route; the server and the `openapi` command both use this.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::openapi_document)
        .service(
            scope::scope("/api/v1")
                .service(auth::register::register)
                .service(auth::login::login)
                .service(auth::logout::logout)
                .service(members::me::get_me)
                .service(members::me::update_me)
                .service(members::password::change_password)
                .service(members::role::set_role)
                .service(members::tokens::create_token)
                .service(members::tokens::list_tokens)
                .service(members::tokens::revoke_token)
                .service(taxonomy::get_taxonomy)
                .service(submissions::create::create_submission)
                .service(submissions::list::list_submissions)
                .service(submissions::get::get_submission)
                .service(submissions::update::update_submission)
                .service(submissions::delete::delete_submission)
                .service(submissions::transition::submit_submission)
                .service(submissions::transition::withdraw_submission)
                .service(submissions::review::claim_submission)
                .service(submissions::review::reassign_reviewer)
                .service(submissions::review::create_review)
                .service(submissions::review::list_reviews)
                .service(submissions::queue::review_queue)
                .service(submissions::history::get_history)
                .service(submissions::related::related_submissions)
                .service(submissions::history::get_revision)
                .service(submissions::recommendations::report_recommendation_event)
                .service(submissions::recommendations::list_recommendations)
                .service(submissions::recommendations::recommendation_events_in_quarter)
                .service(spread::adoptions::report_adoption)
                .service(spread::adoptions::list_adoptions)
                .service(spread::inclusions::record_inclusion)
                .service(spread::inclusions::list_inclusions)
                .service(clinics::create_clinic)
                .service(clinics::list_clinics)
                .service(clinics::presentations::present_business_case)
                .service(clinics::presentations::list_presentations)
                .service(resources::publish_resource)
                .service(resources::list_resources)
                .service(resources::get_resource)
                .service(resources::download_resource)
                .service(members::data_rights::export_me)
                .service(members::data_rights::erase_me)
                .service(members::notifications::get_notifications)
                .service(members::notifications::set_notifications)
                .service(unsubscribe::unsubscribe)
                .service(unsubscribe::unsubscribe_page)
                .service(audit::list_audit)
                .service(events::list_events)
                .service(webhooks::create_webhook)
                .service(webhooks::list_webhooks)
                .service(webhooks::list_deliveries)
                .service(webhooks::update_webhook)
                .service(webhooks::delete_webhook)
                .service(webhooks::rotate_webhook_secret)
                .service(reports::series::quarterly_series)
                .service(reports::snapshots::create_snapshot)
                .service(reports::snapshots::list_snapshots)
                .service(reports::snapshots::get_snapshot)
                .service(reports::quarterly::quarterly_report)
                .service(attachments::upload::upload_attachment)
                .service(attachments::list::list_attachments)
                .service(attachments::download::download_attachment)
                .service(attachments::delete::delete_attachment),
        )
        .service(health::live)
        .service(health::ready)
        .service(health::metrics);
}
