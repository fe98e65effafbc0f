//! One organisation never reaches another's leads, pipelines or stages.

use super::{default_pipeline, id, new_lead, stage};
use crate::helpers::*;
use hearth_domain::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn another_org_gets_404_on_every_lead_and_pipeline_route() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let pb = default_pipeline(&app, &b).await;
        let lead = new_lead(
            &app,
            &b,
            json!({"first_name": "Theirs", "phone": "5125550177"}),
        )
        .await;
        let l = format!("/api/v1/leads/{}", id(&lead));
        let p = format!("/api/v1/pipelines/{}", id(&pb));
        let s = format!("/api/v1/stages/{}", stage(&pb, "Quoted"));
        let mine = default_pipeline(&app, &a).await;
        let routes = vec![
            (Method::GET, l.clone(), None),
            (
                Method::PATCH,
                l.clone(),
                Some(json!({"version": 1, "first_name": "Mallory"})),
            ),
            (
                Method::POST,
                format!("{l}/move"),
                Some(json!({"stage_id": stage(&mine, "Quoted")})),
            ),
            (Method::POST, format!("{l}/convert"), Some(json!({}))),
            (
                Method::POST,
                format!("{l}/order"),
                Some(
                    json!({"scheduled_start": "2030-01-01T09:00:00Z", "scheduled_end": "2030-01-01T10:00:00Z"}),
                ),
            ),
            (
                Method::POST,
                format!("{l}/signals"),
                Some(json!({"kind": "chat"})),
            ),
            (Method::GET, format!("{l}/signals"), None),
            (Method::GET, format!("{l}/timeline"), None),
            (Method::GET, format!("{l}/history"), None),
            (Method::DELETE, l.clone(), None),
            (Method::GET, p.clone(), None),
            (Method::GET, format!("{p}/board"), None),
            (
                Method::PATCH,
                p.clone(),
                Some(json!({"version": 1, "name": "Mine now"})),
            ),
            (
                Method::POST,
                format!("{p}/stages"),
                Some(json!({"name": "Injected"})),
            ),
            (
                Method::PATCH,
                s.clone(),
                Some(json!({"version": 1, "name": "Renamed"})),
            ),
            (Method::DELETE, s.clone(), None),
            (Method::DELETE, p.clone(), None),
            (
                Method::GET,
                format!("/api/v1/reports/pipeline?pipeline_id={}", id(&pb)),
                None,
            ),
        ];
        for (method, path, body) in routes {
            let res = app.api(&a, method.clone(), &path, body).await;
            expect_status(res, StatusCode::NOT_FOUND, e).await;
        }
        // Their stage is not a place for our lead, nor their pipeline.
        let ours = new_lead(&app, &a, json!({"first_name": "Ours"})).await;
        let res = app
            .post(
                &a,
                &format!("/api/v1/leads/{}/move", id(&ours)),
                json!({"stage_id": stage(&pb, "Quoted")}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["stage_id"]);
        let res = app
            .post(
                &a,
                "/api/v1/leads",
                json!({"first_name": "X", "pipeline_id": pb["id"]}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["pipeline_id"]);

        let listed = expect_status(
            app.get(&a, "/api/v1/leads?q=theirs").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            listed["items"].as_array().unwrap().is_empty(),
            "[{e}] lists never leak"
        );
        let listed = expect_status(
            app.get(&a, &format!("/api/v1/leads?pipeline_id={}", id(&pb)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(listed["items"].as_array().unwrap().is_empty());
        let pipelines =
            expect_status(app.get(&a, "/api/v1/pipelines").await, StatusCode::OK, e).await;
        assert_eq!(pipelines["items"].as_array().unwrap().len(), 1);

        let still = expect_status(app.get(&b, &l).await, StatusCode::OK, e).await;
        assert_eq!(still, lead, "[{e}] org B's lead is untouched");
        let pstill = expect_status(app.get(&b, &p).await, StatusCode::OK, e).await;
        assert_eq!(pstill, pb, "[{e}] and its pipeline");
    }
}

#[tokio::test]
async fn technicians_see_leads_but_do_not_work_them() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org_with_key_role("acme", Role::Technician).await;
        expect_status(app.get(&org, "/api/v1/leads").await, StatusCode::OK, e).await;
        let res = app
            .post(&org, "/api/v1/leads", json!({"first_name": "X"}))
            .await;
        expect_status(res, StatusCode::FORBIDDEN, e).await;
        let res = app
            .post(&org, "/api/v1/pipelines", json!({"name": "X"}))
            .await;
        expect_status(res, StatusCode::FORBIDDEN, e).await;
        let sales = app.org_with_key_role("sales-co", Role::Sales).await;
        expect_status(
            app.post(&sales, "/api/v1/leads", json!({"first_name": "X"}))
                .await,
            StatusCode::CREATED,
            e,
        )
        .await;
        let res = app
            .post(&sales, "/api/v1/pipelines", json!({"name": "X"}))
            .await;
        expect_status(res, StatusCode::FORBIDDEN, e).await;
    }
}
