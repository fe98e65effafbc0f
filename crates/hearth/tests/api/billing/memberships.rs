use super::*;
use hearth_domain::auth::Role;

async fn plan(app: &TestApp, org: &TestOrg) -> Value {
    created(
        app,
        org,
        "/api/v1/membership-plans",
        json!({"name": "Comfort Club", "price_minor": 1900, "interval": "month", "included_visits": 2}),
    )
    .await
}

#[tokio::test]
async fn plans_are_created_changed_and_archived() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = plan(&app, &org).await;
        assert_eq!(
            (p["currency"].as_str(), p["archived"].as_bool()),
            (Some("USD"), Some(false)),
            "[{e}]"
        );
        let path = format!("/api/v1/membership-plans/{}", id(&p));
        assert_eq!(ok(&app, &org, &path).await, p, "[{e}]");
        let fields = refused(
            &app,
            &org,
            "/api/v1/membership-plans",
            json!({"name": "", "price_minor": -1, "interval": "month", "included_visits": -1}),
        )
        .await;
        assert_eq!(fields, ["name", "price_minor", "included_visits"], "[{e}]");
        let fields = refused(
            &app,
            &org,
            "/api/v1/membership-plans",
            json!({"name": "X", "price_minor": 1, "interval": "week"}),
        )
        .await;
        assert_eq!(fields, ["interval"], "[{e}]");

        let changed = expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": 1, "price_minor": 2100, "interval": "year"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            (
                changed["price_minor"].as_i64(),
                changed["interval"].as_str()
            ),
            (Some(2100), Some("year")),
            "[{e}]"
        );
        expect_status(
            app.patch(&org, &path, json!({"version": 1, "name": "Old"}))
                .await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        expect_status(
            app.patch(&org, &path, json!({"version": 2, "archived": true}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            items(&ok(&app, &org, "/api/v1/membership-plans").await).is_empty(),
            "[{e}] archived plans hide"
        );
        assert_eq!(
            items(&ok(&app, &org, "/api/v1/membership-plans?archived=true").await).len(),
            1,
            "[{e}]"
        );
        let c = id(&app.grace(&org).await);
        let fields = refused(
            &app,
            &org,
            "/api/v1/memberships",
            json!({"customer_id": c, "plan_id": id(&p)}),
        )
        .await;
        assert_eq!(fields, ["plan_id"], "[{e}] archived plans take no members");

        // Technicians use plans but do not set them up.
        let tech = app.org_with_key_role("tech-org", Role::Technician).await;
        let res = app
            .post(
                &tech,
                "/api/v1/membership-plans",
                json!({"name": "X", "price_minor": 1, "interval": "month"}),
            )
            .await;
        expect_status(res, StatusCode::FORBIDDEN, e).await;
    }
}

#[tokio::test]
async fn memberships_move_through_their_states_on_the_timeline() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let p = plan(&app, &org).await;
        let m = created(
            &app,
            &org,
            "/api/v1/memberships",
            json!({"customer_id": c, "plan_id": id(&p), "started_on": "2026-01-31"}),
        )
        .await;
        assert_eq!(m["status"], "active", "[{e}]");
        assert_eq!(m["plan_name"], "Comfort Club");
        assert_eq!(m["renews_on"], "2026-02-28", "[{e}] one month on, clamped");
        assert_eq!(
            m["billing_status"], "past_due",
            "[{e}] the renewal date has passed"
        );
        let path = format!("/api/v1/memberships/{}", id(&m));
        let renewed = post_ok(&app, &org, &format!("{path}/renew"), json!({})).await;
        assert_eq!(
            (renewed["periods"].as_i64(), renewed["renews_on"].as_str()),
            (Some(2), Some("2026-03-31")),
            "[{e}]"
        );
        let paused = post_ok(&app, &org, &format!("{path}/pause"), json!({})).await;
        assert_eq!(
            (paused["status"].as_str(), paused["billing_status"].as_str()),
            (Some("paused"), Some("current")),
            "[{e}]"
        );
        assert_eq!(
            refused(&app, &org, &format!("{path}/pause"), json!({})).await,
            ["status"],
            "[{e}]"
        );
        assert_eq!(
            refused(&app, &org, &format!("{path}/renew"), json!({})).await,
            ["status"],
            "[{e}]"
        );
        let resumed = post_ok(&app, &org, &format!("{path}/resume"), json!({})).await;
        assert_eq!(resumed["status"], "active", "[{e}]");
        let cancelled = post_ok(&app, &org, &format!("{path}/cancel"), json!({})).await;
        assert_eq!(cancelled["status"], "cancelled", "[{e}]");
        assert!(cancelled["cancelled_at"].is_string());
        for action in ["resume", "renew", "pause", "cancel"] {
            assert_eq!(
                refused(&app, &org, &format!("{path}/{action}"), json!({})).await,
                ["status"],
                "[{e}] {action}"
            );
        }
        expect_status(
            app.post(&org, &format!("{path}/upgrade"), json!({})).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;

        let today = created(
            &app,
            &org,
            "/api/v1/memberships",
            json!({"customer_id": c, "plan_id": id(&p)}),
        )
        .await;
        assert_eq!(today["started_on"], today_plus(0), "[{e}]");
        assert_eq!(today["billing_status"], "current", "[{e}]");

        let events = timeline(&app, &org, &c, "membership").await;
        let actions: Vec<&str> = events
            .iter()
            .map(|ev| ev.split(':').next().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "membership.created",
                "membership.cancelled",
                "membership.resumed",
                "membership.paused",
                "membership.renewed",
                "membership.created"
            ],
            "[{e}] {events:?}"
        );
        let listed = ok(&app, &org, &format!("/api/v1/memberships?customer_id={c}")).await;
        assert_eq!(items(&listed).len(), 2, "[{e}]");
        let fields = refused(
            &app,
            &org,
            "/api/v1/memberships",
            json!({"customer_id": c, "plan_id": c}),
        )
        .await;
        assert_eq!(fields, ["plan_id"], "[{e}]");
    }
}
