//! Communications, engagements, tasks and attachments (seeds 001, 003, 004).

use crate::helpers::*;
use hearth_domain::auth::Role;
use hearth_store::{Raw, work};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().expect("items").clone()
}

impl TestApp {
    async fn ok_json(&self, org: &TestOrg, path: &str) -> Value {
        expect_status(self.get(org, path).await, StatusCode::OK, self.engine).await
    }

    /// The id of the user with this email.
    async fn user_id(&self, email: &str) -> String {
        let email = email.to_string();
        let id = self
            .store
            .read(work!(|c| c.query_one(
                &Raw("SELECT id FROM users WHERE email = $1", vec![email.into()]),
                |r| r.get::<uuid::Uuid>(0),
            )))
            .await
            .expect("user");
        id.to_string()
    }

    /// A second team member in the organisation of `owner_email`.
    async fn teammate(&self, owner_email: &str, email: &str) -> String {
        let owner = self.user_id(owner_email).await;
        let hash = hearth_server::hash_password(PASSWORD.to_string())
            .await
            .expect("hash");
        let (owner, email) = (owner.clone(), email.to_string());
        let id = self
            .store
            .write(work!(|c| async {
                let org = c
                    .query_one(
                        &Raw(
                            "SELECT org_id FROM users WHERE id = $1",
                            vec![owner.parse::<uuid::Uuid>().unwrap().into()],
                        ),
                        |r| r.get::<hearth_domain::OrgId>(0),
                    )
                    .await?;
                hearth_store::auth::create_user(c, org, &email, "Tess Team", Role::Sales, &hash)
                    .await
            }))
            .await
            .expect("teammate");
        id.id.to_string()
    }

    async fn engagement(&self, org: &TestOrg, customer: &str, body: Value) -> Value {
        let res = self
            .post(
                org,
                &format!("/api/v1/customers/{customer}/engagements"),
                body,
            )
            .await;
        expect_status(res, StatusCode::CREATED, self.engine).await
    }

    async fn upload(
        &self,
        org: &TestOrg,
        engagement: &str,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        self.http
            .post(self.url(&format!(
                "/api/v1/engagements/{engagement}/attachments?filename={}",
                hearth_server_urlencode(filename)
            )))
            .bearer_auth(&org.key)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("upload")
    }
}

fn hearth_server_urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

#[tokio::test]
async fn calls_are_logged_on_the_timeline_and_fill_the_most_common_channel() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let insights = app
            .ok_json(&org, &format!("/api/v1/customers/{c}/insights"))
            .await;
        assert_eq!(insights["most_common_channel"], Value::Null, "[{e}]");

        let res = app
            .post(
                &org,
                "/api/v1/communications/calls",
                json!({"customer_id": c, "direction": "out", "duration_seconds": 125,
                       "outcome": " spoke ", "notes": "Booked a boiler service for Tuesday."}),
            )
            .await;
        let call = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(call["channel"], "call");
        assert_eq!(call["status"], "sent");
        assert_eq!(call["outcome"], "spoke");
        assert_eq!(call["duration_seconds"], 125);
        assert_eq!(call["body"], "Booked a boiler service for Tuesday.");

        let list = app
            .ok_json(
                &org,
                &format!("/api/v1/customers/{c}/communications?channel=call"),
            )
            .await;
        assert_eq!(items(&list).len(), 1, "[{e}]");
        let sms = app
            .ok_json(
                &org,
                &format!("/api/v1/customers/{c}/communications?channel=sms"),
            )
            .await;
        assert!(items(&sms).is_empty(), "[{e}]");

        let timeline = app
            .ok_json(
                &org,
                &format!("/api/v1/customers/{c}/timeline?kind=communication"),
            )
            .await;
        assert!(
            items(&timeline)
                .iter()
                .any(|ev| ev["action"] == "communication.created"),
            "[{e}] {timeline}"
        );
        let insights = app
            .ok_json(&org, &format!("/api/v1/customers/{c}/insights"))
            .await;
        assert_eq!(insights["most_common_channel"], "call", "[{e}]");

        // Bad input names the fields and writes nothing.
        let res = app
            .post(
                &org,
                "/api/v1/communications/calls",
                json!({"customer_id": c, "direction": "in", "duration_seconds": -4, "outcome": "x".repeat(101)}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["duration_seconds", "outcome"]);
        let list = app
            .ok_json(&org, &format!("/api/v1/customers/{c}/communications"))
            .await;
        assert_eq!(items(&list).len(), 1, "[{e}]");

        // Paging by cursor.
        for _ in 0..2 {
            let res = app
                .post(
                    &org,
                    "/api/v1/communications/calls",
                    json!({"customer_id": c, "direction": "in"}),
                )
                .await;
            expect_status(res, StatusCode::CREATED, e).await;
        }
        let first = app
            .ok_json(
                &org,
                &format!("/api/v1/customers/{c}/communications?limit=2"),
            )
            .await;
        assert_eq!(items(&first).len(), 2);
        let cursor = first["next_cursor"]
            .as_str()
            .expect("next page")
            .to_string();
        let second = app
            .ok_json(
                &org,
                &format!("/api/v1/customers/{c}/communications?limit=2&cursor={cursor}"),
            )
            .await;
        assert_eq!(items(&second).len(), 1, "[{e}]");
    }
}

