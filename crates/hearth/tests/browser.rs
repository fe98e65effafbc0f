//! End-to-end: a real browser signs in to a real `hearth serve` and edits a
//! customer through the staff pages.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages. Without them the
//! test is skipped, except under `CI=true`, where it fails.

use anyhow::{Context, Result, bail, ensure};
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const EMAIL: &str = "owner@browser.test";
const PASSWORD: &str = "correct horse battery staple";
/// How long to wait for a page, a process or a port.
const PATIENCE: Duration = Duration::from_secs(30);

/// Kills (and reaps) a child process when the test ends, however it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `hearth` binary under test, pointed at `data_dir` and shielded from
/// settings in the caller's environment that would change what it does.
fn hearth(data_dir: &Path) -> Command {
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
fn run_cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
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
fn set_up_org(dir: &Path, name: &str, slug: &str) -> String {
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
async fn serve(data_dir: &Path) -> (KillOnDrop, String) {
    let mut child = hearth(data_dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
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
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("finding a free port")
        .port()
}

/// Starts chromedriver and waits until it accepts connections.
async fn chromedriver() -> (KillOnDrop, String) {
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

async fn connect_browser(webdriver: &str, profile: &Path) -> Result<Client> {
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

/// Creates the customer the browser will look at, over the REST API.
async fn create_customer(base: &str, api_key: &str) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("building an HTTP client")
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(api_key)
        .json(&serde_json::json!({
            "first_name": "Grace",
            "last_name": "Hopper",
            "phone": "(512) 555-0188",
        }))
        .send()
        .await
        .expect("POST /api/v1/customers");
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(
        status,
        reqwest::StatusCode::CREATED,
        "creating the customer: {body}"
    );
}

/// Waits for an element, saying which one on timeout.
async fn wait_for(client: &Client, what: Locator<'_>) -> Result<fantoccini::elements::Element> {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(what)
        .await
        .with_context(|| format!("waiting for {what:?}"))
}

async fn page_text(client: &Client) -> Result<String> {
    Ok(client.find(Locator::Css("body")).await?.text().await?)
}

/// What the staff member does in the browser.
async fn walk_through(client: &Client, base: &str) -> Result<()> {
    // Not signed in: the customer list sends us to the login page.
    client.goto(&format!("{base}/customers")).await?;
    let email = wait_for(client, Locator::Css("input[name=email]")).await?;
    let url = client.current_url().await?;
    ensure!(url.path() == "/login", "expected the login page, got {url}");
    email.send_keys(EMAIL).await?;
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

    // Signed in, back on the customer list.
    let grace = wait_for(client, Locator::LinkText("Grace Hopper")).await?;
    let url = client.current_url().await?;
    ensure!(
        url.path() == "/customers",
        "expected the customer list after signing in, got {url}"
    );
    grace.click().await?;

    // The customer page.
    wait_for(client, Locator::Css("section.timeline")).await?;
    let text = page_text(client).await?;
    ensure!(
        text.contains("Grace Hopper"),
        "customer page lacks the name:\n{text}"
    );
    ensure!(
        text.contains("+15125550188"),
        "customer page lacks the phone in E.164:\n{text}"
    );

    // Edit the first name.
    client
        .find(Locator::LinkText("Edit"))
        .await?
        .click()
        .await?;
    let first = wait_for(client, Locator::Css("input[name=first_name]")).await?;
    first.clear().await?;
    first.send_keys("Amazing Grace").await?;
    client
        .find(Locator::XPath(
            "//main//form//button[normalize-space()='Save']",
        ))
        .await?
        .click()
        .await?;

    // Back on the customer page, renamed, with the change in the timeline.
    wait_for(
        client,
        Locator::XPath("//h1[normalize-space()='Amazing Grace Hopper']"),
    )
    .await?;
    let text = page_text(client).await?;
    ensure!(
        text.contains("Amazing Grace Hopper"),
        "customer page lacks the new name:\n{text}"
    );
    let timeline = client
        .find(Locator::Css("section.timeline"))
        .await?
        .text()
        .await?;
    if !timeline.contains("Changed first name") {
        bail!("timeline lacks the edit:\n{timeline}");
    }
    Ok(())
}

/// Types into one field of the form whose action ends in `action`.
async fn fill(client: &Client, action: &str, name: &str, value: &str) -> Result<()> {
    let field = client
        .find(Locator::Css(&format!(
            "form[action$='{action}'] [name={name}]"
        )))
        .await?;
    field.send_keys(value).await?;
    Ok(())
}

/// On the card: add a tag, a service address and a piece of equipment at
/// it, and see all three on the card and in the timeline.
async fn build_up_the_card(client: &Client) -> Result<()> {
    wait_for(client, Locator::Css("section.timeline")).await?;
    client
        .find(Locator::XPath(
            "//form[substring(@action, string-length(@action) - 4) = '/tags']//button",
        ))
        .await?
        .click()
        .await?;
    wait_for(client, Locator::XPath("//main//ul//*[contains(., 'VIP')]")).await?;

    client
        .find(Locator::XPath(
            "//summary[normalize-space()='Add a service address']",
        ))
        .await?
        .click()
        .await?;
    fill(client, "/addresses", "line1", "12 Elm Street").await?;
    fill(client, "/addresses", "city", "Austin").await?;
    fill(client, "/addresses", "postal_code", "78701").await?;
    client
        .find(Locator::XPath("//button[normalize-space()='Save address']"))
        .await?
        .click()
        .await?;
    wait_for(
        client,
        Locator::XPath("//summary[normalize-space()='Add equipment here']"),
    )
    .await?
    .click()
    .await?;
    fill(client, "/equipment", "kind", "Furnace").await?;
    fill(client, "/equipment", "make", "Carrier").await?;
    fill(client, "/equipment", "model", "59TP6").await?;
    fill(client, "/equipment", "serial_number", "SN-4471").await?;
    client
        .find(Locator::XPath(
            "//button[normalize-space()='Save equipment']",
        ))
        .await?
        .click()
        .await?;
    wait_for(client, Locator::XPath("//main//*[contains(., 'SN-4471')]")).await?;

    let text = page_text(client).await?;
    for expected in ["VIP", "12 Elm Street", "Carrier", "SN-4471"] {
        ensure!(
            text.contains(expected),
            "the card lacks {expected:?}:\n{text}"
        );
    }
    let timeline = client
        .find(Locator::Css("section.timeline"))
        .await?
        .text()
        .await?;
    for kind in ["tag", "address", "equipment"] {
        ensure!(
            timeline.contains(kind),
            "the timeline lacks a {kind} entry:\n{timeline}"
        );
    }
    Ok(())
}

/// The dashboard shows who is calling when a call comes in.
async fn incoming_call_card(client: &Client, base: &str, api_key: &str) -> Result<()> {
    client.goto(&format!("{base}/")).await?;
    wait_for(client, Locator::Css("#incoming-calls")).await?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    // The page's EventSource connects on its own time: ring until it shows.
    for _ in 0..40 {
        http.post(format!("{base}/api/v1/calls/incoming"))
            .bearer_auth(api_key)
            .json(&serde_json::json!({"number": "512 555 0188"}))
            .send()
            .await?
            .error_for_status()?;
        tokio::time::sleep(Duration::from_millis(250)).await;
        if let Ok(card) = client
            .find(Locator::Css("#incoming-calls .call-card"))
            .await
        {
            let text = card.text().await?;
            ensure!(
                text.contains("Amazing Grace Hopper") && text.contains("+15125550188"),
                "the call card shows:\n{text}"
            );
            return Ok(());
        }
    }
    bail!("no incoming-call card appeared on the dashboard")
}

/// Whether Chromium and chromedriver are installed. Under `CI=true` their
/// absence fails the test instead of skipping it.
fn browser_available() -> bool {
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
async fn finish(client: Client, outcome: Result<()>) {
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

#[tokio::test]
async fn staff_sign_in_and_edit_a_customer_in_a_browser() {
    if !browser_available() {
        return;
    }

    let data = tempfile::tempdir().expect("temp data dir");
    let dir = data.path();
    let api_key = set_up_org(dir, "Browser Test Co", "browser-co");

    let (_server, base) = serve(dir).await;
    create_customer(&base, &api_key).await;
    let tag = api(&base, &api_key, reqwest::Method::POST, "/api/v1/tags")
        .json(&serde_json::json!({"name": "VIP", "colour": "#b42318"}))
        .send()
        .await
        .expect("create tag");
    assert!(
        tag.status().is_success(),
        "creating the VIP tag: {}",
        tag.status()
    );

    let (_driver, webdriver) = chromedriver().await;
    let profile = tempfile::tempdir().expect("temp browser profile");
    let client = connect_browser(&webdriver, profile.path())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = match walk_through(&client, &base).await {
        Ok(()) => build_up_the_card(&client).await,
        failed => failed,
    };
    let outcome = match outcome {
        Ok(()) => incoming_call_card(&client, &base, &api_key).await,
        failed => failed,
    };
    finish(client, outcome).await;
}

/// A client for the REST API of the server under test.
fn api(base: &str, api_key: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("building an HTTP client")
        .request(method, format!("{base}{path}"))
        .bearer_auth(api_key)
}

/// Drags a lead card to another column of the pipeline board. WebDriver
/// cannot perform HTML5 drag and drop, so the page gets the events a
/// browser would fire; kanban.js does the rest (fetch, then redraw).
async fn drag_a_card(client: &Client, base: &str, lead: &str, to_stage: &str) -> Result<()> {
    client.goto(&format!("{base}/login?next=/pipeline")).await?;
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
    wait_for(
        client,
        Locator::Css(&format!(".lead-card[data-lead='{lead}']")),
    )
    .await?;
    client
        .execute(
            r#"
            const [lead, stage] = arguments;
            const card = document.querySelector(`.lead-card[data-lead="${lead}"]`);
            const column = document.querySelector(`.column[data-stage="${stage}"]`);
            const box = column.getBoundingClientRect();
            const data = new DataTransfer();
            const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {
                bubbles: true, cancelable: true, dataTransfer: data,
                clientX: box.left + 10, clientY: box.bottom - 5,
            }));
            fire(card, "dragstart");
            fire(column, "dragover");
            fire(column, "drop");
            fire(card, "dragend");
            "#,
            vec![serde_json::json!(lead), serde_json::json!(to_stage)],
        )
        .await?;
    // The board is redrawn from the server with the card in its new column.
    wait_for(
        client,
        Locator::Css(&format!(
            ".column[data-stage='{to_stage}'] .lead-card[data-lead='{lead}']"
        )),
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn staff_drag_a_lead_across_the_pipeline_board() {
    if !browser_available() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let dir = data.path();
    let api_key = set_up_org(dir, "Board Co", "board-co");
    let (_server, base) = serve(dir).await;

    let get = |res: reqwest::Response| async move {
        let status = res.status();
        let body: serde_json::Value = res.json().await.expect("JSON");
        assert!(status.is_success(), "{status}: {body}");
        body
    };
    let pipelines = get(
        api(&base, &api_key, reqwest::Method::GET, "/api/v1/pipelines")
            .send()
            .await
            .expect("GET pipelines"),
    )
    .await;
    let quoted = pipelines["items"][0]["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["name"] == "Quoted")
        .expect("a Quoted stage")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let lead = get(api(&base, &api_key, reqwest::Method::POST, "/api/v1/leads")
        .json(&serde_json::json!({"first_name": "Dana", "value_minor": 125000}))
        .send()
        .await
        .expect("POST lead"))
    .await;
    let lead_id = lead["id"].as_str().expect("id").to_string();

    let (_driver, webdriver) = chromedriver().await;
    let profile = tempfile::tempdir().expect("temp browser profile");
    let client = connect_browser(&webdriver, profile.path())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = drag_a_card(&client, &base, &lead_id, &quoted).await;
    finish(client, outcome).await;

    let moved = get(api(
        &base,
        &api_key,
        reqwest::Method::GET,
        &format!("/api/v1/leads/{lead_id}"),
    )
    .send()
    .await
    .expect("GET lead"))
    .await;
    assert_eq!(
        moved["stage_id"].as_str(),
        Some(quoted.as_str()),
        "the move reached the server"
    );
}

/// Signs in through the login form and opens the customer card.
async fn sign_in_to_card(client: &Client, base: &str, customer: &str) -> Result<()> {
    client.goto(&format!("{base}/login")).await?;
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
    client.goto(&format!("{base}/customers/{customer}")).await?;
    wait_for(client, Locator::Css("section#engagements")).await?;
    Ok(())
}

/// Logs an engagement with a follow-up on the card, completes its task on
/// /tasks and sees the engagement greyed on the card.
async fn follow_up_walk(client: &Client, base: &str, customer: &str) -> Result<()> {
    sign_in_to_card(client, base, customer).await?;
    let form = "section#engagements form.engagement-form";
    client
        .find(Locator::Css(&format!("{form} input[name=subject]")))
        .await?
        .send_keys("Furnace tune-up offer")
        .await?;
    // The date defaults to today and "contacted by" to the signed-in user.
    client
        .find(Locator::Css(&format!("{form} input[name=follow_up]")))
        .await?
        .click()
        .await?;
    client
        .find(Locator::XPath(
            "//section[@id='engagements']//select[@name='follow_up_assignee']/option[normalize-space()='Olive Owner']",
        ))
        .await?
        .click()
        .await?;
    client
        .find(Locator::Css(&format!("{form} textarea[name=notes]")))
        .await?
        .send_keys("Call back after payday")
        .await?;
    client
        .find(Locator::Css(&format!("{form} button[type=submit]")))
        .await?
        .click()
        .await?;
    wait_for(
        client,
        Locator::XPath(
            "//tr[contains(@class,'engagement')]/td[normalize-space()='Furnace tune-up offer']",
        ),
    )
    .await?;
    ensure!(
        client
            .find_all(Locator::Css("tr.engagement.completed"))
            .await?
            .is_empty(),
        "a new follow-up is not completed"
    );

    client.goto(&format!("{base}/tasks")).await?;
    let task = wait_for(
        client,
        Locator::XPath("//li[contains(@class,'task')][.//span[normalize-space()='Follow up: Furnace tune-up offer']]"),
    )
    .await?;
    task.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for(
        client,
        Locator::XPath("//li[normalize-space()='Nothing to do.']"),
    )
    .await?;

    client.goto(&format!("{base}/customers/{customer}")).await?;
    let row = wait_for(client, Locator::Css("tr.engagement.completed")).await?;
    let text = row.text().await?;
    ensure!(
        text.contains("Furnace tune-up offer") && text.contains("Completed"),
        "completed engagement row reads: {text}"
    );
    Ok(())
}

#[tokio::test]
async fn staff_log_an_engagement_follow_up_and_complete_its_task_in_a_browser() {
    if !browser_available() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let dir = data.path();
    let api_key = set_up_org(dir, "Follow Co", "follow-co");
    let (_server, base) = serve(dir).await;
    let created: serde_json::Value = api(&base, &api_key, reqwest::Method::POST, "/api/v1/customers")
        .json(&serde_json::json!({"first_name": "Grace", "last_name": "Hopper", "phone": "(512) 555-0188"}))
        .send()
        .await
        .expect("POST customer")
        .json()
        .await
        .expect("customer JSON");
    let customer = created["id"].as_str().expect("customer id").to_string();

    let (_driver, webdriver) = chromedriver().await;
    let profile = tempfile::tempdir().expect("temp browser profile");
    let client = connect_browser(&webdriver, profile.path())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = follow_up_walk(&client, &base, &customer).await;
    finish(client, outcome).await;
}
