//! The customer 360° in one response, consistent with the records it sums.

use crate::billing::{line, open_invoice, post_ok};
use crate::helpers::*;
use crate::jobs::{at, book, move_to, site, tune_up};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_overview_brings_the_whole_customer_in_one_response() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let c = s.customer.clone();

        let done = book(&app, &org, tune_up(&s)).await;
        let res = move_to(&app, &org, &id(&done), "completed", None).await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}] completing the job");
        let mut later = tune_up(&s);
        later["scheduled_start"] = json!(at(3, 9));
        later["scheduled_end"] = json!(at(3, 10));
        let open = book(&app, &org, later).await;
        let mut dropped = tune_up(&s);
        dropped["scheduled_start"] = json!(at(5, 9));
        dropped["scheduled_end"] = json!(at(5, 10));
        let dropped = book(&app, &org, dropped).await;
        let res = move_to(&app, &org, &id(&dropped), "cancelled", Some("Moved away")).await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}] cancelling the job");

        let invoice = open_invoice(&app, &org, &c, json!([line("Repair", 20_000)])).await;
        let path = format!("/api/v1/invoices/{}/payments", id(&invoice));
        created(
            &app,
            &org,
            &path,
            json!({"amount_minor": 5_000, "method": "cash"}),
        )
        .await;
        let plan = created(
            &app,
            &org,
            "/api/v1/membership-plans",
            json!({"name": "Comfort Club", "price_minor": 1900, "interval": "month", "included_visits": 2}),
        )
        .await;
        created(
            &app,
            &org,
            "/api/v1/memberships",
            json!({"customer_id": c, "plan_id": id(&plan)}),
        )
        .await;
        let ticket = created(
            &app,
            &org,
            "/api/v1/tickets",
            json!({"customer_id": c, "subject": "Invoice question"}),
        )
        .await;

        let o = ok(&app, &org, &format!("/api/v1/customers/{c}/overview")).await;
        let customer = ok(&app, &org, &format!("/api/v1/customers/{c}")).await;
        assert_eq!(
            o["customer"], customer,
            "[{e}] the profile as GET returns it"
        );

        let places = o["addresses"].as_array().expect("addresses");
        assert_eq!(places.len(), 1, "[{e}] {o}");
        assert_eq!(places[0]["id"], s.address.as_str());
        assert_eq!(
            places[0]["line1"], "12 Oak St",
            "[{e}] address fields inline"
        );
        assert_eq!(places[0]["equipment"][0]["id"], s.furnace.as_str(), "[{e}]");

        let open_jobs: Vec<&str> = o["open_jobs"]
            .as_array()
            .expect("open jobs")
            .iter()
            .map(|j| j["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            open_jobs,
            [id(&open)],
            "[{e}] completed and cancelled jobs are not open"
        );

        let invoices = o["recent_invoices"].as_array().expect("invoices");
        assert_eq!(invoices.len(), 1, "[{e}]");
        assert_eq!(
            invoices[0]["balance_minor"], 15_000,
            "[{e}] balance after the payment"
        );

        assert_eq!(
            o["memberships"][0]["plan_name"], "Comfort Club",
            "[{e}] {o}"
        );
        assert_eq!(o["open_tickets"][0]["id"], id(&ticket).as_str(), "[{e}]");
        let loyalty = ok(&app, &org, &format!("/api/v1/customers/{c}/loyalty")).await;
        assert_eq!(o["loyalty_balance"], loyalty["balance"], "[{e}] {loyalty}");

        let spending = ok(&app, &org, &format!("/api/v1/customers/{c}/spending")).await;
        assert_eq!(o["spending"], spending, "[{e}] the same sums as /spending");
        assert_eq!(spending["completed_jobs"], 1, "[{e}] one completed booking");
        assert_eq!(
            spending["per_currency"][0]["average_per_booking_minor"], 5_000,
            "[{e}] spent over completed bookings"
        );
        let insights = ok(&app, &org, &format!("/api/v1/customers/{c}/insights")).await;
        assert_eq!(
            o["insights"], insights,
            "[{e}] the same insights as the strip"
        );

        let timeline = o["timeline"].as_array().expect("timeline");
        assert!(!timeline.is_empty() && timeline.len() <= 10, "[{e}]");
        let full = ok(&app, &org, &format!("/api/v1/customers/{c}/timeline")).await;
        assert_eq!(
            timeline[0], full["items"][0],
            "[{e}] the newest timeline entry first"
        );
    }
}

#[tokio::test]
async fn another_org_and_a_binned_customer_get_404_from_the_overview() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let other = app.org("other").await;
        let c = id(&app.grace(&org).await);
        let path = format!("/api/v1/customers/{c}/overview");
        let res = app.get(&other, &path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "[{e}] other org");
        let res = app.delete(&org, &format!("/api/v1/customers/{c}")).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "[{e}] delete");
        let res = app.get(&org, &path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "[{e}] in the bin");
        post_ok(
            &app,
            &org,
            &format!("/api/v1/customers/{c}/restore"),
            json!({}),
        )
        .await;
        let res = app.get(&org, &path).await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}] restored");
        let res = app.get(&org, "/api/v1/customers/not-an-id/overview").await;
        assert!(res.status().is_client_error(), "[{e}] a bad id is refused");
    }
}
