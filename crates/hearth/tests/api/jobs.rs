//! Jobs (bookings): booking, changing, moving through statuses, totals,
//! what completing does to equipment, grouping on the customer, isolation.

mod pages;
mod photos;
mod work;

use crate::helpers::*;
use chrono::{Duration, Timelike, Utc};
use hearth_domain::auth::Role;
use hearth_store::{auth, orgs, work as unit};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("a page")
}

/// An instant `days` from now at `hour`:00 UTC, as RFC 3339.
pub(crate) fn at(days: i64, hour: u32) -> String {
    let day = Utc::now() + Duration::days(days);
    day.with_hour(hour)
        .and_then(|t| t.with_minute(0))
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Adds a login to the organisation with `slug`; returns its user id.
pub(crate) async fn user(app: &TestApp, slug: &str, email: &str, name: &str, role: Role) -> String {
    let hash = hearth_server::hash_password(PASSWORD.to_string())
        .await
        .expect("hash");
    let (slug, email, name) = (slug.to_string(), email.to_string(), name.to_string());
    let u = app
        .store
        .write(unit!(|c| async {
            let org = orgs::by_slug(c, &slug).await?.expect("org");
            auth::create_user(c, org.id, &email, &name, role, &hash).await
        }))
        .await
        .expect("create user");
    u.id.to_string()
}

/// A customer with a service address, a furnace there, and a technician.
pub(crate) struct Site {
    pub customer: String,
    pub address: String,
    pub furnace: String,
    pub tech: String,
    pub tech_email: String,
}

pub(crate) async fn site(app: &TestApp, org: &TestOrg, slug: &str) -> Site {
    let c = app.grace(org).await;
    let customer = id(&c);
    let a = created(
        app,
        org,
        &format!("/api/v1/customers/{customer}/addresses"),
        json!({"line1": "12 Oak St", "city": "Austin", "region": "TX", "access_instructions": "Gate code 4512"}),
    )
    .await;
    let address = id(&a);
    let f = created(
        app,
        org,
        &format!("/api/v1/addresses/{address}/equipment"),
        json!({"kind": "Furnace", "make": "Carrier", "install_date": "2015-09-01"}),
    )
    .await;
    let tech_email = format!("tess@{slug}.test");
    let tech = user(app, slug, &tech_email, "Tess Tech", Role::Technician).await;
    Site {
        customer,
        address,
        furnace: id(&f),
        tech,
        tech_email,
    }
}

pub(crate) fn tune_up(s: &Site) -> Value {
    json!({
        "customer_id": s.customer,
        "address_id": s.address,
        "service_type": "AC tune-up",
        "industry": "hvac",
        "scheduled_start": at(1, 9),
        "scheduled_end": at(1, 11),
        "technician_ids": [s.tech],
        "equipment_ids": [s.furnace],
        "line_items": [
            {"kind": "service", "description": "Tune-up", "quantity": 1.5, "unit_price_minor": 8900},
            {"kind": "product", "description": "Filter", "quantity": 2, "unit_price_minor": 1250},
            {"kind": "extra", "description": "Trip charge", "unit_price_minor": 4900, "currency": "usd"}
        ]
    })
}

pub(crate) async fn book(app: &TestApp, org: &TestOrg, body: Value) -> Value {
    created(app, org, "/api/v1/jobs", body).await
}

/// Posts a status change and returns the response.
pub(crate) async fn move_to(
    app: &TestApp,
    org: &TestOrg,
    job: &str,
    status: &str,
    reason: Option<&str>,
) -> reqwest::Response {
    let body = match reason {
        Some(r) => json!({"status": status, "reason": r}),
        None => json!({"status": status}),
    };
    app.post(org, &format!("/api/v1/jobs/{job}/status"), body)
        .await
}

#[tokio::test]
async fn jobs_are_booked_read_changed_and_deleted() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let res = app.post(&org, "/api/v1/jobs", tune_up(&s)).await;
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let job = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(location, format!("/api/v1/jobs/{}", id(&job)));
        assert_eq!(job["status"], "scheduled", "[{e}]");
        assert_eq!(job["service_type"], "AC tune-up");
        assert_eq!(job["industry"], "hvac");
        assert_eq!(job["customer_display_name"], "Grace Hopper");
        assert_eq!(job["address_one_line"], "12 Oak St, Austin TX");
        assert_eq!(
            job["technicians"],
            json!([{"id": s.tech, "name": "Tess Tech"}])
        );
        assert_eq!(job["technician_ids"], json!([s.tech]));
        assert_eq!(job["equipment_ids"], json!([s.furnace]));
        assert_eq!(job["currency"], "USD", "[{e}] the region's currency");
        assert_eq!(job["line_items"][0]["quantity"], 1.5);
        assert_eq!(job["line_items"][0]["total_minor"], 13350);
        assert_eq!(job["line_items"][1]["quantity"], 2);
        assert_eq!(job["line_items"][2]["currency"], "USD");
        assert_eq!(
            job["totals"],
            json!({"currency": "USD", "services_minor": 13350, "products_minor": 2500,
                   "extras_minor": 4900, "total_minor": 20750}),
            "[{e}]"
        );
        assert_eq!(job["version"], 1);
        assert!(job["sign_off"].is_null());
        assert_eq!(
            ok(&app, &org, &location).await,
            job,
            "[{e}] read back as written"
        );

        // Reschedule and swap a line; the version moves on.
        let changed = expect_status(
            app.patch(
                &org,
                &location,
                json!({"version": 1, "scheduled_start": at(2, 13), "scheduled_end": at(2, 15),
                       "line_items": [{"description": "Diagnostic", "unit_price_minor": 9900}],
                       "description": "Noisy blower"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(changed["version"], 2);
        assert_eq!(changed["scheduled_start"], at(2, 13));
        assert_eq!(changed["description"], "Noisy blower");
        assert_eq!(changed["totals"]["total_minor"], 9900);
        assert_eq!(
            changed["line_items"][0]["kind"], "service",
            "[{e}] default kind"
        );
        assert_eq!(
            changed["technician_ids"],
            json!([s.tech]),
            "[{e}] absent lists stay"
        );
        // A stale version is refused.
        let stale = app
            .patch(
                &org,
                &location,
                json!({"version": 1, "service_type": "Repair"}),
            )
            .await;
        expect_status(stale, StatusCode::CONFLICT, e).await;
        // An unknown field or a bad value is named.
        let bad = app
            .patch(
                &org,
                &location,
                json!({"version": 2, "scheduled_end": at(2, 12)}),
            )
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["scheduled_end"], "[{e}]");
        let bad = app
            .patch(
                &org,
                &location,
                json!({"version": 2, "status": "completed"}),
            )
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["status"],
            "[{e}] status has its own route"
        );

        // Lists: by customer, technician, status and window.
        let mine = ok(
            &app,
            &org,
            &format!("/api/v1/jobs?technician_id={}", s.tech),
        )
        .await;
        assert_eq!(items(&mine).len(), 1, "[{e}]");
        let theirs = ok(
            &app,
            &org,
            &format!("/api/v1/jobs?customer_id={}", s.customer),
        )
        .await;
        assert_eq!(items(&theirs)[0]["id"], job["id"]);
        let window = format!(
            "/api/v1/jobs?from={}&to={}",
            &at(2, 0)[..10],
            &at(3, 0)[..10]
        );
        assert_eq!(
            items(&ok(&app, &org, &window).await).len(),
            1,
            "[{e}] dates work"
        );
        let earlier = format!("/api/v1/jobs?to={}", urlencode(&at(1, 0)));
        assert!(items(&ok(&app, &org, &earlier).await).is_empty(), "[{e}]");
        let done = ok(&app, &org, "/api/v1/jobs?status=completed").await;
        assert!(items(&done).is_empty());
        let bad = app
            .get(
                &org,
                "/api/v1/jobs?status=done&from=yesterday&technician_id=x&limit=0",
            )
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["technician_id", "status", "from", "limit"],
            "[{e}]"
        );

        // Delete is soft and hides the job.
        expect_status(app.delete(&org, &location).await, StatusCode::NO_CONTENT, e).await;
        expect_status(app.get(&org, &location).await, StatusCode::NOT_FOUND, e).await;
        expect_status(app.delete(&org, &location).await, StatusCode::NOT_FOUND, e).await;
        assert!(
            items(&ok(&app, &org, "/api/v1/jobs").await).is_empty(),
            "[{e}]"
        );

        // Every step is on the customer's timeline as kind `job`.
        let timeline = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/timeline?kind=job", s.customer),
        )
        .await;
        let actions: Vec<&str> = items(&timeline)
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["job.deleted", "job.updated", "job.created"],
            "[{e}]"
        );
        let updated = &items(&timeline)[1];
        let fields: Vec<&str> = updated["data"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "description",
                "line_items",
                "scheduled_end",
                "scheduled_start"
            ],
            "[{e}] the audit names what changed"
        );
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn bad_jobs_name_every_field_and_create_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let res = app
            .post(
                &org,
                "/api/v1/jobs",
                json!({"industry": "roofing", "scheduled_start": at(1, 10), "scheduled_end": at(1, 9),
                       "line_items": [{"kind": "gift", "unit_price_minor": -1}]}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            [
                "customer_id",
                "address_id",
                "service_type",
                "industry",
                "scheduled_end",
                "line_items[0].kind",
                "line_items[0].description",
                "line_items[0].unit_price_minor"
            ],
            "[{e}]"
        );
        let res = app
            .post(
                &org,
                "/api/v1/jobs",
                json!({"customer_id": s.customer, "colour": "red"}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["colour"], "[{e}]");

        // An address of another customer of the same organisation.
        let other = app
            .customer(&org, json!({"first_name": "Alan", "last_name": "Turing"}))
            .await;
        let elsewhere = created(
            &app,
            &org,
            &format!("/api/v1/customers/{}/addresses", id(&other)),
            json!({"line1": "1 Bletchley Park"}),
        )
        .await;
        let mut body = tune_up(&s);
        body["address_id"] = json!(id(&elsewhere));
        let problem = expect_status(
            app.post(&org, "/api/v1/jobs", body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["address_id"], "[{e}]");

        // Equipment of another customer, and users who are not in the org.
        let theirs = created(
            &app,
            &org,
            &format!("/api/v1/addresses/{}/equipment", id(&elsewhere)),
            json!({"kind": "Boiler"}),
        )
        .await;
        let outsider = app.org("other").await;
        let stranger = user(&app, "other", "sam@other.test", "Sam", Role::Technician).await;
        let _ = outsider;
        let mut body = tune_up(&s);
        body["equipment_ids"] = json!([s.furnace, id(&theirs)]);
        body["technician_ids"] = json!([s.tech, stranger, "018f0000-0000-7000-8000-000000000000"]);
        let problem = expect_status(
            app.post(&org, "/api/v1/jobs", body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["technician_ids", "equipment_ids"],
            "[{e}]"
        );

        assert!(
            items(&ok(&app, &org, "/api/v1/jobs").await).is_empty(),
            "[{e}] nothing booked"
        );
        let timeline = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/timeline?kind=job", s.customer),
        )
        .await;
        assert!(items(&timeline).is_empty(), "[{e}] nothing on the timeline");
    }
}

#[tokio::test]
async fn a_job_for_another_orgs_customer_is_refused_and_nothing_is_created() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let theirs = site(&app, &b, "org-b").await;
        let mine = site(&app, &a, "org-a").await;
        let res = app.post(&a, "/api/v1/jobs", tune_up(&theirs)).await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["customer_id"], "[{e}]");
        // My customer at their address, with their technician and equipment.
        let mut body = tune_up(&mine);
        body["address_id"] = json!(theirs.address);
        body["technician_ids"] = json!([theirs.tech]);
        body["equipment_ids"] = json!([theirs.furnace]);
        let problem = expect_status(
            app.post(&a, "/api/v1/jobs", body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["address_id", "technician_ids", "equipment_ids"],
            "[{e}]"
        );
        for org in [&a, &b] {
            assert!(
                items(&ok(&app, org, "/api/v1/jobs").await).is_empty(),
                "[{e}]"
            );
        }
    }
}

