//! Moving cards, winning, losing and converting.

use super::{column, default_pipeline, id, new_lead, stage};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn move_to(app: &TestApp, org: &TestOrg, lead: &str, body: Value) -> reqwest::Response {
    app.post(org, &format!("/api/v1/leads/{lead}/move"), body)
        .await
}

/// Cards keep sparse sort keys; putting card after card into the same
/// place halves the room there until the column must be respaced, and the
/// order the user made survives that.
#[tokio::test]
async fn many_moves_into_one_place_keep_the_order() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = default_pipeline(&app, &org).await;
        let new = stage(&p, "New");
        let mut expected = Vec::new();
        for n in ["A", "B", "C", "D"] {
            expected.push(id(&new_lead(&app, &org, json!({"first_name": n})).await));
        }
        for _ in 0..40 {
            let last = expected.pop().unwrap();
            expected.insert(1, last.clone());
            let moved = move_to(&app, &org, &last, json!({"stage_id": new, "position": 1})).await;
            let moved = expect_status(moved, StatusCode::OK, e).await;
            assert_eq!(moved["position"], 1, "[{e}]");
        }
        assert_eq!(column(&app, &org, &new).await, expected, "[{e}]");
    }
}

#[tokio::test]
async fn moves_keep_positions_dense_within_and_between_stages() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = default_pipeline(&app, &org).await;
        let (new, contacted) = (stage(&p, "New"), stage(&p, "Contacted"));
        let mut leads = Vec::new();
        for n in ["A", "B", "C", "D"] {
            leads.push(id(&new_lead(&app, &org, json!({"first_name": n})).await));
        }
        let [a, b, c, d] = [
            leads[0].as_str(),
            leads[1].as_str(),
            leads[2].as_str(),
            leads[3].as_str(),
        ];
        assert_eq!(column(&app, &org, &new).await, [a, b, c, d]);

        // Within a column: D to the top, then A to the bottom.
        let moved = move_to(&app, &org, d, json!({"stage_id": new, "position": 0})).await;
        let moved = expect_status(moved, StatusCode::OK, e).await;
        assert_eq!(moved["position"], 0);
        assert_eq!(column(&app, &org, &new).await, [d, a, b, c], "[{e}]");
        move_to(&app, &org, a, json!({"stage_id": new, "position": 99})).await;
        assert_eq!(
            column(&app, &org, &new).await,
            [d, b, c, a],
            "[{e}] clamped to the end"
        );

        // Between columns.
        move_to(&app, &org, b, json!({"stage_id": contacted})).await;
        move_to(&app, &org, c, json!({"stage_id": contacted, "position": 0})).await;
        assert_eq!(column(&app, &org, &new).await, [d, a], "[{e}]");
        assert_eq!(column(&app, &org, &contacted).await, [c, b], "[{e}]");
        move_to(&app, &org, d, json!({"stage_id": contacted, "position": 1})).await;
        assert_eq!(column(&app, &org, &new).await, [a], "[{e}]");
        assert_eq!(column(&app, &org, &contacted).await, [c, d, b], "[{e}]");

        // Moving a card where it already is changes nothing.
        let before = expect_status(
            app.get(&org, &format!("/api/v1/leads/{d}")).await,
            StatusCode::OK,
            e,
        )
        .await;
        let same = move_to(&app, &org, d, json!({"stage_id": contacted, "position": 1})).await;
        let same = expect_status(same, StatusCode::OK, e).await;
        assert_eq!(same, before, "[{e}] idempotent");
        let history = expect_status(
            app.get(&org, &format!("/api/v1/leads/{d}/history")).await,
            StatusCode::OK,
            e,
        )
        .await;
        let moves = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["field"] == "stage")
            .count();
        assert_eq!(moves, 1, "[{e}] one stage change recorded");

        // A stage of another pipeline, or none at all.
        let bad = move_to(&app, &org, d, json!({"stage_id": uuid::Uuid::now_v7()})).await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["stage_id"]);
        let tl = expect_status(
            app.get(&org, &format!("/api/v1/leads/{d}/timeline")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            tl["items"][0]["summary"], "Moved from New to Contacted",
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn concurrent_moves_leave_a_valid_order() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = default_pipeline(&app, &org).await;
        let stages = [
            stage(&p, "New"),
            stage(&p, "Contacted"),
            stage(&p, "Quoted"),
        ];
        let mut leads = Vec::new();
        for n in 0..8 {
            leads.push(id(&new_lead(
                &app,
                &org,
                json!({"first_name": format!("L{n}")}),
            )
            .await));
        }
        for round in 0..3 {
            let mv = |lead: usize, to: usize, pos: i64| {
                move_to(
                    &app,
                    &org,
                    &leads[lead],
                    json!({"stage_id": stages[to], "position": pos}),
                )
            };
            // The same card twice at once, and its neighbours, across columns.
            let (r1, r2, r3, r4, r5, r6) = tokio::join!(
                mv(round, 1, 0),
                mv(round, 2, 0),
                mv(round + 1, 1, 1),
                mv(7 - round, 0, 0),
                mv(4, (round + 1) % 3, 2),
                mv(5, 2, 0),
            );
            for r in [r1, r2, r3, r4, r5, r6] {
                expect_status(r, StatusCode::OK, e).await;
            }
            let mut seen = Vec::new();
            for s in &stages {
                seen.extend(column(&app, &org, s).await);
            }
            seen.sort();
            let mut all = leads.clone();
            all.sort();
            assert_eq!(seen, all, "[{e}] every card is on exactly one column");
        }
        // A burst: 24 moves at once, many hitting the same cards and columns.
        let burst = (0..24u64).map(|n| {
            let lead = &leads[(n * 5 % 8) as usize];
            let to = &stages[(n * 7 % 3) as usize];
            move_to(
                &app,
                &org,
                lead,
                json!({"stage_id": to, "position": (n % 4) as i64}),
            )
        });
        for r in futures::future::join_all(burst).await {
            expect_status(r, StatusCode::OK, e).await;
        }
        let mut seen = Vec::new();
        for s in &stages {
            seen.extend(column(&app, &org, s).await);
        }
        assert_eq!(seen.len(), leads.len(), "[{e}] no card lost or doubled");
    }
}

