//! Black-box tests: each starts the real service on its own database and talks HTTP.

mod abuse_bola;
mod abuse_input;
mod abuse_jwt;
mod abuse_privacy;
mod abuse_slow_clients;
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
mod read_cache;
mod report_rollups;
mod reports;
mod reviews;
mod submissions;
mod submissions_list;
mod taxonomy;
mod tokens;
mod webhooks;
