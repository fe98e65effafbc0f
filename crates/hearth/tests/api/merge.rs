//! Merging two customers and undoing it: nothing of either is lost.

mod pages;
mod preview;

use crate::billing::line;
use crate::helpers::{TestApp, TestOrg, apps, created, expect_status, id, problem_fields};
use crate::jobs::{book, site, tune_up};
use hearth_store::{Raw, work};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Every table with a `customer_id` column, read from the schema so a new
/// table is counted without editing this test. The search index is
/// derived data (rebuilt by a merge) and the audit log is append-only
/// (it stays under the merged-away id); both are checked separately.
async fn customer_tables(app: &TestApp) -> Vec<String> {
    let sql = if app.engine == "sqlite" {
        "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND p.name = 'customer_id' ORDER BY m.name"
    } else {
        "SELECT table_name::text FROM information_schema.columns \
         WHERE column_name = 'customer_id' AND table_schema = current_schema() ORDER BY 1"
    };
    let tables = app
        .store
        .read(work!(|c| c.query(&Raw(sql, vec![]), |r| r.get::<String>(0))))
        .await
        .unwrap();
    // Derived per customer, rebuilt rather than moved: search and segment facts.
    tables
        .into_iter()
        .filter(|t| !t.starts_with("search_") && t != "audit_log" && t != "customer_facts")
        .collect()
}

/// Rows per table that belong to `customer`.
async fn counts(app: &TestApp, customer: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    let id = uuid::Uuid::parse_str(customer).unwrap();
    for table in customer_tables(app).await {
        // Table names come from the schema itself.
        let sql: &'static str = Box::leak(
            format!("SELECT COUNT(*) FROM {table} WHERE customer_id = $1").into_boxed_str(),
        );
        let n = app
            .store
            .read(work!(
                |c| c.query_one(&Raw(sql, vec![id.into()]), |r| r.get::<i64>(0))
            ))
            .await
            .unwrap();
        out.insert(table, n);
    }
    out
}

async fn audit_rows(app: &TestApp, customer: &str) -> i64 {
    let id = uuid::Uuid::parse_str(customer).unwrap();
    app.store
        .read(work!(|c| c.query_one(
            &Raw(
                "SELECT COUNT(*) FROM audit_log WHERE customer_id = $1",
                vec![id.into()]
            ),
            |r| r.get::<i64>(0)
        )))
        .await
        .unwrap()
}

/// A customer with something in every kind of child record.
async fn busy_customer(app: &TestApp, org: &TestOrg) -> String {
    let s = site(app, org, "acme").await;
    let c = s.customer.clone();
    book(app, org, tune_up(&s)).await;
    for tag in ["VIP", "Boiler"] {
        created(app, org, "/api/v1/tags", json!({"name": tag})).await;
    }
    for (path, body) in [
        (
            format!("/api/v1/customers/{c}/notes"),
            json!({"body": "Dog in the yard"}),
        ),
        (
            format!("/api/v1/customers/{c}/tags"),
            json!({"name": "VIP"}),
        ),
        (
            format!("/api/v1/customers/{c}/tags"),
            json!({"name": "Boiler"}),
        ),
        (
            format!("/api/v1/customers/{c}/contacts"),
            json!({"name": "Jane Roe"}),
        ),
        (
            "/api/v1/communications/calls".to_string(),
            json!({"customer_id": c, "direction": "out", "duration_seconds": 60, "outcome": "spoke"}),
        ),
        (
            "/api/v1/tasks".to_string(),
            json!({"title": "Call back", "customer_id": c}),
        ),
        (
            "/api/v1/tickets".to_string(),
            json!({"customer_id": c, "subject": "Noise", "body": "Rattles"}),
        ),
        (
            "/api/v1/invoices".to_string(),
            json!({"customer_id": c, "lines": [line("Repair", 9_999)]}),
        ),
        (
            "/api/v1/quotes".to_string(),
            json!({"customer_id": c, "lines": [line("Boiler", 100_000)]}),
        ),
    ] {
        let res = app.post(org, &path, body).await;
        assert!(
            res.status().is_success(),
            "[{}] {path}: {}",
            app.engine,
            res.text().await.unwrap_or_default()
        );
    }
    c
}

