//! The merge preview: the kept record as it would be and the rows that
//! would move, changing nothing; the same checks as the merge itself.

use super::{busy_customer, counts};
use crate::helpers::{apps, expect_status, id, ok, problem_fields};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn preview_shows_the_result_and_the_rows_that_would_move_and_changes_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        // A: Grace with a whole history and the phone (512) 555-0188.
        let a = busy_customer(&app, &org).await;
        // B: the same person again with a typo, another email and no phone.
        let b = id(&app
            .customer(
                &org,
                json!({"first_name": "Grace", "last_name": "Hoper", "email": "g.hopper@example.com"}),
            )
            .await);
        let (card_a, card_b) = (
            ok(&app, &org, &format!("/api/v1/customers/{a}")).await,
            ok(&app, &org, &format!("/api/v1/customers/{b}")).await,
        );
        let (rows_a, rows_b) = (counts(&app, &a).await, counts(&app, &b).await);

        let preview = expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{b}/merge/preview"),
                json!({"other_id": a, "keep": {"last_name": "other", "email": "this"}}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(preview["kept"]["id"], b.as_str(), "[{e}]");
        assert_eq!(preview["merged"]["id"], a.as_str(), "[{e}]");
        // Chosen: A's last name, B's own email; not chosen: B has no phone,
        // so A's is kept rather than lost.
        assert_eq!(preview["result"]["last_name"], "Hopper", "[{e}]");
        assert_eq!(preview["result"]["email"], "g.hopper@example.com", "[{e}]");
        assert_eq!(preview["result"]["phone"], "+15125550188", "[{e}]");
        for table in [
            "jobs",
            "communications",
            "invoices",
            "notes",
            "customer_tags",
            "customer_contacts",
            "addresses",
            "equipment",
            "events",
            "tasks",
        ] {
            assert!(rows_a[table] > 0, "[{e}] the fixture has {table}");
            assert_eq!(preview["moves"][table], rows_a[table], "[{e}] {table}");
        }

        // Nothing changed: both records, every row, no merge recorded.
        assert_eq!(
            ok(&app, &org, &format!("/api/v1/customers/{a}")).await,
            card_a,
            "[{e}]"
        );
        assert_eq!(
            ok(&app, &org, &format!("/api/v1/customers/{b}")).await,
            card_b,
            "[{e}]"
        );
        assert_eq!(counts(&app, &a).await, rows_a, "[{e}]");
        assert_eq!(counts(&app, &b).await, rows_b, "[{e}]");
        for c in [&a, &b] {
            let merges = ok(&app, &org, &format!("/api/v1/customers/{c}/merges")).await;
            assert_eq!(merges["items"], json!([]), "[{e}]");
        }
    }
}

#[tokio::test]
async fn preview_names_bad_choices_and_keeps_to_its_organisation() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let a = id(&app.grace(&org).await);
        let b = id(&app
            .customer(&org, json!({"first_name": "Grace", "last_name": "Hoper"}))
            .await);
        let path = format!("/api/v1/customers/{b}/merge/preview");

        // A field a merge does not choose: 422 naming it.
        let res = app
            .post(
                &org,
                &path,
                json!({"other_id": a, "keep": {"shoe_size": "other"}}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["keep.shoe_size"], "[{e}]");
        // A side that is neither record.
        let res = app
            .post(
                &org,
                &path,
                json!({"other_id": a, "keep": {"first_name": "both"}}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["keep.first_name"], "[{e}]");
        // Itself.
        let res = app.post(&org, &path, json!({"other_id": b})).await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["other_id"], "[{e}]");

        // Another organisation cannot preview our customers, nor pull its
        // own customer into ours.
        let other = app.org("other").await;
        let theirs = id(&app.grace(&other).await);
        let res = app.post(&other, &path, json!({"other_id": theirs})).await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        let res = app.post(&org, &path, json!({"other_id": theirs})).await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["other_id"], "[{e}]");
        let res = app
            .post(
                &other,
                &format!("/api/v1/customers/{theirs}/merge/preview"),
                json!({"other_id": a}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["other_id"], "[{e}]");
    }
}
