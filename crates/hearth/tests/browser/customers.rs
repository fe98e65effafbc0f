//! Signing in, editing a customer and building up the card; the live incoming-call card.

use crate::support::*;
use anyhow::{Result, bail, ensure};
use fantoccini::{Client, Locator};
use std::time::Duration;

/// Creates the customer the browser will look at, over the REST API.
async fn create_customer(base: &str, api_key: &str) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("building an HTTP client")
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(api_key)
        .json(&serde_json::json!({
            "first_name": "Grace",
            "last_name": "Hopper",
            "phone": "(512) 555-0188",
        }))
        .send()
        .await
        .expect("POST /api/v1/customers");
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(
        status,
        reqwest::StatusCode::CREATED,
        "creating the customer: {body}"
    );
}

/// What the staff member does in the browser.
async fn walk_through(client: &Client, base: &str) -> Result<()> {
    // Not signed in: the customer list sends us to the login page.
    client.goto(&format!("{base}/customers")).await?;
    let email = wait_for(client, Locator::Css("input[name=email]")).await?;
    let url = client.current_url().await?;
    ensure!(url.path() == "/login", "expected the login page, got {url}");
    email.send_keys(EMAIL).await?;
    client
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    client
        .find(Locator::Css("form.login button[type=submit]"))
        .await?
        .click()
        .await?;

    // Signed in, back on the customer list.
    let grace = wait_for(client, Locator::LinkText("Grace Hopper")).await?;
    let url = client.current_url().await?;
    ensure!(
        url.path() == "/customers",
        "expected the customer list after signing in, got {url}"
    );
    grace.click().await?;

    // The customer page.
    wait_for(client, Locator::Css("section.timeline")).await?;
    let text = page_text(client).await?;
    ensure!(
        text.contains("Grace Hopper"),
        "customer page lacks the name:\n{text}"
    );
    ensure!(
        text.contains("+15125550188"),
        "customer page lacks the phone in E.164:\n{text}"
    );

    // Edit the first name.
    client
        .find(Locator::LinkText("Edit"))
        .await?
        .click()
        .await?;
    let first = wait_for(client, Locator::Css("input[name=first_name]")).await?;
    first.clear().await?;
    first.send_keys("Amazing Grace").await?;
    client
        .find(Locator::XPath(
            "//main//form//button[normalize-space()='Save']",
        ))
        .await?
        .click()
        .await?;

    // Back on the customer page, renamed, with the change in the timeline.
    wait_for(
        client,
        Locator::XPath("//h1[normalize-space()='Amazing Grace Hopper']"),
    )
    .await?;
    let text = page_text(client).await?;
    ensure!(
        text.contains("Amazing Grace Hopper"),
        "customer page lacks the new name:\n{text}"
    );
    let timeline = client
        .find(Locator::Css("section.timeline"))
        .await?
        .text()
        .await?;
    if !timeline.contains("Changed first name") {
        bail!("timeline lacks the edit:\n{timeline}");
    }
    Ok(())
}

/// On the card: add a tag, a service address and a piece of equipment at
/// it, and see all three on the card and in the timeline.
async fn build_up_the_card(client: &Client) -> Result<()> {
    wait_for(client, Locator::Css("section.timeline")).await?;
    client
        .find(Locator::XPath(
            "//form[substring(@action, string-length(@action) - 4) = '/tags']//button",
        ))
        .await?
        .click()
        .await?;
    wait_for(client, Locator::XPath("//main//ul//*[contains(., 'VIP')]")).await?;

    client
        .find(Locator::XPath(
            "//summary[normalize-space()='Add a service address']",
        ))
        .await?
        .click()
        .await?;
    fill(client, "/addresses", "line1", "12 Elm Street").await?;
    fill(client, "/addresses", "city", "Austin").await?;
    fill(client, "/addresses", "postal_code", "78701").await?;
    client
        .find(Locator::XPath("//button[normalize-space()='Save address']"))
        .await?
        .click()
        .await?;
    wait_for(
        client,
        Locator::XPath("//summary[normalize-space()='Add equipment here']"),
    )
    .await?
    .click()
    .await?;
    fill(client, "/equipment", "kind", "Furnace").await?;
    fill(client, "/equipment", "make", "Carrier").await?;
    fill(client, "/equipment", "model", "59TP6").await?;
    fill(client, "/equipment", "serial_number", "SN-4471").await?;
    client
        .find(Locator::XPath(
            "//button[normalize-space()='Save equipment']",
        ))
        .await?
        .click()
        .await?;
    wait_for(client, Locator::XPath("//main//*[contains(., 'SN-4471')]")).await?;

    let text = page_text(client).await?;
    for expected in ["VIP", "12 Elm Street", "Carrier", "SN-4471"] {
        ensure!(
            text.contains(expected),
            "the card lacks {expected:?}:\n{text}"
        );
    }
    let timeline = client
        .find(Locator::Css("section.timeline"))
        .await?
        .text()
        .await?;
    for kind in ["tag", "address", "equipment"] {
        ensure!(
            timeline.contains(kind),
            "the timeline lacks a {kind} entry:\n{timeline}"
        );
    }
    Ok(())
}

/// The dashboard shows who is calling when a call comes in.
async fn incoming_call_card(client: &Client, base: &str, api_key: &str) -> Result<()> {
    client.goto(&format!("{base}/")).await?;
    wait_for(client, Locator::Css("#incoming-calls")).await?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    // The page's EventSource connects on its own time: ring until it shows.
    for _ in 0..40 {
        http.post(format!("{base}/api/v1/calls/incoming"))
            .bearer_auth(api_key)
            .json(&serde_json::json!({"number": "512 555 0188"}))
            .send()
            .await?
            .error_for_status()?;
        tokio::time::sleep(Duration::from_millis(250)).await;
        if let Ok(card) = client
            .find(Locator::Css("#incoming-calls .call-card"))
            .await
        {
            let text = card.text().await?;
            ensure!(
                text.contains("Amazing Grace Hopper") && text.contains("+15125550188"),
                "the call card shows:\n{text}"
            );
            return Ok(());
        }
    }
    bail!("no incoming-call card appeared on the dashboard")
}

#[tokio::test]
async fn staff_sign_in_and_edit_a_customer_in_a_browser() {
    if !browser_available() {
        return;
    }

    let data = tempfile::tempdir().expect("temp data dir");
    let dir = data.path();
    let api_key = set_up_org(dir, "Browser Test Co", "browser-co");

    let (_server, base) = serve(dir).await;
    create_customer(&base, &api_key).await;
    let tag = api(&base, &api_key, reqwest::Method::POST, "/api/v1/tags")
        .json(&serde_json::json!({"name": "VIP", "colour": "#b42318"}))
        .send()
        .await
        .expect("create tag");
    assert!(
        tag.status().is_success(),
        "creating the VIP tag: {}",
        tag.status()
    );

    let (_driver, webdriver) = chromedriver().await;
    let profile = tempfile::tempdir().expect("temp browser profile");
    let client = connect_browser(&webdriver, profile.path())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = match walk_through(&client, &base).await {
        Ok(()) => build_up_the_card(&client).await,
        failed => failed,
    };
    let outcome = match outcome {
        Ok(()) => incoming_call_card(&client, &base, &api_key).await,
        failed => failed,
    };
    finish(client, outcome).await;
}
