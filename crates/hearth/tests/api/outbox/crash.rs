//! "Never lost, never sent twice": workers as separate `hearth worker`
//! processes, one killed with SIGKILL in the middle of a delivery, and two
//! draining one queue at once.

use super::*;
use serde_json::json;
use std::process::{Child, Command, Stdio};

/// A `hearth worker` child process, killed when dropped.
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn worker(app: &TestApp, smtp: &SmtpSink) -> Worker {
    let port = smtp.port.to_string();
    let child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(&app.db_args)
        .args(["worker", "--smtp-host", "127.0.0.1", "--smtp-port", &port])
        .args(["--smtp-tls", "none", "--public-url", &app.base])
        // A dead worker's rows come back after two seconds.
        .args(["--outbox-lease-secs", "2", "--outbox-poll-secs", "0.05"])
        .env_remove("DATABASE_URL")
        .env("HEARTH_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hearth worker");
    Worker(child)
}

/// Queues `n` emails to Grace; returns their subjects.
async fn queue(app: &TestApp, org: &TestOrg, customer: &str, n: usize) -> Vec<String> {
    let mut subjects = Vec::new();
    for i in 0..n {
        let subject = format!("Message {i}");
        expect_status(
            app.post(
                org,
                &format!("/api/v1/customers/{customer}/messages"),
                json!({"channel": "email", "subject": subject, "body": "Hello"}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        subjects.push(subject);
    }
    subjects
}

async fn all_sent(app: &TestApp, org: &TestOrg, customer: &str, n: usize) {
    eventually("every message to be sent", || async {
        let all = expect_status(
            app.get(
                org,
                &format!("/api/v1/customers/{customer}/communications?limit=200"),
            )
            .await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        let items = all["items"].as_array().unwrap().clone();
        (items.len() == n && items.iter().all(|m| m["status"] == "sent")).then_some(())
    })
    .await
}

/// Each subject accepted exactly once, under one Message-ID each.
fn assert_exactly_once(smtp: &SmtpSink, subjects: &[String], engine: &str) {
    let accepted = smtp.accepted();
    let ids = smtp.by_message_id();
    assert_eq!(
        accepted.len(),
        subjects.len(),
        "[{engine}] accepted twice or lost: {ids:?}"
    );
    assert!(ids.values().all(|&n| n == 1), "[{engine}] {ids:?}");
    for s in subjects {
        let found = accepted
            .iter()
            .filter(|m| m.raw.contains(&format!("Subject: {s}\r\n")))
            .count();
        assert_eq!(found, 1, "[{engine}] {s}");
    }
}

#[tokio::test]
async fn a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice() {
    for app in apps().await {
        let org = app.org("acme").await;
        let grace = app.grace(&org).await["id"].as_str().unwrap().to_string();
        let subjects = queue(&app, &org, &grace, 5).await;
        // The server holds the first message's DATA unanswered.
        let smtp = SmtpSink::start(true).await;
        let mut first = worker(&app, &smtp);
        tokio::time::timeout(Duration::from_secs(30), smtp.held.notified())
            .await
            .expect("the first worker reached DATA");
        first.0.kill().expect("kill -9 the worker");
        first.0.wait().unwrap();
        assert!(smtp.accepted().is_empty(), "nothing was acknowledged yet");
        let _second = worker(&app, &smtp);
        all_sent(&app, &org, &grace, subjects.len()).await;
        assert_exactly_once(&smtp, &subjects, app.engine);
    }
}

#[tokio::test]
async fn two_workers_on_one_database_deliver_each_message_once() {
    for app in apps().await {
        let org = app.org("acme").await;
        let grace = app.grace(&org).await["id"].as_str().unwrap().to_string();
        let subjects = queue(&app, &org, &grace, 60).await;
        let smtp = SmtpSink::start(false).await;
        let _a = worker(&app, &smtp);
        let _b = worker(&app, &smtp);
        all_sent(&app, &org, &grace, subjects.len()).await;
        assert_exactly_once(&smtp, &subjects, app.engine);
    }
}
