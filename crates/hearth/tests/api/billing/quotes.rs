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

#[tokio::test]
async fn an_accepted_quote_becomes_one_job_with_its_lines() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let other = app.org("other").await;
        let c = id(&app.grace(&org).await);
        let address = created(
            &app,
            &org,
            &format!("/api/v1/customers/{c}/addresses"),
            json!({"line1": "12 Oak St"}),
        )
        .await;
        let q = created(
            &app,
            &org,
            "/api/v1/quotes",
            json!({"customer_id": c, "title": "Water heater swap", "lines": [
                line("50 gal heater", 89900),
                {"description": "Install", "quantity_thousandths": 1500, "unit_price_minor": 9500}
            ]}),
        )
        .await;
        let path = format!("/api/v1/quotes/{}", id(&q));
        let book = format!("{path}/job");
        let when = json!({"scheduled_start": "2030-05-04T08:00:00Z", "scheduled_end": "2030-05-04T12:00:00Z"});
        let res = app.post(&org, &book, when.clone()).await;
        let problem = expect_status(res, StatusCode::CONFLICT, e).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("accepted"),
            "[{e}] a draft is not booked: {problem}"
        );
        let status = format!("{path}/status");
        post_ok(&app, &org, &status, json!({"status": "sent"})).await;
        post_ok(&app, &org, &status, json!({"status": "accepted"})).await;

        let res = app.post(&other, &book, when.clone()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "[{e}] other org");
        let job = created(&app, &org, &book, when.clone()).await;
        assert_eq!(job["customer_id"], c.as_str(), "[{e}]");
        assert_eq!(
            job["address_id"], address["id"],
            "[{e}] the primary address"
        );
        assert_eq!(job["service_type"], "Water heater swap", "[{e}]");
        assert_eq!(
            job["totals"]["total_minor"],
            89900 + 14250,
            "[{e}] the quote's lines"
        );
        let again = post_ok(&app, &org, &book, when).await;
        assert_eq!(again["id"], job["id"], "[{e}] booked once");
        let q = ok(&app, &org, &path).await;
        assert_eq!(q["job_id"], job["id"], "[{e}] the quote knows its job");
        let quotes = timeline(&app, &org, &c, "quote").await;
        assert!(
            quotes.iter().any(|t| t.starts_with("quote.job_booked:")),
            "[{e}] {quotes:?}"
        );
    }
}