#[tokio::test]
async fn the_call_status_buttons_also_log_a_call() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let res = app
            .api(
                &org,
                Method::PUT,
                &format!("/api/v1/customers/{c}/call-status"),
                Some(json!({"status": "no_answer"})),
            )
            .await;
        expect_status(res, StatusCode::OK, e).await;
        let list = app
            .ok_json(&org, &format!("/api/v1/customers/{c}/communications"))
            .await;
        let calls = items(&list);
        assert_eq!(calls.len(), 1, "[{e}]");
        assert_eq!(calls[0]["channel"], "call");
        assert_eq!(calls[0]["direction"], "out");
        assert_eq!(calls[0]["outcome"], "no_answer");
    }
}

#[tokio::test]
async fn engagements_enforce_mandatory_fields_and_the_customers_own_contacts() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let owner = app.user_id(&org.email).await;
        let c = id(&app.grace(&org).await);
        let other = id(&app
            .customer(
                &org,
                json!({"first_name": "Alan", "phone": "(512) 555-0101"}),
            )
            .await);
        let path = format!("/api/v1/customers/{c}/engagements");

        let res = app.post(&org, &path, json!({"notes": "no subject"})).await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem_fields(&problem),
            ["subject", "date", "contacted_by"]
        );
        assert!(items(&app.ok_json(&org, &path).await).is_empty(), "[{e}]");

        let contact = app
            .post(
                &org,
                &format!("/api/v1/customers/{other}/contacts"),
                json!({"name": "Ada Office"}),
            )
            .await;
        let contact = id(&expect_status(contact, StatusCode::CREATED, e).await);
        let res = app
            .post(
                &org,
                &path,
                json!({"subject": "Quote", "date": today(), "contacted_by": owner,
                       "contact_id": contact, "contact_type": "Carrier pigeon"}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["contact_id", "contact_type"]);

        let made = app
            .engagement(
                &org,
                &c,
                json!({"subject": "Boiler quote", "date": "2025-03-04", "contacted_by": owner,
                       "duration_hours": 1, "duration_minutes": 15, "contact_type": "Site visit",
                       "notes": "Wants a combi boiler."}),
            )
            .await;
        assert_eq!(made["duration_minutes"], 75);
        assert_eq!(made["version"], 1);
        let eid = id(&made);

        // Edit, stale version, history.
        let res = app
            .patch(
                &org,
                &format!("/api/v1/engagements/{eid}"),
                json!({"version": 1, "subject": "Boiler quote sent"}),
            )
            .await;
        let edited = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(edited["version"], 2);
        let res = app
            .patch(
                &org,
                &format!("/api/v1/engagements/{eid}"),
                json!({"version": 1, "notes": "lost"}),
            )
            .await;
        expect_status(res, StatusCode::CONFLICT, e).await;
        let history = app
            .ok_json(&org, &format!("/api/v1/engagements/{eid}/history"))
            .await;
        assert!(
            items(&history)
                .iter()
                .any(|h| h["field"] == "subject" && h["after"] == "Boiler quote sent"),
            "[{e}] {history}"
        );

        // Types are the organisation's to edit.
        let res = app
            .api(
                &org,
                Method::PUT,
                "/api/v1/engagement-types",
                Some(json!({"types": ["Call", "Demo"]})),
            )
            .await;
        expect_status(res, StatusCode::OK, e).await;
        let res = app
            .post(
                &org,
                &path,
                json!({"subject": "Demo", "date": today(), "contacted_by": owner, "contact_type": "Demo"}),
            )
            .await;
        expect_status(res, StatusCode::CREATED, e).await;

        // Soft delete: gone from the list, history kept.
        let res = app
            .delete(&org, &format!("/api/v1/engagements/{eid}"))
            .await;
        expect_status(res, StatusCode::NO_CONTENT, e).await;
        let res = app.get(&org, &format!("/api/v1/engagements/{eid}")).await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        assert_eq!(items(&app.ok_json(&org, &path).await).len(), 1, "[{e}]");
        let history = app
            .ok_json(&org, &format!("/api/v1/engagements/{eid}/history"))
            .await;
        assert_eq!(items(&history)[0]["action"], "engagement.deleted", "[{e}]");
    }
}

