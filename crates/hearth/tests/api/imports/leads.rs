//! CSV import of leads through the same pipeline as customers.

use super::upload;
use crate::helpers::{TestApp, TestOrg, apps, created, expect_status};
use crate::leads::{column, default_pipeline, id, new_lead, stage};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn live_leads(app: &TestApp, org: &TestOrg) -> Vec<Value> {
    let page = expect_status(
        app.get(org, "/api/v1/leads?limit=200").await,
        StatusCode::OK,
        app.engine,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn lead_import_dedupes_places_at_the_end_and_reverts() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        created(&app, &org, "/api/v1/tags", json!({"name": "VIP"})).await;
        app.grace(&org).await;
        let pipeline = default_pipeline(&app, &org).await;
        let quoted = stage(&pipeline, "Quoted");
        let first = new_lead(
            &app,
            &org,
            json!({"first_name": "Dana", "email": "dana@x.example", "stage_id": quoted}),
        )
        .await;
        let file = "Name,Phone,Email,Deal Value,Owner,Stage,Tags,Source\n\
                    Ann Lee,(512) 555-0134,,\"1,250.00\",owner@acme.test,quoted,vip,referral\n\
                    Grace H,512.555.0188,,,,,,\n\
                    Dana Scully,,DANA@x.example,,,,,\n\
                    Bo Li,+1 512 555 0199,,80,,,,web form\n"
            .as_bytes()
            .to_vec();

        let report = expect_status(
            upload(&app, &org, "?kind=leads&dry_run=true", file.clone()).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(report["problems"], json!([]), "[{e}] {report}");
        assert_eq!(report["rows"], 4, "[{e}]");
        assert_eq!(report["importable"], 2, "[{e}]");
        let skipped: Vec<(i64, &str, &str)> = report["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["line"].as_i64().unwrap(),
                    s["field"].as_str().unwrap(),
                    s["existing_kind"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            skipped,
            [(3, "phone", "customer"), (4, "email", "lead")],
            "[{e}] a lead is new only if neither a lead nor a customer has its phone or email"
        );
        assert_eq!(report["skipped"][1]["existing"], first["id"], "[{e}]");
        assert_eq!(live_leads(&app, &org).await.len(), 1, "[{e}] dry run");

        let done = expect_status(
            upload(&app, &org, "?kind=leads", file).await,
            StatusCode::CREATED,
            e,
        )
        .await;
        assert_eq!(done["import"]["kind"], "leads", "[{e}]");
        assert_eq!(done["import"]["rows_imported"], 2, "[{e}]");
        assert_eq!(done["import"]["rows_skipped"], 2, "[{e}]");
        let import_id = done["import"]["id"].as_str().unwrap().to_string();
        let leads = live_leads(&app, &org).await;
        assert_eq!(leads.len(), 3, "[{e}]");
        let ann = leads.iter().find(|l| l["first_name"] == "Ann").unwrap();
        assert_eq!(ann["last_name"], "Lee", "[{e}]");
        assert_eq!(ann["phone"], "+15125550134", "[{e}]");
        assert_eq!(ann["value_minor"], 125_000, "[{e}]");
        assert_eq!(ann["source"], "referral", "[{e}]");
        assert!(ann["owner_id"].is_string(), "[{e}] owner found by email");
        assert_eq!(ann["stage_id"], quoted.as_str(), "[{e}]");
        let bo = leads.iter().find(|l| l["first_name"] == "Bo").unwrap();
        assert_eq!(bo["stage_id"], stage(&pipeline, "New").as_str(), "[{e}]");
        assert_eq!(bo["source"], "web_form", "[{e}]");
        assert_eq!(
            column(&app, &org, &quoted).await,
            [id(&first), id(ann)],
            "[{e}] an imported lead goes to the end of its column"
        );
        let timeline = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}/timeline", id(ann)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            timeline["items"][0]["action"], "lead.imported",
            "[{e}] {timeline}"
        );

        // Listed newest first, to this organisation only.
        let listed = expect_status(app.get(&org, "/api/v1/imports").await, StatusCode::OK, e).await;
        assert_eq!(
            listed["items"][0]["id"],
            import_id.as_str(),
            "[{e}] {listed}"
        );
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "[{e}]");

        // Another organisation can neither see nor revert it.
        let other = app.org("other").await;
        let listed =
            expect_status(app.get(&other, "/api/v1/imports").await, StatusCode::OK, e).await;
        assert_eq!(listed["items"], json!([]), "[{e}]");
        expect_status(
            app.get(&other, &format!("/api/v1/imports/{import_id}"))
                .await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        let res = app
            .post(
                &other,
                &format!("/api/v1/imports/{import_id}/revert"),
                json!({}),
            )
            .await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;

        let reverted = expect_status(
            app.post(
                &org,
                &format!("/api/v1/imports/{import_id}/revert"),
                json!({}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(reverted["reverted_at"].is_string(), "[{e}]");
        let left: Vec<String> = live_leads(&app, &org).await.iter().map(id).collect();
        assert_eq!(
            left,
            [id(&first)],
            "[{e}] revert removes exactly the imported"
        );
        let board = expect_status(
            app.get(&org, &format!("/api/v1/pipelines/{}/board", id(&pipeline)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        let total: i64 = board["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_i64().unwrap_or(0))
            .sum();
        assert_eq!(total, 1, "[{e}] stage totals follow the revert: {board}");
    }
}

#[tokio::test]
async fn a_bad_lead_file_names_each_line_and_field_and_imports_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let file = "name,email,owner,pipeline,stage,value,currency\n\
                    Ann,not-an-email,,,,,\n\
                    Bo,,nobody@acme.test,,,,\n\
                    Cy,,,,Nowhere,,\n\
                    Di,,,,,ten,\n\
                    Ed,,,Commercial,,,\n\
                    Flo,,,,Lost,,\n\
                    Gus,,,,,12.50,EUR\n"
            .as_bytes()
            .to_vec();
        let report = expect_status(
            upload(&app, &org, "?kind=leads&dry_run=true", file.clone()).await,
            StatusCode::OK,
            e,
        )
        .await;
        let problems: Vec<(i64, &str)> = report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["line"].as_i64().unwrap(), p["field"].as_str().unwrap()))
            .collect();
        let expected = [
            (2, "email"),
            (3, "owner"),
            (4, "stage"),
            (5, "value"),
            (6, "pipeline"),
            (7, "lost_reason"),
        ];
        assert_eq!(problems, expected, "[{e}] {report}");

        let res = upload(&app, &org, "?kind=leads", file).await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem["problems"].as_array().unwrap().len(), 6, "[{e}]");
        assert_eq!(live_leads(&app, &org).await, Vec::<Value>::new(), "[{e}]");

        // An unknown kind is bad input naming the parameter.
        let res = upload(&app, &org, "?kind=invoices", b"name\nAnn\n".to_vec()).await;
        let status = res.status();
        assert!(status.is_client_error(), "[{e}] {status}");
    }
}
