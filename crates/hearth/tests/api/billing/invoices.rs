use super::*;

#[tokio::test]
async fn invoice_numbers_are_gapless_and_per_org() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let ca = id(&app.grace(&a).await);
        let cb = id(&app.grace(&b).await);
        let first = open_invoice(&app, &a, &ca, json!([line("Tune-up", 12900)])).await;
        assert_eq!(first["number"], "INV-000001", "[{e}]");
        // Failed creations in between take no number.
        let bad = refused(
            &app,
            &a,
            "/api/v1/invoices",
            json!({"customer_id": ca, "lines": []}),
        )
        .await;
        assert_eq!(bad, ["lines"], "[{e}]");
        let foreign = refused(
            &app,
            &a,
            "/api/v1/invoices",
            json!({"customer_id": cb, "lines": [line("x", 1)]}),
        )
        .await;
        assert_eq!(foreign, ["customer_id"], "[{e}]");
        // Concurrent creations queue on the counter.
        let many = futures::future::join_all((0..8).map(|i| {
            app.post(
                &a,
                "/api/v1/invoices",
                json!({"customer_id": ca, "lines": [line("Visit", 1000 + i)]}),
            )
        }))
        .await;
        for res in many {
            expect_status(res, StatusCode::CREATED, e).await;
        }
        let theirs = open_invoice(&app, &b, &cb, json!([line("Filter", 2500)])).await;
        assert_eq!(
            theirs["number"], "INV-000001",
            "[{e}] every org counts on its own"
        );
        let page = ok(&app, &a, "/api/v1/invoices?limit=200").await;
        let mut numbers: Vec<String> = items(&page)
            .iter()
            .map(|i| i["number"].as_str().unwrap().to_string())
            .collect();
        numbers.sort();
        let expected: Vec<String> = (1..=9).map(|n| format!("INV-{n:06}")).collect();
        assert_eq!(numbers, expected, "[{e}] no gaps, no repeats");
    }
}

#[tokio::test]
async fn an_invoice_for_another_orgs_customer_is_refused_and_nothing_is_created() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let theirs = id(&app.grace(&b).await);
        for path in ["/api/v1/invoices", "/api/v1/quotes"] {
            let fields = refused(
                &app,
                &a,
                path,
                json!({"customer_id": theirs, "lines": [line("Repair", 5000)]}),
            )
            .await;
            assert_eq!(fields, ["customer_id"], "[{e}] {path}");
            assert!(items(&ok(&app, &a, path).await).is_empty(), "[{e}] {path}");
            assert!(items(&ok(&app, &b, path).await).is_empty(), "[{e}] {path}");
        }
        assert!(
            timeline(&app, &b, &theirs, "invoice").await.is_empty(),
            "[{e}]"
        );
        // The counter was not consumed either.
        let mine = id(&app.grace(&a).await);
        let inv = open_invoice(&app, &a, &mine, json!([line("Repair", 5000)])).await;
        assert_eq!(inv["number"], "INV-000001", "[{e}]");
    }
}

#[tokio::test]
async fn totals_round_half_to_even_per_line() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let inv = open_invoice(
            &app,
            &org,
            &c,
            json!([
                {"description": "Labour", "quantity_thousandths": 1500, "unit_price_minor": 3333, "tax_rate_bp": 825},
                {"description": "Part", "unit_price_minor": 1000, "tax_rate_bp": 825},
                {"description": "Part", "unit_price_minor": 3000, "tax_rate_bp": 825}
            ]),
        )
        .await;
        // 1.5 × 33.33 = 49.995 → 50.00; tax 4.125 → 4.12; 0.825 → 0.82; 2.475 → 2.48
        let amounts: Vec<i64> = inv["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["amount_minor"].as_i64().unwrap())
            .collect();
        assert_eq!(amounts, [5000, 1000, 3000], "[{e}]");
        assert_eq!(inv["subtotal_minor"], 9000, "[{e}]");
        assert_eq!(inv["tax_minor"], 412 + 82 + 248, "[{e}]");
        assert_eq!(inv["total_minor"], 9742, "[{e}]");
        assert_eq!(inv["balance_minor"], 9742, "[{e}]");
        assert_eq!(inv["currency"], "USD", "[{e}] the org's default");
    }
}

