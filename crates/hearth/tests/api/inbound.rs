//! Inbound hooks (issue 6): signed SMS, call events, chat and WhatsApp Cloud
//! API deliveries, threaded onto customers and leads, over HTTP on both
//! engines. Signatures are computed here from the documented scheme.

use crate::billing::items;
use crate::helpers::*;
use crate::search::next_event;
use hearth_domain::auth::Role;
use hearth_store::{Raw, work};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

fn hmac_hex(key: &str, parts: &[&[u8]]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).unwrap();
    for p in parts {
        mac.update(p);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// `Hearth-Signature: t=<unix>,v1=<hex HMAC of "<t>.<body>">`.
fn hearth_signature(secret: &str, t: i64, body: &[u8]) -> String {
    let t_text = t.to_string();
    let tag = hmac_hex(secret, &[t_text.as_bytes(), b".", body]);
    format!("t={t},v1={tag}")
}

/// The org's id (from its hook paths) and a fresh inbound secret.
async fn hook_setup(app: &TestApp, org: &TestOrg) -> (String, String) {
    let rotated = expect_status(
        app.post(org, "/api/v1/settings/inbound/secret", json!({}))
            .await,
        StatusCode::OK,
        app.engine,
    )
    .await;
    let sms = rotated["hooks"]["sms"].as_str().unwrap();
    let org_id = sms.trim_start_matches("/hooks/sms/").to_string();
    (org_id, rotated["secret"].as_str().unwrap().to_string())
}

async fn post_signed(
    app: &TestApp,
    kind: &str,
    org_id: &str,
    secret: &str,
    body: &Value,
) -> reqwest::Response {
    let body = serde_json::to_vec(body).unwrap();
    let now = chrono::Utc::now().timestamp();
    app.http
        .post(app.url(&format!("/hooks/{kind}/{org_id}")))
        .header("content-type", "application/json")
        .header("hearth-signature", hearth_signature(secret, now, &body))
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Rows an inbound event could have written, across all orgs.
async fn stored(app: &TestApp) -> Vec<i64> {
    app.store
        .read(work!(|c| async {
            let mut counts = Vec::new();
            for sql in [
                "SELECT COUNT(*) FROM communications",
                "SELECT COUNT(*) FROM leads",
                "SELECT COUNT(*) FROM inbound_receipts",
                "SELECT COUNT(*) FROM lead_signals",
            ] {
                counts.push(c.query_one(&Raw(sql, vec![]), |r| r.get::<i64>(0)).await?);
            }
            Ok(counts)
        }))
        .await
        .unwrap()
}

async fn leads_of(app: &TestApp, org: &TestOrg) -> Vec<Value> {
    items(&ok(app, org, "/api/v1/leads").await)
}

#[tokio::test]
async fn bad_signatures_and_other_orgs_secrets_are_refused_and_store_nothing() {
    for app in apps().await {
        let e = app.engine;
        let acme = app.org("acme").await;
        let beta = app.org("beta").await;
        let (acme_id, acme_secret) = hook_setup(&app, &acme).await;
        let (_, beta_secret) = hook_setup(&app, &beta).await;
        let sms = json!({"id": "SM1", "from": "+1 415 555 0100", "text": "Is anyone free today?"});
        let before = stored(&app).await;

        // Another org's secret, a tampered body, a stale or missing signature.
        let res = post_signed(&app, "sms", &acme_id, &beta_secret, &sms).await;
        expect_status(res, StatusCode::UNAUTHORIZED, e).await;
        let body = serde_json::to_vec(&sms).unwrap();
        let now = chrono::Utc::now().timestamp();
        let signed_other = hearth_signature(&acme_secret, now, b"{\"id\":\"SM2\"}");
        let stale = hearth_signature(&acme_secret, now - 3600, &body);
        for header in [Some(signed_other), Some(stale), Some("v1=00".into()), None] {
            let mut req = app
                .http
                .post(app.url(&format!("/hooks/sms/{acme_id}")))
                .header("content-type", "application/json")
                .body(body.clone());
            if let Some(h) = header {
                req = req.header("hearth-signature", h);
            }
            expect_status(req.send().await.unwrap(), StatusCode::UNAUTHORIZED, e).await;
        }
        for kind in ["calls", "chat"] {
            let res = post_signed(&app, kind, &acme_id, &beta_secret, &sms).await;
            expect_status(res, StatusCode::UNAUTHORIZED, e).await;
        }
        // WhatsApp before its keys are set, and with a wrong app secret.
        let wa = serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": []}))
            .unwrap();
        let res = app
            .http
            .post(app.url(&format!("/hooks/whatsapp/{acme_id}")))
            .header(
                "x-hub-signature-256",
                format!("sha256={}", hmac_hex("guess", &[&wa])),
            )
            .body(wa.clone())
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::UNAUTHORIZED, e).await;
        assert_eq!(stored(&app).await, before, "[{e}] nothing stored");

        // A rotated secret retires the old one.
        let (_, new_secret) = hook_setup(&app, &acme).await;
        let res = post_signed(&app, "sms", &acme_id, &acme_secret, &sms).await;
        expect_status(res, StatusCode::UNAUTHORIZED, e).await;
        assert_eq!(stored(&app).await, before, "[{e}] nothing stored");
        let res = post_signed(&app, "sms", &acme_id, &new_secret, &sms).await;
        expect_status(res, StatusCode::OK, e).await;
        assert_ne!(stored(&app).await, before, "[{e}] the signed one is taken");

        // An unknown org is not found.
        let res = post_signed(
            &app,
            "sms",
            &uuid::Uuid::now_v7().to_string(),
            &new_secret,
            &sms,
        )
        .await;
        expect_status(res, StatusCode::NOT_FOUND, e).await;
    }
}

#[tokio::test]
async fn an_unknown_number_becomes_a_lead_and_its_next_message_attaches() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (org_id, secret) = hook_setup(&app, &org).await;
        let first = json!({"id": "SM100", "from": "(415) 555-0100", "text": "Boiler is leaking, can you come?"});
        let r = expect_status(
            post_signed(&app, "sms", &org_id, &secret, &first).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(r["status"], "received", "[{e}] {r}");
        assert_eq!(r["received"]["lead_created"], true, "[{e}]");
        let leads = leads_of(&app, &org).await;
        assert_eq!(leads.len(), 1, "[{e}]");
        assert_eq!(leads[0]["source"], "phone", "[{e}]");
        assert_eq!(leads[0]["phone"], "+14155550100", "[{e}]");
        let first_score = leads[0]["score"].as_i64().unwrap();
        assert!(first_score > 0, "[{e}] the signal moved the score");

        // The provider redelivers the same message: nothing new.
        let before = stored(&app).await;
        let r = expect_status(
            post_signed(&app, "sms", &org_id, &secret, &first).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(r["status"], "duplicate", "[{e}] {r}");
        assert_eq!(
            stored(&app).await,
            before,
            "[{e}] a redelivery stores nothing"
        );

        // A second message from the same number (any format) attaches.
        let second = json!({"id": "SM101", "from": "+1 415 555 0100", "text": "Still there?"});
        let r = expect_status(
            post_signed(&app, "sms", &org_id, &secret, &second).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(r["received"]["lead_created"], false, "[{e}]");
        assert_eq!(r["received"]["lead_id"], leads[0]["id"], "[{e}]");
        let leads = leads_of(&app, &org).await;
        assert_eq!(leads.len(), 1, "[{e}] no duplicate lead");
        assert!(leads[0]["score"].as_i64().unwrap() > first_score, "[{e}]");
        let tl = ok(
            &app,
            &org,
            &format!("/api/v1/leads/{}/timeline", id(&leads[0])),
        )
        .await;
        let summaries: Vec<&str> = tl["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["summary"].as_str().unwrap())
            .collect();
        assert!(
            summaries.iter().any(|s| s.contains("Still there?")),
            "[{e}] {summaries:?}"
        );
        assert!(
            summaries.iter().any(|s| s.contains("Inbound text message")),
            "[{e}] {summaries:?}"
        );
        assert!(
            summaries.iter().any(|s| s.contains("captured by SMS")),
            "[{e}] {summaries:?}"
        );
    }
}

#[tokio::test]
async fn a_known_customers_sms_threads_onto_them() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = app.grace(&org).await;
        let (org_id, secret) = hook_setup(&app, &org).await;
        let sms = json!({"id": "SM7", "from": "512-555-0188", "text": "Running 10 minutes late", "received_at": "2026-11-20T15:04:05Z"});
        let r = expect_status(
            post_signed(&app, "sms", &org_id, &secret, &sms).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(r["received"]["customer_id"], grace["id"], "[{e}] {r}");
        assert_eq!(r["received"]["lead_id"], Value::Null, "[{e}]");
        assert!(
            leads_of(&app, &org).await.is_empty(),
            "[{e}] a customer is not a lead"
        );
        let log = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/communications", id(&grace)),
        )
        .await;
        let log = items(&log);
        assert_eq!(log.len(), 1, "[{e}]");
        assert_eq!(
            (
                log[0]["channel"].as_str(),
                log[0]["direction"].as_str(),
                log[0]["body"].as_str()
            ),
            (Some("sms"), Some("in"), Some("Running 10 minutes late")),
            "[{e}]"
        );
        assert_eq!(log[0]["occurred_at"], "2026-11-20T15:04:05Z", "[{e}]");

        // Another org's hook with this org's secret does not reach Grace.
        let other = app.org("beta").await;
        let (other_id, _) = hook_setup(&app, &other).await;
        let res = post_signed(
            &app,
            "sms",
            &other_id,
            &secret,
            &json!({"id": "SM8", "from": "512-555-0188", "text": "x"}),
        )
        .await;
        expect_status(res, StatusCode::UNAUTHORIZED, e).await;

        // A signed but broken payload names the field and stores nothing.
        let before = stored(&app).await;
        let res = post_signed(
            &app,
            "sms",
            &org_id,
            &secret,
            &json!({"id": "SM9", "from": "nobody", "text": ""}),
        )
        .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["from", "text"], "[{e}]");
        let res = post_signed(
            &app,
            "sms",
            &org_id,
            &secret,
            &json!({"from": "512-555-0188", "text": "hi"}),
        )
        .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["id"], "[{e}]");
        assert_eq!(stored(&app).await, before, "[{e}] nothing stored");
    }
}

