//! Downloading SEC EDGAR companyfacts (docs/evidence.md, "Fetching from the SEC").
//!
//! The checks and the rate limit are always compiled and pure: [`parse_cik`],
//! [`companyfacts_url`], [`check_user_agent`] and [`Throttle`] (which is given the time, it
//! does not read the clock). The HTTP client, `Fetcher`, exists only with the cargo feature
//! `fetch` (blocking `ureq`, rustls): it and the store are the only parts of this crate that do
//! IO. The SEC's fair-access rules: every request names its sender in the `User-Agent`
//! (a name and an email address), and no more than 10 requests a second; `Fetcher` keeps
//! at least [`MIN_INTERVAL`] between two of its requests.

use std::fmt;
use std::time::{Duration, Instant};

/// Where companyfacts are served.
pub const DEFAULT_BASE: &str = "https://data.sec.gov";

/// The environment variable read when no User-Agent is given on the command line.
pub const USER_AGENT_ENV: &str = "PAYBACK_SEC_USER_AGENT";

/// The least time between the starts of two requests of one `Fetcher`: at most 9 a second,
/// under the SEC's limit of 10.
pub const MIN_INTERVAL: Duration = Duration::from_millis(110);

/// The largest body accepted (companyfacts of the largest filers are a few tens of MB).
pub const MAX_BODY: u64 = 512 * 1024 * 1024;

/// A failure to fetch: what went wrong, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    /// The message, naming the URL.
    pub message: String,
    /// The HTTP status, when the server answered with an error.
    pub status: Option<u16>,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FetchError {}

/// A CIK as typed: `1640147`, `0001640147` or `CIK0001640147` (at most 10 digits, not 0).
pub fn parse_cik(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t
        .strip_prefix("CIK")
        .or_else(|| t.strip_prefix("cik"))
        .unwrap_or(t);
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{s}` is not a CIK: expected up to 10 digits, e.g. 1640147 or CIK0001640147"
        ));
    }
    match digits.parse::<u64>() {
        Ok(0) | Err(_) => Err(format!("`{s}` is not a CIK: it must be a positive number")),
        Ok(n) => Ok(n),
    }
}

/// `{base}/api/xbrl/companyfacts/CIK##########.json` (the CIK zero-padded to 10 digits; a
/// trailing `/` of `base` is dropped).
pub fn companyfacts_url(base: &str, cik: u64) -> String {
    format!(
        "{}/api/xbrl/companyfacts/CIK{cik:010}.json",
        base.trim_end_matches('/')
    )
}

/// Check a User-Agent for the SEC: non-empty, printable ASCII (it goes in a header), and with
/// an email address (`Name email@example.com`), as the SEC asks. Returns it trimmed.
pub fn check_user_agent(ua: &str) -> Result<String, String> {
    let ua = ua.trim();
    if ua.is_empty() {
        return Err("the User-Agent is empty".into());
    }
    if !ua.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(format!(
            "the User-Agent `{}` must be printable ASCII (it is sent as an HTTP header)",
            ua.escape_debug()
        ));
    }
    if !ua.split_whitespace().any(|w| {
        w.split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
    }) {
        return Err(format!(
            "the User-Agent `{ua}` has no email address: the SEC asks for a name and an email, \
             e.g. \"Jane Doe jane@example.com\""
        ));
    }
    Ok(ua.to_string())
}

/// A minimum interval between the starts of successive requests. Pure: the caller passes the
/// time and sleeps for what [`Throttle::reserve`] returns.
#[derive(Debug, Clone)]
pub struct Throttle {
    interval: Duration,
    next: Option<Instant>,
}

impl Throttle {
    /// A throttle letting one request start every `interval`.
    pub fn new(interval: Duration) -> Throttle {
        Throttle {
            interval,
            next: None,
        }
    }

    /// Reserve a start for a request wanted at `now`: returns how long to wait first. The
    /// next request may start `interval` after this one's start.
    pub fn reserve(&mut self, now: Instant) -> Duration {
        let start = match self.next {
            Some(t) if t > now => t,
            _ => now,
        };
        self.next = Some(start + self.interval);
        start - now
    }
}

#[cfg(feature = "fetch")]
pub use client::Fetcher;

#[cfg(feature = "fetch")]
mod client {
    use super::{FetchError, MAX_BODY, MIN_INTERVAL, Throttle, companyfacts_url};
    use std::time::{Duration, Instant};

    /// A blocking HTTP client for companyfacts, with the SEC's User-Agent and rate limit.
    /// One fetcher should serve a whole batch, so that the interval holds across it.
    #[derive(Debug)]
    pub struct Fetcher {
        agent: ureq::Agent,
        base: String,
        user_agent: String,
        throttle: Throttle,
    }

    impl Fetcher {
        /// A fetcher for `base` (e.g. [`super::DEFAULT_BASE`]) sending `user_agent` (check it
        /// with [`super::check_user_agent`] first; an invalid header value fails the request,
        /// it does not panic), at most one request per [`MIN_INTERVAL`].
        pub fn new(base: &str, user_agent: &str) -> Fetcher {
            Fetcher::with_interval(base, user_agent, MIN_INTERVAL)
        }

