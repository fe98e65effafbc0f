use super::*;

#[tokio::test]
async fn a_quote_is_drafted_sent_viewed_and_accepted() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let q = created(
            &app,
            &org,
            "/api/v1/quotes",
            json!({"customer_id": c, "title": "New water heater", "lines": [
                line("50 gal heater", 89900),
                {"description": "Install", "quantity_thousandths": 3000, "unit_price_minor": 9500, "tax_rate_bp": 500}
            ]}),
        )
        .await;
        assert_eq!(q["status"], "draft", "[{e}]");
        assert_eq!(q["total_minor"], 89900 + 28500 + 1425, "[{e}]");
        assert_eq!(
            q["valid_until"],
            today_plus(30),
            "[{e}] the org's default validity"
        );
        assert_eq!(q["view_count"], 0);
        let path = format!("/api/v1/quotes/{}", id(&q));
        assert_eq!(ok(&app, &org, &path).await, q, "[{e}]");

        // A draft has not been sent, so it cannot be viewed or accepted.
        assert_eq!(
            refused(&app, &org, &format!("{path}/viewed"), json!({})).await,
            ["status"],
            "[{e}]"
        );
        let status = format!("{path}/status");
        assert_eq!(
            refused(&app, &org, &status, json!({"status": "accepted"})).await,
            ["status"],
            "[{e}]"
        );

        let changed = expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": 1, "title": "Water heater", "valid_until": today_plus(10)}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(changed["title"], "Water heater", "[{e}]");
        let sent = post_ok(&app, &org, &status, json!({"status": "sent", "version": 2})).await;
        assert_eq!(sent["status"], "sent", "[{e}]");
        assert!(sent["sent_at"].is_string());
        let patch = app
            .patch(&org, &path, json!({"version": 3, "title": "Too late"}))
            .await;
        let problem = expect_status(patch, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["status"],
            "[{e}] only drafts change"
        );

        let viewed = post_ok(&app, &org, &format!("{path}/viewed"), json!({})).await;
        assert_eq!(
            (viewed["status"].as_str(), viewed["view_count"].as_i64()),
            (Some("viewed"), Some(1)),
            "[{e}]"
        );
        let again = post_ok(&app, &org, &format!("{path}/viewed"), json!({})).await;
        assert_eq!(
            (again["status"].as_str(), again["view_count"].as_i64()),
            (Some("viewed"), Some(2)),
            "[{e}]"
        );

        let stale = app
            .post(&org, &status, json!({"status": "accepted", "version": 1}))
            .await;
        expect_status(stale, StatusCode::CONFLICT, e).await;
        let accepted = post_ok(&app, &org, &status, json!({"status": "accepted"})).await;
        assert_eq!(accepted["status"], "accepted", "[{e}]");
        assert!(accepted["decided_at"].is_string());
        assert!(accepted["job_id"].is_null(), "[{e}] jobs come later");
        assert_eq!(
            refused(&app, &org, &status, json!({"status": "declined"})).await,
            ["status"],
            "[{e}]"
        );
        assert_eq!(
            refused(&app, &org, &status, json!({"status": "maybe"})).await,
            ["status"],
            "[{e}]"
        );

        let events = timeline(&app, &org, &c, "quote").await;
        let actions: Vec<&str> = events
            .iter()
            .map(|ev| ev.split(':').next().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "quote.accepted",
                "quote.viewed",
                "quote.viewed",
                "quote.sent",
                "quote.updated",
                "quote.created"
            ],
            "[{e}] {events:?}"
        );
        let list = ok(&app, &org, &format!("/api/v1/quotes?customer_id={c}")).await;
        assert_eq!(items(&list).len(), 1, "[{e}]");
    }
}

#[tokio::test]
async fn bad_quotes_name_their_fields() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let fields = refused(
            &app,
            &org,
            "/api/v1/quotes",
            json!({"customer_id": c, "lines": [line("x", 100)], "valid_until": today_plus(-1)}),
        )
        .await;
        assert_eq!(fields, ["valid_until"], "[{e}]");
        let fields = refused(
            &app,
            &org,
            "/api/v1/quotes",
            json!({"customer_id": c, "lines": [{"unit_price_minor": 5}]}),
        )
        .await;
        assert_eq!(fields, ["lines[0].description"], "[{e}]");
        assert!(
            items(&ok(&app, &org, "/api/v1/quotes").await).is_empty(),
            "[{e}]"
        );
        assert!(timeline(&app, &org, &c, "quote").await.is_empty(), "[{e}]");
    }
}
