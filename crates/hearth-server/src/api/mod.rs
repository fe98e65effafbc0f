//! The REST API under `/api/v1`, described by the OpenAPI document it serves.

pub(crate) mod billing;
mod children;
mod comms;
mod customers;
pub(crate) mod duplicates;
pub(crate) mod exports;
pub(crate) mod imports;
mod inbound;
pub(crate) mod jobs;
pub mod leads;
pub(crate) mod live;
mod notes_tags;
pub(crate) mod outbound;
mod reminders;
mod search;
mod segments;

use crate::AppState;
use crate::error::Problem;
use axum::Json;
use axum::routing::get;
use serde::Deserialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

/// A page of a list or of a record's history.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Hearth API", description = "CRM for home-service businesses. Errors are RFC 9457 problem+json; lists page by cursor; updates carry `version` (stale → 409)."),
    modifiers(&Security),
    security(("api_key" = []), ("session" = [])),
    components(schemas(Problem)),
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("hk_…")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "hearth_session",
                "Staff session cookie; state changes also need the X-CSRF-Token header.",
            ))),
        );
    }
}

/// Every operation may fail the same ways; each failure is documented once
/// here, as the problem+json that `AppError` sends, instead of per route.
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        let common = [
            ("400", "The request could not be read"),
            ("401", "No valid API key or session"),
            (
                "403",
                "The role does not allow this, or the CSRF token is missing",
            ),
            ("404", "No such record in this organisation"),
            ("413", "The body is too large"),
            ("415", "The body is not JSON"),
            ("422", "Invalid input; `errors` names every rejected field"),
            ("500", "Something went wrong on our side"),
        ];
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                let responses = &mut op.responses.responses;
                // A route may name an error status of its own (409); its body is a problem too.
                for (status, response) in responses.iter_mut() {
                    if status.as_str() >= "400" {
                        let description = match response {
                            RefOr::T(r) => r.description.clone(),
                            RefOr::Ref(_) => String::new(),
                        };
                        *response = problem(&description);
                    }
                }
                for (status, description) in common {
                    responses
                        .entry(status.to_string())
                        .or_insert_with(|| problem(description));
                }
            }
        }
    }
}

/// 201 Created with the new record and where to find it.
pub(crate) fn created<T: serde::Serialize>(
    location: String,
    body: T,
) -> impl axum::response::IntoResponse {
    (
        axum::http::StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        Json(body),
    )
}

/// The answer to booking a job from agreed work: 201 and its Location when
/// booked now, 200 when it had been booked before.
pub(crate) fn booked(job: hearth_domain::jobs::Job, new: bool) -> axum::response::Response {
    use axum::response::IntoResponse;
    if new {
        created(format!("/api/v1/jobs/{}", job.id), job).into_response()
    } else {
        Json(job).into_response()
    }
}

pub fn router() -> axum::Router<AppState> {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(customers::routes())
        .merge(duplicates::routes())
        .merge(exports::routes())
        .merge(imports::routes())
        .merge(notes_tags::routes())
        .merge(children::routes())
        .merge(jobs::routes())
        .merge(leads::routes())
        .merge(comms::routes())
        .merge(outbound::routes())
        .merge(billing::routes())
        .merge(search::routes())
        .merge(segments::routes())
        .merge(live::routes())
        .merge(inbound::routes())
        .merge(reminders::routes())
        .merge(crate::portal::settings::api_routes())
        .split_for_parts();
    // After the merge: modifiers in #[openapi] run before the routes exist.
    ProblemResponses.modify(&mut doc);
    let doc = std::sync::Arc::new(doc);
    router.route(
        "/api/v1/openapi.json",
        get(move || async move { Json(doc.as_ref().clone()) }),
    )
}