/// Every job route, as (method, path, body) for job `job`.
fn job_routes(job: &str, customer: &str, address: &str) -> Vec<(Method, String, Option<Value>)> {
    let p = format!("/api/v1/jobs/{job}");
    let photo = "018f0000-0000-7000-8000-000000000001";
    vec![
        (Method::GET, p.clone(), None),
        (
            Method::PATCH,
            p.clone(),
            Some(json!({"version": 1, "service_type": "Mine now"})),
        ),
        (
            Method::POST,
            format!("{p}/status"),
            Some(json!({"status": "en_route"})),
        ),
        (Method::GET, format!("{p}/history"), None),
        (Method::GET, format!("{p}/notes"), None),
        (
            Method::POST,
            format!("{p}/notes"),
            Some(json!({"body": "hello"})),
        ),
        (Method::GET, format!("{p}/photos"), None),
        (Method::GET, format!("{p}/photos/{photo}"), None),
        (
            Method::POST,
            format!("{p}/sign-off"),
            Some(json!({"customer_name": "Eve"})),
        ),
        (
            Method::GET,
            format!("/api/v1/customers/{customer}/jobs"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/addresses/{address}/jobs"),
            None,
        ),
        (Method::DELETE, p, None),
    ]
}

#[tokio::test]
async fn another_org_gets_404_on_every_job_route() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let s = site(&app, &b, "org-b").await;
        let job = book(&app, &b, tune_up(&s)).await;
        let before = ok(&app, &b, &format!("/api/v1/jobs/{}", id(&job))).await;
        for (method, path, body) in job_routes(&id(&job), &s.customer, &s.address) {
            let res = app.api(&a, method.clone(), &path, body).await;
            let got = res.status();
            assert_eq!(got, StatusCode::NOT_FOUND, "[{e}] {method} {path}");
        }
        // The photo route with a raw body too.
        let res = app
            .http
            .post(app.url(&format!("/api/v1/jobs/{}/photos", id(&job))))
            .bearer_auth(&a.key)
            .header("content-type", "image/png")
            .body(photos::PNG.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "[{e}] photo upload");
        let listed = ok(
            &app,
            &a,
            &format!("/api/v1/jobs?customer_id={}", s.customer),
        )
        .await;
        assert!(items(&listed).is_empty(), "[{e}] lists never leak");
        let listed = ok(&app, &a, &format!("/api/v1/jobs?technician_id={}", s.tech)).await;
        assert!(items(&listed).is_empty(), "[{e}]");
        let after = ok(&app, &b, &format!("/api/v1/jobs/{}", id(&job))).await;
        assert_eq!(after, before, "[{e}] org B's job is untouched");
        let notes = ok(&app, &b, &format!("/api/v1/jobs/{}/notes", id(&job))).await;
        assert!(items(&notes).is_empty(), "[{e}]");
    }
}

