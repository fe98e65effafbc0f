use super::*;
use serde_json::json;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// The URL of the first HTML attribute (`href="`, `src="`) that starts
/// with `prefix`.
fn url_in(html: &str, prefix: &str) -> String {
    let start = html
        .find(&format!("=\"{prefix}"))
        .unwrap_or_else(|| panic!("{prefix} not in {html}"))
        + 2;
    html[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn email_and_sms_reach_real_servers_with_merge_fields_and_tracking() {
    for app in apps().await {
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
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

        let template = expect_status(
            app.post(
                &org,
                "/api/v1/message-templates",
                json!({"name": "Visit", "channel": "email", "subject": "Your visit, {{first_name}}",
                       "body": "Hi {{first_name}} {{last_name}}, {{org_name}} will come by.\nBook again: https://acme.example/book."}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        let queued = expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{grace}/messages"),
                json!({"channel": "email", "template_id": id(&template)}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        assert_eq!(queued["status"], "queued", "[{}]", app.engine);
        assert_eq!(queued["subject"], "Your visit, Grace");
        let sent = settled(&app, &org, &grace).await;
        assert_eq!(sent["status"], "sent", "[{}] {sent}", app.engine);

        let mails = smtp.accepted();
        assert_eq!(mails.len(), 1, "[{}]", app.engine);
        let raw = &mails[0].decoded();
        assert!(mails[0].message_id.ends_with("@hearth>"), "{raw}");
        assert!(raw.contains("Subject: Your visit, Grace"), "{raw}");
        assert!(
            raw.contains("Hi Grace Hopper, acme Ltd will come by."),
            "{raw}"
        );
        assert!(
            !raw.contains("https://acme.example/book\r\n"),
            "links are tracked: {raw}"
        );

        // The click link redirects to the stored address only; the pixel
        // answers an image. Both show on the communication and timeline.
        let click = url_in(raw, &format!("{}/t/c/", app.base));
        let res = app.http.get(&click).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "[{}]", app.engine);
        assert_eq!(res.headers()["location"], "https://acme.example/book");
        let pixel = url_in(raw, &format!("{}/t/o/", app.base));
        let res = app.http.get(&pixel).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/gif");
        let guessed = app
            .http
            .get(app.url("/t/c/not-a-real-token"))
            .send()
            .await
            .unwrap();
        assert_eq!(guessed.status(), StatusCode::NOT_FOUND);
        let tracked = communications(&app, &org, &grace).await.remove(0);
        assert!(
            tracked["opened_at"].is_string(),
            "[{}] {tracked}",
            app.engine
        );
        assert!(
            tracked["clicked_at"].is_string(),
            "[{}] {tracked}",
            app.engine
        );
        let timeline = expect_status(
            app.get(&org, &format!("/api/v1/customers/{grace}/timeline"))
                .await,
            StatusCode::OK,
            app.engine,
        )
        .await
        .to_string();
        assert!(timeline.contains("Email sent"), "{timeline}");
        assert!(timeline.contains("Email opened") || timeline.contains("Email link followed"));

        // SMS: Twilio's request format, the idempotency key, basic auth.
        let queued = expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{grace}/messages"),
                json!({"channel": "sms", "body": "On our way, {{first_name}}!"}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        assert_eq!(queued["body"], "On our way, Grace!");
        let sent = settled(&app, &org, &grace).await;
        assert_eq!(sent["status"], "sent", "[{}] {sent}", app.engine);
        let requests = sms.received();
        assert_eq!(requests.len(), 1);
        let r = &requests[0];
        assert_eq!(r.path, "/2010-04-01/Accounts/AC123/Messages.json");
        assert!(r.body.contains("To=%2B15125550188"), "{}", r.body);
        assert!(r.body.contains("Body=On+our+way%2C+Grace%21"), "{}", r.body);
        assert!(r.headers.contains_key("idempotency-key"));
        assert!(
            r.headers["authorization"]
                .to_str()
                .unwrap()
                .starts_with("Basic ")
        );

        let channels = expect_status(
            app.get(&org, "/api/v1/channels").await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        for name in ["smtp", "sms"] {
            let ch = channels
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["channel"] == name)
                .unwrap();
            assert!(ch["last_success_at"].is_string(), "{ch}");
            assert_eq!(ch["queued"], 0);
            assert_eq!(ch["healthy"], true);
        }
    }
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_ends_failed_and_shows_everywhere() {
    for app in apps().await {
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
        let sms = HttpSink::start(usize::MAX).await;
        let _worker = spawn_worker(
            &app,
            hearth_worker::Config {
                sms: Some(sms.sms_config()),
                ..worker_config(&app)
            },
        );
        expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{grace}/messages"),
                json!({"channel": "sms", "body": "Hello"}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        let failed = settled(&app, &org, &grace).await;
        assert_eq!(failed["status"], "failed", "[{}] {failed}", app.engine);
        assert!(
            failed["delivery_error"].as_str().unwrap().contains("500"),
            "{failed}"
        );
        // Three attempts (the test policy), one idempotency key.
        let requests = sms.received();
        assert_eq!(requests.len(), 3, "[{}]", app.engine);
        let keys: std::collections::HashSet<_> = requests
            .iter()
            .map(|r| r.headers["idempotency-key"].clone())
            .collect();
        assert_eq!(keys.len(), 1);

        let channels = expect_status(
            app.get(&org, "/api/v1/channels").await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        let sms_health = channels
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == "sms")
            .unwrap()
            .clone();
        assert_eq!(sms_health["dead_letters"], 1, "{sms_health}");
        assert_eq!(sms_health["healthy"], false);
        assert!(sms_health["last_error"].as_str().unwrap().contains("500"));
        let health: Value = app
            .http
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sms_public = health["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == "sms")
            .unwrap()
            .clone();
        assert_eq!(sms_public["dead_letters"], 1, "{health}");
        assert!(
            sms_public["last_error"].is_null(),
            "no error text in public: {health}"
        );
    }
}

#[tokio::test]
async fn bad_messages_and_templates_name_the_field_and_change_nothing() {
    for app in apps().await {
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
        let no_email = id(&app.customer(&org, json!({"first_name": "Ada"})).await);
        let path = format!("/api/v1/customers/{grace}/messages");
        let cases = [
            (
                path.clone(),
                json!({"channel": "call", "body": "x"}),
                "channel",
            ),
            (
                path.clone(),
                json!({"channel": "email", "body": "x"}),
                "subject",
            ),
            (
                path.clone(),
                json!({"channel": "sms", "body": "Hi {{nickname}}"}),
                "body",
            ),
            (path.clone(), json!({"channel": "sms"}), "body"),
            (
                path.clone(),
                json!({"channel": "sms", "template_id": "0190a0a0-0000-7000-8000-000000000000"}),
                "template_id",
            ),
            (
                format!("/api/v1/customers/{no_email}/messages"),
                json!({"channel": "email", "subject": "Hi", "body": "x"}),
                "channel",
            ),
            (
                "/api/v1/message-templates".to_string(),
                json!({"name": "X", "channel": "sms", "body": "Hi {{nick}}"}),
                "body",
            ),
            (
                "/api/v1/message-templates".to_string(),
                json!({"name": " ", "channel": "sms", "body": "Hi"}),
                "name",
            ),
        ];
        for (path, body, field) in cases {
            let problem = expect_status(
                app.post(&org, &path, body.clone()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                app.engine,
            )
            .await;
            assert!(
                problem_fields(&problem).contains(&field.to_string()),
                "[{}] {body} → {problem}",
                app.engine
            );
        }
        let unknown = expect_status(
            app.post(
                &org,
                &path,
                json!({"channel": "sms", "body": "Hi {{nickname}}"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            app.engine,
        )
        .await;
        assert!(unknown.to_string().contains("{{nickname}}"), "{unknown}");
        assert!(communications(&app, &org, &grace).await.is_empty());
        assert!(communications(&app, &org, &no_email).await.is_empty());
    }
}

#[tokio::test]
async fn templates_update_with_versions_and_delete() {
    for app in apps().await {
        let org = app.org("acme").await;
        let t = expect_status(
            app.post(
                &org,
                "/api/v1/message-templates",
                json!({"name": "Hi", "channel": "sms", "body": "Hi {{first_name}}"}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        let path = format!("/api/v1/message-templates/{}", id(&t));
        let put = |version: i64| {
            app.api(
                &org,
                reqwest::Method::PUT,
                &path,
                Some(json!({"name": "Hello", "channel": "sms", "body": "Hello {{first_name}}", "version": version})),
            )
        };
        let updated = expect_status(put(1).await, StatusCode::OK, app.engine).await;
        assert_eq!(updated["version"], 2);
        expect_status(put(1).await, StatusCode::CONFLICT, app.engine).await;
        // A replacement needs the version read; a new template has none.
        let unversioned = json!({"name": "Hello", "channel": "sms", "body": "Hello"});
        let problem = expect_status(
            app.api(&org, reqwest::Method::PUT, &path, Some(unversioned.clone()))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            app.engine,
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "version", "{problem}");
        let mut versioned = unversioned;
        versioned["version"] = 1.into();
        expect_status(
            app.post(&org, "/api/v1/message-templates", versioned).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            app.engine,
        )
        .await;
        expect_status(
            app.delete(&org, &path).await,
            StatusCode::NO_CONTENT,
            app.engine,
        )
        .await;
        expect_status(
            app.get(&org, &path).await,
            StatusCode::NOT_FOUND,
            app.engine,
        )
        .await;
    }
}

#[tokio::test]
async fn another_org_cannot_send_to_or_read_these_records() {
    for app in apps().await {
        let a = app.org("acme").await;
        let b = app.org("bravo").await;
        let grace = id(&app.grace(&a).await);
        let t = expect_status(
            app.post(
                &a,
                "/api/v1/message-templates",
                json!({"name": "Hi", "channel": "sms", "body": "Hi"}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        let w = expect_status(
            app.post(
                &a,
                "/api/v1/webhooks",
                json!({"url": "https://hooks.example/in", "events": ["lead.won"]}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        let (t, w) = (id(&t), id(&w));
        let not_found = [
            app.post(
                &b,
                &format!("/api/v1/customers/{grace}/messages"),
                json!({"channel": "sms", "body": "x"}),
            )
            .await,
            app.get(&b, &format!("/api/v1/message-templates/{t}")).await,
            app.delete(&b, &format!("/api/v1/message-templates/{t}"))
                .await,
            app.get(&b, &format!("/api/v1/webhooks/{w}")).await,
            app.get(&b, &format!("/api/v1/webhooks/{w}/deliveries"))
                .await,
            app.delete(&b, &format!("/api/v1/webhooks/{w}")).await,
        ];
        for res in not_found {
            expect_status(res, StatusCode::NOT_FOUND, app.engine).await;
        }
        // B's template cannot be used for A's message either.
        let bt = expect_status(
            app.post(
                &b,
                "/api/v1/message-templates",
                json!({"name": "B", "channel": "sms", "body": "B"}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        let problem = expect_status(
            app.post(
                &a,
                &format!("/api/v1/customers/{grace}/messages"),
                json!({"channel": "sms", "template_id": id(&bt)}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            app.engine,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["template_id"]);
        let listed = expect_status(
            app.get(&b, "/api/v1/webhooks").await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        assert_eq!(listed, json!([]));
    }
}

#[tokio::test]
async fn opening_an_email_is_a_score_signal_for_the_customers_open_lead() {
    use crate::leads::{default_pipeline, new_lead, stage};
    for app in apps().await {
        let org = app.org("acme").await;
        let lead = new_lead(
            &app,
            &org,
            json!({"first_name": "Nina", "email": "nina@example.com"}),
        )
        .await;
        let lead_id = id(&lead);
        let converted = expect_status(
            app.post(&org, &format!("/api/v1/leads/{lead_id}/convert"), json!({}))
                .await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        let customer = converted["customer_id"].as_str().unwrap().to_string();
        // Back in an open stage: the lead is being worked again.
        let pipeline = default_pipeline(&app, &org).await;
        expect_status(
            app.post(
                &org,
                &format!("/api/v1/leads/{lead_id}/move"),
                json!({"stage_id": stage(&pipeline, "Follow-up")}),
            )
            .await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        let signals = |lead: &Value| lead["score_breakdown"].to_string();
        let before = signals(
            &expect_status(
                app.get(&org, &format!("/api/v1/leads/{lead_id}")).await,
                StatusCode::OK,
                app.engine,
            )
            .await,
        );
        assert!(!before.contains("email_open"), "{before}");

        let smtp = SmtpSink::start(false).await;
        let _worker = spawn_worker(
            &app,
            hearth_worker::Config {
                smtp: Some(smtp.worker_config()),
                ..worker_config(&app)
            },
        );
        expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{customer}/messages"),
                json!({"channel": "email", "subject": "Quote", "body": "Your quote"}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        assert_eq!(settled(&app, &org, &customer).await["status"], "sent");
        let pixel = url_in(&smtp.accepted()[0].decoded(), &format!("{}/t/o/", app.base));
        for _ in 0..2 {
            app.http.get(&pixel).send().await.unwrap();
        }
        let after = expect_status(
            app.get(&org, &format!("/api/v1/leads/{lead_id}")).await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        assert!(
            signals(&after).contains("email_open"),
            "[{}] {after}",
            app.engine
        );
        let timeline = expect_status(
            app.get(&org, &format!("/api/v1/customers/{customer}/timeline"))
                .await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        let opened = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["summary"] == "Email opened")
            .count();
        assert_eq!(
            opened, 1,
            "[{}] the first open only: {timeline}",
            app.engine
        );
    }
}