#[tokio::test]
async fn merge_moves_everything_redirects_and_undo_restores_it() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        // A: Grace with a whole history, phone (512) 555-0188.
        let a = busy_customer(&app, &org).await;
        // B: the same person entered again, another phone, one shared tag.
        let b = id(&app
            .customer(
                &org,
                json!({"first_name": "Grace", "last_name": "Hoper", "phone": "(512) 555-0999", "email": "grace@navy.example.com"}),
            )
            .await);
        created(
            &app,
            &org,
            &format!("/api/v1/customers/{b}/tags"),
            json!({"name": "VIP"}),
        )
        .await;
        created(
            &app,
            &org,
            &format!("/api/v1/customers/{b}/addresses"),
            json!({"line1": "1 Elm St", "city": "Austin"}),
        )
        .await;

        let before_a = counts(&app, &a).await;
        let before_b = counts(&app, &b).await;
        let audit_a = audit_rows(&app, &a).await;
        assert!(before_a.values().all(|n| *n >= 0));
        for table in [
            "jobs",
            "notes",
            "invoices",
            "quotes",
            "communications",
            "tickets",
            "tasks",
            "addresses",
            "equipment",
            "customer_contacts",
            "events",
            "customer_tags",
        ] {
            assert!(before_a[table] > 0, "[{e}] the fixture has no {table}");
        }

        // Preview changes nothing and says what would move.
        let keep = json!({"last_name": "other"});
        let preview = expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{b}/merge/preview"),
                json!({"other_id": a, "keep": keep}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(preview["result"]["last_name"], "Hopper", "[{e}]");
        assert_eq!(preview["moves"]["jobs"], before_a["jobs"], "[{e}]");
        assert_eq!(
            counts(&app, &a).await,
            before_a,
            "[{e}] preview changed data"
        );

        // Bad choices: named field, nothing changed.
        let res = app
            .post(
                &org,
                &format!("/api/v1/customers/{b}/merge"),
                json!({"other_id": a, "keep": {"shoe": "this"}}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), vec!["keep.shoe"], "[{e}]");
        let res = app
            .post(
                &org,
                &format!("/api/v1/customers/{b}/merge"),
                json!({"other_id": b}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), vec!["other_id"], "[{e}]");

        // Merge A into B.
        let res = app
            .post(
                &org,
                &format!("/api/v1/customers/{b}/merge"),
                json!({"other_id": a, "keep": keep}),
            )
            .await;
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let merge = expect_status(res, StatusCode::CREATED, e).await;
        let merge_id = id(&merge);
        assert_eq!(location, format!("/api/v1/merges/{merge_id}"));
        assert_eq!(merge["kept_id"], b.as_str());
        assert_eq!(merge["merged_id"], a.as_str());
        assert_eq!(merge["moved"]["jobs"], before_a["jobs"], "[{e}]");

        let after_a = counts(&app, &a).await;
        let after_b = counts(&app, &b).await;
        for (table, n) in &before_a {
            match table.as_str() {
                // One merge entry on each timeline.
                "events" => {
                    assert_eq!(after_a[table], 1, "[{e}] {table}");
                    assert_eq!(after_b[table], before_b[table] + n + 1, "[{e}] {table}");
                }
                // The shared tag stays on A (B has it already); the rest moves.
                "customer_tags" => {
                    assert_eq!(after_a[table], 1, "[{e}] {table}");
                    assert_eq!(after_b[table], 2, "[{e}] {table}");
                }
                // A de-duplication log of provider deliveries: it keeps whom
                // a message was matched to at the time.
                "inbound_receipts" => {
                    assert_eq!(after_a[table], *n, "[{e}] {table}");
                    assert_eq!(after_b[table], before_b[table], "[{e}] {table}");
                }
                _ => {
                    assert_eq!(after_a[table], 0, "[{e}] {table} left on A");
                    assert_eq!(after_b[table], before_b[table] + n, "[{e}] {table} lost");
                }
            }
        }
        assert!(
            audit_rows(&app, &a).await > audit_a,
            "[{e}] A's audit log is kept"
        );

        // B took A's last name as chosen; A's id redirects to B.
        let kept = expect_status(
            app.get(&org, &format!("/api/v1/customers/{b}")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(kept["last_name"], "Hopper", "[{e}]");
        assert_eq!(kept["phone"], "+15125550999", "[{e}]");
        let res = app.get(&org, &format!("/api/v1/customers/{a}")).await;
        assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT, "[{e}]");
        assert_eq!(
            res.headers()["location"],
            format!("/api/v1/customers/{b}").as_str()
        );
        // A's phone finds B by caller ID and by search.
        let callers = expect_status(
            app.http
                .get(app.url("/api/v1/lookup/phone"))
                .query(&[("number", "512-555-0188")])
                .bearer_auth(&org.key)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            callers["items"][0]["customer_id"],
            b.as_str(),
            "[{e}] {callers}"
        );
        let found = expect_status(
            app.get(&org, "/api/v1/search?q=5125550188").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            found["items"][0]["customer_id"],
            b.as_str(),
            "[{e}] {found}"
        );
        // The merge is on both timelines and can be inspected.
        let timeline = expect_status(
            app.get(
                &org,
                &format!("/api/v1/customers/{b}/timeline?kind=profile"),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(timeline["items"][0]["action"], "customer.merged", "[{e}]");
        let merges = expect_status(
            app.get(&org, &format!("/api/v1/customers/{a}/merges"))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(merges["items"][0]["id"], merge_id.as_str(), "[{e}]");
        // A merged-away customer cannot be restored from the bin.
        let res = app
            .post(&org, &format!("/api/v1/customers/{a}/restore"), json!({}))
            .await;
        expect_status(res, StatusCode::CONFLICT, e).await;

        // Undo: both records and every moved row come back.
        let undone = expect_status(
            app.post(&org, &format!("/api/v1/merges/{merge_id}/undo"), json!({}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(undone["undone_at"].is_string(), "[{e}]");
        let undo_a = counts(&app, &a).await;
        let undo_b = counts(&app, &b).await;
        for table in before_a.keys() {
            let extra = if table == "events" { 2 } else { 0 };
            assert_eq!(undo_a[table], before_a[table] + extra, "[{e}] {table} on A");
            assert_eq!(undo_b[table], before_b[table] + extra, "[{e}] {table} on B");
        }
        let restored = expect_status(
            app.get(&org, &format!("/api/v1/customers/{a}")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(restored["phone"], "+15125550188", "[{e}]");
        let kept = expect_status(
            app.get(&org, &format!("/api/v1/customers/{b}")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(kept["last_name"], "Hoper", "[{e}]");
        // Twice is refused.
        let res = app
            .post(&org, &format!("/api/v1/merges/{merge_id}/undo"), json!({}))
            .await;
        expect_status(res, StatusCode::CONFLICT, e).await;
    }
}

#[tokio::test]
async fn undo_is_refused_when_the_kept_customer_was_merged_away_since() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let mut ids = Vec::new();
        for name in ["Ann", "Anne", "Annie"] {
            ids.push(id(&app
                .customer(&org, json!({"first_name": name, "last_name": "Lee"}))
                .await));
        }
        let first: Value = expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{}/merge", ids[1]),
                json!({"other_id": ids[0]}),
            )
            .await,
            StatusCode::CREATED,
            e,
        )
        .await;
        expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{}/merge", ids[2]),
                json!({"other_id": ids[1]}),
            )
            .await,
            StatusCode::CREATED,
            e,
        )
        .await;
        // The first id now redirects through the chain to the last record.
        let res = app
            .get(&org, &format!("/api/v1/customers/{}", ids[0]))
            .await;
        assert_eq!(
            res.headers()["location"],
            format!("/api/v1/customers/{}", ids[2]).as_str()
        );
        let res = app
            .post(
                &org,
                &format!("/api/v1/merges/{}/undo", id(&first)),
                json!({}),
            )
            .await;
        let problem = expect_status(res, StatusCode::CONFLICT, e).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("undo that merge first"),
            "[{e}] {problem}"
        );
    }
}

#[tokio::test]
async fn merges_stay_inside_their_organisation() {
    for app in apps().await {
        let e = app.engine;
        let acme = app.org("acme").await;
        let other = app.org("other").await;
        let a = id(&app.grace(&acme).await);
        let b = id(&app
            .customer(&acme, json!({"first_name": "Grace", "last_name": "H"}))
            .await);
        let theirs = id(&app.grace(&other).await);

        // Someone else's customer cannot be merged in, nor merged into.
        let res = app
            .post(
                &acme,
                &format!("/api/v1/customers/{a}/merge"),
                json!({"other_id": theirs}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), vec!["other_id"], "[{e}]");
        let res = app
            .post(
                &other,
                &format!("/api/v1/customers/{a}/merge"),
                json!({"other_id": theirs}),
            )
            .await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;

        let merge = id(&expect_status(
            app.post(
                &acme,
                &format!("/api/v1/customers/{a}/merge"),
                json!({"other_id": b}),
            )
            .await,
            StatusCode::CREATED,
            e,
        )
        .await);
        for res in [
            app.get(&other, &format!("/api/v1/merges/{merge}")).await,
            app.post(&other, &format!("/api/v1/merges/{merge}/undo"), json!({}))
                .await,
            app.get(&other, &format!("/api/v1/customers/{b}")).await,
            app.get(&other, &format!("/api/v1/customers/{a}/merges"))
                .await,
        ] {
            expect_status(res, StatusCode::NOT_FOUND, e).await;
        }
        expect_status(
            app.get(&acme, &format!("/api/v1/merges/{merge}")).await,
            StatusCode::OK,
            e,
        )
        .await;
    }
}
