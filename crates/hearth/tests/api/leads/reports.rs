//! The pipeline report on a small data set with known dates.

use super::{default_pipeline, id, new_lead, stage};
use crate::helpers::*;
use chrono::{DateTime, Utc};
use hearth_store::{Raw, work};
use reqwest::StatusCode;
use serde_json::json;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{s}T12:00:00Z"))
        .unwrap()
        .with_timezone(&Utc)
}

/// Rewrites a lead's dates as if it had been created on `created` and left
/// its first stage on `left` (and was won or lost then, if it was).
async fn backdate(app: &TestApp, lead: &str, created: &str, left: &str) {
    let lead = uuid::Uuid::parse_str(lead).unwrap();
    let (created, left) = (at(created), at(left));
    app.store
        .write(work!(|c| async {
            for sql in [
                "UPDATE leads SET created_at = $1 WHERE id = $2",
                "UPDATE leads SET won_at = $1 WHERE id = $2 AND won_at IS NOT NULL",
                "UPDATE leads SET lost_at = $1 WHERE id = $2 AND lost_at IS NOT NULL",
            ] {
                let when = if sql.contains("created_at") { created } else { left };
                c.execute(&Raw(sql, vec![when.into(), lead.into()])).await?;
            }
            c.execute(&Raw(
                "UPDATE lead_stage_changes SET from_entered_at = $1, at = $2 WHERE lead_id = $3 AND from_stage_id IS NOT NULL",
                vec![created.into(), left.into(), lead.into()],
            ))
            .await
        }))
        .await
        .unwrap();
}

#[tokio::test]
async fn report_numbers_on_a_known_data_set() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = default_pipeline(&app, &org).await;
        let lead = |name: &str, source: &str, value: i64, currency: &str| {
            new_lead(
                &app,
                &org,
                json!({"first_name": name, "source": source, "value_minor": value, "currency": currency}),
            )
        };
        let a = id(&lead("A", "web_form", 100_000, "USD").await);
        let b = id(&lead("B", "web_form", 50_000, "USD").await);
        let c = id(&lead("C", "referral", 200_000, "USD").await);
        let d = id(&lead("D", "manual", 30_000, "USD").await);
        let ee = id(&lead("E", "manual", 10_000, "EUR").await);
        let f = id(&lead("F", "referral", 0, "USD").await);
        let mv = |lead: &str, stage_name: &str, reason: Option<&str>| {
            let path = format!("/api/v1/leads/{lead}/move");
            let mut body = json!({"stage_id": stage(&p, stage_name)});
            if let Some(r) = reason {
                body["lost_reason"] = json!(r);
            }
            let app = &app;
            let org = &org;
            async move {
                expect_status(app.post(org, &path, body).await, StatusCode::OK, app.engine).await
            }
        };
        mv(&a, "Won", None).await;
        mv(&b, "Lost", Some("Price")).await;
        mv(&c, "Won", None).await;
        mv(&d, "Lost", Some("price ")).await;
        mv(&f, "Contacted", None).await;
        backdate(&app, &a, "2026-01-05", "2026-01-15").await;
        backdate(&app, &b, "2026-01-05", "2026-01-20").await;
        backdate(&app, &c, "2026-01-05", "2026-02-10").await;
        backdate(&app, &d, "2026-01-05", "2026-02-01").await;
        backdate(&app, &ee, "2026-01-05", "2026-01-05").await;
        backdate(&app, &f, "2026-01-05", "2026-01-10").await;

        let report = expect_status(
            app.get(
                &org,
                &format!(
                    "/api/v1/reports/pipeline?pipeline_id={}&from=2026-01-01&to=2026-03-31",
                    id(&p)
                ),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        let stages: Vec<(String, i64, serde_json::Value)> = report["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap().to_string(),
                    s["count"].as_i64().unwrap(),
                    s["value"].clone(),
                )
            })
            .collect();
        assert_eq!(
            stages,
            vec![
                ("New".to_string(), 1, json!({"EUR": 10000})),
                ("Contacted".to_string(), 1, json!({"USD": 0})),
                ("Quoted".to_string(), 0, json!({})),
                ("Follow-up".to_string(), 0, json!({})),
                ("Won".to_string(), 2, json!({"USD": 300000})),
                ("Lost".to_string(), 2, json!({"USD": 80000})),
            ],
            "[{e}]"
        );
        assert_eq!(report["won"], 2);
        assert_eq!(report["lost"], 2);
        assert_eq!(report["win_rate"], 0.5, "[{e}]");
        assert_eq!(
            report["lost_reasons"],
            json!([{"reason": "Price", "count": 2}]),
            "[{e}] spellings grouped"
        );
        assert_eq!(
            report["by_source"],
            json!([
                {"source": "manual", "leads": 2, "won": 0, "conversion_rate": 0.0},
                {"source": "referral", "leads": 2, "won": 1, "conversion_rate": 0.5},
                {"source": "web_form", "leads": 2, "won": 1, "conversion_rate": 0.5},
            ]),
            "[{e}]"
        );
        assert_eq!(
            report["won_by_month"],
            json!([
                {"month": "2026-01", "count": 1, "value": {"USD": 100000}},
                {"month": "2026-02", "count": 1, "value": {"USD": 200000}},
            ]),
            "[{e}]"
        );
        let new = &report["stages"][0];
        assert_eq!(new["stays"], 5, "[{e}] five leads left New");
        assert_eq!(
            new["average_days"], 18.6,
            "[{e}] (10 + 15 + 36 + 27 + 5) / 5"
        );
        assert!(report["stages"][1]["average_days"].is_null());

        // A later period: nothing created in it, one won and one lost.
        let feb = expect_status(
            app.get(&org, "/api/v1/reports/pipeline?from=2026-02-01")
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(feb["pipeline_id"], p["id"], "[{e}] the default pipeline");
        assert!(
            feb["stages"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["count"] == 0),
            "[{e}]"
        );
        assert_eq!(
            (feb["won"].as_i64(), feb["lost"].as_i64()),
            (Some(1), Some(1))
        );
        assert_eq!(feb["won_by_month"].as_array().unwrap().len(), 1);
        assert_eq!(
            feb["stages"][0]["stays"], 2,
            "[{e}] C and D left New in February"
        );

        let bad = app
            .get(
                &org,
                "/api/v1/reports/pipeline?from=2026-02-01&to=2026-01-01",
            )
            .await;
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["to"]);
    }
}
