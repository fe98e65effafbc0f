//! CSV import of customers and leads: dry run, all-or-nothing run, revert.

mod leads;
mod runs;

use crate::helpers::{TestApp, TestOrg, apps, created, expect_status};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) async fn upload(
    app: &TestApp,
    org: &TestOrg,
    query: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(&org.key)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn live_customers(app: &TestApp, org: &TestOrg) -> usize {
    let page = expect_status(
        app.get(org, "/api/v1/customers?limit=200").await,
        StatusCode::OK,
        app.engine,
    )
    .await;
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn import_dry_run_run_and_revert() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        created(&app, &org, "/api/v1/tags", json!({"name": "VIP"})).await;
        app.grace(&org).await;
        let file = "First Name,Surname,Phone,Street,City,Tags,Source\n\
                    Ann,Lee,(512) 555-0134,12 Oak St,Austin,vip,fair\n\
                    Grace,Hopper,512.555.0188,,,,web\n\
                    \"Quote, Inc\",\"O'Neil\",,,,,\n"
            .as_bytes()
            .to_vec();
        let mapping = "?mapping=%7B%22Street%22%3A%22address_line1%22%7D";

        let report = expect_status(
            upload(&app, &org, &format!("{mapping}&dry_run=true"), file.clone()).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(report["rows"], 3, "[{e}] {report}");
        assert_eq!(report["importable"], 2, "[{e}]");
        assert_eq!(report["skipped"][0]["line"], 3, "[{e}]");
        assert_eq!(report["skipped"][0]["field"], "phone", "[{e}]");
        assert_eq!(report["problems"], json!([]), "[{e}]");
        assert_eq!(
            live_customers(&app, &org).await,
            1,
            "[{e}] a dry run imports nothing"
        );

        let res = upload(&app, &org, mapping, file).await;
        let done = expect_status(res, StatusCode::CREATED, e).await;
        let import_id = done["import"]["id"].as_str().unwrap().to_string();
        assert_eq!(done["import"]["rows_imported"], 2, "[{e}]");
        assert_eq!(live_customers(&app, &org).await, 3, "[{e}]");
        // Imported customers are searchable, by their address too, and tagged.
        let found = expect_status(
            app.get(&org, "/api/v1/search?q=oak").await,
            StatusCode::OK,
            e,
        )
        .await;
        let ann = found["items"][0]["customer_id"]
            .as_str()
            .unwrap()
            .to_string();
        let tags = expect_status(
            app.get(&org, &format!("/api/v1/customers/{ann}/tags"))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(tags["items"][0]["name"], "VIP", "[{e}] {tags}");

        // Another organisation cannot see or revert it.
        let other = app.org("other").await;
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

        let reverted: Value = expect_status(
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
        assert_eq!(
            live_customers(&app, &org).await,
            1,
            "[{e}] revert removes exactly the imported"
        );
        let found = expect_status(
            app.get(&org, "/api/v1/search?q=oak").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(found["items"], json!([]), "[{e}]");
        let res = app
            .post(
                &org,
                &format!("/api/v1/imports/{import_id}/revert"),
                json!({}),
            )
            .await;
        expect_status(res, StatusCode::CONFLICT, e).await;
    }
}

#[tokio::test]
async fn a_malformed_file_imports_nothing_and_names_every_problem() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;

        // One bad row in 100,000.
        let mut big = String::from("first_name,last_name,email\n");
        for i in 0..100_000 {
            if i == 54_321 {
                big.push_str("Bad,Row,not-an-email\n");
            } else {
                big.push_str(&format!("Ann{i},Lee,ann{i}@example.com\n"));
            }
        }
        let res = upload(&app, &org, "", big.into_bytes()).await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem["problems"],
            json!([{"line": 54_323, "field": "email", "message": "is not an email address"}]),
            "[{e}]"
        );
        assert_eq!(
            live_customers(&app, &org).await,
            0,
            "[{e}] nothing imported"
        );

        // A missing required column.
        let res = upload(&app, &org, "", b"email,phone\na@b.example,\n".to_vec()).await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem["problems"][0]["line"], 1, "[{e}]");
        assert_eq!(problem["problems"][0]["field"], "name", "[{e}]");

        // Not UTF-8 (Latin-1 "é"), and a row too short.
        let mut latin1 = b"first_name,last_name\nAnn,Lee\nRen".to_vec();
        latin1.extend([0xE9, b',', b'X', b'\n']);
        latin1.extend(b"Short\n");
        let res = upload(&app, &org, "", latin1).await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        let problems = problem["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 2, "[{e}] {problem}");
        assert_eq!(problems[0]["line"], 3, "[{e}]");
        assert!(
            problems[0]["message"].as_str().unwrap().contains("UTF-8"),
            "[{e}]"
        );
        assert_eq!(problems[1]["line"], 4, "[{e}]");

        // An unclosed quote.
        let res = upload(
            &app,
            &org,
            "",
            b"first_name,last_name\n\"Ann,Lee\nBo,Li\n".to_vec(),
        )
        .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem["problems"][0]["field"], "file", "[{e}] {problem}");
        assert_eq!(
            live_customers(&app, &org).await,
            0,
            "[{e}] nothing imported"
        );
    }
}

#[tokio::test]
async fn an_address_book_export_imports_by_its_own_headers() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        // Outlook's headers: one phone per row, in whichever column has it;
        // the sample's "Country" names countries, so it is left out.
        let file = "\u{feff}First Name,Last Name,Company,E-mail Address,Business Phone,\
                    Mobile Phone,Home Street,Home City,Home Postal Code,Country\n\
                    Ann,Lee,,ann@x.example,,(512) 555-0134,12 Oak St,Austin,78701,United States\n\
                    Bo,Ng,Ng Heating,,512.555.0188,512 555 0199,,,,Chile\n"
            .as_bytes()
            .to_vec();
        let ignore_country = "?mapping=%7B%22Country%22%3A%22%22%7D";
        let report = expect_status(
            upload(
                &app,
                &org,
                &format!("{ignore_country}&dry_run=true"),
                file.clone(),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(report["problems"], json!([]), "[{e}] {report}");
        let fields: Vec<Value> = report["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].clone())
            .collect();
        assert_eq!(
            fields,
            [
                "first_name",
                "last_name",
                "business_name",
                "email",
                "phone",
                "phone",
                "address_line1",
                "city",
                "postal_code"
            ]
            .iter()
            .map(|f| json!(f))
            .chain([Value::Null])
            .collect::<Vec<_>>(),
            "[{e}] {report}"
        );
        // The byte-order mark Excel writes is not part of the name.
        assert_eq!(report["columns"][0]["column"], "First Name", "[{e}]");

        expect_status(
            upload(&app, &org, ignore_country, file).await,
            StatusCode::CREATED,
            e,
        )
        .await;
        let page = expect_status(
            app.get(&org, "/api/v1/customers?limit=10").await,
            StatusCode::OK,
            e,
        )
        .await;
        let mut people: Vec<(String, String)> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["first_name"].as_str().unwrap_or_default().to_string(),
                    c["phone"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        people.sort();
        assert_eq!(
            people,
            [
                ("Ann".to_string(), "+15125550134".to_string()),
                ("Bo".to_string(), "+15125550188".to_string())
            ],
            "[{e}] {page}"
        );
        let found = expect_status(
            app.get(&org, "/api/v1/search?q=oak%20austin").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(found["items"].as_array().unwrap().len(), 1, "[{e}] {found}");
    }
}