#[tokio::test]
async fn call_events_ring_the_dashboard_and_log_the_completed_call() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = app.grace(&org).await;
        let (org_id, secret) = hook_setup(&app, &org).await;
        let mut stream = app
            .http
            .get(app.url("/api/v1/events/stream"))
            .bearer_auth(&org.key)
            .send()
            .await
            .unwrap();
        let mut buf = String::new();
        // PostgreSQL relays through LISTEN, which may still be connecting
        // when the server has just started: ring (new calls) until it is up.
        let mut card = None;
        for n in 0..10 {
            let ring = json!({"id": format!("CA-warmup-{n}"), "event": "ringing", "from": "+1 512 555 0188"});
            expect_status(
                post_signed(&app, "calls", &org_id, &secret, &ring).await,
                StatusCode::OK,
                e,
            )
            .await;
            card = next_event(&mut stream, &mut buf, "incoming_call").await;
            if card.is_some() {
                break;
            }
        }
        let card = card.unwrap_or_else(|| panic!("[{e}] no incoming_call event"));
        assert_eq!(card["items"][0]["customer_id"], grace["id"], "[{e}]");
        assert_eq!(card["e164"], "+15125550188", "[{e}]");

        let call = |event: &str, extra: Value| {
            let mut body = json!({"id": "CA-1", "event": event, "from": "+1 512 555 0188"});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body
        };
        for (event, extra) in [
            ("ringing", json!({})),
            ("answered", json!({})),
            (
                "completed",
                json!({"duration_seconds": 95, "outcome": "answered"}),
            ),
        ] {
            let r = expect_status(
                post_signed(&app, "calls", &org_id, &secret, &call(event, extra)).await,
                StatusCode::OK,
                e,
            )
            .await;
            assert_eq!(r["received"]["customer_id"], grace["id"], "[{e}] {event}");
        }
        let log = items(
            &ok(
                &app,
                &org,
                &format!(
                    "/api/v1/customers/{}/communications?channel=call",
                    id(&grace)
                ),
            )
            .await,
        );
        assert_eq!(log.len(), 1, "[{e}] one call, logged when it completed");
        assert_eq!(
            (
                log[0]["duration_seconds"].as_i64(),
                log[0]["direction"].as_str()
            ),
            (Some(95), Some("in")),
            "[{e}]"
        );

        // A completed event without a duration is refused, naming it.
        let res = post_signed(
            &app,
            "calls",
            &org_id,
            &secret,
            &call("completed", json!({})),
        )
        .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["duration_seconds"], "[{e}]");

        // An unknown caller becomes a phone lead, scored once per call.
        let unknown = |event: &str, extra: Value| {
            let mut body = json!({"id": "CA-2", "event": event, "from": "+1 737 555 0142"});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body
        };
        let r = expect_status(
            post_signed(
                &app,
                "calls",
                &org_id,
                &secret,
                &unknown("ringing", json!({})),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(r["received"]["lead_created"], true, "[{e}] {r}");
        expect_status(
            post_signed(
                &app,
                "calls",
                &org_id,
                &secret,
                &unknown("completed", json!({"duration_seconds": 30})),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        let leads = leads_of(&app, &org).await;
        assert_eq!(leads.len(), 1, "[{e}]");
        assert_eq!(leads[0]["source"], "phone", "[{e}]");
        assert_eq!(
            leads[0]["score_breakdown"][0]["signal"], "inbound_call",
            "[{e}]"
        );
        assert_eq!(
            leads[0]["score_breakdown"][0]["count"], 1,
            "[{e}] one call, one signal"
        );
    }
}

/// Meta's sample text-message notification.
const WHATSAPP_SAMPLE: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]},"field":"messages"}]}]}"#;

