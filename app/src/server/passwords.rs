//! Argon2id on a small pool of its own, one thread per core in the idle CPU class:
//! when nothing else wants the CPU, sign-ins get all of it; when requests arrive, the
//! kernel runs their threads first, so a burst of sign-ins never stalls everything
//! else (`bench/run`, "Sign-in flood").

use std::sync::{mpsc, Mutex, OnceLock};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::domain::Password;
use crate::error::AppError;

pub async fn hash(password: Password) -> Result<String, AppError> {
    on_hashing_pool(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

/// Checks `password` against `stored`, or against a dummy hash when there is no such
/// user, so an unknown email takes as long as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    on_hashing_pool(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            tracing::error!("a stored password hash does not parse");
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"no user has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `work` on the hashing pool and waits for it without holding an async thread.
async fn on_hashing_pool<R: Send + 'static>(
    work: impl FnOnce() -> R + Send + 'static,
) -> Result<R, AppError> {
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // The caller may have gone (a closed connection); nothing to tell it then.
        let _ = done.send(work());
    });
    pool().submit(job)?;
    result.await.map_err(|_| {
        tracing::error!("a password hashing job ended without an answer");
        AppError::Internal
    })
}

/// Jobs waiting for a hashing thread at most: about two seconds of work on two
/// cores. Past that a sign-in or sign-up is answered `Busy` (503, `Retry-After`) at
/// once instead of waiting behind a flood.
const QUEUE_CAPACITY: usize = 32;

/// The pool's queue.
struct Pool {
    jobs: Mutex<mpsc::SyncSender<Job>>,
    /// The threads' end of the queue, kept here too so it is open even with no thread.
    _queue: std::sync::Arc<Mutex<mpsc::Receiver<Job>>>,
}

impl Pool {
    /// Starts `threads` hashing threads behind a queue of `capacity` jobs.
    fn start(threads: usize, capacity: usize) -> Pool {
        let (jobs, queue) = mpsc::sync_channel::<Job>(capacity);
        let queue = std::sync::Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = queue.clone();
            let started = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || {
                    lowest_cpu_priority();
                    loop {
                        // One job at a time; the lock is released before the job runs.
                        let next = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match next {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = started {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Pool {
            jobs: Mutex::new(jobs),
            _queue: queue,
        }
    }

    /// Queues `job`, or answers `Busy` when the queue is full.
    fn submit(&self, job: Job) -> Result<(), AppError> {
        let jobs = self.jobs.lock().map_err(|_| AppError::Internal)?;
        match jobs.try_send(job) {
            Ok(()) => Ok(()),
            Err(mpsc::TrySendError::Full(_)) => {
                tracing::warn!("the password hashing queue is full");
                Err(AppError::Busy)
            }
            Err(mpsc::TrySendError::Disconnected(_)) => {
                tracing::error!("the password hashing pool is gone");
                Err(AppError::Internal)
            }
        }
    }
}

/// The pool, started on first use.
fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Pool::start(threads, QUEUE_CAPACITY)
    })
}

/// Puts the calling thread in Linux's idle scheduling class: it runs only when no other
/// thread wants the CPU, and yields at once when one wakes (nice 19 alone still let a
/// flood of sign-ins add milliseconds to other requests). Lowering one's own thread's
/// class needs no privilege.
fn lowest_cpu_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: `param` outlives the call, which only reads it; pid 0 means the
        // calling thread.
        let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
        if rc != 0 {
            tracing::warn!("cannot lower the priority of a password hashing thread");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_and_a_wrong_password_does_not() {
        let password = Password::parse("correct horse battery staple").expect("valid");
        let stored = hash(password).await.expect("hashed");
        assert!(
            verify("correct horse battery staple".into(), Some(stored.clone()))
                .await
                .expect("verified")
        );
        assert!(!verify("wrong horse".into(), Some(stored))
            .await
            .expect("verified"));
        assert!(!verify("anything".into(), None).await.expect("verified"));
    }

    #[test]
    fn a_full_queue_answers_busy_at_once() {
        // No threads: nothing is taken off the queue of two.
        let pool = Pool::start(0, 2);
        assert_eq!(pool.submit(Box::new(|| ())), Ok(()));
        assert_eq!(pool.submit(Box::new(|| ())), Ok(()));
        assert_eq!(pool.submit(Box::new(|| ())), Err(AppError::Busy));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_runs_at_the_lowest_priority_off_the_async_threads() {
        let (policy, name) = on_hashing_pool(|| {
            // SAFETY: reads the calling thread's scheduling policy.
            let policy = unsafe { libc::sched_getscheduler(0) };
            (policy, std::thread::current().name().map(str::to_owned))
        })
        .await
        .expect("ran");
        assert_eq!(policy, libc::SCHED_IDLE);
        assert!(name.is_some_and(|n| n.starts_with("password-hash-")));
    }
}
