//! The duplicate check on leads: creating one by hand (API and form) and
//! converting one into a customer warn about look-alikes, or are refused
//! when the organisation blocks duplicates.

use crate::helpers::{
    Staff, TestApp, TestOrg, apps, created, expect_status, id, ok, problem_fields,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn block_duplicates(app: &TestApp, org: &TestOrg) {
    let res = app
        .api(
            org,
            Method::PUT,
            "/api/v1/duplicates/settings",
            Some(json!({"on_create": "block"})),
        )
        .await;
    expect_status(res, StatusCode::OK, app.engine).await;
}

async fn lead_count(app: &TestApp, org: &TestOrg) -> usize {
    ok(app, org, "/api/v1/leads?limit=200").await["items"]
        .as_array()
        .map_or(0, Vec::len)
}

fn kinds(candidate: &Value) -> Vec<&str> {
    candidate["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_look_alike_lead_is_warned_about_or_blocked_by_the_org_setting() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
        let alan = created(
            &app,
            &org,
            "/api/v1/leads",
            json!({"first_name": "Alan", "last_name": "Turing", "email": "alan@example.com"}),
        )
        .await;
        assert_eq!(
            alan["duplicates"],
            json!({"customers": [], "leads": []}),
            "[{e}]"
        );

        // A lead with a customer's phone: created, naming the customer.
        let g = created(
            &app,
            &org,
            "/api/v1/leads",
            json!({"first_name": "Grace", "last_name": "Hopper", "phone": "512 555 0188"}),
        )
        .await;
        let found = &g["duplicates"]["customers"][0];
        assert_eq!(found["customer_id"], grace.as_str(), "[{e}] {g}");
        assert!(kinds(found).contains(&"same_phone"), "[{e}]");
        // A lead with an open lead's email: naming the lead.
        let again = created(
            &app,
            &org,
            "/api/v1/leads",
            json!({"first_name": "Alan", "last_name": "Turing", "email": "ALAN@example.com"}),
        )
        .await;
        let found = &again["duplicates"]["leads"][0];
        assert_eq!(found["lead_id"], alan["id"], "[{e}] {again}");
        assert_eq!(kinds(found), ["same_email", "similar_name"], "[{e}]");

        // Blocked: 409 listing them, nothing created; bad input is still 422.
        block_duplicates(&app, &org).await;
        let before = lead_count(&app, &org).await;
        let twin =
            json!({"first_name": "Alan", "last_name": "Turing", "email": "alan@example.com"});
        let res = app.post(&org, "/api/v1/leads", twin.clone()).await;
        let problem = expect_status(res, StatusCode::CONFLICT, e).await;
        let leads = problem["duplicates"]["leads"].as_array().unwrap();
        assert_eq!(leads.len(), 2, "[{e}] {problem}");
        assert_eq!(lead_count(&app, &org).await, before, "[{e}]");
        let res = app
            .post(
                &org,
                "/api/v1/leads",
                json!({"first_name": "Alan", "email": "alan@example.com", "phone": "not a phone"}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["phone"], "[{e}]");
        // Insisting creates it.
        let res = app
            .post(&org, "/api/v1/leads?allow_duplicate=true", twin)
            .await;
        expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(lead_count(&app, &org).await, before + 1, "[{e}]");

        // The lead form: the look-alikes and a "create anyway" box, then
        // the new lead's card names them.
        let staff = Staff::sign_in(&app, &org).await;
        let form = [
            ("first_name", "Alan"),
            ("last_name", "Turing"),
            ("email", "alan@example.com"),
        ];
        let (status, _, body) = staff.post("/leads", &form).await;
        assert_eq!(status, StatusCode::CONFLICT, "[{e}]");
        assert!(body.contains(&format!("/leads/{}", id(&alan))), "[{e}]");
        assert!(body.contains(r#"name="allow_duplicate""#), "[{e}]");
        assert_eq!(lead_count(&app, &org).await, before + 1, "[{e}]");
        let mut anyway = form.to_vec();
        anyway.push(("allow_duplicate", "true"));
        let (status, location, _) = staff.post("/leads", &anyway).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let card = staff.page(&location, StatusCode::OK).await;
        assert!(
            card.contains("Looks like") && card.contains(&format!("/leads/{}", id(&alan))),
            "[{e}]"
        );

        // The customer form works the same way.
        let typed = [
            ("first_name", "Grace"),
            ("last_name", "Hopper"),
            ("phone", "(512) 555-0188"),
        ];
        let (status, _, body) = staff.post("/customers", &typed).await;
        assert_eq!(status, StatusCode::CONFLICT, "[{e}]");
        assert!(body.contains(&format!("/customers/{grace}")), "[{e}]");
        let mut anyway = typed.to_vec();
        anyway.push(("allow_duplicate", "true"));
        let (status, location, _) = staff.post("/customers", &anyway).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let look_alikes = staff
            .page(&format!("{location}/look-alikes"), StatusCode::OK)
            .await;
        assert!(look_alikes.contains("Possible duplicates"), "[{e}]");
    }
}

#[tokio::test]
async fn converting_a_lead_says_which_customer_it_became_and_checks_for_look_alikes() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = id(&app.grace(&org).await);
        let convert =
            |lead: &Value, query: &str| format!("/api/v1/leads/{}/convert{query}", id(lead));

        // The customer with the lead's phone: matched, then linked.
        let by_phone = created(
            &app,
            &org,
            "/api/v1/leads",
            json!({"first_name": "G.", "phone": "+1 512 555 0188"}),
        )
        .await;
        let done = expect_status(
            app.post(&org, &convert(&by_phone, ""), json!({})).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(done["outcome"], "matched", "[{e}] {done}");
        assert_eq!(done["customer_id"], grace.as_str(), "[{e}]");
        let again = expect_status(
            app.post(&org, &convert(&by_phone, ""), json!({})).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(again["outcome"], "linked", "[{e}]");

        // The same name but nothing exact: a new customer, with a warning.
        let namesake =
            |email: &str| json!({"first_name": "Grace", "last_name": "Hopper", "email": email});
        let first = created(&app, &org, "/api/v1/leads", namesake("gh@example.org")).await;
        let second = created(&app, &org, "/api/v1/leads", namesake("grace.h@example.net")).await;
        let done = expect_status(
            app.post(&org, &convert(&first, ""), json!({})).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(done["outcome"], "created", "[{e}] {done}");
        assert_eq!(
            done["duplicates"][0]["customer_id"],
            grace.as_str(),
            "[{e}]"
        );

        // Blocked: 409 naming the look-alikes; the lead stays as it was.
        block_duplicates(&app, &org).await;
        let customers = ok(&app, &org, "/api/v1/customers").await["items"]
            .as_array()
            .map_or(0, Vec::len);
        let res = app.post(&org, &convert(&second, ""), json!({})).await;
        let problem = expect_status(res, StatusCode::CONFLICT, e).await;
        assert!(
            problem["duplicates"].as_array().unwrap().len() >= 2,
            "[{e}] {problem}"
        );
        let lead = ok(&app, &org, &format!("/api/v1/leads/{}", id(&second))).await;
        assert!(
            lead["customer_id"].is_null() && lead["won_at"].is_null(),
            "[{e}]"
        );
        let after = ok(&app, &org, "/api/v1/customers").await["items"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(after, customers, "[{e}]");
        // The lead's card explains it and offers to convert anyway.
        let staff = Staff::sign_in(&app, &org).await;
        let (status, _, body) = staff
            .post(&format!("/leads/{}/convert", id(&second)), &[])
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{e}]");
        assert!(body.contains("blocks duplicates"), "[{e}]");
        let (status, location, _) = staff
            .post(
                &format!("/leads/{}/convert", id(&second)),
                &[("allow_duplicate", "true")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        assert!(location.starts_with("/customers/"), "[{e}]");
    }
}
