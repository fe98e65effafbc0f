//! Signing in by magic link: ask for a link, open it (a page with a
//! button, so mail scanners that follow links spend nothing), confirm with
//! a POST that starts the session; and signing out.

use super::pages::{Chrome, error, render};
use super::session::{self, CustomerPage};
use super::{Site, site};
use crate::AppState;
use crate::auth::login::same_origin;
use crate::error::AppError;
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hearth_domain::portal::{LinkAddress, LinkRefusal};
use hearth_store::portal::links::{self, LinkOutcome, LinkRequest};
use hearth_store::portal::sessions;
use hearth_store::work;
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/login", get(login_page).post(send_link))
        .route("/portal/auth/{token}", get(confirm_page))
        .route("/portal/auth", post(confirm))
        .route("/portal/logout", post(logout))
}

#[derive(Deserialize)]
pub struct OrgQuery {
    org: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    chrome: Chrome,
    org_query: String,
    address: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/message.html")]
pub(super) struct MessagePage {
    pub chrome: Chrome,
    pub heading: String,
    pub text: String,
    /// A link onwards: where and its words.
    pub next: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "portal/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    org_query: String,
    token: String,
}

/// The portal this request is for, or the page that says none is named.
async fn require_site(
    s: &AppState,
    headers: &HeaderMap,
    org: Option<&str>,
) -> Result<Site, Response> {
    match site(s, headers, org).await {
        Ok(Some(site)) => Ok(site),
        Ok(None) => Err(error(AppError::NotFound)),
        Err(e) => Err(error(e)),
    }
}

/// The portal a form was posted to, if it was posted from a page of this
/// site (a cross-site post carries another Origin).
async fn posted_site(
    s: &AppState,
    headers: &HeaderMap,
    org: Option<&str>,
) -> Result<Site, Response> {
    if !same_origin(headers) {
        return Err(error(AppError::Forbidden));
    }
    require_site(s, headers, org).await
}

async fn login_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OrgQuery>,
) -> Response {
    let site = match require_site(&s, &headers, q.org.as_deref()).await {
        Ok(site) => site,
        Err(r) => return r,
    };
    render(&LoginPage {
        org_query: site.org_query(&headers),
        chrome: Chrome::public(&site),
        address: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
struct LinkForm {
    address: String,
}

/// Answers the same page whether or not the address belongs to a customer,
/// so the form cannot be used to learn who is one.
async fn send_link(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<OrgQuery>,
    Form(form): Form<LinkForm>,
) -> Response {
    let site = match posted_site(&s, &headers, q.org.as_deref()).await {
        Ok(site) => site,
        Err(r) => return r,
    };
    let address = match LinkAddress::parse(&form.address, &site.org.default_region) {
        Ok(a) => a,
        Err(e) => {
            let page = render(&LoginPage {
                org_query: site.org_query(&headers),
                chrome: Chrome::public(&site),
                address: form.address.chars().take(254).collect(),
                error: Some(format!("That {}.", e.summary().replacen(": ", " ", 1))),
            });
            return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
    };
    let template = link_template(&s, &site);
    let (org, ip) = (site.org.id, peer.ip().to_string());
    let business = site.business_name().to_string();
    let (asked, client) = (address.clone(), ip.clone());
    let outcome = s
        .store
        .write(work!(|c| links::request(
            c,
            org,
            LinkRequest {
                address: &asked,
                ip: &client,
                business_name: &business,
                link_template: &template,
            }
        )))
        .await;
    let chrome = Chrome::public(&site);
    let back = Some((
        format!("/portal/login{}", site.org_query(&headers)),
        "Back to sign in".to_string(),
    ));
    match outcome {
        Ok(LinkOutcome::Limited) => {
            tracing::warn!(%ip, "portal link request refused: too many");
            let page = render(&MessagePage {
                chrome,
                heading: "Please wait".into(),
                text: "Too many sign-in links were asked for. Wait 15 minutes and try again."
                    .into(),
                next: back,
            });
            (StatusCode::TOO_MANY_REQUESTS, page).into_response()
        }
        Ok(LinkOutcome::Sent | LinkOutcome::NoMatch) => render(&MessagePage {
            chrome,
            heading: "Check your messages".into(),
            text: format!(
                "If {} is on file with {}, a sign-in link is on its way. It works once, within 10 minutes.",
                address.as_str(),
                site.business_name()
            ),
            next: back,
        }),
        Err(e) => error(e.into()),
    }
}

/// Where a link of this organisation points: its own portal host when it
/// has one, else the public URL with `?org=`.
fn link_template(s: &AppState, site: &Site) -> String {
    let base = super::public_base(s);
    match &site.settings.host {
        Some(host) => {
            let scheme = base.split_once("://").map_or("https", |(scheme, _)| scheme);
            format!("{scheme}://{host}/portal/auth/{{token}}")
        }
        None => format!("{base}/portal/auth/{{token}}?org={}", site.org.slug),
    }
}

async fn confirm_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<OrgQuery>,
) -> Response {
    let site = match require_site(&s, &headers, q.org.as_deref()).await {
        Ok(site) => site,
        Err(r) => return r,
    };
    // Nothing is looked up or spent here: a GET must be safe to follow.
    render(&ConfirmPage {
        org_query: site.org_query(&headers),
        chrome: Chrome::public(&site),
        token: token.chars().take(128).collect(),
    })
}

#[derive(Deserialize)]
struct ConfirmForm {
    token: String,
}

async fn confirm(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OrgQuery>,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let site = match posted_site(&s, &headers, q.org.as_deref()).await {
        Ok(site) => site,
        Err(r) => return r,
    };
    let org = site.org.id;
    // A new session at every sign-in; the one this browser had, if any, ends.
    let old = session::token(&headers, &s);
    let token = form.token;
    let redeemed = s
        .store
        .write(work!(|c| async {
            if let Some(old) = &old {
                sessions::end(c, old).await?;
            }
            links::redeem(c, org, &token).await
        }))
        .await;
    match redeemed {
        Ok(Ok(signed_in)) => {
            let mut response = Redirect::to("/portal/invoices").into_response();
            session::set_cookie(&mut response, &s, &signed_in.session_token);
            response
        }
        Ok(Err(refusal)) => {
            tracing::warn!(?refusal, "portal sign-in link refused");
            let status = match refusal {
                LinkRefusal::Unknown => StatusCode::NOT_FOUND,
                LinkRefusal::Used | LinkRefusal::Expired => StatusCode::GONE,
                LinkRefusal::OtherPortal => StatusCode::FORBIDDEN,
            };
            let page = render(&MessagePage {
                chrome: Chrome::public(&site),
                heading: "This link cannot sign you in".into(),
                text: refusal.message().into(),
                next: Some((
                    format!("/portal/login{}", site.org_query(&headers)),
                    "Get a new link".to_string(),
                )),
            });
            let mut response = (status, page).into_response();
            session::clear_cookie(&mut response, &s);
            response
        }
        Err(e) => error(e.into()),
    }
}

async fn logout(
    State(s): State<AppState>,
    CustomerPage(me): CustomerPage,
    headers: HeaderMap,
    Form(form): Form<crate::pages::CsrfOnly>,
) -> Response {
    if let Err(e) = me.verify_csrf(&form.csrf) {
        return error(e);
    }
    if let Some(token) = session::token(&headers, &s) {
        let _ = s.store.write(work!(|c| sessions::end(c, &token))).await;
    }
    // On a portal host the host names the organisation and `org` is ignored.
    let query = format!("?org={}", me.who.org_slug);
    let mut response = Redirect::to(&format!("/portal/login{query}")).into_response();
    session::clear_cookie(&mut response, &s);
    response
}
