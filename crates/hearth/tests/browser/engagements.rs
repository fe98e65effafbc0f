//! Logging an engagement with a follow-up and completing its task.

use crate::support::*;
use anyhow::{Result, ensure};
use fantoccini::{Client, Locator};

/// Signs in through the login form and opens the customer card.
async fn sign_in_to_card(client: &Client, base: &str, customer: &str) -> Result<()> {
    sign_in(client, base, &format!("/customers/{customer}")).await?;
    wait_for(client, Locator::Css("section#engagements")).await?;
    Ok(())
}

/// Logs an engagement with a follow-up on the card, completes its task on
/// /tasks and sees the engagement greyed on the card.
async fn follow_up_walk(client: &Client, base: &str, customer: &str) -> Result<()> {
    sign_in_to_card(client, base, customer).await?;
    let form = "section#engagements form.engagement-form";
    client
        .find(Locator::Css(&format!("{form} input[name=subject]")))
        .await?
        .send_keys("Furnace tune-up offer")
        .await?;
    // The date defaults to today and "contacted by" to the signed-in user.
    client
        .find(Locator::Css(&format!("{form} input[name=follow_up]")))
        .await?
        .click()
        .await?;
    client
        .find(Locator::XPath(
            "//section[@id='engagements']//select[@name='follow_up_assignee']/option[normalize-space()='Olive Owner']",
        ))
        .await?
        .click()
        .await?;
    client
        .find(Locator::Css(&format!("{form} textarea[name=notes]")))
        .await?
        .send_keys("Call back after payday")
        .await?;
    client
        .find(Locator::Css(&format!("{form} button[type=submit]")))
        .await?
        .click()
        .await?;
    wait_for(
        client,
        Locator::XPath(
            "//tr[contains(@class,'engagement')]/td[normalize-space()='Furnace tune-up offer']",
        ),
    )
    .await?;
    ensure!(
        client
            .find_all(Locator::Css("tr.engagement.completed"))
            .await?
            .is_empty(),
        "a new follow-up is not completed"
    );

    client.goto(&format!("{base}/tasks")).await?;
    let task = wait_for(
        client,
        Locator::XPath("//li[contains(@class,'task')][.//span[normalize-space()='Follow up: Furnace tune-up offer']]"),
    )
    .await?;
    task.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for(
        client,
        Locator::XPath("//li[normalize-space()='Nothing to do.']"),
    )
    .await?;

    client.goto(&format!("{base}/customers/{customer}")).await?;
    let row = wait_for(client, Locator::Css("tr.engagement.completed")).await?;
    let text = row.text().await?;
    ensure!(
        text.contains("Furnace tune-up offer") && text.contains("Completed"),
        "completed engagement row reads: {text}"
    );
    Ok(())
}

#[tokio::test]
async fn staff_log_an_engagement_follow_up_and_complete_its_task_in_a_browser() {
    if !browser_available() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let dir = data.path();
    let api_key = set_up_org(dir, "Follow Co", "follow-co");
    let (_server, base) = serve(dir).await;
    let created: serde_json::Value = api(&base, &api_key, reqwest::Method::POST, "/api/v1/customers")
        .json(&serde_json::json!({"first_name": "Grace", "last_name": "Hopper", "phone": "(512) 555-0188"}))
        .send()
        .await
        .expect("POST customer")
        .json()
        .await
        .expect("customer JSON");
    let customer = created["id"].as_str().expect("customer id").to_string();

    let (_driver, webdriver) = chromedriver().await;
    let profile = tempfile::tempdir().expect("temp browser profile");
    let client = connect_browser(&webdriver, profile.path())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = follow_up_walk(&client, &base, &customer).await;
    finish(client, outcome).await;
}
