//! `payback evidence fetch-sec` against a local HTTP server (std::net on 127.0.0.1, port 0;
//! no other network). The download tests need the `fetch` feature:
//! `cargo test -p payback-cli --features fetch --test evidence_fetch`. Without it, the one test
//! here checks that the subcommand says it needs the feature.

mod common;

use std::path::Path;
use std::process::Output;

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::hermetic("120");
    cmd.args(args).current_dir(dir).env("HOME", dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    common::output(&mut cmd)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(not(feature = "fetch"))]
#[test]
fn without_the_feature_fetch_sec_says_it_needs_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "evidence",
            "--db",
            "e.db",
            "fetch-sec",
            "1640147",
            "--user-agent",
            "Jane Doe jane@example.com",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("--features fetch"), "{err}");
    assert!(!dir.path().join("e.db").exists());
}

#[cfg(feature = "fetch")]
mod fetch {
    use super::*;

    use std::io::{BufRead as _, BufReader, Write as _};
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::thread::JoinHandle;
    use std::time::{Duration, Instant};

    use payback_evidence::fetch::{Fetcher, MIN_INTERVAL};
    use std::path::PathBuf;

    fn snowflake() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../crates/payback-evidence/tests/data")
            .join("companyfacts-CIK0001640147-snowflake.json")
    }

    const UA: &str = "Payback Tests payback-tests@example.com";

    /// What the server saw of one request.
    #[derive(Debug, Clone)]
    struct Seen {
        request_line: String,
        headers: Vec<(String, String)>,
        at: Instant,
    }

    impl Seen {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    /// A one-thread HTTP/1.1 server on 127.0.0.1:0 answering `requests` requests with
    /// `status` and `body`, then stopping; it gives up by itself after 30 seconds.
    struct Server {
        base: String,
        seen: mpsc::Receiver<Seen>,
        handle: JoinHandle<()>,
    }

    impl Server {
        fn start(status: u16, reason: &'static str, body: Vec<u8>, requests: usize) -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.set_nonblocking(true).unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let (tx, seen) = mpsc::channel();
            let handle = std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(30);
                let mut served = 0;
                while served < requests && Instant::now() < deadline {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            if let Some(s) = serve(stream, status, reason, &body) {
                                served += 1;
                                let _ = tx.send(s);
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => break,
                    }
                }
            });
            Server { base, seen, handle }
        }

        /// The requests seen, after the server stopped.
        fn requests(self) -> Vec<Seen> {
            self.handle.join().unwrap();
            self.seen.try_iter().collect()
        }
    }

    fn serve(stream: TcpStream, status: u16, reason: &str, body: &[u8]) -> Option<Seen> {
        stream.set_nonblocking(false).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        let at = Instant::now();
        let mut reader = BufReader::new(stream.try_clone().ok()?);
        let mut request_line = String::new();
        reader.read_line(&mut request_line).ok()?;
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 {
                break;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let mut w = stream;
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        w.write_all(head.as_bytes()).ok()?;
        w.write_all(body).ok()?;
        w.flush().ok()?;
        Some(Seen {
            request_line: request_line.trim_end().to_string(),
            headers,
            at,
        })
    }

    fn list_all(dir: &Path, db: &str) -> Vec<serde_json::Value> {
        let out = run(
            dir,
            &["evidence", "--db", db, "list", "--all", "--format", "json"],
            &[],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn fetch(dir: &Path, base: &str, cik: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            "evidence",
            "--db",
            "fetched.db",
            "fetch-sec",
            cik,
            "--base-url",
            base,
        ];
        args.extend_from_slice(extra);
        run(dir, &args, &[])
    }

    #[test]
    fn fetch_sec_downloads_and_imports_like_import_sec() {
        let dir = tempfile::tempdir().unwrap();
        let body = std::fs::read(snowflake()).unwrap();
        let server = Server::start(200, "OK", body, 1);
        let base = server.base.clone();
        let out = fetch(dir.path(), &base, "1640147", &["--user-agent", UA]);
        assert!(
            out.status.success(),
            "stdout: {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        );
        let seen = server.requests();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].request_line,
            "GET /api/xbrl/companyfacts/CIK0001640147.json HTTP/1.1"
        );
        assert_eq!(seen[0].header("User-Agent"), Some(UA));
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains(&format!(
                "{base}/api/xbrl/companyfacts/CIK0001640147.json: "
            )),
            "{stdout}"
        );
        assert!(stdout.contains("company SNOWFLAKE INC."), "{stdout}");

        // The same observations as a direct import of the same file.
        let file = snowflake().display().to_string();
        let out = run(
            dir.path(),
            &["evidence", "--db", "direct.db", "import-sec", &file],
            &[],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let fetched = list_all(dir.path(), "fetched.db");
        let direct = list_all(dir.path(), "direct.db");
        assert!(fetched.len() > 100, "{} observations", fetched.len());
        assert_eq!(fetched, direct);

        // Idempotent, as import-sec: fetching again adds nothing. The User-Agent comes from
        // the environment this time, and the CIK is written another way.
        let server = Server::start(200, "OK", std::fs::read(snowflake()).unwrap(), 1);
        let out = run(
            dir.path(),
            &[
                "evidence",
                "--db",
                "fetched.db",
                "fetch-sec",
                "CIK0001640147",
                "--base-url",
                &server.base,
            ],
            &[("PAYBACK_SEC_USER_AGENT", UA)],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(" 0 added, "),
            "{}",
            text(&out.stdout)
        );
        let seen = server.requests();
        assert_eq!(seen[0].header("user-agent"), Some(UA));
        assert_eq!(list_all(dir.path(), "fetched.db"), direct);
    }

    /// Runs `fetch-sec` against a server answering `status`; checks exit 2, the message, and
    /// that no database was created.
    fn fails(status: u16, reason: &'static str, body: &[u8], expect: &[&str]) {
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start(status, reason, body.to_vec(), 1);
        let out = fetch(
            dir.path(),
            &server.base,
            "9999999999",
            &["--user-agent", UA],
        );
        let seen = server.requests();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].request_line,
            "GET /api/xbrl/companyfacts/CIK9999999999.json HTTP/1.1"
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        for e in expect {
            assert!(err.contains(e), "`{e}` not in: {err}");
        }
        assert!(text(&out.stdout).is_empty());
        assert!(
            !dir.path().join("fetched.db").exists(),
            "nothing is stored: the database is not even created"
        );
    }

    #[test]
    fn not_found_is_an_error_and_stores_nothing() {
        fails(
            404,
            "Not Found",
            b"<Error><Code>NoSuchKey</Code></Error>",
            &["HTTP 404", "CIK 9999999999", "/CIK9999999999.json"],
        );
    }

    #[test]
    fn forbidden_and_rate_limited_are_explained() {
        fails(403, "Forbidden", b"", &["HTTP 403", "User-Agent"]);
        fails(429, "Too Many Requests", b"", &["HTTP 429", "rate limit"]);
    }

    #[test]
    fn a_body_that_is_not_json_is_rejected() {
        fails(
            200,
            "OK",
            b"<html>Request Rate Threshold Exceeded</html>",
            &["not a companyfacts JSON document", "line 1 column 1"],
        );
    }

    #[test]
    fn a_dead_server_is_a_network_error() {
        // Bind and drop: nothing listens on that port any more.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let out = fetch(dir.path(), &base, "1640147", &["--user-agent", UA]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("cannot fetch"), "{err}");
        assert!(!dir.path().join("fetched.db").exists());
    }

    #[test]
    fn the_user_agent_is_required() {
        let dir = tempfile::tempdir().unwrap();
        // No server: the command must stop before any request.
        let out = fetch(dir.path(), "http://127.0.0.1:9", "1640147", &[]);
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(err.contains("User-Agent"), "{err}");
        assert!(err.contains("PAYBACK_SEC_USER_AGENT"), "{err}");
        let out = fetch(
            dir.path(),
            "http://127.0.0.1:9",
            "1640147",
            &["--user-agent", "just a name"],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("email"), "{}", text(&out.stderr));
        let out = fetch(
            dir.path(),
            "http://127.0.0.1:9",
            "16401x",
            &["--user-agent", UA],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("not a CIK"),
            "{}",
            text(&out.stderr)
        );
        assert!(!dir.path().join("fetched.db").exists());
    }

    #[test]
    fn the_fetcher_keeps_the_minimum_interval_between_requests() {
        let body = br#"{"cik": 1, "facts": {}}"#.to_vec();
        let server = Server::start(200, "OK", body, 3);
        let mut f = Fetcher::new(&server.base, UA);
        let t0 = Instant::now();
        for cik in [1, 2, 3] {
            f.companyfacts(cik).unwrap();
        }
        // Three requests: the third starts at least two intervals after the first.
        assert!(t0.elapsed() >= 2 * MIN_INTERVAL, "{:?}", t0.elapsed());
        let seen = server.requests();
        assert_eq!(seen.len(), 3);
        // As the server saw them (it polls its socket every 5 ms, hence the slack).
        for pair in seen.windows(2) {
            let gap = pair[1].at - pair[0].at;
            assert!(
                gap + Duration::from_millis(10) >= MIN_INTERVAL,
                "{gap:?} between two requests"
            );
        }
        assert_eq!(
            seen[2].request_line,
            "GET /api/xbrl/companyfacts/CIK0000000003.json HTTP/1.1"
        );
        assert!(seen.iter().all(|s| s.header("User-Agent") == Some(UA)));
        // The rate limit: at most 10 requests a second.
        assert!(MIN_INTERVAL >= Duration::from_millis(100));
    }
}
