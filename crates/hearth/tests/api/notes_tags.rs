//! Notes, tags, call status and insights on a customer (seeds 001–003).

use crate::helpers::*;
use hearth_domain::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().expect("items")
}

fn bodies(page: &Value) -> Vec<String> {
    items(page)
        .iter()
        .map(|n| n["body"].as_str().unwrap().to_string())
        .collect()
}

fn names(page: &Value) -> Vec<String> {
    items(page)
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

impl TestApp {
    async fn ok(&self, org: &TestOrg, path: &str) -> Value {
        expect_status(self.get(org, path).await, StatusCode::OK, self.engine).await
    }

    async fn note(&self, org: &TestOrg, customer: &str, body: Value) -> Value {
        let res = self
            .post(org, &format!("/api/v1/customers/{customer}/notes"), body)
            .await;
        expect_status(res, StatusCode::CREATED, self.engine).await
    }

    async fn tag(&self, org: &TestOrg, name: &str, colour: &str) -> Value {
        let res = self
            .post(org, "/api/v1/tags", json!({"name": name, "colour": colour}))
            .await;
        expect_status(res, StatusCode::CREATED, self.engine).await
    }

    async fn timeline_actions(&self, org: &TestOrg, customer: &str, kind: &str) -> Vec<String> {
        let page = self
            .ok(
                org,
                &format!("/api/v1/customers/{customer}/timeline?kind={kind}"),
            )
            .await;
        items(&page)
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    }
}

#[tokio::test]
async fn notes_are_written_pinned_edited_and_deleted_with_history() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let notes_path = format!("/api/v1/customers/{c}/notes");

        let res = app
            .post(
                &org,
                &notes_path,
                json!({"body": "  Gate code 4512\r\nDog is friendly "}),
            )
            .await;
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let first = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(location, format!("/api/v1/notes/{}", id(&first)));
        assert_eq!(first["body"], "Gate code 4512\nDog is friendly", "[{e}]");
        assert_eq!(first["pinned"], false);
        assert_eq!(first["version"], 1);
        assert_eq!(first["customer_id"], c.as_str());
        assert_eq!(first["author"]["kind"], "api_key", "[{e}] attributed");
        assert_eq!(first["author"]["name"], "tests");
        assert!(first["edited_at"].is_null());
        assert_eq!(app.ok(&org, &location).await, first, "[{e}]");

        let second = app
            .note(&org, &c, json!({"body": "Prefers mornings"}))
            .await;
        let third = app
            .note(&org, &c, json!({"body": "Pays late", "pinned": true}))
            .await;
        let listed = app.ok(&org, &notes_path).await;
        assert_eq!(
            bodies(&listed),
            [
                "Pays late",
                "Prefers mornings",
                "Gate code 4512\nDog is friendly"
            ],
            "[{e}] pinned first, then newest"
        );

        let first_path = format!("/api/v1/notes/{}", id(&first));
        let pinned = expect_status(
            app.patch(&org, &first_path, json!({"version": 1, "pinned": true}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(pinned["pinned"], true);
        assert_eq!(pinned["version"], 2);
        assert!(
            pinned["edited_at"].is_null(),
            "[{e}] pinning is not an edit"
        );
        let listed = app.ok(&org, &notes_path).await;
        assert_eq!(
            bodies(&listed),
            [
                "Pays late",
                "Gate code 4512\nDog is friendly",
                "Prefers mornings"
            ],
            "[{e}] pinned notes newest first, then the rest"
        );
        // The same order a page at a time.
        let mut paged = vec![];
        let mut path = format!("{notes_path}?limit=1");
        loop {
            let page = app.ok(&org, &path).await;
            paged.extend(bodies(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("{notes_path}?limit=1&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(paged, bodies(&listed), "[{e}]");

        let second_path = format!("/api/v1/notes/{}", id(&second));
        for (version, body) in [
            (1, "Prefers mornings before 10"),
            (2, "Prefers mornings before 9"),
        ] {
            let edited = expect_status(
                app.patch(
                    &org,
                    &second_path,
                    json!({"version": version, "body": body}),
                )
                .await,
                StatusCode::OK,
                e,
            )
            .await;
            assert_eq!(edited["body"], body);
            assert!(edited["edited_at"].is_string(), "[{e}]");
            assert_eq!(edited["author"]["name"], "tests", "[{e}] the author stays");
        }
        let history = app.ok(&org, &format!("{second_path}/history")).await;
        let entries: Vec<(String, Option<String>, Value, Value)> = items(&history)
            .iter()
            .map(|h| {
                (
                    h["action"].as_str().unwrap().to_string(),
                    h["field"].as_str().map(str::to_string),
                    h["before"].clone(),
                    h["after"].clone(),
                )
            })
            .collect();
        assert_eq!(
            entries[..2],
            [
                (
                    "note.updated".to_string(),
                    Some("body".to_string()),
                    json!("Prefers mornings before 10"),
                    json!("Prefers mornings before 9")
                ),
                (
                    "note.updated".to_string(),
                    Some("body".to_string()),
                    json!("Prefers mornings"),
                    json!("Prefers mornings before 10")
                ),
            ],
            "[{e}] each edit is in the history, newest first"
        );
        assert!(
            entries.iter().any(|(a, f, _, after)| a == "note.created"
                && f.as_deref() == Some("body")
                && after == "Prefers mornings"),
            "[{e}] {entries:?}"
        );

        expect_status(
            app.delete(&org, &second_path).await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;
        expect_status(app.get(&org, &second_path).await, StatusCode::NOT_FOUND, e).await;
        expect_status(
            app.patch(&org, &second_path, json!({"version": 3, "pinned": true}))
                .await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        expect_status(
            app.delete(&org, &second_path).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        let listed = app.ok(&org, &notes_path).await;
        assert_eq!(
            bodies(&listed),
            ["Pays late", "Gate code 4512\nDog is friendly"]
        );
        let history = app.ok(&org, &format!("{second_path}/history")).await;
        assert_eq!(
            items(&history)[0]["action"],
            "note.deleted",
            "[{e}] the history outlives the note"
        );

        let actions = app.timeline_actions(&org, &c, "note").await;
        assert_eq!(
            actions,
            [
                "note.deleted",
                "note.updated",
                "note.updated",
                "note.pinned",
                "note.created",
                "note.created",
                "note.created"
            ],
            "[{e}]"
        );
        let _ = third;
    }
}

#[tokio::test]
async fn the_timeline_shows_the_start_of_a_note() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let long = "The customer prefers morning visits and asks that technicians park on the street, \
                    never in the driveway, because the driveway was resurfaced last spring.";
        app.note(&org, &c, json!({"body": long})).await;
        let page = app
            .ok(&org, &format!("/api/v1/customers/{c}/timeline?kind=note"))
            .await;
        let summary = items(&page)[0]["summary"].as_str().unwrap();
        assert!(summary.ends_with('…'), "[{e}] {summary}");
        assert!(summary.chars().count() <= 81, "[{e}] {summary}");
        assert!(long.starts_with(summary.trim_end_matches('…')), "[{e}]");
        assert_eq!(items(&page)[0]["kind"], "note");
        assert_eq!(items(&page)[0]["actor"]["name"], "tests");
    }
}

#[tokio::test]
async fn bad_notes_are_refused_naming_body_and_change_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let path = format!("/api/v1/customers/{c}/notes");
        for body in [
            json!({"body": ""}),
            json!({"body": "  \n "}),
            json!({"body": "x".repeat(10_001)}),
            json!({}),
            json!({"body": 7}),
        ] {
            let problem = expect_status(
                app.post(&org, &path, body.clone()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(problem_fields(&problem), ["body"], "[{e}] {body}");
        }
        app.note(&org, &c, json!({"body": "x".repeat(10_000)}))
            .await;
        let listed = app.ok(&org, &path).await;
        assert_eq!(
            items(&listed).len(),
            1,
            "[{e}] only the valid note was written"
        );
        let note = &items(&listed)[0];
        let problem = expect_status(
            app.patch(
                &org,
                &format!("/api/v1/notes/{}", id(note)),
                json!({"version": 1, "body": ""}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["body"]);
        let unchanged = app.ok(&org, &format!("/api/v1/notes/{}", id(note))).await;
        assert_eq!(&unchanged, note, "[{e}]");
        expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{}/notes", uuid::Uuid::now_v7()),
                json!({"body": "hello"}),
            )
            .await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
    }
}

#[tokio::test]
async fn stale_versions_are_refused_and_change_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let note = app.note(&org, &c, json!({"body": "One"})).await;
        let path = format!("/api/v1/notes/{}", id(&note));
        app.patch(&org, &path, json!({"version": 1, "body": "Two"}))
            .await;
        let problem = expect_status(
            app.patch(&org, &path, json!({"version": 1, "body": "Three"}))
                .await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("current version 2")
        );
        assert_eq!(app.ok(&org, &path).await["body"], "Two", "[{e}]");

        let tag = app.tag(&org, "VIP", "#b91c1c").await;
        let path = format!("/api/v1/tags/{}", id(&tag));
        expect_status(
            app.patch(&org, &path, json!({"version": 1, "colour": "#15803d"}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        expect_status(
            app.patch(&org, &path, json!({"version": 1, "name": "Gold"}))
                .await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        assert_eq!(app.ok(&org, &path).await["name"], "VIP", "[{e}]");
    }
}

#[tokio::test]
async fn tags_are_defined_renamed_recoloured_and_deleted() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let res = app
            .post(
                &org,
                "/api/v1/tags",
                json!({"name": " VIP ", "colour": "#B91C1C"}),
            )
            .await;
        assert!(res.headers().contains_key("location"));
        let vip = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(vip["name"], "VIP");
        assert_eq!(vip["colour"], "#b91c1c", "[{e}] stored lower-case");
        assert_eq!(vip["version"], 1);
        let supplier = app.tag(&org, "Supplier", "#1d4ed8").await;
        let family = app.tag(&org, "Family member", "#15803d").await;
        let defaulted = expect_status(
            app.post(&org, "/api/v1/tags", json!({"name": "Plain"}))
                .await,
            StatusCode::CREATED,
            e,
        )
        .await;
        assert!(defaulted["colour"].as_str().unwrap().starts_with('#'));

        for (body, field) in [
            (json!({"name": "vip", "colour": "#000000"}), "name"),
            (json!({"name": "", "colour": "#000000"}), "name"),
            (json!({"name": "x".repeat(41), "colour": "#000000"}), "name"),
            (json!({"name": "Gold", "colour": "gold"}), "colour"),
            (json!({"name": "Gold", "colour": "#12345"}), "colour"),
        ] {
            let problem = expect_status(
                app.post(&org, "/api/v1/tags", body.clone()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(problem_fields(&problem), [field], "[{e}] {body}");
        }
        let all = app.ok(&org, "/api/v1/tags").await;
        assert_eq!(
            names(&all),
            ["Family member", "Plain", "Supplier", "VIP"],
            "[{e}] alphabetical; nothing written by the refused requests"
        );
        let first = app.ok(&org, "/api/v1/tags?limit=2").await;
        assert_eq!(names(&first), ["Family member", "Plain"]);
        let cursor = first["next_cursor"].as_str().unwrap();
        let rest = app
            .ok(&org, &format!("/api/v1/tags?limit=2&cursor={cursor}"))
            .await;
        assert_eq!(names(&rest), ["Supplier", "VIP"], "[{e}]");

        let family_path = format!("/api/v1/tags/{}", id(&family));
        let renamed = expect_status(
            app.patch(&org, &family_path, json!({"version": 1, "name": "Family"}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(renamed["name"], "Family");
        assert_eq!(renamed["colour"], "#15803d");
        assert_eq!(renamed["version"], 2);
        let taken = expect_status(
            app.patch(
                &org,
                &family_path,
                json!({"version": 2, "name": "SUPPLIER"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&taken), ["name"], "[{e}]");
        let _ = supplier;

        let vip_path = format!("/api/v1/tags/{}", id(&vip));
        expect_status(app.delete(&org, &vip_path).await, StatusCode::NO_CONTENT, e).await;
        expect_status(app.get(&org, &vip_path).await, StatusCode::NOT_FOUND, e).await;
        let again = app.tag(&org, "vip", "#000000").await;
        assert_ne!(
            id(&again),
            id(&vip),
            "[{e}] a deleted tag's name is free again"
        );
    }
}

#[tokio::test]
async fn tags_go_on_and_off_customers_with_timeline_entries() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let vip = app.tag(&org, "VIP", "#b91c1c").await;
        app.tag(&org, "Supplier", "#1d4ed8").await;
        let path = format!("/api/v1/customers/{c}/tags");

        let added = expect_status(
            app.post(&org, &path, json!({"name": "VIP"})).await,
            StatusCode::CREATED,
            e,
        )
        .await;
        assert_eq!(added["id"], vip["id"]);
        let again = expect_status(
            app.post(&org, &path, json!({"name": "vip"})).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(again["id"], vip["id"], "[{e}] adding twice is harmless");
        expect_status(
            app.post(&org, &path, json!({"name": "supplier"})).await,
            StatusCode::CREATED,
            e,
        )
        .await;
        assert_eq!(names(&app.ok(&org, &path).await), ["Supplier", "VIP"]);

        let problem = expect_status(
            app.post(&org, &path, json!({"name": "Gold"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["name"],
            "[{e}] an unknown tag is not created"
        );
        assert_eq!(names(&app.ok(&org, &path).await), ["Supplier", "VIP"]);
        assert_eq!(
            names(&app.ok(&org, "/api/v1/tags").await),
            ["Supplier", "VIP"]
        );

        expect_status(
            app.delete(&org, &format!("{path}/Supplier")).await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;
        expect_status(
            app.delete(&org, &format!("{path}/supplier")).await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;
        expect_status(
            app.delete(&org, &format!("{path}/Gold")).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        assert_eq!(names(&app.ok(&org, &path).await), ["VIP"]);

        assert_eq!(
            app.timeline_actions(&org, &c, "tag").await,
            ["tag.removed", "tag.added", "tag.added"],
            "[{e}] one entry per real change"
        );
        let timeline = app
            .ok(&org, &format!("/api/v1/customers/{c}/timeline?kind=tag"))
            .await;
        assert_eq!(items(&timeline)[2]["summary"], "Tagged VIP");
        let audit = app
            .ok(&org, &format!("/api/v1/customers/{c}/timeline"))
            .await;
        assert!(items(&audit).iter().any(|ev| ev["kind"] == "tag"));

        // Renaming shows on the customer; deleting takes it off.
        let vip_path = format!("/api/v1/tags/{}", id(&vip));
        app.patch(
            &org,
            &vip_path,
            json!({"version": 1, "name": "Gold client"}),
        )
        .await;
        assert_eq!(names(&app.ok(&org, &path).await), ["Gold client"], "[{e}]");
        expect_status(app.delete(&org, &vip_path).await, StatusCode::NO_CONTENT, e).await;
        assert!(items(&app.ok(&org, &path).await).is_empty(), "[{e}]");
    }
}

#[tokio::test]
async fn call_status_is_attributed_and_does_not_bump_the_customer_version() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let path = format!("/api/v1/customers/{c}/call-status");
        let insights = format!("/api/v1/customers/{c}/insights");
        assert!(app.ok(&org, &insights).await["call_status"].is_null());

        let res = app
            .api(
                &org,
                Method::PUT,
                &path,
                Some(json!({"status": "no_answer"})),
            )
            .await;
        let set = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(set["status"], "no_answer");
        assert_eq!(set["set_by"]["kind"], "api_key", "[{e}]");
        assert_eq!(set["set_by"]["name"], "tests");
        assert!(set["set_at"].is_string());
        let res = app
            .api(&org, Method::PUT, &path, Some(json!({"status": "spoke"})))
            .await;
        let spoke = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(app.ok(&org, &insights).await["call_status"], spoke, "[{e}]");

        let customer = app.ok(&org, &format!("/api/v1/customers/{c}")).await;
        assert_eq!(
            customer["version"], 1,
            "[{e}] call status is not a profile edit"
        );
        expect_status(
            app.patch(
                &org,
                &format!("/api/v1/customers/{c}"),
                json!({"version": 1, "first_name": "Amazing Grace"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;

        let timeline = app
            .ok(
                &org,
                &format!("/api/v1/customers/{c}/timeline?kind=communication"),
            )
            .await;
        // Each press also logs an outbound call (communications, issue 6).
        let summaries: Vec<&str> = items(&timeline)
            .iter()
            .map(|ev| ev["summary"].as_str().unwrap())
            .filter(|s| s.starts_with("Call status"))
            .collect();
        assert_eq!(
            summaries,
            ["Call status: You spoke to them", "Call status: No answer"],
            "[{e}]"
        );
        let history = app
            .ok(&org, &format!("/api/v1/customers/{c}/history"))
            .await;
        let audited = items(&history)
            .iter()
            .find(|h| h["field"] == "call_status" && h["after"] == "spoke")
            .expect("call status audited");
        assert_eq!(audited["before"], "no_answer", "[{e}]");

        for body in [
            json!({"status": "busy"}),
            json!({}),
            json!({"status": "spoke", "x": 1}),
        ] {
            let res = app.api(&org, Method::PUT, &path, Some(body.clone())).await;
            let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
            assert!(!problem_fields(&problem).is_empty(), "[{e}] {body}");
        }
        let res = app
            .api(&org, Method::PUT, &path, Some(json!({"status": "busy"})))
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["status"]);
        assert_eq!(
            app.ok(&org, &insights).await["call_status"]["status"],
            "spoke"
        );
    }
}

#[tokio::test]
async fn insights_have_the_promised_shape() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let customer = app
            .customer(
                &org,
                json!({"first_name": "Ann", "customer_since": "2019-04-01"}),
            )
            .await;
        let c = id(&customer);
        let path = format!("/api/v1/customers/{c}/insights");
        let fresh = app.ok(&org, &path).await;
        let mut keys: Vec<&str> = fresh
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "call_status",
                "completed_jobs",
                "created_at",
                "customer_since",
                "last_activity_at",
                "most_common_channel",
                "pinned_notes",
                "tags"
            ],
            "[{e}]"
        );
        assert_eq!(fresh["customer_since"], "2019-04-01");
        assert_eq!(fresh["created_at"], customer["created_at"]);
        assert_eq!(fresh["completed_jobs"], 0);
        assert!(fresh["most_common_channel"].is_null());
        assert!(fresh["call_status"].is_null());
        assert_eq!(fresh["tags"], json!([]));
        assert_eq!(fresh["pinned_notes"], 0);
        assert!(
            fresh["last_activity_at"].is_string(),
            "[{e}] creation is activity"
        );

        app.tag(&org, "VIP", "#b91c1c").await;
        app.post(
            &org,
            &format!("/api/v1/customers/{c}/tags"),
            json!({"name": "VIP"}),
        )
        .await;
        app.note(&org, &c, json!({"body": "Pinned one", "pinned": true}))
            .await;
        app.note(&org, &c, json!({"body": "Pinned two", "pinned": true}))
            .await;
        app.note(&org, &c, json!({"body": "Not pinned"})).await;
        let later = app.ok(&org, &path).await;
        assert_eq!(later["pinned_notes"], 2, "[{e}]");
        assert_eq!(later["tags"][0]["name"], "VIP");
        assert_eq!(later["tags"][0]["colour"], "#b91c1c");
        assert!(
            later["last_activity_at"].as_str().unwrap()
                >= fresh["last_activity_at"].as_str().unwrap()
        );

        app.delete(&org, &format!("/api/v1/customers/{c}")).await;
        expect_status(app.get(&org, &path).await, StatusCode::NOT_FOUND, e).await;
    }
}

#[tokio::test]
async fn another_org_gets_404_on_every_route_and_cannot_tag_foreign_customers() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let theirs = id(&app.grace(&b).await);
        let note = app.note(&b, &theirs, json!({"body": "Private"})).await;
        let tag = app.tag(&b, "Secret", "#000000").await;
        app.post(
            &b,
            &format!("/api/v1/customers/{theirs}/tags"),
            json!({"name": "Secret"}),
        )
        .await;
        app.tag(&a, "Mine", "#ffffff").await;
        let mine = id(&app.grace(&a).await);

        let cu = format!("/api/v1/customers/{theirs}");
        let n = format!("/api/v1/notes/{}", id(&note));
        let t = format!("/api/v1/tags/{}", id(&tag));
        let routes: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("{cu}/notes"), None),
            (
                Method::POST,
                format!("{cu}/notes"),
                Some(json!({"body": "x"})),
            ),
            (Method::GET, n.clone(), None),
            (
                Method::PATCH,
                n.clone(),
                Some(json!({"version": 1, "body": "x"})),
            ),
            (Method::DELETE, n.clone(), None),
            (Method::GET, format!("{n}/history"), None),
            (Method::GET, t.clone(), None),
            (
                Method::PATCH,
                t.clone(),
                Some(json!({"version": 1, "name": "x"})),
            ),
            (Method::DELETE, t.clone(), None),
            (Method::GET, format!("{cu}/tags"), None),
            (
                Method::POST,
                format!("{cu}/tags"),
                Some(json!({"name": "Mine"})),
            ),
            (
                Method::POST,
                format!("{cu}/tags"),
                Some(json!({"name": "Secret"})),
            ),
            (Method::DELETE, format!("{cu}/tags/Secret"), None),
            (Method::DELETE, format!("{cu}/tags/Mine"), None),
            (
                Method::PUT,
                format!("{cu}/call-status"),
                Some(json!({"status": "spoke"})),
            ),
            (Method::GET, format!("{cu}/insights"), None),
        ];
        for (method, path, body) in routes {
            let res = app.api(&a, method.clone(), &path, body).await;
            let got = res.status();
            assert_eq!(got, StatusCode::NOT_FOUND, "[{e}] {method} {path}");
        }

        // Org B's tag name means nothing in org A.
        let problem = expect_status(
            app.post(
                &a,
                &format!("/api/v1/customers/{mine}/tags"),
                json!({"name": "Secret"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["name"]);
        assert!(
            names(&app.ok(&a, "/api/v1/tags").await) == ["Mine"],
            "[{e}]"
        );

        // Org B sees its data untouched.
        assert_eq!(app.ok(&b, &n).await, note, "[{e}]");
        assert_eq!(app.ok(&b, &t).await, tag);
        assert_eq!(names(&app.ok(&b, &format!("{cu}/tags")).await), ["Secret"]);
        let insights = app.ok(&b, &format!("{cu}/insights")).await;
        assert!(insights["call_status"].is_null(), "[{e}]");
        assert!(
            app.timeline_actions(&b, &theirs, "communication")
                .await
                .is_empty(),
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn technicians_use_tags_but_cannot_define_them() {
    for app in apps().await {
        let e = app.engine;
        let admin = app.org("acme").await;
        app.tag(&admin, "VIP", "#b91c1c").await;
        let tech = app.org_with_key_role("other", Role::Technician).await;
        let problem = expect_status(
            app.post(
                &tech,
                "/api/v1/tags",
                json!({"name": "X", "colour": "#000000"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            e,
        )
        .await;
        assert_eq!(problem["status"], 403);
        expect_status(app.get(&tech, "/api/v1/tags").await, StatusCode::OK, e).await;
        let c = id(&app.grace(&tech).await);
        app.note(&tech, &c, json!({"body": "Replaced the filter"}))
            .await;
    }
}

#[tokio::test]
async fn the_new_routes_are_documented() {
    for app in apps().await {
        let e = app.engine;
        let doc = app.openapi().await;
        for path in [
            "/api/v1/customers/{id}/notes",
            "/api/v1/notes/{id}",
            "/api/v1/notes/{id}/history",
            "/api/v1/tags",
            "/api/v1/tags/{id}",
            "/api/v1/customers/{id}/tags",
            "/api/v1/customers/{id}/tags/{name}",
            "/api/v1/customers/{id}/call-status",
            "/api/v1/customers/{id}/insights",
        ] {
            assert!(doc["paths"][path].is_object(), "[{e}] {path}");
        }
    }
}

#[tokio::test]
async fn staff_use_notes_tags_and_call_status_on_the_customer_card() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        app.tag(&org, "VIP", "#b91c1c").await;
        let staff = Staff::sign_in(&app, &org).await;
        let card = format!("/customers/{c}");

        let (status, html) = staff.get(&card).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        for text in [
            "Customer insights",
            "Completed jobs",
            "Most common channel",
            "You have called them",
            "No answer",
            "Left a voicemail",
            "You spoke to them",
            "<option value=\"VIP\">VIP</option>",
            "No notes yet.",
        ] {
            assert!(html.contains(text), "[{e}] the card shows {text:?}");
        }

        let back = format!("/customers/{c}#notes");
        let (status, location, _) = staff
            .post(
                &format!("{card}/notes"),
                &[
                    ("body", "Gate code 1234\r\nKey under the mat"),
                    ("pinned", "on"),
                ],
            )
            .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, back.as_str()),
            "[{e}]"
        );
        let (status, _, html) = staff
            .post(&format!("{card}/notes"), &[("body", "  ")])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(html.contains("The note is empty"), "[{e}] {html}");

        let (status, _, _) = staff
            .post(&format!("{card}/tags"), &[("name", "VIP")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (status, _, _) = staff
            .post(&format!("{card}/call-status"), &[("status", "spoke")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");

        let (_, html) = staff.get(&card).await;
        assert!(html.contains("Gate code 1234\nKey under the mat"), "[{e}]");
        assert!(html.contains("aria-label=\"Remove tag VIP\""), "[{e}]");
        assert!(
            html.contains("Last set to “You spoke to them” by Olive Owner"),
            "[{e}]"
        );
        assert!(
            html.contains("fill=\"#b91c1c\""),
            "[{e}] the chip has the tag's colour"
        );

        let notes = app.ok(&org, &format!("/api/v1/customers/{c}/notes")).await;
        let note = items(&notes)[0].clone();
        assert_eq!(note["author"]["kind"], "user", "[{e}]");
        assert_eq!(note["author"]["name"], "Olive Owner");
        assert_eq!(note["pinned"], true);
        let n = id(&note);

        let (status, _, _) = staff
            .post(
                &format!("/notes/{n}/pin"),
                &[("version", "1"), ("pinned", "false")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (status, location, _) = staff
            .post(
                &format!("/notes/{n}"),
                &[("version", "2"), ("body", "Gate code 9876")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        assert_eq!(location, format!("/customers/{c}#note-{n}"));
        let (status, _, html) = staff
            .post(
                &format!("/notes/{n}"),
                &[("version", "2"), ("body", "Gate code 0000")],
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{e}] a stale edit"
        );
        assert!(html.contains("Someone else changed this note"), "[{e}]");
        assert!(html.contains("Gate code 9876") && html.contains("Gate code 0000"));
        let now = app.ok(&org, &format!("/api/v1/notes/{n}")).await;
        assert_eq!(now["body"], "Gate code 9876", "[{e}]");
        assert_eq!(now["pinned"], false);
        let (status, html) = staff.get(&format!("/notes/{n}/edit")).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(html.contains("Gate code 9876"));

        let (status, _, _) = staff.post(&format!("/notes/{n}/delete"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        expect_status(
            app.get(&org, &format!("/api/v1/notes/{n}")).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        let (status, _, _) = staff
            .post(&format!("{card}/tags/remove"), &[("name", "VIP")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        assert!(items(&app.ok(&org, &format!("/api/v1/customers/{c}/tags")).await).is_empty());

        // A form without the session's CSRF token changes nothing.
        let res = app
            .http
            .post(app.url(&format!("{card}/notes")))
            .header("cookie", &staff.cookie)
            .form(&[("body", "forged"), ("_csrf", "nope")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        let notes = app.ok(&org, &format!("/api/v1/customers/{c}/notes")).await;
        assert!(items(&notes).is_empty(), "[{e}]");
    }
}

#[tokio::test]
async fn staff_manage_tags_in_settings() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let staff = Staff::sign_in(&app, &org).await;
        let (status, html) = staff.get("/settings/tags").await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(html.contains("No tags yet."));

        let (status, location, _) = staff
            .post(
                "/settings/tags",
                &[("name", "Supplier"), ("colour", "#1D4ED8")],
            )
            .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/settings/tags")
        );
        let (status, _, html) = staff
            .post(
                "/settings/tags",
                &[("name", "supplier"), ("colour", "#000000")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(html.contains("is taken"), "[{e}]");

        let tag = items(&app.ok(&org, "/api/v1/tags").await)[0].clone();
        assert_eq!(tag["colour"], "#1d4ed8");
        let t = id(&tag);
        let c = id(&app.grace(&org).await);
        app.post(
            &org,
            &format!("/api/v1/customers/{c}/tags"),
            json!({"name": "Supplier"}),
        )
        .await;
        let (_, html) = staff.get("/settings/tags").await;
        assert!(html.contains("value=\"Supplier\""), "[{e}]");
        assert!(
            html.contains("It comes off 1 customer(s)."),
            "[{e}] the delete asks first"
        );

        let (status, _, _) = staff
            .post(
                &format!("/settings/tags/{t}"),
                &[
                    ("version", "1"),
                    ("name", "Trade supplier"),
                    ("colour", "#15803d"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let renamed = app.ok(&org, &format!("/api/v1/tags/{t}")).await;
        assert_eq!(
            (renamed["name"].as_str(), renamed["colour"].as_str()),
            (Some("Trade supplier"), Some("#15803d"))
        );
        let (status, _, html) = staff
            .post(
                &format!("/settings/tags/{t}"),
                &[("version", "1"), ("name", "Old"), ("colour", "#15803d")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] stale");
        assert!(html.contains("someone else changed this tag"), "[{e}]");

        let (status, _, _) = staff.post(&format!("/settings/tags/{t}/delete"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        assert!(
            items(&app.ok(&org, "/api/v1/tags").await).is_empty(),
            "[{e}]"
        );
        assert!(items(&app.ok(&org, &format!("/api/v1/customers/{c}/tags")).await).is_empty());
    }
}
