use hearth_domain::auth::Role;
use hearth_store::{Store, auth, orgs, work};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::net::SocketAddr;

/// A running Hearth with its own fresh database.
pub struct TestApp {
    pub engine: &'static str,
    pub base: String,
    pub http: Client,
    pub store: Store,
    /// Where this server keeps attachments (a folder of its own).
    pub files: tempfile::TempDir,
    /// `hearth` CLI arguments that open this app's database, for child
    /// processes (`hearth worker`).
    pub db_args: Vec<String>,
    _dir: Option<tempfile::TempDir>,
}

/// One organisation with an owner login and an API key.
pub struct TestOrg {
    pub key: String,
    pub email: String,
    pub password: String,
}

pub const PASSWORD: &str = "correct horse battery";

/// Every engine the suite runs on: SQLite always; PostgreSQL when
/// HEARTH_TEST_POSTGRES_URL is set (required under CI=true).
pub async fn apps() -> Vec<TestApp> {
    apps_with(hearth_server::ServerConfig::default()).await
}

/// [`apps`] with a server configuration of the test's own.
pub async fn apps_with(config: hearth_server::ServerConfig) -> Vec<TestApp> {
    let mut apps = vec![TestApp::sqlite(config.clone()).await];
    match std::env::var("HEARTH_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => apps.push(TestApp::postgres(&url, config).await),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!(
                "CI=true but HEARTH_TEST_POSTGRES_URL is not set: the PostgreSQL suite must run in CI"
            )
        }
        _ => {}
    }
    apps
}

