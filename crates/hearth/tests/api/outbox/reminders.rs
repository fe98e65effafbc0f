//! Reminders delivered beyond the dashboard: by email to staff, and to
//! customers by their preferred contact method, once per reminder.

use super::*;
use crate::reminders::{membership_renewing, reminded_things, reminder_rows, warranty_ending};
use hearth_domain::auth::Role;
use hearth_store::{Raw, work};
use serde_json::json;

async fn outbox_rows(app: &TestApp) -> i64 {
    app.store
        .read(work!(|c| c.query_one(
            &Raw("SELECT COUNT(*) FROM outbox", vec![]),
            |r| r.get::<i64>(0)
        )))
        .await
        .unwrap()
}

async fn settings(app: &TestApp, org: &TestOrg, patch: Value) -> Value {
    expect_status(
        app.patch(org, "/api/v1/settings/reminders", patch).await,
        StatusCode::OK,
        app.engine,
    )
    .await
}

fn long_date(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days))
        .format("%B %-d, %Y")
        .to_string()
}

#[tokio::test]
async fn a_reminder_raised_twice_is_emailed_once_to_staff_and_customer() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = reminded_things(&app, &org, 10, 5).await;
        let dina =
            crate::jobs::user(&app, "acme", "dina@acme.test", "Dina", Role::Dispatcher).await;
        created(
            &app,
            &org,
            "/api/v1/tasks",
            json!({"title": "Send Grace the quote", "assignee_id": dina,
                   "due_at": format!("{}T09:00:00Z", crate::billing::today_plus(1))}),
        )
        .await;
        expect_status(
            app.patch(
                &org,
                &format!("/api/v1/customers/{}", id(&grace)),
                json!({"version": grace["version"], "preferred_contact_method": "email"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        settings(
            &app,
            &org,
            json!({"version": 0, "email_staff": true,
                   "notify_customers": {"warranty_expiring": true, "membership_renewal": true},
                   "customer_messages": {"warranty_expiring": {"email_subject": "{{item}}: warranty ends {{date}}"}}}),
        )
        .await;

        assert_eq!(hearth_worker::remind(&app.store).await.unwrap(), 4, "[{e}]");
        assert_eq!(hearth_worker::remind(&app.store).await.unwrap(), 0, "[{e}]");
        // Three reminders for the owner, one for Dina, two for Grace too.
        assert_eq!(outbox_rows(&app).await, 6, "[{e}] queued once");

        let smtp = SmtpSink::start(false).await;
        let _worker = spawn_worker(
            &app,
            hearth_worker::Config {
                smtp: Some(smtp.worker_config()),
                ..worker_config(&app)
            },
        );
        let mails = eventually("six emails", || async {
            let m = smtp.accepted();
            (m.len() >= 6).then_some(m)
        })
        .await;
        assert_eq!(hearth_worker::remind(&app.store).await.unwrap(), 0, "[{e}]");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(smtp.accepted().len(), 6, "[{e}] nothing sent twice");

        let to = |who: &str| {
            mails
                .iter()
                .map(Mail::decoded)
                .filter(|m| m.contains(&format!("To: {who}")))
                .collect::<Vec<_>>()
        };
        let staff = to("owner@acme.test");
        assert_eq!(staff.len(), 3, "[{e}]");
        assert!(
            staff
                .iter()
                .any(|m| m.contains("Subject: Reminder: Follow-up due: Call Grace back")),
            "[{e}] {staff:?}"
        );
        let assigned = to("dina@acme.test");
        assert_eq!(assigned.len(), 1, "[{e}] the assignee's own");
        assert!(
            assigned[0].contains("Subject: Reminder: Follow-up due: Send Grace the quote"),
            "[{e}] {assigned:?}"
        );
        let customer = to("grace@navy.example.com");
        assert_eq!(customer.len(), 2, "[{e}]");
        let subject = format!(
            "Subject: Furnace (Carrier 59SC5): warranty ends {}",
            long_date(10)
        );
        assert!(
            customer.iter().any(|m| m.contains(&subject)),
            "[{e}] the org's text, merged: {customer:?}"
        );
        assert!(
            customer.iter().any(|m| m.contains(&format!(
                "Your Comfort Club membership with acme Ltd renews on {}",
                long_date(5)
            ))),
            "[{e}] the built-in text: {customer:?}"
        );

        // Both are on Grace's communication log and timeline, as sent.
        let logged = communications(&app, &org, &id(&grace)).await;
        let sent: Vec<_> = logged
            .iter()
            .filter(|c| c["direction"] == "out" && c["channel"] == "email")
            .collect();
        assert_eq!(sent.len(), 2, "[{e}] {logged:?}");
        let timeline = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/timeline", id(&grace)),
        )
        .await;
        assert!(
            timeline.to_string().contains("Email sent"),
            "[{e}] {timeline}"
        );
    }
}

#[tokio::test]
async fn a_customer_who_prefers_sms_gets_a_text() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let lin = app
            .customer(
                &org,
                json!({"first_name": "Lin", "phone": "(512) 555-0142", "email": "lin@example.com",
                       "preferred_contact_method": "sms"}),
            )
            .await;
        warranty_ending(&app, &org, &lin, 20).await;
        settings(
            &app,
            &org,
            json!({"version": 0, "notify_customers": {"warranty_expiring": true}}),
        )
        .await;
        assert_eq!(hearth_worker::remind(&app.store).await.unwrap(), 1, "[{e}]");

        let smtp = SmtpSink::start(false).await;
        let sms = HttpSink::start(0).await;
        let _worker = spawn_worker(
            &app,
            hearth_worker::Config {
                smtp: Some(smtp.worker_config()),
                sms: Some(sms.sms_config()),
                ..worker_config(&app)
            },
        );
        let texts = eventually("the text", || async {
            let r = sms.received();
            (!r.is_empty()).then_some(r)
        })
        .await;
        let form: HashMap<String, String> = serde_urlencoded_pairs(&texts[0].body);
        assert_eq!(form["To"], "+15125550142", "[{e}]");
        assert_eq!(
            form["Body"],
            format!(
                "acme Ltd: the warranty on your Furnace (Carrier 59SC5) ends {}. \
                 Reply to book a check-up while it still covers you.",
                long_date(20)
            ),
            "[{e}]"
        );
        let sent = settled(&app, &org, &id(&lin)).await;
        assert_eq!(
            (sent["channel"].as_str(), sent["status"].as_str()),
            (Some("sms"), Some("sent")),
            "[{e}]"
        );
        assert!(smtp.accepted().is_empty(), "[{e}] staff email is off");
    }
}

