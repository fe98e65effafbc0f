//! Dragging a lead across the Kanban board.

use crate::support::*;
use anyhow::Result;
use fantoccini::{Client, Locator};

/// Drags a lead card to another column of the pipeline board. WebDriver
/// cannot perform HTML5 drag and drop, so the page gets the events a
/// browser would fire; kanban.js does the rest (fetch, then redraw).
async fn drag_a_card(client: &Client, base: &str, lead: &str, to_stage: &str) -> Result<()> {
    sign_in(client, base, "/pipeline").await?;
    wait_for(
        client,
        Locator::Css(&format!(".lead-card[data-lead='{lead}']")),
    )
    .await?;
    client
        .execute(
            r#"
            const [lead, stage] = arguments;
            const card = document.querySelector(`.lead-card[data-lead="${lead}"]`);
            const column = document.querySelector(`.column[data-stage="${stage}"]`);
            const box = column.getBoundingClientRect();
            const data = new DataTransfer();
            const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {
                bubbles: true, cancelable: true, dataTransfer: data,
                clientX: box.left + 10, clientY: box.bottom - 5,
            }));
            fire(card, "dragstart");
            fire(column, "dragover");
            fire(column, "drop");
            fire(card, "dragend");
            "#,
            vec![serde_json::json!(lead), serde_json::json!(to_stage)],
        )
        .await?;
    // The board is redrawn from the server with the card in its new column.
    wait_for(
        client,
        Locator::Css(&format!(
            ".column[data-stage='{to_stage}'] .lead-card[data-lead='{lead}']"
        )),
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn staff_drag_a_lead_across_the_pipeline_board() {
    if !browser_available() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let dir = data.path();
    let api_key = set_up_org(dir, "Board Co", "board-co");
    let (_server, base) = serve(dir).await;

    let get = |res: reqwest::Response| async move {
        let status = res.status();
        let body: serde_json::Value = res.json().await.expect("JSON");
        assert!(status.is_success(), "{status}: {body}");
        body
    };
    let pipelines = get(
        api(&base, &api_key, reqwest::Method::GET, "/api/v1/pipelines")
            .send()
            .await
            .expect("GET pipelines"),
    )
    .await;
    let quoted = pipelines["items"][0]["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["name"] == "Quoted")
        .expect("a Quoted stage")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let lead = get(api(&base, &api_key, reqwest::Method::POST, "/api/v1/leads")
        .json(&serde_json::json!({"first_name": "Dana", "value_minor": 125000}))
        .send()
        .await
        .expect("POST lead"))
    .await;
    let lead_id = lead["id"].as_str().expect("id").to_string();

    let (_driver, webdriver) = chromedriver().await;
    let profile = tempfile::tempdir().expect("temp browser profile");
    let client = connect_browser(&webdriver, profile.path())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = drag_a_card(&client, &base, &lead_id, &quoted).await;
    finish(client, outcome).await;

    let moved = get(api(
        &base,
        &api_key,
        reqwest::Method::GET,
        &format!("/api/v1/leads/{lead_id}"),
    )
    .send()
    .await
    .expect("GET lead"))
    .await;
    assert_eq!(
        moved["stage_id"].as_str(),
        Some(quoted.as_str()),
        "the move reached the server"
    );
}
