//! Segments: built-in membership follows every write at once and the
//! passing of time without any write; saved filters, their counts, members
//! and CSV export; bad filters named; other organisations see nothing.

use crate::helpers::*;
use crate::jobs::{at, book, items, move_to};
use hearth_store::{Raw, work};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The ids of the customers in a segment (all pages).
async fn members(app: &TestApp, org: &TestOrg, key: &str) -> Vec<String> {
    let mut out = vec![];
    let mut path = format!("/api/v1/segments/{key}/customers?limit=2");
    loop {
        let page = ok(app, org, &path).await;
        out.extend(items(&page).iter().map(id));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/segments/{key}/customers?limit=2&cursor={cursor}")
            }
            None => return out,
        }
    }
}

async fn count(app: &TestApp, org: &TestOrg, key: &str) -> i64 {
    ok(app, org, &format!("/api/v1/segments/{key}/count")).await["count"]
        .as_i64()
        .expect("a count")
}

/// The keys of the segments a customer is in.
async fn chips(app: &TestApp, org: &TestOrg, customer: &str) -> Vec<String> {
    let v = ok(app, org, &format!("/api/v1/customers/{customer}/segments")).await;
    items(&v)
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_string())
        .collect()
}

async fn customer(app: &TestApp, org: &TestOrg, first: &str, last: &str) -> String {
    id(&app
        .customer(org, json!({"first_name": first, "last_name": last}))
        .await)
}

async fn address(app: &TestApp, org: &TestOrg, customer: &str, city: &str, postal: &str) -> String {
    id(&created(
        app,
        org,
        &format!("/api/v1/customers/{customer}/addresses"),
        json!({"line1": "1 Main St", "city": city, "postal_code": postal, "region": "TX"}),
    )
    .await)
}

/// A booking `days` from now (negative: in the past).
async fn booking(app: &TestApp, org: &TestOrg, customer: &str, address: &str, days: i64) -> String {
    id(&book(
        app,
        org,
        json!({
            "customer_id": customer,
            "address_id": address,
            "service_type": "Furnace check",
            "industry": "hvac",
            "scheduled_start": at(days, 9),
            "scheduled_end": at(days, 11),
        }),
    )
    .await)
}

/// Moves every stored instant of the organisation's customers and jobs
/// `days` into the past: to the segments, exactly as if `days` had passed.
async fn let_days_pass(app: &TestApp, days: i32) {
    let sqlite = app.engine == "sqlite";
    app.store
        .write(work!(|c| async {
            let shifts: [&'static str; 3] = if sqlite {
                [
                    "UPDATE customers SET created_at = created_at - $1 * 86400000000",
                    "UPDATE jobs SET scheduled_start = scheduled_start - $1 * 86400000000, \
                     scheduled_end = scheduled_end - $1 * 86400000000",
                    "UPDATE customer_facts SET created_at = created_at - $1 * 86400000000, \
                     last_booking_at = last_booking_at - $1 * 86400000000",
                ]
            } else {
                [
                    "UPDATE customers SET created_at = created_at - make_interval(days => $1)",
                    "UPDATE jobs SET scheduled_start = scheduled_start - make_interval(days => $1), \
                     scheduled_end = scheduled_end - make_interval(days => $1)",
                    "UPDATE customer_facts SET created_at = created_at - make_interval(days => $1), \
                     last_booking_at = last_booking_at - make_interval(days => $1)",
                ]
            };
            for sql in shifts {
                c.execute(&Raw(sql, vec![days.into()])).await?;
            }
            Ok(())
        }))
        .await
        .expect("shift time");
}

