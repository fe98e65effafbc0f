//! The authorisation matrix: a signed-in customer reaches their own
//! records through every portal route, and another customer's — of the
//! same organisation or another — through none (404, nothing changed).

use super::*;
use reqwest::Method;

/// Ids of one customer's records that portal routes name.
struct Records {
    invoice: String,
    job: String,
    photo: String,
    membership: String,
}

async fn records(app: &TestApp, org: &TestOrg, home: &Household, plan: &str) -> Records {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let photo = app
        .http
        .post(app.url(&format!("/api/v1/jobs/{}/photos", home.job)))
        .bearer_auth(&org.key)
        .header("content-type", "image/png")
        .body(png)
        .send()
        .await
        .unwrap();
    let photo = id(&expect_status(photo, StatusCode::CREATED, app.engine).await);
    let membership = id(&created(
        app,
        org,
        "/api/v1/memberships",
        json!({"customer_id": home.customer, "plan_id": plan}),
    )
    .await);
    Records {
        invoice: home.invoice.clone(),
        job: home.job.clone(),
        photo,
        membership,
    }
}

async fn plan(app: &TestApp, org: &TestOrg) -> String {
    id(&created(
        app,
        org,
        "/api/v1/membership-plans",
        json!({"name": "Comfort Club", "price_minor": 1900, "interval": "month", "included_visits": 2}),
    )
    .await)
}

/// Every portal route that names a record, as (method, path, is_api).
fn routes(r: &Records) -> Vec<(Method, String, bool)> {
    vec![
        (
            Method::GET,
            format!("/portal/invoices/{}", r.invoice),
            false,
        ),
        (
            Method::POST,
            format!("/portal/invoices/{}/pay", r.invoice),
            false,
        ),
        (Method::GET, format!("/portal/jobs/{}", r.job), false),
        (
            Method::GET,
            format!("/portal/jobs/{}/photos/{}", r.job, r.photo),
            false,
        ),
        (
            Method::POST,
            format!("/portal/membership/{}/pause", r.membership),
            false,
        ),
        (
            Method::POST,
            format!("/portal/membership/{}/cancel", r.membership),
            false,
        ),
        (
            Method::GET,
            format!("/portal/api/invoices/{}", r.invoice),
            true,
        ),
        (
            Method::POST,
            format!("/portal/api/invoices/{}/pay", r.invoice),
            true,
        ),
        (Method::GET, format!("/portal/api/jobs/{}", r.job), true),
        (
            Method::POST,
            format!("/portal/api/memberships/{}/pause", r.membership),
            true,
        ),
        (
            Method::POST,
            format!("/portal/api/memberships/{}/cancel", r.membership),
            true,
        ),
    ]
}

async fn call(portal: &Portal<'_>, method: &Method, path: &str, is_api: bool) -> StatusCode {
    if is_api {
        portal.api(method.clone(), path, None).await.status()
    } else if *method == Method::GET {
        portal.get(path).await.0
    } else {
        portal.post(path, &[]).await.0
    }
}

#[tokio::test]
async fn a_customer_reaches_only_their_own_records_through_every_portal_route() {
    for app in apps().await {
        let e = app.engine;
        let acme = app.org("acme").await;
        let other = app.org("other").await;
        let mail = Mailroom::start(&app).await;
        let (acme_plan, other_plan) = (plan(&app, &acme).await, plan(&app, &other).await);
        let a = household(&app, &acme, "Ada").await;
        let b = household(&app, &acme, "Bea").await;
        let c = household(&app, &other, "Cal").await;
        let mine = records(&app, &acme, &a, &acme_plan).await;
        let neighbour = records(&app, &acme, &b, &acme_plan).await;
        let stranger = records(&app, &other, &c, &other_plan).await;
        let portal = sign_in(&app, &mail, "acme", &a.email, 1).await;

        for (theirs, whose) in [(&neighbour, "same org"), (&stranger, "other org")] {
            for (method, path, is_api) in routes(theirs) {
                let status = call(&portal, &method, &path, is_api).await;
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "[{e}] {whose}: {method} {path}"
                );
            }
        }
        // Nothing of theirs changed.
        for (org, m) in [
            (&acme, &neighbour.membership),
            (&other, &stranger.membership),
        ] {
            let read = ok(&app, org, &format!("/api/v1/memberships/{m}")).await;
            assert_eq!(read["status"], "active", "[{e}]");
        }

        // Lists hold only the customer's own records.
        for path in [
            "/portal/api/invoices",
            "/portal/api/jobs",
            "/portal/api/memberships",
        ] {
            let res = portal.api(Method::GET, path, None).await;
            let list = expect_status(res, StatusCode::OK, e).await;
            let ids: Vec<&str> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap())
                .collect();
            assert_eq!(ids.len(), 1, "[{e}] {path}: {list}");
            assert!(
                [&mine.invoice, &mine.job, &mine.membership]
                    .iter()
                    .any(|m| m.as_str() == ids[0]),
                "[{e}] {path}"
            );
        }
        let equipment = portal.api(Method::GET, "/portal/api/equipment", None).await;
        let equipment = expect_status(equipment, StatusCode::OK, e).await;
        assert_eq!(equipment["items"].as_array().unwrap().len(), 1, "[{e}]");
        let me = expect_status(
            portal.api(Method::GET, "/portal/api/me", None).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(me["id"], a.customer.as_str(), "[{e}]");

        // Service at someone else's address is refused and books nothing.
        let slots = portal.api(Method::GET, "/portal/api/slots", None).await;
        let slots = expect_status(slots, StatusCode::OK, e).await;
        let slot = slots["items"][0]["start"].clone();
        for address in [&b.address, &c.address] {
            let res = portal
                .api(
                    Method::POST,
                    "/portal/api/service-requests",
                    Some(json!({"slot": slot, "service_type": "Leak", "address_id": address})),
                )
                .await;
            let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
            assert_eq!(problem_fields(&problem), ["address_id"], "[{e}]");
        }

        // The same routes find the customer's own records (a pause twice
        // or a cancel the business does not allow is refused, not hidden).
        for (method, path, is_api) in routes(&mine) {
            let status = call(&portal, &method, &path, is_api).await;
            let found = !matches!(
                status,
                StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
            ) && !status.is_server_error();
            assert!(found, "[{e}] own: {method} {path} → {status}");
        }
    }
}
