//! The REST API under `/api/v1`, described by the OpenAPI document it serves.

mod customers;
mod live;
mod search;

use crate::AppState;
use crate::error::Problem;
use axum::Json;
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

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

pub fn router() -> axum::Router<AppState> {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(customers::routes())
        .merge(search::routes())
        .merge(live::routes())
        .split_for_parts();
    let doc = std::sync::Arc::new(doc);
    router.route(
        "/api/v1/openapi.json",
        get(move || async move { Json(doc.as_ref().clone()) }),
    )
}