        /// The same with another interval (never below [`MIN_INTERVAL`] against the SEC).
        pub fn with_interval(base: &str, user_agent: &str, interval: Duration) -> Fetcher {
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_connect(Some(Duration::from_secs(30)))
                .timeout_global(Some(Duration::from_secs(300)))
                .accept("application/json")
                .build();
            Fetcher {
                agent: ureq::Agent::new_with_config(config),
                base: base.to_string(),
                user_agent: user_agent.to_string(),
                throttle: Throttle::new(interval),
            }
        }

        /// The URL of a CIK's companyfacts.
        pub fn url(&self, cik: u64) -> String {
            companyfacts_url(&self.base, cik)
        }

        /// Download the companyfacts of `cik`: the body of a `200 OK`, or an error naming the
        /// URL and what to do. Waits first if the previous request started less than the
        /// interval ago.
        pub fn companyfacts(&mut self, cik: u64) -> Result<Vec<u8>, FetchError> {
            let url = self.url(cik);
            self.get(&url, &format!("CIK {cik}"))
        }

        fn get(&mut self, url: &str, what: &str) -> Result<Vec<u8>, FetchError> {
            std::thread::sleep(self.throttle.reserve(Instant::now()));
            let fail = |message: String, status: Option<u16>| FetchError { message, status };
            let mut resp = self
                .agent
                .get(url)
                .header("User-Agent", &self.user_agent)
                .call()
                .map_err(|e| fail(format!("cannot fetch {url}: {}", describe(&e)), None))?;
            let status = resp.status().as_u16();
            if status != 200 {
                let message = match status {
                    404 => format!(
                        "{url}: HTTP 404 Not Found: the SEC has no companyfacts for {what} \
                         (is the CIK right? EDGAR's company search shows it)"
                    ),
                    403 => format!(
                        "{url}: HTTP 403 Forbidden: the SEC refused the request; it refuses \
                         User-Agents without a name and an email address, and clients that \
                         exceeded its rate limit (wait 10 minutes)"
                    ),
                    429 => format!(
                        "{url}: HTTP 429 Too Many Requests: over the SEC's rate limit of 10 \
                         requests a second; wait a few minutes and try again"
                    ),
                    s => format!(
                        "{url}: HTTP {s}{}",
                        resp.status()
                            .canonical_reason()
                            .map(|r| format!(" {r}"))
                            .unwrap_or_default()
                    ),
                };
                return Err(fail(message, Some(status)));
            }
            resp.body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(|e| fail(format!("cannot read {url}: {}", describe(&e)), None))
        }
    }

    fn describe(e: &ureq::Error) -> String {
        match e {
            ureq::Error::HostNotFound => {
                "host not found (no network, or a wrong --base-url?)".into()
            }
            ureq::Error::ConnectionFailed => {
                "connection failed (no network, or a wrong --base-url?)".into()
            }
            ureq::Error::Timeout(t) => format!("timed out ({t})"),
            ureq::Error::BodyExceedsLimit(n) => format!("the body is larger than {n} bytes"),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ciks() {
        assert_eq!(parse_cik("1640147"), Ok(1_640_147));
        assert_eq!(parse_cik(" 0001640147 "), Ok(1_640_147));
        assert_eq!(parse_cik("CIK0001640147"), Ok(1_640_147));
        assert!(parse_cik("").is_err());
        assert!(parse_cik("0").is_err());
        assert!(parse_cik("12345678901").is_err());
        assert!(parse_cik("16x").is_err());
        assert!(parse_cik("-5").is_err());
        assert!(parse_cik("١٢٣").is_err());
    }

    #[test]
    fn urls() {
        assert_eq!(
            companyfacts_url(DEFAULT_BASE, 1_640_147),
            "https://data.sec.gov/api/xbrl/companyfacts/CIK0001640147.json"
        );
        assert_eq!(
            companyfacts_url("http://127.0.0.1:8080/", 320_193),
            "http://127.0.0.1:8080/api/xbrl/companyfacts/CIK0000320193.json"
        );
    }

    #[test]
    fn user_agents() {
        assert_eq!(
            check_user_agent("  Jane Doe jane@example.com "),
            Ok("Jane Doe jane@example.com".into())
        );
        assert!(check_user_agent("").is_err());
        assert!(check_user_agent("Jane Doe").is_err());
        assert!(check_user_agent("Jane @ home").is_err());
        assert!(check_user_agent("Jane jane@example.com\r\nX: y").is_err());
    }

    #[test]
    fn throttle_spaces_requests() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut t = Throttle::new(ms(100));
        assert_eq!(t.reserve(t0), ms(0));
        // Asked for 30 ms later: waits until 100 ms.
        assert_eq!(t.reserve(t0 + ms(30)), ms(70));
        // Asked for at once again: the slot after that, 200 ms.
        assert_eq!(t.reserve(t0 + ms(30)), ms(170));
        // Long after: no wait.
        assert_eq!(t.reserve(t0 + ms(1000)), ms(0));
        // Ten requests wanted at once start over 900 ms: at most 10 in any second.
        let mut t = Throttle::new(ms(100));
        let waits: Vec<Duration> = (0..10).map(|_| t.reserve(t0)).collect();
        assert_eq!(waits[9], ms(900));
    }
}
