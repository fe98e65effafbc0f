//! Asking for a link, opening and confirming it, and every way a link or
//! session is refused.

use super::*;
use crate::outbox::HttpSink;
use hearth_store::{Raw, work};

#[tokio::test]
async fn known_and_unknown_addresses_get_the_same_answer_and_only_customers_get_mail() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let mail = Mailroom::start(&app).await;
        let home = household(&app, &org, "Ada").await;

        let known = ask_link(&app, "acme", &home.email).await;
        let unknown = ask_link(&app, "acme", "nobody@home.example.com").await;
        assert_eq!(known.status(), StatusCode::OK, "[{e}]");
        assert_eq!(unknown.status(), StatusCode::OK, "[{e}]");
        let known = known.text().await.unwrap().replace(&home.email, "X");
        let unknown = unknown
            .text()
            .await
            .unwrap()
            .replace("nobody@home.example.com", "X");
        assert_eq!(known, unknown, "[{e}] the answer reveals nothing");

        let link = mail.link(&home.email, 1).await;
        assert!(link.ends_with("?org=acme"), "[{e}] {link}");
        assert_eq!(token_of(&link).len(), 43, "[{e}] 256 bits, base64url");
        assert_eq!(mail.smtp.accepted().len(), 1, "[{e}] nothing for strangers");
        // The token is kept hashed only.
        let token = token_of(&link);
        let stored = app
            .store
            .read(work!(|c| c.query_one(
                &Raw(
                    "SELECT COUNT(*) FROM portal_tokens WHERE token_hash = $1",
                    vec![token.clone().into_bytes().into()]
                ),
                |r| r.get::<i64>(0)
            )))
            .await
            .unwrap();
        assert_eq!(stored, 0, "[{e}] the plain token is not stored");

        // A bad address is named, and no link is asked for.
        let bad = ask_link(&app, "acme", "not-an-address").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        // No organisation named: no portal.
        let res = app.http.get(app.url("/portal/login")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "[{e}]");
    }
}

#[tokio::test]
async fn a_link_signs_in_once_and_the_session_is_the_customers_alone() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let mail = Mailroom::start(&app).await;
        let home = household(&app, &org, "Ada").await;
        let portal = sign_in(&app, &mail, "acme", &home.email, 1).await;
        let html = portal.page("/portal/invoices", StatusCode::OK).await;
        assert!(html.contains("INV-000001"), "[{e}] {html}");

        // The link is spent.
        let link = mail.link(&home.email, 1).await;
        let again = confirm(&app, &link).await;
        assert_eq!(again.status(), StatusCode::GONE, "[{e}]");
        assert!(portal_cookie(&again).is_none(), "[{e}]");
        assert!(
            again.text().await.unwrap().contains("used already"),
            "[{e}]"
        );

        // The portal cookie opens nothing of the staff app.
        for path in [
            "/api/v1/customers",
            &format!("/api/v1/customers/{}", home.customer),
        ] {
            let res = app
                .http
                .get(app.url(path))
                .header("cookie", &portal.cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "[{e}] {path}");
        }
        for path in ["/customers", "/", "/jobs", "/settings/portal"] {
            let res = app
                .http
                .get(app.url(path))
                .header("cookie", &portal.cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "[{e}] {path}");
            let to = res.headers()["location"].to_str().unwrap().to_string();
            assert!(to.starts_with("/login"), "[{e}] {path} → {to}");
        }

        // A change without the CSRF token is refused.
        let res = app
            .http
            .patch(app.url("/portal/api/contact"))
            .header("cookie", &portal.cookie)
            .json(&json!({"version": 1, "email": "x@home.example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");

        // Signing out ends the session.
        let (status, location, _) = portal.post("/portal/logout", &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        assert_eq!(location, "/portal/login?org=acme", "[{e}]");
        let (status, _) = portal.get("/portal/invoices").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}] back to sign-in");
        let res = portal
            .api(reqwest::Method::GET, "/portal/api/invoices", None)
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "[{e}]");
    }
}

