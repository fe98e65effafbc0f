//! The `hearth` command: serve the CRM, and administer it from a shell.

mod bench;
mod demo;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use hearth_domain::auth::Role;
use hearth_domain::import::Kind;
use hearth_store::files::Files;
use hearth_store::{Store, auth, orgs, work};
use std::io::Read;
use std::path::PathBuf;

// A request builds and drops many small values (rows, JSON); glibc's
// allocator was ~9 % of the 360°'s CPU (benches/README.md, session 8).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "hearth",
    version,
    about = "Hearth — the CRM for home-service businesses"
)]
struct Cli {
    /// Folder for the SQLite database and for attachments (job photos, in
    /// `attachments/`; also with PostgreSQL).
    #[arg(
        long,
        global = true,
        env = "HEARTH_DATA_DIR",
        default_value = "hearth-data"
    )]
    data_dir: PathBuf,
    /// Use PostgreSQL instead of the embedded SQLite file: postgres://user:pass@host/db
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// PostgreSQL connections per instance.
    #[arg(long, global = true, env = "HEARTH_PG_POOL", default_value_t = 16)]
    pg_pool: usize,
    /// fsync every SQLite commit (survives power loss, not only crashes).
    #[arg(long, global = true, env = "HEARTH_SQLITE_SYNC_FULL")]
    sqlite_sync_full: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app and API.
    Serve {
        #[arg(long, env = "HEARTH_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load the demo business (org `demo`) and print its owner login.
        #[arg(long)]
        demo: bool,
        /// Set when users reach Hearth over HTTPS: Secure __Host- cookies and HSTS.
        #[arg(long, env = "HEARTH_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Hosted checkout provider's API base URL (hosted checkout is off without it).
        #[arg(long, env = "HEARTH_PAYMENTS_URL")]
        payments_url: Option<String>,
        /// Shared HMAC-SHA256 key for requests to and webhooks from the payment provider.
        #[arg(long, env = "HEARTH_PAYMENTS_SECRET", hide_env_values = true)]
        payments_secret: Option<String>,
        /// The largest CSV file the import API and page take, in bytes.
        #[arg(long, env = "HEARTH_IMPORT_LIMIT", default_value_t = hearth_server::DEFAULT_IMPORT_LIMIT)]
        import_limit: u64,
        #[command(flatten)]
        delivery: DeliveryArgs,
    },
    /// Run only the background worker (outbox delivery, housekeeping); any
    /// number may run beside `serve` against one database.
    Worker {
        #[command(flatten)]
        delivery: DeliveryArgs,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Organisations (businesses).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Staff logins.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API keys for `Authorization: Bearer`.
    Apikey {
        #[command(subcommand)]
        command: ApikeyCommand,
    },
    /// Write a consistent copy of the SQLite database to FILE while it serves.
    Backup { file: PathBuf },
    /// Import records from a CSV file.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Benchmark data (see benches/README.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

/// Where email and SMS go, and how deliveries are retried.
#[derive(Args)]
struct DeliveryArgs {
    /// Base URL customers reach Hearth at, for email open and click
    /// tracking and portal sign-in links (default: http:// and the bound
    /// address).
    #[arg(long, env = "HEARTH_PUBLIC_URL")]
    public_url: Option<String>,
    /// SMTP server for email; email stays queued (and channel health says
    /// why) until it is set.
    #[arg(long, env = "HEARTH_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "HEARTH_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,
    /// none, starttls or tls.
    #[arg(long, env = "HEARTH_SMTP_TLS", default_value = "starttls")]
    smtp_tls: hearth_worker::TlsMode,
    #[arg(long, env = "HEARTH_SMTP_USER")]
    smtp_user: Option<String>,
    #[arg(long, env = "HEARTH_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// Sender, e.g. "Acme Heating <office@acme.example>".
    #[arg(
        long,
        env = "HEARTH_SMTP_FROM",
        default_value = "Hearth <hearth@localhost>"
    )]
    smtp_from: String,
    /// PEM file of certificates to trust for the SMTP server besides the
    /// public roots (a private CA, or the server's own certificate).
    #[arg(long, env = "HEARTH_SMTP_CA_FILE")]
    smtp_ca_file: Option<std::path::PathBuf>,
    /// SMS provider API base URL (Twilio-compatible), e.g. https://api.twilio.com.
    #[arg(long, env = "HEARTH_SMS_URL")]
    sms_url: Option<String>,
    #[arg(long, env = "HEARTH_SMS_ACCOUNT_SID", default_value = "")]
    sms_account_sid: String,
    #[arg(
        long,
        env = "HEARTH_SMS_AUTH_TOKEN",
        hide_env_values = true,
        default_value = ""
    )]
    sms_auth_token: String,
    /// Sending number, E.164.
    #[arg(long, env = "HEARTH_SMS_FROM", default_value = "")]
    sms_from: String,
    /// Attempts per message before it is marked failed.
    #[arg(long, env = "HEARTH_OUTBOX_ATTEMPTS", default_value_t = 8)]
    outbox_attempts: i64,
    /// Wait after the first failed attempt, in seconds; doubles each time (capped at 6 h).
    #[arg(long, env = "HEARTH_OUTBOX_RETRY_SECS", default_value_t = 30.0)]
    outbox_retry_secs: f64,
    /// Seconds a worker holds a message it is delivering; a crashed
    /// worker's messages are retried after this.
    #[arg(long, env = "HEARTH_OUTBOX_LEASE_SECS", default_value_t = 120.0)]
    outbox_lease_secs: f64,
    /// Seconds between looks at an empty outbox.
    #[arg(long, env = "HEARTH_OUTBOX_POLL_SECS", default_value_t = 1.0)]
    outbox_poll_secs: f64,
}

