//! Clients that open a connection and then trickle (or never send) the
//! request are cut off after `HUB_CLIENT_TIMEOUT_MS`, so they cannot hold
//! connections and workers forever.

use hub_tests::{TestApp, spawn_app_with};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT_MS: &str = "600";

async fn connect(app: &TestApp) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("connect {address}: {e}"))
}

/// Everything the server sends until it closes, and how long that took;
/// panics if the connection is still open after `limit`.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(
            limit.saturating_sub(started.elapsed()),
            stream.read(&mut buffer),
        )
        .await
        {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => panic!(
                "the server kept the connection open for {limit:?}; got {:?}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_request_head_that_never_ends_is_answered_408_and_closed() {
    let app = spawn_app_with(&[("HUB_CLIENT_TIMEOUT_MS", TIMEOUT_MS)]).await;
    let mut stream = connect(&app).await;

    stream
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (answer, took) = read_until_closed(&mut stream, Duration::from_secs(5)).await;

    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408_problem_and_closed() {
    let app = spawn_app_with(&[("HUB_CLIENT_TIMEOUT_MS", TIMEOUT_MS)]).await;
    let member = app.member().await;
    let mut stream = connect(&app).await;
    let head = format!(
        "POST /api/v1/submissions HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"kind\":",
        member.token
    );

    stream
        .write_all(head.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (answer, took) = read_until_closed(&mut stream, Duration::from_secs(5)).await;

    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
    let (_, _, mine) = app
        .get("/api/v1/submissions?mine=true", Some(&member.token))
        .await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let app = spawn_app_with(&[("HUB_CLIENT_TIMEOUT_MS", TIMEOUT_MS)]).await;
    let mut stream = connect(&app).await;

    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nHost: hub\r\n\r\n")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (answer, took) = read_until_closed(&mut stream, Duration::from_secs(5)).await;

    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let app = spawn_app_with(&[("HUB_CLIENT_TIMEOUT_MS", TIMEOUT_MS)]).await;
    let mut stream = connect(&app).await;

    let (answer, took) = read_until_closed(&mut stream, Duration::from_secs(5)).await;

    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
}
