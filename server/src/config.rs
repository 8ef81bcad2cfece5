//! Configuration, read once at start-up from the environment, typed, with defaults
//! for the embedded mode. A bad value stops the server with a message naming it;
//! secrets are never logged (`Debug` redacts them).

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("cannot read the secrets file {path}: {reason}")]
    SecretsFile { path: String, reason: String },
}

#[derive(Clone)]
pub struct Config {
    /// `SITE_ADDR` (else cargo-leptos's `LEPTOS_SITE_ADDR`), default 127.0.0.1:3000.
    pub site_addr: SocketAddr,
    /// `PUBLIC_URL`: where users reach the app; defaults to `http://{site_addr}`.
    pub public_url: String,
    pub database: db::DbConfig,
    /// `SMTP_URL`, e.g. `smtp://user:pass@mail.example.com:587?tls=required`,
    /// `smtp://127.0.0.1:1025` for a local test server; unset = development mailbox.
    pub smtp_url: Option<String>,
    /// `MAIL_FROM`, the sender of every email.
    pub mail_from: String,
    pub sign_in_limit_per_account: i64,
    pub sign_in_limit_per_client: i64,
    /// Accounts one client may create per hour.
    pub sign_up_limit_per_client: i64,
    /// `TRUST_FORWARDED_FOR=true` behind a reverse proxy that appends the client's
    /// address to `X-Forwarded-For`; off by default, so a client cannot pick its own.
    pub trust_forwarded_for: bool,
    /// `MAIL_LEASE_SECONDS`: how long a worker holds a claimed email before another
    /// replica may send it (default 120; the replica-kill test shortens it).
    pub mail_lease_seconds: i64,
    /// `CLEANUP_INTERVAL_SECONDS`: how often a replica tries to run the clean-up.
    pub cleanup_interval_seconds: i64,
    /// `LEPTOS_SITE_ROOT` (cargo-leptos sets it): the built site's static files, with
    /// the `.br` and `.gz` copies `scripts/precompress` makes, and the wasm split
    /// manifest the pages' preload links come from. Always absolute (a relative
    /// setting is taken from the working directory at start); by default the `site`
    /// directory beside the binary's (see [`default_site_root`]).
    pub site_root: String,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("site_addr", &self.site_addr)
            .field("public_url", &self.public_url)
            .field("database", &self.database)
            .field("smtp_url", &self.smtp_url.as_ref().map(|u| redact_url(u)))
            .field("mail_from", &self.mail_from)
            .field("sign_in_limit_per_account", &self.sign_in_limit_per_account)
            .field("sign_in_limit_per_client", &self.sign_in_limit_per_client)
            .field("sign_up_limit_per_client", &self.sign_up_limit_per_client)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("mail_lease_seconds", &self.mail_lease_seconds)
            .field("cleanup_interval_seconds", &self.cleanup_interval_seconds)
            .field("site_root", &self.site_root)
            .finish()
    }
}

/// The built site of the binary that is running, wherever it was started from:
/// `target/release-site` (where `make release` builds) beside `target/release/server`,
/// otherwise `target/site` (where `cargo leptos build` puts it) beside
/// `target/<profile>/server`; `target/site` under the working directory when neither is
/// there. (A wrong directory would serve no static files and no preload links.)
fn default_site_root() -> PathBuf {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from));
    let target = exe_dir.as_ref().and_then(|dir| dir.parent());
    let release = exe_dir
        .as_ref()
        .is_some_and(|dir| dir.file_name().is_some_and(|name| name == "release"));
    let mut candidates = Vec::new();
    if let Some(target) = target {
        if release {
            candidates.push(target.join("release-site"));
        }
        candidates.push(target.join("site"));
    }
    candidates
        .into_iter()
        .find(|site| site.is_dir())
        .unwrap_or_else(|| PathBuf::from("target/site"))
}

