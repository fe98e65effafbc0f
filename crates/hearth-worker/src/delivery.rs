//! Delivery of outbox rows: email over SMTP, SMS through a Twilio-style
//! HTTP API, signed webhook requests. Every request carries the row's
//! idempotency key (the SMTP Message-ID, an `Idempotency-Key` header), so a
//! retry after a crash that followed a delivery can be recognised as one.

use hearth_domain::outbox::{Claimed, Delivery};
use hearth_domain::secret::Secret;
use hearth_domain::signature::sign;
use hearth_domain::tracking::render_email;
use hearth_store::{Store, webhooks, work};
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain connection (a relay on localhost or a test server).
    None,
    /// Upgrade with STARTTLS (usually port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl std::str::FromStr for TlsMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::Starttls),
            "tls" => Ok(TlsMode::Tls),
            _ => Err(format!("unknown TLS mode {s:?}; use none, starttls or tls")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The sender address, e.g. `Acme Heating <office@acme.example>`.
    pub from: String,
    /// A PEM file of certificates to trust besides the public roots, for
    /// a server whose certificate a private CA (or itself) signed.
    pub ca_file: Option<std::path::PathBuf>,
}

#[derive(Clone, Debug)]
pub struct SmsConfig {
    /// The provider's API base, e.g. `https://api.twilio.com`.
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: Secret,
    /// The sending number, E.164.
    pub from: String,
}

/// Why an attempt failed; `permanent` failures are not retried.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub permanent: bool,
}

impl Failure {
    fn retry(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            permanent: false,
        }
    }
}

/// Sends outbox rows; built once per worker.
pub struct Deliverer {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    smtp_error: Option<String>,
    sms: Option<SmsConfig>,
    http: reqwest::Client,
    public_url: String,
}

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl Deliverer {
    pub fn new(smtp: Option<&SmtpConfig>, sms: Option<SmsConfig>, public_url: &str) -> Deliverer {
        // A bad SMTP setting fails every email with the reason, visible in
        // channel health, instead of stopping the worker.
        let (smtp, smtp_error) = match smtp.map(transport) {
            Some(Ok(t)) => (Some(t), None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        Deliverer {
            smtp,
            smtp_error,
            sms,
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client builds"),
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }

    pub async fn deliver(&self, store: &Store, row: &Claimed) -> Result<(), Failure> {
        match &row.delivery {
            Delivery::Email {
                to,
                subject,
                body,
                tracking,
            } => self.email(row, to, subject, body, tracking.as_ref()).await,
            Delivery::Sms { to, body } => self.sms(row, to, body).await,
            Delivery::Webhook { event, body } => {
                let Some(webhook) = row.webhook_id else {
                    return Err(Failure {
                        message: "webhook delivery without a subscription".into(),
                        permanent: true,
                    });
                };
                let org = row.org_id;
                let (url, secret) = store
                    .read(work!(|c| webhooks::endpoint(c, org, webhook)))
                    .await
                    .map_err(|e| match e {
                        hearth_store::StoreError::NotFound => Failure {
                            message: "the subscription was deleted".into(),
                            permanent: true,
                        },
                        e => Failure::retry(format!("reading the subscription: {e}")),
                    })?;
                self.webhook(row, &url, event, body, &secret).await
            }
        }
    }

    async fn email(
        &self,
        row: &Claimed,
        to: &str,
        subject: &str,
        body: &str,
        tracking: Option<&hearth_domain::tracking::Tokens>,
    ) -> Result<(), Failure> {
        let Some((transport, from)) = &self.smtp else {
            return Err(Failure::retry(self.smtp_error.clone().unwrap_or_else(
                || "SMTP is not configured (HEARTH_SMTP_HOST)".into(),
            )));
        };
        let to: Mailbox = to.parse().map_err(|e| Failure {
            message: format!("bad recipient address: {e}"),
            permanent: true,
        })?;
        let builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{}@hearth>", row.idempotency_key())));
        let message = match tracking {
            Some(tokens) => {
                let (text, html) = render_email(body, tokens, &self.public_url);
                builder.multipart(MultiPart::alternative_plain_html(text, html))
            }
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(body.to_string()),
        }
        .map_err(|e| Failure {
            message: format!("could not build the email: {e}"),
            permanent: true,
        })?;
        match transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err(Failure {
                permanent: e.is_permanent(),
                message: format!("SMTP: {e}"),
            }),
        }
    }

    async fn sms(&self, row: &Claimed, to: &str, body: &str) -> Result<(), Failure> {
        let Some(sms) = &self.sms else {
            return Err(Failure::retry(
                "the SMS provider is not configured (HEARTH_SMS_URL)",
            ));
        };
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            sms.base_url.trim_end_matches('/'),
            sms.account_sid
        );
        let request = self
            .http
            .post(url)
            .basic_auth(&sms.account_sid, Some(sms.auth_token.expose()))
            .header("Idempotency-Key", row.idempotency_key())
            .form(&[("To", to), ("From", sms.from.as_str()), ("Body", body)]);
        answer("SMS provider", request.send().await).await
    }

    async fn webhook(
        &self,
        row: &Claimed,
        url: &str,
        event: &str,
        body: &str,
        secret: &str,
    ) -> Result<(), Failure> {
        let timestamp = chrono::Utc::now().timestamp();
        let request = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .header("Hearth-Event", event)
            .header("Hearth-Signature", sign(secret, timestamp, body.as_bytes()))
            .header("Idempotency-Key", row.idempotency_key())
            .body(body.to_string());
        answer("webhook endpoint", request.send().await).await
    }
}

/// A 2xx answer is a delivery; 4xx other than 408 and 429 will not get
/// better by retrying.
async fn answer(who: &str, sent: reqwest::Result<reqwest::Response>) -> Result<(), Failure> {
    let res = sent.map_err(|e| Failure::retry(format!("{who} unreachable: {e}")))?;
    let status = res.status();
    if status.is_success() {
        return Ok(());
    }
    let detail: String = res
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    Err(Failure {
        message: format!("{who} answered {status}: {detail}"),
        permanent: status.is_client_error()
            && status != reqwest::StatusCode::REQUEST_TIMEOUT
            && status != reqwest::StatusCode::TOO_MANY_REQUESTS,
    })
}

fn transport(c: &SmtpConfig) -> Result<(AsyncSmtpTransport<Tokio1Executor>, Mailbox), String> {
    let from: Mailbox = c
        .from
        .parse()
        .map_err(|e| format!("HEARTH_SMTP_FROM is not an address: {e}"))?;
    let tls = match c.tls {
        TlsMode::None => Tls::None,
        TlsMode::Starttls => Tls::Required(tls_parameters(c)?),
        TlsMode::Tls => Tls::Wrapper(tls_parameters(c)?),
    };
    let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host).tls(tls);
    let mut builder = builder.port(c.port).timeout(Some(REQUEST_TIMEOUT));
    if let Some(user) = &c.username {
        let password = c.password.as_ref().map(Secret::expose).unwrap_or("");
        builder = builder.credentials(Credentials::new(user.clone(), password.to_string()));
    }
    Ok((builder.build(), from))
}

/// Certificate checks for `c.host` against the public roots, plus those of
/// `c.ca_file`.
fn tls_parameters(c: &SmtpConfig) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(c.host.clone());
    if let Some(path) = &c.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("HEARTH_SMTP_CA_FILE {}: {e}", path.display()))?;
        let certificate = Certificate::from_pem(&pem)
            .map_err(|e| format!("HEARTH_SMTP_CA_FILE {}: {e}", path.display()))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|e| format!("SMTP TLS setup: {e}"))
}
