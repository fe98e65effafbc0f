//! Branding per organisation: settings (API and page), the style sheet
//! and logo the portal pages load, and a portal on the business's own host.

use super::*;
use reqwest::Method;

fn settings(host: Option<&str>, primary: &str) -> Value {
    json!({"version": 0, "business_name": "Acme Heating", "primary_color": primary,
        "accent_color": "#0b63b6", "host": host, "allow_pause": true, "allow_cancel": false,
        "payment_instructions": "Pay by bank transfer to Acme, sort code 00-00-00.",
        "day_start_hour": 8, "day_end_hour": 17, "slot_minutes": 120})
}

async fn put(app: &TestApp, org: &TestOrg, body: Value) -> reqwest::Response {
    app.api(org, Method::PUT, "/api/v1/portal/settings", Some(body))
        .await
}

#[tokio::test]
async fn branding_is_validated_and_served_to_the_portal_pages() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let other = app.org("other").await;
        let defaults = ok(&app, &org, "/api/v1/portal/settings").await;
        assert_eq!(defaults["version"], 0, "[{e}]");

        let mut bad = settings(Some("https://portal.acme.example:8443"), "#ffff00");
        bad["accent_color"] = json!("blue");
        bad["slot_minutes"] = json!(7);
        let problem = expect_status(
            put(&app, &org, bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["primary_color", "accent_color", "host", "slot_minutes"],
            "[{e}] {problem}"
        );
        assert_eq!(
            ok(&app, &org, "/api/v1/portal/settings").await["version"],
            0,
            "[{e}] nothing saved"
        );

        let saved = expect_status(
            put(&app, &org, settings(Some("Portal.Acme.Example"), "#1D4ED8")).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(saved["host"], "portal.acme.example", "[{e}]");
        assert_eq!(saved["version"], 1, "[{e}]");
        // A stale version and another organisation's host are refused.
        expect_status(
            put(&app, &org, settings(None, "#1d4ed8")).await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        let taken = expect_status(
            put(
                &app,
                &other,
                settings(Some("portal.acme.example"), "#1d4ed8"),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&taken), ["host"], "[{e}]");

        // The portal host's login page loads the style sheet with the colours.
        let login = app
            .http
            .get(app.url("/portal/login"))
            .header("host", "portal.acme.example")
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), StatusCode::OK, "[{e}]");
        let html = login.text().await.unwrap();
        assert!(html.contains("Acme Heating"), "[{e}] {html}");
        assert!(
            html.contains("action=\"/portal/login\""),
            "[{e}] the host names the org"
        );
        let sheet = html
            .split("href=\"/portal/brand/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("the branding sheet");
        let css = app
            .http
            .get(app.url(&format!("/portal/brand/{sheet}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            css.headers()["content-type"],
            "text/css; charset=utf-8",
            "[{e}]"
        );
        assert!(
            css.text().await.unwrap().contains("--brand: #1d4ed8"),
            "[{e}]"
        );

        // The logo: PNG accepted and served; SVG refused.
        let org_path = sheet.split('/').next().unwrap();
        let svg = app
            .http
            .put(app.url("/api/v1/portal/settings/logo"))
            .bearer_auth(&org.key)
            .header("content-type", "image/svg+xml")
            .body("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
            .send()
            .await
            .unwrap();
        let problem = expect_status(svg, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["content_type"], "[{e}]");
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let res = app
            .http
            .put(app.url("/api/v1/portal/settings/logo"))
            .bearer_auth(&org.key)
            .header("content-type", "image/png")
            .body(png.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            expect_status(res, StatusCode::OK, e).await["has_logo"],
            true,
            "[{e}]"
        );
        let logo = app
            .http
            .get(app.url(&format!("/portal/brand/{org_path}/logo")))
            .send()
            .await
            .unwrap();
        assert_eq!(logo.headers()["content-type"], "image/png", "[{e}]");
        assert_eq!(logo.bytes().await.unwrap().to_vec(), png, "[{e}]");
    }
}

#[tokio::test]
async fn a_business_on_its_own_host_sends_links_to_that_host() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let mail = Mailroom::start(&app).await;
        let a = household(&app, &org, "Ada").await;
        expect_status(
            put(&app, &org, settings(Some("portal.acme.example"), "#1d4ed8")).await,
            StatusCode::OK,
            e,
        )
        .await;

        let res = app
            .http
            .post(app.url("/portal/login"))
            .header("host", "portal.acme.example")
            .form(&[("address", a.email.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
        let mail_text = eventually("the link email", || async {
            mail.smtp.accepted().first().map(|m| m.decoded())
        })
        .await;
        assert!(
            mail_text.contains("http://portal.acme.example/portal/auth/"),
            "[{e}] {mail_text}"
        );
        assert!(
            mail_text.contains("Subject: Your sign-in link for Acme Heating"),
            "[{e}]"
        );
        let link = link_in(&mail_text).unwrap();
        assert!(!link.contains("?org="), "[{e}] {link}");

        // Confirmed on that host: signed in, and the portal is branded.
        let res = app
            .http
            .post(app.url("/portal/auth"))
            .header("host", "portal.acme.example")
            .form(&[("token", token_of(&link).as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "[{e}]");
        let cookie = portal_cookie(&res).expect("a session");
        let page = app
            .http
            .get(app.url("/portal/invoices"))
            .header("host", "portal.acme.example")
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK, "[{e}]");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Acme Heating") && html.contains("INV-000001"),
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn staff_edit_branding_on_the_settings_page() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let staff = Staff::sign_in(&app, &org).await;
        let html = staff.page("/settings/portal", StatusCode::OK).await;
        assert!(html.contains("name=\"primary_color\""), "[{e}]");
        let form = |primary: &'static str| {
            vec![
                ("version", "0"),
                ("business_name", "Acme Heating"),
                ("primary_color", primary),
                ("accent_color", "#0b63b6"),
                ("host", ""),
                ("allow_pause", "on"),
                ("day_start_hour", "9"),
                ("day_end_hour", "17"),
                ("slot_minutes", "60"),
            ]
        };
        let (status, _, html) = staff.post("/settings/portal", &form("#eeeeee")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(
            html.contains("primary_color: white text on it"),
            "[{e}] {html}"
        );
        let (status, location, _) = staff.post("/settings/portal", &form("#7c2d12")).await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/settings/portal"),
            "[{e}]"
        );
        let saved = ok(&app, &org, "/api/v1/portal/settings").await;
        assert_eq!(saved["primary_color"], "#7c2d12", "[{e}]");
        assert_eq!(saved["allow_cancel"], false, "[{e}]");
        assert_eq!(saved["slot_minutes"], 60, "[{e}]");
        // Without the CSRF token nothing is saved.
        let res = app
            .http
            .post(app.url("/settings/portal"))
            .header("cookie", &staff.cookie)
            .form(&form("#1d4ed8"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
    }
}
