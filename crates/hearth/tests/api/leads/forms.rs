//! Web-form capture at /hooks/forms/{key}.

use super::{default_pipeline, id, stage};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn new_form(app: &TestApp, org: &TestOrg, body: Value) -> Value {
    let res = app.post(org, "/api/v1/forms", body).await;
    expect_status(res, StatusCode::CREATED, app.engine).await
}

async fn leads(app: &TestApp, org: &TestOrg) -> Vec<Value> {
    let list = expect_status(
        app.get(org, "/api/v1/leads?limit=200").await,
        StatusCode::OK,
        app.engine,
    )
    .await;
    list["items"].as_array().unwrap().clone()
}

fn hook(app: &TestApp, form: &Value) -> String {
    app.url(&format!(
        "/hooks/forms/{}",
        form["public_key"].as_str().unwrap()
    ))
}

#[tokio::test]
async fn forms_take_json_and_urlencoded_submissions() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let form = new_form(
            &app,
            &org,
            json!({"name": "Contact us", "allowed_origins": ["https://www.acme-hvac.example"]}),
        )
        .await;
        let key = form["public_key"].as_str().unwrap();
        assert!(
            key.starts_with("lf_") && key.len() > 40,
            "[{e}] an unguessable key"
        );
        assert!(
            form["embed_html"]
                .as_str()
                .unwrap()
                .contains(&format!("/hooks/forms/{key}")),
            "[{e}]"
        );
        assert!(
            form["embed_html"]
                .as_str()
                .unwrap()
                .contains("name=\"website\""),
            "[{e}] with the honeypot"
        );
        let listed = expect_status(app.get(&org, "/api/v1/forms").await, StatusCode::OK, e).await;
        assert_eq!(listed["items"][0]["public_key"], key);

        let res = app
            .http
            .post(hook(&app, &form))
            .json(&json!({"name": "Rosa Diaz", "phone": "(512) 555-0199", "message": "AC blowing warm air", "service_type": "Repair", "website": ""}))
            .send()
            .await
            .unwrap();
        let body = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(body["status"], "received");
        let res = app
            .http
            .post(hook(&app, &form))
            .form(&[
                ("first_name", "Sam"),
                ("last_name", "Lee"),
                ("email", "sam@example.com"),
                ("address", "9 Pine St"),
            ])
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::OK, e).await;

        let all = leads(&app, &org).await;
        assert_eq!(all.len(), 2, "[{e}]");
        let p = default_pipeline(&app, &org).await;
        let sam = &all[0];
        assert_eq!(sam["display_name"], "Sam Lee");
        assert_eq!(sam["service_address"], "9 Pine St");
        assert_eq!(sam["source"], "web_form");
        assert_eq!(sam["stage_id"].as_str().unwrap(), stage(&p, "New"));
        let rosa = &all[1];
        assert_eq!(rosa["first_name"], "Rosa");
        assert_eq!(rosa["last_name"], "Diaz");
        assert_eq!(rosa["phone"], "+15125550199");
        assert_eq!(rosa["notes"], "AC blowing warm air\nservice type: Repair");
        assert_eq!(rosa["score"], 25, "[{e}] a form submission is a signal");
        assert_eq!(rosa["score_breakdown"][0]["signal"], "form_submission");

        // A browser posting the embedded form gets a page back.
        let res = app
            .http
            .post(hook(&app, &form))
            .header("accept", "text/html,application/xhtml+xml")
            .form(&[("name", "Lu"), ("phone", "512 555 0111")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("Thank you"));
    }
}

