//! What a customer does in the portal — pay, book service, watch a visit
//! move, manage their membership, keep their details current — and that
//! each action is on their timeline.

use super::*;
use crate::search::next_event;
use reqwest::Method;

#[tokio::test]
async fn paying_booking_and_updating_details_are_on_the_customers_timeline() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let mail = Mailroom::start(&app).await;
        let a = household(&app, &org, "Ada").await;
        let portal = sign_in(&app, &mail, "acme", &a.email, 1).await;

        // The invoice, and paying it: the business takes payment itself.
        let html = portal
            .page(&format!("/portal/invoices/{}", a.invoice), StatusCode::OK)
            .await;
        assert!(
            html.contains("Furnace repair") && html.contains("245.00 USD"),
            "[{e}] {html}"
        );
        let (status, _, html) = portal
            .post(&format!("/portal/invoices/{}/pay", a.invoice), &[])
            .await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(html.contains("takes payment directly"), "[{e}] {html}");

        // Booking service in an offered slot makes a job the dispatcher sees.
        let html = portal.page("/portal/request", StatusCode::OK).await;
        let slot = html
            .split("name=\"slot\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("an offered slot")
            .to_string();
        let (status, location, _) = portal
            .post(
                "/portal/request",
                &[("service_type", "Boiler leaking"), ("slot", &slot)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let job = location.trim_start_matches("/portal/jobs/").to_string();
        let booked = ok(&app, &org, &format!("/api/v1/jobs/{job}")).await;
        assert_eq!(booked["status"], "scheduled", "[{e}]");
        assert_eq!(booked["service_type"], "Boiler leaking", "[{e}]");
        assert_eq!(booked["address_id"], a.address.as_str(), "[{e}]");
        // That slot is taken now.
        let (status, _, html) = portal
            .post(
                "/portal/request",
                &[("service_type", "Again"), ("slot", &slot)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(html.contains("not an open time"), "[{e}]");

        // Contact details: a bad email is named and changes nothing.
        let me = expect_status(
            portal.api(Method::GET, "/portal/api/me", None).await,
            StatusCode::OK,
            e,
        )
        .await;
        let res = portal
            .api(
                Method::PATCH,
                "/portal/api/contact",
                Some(json!({"version": me["version"], "email": "not an email"})),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["email"], "[{e}]");
        let (status, _, html) = portal
            .post(
                "/portal/contact",
                &[
                    ("version", &me["version"].to_string()),
                    ("email", "ada.new@home.example.com"),
                    ("phone", "512 555 0142"),
                    ("preferred_contact_method", "sms"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(html.contains("Saved."), "[{e}]");
        let read = ok(&app, &org, &format!("/api/v1/customers/{}", a.customer)).await;
        assert_eq!(read["email"], "ada.new@home.example.com", "[{e}]");
        assert_eq!(read["phone"], "+15125550142", "[{e}]");
        assert_eq!(read["preferred_contact_method"], "sms", "[{e}]");

        assert_eq!(
            portal_activity(&app, &org, &a.customer).await,
            [
                "contact_updated",
                "service_requested",
                "invoice_payment_started",
                "invoice_viewed",
                "signed_in"
            ],
            "[{e}]"
        );
        // The profile change is attributed to the customer in the portal.
        let history = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/timeline?kind=profile", a.customer),
        )
        .await;
        assert_eq!(history["items"][0]["actor"]["kind"], "customer", "[{e}]");
    }
}

#[tokio::test]
async fn memberships_pause_and_cancel_only_where_the_business_allows() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let mail = Mailroom::start(&app).await;
        let a = household(&app, &org, "Ada").await;
        let plan = created(
            &app,
            &org,
            "/api/v1/membership-plans",
            json!({"name": "Comfort Club", "price_minor": 1900, "interval": "month", "included_visits": 2}),
        )
        .await;
        let m = id(&created(
            &app,
            &org,
            "/api/v1/memberships",
            json!({"customer_id": a.customer, "plan_id": id(&plan)}),
        )
        .await);
        let portal = sign_in(&app, &mail, "acme", &a.email, 1).await;
        let html = portal.page("/portal/membership", StatusCode::OK).await;
        assert!(html.contains("Pause membership"), "[{e}]");
        assert!(
            !html.contains("Cancel membership"),
            "[{e}] not offered by default"
        );

        // Cancelling is not allowed until the business allows it.
        let res = portal
            .api(
                Method::POST,
                &format!("/portal/api/memberships/{m}/cancel"),
                None,
            )
            .await;
        expect_status(res, StatusCode::CONFLICT, e).await;
        let (status, location, _) = portal
            .post(&format!("/portal/membership/{m}/pause"), &[])
            .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/portal/membership"),
            "[{e}]"
        );
        assert_eq!(
            ok(&app, &org, &format!("/api/v1/memberships/{m}")).await["status"],
            "paused"
        );

        let settings = ok(&app, &org, "/api/v1/portal/settings").await;
        let mut changed = settings.clone();
        let fields = changed.as_object_mut().unwrap();
        fields.remove("has_logo");
        fields.insert("allow_cancel".into(), json!(true));
        let res = app
            .api(&org, Method::PUT, "/api/v1/portal/settings", Some(changed))
            .await;
        expect_status(res, StatusCode::OK, e).await;
        let res = portal
            .api(
                Method::POST,
                &format!("/portal/api/memberships/{m}/cancel"),
                None,
            )
            .await;
        let cancelled = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(cancelled["status"], "cancelled", "[{e}]");

        let membership_events =
            crate::billing::timeline(&app, &org, &a.customer, "membership").await;
        assert_eq!(
            membership_events[..2],
            [
                "membership.cancelled: Membership Comfort Club cancelled".to_string(),
                "membership.paused: Membership Comfort Club paused".to_string()
            ],
            "[{e}]"
        );
        let activity = portal_activity(&app, &org, &a.customer).await;
        assert_eq!(
            activity[..2],
            ["membership_cancelled", "membership_paused"],
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn a_customer_sees_their_own_visits_move_live() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let mail = Mailroom::start(&app).await;
        let a = household(&app, &org, "Ada").await;
        let b = household(&app, &org, "Bea").await;
        let portal = sign_in(&app, &mail, "acme", &a.email, 1).await;
        let mut stream = app
            .http
            .get(app.url("/portal/api/events"))
            .header("cookie", &portal.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), StatusCode::OK, "[{e}]");
        // Another customer's visit moves first; only Ada's reaches her.
        for job in [&b.job, &a.job] {
            let res = app
                .post(
                    &org,
                    &format!("/api/v1/jobs/{job}/status"),
                    json!({"status": "en_route"}),
                )
                .await;
            expect_status(res, StatusCode::OK, e).await;
        }
        let mut buf = String::new();
        let event = next_event(&mut stream, &mut buf, "job_status")
            .await
            .expect("a job_status event");
        assert_eq!(event["job_id"], a.job.as_str(), "[{e}]");
        assert_eq!(event["status"], "en_route", "[{e}]");
        assert!(
            next_event(&mut stream, &mut buf, "job_status")
                .await
                .is_none(),
            "[{e}] nothing of Bea's"
        );
    }
}
