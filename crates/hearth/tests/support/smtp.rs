//! A real SMTP server on loopback for tests: it counts a message as
//! delivered only once it has answered 250 to the end of its DATA. Shared
//! by the API tests (`api/outbox`) and the browser tests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// How the SMTP server secures its connections.
#[derive(Clone)]
pub enum SinkTls {
    Plain,
    /// Offers STARTTLS and upgrades when asked.
    Starttls(TlsAcceptor),
    /// TLS from the first byte.
    Implicit(TlsAcceptor),
}

/// A connection, plain or TLS.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// One email the SMTP server accepted (answered 250 to its DATA).
#[derive(Clone, Debug)]
pub struct Mail {
    pub message_id: String,
    pub raw: String,
    /// Whether it came over TLS.
    pub encrypted: bool,
}

impl Mail {
    /// The message with quoted-printable parts decoded (soft line breaks
    /// joined, `=XX` turned back into bytes).
    pub fn decoded(&self) -> String {
        let joined = self.raw.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'=', Some(b)) => {
                    out.push(b);
                    i += 3;
                }
                (b, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// An SMTP server that counts a message as delivered only once it has
/// answered 250 to the end of its DATA. With `hold_first`, the first
/// message's DATA is read but never answered: the sender is stuck
/// mid-delivery until it dies.
pub struct SmtpSink {
    pub port: u16,
    accepted: Arc<Mutex<Vec<Mail>>>,
    hold_first: Arc<AtomicBool>,
    pub held: Arc<tokio::sync::Notify>,
}

impl SmtpSink {
    pub async fn start(hold_first: bool) -> SmtpSink {
        SmtpSink::start_with(hold_first, SinkTls::Plain).await
    }

    pub async fn start_with(hold_first: bool, tls: SinkTls) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = SmtpSink {
            port: listener.local_addr().unwrap().port(),
            accepted: Arc::default(),
            hold_first: Arc::new(AtomicBool::new(hold_first)),
            held: Arc::default(),
        };
        let (accepted, hold, held) = (
            sink.accepted.clone(),
            sink.hold_first.clone(),
            sink.held.clone(),
        );
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (accepted, hold, held) = (accepted.clone(), hold.clone(), held.clone());
                let tls = tls.clone();
                tokio::spawn(async move {
                    let (stream, encrypted, starttls): (Box<dyn Stream>, _, _) = match tls {
                        SinkTls::Plain => (Box::new(stream), false, None),
                        SinkTls::Starttls(acceptor) => (Box::new(stream), false, Some(acceptor)),
                        // A client that refuses the certificate ends here.
                        SinkTls::Implicit(acceptor) => match acceptor.accept(stream).await {
                            Ok(tls) => (Box::new(tls), true, None),
                            Err(_) => return,
                        },
                    };
                    let _ = session(stream, encrypted, starttls, accepted, hold, held).await;
                });
            }
        });
        sink
    }

    /// Every 250-accepted message, duplicates included.
    pub fn accepted(&self) -> Vec<Mail> {
        self.accepted.lock().unwrap().clone()
    }

    /// Accepted messages by Message-ID: how often each was accepted.
    pub fn by_message_id(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for m in self.accepted() {
            *counts.entry(m.message_id).or_default() += 1;
        }
        counts
    }
}

/// One SMTP conversation on a plain or (`encrypted`) TLS connection; with
/// `starttls`, the upgrade is offered and, when asked for, the rest is
/// spoken over TLS.
async fn session(
    stream: Box<dyn Stream>,
    mut encrypted: bool,
    mut starttls: Option<TlsAcceptor>,
    accepted: Arc<Mutex<Vec<Mail>>>,
    hold: Arc<AtomicBool>,
    held: Arc<tokio::sync::Notify>,
) -> std::io::Result<()> {
    let mut s = BufReader::new(stream);
    s.write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if s.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") {
            let offer = if starttls.is_some() {
                "250-STARTTLS\r\n"
            } else {
                ""
            };
            s.write_all(format!("250-sink\r\n{offer}250 8BITMIME\r\n").as_bytes())
                .await?;
        } else if command == "STARTTLS"
            && let Some(acceptor) = starttls.take()
        {
            s.write_all(b"220 go ahead\r\n").await?;
            // The client waits for that answer, so nothing is buffered.
            let upgraded = acceptor.accept(s.into_inner()).await?;
            s = BufReader::new(Box::new(upgraded));
            encrypted = true;
        } else if command == "DATA" {
            s.write_all(b"354 go on\r\n").await?;
            let mut raw = String::new();
            loop {
                line.clear();
                if s.read_line(&mut line).await? == 0 {
                    // Dropped before the end of DATA: not a delivery.
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                raw.push_str(&line);
            }
            if hold.swap(false, Ordering::SeqCst) {
                held.notify_one();
                // Never answer: the sender is stuck here until it dies.
                std::future::pending::<()>().await;
            }
            let message_id = raw
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .starts_with("message-id:")
                        .then(|| l[11..].trim().to_string())
                })
                .unwrap_or_default();
            accepted.lock().unwrap().push(Mail {
                message_id,
                raw,
                encrypted,
            });
            s.write_all(b"250 accepted\r\n").await?;
        } else if command == "QUIT" {
            s.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            s.write_all(b"250 ok\r\n").await?;
        }
    }
}
