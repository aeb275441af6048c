//! Black-box tests: each starts the real service on its own database and talks HTTP.

mod attachments;
mod auth;
mod errors;
mod health;
mod members;
mod openapi;
mod submissions;
mod submissions_list;
mod taxonomy;