#[tokio::test]
async fn spam_and_bad_payloads_store_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let form = new_form(&app, &org, json!({"name": "Contact"})).await;
        let res = app
            .http
            .post(hook(&app, &form))
            .json(&json!({"name": "Bot", "email": "bot@spam.example", "website": "http://spam.example"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "[{e}] bots are told it worked"
        );
        let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
            (
                app.http
                    .post(hook(&app, &form))
                    .json(&json!({"name": "Ann"})),
                StatusCode::UNPROCESSABLE_ENTITY,
                "email",
            ),
            (
                app.http
                    .post(hook(&app, &form))
                    .json(&json!({"name": "Ann", "email": "not-an-email"})),
                StatusCode::UNPROCESSABLE_ENTITY,
                "email",
            ),
            (
                app.http
                    .post(hook(&app, &form))
                    .form(&[("name", "Ann"), ("phone", "call me")]),
                StatusCode::UNPROCESSABLE_ENTITY,
                "phone",
            ),
            (
                app.http
                    .post(hook(&app, &form))
                    .json(&json!({"name": "Ann", "phone": "5125550100", "tags": ["a"]})),
                StatusCode::UNPROCESSABLE_ENTITY,
                "tags",
            ),
            (
                app.http
                    .post(hook(&app, &form))
                    .json(&json!(["not", "an", "object"])),
                StatusCode::UNPROCESSABLE_ENTITY,
                "body",
            ),
            (
                app.http
                    .post(hook(&app, &form))
                    .header("content-type", "application/json")
                    .body("{nope"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "body",
            ),
            (
                app.http
                    .post(hook(&app, &form))
                    .header("content-type", "text/plain")
                    .body("hello"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "",
            ),
        ];
        for (req, status, field) in cases {
            let res = req.send().await.unwrap();
            let problem = expect_status(res, status, e).await;
            if !field.is_empty() {
                assert_eq!(problem_fields(&problem), [field], "[{e}] {problem}");
            }
        }
        assert!(
            leads(&app, &org).await.is_empty(),
            "[{e}] nothing was stored"
        );

        let res = app
            .http
            .post(app.url("/hooks/forms/lf_nope"))
            .json(&json!({"name": "A", "phone": "5125550100"}))
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::NOT_FOUND, e).await;

        // Retired forms stop taking submissions.
        expect_status(
            app.delete(&org, &format!("/api/v1/forms/{}", id(&form)))
                .await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;
        let res = app
            .http
            .post(hook(&app, &form))
            .json(&json!({"name": "A", "phone": "5125550100"}))
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::NOT_FOUND, e).await;
    }
}

#[tokio::test]
async fn a_form_key_only_ever_creates_leads_in_its_own_org() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let pa = default_pipeline(&app, &a).await;
        let theirs = new_form(&app, &b, json!({"name": "B's form"})).await;
        let res = app
            .http
            .post(hook(&app, &theirs))
            .json(&json!({"name": "Eve", "phone": "5125550123"}))
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::OK, e).await;
        assert!(
            leads(&app, &a).await.is_empty(),
            "[{e}] nothing lands in org A"
        );
        assert_eq!(leads(&app, &b).await.len(), 1, "[{e}]");
        // Org A cannot point its form at org B's pipeline, nor read B's forms.
        let pb = default_pipeline(&app, &b).await;
        let res = app
            .post(
                &a,
                "/api/v1/forms",
                json!({"name": "Sneaky", "pipeline_id": pb["id"]}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["pipeline_id"]);
        let listed = expect_status(app.get(&a, "/api/v1/forms").await, StatusCode::OK, e).await;
        assert!(listed["items"].as_array().unwrap().is_empty());
        expect_status(
            app.delete(&a, &format!("/api/v1/forms/{}", id(&theirs)))
                .await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        let _ = pa;
    }
}

