//! Duplicate detection: per customer, for the organisation, and on create.

mod leads;

use crate::helpers::{apps, created, expect_status, id};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn candidates_are_ranked_with_their_reasons() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
        // Same phone written differently, different name: a duplicate by phone.
        let by_phone = id(&app
            .customer(
                &org,
                json!({"first_name": "G", "last_name": "Navy", "phone": "512.555.0188"}),
            )
            .await);
        // A typo in the name and the same email: stronger.
        let by_both = id(&app
            .customer(&org, json!({"first_name": "Grace", "last_name": "Hoper", "email": "GRACE@navy.example.com"}))
            .await);
        // Similar name, same service address.
        let by_address = id(&app
            .customer(&org, json!({"first_name": "Grace", "last_name": "Hopperr"}))
            .await);
        for c in [&grace, &by_address] {
            created(
                &app,
                &org,
                &format!("/api/v1/customers/{c}/addresses"),
                json!({"line1": "12 Oak St", "city": "Austin", "postal_code": "78701"}),
            )
            .await;
        }
        // Someone else entirely.
        app.customer(
            &org,
            json!({"first_name": "Alan", "last_name": "Turing", "phone": "(512) 555-0100"}),
        )
        .await;

        let found = expect_status(
            app.get(&org, &format!("/api/v1/customers/{grace}/duplicates"))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        let items = found["items"].as_array().unwrap();
        let ids: Vec<&str> = items
            .iter()
            .map(|i| i["customer_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 3, "[{e}] {found}");
        assert_eq!(ids[0], by_both, "[{e}] {found}");
        assert!(
            ids.contains(&by_phone.as_str()) && ids.contains(&by_address.as_str()),
            "[{e}]"
        );
        let kinds = |i: usize| -> Vec<String> {
            items[i]["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["kind"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(kinds(0), vec!["same_email", "similar_name"], "[{e}]");
        let address_at = ids.iter().position(|i| *i == by_address).unwrap();
        assert!(
            kinds(address_at).contains(&"same_address".to_string()),
            "[{e}]"
        );

        // The organisation's list pairs customers sharing a phone, an email
        // or an address (with a typo in the name); a namesake with nothing
        // else in common is someone else.
        let namesake = id(&app
            .customer(&org, json!({"first_name": "Grace", "last_name": "Hopper"}))
            .await);
        created(
            &app,
            &org,
            &format!("/api/v1/customers/{namesake}/addresses"),
            json!({"line1": "9 Elm Road", "city": "Austin", "postal_code": "78702"}),
        )
        .await;
        let pairs =
            expect_status(app.get(&org, "/api/v1/duplicates").await, StatusCode::OK, e).await;
        let pairs = pairs["items"].as_array().unwrap();
        let paired = |x: &str, y: &str| {
            pairs.iter().any(|p| {
                let both = [
                    p["a"]["customer_id"].as_str(),
                    p["b"]["customer_id"].as_str(),
                ];
                both.contains(&Some(x)) && both.contains(&Some(y))
            })
        };
        assert!(paired(&grace, &by_phone), "[{e}] {pairs:?}");
        assert!(paired(&grace, &by_both), "[{e}] {pairs:?}");
        assert!(paired(&grace, &by_address), "[{e}] {pairs:?}");
        assert!(!paired(&grace, &namesake), "[{e}] {pairs:?}");
        assert_eq!(pairs.len(), 3, "[{e}] {pairs:?}");

        // Another organisation sees none of it.
        let other = app.org("other").await;
        let res = app
            .get(&other, &format!("/api/v1/customers/{grace}/duplicates"))
            .await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        let theirs = expect_status(
            app.get(&other, "/api/v1/duplicates").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(theirs["items"].as_array().unwrap().is_empty(), "[{e}]");
    }
}

#[tokio::test]
async fn creating_a_look_alike_warns_or_is_blocked_by_org_setting() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
        let again =
            json!({"first_name": "Grace", "last_name": "Hopper", "phone": "+1 512 555 0188"});

        // Default: created, with a warning listing the look-alike.
        let res = app.post(&org, "/api/v1/customers", again.clone()).await;
        let made = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(
            made["duplicates"][0]["customer_id"],
            grace.as_str(),
            "[{e}] {made}"
        );
        let res = app
            .post(
                &org,
                "/api/v1/customers",
                json!({"first_name": "Alan", "last_name": "Turing"}),
            )
            .await;
        let fresh = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(fresh["duplicates"], json!([]), "[{e}]");

        // Only owners and admins change the rule; bad values name the field.
        let res = app
            .api(
                &org,
                reqwest::Method::PUT,
                "/api/v1/duplicates/settings",
                Some(json!({"on_create": "shout"})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        let res = app
            .api(
                &org,
                reqwest::Method::PUT,
                "/api/v1/duplicates/settings",
                Some(json!({"on_create": "block"})),
            )
            .await;
        expect_status(res, StatusCode::OK, e).await;

        // Blocked: 409 listing the look-alikes, nothing created.
        let before = expect_status(
            app.get(&org, "/api/v1/customers?limit=200").await,
            StatusCode::OK,
            e,
        )
        .await;
        let res = app.post(&org, "/api/v1/customers", again.clone()).await;
        let problem = expect_status(res, StatusCode::CONFLICT, e).await;
        assert!(
            problem["duplicates"].as_array().unwrap().len() >= 2,
            "[{e}] {problem}"
        );
        let after = expect_status(
            app.get(&org, "/api/v1/customers?limit=200").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            before["items"].as_array().unwrap().len(),
            after["items"].as_array().unwrap().len(),
            "[{e}]"
        );
        // Insisting creates it.
        let res = app
            .post(&org, "/api/v1/customers?allow_duplicate=true", again)
            .await;
        expect_status(res, StatusCode::CREATED, e).await;
    }
}
