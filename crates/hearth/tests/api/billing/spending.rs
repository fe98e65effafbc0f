use super::*;
use chrono::Datelike;

#[tokio::test]
async fn spending_sums_payments_and_averages_per_invoice_and_month() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let today = chrono::Utc::now().date_naive();
        let since = today - chrono::Duration::days(70);
        let c = id(&app
            .customer(
                &org,
                json!({"first_name": "Ada", "customer_since": since.to_string()}),
            )
            .await);
        let pay = |inv: Value, amount: i64| {
            let path = format!("/api/v1/invoices/{}/payments", id(&inv));
            let app = &app;
            let org = &org;
            async move {
                created(
                    app,
                    org,
                    &path,
                    json!({"amount_minor": amount, "method": "cash"}),
                )
                .await
            }
        };
        let a = open_invoice(&app, &org, &c, json!([line("Repair", 10_000)])).await;
        pay(a, 10_000).await;
        let b = open_invoice(&app, &org, &c, json!([line("Tune-up", 5_001)])).await;
        pay(b, 5_001).await;
        let partial = open_invoice(&app, &org, &c, json!([line("Install", 20_000)])).await;
        pay(partial, 5_000).await;
        created(
            &app,
            &org,
            "/api/v1/invoices",
            json!({"customer_id": c, "lines": [line("Draft", 9_999)]}),
        )
        .await;
        let void = open_invoice(&app, &org, &c, json!([line("Mistake", 7_000)])).await;
        post_ok(
            &app,
            &org,
            &format!("/api/v1/invoices/{}/void", id(&void)),
            json!({}),
        )
        .await;
        created(
            &app,
            &org,
            "/api/v1/invoices",
            json!({"customer_id": c, "currency": "EUR", "status": "open", "lines": [line("Parts", 3_000)]}),
        )
        .await;

        let s = ok(&app, &org, &format!("/api/v1/customers/{c}/spending")).await;
        let months = (today.year() - since.year()) as i64 * 12 + today.month() as i64
            - since.month() as i64
            + 1;
        assert_eq!(s["months"], months, "[{e}]");
        assert_eq!(s["customer_since"], since.to_string());
        let per = s["per_currency"].as_array().unwrap();
        assert_eq!(per.len(), 2, "[{e}] {s}");
        let (eur, usd) = (&per[0], &per[1]);
        assert_eq!(usd["currency"], "USD");
        assert_eq!(
            usd["total_spent_minor"], 20_001,
            "[{e}] every payment counts"
        );
        assert_eq!(usd["paid_invoices"], 2, "[{e}]");
        assert_eq!(s["completed_jobs"], 0, "[{e}]");
        assert_eq!(
            usd["average_per_booking_minor"], 0,
            "[{e}] no completed booking yet"
        );
        assert_eq!(
            usd["average_per_paid_invoice_minor"], 7_500,
            "[{e}] 7500.5 rounds to even"
        );
        let per_month =
            hearth_domain::billing::money::div_round_half_even(20_001, months as i128) as i64;
        assert_eq!(usd["average_per_month_minor"], per_month, "[{e}]");
        assert_eq!(
            usd["outstanding_minor"], 15_000,
            "[{e}] drafts and void invoices owe nothing"
        );
        assert_eq!(eur["currency"], "EUR");
        assert_eq!(eur["total_spent_minor"], 0);
        assert_eq!(eur["outstanding_minor"], 3_000, "[{e}]");

        let fresh = id(&app.customer(&org, json!({"first_name": "New"})).await);
        let s = ok(&app, &org, &format!("/api/v1/customers/{fresh}/spending")).await;
        assert_eq!(s["months"], 1);
        assert!(s["per_currency"].as_array().unwrap().is_empty(), "[{e}]");
    }
}