#[tokio::test]
async fn a_follow_up_creates_a_task_and_completing_it_completes_the_engagement() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let owner = app.user_id(&org.email).await;
        let c = id(&app.grace(&org).await);
        let yesterday = today() - chrono::Duration::days(1);
        let made = app
            .engagement(
                &org,
                &c,
                json!({"subject": "Annual service", "date": today(), "contacted_by": owner,
                       "follow_up": true, "follow_up_assignee": owner, "follow_up_date": yesterday}),
            )
            .await;
        let eid = id(&made);
        let task_id = made["task_id"].as_str().expect("task").to_string();
        let overdue = app
            .ok_json(
                &org,
                &format!("/api/v1/tasks?assignee={owner}&overdue=true"),
            )
            .await;
        let tasks = items(&overdue);
        assert_eq!(tasks.len(), 1, "[{e}]");
        assert_eq!(tasks[0]["id"], task_id.as_str());
        assert_eq!(tasks[0]["engagement_id"], eid.as_str());
        assert_eq!(tasks[0]["title"], "Follow up: Annual service");

        let res = app
            .post(
                &org,
                &format!("/api/v1/tasks/{task_id}/complete"),
                json!({}),
            )
            .await;
        let done = expect_status(res, StatusCode::OK, e).await;
        assert!(done["completed_at"].is_string(), "[{e}]");
        let engagement = app
            .ok_json(&org, &format!("/api/v1/engagements/{eid}"))
            .await;
        assert_eq!(engagement["follow_up_completed"], true, "[{e}]");
        let open = app
            .ok_json(&org, &format!("/api/v1/tasks?assignee={owner}&open=true"))
            .await;
        assert!(items(&open).is_empty(), "[{e}]");

        // And the other way: reopening the follow-up reopens the task.
        let res = app
            .patch(
                &org,
                &format!("/api/v1/engagements/{eid}"),
                json!({"version": engagement["version"], "follow_up_completed": false}),
            )
            .await;
        expect_status(res, StatusCode::OK, e).await;
        let open = app
            .ok_json(&org, &format!("/api/v1/tasks?assignee={owner}&open=true"))
            .await;
        assert_eq!(items(&open).len(), 1, "[{e}]");

        // Unticking the follow-up removes the task.
        let current = app
            .ok_json(&org, &format!("/api/v1/engagements/{eid}"))
            .await;
        let res = app
            .patch(
                &org,
                &format!("/api/v1/engagements/{eid}"),
                json!({"version": current["version"], "follow_up": false}),
            )
            .await;
        let unticked = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(unticked["task_id"], Value::Null, "[{e}]");
        let all = app.ok_json(&org, "/api/v1/tasks").await;
        assert!(items(&all).is_empty(), "[{e}]");
    }
}

