//! A customer in the portal: asks for a sign-in link, reads it from a real
//! SMTP server on loopback (the server's own worker delivers it), signs in,
//! sees an invoice, books service and watches the visit move as staff
//! update it.

use crate::smtp::SmtpSink;
use crate::support::*;
use anyhow::{Context, Result, bail};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const EMAIL: &str = "ada@home.example.com";

async fn call(base: &str, key: &str, method: Method, path: &str, body: Value) -> Value {
    let res = api(base, key, method, path)
        .json(&body)
        .send()
        .await
        .expect("API call");
    let status = res.status();
    let body: Value = res.json().await.expect("JSON");
    assert!(status.is_success(), "{path}: {status}: {body}");
    body
}

/// The path of the sign-in link mailed to [`EMAIL`], once it arrives.
async fn link(smtp: &SmtpSink) -> Result<String> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let found = smtp.accepted().iter().find_map(|m| {
            let raw = m.decoded();
            let start = raw.find("/portal/auth/")?;
            Some(
                raw[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "/_-?=.".contains(*c))
                    .collect::<String>(),
            )
        });
        if let Some(link) = found {
            return Ok(link);
        }
        if tokio::time::Instant::now() > deadline {
            bail!("no sign-in link arrived by email");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `css` shows `text`.
async fn wait_text(client: &Client, css: &str, text: &str) -> Result<()> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && el.text().await.is_ok_and(|t| t.contains(text))
        {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("{css} never showed {text:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn walk(client: &Client, base: &str, key: &str, smtp: &SmtpSink) -> Result<()> {
    client
        .goto(&format!("{base}/portal/login?org=portal-co"))
        .await?;
    wait_for(client, Locator::Css("input#address"))
        .await?
        .send_keys(EMAIL)
        .await?;
    client
        .find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_text(client, "main", "Check your messages").await?;

    let link = link(smtp).await?;
    client.goto(&format!("{base}{link}")).await?;
    wait_for(client, Locator::Css("button#confirm"))
        .await?
        .click()
        .await?;
    wait_text(client, "main", "INV-000001").await?;
    client
        .find(Locator::LinkText("INV-000001"))
        .await?
        .click()
        .await?;
    wait_text(client, "main", "Furnace repair").await?;

    client.goto(&format!("{base}/portal/request")).await?;
    wait_for(client, Locator::Css("input#service_type"))
        .await?
        .send_keys("Boiler leaking")
        .await?;
    client
        .find(Locator::Css(
            "form[action='/portal/request'] button[type=submit]",
        ))
        .await?
        .click()
        .await?;
    wait_text(client, "[data-job-status]", "Scheduled").await?;
    let url = client.current_url().await?;
    let job = url
        .path()
        .strip_prefix("/portal/jobs/")
        .context("the booked visit's page")?
        .to_string();
    // Give the page's event stream a moment to connect.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Staff send the technician on the way; the page follows without a reload.
    call(
        base,
        key,
        Method::POST,
        &format!("/api/v1/jobs/{job}/status"),
        json!({"status": "en_route"}),
    )
    .await;
    wait_text(client, "[data-job-status]", "En route").await?;
    call(
        base,
        key,
        Method::POST,
        &format!("/api/v1/jobs/{job}/status"),
        json!({"status": "in_progress"}),
    )
    .await;
    wait_text(client, "[data-job-status]", "In progress").await?;
    Ok(())
}

#[tokio::test]
async fn a_customer_signs_in_by_email_sees_an_invoice_books_service_and_watches_the_visit_live() {
    if !browser_available() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let dir = data.path();
    let key = set_up_org(dir, "Portal Co", "portal-co");
    let smtp = SmtpSink::start(false).await;
    let port = smtp.port.to_string();
    let (_server, base) = serve_with(
        dir,
        &[
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--smtp-tls",
            "none",
            "--outbox-poll-secs",
            "0.1",
        ],
    )
    .await;

    let customer = call(
        &base,
        &key,
        Method::POST,
        "/api/v1/customers",
        json!({"first_name": "Ada", "last_name": "Home", "email": EMAIL}),
    )
    .await;
    let customer = customer["id"].as_str().expect("id").to_string();
    call(
        &base,
        &key,
        Method::POST,
        &format!("/api/v1/customers/{customer}/addresses"),
        json!({"line1": "12 Oak St", "city": "Austin", "region": "TX"}),
    )
    .await;
    call(
        &base,
        &key,
        Method::POST,
        "/api/v1/invoices",
        json!({"customer_id": customer, "status": "open",
               "lines": [{"description": "Furnace repair", "unit_price_minor": 24500}]}),
    )
    .await;

    let (_driver, webdriver) = chromedriver().await;
    let profile = tempfile::tempdir().expect("temp browser profile");
    let client = connect_browser(&webdriver, profile.path())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = walk(&client, &base, &key, &smtp).await;
    finish(client, outcome).await;
}