#[tokio::test]
async fn cors_allows_only_the_forms_origins() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let form = new_form(
            &app,
            &org,
            json!({"name": "Contact", "allowed_origins": ["https://WWW.Acme.example/"]}),
        )
        .await;
        assert_eq!(
            form["allowed_origins"],
            json!(["https://www.acme.example"]),
            "[{e}] normalised"
        );
        let preflight = |origin: &str| {
            app.http
                .request(reqwest::Method::OPTIONS, hook(&app, &form))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .send()
        };
        let ok = preflight("https://www.acme.example").await.unwrap();
        assert_eq!(ok.status(), StatusCode::NO_CONTENT, "[{e}]");
        assert_eq!(
            ok.headers()["access-control-allow-origin"],
            "https://www.acme.example"
        );
        assert!(
            ok.headers()["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("POST")
        );
        assert!(
            ok.headers()["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .contains("content-type")
        );
        let refused = preflight("https://evil.example").await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "[{e}]");
        assert!(
            refused
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );

        let res = app
            .http
            .post(hook(&app, &form))
            .header("origin", "https://www.acme.example")
            .json(&json!({"name": "Kim", "email": "kim@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()["access-control-allow-origin"],
            "https://www.acme.example"
        );
        expect_status(res, StatusCode::OK, e).await;
        let res = app
            .http
            .post(hook(&app, &form))
            .header("origin", "https://evil.example")
            .json(&json!({"name": "Mallory", "email": "m@example.com"}))
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::FORBIDDEN, e).await;
        // A refused submission from an allowed origin still carries CORS headers, so the page can read the error.
        let res = app
            .http
            .post(hook(&app, &form))
            .header("origin", "https://www.acme.example")
            .json(&json!({"name": "Kim"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()["access-control-allow-origin"],
            "https://www.acme.example"
        );
        expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(leads(&app, &org).await.len(), 1, "[{e}]");

        let res = app
            .post(
                &org,
                "/api/v1/forms",
                json!({"name": "X", "allowed_origins": ["not an origin"]}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["allowed_origins[0]"]);
    }
}

#[tokio::test]
async fn repeat_submissions_attach_and_known_customers_are_linked() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let form = new_form(&app, &org, json!({"name": "Quote request"})).await;
        let post = |body: Value| app.http.post(hook(&app, &form)).json(&body).send();
        expect_status(
            post(json!({"name": "Rosa Diaz", "email": "rosa@example.com"}))
                .await
                .unwrap(),
            StatusCode::OK,
            e,
        )
        .await;
        expect_status(
            post(json!({"name": "Rosa D.", "email": "ROSA@example.com", "message": "Any update?"}))
                .await
                .unwrap(),
            StatusCode::OK,
            e,
        )
        .await;
        let all = leads(&app, &org).await;
        assert_eq!(all.len(), 1, "[{e}] the repeat attached to the open lead");
        assert_eq!(all[0]["score"], 50, "[{e}] two form submissions");
        assert_eq!(all[0]["score_breakdown"][0]["count"], 2);
        let tl = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}/timeline", id(&all[0])))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            tl["items"][0]["summary"]
                .as_str()
                .unwrap()
                .contains("Any update?"),
            "[{e}] {tl}"
        );

        // A closed lead does not take new submissions: a new lead starts.
        let p = default_pipeline(&app, &org).await;
        app.post(
            &org,
            &format!("/api/v1/leads/{}/move", id(&all[0])),
            json!({"stage_id": stage(&p, "Lost"), "lost_reason": "No budget"}),
        )
        .await;
        expect_status(
            post(json!({"name": "Rosa Diaz", "email": "rosa@example.com"}))
                .await
                .unwrap(),
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(leads(&app, &org).await.len(), 2, "[{e}]");

        // A customer's phone links the new lead to them.
        let grace = app.grace(&org).await;
        expect_status(
            post(json!({"name": "Grace", "phone": "+1 (512) 555-0188"}))
                .await
                .unwrap(),
            StatusCode::OK,
            e,
        )
        .await;
        let linked = expect_status(
            app.get(&org, &format!("/api/v1/leads?customer_id={}", id(&grace)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(linked["items"].as_array().unwrap().len(), 1, "[{e}]");
        let ctl = expect_status(
            app.get(&org, &format!("/api/v1/customers/{}/timeline", id(&grace)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            ctl["items"][0]["summary"]
                .as_str()
                .unwrap()
                .contains("captured by web form"),
            "[{e}] {ctl}"
        );
    }
}

#[tokio::test]
async fn submissions_are_rate_limited_per_form_and_address() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let form = new_form(&app, &org, json!({"name": "Contact"})).await;
        let mut statuses = Vec::new();
        for n in 0..11 {
            let res = app
                .http
                .post(hook(&app, &form))
                .json(&json!({"name": format!("P{n}"), "email": format!("p{n}@example.com")}))
                .send()
                .await
                .unwrap();
            statuses.push(res.status());
        }
        assert!(
            statuses[..10].iter().all(|s| *s == StatusCode::OK),
            "[{e}] {statuses:?}"
        );
        assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS, "[{e}]");
        assert_eq!(leads(&app, &org).await.len(), 10, "[{e}]");
        // Another form has its own allowance.
        let other = new_form(&app, &org, json!({"name": "Other"})).await;
        let res = app
            .http
            .post(hook(&app, &other))
            .json(&json!({"name": "Q", "email": "q@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
    }
}