impl DeliveryArgs {
    fn config(self, default_public_url: &str) -> Result<hearth_worker::Config> {
        let secs = |name: &str, v: f64| {
            std::time::Duration::try_from_secs_f64(v)
                .with_context(|| format!("{name} must be a non-negative number of seconds"))
        };
        let defaults = hearth_worker::Config::default();
        Ok(hearth_worker::Config {
            smtp: self.smtp_host.map(|host| hearth_worker::SmtpConfig {
                host,
                port: self.smtp_port,
                tls: self.smtp_tls,
                username: self.smtp_user,
                password: self.smtp_password.map(hearth_server::Secret::new),
                from: self.smtp_from,
                ca_file: self.smtp_ca_file,
            }),
            sms: self.sms_url.map(|base_url| hearth_worker::SmsConfig {
                base_url,
                account_sid: self.sms_account_sid,
                auth_token: hearth_server::Secret::new(self.sms_auth_token),
                from: self.sms_from,
            }),
            public_url: self
                .public_url
                .unwrap_or_else(|| default_public_url.to_string()),
            retry: hearth_domain::outbox::RetryPolicy {
                max_attempts: self.outbox_attempts.max(1),
                base: secs("--outbox-retry-secs", self.outbox_retry_secs)?,
                ..defaults.retry
            },
            lease: secs("--outbox-lease-secs", self.outbox_lease_secs)?,
            poll: secs("--outbox-poll-secs", self.outbox_poll_secs)?
                .max(std::time::Duration::from_millis(10)),
            ..defaults
        })
    }
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Customers, with a service address and tags, from FILE (UTF-8 CSV
    /// with a header line). All rows or none; customers whose phone or
    /// email exists already are skipped. Streams files of any size.
    Customers(ImportArgs),
    /// Leads, with owner, deal value, tags, pipeline and stage, from FILE.
    /// All rows or none; leads whose phone or email an existing lead or
    /// customer has are skipped. Streams files of any size.
    Leads(ImportArgs),
}

#[derive(Args)]
struct ImportArgs {
    file: PathBuf,
    #[arg(long)]
    org: String,
    /// Check the whole file and report; import nothing.
    #[arg(long)]
    dry_run: bool,
    /// A column named differently from its field: `--map Surname=last_name`.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Fill the configured database with realistic customers and timelines.
    Generate {
        #[arg(long)]
        customers: usize,
        /// Organisations (bench-1, bench-2, …) sharing the customers.
        #[arg(long, default_value_t = 1)]
        orgs: usize,
        /// Average timeline events per customer.
        #[arg(long, default_value_t = 5)]
        events_per_customer: usize,
        /// Jobs per customer (each completed one also gets an invoice).
        #[arg(long, default_value_t = 5)]
        jobs_per_customer: usize,
        /// Leads in all (default: one per five customers), on the default
        /// pipeline of each org.
        #[arg(long)]
        leads: Option<usize>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Where to write API keys and sample customers for benches/load
        /// (default: DATA_DIR/bench-sample.json).
        #[arg(long)]
        sample: Option<PathBuf>,
    },
    /// Measure segment recompute, counts and incremental refresh on a
    /// generated organisation.
    Segments {
        /// The organisation's slug.
        #[arg(long, default_value = "bench-1")]
        org: String,
        /// Single-customer refreshes to time.
        #[arg(long, default_value_t = 1000)]
        changes: usize,
        /// First give each customer an address and about this many bookings.
        #[arg(long, default_value_t = 0)]
        jobs_per_customer: usize,
    },
    /// Measure the whole-organisation duplicate pass (time, precision,
    /// recall) on a fresh organisation with planted duplicates.
    Duplicates {
        #[arg(long)]
        customers: usize,
        /// Percent of the customers that repeat an earlier one.
        #[arg(long, default_value_t = 2.0)]
        planted: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Measure CSV import: write a synthetic file, then dry-run and run it
    /// through the real import path into a fresh organisation.
    Import {
        #[arg(long)]
        rows: usize,
        /// customers or leads.
        #[arg(long, default_value = "customers", value_parser = parse_kind)]
        kind: Kind,
        /// Customers the organisation has before the import (~2 % of the
        /// file's rows repeat one of their phones).
        #[arg(long, default_value_t = 10_000)]
        existing: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Where to write the file (default: DATA_DIR/bench-import-KIND.csv).
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

fn parse_kind(s: &str) -> std::result::Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| format!("{s:?} is not customers or leads"))
}

#[derive(Subcommand)]
enum OrgCommand {
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        slug: String,
        /// Region for phone numbers typed without a country code.
        #[arg(long, default_value = "US")]
        region: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: Role,
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Stop a login from working; ends its sessions at once.
    Disable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum ApikeyCommand {
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "admin")]
        role: Role,
    },
    /// The organisation's active keys (never their secrets).
    List {
        #[arg(long)]
        org: String,
    },
    /// Revoke a key by its id.
    Revoke {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: hearth_domain::ApiKeyId,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let store = open_store(&cli).await?;
    hearth_store::migrate(&store)
        .await
        .context("applying migrations")?;
    let indexed = hearth_store::search::backfill_pending(&store)
        .await
        .context("indexing existing customers for search")?;
    if indexed > 0 {
        tracing::info!(indexed, "existing customers indexed for search");
    }
    match cli.command {
        Command::Serve {
            bind,
            demo,
            secure_cookies,
            payments_url,
            payments_secret,
            import_limit,
            delivery,
        } => {
            let public_url = delivery.public_url.clone();
            let worker = delivery.config(&format!("http://{bind}"))?;
            let files = Files::local(&cli.data_dir.join("attachments"))
                .context("opening the attachments folder")?;
            let config = hearth_server::ServerConfig {
                secure_cookies,
                files,
                payments: hearth_server::PaymentsConfig {
                    url: payments_url,
                    secret: payments_secret.map(hearth_server::Secret::new),
                },
                public_url,
                import_dir: Some(cli.data_dir.join("imports")),
                import_limit: Some(import_limit),
            };
            serve(store, &bind, demo, config, worker).await
        }
        Command::Worker { delivery } => {
            let config = delivery.config(&hearth_worker::Config::default().public_url)?;
            tracing::info!(smtp = ?config.smtp, sms = ?config.sms, "worker running");
            hearth_worker::run(store, config, shutdown_signal()).await;
            Ok(())
        }
        Command::Migrate => {
            println!("database is up to date");
            Ok(())
        }
        Command::Org {
            command: OrgCommand::Create { name, slug, region },
        } => {
            let org = store
                .write(work!(|c| orgs::create(c, &slug, &name, &region)))
                .await?;
            println!("created org {} ({})", org.slug, org.id);
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    org,
                    email,
                    role,
                    name,
                    password_stdin,
                },
        } => {
            let password = read_password(password_stdin)?;
            if let Err(why) = hearth_domain::auth::validate_password(&password) {
                bail!("password {why}");
            }
            let hash = hearth_server::hash_password(password)
                .await
                .map_err(anyhow::Error::msg)?;
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
            let user = store
                .write(work!(|c| async {
                    let org = find_org(c, &org).await?;
                    auth::create_user(c, org.id, &email, &name, role, &hash).await
                }))
                .await?;
            println!("created {} login {} ({})", user.role, user.email, user.id);
            Ok(())
        }
        Command::User {
            command: UserCommand::Disable { email },
        } => {
            let shown = email.clone();
            store
                .write(work!(|c| async {
                    let (user, _) = auth::user_for_login(c, &email)
                        .await?
                        .ok_or_else(|| hearth_domain::Invalid::field("email", "has no login"))?;
                    auth::disable_user(c, user.org_id, user.id).await
                }))
                .await?;
            println!("disabled {shown}; their sessions are ended");
            Ok(())
        }
        Command::Apikey {
            command: ApikeyCommand::List { org },
        } => {
            let keys = store
                .read(work!(|c| async {
                    let org = find_org(c, &org).await?;
                    auth::list_api_keys(c, org.id).await
                }))
                .await?;
            for k in keys {
                let used = k
                    .last_used_at
                    .map_or("never used".to_string(), |t| format!("last used {t}"));
                println!("{}  {}  {}…  {}  {used}", k.id, k.name, k.prefix, k.role);
            }
            Ok(())
        }
        Command::Apikey {
            command: ApikeyCommand::Revoke { org, id },
        } => {
            store
                .write(work!(|c| async {
                    let org = find_org(c, &org).await?;
                    auth::revoke_api_key(c, org.id, id).await
                }))
                .await?;
            println!("revoked {id}");
            Ok(())
        }
        Command::Apikey {
            command: ApikeyCommand::Create { org, name, role },
        } => {
            let (key, secret) = store
                .write(work!(|c| async {
                    let org = find_org(c, &org).await?;
                    auth::create_api_key(c, org.id, &name, role).await
                }))
                .await?;
            eprintln!(
                "created API key {} ({}); it is shown once:",
                key.name, key.id
            );
            println!("{secret}");
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Generate {
                    customers,
                    orgs,
                    events_per_customer,
                    jobs_per_customer,
                    leads,
                    seed,
                    sample,
                },
        } => {
            let sample = sample.unwrap_or_else(|| cli.data_dir.join("bench-sample.json"));
            let args = bench::Generate {
                customers,
                orgs,
                events_per_customer,
                jobs_per_customer,
                leads: leads.unwrap_or(customers / 5),
                seed,
            };
            bench::generate(&store, &args, &sample).await
        }
        Command::Import { command } => {
            let (kind, args) = match command {
                ImportCommand::Customers(args) => (Kind::Customers, args),
                ImportCommand::Leads(args) => (Kind::Leads, args),
            };
            import_file(&store, kind, &args).await
        }

        Command::Bench {
            command:
                BenchCommand::Segments {
                    org,
                    changes,
                    jobs_per_customer,
                },
        } => {
            let args = bench::segments::Segments {
                org,
                changes,
                jobs_per_customer,
            };
            bench::segments::run(&store, &args).await
        }
        Command::Bench {
            command:
                BenchCommand::Duplicates {
                    customers,
                    planted,
                    seed,
                },
        } => {
            let args = bench::duplicates::DuplicatesBench {
                customers,
                planted,
                seed,
            };
            bench::duplicates::run(&store, &args).await
        }
        Command::Bench {
            command:
                BenchCommand::Import {
                    rows,
                    kind,
                    existing,
                    seed,
                    file,
                },
        } => {
            let file = file.unwrap_or_else(|| {
                cli.data_dir
                    .join(format!("bench-import-{}.csv", kind.as_str()))
            });
            let args = bench::import::ImportBench {
                rows,
                kind,
                existing,
                seed,
                file,
            };
            bench::import::run(&store, &args).await
        }
        Command::Backup { file } => {
            store.backup_to(&file).await?;
            println!("backup written to {}", file.display());
            Ok(())
        }
    }
}

