#![allow(
    clippy::result_large_err,
    reason = "axum's Response is the natural error of a page handler"
)]
//! The customer portal under `/portal`: magic-link sign-in, the pages a
//! customer uses on their phone, the JSON those pages read under
//! `/portal/api`, the live job-status stream, public branding assets, and
//! the staff settings for it (`/settings/portal`, `/api/v1/portal/settings`).
//!
//! Which organisation: a request whose Host is an organisation's portal
//! host (its settings' `host`) is that organisation's portal; on any other
//! host the sign-in pages name it with `?org=<slug>`. After sign-in the
//! session names it, and a session is refused on another organisation's
//! portal host.

mod api;
mod branding;
mod customer;
mod events;
mod login;
mod pages;
mod session;
pub(crate) mod settings;

use crate::AppState;
use crate::error::{ApiResult, AppError};
use axum::Router;
use axum::http::{HeaderMap, header};
use hearth_domain::portal::branding::PortalSettings;
use hearth_store::orgs::{self, Org};
use hearth_store::portal::settings as store_settings;
use hearth_store::work;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::routes())
        .merge(pages::routes())
        .merge(api::routes())
        .merge(branding::routes())
        .merge(settings::page_routes())
}

/// The organisation whose portal a request is for, with its settings.
pub struct Site {
    pub org: Org,
    pub settings: PortalSettings,
}

impl Site {
    /// The name customers know the business by.
    pub fn business_name(&self) -> &str {
        self.settings
            .business_name
            .as_deref()
            .unwrap_or(&self.org.name)
    }

    /// `?org=<slug>` where the host does not name the organisation.
    pub fn org_query(&self, headers: &HeaderMap) -> String {
        if self.settings.host.as_deref() == request_host(headers).as_deref() {
            String::new()
        } else {
            format!("?org={}", self.org.slug)
        }
    }
}

/// Where customers reach this server (`HEARTH_PUBLIC_URL`), without a
/// trailing slash.
pub fn public_base(s: &AppState) -> &str {
    s.config
        .public_url
        .as_deref()
        .unwrap_or("http://127.0.0.1:8080")
        .trim_end_matches('/')
}

/// The Host header without its port, lower-cased.
pub fn request_host(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    Some(name.to_ascii_lowercase())
}

/// The organisation a portal host belongs to, if it is one.
async fn host_org(s: &AppState, headers: &HeaderMap) -> ApiResult<Option<hearth_domain::OrgId>> {
    let Some(host) = request_host(headers) else {
        return Ok(None);
    };
    Ok(s.store
        .read(work!(|c| store_settings::org_for_host(c, &host)))
        .await?)
}

/// The portal this request is for: the host's organisation, else the one
/// `org_slug` names. `None` when neither says.
pub async fn site(
    s: &AppState,
    headers: &HeaderMap,
    org_slug: Option<&str>,
) -> ApiResult<Option<Site>> {
    let by_host = host_org(s, headers).await?;
    let slug = org_slug.map(str::to_string);
    let found = s
        .store
        .read(work!(|c| async {
            let org = match (by_host, slug) {
                (Some(id), _) => Some(orgs::get(c, id).await?),
                (None, Some(slug)) => orgs::by_slug(c, &slug).await?,
                (None, None) => None,
            };
            match org {
                Some(org) => {
                    let settings = store_settings::get(c, org.id).await?;
                    Ok(Some(Site { org, settings }))
                }
                None => Ok(None),
            }
        }))
        .await?;
    Ok(found)
}

/// A record of another customer is, to this customer, a record that does
/// not exist.
pub fn owned_by(
    owner: hearth_domain::CustomerId,
    me: hearth_domain::CustomerId,
) -> Result<(), AppError> {
    if owner == me {
        Ok(())
    } else {
        tracing::warn!(customer = %me, "portal access to another customer's record denied");
        Err(AppError::NotFound)
    }
}