#[tokio::test]
async fn tasks_filter_by_assignee_overdue_and_open() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let owner = app.user_id(&org.email).await;
        let tess = app.teammate(&org.email, "tess@acme.test").await;
        let c = id(&app.grace(&org).await);
        let now = chrono::Utc::now();
        let mut made = vec![];
        for (title, who, due) in [
            ("Mine, late", &owner, now - chrono::Duration::hours(2)),
            ("Mine, tomorrow", &owner, now + chrono::Duration::days(1)),
            ("Tess, late", &tess, now - chrono::Duration::days(3)),
        ] {
            let res = app
                .post(
                    &org,
                    "/api/v1/tasks",
                    json!({"title": title, "assignee_id": who, "due_at": due, "customer_id": c}),
                )
                .await;
            made.push(expect_status(res, StatusCode::CREATED, e).await);
        }
        let titles = |page: &Value| -> Vec<String> {
            items(page)
                .iter()
                .map(|t| t["title"].as_str().unwrap().to_string())
                .collect()
        };
        let mine = app
            .ok_json(&org, &format!("/api/v1/tasks?assignee={owner}"))
            .await;
        assert_eq!(titles(&mine), ["Mine, late", "Mine, tomorrow"], "[{e}]");
        let late = app.ok_json(&org, "/api/v1/tasks?overdue=true").await;
        assert_eq!(titles(&late), ["Tess, late", "Mine, late"], "[{e}]");

        // Bad input and "me" without a person behind the key.
        let res = app.post(&org, "/api/v1/tasks", json!({"title": " "})).await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["title"]);
        let res = app.get(&org, "/api/v1/tasks?assignee=me").await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["assignee"]);

        // Stale version, then completion.
        let first = id(&made[0]);
        let res = app
            .patch(
                &org,
                &format!("/api/v1/tasks/{first}"),
                json!({"version": 1, "title": "Mine, late (call)"}),
            )
            .await;
        expect_status(res, StatusCode::OK, e).await;
        let res = app
            .patch(
                &org,
                &format!("/api/v1/tasks/{first}"),
                json!({"version": 1, "completed": true}),
            )
            .await;
        expect_status(res, StatusCode::CONFLICT, e).await;
        let res = app
            .patch(
                &org,
                &format!("/api/v1/tasks/{first}"),
                json!({"version": 2, "completed": true}),
            )
            .await;
        expect_status(res, StatusCode::OK, e).await;
        let open = app
            .ok_json(&org, &format!("/api/v1/tasks?assignee={owner}&open=true"))
            .await;
        assert_eq!(titles(&open), ["Mine, tomorrow"], "[{e}]");

        // "me" is the signed-in user.
        let login = app.login(&org.email, PASSWORD).await;
        let cookie = session_cookie(&login).expect("session");
        let res = app
            .http
            .get(app.url("/api/v1/tasks?assignee=me"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        let page = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(titles(&page).len(), 2, "[{e}]");
        let html = app
            .http
            .get(app.url("/tasks"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Mine, tomorrow"), "[{e}]");
        assert!(!html.contains("Tess, late"), "[{e}]");
    }
}

#[tokio::test]
async fn attachments_are_checked_stored_by_id_and_kept_in_their_organisation() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let rival = app.org("rival").await;
        let owner = app.user_id(&org.email).await;
        let c = id(&app.grace(&org).await);
        let eid = id(&app
            .engagement(
                &org,
                &c,
                json!({"subject": "Photos", "date": today(), "contacted_by": owner}),
            )
            .await);

        let png = b"\x89PNG\r\n\x1a\nnot really a picture".to_vec();
        let res = app
            .upload(
                &org,
                &eid,
                "../../../etc/boiler plate.png",
                "image/png",
                png.clone(),
            )
            .await;
        let a = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(a["filename"], "boiler plate.png");
        assert_eq!(a["size_bytes"], png.len());
        assert_eq!(a["content_type"], "image/png");
        assert_eq!(a["sha256"].as_str().unwrap().len(), 64);
        let aid = id(&a);
        // Stored under <org>/<attachment id>, nowhere near the client's name.
        let stored: Vec<_> = walk(app.files.path());
        assert_eq!(stored.len(), 1, "[{e}] {stored:?}");
        assert!(stored[0].ends_with(&aid), "[{e}] {stored:?}");

        let res = app.get(&org, &format!("/api/v1/attachments/{aid}")).await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
        assert_eq!(
            res.headers()["content-disposition"],
            "attachment; filename=\"boiler plate.png\""
        );
        assert_eq!(res.headers()["content-type"], "image/png");
        assert_eq!(res.bytes().await.unwrap().to_vec(), png);
        let list = app
            .ok_json(&org, &format!("/api/v1/engagements/{eid}/attachments"))
            .await;
        assert_eq!(list.as_array().unwrap().len(), 1, "[{e}]");

        let res = app
            .upload(&org, &eid, "page.html", "text/html", b"<script>".to_vec())
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["content_type"]);
        let res = app
            .upload(&org, &eid, "virus.exe", "application/pdf", b"%PDF".to_vec())
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["filename"]);
        let big = vec![0u8; 10 * 1024 * 1024 + 1];
        let res = app
            .upload(&org, &eid, "big.pdf", "application/pdf", big)
            .await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "[{e}]");
        assert_eq!(walk(app.files.path()).len(), 1, "[{e}] nothing else stored");

        // Another organisation sees none of it.
        let res = app.get(&rival, &format!("/api/v1/attachments/{aid}")).await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        let res = app
            .upload(&rival, &eid, "x.txt", "text/plain", b"hi".to_vec())
            .await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
    }
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path.to_string_lossy().to_string());
        }
    }
    out
}