/// `hearth import customers|leads`: one transaction, a progress bar by bytes.
async fn import_file(store: &Store, kind: Kind, args: &ImportArgs) -> Result<()> {
    use hearth_store::imports::Report;
    let file = &args.file;
    let mut mapping = std::collections::BTreeMap::new();
    for pair in &args.map {
        let (column, field) = pair
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--map {pair:?}: write it as COLUMN=FIELD"))?;
        mapping.insert(column.to_string(), field.to_string());
    }
    let size = std::fs::metadata(file)?.len();
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, eta {eta})",
        )?
        .progress_chars("=> "),
    );
    let shown = bar.clone();
    let started = std::time::Instant::now();
    let slug = args.org.clone();
    let actor = hearth_domain::history::Actor::system("hearth import");
    let outcome = if args.dry_run {
        store
            .read_scan(work!(|c| import_work(
                c, &slug, kind, None, mapping, reader, shown
            )))
            .await
    } else {
        store
            .write(work!(|c| import_work(
                c,
                &slug,
                kind,
                Some(&actor),
                mapping,
                reader,
                shown
            )))
            .await
    };
    bar.finish_and_clear();
    let print = |r: &Report| {
        for p in &r.problems {
            eprintln!("line {}: {}: {}", p.line, p.field, p.message);
        }
        for s in &r.skipped {
            let holder = match &s.existing_kind {
                Some(what) => format!("an existing {what}"),
                None => "an earlier line".to_string(),
            };
            eprintln!("line {}: skipped, {holder} has this {}", s.line, s.field);
        }
    };
    match outcome {
        Ok((import, report)) => {
            print(&report);
            let seconds = started.elapsed().as_secs_f64();
            let rate = report.rows as f64 / seconds.max(1e-9);
            if !report.problems.is_empty() {
                anyhow::bail!(
                    "{} problems; nothing would be imported",
                    report.problems.len()
                );
            }
            match import {
                Some(i) => println!(
                    "imported {} {} ({} skipped) in {seconds:.1} s, {rate:.0} rows/s; import id {} (revert: POST /api/v1/imports/{}/revert)",
                    i.rows_imported,
                    kind.as_str(),
                    i.rows_skipped,
                    i.id,
                    i.id
                ),
                None => println!(
                    "dry run: {} rows, {} importable, {} skipped, no problems ({rate:.0} rows/s)",
                    report.rows,
                    report.importable,
                    report.skipped.len()
                ),
            }
            Ok(())
        }
        Err(hearth_store::StoreError::ImportProblems(report)) => {
            print(&report);
            anyhow::bail!("{} problems; nothing was imported", report.problems.len())
        }
        Err(e) => Err(e.into()),
    }
}

