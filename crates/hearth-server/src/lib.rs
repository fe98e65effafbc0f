//! Hearth's HTTP face: the REST API, the staff pages and the health check,
//! served by one stateless axum application.

mod api;
mod auth;
mod error;
mod extract;
mod hooks;
pub mod live;
mod pages;
pub mod payments;
mod portal;
mod tracking;

pub use api::imports::DEFAULT_UPLOAD_LIMIT as DEFAULT_IMPORT_LIMIT;
pub use auth::password::hash_blocking as hash_password;
pub use hearth_domain::secret::Secret;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use hearth_store::Store;
use hearth_store::files::Files;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// Bodies larger than this are refused with 413 before they are read whole.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct ServerConfig {
    /// Behind TLS: `__Host-` session cookie with `Secure`, and HSTS.
    pub secure_cookies: bool,
    /// Where attachments (job photos) are kept; in memory by default.
    pub files: Files,
    pub payments: PaymentsConfig,
    /// `HEARTH_PUBLIC_URL`: where customers reach this server, the base of
    /// portal sign-in links (an organisation's own portal host replaces its
    /// host name). `None` in tests that never send links.
    pub public_url: Option<String>,
    /// Where uploaded CSV files wait while they are imported, as unnamed
    /// files the system removes when closed; the system's temporary folder
    /// when `None`.
    pub import_dir: Option<std::path::PathBuf>,
    /// `HEARTH_IMPORT_LIMIT`: the largest CSV file the API takes, in bytes
    /// (4 GiB when `None`).
    pub import_limit: Option<u64>,
}

/// The hosted checkout provider (see [`payments`]).
#[derive(Clone, Debug, Default)]
pub struct PaymentsConfig {
    /// `HEARTH_PAYMENTS_URL`: the provider's API base URL; hosted checkout
    /// is off without it.
    pub url: Option<String>,
    /// `HEARTH_PAYMENTS_SECRET`: the HMAC key both sides sign with.
    pub secret: Option<Secret>,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub files: Files,
    pub config: Arc<ServerConfig>,
    pub payments: Arc<payments::Providers>,
    pub live: live::LiveBus,
    /// Imports this server runs in the background, with their progress.
    pub(crate) imports: Arc<api::imports::ImportRuns>,
    /// Credentials whose last-use stamp is waiting to be written.
    touches: Arc<std::sync::Mutex<std::collections::HashSet<hearth_store::auth::Touch>>>,
}

impl AppState {
    fn touches(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashSet<hearth_store::auth::Touch>> {
        // A panic while holding the lock left only ids behind.
        self.touches.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub fn app(store: Store, config: ServerConfig) -> Router {
    let secure = config.secure_cookies;
    let state = AppState {
        live: live::LiveBus::start(store.clone()),
        imports: Arc::default(),
        touches: Arc::default(),
        store,
        files: config.files.clone(),
        payments: Arc::new(payments::Providers::new(&config.payments)),
        config: Arc::new(config),
    };
    let mut router = Router::new()
        .merge(pages::router())
        .merge(api::router())
        .merge(hooks::router())
        .merge(portal::router())
        .merge(tracking::router())
        .route("/healthz", get(health))
        .fallback(not_found)
        .route(
            "/static/app.css",
            get(|| asset("text/css; charset=utf-8", include_str!("../static/app.css"))),
        )
        .route(
            "/static/app.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../static/app.js"),
                )
            }),
        )
        .route(
            "/static/kanban.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../static/kanban.js"),
                )
            }),
        )
        .route(
            "/static/segments.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../static/segments.js"),
                )
            }),
        )
        .route(
            "/static/imports.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../static/imports.js"),
                )
            }),
        )
        .route(
            "/static/live.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../static/live.js"),
                )
            }),
        )
        .route(
            "/static/portal.css",
            get(|| {
                asset(
                    "text/css; charset=utf-8",
                    include_str!("../static/portal.css"),
                )
            }),
        )
        .route(
            "/static/portal.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../static/portal.js"),
                )
            }),
        )
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http());
    for (name, value) in security_headers(secure) {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router
}

fn security_headers(secure: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    if secure {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ));
    }
    headers
}

async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

/// API clients get problem+json; people get a page.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        error::AppError::NotFound.into_response()
    } else {
        pages::error_page(error::AppError::NotFound)
    }
}

/// Answers 200 only when the database answers; `channels` shows each
/// delivery and inbound channel's latest outcomes and queue, so "connected
/// but nothing arrives" is visible from outside.
async fn health(State(s): State<AppState>) -> impl IntoResponse {
    match api::outbound::health_detail(&s.store).await {
        Ok(channels) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok", "database": "ok", "channels": channels})),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "unavailable", "database": "unreachable"})),
            )
        }
    }
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        // Event streams never finish on their own; end them so the
        // requests in flight can drain.
        live::close_streams();
    })
    .await
}