/// `application/x-www-form-urlencoded` pairs, decoded.
fn serde_urlencoded_pairs(body: &str) -> HashMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{body}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[tokio::test]
async fn switched_off_or_unreachable_means_in_app_only() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = reminded_things(&app, &org, 10, 5).await;
        // Defaults: no email to staff, nothing to customers.
        assert_eq!(hearth_worker::remind(&app.store).await.unwrap(), 3, "[{e}]");
        assert_eq!(outbox_rows(&app).await, 0, "[{e}] nothing to send");

        // Switched on, but Ada can be reached neither by email nor by phone.
        let s = settings(
            &app,
            &org,
            json!({"version": 0, "notify_customers": {"warranty_expiring": true, "membership_renewal": true}}),
        )
        .await;
        assert_eq!(s["notify_customers"]["membership_renewal"], true, "[{e}]");
        let ada = app
            .customer(&org, json!({"first_name": "Ada", "last_name": "Lovelace"}))
            .await;
        warranty_ending(&app, &org, &ada, 12).await;
        membership_renewing(&app, &org, &ada, 6).await;
        assert_eq!(hearth_worker::remind(&app.store).await.unwrap(), 2, "[{e}]");
        assert_eq!(reminder_rows(&app).await, 5, "[{e}] in the app");
        assert_eq!(outbox_rows(&app).await, 0, "[{e}] no message");
        assert!(
            communications(&app, &org, &id(&ada)).await.is_empty(),
            "[{e}]"
        );
        assert!(
            communications(&app, &org, &id(&grace)).await.is_empty(),
            "[{e}] raised before the switch: not sent afterwards"
        );
    }
}

#[tokio::test]
async fn customer_messages_are_checked_before_they_are_saved() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let res = app
            .patch(
                &org,
                "/api/v1/settings/reminders",
                json!({"version": 0, "email_staff": true, "customer_messages": {
                    "warranty_expiring": {"sms_body": "Hi {{nickname}}"},
                    "membership_renewal": {"email_subject": " "}}}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            [
                "customer_messages.warranty_expiring.sms_body",
                "customer_messages.membership_renewal.email_subject"
            ],
            "[{e}]"
        );
        let s = ok(&app, &org, "/api/v1/settings/reminders").await;
        assert_eq!(
            (s["version"].as_i64(), s["email_staff"].as_bool()),
            (Some(0), Some(false)),
            "[{e}] nothing changed"
        );
        let s = settings(
            &app,
            &org,
            json!({"version": 0, "customer_messages": {"warranty_expiring": {"sms_body": "{{date}}: {{item}}"}}}),
        )
        .await;
        assert_eq!(
            s["customer_messages"]["warranty_expiring"]["sms_body"], "{{date}}: {{item}}",
            "[{e}]"
        );
        assert!(
            s["customer_messages"]["warranty_expiring"]["email_body"]
                .as_str()
                .unwrap()
                .contains("{{item}}"),
            "[{e}] the rest stays"
        );

        // The settings page edits the same settings.
        let b = Staff::sign_in(&app, &org).await;
        let html = b.page("/settings/inbound", StatusCode::OK).await;
        assert!(html.contains("{{date}}: {{item}}</textarea>"), "[{e}]");
        let (status, to, _) = b
            .post(
                "/settings/reminders",
                &[
                    ("version", "1"),
                    ("warranty_days", "30"),
                    ("membership_days", "14"),
                    ("follow_up_days", "1"),
                    ("email_staff", "true"),
                    ("notify_membership", "true"),
                    ("membership_sms_body", "Renews {{date}}"),
                ],
            )
            .await;
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, "/settings/inbound"),
            "[{e}]"
        );
        let s = ok(&app, &org, "/api/v1/settings/reminders").await;
        assert_eq!(s["email_staff"], true, "[{e}]");
        assert_eq!(
            s["notify_customers"],
            json!({"warranty_expiring": false, "membership_renewal": true}),
            "[{e}]"
        );
        assert_eq!(
            s["customer_messages"]["membership_renewal"]["sms_body"], "Renews {{date}}",
            "[{e}]"
        );
    }
}