/// Checks (`actor` none: the dry run) or imports a file for an organisation.
async fn import_work(
    c: &mut hearth_store::Conn,
    slug: &str,
    kind: Kind,
    actor: Option<&hearth_domain::history::Actor>,
    mapping: std::collections::BTreeMap<String, String>,
    reader: impl std::io::Read + Send,
    bar: indicatif::ProgressBar,
) -> hearth_store::Result<(
    Option<hearth_store::imports::Import>,
    hearth_store::imports::Report,
)> {
    use hearth_store::imports::{self, Options};
    let progress = move |p: imports::Progress| bar.set_position(p.bytes);
    let org = find_org(c, slug).await?;
    let options = Options {
        kind,
        mapping,
        region: org.default_region.clone(),
    };
    match actor {
        None => imports::check(c, org.id, reader, &options, &progress)
            .await
            .map(|r| (None, r)),
        Some(actor) => imports::run(c, org.id, actor, reader, &options, &progress)
            .await
            .map(|(i, r)| (Some(i), r)),
    }
}

async fn find_org(c: &mut hearth_store::Conn, slug: &str) -> hearth_store::Result<orgs::Org> {
    orgs::by_slug(c, slug).await?.ok_or_else(|| {
        hearth_domain::Invalid::field("org", format!("no organisation with slug {slug:?}")).into()
    })
}

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut password = String::new();
        std::io::stdin().read_to_string(&mut password)?;
        Ok(password.trim_end_matches(['\r', '\n']).to_string())
    } else {
        Ok(rpassword::prompt_password("Password: ")?)
    }
}

