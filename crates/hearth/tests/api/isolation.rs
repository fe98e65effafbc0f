use crate::helpers::*;
use hearth_domain::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Every customer route, as (method, path, body) for customer `id`.
fn customer_routes(id: &str) -> Vec<(Method, String, Option<serde_json::Value>)> {
    let p = format!("/api/v1/customers/{id}");
    vec![
        (Method::GET, p.clone(), None),
        (
            Method::PATCH,
            p.clone(),
            Some(json!({"version": 1, "first_name": "Mallory"})),
        ),
        (Method::DELETE, p.clone(), None),
        (Method::POST, format!("{p}/restore"), Some(json!({}))),
        (Method::GET, format!("{p}/timeline"), None),
        (Method::GET, format!("{p}/history"), None),
    ]
}

#[tokio::test]
async fn one_org_can_never_reach_another_orgs_customers() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let theirs = app.grace(&b).await;
        let id = theirs["id"].as_str().unwrap();
        for (method, path, body) in customer_routes(id) {
            let res = app.api(&a, method.clone(), &path, body).await;
            expect_status(res, StatusCode::NOT_FOUND, e).await;
        }
        let list = expect_status(
            app.get(&a, "/api/v1/customers?q=grace").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            list["items"].as_array().unwrap().is_empty(),
            "[{e}] listing never leaks"
        );
        let bin = expect_status(
            app.get(&a, "/api/v1/customers?deleted=true").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(bin["items"].as_array().unwrap().is_empty());
        let still = expect_status(
            app.get(&b, &format!("/api/v1/customers/{id}")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(still, theirs, "[{e}] org B's customer is untouched");
    }
}

#[tokio::test]
async fn nobody_gets_in_without_credentials() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let mut routes = customer_routes(c["id"].as_str().unwrap());
        routes.push((Method::GET, "/api/v1/customers".into(), None));
        routes.push((
            Method::POST,
            "/api/v1/customers".into(),
            Some(json!({"first_name": "X"})),
        ));
        for (method, path, body) in routes {
            for key in [None, Some("hk_not_a_real_key")] {
                let mut req = app.http.request(method.clone(), app.url(&path));
                if let Some(key) = key {
                    req = req.bearer_auth(key);
                }
                if let Some(body) = &body {
                    req = req.json(body);
                }
                let res = req.send().await.unwrap();
                let problem = expect_status(res, StatusCode::UNAUTHORIZED, e).await;
                assert_eq!(problem["status"], 401);
            }
        }
    }
}

#[tokio::test]
async fn technicians_cannot_delete_customers() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org_with_key_role("acme", Role::Technician).await;
        let c = app.grace(&org).await;
        let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
        expect_status(app.delete(&org, &path).await, StatusCode::FORBIDDEN, e).await;
        expect_status(app.get(&org, &path).await, StatusCode::OK, e).await;
    }
}
