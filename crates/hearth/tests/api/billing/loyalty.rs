use super::*;

async fn pay(app: &TestApp, org: &TestOrg, invoice: &Value, amount: i64) {
    let path = format!("/api/v1/invoices/{}/payments", id(invoice));
    created(
        app,
        org,
        &path,
        json!({"amount_minor": amount, "method": "card"}),
    )
    .await;
}

#[tokio::test]
async fn a_paid_invoice_earns_points_once_by_the_org_rule() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let account = format!("/api/v1/customers/{c}/loyalty");
        assert_eq!(ok(&app, &org, &account).await["balance"], 0, "[{e}]");

        // Default rule: one point per whole currency unit paid.
        let inv = open_invoice(&app, &org, &c, json!([line("Tune-up", 12_999)])).await;
        pay(&app, &org, &inv, 5_000).await;
        assert_eq!(
            ok(&app, &org, &account).await["balance"],
            0,
            "[{e}] not paid yet"
        );
        pay(&app, &org, &inv, 7_999).await;
        let a = ok(&app, &org, &account).await;
        assert_eq!(a["balance"], 129, "[{e}] 129.99 earns 129");
        let entries = a["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "[{e}] earned once");
        assert_eq!(entries[0]["kind"], "earned");
        assert_eq!(entries[0]["invoice_id"], inv["id"]);
        // A paid invoice can take no more payments, so it cannot earn again.
        let again = refused(
            &app,
            &org,
            &format!("/api/v1/invoices/{}/payments", id(&inv)),
            json!({"amount_minor": 1, "method": "cash"}),
        )
        .await;
        assert_eq!(again, ["amount_minor"]);
        assert_eq!(ok(&app, &org, &account).await["balance"], 129, "[{e}]");

        // The org changes its rule: three points per unit from now on.
        let settings = ok(&app, &org, "/api/v1/billing/settings").await;
        assert_eq!(settings["loyalty_points_per_unit"], 1);
        let changed = expect_status(
            app.patch(
                &org,
                "/api/v1/billing/settings",
                json!({"version": 0, "loyalty_points_per_unit": 3}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(changed["version"], 1, "[{e}]");
        let stale = app
            .patch(
                &org,
                "/api/v1/billing/settings",
                json!({"version": 0, "invoice_due_days": 7}),
            )
            .await;
        expect_status(stale, StatusCode::CONFLICT, e).await;
        let inv2 = open_invoice(&app, &org, &c, json!([line("Filter", 2_000)])).await;
        pay(&app, &org, &inv2, 2_000).await;
        assert_eq!(ok(&app, &org, &account).await["balance"], 129 + 60, "[{e}]");

        let events = timeline(&app, &org, &c, "loyalty").await;
        assert_eq!(
            events,
            [
                "loyalty_entry.earned: 60 loyalty points earned on INV-000002",
                "loyalty_entry.earned: 129 loyalty points earned on INV-000001"
            ],
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn redeeming_never_takes_more_than_the_balance() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let inv = open_invoice(&app, &org, &c, json!([line("Repair", 10_000)])).await;
        pay(&app, &org, &inv, 10_000).await;
        let account = format!("/api/v1/customers/{c}/loyalty");
        let redeem = format!("{account}/redeem");
        assert_eq!(
            refused(&app, &org, &redeem, json!({"points": 101})).await,
            ["points"],
            "[{e}]"
        );
        assert_eq!(
            refused(&app, &org, &redeem, json!({"points": 0})).await,
            ["points"],
            "[{e}]"
        );
        assert_eq!(
            ok(&app, &org, &account).await["balance"],
            100,
            "[{e}] unchanged"
        );
        let entry = created(
            &app,
            &org,
            &redeem,
            json!({"points": 60, "reason": "10 % off a tune-up"}),
        )
        .await;
        assert_eq!(
            (entry["kind"].as_str(), entry["points"].as_i64()),
            (Some("redeemed"), Some(-60)),
            "[{e}]"
        );
        assert_eq!(
            refused(&app, &org, &redeem, json!({"points": 41})).await,
            ["points"],
            "[{e}]"
        );

        let adjust = format!("{account}/adjust");
        assert_eq!(
            refused(
                &app,
                &org,
                &adjust,
                json!({"points": -41, "reason": "typo"})
            )
            .await,
            ["points"],
            "[{e}]"
        );
        assert_eq!(
            refused(&app, &org, &adjust, json!({"points": 5, "reason": ""})).await,
            ["reason"],
            "[{e}]"
        );
        created(
            &app,
            &org,
            &adjust,
            json!({"points": 15, "reason": "Goodwill after a late visit"}),
        )
        .await;
        let a = ok(&app, &org, &account).await;
        assert_eq!(a["balance"], 55, "[{e}]");
        let kinds: Vec<&str> = a["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["adjusted", "redeemed", "earned"],
            "[{e}] newest first"
        );
        let events = timeline(&app, &org, &c, "loyalty").await;
        assert_eq!(events.len(), 3, "[{e}] {events:?}");

        // A customer in the bin has no loyalty account through the API.
        expect_status(
            app.delete(&org, &format!("/api/v1/customers/{c}")).await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;
        expect_status(app.get(&org, &account).await, StatusCode::NOT_FOUND, e).await;
        let gone = app.post(&org, &redeem, json!({"points": 1})).await;
        expect_status(gone, StatusCode::NOT_FOUND, e).await;
    }
}
