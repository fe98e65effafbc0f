use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_read_update_delete_restore() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let res = app.post(&org, "/api/v1/customers", json!({"first_name": " Ann ", "last_name": "Lee", "phone": "512.555.0134", "email": "Ann@Example.COM"})).await;
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let mut created = expect_status(res, StatusCode::CREATED, e).await;
        // The create answer also lists look-alikes (none here); the record is the rest.
        assert_eq!(created["duplicates"], json!([]), "[{e}]");
        created.as_object_mut().unwrap().remove("duplicates");
        assert_eq!(created["first_name"], "Ann", "[{e}]");
        assert_eq!(created["phone"], "+15125550134", "[{e}]");
        assert_eq!(created["email"], "ann@example.com", "[{e}]");
        assert_eq!(created["version"], 1, "[{e}]");
        let id = created["id"].as_str().unwrap();
        assert_eq!(location, format!("/api/v1/customers/{id}"));

        let read = expect_status(app.get(&org, &location).await, StatusCode::OK, e).await;
        assert_eq!(
            read, created,
            "[{e}] a read returns what the create returned"
        );

        let updated = expect_status(
            app.patch(&org, &location, json!({"version": 1, "business_name": "Lee Bakery", "preferred_contact_method": "sms"})).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(updated["business_name"], "Lee Bakery");
        assert_eq!(updated["preferred_contact_method"], "sms");
        assert_eq!(updated["first_name"], "Ann", "[{e}] absent fields are kept");
        assert_eq!(updated["version"], 2);

        let cleared = expect_status(
            app.patch(&org, &location, json!({"version": 2, "email": null}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(cleared["email"].is_null(), "[{e}] null clears a field");

        expect_status(app.delete(&org, &location).await, StatusCode::NO_CONTENT, e).await;
        expect_status(app.get(&org, &location).await, StatusCode::NOT_FOUND, e).await;
        let bin = expect_status(
            app.get(&org, "/api/v1/customers?deleted=true").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            bin["items"][0]["id"], id,
            "[{e}] deleted customers are in the bin"
        );
        let live = expect_status(app.get(&org, "/api/v1/customers").await, StatusCode::OK, e).await;
        assert_eq!(live["items"].as_array().unwrap().len(), 0, "[{e}]");

        let restored = expect_status(
            app.post(&org, &format!("{location}/restore"), json!({}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(restored["deleted_at"].is_null());
        expect_status(app.get(&org, &location).await, StatusCode::OK, e).await;
    }
}

#[tokio::test]
async fn a_stale_version_is_refused_and_changes_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
        expect_status(
            app.patch(&org, &path, json!({"version": 1, "first_name": "Ada"}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        let problem = expect_status(
            app.patch(&org, &path, json!({"version": 1, "first_name": "Eve"}))
                .await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("current version 2"),
            "[{e}] {problem}"
        );
        let now = expect_status(app.get(&org, &path).await, StatusCode::OK, e).await;
        assert_eq!(
            now["first_name"], "Ada",
            "[{e}] the stale write did not land"
        );
    }
}

#[tokio::test]
async fn search_finds_by_name_phone_and_email_and_pages_by_cursor() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        app.grace(&org).await;
        for (first, last) in [
            ("Alan", "Turing"),
            ("Ada", "Lovelace"),
            ("Edsger", "Dijkstra"),
            ("Barbara", "Liskov"),
        ] {
            app.customer(&org, json!({"first_name": first, "last_name": last}))
                .await;
        }
        let names = |v: &serde_json::Value| -> Vec<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["display_name"].as_str().unwrap().to_string())
                .collect()
        };
        let q = |q: &str| {
            format!(
                "/api/v1/customers?q={}",
                q.replace(' ', "%20")
                    .replace('(', "%28")
                    .replace(')', "%29")
            )
        };
        for query in [
            "hopper",
            "GRACE",
            "(512) 555-0188",
            "5550188",
            "navy.example",
            "grace hop",
        ] {
            let found = expect_status(app.get(&org, &q(query)).await, StatusCode::OK, e).await;
            assert_eq!(names(&found), ["Grace Hopper"], "[{e}] search {query:?}");
        }
        let none = expect_status(app.get(&org, &q("zebra")).await, StatusCode::OK, e).await;
        assert!(names(&none).is_empty());

        let mut seen = vec![];
        let mut path = "/api/v1/customers?limit=2".to_string();
        loop {
            let page = expect_status(app.get(&org, &path).await, StatusCode::OK, e).await;
            seen.extend(names(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("/api/v1/customers?limit=2&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(
            seen,
            [
                "Edsger Dijkstra",
                "Grace Hopper",
                "Barbara Liskov",
                "Ada Lovelace",
                "Alan Turing"
            ],
            "[{e}] alphabetical by surname, each once"
        );

        let bad = expect_status(
            app.get(&org, "/api/v1/customers?cursor=garbage").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&bad), ["cursor"]);
    }
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_and_timeline() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
        app.patch(
            &org,
            &path,
            json!({"version": 1, "phone": "+44 20 7946 0018"}),
        )
        .await;
        app.delete(&org, &path).await;
        // The record is in the bin; its history stays and returns with it.
        app.post(&org, &format!("{path}/restore"), json!({})).await;

        let history = expect_status(
            app.get(&org, &format!("{path}/history")).await,
            StatusCode::OK,
            e,
        )
        .await;
        let entries = history["items"].as_array().unwrap();
        let phone = entries
            .iter()
            .find(|h| h["field"] == "phone" && h["action"] == "customer.updated")
            .expect("phone change audited");
        assert_eq!(phone["before"], "+15125550188", "[{e}]");
        assert_eq!(phone["after"], "+442079460018", "[{e}]");
        assert_eq!(phone["actor"]["kind"], "api_key");
        assert!(
            entries.iter().any(|h| h["action"] == "customer.deleted"),
            "[{e}] the deletion is audited too, and the log outlives it"
        );
        assert!(
            entries
                .iter()
                .any(|h| h["action"] == "customer.created" && h["field"] == "first_name")
        );

        let timeline = expect_status(
            app.get(&org, &format!("{path}/timeline")).await,
            StatusCode::OK,
            e,
        )
        .await;
        let actions: Vec<&str> = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "customer.restored",
                "customer.deleted",
                "customer.updated",
                "customer.created"
            ],
            "[{e}] newest first"
        );
        let filtered = expect_status(
            app.get(&org, &format!("{path}/timeline?kind=note")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            filtered["items"].as_array().unwrap().is_empty(),
            "[{e}] the kind filter applies"
        );
    }
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    for app in apps().await {
        let org = app.org("acme").await;
        app.grace(&org).await;
        let tampered = app
            .store
            .write(|c| Box::pin(async move { c.batch("DELETE FROM audit_log").await }))
            .await;
        assert!(
            tampered.is_err(),
            "[{}] the database itself refuses to rewrite history",
            app.engine
        );
    }
}

#[tokio::test]
async fn health_and_openapi_are_served() {
    for app in apps().await {
        let e = app.engine;
        let health = app.http.get(app.url("/healthz")).send().await.unwrap();
        let health = expect_status(health, StatusCode::OK, e).await;
        assert_eq!(health["database"], "ok");
        let doc = app.openapi().await;
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1"),
            "OpenAPI 3.1"
        );
        let conflict = &doc["paths"]["/api/v1/customers/{id}"]["patch"]["responses"]["409"];
        assert!(
            conflict["content"]["application/problem+json"].is_object(),
            "[{e}] errors are documented as problem+json: {conflict}"
        );
        let unauthorized = &doc["paths"]["/api/v1/customers"]["get"]["responses"]["401"];
        assert!(unauthorized["content"]["application/problem+json"].is_object());
        for path in [
            "/api/v1/customers",
            "/api/v1/customers/{id}",
            "/api/v1/customers/{id}/history",
            "/api/v1/customers/{id}/timeline",
        ] {
            assert!(
                doc["paths"][path].is_object(),
                "[{e}] {path} is documented in {:?}",
                doc["paths"]
                    .as_object()
                    .map(|p| p.keys().collect::<Vec<_>>())
            );
        }
    }
}

/// What a client generated from the OpenAPI document relies on (each of
/// these was wrong once, found by fuzzing against the served document):
/// query parameters are documented in the query, each schema name is one
/// type, and enumerated words are spelled as the API sends them.
#[tokio::test]
async fn the_openapi_document_describes_what_the_api_takes_and_sends() {
    let app = &apps().await[0];
    let doc = app.openapi().await;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, op) in operations.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    p["in"] == "path",
                    in_path,
                    "{method} {path}: parameter {name} is documented in {}",
                    p["in"]
                );
                if name == "limit" {
                    let range = &p["schema"];
                    assert!(
                        range["minimum"] == 1 && range["maximum"].is_u64(),
                        "{method} {path}: the page size's range is documented: {range}"
                    );
                }
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    for (name, schema) in schemas.as_object().unwrap() {
        if name == "Currency" {
            // ISO 4217 codes, sent in upper case.
            continue;
        }
        for word in schema["enum"].as_array().into_iter().flatten() {
            let word = word.as_str().unwrap_or_default();
            assert_eq!(word, word.to_lowercase(), "{name}: {word}");
        }
    }
    // Types that once shared a name with another (the last one won).
    let has = |schema: &str, part: &str, word: &str| match part {
        "enum" => schemas[schema]["enum"]
            .as_array()
            .is_some_and(|words| words.contains(&json!(word))),
        _ => schemas[schema]["properties"][word].is_object(),
    };
    for (schema, part, word) in [
        ("Problem", "properties", "title"),
        ("ImportProblem", "properties", "line"),
        ("DeliveryChannel", "enum", "smtp"),
        ("Channel", "enum", "whatsapp"),
        ("TicketMessageInput", "properties", "author"),
        ("MessageInput", "properties", "template_id"),
        ("InvoiceStatus", "enum", "partially_paid"),
        ("Currency", "enum", "USD"),
    ] {
        assert!(has(schema, part, word), "{schema} has {part} {word}");
    }
    // A change to one stored record is checked against the version the
    // client read, so its body must say that the version is needed.
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in ["put", "patch"] {
            let body = &operations[method]["requestBody"]["content"]["application/json"]["schema"];
            let Some(reference) = body["$ref"].as_str() else {
                continue;
            };
            let schema = &schemas[reference.trim_start_matches("#/components/schemas/")];
            if path.ends_with("{id}") && schema["properties"]["version"].is_object() {
                assert!(
                    schema["required"]
                        .as_array()
                        .is_some_and(|r| r.contains(&json!("version"))),
                    "{method} {path}: version is optional in {reference}"
                );
            }
        }
    }
}