#[tokio::test]
async fn whatsapp_cloud_api_deliveries_and_handshake() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (org_id, _) = hook_setup(&app, &org).await;
        let view = expect_status(
            app.api(
                &org,
                reqwest::Method::PUT,
                "/api/v1/settings/inbound/whatsapp",
                Some(json!({"app_secret": "meta-app-secret-1", "verify_token": "my-verify-token"})),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(view["whatsapp_set"], true, "[{e}]");
        assert!(
            !view.to_string().contains("meta-app-secret-1"),
            "[{e}] never shown"
        );
        let res = app
            .api(
                &org,
                reqwest::Method::PUT,
                "/api/v1/settings/inbound/whatsapp",
                Some(json!({"app_secret": "short", "verify_token": "my-verify-token"})),
            )
            .await;
        assert_eq!(
            problem_fields(&expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await),
            ["app_secret"]
        );

        let path = format!("/hooks/whatsapp/{org_id}");
        let handshake = |token: &str| {
            app.http
                .get(app.url(&format!(
                    "{path}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
                )))
                .send()
        };
        let res = handshake("my-verify-token").await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
        assert_eq!(res.text().await.unwrap(), "1158201444", "[{e}]");
        assert_eq!(
            handshake("wrong").await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "[{e}]"
        );

        let post = |body: &str| {
            app.http
                .post(app.url(&path))
                .header("content-type", "application/json")
                .header(
                    "x-hub-signature-256",
                    format!(
                        "sha256={}",
                        hmac_hex("meta-app-secret-1", &[body.as_bytes()])
                    ),
                )
                .body(body.to_string())
                .send()
        };
        let r = expect_status(post(WHATSAPP_SAMPLE).await.unwrap(), StatusCode::OK, e).await;
        assert_eq!(r["items"][0]["lead_created"], true, "[{e}] {r}");
        let leads = leads_of(&app, &org).await;
        assert_eq!(leads.len(), 1, "[{e}]");
        assert_eq!(
            (
                leads[0]["source"].as_str(),
                leads[0]["first_name"].as_str(),
                leads[0]["last_name"].as_str(),
                leads[0]["phone"].as_str()
            ),
            (
                Some("whatsapp"),
                Some("Sheena"),
                Some("Nelson"),
                Some("+16505551234")
            ),
            "[{e}]"
        );
        let before = stored(&app).await;
        let r = expect_status(post(WHATSAPP_SAMPLE).await.unwrap(), StatusCode::OK, e).await;
        assert_eq!(r["items"][0]["duplicate"], true, "[{e}]");
        assert_eq!(
            stored(&app).await,
            before,
            "[{e}] Meta's retry stores nothing"
        );

        // A bad number in the payload is named by its path.
        let bad = WHATSAPP_SAMPLE
            .replace("\"from\":\"16505551234\"", "\"from\":\"12\"")
            .replace("wamid.HB", "wamid.XX");
        let problem = expect_status(
            post(&bad).await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["entry[0].changes[0].value.messages[0].from"],
            "[{e}]"
        );
        assert_eq!(stored(&app).await, before, "[{e}]");
    }
}