#[tokio::test]
async fn built_in_segments_follow_each_write_at_once() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let ada = customer(&app, &org, "Ada", "Lovelace").await;
        assert_eq!(
            members(&app, &org, "new").await,
            vec![ada.clone()],
            "[{e}] new on creation"
        );
        assert_eq!(chips(&app, &org, &ada).await, ["new"], "[{e}]");

        // One booking two months ago: One-Time, and At Risk (45+ days).
        let home = address(&app, &org, &ada, "Austin", "78701").await;
        booking(&app, &org, &ada, &home, -60).await;
        assert_eq!(
            chips(&app, &org, &ada).await,
            ["at_risk", "new", "one_time"],
            "[{e}]"
        );
        assert_eq!(count(&app, &org, "one_time").await, 1, "[{e}]");
        // A second, upcoming booking: neither at risk nor one-time any more.
        let next = booking(&app, &org, &ada, &home, 5).await;
        assert_eq!(chips(&app, &org, &ada).await, ["new"], "[{e}]");
        // Cancelling it puts her back.
        expect_status(
            move_to(&app, &org, &next, "cancelled", Some("Away")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            chips(&app, &org, &ada).await,
            ["at_risk", "new", "one_time"],
            "[{e}]"
        );

        // Memberships: active is Recurring; paused is At Risk.
        let bo = customer(&app, &org, "Bo", "Diddley").await;
        let plan = created(
            &app,
            &org,
            "/api/v1/membership-plans",
            json!({"name": "Comfort Club", "price_minor": 1900, "interval": "month", "included_visits": 2}),
        )
        .await;
        let m = created(
            &app,
            &org,
            "/api/v1/memberships",
            json!({"customer_id": bo, "plan_id": id(&plan), "started_on": "2026-01-31"}),
        )
        .await;
        assert_eq!(
            members(&app, &org, "recurring").await,
            vec![bo.clone()],
            "[{e}]"
        );
        let paused = app
            .post(
                &org,
                &format!("/api/v1/memberships/{}/pause", id(&m)),
                json!({}),
            )
            .await;
        expect_status(paused, StatusCode::OK, e).await;
        assert_eq!(count(&app, &org, "recurring").await, 0, "[{e}]");
        assert_eq!(chips(&app, &org, &bo).await, ["at_risk", "new"], "[{e}]");

        // VIP from the org's lifetime-value threshold, reached by a payment.
        let settings = ok(&app, &org, "/api/v1/segments/settings").await;
        assert_eq!(settings["at_risk_days"], 45, "[{e}]");
        let patched = app
            .patch(
                &org,
                "/api/v1/segments/settings",
                json!({"version": settings["version"], "vip_lifetime_value_minor": 20000}),
            )
            .await;
        expect_status(patched, StatusCode::OK, e).await;
        let inv = created(
            &app,
            &org,
            "/api/v1/invoices",
            json!({"customer_id": bo, "status": "open",
                   "lines": [{"description": "Boiler", "unit_price_minor": 30000}]}),
        )
        .await;
        assert_eq!(
            count(&app, &org, "vip").await,
            0,
            "[{e}] an invoice is not money"
        );
        created(
            &app,
            &org,
            &format!("/api/v1/invoices/{}/payments", id(&inv)),
            json!({"amount_minor": 20000, "method": "card"}),
        )
        .await;
        assert_eq!(members(&app, &org, "vip").await, vec![bo.clone()], "[{e}]");
        // VIP by bookings once the threshold comes down to one.
        let settings = ok(&app, &org, "/api/v1/segments/settings").await;
        let patched = app
            .patch(
                &org,
                "/api/v1/segments/settings",
                json!({"version": settings["version"], "vip_bookings": 1}),
            )
            .await;
        expect_status(patched, StatusCode::OK, e).await;
        assert_eq!(
            members(&app, &org, "vip").await,
            [ada.clone(), bo.clone()],
            "[{e}]"
        );
        let stale = app
            .patch(
                &org,
                "/api/v1/segments/settings",
                json!({"version": settings["version"], "vip_bookings": 3}),
            )
            .await;
        expect_status(stale, StatusCode::CONFLICT, e).await;

        // A deleted customer leaves every segment; restored, comes back.
        let gone = app.delete(&org, &format!("/api/v1/customers/{ada}")).await;
        assert_eq!(gone.status(), StatusCode::NO_CONTENT, "[{e}]");
        assert_eq!(members(&app, &org, "new").await, vec![bo.clone()], "[{e}]");
        assert_eq!(count(&app, &org, "one_time").await, 0, "[{e}]");
        let back = app
            .post(&org, &format!("/api/v1/customers/{ada}/restore"), json!({}))
            .await;
        expect_status(back, StatusCode::OK, e).await;
        assert_eq!(count(&app, &org, "one_time").await, 1, "[{e}]");

        let list = ok(&app, &org, "/api/v1/segments").await;
        let counts: Vec<(String, i64)> = items(&list)
            .iter()
            .map(|s| {
                (
                    s["key"].as_str().unwrap().to_string(),
                    s["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                ("vip".to_string(), 2),
                ("at_risk".to_string(), 2),
                ("new".to_string(), 2),
                ("recurring".to_string(), 0),
                ("one_time".to_string(), 1)
            ],
            "[{e}]"
        );

        // Recomputing every customer's facts at once (the migration, a new
        // default currency) agrees with what each write kept current.
        let before = facts(&app).await;
        assert_eq!(before.len(), 2, "[{e}] one row per live customer");
        let org_id = org_of(&app, &ada).await;
        let rebuilt = app
            .store
            .write(work!(|c| hearth_store::segments::facts::rebuild(c, org_id)))
            .await
            .expect("rebuild");
        assert_eq!(rebuilt, 2, "[{e}]");
        assert_eq!(facts(&app).await, before, "[{e}]");
    }
}

/// Every organisation's customer facts, as text, in a stable order.
async fn facts(app: &TestApp) -> Vec<String> {
    app.store
        .read(work!(|c| c.query(
            &Raw(
                "SELECT customer_id, bookings, last_booking_at, lifetime_minor, membership, created_at \
                 FROM customer_facts ORDER BY customer_id",
                vec![]
            ),
            |r| Ok(format!(
                "{:?} {} {:?} {} {} {:?}",
                r.get::<uuid::Uuid>(0)?,
                r.get::<i64>(1)?,
                r.get::<Option<chrono::DateTime<chrono::Utc>>>(2)?,
                r.get::<i64>(3)?,
                r.get::<String>(4)?,
                r.get::<chrono::DateTime<chrono::Utc>>(5)?,
            ))
        )))
        .await
        .expect("facts")
}

/// The organisation a customer belongs to.
async fn org_of(app: &TestApp, customer: &str) -> hearth_domain::OrgId {
    let customer = uuid::Uuid::parse_str(customer).expect("a customer id");
    app.store
        .read(work!(|c| c.query_one(
            &Raw(
                "SELECT org_id FROM customers WHERE id = $1",
                vec![customer.into()]
            ),
            |r| r.get::<hearth_domain::OrgId>(0)
        )))
        .await
        .expect("the customer's organisation")
}

#[tokio::test]
async fn large_segments_are_counted_up_to_the_cap_unless_asked_exactly() {
    use hearth_domain::segments::COUNT_CAP;
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let first = customer(&app, &org, "Ada", "Lovelace").await;
        let org_id = org_of(&app, &first).await;
        // COUNT_CAP more customers, all new, loaded in bulk.
        let fields: hearth_domain::customers::CustomerFields = serde_json::from_value(json!({
            "first_name": "Bulk", "last_name": null, "business_name": null,
            "email": null, "phone": null, "preferred_contact_method": "call",
            "customer_since": "2026-01-01"
        }))
        .expect("customer fields");
        let rows: Vec<hearth_store::bulk::NewCustomer> = (0..COUNT_CAP)
            .map(|_| hearth_store::bulk::NewCustomer {
                id: hearth_domain::CustomerId::new(),
                fields: fields.clone(),
                created_at: chrono::Utc::now(),
            })
            .collect();
        app.store
            .write(work!(|c| hearth_store::bulk::insert_customers(
                c, org_id, &rows
            )))
            .await
            .expect("bulk customers");

        let capped = ok(&app, &org, "/api/v1/segments/new/count").await;
        assert_eq!(capped, json!({"count": COUNT_CAP, "capped": true}), "[{e}]");
        let exact = ok(&app, &org, "/api/v1/segments/new/count?exact=true").await;
        assert_eq!(
            exact,
            json!({"count": COUNT_CAP + 1, "capped": false}),
            "[{e}]"
        );
        let one = ok(&app, &org, "/api/v1/segments/new").await;
        assert_eq!(
            (&one["count"], &one["count_capped"]),
            (&json!(COUNT_CAP), &json!(true)),
            "[{e}]"
        );
        let list = ok(&app, &org, "/api/v1/segments").await;
        let new = items(&list)
            .iter()
            .find(|s| s["key"] == "new")
            .expect("new in the list")
            .clone();
        assert_eq!(new["count_capped"], true, "[{e}]");
        let page = Staff::sign_in(&app, &org)
            .await
            .page("/segments", StatusCode::OK)
            .await;
        assert!(page.contains("10000+"), "[{e}] the list says more than");
        // A small segment is exact without asking.
        assert_eq!(
            ok(&app, &org, "/api/v1/segments/recurring/count").await,
            json!({"count": 0, "capped": false}),
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn time_moves_new_and_at_risk_without_any_write() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let ada = customer(&app, &org, "Ada", "Lovelace").await;
        let home = address(&app, &org, &ada, "Austin", "78701").await;
        booking(&app, &org, &ada, &home, -40).await;
        assert_eq!(chips(&app, &org, &ada).await, ["new", "one_time"], "[{e}]");
        // A month passes; nobody touches anything.
        let_days_pass(&app, 31).await;
        assert_eq!(
            chips(&app, &org, &ada).await,
            ["at_risk", "one_time"],
            "[{e}]"
        );
        assert_eq!(count(&app, &org, "new").await, 0, "[{e}]");
        assert_eq!(members(&app, &org, "at_risk").await, [ada], "[{e}]");
    }
}

fn condition(field: &str, op: &str, value: Value) -> Value {
    json!({"field": field, "op": op, "value": value})
}

async fn preview(app: &TestApp, org: &TestOrg, conditions: Value) -> i64 {
    let res = app
        .post(
            org,
            "/api/v1/segments/count",
            json!({"filter": {"conditions": conditions}}),
        )
        .await;
    expect_status(res, StatusCode::OK, app.engine).await["count"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn custom_filters_read_fields_tags_places_equipment_and_spending() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
        let alan = customer(&app, &org, "Alan", "Turing").await;
        let austin = address(&app, &org, &grace, "Austin", "78701").await;
        address(&app, &org, &alan, "Dallas", "75201").await;
        created(
            &app,
            &org,
            &format!("/api/v1/addresses/{austin}/equipment"),
            json!({"kind": "Furnace", "install_date": "2012-03-01", "warranty_expires_on": "2099-01-01"}),
        )
        .await;
        created(&app, &org, "/api/v1/tags", json!({"name": "Supplier"})).await;
        created(
            &app,
            &org,
            &format!("/api/v1/customers/{alan}/tags"),
            json!({"name": "supplier"}),
        )
        .await;
        let cases = [
            (json!([condition("city", "eq", json!("austin"))]), 1),
            (
                json!([condition("postal_code", "starts_with", json!("752"))]),
                1,
            ),
            (
                json!([condition("city", "in", json!(["Austin", "Dallas"]))]),
                2,
            ),
            (
                json!([condition("equipment_kind", "eq", json!("furnace"))]),
                1,
            ),
            (
                json!([condition("equipment_age_years", "gte", json!(10))]),
                1,
            ),
            (
                json!([condition("equipment_age_years", "lt", json!(10))]),
                0,
            ),
            (
                json!([condition("equipment_warranty", "eq", json!("active"))]),
                1,
            ),
            (json!([condition("tag", "has", json!("SUPPLIER"))]), 1),
            (json!([condition("tag", "has_not", json!("Supplier"))]), 1),
            (
                json!([condition("last_name", "contains", json!("urin"))]),
                1,
            ),
            (json!([condition("email", "absent", Value::Null)]), 1),
            (json!([condition("bookings", "eq", json!(0))]), 2),
            (
                json!([condition("days_since_last_booking", "absent", Value::Null)]),
                2,
            ),
            (
                json!([condition("lifetime_value_minor", "gt", json!(0))]),
                0,
            ),
            (json!([condition("membership", "eq", json!("none"))]), 2),
            (json!([condition("account_age_days", "lt", json!(1))]), 2),
            (
                json!([condition("lead_source", "eq", json!("referral"))]),
                0,
            ),
            (
                json!([
                    condition("city", "eq", json!("Austin")),
                    condition("tag", "has", json!("Supplier"))
                ]),
                0,
            ),
        ];
        for (conditions, want) in cases {
            assert_eq!(
                preview(&app, &org, conditions.clone()).await,
                want,
                "[{e}] {conditions}"
            );
        }
        let any = app
            .post(
                &org,
                "/api/v1/segments/count",
                json!({"filter": {"match": "any", "conditions": [
                    condition("city", "eq", json!("Austin")),
                    condition("tag", "has", json!("Supplier"))
                ]}}),
            )
            .await;
        assert_eq!(
            expect_status(any, StatusCode::OK, e).await["count"],
            2,
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn saved_segments_are_versioned_and_exported() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
        let evil = id(&app
            .customer(
                &org,
                json!({"first_name": "=cmd|'/c calc'!A1", "last_name": "Smith, Jr"}),
            )
            .await);
        address(&app, &org, &grace, "Austin", "78701").await;
        address(&app, &org, &evil, "Austin", "78702").await;
        let seg = created(
            &app,
            &org,
            "/api/v1/segments",
            json!({"name": "Austin", "filter": {"conditions": [condition("city", "eq", json!("Austin"))]}}),
        )
        .await;
        let key = id(&seg);
        assert_eq!(seg["version"], 1, "[{e}]");
        let got = ok(&app, &org, &format!("/api/v1/segments/{key}")).await;
        assert_eq!(
            (got["count"].as_i64(), got["kind"].as_str()),
            (Some(2), Some("saved")),
            "[{e}]"
        );
        assert_eq!(
            members(&app, &org, &key).await,
            [grace.clone(), evil.clone()],
            "[{e}]"
        );
        assert!(chips(&app, &org, &grace).await.contains(&key), "[{e}]");

        // The export: a header, one row per customer, a formula defused.
        let res = app
            .get(&org, &format!("/api/v1/segments/{key}/export.csv"))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"),
            "[{e}]"
        );
        let csv = res.text().await.unwrap();
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3, "[{e}] {csv}");
        assert!(
            lines[0].starts_with("id,name,email,phone,bookings"),
            "[{e}]"
        );
        assert!(
            lines[1].starts_with(&format!(
                "{grace},Grace Hopper,grace@navy.example.com,+15125550188,0,,0,none"
            )),
            "[{e}] {csv}"
        );
        assert!(
            lines[2].contains("\"'=cmd|'/c calc'!A1 Smith, Jr\""),
            "[{e}] {csv}"
        );

        // Stale version: 409 and nothing changed; current version: changed.
        let stale = app
            .patch(
                &org,
                &format!("/api/v1/segments/{key}"),
                json!({"version": 0, "name": "X"}),
            )
            .await;
        expect_status(stale, StatusCode::CONFLICT, e).await;
        let renamed = app
            .patch(
                &org,
                &format!("/api/v1/segments/{key}"),
                json!({"version": 1, "name": "Austin 78701",
                       "filter": {"conditions": [condition("postal_code", "eq", json!("78701"))]}}),
            )
            .await;
        let renamed = expect_status(renamed, StatusCode::OK, e).await;
        assert_eq!(renamed["version"], 2, "[{e}]");
        assert_eq!(count(&app, &org, &key).await, 1, "[{e}]");
        let stale = app
            .delete(&org, &format!("/api/v1/segments/{key}?version=1"))
            .await;
        expect_status(stale, StatusCode::CONFLICT, e).await;
        let gone = app
            .delete(&org, &format!("/api/v1/segments/{key}?version=2"))
            .await;
        assert_eq!(gone.status(), StatusCode::NO_CONTENT, "[{e}]");
        let res = app.get(&org, &format!("/api/v1/segments/{key}")).await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        let res = app.get(&org, "/api/v1/segments/gold/customers").await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
    }
}

