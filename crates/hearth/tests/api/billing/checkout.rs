//! Hosted checkout against a real provider stand-in on 127.0.0.1, and the
//! provider's signed webhook.

use super::*;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::{Arc, Mutex};

const SECRET: &str = "whsec_test_0123456789";

/// The signature the provider computes, written out here independently of
/// the server's code: HMAC-SHA256 over "<t>.<body>".
fn sign(secret: &str, body: &[u8]) -> String {
    let t = chrono::Utc::now().timestamp();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let (t, tag) = match header.split_once(",v1=") {
        Some((t, tag)) => (t.trim_start_matches("t="), tag),
        None => return false,
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::decode(tag).is_ok_and(|tag| mac.verify_slice(&tag).is_ok())
}

#[derive(Clone, Default)]
struct Provider {
    sessions: Arc<Mutex<Vec<Value>>>,
}

async fn create_session(
    State(p): State<Provider>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (AxumStatus, axum::Json<Value>) {
    let signed = headers
        .get("hearth-signature")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|h| verify(SECRET, h, &body));
    if !signed {
        return (
            AxumStatus::UNAUTHORIZED,
            axum::Json(json!({"error": "bad signature"})),
        );
    }
    let request: Value = serde_json::from_slice(&body).unwrap();
    let mut sessions = p.sessions.lock().unwrap();
    sessions.push(request);
    let id = format!("cs_test_{}", sessions.len());
    let url = format!("https://pay.example.test/{id}");
    (AxumStatus::OK, axum::Json(json!({"id": id, "url": url})))
}

/// Starts the provider stand-in; returns its base URL.
async fn provider() -> (String, Provider) {
    let state = Provider::default();
    let app = axum::Router::new()
        .route("/checkout/sessions", axum::routing::post(create_session))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), state)
}

async fn webhook(
    app: &TestApp,
    provider: &str,
    body: &Value,
    signature: Option<String>,
) -> reqwest::Response {
    let bytes = serde_json::to_vec(body).unwrap();
    let mut req = app
        .http
        .post(app.url(&format!("/hooks/payments/{provider}")))
        .header("content-type", "application/json")
        .body(bytes);
    if let Some(s) = signature {
        req = req.header("hearth-signature", s);
    }
    req.send().await.unwrap()
}

fn completed(session: &str, payment: &str, amount: i64) -> Value {
    json!({"type": "payment.completed", "session_id": session, "payment_id": payment,
           "amount_minor": amount, "currency": "USD"})
}

