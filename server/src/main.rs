//! Starts Supply Chain Connect: reads the configuration, opens the database
//! (embedded under ./data unless DATABASE_URL says otherwise) and serves until
//! SIGTERM or Ctrl-C, then shuts down in order (see `Running::shut_down`).

use std::process::ExitCode;

use app::server::Clock;
use server::{start, Config, ShutdownLimits};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,surrealdb=warn,surrealkv=warn")),
        )
        .init();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(?config, "starting");
    let listener = match tokio::net::TcpListener::bind(config.site_addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", config.site_addr);
            return ExitCode::from(1);
        }
    };
    let mut running = match start(config, Clock::system(), listener).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    tokio::select! {
        _ = &mut running.server => {
            tracing::error!("the server stopped by itself");
            return ExitCode::FAILURE;
        }
        _ = shutdown_signal() => tracing::info!("shutting down"),
    }
    running.shut_down(ShutdownLimits::default()).await;
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return ctrl_c.await.unwrap_or(()),
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