#[tokio::test]
async fn expired_tampered_and_other_portals_links_start_no_session() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let other = app.org("other").await;
        let mail = Mailroom::start(&app).await;
        let home = household(&app, &org, "Ada").await;
        // The other organisation serves its portal on a host of its own.
        let saved = app
            .api(
                &other,
                reqwest::Method::PUT,
                "/api/v1/portal/settings",
                Some(
                    json!({"version": 0, "primary_color": "#1d4ed8", "accent_color": "#0b63b6",
                    "host": "portal.other.example", "allow_pause": true, "allow_cancel": false,
                    "day_start_hour": 8, "day_end_hour": 17, "slot_minutes": 120}),
                ),
            )
            .await;
        expect_status(saved, StatusCode::OK, e).await;

        ask_link(&app, "acme", &home.email).await;
        let link = mail.link(&home.email, 1).await;
        let token = token_of(&link);

        // Tampered: one character changed.
        let mut tampered = token.clone();
        let last = if tampered.pop() == Some('A') {
            'B'
        } else {
            'A'
        };
        tampered.push(last);
        let res = confirm(&app, &format!("/portal/auth/{tampered}?org=acme")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "[{e}]");
        assert!(portal_cookie(&res).is_none(), "[{e}]");
        assert!(res.text().await.unwrap().contains("not valid"), "[{e}]");

        // Opened on the other organisation's portal host.
        let res = app
            .http
            .post(app.url("/portal/auth"))
            .header("host", "portal.other.example")
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        assert!(portal_cookie(&res).is_none(), "[{e}]");
        assert!(
            res.text().await.unwrap().contains("another business"),
            "[{e}]"
        );

        // Expired: ten minutes have passed.
        let ago = chrono::Utc::now() - chrono::Duration::seconds(1);
        app.store
            .write(work!(|c| c.execute(&Raw(
                "UPDATE portal_tokens SET expires_at = $1",
                vec![ago.into()]
            ))))
            .await
            .unwrap();
        let res = confirm(&app, &link).await;
        assert_eq!(res.status(), StatusCode::GONE, "[{e}]");
        assert!(portal_cookie(&res).is_none(), "[{e}]");
        assert!(res.text().await.unwrap().contains("expired"), "[{e}]");

        // A session of one organisation is no session on another's host.
        let portal = sign_in(&app, &mail, "acme", &home.email, 2).await;
        let res = app
            .http
            .get(app.url("/portal/api/invoices"))
            .header("host", "portal.other.example")
            .header("cookie", &portal.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "[{e}]");
    }
}

#[tokio::test]
async fn link_requests_are_limited_per_address_and_per_client_alike_for_strangers() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let home = household(&app, &org, "Ada").await;
        for address in [home.email.as_str(), "nobody@home.example.com"] {
            for n in 1..=3 {
                let res = ask_link(&app, "acme", address).await;
                assert_eq!(res.status(), StatusCode::OK, "[{e}] {address} #{n}");
            }
            let res = ask_link(&app, "acme", address).await;
            assert_eq!(
                res.status(),
                StatusCode::TOO_MANY_REQUESTS,
                "[{e}] {address}"
            );
        }
        // Then the client itself: twenty requests in the window in all.
        let mut last = StatusCode::OK;
        for n in 0..20 {
            last = ask_link(&app, "acme", &format!("n{n}@home.example.com"))
                .await
                .status();
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "[{e}]");
    }
}

#[tokio::test]
async fn a_phone_number_in_any_format_gets_the_link_by_sms() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        app.customer(
            &org,
            json!({"first_name": "Sam", "phone": "+1 512 555 0199"}),
        )
        .await;
        let sms = HttpSink::start(0).await;
        let _worker = spawn_worker(
            &app,
            hearth_worker::Config {
                sms: Some(sms.sms_config()),
                ..worker_config(&app)
            },
        );
        let res = ask_link(&app, "acme", "(512) 555-0199").await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
        let body = eventually("the SMS", || async {
            sms.received().into_iter().next().map(|r| r.body)
        })
        .await;
        assert!(body.contains("%2B15125550199"), "[{e}] to E.164: {body}");
        assert!(body.contains("%2Fportal%2Fauth%2F"), "[{e}] {body}");
    }
}
