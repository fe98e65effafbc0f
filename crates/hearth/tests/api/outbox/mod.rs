//! Outbound messages over real servers on loopback: an SMTP server and an
//! HTTP server (SMS provider, webhook receiver) written here, the worker in
//! process or as `hearth worker` child processes.

mod crash;
mod pages;
mod reminders;
mod sending;
mod tls;
mod webhooks;

use crate::helpers::*;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

#[path = "../../support/smtp.rs"]
mod smtp;
pub use smtp::{Mail, SinkTls, SmtpSink};

impl SmtpSink {
    pub fn worker_config(&self) -> hearth_worker::SmtpConfig {
        hearth_worker::SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: hearth_worker::TlsMode::None,
            username: None,
            password: None,
            from: "Acme Heating <office@acme.example>".into(),
            ca_file: None,
        }
    }
}

/// One request the HTTP server received.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

/// An HTTP server standing in for the SMS provider and webhook receivers:
/// it records every request and answers 500 to the first `fail_first`
/// ones (all, with `usize::MAX`), 201 after that.
pub struct HttpSink {
    pub base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl HttpSink {
    pub async fn start(fail_first: usize) -> HttpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let failures = Arc::new(AtomicUsize::new(fail_first));
        let log = received.clone();
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
                let (log, failures) = (log.clone(), failures.clone());
                async move {
                    log.lock().unwrap().push(Received {
                        path: uri.path().to_string(),
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let fail = failures
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if fail {
                        (AxumStatus::INTERNAL_SERVER_ERROR, "provider down")
                    } else {
                        (AxumStatus::CREATED, "{}")
                    }
                }
            },
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        HttpSink { base, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn sms_config(&self) -> hearth_worker::SmsConfig {
        hearth_worker::SmsConfig {
            base_url: self.base.clone(),
            account_sid: "AC123".into(),
            auth_token: hearth_server::Secret::new("sms-token"),
            from: "+15125550100".into(),
        }
    }
}

/// A worker configuration for tests: quick polling and retries.
pub fn worker_config(app: &TestApp) -> hearth_worker::Config {
    hearth_worker::Config {
        public_url: app.base.clone(),
        retry: hearth_domain::outbox::RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(20),
            cap: Duration::from_millis(100),
        },
        lease: Duration::from_secs(30),
        poll: Duration::from_millis(20),
        ..hearth_worker::Config::default()
    }
}

/// Runs a worker in this process until the returned sender is dropped.
pub fn spawn_worker(
    app: &TestApp,
    config: hearth_worker::Config,
) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let store = app.store.clone();
    tokio::spawn(hearth_worker::run(store, config, async move {
        let _ = stopped.await;
    }));
    stop
}

/// Polls `check` until it returns a value; fails the test after 20 s.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..400 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The customer's communications, newest first.
pub async fn communications(app: &TestApp, org: &TestOrg, customer: &str) -> Vec<Value> {
    let res = app
        .get(org, &format!("/api/v1/customers/{customer}/communications"))
        .await;
    expect_status(res, StatusCode::OK, app.engine).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until the customer's newest communication leaves `queued`.
pub async fn settled(app: &TestApp, org: &TestOrg, customer: &str) -> Value {
    eventually("the message to leave the queue", || async {
        let first = communications(app, org, customer)
            .await
            .into_iter()
            .next()?;
        (first["status"] != "queued").then_some(first)
    })
    .await
}