#[tokio::test]
async fn chat_messages_capture_leads_by_email() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (org_id, secret) = hook_setup(&app, &org).await;
        let chat = json!({"id": "chat-1", "name": "Ann Lee", "email": "Ann@Example.com", "text": "Do you service heat pumps?"});
        expect_status(
            post_signed(&app, "chat", &org_id, &secret, &chat).await,
            StatusCode::OK,
            e,
        )
        .await;
        let again = json!({"id": "chat-2", "email": "ann@example.com", "text": "Hello?"});
        expect_status(
            post_signed(&app, "chat", &org_id, &secret, &again).await,
            StatusCode::OK,
            e,
        )
        .await;
        let leads = leads_of(&app, &org).await;
        assert_eq!(leads.len(), 1, "[{e}]");
        assert_eq!(
            (leads[0]["source"].as_str(), leads[0]["email"].as_str()),
            (Some("chat"), Some("ann@example.com")),
            "[{e}]"
        );
        assert_eq!(leads[0]["score_breakdown"][0]["count"], 2, "[{e}]");
        let res = post_signed(
            &app,
            "chat",
            &org_id,
            &secret,
            &json!({"id": "chat-3", "text": "anonymous"}),
        )
        .await;
        let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["phone"], "[{e}]");
    }
}

#[tokio::test]
async fn inbound_keys_are_managed_by_owners_and_admins_and_never_shown_again() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let unset = ok(&app, &org, "/api/v1/settings/inbound").await;
        assert_eq!(
            (
                unset["secret_set"].as_bool(),
                unset["whatsapp_set"].as_bool()
            ),
            (Some(false), Some(false)),
            "[{e}]"
        );
        let (_, secret) = hook_setup(&app, &org).await;
        let shown = ok(&app, &org, "/api/v1/settings/inbound").await;
        assert_eq!(shown["secret_set"], true, "[{e}]");
        assert!(
            secret.ends_with(shown["secret_hint"].as_str().unwrap()),
            "[{e}]"
        );
        assert!(
            !shown.to_string().contains(&secret),
            "[{e}] the secret is not returned again"
        );
        let tech = app.org_with_key_role("tech", Role::Technician).await;
        for res in [
            app.get(&tech, "/api/v1/settings/inbound").await,
            app.post(&tech, "/api/v1/settings/inbound/secret", json!({}))
                .await,
        ] {
            expect_status(res, StatusCode::FORBIDDEN, e).await;
        }
    }
}

