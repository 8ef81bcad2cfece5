//! The clean-up worker: every `CLEANUP_INTERVAL_SECONDS` it tries to take the
//! clean-up's lease and, if no other replica holds it, runs `db::cleanup`.

use std::time::Duration;

use app::server::Clock;

/// Starts the loop. The first try is a minute or two after start (replicas started
/// together try at different moments; one redeployed often still cleans up), then one
/// every interval.
/// It ends when `closing` turns true, never in the middle of a clean-up.
pub fn spawn(
    db: db::Db,
    clock: Clock,
    interval: Duration,
    mut closing: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    // Any id that tells this process from the other replicas.
    let holder = db::secrets::new_key();
    let jitter: u64 = holder.bytes().map(u64::from).sum::<u64>() % 60;
    let first = Duration::from_secs(60 + jitter).min(interval);
    tokio::spawn(async move {
        let mut wait = first;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = crate::until_closing(&mut closing) => return,
            }
            wait = interval;
            let now = clock.now();
            // Held a little less than an interval, so the next round finds it free.
            let lease = db::chrono::Duration::from_std(interval.mul_f64(0.9)).unwrap_or_default();
            match db.run_cleanup(&holder, now, now + lease).await {
                Ok(Some(report)) => tracing::info!(?report, "clean-up ran"),
                Ok(None) => tracing::debug!("clean-up left to another replica"),
                Err(e) => tracing::error!(error = %e, "clean-up failed"),
            }
        }
    })
}
