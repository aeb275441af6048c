//! The framework's ceiling: a bare actix-web handler returning a small JSON struct, with no
//! database, no authentication and no middleware. `bench/requests.sh` measures it in the same run
//! as the service so the service's figures can be read as a fraction of what actix-web itself
//! serves on the machine.
//!
//! `cargo run --release -p api --example ceiling -- 127.0.0.1:8090`

use actix_web::{App, HttpResponse, HttpServer, web};
use serde::Serialize;

#[derive(Serialize)]
struct Pong {
    id: u64,
    status: &'static str,
    title: &'static str,
}

async fn pong(path: web::Path<u64>) -> HttpResponse {
    HttpResponse::Ok().json(Pong {
        id: path.into_inner(),
        status: "published",
        title: "Reducing falls after discharge with a 72-hour OT home visit",
    })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    HttpServer::new(|| App::new().route("/ping/{id}", web::get().to(pong)))
        .bind(bind)?
        .run()
        .await
}
