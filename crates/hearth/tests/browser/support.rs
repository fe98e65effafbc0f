//! What every browser test needs: the server under test, chromedriver,
//! a Chromium session, and ways to wait for what the page shows.

use anyhow::{Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const EMAIL: &str = "owner@browser.test";
pub const PASSWORD: &str = "correct horse battery staple";
/// How long to wait for a page, a process or a port.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Kills (and reaps) a child process when the test ends, however it ends.
pub struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `hearth` binary under test, pointed at `data_dir` and shielded from
/// settings in the caller's environment that would change what it does.
pub fn hearth(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hearth"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("HEARTH_DATA_DIR")
        .env_remove("HEARTH_BIND")
        .env_remove("HEARTH_SECURE_COOKIES")
        .env("HEARTH_LOG", "warn");
    cmd
}

/// Runs an admin command to completion and returns its standard output.
pub fn run_cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut cmd = hearth(data_dir);
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting hearth {args:?}: {e}"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(input.as_bytes())
            .expect("writing to hearth's stdin");
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for hearth {args:?}: {e}"));
    assert!(
        out.status.success(),
        "hearth {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("hearth prints UTF-8")
}

/// An organisation with the owner login the tests sign in with, made through
/// the real CLI; returns an admin API key.
pub fn set_up_org(dir: &Path, name: &str, slug: &str) -> String {
    run_cli(
        dir,
        &["org", "create", "--name", name, "--slug", slug],
        None,
    );
    run_cli(
        dir,
        &[
            "user",
            "create",
            "--org",
            slug,
            "--email",
            EMAIL,
            "--role",
            "owner",
            "--name",
            "Olive Owner",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    let out = run_cli(
        dir,
        &["apikey", "create", "--org", slug, "--name", "t"],
        None,
    );
    out.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .expect("apikey create prints the key")
        .to_string()
}

/// Starts `hearth serve` on a free port and returns it with its base URL.
pub async fn serve(data_dir: &Path) -> (KillOnDrop, String) {
    serve_with(data_dir, &[]).await
}

/// [`serve`] with more `hearth serve` arguments (an SMTP server, say).
pub async fn serve_with(data_dir: &Path, args: &[&str]) -> (KillOnDrop, String) {
    let mut child = hearth(data_dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting hearth serve");
    let stdout = child.stdout.take().expect("stdout is piped");
    let guard = KillOnDrop(child);
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        // Keep reading to the end so the server never writes to a closed pipe.
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("Hearth is serving on ")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(url.trim().to_string());
            }
        }
    });
    let url = tokio::time::timeout(PATIENCE, rx)
        .await
        .expect("hearth serve did not print its address in time")
        .expect("hearth serve exited before printing its address");
    (guard, url)
}

/// A port nobody is listening on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("finding a free port")
        .port()
}

/// Starts chromedriver and waits until it accepts connections.
pub async fn chromedriver() -> (KillOnDrop, String) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting chromedriver");
    let mut guard = KillOnDrop(child);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        if let Ok(Some(status)) = guard.0.try_wait() {
            panic!("chromedriver exited early ({status})");
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "chromedriver did not listen on port {port} within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (guard, format!("http://127.0.0.1:{port}"))
}

pub async fn connect_browser(webdriver: &str, profile: &Path) -> Result<Client> {
    // fantoccini's connector needs a process-wide rustls crypto provider;
    // with both ring and aws-lc-rs compiled in, rustls will not guess one.
    // An error only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object literal")
    };
    let client = ClientBuilder::rustls()
        .context("setting up the WebDriver HTTP client")?
        .capabilities(capabilities)
        .connect(webdriver)
        .await
        .context("opening a chromium session through chromedriver")?;
    Ok(client)
}

/// Waits for an element, saying which one on timeout. Any failure to find
/// it is retried until then, not only its absence: right after a click
/// that submits a form, chromedriver answers a lookup with "aborted by
/// navigation" while the next page loads (a flaky merge walk in CI).
pub async fn wait_for(client: &Client, what: Locator<'_>) -> Result<fantoccini::elements::Element> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match client.find(what).await {
            Ok(found) => return Ok(found),
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => return Err(e).with_context(|| format!("waiting for {what:?}")),
        }
    }
}

/// Signs in as the owner through the login form and waits for `next`.
pub async fn sign_in(client: &Client, base: &str, next: &str) -> Result<()> {
    client.goto(&format!("{base}/login?next={next}")).await?;
    wait_for(client, Locator::Css("input[name=email]"))
        .await?
        .send_keys(EMAIL)
        .await?;
    client
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    client
        .find(Locator::Css("form.login button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for(client, Locator::Css("header.top")).await?;
    Ok(())
}

pub async fn page_text(client: &Client) -> Result<String> {
    Ok(client.find(Locator::Css("body")).await?.text().await?)
}

/// Types into one field of the form whose action ends in `action`.
pub async fn fill(client: &Client, action: &str, name: &str, value: &str) -> Result<()> {
    let field = client
        .find(Locator::Css(&format!(
            "form[action$='{action}'] [name={name}]"
        )))
        .await?;
    field.send_keys(value).await?;
    Ok(())
}

/// Whether Chromium and chromedriver are installed. Under `CI=true` their
/// absence fails the test instead of skipping it.
pub fn browser_available() -> bool {
    let missing: Vec<&str> = [CHROMEDRIVER, CHROMIUM]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "browser test cannot run: {} missing; install the Debian packages `chromium` and `chromium-driver`",
        missing.join(" and ")
    );
    eprintln!(
        "note: skipping a browser test: {} missing (apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    false
}

/// Ends the browser session whatever happened (so chromium exits before
/// chromedriver is killed), showing where the browser was if the walk failed.
pub async fn finish(client: Client, outcome: Result<()>) {
    if outcome.is_err() {
        if let Ok(url) = client.current_url().await {
            eprintln!("browser was at {url}");
        }
        if let Ok(source) = client.source().await {
            eprintln!("page source:\n{source}");
        }
    }
    let closed = client.close().await;
    outcome.unwrap_or_else(|e| panic!("{e:#}"));
    closed.expect("closing the browser session");
}

/// A client for the REST API of the server under test.
pub fn api(
    base: &str,
    api_key: &str,
    method: reqwest::Method,
    path: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("building an HTTP client")
        .request(method, format!("{base}{path}"))
        .bearer_auth(api_key)
}