#[tokio::test]
async fn the_settings_page_shows_the_secret_once_then_masked() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let b = Staff::sign_in(&app, &org).await;
        let html = b.page("/settings/inbound", StatusCode::OK).await;
        assert!(html.contains("No secret yet"), "[{e}]");
        let (status, _, made) = b.post("/settings/inbound/secret", &[]).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let secret = made
            .split("<code id=\"new-secret\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_string();
        assert!(secret.starts_with("ihk_"), "[{e}] {secret}");
        let html = b.page("/settings/inbound", StatusCode::OK).await;
        assert!(!html.contains(&secret), "[{e}] never shown again");
        let hint: String = secret.chars().skip(secret.chars().count() - 4).collect();
        assert!(html.contains(&format!("••••••••{hint}")), "[{e}] masked");
        // The secret made on the page signs deliveries.
        let org_id = ok(&app, &org, "/api/v1/settings/inbound").await["hooks"]["sms"]
            .as_str()
            .unwrap()
            .trim_start_matches("/hooks/sms/")
            .to_string();
        let sms = json!({"id": "SM1", "from": "+1 415 555 0100", "text": "hi"});
        expect_status(
            post_signed(&app, "sms", &org_id, &secret, &sms).await,
            StatusCode::OK,
            e,
        )
        .await;
    }
}

#[tokio::test]
async fn a_converted_lead_keeps_its_messages_and_gets_the_next_ones() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (org_id, secret) = hook_setup(&app, &org).await;
        let first =
            json!({"id": "SM1", "from": "+1 415 555 0100", "text": "Quote for a new boiler?"});
        let r = expect_status(
            post_signed(&app, "sms", &org_id, &secret, &first).await,
            StatusCode::OK,
            e,
        )
        .await;
        let lead = r["received"]["lead_id"].as_str().unwrap().to_string();
        // A texter has no name yet; a customer needs one.
        let current = ok(&app, &org, &format!("/api/v1/leads/{lead}")).await;
        expect_status(
            app.patch(
                &org,
                &format!("/api/v1/leads/{lead}"),
                json!({"version": current["version"], "first_name": "Rosa"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        let converted = expect_status(
            app.post(&org, &format!("/api/v1/leads/{lead}/convert"), json!({}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        let customer = converted["customer_id"].as_str().unwrap().to_string();
        let second =
            json!({"id": "SM2", "from": "(415) 555-0100", "text": "Thanks, see you Tuesday"});
        let r = expect_status(
            post_signed(&app, "sms", &org_id, &secret, &second).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            r["received"]["customer_id"],
            customer.as_str(),
            "[{e}] threads onto the customer now"
        );
        assert_eq!(r["received"]["lead_id"], Value::Null, "[{e}]");
        let log = items(
            &ok(
                &app,
                &org,
                &format!("/api/v1/customers/{customer}/communications"),
            )
            .await,
        );
        let bodies: Vec<&str> = log.iter().map(|m| m["body"].as_str().unwrap()).collect();
        assert_eq!(
            bodies,
            ["Thanks, see you Tuesday", "Quote for a new boiler?"],
            "[{e}]"
        );
    }
}
