use super::*;
use reqwest::Method;

#[tokio::test]
async fn another_orgs_billing_records_are_not_found_on_every_route() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let c = id(&app.grace(&b).await);
        let quote = created(
            &app,
            &b,
            "/api/v1/quotes",
            json!({"customer_id": c, "lines": [line("Q", 100)]}),
        )
        .await;
        let inv = open_invoice(&app, &b, &c, json!([line("I", 10_000)])).await;
        created(
            &app,
            &b,
            &format!("/api/v1/invoices/{}/payments", id(&inv)),
            json!({"amount_minor": 10_000, "method": "cash"}),
        )
        .await;
        let plan = created(
            &app,
            &b,
            "/api/v1/membership-plans",
            json!({"name": "P", "price_minor": 100, "interval": "year"}),
        )
        .await;
        let m = created(
            &app,
            &b,
            "/api/v1/memberships",
            json!({"customer_id": c, "plan_id": id(&plan)}),
        )
        .await;
        let t = created(
            &app,
            &b,
            "/api/v1/tickets",
            json!({"customer_id": c, "subject": "S", "body": "B"}),
        )
        .await;

        let (q, i, p, mm, tt) = (id(&quote), id(&inv), id(&plan), id(&m), id(&t));
        let routes: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("/api/v1/quotes/{q}"), None),
            (
                Method::PATCH,
                format!("/api/v1/quotes/{q}"),
                Some(json!({"version": 1, "title": "Mine"})),
            ),
            (
                Method::POST,
                format!("/api/v1/quotes/{q}/status"),
                Some(json!({"status": "sent"})),
            ),
            (Method::POST, format!("/api/v1/quotes/{q}/viewed"), None),
            (Method::GET, format!("/api/v1/invoices/{i}"), None),
            (
                Method::PATCH,
                format!("/api/v1/invoices/{i}"),
                Some(json!({"version": 1, "notes": "x"})),
            ),
            (Method::POST, format!("/api/v1/invoices/{i}/void"), None),
            (Method::GET, format!("/api/v1/invoices/{i}/payments"), None),
            (
                Method::POST,
                format!("/api/v1/invoices/{i}/payments"),
                Some(json!({"amount_minor": 1, "method": "cash"})),
            ),
            (
                Method::POST,
                format!("/api/v1/invoices/{i}/checkout"),
                Some(json!({})),
            ),
            (Method::GET, format!("/api/v1/membership-plans/{p}"), None),
            (
                Method::PATCH,
                format!("/api/v1/membership-plans/{p}"),
                Some(json!({"version": 1, "name": "Mine"})),
            ),
            (Method::GET, format!("/api/v1/memberships/{mm}"), None),
            (
                Method::POST,
                format!("/api/v1/memberships/{mm}/pause"),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/memberships/{mm}/resume"),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/memberships/{mm}/cancel"),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/memberships/{mm}/renew"),
                None,
            ),
            (Method::GET, format!("/api/v1/tickets/{tt}"), None),
            (
                Method::PATCH,
                format!("/api/v1/tickets/{tt}"),
                Some(json!({"version": 1, "status": "closed"})),
            ),
            (Method::GET, format!("/api/v1/tickets/{tt}/messages"), None),
            (
                Method::POST,
                format!("/api/v1/tickets/{tt}/messages"),
                Some(json!({"body": "hi"})),
            ),
            (Method::GET, format!("/api/v1/customers/{c}/loyalty"), None),
            (
                Method::POST,
                format!("/api/v1/customers/{c}/loyalty/redeem"),
                Some(json!({"points": 1})),
            ),
            (
                Method::POST,
                format!("/api/v1/customers/{c}/loyalty/adjust"),
                Some(json!({"points": 1, "reason": "x"})),
            ),
            (Method::GET, format!("/api/v1/customers/{c}/spending"), None),
        ];
        for (method, path, body) in routes {
            let res = app.api(&a, method.clone(), &path, body).await;
            let got = res.status();
            let text = res.text().await.unwrap_or_default();
            assert_eq!(got, StatusCode::NOT_FOUND, "[{e}] {method} {path}: {text}");
        }
        for list in ["quotes", "invoices", "memberships", "tickets"] {
            let page = ok(&app, &a, &format!("/api/v1/{list}?customer_id={c}")).await;
            assert!(items(&page).is_empty(), "[{e}] {list} never leak");
            assert!(
                items(&ok(&app, &a, &format!("/api/v1/{list}")).await).is_empty(),
                "[{e}] {list}"
            );
        }
        assert!(items(&ok(&app, &a, "/api/v1/membership-plans?archived=true").await).is_empty());
        let mine = id(&app.grace(&a).await);
        let fields = refused(
            &app,
            &a,
            "/api/v1/memberships",
            json!({"customer_id": mine, "plan_id": p}),
        )
        .await;
        assert_eq!(
            fields,
            ["plan_id"],
            "[{e}] another org's plan cannot be used"
        );
        let fields = refused(
            &app,
            &a,
            "/api/v1/tickets",
            json!({"customer_id": c, "subject": "x"}),
        )
        .await;
        assert_eq!(fields, ["customer_id"], "[{e}]");

        // Org B's records are untouched.
        assert_eq!(
            ok(&app, &b, &format!("/api/v1/quotes/{q}")).await,
            quote,
            "[{e}]"
        );
        assert_eq!(
            ok(&app, &b, &format!("/api/v1/memberships/{mm}")).await["status"],
            "active"
        );
        assert_eq!(
            ok(&app, &b, &format!("/api/v1/tickets/{tt}")).await["status"],
            "open"
        );
        let loyalty = ok(&app, &b, &format!("/api/v1/customers/{c}/loyalty")).await;
        assert_eq!(loyalty["balance"], 100, "[{e}]");
    }
}
