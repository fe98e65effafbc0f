//! Reviewing two near-duplicate customers, merging them with a field taken
//! from the other record, and undoing the merge.

use crate::support::*;
use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// POSTs `body` to the REST API and returns the created record's id.
async fn create(base: &str, api_key: &str, path: &str, body: Value) -> String {
    let res = api(base, api_key, reqwest::Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = res.status();
    let created: Value = res.json().await.expect("a JSON answer");
    assert_eq!(
        status,
        reqwest::StatusCode::CREATED,
        "POST {path}: {created}"
    );
    created["id"].as_str().expect("an id").to_string()
}

async fn text_of(client: &Client, css: &str) -> Result<String> {
    Ok(wait_for(client, Locator::Css(css)).await?.text().await?)
}

/// Duplicates page → review → take the other record's email → preview →
/// confirm → the kept card shows it → undo brings both back.
async fn merge_walk(client: &Client, base: &str, kept: &str, other: &str) -> Result<()> {
    // The card fills its slot with the look-alikes once it has loaded.
    sign_in(client, base, &format!("/customers/{other}")).await?;
    let warning = text_of(client, "section#duplicates").await?;
    ensure!(
        warning.contains("Possible duplicates") && warning.contains("Review merge"),
        "the card warns: {warning}"
    );
    client.goto(&format!("{base}/duplicates")).await?;
    let pair = wait_for(client, Locator::Css("tr.pair")).await?;
    let row = pair.text().await?;
    ensure!(
        row.contains("same phone +15125550188") && row.contains("similar name"),
        "the pair shows its reasons: {row}"
    );
    pair.find(Locator::Css("a[href*='/merge?other=']"))
        .await?
        .click()
        .await?;

    // Side by side: take the email of the record merged in.
    wait_for(client, Locator::Css("form.merge-review")).await?;
    let same = text_of(client, "tr.field-phone td.same").await?;
    ensure!(
        same.contains("+15125550188"),
        "one phone, shown once: {same}"
    );
    client
        .find(Locator::Css("input[name=keep_email][value=other]"))
        .await?
        .click()
        .await?;
    client
        .find(Locator::Css("form.merge-review button[type=submit]"))
        .await?
        .click()
        .await?;

    // The preview: the kept values and the rows that will move.
    let result = text_of(client, "dl.merge-result").await?;
    ensure!(
        result.contains("g.hopper@example.com") && result.contains("Hopper"),
        "preview of the kept record: {result}"
    );
    let moves = text_of(client, "section.merge-preview table.merge-moves").await?;
    ensure!(
        moves
            .lines()
            .any(|l| l.split_whitespace().eq(["Notes", "1"])),
        "the note moves: {moves}"
    );
    client
        .find(Locator::Css("form.merge-confirm button[type=submit]"))
        .await?
        .click()
        .await?;

    // The kept customer's card, with the chosen email and an undo button.
    let notice = text_of(client, ".notice.merged").await?;
    ensure!(notice.contains("Merged Grace Hoper"), "notice: {notice}");
    let url = client.current_url().await?;
    ensure!(
        url.path() == format!("/customers/{kept}"),
        "on the kept card: {url}"
    );
    let contact = text_of(client, "main").await?;
    ensure!(
        contact.contains("g.hopper@example.com") && contact.contains("Dog in the yard"),
        "the chosen email and the moved note on the card: {contact}"
    );
    client
        .find(Locator::Css(".notice.merged button[type=submit]"))
        .await?
        .click()
        .await?;

    // Undone: the record says so, and both customers are back.
    let status = text_of(client, "dd.merge-status").await?;
    ensure!(status.starts_with("Undone"), "merge status: {status}");
    client.goto(&format!("{base}/customers/{other}")).await?;
    let h1 = text_of(client, "main h1").await?;
    ensure!(
        h1 == "Grace Hoper",
        "the merged-away customer is back: {h1}"
    );
    let card = page_text(client).await?;
    ensure!(card.contains("Dog in the yard"), "with its note: {card}");
    client.goto(&format!("{base}/customers/{kept}")).await?;
    let card = page_text(client).await.context("reading the kept card")?;
    ensure!(
        card.contains("grace@navy.example.com") && !card.contains("g.hopper@example.com"),
        "the kept customer has its own email again: {card}"
    );
    Ok(())
}

#[tokio::test]
async fn staff_merge_two_near_duplicates_and_undo_it_in_a_browser() {
    if !browser_available() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let dir = data.path();
    let api_key = set_up_org(dir, "Merge Co", "merge-co");
    let (_server, base) = serve(dir).await;
    let kept = create(
        &base,
        &api_key,
        "/api/v1/customers",
        json!({"first_name": "Grace", "last_name": "Hopper", "phone": "(512) 555-0188", "email": "grace@navy.example.com"}),
    )
    .await;
    let other = create(
        &base,
        &api_key,
        "/api/v1/customers",
        json!({"first_name": "Grace", "last_name": "Hoper", "phone": "512.555.0188", "email": "g.hopper@example.com"}),
    )
    .await;
    create(
        &base,
        &api_key,
        &format!("/api/v1/customers/{other}/notes"),
        json!({"body": "Dog in the yard"}),
    )
    .await;

    let (_driver, webdriver) = chromedriver().await;
    let profile = tempfile::tempdir().expect("temp browser profile");
    let client = connect_browser(&webdriver, profile.path())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = merge_walk(&client, &base, &kept, &other).await;
    finish(client, outcome).await;
}
