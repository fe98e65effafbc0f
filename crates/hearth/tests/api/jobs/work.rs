//! On-site work through the API: notes, sign-off, and who may do what
//! (technicians on their own jobs; dispatchers on all; sales read only).

use super::*;

/// A signed-in browser session used against the API (cookie + CSRF header).
pub(crate) struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl Session {
    pub(crate) async fn start(app: &TestApp, email: &str) -> Session {
        let res = app.login(email, PASSWORD).await;
        let cookie = session_cookie(&res).expect("session cookie");
        let html = app
            .http
            .get(app.url("/customers"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = html
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a csrf token")
            .to_string();
        Session { cookie, csrf }
    }

    pub(crate) async fn api(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = app
            .http
            .request(method, app.url(path))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    pub(crate) async fn page(&self, app: &TestApp, path: &str) -> (StatusCode, String) {
        let res = app
            .http
            .get(app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// Posts a form with the session's CSRF token; returns the status and
    /// where it redirects (or the page it shows).
    pub(crate) async fn post(
        &self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let res = app
            .http
            .post(app.url(path))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        match res.headers().get("location") {
            Some(to) => (status, to.to_str().unwrap().to_string()),
            None => (status, res.text().await.unwrap()),
        }
    }
}

#[tokio::test]
async fn notes_are_attributed_and_the_sign_off_happens_once() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let job = id(&book(&app, &org, tune_up(&s)).await);
        let notes = format!("/api/v1/jobs/{job}/notes");
        let note = created(
            &app,
            &org,
            &notes,
            json!({"body": "  Filter was clogged  "}),
        )
        .await;
        assert_eq!(note["body"], "Filter was clogged", "[{e}]");
        assert_eq!(note["author"]["name"], "tests", "[{e}] the API key's name");
        let problem = expect_status(
            app.post(&org, &notes, json!({"body": "   "})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["body"]);
        assert_eq!(items(&ok(&app, &org, &notes).await).len(), 1, "[{e}]");

        let sign = format!("/api/v1/jobs/{job}/sign-off");
        let problem = expect_status(
            app.post(&org, &sign, json!({"customer_name": "Grace Hopper"}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["status"],
            "[{e}] not before the work starts"
        );
        expect_status(
            move_to(&app, &org, &job, "in_progress", None).await,
            StatusCode::OK,
            e,
        )
        .await;
        let problem = expect_status(
            app.post(&org, &sign, json!({})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["customer_name"]);
        let signed = expect_status(
            app.post(&org, &sign, json!({"customer_name": " Grace Hopper "}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(signed["sign_off"]["customer_name"], "Grace Hopper", "[{e}]");
        assert_eq!(signed["sign_off"]["technician_name"], "tests");
        assert!(signed["sign_off"]["signed_at"].is_string());
        let problem = expect_status(
            app.post(&org, &sign, json!({"customer_name": "Someone else"}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["sign_off"], "[{e}] once per job");

        let timeline = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/timeline?kind=job", s.customer),
        )
        .await;
        let actions: Vec<&str> = items(&timeline)
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "job.signed_off",
                "job.status_changed",
                "job.note_added",
                "job.created"
            ],
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn technicians_work_on_their_own_jobs_and_dispatchers_on_all() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let mine = id(&book(&app, &org, tune_up(&s)).await);
        let mut body = tune_up(&s);
        body["technician_ids"] = json!([]);
        let not_mine = id(&book(&app, &org, body).await);
        let tess = Session::start(&app, &s.tech_email).await;

        // Reading is open to every role.
        let res = tess
            .api(&app, Method::GET, &format!("/api/v1/jobs/{not_mine}"), None)
            .await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
        let status = |job: &str| format!("/api/v1/jobs/{job}/status");
        let res = tess
            .api(
                &app,
                Method::POST,
                &status(&mine),
                Some(json!({"status": "en_route"})),
            )
            .await;
        let moved = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(moved["status"], "en_route");
        let history = ok(&app, &org, &format!("/api/v1/jobs/{mine}/history")).await;
        assert_eq!(
            items(&history)[1]["actor"]["name"],
            "Tess Tech",
            "[{e}] who moved it"
        );
        assert_eq!(items(&history)[1]["actor"]["id"], s.tech.as_str());
        for (path, body) in [
            (status(&not_mine), json!({"status": "en_route"})),
            (
                format!("/api/v1/jobs/{not_mine}/notes"),
                json!({"body": "hi"}),
            ),
            (
                format!("/api/v1/jobs/{not_mine}/sign-off"),
                json!({"customer_name": "G"}),
            ),
        ] {
            let res = tess.api(&app, Method::POST, &path, Some(body)).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}] {path}");
        }
        // Technicians do not cancel, book, edit or delete.
        let res = tess
            .api(
                &app,
                Method::POST,
                &status(&mine),
                Some(json!({"status": "cancelled", "reason": "x"})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        let res = tess
            .api(&app, Method::POST, "/api/v1/jobs", Some(tune_up(&s)))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        let res = tess
            .api(
                &app,
                Method::PATCH,
                &format!("/api/v1/jobs/{mine}"),
                Some(json!({"version": 2, "service_type": "x"})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        let res = tess
            .api(&app, Method::DELETE, &format!("/api/v1/jobs/{mine}"), None)
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        // A note and a photo on their own job are attributed to them.
        let res = tess
            .api(
                &app,
                Method::POST,
                &format!("/api/v1/jobs/{mine}/notes"),
                Some(json!({"body": "Dog in yard"})),
            )
            .await;
        let note = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(note["author"]["name"], "Tess Tech", "[{e}]");
        assert_eq!(note["author"]["kind"], "user");
        let res = app
            .http
            .post(app.url(&format!("/api/v1/jobs/{mine}/photos")))
            .header("cookie", &tess.cookie)
            .header("x-csrf-token", &tess.csrf)
            .header("content-type", "image/png")
            .body(super::photos::PNG.to_vec())
            .send()
            .await
            .unwrap();
        let photo = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(photo["uploaded_by"]["name"], "Tess Tech");

        // A dispatcher works on any job.
        let dispatcher = user(
            &app,
            "acme",
            "dee@acme.test",
            "Dee Dispatch",
            Role::Dispatcher,
        )
        .await;
        let _ = dispatcher;
        let dee = Session::start(&app, "dee@acme.test").await;
        let res = dee
            .api(
                &app,
                Method::POST,
                &status(&not_mine),
                Some(json!({"status": "cancelled", "reason": "Rain"})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");

        // Sales reads jobs but does not work on or book them.
        let sales = app.org_with_key_role("sales-co", Role::Sales).await;
        let their = site(&app, &sales, "sales-co").await;
        let listed = ok(&app, &sales, "/api/v1/jobs").await;
        assert!(items(&listed).is_empty());
        let res = app.post(&sales, "/api/v1/jobs", tune_up(&their)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        // The assignable users of an organisation, by name.
        let team = ok(&app, &org, "/api/v1/technicians").await;
        let names: Vec<&str> = items(&team)
            .iter()
            .map(|u| u["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Dee Dispatch", "Olive Owner", "Tess Tech"], "[{e}]");
    }
}