/// `path` as an absolute path, relative ones taken from the working directory.
fn absolute(path: PathBuf) -> String {
    std::path::absolute(&path)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// `smtp://user:secret@host` → `smtp://user:***@host`.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Whether a URL's host is this machine (127.0.0.0/8, ::1, localhost).
fn is_loopback_url(url: &str) -> bool {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    let authority = after_scheme.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(authority),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads from any lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let site_addr_raw = get("SITE_ADDR")
            .or_else(|| get("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr: SocketAddr = site_addr_raw.parse().map_err(|e| ConfigError::Invalid {
            name: "SITE_ADDR",
            reason: format!("{site_addr_raw:?}: {e}"),
        })?;
        let public_url = get("PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{site_addr}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "PUBLIC_URL",
                reason: "must start with http:// or https://".into(),
            });
        }
        // Requests must name the site's host (DNS rebinding): a server listening on all
        // addresses needs to be told which name users reach it by.
        if public_url.contains("://0.0.0.0") || public_url.contains("://[::]") {
            return Err(ConfigError::Invalid {
                name: "PUBLIC_URL",
                reason: format!(
                    "required when SITE_ADDR ({site_addr}) listens on every address: the \
                     address users reach the app by, e.g. https://connect.example.com"
                ),
            });
        }
        let url = get("DATABASE_URL").unwrap_or_else(|| "surrealkv://data/scc".into());
        let known = ["mem://", "surrealkv://", "ws://", "wss://"];
        if !known.iter().any(|p| url.starts_with(p)) {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                reason: format!("must start with one of {known:?}"),
            });
        }
        // The password may come from a file (a mounted secret) instead of the environment.
        let password = match (get("DATABASE_PASSWORD"), get("DATABASE_PASSWORD_FILE")) {
            (Some(p), _) => Some(p),
            (None, Some(path)) => Some(
                std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError::SecretsFile {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?
                    .trim()
                    .to_owned(),
            ),
            (None, None) => None,
        };
        let database = db::DbConfig {
            url,
            namespace: get("DATABASE_NAMESPACE").unwrap_or_else(|| "scc".into()),
            database: get("DATABASE_NAME").unwrap_or_else(|| "main".into()),
            username: get("DATABASE_USER"),
            password,
        };
        let smtp_url = get("SMTP_URL");
        // Without SMTP every email, links included, is shown at /dev/mailbox: fine on
        // a developer's machine, an open door anywhere else. Both the public URL and
        // the listening address must be this machine's own: a loopback PUBLIC_URL on a
        // server listening on 0.0.0.0 (a common container setup) still answers the
        // whole network; and a server behind a proxy (TRUST_FORWARDED_FOR) answers
        // whoever the proxy lets in, even on loopback.
        let behind_proxy = matches!(get("TRUST_FORWARDED_FOR").as_deref(), Some("true" | "1"));
        let local = is_loopback_url(&public_url) && site_addr.ip().is_loopback();
        if smtp_url.is_none() && (behind_proxy || !local) {
            return Err(ConfigError::Invalid {
                name: "SMTP_URL",
                reason: format!(
                    "required unless both PUBLIC_URL ({public_url}) and SITE_ADDR ({site_addr}) \
                     are this machine (loopback); without it emails would only be shown in \
                     the development mailbox, to anyone who can reach the server"
                ),
            });
        }
        let number =
            |name: &'static str, default: i64| -> Result<i64, ConfigError> {
                match get(name) {
                    None => Ok(default),
                    Some(v) => v.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                        ConfigError::Invalid {
                            name,
                            reason: format!("{v:?} is not a positive whole number"),
                        }
                    }),
                }
            };
        Ok(Config {
            site_addr,
            public_url,
            database,
            smtp_url,
            mail_from: get("MAIL_FROM").unwrap_or_else(|| {
                "Supply Chain Connect <no-reply@supply-chain-connect.local>".into()
            }),
            sign_in_limit_per_account: number("SIGN_IN_LIMIT_PER_ACCOUNT", 10)?,
            sign_in_limit_per_client: number("SIGN_IN_LIMIT_PER_CLIENT", 50)?,
            sign_up_limit_per_client: number("SIGN_UP_LIMIT_PER_CLIENT", 20)?,
            mail_lease_seconds: number("MAIL_LEASE_SECONDS", 120)?,
            cleanup_interval_seconds: number("CLEANUP_INTERVAL_SECONDS", 3600)?,
            site_root: absolute(
                get("LEPTOS_SITE_ROOT").map_or_else(default_site_root, PathBuf::from),
            ),
            trust_forwarded_for: match get("TRUST_FORWARDED_FOR").as_deref() {
                None | Some("false") | Some("0") => false,
                Some("true") | Some("1") => true,
                Some(other) => {
                    return Err(ConfigError::Invalid {
                        name: "TRUST_FORWARDED_FOR",
                        reason: format!("{other:?} is not true or false"),
                    })
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_mode() {
        let c = from(&[]).unwrap();
        assert_eq!(c.database.url, "surrealkv://data/scc");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(c.smtp_url.is_none());
    }

    #[test]
    fn the_site_root_does_not_depend_on_the_working_directory_later() {
        let cwd = std::env::current_dir().expect("a working directory");
        let set = from(&[("LEPTOS_SITE_ROOT", "target/release-site")]).expect("valid");
        assert_eq!(
            std::path::Path::new(&set.site_root),
            cwd.join("target/release-site")
        );
        assert!(std::path::Path::new(&from(&[]).expect("the defaults").site_root).is_absolute());
    }

    #[test]
    fn bad_values_name_the_setting() {
        let e = from(&[("DATABASE_URL", "postgres://x")]).unwrap_err();
        assert!(e.to_string().contains("DATABASE_URL"));
        let e = from(&[("SITE_ADDR", "nowhere")]).unwrap_err();
        assert!(e.to_string().contains("SITE_ADDR"));
        let e = from(&[("SIGN_IN_LIMIT_PER_ACCOUNT", "-1")]).unwrap_err();
        assert!(e.to_string().contains("SIGN_IN_LIMIT_PER_ACCOUNT"));
        let e = from(&[("DATABASE_PASSWORD_FILE", "/nonexistent/secret")]).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/secret"));
    }

    #[test]
    fn a_public_site_needs_smtp() {
        let e = from(&[("PUBLIC_URL", "https://connect.example.com")]).unwrap_err();
        assert!(e.to_string().contains("SMTP_URL"));
        assert!(from(&[
            ("PUBLIC_URL", "https://connect.example.com"),
            ("SMTP_URL", "smtp://mail:25")
        ])
        .is_ok());
        for local in [
            "http://localhost:3000",
            "http://127.0.0.1:3000",
            "http://[::1]:3000",
        ] {
            assert!(from(&[("PUBLIC_URL", local)]).is_ok(), "{local}");
        }
    }

    #[test]
    fn the_mailbox_needs_a_loopback_listener_too() {
        let local = [
            ("SITE_ADDR", "127.0.0.1:3000"),
            ("PUBLIC_URL", "http://localhost:3000"),
        ];
        assert!(from(&local).is_ok());
        let e = from(&[
            ("SITE_ADDR", "0.0.0.0:3000"),
            ("PUBLIC_URL", "http://localhost:3000"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("SMTP_URL"), "{e}");
        assert!(from(&[
            ("SITE_ADDR", "0.0.0.0:3000"),
            ("PUBLIC_URL", "http://localhost:3000"),
            ("SMTP_URL", "smtp://mail:25"),
        ])
        .is_ok());
        // Behind a proxy on the same machine, loopback says nothing about who reaches it.
        let e = from(&[("TRUST_FORWARDED_FOR", "true")]).unwrap_err();
        assert!(e.to_string().contains("SMTP_URL"), "{e}");
    }

    #[test]
    fn a_server_on_every_address_is_told_its_public_url() {
        let e = from(&[
            ("SITE_ADDR", "0.0.0.0:3000"),
            ("SMTP_URL", "smtp://mail:25"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("PUBLIC_URL"), "{e}");
        assert!(from(&[
            ("SITE_ADDR", "0.0.0.0:3000"),
            ("SMTP_URL", "smtp://mail:25"),
            ("PUBLIC_URL", "https://connect.example.com"),
        ])
        .is_ok());
    }

    #[test]
    fn secrets_are_not_printed() {
        let c = from(&[
            ("SMTP_URL", "smtp://mailer:hunter2@mail.example.com:587"),
            ("DATABASE_URL", "ws://db:8000"),
            ("DATABASE_USER", "root"),
            ("DATABASE_PASSWORD", "s3cret"),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2"));
        assert!(!printed.contains("s3cret"));
        assert!(printed.contains("mail.example.com"));
    }
}
