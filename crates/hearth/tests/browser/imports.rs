//! Importing a CSV file on the imports page, following its progress, and
//! reverting it.

use crate::support::*;
use anyhow::{Result, ensure};
use fantoccini::{Client, Locator};
use std::path::Path;

async fn import_and_revert(client: &Client, base: &str, file: &Path) -> Result<()> {
    sign_in(client, base, "/imports").await?;
    wait_for(client, Locator::Css("#import-form input[name=file]"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    // A dry run first: it shows how each column of the header is read.
    let dry_run = client
        .find(Locator::Css("#import-form input[name=dry_run]"))
        .await?;
    dry_run.click().await?;
    client
        .find(Locator::Css("#import-form button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for(client, Locator::Css("#import-status[data-state=done]")).await?;
    let columns = client
        .find(Locator::Css("#import-columns"))
        .await?
        .text()
        .await?;
    ensure!(
        columns.contains("Mobile phone") && columns.contains("Notes ignored"),
        "columns: {columns}"
    );
    dry_run.click().await?;
    client
        .find(Locator::Css("#import-form button[type=submit]"))
        .await?
        .click()
        .await?;
    // imports.js uploads the file, then polls the import until it is done.
    wait_for(client, Locator::Css("#import-status[data-state=done]")).await?;
    let outcome = client
        .find(Locator::Css("#import-outcome"))
        .await?
        .text()
        .await?;
    ensure!(
        outcome.contains("Imported 2 customers (1 skipped"),
        "outcome: {outcome}"
    );
    let phase = client
        .find(Locator::Css("#import-phase"))
        .await?
        .text()
        .await?;
    ensure!(phase.contains("3 rows read"), "phase: {phase}");
    let full = client
        .execute(
            "const p = document.getElementById('import-progress'); return p.value === p.max;",
            vec![],
        )
        .await?;
    ensure!(full == serde_json::json!(true), "the progress bar is full");

    // The list was redrawn with the new import; revert it.
    wait_for(client, Locator::Css("#import-list button[data-revert]"))
        .await?
        .click()
        .await?;
    client.accept_alert().await?;
    wait_for(
        client,
        Locator::XPath(
            "//table[@id='import-list']//td[contains(@class,'status') and normalize-space()='reverted']",
        ),
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn staff_import_a_csv_file_follow_it_and_revert_it() {
    if !browser_available() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let dir = data.path();
    let api_key = set_up_org(dir, "Import Co", "import-co");
    let (_server, base) = serve(dir).await;
    let file = dir.join("customers.csv");
    std::fs::write(
        &file,
        "first_name,last_name,Mobile,Notes\n\
         Ann,Lee,(512) 555-0101,\n\
         Bo,Li,512 555 0102,\n\
         Cy,Lee,+1 512 555 0101,\n",
    )
    .expect("writing the CSV file");

    let (_driver, webdriver) = chromedriver().await;
    let profile = tempfile::tempdir().expect("temp browser profile");
    let client = connect_browser(&webdriver, profile.path())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = import_and_revert(&client, &base, &file).await;
    finish(client, outcome).await;

    let customers: serde_json::Value =
        api(&base, &api_key, reqwest::Method::GET, "/api/v1/customers")
            .send()
            .await
            .expect("GET customers")
            .json()
            .await
            .expect("JSON");
    assert_eq!(
        customers["items"],
        serde_json::json!([]),
        "the revert removed what the import brought"
    );
}
