//! The customer portal over real HTTP: sign-in links read from a real SMTP
//! server on loopback (delivered by the worker), then the customer's pages
//! and JSON, on both engines.

mod actions;
mod branding;
mod matrix;
mod signin;

use crate::helpers::*;
use crate::outbox::{SmtpSink, eventually, spawn_worker, worker_config};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An SMTP server and a worker delivering the outbox to it.
pub struct Mailroom {
    pub smtp: SmtpSink,
    _worker: tokio::sync::oneshot::Sender<()>,
}

impl Mailroom {
    pub async fn start(app: &TestApp) -> Mailroom {
        let smtp = SmtpSink::start(false).await;
        let worker = spawn_worker(
            app,
            hearth_worker::Config {
                smtp: Some(smtp.worker_config()),
                ..worker_config(app)
            },
        );
        Mailroom {
            smtp,
            _worker: worker,
        }
    }

    /// Sign-in links mailed to `to`, oldest first.
    pub fn links_to(&self, to: &str) -> Vec<String> {
        self.smtp
            .accepted()
            .iter()
            .map(|m| m.decoded())
            .filter(|raw| raw.lines().any(|l| l.starts_with("To:") && l.contains(to)))
            .filter_map(|raw| link_in(&raw))
            .collect()
    }

    /// Waits for the `n`th link mailed to `to` and returns its path.
    pub async fn link(&self, to: &str, n: usize) -> String {
        eventually("a sign-in link by email", || async {
            self.links_to(to).get(n - 1).cloned()
        })
        .await
    }
}

/// The path and query of the portal sign-in link in a message.
pub fn link_in(raw: &str) -> Option<String> {
    let start = raw.find("/portal/auth/")?;
    let link: String = raw[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/_-?=.".contains(*c))
        .collect();
    Some(link)
}

/// The token of a sign-in link path.
pub fn token_of(link: &str) -> String {
    link.trim_start_matches("/portal/auth/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

/// A customer signed in to the portal: cookie and CSRF token.
pub type Portal<'a> = Staff<'a>;

pub fn portal_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hearth_portal=") && !v.starts_with("hearth_portal=;"))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// Asks for a link for `address` on the portal of `slug`.
pub async fn ask_link(app: &TestApp, slug: &str, address: &str) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/portal/login?org={slug}")))
        .form(&[("address", address)])
        .send()
        .await
        .unwrap()
}

/// Opens a link (the confirm page) and presses its button.
pub async fn confirm(app: &TestApp, link: &str) -> reqwest::Response {
    let page = app.http.get(app.url(link)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "[{}] {link}", app.engine);
    assert!(
        portal_cookie(&page).is_none(),
        "opening a link signs nobody in"
    );
    let html = page.text().await.unwrap();
    let token = html
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the confirm page carries the token")
        .to_string();
    let query = link
        .split_once('?')
        .map_or(String::new(), |(_, q)| format!("?{q}"));
    app.http
        .post(app.url(&format!("/portal/auth{query}")))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap()
}

/// Signs in through the whole link flow; `n` counts the links mailed to
/// `email` so far, this one included.
pub async fn sign_in<'a>(
    app: &'a TestApp,
    mail: &Mailroom,
    slug: &str,
    email: &str,
    n: usize,
) -> Portal<'a> {
    let asked = ask_link(app, slug, email).await;
    assert_eq!(asked.status(), StatusCode::OK, "[{}]", app.engine);
    let link = mail.link(email, n).await;
    let res = confirm(app, &link).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "[{}]", app.engine);
    let cookie = portal_cookie(&res).expect("a portal session cookie");
    let mut portal = Portal {
        app,
        cookie,
        csrf: String::new(),
    };
    let html = portal.page("/portal/invoices", StatusCode::OK).await;
    portal.csrf = csrf_in(&html);
    portal
}

/// A customer with an address, an open invoice and a booked job.
pub struct Household {
    pub customer: String,
    pub email: String,
    pub address: String,
    pub invoice: String,
    pub job: String,
}

pub async fn household(app: &TestApp, org: &TestOrg, first: &str) -> Household {
    let email = format!("{}@home.example.com", first.to_lowercase());
    let c = app
        .customer(
            org,
            json!({"first_name": first, "last_name": "Home", "email": email}),
        )
        .await;
    let customer = id(&c);
    let address = id(&created(
        app,
        org,
        &format!("/api/v1/customers/{customer}/addresses"),
        json!({"line1": "12 Oak St", "city": "Austin", "region": "TX"}),
    )
    .await);
    created(
        app,
        org,
        &format!("/api/v1/addresses/{address}/equipment"),
        json!({"kind": "Furnace", "make": "Carrier", "warranty_expires_on": "2031-05-01"}),
    )
    .await;
    let invoice = id(&crate::billing::open_invoice(
        app,
        org,
        &customer,
        json!([crate::billing::line("Furnace repair", 24_500)]),
    )
    .await);
    let start = chrono::Utc::now() + chrono::Duration::days(40);
    let job = id(&created(
        app,
        org,
        "/api/v1/jobs",
        json!({"customer_id": customer, "address_id": address, "service_type": "Furnace check",
               "scheduled_start": start, "scheduled_end": start + chrono::Duration::hours(1)}),
    )
    .await);
    Household {
        customer,
        email,
        address,
        invoice,
        job,
    }
}

/// The customer's portal activity on their communication log, newest
/// first, as its outcome words.
pub async fn portal_activity(app: &TestApp, org: &TestOrg, customer: &str) -> Vec<String> {
    let page = ok(
        app,
        org,
        &format!("/api/v1/customers/{customer}/communications"),
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["channel"] == "portal")
        .map(|c| c["outcome"].as_str().unwrap_or_default().to_string())
        .collect()
}