#[tokio::test]
async fn another_organisation_gets_404_on_every_route() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let rival = app.org("rival").await;
        let owner = app.user_id(&org.email).await;
        let c = id(&app.grace(&org).await);
        let made = app
            .engagement(
                &org,
                &c,
                json!({"subject": "Visit", "date": today(), "contacted_by": owner,
                       "follow_up": true, "follow_up_assignee": owner}),
            )
            .await;
        let eid = id(&made);
        let tid = made["task_id"].as_str().unwrap().to_string();
        let checks: Vec<(Method, String, Option<Value>)> = vec![
            (
                Method::GET,
                format!("/api/v1/customers/{c}/communications"),
                None,
            ),
            (
                Method::GET,
                format!("/api/v1/customers/{c}/engagements"),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/customers/{c}/engagements"),
                Some(json!({"subject": "x", "date": today(), "contacted_by": owner})),
            ),
            (Method::GET, format!("/api/v1/engagements/{eid}"), None),
            (
                Method::PATCH,
                format!("/api/v1/engagements/{eid}"),
                Some(json!({"version": 1, "subject": "mine now"})),
            ),
            (Method::DELETE, format!("/api/v1/engagements/{eid}"), None),
            (
                Method::GET,
                format!("/api/v1/engagements/{eid}/history"),
                None,
            ),
            (
                Method::GET,
                format!("/api/v1/engagements/{eid}/attachments"),
                None,
            ),
            (
                Method::PATCH,
                format!("/api/v1/tasks/{tid}"),
                Some(json!({"version": 1, "completed": true})),
            ),
            (
                Method::POST,
                format!("/api/v1/tasks/{tid}/complete"),
                Some(json!({})),
            ),
        ];
        for (method, path, body) in checks {
            let res = app.api(&rival, method.clone(), &path, body).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "[{e}] {method} {path}");
        }
        // A customer named in a body is a bad field, not someone else's record.
        let res = app
            .post(
                &rival,
                "/api/v1/communications/calls",
                json!({"customer_id": c, "direction": "out"}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["customer_id"]);
        let rival_tasks = app.ok_json(&rival, "/api/v1/tasks").await;
        assert!(items(&rival_tasks).is_empty(), "[{e}]");
        // Nothing changed for the owner.
        let still = app
            .ok_json(&org, &format!("/api/v1/engagements/{eid}"))
            .await;
        assert_eq!(still["version"], 1, "[{e}]");
        assert_eq!(still["follow_up_completed"], false, "[{e}]");
    }
}

#[tokio::test]
async fn the_card_shows_engagements_greyed_when_completed() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let owner = app.user_id(&org.email).await;
        let c = id(&app.grace(&org).await);
        let made = app
            .engagement(
                &org,
                &c,
                json!({"subject": "Gutter check", "date": today(), "contacted_by": owner,
                       "follow_up": true, "follow_up_completed": true, "notes": "Ladder needed"}),
            )
            .await;
        let login = app.login(&org.email, PASSWORD).await;
        let cookie = session_cookie(&login).expect("session");
        let html = app
            .http
            .get(app.url(&format!("/customers/{c}")))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!(
                "id=\"engagement-{}\" class=\"engagement completed\"",
                id(&made)
            )),
            "[{e}]"
        );
        assert!(html.contains("Copy notes"), "[{e}]");
        assert!(html.contains("Ladder needed"), "[{e}]");
        let history = app
            .http
            .get(app.url(&format!("/engagements/{}/history", id(&made))))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(history.status(), StatusCode::OK, "[{e}]");
    }
}
