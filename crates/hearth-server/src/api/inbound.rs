//! The organisation's inbound hook keys: the signing secret of the SMS,
//! call and chat hooks (made here, shown once) and the WhatsApp app secret
//! and verify token (copied from Meta's app dashboard). Keys are never
//! returned; the settings show whether each is set and a hint.

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use axum::Json;
use axum::extract::State;
use hearth_domain::OrgId;
use hearth_domain::auth::Action;
use hearth_store::inbound::{self, InboundSettings};
use hearth_store::work;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings))
        .routes(routes!(rotate_secret))
        .routes(routes!(set_whatsapp))
}

/// Where each provider should deliver, relative to this server's address.
#[derive(Serialize, ToSchema)]
pub struct HookPaths {
    /// Signed with `Hearth-Signature` and the inbound secret.
    sms: String,
    /// Signed with `Hearth-Signature` and the inbound secret.
    calls: String,
    /// Signed with `Hearth-Signature` and the inbound secret.
    chat: String,
    /// Meta's callback URL: GET handshake with the verify token, POST
    /// signed with `X-Hub-Signature-256` and the app secret.
    whatsapp: String,
}

#[derive(Serialize, ToSchema)]
pub struct InboundSettingsView {
    #[serde(flatten)]
    settings: InboundSettings,
    hooks: HookPaths,
}

fn view(org: OrgId, settings: InboundSettings) -> InboundSettingsView {
    let path = |kind: &str| format!("/hooks/{kind}/{org}");
    InboundSettingsView {
        settings,
        hooks: HookPaths {
            sms: path("sms"),
            calls: path("calls"),
            chat: path("chat"),
            whatsapp: path("whatsapp"),
        },
    }
}

/// The inbound hook settings (owners and admins): which keys are set, and
/// the hook addresses to give each provider.
#[utoipa::path(get, path = "/api/v1/settings/inbound", tag = "inbound",
    responses((status = 200, body = InboundSettingsView)))]
async fn get_settings(
    State(s): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<InboundSettingsView>> {
    auth.require(Action::ManageSettings)?;
    let org = auth.principal.org_id;
    let settings = s.store.read(work!(|c| inbound::settings(c, org))).await?;
    Ok(Json(view(org, settings)))
}

#[derive(Serialize, ToSchema)]
pub struct RotatedSecret {
    /// The new secret. Shown this once: store it in the provider's settings.
    secret: String,
    #[serde(flatten)]
    settings: InboundSettingsView,
}

/// Make a new signing secret for the SMS, call and chat hooks (owners and
/// admins). The old one stops working at once.
#[utoipa::path(post, path = "/api/v1/settings/inbound/secret", tag = "inbound",
    responses((status = 200, body = RotatedSecret)))]
async fn rotate_secret(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<RotatedSecret>> {
    auth.require(Action::ManageSettings)?;
    let p = auth.principal;
    let (secret, settings) = s
        .store
        .write(work!(|c| inbound::rotate_secret(c, p.org_id, &p.actor)))
        .await?;
    Ok(Json(RotatedSecret {
        secret,
        settings: view(p.org_id, settings),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatsappKeys {
    /// The Meta app's secret (8–200 characters).
    app_secret: String,
    /// The verify token you typed into Meta's webhook settings (8–200 characters).
    verify_token: String,
}

/// Set the WhatsApp Cloud API keys (owners and admins).
#[utoipa::path(put, path = "/api/v1/settings/inbound/whatsapp", tag = "inbound",
    request_body = WhatsappKeys, responses((status = 200, body = InboundSettingsView)))]
async fn set_whatsapp(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(keys): ApiJson<WhatsappKeys>,
) -> ApiResult<Json<InboundSettingsView>> {
    auth.require(Action::ManageSettings)?;
    let p = auth.principal;
    let settings = s
        .store
        .write(work!(|c| inbound::set_whatsapp(
            c,
            p.org_id,
            &p.actor,
            &keys.app_secret,
            &keys.verify_token
        )))
        .await?;
    Ok(Json(view(p.org_id, settings)))
}
