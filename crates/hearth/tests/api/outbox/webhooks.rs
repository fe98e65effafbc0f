use super::*;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

/// Whether a delivery's `Hearth-Signature` is HMAC-SHA256 of "t.body"
/// under `secret`.
fn signed_with(secret: &str, delivery: &Received) -> bool {
    let signature = delivery.headers["hearth-signature"].to_str().unwrap();
    let (t, v1) = signature
        .strip_prefix("t=")
        .and_then(|s| s.split_once(",v1="))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", delivery.body).as_bytes());
    hex::encode(mac.finalize().into_bytes()) == v1
}

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

        assert!(signed_with(&secret, second), "[{}]", app.engine);

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

#[tokio::test]
async fn subscriptions_are_edited_paused_and_given_a_new_secret() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (old_receiver, receiver) = (HttpSink::start(0).await, HttpSink::start(0).await);
        let created = expect_status(
            app.post(
                &org,
                "/api/v1/webhooks",
                json!({"url": format!("{}/in", old_receiver.base), "events": ["lead.won"]}),
            )
            .await,
            StatusCode::CREATED,
            e,
        )
        .await;
        let old_secret = created["secret"].as_str().unwrap().to_string();
        let path = format!("/api/v1/webhooks/{}", created["id"].as_str().unwrap());
        assert_eq!(
            (created["active"].as_bool(), created["version"].as_i64()),
            (Some(true), Some(1)),
            "[{e}]"
        );
        let _worker = spawn_worker(&app, worker_config(&app));

        // Edited: a new URL and events.
        let edit = json!({"version": 1, "url": format!("{}/hooks", receiver.base),
                          "events": ["customer.created", "customer.updated"]});
        let edited = expect_status(
            app.patch(&org, &path, edit.clone()).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(edited["version"], 2, "[{e}]");
        assert_eq!(
            edited["events"],
            json!(["customer.created", "customer.updated"]),
            "[{e}]"
        );
        expect_status(app.patch(&org, &path, edit).await, StatusCode::CONFLICT, e).await;
        let problem = expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": 2, "url": "hooks.example", "active": false}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["url"], "[{e}]");
        assert_eq!(ok(&app, &org, &path).await, edited, "[{e}] nothing changed");
        let other = app.org("beta").await;
        for res in [
            app.patch(&other, &path, json!({"version": 2, "active": false}))
                .await,
            app.post(&other, &format!("{path}/rotate-secret"), json!({}))
                .await,
        ] {
            expect_status(res, StatusCode::NOT_FOUND, e).await;
        }

        // Paused: events meanwhile are not delivered, then or later.
        let paused = expect_status(
            app.patch(&org, &path, json!({"version": 2, "active": false}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(paused["active"], false, "[{e}]");
        app.customer(&org, json!({"first_name": "Ada"})).await;

        // A new secret, shown this once.
        let rotated = expect_status(
            app.post(&org, &format!("{path}/rotate-secret"), json!({}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        let secret = rotated["secret"].as_str().unwrap().to_string();
        assert!(
            secret.starts_with("whsec_") && secret != old_secret,
            "[{e}]"
        );
        assert_eq!(rotated["version"], 3, "[{e}] a rotation is not an edit");
        assert!(
            !ok(&app, &org, &path).await.to_string().contains(&secret),
            "[{e}]"
        );

        expect_status(
            app.patch(&org, &path, json!({"version": 3, "active": true}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        let grace = app.grace(&org).await;
        let delivered = eventually("the delivery after resuming", || async {
            let r = receiver.received();
            (!r.is_empty()).then_some(r)
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            receiver.received().len(),
            1,
            "[{e}] Ada's event was never sent"
        );
        assert!(old_receiver.received().is_empty(), "[{e}]");
        let body: Value = serde_json::from_str(&delivered[0].body).unwrap();
        assert_eq!(body["data"]["entity_id"], grace["id"], "[{e}]");
        assert_eq!(delivered[0].path, "/hooks", "[{e}]");
        assert!(
            signed_with(&secret, &delivered[0]),
            "[{e}] signed with the new secret"
        );
        assert!(
            !signed_with(&old_secret, &delivered[0]),
            "[{e}] not the old one"
        );
    }
}