#[tokio::test]
async fn hosted_checkout_and_its_signed_webhook_record_one_payment() {
    let (base, fake) = provider().await;
    let config = hearth_server::ServerConfig {
        payments: hearth_server::PaymentsConfig {
            url: Some(base),
            secret: Some(hearth_server::Secret::new(SECRET)),
        },
        ..Default::default()
    };
    for app in apps_with(config).await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let inv = open_invoice(&app, &org, &c, json!([line("AC repair", 12_000)])).await;
        let path = format!("/api/v1/invoices/{}", id(&inv));
        let session = created(
            &app,
            &org,
            &format!("{path}/checkout"),
            json!({"return_url": "https://acme.example/thanks"}),
        )
        .await;
        let sid = session["provider_session_id"].as_str().unwrap().to_string();
        assert_eq!(
            session["url"],
            format!("https://pay.example.test/{sid}"),
            "[{e}]"
        );
        assert_eq!(
            (
                session["amount_minor"].as_i64(),
                session["provider"].as_str()
            ),
            (Some(12_000), Some("hosted_checkout"))
        );
        let sent = fake.sessions.lock().unwrap().last().cloned().unwrap();
        assert_eq!(
            sent["amount_minor"], 12_000,
            "[{e}] the provider was asked for the balance"
        );
        assert_eq!(sent["currency"], "USD");
        assert_eq!(sent["reference"], "INV-000001");
        assert_eq!(sent["metadata"]["invoice_id"], inv["id"]);

        // Forged, unsigned and stale-secret webhooks are refused and store nothing.
        let event = completed(&sid, "pay_1", 12_000);
        let bytes = serde_json::to_vec(&event).unwrap();
        for bad in [
            Some(sign("not-the-secret", &bytes)),
            None,
            Some("t=1,v1=00".to_string()),
        ] {
            let res = webhook(&app, "hosted_checkout", &event, bad).await;
            expect_status(res, StatusCode::UNAUTHORIZED, e).await;
        }
        let payments = format!("{path}/payments");
        assert!(
            items(&ok(&app, &org, &payments).await).is_empty(),
            "[{e}] nothing stored"
        );
        assert_eq!(ok(&app, &org, &path).await["status"], "open", "[{e}]");

        let res = webhook(&app, "hosted_checkout", &event, Some(sign(SECRET, &bytes))).await;
        let body = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(body["status"], "recorded", "[{e}]");
        let res = webhook(&app, "hosted_checkout", &event, Some(sign(SECRET, &bytes))).await;
        let again = expect_status(res, StatusCode::OK, e).await;
        assert_eq!(
            again["status"], "duplicate",
            "[{e}] the same payment id twice"
        );
        assert_eq!(again["payment_id"], body["payment_id"]);
        let list = items(&ok(&app, &org, &payments).await);
        assert_eq!(list.len(), 1, "[{e}] one payment");
        assert_eq!(list[0]["provider"], "hosted_checkout");
        assert_eq!(list[0]["provider_payment_id"], "pay_1");
        assert_eq!(list[0]["method"], "card");
        let paid = ok(&app, &org, &path).await;
        assert_eq!(paid["status"], "paid", "[{e}]");
        let loyalty = ok(&app, &org, &format!("/api/v1/customers/{c}/loyalty")).await;
        assert_eq!(
            loyalty["balance"], 120,
            "[{e}] the webhook's payment earns points too"
        );
        let events = timeline(&app, &org, &c, "payment").await;
        assert_eq!(
            events.len(),
            2,
            "[{e}] checkout started + payment received: {events:?}"
        );

        // Nothing left to collect.
        assert_eq!(
            refused(&app, &org, &format!("{path}/checkout"), json!({})).await,
            ["status"],
            "[{e}]"
        );

        // Deliveries racing each other still record once.
        let inv2 = open_invoice(&app, &org, &c, json!([line("Filter", 3_000)])).await;
        let s2 = created(
            &app,
            &org,
            &format!("/api/v1/invoices/{}/checkout", id(&inv2)),
            json!({}),
        )
        .await;
        let event = completed(s2["provider_session_id"].as_str().unwrap(), "pay_2", 3_000);
        let bytes = serde_json::to_vec(&event).unwrap();
        let sends =
            (0..3).map(|_| webhook(&app, "hosted_checkout", &event, Some(sign(SECRET, &bytes))));
        for res in futures::future::join_all(sends).await {
            expect_status(res, StatusCode::OK, e).await;
        }
        let list = items(
            &ok(
                &app,
                &org,
                &format!("/api/v1/invoices/{}/payments", id(&inv2)),
            )
            .await,
        );
        assert_eq!(list.len(), 1, "[{e}] one payment for three deliveries");

        // Unknown sessions and providers.
        let ghost = completed("cs_unknown", "pay_3", 100);
        let ghost_bytes = serde_json::to_vec(&ghost).unwrap();
        let res = webhook(
            &app,
            "hosted_checkout",
            &ghost,
            Some(sign(SECRET, &ghost_bytes)),
        )
        .await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
        for provider in ["manual", "paypal"] {
            let res = webhook(&app, provider, &ghost, Some(sign(SECRET, &ghost_bytes))).await;
            expect_status(res, StatusCode::NOT_FOUND, e).await;
        }
        let other = json!({"type": "payment.refunded", "session_id": "x"});
        let other_bytes = serde_json::to_vec(&other).unwrap();
        let res = webhook(
            &app,
            "hosted_checkout",
            &other,
            Some(sign(SECRET, &other_bytes)),
        )
        .await;
        assert_eq!(
            expect_status(res, StatusCode::OK, e).await["status"],
            "ignored"
        );
    }
}

#[tokio::test]
async fn without_a_provider_checkout_is_refused() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let inv = open_invoice(&app, &org, &c, json!([line("Visit", 5_000)])).await;
        let path = format!("/api/v1/invoices/{}/checkout", id(&inv));
        assert_eq!(
            refused(&app, &org, &path, json!({})).await,
            ["provider"],
            "[{e}]"
        );
        assert_eq!(
            refused(&app, &org, &path, json!({"provider": "manual"})).await,
            ["provider"],
            "[{e}]"
        );
        let res = webhook(&app, "hosted_checkout", &json!({}), None).await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
    }
}