#[tokio::test]
async fn won_sets_won_at_and_lost_needs_a_reason() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = default_pipeline(&app, &org).await;
        let lead = id(&new_lead(&app, &org, json!({"first_name": "Pat"})).await);
        let lost = stage(&p, "Lost");
        let problem = expect_status(
            move_to(&app, &org, &lead, json!({"stage_id": lost})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["lost_reason"], "[{e}]");
        let still = expect_status(
            app.get(&org, &format!("/api/v1/leads/{lead}")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            still["stage_id"].as_str().unwrap(),
            stage(&p, "New"),
            "[{e}] nothing moved"
        );
        let problem = expect_status(
            move_to(
                &app,
                &org,
                &lead,
                json!({"stage_id": stage(&p, "Quoted"), "lost_reason": "price"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["lost_reason"]);

        let l = expect_status(
            move_to(
                &app,
                &org,
                &lead,
                json!({"stage_id": lost, "lost_reason": "Went with a competitor"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(l["lost_reason"], "Went with a competitor");
        assert!(l["lost_at"].is_string() && l["won_at"].is_null(), "[{e}]");
        let problem = expect_status(
            app.patch(
                &org,
                &format!("/api/v1/leads/{lead}"),
                json!({"version": l["version"], "lost_reason": null}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["lost_reason"],
            "[{e}] a lost lead keeps a reason"
        );

        let w = expect_status(
            move_to(&app, &org, &lead, json!({"stage_id": stage(&p, "Won")})).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            w["won_at"].is_string() && w["lost_at"].is_null() && w["lost_reason"].is_null(),
            "[{e}] {w}"
        );
        let reopened = expect_status(
            move_to(
                &app,
                &org,
                &lead,
                json!({"stage_id": stage(&p, "Follow-up")}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(reopened["won_at"].is_null(), "[{e}]");
    }
}

#[tokio::test]
async fn converting_is_idempotent_and_creates_exactly_one_customer() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = default_pipeline(&app, &org).await;
        let lead = new_lead(
            &app,
            &org,
            json!({"first_name": "Nina", "last_name": "Park", "phone": "512-555-0142", "email": "nina@example.com",
                   "service_address": "4 Elm Rd", "notes": "Two-storey house, gas furnace", "value_minor": 820000}),
        )
        .await;
        let path = format!("/api/v1/leads/{}/convert", id(&lead));
        let (r1, r2) = tokio::join!(
            app.post(&org, &path, json!({})),
            app.post(&org, &path, json!({}))
        );
        let first = expect_status(r1, StatusCode::OK, e).await;
        let second = expect_status(r2, StatusCode::OK, e).await;
        let third = expect_status(app.post(&org, &path, json!({})).await, StatusCode::OK, e).await;
        let customer_id = first["customer_id"].as_str().unwrap().to_string();
        assert_eq!(second["customer_id"], first["customer_id"], "[{e}]");
        assert_eq!(third["customer_id"], first["customer_id"], "[{e}]");
        let customers =
            expect_status(app.get(&org, "/api/v1/customers").await, StatusCode::OK, e).await;
        assert_eq!(
            customers["items"].as_array().unwrap().len(),
            1,
            "[{e}] exactly one customer"
        );
        let customer = &customers["items"][0];
        assert_eq!(customer["id"].as_str().unwrap(), customer_id);
        assert_eq!(customer["phone"], "+15125550142");
        assert_eq!(customer["email"], "nina@example.com");

        let l = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}", id(&lead))).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(l["customer_id"].as_str().unwrap(), customer_id);
        assert_eq!(
            l["stage_id"].as_str().unwrap(),
            stage(&p, "Won"),
            "[{e}] moved to won"
        );
        assert!(l["won_at"].is_string());

        let tl = expect_status(
            app.get(&org, &format!("/api/v1/customers/{customer_id}/timeline"))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        let summaries: Vec<&str> = tl["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["summary"].as_str().unwrap())
            .collect();
        assert!(
            summaries
                .iter()
                .any(|s| s.contains("Two-storey house, gas furnace") && s.contains("4 Elm Rd")),
            "[{e}] notes copied: {summaries:?}"
        );
        assert!(
            summaries
                .iter()
                .any(|s| s.starts_with("Converted lead Nina Park")),
            "[{e}] {summaries:?}"
        );
        assert_eq!(
            summaries
                .iter()
                .filter(|s| s.starts_with("Converted"))
                .count(),
            1,
            "[{e}] converted once"
        );
        let ltl = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}/timeline", id(&lead)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        let actions: Vec<&str> = ltl["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions[..2],
            ["lead.converted", "lead.won"],
            "[{e}] {actions:?}"
        );
    }
}

#[tokio::test]
async fn converting_a_lead_with_a_customers_phone_links_to_that_customer() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = app.grace(&org).await;
        let lead = new_lead(
            &app,
            &org,
            json!({"first_name": "G.", "phone": "+1 512 555 0188"}),
        )
        .await;
        let converted = expect_status(
            app.post(
                &org,
                &format!("/api/v1/leads/{}/convert", id(&lead)),
                json!({}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            converted["customer_id"], grace["id"],
            "[{e}] linked, not duplicated"
        );
        let customers =
            expect_status(app.get(&org, "/api/v1/customers").await, StatusCode::OK, e).await;
        assert_eq!(customers["items"].as_array().unwrap().len(), 1, "[{e}]");
        let linked = expect_status(
            app.get(&org, &format!("/api/v1/leads?customer_id={}", id(&grace)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(linked["items"][0]["id"], lead["id"]);

        // A lead without a name cannot become a customer: nothing changes.
        let nameless = new_lead(&app, &org, json!({"email": "someone@example.com"})).await;
        let problem = expect_status(
            app.post(
                &org,
                &format!("/api/v1/leads/{}/convert", id(&nameless)),
                json!({}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["first_name"], "[{e}]");
        let still = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}", id(&nameless)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            still["customer_id"].is_null() && still["won_at"].is_null(),
            "[{e}]"
        );
    }
}

/// The board's column counts and values (kept as running totals) equal what
/// the leads themselves add up to, after every kind of change.
#[tokio::test]
async fn board_totals_follow_every_change() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = default_pipeline(&app, &org).await;
        let pid = id(&p);
        let check = |when: &'static str| {
            let (app, org, pid) = (&app, &org, pid.clone());
            async move {
                let board = expect_status(
                    app.get(org, &format!("/api/v1/pipelines/{pid}/board"))
                        .await,
                    StatusCode::OK,
                    e,
                )
                .await;
                let leads = expect_status(
                    app.get(org, &format!("/api/v1/leads?pipeline_id={pid}&limit=200"))
                        .await,
                    StatusCode::OK,
                    e,
                )
                .await;
                for col in board["columns"].as_array().unwrap() {
                    let stage_id = &col["stage"]["id"];
                    let on: Vec<&Value> = leads["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|l| &l["stage_id"] == stage_id)
                        .collect();
                    assert_eq!(
                        col["count"].as_u64().unwrap() as usize,
                        on.len(),
                        "[{e}] count after {when}"
                    );
                    let mut expected = serde_json::Map::new();
                    for l in &on {
                        let cur = l["currency"].as_str().unwrap().to_string();
                        let v = expected.get(&cur).and_then(Value::as_i64).unwrap_or(0)
                            + l["value_minor"].as_i64().unwrap();
                        expected.insert(cur, json!(v));
                    }
                    assert_eq!(
                        col["totals"],
                        Value::Object(expected),
                        "[{e}] value after {when}"
                    );
                }
            }
        };
        let a = new_lead(&app, &org, json!({"first_name": "A", "value_minor": 1000})).await;
        let b = new_lead(
            &app,
            &org,
            json!({"first_name": "B", "value_minor": 2000, "currency": "EUR"}),
        )
        .await;
        let c = new_lead(
            &app,
            &org,
            json!({"first_name": "C", "value_minor": 4000, "phone": "5125550100"}),
        )
        .await;
        check("create").await;
        move_to(
            &app,
            &org,
            &id(&a),
            json!({"stage_id": stage(&p, "Quoted")}),
        )
        .await;
        move_to(
            &app,
            &org,
            &id(&b),
            json!({"stage_id": stage(&p, "Lost"), "lost_reason": "Price"}),
        )
        .await;
        check("moves").await;
        app.patch(
            &org,
            &format!("/api/v1/leads/{}", id(&a)),
            json!({"version": 2, "value_minor": 1500, "currency": "GBP"}),
        )
        .await;
        check("edit").await;
        app.post(
            &org,
            &format!("/api/v1/leads/{}/convert", id(&c)),
            json!({}),
        )
        .await;
        check("convert").await;
        app.delete(&org, &format!("/api/v1/leads/{}", id(&b))).await;
        check("delete").await;
        let filtered = expect_status(
            app.get(
                &org,
                &format!("/api/v1/pipelines/{pid}/board?source=manual"),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        let won = filtered["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|col| col["stage"]["name"] == "Won")
            .unwrap();
        assert_eq!(
            (won["count"].as_i64(), &won["totals"]),
            (Some(1), &json!({"USD": 4000})),
            "[{e}] filtered boards add up too"
        );
    }
}

#[tokio::test]
async fn ordering_a_lead_books_one_job_and_records_it_as_the_order() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let lead = new_lead(
            &app,
            &org,
            json!({"first_name": "Omar", "phone": "512-555-0177", "service_address": "9 Birch Ln",
                   "value_minor": 450000, "notes": "Replace the AC"}),
        )
        .await;
        let path = format!("/api/v1/leads/{}/order", id(&lead));

        // Bad schedules name every field and change nothing.
        let problem = expect_status(
            app.post(&org, &path, json!({"scheduled_end": "not a time"}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["scheduled_end"],
            "[{e}] {problem}"
        );
        let problem = expect_status(
            app.post(&org, &path, json!({})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["scheduled_start", "scheduled_end"],
            "[{e}] {problem}"
        );
        let customers =
            expect_status(app.get(&org, "/api/v1/customers").await, StatusCode::OK, e).await;
        assert_eq!(
            customers["items"].as_array().unwrap().len(),
            0,
            "[{e}] a refused order converts nothing"
        );

        let body = json!({"scheduled_start": "2030-03-02T09:00:00Z", "scheduled_end": "2030-03-02T12:00:00Z"});
        let res = app.post(&org, &path, body.clone()).await;
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let job = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(
            location,
            Some(format!("/api/v1/jobs/{}", id(&job))),
            "[{e}]"
        );
        let again = expect_status(app.post(&org, &path, body).await, StatusCode::OK, e).await;
        assert_eq!(
            again["id"], job["id"],
            "[{e}] ordering again books nothing new"
        );

        let l = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}", id(&lead))).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(l["order_id"], job["id"], "[{e}] the order is on the lead");
        assert_eq!(l["customer_id"], job["customer_id"], "[{e}] converted too");
        assert_eq!(
            job["totals"]["total_minor"], 450000,
            "[{e}] the deal value is the job's line"
        );
        let customer = job["customer_id"].as_str().unwrap();
        let addresses = expect_status(
            app.get(&org, &format!("/api/v1/customers/{customer}/addresses"))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            addresses["items"][0]["line1"], "9 Birch Ln",
            "[{e}] carried over"
        );
        assert_eq!(job["address_id"], addresses["items"][0]["id"], "[{e}]");

        let jobs = expect_status(
            app.get(&org, &format!("/api/v1/jobs?customer_id={customer}"))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(jobs["items"].as_array().unwrap().len(), 1, "[{e}] one job");
        let tl = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}/timeline", id(&lead)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            tl["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["action"] == "lead.ordered"),
            "[{e}] {tl}"
        );
    }
}
