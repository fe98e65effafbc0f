//! The board, lead card, settings and report pages, signed in as staff.

use super::{default_pipeline, id, new_lead, stage};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_board_shows_columns_and_moves_cards_without_script() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let p = default_pipeline(&app, &org).await;
        let pid = id(&p);
        let dana = new_lead(
            &app,
            &org,
            json!({"first_name": "Dana", "value_minor": 125000, "source": "referral"}),
        )
        .await;
        let eli = new_lead(
            &app,
            &org,
            json!({"first_name": "Eli", "value_minor": 5000}),
        )
        .await;
        for kind in ["inbound_call", "quote_viewed", "form_submission"] {
            app.post(
                &org,
                &format!("/api/v1/leads/{}/signals", id(&eli)),
                json!({"kind": kind}),
            )
            .await;
        }
        let b = Staff::sign_in(&app, &org).await;
        let html = b.page("/pipeline", StatusCode::OK).await;
        for text in [
            "New",
            "Contacted",
            "Follow-up",
            "Dana",
            "Eli",
            "$1,250.00",
            "$1,300.00",
            "Referral",
            ">Hot<",
            "/static/kanban.js",
            "data-csrf=",
        ] {
            assert!(html.contains(text), "[{e}] the board shows {text:?}");
        }
        assert!(
            html.contains(&format!("action=\"/leads/{}/move\"", id(&dana))),
            "[{e}] a move form per card"
        );
        let hot = b
            .page(
                &format!("/pipeline/{pid}?hot=true&owner=&source="),
                StatusCode::OK,
            )
            .await;
        assert!(
            hot.contains("Eli") && !hot.contains("Dana"),
            "[{e}] the hot filter"
        );
        let js = app
            .http
            .get(app.url("/static/kanban.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(js.status(), StatusCode::OK);
        assert!(
            js.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        assert!(js.text().await.unwrap().contains("x-csrf-token"));

        // The keyboard path: the card's form.
        let back = format!("/pipeline/{pid}");
        let (status, location, _) = b
            .post(
                &format!("/leads/{}/move", id(&dana)),
                &[("stage_id", &stage(&p, "Quoted")), ("return_to", &back)],
            )
            .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, back.as_str()),
            "[{e}]"
        );
        let moved = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}", id(&dana))).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(moved["stage_id"].as_str().unwrap(), stage(&p, "Quoted"));

        // A lost stage asks why first.
        let (status, _, page) = b
            .post(
                &format!("/leads/{}/move", id(&dana)),
                &[("stage_id", &stage(&p, "Lost")), ("return_to", &back)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(
            page.contains("Why was Dana lost?") && page.contains("name=\"lost_reason\""),
            "[{e}]"
        );
        let (status, _, _) = b
            .post(
                &format!("/leads/{}/move", id(&dana)),
                &[
                    ("stage_id", &stage(&p, "Lost")),
                    ("lost_reason", "Too expensive"),
                    ("return_to", &back),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let lost = expect_status(
            app.get(&org, &format!("/api/v1/leads/{}", id(&dana))).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(lost["lost_reason"], "Too expensive");

        // A forged form changes nothing.
        let res = app
            .http
            .post(app.url(&format!("/leads/{}/move", id(&eli))))
            .header("cookie", &b.cookie)
            .form(&[("_csrf", "forged"), ("stage_id", &stage(&p, "Won"))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        // The API move the script uses needs the CSRF header with a session.
        let res = app
            .http
            .post(app.url(&format!("/api/v1/leads/{}/move", id(&eli))))
            .header("cookie", &b.cookie)
            .header("x-csrf-token", &b.csrf)
            .json(&json!({"stage_id": stage(&p, "Contacted"), "position": 0}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
    }
}

#[tokio::test]
async fn a_lead_is_captured_edited_and_converted_from_its_page() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let b = Staff::sign_in(&app, &org).await;
        let new = b.page("/leads/new", StatusCode::OK).await;
        assert!(new.contains("name=\"service_address\""), "[{e}]");
        let (status, _, page) = b
            .post(
                "/leads",
                &[
                    ("first_name", "Ola"),
                    ("phone", "not a phone"),
                    ("value", "12.345"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(
            page.contains("is not a phone number") && page.contains("more decimals"),
            "[{e}]"
        );
        let (status, location, _) = b
            .post(
                "/leads",
                &[
                    ("first_name", "Ola"),
                    ("last_name", "Berg"),
                    ("phone", "512 555 0166"),
                    ("value", "2,400.50"),
                    ("source", "phone"),
                    ("notes", "Boiler is 20 years old"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let lead_id = location.trim_start_matches("/leads/").to_string();
        let page = b.page(&location, StatusCode::OK).await;
        for text in [
            "Ola Berg",
            "$2,400.50",
            "Convert to customer",
            "Log signal",
            "data-confirm",
            "Boiler is 20 years old",
        ] {
            assert!(page.contains(text), "[{e}] the lead page shows {text:?}");
        }
        let (status, _, _) = b
            .post(
                &format!("/leads/{lead_id}/signals"),
                &[("kind", "quote_viewed")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let page = b.page(&location, StatusCode::OK).await;
        assert!(page.contains("Quote viewed"), "[{e}] the breakdown");

        let (status, _, _) = b
            .post(
                &location,
                &[
                    ("version", "1"),
                    ("first_name", "Ola"),
                    ("last_name", "Berg-Lund"),
                    ("phone", "512 555 0166"),
                    ("value", "2400.50"),
                    ("currency", "USD"),
                    ("source", "phone"),
                    ("notes", "Boiler is 20 years old"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (status, _, page) = b
            .post(&location, &[("version", "1"), ("first_name", "Stale")])
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{e}]");
        assert!(page.contains("Someone else changed this lead"));

        let (status, location, _) = b.post(&format!("/leads/{lead_id}/convert"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        assert!(location.starts_with("/customers/"), "[{e}] {location}");
        let customer = b.page(&location, StatusCode::OK).await;
        assert!(
            customer.contains("Ola Berg-Lund") && customer.contains("Boiler is 20 years old"),
            "[{e}] the notes came along: {customer}"
        );

        let (status, location, _) = b.post(&format!("/leads/{lead_id}/delete"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/pipeline/"));
        b.page(&format!("/leads/{lead_id}"), StatusCode::NOT_FOUND)
            .await;
    }
}

#[tokio::test]
async fn settings_and_report_pages_work() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let b = Staff::sign_in(&app, &org).await;
        let page = b.page("/settings/pipelines", StatusCode::OK).await;
        assert!(
            page.contains("Follow-up") && page.contains("Lead scoring"),
            "[{e}]"
        );
        let (status, _, _) = b
            .post("/settings/pipelines", &[("name", "Commercial")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let list = expect_status(app.get(&org, "/api/v1/pipelines").await, StatusCode::OK, e).await;
        let commercial = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "Commercial")
            .unwrap()
            .clone();
        let (status, _, _) = b
            .post(
                &format!("/settings/pipelines/{}/stages", id(&commercial)),
                &[("name", "Site visit"), ("kind", "open"), ("position", "2")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let c = expect_status(
            app.get(&org, &format!("/api/v1/pipelines/{}", id(&commercial)))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            c["stages"][1]["name"], "Site visit",
            "[{e}] 1-based position 2"
        );
        // A refused delete says why on the page.
        let p = default_pipeline(&app, &org).await;
        new_lead(&app, &org, json!({"first_name": "Sits on New"})).await;
        let (status, _, page) = b
            .post(
                &format!("/settings/stages/{}/delete", stage(&p, "New")),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{e}]");
        assert!(
            page.contains("move the 1 leads on this stage first"),
            "[{e}]"
        );
        let (status, _, _) = b
            .post(
                "/settings/lead-scoring",
                &[
                    ("form_submission", "30"),
                    ("website_visit", "5"),
                    ("email_open", "3"),
                    ("email_click", "8"),
                    ("quote_viewed", "20"),
                    ("inbound_call", "30"),
                    ("chat", "15"),
                    ("half_life_days", "7"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let rules = expect_status(
            app.get(&org, "/api/v1/settings/lead-scoring").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(rules["half_life_days"], 7);

        let (status, _, _) = b
            .post(
                "/settings/forms",
                &[
                    ("name", "Website"),
                    ("pipeline_id", &id(&p)),
                    ("allowed_origins", "https://www.acme.example\n"),
                    ("redirect_url", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let page = b.page("/settings/forms", StatusCode::OK).await;
        assert!(
            page.contains("/hooks/forms/lf_") && page.contains("&#60;form method="),
            "[{e}] the snippet, escaped: {page}"
        );
        let (status, _, page) = b
            .post(
                "/settings/forms",
                &[("name", "Bad"), ("allowed_origins", "nonsense")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(page.contains("allowed origins[0]"), "[{e}]");

        let report = b
            .page("/reports/pipeline?from=2020-01-01&to=", StatusCode::OK)
            .await;
        assert!(
            report.contains("<svg") && report.contains("win rate"),
            "[{e}]"
        );
        assert!(report.contains("Leads by stage"), "[{e}]");
    }
}

#[tokio::test]
async fn another_orgs_lead_pages_are_not_found() {
    for app in apps().await {
        let a = app.org("org-a").await;
        let b_org = app.org("org-b").await;
        let theirs = new_lead(&app, &b_org, json!({"first_name": "Theirs"})).await;
        let pb = default_pipeline(&app, &b_org).await;
        let b = Staff::sign_in(&app, &a).await;
        b.page(&format!("/leads/{}", id(&theirs)), StatusCode::NOT_FOUND)
            .await;
        b.page(&format!("/pipeline/{}", id(&pb)), StatusCode::NOT_FOUND)
            .await;
        let (status, _, _) = b
            .post(
                &format!("/leads/{}/move", id(&theirs)),
                &[("stage_id", &stage(&pb, "Won"))],
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.engine);
        let (status, _, _) = b
            .post(&format!("/leads/{}/convert", id(&theirs)), &[])
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let still = expect_status(
            app.get(&b_org, &format!("/api/v1/leads/{}", id(&theirs)))
                .await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        assert_eq!(still, theirs);
    }
}
