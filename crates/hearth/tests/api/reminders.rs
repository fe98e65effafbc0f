//! Automated reminders (issue 6): the worker's pass raises one reminder per
//! event however often it runs; staff list and dismiss them.

use crate::billing::{items, today_plus};
use crate::helpers::*;
use hearth_store::{Raw, work};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub async fn reminder_rows(app: &TestApp) -> i64 {
    app.store
        .read(work!(|c| c.query_one(
            &Raw("SELECT COUNT(*) FROM reminders", vec![]),
            |r| r.get::<i64>(0)
        )))
        .await
        .unwrap()
}

/// Equipment of `customer` whose warranty ends in `days` days.
pub async fn warranty_ending(app: &TestApp, org: &TestOrg, customer: &Value, days: i64) {
    let address = created(
        app,
        org,
        &format!("/api/v1/customers/{}/addresses", id(customer)),
        json!({"label": "Home", "line1": "12 Oak St", "city": "Austin", "region": "TX", "postal_code": "78701"}),
    )
    .await;
    created(
        app,
        org,
        &format!("/api/v1/addresses/{}/equipment", id(&address)),
        json!({"kind": "Furnace", "make": "Carrier", "model": "59SC5", "warranty_expires_on": today_plus(days)}),
    )
    .await;
}

/// A monthly "Comfort Club" membership of `customer` renewing in `days` days.
pub async fn membership_renewing(app: &TestApp, org: &TestOrg, customer: &Value, days: i64) {
    let plan = created(
        app,
        org,
        "/api/v1/membership-plans",
        json!({"name": "Comfort Club", "price_minor": 1900, "interval": "month", "included_visits": 2}),
    )
    .await;
    // Started a month (less `days`) ago: renews in `days` days.
    let started = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    let started = started
        .checked_sub_months(chrono::Months::new(1))
        .unwrap()
        .to_string();
    let m = created(
        app,
        org,
        "/api/v1/memberships",
        json!({"customer_id": id(customer), "plan_id": id(&plan), "started_on": started}),
    )
    .await;
    assert_eq!(m["renews_on"], today_plus(days), "[{}]", app.engine);
}

/// Grace with equipment whose warranty ends in `warranty_in` days, a
/// monthly membership renewing in `renews_in` days and a task due tomorrow.
pub async fn reminded_things(
    app: &TestApp,
    org: &TestOrg,
    warranty_in: i64,
    renews_in: i64,
) -> Value {
    let grace = app.grace(org).await;
    warranty_ending(app, org, &grace, warranty_in).await;
    membership_renewing(app, org, &grace, renews_in).await;
    created(
        app,
        org,
        "/api/v1/tasks",
        json!({"title": "Call Grace back about the quote", "customer_id": id(&grace),
               "due_at": format!("{}T15:00:00Z", today_plus(1))}),
    )
    .await;
    grace
}

#[tokio::test]
async fn the_reminder_pass_raises_each_reminder_once() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = reminded_things(&app, &org, 10, 5).await;
        assert_eq!(hearth_worker::remind(&app.store).await.unwrap(), 3, "[{e}]");
        assert_eq!(
            hearth_worker::remind(&app.store).await.unwrap(),
            0,
            "[{e}] twice: nothing new"
        );
        assert_eq!(reminder_rows(&app).await, 3, "[{e}] one row per event");

        let list = items(&ok(&app, &org, "/api/v1/reminders").await);
        let kinds: Vec<&str> = list.iter().map(|r| r["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            ["follow_up_due", "membership_renewal", "warranty_expiring"],
            "[{e}] soonest first"
        );
        assert!(
            list.iter().all(|r| r["customer_id"] == grace["id"]),
            "[{e}]"
        );
        let warranty = &list[2];
        assert_eq!(warranty["event_on"], today_plus(10), "[{e}]");
        assert!(
            warranty["title"]
                .as_str()
                .unwrap()
                .contains("Furnace (Carrier 59SC5) for Grace Hopper"),
            "[{e}] {warranty}"
        );
        assert!(
            list[1]["title"].as_str().unwrap().contains("Comfort Club"),
            "[{e}]"
        );

        // Another organisation cannot see or dismiss them.
        let other = app.org("beta").await;
        assert!(
            items(&ok(&app, &other, "/api/v1/reminders").await).is_empty(),
            "[{e}]"
        );
        let path = format!("/api/v1/reminders/{}/dismiss", id(warranty));
        expect_status(
            app.post(&other, &path, json!({})).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;

        let dismissed =
            expect_status(app.post(&org, &path, json!({})).await, StatusCode::OK, e).await;
        assert!(dismissed["dismissed_at"].is_string(), "[{e}]");
        assert_eq!(
            items(&ok(&app, &org, "/api/v1/reminders").await).len(),
            2,
            "[{e}]"
        );
        assert_eq!(
            hearth_worker::remind(&app.store).await.unwrap(),
            0,
            "[{e}] a dismissed reminder is not raised again"
        );
    }
}

