//! Imports run in the background (`async=true`, the imports page): the
//! running import, its progress and outcome, its problems, and imports
//! whose server died.

use super::{live_customers, upload};
use crate::helpers::{Staff, TestApp, TestOrg, apps, apps_with, expect_status};
use chrono::{Duration, Utc};
use hearth_domain::OrgId;
use hearth_domain::history::Actor;
use hearth_domain::import::Kind;
use hearth_store::imports::{self, Lease};
use hearth_store::{orgs, work};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Polls an import until it is no longer running.
async fn finished(app: &TestApp, org: &TestOrg, id: &str) -> Value {
    let e = app.engine;
    for _ in 0..300 {
        let import = expect_status(
            app.get(org, &format!("/api/v1/imports/{id}")).await,
            StatusCode::OK,
            e,
        )
        .await;
        if import["status"] != "running" {
            return import;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("[{e}] import {id} still running after 30 s");
}

/// Starts an import in the background; returns the running import.
async fn start(app: &TestApp, org: &TestOrg, file: &str) -> Value {
    let e = app.engine;
    let res = upload(app, org, "?async=true", file.as_bytes().to_vec()).await;
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let running = expect_status(res, StatusCode::ACCEPTED, e).await;
    assert_eq!(running["status"], "running", "[{e}] {running}");
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/v1/imports/{}", running["id"].as_str().unwrap()).as_str()),
        "[{e}]"
    );
    assert_eq!(running["bytes_total"], file.len(), "[{e}]");
    running
}

#[tokio::test]
async fn an_async_import_runs_in_the_background_to_done() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let mut file = String::from("first_name,last_name,phone\n");
        for i in 0..2500 {
            file.push_str(&format!("Ann{i},Lee,+1512555{i:04}\n"));
        }
        // A repeat of the first row's phone: skipped.
        file.push_str("Bo,Li,+15125550000\n");
        let running = start(&app, &org, &file).await;
        let id = running["id"].as_str().unwrap().to_string();

        let done = finished(&app, &org, &id).await;
        assert_eq!(done["status"], "done", "[{e}] {done}");
        assert_eq!(done["rows_imported"], 2500, "[{e}]");
        assert_eq!(done["rows_skipped"], 1, "[{e}]");
        assert_eq!(done["rows_read"], 2501, "[{e}]");
        assert_eq!(done["bytes_read"], file.len(), "[{e}]");
        assert!(done["finished_at"].is_string(), "[{e}]");
        assert_eq!(done["problems"], json!([]), "[{e}]");
        let customers = expect_status(
            app.get(&org, "/api/v1/customers?q=Ann2499").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(!customers["items"].as_array().unwrap().is_empty(), "[{e}]");
        let list = expect_status(app.get(&org, "/api/v1/imports").await, StatusCode::OK, e).await;
        assert_eq!(list["items"][0]["id"], id.as_str(), "[{e}]");
        assert_eq!(list["items"][0]["status"], "done", "[{e}]");

        // Another organisation cannot read it; nobody signed out can.
        let other = app.org("other").await;
        let res = app.get(&other, &format!("/api/v1/imports/{id}")).await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        let res = app
            .http
            .get(app.url(&format!("/api/v1/imports/{id}")))
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::UNAUTHORIZED, e).await;
        let res = app
            .http
            .post(app.url("/api/v1/imports?async=true"))
            .header("content-type", "text/csv")
            .body(file.clone())
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::UNAUTHORIZED, e).await;

        // The page lists it, with its Revert button; the revert works.
        let staff = Staff::sign_in(&app, &org).await;
        let html = staff.page("/imports", StatusCode::OK).await;
        assert!(html.contains(&format!("data-revert=\"{id}\"")), "[{e}]");
        let res = staff
            .api(
                reqwest::Method::POST,
                &format!("/api/v1/imports/{id}/revert"),
                Some(json!({})),
            )
            .await;
        expect_status(res, StatusCode::OK, e).await;
        assert_eq!(live_customers(&app, &org).await, 0, "[{e}]");

        // The API document says so.
        let doc = app.openapi().await;
        let post = &doc["paths"]["/api/v1/imports"]["post"];
        assert!(post["responses"]["202"].is_object(), "[{e}] {post}");
        assert!(
            post["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "async"),
            "[{e}] {post}"
        );
        let import = &doc["components"]["schemas"]["Import"]["properties"];
        for field in [
            "status",
            "rows_read",
            "bytes_read",
            "bytes_total",
            "problems",
            "error",
        ] {
            assert!(import[field].is_object(), "[{e}] Import.{field}: {import}");
        }
        assert!(import.get("lease").is_none(), "[{e}] internal");
    }
}

