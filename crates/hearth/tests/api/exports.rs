//! CSV export of customers and leads, streamed.

use crate::helpers::{apps, created, expect_status};
use crate::leads::new_lead;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn customers_export_as_csv_across_pages_and_only_the_orgs_own() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let other = app.org("other").await;
        app.customer(
            &other,
            json!({"first_name": "Mallory", "last_name": "Other"}),
        )
        .await;
        // More than one export page (2,000 rows), through the bulk loader.
        let rows = hearth_store::exports::PAGE as usize + 5;
        let org_id = app
            .store
            .read(hearth_store::work!(|c| hearth_store::orgs::by_slug(
                c, "acme"
            )))
            .await
            .unwrap()
            .unwrap()
            .id;
        let customers: Vec<_> = (0..rows)
            .map(|i| hearth_store::bulk::NewCustomer {
                id: hearth_domain::CustomerId::new(),
                fields: hearth_domain::customers::CustomerFields {
                    first_name: Some(format!("Ann{i:05}")),
                    last_name: Some("Lee".into()),
                    business_name: None,
                    email: None,
                    phone: None,
                    preferred_contact_method: Default::default(),
                    customer_since: chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
                },
                created_at: chrono::Utc::now(),
            })
            .collect();
        app.store
            .write(hearth_store::work!(|c| {
                hearth_store::bulk::insert_customers(c, org_id, &customers)
            }))
            .await
            .unwrap();
        app.customer(
            &org,
            json!({"first_name": "=cmd", "last_name": "Quote, \"Me\"", "phone": "(512) 555-0188"}),
        )
        .await;

        let res = app.get(&org, "/api/v1/exports/customers.csv").await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let body = res.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(header[..3], ["id", "first_name", "last_name"], "[{e}]");
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(
            records.len(),
            rows + 1,
            "[{e}] every customer once, no other org's"
        );
        assert!(!body.contains("Mallory"), "[{e}]");
        // Quotes and commas survive; a formula is defused.
        let tricky = records.iter().find(|r| &r[2] == "Quote, \"Me\"").unwrap();
        assert_eq!(&tricky[1], "'=cmd", "[{e}]");
        assert_eq!(&tricky[5], "+15125550188", "[{e}]");

        // Needs a login.
        let res = app
            .http
            .get(app.url("/api/v1/exports/customers.csv"))
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::UNAUTHORIZED, e).await;
    }
}

#[tokio::test]
async fn leads_export_as_csv_only_the_orgs_own_and_import_back() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let other = app.org("other").await;
        new_lead(&app, &other, json!({"first_name": "Mallory"})).await;
        created(&app, &org, "/api/v1/tags", json!({"name": "VIP"})).await;
        new_lead(
            &app,
            &org,
            json!({"first_name": "=cmd", "last_name": "Lee", "phone": "(512) 555-0134",
                   "value_minor": 125_050, "notes": "Two units, \"urgent\""}),
        )
        .await;
        // The second through an import, so it has a tag.
        let res = app
            .http
            .post(app.url("/api/v1/imports?kind=leads"))
            .bearer_auth(&org.key)
            .header("content-type", "text/csv")
            .body("name,email,tags,stage\nBo Li,bo@x.example,vip,Quoted\n")
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::CREATED, e).await;

        let res = app.get(&org, "/api/v1/exports/leads.csv").await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
        let body = res.text().await.unwrap();
        assert!(!body.contains("Mallory"), "[{e}] only this org's leads");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2, "[{e}] {body}");
        let cell = |r: &csv::StringRecord, name: &str| {
            r[header.iter().position(|h| h == name).unwrap()].to_string()
        };
        assert_eq!(cell(&records[0], "first_name"), "'=cmd", "[{e}]");
        assert_eq!(cell(&records[0], "value"), "1250.50", "[{e}]");
        assert_eq!(cell(&records[0], "notes"), "Two units, \"urgent\"", "[{e}]");
        assert_eq!(cell(&records[0], "stage"), "New", "[{e}]");
        assert_eq!(cell(&records[1], "stage"), "Quoted", "[{e}]");
        assert_eq!(cell(&records[1], "tags"), "VIP", "[{e}]");

        // The export reads back as an import of the same leads.
        let copy = app.org("copy").await;
        created(&app, &copy, "/api/v1/tags", json!({"name": "VIP"})).await;
        let res = app
            .http
            .post(app.url("/api/v1/imports?kind=leads&dry_run=true"))
            .bearer_auth(&copy.key)
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .await
            .unwrap();
        let report = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(report["problems"], json!([]), "[{e}] {report}");
        assert_eq!(report["importable"], 2, "[{e}]");
    }
}