#[tokio::test]
async fn bad_filters_are_refused_naming_the_field() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let bad = |conditions: Value| json!({"name": "Bad", "filter": {"conditions": conditions}});
        let cases = [
            (
                bad(json!([condition("shoe_size", "eq", json!(9))])),
                "filter.conditions[0].field",
            ),
            (
                bad(json!([condition("bookings", "contains", json!(1))])),
                "filter.conditions[0].op",
            ),
            (
                bad(json!([
                    condition("city", "eq", json!("Austin")),
                    condition("membership", "eq", json!("gold"))
                ])),
                "filter.conditions[1].value",
            ),
            (bad(json!([])), "filter.conditions"),
            (
                json!({"name": "", "filter": {"conditions": [condition("city", "eq", json!("Austin"))]}}),
                "name",
            ),
        ];
        for (body, field) in cases {
            let res = app.post(&org, "/api/v1/segments", body.clone()).await;
            let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
            assert_eq!(problem_fields(&problem), [field], "[{e}] {body}");
        }
        let res = app
            .post(
                &org,
                "/api/v1/segments/count",
                json!({"filter": {"conditions": [condition("bookings", "gt", json!("many"))]}}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["filter.conditions[0].value"],
            "[{e}]"
        );
        let res = app
            .patch(
                &org,
                "/api/v1/segments/vip",
                json!({"version": 1, "name": "Gold"}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["key"], "[{e}]");
        let res = app
            .patch(
                &org,
                "/api/v1/segments/settings",
                json!({"version": 0, "at_risk_days": 0}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["at_risk_days"], "[{e}]");
        let list = ok(&app, &org, "/api/v1/segments").await;
        assert_eq!(items(&list).len(), 5, "[{e}] nothing was saved");
    }
}

#[tokio::test]
async fn another_org_never_sees_segments_or_members() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let grace = id(&app.grace(&a).await);
        let seg = created(
            &app,
            &a,
            "/api/v1/segments",
            json!({"name": "Everyone new", "filter": {"conditions": [condition("account_age_days", "lt", json!(30))]}}),
        )
        .await;
        let key = id(&seg);
        for path in [
            format!("/api/v1/segments/{key}"),
            format!("/api/v1/segments/{key}/count"),
            format!("/api/v1/segments/{key}/customers"),
            format!("/api/v1/segments/{key}/export.csv"),
            format!("/api/v1/customers/{grace}/segments"),
        ] {
            let res = app.get(&b, &path).await;
            expect_status(res, StatusCode::NOT_FOUND, e).await;
        }
        let res = app
            .patch(
                &b,
                &format!("/api/v1/segments/{key}"),
                json!({"version": 1, "name": "Mine"}),
            )
            .await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        let res = app.delete(&b, &format!("/api/v1/segments/{key}")).await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        assert_eq!(count(&app, &b, "new").await, 0, "[{e}]");
        assert!(members(&app, &b, "new").await.is_empty(), "[{e}]");
        let list = ok(&app, &b, "/api/v1/segments").await;
        assert_eq!(items(&list).len(), 5, "[{e}] only the built-in ones");
        let res = app
            .post(
                &b,
                "/api/v1/segments/count",
                json!({"filter": {"conditions": [condition("account_age_days", "lt", json!(30))]}}),
            )
            .await;
        assert_eq!(
            expect_status(res, StatusCode::OK, e).await["count"],
            0,
            "[{e}]"
        );
        // Org A still sees its own.
        assert_eq!(members(&app, &a, &key).await, [grace], "[{e}]");
    }
}

