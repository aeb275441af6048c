//! The Innovation hub's HTTP API: configuration, startup, authentication,
//! problem+json errors, the OpenAPI document and one module per route.

pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod constraints;
pub mod contract;
pub mod dto;
pub mod error;
pub mod export;
pub mod extract;
pub mod headers;
pub mod idempotency;
pub mod limits;
pub mod mail;
pub mod middleware;
pub mod multipart;
pub mod newline;
pub mod openapi;
pub mod rate_limit;
pub mod routes;
pub mod shutdown;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod webhooks;
