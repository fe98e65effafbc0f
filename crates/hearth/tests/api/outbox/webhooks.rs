use super::*;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

#[tokio::test]
async fn events_are_delivered_signed_retried_and_listed() {
    for app in apps().await {
        let org = app.org("acme").await;
        // The receiver fails the first attempt, so the delivery is retried.
        let receiver = HttpSink::start(1).await;
        let created = expect_status(
            app.post(
                &org,
                "/api/v1/webhooks",
                json!({"url": format!("{}/in", receiver.base), "events": ["customer.created", "lead.won"]}),
            )
            .await,
            StatusCode::CREATED,
            app.engine,
        )
        .await;
        let secret = created["secret"].as_str().unwrap().to_string();
        let hook = created["id"].as_str().unwrap().to_string();
        let listed = expect_status(
            app.get(&org, "/api/v1/webhooks").await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        assert!(
            !listed.to_string().contains(&secret),
            "the secret is shown once only"
        );
        let fetched = expect_status(
            app.get(&org, &format!("/api/v1/webhooks/{hook}")).await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        assert!(fetched.get("secret").is_none());

        let _worker = spawn_worker(&app, worker_config(&app));
        let grace = app.grace(&org).await;
        let requests = eventually("two attempts at the webhook", || async {
            let r = receiver.received();
            (r.len() >= 2).then_some(r)
        })
        .await;
        assert_eq!(requests.len(), 2, "[{}] exactly one retry", app.engine);
        let (first, second) = (&requests[0], &requests[1]);
        assert_eq!(first.path, "/in");
        assert_eq!(first.body, second.body, "a retry sends the same event");
        assert_eq!(
            first.headers["idempotency-key"],
            second.headers["idempotency-key"]
        );
        assert_eq!(second.headers["hearth-event"], "customer.created");
        let body: Value = serde_json::from_str(&second.body).unwrap();
        assert_eq!(body["event"], "customer.created");
        assert_eq!(body["data"]["entity_id"], grace["id"]);

        // The signature is HMAC-SHA256 of "t.body" with the secret.
        let signature = second.headers["hearth-signature"].to_str().unwrap();
        let (t, v1) = signature
            .strip_prefix("t=")
            .and_then(|s| s.split_once(",v1="))
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{}", second.body).as_bytes());
        assert_eq!(hex::encode(mac.finalize().into_bytes()), v1);

        let deliveries = eventually("the delivery to be recorded as sent", || async {
            let page = expect_status(
                app.get(&org, &format!("/api/v1/webhooks/{hook}/deliveries"))
                    .await,
                StatusCode::OK,
                app.engine,
            )
            .await;
            (page["items"][0]["status"] == "sent").then_some(page)
        })
        .await;
        let items = deliveries["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{deliveries}");
        assert_eq!(items[0]["event"], "customer.created");
        assert_eq!(items[0]["attempts"], 2);

        // Unsubscribed: later events are not delivered.
        expect_status(
            app.delete(&org, &format!("/api/v1/webhooks/{hook}")).await,
            StatusCode::NO_CONTENT,
            app.engine,
        )
        .await;
        app.customer(&org, json!({"first_name": "Ada"})).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(receiver.received().len(), 2, "[{}]", app.engine);
    }
}

#[tokio::test]
async fn bad_subscriptions_name_the_field() {
    for app in apps().await {
        let org = app.org("acme").await;
        for (body, field) in [
            (json!({"url": "ftp://x", "events": ["lead.won"]}), "url"),
            (
                json!({"url": "https://x.example", "events": ["lead.eaten"]}),
                "events",
            ),
            (json!({"url": "https://x.example", "events": []}), "events"),
        ] {
            let problem = expect_status(
                app.post(&org, "/api/v1/webhooks", body).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                app.engine,
            )
            .await;
            assert_eq!(
                problem_fields(&problem),
                [field],
                "[{}] {problem}",
                app.engine
            );
        }
        let listed = expect_status(
            app.get(&org, "/api/v1/webhooks").await,
            StatusCode::OK,
            app.engine,
        )
        .await;
        assert_eq!(listed, json!([]));
    }
}