/// A signed-in staff member's GET of a page: status and HTML.
async fn page(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let res = app
        .http
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("page");
    (res.status(), res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn pages_list_count_show_members_build_and_chip_the_card() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
        let res = app.login(&org.email, &org.password).await;
        let cookie = session_cookie(&res).expect("session cookie");

        let (status, html) = page(&app, &cookie, "/segments").await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(html.contains("id=\"segment-new\""), "[{e}]");
        let new_row = html.split("id=\"segment-new\"").nth(1).unwrap();
        let new_count = new_row.split("class=\"count\">").nth(1).unwrap();
        assert!(new_count.starts_with("1<"), "[{e}] {new_count}");

        let (status, html) = page(&app, &cookie, "/segments/new").await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(html.contains("Grace Hopper"), "[{e}] members listed");
        assert!(html.contains("segment-count\">1<"), "[{e}]");

        let (status, html) = page(&app, &cookie, "/segments/build").await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(
            html.contains("data-number=\"true\">days since last booking"),
            "[{e}]"
        );
        assert!(html.contains("/static/segments.js"), "[{e}]");
        let (status, _) = page(&app, &cookie, "/segments/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{e}]");

        let (status, html) = page(&app, &cookie, &format!("/customers/{grace}")).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let chips = html.split("id=\"segments\"").nth(1).expect("segments card");
        assert!(chips.contains("href=\"/segments/new\">New</a>"), "[{e}]");
        assert!(
            !chips
                .split("</section>")
                .next()
                .unwrap()
                .contains("At Risk"),
            "[{e}]"
        );
    }
}
