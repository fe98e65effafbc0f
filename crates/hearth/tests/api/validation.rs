use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

async fn count(app: &TestApp, org: &TestOrg) -> usize {
    let list = expect_status(
        app.get(org, "/api/v1/customers?limit=200").await,
        StatusCode::OK,
        app.engine,
    )
    .await;
    list["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let cases = [
            (json!({"email": "a@b.com"}), "first_name"),
            (
                json!({"first_name": "Ann", "email": "not-an-email"}),
                "email",
            ),
            (
                json!({"first_name": "Ann", "phone": "call me maybe"}),
                "phone",
            ),
            (json!({"first_name": "Ann", "phone": "+1 000 000"}), "phone"),
            (
                json!({"first_name": "Ann", "favourite_colour": "red"}),
                "favourite_colour",
            ),
            (json!({"first_name": 42}), "first_name"),
            (
                json!({"first_name": "Ann", "preferred_contact_method": "pigeon"}),
                "preferred_contact_method",
            ),
            (
                json!({"first_name": "Ann", "customer_since": "2999-01-01"}),
                "customer_since",
            ),
            (
                json!({"first_name": "Ann", "customer_since": "yesterday"}),
                "customer_since",
            ),
            (json!({"first_name": "A\u{0}nn"}), "first_name"),
            (json!({"first_name": "x".repeat(201)}), "first_name"),
            (json!([1, 2]), "body"),
        ];
        for (body, field) in cases {
            let res = app.post(&org, "/api/v1/customers", body.clone()).await;
            assert_eq!(
                res.headers()["content-type"],
                "application/problem+json",
                "[{e}] errors are problem+json"
            );
            let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
            assert_eq!(
                problem_fields(&problem),
                [field],
                "[{e}] {body} → {problem}"
            );
        }
        assert_eq!(count(&app, &org).await, 0, "[{e}] nothing was created");

        let c = app.grace(&org).await;
        let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
        let problem = expect_status(
            app.patch(&org, &path, json!({"first_name": "Ann"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["version"],
            "[{e}] an update must say which version it changes"
        );
        let problem = expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": 1, "first_name": null, "last_name": null}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["first_name"],
            "[{e}] clearing every name is refused"
        );
        let problem = expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": 1, "email": "bad", "phone": "bad"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["email", "phone"],
            "[{e}] all bad fields at once"
        );
        let unchanged = expect_status(app.get(&org, &path).await, StatusCode::OK, e).await;
        assert_eq!(unchanged, c, "[{e}] failed updates change nothing");
    }
}

#[tokio::test]
async fn wrong_media_type_malformed_json_and_oversized_bodies_are_refused() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let url = app.url("/api/v1/customers");
        let res = app
            .http
            .post(&url)
            .bearer_auth(&org.key)
            .body("first_name=Ann")
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, e).await;
        let res = app
            .post_json_text(&org, "/api/v1/customers", "{\"first_name\": ")
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["body"]);
        let huge = json!({"first_name": "x".repeat(2 * 1024 * 1024)});
        let res = app.post(&org, "/api/v1/customers", huge).await;
        expect_status(res, StatusCode::PAYLOAD_TOO_LARGE, e).await;
        let bad_query = expect_status(
            app.get(&org, "/api/v1/customers?limit=lots").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(bad_query["status"], 422);
        let unknown = expect_status(
            app.get(&org, "/api/v1/customers?colour=red").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&unknown), ["colour"]);
        expect_status(
            app.get(&org, "/api/v1/customers/not-a-uuid").await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        expect_status(
            app.get(&org, "/api/v1/nothing-here").await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        assert_eq!(count(&app, &org).await, 0, "[{e}]");
    }
}

#[tokio::test]
async fn nul_characters_in_queries_are_refused_not_crashed_on() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let id = c["id"].as_str().unwrap();
        for path in [
            "/api/v1/customers?q=a%00b".to_string(),
            format!("/api/v1/customers/{id}/timeline?kind=x%00"),
        ] {
            let problem = expect_status(
                app.get(&org, &path).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(problem_fields(&problem), ["query"], "[{e}] {path}");
        }
    }
}

#[tokio::test]
async fn page_sizes_out_of_range_are_refused_and_whole_floats_are_versions() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        for limit in ["0", "201", "-1"] {
            let problem = expect_status(
                app.get(&org, &format!("/api/v1/customers?limit={limit}"))
                    .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(
                problem_fields(&problem),
                [if limit == "-1" { "query" } else { "limit" }],
                "[{e}] limit={limit}"
            );
        }
        let c = app.grace(&org).await;
        let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
        let updated = expect_status(
            app.patch(&org, &path, json!({"version": 1.0, "first_name": "Ada"}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(updated["version"], 2);
        let problem = expect_status(
            app.patch(&org, &path, json!({"version": 2.5})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["version"]);
        // Once deleted, the customer's sub-resources are gone from the API too, until restored.
        app.delete(&org, &path).await;
        expect_status(
            app.get(&org, &format!("{path}/timeline")).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        expect_status(
            app.get(&org, &format!("{path}/history")).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
    }
}

/// JSON does not tell `2.0` from `2`, and JSON Schema (what the OpenAPI
/// document speaks) counts `2.0` as an integer: both are taken where a
/// whole number is asked for, and a fraction is refused by name.
#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_a_whole_number() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let res = app
            .post(
                &org,
                "/api/v1/membership-plans",
                json!({"name": "Comfort Club", "price_minor": 1900.0, "interval": "month", "included_visits": 2.0}),
            )
            .await;
        let plan = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(plan["price_minor"], 1900, "[{e}] {plan}");
        assert_eq!(plan["included_visits"], 2, "[{e}] {plan}");
        let res = app
            .post(
                &org,
                "/api/v1/membership-plans",
                json!({"name": "Half Club", "price_minor": 1900.5, "interval": "month", "included_visits": 2}),
            )
            .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(
            problem["errors"][0]["field"], "price_minor",
            "[{e}] {problem}"
        );
        // A version documented as nullable takes null (it was refused as
        // "did not match any variant"): the quote is simply not there.
        let res = app
            .post(
                &org,
                &format!("/api/v1/quotes/{}/status", uuid::Uuid::now_v7()),
                json!({"status": "sent", "version": null}),
            )
            .await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        // A duplicated key is still refused when nothing needed loosening.
        let res = app
            .post_json_text(
                &org,
                "/api/v1/membership-plans",
                r#"{"name": "A", "name": "B", "price_minor": 100, "interval": "month", "included_visits": 1}"#,
            )
            .await;
        expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
    }
}
