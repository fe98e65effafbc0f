use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn staff_sign_in_use_the_app_and_sign_out() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        app.grace(&org).await;

        let res = app.http.get(app.url("/customers")).send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "[{e}] pages send strangers to the login"
        );
        assert_eq!(res.headers()["location"], "/login?next=/customers");

        let res = app.login(&org.email, &org.password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "[{e}]");
        let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
            "{set_cookie}"
        );
        let cookie = session_cookie(&res).expect("session cookie");

        let page = app
            .http
            .get(app.url("/customers"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()["x-content-type-options"], "nosniff");
        assert!(
            page.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Grace Hopper"),
            "[{e}] the list shows the customer"
        );
        let csrf = html
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();

        // A session may use the API too, but a change needs the CSRF token.
        let url = app.url("/api/v1/customers");
        let body = json!({"first_name": "Alan"});
        let res = app
            .http
            .post(&url)
            .header("cookie", &cookie)
            .json(&body)
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::FORBIDDEN, e).await;
        let res = app
            .http
            .post(&url)
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::CREATED, e).await;

        // A form post with a wrong token changes nothing.
        let res = app
            .http
            .post(app.url("/customers"))
            .header("cookie", &cookie)
            .form(&[("_csrf", "forged"), ("first_name", "Eve")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        let res = app
            .http
            .post(app.url("/customers"))
            .header("cookie", &cookie)
            .form(&[
                ("_csrf", csrf.as_str()),
                ("first_name", "Edsger"),
                ("phone", "512 555 0100"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "[{e}] the form creates a customer"
        );
        let res = app
            .http
            .post(app.url("/customers"))
            .header("cookie", &cookie)
            .form(&[("_csrf", csrf.as_str()), ("email", "nope")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("is not an email address") && html.contains("needs a first name"),
            "[{e}] the form shows each field's error"
        );

        let res = app
            .http
            .post(app.url("/logout"))
            .header("cookie", &cookie)
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app
            .http
            .get(app.url("/api/v1/customers"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::UNAUTHORIZED, e).await;
    }
}

#[tokio::test]
async fn wrong_passwords_fail_alike_and_are_throttled() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let unknown = app.login("nobody@acme.test", "whatever-password").await;
        assert_eq!(
            unknown.status(),
            StatusCode::OK,
            "[{e}] the form comes back"
        );
        let unknown = unknown.text().await.unwrap();
        assert!(unknown.contains("Wrong email or password."), "[{e}]");
        for _ in 0..5 {
            let res = app.login(&org.email, "not-the-password").await;
            assert!(session_cookie(&res).is_none());
            assert!(
                res.text()
                    .await
                    .unwrap()
                    .contains("Wrong email or password."),
                "[{e}] same answer for a known address"
            );
        }
        let res = app.login(&org.email, &org.password).await;
        assert!(
            session_cookie(&res).is_none(),
            "[{e}] after 5 failures even the right password waits"
        );
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Too many failed attempts")
        );
    }
}

#[tokio::test]
async fn login_does_not_redirect_off_site() {
    for app in apps().await {
        let org = app.org("acme").await;
        let res = app
            .http
            .post(app.url("/login"))
            .form(&[
                ("email", org.email.as_str()),
                ("password", org.password.as_str()),
                ("next", "//evil.example/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/", "[{}]", app.engine);
    }
}

#[tokio::test]
async fn disabling_a_user_ends_their_session_at_once() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let cookie =
            session_cookie(&app.login(&org.email, &org.password).await).expect("signed in");
        let res = app
            .http
            .get(app.url("/api/v1/customers"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::OK, e).await;
        let email = org.email.clone();
        app.store
            .write(hearth_store::work!(|c| async {
                let (user, _) = hearth_store::auth::user_for_login(c, &email)
                    .await?
                    .unwrap();
                hearth_store::auth::disable_user(c, user.org_id, user.id).await
            }))
            .await
            .unwrap();
        let res = app
            .http
            .get(app.url("/api/v1/customers"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::UNAUTHORIZED, e).await;
        let res = app.login(&org.email, &org.password).await;
        assert!(
            session_cookie(&res).is_none(),
            "[{e}] a disabled user cannot sign in"
        );
    }
}

#[tokio::test]
async fn the_card_timeline_filters_by_kind() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let id = c["id"].as_str().unwrap();
        app.patch(
            &org,
            &format!("/api/v1/customers/{id}"),
            json!({"version": 1, "business_name": "Navy Yard"}),
        )
        .await;
        let cookie =
            session_cookie(&app.login(&org.email, &org.password).await).expect("signed in");
        let card = |kind: &'static str| {
            let url = app.url(&format!("/customers/{id}?kind={kind}"));
            let req = app.http.get(url).header("cookie", cookie.clone());
            async move { req.send().await.unwrap().text().await.unwrap() }
        };
        assert!(
            card("profile").await.contains("Changed business name"),
            "[{e}] the profile filter shows profile changes"
        );
        assert!(
            !card("note").await.contains("Changed business name"),
            "[{e}] the note filter hides them"
        );
    }
}
