//! The staff pages for jobs and the technician view, driven like a browser:
//! session cookie, forms with `_csrf`, redirects.

use super::photos::{JPEG, multipart};
use super::work::Session;
use super::*;

fn tomorrow() -> String {
    (Utc::now() + Duration::days(1)).date_naive().to_string()
}

/// The job id a redirect to `/jobs/{id}` names.
fn job_of(location: &str) -> String {
    location.trim_start_matches("/jobs/").to_string()
}

#[tokio::test]
async fn dispatchers_book_edit_move_and_delete_jobs_through_the_pages() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let dee = Session::start(&app, &org.email).await;

        let (status, html) = dee.page(&app, "/jobs/new?q=grace").await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(
            html.contains(&format!("/jobs/new?customer_id={}", s.customer)),
            "[{e}] the picker"
        );
        let (status, html) = dee
            .page(&app, &format!("/jobs/new?customer_id={}", s.customer))
            .await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(
            html.contains("12 Oak St")
                && html.contains("Tess Tech")
                && html.contains("Furnace Carrier")
        );

        let create = format!("/jobs?customer_id={}", s.customer);
        let day = tomorrow();
        let mut form = vec![
            ("address_id", s.address.as_str()),
            ("service_type", "Boiler service"),
            ("industry", "plumbing"),
            ("date", day.as_str()),
            ("start_time", "09:00"),
            ("end_time", "08:00"),
            ("technician_ids", s.tech.as_str()),
            ("equipment_ids", s.furnace.as_str()),
            ("currency", "USD"),
            ("line_kind_0", "service"),
            ("line_description_0", "Labour"),
            ("line_quantity_0", "1.5"),
            ("line_price_0", "eighty"),
            ("line_kind_1", "product"),
            ("line_description_1", ""),
            ("line_quantity_1", ""),
            ("line_price_1", ""),
        ];
        let (status, html) = dee.post(&app, &create, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {html}");
        assert!(html.contains("must be after scheduled_start"), "[{e}]");
        assert!(html.contains("is not a price such as 89.50"), "[{e}]");
        assert!(
            html.contains("value=\"Boiler service\""),
            "[{e}] what was typed stays"
        );
        assert!(
            items(&ok(&app, &org, "/api/v1/jobs").await).is_empty(),
            "[{e}] nothing booked"
        );

        form[5] = ("end_time", "10:30");
        form[12] = ("line_price_0", "89.50");
        let (status, location) = dee.post(&app, &create, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}] {location}");
        let job = job_of(&location);
        let api = ok(&app, &org, &format!("/api/v1/jobs/{job}")).await;
        assert_eq!(api["service_type"], "Boiler service", "[{e}]");
        assert_eq!(api["industry"], "plumbing");
        assert_eq!(api["scheduled_start"], format!("{day}T09:00:00Z"));
        assert_eq!(api["scheduled_end"], format!("{day}T10:30:00Z"));
        assert_eq!(api["totals"]["total_minor"], 13425, "[{e}] 1.5 × 89.50");
        assert_eq!(
            api["line_items"].as_array().unwrap().len(),
            1,
            "[{e}] blank rows skipped"
        );
        assert_eq!(api["technician_ids"], json!([s.tech]));
        assert_eq!(api["equipment_ids"], json!([s.furnace]));

        let (status, html) = dee.page(&app, &location).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(
            html.contains("Boiler service")
                && html.contains("USD 134.25")
                && html.contains("Tess Tech")
        );
        let (_, html) = dee.page(&app, "/jobs").await;
        assert!(html.contains(&location), "[{e}] listed from today on");
        let (_, html) = dee
            .page(
                &app,
                &format!("/jobs?technician_id={}&status=completed", s.tech),
            )
            .await;
        assert!(!html.contains(&location), "[{e}] filtered out");

        // Edit: a new service name; a stale form is shown again with a notice.
        let (status, html) = dee.page(&app, &format!("{location}/edit")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("value=\"89.50\"") && html.contains("name=\"version\" value=\"1\""),
            "[{e}]"
        );
        let mut edit: Vec<(&str, &str)> = form.clone();
        edit[1] = ("service_type", "Boiler repair");
        edit.push(("version", "1"));
        let (status, to) = dee.post(&app, &location, &edit).await;
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, location.as_str()),
            "[{e}]"
        );
        let (status, html) = dee.post(&app, &location, &edit).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(html.contains("Someone else changed this job"), "[{e}]");
        assert_eq!(
            ok(&app, &org, &format!("/api/v1/jobs/{job}")).await["service_type"],
            "Boiler repair"
        );

        // Status from the job page; cancelling without a reason is refused.
        let status_path = format!("{location}/status");
        let (status, to) = dee
            .post(
                &app,
                &status_path,
                &[("status", "en_route"), ("back", "job")],
            )
            .await;
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, location.as_str()),
            "[{e}]"
        );
        let (status, html) = dee
            .post(
                &app,
                &status_path,
                &[("status", "cancelled"), ("reason", " ")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(
            html.contains("reason: is required to cancel a job"),
            "[{e}]"
        );
        assert_eq!(
            ok(&app, &org, &format!("/api/v1/jobs/{job}")).await["status"],
            "en_route"
        );

        // The customer card shows it under Upcoming and at its address.
        let (_, card) = dee.page(&app, &format!("/customers/{}", s.customer)).await;
        assert!(
            card.contains("id=\"jobs\"") && card.contains("Jobs here"),
            "[{e}]"
        );
        assert_eq!(
            card.matches(&format!("href=\"/jobs/{job}\"")).count(),
            2,
            "[{e}] group and address"
        );

        // Forged forms change nothing.
        let res = app
            .http
            .post(app.url(&status_path))
            .header("cookie", &dee.cookie)
            .form(&[("_csrf", "forged"), ("status", "in_progress")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");

        let (status, to) = dee.post(&app, &format!("{location}/delete"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        assert_eq!(to, format!("/customers/{}#jobs", s.customer));
        expect_status(
            app.get(&org, &format!("/api/v1/jobs/{job}")).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        let (status, _) = dee.page(&app, &location).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{e}]");
    }
}

#[tokio::test]
async fn technicians_work_todays_jobs_from_the_phone_view() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        // What the technician needs on the doorstep: tags and call status.
        created(&app, &org, "/api/v1/tags", json!({"name": "VIP"})).await;
        created(
            &app,
            &org,
            &format!("/api/v1/customers/{}/tags", s.customer),
            json!({"name": "VIP"}),
        )
        .await;
        let res = app
            .api(
                &org,
                Method::PUT,
                &format!("/api/v1/customers/{}/call-status", s.customer),
                Some(json!({"status": "spoke"})),
            )
            .await;
        expect_status(res, StatusCode::OK, e).await;
        // An earlier visit with a note.
        let mut earlier = tune_up(&s);
        earlier["service_type"] = json!("Spring check");
        earlier["scheduled_start"] = json!(at(-30, 9));
        earlier["scheduled_end"] = json!(at(-30, 10));
        let earlier = id(&book(&app, &org, earlier).await);
        created(
            &app,
            &org,
            &format!("/api/v1/jobs/{earlier}/notes"),
            json!({"body": "Blower motor bearings worn"}),
        )
        .await;

        let mut today = tune_up(&s);
        today["service_type"] = json!("Heat pump repair");
        today["scheduled_start"] = json!(at(0, 0));
        today["scheduled_end"] = json!(at(0, 1));
        let job = id(&book(&app, &org, today.clone()).await);
        let mut later = today.clone();
        later["service_type"] = json!("Tomorrow's visit");
        later["scheduled_start"] = json!(at(1, 0));
        later["scheduled_end"] = json!(at(1, 1));
        book(&app, &org, later).await;
        let mut someone_elses = today.clone();
        someone_elses["service_type"] = json!("Not yours");
        someone_elses["technician_ids"] = json!([]);
        let not_mine = id(&book(&app, &org, someone_elses).await);

        let tess = Session::start(&app, &s.tech_email).await;
        let (status, day) = tess.page(&app, "/tech").await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(
            day.contains("Heat pump repair") && day.contains(&format!("/tech/jobs/{job}")),
            "[{e}]"
        );
        assert!(
            !day.contains("Tomorrow's visit") && !day.contains("Not yours"),
            "[{e}] today, mine only"
        );

        let view = format!("/tech/jobs/{job}");
        let (status, html) = tess.page(&app, &view).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        for shown in [
            "Gate code 4512",
            "VIP",
            "You spoke to them",
            "Furnace Carrier",
            &format!("/equipment/{}/edit", s.furnace),
            "Blower motor bearings worn",
            "On my way",
        ] {
            assert!(html.contains(shown), "[{e}] shows {shown}");
        }

        let post = |path: &str| format!("/jobs/{job}/{path}");
        for to in ["en_route", "in_progress"] {
            let (status, location) = tess
                .post(&app, &post("status"), &[("status", to), ("back", "tech")])
                .await;
            assert_eq!(
                (status, location.as_str()),
                (StatusCode::SEE_OTHER, view.as_str()),
                "[{e}] {to}"
            );
        }
        let (status, _) = tess
            .post(
                &app,
                &post("notes"),
                &[("body", "Replaced the capacitor"), ("back", "tech")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (ct, body) = multipart(
            &[("_csrf", &tess.csrf), ("back", "tech")],
            "unit.jpg",
            "image/jpeg",
            JPEG,
        );
        let res = app
            .http
            .post(app.url(&post("photos")))
            .header("cookie", &tess.cookie)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "[{e}]");
        assert_eq!(res.headers()["location"], view.as_str());
        let (ct, body) = multipart(
            &[("_csrf", &tess.csrf), ("back", "tech")],
            "notes.txt",
            "text/plain",
            b"hello",
        );
        let res = app
            .http
            .post(app.url(&post("photos")))
            .header("cookie", &tess.cookie)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("must be a JPEG, PNG, WebP or HEIC image")
        );
        let (ct, body) = multipart(&[("_csrf", "forged")], "unit.jpg", "image/jpeg", JPEG);
        let res = app
            .http
            .post(app.url(&post("photos")))
            .header("cookie", &tess.cookie)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "[{e}] CSRF on uploads too"
        );
        let (status, _) = tess
            .post(
                &app,
                &post("sign-off"),
                &[("customer_name", "Grace Hopper"), ("back", "tech")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (status, _) = tess
            .post(
                &app,
                &post("status"),
                &[("status", "completed"), ("back", "tech")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");

        let done = ok(&app, &org, &format!("/api/v1/jobs/{job}")).await;
        assert_eq!(done["status"], "completed", "[{e}]");
        assert_eq!(done["sign_off"]["technician_name"], "Tess Tech");
        assert_eq!(done["sign_off"]["customer_name"], "Grace Hopper");
        let notes = ok(&app, &org, &format!("/api/v1/jobs/{job}/notes")).await;
        assert_eq!(items(&notes)[0]["author"]["name"], "Tess Tech", "[{e}]");
        let photos = ok(&app, &org, &format!("/api/v1/jobs/{job}/photos")).await;
        assert_eq!(
            items(&photos).len(),
            1,
            "[{e}] the refused ones left nothing"
        );
        assert_eq!(items(&photos)[0]["file_name"], "unit.jpg");
        let unit = ok(&app, &org, &format!("/api/v1/equipment/{}", s.furnace)).await;
        assert_eq!(
            unit["last_service_date"],
            Utc::now().date_naive().to_string(),
            "[{e}]"
        );
        let (_, html) = tess.page(&app, &view).await;
        assert!(
            html.contains("Signed off by <strong>Tess Tech</strong>"),
            "[{e}]"
        );
        assert!(
            !html.contains("Complete job"),
            "[{e}] no moves after completion"
        );

        // Someone else's job: readable, but not theirs to work on.
        let (status, html) = tess.page(&app, &format!("/tech/jobs/{not_mine}")).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(
            !html.contains("On my way"),
            "[{e}] no buttons on another's job"
        );
        let (status, _) = tess
            .post(
                &app,
                &format!("/jobs/{not_mine}/status"),
                &[("status", "en_route")],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{e}]");
        assert_eq!(
            ok(&app, &org, &format!("/api/v1/jobs/{not_mine}")).await["status"],
            "scheduled"
        );
    }
}
