//! HTTP for 맑은: the JSON API under `/api/v1` (documented at `/api/v1/openapi.json`), the Korean
//! web pages (`pages`), sessions by cookie or bearer token, and the one table that maps error kinds
//! to HTTP statuses.
#![recursion_limit = "512"]

pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod pages;

use std::net::SocketAddr;

use axum::Router;
use malgeun_app::App;
pub use pages::PagesConfig;
use tokio::net::TcpListener;

/// The whole HTTP surface with the pages' default configuration.
pub fn router(app: App) -> Router {
    router_with(app, PagesConfig::default())
}

/// The whole HTTP surface: the JSON API and the pages.
pub fn router_with(app: App, pages: PagesConfig) -> Router {
    let limits = app.limits().clone();
    api::routes()
        .merge(pages::routes(pages, &limits))
        .with_state(app)
}

/// Serves until Ctrl-C (or SIGTERM), then finishes in-flight requests.
pub async fn serve(app: App, listener: TcpListener) -> std::io::Result<()> {
    serve_with(app, listener, PagesConfig::default()).await
}

/// Serves with the given pages configuration until Ctrl-C (or SIGTERM).
pub async fn serve_with(
    app: App,
    listener: TcpListener,
    pages: PagesConfig,
) -> std::io::Result<()> {
    let router = router_with(app, pages).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
