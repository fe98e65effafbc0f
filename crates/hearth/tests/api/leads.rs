//! Leads and the sales pipeline.

mod forms;
mod isolation;
mod moves;
mod pages;
mod reports;

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The default pipeline (made on first use).
pub async fn default_pipeline(app: &TestApp, org: &TestOrg) -> Value {
    let list = expect_status(
        app.get(org, "/api/v1/pipelines").await,
        StatusCode::OK,
        app.engine,
    )
    .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["is_default"] == true)
        .cloned()
        .expect("a default pipeline")
}

pub fn stage(pipeline: &Value, name: &str) -> String {
    pipeline["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stage {name} in {pipeline}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Creates a lead and returns its JSON as a read returns it (without the
/// create answer's `duplicates` warning).
pub async fn new_lead(app: &TestApp, org: &TestOrg, body: Value) -> Value {
    let res = app.post(org, "/api/v1/leads", body).await;
    let mut created = expect_status(res, StatusCode::CREATED, app.engine).await;
    if let Some(fields) = created.as_object_mut() {
        fields.remove("duplicates");
    }
    created
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// The ids on a stage in card order, asserting positions are 0, 1, 2, …
pub async fn column(app: &TestApp, org: &TestOrg, stage_id: &str) -> Vec<String> {
    let list = expect_status(
        app.get(org, &format!("/api/v1/leads?stage_id={stage_id}&limit=200"))
            .await,
        StatusCode::OK,
        app.engine,
    )
    .await;
    let mut cards: Vec<(i64, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["position"].as_i64().unwrap(), id(l)))
        .collect();
    cards.sort();
    let positions: Vec<i64> = cards.iter().map(|(p, _)| *p).collect();
    let dense: Vec<i64> = (0..cards.len() as i64).collect();
    assert_eq!(
        positions, dense,
        "[{}] positions on stage {stage_id} are dense",
        app.engine
    );
    cards.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn a_new_org_gets_the_default_pipeline_once() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = default_pipeline(&app, &org).await;
        assert_eq!(p["name"], "Sales", "[{e}]");
        let stages: Vec<(&str, &str, i64)> = p["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap(),
                    s["kind"].as_str().unwrap(),
                    s["position"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            stages,
            [
                ("New", "open", 0),
                ("Contacted", "open", 1),
                ("Quoted", "open", 2),
                ("Follow-up", "open", 3),
                ("Won", "won", 4),
                ("Lost", "lost", 5)
            ],
            "[{e}]"
        );
        let again =
            expect_status(app.get(&org, "/api/v1/pipelines").await, StatusCode::OK, e).await;
        assert_eq!(
            again["items"].as_array().unwrap().len(),
            1,
            "[{e}] made once"
        );
        assert_eq!(again["items"][0]["id"], p["id"]);
    }
}

#[tokio::test]
async fn pipelines_and_stages_are_configurable() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let sales = default_pipeline(&app, &org).await;
        let commercial = expect_status(
            app.post(
                &org,
                "/api/v1/pipelines",
                json!({"name": "Commercial", "stages": [
                    {"name": "Inquiry"}, {"name": "Site visit"}, {"name": "Signed", "kind": "won"}, {"name": "Dropped", "kind": "lost"}
                ]}),
            )
            .await,
            StatusCode::CREATED,
            e,
        )
        .await;
        assert_eq!(commercial["is_default"], false, "[{e}]");
        let cid = id(&commercial);
        let path = format!("/api/v1/pipelines/{cid}");

        // Add a stage in the middle: the later ones shift down.
        let proposal = expect_status(
            app.post(
                &org,
                &format!("{path}/stages"),
                json!({"name": "Proposal", "position": 1}),
            )
            .await,
            StatusCode::CREATED,
            e,
        )
        .await;
        let names = |p: &Value| -> Vec<String> {
            p["stages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_string())
                .collect()
        };
        let now = expect_status(app.get(&org, &path).await, StatusCode::OK, e).await;
        assert_eq!(
            names(&now),
            ["Inquiry", "Proposal", "Site visit", "Signed", "Dropped"]
        );
        let positions: Vec<i64> = now["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, [0, 1, 2, 3, 4], "[{e}]");

        // Reorder and rename.
        let stage_path = format!("/api/v1/stages/{}", id(&proposal));
        let moved = expect_status(
            app.patch(
                &org,
                &stage_path,
                json!({"version": 1, "position": 2, "name": "Quote sent"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(moved["position"], 2);
        let now = expect_status(app.get(&org, &path).await, StatusCode::OK, e).await;
        assert_eq!(
            names(&now),
            ["Inquiry", "Site visit", "Quote sent", "Signed", "Dropped"],
            "[{e}]"
        );
        let stale = app
            .patch(&org, &stage_path, json!({"version": 1, "name": "X"}))
            .await;
        expect_status(stale, StatusCode::CONFLICT, e).await;
        let dup = app
            .patch(&org, &stage_path, json!({"version": 2, "name": "inquiry"}))
            .await;
        let problem = expect_status(dup, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["name"]);

        // A pipeline keeps an open stage.
        let inquiry = stage(&now, "Inquiry");
        let site = stage(&now, "Site visit");
        let quote = stage(&now, "Quote sent");
        for s in [&site, &quote] {
            expect_status(
                app.delete(&org, &format!("/api/v1/stages/{s}")).await,
                StatusCode::NO_CONTENT,
                e,
            )
            .await;
        }
        let last_open = app
            .patch(
                &org,
                &format!("/api/v1/stages/{inquiry}"),
                json!({"version": 1, "kind": "won"}),
            )
            .await;
        let problem = expect_status(last_open, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["kind"], "[{e}]");
        let problem = expect_status(
            app.delete(&org, &format!("/api/v1/stages/{inquiry}")).await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("at least one open stage"),
            "[{e}] {problem}"
        );
        let now = expect_status(app.get(&org, &path).await, StatusCode::OK, e).await;
        let positions: Vec<i64> = now["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, [0, 1, 2], "[{e}] deletes close the gap");

        // A stage with leads cannot go.
        for n in 0..2 {
            new_lead(
                &app,
                &org,
                json!({"first_name": format!("L{n}"), "pipeline_id": cid}),
            )
            .await;
        }
        let problem = expect_status(
            app.delete(&org, &format!("/api/v1/stages/{inquiry}")).await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        assert_eq!(
            problem["detail"], "move the 2 leads on this stage first",
            "[{e}]"
        );
        let problem = expect_status(app.delete(&org, &path).await, StatusCode::CONFLICT, e).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("move the 2 leads"),
            "[{e}]"
        );

        // The default moves; the old default loses the flag; an empty pipeline can go.
        let made_default = expect_status(
            app.patch(&org, &path, json!({"version": commercial["version"], "is_default": true, "name": "Commercial jobs"})).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(made_default["is_default"], true);
        let old = expect_status(
            app.get(&org, &format!("/api/v1/pipelines/{}", id(&sales)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(old["is_default"], false, "[{e}] one default at a time");
        let lead = new_lead(&app, &org, json!({"first_name": "Defaulted"})).await;
        assert_eq!(
            lead["pipeline_id"].as_str().unwrap(),
            cid,
            "[{e}] new leads go to the new default"
        );
        let problem = expect_status(app.delete(&org, &path).await, StatusCode::CONFLICT, e).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("default"),
            "[{e}]"
        );
        expect_status(
            app.delete(&org, &format!("/api/v1/pipelines/{}", id(&sales)))
                .await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;
        let list = expect_status(app.get(&org, "/api/v1/pipelines").await, StatusCode::OK, e).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "[{e}]");

        let history = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}/history", id(&lead)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(!history["items"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn leads_are_created_read_updated_and_deleted() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let res = app
            .post(
                &org,
                "/api/v1/leads",
                json!({"first_name": "Dana", "last_name": "Reyes", "phone": "(512) 555-0101",
                       "email": "Dana@Example.com", "service_address": "12 Oak St, Austin TX",
                       "source": "referral", "value_minor": 450000, "currency": "usd",
                       "expected_close_date": "2026-06-30", "notes": "Wants a heat pump quote"}),
            )
            .await;
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let mut lead = expect_status(res, StatusCode::CREATED, e).await;
        let warning = lead.as_object_mut().unwrap().remove("duplicates");
        assert_eq!(
            warning,
            Some(json!({"customers": [], "leads": []})),
            "[{e}]"
        );
        let p = default_pipeline(&app, &org).await;
        assert_eq!(lead["pipeline_id"], p["id"], "[{e}] default pipeline");
        assert_eq!(
            lead["stage_id"].as_str().unwrap(),
            stage(&p, "New"),
            "[{e}] its first stage"
        );
        assert_eq!(lead["position"], 0);
        assert_eq!(lead["phone"], "+15125550101");
        assert_eq!(lead["email"], "dana@example.com");
        assert_eq!(lead["currency"], "USD");
        assert_eq!(lead["source"], "referral");
        assert_eq!(lead["score"], 0);
        assert_eq!(lead["hot"], false);
        assert_eq!(lead["score_breakdown"], json!([]));
        assert!(lead["order_id"].is_null() && lead["customer_id"].is_null());
        assert_eq!(lead["display_name"], "Dana Reyes");

        let second = new_lead(&app, &org, json!({"business_name": "Oak Dental"})).await;
        assert_eq!(second["position"], 1, "[{e}] appended to the column");

        let read = expect_status(app.get(&org, &location).await, StatusCode::OK, e).await;
        assert_eq!(read, lead);

        let updated = expect_status(
            app.patch(
                &org,
                &location,
                json!({"version": 1, "value_minor": 500000, "email": null, "owner_id": null}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(updated["value_minor"], 500000);
        assert!(updated["email"].is_null());
        assert_eq!(updated["version"], 2);
        expect_status(
            app.patch(&org, &location, json!({"version": 1, "value_minor": 1}))
                .await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        let bad = app
            .patch(
                &org,
                &location,
                json!({"version": 2, "stage_id": lead["stage_id"]}),
            )
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["stage_id"],
            "[{e}] stages change by moving"
        );
        let bad = app
            .patch(
                &org,
                &location,
                json!({"version": 2, "lost_reason": "price"}),
            )
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["lost_reason"],
            "[{e}] only lost leads have reasons"
        );

        // Bad input names every field and creates nothing.
        let bad = app
            .post(
                &org,
                "/api/v1/leads",
                json!({"first_name": "X", "phone": "call me", "currency": "dollars", "value_minor": -1,
                       "source": "carrier pigeon"}),
            )
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["source"], "[{e}] {problem}");
        let bad = app
            .post(&org, "/api/v1/leads", json!({"first_name": "X", "phone": "call me", "currency": "dollars", "value_minor": -1}))
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["phone", "value_minor", "currency"],
            "[{e}]"
        );
        let other_user = uuid::Uuid::now_v7();
        let bad = app
            .post(&org, "/api/v1/leads", json!({"first_name": "X", "owner_id": other_user, "stage_id": uuid::Uuid::now_v7()}))
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["stage_id", "owner_id"], "[{e}]");
        let lost_without_reason = app
            .post(
                &org,
                "/api/v1/leads",
                json!({"first_name": "X", "stage_id": stage(&p, "Lost")}),
            )
            .await;
        let problem = expect_status(lost_without_reason, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["lost_reason"]);
        let all = expect_status(app.get(&org, "/api/v1/leads").await, StatusCode::OK, e).await;
        assert_eq!(
            all["items"].as_array().unwrap().len(),
            2,
            "[{e}] nothing was created"
        );

        // Search and filters.
        let found = expect_status(
            app.get(&org, "/api/v1/leads?q=oak").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(found["items"].as_array().unwrap().len(), 1);
        assert_eq!(found["items"][0]["business_name"], "Oak Dental");
        let found = expect_status(
            app.get(&org, "/api/v1/leads?source=referral").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(found["items"][0]["id"], lead["id"]);
        let found = expect_status(
            app.get(&org, "/api/v1/leads?q=5550101").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(found["items"].as_array().unwrap().len(), 1);
        let page1 = expect_status(
            app.get(&org, "/api/v1/leads?limit=1").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(page1["items"][0]["id"], second["id"], "[{e}] newest first");
        let cursor = page1["next_cursor"].as_str().unwrap();
        let page2 = expect_status(
            app.get(&org, &format!("/api/v1/leads?limit=1&cursor={cursor}"))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(page2["items"][0]["id"], lead["id"]);
        assert!(page2["next_cursor"].is_null());

        // Delete closes the gap in the column.
        expect_status(app.delete(&org, &location).await, StatusCode::NO_CONTENT, e).await;
        expect_status(app.get(&org, &location).await, StatusCode::NOT_FOUND, e).await;
        assert_eq!(
            column(&app, &org, &stage(&p, "New")).await,
            [id(&second)],
            "[{e}]"
        );

        let history = expect_status(
            app.get(&org, &format!("{location}/history")).await,
            StatusCode::OK,
            e,
        )
        .await;
        let actions: Vec<&str> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"lead.created")
                && actions.contains(&"lead.updated")
                && actions.contains(&"lead.deleted"),
            "[{e}] {actions:?}"
        );
        let value = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["field"] == "value_minor" && h["action"] == "lead.updated")
            .unwrap();
        assert_eq!(value["before"], 450000);
        assert_eq!(value["after"], 500000);
        let tl = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}/timeline", id(&second)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(tl["items"][0]["action"], "lead.created", "[{e}]");
    }
}

#[tokio::test]
async fn signals_score_leads_and_hot_leads_list_first() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let cold = new_lead(&app, &org, json!({"first_name": "Cold"})).await;
        let warm = new_lead(&app, &org, json!({"first_name": "Warm"})).await;
        let hot = new_lead(&app, &org, json!({"first_name": "Hot"})).await;
        let hotter = new_lead(&app, &org, json!({"first_name": "Hotter"})).await;
        let signal = |lead: &Value, kind: &str| {
            let path = format!("/api/v1/leads/{}/signals", id(lead));
            let kind = kind.to_string();
            let app = &app;
            let org = &org;
            async move {
                expect_status(
                    app.post(org, &path, json!({"kind": kind})).await,
                    StatusCode::CREATED,
                    app.engine,
                )
                .await
            }
        };
        signal(&warm, "email_open").await;
        let w = signal(&warm, "quote_viewed").await;
        assert_eq!(w["score"], 23, "[{e}] 3 + 20");
        assert_eq!(w["hot"], false);
        for kind in ["inbound_call", "quote_viewed", "form_submission"] {
            signal(&hot, kind).await;
        }
        for kind in ["inbound_call", "inbound_call", "quote_viewed", "chat"] {
            signal(&hotter, kind).await;
        }
        let h = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}", id(&hot))).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(h["score"], 75, "[{e}] 30 + 20 + 25");
        assert_eq!(h["hot"], true);
        assert_eq!(
            h["score_breakdown"],
            json!([
                {"signal": "form_submission", "count": 1, "points": 25.0},
                {"signal": "quote_viewed", "count": 1, "points": 20.0},
                {"signal": "inbound_call", "count": 1, "points": 30.0}
            ]),
            "[{e}]"
        );
        let bad = app
            .post(
                &org,
                &format!("/api/v1/leads/{}/signals", id(&cold)),
                json!({"kind": "smoke_signal"}),
            )
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["kind"]);

        let listed = expect_status(
            app.get(&org, "/api/v1/leads?hot=true").await,
            StatusCode::OK,
            e,
        )
        .await;
        let names: Vec<&str> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["first_name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["Hotter", "Hot"],
            "[{e}] only hot leads, highest score first"
        );
        assert_eq!(listed["items"][0]["score"], 95);

        let signals = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}/signals", id(&hot)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(signals["items"].as_array().unwrap().len(), 3);
        let tl = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}/timeline", id(&hot)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            tl["items"][0]["summary"]
                .as_str()
                .unwrap()
                .starts_with("Form submission"),
            "[{e}] {tl}"
        );

        // The organisation's own weights rescore every lead.
        let rules = expect_status(
            app.get(&org, "/api/v1/settings/lead-scoring").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(rules["half_life_days"], 14);
        let mut new_rules = rules.clone();
        new_rules["weights"]["email_open"] = json!(60);
        expect_status(
            app.api(
                &org,
                reqwest::Method::PUT,
                "/api/v1/settings/lead-scoring",
                Some(new_rules),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        let w = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}", id(&warm))).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(w["score"], 80, "[{e}] 60 + 20");
        assert_eq!(w["hot"], true);
        let mut bad_rules = rules.clone();
        bad_rules["half_life_days"] = json!(0);
        let res = app
            .api(
                &org,
                reqwest::Method::PUT,
                "/api/v1/settings/lead-scoring",
                Some(bad_rules),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["half_life_days"]);
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_lead_routes() {
    for app in apps().await {
        let doc = app.openapi().await;
        for path in [
            "/api/v1/pipelines",
            "/api/v1/pipelines/{id}",
            "/api/v1/pipelines/{id}/stages",
            "/api/v1/pipelines/{id}/board",
            "/api/v1/stages/{id}",
            "/api/v1/leads",
            "/api/v1/leads/{id}",
            "/api/v1/leads/{id}/move",
            "/api/v1/leads/{id}/convert",
            "/api/v1/leads/{id}/signals",
            "/api/v1/leads/{id}/history",
            "/api/v1/leads/{id}/timeline",
            "/api/v1/forms",
            "/api/v1/reports/pipeline",
            "/api/v1/settings/lead-scoring",
        ] {
            assert!(
                doc["paths"][path].is_object(),
                "[{}] {path} is documented",
                app.engine
            );
        }
        assert!(doc["components"]["schemas"]["Lead"].is_object());
    }
}

#[tokio::test]
async fn scores_decay_when_the_worker_rescores() {
    use hearth_store::{Raw, work};
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let lead = new_lead(&app, &org, json!({"first_name": "Faded"})).await;
        for kind in ["inbound_call", "quote_viewed", "form_submission"] {
            app.post(
                &org,
                &format!("/api/v1/leads/{}/signals", id(&lead)),
                json!({"kind": kind}),
            )
            .await;
        }
        let path = format!("/api/v1/leads/{}", id(&lead));
        let hot = expect_status(app.get(&org, &path).await, StatusCode::OK, e).await;
        assert_eq!(
            (hot["score"].as_i64(), hot["hot"].as_bool()),
            (Some(75), Some(true))
        );
        // Four weeks pass: two half-lives.
        let lead_id = uuid::Uuid::parse_str(&id(&lead)).unwrap();
        let rescored = app
            .store
            .write(work!(|c| async {
                let weeks_ago = hearth_store::orgs::now() - chrono::Duration::days(28);
                c.execute(&Raw(
                    "UPDATE lead_signals SET at = $1 WHERE lead_id = $2",
                    vec![weeks_ago.into(), lead_id.into()],
                ))
                .await?;
                c.execute(&Raw(
                    "UPDATE leads SET scored_at = $1 WHERE id = $2",
                    vec![weeks_ago.into(), lead_id.into()],
                ))
                .await?;
                hearth_store::leads::signals::rescore_stale(c, 100).await
            }))
            .await
            .unwrap();
        assert_eq!(rescored, 1, "[{e}]");
        let faded = expect_status(app.get(&org, &path).await, StatusCode::OK, e).await;
        assert_eq!(faded["score"], 19, "[{e}] 75 / 4, rounded");
        assert_eq!(faded["hot"], false, "[{e}] no longer hot");
        let again = app
            .store
            .write(work!(|c| hearth_store::leads::signals::rescore_stale(
                c, 100
            )))
            .await
            .unwrap();
        assert_eq!(again, 0, "[{e}] fresh scores are left alone");
    }
}