#[tokio::test]
async fn a_failed_async_import_imports_nothing_and_names_its_problems() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let file = "first_name,last_name,email\n\
                    Ann,Lee,ann@example.com\n\
                    Bad,Row,not-an-email\n\
                    Bo,Li,bo@example.com\n\
                    Cy,Ray,cy-at-example.com\n";
        let running = start(&app, &org, file).await;
        let id = running["id"].as_str().unwrap().to_string();

        let failed = finished(&app, &org, &id).await;
        assert_eq!(failed["status"], "failed", "[{e}] {failed}");
        assert_eq!(failed["rows_imported"], 0, "[{e}]");
        assert_eq!(failed["rows_read"], 4, "[{e}]");
        assert_eq!(failed["problem_count"], 2, "[{e}]");
        assert_eq!(
            failed["problems"][0],
            json!({"line": 3, "field": "email", "message": "is not an email address"}),
            "[{e}]"
        );
        assert_eq!(failed["problems"][1]["line"], 5, "[{e}]");
        assert_eq!(failed["problems"][1]["field"], "email", "[{e}]");
        assert!(
            failed["error"]
                .as_str()
                .unwrap()
                .contains("nothing was imported"),
            "[{e}] {failed}"
        );
        assert_eq!(
            live_customers(&app, &org).await,
            0,
            "[{e}] nothing imported"
        );
        let res = app
            .post(&org, &format!("/api/v1/imports/{id}/revert"), json!({}))
            .await;
        expect_status(res, StatusCode::CONFLICT, e).await;
    }
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_with_the_limit() {
    let config = hearth_server::ServerConfig {
        import_limit: Some(1000),
        ..Default::default()
    };
    for app in apps_with(config).await {
        let e = app.engine;
        let org = app.org("acme").await;
        let mut file = String::from("first_name,last_name\n");
        while file.len() <= 1000 {
            file.push_str("Ann,Lee\n");
        }
        for query in ["", "?async=true", "?dry_run=true"] {
            let res = upload(&app, &org, query, file.clone().into_bytes()).await;
            let problem = expect_status(res, StatusCode::PAYLOAD_TOO_LARGE, e).await;
            assert!(
                problem["detail"].as_str().unwrap().contains("1000 bytes"),
                "[{e}] {problem}"
            );
        }
        let list = expect_status(app.get(&org, "/api/v1/imports").await, StatusCode::OK, e).await;
        assert_eq!(list["items"], json!([]), "[{e}] nothing started");
    }
}

/// An import recorded as running under `lease`, which no server runs.
async fn orphan(app: &TestApp, org: OrgId, kind: Kind, lease: Lease) -> imports::Import {
    app.store
        .write(work!(|c| imports::begin(
            c,
            org,
            &Actor::system("test"),
            kind,
            Some(lease),
            Some(100)
        )))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_running_import_whose_server_died_is_marked_interrupted() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let org_id = app
            .store
            .read(work!(|c| orgs::by_slug(c, "acme")))
            .await
            .unwrap()
            .unwrap()
            .id;
        // Left `running` by another process whose lease has run out.
        let lease = Lease {
            instance: uuid::Uuid::now_v7(),
            until: Utc::now() - Duration::seconds(5),
        };
        orphan(&app, org_id, Kind::Customers, lease).await;
        let swept = orphan(&app, org_id, Kind::Leads, lease).await;

        let marked = app
            .store
            .write(work!(|c| imports::interrupt_abandoned(c)))
            .await
            .unwrap();
        assert_eq!(marked, 2, "[{e}] the start-up sweep");
        let swept = expect_status(
            app.get(&org, &format!("/api/v1/imports/{}", swept.id))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(swept["status"], "failed", "[{e}]");
        assert!(
            swept["error"].as_str().unwrap().starts_with("interrupted"),
            "[{e}] {swept}"
        );

        // Read after its lease ran out, without a sweep.
        let late = orphan(&app, org_id, Kind::Customers, lease).await;
        let late = expect_status(
            app.get(&org, &format!("/api/v1/imports/{}", late.id)).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(late["status"], "failed", "[{e}] {late}");
        assert!(late["finished_at"].is_string(), "[{e}]");
    }
}