#[tokio::test]
async fn status_moves_follow_the_rules_and_are_recorded() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let job = id(&book(&app, &org, tune_up(&s)).await);
        // Straight from scheduled back to scheduled, or to nonsense: 422 `status`.
        for (status, reason) in [("scheduled", None), ("done", None), ("", None)] {
            let problem = expect_status(
                move_to(&app, &org, &job, status, reason).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(problem_fields(&problem), ["status"], "[{e}] {status}");
        }
        let moved = expect_status(
            move_to(&app, &org, &job, "en_route", None).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(moved["status"], "en_route");
        assert_eq!(moved["version"], 2, "[{e}] a status move is a change");
        let started = expect_status(
            move_to(&app, &org, &job, "in_progress", None).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(started["status"], "in_progress");
        // In progress cannot go back to en route.
        let problem = expect_status(
            move_to(&app, &org, &job, "en_route", None).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["status"]);
        let done = expect_status(
            move_to(&app, &org, &job, "completed", None).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(done["status"], "completed");
        assert!(done["completed_at"].is_string(), "[{e}]");
        // Final: no move, no edit, no delete.
        for status in ["cancelled", "in_progress", "completed"] {
            let problem = expect_status(
                move_to(&app, &org, &job, status, Some("late")).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(
                problem_fields(&problem),
                ["status"],
                "[{e}] completed is final"
            );
        }
        let path = format!("/api/v1/jobs/{job}");
        let problem = expect_status(
            app.patch(&org, &path, json!({"version": 4, "service_type": "Other"}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["status"]);
        let problem = expect_status(
            app.delete(&org, &path).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["status"],
            "[{e}] completed jobs stay"
        );

        // History: creation, then each move, with who and when.
        let history = ok(&app, &org, &format!("{path}/history")).await;
        let moves: Vec<(Value, Value)> = items(&history)
            .iter()
            .map(|h| (h["from"].clone(), h["to"].clone()))
            .collect();
        assert_eq!(
            moves,
            [
                (Value::Null, json!("scheduled")),
                (json!("scheduled"), json!("en_route")),
                (json!("en_route"), json!("in_progress")),
                (json!("in_progress"), json!("completed"))
            ],
            "[{e}]"
        );
        assert_eq!(items(&history)[1]["actor"]["kind"], "api_key");
        assert!(items(&history)[1]["at"].is_string());
        let page = ok(&app, &org, &format!("{path}/history?limit=3")).await;
        let cursor = page["next_cursor"].as_str().expect("more history");
        let rest = ok(
            &app,
            &org,
            &format!("{path}/history?limit=3&cursor={cursor}"),
        )
        .await;
        assert_eq!(items(&rest)[0]["to"], "completed", "[{e}]");

        // Cancelling needs a reason, which is kept.
        let other = id(&book(&app, &org, tune_up(&s)).await);
        let problem = expect_status(
            move_to(&app, &org, &other, "cancelled", None).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["reason"], "[{e}]");
        let cancelled = expect_status(
            move_to(&app, &org, &other, "cancelled", Some("Customer away")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(cancelled["cancel_reason"], "Customer away");
        let history = ok(&app, &org, &format!("/api/v1/jobs/{other}/history")).await;
        assert_eq!(items(&history)[1]["reason"], "Customer away", "[{e}]");
        // A cancelled job can be deleted; a completed one cannot (above).
        expect_status(
            app.delete(&org, &format!("/api/v1/jobs/{other}")).await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;

        let timeline = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/timeline?kind=job", s.customer),
        )
        .await;
        let actions: Vec<&str> = items(&timeline)
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "job.deleted",
                "job.cancelled",
                "job.created",
                "job.completed",
                "job.status_changed",
                "job.status_changed",
                "job.created"
            ],
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn completing_a_job_sets_the_last_service_date_of_its_equipment() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let unit_path = format!("/api/v1/equipment/{}", s.furnace);
        let untouched = created(
            &app,
            &org,
            &format!("/api/v1/addresses/{}/equipment", s.address),
            json!({"kind": "Water heater"}),
        )
        .await;
        let before = ok(&app, &org, &unit_path).await;
        assert!(before["last_service_date"].is_null());
        let job = id(&book(&app, &org, tune_up(&s)).await);
        expect_status(
            move_to(&app, &org, &job, "in_progress", None).await,
            StatusCode::OK,
            e,
        )
        .await;
        let still = ok(&app, &org, &unit_path).await;
        assert!(
            still["last_service_date"].is_null(),
            "[{e}] only completion counts"
        );
        expect_status(
            move_to(&app, &org, &job, "completed", None).await,
            StatusCode::OK,
            e,
        )
        .await;
        let today = Utc::now().date_naive().to_string();
        let after = ok(&app, &org, &unit_path).await;
        assert_eq!(after["last_service_date"], today, "[{e}]");
        assert_eq!(
            after["version"], before["version"],
            "[{e}] no conflict with an open edit form"
        );
        let other = ok(&app, &org, &format!("/api/v1/equipment/{}", id(&untouched))).await;
        assert!(
            other["last_service_date"].is_null(),
            "[{e}] only the serviced unit"
        );
        // It cannot be written through the equipment API.
        let res = app
            .patch(
                &org,
                &unit_path,
                json!({"version": after["version"], "last_service_date": "2020-01-01"}),
            )
            .await;
        expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        // The equipment's history shows the service.
        let history = ok(&app, &org, &format!("{unit_path}/history")).await;
        assert_eq!(items(&history)[0]["action"], "equipment.serviced", "[{e}]");
        assert_eq!(items(&history)[0]["field"], "last_service_date");
        // The insights strip counts the completed job.
        let insights = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/insights", s.customer),
        )
        .await;
        assert_eq!(insights["completed_jobs"], 1, "[{e}]");
    }
}

#[tokio::test]
async fn a_customers_jobs_are_grouped_and_each_address_has_its_history() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let cabin = created(
            &app,
            &org,
            &format!("/api/v1/customers/{}/addresses", s.customer),
            json!({"label": "Cabin", "line1": "4 Lake Rd"}),
        )
        .await;
        let plan = |days: i64, address: &str| {
            let mut b = tune_up(&s);
            b["scheduled_start"] = json!(at(days, 9));
            b["scheduled_end"] = json!(at(days, 11));
            b["address_id"] = json!(address);
            b["equipment_ids"] = json!([]);
            b
        };
        let soon = id(&book(&app, &org, plan(1, &s.address)).await);
        let later = id(&book(&app, &org, plan(5, &id(&cabin))).await);
        let overdue = id(&book(&app, &org, plan(-3, &s.address)).await);
        let done = id(&book(&app, &org, plan(-7, &id(&cabin))).await);
        let dropped = id(&book(&app, &org, plan(2, &s.address)).await);
        expect_status(
            move_to(&app, &org, &done, "completed", None).await,
            StatusCode::OK,
            e,
        )
        .await;
        expect_status(
            move_to(&app, &org, &dropped, "cancelled", Some("Moved away")).await,
            StatusCode::OK,
            e,
        )
        .await;
        let group = |g: &str| format!("/api/v1/customers/{}/jobs?group={g}", s.customer);
        let ids = |page: &Value| -> Vec<String> { items(page).iter().map(id).collect() };
        assert_eq!(
            ids(&ok(&app, &org, &group("upcoming")).await),
            [soon.clone(), later.clone()],
            "[{e}] soonest first"
        );
        assert_eq!(
            ids(&ok(&app, &org, &group("past")).await),
            [overdue.clone(), done.clone()],
            "[{e}] latest first"
        );
        assert_eq!(
            ids(&ok(&app, &org, &group("cancelled")).await),
            std::slice::from_ref(&dropped),
            "[{e}]"
        );
        let all = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/jobs?limit=2", s.customer),
        )
        .await;
        assert_eq!(
            ids(&all),
            [later.clone(), dropped.clone()],
            "[{e}] all, latest first"
        );
        let cursor = all["next_cursor"].as_str().unwrap();
        let next = ok(
            &app,
            &org,
            &format!(
                "/api/v1/customers/{}/jobs?limit=2&cursor={cursor}",
                s.customer
            ),
        )
        .await;
        assert_eq!(ids(&next), [soon.clone(), overdue.clone()], "[{e}]");
        let problem = expect_status(
            app.get(&org, &group("someday")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["group"]);

        let at_home = ok(&app, &org, &format!("/api/v1/addresses/{}/jobs", s.address)).await;
        assert_eq!(
            ids(&at_home),
            [dropped, soon, overdue],
            "[{e}] each address its own history"
        );
        let at_cabin = ok(
            &app,
            &org,
            &format!("/api/v1/addresses/{}/jobs", id(&cabin)),
        )
        .await;
        assert_eq!(ids(&at_cabin), [later, done], "[{e}]");

        // A customer in the bin: their jobs answer 404 until restored.
        let customer_path = format!("/api/v1/customers/{}", s.customer);
        expect_status(
            app.delete(&org, &customer_path).await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;
        expect_status(
            app.get(&org, &group("past")).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        expect_status(
            app.get(&org, &format!("/api/v1/jobs/{}", ids(&at_cabin)[0]))
                .await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        assert!(
            items(&ok(&app, &org, "/api/v1/jobs").await).is_empty(),
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn totals_never_drift_over_random_line_items() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        for round in 0..12 {
            let n = rng.random_range(0..12);
            let mut lines = vec![];
            let mut expected = [0i64; 3];
            for _ in 0..n {
                let kind = rng.random_range(0..3usize);
                let milli: i64 = rng.random_range(1..200_000);
                let price: i64 = rng.random_range(0..1_000_000);
                // Quantity × price, half a cent up, in integers.
                expected[kind] += (milli * price + 500) / 1000;
                let kind_name = ["service", "product", "extra"][kind];
                lines.push(json!({
                    "kind": kind_name,
                    "description": format!("line {round}"),
                    "quantity": milli as f64 / 1000.0,
                    "unit_price_minor": price,
                }));
            }
            let mut body = tune_up(&s);
            body["line_items"] = json!(lines);
            let job = book(&app, &org, body).await;
            let t = &job["totals"];
            assert_eq!(t["services_minor"], expected[0], "[{e}] round {round}");
            assert_eq!(t["products_minor"], expected[1], "[{e}] round {round}");
            assert_eq!(t["extras_minor"], expected[2], "[{e}] round {round}");
            assert_eq!(
                t["total_minor"],
                expected.iter().sum::<i64>(),
                "[{e}] round {round}"
            );
            let sum: i64 = job["line_items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["total_minor"].as_i64().unwrap())
                .sum();
            assert_eq!(t["total_minor"], sum, "[{e}]");
            // Read back and re-saved unchanged, the totals stay put.
            let path = format!("/api/v1/jobs/{}", id(&job));
            let again = expect_status(
                app.patch(&org, &path, json!({"version": 1, "line_items": job["line_items"].as_array().unwrap().iter().map(|l| json!({
                    "kind": l["kind"], "description": l["description"], "quantity": l["quantity"],
                    "unit_price_minor": l["unit_price_minor"], "currency": l["currency"]})).collect::<Vec<_>>()}))
                    .await,
                StatusCode::OK,
                e,
            )
            .await;
            assert_eq!(again["version"], 1, "[{e}] the same lines are no change");
            assert_eq!(again["totals"], job["totals"]);
        }
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_job_routes() {
    for app in apps().await {
        let e = app.engine;
        let doc = app.openapi().await;
        let paths = &doc["paths"];
        for (path, methods) in [
            ("/api/v1/jobs", &["get", "post"][..]),
            ("/api/v1/jobs/{id}", &["get", "patch", "delete"][..]),
            ("/api/v1/jobs/{id}/status", &["post"][..]),
            ("/api/v1/jobs/{id}/history", &["get"][..]),
            ("/api/v1/jobs/{id}/notes", &["get", "post"][..]),
            ("/api/v1/jobs/{id}/photos", &["get", "post"][..]),
            ("/api/v1/jobs/{id}/photos/{photo_id}", &["get"][..]),
            ("/api/v1/jobs/{id}/sign-off", &["post"][..]),
            ("/api/v1/customers/{id}/jobs", &["get"][..]),
            ("/api/v1/addresses/{id}/jobs", &["get"][..]),
            ("/api/v1/technicians", &["get"][..]),
        ] {
            for m in methods {
                assert!(paths[path][m].is_object(), "[{e}] {m} {path} is documented");
            }
        }
        let upload = &paths["/api/v1/jobs/{id}/photos"]["post"]["requestBody"]["content"];
        assert!(
            upload["multipart/form-data"].is_object(),
            "[{e}] multipart upload"
        );
        assert!(upload["image/png"].is_object(), "[{e}] raw image upload");
        let patch = &paths["/api/v1/jobs/{id}"]["patch"]["responses"];
        assert!(
            patch["409"].is_object() && patch["422"].is_object(),
            "[{e}]"
        );
        assert!(doc["components"]["schemas"]["Job"].is_object());
    }
}
