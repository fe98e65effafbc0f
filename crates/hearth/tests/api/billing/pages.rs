//! The billing pages as staff use them: forms post with the CSRF token and
//! land back where they started.

use super::*;

#[tokio::test]
async fn staff_bill_enrol_and_support_a_customer_from_the_pages() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let staff = Staff::sign_in(&app, &org).await;
        let card = format!("/customers/{c}");
        let (status, html) = staff.get(&card).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        for section in [
            "id=\"quotes\"",
            "id=\"invoices\"",
            "id=\"membership\"",
            "id=\"loyalty\"",
            "id=\"tickets\"",
        ] {
            assert!(html.contains(section), "[{e}] the card has {section}");
        }

        // A new invoice from the form: 1.5 h at 95.00 with 8.25 % tax.
        let (status, _) = staff.get(&format!("/invoices/new?customer_id={c}")).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let (status, _, body) = staff
            .post(
                "/invoices",
                &[
                    ("customer_id", &c),
                    ("currency", "USD"),
                    ("description_0", "Labour"),
                    ("unit_price_0", "abc"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(
            body.contains("lines[0].unit price"),
            "[{e}] the bad amount is named"
        );
        let (status, location, _) = staff
            .post(
                "/invoices",
                &[
                    ("customer_id", &c),
                    ("currency", "USD"),
                    ("description_0", "Labour"),
                    ("quantity_0", "1.5"),
                    ("unit_price_0", "95.00"),
                    ("tax_rate_0", "8.25"),
                    ("issue", "on"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (_, html) = staff.get(&location).await;
        assert!(html.contains("INV-000001"), "[{e}]");
        assert!(html.contains("154.26 USD"), "[{e}] 142.50 + 11.76 tax");
        let invoice = location.trim_start_matches("/invoices/").to_string();

        // Record a partial payment from the card.
        let (status, location, _) = staff
            .post(
                &format!("/invoices/{invoice}/payments"),
                &[
                    ("amount", "54.26"),
                    ("method", "check"),
                    ("reference", "#77"),
                ],
            )
            .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, format!("{card}#invoices").as_str()),
            "[{e}]"
        );
        let (_, html) = staff.get(&card).await;
        assert!(html.contains("partially paid"), "[{e}]");
        assert!(html.contains("100.00 USD"), "[{e}] the balance");
        let (_, list) = staff.get("/invoices?status=partially_paid").await;
        assert!(
            list.contains("INV-000001") && list.contains("Grace Hopper"),
            "[{e}]"
        );
        let (status, _, _) = staff
            .post(
                &format!("/invoices/{invoice}/payments"),
                &[("amount", "100.01"), ("method", "cash")],
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{e}] no overpayment from the page either"
        );

        // Membership plans, enrolment and pausing.
        let (status, location, _) = staff
            .post(
                "/settings/membership-plans",
                &[
                    ("name", "Comfort Club"),
                    ("price", "19.00"),
                    ("currency", "USD"),
                    ("interval", "month"),
                    ("included_visits", "2"),
                ],
            )
            .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/settings/membership-plans"),
            "[{e}]"
        );
        let (_, html) = staff.get("/settings/membership-plans").await;
        assert!(
            html.contains("Comfort Club") && html.contains("19.00 USD"),
            "[{e}]"
        );
        let plan = items(&ok(&app, &org, "/api/v1/membership-plans").await)[0].clone();
        let (status, _, _) = staff
            .post(
                &format!("/customers/{c}/memberships"),
                &[("plan_id", &id(&plan))],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let m = items(&ok(&app, &org, &format!("/api/v1/memberships?customer_id={c}")).await)[0]
            .clone();
        let (status, _, _) = staff
            .post(&format!("/memberships/{}/pause", id(&m)), &[])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (_, html) = staff.get(&card).await;
        assert!(
            html.contains("Comfort Club") && html.contains(">paused<"),
            "[{e}]"
        );
        assert!(
            html.contains(&format!("/memberships/{}/resume", id(&m))),
            "[{e}] a paused membership offers resume"
        );

        // A quote, sent from its page.
        let (status, location, _) = staff
            .post(
                "/quotes",
                &[
                    ("customer_id", &c),
                    ("currency", "USD"),
                    ("title", "New heater"),
                    ("description_0", "Heater"),
                    ("unit_price_0", "899"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let quote = location.trim_start_matches("/quotes/").to_string();
        let (status, _, _) = staff
            .post(&format!("/quotes/{quote}/status"), &[("status", "sent")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (_, html) = staff.get(&location).await;
        assert!(
            html.contains("New heater") && html.contains(">sent<") && html.contains("899.00 USD"),
            "[{e}]"
        );

        // A support ticket and a reply.
        let (status, _) = staff.get(&format!("/tickets/new?customer_id={c}")).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let (status, location, _) = staff
            .post(
                "/tickets",
                &[
                    ("customer_id", &c),
                    ("subject", "Thermostat blank"),
                    ("channel", "phone"),
                    ("priority", "high"),
                    ("body", "Screen went dark"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (status, _, _) = staff
            .post(
                &format!("{location}/messages"),
                &[("body", "Try new batteries"), ("author", "staff")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (_, html) = staff.get(&location).await;
        assert!(
            html.contains("Screen went dark") && html.contains("Try new batteries"),
            "[{e}]"
        );
        let (_, html) = staff.get("/tickets").await;
        assert!(html.contains("Thermostat blank"), "[{e}]");
        let (_, html) = staff.get(&card).await;
        assert!(
            html.contains("Thermostat blank"),
            "[{e}] open tickets show on the card"
        );

        // A forged form changes nothing.
        let res = app
            .http
            .post(app.url(&format!("/invoices/{invoice}/payments")))
            .header("cookie", &staff.cookie)
            .form(&[("_csrf", "forged"), ("amount", "1.00"), ("method", "cash")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        let paid = ok(&app, &org, &format!("/api/v1/invoices/{invoice}")).await;
        assert_eq!(paid["amount_paid_minor"], 5426, "[{e}]");
    }
}