#[tokio::test]
async fn days_ahead_come_from_the_org_settings() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        reminded_things(&app, &org, 20, 10).await;
        let s = ok(&app, &org, "/api/v1/settings/reminders").await;
        assert_eq!(
            (s["warranty_days"].as_i64(), s["membership_days"].as_i64()),
            (Some(30), Some(14)),
            "[{e}] defaults"
        );
        let s = expect_status(
            app.patch(&org, "/api/v1/settings/reminders", json!({"version": 0, "warranty_days": 15, "membership_days": 7, "follow_up_days": 0}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(s["version"], 1, "[{e}]");
        // 20 days to the warranty, 10 to the renewal, the task tomorrow: all out of range.
        assert_eq!(hearth_worker::remind(&app.store).await.unwrap(), 0, "[{e}]");
        expect_status(
            app.patch(
                &org,
                "/api/v1/settings/reminders",
                json!({"version": 0, "warranty_days": 25}),
            )
            .await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        let res = app
            .patch(
                &org,
                "/api/v1/settings/reminders",
                json!({"version": 1, "warranty_days": 400, "follow_up_days": -1}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["warranty_days", "follow_up_days"],
            "[{e}]"
        );
        // The schema allows a kind to be left out, not to be null (null was
        // once taken as "unchanged" against the schema).
        let res = app
            .patch(
                &org,
                "/api/v1/settings/reminders",
                json!({"version": 1, "notify_customers": {"warranty_expiring": null}}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["notify_customers.warranty_expiring"],
            "[{e}]"
        );
        expect_status(
            app.patch(
                &org,
                "/api/v1/settings/reminders",
                json!({"version": 1, "warranty_days": 25}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            hearth_worker::remind(&app.store).await.unwrap(),
            1,
            "[{e}] the warranty now"
        );
    }
}

#[tokio::test]
async fn staff_see_and_dismiss_reminders_on_the_dashboard() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        reminded_things(&app, &org, 10, 5).await;
        hearth_worker::remind(&app.store).await.unwrap();
        let b = Staff::sign_in(&app, &org).await;
        let html = b.page("/", StatusCode::OK).await;
        assert!(
            html.contains("Follow-up due: Call Grace back about the quote"),
            "[{e}]"
        );
        assert!(html.contains("Comfort Club membership renews"), "[{e}]");
        let warranty = items(&ok(&app, &org, "/api/v1/reminders").await)
            .into_iter()
            .find(|r| r["kind"] == "warranty_expiring")
            .unwrap();
        let (status, to, _) = b
            .post(&format!("/reminders/{}/dismiss", id(&warranty)), &[])
            .await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/"), "[{e}]");
        let html = b.page("/", StatusCode::OK).await;
        assert!(!html.contains("Warranty on Furnace"), "[{e}] dismissed");

        // The thresholds are set on the settings page too.
        let html = b.page("/settings/inbound", StatusCode::OK).await;
        assert!(
            html.contains("name=\"warranty_days\" min=\"0\" max=\"365\" value=\"30\""),
            "[{e}]"
        );
        let fields = [
            ("version", "0"),
            ("warranty_days", "45"),
            ("membership_days", "14"),
            ("follow_up_days", "1"),
        ];
        let (status, to, _) = b.post("/settings/reminders", &fields).await;
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, "/settings/inbound"),
            "[{e}]"
        );
        assert_eq!(
            ok(&app, &org, "/api/v1/settings/reminders").await["warranty_days"],
            45,
            "[{e}]"
        );
        let (status, _, body) = b.post("/settings/reminders", &fields).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{e}] a stale version is shown, not saved"
        );
        assert!(body.contains("changed by someone else"), "[{e}]");
    }
}