impl TestApp {
    async fn sqlite(config: hearth_server::ServerConfig) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_sqlite(&dir.path().join("hearth.db"), false).expect("open sqlite");
        let db_args = vec!["--data-dir".into(), dir.path().display().to_string()];
        TestApp::start("sqlite", store, Some(dir), db_args, config).await
    }

    /// A private schema per test on the shared server, so runs never collide.
    async fn postgres(url: &str, config: hearth_server::ServerConfig) -> TestApp {
        let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
        let admin = Store::connect_postgres(url, 1)
            .await
            .expect("connect to HEARTH_TEST_POSTGRES_URL");
        let create = format!("CREATE SCHEMA {schema}");
        admin
            .write(move |c| Box::pin(async move { c.batch(&create).await }))
            .await
            .expect("create schema");
        let sep = if url.contains('?') { '&' } else { '?' };
        let scoped = format!("{url}{sep}options=-csearch_path%3D{schema}");
        let store = Store::connect_postgres(&scoped, 4)
            .await
            .expect("connect to test schema");
        let db_args = vec!["--database-url".into(), scoped];
        TestApp::start("postgres", store, None, db_args, config).await
    }

    async fn start(
        engine: &'static str,
        store: Store,
        dir: Option<tempfile::TempDir>,
        db_args: Vec<String>,
        config: hearth_server::ServerConfig,
    ) -> TestApp {
        hearth_store::migrate(&store).await.expect("migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let files = tempfile::tempdir().expect("attachments dir");
        let config = hearth_server::ServerConfig {
            files: hearth_store::files::Files::local(files.path()).expect("attachments"),
            ..config
        };
        let app = hearth_server::app(store.clone(), config);
        tokio::spawn(hearth_server::serve(listener, app, std::future::pending()));
        TestApp {
            engine,
            base: format!("http://{addr}"),
            http: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            store,
            files,
            db_args,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A new organisation with an owner (password [`PASSWORD`]) and an admin API key.
    pub async fn org(&self, slug: &str) -> TestOrg {
        self.org_with_key_role(slug, Role::Admin).await
    }

    pub async fn org_with_key_role(&self, slug: &str, role: Role) -> TestOrg {
        let hash = hearth_server::hash_password(PASSWORD.to_string())
            .await
            .expect("hash");
        let slug = slug.to_string();
        let email = format!("owner@{slug}.test");
        let (s, e) = (slug.clone(), email.clone());
        let key = self
            .store
            .write(work!(|c| async {
                let org = orgs::create(c, &s, &format!("{s} Ltd"), "US").await?;
                auth::create_user(c, org.id, &e, "Olive Owner", Role::Owner, &hash).await?;
                Ok(auth::create_api_key(c, org.id, "tests", role).await?.1)
            }))
            .await
            .expect("create org");
        TestOrg {
            key,
            email,
            password: PASSWORD.to_string(),
        }
    }

    pub async fn api(
        &self,
        org: &TestOrg,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&org.key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request")
    }

    /// Posts `body` as it is, labelled JSON: for bodies the JSON helpers
    /// cannot send (cut short, a key given twice).
    pub async fn post_json_text(&self, org: &TestOrg, path: &str, body: &'static str) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(&org.key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// The served OpenAPI document (no key needed).
    pub async fn openapi(&self) -> Value {
        let res = self
            .http
            .get(self.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap();
        expect_status(res, StatusCode::OK, self.engine).await
    }

    pub async fn get(&self, org: &TestOrg, path: &str) -> Response {
        self.api(org, reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, org: &TestOrg, path: &str, body: Value) -> Response {
        self.api(org, reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, org: &TestOrg, path: &str, body: Value) -> Response {
        self.api(org, reqwest::Method::PATCH, path, Some(body))
            .await
    }

    pub async fn delete(&self, org: &TestOrg, path: &str) -> Response {
        self.api(org, reqwest::Method::DELETE, path, None).await
    }

    /// Creates a customer and returns its JSON as a read returns it
    /// (without the create answer's `duplicates` warning).
    pub async fn customer(&self, org: &TestOrg, body: Value) -> Value {
        let res = self.post(org, "/api/v1/customers", body).await;
        let mut created = expect_status(res, StatusCode::CREATED, self.engine).await;
        if let Some(fields) = created.as_object_mut() {
            fields.remove("duplicates");
        }
        created
    }

    pub async fn grace(&self, org: &TestOrg) -> Value {
        self.customer(org, json!({"first_name": "Grace", "last_name": "Hopper", "phone": "(512) 555-0188", "email": "grace@navy.example.com"}))
            .await
    }

    /// Signs in through the login form; returns the session cookie pair.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.http
            .post(self.url("/login"))
            .form(&[
                ("email", email),
                ("password", password),
                ("next", "/customers"),
            ])
            .send()
            .await
            .expect("login")
    }
}

/// Asserts the status (naming the engine) and returns the JSON body.
pub async fn expect_status(res: Response, status: StatusCode, engine: &str) -> Value {
    let got = res.status();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "[{engine}] unexpected status; body: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }
}

/// The field names a problem+json lists.
/// POSTs `body` and expects 201; returns the created record.
pub async fn created(app: &TestApp, org: &TestOrg, path: &str, body: Value) -> Value {
    expect_status(
        app.post(org, path, body).await,
        StatusCode::CREATED,
        app.engine,
    )
    .await
}

/// GETs `path` and expects 200.
pub async fn ok(app: &TestApp, org: &TestOrg, path: &str) -> Value {
    expect_status(app.get(org, path).await, StatusCode::OK, app.engine).await
}

/// A record's `id`.
pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hearth_session=") && !v.starts_with("hearth_session=;"))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// The CSRF token a signed-in page's forms carry.
pub fn csrf_in(html: &str) -> String {
    html.split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf token")
        .to_string()
}

/// Someone signed in to the pages — an owner of the staff app, or a
/// customer in the portal: session cookie and CSRF token.
pub struct Staff<'a> {
    pub app: &'a TestApp,
    pub cookie: String,
    pub csrf: String,
}

impl<'a> Staff<'a> {
    pub async fn sign_in(app: &'a TestApp, org: &TestOrg) -> Staff<'a> {
        let res = app.login(&org.email, &org.password).await;
        let cookie = session_cookie(&res).expect("session cookie");
        let mut staff = Staff {
            app,
            cookie,
            csrf: String::new(),
        };
        let html = staff.page("/customers", StatusCode::OK).await;
        staff.csrf = csrf_in(&html);
        staff
    }

    /// GETs a page; returns its status and body.
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self
            .app
            .http
            .get(self.app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// GETs a page that must answer `status`; returns its body.
    pub async fn page(&self, path: &str, status: StatusCode) -> String {
        let (got, body) = self.get(path).await;
        assert_eq!(got, status, "[{}] GET {path}: {body}", self.app.engine);
        body
    }

    /// A JSON call with the session cookie and the CSRF header.
    pub async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut req = self
            .app
            .http
            .request(method, self.app.url(path))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    /// Posts a form with the CSRF token; returns status, Location and body.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut form = vec![("_csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let res = self
            .app
            .http
            .post(self.app.url(path))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, location, res.text().await.unwrap())
    }
}
