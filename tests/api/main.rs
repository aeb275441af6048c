//! Black-box tests: each starts the real service on its own database and talks HTTP.

mod attachments;
mod audit;
mod auth;
mod data_rights;
mod errors;
mod events;
mod fuzz_regressions;
mod health;
mod idempotency;
mod limits;
mod members;
mod openapi;
mod reports;
mod reviews;
mod submissions;
mod submissions_list;
mod taxonomy;
mod tokens;
mod webhooks;