async fn open_store(cli: &Cli) -> Result<Store> {
    match &cli.database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            tracing::info!(database = %mask_password(url), "using PostgreSQL");
            Ok(Store::connect_postgres(url, cli.pg_pool).await?)
        }
        Some(other) => bail!(
            "DATABASE_URL must start with postgres:// (got {:?})",
            mask_password(other)
        ),
        None => {
            let path = cli.data_dir.join("hearth.db");
            tracing::info!(database = %path.display(), "using SQLite");
            Ok(Store::open_sqlite(&path, cli.sqlite_sync_full)?)
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for logs.
fn mask_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn serve(
    store: Store,
    bind: &str,
    demo: bool,
    config: hearth_server::ServerConfig,
    worker_config: hearth_worker::Config,
) -> Result<()> {
    if demo {
        let login = demo::load(&store).await.context("loading demo data")?;
        println!(
            "Demo business ready. Sign in as {} with password {}\n\
             Technicians (same password, for the /tech view): {}",
            login.email,
            login.password,
            demo::TECHNICIAN_EMAILS.join(", ")
        );
    }
    store.prewarm();
    let interrupted = store
        .write(work!(|c| hearth_store::imports::interrupt_abandoned(c)))
        .await
        .context("marking imports interrupted by a stop")?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "imports were running when the server stopped; marked failed"
        );
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let address = listener.local_addr()?;
    println!("Hearth is serving on http://{address}");
    // Without HEARTH_PUBLIC_URL, links point at the address actually bound
    // (the bind address may name port 0).
    let (config, worker_config) = match config.public_url {
        Some(_) => (config, worker_config),
        None => {
            let url = format!("http://{address}");
            (
                hearth_server::ServerConfig {
                    public_url: Some(url.clone()),
                    ..config
                },
                hearth_worker::Config {
                    public_url: url,
                    ..worker_config
                },
            )
        }
    };
    tracing::info!(%address, secure_cookies = config.secure_cookies, payments = ?config.payments, "serving");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = {
        let store = store.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            hearth_worker::run(store, worker_config, async move {
                let _ = stop.changed().await;
            })
            .await
        })
    };
    let app = hearth_server::app(store, config);
    hearth_server::serve(listener, app, async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    })
    .await?;
    let _ = worker.await;
    Ok(())
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
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}

#[cfg(test)]
mod tests {
    use super::mask_password;

    #[test]
    fn passwords_are_masked_in_logs() {
        assert_eq!(
            mask_password("postgres://app:s3cret@db:5432/hearth"),
            "postgres://app:***@db:5432/hearth"
        );
        assert_eq!(
            mask_password("postgres://db/hearth"),
            "postgres://db/hearth"
        );
    }
}