#[tokio::test]
async fn partial_then_full_payment() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let inv = open_invoice(&app, &org, &c, json!([line("Furnace repair", 25000)])).await;
        assert_eq!(inv["status"], "open", "[{e}]");
        let path = format!("/api/v1/invoices/{}", id(&inv));
        let pay = format!("{path}/payments");
        let p1 = created(
            &app,
            &org,
            &pay,
            json!({"amount_minor": 10000, "method": "cash"}),
        )
        .await;
        assert_eq!(p1["provider"], "manual", "[{e}]");
        let now = ok(&app, &org, &path).await;
        assert_eq!(now["status"], "partially_paid", "[{e}]");
        assert_eq!(now["amount_paid_minor"], 10000);
        assert_eq!(now["balance_minor"], 15000);
        created(
            &app,
            &org,
            &pay,
            json!({"amount_minor": 15000, "method": "check", "reference": "#1042"}),
        )
        .await;
        let now = ok(&app, &org, &path).await;
        assert_eq!(now["status"], "paid", "[{e}]");
        assert_eq!(now["balance_minor"], 0);
        assert!(now["paid_at"].is_string());
        let payments = items(&ok(&app, &org, &pay).await);
        let got: Vec<(i64, &str)> = payments
            .iter()
            .map(|p| {
                (
                    p["amount_minor"].as_i64().unwrap(),
                    p["method"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, [(10000, "cash"), (15000, "check")], "[{e}]");
        assert_eq!(payments[1]["reference"], "#1042");
        let events = timeline(&app, &org, &c, "payment").await;
        assert_eq!(events.len(), 2, "[{e}] {events:?}");
        assert!(events[0].starts_with("payment.received: Payment of 150.00 USD (check) received on INV-000001; balance 0.00 USD"), "[{e}] {events:?}");
        let invoice_events = timeline(&app, &org, &c, "invoice").await;
        assert_eq!(
            invoice_events,
            ["invoice.created: Invoice INV-000001 for 250.00 USD created"],
            "[{e}]"
        );
        // The invoice's field history has the status changes.
        let history = ok(&app, &org, &format!("/api/v1/customers/{c}/history")).await;
        assert!(!items(&history).is_empty());
        // A paid invoice takes no more money.
        let fields = refused(
            &app,
            &org,
            &pay,
            json!({"amount_minor": 1, "method": "cash"}),
        )
        .await;
        assert_eq!(fields, ["amount_minor"], "[{e}]");
    }
}

#[tokio::test]
async fn an_overpayment_is_refused_and_changes_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let inv = open_invoice(&app, &org, &c, json!([line("Drain cleaning", 9900)])).await;
        let path = format!("/api/v1/invoices/{}", id(&inv));
        let pay = format!("{path}/payments");
        let problem = expect_status(
            app.post(&org, &pay, json!({"amount_minor": 9901, "method": "card"}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["amount_minor"], "[{e}]");
        assert!(
            problem["detail"].as_str().unwrap().contains("99.00 USD"),
            "[{e}] names the balance: {problem}"
        );
        for (body, field) in [
            (json!({"amount_minor": 0, "method": "cash"}), "amount_minor"),
            (
                json!({"amount_minor": -5, "method": "cash"}),
                "amount_minor",
            ),
            (json!({"amount_minor": 100, "method": "bitcoin"}), "method"),
            (json!({"amount_minor": 100}), "method"),
            (
                json!({"amount_minor": 100, "method": "cash", "tip": 5}),
                "tip",
            ),
        ] {
            assert_eq!(
                refused(&app, &org, &pay, body.clone()).await,
                [field],
                "[{e}] {body}"
            );
        }
        assert_eq!(ok(&app, &org, &path).await, inv, "[{e}] invoice unchanged");
        assert!(
            items(&ok(&app, &org, &pay).await).is_empty(),
            "[{e}] no payment"
        );
        assert!(
            timeline(&app, &org, &c, "payment").await.is_empty(),
            "[{e}]"
        );
        let loyalty = ok(&app, &org, &format!("/api/v1/customers/{c}/loyalty")).await;
        assert_eq!(loyalty["balance"], 0, "[{e}]");
    }
}

#[tokio::test]
async fn drafts_and_void_invoices_cannot_be_paid() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let draft = created(
            &app,
            &org,
            "/api/v1/invoices",
            json!({"customer_id": c, "lines": [line("Estimate work", 5000)], "notes": "Gate code 4411"}),
        )
        .await;
        assert_eq!(draft["status"], "draft", "[{e}]");
        let path = format!("/api/v1/invoices/{}", id(&draft));
        let pay = format!("{path}/payments");
        let body = json!({"amount_minor": 100, "method": "cash"});
        assert_eq!(
            refused(&app, &org, &pay, body.clone()).await,
            ["status"],
            "[{e}]"
        );

        // A draft's lines change; issuing it opens it.
        let changed = expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": 1, "lines": [line("Final work", 7000)]}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(changed["total_minor"], 7000, "[{e}]");
        let stale = app
            .patch(&org, &path, json!({"version": 1, "notes": null}))
            .await;
        expect_status(stale, StatusCode::CONFLICT, e).await;
        let issued = expect_status(
            app.patch(&org, &path, json!({"version": 2, "status": "open"}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(issued["status"], "open", "[{e}]");
        assert!(issued["issued_at"].is_string());
        let locked = expect_status(
            app.patch(&org, &path, json!({"version": 3, "lines": [line("x", 1)]}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&locked),
            ["lines"],
            "[{e}] issued lines are fixed"
        );

        let void = post_ok(&app, &org, &format!("{path}/void"), json!({})).await;
        assert_eq!(void["status"], "void", "[{e}]");
        assert_eq!(void["number"], "INV-000001", "[{e}] keeps its number");
        assert_eq!(
            refused(&app, &org, &pay, body.clone()).await,
            ["status"],
            "[{e}]"
        );
        assert!(items(&ok(&app, &org, &pay).await).is_empty());

        // Money received cannot be voided away.
        let paid = open_invoice(&app, &org, &c, json!([line("Visit", 5000)])).await;
        let paid_path = format!("/api/v1/invoices/{}", id(&paid));
        created(&app, &org, &format!("{paid_path}/payments"), body).await;
        assert_eq!(
            refused(&app, &org, &format!("{paid_path}/void"), json!({})).await,
            ["status"],
            "[{e}]"
        );
        let events = timeline(&app, &org, &c, "invoice").await;
        assert!(
            events.iter().any(|ev| ev.starts_with("invoice.voided")),
            "[{e}] {events:?}"
        );
        assert!(
            events.iter().any(|ev| ev.starts_with("invoice.issued")),
            "[{e}] {events:?}"
        );
    }
}

#[tokio::test]
async fn overdue_is_read_from_the_due_date_and_lists_filter() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let other = id(&app.customer(&org, json!({"first_name": "Alan"})).await);
        let late = created(
            &app,
            &org,
            "/api/v1/invoices",
            json!({"customer_id": c, "lines": [line("Old job", 4000)], "status": "open", "due_date": today_plus(-3)}),
        )
        .await;
        assert_eq!(late["status"], "overdue", "[{e}]");
        let current = open_invoice(&app, &org, &c, json!([line("New job", 4000)])).await;
        assert_eq!(current["status"], "open", "[{e}]");
        open_invoice(&app, &org, &other, json!([line("Alan's job", 4000)])).await;

        let ids = |page: &Value| items(page).iter().map(id).collect::<Vec<_>>();
        let overdue = ok(&app, &org, "/api/v1/invoices?status=overdue").await;
        assert_eq!(ids(&overdue), [id(&late)], "[{e}]");
        let open = ok(
            &app,
            &org,
            &format!("/api/v1/invoices?status=open&customer_id={c}"),
        )
        .await;
        assert_eq!(ids(&open), [id(&current)], "[{e}]");
        let mine = ok(
            &app,
            &org,
            &format!("/api/v1/invoices?customer_id={c}&limit=1"),
        )
        .await;
        assert_eq!(ids(&mine), [id(&current)], "[{e}] newest first");
        let cursor = mine["next_cursor"].as_str().expect("a second page");
        let next = ok(
            &app,
            &org,
            &format!("/api/v1/invoices?customer_id={c}&limit=1&cursor={cursor}"),
        )
        .await;
        assert_eq!(ids(&next), [id(&late)], "[{e}]");
        assert!(next["next_cursor"].is_null());
        let problem = expect_status(
            app.get(&org, "/api/v1/invoices?status=late").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["status"]);
    }
}

#[tokio::test]
async fn bad_invoices_name_every_field() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let fields = refused(
            &app,
            &org,
            "/api/v1/invoices",
            json!({"customer_id": c, "lines": [
                {"description": "", "quantity_thousandths": 0, "unit_price_minor": -1, "tax_rate_bp": 20000}
            ]}),
        )
        .await;
        assert_eq!(
            fields,
            [
                "lines[0].description",
                "lines[0].quantity_thousandths",
                "lines[0].unit_price_minor",
                "lines[0].tax_rate_bp"
            ],
            "[{e}]"
        );
        let fields = refused(
            &app,
            &org,
            "/api/v1/invoices",
            json!({"customer_id": c, "currency": "XYZ", "lines": [line("x", 1)]}),
        )
        .await;
        assert_eq!(fields, ["currency"], "[{e}]");
        assert!(
            items(&ok(&app, &org, "/api/v1/invoices").await).is_empty(),
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn an_invoice_bills_only_a_job_of_its_own_customer() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let other = app.org("other").await;
        let s = crate::jobs::site(&app, &org, "acme").await;
        let job = crate::jobs::book(&app, &org, crate::jobs::tune_up(&s)).await;
        let theirs = crate::jobs::site(&app, &other, "other").await;
        let their_job = crate::jobs::book(&app, &other, crate::jobs::tune_up(&theirs)).await;
        let stranger = id(&app.customer(&org, json!({"first_name": "Sam"})).await);
        let bill = |customer: &str, job: &Value| json!({"customer_id": customer, "job_id": job["id"], "lines": [line("Tune-up", 8_900)]});
        for (customer, job, why) in [
            (stranger.as_str(), &job, "another customer's job"),
            (s.customer.as_str(), &their_job, "another org's job"),
            (
                s.customer.as_str(),
                &json!({"id": "01900000-0000-7000-8000-000000000000"}),
                "no such job",
            ),
        ] {
            assert_eq!(
                refused(&app, &org, "/api/v1/invoices", bill(customer, job)).await,
                ["job_id"],
                "[{e}] {why}"
            );
        }
        let listed = ok(&app, &org, "/api/v1/invoices").await;
        assert!(items(&listed).is_empty(), "[{e}] nothing was created");
        let invoice = created(&app, &org, "/api/v1/invoices", bill(&s.customer, &job)).await;
        assert_eq!(invoice["job_id"], job["id"], "[{e}]");
    }
}
