use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use hearth_domain::LeadFormId;
use hearth_domain::auth::Action;
use hearth_domain::leads::form::{LeadForm, LeadFormInput, embed_snippet};
use hearth_store::leads::forms;
use hearth_store::page::Page;
use hearth_store::work;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(delete))
}

/// A web form with what a site needs to use it.
#[derive(Serialize, ToSchema)]
pub struct FormView {
    #[serde(flatten)]
    pub form: LeadForm,
    /// Where the form posts (JSON or urlencoded).
    pub endpoint: String,
    /// HTML to paste into a page.
    pub embed_html: String,
}

impl FormView {
    pub fn new(form: LeadForm, base: &str) -> FormView {
        let endpoint = format!("{base}/hooks/forms/{}", form.public_key);
        FormView {
            embed_html: embed_snippet(&endpoint),
            endpoint,
            form,
        }
    }
}

/// `https://crm.example.com`, as the request reached us.
pub fn base_url(s: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if s.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// Web forms that capture leads, each with its public key and embeddable HTML.
#[utoipa::path(get, path = "/api/v1/forms", tag = "forms",
    responses((status = 200, body = Page<FormView>), (status = 401, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    auth: Auth,
) -> ApiResult<Json<Page<FormView>>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    let base = base_url(&s, &headers);
    let items = s.store.read(work!(|c| forms::list(c, org))).await?;
    Ok(Json(Page {
        items: items.into_iter().map(|f| FormView::new(f, &base)).collect(),
        next_cursor: None,
    }))
}

/// Create a web form posting into a pipeline (default: the default one).
#[utoipa::path(post, path = "/api/v1/forms", tag = "forms", request_body = LeadFormInput,
    responses((status = 201, body = FormView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    auth: Auth,
    ApiJson(input): ApiJson<LeadFormInput>,
) -> ApiResult<(StatusCode, Json<FormView>)> {
    auth.require(Action::ManagePipelines)?;
    let p = auth.principal;
    let form = s
        .store
        .write(work!(|c| forms::create(c, p.org_id, &p.actor, &input)))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(FormView::new(form, &base_url(&s, &headers))),
    ))
}

/// Retire a web form: its key stops accepting submissions.
#[utoipa::path(delete, path = "/api/v1/forms/{id}", tag = "forms", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadFormId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::ManagePipelines)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| forms::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
