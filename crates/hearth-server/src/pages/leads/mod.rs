//! Staff pages for leads: the Kanban board, lead cards, pipeline and web
//! form settings, and the pipeline report.

mod actions;
mod board;
mod detail;
mod fields;
mod reports;
mod settings;
mod web_forms;

use super::error_page;
use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use hearth_domain::leads::format_money_totals;
use hearth_domain::leads::report::Totals;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pipeline", get(board::show_default))
        .route("/pipeline/{id}", get(board::show))
        .route("/leads", get(board::list).post(detail::create))
        .route("/leads/new", get(detail::new_form))
        .route("/leads/{id}", get(detail::show).post(detail::update))
        .route("/leads/{id}/move", post(actions::move_lead))
        .route("/leads/{id}/convert", post(actions::convert))
        .route("/leads/{id}/signals", post(actions::add_signal))
        .route("/leads/{id}/delete", post(actions::delete))
        .route(
            "/settings/pipelines",
            get(settings::pipelines).post(settings::create_pipeline),
        )
        .route("/settings/pipelines/{id}", post(settings::update_pipeline))
        .route(
            "/settings/pipelines/{id}/delete",
            post(settings::delete_pipeline),
        )
        .route("/settings/pipelines/{id}/stages", post(settings::add_stage))
        .route("/settings/stages/{id}", post(settings::update_stage))
        .route("/settings/stages/{id}/delete", post(settings::delete_stage))
        .route("/settings/lead-scoring", post(settings::update_scoring))
        .route(
            "/settings/forms",
            get(web_forms::forms).post(web_forms::create_form),
        )
        .route("/settings/forms/{id}/delete", post(web_forms::delete_form))
        .route("/reports/pipeline", get(reports::show))
}

fn page_err(e: impl Into<AppError>) -> Response {
    error_page(e.into())
}

/// A path id; a malformed one is a page that does not exist.
fn path_id<T: std::str::FromStr>(raw: &str) -> Result<T, Response> {
    raw.parse().map_err(|_| page_err(AppError::NotFound))
}

/// A same-site path to go back to after a form post.
fn safe_return(to: Option<&str>, fallback: String) -> String {
    match to {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => fallback,
    }
}

/// "$1,250.00 + €80.00"; "—" when there is nothing.
fn totals_text(t: &Totals) -> String {
    if t.is_empty() {
        "—".to_string()
    } else {
        format_money_totals(t)
    }
}
