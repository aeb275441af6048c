//! A tiny SMTP server on 127.0.0.1 that accepts every mail and keeps it, so
//! tests can read what the service sent: EHLO/HELO, MAIL, RCPT, DATA, RSET,
//! NOOP and QUIT, no extensions, no TLS. It can be told to refuse the next
//! few mails with a transient `451`, as a busy server would.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One mail as received.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, CRLF line ends.
    pub data: String,
}

impl ReceivedMail {
    /// A header's value (first of that name), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self
            .data
            .split("\r\n\r\n")
            .next()
            .expect("the test expected this value to be present");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The body with quoted-printable soft line breaks and `=3D` undone, good
    /// enough to look for words in either part.
    pub fn body_text(&self) -> String {
        let body = self
            .data
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .expect("the test expected this value to be present");
        body.replace("=\r\n", "").replace("=3D", "=")
    }

    /// The one-click unsubscribe URL from `List-Unsubscribe`.
    pub fn unsubscribe_url(&self) -> Option<String> {
        let value = self.header("List-Unsubscribe")?;
        Some(
            value
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned(),
        )
    }
}

/// A running sink: its port and what it has received.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    /// How many more mails to refuse (at `MAIL FROM`) with a transient 451.
    refusals: Arc<AtomicUsize>,
    /// How many mails were refused so far.
    refused: Arc<AtomicUsize>,
}

impl SmtpSink {
    /// Starts listening on 127.0.0.1 on a free port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind the SMTP sink: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("{e}"))
            .port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let refusals = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let sink = Self {
            port,
            received,
            refusals,
            refused,
        };
        let shared = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        sink
    }

    /// Refuses the next `count` mails with `451 4.3.0` (try again later).
    pub fn refuse_next(&self, count: usize) {
        self.refusals.store(count, Ordering::SeqCst);
    }

    /// How many mails were refused so far.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// Takes one refusal, if any are left.
    fn take_refusal(&self) -> bool {
        self.refusals
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// The `HUB_SMTP_URL` that points at this sink.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Mails received for `address`.
    pub fn to(&self, address: &str) -> Vec<ReceivedMail> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits up to `within` until `address` has at least `count` mails; returns them.
    pub async fn wait_for(
        &self,
        address: &str,
        count: usize,
        within: Duration,
    ) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let mails = self.to(address);
            if mails.len() >= count || tokio::time::Instant::now() >= deadline {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

fn address_in(line: &str) -> String {
    let start = line.find('<').map(|i| i + 1).unwrap_or(0);
    let end = line.rfind('>').unwrap_or(line.len());
    line.get(start..end)
        .expect("the test expected this value to be present")
        .to_owned()
}

async fn serve(stream: TcpStream, sink: SmtpSink) {
    let log = sink.received.clone();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut from = String::new();
    let mut to = Vec::new();
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 sink\r\n"
        } else if command.starts_with("MAIL FROM:") && sink.take_refusal() {
            sink.refused.fetch_add(1, Ordering::SeqCst);
            b"451 4.3.0 busy, try again later\r\n"
        } else if command.starts_with("MAIL FROM:") {
            from = address_in(line.trim_end());
            to.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO:") {
            to.push(address_in(line.trim_end()));
            b"250 OK\r\n"
        } else if command == "DATA" {
            if write
                .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                .await
                .is_err()
            {
                return;
            }
            let mut data = String::new();
            loop {
                let mut part = String::new();
                match lines.read_line(&mut part).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if part == ".\r\n" || part == ".\n" {
                    break;
                }
                let unstuffed = part.strip_prefix('.').unwrap_or(&part);
                data.push_str(unstuffed);
            }
            log.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(ReceivedMail {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                });
            b"250 OK queued\r\n"
        } else if command == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else if command == "RSET" || command == "NOOP" {
            b"250 OK\r\n"
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
